"""Checks for the exercises of lesson 01 (where clinical data comes from): expected values come from the data."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, mitdb, ptbxl, sources
from ..feedback import (
    Feedback,
    as_series,
    check_number,
    close,
    correct,
    empty_axes,
    exercise,
    incorrect,
    mistake_at,
    named,
    rounding_all,
)
from .lesson00 import as_axes, bar_heights, missing_labels

#: The inputs the practice notebook uses (the exercises name them; the answers are computed below).
EXERCISE_ICU_TYPE = 3  # counts per parameter: the typical Medical ICU stay among those with measurements at 00:00
EXERCISE_ECG_ID = 443  # typed and machine columns of one ECG: its report is a single space, which notna() keeps
TROPONINS = ["TroponinI", "TroponinT"]  # exercise 3: stays with at least one troponin, per ICU type
RR_WINDOW_S = 60  # exercise 5: the shortest interval between two beats of the first minute
WEEKDAY_SITE = 0  # exercise 6: ECGs per weekday at this site (the lesson drew all sites)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@cache
def _stays() -> pd.DataFrame:
    return challenge2012.load_stays()


def _as_counts(answer) -> dict | None:
    """A {label: number} dict from a Series, dict or one-column DataFrame; None if it is not one."""
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        answer = answer.iloc[:, 0]
    if isinstance(answer, dict):
        answer = pd.Series(answer)
    if not isinstance(answer, pd.Series):
        return None
    values = pd.to_numeric(answer, errors="coerce")
    if values.isna().any():
        return None
    return {k: float(v) for k, v in values.items()}


def _same_counts(a: dict, b: pd.Series, rel: float = 1e-9) -> bool:
    b = {k: float(v) for k, v in b.items()}
    if set(a) != set(b):
        return False
    return all(np.isclose(a[k], b[k], rtol=rel, atol=1e-12) for k in a)


def _norm_key(k):
    """Labels as the student may give them: 3, 3.0, '3' and 'Medical ICU' all mean ICU type 3; a device label
    with its padding spaces squeezed ('CS-12 E') is the same label."""
    if isinstance(k, str):
        names = {v: c for c, v in challenge2012.ICU_TYPES.items()}
        if k in names:
            return names[k]
        try:
            return float(k)
        except ValueError:
            return " ".join(k.split())
    try:
        return float(k)
    except (TypeError, ValueError):
        return k


def _as_keyed(answer) -> dict | None:
    counts = _as_counts(answer)
    return None if counts is None else {_norm_key(k): v for k, v in counts.items()}


def _series_check(answer, expected: pd.Series, mistakes, what: str, hint: str, values_hint: str):
    """Compare a Series answer (one number per label) with ``expected``; ``values_hint`` says where to look when the
    labels are right but values differ."""
    if isinstance(answer, pd.DataFrame) and answer.shape[1] != 1:
        shown = as_series(answer, f"{what}, one number per {hint}")
        return shown if isinstance(shown, Feedback) else incorrect(f"expected {what} (a pandas Series).")
    got = _as_keyed(answer)
    if got is None and isinstance(answer, (pd.Series, dict, pd.DataFrame)):
        values = as_series(answer)
        values = values if isinstance(values, pd.Series) else pd.Series(dtype=object)
        numeric = pd.to_numeric(values, errors="coerce")
        bad = values[numeric.isna()]
        missing = int(bad.isna().sum())
        text = bad[bad.notna()]
        said = [f"{missing} missing value(s) (NaN)" if missing else "",
                f"text such as {text.iloc[0]!r}" if len(text) else ""]  # fmt: skip
        return incorrect(
            f"expected {what}, one number per {hint}; your {type(answer).__name__} holds "
            f"{' and '.join(p for p in said if p)}. Count or divide rows, not their values."
        )
    if got is None:
        return incorrect(f"expected {what} (a pandas Series), got {type(answer).__name__}.")
    expected = pd.Series({_norm_key(k): v for k, v in expected.items()})
    if _same_counts(got, expected, rel=1e-6):
        return correct()
    for wrong, message in mistakes:
        wrong = pd.Series({_norm_key(k): v for k, v in wrong.items()})
        if _same_counts(got, wrong, rel=1e-6):
            return close(message)
    if set(got) != set(expected.index):
        missing = sorted(map(str, set(expected.index) - set(got)))
        extra = sorted(map(str, set(got) - set(expected.index)))
        parts = [
            f"missing {', '.join(missing[:8])}" if missing else "",
            f"unexpected {', '.join(extra[:8])}" if extra else "",
        ]
        why = (
            " A group with nothing to count still needs its entry (a count or share of 0)."
            if not extra
            else " Check which rows you kept: the labels come from them."
        )
        return incorrect(f"expected one entry per {hint}; your Series has {'; '.join(p for p in parts if p)}.{why}")
    keys = list(expected.index)
    how = rounding_all([got[k] for k in keys], [float(expected[k]) for k in keys])
    if how:
        return close(
            f"your values are the right ones rounded {how}. Store the values you computed, unrounded (round only "
            "when you display them), so that they can be checked exactly."
        )
    return incorrect(f"the labels are right but some values differ. {values_hint}")


# --- Exercise 1 ------------------------------------------------------------------------------------


def exercise_stay(stays: pd.DataFrame | None = None, icu_type: int = EXERCISE_ICU_TYPE) -> int:
    """The stay exercise 1 counts: among the stays whose chart holds measurements at 00:00 beside the
    descriptors, the typical one of ``icu_type`` (``sources.typical_stay``). Such a stay shows why the
    descriptors are found by name and time: ``Time > 0`` would drop its measurements at admission too."""
    stays = _stays() if stays is None else stays
    meas = sources.measurements(stays)
    at_zero = meas.loc[meas["Time"].eq(0), "RecordID"].unique()
    return sources.typical_stay(stays[stays["RecordID"].isin(at_zero)], icu_type)


def expected_counts(icu_type: int = EXERCISE_ICU_TYPE) -> pd.Series:
    """Values per parameter of the exercise's stay, without the admission descriptors."""
    stays = _stays()
    one = stays[stays["RecordID"].eq(exercise_stay(stays, icu_type))]
    return sources.measurements(one)["Parameter"].value_counts()


@exercise(mistakes={
    "after zero": "you kept only the rows after 00:00 (`Time > 0`). That drops the descriptors, but also the {n} "
                  "measurement(s) charted at 00:00 in this stay. Select the descriptors by name AND time "
                  "(`sources.descriptor_rows`) and leave out only them.",
    "descriptors": "you kept the admission descriptors written at 00:00 (RecordID, Age, Gender, Height, ICUType and "
                   "the first Weight). They describe the patient once; they are not measurements. Leave them out.",
    "weight by name": "you dropped every Weight row by name. The admission Weight at 00:00 is a descriptor, but Weight "
                      "is also charted later in the stay, and those rows are measurements: select the descriptors "
                      "by name AND time (`sources.descriptor_rows`).",
    "nunique": "you counted distinct values (nunique), but the same value charted twice is two measurements. Count "
               "rows.",
    "times": "you counted distinct times; count every row, even two values at the same minute.",
    "every stay": "you counted every stay in the set; keep only the rows of stay {rid}.",
})  # fmt: skip
def counts_per_parameter(answer):
    stays = _stays()
    rid = exercise_stay(stays)
    one = stays[stays["RecordID"].eq(rid)]
    meas = sources.measurements(one)
    after_zero = one[one["Time"].gt(0)]
    wrong_answers = [
        (after_zero["Parameter"].value_counts(), named("after zero", n=int(meas["Time"].eq(0).sum()))),
        (one["Parameter"].value_counts(), named("descriptors")),
        (meas.loc[meas["Parameter"].ne("Weight"), "Parameter"].value_counts(), named("weight by name")),
        (meas.groupby("Parameter")["Value"].nunique(), named("nunique")),
        (meas.groupby("Parameter")["Time"].nunique(), named("times")),
        (sources.measurements(stays)["Parameter"].value_counts(), named("every stay", rid=rid)),
    ]
    want = meas["Parameter"].value_counts()
    hint = "Count the rows of each parameter (`value_counts` or `groupby(...).size()`), without the descriptors."
    got = _as_keyed(answer)
    if got is not None and any(v != int(v) for v in got.values() if np.isfinite(v)):
        hint = ("A count is a whole number, but some of your values are not: count the rows of each parameter "
                "(`value_counts` or `groupby(...).size()`), do not add up or average their values.")  # fmt: skip
    return _series_check(answer, want, wrong_answers, "values per parameter", "parameter measured in the stay", hint)


# --- Exercise 2 ------------------------------------------------------------------------------------


def _as_set(value) -> set | None:
    if isinstance(value, str) or value is None:
        return None
    try:
        return {str(v) for v in value}
    except TypeError:
        return None


@exercise(mistakes={
    "swapped": "you swapped the two sets: `typed` first, then `machine`.",
    "blank text": "{shown} is not NaN, so `notna()` counts it, but it holds no text: nobody wrote anything. A text of "
                  "nothing but spaces and commas is empty (`sources.filled_columns` knows).",
    "other row": "these are the filled columns of ECG {other}, the row at position {pos} (`meta.iloc[{pos}]`). The "
                 "exercise asks for ECG {ecg}: `meta.loc[{ecg}]` selects the row by its ecg_id.",
    "blank text or other row": "two mistakes give these sets. (1) {shown} is not NaN, so `notna()` counts it, but it "
                               "holds no text: a text of nothing but spaces and commas is empty "
                               "(`sources.filled_columns` knows). (2) They are also the filled columns of ECG "
                               "{other}, the row at position {pos} (`meta.iloc[{pos}]`); the exercise asks for ECG "
                               "{ecg}, which `meta.loc[{ecg}]` selects by its ecg_id.",
    "empty typed": "you listed typed columns that are empty for ECG {ecg} ({names}). Keep only the columns that hold "
                   "a value.",
    "curated": "{names} {verb} produced by the dataset's curators, not typed at the time of the ECG{how}. Use "
               "`sources.PTBXL_COLUMN_SOURCE`.",
    "zero left out": "you left out {shown}: `if value:` treats False and 0 as empty, but they are values (a 'no', a "
                     "cardiologist with id 0). Only NaN, and text of nothing but spaces and commas, is empty.",
    "staff only": "you kept only the staff's columns; the cardiologist typed too (the report, its validation). Add "
                  "the cardiologist's filled columns: {shown}{falsy}.",
})  # fmt: skip
def typed_and_machine(typed, machine=None):
    row = ptbxl.load_metadata().loc[EXERCISE_ECG_ID]
    want_typed = sources.columns_by_source(row)
    want_machine = sources.columns_by_source(row, "machine")
    got_typed, got_machine = _as_set(typed), _as_set(machine)
    if got_typed is None or got_machine is None:
        return incorrect("give two sets of column names, e.g. `typed = {'sex', ...}` and `machine = {...}`.")
    if got_typed == want_typed and got_machine == want_machine:
        return correct(
            f"{len(want_typed)} columns typed by a person, {len(want_machine)} written by the electrocardiograph."
        )
    all_typed = {c for c, s in sources.PTBXL_COLUMN_SOURCE.items() if s in sources.TYPED_BY_A_PERSON}
    empty = all_typed - want_typed
    if got_machine == want_typed and got_typed == want_machine:
        return close(named("swapped"))
    blank = {c for c in all_typed if isinstance(row[c], str) and not row[c].strip(" ,")}
    # notna() for both sets: the blank texts count as filled (the machine's blank columns too, if any)
    notna_machine = {c for c in row.index[row.notna()] if sources.PTBXL_COLUMN_SOURCE.get(c) == "machine"}
    is_blank = bool(blank) and got_typed == want_typed | blank and got_machine in (want_machine, notna_machine)
    # the row at position EXERCISE_ECG_ID (`meta.iloc[...]`), another ECG, read with filled_columns or notna()
    meta = ptbxl.load_metadata()
    other_row = meta.iloc[EXERCISE_ECG_ID] if len(meta) > EXERCISE_ECG_ID else None
    is_other = other_row is not None and other_row.name != EXERCISE_ECG_ID and any(
        (got_typed, got_machine) == pair for pair in _row_sets(other_row))
    where = {} if other_row is None else {"other": other_row.name, "pos": EXERCISE_ECG_ID, "ecg": EXERCISE_ECG_ID}
    if is_blank or is_other:
        shown = ", ".join(f"`{c}` = {row[c]!r}" for c in sorted(blank))
        if is_blank and is_other:  # both give these sets: say both, so that neither is named for the other
            return close(named("blank text or other row", shown=shown, **where))
        return close(named("blank text", shown=shown) if is_blank else named("other row", **where))
    if got_typed == all_typed or (got_typed > want_typed and got_typed - want_typed <= empty):
        return close(named("empty typed", ecg=EXERCISE_ECG_ID, names=", ".join(sorted(got_typed & empty))))
    curated = sources.columns_by_source(row, "curators")
    if got_typed & curated:
        names = sorted(got_typed & curated)
        how = "; ".join(f"`{c}` was {sources.PTBXL_CURATED[c]}" for c in names if c in sources.PTBXL_CURATED)
        return close(named("curated", names=", ".join(names), verb="was" if len(names) == 1 else "were",
                           how=f" ({how})" if how else ""))
    staff = sources.columns_by_source(row, "staff")
    if got_typed == staff and got_typed != want_typed:  # before the False/0 readings: it may give the same set
        cardio = sorted(want_typed - staff)
        shown = ", ".join(f"`{c}` = {row[c]!r}" if isinstance(row[c], str) else f"`{c}` = {row[c]}" for c in cardio)
        empty_like = [c for c in cardio if not isinstance(row[c], str) and pd.notna(row[c]) and not row[c]]
        note = (" (False and 0 are values, a 'no' and a cardiologist's id, not empty cells, though `if value:` treats "
                "them as empty)" if empty_like else "")
        return close(named("staff only", shown=shown, falsy=note))
    zero = {c for c in want_typed if not isinstance(row[c], str) and pd.notna(row[c]) and not row[c]}
    if zero and got_typed == want_typed - zero:
        shown = ", ".join(f"`{c}` = {row[c]}" for c in sorted(zero))
        return close(named("zero left out", shown=shown))
    if got_typed == want_typed:
        return incorrect(
            f"`typed` is right; `machine` should hold the machine's filled columns: {len(want_machine)} of them."
        )
    return incorrect(
        f"Take the row `meta.loc[{EXERCISE_ECG_ID}]`, keep the columns that hold a value, "
        "and sort them with `sources.PTBXL_COLUMN_SOURCE`."
    )


def _row_sets(row: pd.Series) -> list[tuple[set, set]]:
    """(typed, machine) of ``row`` as the exercise asks (filled columns), and as `notna()` gives them."""
    src = sources.PTBXL_COLUMN_SOURCE
    notna = {c for c in row.index[row.notna()] if c in src}
    return [
        (sources.columns_by_source(row), sources.columns_by_source(row, "machine")),
        ({c for c in notna if src[c] in sources.TYPED_BY_A_PERSON}, {c for c in notna if src[c] == "machine"}),
    ]


# --- Exercise 3 ------------------------------------------------------------------------------------

INVASIVE = ["SysABP", "DiasABP", "MAP"]


def arterial_line_by_unit() -> pd.DataFrame:
    stays = _stays()
    units = sources.icu_types(stays)
    meas = sources.measurements(stays)
    line = meas[meas["Parameter"].isin(INVASIVE)].groupby("RecordID").size().gt(0)
    line = line.reindex(units.index, fill_value=False)
    return pd.DataFrame({"stays": units.value_counts().sort_index(), "with_line": line.groupby(units).sum()})


def _has(parameters, meas, units) -> pd.Series:
    """Per stay (every stay of ``units``): whether any of ``parameters`` is charted."""
    return units.index.to_series().isin(meas.loc[meas["Parameter"].isin(parameters), "RecordID"])


@exercise(mistakes={
    "one troponin": "you counted only {which}; a stay tested for {other} alone has a troponin too. Keep the stays "
                    "with at least one row of either.",
    "counts": "these are counts of stays; divide by the number of stays of each ICU type.",
    "percent": "these are percentages; give fractions between 0 and 1.",
    "without": "that is the share of stays WITHOUT a troponin.",
    "both": "you kept the stays with BOTH troponins (`&`, AND); the exercise asks for either kind (`|`, OR): a stay "
            "with at least one TroponinI or TroponinT row.",
    "all stays": "wrong denominator: you divided each unit's stays with a troponin by ALL stays in the set. Divide "
                 "by the number of stays of that ICU type.",
    "tested stays": "wrong denominator: you divided by the stays WITH a troponin, which says how they are spread "
                    "over the units. Divide by the number of stays of each ICU type.",
    "rows": "you computed the share of ROWS that are troponins; the question asks for the share of STAYS with at "
            "least one.",
    "arterial line": "these are the lesson's arterial lines (SysABP, DiasABP, MAP); the exercise asks for troponins.",
})  # fmt: skip
def troponin_share(answer):
    stays = _stays()
    units = sources.icu_types(stays)
    meas = sources.measurements(stays)
    has = _has(TROPONINS, meas, units)
    share = has.groupby(units).mean()
    count, n = has.groupby(units).sum(), units.value_counts().sort_index()
    unit_of_row = meas["RecordID"].map(units)
    mistakes = [
        *[(_has([p], meas, units).groupby(units).mean(),
           named("one troponin", which=p, other=[q for q in TROPONINS if q != p][0])) for p in TROPONINS],
        (count, named("counts")),
        (share * 100, named("percent")),
        (1 - share, named("without")),
        ((_has(TROPONINS[:1], meas, units) & _has(TROPONINS[1:], meas, units)).groupby(units).mean(), named("both")),
        (count / n.sum(), named("all stays")),
        (count / count.sum(), named("tested stays")),
        (meas["Parameter"].isin(TROPONINS).groupby(unit_of_row).mean(), named("rows")),
        (_has(INVASIVE, meas, units).groupby(units).mean(), named("arterial line")),
    ]  # fmt: skip
    return _series_check(answer, share, mistakes, "a share of stays per ICU type", "ICU type (1 to 4)",
                         "Check the stays you kept (at least one troponin row), and that each unit's count is divided "
                         "by the number of stays of that unit.")  # fmt: skip


# --- Exercise 4 ------------------------------------------------------------------------------------


@exercise(mistakes={
    "counts": "these are counts of ECGs; divide by the number of ECGs of each device label.",
    "without": "that is the share of ECGs with NO height.",
    "percent": "these are percentages; give fractions between 0 and 1.",
    "all ecgs": "wrong denominator: you divided each device's heights by ALL ECGs. Divide by the ECGs of that "
                "device.",
    "with height": "wrong denominator: you divided by the ECGs WITH a height, which says which devices the heights "
                   "come from. Divide by the number of ECGs of each device.",
    "by site": "these are shares per recording site, as in the lesson; the exercise asks per `device` label.",
    "weight": "that is the share of ECGs with a weight; the exercise asks for height.",
    "per patient": "you kept one ECG per patient (`drop_duplicates`); the exercise asks for the share of each "
                   "device's ECGs, all {n} of them: a patient with two ECGs counts twice.",
})  # fmt: skip
def height_by_device(answer):
    meta = ptbxl.load_metadata()
    filled = meta["height"].notna().groupby(meta["device"])
    share = filled.mean()
    mistakes = [
        (filled.sum(), named("counts")),
        (1 - share, named("without")),
        (share * 100, named("percent")),
        (filled.sum() / len(meta), named("all ecgs")),
        (filled.sum() / meta["height"].notna().sum(), named("with height")),
        (meta["height"].notna().groupby(meta["site"]).mean(), named("by site")),
        (meta["weight"].notna().groupby(meta["device"]).mean(), named("weight")),
    ]
    for keep in ("first", "last"):
        once = meta.drop_duplicates("patient_id", keep=keep)
        mistakes.append((once["height"].notna().groupby(once["device"]).mean(), named("per patient", n=len(meta))))
    return _series_check(answer, share, mistakes, "a share of ECGs per device label", "device label",
                         "Check that you count the ECGs with a height (`notna()`), and that each device's count is "
                         "divided by the number of ECGs of that device.")  # fmt: skip


# --- Exercise 5 ------------------------------------------------------------------------------------


@exercise(mistakes={
    "rhythm label": "that is the time from the rhythm label `+` (at {t:.2f} s) to the first beat: `+` marks where a "
                    "rhythm starts, not a heartbeat. Keep the beat symbols (`heartdata.mitdb.BEAT_SYMBOLS`) before "
                    "taking differences. ({rate:.0f} beats/min would be impossible for this patient.)",
    "samples": "that is in samples; divide by the sampling rate ({fs:g} Hz) to get seconds.",
    "milliseconds": "that is in milliseconds; the exercise asks for seconds (divide by 1000).",
    "longest": "that is the longest interval of the first minute; the exercise asks for the shortest.",
    "whole record": "that is the shortest interval of the whole record; keep the beats of the first {s} s.",
    "median": "that is the median interval of the first minute; the exercise asks for the shortest (`min`).",
})  # fmt: skip
def shortest_interval(answer):
    ann = mitdb.load_annotations()
    fs = 360.0
    window = ann[ann["time_s"].lt(RR_WINDOW_S)]
    beats = window[window["symbol"].isin(mitdb.BEAT_SYMBOLS)]
    gaps = beats["time_s"].diff().dropna()
    every = window["time_s"].diff().dropna()
    rhythm = window.loc[~window["symbol"].isin(mitdb.BEAT_SYMBOLS), "time_s"]
    all_beats = ann[ann["symbol"].isin(mitdb.BEAT_SYMBOLS)]["time_s"].diff().dropna()
    mistakes = [
        mistake_at("samples", gaps.min() * fs, fs=fs),
        mistake_at("milliseconds", gaps.min() * 1000),
        mistake_at("longest", gaps.max()),
        mistake_at("whole record", all_beats.min(), s=RR_WINDOW_S),
        mistake_at("median", gaps.median()),
    ]
    if len(rhythm) and not np.isclose(every.min(), gaps.min()):  # the warned step matters in this stretch
        mistakes.insert(0, mistake_at("rhythm label", every.min(), t=float(rhythm.iloc[0]), rate=60 / every.min()))
    return check_number(
        answer,
        gaps.min(),
        mistakes=mistakes,
        what="a time in seconds",
        hint=f"Keep the beat annotations of the first {RR_WINDOW_S} s, take the time since the previous beat, then "
        "the smallest.",
    )


# --- Exercise 6: a weekday bar chart ---------------------------------------------------------------


def bar_tick_labels(ax) -> list[str]:
    """The x tick label under each upright bar of ``ax``, left to right ('' where no tick label lies under a bar)."""
    bars = sorted((p for p in ax.patches if hasattr(p, "get_x") and hasattr(p, "get_width")), key=lambda p: p.get_x())
    ticks = [(float(t.get_position()[0]), t.get_text()) for t in ax.xaxis.get_majorticklabels()]
    out = []
    for p in bars:
        lo, hi = sorted((float(p.get_x()), float(p.get_x()) + float(p.get_width())))
        under = [text for x, text in ticks if lo - 1e-9 <= x <= hi + 1e-9 and text.strip()]
        out.append(under[0] if under else "")
    return out


def ecgs_per_weekday(site: float | None = WEEKDAY_SITE) -> pd.Series:
    """ECGs per weekday of the stored ``recording_date`` at ``site`` (None: every site), Monday first, 0 for a
    weekday with none."""
    meta = ptbxl.load_metadata()
    if site is not None:
        meta = meta[meta["site"].eq(site)]
    days = pd.to_datetime(meta["recording_date"]).dt.day_name()
    return days.value_counts().reindex(WEEKDAYS, fill_value=0)


@exercise(figure=True, mistakes={
    "lines": "you drew lines; the exercise asks for a bar chart, one bar per weekday (`ax.bar(...)`).",
    "sideways": "your bars lie on their side (`barh`); draw them upright with `ax.bar`, weekdays along x.",
    "empty day dropped": "{n} bars: {day} has no ECG at site {site}, and `value_counts` leaves it out. A weekday "
                         "with nothing recorded still needs its bar, of height 0: "
                         "`.reindex(check.WEEKDAYS, fill_value=0)` (the day names, Monday to Sunday).",
    "nan day": "the counts are right, but {day} is NaN (missing), not 0: `.reindex(...)` without `fill_value=0` "
               "leaves a weekday with no ECG as NaN, and a NaN bar is not drawn. Give it the count 0: "
               "`.reindex(check.WEEKDAYS, fill_value=0)`.",
    "every site": "these are the ECGs of every site, the lesson's chart; keep the rows of site {site}.",
    "labels": "the bars are right, but {labels}.",
    "shares": "these are shares; the exercise asks for the number of ECGs per weekday.",
    "by count": "your bars are sorted by count (the order `value_counts` gives). Put them in weekday order, Monday "
                "to Sunday, so the weekly pattern can be read (`.reindex(...)`).",
    "alphabetical": "your bars are in alphabetical order (Friday, Monday, ...). Put them Monday to Sunday.",
    "order": "the bar heights are right but not in weekday order: put them Monday to Sunday (`.reindex([...])` with "
             "the day names in order).",
    "day names": "the bar heights are right, but the x axis does not name the weekdays under the bars (its tick "
                 "labels read {ticks}). Label each bar with its day, e.g. `ax.bar(check.WEEKDAYS, counts)` or "
                 "`ax.set_xticks(range(7), check.WEEKDAYS)`.{more}",
})  # fmt: skip
def weekday_plot(answer):
    ax = as_axes(answer)
    if ax is None:
        return incorrect(f"expected the matplotlib Axes of your bar chart, got {type(answer).__name__}.")
    heights = np.array(bar_heights(ax))
    want = ecgs_per_weekday()
    if len(heights) == 0:
        if ax.get_lines():
            return close(named("lines"))
        return empty_axes(ax, "draw the bars with `ax.bar(...)`.")
    nonzero = want[want.gt(0)]
    widths = np.array(sorted(float(p.get_width()) for p in ax.patches if hasattr(p, "get_width")))
    if len(np.unique(np.round(heights, 6))) == 1 and len(widths) in (len(want), len(nonzero)):
        target = np.sort((want if len(widths) == len(want) else nonzero).to_numpy())
        if np.allclose(widths, target):
            return close(named("sideways"))
    if len(heights) == len(nonzero) < len(want) and np.allclose(sorted(heights), sorted(nonzero.to_numpy())):
        empty = ", ".join(want.index[want.eq(0)])
        return close(named("empty day dropped", n=len(heights), day=empty, site=f"{WEEKDAY_SITE:.0f}"))
    if len(heights) != len(want):
        return incorrect(f"expected {len(want)} bars, one per weekday; your chart has {len(heights)}.")
    nan = np.isnan(heights)
    if nan.any() and want.to_numpy()[nan].sum() == 0 and np.allclose(heights[~nan], want.to_numpy()[~nan]):
        return close(named("nan day", day=", ".join(want.index[nan])))
    if np.allclose(heights, want.to_numpy()):
        ticks = bar_tick_labels(ax)
        if not all(t.strip().lower()[:3] == day.lower()[:3] for t, day in zip(ticks, WEEKDAYS, strict=True)):
            shown = ", ".join(repr(t) for t in ticks if t.strip()) or "nothing"
            labels = missing_labels(ax, ("day",), ("ECG",))
            return close(named("day names", ticks=shown, more=f" Also, {labels}." if labels else ""))
        labels = missing_labels(ax, ("day",), ("ECG",))
        if labels:
            return close(named("labels", labels=labels))
        return correct(f"at site {WEEKDAY_SITE:.0f} the quietest day is {want.idxmin()} ({want.min()} ECGs), then "
                       f"{want.drop(want.idxmin()).idxmin()}: not the weekend.")  # fmt: skip
    every = ecgs_per_weekday(None)
    if np.allclose(sorted(heights), sorted(every.to_numpy())):
        return close(named("every site", site=f"{WEEKDAY_SITE:.0f}"))
    if np.allclose(heights, (want / want.sum()).to_numpy()):
        return close(named("shares"))
    if np.allclose(heights, want.sort_values(ascending=False).to_numpy()):
        return close(named("by count"))
    if np.allclose(heights, want.sort_index().to_numpy()):
        return close(named("alphabetical"))
    if np.allclose(sorted(heights), sorted(want.to_numpy())):
        return close(named("order"))
    said = (f" ({int(nan.sum())} of your bars have no height, NaN: a weekday with no ECG needs the count 0)"
            if nan.any() else "")
    return incorrect(f"the bar heights are not the ECGs per weekday of `recording_date` at site "
                     f"{WEEKDAY_SITE:.0f}{said}. Count `dt.day_name()` of that site's rows.")  # fmt: skip
