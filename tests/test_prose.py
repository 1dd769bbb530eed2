"""tools/prose.py: which cells write computed prose, how mixed cells are cut, and that folding is idempotent."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import prose  # noqa: E402


def cell(source: str):
    return nbformat.v4.new_code_cell(source)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('display(Markdown(f"{n} stays"))', "prose"),
        ('text = f"{n} stays" + " in all"\ndisplay(Markdown(text))', "prose"),
        ('if n:\n    display(Markdown("some"))\nelse:\n    display(Markdown("none"))', "prose"),
        ('n = len(x)\ndisplay(Markdown(f"{n} stays"))', "mixed"),
        ('display(Markdown(f"{n}"))\ntable', "mixed"),
        ("n = len(x)\nn", "code"),
        ("%timeit f()", "code"),
    ],
)
def test_kind(source, expected):
    assert prose.kind(cell(source)) == expected


def test_split_keeps_statements_in_order_and_silences_an_expression_that_was_not_last():
    source = "# count\nn = len(x)\nax_set = n.bit_length()\nn.real\ndisplay(Markdown(f'{n}'))\ntable\n"
    parts = prose.split_source(source)
    assert [k for k, _ in parts] == ["code", "prose", "code"]
    assert parts[0][1] == "# count\nn = len(x)\nax_set = n.bit_length()\nn.real;"
    assert parts[1][1] == "display(Markdown(f'{n}'))"
    assert parts[2][1] == "table"


def test_no_split_when_plotting_follows_the_prose():
    source = "fig, ax = plt.subplots()\ndisplay(Markdown('x'))\nax.plot([1, 2])\n"
    assert prose.split_source(source) is None


def test_process_marks_splits_and_is_idempotent(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            cell('n = 3\ndisplay(Markdown(f"{n}"))'),
            cell('display(Markdown("only prose"))'),
            cell("fig, ax = plt.subplots()\ndisplay(Markdown('x'))\nax.plot([1])"),
        ]
    )
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    changed, left = prose.process(path, split=True)
    assert changed == 2 and len(left) == 1 and "cell 2" in left[0]
    after = nbformat.read(path, as_version=4)
    assert [prose.kind(c) for c in after.cells] == ["code", "prose", "prose", "mixed"]
    assert all(prose.is_marked(c) for c in after.cells if prose.kind(c) == "prose")
    assert len({c.id for c in after.cells}) == 4
    assert prose.process(path, split=True)[0] == 0
    assert [line.split(": ", 1)[1] for line in prose.problems(path)] == [
        "cell 3 mixes computation and prose: move the computation to the cell above"
    ]
