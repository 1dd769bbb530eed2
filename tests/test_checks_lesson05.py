"""Lesson 05's checks: not attempted, the named typical mistakes, and correct, all computed from the data."""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, chi2_contingency, fisher_exact
from sklearn.metrics import roc_auc_score

from heartdata import challenge2012, feedback, ptbxl
from heartdata.checks import lesson05

CHECKS = [
    lesson05.death_by_icu,
    lesson05.p_within_bands,
    lesson05.lactate_auroc,
    lesson05.female_gap,
    lesson05.failures,
]
BANDS = ["<40", "40-59", "60+"]


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


def test_p_within_bands():
    right = _pvalues()
    assert (right > 0.05).all()
    assert lesson05.p_within_bands(right).correct
    assert lesson05.p_within_bands(right.iloc[::-1]).correct  # order of the index does not matter
    chi2 = lesson05.p_within_bands(_pvalues(test=lambda t: chi2_contingency(t).pvalue))
    assert chi2.status == feedback.CLOSE and "Fisher" in chi2.message
    strict = lesson05.p_within_bands(_pvalues("normal100"))
    assert strict.status == feedback.CLOSE and "likelihood 100" in strict.message
    m = _meta()
    both = m[m["site"].isin([0, 1])]
    crude = fisher_exact(pd.crosstab(both["site"], both["normal"]).to_numpy()).pvalue
    fb = lesson05.p_within_bands(crude)
    assert fb.status == feedback.CLOSE and "all ages together" in fb.message
    assert lesson05.p_within_bands(pd.Series([0.3, 0.6, 0.6], index=BANDS)).status == feedback.INCORRECT
    assert lesson05.p_within_bands(pd.Series(right.to_numpy())).status == feedback.INCORRECT  # unlabelled index


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


def test_odds_ratios_and_swapped_arguments_are_named():
    odds = _pvalues(test=lambda t: fisher_exact(t).statistic)
    fb = lesson05.p_within_bands(odds)
    assert fb.status == feedback.CLOSE and "odds ratios" in fb.message
    d, stays = _icu()
    has = d.index.isin(stays.loc[stays["Parameter"].eq("Lactate"), "RecordID"].unique())
    fb = lesson05.lactate_auroc(roc_auc_score(has, d["In-hospital_death"]))
    assert fb.status == feedback.CLOSE and "swapped" in fb.message
