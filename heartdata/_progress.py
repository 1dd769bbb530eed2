"""Where a student stands: every check's last status in this session, a table, and a file to hand in.

Every exercise check (``heartdata.feedback.exercise``) records its verdict here as it runs. In a practice notebook,

    heartdata.progress()                 # a table of the lesson's exercises, and progress-NN.json beside the notebook
    heartdata.progress(student="Ada")    # the same, with a name in the file

**The hand-in file** ``progress-NN.json`` (one per lesson, written in the notebook's folder, never under data/) is
JSON an instructor can collect and add up::

    {"format": "heartdata-progress/1", "lesson": "04", "student": "Ada", "written": "2026-12-05T09:30:00Z",
     "package_version": "0.1.0",
     "exercises": [{"exercise": "rare_parameters", "status": "correct", "attempts": 3,
                    "first_try": "...Z", "last_try": "...Z", "correct_at": "...Z"}, ...]}

``status`` is the verdict of the last *attempt* ("incorrect", "close", "correct"), and ``solved`` says whether any
attempt was correct (``correct_at``, the first such time, is kept): the table and the file show both, so a student who
solved an exercise and then tried a variant hands in "solved, last incorrect", and the instructor sees both. Running
a check with ``None`` (the stub, or a reset cell) is not an attempt: it changes nothing once the exercise has been
tried, so a solved exercise never turns back into "not attempted"; an exercise the student never tried is listed as
"not attempted" with 0 attempts and no times. Times are UTC. ``python -m heartdata progress FILES...`` adds up a
class's files: per exercise, how many students are correct at their last attempt, stopped at a named mistake, not yet
right, or never tried, how many solved it at least once, and the median number of attempts; ``--csv`` writes one row
per student and exercise. (Files written before ``solved`` existed are read with ``solved`` taken from
``correct_at``.)
"""

from __future__ import annotations

import importlib
import json
import os
import re
import statistics
from datetime import UTC, datetime
from pathlib import Path

FORMAT = "heartdata-progress/1"
STATUSES = ("correct", "close", "incorrect", "not attempted")

#: (lesson, exercise) -> {"status", "solved", "attempts", "first_try", "last_try", "correct_at"} for this session.
RECORDS: dict[tuple[str, str], dict] = {}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lesson_of(module: str) -> str | None:
    m = re.search(r"lesson(\d\d)$", module)
    return m[1] if m else None


def _blank() -> dict:
    return {"status": "not attempted", "solved": False, "attempts": 0, "first_try": None, "last_try": None,
            "correct_at": None}  # fmt: skip


def record(module: str, exercise: str, status: str) -> None:
    """Remember a check's verdict (called by every ``@exercise`` check). "not attempted" (the check got ``None``) is
    not an attempt: it changes no record, so it never hides an earlier verdict (it only lists the exercise, so that
    ``progress()`` knows the lesson)."""
    lesson = lesson_of(module)
    if lesson is None:
        return
    rec = RECORDS.setdefault((lesson, exercise), _blank())
    if status == "not attempted":
        return
    now = _now()
    rec["status"], rec["last_try"], rec["attempts"] = status, now, rec["attempts"] + 1
    rec["first_try"] = rec["first_try"] or now
    if status == "correct" and rec["correct_at"] is None:
        rec["correct_at"] = now
    rec["solved"] = rec["correct_at"] is not None


def exercises_of(lesson: str) -> list[str]:
    """The lesson's exercise checks, in the order its checks module defines them."""
    try:
        module = importlib.import_module(f"heartdata.checks.lesson{lesson}")
    except ImportError:
        return []
    return [name for name, f in vars(module).items() if callable(f) and getattr(f, "is_exercise", False)]


def rows(lesson: str) -> list[dict]:
    out = []
    for name in exercises_of(lesson) or sorted(e for (le, e) in RECORDS if le == lesson):
        out.append({"exercise": name, **RECORDS.get((lesson, name), _blank())})
    return out


def _current_lesson() -> str | None:
    lessons = sorted({le for le, _ in RECORDS})
    if len(lessons) == 1:
        return lessons[0]
    cwd_notebooks = sorted(Path.cwd().glob("[0-9][0-9]-*.ipynb"))
    return cwd_notebooks[0].name[:2] if len(cwd_notebooks) == 1 else (lessons[-1] if lessons else None)


def hand_in(lesson: str, student: str = "") -> dict:
    from . import __version__

    return {"format": FORMAT, "lesson": lesson, "student": student, "written": _now(),
            "package_version": __version__, "exercises": rows(lesson)}  # fmt: skip


def save(lesson: str, student: str = "", folder: str | Path | None = None) -> Path:
    """Write progress-NN.json in ``folder`` (default: the notebook's folder, the kernel's working directory)."""
    from .errors import DataError
    from .paths import is_shipped

    folder = Path(folder) if folder is not None else Path.cwd()
    path = folder / f"progress-{lesson}.json"
    if is_shipped(path):
        raise DataError(path, "is under data/, and the course never writes there", "pass folder= another folder.")
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(hand_in(lesson, student), indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


class Progress:
    """What ``heartdata.progress()`` returns: shows as a table in a notebook, and says where the file is."""

    def __init__(self, lesson: str, path: Path | None):
        self.lesson, self.path, self.rows = lesson, path, rows(lesson)

    def table(self):
        import pandas as pd

        t = pd.DataFrame(self.rows, columns=["exercise", "status", "solved", "attempts", "last_try"])
        t["solved"] = t["solved"].map({True: "yes", False: ""})
        return t.rename(columns={"status": "last verdict", "solved": "solved once",
                                 "last_try": "last checked (UTC)"}).fillna("")  # fmt: skip

    def _summary(self) -> str:
        done = sum(r["status"] == "correct" for r in self.rows)
        solved = sum(r["solved"] for r in self.rows)
        where = (
            f" Saved to `{self.path.name}` in this notebook's folder: download it to hand it in." if self.path else ""
        )
        since = f" ({solved} solved at least once)" if solved != done else ""
        return f"Lesson {self.lesson}: {done} of {len(self.rows)} exercises correct at the last attempt{since}.{where}"

    def _repr_markdown_(self) -> str:
        head = "| exercise | last verdict | solved once | attempts | last checked (UTC) |\n|---|---|---|---|---|\n"
        body = "".join(f"| `{r['exercise']}` | {r['status']} | {'yes' if r['solved'] else ''} | {r['attempts']} | "
                       f"{r['last_try'] or ''} |\n" for r in self.rows)  # fmt: skip
        return f"{self._summary()}\n\n{head}{body}"

    def __repr__(self) -> str:
        return f"{self._summary()}\n{self.table().to_string(index=False)}"


def progress(lesson: str | int | None = None, student: str = "", save_file: bool = True, folder=None) -> Progress:
    """Every exercise of ``lesson`` (default: the lesson checked in this session) with the verdict of its last
    attempt and whether it was solved once, and the
    hand-in file progress-NN.json written beside the notebook (``save_file=False`` to skip it)."""
    from .errors import DataError

    lesson = f"{int(lesson):02d}" if lesson is not None else _current_lesson()
    if lesson is None:
        raise DataError("heartdata.progress()", "no exercise has been checked in this session yet",
                        "pass the lesson, e.g. heartdata.progress(4).")  # fmt: skip
    path = save(lesson, student, folder) if save_file else None
    return Progress(lesson, path)


# --- an instructor adds up the files ----------------------------------------------------------------------------


def read(paths) -> list[dict]:
    out = []
    for p in paths:
        data = json.loads(Path(p).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"{p}: not a heartdata progress file (format {data.get('format')!r})")
        for ex in data["exercises"]:
            out.append({"file": str(p), "student": data.get("student") or Path(p).stem, "lesson": data["lesson"],
                        "package_version": data.get("package_version", ""),
                        "solved": bool(ex.get("solved", ex.get("correct_at"))), **ex})  # fmt: skip
    return out


def summary(entries: list[dict]) -> list[dict]:
    """Per lesson and exercise: students per last verdict, students who solved it at least once, and the median
    attempts of those who tried."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for e in entries:
        groups.setdefault((e["lesson"], e["exercise"]), []).append(e)
    out = []
    for (lesson, exercise), es in sorted(groups.items()):
        tried = [e["attempts"] for e in es if e["attempts"]]
        out.append({"lesson": lesson, "exercise": exercise, "students": len(es),
                    **{s: sum(e["status"] == s for e in es) for s in STATUSES},
                    "solved once": sum(bool(e["solved"]) for e in es),
                    "median attempts": statistics.median(tried) if tried else 0})  # fmt: skip
    return out
