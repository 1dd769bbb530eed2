"""Checks for the exercises of lesson 05 (bias): expected values come from the data."""

from __future__ import annotations

import ast
import re
from functools import cache

import numpy as np
import pandas as pd
from scipy.stats import binomtest, fisher_exact
from sklearn.metrics import roc_auc_score

from .. import challenge2012, ptbxl, stats
from ..feedback import as_number, check_number, close, correct, exercise, incorrect
from ._plots import judge_rate_plot

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


# ---------------------------------------------------------------- exercise 2 (a figure)


def death_by_icu_expected() -> pd.DataFrame:
    """Deaths (count), stays (n), rate and Wilson interval per ICU type 1-4."""
    icu, _ = _icu()
    return stats.rate_table(icu["In-hospital_death"], icu["ICUType"].astype(int))


@exercise
def death_by_icu_plot(answer):
    t = death_by_icu_expected()
    return judge_rate_plot(
        answer,
        t["rate"],
        t["low"],
        t["high"],
        "the in-hospital death rate of each ICU type",
        mistakes=[
            (t["count"], "you plotted numbers of deaths; plot the rate (deaths / stays) of each ICU type."),
            (1 - t["rate"], "you plotted the share who survived; plot the share who died."),
            (t["n"], "you plotted the number of stays per ICU type; plot the death rate."),
        ],
    )


# ---------------------------------------------------------------- exercise 3 (Mantel-Haenszel)


def _pair(label: str = "normal", sites=(0, 1)):
    meta = _meta()
    rows = meta[meta["site"].isin(sites) & meta["age"].notna()]
    return rows[label], rows["site"].eq(0), rows["age band"]


def site_mh_expected():
    y, x, band = _pair()
    return stats.mantel_haenszel(y, x, band)


def _three(answer) -> tuple[float, float, float] | None:
    if isinstance(answer, stats.MantelHaenszel):
        return answer.odds_ratio, answer.low, answer.high
    if isinstance(answer, (str, bytes, dict, pd.DataFrame)) or not hasattr(answer, "__len__"):
        return None
    values = [as_number(v) for v in list(answer)]
    if len(values) != 3 or any(v is None for v in values):
        return None
    return values[0], values[1], values[2]


@exercise
def site_mh(answer):
    expected = site_mh_expected()
    want = (expected.odds_ratio, expected.low, expected.high)
    if isinstance(answer, pd.Series) and len(answer) == 3 and answer.between(0, 1).all():
        if _close_to(answer.to_numpy(dtype=float), _band_pvalues("normal", _fisher).to_numpy()):
            return close(
                "those are three separate Fisher tests, one per band: each band alone is too small to show much, and "
                "three 'not significant' results are absence of evidence. Summarise the bands in one Mantel-Haenszel "
                "odds ratio with its interval: `stats.mantel_haenszel(outcome, exposed, strata)`."
            )
    single = as_number(answer)
    if single is not None:
        if np.isclose(single, expected.odds_ratio, rtol=1e-6):
            return close("the odds ratio is right; give its interval too: `(mh.odds_ratio, mh.low, mh.high)`.")
        return incorrect("expected three numbers (odds ratio, low, high), e.g. `(mh.odds_ratio, mh.low, mh.high)`.")
    got = _three(answer)
    if got is None:
        return incorrect(
            f"expected three numbers (odds ratio, low, high) or the result of `stats.mantel_haenszel`, "
            f"got {type(answer).__name__}."
        )
    if _close_to(got, want):
        verdict = "includes 1: no difference at the same age is compatible with the data, and so are fairly large ones"
        if not expected.low <= 1 <= expected.high:
            verdict = "excludes 1: the sites differ even at the same age"
        return correct(
            f"odds ratio {want[0]:.2f} ({want[1]:.2f} to {want[2]:.2f}); the interval {verdict}. It adjusts for age "
            "bands only: site still stands for device, cardiologist and period."
        )
    if _close_to(got, (1 / want[0], 1 / want[2], 1 / want[1])):
        return close("that is site 1 against site 0 (the inverse); make 'site 0' the exposed group (True).")
    y, x, band = _pair()
    crude = stats.mantel_haenszel(y, x, pd.Series("all", index=y.index))
    if _close_to(got, (crude.odds_ratio, crude.low, crude.high)):
        return close(
            "that is the crude odds ratio, with all ages in one stratum: age, which differs between the sites, is "
            "not taken into account. Pass the age bands as `strata`."
        )
    y100, x100, band100 = _pair("normal100")
    strict = stats.mantel_haenszel(y100, x100, band100)
    if _close_to(got, (strict.odds_ratio, strict.low, strict.high)):
        return close("you counted only NORM at likelihood 100; the lesson counts NORM at any likelihood.")
    meta = _meta()
    rows = meta[meta["age"].notna()]
    everyone = stats.mantel_haenszel(rows["normal"], rows["site"].eq(0), rows["age band"])
    if _close_to(got, (everyone.odds_ratio, everyone.low, everyone.high)):
        return close("you compared site 0 with all other sites; keep only the ECGs of sites 0 and 1.")
    return incorrect(
        "these are not the Mantel-Haenszel odds ratio and interval of NORM for site 0 vs site 1 over the age bands. "
        "Keep sites 0 and 1 and ECGs with an age; outcome `normal`, exposed `site == 0`, strata `age band`."
    )


# ---------------------------------------------------------------- exercise 6 (numbers in sentences)

#: numbers a sentence may use that are not facts about the slice: thresholds, age-band edges, site codes,
#: published figures of the full PTB-XL that the lesson quotes, and the ECG's own layout.
ALLOWED = {0, 1, 2, 3, 10, 12, 18, 40, 50, 59, 60, 80, 100, 500, 21799, 18869, 52, 48, 62, 95, 2020}

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)")


def _slice_flags(meta: pd.DataFrame) -> dict[str, pd.Series]:
    sex = meta["sex"]
    flags = {
        "normal": meta["normal"],
        "male": sex.eq(0),
        "female": sex.eq(1),
        "static_noise": meta["static_noise"].notna(),
        "height missing": meta["height"].isna(),
        "weight missing": meta["weight"].isna(),
        "validated by a human": meta["validated_by_human"].astype(bool),
        "autogenerated report": meta["initial_autogenerated_report"].astype(bool),
        "second opinion": meta["second_opinion"].astype(bool),
        "no validator": meta["validated_by"].isna(),
        "aged 60 or more": meta["age"].ge(60),
        "under 40": meta["age"].lt(40),
        "CS-12 E": meta["device"].eq("CS-12   E"),
    }
    flags.update({f"site {s:g}": meta["site"].eq(s) for s in meta["site"].dropna().unique()})
    return flags


@cache
def slice_facts() -> tuple[np.ndarray, frozenset]:
    """What a sentence about the shipped PTB-XL slice may cite: counts, shares, ages and years, overall and by site,
    sex and age band; and the (count, total) pairs that "k of n" may state."""
    meta = _meta()
    flags = _slice_flags(meta)
    years = pd.to_datetime(meta["recording_date"]).dt.year
    groups = [pd.Series("all", index=meta.index), meta["site"], meta["sex"], meta["age band"]]
    out = {
        float(len(meta)),
        float(meta["patient_id"].nunique()),
        float(meta["site"].nunique()),
        float(years.min()),
        float(years.max()),
    }
    pairs = set()
    for g in groups:
        for _, part in meta.groupby(g, observed=True):
            out.add(float(len(part)))
            pairs.add((len(part), len(meta)))
            age = part["age"].dropna()
            if len(age):
                out.update(float(v) for v in (age.median(), age.min(), age.max()))
            for f in flags.values():
                k = int(f.loc[part.index].sum())
                out.update((float(k), k / len(part)))
                pairs.add((k, len(part)))
    return np.array(sorted(out)), frozenset(pairs)


_OF = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+) (?:of|out of) (?:the |all )?(\d{1,3}(?:,\d{3})+|\d+)")


def _numbers(text: str) -> list[tuple[float, int, bool, str]]:
    """(value, decimals, is a percentage, as written) for every number in the text."""
    found = []
    for whole, frac, pct in _NUMBER.findall(text):
        written = whole + frac + pct
        found.append((float((whole + frac).replace(",", "")), len(frac) - 1 if frac else 0, bool(pct), written))
    return found


def _is_fact(value: float, decimals: int, percent: bool, facts: np.ndarray) -> bool:
    candidates = facts * 100 if percent else np.concatenate([facts, facts[facts <= 1] * 100])
    half = 0.5 * 10.0**-decimals + 1e-9
    return bool(np.any(np.abs(candidates - value) <= half))


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
    facts, pairs = slice_facts()
    for i, t in enumerate(texts, start=1):
        numbers = _numbers(t)
        for k, n in _OF.findall(t):
            k, n = int(k.replace(",", "")), int(n.replace(",", ""))
            if (k, n) not in pairs:
                return close(
                    f"sentence {i}: '{k} of {n}' is not a count we can compute from the slice: no group of {n} "
                    f"ECGs has {k} with one of the properties the lesson counts. Compute both numbers from `meta`."
                )
        unknown = [w for v, d, p, w in numbers if not (v in ALLOWED and not p) and not _is_fact(v, d, p, facts)]
        if unknown:
            return close(
                f"sentence {i}: {', '.join(unknown)} match(es) nothing we can compute from the slice (counts, shares, "
                "ages or years, overall or by site, sex, age band, device or year). Compute each number from `meta` "
                "and put it into the sentence with an f-string, rather than typing it."
            )
        if not any(_is_fact(v, d, p, facts) for v, d, p, _ in numbers):
            return close(
                f"sentence {i} has only thresholds or codes in it ({', '.join(w for *_, w in numbers)}); back the "
                "claim with a count or a rate computed from the data."
            )
    return correct(
        "every number matches a fact computed from the slice. Compare yours with the solution: age mix, site and "
        "device, label source, and the noise flags are all candidates."
    )
