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
    locked = _pins(pip_section)
    assert {name: locked.get(name) for name in requirements()} == requirements(), "run tools/lock.py"


def test_package_dependencies_are_pinned():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = requirements()
    for dep in project["dependencies"]:
        name = re.split(r"[<>=!~ ;\[]", dep)[0].lower()
        assert name in pins or name == "ipython", f"heartdata needs {name}; pin it in requirements.txt"


# What only the tests, the lint and the website use: never in the students' environment (Binder installs
# environment.yml; a student's pip installs requirements.txt).
TEST_ONLY = {"pytest", "pytest-xdist", "nbval", "ruff", "playwright", "colour-science", "codespell", "sphinx",
             "myst-nb"}  # fmt: skip


def test_no_test_or_site_tool_is_in_the_students_environment():
    assert not TEST_ONLY & set(requirements()), "test tools belong in requirements-test.txt"
    pip_section = next(d["pip"] for d in conda_env()["dependencies"] if isinstance(d, dict))
    assert not TEST_ONLY & set(_pins(pip_section))
    tests = _pins((REPO / "requirements-test.txt").read_text().splitlines())
    assert {"pytest", "nbval", "ruff", "playwright", "pytest-xdist"} <= set(tests)
    assert not set(tests) & set(requirements()), "a package pinned in both files could drift apart"


def test_the_licence_is_an_spdx_expression_setuptools_accepts():
    """PEP 639: `license = "MIT"` (a table is deprecated, and setuptools stops accepting it in 2027); the string
    form needs setuptools 77 or newer to build."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == "MIT"
    assert (REPO / pyproject["project"]["license-files"][0]).read_text().startswith("MIT License")
    requires = pyproject["build-system"]["requires"]
    m = next(re.match(r"setuptools>=(\d+)", r) for r in requires if r.startswith("setuptools"))
    assert m and int(m[1]) >= 77, requires


def test_binder_installs_the_package_after_the_environment():
    pip_section = next(d["pip"] for d in conda_env()["dependencies"] if isinstance(d, dict))
    assert not any(line.startswith("-e") for line in pip_section), "a path in environment.yml defeats Binder's cache"
    post = (REPO / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post and "tools/jupyter_config.py" in post


def test_environment_yml_is_the_lock_of_what_ci_installs():
    """Binder installs environment.yml: every package of the students' environment, the ones beneath the direct
    pins included, at the version CI tests. It equals `pip freeze` of this environment (make setup's .venv) minus the
    test tools and what only they need, minus the course's own package."""
    import subprocess
    import sys

    from packaging.utils import canonicalize_name

    sys.path.insert(0, str(REPO / "tools"))
    import lock

    pip_section = next(d["pip"] for d in conda_env()["dependencies"] if isinstance(d, dict))
    locked = {canonicalize_name(k): v for k, v in _pins(pip_section).items()}
    assert subprocess.run([sys.executable, str(REPO / "tools" / "lock.py"), "--check"]).returncode == 0
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    installed = {canonicalize_name(a): b for a, b in re.findall(r"^([\w.\-]+)==(\S+)$", freeze, re.M)}
    assert {k: installed.get(k) for k in locked} == locked, "environment.yml pins a version CI does not install"
    tests = {canonicalize_name(n) for n in _pins((REPO / "requirements-test.txt").read_text().splitlines())}
    only_tests = set(lock.closure(sorted(tests))) - set(locked)
    assert set(installed) - set(locked) <= only_tests | lock.INSTALLERS, "CI installs packages Binder would not"
