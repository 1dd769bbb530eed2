"""Lesson 05's checks: not attempted, the named typical mistakes, and correct, all computed from the data."""

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


def test_lactate_auroc():
    d, stays = _icu()
    died = d["In-hospital_death"]
    lac = stays[stays["Parameter"].eq("Lactate")]
    has = d.index.isin(lac["RecordID"].unique())
    auc = roc_auc_score(died, has)
    assert 0.55 < auc < 0.6
    assert lesson05.lactate_auroc(auc).correct
    flipped = lesson05.lactate_auroc(roc_auc_score(died, ~has))
    assert flipped.status == feedback.CLOSE and "wrong way round" in flipped.message
    values = lac.groupby("RecordID")["Value"].max().reindex(d.index).fillna(0)
    fb = lesson05.lactate_auroc(roc_auc_score(died, values))
    assert fb.status == feedback.CLOSE and "lactate values" in fb.message
    assert lesson05.lactate_auroc(0.5).status == feedback.INCORRECT


def test_female_gap():
    d, _ = _icu()
    m = ptbxl.load_metadata()
    right = m["sex"].eq(1).mean() - d["Gender"].eq(0).mean()
    assert 0 < right < 0.1
    assert lesson05.female_gap(right).correct
    same_code = lesson05.female_gap(m["sex"].eq(1).mean() - d["Gender"].eq(1).mean())
    assert same_code.status == feedback.CLOSE and "Gender 1 means male" in same_code.message
    ptb_wrong = lesson05.female_gap(m["sex"].eq(0).mean() - d["Gender"].eq(0).mean())
    assert ptb_wrong.status == feedback.CLOSE and "sex 0 means male" in ptb_wrong.message
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


def test_swapped_arguments_are_named():
    d, stays = _icu()
    has = d.index.isin(stays.loc[stays["Parameter"].eq("Lactate"), "RecordID"].unique())
    fb = lesson05.lactate_auroc(roc_auc_score(has, d["In-hospital_death"]))
    assert fb.status == feedback.CLOSE and "swapped" in fb.message


def _plot(y, yerr=None, fmt="o", ylim=(0, None), labels=True, x=None):
    fig, ax = plt.subplots()
    x = np.arange(len(y)) if x is None else x
    ax.errorbar(x, y, yerr=yerr, fmt=fmt)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if labels:
        ax.set(xlabel="ICU type", ylabel="death rate")
    plt.close(fig)
    return ax


def test_death_by_icu_plot_judges_the_figure():
    t = stats.rate_table(*(lambda d: (d["In-hospital_death"], d["ICUType"].astype(int)))(_icu()[0]))
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
    assert fb.status == feedback.CLOSE and "label the x and y axis" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(t["count"], None))
    assert fb.status == feedback.CLOSE and "numbers of deaths" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(1 - t["rate"], bars))
    assert fb.status == feedback.CLOSE and "survived" in fb.message
    fb = lesson05.death_by_icu_plot(_plot(t["rate"].iloc[:3], bars[:, :3]))
    assert fb.status == feedback.INCORRECT and "3 point(s)" in fb.message


def test_site_mh_names_the_mistakes():
    m = _meta()
    pair = m[m["site"].isin([0, 1]) & m["age"].notna()]
    mh = stats.mantel_haenszel(pair["normal"], pair["site"].eq(0), pair["age band"])
    assert lesson05.site_mh((mh.odds_ratio, mh.low, mh.high)).correct
    assert lesson05.site_mh(mh).correct
    assert lesson05.site_mh(np.array([mh.odds_ratio, mh.low, mh.high])).correct
    fb = lesson05.site_mh(mh.odds_ratio)
    assert fb.status == feedback.CLOSE and "interval too" in fb.message
    fb = lesson05.site_mh((1 / mh.odds_ratio, 1 / mh.high, 1 / mh.low))
    assert fb.status == feedback.CLOSE and "inverse" in fb.message
    crude = stats.mantel_haenszel(pair["normal"], pair["site"].eq(0), pd.Series(1, index=pair.index))
    fb = lesson05.site_mh((crude.odds_ratio, crude.low, crude.high))
    assert fb.status == feedback.CLOSE and "crude" in fb.message
    strict = pair["scp_codes"].map(lambda t: ast.literal_eval(t).get("NORM") == 100)
    s100 = stats.mantel_haenszel(strict, pair["site"].eq(0), pair["age band"])
    fb = lesson05.site_mh((s100.odds_ratio, s100.low, s100.high))
    assert fb.status == feedback.CLOSE and "likelihood 100" in fb.message
    rows = m[m["age"].notna()]
    allsites = stats.mantel_haenszel(rows["normal"], rows["site"].eq(0), rows["age band"])
    fb = lesson05.site_mh((allsites.odds_ratio, allsites.low, allsites.high))
    assert fb.status == feedback.CLOSE and "sites 0 and 1" in fb.message
    pvalues = {}
    for band in BANDS:
        part = pair[pair["age band"].eq(band)]
        pvalues[band] = fisher_exact(pd.crosstab(part["site"], part["normal"]).to_numpy()).pvalue
    fb = lesson05.site_mh(pd.Series(pvalues))
    assert fb.status == feedback.CLOSE and "absence of evidence" in fb.message
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
