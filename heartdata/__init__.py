"""heartdata: loaders, plots and exercise feedback for the clinical cardiac data course.

Loaders return the data as PhysioNet ships it; cleaning is what the lessons teach.
"""

from . import challenge2012, mitdb, ptbxl
from .errors import DataError
from .physionet import download

__all__ = ["DataError", "challenge2012", "download", "mitdb", "ptbxl"]
__version__ = "0.1.0"
