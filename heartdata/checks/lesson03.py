"""Checks for the exercises of lesson 03 (messy metadata): expected values come from the data."""

from __future__ import annotations

import ast
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, ptbxl
from ..feedback import check_number, close, correct, exercise, incorrect, not_attempted
from .lesson00 import as_axes, bar_heights, missing_labels

#: The stay the pivot exercise reshapes: it holds repeated MAP and Urine readings at the same minute.
PIVOT_STAY = 132781
SUPERCLASSES = ["CD", "HYP", "MI", "NORM", "STTC"]
DESCRIPTOR_COLUMNS = ["Age", "Gender", "Height", "ICUType", "Weight"]


# ---- reference computations (what a correct answer gives, and what typical mistakes give) ----


@cache
def _scp_long() -> pd.DataFrame:
    parsed = ptbxl.load_metadata()["scp_codes"].map(ast.literal_eval)
    rows = [(int(i), code, float(lik)) for i, codes in parsed.items() for code, lik in codes.items()]
    return pd.DataFrame(rows, columns=["ecg_id", "code", "likelihood"])


def _superclass_counts(min_likelihood: float | None, per: str = "ecg") -> pd.Series:
    """ECGs per diagnostic superclass; statements kept if likelihood >= min_likelihood (None: all)."""
    scp = ptbxl.load_scp_statements()
    diag = scp.loc[scp["diagnostic"].eq(1), "diagnostic_class"].rename("superclass")
    tidy = _scp_long().merge(diag, left_on="code", right_index=True)
    if min_likelihood is not None:
        tidy = tidy[tidy["likelihood"].ge(min_likelihood)]
    grouped = tidy.groupby("superclass")["ecg_id"]
    counts = grouped.nunique() if per == "ecg" else grouped.size()
    return counts.reindex(SUPERCLASSES, fill_value=0).astype(int)


@cache
def _stay_rows() -> pd.DataFrame:
    return challenge2012.load_stays(record_ids=[PIVOT_STAY])


def _stay_wide(urine: str, other: str, readings_only: bool = False) -> pd.DataFrame:
    """The stay pivoted per minute; ``readings_only`` leaves out the descriptor rows at 00:00."""
    one = _stay_rows()
    if readings_only:
        one = one[~(one["Time"].eq(0) & one["Parameter"].isin(challenge2012.DESCRIPTORS))]
    wide = one.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc=other)
    urine_rows = one[one["Parameter"].eq("Urine")]
    wide["Urine"] = urine_rows.groupby("Time")["Value"].agg(urine)
    return wide


@cache
def _descriptor_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """(correct, kept -1 sentinels, taken from the first six rows of each stay, stays that position gets wrong)."""
    stays = challenge2012.load_stays()
    at0 = stays[stays["Time"].eq(0) & stays["Parameter"].isin(DESCRIPTOR_COLUMNS)]
    raw = at0.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")[DESCRIPTOR_COLUMNS]
    head6 = stays[stays.groupby("RecordID").cumcount() < 6]
    head6 = head6[head6["Parameter"].isin(DESCRIPTOR_COLUMNS)]
    by_position = head6.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    by_position = by_position.reindex(index=raw.index, columns=DESCRIPTOR_COLUMNS)
    n_wrong = int((by_position.isna() & raw.notna()).any(axis=1).sum())
    return raw.replace(-1, np.nan), raw, by_position.replace(-1, np.nan), n_wrong


# ---- comparisons ----


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same index, same columns (any order), same values (NaN equal to NaN, floats to 1e-9)."""
    if not isinstance(a, pd.DataFrame):
        return False
    if set(map(str, a.columns)) != set(map(str, b.columns)) or len(a) != len(b):
        return False
    a = a.copy()
    a.columns = a.columns.map(str)
    try:
        a = a.loc[b.index, list(b.columns)]
    except KeyError:
        return False
    x, y = a.to_numpy(dtype=float, na_value=np.nan), b.to_numpy(dtype=float, na_value=np.nan)
    return bool(np.allclose(x, y, rtol=0, atol=1e-9, equal_nan=True))


# ---- the checks ----


@exercise
def scp_table(answer):
    """Exercise 1: the tidy (ecg_id, code, likelihood) table parsed from scp_codes."""
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame, got {type(answer).__name__}.")
    expected = _scp_long()
    missing = [c for c in expected.columns if c not in answer.columns]
    if missing:
        if "ecg_id" in missing and answer.index.name == "ecg_id":
            return close("`ecg_id` is the index of your table; make it a column with `.reset_index()`.")
        return incorrect(f"your table lacks the column(s) {missing}; it needs ecg_id, code and likelihood.")
    if len(answer) == len(expected[expected["likelihood"].gt(0)]):
        return close(
            "you dropped the statements with likelihood 0. In PTB-XL a 0 is what every rhythm and form statement "
            "carries, and a diagnostic statement whose report stated no likelihood: the statement was made. Keep them."
        )
    if len(answer) == len(ptbxl.load_metadata()):
        return close("you have one row per ECG; the table needs one row per ECG *and statement* (loop over each dict).")
    if len(answer) != len(expected):
        return incorrect(f"your table has {len(answer)} rows; one row per ECG and statement gives {len(expected)}.")
    if not pd.api.types.is_numeric_dtype(answer["likelihood"]):
        return close(
            "the `likelihood` column holds text; it should hold numbers (0 to 100), or a filter such as "
            "`likelihood == 100` will silently match nothing."
        )
    lik = answer["likelihood"]
    mine = sorted(zip(answer["ecg_id"].astype(int), answer["code"].astype(str), lik.astype(float), strict=True))
    theirs = sorted(zip(expected["ecg_id"], expected["code"], expected["likelihood"], strict=True))
    if mine != theirs:
        return incorrect("the right number of rows, but some (ecg_id, code, likelihood) triples differ from scp_codes.")
    return correct(f"{len(expected):,} statements for {expected['ecg_id'].nunique()} ECGs, none lost.")


@exercise
def superclass_counts(answer):
    """Exercise 2: ECGs per superclass under two rules, columns 'any' and 'only_100'."""
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame with columns 'any' and 'only_100', got {type(answer).__name__}.")
    if not {"any", "only_100"} <= set(answer.columns):
        return incorrect(f"your columns are {list(answer.columns)}; name them 'any' and 'only_100'.")
    if set(answer.index) != set(SUPERCLASSES):
        found = sorted(map(str, answer.index))
        return incorrect(f"the index should be the five superclasses {SUPERCLASSES}, not {found}.")
    got_any = answer["any"].reindex(SUPERCLASSES).astype(float)
    got_100 = answer["only_100"].reindex(SUPERCLASSES).astype(float)
    exp_any, exp_100 = _superclass_counts(None), _superclass_counts(100)

    def same(a, b):
        return bool(np.allclose(a.to_numpy(), b.to_numpy().astype(float)))

    if same(got_any, exp_100) and same(got_100, exp_any):
        return close("your two columns are swapped: 'any' must be the larger count.")
    if same(got_any, _superclass_counts(None, "statement")) or same(got_100, _superclass_counts(100, "statement")):
        return close(
            "you counted statements, not ECGs: an ECG with two MI statements counts once. Use `nunique()` on `ecg_id`."
        )
    if same(got_any, _superclass_counts(1e-9)) and not same(got_any, exp_any):
        return close(
            "your 'any' rule dropped likelihood 0. 0 means 'unknown', and the rule 'any likelihood' "
            "keeps those statements."
        )
    if not same(got_any, exp_any):
        return incorrect(
            "the 'any' column is not it. Keep only diagnostic statements, then count distinct ECGs per class."
        )
    if not same(got_100, exp_100):
        return incorrect("'any' is right; for 'only_100' keep the statements whose likelihood equals 100.")
    return correct(f"MI shrinks from {exp_any['MI']} to {exp_100['MI']} ECGs under the stricter rule.")


@exercise
def n_patients_several_ecgs(answer):
    """Exercise 3: patients with more than one ECG."""
    meta = ptbxl.load_metadata()
    per_patient = meta.groupby("patient_id").size()
    return check_number(
        answer,
        int((per_patient > 1).sum()),
        mistakes=[
            (
                int(per_patient[per_patient > 1].sum()),
                "close: that is the number of ECGs that belong to such patients; count the patients instead.",
            ),
            (
                len(meta) - meta["patient_id"].nunique(),
                "close: that is the number of ECGs beyond each patient's first (rows minus patients). "
                "A patient with three ECGs counts once.",
            ),
            (
                meta["patient_id"].nunique(),
                "close: that is the number of all patients; keep those with 2 or more ECGs.",
            ),
        ],
        what="a whole number of patients",
        hint="Group by `patient_id`, count ECGs per patient, and count the patients with more than one.",
    )


@exercise
def stay_wide(answer):
    """Exercise 4: one stay, one row per minute; Urine summed (the exercise's stated assumption), the rest averaged."""
    expected = _stay_wide(urine="sum", other="mean")
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame (one row per minute), got {type(answer).__name__}.")
    if _same_frame(answer, expected) or _same_frame(answer, _stay_wide("sum", "mean", readings_only=True)):
        return correct("two MAP readings at one minute averaged, two urine volumes added up, as the exercise assumes.")
    if "Urine" not in answer.columns or "MAP" not in answer.columns:
        return incorrect("your table should have one column per parameter, MAP and Urine among them.")
    if len(answer) != len(expected):
        return incorrect(
            f"your table has {len(answer)} rows; stay {PIVOT_STAY} has {len(expected)} distinct minutes. "
            "Use `Time` as the index."
        )
    if _same_frame(answer, _stay_wide(urine="mean", other="mean")):
        return close(
            "MAP is right, but you averaged the Urine values charted at the same minute. The exercise assumes they "
            "are separate outputs (two drains or bags), which add up: sum Urine. (Averaging is wrong even if one "
            "entry corrects the other: then one of them should be kept, not their mean.)"
        )
    if _same_frame(answer, _stay_wide(urine="sum", other="sum")):
        return close(
            "Urine is right, but you also added up the MAP readings: two pressures of 70 mmHg are not 140 mmHg. "
            "Sum only Urine; average the rest."
        )
    if _same_frame(answer, _stay_wide(urine="first", other="first")) or _same_frame(
        answer, _stay_wide(urine="last", other="last")
    ):
        return close("you kept one value per minute and silently dropped the other; aggregate both.")
    columns = set(map(str, answer.columns))
    allowed = set(map(str, expected.columns))
    needed = set(map(str, _stay_wide("sum", "mean", readings_only=True).columns))
    if not needed <= columns or not columns <= allowed:
        missing, extra = sorted(needed - columns), sorted(columns - allowed)
        return incorrect(
            "your columns are not one per parameter of the stay: "
            + "; ".join(
                p for p in (f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "") if p
            )
            + ". (The descriptor columns may be kept or left out.)"
        )
    return incorrect(
        "some values differ. Average every parameter per minute, then replace Urine by its per-minute sum."
    )


@exercise
def descriptor_table(answer):
    """Exercise 5: one row per stay with the five descriptors, -1 replaced by NaN."""
    expected, with_sentinels, by_position, n_wrong = _descriptor_tables()
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame with one row per stay, got {type(answer).__name__}.")
    extra = [c for c in answer.columns if str(c) not in DESCRIPTOR_COLUMNS]
    if extra and set(DESCRIPTOR_COLUMNS) <= set(map(str, answer.columns)):
        return incorrect(f"keep only the five descriptors {DESCRIPTOR_COLUMNS}; drop {extra}.")
    if _same_frame(answer, expected):
        return correct(f"{len(expected):,} stays; {int(expected['Height'].isna().sum()):,} without a recorded height.")
    if _same_frame(answer, with_sentinels):
        return close("you kept the -1 sentinels as values: -1 means 'not recorded'. Replace it by NaN.")
    if _same_frame(answer, by_position):
        return close(
            f"you took the first six rows of each stay; in {n_wrong} stays a measurement charted at 00:00 sits among "
            "the descriptors, so a descriptor is missing there. Select rows by Parameter name and Time == 0 instead."
        )
    if len(answer) != len(expected):
        return incorrect(f"your table has {len(answer)} rows; there are {len(expected):,} stays.")
    return incorrect("some values differ. Use the rows with Time == 0 whose Parameter is a descriptor.")


# --- Exercise 6: a figure of the two labelling rules ----------------------------------------------


@exercise
def superclass_plot(answer):
    ax = as_axes(answer)
    if ax is None:
        return incorrect(f"expected the matplotlib Axes of your bar chart, got {type(answer).__name__}.")
    heights = sorted(bar_heights(ax))
    if not heights:
        return not_attempted("there are no bars on this Axes yet: `counts.plot.bar(ax=ax)` draws both columns.")
    any_rule, strict = _superclass_counts(None), _superclass_counts(100)
    want = sorted([*any_rule, *strict])
    if len(heights) != len(want):
        return incorrect(
            f"expected {len(want)} bars: one per superclass ({len(any_rule)}) for each of the two rules; "
            f"your chart has {len(heights)}."
        )
    if np.allclose(heights, want):
        labels = missing_labels(ax, ("class",), ("ECG",))
        if labels:
            return close(f"the bars are right, but {labels}.")
        loss = (strict / any_rule).idxmin()
        return correct(f"{loss} shrinks most: {any_rule[loss]} ECGs under any likelihood, {strict[loss]} at 100.")
    by_statement = sorted([*_superclass_counts(None, per="statement"), *_superclass_counts(100, per="statement")])
    if np.allclose(heights, by_statement):
        return close(
            "your bars count statements, not ECGs: an ECG with two MI statements counts twice. "
            "Count distinct `ecg_id`s per superclass (`nunique`)."
        )
    totals = any_rule.sum(), strict.sum()
    shares = sorted([*(any_rule / totals[0]), *(strict / totals[1])])
    if np.allclose(heights, shares):
        return close("your bars are shares; the exercise asks for numbers of ECGs.")
    return incorrect("the bar heights are not the two columns of `counts` from exercise 2. Plot that table.")
