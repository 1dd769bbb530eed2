"""Shared fixtures: paths of the repository and a writable copy of the shipped data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may damage (shipped data is never touched)."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


@pytest.fixture(autouse=True)
def _no_env_root(monkeypatch):
    """Tests read the shipped data unless they set HEARTDATA_DIR themselves."""
    monkeypatch.delenv("HEARTDATA_DIR", raising=False)
