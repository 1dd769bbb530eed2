"""Where the data lives: the shipped subset, or a full copy named by root / HEARTDATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError

SHIPPED = Path(__file__).resolve().parents[1] / "data"
ENV_VAR = "HEARTDATA_DIR"


def dataset_dir(name: str, root: str | Path | None = None, marker: str | None = None) -> Path:
    """Folder of one dataset (``ptbxl``, ``challenge2012``, ``mitdb``).

    ``root`` (or $HEARTDATA_DIR) is a folder holding the dataset folders; for
    convenience it may also be the dataset folder itself, recognised by ``marker``
    (a file name or a glob pattern such as ``set-*``).
    """
    if root is None:
        root = os.environ.get(ENV_VAR) or None
    if root is None:
        base = SHIPPED
        source = "the course's shipped data"
    else:
        base = Path(root).expanduser()
        source = f"root={str(root)!r}" if root != os.environ.get(ENV_VAR) else f"${ENV_VAR}={root}"
    if not base.is_dir():
        raise DataError(
            base,
            f"folder does not exist ({source})",
            f"Point root= or ${ENV_VAR} at a folder holding ptbxl/, challenge2012/ and mitdb/, "
            "or leave both unset to use the shipped subset.",
        )
    if (base / name).is_dir():
        return base / name
    if marker and next(base.glob(marker), None) is not None:
        return base
    raise DataError(
        base / name,
        f"no {name}/ folder here ({source})",
        f"Expected {base / name}, laid out as PhysioNet serves the dataset. "
        f"Leave root= and ${ENV_VAR} unset to use the shipped subset.",
    )
