"""Checks for the exercises of lesson 04 (incompleteness): expected values come from the data.

Every exercise asks for something the lesson did not print (another unit, another hour, a unit's own figure), so that
a number copied from the lesson is named as such rather than passed. Each named mistake is named only when the answer
equals what that mistake gives; the guide (tools/guide.py) lists them from the declarations below.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, stats
from ..feedback import (
    Feedback,
    as_ids,
    as_mapping,
    as_series,
    as_table,
    check_number,
    close,
    correct,
    exercise,
    incorrect,
    mistake_at,
    named,
    rounding_all,
    same,
)
from ._plots import judge_rate_plot

#: The unit exercises 1 and 6 look at: the Medical ICU (ICUType 3).
UNIT = 3
#: The hour of the stay at which exercises 2, 4 and 5 take a snapshot of lactate.
SNAPSHOT_MINUTES = 24 * 60
#: Exercise 3: ventilation recorded within the first 12 hours.
VENT_MINUTES = 12 * 60


@cache
def _data():
    """The time series (no time-0 descriptors), every stay's id and its ICU type; the full table is not kept."""
    stays = challenge2012.load_stays()
    is_desc = stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)
    ids = pd.Index(np.sort(stays["RecordID"].unique()), name="RecordID")
    unit = stays[is_desc & stays["Parameter"].eq("ICUType")].groupby("RecordID")["Value"].first().reindex(ids)
    return stays[~is_desc], ids, unit


def _icu_type() -> pd.Series:
    return _data()[2]


@cache
def _died() -> pd.Series:
    _, ids, _ = _data()
    return challenge2012.load_outcomes()["In-hospital_death"].reindex(ids)


@cache
def _measured() -> pd.DataFrame:
    """Stays x time-series parameters: True when the stay has at least one value."""
    series, ids, _ = _data()
    counts = series.groupby(["RecordID", "Parameter"]).size().unstack(fill_value=0)
    return counts.reindex(ids, fill_value=0) > 0


# ---------------------------------------------------------------- exercise 1


def _rare(stay_ids, denominator=None) -> set[str]:
    frac = _measured().loc[stay_ids].sum() / (len(stay_ids) if denominator is None else denominator)
    return set(frac.index[frac < 0.5])


def rare_parameters_expected() -> set[str]:
    """Parameters measured in fewer than half of the Medical ICU's stays."""
    unit = _icu_type()
    return _rare(unit.index[unit.eq(UNIT)])


RARE = {
    "rows": "you compared numbers of *rows* (measurements) with half the stays. A stay with 30 heart rates counts 30 "
    "times; count the stays that have at least one value of each parameter instead.",
    "all units": "that is the list for all {total:,} stays, the one the lesson printed{also}. The exercise asks about "
    "the Medical ICU: keep its {n:,} stays (ICUType 3) before counting.",
    "everything": "you listed all {k} parameters: every share you compared with 0.5 came out below it. Dividing by all "
    "{total:,} stays, or dividing numbers of *rows* by the unit's rows, makes every share small. For each parameter, "
    "count the Medical ICU's stays with at least one value and divide by its {n:,} stays.",
    "denominator": "you counted the Medical ICU's stays with each parameter but divided by all {total:,} stays. Divide "
    "by the unit's own {n:,} stays: 'half of the stays' means half of that unit's.",
    "mask": "you passed a yes/no mask, one True/False per parameter ({k} True of {m}), not the list of names: keep "
    "the names where it is True, e.g. `list(share.index[share < 0.5])` or `share[share < 0.5].index`.{verdict}",
    "descriptors": "{names} are descriptors written once per stay at time 0, not measurements; use `series`, which "
    "leaves them out.",
}


@exercise(mistakes=RARE)
def rare_parameters(answer) -> Feedback:
    if isinstance(answer, str):  # as_ids would speak of ids and show numbers
        parts = [w for w in re.split(r"[,;\s]+", answer) if w]
        how = " (`text.split(', ')` makes one from yours)" if len(parts) > 1 else ""
        return incorrect(f"expected a list or set of parameter names, got one text of {len(parts)} word(s): put each "
                         f"name in the list as its own string, e.g. `['Cholesterol', 'TroponinI']`{how}.")  # fmt: skip
    names = as_ids(answer, "a list or set of parameter names")
    if isinstance(names, Feedback):
        return names
    if isinstance(answer, pd.Series) and pd.api.types.is_bool_dtype(answer.dtype):  # share < 0.5, not filtered
        kept = set(map(str, answer.index[answer.to_numpy(bool)]))
        verdict = (" Its True entries are the right parameters." if kept == rare_parameters_expected() else
                   " (Its True entries are not yet the right parameters either.)")  # fmt: skip
        return close(named("mask", k=len(kept), m=len(answer), verdict=verdict))
    if isinstance(answer, pd.Series) and not pd.api.types.is_object_dtype(answer.dtype):
        names = list(answer.index)  # e.g. frac[frac < 0.5]: the names are the index
    if not all(isinstance(n, str) for n in names):
        return incorrect("expected parameter names (strings), such as ['Cholesterol', ...].")
    names = set(names)
    expected = rare_parameters_expected()
    unit = _icu_type()
    in_unit = unit.index[unit.eq(UNIT)]
    if names == expected:
        return correct(
            f"these {len(expected)} parameters were measured in fewer than half of the Medical ICU's {len(in_unit):,} "
            "stays. Compare with the lesson's list for all units: which ones does this unit measure more often?"
        )
    series, ids, _ = _data()
    if names == _rare(ids):
        same_list = [name for t, name in challenge2012.ICU_TYPES.items()
                     if t != UNIT and _rare(unit.index[unit.eq(t)]) == names]
        also = f" (it is also the {' and the '.join(same_list)}'s list)" if same_list else ""
        return close(named("all units", n=len(in_unit), total=len(ids), also=also))
    everything = set(series["Parameter"].unique())
    if names == everything and names != expected:
        return close(named("everything", k=len(names), total=len(ids), n=len(in_unit)))
    if names == _rare(in_unit, denominator=len(ids)):
        return close(named("denominator", total=len(ids), n=len(in_unit)))
    rows = series.loc[series["RecordID"].isin(in_unit), "Parameter"].value_counts()
    if names in (set(rows.index[rows < len(in_unit) / 2]), set(series["Parameter"].value_counts().pipe(
            lambda r: r.index[r < len(ids) / 2]))):  # fmt: skip
        return close(named("rows"))
    unknown = names - set(series["Parameter"].unique())
    if unknown & set(challenge2012.DESCRIPTORS):
        return close(named("descriptors", names=sorted(unknown & set(challenge2012.DESCRIPTORS))))
    if unknown:
        return incorrect(f"{sorted(unknown)[:3]} are not parameters of this dataset; check the spelling.")
    missing, extra = expected - names, names - expected
    return incorrect(
        f"{len(names)} names given, {len(expected)} expected: {len(missing)} missing and {len(extra)} that the Medical "
        "ICU measured in at least half of its stays. For each parameter, count the unit's stays with at least one "
        "value and divide by the unit's number of stays."
    )


# ---------------------------------------------------------------- exercise 2

# True/False also match 1/0 (equal hashes in Python)
_MEASURED_KEYS = {True: True, "measured": True, "yes": True, False: False, "not measured": False, "no": False}


def _by_flag(answer) -> dict[bool, float] | Feedback | None:
    got = as_mapping(answer, "a Series (or dict) with the keys True and False")
    if isinstance(got, Feedback):
        return got
    out = {}
    for key, value in got.items():
        if isinstance(key, (np.bool_, np.integer)):
            key = key.item()
        flag = _MEASURED_KEYS.get(key.lower() if isinstance(key, str) else key)
        if flag is None:
            return None
        try:
            out[flag] = float(value.item() if hasattr(value, "item") else value)
        except (TypeError, ValueError):
            return None
    return out


def _lactate_by(minutes: int | None) -> pd.Series:
    """True for the stays with a lactate at or before ``minutes`` (the whole 48 h when None)."""
    series, ids, _ = _data()
    lac = series[series["Parameter"].eq("Lactate")]
    if minutes is not None:
        lac = lac[lac["Time"].le(minutes)]
    return pd.Series(ids.isin(lac["RecordID"].unique()), index=ids)


def lactate_death_rates_expected() -> dict[bool, float]:
    died = _died()
    return {flag: float(rate) for flag, rate in died.groupby(_lactate_by(SNAPSHOT_MINUTES)).mean().items()}


RATES = {
    "48 h": "those are the rates for a lactate at any time in the 48 hours, as the lesson printed them. The exercise "
    "asks about a lactate by hour 24: keep the rows with `Time <= 24 * 60` first.",
    "one group": "the rate for stays with a lactate is right, but the stays *without* one are missing: they have no "
    "lactate rows at all, so start from all stays (`record_ids`) and mark which ones have a lactate.",
    "percent": "those are percentages; give fractions between 0 and 1.",
    "no row": "the rate for True is right, but your False group holds only the {n:,} stays whose first lactate came "
    "after hour 24: the {k:,} stays with no lactate at all have no `Lactate` row, so grouping the Lactate rows never "
    "sees them (the trap the exercise warns about). Start from all stays (`record_ids`) and mark which ones have a "
    "lactate by hour 24.",
    "rounded": "those are the right rates, rounded {how}: store the values you computed, unrounded (round only when "
    "you display them), so that they can be checked exactly.",
    "swapped": "the two rates are swapped: True should be the stays *with* a lactate by hour 24.",
    "reversed": "you computed the share of stays *with a lactate* among those who died and those who survived. The "
    "question is the other way round: the share who died among stays with and without a lactate.",
    "rows": "you averaged over lactate *rows*, so a stay with ten lactates counts ten times. Average over stays: one "
    "yes/no per stay.",
    "counts": "those are numbers of deaths; divide each by the number of stays in its group.",
    "all stays": "you divided each group's deaths by all {n:,} stays; divide by the number of stays *in that group*.",
}


@exercise(mistakes=RATES)
def lactate_death_rates(answer) -> Feedback:
    got = _by_flag(answer)
    if isinstance(got, Feedback):
        return got
    if got is None:
        return incorrect(
            "expected two entries, True (a lactate by hour 24) and False (none), each the fraction of stays that "
            "died, e.g. `died.groupby(has_lactate).mean()`."
        )
    expected = lactate_death_rates_expected()
    died, flags = _died(), _lactate_by(SNAPSHOT_MINUTES)
    if set(got) == {True} and same(got[True], expected[True]):
        return close(named("one group"))
    if set(got) != {True, False}:
        return incorrect("give one rate for stays with a lactate by hour 24 (True) and one for those without (False).")

    def matches(values):
        return all(same(got[k], float(values[k])) for k in (True, False))

    if matches(expected):
        k1, n1 = int(died[flags].sum()), int(flags.sum())
        k0, n0 = int(died[~flags].sum()), int((~flags).sum())
        d = stats.difference_ci(k1, n1, k0, n0)
        side = stats.interval_side(d.low, d.high)
        verdict = {"above": "the gap is there at hour 24 already: a model predicting then can learn it",
                   "below": "the stays with a lactate died *less* often, beyond chance",
                   "includes": "the interval includes no difference: these stays cannot tell"}[side]
        return correct(
            f"{k1:,} of {n1:,} stays with a lactate by hour 24 died ({expected[True]:.1%}), against {k0:,} of "
            f"{n0:,} without ({expected[False]:.1%}): a difference of {100 * d.difference:+.1f} points (95% Newcombe "
            f"interval {100 * d.low:+.1f} to {100 * d.high:+.1f}); {verdict}. Report the counts and the interval "
            "with the rates, as the lesson does."
        )
    how = rounding_all([got[True], got[False]], [expected[True], expected[False]])
    if how:
        return close(named("rounded", how=how))
    ever, early = _lactate_by(None), flags
    late = ever & ~early  # stays with a lactate, but none by hour 24
    if same(got[True], expected[True]) and same(got[False], float(died[late].mean())):
        return close(named("no row", n=int(late.sum()), k=int((~ever).sum())))
    whole = died.groupby(_lactate_by(None)).mean()
    candidates = [
        ("48 h", whole),
        ("percent", {k: 100 * v for k, v in expected.items()}),
        ("swapped", {k: expected[not k] for k in (True, False)}),
        ("counts", died.groupby(flags).sum()),
        ("all stays", died.groupby(flags).sum() / len(died)),
    ]
    reverse = flags.astype(float).groupby(died).mean()
    candidates.append(("reversed", {True: reverse[1], False: reverse[0]}))
    for key, values in candidates:
        if matches(values):
            return close(named(key, n=len(died)))
    series, _, _ = _data()
    rows = series[series["Parameter"].eq("Lactate") & series["Time"].le(SNAPSHOT_MINUTES)]
    if same(got[True], rows["RecordID"].map(died).mean()):
        return close(named("rows"))
    return incorrect(
        "the rates do not match. For each stay, decide whether it has a lactate row with Time <= 1440; then average "
        "`died` within each group."
    )


# ---------------------------------------------------------------- exercise 3


def ventilated_fraction_expected() -> float:
    series, ids, _ = _data()
    rows = series[series["Parameter"].eq("MechVent") & series["Time"].le(VENT_MINUTES)]
    return rows["RecordID"].nunique() / len(ids)


VENTILATED = {
    "mean of values": "the mean of the recorded MechVent values is always 1, because the dataset writes MechVent only "
    "when it is 1. Count the stays that have at least one MechVent row instead.",
    "count": "that is the number of stays ventilated by hour 12; divide by the number of all stays.",
    "percent": "that is a percentage; give a fraction between 0 and 1.",
    "rows": "you divided MechVent *rows* by stays; a stay can have many rows. Count each stay once.",
    "48 h": "that is the fraction over the whole 48 hours, as the lesson printed it. Keep the rows with "
    "`Time <= 12 * 60` first.",
    "denominator": "you divided by the {n:,} stays that have any measurement by hour 12. The question is about all "
    "{total:,} stays: a stay with nothing recorded yet was not (known to be) ventilated either.",
    "strict": "nearly: include the rows charted at exactly 12:00 (`Time <= 720`, not `< 720`).",
    "ventilated stays": "you divided by the {n:,} stays with a MechVent row at any time in the 48 hours, so the "
    "question became 'of the stays ever ventilated, how many by hour 12?'. The question is about all {total:,} "
    "stays: divide by them.",
    "hours": "`Time` is in minutes: `Time <= 12` keeps the first 12 minutes. Hour 12 is `Time <= 12 * 60`.",
}


@exercise(mistakes=VENTILATED)
def ventilated_fraction(answer) -> Feedback:
    series, ids, _ = _data()
    mv = series[series["Parameter"].eq("MechVent")]
    early = mv[mv["Time"].le(VENT_MINUTES)]
    n_early = early["RecordID"].nunique()
    any_row = series.loc[series["Time"].le(VENT_MINUTES), "RecordID"].nunique()
    expected = n_early / len(ids)
    fb = check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("mean of values", early["Value"].mean()),
            mistake_at("count", n_early),
            mistake_at("percent", 100 * expected),
            mistake_at("rows", len(early) / len(ids)),
            mistake_at("48 h", mv["RecordID"].nunique() / len(ids)),
            mistake_at("denominator", n_early / any_row, n=any_row, total=len(ids))
            if any_row != len(ids)
            else (None, ""),
            mistake_at("strict", mv.loc[mv["Time"].lt(VENT_MINUTES), "RecordID"].nunique() / len(ids)),
            mistake_at("ventilated stays", n_early / mv["RecordID"].nunique(), n=mv["RecordID"].nunique(),
                       total=len(ids)),
            mistake_at("hours", mv.loc[mv["Time"].le(VENT_MINUTES / 60), "RecordID"].nunique() / len(ids)),
        ],
        what="a fraction between 0 and 1",
        hint="Which stays have at least one MechVent row with Time <= 720? Divide their number by all stays.",
    )
    if fb.correct:
        return correct(
            f"{n_early:,} of the {len(ids):,} stays ({expected:.1%}) had a MechVent record by hour 12. A stay without "
            "one was not ventilated, or its ventilation was not recorded: the data cannot tell which."
        )
    return fb


# ---------------------------------------------------------------- exercises 4 and 5


def lactate_at(minutes: int = SNAPSHOT_MINUTES, strict: bool = False) -> pd.Series:
    """Most recent lactate at or before ``minutes`` (before, if ``strict``) for every stay; NaN if none."""
    series, ids, _ = _data()
    lac = series[series["Parameter"].eq("Lactate")]
    lac = lac[lac["Time"] < minutes] if strict else lac[lac["Time"] <= minutes]
    last = lac.sort_values(["RecordID", "Time"], kind="stable").groupby("RecordID")["Value"].last()
    return last.reindex(ids).rename("lactate")


def _numeric_series(answer, what):
    got = as_series(answer, what)
    if isinstance(got, Feedback):
        return got
    try:
        return pd.to_numeric(got, errors="raise").astype(float)
    except (TypeError, ValueError):
        return incorrect(f"expected numbers in {what}, found {got.dtype} values such as {got.iloc[0]!r:.30}.")


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    return a.index.equals(b.index) and bool(((a - b).abs().le(1e-9) | (a.isna() & b.isna())).all())


LOCF = {
    "not all stays": "your {k:,} values look right, but the Series should hold all {n:,} stays, with NaN for the stays "
    "that had no lactate by hour 24. Use `.reindex(record_ids)`.",
    "look-ahead": "you used the last lactate of the whole 48 h. At hour 24 the later values do not exist yet: keep "
    "only rows with Time <= 24 * 60 minutes before taking the last one (using them is look-ahead leakage).",
    "strict": "nearly: include values charted at exactly 24:00 (Time <= 1440, not < 1440).",
    "first": "you took the *first* lactate; LOCF carries forward the most recent one (the last before hour 24).",
    "zero": "the {k:,} stays without a lactate by hour 24 got 0. A lactate of 0 mmol/L does not exist; this exercise "
    "keeps them NaN (exercise 5 is where you choose a fill value, and say why).",
    "filled": "the {k:,} stays without a lactate by hour 24 all got {value:g}. Keep them NaN here: exercise 5 is where "
    "you fill them, with a flag beside the value.",
    "ffill across stays": "the stays without a lactate took the value of the stay above them in the table: a forward "
    "fill (`ffill`) that runs across stays. Fill within a stay only (`groupby('RecordID')`), and leave stays with "
    "no lactate by hour 24 NaN.",
    "bfill across stays": "the stays without a lactate took the value of the stay below them in the table: a back fill "
    "across stays. Leave stays with no lactate by hour 24 NaN.",
}


@exercise(mistakes=LOCF)
def lactate_24h(answer) -> Feedback:
    got = _numeric_series(answer, "a Series of lactate values indexed by RecordID")
    if isinstance(got, Feedback):
        return got
    expected = lactate_at()
    ids = expected.index
    if not set(got.index) <= set(ids):
        return incorrect("the index should be RecordID (one entry per stay), not row numbers or times.")
    if len(got) < len(ids):
        if got.notna().all() and len(got) == expected.notna().sum():
            return close(named("not all stays", k=len(got), n=len(ids)))
        return incorrect(f"the Series has {len(got):,} stays; it should have all {len(ids):,}, NaN where none.")
    got = got.reindex(ids)
    if _same_values(got, expected):
        return correct(
            f"{expected.notna().sum():,} stays had a lactate by hour 24; the other {expected.isna().sum():,} stay NaN."
        )
    missing = expected.isna()
    if _same_values(got, lactate_at(48 * 60)):
        return close(named("look-ahead"))
    if _same_values(got, lactate_at(strict=True)):
        return close(named("strict"))
    series, _, _ = _data()
    lac = series[series["Parameter"].eq("Lactate") & series["Time"].le(SNAPSHOT_MINUTES)]
    first = lac.sort_values(["RecordID", "Time"], kind="stable").groupby("RecordID")["Value"].first().reindex(ids)
    if _same_values(got, first):
        return close(named("first"))
    if _same_values(got, expected.ffill()):
        return close(named("ffill across stays"))
    if _same_values(got, expected.bfill()):
        return close(named("bfill across stays"))
    if _same_values(got[~missing], expected[~missing]) and got[missing].notna().all():
        fills = got[missing].unique()
        if len(fills) == 1 and fills[0] == 0:
            return close(named("zero", k=int(missing.sum())))
        if len(fills) == 1:
            return close(named("filled", k=int(missing.sum()), value=float(fills[0])))
    return incorrect(
        "some values differ. For each stay, keep lactate rows with Time <= 1440 and take the last by time."
    )


FEATURES = {
    "still NaN": "{k:,} lactate values are still NaN. Fill the stays without a lactate with one value of your choice; "
    "the indicator column already remembers which ones they were.",
    "inverted": "the indicator is inverted: it should be True where the stay had *no* lactate by hour 24.",
    "whole 48 h": "your indicator marks stays with no lactate in the whole 48 h. At hour 24, a stay whose first "
    "lactate comes later is still missing: flag the stays where LOCF at 24 h found nothing.",
    "extreme fill": "a fill of {fill:g} mmol/L lies outside the lactates a stay without one could plausibly have "
    "(from the lower reference limit, 0.5, to {q90:.1f}, the 90th centile of the measured stays at hour 24): it "
    "places the untested stays, who died less often, among the sickest or below any normal value. In a linear or "
    "logistic model that also has the indicator the fill only shifts the indicator's coefficient, but a tree, a "
    "spline or an interaction splits on it, and a reader of the column is misled. Fill with a normal or typical value.",
    "several fills": "the stays without a lactate got {k} different values. Use one constant you can defend (a normal "
    "value, the median...); different values per stay suggest later measurements were used (back-fill: leakage).",
}


#: The lower reference limit of blood lactate, mmol/L (resting values run about 0.5-2.2 mmol/L).
LOWER_NORMAL = 0.5


@exercise(mistakes=FEATURES)
def lactate_features(answer) -> Feedback:
    table = as_table(answer, "a DataFrame with columns 'lactate' and 'lactate_missing', indexed by RecordID")
    if isinstance(table, Feedback):
        return table
    if not {"lactate", "lactate_missing"} <= set(table.columns):
        return incorrect(
            "the columns should include 'lactate' and 'lactate_missing'; found "
            f"{[c for c in table.columns if c not in ('RecordID', 'index')][:5]}."
        )
    expected = lactate_at()
    ids = expected.index
    key = next((c for c in ("RecordID", "index") if c in table.columns), None)  # the stays' ids, as as_table names them
    if key is None or len(table) != len(ids) or set(table[key]) != set(ids):
        return incorrect(f"the table should have one row per stay ({len(ids):,} rows, indexed by RecordID).")
    table = table.set_index(key).reindex(ids)
    value = pd.to_numeric(table["lactate"], errors="coerce")
    flag = table["lactate_missing"]
    if not (flag.isin([0, 1]) | flag.isin([True, False])).all():
        return incorrect("'lactate_missing' should be True/False (or 1/0) for every stay.")
    flag = flag.astype(bool)
    missing = expected.isna()
    if value.isna().any():
        return close(named("still NaN", k=int(value.isna().sum())))
    if flag.equals(~missing):
        return close(named("inverted"))
    if flag.equals(~_lactate_by(None).reindex(ids)):
        return close(named("whole 48 h"))
    if not flag.equals(missing):
        return incorrect("'lactate_missing' should be True exactly for the stays with no lactate at or before hour 24.")
    if not _same_values(value[~missing], expected[~missing]):
        return incorrect("where a lactate existed by hour 24, 'lactate' should be that last value (LOCF), unchanged.")
    fills = value[missing].unique()
    if len(fills) > 1:
        return close(named("several fills", k=len(fills)))
    q90 = float(expected.dropna().quantile(0.9))
    if 0 < fills[0] <= 30 and not LOWER_NORMAL <= fills[0] <= q90:
        return close(named("extreme fill", fill=fills[0], q90=q90))
    if not 0 < fills[0] <= 30:  # -1 is the sentinel section 5 warns about; 0 or > 30 mmol/L is not a lactate
        return incorrect(
            f"a fill of {fills[0]:g} mmol/L is not a possible lactate (a sentinel such as -1 or 0, or beyond 30): "
            "fill with a plausible value, e.g. the median of the measured stays, and let the flag carry the gap."
        )
    return correct(
        f"{int(missing.sum()):,} stays flagged and filled with {fills[0]:g} mmol/L; now defend that choice below."
    )


# ---------------------------------------------------------------- exercise 6 (a figure)

DRAW_GROUPS = ["0", "1", "2-3", "4 or more"]


def _draw_groups() -> pd.Series:
    series, ids, _ = _data()
    n = series[series["Parameter"].eq("Lactate")].groupby("RecordID").size().reindex(ids, fill_value=0)
    return pd.cut(n, [-1, 0, 1, 3, np.inf], labels=DRAW_GROUPS)


def draws_plot_expected(unit: int | None = UNIT) -> pd.DataFrame:
    """Deaths, stays, rate and Wilson interval per group of lactate draws, in the Medical ICU (all stays: None)."""
    died, groups = _died(), _draw_groups()
    if unit is not None:
        keep = _icu_type().eq(unit)
        died, groups = died[keep], groups[keep]
    return stats.rate_table(died, groups)


DRAWS = {
    "counts": "you plotted numbers of deaths; divide each by the number of stays in its group.",
    "shares": "you plotted the share of the unit's stays in each group; plot the share of each group that *died*.",
    "survived": "you plotted the share who survived; count `In-hospital_death` = 1 as the deaths.",
    "no zero group": "the '0' group is missing: stays with no lactate have no Lactate rows at all, so start from all "
    "stays (reindex with fill_value=0) before grouping.",
    "all units": "that is the lesson's figure, for all units. The exercise asks for the Medical ICU (ICUType 3) only: "
    "keep its stays before computing the rates.",
}


@exercise(figure=True, mistakes=DRAWS)
def draws_plot(answer) -> Feedback:
    t = draws_plot_expected()
    everyone = draws_plot_expected(None)
    groups = _draw_groups()[_icu_type().eq(UNIT)]
    share = groups.value_counts(normalize=True).reindex(DRAW_GROUPS).to_numpy()
    return judge_rate_plot(
        answer,
        t["rate"],
        t["low"],
        t["high"],
        "the in-hospital death rate of each group of lactate draws in the Medical ICU",
        mistakes=[
            mistake_at("counts", t["count"]),
            mistake_at("shares", share),
            mistake_at("survived", 1 - t["rate"]),
            mistake_at("no zero group", t["rate"].iloc[1:]),
            mistake_at("all units", everyone["rate"]),
        ],
        groups=DRAW_GROUPS,
    )
