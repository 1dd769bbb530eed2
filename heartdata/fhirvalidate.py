"""FHIR R4B validation that can fail: structure, core invariants, required bindings, code syntax, the vital-signs
profiles, and references that must resolve (lesson 08).

What each layer checks, and with what:

1. **Structure** (fhir.resources, pydantic): element names, types, cardinality, required elements; and, for a
   resource given as JSON text or a dict, a JSON string where FHIR's JSON format requires a number or a boolean
   (hl7.org/fhir/R4B/json.html: integer and decimal are JSON numbers, boolean a JSON boolean), which the models
   would turn into a number without a word (:func:`json_type_issues`).
2. **Core invariants**, evaluated as FHIRPath by fhirpathpy, with the expressions the FHIR R4B specification gives
   them (:data:`INVARIANTS`: obs-6, obs-7 and the vital-signs vs-1 to vs-3 on Observation, qty-3 on every Quantity,
   per-1 on every Period, dom-2/4/5 on contained resources, the bdl rules on a Bundle).
3. **Required bindings**: the codes of Observation.status, Patient.gender, Encounter.status, Procedure.status,
   Quantity.comparator, Bundle.type and Bundle.entry.request.method must come from their value sets
   (:data:`REQUIRED_BINDINGS`).
4. **Code syntax**: a LOINC code must have LOINC's form and its mod-10 check digit, a SNOMED CT identifier its
   Verhoeff check digit, a UCUM unit must parse as UCUM (ucumvert), a code system must be named by an absolute URI.
   This catches typing errors and invented codes; it cannot tell a well-formed code that LOINC never issued, or a
   real code used for the wrong thing: that takes the LOINC and SNOMED CT tables, i.e. a terminology server.
5. **The vital-signs profiles** (hl7.org/fhir/R4B/observation-vitalsigns.html: "when a FHIR implementation supports
   any of the vital signs listed below, the implementation SHALL conform to this profile"): an Observation coded with
   one of their LOINC codes needs the vital-signs category, a Patient subject, a time, and a UCUM unit that the
   profile fixes (:data:`VITAL_SIGNS`); the blood-pressure panel needs systolic and diastolic components.
6. **References**: inside a Bundle they must resolve to an entry's ``fullUrl`` (R4B bundle.html#references); across
   Bulk Data NDJSON files, ``Type/id`` must name a resource exported in the files; and the resource a reference points
   at (or its ``Reference.type``) must be of a type its element allows (:data:`REFERENCE_TARGETS`; a vital sign's
   subject a Patient). A *logical* reference (``Reference.identifier`` only) is not resolved: that takes a search on
   the receiving server.
7. **Quantities of the vital-signs profiles**: value, unit, system and code are each 1..1.
8. **One patient** (the course's consistency rule, not a FHIR invariant): where a resource's ``subject`` and the
   Encounter its ``encounter`` names both resolve (in a Bundle, across NDJSON files, among the resources passed to
   :func:`validate`), the Encounter's subject must be that same Patient (:func:`_same_patient_issue`).
9. **Mean blood pressure**: 8478-0 is one of the 13 codes of R4B's VitalSigns value set (hl7.fhir.r4b.core 4.3.0),
   so the generic vital-signs profile's rules above are FHIR's for it (errors, rule ``vital-signs``). The profile
   also binds the value's unit to the value set Vital Signs Units (:data:`VITAL_SIGNS_UNITS`), which has no kPa:
   a unit outside it is a FHIR ``vital-signs`` *warning*, alone or as a component, since the binding is extensible
   as the HL7 validator applies it (see :data:`VITAL_SIGNS_UNITS`). No R4B profile narrows the mean's unit to one
   of those codes; the course holds it, alone or as a component of the blood-pressure panel, to mm[Hg], as FHIR's
   example 'mbp' writes it: that narrowing alone is the course's rule (``course-rule`` warnings, see
   :data:`COURSE_UNITS`).

What it does not do (say so when you report a result): it is not the HL7 FHIR validator. It does not read
StructureDefinitions, so it checks no profile other than the vital-signs ones, no slicing beyond them, no extensible
or preferred bindings, no display text against its code, no narrative (dom-6), no code's existence in LOINC, SNOMED
CT or UCUM's tables, and no logical reference. It cannot see a vital sign that does not say it is one: an
Observation whose LOINC coding was dropped (a local code left, even beside the category vital-signs) and that claims
no vital-signs profile in ``meta.profile`` escapes every vital-signs rule, because nothing else in it says it is a
heart rate; only the exporter's mapping table can. It evaluates each invariant where this module says the element
can occur, and reference types only for the elements in :data:`REFERENCE_TARGETS`. The HL7 validator (Java, which this
machine has) needs its jar and the hl7.fhir.r4b.core package, which come only from GitHub and the FHIR package
registry, not from PyPI or npm, so it cannot be installed offline here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from .errors import DataError

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
VITAL_SIGNS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"

#: key -> (resource type, FHIRPath selecting where the rule applies, the rule's FHIRPath expression, what it says,
#: where the specification states it). Expressions as in FHIR R4B; '*' applies to every resource type.
_QUANTITIES = ("Observation.value.ofType(Quantity) | Observation.component.value.ofType(Quantity) | "
               "Observation.referenceRange.low | Observation.referenceRange.high | "
               "Observation.component.referenceRange.low | Observation.component.referenceRange.high")  # fmt: skip
_PERIODS = ("Observation.effective.ofType(Period) | Encounter.period | Procedure.performed.ofType(Period) | "
            "Patient.identifier.period | Encounter.identifier.period")  # fmt: skip
INVARIANTS = {
    "obs-6": ("Observation", "Observation", "dataAbsentReason.empty() or value.empty()",
              "dataAbsentReason SHALL only be present if Observation.value[x] is not present",
              "FHIR R4B Observation, constraint obs-6"),
    "obs-7": ("Observation", "Observation",
              "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()",
              "If Observation.code is the same as an Observation.component.code then the value element associated "
              "with the code SHALL NOT be present", "FHIR R4B Observation, constraint obs-7"),
    "qty-3": ("Observation", _QUANTITIES, "code.empty() or system.exists()",
              "If a code for the unit is present, the system SHALL also be present", "FHIR R4B Quantity, qty-3"),
    # R4B writes per-1 with hasValue(), which fhirpathpy 2.2.4 does not implement. It is evaluated on the resource
    # with its primitive extensions ('_end': an end given only as a data-absent-reason) left out, where exists() is
    # the same test as hasValue().
    "per-1": ("*", _PERIODS, "start.exists().not() or end.exists().not() or (start <= end)",
              "If present, start SHALL have a lower value than end", "FHIR R4B Period, per-1"),
    "dom-2": ("*", "%resource", "contained.contained.empty()",
              "If the resource is contained in another resource, it SHALL NOT contain nested Resources",
              "FHIR R4B DomainResource, dom-2"),
    "dom-4": ("*", "%resource", "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()",
              "If a resource is contained in another resource, it SHALL NOT have a meta.versionId or a "
              "meta.lastUpdated", "FHIR R4B DomainResource, dom-4"),
    "dom-5": ("*", "%resource", "contained.meta.security.empty()",
              "If a resource is contained in another resource, it SHALL NOT have a security label",
              "FHIR R4B DomainResource, dom-5"),
    "bdl-1": ("Bundle", "Bundle", "total.empty() or (type = 'searchset') or (type = 'history')",
              "total only when a search or history", "FHIR R4B Bundle, bdl-1"),
    "bdl-2": ("Bundle", "Bundle", "entry.search.empty() or (type = 'searchset')",
              "entry.search only when a search", "FHIR R4B Bundle, bdl-2"),
    "bdl-3": ("Bundle", "Bundle",
              "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or "
              "%resource.type = 'history'))",
              "entry.request mandatory for batch/transaction/history, otherwise prohibited",
              "FHIR R4B Bundle, bdl-3"),
    "bdl-4": ("Bundle", "Bundle",
              "entry.all(response.exists() = (%resource.type = 'batch-response' or "
              "%resource.type = 'transaction-response' or %resource.type = 'history'))",
              "entry.response mandatory for batch-response/transaction-response/history, otherwise prohibited",
              "FHIR R4B Bundle, bdl-4"),
    "bdl-5": ("Bundle", "Bundle.entry", "resource.exists() or request.exists() or response.exists()",
              "must be a resource unless there's a request or response", "FHIR R4B Bundle, bdl-5"),
    "bdl-7": ("Bundle", "Bundle",
              "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId)"
              ".isDistinct()",
              "FullUrl must be unique in a bundle, or else entries with the same fullUrl must have different "
              "meta.versionId (except in history bundles)", "FHIR R4B Bundle, bdl-7"),
    "bdl-8": ("Bundle", "Bundle.entry", "fullUrl.contains('/_history/').not()",
              "fullUrl cannot be a version specific reference", "FHIR R4B Bundle, bdl-8"),
    "bdl-9": ("Bundle", "Bundle", "type = 'document' implies (identifier.system.exists() and "
              "identifier.value.exists())", "A document must have an identifier with a system and a value",
              "FHIR R4B Bundle, bdl-9"),
    "bdl-12": ("Bundle", "Bundle", "type = 'message' implies entry.first().resource.is(MessageHeader)",
               "A message must have a MessageHeader as the first resource", "FHIR R4B Bundle, bdl-12"),
    "vs-1": ("vital-signs", "Observation.effective",
             "($this as dateTime).toString().length() >= 8",
             "if Observation.effective[x] is dateTime and has a value then that value shall be precise to the day",
             "FHIR R4B vital-signs profile, vs-1"),
    "vs-2": ("vital-signs", "Observation",
             "(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())",
             "If there is no component or hasMember element then either a value[x] or a data absent reason must be "
             "present", "FHIR R4B vital-signs profile, vs-2"),
    "vs-3": ("vital-signs", "Observation.component", "value.exists() or dataAbsentReason.exists()",
             "If there is no a value a data absent reason must be present", "FHIR R4B vital-signs profile, vs-3"),
}  # fmt: skip

#: Required bindings (FHIR R4B): (resource type, FHIRPath to the coded element) -> (value set, its codes).
REQUIRED_BINDINGS = {
    ("Observation", "Observation.status"): ("ObservationStatus", (
        "registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown")),
    ("Patient", "Patient.gender"): ("AdministrativeGender", ("male", "female", "other", "unknown")),
    ("Encounter", "Encounter.status"): ("EncounterStatus", (
        "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error",
        "unknown")),
    ("Procedure", "Procedure.status"): ("EventStatus", (
        "preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown")),
    ("DiagnosticReport", "DiagnosticReport.status"): ("DiagnosticReportStatus", (
        "registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "cancelled",
        "entered-in-error", "unknown")),
    ("Observation", "Observation.value.ofType(Quantity).comparator | "
                    "Observation.component.value.ofType(Quantity).comparator"): (
        "QuantityComparator", ("<", "<=", ">=", ">")),
    ("Bundle", "Bundle.type"): ("BundleType", (
        "document", "message", "transaction", "transaction-response", "batch", "batch-response", "history",
        "searchset", "collection")),
    ("Bundle", "Bundle.entry.request.method"): ("HTTPVerb", ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")),
}  # fmt: skip

#: The vital-signs profiles of FHIR R4B: LOINC code -> (profile, UCUM codes allowed for valueQuantity.code).
VITAL_SIGNS = {
    "85353-1": ("vitalspanel", ()),
    "9279-1": ("resprate", ("/min",)),
    "8867-4": ("heartrate", ("/min",)),
    "2708-6": ("oxygensat", ("%",)),
    "8310-5": ("bodytemp", ("Cel", "[degF]")),
    "8302-2": ("bodyheight", ("cm", "[in_i]")),
    "9843-4": ("headcircum", ("cm", "[in_i]")),
    "29463-7": ("bodyweight", ("kg", "g", "[lb_av]")),
    "39156-5": ("bmi", ("kg/m2",)),
    "85354-9": ("bp", ()),
    # Blood pressure as an Observation of its own: systolic, diastolic and mean, which R4B's value set VitalSigns
    # (observation-vitalsignresult) lists; the bp profile fixes systolic and diastolic to mm[Hg] as its components.
    "8480-6": ("systolic blood pressure", ("mm[Hg]",)),
    "8462-4": ("diastolic blood pressure", ("mm[Hg]",)),
    "8478-0": ("mean blood pressure", ("mm[Hg]",)),
}
#: R4B's value set VitalSigns (hl7.org/fhir/R4B/valueset-observation-vitalsignresult.html) has 13 codes in the
#: hl7.fhir.r4b.core 4.3.0 package, 8478-0 (mean blood pressure) among them, as in R4 4.0.1 (a listing generated from
#: the package: github GinoCanessa/fhir-cross-version-source, docs/R4B/ValueSets/VitalSigns.md; review r24-08,
#: finding 1). So the generic vital-signs profile applies to a mean: its category, Patient subject, time, vs-1 to
#: vs-3, UCUM Quantity and unit binding (VITAL_SIGNS_UNITS) are FHIR's rules. What differs is the unit: no R4B profile
#: narrows it to one code for 8478-0 (the bp
#: profile's slicing is open and names only systolic and diastolic). FHIR's informative example 'mbp'
#: (observation-example-mbp) writes it in mm[Hg] as a valueQuantity; the course checks that it does, as rule
#: 'course-rule', severity 'warning', so that the report never gives the course's rule FHIR's name.
COURSE_UNITS = frozenset({"8478-0"})
#: The value set Vital Signs Units (hl7.org/fhir/R4B/valueset-ucum-vitals-common.html), to which the generic
#: vital-signs profile binds a vital sign's unit. The specification disagrees with itself on the strength: the
#: profile page's summary says "a UCUM unit code in Observation.valueQuantity.code which has a required binding",
#: but R4B's computable profile binds Observation.value[x] and Observation.component.value[x] as extensible (later
#: drafts made the components' binding required, a restriction HL7 calls unintended, FHIR-44721, and the HL7
#: validator relaxes it to extensible). So the HL7 validator warns ("a code should come from this value set unless it
#: has no suitable code") and so does this module, alone or as a component (reviews r27-08, finding 2; r28-08,
#: finding 1; r29-08, finding 1): a mean in kPa falls outside FHIR's own value set, not only the course's rule.
VITAL_SIGNS_UNITS = frozenset({"%", "cm", "[in_i]", "kg", "g", "[lb_av]", "Cel", "[degF]", "mm[Hg]", "/min",
                               "kg/m2", "m2"})
#: How a course-rule warning begins.
_COURSE_RULE = "course rule, not FHIR's (no R4B profile fixes the unit of mean blood pressure 8478-0 to mm[Hg])"
_KNOWN_VITALS = dict(VITAL_SIGNS)
BP_PARTS = {"8480-6": "systolic", "8462-4": "diastolic"}
#: The resource types a reference may point at (FHIR R4B, each element's Reference(...) list), for the elements the
#: course writes. A vital sign's subject is narrowed to Patient by the vital-signs profile.
REFERENCE_TARGETS = {
    ("Observation", "subject"): ("Patient", "Group", "Device", "Location"),
    ("Observation", "encounter"): ("Encounter",),
    ("Observation", "specimen"): ("Specimen",),
    ("Observation", "hasMember"): ("Observation", "QuestionnaireResponse", "MolecularSequence"),
    ("Observation", "derivedFrom"): ("DocumentReference", "ImagingStudy", "Media", "QuestionnaireResponse",
                                     "Observation", "MolecularSequence"),
    ("Encounter", "subject"): ("Patient", "Group"),
    ("Procedure", "subject"): ("Patient", "Group"),
    ("Procedure", "encounter"): ("Encounter",),
    ("Specimen", "subject"): ("Patient", "Group", "Device", "Substance", "Location"),
    ("DiagnosticReport", "subject"): ("Patient", "Group", "Device", "Location"),
    ("DiagnosticReport", "encounter"): ("Encounter",),
    ("DiagnosticReport", "result"): ("Observation",),
}  # fmt: skip
_RESOURCE_TYPES = ("Patient", "Encounter", "Observation", "Procedure", "Specimen", "DiagnosticReport", "Bundle")


@dataclass(frozen=True)
class Issue:
    """One problem a rule found: how bad, which rule, in which resource, where, and what."""

    severity: str  # "error" (the resource breaks a SHALL) or "warning"
    rule: str
    resource: str
    location: str
    message: str


def issues_table(issues) -> pd.DataFrame:
    """The issues as a table (severity, rule, resource, location, message), errors first."""
    cols = ["severity", "rule", "resource", "location", "message"]
    t = pd.DataFrame([i.__dict__ for i in issues], columns=cols)
    return t.sort_values("severity", kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ code syntax
def loinc_check_digit(code: str) -> bool:
    """True if ``code`` has LOINC's form (digits, a hyphen, one check digit) and its mod-10 check digit is right
    (the algorithm of the LOINC Users' Guide: double every other digit from the right, add all digits)."""
    m = re.fullmatch(r"(\d{1,7})-(\d)", code or "")
    if not m:
        return False
    total = 0
    for i, ch in enumerate(reversed(m.group(1))):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return (10 - total % 10) % 10 == int(m.group(2))


_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]  # fmt: skip
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]  # fmt: skip


def snomed_check_digit(code: str) -> bool:
    """True if ``code`` is a SNOMED CT identifier in form (6 to 18 digits, no leading zero) whose last digit is its
    Verhoeff check digit (SNOMED CT Technical Implementation Guide, 'SCTID')."""
    if not re.fullmatch(r"[1-9]\d{5,17}", code or ""):
        return False
    c = 0
    for i, ch in enumerate(reversed(code)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


def _is_absolute_uri(text: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", text or ""))


@cache
def _ucum_ok(code: str) -> bool:
    from .interop import is_ucum

    return is_ucum(code)


# ------------------------------------------------------------------------------------------------ FHIRPath
@cache
def _compiled(expression: str):
    from fhirpathpy import compile as fhirpath_compile
    from fhirpathpy.models import models

    return fhirpath_compile(expression, models["r4"])  # R4's type model: R4B's Observation and Quantity are R4's


def _evaluate(resource: dict, path: str, env: dict) -> list:
    return _compiled(path)(resource, env)


def _as_json(resource) -> dict:
    """A resource as its JSON (a dict): from a fhir.resources model, a dict, or JSON text."""
    if isinstance(resource, dict):
        return resource
    if isinstance(resource, str | bytes):
        try:
            data = json.loads(resource)
        except ValueError as exc:
            raise DataError("resource", f"is text but not JSON ({exc})",
                            "Pass a resource's JSON text, a dict of it, or a fhir.resources object.") from None
        if not isinstance(data, dict):
            raise DataError("resource", "is JSON but not an object", "Pass one resource, a JSON object.")
        return data
    if hasattr(resource, "model_dump_json"):
        from .interop import to_json  # the same text as model_dump_json, written faster

        return json.loads(to_json(resource))
    raise DataError(f"resource={type(resource).__name__}", "is not a FHIR resource",
                    "Pass a fhir.resources R4B object, a dict of its JSON, or its JSON text.")  # fmt: skip


def _model(resource_type: str):
    import importlib

    name = resource_type.lower()
    try:
        module = importlib.import_module(f"fhir.resources.R4B.{name}")
    except ImportError:
        return None
    return getattr(module, resource_type, None)


def _label(data: dict) -> str:
    return f"{data.get('resourceType', '?')}/{data.get('id', '(no id)')}"


def structure_issues(resource) -> list[Issue]:
    """What fhir.resources' R4B models refuse: unknown or misspelt elements, wrong types, missing required
    elements, a text where a number belongs. An object of fhir.resources' R5 classes is named as such."""
    import pydantic

    if hasattr(resource, "model_dump_json") and not type(resource).__module__.startswith("fhir.resources.R4B"):
        if type(resource).__module__.startswith("fhir.resources"):
            return [Issue("error", "version", _label(_as_json(resource)), type(resource).__module__,
                          "this object comes from fhir.resources' R5 classes (fhir.resources."
                          f"{type(resource).__module__.split('.')[-1]}); this course exchanges FHIR R4B: import "
                          "from fhir.resources.R4B")]  # fmt: skip
    data = _as_json(resource)
    rtype = data.get("resourceType")
    model = _model(rtype) if isinstance(rtype, str) else None
    if model is None:
        return [Issue("error", "structure", _label(data), "resourceType",
                      f"{rtype!r} is not a FHIR R4B resource type")]  # fmt: skip
    typed = [] if hasattr(resource, "model_dump_json") else json_type_issues(data, model)
    if typed:
        return typed
    try:
        model.model_validate(data)
    except pydantic.ValidationError as exc:
        out = []
        for e in exc.errors()[:10]:
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "__root__") or rtype
            out.append(Issue("error", "structure", _label(data), where, _plain(e)))
        return out
    return []


def _json_kind(annotation):
    """'number' or 'boolean' where FHIR's JSON format requires one (R4B json.html: integer and decimal are JSON
    numbers, boolean a JSON boolean, every other primitive a string); else the model class of a complex element,
    or None."""
    import decimal
    import typing

    import fhir.resources.R4B as r4b

    for arg in (annotation, *typing.get_args(annotation)):
        if arg is bool:
            return "boolean"
        if arg is int or arg is decimal.Decimal:
            return "number"
        name = getattr(arg, "__name__", "")
        if name.endswith("Type") and hasattr(arg, "_model_klass"):
            try:
                return r4b.get_fhir_model_class(name[:-4])
            except (KeyError, ValueError, AttributeError):
                return None
        if typing.get_args(arg) and arg is not annotation:
            found = _json_kind(arg)
            if found is not None:
                return found
    return None


@cache
def _json_kinds(model) -> dict:
    """Per element of a model (by its JSON name): what :func:`_json_kind` says of its type. Read once per model, not
    once per element of every resource: the type annotations do not change."""
    return {(f.alias or name): _json_kind(f.annotation) for name, f in model.model_fields.items()}


def json_type_issues(data: dict, model=None, path: str = "", label: str = "") -> list[Issue]:
    """A JSON string where FHIR's JSON format requires a number or a boolean (``"value": "19"`` for a decimal):
    fhir.resources' models turn "19" into 19 without a word, but a strict receiver (the HL7 validator) refuses it.
    Only for a resource that arrives as JSON text or a dict: a fhir.resources object has no JSON types yet."""
    if model is None:
        rtype = data.get("resourceType")
        model = _model(rtype) if isinstance(rtype, str) else None
        if model is None:
            return []
    label = label or _label(data)
    out = []
    kinds = _json_kinds(model)
    for key, value in data.items():
        if key not in kinds or key == "resourceType":
            continue
        kind = kinds[key]
        where = f"{path}.{key}" if path else key
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            at = f"{where}[{i}]" if isinstance(value, list) else where
            if kind in ("number", "boolean") and isinstance(item, str):
                numeric = re.fullmatch(r"-?\d+(\.\d+)?", item.strip())
                shown = "true or false" if kind == "boolean" else item.strip() if numeric else "19.5"
                out.append(Issue("error", "structure", label, at,
                                 f"{item!r} is a JSON string; FHIR's JSON format requires a {kind} here (write "
                                 f"{shown}, without quotes, not \"{shown}\")"))  # fmt: skip
            elif isinstance(kind, type) and isinstance(item, dict):
                out.extend(json_type_issues(item, kind, at, label))
    return out


def _plain(error: dict) -> str:
    """A pydantic error in words: a dateTime with a time but no zone is named as such."""
    msg = str(error.get("msg", "invalid"))
    value = error.get("input")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?", value):
        return f"{value!r} has a time of day but no time zone: FHIR requires one (e.g. {value}+00:00 or Z)"
    if "extra" in str(error.get("type", "")) or "not permitted" in msg.lower():
        return "element not defined in FHIR R4B (misspelt, or from another FHIR version)"
    return msg


def _present(data: dict, element: str) -> bool:
    """True if the element (or a choice element such as value[x]) occurs at the top of the resource."""
    return element in data or any(k.startswith(element) and k[len(element):][:1].isupper() for k in data)


def _may_occur(data: dict, element: str) -> bool:
    """True if the element may occur at the top of the resource: as :func:`_present`, or as a primitive extension
    alone ('_status'). Used to skip work only where the answer is sure: when False, the element is not there."""
    return any(k == element or (k.startswith(element) and k[len(element):][:1].isupper())
               for k in (key.lstrip("_") for key in data))


def _path_may_occur(data: dict, rtype: str, path: str) -> bool:
    """False only if a FHIRPath ``path`` ('Observation.effective.ofType(Period)', 'Observation.component.value')
    selects nothing because its first element is absent from the top of the resource; a choice element followed by
    ``ofType(T)`` must occur as that type (effectivePeriod, not effectiveDateTime). True for anything else."""
    first = _first_element(rtype, path)
    if first is None:
        return True  # not a plain path from the resource: no shortcut
    element, typed = first
    if typed:
        return any(k.lstrip("_") in (element, typed) for k in data)
    return _may_occur(data, element)


@cache
def _first_element(rtype: str, path: str) -> tuple[str, str | None] | None:
    """The first element a path from the resource names, and the JSON name of its type if ``ofType(T)`` follows
    ('effective', 'effectivePeriod'); None for a path that is not of that form."""
    steps = path.split(".")
    if steps[0] != rtype or len(steps) < 2 or "(" in steps[1] or steps[1].startswith("%"):
        return None
    typed = re.fullmatch(r"ofType\(([A-Za-z]+)\)", steps[2]) if len(steps) > 2 else None
    return steps[1], (steps[1] + typed.group(1)[0].upper() + typed.group(1)[1:]) if typed else None


#: Invariants of the form 'A.empty() or B': they hold wherever one of the elements named here is absent from the top
#: of the resource, so they are evaluated only where all of them may occur (the evaluation would find nothing).
_FAILS_ONLY_WITH = {
    "obs-6": ("dataAbsentReason", "value"),  # dataAbsentReason.empty() or value.empty()
    "obs-7": ("value", "component"),  # value.empty() or component.code.where(...).empty()
}


def _values_only(node):
    """The JSON without primitive extensions (keys '_x'): what hasValue() sees."""
    if isinstance(node, dict):
        return {k: _values_only(v) for k, v in node.items() if not k.startswith("_")}
    if isinstance(node, list):
        return [_values_only(v) for v in node]
    return node


def invariant_issues(resource) -> list[Issue]:
    """The FHIR R4B invariants of :data:`INVARIANTS` that the resource breaks, each evaluated by fhirpathpy."""
    data = _as_json(resource)
    rtype = data.get("resourceType")
    env = {"resource": data, "rootResource": data}
    out = []
    vital = rtype == "Observation" and bool(_vital_codes(data))
    for key, (applies, context, expression, human, source) in INVARIANTS.items():
        if applies not in ("*", rtype) and not (applies == "vital-signs" and vital):
            continue
        if key.startswith("dom-") and "contained" not in data:
            continue  # the rule speaks of contained resources only: none here, nothing to evaluate
        if not all(_may_occur(data, element) for element in _FAILS_ONLY_WITH.get(key, ())):
            continue  # 'A.empty() or ...' with A absent: the rule holds, nothing to evaluate
        evaluated = context
        if not context.startswith("%"):
            parts = [p.strip() for p in context.split("|")]
            parts = [p for p in parts if p == rtype or p.startswith(f"{rtype}.")]
            if not parts or not any(p == rtype or _present(data, p.split(".")[1].split("(")[0]) for p in parts):
                continue  # the elements the rule speaks of are absent from this resource
            context = " | ".join(parts)
            # a part of the union whose first element is absent selects nothing: only the others are evaluated (the
            # rule fails where the selection is not empty, and a union's removal of repeats cannot change that)
            evaluated = " | ".join(p for p in parts if _path_may_occur(data, rtype, p))
            if not evaluated:
                continue
        try:
            subject = _values_only(data) if key == "per-1" else data
            failing = _evaluate(subject, f"({evaluated}).where(({expression}).not())", env)
        except Exception as exc:  # an expression the engine cannot evaluate is reported, never a pass
            out.append(Issue("warning", key, _label(data), context, f"not evaluated ({exc.__class__.__name__})"))
            continue
        if failing:
            out.append(Issue("error", key, _label(data), context.split("|")[0].strip(), f"{human} ({source})"))
    return out


def binding_issues(resource) -> list[Issue]:
    """Codes outside the value sets that FHIR R4B binds as required (:data:`REQUIRED_BINDINGS`)."""
    data = _as_json(resource)
    rtype = data.get("resourceType")
    out = []
    for (applies, path), (value_set, codes) in REQUIRED_BINDINGS.items():
        if applies != rtype:
            continue
        if not any(_path_may_occur(data, rtype, part.strip()) for part in path.split("|")):
            continue  # the coded element is absent: no code to check
        for code in _evaluate(data, path, {"resource": data}):  # whole: a union ('|') also drops repeated codes
            if code not in codes:
                out.append(Issue("error", "binding", _label(data), path.split("|")[0].strip(),
                                 f"{code!r} is not in the {value_set} value set (required binding): "
                                 f"{', '.join(codes)}"))  # fmt: skip
    return out


def _codings(node, path=""):
    """Every Coding (a dict with 'system' or 'code' next to each other) and Quantity in the JSON, with its path."""
    if isinstance(node, dict):
        if "code" in node and ("system" in node or "display" in node) and not isinstance(node.get("code"), dict):
            yield path, node
        for k, v in node.items():
            yield from _codings(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _codings(v, f"{path}[{i}]")


def terminology_issues(resource) -> list[Issue]:
    """Code syntax: code systems as absolute URIs; LOINC codes of LOINC's form with a right check digit; SNOMED CT
    identifiers with a right Verhoeff digit; UCUM units that parse. (Whether LOINC or SNOMED CT actually issued a
    well-formed code needs their tables: a terminology server.)"""
    data = _as_json(resource)
    out = []
    for path, c in _codings(data):
        system, code = c.get("system"), c.get("code")
        if path.startswith("meta"):
            continue
        if system is not None and not _is_absolute_uri(system):
            out.append(Issue("error", "code-system", _label(data), path,
                             f"system {system!r} is not an absolute URI: a code system is named by its URI "
                             "(LOINC is 'http://loinc.org', UCUM 'http://unitsofmeasure.org')"))  # fmt: skip
        elif system == LOINC and not loinc_check_digit(str(code)):
            out.append(Issue("error", "loinc", _label(data), path,
                             f"{code!r} is not a LOINC code (form 'NNNNN-C' with its mod-10 check digit)"))
        elif system == SNOMED and not snomed_check_digit(str(code)):
            out.append(Issue("error", "snomed", _label(data), path,
                             f"{code!r} is not a SNOMED CT identifier (its Verhoeff check digit fails)"))
        elif system == UCUM and not _ucum_ok(str(code)):
            out.append(Issue("error", "ucum", _label(data), path,
                             f"{code!r} is not a UCUM unit code (e.g. 'mmHg' is written 'mm[Hg]', 'bpm' '/min')"))
    return out


def _loinc_codes(concept) -> list[str]:
    return [c.get("code") for c in (concept or {}).get("coding", []) if c.get("system") == LOINC]


def _vital_codes(data: dict) -> list[str]:
    codes = [c for c in _loinc_codes(data.get("code")) if c in _KNOWN_VITALS]
    claims = any(VITAL_SIGNS_PROFILE in p or "StructureDefinition/" + v[0] in p
                 for p in (data.get("meta") or {}).get("profile", []) for v in VITAL_SIGNS.values())  # fmt: skip
    return codes or (["(claimed)"] if claims else [])


def vital_signs_issues(resource) -> list[Issue]:
    """The vital-signs profile rules for an Observation coded with a vital sign's LOINC code (or claiming the
    profile): the category, a Patient subject, a time, the fixed UCUM unit, the blood-pressure components, and one
    vital sign per Observation. (vs-1 to vs-3 are in :func:`invariant_issues`.)"""
    data = _as_json(resource)
    if data.get("resourceType") != "Observation":
        return []
    codes = _vital_codes(data)
    if not codes:
        return []
    label, out = _label(data), []

    def bad(where, message, course=False, severity="error"):
        if course:  # the unit of a mean blood pressure (COURSE_UNITS): the course's rule, not FHIR's
            out.append(Issue("warning", "course-rule", label, where,
                             f"{_COURSE_RULE}: {message}"))
        else:
            out.append(Issue(severity, "vital-signs", label, where, message))

    def outside_units(where, name, shown):  # an extensible binding, as the HL7 validator applies it: a warning
        bad(where, f"{name}: unit code {shown!r} is not in the value set Vital Signs Units (ucum-vitals-common), "
                   "to which the vital-signs profile binds it: a code should come from it unless none is suitable "
                   "(extensible)", severity="warning")  # fmt: skip

    profiles = sorted({_KNOWN_VITALS[c][0] for c in codes if c in _KNOWN_VITALS})
    if len(profiles) > 1:
        bad("code.coding", f"codes {', '.join(c for c in codes if c in _KNOWN_VITALS)} claim different vital signs "
                           f"({', '.join(profiles)}): one Observation, one vital sign")  # fmt: skip
    cats = [(c.get("system"), c.get("code")) for cc in data.get("category", []) for c in cc.get("coding", [])]
    if (OBSERVATION_CATEGORY, "vital-signs") not in cats:
        bad("category", "a vital sign needs the category 'vital-signs' (system "
                        f"{OBSERVATION_CATEGORY}); other categories may stand beside it")  # fmt: skip
    subject = data.get("subject") or {}
    ref, declared = subject.get("reference", ""), subject.get("type")
    if not ref and not subject.get("identifier"):
        bad("subject", "a vital sign needs a subject, the Patient")
    elif declared is not None and declared != "Patient":
        bad("subject", f"Reference.type {declared!r}: a vital sign's subject must be a Patient")
    elif ref and not (ref.startswith("Patient/") or ref.startswith("urn:") or ref.startswith("#")
                      or "/Patient/" in ref):
        bad("subject", f"{ref!r}: a vital sign's subject must be a Patient")
    elif not ref and declared is None:
        bad("subject", "a subject given only by identifier must say Reference.type 'Patient'")
    # (a 'urn:uuid:' subject is checked against its target's type where it resolves: in a Bundle)
    if "effectiveDateTime" not in data and "effectivePeriod" not in data:
        bad("effective[x]", "a vital sign needs effectiveDateTime or effectivePeriod")
    for code in codes:
        if code not in _KNOWN_VITALS or code in ("85354-9", "85353-1"):
            continue
        name, units = _KNOWN_VITALS[code]
        course = code in COURSE_UNITS  # no profile fixes its unit: the value type and unit code are the course's
        fixer = "the course fixes" if course else "the profile fixes"
        q = data.get("valueQuantity")
        if q is None:
            if "dataAbsentReason" not in data and any(k.startswith("value") for k in data):
                bad("value[x]", f"{name}: the value must be a valueQuantity", course)
            continue
        for part in ("value", "unit"):
            if q.get(part) is None:
                bad(f"valueQuantity.{part}", f"{name}: valueQuantity.{part} is required (1..1 in the vital-signs "
                                             "profile)")  # fmt: skip
        if q.get("system") != UCUM:
            bad("valueQuantity.system", f"{name}: the unit's system must be {UCUM}")
        if course and q.get("code") not in VITAL_SIGNS_UNITS:  # FHIR's binding, before the course's narrowing
            outside_units("valueQuantity.code", name, q.get("code"))
        elif q.get("code") not in units:
            shown = q.get("code")
            # valid UCUM says nothing of meaning: '1/min' is the profile's rate spelled otherwise, '/s' is 60 times it
            valid = "is a valid UCUM code (whatever quantity it denotes), but"
            why = (valid if shown and _ucum_ok(str(shown))
                   else "is not UCUM, and")  # fmt: skip
            bad("valueQuantity.code", f"{name}: unit code {shown!r} {why} {fixer} "
                                      f"{' or '.join(repr(u) for u in units)}", course)  # fmt: skip
    if "85354-9" in codes:
        for part, name in BP_PARTS.items():
            comps = [c for c in data.get("component", []) if part in _loinc_codes(c.get("code"))]
            if len(comps) != 1:
                bad("component", f"the blood-pressure panel needs exactly one {name} component ({part}); "
                                 f"found {len(comps)}")  # fmt: skip
                continue
            q = comps[0].get("valueQuantity")
            if q is not None and (q.get("system") != UCUM or q.get("code") != "mm[Hg]"):
                bad(f"component[{name}].valueQuantity", f"{name} pressure must be in UCUM 'mm[Hg]'")
            for part in ("value", "unit"):
                if q is not None and q.get(part) is None:
                    bad(f"component[{name}].valueQuantity.{part}", f"the {name} component's valueQuantity.{part} is "
                                                                   "required (1..1 in the bp profile)")  # fmt: skip
        # any other component coded as a pressure this module knows (the mean, 8478-0) is held to the unit it has
        # as an Observation of its own (review r12-08 (b)); the bp profile's slicing is open and fixes no unit for
        # it, so for the mean this is the course's rule (review r15-08, finding 1)
        for i, comp in enumerate(data.get("component", [])):
            q = comp.get("valueQuantity")
            for code in _loinc_codes(comp.get("code")):
                if code in BP_PARTS or code not in _KNOWN_VITALS or not _KNOWN_VITALS[code][1] or q is None:
                    continue
                name, units = _KNOWN_VITALS[code]
                if code in COURSE_UNITS and q.get("system") == UCUM and q.get("code") not in VITAL_SIGNS_UNITS:
                    outside_units(f"component[{i}].valueQuantity.code", f"{name} ({code})", q.get("code"))
                elif q.get("system") != UCUM or q.get("code") not in units:
                    bad(f"component[{i}].valueQuantity", f"{name} ({code}) must be in UCUM "
                                                         f"{' or '.join(repr(u) for u in units)}; found "
                                                         f"{q.get('code')!r}", code in COURSE_UNITS)  # fmt: skip
    return out


def validate_resource(resource) -> list[Issue]:
    """Every check of this module on one resource (no reference resolution: that needs its neighbours).
    Structural errors stop the rest: the other rules assume a resource that parses."""
    found = structure_issues(resource)
    if found:
        return found
    return invariant_issues(resource) + binding_issues(resource) + terminology_issues(resource) + \
        vital_signs_issues(resource)  # fmt: skip


# ------------------------------------------------------------------------------------------------ references
def _references(node, path=""):
    """(path, reference text) of every Reference with a ``reference``; a logical reference (identifier only) has
    none and is not yielded: nothing here can resolve it (a receiver searches for the identifier)."""
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str):
            yield path, ref
        for k, v in node.items():
            if k != "resource":
                yield from _references(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _references(v, f"{path}[{i}]")


def _target_issue(data: dict, path: str, target: str | None, declared: str | None) -> Issue | None:
    """An error if the reference at ``path`` points at (``target``) or declares (``declared``, Reference.type) a
    resource type its element does not allow (:data:`REFERENCE_TARGETS`; a vital sign's subject only Patient)."""
    rtype = data.get("resourceType")
    element = re.split(r"[.\[]", path)[0]
    allowed = REFERENCE_TARGETS.get((rtype, element))
    if allowed is None:
        return None
    if rtype == "Observation" and element == "subject" and _vital_codes(data):
        allowed = ("Patient",)  # the vital-signs profile (a mean blood pressure too: 8478-0 is in VitalSigns)
    for kind, what in ((target, "points at"), (declared, "declares type")):
        if kind is not None and kind not in allowed:
            return Issue("error", "reference-type", _label(data), path,
                         f"{rtype}.{element} {what} {kind}; it may only refer to {' or '.join(allowed)}")
    return None


def _reference_nodes(node, path=""):
    """(path, the Reference as a dict) for every Reference that has a ``reference`` text."""
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield path, node
        for k, v in node.items():
            if k != "resource":
                yield from _reference_nodes(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _reference_nodes(v, f"{path}[{i}]")


#: The course's consistency rule (not a FHIR invariant): a resource's subject and the subject of its encounter must
#: be one patient. FHIR's own invariants and reference rules let an Observation of one patient point at another
#: patient's Encounter (review r12-08 (d)).
SAME_PATIENT_ELEMENTS = ("subject", "encounter")


def _same_patient_issue(data: dict, canonical, encounter_subject, is_patient) -> Issue | None:
    """An error if ``data``'s subject, a Patient, and the subject of the Encounter its ``encounter`` names differ.
    ``canonical`` maps a reference text (as written in ``data``) to a key, or None; ``encounter_subject`` maps an
    Encounter's key to the key of its subject, or None when unknown; ``is_patient`` says whether a key names a
    Patient (a subject of another type, or an unresolved reference, is the reference rules' business)."""
    subject = (data.get("subject") or {}).get("reference")
    encounter = (data.get("encounter") or {}).get("reference")
    if not isinstance(subject, str) or not isinstance(encounter, str):
        return None
    enc_key, subj_key = canonical(encounter), canonical(subject)
    theirs = encounter_subject(enc_key) if enc_key else None
    if theirs is None or subj_key is None or theirs == subj_key or not is_patient(subj_key):
        return None
    return Issue("error", "same-patient", _label(data), "encounter",
                 f"subject {subject!r} is not the subject of its encounter {encounter!r} ({theirs!r}): an Observation "
                 "of one patient recorded in another patient's stay")  # fmt: skip


_RESTFUL = re.compile(r"^(https?://.+)/([A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(/_history/.+)?$")
_RELATIVE = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$")


def bundle_reference_issues(bundle) -> list[Issue]:
    """References inside a Bundle that do not resolve to one of its entries (FHIR R4B bundle.html#references): an
    absolute URL or URN must equal an entry's fullUrl; a relative reference 'Type/id' resolves only against the
    base of a RESTful fullUrl (http...), never against a 'urn:' fullUrl."""
    data = _as_json(bundle)
    entries = data.get("entry", []) or []
    full = {e.get("fullUrl") for e in entries if e.get("fullUrl")}
    type_of = {e.get("fullUrl"): (e.get("resource") or {}).get("resourceType") for e in entries if e.get("fullUrl")}
    out = []
    for i, e in enumerate(entries):
        res = e.get("resource") or {}
        base = _RESTFUL.match(e.get("fullUrl") or "")
        for path, node in _reference_nodes(res):
            ref = node["reference"]
            if ref.startswith("#"):
                continue  # contained: ref-1's business
            if _is_absolute_uri(ref):
                ok = ref in full
            elif _RELATIVE.match(ref):
                ok = bool(base) and f"{base.group(1)}/{ref}" in full
            else:
                out.append(Issue("error", "reference", _label(res), f"entry[{i}].resource.{path}",
                                 f"{ref!r} is neither 'Type/id' nor an absolute URL or URN"))  # fmt: skip
                continue
            if not ok:
                why = ("relative, and this entry's fullUrl is not a RESTful URL to resolve it against"
                       if not _is_absolute_uri(ref) and not base else "no entry has that fullUrl")  # fmt: skip
                out.append(Issue("error", "reference", _label(res), f"entry[{i}].resource.{path}",
                                 f"{ref!r} does not resolve inside the Bundle: {why}"))  # fmt: skip
                continue
            target = type_of.get(ref) or type_of.get(f"{base.group(1)}/{ref}" if base else None)
            issue = _target_issue(res, path, target, node.get("type"))
            if issue is not None:
                out.append(Issue(issue.severity, issue.rule, issue.resource, f"entry[{i}].resource.{path}",
                                 issue.message))  # fmt: skip

    def canonical_in(entry):
        base = _RESTFUL.match(entry.get("fullUrl") or "")
        return lambda ref: (ref if _is_absolute_uri(ref) else f"{base.group(1)}/{ref}" if base and _RELATIVE.match(ref)
                            else None)  # fmt: skip

    enc_subject = {}
    for e in entries:
        res = e.get("resource") or {}
        ref = (res.get("subject") or {}).get("reference")
        if res.get("resourceType") == "Encounter" and e.get("fullUrl") and isinstance(ref, str):
            enc_subject[e["fullUrl"]] = canonical_in(e)(ref)
    for i, e in enumerate(entries):
        issue = _same_patient_issue(e.get("resource") or {}, canonical_in(e), enc_subject.get,
                                    lambda key: type_of.get(key) == "Patient")
        if issue is not None:
            out.append(Issue(issue.severity, issue.rule, issue.resource, f"entry[{i}].resource.encounter",
                             issue.message))  # fmt: skip
    return out


def validate_bundle(bundle, entries: bool = True) -> list[Issue]:
    """The Bundle's own rules, every entry's resource (unless ``entries=False``, when they were validated
    already, as NDJSON say), and reference resolution inside it."""
    data = _as_json(bundle)
    found = structure_issues(data)
    if found:
        return found
    out = invariant_issues(data) + binding_issues(data)
    for e in (data.get("entry", []) or []) if entries else []:
        res = e.get("resource")
        if res:  # its structure was checked with the Bundle's: the other rules only
            out.extend(invariant_issues(res) + binding_issues(res) + terminology_issues(res) + vital_signs_issues(res))
    return out + bundle_reference_issues(data)


def validate_ndjson(folder, types=("Patient", "Encounter", "Observation", "Procedure")) -> list[Issue]:
    """Every line of the Bulk Data files in ``folder`` (read one at a time), and every reference 'Type/id' resolved
    across the files: a reference to a resource that no file holds is an error naming file and line."""
    from .paths import as_folder

    folder = as_folder(folder, "folder")
    paths = [folder / f"{t}.ndjson" for t in types if (folder / f"{t}.ndjson").is_file()]
    if not paths:
        raise DataError(folder, f"holds none of {', '.join(t + '.ndjson' for t in types)}",
                        "Export first (python -m heartdata.interop fhir ...).")  # fmt: skip
    known, refs, out, enc_subject, pairs = set(), [], [], {}, []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path.name}:{number}"
                try:
                    data = json.loads(line)
                except ValueError as exc:
                    out.append(Issue("error", "structure", where, "line", f"not JSON ({exc})"))
                    continue
                if not isinstance(data, dict):
                    out.append(Issue("error", "structure", where, "line", "not a JSON object"))
                    continue
                known.add(f"{data.get('resourceType')}/{data.get('id')}")
                for i in validate_resource(data):
                    out.append(Issue(i.severity, i.rule, f"{where} {i.resource}", i.location, i.message))
                for p, node in _reference_nodes(data):
                    m = _RELATIVE.match(node["reference"])
                    issue = _target_issue(data, p, m.group(1) if m else None, node.get("type"))
                    if issue is not None:
                        out.append(Issue(issue.severity, issue.rule, f"{where} {issue.resource}", p, issue.message))
                refs.extend((where, _label(data), p, r) for p, r in _references(data))
                subject = (data.get("subject") or {}).get("reference")
                if data.get("resourceType") == "Encounter" and isinstance(subject, str):
                    enc_subject[_label(data)] = subject
                if isinstance(subject, str) and isinstance((data.get("encounter") or {}).get("reference"), str):
                    pairs.append((where, {k: data[k] for k in ("resourceType", "id", *SAME_PATIENT_ELEMENTS)
                                          if k in data}))  # fmt: skip
    for where, data in pairs:
        issue = _same_patient_issue(data, lambda r: r if _RELATIVE.match(r) else None, enc_subject.get,
                                    lambda key: key.startswith("Patient/"))
        if issue is not None:
            out.append(Issue("error", issue.rule, f"{where} {issue.resource}", issue.location, issue.message))
    for where, label, path, ref in refs:
        if _RELATIVE.match(ref) and ref not in known:
            out.append(Issue("error", "reference", f"{where} {label}", path,
                             f"{ref!r} names no resource in the exported files"))  # fmt: skip
        elif not _RELATIVE.match(ref) and not ref.startswith("#"):
            bad = not _is_absolute_uri(ref)
            out.append(Issue("error" if bad else "warning", "reference", f"{where} {label}", path,
                             f"{ref!r} is neither 'Type/id' nor an absolute URL or URN" if bad else
                             f"{ref!r} is not 'Type/id': Bulk Data files refer to each other by type and id"))
    return out


def validate(resources) -> list[Issue]:
    """Validate a dict of resource lists (what ``interop.stay_resources`` returns): every resource, and every
    relative reference resolved among them, as a receiver of the same resources as NDJSON would."""
    if not isinstance(resources, dict):
        raise DataError(f"resources={type(resources).__name__}", "is not a dict of resource lists",
                        "Pass what interop.stay_resources or interop.read_ndjson returns.")  # fmt: skip
    known, out = set(), []
    datas = [_as_json(r) for rs in resources.values() for r in rs]
    for data in datas:
        known.add(_label(data))
    enc_subject = {_label(d): (d.get("subject") or {}).get("reference") for d in datas
                   if d.get("resourceType") == "Encounter"}  # fmt: skip
    for data in datas:
        out.extend(validate_resource(data))
        issue = _same_patient_issue(data, lambda r: r if _RELATIVE.match(r) else None, enc_subject.get,
                                    lambda key: key.startswith("Patient/"))
        if issue is not None:
            out.append(issue)
        for path, node in _reference_nodes(data):
            m = _RELATIVE.match(node["reference"])
            issue = _target_issue(data, path, m.group(1) if m else None, node.get("type"))
            if issue is not None:
                out.append(issue)
        for path, ref in _references(data):
            if _RELATIVE.match(ref) and ref not in known:
                out.append(Issue("error", "reference", _label(data), path, f"{ref!r} names no resource here"))
            elif not _RELATIVE.match(ref) and not _is_absolute_uri(ref) and not ref.startswith("#"):
                out.append(Issue("error", "reference", _label(data), path,
                                 f"{ref!r} is neither 'Type/id' nor an absolute URL or URN"))  # fmt: skip
    return out
