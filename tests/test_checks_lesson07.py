"""Lesson 07's checks: not attempted, the named mistakes, correct; never an error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, roc_auc_score
from sklearn.model_selection import GroupKFold, KFold

from heartdata import challenge2012, feedback, ptbxl
from heartdata.checks import lesson07


@pytest.fixture(scope="module")
def oof():
    return lesson07._oof_scores()


def test_event1(oof):
    _, y, score = oof
    t = 0.2
    tn, fp, fn, tp = confusion_matrix(y, score >= t).ravel()
    se, ppv = tp / (tp + fn), tp / (tp + fp)
    assert lesson07.event1(None, y, score, t).status == feedback.NOT_ATTEMPTED
    assert lesson07.event1(min(se, ppv), y, score, t).correct
    assert lesson07.event1(max(se, ppv), y, score, t).status == feedback.CLOSE
    assert "accuracy" in lesson07.event1((tp + tn) / len(y), y, score, t).message
    assert lesson07.event1("0.4", y, score, t).status == feedback.INCORRECT


def test_brier_nothing():
    y = challenge2012.load_outcomes("a")["In-hospital_death"]
    assert lesson07.brier_nothing(((y.mean() - y) ** 2).mean()).correct
    assert "0.5" in lesson07.brier_nothing(0.25).message
    assert "predicting 0" in lesson07.brier_nothing(y.mean()).message


def test_patient_folds():
    meta = ptbxl.load_metadata()
    good = pd.Series(-1, index=meta.index)
    for k, (_, idx) in enumerate(GroupKFold(5).split(meta, groups=meta["patient_id"])):
        good.iloc[idx] = k
    assert lesson07.patient_folds(good).correct
    leaky = pd.Series(-1, index=meta.index)
    for k, (_, idx) in enumerate(KFold(5, shuffle=True, random_state=0).split(meta)):
        leaky.iloc[idx] = k
    fb = lesson07.patient_folds(leaky)
    assert fb.status == feedback.CLOSE and "more than one fold" in fb.message
    assert lesson07.patient_folds(good.reset_index(drop=True)).status == feedback.INCORRECT
    assert lesson07.patient_folds([0, 1]).status == feedback.INCORRECT


def test_auroc_by_unit(oof):
    X, y, score = oof
    unit = X["ICUType"].map(challenge2012.ICU_TYPES)
    right = pd.Series({u: roc_auc_score(y[unit == u], score[unit == u]) for u in unit.unique()})
    fb = lesson07.auroc_by_unit(right)
    assert fb.correct and "Medical ICU" in fb.message
    assert "death rates" in lesson07.auroc_by_unit(y.groupby(unit).mean()).message
    by_code = right.rename(index={v: k for k, v in challenge2012.ICU_TYPES.items()})
    assert lesson07.auroc_by_unit(by_code).status == feedback.CLOSE
    wrong = right.copy()
    wrong.iloc[0] = 0.5
    assert lesson07.auroc_by_unit(wrong).status == feedback.INCORRECT


def test_died_after_discharge():
    out = challenge2012.load_outcomes("a")
    right = int(((out["Survival"] >= 0) & (out["In-hospital_death"] == 0)).sum())
    assert lesson07.died_after_discharge(right).correct
    assert lesson07.died_after_discharge(int((out["Survival"] >= 0).sum())).status == feedback.CLOSE
    assert lesson07.died_after_discharge(np.nan).status == feedback.INCORRECT


def test_more_named_mistakes(oof):
    _, y, score = oof
    t = 0.2
    alarm, dead = score >= t, y == 1
    specificity = (~alarm & ~dead).sum() / (~dead).sum()
    se = (alarm & dead).sum() / dead.sum()
    assert "specificity" in lesson07.event1(min(se, specificity), y, score, t).message
    labels = challenge2012.load_outcomes("a")["In-hospital_death"]
    assert "absolute" in lesson07.brier_nothing((labels.mean() - labels).abs().mean()).message
    out = challenge2012.load_outcomes("a")
    off_by_zero = int(((out["Survival"] > 0) & (out["In-hospital_death"] == 0)).sum())
    assert ">= 0" in lesson07.died_after_discharge(off_by_zero).message


def test_folds_message_shows_plain_numbers():
    meta = ptbxl.load_metadata()
    fb = lesson07.patient_folds(pd.Series(np.arange(len(meta)) % 5 + 1, index=meta.index))
    assert "np.int64" not in fb.message and "[1, 2, 3, 4, 5]" in fb.message
