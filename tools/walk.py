"""Walk the whole course in one JupyterLab session, as a student does, and measure its memory.

A student opens each lesson, runs it, then opens its practice notebook and runs that, in one JupyterLab
session in a real browser. Binder gives the server and every kernel 1-2 GiB together, so what counts is
the resident memory of the Jupyter server plus all its kernels, summed, sampled while the walk goes on.

Two ways of walking:
- ``--close-tabs``: the student closes each tab when moving on (the course's settings shut a kernel down
  when its tab closes);
- ``--keep-tabs``: the student never closes a tab; only the server's culling of idle kernels frees memory.
  A real student spends longer on each notebook than the course's 20 idle minutes before a kernel is culled
  (lessons take 30-60 minutes, practice 15-30); the walk compresses that time: kernels are culled after
  ``--cull-seconds`` (default 10 s, the one setting it changes) and the walker stays on each notebook that
  long after running it, as a student reads.

The server starts from a copy of the course (JupyterLab saves what it runs, and the repository's notebooks
stay clean) with the same command `make lab` uses, in headless Chromium driven by Playwright (the system's
browser, never a downloaded one). Prints one line per notebook and, last, one JSON object.

    python tools/walk.py --close-tabs [--only 00 01] [--json build/walk-close.json]
    python tools/walk.py --keep-tabs --cull-seconds 30
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402
import headless  # noqa: E402
from headless import CHROMIUM_ARGS, chromium_path, free_port, makefile_lab_args, wait_until_up  # noqa: E402

REPO = coursefiles.REPO
COPIED = ("notebooks", "exercises", "solutions", "README.md", "jupyter-config")


def lab_command(port: int, token: str) -> list[str]:
    """`make lab`'s command, with the address, token and no browser of its own (the walk brings Chromium)."""
    cmd = [sys.executable, "-m", "jupyter", "lab", *makefile_lab_args(), "--no-browser", "--ServerApp.ip=127.0.0.1"]
    cmd += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    cmd += ["--LabApp.expose_app_in_browser=True"]  # lets the walk open and close documents as commands
    if getattr(os, "geteuid", lambda: 1)() == 0:
        cmd.append("--allow-root")
    return cmd


class MemorySampler(threading.Thread):
    """Samples the summed resident memory of a process and all its descendants (server plus kernels)."""

    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.proc, self.every = psutil.Process(pid), every
        self.peak_mib, self.peak_kernels, self.current_mib, self.kernels = 0.0, 0, 0.0, 0
        self._stop = threading.Event()

    def sample(self) -> None:
        try:
            direct = {p.pid for p in self.proc.children()}
            procs = [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            return
        total, kernels = 0, 0
        for p in procs:
            try:
                total += p.memory_info().rss
                # a kernel is a child of the server; a kernel's own workers (forked or spawned) are not kernels
                kernels += p.pid in direct and "ipykernel" in " ".join(p.cmdline())
            except psutil.Error:
                continue
        self.current_mib, self.kernels = total / 2**20, kernels
        self.peak_mib = max(self.peak_mib, self.current_mib)
        self.peak_kernels = max(self.peak_kernels, kernels)

    def run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.every)

    def stop(self) -> None:
        self._stop.set()


KERNEL_SHUTDOWN_S = 60.0  # a closed tab's kernel must be gone by then (Jupyter asks politely, then kills it)


def wait_for_kernels(sampler: MemorySampler, at_most: int, timeout_s: float) -> None:
    """Waits until at most `at_most` kernels are alive: a student reads for minutes before opening the next
    notebook, so the walk does not open one while the last closed kernel is still shutting down."""
    deadline = time.monotonic() + timeout_s
    while True:
        sampler.sample()
        if sampler.kernels <= at_most or time.monotonic() > deadline:
            return
        time.sleep(0.25)


def course_copy(dest: Path) -> Path:
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    (dest / "data").symlink_to(REPO / "data")  # read-only use, as in the repository
    return dest


def the_walk(only: list[str] | None = None) -> list[str]:
    """Lesson, then its practice notebook, lesson by lesson (paths relative to the course root)."""
    steps = []
    for lesson in coursefiles.lessons():
        if only and coursefiles.number(lesson) not in only:
            continue
        steps.append(lesson.relative_to(REPO).as_posix())
        practice = coursefiles.practice_of(lesson, "exercises")
        if practice.is_file():
            steps.append(practice.relative_to(REPO).as_posix())
    return steps


JS_OPEN = """async path => {
    const app = window.jupyterapp;
    const widget = await app.commands.execute('docmanager:open', {path});
    app.shell.activateById(widget.id);
}"""
JS_IDLE = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return false;
    const s = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const name = panel.querySelector('.jp-KernelName');
    return s && s.getAttribute('data-status') === 'idle' && !document.querySelector('.jp-Dialog') &&
           name && !/No Kernel/.test(name.textContent);
}"""


def _accept_kernel_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.locator("button", has_text=re.compile(r"^Select$")).click()
        dialog.wait_for(state="detached")


def run_notebook(page, path: str, timeout_ms: int) -> None:
    page.evaluate(JS_OPEN, path)
    page.wait_for_function("() => document.querySelector('.jp-Dialog') || (" + JS_IDLE + ")()", timeout=timeout_ms)
    _accept_kernel_dialog(page)
    page.wait_for_function(JS_IDLE, timeout=timeout_ms)
    page.evaluate("async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(headless.JS_ALL_CELLS_RAN, timeout=timeout_ms, polling=500)
    page.wait_for_function(JS_IDLE, timeout=timeout_ms, polling=500)
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")


def close_current_tab(page) -> None:
    page.evaluate("async () => { await window.jupyterapp.commands.execute('application:close'); }")
    dialog = page.locator(".jp-Dialog")
    if dialog.count():  # "Save your work?" if a last output arrived after saving
        dialog.locator("button", has_text=re.compile(r"^(Save|Discard)$")).first.click()
        dialog.wait_for(state="detached")


def walk(close_tabs: bool, cull_seconds: float | None, only=None, timeout_s: float = 300, dwell: float = 0) -> dict:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no Chromium found: apt-get install chromium, or set HEARTDATA_CHROMIUM")
    steps = the_walk(only)
    with tempfile.TemporaryDirectory(prefix="heartdata-walk-") as tmp:
        tmp = Path(tmp)
        root = course_copy(tmp / "course")
        home = tmp / "home"
        settings = home / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "rt"),
               "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "IPYTHONDIR": str(home / "ipython"),
               "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}  # fmt: skip
        env.pop("HEARTDATA_DIR", None)
        port, token = free_port(), secrets.token_hex(16)
        cmd = lab_command(port, token)
        if cull_seconds is not None:  # the walk's time compression: the only setting it changes
            interval = max(1, int(cull_seconds // 4))
            cmd += [f"--MappingKernelManager.cull_idle_timeout={int(cull_seconds)}",
                    f"--MappingKernelManager.cull_interval={interval}"]  # fmt: skip
        log = home / "server.log"
        with open(log, "w") as out:
            server = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = None
        rows = []
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/api/status?token={token}", server, log)
            sampler = MemorySampler(server.pid)
            sampler.start()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/lab/workspaces/walk?token={token}", wait_until="domcontentloaded")
                page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started !== undefined")
                page.wait_for_selector(".jp-LabShell")
                for path in steps:
                    start = time.monotonic()
                    before = sampler.peak_mib
                    sampler.peak_mib = 0.0  # the peak while this notebook runs
                    run_notebook(page, path, int(timeout_s * 1000))
                    sampler.sample()
                    step_peak = sampler.peak_mib
                    sampler.peak_mib = max(before, step_peak)
                    if close_tabs:
                        close_current_tab(page)
                        wait_for_kernels(sampler, at_most=0, timeout_s=KERNEL_SHUTDOWN_S)
                    time.sleep(dwell)  # reading: the sampler goes on
                    rows.append({"notebook": path, "seconds": round(time.monotonic() - start, 1),
                                 "peak_mib": round(step_peak), "kernels": sampler.kernels})  # fmt: skip
                    print(f"{path:55s} {rows[-1]['seconds']:6.1f} s  peak {step_peak:6.0f} MiB  "
                          f"kernels alive {sampler.kernels}", flush=True)  # fmt: skip
                browser.close()
        finally:
            if sampler:
                sampler.stop()
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    result = {"mode": "close-tabs" if close_tabs else "keep-tabs", "cull_seconds": cull_seconds, "dwell": dwell,
              "notebooks": len(rows), "peak_mib": round(sampler.peak_mib), "peak_kernels": sampler.peak_kernels,
              "steps": rows}  # fmt: skip
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Walk the course in one JupyterLab session and measure memory.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--close-tabs", action="store_true", help="close each tab before opening the next")
    mode.add_argument("--keep-tabs", action="store_true", help="never close a tab")
    parser.add_argument("--cull-seconds", type=float, default=None,
                        help="idle time before the server culls a kernel (default: the course's 20 minutes; "
                             "--keep-tabs uses 10 s unless told)")  # fmt: skip
    parser.add_argument("--no-cull", action="store_true", help="keep-tabs without culling (JupyterLab's default)")
    parser.add_argument("--only", nargs="*", help="lesson numbers to walk (default: all)")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args(argv)
    cull = args.cull_seconds
    if args.keep_tabs and cull is None and not args.no_cull:
        cull = 10.0
    dwell = cull if args.keep_tabs and not args.no_cull else 0.0
    if args.no_cull:
        cull = 10**7
    try:
        result = walk(close_tabs=args.close_tabs, cull_seconds=cull, only=args.only, dwell=dwell)
    except RuntimeError as exc:
        print(f"walk: {exc}", file=sys.stderr)
        return 2
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "steps"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
