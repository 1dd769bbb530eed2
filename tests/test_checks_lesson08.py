"""Lesson 08 checks: not attempted, the typical mistakes they name, and correct; they never raise."""

from __future__ import annotations

import ast
import datetime as dt

import pandas as pd
import pytest
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from heartdata import challenge2012, feedback, interop, mitdb, ptbxl
from heartdata.checks import lesson08

CHECKS = [
    lesson08.ecgs_without_aha,
    lesson08.aami_first_minutes,
    lesson08.bun_to_urea,
    lesson08.hr_observation,
    lesson08.lost_values,
]


@pytest.mark.parametrize("bad", ["124", [1, 2], {"a": 1}, object(), True])
def test_checks_never_raise(bad):
    for check in CHECKS:
        fb = check(bad)
        assert fb.status == feedback.INCORRECT, (check.__name__, bad, fb)
        assert check(None).status == feedback.NOT_ATTEMPTED


def test_ecgs_without_aha():
    meta, scp = ptbxl.load_metadata(), ptbxl.load_scp_statements()
    no = scp["AHA code"].isna()
    st = meta["scp_codes"].map(ast.literal_eval)
    good = int(st.map(lambda d: any(no[c] for c in d)).sum())
    assert lesson08.ecgs_without_aha(good).correct
    fb = lesson08.ecgs_without_aha(int(no.sum()))
    assert fb.status == feedback.CLOSE and "statements" in fb.message and "ECGs" in fb.message
    fb = lesson08.ecgs_without_aha(int(st.map(lambda d: all(no[c] for c in d)).sum()))
    assert fb.status == feedback.CLOSE and "any, not all" in fb.message
    fb = lesson08.ecgs_without_aha(len(meta) - good)
    assert fb.status == feedback.CLOSE and "complement" in fb.message
    fb = lesson08.ecgs_without_aha(int(st.map(lambda d: any(no[c] for c, v in d.items() if v > 0)).sum()))
    assert fb.status == feedback.CLOSE and "likelihood 0" in fb.message
    assert lesson08.ecgs_without_aha(3).status == feedback.INCORRECT


def test_aami_first_minutes():
    ann = mitdb.load_annotations()
    first = ann[ann["time_s"] < 600]
    classes = interop.aami_class(first["symbol"])
    good = classes.value_counts().reindex(list("NSVFQ"), fill_value=0)
    assert lesson08.aami_first_minutes(good).correct
    fb = lesson08.aami_first_minutes(classes.value_counts())  # classes with no beat left out
    assert fb.status == feedback.CLOSE and "count of 0" in fb.message
    fb = lesson08.aami_first_minutes(first["symbol"].value_counts())  # symbols, not classes
    assert fb.status == feedback.CLOSE and "AAMI_CLASSES" in fb.message
    with_plus = classes.fillna("Q").value_counts().reindex(list("NSVFQ"), fill_value=0)  # '+' counted as Q
    fb = lesson08.aami_first_minutes(with_plus)
    assert fb.status == feedback.CLOSE and "rhythm change" in fb.message
    whole = interop.aami_class(ann["symbol"]).value_counts().reindex(list("NSVFQ"), fill_value=0)
    fb = lesson08.aami_first_minutes(whole)
    assert fb.status == feedback.CLOSE and "whole record" in fb.message
    assert lesson08.aami_first_minutes(pd.DataFrame({"N": [1]})).status == feedback.INCORRECT


def test_bun_to_urea():
    stays = challenge2012.load_stays()
    median = stays.loc[stays["Parameter"].eq("BUN"), "Value"].median()
    assert lesson08.bun_to_urea(median * 10 / 28.014).correct
    assert "nitrogen" in lesson08.bun_to_urea(median * 10 / 60.06).message
    assert "decilitre" in lesson08.bun_to_urea(median / 28.014).message
    assert "multiplied" in lesson08.bun_to_urea(median * 28.014 / 10).message
    assert "not converted" in lesson08.bun_to_urea(median).message


def _hr(**change):
    parts = {
        "status": "final",
        "code": CodeableConcept(coding=[Coding(system=interop.LOINC, code="8867-4")]),
        "subject": Reference(reference="Patient/c2012-a-132539"),
        "effectiveDateTime": (interop.REFERENCE + dt.timedelta(minutes=30)).isoformat(),
        "valueQuantity": Quantity(value=87, unit="/min", system=interop.UCUM, code="/min"),
    }
    parts.update(change)
    return Observation(**parts)


def test_hr_observation():
    assert lesson08.hr_observation(_hr()).correct
    fb = lesson08.hr_observation(_hr(status="done"))
    assert fb.status == feedback.CLOSE and "value set" in fb.message
    fb = lesson08.hr_observation(_hr(valueQuantity=Quantity(value=87, unit="bpm", system=interop.UCUM, code="bpm")))
    assert fb.status == feedback.CLOSE and "not a UCUM code" in fb.message
    fb = lesson08.hr_observation(_hr(code=CodeableConcept(coding=[Coding(system="LOINC", code="8867-4")])))
    assert fb.status == feedback.CLOSE and "system" in fb.message
    with pytest.raises(ValueError):  # the library itself refuses a time of day without a time zone
        _hr(effectiveDateTime="2000-01-01T00:30:00")
    fb = lesson08.hr_observation(_hr(effectiveDateTime="2000-01-01"))  # a date only
    assert fb.status == feedback.CLOSE and "30 minutes" in fb.message
    fb = lesson08.hr_observation(_hr(effectiveDateTime=interop.REFERENCE.isoformat()))
    assert fb.status == feedback.CLOSE and "30 minutes" in fb.message
    fb = lesson08.hr_observation(_hr(subject=Reference(reference="Patient/132539")))
    assert fb.status == feedback.CLOSE and "Patient/c2012-a-132539" in fb.message
    fb = lesson08.hr_observation(_hr().model_dump())
    assert fb.status == feedback.INCORRECT and "dict" in fb.message
    assert lesson08.hr_observation(_hr(valueQuantity=Quantity(value=78, unit="/min"))).status == feedback.INCORRECT


def test_lost_values(tmp_path):
    stays = challenge2012.load_stays()
    ids = sorted(stays["RecordID"].unique())[:10]
    raw = stays[stays["RecordID"].isin(ids)]
    interop.write_ndjson(interop.stay_resources(raw), tmp_path)
    back = interop.resources_to_table(interop.read_ndjson(tmp_path))
    good = back.loc[back["Value"].isna(), "Parameter"].value_counts()
    assert lesson08.lost_values(good).correct
    sentinels = raw[[interop.is_sentinel(p, v) for p, v in zip(raw["Parameter"], raw["Value"], strict=True)]]
    assert lesson08.lost_values(sentinels["Parameter"].value_counts()).correct  # counting the -1s directly is right too
    local = raw.loc[raw["Parameter"].isin(["ICUType", "MechVent"]), "Parameter"].value_counts()
    fb = lesson08.lost_values(local)
    assert fb.status == feedback.CLOSE and "LOINC code" in fb.message
    one = back[back["RecordID"].eq(ids[0])]
    fb = lesson08.lost_values(one.loc[one["Value"].isna(), "Parameter"].value_counts())
    assert fb.status == feedback.CLOSE and "one stay" in fb.message
    assert lesson08.lost_values(raw["Parameter"].value_counts()).status == feedback.INCORRECT
