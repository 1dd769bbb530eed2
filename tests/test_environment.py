"""The pip and conda/Binder environments pin the same packages to the same exact versions."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import REPO

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)$")


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line or line.startswith("-e"):
            continue
        m = PIN.match(line)
        assert m, f"not an exact '==' pin: {line!r}"
        pins[m[1].lower()] = m[2]
    return pins


def requirements() -> dict[str, str]:
    return _pins((REPO / "requirements.txt").read_text().splitlines())


def conda_env() -> dict:
    return yaml.safe_load((REPO / "environment.yml").read_text())


def test_requirements_pin_every_package_exactly():
    pins = requirements()
    for name in [
        "jupyterlab",
        "pandas",
        "matplotlib",
        "seaborn",
        "missingno",
        "wfdb",
        "nbval",
        "scikit-learn",
        "scipy",
    ]:
        assert name in pins, f"{name} is part of the course stack and must be pinned"


def test_environment_yml_matches_requirements():
    env = conda_env()
    assert "conda-forge" in env["channels"]
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-e ." in pip_section, "Binder must install the heartdata package"
    assert _pins(pip_section) == requirements()


def test_package_dependencies_are_pinned():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = requirements()
    for dep in project["dependencies"]:
        name = re.split(r"[<>=!~ ;\[]", dep)[0].lower()
        assert name in pins or name == "ipython", f"heartdata needs {name}; pin it in requirements.txt"
