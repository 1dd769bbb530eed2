"""Where the data lives: the shipped subset, or a full copy named by root / HEARTDATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError

SHIPPED = Path(__file__).resolve().parents[1] / "data"
ENV_VAR = "HEARTDATA_DIR"


def as_folder(root, name: str = "root") -> Path:
    """``root`` (text or a path) as a Path, or DataError naming the argument when it is anything else."""
    if isinstance(root, bool) or not isinstance(root, str | os.PathLike):
        raise DataError(
            f"{name}={root!r}"[:120],
            f"is a {type(root).__name__}, not a folder path",
            f"Pass {name}= as text or a pathlib.Path naming a folder"
            + (" (or None for the shipped data)." if name == "root" else "."),
        )
    text = os.fspath(root)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise DataError(f"{name}={root!r}", "is empty", f"Pass {name}= a folder path, or None for the shipped data.")
    return Path(text).expanduser()


def is_shipped(path) -> bool:
    """True when ``path``, with every symlink resolved, is the shipped data/ folder or lies under it."""
    real = Path(os.path.realpath(path))
    shipped = Path(os.path.realpath(SHIPPED))
    return real == shipped or shipped in real.parents


def dataset_dir(name: str, root: str | Path | None = None, marker: str | None = None) -> Path:
    """Folder of one dataset (``ptbxl``, ``challenge2012``, ``mitdb``).

    ``root`` (or $HEARTDATA_DIR) is a folder holding the dataset folders; for
    convenience it may also be the dataset folder itself, recognised by ``marker``
    (a file name or a glob pattern such as ``set-*``).
    """
    from_env = root is None and bool(os.environ.get(ENV_VAR))
    if root is None:
        root = os.environ.get(ENV_VAR) or None
    if root is None:
        base = SHIPPED
        source = "the course's shipped data"
    else:
        base = as_folder(root, f"${ENV_VAR}" if from_env else "root")
        source = f"${ENV_VAR}={root}" if from_env else f"root={str(root)!r}"
    fix = (
        f"Point root= or ${ENV_VAR} at a folder holding ptbxl/, challenge2012/ and mitdb/, "
        "or leave both unset to use the shipped subset."
    )
    if base.exists() and not base.is_dir():
        raise DataError(base, f"is a file, not a folder ({source})", fix)
    if not base.is_dir():
        raise DataError(base, f"folder does not exist ({source})", fix)
    if (base / name).is_dir():
        return base / name
    if (base / name).exists():
        raise DataError(base / name, f"is a file, not the {name}/ folder ({source})", fix)
    if marker and next(base.glob(marker), None) is not None:
        return base
    raise DataError(
        base / name,
        f"no {name}/ folder here ({source})",
        f"Expected {base / name}, laid out as PhysioNet serves the dataset. "
        f"Leave root= and ${ENV_VAR} unset to use the shipped subset.",
    )
