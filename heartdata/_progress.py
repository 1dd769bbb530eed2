"""Where a student stands: every check's last status, a table, and a file to hand in.

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
solved an exercise and then tried a variant hands in "solved, last incorrect", and the instructor sees both. Running a
check with ``None`` (the stub, or a reset cell) is not an attempt: it changes nothing once the exercise has been tried,
so a solved exercise never turns back into "not attempted"; an exercise the student never tried is listed as "not
attempted" with 0 attempts and no times. Times are UTC.

**Sessions add up.** A kernel remembers only its own session's checks (a restart, or the idle-kernel culling of a
course server, starts a new one), so ``progress()`` merges the session with what ``progress-NN.json`` already holds
from earlier sessions and never erases it: attempts add up, ``first_try`` and ``correct_at`` are the earliest,
``solved`` stays true once true, and ``status`` is the verdict of the latest attempt (this session's when it made one,
else the file's). The file is read once per session (the first time ``progress()`` looks at it), so calling
``progress()`` again in the same session does not count the session twice. A file that is not a progress file of the
lesson is never overwritten: ``progress()`` says so.

``python -m heartdata progress FILES...`` adds up a class's files: per exercise, how many students are correct at their
last attempt, stopped at a named mistake, not yet right, or never tried, how many solved it at least once, and the
median number of attempts; ``--csv`` writes one row per student and exercise. (Files written before ``solved`` existed
are read with ``solved`` taken from ``correct_at``.)
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
#: progress file (resolved path) -> {exercise: record} as earlier sessions left it, read once per session.
EARLIER: dict[Path, dict[str, dict]] = {}


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


def earlier(path: Path, lesson: str) -> tuple[str, dict[str, dict]]:
    """What ``path`` held before this session wrote it: (student, {exercise: record}), read the first time this
    session asks (later calls return the same, so a session is never counted twice). No file: ("", {})."""
    from .errors import DataError

    key = Path(path).resolve()
    if key not in EARLIER:
        student, found = "", {}
        if key.exists():
            try:
                data = json.loads(key.read_text(encoding="utf-8"))
                if data.get("format") != FORMAT:
                    what = f"its format is {data.get('format')!r}"
                elif data.get("lesson") != lesson:
                    what = f"it is lesson {data.get('lesson')!r}'s"
                else:
                    what, student = None, data.get("student") or ""
                    found = {e["exercise"]: e for e in data["exercises"]}
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                what = f"it cannot be read ({type(err).__name__})"
            if what is not None:
                raise DataError(key, f"is not a progress file of lesson {lesson}: {what}; progress() never "
                                "overwrites a file whose record it cannot keep",
                                "rename or move it, then run heartdata.progress() again.")  # fmt: skip
        EARLIER[key] = (student, found)
    return EARLIER[key]


def merge(before: dict | None, now: dict) -> dict:
    """One exercise's record over sessions: ``before`` (from the file, earlier sessions) and ``now`` (this session)."""
    if not before:
        return dict(now)
    before = {**_blank(), **{k: before.get(k) for k in _blank() if k in before}}
    before["attempts"] = int(before["attempts"] or 0)
    before["solved"] = bool(before["solved"] or before["correct_at"])
    if not now["attempts"]:
        return before
    times = [t for t in (before["first_try"], now["first_try"]) if t]
    corrects = [t for t in (before["correct_at"], now["correct_at"]) if t]
    return {"status": now["status"], "solved": before["solved"] or now["solved"],
            "attempts": before["attempts"] + now["attempts"], "first_try": min(times) if times else None,
            "last_try": now["last_try"], "correct_at": min(corrects) if corrects else None}  # fmt: skip


def rows(lesson: str, path: Path | None = None) -> list[dict]:
    """The lesson's exercises: this session's records, merged with the earlier sessions in ``path`` when given."""
    before = earlier(path, lesson)[1] if path is not None else {}
    names = exercises_of(lesson) or sorted({e for (le, e) in RECORDS if le == lesson} | set(before))
    out = []
    for name in names:
        out.append({"exercise": name, **merge(before.get(name), RECORDS.get((lesson, name), _blank()))})
    return out


def _current_lesson() -> str | None:
    lessons = sorted({le for le, _ in RECORDS})
    if len(lessons) == 1:
        return lessons[0]
    cwd_notebooks = sorted(Path.cwd().glob("[0-9][0-9]-*.ipynb"))
    return cwd_notebooks[0].name[:2] if len(cwd_notebooks) == 1 else (lessons[-1] if lessons else None)


def _path(lesson: str, folder: str | Path | None) -> Path:
    return (Path(folder) if folder is not None else Path.cwd()) / f"progress-{lesson}.json"


def hand_in(lesson: str, student: str = "", path: Path | None = None) -> dict:
    """The hand-in record: this session merged with the earlier sessions ``path`` holds (its student name kept
    when none is given)."""
    from . import __version__

    if path is not None:  # a name, once given, is kept in the file by later calls and sessions without one
        name, found = earlier(path, lesson)
        student = student or name
        EARLIER[Path(path).resolve()] = (student, found)
    return {"format": FORMAT, "lesson": lesson, "student": student, "written": _now(),
            "package_version": __version__, "exercises": rows(lesson, path)}  # fmt: skip


def save(lesson: str, student: str = "", folder: str | Path | None = None) -> Path:
    """Write progress-NN.json in ``folder`` (default: the notebook's folder, the kernel's working directory)."""
    from .errors import DataError
    from .paths import is_shipped

    path = _path(lesson, folder)
    if is_shipped(path):
        raise DataError(path, "is under data/, and the course never writes there", "pass folder= another folder.")
    record = hand_in(lesson, student, path)  # earlier sessions merged in (read before anything is written)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


class Progress:
    """What ``heartdata.progress()`` returns: shows as a table in a notebook, and says where the file is."""

    def __init__(self, lesson: str, path: Path | None, earlier_file: Path | None = None):
        self.lesson, self.path = lesson, path
        self.earlier_file = earlier_file if earlier_file is not None and earlier(earlier_file, lesson)[1] else None
        self.rows = rows(lesson, earlier_file)

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
        sessions = (f" Earlier sessions' checks, from `{self.earlier_file.name}`, are counted with this session's."
                    if self.earlier_file else "")  # fmt: skip
        return (f"Lesson {self.lesson}: {done} of {len(self.rows)} exercises correct at the last attempt{since}."
                f"{sessions}{where}")

    def _repr_markdown_(self) -> str:
        head = "| exercise | last verdict | solved once | attempts | last checked (UTC) |\n|---|---|---|---|---|\n"
        body = "".join(f"| `{r['exercise']}` | {r['status']} | {'yes' if r['solved'] else ''} | {r['attempts']} | "
                       f"{r['last_try'] or ''} |\n" for r in self.rows)  # fmt: skip
        return f"{self._summary()}\n\n{head}{body}"

    def __repr__(self) -> str:
        return f"{self._summary()}\n{self.table().to_string(index=False)}"


def progress(lesson: str | int | None = None, student: str = "", save_file: bool = True, folder=None) -> Progress:
    """Every exercise of ``lesson`` (default: the lesson checked in this session) with the verdict of its last
    attempt and whether it was solved once, over this session and the earlier ones progress-NN.json holds, and the
    hand-in file progress-NN.json written beside the notebook (``save_file=False`` to skip writing it)."""
    from .errors import DataError
    from .paths import is_shipped

    lesson = f"{int(lesson):02d}" if lesson is not None else _current_lesson()
    if lesson is None:
        files = sorted(f.name for f in _path("00", folder).parent.glob("progress-[0-9][0-9].json"))
        seen = f" ({', '.join(files)} beside the notebook is read once the lesson is named)" if files else ""
        raise DataError("heartdata.progress()", "no exercise has been checked in this session yet, so it cannot tell "
                        "which lesson you mean",
                        f"pass the lesson number, e.g. heartdata.progress(6) for lesson 06{seen}.")  # fmt: skip
    path = save(lesson, student, folder) if save_file else None
    existing = _path(lesson, folder)
    if not save_file and is_shipped(existing):
        existing = None
    return Progress(lesson, path, existing)


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
