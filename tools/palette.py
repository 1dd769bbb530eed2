"""The palette of meanings: where the lessons use it, whether it keeps its rule, and its page (docs/palette.md).

    python tools/palette.py            # write docs/palette.md
    python tools/palette.py --check    # exit 1 if docs/palette.md is out of date or the palette breaks its rule
    python tools/palette.py --survey   # every colour the notebooks pick: by meaning, by alias, by position, literal

The rule is stated in heartdata/plotting.py (and on the page). ``violations()`` checks it against the mapping and
the colour-vision simulation of tools/cvd.py; ``survey()`` reads the code cells of notebooks/ and solutions/.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402
import cvd  # noqa: E402

from heartdata import plotting  # noqa: E402

PAGE = Path("docs/palette.md")
#: Two hues of the palette closer than this in normal vision would be one colour in disguise.
MIN_HUE_DELTA_E = 10.0
#: Keyword arguments that take a colour in matplotlib and seaborn.
COLOUR_KWARGS = {"color", "colour", "c", "colors", "facecolor", "facecolors", "edgecolor", "edgecolors", "mfc", "mec",
                 "markerfacecolor", "markeredgecolor", "ecolor", "palette", "fc", "ec"}  # fmt: skip
#: Colours that are the page, not a meaning: white edges and "no colour".
BACKGROUND = {"white", "w", "none", "#ffffff", "#fff"}
LINE_ONLY = {"chance", "annotation"}  # roles drawn only as lines: a line style is their whole cue


# --- the rule --------------------------------------------------------------------------------------------------


def is_grey(colour: str) -> bool:
    r, g, b = (colour[i : i + 2] for i in (1, 3, 5))
    return r.lower() == g.lower() == b.lower()


def shared(m: plotting.Meaning) -> bool:
    return len(m.lessons) > 1


def has_cue(a: plotting.Meaning, b: plotting.Meaning) -> bool:
    """A second cue for every kind of mark: another marker, another line style and (unless one of the two is a
    line-only role) another hatch."""
    hatch = a.hatch != b.hatch or a.name in LINE_ONLY or b.name in LINE_ONLY
    return a.marker != b.marker and a.linestyle != b.linestyle and hatch


def pairs_together() -> list[tuple[plotting.Meaning, plotting.Meaning]]:
    """Every pair of meanings the palette says can share one axes: one family (the roles are one family), chance
    or annotation with any meaning, and the pairs of TOGETHER."""
    ms = plotting.MEANINGS
    out = set()
    for a, b in itertools.combinations(ms.values(), 2):
        if a.family == b.family or {a.name, b.name} & LINE_ONLY:
            if b.name == a.role or a.name == b.role or (a.role and a.role == b.role and a.family != b.family):
                continue  # a meaning drawn in a role's grey is that role in its figure
            out.add((a.name, b.name))
    out |= {tuple(p) for p in plotting.TOGETHER}
    return [(ms[a], ms[b]) for a, b in sorted(out)]


def pair_report(a: plotting.Meaning, b: plotting.Meaning) -> dict:
    de = {k: cvd.delta_e(a.colour, b.colour, k) for k in [None, *cvd.KINDS]}
    low = min(de[k] for k in cvd.REQUIRED)
    return {"a": a.name, "b": b.name, "normal": de[None], **{k: de[k] for k in cvd.KINDS}, "worst": low,
            "merges": low < plotting.CVD_MIN_DELTA_E, "cue": has_cue(a, b)}  # fmt: skip


def violations() -> list[str]:
    """Every way the mapping breaks the rule stated in heartdata/plotting.py (empty when it keeps it)."""
    ms, out = plotting.MEANINGS, []
    for name, m in ms.items():
        if not re.fullmatch(r"#[0-9A-F]{6}", m.colour):
            out.append(f"{name}: colour {m.colour!r} is not an upper-case #RRGGBB hex code")
            continue
        if m.family == "role":
            if plotting.ROLE_COLOURS.get(name) != m.colour:
                out.append(f"role {name}: colour {m.colour} is not ROLE_COLOURS[{name!r}]")
        elif m.role:
            if plotting.ROLE_COLOURS.get(m.role) != m.colour:
                out.append(f"{name}: takes role {m.role!r} but its colour {m.colour} is not that role's grey")
        elif is_grey(m.colour):
            out.append(f"{name}: grey or black ({m.colour}) without a role: greys are the roles' (rule 1)")
        if not m.lessons or any(not re.fullmatch(r"\d\d", x) for x in m.lessons):
            out.append(f"{name}: lessons {m.lessons!r} are not two-digit lesson numbers")
    for alias, target in plotting.ALIASES.items():
        if target not in ms:
            out.append(f"alias {alias!r} points at {target!r}, which is not a meaning")
        if alias in ms:
            out.append(f"alias {alias!r} is also a meaning's name")
    hues = [m for m in ms.values() if not is_grey(m.colour)]
    by_colour: dict[str, list[plotting.Meaning]] = {}
    for m in hues:
        by_colour.setdefault(m.colour, []).append(m)
    for colour, group in by_colour.items():
        owners = [m for m in group if shared(m)]
        if len(owners) > 1:
            out.append(f"{colour} is taken by {len(owners)} shared meanings: {', '.join(m.name for m in owners)}")
            continue
        for owner in owners:
            family_lessons = {x for m in ms.values() if m.family == owner.family for x in m.lessons}
            for m in group:
                if m is owner:
                    continue
                clash = sorted(set(m.lessons) & family_lessons)
                if clash:
                    out.append(f"{m.name} reuses {owner.name}'s {colour} in lesson {', '.join(clash)}, where the "
                               f"{owner.family} family appears (rule 3)")  # fmt: skip
        for a, b in itertools.combinations(group, 2):
            common = sorted(set(a.lessons) & set(b.lessons))
            if common:
                out.append(f"{a.name} and {b.name} are both {colour} in lesson {', '.join(common)}")
    for a, b in itertools.combinations(sorted(by_colour), 2):
        d = cvd.delta_e(a, b)
        if d < MIN_HUE_DELTA_E:
            out.append(f"hues {a} and {b} are only {d:.1f} apart in normal vision: one colour in disguise")
    for a, b in pairs_together():
        r = pair_report(a, b)
        if r["merges"] and not r["cue"]:
            kind = min(cvd.REQUIRED, key=lambda k: r[k])
            out.append(f"{a.name} ({a.colour}) and {b.name} ({b.colour}) can share a figure and merge under {kind} "
                       f"(CIEDE2000 {r[kind]:.1f} < {plotting.CVD_MIN_DELTA_E:g}) without a second cue")  # fmt: skip
    return out


# --- where the lessons use it ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    lesson: str
    path: str  # relative to the repository
    cell: int
    kind: str  # "meaning", "alias", "dynamic", "position", "literal"
    what: str  # the meaning or alias, the expression, or the literal colour


def _code(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _is(node, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (isinstance(node, ast.Attribute) and node.attr == name)


def uses_in(source: str) -> list[tuple[str, str]]:
    """(kind, what) for every colour a cell's code picks."""
    from matplotlib.colors import is_color_like

    try:
        tree = ast.parse(_code(source))
    except SyntaxError:
        return []
    out = []

    def key(node, kind_if_static="meaning"):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value
            return ("alias" if name in plotting.ALIASES else kind_if_static), name
        return "dynamic", ast.unparse(node)

    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is(node.value, "COLOURS"):
            out.append(key(node.slice))
        elif isinstance(node, ast.Subscript) and _is(node.value, "PALETTE"):
            out.append(("position", ast.unparse(node)))
        elif isinstance(node, ast.Call) and (_is(node.func, "style") or _is(node.func, "meaning")) and node.args:
            out.append(key(node.args[0]))
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg not in COLOUR_KWARGS:
                    continue
                values = kw.value.elts if isinstance(kw.value, (ast.List, ast.Tuple)) else [kw.value]
                for v in values:
                    if isinstance(v, ast.Constant) and isinstance(v.value, str):
                        text = v.value
                        if text.lower() not in BACKGROUND and is_color_like(text):
                            out.append(("literal", text))
    return out


def survey(root: Path = coursefiles.REPO) -> list[Use]:
    """Every colour the lessons and solutions pick, cell by cell."""
    out = []
    for folder in ("notebooks", "solutions"):
        for path in sorted((root / folder).glob("[0-9][0-9]-*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            for i, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    for kind, what in uses_in(cell.source):
                        out.append(Use(path.name[:2], path.relative_to(root).as_posix(), i, kind, what))
    return out


def not_migrated(uses: list[Use]) -> dict[str, list[str]]:
    """Per notebook, the uses that are not a meaning by its own name (aliases, positions, literal colours)."""
    out: dict[str, list[str]] = {}
    for u in uses:
        if u.kind in ("alias", "position", "literal"):
            out.setdefault(u.path, []).append(f"cell {u.cell}: {u.kind} {u.what}")
    return out


# --- the page ---------------------------------------------------------------------------------------------------


def swatch(colour: str, title: str = "") -> str:
    tip = f' title="{title}"' if title else ""
    return (f'<span style="display:inline-block;width:2.2em;height:1.1em;background:{colour};'
            f'border:1px solid #888;vertical-align:middle"{tip}></span>')  # fmt: skip


def _cue(m: plotting.Meaning) -> str:
    parts = []
    if m.marker:
        parts.append(f"marker `{m.marker}`".replace("|", "\\|"))  # a bare | would end the table's cell
    parts.append(f"line `{m.linestyle}`")
    if m.hatch:
        parts.append(f"hatch `{m.hatch}`")
    return ", ".join(parts)


INTRO = """# The palette of meanings

<!-- Written by tools/palette.py from heartdata/plotting.py; do not edit by hand. -->

Every figure of the course takes its colours from `heartdata.plotting` by meaning: `COLOURS["died"]` is the colour
of death in every lesson, and `style("missing", "bars")` gives a meaning's colour together with its second cue
(hatch, marker, line style). This page lists every meaning, its colour as a reader with normal vision and with the
two common colour-vision deficiencies sees it, the lessons that draw it, and the rule.

## The rule

1. **Roles are greys and black**, and any lesson uses them: *annotation* (black: thresholds, medians, group
   boundaries, published values), *neutral* (dark grey: the data when colour means nothing, and the data in focus),
   *reference* (light grey: what the focus is compared with) and *chance* (mid grey, dashed).
   **Neutral + accent:** a figure that sets one state or group against another (the data after a step against the
   data before it; a highlighted group against the rest; normal beats against the rarer classes) draws the reference
   light grey and the focus dark grey or in its hue. A meaning takes a role's grey only by declaring that role; no
   other meaning is grey or black.
2. **A meaning drawn in more than one lesson owns its hue**: no other meaning of the course has it.
3. **A meaning drawn in one lesson only** may reuse a shared meaning's hue, but only in a lesson where no meaning of
   the owner's family appears (blue never means *computing* in a lesson that shows who survived), and within one
   lesson no two meanings have one colour.
4. **Meanings that can share one axes** (one family; the roles among themselves; chance or annotation with any
   meaning; the pairs listed in `TOGETHER`) stay at least **{threshold:g} CIEDE2000** apart under simulated
   deuteranopia and protanopia (Machado et al. 2009, severity 1), or differ in a second cue: marker, line style and
   hatch. Figures that draw such a pair use `style(meaning, kind)`, which passes the cue to matplotlib.

The threshold: the course's figure review saw vermilion and orange (13 under deuteranopia) and bluish green and
reddish purple (16) merge in its figures; {threshold:g} leaves a margin above both. `tests/test_palette.py` checks
every rule against the mapping; `tools/figure_audit.py` checks every figure the notebooks draw (colours of one axes
closer than the threshold without a second cue; text under 9 pt).

**Adding a meaning.** Add a `Meaning` to `MEANINGS` in `heartdata/plotting.py` with its family, the lessons that draw
it, and a cue where it could merge with a meaning it is drawn with; reuse a hue only as rule 3 allows; then run
`python tools/palette.py` and `pytest tests/test_palette.py`. Never pick a colour in a cell.

**ECG paper** is the exception: `plot_ecg_paper` and `plot_ecg_strip` draw the trace in black ink on the paper's red
grid, as an electrocardiograph prints it; beat marks on a strip take their beat class's colour.

## The meanings

| meaning | colour | deuteranopia | protanopia | cue (`style`) | family | lessons | what it means |
|---|---|---|---|---|---|---|---|"""

ALIASES_HEAD = """
## Old names

Names lessons used before the palette of meanings still work and give the colour of the meaning they now belong to;
new cells use the meaning's name.

| old name | meaning |
|---|---|"""

PAIRS_HEAD = """
## Pairs that share a figure

CIEDE2000 between the two colours; **bold**: under {threshold:g} under deuteranopia or protanopia, so the pair
carries a second cue.

| pair | normal | deuteranopia | protanopia | tritanopia | second cue |
|---|---|---|---|---|---|"""

SOURCES = """
Sources: Okabe M, Ito K. *Color Universal Design (CUD): how to make figures and presentations that are friendly to
colorblind people*, 2008 (the eight-colour set); Tol P. *Colour schemes*, SRON technical note SRON/EPS/TN/09-002,
2021 (indigo, wine); Machado GM, Oliveira MM, Fernandes LAF. A physiologically-based model for simulation of color
vision deficiency. *IEEE TVCG* 2009;15(6):1291-8; Sharma G, Wu W, Dalal EN. The CIEDE2000 color-difference formula.
*Color Res Appl* 2005;30(1):21-30. Simulation and CIEDE2000 by the colour-science package (`tools/cvd.py`).
"""


def page() -> str:
    ms = plotting.MEANINGS
    threshold = plotting.CVD_MIN_DELTA_E
    lines = INTRO.format(threshold=threshold).splitlines()
    for m in ms.values():
        role = f" (the *{m.role}* grey)" if m.role else ""
        lessons = "all" if len(m.lessons) == 12 else ", ".join(m.lessons)
        lines.append(
            f"| **{m.name}** | {swatch(m.colour, m.colour)} `{m.colour}`{role} "
            f"| {swatch(cvd.simulate(m.colour, 'deuteranopia'))} | {swatch(cvd.simulate(m.colour, 'protanopia'))} "
            f"| {_cue(m)} | {m.family} | {lessons} | {m.what} |"
        )
    lines += ALIASES_HEAD.splitlines()
    lines += [f"| `{a}` | {t} |" for a, t in plotting.ALIASES.items()]
    lines += PAIRS_HEAD.format(threshold=threshold).splitlines()
    for a, b in pairs_together():
        r = pair_report(a, b)

        def fmt(k, r=r):
            v = f"{r[k]:.0f}"
            return f"**{v}**" if k in cvd.REQUIRED and r[k] < threshold else v

        cue = "yes" if r["cue"] else ("needed" if r["merges"] else "—")
        lines.append(
            f"| {a.name} · {b.name} | {r['normal']:.0f} | {fmt('deuteranopia')} | {fmt('protanopia')} "
            f"| {r['tritanopia']:.0f} | {cue} |"
        )
    lines += SOURCES.splitlines()
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write or check docs/palette.md; survey the notebooks' colours.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is out of date or a rule is broken")
    parser.add_argument("--survey", action="store_true", help="print where the notebooks pick colours")
    parser.add_argument("--root", type=Path, default=coursefiles.REPO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.survey:
        for u in survey(args.root):
            print(f"{u.path} cell {u.cell}: {u.kind} {u.what}")
        return 0
    broken = violations()
    for v in broken:
        print(f"palette rule: {v}", file=sys.stderr)
    path = args.root / PAGE
    new = page()
    old = path.read_text() if path.exists() else ""
    if args.check:
        if new != old:
            print(f"out of date: {PAGE.as_posix()}\nRun `python tools/palette.py`.", file=sys.stderr)
        return 1 if broken or new != old else 0
    path.write_text(new)
    print(f"wrote {PAGE.as_posix()} ({len(plotting.MEANINGS)} meanings, {len(plotting.ALIASES)} old names)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
