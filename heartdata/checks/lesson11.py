"""Checks for the exercises of lesson 11 (asking clinicians): expected values come from the data and the model.

The practice notebook and these checks share one computation of the lesson 07 model's out-of-fold risks and of
their cross-fitted recalibration (``inputs``), so that a student's answer is compared with figures from the same
risks. Every exercise asks for something the lesson did not print: another threshold (0.25 and 0.15; the lesson
tabulates 0.1, 0.2, ..., 0.5), the decision curve beyond the lesson's range, and counts in a unit the lesson did not
count them for.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from .. import challenge2012, cleaning, clinic, mortality
from ..feedback import as_number, check_number, close, correct, exercise, incorrect, mistake_at, named, not_attempted

BEDS = 20
THRESHOLD = 0.25  # exercises 2 and 3
NB_THRESHOLD = 0.15  # exercise 4
GRID = np.round(np.arange(0.05, 0.801, 0.05), 3)  # exercise 5: beyond the lesson's range of 0.05-0.5
FLAT_FACTOR = 5  # exercise 5: both curves and 0 fill at least 1/FLAT_FACTOR of the y axis (the prompt says "a fifth")
CAPSTONE_UNIT = 1  # exercise 6: ICUType 1, Coronary Care
EARLY_DAYS = 2  # exercise 6: deaths within this many days of ICU admission (at or around the hour-48 alert)

#: The questions of exercise 1.
QUESTIONS = {
    "q1": "Could an AI tell you which patients will die in hospital?",
    "q2": "How many of the ventilated patients had a respiratory rate charted?",
    "q3": "At the morning round, when you decide whether a patient can leave the unit, which findings make you keep "
    "them, and who else has a say?",
    "q4": "Would better data help your unit?",
    "q5": "The last time an alarm about a patient was wrong, what did it cost you and the patient?",
    "q6": "Don't you think an alert at hour 48 would catch the patients you miss?",
}
#: For each question: the labels that can be defended, and why (the feedback explains with these once all are
#: defensible). A question can be more than one thing at once: q1 and q4 are both leading and vague.
KINDS = {
    "q1": ({"leading", "vague"}, "it presupposes the tool and invites a polite yes (leading); it also names no "
           "decision, moment or user (vague)"),
    "q2": ({"data"}, "it is a count, which the data answers (the lesson's evidence table); ask the clinician *why*"),
    "q3": ({"good"}, "it names a decision, its moment (the round, not the data's hour 48), the information used and "
           "who else decides"),
    "q4": ({"vague", "leading"}, "no decision, no data, no patient (vague); and 'would it help' expects a yes "
           "(leading)"),
    "q5": ({"good"}, "it asks for the cost of a false alarm in a real case, which any alert threshold must weigh"),
    "q6": ({"leading"}, "'don't you think' asks the clinician to agree, and it imposes the data's hour 48 and the "
           "tool on them"),
}
#: What to look at again in a question labelled with an indefensible label, without giving the label away.
HINTS = {
    "q1": "who would say no to it, and what decision, moment or user does it name?",
    "q2": "could you answer it yourself, by counting in the data, without asking anyone?",
    "q3": "does it name a decision, when it is taken, and what the clinician looks at? Does it suggest an answer?",
    "q4": "what decision, data or patient does it name, and what answer does it expect?",
    "q5": "does it ask about something that happened, and about what a wrong alarm costs?",
    "q6": "how does it start, and can the clinician disagree without contradicting you?",
}
LABELS = ("leading", "vague", "data", "good")


class Inputs(NamedTuple):
    """What the practice notebook works with (index RecordID everywhere)."""

    risk: pd.Series  # out-of-fold risks of the lesson 07 model, recalibrated (cross-fitted)
    raw_risk: pd.Series  # the same risks before recalibration
    died: pd.Series  # In-hospital_death, aligned to the risks
    per_day: float  # admissions per day of a full 20-bed unit (Little's law, at the assumed mean ICU stay)
    descriptors: pd.DataFrame  # one row of descriptors per stay (ICUType among them)
    outcomes: pd.DataFrame  # the outcomes file (Survival, Length_of_stay, In-hospital_death, SAPS-I, ...)
    features: pd.DataFrame  # the lesson 07 features of each stay (cleaning.stay_features of the cleaned stays)
    cleaning_log: pd.DataFrame  # what cleaning.clean_stays did: one row per step and parameter, with counts


@cache
def inputs() -> Inputs:
    """The lesson 07 model's out-of-fold risks on set A, their recalibration, the outcome aligned to them,
    admissions per day of a full 20-bed unit at the lesson's assumed mean ICU stay (``clinic.ASSUMED_ICU_STAY_DAYS``:
    the data has no ICU length of stay), one row of descriptors per stay, the outcomes file, the features and the
    cleaning log."""
    stays = challenge2012.load_stays("a")
    outcomes = challenge2012.load_outcomes("a")
    descriptors = stays[cleaning.is_descriptor(stays)].pivot_table(
        index="RecordID", columns="Parameter", values="Value"
    )
    clean, log = cleaning.clean_stays(stays)
    features = cleaning.stay_features(clean)
    del stays, clean
    died = outcomes["In-hospital_death"].reindex(features.index)
    raw, _ = mortality.cross_validate(features, died, kind="logistic", choose_thresholds=False)
    risk = clinic.recalibrate(died, raw)
    per_day = clinic.admissions_per_day(BEDS, clinic.ASSUMED_ICU_STAY_DAYS)
    return Inputs(risk, raw.rename("risk"), died, per_day, descriptors, outcomes, features, log)


# ------------------------------------------------------------------------------------------------ exercise 1
@exercise(mistakes={
    # whole sentences, so that the instructor guide shows them; the question's hint and the count of other wrong
    # labels are added after the declared message
    "data_as_good": "q2 sounds like a fair question, but could you answer it yourself, by counting in the data, "
                    "without asking anyone? A count is for the data; what only the clinician can tell you is why.",
    "clinician_as_data": "{q} cannot be answered by counting in the data: it asks for something only the clinician "
                         "knows (a judgement, a practice, a decision or a cost).",
})  # fmt: skip
def question_kinds(answer):
    if isinstance(answer, pd.Series):  # labels held in a Series indexed q1..q6 are the same answer
        answer = answer.to_dict()
    if not isinstance(answer, dict):
        return incorrect("expected a dict such as {'q1': 'leading', ...}, one label per question.")
    missing = [k for k in QUESTIONS if k not in answer]
    if missing:
        return incorrect(f"label every question: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing.")
    labels = {k: answer[k].strip().lower() if isinstance(answer[k], str) else answer[k] for k in QUESTIONS}
    unknown = {k: v for k, v in labels.items() if v not in LABELS}
    if unknown:
        key, value = next(iter(unknown.items()))
        return incorrect(f"{key}: {value!r} is not one of the labels {', '.join(map(repr, LABELS))}.")
    wrong = [k for k in QUESTIONS if labels[k] not in KINDS[k][0]]
    if not wrong:
        told = []
        for k, (kinds, why) in KINDS.items():
            others = sorted(kinds - {labels[k]})
            also = f" (also defensible: {', '.join(others)})" if others else ""
            told.append(f"{k} {labels[k]}{also}: {why}")
        return correct("every label can be defended. " + "; ".join(told) + ".")
    k = wrong[0]
    more = f" {len(wrong) - 1} other label(s) cannot be defended either." if len(wrong) > 1 else ""
    if k == "q2" and labels[k] == "good":
        return close(named("data_as_good") + more)
    if labels[k] == "data":
        return close(named("clinician_as_data", q=k) + f" Look again: {HINTS[k]}{more}")
    return incorrect(f"{k} is not {labels[k]!r}. Look again: {HINTS[k]}{more}")


# ------------------------------------------------------------------------------------------------ exercises 2, 3
def _burden(risk=None):
    data = inputs()
    risk = data.risk if risk is None else risk
    return clinic.alert_burden(data.died, risk, [THRESHOLD], data.per_day).iloc[0], data.per_day


@exercise(mistakes={
    "count": "{flagged} is the number of stays flagged; the exercise asks for their share of all {n:,} stays (a "
             "number between 0 and 1).",
    "percent": "that is the share as a percentage; give it as a proportion between 0 and 1 (no factor 100).",
    "per_day": "that is alerts per day at the lesson's assumed {stay:g}-day ICU stay; the exercise asks for the share "
               "of patients flagged, which does not depend on how long anyone stays. Leave out the admissions a day.",
    "true_only": "you counted only the true alerts (flagged patients who died); the share flagged counts every flagged "
                 "patient.",
    "of_deaths": "you divided the true alerts by the deaths: that is the sensitivity. The share flagged is the flagged "
                 "patients over all patients.",
    "raw": "you used the risks before recalibration (raw_risk); read thresholds off the recalibrated risks (risk), as "
           "the lesson does.",
    "below": "you counted the stays below the threshold; an alert fires at or above it.",
    "strict": "use risk >= {t} (at least {t}), as the exercise says.",
    "ppv": "that is the positive predictive value (the true alerts over the {flagged} flagged stays); the share "
           "flagged is the flagged stays over all {n:,} stays.",
})  # fmt: skip
def share_flagged(answer):
    row, per_day = _burden()
    raw, _ = _burden(inputs().raw_risk)
    risk = inputs().risk
    n = int(row["n"])
    mistakes = [
        mistake_at("count", row["flagged"], flagged=int(row["flagged"]), n=n),
        mistake_at("percent", 100 * row["flagged_share"]),
        mistake_at("per_day", row["alerts_per_day"], stay=clinic.ASSUMED_ICU_STAY_DAYS),
        mistake_at("true_only", row["true"] / n),
        mistake_at("of_deaths", row["sensitivity"]),
        mistake_at("raw", raw["flagged_share"]),
        mistake_at("below", float((risk < THRESHOLD).mean())),
        mistake_at("ppv", row["ppv"], flagged=int(row["flagged"]), n=n),
    ]
    if (risk == THRESHOLD).any():
        mistakes.append(mistake_at("strict", float((risk > THRESHOLD).mean()), t=THRESHOLD))
    return check_number(answer, row["flagged_share"], mistakes=mistakes, what="a share between 0 and 1",
                        hint=f"Stays with risk >= {THRESHOLD}, divided by all stays.")  # fmt: skip


@exercise(mistakes={
    "false_per_true": "that is the number of false alerts per true alert. The clinician evaluates the true patient "
                      "too: count every alerted patient, true ones included.",
    "ppv": "that is the positive predictive value (true alerts / alerts); the number of patients per true alert is "
           "its inverse.",
    "sensitivity": "you divided by the sensitivity (true alerts / deaths); divide the alerts by the true alerts "
                   "instead.",
    "all_deaths": "you divided the alerts by all deaths; divide by the deaths among the alerted patients (the true "
                  "alerts).",
    "raw": "you used the risks before recalibration (raw_risk); read thresholds off the recalibrated risks (risk), as "
           "the lesson does.",
})  # fmt: skip
def patients_per_true_alert(answer):
    row, _ = _burden()
    raw, _ = _burden(inputs().raw_risk)
    return check_number(
        answer,
        row["number_needed_to_evaluate"],
        mistakes=[
            mistake_at("false_per_true", row["false_per_true"]),
            mistake_at("ppv", row["ppv"]),
            mistake_at("sensitivity", 1 / row["sensitivity"]),
            mistake_at("all_deaths", row["flagged"] / row["events"]),
            mistake_at("raw", raw["number_needed_to_evaluate"]),
        ],
        what="a number of patients (at least 1)",
        hint="Patients alerted, divided by the alerted patients who died.",
    )


# ------------------------------------------------------------------------------------------------ exercise 4
@exercise(mistakes={
    "weight_p": "you weighted the false alerts by p; the weight is the odds p / (1 - p).",
    "true_only": "you counted the true alerts only; subtract the false alerts, weighted by p / (1 - p).",
    "treat_all": "that is the net benefit of alerting on everyone; the exercise asks for the model's.",
    "by_class": "you divided by the deaths and the survivors; both counts are divided by all n stays.",
    "percent": "that is a percentage; give net benefit as a number per patient (no factor 100).",
    "raw": "you used the risks before recalibration (raw_risk); read thresholds off the recalibrated risks (risk), as "
           "the lesson does.",
})  # fmt: skip
def net_benefit(answer):
    data = inputs()
    risk, died = data.risk, data.died
    row = clinic.net_benefit(died, risk, [NB_THRESHOLD]).iloc[0]
    raw = clinic.net_benefit(died, data.raw_risk, [NB_THRESHOLD]).iloc[0]
    p = NB_THRESHOLD
    alert = risk >= p
    n = len(risk)
    tp, fp = int((alert & died.eq(1)).sum()), int((alert & died.eq(0)).sum())
    return check_number(
        answer,
        row["model"],
        mistakes=[
            mistake_at("weight_p", tp / n - fp / n * p),
            mistake_at("true_only", tp / n),
            mistake_at("treat_all", row["treat_all"]),
            mistake_at("by_class", tp / died.sum() - fp / (n - died.sum()) * p / (1 - p)),
            mistake_at("percent", 100 * row["model"]),
            mistake_at("raw", raw["model"]),
        ],
        what="a number (net true alerts per patient)",
        hint=f"(true alerts - false alerts x p / (1 - p)) / n, with alerts at risk >= {NB_THRESHOLD}.",
    )


# ------------------------------------------------------------------------------------------------ exercise 5
class _Series(NamedTuple):
    x: np.ndarray
    y: np.ndarray
    label: str


def _series(ax) -> list[_Series]:
    """Every (x, y, label) series drawn on ``ax``: its lines (ax.plot, plt.plot, ax.axhline), scatter points and
    line segments (ax.hlines, ax.vlines: one series per segment)."""
    from matplotlib.collections import LineCollection

    out = []
    for line in ax.get_lines():
        xy = np.asarray(line.get_xydata(), dtype=float)
        if len(xy):
            out.append(_Series(xy[:, 0], xy[:, 1], str(line.get_label())))
    for coll in ax.collections:
        if isinstance(coll, LineCollection):
            for seg in coll.get_segments():
                seg = np.asarray(seg, dtype=float)
                if seg.ndim == 2 and len(seg) >= 2:
                    out.append(_Series(seg[:, 0], seg[:, 1], str(coll.get_label())))
            continue
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        if offsets.ndim == 2 and len(offsets) > 1:
            out.append(_Series(offsets[:, 0], offsets[:, 1], str(coll.get_label())))
    return out


def _scaled(series: list[_Series], sx: float, sy: float) -> list[_Series]:
    return [_Series(s.x / sx, s.y / sy, s.label) for s in series]


def _matching(series: list[_Series], xs, ys) -> _Series | None:
    """The first series that shows ``ys`` at the thresholds ``xs`` (every grid point, whatever else it has)."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    for s in series:
        order = np.argsort(s.x, kind="stable")
        x, y = s.x[order], s.y[order]
        pos = np.clip(np.searchsorted(x, xs), 0, len(x) - 1)
        if np.allclose(x[pos], xs, atol=1e-9) and np.allclose(y[pos], ys, rtol=1e-6, atol=1e-9):
            return s
    return None


def _drawn(series, xs, ys) -> bool:
    """True when one series shows ``ys`` at the thresholds ``xs`` (every grid point, whatever else it has)."""
    return _matching(series, xs, ys) is not None


def _says_raw(label: str) -> bool:
    """A legend label that names the risks before recalibration."""
    label = label.lower()
    return not label.startswith("_") and any(w in label for w in ("raw", "before", "uncalibrated", "not recal"))


def _names_net_benefit(label: str) -> bool:
    """A y label that names net benefit or says what it is: 'net benefit', 'NB', 'net true alerts per patient',
    'net true positives', the lesson's 'net benefit (net true alerts per patient, at the threshold's exchange rate)'.
    Words around it (a threshold's exchange rate, per 100 patients) are allowed."""
    label = label.lower()
    return bool(re.search(r"benefit|\bnb\b|net (number of )?true (alert|positive)|true (alert|positive)s? net", label))


def _zero_line(ax, series) -> bool:
    """A horizontal line at net benefit 0 (ax.axhline(0) or a line of zeros) on ``ax``."""
    for s in series:
        if len(s.y) >= 2 and np.allclose(s.y, 0.0, atol=1e-12):
            return True
    return False


def _axes_of(answer):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(answer, Figure):
        return answer.axes[0] if answer.axes else None
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    return answer if isinstance(answer, Axes) else None


@exercise(figure=True, mistakes={
    "raw": "that is the decision curve of the risks before recalibration (raw_risk). Draw the recalibrated model's "
           "(risk) too: the exercise is to see where the two part.",
    "swapped": "the model's curve has its axes swapped: threshold on x, net benefit on y.",
    "short": "the curve stops at 0.5: draw it at every threshold of check.GRID, up to 0.8.",
    "no_treat_all": "the model is there, but not 'alert on everyone' (the 'treat_all' column): without it the curve "
                    "cannot say whether the model helps.",
    "no_treat_none": "add 'alert on no one': a horizontal line at net benefit 0 (ax.axhline(0)). A model is worth "
                     "using only where it lies above both defaults.",
    "no_raw": "the recalibrated model and both defaults are there; now draw the curve of the risks before "
              "recalibration too (clinic.net_benefit(died, raw_risk, check.GRID), its 'model' column, at every "
              "threshold of check.GRID): the exercise is to see where the two part.",
    "raw_short": "the curve of the risks before recalibration stops at 0.5: draw it at every threshold of "
                 "check.GRID, up to 0.8 (that is where it dips below zero).",
    "labels": "the curves are right; label each axis with what it shows, and only that: {problems}.",
    "cut": "the y range ({bottom:.3g} to {top:.3g}) cuts off the model's curves, which run from {low:.3g} to "
           "{high:.3g} (the raw_risk curve included: its dip below zero is what the exercise is about): set it with "
           "ax.set_ylim(...) so that the whole of both curves shows.",
    "x_cut": "the x range ({left:.3g} to {right:.3g}) hides thresholds of check.GRID: the two curves part beyond "
             "0.6, so show every threshold from {first:.2g} to {last:.2g} (ax.set_xlim, or leave it to matplotlib).",
    "flat": "the y range ({bottom:.3g} to {top:.3g}) is so wide that the curves of both models, with the line at 0 "
            "({low:.3g} to {high:.3g}), fill only {share:.0%} of its height, less than the fifth the exercise asks "
            "for, so they look flat: {room} Limit the y axis to a little around them, e.g. "
            "ax.set_ylim({suggest_low:g}, {suggest_high:g}).",
    "flagged_share": "the line drawn where the recalibrated model's net benefit belongs shows the share of stays "
                     "flagged ({which}, alert_burden's 'flagged_share'), not the net benefit. Plot the 'model' column "
                     "of clinic.net_benefit(died, risk, check.GRID) against 'threshold'.",
    "legend_swapped": "the curves are right, but their labels are swapped: the line labelled {model_label!r} shows the "
                      "risks before recalibration (raw_risk), and the one labelled {raw_label!r} the recalibrated "
                      "risks (risk). Swap the labels, or the reader will credit the wrong model.",
})  # fmt: skip
def decision_curve(answer):
    import matplotlib.pyplot as plt

    ax = _axes_of(answer)
    if ax is None:
        return incorrect(f"pass the matplotlib axes the curves are drawn on (for example `ax`), not "
                         f"{type(answer).__name__}.")  # fmt: skip
    data = inputs()
    curve = clinic.net_benefit(data.died, data.risk, GRID)
    raw = clinic.net_benefit(data.died, data.raw_risk, GRID)
    series = _series(ax)
    if not series:
        elsewhere = [a for a in plt.gcf().axes if a is not ax and _series(a)] if plt.get_fignums() else []
        if elsewhere:
            return incorrect("the axes you passed is empty, but the current figure has curves on another axes: draw "
                             "with ax.plot(...) on the axes you pass (plt.plot draws on the newest figure), or pass "
                             "plt.gca().")  # fmt: skip
        return not_attempted("draw the curves on `ax` with ax.plot(thresholds, net_benefit), then run the cell.")
    # thresholds or net benefit drawn as percentages (net benefit per 100 patients is a usual presentation): read
    # the curves in the student's units, and say the limits back in them
    sx, sy = next(((fx, fy) for fx in (1, 100) for fy in (1, 100)
                   if any(_drawn(_scaled(series, fx, fy), c["threshold"], c["model"]) for c in (curve, raw))),
                  (1, 1))  # fmt: skip
    series = _scaled(series, sx, sy)
    has_model = _drawn(series, curve["threshold"], curve["model"])
    if not has_model:
        for which, r in (("risk", data.risk), ("raw_risk", data.raw_risk)):
            flagged = clinic.alert_burden(data.died, r, GRID, data.per_day)
            if _drawn(series, flagged["threshold"], flagged["flagged_share"]):
                return close(named("flagged_share", which=f"alerts at {which} >= threshold"))
        if _drawn(series, raw["threshold"], raw["model"]):
            return close(named("raw"))
        if _drawn([_Series(s.y, s.x, s.label) for s in series], curve["threshold"], curve["model"]):
            return close(named("swapped"))
        short = _drawn(series, curve["threshold"][GRID <= 0.5], curve["model"][GRID <= 0.5])
        if short:
            return close(named("short"))
        return incorrect("no line or set of points shows the recalibrated model's net benefit at the thresholds of "
                         "check.GRID; compute it with clinic.net_benefit(died, risk, check.GRID) and plot its "
                         "'model' column against 'threshold'.")  # fmt: skip
    if not _drawn(series, curve["threshold"], curve["treat_all"]):
        return close(named("no_treat_all"))
    if not _zero_line(ax, series):
        return close(named("no_treat_none"))
    if not _drawn(series, raw["threshold"], raw["model"]):
        if _drawn(series, raw["threshold"][GRID <= 0.5], raw["model"][GRID <= 0.5]):
            return close(named("raw_short"))  # drawn, but not at every threshold (walkthrough r17-s911)
        return close(named("no_raw"))
    model_line = _matching(series, curve["threshold"], curve["model"])
    raw_line = _matching(series, raw["threshold"], raw["model"])
    if ax.get_legend() is not None and _says_raw(model_line.label) and not _says_raw(raw_line.label):
        return close(named("legend_swapped", model_label=model_line.label, raw_label=raw_line.label))
    xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
    problems = []
    if "threshold" not in xlabel.lower() or _names_net_benefit(xlabel):
        problems.append("x axis: the threshold probability (the risk at which a clinician would act)")
    same = ylabel.strip().lower() == xlabel.strip().lower()  # both axes labelled alike says neither
    if not _names_net_benefit(ylabel) or same or "threshold probability" in ylabel.lower():
        problems.append("y axis: net benefit (or what it means: net true alerts per patient)")
    if problems:
        return close(named("labels", problems="; ".join(problems)))
    left, right = (v / sx for v in ax.get_xlim())
    if left > GRID.min() + 1e-9 or right < GRID.max() - 1e-9:
        return close(named("x_cut", left=left * sx, right=right * sx, first=GRID.min() * sx, last=GRID.max() * sx))
    bottom, top = (v / sy for v in ax.get_ylim())
    both = pd.concat([curve["model"], raw["model"]])
    low_needed, high_needed = float(both.min()), float(both.max())
    if bottom > low_needed or top < high_needed:
        return close(named("cut", bottom=bottom * sy, top=top * sy, low=low_needed * sy, high=high_needed * sy))
    # the rule the prompt states: both curves with the line at 0 fill at least a fifth of the y axis's height
    low_zero = min(low_needed, 0.0)
    span = high_needed - low_zero
    if top - bottom > FLAT_FACTOR * span:
        below, above = low_zero - bottom, top - high_needed
        dips = curve.loc[curve["treat_all"].between(bottom, low_zero), "treat_all"]  # 'alert on everyone' down there
        lowest = curve.loc[curve["treat_all"].idxmin()]
        follows = (f" (the room below shows 'alert on everyone' going down: it falls to "
                   f"{lowest['treat_all'] * sy:.3g} at a threshold of {lowest['threshold'] * sx:g}"
                   ", and the exercise needs it only near the models' curves)" if below > above and len(dips)
                   else "")  # fmt: skip
        room = (f"{above * sy:.3g} of the extra room is above them and {below * sy:.3g} below"
                + (f"{follows}." if below > above else ".")) if min(below, above) > 0.5 * span else (
            f"the extra room is {'below' if below > above else 'above'} them ({max(below, above) * sy:.3g}, against "
            f"{min(below, above) * sy:.3g} {'above' if below > above else 'below'}){follows}.")  # fmt: skip
        pad = 0.1 * span
        return close(named("flat", bottom=bottom * sy, top=top * sy, low=low_zero * sy, high=high_needed * sy,
                           share=span / (top - bottom), room=room,
                           suggest_low=math.floor((low_zero - pad) * 100) / 100 * sy,
                           suggest_high=math.ceil((high_needed + pad) * 100) / 100 * sy))  # fmt: skip
    # the lesson reads the same crossings on a grid twice as fine (steps of 0.025): say both, so they agree
    fine = np.round(np.arange(0.05, 0.801, 0.025), 3)
    fine_raw = clinic.net_benefit(data.died, data.raw_risk, fine)
    fine_recal = clinic.net_benefit(data.died, data.risk, fine)

    def below(table: pd.DataFrame, digits: int) -> str | None:
        """Where the model's net benefit is below zero on the table's grid: its runs of consecutive thresholds
        ("at 0.70 and at 0.80", "from 0.65 to 0.80"), or None when it never is."""
        grid = list(table["threshold"])
        runs: list[list[float]] = []
        for i, (t, neg) in enumerate(zip(grid, table["model"].lt(0), strict=True)):
            if neg:
                if runs and runs[-1][-1] == grid[i - 1]:
                    runs[-1].append(t)
                else:
                    runs.append([t])
        if not runs:
            return None
        return " and ".join(f"at {r[0]:.{digits}f}" if len(r) == 1 else f"from {r[0]:.{digits}f} to {r[-1]:.{digits}f}"
                            for r in runs)  # fmt: skip

    def finer(table: pd.DataFrame) -> str:
        at = below(table, 3)
        return f" ({at} on the lesson's steps of 0.025)" if at is not None else ""

    raw_at, recal_at = below(raw, 2), below(curve, 2)
    raw_says = (f"before recalibration the model's net benefit is below zero {raw_at} on check.GRID's steps of 0.05"
                f"{finer(fine_raw)}" if raw_at is not None
                else "before recalibration the model's net benefit stays at or above zero here too")  # fmt: skip
    recal_says = (f"recalibrated, only {recal_at}{finer(fine_recal)}, and at or above zero at every other threshold"
                  if recal_at is not None else "recalibrated, it never does on this grid")  # fmt: skip
    units = {(1, 1): "", (100, 1): "Thresholds in percent read the same. ",
             (1, 100): "Net benefit per 100 patients (x 100) reads the same. ",
             (100, 100): "Thresholds in percent and net benefit per 100 patients read the same. "}[(sx, sy)]
    if units:  # a new sentence after the units' one
        raw_says = raw_says[0].upper() + raw_says[1:]
    return correct(f"{units}{raw_says}; {recal_says}. A crossing lies between two thresholds of a grid, so a finer "
                   "grid moves it; near zero these signs are within the bootstrap band of net benefit (the lesson "
                   "shows it): read them as consistent with the calibration slope, not as proof of it.")


# ------------------------------------------------------------------------------------------------ exercise 6
def _unit_counts(unit: int) -> tuple[int, int]:
    data = inputs()
    icu = data.descriptors["ICUType"]
    ids = icu.index[icu.eq(unit)]
    died = data.died.reindex(ids)
    survival = data.outcomes["Survival"].reindex(ids)
    return int(died.sum()), int((died.eq(1) & survival.le(EARLY_DAYS)).sum())


@exercise(mistakes={
    "survival_as_death": "Survival >= 0 is not a death in hospital: Survival is also set for patients who left "
                         "hospital alive and died later, which is why {more} of your {given} are not deaths in "
                         "hospital. Count the deaths with In-hospital_death = 1.",
    "after_discharge": "the second count includes patients whose Survival is set although they left hospital alive "
                       "(deaths after discharge): count only In-hospital_death = 1.",
    "strictly": "use Survival <= {days} (within {days} days, the day itself included).",
    "strictly_or_stay": "{count} is what Survival < {days} gives (the day itself left out), and also what "
                        "Length_of_stay <= {days} gives: count deaths with Survival <= {days}, the day itself "
                        "included; Length_of_stay is the hospital stay, not the days to death.",
    "length_of_stay": "that counts Length_of_stay <= {days}, the hospital stay; the days from admission to death are "
                      "Survival: count deaths with Survival <= {days}.",
    "order": "the numbers are right but in the wrong order: (deaths, early deaths), deaths first.",
    "stays_deaths": "that is (stays, deaths); the exercise asks for (deaths, deaths within {days} days).",
    "other_unit": "that is ICUType {unit}, {name}; Coronary Care is ICUType {ccu}.",
    "all_units": "those are the counts over all four units; select the Coronary Care stays (ICUType {ccu}) first.",
})  # fmt: skip
def capstone_counts(answer):
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return incorrect("expected a tuple (deaths, early deaths), for example (50, 5).")
    values = [as_number(v) for v in answer]
    if any(v is None or not float(v).is_integer() for v in values):
        return incorrect("both parts must be whole numbers: (deaths, early deaths).")
    given = tuple(int(v) for v in values)
    data = inputs()
    icu = data.descriptors["ICUType"]
    ids = icu.index[icu.eq(CAPSTONE_UNIT)]
    died = data.died.reindex(ids)
    survival = data.outcomes["Survival"].reindex(ids)
    expected = _unit_counts(CAPSTONE_UNIT)
    if given == expected:
        return correct(f"{expected[0]} deaths in hospital among {len(ids)} Coronary Care stays, {expected[1]} of them "
                       f"within {EARLY_DAYS} days of admission: an alert at hour 48 reaches them hours before their "
                       "death at best, or after it.")  # fmt: skip
    any_death = int(survival.between(0, EARLY_DAYS).sum())
    any_recorded = int(survival.ge(0).sum())  # the warned mistake: every recorded death counted as one in hospital
    if given[0] == any_recorded and any_recorded != expected[0] and given[1] in (any_death, expected[1]):
        return close(named("survival_as_death", more=any_recorded - expected[0], given=any_recorded))
    if given == (expected[0], any_death) and any_death != expected[1]:
        return close(named("after_discharge"))
    strictly = int((died.eq(1) & survival.lt(EARLY_DAYS)).sum())
    by_stay = int((died.eq(1) & data.outcomes["Length_of_stay"].reindex(ids).le(EARLY_DAYS)).sum())
    if given == (expected[0], strictly) and strictly != expected[1]:
        if by_stay == strictly:
            return close(named("strictly_or_stay", count=strictly, days=EARLY_DAYS))
        return close(named("strictly", days=EARLY_DAYS))
    if given == (expected[0], by_stay) and by_stay != expected[1]:
        return close(named("length_of_stay", days=EARLY_DAYS))
    if given == expected[::-1]:
        return close(named("order"))
    if given == (len(ids), expected[0]):
        return close(named("stays_deaths", days=EARLY_DAYS))
    for unit, name in ((2, "Cardiac Surgery Recovery"), (3, "Medical"), (4, "Surgical")):
        if given == _unit_counts(unit):
            return close(named("other_unit", unit=unit, name=name, ccu=CAPSTONE_UNIT))
    all_units = (int(data.died.sum()), int((data.died.eq(1) & data.outcomes["Survival"].reindex(data.died.index)
                                                               .le(EARLY_DAYS)).sum()))  # fmt: skip
    if given == all_units:
        return close(named("all_units", ccu=CAPSTONE_UNIT))
    if given[0] == expected[0]:
        return incorrect(f"{given[0]} deaths is right; count among them those with Survival <= {EARLY_DAYS}.")
    return incorrect(f"{given} is not it: select the stays with ICUType {CAPSTONE_UNIT}, then count their deaths in "
                     f"hospital and, among those, the ones with Survival <= {EARLY_DAYS} days.")  # fmt: skip
