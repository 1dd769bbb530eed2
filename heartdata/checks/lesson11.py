"""Checks for the exercises of lesson 11 (asking clinicians): expected values come from the data and the model.

The practice notebook and these checks share one computation of the lesson 07 model's out-of-fold risks
(``inputs``), so that a student's answer is compared with figures from the same risks.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, cleaning, clinic, mortality
from ..feedback import check_number, close, correct, exercise, incorrect, not_attempted

BEDS = 20
THRESHOLD = 0.3  # exercises 2 and 3
NB_THRESHOLD = 0.2  # exercise 4
GRID = np.round(np.arange(0.05, 0.55, 0.05), 3)  # exercise 5

#: The questions of exercise 1 and, for each, its kind and why (the feedback explains with these).
QUESTIONS = {
    "q1": "Could an AI tell you which patients will die in hospital?",
    "q2": "How many of the ventilated patients had a respiratory rate charted?",
    "q3": "When you decide at 48 hours whether a patient can leave the unit, what do you look at, and what makes you "
    "keep them?",
    "q4": "Would better data help your unit?",
    "q5": "The last time an alarm about a patient was wrong, what did it cost you and the patient?",
}
KINDS = {
    "q1": ("leading", "it presupposes the tool and invites a polite yes; it names no decision and no moment"),
    "q2": ("data", "it is a count, which the data answers (see the lesson's evidence table); ask the clinician *why*"),
    "q3": ("good", "it names a decision, its moment and the information used: the clinician can describe practice"),
    "q4": ("vague", "no decision, no data, no patient: any answer is yes"),
    "q5": ("good", "it asks for the cost of a false alert in a real case, which decides any alert threshold"),
}
LABELS = ("leading", "vague", "data", "good")


@cache
def inputs() -> tuple[pd.Series, pd.Series, float, pd.DataFrame]:
    """``(risk, died, per_day, descriptors)``: the lesson 07 model's out-of-fold risks on set A, the outcome
    aligned to them, admissions per day of a full 20-bed unit, and one row of descriptors per stay."""
    stays = challenge2012.load_stays("a")
    outcomes = challenge2012.load_outcomes("a")
    descriptors = stays[cleaning.is_descriptor(stays)].pivot_table(
        index="RecordID", columns="Parameter", values="Value"
    )
    features = cleaning.stay_features(cleaning.clean_stays(stays)[0])
    del stays
    died = outcomes["In-hospital_death"].reindex(features.index)
    risk, _ = mortality.cross_validate(features, died, kind="logistic")
    los = outcomes["Length_of_stay"].where(outcomes["Length_of_stay"].gt(0))
    return risk, died, clinic.admissions_per_day(BEDS, los.mean()), descriptors


@exercise
def question_kinds(answer):
    if not isinstance(answer, dict):
        return incorrect("expected a dict such as {'q1': 'leading', ...}, one label per question.")
    missing = [k for k in QUESTIONS if k not in answer]
    if missing:
        return incorrect(f"label every question: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing.")
    unknown = {k: v for k, v in answer.items() if k in QUESTIONS and v not in LABELS}
    if unknown:
        key, value = next(iter(unknown.items()))
        return incorrect(f"{key}: {value!r} is not one of the labels {', '.join(map(repr, LABELS))}.")
    wrong = [k for k in QUESTIONS if answer[k] != KINDS[k][0]]
    if not wrong:
        return correct("each kind, with its reason: " + "; ".join(f"{k} {v[0]} ({v[1]})" for k, v in KINDS.items()))
    k = wrong[0]
    kind, why = KINDS[k]
    more = f" ({len(wrong) - 1} more to look at)" if len(wrong) > 1 else ""
    if kind == "data":
        return close(f"{k} is answerable from the data, not a question for a clinician: {why}.{more}")
    if answer[k] == "good":
        return close(f"{k} sounds reasonable but is {kind}: {why}.{more}")
    return close(f"{k} is {kind}, not {answer[k]}: {why}.{more}")


def _burden():
    risk, died, per_day, _ = inputs()
    return clinic.alert_burden(died, risk, [THRESHOLD], per_day).iloc[0], per_day


@exercise
def alerts_per_day(answer):
    row, per_day = _burden()
    risk, died, _, _ = inputs()
    return check_number(
        answer,
        row["alerts_per_day"],
        mistakes=[
            (
                row["flagged"],
                f"{int(row['flagged'])} is the number of stays flagged among all {int(row['n']):,} stays "
                f"of the data set, not per day: divide by the number of stays and multiply by {per_day:.2f} "
                "admissions a day.",
            ),
            (row["flagged_share"], "that is the share of stays flagged; multiply it by the admissions per day."),
            (row["true_alerts_per_day"], "you counted only the true alerts; the unit gets the false ones too."),
            (
                row["flagged"] * per_day,
                f"you multiplied the count of flagged stays by the admissions per day; first divide it by the "
                f"{int(row['n']):,} stays, to get the share of patients flagged.",
            ),
            (
                float((risk > THRESHOLD).mean() * per_day) if (risk == THRESHOLD).any() else -1.0,
                "use risk >= 0.3 (at least 0.3), as the exercise says.",
            ),
            (
                float((risk < THRESHOLD).mean() * per_day),
                "you counted the stays below the threshold; an alert fires at or above it.",
            ),
        ],  # fmt: skip
        what="a number of alerts per day",
        hint="Share of stays with risk >= 0.3, times admissions per day.",
    )


@exercise
def patients_per_true_alert(answer):
    row, _ = _burden()
    return check_number(
        answer,
        row["number_needed_to_evaluate"],
        mistakes=[
            (
                row["ppv"],
                "that is the positive predictive value (true alerts / alerts); the number of patients per "
                "true alert is its inverse.",
            ),
            (
                1 / row["sensitivity"],
                "you divided by the sensitivity (true alerts / deaths); divide the alerts by the true alerts instead.",
            ),
            (
                row["flagged"] / row["events"],
                "you divided the alerts by all deaths; divide by the deaths among the "
                "alerted patients (the true alerts).",
            ),
        ],  # fmt: skip
        what="a number of patients (at least 1)",
        hint="Patients alerted, divided by the alerted patients who died.",
    )


@exercise
def net_benefit(answer):
    risk, died, _, _ = inputs()
    row = clinic.net_benefit(died, risk, [NB_THRESHOLD]).iloc[0]
    p = NB_THRESHOLD
    alert = risk >= p
    n = len(risk)
    tp, fp = int((alert & died.eq(1)).sum()), int((alert & died.eq(0)).sum())
    return check_number(
        answer,
        row["model"],
        mistakes=[
            (tp / n - fp / n * p, "you weighted the false alerts by p; the weight is the odds p / (1 - p)."),
            (tp / n, "you counted the true alerts only; subtract the false alerts, weighted by p / (1 - p)."),
            (row["treat_all"], "that is the net benefit of alerting on everyone; the exercise asks for the model's."),
            (
                tp / died.sum() - fp / (n - died.sum()) * p / (1 - p),
                "you divided by the deaths and the survivors; both counts are divided by all n stays.",
            ),
            (100 * row["model"], "that is a percentage; give net benefit as a number per patient (no factor 100)."),
        ],  # fmt: skip
        what="a number (net true alerts per patient)",
        hint="(true alerts - false alerts x p / (1 - p)) / n, with alerts at risk >= 0.2.",
    )


def _line_near(lines, xs, ys) -> bool:
    for line in lines:
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        if len(x) == len(xs) and np.allclose(x, xs) and np.allclose(y, ys, atol=1e-9):
            return True
    return False


@exercise
def decision_curve(answer):
    ax = answer
    if not hasattr(ax, "get_lines"):
        return incorrect("pass the matplotlib axes the curves are drawn on (for example `ax`).")
    risk, died, _, _ = inputs()
    curve = clinic.net_benefit(died, risk, GRID)
    lines = ax.get_lines()
    has_model = _line_near(lines, curve["threshold"], curve["model"])
    has_all = _line_near(lines, curve["threshold"], curve["treat_all"])
    if not lines:
        return not_attempted("draw the two curves on `ax` with ax.plot(thresholds, net_benefit), then run the cell.")
    if not has_model:
        flipped = _line_near(lines, curve["model"], curve["threshold"])
        if flipped:
            return close("the model's curve has its axes swapped: threshold on x, net benefit on y.")
        return close("no line shows the model's net benefit at check.GRID; plot curve['model'] against the threshold.")
    if not has_all:
        return close("the model is there, but not 'alert on everyone' (curve['treat_all']): without it the curve "
                     "cannot say whether the model helps.")  # fmt: skip
    wanted = {"x": ("threshold", "x: threshold probability"), "y": ("benefit", "y: net benefit")}
    labels = {"x": ax.get_xlabel().lower(), "y": ax.get_ylabel().lower()}
    unlabelled = [a for a, (word, _) in wanted.items() if word not in labels[a]]
    if unlabelled:
        axes = " and ".join(f"{a} axis" for a in unlabelled)
        return close(f"both curves are right; label the {axes} ({'; '.join(wanted[a][1] for a in unlabelled)}).")
    better = curve.loc[(curve["model"] > curve["treat_all"]) & (curve["model"] > 0), "threshold"]
    span = f"from {better.min():.2f} to {better.max():.2f}" if len(better) else "nowhere on this grid"
    return correct(f"the model beats both defaults {span}.")


@exercise
def cardiac_surgery(answer):
    risk, died, _, descriptors = inputs()
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return incorrect("expected a tuple (stays, deaths), for example (100, 5).")
    icu = descriptors["ICUType"]
    counts = {t: (int(icu.eq(t).sum()), int(died[icu.index[icu.eq(t)]].sum())) for t in (1, 2, 3, 4)}
    try:
        given = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        return incorrect("both parts must be whole numbers: (stays, deaths).")
    if given == counts[2]:
        return correct(f"{counts[2][0]} stays, {counts[2][1]} deaths ({counts[2][1] / counts[2][0]:.1%}).")
    if given == counts[1]:
        return close("ICUType 1 is Coronary Care; Cardiac Surgery Recovery is ICUType 2.")
    if given == counts[2][::-1]:
        return close("the numbers are right but in the wrong order: (stays, deaths), stays first.")
    if given[0] == counts[2][0]:
        return close(f"{given[0]} stays is right; count the deaths among those stays (In-hospital_death = 1).")
    if given in (counts[3], counts[4]):
        return close("that is another unit (3 Medical, 4 Surgical); Cardiac Surgery Recovery is ICUType 2.")
    return incorrect(f"{given} is not it: select the stays with ICUType 2, then count them and their deaths.")
