"""Checks for the exercises of lesson 09 (data protection): expected values come from the data and heartdata.privacy."""

from __future__ import annotations

import ast
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, privacy, ptbxl
from ..feedback import check_number, close, exercise, incorrect

LINK_ON = ["sex", "age", "weight"]
RELEASE_QI = ["sex", "age", "year"]


@cache
def _meta() -> pd.DataFrame:
    meta = ptbxl.load_metadata()
    meta["normal"] = meta["scp_codes"].map(lambda t: "NORM" in ast.literal_eval(t))
    return meta


@cache
def _people() -> pd.DataFrame:
    """One row per patient: their first ECG, as in the lesson."""
    return _meta().sort_values("recording_date").drop_duplicates("patient_id")


@cache
def _register() -> tuple[pd.DataFrame, pd.Series]:
    return privacy.synthetic_register(_people(), LINK_ON, n_people=1000, share_in_records=0.2, seed=9)


@cache
def _icu() -> pd.DataFrame:
    stays = challenge2012.load_stays("a")
    first = stays[stays["Time"].eq(0) & stays["Parameter"].isin(["ICUType"])]
    icu = first.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    return icu.join(challenge2012.load_outcomes("a"))


@exercise
def uniqueness_sex_age_site(answer):
    people, meta = _people(), _meta()
    qi = ["sex", "age", "site"]
    expected = privacy.uniqueness(people, qi)
    n_unique = int(privacy.group_sizes(people, qi).eq(1).sum())
    if isinstance(answer, (int, np.integer)) and not isinstance(answer, bool) and int(answer) == n_unique:
        return close(f"{n_unique} is the number of unique patients; the exercise asks for their share (0 to 1).")
    return check_number(
        answer,
        expected,
        mistakes=[
            (100 * expected, "that is a percentage; give the share as a number from 0 to 1."),
            (
                privacy.uniqueness(meta, qi),
                "you measured the ECG table. A patient with two ECGs would count as a group of two people: "
                "use `people`, one row per patient.",
            ),
            (
                privacy.uniqueness(people.dropna(subset=qi), qi),
                "you dropped the patients with a missing value first. A missing age is something an outsider "
                "sees too: keep those rows, missing counts as a value of its own.",
            ),
            (
                float(people.groupby(qi)["age"].transform("size").eq(1).sum()) / len(people),
                "pandas' groupby and value_counts leave out rows with a missing value unless told "
                "`dropna=False`: those patients vanished from your count. Missing counts as a value of its own.",
            ),
            (
                float(people.duplicated(qi, keep="first").pipe(lambda d: (~d).mean())),
                "`duplicated()` marks only the later copies (keep='first'), so the first patient of every group "
                "looks unique; count the rows whose group has size 1 (`keep=False`).",
            ),
            (
                1 - expected,
                "that is the share of patients who are NOT unique; the exercise asks for those alone in their group.",
            ),
        ],  # fmt: skip
        what="a share between 0 and 1",
        hint="Count, for each patient, how many share their sex, age and site (missing included); "
        "the share asked for is of patients alone in their group.",
    )


def _kept(table: pd.DataFrame, width: int | None, k: int = 5, strict: bool = False) -> int:
    age = table["age"] if width is None else privacy.bands(table["age"], width, top=80)
    g = table.assign(age=age, year=privacy.year_only(table["recording_date"]))
    sizes = privacy.group_sizes(g, RELEASE_QI)
    return int(sizes.gt(k).sum() if strict else sizes.ge(k).sum())


@exercise
def kept_after_suppression(answer):
    people, meta = _people(), _meta()
    return check_number(
        answer,
        _kept(people, 5),
        mistakes=[
            (
                _kept(people, None),
                "you kept the exact ages. Generalise them first: privacy.bands(people['age'], 5, top=80).",
            ),
            (_kept(people, 10), "those are 10-year bands (the lesson's); the exercise asks for 5-year bands."),
            (_kept(people, 5, strict=True), "you kept groups of more than 5; k ≥ 5 keeps groups of exactly 5 too."),
            (_kept(meta, 5), "you counted ECGs; the release is of patients, one row each (`people`)."),
            (len(people) - _kept(people, 5), "that is the number suppressed; the exercise asks how many are kept."),
        ],  # fmt: skip
        what="a whole number of patients",
        hint="Generalise age (5-year bands, 80+ together) and date (year only), then suppress the groups under 5.",
    )


def _joined() -> pd.DataFrame:
    register, _ = _register()
    return register.reset_index(names="entry").merge(_people().reset_index(), on=LINK_ON, how="inner")


@exercise
def pinned_entries(answer):
    joined = _joined()
    per_entry = joined.groupby("entry")["ecg_id"].transform("size")
    per_record = joined.groupby("ecg_id")["entry"].transform("size")
    expected = int((per_entry.eq(1) & per_record.eq(1)).sum())
    return check_number(
        answer,
        expected,
        mistakes=[
            (
                len(joined),
                "that is the number of candidate pairs the join gives; count the entries pinned to one patient.",
            ),
            (
                joined["entry"].nunique(),
                "that counts every entry that matches at least one patient; some match several.",
            ),
            (
                int(per_entry.eq(1).sum()),
                "close: these entries match one patient each, but some of those patients also match another entry. "
                "A pin needs both sides to be unique.",
            ),
        ],  # fmt: skip
        what="a whole number of register entries",
        hint="Merge register and people on sex, age and weight; keep pairs whose entry and ecg_id each occur once.",
    )


@exercise
def dp_error_at(answer, epsilon: float = 0.2):
    import opendp.prelude as dp

    expected = dp.discrete_laplacian_scale_to_accuracy(1 / epsilon, alpha=0.05)
    return check_number(
        answer,
        expected,
        mistakes=[
            (
                dp.discrete_laplacian_scale_to_accuracy(epsilon, alpha=0.05),
                "you used ε as the noise scale. For a count (sensitivity 1) the scale is 1 / ε: less ε, more noise.",
            ),
            (
                dp.discrete_laplacian_scale_to_accuracy(1 / epsilon, alpha=0.95),
                "alpha is the share of releases allowed to be worse: for a 95% bound, alpha=0.05.",
            ),
        ],  # fmt: skip
        what="a number (an absolute error, in counts)",
        hint="dp.discrete_laplacian_scale_to_accuracy(scale=1 / epsilon, alpha=0.05).",
        rel=1e-6,
    )


@exercise
def pooled_death_rate(answer):
    icu = _icu()
    agg = icu.groupby("ICUType")["In-hospital_death"].agg(["sum", "size"])
    expected = agg["sum"].sum() / agg["size"].sum()
    rates = agg["sum"] / agg["size"]
    if not isinstance(answer, (int, float, np.floating, np.integer)) or isinstance(answer, bool):
        return incorrect(f"expected one number (a share between 0 and 1), got {type(answer).__name__}.")
    return check_number(
        answer,
        expected,
        mistakes=[
            (
                rates.mean(),
                "you averaged the units' rates: a small unit then counts as much as a large one. "
                "Add the deaths and the stays over the units, then divide.",
            ),
            (100 * expected, "that is a percentage; give the share as a number from 0 to 1."),
            (int(agg["sum"].sum()), "that is the number of deaths; divide by the number of stays."),
        ],  # fmt: skip
        what="a share between 0 and 1",
        hint="From `aggregates` only: deaths summed over the units divided by stays summed over the units.",
    )
