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

**Every check writes its verdict as it is made.** Each attempt is merged into ``progress-NN.json`` beside the notebook
the moment the check runs (written to a temporary file, then moved over the old one, so a kernel that dies mid-write
leaves the old file whole), so a kernel restart, or the idle-kernel culling of a course server, loses nothing: the
file already holds every verdict. ``progress()`` reads it back (merged with any attempt this session could not write:
a folder not writable, or a file that is not a progress file of the lesson, which is never overwritten and which
``progress()`` names). Merging over sessions: attempts add up, ``first_try`` and ``correct_at`` are the earliest,
``solved`` stays true once true, and ``status`` is the verdict of the latest attempt. Each attempt is written once,
so no call counts a session twice. The file goes where ``progress()`` writes it: the notebook's folder (the kernel's
working directory), or the ``folder=`` last given to ``progress()`` for that lesson in the session, never under data/.
``HEARTDATA_PROGRESS_DIR``, when set, replaces the notebook's folder: the test suite sets it to a temporary folder, so
that no test or notebook run leaves a progress file in the repository.

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
#: (lesson, exercise) -> this session's attempts not yet in the progress file (the same kind of record). A check
#: writes its attempt at once and empties this; it stays only while the file cannot be written.
PENDING: dict[tuple[str, str], dict] = {}
#: lesson -> the folder= last given to progress() in this session: the checks write the lesson's file there too.
FOLDERS: dict[str, Path] = {}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lesson_of(module: str) -> str | None:
    m = re.search(r"lesson(\d\d)$", module)
    return m[1] if m else None


def _blank() -> dict:
    return {"status": "not attempted", "solved": False, "attempts": 0, "first_try": None, "last_try": None,
            "correct_at": None}  # fmt: skip


def _attempt(rec: dict, status: str, now: str) -> None:
    rec["status"], rec["last_try"], rec["attempts"] = status, now, rec["attempts"] + 1
    rec["first_try"] = rec["first_try"] or now
    if status == "correct" and rec["correct_at"] is None:
        rec["correct_at"] = now
    rec["solved"] = rec["correct_at"] is not None


def record(module: str, exercise: str, status: str) -> None:
    """Remember a check's verdict (called by every ``@exercise`` check) and write it into the lesson's progress file
    at once, so that it outlives the kernel. "not attempted" (the check got ``None``) is not an attempt: it changes
    no record and writes nothing, so it never hides an earlier verdict (it only lists the exercise, so that
    ``progress()`` knows the lesson). A file that cannot be written costs nothing but the write: the attempt waits
    in ``PENDING`` for the next check or ``progress()``, which says why."""
    lesson = lesson_of(module)
    if lesson is None:
        return
    rec = RECORDS.setdefault((lesson, exercise), _blank())
    if status == "not attempted":
        return
    now = _now()
    _attempt(rec, status, now)
    _attempt(PENDING.setdefault((lesson, exercise), _blank()), status, now)
    try:
        save(lesson)
    except Exception:  # a check never raises; progress() reports what stops the file
        pass


def exercises_of(lesson: str) -> list[str]:
    """The lesson's exercise checks, in the order its checks module defines them."""
    try:
        module = importlib.import_module(f"heartdata.checks.lesson{lesson}")
    except ImportError:
        return []
    return [name for name, f in vars(module).items() if callable(f) and getattr(f, "is_exercise", False)]


def earlier(path: Path, lesson: str) -> tuple[str, dict[str, dict]]:
    """What ``path`` holds now: (student, {exercise: record}); no file: ("", {}). Read afresh every time (every
    check writes it). A file that is not a progress file of ``lesson`` raises DataError: it is never overwritten."""
    from .errors import DataError

    key = Path(path).resolve()
    if not key.exists():
        return "", {}
    try:
        data = json.loads(key.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            what = f"its format is {data.get('format')!r}"
        elif data.get("lesson") != lesson:
            what = f"it is lesson {data.get('lesson')!r}'s"
        else:
            return data.get("student") or "", {e["exercise"]: e for e in data["exercises"]}
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        what = f"it cannot be read ({type(err).__name__})"
    raise DataError(key, f"is not a progress file of lesson {lesson}: {what}; progress() never "
                    "overwrites a file whose record it cannot keep",
                    "rename or move it, then run heartdata.progress() again.")  # fmt: skip


def merge(before: dict | None, now: dict) -> dict:
    """One exercise's record over sessions: ``before`` (from the file) and ``now`` (attempts not in it yet)."""
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
    """The lesson's exercises: what ``path`` holds merged with the attempts not written to it yet; no ``path``:
    this session's records alone."""
    if path is None:
        before, now = {}, RECORDS
    else:
        before, now = earlier(path, lesson)[1], PENDING
    names = exercises_of(lesson) or sorted({e for (le, e) in now if le == lesson} | set(before))
    return [{"exercise": name, **merge(before.get(name), now.get((lesson, name), _blank()))} for name in names]


def _current_lesson() -> str | None:
    lessons = sorted({le for le, _ in RECORDS})
    if len(lessons) == 1:
        return lessons[0]
    cwd_notebooks = sorted(Path.cwd().glob("[0-9][0-9]-*.ipynb"))
    return cwd_notebooks[0].name[:2] if len(cwd_notebooks) == 1 else (lessons[-1] if lessons else None)


def _folder(lesson: str, folder: str | Path | None = None) -> Path:
    """Where the lesson's file goes: ``folder``, else the one progress() was last given, else HEARTDATA_PROGRESS_DIR,
    else the notebook's folder (the kernel's working directory)."""
    if folder is not None:
        return Path(folder)
    if lesson in FOLDERS:
        return FOLDERS[lesson]
    return Path(os.environ.get("HEARTDATA_PROGRESS_DIR") or Path.cwd())


def _path(lesson: str, folder: str | Path | None) -> Path:
    return _folder(lesson, folder) / f"progress-{lesson}.json"


def hand_in(lesson: str, student: str = "", path: Path | None = None) -> dict:
    """The hand-in record: what ``path`` holds merged with the attempts not in it yet (its student name kept when
    none is given)."""
    from . import __version__

    if path is not None:  # a name, once given, is kept in the file by later calls and sessions without one
        student = student or earlier(path, lesson)[0]
    return {"format": FORMAT, "lesson": lesson, "student": student, "written": _now(),
            "package_version": __version__, "exercises": rows(lesson, path)}  # fmt: skip


def save(lesson: str, student: str = "", folder: str | Path | None = None) -> Path:
    """Write progress-NN.json in ``folder`` (default: see ``_folder``), merging the attempts not in it yet; they are
    then forgotten, so none is ever counted twice. Atomic: a temporary file moved over the old one."""
    from .errors import DataError
    from .paths import is_shipped

    path = _path(lesson, folder)
    if is_shipped(path):
        raise DataError(path, "is under data/, and the course never writes there", "pass folder= another folder.")
    written = [key for key in PENDING if key[0] == lesson]
    record = hand_in(lesson, student, path)  # the file's record merged with the pending attempts
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    for key in written:
        PENDING.pop(key, None)
    return path


class Progress:
    """What ``heartdata.progress()`` returns: shows as a table in a notebook, and says where the file is."""

    def __init__(self, lesson: str, path: Path | None, earlier_file: Path | None = None):
        self.lesson, self.path = lesson, path
        self.rows = rows(lesson, earlier_file)
        session = sum(r["attempts"] for (le, _), r in RECORDS.items() if le == lesson)
        # the file holds attempts this session did not make: earlier sessions' (a restart, another kernel)
        self.earlier_file = earlier_file if sum(r["attempts"] for r in self.rows) > session else None

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
    attempt and whether it was solved once, as progress-NN.json holds them (every check writes its verdict there as
    it runs, so earlier sessions are in it), and that hand-in file written again beside the notebook with the
    student's name (``save_file=False`` to skip writing it)."""
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
    if path is not None and folder is not None:
        FOLDERS[lesson] = Path(folder)  # the checks that follow write there too, so that one file holds them all
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
