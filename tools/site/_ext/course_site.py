"""Sphinx extension of the course website (copied into the staged sources by tools/build_site.py).

- Every page gets a Binder launch button: sphinx-book-theme adds one to notebook pages; a Markdown page (the
  landing page, the README, the guides) gets one that opens the welcome lesson, in the same place and look.
- Every page gets a plain link to the repository and one to report a problem with that page (a new issue whose
  title names the page): links only, so the site still loads nothing from elsewhere.
- A table whose header row is empty (``| | |`` above a table of key-value rows, as each lesson's information
  table is written) loses that row, instead of showing an empty bar above the table.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote, urlencode

from docutils import nodes
from sphinx.transforms import SphinxTransform


class DropEmptyTableHeads(SphinxTransform):
    default_priority = 500

    def apply(self, **kwargs):
        for thead in list(self.document.findall(nodes.thead)):
            if not thead.astext().strip():
                thead.parent.remove(thead)


def _launch_button(binder_url: str) -> dict:
    return {
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
                "url": binder_url,
            }
        ],
    }


def page_context(app, pagename, templatename, context, doctree):
    site = app.config.html_context["course"]
    buttons = context.get("header_buttons")
    if buttons is not None and not any(b.get("label") == "launch-buttons" for b in buttons):
        buttons.append(_launch_button(site["binder_welcome"]))
    repo = f"https://github.com/{site['repository']}"
    title = unescape(re.sub(r"<[^>]+>", "", context.get("title") or "")).strip() or pagename
    source = site["sources"].get(pagename, "")
    body = (
        f"Page: {title}\n"
        + (f"Source: {source}\n" if source else "")
        + f"Site version: {site['version']}"
        + (f" (commit {site['commit']})" if site.get("commit") else "")
        + "\n\nWhat is wrong, and where on the page:\n"
    )
    context["course_repo_url"] = repo
    context["course_report_url"] = f"{repo}/issues/new?" + urlencode(
        {"title": f"Problem on the page: {title}", "body": body}, quote_via=quote
    )


def setup(app):
    app.add_transform(DropEmptyTableHeads)
    app.connect("html-page-context", page_context, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
