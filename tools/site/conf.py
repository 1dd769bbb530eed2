"""Sphinx configuration of the course website (copied into the staged sources by tools/build_site.py).

Everything that depends on the course (title, version, authors, the repository, the commit) is read from
site.json, which build_site.py writes beside this file from CITATION.cff, the README and git: nothing is typed
twice. The notebooks arrive already executed (build_site.py runs them through jupyter-cache), so myst-nb only
renders them (nb_execution_mode "off") and never runs a kernel here.
"""

import importlib.util
import json
from pathlib import Path

SITE = json.loads((Path(__file__).parent / "site.json").read_text())

project = SITE["title"]
author = SITE["authors"]
version = release = SITE["version"]
copyright = f"{SITE['year']} {SITE['authors']}"
language = "en"
smartquotes = False  # the course writes its quotes and dashes as it means them

extensions = ["myst_nb", "sphinx_design", "sphinx_copybutton", "course_site"]
templates_path = ["_templates"]
# MathJax served by the site itself (the copy sphinx-mathjax-offline ships), so that equations render offline.
MATHJAX = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static"
html_static_path = ["_static", str(MATHJAX)]
mathjax_path = "mathjax/tex-chtml.js"
html_css_files = ["course.css"]
html_js_files = ["course.js"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "site.json", "scorer.js"]
root_doc = "index"

# The notebooks are executed before Sphinx starts; a page never runs a kernel while the site is built.
nb_execution_mode = "off"
# A notebook's Markdown output (its computed prose) is read as MyST, like its Markdown cells: links, emphasis,
# tables and maths in a computed sentence render as they do in the cell above it.
nb_render_markdown_format = "myst"
nb_merge_streams = True
# The toggle of a folded cell (tag hide-input: the cells that write computed prose).
nb_code_prompt_show = "Show the code that writes this"
nb_code_prompt_hide = "Hide the code"

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "html_image"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

html_theme = "sphinx_book_theme"
html_title = SITE["title"]
html_show_sphinx = False
html_show_copyright = False  # the course's footer says it (licence, version, authors)
html_last_updated_fmt = None
html_copy_source = False
html_context = {"course": SITE}
# Lessons first in search results, practice pages after them, worked solutions last.
html_search_scorer = str(Path(__file__).parent / "scorer.js")
html_theme_options = {
    "repository_url": f"https://github.com/{SITE['repository']}",
    "repository_branch": "HEAD",
    "path_to_docs": "",
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_issues_button": False,
    "home_page_in_toc": False,  # the course's title above the sidebar leads home
    # one search box: the sidebar's (pydata-sphinx-theme would add a second to a header bar above the page)
    "navbar_persistent": [],
    "navbar_start": [],
    "navbar_center": [],
    "navbar_end": [],
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "article_footer_items": ["course-page-links.html"],
    "footer_content_items": ["course-footer.html"],
}
