"""Loaded by every pytest run in this repository: tests/, and nbval of notebooks/, exercises/ and solutions/.

Every exercise check writes its verdict to progress-NN.json as it runs (heartdata/_progress.py), in the notebook's
folder unless HEARTDATA_PROGRESS_DIR says otherwise. Tests run checks from the repository's root, and nbval runs the
practice notebooks in solutions/ and exercises/ (its kernels inherit this environment), so the files go to a temporary
folder of this process instead: a test run leaves no progress file in the repository. (The shared fixtures are in
tests/conftest.py.)
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_PROGRESS_DIR = tempfile.mkdtemp(prefix="heartdata-progress-")
os.environ["HEARTDATA_PROGRESS_DIR"] = _PROGRESS_DIR
atexit.register(shutil.rmtree, _PROGRESS_DIR, ignore_errors=True)
