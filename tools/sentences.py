"""Every sentence a notebook shows a reader: its Markdown cells and the Markdown its code writes (computed prose).

The glossary (tools/glossary.py), the spell check (tests/test_spelling.py) and any future translation read a lesson
through this module, so that computed prose (``display(Markdown(f"..."))``, tools/prose.py) is read like the
Markdown cells around it:

- from an **executed** notebook (the copy `make site` ran, build/site-src/, when its code is the notebook's own),
  the ``text/markdown`` outputs, that is the sentences exactly as a reader meets them, numbers included;
- otherwise from the **code**: the literal text of every ``Markdown(...)`` a cell displays, an f-string's fields
  shown as ``…`` (the words are all there; only the computed values are not).

    python tools/sentences.py notebooks/02-ecg-signals.ipynb      # print what the lesson shows, block by block
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402

FIELD = "…"  # what an f-string's computed field reads as when the notebook has not run
NAV_TAG = "course-nav"


def _text(node: ast.AST, names: dict[str, str]) -> str:
    """The words an expression that builds text carries (computed parts as FIELD)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v, names) if isinstance(v, ast.Constant) else FIELD for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text(node.left, names) + _text(node.right, names)
    if isinstance(node, ast.IfExp):  # both branches are sentences a reader may meet
        return _text(node.body, names) + "\n\n" + _text(node.orelse, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("join", "format"):
        inner = " ".join(_text(a, names) for a in node.args)
        return _text(node.func.value, names) + (" " + inner if node.func.attr == "join" else "")
    if isinstance(node, (ast.List, ast.Tuple)):
        return " ".join(_text(e, names) for e in node.elts)
    if isinstance(node, ast.Name):
        return names.get(node.id, FIELD)
    return FIELD


def static_markdown(source: str) -> list[str]:
    """The Markdown a code cell displays, read from its code: the text of each ``Markdown(...)`` it builds."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: dict[str, str] = {}
    for node in ast.walk(tree):  # text variables the cell builds (``text = f"..."``; ``text += "..."``)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            words = _text(node.value, names)
            if words.strip(FIELD + " \n"):
                names[node.targets[0].id] = words
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = names.get(node.target.id, "") + _text(node.value, names)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Markdown":
            out += [_text(a, names) for a in node.args[:1]]
    return out


def executed_markdown(cell) -> list[str]:
    return [
        "".join(o["data"]["text/markdown"])
        for o in cell.get("outputs", [])
        if o.get("output_type") in ("display_data", "execute_result") and "text/markdown" in o.get("data", {})
    ]


def executed_copy(path: Path, root: Path = coursefiles.REPO):
    """The executed notebook `make site` left for ``path`` (build/site-src/), if its code cells are the notebook's
    own (else None: an executed copy of older code says nothing about this one)."""
    try:
        copy = root / "build" / "site-src" / path.resolve().relative_to(root)
    except ValueError:
        return None
    if not copy.is_file():
        return None
    executed = nbformat.read(copy, as_version=4)
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    if [c.source for c in executed.cells if c.cell_type == "code"] != code:
        return None
    return executed


def shown(path: Path, executed: bool = True, navigation: bool = False) -> list[str]:
    """The Markdown blocks ``path`` shows a reader, in order: Markdown cells and computed prose (executed outputs
    when `make site` ran this very code and ``executed``, else the text of the code). Navigation cells
    (tools/navigation.py) are left out unless ``navigation``."""
    nb = (executed and executed_copy(path)) or nbformat.read(path, as_version=4)
    ran = nb is not None and any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if navigation or NAV_TAG not in cell.metadata.get("tags", []):
                out.append(cell.source)
        elif cell.cell_type == "code":
            out += executed_markdown(cell) if ran else static_markdown(cell.source)
    return out


def plain(markdown: str) -> str:
    """Markdown as running text: code, maths, HTML, link targets and URLs taken out (what a spell checker or a
    glossary should read)."""
    text = re.sub(r"^```.*?^```", " ", markdown, flags=re.M | re.S)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"https?://\S+", " ", text)


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    for path in paths:
        for block in shown(path):
            print(block.strip(), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
