"""Lesson 09 checks: not attempted, the typical mistakes they name, and correct; they never raise."""

from __future__ import annotations

import opendp.prelude as dp
import pytest

from heartdata import feedback, privacy
from heartdata.checks import lesson09

CHECKS = [
    lesson09.uniqueness_sex_age_site,
    lesson09.kept_after_suppression,
    lesson09.pinned_entries,
    lesson09.dp_error_at,
    lesson09.pooled_death_rate,
]


@pytest.mark.parametrize("bad", ["0.2", [1, 2], {"a": 1}, object(), True])
def test_checks_never_raise(bad):
    for check in CHECKS:
        fb = check(bad)
        assert fb.status == feedback.INCORRECT, (check.__name__, bad, fb)
    for check in CHECKS:
        assert check(None).status == feedback.NOT_ATTEMPTED


@pytest.fixture(scope="module")
def people():
    return lesson09._people()


def test_uniqueness(people):
    qi = ["sex", "age", "site"]
    share = privacy.uniqueness(people, qi)
    assert lesson09.uniqueness_sex_age_site(share).correct
    fb = lesson09.uniqueness_sex_age_site(100 * share)
    assert fb.status == feedback.CLOSE and "percentage" in fb.message
    fb = lesson09.uniqueness_sex_age_site(privacy.uniqueness(lesson09._meta(), qi))
    assert fb.status == feedback.CLOSE and "one row per patient" in fb.message
    fb = lesson09.uniqueness_sex_age_site(privacy.uniqueness(people.dropna(subset=qi), qi))
    assert fb.status == feedback.CLOSE and "missing" in fb.message
    fb = lesson09.uniqueness_sex_age_site(int(privacy.group_sizes(people, qi).eq(1).sum()))
    assert fb.status == feedback.CLOSE and "share" in fb.message
    assert lesson09.uniqueness_sex_age_site(0.9).status == feedback.INCORRECT


def _generalised(table, width):
    age = table["age"] if width is None else privacy.bands(table["age"], width, top=80)
    return table.assign(age=age, year=privacy.year_only(table["recording_date"]))


def test_kept_after_suppression(people):
    qi = ["sex", "age", "year"]
    right = len(privacy.suppress(_generalised(people, 5), qi, k=5))
    assert lesson09.kept_after_suppression(right).correct
    fb = lesson09.kept_after_suppression(len(privacy.suppress(_generalised(people, None), qi, k=5)))
    assert fb.status == feedback.CLOSE and "exact ages" in fb.message
    fb = lesson09.kept_after_suppression(len(privacy.suppress(_generalised(people, 10), qi, k=5)))
    assert fb.status == feedback.CLOSE and "10-year" in fb.message
    fb = lesson09.kept_after_suppression(len(privacy.suppress(_generalised(people, 5), qi, k=6)))
    assert fb.status == feedback.CLOSE and "more than 5" in fb.message
    fb = lesson09.kept_after_suppression(len(privacy.suppress(_generalised(lesson09._meta(), 5), qi, k=5)))
    assert fb.status == feedback.CLOSE and "ECGs" in fb.message
    fb = lesson09.kept_after_suppression(len(people) - right)
    assert fb.status == feedback.CLOSE and "suppressed" in fb.message


def test_pinned_entries(people):
    register, _ = privacy.synthetic_register(people, ["sex", "age", "weight"], 1000, 0.2, seed=9)
    joined = register.reset_index(names="entry").merge(people.reset_index(), on=["sex", "age", "weight"])
    one_patient = joined.groupby("entry")["ecg_id"].transform("size").eq(1)
    one_entry = joined.groupby("ecg_id")["entry"].transform("size").eq(1)
    assert lesson09.pinned_entries(int((one_patient & one_entry).sum())).correct
    fb = lesson09.pinned_entries(len(joined))
    assert fb.status == feedback.CLOSE and "candidate pairs" in fb.message
    fb = lesson09.pinned_entries(joined["entry"].nunique())
    assert fb.status == feedback.CLOSE and "at least one" in fb.message
    fb = lesson09.pinned_entries(int(one_patient.sum()))
    assert fb.status == feedback.CLOSE and "both sides" in fb.message


def test_dp_error():
    dp.enable_features("contrib")
    assert lesson09.dp_error_at(dp.discrete_laplacian_scale_to_accuracy(5.0, alpha=0.05)).correct
    fb = lesson09.dp_error_at(dp.discrete_laplacian_scale_to_accuracy(0.2, alpha=0.05))
    assert fb.status == feedback.CLOSE and "1 / ε" in fb.message
    fb = lesson09.dp_error_at(dp.discrete_laplacian_scale_to_accuracy(5.0, alpha=0.95))
    assert fb.status == feedback.CLOSE and "alpha=0.05" in fb.message


def test_pooled_death_rate():
    icu = lesson09._icu()
    agg = icu.groupby("ICUType")["In-hospital_death"].agg(["sum", "size"])
    rate = agg["sum"].sum() / agg["size"].sum()
    assert lesson09.pooled_death_rate(rate).correct
    assert lesson09.pooled_death_rate(icu["In-hospital_death"].mean()).correct  # the same number, pooled rows
    fb = lesson09.pooled_death_rate((agg["sum"] / agg["size"]).mean())
    assert fb.status == feedback.CLOSE and "averaged" in fb.message
    fb = lesson09.pooled_death_rate(100 * rate)
    assert fb.status == feedback.CLOSE and "percentage" in fb.message
    fb = lesson09.pooled_death_rate(int(agg["sum"].sum()))
    assert fb.status == feedback.CLOSE and "number of deaths" in fb.message


def test_uniqueness_names_the_pandas_slips_from_a_student_walkthrough():
    from heartdata import privacy
    from heartdata.checks import lesson09

    people, qi = lesson09._people(), ["sex", "age", "site"]
    counts = people[qi].value_counts()  # dropna=True by default: rows with a missing value vanish
    assert "dropna=False" in lesson09.uniqueness_sex_age_site(float((counts == 1).sum() / len(people))).message
    assert "keep=False" in lesson09.uniqueness_sex_age_site(float((~people.duplicated(qi)).mean())).message
    assert "NOT unique" in lesson09.uniqueness_sex_age_site(1 - privacy.uniqueness(people, qi)).message
