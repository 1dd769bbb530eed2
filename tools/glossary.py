"""Keep the glossary and the lessons in step (the definitions are written by hand; the rest is computed).

``docs/glossary.md`` holds one entry per term: a ``### term`` heading (its anchor, the same on GitHub, in
JupyterLab and on the Sphinx site), a one-line definition, the other ways the course writes the term, and the
lesson where the term first appears. This tool

- writes each entry's *First used in*: the first lesson (``notebooks/NN-*.ipynb``, in syllabus order) whose
  Markdown cells or computed prose (tools/sentences.py) use the term or one of its other forms (whole words; a
  form with two or more capitals, such as ``MAR``, must match its case; a plural ``s`` is allowed; where two
  terms overlap, as *calibration* and *calibration pulse*, the longer one claims the words);
- moves into the list the entries waiting in the ``PENDING`` comment (terms of lessons not yet in the course) as
  soon as a lesson uses them;
- links every glossary term in each lesson's **Learning objectives** to its entry,
  ``[term](../docs/glossary.md#anchor)``, once per lesson, never inside an existing link or code span, so that
  running it again changes nothing.

    python tools/glossary.py           # rewrite the glossary's computed parts and the objectives' links
    python tools/glossary.py --check   # exit 1 if the glossary or a lesson is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402
import sentences  # noqa: E402

GLOSSARY = Path("docs/glossary.md")
TERMS = "## Terms"
PENDING_START, PENDING_END = "<!-- PENDING", "-->"
OBJECTIVES = "**Learning objectives.**"
NAV_TAG = sentences.NAV_TAG
TARGET = "../docs/glossary.md"  # the glossary as a lesson in notebooks/ links to it
ENTRY = re.compile(
    r"^### (?P<term>[^\n]+)\n\n(?P<definition>(?:(?!\n\n).)+)\n\n"
    r"\*Also written:\* (?P<also>[^\n]*?) · \*First used in:\* [^\n]*$",
    re.M | re.S,
)


@dataclass(frozen=True)
class Entry:
    term: str
    forms: tuple[str, ...]  # the term first, then its other forms
    definition: str

    @property
    def anchor(self) -> str:
        return slug(self.term)


def slug(term: str) -> str:
    """The anchor GitHub and MyST give the heading ``### term``: 'Brier score' -> 'brier-score', 'SAPS-I' ->
    'saps-i', 'CC BY 4.0' -> 'cc-by-40' (the page also carries it as an explicit anchor with ``data-jupyter-id``,
    the only attribute JupyterLab's Markdown viewer looks a link's fragment up by; it keeps a heading's capitals)."""
    return re.sub(r"[^\w\- ]", "", term.strip().lower()).replace(" ", "-")


# --- the glossary file ----------------------------------------------------------------------------------------


def _entries(text: str) -> list[Entry]:
    out = []
    for m in ENTRY.finditer(text):
        others = tuple(f.strip() for f in m["also"].split(",") if f.strip() not in ("", "—"))
        out.append(Entry(m["term"].strip(), (m["term"].strip(), *others), m["definition"].strip()))
    return out


def read_glossary(text: str) -> tuple[list[Entry], list[Entry]]:
    """The entries of the list and those waiting in the PENDING comment."""
    main, _, pending = text.partition(PENDING_START)
    return _entries(main), _entries(pending)


def render_entry(entry: Entry, first: str) -> str:
    also = ", ".join(entry.forms[1:]) or "—"
    return (
        f'<a id="{entry.anchor}" data-jupyter-id="{entry.anchor}"></a>\n\n### {entry.term}\n\n{entry.definition}\n\n'
        f"*Also written:* {also} · *First used in:* {first}\n"
    )


def write_glossary(text: str, lessons: list[Path], root: Path) -> str:
    """The glossary with every *First used in* recomputed, pending entries that a lesson now uses moved into the
    list, and the entries sorted by term."""
    table, pending = read_glossary(text)
    first = first_lessons(table + pending, lessons)
    table += [e for e in pending if first[e.term]]
    pending = [e for e in pending if not first[e.term]]
    table.sort(key=lambda e: e.term.lower())
    head = text[: text.index(TERMS) + len(TERMS)]
    comment = text.partition(PENDING_START)[2]
    intro = re.split(r"^<a id=|^### ", comment, maxsplit=1, flags=re.M)[0].rstrip().removesuffix(PENDING_END).rstrip()
    out = head + "\n\n" + "\n".join(render_entry(e, _lesson_cell(first[e.term], root)) for e in table)
    if PENDING_START in text or pending:
        out += f"\n{PENDING_START}{intro}\n\n" + "\n".join(render_entry(e, "—") for e in pending) + PENDING_END + "\n"
    return out


def _lesson_cell(lesson: Path | None, root: Path) -> str:
    if lesson is None:
        return "not used by any lesson"
    return f"[{coursefiles.number(lesson)}](../{lesson.relative_to(root).as_posix()})"


# --- finding terms in text -----------------------------------------------------------------------------------


def _pattern(form: str) -> re.Pattern:
    flags = 0 if sum(ch.isupper() for ch in form) >= 2 else re.IGNORECASE
    words = r"\s+".join(map(re.escape, form.split()))  # a term may be broken across lines
    return re.compile(rf"(?<![\w-]){words}s?(?![\w-])", flags)


def claims(text: str, entries: list[Entry], free=None) -> dict[str, tuple[int, int]]:
    """Where each entry's first use in ``text`` is: longer forms claim their words first, and a span
    already claimed (or outside ``free(start, end)``) cannot be claimed again."""
    pairs = sorted(((f, e) for e in entries for f in e.forms), key=lambda p: -len(p[0]))
    taken: list[tuple[int, int]] = []
    found: dict[str, tuple[int, int]] = {}
    for form, entry in pairs:
        for m in _pattern(form).finditer(text):
            span = m.span()
            if any(span[0] < b and a < span[1] for a, b in taken) or (free and not free(*span)):
                continue
            taken.append(span)
            if entry.term not in found or span[0] < found[entry.term][0]:
                found[entry.term] = span
            break
    return found


def lesson_text(path: Path) -> str:
    """The text a student reads in a lesson, link targets removed: its Markdown cells and its computed prose (the
    words of every ``display(Markdown(...))``, read from the code by tools/sentences.py, so that the result does not
    depend on whether the site was built); navigation cells left out."""
    return re.sub(r"\]\([^)]*\)", "]", "\n\n".join(sentences.shown(path, executed=False)))


def first_lessons(entries: list[Entry], lessons: list[Path]) -> dict[str, Path | None]:
    first: dict[str, Path | None] = {e.term: None for e in entries}
    for lesson in lessons:
        for term in claims(lesson_text(lesson), entries):
            first[term] = first[term] or lesson
    return first


# --- linking the learning objectives -------------------------------------------------------------------------

PROTECTED = re.compile(r"`[^`]*`|\[[^\]]*\]\([^)]*\)|<[^>]+>|https?://\S+|\$[^$]*\$")


def objectives_span(source: str) -> tuple[int, int] | None:
    """Where the Learning objectives paragraph is: from its bold label to the first blank line after it."""
    start = source.find(OBJECTIVES)
    if start < 0:
        return None
    end = source.find("\n\n", start)
    return start, len(source) if end < 0 else end


def link_terms(text: str, entries: list[Entry], target: str) -> str:
    """``text`` with the first free use of every glossary term not yet linked turned into a link."""
    protected = [m.span() for m in PROTECTED.finditer(text)]
    linked = set(re.findall(re.escape(target) + r"#([\w-]+)\)", text))
    todo = [e for e in entries if e.anchor not in linked]

    def free(a, b):
        return not any(a < y and x < b for x, y in protected)

    anchors = {e.term: e.anchor for e in todo}
    for term, (a, b) in sorted(claims(text, todo, free).items(), key=lambda item: -item[1][0]):
        text = f"{text[:a]}[{text[a:b]}]({target}#{anchors[term]}){text[b:]}"
    return text


def linked_notebook(path: Path, entries: list[Entry]) -> nbformat.NotebookNode | None:
    """The lesson with its objectives linked, or None if nothing changes."""
    nb = nbformat.read(path, as_version=4)
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return None
    source = nb.cells[0].source
    span = objectives_span(source)
    if span is None:
        return None
    new = source[: span[0]] + link_terms(source[span[0] : span[1]], entries, TARGET) + source[span[1] :]
    if new == source:
        return None
    nb.cells[0].source = new
    return nb


def planned(root: Path = coursefiles.REPO) -> dict[Path, str]:
    """Every file this tool would change, with the text it should have."""
    out = {}
    lessons = coursefiles.lessons(root)
    glossary = root / GLOSSARY
    old = glossary.read_text()
    new = write_glossary(old, lessons, root)
    if new != old:
        out[glossary] = new
    entries, _ = read_glossary(new)
    for lesson in lessons:
        nb = linked_notebook(lesson, entries)
        if nb is not None:
            out[lesson] = nbformat.writes(nb) + "\n"
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Compute the glossary's first lessons and link lesson objectives.")
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    parser.add_argument("--root", type=Path, default=coursefiles.REPO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    stale = planned(args.root)
    for path, text in stale.items():
        if not args.check:
            path.write_text(text)
        print(("out of date: " if args.check else "wrote ") + path.relative_to(args.root).as_posix())
    if args.check and stale:
        print("Run `python tools/glossary.py`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
