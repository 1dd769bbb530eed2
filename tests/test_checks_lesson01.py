"""Lesson 01 checks: not attempted, the named typical mistakes, correct; never an exception.

The walkthrough tests hold, for every exercise, the warned mistake, two other plausible wrong answers and one right
answer written another way, each with the status it must get and the words the message must use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heartdata import challenge2012, feedback, mitdb, ptbxl, sources
from heartdata.checks import lesson01 as check

ALL = [
    check.counts_per_parameter,
    check.typed_and_machine,
    check.troponin_share,
    check.height_by_device,
    check.shortest_interval,
]
CLOSE, INCORRECT, CORRECT = feedback.CLOSE, feedback.INCORRECT, feedback.CORRECT


def expect(fb, status, *words):
    assert fb.status == status, fb
    for w in words:
        assert w in fb.message, (w, fb.message)


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
    assert typed == {"sex", "height", "weight", "nurse", "validated_by"}
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
    fb = check.typed_and_machine(typed | {"second_opinion"}, machine)  # derived by the curators from the report text
    assert fb.status == feedback.CLOSE and "curators" in fb.message and "second_opinion" in fb.message
    fb = check.typed_and_machine(typed - {"validated_by"}, machine)  # `if value:` drops the pseudonym 0
    # here that leaves the staff's columns only (the report is blank): the message names the pseudonym 0 and `if value:`
    assert fb.status == feedback.CLOSE and "`validated_by` = 0" in fb.message and "`if value:`" in fb.message
    # notna() is the mistake the prompt warns about: this ECG's report is a single space
    assert row["report"].strip() == ""
    notna = {c for c in row.index[row.notna()] if sources.PTBXL_COLUMN_SOURCE[c] in sources.TYPED_BY_A_PERSON}
    fb = check.typed_and_machine(notna, machine)
    assert fb.status == feedback.CLOSE and "notna()" in fb.message and "report" in fb.message
    assert check.typed_and_machine(typed, None).status == feedback.INCORRECT
    assert check.typed_and_machine(typed, {"device"}).status == feedback.INCORRECT


def test_walkthrough_troponin_share(stays):
    units = sources.icu_types(stays)
    tested = stays.loc[stays["Parameter"].isin(check.TROPONINS), "RecordID"]
    has = pd.Series(units.index.isin(tested), index=units.index)
    share = has.groupby(units).mean()
    assert share.idxmax() == 1 and round(share[1], 2) == 0.51
    only_t = (
        pd.Series(units.index.isin(stays.loc[stays["Parameter"].eq("TroponinT"), "RecordID"]), index=units.index)
        .groupby(units)
        .mean()
    )
    expect(check.troponin_share(only_t), CLOSE, "only TroponinT", "either")  # the warned mistake: one kind
    expect(check.troponin_share(has.groupby(units).sum() / len(units)), CLOSE, "ALL stays")
    line = (
        pd.Series(
            units.index.isin(stays.loc[stays["Parameter"].isin(["SysABP", "DiasABP", "MAP"]), "RecordID"]),
            index=units.index,
        )
        .groupby(units)
        .mean()
    )
    expect(check.troponin_share(line), CLOSE, "arterial lines")  # the lesson's figure, typed back
    expect(check.troponin_share(share * 100), CLOSE, "percentages")
    expect(check.troponin_share(share.iloc[:3]), INCORRECT, "missing 4")
    expect(check.troponin_share(share.rename(index=challenge2012.ICU_TYPES).to_dict()), CORRECT)  # named units, a dict


def test_walkthrough_height_by_device():
    meta = ptbxl.load_metadata()
    share = meta["height"].notna().groupby(meta["device"]).mean()
    assert len(share) == 7
    filled = meta["height"].notna().groupby(meta["device"]).sum()
    expect(check.height_by_device(filled / len(meta)), CLOSE, "ALL ECGs")  # the warned denominator
    expect(check.height_by_device(meta["height"].notna().groupby(meta["site"]).mean()), CLOSE, "per recording site")
    expect(check.height_by_device(1 - share), CLOSE, "NO height")
    expect(check.height_by_device(filled / filled.sum()), CLOSE, "WITH a height")
    expect(check.height_by_device(share.drop("CS-12")), INCORRECT, "missing CS-12")
    squeezed = share.rename(index=lambda d: " ".join(d.split()))  # 'CS-12 E', padding squeezed
    expect(check.height_by_device(squeezed.to_frame("share")), CORRECT)


def test_walkthrough_shortest_interval():
    ann = mitdb.load_annotations()
    first = ann[ann["time_s"].lt(check.RR_WINDOW_S)]
    beats = first[first["symbol"].isin(mitdb.BEAT_SYMBOLS)]
    right = beats["time_s"].diff().min()
    assert round(right, 3) == 0.653
    expect(check.shortest_interval(first["time_s"].diff().min()), CLOSE, "rhythm label `+`")  # the warned step
    expect(check.shortest_interval(beats["sample"].diff().min()), CLOSE, "samples")
    expect(check.shortest_interval(beats["time_s"].diff().max()), CLOSE, "longest")
    expect(check.shortest_interval(0.8), INCORRECT, "first 60 s")
    expect(check.shortest_interval(0.65), CLOSE, "rounded")  # 0.6528 rounded to 2 decimals
    expect(check.shortest_interval(np.diff(beats["sample"].to_numpy()).min() / 360), CORRECT)


def test_a_missing_group_is_named():
    meta = ptbxl.load_metadata()
    share = meta["height"].notna().groupby(meta["device"]).mean()
    fb = check.height_by_device(share.drop("AT-6 C"))
    assert fb.status == feedback.INCORRECT and "missing AT-6 C" in fb.message


def test_walkthrough_weekday_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    meta = ptbxl.load_metadata()
    days = pd.to_datetime(meta.loc[meta["site"].eq(check.WEEKDAY_SITE), "recording_date"]).dt.day_name()
    right = days.value_counts().reindex(check.WEEKDAYS, fill_value=0)
    assert right["Tuesday"] == 0

    def bars(values, xlabel="weekday", ylabel="ECGs"):
        _, ax = plt.subplots()
        ax.bar([str(i) for i in range(len(values))], list(values))
        ax.set(xlabel=xlabel, ylabel=ylabel)
        return ax

    no_tuesday = days.value_counts().reindex([d for d in check.WEEKDAYS if d != "Tuesday"])
    expect(check.weekday_plot(bars(no_tuesday)), CLOSE, "Tuesday", "height 0")  # the warned mistake
    every = pd.to_datetime(meta["recording_date"]).dt.day_name().value_counts().reindex(check.WEEKDAYS)
    expect(check.weekday_plot(bars(every)), CLOSE, "every site")  # the lesson's chart, redrawn
    expect(
        check.weekday_plot(
            bars(days.value_counts().reindex(check.WEEKDAYS, fill_value=0).sort_values(ascending=False))
        ),
        CLOSE,
        "sorted by count",
    )
    expect(check.weekday_plot(bars(right.sort_index())), CLOSE, "alphabetical")
    expect(check.weekday_plot(bars(right / right.sum())), CLOSE, "shares")
    expect(check.weekday_plot(bars(right, ylabel="")), CLOSE, "y axis has no label")
    expect(check.weekday_plot(bars(right + 1)), INCORRECT, "site 0")
    assert check.weekday_plot(plt.subplots()[1]).status == feedback.NOT_ATTEMPTED
    _, ax = plt.subplots()
    right.plot.bar(ax=ax)  # pandas' own bar chart, weekday names as ticks
    ax.set(xlabel="day of the week", ylabel="number of ECGs")
    expect(check.weekday_plot(ax), CORRECT, "Tuesday")
    plt.close("all")


def test_slips_from_a_student_walkthrough_are_named():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from heartdata import ptbxl, sources
    from heartdata.checks import lesson01 as c

    w = c.ecgs_per_weekday()
    ax = plt.subplots()[1]
    ax.plot(range(7), w.values, "o-")
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


# --- student walkthrough 8 (exercises/01-where-data-comes-from-practice.ipynb) ----------------------------------


def test_walkthrough8_staff_only_names_the_cardiologist_columns():
    row = ptbxl.load_metadata().loc[check.EXERCISE_ECG_ID]
    src, filled = sources.PTBXL_COLUMN_SOURCE, sources.filled_columns(row)
    staff = {c for c in filled if src[c] == "staff"}
    machine = {c for c in filled if src[c] == "machine"}
    fb = check.typed_and_machine(staff, machine)
    expect(fb, CLOSE, "only the staff's columns", "cardiologist", "`validated_by` = 0.0")
    assert "second_opinion" not in fb.message  # derived by the curators, not typed by the cardiologist
    assert not fb.message.startswith("you left out")  # no longer blamed on `if value:` alone
    typed = {c for c in filled if src[c] in sources.TYPED_BY_A_PERSON}
    expect(check.typed_and_machine(typed, machine), CORRECT)


def test_walkthrough8_a_groupby_count_table_is_named_by_its_columns(stays):
    one = stays[stays["RecordID"].eq(check.exercise_stay(stays))]
    meas = one[~sources.descriptor_rows(one)]
    table = meas.groupby("Parameter").count()
    assert table.shape[1] == 3 and all(str(t).startswith("int") for t in table.dtypes)
    fb = check.counts_per_parameter(table)
    expect(fb, INCORRECT, "a DataFrame with 3 column(s)", "select the column")
    assert "not numbers" not in fb.message
    expect(check.counts_per_parameter(table["Value"]), CORRECT)
    fb = check.counts_per_parameter(meas.groupby("Parameter")["Value"].mean().where(lambda s: s > 50))
    expect(fb, INCORRECT, "missing value(s) (NaN)")


def test_walkthrough8_count_hints_fit_the_answer(stays):
    one = stays[stays["RecordID"].eq(check.exercise_stay(stays))]
    meas = one[~sources.descriptor_rows(one)]
    fb = check.counts_per_parameter(meas.groupby("Parameter")["Value"].sum())  # a sum of values, not a count
    expect(fb, INCORRECT, "labels are right", "whole number")
    assert "share" not in fb.message
    units = sources.icu_types(stays)
    other = units[units.eq(check.EXERCISE_ICU_TYPE) & ~units.index.isin([check.exercise_stay(stays)])].index
    for rid in other:  # another stay of the unit, with other parameters
        o = stays[stays["RecordID"].eq(rid)]
        counts = o[~sources.descriptor_rows(o)]["Parameter"].value_counts()
        if set(counts.index) - set(meas["Parameter"]):
            break
    fb = check.counts_per_parameter(counts)
    expect(fb, INCORRECT, "unexpected", "Check which rows you kept")
    assert "nothing to count" not in fb.message


def test_walkthrough8_a_rounded_series_is_named_rounded(stays):
    units = sources.icu_types(stays)
    has = pd.Series(units.index.isin(stays.loc[stays["Parameter"].isin(check.TROPONINS), "RecordID"]),
                    index=units.index)  # fmt: skip
    share = has.groupby(units).mean()
    fb = check.troponin_share(share.round(2))
    expect(fb, CLOSE, "rounded to 2 decimals", "unrounded")
    assert "denominator" not in fb.message and "rows you kept" not in fb.message
    expect(check.troponin_share(share.round(3)), CLOSE, "rounded to 3 decimals")
    expect(check.troponin_share(share + 0.01), INCORRECT, "labels are right")
    expect(check.troponin_share(share), CORRECT)


def test_walkthrough8_weekday_bars_must_be_named_by_day():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = check.ecgs_per_weekday()
    _, ax = plt.subplots()
    ax.bar(range(7), r.to_numpy())
    ax.set(xlabel="weekday", ylabel="number of ECGs")
    expect(check.weekday_plot(ax), CLOSE, "does not name the weekdays", "'0'")
    meta = ptbxl.load_metadata()
    dow = pd.to_datetime(meta.loc[meta["site"].eq(check.WEEKDAY_SITE), "recording_date"]).dt.day_of_week
    _, ax = plt.subplots()
    ax.hist(dow, bins=np.arange(-0.5, 7.5, 1))
    ax.set(xlabel="weekday", ylabel="number of ECGs")
    expect(check.weekday_plot(ax), CLOSE, "does not name the weekdays")
    for names in (check.WEEKDAYS, [d[:3] for d in check.WEEKDAYS]):
        _, ax = plt.subplots()
        ax.bar(range(7), r.to_numpy())
        ax.set_xticks(range(7), names)
        ax.set(xlabel="weekday", ylabel="number of ECGs")
        expect(check.weekday_plot(ax), CORRECT)
    _, ax = plt.subplots()
    ax.bar(r.index, r.to_numpy())
    ax.set(xlabel="weekday", ylabel="number of ECGs")
    expect(check.weekday_plot(ax), CORRECT)
    plt.close("all")


# --- student walkthrough r25 (A) ---------------------------------------------------------------------------------


def test_r25_another_row_is_named_beside_the_blank_report():
    """r25-stuA 01 E2: the row at position 443 (`meta.iloc[443]`, ECG 444, whose report is real text), read with
    `filled_columns`, was told only that `notna()` counts a blank report. Its sets are also what `notna()` gives for
    ECG 443, so the message now names both; a row that gives other sets is named as another ECG alone."""
    meta = ptbxl.load_metadata()
    row, other = meta.loc[check.EXERCISE_ECG_ID], meta.iloc[check.EXERCISE_ECG_ID]
    assert other.name != check.EXERCISE_ECG_ID and other["report"].strip(" ,")
    typed, machine = sources.columns_by_source(other), sources.columns_by_source(other, "machine")
    fb = check.typed_and_machine(typed, machine)
    expect(fb, CLOSE, "two mistakes", "notna()", f"ECG {other.name}", f"meta.iloc[{check.EXERCISE_ECG_ID}]",
           f"meta.loc[{check.EXERCISE_ECG_ID}]")
    notna = {c for c in row.index[row.notna()] if sources.PTBXL_COLUMN_SOURCE[c] in sources.TYPED_BY_A_PERSON}
    assert notna == typed  # the two mistakes give the same sets here
    # a row whose sets differ from the blank-report mistake is named as another ECG only
    for pos in range(len(meta)):
        r = meta.iloc[pos]
        t, m = sources.columns_by_source(r), sources.columns_by_source(r, "machine")
        if r.name != check.EXERCISE_ECG_ID and t not in (typed, sources.columns_by_source(row)):
            break
    fb = check.typed_and_machine(t, m)
    assert "notna()" not in fb.message, fb  # never the blank-report mistake for sets it does not give
    # the blank-report mistake proper still names notna(), and the stutter is gone
    expect(check.typed_and_machine(notna, machine), CLOSE, "notna()")
    fb = check.typed_and_machine({"sex"}, {"device"})
    assert not fb.message.lower().startswith("not yet"), fb
    assert "'age'" not in check.typed_and_machine("sex", "device").message  # age is the curators' column


def test_r25_a_weekday_left_nan_is_named_not_the_counts():
    """r25-stuA 01 E6: `value_counts().reindex(days)` without `fill_value` leaves Tuesday NaN; the counts are right
    but the student was told the bar heights are not the ECGs per weekday. The hints named `WEEKDAYS`, which the
    practice notebook does not define (it is `check.WEEKDAYS`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    right = check.ecgs_per_weekday()
    empty = list(right.index[right.eq(0)])
    assert empty  # the site has a weekday with no ECG: the exercise's point
    meta = ptbxl.load_metadata()
    days = pd.to_datetime(meta.loc[meta["site"].eq(check.WEEKDAY_SITE), "recording_date"]).dt.day_name()
    _, ax = plt.subplots()
    v = days.value_counts().reindex(check.WEEKDAYS)
    ax.bar(v.index, v.values)
    ax.set(xlabel="Weekday", ylabel="Number of ECGs")
    fb = check.weekday_plot(ax)
    expect(fb, CLOSE, empty[0], "NaN", "fill_value=0", "check.WEEKDAYS")
    assert "not the ECGs per weekday" not in fb.message
    _, ax = plt.subplots()
    ax.bar(v.index, (v + 1).values)  # NaN and wrong counts: not the named mistake, but the NaN is said
    ax.set(xlabel="Weekday", ylabel="Number of ECGs")
    expect(check.weekday_plot(ax), INCORRECT, "NaN")
    _, ax = plt.subplots()
    dropped = days.value_counts().reindex([d for d in check.WEEKDAYS if d not in empty])
    ax.bar(dropped.index, dropped.values)
    fb = check.weekday_plot(ax)
    assert "check.WEEKDAYS" in fb.message and "(WEEKDAYS" not in fb.message, fb
    plt.close("all")


def test_r25_and_per_patient_and_milliseconds_are_named(stays):
    """r25-stuA 01 E3, E4, E5 (weak): troponin I AND T (every share 0), heights per patient (`drop_duplicates`),
    and the shortest interval in milliseconds got generic messages; each is named now, only when the answer is
    what that mistake gives."""
    units = sources.icu_types(stays)
    rows = stays.loc[stays["Parameter"].isin(check.TROPONINS)]
    a = set(rows.loc[rows["Parameter"].eq("TroponinI"), "RecordID"])
    b = set(rows.loc[rows["Parameter"].eq("TroponinT"), "RecordID"])
    both = pd.Series(units.index.isin(list(a & b)), index=units.index).groupby(units).mean()
    expect(check.troponin_share(both), CLOSE, "BOTH", "OR")
    meta = ptbxl.load_metadata()
    once = meta.drop_duplicates("patient_id")
    per_patient = once["height"].notna().groupby(once["device"]).mean()
    assert not np.allclose(per_patient, meta["height"].notna().groupby(meta["device"]).mean())
    expect(check.height_by_device(per_patient), CLOSE, "one ECG per patient")
    ann = mitdb.load_annotations()
    shortest = ann.loc[ann["time_s"].lt(60) & ann["symbol"].isin(mitdb.BEAT_SYMBOLS), "time_s"].diff().min()
    expect(check.shortest_interval(1000 * shortest), CLOSE, "milliseconds")
    expect(check.shortest_interval(shortest), CORRECT)
