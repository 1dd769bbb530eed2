"""Checks for the exercises of lesson 07 (baseline models): expected values come from the data."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from .. import challenge2012, mitdb, ptbxl
from ..feedback import as_number, check_number, close, correct, exercise, incorrect, not_attempted


@exercise
def event1(answer, y, score, threshold):
    y, alarm = np.asarray(y) == 1, np.asarray(score) >= threshold
    hits = (alarm & y).sum()
    sensitivity, ppv = hits / y.sum(), hits / max(alarm.sum(), 1)
    accuracy = (alarm == y).mean()
    specificity = (~alarm & ~y).sum() / (~y).sum()
    return check_number(
        answer,
        min(sensitivity, ppv),
        mistakes=[
            (
                min(sensitivity, specificity),
                "you used specificity (survivors without an alarm). Event 1 uses the positive predictive value: "
                "the share of alarms that were deaths.",
            ),
            (max(sensitivity, ppv), "that is the larger of sensitivity and PPV; Event 1 takes the smaller."),
            (
                accuracy,
                "that is the accuracy (share of stays classified right). Event 1 looks only at deaths and alarms.",
            ),
            ((sensitivity + ppv) / 2, "that is the mean of sensitivity and PPV; Event 1 takes the smaller one."),
        ],
        what="a number between 0 and 1",
        hint="Sensitivity = alarms among deaths / deaths; PPV = deaths among alarms / alarms; take the minimum.",
    )


@cache
def _labels() -> pd.Series:
    return challenge2012.load_outcomes("a")["In-hospital_death"]


@exercise
def brier_nothing(answer):
    y = _labels()
    p = y.mean()
    return check_number(
        answer,
        ((p - y) ** 2).mean(),
        mistakes=[
            (0.25, "that is the Brier score of predicting 0.5 for everyone; predict the death rate instead."),
            (p, "that is the Brier score of predicting 0 (nobody dies), which equals the death rate."),
            (
                np.sqrt(((p - y) ** 2).mean()),
                "you took a square root: the Brier score is the mean squared error itself.",
            ),
            ((p - y).abs().mean(), "you averaged the absolute differences; square each difference before averaging."),
        ],
        what="a number between 0 and 1",
        hint="Predict y.mean() for every stay and average the squared differences from y.",
    )


@exercise
def patient_folds(answer):
    meta = ptbxl.load_metadata()
    if not isinstance(answer, pd.Series):
        return incorrect(f"expected a pandas Series of fold numbers, got {type(answer).__name__}.")
    if not answer.index.equals(meta.index):
        return incorrect("the Series must be indexed like `meta` (by ecg_id), one value per ECG.")
    if sorted(pd.unique(answer)) != [0, 1, 2, 3, 4]:
        found = sorted(int(v) if float(v).is_integer() else float(v) for v in pd.unique(answer))[:10]
        return incorrect(
            f"expected fold numbers 0 to 4, found {found}. Give each ECG the number of the fold in which it is "
            "in the *test* part (each ECG is tested exactly once)."
        )
    spread = answer.groupby(meta["patient_id"]).nunique()
    n_split = int((spread > 1).sum())
    if n_split:
        return close(
            f"{n_split} of {meta['patient_id'].nunique()} patients have ECGs in more than one fold: "
            "their second ECG would be tested on a model that saw the first. "
            "Group by `patient_id` (GroupKFold) instead of splitting rows."
        )
    sizes = answer.value_counts()
    if sizes.min() < 0.5 * len(meta) / 5:
        return close(f"no patient is split, but the folds are very unequal (sizes {sorted(sizes.tolist())}).")
    return correct(f"no patient is in two folds; fold sizes {sorted(sizes.tolist())}.")


@cache
def _oof_scores():
    from .. import mortality

    X, y, _ = mortality.load_features("a")
    score, _ = mortality.cross_validate(X, y, kind="logistic", folds=5, seed=0, choose_thresholds=False)
    return X, y, score


@exercise
def auroc_by_unit(answer):
    X, y, score = _oof_scores()
    unit = X["ICUType"].map(challenge2012.ICU_TYPES)
    expected = pd.Series({n: roc_auc_score(y[unit == n], score[unit == n]) for n in challenge2012.ICU_TYPES.values()})
    if not isinstance(answer, pd.Series):
        return incorrect(f"expected a pandas Series indexed by unit name, got {type(answer).__name__}.")
    if set(answer.index) != set(expected.index):
        if set(answer.index) <= set(challenge2012.ICU_TYPES):
            return close("index by the unit's name, not its code: map the codes with `challenge2012.ICU_TYPES`.")
        return incorrect(f"the index should be the four unit names: {sorted(expected.index)}.")
    got = answer.reindex(expected.index).map(as_number)
    death_rate = y.groupby(unit).mean().reindex(expected.index)
    if np.allclose(got.astype(float), death_rate, atol=1e-6):
        return close("these are the death rates of each unit; compute roc_auc_score(y, score) inside each unit.")
    if np.allclose(got.astype(float), expected, atol=1e-6):
        worst = expected.idxmin()
        return correct(f"the weakest unit is {worst} (AUROC {expected[worst]:.3f}).")
    wrong = [n for n in expected.index if not np.isclose(float(got[n]), expected[n], atol=1e-6)]
    return incorrect(
        f"the AUROC differs for {', '.join(wrong)}. Use the out-of-fold `score` and `y` of that unit only."
    )


@exercise
def died_after_discharge(answer):
    out = challenge2012.load_outcomes("a")
    known_death = out["Survival"] >= 0
    return check_number(
        answer,
        int((known_death & out["In-hospital_death"].eq(0)).sum()),
        mistakes=[
            (
                int(known_death.sum()),
                "that counts every stay with Survival >= 0; keep only those who did not die in hospital.",
            ),
            (
                int((out["Survival"] > 0).sum()),
                "that counts Survival > 0 for everyone; combine it with In-hospital_death == 0.",
            ),
            (
                int(((out["Survival"] > 0) & out["In-hospital_death"].eq(0)).sum()),
                f"you used Survival > 0, which leaves out the {int(out['Survival'].eq(0).sum())} stays with "
                "Survival 0. A 0 cannot be a death on the day of admission: every stay in the Challenge lasted at "
                "least 48 hours in the ICU, and these stays have no SAPS-I or SOFA either, so the 0 is a value to "
                "query. But the file's rule is -1 = not known to have died, so they are not survivors: count "
                "Survival >= 0 and say in a note that the 0s are doubtful.",
            ),
        ],
        what="a whole number of stays",
        hint="Combine the two conditions with & and count.",
    )


# --------------------------------------------------------------------------------------------- QRS detector
#: The rate the detector must work at (PTB-XL's low rate) and the match window (ANSI/AAMI EC57: 150 ms).
DETECTOR_FS, TOLERANCE_S = 100, 0.15
#: The bar this exercise sets: at most about one beat in a hundred missed, and one detection in a hundred false.
DETECTOR_BAR = 0.99


@cache
def _mitdb_100hz() -> tuple[np.ndarray, np.ndarray]:
    """Lead MLII of MIT-BIH record 100 resampled to 100 Hz, and its reference beats as 100 Hz sample numbers."""
    from scipy import signal

    record = mitdb.load_record("100")
    ann = mitdb.load_annotations("100")
    beats = ann[ann["symbol"].isin(mitdb.BEAT_SYMBOLS)]
    x = signal.resample_poly(record.p_signal[:, record.sig_name.index("MLII")], DETECTOR_FS, int(record.fs))
    return x, np.round(beats["time_s"].to_numpy() * DETECTOR_FS).astype(int)


def detector_scores(found, reference=None) -> tuple[float, float, int, int]:
    """(sensitivity, positive predictivity, missed, false) of detections against record 100's reference beats."""
    import wfdb.processing

    if reference is None:
        reference = _mitdb_100hz()[1]
    found = np.unique(np.asarray(found, dtype=int))
    if len(found) == 0:
        return 0.0, 0.0, len(reference), 0
    match = wfdb.processing.compare_annotations(reference, found, int(TOLERANCE_S * DETECTOR_FS))
    return float(match.sensitivity), float(match.positive_predictivity), int(match.fn), int(match.fp)


@exercise
def qrs_detector(answer):
    if not callable(answer):
        return incorrect("pass the function itself (its name, without brackets), not what it returns.")
    x, reference = _mitdb_100hz()
    found = answer(x.copy(), DETECTOR_FS)
    if found is None:
        return not_attempted("write the body of `detect_qrs` so that it returns the sample numbers of the beats.")
    found = np.asarray(found)
    if found.ndim != 1:
        return incorrect(f"return a one-dimensional array of sample numbers; yours has shape {found.shape}.")
    if found.dtype == bool:
        if len(found) == len(x):
            return close("you returned a True/False mask, one value per sample. Return the sample numbers of the "
                         "beats instead: `np.flatnonzero(mask)`, or the first array `find_peaks` returns.")  # fmt: skip
        return incorrect("return sample numbers (whole numbers), not True/False values.")
    if (
        len(found)
        and np.issubdtype(found.dtype, np.floating)
        and found.max() <= len(x) / DETECTOR_FS + 1
        and (np.any(found % 1 != 0))
    ):
        return close("these look like times in seconds. Return sample numbers: the index of each beat in `x`, "
                     "which is seconds times `fs`.")  # fmt: skip
    se, ppv, missed, false = detector_scores(found, reference)
    result = (f"sensitivity {se:.4f} ({missed} of {len(reference):,} reference beats missed), positive "
              f"predictivity {ppv:.4f} ({false} false detection{'s' * (false != 1)}), "
              f"within {TOLERANCE_S * 1000:.0f} ms")  # fmt: skip
    if se >= DETECTOR_BAR and ppv >= DETECTOR_BAR:
        return correct(f"{result}. Your detector passes on record 100; PTB-XL will test it harder.")
    if ppv < DETECTOR_BAR and len(found) > 1.2 * len(reference):
        return close(f"{result}: {len(found):,} detections for {len(reference):,} beats, several per beat. A QRS "
                     "complex can give more than one peak, and without a band-pass filter (about 5-15 Hz) every T "
                     "wave is a peak too: filter first, then keep peaks at least 0.3 s apart "
                     "(`find_peaks(..., distance=...)`, in samples), about a heart's refractory period.")  # fmt: skip
    if se < DETECTOR_BAR and ppv >= DETECTOR_BAR:
        return close(f"{result}: you miss beats. The height threshold is probably too high (or set from the "
                     "largest peak, which one artefact can push up): set it from a high percentile of the "
                     "filtered signal instead, a fraction of it.")  # fmt: skip
    return incorrect(f"{result}. Band-pass the signal (about 5-15 Hz), take its absolute value, and find peaks "
                     "above a threshold, at least 0.3 s apart.")  # fmt: skip


# --------------------------------------------------------------------------------------------- a figure
def _line_data(ax):
    return [(np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)) for line in ax.get_lines()]


@exercise
def roc_figure(answer, y_true, score):
    """The Axes of an ROC curve of ``score`` for ``y_true``: the curve, the chance diagonal, labelled axes."""
    import matplotlib.axes
    from sklearn.metrics import roc_curve

    if isinstance(answer, tuple) and len(answer) == 2:
        answer = answer[1]
    if not isinstance(answer, matplotlib.axes.Axes):
        return incorrect(f"store the Axes you drew on (`fig, ax = plt.subplots()`, then `ax_roc = ax`); got "
                         f"{type(answer).__name__}.")  # fmt: skip
    fpr, tpr, _ = roc_curve(np.asarray(y_true), np.asarray(score))
    lines = _line_data(answer)
    if not lines:
        return incorrect("the Axes has no line on it: draw the curve with `ax.plot(fpr, tpr)`.")

    def matches(x, yv):
        return len(x) == len(fpr) and np.allclose(x, fpr) and np.allclose(yv, tpr)

    curve = [i for i, (x, yv) in enumerate(lines) if matches(x, yv)]
    if not curve:
        if any(len(x) == len(fpr) and np.allclose(x, tpr) and np.allclose(yv, fpr) for x, yv in lines):
            return close("the axes are swapped: the false-positive rate goes on x, the sensitivity (true-positive "
                         "rate) on y.")  # fmt: skip
        if any(len(x) <= 4 and len(x) >= 2 and x[0] == 0 and x[-1] == 1 and np.ptp(yv) > 0 and not
               np.allclose(x, yv) for x, yv in lines):  # fmt: skip
            return close("your curve has only a corner or two: you passed 0/1 predictions. Pass the predicted "
                         "probabilities (`score`) to `roc_curve`, so that every threshold gives a point.")  # fmt: skip
        return incorrect("no line on the Axes is the ROC curve of `score`: plot `fpr, tpr = roc_curve(y, score)[:2]`.")
    chance = [i for i, (x, yv) in enumerate(lines) if i not in curve and len(x) >= 2 and np.allclose(x, yv)
              and np.isclose(min(x), 0) and np.isclose(max(x), 1)]  # fmt: skip
    if not chance:
        return close("the curve is right; add the chance line, the diagonal from (0, 0) to (1, 1), so a reader "
                     "sees how far above chance it is.")  # fmt: skip
    xlabel, ylabel = answer.get_xlabel().lower(), answer.get_ylabel().lower()
    if not xlabel or not ylabel:
        return close("label both axes: x is the false-positive rate (share of survivors alarmed), y the "
                     "sensitivity (share of deaths caught).")  # fmt: skip
    if "false" not in xlabel and "1 - spec" not in xlabel and "1-spec" not in xlabel:
        return close(f"the x axis says {answer.get_xlabel()!r}; it is the false-positive rate (1 - specificity).")
    if not any(w in ylabel for w in ("sensitivity", "true", "recall")):
        return close(f"the y axis says {answer.get_ylabel()!r}; it is the sensitivity (true-positive rate).")
    if not answer.get_title():
        return close("give the figure a title that states what it shows, for example the AUROC.")
    return correct("the ROC curve, the chance line and both axes are there.")
