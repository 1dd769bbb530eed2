"""One error type for every problem with the data, so messages stay specific."""

from __future__ import annotations

import argparse
import math
from pathlib import Path


class DataError(ValueError):
    """A data file is missing, malformed or does not match what was asked for.

    The message always says which file (or which request), what was wrong and
    what to do about it.
    """

    def __init__(self, where: str | Path, problem: str, fix: str):
        self.where, self.problem, self.fix = str(where), problem, fix
        super().__init__(f"{where}: {problem}. {fix}")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (what is wrong, and where to look), exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}. See {self.prog} --help.\n")


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


def _kind(value) -> str:
    return type(value).__name__


def as_ids(values, name: str) -> list[int]:
    """``values`` (one id, or a list, array, Index or Series of ids) as a list of Python ints.

    Refuses, naming the argument, what would otherwise load the wrong records or fail deep inside:
    True/False (a bool is an int to Python), fractional or non-finite numbers (2.7 is not record 2),
    text ('1.0'), None, a table (iterating a DataFrame gives its column names), nested lists, nothing at all.
    """
    import numbers

    import numpy as np
    import pandas as pd

    usual = f"Pass {name}= as one whole number or a list, array or index of them."

    def bad(problem: str, fix: str = usual) -> DataError:
        return DataError(f"{name}={values!r}"[:120], problem, fix)

    if values is None:
        raise bad("no ids given (None)")
    if isinstance(values, pd.DataFrame):
        raise bad("is a table, not ids", f"Pass one of its columns or its index, e.g. {name}=table.index.")
    if isinstance(values, str | bytes):
        raise bad(f"is text ({_kind(values)}), not a number", f"Pass {name}= as whole numbers, e.g. int(...) first.")
    if isinstance(values, dict):
        raise bad("is a dict", f"Pass {name}=list(d) or list(d.values()), whichever holds the ids.")
    if isinstance(values, np.ndarray) and values.ndim == 0:
        values = values.item()
    if isinstance(values, numbers.Number | np.generic) or not hasattr(values, "__iter__"):
        items = [values]
    elif isinstance(values, np.ndarray | pd.Index | pd.Series) and values.ndim == 1:
        arr = np.asarray(values)
        if arr.dtype.kind in "iu":
            items = arr.tolist()
            if not items:
                raise bad("is empty: nothing to load", f"Pass at least one id in {name}=.")
            return items
        items = list(arr)
    elif np.ndim(values) > 1:
        raise bad(f"has {np.ndim(values)} dimensions", f"Pass a flat list of ids (e.g. np.ravel({name})).")
    else:
        try:
            items = list(values)
        except TypeError:
            raise bad(f"is a {_kind(values)}, not ids") from None
    out = []
    for v in items:
        if isinstance(v, bool | np.bool_):
            raise bad(f"holds {v!r}, a truth value, not an id")
        if isinstance(v, numbers.Integral):
            out.append(int(v))
        elif isinstance(v, numbers.Real):
            if not math.isfinite(v) or not float(v).is_integer():
                raise bad(f"holds {v!r}, not a whole number", "Ids are whole numbers; round or drop it explicitly.")
            out.append(int(v))
        else:
            raise bad(f"holds {v!r} ({_kind(v)}), not a number")
    if not out:
        raise bad("is empty: nothing to load", f"Pass at least one id in {name}=.")
    return out


def as_positive_int(value, name: str) -> int:
    """A whole number >= 1 given as an int (not a bool, a float such as 2.5, or text)."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise DataError(f"{name}={value!r}", f"must be a whole number, not a {_kind(value)}", f"Pass {name}=256, say.")
    if int(value) < 1:
        raise DataError(f"{name}={value!r}", "must be at least 1", f"Pass {name}= a whole number >= 1.")
    return int(value)
