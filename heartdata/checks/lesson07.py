"""Checks for the exercises of lesson 07 (baseline models): expected values come from the data.

Each exercise asks for something the lesson did not print (Event 1 at a threshold of the student's model, its Brier
skill score, the observed/expected deaths per unit of the logistic model, days from leaving hospital to death, a
detector of the student's own), or checks the method (folds, a figure), so a number copied from the lesson cannot
pass. Every named mistake is declared in its check's decorator and named only when the answer equals what that
mistake produces; where two mistakes give the same number, the message says so.
"""

from __future__ import annotations

import collections.abc
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, feedback, mitdb, ptbxl
from ..feedback import (
    Feedback,
    as_series,
    check_number,
    close,
    correct,
    exercise,
    incorrect,
    mistake_at,
    named,
)
from ..plotting import COLOURS
from ._figures import drawn_in, states

# --------------------------------------------------------------------------------------------- the setup's data
#: Exercise 1's threshold, fixed in the exercise before looking at any result.
EVENT1_THRESHOLD = 0.2


@cache
def _oof_scores():
    """(X, y, score) as the practice notebook's setup cell computes them: the logistic model's out-of-fold risks."""
    from .. import mortality

    X, y, _ = mortality.load_features("a")
    score, _ = mortality.cross_validate(X, y, kind="logistic", folds=5, seed=0, choose_thresholds=False)
    return X, y, score


def _setup_inputs() -> tuple[pd.Series, pd.Series]:
    """The labels ``y`` and the out-of-fold risks ``score`` of the setup cell: the checks of exercises 1, 2 and 7
    compute the truth from these, never from what the student passes."""
    _, y, score = _oof_scores()
    return y, score


def _values_like(x, like: pd.Series) -> np.ndarray | None:
    """``x`` as floats, aligned on ``like``'s index when it is a Series with the same index; None if not numbers."""
    if isinstance(x, pd.Series) and len(x) == len(like) and not x.index.equals(like.index):
        if set(x.index) == set(like.index):
            x = x.reindex(like.index)
    try:
        return np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError):
        return None


def _input_differs(name: str, x, like: pd.Series, what: str, labels: pd.Series | None = None) -> str | None:
    """A sentence saying how the ``name`` the student passed differs from the setup's, or None if it is the same (or
    was not passed)."""
    if x is None:
        return None
    values, reference = _values_like(x, like), like.to_numpy(dtype=float)
    if values is None:
        return f"the `{name}` you passed is not numbers"
    if len(values) != len(reference):
        return f"the `{name}` you passed has {len(values):,} values, the setup's {what} {len(reference):,}"
    off = ~np.isclose(values, reference, rtol=1e-9, atol=1e-12, equal_nan=True)
    if not off.any():
        return None
    n_off = int(off.sum())
    said = f"the `{name}` you passed is not the setup's {what}: it differs at {n_off:,} of {len(reference):,} stays"
    if labels is not None and np.array_equal(values, labels.to_numpy(dtype=float)):
        said += " (it is the labels `y`)"
    elif name == "score" and set(np.unique(values[~np.isnan(values)])) <= {0.0, 1.0}:
        said += " and holds only 0s and 1s, alarms rather than risks (was it overwritten in an earlier cell?)"
    return said


def _inputs_said(y=None, score=None, threshold=None) -> tuple[list[str], tuple]:
    """(sentences saying how the student's ``y``, ``score`` and ``t`` differ from the setup's, the student's inputs as
    arrays, or None where they cannot be used)."""
    y0, score0 = _setup_inputs()
    said = [_input_differs("y", y, y0, "labels"), _input_differs("score", score, score0, "out-of-fold risks", y0)]
    mine_y, mine_score = (_values_like(v, ref) if v is not None else ref.to_numpy(dtype=float)
                          for v, ref in ((y, y0), (score, score0)))  # fmt: skip
    mine_t = EVENT1_THRESHOLD
    if threshold is not None:
        t = feedback.number(threshold, "a threshold")
        if isinstance(t, Feedback):
            said.append(f"the `t` you passed is not a number ({t.message})")
            mine_t = None
        else:
            mine_t = t
            if not np.isclose(t, EVENT1_THRESHOLD):
                said.append(f"your `t` is {t:g}; the exercise fixes `t = {EVENT1_THRESHOLD:g}`, chosen before looking "
                            "at any result")  # fmt: skip
    usable = (mine_y is not None and mine_score is not None and len(mine_y) == len(mine_score)
              and not np.isnan(mine_y).any())  # fmt: skip
    return [s for s in said if s], ((mine_y, mine_score, mine_t) if usable else None)


_SETUP = ("The check computes the answer from the setup cell's `y` and `score`{t}: run the setup cell again (and the "
          "cells after it that you need), then compute your answer from them.")


def _with_inputs(fb: Feedback, answer, said: list[str], mine: float | None, t: str = "") -> Feedback:
    """The feedback on the answer, judged against the setup's data, with what the student's inputs change said."""
    if not said:
        return fb
    told = "; ".join(said)
    if fb.correct:
        return correct(f"{fb.message} (Your value is right for the setup's data, but {told}: the check used the "
                       "setup's.)")  # fmt: skip
    if mine is not None and check_number(answer, mine).correct:
        return close(named("your_inputs", said=told, setup=_SETUP.format(t=t)))
    return Feedback(fb.status, f"{fb.message} Also, {told}. {_SETUP.format(t=t)}")


# --------------------------------------------------------------------------------------------- exercise 1
def _event1_parts(y, score, threshold):
    y, score = np.asarray(y) == 1, np.asarray(score, dtype=float)
    alarm = score >= threshold
    hits = (alarm & y).sum()
    se, ppv = hits / y.sum(), hits / max(alarm.sum(), 1)
    return se, ppv, alarm, y


@exercise(mistakes={
    "specificity": "you used specificity (survivors without an alarm). Event 1 uses the positive predictive value: "
                   "the share of alarms that were deaths.",
    "larger": "that is the larger of sensitivity and PPV; Event 1 takes the smaller.",
    "sensitivity_alone": "that is the sensitivity alone ({se:.3f}): the larger of sensitivity and PPV, or the smaller "
                         "of sensitivity and specificity, give it here. Event 1 is the smaller of sensitivity and "
                         "positive predictive value (the share of alarms that were deaths).",
    "accuracy": "that is the accuracy (share of stays classified right). Event 1 looks only at deaths and alarms.",
    "mean": "that is the mean of sensitivity and PPV; Event 1 takes the smaller one.",
    "greater": "you counted alarms as `score > t`; the Challenge's alarm is `score >= t`.",
    "your_inputs": "that is the answer for the inputs you passed, but {said}. {setup}",
})  # fmt: skip
def event1(answer, y=None, score=None, threshold=None):
    """Event 1 of the setup's out-of-fold ``score`` at t = 0.2; ``y``, ``score`` and ``threshold`` are what the
    student passed, compared with the setup's only to say what differs."""
    said, mine = _inputs_said(y, score, threshold)
    y, score = _setup_inputs()
    threshold = EVENT1_THRESHOLD
    se, ppv, alarm, dead = _event1_parts(y, score, threshold)
    score = score.to_numpy(dtype=float)
    accuracy = (alarm == dead).mean()
    specificity = (~alarm & ~dead).sum() / (~dead).sum()
    strict = score > threshold
    strict_e1 = min((strict & dead).sum() / dead.sum(), (strict & dead).sum() / max(strict.sum(), 1))
    larger, with_spec = max(se, ppv), min(se, specificity)
    if np.isclose(larger, with_spec):  # the two mistakes give one number: say both
        first = [mistake_at("sensitivity_alone", larger, se=se)]
    else:
        first = [mistake_at("specificity", with_spec), mistake_at("larger", larger)]
    fb = check_number(
        answer,
        min(se, ppv),
        mistakes=[
            *first,
            mistake_at("accuracy", accuracy),
            mistake_at("mean", (se + ppv) / 2),
            mistake_at("greater", strict_e1),
        ],  # fmt: skip
        what="a number between 0 and 1",
        hint="Sensitivity = alarms among deaths / deaths; PPV = deaths among alarms / alarms; take the minimum.",
    )
    own = None
    if mine is not None and mine[2] is not None:
        own_se, own_ppv, _, _ = _event1_parts(*mine)
        own = float(min(own_se, own_ppv))
    return _with_inputs(fb, answer, said, own, t=f" and t = {EVENT1_THRESHOLD:g}")


# --------------------------------------------------------------------------------------------- exercise 2
def _skill(y, score) -> tuple[float, float]:
    y, score = np.asarray(y, dtype=float), np.asarray(score, dtype=float)
    return float(np.mean((score - y) ** 2)), float(np.mean((y.mean() - y) ** 2))


@exercise(mistakes={
    "ratio": "that is the ratio of the two Brier scores ({ratio:.3f}); the skill score is 1 minus it.",
    "quarter": "you compared with 0.25, the Brier score of predicting 0.5 for everyone; the reference is predicting "
               "the death rate, `y.mean()`, for everyone.",
    "reversed": "the ratio is upside down: the skill score is 1 - Brier(model) / Brier(knowing nothing).",
    "percent": "that is a percentage; give the skill score as a fraction (0 = no better than knowing nothing, 1 = "
               "perfect).",
    "sample_variance": "you used `y.var()` ({used:.6f}) as the reference Brier score. The reference is the mean "
                       "squared error of predicting the prevalence p = `y.mean()` for everyone, mean((p - y)²) = "
                       "p(1 - p) = {exact:.6f}: the population variance of `y` (dividing by n, `np.var(y)` or "
                       "`y.var(ddof=0)`), while pandas' `var()` divides by n - 1 (the sample variance, ddof=1).",
    "your_inputs": "that is the answer for the inputs you passed, but {said}. {setup}",
})  # fmt: skip
def brier_skill(answer, y=None, score=None):
    """The Brier skill score of the setup's out-of-fold ``score``; ``y`` and ``score`` are what the student passed,
    compared with the setup's only to say what differs."""
    said, mine = _inputs_said(y, score)
    brier, nothing = _skill(*_setup_inputs())
    expected = 1 - brier / nothing
    sample_var = float(_setup_inputs()[0].astype(float).var(ddof=1))  # pandas' `y.var()`: divides by n - 1
    fb = check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("ratio", brier / nothing, ratio=brier / nothing),
            mistake_at("quarter", 1 - brier / 0.25),
            mistake_at("reversed", 1 - nothing / brier),
            mistake_at("percent", 100 * expected),
            mistake_at("sample_variance", 1 - brier / sample_var, used=sample_var, exact=nothing),
        ],  # fmt: skip
        what="a number (a skill score, at most 1)",
        hint="Brier(model) = mean((score - y)²); Brier(knowing nothing) = mean((y.mean() - y)²); skill = 1 - the "
        "first / the second.",
    )
    own = None
    if mine is not None:
        own_brier, own_nothing = _skill(*mine[:2])
        own = 1 - own_brier / own_nothing if own_nothing > 0 else None
    return _with_inputs(fb, answer, said, own)


# --------------------------------------------------------------------------------------------- exercise 3
#: What exercise 3 asks for, in the words of its prompt: also what an iterator of splits is told to become.
_FOLDS_ANSWER = ("a pandas Series `fold` indexed like `meta` (by ecg_id) holding each ECG's fold number, 0 to 4 (for "
                 "the k-th split, `fold.iloc[test] = k`)")


@exercise(expects=_FOLDS_ANSWER, mistakes={
    "split_patients": "{n_split} of {patients} patients have ECGs in more than one fold: their second ECG would be "
                      "tested on a model that saw the first. Group by `patient_id` (GroupKFold) instead of "
                      "splitting rows.",
})  # fmt: skip
def patient_folds(answer):
    meta = ptbxl.load_metadata()
    if isinstance(answer, (list, tuple)) and answer and all(
            isinstance(part, tuple) and len(part) == 2 for part in answer):  # fmt: skip
        return incorrect(f"that is the list of the {len(answer)} splits themselves (train and test positions); the "
                         f"exercise asks for {_FOLDS_ANSWER}.")  # fmt: skip
    fold = as_series(answer, _FOLDS_ANSWER)
    if isinstance(fold, Feedback):
        return fold
    if not fold.index.equals(meta.index):
        if len(fold) == len(meta) and set(fold.index) == set(meta.index):
            fold = fold.reindex(meta.index)
        else:
            return incorrect("the Series must be indexed like `meta` (by ecg_id), one value per ECG.")
    values = sorted(int(v) if float(v).is_integer() else float(v) for v in pd.unique(fold.dropna()))
    if values != [0, 1, 2, 3, 4] or fold.isna().any():
        return incorrect(f"expected fold numbers 0 to 4 for every ECG, found {values[:10]}. Give each ECG the "
                         "number of the fold in which it is in the *test* part (each ECG is tested exactly "
                         "once).")  # fmt: skip
    spread = fold.groupby(meta["patient_id"]).nunique()
    n_split = int((spread > 1).sum())
    if n_split:
        return close(named("split_patients", n_split=n_split, patients=meta["patient_id"].nunique()))
    sizes = fold.value_counts()
    if sizes.min() < 0.5 * len(meta) / 5:
        return incorrect(f"no patient is split, but the folds are very unequal (sizes {sorted(sizes.tolist())}).")
    return correct(f"no patient is in two folds; fold sizes {sorted(sizes.tolist())}.")


# --------------------------------------------------------------------------------------------- exercise 4
@exercise(mistakes={
    "codes": "index by the unit's name, not its code: map the codes with `challenge2012.ICU_TYPES`.",
    "inverted": "that is expected over observed; O/E is the deaths observed divided by the deaths expected (the sum "
                "of the predicted risks).",
    "death_rates": "these are the death rates of each unit; O/E divides the deaths by the sum of the predicted risks.",
    "mean_risk": "these are the mean predicted risks of each unit; O/E divides the deaths by their sum.",
    "all_stays": "you divided by the expected deaths of all the stays; divide each unit's deaths by its own "
                 "expected deaths.",
    "rounded": "your O/E values are the right ones rounded {how}. Store the values you computed, unrounded (round "
               "only when you display them), so that they can be checked exactly.",
})  # fmt: skip
def oe_by_unit(answer):
    X, y, score = _oof_scores()
    unit = X["ICUType"].map(challenge2012.ICU_TYPES)
    deaths, expected_deaths = y.groupby(unit).sum(), score.groupby(unit).sum()
    expected = deaths / expected_deaths
    got = as_series(answer, "a Series (or dict) indexed by the unit's name")
    if isinstance(got, Feedback):
        return got
    if set(got.index) != set(expected.index):
        if set(got.index) <= set(challenge2012.ICU_TYPES) and len(got) == len(expected):
            return close(named("codes"))
        return incorrect(f"the index should be the four unit names: {sorted(expected.index)}.")
    got = pd.to_numeric(got, errors="coerce").reindex(expected.index).astype(float)

    def same(values: pd.Series) -> bool:
        return bool(np.allclose(got.to_numpy(), values.reindex(expected.index).to_numpy(), rtol=1e-6, atol=1e-9))

    if same(expected):
        high, low = expected.idxmax(), expected.idxmin()
        fewest = deaths.idxmin()
        return correct(f"O/E runs from {expected[low]:.2f} ({low}) to {expected[high]:.2f} ({high}). Whether any unit "
                       f"is far enough from 1 to matter is the next cell's question: with {deaths[fewest]:.0f} deaths "
                       f"({fewest}, the fewest), O/E moves a lot by chance, so do not yet read a value below 1 as "
                       "risks too high.")  # fmt: skip
    for key, values in (("inverted", expected_deaths / deaths), ("death_rates", y.groupby(unit).mean()),
                        ("mean_risk", score.groupby(unit).mean()), ("all_stays", deaths / score.sum())):  # fmt: skip
        if same(values):
            return close(named(key))
    how = feedback.rounding_all(got.to_numpy(), expected.to_numpy())
    if how:
        return close(named("rounded", how=how))
    wrong = [n for n in expected.index if not np.isclose(got[n], expected[n])]
    return incorrect(f"O/E differs for {', '.join(wrong)}. Within each unit: the number of deaths divided by the sum "
                     "of the out-of-fold risks `score`.")  # fmt: skip


# --------------------------------------------------------------------------------------------- exercise 5
@exercise(mistakes={
    "no_length": "you kept the {n} stays whose Length_of_stay is -1 (not recorded): for them Survival minus -1 is "
                 "not a time after discharge. Keep Length_of_stay >= 0.",
    "not_the_rule": "you took every stay with Survival >= 0 that did not die in hospital, stay 136022 with its "
                    "impossible Survival of 0 and the stays without a length of stay included. Apply the rule: "
                    "Survival > Length_of_stay >= 0.",
    "survival": "that is the median of Survival, days from ICU admission to death; the exercise asks for the days "
                "from leaving hospital to death: Survival - Length_of_stay.",
    "mean": "that is the mean; the exercise asks for the median, which a few very long survivals do not pull up.",
})  # fmt: skip
def days_to_death_after_discharge(answer):
    out = challenge2012.load_outcomes("a")
    s, los, died = out["Survival"], out["Length_of_stay"], out["In-hospital_death"]
    after = (s > los) & (los >= 0) & died.eq(0)
    gap = s - los
    loose = (s > los) & died.eq(0)
    return check_number(
        answer,
        float(gap[after].median()),
        mistakes=[
            mistake_at("no_length", float(gap[loose].median()), n=int((loose & ~after).sum())),
            mistake_at("not_the_rule", float(gap[(s >= 0) & died.eq(0)].median())),
            mistake_at("survival", float(s[after].median())),
            mistake_at("mean", float(gap[after].mean())),
        ],
        what="a number of days",
        hint="Keep the stays with In-hospital_death == 0 and Survival > Length_of_stay >= 0 (the Challenge's rule for "
        "a death after discharge), then take the median of Survival - Length_of_stay.",
    )


# --------------------------------------------------------------------------------------------- QRS detector
#: The rate the detector must work at (PTB-XL's low rate) and the match window (ANSI/AAMI EC57: 150 ms).
DETECTOR_FS, TOLERANCE_S = 100, 0.15
#: EC57 (as its reference implementation bxb does by default) leaves the first 5 minutes out of the comparison.
LEARNING_S = 5 * 60
#: The bar this exercise sets: at most about one beat in a hundred missed, and one detection in a hundred false.
DETECTOR_BAR = 0.99


#: The signals the detector is run on: both leads of record 100 (MLII, which the lesson tested neurokit2 on, and V5,
#: which it did not), each as recorded and turned upside down (-1). A QRS complex points down in some leads (aVR,
#: often V1) and in some patients' lead II, so a detector for every PTB-XL lead must find it either way: one that
#: looks for upward peaks of the raw signal passes MLII as recorded (sensitivity and positive predictivity 0.9995)
#: and fails the others.
DETECTOR_SIGNALS = (("MLII", 1), ("V5", 1), ("MLII", -1), ("V5", -1))


@cache
def _mitdb_lead(lead: str = "MLII") -> np.ndarray:
    """One lead of MIT-BIH record 100 resampled to 100 Hz."""
    from scipy import signal

    record = mitdb.load_record("100")
    return signal.resample_poly(record.p_signal[:, record.sig_name.index(lead)], DETECTOR_FS, int(record.fs))


@cache
def _mitdb_beats() -> np.ndarray:
    """Record 100's reference beats as 100 Hz sample numbers."""
    ann = mitdb.load_annotations("100")
    beats = ann[ann["symbol"].isin(mitdb.BEAT_SYMBOLS)]
    return np.round(beats["time_s"].to_numpy() * DETECTOR_FS).astype(int)


def _mitdb_100hz() -> tuple[np.ndarray, np.ndarray]:
    """Lead MLII of MIT-BIH record 100 resampled to 100 Hz, and its reference beats as 100 Hz sample numbers."""
    return _mitdb_lead("MLII"), _mitdb_beats()


def _signal_name(lead: str, sign: int) -> str:
    return lead if sign > 0 else f"{lead} turned upside down"


def detector_scores(found, reference=None) -> tuple[float, float, int, int]:
    """(sensitivity, positive predictivity, missed, false) of detections against record 100's reference beats, from
    minute 5 on (EC57's learning period left out), within 150 ms."""
    import wfdb.processing

    if reference is None:
        reference = _mitdb_100hz()[1]
    start = LEARNING_S * DETECTOR_FS
    reference = np.asarray(reference)[np.asarray(reference) >= start]
    found = np.unique(np.asarray(found, dtype=int))
    found = found[found >= start]
    if len(found) == 0:
        return 0.0, 0.0, len(reference), 0
    match = wfdb.processing.compare_annotations(reference, found, int(TOLERANCE_S * DETECTOR_FS))
    return float(match.sensitivity), float(match.positive_predictivity), int(match.fn), int(match.fp)


#: A detector that looks for the beat the same way whichever way it points marks it in the same place on a lead and
#: on the lead turned upside down. One that leaves out the absolute value marks the upward lobe of the band-passed QRS,
#: and upside down the other lobe: on record 100 every beat moves by 40 ms. A beat counts as moved when it moves by
#: FLIP_SAMPLES (20 ms at 100 Hz) or more; a detector is sign-dependent when at least FLIP_MOVED_SHARE of the beats
#: found both ways move.
FLIP_SAMPLES, FLIP_MOVED_SHARE = 2, 0.5
#: Two beats closer than this cannot both be beats (a heart rate of 240 a minute): detections closer than that are
#: several per beat. A detector with more such pairs than 5% of the beats is told to space its peaks.
MIN_BEAT_GAP_S = 0.25


def flip_shifts(upright, flipped) -> tuple[int, int, float]:
    """(beats found on the lead as recorded with a detection on the lead upside down within 150 ms, how many of them
    moved by FLIP_SAMPLES or more, their median move in ms), from minute 5 on."""
    start = LEARNING_S * DETECTOR_FS
    a = np.asarray(upright, dtype=int)
    b = np.asarray(flipped, dtype=int)
    a, b = a[a >= start], np.sort(b[b >= start])
    if len(a) == 0 or len(b) == 0:
        return 0, 0, 0.0
    i = np.searchsorted(b, a).clip(1, max(len(b) - 1, 1)) if len(b) > 1 else np.zeros(len(a), int)
    near = b[i] if len(b) == 1 else np.where(np.abs(b[i] - a) < np.abs(b[i - 1] - a), b[i], b[i - 1])
    gap = np.abs(near - a)
    gap = gap[gap <= TOLERANCE_S * DETECTOR_FS]
    moved = gap[gap >= FLIP_SAMPLES]
    return len(gap), len(moved), float(np.median(moved) * 1000 / DETECTOR_FS) if len(moved) else 0.0


@exercise(mistakes={
    "mask": "you returned a True/False mask, one value per sample. Return the sample numbers of the beats instead: "
            "`np.flatnonzero(mask)`, or the first array `find_peaks` returns.",
    "signal": "your function returned a signal, {n:,} values, one for every sample of `x` ({what}), not the "
              "positions of the beats. Return only the sample numbers where a beat is: the first array "
              "`find_peaks` returns (`peaks, _ = signal.find_peaks(...)`, then `return peaks`).",
    "iterator": "your function returned a {kind} (a one-use iterator), not the sample numbers themselves: the check "
                "needs them all at once, as an array or a list. Return `peaks` itself (the first array "
                "`find_peaks` returns), or a list, e.g. `[int(i) for i in peaks]`.",
    "seconds": "these look like times in seconds. Return sample numbers: the index of each beat in `x`, which is "
               "seconds times `fs`.",
    "several_per_beat": "{result}: {found:,} detections for {beats:,} beats, several per beat: {pairs:,} pairs of "
                        "detections are less than {gap_ms:.0f} ms apart, closer than two heartbeats can follow each "
                        "other. A QRS complex can give more than one peak: keep peaks at least 0.3 s apart "
                        "(`find_peaks(..., distance=...)`, in samples), about a heart's refractory period.",
    "extra_waves": "{result}: {found:,} detections for {beats:,} beats, although none are closer than {gap_ms:.0f} ms: "
                   "the extra ones fall between the beats, most likely on the T wave (or on noise). The T wave is "
                   "slower than the QRS complex, so a band-pass filter (about 5-15 Hz) removes most of it: if you did "
                   "not filter, band-pass the signal before `find_peaks`; if you did, raise the height threshold.",
    "misses_beats": "{result}: you miss beats. The height threshold is probably too high (or set from the largest "
                    "peak, which one artefact can push up), or the raw signal's slow baseline drift hides the "
                    "smaller beats: band-pass it first and set the threshold from a high percentile of the filtered "
                    "signal, a fraction of it.",
    "upward_only": "your detector passes on both leads as recorded, but on {lead}: {result}. It looks for upward "
                   "peaks, and in some leads (aVR, often V1, lead II of some patients) the QRS complex points down. "
                   "Take the absolute value (or the square) of the band-passed signal before `find_peaks`, so that "
                   "a beat is found whichever way it points.",
    "moves_when_flipped": "your detector passes on all four signals, but it does not find the same thing when a lead "
                          "is turned upside down: on {lead}, {moved:,} of {matched:,} beats are placed {shift:.0f} ms "
                          "(median) away from where it places them on the lead as recorded. It finds the highest "
                          "upward wave of each QRS, and upside down that is another wave (a band-passed QRS has an "
                          "upward and a downward lobe): where the QRS points down it marks the wrong one, and with "
                          "another threshold it misses beats. Take the absolute value (or the square) of the "
                          "band-passed signal before `find_peaks` (and of any signal you place the beat on), so that "
                          "a beat is found in the same place whichever way it points.",
    "peaks_tuple": "you returned everything `find_peaks` returns, the peaks and a dict of their properties. Return "
                   "the sample numbers only: `find_peaks(...)[0]`.",
})  # fmt: skip
def qrs_detector(answer):
    """Run the student's detector on the four ``DETECTOR_SIGNALS`` and compare each with the reference beats."""
    if not callable(answer):
        return incorrect("pass the function itself (its name, without brackets), not what it returns.")
    reference = _mitdb_beats()
    compared = int((reference >= LEARNING_S * DETECTOR_FS).sum())
    runs = []
    for lead, sign in DETECTOR_SIGNALS:
        x = _mitdb_lead(lead)
        try:
            found = answer(sign * x.copy(), DETECTOR_FS)
        except Exception as exc:  # the student's code raised: say so, not "what type of value"
            return incorrect(f"your function raised an error when the check ran it on {_signal_name(lead, sign)} "
                             f"(100 Hz): {exc.__class__.__name__}: {exc}. Run it yourself on a lead, e.g. "
                             "`detect_qrs(x, 100)`, to see the line that fails.")  # fmt: skip
        if found is None:
            return feedback.returned_none(answer, "detect_qrs", "the sample numbers of the beats")
        if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], dict):
            return close(named("peaks_tuple"))
        if isinstance(found, collections.abc.Iterator):  # a generator: np.asarray gives an array of shape ()
            return incorrect(named("iterator", kind=type(found).__name__))
        try:
            found = np.asarray(found)
        except ValueError:
            return incorrect("return one array (or list) of sample numbers, whole numbers; yours cannot be made "
                             "into one.")  # fmt: skip
        if found.ndim != 1:
            return incorrect(f"return a one-dimensional array of sample numbers; yours has shape {found.shape}.")
        if found.dtype == bool:
            if len(found) == len(x):
                return close(named("mask"))
            return incorrect("return sample numbers (whole numbers), not True/False values.")
        if len(found) == len(x) and np.issubdtype(found.dtype, np.number):  # one value per sample: a signal
            what = ("whole numbers" if np.issubdtype(found.dtype, np.integer) or np.all(found % 1 == 0) else
                    f"from {found.min():.3g} to {found.max():.3g}")  # fmt: skip
            return close(named("signal", n=len(found), what=what))
        if (
            len(found)
            and np.issubdtype(found.dtype, np.floating)
            and found.max() <= len(x) / DETECTOR_FS + 1
            and (np.any(found % 1 != 0))
        ):
            return close(named("seconds"))
        se, ppv, missed, false = detector_scores(found, reference)
        result = (f"sensitivity {se:.4f} ({missed} of {compared:,} reference beats missed) and positive "
                  f"predictivity {ppv:.4f} ({false} false detection{'s' * (false != 1)})")  # fmt: skip
        n_found = int((found >= LEARNING_S * DETECTOR_FS).sum())
        runs.append({"name": _signal_name(lead, sign), "lead": lead, "sign": sign, "se": se, "ppv": ppv,
                     "result": result, "found": n_found, "beats": np.unique(found.astype(int)),
                     "passes": se >= DETECTOR_BAR and ppv >= DETECTOR_BAR})  # fmt: skip
    how = (f"from minute 5 on (EC57 leaves the first 5 minutes out), within {TOLERANCE_S * 1000:.0f} ms, on both "
           "leads of record 100 (MLII and V5), each as recorded and upside down")  # fmt: skip
    if all(r["passes"] for r in runs):
        worst = min(runs, key=lambda r: min(r["se"], r["ppv"]))
        flips = []
        for up in (r for r in runs if r["sign"] > 0):
            down = next(r for r in runs if r["lead"] == up["lead"] and r["sign"] < 0)
            flips.append((_signal_name(up["lead"], -1), *flip_shifts(up["beats"], down["beats"])))
        lead, matched, moved, shift = max(flips, key=lambda f: f[2] / max(f[1], 1))
        if matched and moved >= FLIP_MOVED_SHARE * matched:
            return close(named("moves_when_flipped", lead=lead, moved=moved, matched=matched, shift=shift))
        if all(f[2] == 0 for f in flips):
            same = ("it finds the same beats, in the same places, with each lead turned upside down: it works "
                    "whichever way the QRS points")
        else:
            same = (f"turned upside down it places most beats where it did upright (on {lead}, {moved:,} of "
                    f"{matched:,} move by {FLIP_SAMPLES * 1000 // DETECTOR_FS} ms or more)")  # fmt: skip
        return correct(f"{how}: at worst ({worst['name']}) {worst['result']}. Your detector passes on record 100, "
                       f"and {same}; PTB-XL will test it harder.")  # fmt: skip
    failing = [r for r in runs if not r["passes"]]
    upright = [r for r in failing if r["sign"] > 0]
    if not upright:
        r = failing[0]
        return close(named("upward_only", lead=r["name"], result=r["result"]))
    r = min(upright, key=lambda r: min(r["se"], r["ppv"]))
    said = f"On {r['name']}, {how.split(', on both')[0]}: {r['result']}"
    if r["ppv"] < DETECTOR_BAR and r["found"] > 1.2 * compared:
        # which step is missing shows in the detections: peaks closer than a heartbeat can follow (no spacing), or
        # spaced peaks that are still too many (a slower wave between the beats: no band-pass, or a low threshold)
        beats = r["beats"][r["beats"] >= LEARNING_S * DETECTOR_FS]
        pairs = int((np.diff(beats) < MIN_BEAT_GAP_S * DETECTOR_FS).sum())
        kind = "several_per_beat" if pairs > 0.05 * compared else "extra_waves"
        return close(named(kind, result=said, found=r["found"], beats=compared, pairs=pairs,
                           gap_ms=MIN_BEAT_GAP_S * 1000))  # fmt: skip
    if r["se"] < DETECTOR_BAR and r["ppv"] >= DETECTOR_BAR:
        return close(named("misses_beats", result=said))
    return incorrect(f"{said}. Band-pass the signal (about 5-15 Hz), take its absolute value, and find peaks "
                     "above a threshold, at least 0.3 s apart.")  # fmt: skip


# --------------------------------------------------------------------------------------------- a figure
def _line_data(ax):
    return [(np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)) for line in ax.get_lines()]


def _vertices(x, y) -> np.ndarray:
    """The corners of the polyline through (x, y): repeated points and points on a straight run between their
    neighbours dropped, so that the same curve drawn through more or fewer of its points (``roc_curve`` with
    ``drop_intermediate`` True or False) gives the same corners."""
    pts = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    if len(pts) == 0 or not np.isfinite(pts).all():
        return pts
    keep = np.r_[True, np.any(np.abs(np.diff(pts, axis=0)) > 1e-12, axis=1)]
    pts = pts[keep]
    out = [pts[0]]
    for i in range(1, len(pts) - 1):
        a, b = pts[i] - out[-1], pts[i + 1] - pts[i]
        straight = abs(a[0] * b[1] - a[1] * b[0]) <= 1e-12 and float(a @ b) > 0  # same direction, no turn
        if not straight:
            out.append(pts[i])
    if len(pts) > 1:
        out.append(pts[-1])
    return np.asarray(out)


def _same_curve(x, y, ref_x, ref_y) -> bool:
    """Whether the polyline through (x, y) is the one through (ref_x, ref_y): the same corners, in order."""
    if len(x) < 2 or len(x) != len(y):
        return False
    mine, ref = _vertices(x, y), _vertices(ref_x, ref_y)
    return mine.shape == ref.shape and bool(np.allclose(mine, ref, atol=1e-9))


#: An ROC curve drawn as a proportion (0 to 1) or in percent (0 to 100): judged in the student's units.
_ROC_SCALES = (1.0, 100.0)


def _is_diagonal(line, top: float) -> bool:
    """Whether a line is the chance diagonal y = x: an ``axline`` through two points of it (or one, with slope 1),
    whatever the units, or a drawn line with y = x from 0 to ``top`` (1, or 100 for percent)."""
    from matplotlib.lines import AxLine

    if isinstance(line, AxLine):
        (x1, y1), second, slope = line.get_xy1(), line.get_xy2(), line.get_slope()
        on = np.isclose(x1, y1)
        return bool(on and (np.isclose(slope, 1) if second is None else np.isclose(second[0], second[1])
                            and not np.isclose(second[0], x1)))  # fmt: skip
    x, yv = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    return bool(len(x) >= 2 and len(x) == len(yv) and np.isfinite(x).all() and np.allclose(x, yv)
                and np.isclose(min(x), 0) and np.isclose(max(x), top))  # fmt: skip


def _label_words(label: str) -> str:
    """An axis label in lower case with every dash and minus sign (en dash, em dash, U+2212) an ASCII hyphen and the
    spaces around it dropped, so that "1 − specificity" and "1 – specificity" read as "1-specificity"."""
    import re

    text = re.sub("[\u2010-\u2015\u2212\ufe63\uff0d]", "-", label.lower())
    return re.sub(r"\s*-\s*", "-", text)


#: How a title names the AUROC, and the other statistics a number in it could be called (an ROC figure's title that
#: calls the AUROC's value "AUPRC" states the wrong statistic, whatever the number).
_AUROC_NAME = r"au\s*-?\s*roc|\bauc\b|\broc\b|area under|\bc[\s-]?(?:statistic|index)\b|concordance"
_OTHER_NAME = (r"au\s*-?\s*prc?\b|\bpr[\s-]*auc\b|average precision|\bap\b|brier|precision|recall|sensitivity|"
               r"specificity|\bppv\b|\bnpv\b|event\s*1|accuracy|\bf1\b|prevalence|death rate")


def _title_names(title: str, value: float) -> set[str]:
    """For every number in ``title`` that states ``value`` (as ``states`` reads it, at least 2 decimals or a
    percentage), the statistic the title names next to it: the nearest name before the number (else the first after
    it), "AUROC" for any name of the AUROC, the name as written for another statistic, "" for none."""
    import re

    from ._figures import _NUMBER

    text = title or ""
    names = sorted([(m.start(), m.end(), "AUROC") for m in re.finditer(_AUROC_NAME, text, re.I)]
                   + [(m.start(), m.end(), m.group(0)) for m in re.finditer(_OTHER_NAME, text, re.I)],
                   key=lambda n: (n[1], n[1] - n[0]))  # by where the name ends; "PR AUC" outranks its own "AUC"
    found = set()
    for number in _NUMBER.finditer(text):
        if states(number.group(0), {"v": value}, min_decimals=2) is None:
            continue
        before = [n for n in names if n[1] <= number.start()]
        after = [n for n in names if n[0] >= number.end()]
        found.add(before[-1][2] if before else after[0][2] if after else "")
    return found


@exercise(figure=True, mistakes={
    "swapped": "the axes are swapped: the false-positive rate goes on x, the sensitivity (true-positive rate) on y.",
    "specificity": "your curve has the specificity on x (`1 - fpr`), so it runs from the top right to the bottom "
                   "left: that mirrors the ROC curve. The ROC puts the false-positive rate (1 - specificity, the "
                   "share of survivors alarmed) on x: plot `fpr` as `roc_curve` returns it, and the chance diagonal "
                   "from (0, 0) to (1, 1).",
    "binary": "your curve has only a corner or two: you passed 0/1 predictions. Pass the predicted probabilities "
              "(`score`) to `roc_curve`, so that every threshold gives a point.",
    "no_chance": "the curve is right; add the chance line, the diagonal y = x from the bottom left corner to the top "
                 "right ({corner}), so a reader sees how far above chance it is.",
    "your_inputs": "that is the ROC curve of the inputs you passed, but {said}. {setup}",
})  # fmt: skip
def roc_figure(answer, y_true=None, score=None):
    """The Axes of an ROC curve of the setup's out-of-fold ``score`` for ``y``: the curve, the chance diagonal,
    labelled axes. ``y_true`` and ``score`` are what the student passed, compared with the setup's only to say what
    differs."""
    import re

    import matplotlib.axes
    from sklearn.metrics import roc_auc_score, roc_curve

    if isinstance(answer, tuple) and len(answer) == 2:
        answer = answer[1]
    if not isinstance(answer, matplotlib.axes.Axes):
        return incorrect(f"store the Axes you drew on (`fig, ax = plt.subplots()`, then `ax_roc = ax`); got "
                         f"{type(answer).__name__}.")  # fmt: skip
    said, mine = _inputs_said(y_true, score)
    y_true, score = (v.to_numpy(dtype=float) for v in _setup_inputs())
    fpr, tpr, _ = roc_curve(y_true, score)
    lines = _line_data(answer)
    if not lines:
        return incorrect("the Axes has no line on it: draw the curve with `ax.plot(fpr, tpr)`.")

    def matches(x, yv, fpr=fpr, tpr=tpr):  # the same curve however many of its points were drawn
        return _same_curve(x, yv, fpr, tpr)

    # the curve as a proportion or in percent (both axes): judged in the student's units from here on
    top, curve = 1.0, []
    for scale in _ROC_SCALES:
        curve = [i for i, (x, yv) in enumerate(lines) if matches(x / scale, yv / scale)]
        if curve:
            top = scale
            break
    if not curve:
        for scale in _ROC_SCALES:
            scaled = [(x / scale, yv / scale) for x, yv in lines]
            if any(matches(yv, x) for x, yv in scaled):
                return close(named("swapped"))
            if any(matches(1 - x, yv) for x, yv in scaled):
                return close(named("specificity"))
            # the ROC curve of 0/1 predictions: from (0, 0) up to (1, 1) through one corner (or two), both rising
            if any(2 <= len(x) <= 4 and x[0] == 0 and x[-1] == 1 and yv[0] == 0 and yv[-1] == 1
                   and np.all(np.diff(x) >= 0) and np.all(np.diff(yv) >= 0) and not np.allclose(x, yv)
                   for x, yv in scaled):  # fmt: skip
                return close(named("binary"))
        if said:
            told = "; ".join(said)
            if mine is not None and len(np.unique(mine[0])) == 2:
                own_fpr, own_tpr, _ = roc_curve(mine[0], mine[1])
                if any(matches(x / s, yv / s, own_fpr, own_tpr) for x, yv in lines for s in _ROC_SCALES):
                    return close(named("your_inputs", said=told, setup=_SETUP.format(t="")))
            return incorrect(f"no line on the Axes is the ROC curve of the setup's `score`, and {told}. "
                             f"{_SETUP.format(t='')}")  # fmt: skip
        return incorrect("no line on the Axes is the ROC curve of `score`: plot `fpr, tpr = roc_curve(y, score)[:2]`.")
    chance = [i for i, line in enumerate(answer.get_lines()) if i not in curve and _is_diagonal(line, top)]
    if not chance:
        return close(named("no_chance", corner=f"from (0, 0) to ({top:g}, {top:g})"))
    xlabel, ylabel = _label_words(answer.get_xlabel()), _label_words(answer.get_ylabel())
    if not xlabel or not ylabel:
        return incorrect("label both axes: x is the false-positive rate (share of survivors alarmed), y the "
                         "sensitivity (share of deaths caught).")  # fmt: skip
    if "false" not in xlabel and "1-spec" not in xlabel and not re.search(r"\bfpr\b", xlabel):
        return incorrect(f"the x axis says {answer.get_xlabel()!r}; it is the false-positive rate (1 - specificity).")
    if not any(w in ylabel for w in ("sensitivity", "true", "recall")) and not re.search(r"\btpr\b", ylabel):
        return incorrect(f"the y axis says {answer.get_ylabel()!r}; it is the sensitivity (true-positive rate).")
    if not drawn_in(answer.get_lines()[curve[0]].get_color(), COLOURS["model"]):
        return incorrect("draw the ROC curve in `COLOURS[\"model\"]`, the course's colour for a model's output.")
    if not any(drawn_in(answer.get_lines()[i].get_color(), COLOURS["chance"]) for i in chance):
        return incorrect('draw the chance diagonal in `COLOURS["chance"]`, the course\'s colour for chance.')
    if not answer.get_title():
        return incorrect("give the figure a title that states what it shows, for example the AUROC.")
    auroc = float(roc_auc_score(np.asarray(y_true), np.asarray(score)))
    if states(answer.get_title(), {"AUROC": auroc}, min_decimals=2) is None:
        return incorrect(
            f"the title {answer.get_title()!r} does not state the AUROC of this curve "
            f"({auroc:.3f}): write it in the title with at least 2 decimals ({auroc:.2f}) or as a percentage, so a "
            "reader can check the figure against it."
        )
    named_as = _title_names(answer.get_title(), auroc)
    if "AUROC" not in named_as:
        other = next((n for n in named_as if n), None)
        if other:
            return incorrect(f"the title calls the AUROC's value ({auroc:.3f}) {other!r}: that is another statistic. "
                             "Name it as what it is, the AUROC (area under the ROC curve).")  # fmt: skip
        return incorrect(f"the title gives the AUROC's value ({auroc:.3f}) without saying what it is: name it, e.g. "
                         f"'AUROC {auroc:.3f}', so a reader knows which statistic the number is.")  # fmt: skip
    fb = correct(
        "the ROC curve, the chance line and both axes are there, in the course's colours, and the title "
        "states the AUROC."
    )
    return _with_inputs(fb, None, said, None)
