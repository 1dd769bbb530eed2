"""Feedback for exercises: says what is wrong in words a student understands.

A check never raises in a notebook: whatever the student passes, it returns a
``Feedback`` that displays as one line that starts with words saying where the
answer stands: "○ Not attempted yet", "✗ Not yet", "✗ Not yet, a known mistake"
(the check recognises the mistake and names it) or "✓ Correct". The marks are
plain characters that every common font has (DejaVu Sans included), never
emoji, so the status reads the same where no emoji font is installed. Expected
values are always computed from the data by the check, never typed in.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

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
        return f"{self.label}: {self.message}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
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


def exercise(check):
    """Decorate a check: ``None`` means not attempted, and no error ever escapes."""

    @functools.wraps(check)
    def wrapper(answer=None, *args, **kwargs):
        if answer is None:
            return not_attempted()
        try:
            return check(answer, *args, **kwargs)
        except Exception as exc:  # a check must never crash a student's notebook
            return incorrect(
                f"your answer could not be checked ({exc.__class__.__name__}: {exc}). "
                "Look at what type of value the exercise asks for."
            )

    return wrapper


def as_number(answer) -> float | None:
    """A plain number from an int, float, numpy scalar or one-element pandas object; else None."""
    if hasattr(answer, "item") and getattr(answer, "size", 1) == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return None
    return float(answer)


def same(a: float, b: float, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def _rounded(value: float, expected: float) -> bool:
    """True when ``value`` is ``expected`` rounded to a few decimals (and still within 5% of it)."""
    if value == 0 or expected == 0 or abs(value - expected) > 0.05 * abs(expected):
        return False
    return any(same(value, round(expected, d)) for d in range(0, 7))


def check_number(
    answer, expected: float, mistakes=(), what: str = "a number", hint: str = "", rel: float = 1e-6
) -> Feedback:
    """Compare a numeric answer with ``expected``; ``mistakes`` is a list of
    (value a typical mistake gives, message naming that mistake); ``hint`` is
    added when the answer matches no known mistake."""
    value = as_number(answer)
    if value is None:
        return incorrect(f"expected {what}, got {type(answer).__name__} {answer!r:.60}.")
    if same(value, expected, rel):
        return correct()
    for wrong, message in mistakes:
        if same(value, float(wrong), rel):
            return close(message)
    if _rounded(value, expected):
        return close(
            f"{value:g} is the right answer rounded. Store the value you computed, unrounded "
            "(round only when you display it), so that it can be checked exactly."
        )
    return incorrect(f"{value:g} is not it. {hint or 'Re-read the question and look at the data again.'}")
