"""Generate exercises/NN-topic-practice.ipynb from solutions/NN-topic-solutions.ipynb (never edit exercises by hand).

In code cells, the lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` become a
runnable stub. The stub is the block's ``# STUB:`` lines if it has any;
otherwise each name the block's last statement assigns becomes
``name = None  # your code here`` and a function the block defines keeps its
signature and docstring and returns None. In markdown cells, text from
``<!-- BEGIN SOLUTION -->`` to ``<!-- END SOLUTION -->`` is removed.

    python -m heartdata.exercises           # write exercises/
    python -m heartdata.exercises --check   # exit 1 if exercises/ is out of date
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import textwrap
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
CODE_BLOCK = re.compile(r"^([ \t]*)# BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*# END SOLUTION[^\n]*(\n|$)", re.M | re.S)
MD_BLOCK = re.compile(r"<!-- BEGIN SOLUTION -->.*?<!-- END SOLUTION -->\n?", re.S)
STUB_LINE = re.compile(r"^[ \t]*# STUB: ?(.*)$", re.M)


class SolutionMarkupError(ValueError):
    pass


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _names(elt)]
    return []


def stub_for(block: str, indent: str = "") -> str:
    """The runnable stub that replaces one solution block."""
    explicit = STUB_LINE.findall(block)
    if explicit:
        return "".join(f"{indent}{line}\n" for line in explicit)
    tree = ast.parse(textwrap.dedent(block))
    if not tree.body:
        return f"{indent}pass  # your code here\n"
    last = tree.body[-1]
    if isinstance(last, ast.FunctionDef):
        signature = ast.unparse(last.args)
        doc = ast.get_docstring(last)
        lines = [f"def {last.name}({signature}):"]
        if doc:
            lines.append(f'    """{doc}"""')
        lines += ["    # your code here", "    return None"]
        return "".join(f"{indent}{ln}\n" for ln in lines)
    targets = []
    if isinstance(last, ast.Assign):
        targets = [n for t in last.targets for n in _names(t)]
    elif isinstance(last, (ast.AnnAssign, ast.AugAssign)):
        targets = _names(last.target)
    if not targets:
        raise SolutionMarkupError(
            "the last statement of a solution block must assign a name or define a function, "
            f"or the block must give '# STUB:' lines; block starts {block[:60]!r}"
        )
    return "".join(f"{indent}{name} = None  # your code here\n" for name in dict.fromkeys(targets))


def strip_code(source: str) -> str:
    return CODE_BLOCK.sub(lambda m: stub_for(m.group(2), m.group(1)), source)


def strip_markdown(source: str) -> str:
    return MD_BLOCK.sub("", source).strip("\n")


def make_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(solution)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            stripped = strip_code(cell.source)
            if stripped != cell.source:  # a stub is for the student to edit: never folded away (tools/prose.py)
                tags = [t for t in cell.metadata.get("tags", []) if t != "hide-input"]
                if tags:
                    cell.metadata["tags"] = tags
                else:
                    cell.metadata.pop("tags", None)
                cell.metadata.get("jupyter", {}).pop("source_hidden", None)
                if not cell.metadata.get("jupyter", True):
                    cell.metadata.pop("jupyter")
            cell.source = stripped
            cell.outputs, cell.execution_count = [], None
        elif cell.cell_type == "markdown":
            cell.source = strip_markdown(cell.source)
            if not cell.source.strip():
                continue
        cell.pop("id", None)
        cells.append(cell)
    nb.cells = cells
    for key in [k for k in nb.metadata if k not in ("kernelspec", "language_info")]:
        del nb.metadata[key]
    nb.nbformat_minor = max(nb.nbformat_minor, 5)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "# STUB:"):
        for cell in nb.cells:
            if marker in cell.source:
                raise SolutionMarkupError(f"unbalanced {marker!r} left in a cell: {cell.source[:80]!r}")
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def exercise_name(solution: Path) -> str:
    """``06-cleaning-solutions.ipynb`` -> ``06-cleaning-practice.ipynb``: distinct names, distinct tabs."""
    if not solution.stem.endswith("-solutions"):
        raise SolutionMarkupError(f"{solution}: a solutions notebook must be named NN-topic-solutions.ipynb")
    return solution.stem.removesuffix("-solutions") + "-practice.ipynb"


def generate(
    solutions: Path = REPO / "solutions", exercises: Path = REPO / "exercises", check: bool = False
) -> list[Path]:
    """Write (or with check=True, compare) every exercise notebook; return the stale ones."""
    stale = []
    for src in sorted(solutions.glob("*.ipynb")):
        try:
            text = render(make_exercise(nbformat.read(src, as_version=4)))
        except SolutionMarkupError as exc:
            raise SolutionMarkupError(f"{src}: {exc}") from None
        dst = exercises / exercise_name(src)
        if not dst.is_file() or dst.read_text() != text:
            stale.append(dst)
            if not check:
                exercises.mkdir(exist_ok=True)
                tmp = dst.with_suffix(".tmp")
                tmp.write_text(text)
                tmp.replace(dst)
    orphans = sorted(
        {p.name for p in exercises.glob("*.ipynb")} - {exercise_name(p) for p in solutions.glob("*.ipynb")}
    )
    for name in orphans:  # an exercise whose solution was removed or renamed
        stale.append(exercises / name)
        if not check:
            (exercises / name).unlink()
    return stale


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Generate exercises/ from solutions/.")
    parser.add_argument("--check", action="store_true", help="only report exercise notebooks that are out of date")
    args = parser.parse_args(argv)
    stale = generate(check=args.check)
    for path in stale:
        print(("out of date: " if args.check else "wrote ") + str(path.relative_to(REPO)))
    if args.check and stale:
        print("Run `python -m heartdata.exercises` to regenerate them.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
