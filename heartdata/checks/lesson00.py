"""Checks for the exercises of lesson 00 (welcome): expected values come from the data."""

from __future__ import annotations

from functools import cache

import numpy as np

from .. import challenge2012, mitdb, ptbxl
from ..feedback import check_number, close, correct, exercise, incorrect, not_attempted


@cache
def _stays_descriptors():
    stays = challenge2012.load_stays()
    return stays[stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)]


@exercise
def n_patients(answer):
    meta = ptbxl.load_metadata()
    return check_number(
        answer,
        meta["patient_id"].nunique(),
        mistakes=[
            (
                len(meta),
                "that is the number of ECGs (rows). Some patients had several ECGs; "
                "count distinct values of `patient_id`.",
            )
        ],
        what="a whole number of patients",
        hint="Which column identifies a patient?",
    )


@exercise
def death_rate(answer):
    died = challenge2012.load_outcomes()["In-hospital_death"]
    return check_number(
        answer,
        died.mean(),
        mistakes=[
            (died.sum(), "that is the number of deaths; divide by the number of stays to get a fraction."),
            (died.mean() * 100, "that is a percentage; the exercise asks for a fraction between 0 and 1."),
            (1 - died.mean(), "that is the fraction who survived to leave hospital."),
            (
                died.sum() / len(challenge2012.load_stays()),
                "wrong denominator: you divided the deaths by the number of ROWS of `stays` (one per charted value). "
                "Divide by the number of stays (one row per stay in `outcomes`).",
            ),
        ],
        what="a fraction between 0 and 1",
        hint="Use the `In-hospital_death` column (1 = died in hospital).",
    )


@exercise
def n_beats(answer):
    ann = mitdb.load_annotations()
    is_beat = ann["symbol"].isin(mitdb.BEAT_SYMBOLS)
    return check_number(
        answer,
        is_beat.sum(),
        mistakes=[
            (
                len(ann),
                "you counted every annotation, but not every annotation is a beat. "
                "Look at the `description` of the symbols that are not N, A or V.",
            ),
            (
                ann["symbol"].eq("N").sum(),
                "you counted only the normal beats (N). Premature beats are heartbeats too: count every symbol "
                "that marks a beat.",
            ),
        ],
        what="a whole number of beats",
        hint="Count the annotations whose symbol marks a heartbeat.",
    )


@exercise
def n_height_missing(answer):
    desc = _stays_descriptors()
    height = desc.loc[desc["Parameter"].eq("Height"), "Value"]
    return check_number(
        answer,
        height.eq(-1).sum(),
        mistakes=[
            (
                height.isna().sum(),
                "you counted empty (NaN) cells, but this dataset writes -1 "
                "when a value was not recorded. Count the -1 values instead.",
            )
        ],
        what="a whole number of stays",
        hint="Select the Height rows of the descriptors and count the values that mean 'not recorded'. "
        "Implausible heights (such as 431.8 cm) were recorded, wrongly: they do not count here.",
    )


# --- figures: what a student's Axes shows (used by the figure exercises of lessons 00-03) ----------


def as_axes(answer):
    """The matplotlib Axes a figure answer stands for: an Axes, or a Figure with one Axes; else None."""
    if hasattr(answer, "get_lines") and hasattr(answer, "get_xlabel"):
        return answer
    axes = getattr(answer, "axes", None)
    if isinstance(axes, list) and len(axes) >= 1 and hasattr(axes[0], "get_lines"):
        return axes[0]
    return None


def plotted_xy(ax) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every (x, y) series drawn on ``ax``: its lines and its scatter collections."""
    out = []
    for line in ax.get_lines():
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if len(x) > 2:  # a 2-point line is a reference line (axhline, axvline), not data
            out.append((x, y))
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets(), float)
        if offsets.ndim == 2 and len(offsets) > 2:
            out.append((offsets[:, 0], offsets[:, 1]))
    return out


def bar_heights(ax) -> list[float]:
    """Heights of the bars on ``ax``, left to right (vertical bar charts)."""
    bars = [p for p in ax.patches if hasattr(p, "get_height") and hasattr(p, "get_x")]
    return [float(p.get_height()) for p in sorted(bars, key=lambda p: p.get_x())]


def same_series(x, y, want_x, want_y) -> bool:
    """True when (x, y) holds the points (want_x, want_y), in any order."""
    if len(x) != len(want_x):
        return False
    a = np.lexsort((y, x))
    b = np.lexsort((want_y, want_x))
    return bool(np.allclose(x[a], want_x[b], rtol=1e-6, atol=1e-6) and np.allclose(y[a], want_y[b], rtol=1e-6))


def missing_labels(ax, x_words, y_words) -> str:
    """Which axis labels lack the words (any one of each tuple) that name the quantity and its unit; '' if none."""
    problems = []
    for axis, label, words in (("x", ax.get_xlabel(), x_words), ("y", ax.get_ylabel(), y_words)):
        if not label.strip():
            problems.append(f"the {axis} axis has no label")
        elif not any(w.lower() in label.lower() for w in words):
            problems.append(f"the {axis} label {label!r} does not give the unit ({' or '.join(words)})")
    return "; ".join(problems)


# --- Exercise 5: a figure of one stay's heart rate -----------------------------------------------


def plot_stay() -> int:
    """The stay exercise 5 draws: the first RecordID of set A (the stay lesson 00 plots)."""
    return int(_stays_descriptors()["RecordID"].min())


@exercise
def heart_rate_plot(answer):
    ax = as_axes(answer)
    if ax is None:
        return incorrect(f"expected the matplotlib Axes you drew on (e.g. `fig, ax = plt.subplots()`), got "
                         f"{type(answer).__name__}.")  # fmt: skip
    stays = challenge2012.load_stays()
    rid = plot_stay()
    hr = stays[stays["RecordID"].eq(rid) & stays["Parameter"].eq("HR")]
    t, v = hr["Time"].to_numpy(float), hr["Value"].to_numpy(float)
    series = plotted_xy(ax)
    if not series:
        return not_attempted("nothing is plotted on this Axes yet: draw the heart rate with `ax.plot(x, y)`.")
    n_all_hr = int(stays["Parameter"].eq("HR").sum())
    for x, y in series:
        if same_series(x, y, t / 60, v):
            labels = missing_labels(ax, ("hour", "h)"), ("beats/min", "bpm", "/min"))
            if labels:
                return close(f"the data is right, but {labels}. A reader needs the quantity and its unit.")
            return correct(f"the {len(v)} heart rates of stay {rid}, in hours since admission.")
        if same_series(x, y, t, v):
            return close("your x values are minutes (the `Time` column). Divide by 60 to plot hours since admission.")
        if len(x) == n_all_hr:
            return close(f"you plotted the heart rates of every stay; keep only the rows of stay {rid}.")
        if len(x) > len(v) and np.isin(v, y).all():
            return close(
                f"your line holds {len(x)} values, more than the {len(v)} heart rates of stay {rid}: "
                "keep only the rows whose Parameter is 'HR'."
            )
    return incorrect(
        f"none of the plotted lines holds the {len(v)} heart rates of stay {rid} against Time / 60. "
        "Select that stay's 'HR' rows, then plot Time / 60 against Value."
    )
