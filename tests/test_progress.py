"""The progress view: every check records its last verdict; heartdata.progress() shows the lesson's exercises and
writes the hand-in file beside the notebook (never under data/); python -m heartdata progress adds up a class."""

from __future__ import annotations

import json

import pytest
from conftest import DATA

import heartdata
from heartdata import _progress, feedback
from heartdata.__main__ import main
from heartdata.checks import lesson00


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(_progress, "RECORDS", {})


def test_checks_record_their_last_verdict_and_progress_lists_every_exercise(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lesson00.n_patients(None)
    lesson00.n_patients(7)
    assert lesson00.n_patients(int(heartdata.ptbxl.load_metadata()["patient_id"].nunique())).correct
    lesson00.n_beats(3)
    view = heartdata.progress()
    assert view.lesson == "00" and view.path == tmp_path / "progress-00.json"
    rows = {r["exercise"]: r for r in view.rows}
    assert list(rows) == _progress.exercises_of("00") and len(rows) == 5
    assert rows["n_patients"]["status"] == feedback.CORRECT and rows["n_patients"]["attempts"] == 2
    assert rows["n_patients"]["correct_at"] is not None
    assert rows["n_beats"]["status"] == feedback.INCORRECT and rows["death_rate"]["status"] == "not attempted"
    assert "1 of 5 exercises correct" in view._repr_markdown_() and "| `n_beats` | incorrect | 1 |" in (
        view._repr_markdown_()
    )
    data = json.loads((tmp_path / "progress-00.json").read_text())
    assert data["format"] == _progress.FORMAT and data["lesson"] == "00"
    assert data["package_version"] == heartdata.__version__ and data["written"].endswith("Z")
    assert [e["exercise"] for e in data["exercises"]] == list(rows)


def test_no_hand_in_under_data_and_no_lesson_means_a_clear_error(tmp_path):
    with pytest.raises(heartdata.DataError, match="no exercise has been checked"):
        heartdata.progress(save_file=False)
    with pytest.raises(heartdata.DataError, match="never writes there"):
        heartdata.progress(0, folder=DATA)
    assert not list(DATA.glob("progress-*.json"))
    assert heartdata.progress(0, save_file=False).path is None


def test_an_instructor_adds_up_the_files(tmp_path, capsys):
    files = []
    for student, answer in [("ada", 7), ("bob", None), ("cy", 7)]:
        _progress.RECORDS.clear()
        lesson00.n_patients(answer)
        files.append(heartdata.progress(0, student=student, folder=tmp_path).path)
        files[-1] = files[-1].rename(tmp_path / f"{student}-progress-00.json")
    assert main(["progress", *map(str, files), "--csv", str(tmp_path / "class.csv")]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "n_patients" in ln).split()
    assert line[:3] == ["00", "n_patients", "3"] and line[3:7] == ["0", "0", "2", "1"]  # correct close incorrect never
    assert (tmp_path / "class.csv").read_text().count("\n") == 1 + 3 * 5
    (tmp_path / "bad.json").write_text("{}")
    assert main(["progress", str(tmp_path / "bad.json")]) == 2
