"""Running the course for a class (issue 28): what the docs tell students and instructors to type exists."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

TARGETS = set(re.findall(r"^([a-z][\w-]*):", (REPO / "Makefile").read_text(), re.M))
DOCS = ["README.md", "requirements.txt", "requirements-test.txt", "requirements-site.txt", "environment.yml",
        *(p.relative_to(REPO).as_posix() for p in sorted((REPO / "docs").glob("*.md"))),
        "jupyter-config/README.md", "CHANGELOG.md"]  # fmt: skip


@pytest.mark.parametrize("doc", DOCS)
def test_every_make_target_the_docs_name_exists(doc):
    text = (REPO / doc).read_text(encoding="utf-8")
    if doc == "CHANGELOG.md":  # what a past release did may name a target since retired
        text = text.split("\n## ", 2)[1] if "\n## " in text else ""
    named = set(re.findall(r"`make ([a-z][\w-]*)", text)) | set(re.findall(r"\bmake ([a-z][\w-]*)[,)]", text))
    missing = sorted(named - TARGETS)
    assert not missing, f"{doc} names make targets that do not exist: {missing}"
