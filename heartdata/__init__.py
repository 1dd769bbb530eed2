"""heartdata: loaders, plots and exercise feedback for the clinical cardiac data course.

Loaders (ptbxl, challenge2012, mitdb) return the data as PhysioNet ships it; cleaning is what the lessons
teach. What the lessons built is here as reference code: ``heartdata.cleaning`` (lesson 06),
``heartdata.mortality`` (lesson 07, also a command: ``python -m heartdata.mortality``), ``heartdata.interop``
and ``heartdata.fhirvalidate`` (lesson 08), ``heartdata.privacy`` (lesson 09), ``heartdata.scale`` (lesson 10)
and ``heartdata.clinic`` (lesson 11).

Submodules are imported when first used (``heartdata.ptbxl`` or ``from heartdata import ptbxl``), so that
``import heartdata`` is quick and a notebook's kernel holds only what it uses (wfdb, for one, is loaded by
the MIT-BIH loader alone).
"""

from __future__ import annotations

import importlib

from .errors import DataError

_LAZY_MODULES = {"challenge2012", "mitdb", "ptbxl"}

__all__ = ["DataError", "challenge2012", "download", "mitdb", "ptbxl"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "download":
        from .physionet import download

        return download
    raise AttributeError(f"module 'heartdata' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
