"""One error type for every problem with the data, so messages stay specific."""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """A data file is missing, malformed or does not match what was asked for.

    The message always says which file (or which request), what was wrong and
    what to do about it.
    """

    def __init__(self, where: str | Path, problem: str, fix: str):
        self.where, self.problem, self.fix = str(where), problem, fix
        super().__init__(f"{where}: {problem}. {fix}")


def missing_file(path: Path, what: str) -> DataError:
    return DataError(
        path,
        f"{what} not found",
        "Check that the folder is laid out as PhysioNet serves it, or unset "
        "HEARTDATA_DIR / pass root=None to use the data shipped with the course.",
    )


def unknown(kind: str, wrong: list, known: list, where: str | Path) -> DataError:
    shown = ", ".join(map(str, known[:10]))
    if len(known) > 10:
        shown += f" and {len(known) - 10} more"
    return DataError(
        where,
        f"unknown {kind} {', '.join(map(str, wrong[:10]))}",
        f"Available {kind}s ({len(known)}): {shown or 'none'}.",
    )
