"""Lesson 10's pipelines in parallel on Dask: the same code on a laptop (LocalCluster) and on a cluster (SLURM).

Every parallel function takes a ``distributed.Client`` as its first argument and never starts a cluster
itself, so a lesson's cells stay the same whether the client talks to two threads on a laptop
(``local_client(2)``) or to workers submitted to a SLURM queue (``slurm_cluster(...)`` then
``Client(cluster)``).

- ``ecg_features(client, ...)``: lesson 07's per-record ECG features (beats, heart rate, RR spread and the
  peak-to-peak amplitude of every lead) for PTB-XL records, one pair of tasks per batch of records (read the
  batch, then compute its features), so no process ever holds more than a few batches of signals.
  ``ecg_features_serial`` is the same table from one loop over ``ptbxl.iter_signals``.
- ``stay_features(client, ...)``: Challenge 2012 features per stay (``cleaning.clean_stays`` then
  ``cleaning.stay_features``), one task per batch of stays.
- ``cross_validate(client, ...)``: out-of-fold scores of lesson 07's mortality model, the folds fitted in
  parallel through joblib's Dask backend.
- ``slurm_job_script(...)``: the job script dask-jobqueue submits for one worker job, without a cluster.

Importing this module limits, on Linux, the malloc arenas of this process to two (``_fewer_malloc_arenas``): with
workers as threads (``local_client``'s default), each thread would otherwise keep the memory of its largest task.

A task that fails raises ``DataError`` naming its records; a worker that dies, or work that does not finish
within ``timeout`` seconds, raises ``DataError`` too, naming the records still outstanding, rather than
waiting for ever.

Command line (the last line printed is the same figures as one JSON object)::

    python -m heartdata.scale ecg-features --workers N [--fs 100|500] [--root ROOT] [--scheduler ADDRESS] --out FILE
    python -m heartdata.scale slurm-script --cores C --memory M --walltime HH:MM:SS [--queue Q] [--account A]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal

from . import challenge2012, cleaning, mortality, ptbxl
from .errors import DataError
from .paths import ENV_VAR, SHIPPED

#: Columns of ``record_features`` / ``ecg_features``, in order.
FEATURES = ["beats", "heart_rate_bpm", "rr_sd_ms"] + [f"amplitude_{lead}_mV" for lead in ptbxl.LEADS]
#: Records of the full datasets, as their publications give them: PTB-XL 21,799 ECGs (Wagner et al., Sci Data 2020),
#: Challenge 2012 12,000 stays in sets A, B and C (Silva et al., CinC 2012), MIMIC-IV-ECG about 800,000 ECGs
#: (Gow et al., PhysioNet 2023).
FULL_SIZES = {"ptbxl": 21_799, "challenge2012": 12_000, "mimic-iv-ecg": 800_000}
#: Records per task: at 500 Hz a batch of 64 records is 64 x 5,000 x 12 x 8 bytes = 31 MB of signals.
BATCH_SIZE = 64
#: Stays per task of ``stay_features``.
STAY_BATCH = 500
#: Seconds to wait for all tasks before giving up with a DataError (a lost worker must not hang a lesson).
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


def available_ids(fs: int = 100, root=None) -> pd.Index:
    """The ecg_ids of the metadata table whose ``fs`` Hz record is present in this copy, in ecg_id order."""
    if fs not in ptbxl.FILENAME_COLUMN:
        raise DataError(f"fs={fs!r}", "PTB-XL has no such sampling rate", "Use 100 or 500 (Hz).")
    folder = ptbxl.data_dir(root)
    files = ptbxl.load_metadata(folder)[ptbxl.FILENAME_COLUMN[fs]]
    present = [os.path.exists(os.path.join(folder, f"{rel}.hea")) for rel in files]
    return files.index[np.asarray(present, dtype=bool)].sort_values()


def ecg_features_serial(ecg_ids=None, fs: int = 100, root=None, batch_size: int = BATCH_SIZE) -> pd.DataFrame:
    """The table of ``ecg_features`` from one loop in this process (``ptbxl.iter_signals``): the reference."""
    ids = available_ids(fs, root) if ecg_ids is None else pd.Index(ecg_ids)
    got, frames = [], []
    for batch_ids, x in ptbxl.iter_signals(ids, fs=fs, batch_size=batch_size, root=root):
        got.extend(batch_ids)
        frames.append(record_features(x, fs))
    return _table(got, frames)


# --------------------------------------------------------------------------------------------- tasks
class TaskFailed(Exception):
    """A DataError raised inside a task, carried to the client as its three parts (DataError's own
    constructor takes three arguments, so it cannot be rebuilt from its message alone)."""

    def __init__(self, where: str, problem: str, fix: str):
        super().__init__(where, problem, fix)


def _in_task(fn, *args):
    try:
        return fn(*args)
    except DataError as exc:
        raise TaskFailed(exc.where, exc.problem, exc.fix) from None


def read_ecg(ids: list[int], fs: int, folder: str) -> np.ndarray:
    """Task: one batch of signals (``ptbxl.load_signals``)."""
    return _in_task(ptbxl.load_signals, ids, fs, folder)


def features_of(x: np.ndarray, fs: int) -> pd.DataFrame:
    """Task: ``record_features`` of one batch."""
    return _in_task(record_features, x, fs)


def _span(ids) -> str:
    ids = sorted(int(i) for i in ids)
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}-{ids[-1]} ({len(ids)} records)"


def _gather(client, futures: list, labels: list[str], timeout: float) -> list:
    """Results of ``futures`` in order; any failure, a dead worker or the timeout becomes a DataError that
    names the records (``labels``) concerned. Outstanding work is cancelled before raising."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    label = {f.key: text for f, text in zip(futures, labels, strict=True)}
    try:
        for f in as_completed(futures, timeout=timeout):
            if f.status == "error":
                exc = f.exception()
                if isinstance(exc, TaskFailed):
                    raise DataError(*exc.args)
                if isinstance(exc, KilledWorker):
                    raise DataError(
                        label[f.key],
                        f"the worker computing them died ({exc.__class__.__name__}), each time it was retried",
                        "A worker killed for using too much memory is the usual cause: give each worker more "
                        "memory, or use smaller batches. The worker's log says why it died.",
                    )
                raise DataError(label[f.key], f"the task failed ({exc.__class__.__name__}: {exc})",
                                "Run ecg_features_serial on these records to see the error here.")  # fmt: skip
    except TimeoutError:
        waiting = [label[f.key] for f in futures if f.status not in ("finished", "error")]
        raise DataError(
            "; ".join(waiting[:5]) + (f" and {len(waiting) - 5} more batches" if len(waiting) > 5 else ""),
            f"not finished after {timeout:g} s (a worker may have died, hung on a file, or there are no workers)",
            "Check client.scheduler_info() for workers and their logs; pass a larger timeout= if the work "
            "is just slow.",
        ) from None
    finally:
        pending = [f for f in futures if f.status == "pending"]
        if pending:
            client.cancel(pending)
    return client.gather(futures)


def _batches(ids, size: int) -> list[list[int]]:
    if int(size) < 1:
        raise DataError(f"batch_size={size!r}", "a batch must hold at least one record", "Pass batch_size >= 1.")
    ids = [int(i) for i in ids]
    return [ids[i : i + int(size)] for i in range(0, len(ids), int(size))]


def ecg_features(
    client, ecg_ids=None, fs: int = 100, root=None, batch_size: int = BATCH_SIZE, timeout: float = TIMEOUT
) -> pd.DataFrame:
    """Per-record ECG features (``record_features``), one row per ecg_id (index ``ecg_id``), computed on
    ``client``'s workers: per batch of ``batch_size`` records, a task ``read_ecg`` then a task
    ``features_of``. ``ecg_ids`` defaults to every record of this copy at ``fs`` Hz (``available_ids``).

    The workers read the files themselves (from ``root``, resolved here to a folder path that the workers
    must see too, e.g. on the cluster's shared file system); only features travel back. The result does not
    depend on the number of workers or on ``batch_size``. A damaged record raises ``DataError`` naming its
    file; a dead worker, or anything unfinished after ``timeout`` seconds, a ``DataError`` naming the records.
    """
    if fs not in ptbxl.FILENAME_COLUMN:
        raise DataError(f"fs={fs!r}", "PTB-XL has no such sampling rate", "Use 100 or 500 (Hz).")
    folder = str(ptbxl.data_dir(root))
    ids = available_ids(fs, folder) if ecg_ids is None else pd.Index(ecg_ids)
    if ecg_ids is not None:
        ptbxl.iter_signals(ids, fs=fs, root=folder)  # unknown ids are reported now, before any task runs
    batches = _batches(ids, batch_size)
    futures, labels, run = [], [], uuid.uuid4().hex[:12]  # keys unique to this call: never reuse an old result
    for k, batch in enumerate(batches):
        x = client.submit(read_ecg, batch, fs, folder, key=f"read_ecg-{run}-{k}", pure=False)
        futures.append(client.submit(features_of, x, fs, key=f"ecg_features-{run}-{k}", pure=False))
        labels.append(f"ecg_id {_span(batch)} at {fs} Hz")
    frames = _gather(client, futures, labels, timeout)
    return _table([i for b in batches for i in b], frames)


def _stay_batch(stays: pd.DataFrame, window_hours: float) -> pd.DataFrame:
    """Task: clean one batch of stays and aggregate each to one row."""
    return _in_task(lambda: cleaning.stay_features(cleaning.clean_stays(stays, window_hours)[0], window_hours))


def stay_features(
    client, set_name: str = "a", root=None, window_hours: float = 48, batch_size: int = STAY_BATCH,
    timeout: float = TIMEOUT, stays: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """``cleaning.stay_features(cleaning.clean_stays(stays)[0])`` of a Challenge 2012 set, computed on
    ``client``'s workers, one task per batch of ``batch_size`` stays (the cleaning treats every stay on its
    own, so batches give the same table as the whole set at once). The set is read here, once, by
    ``challenge2012.load_stays`` (reading the archive is one pass that cannot be split by stay), unless
    ``stays`` is the long table already loaded (raw, or ``cleaning.prepare``-d); each batch of rows is sent
    to a worker."""
    if stays is None:
        stays = challenge2012.load_stays(set_name, root)
    stays = cleaning.prepare(stays)  # a compact copy: Parameter as a category
    order = np.sort(stays["RecordID"].unique())
    batches = _batches(order, batch_size)
    which = pd.Series(np.repeat(np.arange(len(batches)), [len(b) for b in batches]), index=order)
    parts = dict(iter(stays.groupby(stays["RecordID"].map(which).to_numpy(), sort=True)))
    del stays
    futures, labels, run = [], [], uuid.uuid4().hex[:12]
    for k, batch in enumerate(batches):
        [part] = client.scatter([parts.pop(k)], hash=False)
        futures.append(client.submit(_stay_batch, part, window_hours, key=f"stay_features-{run}-{k}", pure=False))
        labels.append(f"RecordID {_span(batch)} of set {set_name}")
    return pd.concat(_gather(client, futures, labels, timeout)).sort_index()


def cross_validate(client, X: pd.DataFrame, y: pd.Series, kind: str = "logistic", folds: int = 5, seed: int = 0):
    """Out-of-fold P(death) of ``mortality.make_model(kind, seed)`` under stratified, shuffled ``folds``-fold
    cross-validation (scikit-learn's ``cross_val_predict``), the folds fitted in parallel on ``client``'s
    workers through joblib's Dask backend. The same scores as with ``n_jobs=1`` (the folds and the models are
    fixed by ``seed``). Returns a Series indexed like X."""
    import joblib
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    model = mortality.make_model(kind, seed)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    # one BLAS thread per fit: the parallelism is across folds (threads of one process share the limit)
    with joblib.parallel_config(backend="dask", client=client), threadpool_limits(1):
        scores = cross_val_predict(model, X, y, cv=splitter, method="predict_proba", n_jobs=-1)[:, 1]
    return pd.Series(scores, index=X.index, name="score")


# --------------------------------------------------------------------------------------------- clusters
def local_client(workers: int = 2, processes: bool = False, memory_limit: str | int = 0, dashboard: bool = False):
    """A ``distributed.Client`` on a new LocalCluster of ``workers`` workers with one thread each.

    ``processes=False`` (the lesson's choice) runs the workers as threads of this process: nothing to start,
    little memory (on Linux this module lets threads share two malloc arenas, so that each thread does not keep
    memory of its own), but Python code holds the GIL (NumPy and SciPy mostly release it). ``processes=True``
    starts one process per worker (each imports the libraries again: about 150 MB each). ``memory_limit``
    per worker (0: none; with threads every worker would see the whole process's memory). ``dashboard``
    serves the dashboard on a free port (needs bokeh; ``client.dashboard_link`` says where).
    Close it with ``client.close(); client.cluster.close()`` (or use it in a ``with`` block).
    """
    from distributed import Client, LocalCluster

    if int(workers) < 1:
        raise DataError(f"workers={workers!r}", "a cluster needs at least one worker", "Pass workers >= 1.")
    # the scheduler's web server always starts (on a free local port here); the dashboard pages only when asked
    cluster = LocalCluster(
        n_workers=int(workers), threads_per_worker=1, processes=processes, memory_limit=memory_limit,
        dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": bool(dashboard)},
    )  # fmt: skip
    return Client(cluster)


def _fewer_malloc_arenas(arenas: int = 2) -> None:
    """On Linux (glibc), let at most ``arenas`` memory arenas serve this process's threads. Each worker thread would
    otherwise get an arena of its own, and each keeps the memory of its largest task: with threads as workers that
    adds up to hundreds of MB the kernel never gives back. Elsewhere (or if glibc refuses) nothing changes."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").mallopt(-8, int(arenas))  # -8 is glibc's M_ARENA_MAX
        except (OSError, AttributeError):
            pass


_fewer_malloc_arenas()  # at import: threads that already exist keep their arenas

_WALLTIME = re.compile(r"(\d+-)?\d{1,3}:[0-5]\d:[0-5]\d")


def _slurm_options(cores, memory, walltime, queue, account, data_root, python) -> dict:
    from dask.utils import parse_bytes

    if not isinstance(cores, (int, np.integer)) or isinstance(cores, bool) or cores < 1:
        raise DataError(f"cores={cores!r}", "a worker job needs a whole number of cores, at least 1", "Pass cores=8.")
    try:
        if parse_bytes(str(memory)) <= 0:
            raise ValueError
    except (ValueError, TypeError):
        raise DataError(f"memory={memory!r}", "is not an amount of memory",
                        "Pass a number with a unit, e.g. '32GiB' or '16 GB'.") from None  # fmt: skip
    if not _WALLTIME.fullmatch(str(walltime)):
        raise DataError(f"walltime={walltime!r}", "is not a SLURM time limit",
                        "Write it as HH:MM:SS (or D-HH:MM:SS), e.g. '02:00:00'.")  # fmt: skip
    prologue = [f"export {ENV_VAR}={data_root}"] if data_root else []
    return dict(cores=int(cores), memory=str(memory), processes=1, walltime=str(walltime), queue=queue,
                account=account, python=python, job_script_prologue=prologue)  # fmt: skip


def slurm_job_script(
    cores: int, memory: str, walltime: str, queue: str | None = None, account: str | None = None,
    data_root: str | None = None, python: str = "python3", scheduler: str = "tcp://SCHEDULER:8786",
) -> str:  # fmt: skip
    """The batch script dask-jobqueue submits (``sbatch``) for one worker job with these resources, without a
    cluster or a scheduler: ``#SBATCH`` lines for the partition (``queue``), account, cores
    (``--cpus-per-task``), memory and time limit, ``export HEARTDATA_DIR=data_root`` so the loaders on the
    compute node read the full datasets on the cluster's file system, then the command that starts one Dask
    worker with ``cores`` threads and a memory limit. ``scheduler`` is the address the worker connects to
    (a running ``slurm_cluster`` fills in its own); ``python`` the interpreter on the compute nodes."""
    from dask_jobqueue.slurm import SLURMJob

    options = _slurm_options(cores, memory, walltime, queue, account, data_root, python)
    return SLURMJob(scheduler=scheduler, name="heartdata-worker", **options).job_script()


def slurm_cluster(
    cores: int, memory: str, walltime: str, queue: str | None = None, account: str | None = None,
    data_root: str | None = None, python: str = "python3", **kwargs,
):  # fmt: skip
    """A dask-jobqueue ``SLURMCluster`` whose worker jobs are ``slurm_job_script``'s (run it on the cluster's
    login node; ``cluster.scale(jobs=4)`` submits four jobs, ``Client(cluster)`` is what the functions of
    this module take). ``kwargs`` go to SLURMCluster (e.g. ``interface="ib0"``, ``log_directory``)."""
    from dask_jobqueue import SLURMCluster

    return SLURMCluster(**_slurm_options(cores, memory, walltime, queue, account, data_root, python), **kwargs)


# --------------------------------------------------------------------------------------------- copies
def replicate_ptbxl(dest: str | Path, n: int, fs: int = 100) -> Path:
    """A PTB-XL copy of ``n`` records at ``fs`` Hz under ``dest/ptbxl`` (a temporary folder of yours): record
    i repeats shipped record (i - 1) % m + 1, m being the shipped records at that rate, as ``make bench``
    builds its full-size copies. The data files are hard links to private copies where the file system
    allows (little disk), never to ``data/`` itself. Returns ``dest`` (pass it as ``root=``)."""
    dest = Path(dest)
    out = dest / "ptbxl"
    if out.resolve().is_relative_to(SHIPPED):
        raise DataError(out, "is inside the course's data/ folder", "Pass a temporary folder.")
    src = ptbxl.data_dir(None)
    have = list(available_ids(fs, None))
    meta = pd.read_csv(src / "ptbxl_database.csv", dtype=str, keep_default_na=False)
    meta = meta[meta["ecg_id"].astype(int).isin(have)]
    out.mkdir(parents=True)
    rows = meta.iloc[np.arange(int(n)) % len(meta)].copy()
    ids = np.arange(1, int(n) + 1)
    suffix = "lr" if fs == 100 else "hr"
    rows["ecg_id"] = ids
    for rate, sfx in ((100, "lr"), (500, "hr")):
        rows[ptbxl.FILENAME_COLUMN[rate]] = [f"records{rate}/{i // 1000 * 1000:05d}/{i:05d}_{sfx}" for i in ids]
    rows.to_csv(out / "ptbxl_database.csv", index=False)
    shutil.copy(src / "scp_statements.csv", out)
    originals = out / "originals"
    originals.mkdir()
    files = dict(zip(meta["ecg_id"].astype(int), meta[ptbxl.FILENAME_COLUMN[fs]], strict=True))
    heads = {}
    for k, rel in files.items():
        heads[k] = (src / f"{rel}.hea").read_text()
        shutil.copy(src / f"{rel}.dat", originals / f"{k:05d}.dat")
    for i, k in zip(ids, [have[j % len(have)] for j in range(int(n))], strict=True):
        folder = out / f"records{fs}" / f"{i // 1000 * 1000:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        old, new = Path(files[k]).name, f"{i:05d}_{suffix}"
        (folder / f"{new}.hea").write_text(heads[k].replace(old, new))
        try:
            os.link(originals / f"{k:05d}.dat", folder / f"{new}.dat")
        except OSError:
            shutil.copy(originals / f"{k:05d}.dat", folder / f"{new}.dat")
    return dest


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
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value:g} must be more than 0 seconds")
    return value


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
    ecg.add_argument("--timeout", type=_seconds, default=TIMEOUT, help="give up after this many seconds")
    ecg.add_argument("--connect-timeout", type=_seconds, default=10.0, help="seconds to reach --scheduler")
    job = commands.add_parser(
        "slurm-script",
        help="the job script dask-jobqueue would submit for one worker job (no cluster needed)",
        description="Print the SLURM batch script dask-jobqueue submits for one Dask worker job with these "
        "resources, without a cluster.",
    )
    job.add_argument("--cores", type=_positive, required=True, help="cores of the job (the worker's threads)")
    job.add_argument("--memory", required=True, help="memory of the job, e.g. 32GiB")
    job.add_argument("--walltime", required=True, help="time limit, HH:MM:SS")
    job.add_argument("--queue", help="SLURM partition")
    job.add_argument("--account", help="account (grant) to charge")
    job.add_argument("--data-root", help=f"the datasets' folder on the cluster's file system (${ENV_VAR})")
    job.add_argument("--python", default="python3", help="the interpreter on the compute nodes")
    return parser


def _run_ecg(args) -> dict:
    from distributed import Client

    out = Path(args.out).expanduser()
    if out.resolve().is_relative_to(SHIPPED):
        raise DataError(out, "is inside the course's data/ folder, which is never written to", "Choose another --out.")
    if not out.parent.is_dir():
        raise DataError(out.parent, "folder does not exist", "Create it, or choose another --out.")
    folder = ptbxl.data_dir(args.root)  # a root without PTB-XL is reported before any worker starts
    ids = available_ids(args.fs, folder)
    if not len(ids):
        raise DataError(folder, f"holds no PTB-XL record at {args.fs} Hz", "Download them, or choose another --fs.")
    if args.scheduler:
        try:
            client = Client(args.scheduler, timeout=args.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise DataError(
                f"--scheduler {args.scheduler}",
                f"cannot be reached ({exc.__class__.__name__})",
                "Check the address (tcp://HOST:PORT) and that the scheduler is running.",
            ) from None
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
        client = local_client(args.workers, processes=not args.threads, memory_limit="auto")
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
            "workers": workers, "fs": args.fs, "out": str(out)}  # fmt: skip


def main(argv: Iterable[str] | None = None) -> int:
    args = _parser().parse_args(None if argv is None else list(argv))
    try:
        if args.command == "slurm-script":
            print(slurm_job_script(args.cores, args.memory, args.walltime, args.queue, args.account,
                                   args.data_root, args.python), end="")  # fmt: skip
            return 0
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
