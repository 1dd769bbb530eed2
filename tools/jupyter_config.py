"""Install the course's JupyterLab memory settings into the running Python environment.

A whole course session must fit Binder's 1-2 GiB (server and every kernel together). Two settings make
that true, and this script copies them from ``jupyter-config/`` to where Jupyter reads them in this
environment (``sys.prefix``), so ``make lab``, the README's pip commands and Binder (``postBuild``) all get
them:

- ``jupyter-config/lab-overrides.json`` -> ``share/jupyter/lab/settings/overrides.d/heartdata.json``:
  closing a notebook's tab shuts its kernel down (JupyterLab's default keeps it running), and no Jupyter news
  pop-up or update check (``fetchNews``, ``checkForUpdates``: the toast covers the welcome lesson's practice link);
- ``jupyter-config/server.json`` -> merged into ``etc/jupyter/jupyter_server_config.json``: the server
  shuts down kernels that have been idle for 20 minutes, even with a tab still open. (Jupyter Server reads
  only extension switches from ``jupyter_server_config.d/``, so these settings go into the environment's
  main server configuration file, keeping whatever else it holds.)

    python tools/jupyter_config.py            # install (idempotent)
    python tools/jupyter_config.py --check    # exit 1 if this environment lacks the settings
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "jupyter-config"
TARGETS = {
    "lab-overrides.json": Path("share/jupyter/lab/settings/overrides.d/heartdata.json"),
    "server.json": Path("etc/jupyter/jupyter_server_config.json"),
}


def settings(name: str) -> dict:
    return json.loads((SOURCE / name).read_text())


def merged(current: dict, ours: dict) -> dict:
    """``current`` with every section of ``ours`` laid over it (other sections and keys kept)."""
    out = {**current}
    for section, values in ours.items():
        out[section] = {**current.get(section, {}), **values}
    return out


def install(prefix: Path = Path(sys.prefix), check: bool = False) -> list[Path]:
    """Write each settings file under ``prefix``; return the files that lacked the settings."""
    stale = []
    for name, target in TARGETS.items():
        dest = prefix / target
        current = json.loads(dest.read_text()) if dest.is_file() else {}
        wanted = merged(current, settings(name))
        if current == wanted:
            continue
        text = json.dumps(wanted, indent=2) + "\n"
        stale.append(dest)
        if not check:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_suffix(".tmp")
            tmp.write_text(text)
            tmp.replace(dest)
    return stale


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Install the course's JupyterLab memory settings.")
    parser.add_argument("--check", action="store_true", help="only report whether the settings are installed")
    parser.add_argument("--prefix", type=Path, default=Path(sys.prefix), help="environment (default: this one)")
    args = parser.parse_args(argv)
    try:
        stale = install(args.prefix, check=args.check)
    except OSError as exc:
        print(f"cannot install the Jupyter settings under {args.prefix}: {exc.strerror}; "
              "run this with the course's own environment (e.g. .venv/bin/python)", file=sys.stderr)  # fmt: skip
        return 2
    except ValueError as exc:  # an existing configuration file that is not JSON
        print(f"cannot merge the Jupyter settings under {args.prefix}: a configuration file there is not valid "
              f"JSON ({exc}); fix or remove it, then run this again", file=sys.stderr)  # fmt: skip
        return 2
    for path in stale:
        print(("missing or different: " if args.check else "installed ") + str(path))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
