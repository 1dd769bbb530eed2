"""What the browser tests and the course walk share: the system's Chromium, and a JupyterLab started as `make lab`.

Chromium is the system's own (Debian's package, or HEARTDATA_CHROMIUM), never a downloaded browser; the flags keep
it from calling out to the network, which this machine and CI do not have.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("HEARTDATA_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def makefile_lab_args() -> list[str]:
    """The options `make lab` passes to JupyterLab (the Makefile's LAB_ARGS)."""
    makefile = (REPO / "Makefile").read_text()
    return shlex.split(re.search(r"^LAB_ARGS\s*:?=(.*)$", makefile, re.M)[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    """Wait until the server at ``url`` answers 200; raise with the end of its log if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


# Every code cell of the notebook in front has run: read from JupyterLab's notebook model (needs the server option
# --LabApp.expose_app_in_browser=True), not from the prompts on the page. A cell whose input is folded (the course's
# computed prose cells, tagged hide-input) shows no "[n]" prompt, and cells scrolled out of view may not be drawn.
JS_ALL_CELLS_RAN = """() => {
    const app = window.jupyterapp;
    const widget = app && app.shell.currentWidget;
    const model = widget && widget.content && widget.content.model;
    if (!model || !widget.sessionContext || !widget.sessionContext.session) return false;
    const code = [...model.cells].filter(c => c.type === 'code');
    const kernel = widget.sessionContext.session.kernel;
    return code.length > 0 && code.every(c => Number.isInteger(c.executionCount) && c.executionCount > 0) &&
           ![...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]
               .some(p => p.textContent.includes('*')) &&
           kernel && kernel.status === 'idle';
}"""
