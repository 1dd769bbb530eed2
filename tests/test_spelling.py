"""Spelling of every sentence the course shows: Markdown cells and computed prose alike (tools/sentences.py).

codespell (a test-only tool, requirements-test.txt) reads what each notebook shows a reader (the
Markdown outputs of the notebooks `make site` executed, or the text of the code that writes them) and every Markdown
page the site publishes. codespell flags only words it knows to be misspelt, so names (PTB-XL, wfdb, SNOMED) need no
listing; tools/codespell-words.txt holds the course's words it takes for misspellings (``infarction`` is not
``infraction``; ``LAF`` is an author's initials in docs/palette.md).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import coursefiles  # noqa: E402
import sentences  # noqa: E402

WORDS = REPO / "tools" / "codespell-words.txt"
DICTIONARIES = "clear,rare,informal"


def _codespell() -> list[str]:
    try:
        import codespell_lib  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI must check spelling, but codespell is not installed (make setup: requirements-test.txt)")
        pytest.skip("codespell is not installed: pip install -r requirements-test.txt")
    return [sys.executable, "-m", "codespell_lib"]


def notebooks() -> list[Path]:
    return [p for folder in ("notebooks", "exercises", "solutions") for p in sorted((REPO / folder).glob("*.ipynb"))]


def pages() -> list[Path]:
    return [REPO / "README.md", *coursefiles.markdown_pages()]


def write_texts(dest: Path, paths: list[Path], root: Path = REPO) -> dict[Path, Path]:
    """Each file's shown text, as plain text under ``dest`` (same relative path, .txt)."""
    out = {}
    for path in paths:
        blocks = sentences.shown(path, navigation=True) if path.suffix == ".ipynb" else [path.read_text("utf-8")]
        text = dest / path.relative_to(root).with_suffix(path.suffix + ".txt")
        text.parent.mkdir(parents=True, exist_ok=True)
        text.write_text("\n\n".join(sentences.plain(b) for b in blocks), encoding="utf-8")
        out[text] = path
    return out


def misspellings(folder: Path) -> list[str]:
    proc = subprocess.run(
        [*_codespell(), "--builtin", DICTIONARIES, "--ignore-words", str(WORDS), str(folder)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 65), proc.stderr  # 65: misspellings found
    return [line.replace(str(folder) + os.sep, "") for line in proc.stdout.splitlines() if "==>" in line]


def test_no_misspelling_in_anything_a_reader_sees(tmp_path):
    found = misspellings(_written(tmp_path))
    assert not found, "misspelt (or add a course word to tools/codespell-words.txt):\n" + "\n".join(found)


def _written(tmp_path: Path) -> Path:
    write_texts(tmp_path / "texts", notebooks() + pages())
    return tmp_path / "texts"


def test_the_spell_check_reads_computed_prose(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A lesson\n\nEvery word here is right."),
        nbformat.v4.new_code_cell('n = 3\ntext = f"{n} stays were recieved"\ndisplay(Markdown(text + " late."))'),
    ]
    path = tmp_path / "course" / "notebooks" / "99-x.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    assert sentences.shown(path) == ["# A lesson\n\nEvery word here is right.", "… stays were recieved late."]
    write_texts(tmp_path / "texts", [path], root=tmp_path / "course")
    found = misspellings(tmp_path / "texts")
    assert len(found) == 1 and "recieved ==> received" in found[0] and "99-x" in found[0], found


FIELD = re.compile(r"\{[A-Za-z_][\w.]*(\[[^\]]*\])?(![rsa])?(:[^{}]*)?\}")


def test_every_computed_sentence_was_formatted(tmp_path):
    """A sentence the executed notebook shows with a raw ``{field}`` lost its f prefix: the reader sees code."""
    executed = [(p, sentences.executed_copy(p)) for p in notebooks()]
    executed = [(p, nb) for p, nb in executed if nb is not None]
    if not executed:
        if os.environ.get("CI"):
            pytest.fail("CI builds the site before the tests, but there is no executed notebook in build/site-src/")
        pytest.skip("no executed notebook: run `make site` first")
    raw = [
        f"{p.relative_to(REPO)}: {m.group(0)!r} in {block[:80]!r}"
        for p, nb in executed
        for cell in nb.cells
        if cell.cell_type == "code"
        for block in sentences.executed_markdown(cell)
        for m in FIELD.finditer(re.sub(r"\$[^$]*\$|`[^`]*`", "", block))
    ]
    assert not raw, "\n".join(raw)


def test_what_a_lesson_shows_comes_from_its_executed_copy_only_when_that_copy_ran_its_code(tmp_path, monkeypatch):
    lesson = coursefiles.lessons()[0]
    static = sentences.shown(lesson, executed=False)
    assert static and all(isinstance(b, str) for b in static)
    copy = sentences.executed_copy(lesson)
    if copy is not None:
        computed = sentences.shown(lesson)
        assert any(re.search(r"\d", b) for b in computed if b not in static)
    root = tmp_path / "repo"
    changed = root / lesson.relative_to(REPO)
    changed.parent.mkdir(parents=True)
    nb = nbformat.read(lesson, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(nb, changed)
    built = root / "build" / "site-src" / lesson.relative_to(REPO)
    built.parent.mkdir(parents=True)
    nbformat.write(nbformat.read(lesson, as_version=4), built)
    assert sentences.executed_copy(changed, root) is None, "an executed copy of older code was taken for this one"
