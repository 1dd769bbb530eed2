"""Lesson 03 checks: not attempted, the typical mistakes they name, and correct; never an exception."""

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
    assert chk(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["22", [1, 2], {"a": 1}, pd.DataFrame({"a": [1, 2]}), object(), True])
@pytest.mark.parametrize("chk", ALL, ids=lambda c: c.__name__)
def test_strange_answers_are_incorrect_not_errors(chk, bad):
    assert chk(bad).status == feedback.INCORRECT


def test_scp_table(scp_long):
    assert check.scp_table(scp_long).correct
    assert check.scp_table(scp_long.sample(frac=1, random_state=0)).correct  # row order does not matter
    fb = check.scp_table(scp_long[scp_long["likelihood"].gt(0)])
    assert fb.status == feedback.CLOSE and "rhythm and form" in fb.message
    fb = check.scp_table(scp_long.set_index("ecg_id"))
    assert fb.status == feedback.CLOSE and "reset_index" in fb.message
    fb = check.scp_table(scp_long.assign(likelihood=scp_long["likelihood"].astype(str) + "%"))
    assert fb.status == feedback.CLOSE and "text" in fb.message
    wrong = scp_long.copy()
    wrong.loc[0, "likelihood"] = 50.0
    assert check.scp_table(wrong).status == feedback.INCORRECT


def _counts(diagnostic, keep_any=lambda d: d, keep_100=lambda d: d[d["likelihood"].eq(100)], how="nunique"):
    def count(d):
        g = d.groupby("superclass")["ecg_id"]
        return g.nunique() if how == "nunique" else g.size()

    return pd.DataFrame({"any": count(keep_any(diagnostic)), "only_100": count(keep_100(diagnostic))})


def test_superclass_counts(diagnostic):
    right = _counts(diagnostic)
    assert check.superclass_counts(right).correct
    fb = check.superclass_counts(right.rename(columns={"any": "only_100", "only_100": "any"}))
    assert fb.status == feedback.CLOSE and "swapped" in fb.message
    fb = check.superclass_counts(_counts(diagnostic, how="size"))
    assert fb.status == feedback.CLOSE and "statements, not ECGs" in fb.message
    fb = check.superclass_counts(_counts(diagnostic, keep_any=lambda d: d[d["likelihood"].gt(0)]))
    assert fb.status == feedback.CLOSE and "likelihood 0" in fb.message
    fb = check.superclass_counts(_counts(diagnostic, keep_100=lambda d: d[d["likelihood"].ge(50)]))
    assert fb.status == feedback.INCORRECT and "only_100" in fb.message
    assert check.superclass_counts(right.rename(columns={"any": "all"})).status == feedback.INCORRECT


def test_n_patients_several_ecgs(meta):
    per = meta.groupby("patient_id").size()
    assert check.n_patients_several_ecgs(int((per > 1).sum())).correct
    assert check.n_patients_several_ecgs(np.int64((per > 1).sum())).correct
    fb = check.n_patients_several_ecgs(int(per[per > 1].sum()))
    assert fb.status == feedback.CLOSE and "ECGs that belong" in fb.message
    fb = check.n_patients_several_ecgs(len(meta) - meta["patient_id"].nunique())
    assert fb.status == feedback.CLOSE and "beyond each patient's first" in fb.message
    assert check.n_patients_several_ecgs(meta["patient_id"].nunique()).status == feedback.CLOSE
    assert check.n_patients_several_ecgs(5).status == feedback.INCORRECT


def _wide(one, urine, other):
    w = one.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc=other)
    w["Urine"] = one[one["Parameter"].eq("Urine")].groupby("Time")["Value"].agg(urine)
    return w


def test_stay_wide(stays):
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


def test_descriptor_table(stays):
    names = ["Age", "Gender", "Height", "ICUType", "Weight"]
    at0 = stays[stays["Time"].eq(0) & stays["Parameter"].isin(names)]
    raw = at0.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    assert check.descriptor_table(raw.replace(-1, np.nan)).correct
    fb = check.descriptor_table(raw)
    assert fb.status == feedback.CLOSE and "-1" in fb.message
    head6 = stays.groupby("RecordID").head(6)
    by_pos = head6[head6["Parameter"].isin(names)].pivot_table(
        index="RecordID", columns="Parameter", values="Value", aggfunc="first"
    )
    fb = check.descriptor_table(by_pos.reindex(columns=names).replace(-1, np.nan))
    assert fb.status == feedback.CLOSE and "first six rows" in fb.message and "90 stays" in fb.message
    fb = check.descriptor_table(raw.replace(-1, np.nan).assign(HR=1.0))
    assert fb.status == feedback.INCORRECT and "HR" in fb.message


def test_text_likelihoods_are_named():
    table = check._scp_long()
    fb = check.scp_table(table.assign(likelihood=table["likelihood"].astype(str)))
    assert fb.status == feedback.CLOSE and "text" in fb.message


def test_superclass_plot(diagnostic):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def table(kept):
        return kept.groupby("superclass")["ecg_id"]

    strict = diagnostic[diagnostic["likelihood"].eq(100)]
    counts = pd.DataFrame({"any": table(diagnostic).nunique(), "only_100": table(strict).nunique()})
    by_statement = pd.DataFrame({"any": table(diagnostic).size(), "only_100": table(strict).size()})

    def drawn(frame, xlabel="diagnostic superclass", ylabel="ECGs"):
        _, ax = plt.subplots()
        frame.plot.bar(ax=ax)
        ax.set(xlabel=xlabel, ylabel=ylabel)
        return ax

    assert check.superclass_plot(drawn(counts)).correct
    assert check.superclass_plot(plt.subplots()[1]).status == feedback.NOT_ATTEMPTED
    assert "statements, not ECGs" in check.superclass_plot(drawn(by_statement)).message
    assert "shares" in check.superclass_plot(drawn(counts / counts.sum())).message
    fb = check.superclass_plot(drawn(counts, xlabel=""))
    assert fb.status == feedback.CLOSE and "x axis has no label" in fb.message
    assert check.superclass_plot(drawn(counts[["any"]])).status == feedback.INCORRECT
    plt.close("all")
