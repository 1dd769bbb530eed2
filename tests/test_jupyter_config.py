"""The JupyterLab memory settings the course ships: installed where Jupyter reads them, and read by it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import jupyter_config  # noqa: E402


def test_install_writes_both_settings_and_is_idempotent(tmp_path):
    written = jupyter_config.install(tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in written) == sorted(jupyter_config.TARGETS.values())
    lab = json.loads((tmp_path / jupyter_config.TARGETS["lab-overrides.json"]).read_text())
    assert lab["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True
    server = json.loads((tmp_path / jupyter_config.TARGETS["server.json"]).read_text())
    assert server["MappingKernelManager"]["cull_connected"] is True
    assert server["MappingKernelManager"]["cull_idle_timeout"] == 20 * 60
    assert jupyter_config.install(tmp_path) == [] and jupyter_config.install(tmp_path, check=True) == []


def test_install_keeps_what_the_environment_already_configures(tmp_path):
    dest = tmp_path / jupyter_config.TARGETS["server.json"]
    dest.parent.mkdir(parents=True)
    dest.write_text(json.dumps({"ServerApp": {"ip": "0.0.0.0"}, "MappingKernelManager": {"cull_interval": 5}}))
    jupyter_config.install(tmp_path)
    merged = json.loads(dest.read_text())
    assert merged["ServerApp"] == {"ip": "0.0.0.0"}
    assert merged["MappingKernelManager"]["cull_interval"] == 60 and merged["MappingKernelManager"]["cull_connected"]


def _run(*args):
    return subprocess.run([sys.executable, str(REPO / "tools" / "jupyter_config.py"), *args],
                          capture_output=True, text=True)  # fmt: skip


def test_check_reports_a_missing_setting_and_a_broken_file_is_refused_in_one_line(tmp_path):
    assert _run("--check", "--prefix", str(tmp_path)).returncode == 1
    dest = tmp_path / jupyter_config.TARGETS["server.json"]
    dest.parent.mkdir(parents=True)
    dest.write_text("{not json")
    r = _run("--prefix", str(tmp_path))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "not valid JSON" in r.stderr
    assert "Traceback" not in r.stderr


def test_this_environments_jupyter_server_reads_the_culling_settings():
    """`make setup` installed them into .venv; the server's own configuration loader finds them."""
    code = (
        "from jupyter_server.serverapp import ServerApp; a = ServerApp(); a.load_config_file(); "
        "import json; print(json.dumps(dict(a.config.MappingKernelManager)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == jupyter_config.settings("server.json")["MappingKernelManager"]


def test_the_news_pop_up_is_off_with_values_jupyterlab_accepts():
    """A fresh session (locally and on Binder, whose postBuild installs the same overrides) shows no Jupyter news
    toast: the overrides set JupyterLab's own notification settings to values its schema allows."""
    ours = jupyter_config.settings("lab-overrides.json")["@jupyterlab/apputils-extension:notification"]
    assert ours == {"fetchNews": "false", "checkForUpdates": False}
    schema = json.loads((Path(sys.prefix) / "share/jupyter/lab/schemas/@jupyterlab/apputils-extension"
                         / "notification.json").read_text())["properties"]  # fmt: skip
    assert ours["fetchNews"] in [option["const"] for option in schema["fetchNews"]["oneOf"]]
    assert schema["checkForUpdates"]["type"] == "boolean"
    installed = json.loads((Path(sys.prefix) / jupyter_config.TARGETS["lab-overrides.json"]).read_text())
    assert installed["@jupyterlab/apputils-extension:notification"] == ours, "run `make setup` again"
    assert "jupyter_config.py" in (REPO / "postBuild").read_text(), "Binder must install the same overrides"
