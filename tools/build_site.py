"""Build the course website with Jupyter Book 1 (`make site`): build/site/index.html.

    .venv-site/bin/python tools/build_site.py           # what `make site` runs
    .venv-site/bin/python tools/build_site.py --stage   # only write the book's sources into build/site-src/

The book is put together in build/site-src/ from the repository as it is, nothing typed twice:
- the lessons (notebooks/), the practice notebooks as students get them (exercises/) and the worked solutions
  (solutions/), in the same folders as in the repository, so that every link between notebooks, and the
  navigation cells' links to ../README.md#syllabus, resolve on the site as they do in JupyterLab;
- README.md as a page (its Binder badge image becomes a text link: the site loads nothing from elsewhere);
- a landing page (index.md) with each lesson's time, datasets and learning objectives read from the lesson's
  first cell, and the measured run time and peak memory (build/budget.json when `make budget` wrote one,
  else the README's syllabus table, which `make readme` writes);
- a page for instructors with the budget table;
- _toc.yml in syllabus order (file-name order: each lesson, then its practice and its solutions);
- _config.yml: no execution at build time (CI executes every notebook with nbval already): a notebook is shown
  with its outputs when `make budget` saved an executed copy of it (build/executed/) that is at least as new as
  the notebook, else as students open it; Binder launch buttons, MathJax served from the site itself
  (sphinx-mathjax-offline), no Thebe, no comments, nothing fetched at view time.

Jupyter Book 1 (Sphinx, sphinx-book-theme) is chosen over version 2 because it builds entirely offline from
packages on PyPI; version 2 fetches its site template from the network at build time. Sphinx and its pins
live in their own environment (.venv-site, requirements-site.txt), apart from the students'.

Exits 1 if the build fails or Sphinx warns (a broken link between pages is a warning).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402

REPO = coursefiles.REPO
STAGE = REPO / "build" / "site-src"
WORK = REPO / "build" / "site-work"
OUT = REPO / "build" / "site"
BUDGET_JSON = REPO / "build" / "budget.json"
TITLE = "Real cardiac data, before AI"
GITHUB = f"https://github.com/{coursefiles.BINDER_SLUG}"
WELCOME = "notebooks/00-welcome.ipynb"


# --- what the lessons say about themselves ------------------------------------------------------------------


def first_cell(path: Path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return next((c.source for c in nb.cells if c.cell_type == "markdown"), "")


def table_value(text: str, key: str) -> str:
    """The value of the ``| **Key** | value |`` row of a lesson's header table ('' if there is none)."""
    m = re.search(rf"^\|\s*\*\*{re.escape(key)}\*\*\s*\|\s*(.*?)\s*\|\s*$", text, re.M)
    return m[1] if m else ""


LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def objectives(text: str) -> list[str]:
    """The numbered or bulleted items that follow **Learning objectives** in a lesson's first cell."""
    at = text.find("Learning objectives")
    if at < 0:
        return []
    items = []
    for line in text[at:].splitlines()[1:]:
        m = re.match(r"\s*(?:\d+\.|[-*])\s+(.*)", line)
        if m:
            items.append(m[1].strip())
        elif items and line.startswith("   ") and line.strip():  # an item continued on the next line
            items[-1] += " " + line.strip()
        elif items:
            break
    # glossary links point from notebooks/, not from the landing page: keep their text (a link may span lines)
    return [LINK.sub(r"\1", item) for item in items]


def lesson_facts(lesson: Path) -> dict:
    text = first_cell(lesson)
    return {
        "path": lesson.relative_to(REPO).as_posix() if lesson.is_relative_to(REPO) else lesson.name,
        "title": coursefiles.title(lesson),
        "time": table_value(text, "Time"),
        "datasets": table_value(text, "Datasets"),
        "objectives": objectives(text),
    }


# --- measured run time and memory ----------------------------------------------------------------------------


def measured_from_readme(readme: Path = REPO / "README.md") -> dict[str, str]:
    """Lesson number -> the README syllabus table's "Run time · peak memory" cell."""
    import budget

    lines = readme.read_text().split("## Syllabus", 1)[-1].splitlines()
    head = next((i for i, line in enumerate(lines) if line.startswith("| Lesson")), None)
    if head is None:
        return {}
    header = budget._cells(lines[head])
    if budget.MEASURED_COL not in header:
        return {}
    col = header.index(budget.MEASURED_COL)
    out = {}
    for line in lines[head + 2 :]:
        if not line.startswith("|"):
            break
        cells = budget._cells(line)
        m = re.match(r"\[?(\d\d) ·", cells[0])
        if m and col < len(cells):
            out[m[1]] = cells[col]
    return out


def measured_from_budget(results: dict) -> dict[str, str]:
    """Lesson number -> "lesson 5 s · 435 MiB; practice 3 s · 395 MiB" from `make budget`'s JSON."""
    import budget

    out = {}
    for lesson in coursefiles.lessons():
        parts = []
        for label, path in (("lesson", lesson), ("practice", coursefiles.practice_of(lesson, "solutions"))):
            r = results.get(path.relative_to(REPO).as_posix())
            if r and not r["error"]:
                parts.append(f"{label} {budget.figure(r)}")
        if parts:
            out[coursefiles.number(lesson)] = "; ".join(parts)
    return out


def budget_results() -> dict | None:
    try:
        return json.loads(BUDGET_JSON.read_text())
    except (OSError, ValueError):
        return None


# --- the pages -------------------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    """Text for one cell of a Markdown table."""
    return text.replace("|", "\\|").replace("\n", " ")


def executed_note(lessons: list[Path]) -> str:
    shown = [p for p in coursefiles.all_notebooks() if executed_copy(p)]
    if len(shown) == len(coursefiles.all_notebooks()):
        return ("The pages show every notebook as `make budget` ran it, with its figures and numbers; run it "
                "yourself (on Binder or with `make lab`) and every number is computed again from the data in front "
                "of you.")  # fmt: skip
    return ("The pages show each notebook as a student opens it, before it runs (run `make budget`, then `make site`, "
            "to show them executed): every number and figure is computed when you run it (on Binder or with `make "
            "lab`), from the data in front of you.")  # fmt: skip


def index_page(lessons: list[Path]) -> str:
    import budget

    results = budget_results()
    figures = measured_from_budget(results) if results else measured_from_readme()
    source = (
        "measured by `make budget` (build/budget.json)"
        if results
        else "as the README's syllabus table records them (`make readme`)"
    )
    readme = (REPO / "README.md").read_text()
    intro = readme.split("\n## ", 1)[0].split("\n", 1)[1]
    intro = re.sub(r"^\[!\[.*$", "", intro, flags=re.M).strip()
    lines = [
        f"# {TITLE}",
        "",
        intro,
        "",
        f"**Run it:** [launch the whole course on Binder]({coursefiles.binder_url(WELCOME)}) (nothing to install), "
        "or on your computer with `make lab` ([how](README.md#start)). Every page has a launch button at its top "
        "right that opens that notebook on Binder.",
        "",
        executed_note(lessons),
        "",
        "## Lessons",
        "",
        f"Time is the lesson's own estimate (teaching · exercises). Run time and peak memory are {source}: "
        f"each notebook on a fresh kernel on a 2-core machine, against the budget of {budget.MAX_SECONDS:.0f} s and "
        f"{budget.MAX_MIB:.0f} MiB (see [For instructors](instructors.md)).",
        "",
    ]
    for lesson in lessons:
        facts = lesson_facts(lesson)
        number = coursefiles.number(lesson)
        practice = coursefiles.practice_of(lesson, "exercises")
        solutions = coursefiles.practice_of(lesson, "solutions")
        lines += [f"### [{facts['title']}]({facts['path']})", ""]
        rows = [("Time", facts["time"]), ("Datasets", facts["datasets"])]
        rows.append(("Run time · peak memory", figures.get(number, "not measured yet (`make budget`)")))
        links = []
        if practice.is_file():
            links.append(f"[practice]({practice.relative_to(REPO).as_posix()})")
        if solutions.is_file():
            links.append(f"[worked solutions]({solutions.relative_to(REPO).as_posix()})")
        links.append(f"[launch on Binder]({coursefiles.binder_url(facts['path'])})")
        rows.append(("Notebooks", " · ".join(links)))
        lines += ["| | |", "|---|---|"] + [f"| **{k}** | {_md_cell(v)} |" for k, v in rows] + [""]
        if facts["objectives"]:
            lines += ["**Learning objectives.** By the end of this lesson you can", ""]
            lines += [f"{i}. {item}" for i, item in enumerate(facts["objectives"], 1)] + [""]
    return "\n".join(lines) + "\n"


def instructors_page() -> str:
    import budget

    readme = (REPO / "README.md").read_text()
    m = re.search(r"^### For instructors\n(.*?)(?=^## )", readme, re.M | re.S)
    guide = m[1].strip() if m else ""
    lines = ["# For instructors", "", guide, "", "## The time and memory budget", ""]
    results = budget_results()
    if results:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(BUDGET_JSON.stat().st_mtime))
        lines += [
            f"What `make budget` measured ({stamp}), every notebook on a fresh kernel, against "
            f"{budget.MAX_SECONDS:.0f} s and {budget.MAX_MIB:.0f} MiB:",
            "",
            "| notebook | run time | peak memory | verdict |",
            "|---|---:|---:|---|",
        ]
        for name, r in results.items():
            problems = budget.verdict(r, budget.MAX_SECONDS, budget.MAX_MIB)
            t = "—" if r["error"] else f"{r['seconds']:.1f} s"
            mib = "—" if r["error"] else f"{r['peak_mib']:.0f} MiB"
            verdict = "; ".join(problems) if problems else "ok"
            lines.append(f"| `{name}` | {t} | {mib} | {_md_cell(verdict)} |")
    else:
        figures = measured_from_readme()
        lines += [
            "`make budget` has not been run on this machine; these are the figures the README's syllabus table "
            f"records (`make readme`), against {budget.MAX_SECONDS:.0f} s and {budget.MAX_MIB:.0f} MiB per notebook:",
            "",
            "| lesson | run time · peak memory |",
            "|---|---|",
        ]
        for lesson in coursefiles.lessons():
            lines.append(f"| {coursefiles.title(lesson)} | {figures.get(coursefiles.number(lesson), '—')} |")
    return "\n".join(lines) + "\n"


README_TITLE = "README: setup, syllabus and data"


def readme_page() -> str:
    """README.md as a page: the badge's image (from mybinder.org) becomes a plain link, and its title says it is
    the README (the landing page already carries the course's name)."""
    text = (REPO / "README.md").read_text()
    text = re.sub(r"\A# .*", f"# {README_TITLE}", text)
    return re.sub(r"\[!\[([^\]]*)\]\([^)]*\)\]\(([^)]*)\)", r"[\1](\2)", text)


def toc(lessons: list[Path]) -> str:
    lines = ["format: jb-book", "root: index", "parts:", "  - caption: The course", "    chapters:"]
    for lesson in lessons:
        rel = lesson.relative_to(REPO).with_suffix("").as_posix()
        lines.append(f"      - file: {rel}")
        sections = []
        for kind, label in (("exercises", "Practice"), ("solutions", "Worked solutions")):
            p = coursefiles.practice_of(lesson, kind)
            if p.is_file():
                sections.append(
                    (p.relative_to(REPO).with_suffix("").as_posix(), f"{coursefiles.number(lesson)} {label}")
                )
        if sections:
            lines.append("        sections:")
            lines += [f"          - file: {f}\n            title: {json.dumps(t)}" for f, t in sections]
    lines += [
        "  - caption: About the course",
        "    chapters:",
        "      - file: README",
        f"        title: {json.dumps(README_TITLE)}",
        "      - file: instructors",
    ]
    lines += [f"      - file: {p.relative_to(REPO).with_suffix('').as_posix()}" for p in coursefiles.markdown_pages()]
    return "\n".join(lines) + "\n"


CONFIG = f"""\
# Written by tools/build_site.py; edit it there.
title: {json.dumps(TITLE)}
author: The course's authors
copyright: ""
only_build_toc_files: true
exclude_patterns: ["_build", "**.ipynb_checkpoints"]
execute:
  execute_notebooks: "off"
repository:
  url: {GITHUB}
  branch: HEAD
  path_to_book: ""
launch_buttons:
  notebook_interface: jupyterlab
  binderhub_url: https://mybinder.org
  thebe: false
html:
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  use_download_button: true
  home_page_in_navbar: true
  use_multitoc_numbering: false
  extra_footer: ""
  comments:
    hypothesis: false
    utterances: false
parse:
  myst_enable_extensions: [dollarmath, amsmath, colon_fence, deflist, html_image]
sphinx:
  local_extensions:
    course_site: _ext
  extra_extensions:
    - sphinx-mathjax-offline
  config:
    html_show_copyright: false
    html_show_sphinx: false
    html_last_updated_fmt: ""
    html_static_path: [_static]
    html_js_files: [course.js]
    html_css_files: [course.css]
    nb_execution_mode: "off"
    myst_heading_anchors: 3
    suppress_warnings: ["myst.header"]
"""

EXTENSION = '''\
"""Sphinx extension for the course site, written by tools/build_site.py: every page gets a Binder launch button.

sphinx-book-theme adds one to notebook pages; a page written in Markdown (the landing page, the README, the
instructors' page) gets one that opens the welcome lesson, in the same place and of the same look."""

BINDER = "%s"


def add_launch_button(app, pagename, templatename, context, doctree):
    buttons = context.get("header_buttons")
    if buttons is None or any(b.get("label") == "launch-buttons" for b in buttons):
        return
    buttons.append(
        {
            "type": "group",
            "tooltip": "Launch interactive content",
            "icon": "fas fa-rocket",
            "label": "launch-buttons",
            "buttons": [
                {
                    "type": "link",
                    "text": "Binder",
                    "tooltip": "Launch the course on Binder",
                    "icon": "_static/images/logo_binder.svg",
                    "url": BINDER,
                }
            ],
        }
    )


def setup(app):
    app.connect("html-page-context", add_launch_button, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
'''

COURSE_JS = """\
// Code cells can be folded: each one is a <details> element (myst-nb's hide-input), open when the page loads.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("details.above-input").forEach((d) => { d.open = true; });
});
"""

COURSE_CSS = """\
/* A folded code cell still says what it is. */
details.above-input > summary { font-size: 0.85em; }
"""


def executed_copy(path: Path) -> Path | None:
    """The copy of ``path`` that `make budget` executed (build/executed/...), if it is at least as new as the
    notebook itself; else None, and the page shows the notebook unexecuted."""
    import budget

    copy = budget.EXECUTED / path.relative_to(REPO)
    return copy if copy.is_file() and copy.stat().st_mtime >= path.stat().st_mtime else None


def stage(out: Path = STAGE) -> list[Path]:
    """Write the book's sources into ``out``; returns the lessons, in syllabus order."""
    import nbformat

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    lessons = coursefiles.lessons()
    for path in coursefiles.all_notebooks():
        nb = nbformat.read(executed_copy(path) or path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":  # foldable: myst-nb wraps the cell's source in <details>
                tags = cell.metadata.setdefault("tags", [])
                if "hide-input" not in tags:
                    tags.append("hide-input")
        if path.parent.name == "solutions":  # its title is the practice notebook's: say which one this is
            first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
            if first is not None:
                first.source = re.sub(r"^(#\s+.+?)\s*$", r"\1 (worked solutions)", first.source, count=1, flags=re.M)
        dest = out / path.relative_to(REPO)
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
    (out / "README.md").write_text(readme_page())
    for page in coursefiles.markdown_pages():  # the data cards (and any other guide): pages of their own
        dest = out / page.relative_to(REPO)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, dest)
    copy_linked_files(out)
    (out / "index.md").write_text(index_page(lessons))
    (out / "instructors.md").write_text(instructors_page())
    (out / "_toc.yml").write_text(toc(lessons))
    (out / "_config.yml").write_text(CONFIG)
    (out / "_ext").mkdir()
    (out / "_ext" / "course_site.py").write_text(EXTENSION % coursefiles.binder_url(WELCOME))
    (out / "_static").mkdir()
    (out / "_static" / "course.js").write_text(COURSE_JS)
    (out / "_static" / "course.css").write_text(COURSE_CSS)
    return lessons


MAX_LINKED_BYTES = 5 * 2**20


def copy_linked_files(out: Path) -> None:
    """Files that pages link to and that are not pages themselves (a CSV, a licence, a figure) are copied next to
    the pages, as in the repository, so that the link works on the site (Sphinx offers them as downloads)."""
    import nbformat

    for page in [*out.rglob("*.md"), *out.rglob("*.ipynb")]:
        if page.suffix == ".ipynb":
            cells = nbformat.read(page, as_version=4).cells
            text = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
        else:
            text = page.read_text(encoding="utf-8")
        for target in coursefiles.markdown_links(text):
            url = urlparse(target)
            if url.scheme or not url.path or url.path.endswith((".md", ".ipynb")) or target.startswith("//"):
                continue
            source = (REPO / page.parent.relative_to(out) / unquote(url.path)).resolve()
            if source.is_file() and source.is_relative_to(REPO) and source.stat().st_size <= MAX_LINKED_BYTES:
                dest = out / source.relative_to(REPO)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, dest)


def build(src: Path = STAGE, work: Path = WORK, out: Path = OUT) -> int:
    try:
        import jupyter_book  # noqa: F401
    except ImportError:
        print(
            "Jupyter Book is not installed here: run `make site` (it installs requirements-site.txt into .venv-site), "
            "or run this with .venv-site's Python",
            file=sys.stderr,
        )
        return 2
    if work.exists():
        shutil.rmtree(work)
    # Jupyter Book's own command line (the `jupyter-book` command), run with this Python on every system.
    run_jb = "import sys; from jupyter_book.cli.main import main; sys.exit(main())"
    args = ["build", str(src), "--path-output", str(work), "--builder", "html", "-W", "-n", "--keep-going"]
    proc = subprocess.run([sys.executable, "-c", run_jb, *args])
    if proc.returncode != 0:
        print("SITE BUILD FAILED (see the warnings above)", file=sys.stderr)
        return 1
    if out.exists():
        shutil.rmtree(out)
    shutil.move(str(work / "_build" / "html"), str(out))
    shutil.rmtree(work)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", action="store_true", help="only write the sources into build/site-src/")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    stage()
    if args.stage:
        print(f"sources: {STAGE}")
        return 0
    status = build()
    if status == 0:
        print(f"\nsite built in {time.perf_counter() - start:.0f} s: {OUT / 'index.html'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
