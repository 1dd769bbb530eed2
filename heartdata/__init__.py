"""heartdata: loaders, plots and exercise feedback for the clinical cardiac data course.

Loaders (ptbxl, challenge2012, mitdb) return the data as PhysioNet ships it; cleaning is what the lessons
teach. What the lessons built is here as reference code: ``heartdata.cleaning`` (lesson 06) and
``heartdata.mortality`` (lesson 07, also a command: ``python -m heartdata.mortality``).
"""

from . import challenge2012, mitdb, ptbxl
from .errors import DataError
from .physionet import download

__all__ = ["DataError", "challenge2012", "download", "mitdb", "ptbxl"]
__version__ = "0.1.0"
