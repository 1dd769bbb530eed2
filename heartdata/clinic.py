"""A risk model in the terms a clinical unit lives with (lesson 11).

A model's AUROC says how well it ranks patients; a unit needs to know what an alert rule built on it would
do on a working day: how many alerts, how many of them true, how many deaths missed, and how many patients
a clinician must evaluate for each true alert. Decision curve analysis (Vickers & Elkin, Med Decis Making
2006;26:565-574) weighs the true alerts against the false ones at the risk a clinician would act on.

The functions take outcomes ``y`` (1 = the event, here death in hospital) and risks in [0, 1], one per stay,
as out-of-fold predictions from ``heartdata.mortality.cross_validate`` are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataError


def _arrays(y, risk) -> tuple[np.ndarray, np.ndarray]:
    try:
        y = np.asarray(y, dtype=float)
        risk = np.asarray(risk, dtype=float)
    except (TypeError, ValueError):
        raise DataError("y, risk", "outcomes and risks must be numbers", "Pass two columns of numbers.") from None
    if y.ndim != 1 or risk.shape != y.shape or len(y) == 0:
        raise DataError("y, risk", f"expected two 1-D arrays of the same length, got {y.shape} and {risk.shape}",
                        "Pass one outcome and one risk per stay.")  # fmt: skip
    if not np.isin(y, [0, 1]).all():
        raise DataError("y", "outcomes must be 0 or 1", "Use the 0/1 outcome column (e.g. In-hospital_death).")
    if np.isnan(risk).any() or (risk < 0).any() or (risk > 1).any():
        raise DataError("risk", "risks must be probabilities between 0 and 1, with none missing",
                        "Pass predicted probabilities (predict_proba[:, 1]), not scores or labels.")  # fmt: skip
    return y, risk


def _thresholds(thresholds) -> np.ndarray:
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if t.size == 0 or np.isnan(t).any() or (t <= 0).any() or (t >= 1).any():
        raise DataError("thresholds", "every threshold must be a risk strictly between 0 and 1",
                        "Use thresholds such as 0.1, 0.2, 0.3.")  # fmt: skip
    return t


def admissions_per_day(beds: float, mean_stay_days: float, occupancy: float = 1.0) -> float:
    """Patients admitted per day to a unit of ``beds`` beds: beds x occupancy / mean length of stay.

    This is Little's law for a unit in steady state: on average, as many patients leave as arrive.
    """
    if not beds > 0 or not mean_stay_days > 0 or not 0 < occupancy <= 1:
        raise DataError("beds, mean_stay_days, occupancy",
                        "beds and stay length must be positive and occupancy in (0, 1]",
                        "Give a unit size, a mean stay in days and an occupancy such as 0.85.")  # fmt: skip
    return beds * occupancy / mean_stay_days


def alert_burden(y, risk, thresholds, per_day: float) -> pd.DataFrame:
    """What an alert at ``risk >= threshold`` would do, per day, for a unit admitting ``per_day`` such patients.

    One row per threshold: the share of patients flagged, alerts per day, true and false alerts per day,
    deaths missed per day, sensitivity, positive predictive value (PPV), and the number of patients a
    clinician evaluates for each true alert (number needed to evaluate, 1 / PPV). Counts from the data are
    kept beside the rates (``flagged``, ``true``, ``events``, ``n``).
    """
    y, risk = _arrays(y, risk)
    if not per_day > 0:
        raise DataError("per_day", "admissions per day must be positive", "Use admissions_per_day(...).")
    rows = []
    n, events = len(y), int(y.sum())
    for t in _thresholds(thresholds):
        flagged = risk >= t
        tp = int((flagged & (y == 1)).sum())
        fp = int((flagged & (y == 0)).sum())
        rows.append({
            "threshold": t, "n": n, "events": events, "flagged": tp + fp, "true": tp,
            "flagged_share": (tp + fp) / n,
            "alerts_per_day": (tp + fp) / n * per_day,
            "true_alerts_per_day": tp / n * per_day,
            "false_alerts_per_day": fp / n * per_day,
            "missed_per_day": (events - tp) / n * per_day,
            "sensitivity": tp / events if events else np.nan,
            "ppv": tp / (tp + fp) if tp + fp else np.nan,
            "number_needed_to_evaluate": (tp + fp) / tp if tp else np.inf,
        })  # fmt: skip
    return pd.DataFrame(rows)


def net_benefit(y, risk, thresholds) -> pd.DataFrame:
    """Decision curve: net benefit of the model, of treating (alerting on) everyone, and of no one.

    Net benefit at threshold probability p_t is TP/n - FP/n x p_t / (1 - p_t): true alerts, less false
    alerts weighted by the odds at which a clinician would just act (Vickers & Elkin 2006). Treat-all is
    prevalence - (1 - prevalence) x p_t / (1 - p_t); treat-none is 0.
    """
    y, risk = _arrays(y, risk)
    t = _thresholds(thresholds)
    n = len(y)
    prevalence = y.mean()
    odds = t / (1 - t)
    flagged = risk[:, None] >= t[None, :]
    tp = (flagged & (y[:, None] == 1)).sum(axis=0)
    fp = (flagged & (y[:, None] == 0)).sum(axis=0)
    return pd.DataFrame({
        "threshold": t,
        "model": tp / n - fp / n * odds,
        "treat_all": prevalence - (1 - prevalence) * odds,
        "treat_none": 0.0,
    })  # fmt: skip
