"""Every fact about the data that lesson 10 (and its practice notebook) states, recomputed through the package and
pinned. Timings are measurements of the machine, not facts about the data, and are not pinned here; the tables the
parallel runs produce are."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from threadpoolctl import threadpool_limits

from heartdata import challenge2012, cleaning, mortality, ptbxl, scale


@pytest.fixture(scope="module")
def client():
    c = scale.local_client(2)
    yield c
    c.close()
    c.cluster.close()


@pytest.fixture(scope="module")
def ecg(client):
    return scale.ecg_features_serial(), scale.ecg_features(client)


def test_records_shipped():
    # the lesson's header: 450 ECGs at 100 Hz, 60 at 500 Hz; set A's 4,000 stays
    assert len(scale.available_ids(100)) == 450
    assert scale.available_ids(500).tolist() == list(range(1, 61))
    assert len(challenge2012.load_outcomes("a")) == 4000


def test_ecg_features_on_dask_are_the_loops(ecg):
    serial, parallel = ecg
    assert parallel.equals(serial)
    hr = parallel["heart_rate_bpm"]
    assert round(hr.median()) == 71
    assert (round(hr.quantile(0.25)), round(hr.quantile(0.75))) == (62, 81)
    assert int((parallel["beats"] < 3).sum()) == 0


def test_features_at_500_hz():
    hi = scale.ecg_features_serial(fs=500)
    assert len(hi) == 60 and round(hi["heart_rate_bpm"].median()) == 75


def test_stays_and_cross_validation_on_dask(client):
    outcomes = challenge2012.load_outcomes("a")
    ids = np.sort(outcomes.index.to_numpy())
    quarter = ids[: len(ids) // 4]
    stays = cleaning.prepare(challenge2012.load_stays("a", record_ids=quarter))
    serial = cleaning.stay_features(cleaning.clean_stays(stays)[0])
    parallel = scale.stay_features(client, stays=stays)
    assert parallel.equals(serial)
    assert parallel.shape == (1000, 241)
    y = outcomes.loc[parallel.index, mortality.OUTCOME]
    on_dask = scale.cross_validate(client, parallel, y, "logistic", folds=5, seed=0)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    with threadpool_limits(1):
        one = cross_val_predict(mortality.make_model("logistic", 0), serial, y, cv=cv, method="predict_proba")[:, 1]
    assert np.max(np.abs(on_dask.to_numpy() - one)) < 1e-9
    assert round(roc_auc_score(y, on_dask), 3) == round(roc_auc_score(y, one), 3)
    assert round(roc_auc_score(y, on_dask), 3) == 0.738  # the first quarter of set A (1,000 stays)


def test_memory_figures(tmp_path):
    def gib(n, fs):
        return n * ptbxl.N_SAMPLES[fs] * len(ptbxl.LEADS) * 8 / 2**30

    full = scale.FULL_SIZES
    assert (full["ptbxl"], full["challenge2012"], full["mimic-iv-ecg"]) == (21_799, 12_000, 800_000)
    assert round(gib(full["ptbxl"], 100), 2) == 1.95
    assert round(gib(full["ptbxl"], 500), 1) == 9.7
    assert round(gib(full["ptbxl"], 500) / 2) == 5  # times Binder's 2 GiB
    assert round(gib(full["mimic-iv-ecg"], 500)) == 358
    copy = scale.replicate_ptbxl(tmp_path, scale.BATCH_SIZE, fs=500)  # the shipped slice has 60 records at 500 Hz
    batch = next(ptbxl.iter_signals(range(1, scale.BATCH_SIZE + 1), fs=500, root=copy))[1]
    assert round(batch.nbytes / 2**20) == 29


def test_the_lesson_runs_the_same_on_a_bigger_copy(tmp_path, client):
    root = scale.replicate_ptbxl(tmp_path, 1000)
    got = scale.ecg_features(client, root=root)
    first = scale.ecg_features_serial()
    # record i repeats shipped record (i - 1) % 450 + 1, so its features repeat too
    repeated = first.iloc[(np.arange(1000) % 450)].to_numpy()
    assert np.array_equal(got.to_numpy(), repeated, equal_nan=True)
    pd.testing.assert_index_equal(got.index, pd.Index(range(1, 1001), name="ecg_id"), exact=False)
