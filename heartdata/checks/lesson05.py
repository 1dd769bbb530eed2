"""Checks for the exercises of lesson 05 (bias): expected values come from the data.

Exercises ask for what the lesson did not print (four age bands instead of three, the sex mix of patients aged 65 and
over, the yes/no shortcut on all stays); a number copied from the lesson is named as such. Each named mistake is
declared in its check's decorator and named only when the answer equals what that mistake gives.
"""

from __future__ import annotations

import ast
import re
from functools import cache

import numpy as np
import pandas as pd
from scipy.stats import binomtest, fisher_exact
from sklearn.metrics import roc_auc_score

from .. import challenge2012, ptbxl, stats
from ..feedback import (
    Feedback,
    as_number,
    as_table,
    check_number,
    close,
    correct,
    exercise,
    incorrect,
    mistake_at,
    named,
    rounding,
    same,
)
from ._plots import judge_rate_plot

BANDS = ["<40", "40-59", "60+"]  # the lesson's age bands
#: Exercise 3's four age bands: [0, 30), [30, 50), [50, 70), [70, ...)
EDGES4, BANDS4 = [0, 30, 50, 70, 200], ["<30", "30-49", "50-69", "70+"]
#: Exercise 5: patients aged 65 and over.
OLDER = 65


@cache
def _meta() -> pd.DataFrame:
    meta = ptbxl.load_metadata()
    codes = meta["scp_codes"].map(ast.literal_eval)
    meta["normal"] = codes.map(lambda c: "NORM" in c)
    meta["normal100"] = codes.map(lambda c: c.get("NORM") == 100)
    meta["age band"] = pd.cut(meta["age"], [0, 40, 60, 120], right=False, labels=BANDS)
    meta["age band 4"] = pd.cut(meta["age"], EDGES4, right=False, labels=BANDS4)
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


def _rounded(got, want) -> str | None:
    """How every value of ``got`` is ``want`` rounded ("to 3 decimals"), or None if some value is neither right nor a
    rounding of it (the course's rounding rule, heartdata.feedback.rounding)."""
    hows, rest = [], []
    for g, w in zip(np.ravel(np.asarray(got, dtype=float)), np.ravel(np.asarray(want, dtype=float)), strict=True):
        if same(g, w):
            continue
        how = rounding(g, w)
        if how is None:
            rest.append(abs(g - w))  # e.g. 0.03 for 0.0312: one significant digit left, the rule does not call it
        else:
            hows.append(how)
    if not hows:
        return None
    how = max(hows, key=lambda h: int(h.split()[1]))
    if any(gap > 0.5 * 10 ** -int(how.split()[1]) + 1e-12 for gap in rest):
        return None
    return how


def _icu_types(values) -> list[int] | None:
    """ICU types 1-4 from numbers or unit names; None if they are neither."""
    names = {v: k for k, v in challenge2012.ICU_TYPES.items()}
    out = []
    for value in values:
        if value in names:
            out.append(names[value])
        else:
            try:
                out.append(int(float(value)))
            except (TypeError, ValueError):
                digits = re.findall(r"\d+", value) if isinstance(value, str) else []
                if len(digits) != 1:  # a label such as "ICU type 2" names its type once
                    return None
                out.append(int(digits[0]))
    return out


# ---------------------------------------------------------------- exercise 1 (a table of rates)

DEATH_TABLE = {
    "percent": "your rates are percentages; the exercise asks for fractions between 0 and 1 (divide by 100).",
    "survived": "those are the shares who survived; count `In-hospital_death` = 1 as the deaths.",
    "normal approximation": "the rates are right, but the interval is the normal approximation (rate ± 1.96 standard "
    'errors). Use the Wilson interval: `binomtest(k, n).proportion_ci(method="wilson")`.',
    "exact": 'the rates are right, but that is the exact (Clopper-Pearson) interval; use method="wilson".',
    "percent interval": "the rates are fractions but `low` and `high` are percentages; give all three as fractions.",
    "no counts": "the rates are right, but the table lacks {missing}: keep the counts beside the rates (a rate "
    "without its count hides how much it can be trusted).",
    "rounded": "the values are right but rounded {how}: store the values you computed, unrounded (round only when "
    "you display them), so that they can be checked exactly.",
}


def _unit_column(table: pd.DataFrame) -> str | None:
    for col in table.columns:
        if _icu_types(table[col]) is not None and sorted(_icu_types(table[col])) == [1, 2, 3, 4]:
            return col
    return None


@exercise(mistakes=DEATH_TABLE)
def death_by_icu(answer):
    table = as_table(answer, "a DataFrame with one row per ICU type")
    if isinstance(table, Feedback):
        return table
    missing = [c for c in ("rate", "low", "high") if c not in table.columns]
    if missing:
        return incorrect(f"the table lacks the column(s) {missing}; it needs `rate`, `low` and `high`.")
    unit = _unit_column(table.drop(columns=["rate", "low", "high"], errors="ignore"))
    if unit is None or len(table) != 4:
        return incorrect("the table should have four rows, one per ICU type 1, 2, 3, 4 (as the index or a column).")
    types = _icu_types(table[unit])
    icu, _ = _icu()
    g = icu.groupby("ICUType")["In-hospital_death"]
    deaths = g.sum().reindex([float(t) for t in types]).to_numpy()
    n = g.size().reindex([float(t) for t in types]).to_numpy()
    rate = deaths / n
    given = table[["rate", "low", "high"]].to_numpy(dtype=float)
    wilson = np.array([_wilson(k, m) for k, m in zip(deaths, n, strict=True)])
    if not _close_to(given[:, 0], rate):
        how = _rounded(given, np.column_stack([rate, wilson]))
        if how:
            return close(named("rounded", how=how))
    if _close_to(given[:, 0], 100 * rate):
        return close(named("percent"))
    if _close_to(given[:, 0], 1 - rate):
        return close(named("survived"))
    if not _close_to(given[:, 0], rate):
        return incorrect(
            "the `rate` column is not deaths / stays per ICU type. Group `icu` by `ICUType` and use the mean (or sum "
            "/ size) of `In-hospital_death`."
        )
    if _close_to(given[:, 1:], wilson):
        absent = [c for c in ("deaths", "stays") if c not in table.columns]
        if absent:
            return close(named("no counts", missing=" and ".join(f"`{c}`" for c in absent)))
        counts = table[["deaths", "stays"]].to_numpy(dtype=float)
        if not _close_to(counts, np.column_stack([deaths, n])):
            return incorrect("the rates are right, but `deaths` and `stays` are not the number of deaths and of stays "
                             "of each ICU type.")
        return correct(
            "the Cardiac Surgery Recovery Unit's rate is far below the others, and the intervals show it is not "
            "chance. (Part of that is who goes there: mostly planned surgery, the type of admission that clinical "
            "scores count as the lowest risk: SAPS II gives a scheduled surgical admission 0 points, a medical one 6 "
            "and an unscheduled surgical one 8; Le Gall et al., JAMA 1993, doi:10.1001/jama.1993.03510240069035.)"
        )
    if _close_to(given[:, 1:], 100 * wilson):
        return close(named("percent interval"))
    se = np.sqrt(rate * (1 - rate) / n)
    if _close_to(given[:, 1:], np.column_stack([rate - 1.96 * se, rate + 1.96 * se]), tol=1e-3):
        return close(named("normal approximation"))
    exact = np.array([_wilson(k, m, "exact") for k, m in zip(deaths, n, strict=True)])
    if _close_to(given[:, 1:], exact):
        return close(named("exact"))
    how = _rounded(given[:, 1:], wilson)
    if how:
        return close(named("rounded", how=how))
    return incorrect("the rates are right, but `low` and `high` are not the 95% Wilson interval of each rate.")


# ---------------------------------------------------------------- exercise 2 (a figure)


def death_by_icu_expected() -> pd.DataFrame:
    """Deaths (count), stays (n), rate and Wilson interval per ICU type 1-4."""
    icu, _ = _icu()
    return stats.rate_table(icu["In-hospital_death"], icu["ICUType"].astype(int))


ICU_PLOT = {
    "counts": "you plotted numbers of deaths; plot the rate (deaths / stays) of each ICU type.",
    "survived": "you plotted the share who survived; plot the share who died.",
    "stays": "you plotted the number of stays per ICU type; plot the death rate.",
}


@exercise(figure=True, mistakes=ICU_PLOT)
def death_by_icu_plot(answer):
    t = death_by_icu_expected()
    return judge_rate_plot(
        answer,
        t["rate"],
        t["low"],
        t["high"],
        "the in-hospital death rate of each ICU type",
        mistakes=[
            mistake_at("counts", t["count"]),
            mistake_at("survived", 1 - t["rate"]),
            mistake_at("stays", t["n"]),
        ],
        groups=[f"ICU type {int(k)}" for k in t.index],
        aliases={**{name: k for k, name in challenge2012.ICU_TYPES.items()},
                 **{"CCU": 1, "CSRU": 2, "MICU": 3, "SICU": 4}},
    )


# ---------------------------------------------------------------- exercise 3 (Mantel-Haenszel, four bands)


def _pair(label: str = "normal", band: str = "age band 4", others: bool = False):
    meta = _meta()
    rows = meta[meta["age"].notna() & (meta["site"].notna() if others else meta["site"].isin([0, 1]))]
    return rows[label], rows["site"].eq(0), rows[band]


def site_mh_expected():
    return stats.mantel_haenszel(*_pair())


def _three(answer) -> tuple[float, float, float] | None:
    if isinstance(answer, stats.MantelHaenszel):
        return answer.odds_ratio, answer.low, answer.high
    if isinstance(answer, (str, bytes, dict, pd.DataFrame)) or not hasattr(answer, "__len__"):
        return None
    values = [as_number(v) for v in list(answer)]
    if len(values) != 3 or any(v is None for v in values):
        return None
    return values[0], values[1], values[2]


SITE_MH = {
    "rounded": "those are the right odds ratio and interval, rounded {how}: store the values you computed, "
    "unrounded (round only when you display them), so that they can be checked exactly.",
    "typed": "{what} (You typed them as the lesson printed them, rounded: compute them, and store them unrounded.)",
    "three bands": "those are the lesson's numbers, over its three age bands. The exercise asks for four bands (under "
    "30, 30-49, 50-69, 70 and over): cut the ages again, `pd.cut(age, [0, 30, 50, 70, 200], right=False)`.",
    "per band": "those are {k} separate Fisher tests, one per band: each band alone is too small to show much, and "
    "several 'not significant' results are absence of evidence. Summarise the bands in one Mantel-Haenszel odds ratio "
    "with its interval: `stats.mantel_haenszel(outcome, exposed, strata)`.",
    "no interval": "the odds ratio is right; give its interval too: `(mh.odds_ratio, mh.low, mh.high)`.",
    "inverse": "that is the inverse odds ratio (1 / OR, its interval flipped): either site 1 is your exposed group, or "
    "your outcome is 'not normal' (each gives these numbers). Make 'site 0' the exposed group (True) and `normal` the "
    "outcome.",
    "crude": "that is the crude odds ratio, with all ages in one stratum: age, which differs between the sites, is not "
    "taken into account. Pass the four age bands as `strata`.",
    "NORM 100": "you counted only NORM at likelihood 100; the lesson counts NORM at any likelihood.",
    "all sites": "you compared site 0 with all other sites; keep only the ECGs of sites 0 and 1.",
}


@exercise(mistakes=SITE_MH)
def site_mh(answer):
    expected = site_mh_expected()
    want = (expected.odds_ratio, expected.low, expected.high)
    if isinstance(answer, pd.Series) and 3 <= len(answer) <= 4 and answer.between(0, 1).all():
        for band in ("age band 4", "age band"):
            y, x, b = _pair(band=band)
            p = [fisher_exact(pd.crosstab(x[b.eq(k)], y[b.eq(k)]).to_numpy()).pvalue for k in b.cat.categories]
            if _close_to(answer.to_numpy(dtype=float), p):
                return close(named("per band", k=len(p)))
    single = as_number(answer)
    if single is not None:
        if np.isclose(single, expected.odds_ratio, rtol=1e-6):
            return close(named("no interval"))
        return incorrect("expected three numbers (odds ratio, low, high), e.g. `(mh.odds_ratio, mh.low, mh.high)`.")
    got = _three(answer)
    if got is None:
        return incorrect(
            f"expected three numbers (odds ratio, low, high) or the result of `stats.mantel_haenszel`, "
            f"got {type(answer).__name__}."
        )
    if _close_to(got, want):
        three = stats.mantel_haenszel(*_pair(band="age band"))
        side = stats.interval_side(expected.low, expected.high, null=1)
        verdict = {"includes": "includes 1: no difference at the same age is compatible with the data, and so are "
                   "fairly large ones", "above": "lies above 1: site 0's ECGs are more often normal even at the same "
                   "age", "below": "lies below 1"}[side]  # fmt: skip
        return correct(
            f"odds ratio {want[0]:.2f} ({want[1]:.2f} to {want[2]:.2f}) over four bands, against "
            f"{three.odds_ratio:.2f} over the lesson's three; the interval {verdict}. How you cut age changes the "
            "summary: say which bands you used. It adjusts for age only: site still stands for device, cardiologist "
            "and period."
        )
    how = _rounded(got, want)
    if how:
        return close(named("rounded", how=how))
    if _close_to(got, (1 / want[0], 1 / want[2], 1 / want[1])):
        return close(named("inverse"))
    y, x, _ = _pair()
    candidates = [
        ("three bands", stats.mantel_haenszel(*_pair(band="age band"))),
        ("crude", stats.mantel_haenszel(y, x, pd.Series("all", index=y.index))),
        ("NORM 100", stats.mantel_haenszel(*_pair("normal100"))),
        ("all sites", stats.mantel_haenszel(*_pair(others=True))),
    ]
    for key, mh in candidates:
        if _close_to(got, (mh.odds_ratio, mh.low, mh.high)):
            return close(named(key))
    for key, mh in candidates:
        if _rounded(got, (mh.odds_ratio, mh.low, mh.high)):
            return close(named("typed", what=named(key)) if key == "three bands" else
                         f"{named(key)} (Your values are also rounded: store them unrounded.)")
    return incorrect(
        "these are not the Mantel-Haenszel odds ratio and interval of NORM for site 0 vs site 1 over the four age "
        "bands. Keep sites 0 and 1 and ECGs with an age; outcome `normal`, exposed `site == 0`, strata the four bands."
    )


# ---------------------------------------------------------------- exercise 4 (the yes/no shortcut)

LACTATE_AUROC = {
    "constant": "an AUROC of exactly 0.5 is what a score gives when it is the same for every stay. Built from the "
    "Lactate rows alone, every stay you scored has a lactate: start from all stays in `icu` and give 0 to those "
    "without a Lactate row.",
    "lesson": "that is the lesson's cross-validated model on the {n:,} stays with a SAPS-I score. The exercise scores "
    "all {total:,} stays with the yes/no itself, no model.",
    "scored stays": "you kept only the {n:,} stays with a SAPS-I score; the exercise asks about all {total:,} stays.",
    "flipped": "your score ranks the wrong way round (1 - AUROC). Score 1 for 'lactate was measured'.",
    "values": "you used the lactate values. The exercise asks only *whether* lactate was measured (1) or not (0).",
    "swapped": "the arguments of `roc_auc_score` are swapped: pass the true outcome first, the score second.",
    "percent": "that is the AUROC in percent; give it as a fraction between 0 and 1 (divide by 100).",
    "counts": "you scored each stay by its number of lactate values; the exercise asks only whether there was one (1) "
    "or not (0).",
}


@exercise(mistakes=LACTATE_AUROC)
def lactate_auroc(answer):
    icu, stays = _icu()
    died = icu["In-hospital_death"]
    lactate = stays[stays["Parameter"].eq("Lactate")]
    measured = icu.index.isin(lactate["RecordID"].unique()).astype(int)
    expected = roc_auc_score(died, measured)
    highest = lactate.groupby("RecordID")["Value"].max().reindex(icu.index).fillna(0)
    scored = icu["SAPS-I"].ge(0).to_numpy()
    fb = check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("constant", 0.5),
            mistake_at("lesson", _lesson_shortcut(), n=int(scored.sum()), total=len(icu)),
            mistake_at(
                "scored stays", roc_auc_score(died[scored], measured[scored]), n=int(scored.sum()), total=len(icu)
            ),  # fmt: skip
            mistake_at("flipped", 1 - expected),
            mistake_at("percent", 100 * expected),
            mistake_at("values", roc_auc_score(died, highest)),
            mistake_at("swapped", roc_auc_score(measured, died)),
            mistake_at("counts", roc_auc_score(died, lactate.groupby("RecordID").size().reindex(icu.index).fillna(0))),
        ],
        what="an AUROC between 0 and 1",
        hint="Build a 0/1 score per stay in `icu` (1 if the stay has any Lactate row) and pass it to `roc_auc_score`.",
    )
    if fb.correct:
        return correct(
            f"AUROC {expected:.3f} on all {len(icu):,} stays, from whether a test was ordered: a process variable, "
            "a trace of the clinicians' worry, not of the patient's lactate."
        )
    return fb


@cache
def _lesson_shortcut() -> float:
    """The lesson's 'lactate measured (yes/no)' AUROC: cross-validated logistic regression on the SAPS-I stays,
    lactate measured in the first 24 h (the window SAPS-I is scored from)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    icu, stays = _icu()
    scored = icu["SAPS-I"].ge(0)
    y = icu.loc[scored, "In-hospital_death"]
    early = stays["Parameter"].eq("Lactate") & stays["Time"].le(24 * 60)
    x = icu.index[scored].isin(stays.loc[early, "RecordID"]).astype(int).reshape(-1, 1)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return roc_auc_score(y, cross_val_predict(model, x, y, cv=cv, method="predict_proba")[:, 1])


# ---------------------------------------------------------------- exercise 5 (the sex mix of older patients)

FEMALE_GAP = {
    "challenge code": "in Challenge 2012, Gender 1 means male and 0 female; you counted the men there.",
    "ptbxl code": "in PTB-XL, sex 0 means male and 1 female; you counted the men there.",
    "both codes": "that is the gap in the share of men, with the codes of both datasets swapped.",
    "percent": "that is in percentage points; give a fraction (divide by 100).",
    "order": "wrong order; the exercise asks PTB-XL minus Challenge.",
    "unrecorded": "you left out the stays without a recorded gender; divide by all stays aged {age} or over.",
    "all ages": "that is the gap over all ages. The exercise asks about patients aged {age} or over in both datasets.",
    "strict": "nearly: 'aged {age} or over' includes patients of exactly {age} (`>= {age}`, not `> {age}`).",
}


@exercise(mistakes=FEMALE_GAP)
def female_gap(answer):
    meta, (icu, _) = _meta(), _icu()

    def shares(age_ok_ptb, age_ok_icu):
        p, c = meta.loc[age_ok_ptb, "sex"], icu.loc[age_ok_icu, "Gender"]
        return p.eq(1).mean(), p.eq(0).mean(), c.eq(0).mean(), c.eq(1).mean(), c

    ptb_f, ptb_m, icu_f, icu_m, g = shares(meta["age"].ge(OLDER), icu["Age"].ge(OLDER))
    expected = ptb_f - icu_f
    all_f = meta["sex"].eq(1).mean() - icu["Gender"].eq(0).mean()
    s_f, _, s_icu_f, _, _ = shares(meta["age"].gt(OLDER), icu["Age"].gt(OLDER))
    fb = check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("challenge code", ptb_f - icu_m),
            mistake_at("ptbxl code", ptb_m - icu_f),
            mistake_at("both codes", ptb_m - icu_m),
            mistake_at("percent", 100 * expected),
            mistake_at("order", icu_f - ptb_f),
            mistake_at("unrecorded", ptb_f - g.eq(0).sum() / g.ge(0).sum(), age=OLDER) if g.lt(0).any() else (None, ""),
            mistake_at("all ages", all_f, age=OLDER),
            mistake_at("strict", s_f - s_icu_f, age=OLDER),
        ],
        what="a fraction (a difference of two shares)",
        hint=f"Keep patients aged {OLDER} or over in each dataset. PTB-XL: sex 1 = female. Challenge 2012: Gender 0 "
        "= female.",
    )
    if fb.correct:
        older = meta[meta["age"].ge(OLDER)]
        return correct(
            f"{ptb_f:.1%} of PTB-XL's ECGs of patients aged {OLDER}+ are women's ({int(older['sex'].eq(1).sum()):,} of "
            f"{len(older):,} ECGs, from {older['patient_id'].nunique():,} patients), against {icu_f:.1%} of the "
            f"Challenge stays ({int(g.eq(0).sum()):,} of {len(g):,}): a gap of {expected:+.3f}, where one ECG more or "
            f"fewer moves PTB-XL's share by {100 / len(older):.1f} points. Coding first, counting second."
        )
    return fb


# ---------------------------------------------------------------- exercise 6 (numbers in sentences)

#: numbers a sentence may use that are not facts about the slice: thresholds, age-band edges, site codes, the
#: published figures of the full PTB-XL that the lesson quotes (release 1.0.3's counts; the paper's release 1.0.1
#: counts, sex mix and ages; the recording period; the 300 code for ages of 90 and over), and the ECG's own layout.
ALLOWED = {
    0,
    1,
    2,
    3,
    10,
    12,
    18,
    22,
    40,
    50,
    59,
    60,
    80,
    90,
    100,
    300,
    500,
    1989,
    1996,
    2020,
    21799,
    18869,
    21837,
    18885,
    52,
    48,
    62,
    95,
}

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%|\s?per ?cent)?", re.I)

#: PTB-XL's signal-quality columns, the course's "noise flags" (docs/glossary.md); lesson 01 counted the first three
NOISE_FLAGS = ("baseline_drift", "static_noise", "burst_noise", "electrodes_problems")


def _slice_flags(meta: pd.DataFrame) -> dict[str, pd.Series]:
    sex = meta["sex"]
    flags = {
        "normal": meta["normal"],
        "male": sex.eq(0),
        "female": sex.eq(1),
        "static_noise": meta["static_noise"].notna(),
        "burst_noise": meta["burst_noise"].notna(),
        "baseline_drift": meta["baseline_drift"].notna(),
        "electrodes_problems": meta["electrodes_problems"].notna(),
        # "a noise flag": any of the four signal-quality columns (the glossary's noise flag), or lesson 01's
        # "any noise note" (drift, static or burst)
        "any noise flag": meta[list(NOISE_FLAGS)].notna().any(axis=1),
        "any noise note": meta[list(NOISE_FLAGS[:3])].notna().any(axis=1),
        "extra_beats": meta["extra_beats"].notna(),
        "pacemaker": meta["pacemaker"].notna(),
        "height missing": meta["height"].isna(),
        "height recorded": meta["height"].notna(),
        "weight missing": meta["weight"].isna(),
        "weight recorded": meta["weight"].notna(),
        "validated by a human": meta["validated_by_human"].astype(bool),
        "autogenerated report": meta["initial_autogenerated_report"].astype(bool),
        "second opinion": meta["second_opinion"].astype(bool),
        "no validator": meta["validated_by"].isna(),
        "aged 60 or more": meta["age"].ge(60),
        "under 40": meta["age"].lt(40),
    }
    flags.update({_device_prop(d): meta["device"].eq(d) for d in meta["device"].dropna().unique()})
    flags.update({f"site {s:g}": meta["site"].eq(s) for s in meta["site"].dropna().unique()})
    return flags


_OF = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+) (?:of|out of) (?:the |all )?(\d{1,3}(?:,\d{3})+|\d+)")


#: what a sentence names, as (pattern, property): the property's count, share and, for a group, its ages and size
_FLAG_WORDS = [
    (r"\bnorm(al)?\b|healthy", "normal"),
    (r"\b(men|males?|man)\b", "male"),
    (r"\b(wom[ae]n|females?)\b", "female"),
    (r"nois|static", "static_noise"),
    (r"nois|burst", "burst_noise"),
    (r"drift|wander|baseline", "baseline_drift"),
    (r"electrode", "electrodes_problems"),
    (r"nois|quality|artefact|artifact", "any noise flag"),
    (r"nois|quality|artefact|artifact", "any noise note"),
    (r"extra.?beat|ectopic|extrasystol", "extra_beats"),
    (r"pacemaker|paced|pacing", "pacemaker"),
    (r"validat", "validated by a human"),
    (r"validat|cardiologist|annotat", "no validator"),
    (r"auto|machine|device|automatic", "autogenerated report"),
    (r"second|opinion", "second opinion"),
    (r"\b60\b|older|elderly|\bold\b", "aged 60 or more"),
    (r"\b40\b|young", "under 40"),
]
_GROUP_WORDS = [
    (r"\b(wom[ae]n|females?)\b", ("sex", 1)),
    (r"\b(men|males?|man)\b", ("sex", 0)),
    (r"under 40|<\s?40|younger than 40|aged? (?:less|below) 40", ("age band", "<40")),
    (r"40\s?(?:-|to|–)\s?59", ("age band", "40-59")),
    (r"60\s?\+|over 60|60 or (?:more|over|older)|aged? 60|older than 60", ("age band", "60+")),
]
_COUNT_NOUN = re.compile(r"^\s*(?:[a-z-]+\s){0,2}?(ecgs?|recordings?|records|reports?|traces|cases|patients|people|"
                         r"persons|men|women|labels?|flags?)\b", re.I)
#: the first ECG noun or patient noun in the words after a count: "450 ECGs", "227 women patients", "419 patients'"
_WHOSE = re.compile(r"^\W*(?:[\w-]+\W+){0,2}?(?:(ecgs?|recordings?|records|reports?|traces|tracings)|"
                    r"(patients?|people|persons|individuals|subjects))\b", re.I)
#: a number that is the ECG's layout, not a claim about the slice: "12-lead", "12 leads"
_LAYOUT = re.compile(r"^\s?-?\s?leads?\b", re.I)
_AGE_BEFORE = re.compile(r"(age[ds]?|median|oldest|youngest)\W+(?:\w+\W+){0,2}$", re.I)
#: words before an age that make it a claim about a group ("the median age is 50"), not a threshold ("aged 50+")
_STATISTIC = re.compile(r"\b(median|mean|average|oldest|youngest)\W+(?:\w+\W+){0,3}$", re.I)
_AGE_AFTER = re.compile(r"^\s*-?\s*(years?|yrs?)\b", re.I)


@cache
def slice_facts() -> tuple[tuple[tuple[float, str, tuple, str, str], ...], frozenset]:
    """What a sentence about the shipped PTB-XL slice may cite, each fact with what it is: (value, kind, group,
    property, description), kind one of count, share, age, size, patients, year; and the (count, total) pairs that
    "k of n" may state. Groups: the whole slice, each site, each sex and each age band."""
    meta = _meta()
    years = pd.to_datetime(meta["recording_date"]).dt.year
    facts = [(float(years.min()), "year", ("all", "all"), "", "the first recording year"),
             (float(years.max()), "year", ("all", "all"), "", "the last recording year"),
             (float(meta["site"].nunique()), "size", ("all", "all"), "", "the number of sites")]
    more, pairs = _facts_for(meta, _groups(meta), _slice_flags(meta))
    return tuple(facts + more), frozenset(pairs)


def _groups(meta: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    """The groups of the slice a sentence may name without words the check has to read for it: the whole slice,
    each site, each sex, each of the lesson's age bands."""
    out = [(("all", "all"), meta)]
    for key in ("site", "sex", "age band"):
        out += [((key, value), part) for value, part in meta.groupby(key, observed=True)]
    return out


def _facts_for(meta: pd.DataFrame, groups, flags: dict, sizes: bool = True) -> tuple[list, set]:
    """Facts and "k of n" pairs of each group: its size, patients and ages (``sizes``), and the count and share of
    each flag in it."""
    facts, pairs = [], set()
    for g, part in groups:
        where = _group_name(g)
        n = len(part)
        if sizes:
            facts.append((float(n), "size", g, "", f"the number of ECGs {where}"))
            facts.append((float(part["patient_id"].nunique()), "patients", g, "", f"the number of patients {where}"))
            pairs.add((n, len(meta), g, ""))
            age = part["age"].dropna()
            for what, v in (("median", age.median()), ("youngest", age.min()), ("oldest", age.max())):
                if len(age):
                    facts.append((float(v), "age", g, "", f"the {what} age {where}"))
        for name, f in flags.items():
            k = int(f.loc[part.index].sum())
            facts.append((float(k), "count", g, name, f"the number of ECGs {where} with '{name}'"))
            if n:
                facts.append((k / n, "share", g, name, f"the share of ECGs {where} with '{name}'"))
            pairs.add((k, n, g, name))
    return facts, pairs


# --- age bands the sentence names (other than the lesson's): "aged 70 or over", "under 30", "50-69" ---------------

_AGE_WORDS = re.compile(r"\bage[ds]?\b|\bages\b|years?\b|year-olds?|\bold(er|est)?\b|\byoung(er|est)?\b|elderly|"
                        r"\b(?:patients?|people|persons|adults|subjects)\s+(?:over|under|above|below)\b", re.I)
_N = r"(\d{1,3})"
#: (pattern, bands it may mean): a band is (low, low included, high, high included); N and M are the numbers
_BAND_PATTERNS = [
    (re.compile(r"between\s+" + _N + r"\s+and\s+" + _N, re.I), ("N..M", "N..<M")),
    (re.compile(r"(?<![\d.,])" + _N + r"\s*(?:-|–|to)\s*" + _N + r"(?![\d.,]?\d)", re.I), ("N..M", "N..<M")),
    (re.compile(r"(?<![\d.,])" + _N + r"\s*(?:\+|(?:years?\s+)?(?:and|or)\s+(?:over|older|above|more)\b)", re.I),
     (">=N",)),
    (re.compile(r"(?:at least|≥|>=)\s*(?:the age of\s+)?" + _N, re.I), (">=N",)),
    (re.compile(r"(?:over|above|older than|more than)\s+(?:the age of\s+)?" + _N, re.I), (">N", ">=N")),
    (re.compile(r"(?<![<>])>\s*" + _N), (">N",)),
    (re.compile(r"(?:under|below|younger than|less than)\s+(?:the age of\s+)?" + _N, re.I), ("<N",)),
    (re.compile(r"(?<![<>])<(?!=)\s*" + _N), ("<N",)),
    (re.compile(r"(?:at most|up to|≤|<=)\s*" + _N, re.I), ("<=N",)),
    (re.compile(r"(?<![\d.,])" + _N + r"\s*(?:years?\s+)?(?:or|and)\s+(?:under|younger|below|less)\b", re.I),
     ("<=N",)),
]
_BAND_NAMES = {"N..M": "{n} to {m}", "N..<M": "{n} to under {m}", ">=N": "{n} or over", ">N": "over {n}",
               "<N": "under {n}", "<=N": "{n} or under"}  # fmt: skip


def _age_bands(text: str) -> tuple[tuple[tuple[str, float, bool, float, bool], ...], frozenset]:
    """The age bands a sentence names, each as (name, low, low included, high, high included), and the places of
    their limits in the text (thresholds, not claims). Read only in a sentence about ages, and never from a number
    that counts something ("over 100 ECGs") or is a share ("under 40%")."""
    if not _AGE_WORDS.search(text):
        return (), frozenset()
    bands, places = {}, set()
    for pattern, kinds in _BAND_PATTERNS:
        for m in pattern.finditer(text):
            numbers = [int(v) for v in m.groups()]
            after = text[m.end(len(numbers)):]  # the words right after the (last) limit: "over 100 ECGs" counts
            if (any(v > 120 for v in numbers) or re.match(r"\s?%|\s?per ?cent", after, re.I) or _WHOSE.match(after)
                    or (len(numbers) == 2 and numbers[0] >= numbers[1])
                    or re.search(r"site\s?$", text[:m.start()], re.I)):
                continue
            n, m_ = numbers[0], numbers[-1]
            for kind in kinds:
                low, low_in, high, high_in = {
                    "N..M": (n, True, m_, True), "N..<M": (n, True, m_, False), ">=N": (n, True, np.inf, False),
                    ">N": (n, False, np.inf, False), "<N": (-np.inf, False, n, False),
                    "<=N": (-np.inf, False, n, True)}[kind]  # fmt: skip
                name = _BAND_NAMES[kind].format(n=n, m=m_)
                bands[name] = (name, float(low), low_in, float(high), high_in)
            places |= {m.start(i) for i in range(1, len(numbers) + 1)}
    return tuple(sorted(bands.values())), frozenset(places)


def _in_band(age: pd.Series, band: tuple) -> pd.Series:
    _, low, low_in, high, high_in = band
    above = age.ge(low) if low_in else age.gt(low)
    below = age.le(high) if high_in else age.lt(high)
    return above & below


@cache
def _band_facts(bands: tuple) -> tuple[tuple, frozenset]:
    """The facts of the age bands a sentence names: each band's count and share in every group the check knows,
    and, for the band as a group, its size, patients, ages and the count and share of every property."""
    if not bands:
        return (), frozenset()
    meta = _meta()
    flags = {f"aged {b[0]}": _in_band(meta["age"], b) for b in bands}
    facts, pairs = _facts_for(meta, _groups(meta), flags, sizes=False)
    groups = [(("age", b[0]), meta[flags[f"aged {b[0]}"]]) for b in bands]
    more, more_pairs = _facts_for(meta, groups, {**_slice_flags(meta), **flags})
    return tuple(facts + more), frozenset(pairs | more_pairs)


# --- with or without a height: which way a sentence reads ------------------------------------------------------

_MISSING = re.compile(r"\b(miss\w*|without|no|not|never|lacks?|lacking|absent|blank|empty|unrecorded|unknown|"
                      r"nan|none)\b|n't", re.I)
_PRESENT = re.compile(r"\b(with|has|have|had|having|record\w*|known|present|filled|measur\w*|available|carr\w*|"
                      r"comes?|came|includ\w*|holds?|giv\w*|written|writes?|wrote|noted|stated|contain\w*|"
                      r"provid\w*)\b", re.I)
#: where a clause ends: ; : a comma (not inside 1,234), a full stop (not a decimal point), or a joining word
_CLAUSE = re.compile(r"[;:]|,(?!\d{3})|\.(?!\d)|\b(?:so|but|while|whereas|and|which|although|though)\b", re.I)


def _clause(text: str, at: int) -> str:
    """The clause of ``text`` that holds position ``at``."""
    bounds = [0, *(m.start() for m in _CLAUSE.finditer(text)), len(text)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        if a <= at < b:
            return text[a:b]
    return text


def _recorded_or_missing(text: str, at: int | None, word: str) -> set:
    """'{word} missing', '{word} recorded' or both: what a number at ``at`` is said of, read first in its clause
    ("134 ECGs have a height", "316 are without one"), then in the sentence; both when the words do not say."""
    if not re.search(word, text, re.I):
        return set()
    parts = ([(_clause(text, at), True)] if at is not None else []) + [(text, False)]
    for part, own_clause in parts:
        missing, present = bool(_MISSING.search(part)), bool(_PRESENT.search(part))
        if missing and (own_clause or not present):  # in its own clause, "have no height": "no" wins over "have"
            return {f"{word} missing"}
        if present and not missing:
            return {f"{word} recorded"}
    return {f"{word} missing", f"{word} recorded"}


def _device_prop(device: str) -> str:
    """The property of being recorded on ``device``, its label's spaces collapsed: 'device CS-12 E'."""
    return "device " + " ".join(str(device).split())


@cache
def _device_patterns() -> dict[str, re.Pattern]:
    """For each device of the slice, a pattern for its name in a sentence, spaces and hyphens as written or not
    ("CS-12   E" is "CS-12 E" or "cs12e"), that does not stop inside a longer name ("CS-12" is not "CS-12 E")."""
    out = {}
    for d in _meta()["device"].dropna().unique():
        tokens = re.findall(r"[a-z]+|\d+(?:\.\d+)?", str(d).lower())
        out[_device_prop(d)] = re.compile(r"(?<![\w.])" + r"[\s-]*".join(map(re.escape, tokens)) + r"(?![\w]|\.\d)")
    return out


def _devices(low: str) -> set:
    """The devices a sentence names: at each place a name starts, the longest name found there."""
    found = {}
    for prop, pattern in _device_patterns().items():
        for m in pattern.finditer(low):
            if m.start() not in found or m.end() > found[m.start()][0]:
                found[m.start()] = (m.end(), prop)
    spans = sorted((start, end, prop) for start, (end, prop) in found.items())
    # a shorter name inside a longer one's span ("at-6 c" in "at-6 c 5.5") is part of that name
    return {prop for start, end, prop in spans if not any(s <= start and end < e for s, e, _ in spans)}


#: Words that name a group's share of the whole slice: the whole slice is then the group the number is about.
_GROUP_PROPS = {("sex", 1): "female", ("sex", 0): "male", ("age band", "60+"): "aged 60 or more",
                ("age band", "<40"): "under 40"}  # fmt: skip
_SLICE_WORDS = re.compile(r"\b(slice|overall|whole|in total|altogether|dataset|data set|all \d[\d,]* (?:ecgs|"
                          r"recordings|records|patients))\b", re.I)  # fmt: skip


def _group_name(g: tuple) -> str:
    key, value = g
    if key == "all":
        return "in the slice"
    if key == "sex":
        return "of " + ("women" if value == 1 else "men")
    return f"from site {value:g}" if key == "site" else f"of patients aged {value}"


def _named(text: str, at: int | None = None) -> tuple[set, set]:
    """The groups and the properties a sentence names (``at``: the place of the number they are read for, which
    says whether a height is said to be there or missing). The whole slice is among the groups when the sentence
    names no group, or names the slice ("in the slice", "overall", "all 450 ECGs"), or states a group's share or
    count of the slice ("252 of 450 ECGs are from site 0"): a number said of site 2 must be site 2's, not the
    slice's."""
    low = text.lower()
    sites = {("site", float(s)) for s in re.findall(r"site\s?(\d+)", low)}
    bands = _age_bands(text)[0]
    specific = sites | {g for pattern, g in _GROUP_WORDS if re.search(pattern, low)} | {("age", b[0]) for b in bands}
    props = {name for pattern, name in _FLAG_WORDS if re.search(pattern, low)}
    props |= {f"aged {b[0]}" for b in bands}
    props |= _recorded_or_missing(low, at, "height") | _recorded_or_missing(low, at, "weight")
    props |= {f"site {float(s):g}" for s in re.findall(r"site\s?(\d+)", low)}
    devices = _devices(low)
    props |= devices or (set(_device_patterns()) if re.search(r"device", low) else set())
    groups = set(specific)
    if not specific or _SLICE_WORDS.search(low):
        groups.add(("all", "all"))
    return groups, props


def _about_slice(fact: tuple, groups: set) -> bool:
    """Whether a fact about the whole slice is one the sentence may state although it names a group: the group's own
    count or share of the slice (site 0's ECGs, the women's share)."""
    if fact[2] != ("all", "all"):
        return False
    own = {_GROUP_PROPS.get(g, f"site {g[1]:g}" if g[0] == "site" else f"aged {g[1]}" if g[0] == "age" else None)
           for g in groups}
    return bool(fact[3]) and fact[3] in own


def _numbers(text: str) -> list[tuple[float, int, bool, str, str]]:
    """(value, decimals, is a percentage, as written, kind of claim) for every number in the text; the kind is read
    from the words around it: 'age' (median age 50, 37 years), 'count' (252 ECGs), 'share' (a percentage or a
    fraction), or '' when the words do not say."""
    found = []
    for m in _NUMBER.finditer(text):
        whole, frac, pct = m.groups()
        value = float((whole + frac if frac else whole).replace(",", ""))
        before, after = text[: m.start()], text[m.end():]
        if re.search(r"site\s?$", before, re.I):
            kind = "code"  # "site 0": a site's code, not a claim
        elif _LAYOUT.match(after):
            kind = "layout"  # "12-lead ECGs": the recording's layout, not a count
        elif pct or (frac and value <= 1):
            kind = "share"
        elif _AGE_BEFORE.search(before) or _AGE_AFTER.match(after):
            kind = "age"
        elif _COUNT_NOUN.match(after):
            whose = _WHOSE.match(after)  # "450 ECGs" and "419 patients" are different counts
            kind = "count" if whose is None else "ecgs" if whose.group(1) else "patients"
        else:
            kind = ""
        found.append((value, len(frac) - 1 if frac else 0, bool(pct), m.group(0).strip(), kind))
    return found


_KINDS = {"share": {"share"}, "age": {"age"}, "count": {"count", "size", "patients"}, "ecgs": {"count", "size"},
          "patients": {"patients"}, "": {"count", "size", "patients", "age", "share", "year"}}
_COUNTS = ("count", "ecgs", "patients")


def _matches(value: float, decimals: int, percent: bool, fact: float, kind: str) -> bool:
    half = 0.5 * 10.0**-decimals + 1e-9
    if kind == "share":
        return abs((fact * 100 if percent or value > 1 else fact) - value) <= half
    return abs(fact - value) <= half


def _claim(text: str, number: tuple, facts, at: int | None = None) -> list:
    """The facts the sentence's number (at place ``at``) may state, given the groups and properties the sentence
    names."""
    value, decimals, percent, _, kind = number
    groups, props = _named(text, at)
    return [f for f in facts if f[1] in _KINDS[kind] and (f[2] in groups or _about_slice(f, groups))
            and (f[3] == "" or f[3] in props) and _matches(value, decimals, percent, f[0], f[1])]


def _anywhere(number: tuple, facts) -> list:
    value, decimals, percent, *_ = number
    found = [f for f in facts if f[1] != "year" and (f[1] == "share" or not percent)
             and _matches(value, decimals, percent, f[0], f[1])]
    order = ["size", "age", "patients", "count", "share"]  # name a group's size before a flag that equals it
    return sorted(found, key=lambda f: order.index(f[1]))


FAILURES = {
    "too few": "found {k} sentence(s); give three different ways to fail, each as a string.",
    "repeated": "two of your sentences are the same; give three different ways to fail.",
    "no number": "sentence(s) {which} contain no number. Back each claim with a count or rate computed from the data.",
    "invented pair": "sentence {i}: '{k} of {n}' is not a count of what the sentence names: no group it names has "
    "{n} ECGs with {k} of them having a property it names. Compute both numbers from `meta`, for the group and "
    "the property your sentence is about.",
    "invented number": "sentence {i}: {words} match(es) nothing we can compute from the slice (counts, shares, ages or "
    "years, overall or by site, sex, age band, device or year, of the properties the exercise lists: normal, a noise "
    "flag, a height or weight recorded or missing, ...). Compute each number from `meta` and put it into the sentence "
    "with an f-string, rather than typing it.",
    "borrowed number": "sentence {i}: {written} is a number from the slice, but not the one your sentence claims: "
    "{written} is {what}, while the sentence reads as {claim}. Compute the number for the group and the property the "
    "sentence names.",
    "ecgs as patients": "sentence {i}: {written} is {what}, but the sentence counts patients. A patient can have "
    "several ECGs: {where} there are {ecgs} ECGs from {patients} patients. Count patients with "
    "`meta['patient_id'].nunique()` (for the group your sentence names).",
    "patients as ecgs": "sentence {i}: {written} is {what}, but the sentence counts ECGs. A patient can have several "
    "ECGs: {where} there are {ecgs} ECGs from {patients} patients. Count ECGs (rows of `meta`), not distinct "
    "`patient_id`s.",
    "codes only": "sentence {i} has only thresholds or codes in it ({words}); back the claim with a count or a rate "
    "computed from the data.",
}

_KIND_WORDS = {"share": "a share", "age": "an age", "count": "a count of ECGs or patients", "ecgs": "a count of ECGs",
               "patients": "a count of patients", "": "a fact"}


def _ecgs_and_patients(g: tuple, facts) -> tuple[int, int]:
    """The number of ECGs and of patients of group ``g``."""
    size = next(f[0] for f in facts if f[1] == "size" and f[2] == g and f[4].startswith("the number of ECGs"))
    return int(size), int(next(f[0] for f in facts if f[1] == "patients" and f[2] == g))


def _other_count(i: int, text: str, number: tuple, facts, at: int | None = None) -> str | None:
    """The message when a count of ECGs is written as patients, or the reverse, for a group the sentence names."""
    value, decimals, percent, written, kind = number
    if kind not in ("ecgs", "patients"):
        return None
    groups, props = _named(text, at)
    other = {"patients"} if kind == "ecgs" else {"size", "count"}
    found = [f for f in facts if f[1] in other and f[2] in groups and (f[3] == "" or f[3] in props)
             and _matches(value, decimals, percent, f[0], f[1])]
    if not found:
        return None
    fact = sorted(found, key=lambda f: ["size", "patients", "count"].index(f[1]))[0]
    ecgs, patients = _ecgs_and_patients(fact[2], facts)
    where = _group_name(fact[2])
    where = {"in the slice": "in the slice", "of women": "among the women", "of men": "among the men"}.get(where, where)
    key = "ecgs as patients" if kind == "patients" else "patients as ecgs"
    return named(key, i=i, written=written, what=fact[4], where=where, ecgs=ecgs, patients=patients)


@exercise(mistakes=FAILURES)
def failures(answer):
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        return incorrect(f"expected a list of three sentences (strings), got {type(answer).__name__}.")
    texts = [a for a in answer if isinstance(a, str) and a.strip()]
    if len(texts) < 3:
        return close(named("too few", k=len(texts)))
    if len({t.strip().lower() for t in texts}) < len(texts):
        return close(named("repeated"))
    without = [i + 1 for i, t in enumerate(texts) if not re.search(r"\d", t)]
    if without:
        return close(named("no number", which=without))
    slice_only, slice_pairs = slice_facts()
    for i, t in enumerate(texts, start=1):
        bands, limits = _age_bands(t)
        band_facts, band_pairs = _band_facts(bands)
        facts, pairs = slice_only + band_facts, slice_pairs | band_pairs
        in_pairs = set()
        for m in _OF.finditer(t):
            k, n = (int(v.replace(",", "")) for v in m.groups())
            groups, props = _named(t, m.start(1))
            if not any(p[:2] == (k, n) and (p[2] in groups or _about_slice((k, "", *p[2:]), groups))
                       and (p[3] == "" or p[3] in props) for p in pairs):
                return close(named("invented pair", i=i, k=k, n=n))
            in_pairs |= {m.start(1), m.start(2)}
        numbers = _numbers(t)
        starts = [m.start() for m in _NUMBER.finditer(t)]
        backed = 0
        for start, number in zip(starts, numbers, strict=True):
            value, _, percent, written, kind = number
            if kind == "layout" or (start in limits and start not in in_pairs):
                continue  # the ECG's layout, or the limit of an age band the sentence names ("aged 70 or over")
            if start in in_pairs or kind == "code":
                backed += 1
                continue
            if _claim(t, number, facts, start):
                backed += 1
                continue
            statistic = kind == "age" and _STATISTIC.search(t[:start])  # "the median age is 50": a claim
            if value in ALLOWED and not percent and (kind not in _COUNTS or value >= 1000) and not statistic:
                continue  # a threshold, code or published figure, not a claim about the slice
            swapped = _other_count(i, t, number, facts, start)
            if swapped:
                return close(swapped)
            elsewhere = _anywhere(number, facts)
            groups, props = _named(t, start)
            if elsewhere:
                where = " or ".join(sorted({_group_name(g) for g in groups}))
                about = f" ({', '.join(sorted(props))})" if props and kind in ("share", *_COUNTS) else ""
                claim = f"{_KIND_WORDS[kind]}{about} {where}"
                return close(named("borrowed number", i=i, written=written, what=elsewhere[0][4], claim=claim))
            return close(named("invented number", i=i, words=written))
        if not backed:
            return close(named("codes only", i=i, words=", ".join(n[3] for n in numbers)))
    return correct(
        "your numbers are verified: each matches the fact its sentence states, computed from the slice. The "
        "reasoning is not graded: read each sentence again and ask whether it names a way the model could fail (a "
        "group it has rarely seen, a shortcut it could learn, a label it cannot trust). A true number that names no "
        "failure ('the slice holds 450 ECGs', or 'so the model will do fine') does not answer the question. Compare "
        "yours with the solution: age mix, site and device, label source, and the noise flags are all candidates."
    )
