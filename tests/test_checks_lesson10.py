"""Lesson 10 checks: not attempted, the typical mistakes they name, and correct; they never raise."""

from __future__ import annotations

import pytest

from heartdata import feedback, ptbxl, scale
from heartdata.checks import lesson10

CHECKS = [lesson10.signals_gib, lesson10.batches, lesson10.job_script, lesson10.features_500]


@pytest.mark.parametrize("bad", ["124", {"a": 1}, object(), True, 3.5])
def test_checks_never_raise(bad):
    for check in CHECKS:
        fb = check(bad)
        assert fb.status in (feedback.INCORRECT, feedback.CLOSE), (check.__name__, bad, fb)
    assert lesson10.efficiency("x", 2.0, 1.0).status == feedback.INCORRECT
    for check in CHECKS:
        assert check(None).status == feedback.NOT_ATTEMPTED
    assert lesson10.efficiency(None, 2.0, 1.0).status == feedback.NOT_ATTEMPTED


def test_signals_gib():
    n, leads = scale.FULL_SIZES["ptbxl"], len(ptbxl.LEADS)
    assert lesson10.signals_gib(n * 5000 * leads * 8 / 2**30).correct
    assert "100 Hz" in lesson10.signals_gib(n * 1000 * leads * 8 / 2**30).message
    assert "on disk" in lesson10.signals_gib(n * 5000 * leads * 2 / 2**30).message
    assert "float32" in lesson10.signals_gib(n * 5000 * leads * 4 / 2**30).message
    assert "GiB is 2**30" in lesson10.signals_gib(n * 5000 * leads * 8 / 1e9).message
    assert "one lead" in lesson10.signals_gib(n * 5000 * 8 / 2**30).message
    assert lesson10.signals_gib(1.0).status == feedback.INCORRECT


def test_batches():
    ids = list(ptbxl.load_metadata().index)
    good = [ids[i : i + 64] for i in range(0, len(ids), 64)]
    assert lesson10.batches(good).correct
    dropped = [ids[i : i + 64] for i in range(0, len(ids) - 63, 64)]
    fb = lesson10.batches(dropped)
    assert fb.status == feedback.CLOSE and "missing" in fb.message
    import numpy as np

    fb = lesson10.batches([list(b) for b in np.array_split(ids, 64)])
    assert fb.status == feedback.CLOSE and "64 batches" in fb.message
    fb = lesson10.batches([list(reversed(b)) for b in good])
    assert fb.status == feedback.CLOSE and "order" in fb.message
    fb = lesson10.batches([ids[i : i + 64] for i in range(0, len(ids), 32)])
    assert fb.status == feedback.INCORRECT and "overlap" in fb.message


def test_efficiency():
    assert lesson10.efficiency(3.0 / (2 * 2.0), 3.0, 2.0).correct
    fb = lesson10.efficiency(1.5, 3.0, 2.0)
    assert fb.status == feedback.CLOSE and "speed-up" in fb.message
    assert "inverse" in lesson10.efficiency(2.0 / 3.0, 3.0, 2.0).message
    assert "percentage" in lesson10.efficiency(75.0, 3.0, 2.0).message


def _script(**change):
    job = {**lesson10.JOB, **change}
    return scale.slurm_job_script(**job)


def test_job_script():
    assert lesson10.job_script(_script()).correct
    fb = lesson10.job_script(_script(walltime="06:00:00").replace("-t 06:00:00", "-t 06:00"))
    assert fb.status == feedback.CLOSE and "minutes" in fb.message
    assert lesson10.job_script(_script(walltime="01:00:00")).status == feedback.INCORRECT
    assert lesson10.job_script(_script(walltime="0-06:00:00")).correct  # the same six hours
    fb = lesson10.job_script(_script().replace("--mem=64G", "--mem=4G"))
    assert fb.status == feedback.CLOSE and "per core" in fb.message
    assert "cores" in lesson10.job_script(_script(cores=1)).message
    assert "partition" in lesson10.job_script(_script(queue=None)).message
    assert "account" in lesson10.job_script(_script(account=None)).message
    fb = lesson10.job_script(_script(data_root=None))
    assert fb.status == feedback.CLOSE and "HEARTDATA_DIR" in fb.message
    assert lesson10.job_script("echo hello").status == feedback.INCORRECT


def test_features_500():
    with scale.local_client(2) as client:
        right = scale.ecg_features(client, fs=500)
        wrong_rate = scale.ecg_features(client, fs=100)
        client.cluster.close()
    assert lesson10.features_500(right).correct
    fb = lesson10.features_500(wrong_rate)
    assert fb.status == feedback.CLOSE and "fs=500" in fb.message
    fb = lesson10.features_500(right.iloc[:16])
    assert fb.status == feedback.CLOSE and "one batch" in fb.message
    assert lesson10.features_500(right.drop(columns="beats")).status == feedback.INCORRECT
    assert lesson10.features_500(right * 2).status == feedback.INCORRECT
