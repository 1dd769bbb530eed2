"""Shared fixtures: paths of the repository and a writable copy of the shipped data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may damage (shipped data is never touched)."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


@pytest.fixture(autouse=True)
def _no_env_root(monkeypatch):
    """Tests read the shipped data unless they set HEARTDATA_DIR themselves."""
    monkeypatch.delenv("HEARTDATA_DIR", raising=False)


def pytest_sessionstart(session):
    import time

    session.config._started_at = time.time()


def pytest_terminal_summary(terminalreporter):
    """The course walk's memory figures (tests/test_walk.py), where this run measured them."""
    import json

    started = getattr(terminalreporter.config, "_started_at", 0)
    for path in sorted((REPO / "build").glob("walk-*.json")):
        if path.stat().st_mtime < started:
            continue  # a figure from an earlier run is not this run's
        r = json.loads(path.read_text())
        terminalreporter.write_line(
            f"course walk ({r['mode']}): {r['notebooks']} notebooks, peak {r['peak_mib']} MiB "
            f"(server + kernels), at most {r['peak_kernels']} kernels alive"
        )
