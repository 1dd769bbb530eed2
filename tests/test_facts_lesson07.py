"""Every fact lesson 07 states, recomputed through the package and pinned (pinned environment, fixed seeds)."""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from heartdata import challenge2012, mortality, ptbxl


@pytest.fixture(scope="module")
def set_a():
    X, y, saps = mortality.load_features("a")
    cv = {kind: mortality.cross_validate(X, y, kind=kind, folds=5, seed=0, saps=saps) for kind in mortality.KINDS}
    return X, y, saps, cv


def test_data_and_clinical_baseline(set_a):
    X, y, saps, _ = set_a
    assert X.shape == (4000, 241) and int(y.sum()) == 554
    known = saps.notna()
    assert int(known.sum()) == 3810
    assert round(roc_auc_score(y[known], saps[known]), 3) == 0.650


def test_cross_validated_models(set_a):
    *_, cv = set_a
    got = {k: tuple(round(cv[k][1][m], 3) for m in ("auroc", "auprc", "brier", "event1")) for k in cv}
    assert got == {"logistic": (0.829, 0.453, 0.098, 0.422), "boosting": (0.844, 0.480, 0.093, 0.448)}
    y = set_a[1]
    assert round(y.mean() * (1 - y.mean()), 3) == 0.119, "Brier of predicting the death rate"


def test_survival_is_not_the_label_and_leaks(set_a):
    X, y, _, cv = set_a
    out = challenge2012.load_outcomes("a").reindex(X.index)
    assert int((out["Survival"] >= 0).sum()) == 1474
    assert int(((out["Survival"] >= 0) & (y == 0)).sum()) == 920
    _, leaky = mortality.cross_validate(X.assign(Survival=out["Survival"]), y, kind="boosting", folds=5, seed=0)
    assert leaky["auroc"] > 0.98 > cv["boosting"][1]["auroc"]


def test_missingness_alone_predicts(set_a):
    X, y, _, cv = set_a
    cols = [c for c in X.columns if c.endswith("_count")] + ["MechVent_any"]
    assert len(cols) == 41
    _, counts_only = mortality.cross_validate(X[cols], y, kind="logistic", folds=5, seed=0)
    assert round(counts_only["auroc"], 3) == 0.711
    assert 0.650 < counts_only["auroc"] < cv["logistic"][1]["auroc"]


def test_subgroups_weakest_is_medical_icu(set_a):
    X, y, _, cv = set_a
    score = cv["boosting"][0]
    unit = X["ICUType"].map(challenge2012.ICU_TYPES)
    by_unit = {u: roc_auc_score(y[unit == u], score[unit == u]) for u in unit.unique()}
    assert min(by_unit, key=by_unit.get) == "Medical ICU" and round(by_unit["Medical ICU"], 2) == 0.79
    assert (int((unit == "Medical ICU").sum()), int(y[unit == "Medical ICU"].sum())) == (1481, 275)


def test_ptbxl_normal_label_and_split():
    meta = ptbxl.load_metadata()
    normal = meta["scp_codes"].map(lambda t: "NORM" in ast.literal_eval(t))
    assert int(normal.sum()) == 271
    test = meta["strat_fold"] >= 9
    assert int(test.sum()) == 138 and int(normal[test].sum()) == 68
    assert int((meta["patient_id"].value_counts() > 1).sum()) == 22
    # every patient's ECGs sit in one strat_fold: the dataset's split is patient-level
    assert meta.groupby("patient_id")["strat_fold"].nunique().max() == 1


def test_age_alone_is_a_strong_baseline():
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    meta = ptbxl.load_metadata()
    normal = meta["scp_codes"].map(lambda t: "NORM" in ast.literal_eval(t)).astype(int)
    test = meta["strat_fold"] >= 9
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(meta.loc[~test, ["age"]], normal[~test])
    auroc = roc_auc_score(normal[test], model.predict_proba(meta.loc[test, ["age"]])[:, 1])
    assert round(auroc, 3) == 0.783


def test_simple_detector_agrees_with_xqrs_at_500_hz():
    import wfdb.processing
    from scipy import signal

    meta = ptbxl.load_metadata()
    ids = meta.index[:30]
    low, high = ptbxl.load_signals(ids, fs=100), ptbxl.load_signals(ids, fs=500)
    band = signal.butter(2, [5, 15], btype="band", fs=100, output="sos")
    energy = np.abs(signal.sosfiltfilt(band, low, axis=1)).sum(axis=2)
    ours = np.array([len(signal.find_peaks(e, distance=30, height=0.35 * np.percentile(e, 99))[0]) for e in energy])
    ref = np.array([len(wfdb.processing.xqrs_detect(high[k, :, 1], fs=500, verbose=False)) for k in range(30)])
    x100 = np.array([len(wfdb.processing.xqrs_detect(low[k, :, 1], fs=100, verbose=False)) for k in range(30)])
    assert int((abs(ours - ref) <= 1).sum()) == 27
    assert int((abs(x100 - ref) <= 1).sum()) == 12 and int((x100 - ref).max()) == 14
    assert pd.Series(ours).between(5, 25).all()
