"""Keep a student's clone of the course clean: git sees a notebook's code and text, never its outputs.

JupyterLab writes into the notebook it has open: the kernel fills ``metadata.language_info``, running a cell stores
its outputs and execution count, and autosave writes all of it to the file, so a lesson merely opened and run
shows as modified in ``git status`` and blocks ``git pull``. The field's answer is a git *clean filter* with
nbstripout (https://github.com/kynan/nbstripout): the file on disk keeps everything the student ran (nothing is
lost), and git compares and commits the notebook as the course ships it, without outputs. ``.gitattributes`` names
the filter for ``*.ipynb``; this script defines it in the clone's ``.git/config`` (``make setup`` runs it), with
the course's own options:

- ``--keep-id``: the course's cell ids are stable (``cell-000``...); nbstripout would otherwise renumber them;
- ``--extra-keys metadata.language_info.*``: what the kernel adds to ``language_info`` (its version, lexer, ...);
  the course ships ``{"name": "python"}``, which stays.

Every notebook the course ships is a fixed point of this filter (tests/test_class.py), so a clone with the filter
and one without see the same files. A notebook whose *code or text* a student changed still shows as modified:
that is the student's work, which ``git stash`` (or a copy under another name) keeps across an update.

    python tools/gitfilter.py            # define the filter in this clone (idempotent)
    python tools/gitfilter.py --check    # exit 1 if it is not defined

In a linked worktree (``git worktree add``) the repository's configuration is shared by every checkout, so the
script leaves it alone and says so.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXTRA_KEYS = " ".join(
    f"metadata.language_info.{key}"
    for key in ("codemirror_mode", "file_extension", "mimetype", "nbconvert_exporter", "pygments_lexer", "version")
)
OPTIONS = ["--keep-id", "--extra-keys", EXTRA_KEYS]


def command(python: str = sys.executable) -> list[str]:
    """The clean filter as an argument list (what the tests run)."""
    return [python, "-m", "nbstripout", *OPTIONS]


def _shell(python: str) -> str:
    """The clean filter as git runs it (through a POSIX shell, Git for Windows' too)."""
    return f'"{Path(python).as_posix()}" -m nbstripout --keep-id --extra-keys "{EXTRA_KEYS}"'


def settings(python: str = sys.executable) -> dict[str, str]:
    clean = _shell(python)
    return {"filter.nbstripout.clean": clean, "filter.nbstripout.smudge": "cat", "diff.ipynb.textconv": f"{clean} -t"}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def install(root: Path = REPO, python: str = sys.executable, check: bool = False) -> tuple[int, str]:
    """Define the filter in ``root``'s git configuration; return (exit code, one line saying what happened)."""
    git_dir = _git(root, "rev-parse", "--absolute-git-dir")
    if git_dir.returncode != 0:
        return 0, f"{root} is not a git clone: nothing to configure (the notebooks there are yours to change)"
    common = _git(root, "rev-parse", "--path-format=absolute", "--git-common-dir").stdout.strip()
    if Path(common) != Path(git_dir.stdout.strip()):
        return 0, "a linked worktree shares its repository's configuration: the notebook filter was left undefined"
    wanted = settings(python)
    stale = [k for k, v in wanted.items() if _git(root, "config", "--local", "--get", k).stdout.strip() != v]
    if check:
        return (1, "the notebook filter is not defined: run python tools/gitfilter.py") if stale else (0, "defined")
    for key in stale:
        _git(root, "config", "--local", key, wanted[key])
    return 0, "git sees notebooks without their outputs (nbstripout clean filter)" if stale else "already defined"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Define the clean filter that keeps notebook outputs out of git.")
    parser.add_argument("--check", action="store_true", help="only report whether the filter is defined")
    parser.add_argument("--root", type=Path, default=REPO, help="the clone (default: this course)")
    args = parser.parse_args(argv)
    code, message = install(args.root, check=args.check)
    print(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
