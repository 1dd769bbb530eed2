"""Lesson 05's checks, walked through as a student would: for every exercise the warned mistake, other plausible
wrong answers, the lesson's printed number copied in, and right answers written other ways, each with its status and
what the message names. Expected values are recomputed here from the data."""

from __future__ import annotations

import ast

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, fisher_exact
from sklearn.metrics import roc_auc_score

from heartdata import challenge2012, feedback, ptbxl, stats
from heartdata.checks import lesson05

CHECKS = [
    lesson05.death_by_icu,
    lesson05.death_by_icu_plot,
    lesson05.site_mh,
    lesson05.lactate_auroc,
    lesson05.female_gap,
    lesson05.failures,
]
BANDS = ["<40", "40-59", "60+"]
matplotlib.use("Agg")


def _icu():
    stays = challenge2012.load_stays()
    first = stays[stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)]
    wide = first.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    return wide.join(challenge2012.load_outcomes()), stays


def _meta():
    m = ptbxl.load_metadata()
    m["normal"] = m["scp_codes"].map(lambda t: "NORM" in ast.literal_eval(t))
    m["age band"] = pd.cut(m["age"], [0, 40, 60, 120], right=False, labels=BANDS)
    return m


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_not_attempted(check):
    assert check(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["0.5", 7, [1, 2], {"a": 1}, pd.DataFrame({"a": [1, 2]}), object(), True])
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_strange_answers_never_raise(check, bad):
    fb = check(bad)
    assert fb.status in (feedback.INCORRECT, feedback.CLOSE), (check.__name__, bad, fb)
    assert not fb.correct


def _death_table(interval="wilson"):
    d, _ = _icu()
    g = d.groupby("ICUType")["In-hospital_death"]
    k, n = g.sum(), g.size()
    rate = k / n
    if interval == "wald":
        se = np.sqrt(rate * (1 - rate) / n)
        low, high = rate - 1.96 * se, rate + 1.96 * se
    else:
        cis = [binomtest(int(a), int(b)).proportion_ci(method=interval) for a, b in zip(k, n, strict=True)]
        low, high = [c.low for c in cis], [c.high for c in cis]
    return pd.DataFrame({"deaths": k, "stays": n, "rate": rate, "low": low, "high": high})


def test_death_by_icu():
    right = _death_table()
    assert lesson05.death_by_icu(right).correct
    named = right.rename(index=lambda t: challenge2012.ICU_TYPES[int(t)])
    assert lesson05.death_by_icu(named).correct
    assert lesson05.death_by_icu(right.reset_index()).correct  # ICUType as a column
    pct_ci = right.assign(low=100 * right["low"], high=100 * right["high"])
    assert "percentages" in lesson05.death_by_icu(pct_ci).message
    wald = lesson05.death_by_icu(_death_table("wald"))
    assert wald.status == feedback.CLOSE and "normal approximation" in wald.message
    exact = lesson05.death_by_icu(_death_table("exact"))
    assert exact.status == feedback.CLOSE and "Clopper-Pearson" in exact.message
    pct = right.assign(rate=100 * right["rate"])
    assert "percentages" in lesson05.death_by_icu(pct).message
    surv = right.assign(rate=1 - right["rate"])
    assert "survived" in lesson05.death_by_icu(surv).message
    assert lesson05.death_by_icu(right.drop(columns="low")).status == feedback.INCORRECT
    assert lesson05.death_by_icu(right.assign(high=right["high"] + 0.01)).status == feedback.INCORRECT
    assert lesson05.death_by_icu(right.iloc[:3]).status == feedback.INCORRECT


def _pvalues(label="normal", test=lambda t: fisher_exact(t).pvalue):
    m = _meta()
    m["normal100"] = m["scp_codes"].map(lambda t: ast.literal_eval(t).get("NORM") == 100)
    out = {}
    for band in BANDS:
        part = m[m["age band"].eq(band) & m["site"].isin([0, 1])]
        out[band] = test(pd.crosstab(part["site"], part[label]).to_numpy())
    return pd.Series(out)


def _lesson_shortcut(d, has):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    scored = d["SAPS-I"].ge(0).to_numpy()
    y = d["In-hospital_death"][scored]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    x = has[scored].astype(int).reshape(-1, 1)
    return roc_auc_score(y, cross_val_predict(model, x, y, cv=cv, method="predict_proba")[:, 1]), scored


def test_lactate_auroc():
    d, stays = _icu()
    died = d["In-hospital_death"]
    lac = stays[stays["Parameter"].eq("Lactate")]
    has = d.index.isin(lac["RecordID"].unique())
    auc = roc_auc_score(died, has)
    assert round(auc, 3) == 0.587
    assert lesson05.lactate_auroc(auc).correct
    assert lesson05.lactate_auroc(roc_auc_score(died.to_numpy(), has.astype(float))).correct  # floats, arrays
    # the warned trap: built from the Lactate rows, every scored stay gets 1, a constant score
    only_rows = d.loc[d.index.isin(lac["RecordID"])]
    constant = roc_auc_score(
        pd.concat([only_rows["In-hospital_death"], died[~has]]), [1] * len(only_rows) + [1] * int((~has).sum())
    )
    fb = lesson05.lactate_auroc(constant)
    assert fb.status == feedback.CLOSE and "same for every stay" in fb.message
    # the lesson's printed number, and the lesson's stays
    early = d.index.isin(lac.loc[lac["Time"].le(24 * 60), "RecordID"].unique())  # the lesson's 24 h window
    lesson_auc, scored = _lesson_shortcut(d, early)
    assert round(lesson_auc, 3) == 0.568
    fb = lesson05.lactate_auroc(lesson_auc)
    assert fb.status == feedback.CLOSE and "lesson's cross-validated" in fb.message
    fb = lesson05.lactate_auroc(roc_auc_score(died[scored], has[scored]))
    assert fb.status == feedback.CLOSE and "3,810" in fb.message and "all 4,000" in fb.message
    flipped = lesson05.lactate_auroc(roc_auc_score(died, ~has))
    assert flipped.status == feedback.CLOSE and "wrong way round" in flipped.message
    values = lac.groupby("RecordID")["Value"].max().reindex(d.index).fillna(0)
    fb = lesson05.lactate_auroc(roc_auc_score(died, values))
    assert fb.status == feedback.CLOSE and "lactate values" in fb.message
    counts = lac.groupby("RecordID").size().reindex(d.index).fillna(0)
    fb = lesson05.lactate_auroc(roc_auc_score(died, counts))
    assert fb.status == feedback.CLOSE and "number of lactate values" in fb.message
    # no mistake gives 0.72 (0.61 is the counts mistake, rounded)
    assert lesson05.lactate_auroc(0.72).status == feedback.INCORRECT
    fb = lesson05.lactate_auroc(round(auc, 2))
    assert fb.status == feedback.CLOSE and "rounded" in fb.message


def test_female_gap():
    d, _ = _icu()
    m = ptbxl.load_metadata()
    p, c = m.loc[m["age"].ge(65), "sex"], d.loc[d["Age"].ge(65), "Gender"]
    right = p.eq(1).mean() - c.eq(0).mean()
    assert round(right, 3) == 0.079
    assert lesson05.female_gap(right).correct
    assert lesson05.female_gap(np.float64(right)).correct
    # review r19-0405 F10: the shares come with their counts
    older = m[m["age"].ge(65)]
    counts = f"({int(older['sex'].eq(1).sum())} of {len(older)} ECGs, from {older['patient_id'].nunique()} patients)"
    assert counts == "(63 of 114 ECGs, from 102 patients)" and counts in lesson05.female_gap(right).message
    assert f"({int(c.eq(0).sum()):,} of {len(c):,})" in lesson05.female_gap(right).message
    # the warned mistake: the two codings
    same_code = lesson05.female_gap(p.eq(1).mean() - c.eq(1).mean())
    assert same_code.status == feedback.CLOSE and "Gender 1 means male" in same_code.message
    ptb_wrong = lesson05.female_gap(p.eq(0).mean() - c.eq(0).mean())
    assert ptb_wrong.status == feedback.CLOSE and "sex 0 means male" in ptb_wrong.message
    # all ages (the gap the lesson's numbers give), and 'over 65' for '65 or over'
    everyone = m["sex"].eq(1).mean() - d["Gender"].eq(0).mean()
    fb = lesson05.female_gap(everyone)
    assert fb.status == feedback.CLOSE and "all ages" in fb.message
    strict = m.loc[m["age"].gt(65), "sex"].eq(1).mean() - d.loc[d["Age"].gt(65), "Gender"].eq(0).mean()
    fb = lesson05.female_gap(strict)
    assert fb.status == feedback.CLOSE and ">= 65" in fb.message
    assert "percentage points" in lesson05.female_gap(100 * right).message
    assert "wrong order" in lesson05.female_gap(-right).message
    assert lesson05.female_gap(0.2).status == feedback.INCORRECT


def test_failures():
    good = ["median age 50", "252 ECGs from site 0", "0 automatic reports"]
    assert lesson05.failures(good).correct
    assert lesson05.failures(good[:2]).status == feedback.CLOSE
    fb = lesson05.failures(["median age 50", "site bias", "0 automatic reports"])
    assert fb.status == feedback.CLOSE and "[2]" in fb.message
    assert lesson05.failures([good[0]] * 3).status == feedback.CLOSE
    assert lesson05.failures("one long string 1 2 3").status == feedback.INCORRECT


def test_failures_judges_what_each_sentence_claims():
    """Issue 25: the reviewer's three false sentences, each with a number borrowed from another fact, are refused,
    and the message says what the number really is; right sentences written other ways are accepted."""
    m = _meta()
    site0 = m[m["site"].eq(0)]
    right = ["median age 50", "252 ECGs from site 0", "0 automatic reports"]
    for i, wrong in enumerate(["Site 0 has 37 ECGs.", "Women are 17% of the slice.",
                               "The slice has 91 patients over 60."]):
        fb = lesson05.failures([*right[:i], wrong, *right[i + 1:]])
        assert fb.status == feedback.CLOSE and f"sentence {i + 1}:" in fb.message and "not the one" in fb.message
    fb = lesson05.failures(["Site 0 has 37 ECGs.", *right[1:]])
    assert "the median age from site 0" in fb.message  # 37 is site 0's median age, not its number of ECGs
    assert int(site0["age"].median()) == 37 and len(site0) == 252
    fb = lesson05.failures([right[0], "The slice has 91 patients over 60.", right[2]])
    assert "oldest age" in fb.message and int(m["age"].max()) == 91
    # a share written as a fraction, a count written "out of", ages with "years old": accepted
    women, noisy0 = m["sex"].eq(1).mean(), int(m.loc[m["site"].eq(0), "static_noise"].notna().sum())
    other_way = [f"Women make up {women:.3f} of the slice's ECGs.",
                 f"Site 0 has {noisy0} ECGs flagged with static noise, out of {len(site0)}.",
                 f"At site 0 the youngest patient is {site0['age'].min():.0f} years old."]
    assert lesson05.failures(other_way).correct
    # a true count in the wrong group is refused: site 1's size said of site 0
    n1 = int(m["site"].eq(1).sum())
    fb = lesson05.failures([right[0], f"Site 0 has {n1} ECGs.", right[2]])
    assert fb.status == feedback.CLOSE and "sentence 2:" in fb.message and "from site 1" in fb.message
    # "k of n" must be a count of what the sentence names: site 0's size is not "of women"
    fb = lesson05.failures([right[0], f"{len(site0)} of {len(m)} ECGs are from women.", right[2]])
    assert fb.status == feedback.CLOSE and "is not a count of what the sentence names" in fb.message


def test_swapped_arguments_are_named():
    d, stays = _icu()
    has = d.index.isin(stays.loc[stays["Parameter"].eq("Lactate"), "RecordID"].unique())
    fb = lesson05.lactate_auroc(roc_auc_score(has, d["In-hospital_death"]))
    assert fb.status == feedback.CLOSE and "swapped" in fb.message


def _unit_rates():
    """The in-hospital death rate of each ICU type, with its Wilson interval (what exercise 2 plots)."""
    icu = _icu()[0]
    return stats.rate_table(icu["In-hospital_death"], icu["ICUType"].astype(int))


def _plot(y, yerr=None, fmt="o", ylim=(0, None), labels=True, x=None):
    fig, ax = plt.subplots()
    ax.errorbar(np.arange(len(y)) if x is None else x, y, yerr=yerr, fmt=fmt)
    if x is None and len(y) == 4:  # the ticks name the ICU types
        ax.set_xticks(np.arange(4), ["1", "2", "3", "4"])
    if ylim is not None:
        ax.set_ylim(*ylim)
    if labels:
        percent = np.nanmax(np.asarray(y, dtype=float)) > 1
        ax.set(xlabel="ICU type", ylabel="death rate (%)" if percent else "death rate")
    plt.close(fig)
    return ax


def test_death_by_icu_plot_judges_the_figure():
    t = _unit_rates()
    bars = stats.error_bars(t)
    assert lesson05.death_by_icu_plot(_plot(t["rate"], bars)).correct
    assert lesson05.death_by_icu_plot(_plot(100 * t["rate"], 100 * bars)).correct
    names = [challenge2012.ICU_TYPES[k] for k in t.index]  # categorical x labels work too
    assert lesson05.death_by_icu_plot(_plot(t["rate"], bars, x=names)).correct
    assert lesson05.death_by_icu_plot(_plot(t["rate"], bars).figure).correct  # a Figure is accepted
    fb = lesson05.death_by_icu_plot(_plot(t["rate"], bars, fmt="o-"))
    assert fb.status == feedback.CLOSE and "joined by a line" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(t["rate"], bars, ylim=(0.02, 0.3)))
    assert fb.status == feedback.CLOSE and "starts at 0.02" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(t["rate"]))
    assert fb.status == feedback.CLOSE and "no error bars" in fb.message
    se = np.sqrt(t["rate"] * (1 - t["rate"]) / t["n"])
    fb = lesson05.death_by_icu_plot(_plot(t["rate"], 1.96 * se))
    assert fb.status == feedback.CLOSE and "not the 95% Wilson" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(t["rate"], bars, labels=False))
    assert fb.status == feedback.CLOSE and "label the x and y axes" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(t["count"], None))
    assert fb.status == feedback.CLOSE and "numbers of deaths" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(1 - t["rate"], bars))
    assert fb.status == feedback.CLOSE and "survived" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(t["rate"].iloc[:3], bars[:, :3]))
    assert fb.status == feedback.INCORRECT and "3 point(s)" in fb.message


def test_site_mh_names_the_mistakes():
    m = _meta()
    pair = m[m["site"].isin([0, 1]) & m["age"].notna()]
    four = pd.cut(pair["age"], [0, 30, 50, 70, 200], right=False)
    mh = stats.mantel_haenszel(pair["normal"], pair["site"].eq(0), four)
    assert (round(mh.odds_ratio, 2), round(mh.low, 2), round(mh.high, 2)) == (1.09, 0.61, 1.95)
    assert lesson05.site_mh((mh.odds_ratio, mh.low, mh.high)).correct
    assert lesson05.site_mh(mh).correct
    assert lesson05.site_mh(np.array([mh.odds_ratio, mh.low, mh.high])).correct
    assert lesson05.site_mh([mh.odds_ratio, mh.low, mh.high]).correct
    # the lesson's three-band answer copied in
    three = stats.mantel_haenszel(pair["normal"], pair["site"].eq(0), pair["age band"])
    fb = lesson05.site_mh((three.odds_ratio, three.low, three.high))
    assert fb.status == feedback.CLOSE and "lesson's numbers" in fb.message and "four bands" in fb.message
    fb = lesson05.site_mh(mh.odds_ratio)
    assert fb.status == feedback.CLOSE and "interval too" in fb.message
    fb = lesson05.site_mh((1 / mh.odds_ratio, 1 / mh.high, 1 / mh.low))
    assert fb.status == feedback.CLOSE and "inverse" in fb.message
    crude = stats.mantel_haenszel(pair["normal"], pair["site"].eq(0), pd.Series(1, index=pair.index))
    fb = lesson05.site_mh((crude.odds_ratio, crude.low, crude.high))
    assert fb.status == feedback.CLOSE and "crude" in fb.message
    strict = pair["scp_codes"].map(lambda t: ast.literal_eval(t).get("NORM") == 100)
    s100 = stats.mantel_haenszel(strict, pair["site"].eq(0), four)
    fb = lesson05.site_mh((s100.odds_ratio, s100.low, s100.high))
    assert fb.status == feedback.CLOSE and "likelihood 100" in fb.message
    rows = m[m["age"].notna()]
    allsites = stats.mantel_haenszel(rows["normal"], rows["site"].eq(0), pd.cut(rows["age"], [0, 30, 50, 70, 200],
                                                                                 right=False))  # fmt: skip
    fb = lesson05.site_mh((allsites.odds_ratio, allsites.low, allsites.high))
    assert fb.status == feedback.CLOSE and "sites 0 and 1" in fb.message
    pvalues = [fisher_exact(pd.crosstab(pair.loc[four.eq(b), "site"], pair.loc[four.eq(b), "normal"]).to_numpy()).pvalue
               for b in four.cat.categories]  # fmt: skip
    fb = lesson05.site_mh(pd.Series(pvalues))
    assert fb.status == feedback.CLOSE and "absence of evidence" in fb.message and "4 separate" in fb.message
    assert lesson05.site_mh((1.0, 0.5, 2.0)).status == feedback.INCORRECT


def test_failures_refuse_invented_numbers():
    m = _meta()
    real = [
        f"median age {m['age'].median():.0f}",
        f"{int(m['site'].eq(0).sum())} of {len(m)} ECGs from site 0",
        f"{int(m['initial_autogenerated_report'].sum())} automatic reports",
    ]
    assert lesson05.failures(real).correct
    site0 = m[m["site"].eq(0)]
    assert lesson05.failures([*real[:2], f"site 0: {site0['normal'].mean():.1%} normal"]).correct
    for invented, words in [
        ("71.3% of the ECGs are flagged as noisy", "71.3%"),  # a share no group has
        ("the median age is 75", "75"),
        ("1,234 ECGs come from older devices", "1,234"),
        ("300 of 450 ECGs are normal", "'300 of 450'"),  # both numbers exist, the pair does not
    ]:
        fb = lesson05.failures([*real[:2], invented])
        assert fb.status == feedback.CLOSE and words in fb.message and "sentence 3" in fb.message, (invented, fb)


def test_death_by_icu_rounded_and_counts():
    """Student walkthrough: a rounded table is told it is rounded (even to 4 dp); the counts beside the rates are
    required and checked; a right table written another way (unit names, counts as floats) still passes."""
    right = _death_table()
    assert {"deaths", "stays"} <= set(right.columns)
    for dp in (2, 3, 4):
        fb = lesson05.death_by_icu(right.round(dp))
        assert fb.status == feedback.CLOSE and f"rounded to {dp} decimals" in fb.message, dp
        assert "not deaths / stays" not in fb.message
    partly = right.assign(low=right["low"].round(4), high=right["high"].round(4))  # only the interval rounded
    fb = lesson05.death_by_icu(partly)
    assert fb.status == feedback.CLOSE and "rounded to 4 decimals" in fb.message
    fb = lesson05.death_by_icu(right[["rate", "low", "high"]])
    assert fb.status == feedback.CLOSE and "`deaths` and `stays`" in fb.message
    fb = lesson05.death_by_icu(right.drop(columns="stays"))
    assert fb.status == feedback.CLOSE and "`stays`" in fb.message and "`deaths`" not in fb.message
    swapped = right.assign(deaths=right["stays"] - right["deaths"])  # survivors counted as deaths
    fb = lesson05.death_by_icu(swapped)
    assert fb.status == feedback.INCORRECT and "number of deaths" in fb.message
    other = right.astype({"deaths": float, "stays": float}).rename(index=lambda t: challenge2012.ICU_TYPES[int(t)])
    assert lesson05.death_by_icu(other).correct


def test_death_by_icu_plot_units_and_orientation():
    """Student walkthrough: a "(%)" y label over fractions is named; a horizontal plot is named as such."""
    t = _unit_rates()
    bars = stats.error_bars(t)
    for label in ("death rate (%)", "in-hospital death, percent"):
        ax = _plot(t["rate"], bars)
        ax.set_ylabel(label)
        fb = lesson05.death_by_icu_plot(ax)
        assert fb.status == feedback.CLOSE and "fractions" in fb.message and "label" in fb.message, label
    ax = _plot(100 * t["rate"], 100 * bars)
    ax.set_ylabel("death rate (%)")
    assert lesson05.death_by_icu_plot(ax).correct  # percent values under a percent label
    ax = _plot(t["rate"], bars)
    ax.set_ylabel("death rate (fraction of stays)")
    assert lesson05.death_by_icu_plot(ax).correct
    fig, ax = plt.subplots()
    ax.errorbar(t["rate"], np.arange(len(t)), xerr=bars, fmt="o")
    ax.set(xlabel="death rate", ylabel="ICU type")
    plt.close(fig)
    fb = lesson05.death_by_icu_plot(ax)
    assert fb.status == feedback.CLOSE and "horizontal" in fb.message
    assert "not the in-hospital death rate" not in fb.message


def test_death_by_icu_plot_confidence_level_is_not_a_percent_unit():
    """Review F05-1: the "%" of a confidence level ("95% Wilson", "95 % CI") in the y label of a fraction axis is not
    a percent unit, so the worked solution's label passes; a label whose unit is percent is still named."""
    t = _unit_rates()
    bars = stats.error_bars(t)
    for label in ("in-hospital death rate\n(fraction; 95% Wilson)", "death rate (95% Wilson interval)",
                  "death rate, 95 % CI", "death rate (fraction, CI 95%)", "death rate (95% C.I.)",
                  "death rate (fraction; 97.5% confidence interval)"):
        ax = _plot(t["rate"], bars)
        ax.set_ylabel(label)
        assert lesson05.death_by_icu_plot(ax).correct, label
    for label in ("death rate (%)", "deaths, %", "death rate (%; 95% Wilson)", "death rate (95% CI, %)",
                  "death rate, 95 % CI, in percent"):
        ax = _plot(t["rate"], bars)
        ax.set_ylabel(label)
        fb = lesson05.death_by_icu_plot(ax)
        assert fb.status == feedback.CLOSE and "fractions" in fb.message and "label" in fb.message, label
    ax = _plot(100 * t["rate"], 100 * bars)
    ax.set_ylabel("death rate, % (95% Wilson)")
    assert lesson05.death_by_icu_plot(ax).correct


def test_site_mh_rounded_and_typed_from_the_lesson():
    """Student walkthrough: the right answer rounded (2-4 dp) is told 'rounded'; the lesson's printed three-band
    numbers typed in are named as the lesson's numbers, typed; the right answer as a list still passes."""
    m = _meta()
    pair = m[m["site"].isin([0, 1]) & m["age"].notna()]
    mh = stats.mantel_haenszel(pair["normal"], pair["site"].eq(0), pd.cut(pair["age"], [0, 30, 50, 70, 200],
                                                                          right=False))  # fmt: skip
    for dp in (2, 3, 4):
        fb = lesson05.site_mh(tuple(round(v, dp) for v in (mh.odds_ratio, mh.low, mh.high)))
        assert fb.status == feedback.CLOSE and f"rounded to {dp} decimals" in fb.message, dp
        assert "not the Mantel-Haenszel" not in fb.message
    three = stats.mantel_haenszel(pair["normal"], pair["site"].eq(0), pair["age band"])
    typed = tuple(round(v, 3) for v in (three.odds_ratio, three.low, three.high))
    assert typed == (1.341, 0.736, 2.441)  # as the lesson prints them
    fb = lesson05.site_mh(typed)
    assert fb.status == feedback.CLOSE and "lesson's numbers" in fb.message and "typed them" in fb.message
    fb = lesson05.site_mh((round(mh.odds_ratio, 3), 0.5, 2.5))  # a rounded odds ratio with a made-up interval
    assert fb.status == feedback.INCORRECT
    assert lesson05.site_mh([float(mh.odds_ratio), float(mh.low), float(mh.high)]).correct


def test_failures_says_the_reasoning_is_not_graded():
    """Review 3: true but irrelevant sentences pass the number check; the message says only the numbers were checked."""
    fb = lesson05.failures(["The slice has 450 ECGs.", "Site 0 holds 252 ECGs, so the model will do fine everywhere.",
                            "The median age is 50, so the model is safe for older patients."])
    assert fb.correct and "numbers are verified" in fb.message and "reasoning is not graded" in fb.message


def test_death_by_icu_accepts_labelled_types():
    """Student walkthrough: "ICU type 1".. labels were told "should have four rows" although there were four."""
    right = _death_table()
    assert lesson05.death_by_icu(right.rename(index=lambda t: f"ICU type {int(t)}")).correct
    fb = lesson05.death_by_icu(right.rename(index=lambda t: f"unit {int(t)} of 1-4"))  # ambiguous labels
    assert fb.status == feedback.INCORRECT and "four rows" in fb.message


def test_walkthrough8_failures_tells_ecgs_from_patients():
    """Walkthrough 8: a count of ECGs written as patients (450, 227 women) or of patients written as ECGs (419) was
    ticked; the message now says which count it is and how many ECGs and patients the group has."""
    m = _meta()
    n, pt = len(m), m["patient_id"].nunique()
    women, women_pt = int(m["sex"].eq(1).sum()), m.loc[m["sex"].eq(1), "patient_id"].nunique()
    assert (n, pt, women, women_pt) == (450, 419, 227, 216)
    g2 = f"Height is missing for {m['height'].isna().sum()} of {n} ECGs."
    g3 = f"{m['device'].eq('CS-12   E').sum()} of {n} ECGs were recorded on the device CS-12 E."
    fb = lesson05.failures([f"Only {n} patients are in the slice.", g2, g3])
    assert fb.status == feedback.CLOSE and "450 is the number of ECGs in the slice" in fb.message
    assert "counts patients" in fb.message and "450 ECGs from 419 patients" in fb.message
    fb = lesson05.failures([f"The slice holds {pt} ECGs.", g2, g3])
    assert fb.status == feedback.CLOSE and "419 is the number of patients" in fb.message and "counts ECGs" in fb.message
    fb = lesson05.failures([f"{women} women patients are in the slice.", g2, g3])
    assert fb.status == feedback.CLOSE and "227 ECGs from 216 patients" in fb.message
    for right in (f"Only {pt} patients are in the slice.", f"{women_pt} women patients are in the slice.",
                  f"{women} ECGs are from women.", f"The slice holds {n} ECGs of {pt} patients."):
        assert lesson05.failures([right, g2, g3]).correct, right
    fb = lesson05.failures(["Only 500 patients are in the slice.", g2, g3])
    assert fb.status == feedback.CLOSE and "500 match(es) nothing" in fb.message


def test_walkthrough8_twelve_lead_is_not_a_count():
    """Walkthrough 8: "12-lead" in a right sentence was read as a claimed count of ECGs and refused."""
    m = _meta()
    n = len(m)
    g2 = f"Height is missing for {m['height'].isna().sum()} of {n} ECGs."
    g3 = f"{m['device'].eq('CS-12   E').sum()} of {n} ECGs were recorded on the device CS-12 E."
    s1 = (f"All {n} ECGs are 12-lead recordings from {m['site'].nunique()} sites; site 0 alone gives "
          f"{(m['site'] == 0).mean():.0%} of them.")
    assert lesson05.failures([s1, g2, g3]).correct
    assert lesson05.failures([f"Each of the {n} ECGs has 12 leads.", g2, g3]).correct
    fb = lesson05.failures(["Every ECG has 12 leads.", g2, g3])  # the layout alone backs no claim
    assert fb.status == feedback.CLOSE and "sentence 1" in fb.message


def _pts(ax, ticks=("1", "2", "3", "4"), ylab="in-hospital death (%)", scale=100):
    t = _unit_rates()
    x = np.arange(4)
    ax.errorbar(x, scale * t["rate"], yerr=stats.error_bars(t, scale), fmt="o", capsize=4)
    if ticks is not None:
        ax.set_xticks(x, list(ticks))
    ax.set(xlabel="ICU type", ylabel=ylab)
    ax.set_ylim(bottom=0)
    return ax


def test_walkthrough8_death_by_icu_plot_judges_what_is_visible():
    """Walkthrough 8: points pushed off the chart by the y limits, a y label without the unit (or with the wrong one),
    x ticks that do not name the ICU types in order, a joining line drawn with a second ax.plot and bars were ticked."""
    t = _unit_rates()
    fig, ax = plt.subplots()
    _pts(ax).set_ylim(0, 12)  # three of the four points (14-19%) off the chart
    fb = lesson05.death_by_icu_plot(ax)
    assert fb.status == feedback.CLOSE and "hide 3 of the 4 points" in fb.message
    assert "y axis shows 0 to 12" in fb.message
    for label in ("rate", "in-hospital death"):
        fig, ax = plt.subplots()
        fb = lesson05.death_by_icu_plot(_pts(ax, ylab=label))
        assert fb.status == feedback.CLOSE and "does not say the unit" in fb.message and "percent" in fb.message
    fig, ax = plt.subplots()
    fb = lesson05.death_by_icu_plot(_pts(ax, ylab="in-hospital death (fraction)"))
    assert fb.status == feedback.CLOSE and "in percent (0 to 100)" in fb.message and "'fraction'" in fb.message
    fig, ax = plt.subplots()
    fb = lesson05.death_by_icu_plot(_pts(ax, ticks=None))  # ticks 0..3: no ICU type 0
    assert fb.status == feedback.CLOSE and "does not name the groups" in fb.message and "'0'" in fb.message
    fig, ax = plt.subplots()
    fb = lesson05.death_by_icu_plot(_pts(ax, ticks=("4", "3", "2", "1")))
    assert fb.status == feedback.CLOSE and "'4', '3', '2', '1'" in fb.message and "ICU type 1, ICU type 2" in fb.message
    fig, ax = plt.subplots()
    _pts(ax).plot(np.arange(4), 100 * t["rate"], color="grey")
    fb = lesson05.death_by_icu_plot(ax)
    assert fb.status == feedback.CLOSE and "joined by a line" in fb.message
    fig, ax = plt.subplots()
    ax.bar(np.arange(4), 100 * t["rate"], yerr=stats.error_bars(t, 100))
    ax.set_xticks(np.arange(4), ["1", "2", "3", "4"])
    ax.set(xlabel="ICU type", ylabel="in-hospital death (%)")
    fb = lesson05.death_by_icu_plot(ax)
    assert fb.status == feedback.CLOSE and "drawn as bars" in fb.message
    # right answers written other ways are accepted
    fig, ax = plt.subplots()
    assert lesson05.death_by_icu_plot(_pts(ax)).correct
    fig, ax = plt.subplots()
    _pts(ax).axhline(100 * _icu()[0]["In-hospital_death"].mean(), color="grey")  # a reference line is not a join
    assert lesson05.death_by_icu_plot(ax).correct
    fig, ax = plt.subplots()
    assert lesson05.death_by_icu_plot(_pts(ax, ylab="in-hospital death rate (fraction)", scale=1)).correct
    fig, ax = plt.subplots()
    names = [challenge2012.ICU_TYPES[k] for k in (4, 3, 2, 1)]  # unit names, drawn in reverse order
    ax.errorbar(names, 100 * t["rate"].iloc[::-1].to_numpy(), yerr=stats.error_bars(t, 100)[:, ::-1], fmt="o")
    ax.set(xlabel="ICU", ylabel="in-hospital death (%)")
    ax.set_ylim(bottom=0)
    assert lesson05.death_by_icu_plot(ax).correct
    fig, ax = plt.subplots()
    ax.errorbar([1, 2, 3, 4], t["rate"], yerr=stats.error_bars(t), fmt="o")  # x = the types themselves
    ax.set(xlabel="ICU type", ylabel="death rate", ylim=(0, None), xticks=[1, 2, 3, 4])
    assert lesson05.death_by_icu_plot(ax).correct
    plt.close("all")


def test_walkthrough8_site_mh_inverse_names_both_causes():
    """Walkthrough 8: inverting the outcome (abnormal) gives the same numbers as inverting the exposure; the message
    said only "site 1 against site 0"."""
    m = _meta()
    pair = m[m["site"].isin([0, 1]) & m["age"].notna()]
    bands = pd.cut(pair["age"], [0, 30, 50, 70, 200], right=False)
    for outcome, exposed in ((~pair["normal"], pair["site"].eq(0)), (pair["normal"], pair["site"].eq(1))):
        mh = stats.mantel_haenszel(outcome, exposed, bands)
        fb = lesson05.site_mh((mh.odds_ratio, mh.low, mh.high))
        assert fb.status == feedback.CLOSE and "inverse" in fb.message
        assert "site 1 is your exposed group" in fb.message and "'not normal'" in fb.message
    mh = stats.mantel_haenszel(pair["normal"], pair["site"].eq(0), bands)
    assert lesson05.site_mh((mh.odds_ratio, mh.low, mh.high)).correct


def test_walkthrough8_auroc_in_percent_and_gap_rounded():
    """Walkthrough 8: the AUROC in percent got "58.6591 is not it"; the gap rounded (0.08) is named rounded."""
    d, stays = _icu()
    has = d.index.isin(stays.loc[stays["Parameter"].eq("Lactate"), "RecordID"]).astype(int)
    auroc = roc_auc_score(d["In-hospital_death"], has)
    fb = lesson05.lactate_auroc(100 * auroc)
    assert fb.status == feedback.CLOSE and "in percent" in fb.message and "divide by 100" in fb.message
    assert lesson05.lactate_auroc(float(auroc)).correct
    m = _meta()
    gap = m[m["age"].ge(65)]["sex"].eq(1).mean() - d[d["Age"].ge(65)]["Gender"].eq(0).mean()
    fb = lesson05.female_gap(round(gap, 2))
    assert fb.status == feedback.CLOSE and "0.08 is the right answer rounded to 2 decimals" in fb.message
    assert "Keep patients" not in fb.message
    assert lesson05.female_gap(float(gap)).correct


def test_walkthrough8_death_by_icu_plot_unit_names_over_two_lines():
    """The worked solution's ticks are the unit names broken over two lines ("Coronary\\nCare Unit")."""
    fig, ax = plt.subplots()
    _pts(ax, ticks=[challenge2012.ICU_TYPES[k].replace(" ", "\n", 1) for k in (1, 2, 3, 4)])
    assert lesson05.death_by_icu_plot(ax).correct
    fig, ax = plt.subplots()
    _pts(ax, ticks=["CCU", "CSRU", "MICU", "SICU"])
    assert lesson05.death_by_icu_plot(ax).correct
    plt.close("all")


def test_r22_death_by_icu_plot_short_unit_names_on_the_ticks():
    """r22-s05 D05-1: ticks that name the units in short words ('Coronary Care', 'Cardiac Surgery', 'Medical',
    'Surgical') were refused with 'the tick labels read no label, ...', which was false. They name the units, by their
    distinctive words: the figure is right. Short names in the wrong order are refused, quoting what the ticks read."""
    t = _unit_rates()
    bars = stats.error_bars(t)
    short = ["Coronary Care", "Cardiac Surgery", "Medical", "Surgical"]
    ax = _plot(t["rate"], bars)
    ax.set_xticks(np.arange(4), short)
    ax.set(xlabel="ICU type", ylabel="in-hospital death rate (fraction)")
    fb = lesson05.death_by_icu_plot(ax)
    assert fb.correct, fb
    ax = _plot(t["rate"], bars, x=[s.lower() for s in short])  # categorical x, the names as the x values
    assert lesson05.death_by_icu_plot(ax).correct
    ax = _plot(t["rate"], bars)
    ax.set_xticks(np.arange(4), short[::-1])  # the names, but under the wrong points
    fb = lesson05.death_by_icu_plot(ax)
    assert fb.status == feedback.CLOSE and "no label" not in fb.message and "'4', '3', '2', '1'" in fb.message, fb
    # labels the check cannot read as units: judged by the values, and the feedback says what it read
    ax = _plot(t["rate"], bars)
    ax.set_xticks(np.arange(4), ["A", "B", "C", "D"])
    fb = lesson05.death_by_icu_plot(ax)
    assert fb.correct and "'A', 'B', 'C', 'D'" in fb.message, fb


def test_r22_failures_number_must_be_the_named_groups():
    """r22-s05 D05-3 and D05-4: a number of the whole slice said of one group ('At site 2 the median age is 50'),
    and the count of device 'CS-12   E' credited to the device 'CS-12', were 'verified'. Each number must now be
    the fact of the group or device its sentence names; the same numbers said of the slice stay right."""
    m = _meta()
    ok2 = f"The slice holds {len(m)} ECGs from {m['patient_id'].nunique()} patients."
    ok3 = f"{m['normal'].mean():.0%} of the ECGs in the slice are normal."
    site2, site1, site3 = (m[m["site"].eq(s)] for s in (2, 1, 3))
    women = m[m["sex"].eq(1)]
    cases = [
        (f"At site 2 the median age is {m['age'].median():.0f} years.", site2["age"].median(), m["age"].median()),
        (f"At site 1, height is missing in {m['height'].isna().mean():.0%} of ECGs.",
         100 * site1["height"].isna().mean(), 100 * m["height"].isna().mean()),
        (f"At site 3, {m['normal'].mean():.0%} of ECGs are normal.", 100 * site3["normal"].mean(),
         100 * m["normal"].mean()),
        (f"{m['normal'].mean():.0%} of women's ECGs are normal.", 100 * women["normal"].mean(),
         100 * m["normal"].mean()),
    ]
    for wrong, group_value, slice_value in cases:
        assert round(group_value) != round(slice_value), wrong  # the group's own number differs from the slice's
        fb = lesson05.failures([wrong, ok2, ok3])
        assert fb.status == feedback.CLOSE and "sentence 1:" in fb.message and "not the one" in fb.message, (wrong, fb)
        assert "in the slice" in fb.message, fb  # says what the number really is
    # the same numbers said of the slice, and each group's own numbers, are right
    right = [f"In the slice the median age is {m['age'].median():.0f} years.",
             f"At site 2 the median age is {site2['age'].median():.0f} years.",
             f"At site 1, height is missing in {site1['height'].isna().mean():.0%} of ECGs."]
    assert lesson05.failures(right).correct
    assert lesson05.failures([f"{women['normal'].mean():.0%} of women's ECGs are normal.", ok2, ok3]).correct
    assert lesson05.failures([f"{len(site2)} of {len(m)} ECGs are from site 2.", ok2, ok3]).correct
    # D05-4: a device is the device named, not one whose label starts with the same letters
    cs12, cs12e = int(m["device"].eq("CS-12").sum()), int(m["device"].eq("CS-12   E").sum())
    assert cs12 != cs12e
    fb = lesson05.failures([f"The CS-12 device recorded {cs12e} ECGs.", ok2, ok3])
    assert fb.status == feedback.CLOSE and "sentence 1:" in fb.message and "CS-12 E" in fb.message, fb
    assert lesson05.failures([f"The CS-12 device recorded {cs12} ECGs.", ok2, ok3]).correct
    assert lesson05.failures([f"The CS-12 E device recorded {cs12e} ECGs.", ok2, ok3]).correct


# --- student walkthrough r25 (A) ---------------------------------------------------------------------------------


def test_r25_failures_accept_true_numbers_of_the_properties_and_bands_the_prompt_names():
    """r25-stuA 05 E6: true sentences were refused because the check knew only the lesson's list: a height said to be
    there ("134 of 450 ECGs have a height recorded", "30% come with a height"; the second was read as height
    missing), baseline drift and any noise flag ("65 of 450", "14%", "141 of 450"), and an age band the lesson did not
    use ("86 ECGs from patients aged 70 or over"). Each is computed here and accepted; the same sentences with an
    untrue number, or with the number of the opposite reading, are still refused."""
    m = _meta()
    n = len(m)
    ok2 = f"The slice holds {m['patient_id'].nunique()} patients for {n} ECGs."
    ok3 = f"Site 3 contributes only {int(m['site'].eq(3).sum())} ECGs, too few to learn its devices."
    height = m["height"].notna()
    drift = m["baseline_drift"].notna()
    noise = m[["baseline_drift", "static_noise", "burst_noise", "electrodes_problems"]].notna().any(axis=1)
    note = m[["baseline_drift", "static_noise", "burst_noise"]].notna().any(axis=1)  # lesson 01's "any noise note"
    old = m["age"].ge(70)
    site1 = m[m["site"].eq(1)]
    assert round(height.mean(), 2) != round(1 - height.mean(), 2) and int(old.sum()) != int(m["age"].gt(70).sum())
    right = [
        f"Only {int(height.sum())} of the {n} ECGs have a height recorded, so a model using height learns from a "
        "minority.",
        f"Only {height.mean():.0%} of the ECGs come with a height.",
        f"{int((~height).sum())} of the {n} ECGs are without a height.",
        f"Only {int(height.sum())} of the {n} ECGs have a height recorded, so {int((~height).sum())} are without one.",
        f"Site 1 records height for {site1['height'].notna().mean():.0%} of its ECGs, site 0 for almost none.",
        f"{int(drift.sum())} of the {n} ECGs are flagged for baseline drift.",
        f"{drift.mean():.0%} of the ECGs have a baseline drift flag.",
        f"{int(noise.sum())} of the {n} ECGs carry a noise flag.",
        f"{int(note.sum())} of the {n} ECGs carry a noise note.",
        f"{int(m['burst_noise'].notna().sum())} ECGs have burst noise.",
        f"Only {int(old.sum())} of the {n} ECGs come from patients aged 70 or over.",
        f"Only {int(old.sum())} ECGs come from patients aged 70 or over, so the model has rarely seen the oldest.",
        f"{old.mean():.0%} of the ECGs are from patients aged 70 or over.",
        f"Only {int(m['age'].gt(70).sum())} ECGs are from patients over 70.",
        f"{int(m['age'].lt(30).sum())} ECGs come from patients under 30.",
        f"{int(m['age'].between(30, 49).sum())} of the {n} ECGs are from patients aged 30-49.",
        f"Among women, {int((old & m['sex'].eq(1)).sum())} ECGs come from patients aged 70 or older.",
        f"Only {m.loc[old, 'normal'].mean():.0%} of ECGs of patients aged 70 or over are normal.",
    ]
    for sentence in right:
        fb = lesson05.failures([sentence, ok2, ok3])
        assert fb.correct, (sentence, fb)
    wrong = [
        f"{int(height.sum())} of the {n} ECGs have no height.",  # the count of the other reading
        f"Only {1 - height.mean():.0%} of the ECGs come with a height.",
        f"{int(drift.sum()) + 1} of the {n} ECGs are flagged for baseline drift.",
        "71.3% of the ECGs are flagged as noisy",
        f"Only {int(old.sum()) + 4} of the {n} ECGs come from patients aged 70 or over.",
        f"Only {int(old.sum()) + 1} ECGs come from patients aged 70 or over.",
        f"Only {int(m['age'].ge(60).sum())} ECGs come from patients aged 70 or over.",  # the lesson's band's count
        "The model never saw patients aged 95 or over.",  # a threshold alone backs nothing
    ]
    for sentence in wrong:
        fb = lesson05.failures([sentence, ok2, ok3])
        assert fb.status == feedback.CLOSE and "sentence 1" in fb.message, (sentence, fb)


def test_r25_death_by_icu_says_planned_surgery_is_the_lowest_risk_admission():
    """r25-stuA 05 E1 (weak): the ✓ read as if planned surgery raised the risk; it now says scores count it lowest."""
    fb = lesson05.death_by_icu(_death_table())
    assert fb.correct and "lowest risk" in fb.message and "SAPS II" in fb.message, fb
