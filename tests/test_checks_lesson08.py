"""Lesson 08 checks, walked through as a student would: for every exercise the warned mistake, two other plausible
wrong answers and a right answer written another way, each with its status and what the message names; checks
never raise and never change the student's object."""

from __future__ import annotations

import ast
import copy
import datetime as dt
import json
import tempfile

import pandas as pd
import pytest
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from heartdata import challenge2012, feedback, fhirvalidate, interop, mitdb, ptbxl
from heartdata.checks import lesson08

CHECKS = [
    lesson08.ecgs_without_aha,
    lesson08.aami_first_minutes,
    lesson08.bun_to_urea,
    lesson08.rr_observation,
    lesson08.lost_values,
]
CLOSE, CORRECT, INCORRECT = feedback.CLOSE, feedback.CORRECT, feedback.INCORRECT


def expect(fb, status, *words):
    assert fb.status == status, fb
    for word in words:
        assert word in fb.message, (word, fb)


@pytest.mark.parametrize("bad", ["124", [1, 2], object(), True])
def test_checks_never_raise(bad):
    for check in CHECKS:
        fb = check(bad)
        assert fb.status == INCORRECT, (check.__name__, bad, fb)
        assert check(None).status == feedback.NOT_ATTEMPTED


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays()


# ------------------------------------------------------------------ exercise 1
def test_ecgs_without_aha():
    meta, scp = ptbxl.load_metadata(), ptbxl.load_scp_statements()
    no = scp["AHA code"].isna()
    st = meta["scp_codes"].map(ast.literal_eval)
    good = int(st.map(lambda d: any(no[c] for c in d)).sum())
    # the warned mistake: statements with likelihood 0 dropped
    fb = lesson08.ecgs_without_aha(int(st.map(lambda d: any(no[c] for c, v in d.items() if v > 0)).sum()))
    assert fb.status == CLOSE and "not graded" in fb.message
    # two other wrong answers
    fb = lesson08.ecgs_without_aha(int(no.sum()))
    assert fb.status == CLOSE and "statements" in fb.message and "ECGs" in fb.message
    fb = lesson08.ecgs_without_aha(int(st.map(lambda d: all(no[c] for c in d)).sum()))
    assert fb.status == CLOSE and "any, not all" in fb.message
    fb = lesson08.ecgs_without_aha(len(meta) - good)
    assert fb.status == CLOSE and "complement" in fb.message
    assert lesson08.ecgs_without_aha(3).status == INCORRECT
    # right, written another way: exploded statements, a numpy integer
    pairs = st.map(list).explode()
    other = pairs[pairs.map(no)].index.nunique()
    assert other == good and lesson08.ecgs_without_aha(pd.Series([other]).astype("int64").iloc[0]).correct



def test_r12_statements_counted_over_the_ecgs_and_the_share_are_named():
    """Walkthrough r12-s68, 08 ex1: counting the statements without an AHA code over all ECGs (an ECG with two counts
    twice) and the share of ECGs got the generic recipe."""
    meta, scp = ptbxl.load_metadata(), ptbxl.load_scp_statements()
    no = scp["AHA code"].isna()
    st = meta["scp_codes"].map(ast.literal_eval)
    good = int(st.map(lambda d: any(no[c] for c in d)).sum())
    uses = sum(bool(no[c]) for d in st for c in d)
    assert uses != good  # some ECG holds two statements without a code, so the slip gives another number
    fb = lesson08.ecgs_without_aha(uses)
    assert fb.status == CLOSE and f"over all the ECGs ({uses:,})" in fb.message and "counts twice" in fb.message, fb
    fb = lesson08.ecgs_without_aha(good / len(meta))
    assert fb.status == CLOSE and "share" in fb.message and f"{good / len(meta):.3f}" in fb.message, fb
    assert lesson08.ecgs_without_aha(uses + 1).status == INCORRECT  # near it, not it: not named


# ------------------------------------------------------------------ exercise 2
def test_aami_first_minutes():
    ann = mitdb.load_annotations()
    first = ann[ann["time_s"] < 600]
    classes = interop.aami_class(first["symbol"])
    good = classes.value_counts().reindex(list("NSVFQ"), fill_value=0)
    assert lesson08.aami_first_minutes(good).correct
    # the warned mistakes: classes with no beat left out, and the order not N, S, V, F, Q
    fb = lesson08.aami_first_minutes(classes.value_counts())
    assert fb.status == CLOSE and "count of 0" in fb.message
    fb = lesson08.aami_first_minutes(good.sort_index())
    assert fb.status == CLOSE and "order" in fb.message and "N, S, V, F, Q" in fb.message
    # two other wrong answers
    fb = lesson08.aami_first_minutes(first["symbol"].value_counts())  # symbols, not classes
    assert fb.status == CLOSE and "AAMI_CLASSES" in fb.message
    whole = interop.aami_class(ann["symbol"]).value_counts().reindex(list("NSVFQ"), fill_value=0)
    fb = lesson08.aami_first_minutes(whole)
    assert fb.status == CLOSE and "whole record" in fb.message
    with_plus = classes.fillna("Q").value_counts().reindex(list("NSVFQ"), fill_value=0)  # '+' counted as Q
    fb = lesson08.aami_first_minutes(with_plus)
    assert fb.status == CLOSE and "rhythm change" in fb.message
    # right, written another way: a dict in the asked order; and the check leaves the answer as it was
    as_dict = {k: int(v) for k, v in good.items()}
    before = dict(as_dict)
    assert lesson08.aami_first_minutes(as_dict).correct and as_dict == before
    kept = good.copy()
    lesson08.aami_first_minutes(good)
    assert good.equals(kept)


# ------------------------------------------------------------------ exercise 3
def test_bun_to_urea(stays):
    bun = stays.loc[stays["Parameter"].eq("BUN"), "Value"]
    median = bun.median()
    assert lesson08.bun_to_urea(median * 10 / 28.014).correct
    # the warned mistake: the molar mass of urea instead of its two nitrogen atoms
    fb = lesson08.bun_to_urea(median * 10 / 60.06)
    assert fb.status == CLOSE and "nitrogen" in fb.message
    # two other wrong answers
    fb = lesson08.bun_to_urea(median / 28.014)
    assert fb.status == CLOSE and "decilitre" in fb.message
    fb = lesson08.bun_to_urea(bun.mean() * 10 / 28.014)
    assert fb.status == CLOSE and "mean" in fb.message
    assert "not converted" in lesson08.bun_to_urea(median).message
    assert "multiplied" in lesson08.bun_to_urea(median * 28.014 / 10).message
    fb = lesson08.bun_to_urea(interop.ucum_quantity(median, "mg/dL"))
    assert fb.status == CLOSE and "magnitude" in fb.message
    # right, written another way: through UCUM with the quantity in mmol/L
    q = interop.ucum_quantity(median, "mg/dL") / interop.ucum_quantity(28.014, "g/mol")
    assert lesson08.bun_to_urea(q.to("millimole / liter").magnitude).correct
    # student walkthrough r15-s68: the median of per-stay medians, which the prompt now rules out, is named
    per_stay = stays[stays["Parameter"].eq("BUN")].groupby("RecordID")["Value"].median().median()
    assert abs(per_stay - median) > 1e-3 * median  # a different number on this data, or the case is moot
    fb = lesson08.bun_to_urea(per_stay * 10 / 28.014)
    assert fb.status == CLOSE and "each stay's median" in fb.message


def test_r12_one_nitrogen_is_named(stays):
    """Walkthrough r12-s68, 08 ex3: dividing by one nitrogen atom (14.007 g/mol, twice the answer) got the recipe."""
    median = stays.loc[stays["Parameter"].eq("BUN"), "Value"].median()
    fb = lesson08.bun_to_urea(median * 10 / 14.007)
    assert fb.status == CLOSE and "one nitrogen atom" in fb.message and "twice" in fb.message, fb
    assert lesson08.bun_to_urea(median * 10 / 14.007 * 1.1).status == INCORRECT


# ------------------------------------------------------------------ exercise 4
def _first_rr(stays):
    row = stays[stays["RecordID"].eq(132543) & stays["Parameter"].eq("RespRate")].sort_values("Time").iloc[0]
    return int(row["Time"]), float(row["Value"])


UNSET = object()  # a part the answer leaves out


def _rr(stays, **change):
    minute, value = _first_rr(stays)
    parts = {
        "status": "final",
        "category": [CodeableConcept(coding=[Coding(system=fhirvalidate.OBSERVATION_CATEGORY, code="vital-signs")])],
        "code": CodeableConcept(coding=[Coding(system=interop.LOINC, code="9279-1")]),
        "subject": Reference(reference="Patient/c2012-a-132543"),
        "encounter": Reference(reference="Encounter/c2012-a-132543-icu"),
        "effectiveDateTime": (interop.REFERENCE + dt.timedelta(minutes=minute)).isoformat(),
        "valueQuantity": Quantity(value=value, unit="/min", system=interop.UCUM, code="/min"),
        "meta": {"security": [interop.TEST_DATA_LABEL], "tag": [interop.PLACEHOLDER_TAG]},
    }
    parts.update(change)
    return Observation(**{k: v for k, v in parts.items() if v is not UNSET})


def _json(stays, **change):
    return json.loads(_rr(stays, **change).model_dump_json())


def test_rr_observation_right_answers(stays):
    fb = lesson08.rr_observation(_rr(stays))
    assert fb.correct and "not conformance" in fb.message and "passes FHIR" not in fb.message
    # the label and tag the prompt asks for may come with others beside them
    extra = {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}
    both = _rr(stays, meta={"security": [extra, interop.TEST_DATA_LABEL], "tag": [interop.PLACEHOLDER_TAG]})
    assert lesson08.rr_observation(both).correct
    # written other ways: as JSON, with a readable unit, an extra local coding and a second category
    data = _json(stays)
    data["valueQuantity"]["unit"] = "breaths/min"
    data["code"]["coding"].append({"system": interop.LOCAL, "code": "RespRate"})
    data["category"].append({"coding": [{"system": fhirvalidate.OBSERVATION_CATEGORY, "code": "exam"}]})
    data["effectiveDateTime"] = data["effectiveDateTime"].replace("+00:00", "Z")
    kept = copy.deepcopy(data)
    assert lesson08.rr_observation(data).correct and data == kept  # and the dict is left as it was
    assert lesson08.rr_observation(json.dumps(data)).correct


def test_rr_observation_refuses_a_number_written_as_a_json_string(stays):
    # r13-s68 08-4a: FHIR's JSON format writes a decimal as a JSON number; fhir.resources turns "19" into 19 silently
    data = _json(stays)
    right = data["valueQuantity"]["value"]
    data["valueQuantity"]["value"] = str(right)
    for answer in (data, json.dumps(data)):
        fb = lesson08.rr_observation(answer)
        assert not fb.correct and "valueQuantity.value" in fb.message and "JSON string" in fb.message
    issues = fhirvalidate.validate_resource(data)
    assert [(i.rule, i.location) for i in issues] == [("structure", "valueQuantity.value")]
    data["valueQuantity"]["value"] = right
    assert lesson08.rr_observation(data).correct


@pytest.mark.parametrize(
    "change, status, words",
    [
        # the warned mistakes: what the vital-signs profile and FHIR's invariants refuse
        ({"category": None}, CLOSE, "category 'vital-signs'"),
        ({"category": [CodeableConcept(coding=[Coding(system=fhirvalidate.OBSERVATION_CATEGORY,
                                                      code="laboratory")])]}, CLOSE, "category: laboratory"),
        ({"valueQuantity": Quantity(value=19, unit="/min", system=interop.UCUM, code="{breaths}/min")}, CLOSE,
         "fixes the unit code to '/min'"),
        ({"valueQuantity": Quantity(value=19, unit="/min", system=interop.UCUM, code="1/min")}, CLOSE,
         "valid UCUM"),
        ({"valueQuantity": Quantity(value=19, unit="bpm", system=interop.UCUM, code="bpm")}, CLOSE,
         "not a UCUM code"),
        ({"dataAbsentReason": CodeableConcept(text="monitor off")}, CLOSE, "obs-6"),
        ({"code": CodeableConcept(coding=[Coding(system=interop.LOINC, code="9279-1"),
                                          Coding(system=interop.LOINC, code="8867-4")])}, CLOSE,
         "two different vital signs"),
        # statuses in the value set that say the wrong thing
        ({"status": "cancelled"}, CLOSE, "no valid result"),
        ({"status": "entered-in-error"}, CLOSE, "mistake"),
        ({"status": "registered"}, CLOSE, "no result"),
        ({"status": "done"}, CLOSE, "ObservationStatus"),
        # other plausible wrong answers
        ({"code": CodeableConcept(coding=[Coding(system=interop.LOINC, code="8867-4")])}, CLOSE, "heart rate"),
        ({"code": CodeableConcept(coding=[Coding(system="LOINC", code="9279-1")])}, CLOSE, "system"),
        ({"subject": Reference(reference="Patient/132543")}, CLOSE, "names the stay"),
        ({"effectiveDateTime": interop.REFERENCE.isoformat()}, CLOSE, "first RespRate"),
        ({"effectiveDateTime": "2000-01-01"}, CLOSE, "with its time and zone"),
        ({"valueQuantity": Quantity(value=17, unit="/min", system=interop.UCUM, code="/min")}, INCORRECT,
         "first RespRate row"),
        # the case the review found the rules let through: a quantity without its unit text (1..1 in the profile)
        ({"valueQuantity": Quantity(value=19, system=interop.UCUM, code="/min")}, INCORRECT, "valueQuantity.unit"),
        # a subject that is not a Patient
        ({"subject": Reference(reference="Encounter/c2012-a-132543-icu")}, CLOSE, "Patient/c2012-a-132543"),
    ],
)
def test_rr_observation_mistakes(stays, change, status, words):
    if change.get("category", "") is None:
        change = {k: v for k, v in change.items() if k != "category"}
        obs = _rr(stays, **change)
        obs.category = None
    else:
        obs = _rr(stays, **change)
    fb = lesson08.rr_observation(obs)
    assert fb.status == status and words in fb.message, fb


def test_rr_observation_names_a_wrong_time_zone(stays):
    """Student walkthrough r15-s68, defect 1: the right minute in the wrong zone (+01:00) was told 'the time is -24
    minutes after the reference; use the Time of the stay's first RespRate row'. It now says the zone is wrong; the
    same instant written in another zone is still right."""
    minute, _ = _first_rr(stays)
    clock = (interop.REFERENCE + dt.timedelta(minutes=minute)).replace(tzinfo=None)
    for zone, offset in (("+01:00", 60), ("-05:30", -330)):
        data = _json(stays)
        data["effectiveDateTime"] = clock.isoformat() + zone
        fb = lesson08.rr_observation(data)
        assert fb.status == CLOSE and f"time zone {zone}" in fb.message and "UTC" in fb.message, fb
        assert "first RespRate row" not in fb.message and f"instead of {minute}" in fb.message, fb
        same_instant = dt.datetime.combine(clock.date(), clock.time(), dt.timezone(dt.timedelta(minutes=offset)))
        data["effectiveDateTime"] = (same_instant + dt.timedelta(minutes=offset)).isoformat()
        assert lesson08.rr_observation(data).correct, data["effectiveDateTime"]
    data = _json(stays)  # a wrong minute in the right zone still points at the row
    data["effectiveDateTime"] = (interop.REFERENCE + dt.timedelta(minutes=minute + 1)).isoformat()
    assert "first RespRate row" in lesson08.rr_observation(data).message


def test_rr_observation_without_the_test_data_label_is_not_done(stays):
    """Student walkthrough: the prompt asks for the security label and the tag; an answer without them got a tick."""
    fb = lesson08.rr_observation(_rr(stays, meta=UNSET))
    assert fb.status == CLOSE and "security label HTEST and the tag 'placeholder-dates'" in fb.message, fb
    fb = lesson08.rr_observation(_rr(stays, meta={"security": [interop.TEST_DATA_LABEL]}))
    assert fb.status == CLOSE and "lacks the tag 'placeholder-dates'" in fb.message and "HTEST." not in fb.message
    fb = lesson08.rr_observation(_rr(stays, meta={"tag": [interop.PLACEHOLDER_TAG]}))
    assert fb.status == CLOSE and "lacks the security label HTEST." in fb.message


def test_rr_observation_library_errors_in_words(stays):
    data = _json(stays)
    data["effectiveDateTime"] = "2000-01-01T00:36:00"  # a time without a zone: the library would raise
    fb = lesson08.rr_observation(data)
    assert fb.status == CLOSE and "no time zone" in fb.message
    data = _json(stays)
    data["valueQuantity"].pop("system")
    fb = lesson08.rr_observation(data)
    assert fb.status == CLOSE and "qty-3" in fb.message
    from fhir.resources.observation import Observation as R5Observation

    fb = lesson08.rr_observation(R5Observation.model_validate(_json(stays)))
    assert fb.status == CLOSE and "R5" in fb.message and "R4B" in fb.message
    fb = lesson08.rr_observation({"resourceType": "Patient"})
    assert fb.status == INCORRECT and "Observation" in fb.message


# ------------------------------------------------------------------ exercise 5
def _round_trip(stays, ids):
    raw = stays[stays["RecordID"].isin(ids)]
    with tempfile.TemporaryDirectory() as out:
        interop.write_ndjson(interop.stay_resources(raw), out)
        back = interop.resources_to_table(interop.read_ndjson(out))
    return raw, back


def test_lost_values(stays):
    ids = sorted(stays["RecordID"].unique())[-10:]
    raw, back = _round_trip(stays, ids)
    sent = raw.groupby("Parameter").size()
    good = sent.sub(back.dropna(subset=["Value"]).groupby("Parameter").size(), fill_value=0)
    good = good[good > 0]
    assert lesson08.lost_values(good).correct
    # right, written another way: matched row by row, as a dict
    key = ["RecordID", "Time", "Parameter"]

    def keyed(t):
        return t.assign(n=t.groupby(key).cumcount()).set_index(key + ["n"])["Value"]

    both = pd.concat([keyed(raw).rename("raw"), keyed(back).rename("back")], axis=1)
    other = both[both["raw"].ne(both["back"])].index.get_level_values("Parameter").value_counts()
    assert lesson08.lost_values(other.to_dict()).correct
    # the warned mistake: only the NaN values of the read-back (the vanished rows are missed)
    nan_only = back.loc[back["Value"].isna(), "Parameter"].value_counts()
    fb = lesson08.lost_values(nan_only)
    assert fb.status == CLOSE and "not in the read-back table" in fb.message
    assert "Height" not in fb.message  # the message does not reveal the answer
    # two other wrong answers
    small_raw, small_back = _round_trip(stays, sorted(stays["RecordID"].unique())[:10])
    small = small_raw.groupby("Parameter").size().sub(small_back.dropna(subset=["Value"]).groupby("Parameter")
                                                      .size(), fill_value=0)  # fmt: skip
    fb = lesson08.lost_values(small[small > 0])
    assert fb.status == CLOSE and "smallest" in fb.message
    every_vent = good.copy()
    every_vent["MechVent"] = int(raw["Parameter"].eq("MechVent").sum())
    fb = lesson08.lost_values(every_vent)
    assert fb.status == CLOSE and "keeps the first charting" in fb.message
    assert lesson08.lost_values(raw["Parameter"].value_counts()).status == INCORRECT


# --- student walkthrough 9 (exercises/08-interoperability-practice.ipynb) ---------------------------------------


def _aami_right():
    ann = mitdb.load_annotations()
    first = ann[ann["time_s"] < 600]
    return interop.aami_class(first["symbol"]).value_counts().reindex(list("NSVFQ"), fill_value=0)


def _lost_right(stays):
    raw, back = _round_trip(stays, sorted(stays["RecordID"].unique())[-10:])
    key = ["RecordID", "Time", "Parameter"]
    sent = raw.assign(n=raw.groupby(key).cumcount())
    returned = back.assign(n=back.groupby(key).cumcount())
    both = sent.merge(returned, on=key + ["n"], how="left", suffixes=("", "_back"), indicator=True)
    lost = both.loc[both["Value"].notna() & ~both["Value"].eq(both["Value_back"]), "Parameter"].value_counts()
    return raw, back, both, lost


def test_walkthrough9_series_answers_follow_the_courses_type_rule(stays):
    # feedback.as_series: a Series, a dict of its items or a one-column DataFrame; a list or a DataFrame of several
    # columns is refused, saying what came. The prompts say "a pandas Series (or a dict)".
    right = _aami_right()
    for answer in (right, right.to_dict(), right.to_frame()):
        expect(lesson08.aami_first_minutes(answer), CORRECT)
    expect(lesson08.aami_first_minutes(right.tolist()), INCORRECT, "Series (or a dict)", "a list of 5")
    two = right.to_frame("n").assign(share=right / right.sum())
    expect(lesson08.aami_first_minutes(two), INCORRECT, "2 column(s) (n, share)")
    *_, lost = _lost_right(stays)
    for answer in (lost, lost.to_dict(), lost.rename("count").to_frame()):
        expect(lesson08.lost_values(answer), CORRECT)
    expect(lesson08.lost_values(list(lost)), INCORRECT, "Series (or a dict)", "a list of")
    expect(lesson08.lost_values(lost.rename("count").reset_index()), INCORRECT, "2 column(s)")
    expect(lesson08.lost_values(84), INCORRECT, "Series (or a dict)", "the number 84")
    kept = lost.copy()
    lesson08.lost_values(lost)
    assert lost.equals(kept)


def test_walkthrough9_aami_lowercase_labels_and_shares_are_named():
    right = _aami_right()
    fb = lesson08.aami_first_minutes(right.set_axis(list("nsvfq")))
    expect(fb, CLOSE, "the counts are right, but the labels are n, s, v, f, q", "capital letters")
    assert "time filter" not in fb.message
    fb = lesson08.aami_first_minutes(right / right.sum())
    expect(fb, CLOSE, "shares", "add up to 1", "normalize=True")
    assert "time filter" not in fb.message
    # a share of another filter is not named shares; a label typo with wrong counts is not named labels
    wrong = right.copy()
    wrong["N"] -= 1
    expect(lesson08.aami_first_minutes(wrong / wrong.sum()), INCORRECT)
    expect(lesson08.aami_first_minutes(wrong.set_axis(list("nsvfq"))), INCORRECT)


def test_walkthrough9_lost_values_vanished_rows_and_first_last_are_named(stays):
    raw, back, both, lost = _lost_right(stays)
    vanished = both.loc[both["Value"].notna() & both["_merge"].eq("left_only"), "Parameter"].value_counts()
    assert not vanished.equals(lost)
    fb = lesson08.lost_values(vanished)
    shown = ", ".join(f"{p} {n}" for p, n in vanished.sort_index().items())
    expect(fb, CLOSE, "did not come back as a row", f"({shown}: the raw values with no row", "NaN")
    diff = raw.groupby("Parameter").size().sub(back.groupby("Parameter").size(), fill_value=0)
    diff = diff[diff > 0]
    expect(lesson08.lost_values(diff), CLOSE, "difference of the row counts per parameter")
    # the first and the last ventilation charting of every stay assumed to come back
    vent = raw[raw["Parameter"].eq("MechVent")].groupby("RecordID")["Time"]
    first_last = lost.copy()
    first_last["MechVent"] = int(vent.size().sum() - vent.agg(lambda t: len({t.min(), t.max()})).sum())
    assert first_last["MechVent"] < lost["MechVent"]
    fb = lesson08.lost_values(first_last)
    n_vent = int(vent.size().sum())
    expect(fb, CLOSE, f"(MechVent {n_vent} − {n_vent - first_last['MechVent']} = {first_last['MechVent']})",
           "end of ventilation is known", "ventilation_end_unknown")  # fmt: skip
    # the same rule applied to all 10 stays, ventilated or not: 87 − 2 × 10 = 67 in the walkthrough
    every_stay = lost.copy()
    every_stay["MechVent"] = n_vent - 2 * 10
    fb = lesson08.lost_values(every_stay)
    ventilated = raw.loc[raw["Parameter"].eq("MechVent"), "RecordID"].nunique()
    expect(fb, CLOSE, f"(MechVent {n_vent} − 2 × 10 = {every_stay['MechVent']})", f"Only {ventilated} of them")
    off = lost.copy()
    off["MechVent"] -= 1
    expect(lesson08.lost_values(off), INCORRECT)
    # the NaN-only message reads as one sentence
    nan_only = back.loc[back["Value"].isna(), "Parameter"].value_counts()
    fb = lesson08.lost_values(nan_only)
    expect(fb, CLOSE, "one value by value")
    assert "by value by value" not in fb.message


def test_walkthrough9_a_category_as_text_only_is_not_called_none(stays):
    fb = lesson08.rr_observation(_rr(stays, category=[CodeableConcept(text="vital-signs")]))
    expect(fb, CLOSE, "given as text only ('vital-signs')", "no coding")
    assert "category: none" not in fb.message
    obs = _rr(stays)
    obs.category = None
    expect(lesson08.rr_observation(obs), CLOSE, "category: none")


def test_lost_values_a_merge_on_the_keys_alone_is_named_and_pairing_repeats_by_value_is_accepted(stays):
    # review rev08b finding 1: a stay can chart two values of one parameter at one minute (two Urine values in the
    # 10 largest stays); a merge on (RecordID, Time, Parameter) alone cross-pairs them and counts equal values lost
    raw, back = _round_trip(stays, sorted(stays["RecordID"].unique())[-10:])
    key = ["RecordID", "Time", "Parameter"]
    repeats = int(raw.groupby(key).size().gt(1).sum())
    assert repeats >= 1  # the data hold the trap the prompt warns about
    naive = raw.merge(back, on=key, how="left", suffixes=("", "_back"))
    naive = naive.loc[naive["Value"].notna() & ~naive["Value"].eq(naive["Value_back"]), "Parameter"].value_counts()
    # right answer 1: sort by value within each key, number the repeats, merge on the number too
    sent = raw.sort_values(key + ["Value"], kind="stable")
    sent = sent.assign(n=sent.groupby(key).cumcount())
    returned = back.sort_values(key + ["Value"], kind="stable")
    returned = returned.assign(n=returned.groupby(key).cumcount())
    both = sent.merge(returned, on=key + ["n"], how="left", suffixes=("", "_back"))
    ranked = both.loc[both["Value"].notna() & ~both["Value"].eq(both["Value_back"]), "Parameter"].value_counts()
    # right answer 2: a multiset, the counts of each value per key (a NaN read back is no value)
    count_sent = raw.dropna(subset=["Value"]).groupby(key + ["Value"]).size()
    count_back = back.dropna(subset=["Value"]).groupby(key + ["Value"]).size()
    short = count_sent.sub(count_back.reindex(count_sent.index, fill_value=0)).clip(lower=0)
    multiset = short.groupby(level="Parameter").sum()
    multiset = multiset[multiset > 0]
    assert ranked.sort_index().equals(multiset.sort_index())
    assert not naive.sort_index().equals(ranked.sort_index())  # the naive merge is wrong on this data
    expect(lesson08.lost_values(ranked), CORRECT)
    expect(lesson08.lost_values(multiset.to_dict()), CORRECT)
    fb = lesson08.lost_values(naive)
    expect(fb, CLOSE, "merged on RecordID, Time and Parameter alone",
           f"{repeats} (stay, minute, parameter) hold{'s' if repeats == 1 else ''} more than one value", "cumcount")
    assert "not yet" not in fb.message.lower()


def test_r17_s68_a_datetime_object_is_named_as_not_text(stays):
    """Walkthrough r17-s68, 08 ex4: effectiveDateTime given as a datetime object (REFERENCE + timedelta without
    .isoformat()) was told to do REFERENCE + timedelta, then .isoformat(), without saying it was not text."""
    data = _json(stays)
    minute = _first_rr(stays)[0]
    expect(lesson08.rr_observation(data), CORRECT)
    data["effectiveDateTime"] = interop.REFERENCE + dt.timedelta(minutes=minute)
    expect(lesson08.rr_observation(data), CLOSE, "datetime object", "not text", ".isoformat()")
