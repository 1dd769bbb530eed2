"""Integrity of the shipped data: checksums, size, data cards, and agreement with PhysioNet's own checksums."""

from __future__ import annotations

import hashlib

import pytest
from conftest import DATA

DATASETS = ["ptbxl", "challenge2012", "mitdb"]


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed() -> dict[str, str]:
    rows = (DATA / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (row.split("  ", 1) for row in rows)}


def test_every_shipped_file_matches_sha256sums():
    sums = listed()
    on_disk = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert on_disk == set(sums), (
        f"unlisted: {sorted(on_disk - set(sums))[:5]}, absent: {sorted(set(sums) - on_disk)[:5]}"
    )
    bad = [name for name, digest in sums.items() if sha256(DATA / name) != digest]
    assert not bad, f"files differ from data/SHA256SUMS: {bad[:5]}"


def test_data_stays_under_60_mb():
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total <= 60 * 2**20, f"data/ is {total / 2**20:.1f} MiB"


def test_ptbxl_files_match_physionet_checksums():
    """Every shipped file that PhysioNet's own SHA256SUMS.txt lists is byte-identical to PhysioNet's,
    except the metadata table, which is shortened to the slice."""
    official = {}
    for row in (DATA / "ptbxl" / "SHA256SUMS.txt").read_text().splitlines():
        digest, name = row.split(maxsplit=1)
        official[name] = digest
    checked = 0
    for name, digest in official.items():
        path = DATA / "ptbxl" / name
        if path.is_file() and name not in {"ptbxl_database.csv", "LICENSE.txt"}:
            assert sha256(path) == digest, f"{name} differs from PhysioNet's published checksum"
            checked += 1
    assert checked >= 200, f"only {checked} files could be checked against PhysioNet's list"


@pytest.mark.parametrize("name", DATASETS)
def test_each_dataset_has_a_data_card_with_licence_and_citation(name):
    card = (DATA / name / "DATACARD.md").read_text()
    for section in ["## Source", "## Licence", "## Citation", "## This subset", "## Represents", "## Known messiness"]:
        assert section in card, f"data/{name}/DATACARD.md lacks '{section}'"
    assert "Goldberger" in card, "every dataset must cite PhysioNet"


def test_ptbxl_ships_its_licence_text():
    assert "Creative Commons Attribution 4.0" in (DATA / "ptbxl" / "LICENSE.txt").read_text()
