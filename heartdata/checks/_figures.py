"""Small readers of a student's figure shared by the checks: the colour an artist was drawn in, the numbers a title
states (lessons 06 and 07), and whether an axis label gives a unit (lessons 00-03)."""

from __future__ import annotations

import re

import numpy as np

#: A number as a title writes it: an optional sign, digits with optional thousands commas, an optional decimal part.
_NUMBER = re.compile(r"[-+−]?\d[\d,]*(?:\.\d+)?")


def drawn_in(colour, expected: str) -> bool:
    """True if ``colour`` (any matplotlib colour, an RGBA face colour say) is ``expected`` (alpha ignored)."""
    from matplotlib.colors import to_rgb

    try:
        return bool(np.allclose(to_rgb(colour), to_rgb(expected), atol=1 / 255))
    except ValueError:
        return False


def title_numbers(title: str) -> list[tuple[float, int]]:
    """Every number written in ``title``, with its decimals: "median 27.4 of 2,097" -> [(27.4, 1), (2097, 0)]."""
    out = []
    for text in _NUMBER.findall(title or ""):
        text = text.replace(",", "").replace("−", "-")
        try:
            value = float(text)
        except ValueError:
            continue
        out.append((value, len(text.split(".")[1]) if "." in text else 0))
    return out


def states(title: str, values: dict[str, float], min_decimals: int = 0) -> str | None:
    """The name of the first of ``values`` that ``title`` states, rounded as the title writes it, or None.

    A number written with d decimals states a value if it equals the value rounded to d decimals (a share may also
    be written as a percentage). ``min_decimals`` is the fewest decimals a value written as itself must have: an
    AUROC of 0.829 rounded to 0 decimals is 1, which any "model 1" in a title would match, so an AUROC needs 2
    (0.83), or a percentage (83%)."""
    for number, decimals in title_numbers(title):
        for name, value in values.items():
            for scale in (1, 100):
                if scale == 1 and decimals < min_decimals:
                    continue
                if abs(number - round(value * scale, decimals)) < 0.5 * 10**-decimals + 1e-9:
                    return name
    return None


# --- units in axis labels -------------------------------------------------------------------------------------------

#: The units an axis label may give, each as (how a message names it, an example label, the spellings). A spelling is
#: a regular expression matched, as a whole word, against the label lower-cased with ⁻¹ read as -1 and · as a space;
#: it may stand anywhere in the label: "Time (h)", "Time [h]", "t / h", "time, hours", "hours since admission".
UNITS = {
    "hour": ("hours", "Time since admission (h)", r"h|hr|hrs|hour|hours"),
    "second": ("seconds", "Time (s)", r"s|sec|secs|second|seconds"),
    "millivolt": ("millivolts", "Amplitude (mV)", r"mv|millivolts?"),
    "per minute": (
        "beats per minute",
        "Heart rate (beats/min)",
        r"bpm|/\s*min(?:ute)?s?|per\s+min(?:ute)?|min(?:ute)?s?\s*\^?\s*\(?-\s*1\)?",
    ),
}

_SUPERSCRIPTS = str.maketrans({"⁻": "-", "−": "-", "¹": "1", "·": " ", "⋅": " ", "×": " "})


def _normal_label(label: str) -> str:
    text = (label or "").lower().translate(_SUPERSCRIPTS)
    return re.sub(r"['’]s(?![a-z])", "", text)  # "patient's" is not a unit of seconds


def gives_unit(label: str, unit: str) -> bool:
    """True if the axis ``label`` gives ``unit`` (a key of UNITS) in any usual spelling and place: "Time (hrs)",
    "t / h", "Heart rate (beats per minute)", "HR / min⁻¹" -- but not a label with no unit, or with another unit."""
    spellings = UNITS[unit][2]
    return re.search(rf"(?:(?<![a-z])|(?=/))(?:{spellings})(?![a-z])", _normal_label(label)) is not None


def unit_problem(axis: str, label: str, unit: str) -> str | None:
    """What is wrong with the ``axis`` label about ``unit``, or None: no label, or no unit (with an example)."""
    if not (label or "").strip():
        return f"the {axis} axis has no label"
    if gives_unit(label, unit):
        return None
    name, example, _ = UNITS[unit]
    return f"the {axis} label {label!r} does not give the unit, {name} (e.g. {example!r})"
