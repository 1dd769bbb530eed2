"""Lesson 06's checks, walked through as a student would: for every exercise the warned mistake, two other plausible
wrong answers and a right answer written another way, each with its status and what the message names; plus
not attempted, answers of the wrong kind, answers copied from the lesson, and the student's objects left unchanged."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from heartdata import challenge2012, cleaning, feedback
from heartdata.checks import lesson06
from heartdata.plotting import COLOURS

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CLOSE, CORRECT, INCORRECT, NOT_ATTEMPTED = feedback.CLOSE, feedback.CORRECT, feedback.INCORRECT, feedback.NOT_ATTEMPTED


@pytest.fixture(scope="module")
def stays():
    return lesson06._stays()  # the checks' own cached load: the same table the checks compare with


@pytest.fixture(scope="module")
def clean():
    return lesson06._clean()


@pytest.fixture(scope="module")
def features():
    return lesson06._features()


def said(fb, status, *words):
    assert fb.status == status, fb
    for word in words:
        assert word in fb.message, (word, fb.message)
    return fb


# --------------------------------------------------------------------------------------------- exercise 1
@pytest.fixture(scope="module")
def temps(stays):
    unit = (stays[cleaning.is_descriptor(stays) & stays["Parameter"].eq("ICUType")].set_index("RecordID")["Value"]
            .map(challenge2012.ICU_TYPES))  # fmt: skip
    rows = stays[stays["Parameter"].eq("Temp")]
    return rows.assign(unit=rows["RecordID"].map(unit).to_numpy())


def per_unit(temps, mask, stays_not_values=False):
    rows = temps[mask]
    return rows.groupby("unit")["RecordID"].nunique() if stays_not_values else rows.groupby("unit").size()


def test_temp_limit_walkthrough(temps):
    t = temps["Value"]
    # the warned mistake: every value below 35 °C (hypothermic patients are alive)
    said(lesson06.temp_limit(13.7, per_unit(temps, t < 35)), CLOSE, "below 35 °C", "extreme, not impossible")
    # other plausible wrong answers: stays instead of values; at or below the limit; unit codes
    said(lesson06.temp_limit(13.7, per_unit(temps, t < 13.7, stays_not_values=True)), CLOSE, "counted stays")
    said(lesson06.temp_limit(0, per_unit(temps, t <= 0)), CLOSE, "at or below 0 °C")
    codes = per_unit(temps, t < 13.7).rename(index={v: k for k, v in challenge2012.ICU_TYPES.items()})
    said(lesson06.temp_limit(13.7, codes), CLOSE, "unit codes", "ICU_TYPES")
    # right answers written other ways: a dict, value_counts without the zero units, another limit in the gap
    as_dict = {k: int(v) for k, v in per_unit(temps, t < 10).items()}
    said(lesson06.temp_limit(10, as_dict), CORRECT, "same counts", "124 values")
    counted = temps.loc[t < 13.7, "unit"].value_counts()
    said(lesson06.temp_limit(13.7, counted), CORRECT, "Any limit above 3.6")


def test_temp_limit_judges_the_limit_and_refuses_copies(temps):
    t = temps["Value"]
    said(lesson06.temp_limit(1, per_unit(temps, t < 1)), CLOSE, "keeps", "gap")
    said(lesson06.temp_limit(32, per_unit(temps, t < 32)), CLOSE, "spikes", "patients being warmed", "29.9")
    # student walkthrough, finding 11: limit 30 removes 29.9 °C, so the message calls it the coldest of the cold
    # readings the limit removes (not "kept"), and counts of one are singular
    fb = said(lesson06.temp_limit(30, per_unit(temps, t < 30)), CLOSE, "patients being warmed", "coldest of them")
    assert "coldest kept" not in fb.message and " 1 values" not in fb.message and "other 1 are" not in fb.message
    for limit in np.arange(24.5, 35, 0.5):  # no limit between the gap and 35 °C writes "1 values" or "other 1 are"
        fb = lesson06.temp_limit(limit, per_unit(temps, t < limit))
        assert " 1 values" not in fb.message and "other 1 are" not in fb.message and "1 of them are" not in fb.message
    # the case the review found: a limit just above the gap's top keeps the spikes; the check says a range cannot
    # see them, and a limit that removes only the spikes here is a range doing a neighbour rule's job
    fb = said(lesson06.temp_limit(13.7, temps.loc[t < 13.7, "unit"].value_counts()), CORRECT, "Any limit")
    assert "24.2, 26.7, 28.8, 30.2, 31.8" in fb.message and "neighbour rule" in fb.message
    # review r26-06, finding 3: the five are not "the lowest values above the gap"; 29.9 °C and 14 more readings
    # below 31.8 °C are a cold patient's, kept by the rule
    assert "lowest values above the gap" not in fb.message
    assert "5 of the 20 raw readings" in fb.message and "other 15 (from 29.9 °C up)" in fb.message
    # review r21-06, finding 2: the feedback states the rule's jump (from SPIKES) and that it ignores the time between
    # readings, not "between two normal ones"
    assert f"at least {cleaning.SPIKES['Temp'][0]:g} °C away from both their neighbours" in fb.message
    assert "whatever the time between the readings" in fb.message and "two normal ones" not in fb.message
    said(lesson06.temp_limit(29, per_unit(temps, t < 29)), CLOSE, "all spikes", "by height, not by place")
    said(lesson06.temp_limit(40, per_unit(temps, t < 40)), INCORRECT, "normal or hypothermic")
    # review 3: a floor of 4 °C gives the right counts (nothing was charted from 3.6 to 24.2 °C): the check names
    # the lesson's floor, the widely cited survival of accidental hypothermia (walkthrough 9: and accepts the limit)
    said(lesson06.temp_limit(4, per_unit(temps, t < 4)), CORRECT, "13.7", "Gilbert")
    said(lesson06.temp_limit(13.7, per_unit(temps, t < 13.7)), CORRECT, "lesson's floor")
    # the lesson printed one total (124 values below 20 °C): a total is not a count per unit
    said(lesson06.temp_limit(13.7, 124), INCORRECT, "Series")
    said(lesson06.temp_limit(13.7, {"Medical ICU": 124}), INCORRECT, "counts differ")
    said(lesson06.temp_limit(13.7, None), NOT_ATTEMPTED, "each ICU unit")
    said(lesson06.temp_limit("twenty", {"Medical ICU": 1}), INCORRECT, "number")
    said(lesson06.temp_limit(True, {"Medical ICU": 1}), INCORRECT, "yes/no")


def test_review_floor_agrees_with_the_lessons_definition(temps):
    """Review (fix06), finding 1, and review rev0607, findings 1 and 3: the lesson's floor is 13.7 °C, the widely
    cited adult survival of accidental hypothermia (Gilbert et al., Lancet 2000), but colder survivals are reported
    and the exercise says more than one limit is defensible. Every limit in the empty gap gives the same counts, so
    every one is accepted: below 13.7 °C told it is wider than the lesson's; above 13.7 °C (20 °C included) told
    that by the lesson's definition it would call a survived temperature impossible and on other data delete real
    patients. Limits that keep impossible values or remove real readings stay named mistakes."""
    floor = cleaning.RANGES["Temp"][0]
    assert floor == lesson06.SURVIVED_FLOOR == 13.7
    top, lowest = lesson06.temperature_gap()
    t = temps["Value"]
    right = {k: int(v) for k, v in per_unit(temps, t < floor).items()}
    assert all(right == {k: int(v) for k, v in per_unit(temps, t < x).items()} for x in (top + 0.01, lowest))
    for limit in (3.61, 4, 10.0, 13.6):
        fb = said(lesson06.temp_limit(limit, right), CORRECT, "Any limit above 3.6 and up to 24.2 °C",
                  "wider than the lesson's (13.7 °C", "makes no difference")  # fmt: skip
        assert "known mistake" not in str(fb)
    fb = said(lesson06.temp_limit(13.7, right), CORRECT, "lesson's floor", "Gilbert", "judgement",
              "Colder survivals have been reported", "it could call a survived temperature impossible")  # fmt: skip
    assert "makes no difference" not in fb.message
    # review r21-06, finding 1: after "colder survivals have been reported" the feedback cannot say that the floor
    # calls no survived temperature impossible
    assert "calls no survived" not in fb.message
    # a floor above 13.7 °C in the gap: same counts, accepted, and told what the lesson's definition says of it
    for limit in (13.8, 20, lowest):
        counts = {k: int(v) for k, v in per_unit(temps, t < limit).items()}
        fb = said(lesson06.temp_limit(limit, counts), CORRECT, "Any limit above 3.6 and up to 24.2 °C",
                  "Same counts here", "a value no living patient could have",
                  "a floor above 13.7 °C would call a survived temperature impossible",
                  "on other data it would delete real patients", "Gilbert")  # fmt: skip
        assert "known mistake" not in str(fb)
    # just below and above the gap: still named, and told where the floor belongs
    said(lesson06.temp_limit(3.6, per_unit(temps, t < 3.6)), CLOSE, "keeps", "3.6", "empty gap", "13.7 °C")
    said(lesson06.temp_limit(0, per_unit(temps, t < 0)), CLOSE, "empty gap above them")
    said(lesson06.temp_limit(lowest + 0.1, per_unit(temps, t < lowest + 0.1)), CLOSE, "by height, not by place")
    said(lesson06.temp_limit(25, per_unit(temps, t < 25)), CLOSE, "by height, not by place", "13.7 °C")
    said(lesson06.temp_limit(30, per_unit(temps, t < 30)), CLOSE, "patients being warmed", "survived accidental "
         "hypothermia at 13.7 °C")  # fmt: skip


def test_temperature_gap_is_computed():
    top, lowest = lesson06.temperature_gap()
    assert (round(top, 1), round(lowest, 1)) == (3.6, 24.2)


# --------------------------------------------------------------------------------------------- exercise 2
def _log(removed):
    return pd.DataFrame([{"parameter": "Weight", "values": len(removed), "stays": removed["RecordID"].nunique()}])


def test_remove_zero_weights_walkthrough():
    def all_zeros(table):  # the warned mistake: zero urine outputs are real
        zero = table["Value"].eq(0)
        return table[~zero], _log(table[zero])

    def stays_wrong(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        return table[~zero], pd.DataFrame(
            [{"parameter": "Weight", "values": int(zero.sum()), "stays": int(zero.sum())}]
        )

    def in_place(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        table.loc[zero, "Value"] = float("nan")
        return table[~zero], _log(table[zero])

    def every_weight(table):
        weight = table["Parameter"].eq("Weight")
        return table[~weight], _log(table[weight])

    def another_way(table):  # right: query and drop, the log built from counts
        keep = table.query("not (Parameter == 'Weight' and Value == 0)")
        dropped = table.drop(keep.index)
        log = pd.DataFrame({"parameter": ["Weight"], "values": [len(dropped)], "stays": [dropped.RecordID.nunique()]})
        return keep, log

    said(lesson06.remove_zero_weights(all_zeros), CLOSE, "urine")
    said(lesson06.remove_zero_weights(stays_wrong), CLOSE, "distinct RecordIDs")
    said(lesson06.remove_zero_weights(in_place), CLOSE, "changed the table")
    said(lesson06.remove_zero_weights(every_weight), CLOSE, "every Weight row")
    said(lesson06.remove_zero_weights(another_way), CORRECT, "zero weights", "stays")
    said(lesson06.remove_zero_weights(lambda table: None), NOT_ATTEMPTED, "remove_zero_weights")
    said(lesson06.remove_zero_weights(pd.DataFrame()), INCORRECT, "function itself")


def test_r12_weights_at_or_below_zero_and_zeros_set_to_nan_are_named(stays):
    """Walkthrough r12-s68, 06 ex2: `Value <= 0` (which also removes the -1 'not recorded' weights) got only "yours has
    N fewer"; zero weights set to NaN with their rows kept got "yours has 0 fewer"."""
    weight = stays["Parameter"].eq("Weight")
    zeros, minus_one = int((weight & stays["Value"].eq(0)).sum()), int((weight & stays["Value"].eq(-1)).sum())
    assert minus_one > 0 and int((weight & stays["Value"].lt(0)).sum()) == minus_one  # the sentinels are all -1

    def at_most_zero(table):
        gone = table["Parameter"].eq("Weight") & table["Value"].le(0)
        return table[~gone], _log(table[gone])

    def to_nan(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        new = table.copy()
        new.loc[zero, "Value"] = np.nan
        return new, _log(table[zero])

    said(lesson06.remove_zero_weights(at_most_zero), CLOSE, f"{zeros} zero weights", f"{minus_one} weights of -1",
         "not recorded", ".eq(0)")
    said(lesson06.remove_zero_weights(to_nan), CLOSE, f"{zeros} zero weights to missing", "absent row")

    def minus_one_only_and_zeros(table):  # a different slip with another count is not named as either
        gone = table["Parameter"].eq("Weight") & table["Value"].le(0)
        return table[~gone].iloc[1:], _log(table[gone])

    fb = lesson06.remove_zero_weights(minus_one_only_and_zeros)
    assert fb.status == INCORRECT and "-1" not in fb.message and "NaN" not in fb.message, fb


# --------------------------------------------------------------------------------------------- exercise 3
def _three(table, hours=24, by="Time", ascending=True):
    hr = table[table["Parameter"].eq("HR") & table["Time"].le(hours * 60) & ~cleaning.is_descriptor(table)]
    hr = hr.sort_values(["RecordID", by], ascending=[True, ascending])
    return hr.groupby("RecordID")["Value"].agg(["first", "mean", "max"])


def test_hr_three_ways_walkthrough(stays, clean):
    # the warned mistake: `first` taken after sorting by value (the smallest), not by time
    said(lesson06.hr_three_ways(_three(clean, by="Value")), CLOSE, "smallest", "sorting by `Value`", "sort by `Time`")
    said(lesson06.hr_three_ways(_three(clean, by="Value", ascending=False)), CLOSE, "largest")
    # other plausible wrong answers: the whole 48 hours; the raw stays; last in time
    said(lesson06.hr_three_ways(_three(clean, hours=48)), CLOSE, "48-hour", "24 * 60")
    said(lesson06.hr_three_ways(_three(stays)), CLOSE, "raw stays")
    said(lesson06.hr_three_ways(_three(clean, by="Time", ascending=False)), CLOSE, "charted last")
    # right answers written other ways: a RecordID column (reset_index), a pivot of named aggregations
    said(lesson06.hr_three_ways(_three(clean).reset_index()), CORRECT, "first 24 hours")
    hr = clean[clean["Parameter"].eq("HR") & clean["Time"].le(24 * 60)]
    named = hr.groupby("RecordID").agg(first=("Value", "first"), mean=("Value", "mean"), max=("Value", "max"))
    said(lesson06.hr_three_ways(named), CORRECT)
    # review 3: `Time < 24 * 60` is a defensible reading of "the first 24 hours" too
    before = clean[clean["Parameter"].eq("HR") & clean["Time"].lt(24 * 60)].sort_values(["RecordID", "Time"])
    strict = before.groupby("RecordID")["Value"].agg(["first", "mean", "max"])
    said(lesson06.hr_three_ways(strict), CORRECT, "Time < 24 * 60", "78 heart rates")


def test_review_rev0607b_an_unnamed_index_of_record_ids_is_accepted(clean):
    """Review rev0607b, finding 9: a right table indexed by the RecordID values, but with an index without a name,
    was refused with "index the table by `RecordID`"; the values are what matter."""
    right = _three(clean)
    said(lesson06.hr_three_ways(right.rename_axis(None)), CORRECT, "first 24 hours")
    hr = clean[clean["Parameter"].eq("HR") & clean["Time"].le(24 * 60) & ~cleaning.is_descriptor(clean)]
    hr = hr.sort_values(["RecordID", "Time"])
    by_values = hr.groupby(hr["RecordID"].to_numpy())["Value"].agg(["first", "mean", "max"])
    assert by_values.index.name is None
    said(lesson06.hr_three_ways(by_values), CORRECT)
    said(lesson06.hr_three_ways(right.reset_index().rename(columns={"RecordID": "stay"})), CORRECT)
    # an index that does not hold the RecordIDs is still refused, and the named mistakes still fire without a name
    said(lesson06.hr_three_ways(right.reset_index(drop=True)), INCORRECT, "index the table by `RecordID`")
    said(lesson06.hr_three_ways(right.set_axis(range(1, len(right) + 1))), INCORRECT, "RecordID")
    said(lesson06.hr_three_ways(_three(clean, by="Value").rename_axis(None)), CLOSE, "smallest")


def test_r12_time_in_hours_not_minutes_is_named(clean):
    """Walkthrough r12-s68, 06 ex3: `Time <= 24` (hours, but Time counts minutes) got only "got N rows"."""
    hr = clean[clean["Parameter"].eq("HR") & ~cleaning.is_descriptor(clean)].sort_values(["RecordID", "Time"])
    for op, within in (("<=", hr["Time"].le(24)), ("<", hr["Time"].lt(24))):
        minutes = hr[within].groupby("RecordID")["Value"].agg(["first", "mean", "max"])
        said(lesson06.hr_three_ways(minutes), CLOSE, f"`Time {op} 24`", "minutes since admission",
             f"{len(minutes):,} stays", "1,440")
    # the first 30 minutes is another slip: not named as hours for minutes
    fb = lesson06.hr_three_ways(hr[hr["Time"].le(30)].groupby("RecordID")["Value"].agg(["first", "mean", "max"]))
    assert fb.status == INCORRECT and "minutes since admission" not in fb.message, fb


def test_hr_three_ways_other_answers(clean):
    right = _three(clean)
    said(lesson06.hr_three_ways(right.rename(columns={"mean": "avg"})), INCORRECT, "columns")
    said(lesson06.hr_three_ways(right.head(100)), INCORRECT, "one row for each")
    said(lesson06.hr_three_ways(right["first"]), INCORRECT, "columns")
    # r13-s68 06-3a: a Series (the means only) was called "the DataFrame ... has ['RecordID', 'Value']"
    hr = clean[clean["Parameter"].eq("HR") & clean["Time"].le(24 * 60) & ~cleaning.is_descriptor(clean)]
    means = hr.groupby("RecordID")["Value"].mean()
    for series in (means, means.rename(None)):
        fb = said(lesson06.hr_three_ways(series), INCORRECT, "Series", "not a DataFrame", "first, mean and max",
                  f"{len(means):,} rows")
        assert "RecordID" not in fb.message and "it has" not in fb.message, fb
    said(lesson06.hr_three_ways([1, 2]), INCORRECT, "DataFrame")
    # the lesson printed HR_first and HR_max of two stays over 48 hours: the features table is not the answer
    features = lesson06._features()[1]
    copied = features[["HR_first", "HR_max"]].rename(columns={"HR_first": "first", "HR_max": "max"}).assign(mean=0.0)
    assert lesson06.hr_three_ways(copied).status != CORRECT


# --------------------------------------------------------------------------------------------- exercise 4
def _share(f, weight="Weight", div=100, all_stays=False):
    bmi = f[weight] / (f["Height"] / div) ** 2
    return bmi.ge(30).sum() / len(f) if all_stays else bmi.dropna().ge(30).mean()


def test_obese_share_change_walkthrough(features):
    raw, f = features
    right = _share(f) - _share(raw)
    assert right < 0
    # the warned mistake: Weight_first, not the admission weight
    said(lesson06.obese_share_change(_share(f, "Weight_first") - _share(raw, "Weight_first")), CLOSE, "Weight_first",
         "admission weight")  # fmt: skip
    # other plausible wrong answers: percentage points, heights in cm, every stay as the denominator, reversed
    said(lesson06.obese_share_change(100 * right), CLOSE, "percentage points")
    said(lesson06.obese_share_change(_share(f, div=1) - _share(raw, div=1)), CLOSE, "centimetres")
    said(lesson06.obese_share_change(_share(f, all_stays=True) - _share(raw, all_stays=True)), CLOSE, "every stay")
    said(lesson06.obese_share_change(-right), CLOSE, "sign")
    # right, written another way: counts over counts, as a numpy float
    bmi_raw, bmi = raw["Weight"] / (raw["Height"] / 100) ** 2, f["Weight"] / (f["Height"] / 100) ** 2
    other = np.float64((bmi >= 30).sum() / bmi.notna().sum() - (bmi_raw >= 30).sum() / bmi_raw.notna().sum())
    said(lesson06.obese_share_change(other), CORRECT)
    said(lesson06.obese_share_change(round(right, 3)), CLOSE, "rounded")
    said(lesson06.obese_share_change("-0.24"), INCORRECT, "without quotes")


def test_walkthrough9_placeholders_dropped_from_the_raw_features_are_named(features):
    """Walkthrough 9, P3: dropping the -1 placeholders of the raw features before comparing got only "is not it"."""
    raw, f = features
    fixed = raw.assign(**{c: raw[c].where(raw[c] > 0) for c in ("Weight", "Height")})
    said(lesson06.obese_share_change(_share(f) - _share(fixed)), CLOSE, "placeholders", "-1", "part of cleaning")
    fixed = raw.replace({"Weight": {-1: np.nan}, "Height": {-1: np.nan}})  # the same, written another way
    said(lesson06.obese_share_change(_share(f) - _share(fixed)), CLOSE, "placeholders")
    said(lesson06.obese_share_change(_share(f) - _share(raw)), CORRECT)
    # P5: one value in a list, a Series or a 1 x 1 DataFrame gets the same verdict
    right = _share(f) - _share(raw)
    for wrapped in ([right], pd.Series([right]), pd.DataFrame([[right]])):
        said(lesson06.obese_share_change(wrapped), CORRECT)
        said(lesson06.obese_share_change(type(wrapped)([-right]) if isinstance(wrapped, list) else -wrapped), CLOSE,
             "sign")  # fmt: skip


# --------------------------------------------------------------------------------------------- exercise 5
def _bmi_axes(values, xlabel="body-mass index (kg/m²)", ylabel="stays", title=None, bins=40, colour="after"):
    fig, ax = plt.subplots()
    ax.hist(values, bins=bins, color=COLOURS[colour])
    ax.set(xlabel=xlabel, ylabel=ylabel, title=f"Clean BMI: median {values.median():.1f} kg/m²" if title is None
           else title)  # fmt: skip
    plt.close(fig)
    return ax


def test_bmi_histogram_walkthrough(features):
    raw, f = features
    bmi = (f["Weight"] / (f["Height"] / 100) ** 2).dropna()
    raw_bmi = (raw["Weight"] / (raw["Height"] / 100) ** 2).dropna()
    said(lesson06.bmi_histogram(_bmi_axes(raw_bmi)), CLOSE, "raw BMI")  # the warned mistake
    said(lesson06.bmi_histogram(_bmi_axes(bmi[bmi < 50])), CLOSE, "cut the range")
    said(lesson06.bmi_histogram(_bmi_axes(pd.concat([bmi, bmi]))), INCORRECT, "count")
    said(lesson06.bmi_histogram(_bmi_axes(bmi, xlabel="BMI")), INCORRECT, "unit")
    said(lesson06.bmi_histogram(_bmi_axes(bmi, ylabel="")), INCORRECT, "label both")
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title="")), INCORRECT, "title")
    # the instructions the review found unchecked: the colour by meaning, a title that states a finding
    said(lesson06.bmi_histogram(_bmi_axes(bmi, colour="before")), INCORRECT, 'COLOURS["after"]')
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title="Histogram of BMI")), INCORRECT, "does not state a finding")
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title="Clean BMI: median 30.0 kg/m²")), INCORRECT, "median")
    # right, written another way: 25 bins, the figure and axes as a tuple
    ax = _bmi_axes(bmi, bins=25, xlabel="BMI (kg/m²)", title=f"{len(bmi):,} stays with a clean BMI")
    said(lesson06.bmi_histogram((ax.figure, ax)), CORRECT, "stays", "number of stays")
    said(lesson06.bmi_histogram("a figure"), INCORRECT, "Axes")


def test_r12_a_title_with_a_wrong_median_is_told_the_median_of_the_bars(features):
    """Walkthrough r12-s68, 06 ex5: a title stating the raw median was told it "does not state a finding"; it does
    state one, but not the median of the bars. The check now says so, with the median computed."""
    raw, f = features
    bmi = (f["Weight"] / (f["Height"] / 100) ** 2).dropna()
    raw_median = (raw["Weight"] / (raw["Height"] / 100) ** 2).dropna().median()
    assert round(raw_median, 1) != round(bmi.median(), 1)
    fb = said(lesson06.bmi_histogram(_bmi_axes(bmi, title=f"Clean BMI, median {raw_median:.1f} kg/m²")), INCORRECT,
              f"gives the median as {raw_median:.1f}", f"median of the {len(bmi):,} BMIs your bars count is "
              f"{bmi.median():.1f}", "raw BMI, before cleaning")
    assert "does not state a finding" not in fb.message
    wrong = round(bmi.median(), 1) + 3
    fb = said(lesson06.bmi_histogram(_bmi_axes(bmi, title=f"{len(bmi):,} stays, median {wrong:.1f} kg/m²")),
              INCORRECT, f"gives the median as {wrong:.1f}", f"is {bmi.median():.1f} kg/m²")
    assert "raw BMI" not in fb.message
    # right medians and means, also beside the count of stays, still pass
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title=f"median BMI of {len(bmi):,} stays: {bmi.median():.1f}")),
         CORRECT)
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title=f"mean {bmi.mean():.1f}, median {bmi.median():.0f} kg/m²")),
         CORRECT)


def test_bmi_histogram_names_the_default_colour(features, monkeypatch):
    """Student walkthrough, finding 5: under the course's style the default grey is COLOURS["after"], so the figure
    cannot tell; the check reads the cell that drew the histogram and names a histogram drawn with no colour."""
    _, f = features
    bmi = (f["Weight"] / (f["Height"] / 100) ** 2).dropna()
    ax = _bmi_axes(bmi)
    cells = ["import heartdata", "fig, ax_bmi = plt.subplots()\nax_bmi.hist(bmi, bins=40)\nax_bmi.set(title='x')"]
    monkeypatch.setattr(feedback, "_inputs", lambda: cells)
    said(lesson06.bmi_histogram(ax), CLOSE, "default colour", "ax_bmi.hist(...)", 'COLOURS["after"]')
    cells[-1] = "bmi.plot(kind='hist', ax=ax_bmi, bins=30)"  # pandas, no colour either
    said(lesson06.bmi_histogram(ax), CLOSE, "default colour", "bmi.plot(...)")
    # right answers written other ways: the colour set through pandas, through a name, or with **style
    for cell in ("bmi.plot.hist(ax=ax_bmi, bins=30, color=COLOURS['after'])",
                 "c = COLOURS['after']\nax_bmi.hist(bmi, 40, color=c)", "ax_bmi.hist(bmi, **style)"):  # fmt: skip
        cells[-1] = cell
        said(lesson06.bmi_histogram(ax), CORRECT, "course's colour")
    cells[-1] = "check.bmi_histogram(ax_bmi)"  # the latest drawing cell is the one judged
    cells[-2] = "ax_bmi.hist(bmi, bins=40, color=COLOURS['after'])"
    said(lesson06.bmi_histogram(ax), CORRECT)
    monkeypatch.setattr(feedback, "_inputs", lambda: [])  # outside IPython the figure is all there is
    said(lesson06.bmi_histogram(ax), CORRECT)


def test_review_rev0607b_outline_histograms_and_other_unit_spellings_are_accepted(features):
    """Review rev0607b, finding 10: `histtype="stepfilled"` was told "there are no bars on the Axes" (the histogram is
    one Polygon), and the unit written "kg m$^{-2}$" was told to give the unit. The bins are read from the outline,
    so the warned mistakes are still named on it."""
    raw, f = features
    bmi = (f["Weight"] / (f["Height"] / 100) ** 2).dropna()
    raw_bmi = (raw["Weight"] / (raw["Height"] / 100) ** 2).dropna()

    def outline(values, histtype, colour="after", **kw):
        fig, ax = plt.subplots()
        ax.hist(values, bins=40, histtype=histtype, color=COLOURS[colour], **kw)
        ax.set(xlabel="BMI (kg/m²)", ylabel="stays", title=f"Clean BMI: median {values.median():.1f} kg/m²")
        plt.close(fig)
        return ax

    for histtype in ("stepfilled", "step"):
        said(lesson06.bmi_histogram(outline(bmi, histtype)), CORRECT, f"{len(bmi):,} stays")
        said(lesson06.bmi_histogram(outline(raw_bmi, histtype)), CLOSE, "raw BMI")
        said(lesson06.bmi_histogram(outline(bmi[bmi < 50], histtype)), CLOSE, "cut the range")
        said(lesson06.bmi_histogram(outline(bmi, histtype, density=True)), CLOSE, "density=True")
        said(lesson06.bmi_histogram(outline(bmi, histtype, orientation="horizontal")), CLOSE, "on its side")
        said(lesson06.bmi_histogram(outline(pd.concat([bmi, bmi]), histtype)), INCORRECT, "count")
        said(lesson06.bmi_histogram(outline(bmi, histtype, colour="before")), INCORRECT, 'COLOURS["after"]')
    # the unit in SI notation, with a caret, a superscript or a Unicode minus, is the unit
    for unit in ("kg m$^{-2}$", "kg m⁻²", "kg/m^2", "kg/m²", "kg m^-2", "kg·m⁻²", "kg m\u2212²", "kg/m2"):
        said(lesson06.bmi_histogram(_bmi_axes(bmi, xlabel=f"BMI [{unit}]")), CORRECT)
    for label in ("BMI (kg)", "BMI [m²]", "BMI"):
        said(lesson06.bmi_histogram(_bmi_axes(bmi, xlabel=label)), INCORRECT, "unit")


# --------------------------------------------------------------------------------------------- all of them
def test_walkthrough9_histogram_of_weight_density_or_on_its_side_is_named(features):
    """Walkthrough 9, P2: a histogram of Weight was told "do not cut the range", density=True "the bars count 0
    stays", and a horizontal histogram "the bars count 90 stays"; each is named for what it is."""
    _, f = features
    bmi = (f["Weight"] / (f["Height"] / 100) ** 2).dropna()
    fb = said(lesson06.bmi_histogram(_bmi_axes(f["Weight"].dropna())), CLOSE, "the weight, not the BMI", "21.7")
    assert "cut" not in fb.message
    for kw, words in (({"density": True}, ("density=True", "areas")), ({"orientation": "horizontal"},
                      ("on its side", "y axis"))):  # fmt: skip
        fig, ax = plt.subplots()
        ax.hist(bmi, bins=40, color=COLOURS["after"], **kw)
        ax.set(xlabel="BMI (kg/m²)", ylabel="stays", title=f"Clean BMI: median {bmi.median():.1f} kg/m²")
        plt.close(fig)
        fb = said(lesson06.bmi_histogram(ax), CLOSE, *words)
        assert "the bars count" not in fb.message
    # a range cut inside the BMI's is still "cut"; the right histogram on wider bins still passes
    said(lesson06.bmi_histogram(_bmi_axes(bmi, bins=np.arange(10, 80, 2))), CLOSE, "do not cut the range")
    said(lesson06.bmi_histogram(_bmi_axes(bmi, bins=np.arange(10, 102, 2))), CORRECT)


def test_walkthrough9_a_list_of_two_and_an_error_in_the_function(stays):
    """Walkthrough 9, P4 and P6: `return [new_table, log]` was refused as not two things, and an error raised inside
    the student's function was answered with "Look at what type of value the exercise asks for"."""
    def as_list(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        return [table[~zero], _log(table[zero])]

    said(lesson06.remove_zero_weights(as_list), CORRECT, "178")
    fb = said(lesson06.remove_zero_weights(lambda t: t[t["Valu"] != 0]), INCORRECT, "your function raised",
              "KeyError", "Valu")  # fmt: skip
    assert "type of value" not in fb.message
    said(lesson06.remove_zero_weights(lambda t: t), INCORRECT, "two things", "a DataFrame")


@pytest.mark.parametrize("check", [lesson06.temp_limit, lesson06.remove_zero_weights, lesson06.hr_three_ways,
                                   lesson06.obese_share_change])  # fmt: skip
@pytest.mark.parametrize("bad", ["124", [1, 2], {"a": 1}, object(), True])
def test_checks_never_raise(check, bad):
    assert check(bad).status in (INCORRECT, CLOSE)


def test_checks_never_change_the_students_objects(clean):
    answer = _three(clean).reset_index()
    before = answer.copy()
    lesson06.hr_three_ways(answer)
    pd.testing.assert_frame_equal(answer, before)
    counts = {"Medical ICU": 48}
    lesson06.temp_limit(20, counts)
    assert counts == {"Medical ICU": 48}


def test_r12_the_prompt_says_what_the_check_does_with_no_axes(features):
    """Walkthrough r12-s68, 06 ex5: leaving `ax_bmi` as None (or the tuple `ax.hist` returns) counts as correct, as in
    every figure check of the course (heartdata.feedback reads the figure drawn), but the prompt said "Store the Axes"
    as if it were required. The prompt now says what the check does; the check still does it."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[1] / "solutions" / "06-cleaning-solutions.ipynb").read_text())
    prompt = next("".join(c["source"]) for c in nb["cells"] if "Store the Axes in `ax_bmi`" in "".join(c["source"]))
    assert "leave `ax_bmi` as `None`" in prompt and "reads the figure you drew" in prompt
    _, f = features
    bmi = (f["Weight"] / (f["Height"] / 100) ** 2).dropna()
    plt.close("all")
    plt.figure()
    plt.hist(bmi, bins=40, color=COLOURS["after"])
    plt.xlabel("BMI (kg/m²)")
    plt.ylabel("stays")
    plt.title(f"Clean BMI, median {bmi.median():.1f} kg/m²")
    said(lesson06.bmi_histogram(None), CORRECT, "you passed None", "figure you drew", "Axes")
    plt.close("all")


def test_r15_s68_a_title_that_calls_the_mean_the_median_is_named(features):
    """Walkthrough r15-s68, 06 ex5: "median {mean}" was accepted as a title that states the mean. The check reads
    the word next to the number; both statistics are recomputed from the clean features."""
    _, f = features
    bmi = (f["Weight"] / (f["Height"] / 100) ** 2).dropna()
    mean, median = f"{bmi.mean():.1f}", f"{bmi.median():.1f}"
    assert mean != median
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title=f"Clean BMI, median {mean} kg/m²")), CLOSE,
         f"calls {mean} the median", f"is the mean of the {len(bmi):,}", f"median is {median}")
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title=f"Clean BMI, mean {median} kg/m²")), CLOSE,
         f"calls {median} the mean", f"mean is {mean}")
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title=f"Clean BMI, median {median} kg/m²")), CORRECT, "median")
    said(lesson06.bmi_histogram(_bmi_axes(bmi, title=f"Clean BMI, mean {mean} kg/m²")), CORRECT, "mean")


def test_r15_s68_a_swapped_return_and_a_rounded_table_are_named(clean):
    """Walkthrough r15-s68, 06 ex2 and ex3: `(log, table)` returned in the wrong order, and the right heart rates
    rounded, were told only that the numbers differ."""
    def swapped(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        return _log(table[zero]), table[~zero]

    said(lesson06.remove_zero_weights(swapped), CLOSE, "wrong order", "new_table, log")
    right = _three(clean)
    said(lesson06.hr_three_ways(right.round()), CLOSE, "rounded to whole numbers", "round(")
    said(lesson06.hr_three_ways(right.round(1)), CLOSE, "rounded to 1 decimal")
    said(lesson06.hr_three_ways(right), CORRECT)


def test_r17_s68_mistakes_are_named_under_the_strict_window_too(clean):
    """Walkthrough r17-s68, 06 ex3: with `Time < 24 * 60` (accepted as defensible), wrong answers were compared with
    the `<=` window: exact columns were called wrong and the warned mistake (first = smallest), first = last and
    rounding were never named."""
    hr = clean[clean["Parameter"].eq("HR") & clean["Time"].lt(24 * 60) & ~cleaning.is_descriptor(clean)]
    right = hr.sort_values(["RecordID", "Time"]).groupby("RecordID")["Value"].agg(["first", "mean", "max"])
    assert not right.equals(_three(clean))  # the two windows differ on this data
    smallest = hr.groupby("RecordID")["Value"].agg(["min", "mean", "max"]).rename(columns={"min": "first"})
    said(lesson06.hr_three_ways(smallest), CLOSE, "smallest", "sort by `Time`")
    last = hr.sort_values(["RecordID", "Time"]).groupby("RecordID")["Value"].agg(["last", "mean", "max"])
    said(lesson06.hr_three_ways(last.rename(columns={"last": "first"})), CLOSE, "charted last")
    said(lesson06.hr_three_ways(right.round()), CLOSE, "rounded to whole numbers")
    said(lesson06.hr_three_ways(right.round(1)), CLOSE, "rounded to 1 decimal")
    median = right.assign(mean=hr.groupby("RecordID")["Value"].median())
    fb = said(lesson06.hr_three_ways(median), INCORRECT, "['mean']", "Time < 24 * 60")
    assert "'max'" not in fb.message and "'first'" not in fb.message, fb
    # under the inclusive window the same mistake is still judged against `<=`
    said(lesson06.hr_three_ways(_three(clean).assign(mean=0.0)), INCORRECT, "['mean']", "Time <= 24 * 60")


def test_r17_s68_rows_not_aggregated_are_named(clean):
    """Walkthrough r17-s68, 06 ex3: one row per heart rate (no groupby) was told "the columns ['mean', 'max'] do not
    match"; the mistake is several rows per stay."""
    hr = clean[clean["Parameter"].eq("HR") & clean["Time"].le(24 * 60) & ~cleaning.is_descriptor(clean)]
    rows = hr.rename(columns={"Value": "first"}).assign(mean=hr["Value"], max=hr["Value"])
    rows = rows[["RecordID", "first", "mean", "max"]]
    per_stay = hr.groupby("RecordID").size()
    said(lesson06.hr_three_ways(rows), CLOSE, "one row per heart rate", f"{len(rows):,} rows",
         f"{len(per_stay):,} stays", f"up to {per_stay.max():,} rows", "groupby('RecordID')")
    said(lesson06.hr_three_ways(rows.set_index("RecordID")), CLOSE, "one row per heart rate")


def test_r17_s68_a_body_without_return_is_an_attempt(tmp_path, monkeypatch):
    """Walkthrough r17-s68, 06 ex2: a written body that forgot `return` was told "Not attempted yet" and not
    counted in the progress file."""
    monkeypatch.setenv("HEARTDATA_PROGRESS_DIR", str(tmp_path))

    def remove_zero_weights(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        new, log = table[~zero], _log(table[zero])  # noqa: F841 (the forgotten return is the point)

    from heartdata import _progress

    def attempts():
        return _progress.RECORDS.get(("06", "remove_zero_weights"), {}).get("attempts", 0)

    before = attempts()
    said(lesson06.remove_zero_weights(remove_zero_weights), INCORRECT, "did you forget `return`?",
         "`remove_zero_weights` returned None", "(new_table, log)")
    assert attempts() == before + 1  # counted as an attempt

    def stub(table):
        """Remove charted weights of 0 kg; return (new_table, log)."""
        return None  # your code here

    said(lesson06.remove_zero_weights(stub), NOT_ATTEMPTED, "write the body of `remove_zero_weights`")
    assert attempts() == before + 1  # the stub is not an attempt


def test_r17_s68_a_typed_in_log_fails_on_a_second_table(stays):
    """Walkthrough r17-s68, 06 ex2: a log typed in (the right numbers for `stays`) passed, because the check ran the
    function on the raw stays only; it now runs it on a second table too."""
    zero = stays["Parameter"].eq("Weight") & stays["Value"].eq(0)
    values, n_stays = int(zero.sum()), int(stays.loc[zero, "RecordID"].nunique())

    def typed_in(table):
        m = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        return table[~m], pd.DataFrame({"parameter": ["Weight"], "values": [values], "stays": [n_stays]})

    def from_stays(table):  # the log computed from the global table, not from the one given
        m = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        return table[~m], _log(stays[zero])

    for func in (typed_in, from_stays):
        said(lesson06.remove_zero_weights(func), INCORRECT, "another table", f"says {values} values in {n_stays}",
             "typed in")

    def right(table):  # and the right step passes both tables
        m = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        return table[~m], _log(table[m])

    said(lesson06.remove_zero_weights(right), CORRECT, f"{values} zero weights in {n_stays} stays")


def test_temp_limit_half_attempt_names_what_is_still_none(temps):
    # review r22-s11 (misleading 5): low_limit still None with the counts given was "not attempted"; it now says
    # which input is missing. Both None is still not attempted.
    fb = said(lesson06.temp_limit(None, per_unit(temps, temps["Value"] < 14)), INCORRECT, "`low_limit` is still None")
    assert "impossible_by_unit" in fb.message
    assert lesson06.temp_limit(None, None).status == feedback.NOT_ATTEMPTED
    assert lesson06.temp_limit(None).status == feedback.NOT_ATTEMPTED
