"""Checks for lesson 08's exercises (interoperability): expected values come from the data and heartdata.interop."""

from __future__ import annotations

import ast
import datetime as dt
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, interop, mitdb, ptbxl
from ..feedback import check_number, close, correct, exercise, incorrect

#: The stay, minute and heart rate of exercise 4 (the prompt states them; the check compares with them).
HR_STAY, HR_MINUTE, HR_VALUE = 132539, 30, 87
#: Molar masses for exercise 3: urea nitrogen is reported as the mass of urea's two nitrogen atoms.
N2_G_PER_MOL, UREA_G_PER_MOL = 28.014, 60.06


@cache
def _stays() -> pd.DataFrame:
    return challenge2012.load_stays()


@cache
def _statements() -> pd.Series:
    return ptbxl.load_metadata()["scp_codes"].map(ast.literal_eval)


def _no_aha() -> pd.Series:
    return ptbxl.load_scp_statements()["AHA code"].isna()


@exercise
def ecgs_without_aha(answer):
    no = _no_aha()
    st = _statements()
    expected = int(st.map(lambda d: any(no[c] for c in d)).sum())
    every = int(st.map(lambda d: all(no[c] for c in d)).sum())
    positive = int(st.map(lambda d: any(no[c] for c, v in d.items() if v > 0)).sum())
    return check_number(
        answer,
        expected,
        mistakes=[
            (int(no.sum()), "that is the number of SCP statements without an AHA code; the question asks for ECGs."),
            (
                every,
                "you counted the ECGs whose statements *all* lack an AHA code. One statement without a code is "
                "enough for the export to lose it: use any, not all.",
            ),
            (len(st) - expected, "that is the number of ECGs whose statements all have an AHA code: the complement."),
            (
                positive,
                "you skipped the statements with likelihood 0. They are still in `scp_codes` and would still "
                "have to be exported (or deliberately dropped): count every statement of the dictionary.",
            ),
        ],  # fmt: skip
        what="a whole number of ECGs",
        hint="For each ECG, parse `scp_codes` with ast.literal_eval and ask whether any of its statements has "
        "no `AHA code` in `scp`.",
    )


def _aami_expected(minutes: float = 10) -> pd.Series:
    ann = mitdb.load_annotations()
    first = ann[ann["time_s"] < minutes * 60]
    return interop.aami_class(first["symbol"]).value_counts().reindex(list("NSVFQ"), fill_value=0)


@exercise
def aami_first_minutes(answer):
    if not isinstance(answer, pd.Series):
        return incorrect(f"expected a pandas Series of counts indexed by class, got {type(answer).__name__}.")
    expected = _aami_expected()
    got = answer.copy()
    got.index = got.index.map(str)
    if set(got.index) == set(expected.index) and got.reindex(expected.index).astype(float).eq(expected).all():
        return correct(
            f"{int(expected.sum())} beats in the first 10 minutes: "
            + ", ".join(f"{k} {v}" for k, v in expected.items())
            + "."
        )
    ann = mitdb.load_annotations()
    first = ann[ann["time_s"] < 600]
    if set(got.index) & (set(first["symbol"]) - set("NSVFQ")):
        return close(
            "your index holds MIT-BIH symbols (such as `A` or `+`), not AAMI classes: map every symbol "
            "with `interop.AAMI_CLASSES` (or `interop.aami_class`) first."
        )
    missing = [k for k in expected.index if k not in got.index]
    if missing and got.reindex(expected[expected > 0].index).astype(float).eq(expected[expected > 0]).all():
        return close(
            f"the classes {missing} are missing. A class with no beat is a count of 0, and a table that "
            "leaves it out hides that nothing was found: reindex to N, S, V, F, Q with fill_value=0."
        )
    if int(got.sum()) == len(first) and int(got.sum()) != int(expected.sum()):
        return close(
            "you counted every annotation, beats and non-beats. A `+` marks a rhythm change, not a beat: "
            "it has no AAMI class and must be left out."
        )
    whole = _aami_expected(minutes=np.inf)
    if got.reindex(whole.index).astype(float).eq(whole).all():
        return close("these are the counts of the whole record; keep only the annotations with `time_s` below 600.")
    return incorrect(f"expected counts for N, S, V, F, Q in the first 10 minutes; got {got.to_dict()}.")


@exercise
def bun_to_urea(answer):
    median = float(_stays().loc[lambda s: s["Parameter"].eq("BUN"), "Value"].median())
    expected = median * 10 / N2_G_PER_MOL  # mg/dL -> mg/L is x10; mg/L / (g/mol) = mmol/L
    return check_number(
        answer,
        expected,
        mistakes=[
            (
                median * 10 / UREA_G_PER_MOL,
                "you divided by the molar mass of urea (60.06 g/mol). BUN is the mass of "
                "urea's *nitrogen*: divide by the two nitrogen atoms, 28.014 g/mol.",
            ),
            (
                median / N2_G_PER_MOL,
                "a factor of 10 is missing: a decilitre is a tenth of a litre, so mg/dL times 10 "
                "is mg/L. Let the UCUM library do it (`.to(...)`) instead of by hand.",
            ),
            (median * N2_G_PER_MOL / 10, "you multiplied where you should divide: mass / molar mass = amount."),
            (median, "that is the median in mg/dL, not converted."),
        ],  # fmt: skip
        what="a number (mmol/L)",
        hint="median BUN in mg/dL -> a pint quantity with interop.ucum_quantity, divided by 28.014 g/mol, to mmol/L.",
        rel=1e-3,
    )


@exercise
def hr_observation(answer):
    from fhir.resources.R4B.observation import Observation

    if isinstance(answer, dict):
        return incorrect(
            "this is a dict, not a FHIR resource: build it with `Observation(...)` (or "
            "`Observation.model_validate(your_dict)`) so that the library validates it."
        )
    if not isinstance(answer, Observation):
        return incorrect(f"expected a fhir.resources R4B Observation, got {type(answer).__name__}.")
    if answer.status not in interop.OBSERVATION_STATUS:
        return close(
            f"status {answer.status!r} passes the library's structural check but is not in FHIR's "
            f"ObservationStatus value set ({', '.join(interop.OBSERVATION_STATUS)}): use 'final'."
        )
    codings = [(c.system, c.code) for c in (answer.code.coding or [])]
    if (interop.LOINC, "8867-4") not in codings:
        if any(code == "8867-4" for _, code in codings):
            return close(
                f"the LOINC code is there but its system is wrong: a LOINC coding has system "
                f"{interop.LOINC!r}, exactly."
            )
        return incorrect("the code needs a coding with system 'http://loinc.org' and code '8867-4' (heart rate).")
    q = answer.valueQuantity
    if q is None or q.value is None:
        return incorrect("the heart rate goes in `valueQuantity` (a Quantity with value, unit, system and code).")
    if float(q.value) != HR_VALUE:
        return incorrect(f"the value is {q.value}; the chart says {HR_VALUE}.")
    if q.code != "/min" or q.system != interop.UCUM:
        if q.code and not interop.is_ucum(q.code):
            return close(
                f"{q.code!r} is how people write it, but it is not a UCUM code: a rate per minute is "
                "'/min', with system 'http://unitsofmeasure.org'."
            )
        return close("the unit must be coded: `code='/min'` and `system='http://unitsofmeasure.org'`.")
    when = answer.effectiveDateTime
    when = dt.datetime.fromisoformat(str(when)) if not isinstance(when, dt.datetime) else when
    if when.tzinfo is None or when != interop.REFERENCE + dt.timedelta(minutes=HR_MINUTE):
        return close(
            f"the time should be the stated reference plus {HR_MINUTE} minutes, "
            f"{(interop.REFERENCE + dt.timedelta(minutes=HR_MINUTE)).isoformat()}, with its time zone."
        )
    subject = answer.subject.reference if answer.subject is not None else None
    if subject != f"Patient/c2012-a-{HR_STAY}":
        return close(f"the subject should point at the stay's Patient: 'Patient/c2012-a-{HR_STAY}'.")
    return correct("a valid Observation with a LOINC code, a UCUM unit and a stated time.")


#: Exercise 5 works on the first ten stays of set A (by RecordID).
N_ROUND_TRIP = 10


@cache
def _lost_expected() -> pd.Series:
    stays = _stays()
    ids = sorted(stays["RecordID"].unique())[:N_ROUND_TRIP]
    raw = stays[stays["RecordID"].isin(ids)]
    back = interop.resources_to_table(interop.stay_resources(raw))
    return back.loc[back["Value"].isna(), "Parameter"].value_counts().sort_index()


@exercise
def lost_values(answer):
    if not isinstance(answer, pd.Series):
        return incorrect(f"expected a pandas Series of counts indexed by parameter, got {type(answer).__name__}.")
    expected = _lost_expected()
    got = answer[answer != 0].sort_index()
    if set(got.index) == set(expected.index) and got.reindex(expected.index).astype(float).eq(expected).all():
        return correct(", ".join(f"{p}: {n}" for p, n in expected.items()) + " came back as a dataAbsentReason.")
    stays = _stays()
    ids = sorted(stays["RecordID"].unique())[:N_ROUND_TRIP]
    raw = stays[stays["RecordID"].isin(ids)]
    local = raw.loc[raw["Parameter"].isin(interop.CODES.index[interop.CODES["loinc"].eq("")]), "Parameter"]
    if set(got.index) == set(local.unique()):
        return close("those parameters came back with their values; what they lack is a LOINC code. Count the rows "
                     "of the read-back table whose Value is missing (NaN).")  # fmt: skip
    if "RecordID" in got.index or int(got.sum()) == len(raw):
        return incorrect("count only the read-back rows whose Value is NaN, grouped by Parameter.")
    everything = interop.resources_to_table(interop.stay_resources(stays[stays["RecordID"].isin(ids[:1])]))
    if got.sum() == everything["Value"].isna().sum():
        return close(f"that is one stay; the exercise asks for the first {N_ROUND_TRIP} stays.")
    return incorrect(f"expected counts for {list(expected.index)}; got {got.to_dict()}.")
