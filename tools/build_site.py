"""Build the course website (`make site`): every lesson, practice notebook and worked solution, executed.

    make site                 # build/site/index.html, with the worked solutions
    make site SOLUTIONS=0     # the same site without the worked solutions (for a cohort)
    .venv-site/bin/python tools/build_site.py [--no-solutions] [--stage-only]

Three steps, each named when it fails, in one line (its full log kept in build/site-log/):

1. **Stage** the book's sources into build/site-src/ from the repository as it is, nothing typed twice: the lessons
   (notebooks/), the practice notebooks (exercises/) and the worked solutions (solutions/) in the repository's
   folders, so that every link between notebooks resolves on the site as in JupyterLab; README.md, every Markdown
   page the course ships (docs/, the data cards, CHANGELOG.md: a new page under docs/ is published without
   anything to declare), a landing page with each lesson's time, datasets and objectives, a page for
   instructors, and a citation page from CITATION.cff. What editors and JupyterLab leave behind
   (``.ipynb_checkpoints/``, ``*-checkpoint.md``, ``*~``, ``.DS_Store``, ``__pycache__``, ``.venv*``) is never
   staged (``coursefiles.is_leftover``). A file is rewritten only when its content changed, so that Sphinx
   re-reads only what changed.
2. **Execute** every notebook through jupyter-cache (build/site-cache/), the executed-notebook cache that myst-nb
   and Jupyter Book use: a notebook whose code cells are unchanged since it last ran is taken from the cache;
   the others run, two at a time, on a fresh kernel of the students' environment (.venv, so the pages show what a
   student gets), on the shipped data (HEARTDATA_DIR is unset). The cache is emptied when what the code runs on
   changes: the course's package, the shipped data's checksums or the pinned requirements. A notebook that fails
   stops the build with one line naming it and its error, and nothing is published: the site is never a mix of
   executed and unexecuted pages.
3. **Render** with Sphinx, myst-nb and sphinx-book-theme (-W: a warning, such as a broken link, fails the build).
   Prose cells (tools/prose.py: cells that only write a computed sentence) show their sentence, with their code
   folded (tag hide-input; a not-yet-marked prose cell is marked on the site's copy). Reading order: each lesson,
   then its practice notebook, then the next lesson; the worked solutions are reachable from their practice page,
   folded, outside previous/next; search ranks lessons first (tools/site/scorer.js). Every page has a Binder
   launch button, a link to the repository and one to report a problem with that page, and a footer with the
   licence, version (CITATION.cff) and authors.

**Why Sphinx with myst-nb, and not Jupyter Book.** Jupyter Book 1 is in maintenance mode and holds Sphinx below 8
and myst-parser 3; everything it gave this site (notebook pages, launch buttons, the book theme, execution with
jupyter-cache) comes from the Sphinx extensions it wraps, which install from PyPI at their current versions and
are configured here directly (tools/site/conf.py). Jupyter Book 2 (mystmd) needs Node.js and fetches its site
template from the network at build time, so it cannot build offline unless a prebuilt template is kept in the
repository, and that template is not published on PyPI or npm.

Sphinx, myst-nb and jupyter-cache live in their own environment (.venv-site, requirements-site.txt), apart from
the students'; the notebooks run on the students' kernel (.venv). Exits 1 when a step fails, 2 when the site's
environment is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402
import prose  # noqa: E402
from navigation import SOLUTIONS_TAG  # noqa: E402  (a practice notebook's cell that points to its solutions)

REPO = coursefiles.REPO
SITE_FILES = Path(__file__).resolve().parent / "site"  # conf.py, the extension, templates, CSS, search scorer
BUDGET_JSON = REPO / "build" / "budget.json"
CACHE = REPO / "build" / "site-cache"
WELCOME = "notebooks/00-welcome.ipynb"
README_TITLE = "README: setup, syllabus and data"
CELL_TIMEOUT = 300  # seconds for one cell: a hung cell fails the build instead of hanging it


class Paths:
    """Where one build reads and writes: the course at ``root``, the build's folders under ``build``."""

    def __init__(self, root: Path = REPO, build: Path | None = None, cache: Path = CACHE):
        self.root = root
        build = build or root / "build"
        self.src = build / "site-src"  # what Sphinx reads
        self.exec = build / "site-exec"  # the notebooks as the kernels run them
        self.doctrees = build / "site-doctrees"
        self.out = build / "site"
        self.log = build / "site-log"
        self.kernels = build / "site-kernel"
        self.cache = cache


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


def lesson_facts(lesson: Path, root: Path = REPO) -> dict:
    text = first_cell(lesson)
    return {
        "path": lesson.relative_to(root).as_posix() if lesson.is_relative_to(root) else lesson.name,
        "title": coursefiles.title(lesson),
        # links in a lesson's header are relative to notebooks/; the landing page sits at the root
        "time": table_value(text, "Time").replace("](../", "]("),
        "datasets": table_value(text, "Datasets").replace("](../", "]("),
        "objectives": objectives(text),
    }


# --- the course's own facts: citation, version, repository -----------------------------------------------------


def citation(root: Path = REPO) -> dict:
    """CITATION.cff, read (the course's title, version, authors, licence, and the datasets it cites)."""
    import yaml

    return yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))


def authors_text(cff: dict) -> str:
    names = []
    for a in cff.get("authors", []):
        names.append(a.get("name") or " ".join(x for x in (a.get("given-names"), a.get("family-names")) if x))
    return ", ".join(names)


def git_commit(root: Path) -> str:
    """The commit the site is built from (with ``+`` when the working tree has changes), or '' outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True)
    except OSError:
        return ""
    if head.returncode != 0:
        return ""
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


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


def measured_from_budget(results: dict, root: Path = REPO) -> dict[str, str]:
    """Lesson number -> "lesson 5 s · 435 MiB; practice 3 s · 395 MiB" from `make budget`'s JSON."""
    import budget

    out = {}
    for lesson in coursefiles.lessons(root):
        parts = []
        for label, path in (("lesson", lesson), ("practice", coursefiles.practice_of(lesson, "solutions", root))):
            r = results.get(path.relative_to(root).as_posix())
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


def _doc(path: Path, root: Path) -> str:
    """The Sphinx document name of a file of the course: 'notebooks/00-welcome'."""
    return path.relative_to(root).with_suffix("").as_posix()


def index_page(root: Path = REPO, solutions: bool = True) -> str:
    import budget

    lessons = coursefiles.lessons(root)
    results = budget_results() if root == REPO else None
    figures = measured_from_budget(results, root) if results else measured_from_readme(root / "README.md")
    source = (
        "measured by `make budget` (build/budget.json)"
        if results
        else "as the README's syllabus table records them (`make readme`)"
    )
    readme = (root / "README.md").read_text()
    title = readme.split("\n", 1)[0].removeprefix("# ").strip()
    intro = readme.split("\n## ", 1)[0].split("\n", 1)[1]
    intro = re.sub(r"^\[!\[.*$", "", intro, flags=re.M).strip()
    lines = [
        f"# {title}",
        "",
        intro,
        "",
        f"**Run it:** [launch the whole course on Binder]({coursefiles.binder_url(WELCOME)}) (nothing to install), "
        "or on your computer with `make lab` ([how](README.md#start)). Every page has a launch button at its top "
        "right that opens that notebook on Binder.",
        "",
        "**Read it here:** every page shows its notebook as it ran when this site was built, on the data the course "
        "ships, with its figures and computed findings. Run it yourself and every number is computed again from "
        "the data in front of you. The order is each lesson, then its practice notebook, then the next lesson "
        "(*next* at the foot of every page)."
        + (" Each practice page links to its worked solutions, folded away until you want them." if solutions else ""),
        "",
        "## Lessons",
        "",
        f"Time is the lesson's own estimate (teaching · exercises). Run time and peak memory are {source}: "
        f"each notebook on a fresh kernel on a 2-core machine, against the budget of {budget.MAX_SECONDS:.0f} s and "
        f"{budget.MAX_MIB:.0f} MiB (see [For instructors](instructors.md)).",
        "",
    ]
    for lesson in lessons:
        facts = lesson_facts(lesson, root)
        number = coursefiles.number(lesson)
        practice = coursefiles.practice_of(lesson, "exercises", root)
        worked = coursefiles.practice_of(lesson, "solutions", root)
        lines += [f"### [{facts['title']}]({facts['path']})", ""]
        rows = [("Time", facts["time"]), ("Datasets", facts["datasets"])]
        rows.append(("Run time · peak memory", figures.get(number, "not measured yet (`make budget`)")))
        links = []
        if practice.is_file():
            links.append(f"[practice]({practice.relative_to(root).as_posix()})")
        if solutions and worked.is_file():
            links.append(f"[worked solutions]({worked.relative_to(root).as_posix()})")
        links.append(f"[launch on Binder]({coursefiles.binder_url(facts['path'])})")
        rows.append(("Notebooks", " · ".join(links)))
        lines += ["| | |", "|---|---|"] + [f"| **{k}** | {_md_cell(v)} |" for k, v in rows] + [""]
        if facts["objectives"]:
            lines += ["**Learning objectives.** By the end of this lesson you can", ""]
            lines += [f"{i}. {item}" for i, item in enumerate(facts["objectives"], 1)] + [""]
    lines += toctrees(root)
    return "\n".join(lines) + "\n"


def about_pages(root: Path) -> tuple[list[str], list[str]]:
    """The documents of the sidebar's two other parts: about the course (README, instructors, docs/, how to cite,
    changelog, any other page) and the data cards."""
    pages = [_doc(p, root) for p in coursefiles.markdown_pages(root)]
    data = [p for p in pages if p.startswith("data/")]
    docs = [p for p in pages if p.startswith("docs/")]
    rest = [p for p in pages if p not in data and p not in docs]
    return ["README", "instructors", *docs, "cite", *rest], data


def toctrees(root: Path) -> list[str]:
    """The site's table of contents, hidden on the landing page (the sidebar shows it): the lessons (each lists
    its practice notebook, so that previous/next go lesson, practice, next lesson), then the rest."""
    about, data = about_pages(root)
    out = []
    for caption, docs in (
        ("The course", [_doc(p, root) for p in coursefiles.lessons(root)]),
        ("About the course", about),
        ("The data", data),
    ):
        if docs:
            out += ["```{toctree}", ":hidden:", f":caption: {caption}", "", *docs, "```", ""]
    return out


def instructors_page(root: Path = REPO) -> str:
    import budget

    readme = (root / "README.md").read_text()
    m = re.search(r"^### For instructors\n(.*?)(?=^## )", readme, re.M | re.S)
    guide = m[1].strip() if m else ""
    lines = ["# For instructors", "", guide, "", "## The time and memory budget", ""]
    results = budget_results() if root == REPO else None
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
        figures = measured_from_readme(root / "README.md")
        lines += [
            "`make budget` has not been run on this machine; these are the figures the README's syllabus table "
            f"records (`make readme`), against {budget.MAX_SECONDS:.0f} s and {budget.MAX_MIB:.0f} MiB per notebook:",
            "",
            "| lesson | run time · peak memory |",
            "|---|---|",
        ]
        for lesson in coursefiles.lessons(root):
            lines.append(f"| {coursefiles.title(lesson)} | {figures.get(coursefiles.number(lesson), '—')} |")
    return "\n".join(lines) + "\n"


def readme_page(root: Path = REPO) -> str:
    """README.md as a page: the badge's image (from mybinder.org) becomes a plain link, and its title says it is
    the README (the landing page already carries the course's name)."""
    text = (root / "README.md").read_text()
    text = re.sub(r"\A# .*", f"# {README_TITLE}", text)
    return re.sub(r"\[!\[([^\]]*)\]\([^)]*\)\]\(([^)]*)\)", r"[\1](\2)", text)


def _reference(ref: dict) -> str:
    """One reference of CITATION.cff as a line of a bibliography."""
    people = []
    for a in ref.get("authors", []):
        if a.get("name"):
            people.append(a["name"])
        else:
            initials = "".join(part[0] for part in re.split(r"[\s-]+", a.get("given-names", "")) if part)
            people.append(f"{a.get('family-names', '')} {initials}".strip())
    where = ref.get("journal") or ref.get("conference", {}).get("name") or ref.get("publisher", {}).get("name", "")
    details = ", ".join(
        str(x)
        for x in (
            where and f"*{where}*",
            ref.get("volume") and f"{ref['volume']}" + (f"({ref['issue']})" if ref.get("issue") else ""),
            ref.get("start") and f"{ref['start']}" + (f"-{ref['end']}" if ref.get("end") else ""),
            ref.get("year"),
        )
        if x
    )
    line = f"{', '.join(people)}. {ref['title']}. {details}."
    if ref.get("version"):
        line += f" Version {ref['version']}."
    if ref.get("doi"):
        line += f" [doi:{ref['doi']}](https://doi.org/{ref['doi']})"
    elif ref.get("url"):
        line += f" <{ref['url']}>"
    return line


def cite_page(root: Path = REPO) -> str:
    """How to cite the course and the datasets, from CITATION.cff (which the page also offers whole)."""
    cff = citation(root)
    course = (
        f"{authors_text(cff)}. *{cff['title']}*. Version {cff['version']} ({cff.get('date-released', '')}). "
        f"{cff.get('repository-code', '')}"
    )
    lines = [
        "# How to cite",
        "",
        cff.get("message", "").strip(),
        "",
        "## The course",
        "",
        course.strip(),
        "",
        "## The data it uses",
        "",
        "Cite each dataset you use, and PhysioNet, as their licences ask:",
        "",
    ]
    lines += [f"- {_reference(ref)}" for ref in cff.get("references", [])]
    text = (root / "CITATION.cff").read_text(encoding="utf-8")
    lines += [
        "",
        "## The citation file",
        "",
        "The same, as the repository's [Citation File Format](https://citation-file-format.github.io/) file "
        "{download}`CITATION.cff <CITATION.cff>`, which reference managers and GitHub's *Cite this repository* read:",
        "",
        "```yaml",
        text.rstrip(),
        "```",
    ]
    return "\n".join(lines) + "\n"


# --- the notebooks as the site shows them ----------------------------------------------------------------------

SOLUTIONS_LINK = re.compile(r"\[([^\]]*)\]\(((?:\.\./)*solutions/[^)#\s]*\.ipynb)(#[^)]*)?\)")


def unlink_solutions(text: str) -> str:
    """Links to worked solutions kept as their text (the site built without them)."""
    return SOLUTIONS_LINK.sub(r"\1", text)


def solutions_dropdown(worked: Path, practice: Path) -> str:
    rel = os.path.relpath(worked, practice.parent).replace(os.sep, "/")
    return (
        ":::{dropdown} Worked solutions\n"
        ":class-container: course-solutions\n\n"
        "Try each exercise first: the check under it says when you are done, and names the usual mistakes. "
        f"[The worked solutions]({rel}) answer every exercise, with the reasoning.\n"
        ":::"
    )


def site_notebook(nb, path: Path, root: Path, solutions: bool):
    """The notebook as the site shows it: the same code cells (so that its cached execution still matches), with
    prose cells folded, the solutions title marked, the practice notebook under its lesson in the contents and its
    worked solutions folded away on its page."""
    import nbformat

    kind = path.parent.name
    for cell in nb.cells:
        if cell.cell_type == "code" and prose.kind(cell) == "prose":
            prose.mark(cell)  # converted notebooks carry this already; the others are folded on the site's copy
        if cell.cell_type == "markdown":
            if kind == "exercises" and "course-nav" in cell.metadata.get("tags", []):
                cell.source = unlink_solutions(cell.source)  # the folded block below is the way there
            elif not solutions:
                cell.source = unlink_solutions(cell.source)
    if kind == "solutions":  # its title is the practice notebook's: say which one this is
        first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
        if first is not None:
            first.source = re.sub(r"^(#\s+.+?)\s*$", r"\1 (worked solutions)", first.source, count=1, flags=re.M)
        nb.metadata["orphan"] = True  # on no previous/next path and in no contents: reached from its practice page
    if kind == "notebooks":
        practice = coursefiles.practice_of(path, "exercises", root)
        if practice.is_file():
            entry = f"{coursefiles.number(path)} · Practice </{_doc(practice, root)}>"
            nb.cells.append(nbformat.v4.new_markdown_cell(f"```{{toctree}}\n:hidden:\n\n{entry}\n```"))
    pointer = [i for i, c in enumerate(nb.cells) if SOLUTIONS_TAG in c.metadata.get("tags", [])]
    if kind == "exercises":  # the pointer to the worked solutions becomes a folded block, where it was
        worked = coursefiles.practice_of(coursefiles.lesson_of(path, root), "solutions", root)
        folded = (
            [nbformat.v4.new_markdown_cell(solutions_dropdown(worked, path))] if solutions and worked.is_file() else []
        )
        at = pointer[0] if pointer else len(nb.cells)
        nb.cells = [c for i, c in enumerate(nb.cells) if i not in pointer]
        nb.cells[at:at] = folded
    elif pointer:  # a solutions page does not point to itself
        nb.cells = [c for i, c in enumerate(nb.cells) if i not in pointer]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"site-{i:03d}"
    return nb


# --- staging ------------------------------------------------------------------------------------------------

MAX_LINKED_BYTES = 5 * 2**20


def copy_linked_files(out: Path, root: Path = REPO) -> None:
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
            source = (root / page.parent.relative_to(out) / unquote(url.path)).resolve()
            if source.is_file() and source.is_relative_to(root) and source.stat().st_size <= MAX_LINKED_BYTES:
                if coursefiles.is_leftover(source.relative_to(root)):
                    continue
                dest = out / source.relative_to(root)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, dest)


def notebooks_of(root: Path, solutions: bool) -> list[Path]:
    return [p for p in coursefiles.all_notebooks(root) if solutions or p.parent.name != "solutions"]


def site_settings(root: Path, solutions: bool) -> dict:
    cff = citation(root)
    sources = {_doc(p, root): p.relative_to(root).as_posix() for p in notebooks_of(root, solutions)}
    sources |= {_doc(p, root): p.relative_to(root).as_posix() for p in coursefiles.markdown_pages(root)}
    sources |= {"README": "README.md", "cite": "CITATION.cff"}
    released = cff.get("date-released")
    return {
        "title": cff["title"],
        "authors": authors_text(cff),
        "version": str(cff["version"]),
        "year": str(released)[:4] if released else str(datetime.date.today().year),
        "licence": cff.get("license", ""),
        "repository": coursefiles.repository(root),
        "binder_welcome": coursefiles.binder_url(WELCOME),
        "commit": git_commit(root),
        "built": datetime.date.today().isoformat(),
        "solutions": solutions,
        "sources": sources,
    }


def stage(out: Path, root: Path = REPO, solutions: bool = True) -> list[tuple[Path, Path]]:
    """Write the book's sources (notebooks not yet executed) into ``out``, a fresh folder; returns each notebook of
    the course with the path of its page's source."""
    import nbformat

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    staged = []
    for path in notebooks_of(root, solutions):
        nb = site_notebook(nbformat.read(path, as_version=4), path, root, solutions)
        dest = out / path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
        staged.append((path, dest))
    (out / "README.md").write_text(readme_page(root))
    for page in coursefiles.markdown_pages(root):  # docs/, the data cards, the changelog: pages of their own
        dest = out / page.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = page.read_text(encoding="utf-8")
        dest.write_text(text if solutions else unlink_solutions(text), encoding="utf-8")
    copy_linked_files(out, root)
    (out / "index.md").write_text(index_page(root, solutions))
    (out / "instructors.md").write_text(instructors_page(root))
    (out / "cite.md").write_text(cite_page(root))
    shutil.copy(root / "CITATION.cff", out / "CITATION.cff")
    shutil.copytree(SITE_FILES, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    (out / "site.json").write_text(json.dumps(site_settings(root, solutions), indent=1, sort_keys=True) + "\n")
    return staged


def sync(new: Path, dest: Path) -> int:
    """Make ``dest`` hold what ``new`` holds, rewriting only files whose content differs (Sphinx then re-reads only
    those); returns how many files were written or removed."""
    changed = 0
    wanted = {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        target = dest / rel
        if not target.is_file() or target.read_bytes() != (new / rel).read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(new / rel, target)
            changed += 1
    if dest.exists():
        for p in sorted(dest.rglob("*"), reverse=True):
            if p.is_file() and p.relative_to(dest) not in wanted:
                p.unlink()
                changed += 1
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()
    return changed


# --- executing ----------------------------------------------------------------------------------------------


def kernel_python(root: Path = REPO) -> Path:
    """The students' environment's Python (.venv), whose kernel runs the notebooks."""
    for candidate in (REPO / ".venv" / "bin" / "python", REPO / ".venv" / "Scripts" / "python.exe"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("the course's environment .venv is missing: run `make setup` first")


def environment_key(python: Path) -> dict:
    """What a cached execution depends on besides the notebook's code: the package, the shipped data's checksums,
    the pinned requirements, the kernel's Python. When one changes, every notebook runs again."""
    digest = hashlib.sha256()
    files = sorted((REPO / "heartdata").rglob("*.py")) + [
        REPO / "requirements.txt",
        REPO / "pyproject.toml",
        REPO / "data" / "SHA256SUMS",
    ]
    for f in files:
        if f.is_file() and not coursefiles.is_leftover(f.relative_to(REPO)):
            digest.update(f.relative_to(REPO).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    version = subprocess.run([str(python), "-c", "import sys; print(sys.version)"], capture_output=True, text=True)
    return {"inputs": digest.hexdigest(), "python": str(python), "version": version.stdout.strip()}


def write_kernelspec(folder: Path, python: Path) -> None:
    """A kernel named python3 (the notebooks' kernelspec) that runs on ``python``; found first through
    JUPYTER_PATH, before the site environment's own."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python"})
    )


@contextlib.contextmanager
def output_to(log: Path):
    """Send this process's (and its children's) stdout and stderr to ``log`` for the duration."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "a") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_line(traceback: str | None) -> str:
    """The last line of a notebook's traceback: 'KeyError: 'Age''."""
    lines = [ANSI.sub("", line).strip() for line in (traceback or "").splitlines()]
    lines = [line for line in lines if line and not set(line) <= {"-"}]
    return lines[-1][:200] if lines else "it did not run (see the log)"


def execute(runs: list[Path], paths: Paths, jobs: int) -> tuple[int, dict[str, str]]:
    """Run through jupyter-cache every notebook of ``runs`` whose code has no cached execution; returns how many
    ran and, for each that failed, its error line."""
    import logging

    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    python = kernel_python()
    key = environment_key(python)
    stamp = paths.cache / "environment.json"
    cache = get_cache(paths.cache)
    if stamp.is_file() and json.loads(stamp.read_text()) != key:
        cache.clear_cache()  # the package, data or pins changed: no earlier execution still holds
        cache = get_cache(paths.cache)
    paths.cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(key, indent=1) + "\n")
    cache.change_cache_limit(max(3 * len(runs), 50))
    uris = [str(p.absolute()) for p in runs]
    for uri in uris:
        cache.add_nb_to_project(uri)
    for record in cache.list_project_records():
        if record.uri not in uris:
            cache.remove_nb_from_project(record.pk)
    todo = [r.uri for r in cache.list_unexecuted(filter_uris=uris)]
    if not todo:
        return 0, {}
    write_kernelspec(paths.kernels, python)
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(paths.kernels), os.environ.get("JUPYTER_PATH", "")])
    os.environ.pop("HEARTDATA_DIR", None)  # the site shows the data the course ships
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    logger = logging.getLogger("site-execute")
    logger.setLevel(logging.INFO)
    executor = load_executor("local-parallel" if jobs > 1 and len(todo) > 1 else "local-serial", cache, logger)
    with output_to(paths.log / "execute.log"):
        handler = logging.StreamHandler(sys.stderr)
        logger.addHandler(handler)
        try:
            result = executor.run_and_cache(filter_uris=todo, timeout=CELL_TIMEOUT, allow_errors=False)
        finally:
            logger.removeHandler(handler)
    failures = {}
    for uri in [*result.excepted, *result.errored]:
        failures[uri] = error_line(cache.get_project_record(uri).traceback)
    for uri in set(todo) - set(result.succeeded) - set(failures):
        failures[uri] = "it did not run (see the log)"
    return len(todo), failures


def merge_outputs(staged: list[tuple[Path, Path]], paths: Paths) -> list[str]:
    """Put each notebook's cached outputs into its page's source; returns the notebooks that have none."""
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(paths.cache)
    missing = []
    for path, page in staged:
        nb = nbformat.read(page, as_version=4)
        try:
            _, merged = cache.merge_match_into_notebook(nb, cell_meta=())
        except KeyError:
            missing.append(path.relative_to(paths.root).as_posix())
            continue
        nbformat.write(merged, page)
    return missing


# --- rendering ----------------------------------------------------------------------------------------------


def render(paths: Paths, jobs: int) -> tuple[int, str]:
    """Sphinx on the staged sources; returns (exit code, the first warning or error, with how many there were)."""
    log = paths.log / "sphinx.log"
    args = ["-b", "html", "-W", "--keep-going", "-q", "-j", str(jobs), "-d", str(paths.doctrees)]
    with open(log, "w") as f:
        proc = subprocess.run(
            [sys.executable, "-m", "sphinx", *args, str(paths.src), str(paths.out)],
            stdout=f,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(paths.src / "_ext")},
        )
    lines = log.read_text().splitlines()
    problems = [line for line in lines if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line)]
    crash = [line.strip() for line in lines if re.match(r"\s*\w*(Error|Exception)\b.*:", line)]
    if crash:  # Sphinx itself stopped: its exception says why
        first = crash[-1]
    elif problems:
        first = problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
    else:
        first = next((line for line in reversed(lines) if line.strip()), "Sphinx failed")
    return proc.returncode, first.replace(str(paths.src) + os.sep, "")


# --- the build ---------------------------------------------------------------------------------------------


def fail(paths: Paths, step: str, what: str, log: str) -> int:
    """One line on what failed, and nothing published (a failed build never leaves a mixed or stale site)."""
    for folder in (paths.out, paths.doctrees):
        shutil.rmtree(folder, ignore_errors=True)
    print(f"make site failed: {step}: {what} (full log: {os.path.relpath(paths.log / log)})", file=sys.stderr)
    return 1


def build(paths: Paths, solutions: bool = True, jobs: int = 2) -> int:
    start = time.perf_counter()
    paths.log.mkdir(parents=True, exist_ok=True)
    for name in ("execute.log", "sphinx.log"):
        (paths.log / name).unlink(missing_ok=True)
    new = paths.src.with_name("site-src.new")
    try:
        staged = stage(new, paths.root, solutions)
    except Exception as exc:  # a page the stage cannot read: its own one line
        shutil.rmtree(new, ignore_errors=True)
        (paths.log / "stage.log").write_text(f"{exc.__class__.__name__}: {exc}\n")
        return fail(paths, "staging the sources", f"{exc.__class__.__name__}: {exc}", "stage.log")
    # the notebooks as the kernels run them: the pages' sources (jupyter-cache matches code cells with their
    # metadata), in the repository's folders, beside the data as in the repository
    runs = []
    for path, page in staged:
        copy = paths.exec / path.relative_to(paths.root)
        copy.parent.mkdir(parents=True, exist_ok=True)
        if not copy.is_file() or copy.read_bytes() != page.read_bytes():
            shutil.copyfile(page, copy)
        runs.append(copy)
    if not (paths.exec / "data").exists():
        with contextlib.suppress(OSError):  # Windows without the right to link: the loaders find data/ themselves
            (paths.exec / "data").symlink_to(paths.root / "data", target_is_directory=True)
    print(f"executing {len(runs)} notebooks (jupyter-cache: only those whose code changed run) ...", flush=True)
    try:
        ran, failures = execute(runs, paths, jobs)
    except FileNotFoundError as exc:
        return fail(paths, "executing the notebooks", str(exc), "execute.log")
    if failures:
        names = [Path(uri).relative_to(paths.exec.absolute()).as_posix() for uri in sorted(failures)]
        what = "; ".join(f"{n} failed: {failures[u]}" for n, u in zip(names, sorted(failures), strict=True))
        return fail(paths, "executing the notebooks", what, "execute.log")
    missing = merge_outputs(staged, paths)
    if missing:
        return fail(paths, "executing the notebooks", f"no execution of {', '.join(missing)}", "execute.log")
    changed = sync(new, paths.src)
    shutil.rmtree(new)
    executed_at = time.perf_counter()
    print(f"{len(runs)} notebooks executed ({ran} ran now, {len(runs) - ran} from the cache) "
          f"in {executed_at - start:.0f} s; rendering ({changed} sources changed) ...", flush=True)  # fmt: skip
    status, first = render(paths, jobs)
    if status != 0:
        return fail(paths, "rendering the pages (Sphinx)", first, "sphinx.log")
    seconds = time.perf_counter() - start
    (paths.log / "timings.json").write_text(
        json.dumps({"seconds": round(seconds, 1), "executed": ran, "notebooks": len(runs)}) + "\n"
    )
    print(f"site built in {seconds:.0f} s: {os.path.relpath(paths.out / 'index.html')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-solutions", action="store_true", help="leave the worked solutions out (a cohort)")
    parser.add_argument("--stage-only", action="store_true", help="only write the sources into build/site-src/")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run and pages read at once (default 2)")
    parser.add_argument("--root", type=Path, default=REPO, help=argparse.SUPPRESS)  # tests: a copy of the course
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # tests: where that copy's build goes
    args = parser.parse_args(argv)
    paths = Paths(args.root.resolve(), args.build.resolve() if args.build else None)
    if args.stage_only:
        stage(paths.src, paths.root, not args.no_solutions)
        print(f"sources: {paths.src}")
        return 0
    try:
        import jupyter_cache  # noqa: F401
        import myst_nb  # noqa: F401
    except ImportError:
        print(
            "make site failed: the site's environment is missing (Sphinx, myst-nb, jupyter-cache): run `make site`, "
            "which installs requirements-site.txt into .venv-site, or run this with .venv-site's Python",
            file=sys.stderr,
        )
        return 2
    return build(paths, solutions=not args.no_solutions, jobs=max(1, args.jobs))


if __name__ == "__main__":
    sys.exit(main())
