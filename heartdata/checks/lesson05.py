"""Checks for the exercises of lesson 05 (bias): expected values come from the data."""

from __future__ import annotations

import ast
import re
from functools import cache

import numpy as np
import pandas as pd
from scipy.stats import binomtest, chi2_contingency, fisher_exact
from sklearn.metrics import roc_auc_score

from .. import challenge2012, ptbxl
from ..feedback import check_number, close, correct, exercise, incorrect

BANDS = ["<40", "40-59", "60+"]


@cache
def _meta() -> pd.DataFrame:
    meta = ptbxl.load_metadata()
    codes = meta["scp_codes"].map(ast.literal_eval)
    meta["normal"] = codes.map(lambda c: "NORM" in c)
    meta["normal100"] = codes.map(lambda c: c.get("NORM") == 100)
    meta["age band"] = pd.cut(meta["age"], [0, 40, 60, 120], right=False, labels=BANDS)
    return meta


@cache
def _icu() -> tuple[pd.DataFrame, pd.DataFrame]:
    stays = challenge2012.load_stays()
    first = stays[stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)]
    wide = first.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    return wide.join(challenge2012.load_outcomes()), stays


def _wilson(k, n, method="wilson"):
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method=method)
    return ci.low, ci.high


def _close_to(a, b, tol=1e-6) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=1e-9))


def _icu_index(index) -> list[int] | None:
    """ICU types 1-4 from an index of numbers or of unit names; None if it is neither."""
    names = {v: k for k, v in challenge2012.ICU_TYPES.items()}
    out = []
    for value in index:
        if value in names:
            out.append(names[value])
        else:
            try:
                out.append(int(float(value)))
            except (TypeError, ValueError):
                return None
    return out


@exercise
def death_by_icu(answer):
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame with one row per ICU type, got {type(answer).__name__}.")
    missing = [c for c in ("rate", "low", "high") if c not in answer.columns]
    if missing:
        return incorrect(f"the table lacks the column(s) {missing}; it needs `rate`, `low` and `high`.")
    types = _icu_index(answer.index)
    if types is None or sorted(types) != [1, 2, 3, 4]:
        return incorrect(f"the index should hold the four ICU types 1, 2, 3, 4; it holds {list(answer.index)[:6]}.")
    icu, _ = _icu()
    died = icu["In-hospital_death"]
    deaths = died.groupby(icu["ICUType"]).sum().reindex([float(t) for t in types]).to_numpy()
    n = died.groupby(icu["ICUType"]).size().reindex([float(t) for t in types]).to_numpy()
    rate = deaths / n
    given = answer[["rate", "low", "high"]].to_numpy(dtype=float)
    if _close_to(given[:, 0], 100 * rate):
        return close("your rates are percentages; the exercise asks for fractions between 0 and 1 (divide by 100).")
    if _close_to(given[:, 0], 1 - rate):
        return close("those are the shares who survived; count `In-hospital_death` = 1 as the deaths.")
    if not _close_to(given[:, 0], rate):
        return incorrect(
            "the `rate` column is not deaths / stays per ICU type. Group `icu` by `ICUType` and use "
            "the mean (or sum / size) of `In-hospital_death`."
        )
    wilson = np.array([_wilson(k, m) for k, m in zip(deaths, n, strict=True)])
    if _close_to(given[:, 1:], wilson):
        return correct(
            "well done: the Cardiac Surgery Recovery Unit's rate is far below the others, and the intervals "
            "show it is not chance."
        )
    se = np.sqrt(rate * (1 - rate) / n)
    if _close_to(given[:, 1:], np.column_stack([rate - 1.96 * se, rate + 1.96 * se]), tol=1e-3):
        return close(
            "the rates are right, but the interval is the normal approximation (rate ± 1.96 standard errors). "
            'Use the Wilson interval: `binomtest(k, n).proportion_ci(method="wilson")`.'
        )
    exact = np.array([_wilson(k, m, "exact") for k, m in zip(deaths, n, strict=True)])
    if _close_to(given[:, 1:], exact):
        return close('the rates are right, but that is the exact (Clopper-Pearson) interval; use method="wilson".')
    return incorrect("the rates are right, but `low` and `high` are not the 95% Wilson interval of each rate.")


def _band_pvalues(label: str, test) -> pd.Series:
    meta = _meta()
    out = {}
    for band in BANDS:
        rows = meta[meta["age band"].eq(band) & meta["site"].isin([0, 1])]
        out[band] = test(pd.crosstab(rows["site"], rows[label]).to_numpy())
    return pd.Series(out)


def _fisher(table):
    return fisher_exact(table).pvalue


def _chi2(table):
    return chi2_contingency(table).pvalue


@exercise
def p_within_bands(answer):
    meta = _meta()
    rows = meta[meta["site"].isin([0, 1])]
    crude = _fisher(pd.crosstab(rows["site"], rows["normal"]).to_numpy())
    if not isinstance(answer, pd.Series):
        return check_number(
            answer,
            float("nan"),
            mistakes=[
                (
                    crude,
                    "close: that is one test on all ages together, where age can explain the difference. "
                    "Repeat the test within each age band and return the three p-values as a Series.",
                )
            ],
            what="a pandas Series of three p-values",
            hint="Return one p-value per age band, as a Series.",
        )
    try:
        given = answer.reindex(BANDS).astype(float)
    except (TypeError, ValueError):
        return incorrect("the Series should hold numbers (p-values).")
    if given.isna().any():
        return incorrect(f"index the Series by the band labels {BANDS}; yours has {list(answer.index)}.")
    if _close_to(given, _band_pvalues("normal", _fisher)):
        return correct(
            "well done: within each age band the sites do not differ clearly; the crude gap was the patients' age."
        )
    if _close_to(given, _band_pvalues("normal", _chi2)):
        return close("those are chi-square p-values. With counts this small in some bands, use Fisher's exact test.")
    if _close_to(given, _band_pvalues("normal100", _fisher)):
        return close(
            "you counted only NORM at likelihood 100; the lesson counts NORM at any likelihood (50, 80 or 100)."
        )
    if _close_to(given, _band_pvalues("normal", lambda t: fisher_exact(t).statistic)):
        return close("these are odds ratios, the first thing `fisher_exact` returns; take its `.pvalue`.")
    return incorrect(
        "these are not the p-values of Fisher's exact test of site (0 vs 1) × normal within each band. "
        "Check that each 2 × 2 table holds only sites 0 and 1 and the ECGs of one age band."
    )


@exercise
def lactate_auroc(answer):
    icu, stays = _icu()
    died = icu["In-hospital_death"]
    lactate = stays[stays["Parameter"].eq("Lactate")]
    measured = icu.index.isin(lactate["RecordID"].unique()).astype(int)
    expected = roc_auc_score(died, measured)
    highest = lactate.groupby("RecordID")["Value"].max().reindex(icu.index).fillna(0)
    return check_number(
        answer,
        expected,
        mistakes=[
            (
                1 - expected,
                "close: your score ranks the wrong way round (1 - AUROC). Score 1 for 'lactate was measured'.",
            ),
            (
                roc_auc_score(died, highest),
                "close: you used the lactate values. The exercise asks only *whether* lactate was measured "
                "(1) or not (0).",
            ),
            (
                roc_auc_score(measured, died),
                "the arguments of `roc_auc_score` are swapped: pass the true outcome first, the score second.",
            ),
            (
                roc_auc_score(died, lactate.groupby("RecordID").size().reindex(icu.index).fillna(0)),
                "you scored each stay by its number of lactate values; the exercise asks only whether there was one "
                "(1) or not (0).",
            ),
        ],
        what="an AUROC between 0 and 1",
        hint="Build a 0/1 score per stay in `icu` (1 if the stay has any Lactate row) and pass it to `roc_auc_score`.",
    )


@exercise
def female_gap(answer):
    meta = ptbxl.load_metadata()
    icu, _ = _icu()
    ptb_f, ptb_m = meta["sex"].eq(1).mean(), meta["sex"].eq(0).mean()
    icu_f, icu_m = icu["Gender"].eq(0).mean(), icu["Gender"].eq(1).mean()
    expected = ptb_f - icu_f
    return check_number(
        answer,
        expected,
        mistakes=[
            (ptb_f - icu_m, "close: in Challenge 2012, Gender 1 means male and 0 female; you counted the men there."),
            (ptb_m - icu_f, "close: in PTB-XL, sex 0 means male and 1 female; you counted the men there."),
            (ptb_m - icu_m, "close: that is the gap in the share of men, with the codes of both datasets swapped."),
            (100 * expected, "close: that is in percentage points; give a fraction (divide by 100)."),
            (icu_f - ptb_f, "close: wrong order; the exercise asks PTB-XL minus Challenge."),
            (
                ptb_f - icu["Gender"].eq(0).sum() / icu["Gender"].ge(0).sum(),
                "close: you left out the stays without a recorded gender; divide by all stays.",
            ),
        ],
        what="a fraction (a difference of two shares)",
        hint="PTB-XL: sex 1 = female. Challenge 2012: Gender 0 = female.",
    )


@exercise
def failures(answer):
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        return incorrect(f"expected a list of three sentences (strings), got {type(answer).__name__}.")
    texts = [a for a in answer if isinstance(a, str) and a.strip()]
    if len(texts) < 3:
        return close(f"found {len(texts)} sentence(s); give three different ways to fail, each as a string.")
    if len({t.strip().lower() for t in texts}) < len(texts):
        return close("two of your sentences are the same; give three different ways to fail.")
    without = [i + 1 for i, t in enumerate(texts) if not re.search(r"\d", t)]
    if without:
        return close(
            f"sentence(s) {without} contain no number. Back each claim with a count or rate computed from the data."
        )
    return correct(
        "compare yours with the solution: age mix, site and device, label source, and the noise flags "
        "are all candidates."
    )
