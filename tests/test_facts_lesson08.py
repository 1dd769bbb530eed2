"""Every fact lesson 08 states, recomputed and pinned (verified on the shipped data). Counts about the raw files are
recomputed here with pandas alone where that is cheap; facts about the exports go through the package."""

from __future__ import annotations

import ast
import io
import json
import re
import tarfile

import numpy as np
import pandas as pd
import pydicom
import pytest
import wfdb
from conftest import DATA

from heartdata import challenge2012, fhirvalidate, interop, mitdb, ptbxl

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
    assert f"{recorded.min():%Y-%m}" == "1984-11" and f"{recorded.max():%Y-%m}" == "1987-02"  # months, as printed
    assert meta["report"].map(_language).value_counts().to_dict() == {
        "German": 254, "English": 128, "Swedish": 52, "no marker": 16}  # fmt: skip
    header = wfdb.rdheader(str(ptbxl.data_dir() / meta["filename_lr"].iloc[0]))
    mit = mitdb.load_record("100")
    assert set(header.units) == set(mit.units) == {"mV"}
    # r25-08 finding 1: only PTB-XL's header writes the unit; MIT-BIH's gain field has no '/units', so the file
    # states none (WFDB header(5): "the physical unit may be assumed to be one millivolt") and wfdb fills in 'mV'
    fields = [ln.split()[2] for ln in (DATA / "mitdb" / "100.hea").read_text().splitlines()[1:] if ".dat" in ln]
    assert fields == ["200", "200"]
    hea = (ptbxl.data_dir() / (meta["filename_lr"].iloc[0] + ".hea")).read_text().splitlines()[1:]
    assert all(ln.split()[2].endswith("/mV") for ln in hea if ".dat" in ln)
    assert mit.fs == 360 and mit.base_date is None and mit.record_name == "100"
    assert mitdb.load_annotations()["symbol"].nunique() == 4


def test_code_table(stays):
    codes = interop.code_table()
    assert codes.index.isin(stays["Parameter"].unique()).sum() == 41
    assert int(codes["goes_to"].eq("Observation").sum()) == 32
    elsewhere = codes.loc[codes["goes_to"].ne("Observation"), "goes_to"]
    assert elsewhere.value_counts().to_dict() == {
        "BP panel (arterial line)": 3, "BP panel (cuff)": 3, "Encounter.type": 1, "Patient.gender": 1, "Procedure": 1}
    assert list(codes.index[codes["checked"].eq("unsure")]) == [
        "Gender", "ICUType", "Glucose", "HCO3", "HCT", "K", "Lactate", "Na", "SaO2", "Urine"]  # fmt: skip
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


def test_scp_crosswalk_and_snomed():
    # straight from the CSV files, without the package's loaders
    scp = pd.read_csv(DATA / "ptbxl" / "scp_statements.csv", index_col=0)
    meta = pd.read_csv(DATA / "ptbxl" / "ptbxl_database.csv", index_col="ecg_id")
    targets = ["AHA code", "aECG REFID", "CDISC Code", "DICOM Code"]
    assert scp[targets].notna().sum().to_dict() == {"AHA code": 37, "aECG REFID": 23, "CDISC Code": 13,
                                                    "DICOM Code": 13}  # fmt: skip
    assert sum(s in interop.SCP_SNOMED for s in scp.index) == 35
    assert not {"NST_", "STD_", "STE_", "RAO/RAE", "PACE", "AMI"} & set(interop.SCP_SNOMED)  # widenings (review 2)
    st = meta["scp_codes"].map(ast.literal_eval)
    pairs = [(e, s) for e, d in st.items() for s in d]
    assert len(pairs) == 1099
    no_dicom = [s for _, s in pairs if pd.isna(scp.loc[s, "DICOM Code"])]
    assert len(no_dicom) == 735 and pd.Series(no_dicom).value_counts().head(1).to_dict() == {"SR": 368}
    assert int(st.map(lambda d: all(pd.notna(scp.loc[c, "DICOM Code"]) for c in d)).sum()) == 8
    assert int(st.map(lambda d: all(c in interop.SCP_SNOMED for c in d)).sum()) == 310
    left = pd.Series([s for _, s in pairs if s not in interop.SCP_SNOMED]).value_counts()
    assert left.sum() == 223 and left.head(4).to_dict() == {"NDT": 31, "IMI": 30, "ASMI": 26, "ISC_": 23}
    # every statement counts: 0 is PTB-XL's 'no likelihood given' (a rhythm statement is not graded): SR always has it
    assert {v for d in st for k, v in d.items() if k == "SR"} == {0.0}


def test_aami_counts():
    ann = mitdb.load_annotations()
    classes = interop.aami_class(ann["symbol"])
    assert classes.value_counts().reindex(list("NSVFQ"), fill_value=0).to_dict() == {
        "N": 2239, "S": 33, "V": 1, "F": 0, "Q": 0}  # fmt: skip
    assert ann.loc[classes.isna(), "symbol"].value_counts().to_dict() == {"+": 1}


def test_fhir_stay(stay):
    assert int(stay["RecordID"].iloc[0]) == 132539 and len(stay) == 256
    res = interop.stay_resources(stay)
    assert {t: len(r) for t, r in res.items()} == {"Patient": 1, "Encounter": 1, "Observation": 187, "Procedure": 0}
    assert int(stay["Parameter"].isin(list(interop.BP_COMPONENT)).sum()) == 99
    assert sum(1 for o in res["Observation"] if o.component) == 33
    bundle = interop.bundle(res)
    assert len(bundle.entry) == 189 and len(stay.to_csv(index=False)) == 6044
    assert len(bundle.model_dump_json()) > 20 * 6044


def test_validation_facts(stays, stay):
    hr = next(o for o in interop.stay_resources(stay)["Observation"] if o.code.text == "HR")
    bad = json.loads(hr.model_dump_json())
    bad["status"] = "done"
    bad["dataAbsentReason"] = {"text": "monitor off"}
    del bad["valueQuantity"]["system"]
    bad["code"]["coding"].append({"system": "http://loinc.org", "code": "8310-6"})
    del bad["category"]
    bad["subject"] = {"reference": "Device/monitor-3"}
    assert fhirvalidate.structure_issues(bad) == []
    issues = fhirvalidate.issues_table(fhirvalidate.validate_resource(bad))
    assert len(issues) == 7 and issues["rule"].nunique() == 5
    held_out = sorted(stays["RecordID"].unique())[-1:]
    assert held_out == [142673]
    held = interop.stay_resources(stays[stays["RecordID"].isin(held_out)])
    assert sum(len(v) for v in held.values()) == 559
    assert fhirvalidate.validate(held) == []
    data = json.loads(interop.bundle(held).model_dump_json())
    refs = sum(1 for e in data["entry"] for k in ("subject", "encounter") if k in e["resource"])
    assert refs == 1115 and fhirvalidate.bundle_reference_issues(data) == []
    old_style = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": f"urn:heartdata:{t}/{r.id}", "resource": json.loads(r.model_dump_json())}
        for t, rs in held.items() for r in rs]}  # fmt: skip
    assert len(fhirvalidate.bundle_reference_issues(old_style)) == 1115
    assert fhirvalidate.validate_bundle(data) == []  # the rewritten entries too
    encounter = next(e["fullUrl"] for e in data["entry"] if e["resource"]["resourceType"] == "Encounter")
    next(e for e in data["entry"] if e["resource"].get("code", {}).get("text") == "HR")["resource"]["subject"] = {
        "reference": encounter}
    wrong = fhirvalidate.bundle_reference_issues(data)
    assert [i.rule for i in wrong] == ["reference-type"] and "points at Encounter" in wrong[0].message


def test_impossible_values(stays):
    # lesson 06's limits, applied here without the package's vectorised helper
    from heartdata.cleaning import RANGES

    limits = stays["Parameter"].map(lambda p: RANGES.get(p, (np.nan, np.nan))[:2])
    low, high = limits.str[0], limits.str[1]
    sentinel = stays["Parameter"].isin(challenge2012.DESCRIPTORS) & stays["Value"].eq(-1)
    outside = (stays["Value"].lt(low) | stays["Value"].gt(high)) & ~sentinel
    assert int(outside.sum()) == 2159 == int(interop.impossible_values(stays).sum())
    p, v = stays["Parameter"], stays["Value"]
    assert [int((p.eq("Weight") & v.eq(0)).sum()), int((p.eq("Temp") & v.le(0)).sum()),
            int((p.eq("pH") & v.gt(14)).sum()), int((p.eq("HR") & v.eq(0)).sum())] == [178, 58, 8, 7]  # fmt: skip
    first = stays[p.eq("Weight") & v.eq(0)].iloc[0]
    assert int(first["RecordID"]) == 133888
    # review 4: blood pressure is the largest group, mostly charted zeros
    bp = p.isin(["SysABP", "DiasABP", "MAP", "NISysABP", "NIDiasABP", "NIMAP"])
    assert stays[outside & bp]["Parameter"].value_counts().to_dict() == {"SysABP": 681, "DiasABP": 680, "NIMAP": 45,
                                                                          "NISysABP": 172, "NIDiasABP": 102, "MAP": 30}
    assert int((bp & v.eq(0)).sum()) == 1709


def test_limb_leads_and_dicom(tmp_path, meta):
    hr_ids = [i for i in meta.index if (ptbxl.data_dir() / f"{meta.loc[i, 'filename_hr']}.hea").is_file()]
    assert len(hr_ids) == 60
    gaps = interop.limb_lead_identity(hr_ids, fs=500)
    assert gaps.to_numpy().max() == 1.5 and gaps["III"].max() == 1.0
    ecg_id = int(meta.index[0])
    ds = pydicom.dcmread(interop.write_dicom(interop.ecg_dicom(ecg_id, fs=500), tmp_path / "e.dcm"))
    rec = wfdb.rdrecord(str(ptbxl.data_dir() / meta.loc[ecg_id, "filename_hr"]))
    assert ds.SOPClassUID.name == "12-lead ECG Waveform Storage"
    groups = [(m.MultiplexGroupLabel, m.WaveformOriginality, int(m.NumberOfWaveformChannels))
              for m in ds.WaveformSequence]  # fmt: skip
    # the devices sampled at 400 Hz and the 500 Hz files were upsampled from it (the datacard quotes Wagner et al.
    # 2020, Methods): no published sample is as acquired, so neither group is ORIGINAL (PS3.3 Waveform Originality)
    datacard = (DATA / "ptbxl" / "DATACARD.md").read_text()
    assert f'"The original sampling frequency was {interop.PTBXL_ACQUIRED_HZ} Hz"' in datacard
    assert "upsampled to 500 Hz" in " ".join(datacard.split())
    assert groups == [("RECORDED", "DERIVED", 8), ("DERIVED LIMB", "DERIVED", 4)]
    descriptions = [c.ChannelDerivationDescription for m in ds.WaveformSequence for c in m.ChannelDefinitionSequence]
    assert all(len(d) <= 64 and f"{interop.PTBXL_ACQUIRED_HZ}->500" in d for d in descriptions)  # LO: 64 chars
    assert ds.WaveformSequence[0].NumberOfWaveformSamples == 5000
    _, sig = interop.dicom_signal(ds)
    assert np.abs(sig - rec.p_signal).max() < 1e-12 and max(1 / np.asarray(rec.adc_gain)) == 0.001
    dat = (ptbxl.data_dir() / (meta.loc[ecg_id, "filename_hr"] + ".dat")).stat().st_size
    assert dat == 120000 and len(interop.ecg_observation(ecg_id, fs=500).model_dump_json()) > dat
    lead = rec.p_signal[:, ptbxl.LEADS.index("II")]
    assert np.mean(np.abs(np.round(lead, 2) - lead) > 0.0005) == pytest.approx(0.76, abs=0.005)
    low = interop.ecg_dicom(ecg_id, fs=100)
    fits = {r["name"]: not interop.ecg_iod_problems(low, sop) for sop, r in interop.ECG_IODS.items()}
    assert fits == {"12-lead ECG": False, "General ECG": False, "Ambulatory ECG": True}


def test_ecg_report(meta):
    report = interop.ecg_report(1, 500)["DiagnosticReport"][0]
    coded = [(c.text, next((x.code for x in c.coding if x.system == interop.SNOMED), None))
             for c in report.conclusionCode]  # fmt: skip
    assert coded == [("NORM", "164854000"), ("LVOLT", "251146004"), ("SR", "426783006")]
    assert meta.loc[1, FLAGS].dropna().to_dict() == {"static_noise": " , I-V1,  "}
    assert int(meta[FLAGS].notna().any(axis=1).sum()) == 153 and int(meta[FLAGS].notna().sum().sum()) == 197
    assert str(interop.ecg_observation(1, 500).effectiveDateTime) == str(meta.loc[1, "recording_date"])[:10]


def test_likelihoods_and_why_the_export_filters_none():
    """Reviews r22-08 and r23-08: PTB-XL's likelihood is the curators' keyword mapping (Wagner et al. 2020, Table 4),
    and a keyword may qualify something else than the diagnosis, so every cut-off drops firm diagnoses; the export
    codes every statement with its likelihood in the extension. Recomputed from the raw CSV files (no loader)."""
    raw = pd.read_csv(DATA / "ptbxl" / "ptbxl_database.csv", index_col="ecg_id")
    dicts = raw["scp_codes"].map(ast.literal_eval)
    likelihoods = pd.Series([v for d in dicts for v in d.values()])
    assert likelihoods.value_counts().to_dict() == {0: 524, 100: 452, 80: 53, 50: 38, 15: 23, 35: 9}
    graded = [(e, s, v) for e, d in dicts.items() for s, v in d.items() if 0 < v < 100]
    dropped = {c: [(e, s) for e, s, v in graded if v < c] for c in (35, 50, 80, 100)}
    assert {c: (len(x), len({e for e, _ in x}), sum(s == "NORM" for _, s in x)) for c, x in dropped.items()} == {
        35: (23, 23, 0), 50: (32, 32, 0), 80: (70, 61, 3), 100: (123, 113, 49)}
    # ECG 8: the infarct is stated, its age undetermined ('alter unbest.'), yet IMI carries 35; ECG 267: 'consistent
    # with' is a keyword of 100, yet IMI carries 50; ECG 77: AMI at 50 from a report that names no infarct
    assert dicts[8] == {"IMI": 35.0, "ABQRS": 0.0, "SR": 0.0} and "inferiorer infarkt alter unbest." in " ".join(
        raw.loc[8, "report"].split())
    assert dicts[267]["IMI"] == 50 and "consistent with old inferior" in " ".join(raw.loc[267, "report"].split())
    assert dicts[77]["AMI"] == 50 and "infar" not in raw.loc[77, "report"].lower()
    assert (8, "IMI") in dropped[50] and (8, "IMI") not in dropped[35]
    pairs = [(e, s, v, raw.loc[e, "report"]) for e, d in dicts.items() for s, v in d.items() if v == 80]
    otherwise = [p for p in pairs if re.search("sonst|otherwise|eljest", p[3], re.IGNORECASE)]
    assert (len(pairs), len(otherwise), sum(s == "NORM" for _, s, _, _ in pairs)) == (53, 40, 46)
    for ecg_id in (2, 8, 77, 267):  # the export: every statement coded, its likelihood beside it, nothing else
        report = interop.ecg_report(ecg_id, 100)["DiagnosticReport"][0]
        assert {c.text: interop.scp_likelihood(c) for c in report.conclusionCode} == dicts[ecg_id]
        assert report.extension is None and "keywords" not in report.model_dump_json()
    assert not hasattr(interop, "SCP_DOUBT_BELOW")
    assert "not a probability" in interop.SCP_LIKELIHOOD_DEFINITION and "Table 4" in interop.SCP_LIKELIHOOD_DEFINITION
    text = "".join("".join(c["source"]) for c in json.loads(
        (DATA.parent / "notebooks" / "08-interoperability.ipynb").read_text())["cells"])
    assert "EXAMPLES = [8, 267]" in text and "held back" not in text and "still says them in words" not in text
    # r24-08: the examples show that the numbers do not follow Table 4 (computed from the keywords), and the
    # likelihood is the cardiologist's worded certainty, not "not a cardiologist's certainty"
    table4 = {w.strip().lower(): v for v, ws in interop.SCP_LIKELIHOOD_KEYWORDS.items() for w in ws.split(",")}
    found = {e: {w: v for w, v in table4.items() if w in " ".join(raw.loc[e, "report"].split()).lower()}
             for e in (8, 267)}
    assert found == {8: {}, 267: {"consistent with": 100}} and dicts[8]["IMI"] != 100 and dicts[267]["IMI"] != 100
    assert "example_keywords" in text and "need not qualify" not in text
    assert table4["likely"] == 35 and table4["zustand nach"] == 100
    assert "not a cardiologist's certainty" not in interop.SCP_LIKELIHOOD_DEFINITION
    # r25-08 finding 2: a receiver that ignores the extension reads the statements coded 15-50 as asserted; 16 of
    # them carry a SNOMED CT code (1 at 15, 2 at 35, 13 at 50), and section 5 and section 7's table say so
    hedged = [(e, s, v) for e, d in dicts.items() for s, v in d.items() if 0 < v <= 50]
    assert (len(hedged), len({e for e, _, _ in hedged})) == (70, 61)
    snomed = [v for _, s, v in hedged if s in interop.SCP_SNOMED]
    assert (len(snomed), snomed.count(15), snomed.count(35), snomed.count(50)) == (16, 1, 2, 13)
    assert "this export overstates them" in text and "modifierExtension" in text
    # r25-08 finding 7: the ages, heights and weights PTB-XL gives, none of which the FHIR ECG export carries
    assert int(raw[["age", "height", "weight"]].notna().sum().sum()) == 938
    patient = interop.ecg_report(1, 100)["Patient"][0].model_dump(exclude_none=True)
    assert set(patient) == {"resourceType", "id", "meta", "identifier", "gender"}
    assert "certainty the diagnosing cardiologist expressed" in interop.SCP_LIKELIHOOD_DEFINITION


def test_likelihood_zero_is_not_graded_for_rhythm_and_form_statements():
    """Review r21-08, finding 1, and r23-08, finding 3: PTB-XL's paper sets form and rhythm statements to 0 ('not
    graded'; Wagner et al. 2020, quoted in the data card), and most are 0 in the data, but not all. Recomputed from
    the raw CSV files (no heartdata loader)."""
    scp = pd.read_csv(DATA / "ptbxl" / "scp_statements.csv", index_col=0)
    raw = pd.read_csv(DATA / "ptbxl" / "ptbxl_database.csv", index_col="ecg_id")
    dicts = raw["scp_codes"].map(ast.literal_eval)

    def kind(s):
        return "rhythm" if scp.loc[s, "rhythm"] == 1 else "diagnostic" if scp.loc[s, "diagnostic"] == 1 else "form"

    zeros: dict[str, list[int]] = {}
    for d in dicts:
        for s, v in d.items():
            z = zeros.setdefault(kind(s), [0, 0])
            z[0] += v == 0
            z[1] += 1
    assert zeros == {"rhythm": [419, 431], "form": [99, 112], "diagnostic": [6, 556]}
    assert {s for d in dicts for s, v in d.items() if v == 0 and kind(s) == "diagnostic"} == {"NST_"}
    nonzero = pd.Series([(s, v) for d in dicts for s, v in d.items() if v > 0 and kind(s) != "diagnostic"])
    assert nonzero.value_counts().to_dict() == {("PVC", 100): 13, ("AFLT", 100): 6, ("PACE", 100): 5,
                                                ("AFIB", 100): 1}  # fmt: skip
    card = DATA / "ptbxl" / "DATACARD.md"
    quote = "For form and rhythm statements or in cases where no likelihood information was available"
    assert quote in " ".join(card.read_text().split())
    lesson = json.loads((DATA.parent / "notebooks" / "08-interoperability.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in lesson["cells"])
    assert quote in text and "*not graded*" in text and "0 means *unknown*" not in text
    assert "sets rhythm and form statements to 0" not in text and "The paper's rule does not hold" in text


def _raw_set_a() -> dict[int, str]:
    """Each stay's text, straight from the shipped archive (no heartdata loader)."""
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        return {int(m.name.rsplit("/", 1)[-1][:-4]): tar.extractfile(m).read().decode()
                for m in tar.getmembers() if m.isfile() and m.name.endswith(".txt")}  # fmt: skip


def test_hl7(stays):
    raw = _raw_set_a()
    # a blood gas is any of the BGA panel's analytes (review r13-08: 1,792 counted only the stays with SaO2)
    with_gas = [rid for rid, text in raw.items() if any(f",{p}," in text for p in ("pH", "PaCO2", "PaO2", "SaO2"))]
    first_gas = min(with_gas)
    assert interop.LAB_PANELS["BGA"][1] == ["pH", "PaCO2", "PaO2", "SaO2"]
    assert first_gas == 132540 and len(with_gas) == 3063
    assert stays.loc[stays["Parameter"].isin(interop.LAB_PANELS["BGA"][1]), "RecordID"].nunique() == len(with_gas)
    gas = stays[stays["RecordID"].eq(first_gas)]
    parsed = interop.parse_oru_r01(interop.oru_r01(gas).to_er7())
    labs = gas[gas["Parameter"].isin(interop.LAB_PARAMETERS)]
    assert parsed["order"].nunique() == 19 and len(parsed) == len(labs) == 51
    assert sorted(parsed["value"]) == sorted(labs["Value"])
    fhir = interop.oru_to_fhir(parsed)
    types = ("Observation", "Specimen", "DiagnosticReport")
    by_type = {t: [r for r in fhir if r.get_resource_type() == t] for t in types}
    assert (len(by_type["Observation"]), len(by_type["Specimen"]), len(by_type["DiagnosticReport"])) == (51, 19, 19)
    assert fhirvalidate.validate(by_type) == []
    sao2 = next(o for o in by_type["Observation"] if o.code.text == "SaO2")
    assert [c.coding[0].code for c in sao2.category] == ["laboratory", "vital-signs"]
    via = by_type["Observation"][0]
    direct = next(o for o in interop.stay_resources(gas)["Observation"] if o.code.text == via.code.text
                  and float(o.valueQuantity.value) == float(via.valueQuantity.value))  # fmt: skip
    assert via.code.text == "pH"
    only_v2 = set(via.model_dump(exclude_none=True)) - set(direct.model_dump(exclude_none=True))
    only_direct = set(direct.model_dump(exclude_none=True)) - set(via.model_dump(exclude_none=True))
    assert only_v2 == {"specimen"} and only_direct == {"identifier"}
    assert not interop.is_impossible("pH", float(via.valueQuantity.value))  # "That pH of 7.45 is within ..."
    # the implausible value by both routes: 16 lab values in 14 stays; the first, stay 133473's pH of 95
    all_labs = stays[stays["Parameter"].isin(interop.LAB_PARAMETERS)]
    bad = all_labs[interop.impossible_values(all_labs)]
    assert (len(bad), bad["RecordID"].nunique()) == (16, 14)
    assert (int(bad.iloc[0]["RecordID"]), bad.iloc[0]["Parameter"], bad.iloc[0]["Value"]) == (133473, "pH", 95)
    text = interop.oru_r01(stays[stays["RecordID"].eq(133473)]).to_er7()
    assert "|95|[pH]^[pH]^UCUM||A|||F|" in text
    v2 = [o for o in interop.oru_to_fhir(interop.parse_oru_r01(text)) if getattr(o, "interpretation", None)]
    assert [(o.code.text, o.interpretation[0].coding[0].code, o.status) for o in v2] == [("pH", "A", "final")]


def test_ventilation_gaps():
    # straight from the raw files: the longest gap between MechVent chartings of each stay
    longest = []
    for text in _raw_set_a().values():
        t = pd.read_csv(io.StringIO(text))
        times = t.loc[t["Parameter"].eq("MechVent"), "Time"].map(lambda s: int(s[:2]) * 60 + int(s[3:]))
        if len(times) > 1:
            longest.append(np.diff(np.sort(times.to_numpy())).max() / 60)
        elif len(times) == 1:
            longest.append(np.nan)
    longest = pd.Series(longest)
    assert len(longest) == 2529 and int(longest.notna().sum()) == 2507
    assert int(longest.gt(12).sum()) == 140 and int(longest.gt(24).sum()) == 41
    gaps = interop.ventilation_gaps(challenge2012.load_stays("a"))
    assert int(gaps.gt(interop.VENT_GAP_HOURS).sum()) == 140 and int(gaps.notna().sum()) == 2507


def test_ventilation_still_charted_at_the_end_of_the_record(stays):
    """Finding 1 of the second review: the rule recomputed from the raw rows, without interop."""
    last = stays.groupby("RecordID")["Time"].max()
    vent = stays[stays["Parameter"].eq("MechVent")].sort_values(["RecordID", "Time"])
    tail = last.reindex(vent["RecordID"].unique()) - vent.groupby("RecordID")["Time"].max()
    assert len(tail) == 2529 and int(tail.le(60).sum()) == 1050 and int(tail.le(4 * 60).sum()) == 1487
    intervals = vent.groupby("RecordID")["Time"].diff().dropna()
    assert intervals.quantile(0.75) == 240 == interop.VENT_OPEN_HOURS * 60
    assert int(interop.ventilation_end_unknown(stays).sum()) == 1487


def test_round_trip_of_twenty_stays(stays, tmp_path):
    ids = sorted(stays["RecordID"].unique())[:20]
    raw = stays[stays["RecordID"].isin(ids)]
    rt = interop.round_trip(raw, tmp_path)
    assert (rt["values_exported"], rt["equal"], rt["sentinel_to_data_absent_reason"]) == (8148, 8074, 9)
    assert rt["by_parameter_sentinels"] == {"Height": 7, "Weight": 2}
    # 78 chartings in 9 stays: 9 starts come back, and 4 ends (5 stays' ends are unknown: VENT_OPEN_HOURS)
    assert (rt["merged_into_a_period"], rt["qualified"]) == (65, 0)
    # blood pressure from the raw rows (review 9, rev08): per stay, minute and method, every mean goes out alone
    # where that minute has more than one mean or no systolic or diastolic; the other rows pair by rank by value
    # among that minute's values of the parameter, and a group with one of systolic/diastolic lacks the other (a
    # dataAbsentReason component)
    part = {"SysABP": "s", "DiasABP": "d", "MAP": "m", "NISysABP": "s", "NIDiasABP": "d", "NIMAP": "m"}
    bp = raw[raw["Parameter"].isin(list(part))].assign(
        kind=lambda t: t["Parameter"].str.startswith("NI"), part=lambda t: t["Parameter"].map(part))
    minute = bp.groupby(["RecordID", "Time", "kind"])["part"]
    lone = bp["part"].eq("m") & (minute.transform(lambda p: (p == "m").sum() > 1)
                                 | ~minute.transform(lambda p: (p != "m").any()))
    alone = int(lone.sum())
    bp = bp[~lone]
    bp["n"] = bp.groupby(["RecordID", "Time", "kind", "part"])["Value"].rank(method="first")
    groups = bp.groupby(["RecordID", "Time", "kind", "n"])["part"].agg(set)
    absent = int(groups.map(lambda g: len({"s", "d"} - g) if g & {"s", "d"} else 0).sum())
    assert (rt["mean_alone"], rt["absent_components"]) == (alone, absent)
    open_ends = sum(p.performedPeriod.end is None for p in interop.stay_resources(raw)["Procedure"])
    assert open_ends == 5 and rt["end_unknown"] == open_ends  # the same Procedures read back: the lesson's count
    assert rt["different"] == rt["missing_after_round_trip"] == rt["not_in_source"] == 0
    assert rt["resources"] == {"Patient": 20, "Encounter": 20, "Observation": 5728, "Procedure": 9}
    assert rt["with_ucum_unit"] == 8001
    # straight from the raw rows
    assert int(raw["Parameter"].eq("MechVent").sum()) == 78 and raw.loc[raw["Parameter"].eq("MechVent"),
                                                                       "RecordID"].nunique() == 9  # fmt: skip
    assert int(raw["Parameter"].isin(["SysABP", "DiasABP", "MAP", "NISysABP", "NIDiasABP", "NIMAP"]).sum()) == 3430
    assert int(raw.duplicated(["RecordID", "Time", "Parameter"]).sum()) == 6
    repeats_a = stays[stays.duplicated(["RecordID", "Time", "Parameter"])]["Parameter"].value_counts()
    assert int(repeats_a.sum()) == 3671 and repeats_a.head(2).to_dict() == {"MAP": 1845, "Urine": 1544}  # review 4
    assert int(raw["Parameter"].isin(interop.LAB_PARAMETERS).sum()) == 855
    # r25-08 finding 5: the outcomes are not exported; of these 20 stays, 1 ended in death in hospital
    outcomes = pd.read_csv(DATA / "challenge2012" / "Outcomes-a.txt", index_col="RecordID")
    assert int(outcomes["In-hospital_death"].reindex(ids).eq(1).sum()) == 1
    ages = stays[stays["Parameter"].eq("Age")]["Value"]
    assert int(ages.ge(90).sum()) == 164 and ages.max() == 90


def test_omop(stay, stays):
    omop = interop.omop_tables(stay)
    assert {k: len(v) for k, v in omop.items()} == {"person": 1, "observation_period": 1, "visit_occurrence": 1,
                                                    "visit_detail": 1, "procedure_occurrence": 0,
                                                    "measurement": 250}  # fmt: skip
    period = omop["observation_period"].iloc[0]
    assert (str(period["observation_period_start_date"]), str(period["observation_period_end_date"])) == (
        "2000-01-01", "2000-01-03")  # admission to the end of the 48-hour window
    assert int(stays["Time"].max()) == 48 * 60  # the Challenge's window: no charting after 48 h
    assert omop["person"]["year_of_birth"].tolist() == [1946]
    ages = pd.read_csv(DATA / "challenge2012" / "Outcomes-a.txt", index_col="RecordID").index.size  # 4,000 stays
    first_age = stays.query("Time == 0 and Parameter == 'Age'").groupby("RecordID")["Value"]
    assert ages - int(first_age.first().ge(0).sum()) == 0  # the lesson: no stay of set A has an unknown age
    outcomes = pd.read_csv(DATA / "challenge2012" / "Outcomes-a.txt", index_col="RecordID")
    assert outcomes.loc[132539, "Length_of_stay"] == 5 and int(outcomes["Length_of_stay"].lt(0).sum()) == 60
    visit = omop["visit_occurrence"].iloc[0]
    assert (str(visit["visit_start_date"]), str(visit["visit_end_date"])) == ("2000-01-01", "2000-01-06")
    assert str(omop["visit_detail"]["visit_detail_end_date"].iloc[0]) == "2000-01-06"


def test_repeated_mean_pressures_go_out_alone(stays, tmp_path):
    """rev08: stay-minutes with more than one MAP/NIMAP, recomputed from the raw rows; each such mean is an
    Observation of its own, and the panel of that minute has systolic and diastolic only."""
    bp = stays[stays["Parameter"].isin(list(interop.BP_COMPONENT))]
    means = bp[bp["Parameter"].isin(["MAP", "NIMAP"])].groupby(["RecordID", "Time", "Parameter"])["Value"]
    several = means.agg(["size", "nunique"]).query("size > 1")
    assert (len(several), several.index.unique("RecordID").size, int(several["size"].sum())) == (1845, 73, 3690)
    assert several["nunique"].eq(several["size"]).all()  # always different values
    assert int(bp[~bp["Parameter"].isin(["MAP", "NIMAP"])].duplicated(["RecordID", "Time", "Parameter"]).sum()) == 0
    rid, minute = (int(v) for v in several.index[0][:2])
    stay = stays[stays["RecordID"].eq(rid)]
    obs = interop.stay_resources(stay)["Observation"]
    at = [o for o in obs if o.method is not None and o.id.rsplit("-", 2)[1] == str(minute)]
    charted = stay[stay["Time"].eq(minute) & stay["Parameter"].isin(["MAP", "NIMAP"])]
    panels = [o for o in at if o.component]
    assert len(panels) == 1 and {c.code.coding[0].code for c in panels[0].component} == {"8480-6", "8462-4"}
    assert "mean pressures were charted" in panels[0].note[0].text
    alone = sorted(float(o.valueQuantity.value) for o in at if not o.component)
    assert alone == sorted(charted["Value"]) and len(alone) > 1
    n_alone = sum(1 for o in obs if not o.component and o.code.coding[0].code == "8478-0")
    assert n_alone >= int(several.loc[rid, "size"].sum())
    rt = interop.round_trip(stay, tmp_path)
    assert rt["different"] == rt["missing_after_round_trip"] == 0 and rt["mean_alone"] == n_alone


def test_the_company_each_analyte_keeps_at_its_minute(stays):
    # section 2 (review rev08b finding 2): values of one sample are charted at one minute. Recomputed here with sets
    # of (stay, minute), not with the lesson's groupby: K, Na, glucose and HCO3 go with BUN or creatinine (the
    # central lab's chemistry); lactate almost never does and, when it shares its minute, mostly with a blood gas
    labs = stays[stays["Parameter"].isin(interop.LAB_PARAMETERS)]

    def minutes(*params):
        rows = labs[labs["Parameter"].isin(params)]
        return set(zip(rows["RecordID"], rows["Time"], strict=True))

    gas, chem = minutes("pH", "PaO2", "PaCO2"), minutes("BUN", "Creatinine")
    share = {}
    for p in ("K", "Na", "Glucose", "HCO3", "Lactate", "SaO2"):
        at = minutes(p)
        others = minutes(*(q for q in interop.LAB_PARAMETERS if q != p))
        shared = at & others
        share[p] = (len(at), round(100 * len(at & chem) / len(at), 1), round(100 * len(at & gas) / len(at), 1),
                    round(100 * len(shared) / len(at), 1), round(100 * len(shared & gas) / len(shared), 1))
    assert share["Lactate"] == (8024, 0.4, 28.7, 30.5, 94.1)
    assert [share[p][1] for p in ("K", "Na", "Glucose", "HCO3")] == [85.5, 94.5, 94.7, 98.6]
    assert max(share[p][2] for p in ("K", "Na", "Glucose", "HCO3")) <= 0.5
    # the lesson's wording follows these thresholds (serum_fits, lactate_gas in the notebook)
    assert min(share[p][1] for p in ("K", "Na", "Glucose", "HCO3")) > 50 and share["Lactate"][1] < 10
    assert share["Lactate"][4] > 50
    # r19-08: section 7's table keeps the caveat: the pointer rests on the shared minutes, 69.5% are charted alone
    assert round(100 - share["Lactate"][3], 1) == 69.5
    # r17-08: SaO2 (no specimen documented) is charted with pH, PaO2 or PaCO2 in most of its minutes: the lesson's
    # wording 'most of it looks like the blood gas's saturation' (sao2 in the notebook, threshold 50%)
    assert (share["SaO2"][0], share["SaO2"][2]) == (8185, 83.3) and share["SaO2"][2] > 50


def test_the_lesson_says_what_the_standards_say_r25_08():
    """r25-08, findings 1, 3 and 4: MIT-BIH's mV is a format default, not a word of its header (WFDB header(5));
    a logical reference is linked only by a server that does so (R4B Reference.identifier, referencePolicy);
    a blood-gas analyser also runs venous samples, so its lactate is 32693-4 unless the sample is known arterial."""
    cells = json.loads((DATA.parent / "notebooks" / "08-interoperability.ipynb").read_text())["cells"]
    text = " ".join(" ".join("".join(c["source"]).split()) for c in cells)
    assert "Only the two WFDB sources write a unit" not in text and "may be assumed to be one millivolt" in text
    assert "resolves by searching for that identifier" not in text and "referencePolicy" in text
    assert "may accept an identifier based reference untouched, resolve it, and/or reject it" in text
    assert "the code becomes 2518-9" not in text and "only if the sample is confirmed arterial" in text
    assert interop.code_table().loc["Lactate", "other_specimen_loinc"] == "32693-4"
