"""Lesson 06 checks: not attempted, the typical mistakes they name, and correct; they never raise."""

from __future__ import annotations

import pandas as pd
import pytest

from heartdata import cleaning, feedback
from heartdata.checks import lesson06


@pytest.fixture(scope="module")
def stays():
    return lesson06._stays()  # the checks' own cached load: the same table the checks compare with


@pytest.fixture(scope="module")
def clean(stays):
    return lesson06._clean()


@pytest.mark.parametrize("bad", ["124", [1, 2], {"a": 1}, object(), True])
def test_checks_never_raise(bad):
    for check in (
        lesson06.n_temp_impossible,
        lesson06.remove_zero_weights,
        lesson06.hr_three_ways,
        lesson06.bmi_change,
    ):
        fb = check(bad)
        assert fb.status == feedback.INCORRECT, (check.__name__, bad, fb)
    for check in (
        lesson06.n_temp_impossible,
        lesson06.remove_zero_weights,
        lesson06.hr_three_ways,
        lesson06.bmi_change,
    ):
        assert check(None).status == feedback.NOT_ATTEMPTED


def test_temp_impossible(stays):
    temp = stays.loc[stays["Parameter"].eq("Temp"), "Value"]
    assert lesson06.n_temp_impossible(int((temp < 20).sum())).correct
    assert lesson06.n_temp_impossible(int((temp < 10).sum())).correct  # any cut in the gap gives the same count
    fb = lesson06.n_temp_impossible(int((temp < 35).sum()))
    assert fb.status == feedback.CLOSE and "extreme" in fb.message
    assert "negative" in lesson06.n_temp_impossible(int((temp < 0).sum())).message
    assert lesson06.n_temp_impossible(5).status == feedback.INCORRECT


def _log(removed):
    return pd.DataFrame([{"parameter": "Weight", "values": len(removed), "stays": removed["RecordID"].nunique()}])


def test_remove_zero_weights():
    def good(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        return table[~zero], _log(table[zero])

    def all_zeros(table):
        zero = table["Value"].eq(0)
        return table[~zero], _log(table[zero])

    def stays_wrong(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        log = pd.DataFrame([{"parameter": "Weight", "values": int(zero.sum()), "stays": int(zero.sum())}])
        return table[~zero], log

    def in_place(table):
        zero = table["Parameter"].eq("Weight") & table["Value"].eq(0)
        table.loc[zero, "Value"] = float("nan")
        return table[~zero], _log(table[zero])

    def stub(table):
        return None

    assert lesson06.remove_zero_weights(good).correct
    fb = lesson06.remove_zero_weights(all_zeros)
    assert fb.status == feedback.CLOSE and "urine" in fb.message
    fb = lesson06.remove_zero_weights(stays_wrong)
    assert fb.status == feedback.CLOSE and "distinct RecordIDs" in fb.message
    assert "changed the table" in lesson06.remove_zero_weights(in_place).message
    assert lesson06.remove_zero_weights(stub).status == feedback.NOT_ATTEMPTED
    assert (
        "pass the function itself" in lesson06.remove_zero_weights(good(pd.DataFrame(columns=cleaning.COLUMNS))).message
    )


def test_hr_three_ways(stays, clean):
    def three(table):
        hr = table[table["Parameter"].eq("HR")].sort_values(["RecordID", "Time"])
        return hr.groupby("RecordID")["Value"].agg(["first", "mean", "max"])

    assert lesson06.hr_three_ways(three(clean)).correct
    assert lesson06.hr_three_ways(three(clean).reset_index()).correct
    fb = lesson06.hr_three_ways(three(stays))
    assert fb.status == feedback.CLOSE and "raw stays" in fb.message
    unsorted = three(clean)
    unsorted["first"] = unsorted["first"] + 1
    assert lesson06.hr_three_ways(unsorted).status == feedback.INCORRECT  # matches no named aggregation
    assert lesson06.hr_three_ways(three(clean).rename(columns={"mean": "avg"})).status == feedback.INCORRECT


def test_bmi_change(stays, clean):
    raw, f = cleaning.stay_features(stays), cleaning.stay_features(clean)

    def med(x, div=100):
        return (x["Weight"] / (x["Height"] / div) ** 2).median()

    change = med(f) - med(raw)
    assert change < 0
    assert lesson06.bmi_change(change).correct
    assert "sign" in lesson06.bmi_change(-change).message
    assert "centimetres" in lesson06.bmi_change(med(f, 1) - med(raw, 1)).message
    assert lesson06.bmi_change(0.0).status == feedback.INCORRECT


# --------------------------------------------------------------------------------------------- second edition
def test_temp_limit_accepts_any_limit_in_the_gap_and_says_what_others_imply(stays):
    temp = stays.loc[stays["Parameter"].eq("Temp"), "Value"]
    top, lowest = lesson06.temperature_gap()
    assert (round(top, 1), round(lowest, 1)) == (3.6, 24.2)
    for limit in (5, 10, 20, 24.2):
        fb = lesson06.temp_limit(limit, int((temp < limit).sum()))
        assert fb.correct and "same count" in fb.message, (limit, fb)
    low = lesson06.temp_limit(1, int((temp < 1).sum()))
    assert low.status == feedback.CLOSE and "keeps" in low.message and "gap" in low.message
    cold = lesson06.temp_limit(30, int((temp < 30).sum()))
    assert cold.status == feedback.CLOSE and "very cold patients" in cold.message
    assert lesson06.temp_limit(40, int((temp < 40).sum())).status == feedback.INCORRECT
    # the count must follow from the limit
    assert "your count" in lesson06.temp_limit(20, 5).message
    assert "at or below" in lesson06.temp_limit(0, int((temp <= 0).sum())).message
    assert lesson06.temp_limit(20, None).status == feedback.NOT_ATTEMPTED
    assert lesson06.temp_limit(None, 124).status == feedback.NOT_ATTEMPTED
    assert lesson06.temp_limit("twenty", 124).status == feedback.INCORRECT


def test_hr_three_ways_names_min_in_the_first_column(clean):
    hr = clean[clean["Parameter"].eq("HR")].groupby("RecordID")["Value"]
    wrong = hr.agg(["min", "mean", "max"]).rename(columns={"min": "first"})
    fb = lesson06.hr_three_ways(wrong)
    assert fb.status == feedback.CLOSE and "`min`" in fb.message and "Sorting cannot change" in fb.message
    last = hr.agg(["last", "mean", "max"]).rename(columns={"last": "first"})
    assert "`last`" in lesson06.hr_three_ways(last).message


def _bmi_axes(values, xlabel="body-mass index (kg/m²)", ylabel="stays", title="BMI"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.hist(values, bins=40)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    plt.close(fig)
    return ax


def test_bmi_histogram(stays, clean):
    f = cleaning.stay_features(clean)
    bmi = (f["Weight"] / (f["Height"] / 100) ** 2).dropna()
    raw = cleaning.stay_features(stays)
    raw_bmi = (raw["Weight"] / (raw["Height"] / 100) ** 2).dropna()
    assert lesson06.bmi_histogram(_bmi_axes(bmi)).correct
    assert lesson06.bmi_histogram(None).status == feedback.NOT_ATTEMPTED
    assert "raw BMI" in lesson06.bmi_histogram(_bmi_axes(raw_bmi)).message
    assert "cut the range" in lesson06.bmi_histogram(_bmi_axes(bmi[bmi < 50])).message
    assert lesson06.bmi_histogram(_bmi_axes(pd.concat([bmi, bmi]))).status == feedback.INCORRECT
    assert "unit" in lesson06.bmi_histogram(_bmi_axes(bmi, xlabel="BMI")).message
    assert "label both" in lesson06.bmi_histogram(_bmi_axes(bmi, ylabel="")).message
    assert "title" in lesson06.bmi_histogram(_bmi_axes(bmi, title="")).message
    assert lesson06.bmi_histogram("a figure").status == feedback.INCORRECT
