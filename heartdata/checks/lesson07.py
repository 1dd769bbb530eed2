"""Checks for the exercises of lesson 07 (baseline models): expected values come from the data."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from .. import challenge2012, ptbxl
from ..feedback import as_number, check_number, close, correct, exercise, incorrect


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
    score, _ = mortality.cross_validate(X, y, kind="logistic", folds=5, seed=0)
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
                "use Survival >= 0, not > 0: a Survival of 0 is a death on the day of admission, a known death too.",
            ),
        ],
        what="a whole number of stays",
        hint="Combine the two conditions with & and count.",
    )
