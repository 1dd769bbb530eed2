"""The progress view: every check records its last verdict; heartdata.progress() shows the lesson's exercises and
writes the hand-in file beside the notebook (never under data/); python -m heartdata progress adds up a class."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import DATA

import heartdata
from heartdata import _progress, feedback
from heartdata.__main__ import main
from heartdata.checks import lesson00

_TEST_RUN_PROGRESS_DIR = os.environ.get("HEARTDATA_PROGRESS_DIR")  # read before any fixture removes it


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    # the notebook's folder is the working directory here (conftest sends every other test's files to a temporary
    # folder through HEARTDATA_PROGRESS_DIR)
    monkeypatch.delenv("HEARTDATA_PROGRESS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    _new_session(monkeypatch)


def _new_session(monkeypatch):
    """What a kernel restart leaves: no record of the checks run before it (the file beside the notebook stays)."""
    for name in ("RECORDS", "PENDING", "FOLDERS"):
        monkeypatch.setattr(_progress, name, {})


def test_checks_record_their_last_verdict_and_progress_lists_every_exercise(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lesson00.n_patients(None)
    lesson00.n_patients(7)
    meta = heartdata.ptbxl.load_metadata()
    assert lesson00.n_patients(int(meta.loc[meta["site"].eq(lesson00.EXERCISE_SITE), "patient_id"].nunique())).correct
    lesson00.n_beats(3)
    view = heartdata.progress()
    assert view.lesson == "00" and view.path == tmp_path / "progress-00.json"
    rows = {r["exercise"]: r for r in view.rows}
    assert list(rows) == _progress.exercises_of("00") and len(rows) == 5
    assert rows["n_patients"]["status"] == feedback.CORRECT and rows["n_patients"]["attempts"] == 2
    assert rows["n_patients"]["correct_at"] is not None
    assert rows["n_beats"]["status"] == feedback.INCORRECT and rows["death_rate"]["status"] == "not attempted"
    md = view._repr_markdown_()
    assert "1 of 5 exercises correct at the last attempt." in md and "| `n_beats` | incorrect |  | 1 |" in md
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


def test_none_after_attempts_changes_nothing_and_solved_once_is_kept(tmp_path, monkeypatch):
    # r12-s68: a solved exercise re-run with None (a reset cell) must not be handed in as "not attempted"
    monkeypatch.chdir(tmp_path)
    meta = heartdata.ptbxl.load_metadata()
    right = int(meta.loc[meta["site"].eq(lesson00.EXERCISE_SITE), "patient_id"].nunique())
    lesson00.n_beats(None)  # the stub alone: no attempt, no times
    assert lesson00.n_patients(right).correct
    solved = dict(_progress.RECORDS[("00", "n_patients")])
    assert lesson00.n_patients(None).status == feedback.NOT_ATTEMPTED
    assert _progress.RECORDS[("00", "n_patients")] == solved  # nothing changed, not even the time
    rows = {r["exercise"]: r for r in heartdata.progress(0).rows}
    assert rows["n_patients"]["status"] == feedback.CORRECT and rows["n_patients"]["solved"] is True
    assert rows["n_beats"] == {"exercise": "n_beats", "status": "not attempted", "solved": False, "attempts": 0,
                               "first_try": None, "last_try": None, "correct_at": None}  # fmt: skip
    # a wrong variant after the right answer: the last verdict is shown, and that it was solved once
    lesson00.n_patients(right + 1)
    view = heartdata.progress(0)
    row = next(r for r in view.rows if r["exercise"] == "n_patients")
    assert row["status"] == feedback.INCORRECT and row["solved"] and row["correct_at"] == solved["correct_at"]
    assert row["attempts"] == 2
    md = view._repr_markdown_()
    assert "0 of 5 exercises correct at the last attempt (1 solved at least once)" in md
    assert "| `n_patients` | incorrect | yes | 2 |" in md and "| `n_beats` | not attempted |  | 0 |" in md
    assert list(view.table().columns) == ["exercise", "last verdict", "solved once", "attempts", "last checked (UTC)"]
    data = json.loads(view.path.read_text())
    saved = next(e for e in data["exercises"] if e["exercise"] == "n_patients")
    assert saved["status"] == "incorrect" and saved["solved"] is True and saved["correct_at"] == solved["correct_at"]


def test_the_class_summary_counts_solved_once_and_reads_older_files(tmp_path):
    old = {"format": _progress.FORMAT, "lesson": "00", "student": "old",
           "exercises": [{"exercise": "n_patients", "status": "incorrect", "attempts": 3, "first_try": "x",
                          "last_try": "y", "correct_at": "z"}]}  # fmt: skip
    (tmp_path / "old.json").write_text(json.dumps(old))
    new = {**old, "student": "new", "exercises": [{**old["exercises"][0], "status": "correct", "solved": True}]}
    (tmp_path / "new.json").write_text(json.dumps(new))
    never = {**old, "student": "never", "exercises": [{**old["exercises"][0], "status": "not attempted",
                                                        "attempts": 0, "correct_at": None}]}  # fmt: skip
    (tmp_path / "never.json").write_text(json.dumps(never))
    (row,) = _progress.summary(_progress.read([tmp_path / f"{n}.json" for n in ("old", "new", "never")]))
    assert (row["correct"], row["incorrect"], row["not attempted"], row["solved once"]) == (1, 1, 1, 2)


def test_a_notebook_run_with_every_stub_still_knows_its_lesson(tmp_path, monkeypatch):
    # heartdata.progress() with no lesson (as a student may type it): a run of stubs only must still find it
    monkeypatch.chdir(tmp_path)
    lesson00.n_patients(None)
    view = heartdata.progress()
    assert view.lesson == "00" and all(r["status"] == "not attempted" and r["attempts"] == 0 for r in view.rows)


def test_a_new_session_adds_to_the_hand_in_file_and_never_erases_it(tmp_path, monkeypatch):
    # r13-s911 W1: after a kernel restart, solving one exercise and calling progress() rewrote progress-NN.json with
    # every earlier solved exercise "not attempted", 0 attempts
    monkeypatch.chdir(tmp_path)
    meta = heartdata.ptbxl.load_metadata()
    right = int(meta.loc[meta["site"].eq(lesson00.EXERCISE_SITE), "patient_id"].nunique())
    lesson00.n_patients(right + 1)
    assert lesson00.n_patients(right).correct
    lesson00.n_beats(3)
    # each check has written its verdict already (r15-s911 P-1), before any progress() call
    saved = {e["exercise"]: e for e in json.loads((tmp_path / "progress-00.json").read_text())["exercises"]}
    assert saved["n_patients"]["attempts"] == 2 and saved["n_patients"]["solved"] and saved["n_beats"]["attempts"] == 1
    first = {r["exercise"]: r for r in heartdata.progress(student="Ada").rows}
    heartdata.progress()  # a second call in the same session counts nothing twice
    saved = {e["exercise"]: e for e in json.loads((tmp_path / "progress-00.json").read_text())["exercises"]}
    assert saved["n_patients"]["attempts"] == 2 and saved["n_beats"]["attempts"] == 1

    _new_session(monkeypatch)
    lesson00.n_beats(4)
    lesson00.n_patients(None)  # the stub re-run after the restart: not an attempt
    view = heartdata.progress()
    assert "Earlier sessions' checks, from `progress-00.json`, are counted" in view._repr_markdown_()
    data = json.loads(view.path.read_text())
    assert data["student"] == "Ada"
    saved = {e["exercise"]: e for e in data["exercises"]}
    assert saved["n_patients"] == {"exercise": "n_patients", **{k: v for k, v in first["n_patients"].items()
                                                                  if k != "exercise"}}  # fmt: skip
    assert saved["n_patients"]["status"] == feedback.CORRECT and saved["n_patients"]["solved"] is True
    beats = saved["n_beats"]
    assert beats["attempts"] == 2 and beats["first_try"] == first["n_beats"]["first_try"]
    assert beats["status"] == feedback.INCORRECT and beats["solved"] is False and beats["correct_at"] is None
    assert "1 of 5 exercises correct at the last attempt." in view._repr_markdown_()

    _new_session(monkeypatch)
    lesson00.n_patients(right + 2)  # a third session: a wrong variant keeps "solved once" and its time
    saved = {e["exercise"]: e for e in json.loads(heartdata.progress(0).path.read_text())["exercises"]}
    assert saved["n_patients"]["status"] == feedback.INCORRECT and saved["n_patients"]["attempts"] == 3
    assert saved["n_patients"]["solved"] is True
    assert saved["n_patients"]["correct_at"] == first["n_patients"]["correct_at"]
    assert saved["n_beats"]["attempts"] == 2


def test_progress_never_overwrites_a_file_it_cannot_keep(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "progress-00.json").write_text("{not json")
    assert lesson00.n_beats(3).status == feedback.INCORRECT  # the check still answers, and does not write
    assert (tmp_path / "progress-00.json").read_text() == "{not json"
    with pytest.raises(heartdata.DataError, match="never overwrites"):
        heartdata.progress()
    assert (tmp_path / "progress-00.json").read_text() == "{not json"
    # the attempt the check could not write waits for the file to be moved away, then is written once
    (tmp_path / "progress-00.json").rename(tmp_path / "moved.json")
    lesson00.n_beats(4)
    saved = {e["exercise"]: e for e in json.loads((tmp_path / "progress-00.json").read_text())["exercises"]}
    assert saved["n_beats"]["attempts"] == 2 and saved["n_beats"]["status"] == feedback.INCORRECT
    heartdata.progress(0)
    assert next(r for r in heartdata.progress(0).rows if r["exercise"] == "n_beats")["attempts"] == 2


def _python(code: str, cwd, timeout=600) -> str:
    """Run ``code`` in a new Python process (a kernel of its own) in ``cwd``, on the shipped data."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("HEARTDATA_PROGRESS_DIR", "HEARTDATA_DIR")}
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_verdict_outlives_the_kernel_that_made_it(tmp_path):
    # r15-s911 P-1: a verdict reached progress-NN.json only when heartdata.progress() ran in the same kernel, so a
    # restart (or an idle kernel culled) before the progress cell listed a solved exercise as "not attempted, 0
    # attempts". Process A solves and ends without progress(); process B, a new kernel, lists it as solved.
    _python("import heartdata\nfrom heartdata.checks import lesson00 as check\n"
            "meta = heartdata.ptbxl.load_metadata()\n"
            "right = int(meta.loc[meta['site'].eq(check.EXERCISE_SITE), 'patient_id'].nunique())\n"
            "check.n_beats(3)\ncheck.n_patients(right + 1)\nassert check.n_patients(right).correct\n"
            "check.n_patients(None)\n", tmp_path)  # fmt: skip
    assert (tmp_path / "progress-00.json").exists()
    out = _python("import heartdata\nprint(heartdata.progress(0)._repr_markdown_())", tmp_path)
    assert "| `n_patients` | correct | yes | 2 |" in out and "| `n_beats` | incorrect |  | 1 |" in out
    assert "| `death_rate` | not attempted |  | 0 |" in out
    assert "Earlier sessions' checks, from `progress-00.json`, are counted" in out
    # and the student's name, given in a third kernel, is kept by a fourth that only checks
    _python("import heartdata\nheartdata.progress(0, student='Ada')", tmp_path)
    _python("from heartdata.checks import lesson00 as check\ncheck.n_beats(4)", tmp_path)
    data = json.loads((tmp_path / "progress-00.json").read_text())
    saved = {e["exercise"]: e for e in data["exercises"]}
    assert data["student"] == "Ada" and saved["n_beats"]["attempts"] == 2 and saved["n_patients"]["solved"] is True
    assert not [p.name for p in tmp_path.iterdir() if p.name != "progress-00.json"], "no temporary file is left"


def test_a_test_run_leaves_no_progress_file_in_the_repository(monkeypatch):
    # every check writes a progress file: the repository's conftest.py sends a test run's (nbval's kernels included)
    # to a temporary folder
    from conftest import REPO

    assert _TEST_RUN_PROGRESS_DIR, "conftest.py at the repository's root sets HEARTDATA_PROGRESS_DIR"
    PROGRESS_DIR = Path(_TEST_RUN_PROGRESS_DIR)
    assert PROGRESS_DIR.is_dir() and REPO not in PROGRESS_DIR.resolve().parents
    monkeypatch.setenv("HEARTDATA_PROGRESS_DIR", str(PROGRESS_DIR))
    monkeypatch.chdir(REPO)
    before = (PROGRESS_DIR / "progress-00.json").exists() and (PROGRESS_DIR / "progress-00.json").stat().st_mtime_ns
    lesson00.n_beats(3)
    assert (PROGRESS_DIR / "progress-00.json").stat().st_mtime_ns != before
    assert not (REPO / "progress-00.json").exists()


def test_every_practice_notebook_has_its_progress_cell():
    # r13-s911 M1: docs/instructor-plan.md says the last cell of every practice notebook is heartdata.progress(); 09
    # had none
    import nbformat
    from conftest import REPO

    for path in sorted((REPO / "solutions").glob("[0-9][0-9]-*-solutions.ipynb")):
        code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert any("heartdata.progress(" in c for c in code), path.name
        # r13-s68 06-P1: with no lesson, a fresh kernel (after a restart) cannot tell which lesson's file to read, so
        # the cell names its lesson, the one in the notebook's file name
        assert any(f"heartdata.progress({int(path.name[:2])})" in c for c in code), path.name


def test_no_lesson_after_a_restart_says_to_pass_the_lesson_number(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "progress-06.json").write_text("{}")
    with pytest.raises(heartdata.DataError, match=r"pass the lesson number.*progress-06\.json"):
        heartdata.progress()
