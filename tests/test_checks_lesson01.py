"""Lesson 01 checks: not attempted, the named typical mistakes, correct; never an exception."""

from __future__ import annotations

import pandas as pd
import pytest

from heartdata import challenge2012, feedback, mitdb, ptbxl, sources
from heartdata.checks import lesson01 as check

ALL = [
    check.counts_per_parameter,
    check.typed_and_machine,
    check.arterial_line_share,
    check.height_by_site,
    check.premature_interval,
]


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays()


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_none_is_not_attempted(fn):
    assert fn(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["x", 3, [1, 2], object(), pd.DataFrame({"a": [1], "b": [2]})])
@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_strange_answers_are_incorrect_not_errors(fn, bad):
    assert fn(bad).status == feedback.INCORRECT


def test_counts_per_parameter(stays):
    rid = check.exercise_stay()
    stay = stays[stays["RecordID"].eq(rid)]
    right = stay[~sources.descriptor_rows(stay)]["Parameter"].value_counts()
    # the stay was chosen so that Time > 0 is a mistake the check can see
    fb = check.counts_per_parameter(stay[stay["Time"].gt(0)]["Parameter"].value_counts())
    assert fb.status == feedback.CLOSE and "Time > 0" in fb.message and "measured" not in fb.message
    assert check.counts_per_parameter(right).correct
    assert check.counts_per_parameter(right.to_dict()).correct
    assert check.counts_per_parameter(right.sort_index().to_frame("n")).correct
    fb = check.counts_per_parameter(stay["Parameter"].value_counts())
    assert fb.status == feedback.CLOSE and "descriptors" in fb.message
    fb = check.counts_per_parameter(stay[~sources.descriptor_rows(stay)].groupby("Parameter")["Value"].nunique())
    assert fb.status == feedback.CLOSE and "distinct values" in fb.message
    fb = check.counts_per_parameter(sources.measurements(stays)["Parameter"].value_counts())
    assert fb.status == feedback.CLOSE and "every stay" in fb.message
    assert check.counts_per_parameter(right.iloc[1:]).status == feedback.INCORRECT
    assert check.counts_per_parameter(right + 1).status == feedback.INCORRECT


def test_typed_and_machine():
    row = ptbxl.load_metadata().loc[check.EXERCISE_ECG_ID]
    typed = sources.columns_by_source(row)
    machine = sources.columns_by_source(row, "machine")
    assert typed == {"sex", "height", "weight", "nurse", "validated_by", "second_opinion"}
    assert machine == {"device", "recording_date"}
    assert check.typed_and_machine(typed, machine).correct
    assert check.typed_and_machine(sorted(typed), list(machine)).correct
    fb = check.typed_and_machine(typed | {"validated_by_human"}, machine)
    assert fb.status == feedback.CLOSE and "curators" in fb.message
    fb = check.typed_and_machine(typed | {"scp_codes"}, machine)
    assert fb.status == feedback.CLOSE and "curators" in fb.message
    fb = check.typed_and_machine(machine, typed)
    assert fb.status == feedback.CLOSE and "swapped" in fb.message
    fb = check.typed_and_machine({"sex", "height", "weight", "nurse"}, machine)
    assert fb.status == feedback.CLOSE and "cardiologist" in fb.message
    fb = check.typed_and_machine(typed | {"age"}, machine)  # the age looks typed, but the curators computed it
    assert fb.status == feedback.CLOSE and "date of birth" in fb.message
    fb = check.typed_and_machine(typed - {"second_opinion"}, machine)  # `if value:` drops a False
    assert fb.status == feedback.CLOSE and "False is a value" in fb.message
    # notna() is the mistake the prompt warns about: this ECG's report is a single space
    assert row["report"].strip() == ""
    notna = {c for c in row.index[row.notna()] if sources.PTBXL_COLUMN_SOURCE[c] in sources.TYPED_BY_A_PERSON}
    fb = check.typed_and_machine(notna, machine)
    assert fb.status == feedback.CLOSE and "notna()" in fb.message and "report" in fb.message
    assert check.typed_and_machine(typed, None).status == feedback.INCORRECT
    assert check.typed_and_machine(typed, {"device"}).status == feedback.INCORRECT


def test_arterial_line_share(stays):
    units = sources.icu_types(stays)
    inv = stays[stays["Parameter"].isin(["SysABP", "DiasABP", "MAP"])]
    has = pd.Series(units.index.isin(inv["RecordID"]), index=units.index)
    share = has.groupby(units).mean()
    assert check.arterial_line_share(share).correct
    named = share.rename(index=challenge2012.ICU_TYPES)
    assert check.arterial_line_share(named).correct
    assert "counts" in check.arterial_line_share(has.groupby(units).sum()).message
    assert "percentages" in check.arterial_line_share(share * 100).message
    assert "WITHOUT" in check.arterial_line_share(1 - share).message
    cuff = stays[stays["Parameter"].isin(["NISysABP", "NIDiasABP", "NIMAP"])]
    cuff_share = pd.Series(units.index.isin(cuff["RecordID"]), index=units.index).groupby(units).mean()
    assert "non-invasive" in check.arterial_line_share(cuff_share).message
    meas = sources.measurements(stays)
    rows = meas["Parameter"].isin(["SysABP", "DiasABP", "MAP"]).groupby(meas["RecordID"].map(units)).mean()
    assert "ROWS" in check.arterial_line_share(rows).message
    with_line = has.groupby(units).sum()
    assert "ALL stays" in check.arterial_line_share(with_line / len(units)).message
    assert "WITH a line" in check.arterial_line_share(with_line / with_line.sum()).message
    assert check.arterial_line_share(share.iloc[:3]).status == feedback.INCORRECT


def test_height_by_site():
    meta = ptbxl.load_metadata()
    share = meta["height"].notna().groupby(meta["site"]).mean()
    assert check.height_by_site(share).correct
    assert check.height_by_site(share.rename(index=int)).correct
    assert "counts" in check.height_by_site(meta["height"].notna().groupby(meta["site"]).sum()).message
    assert "NO height" in check.height_by_site(1 - share).message
    filled = meta["height"].notna().groupby(meta["site"]).sum()
    assert "ALL ECGs" in check.height_by_site(filled / len(meta)).message
    assert "WITH a height" in check.height_by_site(filled / filled.sum()).message
    assert check.height_by_site(meta["weight"].notna().groupby(meta["site"]).mean()).status == feedback.INCORRECT


def test_premature_interval():
    ann = mitdb.load_annotations()
    beats = ann[ann["symbol"].isin(mitdb.BEAT_SYMBOLS)].reset_index(drop=True)
    before = beats["time_s"].diff()
    is_a = beats["symbol"].eq("A")
    assert check.premature_interval(before[is_a].median()).correct
    fb = check.premature_interval((-beats["time_s"].diff(-1))[is_a].median())
    assert fb.status == feedback.CLOSE and "AFTER" in fb.message
    assert "samples" in check.premature_interval(beats["sample"].diff()[is_a].median()).message
    assert "mean" in check.premature_interval(before[is_a].mean()).message
    assert check.premature_interval(before.median()).status == feedback.INCORRECT


def test_a_missing_group_is_named():
    meta = ptbxl.load_metadata()
    share = meta["height"].notna().groupby(meta["site"]).mean()
    fb = check.height_by_site(share.drop(2.0))
    assert fb.status == feedback.INCORRECT and "missing 2" in fb.message


def test_weekday_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = pd.to_datetime(ptbxl.load_metadata()["recording_date"]).dt.day_name()
    right = days.value_counts().reindex(check.WEEKDAYS, fill_value=0)

    def bars(values, xlabel="weekday", ylabel="ECGs"):
        _, ax = plt.subplots()
        ax.bar([str(i) for i in range(len(values))], list(values))
        ax.set(xlabel=xlabel, ylabel=ylabel)
        return ax

    assert check.weekday_plot(bars(right)).correct
    assert check.weekday_plot(plt.subplots()[1]).status == feedback.NOT_ATTEMPTED
    assert "sorted by count" in check.weekday_plot(bars(days.value_counts())).message
    assert "alphabetical" in check.weekday_plot(bars(right.sort_index())).message
    assert "shares" in check.weekday_plot(bars(right / right.sum())).message
    fb = check.weekday_plot(bars(right, ylabel=""))
    assert fb.status == feedback.CLOSE and "y axis has no label" in fb.message
    assert check.weekday_plot(bars(right.iloc[:5])).status == feedback.INCORRECT
    assert check.weekday_plot(bars(right + 1)).status == feedback.INCORRECT
    plt.close("all")


def test_slips_from_a_student_walkthrough_are_named():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from heartdata import ptbxl, sources
    from heartdata.checks import lesson01 as c

    w = c.ecgs_per_weekday()
    ax = plt.subplots()[1]
    ax.plot(range(7), w.values)
    assert "bar chart" in c.weekday_plot(ax).message
    ax = plt.subplots()[1]
    ax.barh(range(7), w.values)
    assert "on their side" in c.weekday_plot(ax).message
    ax = plt.subplots()[1]
    ax.bar(range(7), list(w.values[6:]) + list(w.values[:6]))  # Sunday first
    assert "not in weekday order" in c.weekday_plot(ax).message
    plt.close("all")
    row = ptbxl.load_metadata().loc[c.EXERCISE_ECG_ID]
    typed, machine = sources.columns_by_source(row), sources.columns_by_source(row, "machine")
    truthy = {
        k for k in typed if (row[k].strip(" ,") if isinstance(row[k], str) else pd.notna(row[k]) and bool(row[k]))
    }
    assert truthy != typed and "if value:" in c.typed_and_machine(truthy, machine).message
    stays = c._stays()
    one = stays[stays["RecordID"].eq(c.exercise_stay(stays))]
    by_name = one[~one["Parameter"].isin(["RecordID", "Age", "Gender", "Height", "ICUType", "Weight"])]
    assert "Weight" in c.counts_per_parameter(by_name["Parameter"].value_counts()).message
