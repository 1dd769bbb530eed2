"""Take the course's latest version without losing a student's work (``make update``).

With the notebook filter (tools/gitfilter.py), git compares notebooks without their outputs; but git still flags a
notebook whose file *size* changed (a lesson that was run and saved) until it is staged again, and ``git pull``
refuses to touch a flagged file. This script:

1. re-applies the filter to every tracked notebook (``git add --renormalize``): a notebook that was only run,
   not changed, stops being flagged (its outputs are not the student's work; *Run All* brings them back);
2. if the student changed anything (code, text, a new answer), puts it aside with ``git stash`` under a dated name;
3. takes the new version (``git pull --ff-only``);
4. brings the student's changes back (``git stash pop``). Where the course changed the same lines, git marks the
   conflict in the file and keeps the student's version in the stash too, and this script says how to get it back.

    python tools/update.py        # or: make update
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def git(*args: str, root: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def update(root: Path = REPO, remote: str | None = None) -> tuple[int, str]:
    if git("rev-parse", "--git-dir", root=root).returncode != 0:
        return 2, f"{root} is not a git clone: download the course again, and copy your notebooks into it"
    git("add", "--renormalize", "--", "*.ipynb", root=root)
    changed = git("status", "--porcelain", "--untracked-files=no", root=root).stdout.strip()
    name = f"your work before make update, {time.strftime('%Y-%m-%d %H:%M')}"
    if changed and git("stash", "push", "-m", name, root=root).returncode != 0:
        return 2, "git could not put your changes aside; nothing was updated (see `git status`)"
    pull = git("pull", "--ff-only", *([remote] if remote else []), root=root)
    message = "the course is up to date" if pull.returncode == 0 else f"git pull failed: {pull.stderr.strip()}"
    if changed:
        pop = git("stash", "pop", root=root)
        if pop.returncode != 0:
            return 1, (f"{message}; some of your changes touch lines the course changed too: git marked them in the "
                       f"files (`git status` lists them), and your version is kept as '{name}' "
                       "(`git stash list`; `git checkout stash@{0} -- FILE` brings one file back)")  # fmt: skip
        message += "; your changes are back in place"
    return (0 if pull.returncode == 0 else 1), message


def main(argv=None) -> int:
    code, message = update()
    print(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
