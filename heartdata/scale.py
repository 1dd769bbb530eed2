"""Lesson 10's pipelines in parallel on Dask: the same code on a laptop (LocalCluster) and on a cluster (SLURM).

Every parallel function takes a ``distributed.Client`` as its first argument and never starts a cluster
itself, so a lesson's cells stay the same whether the client talks to two threads on a laptop
(``local_client(2)``) or to workers submitted to a SLURM queue (``slurm_cluster(...)`` then
``Client(cluster)``).

- ``ecg_features(client, ...)``: lesson 07's per-record ECG features (beats, heart rate, RR spread and the
  peak-to-peak amplitude of every lead) for PTB-XL records, one pair of tasks per batch of records (read the
  batch, then compute its features): the workers read the files themselves and only features come back.
  ``ecg_features_serial`` is the same table from one loop over ``ptbxl.iter_signals``.
- ``stay_features(client, ...)``: Challenge 2012 features per stay (``cleaning.clean_stays`` then
  ``cleaning.stay_features``), one task per batch of stays, each reading its own stays.
- ``cross_validate(client, ...)``: out-of-fold scores of lesson 07's mortality model, the folds fitted in
  parallel through joblib's Dask backend.
- ``slurm_job_script(...)``: the job script dask-jobqueue submits for one worker job, without a cluster;
  ``slurm_cluster(...)`` the live cluster with the same jobs.

Bad input raises ``DataError`` (which argument, what is wrong, what to do). A task that fails raises
``DataError`` naming its records; a worker that dies, or ``timeout`` seconds in which no task finishes (a stall;
not a limit on the whole run), raises ``DataError`` too, naming the records still outstanding, rather than
waiting for ever.

Command line (the last line printed is the same figures as one JSON object; an error is one line, exit code 2)::

    python -m heartdata.scale ecg-features --workers N [--fs 100|500] [--root ROOT] [--scheduler ADDRESS] --out FILE
    python -m heartdata.scale slurm-script --cores C --memory M --walltime TIME [--queue Q] [--account A] ...
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import math
import os
import re
import shlex
import shutil
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal

from . import challenge2012, cleaning, mortality, ptbxl
from .errors import DataError, as_ids
from .paths import ENV_VAR, is_shipped

#: Columns of ``record_features`` / ``ecg_features``, in order.
FEATURES = ["beats", "heart_rate_bpm", "rr_sd_ms"] + [f"amplitude_{lead}_mV" for lead in ptbxl.LEADS]
#: Records of the full datasets: PTB-XL 21,799 ECGs (PhysioNet release 1.0.3, ``ptbxl.RELEASE``; the data descriptor,
#: Wagner et al., Sci Data 2020, counted 21,837 records of the first release),
#: Challenge 2012 12,000 stays in sets A, B and C (Silva et al., CinC 2012), MIMIC-IV-ECG about 800,000 ECGs
#: (Gow et al., PhysioNet 2023).
FULL_SIZES = {"ptbxl": 21_799, "challenge2012": 12_000, "mimic-iv-ecg": 800_000}
#: Files per record and sampling rate in WFDB format: a header (.hea) and a signal file (.dat).
FILES_PER_RECORD = 2
#: Records per task: at 500 Hz a batch of 64 records is 64 x 5,000 x 12 x 8 bytes = 31 MB of signals.
BATCH_SIZE = 64
# the key of the mark ``ecg_features`` leaves in its table's ``attrs``: computed by tasks on Dask workers, at which rate
ON_WORKERS = "heartdata.scale.ecg_features"
# the key of the mark ``ecg_features_serial`` leaves: computed in one loop in this process (so a check can name that
# mistake only when the table says so; a table without either mark, e.g. after pd.DataFrame(table), says nothing)
ON_LOOP = "heartdata.scale.ecg_features_serial"
#: Stays per task of ``stay_features``.
STAY_BATCH = 500
#: Seconds to wait for the *next* task to finish before giving up with a DataError (a lost worker must not hang a
#: lesson). A limit on progress, not on the whole run: a run of hours goes on as long as a batch finishes every
#: TIMEOUT seconds (a batch takes seconds). ``timeout=None`` waits for ever.
TIMEOUT = 600.0
_CHUNK = 16  # records filtered at once in record_features


# --------------------------------------------------------------------------------------------- features
def record_features(signals: np.ndarray, fs: int) -> pd.DataFrame:
    """Features of each record of a batch ``(records, samples, 12)`` in mV (as ``ptbxl.load_signals`` gives).

    The definitions of lesson 07: a QRS detector (band-pass 5-15 Hz, second-order Butterworth run forwards and
    backwards, absolute value summed over the 12 leads, peaks at least 0.3 s apart and above 35% of the
    99th percentile), then ``beats`` (peaks found), ``heart_rate_bpm`` (60 / median RR interval),
    ``rr_sd_ms`` (standard deviation of the RR intervals) and ``amplitude_<lead>_mV`` (peak-to-peak
    amplitude of each lead). Undefined values (fewer than 2 or 3 beats) are NaN. Each record's features
    depend on that record only, so any batching gives the same table.
    """
    x = np.asarray(signals, dtype=float)
    if x.ndim != 3 or x.shape[2] != len(ptbxl.LEADS):
        raise DataError(f"signals of shape {x.shape}", "expected (records, samples, 12 leads)",
                        "Pass a batch as ptbxl.load_signals returns it.")  # fmt: skip
    band = signal.butter(2, [5, 15], btype="band", fs=fs, output="sos")
    # filtered in chunks of records: the filter's copies of a large batch would otherwise need several times its size
    energy = np.concatenate([
        np.abs(signal.sosfiltfilt(band, x[i : i + _CHUNK], axis=1)).sum(axis=2) for i in range(0, len(x), _CHUNK)
    ]) if len(x) else np.empty((0, x.shape[1]))  # fmt: skip
    rows = np.full((len(x), len(FEATURES)), np.nan)
    for k, e in enumerate(energy):
        peaks, _ = signal.find_peaks(e, distance=round(0.3 * fs), height=0.35 * np.percentile(e, 99))
        rr = np.diff(peaks) / fs
        rows[k, 0] = len(peaks)
        if len(rr):
            rows[k, 1] = 60 / np.median(rr)
        if len(rr) > 1:
            rows[k, 2] = 1000 * np.std(rr)
    rows[:, 3:] = np.ptp(x, axis=1)
    return pd.DataFrame(rows, columns=FEATURES)


def _table(ids, frames: list[pd.DataFrame]) -> pd.DataFrame:
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FEATURES, dtype=float)
    out.index = pd.Index(np.asarray(ids, dtype=np.int64), name="ecg_id")
    return out


def _check_fs(fs) -> int:
    if isinstance(fs, bool) or fs not in ptbxl.FILENAME_COLUMN:
        raise DataError(f"fs={fs!r}", "PTB-XL has no such sampling rate", "Use 100 or 500 (Hz).")
    return int(fs)


def available_ids(fs: int = 100, root=None) -> pd.Index:
    """The ecg_ids of the metadata table whose ``fs`` Hz record is present in this copy, in ecg_id order."""
    fs = _check_fs(fs)
    folder = ptbxl.data_dir(root)
    files = ptbxl.load_metadata(folder)[ptbxl.FILENAME_COLUMN[fs]]
    present = [os.path.exists(os.path.join(folder, f"{rel}.hea")) for rel in files]
    return files.index[np.asarray(present, dtype=bool)].sort_values()


def _unique_ids(ecg_ids, name: str = "ecg_ids") -> list[int]:
    """``ecg_ids`` as whole numbers, each once: the tables have one row per ecg_id."""
    ids = as_ids(ecg_ids, name)
    seen, twice = set(), []
    for i in ids:
        if i in seen and i not in twice:
            twice.append(i)
        seen.add(i)
    if twice:
        shown = ", ".join(map(str, twice[:5])) + (f" and {len(twice) - 5} more" if len(twice) > 5 else "")
        raise DataError(f"{name}=", f"lists ecg_id {shown} more than once; the table has one row per ecg_id",
                        f"Pass each id once, e.g. {name}=pd.unique(ids).")  # fmt: skip
    return ids


def ecg_features_serial(ecg_ids=None, fs: int = 100, root=None, batch_size: int = BATCH_SIZE) -> pd.DataFrame:
    """The table of ``ecg_features`` from one loop in this process (``ptbxl.iter_signals``): the reference."""
    fs = _check_fs(fs)
    ids = list(available_ids(fs, root)) if ecg_ids is None else _unique_ids(ecg_ids)
    got, frames = [], []
    for batch_ids, x in ptbxl.iter_signals(ids, fs=fs, batch_size=batch_size, root=root):
        got.extend(batch_ids)
        frames.append(record_features(x, fs))
    table = _table(got, frames)
    table.attrs[ON_LOOP] = {"fs": fs}
    return table


# --------------------------------------------------------------------------------------------- tasks
class TaskFailed:
    """What a task returns instead of its result when the data is bad: the three parts of the DataError its
    function raised. Returned, not raised, so that a bad record costs one error line on the client, not a
    "Compute Failed" log from every worker."""

    def __init__(self, where: str, problem: str, fix: str):
        self.args = (str(where), problem, fix)


def _in_task(fn, *args):
    try:
        return fn(*args)
    except DataError as exc:
        return TaskFailed(exc.where, exc.problem, exc.fix)


def read_ecg(ids: list[int], fs: int, folder: str):
    """Task: one batch of signals (``ptbxl.load_signals``), read by the worker from ``folder``."""
    return _in_task(ptbxl.load_signals, ids, fs, folder)


def features_of(x, fs: int):
    """Task: ``record_features`` of one batch (a failed read is passed on as it is)."""
    return x if isinstance(x, TaskFailed) else _in_task(record_features, x, fs)


def _span(ids) -> str:
    ids = sorted(int(i) for i in ids)
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}-{ids[-1]} ({len(ids)} records)"


def _check_client(client):
    """``client`` is a running ``distributed.Client``, or DataError saying what it is instead."""
    from distributed import Client

    if not isinstance(client, Client):
        raise DataError(
            f"client={client!r}"[:80],
            f"is a {type(client).__name__}, not a distributed.Client",
            "Pass the client first: client = scale.local_client(2), then scale.ecg_features(client).",
        )
    if client.status != "running":
        raise DataError("client", f"is {client.status}: it was closed, so it cannot run tasks",
                        "Start a new one: client = scale.local_client(2).")  # fmt: skip
    return client


def _run_token() -> str:
    """A new token for task keys: unique to one call (never reuse an old result) and all digits, so that Dask's
    dashboard groups a call's tasks under their function's name."""
    return f"{uuid.uuid4().int % 10**12:012d}"


def _gather(client, futures: list, labels: list[str], timeout: float | None) -> list:
    """Results of ``futures`` in order; a failed task, a dead worker, or ``timeout`` seconds during which no task
    finished becomes a DataError that names the records (``labels``) concerned. ``timeout`` limits the wait for
    the next result, not the whole run (``as_completed(timeout=)`` would count from the call, so a run of an hour
    would stop at the timeout however well it went); None waits for ever. Outstanding work is cancelled before
    raising."""
    from distributed import wait
    from distributed.scheduler import KilledWorker

    label = {f.key: text for f, text in zip(futures, labels, strict=True)}
    results, position = {}, {f.key: k for k, f in enumerate(futures)}
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, timeout=timeout, return_when="FIRST_COMPLETED")
            for f in sorted(done, key=lambda f: position[f.key]):
                if f.status == "error":
                    exc = f.exception()
                    if isinstance(exc, KilledWorker):
                        raise DataError(
                            label[f.key],
                            f"the worker computing them died ({exc.__class__.__name__}), each time it was retried",
                            "A worker killed for using too much memory is the usual cause: give each worker more "
                            "memory, or use smaller batches. The worker's log says why it died.",
                        )
                    raise DataError(label[f.key], f"the task failed ({exc.__class__.__name__}: {exc})",
                                    "Run ecg_features_serial on these records to see the error here.")  # fmt: skip
                result = f.result()
                if isinstance(result, TaskFailed):
                    raise DataError(*result.args)
                results[f.key] = result
    except TimeoutError:
        waiting = [label[f.key] for f in futures if f.status not in ("finished", "error")]
        raise DataError(
            "; ".join(waiting[:5]) + (f" and {len(waiting) - 5} more batches" if len(waiting) > 5 else ""),
            f"no batch finished for {timeout:g} s (a worker may have died, hung on a file, or there are no workers)",
            "Check client.scheduler_info() for workers and their logs; pass a larger timeout= if one batch "
            "is just slow.",
        ) from None
    finally:
        pending = [f for f in futures if f.status == "pending"]
        if pending:
            client.cancel(pending)
    return [results[f.key] for f in futures]


def _batches(ids, size) -> list[list[int]]:
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise DataError(f"batch_size={size!r}", "a batch must hold a whole number of records, at least one",
                        "Pass batch_size >= 1, e.g. batch_size=64.")  # fmt: skip
    ids = [int(i) for i in ids]
    return [ids[i : i + int(size)] for i in range(0, len(ids), int(size))]


def ecg_features(
    client, ecg_ids=None, fs: int = 100, root=None, batch_size: int = BATCH_SIZE, timeout: float = TIMEOUT
) -> pd.DataFrame:
    """Per-record ECG features (``record_features``), one row per ecg_id (index ``ecg_id``), computed on
    ``client``'s workers: per batch of ``batch_size`` records, a task ``read_ecg`` then a task
    ``features_of`` (keys ``read_ecg_<fs>hz-...`` and ``ecg_features_<fs>hz-...``). ``ecg_ids`` defaults to
    every record of this copy at ``fs`` Hz (``available_ids``); an id given twice is refused.

    The workers read the files themselves (from ``root``, resolved here to a folder path that the workers
    must see too, e.g. on the cluster's shared file system); only features travel back. The result does not
    depend on the number of workers or on ``batch_size``. A damaged record raises ``DataError`` naming its
    file; a dead worker, or ``timeout`` seconds in which no batch finished (a stall, not a limit on the whole run; None:
    no limit), a ``DataError`` naming the records.
    """
    fs = _check_fs(fs)
    _check_client(client)
    folder = str(ptbxl.data_dir(root))
    if ecg_ids is None:
        ids = list(available_ids(fs, folder))
    else:
        ids = _unique_ids(ecg_ids)
        ptbxl.iter_signals(ids, fs=fs, root=folder)  # unknown ids are reported now, before any task runs
    batches = _batches(ids, batch_size)
    futures, labels, run, x = [], [], _run_token(), None  # keys of this call only: never an old result
    for k, batch in enumerate(batches):
        # each batch's read and compute are submitted together, and only the compute's future is kept: Dask runs
        # tasks in the order they were submitted when it can, so a batch's features come before reading far ahead,
        # and its signals are dropped once used. (Mapping every read first and keeping those futures held every
        # batch's signals at once: 10 GiB for PTB-XL at 500 Hz, measured on the full-size copy.)
        x = client.submit(read_ecg, batch, fs, folder, key=f"read_ecg_{fs}hz-{run}-{k}", pure=False)
        futures.append(client.submit(features_of, x, fs, key=f"ecg_features_{fs}hz-{run}-{k}", pure=False))
        labels.append(f"ecg_id {_span(batch)} at {fs} Hz")
    del x  # the client keeps no signals: only the features come back
    frames = _gather(client, futures, labels, timeout)
    table = _table([i for b in batches for i in b], frames)
    table.attrs[ON_WORKERS] = {"fs": fs}  # the table says where it was computed (pandas keeps attrs through copies)
    return table


def _stay_batch(set_name: str, folder: str, record_ids: list[int] | None, stays, window_hours: float):
    """Task: read one batch of stays (unless given), clean them and aggregate each to one row."""

    def work():
        raw = challenge2012.load_stays(set_name, folder, record_ids=record_ids) if stays is None else stays
        return cleaning.stay_features(cleaning.clean_stays(raw, window_hours)[0], window_hours)

    return _in_task(work)


def stay_features(
    client, set_name: str = "a", root=None, window_hours: float = 48, batch_size: int = STAY_BATCH,
    timeout: float = TIMEOUT, stays: pd.DataFrame | None = None, record_ids=None,
) -> pd.DataFrame:  # fmt: skip
    """``cleaning.stay_features(cleaning.clean_stays(stays)[0])`` of a Challenge 2012 set, computed on
    ``client``'s workers, one task per batch of ``batch_size`` stays (the cleaning treats every stay on its
    own, so batches give the same table as the whole set at once).

    By default each task reads its own stays (``challenge2012.load_stays(set_name, root, record_ids=batch)``,
    for the stays listed in the set's outcomes file, or those of ``record_ids``): no stay passes through this
    process, only the features
    come back. From a ``.tar.gz`` set every task decompresses the whole archive (one pass cannot be split by
    stay); from an unpacked ``set-x/`` folder it reads its own files only. ``stays``, a long table already
    loaded here (raw, or ``cleaning.prepare``-d), is sent to the workers batch by batch instead."""
    _check_client(client)
    if isinstance(window_hours, bool) or not isinstance(window_hours, int | float) or not window_hours > 0:
        raise DataError(f"window_hours={window_hours!r}", "must be a number of hours above 0", "Pass 48, say.")
    folder = str(challenge2012.data_dir(root))
    if stays is None:
        listed = challenge2012.load_outcomes(set_name, folder).index
        if record_ids is None:
            order = np.sort(listed.to_numpy())
        else:
            wanted = as_ids(record_ids, "record_ids")
            if len(set(wanted)) < len(wanted):
                raise DataError("record_ids=", "lists a stay more than once; the table has one row per stay",
                                "Pass each RecordID once.")  # fmt: skip
            unknown = sorted(set(wanted) - set(listed))
            if unknown:
                raise DataError("record_ids=", f"holds RecordID {', '.join(map(str, unknown[:5]))}, not in set "
                                f"{set_name}'s outcomes", "Pass RecordIDs of this set.")  # fmt: skip
            order = np.sort(np.asarray(wanted, dtype=np.int64))
        parts = None
    else:
        if record_ids is not None:
            raise DataError("record_ids= and stays=", "were both given", "Pass one: the ids to read, or the table.")
        if not isinstance(stays, pd.DataFrame) or "RecordID" not in stays:
            raise DataError(
                "stays=",
                "is not a long table of stays with a RecordID column",
                "Pass challenge2012.load_stays(...), or leave stays=None to let the workers read.",
            )
        stays = cleaning.prepare(stays)  # a compact copy: Parameter as a category
        order = np.sort(stays["RecordID"].unique())
    batches = _batches(order, batch_size)
    if stays is not None:
        which = pd.Series(np.repeat(np.arange(len(batches)), [len(b) for b in batches]), index=order)
        parts = dict(iter(stays.groupby(stays["RecordID"].map(which).to_numpy(), sort=True)))
        del stays
    futures, labels, run = [], [], _run_token()
    for k, batch in enumerate(batches):
        if parts is None:
            args = (set_name, folder, batch, None, window_hours)
        else:
            [part] = client.scatter([parts.pop(k)], hash=False)
            args = (set_name, folder, None, part, window_hours)
        futures.append(client.submit(_stay_batch, *args, key=f"stay_features-{run}-{k}", pure=False))
        labels.append(f"RecordID {_span(batch)} of set {set_name}")
    return pd.concat(_gather(client, futures, labels, timeout)).sort_index()


def _check_training(X, y, kind, folds) -> tuple[pd.DataFrame, pd.Series]:
    """X and y for a cross-validation, y aligned to X by index; DataError for what scikit-learn would refuse
    deep inside (or, worse, accept)."""
    if not isinstance(X, pd.DataFrame):
        raise DataError(f"X ({type(X).__name__})", "is not a table", "Pass a DataFrame of features, one row per stay.")
    if not isinstance(y, pd.Series):
        raise DataError(f"y ({type(y).__name__})", "is not a Series", "Pass the outcome as a Series indexed like X.")
    if kind not in mortality.KINDS:
        raise DataError(f"kind={kind!r}", "is not a model this course builds", f"Use one of {list(mortality.KINDS)}.")
    if isinstance(folds, bool) or not isinstance(folds, int | np.integer) or folds < 2:
        raise DataError(f"folds={folds!r}", "a cross-validation needs a whole number of folds, at least 2",
                        "Pass folds=5, say.")  # fmt: skip
    text = [str(c) for c in X.columns if not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))]
    if text:
        raise DataError(f"X column {', '.join(text[:3])}", "is not numeric (text or objects)",
                        "Encode it as numbers first, or drop it.")  # fmt: skip
    if X.index.has_duplicates or y.index.has_duplicates:
        raise DataError("X / y index", "repeats a label, so rows cannot be matched by index",
                        "Give each row a unique index (RecordID).")  # fmt: skip
    missing = X.index.difference(y.index)
    if len(missing) or len(y) != len(X):
        raise DataError("y", f"has {len(y)} rows for {len(X)} rows of X ({len(missing)} of X's index not in y)",
                        "Pass the outcome of exactly the stays of X (y = outcomes.loc[X.index, ...]).")  # fmt: skip
    y = y.loc[X.index]  # paired by index, never by position
    values = pd.unique(y)
    if y.isna().any() or not set(values.tolist()) <= {0, 1}:
        raise DataError("y", f"holds {sorted(map(str, values))[:4]}, not only 0 and 1",
                        "Pass a 0/1 outcome (1 = died), with no missing values.")  # fmt: skip
    counts = y.value_counts()
    if len(counts) < 2 or counts.min() < folds:
        raise DataError("y", f"has {int(counts.get(1, 0))} deaths and {int(counts.get(0, 0))} survivors: too few of "
                        f"one class for {folds} stratified folds", "Use more stays, or fewer folds.")  # fmt: skip
    return X, y


def cross_validate(client, X: pd.DataFrame, y: pd.Series, kind: str = "logistic", folds: int = 5, seed: int = 0):
    """Out-of-fold P(death) of ``mortality.make_model(kind, seed)`` under stratified, shuffled ``folds``-fold
    cross-validation (scikit-learn's ``cross_val_predict``), the folds fitted in parallel on ``client``'s
    workers through joblib's Dask backend. The same scores as with ``n_jobs=1`` (the folds and the models are
    fixed by ``seed``). ``y`` is paired with ``X`` by index. Returns a Series indexed like X.

    BLAS threads: one per fit. ``threadpool_limits(1)`` here covers workers that are threads of this process
    (``local_client``'s default); worker processes started by a Dask nanny (``local_client(processes=True)``,
    every SLURM worker) start with OMP_NUM_THREADS, MKL_NUM_THREADS and OPENBLAS_NUM_THREADS set to 1 by
    distributed's ``distributed.nanny.pre-spawn-environ``, and ``slurm_job_script`` exports the same."""
    import joblib
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    _check_client(client)
    X, y = _check_training(X, y, kind, folds)
    model = mortality.make_model(kind, seed)
    splitter = StratifiedKFold(n_splits=int(folds), shuffle=True, random_state=seed)
    with joblib.parallel_config(backend="dask", client=client), threadpool_limits(1):
        scores = cross_val_predict(model, X, y, cv=splitter, method="predict_proba", n_jobs=-1)[:, 1]
    return pd.Series(scores, index=X.index, name="score")


# --------------------------------------------------------------------------------------------- clusters
def local_client(workers: int = 2, processes: bool = False, memory_limit: str | int = 0, dashboard: bool = False):
    """A ``distributed.Client`` on a new LocalCluster of ``workers`` workers with one thread each.

    ``processes=False`` (the lesson's choice) runs the workers as threads of this process: nothing to start,
    little memory, but Python code holds the GIL (NumPy and SciPy mostly release it). On Linux, the threads are
    then made to share two malloc arenas (``_fewer_malloc_arenas``), so that each does not keep the memory of its
    largest task. ``processes=True`` starts one process per worker (each imports the libraries again: about
    150 MB each). ``memory_limit`` per worker (0: none; with threads every worker would see the whole process's
    memory). ``dashboard`` serves the dashboard on a free port (needs bokeh; ``client.dashboard_link`` says
    where). Close it with ``client.close(); client.cluster.close()`` (or use it in a ``with`` block).
    """
    from distributed import Client, LocalCluster

    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise DataError(f"workers={workers!r}", "a cluster needs a whole number of workers, at least one",
                        "Pass workers >= 1.")  # fmt: skip
    if not processes:
        _fewer_malloc_arenas()  # before the worker threads exist: threads that already exist keep their arenas
    # the scheduler's web server always starts (on a free local port here); the dashboard pages only when asked
    cluster = LocalCluster(
        n_workers=int(workers), threads_per_worker=1, processes=processes, memory_limit=memory_limit,
        dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": bool(dashboard)},
    )  # fmt: skip
    return Client(cluster)


def _fewer_malloc_arenas(arenas: int = 2) -> None:
    """On Linux (glibc), let at most ``arenas`` memory arenas serve this process's threads. Each worker thread would
    otherwise get an arena of its own, and each keeps the memory of its largest task: with threads as workers that
    adds up to hundreds of MB the kernel never gives back. Elsewhere (or if glibc refuses) nothing changes. Called
    by ``local_client`` when it starts thread workers, never at import."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").mallopt(-8, int(arenas))  # -8 is glibc's M_ARENA_MAX
        except (OSError, AttributeError):
            pass


def _thread_id():
    import threading

    return os.getpid(), threading.get_native_id()


class ThreadClock:
    """Where the worker threads' time went during a ``with thread_clock(client)`` block, in seconds summed over the
    threads: ``on_core`` (running on a CPU core), ``waiting_for_core`` (ready to run while every core was taken: by
    other programs, or by more threads than cores) and ``other`` (neither: waiting for Python's interpreter lock, for
    the disk, or for a task), out of ``wall`` x ``threads``. Read from Linux's scheduler statistics of each thread
    (``/proc/<pid>/task/<tid>/schedstat``); ``available`` is False where there are none (other systems)."""

    def __init__(self, threads: list[tuple[int, int]]):
        self.ids = threads
        self.threads = len(threads)
        self.available = all(os.path.exists(f"/proc/{p}/task/{t}/schedstat") for p, t in threads) and bool(threads)
        self.wall = self.on_core = self.waiting_for_core = self.other = math.nan

    @classmethod
    def this_thread(cls) -> ThreadClock:
        """A clock over the thread that calls it (a plain loop's)."""
        return cls([_thread_id()])

    def _read(self) -> tuple[float, float]:
        run = wait = 0
        for pid, tid in self.ids:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                a, b = f.read().split()[:2]
            run, wait = run + int(a), wait + int(b)
        return run / 1e9, wait / 1e9

    def __enter__(self):
        try:
            self._start = (time.perf_counter(), *self._read()) if self.available else None
        except OSError:  # a thread that ended: its clock is gone
            self._start, self.available = None, False
        return self

    def __exit__(self, *exc):
        if self._start is not None:
            try:
                end = (time.perf_counter(), *self._read())
            except OSError:
                self.available = False
                return False
            self.wall, self.on_core, self.waiting_for_core = (b - a for a, b in zip(self._start, end, strict=True))
            self.other = max(0.0, self.wall * self.threads - self.on_core - self.waiting_for_core)
        return False


def thread_clock(client) -> ThreadClock:
    """A ``ThreadClock`` over the task threads of ``client``'s workers (one per worker, as ``local_client`` starts
    them; the workers must run on this machine)."""
    _check_client(client)
    ids = []
    for address, info in client.scheduler_info(n_workers=-1)["workers"].items():
        if info.get("nthreads", 1) != 1:
            raise DataError(f"worker {address}", "has several threads", "Use workers of one thread each.")
        ids.append(client.submit(_thread_id, workers=[address], allow_other_workers=False, pure=False).result())
    return ThreadClock(ids)


MIN_EFFECT = 0.10  # the smallest difference of medians that compare_runs puts into words
MIN_RUNS = 7  # and the fewest runs of each: 2 / C(14, 7) = 1 in 1,716 chance of a complete separation either way


def compare_runs(a, b, min_effect: float = MIN_EFFECT, min_runs: int = MIN_RUNS) -> str:
    """How repeated timings ``a`` compare with ``b``, in words a sentence can use: "faster than" when every run of
    ``a`` took less time than every run of ``b`` *and* the medians differ by at least ``min_effect`` (0.1: 10%),
    "slower than" likewise the other way, and otherwise "not distinguishable here from" (the runs overlap, the
    difference is too small to matter, or there are fewer than ``min_runs`` runs of either).

    Complete separation of *n* runs against *n* happens by chance (both drawn from one distribution) with
    probability 1 / C(2n, n) each way, 2 / C(2n, n) in either direction (compare_runs tests both): 0.1 for 3 against
    3, 1 in 1,716 for 7 against 7 (a permutation argument, as in the exact Mann-Whitney test, which assumes the runs
    are exchangeable: rotating their order helps, drifting load can still break it). The minimum effect keeps a
    real but tiny difference, or a steady drift in the machine's load, from being called "faster"."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not len(a) or not len(b) or np.isnan(a).any() or np.isnan(b).any():
        raise DataError("timings", "are empty or hold NaN", "Pass the seconds of each run.")
    if min(len(a), len(b)) < min_runs:
        return "not distinguishable here from"
    ratio = np.median(a) / np.median(b)
    if a.max() < b.min() and ratio <= 1 - min_effect:
        return "faster than"
    if a.min() > b.max() and ratio >= 1 + min_effect:
        return "slower than"
    return "not distinguishable here from"


def tasks_against_loop(in_tasks, loop, min_effect: float = MIN_EFFECT) -> tuple[str, str]:
    """How the time one worker spent inside its tasks (one value per run) compares with the loop's whole runs, in
    words, and the reason a sentence may give for it, chosen by the measured direction and the runs' spread
    (compare_runs), so that the reason never contradicts the word (review 10b F9): ("longer than" | "shorter than" |
    "not distinguishable here from", reason). The word gives a direction only when the runs separate, by the same
    rule as every other comparison of the lesson (review r12 F3): a ratio of medians alone never does. Sharing the
    process and its interpreter lock with Dask's own threads can only make the tasks take longer, so it is offered
    only when every run's tasks took longer than every loop run."""
    a, b = np.asarray(in_tasks, dtype=float), np.asarray(loop, dtype=float)
    verdict = compare_runs(a, b, min_effect=min_effect)
    # a direction only when the runs separate (compare_runs, the lesson's rule), never from the medians alone
    words = {"slower than": "longer than", "faster than": "shorter than"}.get(verdict, "not distinguishable here from")
    if verdict == "slower than":
        reason = ("every run's tasks took longer than every run of the loop. A likely reason, not measured here: a "
                  "worker thread here shares this process, and its interpreter lock, with Dask's own threads (the "
                  "scheduler's and the workers' event loops); on a cluster each worker is a process of its own")
    elif verdict == "faster than":
        reason = ("every run's tasks took less than every run of the loop. Sharing the interpreter lock with Dask's "
                  "threads can only make tasks longer, so it is not the reason; load that changed between the runs "
                  "can be, and this run cannot tell")
    else:
        reason = (f"the runs overlap ({a.min():.2f} to {a.max():.2f} s inside the tasks, {b.min():.2f} to "
                  f"{b.max():.2f} s for the loop) or their medians differ by less than {min_effect:.0%}: within "
                  "this machine's noise, so this run gives the difference no cause")
    return words, reason


def _percent_under(x: float, limit: float) -> str:
    """``x`` as a percentage that never reads as ``limit`` when it is below it: "9%", or "9.6%" rather than "10%"."""
    words = f"{x:.0%}"
    return f"{x:.1%}" if x < limit and words == f"{limit:.0%}" else words


def cost_change(larger, smaller, min_effect: float = MIN_EFFECT, min_runs: int = MIN_RUNS) -> tuple[str, str]:
    """How a record's cost in the runs of a larger copy (``larger``, one value per run) compares with a smaller
    copy's (``smaller``), as a state and the words a sentence can use after "At <rate>": (state, words). Each
    state's words are true of its condition (review r17 F1):

    - "changed": the runs separate (every run of one below every run of the other) and the medians differ by
      ``min_effect`` or more (``compare_runs`` gives a direction);
    - "under the minimum": the runs separate, but the medians differ by less than ``min_effect``: a difference the
      runs show, smaller than the lesson counts as a change;
    - "same": the runs overlap and the medians differ by less than ``min_effect``: no change shows;
    - "cannot tell": the runs overlap, but the medians differ by ``min_effect`` or more.

    Fewer than ``min_runs`` runs of either cannot separate by the lesson's rule, and are refused."""
    a, b = np.asarray(larger, dtype=float), np.asarray(smaller, dtype=float)
    if min(len(a), len(b)) < min_runs or np.isnan(a).any() or np.isnan(b).any():
        raise DataError("runs", f"need at least {min_runs} values each, without NaN",
                        "Time each size as many times as scale.MIN_RUNS.")  # fmt: skip
    change = float(np.median(a) / np.median(b) - 1)
    separate = bool(a.max() < b.min() or a.min() > b.max())
    direction = "less" if change < 0 else "more"
    size = _percent_under(abs(change), min_effect)
    if compare_runs(a, b, min_effect=min_effect, min_runs=min_runs) != "not distinguishable here from":
        return "changed", (f"every run of the largest size cost {direction} per record than every run of the "
                           f"smallest, by {size} (medians)")
    if separate:
        return "under the minimum", (
            f"every run of the largest size cost {direction} per record than every run of the smallest: the runs "
            f"separate, but the change, {size} (medians), is under the {min_effect:.0%} the lesson counts as a change")
    if abs(change) < min_effect:
        return "same", f"the runs overlap and the medians differ by less than {min_effect:.0%}: no change shows"
    return "cannot tell", (f"the medians differ by {size}, but the runs overlap: these runs cannot tell a change in "
                           "the cost per record from their spread")


def _rates(rates) -> str:
    # "100 Hz", "100 and 500 Hz"
    rates = [str(r) for r in rates]
    return (", ".join(rates[:-1]) + " and " + rates[-1] if len(rates) > 1 else rates[0]) + " Hz"


def size_note(states: dict, ratios: dict, spans: dict, rotated: bool, min_effect: float = MIN_EFFECT) -> str:
    """What lesson 10's verdicts on the cost per record (``states``: rate -> state of ``cost_change``; ``ratios``:
    rate -> the largest size's median cost per record over the smallest's) mean for a plan that extrapolates in
    proportion to the records from the largest size timed, as sentences that name the rates they speak of, so that
    no sentence about one rate contradicts the verdict on another (review r21 F1). ``spans``: rate -> largest size
    over smallest; ``rotated``: whether each round timed the sizes in a different order (else smallest first).

    A rise is the warning sign (a cost that grows with the data makes the plan too short); a fall is not: a cost per
    run that more records share makes a fall, and then the plan, extrapolated from the largest (cheapest) size, errs
    on the long side if at all. Either way the plan still extrapolates, and the sentence says why."""
    order = ("the order of the timings, less so, as it rotated from round to round (no size was always timed first)"
             if rotated else "the order in which each round timed the sizes (always smallest first)")
    if all(s == "same" for s in states.values()):
        return ("That is what a cost in proportion to the records looks like, as it should be when each record is "
                f"read and computed on its own; over sizes {min(spans.values()):.0f} to {max(spans.values()):.0f} "
                "times apart it shows only that no change was large enough to see here, not that none exists.")
    rose = [fs for fs, s in states.items() if s == "changed" and ratios[fs] > 1]
    fell = [fs for fs, s in states.items() if s == "changed" and ratios[fs] < 1]
    under = [fs for fs, s in states.items() if s == "under the minimum"]
    unclear = [fs for fs, s in states.items() if s == "cannot tell"]
    said = []
    if rose:
        said.append(
            f"At {_rates(rose)} the cost per record rose with the size: the warning sign, a cost that grows faster "
            "than the records (one per call that grows with the data, a directory of many files, caches that no "
            "longer hold the data). The plan below still extrapolates in proportion to the records, from the largest "
            "size (the dearest per record here), because these sizes give nothing better: if the rise goes on "
            "beyond them, the full run takes longer than the plan says, so time a larger part of the full dataset "
            "before you trust it.")
    if fell:
        said.append(
            f"At {_rates(fell)} the cost per record fell with the size: not the growth that would make the plan "
            "below too short. A cost per run that more records share (setting up the reader, the first batch) "
            f"could make a fall, and so could {order}; these runs cannot tell which. The plan extrapolates in "
            "proportion to the records from the largest size, the cheapest per record here: if a cost per run made "
            "the fall, the full size spreads it thinner still and the plan errs, if at all, on the long side; a fall "
            "over these sizes says nothing about a cost that grows only beyond them (below).")
    if unclear:
        said.append(
            f"At {_rates(unclear)} the plan below extrapolates in proportion to the records all the same: an "
            "assumption (each record is read and computed on its own), which these runs neither confirm nor refute.")
    if under:
        causes = " or ".join(
            ["a cost per run that more records share"] * any(ratios[fs] < 1 for fs in under)
            + ["a cost that grows with the records"] * any(ratios[fs] > 1 for fs in under))
        said.append(
            f"At {_rates(under)} the plan below extrapolates in proportion to the records all the same. A difference "
            f"under {min_effect:.0%} is below what the lesson counts as a change, but runs that separate are unlikely "
            f"by chance alone: {causes}, or {order}, could make it, and these runs cannot tell which: the plan "
            "assumes neither.")
    return " ".join(said)


def ratio_range(a, b) -> tuple[float, float, float]:
    """The ratio of the medians of timings ``b`` over ``a`` (how many times as fast ``a`` ran), with the smallest
    and largest ratio over every pair of runs: (median ratio, lowest, highest)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.median(b) / np.median(a)), float(b.min() / a.max()), float(b.max() / a.min())


#: The parts of a record's cost that lesson 10 times apart: columns ``"<part> ms/record"`` (wall-clock) and
#: ``"<part> cpu ms/record"`` (CPU time) of its runs table
PARTS = ("reading", "features")
_HOW = {"fastest": "min", "median": "median"}
#: The clocks a runs table may hold: "wall" (``time.perf_counter``: what the student waits, load included) and "cpu"
#: (``time.thread_time`` of the thread that did the work: the time it spent on a core, much less affected by other
#: programs' load than the wall clock, though shared caches, memory bandwidth and the cores' frequency still vary it)
CLOCKS = {"wall": "{part} ms/record", "cpu": "{part} cpu ms/record"}


def _clock_columns(clock) -> list[str]:
    if not isinstance(clock, str) or clock not in CLOCKS:
        raise DataError(f"clock={clock!r}", f"is not one of {sorted(CLOCKS)}",
                        'Pass clock="cpu" for a cost that load inflates much less, clock="wall" for the time '
                        "waited.")  # fmt: skip
    return [CLOCKS[clock].format(part=part) for part in PARTS]


def per_record_ms(
    runs: pd.DataFrame, fs: int, records: int | None = None, how: str = "fastest", clock: str = "wall"
) -> pd.Series:
    """Milliseconds per record of each part (``PARTS``: reading, features) at ``fs`` Hz and a size of ``records``
    records (default: the largest size timed at that rate), from repeated runs: ``runs`` holds one row per run with
    the columns ``fs``, ``records`` and ``"<part> ms/record"`` (``clock="wall"``) or ``"<part> cpu ms/record"``
    (``clock="cpu"``).

    ``clock="cpu"`` reads the CPU time of the thread that did the work (``time.thread_time``): on a shared machine
    other processes take cores away from a run and stretch its wall-clock time; they affect the CPU time it spent
    much less (shared caches, memory bandwidth and the cores' frequency still make it vary between runs: compare its
    runs' spread), so the CPU time is the cost to extrapolate from. ``clock="wall"`` is what the student waits,
    load included.
    ``how="fastest"`` takes each part's fastest run (the minimum): with ``clock="cpu"``, the best case measured
    here, an optimistic estimate for this machine's core and not a bound (another run, an idle machine or a faster
    core can come in below the fastest of a sample); ``how="median"`` gives the typical run, the figure to show
    beside the runs' spread. Either covers only what was timed: this machine's per-record reading (here, from the
    page cache) and computing; CPU time leaves out any wait for a disk."""
    if how not in _HOW:
        raise DataError(f"how={how!r}", f"is not one of {sorted(_HOW)}", 'Pass "fastest" for the best case measured.')
    columns = _clock_columns(clock)
    missing = [c for c in ["fs", "records", *columns] if c not in runs.columns]
    if missing:
        raise DataError("runs", f"has no column {missing[0]!r}", "Pass the table of runs, one row per run.")
    at_fs = runs[runs["fs"] == fs]
    if at_fs.empty:
        raise DataError(f"fs={fs!r}", "has no runs in the table", f"Timed rates: {sorted(runs['fs'].unique())}.")
    size = records if records is not None else at_fs["records"].max()
    rows = at_fs.loc[at_fs["records"] == size, columns]
    if rows.empty or rows.isna().any().any():
        raise DataError(f"records={size!r}", f"has no complete runs at {fs} Hz",
                        f"Timed sizes: {sorted(at_fs['records'].unique())}.")  # fmt: skip
    return rows.agg(_HOW[how]).set_axis(list(PARTS)).astype(float)


def cost_growth(runs: pd.DataFrame, fs: int, how: str = "fastest", clock: str = "wall") -> float:
    """How many times a record's cost (reading + features) at the largest size timed at ``fs`` Hz is that at the
    smallest: 1 when the time grows in proportion to the records. ``how`` and ``clock`` as in ``per_record_ms``:
    with ``clock="cpu"`` the machine's load hardly enters (it takes cores away, not CPU time); with
    ``clock="wall"``, "fastest" compares the runs the load slowed least at each size, and a ratio of medians
    ("median") mixes the cost's growth with whatever load fell on each size's runs."""
    _clock_columns(clock)
    sizes = runs.loc[runs["fs"] == fs, "records"]
    if sizes.nunique() < 2:
        raise DataError(f"fs={fs!r}", "has fewer than two sizes timed", "Time at least two sizes to compare.")
    large = per_record_ms(runs, fs, int(sizes.max()), how, clock).sum()
    return float(large / per_record_ms(runs, fs, int(sizes.min()), how, clock).sum())


def per_record_runs(runs: pd.DataFrame, fs: int, records: int, clock: str = "wall") -> np.ndarray:
    """A record's whole cost (reading + features, ms) in each run at ``fs`` Hz and ``records`` records: the
    repeated measurements, for their spread (``compare_runs`` reads two sizes' runs against each other)."""
    columns = _clock_columns(clock)
    rows = runs.loc[(runs["fs"] == fs) & (runs["records"] == records), columns]
    if rows.empty or rows.isna().any().any():
        raise DataError(f"records={records!r}", f"has no complete runs at {fs} Hz", "Time that size first.")
    return rows.sum(axis=1).to_numpy(dtype=float)


def amdahl(one_worker_seconds: float, serial_share: float, workers: int) -> float:
    """The shortest time ``workers`` workers can take by Amdahl's law (Amdahl, AFIPS 1967), when one worker takes
    ``one_worker_seconds`` and a share ``serial_share`` of that cannot be split between workers."""
    if not 0 <= serial_share <= 1:
        raise DataError(f"serial_share={serial_share!r}", "is a share of the run: from 0 to 1", "Pass 0.1 for 10%.")
    return one_worker_seconds * (serial_share + (1 - serial_share) / workers)


#: Dask's own cost per task, as ``run_losses`` names it
OVERHEAD = "Dask's overhead per task"


def run_losses(waiting_for_core: float, blocked: float, no_task: float, overhead: float) -> pd.Series:
    """Where a parallel run lost time, largest first. From the worker threads' clocks and the task stream, shares of
    the threads' time: *waiting for a core* (ready while other programs or threads held every core: contention),
    *blocked* inside a task (the GIL, the disk) and with *no task*; measured apart, ``overhead``: the run's tasks x
    an empty task's cost, as a share of the run's time. A thread waiting while the scheduler hands out tasks has no
    task, so the overhead is taken out of *no task*, which keeps the rest (a worker idle at the end, hand-offs
    costlier than an empty task's). The first name is the diagnosis: every sentence that says what held a run back
    reads it from here, so no two can disagree."""
    shares = {"waiting for a core": waiting_for_core, "blocked": blocked, OVERHEAD: overhead, "no task": no_task}
    for name, value in shares.items():
        if not (isinstance(value, int | float | np.floating) and 0 <= value <= 1):
            raise DataError(f"{name}={value!r}", "is not a share of the run's time (0 to 1)", "Pass 0.1 for 10%.")
    shares["no task"] = max(no_task - overhead, 0.0)
    return pd.Series(shares, dtype=float).sort_values(ascending=False, kind="stable")


# ---- SLURM's time limits and memory sizes, read as sbatch reads them
_TIME_FORMATS = (
    (re.compile(r"(\d+)"), ("m",)),
    (re.compile(r"(\d+):(\d+)"), ("m", "s")),
    (re.compile(r"(\d+):(\d+):(\d+)"), ("h", "m", "s")),
    (re.compile(r"(\d+)-(\d+)"), ("d", "h")),
    (re.compile(r"(\d+)-(\d+):(\d+)"), ("d", "h", "m")),
    (re.compile(r"(\d+)-(\d+):(\d+):(\d+)"), ("d", "h", "m", "s")),
)
_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}


def slurm_seconds(walltime) -> int:
    """A SLURM time limit in seconds, read as ``sbatch --time`` reads it: "minutes", "minutes:seconds",
    "hours:minutes:seconds", "days-hours", "days-hours:minutes" or "days-hours:minutes:seconds" (so "06:00" is six
    *minutes*, "360" and "0-6" six hours). SLURM counts whole minutes, rounding seconds up; so does this. A limit
    of 0 or UNLIMITED (no limit) is refused: workers must know when their job ends, to retire before it."""
    text = str(walltime).strip() if isinstance(walltime, str | int) and not isinstance(walltime, bool) else None
    if text is None:
        raise DataError(
            f"walltime={walltime!r}",
            f"is a {type(walltime).__name__}, not a SLURM time limit",
            "Pass text such as '06:00:00' (six hours), '360' (minutes) or '1-00' (one day).",
        )
    for pattern, units in _TIME_FORMATS:
        m = pattern.fullmatch(text)
        if m:
            seconds = sum(int(v) * _SECONDS[u] for v, u in zip(m.groups(), units, strict=True))
            if seconds == 0:
                break
            return 60 * math.ceil(seconds / 60)
    else:
        if text.upper() not in ("UNLIMITED", "INFINITE"):
            raise DataError(
                f"walltime={walltime!r}",
                "is not a SLURM time limit",
                "Write it as sbatch does: 'minutes', 'minutes:seconds', 'hours:minutes:seconds', "
                "'days-hours', 'days-hours:minutes' or 'days-hours:minutes:seconds', e.g. '06:00:00'.",
            )
    raise DataError(f"walltime={walltime!r}", "means no time limit, but Dask workers need one to retire before "
                    "the job ends", "Ask for the time the work needs, e.g. '06:00:00'.")  # fmt: skip


def slurm_time(seconds: int) -> str:
    """Seconds as a SLURM time limit, ``HH:MM:SS`` or ``D-HH:MM:SS``."""
    d, rest = divmod(int(seconds), 86_400)
    h, rest = divmod(rest, 3_600)
    m, s = divmod(rest, 60)
    return f"{d}-{h:02d}:{m:02d}:{s:02d}" if d else f"{h:02d}:{m:02d}:{s:02d}"


_MEMORY = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(I?B?)", re.IGNORECASE)


def slurm_mebibytes(memory) -> int:
    """A job's memory in MiB, as SLURM's ``--mem`` reads it for a bare number and K, M, G, T, and as Dask and the SI
    read KB, MB, GB, TB, which sbatch would read as K, M, G, T (SLURM's str_to_mbytes accepts a B after the unit): the
    course decides, and writes the result in SLURM's unit so that nothing is left to interpretation:

    - a bare number (an int or digits) is MiB, SLURM's default unit: ``65536`` is 64 GiB;
    - ``K``, ``M``, ``G``, ``T`` are powers of 1024, as SLURM reads them: ``"64G"`` is 64 GiB (Dask would read it
      as 64 x 10^9 bytes, 7% less);
    - ``KiB``, ``MiB``, ``GiB``, ``TiB`` are powers of 1024 too; ``KB``, ``MB``, ``GB``, ``TB`` are powers of 1000,
      as Dask and the SI read them (``"64GB"`` is 61,036 MiB, rounded up to a whole MiB).
    """
    if isinstance(memory, bool) or not isinstance(memory, str | int | np.integer):
        raise DataError(
            f"memory={memory!r}",
            f"is a {type(memory).__name__}, not an amount of memory",
            "Pass '64G' (GiB, as SLURM reads it), '64GiB', or a whole number of MiB.",
        )
    m = _MEMORY.fullmatch(str(memory).strip())
    if not m:
        raise DataError(
            f"memory={memory!r}",
            "is not an amount of memory",
            "Write it as SLURM does ('64G': GiB) or with an explicit unit ('64GiB', '64GB').",
        )
    number, prefix, suffix = float(m.group(1)), m.group(2).upper(), m.group(3).upper()
    power = "KMGT".index(prefix) + 1 if prefix else 2  # no prefix: MiB (SLURM's default unit)
    if suffix and not prefix:
        raise DataError(f"memory={memory!r}", "gives bytes without a size prefix", "Write '64G', '64GiB' or '64GB'.")
    if suffix == "B":  # KB, MB, GB, TB: powers of 1000
        mib = number * 1000**power / 2**20
    else:  # K, M, G, T (SLURM), Ki/KiB, ... : powers of 1024
        mib = number * 1024 ** (power - 2)
    if mib < 1:
        raise DataError(
            f"memory={memory!r}", "is less than 1 MiB", "Ask for the memory a worker job needs, e.g. '16G'."
        )
    return math.ceil(mib - 1e-9)


def _slurm_size(mib: int) -> str:
    """MiB as SLURM's ``--mem`` value in the largest unit that divides it exactly: 65536 -> "64G"."""
    for unit, size in (("T", 1024**2), ("G", 1024)):
        if mib % size == 0:
            return f"{mib // size}{unit}"
    return f"{mib}M"


#: Share of the job's memory kept free of Dask's workers (their nannies, the shell, the file cache SLURM may count);
#: at least _HEADROOM_MIB.
HEADROOM = 0.10
_HEADROOM_MIB = 1024
#: Least memory (MiB) a worker process may be limited to. A worker with the course's imports already holds about
#: 180 MiB, and at a 256 MiB limit one worker paused on a single 500 Hz batch (Dask pauses at 80% by default):
#: measured by the lesson's third review (distributed's worker-memory page describes the thresholds).
WORKER_MIN_MIB = 1024


#: Seconds from a worker job's start to its workers running (the node sets the job up, the setup lines run, Python
#: imports the libraries): spent inside the job's time limit before ``--lifetime`` starts counting, which it does
#: from the worker's own start. A margin chosen for shared file systems that are slow to import from, not a
#: measurement: time your centre's start-up (the worker log's first line against the job's start) and adjust.
WORKER_STARTUP_S = 120
#: Where workers spill: /tmp, which is node-local on most clusters. TMPDIR is site-specific (some centres set it to
#: a per-job folder, others leave it unset, and then "$TMPDIR" is empty), and under a driver submitting with sbatch's
#: default environment export it can be the *driver's* folder. Centres document their node-local scratch ($TMPDIR,
#: /scratch, ...): pass yours as local_directory=.
LOCAL_DIRECTORY = "/tmp"
#: The name sbatch gives the worker job (``-J``): plain, as ``squeue`` lists it
JOB_NAME = "heartdata-worker"
#: The Dask name of a standalone script's workers (``--name``): the job's id, which bash expands on the node, tells
#: whose workers the scheduler sees (several processes add -0, -1, ... to it)
WORKER_NAME = JOB_NAME + "-${SLURM_JOB_ID}"


def worker_lifetime(walltime) -> tuple[int, int]:
    """The workers' ``--lifetime`` and ``--lifetime-stagger`` (seconds) for a job of ``walltime``.

    A worker retires after its lifetime plus or minus a random share of the stagger (distributed draws it for each
    worker, so they do not all leave at once), counted from the worker's own start, which comes WORKER_STARTUP_S
    after the job's. The stagger is 5% of the limit, from 30 s to 5 min; the last worker to retire then gets as long
    again as the stagger to hand its results on and close. So lifetime = walltime - WORKER_STARTUP_S - stagger -
    stagger, and start-up + lifetime + stagger (the last retirement) fits inside the walltime with a stagger to spare:
    an hour gives 60 - 2 - 3 - 3 = 52 minutes, retiring from 49 to 55 minutes after the workers start."""
    seconds = slurm_seconds(walltime)
    stagger = max(30, min(seconds // 20, 300))
    lifetime = seconds - WORKER_STARTUP_S - 2 * stagger
    if lifetime - stagger < 60:  # the first worker to retire must have had a minute's work
        least = next(m for m in range(1, 60) if m * 60 - WORKER_STARTUP_S - 3 * max(30, min(m * 3, 300)) >= 60)
        raise DataError(f"walltime={walltime!r}", f"is {seconds // 60} minutes: too short for workers to start "
                        f"({WORKER_STARTUP_S} s), work and retire before it", f"Ask for at least {least} minutes.")
    return lifetime, stagger


def worker_window(walltime) -> int:
    """Seconds of work a job of ``walltime`` really gives its workers: from a worker's start to the first retirement,
    ``--lifetime`` less ``--lifetime-stagger`` (``worker_lifetime``), since a retired worker is not replaced under
    ``scale(jobs=1)``. An hour gives 52 - 3 = 49 minutes, not 60: size a job against this, not against ``-t``."""
    lifetime, stagger = worker_lifetime(walltime)
    return lifetime - stagger


def job_fits(need_minutes: float, walltime) -> bool:
    """Whether work of ``need_minutes`` on the workers fits a job of ``walltime``: within ``worker_window``."""
    return need_minutes * 60 <= worker_window(walltime)


READS = ("staggered", "together")  # the two ends of job_minutes: the workers' reads never coincide, or all coincide


def job_minutes(computing: float, reading: float, cores: int, reads: str = "staggered") -> float:
    """The model's job (minutes) of ``cores`` single-threaded worker processes, as ``slurm_job_script`` starts
    them: ``computing`` minutes of CPU work, which divides among the workers, and ``reading`` minutes of waiting for
    the file system, all the job's bytes at a rate shared by the whole job.

    A worker with one thread computes nothing while its read task waits for the disk: the wait does not overlap its
    computing. Two assumptions the model rests on, neither measured here (review r17 F4):

    (a) one worker reading alone gets the job's whole rate (on a parallel file system a single client stream is
        often slower than the aggregate: then one core takes longer than computing + reading, and more cores,
        more streams, help more than the model says);
    (b) ``reads`` says how the workers' reads fall in time, the two ends of what they can do:

    - "staggered" (the optimistic end): no two reads ever coincide, so the disk is busy all the time at the balance
      point. Each worker needs at least its share of both, (computing + reading) / cores, and the job can never read
      faster than the shared rate allows, reading: the job takes the larger of the two. One core gives computing +
      reading; more cores stop helping at ``balance_cores``.
    - "together" (the other end): every worker reads at the same moment (as they all do at the start), each at
      1 / cores of the rate, so each waits the whole reading time for its share: computing / cores + reading. More
      cores then always help, though never below the reading time.

    Nothing here counts a cost per file."""
    if reads not in READS:
        raise DataError(f"reads={reads!r}", f"must be one of {', '.join(READS)}",
                        "Pass 'staggered' (no two reads coincide) or 'together' (all coincide).")  # fmt: skip
    cores = np.asarray(cores)
    if np.any(cores < 1):
        raise DataError(f"cores={cores!r}", "must be 1 or more", "Pass the number of worker processes.")
    computing, reading = np.asarray(computing), np.asarray(reading)
    if reads == "together":
        return computing / cores + reading
    return np.maximum(reading, (computing + reading) / cores)


def balance_cores(computing: float, reading: float) -> float:
    """The cores (a fraction) from which ``job_minutes`` (reads "staggered") stops falling: (computing + reading) /
    cores = reading, so 1 + computing / reading. More cores than that only wait for the file system, in this model
    and under its assumptions (job_minutes): when reads coincide, more cores still shorten the computing's share."""
    with np.errstate(divide="ignore"):  # no reading at all: no number of cores makes the file system decide
        return 1 + np.asarray(computing, dtype=float) / np.asarray(reading, dtype=float)


def _duration(seconds: int) -> str:
    """Seconds as Dask reads a duration: "52m" for whole minutes, else "135s"."""
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def _headroom(job_mib: int) -> int:
    """MiB of a job's memory kept free of Dask's workers: HEADROOM of it, at least _HEADROOM_MIB."""
    return max(math.ceil(HEADROOM * job_mib), _HEADROOM_MIB)


def least_job_mib(processes: int) -> int:
    """The least job memory (MiB) that leaves WORKER_MIN_MIB for each of ``processes`` worker processes once
    ``_headroom`` is kept free: the rule ``slurm_job_script`` applies, searched (what is left grows with the job)."""
    need = WORKER_MIN_MIB * int(processes)
    low, high = need, 2 * need + _HEADROOM_MIB  # refused (nothing kept free), accepted (half kept free is > 10%)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if middle - _headroom(middle) >= need else (middle, high)
    return high


def _shell_path(path: str) -> str:
    """A scratch path for a shell line: quoted as it is, or in double quotes where it holds a variable to expand.
    A plain ``$NAME`` or ``${NAME}`` becomes ``${NAME:?...}``: where a centre leaves TMPDIR unset, the job stops with
    that message instead of passing "" on (``apptainer exec --bind ""`` is refused; review r22-10 F4). A form of
    your own, such as ``${TMPDIR:-/scratch}``, is kept as it is."""
    if "$" not in path:
        return shlex.quote(path)
    inner = path[1:-1] if len(path) > 1 and path.startswith('"') and path.endswith('"') else path
    inner = re.sub(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))",
                   lambda m: f"${{{(name := m[1] or m[2])}:?set {name} to node-local scratch}}", inner)  # fmt: skip
    return f'"{inner}"'


def _slurm_options(
    cores, memory, walltime, queue, account, data_root, python, setup, container, processes, local_directory
) -> dict:
    if isinstance(cores, bool) or not isinstance(cores, int | np.integer) or cores < 1:
        raise DataError(f"cores={cores!r}", "a worker job needs a whole number of cores, at least 1", "Pass cores=8.")
    cores = int(cores)
    if processes is None:
        # one single-threaded worker per core: processes cannot wait for each other on the GIL, whatever share of
        # the pipeline holds it (not measured at 16 threads; lesson 10 saw two threads hardly ever blocked)
        processes = cores
    if isinstance(processes, bool) or not isinstance(processes, int | np.integer) or not 1 <= processes <= cores:
        raise DataError(f"processes={processes!r}", f"must be a whole number from 1 to cores={cores}",
                        f"Pass processes={cores} (one thread each) or a divisor of {cores}.")  # fmt: skip
    if cores % int(processes):
        raise DataError(f"processes={processes!r}", f"does not divide cores={cores}: every worker process gets the "
                        "same number of threads", f"Pass a divisor of {cores}.")  # fmt: skip
    job_mib = slurm_mebibytes(memory)
    headroom = _headroom(job_mib)
    if job_mib - headroom < WORKER_MIN_MIB * int(processes):
        least = least_job_mib(processes)
        raise DataError(
            f"memory={memory!r}",
            f"leaves less than {WORKER_MIN_MIB} MiB for each of {processes} worker processes once {headroom} MiB "
            "are kept free (10%, at least 1 GiB; a worker holds about 180 MiB before its first batch)",
            f"Ask for at least {math.ceil(least / 1024)}G (the least is {least}M), or fewer processes.",
        )
    seconds = slurm_seconds(walltime)
    lifetime, stagger = worker_lifetime(walltime)
    for name, value in (("queue", queue), ("account", account)):
        if value is not None and (not isinstance(value, str) or not re.fullmatch(r"[\w.,+-]+", value)):
            raise DataError(f"{name}={value!r}", "is not a SLURM partition or account name",
                            "Pass the name your centre gave you, e.g. 'plgrid'.")  # fmt: skip
    if isinstance(setup, str):
        setup = [setup]
    prologue = [str(line) for line in setup]
    if data_root is not None:
        prologue.append(f"export {ENV_VAR}={shlex.quote(str(data_root))}")
    # one BLAS/OpenMP thread per Dask thread (the nanny sets the same; said here so the script shows it)
    prologue.append("export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1")
    command = shlex.quote(str(python or sys.executable))
    if container is not None:
        binds = [str(data_root)] if data_root is not None else []
        binds += [] if local_directory is None or "$" in str(local_directory) else [str(local_directory)]
        bind = f"--bind {shlex.quote(','.join(binds))} " if binds else ""
        scratch = (
            f"--bind {_shell_path(str(local_directory))} " if local_directory and "$" in str(local_directory) else ""
        )
        command = f"apptainer exec {bind}{scratch}{shlex.quote(str(container))} {python or 'python'}"
    # no --lifetime-restart: a worker retires for good, and the job ends with its last worker
    extra = ["--lifetime", _duration(lifetime), "--lifetime-stagger", _duration(stagger)]
    if local_directory is not None:
        local_directory = _shell_path(str(local_directory))
    return dict(
        cores=cores, processes=int(processes), memory=str((job_mib - headroom) * 2**20),
        job_mem=_slurm_size(job_mib), walltime=slurm_time(seconds), queue=queue, account=account, python=command,
        job_script_prologue=prologue, local_directory=local_directory, worker_extra_args=extra,
    )  # fmt: skip


#: The address a script shows when no scheduler is given: marked in the script as one to replace
SCHEDULER_PLACEHOLDER = "tcp://SCHEDULER:8786"


def slurm_job_script(
    cores: int, memory: str, walltime: str, queue: str | None = None, account: str | None = None,
    data_root: str | None = None, python: str | None = None, setup: Sequence[str] = (), container: str | None = None,
    processes: int | None = None, local_directory: str | None = LOCAL_DIRECTORY,
    scheduler: str = SCHEDULER_PLACEHOLDER,
) -> str:  # fmt: skip
    """The batch script dask-jobqueue submits (``sbatch``) for one worker job, without a cluster or a scheduler.

    - Resources: ``#SBATCH`` lines for the partition (``queue``), the account, one task of ``cores`` cores
      (``--cpus-per-task``), the job's ``memory`` (``--mem``, read by ``slurm_mebibytes``: "64G" is 64 GiB as
      SLURM reads it) and its time limit (``-t``, any ``sbatch --time`` format, written as HH:MM:SS).
    - The environment on the compute node: ``setup`` lines run first (e.g. ``["module load Python/3.11",
      "source /net/home/me/heartdata/.venv/bin/activate"]``), then the worker starts with ``python`` (default: the
      interpreter running this, as dask-jobqueue does, right when this runs on the cluster from the course's
      environment on the shared file system), or inside the Apptainer image ``container`` (``apptainer exec``,
      binding the data folder and the scratch folder). ``data_root`` is exported as HEARTDATA_DIR (quoted), so the
      loaders on the node read the full datasets; one BLAS thread per Dask thread is exported too.
    - The workers: ``processes`` worker processes (default: one per core, each with one thread. Whether threads of
      one process would wait for each other on the GIL depends on the share of the work done in Python code, which
      lesson 10 did not measure at 16 threads (its two worker threads were hardly ever blocked); distributed's
      *Efficiency* page expects NumPy/SciPy code to suit threads and pure Python code not, and this pipeline is
      both. Processes cannot block each other on the GIL whatever its share; before choosing threads, time a
      shape with threads against the default on the node: ``processes`` a divisor of ``cores``, such as
      dask-jobqueue's own default, distributed's ``nprocesses_nthreads(cores)``: 4 x 4 on 16 cores, 3 x 1 on 3),
      together limited to the
      job's memory less 10% (at least 1 GiB) kept for their nannies and the shell, so that Dask pauses and
      restarts a worker before SLURM kills the job; spilling to ``local_directory`` (LOCAL_DIRECTORY, /tmp, by
      default: node-local on most clusters; pass the node-local scratch your centre documents, such as $TMPDIR or
      /scratch); retiring (``--lifetime``, ``worker_lifetime``) after start-up, lifetime and stagger fit inside
      the time limit, so no task is cut off by SLURM. The job is named JOB_NAME; its workers WORKER_NAME, which
      carries the job's id.
    ``scheduler`` is the address the workers connect to (a running ``slurm_cluster`` fills in its own); without it
    the script holds SCHEDULER_PLACEHOLDER and a comment saying to replace it."""
    from dask_jobqueue.slurm import SLURMJob

    options = _slurm_options(cores, memory, walltime, queue, account, data_root, python, setup, container,
                             processes, local_directory)  # fmt: skip
    if not isinstance(scheduler, str) or not re.fullmatch(r"[a-z]+://[\w.:\[\]-]+", scheduler):
        raise DataError(f"scheduler={scheduler!r}", "is not a scheduler address",
                        "Give the address the scheduler printed, as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786.")
    script = SLURMJob(scheduler=scheduler, name=WORKER_NAME, job_name=JOB_NAME, **options).job_script()
    notes = []
    if python is None and container is None:  # review r22-10 F2: printed off the cluster, it is the wrong path
        notes.append(f"# {options['python']} below is the Python that printed this script: it must exist on the "
                     "compute nodes (else pass python=, --python)")
    if scheduler == SCHEDULER_PLACEHOLDER:
        notes.append(f"# {SCHEDULER_PLACEHOLDER} below is a placeholder: replace it with your scheduler's address "
                     "(slurm-script --scheduler), or let slurm_cluster submit this job with its own")
    if not notes:
        return script
    first, rest = script.split("\n", 1)  # comments after the shebang: sbatch still reads the #SBATCH lines below
    return "\n".join([first, *notes, rest])


def slurm_cluster(
    cores: int, memory: str, walltime: str, queue: str | None = None, account: str | None = None,
    data_root: str | None = None, python: str | None = None, setup: Sequence[str] = (), container: str | None = None,
    processes: int | None = None, local_directory: str | None = LOCAL_DIRECTORY, **kwargs,
):  # fmt: skip
    """A dask-jobqueue ``SLURMCluster`` whose worker jobs are ``slurm_job_script``'s. The scheduler runs in the
    process that calls this: run it in a batch job of its own (or where your centre allows long-running
    processes), not on a login node that forbids them. ``cluster.scale(jobs=4)`` submits four jobs;
    ``Client(cluster)`` is what the functions of this module take. ``kwargs`` go to SLURMCluster (e.g.
    ``interface="ib0"``, ``log_directory``). The workers' names are dask-jobqueue's own (the cluster matches its
    jobs to its workers by them); the jobs are named JOB_NAME."""
    from dask_jobqueue import SLURMCluster

    options = _slurm_options(cores, memory, walltime, queue, account, data_root, python, setup, container,
                             processes, local_directory)  # fmt: skip
    return SLURMCluster(**{"job_name": JOB_NAME, **options, **kwargs})


# --------------------------------------------------------------------------------------------- copies
def replicate_ptbxl(dest: str | Path, n: int, fs: int = 100, table_rows: int | None = None) -> Path:
    """A PTB-XL copy of ``n`` records at ``fs`` Hz under ``dest/ptbxl`` (a temporary folder of yours): record
    i repeats shipped record (i - 1) % m + 1, m being the shipped records at that rate, as ``make bench``
    builds its full-size copies. The data files are hard links to private copies where the file system
    allows (little disk), never to ``data/`` itself. ``table_rows`` (at least ``n``) makes the metadata table
    that long, its rows beyond ``n`` naming records this copy does not hold (as a partial download does): a
    full-size table over a few records. Returns ``dest`` (pass it as ``root=``)."""
    fs = _check_fs(fs)
    n = int(n)
    rows_wanted = n if table_rows is None else int(table_rows)
    if n < 1 or rows_wanted < n:
        raise DataError(f"n={n}, table_rows={table_rows}", "need n >= 1 and table_rows >= n",
                        "Pass the number of records, and a longer table if you want one.")  # fmt: skip
    dest = Path(dest)
    out = dest / "ptbxl"
    if is_shipped(out):
        raise DataError(
            out, "is inside the course's data/ folder, which is never written to", "Pass a temporary folder."
        )
    src = ptbxl.data_dir(None)
    have = list(available_ids(fs, None))
    meta = pd.read_csv(src / "ptbxl_database.csv", dtype=str, keep_default_na=False)
    meta = meta[meta["ecg_id"].astype(int).isin(have)]
    out.mkdir(parents=True)
    rows = meta.iloc[np.arange(rows_wanted) % len(meta)].copy()
    ids = np.arange(1, rows_wanted + 1)
    suffix = "lr" if fs == 100 else "hr"
    rows["ecg_id"] = ids
    for rate, sfx in ((100, "lr"), (500, "hr")):
        rows[ptbxl.FILENAME_COLUMN[rate]] = [f"records{rate}/{i // 1000 * 1000:05d}/{i:05d}_{sfx}" for i in ids]
    rows.to_csv(out / "ptbxl_database.csv", index=False)
    shutil.copy(src / "scp_statements.csv", out)
    originals = out / "originals"
    originals.mkdir()
    used = have[: min(n, len(have))]  # record i repeats have[(i - 1) % len(have)]: only these are copied
    files = dict(zip(meta["ecg_id"].astype(int), meta[ptbxl.FILENAME_COLUMN[fs]], strict=True))
    heads = {}
    for k in used:
        rel = files[k]
        heads[k] = (src / f"{rel}.hea").read_text()
        shutil.copy(src / f"{rel}.dat", originals / f"{k:05d}.dat")
    for i, k in zip(ids[:n], [have[j % len(have)] for j in range(n)], strict=True):
        folder = out / f"records{fs}" / f"{i // 1000 * 1000:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        old, new = Path(files[k]).name, f"{i:05d}_{suffix}"
        (folder / f"{new}.hea").write_text(heads[k].replace(old, new))
        try:
            os.link(originals / f"{k:05d}.dat", folder / f"{new}.dat")
        except OSError:
            shutil.copy(originals / f"{k:05d}.dat", folder / f"{new}.dat")
    return dest


def record_paths(ecg_ids, fs: int = 100, root=None) -> list[str]:
    """The files (.hea and .dat) of these records in this copy."""
    fs = _check_fs(fs)
    folder = ptbxl.data_dir(root)
    files = ptbxl.load_metadata(folder)[ptbxl.FILENAME_COLUMN[fs]]
    return [os.path.join(folder, f"{files.loc[i]}{ext}") for i in _unique_ids(ecg_ids) for ext in (".hea", ".dat")]


def evict_from_page_cache(paths: Iterable[str | os.PathLike]) -> int:
    """Ask the kernel to drop these files' pages from its page cache (``posix_fadvise(POSIX_FADV_DONTNEED)``, after
    writing out any unwritten pages), so that the next read comes from the disk as this machine sees it. Needs no
    privileges and touches nothing else. Returns how many files were advised; 0 where the system offers no such
    call (then every read of a recently read file comes from memory, and a cold read cannot be measured)."""
    if not hasattr(os, "posix_fadvise"):
        return 0
    done = 0
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(fd) if hasattr(os, "fdatasync") else None
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            done += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return done


# --------------------------------------------------------------------------------------------- command
class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line on stderr and exit code 2 (argparse's default prints the usage too)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too small; at least 1 is needed")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{value:g} must be a number of seconds above 0")
    return value


def _part(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise argparse.ArgumentTypeError(f"{text!r} is not K/N with 1 <= K <= N (e.g. 3/16)")
    return int(m.group(1)), int(m.group(2))


def part_of(ids, k: int, n: int) -> list[int]:
    """The ``k``-th (from 1) of ``n`` consecutive, nearly equal slices of ``ids``: what one task of a job array
    does (``--part $SLURM_ARRAY_TASK_ID/N``). The slices cover every id once."""
    ids = list(ids)
    bounds = np.linspace(0, len(ids), int(n) + 1).round().astype(int)
    return ids[bounds[int(k) - 1] : bounds[int(k)]]


def _parser() -> _Parser:
    parser = _Parser(prog="python -m heartdata.scale", description="Lesson 10's pipelines on Dask workers.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ecg = commands.add_parser(
        "ecg-features",
        help="per-record ECG features of every PTB-XL record under the root, on Dask workers",
        description="Compute lesson 07's per-record ECG features for every record of the copy at --fs Hz with "
        "N local Dask workers (or on a running scheduler), write one row per ecg_id to --out (CSV), print "
        "records, seconds, records per second and workers, then the same as JSON on the last line.",
    )
    ecg.add_argument("--workers", type=_positive, help="local worker processes (with --scheduler: workers to wait for)")
    ecg.add_argument("--fs", type=int, choices=sorted(ptbxl.FILENAME_COLUMN), default=100, help="sampling rate (Hz)")
    ecg.add_argument("--root", help=f"folder holding ptbxl/ (default: ${ENV_VAR} or the shipped data)")
    ecg.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    ecg.add_argument("--out", required=True, help="CSV file to write (never under the course's data/)")
    ecg.add_argument("--batch-size", type=_positive, default=BATCH_SIZE, help="records per task")
    ecg.add_argument("--threads", action="store_true", help="local workers as threads of one process")
    ecg.add_argument("--timeout", type=_seconds, default=TIMEOUT,
                     help="give up when no batch has finished for this many seconds (not a limit on the whole run)")
    ecg.add_argument("--connect-timeout", type=_seconds, default=10.0, help="seconds to reach --scheduler")
    ecg.add_argument("--part", type=_part, help="K/N: only the K-th of N equal slices of the records (K from 1), "
                     "e.g. --part $SLURM_ARRAY_TASK_ID/16 in a job array")  # fmt: skip
    job = commands.add_parser(
        "slurm-script",
        help="the job script dask-jobqueue would submit for one worker job (no cluster needed)",
        description="Print the SLURM batch script dask-jobqueue submits for one Dask worker job with these "
        "resources, without a cluster.",
    )
    job.add_argument("--cores", type=_positive, required=True, help="cores of the job")
    job.add_argument("--memory", required=True, help="memory of the job: 64G (GiB, as SLURM reads it), 64GiB, 64GB "
                     "(10^9 bytes) or a whole number of MiB")  # fmt: skip
    job.add_argument(
        "--walltime",
        required=True,
        help="time limit in any sbatch --time format: minutes, "
        "minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds",
    )
    job.add_argument("--queue", help="SLURM partition")
    job.add_argument("--account", help="account (grant) to charge")
    job.add_argument("--data-root", help=f"the datasets' folder on the cluster's file system (${ENV_VAR})")
    job.add_argument("--python", help="the course environment's interpreter on the compute nodes "
                     "(default: this one)")  # fmt: skip
    job.add_argument("--setup", action="append", default=[], help="a shell line run before the worker starts "
                     "(repeat it: module load ..., source .../activate)")  # fmt: skip
    job.add_argument("--container", help="an Apptainer image (.sif) holding the course's environment")
    job.add_argument("--processes", type=_positive, help="worker processes per job (default: one per core)")
    job.add_argument("--local-directory", default=LOCAL_DIRECTORY,
                     help="node-local scratch for spilling (your centre's: $TMPDIR, /scratch, ...)")
    job.add_argument("--scheduler", default=SCHEDULER_PLACEHOLDER, help="address of the running Dask scheduler "
                     "the workers connect to, e.g. tcp://10.0.0.5:8786 (default: a placeholder the script marks)")
    return parser


def _connect(address: str, timeout: float):
    from distributed import Client
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    def bad(problem: str) -> DataError:
        return DataError(
            f"--scheduler {address}",
            problem,
            "Give the address the scheduler printed, as tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786).",
        )

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise bad(f"is not a scheduler address ({exc})") from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise bad(f"cannot be reached ({exc.__class__.__name__})") from None
    except (ValueError, TypeError) as exc:
        raise bad(f"is not a scheduler address ({exc})") from None


def _job_memory_limit(workers: int) -> str:
    """Each local worker's memory limit: inside a SLURM job, its share of the job's memory less HEADROOM (at least
    1 GiB kept free, as in slurm_job_script); elsewhere Dask's "auto" (the machine's memory, shared). The job's
    memory is SLURM_MEM_PER_NODE (MiB, set by sbatch --mem), or SLURM_MEM_PER_CPU x SLURM_CPUS_PER_TASK (set by
    --mem-per-cpu and -c; sbatch's manual, "OUTPUT ENVIRONMENT VARIABLES"). A share under WORKER_MIN_MIB is refused."""
    node, per_cpu = os.environ.get("SLURM_MEM_PER_NODE", ""), os.environ.get("SLURM_MEM_PER_CPU", "")
    cpus = os.environ.get("SLURM_CPUS_PER_TASK", "1")
    if node.isdigit() and int(node) > 0:
        job_mib, where = int(node), f"SLURM_MEM_PER_NODE={node}"
    elif per_cpu.isdigit() and int(per_cpu) > 0 and cpus.isdigit():
        job_mib, where = int(per_cpu) * max(int(cpus), 1), f"SLURM_MEM_PER_CPU={per_cpu} x SLURM_CPUS_PER_TASK={cpus}"
    else:
        return "auto"
    share = (job_mib - _headroom(job_mib)) // workers
    if share < WORKER_MIN_MIB:
        raise DataError(f"--workers {workers} in a job of {job_mib} MiB ({where})",
                        f"leaves {max(share, 0)} MiB per worker once 10% (at least 1 GiB) is kept free; a worker "
                        f"needs at least {WORKER_MIN_MIB} MiB",
                        "Ask for more --mem, or pass fewer --workers.")  # fmt: skip
    return f"{share}MiB"


def _run_ecg(args) -> dict:
    out = Path(args.out).expanduser()
    if is_shipped(out):
        raise DataError(out, "is inside the course's data/ folder, which is never written to", "Choose another --out.")
    if not out.parent.is_dir():
        raise DataError(out.parent, "folder does not exist", "Create it, or choose another --out.")
    folder = ptbxl.data_dir(args.root)  # a root without PTB-XL is reported before any worker starts
    ids = available_ids(args.fs, folder)
    if not len(ids):
        raise DataError(folder, f"holds no PTB-XL record at {args.fs} Hz", "Download them, or choose another --fs.")
    if args.part:
        ids = part_of(ids, *args.part)
        if not ids:
            raise DataError(f"--part {args.part[0]}/{args.part[1]}", "is empty: there are fewer records than parts",
                            "Use fewer parts.")  # fmt: skip
    if args.scheduler:
        client = _connect(args.scheduler, args.connect_timeout)
        if args.workers:
            try:
                client.wait_for_workers(args.workers, timeout=args.connect_timeout)
            except TimeoutError:
                client.close()
                raise DataError(f"--scheduler {args.scheduler}", f"has fewer than {args.workers} workers",
                                "Start more workers, or ask for fewer.") from None  # fmt: skip
    else:
        if not args.workers:
            raise DataError("--workers", "is needed without --scheduler", "Pass --workers N (N >= 1).")
        client = local_client(args.workers, processes=not args.threads, memory_limit=_job_memory_limit(args.workers))
    try:
        workers = len(client.scheduler_info()["workers"])
        start = time.perf_counter()
        table = ecg_features(client, ids, args.fs, folder, args.batch_size, args.timeout)
        seconds = time.perf_counter() - start
    finally:
        cluster = None if args.scheduler else client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
    tmp = out.with_name(out.name + ".part")
    table.to_csv(tmp)
    os.replace(tmp, out)
    return {"records": len(table), "seconds": round(seconds, 3), "records_per_second": round(len(table) / seconds, 1),
            "workers": workers, "fs": args.fs, "out": str(out),
            "part": None if args.part is None else f"{args.part[0]}/{args.part[1]}"}  # fmt: skip


class _QuietDask:
    """Within the block, Dask's own log lines stay off stderr, in this process and in the worker processes it
    starts (they read the same setting from the environment): a command's error is its one line."""

    def __enter__(self):
        self.level = logging.getLogger("distributed").level
        self.env = os.environ.get("DASK_LOGGING__DISTRIBUTED")
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        os.environ["DASK_LOGGING__DISTRIBUTED"] = "critical"
        return self

    def __exit__(self, *exc):
        logging.getLogger("distributed").setLevel(self.level)
        if self.env is None:
            os.environ.pop("DASK_LOGGING__DISTRIBUTED", None)
        else:
            os.environ["DASK_LOGGING__DISTRIBUTED"] = self.env
        return False


def main(argv: Iterable[str] | None = None) -> int:
    args = _parser().parse_args(None if argv is None else list(argv))
    try:
        if args.command == "slurm-script":
            print(slurm_job_script(args.cores, args.memory, args.walltime, args.queue, args.account, args.data_root,
                                   args.python, args.setup, args.container, args.processes,
                                   args.local_directory or None, args.scheduler), end="")  # fmt: skip
            return 0
        with _QuietDask():
            result = _run_ecg(args)
    except DataError as exc:
        print(f"error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    print(f"records             {result['records']}")
    print(f"seconds             {result['seconds']:.3f}")
    print(f"records per second  {result['records_per_second']:.1f}")
    print(f"workers             {result['workers']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
