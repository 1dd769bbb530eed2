"""Intervals the lessons report beside every rate, difference and comparison (95% unless asked otherwise).

A small, documented layer over statsmodels and scikit-learn, so that every lesson computes an interval the
same way and a student can read what each one is:

- :func:`proportion_ci` and :func:`rate_table`: a proportion with its Wilson score interval
  (statsmodels ``proportion_confint``; Wilson, *JASA* 1927), per group;
- :func:`difference_ci`: the difference of two independent proportions with Newcombe's interval
  (statsmodels ``confint_proportions_2indep``);
- :func:`mantel_haenszel`: the Mantel-Haenszel odds ratio over strata with its interval, the test of
  "odds ratio = 1" and the Breslow-Day test of equal odds ratios across strata (statsmodels ``StratifiedTable``);
- :func:`paired_auroc_difference`: two scores' AUROCs on the same cases and the difference between them,
  with percentile intervals from a paired bootstrap (the same resampled cases, or patients, for both scores);
- :func:`delong_auroc_difference`: the same comparison by DeLong's test (DeLong, DeLong & Clarke-Pearson,
  *Biometrics* 1988), computed with Sun & Xu's fast algorithm (*IEEE Signal Processing Letters* 2014): no
  resampling, so no Monte Carlo error and no seed;
- :func:`rubin_pool`: estimates from several imputed data sets pooled with Rubin's rules;
- :func:`adjusted_level` and :func:`rate_differences`: several comparisons at once, each interval widened
  (Bonferroni) so that all of them hold together with the stated confidence;
- :func:`interval_side`: where an interval lies against "no difference", the word a sentence's strength
  should be built from;
- :func:`auroc_interval`: one score's AUROC with a bootstrap interval.

Bad input raises :class:`heartdata.DataError` saying which argument was wrong and what to pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from .errors import DataError

__all__ = [
    "AurocDifference",
    "DeLong",
    "Difference",
    "MantelHaenszel",
    "Pooled",
    "difference_ci",
    "error_bars",
    "mantel_haenszel",
    "paired_auroc_difference",
    "delong_auroc_difference",
    "proportion_ci",
    "rate_differences",
    "rate_table",
    "rubin_pool",
    "adjusted_level",
    "auroc_interval",
    "interval_side",
]


def _level(level) -> float:
    if isinstance(level, bool) or not isinstance(level, (int, float, np.floating)) or not 0 < float(level) < 1:
        raise DataError(f"level={level!r}", "the confidence level must be a number between 0 and 1", "Pass e.g. 0.95.")
    return float(level)


def _counts(count, nobs) -> tuple[np.ndarray, np.ndarray]:
    try:
        k = np.asarray(count, dtype=float)
        n = np.asarray(nobs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError("count/nobs", f"not numbers ({exc})", "Pass numbers of events and of trials.") from None
    if k.shape != n.shape and k.size != 1 and n.size != 1:
        raise DataError("count/nobs", f"shapes differ ({k.shape} and {n.shape})", "Pass one count per total.")
    k, n = np.broadcast_arrays(k, n)
    bad = ~np.isfinite(k) | ~np.isfinite(n) | (k < 0) | (n <= 0) | (k > n) | (k != np.round(k)) | (n != np.round(n))
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise DataError(
            "count/nobs",
            f"{k.ravel()[i]:g} events out of {n.ravel()[i]:g} is not a count out of a positive whole total",
            "Pass whole numbers with 0 <= count <= nobs and nobs >= 1.",
        )
    return k, n


def proportion_ci(count, nobs, level: float = 0.95):
    """Wilson score interval of ``count`` events out of ``nobs`` trials: ``(low, high)``.

    Works on single numbers (returns two floats) and on arrays or Series of equal length (returns two arrays).
    Unlike the textbook "p ± 1.96 SE", the Wilson interval never leaves 0-1 and behaves well for small counts.
    """
    level = _level(level)
    k, n = _counts(count, nobs)
    low, high = proportion_confint(k, n, alpha=1 - level, method="wilson")
    if np.ndim(low) == 0:
        return float(low), float(high)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def _binary(values, name: str) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if s.isna().any():
        raise DataError(name, f"{int(s.isna().sum())} values are missing", "Drop or decide them before counting.")
    if s.dtype == bool:
        return s.astype(int)
    if not pd.api.types.is_numeric_dtype(s) or not s.isin([0, 1]).all():
        raise DataError(name, "the values are not yes/no (True/False or 1/0)", "Pass a boolean or 0/1 column.")
    return s.astype(int)


def rate_table(flag, *by, level: float = 0.95) -> pd.DataFrame:
    """For a yes/no column, per group of ``by`` (one or more keys, or one list of keys, as for ``groupby``): the columns
    ``count`` (yes), ``n`` (rows), ``rate`` and the Wilson interval ``low``, ``high``.

    With no ``by``, one row for the whole column (index ``"all"``).
    """
    flag = _binary(flag, "flag")
    if by:
        keys = list(by[0]) if len(by) == 1 and isinstance(by[0], (list, tuple)) else list(by)
        g = flag.groupby(keys, observed=True)
        table = pd.DataFrame({"count": g.sum(), "n": g.size()})
    else:
        table = pd.DataFrame({"count": [int(flag.sum())], "n": [len(flag)]}, index=["all"])
    if table.empty:
        raise DataError("flag", "there are no rows to count", "Pass a non-empty column.")
    table["rate"] = table["count"] / table["n"]
    table["low"], table["high"] = proportion_ci(table["count"].to_numpy(), table["n"].to_numpy(), level)
    return table


def error_bars(table: pd.DataFrame, scale: float = 1.0) -> np.ndarray:
    """Distances from ``rate`` down to ``low`` and up to ``high`` (times ``scale``, e.g. 100 for percent),
    shaped (2, rows) as matplotlib's ``errorbar`` wants them."""
    missing = {"rate", "low", "high"} - set(getattr(table, "columns", []))
    if missing:
        raise DataError("table", f"no column(s) {sorted(missing)}", "Pass a table from rate_table (rate, low, high).")
    rate, low, high = (table[c].to_numpy(dtype=float) for c in ("rate", "low", "high"))
    return scale * np.clip(np.vstack([rate - low, high - rate]), 0, None)


@dataclass(frozen=True)
class Difference:
    """``rate1 - rate2`` with its interval."""

    rate1: float
    rate2: float
    difference: float
    low: float
    high: float
    level: float


def difference_ci(count1, nobs1, count2, nobs2, level: float = 0.95) -> Difference:
    """Difference of two independent proportions, ``count1/nobs1 - count2/nobs2``, with Newcombe's hybrid
    score interval (built from the two Wilson intervals; good for small counts)."""
    level = _level(level)
    (k1, n1), (k2, n2) = _counts(count1, nobs1), _counts(count2, nobs2)
    if k1.size != 1 or k2.size != 1:
        raise DataError("count1/count2", "expected one count per group", "Pass single numbers, not arrays.")
    k1, n1, k2, n2 = float(k1), float(n1), float(k2), float(n2)
    low, high = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff", alpha=1 - level)
    return Difference(k1 / n1, k2 / n2, k1 / n1 - k2 / n2, float(low), float(high), level)


@dataclass(frozen=True)
class MantelHaenszel:
    """A Mantel-Haenszel summary over strata (the rows of ``tables``)."""

    odds_ratio: float
    low: float
    high: float
    p_value: float  # test of "common odds ratio = 1" (Cochran-Mantel-Haenszel)
    p_homogeneity: float  # Breslow-Day test of "the odds ratio is the same in every stratum"
    left_out: tuple  # strata with no one in one of the two groups (they carry no information)
    level: float
    tables: pd.DataFrame = field(repr=False)  # per stratum: exposed events / non-events, unexposed ones


def mantel_haenszel(outcome, exposed, strata, level: float = 0.95) -> MantelHaenszel:
    """Mantel-Haenszel odds ratio of ``outcome`` for ``exposed`` against not exposed, within ``strata``.

    ``outcome`` and ``exposed`` are yes/no columns, ``strata`` a column of stratum labels (e.g. age bands),
    all of the same length. The odds ratio is a weighted summary of the per-stratum odds ratios: it compares
    like with like inside each stratum, but only for the strata that hold both groups (``left_out`` names the
    others), and only for the confounders you stratified by.
    """
    level = _level(level)
    y, x = _binary(outcome, "outcome"), _binary(exposed, "exposed")
    s = strata if isinstance(strata, pd.Series) else pd.Series(strata)
    if not (len(y) == len(x) == len(s)):
        raise DataError(
            "outcome/exposed/strata", f"lengths differ ({len(y)}, {len(x)}, {len(s)})", "Pass aligned columns."
        )
    y, x, s = y.to_numpy(), x.to_numpy(), s.to_numpy()
    keep = pd.notna(s)
    y, x, s = y[keep], x[keep], s[keep]
    rows, used, left_out = [], [], []
    labels = list(strata.cat.categories) if isinstance(strata, pd.Series) and strata.dtype == "category" else None
    for label in labels if labels is not None else pd.unique(s):
        m = s == label
        t = np.array(
            [
                [np.sum(y[m] & x[m]), np.sum((1 - y[m]) & x[m])],
                [np.sum(y[m] & (1 - x[m])), np.sum((1 - y[m]) & (1 - x[m]))],
            ]
        )
        if t[0].sum() == 0 or t[1].sum() == 0:
            left_out.append(label)
            continue
        used.append(t)
        rows.append(
            {
                "stratum": label,
                "exposed events": t[0, 0],
                "exposed non-events": t[0, 1],
                "unexposed events": t[1, 0],
                "unexposed non-events": t[1, 1],
            }
        )
    if len(used) < 1:
        raise DataError("strata", "no stratum holds both groups", "Check the exposure and the strata.")
    st = StratifiedTable([t.astype(float) for t in used])
    low, high = st.oddsratio_pooled_confint(alpha=1 - level)
    p_homog = st.test_equal_odds().pvalue if len(used) > 1 else float("nan")
    return MantelHaenszel(
        float(st.oddsratio_pooled),
        float(low),
        float(high),
        float(st.test_null_odds().pvalue),
        float(p_homog),
        tuple(left_out),
        level,
        pd.DataFrame(rows).set_index("stratum"),
    )


@dataclass(frozen=True)
class AurocDifference:
    """AUROCs of scores a and b on the same cases, their difference (a - b), with bootstrap intervals."""

    auroc_a: float
    auroc_b: float
    difference: float
    a_low: float
    a_high: float
    b_low: float
    b_high: float
    low: float
    high: float
    cases: int
    resamples: int
    level: float


def _auroc_from_ranks(y: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Mann-Whitney AUROC per row of ``ranks`` (ties get average ranks); ``y`` 0/1 per row too."""
    pos = y.sum(axis=-1)
    neg = y.shape[-1] - pos
    return ((ranks * y).sum(axis=-1) - pos * (pos + 1) / 2) / (pos * neg)


def paired_auroc_difference(y, score_a, score_b, resamples: int = 1000, seed: int = 0, level: float = 0.95,
                            groups=None):
    """AUROC of ``score_a`` and of ``score_b`` for the yes/no outcome ``y`` on the same cases, and the difference
    ``a - b``, each with a percentile interval from a **paired** bootstrap: every resample draws the same cases for
    both scores, so the interval of the difference accounts for the two scores being measured on one sample.

    ``groups`` (one label per case, e.g. the patient): resample whole groups instead of cases, so that several
    cases of one patient, which are not independent, enter or leave a resample together (a cluster bootstrap).

    Cases where either score is missing are refused (pass only cases that have both). Deterministic for a seed.
    """
    level = _level(level)
    y = _binary(y, "y").to_numpy()
    scores = []
    for name, s in (("score_a", score_a), ("score_b", score_b)):
        try:
            v = np.asarray(s, dtype=float)
        except (TypeError, ValueError):
            raise DataError(name, "the scores are not numbers", "Pass one numeric score per case.") from None
        if v.shape != y.shape:
            raise DataError(name, f"{v.size} scores for {y.size} cases", "Pass one score per case, aligned with y.")
        if not np.isfinite(v).all():
            raise DataError(
                name,
                f"{int((~np.isfinite(v)).sum())} scores are missing or infinite",
                "Keep only the cases that have both scores.",
            )
        scores.append(v)
    if y.sum() == 0 or y.sum() == y.size:
        raise DataError("y", "only one outcome class is present", "An AUROC needs both events and non-events.")
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) or resamples < 100:
        raise DataError(f"resamples={resamples!r}", "too few bootstrap resamples", "Pass a whole number >= 100.")
    a_hat, b_hat = (float(_auroc_from_ranks(y, _scipy_stats.rankdata(v))) for v in scores)
    rng = np.random.default_rng(seed)
    out_a, out_b = [], []
    if groups is not None:
        labels = pd.Series(np.asarray(groups, dtype=object))
        if len(labels) != y.size or labels.isna().any():
            raise DataError("groups", "not one label per case", "Pass one group label (e.g. patient id) per case.")
        codes = pd.factorize(labels)[0]
        order = np.argsort(codes, kind="stable")
        sizes = np.bincount(codes)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        for _ in range(resamples):
            drawn = rng.integers(0, sizes.size, size=sizes.size)
            n = sizes[drawn]
            idx = order[np.repeat(starts[drawn], n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)]
            yy = y[idx]
            if 0 < yy.sum() < yy.size:
                out_a.append(np.atleast_1d(_auroc_from_ranks(yy, _scipy_stats.rankdata(scores[0][idx]))))
                out_b.append(np.atleast_1d(_auroc_from_ranks(yy, _scipy_stats.rankdata(scores[1][idx]))))
        resamples = 0  # done
    for start in range(0, resamples, 200):  # chunks keep memory small: 200 x cases at a time
        idx = rng.integers(0, y.size, size=(min(200, resamples - start), y.size))
        yy = y[idx]
        ok = (yy.sum(axis=1) > 0) & (yy.sum(axis=1) < y.size)
        yy, idx = yy[ok], idx[ok]
        out_a.append(_auroc_from_ranks(yy, _scipy_stats.rankdata(scores[0][idx], axis=1)))
        out_b.append(_auroc_from_ranks(yy, _scipy_stats.rankdata(scores[1][idx], axis=1)))
    boot_a, boot_b = np.concatenate(out_a), np.concatenate(out_b)
    q = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
    (a_lo, a_hi), (b_lo, b_hi), (d_lo, d_hi) = (np.percentile(v, q) for v in (boot_a, boot_b, boot_a - boot_b))
    return AurocDifference(
        a_hat,
        b_hat,
        a_hat - b_hat,
        float(a_lo),
        float(a_hi),
        float(b_lo),
        float(b_hi),
        float(d_lo),
        float(d_hi),
        int(y.size),
        int(boot_a.size),
        level,
    )


@dataclass(frozen=True)
class DeLong:
    """AUROCs of scores a and b on the same cases, their difference (a - b) with DeLong's interval and test."""

    auroc_a: float
    auroc_b: float
    difference: float
    a_low: float
    a_high: float
    b_low: float
    b_high: float
    low: float
    high: float
    se: float
    z: float
    p_value: float
    cases: int
    level: float


def _midranks(x: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, ties given their average rank (Sun & Xu's 'midranks')."""
    return _scipy_stats.rankdata(x, axis=-1)


def delong_auroc_difference(y, score_a, score_b, level: float = 0.95) -> DeLong:
    """AUROC of ``score_a`` and of ``score_b`` for the yes/no outcome ``y`` on the same cases, and the difference
    ``a - b``, with DeLong's asymptotic intervals and the two-sided test of "no difference".

    DeLong, DeLong & Clarke-Pearson (*Biometrics* 44:837-845, 1988) estimate the covariance of two AUROCs measured
    on the same cases from each case's "structural components" (the share of the other class it outranks); Sun & Xu
    (*IEEE Signal Processing Letters* 21:1389-1393, 2014) compute those components from midranks in
    O(n log n). Nothing is resampled, so the result is the same every time. The scores are taken as fixed: the
    uncertainty of fitting a model that produced them is not included. Cases with a missing score are refused.
    """
    level = _level(level)
    y = _binary(y, "y").to_numpy().astype(bool)
    scores = []
    for name, s in (("score_a", score_a), ("score_b", score_b)):
        try:
            v = np.asarray(s, dtype=float)
        except (TypeError, ValueError):
            raise DataError(name, "the scores are not numbers", "Pass one numeric score per case.") from None
        if v.shape != y.shape:
            raise DataError(name, f"{v.size} scores for {y.size} cases", "Pass one score per case, aligned with y.")
        if not np.isfinite(v).all():
            raise DataError(
                name,
                f"{int((~np.isfinite(v)).sum())} scores are missing or infinite",
                "Keep only the cases that have both scores.",
            )
        scores.append(v)
    m, n = int(y.sum()), int((~y).sum())
    if m < 2 or n < 2:
        raise DataError("y", "fewer than two cases in one outcome class", "DeLong's test needs two of each class.")
    s = np.vstack(scores)
    pos, neg = s[:, y], s[:, ~y]
    ranks_all = _midranks(np.hstack([pos, neg]))
    ranks_pos, ranks_neg = _midranks(pos), _midranks(neg)
    auc = (ranks_all[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n)
    v_pos = (ranks_all[:, :m] - ranks_pos) / n  # per event: share of non-events it outranks
    v_neg = 1 - (ranks_all[:, m:] - ranks_neg) / m  # per non-event: share of events that outrank it
    cov = np.cov(v_pos) / m + np.cov(v_neg) / n
    se = float(np.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0)))
    diff = float(auc[0] - auc[1])
    zq = float(_scipy_stats.norm.ppf((1 + level) / 2))
    z = diff / se if se > 0 else (0.0 if diff == 0 else float(np.sign(diff) * np.inf))
    p = float(2 * _scipy_stats.norm.sf(abs(z)))
    sa, sb = float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1]))
    return DeLong(
        float(auc[0]),
        float(auc[1]),
        diff,
        float(auc[0] - zq * sa),
        float(auc[0] + zq * sa),
        float(auc[1] - zq * sb),
        float(auc[1] + zq * sb),
        diff - zq * se,
        diff + zq * se,
        se,
        float(z),
        p,
        int(y.size),
        level,
    )


@dataclass(frozen=True)
class Pooled:
    """One estimate pooled over imputed data sets with Rubin's rules."""

    estimate: float
    se: float
    low: float
    high: float
    within: float  # mean within-imputation variance
    between: float  # variance of the estimates between imputations
    df: float
    imputations: int
    level: float


def rubin_pool(estimates: Sequence[float], variances: Sequence[float], level: float = 0.95) -> Pooled:
    """Pool one estimate from ``m`` imputed data sets (Rubin, *Multiple Imputation for Nonresponse in Surveys*,
    1987): the mean of the estimates, with total variance ``W + (1 + 1/m) B`` (W: mean within-imputation
    variance, B: variance between imputations) and a t interval with Rubin's degrees of freedom."""
    level = _level(level)
    try:
        q = np.asarray(estimates, dtype=float)
        u = np.asarray(variances, dtype=float)
    except (TypeError, ValueError):
        raise DataError(
            "estimates/variances", "not numbers", "Pass one estimate and one variance per imputation."
        ) from None
    if q.ndim != 1 or q.shape != u.shape or q.size < 2:
        raise DataError(
            "estimates/variances",
            f"{q.size} estimates and {u.size} variances",
            "Pass the same number (at least 2) of estimates and variances, one per imputed data set.",
        )
    if not (np.isfinite(q).all() and np.isfinite(u).all() and (u >= 0).all()):
        raise DataError(
            "estimates/variances", "missing, infinite or negative values", "Pass finite estimates and variances >= 0."
        )
    m = q.size
    w, b = float(u.mean()), float(q.var(ddof=1))
    total = w + (1 + 1 / m) * b
    if total == 0:
        raise DataError("variances", "every variance is zero", "Pass the squared standard errors of the estimates.")
    r = (1 + 1 / m) * b / w if w > 0 else np.inf
    df = (m - 1) * (1 + 1 / r) ** 2 if r > 0 else np.inf
    t = _scipy_stats.t.ppf((1 + level) / 2, df) if np.isfinite(df) else _scipy_stats.norm.ppf((1 + level) / 2)
    se = float(np.sqrt(total))
    est = float(q.mean())
    return Pooled(est, se, float(est - t * se), float(est + t * se), w, b, float(df), m, level)


def adjusted_level(level: float = 0.95, comparisons: int = 1) -> float:
    """The confidence level of each of ``comparisons`` intervals so that all of them hold together with
    probability at least ``level`` (Bonferroni): ``1 - (1 - level) / comparisons``.

    Four units compared at 95% together: each interval at 98.75%. With one comparison the level is unchanged.
    """
    level = _level(level)
    if isinstance(comparisons, bool) or not isinstance(comparisons, (int, np.integer)) or comparisons < 1:
        raise DataError(
            f"comparisons={comparisons!r}", "not a whole number of comparisons >= 1", "Pass how many intervals."
        )
    return 1 - (1 - level) / int(comparisons)


def rate_differences(outcome, exposed, by, level: float = 0.95, adjust: bool = True) -> pd.DataFrame:
    """Per group of ``by``: the rate of the yes/no ``outcome`` among the ``exposed`` minus the rate among the others,
    with Newcombe's interval (:func:`difference_ci`).

    With ``adjust`` (the default), every interval is at the Bonferroni level for as many comparisons as there are
    groups (:func:`adjusted_level`), so that all the intervals together hold with confidence ``level``; the level
    used is in the column ``level``. Columns: ``count1``, ``n1`` (exposed), ``count2``, ``n2`` (not exposed),
    ``rate1``, ``rate2``, ``difference``, ``low``, ``high``, ``level``. The three series are aligned by index.
    """
    level = _level(level)
    y, x = _binary(outcome, "outcome"), _binary(exposed, "exposed")
    g = by if isinstance(by, pd.Series) else pd.Series(by)
    if not (y.index.equals(x.index) and y.index.equals(g.index)):
        if len(y) == len(x) == len(g) and not any(isinstance(v, pd.Series) for v in (outcome, exposed, by)):
            x.index = g.index = y.index
        elif y.index.is_unique and set(y.index) == set(x.index) == set(g.index) and len(y) == len(x) == len(g):
            x, g = x.reindex(y.index), g.reindex(y.index)
        else:
            raise DataError(
                "outcome/exposed/by",
                "the three columns are not on the same index",
                "Pass Series indexed by the same rows (e.g. one per stay).",
            )
    keep = g.notna()
    y, x, g = y[keep], x[keep], g[keep]
    groups = list(g.cat.categories) if g.dtype == "category" else sorted(pd.unique(g), key=str)
    groups = [k for k in groups if (g == k).any()]
    if not groups:
        raise DataError("by", "there are no groups", "Pass a column of group labels.")
    each = adjusted_level(level, len(groups)) if adjust else level
    rows = {}
    for k in groups:
        m = g == k
        k1, n1 = int(y[m & (x == 1)].sum()), int((m & (x == 1)).sum())
        k2, n2 = int(y[m & (x == 0)].sum()), int((m & (x == 0)).sum())
        if n1 == 0 or n2 == 0:
            raise DataError(
                "exposed",
                f"group {k!r} has no one {'exposed' if n1 == 0 else 'unexposed'}",
                "Compare only groups that hold both.",
            )
        d = difference_ci(k1, n1, k2, n2, level=each)
        rows[k] = {
            "count1": k1,
            "n1": n1,
            "count2": k2,
            "n2": n2,
            "rate1": d.rate1,
            "rate2": d.rate2,
            "difference": d.difference,
            "low": d.low,
            "high": d.high,
            "level": each,
        }
    table = pd.DataFrame(rows).T
    ints = ["count1", "n1", "count2", "n2"]
    table[ints] = table[ints].astype(int)
    floats = [c for c in table.columns if c not in ints]
    table[floats] = table[floats].astype(float)
    table.index.name = g.name
    return table


def interval_side(low, high, null: float = 0.0) -> str:
    """Where the interval ``low``-``high`` lies against ``null`` (0 for a difference, 1 for a ratio):
    ``"above"``, ``"below"`` or ``"includes"`` (the interval holds the null value, ends included).

    Build the words of a finding from this, never from the point estimate alone: "higher" only when "above".
    """
    try:
        lo, hi, nu = float(low), float(high), float(null)
    except (TypeError, ValueError):
        raise DataError("low/high", "not numbers", "Pass the two ends of an interval.") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
        raise DataError("low/high", f"{lo:g} to {hi:g} is not an interval", "Pass low <= high, both finite.")
    return "above" if lo > nu else "below" if hi < nu else "includes"


def auroc_interval(y, score, resamples: int = 1000, seed: int = 0, level: float = 0.95) -> tuple[float, float, float]:
    """AUROC of ``score`` for the yes/no outcome ``y`` with a percentile bootstrap interval: ``(auroc, low, high)``.

    The same resampling as :func:`paired_auroc_difference` (whose ``a_low``, ``a_high`` it returns), so one score's
    interval here and its interval in a paired comparison agree for the same seed.
    """
    r = paired_auroc_difference(y, score, score, resamples=resamples, seed=seed, level=level)
    return r.auroc_a, r.a_low, r.a_high
