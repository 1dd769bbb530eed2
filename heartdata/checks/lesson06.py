"""Checks for the exercises of lesson 06 (cleaning): expected values come from the data and heartdata.cleaning."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, cleaning
from ..feedback import check_number, close, correct, exercise, incorrect, not_attempted


@cache
def _stays() -> pd.DataFrame:
    return challenge2012.load_stays()


@cache
def _clean() -> pd.DataFrame:
    return cleaning.clean_stays(_stays())[0]


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
    if bad == ["first"]:
        return close("`first` is wrong: sort each stay's heart rates by Time before taking the first one.")
    return incorrect(f"the columns {bad} do not match; group the HR rows of `clean` by RecordID.")


@exercise
def bmi_change(answer):
    stays = _stays()
    raw = cleaning.stay_features(stays)
    clean = cleaning.stay_features(_clean())

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
