"""Lesson 11 checks: not attempted, the typical mistakes they name, and correct; they never raise."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from heartdata import clinic, feedback  # noqa: E402
from heartdata.checks import lesson11 as check  # noqa: E402

CHECKS = [check.question_kinds, check.alerts_per_day, check.patients_per_true_alert, check.net_benefit,
          check.decision_curve, check.cardiac_surgery]  # fmt: skip


@pytest.fixture(scope="module")
def model():
    return check.inputs()


@pytest.mark.parametrize("bad", ["0.3", [1, 2], object(), True])
def test_checks_never_raise_and_none_is_not_attempted(bad, model):
    for c in CHECKS:
        assert c(bad).status == feedback.INCORRECT, (c.__name__, bad)
        assert c(None).status == feedback.NOT_ATTEMPTED


def test_question_kinds():
    right = {k: v[0] for k, v in check.KINDS.items()}
    assert check.question_kinds(right).correct
    fb = check.question_kinds({**right, "q1": "good"})
    assert fb.status == feedback.CLOSE and "leading" in fb.message and "presupposes" in fb.message
    fb = check.question_kinds({**right, "q2": "good"})
    assert "answerable from the data" in fb.message
    assert "q3" in check.question_kinds({k: v for k, v in right.items() if k != "q3"}).message
    assert "not one of the labels" in check.question_kinds({**right, "q4": "unclear"}).message


def test_alerts_per_day_names_the_count_over_the_data_set(model):
    risk, died, per_day, _ = model
    flagged = risk >= check.THRESHOLD
    assert check.alerts_per_day(flagged.mean() * per_day).correct
    fb = check.alerts_per_day(int(flagged.sum()))
    assert fb.status == feedback.CLOSE and "not per day" in fb.message
    assert "share of stays" in check.alerts_per_day(flagged.mean()).message
    assert "true alerts" in check.alerts_per_day((flagged & died.eq(1)).mean() * per_day).message
    assert check.alerts_per_day(123.0).status == feedback.INCORRECT


def test_patients_per_true_alert(model):
    risk, died, _, _ = model
    flagged = risk >= check.THRESHOLD
    tp = int((flagged & died.eq(1)).sum())
    assert check.patients_per_true_alert(flagged.sum() / tp).correct
    assert "inverse" in check.patients_per_true_alert(tp / flagged.sum()).message
    assert "sensitivity" in check.patients_per_true_alert(died.sum() / tp).message


def test_net_benefit_names_p_instead_of_the_odds(model):
    risk, died, _, _ = model
    p, n = check.NB_THRESHOLD, len(risk)
    alert = risk >= p
    tp, fp = (alert & died.eq(1)).sum(), (alert & died.eq(0)).sum()
    assert check.net_benefit(tp / n - fp / n * p / (1 - p)).correct
    fb = check.net_benefit(tp / n - fp / n * p)
    assert fb.status == feedback.CLOSE and "odds" in fb.message
    assert "everyone" in check.net_benefit(clinic.net_benefit(died, risk, [p]).iloc[0]["treat_all"]).message


def test_decision_curve_judges_the_plotted_data(model):
    risk, died, _, _ = model
    curve = clinic.net_benefit(died, risk, check.GRID)
    fig, ax = plt.subplots()
    assert check.decision_curve(ax).status == feedback.NOT_ATTEMPTED
    ax.plot(curve["threshold"], curve["model"])
    assert "everyone" in check.decision_curve(ax).message
    ax.plot(curve["threshold"], curve["treat_all"])
    assert "label the x axis and y axis" in check.decision_curve(ax).message
    ax.set_xlabel("threshold probability")
    ax.set_ylabel("net benefit")
    assert check.decision_curve(ax).correct
    fig2, ax2 = plt.subplots()
    ax2.plot(curve["model"], curve["threshold"])
    assert "swapped" in check.decision_curve(ax2).message
    ax3 = plt.subplots()[1]
    ax3.plot(curve["threshold"], curve["model"] * 2)
    assert check.decision_curve(ax3).status == feedback.CLOSE
    plt.close("all")


def test_cardiac_surgery_names_the_coronary_unit(model):
    _, died, _, descriptors = model
    icu = descriptors["ICUType"]

    def counts(t):
        ids = icu.index[icu.eq(t)]
        return (len(ids), int(died[ids].sum()))

    assert check.cardiac_surgery(counts(2)).correct
    assert "Coronary Care" in check.cardiac_surgery(counts(1)).message
    assert "deaths among those stays" in check.cardiac_surgery((counts(2)[0], 0)).message
    assert check.cardiac_surgery((1, 1)).status == feedback.INCORRECT


def test_named_slips_from_a_student_walkthrough(model):
    risk, died, per_day, descriptors = model
    flagged = risk >= check.THRESHOLD
    assert "first divide" in check.alerts_per_day(int(flagged.sum()) * per_day).message
    p, n = check.NB_THRESHOLD, len(risk)
    alert = risk >= p
    nb = ((alert & died.eq(1)).sum() - (alert & died.eq(0)).sum() * p / (1 - p)) / n
    assert "percentage" in check.net_benefit(100 * nb).message
    surgery = descriptors.index[descriptors["ICUType"].eq(2)]
    stays, deaths = len(surgery), int(died[surgery].sum())
    assert check.cardiac_surgery([stays, deaths]).correct
    assert "wrong order" in check.cardiac_surgery((deaths, stays)).message
    curve = clinic.net_benefit(died, risk, check.GRID)
    ax = plt.subplots()[1]
    ax.plot(curve["threshold"], curve["model"])
    ax.plot(curve["threshold"], curve["treat_all"])
    ax.set_xlabel("threshold probability")
    fb = check.decision_curve(ax)
    assert "label the y axis" in fb.message and "x axis" not in fb.message
    plt.close("all")
