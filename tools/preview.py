"""Render the whole course, executed, as a static HTML site an instructor can read without running anything.

    python tools/preview.py            # (make preview) -> build/preview/index.html
    python tools/preview.py --out DIR --no-solutions notebooks/00-welcome.ipynb

Each lesson (and, unless --no-solutions, its worked solutions) is executed on a fresh kernel with nbclient
and exported with nbconvert's HTML exporter; figures are embedded in the pages, so the folder can be copied
or opened from disk. index.html lists the lessons in syllabus order (file-name order). Links between
notebooks are rewritten to point at the rendered pages. build/ is ignored by git.

Exits 1, after rendering everything it can, if any notebook fails to execute.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402

DEFAULT_OUT = coursefiles.REPO / "build" / "preview"
CELL_TIMEOUT = 600


def page_name(path: Path) -> str:
    """The rendered page for a notebook: lessons keep their name, solutions get a prefix."""
    return ("solutions-" if path.parent.name == "solutions" else "") + path.stem + ".html"


def execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources=resources).execute()
    return nb


def relink(body: str, pages: dict[str, str]) -> str:
    """Point links to other notebooks (``01-x.ipynb``, ``../solutions/01-x.ipynb``) at their rendered pages."""

    def swap(m: re.Match) -> str:
        target = m[2]
        folder = "solutions" if "solutions/" in target else "notebooks"
        key = f"{folder}/{target.rsplit('/', 1)[-1]}"
        return f'{m[1]}"{pages[key]}"' if key in pages else m[0]

    return re.sub(r'(href=)"([^"#?]*\.ipynb)"', swap, body)


def render(paths: list[Path], out: Path) -> list[tuple[Path, str, str | None, float]]:
    """Execute and render each notebook into ``out``; returns (path, title, error or None, seconds)."""
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    pages = {f"{p.parent.name}/{p.name}": page_name(p) for p in paths}
    done = []
    for path in paths:
        name = f"{path.parent.name}/{path.name}"
        print(f"rendering {name} ...", file=sys.stderr, flush=True)
        title = coursefiles.title(path)
        start = time.perf_counter()
        try:
            nb, error = execute(path), None
        except Exception as exc:  # render what ran, mark the page, keep going, fail at the end
            nb = nbformat.read(path, as_version=4)
            error = f"{exc.__class__.__name__}: {str(exc).strip()[-300:]}"
        seconds = time.perf_counter() - start
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        (out / page_name(path)).write_text(relink(body, pages), encoding="utf-8")
        done.append((path, title, error, seconds))
    (out / "index.html").write_text(index(done), encoding="utf-8")
    return done


def index(done: list[tuple[Path, str, str | None, float]]) -> str:
    rows = []
    lessons = [d for d in done if d[0].parent.name != "solutions"]
    solutions = {coursefiles.lesson_of(d[0]).name: d for d in done if d[0].parent.name == "solutions"}
    for path, title, error, _ in lessons:
        cells = [f'<a href="{page_name(path)}">{html.escape(title)}</a>']
        sol = solutions.pop(path.name, None)
        cells.append(f'<a href="{page_name(sol[0])}">worked solutions</a>' if sol else "")
        problems = [e for e in (error, sol and sol[2]) if e]
        cells.append("<strong>failed to execute</strong>" if problems else "executed")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    for path, title, error, _ in solutions.values():  # solutions rendered without their lesson
        status = "<strong>failed to execute</strong>" if error else "executed"
        rows.append(f'<tr><td></td><td><a href="{page_name(path)}">{html.escape(title)}</a></td><td>{status}</td></tr>')
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Real cardiac data, before AI: course preview</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ccc; padding: .4rem .6rem; text-align: left; }}
</style></head>
<body>
<h1>Real cardiac data, before AI: course preview</h1>
<p>Every lesson executed top to bottom on a fresh kernel and rendered with its figures, in syllabus order.
Rendered {stamp} by <code>make preview</code>; nothing here needs running.</p>
<table>
<thead><tr><th>Lesson</th><th>Practice</th><th>Status</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson and its solutions")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-solutions", action="store_true", help="render the lessons only")
    args = parser.parse_args(argv)
    if args.notebooks:
        paths = [p.resolve() for p in args.notebooks]
    else:
        paths = coursefiles.lessons()
        if not args.no_solutions:
            solutions = coursefiles.practice(kind="solutions")
            paths += [p for p in solutions if coursefiles.lesson_of(p).is_file()]
    if not paths:
        print("no notebooks found (notebooks/NN-*.ipynb)", file=sys.stderr)
        return 1
    done = render(paths, args.out)
    failed = [(p, e) for p, _, e, _ in done if e]
    for path, _, error, seconds in done:
        print(f"{'FAILED' if error else 'ok':>6}  {seconds:5.1f} s  {path.parent.name}/{path.name}")
    print(f"\npreview: {(args.out / 'index.html').resolve()}")
    if failed:
        print(f"\nPREVIEW INCOMPLETE: {len(failed)} notebook(s) failed to execute", file=sys.stderr)
        for path, error in failed:
            print(f"  {path.parent.name}/{path.name}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
