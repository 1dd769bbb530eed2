"""Interoperability (lesson 08): codes, units and exchange formats for the course's three datasets.

- ``CODES`` / :func:`code_table`: every Challenge 2012 parameter mapped to a LOINC code and a UCUM unit, each
  row with its source and a note where the mapping is ambiguous or unsure. A mapping table is a claim: someone
  who knows the source system (and LOINC, loinc.org) must review it before it is used.
- FHIR R4B (through ``fhir.resources.R4B``): Patient, Encounter and Observations for ICU stays, as a Bundle or
  as Bulk Data NDJSON, read back and compared with the raw table (:func:`round_trip`).
- DICOM (through ``pydicom``): a PTB-XL record as a 12-Lead ECG Waveform object (:func:`ecg_dicom`), and the
  same record as a FHIR Observation with SampledData (:func:`ecg_observation`).
- HL7 v2 (through ``hl7apy``): one stay's lab values as an ORU^R01 message, parsed back and turned into FHIR.
- MIT-BIH beat symbols to the AAMI EC57 classes; an OMOP CDM ``measurement`` table for one stay.

Why FHIR R4B and not R5: most hospital systems run FHIR R4. R4B is R4 with changes confined to areas this course
does not use (medication definitions, evidence, subscriptions); Patient, Encounter and Observation are as in R4, so
what this module writes is what an R4 server accepts. R5 reshapes Encounter (``class`` becomes a list, ``period``
becomes ``actualPeriod``), which R4 systems would reject.

Two commands (exit 2 and one line on stderr for bad input)::

    python -m heartdata.interop fhir --set a --record-ids ID [ID ...] --out DIR [--root ROOT]
    python -m heartdata.interop dicom --ecg-id N --out FILE.dcm [--fs 100|500] [--root ROOT]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import challenge2012, ptbxl
from .errors import DataError

FHIR_VERSION = "R4B"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
#: The local code system of the Challenge 2012 parameter names (a URN: the Challenge publishes no code system).
LOCAL = "urn:heartdata:challenge2012:parameter"
LOCAL_RECORD = "urn:heartdata:challenge2012:recordid"
LOCAL_ICUTYPE = "urn:heartdata:challenge2012:icutype"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
MDC = "urn:oid:2.16.840.1.113883.6.24"  # ISO/IEEE 11073-10101 (MDC), as FHIR R4B names it
#: The Challenge gives times as minutes since ICU admission and no dates. FHIR needs a dateTime, so admission
#: is placed at this stated reference (a placeholder, not the real date; the receiving system cannot tell).
REFERENCE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: FHIR R4B ObservationStatus value set (hl7.org/fhir/R4B/valueset-observation-status.html), required binding.
OBSERVATION_STATUS = (
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
)
SOURCE_UNITS = "Challenge 2012 parameter list (physionet.org/content/challenge-2012/1.0.0)"

# parameter, LOINC code, LOINC long common name, UCUM unit, unit as the Challenge documents it, category,
# how the code was checked ("searched": found in a document with the course's search tool; "known": a common
# code not re-checked here; "unsure": the best candidate, to be reviewed), note.
_ROWS = [
    ("Age", "30525-0", "Age", "a", "years", "social-history", "known", "Ages above 89 are capped at 90."),
    ("Gender", "46098-0", "Sex", "", "0: female, 1: male", "social-history", "unsure",
     "Also written to Patient.gender. Sex and gender are different concepts; the Challenge does not say which."),
    ("Height", "8302-2", "Body height", "cm", "cm", "vital-signs", "known",
     "Most heights were typed in inches and converted (lesson 06)."),
    ("ICUType", "", "", "", "1-4 (coronary, cardiac surgery, medical, surgical)", "", "unsure",
     "No LOINC code: a unit type belongs in Encounter.type (written there too); exported under the local code."),
    ("Weight", "29463-7", "Body weight", "kg", "kg", "vital-signs", "known",
     "Both a descriptor at 00:00 and a time series; 0 kg values exist."),
    ("Albumin", "1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", "g/dL", "laboratory", "known",
     "Specimen (serum or plasma) not stated by the source."),
    ("ALP", "6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma", "U/L", "IU/L",
     "laboratory", "known", "Documented as IU/L; written as U/L (UCUM's enzyme unit), the usual lab convention."),
    ("ALT", "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", "IU/L",
     "laboratory", "known", "Documented as IU/L; written as U/L."),
    ("AST", "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", "IU/L",
     "laboratory", "known", "Documented as IU/L; written as U/L."),
    ("Bilirubin", "1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", "laboratory",
     "known", "Total bilirubin assumed; the source says only 'Bilirubin'."),
    ("BUN", "3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", "laboratory", "known",
     "Urea nitrogen, not urea: converting to mmol/L urea needs the nitrogen mass (28.0 g/mol)."),
    ("Cholesterol", "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", "laboratory",
     "known", "Total cholesterol assumed."),
    ("Creatinine", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", "laboratory",
     "known", "SI: umol/L, factor 88.4 (molar mass 113.12 g/mol)."),
    ("DiasABP", "76213-8", "Invasive Diastolic blood pressure", "mm[Hg]", "mmHg", "vital-signs", "unsure",
     "Invasive (arterial line). Code not checked against loinc.org here; the generic 8462-4 loses 'invasive'."),
    ("FiO2", "3150-0", "Inhaled oxygen concentration", "1", "0-1", "vital-signs", "searched",
     "A fraction (0-1) here; LOINC's example unit is %, so a receiver may read 0.5 as 0.5 %."),
    ("GCS", "9269-2", "Glasgow coma score total", "{score}", "3-15", "exam", "known",
     "The total only; eye, verbal and motor parts are not given. Sedated patients' scores are not marked."),
    ("Glucose", "2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", "mg/dL", "laboratory", "known",
     "Specimen unstated: a bedside capillary glucose would be 41653-7 (or 2339-0 for blood)."),
    ("HCO3", "1963-8", "Bicarbonate [Moles/volume] in Serum or Plasma", "mmol/L", "mmol/L", "laboratory", "known",
     "Serum bicarbonate or a blood-gas value (1959-6 in blood): the source does not say."),
    ("HCT", "4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%", "%", "laboratory", "known",
     "Method unstated: 20570-8 is hematocrit of blood without method."),
    ("HR", "8867-4", "Heart rate", "/min", "bpm", "vital-signs", "known",
     "Monitor source (ECG or pulse oximeter) unstated."),
    ("K", "2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", "mEq/L", "laboratory", "known",
     "Documented as mEq/L, equal to mmol/L for a monovalent ion."),
    ("Lactate", "2524-7", "Lactate [Moles/volume] in Serum or Plasma", "mmol/L", "mmol/L", "laboratory", "known",
     "Often measured on a blood gas (32693-4, in blood): the specimen is not stated."),
    ("MAP", "76214-6", "Invasive Mean blood pressure", "mm[Hg]", "mmHg", "vital-signs", "unsure",
     "Invasive (arterial line). Code not checked against loinc.org here; the generic 8478-0 loses 'invasive'."),
    ("MechVent", "", "", "", "0: false, 1: true", "procedure", "unsure",
     "No LOINC observation code chosen: ventilation is a procedure or device use. Exported under the local code; "
     "only 1 is ever recorded."),
    ("Mg", "2601-3", "Magnesium [Moles/volume] in Serum or Plasma", "mmol/L", "mmol/L", "laboratory", "searched",
     "Documented as mmol/L, but typical values (about 2) are those of mg/dL (19123-9): ask before converting."),
    ("NIDiasABP", "76535-4", "Diastolic blood pressure by Noninvasive", "mm[Hg]", "mmHg", "vital-signs", "unsure",
     "Cuff. Code not checked against loinc.org here (its systolic twin 76534-7 was)."),
    ("NIMAP", "76536-2", "Mean blood pressure by Noninvasive", "mm[Hg]", "mmHg", "vital-signs", "unsure",
     "Cuff. Code not checked against loinc.org here."),
    ("NISysABP", "76534-7", "Systolic blood pressure by Noninvasive", "mm[Hg]", "mmHg", "vital-signs", "searched",
     "Cuff."),
    ("Na", "2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", "mEq/L", "laboratory", "known",
     "Documented as mEq/L, equal to mmol/L for a monovalent ion."),
    ("PaCO2", "2019-8", "Carbon dioxide [Partial pressure] in Arterial blood", "mm[Hg]", "mmHg", "laboratory",
     "known", "Arterial assumed from the name."),
    ("PaO2", "2703-7", "Oxygen [Partial pressure] in Arterial blood", "mm[Hg]", "mmHg", "laboratory", "known",
     "Arterial assumed from the name."),
    ("pH", "2744-1", "pH of Arterial blood", "[pH]", "0-14", "laboratory", "known",
     "Arterial assumed; values such as 735 are pH 7.35 typed without its decimal point (lesson 06)."),
    ("Platelets", "777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", "cells/nL", "laboratory",
     "known", "cells/nL = 10^9/L = 10^3/uL."),
    ("RespRate", "9279-1", "Respiratory rate", "/min", "bpm", "vital-signs", "known",
     "Ventilator-set or measured rate: not stated."),
    ("SaO2", "2708-6", "Oxygen saturation in Arterial blood", "%", "%", "laboratory", "known",
     "Arterial blood gas (SaO2), not pulse oximetry (SpO2, 59408-5): the name says so, nothing else does."),
    ("SysABP", "76215-3", "Invasive Systolic blood pressure", "mm[Hg]", "mmHg", "vital-signs", "unsure",
     "Invasive (arterial line). Code not checked against loinc.org here; the generic 8480-6 loses 'invasive'."),
    ("Temp", "8310-5", "Body temperature", "Cel", "°C", "vital-signs", "known",
     "Site (core, oral, axillary) unstated; some values were Fahrenheit or 0 °F converted (lesson 06)."),
    ("TroponinI", "10839-9", "Troponin I.cardiac [Mass/volume] in Serum or Plasma", "ug/L", "ug/L", "laboratory",
     "known", "Assay (conventional or high-sensitivity) unstated: values are not comparable across assays."),
    ("TroponinT", "6598-7", "Troponin T.cardiac [Mass/volume] in Serum or Plasma", "ug/L", "ug/L", "laboratory",
     "known", "Assay unstated."),
    ("Urine", "9187-6", "Urine output", "mL", "mL", "vital-signs", "unsure",
     "The interval the volume covers is not stated. Code not checked against loinc.org here."),
    ("WBC", "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", "cells/nL", "laboratory",
     "known", "cells/nL = 10^9/L = 10^3/uL."),
]  # fmt: skip
CODES = pd.DataFrame(
    _ROWS, columns=["parameter", "loinc", "loinc_name", "ucum", "documented_unit", "category", "checked", "note"]
).set_index("parameter")
CODES["source"] = np.where(CODES["loinc"].ne(""), "LOINC (loinc.org)", "none: local code only")
CODES["unit_source"] = np.where(CODES["documented_unit"].ne(""), SOURCE_UNITS, "")

#: Molar masses for converting mass concentrations to SI amount concentrations: glucose and creatinine from PubChem
#: (pubchem.ncbi.nlm.nih.gov), magnesium its IUPAC standard atomic weight.
MOLAR_MASS_G_PER_MOL = {"Glucose": 180.16, "Creatinine": 113.12, "Mg": 24.305}
SI_UNITS = {"Glucose": "mmol/L", "Creatinine": "umol/L", "Mg": "mmol/L"}

#: MIT-BIH beat symbols grouped into the five AAMI EC57 classes (ANSI/AAMI EC57:2012; de Chazal et al.,
#: IEEE Trans Biomed Eng 51(7), 2004, table I). N normal and bundle branch block, S supraventricular ectopic,
#: V ventricular ectopic, F fusion, Q paced or unclassifiable.
AAMI_CLASSES = {
    "N": "N", "L": "N", "R": "N", "e": "N", "j": "N",
    "A": "S", "a": "S", "J": "S", "S": "S",
    "V": "V", "E": "V",
    "F": "F",
    "/": "Q", "f": "Q", "Q": "Q",
}  # fmt: skip

#: PTB-XL leads to MDC codes (ISO/IEEE 11073-10101): (code in FHIR, DICOM's "2:n" form, meaning). I, II and
#: V1-V6 checked against the FHIR R4B MDC value set; III, aVR, aVL, aVF (2:61-2:64) not checked here.
LEAD_CODES = {
    "I": (131073, "2:1", "Lead I"), "II": (131074, "2:2", "Lead II"), "III": (131133, "2:61", "Lead III"),
    "AVR": (131134, "2:62", "Lead aVR"), "AVL": (131135, "2:63", "Lead aVL"), "AVF": (131136, "2:64", "Lead aVF"),
    "V1": (131075, "2:3", "Lead V1"), "V2": (131076, "2:4", "Lead V2"), "V3": (131077, "2:5", "Lead V3"),
    "V4": (131078, "2:6", "Lead V4"), "V5": (131079, "2:7", "Lead V5"), "V6": (131080, "2:8", "Lead V6"),
}  # fmt: skip
TWELVE_LEAD_ECG_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.9.1.1"
#: What the 12-Lead ECG IOD (DICOM PS3.3, section A.34.3) constrains: 1 to 13 channels, at most 16,384 samples,
#: 200 to 1000 Hz, signed 16-bit samples. pydicom writes whatever it is given: these are checked by
#: :func:`ecg_iod_problems`, not by the library.
ECG_IOD_LIMITS = {"channels": (1, 13), "samples": (1, 16384), "hz": (200, 1000), "interpretation": "SS"}


def code_table() -> pd.DataFrame:
    """The mapping table (a copy): one row per Challenge 2012 parameter, indexed by parameter name."""
    return CODES.copy()


def aami_class(symbols: Iterable[str]) -> pd.Series:
    """AAMI EC57 class of each annotation symbol; symbols that are not beats (``+``, ``~``...) get NaN."""
    s = pd.Series(list(symbols), dtype=object)
    return s.map(AAMI_CLASSES)


@cache
def _ucum():
    from ucumvert import PintUcumRegistry

    return PintUcumRegistry()


@cache
def _ucum_parser():
    from ucumvert import get_ucum_parser

    return get_ucum_parser()  # building the grammar takes a moment: once per process


@cache
def is_ucum(code: str) -> bool:
    """True if ``code`` is a unit code in UCUM's grammar (parsed by ucumvert): ``mm[Hg]`` is, ``mmHg`` is not."""
    from ucumvert import parse_ucum

    try:
        parse_ucum(code, _ucum_parser())
    except Exception:
        return False
    return True


def ucum_quantity(value: float, unit: str):
    """A pint quantity from a value and a UCUM unit code (through ucumvert); raises DataError if it cannot."""
    if not is_ucum(unit):
        raise DataError(
            f"unit {unit!r}", "is not a UCUM unit code", "Write the unit as UCUM spells it, e.g. mm[Hg], 10*3/uL, Cel."
        )
    try:
        q = _ucum().from_ucum(unit)
    except Exception as exc:  # valid UCUM that ucumvert cannot convert, e.g. [pH]
        raise DataError(
            f"unit {unit!r}",
            f"is UCUM but has no conversion in ucumvert ({exc.__class__.__name__})",
            "Keep the value as it is; only units with a defined scale can be converted.",
        ) from None
    if not hasattr(q, "magnitude"):  # a pure annotation such as {score} is dimensionless
        q = _ucum().from_ucum("1")
    return _ucum().Quantity(value * q.magnitude, q.units)  # not value * q: Cel is an offset unit


def to_si(parameter: str, value_mg_dl: float) -> float:
    """A glucose, creatinine or magnesium concentration in mg/dL converted to its SI unit (see :data:`SI_UNITS`)."""
    if parameter not in MOLAR_MASS_G_PER_MOL:
        raise DataError(f"parameter {parameter!r}", "has no molar mass here", f"Use one of {list(SI_UNITS)}.")
    mass = ucum_quantity(value_mg_dl, "mg/dL")
    molar = ucum_quantity(MOLAR_MASS_G_PER_MOL[parameter], "g/mol")
    return float((mass / molar).to(_ucum().from_ucum(SI_UNITS[parameter])).magnitude)


# ---------------------------------------------------------------------------------------------------- FHIR
def _fhir():
    from fhir.resources.R4B import (
        bundle,
        codeableconcept,
        coding,
        encounter,
        identifier,
        observation,
        patient,
        period,
        quantity,
        reference,
    )

    return {
        "Bundle": bundle.Bundle, "BundleEntry": bundle.BundleEntry, "CodeableConcept": codeableconcept.CodeableConcept,
        "Coding": coding.Coding, "Encounter": encounter.Encounter, "Identifier": identifier.Identifier,
        "Observation": observation.Observation, "Patient": patient.Patient, "Period": period.Period,
        "Quantity": quantity.Quantity, "Reference": reference.Reference,
    }  # fmt: skip


RESOURCE_TYPES = ("Patient", "Encounter", "Observation")


def _ids(set_name: str, record_id: int) -> tuple[str, str]:
    return f"c2012-{set_name}-{record_id}", f"c2012-{set_name}-{record_id}-icu"


def is_sentinel(parameter: str, value: float) -> bool:
    """True for the Challenge's -1 'not recorded' of a descriptor (Age, Gender, Height, ICUType, Weight)."""
    return parameter in challenge2012.DESCRIPTORS and value == -1


def stay_resources(stay: pd.DataFrame, set_name: str = "a") -> dict[str, list]:
    """FHIR R4B resources for the stays in a raw long table (``challenge2012.load_stays``): one Patient and one
    Encounter per RecordID, one Observation per other row, in table order.

    Each Observation carries the parameter name in the local code system and, where :data:`CODES` maps it, the
    LOINC code; a UCUM unit where one is known; ``effectiveDateTime`` = :data:`REFERENCE` + Time minutes; and the
    value exactly as loaded. A descriptor's -1 becomes ``dataAbsentReason`` with no value. A parameter the table
    does not know is exported under the local code alone, never dropped.
    """
    f = _fhir()
    out = {t: [] for t in RESOURCE_TYPES}
    for rid, rows in stay.groupby("RecordID", sort=False):
        rid = int(rid)
        pid, eid = _ids(set_name, rid)
        desc = rows[rows["Time"].eq(0)].drop_duplicates("Parameter").set_index("Parameter")["Value"]
        gender = {0: "female", 1: "male"}.get(int(desc.get("Gender", -1)), "unknown")
        ident = f["Identifier"](system=LOCAL_RECORD, value=str(rid))
        out["Patient"].append(f["Patient"](id=pid, identifier=[ident], gender=gender))
        icu = int(desc.get("ICUType", -1))
        enc_type = f["CodeableConcept"](
            coding=[
                f["Coding"](system=LOCAL_ICUTYPE, code=str(icu), display=challenge2012.ICU_TYPES.get(icu, "unknown"))
            ]
        )
        out["Encounter"].append(
            f["Encounter"](
                id=eid,
                identifier=[ident],
                status="finished",
                class_fhir=f["Coding"](
                    system="http://terminology.hl7.org/CodeSystem/v3-ActCode", code="IMP", display="inpatient encounter"
                ),
                type=[enc_type],
                subject=f["Reference"](reference=f"Patient/{pid}"),
                period=f["Period"](start=REFERENCE.isoformat()),
            )
        )
        subject, enc = f["Reference"](reference=f"Patient/{pid}"), f["Reference"](reference=f"Encounter/{eid}")
        body = rows[rows["Parameter"].ne("RecordID")]
        for k, (minute, param, value) in enumerate(zip(body["Time"], body["Parameter"], body["Value"], strict=True)):
            out["Observation"].append(_observation(f, f"{pid}-{k}", param, int(minute), float(value), subject, enc))
    return out


def _observation(f, oid, param, minute, value, subject, enc):
    codings = [f["Coding"](system=LOCAL, code=param, display=param)]
    row = CODES.loc[param] if param in CODES.index else None
    if row is not None and row["loinc"]:
        codings.append(f["Coding"](system=LOINC, code=row["loinc"], display=row["loinc_name"]))
    extra = {}
    if row is not None and row["category"]:
        extra["category"] = [
            f["CodeableConcept"](coding=[f["Coding"](system=OBSERVATION_CATEGORY, code=row["category"])])
        ]
    if is_sentinel(param, value):
        extra["dataAbsentReason"] = f["CodeableConcept"](
            coding=[f["Coding"](system=DATA_ABSENT, code="unknown", display="Unknown")], text="-1 in the source"
        )
    elif row is not None and row["ucum"]:
        extra["valueQuantity"] = f["Quantity"](value=value, unit=row["ucum"], system=UCUM, code=row["ucum"])
    else:
        extra["valueQuantity"] = f["Quantity"](value=value)
    when = (REFERENCE + dt.timedelta(minutes=minute)).isoformat()
    return f["Observation"](
        id=oid,
        status="final",
        code=f["CodeableConcept"](coding=codings, text=param),
        subject=subject,
        encounter=enc,
        effectiveDateTime=when,
        **extra,
    )


def bundle(resources: dict[str, list]):
    """The resources as one FHIR Bundle of type 'collection' (each entry with its fullUrl)."""
    f = _fhir()
    entries = [
        f["BundleEntry"](fullUrl=f"urn:heartdata:{r.get_resource_type()}/{r.id}", resource=r)
        for t in RESOURCE_TYPES
        for r in resources.get(t, [])
    ]
    return f["Bundle"](type="collection", entry=entries)


def write_ndjson(resources: dict[str, list], out_dir) -> dict[str, Path]:
    """FHIR Bulk Data files: ``out_dir/Patient.ndjson`` etc., one resource per line, as fhir.resources writes it."""
    return export_ndjson([resources], out_dir)[0]


def export_ndjson(batches: Iterable[dict[str, list]], out_dir) -> tuple[dict[str, Path], dict[str, int]]:
    """Write batches of resources (e.g. one stay at a time) to the Bulk Data files as they come, so memory holds
    one batch, not the export. Returns the paths and the number of resources of each type written."""
    out = Path(out_dir)
    paths = {t: out / f"{t}.ndjson" for t in RESOURCE_TYPES}
    counts = dict.fromkeys(RESOURCE_TYPES, 0)
    try:
        out.mkdir(parents=True, exist_ok=True)
        files = {t: open(paths[t], "w", encoding="utf-8") for t in RESOURCE_TYPES}
        try:
            for batch in batches:
                for t in RESOURCE_TYPES:
                    for r in batch.get(t, []):
                        files[t].write(r.model_dump_json() + "\n")
                        counts[t] += 1
        finally:
            for fh in files.values():
                fh.close()
    except OSError as exc:
        raise DataError(out, f"cannot be written ({exc.strerror or exc})", "Pass a writable --out folder.") from None
    return paths, counts


def iter_ndjson(out_dir) -> dict[str, Iterator]:
    """The Bulk Data files as lazy streams of resources, one line parsed and validated by fhir.resources at a
    time (so a large export is never held in memory whole)."""
    f = _fhir()
    paths = {t: Path(out_dir) / f"{t}.ndjson" for t in RESOURCE_TYPES}
    for path in paths.values():
        if not path.is_file():
            raise DataError(path, "not found", "Export first (python -m heartdata.interop fhir ...).")

    def stream(t):
        with open(paths[t], encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield f[t].model_validate_json(line)

    return {t: stream(t) for t in RESOURCE_TYPES}


def read_ndjson(out_dir) -> dict[str, list]:
    """Read Bulk Data NDJSON files back; every line is parsed and validated by fhir.resources."""
    return {t: list(lines) for t, lines in iter_ndjson(out_dir).items()}


def resources_to_table(resources: dict[str, Iterable]) -> pd.DataFrame:
    """The long table (RecordID, Time, Parameter, Value) rebuilt from FHIR resources: RecordID rows from each
    Patient's identifier, the rest from the Observations' local code, time since :data:`REFERENCE` (minutes)
    and value. An Observation with a dataAbsentReason gives NaN: FHIR has no -1."""
    patient_rid = {p.id: int(p.identifier[0].value) for p in resources["Patient"]}
    rows = [(rid, 0, "RecordID", float(rid)) for rid in patient_rid.values()]
    for o in resources["Observation"]:
        rid = patient_rid[o.subject.reference.split("/", 1)[1]]
        local = next(c.code for c in o.code.coding if c.system == LOCAL)
        when = o.effectiveDateTime
        when = dt.datetime.fromisoformat(str(when)) if not isinstance(when, dt.datetime) else when
        minute = int((when - REFERENCE).total_seconds() // 60)
        value = float(o.valueQuantity.value) if o.valueQuantity is not None else np.nan
        rows.append((rid, minute, local, value))
    return pd.DataFrame(rows, columns=["RecordID", "Time", "Parameter", "Value"])


def compare_tables(raw: pd.DataFrame, back: pd.DataFrame) -> dict:
    """Row by row after a stable sort: how many values came back equal, and what differs (sentinels)."""
    key = ["RecordID", "Time", "Parameter"]

    def prepared(t):
        t = t[key + ["Value"]].copy()
        t["n"] = t.groupby(key, sort=False).cumcount()  # repeated (stay, minute, parameter) rows stay apart
        return t.set_index(key + ["n"])["Value"]

    a, b = prepared(raw), prepared(back)
    joined = pd.concat([a.rename("raw"), b.rename("back")], axis=1)
    equal = joined["raw"].eq(joined["back"])
    sentinel = joined["back"].isna() & joined["raw"].eq(-1)
    sentinel &= joined.index.get_level_values("Parameter").isin(challenge2012.DESCRIPTORS)
    return {
        "values_exported": int(len(a)),
        "values_read_back": int(joined["back"].notna().sum()),
        "equal": int(equal.sum()),
        "sentinel_to_data_absent_reason": int(sentinel.sum()),
        "missing_after_round_trip": int(joined["back"].isna().sum() - sentinel.sum()),
        "not_in_source": int(joined["raw"].isna().sum()),
        "different": int((~equal & ~sentinel & joined["raw"].notna() & joined["back"].notna()).sum()),
        "by_parameter_sentinels": joined[sentinel].index.get_level_values("Parameter").value_counts().to_dict(),
    }


def round_trip(stay: pd.DataFrame, out_dir, set_name: str = "a") -> dict:
    """Export to NDJSON one stay at a time, read back line by line, compare with the raw table
    (:func:`compare_tables`)."""
    stays = (stay_resources(rows, set_name) for _, rows in stay.groupby("RecordID", sort=False))
    export_ndjson(stays, out_dir)
    back = resources_to_table(iter_ndjson(out_dir))
    return compare_tables(stay, back)


def terminology_problems(obs) -> list[str]:
    """What a terminology check finds that structural validation lets through: a status outside the
    ObservationStatus value set, a LOINC code the table does not hold, a unit that is not UCUM."""
    problems = []
    if obs.status not in OBSERVATION_STATUS:
        problems.append(f"status {obs.status!r} is not in the ObservationStatus value set")
    known = set(CODES["loinc"]) - {""}
    for c in obs.code.coding or []:
        if c.system == LOINC and c.code not in known:
            problems.append(f"LOINC code {c.code!r} is not in the mapping table")
    q = obs.valueQuantity
    if q is not None and q.code is not None:
        if q.system != UCUM:
            problems.append(f"unit system {q.system!r} is not UCUM")
        else:
            if not is_ucum(q.code):
                problems.append(f"unit {q.code!r} is not a UCUM code")
    return problems


def omop_measurement(stay: pd.DataFrame) -> pd.DataFrame:
    """One stay's rows as OMOP CDM v5.4 ``measurement`` rows. Concept ids need the OMOP vocabularies (Athena),
    which the course does not ship: they are 0 ('No matching concept'), and the LOINC code stays in
    ``measurement_source_value`` beside the local name, as OMOP's ETL conventions suggest for unmapped rows."""
    body = stay[stay["Parameter"].ne("RecordID")].reset_index(drop=True)
    when = REFERENCE.replace(tzinfo=None) + pd.to_timedelta(body["Time"], unit="min")
    loinc = body["Parameter"].map(CODES["loinc"]).fillna("")
    unit = body["Parameter"].map(CODES["ucum"]).fillna("")
    sentinel = [is_sentinel(p, v) for p, v in zip(body["Parameter"], body["Value"], strict=True)]
    return pd.DataFrame(
        {
            "measurement_id": np.arange(1, len(body) + 1),
            "person_id": body["RecordID"].to_numpy(),
            "measurement_concept_id": 0,
            "measurement_date": when.dt.date,
            "measurement_datetime": when,
            "measurement_type_concept_id": 0,
            "value_as_number": body["Value"].where(~pd.Series(sentinel), np.nan),
            "unit_concept_id": 0,
            "visit_occurrence_id": body["RecordID"].to_numpy(),
            "measurement_source_value": body["Parameter"] + np.where(loinc.ne(""), "|" + loinc, ""),
            "unit_source_value": unit,
            "value_source_value": body["Value"].map(lambda v: f"{v:g}"),
        }
    )


# ---------------------------------------------------------------------------------------------------- HL7 v2
LAB_PARAMETERS = tuple(CODES.index[CODES["category"].eq("laboratory")])


def oru_r01(stay: pd.DataFrame, control_id: str = "MSG00001"):
    """One stay's laboratory values as an HL7 v2.5 ORU^R01 message built with hl7apy (one OBX per value)."""
    from hl7apy.core import Message

    labs = stay[stay["Parameter"].isin(LAB_PARAMETERS)]
    rids = stay["RecordID"].unique()
    if len(rids) != 1:
        raise DataError("stay", f"holds {len(rids)} RecordIDs", "Pass the rows of exactly one stay.")
    msg = Message("ORU_R01", version="2.5")
    msg.msh.msh_3 = "ICU_LAB"
    msg.msh.msh_4 = "HEARTDATA"
    msg.msh.msh_7 = REFERENCE.strftime("%Y%m%d%H%M%S")
    msg.msh.msh_9 = "ORU^R01^ORU_R01"
    msg.msh.msh_10 = control_id
    msg.msh.msh_11 = "P"
    result = msg.add_group("ORU_R01_PATIENT_RESULT")
    pat = result.add_group("ORU_R01_PATIENT")
    pat.pid.pid_3 = f"{int(rids[0])}^^^CHALLENGE2012"
    pat.pid.pid_5 = "ANONYMOUS"
    order = result.add_group("ORU_R01_ORDER_OBSERVATION")
    order.obr.obr_1 = "1"
    order.obr.obr_4 = "ICU_LABS^ICU laboratory results^L"
    for k, (minute, param, value) in enumerate(zip(labs["Time"], labs["Parameter"], labs["Value"], strict=True), 1):
        row = CODES.loc[param]
        obs = order.add_group("ORU_R01_OBSERVATION")
        obs.obx.obx_1 = str(k)
        obs.obx.obx_2 = "NM"
        obs.obx.obx_3 = f"{row['loinc']}^{row['loinc_name']}^LN^{param}^{param}^L"
        obs.obx.obx_5 = repr(float(value))
        obs.obx.obx_6 = f"{row['ucum']}^{row['ucum']}^UCUM"
        obs.obx.obx_11 = "F"
        obs.obx.obx_14 = (REFERENCE + dt.timedelta(minutes=int(minute))).strftime("%Y%m%d%H%M")
    return msg


def parse_oru_r01(text: str) -> pd.DataFrame:
    """Parse an ORU^R01 message (ER7 text) with hl7apy: one row per OBX (patient id, LOINC, local code, value,
    unit, time as written)."""
    from hl7apy.parser import parse_message

    msg = parse_message(text.replace("\n", "\r"), find_groups=True)
    result = msg.oru_r01_patient_result
    pid = result.oru_r01_patient.pid.pid_3.pid_3_1.value
    rows = []
    for obs in result.oru_r01_order_observation.oru_r01_observation:
        obx = obs.obx
        rows.append({
            "patient_id": pid, "loinc": obx.obx_3.obx_3_1.value, "local": obx.obx_3.obx_3_4.value,
            "value": float(obx.obx_5.value), "unit": obx.obx_6.obx_6_1.value, "time": obx.obx_14.value,
            "status": obx.obx_11.value,
        })  # fmt: skip
    return pd.DataFrame(rows)


def oru_to_fhir(parsed: pd.DataFrame, set_name: str = "a") -> list:
    """The parsed OBX rows as FHIR R4B Observations (HL7's v2-to-FHIR mapping in its simplest form: OBX-3 to
    code, OBX-5/6 to valueQuantity, OBX-11 'F' to status final, OBX-14 to effectiveDateTime)."""
    f = _fhir()
    status = {"F": "final", "P": "preliminary", "C": "corrected", "X": "cancelled"}
    out = []
    for k, r in enumerate(parsed.itertuples(index=False)):
        pid, eid = _ids(set_name, int(r.patient_id))
        when = dt.datetime.strptime(r.time, "%Y%m%d%H%M").replace(tzinfo=dt.UTC)
        out.append(
            f["Observation"](
                id=f"{pid}-hl7-{k}",
                status=status.get(r.status, "unknown"),
                code=f["CodeableConcept"](
                    coding=[f["Coding"](system=LOCAL, code=r.local), f["Coding"](system=LOINC, code=r.loinc)],
                    text=r.local,
                ),
                subject=f["Reference"](reference=f"Patient/{pid}"),
                effectiveDateTime=when.isoformat(),
                valueQuantity=f["Quantity"](value=r.value, unit=r.unit, system=UCUM, code=r.unit),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------- ECG
def _ecg_record(ecg_id: int, fs: int, root):
    """The wfdb record (digital samples) and the metadata row of one PTB-XL ECG; DataError for a bad id or fs."""
    import wfdb

    ptbxl.load_signals([ecg_id], fs, root)  # every check of the loader: unknown id, absent record, checksum
    meta = ptbxl.load_metadata(root).loc[int(ecg_id)]
    base = ptbxl.data_dir(root) / meta[ptbxl.FILENAME_COLUMN[fs]]
    return wfdb.rdrecord(str(base), physical=False), meta


def _uid(*parts) -> str:
    from pydicom.uid import generate_uid

    return generate_uid(entropy_srcs=["heartdata", *map(str, parts)])  # the same input gives the same UID


def ecg_dicom(ecg_id: int, fs: int = 500, root=None):
    """One PTB-XL record as a DICOM 12-Lead ECG Waveform dataset (SOP Class 1.2.840.10008.5.1.4.1.1.9.1.1).

    The digital samples go in unchanged (16-bit signed); each channel's sensitivity is 1/gain mV per unit and
    its baseline the WFDB baseline, so ``ds.waveform_array(0)`` gives back wfdb's physical signal in mV.
    Dates are PTB-XL's shifted recording date; the noise flags and the report are not carried. At ``fs=100`` the
    file is written but breaks the IOD's 200-1000 Hz constraint (:func:`ecg_iod_problems` says so).
    """
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence
    from pydicom.uid import ExplicitVRLittleEndian

    rec, meta = _ecg_record(ecg_id, fs, root)
    recorded = pd.Timestamp(meta["recording_date"])
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = TWELVE_LEAD_ECG_SOP_CLASS
    ds.file_meta.MediaStorageSOPInstanceUID = _uid("ptbxl", ecg_id, fs, "instance")
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = TWELVE_LEAD_ECG_SOP_CLASS
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = _uid("ptbxl", ecg_id, "study")
    ds.SeriesInstanceUID = _uid("ptbxl", ecg_id, fs, "series")
    ds.Modality = "ECG"
    ds.PatientID = f"{int(meta['patient_id'])}" if pd.notna(meta["patient_id"]) else ""
    ds.PatientName = "Anonymous"
    ds.PatientBirthDate = ""
    ds.PatientSex = {0: "M", 1: "F"}.get(int(meta["sex"]), "O")  # PTB-XL: 0 male, 1 female
    ds.PatientAge = f"{min(int(meta['age']), 999):03d}Y" if pd.notna(meta["age"]) else ""
    ds.StudyDate = recorded.strftime("%Y%m%d")
    ds.StudyTime = recorded.strftime("%H%M%S")
    ds.AcquisitionDateTime = recorded.strftime("%Y%m%d%H%M%S")
    ds.ContentDate, ds.ContentTime = ds.StudyDate, ds.StudyTime
    ds.StudyID = str(int(ecg_id))
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.Manufacturer = str(meta["device"])
    ds.InstitutionName = f"PTB-XL site {meta['site']:g}" if pd.notna(meta["site"]) else ""
    ds.AcquisitionContextSequence = Sequence([])  # required (type 2) by the IOD; nothing known to put in it

    channels = []
    for j, lead in enumerate(rec.sig_name):
        code, dicom_code, meaning = LEAD_CODES[lead.upper()]
        source = Dataset()
        source.CodeValue, source.CodingSchemeDesignator, source.CodeMeaning = dicom_code, "MDC", meaning
        units = Dataset()
        units.CodeValue, units.CodingSchemeDesignator, units.CodeMeaning = "mV", "UCUM", "millivolt"
        ch = Dataset()
        ch.ChannelSourceSequence = Sequence([source])
        ch.ChannelSensitivity = f"{1 / rec.adc_gain[j]:.10g}"
        ch.ChannelSensitivityUnitsSequence = Sequence([units])
        ch.ChannelSensitivityCorrectionFactor = "1"
        ch.ChannelBaseline = f"{-rec.baseline[j] / rec.adc_gain[j]:.10g}"
        ch.ChannelSampleSkew = "0"
        ch.WaveformBitsStored = 16
        channels.append(ch)
    mux = Dataset()
    mux.MultiplexGroupLabel = "RHYTHM"
    mux.WaveformOriginality = "ORIGINAL"
    mux.NumberOfWaveformChannels = rec.n_sig
    mux.NumberOfWaveformSamples = rec.sig_len
    mux.SamplingFrequency = f"{rec.fs:g}"
    mux.ChannelDefinitionSequence = Sequence(channels)
    mux.WaveformBitsAllocated = 16
    mux.WaveformSampleInterpretation = "SS"
    mux.WaveformData = np.ascontiguousarray(rec.d_signal, dtype="<i2").tobytes()  # samples interleaved by channel
    ds.WaveformSequence = Sequence([mux])
    return ds


def ecg_iod_problems(ds) -> list[str]:
    """Where a dataset breaks the 12-Lead ECG IOD's waveform constraints (:data:`ECG_IOD_LIMITS`); [] if nowhere."""
    problems = []
    if ds.SOPClassUID != TWELVE_LEAD_ECG_SOP_CLASS:
        problems.append(f"SOP Class {ds.SOPClassUID} is not 12-lead ECG Waveform Storage")
    for mux in ds.WaveformSequence:
        checks = [("channels", int(mux.NumberOfWaveformChannels)), ("samples", int(mux.NumberOfWaveformSamples)),
                  ("hz", float(mux.SamplingFrequency))]  # fmt: skip
        for name, value in checks:
            lo, hi = ECG_IOD_LIMITS[name]
            if not lo <= value <= hi:
                label = {"channels": "channels", "samples": "samples", "hz": "sampling frequency (Hz)"}[name]
                problems.append(f"{label} {value:g} is outside the IOD's {lo:g} to {hi:g}")
        if mux.WaveformSampleInterpretation != ECG_IOD_LIMITS["interpretation"]:
            problems.append(f"sample interpretation {mux.WaveformSampleInterpretation} is not SS")
    return problems


def write_dicom(ds, path) -> Path:
    path = Path(path)
    try:
        ds.save_as(path, enforce_file_format=True)
    except OSError as exc:
        raise DataError(path, f"cannot be written ({exc.strerror or exc})", "Pass a writable --out file.") from None
    return path


def ecg_observation(ecg_id: int, fs: int = 100, root=None):
    """One PTB-XL record as a FHIR R4B Observation: one component per lead, each a SampledData of the digital
    samples with factor 1/gain (mV per unit) and period 1000/fs ms (as in FHIR's own ECG example)."""
    from fhir.resources.R4B.observation import ObservationComponent
    from fhir.resources.R4B.sampleddata import SampledData

    f = _fhir()
    rec, meta = _ecg_record(ecg_id, fs, root)
    recorded = pd.Timestamp(meta["recording_date"]).tz_localize("UTC")
    comps = []
    for j, lead in enumerate(rec.sig_name):
        code, _, meaning = LEAD_CODES[lead.upper()]
        data = " ".join(map(str, rec.d_signal[:, j].tolist()))
        origin = f["Quantity"](value=-rec.baseline[j] / rec.adc_gain[j], unit="mV", system=UCUM, code="mV")
        sd = SampledData(origin=origin, period=1000 / rec.fs, factor=1 / rec.adc_gain[j], dimensions=1, data=data)
        concept = f["CodeableConcept"](coding=[f["Coding"](system=MDC, code=str(code), display=meaning)])
        comps.append(ObservationComponent(code=concept, valueSampledData=sd))
    return f["Observation"](
        id=f"ptbxl-{int(ecg_id)}-{fs}",
        status="final",
        code=f["CodeableConcept"](
            coding=[f["Coding"](system=MDC, code="131328", display="MDC_ECG_ELEC_POTL")], text="12-lead ECG"
        ),
        subject=f["Reference"](reference=f"Patient/ptbxl-{int(meta['patient_id'])}"),
        effectiveDateTime=recorded.isoformat(),
        component=comps,
    )


def sampled_data_array(obs) -> np.ndarray:
    """Physical values (samples, leads) in mV back from an ECG Observation's SampledData components."""
    cols = []
    for c in obs.component:
        sd = c.valueSampledData
        digits = np.array(sd.data.split(), dtype=float)
        cols.append(float(sd.origin.value) + digits * float(sd.factor))
    return np.column_stack(cols)


# ---------------------------------------------------------------------------------------------------- command
class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse would print the usage too)
        print(f"error: {message} (see: python -m heartdata.interop {{fhir,dicom}} --help)", file=sys.stderr)
        raise SystemExit(2)


def _writable_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(path, f"cannot be created ({exc.strerror or exc})", "Pass a writable --out folder.") from None
    if not os.access(path, os.W_OK):
        raise DataError(path, "is not writable", "Pass a writable --out folder.")


def main(argv=None) -> int:
    parser = _Parser(prog="python -m heartdata.interop", description="Export course data in exchange formats.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("fhir", help="Challenge 2012 stays as FHIR R4B Bulk Data NDJSON")
    p.add_argument("--set", default="a", dest="set_name", help="Challenge 2012 set (a, b, c)")
    p.add_argument("--record-ids", nargs="+", type=int, required=True, metavar="ID")
    p.add_argument("--out", required=True, type=Path, help="folder for Patient/Encounter/Observation.ndjson")
    p.add_argument("--root", default=None, help="folder holding challenge2012/ (default: $HEARTDATA_DIR or shipped)")
    d = sub.add_parser("dicom", help="one PTB-XL record as a DICOM 12-lead ECG waveform file")
    d.add_argument("--ecg-id", type=int, required=True)
    d.add_argument("--out", required=True, type=Path, help="the .dcm file to write")
    d.add_argument(
        "--fs",
        type=int,
        choices=[100, 500],
        default=500,
        help="sampling rate (default 500; the 12-lead ECG IOD allows 200-1000 Hz, so 100 Hz breaks it)",
    )
    d.add_argument("--root", default=None, help="folder holding ptbxl/ (default: $HEARTDATA_DIR or shipped)")
    args = parser.parse_args(argv)
    try:
        if args.command == "fhir":
            stay = challenge2012.load_stays(args.set_name, args.root, args.record_ids)
            _writable_dir(args.out)
            local_only = []

            def batches():
                for _, rows in stay.groupby("RecordID", sort=False):
                    res = stay_resources(rows, args.set_name)
                    local_only.extend(o.code.text for o in res["Observation"] if len(o.code.coding) == 1)
                    yield res

            _, n = export_ndjson(batches(), args.out)
            unknown = sorted(set(stay["Parameter"]) - set(CODES.index) - {"RecordID"})
            print(
                f"wrote {n['Patient']} Patient, {n['Encounter']} Encounter and {n['Observation']} Observation "
                f"resources (FHIR {FHIR_VERSION}) to {args.out}; {len(local_only)} Observations carry only the "
                f"local code (no LOINC mapping: {', '.join(sorted(set(local_only))) or 'none'})"
                + (f"; parameters unknown to the table: {', '.join(unknown)}" if unknown else "")
            )
        else:
            ds = ecg_dicom(args.ecg_id, args.fs, args.root)
            parent = args.out.parent if str(args.out.parent) else Path(".")
            if not parent.is_dir():
                raise DataError(parent, "folder does not exist", "Pass --out inside an existing, writable folder.")
            write_dicom(ds, args.out)
            problems = ecg_iod_problems(ds)
            print(
                f"wrote PTB-XL ecg_id {args.ecg_id} at {args.fs} Hz as a DICOM 12-lead ECG waveform to {args.out}"
                + (f"; note: {'; '.join(problems)}, so a strict reader may refuse it" if problems else "")
            )
    except DataError as exc:
        print(f"error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
