"""The course's reference cleaning, built step by step in lesson 06 (Cleaning, with every decision written down).

Challenge 2012 stays (the long ``RecordID, Time, Parameter, Value`` table of
``challenge2012.load_stays``) go through ``clean_stays``, which returns the
cleaned long table and a cleaning log: one row per step and parameter, saying
what was changed, how many values, in how many stays. ``stay_features`` turns
the clean table into one row of features per stay, and ``validate_features``
checks that table against its schema (types, ranges, uniqueness).

Every decision is a named constant below, so a reader can see it and change it:
``SENTINEL``, ``ZEROS_REMOVED``, ``LINE_ZERO_MINUTE``, ``RANGES``, ``PRESSURE_TRIPLES``, ``SUM_WHEN_SIMULTANEOUS``,
``SPIKES``, ``PRESSURE_PAIRS``. The unit fixes are in ``fix_unit_errors``.

Each step is also a public function ``step(table) -> (table, log)`` so that a
lesson can run and show them one at a time; ``clean_stays`` runs them in order.
Nothing here loops over stays in Python: everything is vectorised pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .challenge2012 import DESCRIPTORS
from .errors import DataError

COLUMNS = ["RecordID", "Time", "Parameter", "Value"]
LOG_COLUMNS = ["step", "parameter", "action", "values", "stays", "detail"]
#: Descriptors that carry a value (RecordID is the stay's own number, kept as the stay's anchor row).
DESCRIPTOR_VALUES = [d for d in DESCRIPTORS if d != "RecordID"]
#: The time series of Challenge 2012 (documentation of the Challenge, units in RANGES).
TIME_SERIES = [
    "Albumin", "ALP", "ALT", "AST", "Bilirubin", "BUN", "Cholesterol", "Creatinine", "DiasABP", "FiO2", "GCS",
    "Glucose", "HCO3", "HCT", "HR", "K", "Lactate", "Mg", "MAP", "MechVent", "Na", "NIDiasABP", "NIMAP",
    "NISysABP", "PaCO2", "PaO2", "pH", "Platelets", "RespRate", "SaO2", "SysABP", "Temp", "TroponinI",
    "TroponinT", "Urine", "WBC", "Weight",
]  # fmt: skip
#: Parameters the cleaning knows; any other name is logged and dropped.
KNOWN = DESCRIPTORS + [p for p in TIME_SERIES if p not in DESCRIPTORS]
#: The code Challenge 2012 writes for "not recorded" in the descriptors.
SENTINEL = -1.0
#: Rates and pressures whose charted 0 is removed: a charted 0 is not a measured rate or pressure. A monitor with a
#: lead off shows dashes, not 0 (lesson 06). Most arterial zeros sit beside a charted heart rate and a cuff reading of
#: the same minute, often before the stay's first real line value. Under half sit beside a positive line mean: a
#: transducer open to air would read 0 for its mean too, so those look like a line giving no pulse wave to read a
#: systolic from, as in a flush or a flat trace; the rest (mean 0 or none) fit a line being zeroed or a placeholder
#: as well (readings, not confirmed by the files: lesson 06), and rarely an arrest. The chart cannot tell these
#: apart, and the features summarise measured values, so a 0 would make an artefact and an arrest the same HR_min.
#: What this loses: an arrest, which a model must take from a record of resuscitation events, not from a 0 in a
#: vital-sign series.
ZEROS_REMOVED = ["HR", "RespRate", "SysABP", "DiasABP", "MAP", "NISysABP", "NIDiasABP", "NIMAP"]
#: The arterial line's (systolic, diastolic, mean). In a minute where the line charts its systolic or diastolic as 0,
#: its mean of that minute goes too (``zeros_to_missing``): the 0 says the line gave no reading, and a mean beside it
#: cannot be checked against the line's own systolic and diastolic. In set A 62% of the positive means lie outside
#: 40-150 mmHg (a quarter at 238 mmHg or more, a pressure bag's reading), so the minute as a whole is no reading.
#: Cuff means beside a cuff 0 are kept: there they look like ordinary means (lesson 06), and an oscillometric cuff
#: takes its mean from the point of largest oscillation before it estimates the systolic and diastolic, so it can give
#: one without them (that point is an estimate, nearer 0.45 x systolic + 0.55 x diastolic than the true mean:
#: Chandrasekhar et al., Front Physiol 2019;10:1415). (Most cuff means charted beside a systolic and diastolic in set A
#: are not that measurement but (systolic + 2 x diastolic) / 3: lesson 06, Step 7.)
LINE_ZERO_MINUTE = ("SysABP", "DiasABP", "MAP")
#: Volumes: two values charted in the same minute are taken as two outputs (two drains, two bags) and added up;
#: other parameters are averaged (temperatures too, though two probes or sites can read differently: lesson 06
#: counts how far apart set A's same-minute temperatures are). A decision, not a fact: the files do not say why a
#: minute holds two volumes (a correction, or a total carried from the operating room, would call for one value, not
#: the sum), so
#: ``merge_simultaneous(volumes="max")`` keeps the larger instead, and lesson 06 measures what the choice changes.
SUM_WHEN_SIMULTANEOUS = ["Urine"]
#: How same-minute volumes can be merged: "sum" (the course's rule) or "max" (one of them is a correction or a copy).
VOLUME_RULES = ("sum", "max")
#: The three pressures one device reports from one measurement: (systolic, diastolic, mean). The mean of a pressure
#: wave lies between its lowest (diastolic) and highest (systolic) point, so in one minute a device's values must
#: satisfy diastolic <= mean <= systolic; where they break it by more than PRESSURE_TOLERANCE, they contradict each
#: other and the chart cannot say which is wrong (values entered at different moments or from different sources, a
#: typing error or a flush can move any of them): ``inconsistent_pressures`` removes the three. A damped line does
#: not break the order (it narrows the pulse pressure and keeps the mean between systolic and diastolic), so this
#: rule does not catch damping; Lehman et al. (Crit Care Med 2013, online supplement, Appendix A) use a separate
#: pulse-pressure check for it (pulse pressure below 30% of the mean), which the course does not apply.
PRESSURE_TRIPLES = {"arterial line": ("SysABP", "DiasABP", "MAP"), "cuff": ("NISysABP", "NIDiasABP", "NIMAP")}
#: mmHg by which a minute's values may break diastolic <= mean <= systolic and still be kept. A course decision: the
#: three values of one charted minute need not come from one heartbeat (a mean and a systolic validated moments apart
#: differ by a few mmHg), so a small breach is not a contradiction; a flush or a mistyped value breaks it by more.
#: Lehman et al.'s rule (same supplement) allows no tolerance; lesson 06 counts what 0 would remove.
PRESSURE_TOLERANCE = 10.0
#: parameter -> (jump, unit): a value that differs from both its neighbours in the stay (the readings charted just
#: before and after it) by at least ``jump``, in the same direction, while the two neighbours agree within half of
#: it, is a spike. ``remove_spikes`` removes them. The rule does not look at the time between the readings: within
#: the hour such a jump and return is an artefact (a probe that slipped out, a mistyped digit), because no device or
#: physiology takes a body temperature that far away and back so fast (a cooling catheter or a bypass or ECMO heat
#: exchanger moves it faster than a degree or two an hour, not checked against a source); over several hours (a
#: patient in theatre, or cooled and rewarmed) it is unusual, not impossible, and the rule removes it too. A course
#: decision, the jump kept large on purpose. Temperature only: blood pressure can fall by 80 mmHg and recover
#: within the hour between two charted readings (a bleed, a drug, a vasovagal episode treated at once), so a
#: pressure spike is not impossible in its place, and the rule would remove real episodes.
SPIKES: dict[str, tuple[float, str]] = {"Temp": (5.0, "°C")}
#: Invasive (arterial line) and non-invasive (cuff) pressure, merged into one series: invasive wins.
PRESSURE_PAIRS = {"SysBP": ("SysABP", "NISysABP"), "DiasBP": ("DiasABP", "NIDiasABP"), "MeanBP": ("MAP", "NIMAP")}

_DEF = "definition of the scale or unit"
_COURSE = "course decision: wide limits, only values no living patient can have"
#: parameter -> (lowest possible, highest possible, unit, where the limits come from). Inclusive.
#: Outside = impossible (removed); inside but unusual = extreme (kept: often the sickest patients).
RANGES: dict[str, tuple[float, float, str, str]] = {
    "Age": (15, 120, "years", "course decision: the Challenge describes adult stays; wide limits"),
    "Gender": (0, 1, "0 female, 1 male", _DEF),
    "Height": (100, 250, "cm", "course decision: adult heights, wide limits"),
    "ICUType": (1, 4, "code", "Challenge 2012 documentation: 4 unit types"),
    "Weight": (20, 350, "kg", "course decision: adult weights, 0 kg impossible"),
    "Albumin": (0.5, 10, "g/dL", _COURSE),
    "ALP": (1, 10000, "IU/L", _COURSE),
    "ALT": (1, 50000, "IU/L", _COURSE),
    "AST": (1, 50000, "IU/L", _COURSE),
    "Bilirubin": (0.05, 100, "mg/dL", _COURSE),
    "BUN": (1, 300, "mg/dL", _COURSE + "; urea cannot be zero in blood"),
    "Cholesterol": (10, 1000, "mg/dL", _COURSE),
    "Creatinine": (0.1, 40, "mg/dL", _COURSE),
    "DiasABP": (1, 300, "mmHg", "above zero (a charted 0 is removed first: ZEROS_REMOVED); course decision above"),
    "FiO2": (0.21, 1.0, "fraction", _DEF + ": room air (0.21) to pure oxygen (1.0)"),
    "GCS": (3, 15, "points", _DEF + ": Glasgow Coma Scale runs from 3 to 15"),
    "Glucose": (
        15,
        2000,
        "mg/dL",
        "course decision: a plausibility floor, a choice, not a limit of life; below it a value can be a real severe "
        "hypoglycaemia or a sample left standing (its cells use up the glucose); lesson 06 shows what it removes",
    ),
    "HCO3": (1, 60, "mmol/L", _COURSE),
    "HCT": (5, 75, "%", _COURSE),
    "HR": (1, 300, "beats/min", "above zero (a charted 0 is removed first: ZEROS_REMOVED); course decision above"),
    "K": (
        1,
        15,
        "mEq/L",
        _COURSE + "; above it a contaminated sample (drawn near a potassium infusion, EDTA) or a "
        "typing error is likelier than haemolysis",
    ),
    "Lactate": (0.1, 40, "mmol/L", _COURSE),
    "Mg": (
        0.2,
        15,
        "mg/dL",
        _COURSE + "; the Challenge documents mmol/L, but the values (median 2) are mg/dL or mEq/L; mg/dL "
        "read as the likelier (a US hospital; lessons 06, 08), for the lab to confirm",
    ),
    "MAP": (1, 300, "mmHg", "above zero (a charted 0 is removed first: ZEROS_REMOVED); course decision above"),
    "MechVent": (
        0,
        1,
        "0 false, 1 true",
        'Challenge 2012 documentation: "MechVent [Mechanical ventilation respiration (0:false, or 1:true)]"; '
        "in set A every MechVent row is 1 (a row is charted only while ventilated), but a 0 is a documented value, "
        "kept here and counted as not ventilated by stay_features",
    ),
    "Na": (80, 200, "mEq/L", _COURSE),
    "NIDiasABP": (1, 300, "mmHg", "above zero (a charted 0 is removed first: ZEROS_REMOVED); course decision above"),
    "NIMAP": (1, 300, "mmHg", "above zero (a charted 0 is removed first: ZEROS_REMOVED); course decision above"),
    "NISysABP": (1, 300, "mmHg", "above zero (a charted 0 is removed first: ZEROS_REMOVED); course decision above"),
    "PaCO2": (5, 200, "mmHg", _COURSE),
    "PaO2": (10, 800, "mmHg", _COURSE + "; 800 mmHg is above what pure oxygen at sea level gives"),
    "pH": (
        6.5,
        8.0,
        "pH",
        "Guyton & Hall, Textbook of Medical Physiology (life lasts hours at most "
        "outside about 6.8-8.0), lower end widened to 6.5",
    ),
    "Platelets": (1, 2000, "10^9/L", _COURSE),
    "RespRate": (
        1,
        100,
        "breaths/min",
        "above zero (a charted 0 is removed first: ZEROS_REMOVED); course decision above",
    ),
    "SaO2": (1, 100, "%", _DEF + ": a saturation is at most 100%"),
    "SysABP": (1, 300, "mmHg", "above zero (a charted 0 is removed first: ZEROS_REMOVED); course decision above"),
    "Temp": (13.7, 45, "°C", "lowest: 13.7 °C, the widely cited adult survival of accidental hypothermia (Gilbert "
             "et al., Lancet 2000;355:375-376); colder survivals have been reported (in children, for instance) and "
             "deliberate cooling in surgery goes low too, so the floor is a judgement (lesson 06 shows which floors "
             "remove the same values on the data); highest: a plausibility ceiling, a course decision, not a limit of "
             "life: above any fever, though heat stroke (hyperthermia, not fever) can come near it"),
    "TroponinI": (0, 500, "µg/L", _COURSE),
    "TroponinT": (0, 100, "µg/L", _COURSE),
    "Urine": (
        0,
        20000,
        "mL",
        "course decision, per entry whatever time it covers (lesson 06 lists the large "
        "entries for review); zero is a real observation (no urine since the last entry)",
    ),
    "WBC": (0.05, 500, "10^9/L", _COURSE),
}
for _combined, (_invasive, _) in PRESSURE_PAIRS.items():
    RANGES[_combined] = RANGES[_invasive]
#: Parameters aggregated into features (the time series and the merged pressures).
FEATURE_PARAMETERS = [p for p in TIME_SERIES if p != "MechVent"] + list(PRESSURE_PAIRS)
#: The statistics of each parameter in stay_features.
STATS = ["first", "last", "min", "max", "count", "hours_since_last"]


# --------------------------------------------------------------------------------------------- the log
def _log_rows(step: str, table: pd.DataFrame, changed: pd.Series, action: str, detail=None) -> pd.DataFrame:
    """One log row per parameter among the rows of ``table`` where ``changed`` is True.

    ``detail`` maps the changed rows to a text per parameter; by default the range of the old values.
    """
    rows = table.loc[changed.to_numpy()] if len(table) else table
    if rows.empty:
        return pd.DataFrame([{"step": step, "parameter": "-", "action": action, "values": 0, "stays": 0,
                              "detail": "nothing to change"}], columns=LOG_COLUMNS)  # fmt: skip
    g = rows.groupby("Parameter", sort=True, observed=True)
    out = pd.DataFrame({"values": g.size(), "stays": g["RecordID"].nunique()})
    if detail is None:
        lo, hi = g["Value"].min(), g["Value"].max()
        out["detail"] = [f"value {a:g}" if a == b else f"values {a:g} to {b:g}" for a, b in zip(lo, hi, strict=True)]
    else:
        out["detail"] = detail(rows, g)
    out = out.reset_index().rename(columns={"Parameter": "parameter"})
    out["step"], out["action"] = step, action
    return out[LOG_COLUMNS]


def _categories(names) -> pd.Categorical:
    """Parameter names as a categorical (fast to compare, group and sort); unknown names are kept."""
    names = np.asarray(names, dtype=object)
    extra = sorted(set(pd.unique(names)) - set(KNOWN) - set(PRESSURE_PAIRS))
    return pd.Categorical(names, categories=KNOWN + list(PRESSURE_PAIRS) + extra)


def _key(table: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One int64 per row that orders and identifies rows like the tuple of ``keys`` (whole-number columns)."""
    key = np.zeros(len(table), dtype=np.int64)
    span_total = 1
    for k in keys:
        col = table[k]
        values = col.cat.codes.to_numpy() if isinstance(col.dtype, pd.CategoricalDtype) else col.to_numpy()
        values = values.astype(np.int64)
        low = int(values.min()) if len(values) else 0
        span = (int(values.max()) - low + 1) if len(values) else 1
        span_total *= span
        if span_total >= 2**62:  # cannot pack: rank the values instead (slower, always correct)
            return pd.MultiIndex.from_frame(table[keys]).factorize(sort=True)[0].astype(np.int64)
        key = key * span + (values - low)
    return key


def _repeats(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows whose key occurs more than once, rows that repeat a key seen in an earlier row), by sorting."""
    order = np.argsort(key, kind="stable")
    same = key[order][1:] == key[order][:-1]
    extra_sorted = np.r_[False, same]
    dup_sorted = extra_sorted | np.r_[same, False]
    dup, extra = np.empty(len(key), bool), np.empty(len(key), bool)
    dup[order], extra[order] = dup_sorted, extra_sorted
    return dup, extra


def _sort(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Stable sort by ``keys`` (a categorical Parameter sorts by its codes), faster than sort_values here."""
    return table.iloc[np.argsort(_key(table, keys), kind="stable")] if len(table) else table


def prepare(stays: pd.DataFrame) -> pd.DataFrame:
    """Check that ``stays`` has the columns of ``challenge2012.load_stays`` and return a compact copy:
    RecordID and Time as integers, Value as float, Parameter as a pandas category (fast to compare and group).

    Every step accepts either the raw table or a prepared one; ``clean_stays`` prepares it first.
    """
    return _check_table(stays)


def _is_prepared(table) -> bool:
    """A table as ``prepare`` returns it: exactly its four columns with its types (steps can read it as it is)."""
    return (
        isinstance(table, pd.DataFrame)
        and list(table.columns) == COLUMNS
        and table["RecordID"].dtype == np.int64
        and table["Time"].dtype == np.int64
        and table["Value"].dtype == np.float64
        and _prepared(table["Parameter"])
    )


def _prepared(names: pd.Series) -> bool:
    dtype = names.dtype
    return isinstance(dtype, pd.CategoricalDtype) and set(KNOWN + list(PRESSURE_PAIRS)) <= set(dtype.categories)


def _check_table(stays: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(stays, pd.DataFrame):
        raise DataError(f"stays={type(stays).__name__}", "expected the long table of challenge2012.load_stays",
                        "Pass the DataFrame challenge2012.load_stays returns.")  # fmt: skip
    missing = [c for c in COLUMNS if c not in stays.columns]
    if missing:
        raise DataError("stays", f"the table lacks the columns {missing}; expected {COLUMNS}",
                        "Pass the DataFrame challenge2012.load_stays returns (as load_stays returns it).")  # fmt: skip
    return pd.DataFrame(
        {
            "RecordID": stays["RecordID"].astype(np.int64).to_numpy(),
            "Time": stays["Time"].astype(np.int64).to_numpy(),
            "Parameter": stays["Parameter"].array
            if _prepared(stays["Parameter"])
            else _categories(stays["Parameter"].astype(str).to_numpy()),
            "Value": stays["Value"].astype(np.float64).to_numpy(),
        }
    )


# --------------------------------------------------------------------------------------------- the steps
def is_descriptor(table: pd.DataFrame) -> pd.Series:
    """Rows that are static descriptors: found by name (and time 00:00), never by their position in a file."""
    return table["Parameter"].isin(DESCRIPTORS) & table["Time"].eq(0)


def drop_unknown_parameters(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove rows whose parameter the Challenge does not document (a new name must be looked at, not guessed)."""
    unknown = ~table["Parameter"].isin(KNOWN)
    return table[~unknown], _log_rows("unknown parameters", table, unknown, "removed")


def keep_window(table: pd.DataFrame, window_hours: float = 48) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep rows charted from admission (minute 0) to ``window_hours`` after it."""
    outside = ~table["Time"].between(0, window_hours * 60)
    return table[~outside], _log_rows(f"time window 0-{window_hours:g} h", table, outside, "removed")


def sentinels_to_missing(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Descriptor values of -1 mean "not recorded": remove them (in a long table, missing = no row)."""
    sentinel = is_descriptor(table) & table["Parameter"].isin(DESCRIPTOR_VALUES) & table["Value"].eq(SENTINEL)
    return table[~sentinel], _log_rows("sentinels to missing", table, sentinel, "-1 removed (not recorded)")


def fix_unit_errors(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Repair values that are plainly a unit or typing error, where one known conversion explains them.

    - pH of 650 to 800: the decimal point was lost (735 is 7.35): divide by 100.
    - Height above 300 cm that becomes an adult height once divided by 2.54: a height in centimetres typed into the
      field the system reads as inches and converted once (divided by 2.54, each is a whole number of centimetres,
      not the whole inches times 2.54 of a height converted twice: lesson 06): divide by 2.54.
    - Height between 1 and 2.5: written in metres: multiply by 100.
    Other impossible values are not guessed at; the range step removes them.
    """
    p, v = table["Parameter"], table["Value"]
    fixes = [
        (p.eq("pH") & v.between(650, 800), 0.01, "divided by 100 (decimal point lost)"),
        (p.eq("Height") & v.gt(300) & (v / 2.54).between(*RANGES["Height"][:2]), 1 / 2.54,
         "divided by 2.54 (centimetres typed as inches)"),
        (p.eq("Height") & v.between(1, 2.5), 100.0, "multiplied by 100 (metres, not cm)"),
    ]  # fmt: skip
    new, logs = v.copy(), []
    for mask, factor, action in fixes:
        new = new.mask(mask, v * factor)
        logs.append(
            _log_rows(
                "unit errors",
                table,
                mask,
                action,
                detail=lambda rows, g, f=factor: [
                    f"{a:g} -> {a * f:.4g} ... {b:g} -> {b * f:.4g}"
                    for a, b in zip(g["Value"].min(), g["Value"].max(), strict=True)
                ],
            )
        )
    changed = [x for x in logs if x["values"].sum() > 0] or logs[:1]
    return table.assign(Value=new), pd.concat(changed, ignore_index=True)


def zeros_to_missing(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove zeros of heart rate, breathing rate and blood pressures (ZEROS_REMOVED): a charted 0 is not a measured
    rate or pressure, whether it is a placeholder for "no reading", an entry error or, rarely, an arrest; the chart
    cannot tell which, and the features summarise measured values. In a minute where the arterial line charts its
    systolic or diastolic as 0, its mean of that minute is removed too (LINE_ZERO_MINUTE), logged as its own action.
    A zero urine output is kept: no urine since the last entry is a real, important observation."""
    zero = table["Parameter"].isin(ZEROS_REMOVED) & table["Value"].eq(0)
    systolic, diastolic, mean = LINE_ZERO_MINUTE
    line_zero = zero & table["Parameter"].isin([systolic, diastolic])
    minutes = pd.MultiIndex.from_frame(table.loc[line_zero.to_numpy(), ["RecordID", "Time"]])
    means = np.flatnonzero(table["Parameter"].eq(mean).to_numpy() & ~zero.to_numpy())
    beside = np.zeros(len(table), dtype=bool)
    beside[means] = pd.MultiIndex.from_frame(table.iloc[means][["RecordID", "Time"]]).isin(minutes)
    beside = pd.Series(beside, index=table.index)
    log = _log_rows("zeros of rates and pressures", table, zero, "removed (charted 0: not a measured rate or pressure)")
    if beside.any():
        action = "removed (the arterial line's mean in a minute whose systolic or diastolic it charted as 0)"
        log = pd.concat([log, _log_rows("zeros of rates and pressures", table, beside, action)], ignore_index=True)
    return table[~(zero | beside).to_numpy()], log


def impossible_to_missing(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove values outside RANGES (impossible). Extreme values inside the range stay: the sickest patients."""
    limits = pd.DataFrame({k: r[:2] for k, r in RANGES.items()}, index=["low", "high"]).T
    low = table["Parameter"].map(limits["low"])
    high = table["Parameter"].map(limits["high"])
    bad = (table["Value"].lt(low) | table["Value"].gt(high)).fillna(False).astype(bool)
    return table[~bad], _log_rows("impossible values", table, bad, "removed (outside RANGES)")


def inconsistent_pressures(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove a device's pressures of a minute that contradict each other (PRESSURE_TRIPLES).

    In a minute where a device (arterial line or cuff) charts a systolic and a diastolic pressure, its values must
    satisfy diastolic <= mean <= systolic (every mean charted in that minute), within PRESSURE_TOLERANCE mmHg. Where
    they break it by more, all that device's pressures of the minute are removed: the chart cannot say which of them
    is wrong. A minute without a systolic or a diastolic cannot be checked and is kept. Run before
    ``merge_simultaneous``, so that each of two means charted in one minute is checked on its own."""
    bad = np.zeros(len(table), dtype=bool)
    for systolic, diastolic, mean in PRESSURE_TRIPLES.values():
        pos = np.flatnonzero(table["Parameter"].isin([systolic, diastolic, mean]).to_numpy() & ~is_descriptor(table))
        rows = table.iloc[pos]
        if rows.empty:
            continue
        g = rows.groupby(["RecordID", "Time", rows["Parameter"].astype(str)], observed=True)["Value"]
        wide = pd.DataFrame({"low": g.min(), "high": g.max()}).unstack("Parameter")
        if systolic not in wide["low"] or diastolic not in wide["low"]:
            continue
        sys_, dia = wide[("low", systolic)], wide[("low", diastolic)]
        tol = PRESSURE_TOLERANCE
        wrong = dia.gt(sys_ + tol)
        if mean in wide["low"]:
            wrong |= wide[("low", mean)].lt(dia - tol) | wide[("high", mean)].gt(sys_ + tol)
        minutes = wide.index[wrong.to_numpy()]
        bad[pos[pd.MultiIndex.from_frame(rows[["RecordID", "Time"]]).isin(minutes)]] = True
    bad = pd.Series(bad, index=table.index)
    return table[~bad.to_numpy()], _log_rows(
        "inconsistent pressures",
        table,
        bad,
        "removed (diastolic <= mean <= systolic broken by more than PRESSURE_TOLERANCE in that minute)",
    )


def spikes(table: pd.DataFrame) -> pd.Series:
    """True for the rows of SPIKES parameters that jump away from both neighbours and come back (see SPIKES).

    Neighbours are the previous and next values of the same parameter in the same stay, in time order (descriptor
    rows excluded); the first and last value of a series have one neighbour and are never spikes. Expects one value
    per stay, minute and parameter (after ``merge_simultaneous``)."""
    if not _is_prepared(table):  # a raw table (Parameter as text) is checked and compacted, its index kept
        table = _check_table(table).set_axis(table.index)
    flag = np.zeros(len(table), dtype=bool)
    series = table["Parameter"].isin(list(SPIKES)) & ~is_descriptor(table)
    rows = _sort(table[series.to_numpy()], ["RecordID", "Parameter", "Time"])
    if rows.empty:
        return pd.Series(flag, index=table.index)
    jump = rows["Parameter"].astype(str).map({p: j for p, (j, _) in SPIKES.items()}).to_numpy(float)
    v = rows["Value"].to_numpy()
    same = (rows["RecordID"].to_numpy()[1:] == rows["RecordID"].to_numpy()[:-1]) & (
        rows["Parameter"].cat.codes.to_numpy()[1:] == rows["Parameter"].cat.codes.to_numpy()[:-1]
    )
    prev = np.r_[np.nan, np.where(same, v[:-1], np.nan)]
    nxt = np.r_[np.where(same, v[1:], np.nan), np.nan]
    with np.errstate(invalid="ignore"):
        up = (v - prev >= jump) & (v - nxt >= jump)
        down = (prev - v >= jump) & (nxt - v >= jump)
        back = np.abs(prev - nxt) < jump / 2
    hit = pd.Series((up | down) & back, index=rows.index)
    flag[table.index.get_indexer(hit.index[hit.to_numpy()])] = True
    return pd.Series(flag, index=table.index)


def remove_spikes(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove the values that jump away from both neighbours, which agree with each other (``spikes``, SPIKES)."""
    table = table.reset_index(drop=True)
    hit = spikes(table)
    return table[~hit.to_numpy()], _log_rows(
        "spikes", table, hit, "removed (jump away from both neighbours and back: see SPIKES)"
    )


def _check_volumes(volumes) -> None:
    if volumes not in VOLUME_RULES:
        raise DataError(f"volumes={volumes!r}", f"is not a rule for same-minute volumes ({', '.join(VOLUME_RULES)})",
                        'Pass volumes="sum" (two outputs add up) or "max" (one of them is a copy).')  # fmt: skip


def merge_simultaneous(table: pd.DataFrame, volumes: str = "sum") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Several values of one parameter in the same stay and minute become one: for volumes (SUM_WHEN_SIMULTANEOUS)
    their sum (``volumes="sum"``, two outputs) or the largest (``volumes="max"``, one of them a correction or a
    copy); averaged for everything else."""
    _check_volumes(volumes)
    keys = ["RecordID", "Time", "Parameter"]
    dup, extra = _repeats(_key(table, keys))
    dup, extra = pd.Series(dup, index=table.index), pd.Series(extra, index=table.index)
    log = _log_rows(
        "simultaneous values",
        table,
        extra,
        f"merged ({volumes} for volumes, mean otherwise)",
        detail=lambda rows, g: [volumes if name in SUM_WHEN_SIMULTANEOUS else "mean" for name in g.groups],
    )
    if not dup.any():
        return table, log
    many = table[dup]
    g = many.groupby(keys, sort=False, observed=True)["Value"]
    merged = pd.concat([g.agg(volumes), g.mean()], axis=1, keys=["volume", "mean"]).reset_index()
    merged["Parameter"] = merged["Parameter"].astype(table["Parameter"].dtype)
    merged["Value"] = merged["volume"].where(merged["Parameter"].isin(SUM_WHEN_SIMULTANEOUS), merged["mean"])
    out = pd.concat([table[~dup], merged[COLUMNS]], ignore_index=True)
    return out, log


def impossible_totals(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check the ranges again after ``merge_simultaneous``: a sum of same-minute volumes (SUM_WHEN_SIMULTANEOUS)
    can leave RANGES although each part was inside it (19,990 + 500 mL of urine). Such a total is removed,
    like any impossible value. A mean of values inside a range stays inside it, so only sums are checked."""
    summed = table["Parameter"].isin(SUM_WHEN_SIMULTANEOUS)
    limits = {p: RANGES[p][:2] for p in SUM_WHEN_SIMULTANEOUS}
    low = table["Parameter"].map({p: lo for p, (lo, _) in limits.items()}).astype(float)
    high = table["Parameter"].map({p: hi for p, (_, hi) in limits.items()}).astype(float)
    bad = (summed & (table["Value"].lt(low) | table["Value"].gt(high))).fillna(False).astype(bool)
    return table[~bad], _log_rows("impossible totals", table, bad, "removed (same-minute sum outside RANGES)")


def fill_admission_weight(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weight is both a descriptor (at 00:00) and a time series. Where the descriptor is missing, use the first
    charted weight of the stay as the admission weight (added as a descriptor row at 00:00)."""
    desc = is_descriptor(table) & table["Parameter"].eq("Weight")
    have = set(table.loc[desc, "RecordID"])
    charted = table[table["Parameter"].eq("Weight") & ~desc & ~table["RecordID"].isin(have)]
    first = _sort(charted, ["RecordID", "Time"]).drop_duplicates("RecordID")
    added = first.assign(Time=0)
    out = pd.concat([table, added[COLUMNS]], ignore_index=True)
    flag = pd.Series(np.r_[np.zeros(len(table), bool), np.ones(len(added), bool)])
    log = _log_rows("admission weight", out.reset_index(drop=True), flag,
                    "missing descriptor filled from the first charted weight")  # fmt: skip
    return out, log


def combine_pressures(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add SysBP, DiasBP, MeanBP: for each of the three separately, in each minute the invasive (arterial line)
    value if there is one, else the non-invasive (cuff) value. The original parameters stay.

    The device is chosen per parameter, not per minute: where the line charts only some of its three values in a
    minute, that minute's combined values come from two devices, and they are not checked against each other
    (``inconsistent_pressures`` checks each device on its own), so a few such minutes break diastolic <= mean <=
    systolic. Choosing the device per minute would avoid it; lessons 07 and 11 use this rule as it is."""
    parts, logs = [], []
    for combined, (invasive, cuff) in PRESSURE_PAIRS.items():
        sub = table[table["Parameter"].isin([invasive, cuff])]
        rank = sub["Parameter"].ne(invasive).astype(np.int8)
        sub = _sort(sub.assign(_rank=rank.to_numpy()), ["RecordID", "Time", "_rank"])
        best = sub.drop_duplicates(["RecordID", "Time"], keep="first")
        from_cuff = best["_rank"].eq(1)
        logs.append(pd.DataFrame([{
            "step": "combined pressures", "parameter": combined, "action": f"added from {invasive} and {cuff}",
            "values": len(best), "stays": best["RecordID"].nunique(),
            "detail": f"{int(from_cuff.sum())} values from the cuff ({cuff}), the rest invasive"}]))  # fmt: skip
        name = pd.array([combined] * len(best), dtype=table["Parameter"].dtype)
        parts.append(best.assign(Parameter=name)[COLUMNS])
    return pd.concat([table, *parts], ignore_index=True), pd.concat(logs, ignore_index=True)[LOG_COLUMNS]


# --------------------------------------------------------------------------------------------- public API
def clean_stays(
    stays: pd.DataFrame, window_hours: float = 48, volumes: str = "sum"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean Challenge 2012 stays; return ``(clean, log)``.

    ``stays`` is the long table of ``challenge2012.load_stays`` (RecordID, Time in minutes, Parameter, Value).
    ``clean`` has the same four columns (Parameter as a pandas category, which includes the new names SysBP,
    DiasBP, MeanBP), sorted by RecordID, Time, Parameter, one value per stay, minute and parameter;
    descriptors stay as rows at Time 0, and every stay keeps its RecordID row, so a stay with no
    measurements (or whose descriptors were all -1) is still there. ``log`` has one row per step and
    parameter: step, parameter, action, values (how many), stays (in how many), detail.

    Steps, in order: unknown parameters, time window, sentinels, unit errors, zeros of rates and pressures,
    impossible values, inconsistent pressures (diastolic <= mean <= systolic), simultaneous values, impossible
    totals (ranges checked again after summing), spikes (a jump away from both neighbours, which agree), admission
    weight, combined pressures. ``volumes`` is the rule for same-minute volumes (``merge_simultaneous``:
    "sum", the course's, or "max"). An empty table gives an empty result; a table without the four columns, or
    an unknown rule, raises ``DataError``.
    """
    _check_volumes(volumes)
    table = _check_table(stays)
    del stays  # the prepared copy is all the steps need
    logs = []
    for step in (drop_unknown_parameters, lambda t: keep_window(t, window_hours), sentinels_to_missing,
                 fix_unit_errors, zeros_to_missing, impossible_to_missing, inconsistent_pressures,
                 lambda t: merge_simultaneous(t, volumes), impossible_totals, remove_spikes,
                 fill_admission_weight, combine_pressures):  # fmt: skip
        table, log = step(table)
        logs.append(log)
    clean = _sort(table, ["RecordID", "Time", "Parameter"]).reset_index(drop=True)
    return clean[COLUMNS], pd.concat(logs, ignore_index=True)


def feature_columns() -> list[str]:
    """The columns of ``stay_features``, in order."""
    cols = list(DESCRIPTOR_VALUES)
    for p in FEATURE_PARAMETERS:
        cols += [f"{p}_{s}" for s in STATS]
    return cols + ["MechVent_any", "MechVent_count"]


def stay_features(clean: pd.DataFrame, window_hours: float = 48) -> pd.DataFrame:
    """One row per stay (index RecordID) from a table cleaned by ``clean_stays``.

    Columns (see ``feature_columns``): the descriptors Age, Gender, Height, ICUType, Weight (admission);
    then for each parameter of FEATURE_PARAMETERS, over the rows charted in the first ``window_hours``
    (descriptor rows excluded): ``first``, ``last``, ``min``, ``max`` value, ``count`` of values (0 if never
    measured, when the others are NaN) and ``hours_since_last`` (from the last value to the end of the window);
    finally ``MechVent_any`` (1 if ventilation was ever charted as 1, else 0) and ``MechVent_count`` (rows
    charting 1): the Challenge documents 0 as "false" and 1 as "true"; set A charts only 1s, and a 0, where another
    set has one, counts as not ventilated. Every float; a stay with no measurements has a row of NaN and zero counts.

    Computed with numpy on one sorted copy of the rows it needs (no wide intermediate tables), so memory stays
    near the size of the input.
    """
    table = clean if _is_prepared(clean) else _check_table(clean)  # a prepared table is read, not copied
    del clean
    rid = table["RecordID"].to_numpy()
    time_ = table["Time"].to_numpy()
    value = table["Value"].to_numpy()
    names = table["Parameter"].array
    cats = list(names.categories)
    codes = names.codes
    del table
    ids = np.unique(rid)
    row_of = np.searchsorted(ids, rid).astype(np.int32)
    columns = feature_columns()
    out = np.full((len(ids), len(columns)), np.nan)
    desc_code = np.array([cats.index(d) if d in cats else -2 for d in DESCRIPTORS])
    is_desc = np.isin(codes, desc_code) & (time_ == 0)

    # descriptors: the first row of each (stay, descriptor) at 00:00
    for j, name in enumerate(DESCRIPTOR_VALUES):
        if name not in cats:
            continue
        rows = np.flatnonzero(is_desc & (codes == cats.index(name)))
        first_rows = rows[np.unique(row_of[rows], return_index=True)[1]]
        out[row_of[first_rows], j] = value[first_rows]

    # time series: first, last, min, max, count, hours since last, per (stay, parameter)
    end = window_hours * 60
    param_index = np.full(len(cats) + 1, -1, dtype=np.int16)
    for k, p in enumerate(FEATURE_PARAMETERS):
        if p in cats:
            param_index[cats.index(p)] = k
    col = param_index[codes]
    keep = np.flatnonzero(~is_desc & (time_ >= 0) & (time_ <= end) & (col >= 0))
    # one int64 key orders the rows by stay, parameter and time; a stable sort keeps the table's order for ties
    span = int(end) + 1
    key = row_of[keep].astype(np.int64)
    key *= len(FEATURE_PARAMETERS)
    key += col[keep]
    key *= span
    key += time_[keep]
    order = keep[np.argsort(key, kind="stable")]
    del key, keep
    r, c, t, v = row_of[order], col[order], time_[order], value[order]
    del order, row_of, col
    if len(v):
        starts = np.flatnonzero(np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1])])
        ends = np.r_[starts[1:], len(v)]
        rows, base = r[starts], len(DESCRIPTOR_VALUES) + c[starts] * len(STATS)
        stats = {
            "first": v[starts], "last": v[ends - 1], "min": np.minimum.reduceat(v, starts),
            "max": np.maximum.reduceat(v, starts), "count": (ends - starts).astype(float),
            "hours_since_last": (end - t[ends - 1]) / 60.0,
        }  # fmt: skip
        for s, name in enumerate(STATS):
            out[rows, base + s] = stats[name]
    count_cols = [i for i, name in enumerate(columns) if name.endswith("_count")][:-1]
    out[:, count_cols] = np.nan_to_num(out[:, count_cols], nan=0.0)

    # ventilation: rows charting 1 (true); a documented 0 (false) is not ventilation
    vent_rows = np.zeros(len(ids))
    if "MechVent" in cats:
        mv = ~is_desc & (time_ >= 0) & (time_ <= end) & (codes == cats.index("MechVent")) & (value == 1)
        vent_rows = np.bincount(np.searchsorted(ids, rid[mv]), minlength=len(ids)).astype(float)
    out[:, -2] = (vent_rows > 0).astype(float)
    out[:, -1] = vent_rows
    return pd.DataFrame(out, index=pd.Index(ids, name="RecordID"), columns=columns)


class FeatureValidationError(DataError):
    """Raised by ``validate_features`` when a check fails; ``report`` holds the table of checks."""

    def __init__(self, report: pd.DataFrame, where: str = "the feature table"):
        failed = report[~report["passed"]]
        lines = [f"{r.check} [{r.columns}]: {r.failures} failures" for r in failed.itertuples()]
        super().__init__(
            where,
            "it breaks its schema (" + "; ".join(lines) + ")",
            "Build it with cleaning.stay_features from a table cleaned by cleaning.clean_stays, and look at the "
            "failed checks (the exception's .report) before a model sees it",
        )
        self.report = report


def _whole(series: pd.Series) -> pd.Series:
    return series % 1 == 0


def feature_schema(window_hours: float = 48):
    """The schema of a ``stay_features`` table as a pandera ``DataFrameSchema``.

    Index: RecordID, whole numbers, unique. Columns: exactly ``feature_columns()`` (strict), all float.
    Values: descriptors and first/last/min/max inside RANGES; Gender and ICUType whole-number codes;
    counts whole and >= 0, never missing; hours_since_last inside 0..``window_hours``; MechVent_any 0 or 1.
    Across columns, per parameter: ``min <= first, last <= max`` and ``count == 0`` exactly when no value.
    Each check's name is the name ``validate_features`` reports. pandera is imported here, when needed.
    """
    import pandera.pandas as pa

    def in_range(low, high):
        return pa.Check.in_range(low, high, name="inside RANGES")

    cols = {}
    for name in DESCRIPTOR_VALUES:
        checks = [in_range(*RANGES[name][:2])]
        if name in ("Gender", "ICUType"):
            checks.append(pa.Check(_whole, name="whole number code"))
        cols[name] = pa.Column(float, checks, nullable=True)
    frame_checks = []
    for p in FEATURE_PARAMETERS:
        low, high = RANGES[p][:2]
        for s in ("first", "last", "min", "max"):
            cols[f"{p}_{s}"] = pa.Column(float, in_range(low, high), nullable=True)
        cols[f"{p}_count"] = pa.Column(float, [pa.Check.ge(0, name="count whole and >= 0"),
                                               pa.Check(_whole, name="count whole and >= 0")])  # fmt: skip
        cols[f"{p}_hours_since_last"] = pa.Column(
            float, pa.Check.in_range(0, window_hours, name="hours_since_last inside window"), nullable=True
        )

        def order(df, p=p):
            ends = df[[f"{p}_first", f"{p}_last"]]
            return ~((df[f"{p}_min"] > ends.min(axis=1)) | (df[f"{p}_max"] < ends.max(axis=1)))

        def count_matches(df, p=p):
            return df[f"{p}_count"].eq(0) == df[f"{p}_first"].isna()

        frame_checks.append(pa.Check(order, name=f"min <= first, last <= max: {p}"))
        frame_checks.append(pa.Check(count_matches, name=f"count 0 exactly when no value: {p}"))
    cols["MechVent_any"] = pa.Column(float, pa.Check.isin([0.0, 1.0], name="0 or 1"))
    cols["MechVent_count"] = pa.Column(float, [pa.Check.ge(0, name="count whole and >= 0"),
                                               pa.Check(_whole, name="count whole and >= 0")])  # fmt: skip
    index = pa.Index(int, unique=True, name="RecordID")
    return pa.DataFrameSchema(cols, checks=frame_checks, index=index, strict=True, name="stay_features")


#: How pandera names the failures that are not checks of ours, and the check they stand for in the report.
_PANDERA_CHECKS = {
    "column_in_schema": "columns as feature_columns()",
    "column_in_dataframe": "columns as feature_columns()",
    "field_uniqueness": "one row per stay",
    "dtype": "float columns",
    "not_nullable": "no missing value",
}


def _group(column: str) -> str:
    """The four value columns of a parameter are reported together, as lesson 06 shows them."""
    if column.endswith(("_first", "_last", "_min", "_max")) and not column.endswith("_hours_since_last"):
        return column.rsplit("_", 1)[0] + "_first/last/min/max"
    return column


def validate_features(df: pd.DataFrame, window_hours: float = 48, raise_on_error: bool = True) -> pd.DataFrame:
    """Check a ``stay_features`` table against ``feature_schema``; return the report (one row per check).

    The schema is a pandera ``DataFrameSchema``, validated lazily (every failure collected, not only the
    first). The report has the columns check, columns, failures, passed: one row per check of the schema
    (descriptors, each parameter's value range, counts, times, order of min/first/last/max, ...), plus one row
    per structural problem pandera found (a missing or extra column, a non-float column, a repeated RecordID,
    an index not named RecordID). Raises ``FeatureValidationError`` (a ``DataError``) if any check fails,
    unless ``raise_on_error=False``.
    """
    import pandera.errors

    if not isinstance(df, pd.DataFrame):
        raise DataError(f"validate_features({type(df).__name__})", "expected the DataFrame of stay_features",
                        "Pass the table cleaning.stay_features returned.")  # fmt: skip
    schema = feature_schema(window_hours)
    expected = []  # (check, columns) of every check of the schema, in order
    for name, column in schema.columns.items():
        for check in column.checks:
            expected.append((check.name, _group(name)))
    for check in schema.checks:
        label, _, param = check.name.partition(": ")
        expected.append((label, param))
    expected = list(dict.fromkeys(expected))
    failures: dict[tuple[str, str], int] = {}

    def count(check, columns, n):
        failures[(check, columns)] = failures.get((check, columns), 0) + int(n)

    if df.index.name != "RecordID":
        count("index is RecordID", "index", 1)
    try:
        schema.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        # a check across columns lists every value of a failing row: count the rows once
        frame = cases["check"].astype(str).str.startswith(("min <= first", "count 0 exactly"))
        for name, n in cases[frame].groupby("check")["index"].nunique().items():
            label, _, param = str(name).partition(": ")
            count(label, param, n)
        for row in cases[~frame].itertuples():
            name = str(row.check)
            column = "" if pd.isna(row.column) else str(row.column)
            if name.split("(")[0] in _PANDERA_CHECKS:
                count(_PANDERA_CHECKS[name.split("(")[0]], column or "index", 1)
            elif column in schema.columns and not pd.isna(row.check_number):
                check = schema.columns[column].checks[int(row.check_number)]
                count(check.name, _group(column), 1)
            else:
                count(name, column or "index", 1)
    rows = [(c, cols) for c, cols in expected] + [k for k in failures if k not in set(expected)]
    report = pd.DataFrame(
        [{"check": c, "columns": cols, "failures": failures.get((c, cols), 0)} for c, cols in rows],
        columns=["check", "columns", "failures"],
    )
    report["passed"] = report["failures"].eq(0)
    if raise_on_error and not report["passed"].all():
        raise FeatureValidationError(report)
    return report


# --------------------------------------------------------------------------------------------- PTB-XL
#: PTB-XL codes the age of patients older than 89 as 300 (de-identification, Wagner et al. 2020).
PTBXL_AGE_CODE = 300
#: After cleaning, this age means "90 or older": the code and any uncoded age above it become this value.
PTBXL_AGE_CAP = 90
#: RANGES' Height and Weight are adult ranges, and PTB-XL covers ages 0 to 95 (Wagner et al. 2020): their floors are
#: applied from this age on (and where the age is unknown); a younger patient's height or weight is only checked
#: against the ceilings. The course has no ranges for children.
PTBXL_ADULT_AGE = 18


def clean_ptbxl_metadata(meta: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean the PTB-XL metadata fields the course uses (age, sex, height, weight); return ``(clean, log)``.

    Age 300 (the code for "90 or older") becomes 90 (Challenge 2012's ages also end at 90, most likely the same cap:
    its source, MIMIC-II, de-identified ages over 89 under HIPAA, lesson 06), and so does any uncoded age
    above 90 (the rule was not applied to every record), so that a cleaned 90 means "90 or older"; heights and weights
    above RANGES' adult ceilings become missing, and so do those below its adult floors unless the patient is younger
    than PTBXL_ADULT_AGE; sex must be 0 or 1 (else missing; PTB-XL codes male 0, female 1, the reverse of Challenge
    2012's Gender). Other columns are untouched.
    """
    out = meta.copy()
    logs = []

    def log(name, mask, action):
        vals = meta.loc[mask, name]
        logs.append({"step": "PTB-XL metadata", "parameter": name, "action": action, "values": int(mask.sum()),
                     "stays": int(mask.sum()), "detail": f"values {vals.min():g} to {vals.max():g}"
                     if len(vals) else "nothing to change"})  # fmt: skip

    if "age" in out:
        coded = out["age"].eq(PTBXL_AGE_CODE)
        uncoded = out["age"].gt(PTBXL_AGE_CAP) & ~coded
        out.loc[coded | uncoded, "age"] = PTBXL_AGE_CAP
        log("age", coded, "300 set to 90 (90 or older)")
        log("age", uncoded, "uncoded ages above 90 set to 90 (90 or older)")
    if "sex" in out:
        bad = out["sex"].notna() & ~out["sex"].isin([0, 1])
        out.loc[bad, "sex"] = np.nan
        log("sex", bad, "not 0/1: set to missing")
    child = out["age"].lt(PTBXL_ADULT_AGE) if "age" in out else pd.Series(False, index=out.index)
    for name, key in (("height", "Height"), ("weight", "Weight")):
        if name in out:
            low, high = RANGES[key][:2]
            bad = (out[name].lt(low) & ~child) | out[name].gt(high)
            out.loc[bad, name] = np.nan
            log(name, bad, f"outside {low:g}-{high:g} set to missing (below {low:g} only from age {PTBXL_ADULT_AGE})")
    log_df = pd.DataFrame(logs, columns=LOG_COLUMNS).rename(columns={"stays": "records"})
    return out, log_df
