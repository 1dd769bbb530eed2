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


def _site1(meta):
    return meta[meta["site"].eq(lesson00.EXERCISE_SITE)]


def _unit(died):
    from heartdata import sources

    units = sources.icu_types(challenge2012.load_stays()).reindex(died.index)
    return died[units.eq(lesson00.EXERCISE_ICU_TYPE)]


def test_check_accepts_numpy_and_pandas_scalars():
    meta = ptbxl.load_metadata()
    assert lesson00.n_patients(np.int64(_site1(meta)["patient_id"].nunique())).correct
    assert lesson00.n_patients(pd.Series([_site1(meta)["patient_id"].nunique()])).correct


def test_lesson00_patients():
    meta = ptbxl.load_metadata()
    assert lesson00.n_patients(None).status == feedback.NOT_ATTEMPTED
    assert lesson00.n_patients(len(_site1(meta))).status == feedback.CLOSE
    assert "number of ECGs" in lesson00.n_patients(len(_site1(meta))).message
    assert lesson00.n_patients(_site1(meta)["patient_id"].nunique()).correct
    assert lesson00.n_patients(7).status == feedback.INCORRECT


def test_lesson00_death_rate():
    died = _unit(challenge2012.load_outcomes()["In-hospital_death"])
    assert lesson00.death_rate(died.mean()).correct
    assert "percentage" in lesson00.death_rate(100 * died.mean()).message
    assert "number of deaths" in lesson00.death_rate(died.sum()).message
    assert "survived" in lesson00.death_rate(1 - died.mean()).message


def test_lesson00_beats():
    ann = mitdb.load_annotations()
    early = ann[ann["time_s"].lt(lesson00.BEAT_WINDOW_S)]
    assert lesson00.n_beats(len(early)).status == feedback.CLOSE
    assert lesson00.n_beats(int(early["symbol"].isin(["N", "A", "V"]).sum())).correct


def test_lesson00_height_missing():
    stays = challenge2012.load_stays()
    h = stays.loc[stays["Parameter"].eq("Height") & stays["Time"].eq(0), "Value"]
    assert lesson00.n_height_missing(int((h == -1).sum())).correct
    fb = lesson00.n_height_missing(0)  # counting NaN finds nothing: the sentinel mistake
    assert fb.status == feedback.CLOSE and "-1" in fb.message


def test_a_rounded_answer_is_named_as_rounded():
    died = _unit(challenge2012.load_outcomes()["In-hospital_death"])
    fb = lesson00.death_rate(round(died.mean(), 3))
    assert fb.status == feedback.CLOSE and "rounded" in fb.message
    assert lesson00.death_rate(0.0).status == feedback.INCORRECT, "zero is wrong, not a rounding"


def test_lesson00_only_normal_beats():
    ann = mitdb.load_annotations()
    early = ann[ann["time_s"].lt(lesson00.BEAT_WINDOW_S)]
    fb = lesson00.n_beats(int(early["symbol"].eq("N").sum()))
    assert fb.status == feedback.CLOSE and "only the normal beats" in fb.message


def test_status_is_not_repeated_in_the_message():
    assert feedback.close("close: you kept the -1 sentinels").message == "you kept the -1 sentinels"
    assert str(feedback.incorrect("incorrect: not it")) == "✗ Not yet: not it"
    assert feedback.close("✗ Not yet, a known mistake: you counted ECGs").message == "you counted ECGs"


# --- the rounding rule (heartdata/feedback.py's docstring) -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "rel", "status"),
    [
        (7.14, 7.1398, 1e-6, feedback.CLOSE),  # 2 decimals
        (7.1, 7.1398, 1e-6, feedback.CLOSE),  # 1 decimal: the same rule
        (0.139, 0.13854, 1e-6, feedback.CLOSE),
        (0.1385, 0.13854, 1e-6, feedback.CLOSE),
        (9.74, 9.7412, 1e-6, feedback.CLOSE),
        (0.26, 0.2583, 1e-6, feedback.CLOSE),
        (7.1, 7.1398, 0.01, feedback.CORRECT),  # inside a 1% tolerance: correct, never "rounded"
        (7.14, 7.1398, 0.01, feedback.CORRECT),
        (15.0, 15, 1e-6, feedback.CORRECT),  # exactly the value: correct
        (15.0, 15.3, 1e-6, feedback.INCORRECT),  # a whole number: a count or a simulated value, never "rounded"
        (14.9731, 15.3, 1e-6, feedback.INCORRECT),  # not a rounding of it (another seed, say)
        (0.0, 0.1385, 1e-6, feedback.INCORRECT),  # nothing is left of the value
        (7.0, 7.1398, 1e-6, feedback.INCORRECT),  # 0 decimals keeps one digit: too coarse to be "rounded"
        (1234.5, 1234.5123, 1e-6, feedback.CLOSE),
        (0.139, np.float64(0.1385), 1e-6, feedback.CLOSE),  # half up, whatever numpy's round gives
        (0.138, np.float64(0.1385), 1e-6, feedback.CLOSE),  # half to even
        (float(np.round(3.1149999999999998, 2)), 3.1149999999999998, 1e-6, feedback.CLOSE),  # numpy's (pandas' .round)
        (1200.0, 1234.5, 1e-6, feedback.INCORRECT),
        (0.05, 0.049199, 1e-6, feedback.CLOSE),  # round(x, 2) keeps one digit: still the right answer rounded
        (74.0, 73.981, 1e-6, feedback.CLOSE),  # round(x, 1) gives a whole number: rounded to 1 decimal
        (74.0, 74.3, 1e-6, feedback.INCORRECT),  # no rounding to 1 or more decimals gives 74.0
        (0.1, 0.13854, 1e-6, feedback.INCORRECT),  # 1 decimal, 1 digit: too coarse to tell from another value
    ],
)
def test_one_rounding_rule(value, expected, rel, status):
    fb = feedback.check_number(value, expected, rel=rel)
    assert fb.status == status, (value, expected, fb)
    assert ("rounded" in fb.message) == (status == feedback.CLOSE)


def test_a_named_mistake_comes_before_rounded_and_only_when_equal():
    fb = feedback.check_number(0.14, 0.1385, mistakes=[(0.14, "you used the other column.")])
    # both the mistake and rounding give 0.14: the mistake is named, and the rounding said too
    assert fb.status == feedback.CLOSE and fb.message.startswith("you used the other column. (0.14 is also the right")
    assert "rounded to 2 decimals" in fb.message
    fb = feedback.check_number(0.15, 0.1385, mistakes=[(0.15, "you used the other column.")])
    assert fb.status == feedback.CLOSE and fb.message == "you used the other column."
    fb = feedback.check_number(0.139, 0.1385, mistakes=[(0.14, "you used the other column.")])
    assert "rounded to 3 decimals" in fb.message
    fb = feedback.check_number(13.9, 0.1385, mistakes=[(13.85, "that is a percentage.")])
    assert fb.status == feedback.CLOSE and fb.message.startswith("that is a percentage. (Your value is also rounded")


def test_a_rounded_whole_number_is_shown_as_the_float_it_is():
    fb = feedback.check_number(74.0, 73.981)
    assert fb.status == feedback.CLOSE and fb.message.startswith("74.0 is the right answer rounded to 1 decimal")
    assert feedback.check_number(75.0, 73.981).message.startswith("75.0 is not it")
    assert feedback.check_number(75, 73.981).message.startswith("75 is not it")
    assert feedback.check_number(74, 73.981).status == feedback.INCORRECT  # an int is a rounding to 0 decimals


def test_several_numbers_rounded_by_the_same_rule():
    expected = [0.511, 0.0983, 0.3214, 0.1994]
    assert feedback.rounding_all([0.51, 0.1, 0.32, 0.2], expected) == "to 2 decimals"
    assert feedback.rounding_all([0.511, 0.098, 0.321, 0.199], expected) == "to 3 decimals"
    assert feedback.rounding_all([0.511, 0.0983, 0.3214, 0.1994], expected) is None  # right: not rounded
    assert feedback.rounding_all([0.51, 0.1, 0.33, 0.2], expected) is None  # 0.33 is no rounding of 0.3214
    assert feedback.rounding_all([0.51, 0.098, 0.32, 0.2], expected) is None  # mixed decimals
    assert feedback.rounding_all([0.0, 0.0], [0.001, 0.002]) is None  # nothing left


# --- kinds of answer ---------------------------------------------------------------------------------------------


def test_numbers_by_one_rule():
    for ok in (3, 3.0, np.int64(3), np.float32(3), np.array(3), np.array([3]), pd.Series([3])):
        assert feedback.number(ok) == 3.0
    for bad, words in [(True, "yes/no"), (np.bool_(False), "yes/no"), ("3", "without quotes"), ("three", "text"),
                       ([1, 2], "one number"), (pd.Series([1, 2]), "one number"), (None, "NoneType")]:  # fmt: skip
        fb = feedback.number(bad)
        assert isinstance(fb, feedback.Feedback) and fb.status == feedback.INCORRECT and words in fb.message, fb


def test_tables_compare_on_content_with_a_meaningful_index_as_columns():
    df = pd.DataFrame({"unit": ["CCU", "MICU"], "rate": [0.1, 0.2]})
    by_unit = df.set_index("unit")
    assert feedback.as_table(by_unit).equals(feedback.as_table(df))
    assert feedback.as_table(by_unit.reset_index()).equals(feedback.as_table(df))
    assert feedback.as_table(df.iloc[::-1].reset_index(drop=True)).shape == (2, 2)
    assert feedback.as_table(by_unit["rate"]).columns.tolist() == ["unit", "rate"]
    fb = feedback.as_table([1, 2])
    assert fb.status == feedback.INCORRECT and "DataFrame" in fb.message


def test_series_mapping_ids_and_text():
    s = pd.Series([1, 2], index=["a", "b"], name="n")
    assert feedback.as_series(s.to_frame()).equals(s)
    fb = feedback.as_series(pd.DataFrame({"a": [1], "b": [2]}))
    assert fb.status == feedback.INCORRECT and "(a, b)" in fb.message and "select the column" in fb.message
    assert feedback.as_series({"a": 1}).to_dict() == {"a": 1}
    assert feedback.as_mapping(s) == {"a": 1, "b": 2} == feedback.as_mapping({"a": 1, "b": 2})
    for ids in ([3, 1], (3, 1), {1, 3}, np.array([3, 1]), pd.Index([3, 1]), pd.Series([3, 1])):
        assert sorted(feedback.as_ids(ids)) == [1, 3]
    for bad, words in [("1,3", "in a list"), ({"a": 1}, "keys"), (pd.DataFrame({"a": [1]}), "column of ids")]:
        assert words in feedback.as_ids(bad).message
    assert feedback.as_text("  vague ") == "vague" and "quotes" in feedback.as_text(3).message


def test_helpers_never_change_or_consume_the_students_objects():
    df = pd.DataFrame({"unit": ["CCU", "MICU"], "rate": [0.1, 0.2]}).set_index("unit")
    s, lst = pd.Series([3, 1, 2], name="x"), [3, 1, 2]
    before = (df.copy(), s.copy(), list(lst))
    for helper in (feedback.as_table, feedback.as_series, feedback.as_mapping, feedback.as_ids, feedback.number):
        for obj in (df, s, lst):
            got = helper(obj)
            if isinstance(got, pd.DataFrame):  # a check that changes its copy
                got.insert(0, "added", 1)
            elif isinstance(got, pd.Series):
                got.index = [f"i{i}" for i in range(len(got))]
            elif isinstance(got, (list, dict)):
                got.clear()
        gen = (i for i in range(3))
        fb = helper(gen)
        assert isinstance(fb, feedback.Feedback) and "list" in fb.message
        assert list(gen) == [0, 1, 2], f"{helper.__name__} consumed the generator"
    assert df.equals(before[0]) and s.equals(before[1]) and lst == before[2]


def test_the_decorator_hands_checks_private_copies_and_refuses_iterators():
    @feedback.exercise
    def greedy(answer):
        if isinstance(answer, pd.DataFrame):
            answer.iloc[:] = 0
        elif isinstance(answer, list):
            answer.clear()
        return feedback.correct()

    df, lst = pd.DataFrame({"a": [1, 2]}), [1, 2]
    assert greedy(df).correct and greedy(lst).correct and greedy([df]).correct
    assert df.columns.tolist() == ["a"] and lst == [1, 2]
    it = iter([1, 2])
    fb = greedy(it)
    assert fb.status == feedback.INCORRECT and "list(" in fb.message and list(it) == [1, 2]
    for check in (lesson00.n_patients, lesson00.n_beats):
        gen = (x for x in [1, 2])
        assert "use it up" in check(gen).message and list(gen) == [1, 2]



def test_one_number_hint_names_no_reducer():
    """Review r15-s68: "reduce it to one number (`.sum()`, `.mean()`, ...)" suggested `.mean()` where the mean was the
    exercise's named mistake (a median asked for, a share refused); the hint names no method."""
    for many in (pd.Series([1.0, 2.0, 3.0]), (0.6, 0.4), [1, 2]):
        fb = feedback.number(many)
        assert fb.status == feedback.INCORRECT and "one number the exercise asks for" in fb.message
        assert not any(m in fb.message for m in (".sum()", ".mean()", "len(", ".median()"))


# --- attempts ----------------------------------------------------------------------------------------------------


def test_none_from_the_stub_is_not_attempted_but_none_from_print_is_an_attempt():
    stub = ["n_patients = None  # your code here", "check.n_patients(n_patients)"]
    assert feedback.why_none("n_patients", stub).status == feedback.NOT_ATTEMPTED
    printed = ["n_patients = print(meta['patient_id'].nunique())", "check.n_patients(n_patients)"]
    fb = feedback.why_none("n_patients", printed)
    assert fb.status == feedback.INCORRECT and "result of print(...)" in fb.message and "returns None" in fb.message
    inplace = ["x = meta.sort_values('age', inplace=True)\ncheck.oldest(x)"]
    assert "inplace=True" in feedback.why_none("oldest", inplace).message
    sort = ["ids = []", "ids = ids.sort()", "lesson04.rare(ids)"]
    assert ".sort(...)" in feedback.why_none("rare", sort).message
    other = ["def f():\n    x = 1\n", "answer = f()", "check.ex(answer)"]
    assert "needs a `return`" in feedback.why_none("ex", other).message
    assert feedback.why_none("ex", []).status == feedback.NOT_ATTEMPTED  # outside IPython


def test_none_quotes_only_an_assignment_the_check_could_have_seen():
    """Walkthrough r27 (misleading): a cell that checks the stub, assigns, and checks again was told, at its first
    check, that the later expression "gives None"; a None from a loop quoted an assignment inside an earlier cell's
    function. Only top-level assignments count, and in the running cell only those above the check's line."""
    cell = "share = None\ncheck.share(share)\nshare = (risk >= 0.25).mean()\ncheck.share(share)"
    assert feedback.why_none("share", [cell], line=2).status == feedback.NOT_ATTEMPTED
    fb = feedback.why_none("share", [cell.replace("= (risk >= 0.25).mean()", "= print((risk >= 0.25).mean())")],
                           line=4)
    assert fb.status == feedback.INCORRECT and "print(...)" in fb.message
    earlier = "def clean(t):\n    limit = t.quantile(0.99)\n    return t[t < limit]"
    loop = "for limit in [None]:\n    pass\ncheck.limit(limit)"
    fb = feedback.why_none("limit", [earlier, loop], line=3)
    assert fb.status == feedback.INCORRECT and "quantile" not in fb.message and "a loop" in fb.message
    assert feedback.why_none("limit", [earlier, "check.limit(limit)"], line=1).status == feedback.NOT_ATTEMPTED
    assert "needs a `return`" in feedback.why_none("ex", ["x = f()\ncheck.ex(x)"], line=2).message


def test_a_figure_exercise_reads_the_figure_drawn_with_pyplot(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from heartdata.checks import lesson05

    plt.close("all")
    assert lesson05.death_by_icu_plot(None).status == feedback.NOT_ATTEMPTED
    plt.figure()
    plt.plot([0, 1, 2], [0.1, 0.2, 0.3])
    plt.xlabel("unit")
    fb = lesson05.death_by_icu_plot(None)
    assert fb.status != feedback.NOT_ATTEMPTED
    assert "I read the figure you drew" in fb.message and "1 line(s)" in fb.message and "x label 'unit'" in fb.message
    plt.close("all")
    monkeypatch.setattr(feedback, "_LAST_DRAWN", [])
    assert feedback.drawn_axes() == []


def test_walkthrough9_one_value_in_any_container_is_the_same_number():
    """Walkthrough 9 (06 ex 4, P5): `pd.Series([x])` was read as the number and ticked, `[x]` and a 1 x 1 DataFrame
    were refused; one value in a Series, array, DataFrame, list or tuple is now read the same way."""
    import numpy as np
    import pandas as pd

    for answer in (0.25, [0.25], (0.25,), pd.Series([0.25]), np.array([[0.25]]), pd.DataFrame([[0.25]])):
        assert feedback.number(answer) == 0.25, answer
    for answer in ([[0.25]], [True], [0.25, 0.5], pd.DataFrame([[True]])):
        assert isinstance(feedback.number(answer), feedback.Feedback), answer


def _run_in_kernel(cells: list[str], cwd) -> list[list[dict]]:
    """Run ``cells`` in a new Jupyter kernel working in ``cwd``; returns each cell's outputs."""
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    where = {"metadata": {"path": str(cwd)}}
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources=where).execute()
    return [c.outputs for c in nb.cells]


def test_a_check_that_is_not_the_last_line_of_its_cell_still_shows_its_feedback_once(tmp_path):
    # r15-s911 10-5-W12: a check followed by more code in its cell showed nothing (its feedback was a value only on
    # the last line); it is now shown when the cell ends, and a check on the last line is still shown once
    outs = _run_in_kernel(["from heartdata.checks import lesson00 as check",
                           "check.n_beats(3)\nx = 1",  # not the last line
                           "check.n_beats(3)",  # the last line: the cell's value
                           "check.n_beats(3)\ncheck.n_beats(None)",  # two checks
                           "print(check.n_beats(3))",  # printed
                           "fb = check.n_beats(3)\nfb"], tmp_path)  # fmt: skip

    def shown(outputs):
        return [(o["output_type"], o.get("data", {}).get("text/markdown") or o.get("text", "").strip())
                for o in outputs]  # fmt: skip

    wrong = "**✗ Not yet:**"
    assert len(shown(outs[1])) == 1 and shown(outs[1])[0][0] == "display_data" and wrong in shown(outs[1])[0][1]
    assert len(shown(outs[2])) == 1 and shown(outs[2])[0][0] == "execute_result" and wrong in shown(outs[2])[0][1]
    assert [k for k, _ in shown(outs[3])] == ["execute_result", "display_data"]
    assert "Not attempted" in shown(outs[3])[0][1] and wrong in shown(outs[3])[1][1]
    assert len(outs[4]) == 1 and outs[4][0]["output_type"] == "stream" and outs[4][0]["text"].startswith("✗ Not yet:")
    assert [k for k, _ in shown(outs[5])] == ["execute_result"]


def test_r17_s68_a_function_with_a_body_that_returns_none_is_an_attempt():
    """Walkthrough r17-s68 (06 ex2, 07 ex6): a function whose body was written but which forgot `return` was told
    "Not attempted yet" and not counted; only the stub (pass, ..., return None, a docstring) is not attempted."""
    def stub(x, fs):
        """Sample numbers of the QRS complexes."""
        return None  # your code here

    def ellipsis(table):
        ...

    def forgot(table):
        """Remove zero weights."""
        new = table[table > 0]  # noqa: F841 (the forgotten return is the point)

    def ends_in_return_none(table):
        new = table.copy()  # noqa: F841
        return None

    def returns_on_one_path(table):
        if len(table) > 5:
            return table

    for func in (stub, ellipsis, lambda t: None):
        assert feedback.is_stub(func), func
        assert feedback.returned_none(func, "f", "a table").status == feedback.NOT_ATTEMPTED
    for func in (forgot, ends_in_return_none, returns_on_one_path):
        assert not feedback.is_stub(func), func
        fb = feedback.returned_none(func, "f", "a table")
        assert fb.status == feedback.INCORRECT and "did you forget `return`?" in fb.message, fb
        assert "returned None" in fb.message and "It should return a table" in fb.message, fb
    assert "no line returns" in feedback.returned_none(forgot, "f", "x").message
    assert "without reaching it" in feedback.returned_none(returns_on_one_path, "f", "x").message
    # where the source cannot be read (exec), the code object decides
    space: dict = {}
    exec("def made(t):\n    'doc'\n    return None\ndef worked(t):\n    m = t + 1\n", space)
    assert feedback.is_stub(space["made"]) and not feedback.is_stub(space["worked"])
    assert not feedback.is_stub(print)  # not a stub the notebook gave


def test_r17_s68_numbers_and_arrays_are_named_plainly():
    """Walkthrough r17-s68 (07 ex4, ex3): a numpy scalar was shown as "float64 np.float64(0.98...)", an array as
    its repr cut mid-number."""
    fb = feedback.as_series(np.float64(0.9898404263880106))
    assert "the number 0.9898404263880106" in fb.message and "np.float64" not in fb.message, fb
    assert "the number 124" in feedback.as_series(np.int64(124)).message
    fb = feedback.as_series(np.arange(450) % 5)
    assert "a numpy array of shape (450,)" in fb.message and "array([" not in fb.message, fb


def test_r22_a_drawing_on_another_figure_is_an_attempt_said_the_same_in_every_lesson():
    """r22-s05 D00-1: `fig, ax = plt.subplots()` then `plt.figure(); plt.plot(...)` leaves `ax` empty; the checks said
    "Not attempted yet" (not counted) in lessons 00-03 and "Not yet: the Axes is empty" in 04-05. Now every figure
    check of lessons 00-05 says the same: the Axes is empty and the drawing went to another figure (an attempt); an
    empty Axes with nothing drawn elsewhere is not attempted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from heartdata.checks import lesson00, lesson01, lesson02, lesson03, lesson04, lesson05

    drawings = {
        lesson00.heart_rate_plot: lambda: plt.plot([0.1, 0.5, 1.0], [80, 85, 90], "o"),
        lesson01.weekday_plot: lambda: plt.bar(["Monday", "Tuesday"], [3, 4]),
        lesson02.signal_plot: lambda: plt.plot([60.0, 60.1, 60.2], [0.1, 0.2, 0.1]),
        lesson03.superclass_plot: lambda: pd.DataFrame({"any": [3, 4], "at_least_50": [2, 3]}).plot.bar(),
        lesson04.draws_plot: lambda: plt.errorbar([0, 1], [0.1, 0.2], yerr=0.05, fmt="o"),
        lesson05.death_by_icu_plot: lambda: plt.errorbar([0, 1], [0.1, 0.2], yerr=0.05, fmt="o"),
    }
    for check, draw in drawings.items():
        plt.close("all")
        _, ax = plt.subplots()
        fb = check(ax)
        assert fb.status == feedback.NOT_ATTEMPTED and "nothing is drawn on this Axes yet" in fb.message, fb
        plt.figure()
        draw()
        fb = check(ax)
        assert fb.status == feedback.INCORRECT, (check.__name__, fb)  # an attempt, counted in progress
        assert fb.message.startswith("your Axes is empty; it looks like you drew on another figure"), fb
        assert "`plt.figure()` made a new one" in fb.message and "Draw on `ax`" in fb.message, fb
    plt.close("all")
