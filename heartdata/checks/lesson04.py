"""Checks for the exercises of lesson 04 (incompleteness): expected values come from the data."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, stats
from ..feedback import Feedback, check_number, close, correct, exercise, incorrect, same
from ._plots import judge_rate_plot

#: The hour of the stay at which exercises 4 and 5 take a snapshot of lactate.
SNAPSHOT_MINUTES = 24 * 60


@cache
def _data():
    stays = challenge2012.load_stays()
    is_desc = stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)
    ids = pd.Index(np.sort(stays["RecordID"].unique()), name="RecordID")
    return stays, stays[~is_desc], ids


@cache
def _measured() -> pd.DataFrame:
    """Stays x time-series parameters: True when the stay has at least one value."""
    _, series, ids = _data()
    counts = series.groupby(["RecordID", "Parameter"]).size().unstack(fill_value=0)
    return counts.reindex(ids, fill_value=0) > 0


def _names(answer) -> set[str] | None:
    if isinstance(answer, pd.Series) and not pd.api.types.is_object_dtype(answer.dtype) and not answer.empty:
        answer = answer.index  # e.g. frac[frac < 0.5]: the names are the index
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__iter__"):
        return None
    names = list(answer)
    if not all(isinstance(n, str) for n in names):
        return None
    return set(names)


# ---------------------------------------------------------------- exercise 1


def rare_parameters_expected() -> set[str]:
    frac = _measured().mean()
    return set(frac.index[frac < 0.5])


@exercise
def rare_parameters(answer) -> Feedback:
    names = _names(answer)
    if names is None:
        return incorrect("expected a list or set of parameter names (strings), such as ['Cholesterol', ...].")
    expected = rare_parameters_expected()
    if names == expected:
        return correct(f"these {len(expected)} parameters were measured in fewer than half of the stays.")
    stays, series, ids = _data()
    rows = series["Parameter"].value_counts()
    if names == set(rows.index[rows < len(ids) / 2]):
        return close(
            "you compared the number of *rows* (measurements) with half the number of stays. A stay with 30 heart "
            "rates counts 30 times; count the stays that have at least one value of each parameter instead."
        )
    unknown = names - set(series["Parameter"].unique())
    if unknown & set(challenge2012.DESCRIPTORS):
        return incorrect(
            f"{sorted(unknown & set(challenge2012.DESCRIPTORS))} are descriptors written once per stay, "
            "not measurements; leave out the time-0 descriptor rows."
        )
    if unknown:
        return incorrect(f"{sorted(unknown)[:3]} are not parameters of this dataset; check the spelling.")
    missing, extra = expected - names, names - expected
    return incorrect(
        f"{len(names)} names given, {len(expected)} expected: {len(missing)} missing and {len(extra)} that were "
        "measured in at least half of the stays. Divide the number of stays with at least one value by the number "
        "of stays (4,000)."
    )


# ---------------------------------------------------------------- exercise 2

# True/False also match 1/0 (equal hashes in Python)
_MEASURED_KEYS = {True: True, "measured": True, "yes": True, False: False, "not measured": False, "no": False}


def _by_flag(answer) -> dict[bool, float] | None:
    items = answer.items() if isinstance(answer, (pd.Series, dict)) else None
    if items is None:
        return None
    out = {}
    for key, value in items:
        if isinstance(key, (np.bool_, np.integer)):
            key = key.item()
        flag = _MEASURED_KEYS.get(key.lower() if isinstance(key, str) else key)
        if flag is None:
            return None
        out[flag] = float(value.item() if hasattr(value, "item") else value)
    return out


def lactate_death_rates_expected() -> dict[bool, float]:
    measured = _measured()["Lactate"]
    died = challenge2012.load_outcomes()["In-hospital_death"].reindex(measured.index)
    return {flag: float(rate) for flag, rate in died.groupby(measured).mean().items()}


@exercise
def lactate_death_rates(answer) -> Feedback:
    got = _by_flag(answer)
    if got is None:
        return incorrect(
            "expected a Series (or dict) with two entries, True (lactate measured) and False (not measured), "
            "each the fraction of stays that died, e.g. died.groupby(has_lactate).mean()."
        )
    expected = lactate_death_rates_expected()
    if set(got) == {True} and same(got[True], expected[True], 1e-6):
        return close(
            "the rate for stays with a lactate is right, but the stays *without* one are missing: they have no lactate "
            "rows, so start from all 4,000 stays (the outcomes table) and mark which ones have a lactate."
        )
    if set(got) != {True, False}:
        return incorrect("give one rate for stays with a lactate (True) and one for stays without (False).")
    if all(same(got[k], expected[k], 1e-6) for k in (True, False)):
        return correct(
            f"{expected[True]:.1%} of stays with a lactate died, against {expected[False]:.1%} of those without."
        )
    if all(same(got[k], 100 * expected[k], 1e-6) for k in (True, False)):
        return close("those are percentages; give fractions between 0 and 1.")
    if all(same(got[k], expected[not k], 1e-6) for k in (True, False)):
        return close("the two rates are swapped: True should be the stays *with* a lactate measurement.")
    flags = _measured()["Lactate"]
    died = challenge2012.load_outcomes()["In-hospital_death"]
    reverse = flags.astype(float).groupby(died.reindex(flags.index)).mean()
    if all(same(got[k], reverse[int(k)], 1e-6) for k in (True, False)):
        return close(
            "you computed the share of stays *with a lactate* among those who died and those who survived. "
            "The question is the other way round: the share who died among stays with and without a lactate."
        )
    _, series, _ = _data()
    per_row = series.loc[series["Parameter"].eq("Lactate"), "RecordID"].map(died).mean()
    if same(got.get(True, np.nan), per_row, 1e-6):
        return close(
            "you averaged over lactate *rows*, so a stay with ten lactates counts ten times. Average over stays: "
            "one yes/no per stay."
        )
    counts = died.reindex(flags.index).groupby(flags).sum().to_dict()
    if all(same(got[k], counts[k], 1e-6) for k in (True, False)):
        return close("those are numbers of deaths; divide each by the number of stays in its group.")
    return incorrect("the rates do not match. Use `In-hospital_death` for each stay and average it within each group.")


# ---------------------------------------------------------------- exercise 3


@exercise
def ventilated_fraction(answer) -> Feedback:
    measured = _measured()["MechVent"]
    _, series, ids = _data()
    values = series.loc[series["Parameter"].eq("MechVent"), "Value"]
    return check_number(
        answer,
        measured.mean(),
        mistakes=[
            (
                values.mean(),
                "close: the mean of the recorded MechVent values is always 1, because the dataset writes MechVent only "
                "when it is 1. Count the stays that have at least one MechVent row instead.",
            ),
            (measured.sum(), "close: that is the number of ventilated stays; divide by the number of stays."),
            (100 * measured.mean(), "close: that is a percentage; give a fraction between 0 and 1."),
            (
                len(values) / len(ids),
                "close: you divided MechVent *rows* by stays; a stay can have many rows. Count each stay once.",
            ),
        ],
        what="a fraction between 0 and 1",
        hint="Which stays have at least one MechVent row? Divide their number by all stays.",
    )


# ---------------------------------------------------------------- exercises 4 and 5


def lactate_at(minutes: int = SNAPSHOT_MINUTES, strict: bool = False) -> pd.Series:
    """Most recent lactate at or before ``minutes`` (before, if ``strict``) for every stay; NaN if none."""
    _, series, ids = _data()
    lac = series[series["Parameter"].eq("Lactate")]
    lac = lac[lac["Time"] < minutes] if strict else lac[lac["Time"] <= minutes]
    last = lac.sort_values(["RecordID", "Time"], kind="stable").groupby("RecordID")["Value"].last()
    return last.reindex(ids).rename("lactate")


def _as_series(answer) -> pd.Series | None:
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        answer = answer.iloc[:, 0]
    if not isinstance(answer, pd.Series):
        return None
    try:
        return pd.to_numeric(answer, errors="raise").astype(float)
    except (TypeError, ValueError):
        return None


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    return a.index.equals(b.index) and bool(((a - b).abs().le(1e-9) | (a.isna() & b.isna())).all())


@exercise
def lactate_24h(answer) -> Feedback:
    got = _as_series(answer)
    if got is None:
        return incorrect("expected a pandas Series of lactate values indexed by RecordID.")
    expected = lactate_at()
    ids = expected.index
    if not set(got.index) <= set(ids):
        return incorrect("the index should be RecordID (one entry per stay), not row numbers or times.")
    if len(got) < len(ids):
        if got.notna().all() and len(got) == expected.notna().sum():
            return close(
                f"your {len(got):,} values look right, but the Series should hold all {len(ids):,} stays, with NaN for "
                "the stays that had no lactate by hour 24. Use .reindex(...) on all RecordIDs."
            )
        return incorrect(f"the Series has {len(got):,} stays; it should have all {len(ids):,}, NaN where none.")
    got = got.reindex(ids)
    if _same_values(got, expected):
        return correct(
            f"{expected.notna().sum():,} stays had a lactate by hour 24; the other {expected.isna().sum():,} stay NaN."
        )
    if _same_values(got, lactate_at(48 * 60)):
        return close(
            "you used the last lactate of the whole 48 h. At hour 24 the later values do not exist yet: keep only "
            "rows with Time <= 24 * 60 minutes before taking the last one (using them is look-ahead leakage)."
        )
    if _same_values(got, lactate_at(strict=True)):
        return close("nearly: include values charted at exactly 24:00 (Time <= 1440, not < 1440).")
    _, series, _ = _data()
    lac = series[series["Parameter"].eq("Lactate") & series["Time"].le(SNAPSHOT_MINUTES)]
    first = lac.sort_values(["RecordID", "Time"], kind="stable").groupby("RecordID")["Value"].first().reindex(ids)
    if _same_values(got, first):
        return close(
            "you took the *first* lactate; LOCF carries forward the most recent one (the last before hour 24)."
        )
    invented = got.notna() & expected.isna()
    if invented.any():
        return close(
            f"{int(invented.sum())} stays that had no lactate by hour 24 got a value. Did you forward-fill without "
            "grouping by RecordID (so one stay's lactate leaked into the next), or use later measurements?"
        )
    return incorrect(
        "some values differ. For each stay, keep lactate rows with Time <= 1440 and take the last by time."
    )


@exercise
def lactate_features(answer) -> Feedback:
    if not isinstance(answer, pd.DataFrame):
        return incorrect("expected a DataFrame with columns 'lactate' and 'lactate_missing', indexed by RecordID.")
    if not {"lactate", "lactate_missing"} <= set(answer.columns):
        return incorrect(
            f"the columns should include 'lactate' and 'lactate_missing'; found {list(answer.columns)[:5]}."
        )
    expected = lactate_at()
    ids = expected.index
    if len(answer) != len(ids) or not set(answer.index) == set(ids):
        return incorrect(f"the table should have one row per stay ({len(ids):,} rows, indexed by RecordID).")
    answer = answer.reindex(ids)
    value = pd.to_numeric(answer["lactate"], errors="coerce")
    flag = answer["lactate_missing"]
    if not (flag.isin([0, 1]) | flag.isin([True, False])).all():
        return incorrect("'lactate_missing' should be True/False (or 1/0) for every stay.")
    flag = flag.astype(bool)
    missing = expected.isna()
    if value.isna().any():
        return close(
            f"{int(value.isna().sum())} lactate values are still NaN. After LOCF, fill the stays without a lactate "
            "with one value of your choice; the indicator column already remembers which ones they were."
        )
    if flag.equals(~missing):
        return close("the indicator is inverted: it should be True where the stay had *no* lactate by hour 24.")
    if flag.equals(_measured()["Lactate"].reindex(ids).eq(False)):
        return close(
            "your indicator marks stays with no lactate in the whole 48 h. At hour 24, a stay whose first lactate "
            "comes later is still missing: flag the stays where LOCF at 24 h found nothing."
        )
    if not flag.equals(missing):
        return incorrect("'lactate_missing' should be True exactly for the stays with no lactate at or before hour 24.")
    if not _same_values(value[~missing], expected[~missing]):
        return incorrect("where a lactate existed by hour 24, 'lactate' should be that last value (LOCF), unchanged.")
    fills = value[missing].unique()
    if len(fills) > 1:
        return close(
            "the stays without a lactate got different values. Use one constant you can defend (a normal value, "
            "the median...); different values per stay suggest later measurements were used (back-fill: leakage)."
        )
    return correct(
        f"{int(missing.sum()):,} stays flagged and filled with {fills[0]:g} mmol/L; now defend that choice below."
    )


# ---------------------------------------------------------------- exercise 6 (a figure)

DRAW_GROUPS = ["0", "1", "2-3", "4 or more"]


def _draw_groups() -> pd.Series:
    _, series, ids = _data()
    n = series[series["Parameter"].eq("Lactate")].groupby("RecordID").size().reindex(ids, fill_value=0)
    return pd.cut(n, [-1, 0, 1, 3, np.inf], labels=DRAW_GROUPS)


def draws_plot_expected() -> pd.DataFrame:
    """Deaths, stays, rate and Wilson interval per group of lactate draws (the figure exercise 6 asks for)."""
    died = challenge2012.load_outcomes()["In-hospital_death"]
    groups = _draw_groups()
    return stats.rate_table(died.reindex(groups.index), groups)


@exercise
def draws_plot(answer) -> Feedback:
    t = draws_plot_expected()
    groups = _draw_groups()
    share = groups.value_counts(normalize=True).reindex(DRAW_GROUPS).to_numpy()
    return judge_rate_plot(
        answer,
        t["rate"],
        t["low"],
        t["high"],
        "the in-hospital death rate of each group of lactate draws",
        mistakes=[
            (t["count"], "you plotted numbers of deaths; divide each by the number of stays in its group."),
            (share, "you plotted the share of stays in each group; plot the share of each group that *died*."),
            (1 - t["rate"], "you plotted the share who survived; count `In-hospital_death` = 1 as the deaths."),
            (
                t["rate"].iloc[1:],
                "the '0' group is missing: stays with no lactate have no Lactate rows at all, so start from all "
                "stays (reindex with fill_value=0) before grouping.",
            ),
        ],
    )
