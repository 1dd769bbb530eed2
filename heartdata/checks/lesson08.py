"""Checks for lesson 08's exercises (interoperability): expected values come from the data, the exports and
heartdata.interop / heartdata.fhirvalidate.

Each exercise asks for something the lesson did not print (AHA codes rather than DICOM or SNOMED CT, the first ten
minutes of record 100, urea rather than glucose, a respiratory rate of another stay, the round trip of other stays),
and each names the mistake its prompt warns about only when the answer is what that mistake gives. No check changes
the student's object: FHIR resources are read through a JSON copy.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import json
import tempfile
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, fhirvalidate, interop, mitdb, ptbxl
from ..feedback import (
    Feedback,
    as_series,
    check_number,
    close,
    correct,
    exercise,
    incorrect,
    mistake_at,
    named,
)

#: Exercise 4: the stay whose first respiratory rate the student exports (the prompt names it).
RR_STAY = 132543
#: Molar masses for exercise 3: urea nitrogen is reported as the mass of urea's two nitrogen atoms.
N2_G_PER_MOL, UREA_G_PER_MOL = 28.014, 60.06
#: Exercise 5 works on the ten stays of set A with the largest RecordIDs.
N_ROUND_TRIP = 10


@cache
def _stays() -> pd.DataFrame:
    return challenge2012.load_stays()


@cache
def _statements() -> pd.Series:
    return ptbxl.load_metadata()["scp_codes"].map(ast.literal_eval)


def _no_aha() -> pd.Series:
    return ptbxl.load_scp_statements()["AHA code"].isna()


# ------------------------------------------------------------------------------------------------ exercise 1
@exercise(mistakes={
    "statements": "that is the number of SCP statements without an AHA code; the question asks for ECGs.",
    "statement_uses": "that is the number of statements without an AHA code over all the ECGs ({uses:,}): an ECG "
                      "with two of them counts twice. Count each ECG once: for each ECG ask whether *any* of its "
                      "statements lacks a code, then sum those True values.",
    "share": "that is the share of the {n:,} ECGs ({share:.3f}); the question asks how many ECGs: leave out the "
             "division (or the `.mean()`).",
    "all": "you counted the ECGs whose statements *all* lack an AHA code. One statement without a code is enough for "
           "the export to lose it: use any, not all.",
    "complement": "that is the number of ECGs whose statements all have an AHA code: the complement.",
    "likelihood0": "you skipped the statements with likelihood 0. In PTB-XL, 0 means 'no likelihood given', not "
                   "'absent' (rhythm and form statements are not graded and mostly carry 0): those statements are "
                   "asserted and must be exported too. Count every statement.",
})  # fmt: skip
def ecgs_without_aha(answer):
    no = _no_aha()
    st = _statements()
    expected = int(st.map(lambda d: any(no[c] for c in d)).sum())
    every = int(st.map(lambda d: all(no[c] for c in d)).sum())
    positive = int(st.map(lambda d: any(no[c] for c, v in d.items() if v > 0)).sum())
    uses = int(st.map(lambda d: sum(bool(no[c]) for c in d)).sum())  # statements counted, not ECGs
    mistakes = [mistake_at("share", expected / len(st), n=len(st), share=expected / len(st))]
    if uses != expected:  # with no ECG holding two such statements the two counts agree: nothing to name
        mistakes.append(mistake_at("statement_uses", uses, uses=uses))
    return check_number(
        answer,
        expected,
        mistakes=mistakes + [mistake_at("statements", int(no.sum())), mistake_at("all", every),
                  mistake_at("complement", len(st) - expected), mistake_at("likelihood0", positive)],  # fmt: skip
        what="a whole number of ECGs",
        hint="For each ECG, parse `scp_codes` with ast.literal_eval and ask whether any of its statements has "
        "no `AHA code` in `scp`.",
    )


# ------------------------------------------------------------------------------------------------ exercise 2
def _aami_expected(minutes: float = 10) -> pd.Series:
    ann = mitdb.load_annotations()
    first = ann[ann["time_s"] < minutes * 60]
    return interop.aami_class(first["symbol"]).value_counts().reindex(list("NSVFQ"), fill_value=0)


@exercise(mistakes={
    "order": "the counts are right, but the order is {order}: the exercise asks for N, S, V, F, Q (AAMI's order, from "
             "normal to unclassifiable). `.reindex(list('NSVFQ'))` puts them in it.",
    "symbols": "your index holds MIT-BIH symbols (such as `A` or `+`), not AAMI classes: map every symbol with "
               "`interop.AAMI_CLASSES` (or `interop.aami_class`) first.",
    "missing": "the classes {missing} are missing. A class with no beat is a count of 0, and a table that leaves it "
               "out hides that nothing was found: reindex to N, S, V, F, Q with fill_value=0.",
    "plus": "you counted every annotation, beats and non-beats. A `+` marks a rhythm change, not a beat: it has no "
            "AAMI class and must be left out.",
    "whole": "these are the counts of the whole record; keep only the annotations with `time_s` below 600.",
    "labels": "the counts are right, but the labels are {labels}: the AAMI classes are the capital letters N, S, V, F, "
              "Q, as `interop.aami_class` gives them, and a receiver matches labels as text. Keep its labels.",
    "shares": "these are the classes' shares of the beats (they add up to {total:g}): the exercise asks for the "
              "number of beats of each class, `value_counts()` without `normalize=True`.",
})  # fmt: skip
def aami_first_minutes(answer):
    got = as_series(answer, "a pandas Series (or a dict) of counts indexed by class")
    if not isinstance(got, pd.Series):
        return got
    expected = _aami_expected()
    got.index = got.index.map(str)
    numeric = pd.to_numeric(got, errors="coerce")
    if numeric.isna().any():
        return incorrect("the Series should hold counts (whole numbers), one per class.")
    ann = mitdb.load_annotations()
    first = ann[ann["time_s"] < 600]
    relabelled = numeric.set_axis([k.strip().upper() for k in numeric.index])
    if (list(relabelled.index) != list(numeric.index) and list(relabelled.index) == list(expected.index)
            and relabelled.eq(expected).all()):  # fmt: skip
        return close(named("labels", labels=", ".join(got.index)))
    shares = expected / expected.sum()
    if (set(got.index) == set(expected.index) and not numeric.eq(numeric.round()).all()
            and np.allclose(numeric.reindex(expected.index), shares, rtol=1e-6, atol=1e-9)):  # fmt: skip
        return close(named("shares", total=float(numeric.sum())))
    if set(got.index) == set(expected.index) and numeric.reindex(expected.index).eq(expected).all():
        if list(got.index) != list(expected.index):
            return close(named("order", order=", ".join(got.index)))
        return correct(
            f"{int(expected.sum())} beats in the first 10 minutes: "
            + ", ".join(f"{k} {v}" for k, v in expected.items())
            + "."
        )
    if set(got.index) & (set(first["symbol"]) - set("NSVFQ")):
        return close(named("symbols"))
    missing = [k for k in expected.index if k not in got.index]
    positive = expected[expected > 0]
    if missing and numeric.reindex(positive.index).eq(positive).all() and set(got.index) <= set(expected.index):
        return close(named("missing", missing=missing))
    if int(numeric.sum()) == len(first) and int(numeric.sum()) != int(expected.sum()):
        return close(named("plus"))
    whole = _aami_expected(minutes=np.inf)
    if numeric.reindex(whole.index).eq(whole).all():
        return close(named("whole"))
    return incorrect("these are not the counts of the first 10 minutes; check the time filter (`time_s` below 600) "
                     "and that every beat is mapped to its class.")  # fmt: skip


# ------------------------------------------------------------------------------------------------ exercise 3
@exercise(mistakes={
    "quantity": "this is a pint quantity; the exercise asks for its number: `float(q.magnitude)` after `.to(...)`.",
    "one_nitrogen": "you divided by the molar mass of one nitrogen atom (14.007 g/mol), so your amount is twice the "
                    "answer. A molecule of urea has two nitrogen atoms, and BUN weighs both: divide by 28.014 g/mol "
                    "(2 x 14.007).",
    "urea": "you divided by the molar mass of urea (60.06 g/mol). BUN is the mass of urea's *nitrogen*: divide by the "
            "two nitrogen atoms, 28.014 g/mol.",
    "decilitre": "a factor of 10 is missing: a decilitre is a tenth of a litre, so mg/dL times 10 is mg/L. Let the "
                 "UCUM library do it (`.to(...)`) instead of by hand.",
    "multiplied": "you multiplied where you should divide: mass / molar mass = amount.",
    "unconverted": "that is the median in mg/dL, not converted.",
    "mean": "you converted the mean; the exercise asks for the median.",
    "per_stay": "you took the median of each stay's median: the exercise asks for the median of all BUN values "
                "charted in set A (every row, whichever stay), a stay with many draws counting more.",
})  # fmt: skip
def bun_to_urea(answer):
    rows = _stays().loc[lambda s: s["Parameter"].eq("BUN")]
    bun = rows["Value"]
    median = float(bun.median())
    per_stay = float(rows.groupby("RecordID")["Value"].median().median())
    expected = median * 10 / N2_G_PER_MOL  # mg/dL -> mg/L is x10; mg/L / (g/mol) = mmol/L
    if hasattr(answer, "magnitude") and not isinstance(answer, int | float):
        return close(named("quantity"))
    return check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("one_nitrogen", median * 10 / (N2_G_PER_MOL / 2)),
            mistake_at("urea", median * 10 / UREA_G_PER_MOL),
            mistake_at("decilitre", median / N2_G_PER_MOL),
            mistake_at("multiplied", median * N2_G_PER_MOL / 10),
            mistake_at("unconverted", median),
            mistake_at("mean", float(bun.mean()) * 10 / N2_G_PER_MOL),
            *([mistake_at("per_stay", per_stay * 10 / N2_G_PER_MOL)] if abs(per_stay - median) > 1e-3 * median
              else []),  # fmt: skip
        ],
        what="a number (mmol/L)",
        hint="median BUN in mg/dL -> a pint quantity with interop.ucum_quantity, divided by 28.014 g/mol, to mmol/L.",
        rel=1e-3,
    )


# ------------------------------------------------------------------------------------------------ exercise 4
def _rr_expected() -> tuple[int, float]:
    s = _stays()
    rr = s[s["RecordID"].eq(RR_STAY) & s["Parameter"].eq("RespRate")].sort_values("Time", kind="stable")
    return int(rr["Time"].iloc[0]), float(rr["Value"].iloc[0])


def _as_resource_json(answer):
    """(JSON dict copy, None) or (None, Feedback) for what the student built."""
    if hasattr(answer, "model_dump_json"):
        return json.loads(answer.model_dump_json()), None
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError:
            return None, incorrect("this text is not JSON: pass the Observation object, or its JSON as a dict.")
    if isinstance(answer, dict):
        return copy.deepcopy(answer), None
    return None, incorrect(f"expected a FHIR R4B Observation (or its JSON as a dict), got {type(answer).__name__}.")


_STATUS_MEANING = {
    "registered": "that no result is available yet", "preliminary": "that the value may still change",
    "amended": "that a final value was later changed", "corrected": "that a final value was corrected",
    "cancelled": "that the observation was cancelled and there is no valid result",
    "entered-in-error": "that the record was a mistake", "unknown": "that its state is unknown",
}  # fmt: skip
RR_MISTAKES = {
    "r5": "this Observation comes from fhir.resources' R5 classes ({module}). The course exchanges FHIR R4B, which "
          "most hospital servers accept: `from fhir.resources.R4B.observation import Observation`.",
    "zone": "{location}: {message}. The stated reference, interop.REFERENCE, has its zone: add minutes to it (a "
            "timedelta) and use .isoformat().",
    "status_meaning": "status {status!r} is in FHIR's ObservationStatus value set, but it says {meaning}. A value the "
                      "nurse charted is a final result: 'final'.",
    "status_not_in_set": "status {status!r} is not in FHIR's ObservationStatus value set (a required binding): a "
                         "charted value is 'final'.",
    "loinc_system": "the code 9279-1 is there, but its system is not 'http://loinc.org': a coding names its code "
                    "system by its URI, exactly.",
    "heart_rate": "8867-4 is heart rate; a respiratory rate is LOINC 9279-1.",
    "two_vitals": "the code holds LOINC codes of two different vital signs ({codes}): an Observation says one thing. "
                  "Keep 9279-1 (a local code beside it is fine).",
    "loinc_typo": "{message}: remove or correct it.",
    "obs6": "the Observation has a value and a dataAbsentReason. FHIR's invariant obs-6 allows a dataAbsentReason only "
            "when there is no value: it explains a missing value. Remove it.",
    "category": "category: {shown}. A respiratory rate is a vital sign, and FHIR's vital-signs profile (which an "
                "implementation SHALL use for it) requires the category 'vital-signs' from "
                "http://terminology.hl7.org/CodeSystem/observation-category.",
    "ucum_valid": "{code!r} is valid UCUM for a rate per minute, but the vital-signs respiratory-rate profile fixes "
                  "the unit code to '/min'. A receiver matches codes as text: use code '/min' (the human-readable "
                  "`unit` may say 'breaths/min').",
    "not_ucum": "{code!r} is how people write it, but it is not a UCUM code: a rate per minute is '/min', with system "
                "'http://unitsofmeasure.org'.",
    "qty3": "the unit code has no system. FHIR's invariant qty-3: if a code for the unit is present, the system SHALL "
            "also be present ('http://unitsofmeasure.org').",
    "uncoded_unit": "the unit must be coded: `code='/min'` and `system='http://unitsofmeasure.org'`.",
    "time_format": "effectiveDateTime should be the stated reference plus the row's minutes, with its time and zone: "
                   "interop.REFERENCE + dt.timedelta(minutes=...), then .isoformat().",
    "time_object": "effectiveDateTime is a Python datetime object ({when}), not text: in the JSON of a resource (a "
                   "dict) a date and time is a string. Add `.isoformat()`: "
                   "`(interop.REFERENCE + dt.timedelta(minutes=...)).isoformat()`.",
    "time_minute": "the time is {minutes:g} minutes after the reference; use the Time of the stay's first RespRate "
                   "row.",
    "zone_offset": "effectiveDateTime {when!r} is in the time zone {offset}, but the stated reference "
                   "interop.REFERENCE is in {expected}: the same clock time in another zone is another instant "
                   "({minutes:g} minutes after the reference instead of {minute}). Keep the reference's zone: "
                   "interop.REFERENCE + dt.timedelta(minutes=...), then .isoformat().",
    "patient_is_stay": "{subject!r}: the RecordID names the stay, not the patient. The course's Patient for this stay "
                       "is 'Patient/{patient}'.",
    "subject": "the subject should point at the stay's Patient: 'Patient/{patient}'.",
    "encounter": "the encounter should point at the ICU stay: 'Encounter/{encounter}'.",
    "unlabelled": "the Observation passes the rules, but its meta lacks {lacking}. Every export of the lesson is "
                  "marked before it leaves: meta={{'security': [interop.TEST_DATA_LABEL], 'tag': "
                  "[interop.PLACEHOLDER_TAG]}}, so that a server and whoever reads it know the record is test data "
                  "with placeholder dates.",
}  # fmt: skip


@exercise(mistakes=RR_MISTAKES)
def rr_observation(answer):
    module = type(answer).__module__
    if module.startswith("fhir.resources") and not module.startswith("fhir.resources.R4B"):
        return close(named("r5", module=module))
    data, feedback = _as_resource_json(answer)
    if feedback is not None:
        return feedback
    if data.get("resourceType") != "Observation":
        return incorrect(f"the resourceType should be 'Observation', not {data.get('resourceType')!r}.")
    structure = fhirvalidate.structure_issues(data)
    if structure:
        first = structure[0]
        if "time zone" in first.message:
            return close(named("zone", location=first.location, message=first.message))
        return incorrect(f"FHIR R4B refuses its structure at {first.location}: {first.message}.")
    minute, value = _rr_expected()
    issues = fhirvalidate.validate_resource(data)
    rules = {i.rule: i for i in issues}
    status = data.get("status")
    if status != "final":
        if status in _STATUS_MEANING:
            return close(named("status_meaning", status=status, meaning=_STATUS_MEANING[status]))
        return close(named("status_not_in_set", status=status))
    codings = data.get("code", {}).get("coding", [])
    loinc = [c.get("code") for c in codings if c.get("system") == interop.LOINC]
    if "9279-1" not in loinc:
        if any(c.get("code") == "9279-1" for c in codings):
            return close(named("loinc_system"))
        if "8867-4" in loinc:
            return close(named("heart_rate"))
        return incorrect("the code needs a coding with system 'http://loinc.org' and code '9279-1' (respiratory rate).")
    if "vital-signs" in rules and "different vital signs" in rules["vital-signs"].message:
        return close(named("two_vitals", codes=", ".join(loinc)))
    if "loinc" in rules:
        return close(named("loinc_typo", message=rules["loinc"].message))
    if "obs-6" in rules:
        return close(named("obs6"))
    cats = [(c.get("system"), c.get("code")) for cc in data.get("category", []) for c in cc.get("coding", [])]
    if (fhirvalidate.OBSERVATION_CATEGORY, "vital-signs") not in cats:
        texts = [cc["text"] for cc in data.get("category", []) if cc.get("text")]
        if cats:
            shown = ", ".join(str(c) for _, c in cats)
        elif texts:
            shown = (f"given as text only ({', '.join(map(repr, texts))}), with no coding, so a receiver cannot "
                     "match it")  # fmt: skip
        else:
            shown = "none"
        return close(named("category", shown=shown))
    q = data.get("valueQuantity") or {}
    if q.get("value") is None:
        return incorrect("the rate goes in `valueQuantity` (a Quantity with value, unit, system and code).")
    if float(q["value"]) != value:
        return incorrect(f"the value is {q['value']}; look again at the first RespRate row of stay {RR_STAY} "
                         "(sorted by Time).")  # fmt: skip
    if q.get("code") != "/min" or q.get("system") != interop.UCUM:
        code = q.get("code")
        if code and interop.is_ucum(code) and q.get("system") == interop.UCUM:
            return close(named("ucum_valid", code=code))
        if code and not interop.is_ucum(code):
            return close(named("not_ucum", code=code))
        if code and not q.get("system"):
            return close(named("qty3"))
        return close(named("uncoded_unit"))
    when = data.get("effectiveDateTime")
    if isinstance(when, (dt.datetime, dt.date)):  # r17-s68 08-4 W12: REFERENCE + timedelta without .isoformat()
        return close(named("time_object", when=when.isoformat()))
    expected_when = interop.REFERENCE + dt.timedelta(minutes=minute)
    try:
        got_when = dt.datetime.fromisoformat(str(when).replace("Z", "+00:00")) if when else None
    except ValueError:
        got_when = None
    if got_when is None or got_when.tzinfo is None or "T" not in str(when):
        return close(named("time_format"))
    if got_when != expected_when:
        minutes = (got_when - interop.REFERENCE).total_seconds() / 60
        if got_when.utcoffset() != expected_when.utcoffset():  # a wrong zone, whatever the clock time (r15-s68)
            def zone(t):
                return "UTC (+00:00)" if not t.utcoffset() else t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:]

            return close(named("zone_offset", when=str(when), offset=zone(got_when), expected=zone(expected_when),
                               minutes=minutes, minute=minute))  # fmt: skip
        return close(named("time_minute", minutes=minutes))
    subject = (data.get("subject") or {}).get("reference")
    patient, encounter = interop._ids("a", RR_STAY)
    if subject != f"Patient/{patient}":
        if subject and str(RR_STAY) in subject and subject.startswith("Patient/"):
            return close(named("patient_is_stay", subject=subject, patient=patient))
        return close(named("subject", patient=patient))
    if (data.get("encounter") or {}).get("reference") != f"Encounter/{encounter}":
        return close(named("encounter", encounter=encounter))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        return incorrect(f"the rules still find a problem at {errors[0].location}: {errors[0].message}.")
    labels = [c.get("code") for c in (data.get("meta") or {}).get("security", [])]
    tags = [c.get("code") for c in (data.get("meta") or {}).get("tag", [])]
    lacking = []
    if interop.TEST_DATA_LABEL["code"] not in labels:
        lacking.append(f"the security label {interop.TEST_DATA_LABEL['code']}")
    if interop.PLACEHOLDER_TAG["code"] not in tags:
        lacking.append(f"the tag {interop.PLACEHOLDER_TAG['code']!r}")
    if lacking:
        return close(named("unlabelled", lacking=" and ".join(lacking)))
    return correct(f"a respiratory rate of {value:g}/min at minute {minute}, labelled as test data, that passes the "
                   "rules heartdata.fhirvalidate checks (the FHIR R4B invariants, required bindings and vital-signs "
                   "rules it implements). That is not conformance: profiles in full, slicing and terminology take the "
                   "HL7 validator.")  # fmt: skip


# ------------------------------------------------------------------------------------------------ exercise 5
def _ids_for(largest: bool = True) -> list[int]:
    ids = sorted(_stays()["RecordID"].unique())
    return ids[-N_ROUND_TRIP:] if largest else ids[:N_ROUND_TRIP]


@cache
def _round_trip(largest: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(raw rows of the 10 stays, the table read back) through a real export and read-back."""
    stays = _stays()
    raw = stays[stays["RecordID"].isin(_ids_for(largest))]
    with tempfile.TemporaryDirectory() as out:
        interop.write_ndjson(interop.stay_resources(raw), out)
        back = interop.resources_to_table(interop.read_ndjson(out))
    return raw, back


@cache
def _lost(largest: bool = True) -> tuple[pd.Series, pd.Series]:
    """(values that did not come back, NaN values only) per parameter, through a real export and read-back."""
    raw, back = _round_trip(largest)
    keyed = interop.keyed_by_value  # repeats of one (stay, minute, parameter) paired by value, not by row order
    joined = pd.concat([keyed(raw).rename("raw"), keyed(back).rename("back")], axis=1)
    gone = joined[joined["raw"].notna() & ~joined["raw"].eq(joined["back"])]
    lost = gone.index.get_level_values("Parameter").value_counts().sort_index()
    nan = back.loc[back["Value"].isna(), "Parameter"].value_counts().sort_index()
    return lost, nan


@cache
def _vanished_and_first_last() -> tuple[pd.Series, pd.Series, pd.Series]:
    """Three wrong answers, per parameter, for the 10 largest stays: (the raw values with no row at all in the
    read-back table, which a merge's missing rows give; the losses if the first and the last MechVent charting of
    every ventilated stay came back, whether or not the end of ventilation is known; the same with two chartings
    taken off for each of the 10 stays, ventilated or not)."""
    raw, back = _round_trip(True)
    keyed = interop.keyed_by_value
    back_keys = keyed(back).index
    sent = keyed(raw)
    sent = sent[sent.notna()]
    vanished = sent[~sent.index.isin(back_keys)].index.get_level_values("Parameter").value_counts().sort_index()
    expected, _ = _lost(True)
    vent = raw[raw["Parameter"].eq("MechVent")].groupby("RecordID")["Time"]
    kept = int(vent.agg(lambda t: len({t.min(), t.max()})).sum())
    first_last = expected.copy()
    first_last["MechVent"] = int(raw["Parameter"].eq("MechVent").sum()) - kept
    every_stay = expected.copy()
    every_stay["MechVent"] = int(raw["Parameter"].eq("MechVent").sum()) - 2 * N_ROUND_TRIP
    return vanished, first_last[first_last != 0].sort_index(), every_stay[every_stay > 0].sort_index()


@cache
def _key_only() -> tuple[pd.Series, int]:
    """(what a merge on RecordID, Time and Parameter alone counts as lost, per parameter; how many (stay, minute,
    parameter) of the 10 largest stays hold more than one raw value). Such a merge pairs every raw repeat with every
    read-back repeat, so equal values are counted lost against their neighbours."""
    raw, back = _round_trip(True)
    key = ["RecordID", "Time", "Parameter"]
    both = raw[key + ["Value"]].merge(back[key + ["Value"]], on=key, how="left", suffixes=("", "_back"))
    lost = both.loc[both["Value"].notna() & ~both["Value"].eq(both["Value_back"]), "Parameter"].value_counts()
    sizes = raw.groupby(key).size()
    return lost.sort_index(), int(sizes.gt(1).sum())


def _counts(answer) -> pd.Series | Feedback:
    got = as_series(answer, "a pandas Series (or a dict) of counts indexed by parameter")
    if not isinstance(got, pd.Series):
        return got
    got = pd.to_numeric(got, errors="coerce")
    if got.isna().any():
        return incorrect("the Series should hold counts (whole numbers), one per parameter.")
    got.index = got.index.map(str)
    return got[got != 0].sort_index()


def _same(a: pd.Series, b: pd.Series) -> bool:
    return set(a.index) == set(b.index) and a.reindex(b.index).eq(b).all()


@exercise(mistakes={
    "nan_only": "you counted the read-back values that are NaN. Values can also vanish without a NaN: rows that are "
                "simply not in the read-back table. Compare the raw table with the read-back one value by value "
                "(merge on RecordID, Time, Parameter and the rank of the value among that minute's repeats), to "
                "catch both.",
    "vanished_only": "you counted the values that did not come back as a row ({shown}: {how}). A value can "
                     "also come back as a row whose value is NaN: it is lost too. Compare the values, not only the "
                     "rows (merge on RecordID, Time, Parameter and the rank of the value among that minute's "
                     "repeats, and count where the read-back value is not the raw one).",
    "key_only": "you merged on RecordID, Time and Parameter alone. In these stays, {repeats} more than one "
                "value, and a merge on those keys pairs each of the repeats with each "
                "of the read-back ones, so values that came back equal are counted lost against their neighbour. "
                "Pair repeats by value: sort by Value within RecordID, Time and Parameter, number the repeats "
                "(`groupby(key).cumcount()`) on both sides and merge on that number too; or compare the counts of "
                "each value (`groupby(key + ['Value']).size()`).",
    "first_last": "you counted as lost every MechVent charting but the first and the last of each ventilated stay "
                  "(MechVent {total} − {kept} = {value}). The first always comes back, but the last only where the "
                  "end of ventilation is known: when the last charting lies within {hours} hours of the end of the "
                  "stay's record, the Procedure's end is 'unknown' and only the first comes back "
                  "(`interop.ventilation_end_unknown`). Count from the read-back table rather than from the rule.",
    "first_last_every_stay": "you took two MechVent chartings (the first and the last) off for each of the {n} stays "
                             "(MechVent {total} − 2 × {n} = {value}). Only {ventilated} of them were ventilated, and "
                             "of a ventilated stay the last charting comes back only where the end of ventilation is "
                             "known (`interop.ventilation_end_unknown`). Count from the read-back table rather than "
                             "from the rule.",
    "smallest": "these are the {n} stays with the smallest RecordIDs; the exercise asks for the largest "
                "(sorted(...)[-10:]).",
    "all_vent": "you counted every MechVent charting as lost. The Procedure's period keeps the first charting of "
                "each stay, and the last where the end of ventilation is known: those come back as rows.",
})  # fmt: skip
def lost_values(answer):
    got = _counts(answer)
    if not isinstance(got, pd.Series):
        return got
    expected, nan_only = _lost(True)
    if _same(got, expected):
        return correct("; ".join(f"{p}: {n}" for p, n in expected.items()) + ". The sentinels came back as a "
                       "reason; of the ventilation chartings only each stay's first comes back, and its last "
                       "where the end is known (not near the end of the record).")  # fmt: skip
    if _same(got, nan_only):
        return close(named("nan_only"))
    vanished, first_last, every_stay = _vanished_and_first_last()
    raw, back = _round_trip(True)
    key_only, repeats = _key_only()
    if _same(got, key_only) and not _same(key_only, expected):
        held = f"{repeats} (stay, minute, parameter) {'holds' if repeats == 1 else 'hold'}"
        return close(named("key_only", repeats=held))
    diff = raw.groupby("Parameter").size().sub(back.groupby("Parameter").size(), fill_value=0)
    diff = diff[diff != 0].sort_index()  # the difference of the row counts per parameter, sent minus read back
    if _same(got, vanished) or _same(got, diff):
        how = ("the raw values with no row in the read-back table, here also the difference of the row counts per "
               "parameter" if _same(got, vanished) and _same(got, diff) else
               "the raw values with no row in the read-back table" if _same(got, vanished) else
               "the difference of the row counts per parameter, sent minus read back")  # fmt: skip
        shown = ", ".join(f"{p} {n:g}" for p, n in got.items())
        return close(named("vanished_only", shown=shown, how=how))
    n_vent = int(raw["Parameter"].eq("MechVent").sum())
    if _same(got, first_last):
        value = int(first_last["MechVent"])
        return close(named("first_last", total=n_vent, kept=n_vent - value, value=value,
                           hours=interop.VENT_OPEN_HOURS))  # fmt: skip
    if _same(got, every_stay):
        ventilated = raw.loc[raw["Parameter"].eq("MechVent"), "RecordID"].nunique()
        return close(named("first_last_every_stay", n=N_ROUND_TRIP, total=n_vent, ventilated=ventilated,
                           value=int(every_stay["MechVent"])))  # fmt: skip
    smallest, smallest_nan = _lost(False)
    if _same(got, smallest) or _same(got, smallest_nan):
        return close(named("smallest", n=N_ROUND_TRIP))
    every_vent = expected.copy()
    every_vent["MechVent"] = int(raw["Parameter"].eq("MechVent").sum())
    if _same(got, every_vent.sort_index()):
        return close(named("all_vent"))
    if "RecordID" in got.index or int(got.sum()) == len(raw):
        return incorrect("count only the raw values that did not come back as the same number, per Parameter.")
    return incorrect("these are not the values lost in the round trip of those stays; compare the raw and the "
                     "read-back tables parameter by parameter, pairing the repeats of one stay, minute and "
                     "parameter by value (sorted, then numbered with cumcount).")  # fmt: skip
