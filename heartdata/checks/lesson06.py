"""Checks for the exercises of lesson 06 (cleaning): expected values come from the data and heartdata.cleaning."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, cleaning
from ..feedback import as_number, check_number, close, correct, exercise, incorrect, not_attempted


@cache
def _stays() -> pd.DataFrame:
    # the raw stays with compact types, as the practice notebook holds them: the same rows and values, and the
    # check's copy costs a third of the memory
    return cleaning.prepare(challenge2012.load_stays())


@cache
def _clean() -> pd.DataFrame:
    return cleaning.clean_stays(_stays())[0]


@cache
def _features() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw features, clean features), computed once."""
    return cleaning.stay_features(_stays()), cleaning.stay_features(_clean())


def _temps() -> pd.Series:
    s = _stays()
    return s.loc[s["Parameter"].eq("Temp"), "Value"]


@exercise
def n_temp_impossible(answer):
    temp = _temps()
    low = cleaning.RANGES["Temp"][0]
    return check_number(
        answer,
        int(temp.lt(low).sum()),
        mistakes=[
            (
                int(temp.lt(35).sum()),
                "you counted every value below 35 °C. Between about 24 and 35 °C a patient is "
                "very cold (hypothermic) but alive: those values are extreme, not impossible. "
                "Look for the gap in the values.",
            ),
            (
                int(temp.lt(0).sum()),
                "you counted only the negative values. A body temperature of 0 to 4 °C is just as impossible.",
            ),
            (
                int(temp.eq(0).sum()),
                "you counted only the zeros; the negative values and those from 1 to 4 °C are impossible too.",
            ),
            (
                int(temp.le(0).sum()),
                "you counted the values at or below 0 °C; those from 1 to 4 °C are no living "
                "body's temperature either.",
            ),
        ],  # fmt: skip
        what="a whole number of values",
        hint="Sort the Temp values below 35 °C and look for a wide gap between impossible and merely cold.",
    )


def temperature_gap() -> tuple[float, float]:
    """(highest raw Temp below the course's limit, lowest raw Temp at or above it): the empty gap between them."""
    temp = _temps()
    low = cleaning.RANGES["Temp"][0]
    return float(temp[temp < low].max()), float(temp[temp >= low].min())


@exercise
def temp_limit(answer, n_impossible=None):
    """``answer`` is the student's lowest possible body temperature (°C); ``n_impossible`` their count below it."""
    limit = as_number(answer)
    if limit is None:
        return incorrect(f"`low_limit` should be a temperature in °C (a number), got {type(answer).__name__}.")
    if n_impossible is None:
        return not_attempted("now count the raw Temp values below your limit and store the count in "
                             "`n_temp_impossible`.")  # fmt: skip
    n = as_number(n_impossible)
    if n is None:
        return incorrect(f"`n_temp_impossible` should be a whole number, got {type(n_impossible).__name__}.")
    temp = _temps()
    expected = int(temp.lt(limit).sum())
    if n != expected:
        if n == int(temp.le(limit).sum()):
            return close(f"you counted the values at or below {limit:g} °C; count those below it (`temp < low_limit`).")
        if n == int(temp.lt(35).sum()):
            return close("you counted every value below 35 °C, not below your own limit. Between the gap and 35 °C a "
                         "patient is very cold (hypothermic) but alive.")  # fmt: skip
        return incorrect(f"below your limit of {limit:g} °C there are {expected} raw values; your count is {n:g}. "
                         "Count `temp < low_limit`.")  # fmt: skip
    top_impossible, lowest_alive = temperature_gap()
    implied = f"your limit of {limit:g} °C calls {expected} values impossible"
    if top_impossible < limit <= lowest_alive:
        return correct(f"{implied}. Any limit above {top_impossible:.1f} and up to {lowest_alive:.1f} °C gives "
                       "the same count: nothing was charted in between, so here the data make the decision "
                       "for you. Write the limit and its reason down.")  # fmt: skip
    if limit <= top_impossible:
        kept = temp[(temp >= limit) & (temp <= top_impossible)]
        return close(f"{implied}, but it keeps {len(kept)} values from {kept.min():.1f} to {top_impossible:.1f} °C as "
                     "possible body temperatures. No unit or conversion makes those a living patient: put the "
                     "limit in the empty gap above them.")  # fmt: skip
    lost = temp[(temp >= lowest_alive) & (temp < limit)]
    if limit <= 35:
        return close(f"{implied}, including {len(lost)} values from {lowest_alive:.1f} °C up to {limit:g} °C. "
                     "Those are very cold patients, and people have survived colder: a limit above the gap removes "
                     "living (and often dying) patients. If you choose it anyway, write down why.")  # fmt: skip
    return incorrect(f"{implied}: {len(lost):,} values from {lowest_alive:.1f} °C up, many of them normal or "
                     "hypothermic patients. Impossible begins far lower: look for the gap.")  # fmt: skip


def _expected_zero_weights(stays: pd.DataFrame) -> pd.Series:
    return stays["Parameter"].eq("Weight") & stays["Value"].eq(0)


@exercise
def remove_zero_weights(answer):
    if not callable(answer):
        return incorrect("pass the function itself (its name, without brackets), not what it returns.")
    stays = _stays()
    table = stays.copy()
    result = answer(table)
    if result is None:
        return not_attempted("write the body of `remove_zero_weights` so that it returns `(new_table, log)`.")
    if len(table) != len(stays) or not table["Value"].equals(stays["Value"]):
        return incorrect("your function changed the table it was given; work on a copy and return the new table.")
    if not (isinstance(result, tuple) and len(result) == 2):
        return incorrect("the function must return two things: `return new_table, log`.")
    new, log = result
    if not isinstance(new, pd.DataFrame) or not isinstance(log, pd.DataFrame):
        return incorrect("both the new table and the log must be DataFrames.")
    zero = _expected_zero_weights(stays)
    n_removed = len(stays) - len(new)
    if n_removed == int(stays["Value"].eq(0).sum()):
        return close(
            "you removed every zero of every parameter. A zero urine output is a real observation: remove only the "
            "zero weights."
        )
    if n_removed == int(stays["Parameter"].eq("Weight").sum()):
        return close("you removed every Weight row; remove only the weights of 0 kg.")
    if n_removed != int(zero.sum()) or new["Parameter"].eq("Weight").mul(new["Value"].eq(0)).any():
        return incorrect(
            f"the new table should have {int(zero.sum())} rows fewer than the input (the zero weights); "
            f"yours has {n_removed} fewer."
        )
    missing = [c for c in ("parameter", "values", "stays") if c not in log.columns]
    if missing:
        return incorrect(f"the log needs the columns parameter, values, stays; it lacks {missing}.")
    row = log[log["parameter"].eq("Weight")]
    if len(row) != 1:
        return incorrect("the log should have one row whose `parameter` is 'Weight'.")
    values, n_stays = int(row["values"].iloc[0]), int(row["stays"].iloc[0])
    expected_stays = stays.loc[zero, "RecordID"].nunique()
    if values != int(zero.sum()):
        return incorrect(f"the log says {values} values were removed, but the table lost {n_removed} rows.")
    if n_stays != expected_stays:
        if n_stays == values:
            return close("the log's `stays` repeats the number of values; count the distinct RecordIDs instead.")
        return incorrect(f"the log's `stays` is {n_stays}; count the distinct RecordIDs of the removed rows.")
    return correct(f"your step removed {values} zero weights in {n_stays} stays and said so.")


def _hr_expected(table: pd.DataFrame) -> pd.DataFrame:
    hr = table[table["Parameter"].eq("HR") & table["Time"].le(48 * 60)].sort_values(["RecordID", "Time"])
    return hr.groupby("RecordID")["Value"].agg(["first", "mean", "max"])


@exercise
def hr_three_ways(answer):
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame with one row per stay, got {type(answer).__name__}.")
    wanted = ["first", "mean", "max"]
    if not set(wanted) <= set(answer.columns):
        return incorrect(f"the DataFrame needs the columns {wanted}; it has {list(answer.columns)[:6]}.")
    expected = _hr_expected(_clean())
    if answer.index.name != "RecordID" and "RecordID" in answer.columns:
        answer = answer.set_index("RecordID")
    if len(answer) != len(expected):
        return incorrect(
            f"expected one row for each of the {len(expected):,} stays with a heart rate; got {len(answer):,}."
        )
    got = answer.reindex(expected.index)[wanted].astype(float)
    if np.allclose(got.to_numpy(), expected.to_numpy(), equal_nan=True):
        return correct()
    raw = _hr_expected(_stays())
    if np.allclose(got.to_numpy(), raw.reindex(expected.index).to_numpy(), equal_nan=True):
        return close("these are the raw stays: the zero heart rates are still in. Use the cleaned table `clean`.")
    bad = [c for c in wanted if not np.allclose(got[c], expected[c], equal_nan=True)]
    clean_hr = _clean()
    hr = clean_hr[clean_hr["Parameter"].eq("HR") & clean_hr["Time"].le(48 * 60)].groupby("RecordID")["Value"]
    others = {"min": hr.min(), "last": hr.last(), "mean": hr.mean(), "max": hr.max(), "median": hr.median()}
    for column in bad:
        for name, values in others.items():
            if name != column and np.allclose(got[column], values.reindex(expected.index), equal_nan=True):
                return close(
                    f"your `{column}` column holds each stay's {name} heart rate, not its {column}: you aggregated "
                    f"with `{name}` where the exercise asks for `{column}`. Sorting cannot change a {name}; use the "
                    f'aggregation `"{column}"` for that column.'
                )
    return incorrect(f"the columns {bad} do not match; group the HR rows of `clean` by RecordID.")


@exercise
def bmi_change(answer):
    raw, clean = _features()

    def median_bmi(f, metres=True):
        h = f["Height"] / 100 if metres else f["Height"]
        return (f["Weight"] / h**2).median()

    expected = median_bmi(clean) - median_bmi(raw)
    mean_change = (clean["Weight"] / (clean["Height"] / 100) ** 2).mean() - (
        raw["Weight"] / (raw["Height"] / 100) ** 2
    ).mean()
    return check_number(
        answer,
        expected,
        mistakes=[
            (-expected, "the sign is reversed. Compute clean minus raw: a negative number means cleaning lowered it."),
            (
                median_bmi(clean, False) - median_bmi(raw, False),
                "the heights are in centimetres; divide by 100 to get metres before squaring.",
            ),
            (
                mean_change,
                "that is the change of the mean. The raw mean is dominated by the -1 heights; "
                "the exercise asks for the median.",
            ),
        ],  # fmt: skip
        what="a number (kg/m²)",
        hint="BMI = weight (kg) / height (m) squared; take the median over the stays, then clean minus raw.",
        rel=1e-4,
    )


# --------------------------------------------------------------------------------------------- a figure
def _clean_bmi() -> pd.Series:
    f = _features()[1]
    return (f["Weight"] / (f["Height"] / 100) ** 2).dropna()


@exercise
def bmi_histogram(answer):
    """The Axes of a histogram of the clean BMI: its bars count every stay with a BMI, axes labelled with units."""
    import matplotlib.axes
    from matplotlib.patches import Rectangle

    if isinstance(answer, tuple) and len(answer) == 2:
        answer = answer[1]
    if not isinstance(answer, matplotlib.axes.Axes):
        return incorrect(f"store the Axes you drew on (`fig, ax = plt.subplots()`, then `ax_bmi = ax`); got "
                         f"{type(answer).__name__}.")  # fmt: skip
    bars = [p for p in answer.patches if isinstance(p, Rectangle)]
    if not bars:
        return incorrect("there are no bars on the Axes: draw the histogram with `ax.hist(values, bins=...)`.")
    bmi = _clean_bmi()
    counted = int(round(sum(p.get_height() for p in bars)))
    left = min(p.get_x() for p in bars)
    right = max(p.get_x() + p.get_width() for p in bars)
    if right > 1000 or left < 0:
        return close(f"your bars run from {left:,.0f} to {right:,.0f} kg/m²: that is the raw BMI, with heights of "
                     "-1 and a few cm still in. Use the features of `clean`.")  # fmt: skip
    if left > bmi.min() + 1e-9 or right < bmi.max() - 1e-9:
        return close(f"the bars cover {left:.1f} to {right:.1f} kg/m², but the clean BMI runs from {bmi.min():.1f} to "
                     f"{bmi.max():.1f}: do not cut the range, the tails are what cleaning is about.")  # fmt: skip
    if counted != len(bmi):
        return incorrect(f"the bars count {counted:,} stays; {len(bmi):,} stays have a clean BMI. Plot "
                         "`bmi.dropna()` of the clean features, once.")  # fmt: skip
    xlabel, ylabel = answer.get_xlabel().lower(), answer.get_ylabel()
    if not xlabel or not ylabel:
        return close("label both axes: x is the body-mass index in kg/m², y the number of stays.")
    if "kg/m" not in xlabel:
        return close(f"the x axis says {answer.get_xlabel()!r}: give the unit too (kg/m²).")
    if not answer.get_title():
        return close("give the figure a title that states what it shows (for example the median BMI).")
    return correct(f"{counted:,} stays, from {bmi.min():.1f} to {bmi.max():.1f} kg/m², with labelled axes.")
