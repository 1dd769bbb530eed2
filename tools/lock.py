"""Pin the students' environment down to every package beneath the direct ones: environment.yml is the lock.

``requirements.txt`` pins what the course uses directly (it installs on Linux, macOS and Windows alike); whatever
those packages pull in would otherwise float, so a Binder image built on Tuesday could differ from Monday's. This
script reads the environment it runs in (``make setup``'s ``.venv``, the one CI tests), takes every package that
``requirements.txt`` needs, directly or beneath (their declared dependencies, with environment markers evaluated
here, on Linux as on Binder), at the version installed, and writes them into ``environment.yml``'s pip section.
The test tools (``requirements-test.txt``) and what only they need stay out. tests/test_environment.py checks that
environment.yml equals what this would write, so a change of pins that is not locked fails.

    .venv/bin/python tools/lock.py            # write environment.yml
    .venv/bin/python tools/lock.py --check    # exit 1 if environment.yml is not the lock of this environment
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
ENV = REPO / "environment.yml"
BEGIN = "      # BEGIN LOCK"
END = "      # END LOCK"


def direct(path: Path = REPO / "requirements.txt") -> list[str]:
    names = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.append(Requirement(line).name)
    return names


# What pip itself installs and `pip freeze` leaves out: never part of the lock.
INSTALLERS = {"pip", "setuptools", "wheel"}


def closure(names: list[str]) -> dict[str, str]:
    """Every installed distribution ``names`` need (themselves included, extras followed): name -> version."""
    found: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(name, "") for name in names]
    while todo:
        name, extra = todo.pop()
        key = (canonicalize_name(name), extra)
        if key in seen or key[0] in INSTALLERS:
            continue
        seen.add(key)
        dist = metadata.distribution(key[0])
        found[dist.metadata["Name"].lower()] = dist.version
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": extra}):
                if req.marker is not None and extra == "" and "extra" in str(req.marker):
                    continue  # an optional dependency nobody asked for
                todo += [(req.name, "")] + [(req.name, e) for e in req.extras]
    return found


def lock_lines(names: list[str] | None = None) -> list[str]:
    pins = closure(names or direct())
    return [f"      - {name}=={version}" for name, version in sorted(pins.items())]


def write(text: str, lines: list[str]) -> str:
    block = "\n".join([BEGIN, *lines, END])
    return re.sub(rf"^{re.escape(BEGIN)}\n.*?^{re.escape(END)}", lambda _: block, text, flags=re.M | re.S)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write environment.yml as the lock of the students' environment.")
    parser.add_argument("--check", action="store_true", help="only report whether environment.yml is the lock")
    args = parser.parse_args(argv)
    try:
        lines = lock_lines()
    except metadata.PackageNotFoundError as exc:
        print(f"{exc} is not installed here: run this with the course's environment after `make setup`",
              file=sys.stderr)  # fmt: skip
        return 2
    text = ENV.read_text()
    new = write(text, lines)
    if args.check:
        print("environment.yml is the lock" if new == text else "environment.yml is not the lock: run tools/lock.py")
        return 0 if new == text else 1
    ENV.write_text(new)
    print(f"wrote {len(lines)} pins into {ENV.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
