"""Checks for the exercises of lesson 01 (where clinical data comes from): expected values come from the data."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, mitdb, ptbxl, sources
from ..feedback import check_number, close, correct, exercise, incorrect, not_attempted
from .lesson00 import as_axes, bar_heights, missing_labels

#: The inputs the practice notebook uses (the exercises name them; the answers are computed below).
EXERCISE_ICU_TYPE = 3  # counts per parameter: the typical Medical ICU stay among those with measurements at 00:00
EXERCISE_ECG_ID = 443  # typed and machine columns of one ECG: its report is a single space, which notna() keeps
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
    """Labels as the student may give them: 3, 3.0, '3' and 'Medical ICU' all mean ICU type 3."""
    if isinstance(k, str):
        names = {v: c for c, v in challenge2012.ICU_TYPES.items()}
        if k in names:
            return names[k]
        try:
            return float(k)
        except ValueError:
            return k
    try:
        return float(k)
    except (TypeError, ValueError):
        return k


def _as_keyed(answer) -> dict | None:
    counts = _as_counts(answer)
    return None if counts is None else {_norm_key(k): v for k, v in counts.items()}


def _series_check(answer, expected: pd.Series, mistakes, what: str, hint: str):
    got = _as_keyed(answer)
    if got is None and isinstance(answer, (pd.Series, dict, pd.DataFrame)):
        return incorrect(
            f"expected {what}, one number per {hint}; your {type(answer).__name__} holds values that are not "
            "numbers (text, or missing values: NaN). Count or divide rows, not their values."
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
        return incorrect(
            f"expected one entry per {hint}; your Series has {'; '.join(p for p in parts if p)}. "
            "A group with nothing to count still needs its entry (a count or share of 0)."
        )
    return incorrect(
        f"the labels are right but some values differ. {what[0].upper() + what[1:]}: check the rows you kept, "
        "and that each share is divided by the number in its own group."
    )


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


@exercise
def counts_per_parameter(answer):
    stays = _stays()
    rid = exercise_stay(stays)
    one = stays[stays["RecordID"].eq(rid)]
    meas = sources.measurements(one)
    after_zero = one[one["Time"].gt(0)]
    mistakes = [
        (
            after_zero["Parameter"].value_counts(),
            "you kept only the rows after 00:00 (`Time > 0`). That drops the descriptors, but also the "
            f"{int(meas['Time'].eq(0).sum())} measurement(s) charted at 00:00 in this stay. Select the descriptors by "
            "name AND time (`sources.descriptor_rows`) and leave out only them.",
        ),
        (
            one["Parameter"].value_counts(),
            "close: you kept the admission descriptors written at 00:00 (RecordID, Age, Gender, Height, ICUType and "
            "the first Weight). They describe the patient once; they are not measurements. Leave them out.",
        ),
        (
            meas.loc[meas["Parameter"].ne("Weight"), "Parameter"].value_counts(),
            "you dropped every Weight row by name. The admission Weight at 00:00 is a descriptor, but Weight is "
            "also charted later in the stay, and those rows are measurements: select the descriptors by name AND "
            "time (`sources.descriptor_rows`).",
        ),
        (
            meas.groupby("Parameter")["Value"].nunique(),
            "close: you counted distinct values (nunique), but the same value charted twice is two measurements. "
            "Count rows.",
        ),
        (
            meas.groupby("Parameter")["Time"].nunique(),
            "close: you counted distinct times; count every row, even two values at the same minute.",
        ),
        (
            sources.measurements(stays)["Parameter"].value_counts(),
            f"close: you counted every stay in the set; keep only the rows of stay {rid}.",
        ),
    ]
    return _series_check(
        answer, meas["Parameter"].value_counts(), mistakes, "values per parameter", "parameter measured in the stay"
    )


# --- Exercise 2 ------------------------------------------------------------------------------------


def _as_set(value) -> set | None:
    if isinstance(value, str) or value is None:
        return None
    try:
        return {str(v) for v in value}
    except TypeError:
        return None


@exercise
def typed_and_machine(typed, machine=None):
    row = ptbxl.load_metadata().loc[EXERCISE_ECG_ID]
    want_typed = sources.columns_by_source(row)
    want_machine = sources.columns_by_source(row, "machine")
    got_typed, got_machine = _as_set(typed), _as_set(machine)
    if got_typed is None or got_machine is None:
        return incorrect("give two sets of column names, e.g. `typed = {'age', ...}` and `machine = {...}`.")
    if got_typed == want_typed and got_machine == want_machine:
        return correct(
            f"{len(want_typed)} columns typed by a person, {len(want_machine)} written by the electrocardiograph."
        )
    all_typed = {c for c, s in sources.PTBXL_COLUMN_SOURCE.items() if s in sources.TYPED_BY_A_PERSON}
    empty = all_typed - want_typed
    if got_machine == want_typed and got_typed == want_machine:
        return close("close: you swapped the two sets: `typed` first, then `machine`.")
    blank = {c for c in all_typed if isinstance(row[c], str) and not row[c].strip(" ,")}
    if blank and got_typed == want_typed | blank:
        shown = ", ".join(f"`{c}` = {row[c]!r}" for c in sorted(blank))
        return close(
            f"{shown} is not NaN, so `notna()` counts it, but it holds no text: nobody wrote anything. "
            "A text of nothing but spaces and commas is empty (`sources.filled_columns` knows)."
        )
    if got_typed == all_typed or (got_typed > want_typed and got_typed - want_typed <= empty):
        return close(
            f"close: you listed typed columns that are empty for ECG {EXERCISE_ECG_ID} "
            f"({', '.join(sorted(got_typed & empty))}). Keep only the columns that hold a value."
        )
    curated = sources.columns_by_source(row, "curators")
    if got_typed & curated:
        names = sorted(got_typed & curated)
        how = "; ".join(f"`{c}` was {sources.PTBXL_CURATED[c]}" for c in names if c in sources.PTBXL_CURATED)
        return close(
            f"{', '.join(names)} {'was' if len(names) == 1 else 'were'} produced by the dataset's curators, not "
            f"typed at the time of the ECG{f' ({how})' if how else ''}. Use `sources.PTBXL_COLUMN_SOURCE`."
        )
    falsy = {c for c in want_typed if isinstance(row[c], (bool, np.bool_)) and not row[c]}
    if falsy and got_typed == want_typed - falsy:
        return close(
            f"you left out {', '.join(sorted(falsy))}, which holds False. False is a value (the cardiologist's "
            "'no second opinion'), not an empty cell: only NaN (and text of nothing but spaces and commas) is empty."
        )
    zero = {c for c in want_typed if not isinstance(row[c], str) and pd.notna(row[c]) and not row[c]}
    if zero - falsy and got_typed == want_typed - zero:
        shown = ", ".join(f"`{c}` = {row[c]}" for c in sorted(zero))
        return close(
            f"you left out {shown}: `if value:` treats False and 0 as empty, but they are values (a 'no', a "
            "cardiologist with id 0). Only NaN, and text of nothing but spaces and commas, is empty."
        )
    if got_typed == sources.columns_by_source(row, "staff"):
        return close(
            "close: you kept only the staff's columns; the cardiologist typed too (the report, its validation)."
        )
    if got_typed == want_typed:
        return incorrect(
            f"`typed` is right; `machine` should hold the machine's filled columns: {len(want_machine)} of them."
        )
    return incorrect(
        "not yet. Take the row `meta.loc[...]`, keep the columns that hold a value, "
        "and sort them with `sources.PTBXL_COLUMN_SOURCE`."
    )


# --- Exercise 3 ------------------------------------------------------------------------------------

INVASIVE = ["SysABP", "DiasABP", "MAP"]


def arterial_line_by_unit() -> pd.DataFrame:
    stays = _stays()
    units = sources.icu_types(stays)
    meas = sources.measurements(stays)
    line = meas[meas["Parameter"].isin(INVASIVE)].groupby("RecordID").size().gt(0)
    line = line.reindex(units.index, fill_value=False)
    return pd.DataFrame({"stays": units.value_counts().sort_index(), "with_line": line.groupby(units).sum()})


@exercise
def arterial_line_share(answer):
    stays = _stays()
    units = sources.icu_types(stays)
    meas = sources.measurements(stays)
    table = arterial_line_by_unit()
    share = table["with_line"] / table["stays"]
    cuff = meas[meas["Parameter"].isin(["NISysABP", "NIDiasABP", "NIMAP"])].groupby("RecordID").size().gt(0)
    cuff = cuff.reindex(units.index, fill_value=False).groupby(units).mean()
    unit_of_row = meas["RecordID"].map(units)
    rows_share = meas["Parameter"].isin(INVASIVE).groupby(unit_of_row).mean()
    mistakes = [
        (table["with_line"], "close: these are counts of stays; divide by the number of stays of each ICU type."),
        (share * 100, "close: these are percentages; give fractions between 0 and 1."),
        (1 - share, "close: that is the share of stays WITHOUT an arterial line."),
        (
            table["with_line"] / table["stays"].sum(),
            "wrong denominator: you divided each unit's stays with a line by ALL stays in the set. "
            "Divide by the number of stays of that ICU type.",
        ),
        (
            table["with_line"] / table["with_line"].sum(),
            "wrong denominator: you divided by the stays WITH a line, which says how the lines are spread over "
            "the units. Divide by the number of stays of each ICU type.",
        ),
        (
            cuff,
            "close: you used the non-invasive (cuff) pressures, NI...; the arterial line gives SysABP, DiasABP, MAP.",
        ),
        (
            rows_share,
            "close: you computed the share of ROWS that are invasive pressures; the question asks for the share of "
            "STAYS with at least one.",
        ),
    ]
    return _series_check(answer, share, mistakes, "a share of stays per ICU type", "ICU type (1 to 4)")


# --- Exercise 4 ------------------------------------------------------------------------------------


@exercise
def height_by_site(answer):
    meta = ptbxl.load_metadata()
    filled = meta["height"].notna().groupby(meta["site"])
    share = filled.mean()
    mistakes = [
        (filled.sum(), "close: these are counts of ECGs; divide by the number of ECGs of each site."),
        (1 - share, "close: that is the share of ECGs with NO height."),
        (share * 100, "close: these are percentages; give fractions between 0 and 1."),
        (
            filled.sum() / len(meta),
            "wrong denominator: you divided each site's heights by ALL ECGs. Divide by the ECGs of that site.",
        ),
        (
            filled.sum() / meta["height"].notna().sum(),
            "wrong denominator: you divided by the ECGs WITH a height, which says which sites the heights come "
            "from. Divide by the number of ECGs of each site.",
        ),
    ]
    return _series_check(answer, share, mistakes, "a share of ECGs per site", "site (0 to 3)")


# --- Exercise 5 ------------------------------------------------------------------------------------


@exercise
def premature_interval(answer):
    ann = mitdb.load_annotations()
    beats = ann[ann["symbol"].isin(mitdb.BEAT_SYMBOLS)].reset_index(drop=True)
    before = beats["time_s"].diff()
    after = -beats["time_s"].diff(-1)
    is_a = beats["symbol"].eq("A")
    fs = 360.0
    return check_number(
        answer,
        before[is_a].median(),
        mistakes=[
            (
                after[is_a].median(),
                "close: that is the interval AFTER the premature beat (the pause that follows it). "
                "Take the time since the previous beat.",
            ),
            (before[is_a].median() * fs, "close: that is in samples; divide by the sampling rate to get seconds."),
            (before[is_a].mean(), "close: that is the mean; the exercise asks for the median."),
        ],
        what="a time in seconds",
        hint="Keep the beats, take the time since the previous beat, then the median over the A beats.",
    )


# --- Exercise 6: a weekday bar chart ---------------------------------------------------------------


def ecgs_per_weekday() -> pd.Series:
    """ECGs per weekday of the stored ``recording_date``, Monday first (0 for a weekday with none)."""
    days = pd.to_datetime(ptbxl.load_metadata()["recording_date"]).dt.day_name()
    return days.value_counts().reindex(WEEKDAYS, fill_value=0)


@exercise
def weekday_plot(answer):
    ax = as_axes(answer)
    if ax is None:
        return incorrect(f"expected the matplotlib Axes of your bar chart, got {type(answer).__name__}.")
    heights = np.array(bar_heights(ax))
    want = ecgs_per_weekday()
    if len(heights) == 0:
        if ax.get_lines():
            return close("you drew lines; the exercise asks for a bar chart, one bar per weekday (`ax.bar(...)`).")
        return not_attempted("there are no bars on this Axes yet: draw them with `ax.bar(...)`.")
    widths = sorted(float(p.get_width()) for p in ax.patches if hasattr(p, "get_width"))
    if (
        len(widths) == len(want)
        and np.allclose(widths, sorted(want.to_numpy()))
        and not np.allclose(sorted(heights), sorted(want.to_numpy()))
    ):
        return close("your bars lie on their side (`barh`); draw them upright with `ax.bar`, weekdays along x.")
    if len(heights) != len(want):
        return incorrect(f"expected {len(want)} bars, one per weekday; your chart has {len(heights)}.")
    if np.allclose(heights, want.to_numpy()):
        labels = missing_labels(ax, ("day",), ("ECG",))
        if labels:
            return close(f"the bars are right, but {labels}.")
        return correct(f"the quietest day is {want.idxmin()} ({want.min()} ECGs), not a weekend day.")
    if np.allclose(heights, (want / want.sum()).to_numpy()):
        return close("these are shares; the exercise asks for the number of ECGs per weekday.")
    if np.allclose(heights, want.sort_values(ascending=False).to_numpy()):
        return close("your bars are sorted by count (the order `value_counts` gives). Put them in weekday order, "
                     "Monday to Sunday, so the weekly pattern can be read (`.reindex(...)`).")  # fmt: skip
    if np.allclose(heights, want.sort_index().to_numpy()):
        return close("your bars are in alphabetical order (Friday, Monday, ...). Put them Monday to Sunday.")
    if np.allclose(sorted(heights), sorted(want.to_numpy())):
        return close("the bar heights are right but not in weekday order: put them Monday to Sunday "
                     "(`.reindex([...])` with the day names in order).")  # fmt: skip
    return incorrect("the bar heights are not the ECGs per weekday of `recording_date`. Count `dt.day_name()`.")
