"""Every fact lesson 08 states, recomputed through the package and pinned (verified on the shipped data)."""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd
import pydicom
import pytest
import wfdb

from heartdata import challenge2012, interop, mitdb, ptbxl

FLAGS = ["baseline_drift", "static_noise", "burst_noise", "electrodes_problems", "extra_beats", "pacemaker"]
MARKERS = {  # as in the lesson (and lesson 03)
    "German": r"\b(sinusrhythmus|sinusbradykardie|sinustachykardie|linkstyp|lagetyp|normales|extrasystole|verdacht)\b",
    "Swedish": r"\b(sinusrytm|sinusbradykardi|sinustachykardi|vänster|normalt|förändring|förmaksflimmer)\b",
    "English": r"\b(rhythm|normal ecg|trace only|atrial|fibrillation|otherwise|the|with)\b",
}


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays("a")


@pytest.fixture(scope="module")
def meta():
    return ptbxl.load_metadata()


@pytest.fixture(scope="module")
def stay(stays):
    return stays[stays["RecordID"].eq(int(stays["RecordID"].iloc[0]))]


def _language(text):
    hits = {lang: len(re.findall(p, text.lower())) for lang, p in MARKERS.items()}
    best = max(hits, key=hits.get)
    return best if hits[best] else "no marker"


def test_silos(stays, meta):
    assert stays["RecordID"].nunique() == 4000 and stays["Parameter"].nunique() - 1 == 41
    assert stays["Time"].max() == 2880
    assert len(meta) == 450 and meta["patient_id"].nunique() == 419 and len(ptbxl.load_scp_statements()) == 71
    recorded = pd.to_datetime(meta["recording_date"])
    assert f"{recorded.min():%Y-%m-%d}" == "1984-11-09" and f"{recorded.max():%Y-%m-%d}" == "1987-02-21"
    assert meta["report"].map(_language).value_counts().to_dict() == {
        "German": 254, "English": 128, "Swedish": 52, "no marker": 16}  # fmt: skip
    header = wfdb.rdheader(str(ptbxl.data_dir() / meta["filename_lr"].iloc[0]))
    mit = mitdb.load_record("100")
    assert set(header.units) == set(mit.units) == {"mV"}
    assert mit.fs == 360 and mit.base_date is None and mit.record_name == "100"
    assert mitdb.load_annotations()["symbol"].nunique() == 4


def test_code_table(stays):
    codes = interop.code_table()
    assert codes.index.isin(stays["Parameter"].unique()).sum() == 41
    assert int(codes["loinc"].ne("").sum()) == 39
    assert list(codes.index[codes["loinc"].eq("")]) == ["ICUType", "MechVent"]
    assert list(codes.index[codes["checked"].eq("unsure")]) == [
        "Gender", "ICUType", "DiasABP", "MAP", "MechVent", "NIDiasABP", "NIMAP", "SysABP", "Urine"]  # fmt: skip
    assert list(codes.index[codes["checked"].eq("searched")]) == ["FiO2", "Mg", "NISysABP"]
    assert interop.is_ucum("mm[Hg]") and not interop.is_ucum("mmHg")


def test_units(stays):
    def median(p):
        return stays.loc[stays["Parameter"].eq(p), "Value"].median()

    assert median("Glucose") == 130 and interop.to_si("Glucose", 130) == pytest.approx(7.216, abs=5e-4)
    assert median("Creatinine") == 1.0 and interop.to_si("Creatinine", 1.0) == pytest.approx(88.402, abs=5e-4)
    mg = stays.loc[stays["Parameter"].eq("Mg"), "Value"]
    assert len(mg) == 9900 and mg.median() == 2.0 and tuple(mg.quantile([0.25, 0.75])) == (1.7, 2.2)
    assert 1.7 <= mg.median() <= 2.4 and not 0.7 <= mg.median() <= 1.0  # the mg/dL range, not the mmol/L one
    assert interop.to_si("Mg", 2.0) == pytest.approx(0.82, abs=0.005)
    assert 1 / interop.to_si("Mg", 1.0) == pytest.approx(2.43, abs=0.005)


def test_scp_equivalents(meta):
    scp = ptbxl.load_scp_statements()
    targets = ["AHA code", "aECG REFID", "CDISC Code", "DICOM Code"]
    missing = scp[targets].isna().sum().to_dict()
    assert missing == {"AHA code": 34, "aECG REFID": 48, "CDISC Code": 58, "DICOM Code": 58}
    assert int(scp[targets].isna().all(axis=1).sum()) == 29
    st = meta["scp_codes"].map(ast.literal_eval)
    assert int(st.map(lambda d: all(pd.notna(scp.loc[c, "DICOM Code"]) for c in d)).sum()) == 8
    assert scp["AHA code"].dtype == np.float64


def test_aami_counts():
    ann = mitdb.load_annotations()
    classes = interop.aami_class(ann["symbol"])
    assert classes.value_counts().reindex(list("NSVFQ"), fill_value=0).to_dict() == {
        "N": 2239, "S": 33, "V": 1, "F": 0, "Q": 0}  # fmt: skip
    assert ann.loc[classes.isna(), "symbol"].value_counts().to_dict() == {"+": 1}


def test_fhir_stay(stay):
    assert int(stay["RecordID"].iloc[0]) == 132539 and len(stay) == 256
    res = interop.stay_resources(stay)
    assert len(res["Observation"]) == 255 and len(interop.bundle(res).entry) == 257
    assert res["Patient"][0].gender == "female"
    assert sum(len(interop.terminology_problems(o)) for o in res["Observation"]) == 0
    assert len(interop.bundle(res).model_dump_json()) > 20 * len(stay.to_csv(index=False))


def test_dicom_ecg(tmp_path, meta):
    ecg_id = int(meta.index[0])
    ds = pydicom.dcmread(interop.write_dicom(interop.ecg_dicom(ecg_id, fs=500), tmp_path / "e.dcm"))
    rec = wfdb.rdrecord(str(ptbxl.data_dir() / meta.loc[ecg_id, "filename_hr"]))
    assert ds.SOPClassUID.name == "12-lead ECG Waveform Storage"
    assert ds.WaveformSequence[0].NumberOfWaveformChannels == 12
    assert ds.WaveformSequence[0].NumberOfWaveformSamples == 5000
    assert np.abs(ds.waveform_array(0) - rec.p_signal).max() < 1e-12 and max(1 / np.asarray(rec.adc_gain)) == 0.001
    dat = (ptbxl.data_dir() / (meta.loc[ecg_id, "filename_hr"] + ".dat")).stat().st_size
    assert dat == 120000 and ds.filename and len(interop.ecg_observation(ecg_id, fs=500).model_dump_json()) > dat
    assert interop.ecg_iod_problems(ds) == [] and interop.ecg_iod_problems(interop.ecg_dicom(ecg_id, fs=100))
    assert meta.loc[ecg_id, FLAGS].dropna().to_dict() == {"static_noise": " , I-V1,  "}
    assert int(meta[FLAGS].notna().any(axis=1).sum()) == 153 and int(meta[FLAGS].notna().sum().sum()) == 197


def test_hl7(stay):
    parsed = interop.parse_oru_r01(interop.oru_r01(stay).to_er7())
    labs = stay[stay["Parameter"].isin(interop.LAB_PARAMETERS)]
    assert len(parsed) == len(labs) == 11 and (parsed["value"].to_numpy() == labs["Value"].to_numpy()).all()
    from_hl7 = interop.oru_to_fhir(parsed)
    assert sum(len(interop.terminology_problems(o)) for o in from_hl7) == 0
    res = interop.stay_resources(stay)
    body = list(stay.index[stay["Parameter"].ne("RecordID")])
    direct = res["Observation"][body.index(labs.index[0])]
    assert float(direct.valueQuantity.value) == float(from_hl7[0].valueQuantity.value)
    only_direct = set(direct.model_dump(exclude_none=True)) - set(from_hl7[0].model_dump(exclude_none=True))
    assert only_direct == {"category", "encounter"}


def test_round_trip_of_twenty_stays(stays, tmp_path):
    ids = sorted(stays["RecordID"].unique())[:20]
    raw = stays[stays["RecordID"].isin(ids)]
    rt = interop.round_trip(raw, tmp_path)
    assert (rt["values_exported"], rt["equal"], rt["sentinel_to_data_absent_reason"]) == (8148, 8139, 9)
    assert rt["different"] == rt["missing_after_round_trip"] == rt["not_in_source"] == 0
    obs = interop.read_ndjson(tmp_path)["Observation"]
    assert len(obs) == 8128 and int(raw.duplicated(["RecordID", "Time", "Parameter"]).sum()) == 6
    assert sum(1 for o in obs if o.valueQuantity is not None and o.valueQuantity.code) == 8001
    bare = [o.code.text for o in obs if o.valueQuantity is not None and not o.valueQuantity.code]
    assert len(bare) == 118 and set(bare) == {"Gender", "ICUType", "MechVent"}


def test_omop(stay):
    omop = interop.omop_measurement(stay)
    assert omop.shape == (255, 12) and int(omop["value_as_number"].isna().sum()) == 2
    assert omop["measurement_concept_id"].eq(0).all()
