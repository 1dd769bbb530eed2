"""Write the generated parts of the instructor guide (docs/instructor-guide.md), so that they never drift.

The guide's prose is written by hand. Between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED -->``
this tool writes:

- ``timings``: the learning path, from the README's syllabus table (its Time column and the run time and peak
  memory that ``make readme`` measured) and each lesson's **Prerequisites**;
- ``labs``: which exercises fit a 90-minute lab, from the exercise minutes of the Time column;
- ``mistakes``: the common mistakes per exercise, read with ``ast`` from ``heartdata/checks/lessonNN.py``: for
  every function decorated with ``@exercise``, the mistakes it declares (``@exercise(mistakes={key: message})``,
  the one mechanism heartdata.feedback names them by, conditional ones included), the rate-plot mistakes
  (``PLOT_MISTAKES`` of ``heartdata/checks/_plots.py``) when it calls ``judge_rate_plot``, and, from checks not yet
  moved to declarations, the literal messages it passes to ``close(...)`` and puts in ``mistakes`` lists
  (``mistakes=[(value, message), ...]``, ``mistakes.append(...)``, ``mistakes += [...]``), so that the guide says
  what the feedback says (placeholders are shown as ``…``).

    python tools/guide.py           # rewrite the generated parts
    python tools/guide.py --check   # exit 1 if the guide is out of date
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402

GUIDE = Path("docs/instructor-guide.md")
CHECKS = Path("heartdata/checks")
LAB_MINUTES = 90
BEGIN = re.compile(r"<!-- BEGIN GENERATED: ([\w-]+) -->")
END = "<!-- END GENERATED -->"


# --- the syllabus table of the README -------------------------------------------------------------------------


@dataclass
class Lesson:
    number: str
    title: str
    path: str  # relative to the repository root
    teach: int | None
    practice: int | None
    time: str
    measured: str
    launch: str


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def syllabus(root: Path) -> list[Lesson]:
    """The rows of the README's syllabus table, as written there (by hand and by `make readme`)."""
    lines = (root / "README.md").read_text().splitlines()
    start = lines.index("## Syllabus")
    head = next(i for i in range(start, len(lines)) if lines[i].startswith("| Lesson"))
    header = _cells(lines[head])
    out = []
    for line in lines[head + 2 :]:
        if not line.startswith("|"):
            break
        row = dict(zip(header, _cells(line), strict=False))
        m = re.fullmatch(r"\[((\d\d) · [^\]]+)\]\(([^)]+)\)", row["Lesson"])
        if not m:
            continue
        t = re.search(r"(\d+)\s*\+\s*(\d+)\s*min", row.get("Time", ""))
        out.append(
            Lesson(
                number=m[2],
                title=m[1],
                path=m[3],
                teach=int(t[1]) if t else None,
                practice=int(t[2]) if t else None,
                time=row.get("Time", ""),
                measured=row.get("Run time · peak memory", "") or "not measured yet",
                launch=row.get("Binder", ""),
            )
        )
    return out


def prerequisites(root: Path, lesson: Lesson) -> str:
    path = root / lesson.path
    if not path.is_file():
        return "—"
    source = nbformat.read(path, as_version=4).cells[0].source
    m = re.search(r"^\|\s*\*\*Prerequisites\*\*\s*\|(.*)\|\s*$", source, re.M)
    return m[1].strip() if m else "—"


def _link(lesson: Lesson) -> str:
    return f"[{lesson.title}](../{lesson.path})"


def timings(root: Path, lessons: list[Lesson]) -> str:
    lines = [
        "| Lesson | Teaching + exercises | Prerequisites | Run time · peak memory | Binder |",
        "|---|---|---|---|---|",
    ]
    for lesson in lessons:
        launch = lesson.launch if lesson.launch.startswith("[") else "—"
        lines.append(
            f"| {_link(lesson)} | {lesson.time} | {prerequisites(root, lesson)} | {lesson.measured} | {launch} |"
        )
    timed = [x for x in lessons if x.teach is not None]
    teach, practice = sum(x.teach for x in timed), sum(x.practice for x in timed)
    lines += [
        "",
        f"In all: {len(timed)} lessons, {_hours(teach)} of teaching and {_hours(practice)} of exercises "
        f"({_hours(teach + practice)}).",
    ]
    peaks = [
        (int(m[2]), f"{lesson.number} {m[1]}")
        for lesson in lessons
        for m in re.finditer(r"(lesson|practice) \d+ s · (\d+) MiB", lesson.measured)
    ]
    if peaks:
        mib, which = max(peaks)
        lines.append(f"The largest kernel measured is {mib} MiB (lesson {which}).")
    return "\n".join(lines)


def _hours(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def labs(lessons: list[Lesson], exercises: dict[str, list[str]]) -> str:
    timed = [x for x in lessons if x.practice is not None]
    lines = [
        "| Lesson | Exercises | Minutes | Lesson and exercises in one 90-minute session? |",
        "|---|---|---|---|",
    ]
    for x in timed:
        total = x.teach + x.practice
        fits = f"yes ({total} min)" if total <= LAB_MINUTES else f"no ({total} min): teach first, practise in a lab"
        lines.append(f"| {_link(x)} | {len(exercises.get(x.number, []))} | {x.practice} | {fits} |")
    plan, current = [], []
    for x in timed:
        if current and sum(y.practice for y in current) + x.practice > LAB_MINUTES:
            plan.append(current)
            current = []
        current.append(x)
    if current:
        plan.append(current)
    lines += ["", f"Exercises only, in syllabus order, packed into {LAB_MINUTES}-minute labs:", ""]
    for i, group in enumerate(plan, 1):
        parts = " + ".join(f"{x.number} ({x.practice} min)" for x in group)
        lines.append(f"{i}. lessons {parts} = {sum(x.practice for x in group)} min")
    return "\n".join(lines)


# --- the mistakes the checks name -------------------------------------------------------------------------------


def render(node: ast.expr) -> str | None:
    """A message as the student reads it: literal text, f-string placeholders as '…'; None if not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = render(node.left), render(node.right)
        return None if left is None or right is None else left + right
    else:
        return None
    return re.sub(r"^close: ", "", text, flags=re.I)  # feedback.close shows the status once


def template(text: str) -> str:
    """A declared mistake's message template as the guide shows it: placeholders as '…'."""
    out = re.sub(r"(?<!\{)\{[^{}]*\}(?!\})", "…", text)
    return out.replace("{{", "{").replace("}}", "}")


def _is_exercise(fn: ast.AST) -> bool:
    return isinstance(fn, ast.FunctionDef) and any(_decorator_name(d) == "exercise" for d in fn.decorator_list)


def _decorator_name(d: ast.expr) -> str | None:
    d = d.func if isinstance(d, ast.Call) else d
    if isinstance(d, ast.Name):
        return d.id
    if isinstance(d, ast.Attribute):
        return d.attr
    return None


def _literal_dict(node: ast.expr, constants: dict[str, ast.expr]) -> dict[str, str]:
    """A dict of str -> str from its literal (or from the module-level constant it names)."""
    if isinstance(node, ast.Name) and node.id in constants:
        node = constants[node.id]
    if not isinstance(node, ast.Dict):
        return {}
    out = {}
    for k, v in zip(node.keys, node.values, strict=True):
        if isinstance(k, ast.Constant) and isinstance(k.value, str) and render(v) is not None:
            out[k.value] = render(v)
    return out


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    return {t.id: node.value for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
            if isinstance(t, ast.Name)}  # fmt: skip


def declared(fn: ast.FunctionDef, constants: dict[str, ast.expr]) -> dict[str, str]:
    """The mistakes an ``@exercise(mistakes=...)`` function declares: key -> message template."""
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and _decorator_name(d) == "exercise":
            for k in d.keywords:
                if k.arg == "mistakes":
                    return _literal_dict(k.value, constants)
    return {}


def named_keys(fn: ast.FunctionDef) -> list[str]:
    """The keys a function names with ``named("key", ...)`` or ``mistake_at("key", ...)``."""
    return [
        node.args[0].value
        for node in ast.walk(fn)
        if isinstance(node, ast.Call)
        and _decorator_name(node.func) in ("named", "mistake_at")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def _mistake_lists(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Call):
        found = [k.value for k in node.keywords if k.arg == "mistakes"]
        f = node.func  # mistakes.append((value, message)), mistakes.extend([...])
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and "mistake" in f.value.id and node.args:
            if f.attr == "append":
                found.append(ast.List(elts=[node.args[0]]))
            elif f.attr == "extend":
                found.append(node.args[0])
        return found
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "mistakes" for t in node.targets):
        return [node.value]
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and "mistake" in node.target.id:
        return [node.value]
    return []


def plot_mistakes(root: Path) -> list[str]:
    """The templates of ``PLOT_MISTAKES`` in heartdata/checks/_plots.py, as the guide shows them."""
    path = root / CHECKS / "_plots.py"
    if not path.is_file():
        return []
    tree = ast.parse(path.read_text())
    consts = _constants(tree)
    return (
        [template(m) for m in _literal_dict(consts["PLOT_MISTAKES"], consts).values()]
        if "PLOT_MISTAKES" in consts
        else []
    )


def mistakes_of(source: str, shared: list[str] | None = None) -> dict[str, list[str]]:
    """For each ``@exercise`` function of a checks module, in source order, the mistakes its feedback names:
    declared ones first, then literal ones, then the rate-plot ones (``shared``) if it calls ``judge_rate_plot``."""
    tree = ast.parse(source)
    consts = _constants(tree)
    out = {}
    for fn in tree.body:
        if not _is_exercise(fn):
            continue
        messages = [template(m) for m in declared(fn, consts).values()]
        found = []
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "close" and node.args:
                found.append((node.lineno, node.col_offset, render(node.args[0])))
            for value in _mistake_lists(node):
                for pair in value.elts if isinstance(value, (ast.List, ast.Tuple)) else []:
                    if isinstance(pair, ast.Tuple) and len(pair.elts) == 2:
                        found.append((pair.lineno, pair.col_offset, render(pair.elts[1])))
        for *_, message in sorted(found, key=lambda f: f[:2]):
            if message and message not in messages:
                messages.append(message)
        if "judge_rate_plot" in {_decorator_name(n.func) for n in ast.walk(fn) if isinstance(n, ast.Call)}:
            messages += [m for m in shared or [] if m not in messages]
        out[fn.name] = messages
    return out


def undeclared(source: str) -> dict[str, list[str]]:
    """Per exercise, the literal mistakes not yet declared through ``@exercise(mistakes=...)`` (the old form)."""
    tree = ast.parse(source)
    consts = _constants(tree)
    out = {}
    for fn in tree.body:
        if _is_exercise(fn):
            mine = {template(m) for m in declared(fn, consts).values()}
            rest = [
                m for m in mistakes_of(ast.unparse(ast.Module(body=[fn], type_ignores=[])))[fn.name] if m not in mine
            ]
            if rest:
                out[fn.name] = rest
    return out


def headings(solutions: Path, names: list[str]) -> dict[str, str]:
    """Each check's exercise heading in the solutions notebook ('Exercise 2 · ...'), where it is called."""
    if not solutions.is_file():
        return {}
    out, heading = {}, None
    for cell in nbformat.read(solutions, as_version=4).cells:
        if cell.cell_type == "markdown":
            for m in re.finditer(r"^#+\s+(Exercise\b.*?)\s*$", cell.source, re.M):
                heading = m[1]
        elif heading:
            for name in names:
                if re.search(rf"\.{name}\(", cell.source):
                    out.setdefault(name, heading)
    return out


def checks_modules(root: Path) -> dict[str, Path]:
    return {p.stem[-2:]: p for p in sorted((root / CHECKS).glob("lesson[0-9][0-9].py"))}


def mistakes(root: Path, lessons: list[Lesson]) -> str:
    titles = {x.number: x for x in lessons}
    lines = []
    for number, path in checks_modules(root).items():
        found = mistakes_of(path.read_text(), plot_mistakes(root))
        lesson = titles.get(number)
        lines += [f"### {_link(lesson) if lesson else 'Lesson ' + number}", ""]
        lesson_path = root / lesson.path if lesson else root / "notebooks" / f"{number}-missing.ipynb"
        where = headings(coursefiles.practice_of(lesson_path, "solutions", root), list(found))
        lines.append(f"Checks: `{path.relative_to(root).as_posix()}`.")
        lines.append("")
        for name, messages in found.items():
            lines.append(f"**{where[name]}** (`{name}`)" if name in where else f"**`{name}`**")
            lines.append("")
            lines += [f"- {m}" for m in messages] or ["- *(no named mistake: the feedback says what was expected)*"]
            lines.append("")
    return "\n".join(lines).rstrip()


def count_mistakes(root: Path) -> tuple[int, int]:
    """(named mistakes, exercises) over every checks module."""
    shared = plot_mistakes(root)
    found = [m for p in checks_modules(root).values() for m in mistakes_of(p.read_text(), shared).values()]
    return sum(map(len, found)), len(found)


# --- the guide ---------------------------------------------------------------------------------------------------


def parts(root: Path) -> dict[str, str]:
    lessons = syllabus(root)
    exercises = {n: list(mistakes_of(p.read_text())) for n, p in checks_modules(root).items()}
    return {
        "timings": timings(root, lessons),
        "labs": labs(lessons, exercises),
        "mistakes": mistakes(root, lessons),
    }


def fill(text: str, generated: dict[str, str]) -> str:
    """``text`` with the body of every generated part replaced; an unknown part's name is an error."""
    out, pos = [], 0
    for m in BEGIN.finditer(text):
        if m.start() < pos:
            continue
        name = m[1]
        if name not in generated:
            raise SystemExit(f"{GUIDE}: unknown generated part {name!r}; known: {', '.join(generated)}")
        end = text.find(END, m.end())
        if end < 0:
            raise SystemExit(f"{GUIDE}: the generated part {name!r} has no {END}")
        out += [text[pos : m.end()], "\n", generated[name], "\n"]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write the generated parts of docs/instructor-guide.md.")
    parser.add_argument("--check", action="store_true", help="only report whether the guide is out of date")
    parser.add_argument("--root", type=Path, default=coursefiles.REPO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path = args.root / GUIDE
    old = path.read_text()
    new = fill(old, parts(args.root))
    if new == old:
        return 0
    if args.check:
        print(f"out of date: {GUIDE.as_posix()}\nRun `python tools/guide.py`.", file=sys.stderr)
        return 1
    path.write_text(new)
    named, exercises = count_mistakes(args.root)
    print(f"wrote {GUIDE.as_posix()} ({named} named mistakes for {exercises} exercises)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
