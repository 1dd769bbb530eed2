"""heartdata: loaders, plots and exercise feedback for the clinical cardiac data course.

Loaders (ptbxl, challenge2012, mitdb) return the data as PhysioNet ships it; cleaning is what the lessons
teach. What the lessons built is here as reference code: ``heartdata.cleaning`` (lesson 06),
``heartdata.mortality`` (lesson 07, also a command: ``python -m heartdata.mortality``), ``heartdata.interop``
(lesson 08), ``heartdata.privacy`` (lesson 09), ``heartdata.scale`` (lesson 10) and ``heartdata.clinic``
(lesson 11). ``heartdata.progress()`` shows a student's exercise statuses and writes the file they hand in.

Submodules are imported when first used (``heartdata.ptbxl`` or ``from heartdata import ptbxl``), so that
``import heartdata`` is quick and a notebook's kernel holds only what it uses (wfdb, for one, is loaded by
the MIT-BIH loader alone).
"""

from __future__ import annotations

import importlib

from .errors import DataError

_LAZY_MODULES = {"challenge2012", "mitdb", "ptbxl"}

__all__ = ["DataError", "challenge2012", "download", "mitdb", "progress", "ptbxl"]
__version__ = "0.1.0"


def progress(lesson=None, student: str = "", save_file: bool = True, folder=None):
    """The exercises of a lesson with their last status in this session (a table), and the hand-in file
    progress-NN.json written beside the notebook. ``lesson`` defaults to the lesson checked in this session."""
    from ._progress import progress as _progress

    return _progress(lesson, student=student, save_file=save_file, folder=folder)


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "download":
        from .physionet import download

        return download
    raise AttributeError(f"module 'heartdata' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
