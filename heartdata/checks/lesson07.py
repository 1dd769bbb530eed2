"""Checks for the exercises of lesson 07 (baseline models): expected values come from the data.

Each exercise asks for something the lesson did not print (Event 1 at a threshold of the student's model, its Brier
skill score, the observed/expected deaths per unit of the logistic model, days from leaving hospital to death, a
detector of the student's own), or checks the method (folds, a figure), so a number copied from the lesson cannot
pass. Every named mistake is declared in its check's decorator and named only when the answer equals what that
mistake produces; where two mistakes give the same number, the message says so.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, mitdb, ptbxl
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
    not_attempted,
)
from ..plotting import COLOURS
from ._figures import drawn_in, states


# --------------------------------------------------------------------------------------------- exercise 1
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
})  # fmt: skip
def event1(answer, y, score, threshold):
    y, score = np.asarray(y) == 1, np.asarray(score, dtype=float)
    alarm = score >= threshold
    hits = (alarm & y).sum()
    se, ppv = hits / y.sum(), hits / max(alarm.sum(), 1)
    accuracy = (alarm == y).mean()
    specificity = (~alarm & ~y).sum() / (~y).sum()
    strict = score > threshold
    strict_e1 = min((strict & y).sum() / y.sum(), (strict & y).sum() / max(strict.sum(), 1))
    larger, with_spec = max(se, ppv), min(se, specificity)
    if np.isclose(larger, with_spec):  # the two mistakes give one number: say both
        first = [mistake_at("sensitivity_alone", larger, se=se)]
    else:
        first = [mistake_at("specificity", with_spec), mistake_at("larger", larger)]
    return check_number(
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


# --------------------------------------------------------------------------------------------- exercise 2
@exercise(mistakes={
    "ratio": "that is the ratio of the two Brier scores ({ratio:.3f}); the skill score is 1 minus it.",
    "quarter": "you compared with 0.25, the Brier score of predicting 0.5 for everyone; the reference is predicting "
               "the death rate, `y.mean()`, for everyone.",
    "reversed": "the ratio is upside down: the skill score is 1 - Brier(model) / Brier(knowing nothing).",
    "percent": "that is a percentage; give the skill score as a fraction (0 = no better than knowing nothing, 1 = "
               "perfect).",
})  # fmt: skip
def brier_skill(answer, y, score):
    y, score = np.asarray(y, dtype=float), np.asarray(score, dtype=float)
    brier = float(np.mean((score - y) ** 2))
    nothing = float(np.mean((y.mean() - y) ** 2))
    expected = 1 - brier / nothing
    return check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("ratio", brier / nothing, ratio=brier / nothing),
            mistake_at("quarter", 1 - brier / 0.25),
            mistake_at("reversed", 1 - nothing / brier),
            mistake_at("percent", 100 * expected),
        ],  # fmt: skip
        what="a number (a skill score, at most 1)",
        hint="Brier(model) = mean((score - y)²); Brier(knowing nothing) = mean((y.mean() - y)²); skill = 1 - the "
        "first / the second.",
    )


# --------------------------------------------------------------------------------------------- exercise 3
@exercise(mistakes={
    "split_patients": "{n_split} of {patients} patients have ECGs in more than one fold: their second ECG would be "
                      "tested on a model that saw the first. Group by `patient_id` (GroupKFold) instead of "
                      "splitting rows.",
})  # fmt: skip
def patient_folds(answer):
    meta = ptbxl.load_metadata()
    fold = as_series(answer, "a pandas Series of fold numbers indexed like `meta` (by ecg_id)")
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
@cache
def _oof_scores():
    from .. import mortality

    X, y, _ = mortality.load_features("a")
    score, _ = mortality.cross_validate(X, y, kind="logistic", folds=5, seed=0, choose_thresholds=False)
    return X, y, score


@exercise(mistakes={
    "codes": "index by the unit's name, not its code: map the codes with `challenge2012.ICU_TYPES`.",
    "inverted": "that is expected over observed; O/E is the deaths observed divided by the deaths expected (the sum "
                "of the predicted risks).",
    "death_rates": "these are the death rates of each unit; O/E divides the deaths by the sum of the predicted risks.",
    "mean_risk": "these are the mean predicted risks of each unit; O/E divides the deaths by their sum.",
    "all_stays": "you divided by the expected deaths of all the stays; divide each unit's deaths by its own "
                 "expected deaths.",
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
        return correct(f"O/E runs from {expected[low]:.2f} ({low}) to {expected[high]:.2f} ({high}).")
    for key, values in (("inverted", expected_deaths / deaths), ("death_rates", y.groupby(unit).mean()),
                        ("mean_risk", score.groupby(unit).mean()), ("all_stays", deaths / score.sum())):  # fmt: skip
        if same(values):
            return close(named(key))
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


@exercise(mistakes={
    "mask": "you returned a True/False mask, one value per sample. Return the sample numbers of the beats instead: "
            "`np.flatnonzero(mask)`, or the first array `find_peaks` returns.",
    "seconds": "these look like times in seconds. Return sample numbers: the index of each beat in `x`, which is "
               "seconds times `fs`.",
    "several_per_beat": "{result}: {found:,} detections for {beats:,} beats, several per beat. A QRS complex can give "
                        "more than one peak, and without a band-pass filter (about 5-15 Hz) every T wave is a peak "
                        "too: filter first, then keep peaks at least 0.3 s apart (`find_peaks(..., distance=...)`, "
                        "in samples), about a heart's refractory period.",
    "misses_beats": "{result}: you miss beats. The height threshold is probably too high (or set from the largest "
                    "peak, which one artefact can push up), or the raw signal's slow baseline drift hides the "
                    "smaller beats: band-pass it first and set the threshold from a high percentile of the filtered "
                    "signal, a fraction of it.",
    "upward_only": "your detector passes on both leads as recorded, but on {lead}: {result}. It looks for upward "
                   "peaks, and in some leads (aVR, often V1, lead II of some patients) the QRS complex points down. "
                   "Take the absolute value (or the square) of the band-passed signal before `find_peaks`, so that "
                   "a beat is found whichever way it points.",
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
        found = answer(sign * x.copy(), DETECTOR_FS)
        if found is None:
            return not_attempted("write the body of `detect_qrs` so that it returns the sample numbers of the beats.")
        found = np.asarray(found)
        if found.ndim != 1:
            return incorrect(f"return a one-dimensional array of sample numbers; yours has shape {found.shape}.")
        if found.dtype == bool:
            if len(found) == len(x):
                return close(named("mask"))
            return incorrect("return sample numbers (whole numbers), not True/False values.")
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
        runs.append({"name": _signal_name(lead, sign), "sign": sign, "se": se, "ppv": ppv, "result": result,
                     "found": n_found, "passes": se >= DETECTOR_BAR and ppv >= DETECTOR_BAR})  # fmt: skip
    how = (f"from minute 5 on (EC57 leaves the first 5 minutes out), within {TOLERANCE_S * 1000:.0f} ms, on both "
           "leads of record 100 (MLII and V5), each as recorded and upside down")  # fmt: skip
    if all(r["passes"] for r in runs):
        worst = min(runs, key=lambda r: min(r["se"], r["ppv"]))
        return correct(f"{how}: at worst ({worst['name']}) {worst['result']}. Your detector passes on record 100 "
                       "whichever way the QRS points; PTB-XL will test it harder.")  # fmt: skip
    failing = [r for r in runs if not r["passes"]]
    upright = [r for r in failing if r["sign"] > 0]
    if not upright:
        r = failing[0]
        return close(named("upward_only", lead=r["name"], result=r["result"]))
    r = min(upright, key=lambda r: min(r["se"], r["ppv"]))
    said = f"On {r['name']}, {how.split(', on both')[0]}: {r['result']}"
    if r["ppv"] < DETECTOR_BAR and r["found"] > 1.2 * compared:
        return close(named("several_per_beat", result=said, found=r["found"], beats=compared))
    if r["se"] < DETECTOR_BAR and r["ppv"] >= DETECTOR_BAR:
        return close(named("misses_beats", result=said))
    return incorrect(f"{said}. Band-pass the signal (about 5-15 Hz), take its absolute value, and find peaks "
                     "above a threshold, at least 0.3 s apart.")  # fmt: skip


# --------------------------------------------------------------------------------------------- a figure
def _line_data(ax):
    return [(np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)) for line in ax.get_lines()]


@exercise(figure=True, mistakes={
    "swapped": "the axes are swapped: the false-positive rate goes on x, the sensitivity (true-positive rate) on y.",
    "specificity": "your curve has the specificity on x (`1 - fpr`), so it runs from the top right to the bottom "
                   "left: that mirrors the ROC curve. The ROC puts the false-positive rate (1 - specificity, the "
                   "share of survivors alarmed) on x: plot `fpr` as `roc_curve` returns it, and the chance diagonal "
                   "from (0, 0) to (1, 1).",
    "binary": "your curve has only a corner or two: you passed 0/1 predictions. Pass the predicted probabilities "
              "(`score`) to `roc_curve`, so that every threshold gives a point.",
    "no_chance": "the curve is right; add the chance line, the diagonal from (0, 0) to (1, 1), so a reader sees how "
                 "far above chance it is.",
})  # fmt: skip
def roc_figure(answer, y_true, score):
    """The Axes of an ROC curve of ``score`` for ``y_true``: the curve, the chance diagonal, labelled axes."""
    import matplotlib.axes
    from sklearn.metrics import roc_auc_score, roc_curve

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
            return close(named("swapped"))
        if any(len(x) == len(fpr) and np.allclose(x, 1 - fpr) and np.allclose(yv, tpr) for x, yv in lines):
            return close(named("specificity"))
        # the ROC curve of 0/1 predictions: from (0, 0) up to (1, 1) through one corner (or two), both rising
        if any(2 <= len(x) <= 4 and x[0] == 0 and x[-1] == 1 and yv[0] == 0 and yv[-1] == 1
               and np.all(np.diff(x) >= 0) and np.all(np.diff(yv) >= 0) and not np.allclose(x, yv)
               for x, yv in lines):  # fmt: skip
            return close(named("binary"))
        return incorrect("no line on the Axes is the ROC curve of `score`: plot `fpr, tpr = roc_curve(y, score)[:2]`.")
    chance = [i for i, (x, yv) in enumerate(lines) if i not in curve and len(x) >= 2 and np.allclose(x, yv)
              and np.isclose(min(x), 0) and np.isclose(max(x), 1)]  # fmt: skip
    if not chance:
        return close(named("no_chance"))
    xlabel, ylabel = answer.get_xlabel().lower(), answer.get_ylabel().lower()
    if not xlabel or not ylabel:
        return incorrect("label both axes: x is the false-positive rate (share of survivors alarmed), y the "
                         "sensitivity (share of deaths caught).")  # fmt: skip
    if "false" not in xlabel and "1 - spec" not in xlabel and "1-spec" not in xlabel:
        return incorrect(f"the x axis says {answer.get_xlabel()!r}; it is the false-positive rate (1 - specificity).")
    if not any(w in ylabel for w in ("sensitivity", "true", "recall")):
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
    return correct(
        "the ROC curve, the chance line and both axes are there, in the course's colours, and the title "
        "states the AUROC."
    )
