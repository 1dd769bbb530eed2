"""Audit every figure the notebooks draw: colours of one axes that merge for a colour-blind reader without a second
cue, figures wider than the page, and text under 9 pt.

    python tools/figure_audit.py notebooks/*.ipynb solutions/*.ipynb   # execute them, then report
    python tools/figure_audit.py --from build/figure-audit.jsonl       # report on figures recorded before
    python tools/figure_audit.py --json findings.json ...              # also write the findings as JSON

Executing a notebook here runs it with HEARTDATA_FIGURE_AUDIT set and an IPython startup file that calls
``heartdata.plotting.install_figure_audit``: every figure rendered (shown inline or saved) is described, axes by
axes, in a JSON-lines file (build/figure-audit.jsonl). A pair of colours in one axes is a finding when it is closer
than ``plotting.CVD_MIN_DELTA_E`` (CIEDE2000) under simulated deuteranopia or protanopia (tools/cvd.py) and the
marks of the two colours share a style (kind of mark, marker, line style, hatch): with no second cue, a reader
cannot tell them apart. A figure wider than ``plotting.MAX_FIGURE_WIDTH`` inches as saved is a finding too: the page
shrinks it and its text. "As saved" is after the tight bounding box the inline backend crops or grows the figure to,
so a long title or a legend outside the axes counts: the PNG's width at the figure's dpi (``plotting.saved_width``).
Error-bar caps and whiskers are left out of the styles when a colour has other marks. The audit cannot see a direct
label (text beside the data), which is a second cue: read each finding's figure.
Each notebook is executed once, one at a time; the run takes as long as the notebooks do.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402
import cvd  # noqa: E402

from heartdata import plotting  # noqa: E402

RECORD = Path("build/figure-audit.jsonl")
STARTUP = """import os
from heartdata.plotting import install_figure_audit
install_figure_audit(os.environ["HEARTDATA_FIGURE_AUDIT"])
"""
SECONDARY = {"caps", "segments"}  # error-bar caps and whiskers: drawn in the colour of their points


def execute(notebooks: list[Path], record: Path, timeout: int = 900) -> dict[str, str]:
    """Run each notebook with the audit installed; returns notebook -> error (empty when it ran)."""
    import nbformat
    from nbclient import NotebookClient

    record.parent.mkdir(parents=True, exist_ok=True)
    errors = {}
    with tempfile.TemporaryDirectory() as ipython_dir:
        startup = Path(ipython_dir) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-heartdata-figure-audit.py").write_text(STARTUP)
        for path in notebooks:
            env = {"HEARTDATA_FIGURE_AUDIT": str(record.resolve()), "HEARTDATA_AUDIT_NOTEBOOK": path.as_posix(),
                   "IPYTHONDIR": ipython_dir, "MPLBACKEND": "module://matplotlib_inline.backend_inline"}  # fmt: skip
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                nb = nbformat.read(path, as_version=4)
                client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                        resources={"metadata": {"path": str(path.parent.resolve())}})  # fmt: skip
                client.execute()
                print(f"ran {path}", file=sys.stderr)
            except Exception as exc:  # a notebook that fails is reported, the others still run
                errors[path.as_posix()] = f"{exc.__class__.__name__}: {str(exc)[:300]}"
                print(f"FAILED {path}: {errors[path.as_posix()]}", file=sys.stderr)
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
    return errors


def _styles(marks: list[dict]) -> set[tuple]:
    styles = {(m["kind"], m["marker"], m["linestyle"], m["hatch"]) for m in marks}
    primary = {s for s in styles if s[0] not in SECONDARY}
    return primary or styles


def _near_white(colour: str) -> bool:
    return cvd.delta_e(colour, "#FFFFFF") < 3


def findings(records: list[dict], threshold: float = plotting.CVD_MIN_DELTA_E,
             max_width: float = plotting.MAX_FIGURE_WIDTH) -> list[dict]:  # fmt: skip
    """Pairs of colours in one axes that merge without a second cue, figures wider than ``max_width`` inches (as
    saved, after the tight bounding box), and texts under the minimum size."""
    out = []
    for rec in records:
        where = {"notebook": rec["notebook"], "figure": rec["figure"], "title": rec["title"][:90]}
        for ax in rec["axes"]:
            by_colour: dict[str, list[dict]] = {}
            for m in ax["marks"]:
                if not _near_white(m["colour"]):
                    by_colour.setdefault(m["colour"], []).append(m)
            for a, b in itertools.combinations(sorted(by_colour), 2):
                if cvd.delta_e(a, b) < 1:  # one colour, drawn twice
                    continue
                low, kind = cvd.worst(a, b)
                if low >= threshold:
                    continue
                shared = _styles(by_colour[a]) & _styles(by_colour[b])
                if not shared:
                    continue

                def labels(c, by_colour=by_colour):
                    return sorted({m["label"] for m in by_colour[c] if m["label"]})[:3]

                out.append({**where, "axes": ax["index"], "axes title": ax["title"][:60], "problem": "colours merge",
                            "colours": [a, b], "labels": [labels(a), labels(b)], "delta_e": round(low, 1),
                            "under": kind, "shared style": [list(s) for s in sorted(shared, key=str)][:2]})  # fmt: skip
        width = rec.get("width_in")
        if width is not None and width > max_width + 1e-9:
            out.append({**where, "problem": "wider than the page", "width_in": width, "max_in": max_width})
        small = rec.get("texts", [])
        if small:
            sizes = sorted({t["size"] for t in small})
            out.append({**where, "problem": "text under 9 pt", "count": len(small), "sizes": sizes,
                        "examples": [t["text"] for t in small[:4]]})  # fmt: skip
    return out


def read(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]


def report(found: list[dict], errors: dict[str, str] | None = None) -> str:
    lines = []
    by_notebook: dict[str, list[dict]] = {}
    for f in found:
        by_notebook.setdefault(f["notebook"], []).append(f)
    for nb, items in sorted(by_notebook.items()):
        lines.append(f"## {nb}")
        for f in items:
            head = f"- figure {f['figure']} ({f['title'] or 'no title'})"
            if f["problem"] == "colours merge":
                lines.append(f"{head}, axes {f['axes']}: {f['colours'][0]} {f['labels'][0]} and {f['colours'][1]} "
                             f"{f['labels'][1]} merge under {f['under']} (CIEDE2000 {f['delta_e']}), same style "
                             f"{f['shared style'][0]}")  # fmt: skip
            elif f["problem"] == "wider than the page":
                lines.append(f"{head}: {f['width_in']} in wide as saved ({round(f['width_in'] * 100)} px at "
                             f"100 dpi), more than MAX_FIGURE_WIDTH ({f['max_in']} in)")
            else:
                lines.append(f"{head}: {f['count']} text(s) under 9 pt (sizes {f['sizes']}), e.g. {f['examples']}")
    for nb, err in sorted((errors or {}).items()):
        lines.append(f"## {nb}: did not run: {err}")
    return "\n".join(lines) or "no findings"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Audit the figures the notebooks draw (colour-blind safety, text).")
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--from", dest="source", type=Path, help="analyse a JSON-lines record instead of running")
    parser.add_argument("--record", type=Path, default=coursefiles.REPO / RECORD, help="where to write the record")
    parser.add_argument("--json", type=Path, help="also write the findings to this file")
    args = parser.parse_args(argv)
    errors = {}
    if args.source:
        records = read(args.source)
    else:
        if not args.notebooks:
            parser.error("name the notebooks to run, or --from a record")
        args.record.unlink(missing_ok=True)
        errors = execute(args.notebooks, args.record)
        records = read(args.record) if args.record.exists() else []
    found = findings(records)
    print(report(found, errors))
    n_pairs = sum(f["problem"] == "colours merge" for f in found)
    n_text = sum(f["problem"] == "text under 9 pt" for f in found)
    n_wide = sum(f["problem"] == "wider than the page" for f in found)
    print(f"\n{len(records)} figures; {n_pairs} merging pairs without a second cue; {n_text} figures with text "
          f"under 9 pt; {n_wide} figures wider than {plotting.MAX_FIGURE_WIDTH} in", file=sys.stderr)  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"figures": len(records), "findings": found, "errors": errors}, indent=1))
    return 1 if found or errors else 0


if __name__ == "__main__":
    sys.exit(main())
