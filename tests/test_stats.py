"""heartdata.stats: the shared interval helpers give the textbook values and refuse bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from heartdata import DataError, stats


def test_wilson_matches_the_formula():
    low, high = stats.proportion_ci(5, 20)
    z = 1.959963984540054
    p, n = 0.25, 20
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert low == pytest.approx(centre - half) and high == pytest.approx(centre + half)
    lows, highs = stats.proportion_ci([0, 20], [20, 20])
    assert lows[0] == 0 and highs[1] == pytest.approx(1) and 0 < highs[0] < 0.2


def test_rate_table_counts_per_group():
    flag = pd.Series([True, False, True, True])
    group = pd.Series(["a", "a", "b", "b"])
    t = stats.rate_table(flag, group)
    assert t.loc["a", ["count", "n"]].tolist() == [1, 2] and t.loc["b", "rate"] == 1
    assert (t["low"] <= t["rate"]).all() and (t["rate"] <= t["high"]).all()
    assert stats.rate_table(flag).loc["all", "n"] == 4
    bars = stats.error_bars(t, scale=100)
    assert bars.shape == (2, 2) and (bars >= 0).all()


def test_difference_interval_contains_the_difference_and_excludes_zero_when_clear():
    d = stats.difference_ci(171, 713, 104, 768)
    assert d.difference == pytest.approx(171 / 713 - 104 / 768)
    assert 0 < d.low < d.difference < d.high
    same = stats.difference_ci(10, 100, 10, 100)
    assert same.low < 0 < same.high


def test_mantel_haenszel_equals_the_hand_formula():
    # two strata, exposure raises the odds in both
    y = np.r_[[1] * 30 + [0] * 70 + [1] * 10 + [0] * 90, [1] * 60 + [0] * 40 + [1] * 40 + [0] * 60]
    x = np.r_[[1] * 100 + [0] * 100, [1] * 100 + [0] * 100]
    s = np.r_[["young"] * 200, ["old"] * 200]
    mh = stats.mantel_haenszel(y, x, s)
    num = 30 * 90 / 200 + 60 * 60 / 200
    den = 70 * 10 / 200 + 40 * 40 / 200
    assert mh.odds_ratio == pytest.approx(num / den)
    assert mh.low < mh.odds_ratio < mh.high and mh.p_value < 0.001
    assert len(mh.tables) == 2 and mh.left_out == ()


def test_mantel_haenszel_leaves_out_strata_with_one_group():
    y = pd.Series([1, 0, 1, 0, 1, 1])
    x = pd.Series([1, 1, 0, 0, 1, 1])
    s = pd.Series(["a", "a", "a", "a", "b", "b"])
    mh = stats.mantel_haenszel(y, x, s)
    assert mh.left_out == ("b",)


def test_paired_auroc_difference_is_paired_and_deterministic():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    a = y + rng.normal(0, 1, 600)
    b = a + rng.normal(0, 0.1, 600)  # nearly the same score: the paired interval of the difference is narrow
    r = stats.paired_auroc_difference(y, a, b, resamples=500, seed=1)
    assert r.auroc_a == pytest.approx(roc_auc_score(y, a)) and r.auroc_b == pytest.approx(roc_auc_score(y, b))
    assert r.low <= r.difference <= r.high
    assert (r.high - r.low) < 0.5 * (r.a_high - r.a_low)  # pairing removes the shared sampling noise
    assert r == stats.paired_auroc_difference(y, a, b, resamples=500, seed=1)


def test_paired_auroc_difference_by_group_resamples_whole_groups():
    rng = np.random.default_rng(2)
    patients = np.repeat(np.arange(100), 4)  # four cases per patient, nearly copies of each other
    y = np.repeat(rng.integers(0, 2, 100), 4)
    a = y + np.repeat(rng.normal(0, 1, 100), 4) + rng.normal(0, 0.05, 400)
    b = np.repeat(rng.normal(0, 1, 100), 4) + rng.normal(0, 0.05, 400)
    by_case = stats.paired_auroc_difference(y, a, b, resamples=300, seed=0)
    by_patient = stats.paired_auroc_difference(y, a, b, resamples=300, seed=0, groups=patients)
    assert by_patient.difference == by_case.difference  # the estimate does not change
    assert by_patient.high - by_patient.low > 1.5 * (by_case.high - by_case.low)  # the interval honestly widens
    assert by_patient == stats.paired_auroc_difference(y, a, b, resamples=300, seed=0, groups=patients)
    with pytest.raises(DataError):
        stats.paired_auroc_difference(y, a, b, groups=patients[:10])


def _delong_by_hand(y, a, b):
    """DeLong et al. (1988) written out: the placement values psi(X, Y) over every event/non-event pair, O(m n)."""
    y = np.asarray(y, bool)
    comps = []
    for s in (np.asarray(a, float), np.asarray(b, float)):
        psi = (s[y][:, None] > s[~y][None, :]) + 0.5 * (s[y][:, None] == s[~y][None, :])
        comps.append((psi.mean(), psi.mean(axis=1), psi.mean(axis=0)))
    m, n = int(y.sum()), int((~y).sum())
    s10 = np.cov(np.vstack([c[1] for c in comps]))
    s01 = np.cov(np.vstack([c[2] for c in comps]))
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    return comps[0][0] - comps[1][0], np.sqrt(var)


def test_delong_matches_the_definition_with_ties_and_is_paired():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 300)
    a = np.round(y + rng.normal(0, 1, 300), 1)  # rounded: ties, which the midranks must handle
    b = np.round(a + rng.normal(0, 0.5, 300), 1)
    r = stats.delong_auroc_difference(y, a, b)
    diff, se = _delong_by_hand(y, a, b)
    assert r.auroc_a == pytest.approx(roc_auc_score(y, a)) and r.auroc_b == pytest.approx(roc_auc_score(y, b))
    assert r.difference == pytest.approx(diff) and r.se == pytest.approx(se)
    assert r.low == pytest.approx(diff - 1.959964 * se, abs=1e-6) and r.high == pytest.approx(diff + 1.959964 * se)
    assert r.p_value == pytest.approx(2 * (1 - __import__("scipy").stats.norm.cdf(abs(diff / se))))
    wider = stats.delong_auroc_difference(y, a, b, level=0.9875)
    assert wider.low < r.low and wider.high > r.high and wider.p_value == r.p_value
    # paired: the interval of the difference is narrower than either AUROC's own interval
    assert (r.high - r.low) < (r.a_high - r.a_low)
    same = stats.delong_auroc_difference(y, a, a)
    assert same.difference == 0 and same.p_value == 1


def test_delong_refuses_bad_input():
    for bad in (
        lambda: stats.delong_auroc_difference([1, 0, 1, 0], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 0.4]),
        lambda: stats.delong_auroc_difference([1, 0, 0, 0], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]),
        lambda: stats.delong_auroc_difference([1, 0, 1, 0], [0.1, np.nan, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]),
        lambda: stats.delong_auroc_difference([1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4], level=95),
    ):
        with pytest.raises(DataError):
            bad()


def test_rubin_pool():
    p = stats.rubin_pool([1.0, 1.2, 0.8], [0.04, 0.04, 0.04])
    assert p.estimate == pytest.approx(1.0)
    assert p.se == pytest.approx(np.sqrt(0.04 + (1 + 1 / 3) * 0.04))
    assert p.low < 1 < p.high and p.imputations == 3


@pytest.mark.parametrize(
    "call",
    [
        lambda: stats.proportion_ci(5, 0),
        lambda: stats.proportion_ci(6, 5),
        lambda: stats.proportion_ci(-1, 5),
        lambda: stats.proportion_ci(2.5, 5),
        lambda: stats.proportion_ci("a", 5),
        lambda: stats.proportion_ci(1, 5, level=95),
        lambda: stats.rate_table(pd.Series([1, 2, 0])),
        lambda: stats.rate_table(pd.Series([1.0, np.nan])),
        lambda: stats.error_bars(pd.DataFrame({"rate": [0.1]})),
        lambda: stats.difference_ci([1, 2], [3, 4], 1, 2),
        lambda: stats.mantel_haenszel([1, 0], [1, 0, 1], ["a", "a"]),
        lambda: stats.mantel_haenszel([1, 0], [1, 1], ["a", "a"]),
        lambda: stats.paired_auroc_difference([1, 0, 1], [0.1, 0.2], [0.1, 0.2, 0.3]),
        lambda: stats.paired_auroc_difference([1, 1, 1], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3]),
        lambda: stats.paired_auroc_difference([1, 0, 1], [0.1, np.nan, 0.3], [0.1, 0.2, 0.3]),
        lambda: stats.paired_auroc_difference([1, 0, 1], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3], resamples=10),
        lambda: stats.rubin_pool([1.0], [0.1]),
        lambda: stats.rubin_pool([1.0, 2.0], [0.1, -0.1]),
    ],
)
def test_bad_input_raises_data_error(call):
    with pytest.raises(DataError):
        call()


# ---- several comparisons at once, the side of an interval, one AUROC with its interval


def test_adjusted_level_is_bonferroni():
    assert stats.adjusted_level(0.95, 1) == pytest.approx(0.95)
    assert stats.adjusted_level(0.95, 4) == pytest.approx(0.9875)
    for bad in (0, -1, 1.5, True, "4"):
        with pytest.raises(DataError):
            stats.adjusted_level(0.95, bad)


def test_rate_differences_match_difference_ci_at_the_adjusted_level():
    # four units; the third has a clear difference, the others none
    unit = pd.Series(np.repeat(["a", "b", "c", "d"], 200))
    exposed = pd.Series(np.tile(np.r_[[1] * 100, [0] * 100], 4))
    outcome = pd.Series(np.r_[
        [1] * 20 + [0] * 80 + [1] * 20 + [0] * 80,
        [1] * 10 + [0] * 90 + [1] * 12 + [0] * 88,
        [1] * 40 + [0] * 60 + [1] * 10 + [0] * 90,
        [1] * 5 + [0] * 95 + [1] * 5 + [0] * 95,
    ])  # fmt: skip
    t = stats.rate_differences(outcome, exposed, unit)
    assert list(t.index) == ["a", "b", "c", "d"] and np.allclose(t["level"], 0.9875)
    d = stats.difference_ci(40, 100, 10, 100, level=0.9875)
    assert (t.loc["c", "low"], t.loc["c", "high"]) == pytest.approx((d.low, d.high))
    assert t.loc["c", ["count1", "n1", "count2", "n2"]].tolist() == [40, 100, 10, 100]
    unadjusted = stats.rate_differences(outcome, exposed, unit, adjust=False)
    assert (unadjusted["high"] - unadjusted["low"] < t["high"] - t["low"]).all()  # adjusting widens every interval
    # aligned by index: the same rows in another order give the same table
    shuffled = outcome.sample(frac=1, random_state=0)
    assert stats.rate_differences(shuffled, exposed, unit).equals(t)


def test_rate_differences_refuse_misaligned_or_one_sided_groups():
    y = pd.Series([1, 0, 1, 0], index=[1, 2, 3, 4])
    with pytest.raises(DataError):
        stats.rate_differences(y, pd.Series([1, 1, 0, 0], index=[5, 6, 7, 8]), pd.Series(list("aabb"), index=y.index))
    with pytest.raises(DataError):
        stats.rate_differences(y, pd.Series([1, 1, 1, 1], index=y.index), pd.Series(list("aabb"), index=y.index))


def test_interval_side():
    assert stats.interval_side(0.01, 0.2) == "above" and stats.interval_side(-0.3, -0.1) == "below"
    assert stats.interval_side(-0.1, 0.2) == "includes" and stats.interval_side(0.0, 0.2) == "includes"
    assert stats.interval_side(1.2, 3.0, null=1) == "above" and stats.interval_side(0.7, 2.4, null=1) == "includes"
    for bad in [(0.3, 0.1), (np.nan, 1), ("a", 1)]:
        with pytest.raises(DataError):
            stats.interval_side(*bad)


def test_auroc_interval_agrees_with_the_paired_bootstrap():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    score = y + rng.normal(0, 1.5, 300)
    auc, low, high = stats.auroc_interval(y, score, resamples=500, seed=3)
    paired = stats.paired_auroc_difference(y, score, -score, resamples=500, seed=3)
    assert auc == pytest.approx(roc_auc_score(y, score)) and low < auc < high
    assert (low, high) == pytest.approx((paired.a_low, paired.a_high))
