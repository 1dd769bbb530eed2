"""Checks for the exercises of lesson 06 (cleaning): expected values come from the data and heartdata.cleaning.

Each exercise asks for something the lesson did not print (impossible temperatures per ICU unit, heart rates over
the first 24 hours, the share of stays classed as obese), or checks the method by running the student's function,
so a number copied from the lesson cannot pass; every named mistake is declared in its check's decorator and named
only when the answer equals what that mistake produces.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, cleaning, feedback
from ..feedback import (
    Feedback,
    as_series,
    as_table,
    check_number,
    close,
    correct,
    exercise,
    incorrect,
    mistake_at,
    named,
    not_attempted,
    number,
)
from ..plotting import COLOURS
from ._figures import drawn_in, states, title_numbers

#: Exercise 3 summarises the heart rate over the first day only (the lesson's features cover 48 hours).
HR_WINDOW_HOURS = 24
#: Exercise 4: the World Health Organization's cut-off for obesity, BMI >= 30 kg/m².
OBESE_BMI = 30


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


@cache
def _temp_rows() -> pd.DataFrame:
    """Every raw Temp row with its stay's ICU unit (by name)."""
    s = _stays()
    unit = (s[cleaning.is_descriptor(s) & s["Parameter"].eq("ICUType")].set_index("RecordID")["Value"]
            .map(challenge2012.ICU_TYPES))  # fmt: skip
    rows = s.loc[s["Parameter"].eq("Temp"), ["RecordID", "Value"]]
    return rows.assign(unit=rows["RecordID"].map(unit).to_numpy())


def _temps() -> pd.Series:
    return _temp_rows()["Value"]


def temperature_gap() -> tuple[float, float]:
    """(highest raw Temp below the course's limit, lowest raw Temp at or above it): the empty gap between them."""
    temp = _temps()
    low = cleaning.RANGES["Temp"][0]
    return float(temp[temp < low].max()), float(temp[temp >= low].min())


@cache
def _temp_spikes() -> pd.Series:
    """The Temp values that the course's neighbour rule (``cleaning.spikes``) removes, found as clean_stays finds them:
    after the steps that come before it."""
    t = _stays()
    for step in (cleaning.sentinels_to_missing, cleaning.fix_unit_errors, cleaning.zeros_to_missing,
                 cleaning.impossible_to_missing, cleaning.inconsistent_pressures, cleaning.merge_simultaneous,
                 cleaning.impossible_totals):  # fmt: skip
        t, _ = step(t)
    hit = cleaning.spikes(t).to_numpy() & t["Parameter"].eq("Temp").to_numpy()
    return t.loc[hit, "Value"].sort_values()


# --------------------------------------------------------------------------------------------- exercise 1
def _by_unit(mask: pd.Series, count_stays: bool = False) -> pd.Series:
    rows = _temp_rows()[mask.to_numpy()]
    counted = rows.groupby("unit")["RecordID"].nunique() if count_stays else rows.groupby("unit").size()
    return counted.reindex(list(challenge2012.ICU_TYPES.values()), fill_value=0).astype(float)


def _values(n: int) -> str:
    """"1 value", "12 values": a count of Temp values as a sentence says it."""
    return f"{n:,} value{'s' * (n != 1)}"


#: The lesson's floor, 13.7 °C: the widely cited adult survival of accidental hypothermia (Gilbert et al., Lancet
#: 2000;355:375-376). Colder survivals have been reported (in children, for instance) and deliberate cooling in
#: surgery goes low too, so a floor is a judgement: every limit in the empty gap of the data is accepted, and one
#: above 13.7 °C is told what it would call impossible (by the lesson's definition of a range: what no living
#: patient could have).
SURVIVED_FLOOR = cleaning.RANGES["Temp"][0]


@exercise(mistakes={
    "below_35": "you counted every value below 35 °C. Between the gap and 35 °C a patient is very cold "
                "(hypothermic) but alive: those values are extreme, not impossible. Count below your own limit.",
    "at_or_below": "you counted the values at or below {limit:g} °C; count those below it (`temp < low_limit`).",
    "stays": "you counted stays (distinct RecordIDs), not values: a stay can hold several impossible temperatures. "
             "Count the rows.",
    "codes": "your index holds the unit codes (1 to 4); index by the unit's name: map the codes with "
             "`heartdata.challenge2012.ICU_TYPES`.",
    "keeps_impossible": "your limit of {limit:g} °C keeps {kept} from {low:.1f} to {top:.1f} °C as possible "
                        "body temperatures. No unit or conversion makes those a living patient: put the limit in "
                        "the empty gap above them (the lesson uses {floor:g} °C, a widely cited survival of accidental "
                        "hypothermia).",
    "removes_cold": "your limit of {limit:g} °C calls {lost} from {lowest:.1f} °C up to {limit:g} °C impossible. "
                    "{spikes_said} (one reading that falls away between two that agree), but {cold_said}, patients "
                    "being warmed (the coldest of them is {coldest:.1f} °C): a range cannot tell the two apart, and "
                    "this one removes both. A floor says what no living patient can have, and an adult has "
                    "survived accidental hypothermia at {floor:g} °C (Gilbert et al., Lancet 2000): put it in the "
                    "empty gap, and leave the spikes to a rule that looks at the neighbours (the lesson's Step 6).",
    "range_for_spikes": "your limit of {limit:g} °C calls {lost} from {lowest:.1f} °C up to {limit:g} °C "
                        "impossible, and here {all_spikes} (one reading that falls away between two that "
                        "agree). But a range removes by height, not by place: on another set a patient this cold "
                        "(here the coldest kept is {coldest:.1f} °C) would go too. Put the floor in the empty gap (the "
                        "lesson uses {floor:g} °C, a widely cited survival of accidental hypothermia) and remove "
                        "spikes by their neighbours (the lesson's Step 6).",
})  # fmt: skip
def temp_limit(answer, by_unit=None):
    """``answer`` is the student's lowest possible body temperature (°C); ``by_unit`` their count of raw Temp values
    below it in each ICU unit (a Series or dict indexed by the unit's name)."""
    limit = number(answer, "a temperature in °C (a number) in `low_limit`")
    if isinstance(limit, Feedback):
        return limit
    if by_unit is None:
        return not_attempted("now count, for each ICU unit, the raw Temp values below your limit, and store them in "
                             "`impossible_by_unit`.")  # fmt: skip
    got = as_series(by_unit, "a Series (or dict) of counts indexed by the ICU unit's name")
    if isinstance(got, Feedback):
        return got
    names = list(challenge2012.ICU_TYPES.values())
    temp = _temps()
    if set(got.index) <= set(challenge2012.ICU_TYPES) and len(got):
        return close(named("codes"))
    unknown = [str(k) for k in got.index if k not in names]
    if unknown:
        return incorrect(f"the index should be the unit names {names}; yours has {unknown[:4]}.")
    counts = pd.to_numeric(got, errors="coerce").reindex(names, fill_value=0).astype(float)
    if counts.isna().any():
        return incorrect("every value should be a count (a whole number).")

    def same(expected: pd.Series) -> bool:
        return np.allclose(counts.to_numpy(), expected.to_numpy())

    expected = _by_unit(temp.lt(limit))
    if not same(expected):
        if same(_by_unit(temp.lt(35))) and limit != 35:
            return close(named("below_35"))
        if same(_by_unit(temp.le(limit))):
            return close(named("at_or_below", limit=limit))
        if same(_by_unit(temp.lt(limit), count_stays=True)):
            return close(named("stays"))
        wrong = [n for n in names if counts[n] != expected[n]]
        return incorrect(f"below your limit of {limit:g} °C the counts differ for {', '.join(wrong)}. Give every raw "
                         "Temp row its stay's unit (from the ICUType descriptor), keep `Value < low_limit`, and "
                         "count the rows per unit.")  # fmt: skip
    top, lowest = temperature_gap()
    total = int(expected.sum())
    spikes = _temp_spikes()
    if top < limit <= lowest:  # every limit in the empty gap gives the same counts on this data: all are accepted
        per_unit = ", ".join(f"{n}: {int(v)}" for n, v in expected.items())
        low_spikes = ", ".join(f"{v:g}" for v in spikes[spikes < 35])
        cold = temp[(temp >= lowest) & (temp <= spikes[spikes < 35].max())]  # the raw readings the spikes sit among
        others = cold[~cold.isin(spikes[spikes < 35].to_numpy())]
        survived = (f"{SURVIVED_FLOOR:g} °C, the widely cited adult survival of accidental hypothermia (Gilbert et "
                    "al., Lancet 2000)")  # fmt: skip
        if limit > SURVIVED_FLOOR:
            floor = (f"Same counts here, but by the lesson's definition (a value no living patient could have) a "
                     f"floor above {SURVIVED_FLOOR:g} °C would call a survived temperature impossible ({survived}), "
                     "and on other data it would delete real patients. If you keep it, say why.")  # fmt: skip
        elif limit < SURVIVED_FLOOR:
            floor = (f"Your floor is wider than the lesson's ({survived}): it would keep a reading from {limit:g} to "
                     f"{SURVIVED_FLOOR:g} °C as possible. On this data that makes no difference, and a range is kept "
                     "wide on purpose; say why you chose it.")  # fmt: skip
        else:
            floor = (f"It is the lesson's floor: {survived}. Colder survivals have been reported (in children, for "
                     "instance), so this floor too is a judgement, not a physiological constant: on other data it "
                     "could call a survived temperature impossible.")  # fmt: skip
        jump = cleaning.SPIKES["Temp"][0]
        return correct(f"your limit calls {total} values impossible ({per_unit}). Any limit above {top:g} and up to "
                       f"{lowest:g} °C gives the same counts here: nothing was charted in between. {floor} And a "
                       f"range is only half of the answer: above the gap, {len(cold) - len(others)} of the {len(cold)} "
                       f"raw readings from {lowest:g} to {cold.max():g} °C ({low_spikes} °C) are "
                       f"single readings at least {jump:g} °C away from both their neighbours, which agree with each "
                       "other. Where both "
                       "neighbours lie within the hour that is a probe or typing artefact; where "
                       "a neighbour lies hours away (the lesson shows which), a fall and return is unusual, not "
                       f"impossible. No range can tell these {len(cold) - len(others)} from the other "
                       f"{len(others)} (from {others.min():g} °C up), whose neighbours agree with them, as in a cold "
                       "patient being warmed; the lesson's neighbour rule removes the first and keeps the second "
                       "(whatever the time between the readings), a course decision. Write the limit and both "
                       "reasons down.")  # fmt: skip
    if limit <= top:
        kept = temp[(temp >= limit) & (temp <= top)]
        return close(named("keeps_impossible", limit=limit, kept=_values(len(kept)), low=kept.min(), top=top,
                           floor=SURVIVED_FLOOR))  # fmt: skip
    lost = temp[(temp >= lowest) & (temp < limit)]
    if limit <= 35:
        n_spikes = int(spikes.lt(limit).sum())
        clean = _clean()
        coldest = float(clean.loc[clean["Parameter"].eq("Temp") & ~cleaning.is_descriptor(clean), "Value"].min())
        if n_spikes >= len(lost):
            all_spikes = "it is a spike" if len(lost) == 1 else "they are all spikes"
            return close(named("range_for_spikes", limit=limit, lost=_values(len(lost)), lowest=lowest,
                               all_spikes=all_spikes, coldest=coldest, floor=SURVIVED_FLOOR))  # fmt: skip
        cold = len(lost) - n_spikes
        spikes_said = ("None of them is a spike" if n_spikes == 0 else "One of them is a spike" if n_spikes == 1
                       else f"{n_spikes} of them are spikes")  # fmt: skip
        cold_said = ("the other one is a cold reading in a series" if cold == 1
                     else f"the other {cold} are series of cold readings")  # fmt: skip
        if n_spikes == 0:
            cold_said = "all are cold readings in series" if cold > 1 else "it is a cold reading in a series"
        return close(named("removes_cold", limit=limit, lost=_values(len(lost)), lowest=lowest,
                           spikes_said=spikes_said, cold_said=cold_said, coldest=coldest,
                           floor=SURVIVED_FLOOR))  # fmt: skip
    return incorrect(f"your limit of {limit:g} °C calls {len(lost):,} values from {lowest:.1f} °C up impossible, "
                     "many of them normal or hypothermic patients. Impossible begins far lower: look for the "
                     f"gap (the lesson's floor is {SURVIVED_FLOOR:g} °C, a widely cited survival of accidental "
                     "hypothermia).")  # fmt: skip


def _temp_limit_half(by_unit=None, **_):
    """A half attempt: the counts are given but the floor is still None (review r22-s11: said "not attempted")."""
    return incorrect("`low_limit` is still None, though `impossible_by_unit` is given: replace the `None` in "
                     "`low_limit = None` with your floor in °C (the counts must be those below it), then run the "
                     "cell again.")  # fmt: skip


temp_limit.__wrapped__.when_none = _temp_limit_half


# --------------------------------------------------------------------------------------------- exercise 2
def _expected_zero_weights(stays: pd.DataFrame) -> pd.Series:
    return stays["Parameter"].eq("Weight") & stays["Value"].eq(0)


@exercise(mistakes={
    "all_zeros": "you removed every zero of every parameter. A zero urine output is a real observation: remove "
                 "only the zero weights.",
    "all_weights": "you removed every Weight row; remove only the weights of 0 kg.",
    "stays_as_values": "the log's `stays` repeats the number of values; count the distinct RecordIDs instead.",
    "changed_input": "your function changed the table it was given; work on a copy and return the new table.",
    "sentinels_too": "you removed the weights of 0 kg or less: besides the {zeros} zero weights that takes out the "
                     "{sentinels} weights of -1, the code for 'not recorded', which is not a weight of 0 kg. Those "
                     "belong to another step, the lesson's sentinel step (`cleaning.sentinels_to_missing`), with its "
                     "own log. Remove only the weights equal to 0 (`.eq(0)`).",
    "nan_kept": "you set the {n} zero weights to missing (NaN) but kept their rows, so the table lost no row. In a "
                "long table a missing value is simply an absent row: remove the rows (`table[~mask]`), and the log "
                "says how many.",
    "swapped": "you returned `(log, new_table)`, the two in the wrong order: the first thing returned has the log's "
               "columns, the second the table's ({rows:,} rows). Return `new_table, log`.",
})  # fmt: skip
def remove_zero_weights(answer):
    if not callable(answer):
        return incorrect("pass the function itself (its name, without brackets), not what it returns.")
    stays = _stays()
    table = stays.copy()
    try:
        result = answer(table)
    except Exception as exc:  # the student's code raised: say so, not "what type of value"
        return incorrect(f"your function raised an error when the check ran it on a copy of `stays`: "
                         f"{exc.__class__.__name__}: {exc}. Run it yourself, `remove_zero_weights(stays)`, to see "
                         "the line that fails.")  # fmt: skip
    if result is None:
        return feedback.returned_none(answer, "remove_zero_weights", "`(new_table, log)`")
    if len(table) != len(stays) or not table["Value"].equals(stays["Value"]):
        return close(named("changed_input"))
    if isinstance(result, list) and len(result) == 2:  # `return [new_table, log]` returns the two things too
        result = tuple(result)
    if not (isinstance(result, tuple) and len(result) == 2):
        return incorrect(f"the function must return two things, `return new_table, log`; yours returned "
                         f"{feedback._kind(result)}.")  # fmt: skip
    new, log = result
    if not isinstance(new, pd.DataFrame) or not isinstance(log, pd.DataFrame):
        return incorrect("both the new table and the log must be DataFrames.")
    if {"parameter", "values"} <= set(new.columns) and {"RecordID", "Parameter", "Value"} <= set(log.columns):
        return close(named("swapped", rows=len(log)))
    zero = _expected_zero_weights(stays)
    n_removed = len(stays) - len(new)
    if n_removed == int(stays["Value"].eq(0).sum()):
        return close(named("all_zeros"))
    if n_removed == int(stays["Parameter"].eq("Weight").sum()):
        return close(named("all_weights"))
    weight = stays["Parameter"].eq("Weight")
    at_most_zero = int((weight & stays["Value"].le(0)).sum())
    if n_removed == at_most_zero and not (new["Parameter"].eq("Weight") & new["Value"].le(0)).any():
        return close(named("sentinels_too", zeros=int(zero.sum()),
                           sentinels=int((weight & stays["Value"].eq(-1)).sum())))  # fmt: skip
    if n_removed == 0 and int(zero.sum()) and "Value" in new and "Parameter" in new:
        nan_weights = new["Parameter"].eq("Weight") & new["Value"].isna()
        became_nan = int(nan_weights.sum() - (weight & stays["Value"].isna()).sum())
        if became_nan == int(zero.sum()) and not (new["Parameter"].eq("Weight") & new["Value"].eq(0)).any():
            return close(named("nan_kept", n=became_nan))
    if n_removed != int(zero.sum()) or (new["Parameter"].eq("Weight") & new["Value"].eq(0)).any():
        return incorrect(f"the new table should have {int(zero.sum()):,} rows fewer than the input (the zero "
                         f"weights); yours has {n_removed:,} fewer.")  # fmt: skip
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
            return close(named("stays_as_values"))
        return incorrect(f"the log's `stays` is {n_stays}; count the distinct RecordIDs of the removed rows.")
    again = _on_other_table(answer, stays, zero)
    if again is not None:
        return again
    return correct(f"your step removed {values} zero weights in {n_stays} stays and said so.")


#: Stays without a zero weight in the second table _on_other_table runs the student's step on.
OTHER_STAYS = 200


def _on_other_table(answer, stays: pd.DataFrame, zero: pd.Series) -> Feedback | None:
    """Run the student's step on a second table, ``stays`` without half of the stays that have a zero weight, and
    say what differs there from the right step (None: nothing): a log typed in, or computed from `stays` instead of
    the table the function is given, passes on `stays` alone (r17-s68 06-2 W12)."""
    ids = sorted(stays.loc[zero, "RecordID"].unique())
    if not ids:
        return None
    # a small table (a copy of all of `stays` would cost the notebook tens of MiB): the stays with a zero weight
    # but half of them, and the first OTHER_STAYS stays without one
    with_zero, left_out = set(ids), set(ids[: (len(ids) + 1) // 2])
    without = [r for r in stays["RecordID"].unique() if r not in with_zero][:OTHER_STAYS]
    other = stays[stays["RecordID"].isin((with_zero - left_out) | set(without))]
    gone = _expected_zero_weights(other)
    want_values, want_stays = int(gone.sum()), int(other.loc[gone, "RecordID"].nunique())
    what = (f"{other['RecordID'].nunique():,} stays of `stays`: {len(ids) - len(left_out)} of the {len(ids)} with a "
            f"zero weight and {len(without)} without one, {len(other):,} rows with {want_values} zero weights in "
            f"{want_stays} stays")
    try:
        result = answer(other.copy())
    except Exception as exc:
        return incorrect(f"your function works on `stays` but raised an error on another table ({what}): "
                         f"{exc.__class__.__name__}: {exc}. It must work on any table of the same columns.")
    if isinstance(result, list) and len(result) == 2:
        result = tuple(result)
    if not (isinstance(result, tuple) and len(result) == 2 and all(isinstance(r, pd.DataFrame) for r in result)):
        return incorrect(f"your function works on `stays` but on another table ({what}) it returned "
                         f"{feedback._kind(result)}, not `(new_table, log)`.")  # fmt: skip
    new, log = result
    n_removed = len(other) - len(new)
    row = log[log["parameter"].eq("Weight")] if "parameter" in log.columns else log.iloc[:0]
    try:
        said = (int(row["values"].iloc[0]), int(row["stays"].iloc[0]))
    except (KeyError, IndexError, TypeError, ValueError):  # no such row or column, or not a count
        said = None
    if len(row) != 1:
        said = None
    if n_removed == want_values and said == (want_values, want_stays):
        return None
    got = (f"the new table has {n_removed:,} rows fewer and the log says "
           + (f"{said[0]} values in {said[1]} stays" if said else "no Weight row with values and stays"))
    return incorrect(f"right on `stays`, but the check also ran your function on another table ({what}): {got}. "
                     "Compute the step and its log from the table the function is given (`table`), not from "
                     "`stays` or from numbers typed in.")  # fmt: skip


# --------------------------------------------------------------------------------------------- exercise 3
def _hr(table: pd.DataFrame, hours: float, strict: bool = False) -> pd.DataFrame:
    within = table["Time"].lt(hours * 60) if strict else table["Time"].le(hours * 60)
    rows = table[table["Parameter"].eq("HR") & within & ~cleaning.is_descriptor(table)]
    return rows.sort_values(["RecordID", "Time"], kind="stable")


def _hr_expected(table: pd.DataFrame, hours: float = HR_WINDOW_HOURS, strict: bool = False) -> pd.DataFrame:
    return _hr(table, hours, strict).groupby("RecordID")["Value"].agg(["first", "mean", "max"])


@exercise(mistakes={
    "window": "these are the heart rates of the whole 48-hour window; keep the rows with `Time <= 24 * 60` first "
              "(the first day, in minutes).",
    "raw": "these are the raw stays: the zero heart rates are still in. Use the cleaned table `clean`.",
    "smallest": "your `first` column holds each stay's smallest heart rate. That is what sorting by `Value` (or "
                "aggregating with `min`) gives; `first` means the value charted first in time: sort by `Time`.",
    "largest": "your `first` column holds each stay's largest heart rate, what sorting by `Value` from the top "
               "gives; `first` means the value charted first in time: sort by `Time`, ascending.",
    "minutes": "you kept the rows with `Time {op} 24`, but `Time` counts minutes since admission: that is the first "
               "24 minutes ({n:,} stays with a heart rate in them). The first 24 hours end at minute `24 * 60` = "
               "{end:,}.",
    "last": "your `first` column holds the value charted last in the window: sort by `Time` ascending (or use "
            "`first`, not `last`).",
    "rounded": "your numbers are the right ones rounded to {decimals}: the check compares them "
               "unrounded. Leave out `.round(...)` (round only when you display the table).",
    "not_aggregated": "your table has {rows:,} rows for {stays:,} stays (up to {most:,} rows for one stay): one row "
                      "per heart rate charted, not one per stay. Group the rows by RecordID and aggregate them, "
                      "`.groupby('RecordID')['Value'].agg(['first', 'mean', 'max'])`, so that each of the {n:,} "
                      "stays has one row.",
})  # fmt: skip
def hr_three_ways(answer):
    if isinstance(answer, pd.Series):
        # r13-s68 06-3a: as_table turns a Series into a table whose columns the student never made
        called = f" named {answer.name!r}" if answer.name is not None else ""
        return incorrect(f"this is a Series{called} (one value per row, {len(answer):,} rows), not a DataFrame: the "
                         "answer is a DataFrame with one row per stay and three columns, first, mean and max. "
                         "Compute the three together from the same rows.")  # fmt: skip
    table = as_table(answer, "a DataFrame with one row per stay and the columns first, mean, max")
    if isinstance(table, Feedback):
        return table
    wanted = ["first", "mean", "max"]
    if not set(wanted) <= set(table.columns):
        return incorrect(f"the DataFrame needs the columns {wanted}; yours has {list(table.columns)[:6]}.")
    if "RecordID" not in table.columns:
        # the RecordID values are what matter: an index without a name (`groupby(hr["RecordID"].to_numpy())`,
        # `rename_axis(None)`) or a column named otherwise holds them just as well
        ids = set(_stays()["RecordID"].unique())
        held = [c for c in table.columns if c not in wanted and len(table) and table[c].isin(ids).all()]
        if not held:
            return incorrect("index the table by `RecordID` (what `groupby('RecordID')` gives), one row per stay.")
        table = table.rename(columns={held[0]: "RecordID"})
    clean, raw = _clean(), _stays()
    expected = _hr_expected(clean)
    if table["RecordID"].duplicated().any():  # r17-s68 06-3 W6b: the rows were never aggregated
        per_stay = table.groupby("RecordID").size()
        return close(named("not_aggregated", rows=len(table), stays=len(per_stay), most=int(per_stay.max()),
                           n=len(expected)))  # fmt: skip
    table = table.set_index("RecordID")

    def matches(reference: pd.DataFrame, column: str | None = None) -> bool:
        if len(table) != len(reference) or not table.index.isin(reference.index).all():
            return False
        got = table.reindex(reference.index)
        cols = [column] if column else wanted
        return np.allclose(got[cols].astype(float).to_numpy(), reference[cols].to_numpy(), equal_nan=True)

    def agreeing(reference: pd.DataFrame) -> int:  # how many of the student's numbers this reference reproduces
        got = table.reindex(reference.index)[wanted].astype(float).to_numpy()
        return int(np.isclose(got, reference[wanted].to_numpy()).sum())

    if matches(expected):
        return correct(f"{len(expected):,} stays with a heart rate in the first {HR_WINDOW_HOURS} hours.")
    before_end = _hr_expected(clean, strict=True)
    if matches(before_end):  # `Time < 24 * 60`: a defensible reading of "the first 24 hours"
        at_end = int((_hr(clean, HR_WINDOW_HOURS)["Time"] == HR_WINDOW_HOURS * 60).sum())
        return correct(f"{len(before_end):,} stays, with the window's end left out (`Time < {HR_WINDOW_HOURS} * 60`): "
                       f"a defensible reading of the first {HR_WINDOW_HOURS} hours. `<=` would add the {at_end} heart "
                       "rates charted at exactly that minute; say which you chose.")  # fmt: skip
    for strict in (False, True):  # both readings of the window's end, for every mistake below
        if matches(_hr_expected(clean, 48, strict=strict)):
            return close(named("window"))
        if matches(_hr_expected(raw, strict=strict)):
            return close(named("raw"))
    for strict, op in ((False, "<="), (True, "<")):  # the hours written as minutes
        in_minutes = _hr_expected(clean, HR_WINDOW_HOURS / 60, strict=strict)
        if matches(in_minutes):
            return close(named("minutes", op=op, n=len(in_minutes), end=HR_WINDOW_HOURS * 60))
    # r17-s68 06-3: judge the answer against the window it used (the one that reproduces more of its numbers), so
    # that with `Time < 24 * 60` right columns are not called wrong and the mistake is still named
    strict = agreeing(before_end) > agreeing(expected)
    reference, op = (before_end, "<") if strict else (expected, "<=")
    if matches(reference, "mean") and matches(reference, "max"):  # only `first` is wrong: which value is it?
        hr = _hr(clean, HR_WINDOW_HOURS, strict=strict).groupby("RecordID")["Value"]
        for key, values in (("smallest", hr.min()), ("largest", hr.max()), ("last", hr.last())):
            if matches(values.to_frame("first"), "first"):
                return close(named(key))
    for decimals in range(3):  # the right numbers, rounded: the check compares them unrounded
        if matches(reference.round(decimals)) and not matches(reference):
            said = {0: "whole numbers", 1: "1 decimal"}.get(decimals, f"{decimals} decimals")
            return close(named("rounded", decimals=said))
    if len(table) != len(reference):
        return incorrect(f"expected one row for each of the {len(reference):,} stays with a heart rate in the first "
                         f"{HR_WINDOW_HOURS} hours of `clean` (`Time {op} {HR_WINDOW_HOURS} * 60`); got "
                         f"{len(table):,}.")  # fmt: skip
    bad = [c for c in wanted if not matches(reference, c)]
    return incorrect(f"the columns {bad} do not match (compared with the window your other numbers fit, `Time {op} "
                     f"{HR_WINDOW_HOURS} * 60`); keep the HR rows of `clean` in that window, sort by `Time`, and "
                     "group by RecordID.")  # fmt: skip


# --------------------------------------------------------------------------------------------- exercise 4
def _obese_share(f: pd.DataFrame, weight: str = "Weight", metres: bool = True, all_stays: bool = False) -> float:
    bmi = f[weight] / (f["Height"] / (100 if metres else 1)) ** 2
    obese = bmi.ge(OBESE_BMI)
    return float(obese.sum() / len(f)) if all_stays else float(obese[bmi.notna()].mean())


@exercise(mistakes={
    "sign": "the sign is reversed. Compute clean minus raw: a negative number means cleaning lowered the share.",
    "percent": "that is the change in percentage points ({points:+.1f}); give it as a fraction of stays "
               "({fraction:+.4f}).",
    "centimetres": "the heights are in centimetres: divide by 100 to get metres before squaring (in cm no one is "
                   "obese).",
    "all_stays": "you divided by every stay ({n:,}); the share is of the stays that have a BMI in each table (a "
                 "height and a weight), which differ before and after cleaning.",
    "weight_first": "you used `Weight_first`, the first weight charted during the stay; the exercise asks for "
                    "`Weight`, the admission weight (a descriptor).",
    "placeholders": "you took the placeholders out of the raw features first (the -1 of the {n:,} stays whose "
                    "Weight or Height was not recorded), so your raw share is {fixed:.4f}, not {raw:.4f}. Taking "
                    "them out is part of cleaning: the raw share is computed on `raw_features` as they are, -1 "
                    "included (a height of -1 cm gives a BMI of the weight times 10,000: hundreds of thousands), "
                    "so that the difference shows what cleaning changes.",
})  # fmt: skip
def obese_share_change(answer):
    raw, clean = _features()
    expected = _obese_share(clean) - _obese_share(raw)
    no_placeholders = raw.assign(**{c: raw[c].where(raw[c] > 0) for c in ("Weight", "Height")})
    n_placeholders = int((raw[["Weight", "Height"]] <= 0).any(axis=1).sum())
    return check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("sign", -expected),
            mistake_at("percent", 100 * expected, points=100 * expected, fraction=expected),
            mistake_at("centimetres", _obese_share(clean, metres=False) - _obese_share(raw, metres=False)),
            mistake_at(
                "all_stays", _obese_share(clean, all_stays=True) - _obese_share(raw, all_stays=True), n=len(clean)
            ),
            mistake_at("weight_first", _obese_share(clean, "Weight_first") - _obese_share(raw, "Weight_first")),
            mistake_at("placeholders", _obese_share(clean) - _obese_share(no_placeholders), n=n_placeholders,
                       fixed=_obese_share(no_placeholders), raw=_obese_share(raw)),
        ],  # fmt: skip
        what="a number (a change in the share of stays, between -1 and 1)",
        hint="BMI = Weight (kg) / (Height (cm) / 100)²; the share of stays with a BMI at or above 30 among those with "
        "a BMI, in the clean features minus in the raw ones.",
        rel=1e-6,
    )


# --------------------------------------------------------------------------------------------- exercise 5 (a figure)
_HIST_CALLS = {"hist", "histplot"}


def _uncoloured_hist(inputs: list[str]) -> str | None:
    """The histogram call of the most recent cell that draws one, if none of that cell's histogram calls sets a
    colour (no ``color=``/``c=``/``**`` keyword): the figure alone cannot tell the default grey from
    ``COLOURS["after"]``, which look alike under the course's style. None outside IPython, when no cell draws a
    histogram this way (``ax.bar`` over ``np.histogram``, say), or when the colour is set."""
    import ast

    for source in reversed(inputs):
        tree = feedback._parse(source)
        if tree is None:
            continue
        calls = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                kind = {k.arg: k.value for k in node.keywords}.get("kind")
                if node.func.attr in _HIST_CALLS or (isinstance(kind, ast.Constant) and kind.value == "hist"):
                    calls.append(node)
        if calls:
            if any(k.arg in (None, "color", "c", "colour") for call in calls for k in call.keywords):
                return None
            return ast.unparse(calls[-1].func) + "(...)"
    return None


class _Bar:
    """One bin of a histogram drawn as an outline (``histtype="step"`` or ``"stepfilled"``), read as a Rectangle is."""

    def __init__(self, x: float, y: float, width: float, height: float, colour) -> None:
        self._box, self._colour = (x, y, width, height), colour

    def get_x(self) -> float:
        return self._box[0]

    def get_y(self) -> float:
        return self._box[1]

    def get_width(self) -> float:
        return self._box[2]

    def get_height(self) -> float:
        return self._box[3]

    def get_facecolor(self):
        return self._colour


def _outline_bars(polygon) -> list[_Bar]:
    """The bins of a histogram drawn as one Polygon, ``ax.hist(..., histtype="step" or "stepfilled")``: the outline
    runs from the first edge along the tops of the bins (stepfilled then closes it back along the base), so each top
    is a segment along the bin axis, going forward. Read upright (x running forward) or on its side (y running
    forward), whichever runs forward longer; the colour is the fill's, or the line's when it is not filled."""
    xy = np.asarray(polygon.get_xy(), float)
    if len(xy) < 4 or not np.isfinite(xy).all():
        return []
    colour = polygon.get_facecolor() if polygon.get_fill() else polygon.get_edgecolor()

    def forward(values: np.ndarray) -> int:  # how many vertices the outline keeps going forward along this axis
        back = np.flatnonzero(np.diff(values) < 0)
        return int(back[0]) + 1 if len(back) else len(values)

    upright = forward(xy[:, 0]) >= forward(xy[:, 1])
    along, across = (0, 1) if upright else (1, 0)
    outline = xy[: forward(xy[:, along])]
    bars = []
    for a, b in zip(outline[:-1], outline[1:], strict=True):
        if b[along] > a[along] and b[across] == a[across]:  # the top of a bin
            start, size, height = a[along], b[along] - a[along], a[across]
            bars.append(_Bar(start, 0.0, size, height, colour) if upright else _Bar(0.0, start, height, size, colour))
    return bars


def _hist_bars(ax) -> list:
    """The bars of the histogram on ``ax``: its Rectangles, or, when there are none, the bins of an outline."""
    from matplotlib.patches import Polygon, Rectangle

    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    if bars:
        return bars
    return [bar for p in ax.patches if isinstance(p, Polygon) for bar in _outline_bars(p)]


def _gives_bmi_unit(label: str) -> bool:
    """Whether an axis label gives the BMI's unit: kg/m², kg/m^2, kg/m2, kg m⁻², kg m^-2, kg m$^{-2}$, kg·m⁻²."""
    import re

    text = re.sub(r"[\s$^{}\\·⋅*,~]", "", label.lower().replace("⁻", "-").replace("−", "-").replace("²", "2"))
    return "kg/m" in text or "kgm-2" in text


def _raw_bmi() -> pd.Series:
    f = _features()[0]
    return (f["Weight"] / (f["Height"] / 100) ** 2).dropna()


def _clean_bmi() -> pd.Series:
    f = _features()[1]
    return (f["Weight"] / (f["Height"] / 100) ** 2).dropna()


@exercise(figure=True, mistakes={
    "raw_bmi": "your bars run from {left:,.0f} to {right:,.0f} kg/m²: that is the raw BMI, with heights of -1 and a "
               "few cm still in. Use the features of `clean`.",
    "cut_range": "the bars cover {left:.1f} to {right:.1f} kg/m², but the clean BMI runs from {low:.1f} to "
                 "{high:.1f}: do not cut the range, the tails are what cleaning is about.",
    "weight": "the bars cover {left:.1f} to {right:.1f}, the range of the clean `Weight` in kg: you drew the "
              "weight, not the BMI. Divide it by the square of the height in metres: `Weight / (Height / 100) ** 2`.",
    "density": "your bars' heights add up to {counted:.2f} and their areas (height times width) to 1: that is a "
               "density (`density=True`), not a count of stays. The y axis should count the {n:,} stays with a "
               "clean BMI: leave out `density=True`.",
    "horizontal": "your histogram lies on its side (`orientation=\"horizontal\"`): the BMI runs up the y axis "
                  "({low:.1f} to {high:.1f}) and the counts along x. Put the BMI on the x axis, with its unit, and "
                  "the number of stays on y: leave out `orientation`.",
    "default_colour": "your histogram is drawn in the plotting style's default colour: your `{call}` sets no colour. "
                      "Under the course's style that grey is the same as `COLOURS[\"after\"]` today, but it says "
                      "nothing: name the meaning, `color=COLOURS[\"after\"]` (data after a step), so the figure "
                      "keeps it whatever the style.",
    "misnamed_statistic": "the title calls {number} the {name}, but {number} is the {other} of the {n:,} clean "
                          "BMIs; their {name} is {value:.1f} kg/m². A reader checks the word as well as the number: "
                          "name the statistic you give.",
})  # fmt: skip
def bmi_histogram(answer):
    """The Axes of a histogram of the clean BMI: its bars count every stay with a BMI, axes labelled with units."""
    import matplotlib.axes

    if isinstance(answer, tuple) and len(answer) == 2:
        answer = answer[1]
    if not isinstance(answer, matplotlib.axes.Axes):
        return incorrect(f"store the Axes you drew on (`fig, ax = plt.subplots()`, then `ax_bmi = ax`); got "
                         f"{type(answer).__name__}.")  # fmt: skip
    bars = _hist_bars(answer)  # bars, or the bins of an outline (histtype="step" or "stepfilled")
    if not bars:
        return incorrect("there are no bars on the Axes: draw the histogram with `ax.hist(values, bins=...)`.")
    bmi = _clean_bmi()
    if all(p.get_x() == 0 for p in bars) and any(p.get_y() != 0 for p in bars):  # ax.hist(..., orientation=...)
        low, high = min(p.get_y() for p in bars), max(p.get_y() + p.get_height() for p in bars)
        return close(named("horizontal", low=low, high=high))
    counted = int(round(sum(p.get_height() for p in bars)))
    left = min(p.get_x() for p in bars)
    right = max(p.get_x() + p.get_width() for p in bars)
    if right > 1000 or left < 0:
        return close(named("raw_bmi", left=left, right=right))
    if left > bmi.min() + 1e-9 or right < bmi.max() - 1e-9:
        weight = _features()[1]["Weight"].dropna()
        if np.isclose(left, weight.min()) and np.isclose(right, weight.max()):
            return close(named("weight", left=left, right=right))
        widest = max(p.get_width() for p in bars)
        if bmi.min() - widest <= left and right <= bmi.max() + widest:  # inside the BMI's range: a part of it
            return close(named("cut_range", left=left, right=right, low=bmi.min(), high=bmi.max()))
        return incorrect(f"the bars cover {left:.1f} to {right:.1f}, but the clean BMI runs from {bmi.min():.1f} to "
                         f"{bmi.max():.1f} kg/m²: plot the BMI of `features`, `Weight / (Height / 100) ** 2`, "
                         "with `.dropna()`.")  # fmt: skip
    area = sum(p.get_height() * p.get_width() for p in bars)
    if counted != len(bmi) and np.isclose(area, 1, rtol=1e-6):
        return close(named("density", counted=sum(p.get_height() for p in bars), n=len(bmi)))
    if counted != len(bmi):
        return incorrect(f"the bars count {counted:,} stays; {len(bmi):,} stays have a clean BMI. Plot "
                         "`bmi.dropna()` of the clean features, once.")  # fmt: skip
    xlabel, ylabel = answer.get_xlabel().lower(), answer.get_ylabel()
    if not xlabel or not ylabel:
        return incorrect("label both axes: x is the body-mass index in kg/m², y the number of stays.")
    if not _gives_bmi_unit(xlabel):
        return incorrect(f"the x axis says {answer.get_xlabel()!r}: give the unit too (kg/m²).")
    if not all(drawn_in(p.get_facecolor(), COLOURS["after"]) for p in bars):
        return incorrect('draw the bars in `COLOURS["after"]`, the course\'s colour for data after a step '
                         "(`ax.hist(..., color=COLOURS[\"after\"])`).")  # fmt: skip
    call = _uncoloured_hist(feedback._inputs())
    if call is not None:
        return close(named("default_colour", call=call))
    if not answer.get_title():
        return incorrect("give the figure a title that states what it shows (for example the median BMI).")
    facts = {"median": bmi.median(), "mean": bmi.mean(), "number of stays": len(bmi)}
    stated = states(answer.get_title(), facts)
    title = answer.get_title()
    for name in ("median", "mean"):  # a title that names a statistic but gives another number for it
        after = re.split(rf"\b{name}\b", title.lower(), maxsplit=1)
        if len(after) < 2 or states(title, {name: facts[name]}):
            continue
        others = {k: v for k, v in facts.items() if k != name}
        other = "mean" if name == "median" else "median"
        first = title_numbers(after[1])[:1]  # the number the word names: the first one after it
        if first and states(f"{first[0][0]:.{first[0][1]}f}", {other: facts[other]}):
            number, decimals = first[0]
            return close(named("misnamed_statistic", number=f"{number:.{decimals}f}", name=name, other=other,
                                   n=len(bmi), value=facts[name]))  # fmt: skip
        given = [(n, d) for n, d in title_numbers(after[1]) if not states(f"{n:.{d}f}", others)][:1]
        if given:
            (number, decimals), raw = given[0], _raw_bmi()
            raw_said = (f" ({number:.{decimals}f} is the {name} of the raw BMI, before cleaning)"
                        if round(float(getattr(raw, name)()), decimals) == number else "")  # fmt: skip
            return incorrect(f"the title gives the {name} as {number:.{decimals}f}, but the {name} of the "
                             f"{len(bmi):,} BMIs your bars count is {facts[name]:.{max(decimals, 1)}f} "
                             f"kg/m²{raw_said}. Compute it from the values you plot (`bmi.{name}()`) and write "
                             "that number.")  # fmt: skip
    if stated is None:
        return incorrect(f"the title {answer.get_title()!r} does not state a finding: write the median "
                         f"({bmi.median():.1f} kg/m²), the mean or the number of stays in it, so a reader can check "
                         "the figure against it.")  # fmt: skip
    return correct(
        f"{counted:,} stays, from {bmi.min():.1f} to {bmi.max():.1f} kg/m², with labelled axes, in the "
        f"course's colour for clean data, and a title that states the {stated}."
    )
