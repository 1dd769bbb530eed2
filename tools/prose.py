"""Computed prose reads as prose: the cells that write a lesson's findings show their sentence, not their code.

A lesson states numbers it computed, so some of its sentences are built by code
(``display(Markdown(f"..."))``). The course's rule for those cells:

* a **prose cell** holds only what writes the sentence: ``display(Markdown(...))`` calls, and string
  assignments used to build them (no computation beyond what the f-string's fields format);
* a prose cell carries the Jupyter Book tag ``hide-input`` and JupyterLab's ``jupyter.source_hidden``, so
  JupyterLab, Binder and the website all show the sentence with its code folded away (one click opens it);
* the computation the sentence reports stays in a visible code cell before it: that code is what students
  learn from.

This tool keeps the rule:

    python tools/prose.py                 # mark every prose cell (idempotent); say which cells still mix
    python tools/prose.py --check         # exit 1 if a prose cell is unmarked, or a cell mixes code and prose
    python tools/prose.py --split FILE..  # split mixed cells where that is safe, then mark; list the rest

Splitting keeps each statement's source text as it is and the order of statements. A cell is split only
when no plotting statement follows its first prose statement (a figure is drawn when its cell ends, so
plotting after a sentence must stay in the same cell); such cells are listed for a person to rework.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402

TAG = "hide-input"
PLOT_NAMES = {"plt", "sns", "msno", "fig", "ax", "axes", "axs", "heartdata.plotting"}


def _is_display_markdown(node: ast.stmt) -> bool:
    """``display(Markdown(...))`` (or ``display(Markdown(a), Markdown(b))``) as a statement."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    call = node.value
    if not (isinstance(call.func, ast.Name) and call.func.id == "display") or not call.args:
        return False
    return all(isinstance(a, ast.Call) and isinstance(a.func, ast.Name) and a.func.id == "Markdown" for a in call.args)


def _is_text(expr: ast.expr) -> bool:
    """An expression that only builds text: a literal, an f-string, their sums, a choice between them, a join."""
    if isinstance(expr, ast.JoinedStr) or (isinstance(expr, ast.Constant) and isinstance(expr.value, str)):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _is_text(expr.left) and _is_text(expr.right)
    if isinstance(expr, ast.IfExp):
        return _is_text(expr.body) and _is_text(expr.orelse)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("join", "format"):
        return isinstance(expr.func.value, (ast.Constant, ast.JoinedStr))
    return False


def is_prose_statement(node: ast.stmt) -> bool:
    if _is_display_markdown(node):
        return True
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return all(isinstance(t, ast.Name) for t in targets) and _is_text(node.value)
    if isinstance(node, ast.If):
        return all(is_prose_statement(s) for s in node.body + node.orelse)
    return False


def _has_display(node: ast.stmt) -> bool:
    return any(_is_display_markdown(n) for n in ast.walk(node) if isinstance(n, ast.stmt))


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython magics and the like: not ours to judge
        return None


def kind(cell) -> str:
    """'prose', 'mixed' (prose beside computation) or 'code' for a code cell."""
    tree = _parse(cell.source)
    if tree is None or not tree.body or not any(_has_display(s) for s in tree.body):
        return "code"
    if all(is_prose_statement(s) for s in tree.body):
        return "prose"
    return "mixed"


def is_marked(cell) -> bool:
    return TAG in cell.metadata.get("tags", []) and cell.metadata.get("jupyter", {}).get("source_hidden") is True


def mark(cell) -> bool:
    """Fold a prose cell's code away; True when this changed the cell."""
    if is_marked(cell):
        return False
    tags = cell.metadata.setdefault("tags", [])
    if TAG not in tags:
        tags.append(TAG)
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    return True


def _uses_plotting(node: ast.stmt) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and (n.id in PLOT_NAMES or n.id.startswith(("ax_", "fig_"))):
            return True
        if isinstance(n, ast.Attribute) and n.attr.startswith(("plot", "set_", "bar", "hist", "scatter")):
            return True
    return False


def split_source(source: str) -> list[tuple[str, str]] | None:
    """The cell's source cut into consecutive (kind, text) parts, 'prose' or 'code'; None when unsafe to cut.

    The text of each part is the cell's own lines, from its first statement's first line (with the comments
    just above it) to its last statement's last line. A part whose last statement is a bare expression that
    was not the cell's last gets a ``;``, so that cutting never makes a value appear that did not before.
    """
    tree = _parse(source)
    if tree is None:
        return None
    body = tree.body
    prose = [is_prose_statement(s) for s in body]
    first_prose = prose.index(True)
    if any(not p and _uses_plotting(s) for s, p in zip(body[first_prose:], prose[first_prose:], strict=True)):
        return None
    lines = source.splitlines()
    groups: list[tuple[bool, list[ast.stmt]]] = []
    for stmt, is_prose in zip(body, prose, strict=True):
        if groups and groups[-1][0] == is_prose:
            groups[-1][1].append(stmt)
        else:
            groups.append((is_prose, [stmt]))
    parts, start = [], 0
    for i, (is_prose, stmts) in enumerate(groups):
        end = stmts[-1].end_lineno
        text = "\n".join(lines[start:end]).strip("\n")
        last = stmts[-1]
        if i < len(groups) - 1 and not is_prose and isinstance(last, ast.Expr) and not text.rstrip().endswith(";"):
            text = text.rstrip() + ";"
        parts.append(("prose" if is_prose else "code", text))
        start = end
    trailing = "\n".join(lines[start:]).strip()
    if trailing:  # comments after the last statement stay with the last part
        kind_, text = parts[-1]
        parts[-1] = (kind_, text + "\n" + trailing)
    return parts


def split_cell(cell) -> list | None:
    parts = split_source(cell.source)
    if parts is None:
        return None
    cells = []
    for kind_, text in parts:
        new = nbformat.v4.new_code_cell(text)
        if kind_ == "code":
            new.metadata = {k: v for k, v in cell.metadata.items() if k not in ("tags", "jupyter")}
        else:
            mark(new)
        cells.append(new)
    return cells


def process(path: Path, split: bool = False, write: bool = True) -> tuple[int, list[str]]:
    """Mark (and optionally split) one notebook; returns (cells changed, descriptions of cells left mixed)."""
    nb = nbformat.read(path, as_version=4)
    changed, left, cells = 0, [], []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        k = kind(cell)
        if k == "prose":
            changed += mark(cell)
        elif k == "mixed" and split:
            pieces = split_cell(cell)
            if pieces is not None:
                cells.extend(pieces)
                changed += 1
                continue
        if k == "mixed":
            first = cell.source.strip().splitlines()[0][:70]
            left.append(f"{path}: cell {index} mixes computation and prose ({first!r})")
        cells.append(cell)
    nb.cells = cells
    if changed and write:
        nbformat.write(nb, path)
    return changed, left


def problems(path: Path) -> list[str]:
    """Why ``path`` breaks the rule, one line per cell (an empty list when it keeps it)."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        k = kind(cell)
        if k == "mixed":
            out.append(f"{path}: cell {index} mixes computation and prose: move the computation to the cell above")
        elif k == "prose" and not is_marked(cell):
            out.append(f"{path}: cell {index} writes prose but its code is not folded: run python tools/prose.py")
    return out


def notebooks() -> list[Path]:
    return [p for folder in ("notebooks", "solutions", "exercises")
            for p in sorted((coursefiles.REPO / folder).glob("*.ipynb"))]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="notebooks (default: every lesson, solution, exercise)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a notebook breaks the rule")
    parser.add_argument("--split", action="store_true", help="also split mixed cells where that is safe")
    args = parser.parse_args(argv)
    files = args.files or notebooks()
    if args.check:
        found = [line for path in files for line in problems(path)]
        print("\n".join(found) or f"computed prose: {len(files)} notebooks keep the rule")
        return 1 if found else 0
    total, left = 0, []
    for path in files:
        n, rest = process(path, split=args.split)
        total += n
        left += rest
    print(f"{total} cells marked or split in {len(files)} notebooks")
    if left:
        print(f"{len(left)} cells still mix computation and prose (rework by hand):\n" + "\n".join(left))
    return 0


if __name__ == "__main__":
    sys.exit(main())
