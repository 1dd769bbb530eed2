"""The course website (`make site`), opened as a reader opens it: headless Chromium on the built pages.

The fixture runs `make site` (Sphinx with myst-nb in .venv-site, every notebook executed through jupyter-cache, built
offline into build/site/) and serves the folder on 127.0.0.1. A second build, of a copy of the course in a temporary
folder, has one lesson converted to prose cells (tools/prose.py --split) and leaves the worked solutions out
(SOLUTIONS=0), so that both are checked whatever state the lessons are in.

Every request a page makes is intercepted: anything outside the site is refused and reported, so a
page that would need the network (a CDN's MathJax, a font, an image) fails the test. The pages' own links are
checked without a browser: every link inside the site names a page (and an anchor) that exists.
Chromium is the system's own (see tests/test_browser.py); screenshots land in build/browser/site-*.png.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlparse

import nbformat
import pytest
from conftest import REPO
from test_browser import CHROMIUM_ARGS, SHOTS, UI_TIMEOUT, _unavailable, playwright_and_chromium
from test_site_sources import course_copy

sys.path.insert(0, str(REPO / "tools"))
import build_site as sitetool  # noqa: E402
import coursefiles  # noqa: E402
import prose  # noqa: E402

SITE = REPO / "build" / "site"


def _site_command() -> list[str] | None:
    """`make site`; without make (Windows), the site environment's Python on tools/build_site.py, if it is there."""
    if shutil.which("make"):
        return ["make", "site"]
    python = _site_python()
    return [str(python), str(REPO / "tools" / "build_site.py")] if python else None


def _site_python() -> Path | None:
    for python in (REPO / ".venv-site" / "bin" / "python", REPO / ".venv-site" / "Scripts" / "python.exe"):
        if python.is_file():
            return python
    return None


@pytest.fixture(scope="module")
def built():
    """Build the site as `make site` does; the folder it wrote."""
    cmd = _site_command()
    if cmd is None:
        _unavailable("there is no make and no .venv-site to build the site with (see the README, For instructors)")
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert (SITE / "index.html").is_file()
    return SITE


CONVERTED = 2  # the lesson converted to prose cells in the copy (lesson 02: the one the issue measured)


@pytest.fixture(scope="module")
def cohort(built, tmp_path_factory):
    """A copy of the course, built as `make site SOLUTIONS=0` builds it, with one lesson converted to prose
    cells (tools/prose.py --split, as its author will) and its code edited: (site folder, the converted lesson's path
    in the copy, stdout)."""
    root = course_copy(tmp_path_factory.mktemp("cohort") / "course")
    lesson = coursefiles.lessons(root)[CONVERTED]
    prose.process(lesson, split=True)
    assert not prose.problems(lesson) or any(prose.is_marked(c) for c in nbformat.read(lesson, as_version=4).cells)
    # Every lesson is converted already, so the split may change nothing: an edit to its code as well, which the
    # build's cache must notice (the lesson runs again, the others come from the cache).
    nb = nbformat.read(lesson, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("edited_by_the_test = True"))
    nbformat.write(nb, lesson)
    python = _site_python()
    proc = subprocess.run(
        [str(python), str(REPO / "tools" / "build_site.py"), "--no-solutions", "--root", str(root)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"the cohort build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return root / "build" / "site", lesson, proc.stdout


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def served(built):
    server, base = _serve(built)
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium that may load only what the course's sites serve on 127.0.0.1; yields (new_page, refused,
    failed): new_page() opens a page at 1280 x 900."""
    sync_playwright, executable = playwright_and_chromium()
    refused, failed = [], []

    def only_the_site(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(UI_TIMEOUT)
        context.route("**/*", only_the_site)

        def new_page():
            page = context.new_page()
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            return page

        yield new_page, refused, failed
        context.close()
        chromium.close()


@pytest.fixture(scope="module")
def site_page(served, browser):
    """A Chromium page on the site; yields (page, base URL, refused requests, failed requests)."""
    new_page, refused, failed = browser
    yield new_page(), served, refused, failed


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"site-{name}.png")


def _reading_order(solutions: bool = True) -> list[str]:
    """The pages in reading order: the landing page, each lesson then its practice, then the pages about the course
    and the data cards. Worked solutions are on no path (they are reached from their practice page)."""
    pages = ["index.html"]
    for lesson in coursefiles.lessons():
        pages.append(f"notebooks/{lesson.stem}.html")
        practice = coursefiles.practice_of(lesson, "exercises")
        if practice.is_file():
            pages.append(f"exercises/{practice.stem}.html")
    about, data = sitetool.about_pages(REPO)
    return pages + [f"{p}.html" for p in about + data]


def _solution_pages() -> list[str]:
    return [f"solutions/{p.stem}.html" for p in coursefiles.practice(kind="solutions")]


def _here(page, base: str) -> str:
    return urlparse(page.url).path.removeprefix(urlparse(base).path).lstrip("/") or "index.html"


def test_next_and_previous_go_lesson_practice_next_lesson_without_the_network(site_page):
    page, base, refused, failed = site_page
    page.goto(f"{base}/index.html")
    forward = [_here(page, base)]
    while page.locator("a.right-next").count():
        page.locator("a.right-next").first.click()
        page.wait_for_load_state("load")
        forward.append(_here(page, base))
        assert len(forward) < 100, forward
        assert page.locator("a.right-next, a.left-prev").count(), f"{forward[-1]} has neither next nor previous"
    assert forward == _reading_order()
    assert not set(forward) & set(_solution_pages()), "worked solutions are on the reading path"
    backward = [_here(page, base)]
    while page.locator("a.left-prev").count():
        page.locator("a.left-prev").first.click()
        page.wait_for_load_state("load")
        backward.append(_here(page, base))
        assert len(backward) < 100, backward
    assert backward == forward[::-1]
    assert not refused, f"pages asked for things outside the site: {sorted(set(refused))[:10]}"
    assert not failed, f"pages asked the site for things it does not have: {sorted(set(failed))[:10]}"


def test_the_sidebar_lists_each_lesson_with_its_practice_in_syllabus_order(site_page):
    page, base, refused, _ = site_page
    page.goto(f"{base}/index.html")
    links = page.locator("nav.bd-docs-nav a.reference.internal")
    hrefs = [urlparse(urljoin(page.url, h)).path.lstrip("/") for h in links.evaluate_all("as => as.map(a => a.href)")]
    assert hrefs == _reading_order()[1:], hrefs  # the course's title above the sidebar leads to the landing page
    titles = [t.strip() for t in page.locator("nav.bd-docs-nav li.toctree-l1 > a").all_inner_texts()]
    lessons = [coursefiles.title(p) for p in coursefiles.lessons()]
    assert [t for t in titles if t in lessons] == lessons, titles
    # a practice notebook and its worked solutions are told apart by their titles too (in search results)
    solutions = coursefiles.practice(kind="solutions")[0]
    page.goto(f"{base}/solutions/{solutions.stem}.html")
    assert page.locator("h1").first.inner_text().strip().endswith("(worked solutions)")
    _shot(page, "landing")
    assert not refused


def test_a_practice_page_folds_its_worked_solutions(site_page):
    page, base, refused, _ = site_page
    for practice in coursefiles.practice():
        page.goto(f"{base}/exercises/{practice.stem}.html")
        folded = page.locator("details.course-solutions")
        assert folded.count() == 1, f"{practice.name}: no folded worked solutions"
        assert not folded.evaluate("d => d.open"), f"{practice.name}: the worked solutions are not folded"
        worked = coursefiles.practice_of(coursefiles.lesson_of(practice), "solutions")
        link = folded.locator(f"a[href$='solutions/{worked.stem}.html']")
        assert link.count() == 1 and not link.is_visible()
        assert not page.locator("article a[href*='solutions/']:visible").count(), "an unfolded link to solutions"
    folded.locator("summary").click()
    link.click()
    page.wait_for_load_state("load")
    assert _here(page, base) == f"solutions/{worked.stem}.html"
    _shot(page, "solutions")
    assert not refused


def test_search_ranks_the_lesson_above_practice_and_solutions(site_page):
    page, base, refused, _ = site_page
    lessons = coursefiles.lessons()
    lesson = lessons[2] if len(lessons) > 2 else lessons[0]
    word = _word_only_in(lesson, lessons)
    found = _search(page, base, word)
    assert f"notebooks/{lesson.stem}.html" in found, (word, found)
    # a word the lesson, its practice and its solutions all use: the lesson comes first
    shared = _word_in_all(lessons[4] if len(lessons) > 4 else lesson)
    found = _search(page, base, shared)
    kinds = [f.split("/")[0] for f in found]
    assert kinds and kinds[0] == "notebooks", (shared, found)
    n = kinds.count("notebooks")
    assert kinds[:n] == ["notebooks"] * n, f"a page that is not a lesson ranks above a lesson: {found}"
    practice = [i for i, k in enumerate(kinds) if k == "exercises"]
    worked = [i for i, k in enumerate(kinds) if k == "solutions"]
    assert practice and (not worked or max(practice) < min(worked)), f"worked solutions rank above practice: {found}"
    _shot(page, "search")
    assert not refused


def _search(page, base: str, word: str) -> list[str]:
    page.goto(f"{base}/search.html?q={word}")
    page.wait_for_function("() => /Search finished|did not match/.test(document.body.innerText)")
    results = page.locator("#search-results ul.search li a")
    hrefs = results.evaluate_all("a => a.map(x => x.href)")
    return list(dict.fromkeys(urlparse(urljoin(page.url, h)).path.lstrip("/") for h in hrefs))


def _markdown(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def _words(path: Path) -> set[str]:
    return set(re.findall(r"\b[a-z]{9,}\b", _markdown(path).lower()))


def _word_only_in(lesson: Path, lessons: list[Path]) -> str:
    """A long word of the lesson's prose that no other lesson uses (found from the text, not typed in)."""
    others = set().union(*(_words(p) for p in lessons if p != lesson))
    return sorted(_words(lesson) - others)[0]


def _word_in_all(lesson: Path) -> str:
    """A long word that the lesson, its practice notebook and its worked solutions all use."""
    common = (
        _words(lesson) & _words(coursefiles.practice_of(lesson)) & _words(coursefiles.practice_of(lesson, "solutions"))
    )
    return sorted(common)[0]


def test_the_equation_is_typeset_by_the_sites_own_mathjax(site_page):
    page, base, refused, _ = site_page
    with_math = [p for p in coursefiles.lessons() if "$$" in _markdown(p)]
    if not with_math:
        pytest.skip("no lesson has a displayed equation")
    page.goto(f"{base}/notebooks/{with_math[0].stem}.html")
    page.locator("mjx-container").first.wait_for(state="attached")
    page.locator("mjx-container").first.scroll_into_view_if_needed()
    _shot(page, "equation")
    scripts = page.locator("script[src*='mathjax']").evaluate_all("s => s.map(x => x.src)")
    assert scripts and all(s.startswith(base) for s in scripts), scripts
    assert not refused


def _executed(path: Path):
    """The notebook as the site executed it (its page's source in build/site-src/, outputs included)."""
    return nbformat.read(REPO / "build" / "site-src" / path.relative_to(REPO), as_version=4)


def _markdown_outputs(nb) -> list[str]:
    return [
        o["data"]["text/markdown"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    ]


def _plain(markdown: str) -> str:
    """A Markdown sentence as a reader sees its words: links, emphasis and code marks dropped, spaces squeezed."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\*\*|[*`$\\]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def test_every_page_is_executed_with_its_figures_and_computed_findings(site_page):
    page, base, refused, failed = site_page
    for path in coursefiles.all_notebooks():
        nb = _executed(path)
        code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        assert code and all(c.execution_count for c in code), f"{path.name} is shown unexecuted"
    lesson = coursefiles.lessons()[CONVERTED]
    page.goto(f"{base}/notebooks/{lesson.stem}.html")
    figures = page.locator("div.cell_output img")
    assert figures.count() >= 1, "no figure on the lesson's page"
    assert figures.first.evaluate("i => i.complete && i.naturalWidth > 100")
    text = re.sub(r"\s+", " ", page.locator("article").inner_text())
    sentences = _markdown_outputs(_executed(lesson))
    assert sentences, "the lesson computes no sentence"
    for sentence in sentences:
        words = _plain(sentence)[:80]
        assert words in text, f"{words!r} is not on the page as text"
    assert not failed and not refused


def test_a_converted_lesson_reads_as_prose_with_the_code_that_writes_it_folded(cohort, browser):
    site, lesson, stdout = cohort
    assert re.search(r"\(([1-9]\d*) ran now", stdout), f"the converted lesson was not executed again:\n{stdout}"
    new_page, refused, _ = browser
    server, base = _serve(site)
    try:
        page = new_page()
        page.goto(f"{base}/notebooks/{lesson.stem}.html")
        nb = nbformat.read(lesson, as_version=4)
        n_prose = sum(c.cell_type == "code" and prose.kind(c) == "prose" for c in nb.cells)
        folded = page.locator("div.cell.tag_hide-input")
        assert folded.count() == n_prose > 0
        for i in range(folded.count()):
            cell = folded.nth(i)
            assert not cell.locator("details").evaluate("d => d.open"), "a prose cell's code is not folded"
            assert not cell.locator("div.cell_input pre").is_visible()
            assert cell.locator("div.cell_output").inner_text().strip(), "a prose cell shows no sentence"
        visible_code = page.locator("div.cell_input pre:visible").all_inner_texts()
        shown = [
            c
            for c in visible_code
            if re.search(r"display\(Markdown\(f?[\"']", c) and prose.kind(nbformat.v4.new_code_cell(c)) == "prose"
        ]
        assert not shown, f"f-string source shown where the lesson's prose should be: {shown[:1]}"
        page.locator("div.cell.tag_hide-input").first.scroll_into_view_if_needed()
        _shot(page, "prose")
        folded.first.locator("summary").click()
        assert folded.first.locator("div.cell_input pre").is_visible(), "the folded code does not open"
    finally:
        server.shutdown()
        server.server_close()
    assert not refused


def test_a_cohort_site_has_no_worked_solutions(cohort):
    site, _, _ = cohort
    assert not (site / "solutions").exists()
    for html in site.rglob("*.html"):
        text = html.read_text()
        assert not re.search(r'href="[^"]*solutions/[^"]*\.html', text), f"{html.relative_to(site)} links a solution"
        assert "course-solutions" not in text or "_static" in html.parts
    practice = coursefiles.practice()[0]
    assert (site / "exercises" / f"{practice.stem}.html").is_file()


def test_every_page_links_the_repository_and_a_report_of_a_problem_with_it_and_has_the_footer(built):
    slug = coursefiles.repository()
    cff = sitetool.citation()
    for rel in _reading_order() + _solution_pages():
        html = (built / rel).read_text()
        text = _visible_text(html)
        report = re.search(r'<a class="course-report" href="([^"]+)"', html)
        assert report, f"{rel}: no link to report a problem"
        url = unescape(report[1])
        assert url.startswith(f"https://github.com/{slug}/issues/new?title="), url
        title = re.search(r"<title>(.*?)(?: &#8212;| —|</title>)", html, re.S)[1]
        assert quote(unescape(re.sub(r"<[^>]+>", "", title)).strip()[:20]) in url, (rel, url)
        assert f'<a class="course-repository" href="https://github.com/{slug}"' in html, rel
        footer = re.sub(r"\s+", " ", text[text.rfind(cff["title"]) :])
        for piece in (f"version {cff['version']}", sitetool.authors_text(cff), f"{cff['license']} licence"):
            assert piece in footer, f"{rel}: the footer does not say {piece!r}"


def test_the_citation_and_the_changelog_are_pages_of_the_site(built):
    cite = _visible_text((built / "cite.html").read_text())
    cff = sitetool.citation()
    assert cff["title"] in cite and "PTB-XL" in cite and "cff-version:1.2.0" in re.sub(r"\s+", "", cite)
    assert (built / "_downloads").exists() and list((built / "_downloads").rglob("CITATION.cff"))
    changes = _visible_text((built / "CHANGELOG.html").read_text())
    assert f"{cff['version']} ({cff['date-released']})" in changes


def test_layout_at_1280_px_code_fits_or_scrolls_visibly_one_search_box_no_empty_header_rows(site_page):
    page, base, refused, _ = site_page
    lesson = coursefiles.lessons()[CONVERTED]
    page.goto(f"{base}/notebooks/{lesson.stem}.html")
    page.wait_for_load_state("load")
    blocks = page.evaluate(
        """() => [...document.querySelectorAll('div.cell_input pre, div.highlight pre, div.cell_output pre')]
        .map(e => ({wide: e.scrollWidth > e.clientWidth + 1, scrolls: ['auto', 'scroll'].includes(
            getComputedStyle(e).overflowX), marked: e.classList.contains('course-scrolls')}))"""
    )
    assert blocks
    hidden = [b for b in blocks if b["wide"] and not (b["scrolls"] and b["marked"])]
    assert not hidden, f"{len(hidden)} code blocks are cut off without a visible scroll"
    boxes = page.locator(".search-button-field:visible, input[type=search]:visible")
    assert boxes.count() == 1, f"{boxes.count()} search boxes"
    heads = page.evaluate("() => [...document.querySelectorAll('article thead')].map(t => t.innerText.trim())")
    assert all(heads), "an empty header row sits over a table"
    assert page.locator("article table").count(), "the lesson's information table is missing"
    _shot(page, "lesson")
    assert not refused


def test_every_page_has_a_binder_button_and_contents(site_page):
    page, base, refused, _ = site_page
    lesson = coursefiles.lessons()[0]
    page.goto(f"{base}/notebooks/{lesson.stem}.html")
    assert page.locator(".bd-toc-nav a, #pst-page-navigation-heading-2").count(), "no 'Contents' of the page"
    for rel in _reading_order() + _solution_pages():
        html = (SITE / rel).read_text()
        binder = re.findall(r'href="(https://mybinder\.org/v2/gh/[^"]+)"', html)
        assert binder, f"{rel} has no Binder launch button"
        if rel.endswith(".html") and rel.split("/")[0] in ("notebooks", "exercises", "solutions"):
            opened = unquote(binder[0].split("urlpath=", 1)[1]).removeprefix("lab/tree/").lstrip("/")
            assert opened == rel.removesuffix(".html") + ".ipynb", (rel, binder[0])
            assert (REPO / opened).is_file()
    assert not refused


def test_a_notebook_that_fails_fails_the_build_in_one_line_naming_it(tmp_path):
    python = _site_python()
    if python is None:
        _unavailable("there is no .venv-site to build the site with")
    root = course_copy(tmp_path / "course", lessons=1)
    lesson = coursefiles.lessons(root)[0]
    nb = nbformat.read(lesson, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise ZeroDivisionError('a cell that fails')"))
    nbformat.write(nb, lesson)
    (root / "build" / "site").mkdir(parents=True)
    (root / "build" / "site" / "index.html").write_text("an older site")
    proc = subprocess.run(
        [str(python), str(REPO / "tools" / "build_site.py"), "--root", str(root)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"notebooks/{lesson.name}" in lines[0] and "ZeroDivisionError: a cell that fails" in lines[0], lines[0]
    assert "build/site-log/execute.log" in lines[0] and (root / "build" / "site-log" / "execute.log").is_file()
    assert not (root / "build" / "site").exists(), "a failed build left a site to be read as current"


def test_the_landing_page_shows_each_lessons_time_datasets_objectives_and_measured_figures(built):
    text = re.sub(r"\s+", "", _visible_text((built / "index.html").read_text()))
    measured = sitetool.measured_from_readme()
    for lesson in coursefiles.lessons():
        facts = sitetool.lesson_facts(lesson)
        assert facts["time"] and facts["datasets"] and facts["objectives"], f"{lesson.name}: header not read"
        for piece in (facts["title"], facts["time"], facts["objectives"][0], facts["objectives"][-1]):
            plain = re.sub(r"\s+", "", re.sub(r"[`*]", "", piece))
            assert plain[:60] in text, f"{lesson.name}: {plain[:60]!r} is not on the landing page"
        if not sitetool.budget_results() and coursefiles.number(lesson) in measured:
            assert re.sub(r"\s+", "", measured[coursefiles.number(lesson)]) in text


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag in ("img", "script") and attrs.get("src"):
            self.hrefs.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _visible_text(html: str) -> str:
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return text.translate(str.maketrans("‘’“”", "''\"\""))  # Sphinx's smart quotes, back to plain ones


def test_every_link_inside_the_site_leads_to_a_page_and_anchor_that_exist(built):
    parsed = {}
    for page in (p for p in built.rglob("*.html") if "_static" not in p.relative_to(built).parts):
        p = _Links()
        p.feed(page.read_text())
        parsed[page] = p
    broken = []
    for page, p in parsed.items():
        for href in p.hrefs:
            url = urlparse(href)
            if url.scheme or href.startswith(("//", "mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if not target.exists():
                broken.append(f"{page.relative_to(built)} -> {href}")
            elif url.fragment and target.suffix == ".html" and target in parsed:
                if url.fragment not in parsed[target].ids:
                    broken.append(f"{page.relative_to(built)} -> {href} (no such anchor)")
    assert not broken, "\n".join(broken[:20])
    # the navigation cells' link to the syllabus lands on the README's syllabus table
    lesson = built / "notebooks" / f"{coursefiles.lessons()[0].stem}.html"
    assert "../README.html#syllabus" in lesson.read_text()
