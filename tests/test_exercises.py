"""Exercise generation: stubs that run, no solution text leaking, exercises/ always regenerated."""

from __future__ import annotations

import nbformat
import pytest
from conftest import REPO

from heartdata import exercises as gen


def test_assignment_becomes_a_none_stub():
    src = "x = 1\n# BEGIN SOLUTION\nclean = x * 2\nanswer, other = clean, 3\n# END SOLUTION\ncheck(answer)\n"
    assert (
        gen.strip_code(src) == "x = 1\nanswer = None  # your code here\nother = None  # your code here\ncheck(answer)\n"
    )


def test_function_keeps_signature_and_docstring():
    src = (
        "# BEGIN SOLUTION\ndef drop_sentinels(df, value=-1):\n"
        '    """Replace sentinel values by NaN."""\n    return df.replace(value, float("nan"))\n# END SOLUTION\n'
    )
    out = gen.strip_code(src)
    assert out.startswith("def drop_sentinels(df, value=-1):\n")
    assert '"""Replace sentinel values by NaN."""' in out and "replace(value" not in out
    namespace = {}
    exec(out, namespace)
    assert namespace["drop_sentinels"](None) is None


def test_explicit_stub_and_indentation():
    src = "for i in range(2):\n    # BEGIN SOLUTION\n    # STUB: total = 0\n    total = i * 10\n    # END SOLUTION\n"
    assert gen.strip_code(src) == "for i in range(2):\n    total = 0\n"


def test_block_that_assigns_nothing_is_an_authoring_error():
    with pytest.raises(gen.SolutionMarkupError, match="must assign a name"):
        gen.strip_code("# BEGIN SOLUTION\nprint(1)\n# END SOLUTION\n")


def test_markdown_solution_is_removed():
    md = "Why?\n<!-- BEGIN SOLUTION -->\nBecause of the -1 sentinels.\n<!-- END SOLUTION -->\nNext."
    assert gen.strip_markdown(md) == "Why?\nNext."


def test_unbalanced_marker_is_caught():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# BEGIN SOLUTION\nx = 1\n")])
    with pytest.raises(gen.SolutionMarkupError, match="unbalanced"):
        gen.make_exercise(nb)


def test_a_solutions_notebook_must_be_named_as_solutions(tmp_path):
    """A file the generator cannot name distinctly is refused, not written over the lesson's tab name."""
    sol = tmp_path / "solutions"
    sol.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), sol / "01-x.ipynb")
    with pytest.raises(gen.SolutionMarkupError, match="NN-topic-solutions.ipynb"):
        gen.generate(sol, tmp_path / "exercises")


def test_every_solution_has_an_up_to_date_exercise():
    stale = gen.generate(check=True)
    assert not stale, f"exercises out of date: {stale}; run `python -m heartdata.exercises`"


def test_generate_writes_and_removes_orphans(tmp_path):
    sol, ex = tmp_path / "solutions", tmp_path / "exercises"
    sol.mkdir()
    ex.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# BEGIN SOLUTION\na = 1\n# END SOLUTION")])
    nbformat.write(nb, sol / "01-x-solutions.ipynb")
    (ex / "99-old-practice.ipynb").write_text("{}")
    assert {p.name for p in gen.generate(sol, ex)} == {"01-x-practice.ipynb", "99-old-practice.ipynb"}
    assert [p.name for p in ex.iterdir()] == ["01-x-practice.ipynb"]
    assert gen.generate(sol, ex, check=True) == []


@pytest.mark.parametrize("solution", sorted((REPO / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_no_solution_leaks_into_the_exercise(solution):
    sol = nbformat.read(solution, as_version=4)
    ex = nbformat.read(REPO / "exercises" / gen.exercise_name(solution), as_version=4)
    ex_text = "\n".join(c.source for c in ex.cells)
    n_blocks = 0
    for cell in sol.cells:
        blocks = gen.CODE_BLOCK.findall(cell.source) if cell.cell_type == "code" else gen.MD_BLOCK.findall(cell.source)
        for block in blocks:
            body = block[1] if isinstance(block, tuple) else block
            n_blocks += 1
            for line in body.splitlines():
                line = line.strip()
                if (
                    len(line) > 12
                    and "BEGIN SOLUTION" not in line
                    and "END SOLUTION" not in line
                    and "STUB:" not in line
                ):
                    assert line not in ex_text, (
                        f"solution line leaked into exercises/{gen.exercise_name(solution)}: {line!r}"
                    )
    assert n_blocks >= 3, f"{solution.name} should hold at least 3 exercises with solutions"
    assert "your code here" in ex_text
