"""Feedback never raises, and names the typical mistake; expected values come from the data."""

from __future__ import annotations

import os

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import ft2font

from heartdata import challenge2012, feedback, mitdb, ptbxl
from heartdata.checks import lesson00


def test_feedback_displays_status_and_message():
    fb = feedback.close("you kept the -1 sentinels as values")
    assert str(fb) == "✗ Not yet, a known mistake: you kept the -1 sentinels as values"
    assert fb._repr_markdown_() == "**✗ Not yet, a known mistake:** you kept the -1 sentinels as values"
    assert not fb.correct and feedback.correct().correct
    assert str(feedback.correct()) == "✓ Correct: well done."
    assert str(feedback.not_attempted()).startswith("○ Not attempted yet: replace `None`")


def test_a_known_mistake_never_reads_as_nearly_right():
    for fb in (feedback.close("you counted ECGs"), feedback.incorrect("7 is not it.")):
        assert str(fb).startswith("✗ Not yet") and "close" not in str(fb).lower()


# Every mark the feedback shows is a glyph DejaVu Sans has (the font Debian and most Linux desktops fall back
# on): no emoji, which show as empty boxes where no emoji font is installed.
DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_feedback_marks_are_plain_characters_every_font_has():
    marks = {ch for label in feedback.LABEL.values() for ch in label if not ch.isascii()}
    assert marks == {"○", "✗", "✓"}
    assert all(ord(ch) < 0x2800 for ch in marks), "no emoji (U+1F000 and up) or pictographs"
    # the system's copy if there is one, else the copy matplotlib ships
    shipped = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
    path = DEJAVU_SANS if os.path.exists(DEJAVU_SANS) else shipped
    font = ft2font.FT2Font(path)
    assert all(font.get_char_index(ord(ch)) for ch in marks), f"{path} lacks one of {marks}"


@pytest.mark.parametrize("bad", ["450", [1, 2], {"a": 1}, pd.DataFrame({"a": [1, 2]}), object(), True])
def test_checks_never_raise_on_strange_answers(bad):
    for check in (lesson00.n_patients, lesson00.death_rate, lesson00.n_beats, lesson00.n_height_missing):
        fb = check(bad)
        assert fb.status == feedback.INCORRECT, (check.__name__, bad, fb)


def test_check_accepts_numpy_and_pandas_scalars():
    meta = ptbxl.load_metadata()
    assert lesson00.n_patients(np.int64(meta["patient_id"].nunique())).correct
    assert lesson00.n_patients(pd.Series([meta["patient_id"].nunique()])).correct


def test_lesson00_patients():
    meta = ptbxl.load_metadata()
    assert lesson00.n_patients(None).status == feedback.NOT_ATTEMPTED
    assert lesson00.n_patients(len(meta)).status == feedback.CLOSE
    assert "number of ECGs" in lesson00.n_patients(len(meta)).message
    assert lesson00.n_patients(meta["patient_id"].nunique()).correct
    assert lesson00.n_patients(7).status == feedback.INCORRECT


def test_lesson00_death_rate():
    died = challenge2012.load_outcomes()["In-hospital_death"]
    assert lesson00.death_rate(died.mean()).correct
    assert "percentage" in lesson00.death_rate(100 * died.mean()).message
    assert "number of deaths" in lesson00.death_rate(died.sum()).message
    assert "survived" in lesson00.death_rate(1 - died.mean()).message


def test_lesson00_beats():
    ann = mitdb.load_annotations()
    assert lesson00.n_beats(len(ann)).status == feedback.CLOSE
    assert lesson00.n_beats(int(ann["symbol"].isin(["N", "A", "V"]).sum())).correct


def test_lesson00_height_missing():
    stays = challenge2012.load_stays()
    h = stays.loc[stays["Parameter"].eq("Height") & stays["Time"].eq(0), "Value"]
    assert lesson00.n_height_missing(int((h == -1).sum())).correct
    fb = lesson00.n_height_missing(0)  # counting NaN finds nothing: the sentinel mistake
    assert fb.status == feedback.CLOSE and "-1" in fb.message


def test_a_rounded_answer_is_named_as_rounded():
    died = challenge2012.load_outcomes()["In-hospital_death"]
    fb = lesson00.death_rate(round(died.mean(), 3))
    assert fb.status == feedback.CLOSE and "rounded" in fb.message
    assert lesson00.death_rate(0.0).status == feedback.INCORRECT, "zero is wrong, not a rounding"


def test_lesson00_only_normal_beats():
    ann = mitdb.load_annotations()
    fb = lesson00.n_beats(int(ann["symbol"].eq("N").sum()))
    assert fb.status == feedback.CLOSE and "only the normal beats" in fb.message


def test_status_is_not_repeated_in_the_message():
    assert feedback.close("close: you kept the -1 sentinels").message == "you kept the -1 sentinels"
    assert str(feedback.incorrect("incorrect: not it")) == "✗ Not yet: not it"
    assert feedback.close("✗ Not yet, a known mistake: you counted ECGs").message == "you counted ECGs"
