"""The course website (`make site`), opened as a reader opens it: headless Chromium on the built pages.

The fixture runs `make site` (Jupyter Book 1 in .venv-site, built offline into build/site/) and serves the folder on
127.0.0.1. Every request a page makes is intercepted: anything outside the site is refused and reported, so a
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
from urllib.parse import unquote, urljoin, urlparse

import nbformat
import pytest
from conftest import REPO
from test_browser import CHROMIUM_ARGS, SHOTS, UI_TIMEOUT, _unavailable, playwright_and_chromium

sys.path.insert(0, str(REPO / "tools"))
import build_site as sitetool  # noqa: E402
import coursefiles  # noqa: E402

SITE = REPO / "build" / "site"


def _site_command() -> list[str] | None:
    """`make site`; without make (Windows), the site environment's Python on tools/build_site.py, if it is there."""
    if shutil.which("make"):
        return ["make", "site"]
    for python in (REPO / ".venv-site" / "bin" / "python", REPO / ".venv-site" / "Scripts" / "python.exe"):
        if python.is_file():
            return [str(python), str(REPO / "tools" / "build_site.py")]
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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(built):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site_page(served):
    """A Chromium page that may load only what the site serves; yields (page, base URL, refused requests)."""
    sync_playwright, executable = playwright_and_chromium()
    refused, failed = [], []

    def only_the_site(route):
        url = route.request.url
        if url.startswith(served + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(UI_TIMEOUT)
        context.route("**/*", only_the_site)
        page = context.new_page()
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        yield page, served, refused, failed
        context.close()
        browser.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"site-{name}.png")


def _expected_order() -> list[str]:
    """The pages in syllabus order: the landing page, then each lesson with its practice and its solutions."""
    pages = ["index.html"]
    for lesson in coursefiles.lessons():
        pages.append(f"notebooks/{lesson.stem}.html")
        for kind in ("exercises", "solutions"):
            p = coursefiles.practice_of(lesson, kind)
            if p.is_file():
                pages.append(f"{kind}/{p.stem}.html")
    guides = [p.relative_to(REPO).with_suffix(".html").as_posix() for p in coursefiles.markdown_pages()]
    return pages + ["README.html", "instructors.html"] + guides


def _here(page, base: str) -> str:
    return urlparse(page.url).path.removeprefix(urlparse(base).path).lstrip("/") or "index.html"


def test_next_and_previous_walk_the_whole_course_in_syllabus_order_without_the_network(site_page):
    page, base, refused, failed = site_page
    page.goto(f"{base}/index.html")
    forward = [_here(page, base)]
    while page.locator("a.right-next").count():
        page.locator("a.right-next").first.click()
        page.wait_for_load_state("load")
        forward.append(_here(page, base))
        assert len(forward) < 100, forward
        assert page.locator("a.right-next, a.left-prev").count(), f"{forward[-1]} has neither next nor previous"
    assert forward == _expected_order()
    backward = [_here(page, base)]
    while page.locator("a.left-prev").count():
        page.locator("a.left-prev").first.click()
        page.wait_for_load_state("load")
        backward.append(_here(page, base))
        assert len(backward) < 100, backward
    assert backward == forward[::-1]
    assert not refused, f"pages asked for things outside the site: {sorted(set(refused))[:10]}"
    assert not failed, f"pages asked the site for things it does not have: {sorted(set(failed))[:10]}"


def test_the_sidebar_lists_the_lessons_in_syllabus_order(site_page):
    page, base, refused, _ = site_page
    page.goto(f"{base}/index.html")
    links = page.locator("nav.bd-docs-nav a.reference.internal")
    hrefs = [urlparse(urljoin(page.url, h)).path.lstrip("/") for h in links.evaluate_all("as => as.map(a => a.href)")]
    assert hrefs == _expected_order(), hrefs  # the landing page first, then the course
    titles = [t.strip() for t in page.locator("nav.bd-docs-nav li.toctree-l1 > a").all_inner_texts()]
    lessons = [coursefiles.title(p) for p in coursefiles.lessons()]
    assert [t for t in titles if t in lessons] == lessons, titles
    # a practice notebook and its worked solutions are told apart by their titles too (in search results)
    lesson = coursefiles.lessons()[0]
    solutions = coursefiles.practice_of(lesson, "solutions")
    page.goto(f"{base}/solutions/{solutions.stem}.html")
    assert page.locator("h1").first.inner_text().strip().endswith("(worked solutions)")
    _shot(page, "landing")
    assert not refused


def test_search_finds_a_lesson_by_a_word_of_its_text(site_page):
    page, base, refused, _ = site_page
    lessons = coursefiles.lessons()
    lesson = lessons[2] if len(lessons) > 2 else lessons[0]
    word = _word_only_in(lesson, lessons)
    page.goto(f"{base}/search.html?q={word}")
    page.wait_for_function("() => /Search finished|did not match/.test(document.body.innerText)")
    results = page.locator("#search-results ul.search li a")
    found = {urlparse(urljoin(page.url, h)).path.lstrip("/") for h in results.evaluate_all("a => a.map(x => x.href)")}
    assert f"notebooks/{lesson.stem}.html" in found, (word, found)
    _shot(page, "search")
    assert not refused


def _markdown(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def _word_only_in(lesson: Path, lessons: list[Path]) -> str:
    """A long word of the lesson's prose that no other lesson uses (found from the text, not typed in)."""

    def words(p):
        return set(re.findall(r"\b[a-z]{9,}\b", _markdown(p).lower()))

    others = set().union(*(words(p) for p in lessons if p != lesson))
    return sorted(words(lesson) - others)[0]


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


def test_code_cells_fold_and_every_page_has_a_binder_button_and_contents(site_page):
    page, base, refused, _ = site_page
    lesson = coursefiles.lessons()[0]
    page.goto(f"{base}/notebooks/{lesson.stem}.html")
    cells = page.locator("details.above-input")
    assert cells.count() == sum(c.cell_type == "code" for c in nbformat.read(lesson, as_version=4).cells)
    page.wait_for_function("() => [...document.querySelectorAll('details.above-input')].every(d => d.open)")
    cells.first.locator("summary").click()
    assert not cells.first.evaluate("d => d.open"), "a code cell does not fold"
    assert page.locator(".bd-toc-nav a, #pst-page-navigation-heading-2").count(), "no 'Contents' of the page"
    _shot(page, "lesson")
    for rel in _expected_order():
        html = (SITE / rel).read_text()
        binder = re.findall(r'href="(https://mybinder\.org/v2/gh/[^"]+)"', html)
        assert binder, f"{rel} has no Binder launch button"
        if rel.endswith(".html") and rel.split("/")[0] in ("notebooks", "exercises", "solutions"):
            opened = unquote(binder[0].split("urlpath=", 1)[1]).removeprefix("lab/tree/").lstrip("/")
            assert opened == rel.removesuffix(".html") + ".ipynb", (rel, binder[0])
            assert (REPO / opened).is_file()
    assert not refused


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
