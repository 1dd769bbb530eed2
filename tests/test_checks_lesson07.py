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


def test_survival_zero_is_not_called_a_death_on_the_day_of_admission():
    out = challenge2012.load_outcomes("a")
    off_by_zero = int(((out["Survival"] > 0) & (out["In-hospital_death"] == 0)).sum())
    message = lesson07.died_after_discharge(off_by_zero).message
    assert "48 hours" in message and "day of admission" in message and "cannot" in message
    assert f"{int(out['Survival'].eq(0).sum())} stays with Survival 0" in message


# --------------------------------------------------------------------------------------------- QRS detector
def _detector(distance=0.3, height=0.35, band=True, unit="samples"):
    from scipy import signal

    def detect(x, fs):
        e = np.abs(signal.sosfiltfilt(signal.butter(2, [5, 15], btype="band", fs=fs, output="sos"), x)) if band else x
        limit = None if height is None else height * (np.percentile(e, 99) if height < 0.5 else e.max())
        peaks = signal.find_peaks(e, distance=int(distance * fs) if distance else None, height=limit)[0]
        if unit == "seconds":
            return peaks / fs
        if unit == "mask":
            mask = np.zeros(len(x), bool)
            mask[peaks] = True
            return mask
        return peaks

    return detect


def test_qrs_detector_against_the_reference_beats():
    fb = lesson07.qrs_detector(_detector())
    assert fb.correct and "sensitivity 1.0000" in fb.message
    assert lesson07.qrs_detector(lambda x, fs: None).status == feedback.NOT_ATTEMPTED
    assert lesson07.qrs_detector(3).status == feedback.INCORRECT
    several = lesson07.qrs_detector(_detector(distance=None))
    assert several.status == feedback.CLOSE and "0.3 s apart" in several.message
    unfiltered = lesson07.qrs_detector(_detector(band=False, height=None))
    assert unfiltered.status == feedback.CLOSE and "band-pass" in unfiltered.message
    high = lesson07.qrs_detector(_detector(height=0.8))
    assert high.status == feedback.CLOSE and "miss beats" in high.message
    assert "seconds" in lesson07.qrs_detector(_detector(unit="seconds")).message
    assert "mask" in lesson07.qrs_detector(_detector(unit="mask")).message
    assert lesson07.qrs_detector(lambda x, fs: np.zeros((3, 2))).status == feedback.INCORRECT


def test_detector_scores_match_wfdb():
    x, ref = lesson07._mitdb_100hz()
    assert lesson07.detector_scores(ref, ref)[:2] == (1.0, 1.0)
    se, ppv, missed, false = lesson07.detector_scores(ref[::2], ref)
    assert ppv == 1.0 and missed == len(ref) - len(ref[::2]) and false == 0
    assert lesson07.detector_scores([], ref) == (0.0, 0.0, len(ref), 0)


# --------------------------------------------------------------------------------------------- the ROC figure
def _roc_axes(y, score, swap=False, chance=True, xlabel="false-positive rate", ylabel="sensitivity", title="AUROC",
              binary=False):  # fmt: skip
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y, (score >= 0.2).astype(int) if binary else score)
    fig, ax = plt.subplots()
    ax.plot(*((tpr, fpr) if swap else (fpr, tpr)))
    if chance:
        ax.plot([0, 1], [0, 1], ls="--")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    plt.close(fig)
    return ax


def test_roc_figure(oof):
    _, y, score = oof
    assert lesson07.roc_figure(_roc_axes(y, score), y, score).correct
    assert lesson07.roc_figure(None, y, score).status == feedback.NOT_ATTEMPTED
    assert "swapped" in lesson07.roc_figure(_roc_axes(y, score, swap=True), y, score).message
    assert "chance" in lesson07.roc_figure(_roc_axes(y, score, chance=False), y, score).message
    assert "label" in lesson07.roc_figure(_roc_axes(y, score, xlabel=""), y, score).message
    assert "false-positive" in lesson07.roc_figure(_roc_axes(y, score, xlabel="threshold"), y, score).message
    assert "probabilities" in lesson07.roc_figure(_roc_axes(y, score, binary=True), y, score).message
    assert "title" in lesson07.roc_figure(_roc_axes(y, score, title=""), y, score).message
    assert lesson07.roc_figure("a plot", y, score).status == feedback.INCORRECT
