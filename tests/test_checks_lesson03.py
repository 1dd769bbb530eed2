"""Lesson 03 checks: not attempted, the typical mistakes they name, and correct; never an exception.

The walkthrough tests hold, for every exercise, the warned mistake, two other plausible wrong answers and one right
answer written another way, each with the status it must get and the words the message must use.
"""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd
import pytest

from heartdata import challenge2012, feedback, ptbxl
from heartdata.checks import lesson03 as check

ALL = [
    check.scp_table,
    check.superclass_counts,
    check.n_patients_several_ecgs,
    check.stay_wide,
    check.descriptor_table,
    check.superclass_plot,
]
CLOSE, INCORRECT, CORRECT = feedback.CLOSE, feedback.INCORRECT, feedback.CORRECT


def expect(fb, status, *words):
    assert fb.status == status, fb
    for w in words:
        assert w in fb.message, (w, fb.message)


@pytest.fixture(scope="module")
def meta():
    return ptbxl.load_metadata()


@pytest.fixture(scope="module")
def scp_long(meta):
    parsed = meta["scp_codes"].map(ast.literal_eval)
    return pd.DataFrame(
        [(i, c, v) for i, d in parsed.items() for c, v in d.items()], columns=["ecg_id", "code", "likelihood"]
    )


@pytest.fixture(scope="module")
def diagnostic(scp_long):
    scp = ptbxl.load_scp_statements()
    classes = scp.loc[scp["diagnostic"].eq(1), "diagnostic_class"].rename("superclass")
    return scp_long.merge(classes, left_on="code", right_index=True)


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays()


@pytest.mark.parametrize("chk", ALL, ids=lambda c: c.__name__)
def test_not_attempted(chk):
    import matplotlib.pyplot as plt

    plt.close("all")
    assert chk(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["22", [1, 2], {"a": 1}, pd.DataFrame({"a": [1, 2]}), object(), True])
@pytest.mark.parametrize("chk", ALL, ids=lambda c: c.__name__)
def test_strange_answers_are_incorrect_not_errors(chk, bad):
    assert chk(bad).status == feedback.INCORRECT


def test_walkthrough_scp_table(scp_long):
    no_zero = scp_long[scp_long["likelihood"].gt(0)]
    expect(check.scp_table(no_zero), CLOSE, "not that the finding is absent")  # the warned one
    expect(check.scp_table(scp_long.set_index("ecg_id")), CLOSE, "reset_index")
    expect(check.scp_table(scp_long.drop_duplicates("ecg_id")), CLOSE, "one row per ECG")
    rows = [{"ecg_id": i, "code": c, "likelihood": v} for i, c, v in scp_long.itertuples(index=False)]
    expect(check.scp_table(pd.DataFrame(rows)[["likelihood", "code", "ecg_id"]]), CORRECT)  # other column order


def _counts(diagnostic, keep_any=lambda d: d, keep_min=lambda d: d[d["likelihood"].ge(50)], how="nunique"):
    def count(d):
        g = d.groupby("superclass")["ecg_id"]
        return g.nunique() if how == "nunique" else g.size()

    return pd.DataFrame({"any": count(keep_any(diagnostic)), "at_least_50": count(keep_min(diagnostic))})


def test_walkthrough_superclass_counts(diagnostic):
    right = _counts(diagnostic)
    assert (right.loc["MI", "any"], right.loc["MI", "at_least_50"]) == (62, 36)
    expect(
        check.superclass_counts(_counts(diagnostic, keep_min=lambda d: d[d["likelihood"].gt(50)])),
        CLOSE,
        "strictly above",
        ">=",
    )  # the warned boundary
    expect(
        check.superclass_counts(_counts(diagnostic, keep_min=lambda d: d[d["likelihood"].eq(100)])),
        CLOSE,
        "lesson's rule",
    )  # the lesson's table, typed back
    expect(check.superclass_counts(_counts(diagnostic, how="size")), CLOSE, "statements, not ECGs")
    expect(
        check.superclass_counts(right.rename(columns={"any": "at_least_50", "at_least_50": "any"})), CLOSE, "swapped"
    )
    expect(check.superclass_counts(_counts(diagnostic, keep_any=lambda d: d[d["likelihood"].gt(0)])), CLOSE, "0")
    expect(check.superclass_counts(right.rename(columns={"any": "all"})), INCORRECT, "at_least_50")
    expect(check.superclass_counts(right[["at_least_50", "any"]].loc[::-1].astype(float)), CORRECT)


def test_walkthrough_patients_with_several_ecgs(meta):
    per = meta.groupby("patient_id").size()
    assert int((per >= check.MIN_ECGS).sum()) == 3
    expect(check.n_patients_several_ecgs(int((per > check.MIN_ECGS).sum())), CLOSE, "MORE than 3")  # warned
    expect(check.n_patients_several_ecgs(int((per > 1).sum())), CLOSE, "lesson's count")  # the lesson's 22
    expect(check.n_patients_several_ecgs(int(per[per >= 3].sum())), CLOSE, "number of ECGs")
    expect(check.n_patients_several_ecgs(meta["patient_id"].nunique()), CLOSE, "all patients")
    expect(check.n_patients_several_ecgs(5), INCORRECT, "3 or more")
    expect(check.n_patients_several_ecgs(np.int64(per.value_counts()[per.value_counts().index >= 3].sum())), CORRECT)


def _wide(one, urine, other):
    w = one.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc=other)
    w["Urine"] = one[one["Parameter"].eq("Urine")].groupby("Time")["Value"].agg(urine)
    return w


def test_walkthrough_stay_wide(stays):
    one = stays[stays["RecordID"].eq(check.PIVOT_STAY)]
    assert one.duplicated(["Time", "Parameter"]).any()
    right = _wide(one, "sum", "mean")
    assert check.stay_wide(right).correct
    assert check.stay_wide(right[right.columns[::-1]]).correct  # column order does not matter
    readings = one[~(one["Time"].eq(0) & one["Parameter"].isin(challenge2012.DESCRIPTORS))]
    assert check.stay_wide(_wide(readings, "sum", "mean")).correct  # leaving out the descriptors is fine too
    fb = check.stay_wide(one.pivot_table(index="Time", columns="Parameter", values="Value"))  # the default mean
    assert fb.status == feedback.CLOSE and "sum Urine" in fb.message
    fb = check.stay_wide(one.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc="sum"))
    assert fb.status == feedback.CLOSE and "MAP" in fb.message
    fb = check.stay_wide(one.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc="first"))
    assert fb.status == feedback.CLOSE and "dropped" in fb.message
    assert check.stay_wide(right.iloc[:-3]).status == feedback.INCORRECT
    assert check.stay_wide(right.drop(columns="Urine")).status == feedback.INCORRECT


def test_walkthrough_descriptor_table(stays):
    names = ["Age", "Gender", "Height", "ICUType", "Weight"]
    at0 = stays[stays["Time"].eq(0) & stays["Parameter"].isin(names)]
    raw = at0.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    numbers = raw.replace(-1, np.nan)
    right = numbers.assign(Gender=numbers["Gender"].map({0: "female", 1: "male"}))
    ptb = numbers.assign(Gender=numbers["Gender"].map({0: "male", 1: "female"}))
    expect(check.descriptor_table(ptb), CLOSE, "PTB-XL's coding")  # the warned mistake: the other dataset's code
    expect(check.descriptor_table(numbers), CLOSE, "words")
    expect(check.descriptor_table(raw.assign(Gender=raw["Gender"].map({0: "female", 1: "male"}))), CLOSE, "-1")
    by_pos = stays[stays.groupby("RecordID").cumcount() < 6]
    by_pos = by_pos[by_pos["Parameter"].isin(names)].pivot_table(
        index="RecordID", columns="Parameter", values="Value", aggfunc="first"
    )
    pos = by_pos.reindex(columns=names).replace(-1, np.nan)
    expect(
        check.descriptor_table(pos.assign(Gender=pos["Gender"].map({0: "female", 1: "male"}))), CLOSE, "first six rows"
    )
    expect(check.descriptor_table(right.assign(HR=1.0)), INCORRECT, "drop")
    expect(check.descriptor_table(right.iloc[:10]), INCORRECT, "4,000 stays")
    other_way = right.reset_index().assign(Gender=lambda d: d["Gender"].str.upper())  # RecordID as a column, FEMALE
    expect(check.descriptor_table(other_way), CORRECT, "female")
    expect(check.descriptor_table(right), CORRECT)


def test_text_likelihoods_are_named():
    table = check._scp_long()
    fb = check.scp_table(table.assign(likelihood=table["likelihood"].astype(str)))
    assert fb.status == feedback.CLOSE and "text" in fb.message


def test_walkthrough_superclass_plot(diagnostic):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def table(kept):
        return kept.groupby("superclass")["ecg_id"]

    strict = diagnostic[diagnostic["likelihood"].ge(50)]
    counts = pd.DataFrame({"any": table(diagnostic).nunique(), "at_least_50": table(strict).nunique()})
    by_statement = pd.DataFrame({"any": table(diagnostic).size(), "at_least_50": table(strict).size()})
    lesson = pd.DataFrame(
        {"any": table(diagnostic).nunique(), "only_100": table(diagnostic[diagnostic["likelihood"].eq(100)]).nunique()}
    )

    def drawn(frame, xlabel="diagnostic superclass", ylabel="ECGs"):
        _, ax = plt.subplots()
        frame.plot.bar(ax=ax)
        ax.set(xlabel=xlabel, ylabel=ylabel)
        return ax

    assert check.superclass_plot(drawn(counts)).correct
    expect(check.superclass_plot(drawn(lesson)), CLOSE, "lesson's rule")  # the lesson's rule, drawn
    assert check.superclass_plot(plt.subplots()[1]).status == feedback.NOT_ATTEMPTED
    assert "statements, not ECGs" in check.superclass_plot(drawn(by_statement)).message
    assert "shares" in check.superclass_plot(drawn(counts / counts.sum())).message
    fb = check.superclass_plot(drawn(counts, xlabel=""))
    assert fb.status == feedback.CLOSE and "x axis has no label" in fb.message
    assert check.superclass_plot(drawn(counts[["any"]])).status == feedback.INCORRECT
    plt.close("all")


def test_walkthrough8_scp_table_success_repeats_the_eval_warning(meta):
    parsed = meta["scp_codes"].map(eval)  # the warned parser: the check cannot see it, the message says so
    table = pd.DataFrame([(i, c, v) for i, d in parsed.items() for c, v in d.items()],
                         columns=["ecg_id", "code", "likelihood"])
    expect(check.scp_table(table), CORRECT, "`eval` gives the same table", "ast.literal_eval")


def test_walkthrough8_stay_wide_descriptor_columns_may_be_left_out(stays):
    """Walkthrough 8: the right table without the redundant RecordID column (or any descriptor column) was refused
    with "some values differ"; a lost Weight column was told "82 rows"; Urine filled with 0 got the generic message."""
    one = stays[stays["RecordID"].eq(check.PIVOT_STAY)]
    right = _wide(one, "sum", "mean")
    expect(check.stay_wide(right.drop(columns="RecordID")), CORRECT)
    expect(check.stay_wide(_wide(one[one["Parameter"].ne("RecordID")], "sum", "mean")), CORRECT)
    expect(check.stay_wide(right.drop(columns=["RecordID", "Age"])), CORRECT)
    expect(check.stay_wide(right.drop(columns=["RecordID", "Age", "Gender", "Height", "ICUType"])), CORRECT)
    descriptors = ["RecordID", "Age", "Gender", "Height", "ICUType", "Weight"]
    fb = check.stay_wide(right.drop(columns=descriptors).dropna(how="all"))
    expect(fb, INCORRECT, "lacks the column(s) ['Weight']")
    assert "rows" not in fb.message
    w = one.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc="mean")
    summed = one.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc="sum", fill_value=0)
    w["Urine"] = summed["Urine"]
    expect(check.stay_wide(w), CLOSE, "Urine is 0 at the", "fill_value=0")
    expect(check.stay_wide(right.drop(columns="RecordID").assign(MAP=lambda d: d["MAP"] + 1)), INCORRECT,
           "some values differ")


def test_walkthrough8_superclass_plot_judges_what_is_visible(diagnostic):
    """Walkthrough 8: stacked bars, bars grouped by rule, tick labels that name no superclass, no legend and a y axis
    from 30 were ticked; horizontal bars were told the heights are wrong; seaborn's grouped chart was refused."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    def table(kept):
        return kept.groupby("superclass")["ecg_id"]

    counts = pd.DataFrame({"any": table(diagnostic).nunique(),
                           "at_least_50": table(diagnostic[diagnostic["likelihood"].ge(50)]).nunique()})
    labels = {"xlabel": "diagnostic superclass", "ylabel": "number of ECGs"}

    def drawn(frame, **kw):
        _, ax = plt.subplots()
        frame.plot.bar(ax=ax, **kw)
        ax.set(**labels)
        return ax

    expect(check.superclass_plot(drawn(counts, stacked=True)), CLOSE, "stacked", "5 of them")
    x, w = np.arange(5), 0.4
    _, ax = plt.subplots()
    ax.bar(x - w / 2, counts["any"], w, label="any")
    ax.bar(x + w / 2, counts["at_least_50"], w, label=">=50")
    ax.set(**labels)
    ax.legend()
    expect(check.superclass_plot(ax), CLOSE, "do not name the five superclasses", "'0', '1'")
    ax.set_xticks(x, counts.index)
    expect(check.superclass_plot(ax), CORRECT)
    expect(check.superclass_plot(drawn(counts.T)), CLOSE, "grouped by rule", "'any', 'at_least_50'")
    ax = drawn(counts)
    ax.set_xticks(ax.get_xticks(), list("abcde"))
    expect(check.superclass_plot(ax), CLOSE, "'a', 'b'")
    ax = drawn(counts)
    ax.set_xticks(ax.get_xticks(), list(counts.index[::-1]))  # the names in the wrong order
    expect(check.superclass_plot(ax), CLOSE, "'STTC' stands under bars of", "not STTC's counts")
    _, ax = plt.subplots()
    counts.plot.barh(ax=ax)
    ax.set(ylabel="diagnostic superclass", xlabel="number of ECGs")
    expect(check.superclass_plot(ax), CLOSE, "horizontal")
    expect(check.superclass_plot(drawn(counts, legend=False)), CLOSE, "legend")
    ax = drawn(counts)
    ax.set_ylim(30, 280)
    expect(check.superclass_plot(ax), CLOSE, "y axis shows 30 to 280", "do not start at 0")
    _, ax = plt.subplots()
    ax.plot(counts.index, counts["any"])
    expect(check.superclass_plot(ax), INCORRECT, "not bars")
    # seaborn's grouped bar chart (its legend handles are patches of no size) is accepted
    _, ax = plt.subplots()
    long = counts.rename_axis("superclass").reset_index().melt(id_vars="superclass", var_name="rule", value_name="n")
    sns.barplot(data=long, x="superclass", y="n", hue="rule", ax=ax)
    ax.set(**labels)
    expect(check.superclass_plot(ax), CORRECT)
    expect(check.superclass_plot(drawn(counts.loc[counts.index[::-1]])), CORRECT)  # superclasses reordered
    plt.close("all")


def test_r22_superclass_plot_bars_hidden_behind_others(diagnostic):
    """r22-s05 D03-1: two `ax.bar` calls at the same x, the taller 'any' bars drawn last, hide the stricter bars
    whole; that figure was accepted. Drawn the other way round (shorter bars in front), side by side, or see-through,
    every bar shows and it is accepted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def table(kept):
        return kept.groupby("superclass")["ecg_id"]

    counts = pd.DataFrame({"any": table(diagnostic).nunique(),
                           "at_least_50": table(diagnostic[diagnostic["likelihood"].ge(50)]).nunique()})

    def overlaid(first, second, **kw):
        _, ax = plt.subplots()
        ax.bar(counts.index, counts[first], label=first)
        ax.bar(counts.index, counts[second], label=second, **kw)
        ax.legend()
        ax.set_xlabel("diagnostic superclass")
        ax.set_ylabel("number of ECGs")
        return ax

    hidden = int((counts["at_least_50"] < counts["any"]).sum())
    assert hidden > 0
    expect(check.superclass_plot(overlaid("at_least_50", "any")), CLOSE, f"{hidden} bars are hidden", "side by side")
    expect(check.superclass_plot(overlaid("any", "at_least_50")), CORRECT)  # the stricter bars in front: visible
    expect(check.superclass_plot(overlaid("at_least_50", "any", alpha=0.5)), CORRECT)  # see-through: visible
    plt.close("all")


def test_r22_stay_wide_index_in_hours_is_named(stays):
    """r22-s05 D03-2: the right table with its index in hours (`Time / 60`) was told 'some values differ. Average
    every parameter per minute ...', which blames the aggregation. It now names the unit of the times."""
    one = stays[stays["RecordID"].eq(check.PIVOT_STAY)]
    right = _wide(one, "sum", "mean")
    hours = right.set_axis(right.index / 60)
    fb = check.stay_wide(hours)
    expect(fb, CLOSE, "in hours, not minutes", f"{right.index[1] / 60:g}", f"{right.index[1]:g}")
    expect(check.stay_wide(right.set_axis(right.index * 60)), CLOSE, "in seconds")
    assert check.stay_wide(right.set_axis(right.index.astype(float))).correct  # minutes as floats: still right


# --- student walkthrough r25 (A) ---------------------------------------------------------------------------------


def test_r25_stay_wide_of_every_stay_says_keep_one_stay(stays):
    """r25-stuA 03 E4: pivoting every stay (Time already the index) was told "Use `Time` as the index". The check
    now names the mistake: the rows are the minutes of all stays; keep stay PIVOT_STAY's rows first. A table whose
    every empty cell was filled with 0 is named too."""
    every = stays.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc="mean")
    fb = check.stay_wide(every)
    expect(fb, CLOSE, "pivoted every stay", str(check.PIVOT_STAY), f"{stays['RecordID'].nunique():,} stays")
    assert "Use `Time` as the index" not in fb.message
    one = stays[stays["RecordID"].eq(check.PIVOT_STAY)]
    right = _wide(one, "sum", "mean")
    fb = check.stay_wide(right.iloc[:-3])  # Time is the index, rows are missing: no advice to use Time
    expect(fb, INCORRECT, "rows")
    assert "Use `Time` as the index" not in fb.message
    expect(check.stay_wide(right.fillna(0)), CLOSE, "fillna(0)", "NaN")


def test_r25_descriptors_by_row_order_are_named(stays):
    """r25-stuA 03 E5: the warned mistake, descriptors taken by their place in each stay (rows 1 to 5), got the
    generic "some values differ"; it is named now, with a stay where a measurement sits among the descriptors."""
    pos = stays.groupby("RecordID").head(6)
    p = pos.assign(k=pos.groupby("RecordID").cumcount()).pivot(index="RecordID", columns="k", values="Value")
    by_place = pd.DataFrame({"Age": p[1], "Gender": p[2], "Height": p[3], "ICUType": p[4], "Weight": p[5]})
    by_place = by_place.replace(-1, np.nan)
    names = pos.assign(k=pos.groupby("RecordID").cumcount()).pivot(index="RecordID", columns="k", values="Parameter")
    wrong = names[[1, 2, 3, 4, 5]].ne(["Age", "Gender", "Height", "ICUType", "Weight"]).any(axis=1)
    assert wrong.sum() > 0
    words = by_place.assign(Gender=by_place["Gender"].map({0: "female", 1: "male"}))
    expect(check.descriptor_table(words), CLOSE, "place in each stay", f"In {int(wrong.sum())} stays")
    expect(check.descriptor_table(by_place), CLOSE, "place in each stay")


def test_r25_positions_and_shares_are_named(meta, scp_long):
    """r25-stuA 03 E1 and E2 (weak): ecg_ids written as row positions (`enumerate`) got "some triples differ"; counts
    divided by the number of ECGs were pointed to the diagnostic filter. Both are named now."""
    rows = [(i, c, v) for i, t in enumerate(meta["scp_codes"]) for c, v in ast.literal_eval(t).items()]
    fb = check.scp_table(pd.DataFrame(rows, columns=["ecg_id", "code", "likelihood"]))
    expect(fb, CLOSE, "row positions", "items()")
    rows = [(i, c, v) for i, t in enumerate(meta["scp_codes"], start=int(meta.index[0]))
            for c, v in ast.literal_eval(t).items()]
    if list(meta.index) == list(range(int(meta.index[0]), int(meta.index[0]) + len(meta))):  # ids 1..n: the same
        expect(check.scp_table(pd.DataFrame(rows, columns=["ecg_id", "code", "likelihood"])), CORRECT)
    scp = ptbxl.load_scp_statements()
    classes = scp.loc[scp["diagnostic"].eq(1), "diagnostic_class"].rename("superclass")
    diag = scp_long.merge(classes, left_on="code", right_index=True)
    counts = pd.DataFrame({"any": diag.groupby("superclass")["ecg_id"].nunique(),
                           "at_least_50": diag[diag["likelihood"].ge(50)].groupby("superclass")["ecg_id"].nunique()})
    expect(check.superclass_counts(counts), CORRECT)
    fb = check.superclass_counts(counts / len(meta))
    expect(fb, CLOSE, "shares", f"{len(meta)} ECGs")
    assert "diagnostic statements" not in fb.message
