"""Run every notebook on a fresh kernel and hold it to the course's budget: 30 s and 600 MiB.

    python tools/budget.py                  # every lesson, exercise and solution notebook (make budget)
    python tools/budget.py notebooks/00-welcome.ipynb
    python tools/budget.py --update-readme  # also write the figures into README.md's syllabus table

What is measured, per notebook, each in a fresh Python process of its own:
- run time: wall-clock seconds from starting the kernel to the end of the last cell (what a student waits
  for after "Restart kernel and run all cells");
- peak memory: the kernel's peak resident set size (its high-water mark, as the operating system counts it,
  read with ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` once the kernel has exited). The kernel is where the
  notebook's data lives; the Jupyter server and browser around it are not counted.

Prints a table and exits 1, naming every offender, if a notebook fails or is over budget.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402

MAX_SECONDS = 30.0
MAX_MIB = 600.0
CELL_TIMEOUT = 600  # a hung cell fails the run instead of hanging it


def measure_here(path: Path) -> dict:
    """Execute ``path`` in this process's child kernel; return its run time and the kernel's peak memory."""
    import resource

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    error = None
    start = time.perf_counter()
    try:
        client.execute()  # starts the kernel, runs every cell, shuts the kernel down and reaps it
    except Exception as exc:  # reported, not raised: the parent prints it beside the table
        error = f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
    seconds = time.perf_counter() - start
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    mib = maxrss / 2**20 if sys.platform == "darwin" else maxrss / 2**10
    if not mib and error is None:
        error = "the kernel's peak memory could not be read (was the kernel process reaped?)"
    return {"seconds": round(seconds, 1), "peak_mib": round(mib), "error": error}


def measure(path: Path) -> dict:
    """Measure ``path`` in a fresh process, so no other notebook's kernel counts towards its peak."""
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"seconds": float("nan"), "peak_mib": float("nan"), "error": proc.stderr.strip()[-500:]}
    return json.loads(lines[-1])


def verdict(result: dict, max_seconds: float, max_mib: float) -> list[str]:
    """What is wrong with one measurement, in words ([] when the notebook ran within budget)."""
    problems = []
    if result["error"]:
        problems.append(f"failed: {result['error']}")
    else:
        if result["seconds"] > max_seconds:
            problems.append(f"{result['seconds']:.0f} s is over the {max_seconds:.0f} s budget")
        if result["peak_mib"] > max_mib:
            problems.append(f"{result['peak_mib']:.0f} MiB is over the {max_mib:.0f} MiB budget")
    return problems


def table(rows: list[tuple[str, dict, list[str]]], max_seconds: float, max_mib: float) -> str:
    width = max([len("notebook")] + [len(name) for name, _, _ in rows])
    out = [
        f"{'notebook':<{width}}  {'run time':>9}  {'peak memory':>11}  verdict",
        f"{'':<{width}}  {f'max {max_seconds:.0f} s':>9}  {f'max {max_mib:.0f} MiB':>11}",
    ]
    for name, r, problems in rows:
        t = "-" if r["seconds"] != r["seconds"] else f"{r['seconds']:.1f} s"
        m = "-" if r["peak_mib"] != r["peak_mib"] else f"{r['peak_mib']:.0f} MiB"
        out.append(f"{name:<{width}}  {t:>9}  {m:>11}  {'OVER BUDGET' if problems else 'ok'}")
    return "\n".join(out)


# --- README syllabus table ---------------------------------------------------------------------------------

LAUNCH_COL, MEASURED_COL = "Binder", "Run time · peak memory"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def figure(r: dict) -> str:
    return f"{r['seconds']:.0f} s · {r['peak_mib']:.0f} MiB"


def update_readme(readme: Path, results: dict[str, dict], root: Path = coursefiles.REPO) -> str:
    """Write a launch link and the measured figures into each lesson's row of the syllabus table.

    ``results`` maps repository-relative notebook paths to measurements. A row whose lesson has no notebook
    yet gets no link; a row keeps its old figures when its notebooks were not measured this time."""
    text = readme.read_text()
    lessons_here = coursefiles.lessons(root)
    if lessons_here:  # the badge launches the first lesson, from the same repository and ref as the table
        badge = coursefiles.binder_url(lessons_here[0].relative_to(root).as_posix())
        text = re.sub(r"(\[!\[[^\]]*Binder[^\]]*\]\([^)]*\)\]\()https://mybinder\.org/[^)]+\)",
                      lambda m: f"{m[1]}{badge})", text, count=1)  # fmt: skip
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "## Syllabus")
    head = next(i for i in range(start, len(lines)) if lines[i].startswith("| Lesson"))
    header = _cells(lines[head])
    for col in (LAUNCH_COL, MEASURED_COL):
        if col not in header:
            header.append(col)
    lines[head] = _row(header)
    lines[head + 1] = "|" + "---|" * len(header)
    launch, measured = header.index(LAUNCH_COL), header.index(MEASURED_COL)
    lessons = {coursefiles.number(p): p for p in coursefiles.lessons(root)}
    i = head + 2
    while i < len(lines) and lines[i].startswith("|"):
        cells = _cells(lines[i])
        cells += [""] * (len(header) - len(cells))
        m = re.match(r"\[?(\d\d) ·", cells[0])
        lesson = lessons.get(m[1]) if m else None
        if lesson is None:
            cells[launch], cells[measured] = "—", "—"
        else:
            rel = lesson.relative_to(root).as_posix()
            cells[launch] = f"[launch]({coursefiles.binder_url(rel)})"
            parts = []
            for label, key in (
                ("lesson", rel),
                ("practice", coursefiles.practice_of(lesson, "solutions", root).relative_to(root).as_posix()),
            ):
                if key in results and not results[key]["error"]:
                    parts.append(f"{label} {figure(results[key])}")
            if parts:
                cells[measured] = "; ".join(parts)
            elif not cells[measured] or cells[measured] == "—":
                cells[measured] = "not measured yet: `make readme`"
        lines[i] = _row(cells)
        i += 1
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson, exercise and solution")
    parser.add_argument("--max-seconds", type=float, default=MAX_SECONDS)
    parser.add_argument("--max-mib", type=float, default=MAX_MIB)
    parser.add_argument("--update-readme", action="store_true", help="write the figures into README.md")
    parser.add_argument("--json", type=Path, help="also save the measurements as JSON here")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: measure one, print JSON
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(measure_here(args.one.resolve())))
        return 0

    paths = [p.resolve() for p in args.notebooks] or coursefiles.all_notebooks()
    if not paths:
        print("no notebooks found (notebooks/NN-*.ipynb)", file=sys.stderr)
        return 1
    rows, results = [], {}
    for path in paths:
        name = path.relative_to(coursefiles.REPO).as_posix() if path.is_relative_to(coursefiles.REPO) else str(path)
        print(f"running {name} ...", file=sys.stderr, flush=True)
        r = measure(path)
        results[name] = r
        rows.append((name, r, verdict(r, args.max_seconds, args.max_mib)))
    print(table(rows, args.max_seconds, args.max_mib))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    bad = [(name, problems) for name, _, problems in rows if problems]
    if bad:
        print(f"\nBUDGET FAILED: {len(bad)} of {len(rows)} notebooks", file=sys.stderr)
        for name, problems in bad:
            for problem in problems:
                print(f"  {name}: {problem}", file=sys.stderr)
        return 1
    print(f"\nall {len(rows)} notebooks within {args.max_seconds:.0f} s and {args.max_mib:.0f} MiB")
    if args.update_readme:
        readme = coursefiles.REPO / "README.md"
        readme.write_text(update_readme(readme, results))
        print("README.md syllabus table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
