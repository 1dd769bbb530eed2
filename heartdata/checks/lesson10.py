"""Checks for the exercises of lesson 10 (scaling up): expected values come from the data, the package's constants
and heartdata.scale itself, never typed in."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from .. import ptbxl, scale
from ..feedback import check_number, close, correct, exercise, incorrect

# ---- exercise 1: memory of a full dataset held at once --------------------------------------------------------


def _gib(records: int, samples: int, leads: int, nbytes: int, unit: float = 2**30) -> float:
    return records * samples * leads * nbytes / unit


@exercise
def signals_gib(answer):
    n = scale.FULL_SIZES["ptbxl"]
    samples, leads = ptbxl.N_SAMPLES[500], len(ptbxl.LEADS)
    return check_number(
        answer,
        _gib(n, samples, leads, 8),
        mistakes=[
            (
                _gib(n, ptbxl.N_SAMPLES[100], leads, 8),
                "that is the size at 100 Hz; at 500 Hz each lead has 5,000 samples in 10 s.",
            ),
            (
                _gib(n, samples, leads, 2),
                "2 bytes a value is the size of the files on disk (16-bit integers); "
                "load_signals returns 8-byte floats in mV.",
            ),
            (_gib(n, samples, leads, 4), "4 bytes is float32; load_signals returns float64, 8 bytes a value."),
            (_gib(n, samples, leads, 8, 1e9), "that is in GB (10^9 bytes); a GiB is 2**30 bytes."),
            (_gib(n, samples, 1, 8), "you counted one lead; every record has 12."),
        ],  # fmt: skip
        what="a number of GiB",
        hint="records × samples per lead × leads × bytes per value, divided by 2**30.",
        rel=1e-3,
    )


# ---- exercise 2: batches of records -----------------------------------------------------------------------------


@cache
def _ids() -> tuple[int, ...]:
    return tuple(int(i) for i in ptbxl.load_metadata().index)


@exercise
def batches(answer, size: int = 64):
    ids = list(_ids())
    expected = [ids[i : i + size] for i in range(0, len(ids), size)]
    try:
        got = [[int(i) for i in batch] for batch in answer]
    except TypeError:
        return incorrect(f"expected a list of batches, each a list of ecg_ids; got {type(answer).__name__}.")
    if got == expected:
        return correct(f"{len(got)} batches; the last holds the {len(expected[-1])} records left over.")
    flat = [i for b in got for i in b]
    if got == expected[:-1]:
        return close(
            f"the last {len(expected[-1])} records are missing: {len(ids)} is not a multiple of {size}, so the last "
            "batch is smaller. Keep it (range(0, len(ids), size) with slices does)."
        )
    if len(got) == size:
        return close(f"you made {size} batches; the exercise asks for batches of {size} records each.")
    if sorted(flat) == sorted(ids) and flat != ids:
        return close("every record is there, but not in order: keep the ecg_ids in the order of `ids`.")
    if len(flat) > len(ids) or len(set(flat)) < len(flat):
        return incorrect("some records are in more than one batch: batches must not overlap.")
    if any(len(b) != size for b in got[:-1]):
        return incorrect(f"every batch but the last should hold exactly {size} records.")
    return incorrect(f"expected {len(expected)} batches covering all {len(ids)} records in order.")


# ---- exercise 3: parallel efficiency ------------------------------------------------------------------------------


@exercise
def efficiency(answer, seconds_1: float, seconds_2: float, workers: int = 2):
    expected = seconds_1 / (workers * seconds_2)
    return check_number(
        answer,
        expected,
        mistakes=[
            (seconds_1 / seconds_2, "that is the speed-up; efficiency divides it by the number of workers."),
            (seconds_2 / seconds_1, "that is the inverse of the speed-up: time with 1 worker over time with 2."),
            (100 * expected, "store it as a fraction (0 to 1), not a percentage."),
        ],
        what="a fraction between 0 and 1",
        hint="speed-up = seconds with 1 worker / seconds with 2; efficiency = speed-up / 2.",
    )


# ---- exercise 4: the SLURM job -------------------------------------------------------------------------------------

JOB = {"cores": 16, "memory": "64GiB", "walltime": "06:00:00", "queue": "plgrid", "account": "plgheartdata-cpu",
       "data_root": "/net/storage/physionet"}  # fmt: skip


def _directives(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        m = re.match(r"#SBATCH\s+(--?[\w-]+)[=\s]?(.*)", line.strip())
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def _seconds(walltime: str) -> int | None:
    m = re.fullmatch(r"(?:(\d+)-)?(\d+):(\d+):(\d+)", walltime)
    if not m:
        return None
    d, h, mi, s = (int(v) if v else 0 for v in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


@exercise
def job_script(answer):
    if not isinstance(answer, str):
        return incorrect(f"expected the job script as a string (what slurm_job_script returns); got "
                         f"{type(answer).__name__}.")  # fmt: skip
    expected = _directives(scale.slurm_job_script(**JOB))
    got = _directives(answer)
    if not got:
        return incorrect("no #SBATCH lines found: pass the string that scale.slurm_job_script returns.")
    wall = got.get("-t", "")
    if re.fullmatch(r"\d+:\d+", wall):
        return close(f"SLURM reads a time limit of {wall!r} as minutes:seconds, so the job would stop after "
                     f"{wall.split(':')[0]} minutes. Write six hours as 06:00:00.")  # fmt: skip
    if _seconds(wall) != _seconds(expected["-t"]):
        return incorrect(f"the time limit is {wall or 'missing'}; the job needs 6 hours (06:00:00).")
    if got.get("--cpus-per-task") != expected["--cpus-per-task"]:
        return incorrect(f"the job asks for {got.get('--cpus-per-task', '1')} cores; it needs {JOB['cores']}.")
    if got.get("--mem") != expected["--mem"]:
        if got.get("--mem") == "4G":
            return close("4 GiB is the memory per core; --mem is the memory of the whole job: 64GiB.")
        return incorrect(f"the job's memory is {got.get('--mem', 'missing')}; it needs {JOB['memory']}.")
    if got.get("-p") != expected["-p"]:
        return incorrect(f"the partition (queue) should be {JOB['queue']!r}; it is {got.get('-p', 'missing')!r}.")
    if got.get("-A") != expected["-A"]:
        return incorrect(f"the account should be {JOB['account']!r}; it is {got.get('-A', 'missing')!r}.")
    if f"HEARTDATA_DIR={JOB['data_root']}" not in answer:
        return close("the resources are right, but the workers will not find the data: pass "
                     f"data_root={JOB['data_root']!r}, so the job exports HEARTDATA_DIR.")  # fmt: skip
    return correct("16 cores, 64 GiB and 6 hours on plgrid, charged to the account, with the data root exported.")


# ---- exercise 5: features at 500 Hz, on the workers ---------------------------------------------------------------


@cache
def _features_500() -> pd.DataFrame:
    return scale.ecg_features_serial(fs=500)


@exercise
def features_500(answer):
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame (what scale.ecg_features returns); got {type(answer).__name__}.")
    expected = _features_500()
    if len(answer) == len(scale.available_ids(100)) and len(answer) != len(expected):
        return close(f"{len(answer)} rows: these are the 100 Hz records. Pass fs=500 to get the "
                     f"{len(expected)} records this copy has at 500 Hz.")  # fmt: skip
    if list(answer.columns) != list(expected.columns):
        return incorrect(f"expected the columns of scale.FEATURES; got {list(answer.columns)[:5]}.")
    if len(answer) < len(expected) and answer.index.isin(expected.index).all():
        return close(f"only {len(answer)} of the {len(expected)} records: did you keep one batch only?")
    if not answer.index.equals(expected.index):
        return incorrect(f"expected one row per ecg_id {expected.index[0]}..{expected.index[-1]}, in order.")
    if not np.allclose(answer.to_numpy(float), expected.to_numpy(), equal_nan=True):
        return incorrect("the values differ from ecg_features_serial(fs=500): were they computed at 500 Hz?")
    return correct(f"{len(answer)} records at 500 Hz, the same table as one loop gives.")
