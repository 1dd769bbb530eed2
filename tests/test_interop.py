"""heartdata.interop: the code table, FHIR R4B export and round trip, DICOM ECG, HL7 v2, and both commands."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile

import numpy as np
import pandas as pd
import pydantic
import pydicom
import pytest
import wfdb
from conftest import DATA, REPO
from pydicom.waveforms import multiplex_array

from heartdata import DataError, challenge2012, interop, ptbxl

FIRST = [132539, 132540, 132541]


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays("a")


def test_table_covers_every_parameter_and_units_are_ucum(stays):
    params = set(stays["Parameter"]) - {"RecordID"}
    table = interop.code_table()
    assert params == set(table.index)
    for param, row in table.iterrows():
        assert row["source"] and row["note"], param
        if row["ucum"]:
            assert interop.is_ucum(row["ucum"]), param
            if row["ucum"] != "[pH]":  # an arbitrary unit: UCUM defines no scale to convert
                interop.ucum_quantity(1.0, row["ucum"])
        if row["checked"] == "unsure" and row["loinc"]:
            assert "not checked" in row["note"] or "ask" in row["note"].lower() or "sex" in row["note"].lower(), param
    assert set(table["checked"]) <= {"searched", "known", "unsure"}
    with pytest.raises(DataError):
        interop.ucum_quantity(1.0, "mmHg")  # UCUM spells it mm[Hg]


def test_si_conversions_follow_molar_masses():
    assert interop.to_si("Glucose", 180.16) == pytest.approx(10.0)  # 180.16 mg/dL = 1.8016 g/L = 10 mmol/L
    assert interop.to_si("Creatinine", 1.0) == pytest.approx(88.4, abs=0.01)
    with pytest.raises(DataError):
        interop.to_si("Sodium", 1.0)


def test_aami_classes():
    got = interop.aami_class(["N", "A", "V", "F", "/", "+", "L"]).tolist()
    assert got[:5] == ["N", "S", "V", "F", "Q"] and pd.isna(got[5]) and got[6] == "N"


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


def test_structural_validation_rejects_and_misses():
    Observation = interop._fhir()["Observation"]
    with pytest.raises(pydantic.ValidationError):
        Observation.model_validate({"resourceType": "Observation", "code": {"text": "HR"}})  # no status
    with pytest.raises(pydantic.ValidationError):
        Observation.model_validate({"resourceType": "Observation", "status": "final"})  # no code
    bogus = Observation.model_validate({"resourceType": "Observation", "status": "done", "code": {"text": "HR"}})
    assert bogus.status == "done"  # passes structural validation...
    assert interop.terminology_problems(bogus) == ["status 'done' is not in the ObservationStatus value set"]
    wrong = Observation.model_validate(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": interop.LOINC, "code": "0000-0"}]},
            "valueQuantity": {"value": 1, "system": interop.UCUM, "code": "mmHg"},
        }
    )
    probs = interop.terminology_problems(wrong)
    assert any("0000-0" in p for p in probs) and any("mmHg" in p for p in probs)


def test_a_broken_line_fails_when_read_back(tmp_path):
    stay = challenge2012.load_stays("a", record_ids=FIRST[:1])
    interop.write_ndjson(interop.stay_resources(stay), tmp_path)
    path = tmp_path / "Observation.ndjson"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1] + [lines[-1].replace('"status":"final",', "")]) + "\n")
    with pytest.raises(pydantic.ValidationError):
        interop.read_ndjson(tmp_path)


def test_round_trip_loses_only_what_the_lesson_names(tmp_path, stays):
    ids = sorted(stays["RecordID"].unique())[:40]
    raw = stays[stays["RecordID"].isin(ids)]
    result = interop.round_trip(raw, tmp_path)
    sentinels = sum(interop.is_sentinel(p, v) for p, v in zip(raw["Parameter"], raw["Value"], strict=True))
    assert result["values_exported"] == len(raw)
    assert result["equal"] + result["sentinel_to_data_absent_reason"] == len(raw)
    assert result["sentinel_to_data_absent_reason"] == sentinels > 0
    assert result["different"] == result["missing_after_round_trip"] == result["not_in_source"] == 0
    back = interop.read_ndjson(tmp_path)
    assert len(back["Patient"]) == len(back["Encounter"]) == len(ids)
    assert all(len(o.code.coding) == 2 for o in back["Observation"] if o.code.text not in ("ICUType", "MechVent"))
    bundle = interop.bundle(back)
    assert len(bundle.entry) == sum(map(len, back.values()))


def test_dicom_file_read_back_equals_wfdb_within_the_quantisation_step(tmp_path):
    for fs in (100, 500):
        out = tmp_path / f"ecg{fs}.dcm"
        assert interop.main(["dicom", "--ecg-id", "2", "--fs", str(fs), "--out", str(out)]) == 0
        ds = pydicom.dcmread(out)
        assert ds.SOPClassUID == interop.TWELVE_LEAD_ECG_SOP_CLASS == ds.file_meta.MediaStorageSOPClassUID
        meta = ptbxl.load_metadata()
        rec = wfdb.rdrecord(str(ptbxl.data_dir() / meta.loc[2, ptbxl.FILENAME_COLUMN[fs]]))
        arr = ds.waveform_array(0)
        assert arr.shape == rec.p_signal.shape == (ptbxl.N_SAMPLES[fs], 12)
        step = 1 / np.asarray(rec.adc_gain)
        assert (np.abs(arr - rec.p_signal) <= step / 2).all()
        # by hand: the stored samples times each channel's sensitivity, plus its baseline, are wfdb's millivolts
        raw = multiplex_array(ds, 0, as_raw=True)
        channels = ds.WaveformSequence[0].ChannelDefinitionSequence
        sensitivity = np.array([float(c.ChannelSensitivity) for c in channels])
        baseline = np.array([float(c.ChannelBaseline) for c in channels])
        assert (np.abs(raw * sensitivity + baseline - rec.p_signal) <= step / 2).all()
        assert (raw == wfdb.rdrecord(str(ptbxl.data_dir() / meta.loc[2, ptbxl.FILENAME_COLUMN[fs]]),
                                     physical=False).d_signal).all()  # fmt: skip
    obs = interop.ecg_observation(2, 100)
    assert np.allclose(interop.sampled_data_array(obs), ptbxl.load_signals([2])[0], atol=1e-12)


def test_ecg_iod_constraints_are_checked_not_enforced(tmp_path, capsys):
    assert interop.ecg_iod_problems(interop.ecg_dicom(1, 500)) == []
    low = interop.ecg_dicom(1, 100)  # pydicom builds and writes it all the same
    assert interop.ecg_iod_problems(low) == ["sampling frequency (Hz) 100 is outside the IOD's 200 to 1000"]
    assert interop.main(["dicom", "--ecg-id", "1", "--fs", "100", "--out", str(tmp_path / "low.dcm")]) == 0
    assert "strict reader may refuse" in capsys.readouterr().out
    assert interop.main(["dicom", "--ecg-id", "1", "--out", str(tmp_path / "default.dcm")]) == 0
    assert pydicom.dcmread(tmp_path / "default.dcm").WaveformSequence[0].SamplingFrequency == 500
    assert "note" not in capsys.readouterr().out


def test_hl7_v2_message_parses_back_into_fhir():
    stay = challenge2012.load_stays("a", record_ids=FIRST[:1])
    text = interop.oru_r01(stay).to_er7()
    assert text.startswith("MSH|") and "ORU^R01" in text
    parsed = interop.parse_oru_r01(text)
    labs = stay[stay["Parameter"].isin(interop.LAB_PARAMETERS)]
    assert len(parsed) == len(labs) > 0
    assert parsed["value"].tolist() == labs["Value"].tolist()
    obs = interop.oru_to_fhir(parsed)
    assert [o.code.text for o in obs] == labs["Parameter"].tolist()
    assert all(not interop.terminology_problems(o) for o in obs)


def test_omop_rows_match_the_stay():
    stay = challenge2012.load_stays("a", record_ids=FIRST[:1])
    m = interop.omop_measurement(stay)
    assert len(m) == len(stay) - 1 and (m["measurement_concept_id"] == 0).all()
    assert m["value_as_number"].isna().sum() == sum(
        interop.is_sentinel(p, v) for p, v in zip(stay["Parameter"], stay["Value"], strict=True)
    )


# ------------------------------------------------------------------ the commands
def _run(capsys, argv):
    code = interop.main(argv)
    err = capsys.readouterr().err
    return code, err


def test_fhir_command_writes_bulk_files(tmp_path, capsys):
    out = tmp_path / "bulk"
    code = interop.main(["fhir", "--set", "a", "--record-ids", *map(str, FIRST), "--out", str(out)])
    assert code == 0
    for t in interop.RESOURCE_TYPES:
        lines = (out / f"{t}.ndjson").read_text().splitlines()
        assert lines and all(line.startswith('{"resourceType":"' + t + '"') for line in lines)
    assert "Observations carry only the local code" in capsys.readouterr().out


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
        [sys.executable, "-m", "heartdata.interop", "fhir", "--record-ids", "1", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


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
    assert "NewLab" in capsys.readouterr().out
    back = interop.read_ndjson(out)
    new = [o for o in back["Observation"] if o.code.text == "NewLab"]
    assert len(new) == 1 and [c.code for c in new[0].code.coding] == ["NewLab"]
    raw = challenge2012.load_stays("z", root=root)
    result = interop.compare_tables(raw, interop.resources_to_table(back))
    assert result["equal"] + result["sentinel_to_data_absent_reason"] == len(raw)
    assert interop.main(["dicom", "--ecg-id", "5", "--out", str(tmp_path / "e.dcm"), "--root", str(root)]) == 0
