"""Lesson 07's checks, walked through as a student would: for every exercise the warned mistake, two other plausible
wrong answers and a right answer written another way, each with its status and what the message names; plus not
attempted, answers of the wrong kind, answers copied from the lesson, and the student's objects left unchanged."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, KFold

from heartdata import challenge2012, feedback, ptbxl
from heartdata.checks import lesson07
from heartdata.plotting import COLOURS

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CLOSE, CORRECT, INCORRECT, NOT_ATTEMPTED = feedback.CLOSE, feedback.CORRECT, feedback.INCORRECT, feedback.NOT_ATTEMPTED


def said(fb, status, *words):
    assert fb.status == status, fb
    for word in words:
        assert word in fb.message, (word, fb.message)
    return fb


@pytest.fixture(scope="module")
def oof():
    return lesson07._oof_scores()


# --------------------------------------------------------------------------------------------- exercise 1
def rates(y, score, t, strict=False):
    alarm, dead = (score > t) if strict else (score >= t), y == 1
    se = (alarm & dead).sum() / dead.sum()
    ppv = (alarm & dead).sum() / alarm.sum()
    spec = (~alarm & ~dead).sum() / (~dead).sum()
    return se, ppv, spec, (alarm == dead).mean()


def test_event1_walkthrough(oof):
    _, y, score = oof
    t = 0.2
    se, ppv, spec, accuracy = rates(y, score, t)
    assert np.isclose(max(se, ppv), min(se, spec))  # at this threshold both mistakes give the sensitivity
    # the warned mistake, max(se, ppv), is not called "specificity": the message names both ways to get it
    fb = said(lesson07.event1(max(se, ppv), y, score, t), CLOSE, "sensitivity alone", "larger", "specificity")
    assert not fb.message.startswith("you used specificity")
    said(lesson07.event1(accuracy, y, score, t), CLOSE, "accuracy")
    said(lesson07.event1((se + ppv) / 2, y, score, t), CLOSE, "mean of sensitivity and PPV")
    # right, written another way: from a confusion matrix, as a numpy scalar
    from sklearn.metrics import confusion_matrix

    tn, fp, fn, tp = confusion_matrix(y, score >= t).ravel()
    said(lesson07.event1(np.float64(min(tp / (tp + fn), tp / (tp + fp))), y, score, t), CORRECT)


def _setup(monkeypatch, y, s, t=0.5):
    """Make the check's "setup data" the small example (the checks compute the truth from the setup's data)."""
    monkeypatch.setattr(lesson07, "_setup_inputs", lambda: (pd.Series(y), pd.Series(s, dtype=float)))
    monkeypatch.setattr(lesson07, "EVENT1_THRESHOLD", t)


def test_event1_names_specificity_only_where_it_is_what_the_answer_is(monkeypatch):
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    s = np.array([0.9, 0.8, 0.3, 0.1, 0.7, 0.6, 0.2, 0.2, 0.1, 0.05])
    _setup(monkeypatch, y, s)
    se, ppv, spec, _ = rates(y, s, 0.5)  # se 0.5, ppv 0.5, spec 4/6: every mistake gives its own number
    said(lesson07.event1(min(se, spec), y, s, 0.5), CORRECT)  # min(se, spec) = se = the right answer here
    y2 = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    s2 = np.array([0.9, 0.8, 0.7, 0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    _setup(monkeypatch, y2, s2)
    se, ppv, spec, _ = rates(y2, s2, 0.5)  # se 1, ppv 0.75, spec 6/7
    said(lesson07.event1(min(se, spec), y2, s2, 0.5), CLOSE, "you used specificity")
    said(lesson07.event1(max(se, ppv), y2, s2, 0.5), CLOSE, "larger of sensitivity and PPV")


def test_event1_strict_alarm_and_kinds(oof, monkeypatch):
    _, y, score = oof
    t = float(np.round(np.quantile(score, 0.8), 2))
    strict = rates(y, score, t, strict=True)
    right = min(rates(y, score, t)[:2])
    monkeypatch.setattr(lesson07, "EVENT1_THRESHOLD", t)
    if not np.isclose(min(strict[:2]), right):
        said(lesson07.event1(min(strict[:2]), y, score, t), CLOSE, ">= t")
    monkeypatch.undo()
    said(lesson07.event1("0.4", y, score, 0.2), INCORRECT, "without quotes")
    said(lesson07.event1([0.4, 0.5], y, score, 0.2), INCORRECT, "one value")
    said(lesson07.event1(None, y, score, 0.2), NOT_ATTEMPTED)


def test_walkthrough9_event1_truth_comes_from_the_setup_not_from_the_inputs(oof):
    """Walkthrough 9, P2: with the cell edited to t = 0.5, or `score` replaced by `y`, the check computed the truth
    from what it was passed and ticked a wrong number; the truth now comes from the setup, and the message says
    which input differs."""
    _, y, score = oof
    right = min(rates(y, score, 0.2)[:2])
    at_half = min(rates(y, score, 0.5)[:2])
    fb = said(lesson07.event1(at_half, y, score, 0.5), CLOSE, "inputs you passed", "your `t` is 0.5", "t = 0.2")
    assert "well done" not in fb.message
    # score replaced by y: Event 1 is 1.0, named as the labels
    said(lesson07.event1(1.0, y, y, 0.2), CLOSE, "inputs you passed", "it is the labels `y`")
    # a wrong value that is not what the edited inputs give either: not it, and the edit is said. The value is chosen
    # away from every number the check knows (a fixed 0.5 became the mean of sensitivity and PPV at t = 0.2 once lesson
    # 06's cleaning changed the scores)
    known = [right, at_half]
    for t in (0.2, 0.5):
        se, ppv, spec, accuracy = rates(y, score, t)
        known += [se, ppv, spec, accuracy, (se + ppv) / 2, min(rates(y, score, t, strict=True)[:2])]
    wrong = max(np.linspace(0.05, 0.95, 91), key=lambda v: min(abs(v - k) for k in known))
    assert min(abs(wrong - k) for k in known) > 0.02
    said(lesson07.event1(wrong, y, score, 0.5), INCORRECT, "is not it", "your `t` is 0.5")
    # right, with right inputs written other ways: numpy arrays, a Series in another order, t as a numpy float
    said(lesson07.event1(right, y.to_numpy(), score.to_numpy(), np.float64(0.2)), CORRECT, "well done")
    said(lesson07.event1(right, y.sample(frac=1, random_state=0), score, 0.2), CORRECT)
    said(lesson07.event1(right), CORRECT)
    # right value, inputs changed afterwards: still right, and told
    said(lesson07.event1(right, y, score, 0.5), CORRECT, "right for the setup's data", "your `t` is 0.5")


# --------------------------------------------------------------------------------------------- exercise 2
def test_brier_skill_walkthrough(oof):
    _, y, score = oof
    brier, nothing = ((score - y) ** 2).mean(), ((y.mean() - y) ** 2).mean()
    right = 1 - brier / nothing
    # the warned mistake: the reference is predicting the death rate, not 0.5
    said(lesson07.brier_skill(1 - brier / 0.25, y, score), CLOSE, "0.25")
    said(lesson07.brier_skill(brier / nothing, y, score), CLOSE, "ratio")
    said(lesson07.brier_skill(1 - nothing / brier, y, score), CLOSE, "upside down")
    said(lesson07.brier_skill(100 * right, y, score), CLOSE, "percentage")
    # a value typed from the lesson's rounded table (0.098 and 0.119) is not the skill of this model
    said(lesson07.brier_skill(1 - 0.098 / 0.119, y, score), INCORRECT, "not it")
    # right, written another way: with scikit-learn's brier_score_loss
    from sklearn.metrics import brier_score_loss

    other = 1 - brier_score_loss(y, score) / brier_score_loss(y, np.full(len(y), y.mean()))
    said(lesson07.brier_skill(other, y, score), CORRECT)


def test_review_rev0607b_sample_variance_as_the_reference_brier_is_named(oof):
    """Review rev0607b, finding 12: `y.var()` (pandas, ddof=1) as the reference Brier score got a generic "is not
    it"; it is named: the reference is p(1 - p), the population variance, while pandas' var() divides by n - 1."""
    _, y, score = oof
    brier = ((score - y) ** 2).mean()
    p = y.mean()
    assert y.var() > p * (1 - p)  # dividing by n - 1 gives a larger reference than p(1 - p)
    fb = said(lesson07.brier_skill(1 - brier / y.var(), y, score), CLOSE, "`y.var()`", "p(1 - p)",
              "population variance", "n - 1", f"{p * (1 - p):.6f}", f"{y.var():.6f}")  # fmt: skip
    assert "is not it" not in fb.message
    # the population variance, written three ways, is the right reference
    for reference in (p * (1 - p), np.var(y), y.var(ddof=0)):
        said(lesson07.brier_skill(1 - brier / reference, y, score), CORRECT)


def test_walkthrough9_brier_skill_of_an_overwritten_score_is_not_ticked(oof):
    """Walkthrough 9, P2: `score` overwritten in an earlier cell by 0/1 alarms gave a skill of -0.58 that the check,
    computing from the `score` it was passed, ticked."""
    _, y, score = oof
    alarms = (score >= 0.2).astype(float)
    wrong = 1 - ((alarms - y) ** 2).mean() / ((y.mean() - y) ** 2).mean()
    fb = said(lesson07.brier_skill(wrong, y, alarms), CLOSE, "inputs you passed", "only 0s and 1s", "setup cell")
    assert "well done" not in fb.message
    said(lesson07.brier_skill(wrong, y, score), INCORRECT, "is not it")  # the same number with the real score
    right = 1 - ((score - y) ** 2).mean() / ((y.mean() - y) ** 2).mean()
    said(lesson07.brier_skill(right, y, alarms), CORRECT, "right for the setup's data", "only 0s and 1s")
    said(lesson07.brier_skill(right, y.to_numpy(), score.to_numpy()), CORRECT, "well done")


# --------------------------------------------------------------------------------------------- exercise 3
def test_patient_folds_walkthrough():
    meta = ptbxl.load_metadata()
    leaky = pd.Series(-1, index=meta.index)
    for k, (_, idx) in enumerate(KFold(5, shuffle=True, random_state=0).split(meta)):
        leaky.iloc[idx] = k
    said(lesson07.patient_folds(leaky), CLOSE, "more than one fold", "GroupKFold")  # the warned mistake
    said(lesson07.patient_folds(pd.Series(np.arange(len(meta)) % 5 + 1, index=meta.index)), INCORRECT,
         "[1, 2, 3, 4, 5]")  # fmt: skip
    good = pd.Series(-1, index=meta.index)
    for k, (_, idx) in enumerate(GroupKFold(5).split(meta, groups=meta["patient_id"])):
        good.iloc[idx] = k
    said(lesson07.patient_folds(good.reset_index(drop=True)), INCORRECT, "indexed like `meta`")
    said(lesson07.patient_folds([0, 1]), INCORRECT, "Series")
    said(lesson07.patient_folds(good), CORRECT, "no patient is in two folds")
    # right, written other ways: a dict ecg_id -> fold, the Series in another order, a one-column DataFrame
    said(lesson07.patient_folds(good.to_dict()), CORRECT)
    said(lesson07.patient_folds(good.sample(frac=1, random_state=1)), CORRECT)
    said(lesson07.patient_folds(good.to_frame("fold")), CORRECT)
    said(lesson07.patient_folds(iter(good)), INCORRECT, "use it up")
    # review r15-s68 07 defect 3: the splits' generator was told "make a list first", and that list was then refused
    # as "not a Series": both messages now say what the prompt asks for, a Series of fold numbers
    splits = GroupKFold(5).split(meta, groups=meta["patient_id"])
    fb = said(lesson07.patient_folds(splits), INCORRECT, "use it up", "pandas Series `fold`", "fold.iloc[test] = k")
    assert "list(" not in fb.message and len(list(splits)) == 5  # not consumed
    fb = said(lesson07.patient_folds(list(GroupKFold(5).split(meta, groups=meta["patient_id"]))), INCORRECT,
              "the 5 splits themselves", "pandas Series `fold`")  # fmt: skip


# --------------------------------------------------------------------------------------------- exercise 4
def test_oe_by_unit_walkthrough(oof):
    X, y, score = oof
    unit = X["ICUType"].map(challenge2012.ICU_TYPES)
    deaths, expected = y.groupby(unit).sum(), score.groupby(unit).sum()
    said(lesson07.oe_by_unit(expected / deaths), CLOSE, "expected over observed")  # the warned mistake
    said(lesson07.oe_by_unit(y.groupby(unit).mean()), CLOSE, "death rates")
    said(lesson07.oe_by_unit(score.groupby(unit).mean()), CLOSE, "mean predicted risks")
    said(lesson07.oe_by_unit(deaths / score.sum()), CLOSE, "all the stays")
    by_code = (deaths / expected).rename(index={v: k for k, v in challenge2012.ICU_TYPES.items()})
    said(lesson07.oe_by_unit(by_code), CLOSE, "name, not its code")
    # copied from the lesson: its AUROCs per unit are not O/E
    aurocs = pd.Series({u: roc_auc_score(y[unit == u], score[unit == u]) for u in unit.unique()})
    said(lesson07.oe_by_unit(aurocs), INCORRECT, "differs")
    # right, written other ways: a dict; a DataFrame column from a groupby-agg
    said(lesson07.oe_by_unit((deaths / expected).to_dict()), CORRECT, "O/E runs from")
    table = pd.DataFrame({"y": y, "risk": score, "unit": unit}).groupby("unit").agg(O=("y", "sum"), E=("risk", "sum"))
    said(lesson07.oe_by_unit((table["O"] / table["E"]).to_frame("oe")), CORRECT)


def test_r12_oe_by_unit_leaves_the_intervals_to_the_next_cells(oof):
    """Walkthrough r12-s68, 07 ex4: the correct message printed every unit's exact 95% Poisson interval and the
    conclusion, which the next two cells ask the student to compute and write. It now gives the O/E range and a
    caution only (review rev0607's point, that O/E below 1 is not yet "risks too high", stays in it)."""
    from scipy.stats import chi2

    X, y, score = oof
    unit = X["ICUType"].map(challenge2012.ICU_TYPES)
    deaths, expected = y.groupby(unit).sum(), score.groupby(unit).sum()
    oe = deaths / expected
    fb = said(lesson07.oe_by_unit(oe), CORRECT, f"{oe.min():.2f} ({oe.idxmin()})", f"{oe.max():.2f} ({oe.idxmax()})",
              "next cell", f"{deaths.min():.0f} deaths ({deaths.idxmin()}", "not yet read a value below 1")
    low, high = chi2.ppf(0.025, 2 * deaths) / 2 / expected, chi2.ppf(0.975, 2 * (deaths + 1)) / 2 / expected
    for u in deaths.index:
        assert f"{low[u]:.2f} to {high[u]:.2f}" not in fb.message
    assert "interval" not in fb.message and "includes 1" not in fb.message


def test_walkthrough9_oe_rounded_is_named_rounded(oof):
    """Walkthrough 9, P3: O/E rounded to 2 decimals got "O/E differs for all four units"."""
    X, y, score = oof
    unit = X["ICUType"].map(challenge2012.ICU_TYPES)
    oe = y.groupby(unit).sum() / score.groupby(unit).sum()
    said(lesson07.oe_by_unit({k: round(v, 2) for k, v in oe.items()}), CLOSE, "rounded to 2 decimals", "unrounded")
    said(lesson07.oe_by_unit(oe.round(4)), CLOSE, "rounded to 4 decimals")
    said(lesson07.oe_by_unit(oe + 0.01), INCORRECT, "differs")


# --------------------------------------------------------------------------------------------- exercise 5
def test_days_after_discharge_walkthrough():
    out = challenge2012.load_outcomes("a")
    s, los, died = out["Survival"], out["Length_of_stay"], out["In-hospital_death"]
    after = (s > los) & (los >= 0) & (died == 0)
    right = (s - los)[after].median()
    # the warned mistake: Survival counts from ICU admission, not from discharge
    said(lesson07.days_to_death_after_discharge(s[after].median()), CLOSE, "median of Survival", "Length_of_stay")
    said(lesson07.days_to_death_after_discharge((s - los)[(s > los) & (died == 0)].median()), CLOSE, "-1")
    said(lesson07.days_to_death_after_discharge((s - los)[(s >= 0) & (died == 0)].median()), CLOSE, "136022")
    said(lesson07.days_to_death_after_discharge((s - los)[after].mean()), CLOSE, "the mean")
    # copied from the lesson: 910 is a count of stays, not a number of days
    said(lesson07.days_to_death_after_discharge(910), INCORRECT, "not it")
    # right, written another way: with query and numpy
    rows = out.query("`In-hospital_death` == 0 and Survival > Length_of_stay and Length_of_stay >= 0")
    said(lesson07.days_to_death_after_discharge(np.median(rows["Survival"] - rows["Length_of_stay"])), CORRECT)
    assert right == 325


# --------------------------------------------------------------------------------------------- exercise 6
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


def test_qrs_detector_walkthrough():
    # the warned mistake: peaks found without filtering or spacing, several per beat
    fb = said(lesson07.qrs_detector(_detector(distance=None)), CLOSE, "several per beat", "0.3 s apart",
              "less than 250 ms apart")
    assert "band-pass" not in fb.message  # walkthrough r27: this detector filters; only the spacing is missing
    fb = said(lesson07.qrs_detector(_detector(band=False, height=None)), CLOSE, "band-pass", "T wave",
              "none are closer than 250 ms")
    assert "0.3 s apart" not in fb.message  # it spaces its peaks (distance 0.3 s); the filter is missing
    said(lesson07.qrs_detector(_detector(height=0.8)), CLOSE, "miss beats")
    said(lesson07.qrs_detector(_detector(unit="seconds")), CLOSE, "seconds")
    said(lesson07.qrs_detector(_detector(unit="mask")), CLOSE, "mask")
    # right, written another way: a list of Python ints
    fb = said(lesson07.qrs_detector(lambda x, fs: [int(p) for p in _detector()(x, fs)]), CORRECT, "minute 5")
    assert "EC57" in fb.message
    said(lesson07.qrs_detector(lambda x, fs: None), NOT_ATTEMPTED, "detect_qrs")
    said(lesson07.qrs_detector(3), INCORRECT, "function itself")
    said(lesson07.qrs_detector(lambda x, fs: np.zeros((3, 2))), INCORRECT, "one-dimensional")


def test_r12_detector_returning_the_filtered_signal_or_a_generator_is_named():
    """Walkthrough r12-s68, 07 ex6: a detector returning the band-passed signal (one float per sample) was told "these
    look like times in seconds"; one returning a generator was told "yours has shape ()"."""
    from scipy import signal

    def band(x, fs):
        return np.abs(signal.sosfiltfilt(signal.butter(2, [5, 15], btype="band", fs=fs, output="sos"), x))

    n = len(lesson07._mitdb_lead("MLII"))
    fb = said(lesson07.qrs_detector(band), CLOSE, "returned a signal", f"{n:,} values", "positions of the beats")
    assert "seconds" not in fb.message
    said(lesson07.qrs_detector(lambda x, fs: band(x, fs) * -1), CLOSE, "returned a signal")  # not |.|: any sign
    said(lesson07.qrs_detector(lambda x, fs: np.arange(len(x))), CLOSE, "returned a signal", "whole numbers")
    fb = said(lesson07.qrs_detector(lambda x, fs: (int(i) for i in _detector()(x, fs))), INCORRECT, "generator",
              "one-use iterator", "list")
    assert "shape" not in fb.message
    # the right beats, as a list or an array, still pass
    said(lesson07.qrs_detector(lambda x, fs: list(_detector()(x, fs))), CORRECT)


def test_qrs_detector_refuses_raw_find_peaks():
    """Student walkthrough, finding 10: on MLII as recorded (the lesson's lead) `find_peaks` on the raw signal scores
    0.9995/0.9995 and passed; the check now also runs V5 and both leads upside down, and names what fails."""
    from scipy import signal

    def raw(x, fs):  # the student's: no filter, a height from the raw signal
        return signal.find_peaks(x, height=0.5 * np.percentile(x, 99))[0]

    se, ppv, _, _ = lesson07.detector_scores(raw(lesson07._mitdb_lead("MLII"), 100))
    assert se >= lesson07.DETECTOR_BAR and ppv >= lesson07.DETECTOR_BAR  # what made the old check pass it
    said(lesson07.qrs_detector(raw), CLOSE, "On V5", "miss beats")
    # raw peaks tuned to pass both upright leads still look for upward peaks only
    def spaced(x, fs):
        return signal.find_peaks(x, height=0.3 * np.percentile(x, 99), distance=int(0.3 * fs))[0]

    said(lesson07.qrs_detector(spaced), CLOSE, "upside down", "absolute value")
    said(lesson07.qrs_detector(_detector(band=True, distance=0.3, height=0.35, unit="samples")), CORRECT, "V5")
    # right, written another way: the squared band-passed signal
    def squared(x, fs):
        e = signal.sosfiltfilt(signal.butter(3, [5, 15], btype="band", fs=fs, output="sos"), x) ** 2
        return signal.find_peaks(e, height=0.1 * np.percentile(e, 99.9), distance=int(0.25 * fs))[0]

    said(lesson07.qrs_detector(squared), CORRECT, "whichever way")


def _band(x, fs):
    from scipy import signal

    return signal.sosfiltfilt(signal.butter(2, [5, 15], btype="band", fs=fs, output="sos"), x)


def test_walkthrough9_a_detector_without_the_absolute_value_is_caught_at_any_threshold():
    """Walkthrough 9, P1: the recipe without `abs`, at 0.5 x the 99th percentile (and with the sign flipped), passed
    all four signals and was told it works "whichever way the QRS points": a band-passed QRS has an upward and a
    downward lobe, and the 150 ms window accepts either. Upside down it marks the other lobe, 40 ms away."""
    from scipy import signal

    def no_abs(fraction, sign=1):
        def detect(x, fs):
            f = sign * _band(x, fs)
            return signal.find_peaks(f, height=fraction * np.percentile(f, 99), distance=int(0.3 * fs))[0]

        return detect

    for fraction in (0.4, 0.5):
        for sign in (1, -1):
            fb = said(lesson07.qrs_detector(no_abs(fraction, sign)), CLOSE, "upside down", "40 ms", "absolute value")
            assert "whichever way the QRS points" not in fb.message
    said(lesson07.qrs_detector(no_abs(0.3)), CLOSE, "upside down", "absolute value")  # fails EC57 upside down
    # the recipe with abs: the same beats both ways, and the message says it was verified
    def with_abs(x, fs):
        f = np.abs(_band(x, fs))
        return signal.find_peaks(f, height=0.5 * np.percentile(f, 99), distance=int(0.3 * fs))[0]

    said(lesson07.qrs_detector(with_abs), CORRECT, "same beats, in the same places", "whichever way the QRS points")
    # right, written another way: derivative squared and a 120 ms moving window (Pan-Tompkins), a list
    def pan_tompkins(x, fs):
        f = _band(x - np.median(x), fs)
        e = np.convolve(np.diff(f, prepend=f[0]) ** 2, np.ones(int(0.12 * fs)) / int(0.12 * fs), mode="same")
        return list(signal.find_peaks(e, height=0.1 * np.percentile(e, 99), distance=int(0.3 * fs))[0])

    said(lesson07.qrs_detector(pan_tompkins), CORRECT, "whichever way")


def test_walkthrough9_detector_errors_and_the_find_peaks_tuple_are_named():
    """Walkthrough 9, P4: the whole `find_peaks` tuple, and an error raised inside the student's function, ended in
    "Look at what type of value the exercise asks for"."""
    from scipy import signal

    def whole_tuple(x, fs):
        f = np.abs(_band(x, fs))
        return signal.find_peaks(f, height=0.4 * np.percentile(f, 99), distance=int(0.3 * fs))

    said(lesson07.qrs_detector(whole_tuple), CLOSE, "find_peaks(...)[0]")
    fb = said(lesson07.qrs_detector(lambda x, fs: signal.find_peaks(x, distance=0)[0]), INCORRECT,
              "your function raised an error", "ValueError", "distance")  # fmt: skip
    assert "type of value" not in fb.message


def test_detector_scores_leave_the_first_five_minutes_out():
    x, ref = lesson07._mitdb_100hz()
    late = ref[ref >= lesson07.LEARNING_S * lesson07.DETECTOR_FS]
    assert lesson07.detector_scores(ref, ref)[:2] == (1.0, 1.0)
    assert lesson07.detector_scores(late, ref)[:2] == (1.0, 1.0)  # beats before minute 5 are not counted as missed
    se, ppv, missed, false = lesson07.detector_scores(late[::2], ref)
    assert ppv == 1.0 and missed == len(late) - len(late[::2]) and false == 0
    assert lesson07.detector_scores([], ref) == (0.0, 0.0, len(late), 0)


# --------------------------------------------------------------------------------------------- exercise 7
def _roc_axes(y, score, swap=False, chance=True, xlabel="false-positive rate", ylabel="sensitivity", title=None,
              binary=False, colours=("model", "chance")):  # fmt: skip
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y, (score >= 0.2).astype(int) if binary else score)
    fig, ax = plt.subplots()
    ax.plot(*((tpr, fpr) if swap else (fpr, tpr)), color=COLOURS[colours[0]])
    if chance:
        ax.plot([0, 1], [0, 1], ls="--", color=COLOURS[colours[1]])
    ax.set(xlabel=xlabel, ylabel=ylabel, title=f"AUROC {roc_auc_score(y, score):.3f}" if title is None else title)
    plt.close(fig)
    return ax


def test_roc_figure_walkthrough(oof):
    _, y, score = oof
    said(lesson07.roc_figure(_roc_axes(y, score, binary=True), y, score), CLOSE, "probabilities")  # warned
    said(lesson07.roc_figure(_roc_axes(y, score, swap=True), y, score), CLOSE, "swapped")
    said(lesson07.roc_figure(_roc_axes(y, score, chance=False), y, score), CLOSE, "chance")
    said(lesson07.roc_figure(_roc_axes(y, score, xlabel=""), y, score), INCORRECT, "label both")
    said(lesson07.roc_figure(_roc_axes(y, score, xlabel="threshold"), y, score), INCORRECT, "false-positive")
    said(lesson07.roc_figure(_roc_axes(y, score, title=""), y, score), INCORRECT, "title")
    # the instructions the review found unchecked: the colours by meaning, a title that states the AUROC
    said(lesson07.roc_figure(_roc_axes(y, score, colours=("died", "chance")), y, score), INCORRECT, 'COLOURS["model"]')
    said(lesson07.roc_figure(_roc_axes(y, score, colours=("model", "model")), y, score), INCORRECT, 'COLOURS["chance"]')
    said(lesson07.roc_figure(_roc_axes(y, score, title="ROC curve"), y, score), INCORRECT, "does not state the AUROC")
    said(lesson07.roc_figure(_roc_axes(y, score, title="AUROC 0.500"), y, score), INCORRECT, "does not state")
    # review 3: a whole number matched the AUROC rounded to 0 decimals, so "model 1" stated nothing and passed
    said(lesson07.roc_figure(_roc_axes(y, score, title="ROC curve of model 1"), y, score), INCORRECT, "2 decimals")
    said(lesson07.roc_figure(_roc_axes(y, score, title=f"AUROC {roc_auc_score(y, score):.2f}"), y, score), CORRECT)
    # right, written another way: "1 - specificity" and "true-positive rate", the AUROC as a percentage with fewer
    # decimals, passed as (fig, ax)
    ax = _roc_axes(y, score, xlabel="1 - specificity", ylabel="true-positive rate",
                   title=f"Logistic model, area under the curve {100 * roc_auc_score(y, score):.1f}%")  # fmt: skip
    said(lesson07.roc_figure((ax.figure, ax), y, score), CORRECT, "states the AUROC")
    said(lesson07.roc_figure("a plot", y, score), INCORRECT, "Axes")
    # review r15-s68 07 defect 4: the AUROC's value under another statistic's name, or under none, is refused
    auc = roc_auc_score(y, score)
    said(lesson07.roc_figure(_roc_axes(y, score, title=f"AUPRC {auc:.3f}"), y, score), INCORRECT, "'AUPRC'", "AUROC")
    said(lesson07.roc_figure(_roc_axes(y, score, title=f"PR AUC {auc:.3f}"), y, score), INCORRECT, "another statistic")
    said(lesson07.roc_figure(_roc_axes(y, score, title=f"Logistic model {auc:.3f}"), y, score), INCORRECT,
         "without saying what it is")  # fmt: skip
    for title in (f"AUC = {auc:.2f}", f"ROC curve, c-statistic {auc:.3f}", f"AUROC {auc:.3f} (AUPRC 0.47)"):
        said(lesson07.roc_figure(_roc_axes(y, score, title=title), y, score), CORRECT)


def test_roc_figure_names_specificity_on_x(oof):
    """Student walkthrough, finding 7: specificity (1 - fpr) on x with the anti-diagonal was told "you passed 0/1
    predictions" (the anti-diagonal looked like a binary curve); it is named for what it is."""
    from sklearn.metrics import roc_curve

    _, y, score = oof
    fpr, tpr, _ = roc_curve(y, score)
    fig, ax = plt.subplots()
    ax.plot(1 - fpr, tpr, color=COLOURS["model"])
    ax.plot([0, 1], [1, 0], ls="--", color=COLOURS["chance"])
    ax.set(xlabel="specificity", ylabel="sensitivity", title=f"AUROC {roc_auc_score(y, score):.3f}")
    plt.close(fig)
    fb = said(lesson07.roc_figure(ax, y, score), CLOSE, "specificity on x", "false-positive rate")
    assert "0/1" not in fb.message
    # the binary curve is still named, and a right answer drawn as a step plot with the chance line first passes
    said(lesson07.roc_figure(_roc_axes(y, score, binary=True), y, score), CLOSE, "0/1 predictions")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], ls=":", color=COLOURS["chance"])
    ax.step(fpr, tpr, where="post", color=COLOURS["model"])
    ax.set(xlabel="false-positive rate (1 - specificity)", ylabel="sensitivity",
           title=f"AUROC {100 * roc_auc_score(y, score):.0f}%")  # fmt: skip
    plt.close(fig)
    said(lesson07.roc_figure(ax, y, score), CORRECT)


def test_review_roc_figure_accepts_the_curve_however_thinned(oof):
    """Review rev0607, finding 13: a right ROC curve from ``roc_curve(..., drop_intermediate=False)`` was refused
    ("no line on the Axes is the ROC curve"): the check compared points one by one with the thinned curve. It now
    compares the curves' corners, so the curve drawn through all its points or only some is accepted; a curve of
    another score, or a slightly different one, is not; the warned mistake (0/1 predictions) and swapped axes are
    still named, thinned or not."""
    from sklearn.metrics import roc_curve

    _, y, score = oof
    title = f"AUROC {roc_auc_score(y, score):.3f}"

    def axes(x, yv, step=False):
        fig, ax = plt.subplots()
        (ax.step if step else ax.plot)(x, yv, color=COLOURS["model"])
        ax.plot([0, 1], [0, 1], ls="--", color=COLOURS["chance"])
        ax.set(xlabel="false-positive rate", ylabel="sensitivity", title=title)
        plt.close(fig)
        return ax

    for drop in (True, False):
        fpr, tpr, _ = roc_curve(y, score, drop_intermediate=drop)
        said(lesson07.roc_figure(axes(fpr, tpr), y, score), CORRECT)
        said(lesson07.roc_figure(axes(fpr, tpr, step=True), y, score), CORRECT)
        said(lesson07.roc_figure(axes(tpr, fpr), y, score), CLOSE, "swapped")
        said(lesson07.roc_figure(axes(1 - fpr, tpr), y, score), CLOSE, "specificity on x")
        bfpr, btpr, _ = roc_curve(y, (score >= 0.2).astype(int), drop_intermediate=drop)
        said(lesson07.roc_figure(axes(bfpr, btpr), y, score), CLOSE, "0/1 predictions")
        # not the curve: another score's curve, and the right curve with one corner moved
        ofpr, otpr, _ = roc_curve(y, score.rank(method="first") % 7, drop_intermediate=drop)
        said(lesson07.roc_figure(axes(ofpr, otpr), y, score), INCORRECT, "no line on the Axes is the ROC curve")
        moved = tpr.copy()
        moved[len(moved) // 2] += 0.01
        said(lesson07.roc_figure(axes(fpr, moved), y, score), INCORRECT, "no line on the Axes is the ROC curve")
    # the unthinned curve has more points than the thinned one, and the same corners
    assert len(roc_curve(y, score, drop_intermediate=False)[0]) > len(roc_curve(y, score)[0])


def test_review_rev0607b_roc_labels_with_other_spellings_and_a_curve_in_percent(oof):
    """Review rev0607b, finding 11: "1 − specificity" with a typographic minus was told to write "1 - specificity",
    "FPR"/"TPR" were refused, and an ROC drawn in percent got "no line on the Axes is the ROC curve". Labels are
    read with any dash, and a curve in percent is judged in percent: its chance line runs to (100, 100), and the
    warned mistakes are still named in percent."""
    from sklearn.metrics import roc_curve

    _, y, score = oof
    fpr, tpr, _ = roc_curve(y, score)
    title = f"AUROC {roc_auc_score(y, score):.3f}"

    def axes(x, yv, chance=((0, 1), (0, 1)), xlabel="false-positive rate", ylabel="sensitivity", axline=False):
        fig, ax = plt.subplots()
        ax.plot(x, yv, color=COLOURS["model"])
        if axline:
            ax.axline(*chance, **({"slope": 1} if len(chance) == 1 else {}), ls="--", color=COLOURS["chance"])
        elif chance is not None:
            ax.plot(*chance, ls="--", color=COLOURS["chance"])
        ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
        plt.close(fig)
        return ax

    for xlabel, ylabel in (("1 \u2212 specificity", "sensitivity"), ("1 \u2013 specificity", "sensitivity"),
                           ("1\u2212specificity", "recall"), ("FPR", "TPR"), ("FPR (%)", "TPR (%)"),
                           ("False positive rate", "True positive rate")):  # fmt: skip
        said(lesson07.roc_figure(axes(fpr, tpr, xlabel=xlabel, ylabel=ylabel), y, score), CORRECT, "states the AUROC")
    for xlabel in ("specificity", "threshold", "1 + specificity", "FPRs of the model"):
        said(lesson07.roc_figure(axes(fpr, tpr, xlabel=xlabel), y, score), INCORRECT, "false-positive rate")
    said(lesson07.roc_figure(axes(fpr, tpr, ylabel="FPR"), y, score), INCORRECT, "sensitivity")
    # in percent on both axes, with the chance line drawn or as an axline: right
    pct = ((0, 100), (0, 100))
    said(lesson07.roc_figure(axes(100 * fpr, 100 * tpr, chance=pct), y, score), CORRECT)
    said(lesson07.roc_figure(axes(100 * fpr, 100 * tpr, chance=((0, 0),), axline=True), y, score), CORRECT)
    said(lesson07.roc_figure(axes(100 * fpr, 100 * tpr, chance=((0, 0), (100, 100)), axline=True), y, score), CORRECT)
    # judged in the student's units: a diagonal to (1, 1) on a curve in percent is not the chance line, and an axline
    # off the diagonal is not one either
    said(lesson07.roc_figure(axes(100 * fpr, 100 * tpr), y, score), CLOSE, "chance", "(100, 100)")
    said(lesson07.roc_figure(axes(100 * fpr, 100 * tpr, chance=None), y, score), CLOSE, "(100, 100)")
    said(lesson07.roc_figure(axes(fpr, tpr, chance=((0, 0.2),), axline=True), y, score), CLOSE, "(1, 1)")
    # the warned mistakes, in percent
    said(lesson07.roc_figure(axes(100 * tpr, 100 * fpr, chance=pct), y, score), CLOSE, "swapped")
    said(lesson07.roc_figure(axes(100 - 100 * fpr, 100 * tpr, chance=((0, 100), (100, 0))), y, score), CLOSE,
         "specificity on x")  # fmt: skip
    bfpr, btpr, _ = roc_curve(y, (score >= 0.2).astype(int))
    said(lesson07.roc_figure(axes(100 * bfpr, 100 * btpr, chance=pct), y, score), CLOSE, "0/1 predictions")
    # percent on one axis only is not the curve
    said(lesson07.roc_figure(axes(100 * fpr, tpr, chance=pct), y, score), INCORRECT, "no line on the Axes")


def test_walkthrough9_roc_of_another_score_passed_to_the_check_is_not_ticked(oof):
    """Walkthrough 9, P2: the ROC of SAPS drawn, and `saps` passed as the check's `score`, was ticked."""
    from heartdata import mortality

    _, y, score = oof
    saps = mortality.load_features("a")[2].reindex(y.index).fillna(0)
    ax = _roc_axes(y, saps, title=f"AUROC {roc_auc_score(y, saps):.3f}")
    fb = said(lesson07.roc_figure(ax, y, saps), CLOSE, "ROC curve of the inputs you passed", "`score` you passed")
    assert "states the AUROC" not in fb.message
    said(lesson07.roc_figure(ax, y, score), INCORRECT, "no line on the Axes is the ROC curve")
    # the right figure, with the check called on another score: right, and told
    ax = _roc_axes(y, score)
    said(lesson07.roc_figure(ax, y, saps), CORRECT, "right for the setup's data", "`score` you passed")
    said(lesson07.roc_figure(ax), CORRECT, "states the AUROC")


def test_roc_figure_drawn_with_pyplot_but_not_passed_is_read(oof):
    from sklearn.metrics import roc_curve

    _, y, score = oof
    plt.close("all")
    fpr, tpr, _ = roc_curve(y, score)
    plt.figure()
    plt.plot(fpr, tpr, color=COLOURS["model"])
    plt.plot([0, 1], [0, 1], color=COLOURS["chance"])
    plt.xlabel("false-positive rate")
    plt.ylabel("sensitivity")
    plt.title(f"ROC, AUROC {roc_auc_score(y, score):.2f}")
    fb = said(lesson07.roc_figure(None, y, score), CORRECT, "you passed None", "figure you drew")
    assert "Axes" in fb.message
    plt.close("all")


def test_r12_the_prompt_says_what_the_check_does_with_no_axes():
    """Walkthrough r12-s68, 07 ex7: as in 06 ex5, leaving `ax_roc` as None counts (the test above), so the prompt says
    so instead of "Store the Axes" alone."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[1] / "solutions" / "07-baselines-solutions.ipynb").read_text())
    prompt = next("".join(c["source"]) for c in nb["cells"] if "Store the Axes in `ax_roc`" in "".join(c["source"]))
    assert "leave `ax_roc` as `None`" in prompt and "reads the figure you drew" in prompt


# --------------------------------------------------------------------------------------------- all of them
@pytest.mark.parametrize("bad", ["124", [1, 2], {"a": 1}, object(), True])
def test_checks_never_raise(oof, bad):
    _, y, score = oof
    for check in (lesson07.patient_folds, lesson07.oe_by_unit, lesson07.days_to_death_after_discharge):
        assert check(bad).status in (INCORRECT, CLOSE), (check.__name__, bad)
    assert lesson07.event1(bad, y, score, 0.2).status in (INCORRECT, CLOSE)
    assert lesson07.brier_skill(bad, y, score).status in (INCORRECT, CLOSE)


def test_checks_never_change_the_students_objects(oof):
    X, y, score = oof
    unit = X["ICUType"].map(challenge2012.ICU_TYPES)
    answer = y.groupby(unit).sum() / score.groupby(unit).sum()
    before = answer.copy()
    lesson07.oe_by_unit(answer)
    pd.testing.assert_series_equal(answer, before)


def test_r17_s68_a_detector_without_return_is_an_attempt():
    """Walkthrough r17-s68, 07 ex6: a detector whose body was written but which forgot `return` was told "Not
    attempted yet"."""
    from scipy import signal

    def detect_qrs(x, fs):
        sos = signal.butter(2, [5, 15], btype="band", fs=fs, output="sos")
        f = np.abs(signal.sosfiltfilt(sos, x))
        p, _ = signal.find_peaks(f, height=0.4 * np.percentile(f, 99), distance=int(0.3 * fs))  # noqa: F841

    said(lesson07.qrs_detector(detect_qrs), INCORRECT, "did you forget `return`?", "`detect_qrs` returned None",
         "sample numbers of the beats")

    def stub(x, fs):
        """Sample numbers of the QRS complexes in one ECG lead `x`, sampled at `fs` Hz."""
        return None  # your code here

    said(lesson07.qrs_detector(stub), NOT_ATTEMPTED, "write the body of `detect_qrs`")
