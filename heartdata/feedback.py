"""Feedback for exercises: says what is wrong in words a student understands.

A check never raises in a notebook: whatever the student passes, it returns a ``Feedback`` that displays as one line
that starts with words saying where the answer stands: "○ Not attempted yet", "✗ Not yet", "✗ Not yet, a known
mistake" (the check recognises the mistake and names it) or "✓ Correct". The marks are plain characters that every
common font has (DejaVu Sans included), never emoji. Expected values are always computed from the data by the check,
never typed in.

**Rounding.** One rule for every number (``check_number``, ``rounding``):

- *correct*: within the check's tolerance of the expected value (``rel``, relative; ``abs_``, absolute). ``15.0``
  for a value that is exactly 15 is correct, and so is any answer inside the tolerance, rounded or not: a check that
  accepts 1% has no "rounded" class inside that 1%;
- *a named mistake*: equal (within the same tolerance) to what a known mistake gives, and not correct (a mistake's
  value rounded by the rule below names the mistake and says it was rounded);
- *the right answer rounded*: none of those, and exactly the expected value rounded to 1-6 decimals (half up or
  half to even: 0.1385 gives 0.139 or 0.138), with something left (not 0) and two decimals or two significant
  digits kept (``0.8`` for 0.7956 is too coarse: many computations give it). So ``7.1`` and ``7.14`` for 7.1398,
  ``0.139`` and ``0.1385`` for 0.13854, ``0.05`` for 0.0492 and ``74.0`` for 73.98 (both to 1 or 2 decimals, as
  ``round(x, 2)`` and ``round(x, 1)`` give them) are all "rounded" under a tight tolerance, and all correct under a
  1% one. Rounding to 0 decimals is not counted: a whole number that no rounding to 1 or more decimals gives
  (``15.0`` for 15.3, ``7.0`` for 7.14: a count, or a value computed another way) is never called rounded, and
  neither is a value that is not such a rounding. When a named mistake gives the same number as a rounding of the
  right answer, the message names the mistake and says the number is also the right answer rounded. Several
  numbers (a Series) are "rounded" when each is right or its expected value rounded to the same decimals
  (``rounding_all``);
- otherwise *not it*.

**Kinds of answer.** Each kind has one rule, the same in every lesson; the ``as_*`` helpers apply it and return
either the answer converted (a private copy) or a ``Feedback`` that says what kind was expected and what came:

- a *number* (``number``): int, float, a numpy scalar, a 0-d array, or the one value of a one-element Series,
  array, DataFrame, list or tuple (all of them, so that ``[x]`` and ``pd.Series([x])`` get the same verdict);
  ``True`` and ``False`` are refused (a yes/no is not a count), and so is text that looks like a number;
- a *table* (``as_table``): a DataFrame. Tables are compared on their content: an index that carries meaning (named,
  or not the default 0..n-1) counts as columns, so ``df`` and ``df.reset_index()`` are the same answer, and a default
  index is ignored. A Series passes as a one-column table in the same way;
- a *Series* (``as_series``): a Series; a one-column DataFrame is accepted as its column, a DataFrame with more
  columns is refused (naming its columns), a dict is accepted as a Series of its items;
- a *mapping* (``as_mapping``): a dict or a Series (its index as keys);
- a *collection of ids* (``as_ids``): a list, tuple, set, numpy array, pandas Index or Series (its values); a
  generator or iterator is refused (checking it would use it up) with a message that says to make a list;
- *text* (``as_text``): a str, stripped of surrounding spaces.

**Attempts.** ``None`` means "not attempted" only when nothing was attempted: when the variable the check receives
was assigned ``None`` by the stub. If the student's cell assigned it the result of ``print(...)`` (or of a method
that changes its object and returns None, such as ``inplace=True``), the check says so (``why_none`` reads the
cells of the IPython session). A figure exercise reads the figure the student drew (``drawn_axes``: the open
figures, else those the last cell showed) when no Axes was passed, and says what it found.

**Named mistakes.** A check declares every mistake it can name, ``@exercise(mistakes={key: message template})``,
and names one with ``named(key, **values)`` or ``mistake_at(key, value, **values)``; tools/guide.py reads the same
declarations, so the instructor guide lists every mistake a check can name, conditional ones included.

**Progress.** Every check's verdict is recorded for the session; ``heartdata.progress()`` shows the lesson's
exercises with the verdict of their last attempt and whether they were solved once, merged with the earlier
sessions the hand-in file already holds (a kernel restart adds to it, never erases it), and writes the hand-in file
(heartdata/_progress.py says its format). Each check writes its verdict into that file as it runs, so a kernel
restart loses none. A check run with ``None`` is not an attempt and changes no record.

**Shown once, wherever the call is.** A check's feedback is its cell's value when the call is the cell's last line;
when it is not (more code after it, or two checks in one cell), it is shown when the cell ends. Never twice.

**The student's objects are never changed.** ``@exercise`` hands every check private copies of pandas objects,
arrays and containers, and refuses generators and iterators rather than consume them.
"""

from __future__ import annotations

import ast
import collections.abc
import functools
import math
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

NOT_ATTEMPTED, INCORRECT, CLOSE, CORRECT = "not attempted", "incorrect", "close", "correct"
# What a student reads first, for each status. "close" is a known, named mistake: the words say so, so
# that it never reads as "nearly right".
LABEL = {
    NOT_ATTEMPTED: "○ Not attempted yet",
    INCORRECT: "✗ Not yet",
    CLOSE: "✗ Not yet, a known mistake",
    CORRECT: "✓ Correct",
}


@dataclass(frozen=True)
class Feedback:
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    @property
    def label(self) -> str:
        """The words the feedback starts with, e.g. "✗ Not yet, a known mistake"."""
        return LABEL[self.status]

    def __str__(self) -> str:
        object.__setattr__(self, "_shown", True)  # printed, shown as a cell's value, or put in a string
        return f"{self.label}: {self.message}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        object.__setattr__(self, "_shown", True)
        return f"**{self.label}:** {self.message}"


def not_attempted(hint: str = "replace `None` with your answer and run the cell again.") -> Feedback:
    return Feedback(NOT_ATTEMPTED, hint)


def correct(message: str = "well done.") -> Feedback:
    return Feedback(CORRECT, message)


def _without_prefix(message: str, status: str) -> str:
    # The status is displayed already; a message that repeats it ("close: ...", or its label) would say it twice.
    for prefix in (f"{status}: ", f"{LABEL[status]}: "):
        if message.lower().startswith(prefix.lower()):
            return message[len(prefix) :]
    return message


def close(message: str) -> Feedback:
    return Feedback(CLOSE, _without_prefix(message, CLOSE))


def incorrect(message: str) -> Feedback:
    return Feedback(INCORRECT, _without_prefix(message, INCORRECT))


# --- kinds of answer --------------------------------------------------------------------------------------------


def _kind(answer) -> str:
    """How a student would name what they passed: 'a DataFrame with columns a, b', 'a list of 3 items', ..."""
    import pandas as pd

    if isinstance(answer, pd.DataFrame):
        cols = ", ".join(map(str, list(answer.columns)[:6])) + (", ..." if answer.shape[1] > 6 else "")
        return f"a DataFrame with {answer.shape[1]} column(s) ({cols}) and {len(answer)} row(s)"
    if isinstance(answer, pd.Series):
        return f"a Series of {len(answer)} value(s)"
    if isinstance(answer, bool):
        return f"the yes/no value {answer}"
    if isinstance(answer, str):
        return f"the text {answer!r:.60}"
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        return f"a {type(answer).__name__} of {len(answer)} item(s)"
    if _is_iterator(answer):
        return f"a {type(answer).__name__} (a one-use iterator)"
    import numbers

    import numpy as np

    if isinstance(answer, np.ndarray):  # its repr, cut, ends mid-number (r17-s68 07-3)
        return f"a numpy array of shape {answer.shape}"
    if isinstance(answer, numbers.Number):  # np.float64(0.98) shown as the number 0.98 (r17-s68 07-4)
        value = answer.item() if isinstance(answer, np.generic) else answer
        return f"the number {value!r:.60}"
    return f"{type(answer).__name__} {answer!r:.60}"


def _is_iterator(answer) -> bool:
    return isinstance(answer, collections.abc.Iterator)


def _iterator_feedback(answer, expects: str | None = None) -> Feedback:
    """Refuse an iterator without using it up. ``expects``, what the exercise asks for when that is not a list
    (a Series, say), replaces the generic advice to make a list, which such a check would refuse in turn."""
    used_up = f"you passed {_kind(answer)}: checking it would use it up, and your variable would be empty afterwards. "
    if expects:
        return incorrect(used_up + f"The exercise asks for {expects}: build that from it first, then pass it.")
    return incorrect(used_up + "Make a list first, e.g. `answer = list(...)` or a list comprehension "
                     "`[... for ... in ...]`.")  # fmt: skip


def as_number(answer) -> float | None:
    """A plain number from an int, float, numpy scalar, 0-d array, or the one value of a one-element Series, array,
    DataFrame, list or tuple; else None."""
    import numbers

    if isinstance(answer, (list, tuple)) and len(answer) == 1:
        answer = answer[0]
        if isinstance(answer, (list, tuple)):  # [[x]] is a table, not a number
            return None
    if hasattr(answer, "to_numpy") and not hasattr(answer, "item") and getattr(answer, "size", None) == 1:
        answer = answer.to_numpy().ravel()[0]  # a 1 x 1 DataFrame
    if hasattr(answer, "item") and getattr(answer, "size", 1) == 1 and not isinstance(answer, (str, bytes)):
        try:
            answer = answer.item()
        except (TypeError, ValueError):
            return None
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    return float(answer)


def number(answer, what: str = "a number") -> float | Feedback:
    """The answer as a float, or a Feedback saying why it is not a number (a bool, text, several values...)."""
    import numpy as np

    if isinstance(answer, (bool, np.bool_)):
        return incorrect(f"expected {what}, got the yes/no value {answer}: give the number itself (a count or a "
                         "rate), not whether something is true.")  # fmt: skip
    if _is_iterator(answer):
        return _iterator_feedback(answer)
    value = as_number(answer)
    if value is not None:
        return value
    if isinstance(answer, str):
        try:
            float(answer.replace(",", ""))
        except ValueError:
            return incorrect(f"expected {what}, got {_kind(answer)}.")
        return incorrect(f"expected {what}, got the text {answer!r}: give the number without quotes.")
    size = getattr(answer, "size", None)
    if size is None and isinstance(answer, collections.abc.Sized):
        size = len(answer)
    if size is not None and size != 1:
        how = ("pick the value you mean (`d[key]`) or combine them (`sum(d.values())`)" if isinstance(answer, dict)
               else "compute from these values the one number the exercise asks for")  # a dict has no .sum()
        return incorrect(f"expected {what}, one value, got {_kind(answer)}: {how}.")
    return incorrect(f"expected {what}, got {_kind(answer)}.")


def _meaningful_index(index) -> bool:
    import pandas as pd

    if any(name is not None for name in index.names):
        return True
    return not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1)


def as_table(answer, what: str = "a table (a pandas DataFrame)"):
    """A private copy of the table with a meaningful index turned into columns and a default one dropped, so that
    ``df`` and ``df.reset_index()`` compare equal; a Series becomes a one-column table the same way."""
    import pandas as pd

    if isinstance(answer, pd.Series):
        answer = answer.to_frame(name=answer.name if answer.name is not None else "value")
    if not isinstance(answer, pd.DataFrame):
        if _is_iterator(answer):
            return _iterator_feedback(answer)
        return incorrect(f"expected {what}, got {_kind(answer)}.")
    table = answer.copy(deep=True)
    if _meaningful_index(table.index):
        names = [n if n is not None else f"level_{i}" for i, n in enumerate(table.index.names)]
        if len(names) == 1 and table.index.names[0] is None:
            names = ["index"]
        clash = [n for n in names if n in table.columns]
        if clash:  # the index repeats a column: keep the column
            table = table.reset_index(drop=True)
        else:
            table.index = table.index.set_names(names)
            table = table.reset_index()
    else:
        table = table.reset_index(drop=True)
    return table


def as_series(answer, what: str = "a pandas Series"):
    """A private copy of the answer as a Series: a one-column DataFrame gives its column, a dict its items."""
    import pandas as pd

    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            return incorrect(f"expected {what}, one column of values, got {_kind(answer)}: select the column you "
                             "mean, e.g. `df['name']`.")  # fmt: skip
        return answer.iloc[:, 0].copy(deep=True)
    if isinstance(answer, dict):
        return pd.Series(dict(answer))
    if isinstance(answer, pd.Series):
        return answer.copy(deep=True)
    if _is_iterator(answer):
        return _iterator_feedback(answer)
    return incorrect(f"expected {what}, got {_kind(answer)}.")


def as_mapping(answer, what: str = "a mapping (a dict or a Series)"):
    """A private dict from a dict or a Series (its index as keys); a one-column DataFrame counts as its column."""
    import pandas as pd

    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        answer = answer.iloc[:, 0]
    if isinstance(answer, pd.Series):
        return dict(answer.copy(deep=True).items())
    if isinstance(answer, collections.abc.Mapping):
        import copy

        return copy.deepcopy(dict(answer))
    if _is_iterator(answer):
        return _iterator_feedback(answer)
    return incorrect(f"expected {what}, got {_kind(answer)}.")


def as_ids(answer, what: str = "a collection of ids (a list, set, array, Index or Series)"):
    """A private list of the ids: from a list, tuple, set, numpy array, pandas Index or Series (its values). A
    generator or iterator is refused, never consumed; text, a dict and a DataFrame are refused."""
    import numpy as np
    import pandas as pd

    if _is_iterator(answer):
        return _iterator_feedback(answer)
    if isinstance(answer, (str, bytes)):
        return incorrect(f"expected {what}, got {_kind(answer)}: put the ids in a list, e.g. `[1, 2, 3]`.")
    if isinstance(answer, pd.DataFrame):
        return incorrect(f"expected {what}, got {_kind(answer)}: pass the column of ids, e.g. `df['RecordID']`, "
                         "or `df.index`.")  # fmt: skip
    if isinstance(answer, (dict, collections.abc.Mapping)):
        return incorrect(f"expected {what}, got {_kind(answer)}: pass its keys (`list(d)`) or its values.")
    if isinstance(answer, (pd.Series, pd.Index, np.ndarray)):
        return [v.item() if hasattr(v, "item") else v for v in np.asarray(answer).ravel().tolist()]
    if isinstance(answer, (list, tuple, set, frozenset, range)):
        return list(answer)
    return incorrect(f"expected {what}, got {_kind(answer)}.")


def as_text(answer, what: str = "text (a str)"):
    """The answer as a str without surrounding spaces; anything else is refused."""
    if isinstance(answer, str):
        return answer.strip()
    return incorrect(f"expected {what}, got {_kind(answer)}: put it in quotes, e.g. `'...'`.")


# --- numbers and rounding ----------------------------------------------------------------------------------------


def same(a: float, b: float, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def _rounded_to(value: float, expected: float, d: int) -> bool:
    """True when ``value`` is exactly ``expected`` rounded to ``d`` decimals (half up, half to even or numpy's), the
    rounding changed it, something is left (not 0), and it keeps two decimals or two significant digits (0.05 to 2
    decimals, 7.1 or 74.0 to 1; 0.8 to 1 decimal is too coarse to tell from a value found another way)."""

    def exact(a, b):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)

    import numpy as np

    expected = float(expected)  # Python rounds the binary value (correctly): 0.1385 -> 0.138
    step = Decimal(1).scaleb(-d)
    # numpy (and pandas' .round) scales first, so a binary value just under a half can round up: 3.115 -> 3.12
    candidates = {round(expected, d), float(np.round(expected, d))} | {
        float(Decimal(repr(expected)).quantize(step, rounding=mode)) for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN)
    }
    return any(
        r != 0 and not exact(r, expected) and exact(value, r) and (d >= 2 or _digits(r) >= 2) for r in candidates
    )


def _digits(x: float) -> int:
    """Significant digits of ``x`` written in its shortest form: 7.1 -> 2, 0.139 -> 3, 74.0 -> 2, 0.2 -> 1."""
    mantissa = f"{abs(x):.15g}".split("e")[0]
    return len(mantissa.replace(".", "").lstrip("0"))


def rounding(value: float, expected: float, rel: float = 1e-6, abs_: float = 1e-9) -> str | None:
    """How ``value`` is ``expected`` rounded ("to 2 decimals"), or None if it is not the right answer rounded by the
    module's rule: inside the tolerance it is correct, not rounded; a rounding is exact, to 1-6 decimals, and leaves
    something (not 0). A whole number is a rounding only when rounding to 1 or more decimals gives it (74.0 for
    73.98 to 1 decimal); rounding to 0 decimals is not counted (15.0 for 15.3 is a count, or another computation)."""
    if not (math.isfinite(value) and math.isfinite(expected)) or same(value, expected, rel, abs_):
        return None
    for d in range(1, 7):
        if _rounded_to(value, expected, d):
            return f"to {d} decimal{'s' if d != 1 else ''}"
    return None


def rounding_all(values, expected, rel: float = 1e-6, abs_: float = 1e-9) -> str | None:
    """The rounding rule for several numbers at once (a Series, a table's column): how ``values`` are ``expected``
    rounded ("to 2 decimals"), when every value is either right (within the tolerance) or exactly its expected value
    rounded to the same number of decimals, and at least one was changed by it; else None."""
    pairs = [(float(v), float(e)) for v, e in zip(values, expected, strict=True)]
    if not pairs or not all(math.isfinite(v) and math.isfinite(e) for v, e in pairs):
        return None
    off = [(v, e) for v, e in pairs if not same(v, e, rel, abs_)]
    if not off:
        return None
    for d in range(1, 7):
        to_zero = [(v, e) for v, e in off if v == 0 and abs(e) < 0.5 * 10**-d]  # 0.003 to 2 decimals is 0.0
        if len(to_zero) < len(off) and all(_rounded_to(v, e, d) or (v, e) in to_zero for v, e in off):
            return f"to {d} decimal{'s' if d != 1 else ''}"
    return None


def shown(value: float, answer=None) -> str:
    """A number as the student wrote it: ``74.0`` stays ``74.0`` when the answer was a float (a rounding shows),
    other values with up to 6 significant digits."""
    import numpy as np

    if isinstance(answer, (float, np.floating)) and math.isfinite(value) and value == int(value):
        return f"{value:.1f}"
    return f"{value:g}"


def check_number(
    answer, expected: float, mistakes=(), what: str = "a number", hint: str = "", rel: float = 1e-6,
    abs_: float = 1e-9,
) -> Feedback:  # fmt: skip
    """Compare a numeric answer with ``expected`` by the module's rounding rule. ``mistakes`` is a list of (value a
    typical mistake gives, message naming that mistake), or of ``Mistake``s; ``hint`` is added when the answer
    matches no known mistake; ``rel`` and ``abs_`` are the tolerance of a right answer and of a mistake."""
    value = number(answer, what)
    if isinstance(value, Feedback):
        return value
    if math.isnan(value):  # "nan is not it" says nothing: NaN is what a mean or min of no values gives
        return incorrect("your value is NaN (not a number), which is what a mean, minimum or difference of no values "
                         "gives: the selection you computed it from is probably empty (or holds one row). Look at how "
                         f"many rows your filter keeps. {hint}".rstrip())  # fmt: skip
    if same(value, expected, rel, abs_):
        return correct()
    import numpy as np

    # an int answer (74, not 74.0) can only be a rounding to 0 decimals, which the rule does not count
    whole = isinstance(answer, (int, np.integer)) and not isinstance(answer, (bool, np.bool_))
    how = None if whole else rounding(value, expected, rel, abs_)
    for wrong, message in mistakes:
        if wrong is not None and same(value, float(wrong), rel, abs_):
            if how:  # the mistake and a rounding of the right answer give the same number: say both
                message += (f" ({shown(value, answer)} is also the right answer rounded {how}: if that is what you "
                            "did, store the value unrounded.)")  # fmt: skip
            return close(message)
    if how:
        return close(
            f"{shown(value, answer)} is the right answer rounded {how}. Store the value you computed, unrounded "
            "(round only when you display it), so that it can be checked exactly."
        )
    for wrong, message in mistakes:  # a named mistake, rounded: name the mistake, and say it was rounded
        how = rounding(value, float(wrong), rel, abs_) if wrong is not None and not whole else None
        if how:
            return close(f"{message} (Your value is also rounded {how}: store it unrounded.)")
    return incorrect(f"{shown(value, answer)} is not it. {hint or 'Re-read the question and look at the data again.'}")


# --- attempts: a None that is not the stub, a figure drawn but not passed ----------------------------------------


def _shell():
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def _inputs() -> list[str]:
    """The cells run so far in this IPython session, oldest first (empty outside IPython)."""
    shell = _shell()
    if shell is None:
        return []
    return [str(s) for s in shell.user_ns.get("In", [])]


def _parse(source: str):
    try:
        return ast.parse("\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()))
    except SyntaxError:
        return None


def _argument(check_name: str, source: str) -> str | None:
    """The name passed as first argument to ``check_name(...)`` in ``source``, if it is a plain name."""
    tree = _parse(source)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name):
            f = node.func
            if (isinstance(f, ast.Attribute) and f.attr == check_name) or (
                isinstance(f, ast.Name) and f.id == check_name
            ):
                return node.args[0].id
    return None


#: What :func:`_assigned` returns when ``name`` was last bound by a loop, an unpacking or a ``with ... as``: there is
#: no one expression to quote.
BOUND_OTHERWISE = ast.Constant(value=Ellipsis)


def _top_level(tree):
    """The nodes of a cell that run at its top level: not inside a function, a lambda or a class, whose names are
    their own (walkthrough r27: an assignment inside an earlier cell's function was quoted as the student's)."""
    todo = list(ast.iter_child_nodes(tree))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def _binds(node, name: str):
    """The expression ``node`` assigns to ``name`` (BOUND_OTHERWISE for a loop or ``with`` target), or None."""
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return node.value
        if any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t)):
            return BOUND_OTHERWISE  # unpacked: a, b = ...
    if isinstance(node, ast.NamedExpr) and node.target.id == name:
        return node.value
    targets = {ast.For: "target", ast.AsyncFor: "target", ast.withitem: "optional_vars"}
    if type(node) in targets:
        target = getattr(node, targets[type(node)])
        if target is not None and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target)):
            return BOUND_OTHERWISE
    return None


def _assigned(name: str, inputs: list[str], line: int | None = None) -> ast.expr | None:
    """The expression last assigned to ``name`` at the top level of the most recent cell that assigns it; in the
    last cell (the one running the check) only above ``line``, the line of the check's call, where it is known."""
    for k, source in enumerate(reversed(inputs)):
        tree = _parse(source)
        if tree is None:
            continue
        found, value = None, None
        for node in _top_level(tree):
            bound = _binds(node, name)
            if bound is None or (k == 0 and line is not None and node.lineno >= line):
                continue
            if found is None or (node.lineno, node.col_offset) > (found.lineno, found.col_offset):
                found, value = node, bound
        if found is not None:
            return value
    return None


def _calling_line() -> int | None:
    """The line of the running cell that called the check (the outermost frame running a cell's own code)."""
    shell = _shell()
    if shell is None:
        return None
    frame, line = sys._getframe(1), None
    while frame is not None:
        if frame.f_globals is shell.user_ns and frame.f_code.co_name == "<module>":
            line = frame.f_lineno
        frame = frame.f_back
    return line


_MUTATING = {"sort", "append", "extend", "insert", "update", "clear", "reverse", "remove", "add", "discard"}


def why_none(check_name: str, inputs: list[str] | None = None, line: int | None = None) -> Feedback:
    """Feedback for an answer that is None: not attempted when the stub's ``= None`` is still there; otherwise what
    the student's assignment did (print returns None, inplace=True returns None, ...). ``line``: the line of the
    last input that calls the check (found from the running cell when ``inputs`` is not given)."""
    if inputs is None:
        inputs, line = _inputs(), _calling_line()
    if not inputs:
        return not_attempted()
    name = _argument(check_name, inputs[-1])
    value = _assigned(name, inputs, line) if name else None
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return not_attempted()
    if value is BOUND_OTHERWISE:
        return incorrect(f"`{name}` is None: the line that last gave it its value (a loop, an unpacking or a "
                         "`with`) left None in it. Check that the value you want is what ends up in "
                         f"`{name}`, then run the cell again.")  # fmt: skip
    code = ast.unparse(value)
    code = code if len(code) <= 60 else code[:57] + "..."
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("print", "display"):
        return incorrect(
            f"`{name}` is None: you assigned the result of {value.func.id}(...), which shows a value and returns None. "
            f"Assign the value itself (`{name} = ...`), then {value.func.id} it on another line if you want to see it."
        )
    if isinstance(value, ast.Call) and any(
        k.arg == "inplace" and isinstance(k.value, ast.Constant) and k.value.value for k in value.keywords
    ):
        return incorrect(
            f"`{name}` is None: a method called with `inplace=True` changes its object and returns None. Drop "
            f"`inplace=True` and assign what the method returns: `{name} = ...`."
        )
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _MUTATING:
        return incorrect(
            f"`{name}` is None: `.{value.func.attr}(...)` changes its object in place and returns None. Assign the "
            f"object itself after the call (or use `sorted(...)` for a sorted copy)."
        )
    return incorrect(f"`{name}` is None: the expression you assigned to it (`{code}`) gives None. Check that it "
                     "returns the value (a function needs a `return`), then run the cell again.")  # fmt: skip


def _is_stub_body(body: list) -> bool:
    """Whether a function body (its docstring dropped) is the exercise's stub: nothing but ``pass``, ``...`` and
    ``return`` / ``return None`` (comments are not in the tree)."""
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    for node in body:
        if isinstance(node, ast.Pass):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis:
            continue
        if isinstance(node, ast.Return) and (node.value is None or (isinstance(node.value, ast.Constant)
                                                                   and node.value.value is None)):
            continue
        return False
    return True


def _function_node(func):
    """The ``def`` of ``func`` parsed from its source, or None where the source cannot be read (a lambda, a function
    made with exec, a builtin): the caller then falls back on the code object."""
    import inspect
    import textwrap

    if getattr(func, "__name__", "<lambda>") == "<lambda>":
        return None
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    node = tree.body[0] if tree.body else None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == func.__name__:
        return node
    return None


def is_stub(func) -> bool:
    """Whether ``func`` is still the exercise's stub (its body only ``pass``, ``...`` or ``return None``), so that
    its None means "not attempted"; a function whose body does anything is an attempt."""
    node = _function_node(func)
    if node is not None:
        return _is_stub_body(node.body)
    code = getattr(func, "__code__", None)
    if code is None:  # a callable object, a builtin: not the stub the notebook gave
        return False
    n_args = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)
    return (not code.co_names and code.co_nlocals == n_args and not code.co_freevars
            and all(c is None or c is Ellipsis or isinstance(c, str) for c in code.co_consts))  # fmt: skip


def returned_none(func, name: str, returns: str) -> Feedback:
    """Feedback for a function the check ran that returned None: not attempted while it is the stub; otherwise an
    attempt, and most often a forgotten ``return``. ``returns`` says what it should return, e.g.
    "`(new_table, log)`"."""
    if is_stub(func):
        return not_attempted(f"write the body of `{name}` so that it returns {returns}.")
    node = _function_node(func)
    gives = (node is not None and any(isinstance(n, ast.Return) and n.value is not None
                                      and not (isinstance(n.value, ast.Constant) and n.value.value is None)
                                      for n in ast.walk(node)))  # fmt: skip
    how = ("it has a `return` with a value, but the run the check made ended without reaching it (or at a "
           "`return None`)" if gives else "its body runs, but no line returns the result")
    return incorrect(f"your function `{name}` returned None: did you forget `return`? {how[0].upper()}{how[1:]}. "
                     f"It should return {returns}.")  # fmt: skip


#: The figures the last cell that drew any showed (the inline backend closes them when the cell ends).
_LAST_DRAWN: list = []


def _remember_figures() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    from matplotlib._pylab_helpers import Gcf

    figures = [m.canvas.figure for m in Gcf.get_all_fig_managers()]
    if figures:
        _LAST_DRAWN[:] = figures


def _install_figure_memory() -> None:
    """Run ``_remember_figures`` after every cell, before the inline backend shows and closes the figures."""
    shell = _shell()
    if shell is None or getattr(shell, "_heartdata_figures", False):
        return
    callbacks = shell.events.callbacks.get("post_execute")
    if callbacks is None:
        return
    callbacks.insert(0, _remember_figures)
    shell._heartdata_figures = True


def _has_data(ax) -> bool:
    return bool(ax.lines or ax.collections or ax.patches or ax.containers or ax.images)


def drawn_axes() -> list:
    """The Axes with something drawn on them, of the open figures, else of the figures the last cell showed."""
    figures = []
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        figures = [pyplot.figure(n) for n in pyplot.get_fignums()]
    if not any(_has_data(ax) for f in figures for ax in f.axes):
        figures = list(_LAST_DRAWN)
    return [ax for f in figures for ax in f.axes if _has_data(ax)]


def describe_axes(ax) -> str:
    """What an Axes shows, in a few words: lines, points, bars, labels."""
    parts = []
    lines = [ln for ln in ax.lines if len(ln.get_xdata()) > 1]
    if lines:
        parts.append(f"{len(lines)} line(s)")
    points = sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets"))
    if points:
        parts.append(f"{points} point(s) or marks")
    bars = sum(len(c) for c in ax.containers if type(c).__name__ == "BarContainer")
    if bars:
        parts.append(f"{bars} bar(s)")
    labels = ", ".join(f"{k} label '{v}'" for k, v in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if v)
    return ", ".join(parts or ["nothing I can read"]) + (f"; {labels}" if labels else "; no axis labels")


def drawn_elsewhere(ax) -> list:
    """The Axes with data on figures opened after ``ax``'s: where ``plt.plot`` went when ``plt.figure()`` (or a
    pandas ``.plot()`` without ``ax=``) made a new figure after ``fig, ax = plt.subplots()``."""
    if sys.modules.get("matplotlib.pyplot") is None:
        return []
    from matplotlib._pylab_helpers import Gcf

    managers = Gcf.get_all_fig_managers()
    mine = [m.num for m in managers if m.canvas.figure is getattr(ax, "figure", None)]
    if not mine:
        return []
    later = [m.canvas.figure for m in managers if m.num > mine[0]]
    return [a for f in later for a in f.axes if a is not ax and _has_data(a)]


def empty_axes(ax, how: str) -> Feedback:
    """The feedback for an Axes with nothing drawn on it, the same in every lesson: "not attempted", unless a figure
    made after it holds a drawing, which is an attempt drawn on the wrong figure. ``how`` says how to draw on it."""
    elsewhere = drawn_elsewhere(ax)
    if elsewhere:
        return incorrect(f"your Axes is empty; it looks like you drew on another figure (it shows "
                         f"{describe_axes(elsewhere[-1])}): `plt.figure()` made a new one, or a pandas `.plot()` "
                         f"without `ax=ax` did, and `plt.plot`, `plt.bar`, ... draw on the newest figure. Draw on "
                         f"`ax`: {how}")  # fmt: skip
    return not_attempted(f"nothing is drawn on this Axes yet: {how}")


def _is_figure_check(check) -> bool:
    names = set(check.__code__.co_names)
    return bool(getattr(check, "figure", False) or names & {"judge_rate_plot", "Axes"})


def _is_axes(answer) -> bool:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(answer, tuple) and len(answer) == 2:
        return any(_is_axes(a) for a in answer)
    return isinstance(answer, (Axes, Figure))


# --- named mistakes ----------------------------------------------------------------------------------------------
#
# One mechanism for the feedback and the instructor guide: a check declares every mistake it can name in its
# decorator, as a literal dict of key -> message template (``str.format`` placeholders for the numbers that depend
# on the data), and names one with ``named(key, **values)`` (for ``close``) or ``mistake_at(key, value, **values)``
# (for ``check_number``'s list). tools/guide.py reads the same dicts from the source, so the guide lists every
# mistake a check can name, including those a check names only under a condition.
#
#     @exercise(mistakes={"ecgs": "that is the number of ECGs ({n:,}); count the patients."})
#     def n_patients(answer):
#         ecgs = len(meta)
#         return check_number(answer, expected, mistakes=[mistake_at("ecgs", ecgs, n=ecgs)])


@dataclass(frozen=True)
class Mistake:
    """A named mistake: its key and its message template."""

    key: str
    message: str

    def say(self, **values) -> str:
        return self.message.format(**values)


_CURRENT: list[dict[str, Mistake]] = []  # the declared mistakes of the checks running now (innermost last)


def named(key: str, **values) -> str:
    """The message of the running check's declared mistake ``key``, with ``values`` filled in."""
    if not _CURRENT or key not in _CURRENT[-1]:
        known = ", ".join(_CURRENT[-1]) if _CURRENT else "none: the check declares no mistakes"
        raise KeyError(f"{key!r} is not a mistake this check declares (known: {known})")
    return _CURRENT[-1][key].say(**values)


def mistake_at(key: str, value, **values) -> tuple:
    """``(value, message)`` for ``check_number``'s ``mistakes``: the value mistake ``key`` gives, and its message."""
    return value, named(key, **values)


#: When a list, every "known mistake" feedback a check gives is appended as (module, check, message): the tests
#: set it to compare what the checks say with what the instructor guide lists.
RECORD: list | None = None


# --- the decorator -----------------------------------------------------------------------------------------------


def private(x):
    """A copy of ``x`` the check may read (and even change) without touching the student's object."""
    import numpy as np
    import pandas as pd

    if isinstance(x, (pd.DataFrame, pd.Series, pd.Index)):
        return x.copy(deep=True)
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, list):
        return [private(v) for v in x]
    if isinstance(x, tuple) and type(x) is tuple:
        return tuple(private(v) for v in x)
    if isinstance(x, dict) and type(x) is dict:
        return {k: private(v) for k, v in x.items()}
    if isinstance(x, (set, frozenset)):
        return type(x)(x)
    return x


def exercise(check=None, *, figure: bool = False, mistakes: dict[str, str] | None = None, expects: str | None = None):
    """Decorate a check: the student's objects are copied (iterators refused), ``None`` is judged by
    ``why_none`` (or, for a figure exercise, the figure drawn is read), and no error ever escapes.

    ``@exercise``, ``@exercise(figure=True)``, ``@exercise(mistakes={key: message template})`` (a literal dict, or
    the name of a module-level literal dict, so that tools/guide.py can read it); ``expects`` names what the answer
    must be where a list is not it, for the message that refuses an iterator. A check that calls
    ``judge_rate_plot`` or names ``Axes`` is a figure exercise without saying so."""
    if check is None:
        return functools.partial(exercise, figure=figure, mistakes=mistakes, expects=expects)
    check.figure = figure or getattr(check, "figure", False)
    is_figure = _is_figure_check(check)
    declared = {k: Mistake(k, m) for k, m in (mistakes or {}).items()}

    @functools.wraps(check)
    def wrapper(answer=None, *args, **kwargs):
        _CURRENT.append(declared)
        try:
            fb = _run(check, is_figure, answer, args, kwargs, expects)
        except Exception as exc:  # a check must never crash a student's notebook
            fb = incorrect(
                f"your answer could not be checked ({exc.__class__.__name__}: {exc}). "
                "Look at what type of value the exercise asks for."
            )
        finally:
            _CURRENT.pop()
        if not _CURRENT:  # not a check called by another check
            _show_after_cell(fb)
        if RECORD is not None and fb.status == CLOSE:
            RECORD.append((check.__module__, check.__name__, fb.message))
        try:
            from . import _progress

            _progress.record(check.__module__, check.__name__, fb.status)
        except Exception:  # the progress record must never cost the student their feedback
            pass
        return fb

    wrapper.is_exercise = True
    wrapper.mistakes = declared
    return wrapper


_UNSHOWN: list[Feedback] = []  # this cell's feedback, shown after it unless something showed it
_HOOKED: list = []  # the IPython shell whose post_run_cell event shows it


def _show_after_cell(fb: Feedback) -> None:
    """In IPython, a check whose call is not the last line of its cell (``check.x(a)`` then more code, or two checks
    in one cell) would show nothing: its feedback is the cell's value only on the last line. So each feedback is
    shown when the cell ends, unless the cell already showed it (as its value, or printed): never twice."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "events"):
        return
    if not any(h is shell for h in _HOOKED):
        shell.events.register("post_run_cell", _show_unshown)
        _HOOKED.append(shell)
    _UNSHOWN.append(fb)


def _show_unshown(result=None) -> None:
    waiting = [fb for fb in _UNSHOWN if not getattr(fb, "_shown", False)]
    _UNSHOWN.clear()
    if waiting:
        from IPython.display import display

        for fb in waiting:
            display(fb)


def _run(check, is_figure: bool, answer, args, kwargs, expects: str | None = None) -> Feedback:
    for value in (answer, *args, *kwargs.values()):
        if _is_iterator(value):
            return _iterator_feedback(value, expects if value is answer else None)
    if is_figure and (answer is None or not _is_axes(answer)):
        found = drawn_axes()
        if found:
            fb = check(found[0], *map(private, args), **{k: private(v) for k, v in kwargs.items()})
            where = f"the figure you drew ({len(found)} axes with data; the first shows {describe_axes(found[0])})"
            given = "you passed None" if answer is None else f"you passed {_kind(answer)}"
            return Feedback(fb.status, f"{given}, so I read {where}: {fb.message} Next time pass its Axes (`ax`).")
    if answer is None:
        fb = why_none(check.__name__)
        # a check of several inputs may say which one is still None when the others are given (a half attempt)
        half = getattr(check, "when_none", None)
        if fb.status == NOT_ATTEMPTED and half is not None and any(v is not None for v in (*args, *kwargs.values())):
            fb = half(*args, **kwargs) or fb
        return fb
    return check(private(answer), *map(private, args), **{k: private(v) for k, v in kwargs.items()})


_install_figure_memory()
