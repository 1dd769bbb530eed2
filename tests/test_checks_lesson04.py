"""Lesson 04 checks, walked through as a student would: for every exercise the warned mistake, other plausible wrong
answers, the lesson's printed number copied in, and right answers written other ways, each with its status and what
the message names. Expected values are recomputed here from the data, without the check's helpers."""

from __future__ import annotations

from functools import cache

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from heartdata import challenge2012, feedback, stats
from heartdata.checks import lesson04 as check

matplotlib.use("Agg")

CHECKS = [
    check.rare_parameters,
    check.lactate_death_rates,
    check.ventilated_fraction,
    check.lactate_24h,
    check.lactate_features,
    check.draws_plot,
]


@cache
def _data():
    stays = challenge2012.load_stays()
    is_desc = stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)
    series = stays[~is_desc]
    outcomes = challenge2012.load_outcomes()
    unit = stays[stays["Time"].eq(0) & stays["Parameter"].eq("ICUType")].groupby("RecordID")["Value"].first()
    return series, outcomes.index, outcomes["In-hospital_death"], unit


def _lactate_24h():
    series, ids, _, _ = _data()
    lac = series[series["Parameter"].eq("Lactate") & series["Time"].le(24 * 60)]
    return lac.sort_values(["RecordID", "Time"]).groupby("RecordID")["Value"].last().reindex(ids)


def _is(fb, status, *words):
    assert fb.status == status, fb
    for w in words:
        assert w in fb.message, (w, fb.message)


@pytest.mark.parametrize("check_", CHECKS, ids=lambda c: c.__name__)
def test_none_is_not_attempted(check_):
    assert check_(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["HR", 3, [1, 2], {"a": 1}, pd.DataFrame({"a": [1, 2]}), object(), True])
@pytest.mark.parametrize("check_", CHECKS, ids=lambda c: c.__name__)
def test_strange_answers_are_incorrect_not_errors(check_, bad):
    fb = check_(bad)
    assert fb.status == feedback.INCORRECT, (check_.__name__, bad, fb)


def test_every_named_mistake_is_declared():
    for c in CHECKS[:-1]:
        assert c.mistakes, c.__name__


# ---------------------------------------------------------------- exercise 1: the Medical ICU's rare parameters


def test_rare_parameters_walkthrough():
    series, ids, _, unit = _data()
    medical = unit.index[unit.eq(3)]
    n = series[series["RecordID"].isin(medical)].groupby("Parameter")["RecordID"].nunique()
    frac = n / len(medical)
    right = sorted(frac.index[frac < 0.5])
    assert right == ["Cholesterol", "DiasABP", "MAP", "RespRate", "SaO2", "SysABP", "TroponinI", "TroponinT"]
    # right, written three ways
    assert check.rare_parameters(right).correct
    assert check.rare_parameters(frac[frac < 0.5]).correct  # a Series of fractions indexed by name
    assert check.rare_parameters(pd.Index(right)).correct
    # the lesson's list, for all stays, copied in
    everyone = series.groupby("Parameter")["RecordID"].nunique() / len(ids)
    _is(check.rare_parameters(list(everyone.index[everyone < 0.5])), feedback.CLOSE, "all 4,000 stays", "Medical")
    # the warned mistake: rows, not stays
    rows = series.loc[series["RecordID"].isin(medical), "Parameter"].value_counts()
    _is(check.rare_parameters(set(rows.index[rows < len(medical) / 2])), feedback.CLOSE, "*rows*")
    # the unit's stays divided by all stays: every parameter is listed, which rows / rows also gives (walkthrough 8)
    _is(check.rare_parameters(set(n.index[n / len(ids) < 0.5])), feedback.CLOSE, "all 37 parameters",
        "Dividing by all 4,000 stays, or dividing numbers of *rows*", "1,481")
    _is(check.rare_parameters([*right, "Height"]), feedback.CLOSE, "descriptors")
    _is(check.rare_parameters(right[:-1]), feedback.INCORRECT, "1 missing")
    _is(check.rare_parameters(x for x in right), feedback.INCORRECT, "use it up")  # a generator is not consumed


# ---------------------------------------------------------------- exercise 2: a lactate by hour 24


def test_lactate_death_rates_walkthrough():
    series, ids, died, _ = _data()
    early = series[series["Parameter"].eq("Lactate") & series["Time"].le(1440)]
    has = pd.Series(ids.isin(early["RecordID"]), index=ids)
    rates = died.groupby(has).mean()
    assert (round(rates[True], 3), round(rates[False], 3)) == (0.176, 0.103)
    assert check.lactate_death_rates(rates).correct
    assert check.lactate_death_rates({"measured": rates[True], "not measured": rates[False]}).correct
    assert check.lactate_death_rates(rates.to_frame("rate")).correct  # a one-column table
    # the lesson's 48-hour rates copied in
    whole = pd.Series(ids.isin(series.loc[series["Parameter"].eq("Lactate"), "RecordID"]), index=ids)
    _is(check.lactate_death_rates(died.groupby(whole).mean()), feedback.CLOSE, "48 hours", "Time <= 24 * 60")
    # the warned mistake: starting from the lactate rows loses the stays without one
    _is(check.lactate_death_rates({True: rates[True]}), feedback.CLOSE, "*without* one are missing")
    per_row = early["RecordID"].map(died).mean()
    _is(check.lactate_death_rates({True: per_row, False: rates[False]}), feedback.CLOSE, "*rows*")
    _is(check.lactate_death_rates(died.groupby(has).sum() / len(died)), feedback.CLOSE, "*in that group*")
    _is(check.lactate_death_rates(100 * rates), feedback.CLOSE, "percentages")
    _is(check.lactate_death_rates({True: rates[False], False: rates[True]}), feedback.CLOSE, "swapped")
    _is(check.lactate_death_rates(died.groupby(has).sum()), feedback.CLOSE, "numbers of deaths")
    reverse = has.groupby(died).mean()
    _is(check.lactate_death_rates({True: reverse[1], False: reverse[0]}), feedback.CLOSE, "other way round")
    _is(check.lactate_death_rates({True: 0.5, False: 0.1}), feedback.INCORRECT, "Time <= 1440")


# ---------------------------------------------------------------- exercise 3: ventilated by hour 12


def test_ventilated_fraction_walkthrough():
    series, ids, _, _ = _data()
    mv = series[series["Parameter"].eq("MechVent")]
    early = mv[mv["Time"].le(720)]
    right = early["RecordID"].nunique() / len(ids)
    assert round(right, 4) == 0.5675
    fb = check.ventilated_fraction(right)
    _is(fb, feedback.CORRECT, "2,270 of the 4,000")
    assert check.ventilated_fraction(np.float32(right)).status != feedback.INCORRECT  # a numpy scalar is a number
    assert check.ventilated_fraction(pd.Series([right])).correct
    # the warned mistake: the mean of the values
    _is(check.ventilated_fraction(early["Value"].mean()), feedback.CLOSE, "always 1")
    # the lesson's 48-hour fraction copied in
    _is(check.ventilated_fraction(mv["RecordID"].nunique() / len(ids)), feedback.CLOSE, "whole 48 hours")
    # denominators: rows, the stays with any measurement by hour 12, no denominator at all
    _is(check.ventilated_fraction(len(early) / len(ids)), feedback.CLOSE, "*rows*")
    any_row = series.loc[series["Time"].le(720), "RecordID"].nunique()
    assert any_row < len(ids)
    _is(check.ventilated_fraction(early["RecordID"].nunique() / any_row), feedback.CLOSE, "all 4,000 stays")
    _is(check.ventilated_fraction(early["RecordID"].nunique()), feedback.CLOSE, "divide by")
    _is(check.ventilated_fraction(100 * right), feedback.CLOSE, "percentage")
    strict = mv.loc[mv["Time"].lt(720), "RecordID"].nunique() / len(ids)
    if strict != right:  # no MechVent row at exactly 12:00 in the shipped stays: then `<` is right too
        _is(check.ventilated_fraction(strict), feedback.CLOSE, "12:00")
    else:
        assert check.ventilated_fraction(strict).correct
    _is(check.ventilated_fraction(round(right, 2)), feedback.CLOSE, "rounded")
    _is(check.ventilated_fraction(0.2), feedback.INCORRECT, "Time <= 720")
    _is(check.ventilated_fraction(True), feedback.INCORRECT, "yes/no")


# ---------------------------------------------------------------- exercise 4: LOCF at hour 24


def test_lactate_24h_walkthrough():
    series, ids, _, _ = _data()
    right = _lactate_24h()
    assert right.notna().sum() == 1957
    assert check.lactate_24h(right).correct
    assert check.lactate_24h(right.to_frame("lactate")).correct  # a one-column table
    lac = series[series["Parameter"].eq("Lactate") & series["Time"].le(1440)]
    pivoted = lac.pivot_table(index="RecordID", columns="Time", values="Value").ffill(axis=1).iloc[:, -1]
    assert check.lactate_24h(pivoted.reindex(ids)).correct  # wide, forward-filled along time: the same values
    _is(check.lactate_24h(right.dropna()), feedback.CLOSE, "all 4,000")
    every = series[series["Parameter"].eq("Lactate")].sort_values(["RecordID", "Time"])
    _is(check.lactate_24h(every.groupby("RecordID")["Value"].last().reindex(ids)), feedback.CLOSE, "leakage")
    _is(check.lactate_24h(lac.groupby("RecordID")["Value"].first().reindex(ids)), feedback.CLOSE, "*first*")
    strict = lac[lac["Time"].lt(1440)].sort_values("Time").groupby("RecordID")["Value"].last().reindex(ids)
    _is(check.lactate_24h(strict), feedback.CLOSE, "exactly 24:00")
    # fillna(0) is named as what it is, not as a forward fill
    fb = check.lactate_24h(right.fillna(0))
    _is(fb, feedback.CLOSE, "got 0", "2,043")
    assert "forward" not in fb.message
    _is(check.lactate_24h(right.fillna(right.mean())), feedback.CLOSE, "all got", "exercise 5")
    # the forward fill the old message guessed at is named only when the answer is that
    _is(check.lactate_24h(right.ffill()), feedback.CLOSE, "`ffill`", "across stays")
    _is(check.lactate_24h(right.bfill()), feedback.CLOSE, "back fill")
    _is(check.lactate_24h(right + 1), feedback.INCORRECT, "Time <= 1440")
    student = right.copy()
    check.lactate_24h(student)
    assert student.equals(right)  # the check did not change the student's Series


# ---------------------------------------------------------------- exercise 5: indicator and fill


def test_lactate_features_walkthrough():
    series, ids, _, _ = _data()
    lac = _lactate_24h()
    right = pd.DataFrame({"lactate_missing": lac.isna(), "lactate": lac.fillna(1.0)})
    assert check.lactate_features(right).correct
    assert check.lactate_features(right.assign(lactate_missing=right["lactate_missing"].astype(int))).correct
    assert check.lactate_features(right.assign(lactate=lac.fillna(lac.median()))).correct
    assert check.lactate_features(right.reset_index()).correct  # RecordID as a column
    assert check.lactate_features(right[["lactate", "lactate_missing"]]).correct
    _is(check.lactate_features(right.assign(lactate=lac)), feedback.CLOSE, "still NaN")
    _is(check.lactate_features(right.assign(lactate_missing=lac.notna())), feedback.CLOSE, "inverted")
    ever = pd.Series(ids.isin(series.loc[series["Parameter"].eq("Lactate"), "RecordID"]), index=ids)
    _is(check.lactate_features(right.assign(lactate_missing=~ever)), feedback.CLOSE, "whole 48 h")
    later = series[series["Parameter"].eq("Lactate")].sort_values("Time").groupby("RecordID")["Value"].first()
    backfilled = lac.fillna(later.reindex(ids)).fillna(1.0)
    _is(check.lactate_features(right.assign(lactate=backfilled)), feedback.CLOSE, "back-fill")
    shifted = right.assign(lactate=right["lactate"] + np.where(lac.notna(), 0.5, 0))
    _is(check.lactate_features(shifted), feedback.INCORRECT, "LOCF")
    _is(check.lactate_features(right.iloc[:100]), feedback.INCORRECT, "one row per stay")
    for sentinel in (-1, 0, 1000):  # the review's case: impossible fills were marked correct
        _is(check.lactate_features(right.assign(lactate=lac.fillna(sentinel))), feedback.INCORRECT, "sentinel")


# ---------------------------------------------------------------- exercise 6: the Medical ICU's figure


def _draws(unit_only=True):
    series, ids, died, unit = _data()
    keep = unit.index[unit.eq(3)] if unit_only else ids
    n = series[series["Parameter"].eq("Lactate")].groupby("RecordID").size().reindex(keep, fill_value=0)
    groups = pd.cut(n, [-1, 0, 1, 3, np.inf], labels=["0", "1", "2-3", "4 or more"])
    return stats.rate_table(died.reindex(keep), groups), groups


def _axes(y, yerr=None, fmt="o", bottom=0, labels=True, x=None, close=True):
    fig, ax = plt.subplots()
    ax.errorbar(np.arange(len(y)) if x is None else x, y, yerr=yerr, fmt=fmt)
    if x is None and len(y) == 4:  # the ticks name the groups
        ax.set_xticks(np.arange(4), ["0", "1", "2-3", "4 or more"])
    if bottom is not None:
        ax.set_ylim(bottom=bottom)
    if labels:
        unit = "death (%)" if np.nanmax(np.asarray(y, dtype=float)) > 1 else "death rate"
        ax.set(xlabel="lactate draws", ylabel=unit)
    if close:
        plt.close(fig)
    return ax


def test_draws_plot_walkthrough():
    t, groups = _draws()
    assert t["n"].sum() == 1481 and t["count"].tolist() == [87, 54, 48, 86]
    pct, bars = 100 * t["rate"], stats.error_bars(t, 100)
    assert check.draws_plot(_axes(pct, bars)).correct
    assert check.draws_plot(_axes(t["rate"], stats.error_bars(t), x=list(t.index))).correct  # fractions, labels
    # the lesson's figure, for all units, copied in
    everyone, _ = _draws(unit_only=False)
    _is(check.draws_plot(_axes(100 * everyone["rate"], stats.error_bars(everyone, 100))), feedback.CLOSE, "all units")
    # the two warned traps: a line joining the groups, a truncated y axis
    _is(check.draws_plot(_axes(pct, bars, fmt="o-")), feedback.CLOSE, "joined by a line")
    _is(check.draws_plot(_axes(pct, bars, bottom=8)), feedback.CLOSE, "starts at 8")
    _is(check.draws_plot(_axes(pct)), feedback.CLOSE, "no error bars")
    _is(check.draws_plot(_axes(pct, bars, labels=False)), feedback.CLOSE, "label")
    _is(check.draws_plot(_axes(t["count"].astype(float))), feedback.CLOSE, "numbers of deaths")
    share = groups.value_counts(normalize=True).reindex(t.index).to_numpy()
    _is(check.draws_plot(_axes(share)), feedback.CLOSE, "share of the unit's stays")
    _is(check.draws_plot(_axes(pct.iloc[1:], bars[:, 1:])), feedback.CLOSE, "'0' group is missing")
    # a figure drawn with pyplot but not passed is read, not called "not attempted"
    plt.close("all")
    _axes(pct, bars, close=False)
    fb = check.draws_plot(None)
    plt.close("all")
    _is(fb, feedback.CORRECT, "I read the figure you drew")
    fig, ax = plt.subplots()
    plt.close(fig)
    # an empty figure with nothing drawn elsewhere: "not attempted" (one rule for every lesson: feedback.empty_axes)
    assert check.draws_plot(ax).status == feedback.NOT_ATTEMPTED


def test_lactate_features_refuses_an_extreme_fill():
    """Review 3: a fill of 29 mmol/L was marked correct. A fill outside 0.5 mmol/L .. the measured stays' 90th centile
    is named; normal and typical fills (1.0, the median, the mean of the measured stays) pass."""
    lac = _lactate_24h()
    right = pd.DataFrame({"lactate_missing": lac.isna(), "lactate": lac.fillna(1.0)})
    for fill in (29, 10, 0.2):
        fb = check.lactate_features(right.assign(lactate=lac.fillna(fill)))
        _is(fb, feedback.CLOSE, "plausibly")
        assert "indicator's coefficient" in fb.message and "tree" in fb.message
    for fill in (1.0, lac.median(), lac.mean(), 2):
        assert check.lactate_features(right.assign(lactate=lac.fillna(fill))).correct, fill


def test_lactate_death_rates_reports_counts_and_the_interval():
    """Review 3: the success message claimed a gap without an interval; it now gives counts and Newcombe's interval."""
    _, _, died, _ = _data()
    lac = _lactate_24h()
    has = lac.notna()
    fb = check.lactate_death_rates(died.groupby(has).mean())
    d = stats.difference_ci(int(died[has].sum()), int(has.sum()), int(died[~has].sum()), int((~has).sum()))
    assert fb.correct and f"{100 * d.low:+.1f} to {100 * d.high:+.1f}" in fb.message and "Newcombe" in fb.message
    assert f"of {int(has.sum()):,} stays" in fb.message and d.low > 0 and "already" in fb.message
    assert check.lactate_death_rates({True: died[has].mean(), False: died[~has].mean()}).correct  # a dict


def test_walkthrough8_draws_plot_judges_what_is_visible():
    """Walkthrough 8: a y range that hides the 4-or-more group, a y label without the unit, bars, an axis from -5 were
    ticked; Wald intervals were told that `yerr` takes distances (they did: the interval was the wrong one)."""
    t, _ = _draws()
    pct, bars = 100 * t["rate"], stats.error_bars(t, 100)
    ax = _axes(pct, bars, close=False)
    ax.set_ylim(0, 30)  # the 4-or-more point (31.3%) and its interval off the chart
    fb = check.draws_plot(ax)
    assert fb.status == feedback.CLOSE and "hide 1 of the 4 points" in fb.message
    assert "y axis shows 0 to 30" in fb.message
    ax = _axes(pct, bars, close=False)
    ax.set_ylabel("death")
    fb = check.draws_plot(ax)
    assert fb.status == feedback.CLOSE and "'death'" in fb.message and "does not say the unit" in fb.message
    fig, ax = plt.subplots()
    ax.bar(np.arange(4), pct, yerr=bars)
    ax.set_xticks(np.arange(4), list(t.index))
    ax.set(xlabel="lactate values (groups)", ylabel="in-hospital death, %")
    fb = check.draws_plot(ax)
    assert fb.status == feedback.CLOSE and "drawn as bars" in fb.message
    ax = _axes(pct, bars, close=False)
    ax.set_ylim(-5, 60)
    fb = check.draws_plot(ax)
    assert fb.status == feedback.CLOSE and "starts at -5, below 0" in fb.message
    se = np.sqrt(t["rate"] * (1 - t["rate"]) / t["n"])
    fb = check.draws_plot(_axes(pct, 196 * se))
    assert fb.status == feedback.CLOSE and "symmetric" in fb.message and "normal approximation" in fb.message
    fig, ax = plt.subplots()  # ticks that are not the groups: 0, 1, 2, 3
    ax.errorbar(np.arange(4), pct, yerr=bars, fmt="o")
    ax.set(xlabel="lactate draws", ylabel="death (%)", ylim=(0, None))
    fb = check.draws_plot(ax)
    assert fb.status == feedback.CLOSE and "'2', '3'" in fb.message and "2-3, 4 or more" in fb.message
    # right answers: all points in view, ticks "4+" and "2–3" written other ways
    ax = _axes(pct, bars, close=False)
    ax.set_ylim(0, 40)
    assert check.draws_plot(ax).correct
    fig, ax = plt.subplots()
    ax.errorbar(["none", "1", "2–3", "4+"], pct, yerr=bars, fmt="o")
    ax.set(xlabel="lactate draws in 48 h", ylabel="in-hospital death (%)", ylim=(0, None))
    assert check.draws_plot(ax).correct  # "none" names the 0 group
    fig, ax = plt.subplots()
    ax.errorbar(["0", "1", "2–3", "4+"], pct, yerr=bars, fmt="o")
    ax.set(xlabel="lactate draws in 48 h", ylabel="in-hospital death (%)", ylim=(0, None))
    assert check.draws_plot(ax).correct
    plt.close("all")


def test_walkthrough8_rare_parameters_names_what_the_answer_shows():
    """Walkthrough 8: shares of rows listed every parameter and were told "divided by all 4,000 stays"; the Surgical
    ICU's list, identical to the all-stays list, was told only "the list for all 4,000 stays"."""
    series, ids, _, unit = _data()
    medical = unit.index[unit.eq(3)]
    rs = series[series["RecordID"].isin(medical)]["Parameter"].value_counts(normalize=True)
    fb = check.rare_parameters(list(rs[rs < 0.5].index))
    _is(fb, feedback.CLOSE, "you listed all 37 parameters", "*rows*", "1,481")
    surgical = unit.index[unit.eq(4)]
    m = series.groupby(["RecordID", "Parameter"]).size().unstack(fill_value=0).reindex(ids, fill_value=0) > 0
    f = m.loc[surgical].mean()
    _is(check.rare_parameters(list(f[f < 0.5].index)), feedback.CLOSE, "all 4,000 stays",
        "also the Surgical ICU's list")
    f = m.loc[medical].mean()
    _is(check.rare_parameters(list(f[f < 0.5].index)), feedback.CORRECT)


def test_walkthrough8_lactate_death_rates_names_the_trap_and_rounding():
    """Walkthrough 8: grouping only the stays with Lactate rows (the warned trap) and the right rates rounded got the
    generic "the rates do not match"."""
    series, ids, died, _ = _data()
    lac = series[series["Parameter"].eq("Lactate")]
    per = lac.groupby("RecordID")["Time"].min().le(24 * 60)
    fb = check.lactate_death_rates(died.reindex(per.index).groupby(per).mean())
    _is(fb, feedback.CLOSE, "True is right", "no `Lactate` row", "record_ids")
    has24 = pd.Series(ids.isin(lac.loc[lac["Time"].le(1440), "RecordID"]), index=ids)
    _is(check.lactate_death_rates(died.groupby(has24).mean().round(2)), feedback.CLOSE, "rounded to 2 decimals")
    _is(check.lactate_death_rates(died.groupby(has24).mean().round(3)), feedback.CLOSE, "rounded to 3 decimals")
    _is(check.lactate_death_rates(died.groupby(has24).mean()), feedback.CORRECT)


def test_walkthrough8_lactate_features_fill_rule_is_in_the_prompt():
    """Walkthrough 8: a fill of 0 was refused by a rule only the check stated; the prompt now says the fill must be a
    lactate a stay could plausibly have. The misnamed-columns message no longer lists the index as a column."""
    import json

    from conftest import REPO

    nb = json.loads((REPO / "exercises" / "04-incompleteness-practice.ipynb").read_text())
    prompt = next("".join(c["source"]) for c in nb["cells"] if "Exercise 5" in "".join(c["source"]))
    assert "plausibly have" in prompt and "not a code such as 0 or -1" in prompt
    l24 = _lactate_24h()
    fb = check.lactate_features(pd.DataFrame({"lactate_missing": l24.isna(), "lactate": l24.fillna(0)}))
    _is(fb, feedback.INCORRECT, "0 mmol/L is not a possible lactate")
    right = pd.DataFrame({"lactate_missing": l24.isna(), "lactate": l24.fillna(l24.median())})
    _is(check.lactate_features(right), feedback.CORRECT)
    fb = check.lactate_features(right.set_axis(["missing", "value"], axis=1))
    _is(fb, feedback.INCORRECT, "found ['missing', 'value']")


def test_walkthrough8_draws_plot_tick_labels_with_group_sizes():
    """The worked solution labels each group with its size ("2-3\\n(n=269)"): the size names no group."""
    t, _ = _draws()
    for labels in ([f"{g}\n(n={n})" for g, n in zip(t.index, t["n"], strict=True)],
                   [f"{g} ({n:,} stays)" for g, n in zip(t.index, t["n"], strict=True)]):
        ax = _axes(100 * t["rate"], stats.error_bars(t, 100), close=False)
        ax.set_xticks(np.arange(4), labels)
        assert check.draws_plot(ax).correct, labels
    plt.close("all")


def test_r22_draws_plot_groups_named_in_words():
    """r22-s05 D05-1 in lesson 04: ticks 'none', 'one', 'two or three', 'four+' name the four groups; they were
    refused with "the tick labels read '0', no label, no label, no label"."""
    t, _ = _draws()
    ax = _axes(100 * t["rate"], stats.error_bars(t, 100))
    ax.set_xticks(np.arange(4), ["none", "one", "two or three", "four+"])
    fb = check.draws_plot(ax)
    assert fb.correct, fb
    ax = _axes(100 * t["rate"], stats.error_bars(t, 100))
    ax.set_xticks(np.arange(4), ["one", "none", "two or three", "four+"])  # two groups' names swapped
    _is(check.draws_plot(ax), feedback.CLOSE, "'1', '0', '2-3', '4'")


def test_r22_rare_parameters_boolean_mask_is_named():
    """r22-s05 D04-1: `share < 0.5` passed unfiltered (a True/False Series indexed by parameter) was read as its
    index, all parameters, and told 'you listed all 37: every share came out below 0.5', which the student did not
    do. It is now named as a mask, with what its True entries hold."""
    series, ids, _, unit = _data()
    medical = unit.index[unit.eq(3)]
    frac = series[series["RecordID"].isin(medical)].groupby("Parameter")["RecordID"].nunique() / len(medical)
    fb = check.rare_parameters(frac < 0.5)
    _is(fb, feedback.CLOSE, "yes/no mask", f"{int((frac < 0.5).sum())} True of {len(frac)}",
        "Its True entries are the right parameters")
    assert "listed all" not in fb.message
    _is(check.rare_parameters(frac < 0.2), feedback.CLOSE, "yes/no mask", "not yet the right parameters")
    assert check.rare_parameters(list(frac.index[frac < 0.5])).correct


# --- student walkthrough r25 (A) ---------------------------------------------------------------------------------


def test_r25_ventilated_denominator_hours_and_joined_names():
    """r25-stuA 04 E3 and E1 (weak): dividing by the stays ever ventilated (the denominator the prompt asks about)
    and `Time <= 12` (hours read as minutes) got "is not it"; the names joined into one text were told to put "ids"
    in a list like `[1, 2, 3]`."""
    series, ids, _, unit = _data()
    mv = series[series["Parameter"].eq("MechVent")]
    early = mv.loc[mv["Time"].le(720), "RecordID"].nunique()
    fb = check.ventilated_fraction(early / mv["RecordID"].nunique())
    assert fb.status == feedback.CLOSE and "any time in the 48 hours" in fb.message, fb
    fb = check.ventilated_fraction(mv.loc[mv["Time"].le(12), "RecordID"].nunique() / len(ids))
    assert fb.status == feedback.CLOSE and "12 * 60" in fb.message, fb
    assert check.ventilated_fraction(early / len(ids)).correct
    fb = check.rare_parameters(", ".join(sorted(check.rare_parameters_expected())))
    assert fb.status == feedback.INCORRECT and "parameter names" in fb.message and "[1, 2, 3]" not in fb.message, fb
    assert "split" in fb.message
