"""A whole course session in one JupyterLab, as a student walks it, within Binder's 2 GiB.

tools/walk.py opens every lesson and then its practice notebook in headless Chromium, runs each, and samples
the resident memory of the Jupyter server plus all its kernels, summed. Two walks: closing each tab when
moving on (the course's settings shut a kernel down when its tab closes), and never closing a tab (the
server culls kernels idle for 20 minutes; the walk compresses that time, see tools/walk.py). The figures are
written to build/walk-*.json and printed at the end of the test run.
"""

from __future__ import annotations

import json
import sys

import pytest
from conftest import REPO
from test_browser import _unavailable, chromium_path

sys.path.insert(0, str(REPO / "tools"))
import jupyter_config  # noqa: E402
import walk  # noqa: E402

BINDER_MIB = 2048
OUT = REPO / "build"


@pytest.fixture(scope="module", autouse=True)
def _needs_browser_and_settings():
    if chromium_path() is None:
        _unavailable("no Chromium was found")
    stale = jupyter_config.install(check=True)
    assert not stale, f"this environment lacks the course's Jupyter settings ({stale}): run `make setup`"


@pytest.mark.parametrize("close_tabs", [True, False], ids=["closing-tabs", "keeping-tabs"])
def test_a_whole_course_session_fits_binder(close_tabs):
    cull = None if close_tabs else 10.0
    result = walk.walk(close_tabs=close_tabs, cull_seconds=cull, dwell=0 if close_tabs else cull)
    OUT.mkdir(exist_ok=True)
    (OUT / f"walk-{result['mode']}.json").write_text(json.dumps(result, indent=1))
    assert result["notebooks"] == len(walk.the_walk()), "the walk did not reach every notebook"
    assert result["peak_mib"] <= BINDER_MIB, (
        f"{result['mode']}: server and kernels held {result['peak_mib']} MiB at the peak, over Binder's "
        f"{BINDER_MIB} MiB; per notebook: {[(s['notebook'], s['peak_mib']) for s in result['steps']]}"
    )
    if close_tabs:  # closing a tab shut its kernel down, within walk.KERNEL_SHUTDOWN_S of the close
        alive = [(s["notebook"], s["kernels"]) for s in result["steps"] if s["kernels"]]
        assert not alive, f"kernels still alive {walk.KERNEL_SHUTDOWN_S:.0f} s after their tab closed: {alive}"
        assert result["peak_kernels"] <= 2, f"kernels were not shut down on close: {result['peak_kernels']} alive"
