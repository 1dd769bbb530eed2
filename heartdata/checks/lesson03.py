"""Checks for the exercises of lesson 03 (messy metadata): expected values come from the data."""

from __future__ import annotations

import ast
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, ptbxl
from ..feedback import check_number, close, correct, empty_axes, exercise, incorrect, mistake_at, named
from .lesson00 import as_axes, missing_labels

#: The stay the pivot exercise reshapes: it holds repeated MAP and Urine readings at the same minute.
PIVOT_STAY = 132781
SUPERCLASSES = ["CD", "HYP", "MI", "NORM", "STTC"]
DESCRIPTOR_COLUMNS = ["Age", "Gender", "Height", "ICUType", "Weight"]
#: Exercise 2's stricter rule: statements of at least this likelihood (the lesson tried only 100).
MIN_LIKELIHOOD = 50
#: Exercise 3: patients with at least this many ECGs (the lesson counted those with more than one).
MIN_ECGS = 3
#: Exercise 5: Challenge 2012's Gender code, written as words (0 female, 1 male; PTB-XL's sex is the other way).
GENDER_WORDS = {0.0: "female", 1.0: "male"}


# ---- reference computations (what a correct answer gives, and what typical mistakes give) ----


@cache
def _scp_long() -> pd.DataFrame:
    parsed = ptbxl.load_metadata()["scp_codes"].map(ast.literal_eval)
    rows = [(int(i), code, float(lik)) for i, codes in parsed.items() for code, lik in codes.items()]
    return pd.DataFrame(rows, columns=["ecg_id", "code", "likelihood"])


def _superclass_counts(min_likelihood: float | None, per: str = "ecg") -> pd.Series:
    """ECGs per diagnostic superclass; statements kept if likelihood >= min_likelihood (None: all)."""
    scp = ptbxl.load_scp_statements()
    diag = scp.loc[scp["diagnostic"].eq(1), "diagnostic_class"].rename("superclass")
    tidy = _scp_long().merge(diag, left_on="code", right_index=True)
    if min_likelihood is not None:
        tidy = tidy[tidy["likelihood"].ge(min_likelihood)]
    grouped = tidy.groupby("superclass")["ecg_id"]
    counts = grouped.nunique() if per == "ecg" else grouped.size()
    return counts.reindex(SUPERCLASSES, fill_value=0).astype(int)


@cache
def _stay_rows() -> pd.DataFrame:
    return challenge2012.load_stays(record_ids=[PIVOT_STAY])


def _stay_wide(urine: str, other: str, readings_only: bool = False, urine_fill=None) -> pd.DataFrame:
    """The stay pivoted per minute; ``readings_only`` leaves out the descriptor rows at 00:00; ``urine_fill`` fills the
    minutes without urine (what `pivot_table(..., fill_value=0)` gives)."""
    one = _stay_rows()
    if readings_only:
        one = one[~(one["Time"].eq(0) & one["Parameter"].isin(challenge2012.DESCRIPTORS))]
    wide = one.pivot_table(index="Time", columns="Parameter", values="Value", aggfunc=other)
    urine_rows = one[one["Parameter"].eq("Urine")]
    wide["Urine"] = urine_rows.groupby("Time")["Value"].agg(urine)
    if urine_fill is not None:
        wide["Urine"] = wide["Urine"].fillna(urine_fill)
    return wide


@cache
def _all_minutes() -> frozenset:
    """The minutes charted in any stay of the set: the rows of a pivot of every stay."""
    return frozenset(challenge2012.load_stays()["Time"].unique().tolist())


@cache
def _n_stays() -> int:
    return int(challenge2012.load_stays()["RecordID"].nunique())


def _same_wide(answer: pd.DataFrame, urine: str, other: str, urine_fill=None, fill_all=None) -> bool:
    """Whether ``answer`` is the stay pivoted this way, with or without the descriptor row at 00:00, and with any of
    the descriptor columns (RecordID, Age, ...) left out: the time series' columns must all be there."""
    needed = set(map(str, _stay_wide("sum", "mean", readings_only=True).columns))
    columns = set(map(str, answer.columns))
    for readings_only in (False, True):
        want = _stay_wide(urine, other, readings_only=readings_only, urine_fill=urine_fill)
        if fill_all is not None:
            want = want.fillna(fill_all)
        if needed <= columns <= set(map(str, want.columns)) and len(answer) == len(want):
            if _same_frame(answer, want[[c for c in want.columns if str(c) in columns]]):
                return True
    return False


@cache
def _descriptor_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """(correct, kept -1 sentinels, taken from the first six rows of each stay, stays that position gets wrong)."""
    stays = challenge2012.load_stays()
    at0 = stays[stays["Time"].eq(0) & stays["Parameter"].isin(DESCRIPTOR_COLUMNS)]
    raw = at0.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")[DESCRIPTOR_COLUMNS]
    head6 = stays[stays.groupby("RecordID").cumcount() < 6]
    head6 = head6[head6["Parameter"].isin(DESCRIPTOR_COLUMNS)]
    by_position = head6.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    by_position = by_position.reindex(index=raw.index, columns=DESCRIPTOR_COLUMNS)
    n_wrong = int((by_position.isna() & raw.notna()).any(axis=1).sum())
    return raw.replace(-1, np.nan), raw, by_position.replace(-1, np.nan), n_wrong


@cache
def _by_row_order() -> tuple[pd.DataFrame, dict]:
    """The descriptors taken by their place in each stay (rows 1 to 5 read as Age, Gender, Height, ICUType, Weight;
    row 0 is RecordID), -1 replaced by NaN; and where that goes wrong: how many stays, and one example."""
    stays = challenge2012.load_stays()
    place = stays.groupby("RecordID").cumcount()
    rows = stays[place.between(1, len(DESCRIPTOR_COLUMNS))]
    rows = rows.assign(slot=rows.groupby("RecordID").cumcount().map(dict(enumerate(DESCRIPTOR_COLUMNS))))
    values = rows.pivot(index="RecordID", columns="slot", values="Value").reindex(columns=DESCRIPTOR_COLUMNS)
    names = rows.pivot(index="RecordID", columns="slot", values="Parameter").reindex(columns=DESCRIPTOR_COLUMNS)
    off = pd.DataFrame(names.to_numpy() != np.array(DESCRIPTOR_COLUMNS), index=names.index,
                       columns=DESCRIPTOR_COLUMNS)
    wrong = off.any(axis=1)
    where = {"n": int(wrong.sum()), "rid": "?", "col": "?", "param": "?"}
    if wrong.any():
        rid = wrong.idxmax()
        col = off.loc[rid].idxmax()
        where.update(rid=int(rid), col=col, param=names.loc[rid, col])
    values.columns.name = None
    return values.replace(-1, np.nan), where


# ---- comparisons ----


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same index, same columns (any order), same values (NaN equal to NaN, floats to 1e-9)."""
    if not isinstance(a, pd.DataFrame):
        return False
    if set(map(str, a.columns)) != set(map(str, b.columns)) or len(a) != len(b):
        return False
    a = a.copy()
    a.columns = a.columns.map(str)
    try:
        a = a.loc[b.index, list(b.columns)]
    except KeyError:
        return False
    x, y = a.to_numpy(dtype=float, na_value=np.nan), b.to_numpy(dtype=float, na_value=np.nan)
    return bool(np.allclose(x, y, rtol=0, atol=1e-9, equal_nan=True))


# ---- the checks ----


@exercise(mistakes={
    "index": "`ecg_id` is the index of your table; make it a column with `.reset_index()`.",
    "zero dropped": "you dropped the statements with likelihood 0. In PTB-XL a 0 means that no likelihood was "
                    "entered ('unknown'), not that the finding is absent: it is what most rhythm and form statements "
                    "carry, and some diagnostic ones. The statement was made. Keep them.",
    "per ecg": "you have one row per ECG; the table needs one row per ECG *and statement* (loop over each dict).",
    "positions": "your `ecg_id` column holds row positions (0, 1, 2, ..., what `enumerate` counts), not the ecg_ids "
                 "of `meta`'s index (ECG {first} is at position 0). Take the id with its text: "
                 "`meta['scp_codes'].items()`.",
    "text": "the `likelihood` column holds text; it should hold numbers (0 to 100), or a filter such as "
            "`likelihood == 100` will silently match nothing.",
})  # fmt: skip
def scp_table(answer):
    """Exercise 1: the tidy (ecg_id, code, likelihood) table parsed from scp_codes."""
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame, got {type(answer).__name__}.")
    expected = _scp_long()
    missing = [c for c in expected.columns if c not in answer.columns]
    if missing:
        if "ecg_id" in missing and answer.index.name == "ecg_id":
            return close(named("index"))
        return incorrect(f"your table lacks the column(s) {missing}; it needs ecg_id, code and likelihood.")
    if len(answer) == len(expected[expected["likelihood"].gt(0)]):
        return close(named("zero dropped"))
    if len(answer) == len(ptbxl.load_metadata()):
        return close(named("per ecg"))
    if len(answer) != len(expected):
        return incorrect(f"your table has {len(answer)} rows; one row per ECG and statement gives {len(expected)}.")
    if not pd.api.types.is_numeric_dtype(answer["likelihood"]):
        return close(named("text"))
    lik = answer["likelihood"]
    mine = sorted(zip(answer["ecg_id"].astype(int), answer["code"].astype(str), lik.astype(float), strict=True))
    theirs = sorted(zip(expected["ecg_id"], expected["code"], expected["likelihood"], strict=True))
    if mine != theirs:
        ids = ptbxl.load_metadata().index
        position = dict(zip(ids, range(len(ids)), strict=True))
        by_position = sorted((position[i], c, v) for i, c, v in theirs if i in position)
        if mine == by_position:
            return close(named("positions", first=int(ptbxl.load_metadata().index[0])))
        return incorrect("the right number of rows, but some (ecg_id, code, likelihood) triples differ from scp_codes.")
    return correct(f"{len(expected):,} statements for {expected['ecg_id'].nunique()} ECGs, none lost. (The check sees "
                   "the table, not how you parsed the text: `eval` gives the same table, and runs any code hidden in "
                   "the file. If you used it, switch to `ast.literal_eval`, which only reads values.)")


@exercise(mistakes={
    "swapped": "your two columns are swapped: 'any' must be the larger count.",
    "shares": "these are shares of the {n} ECGs; the exercise asks for the number of ECGs in each class.",
    "statements": "you counted statements, not ECGs: an ECG with two MI statements counts once. Use `nunique()` on "
                  "`ecg_id`.",
    "strictly above": "your 'at_least_50' column keeps likelihoods strictly above {k} (`>`); the rule is 'at least "
                      "{k}' (`>=`): a statement of exactly {k}% counts.",
    "only 100": "your 'at_least_50' column is the lesson's rule, likelihood 100 only; the exercise's rule keeps "
                "every statement of {k}% or more.",
    "zero dropped": "your 'any' rule dropped likelihood 0. In PTB-XL 0 means 'no likelihood was "
                    "entered', and the rule 'any likelihood' keeps those statements.",
})  # fmt: skip
def superclass_counts(answer):
    """Exercise 2: ECGs per superclass under two rules, columns 'any' and 'at_least_50'."""
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame with columns 'any' and 'at_least_50', got {type(answer).__name__}.")
    if not {"any", "at_least_50"} <= set(answer.columns):
        return incorrect(f"your columns are {list(answer.columns)}; name them 'any' and 'at_least_50'.")
    if set(answer.index) != set(SUPERCLASSES):
        found = sorted(map(str, answer.index))
        return incorrect(f"the index should be the five superclasses {SUPERCLASSES}, not {found}.")
    got_any = answer["any"].reindex(SUPERCLASSES).astype(float)
    got_min = answer["at_least_50"].reindex(SUPERCLASSES).astype(float)
    exp_any, exp_min = _superclass_counts(None), _superclass_counts(MIN_LIKELIHOOD)

    def same(a, b):
        return bool(np.allclose(a.to_numpy(), b.to_numpy().astype(float)))

    if same(got_any, exp_min) and same(got_min, exp_any):
        return close(named("swapped"))
    if same(got_any, _superclass_counts(None, "statement")) or same(
        got_min, _superclass_counts(MIN_LIKELIHOOD, "statement")
    ):
        return close(named("statements"))
    if same(got_any, _superclass_counts(1e-9)) and not same(got_any, exp_any):
        return close(named("zero dropped"))
    n_ecgs = len(ptbxl.load_metadata())
    if same(got_any * n_ecgs, exp_any) and same(got_min * n_ecgs, exp_min):
        return close(named("shares", n=n_ecgs))
    if not same(got_any, exp_any):
        return incorrect(
            "the 'any' column is not it. Keep only diagnostic statements, then count distinct ECGs per class."
        )
    if same(got_min, _superclass_counts(MIN_LIKELIHOOD + 1e-9)):
        return close(named("strictly above", k=MIN_LIKELIHOOD))
    if same(got_min, _superclass_counts(100)):
        return close(named("only 100", k=MIN_LIKELIHOOD))
    if not same(got_min, exp_min):
        return incorrect(f"'any' is right; for 'at_least_50' keep the statements whose likelihood is "
                         f"{MIN_LIKELIHOOD} or more.")  # fmt: skip
    return correct(f"MI keeps {exp_min['MI']} of {exp_any['MI']} ECGs at {MIN_LIKELIHOOD}% or more (the lesson's "
                   f"100%-only rule kept {_superclass_counts(100)['MI']}).")  # fmt: skip


@exercise(mistakes={
    "ecgs": "that is the number of ECGs that belong to such patients; count the patients instead.",
    "strictly more": "you kept the patients with MORE than {k} ECGs (`>`); 'at least {k}' includes those with "
                     "exactly {k} (`>=`).",
    "more than one": "that is the number of patients with more than one ECG, the lesson's count; the exercise asks "
                     "for at least {k}.",
    "all patients": "that is the number of all patients; keep those with {k} or more ECGs.",
})  # fmt: skip
def n_patients_several_ecgs(answer):
    """Exercise 3: patients with at least MIN_ECGS ECGs."""
    meta = ptbxl.load_metadata()
    per_patient = meta.groupby("patient_id").size()
    return check_number(
        answer,
        int(per_patient.ge(MIN_ECGS).sum()),
        mistakes=[
            mistake_at("ecgs", int(per_patient[per_patient.ge(MIN_ECGS)].sum())),
            mistake_at("strictly more", int(per_patient.gt(MIN_ECGS).sum()), k=MIN_ECGS),
            mistake_at("more than one", int(per_patient.gt(1).sum()), k=MIN_ECGS),
            mistake_at("all patients", meta["patient_id"].nunique(), k=MIN_ECGS),
        ],
        what="a whole number of patients",
        hint=f"Group by `patient_id`, count ECGs per patient, and count the patients with {MIN_ECGS} or more.",
    )


@exercise(mistakes={
    "urine averaged": "MAP is right, but you averaged the Urine values charted at the same minute. The exercise "
                      "assumes they are separate outputs (two drains or bags), which add up: sum Urine. (Averaging is "
                      "wrong even if one entry corrects the other: then one of them should be kept, not their mean.)",
    "map summed": "Urine is right, but you also added up the MAP readings: two pressures of 70 mmHg are not 140 mmHg. "
                  "Sum only Urine; average the rest.",
    "one kept": "you kept one value per minute and silently dropped the other; aggregate both.",
    "hours": "the values are right, but the times are in {unit}, not minutes: your first times read {got}, the "
             "stay's are {want} (minutes since admission, as `Time` holds them). Keep `Time` as it is for the index.",
    "every stay": "your table has {rows:,} rows, one per minute charted in any of the {stays:,} stays: you pivoted "
                   "every stay. Keep the rows of stay {stay} first (`stays[stays[\"RecordID\"].eq(check.PIVOT_STAY)]`, "
                   "the `one` of the cell above), then pivot them.",
    "all filled zero": "the values are right, but every empty cell is 0 (what `.fillna(0)` or `fill_value=0` "
                       "gives): 0 reads as 'measured, and it was 0'. A parameter not charted at a minute was not "
                       "measured then: leave those cells empty (NaN).",
    "urine zero": "the sums are right, but Urine is 0 at the {n} minutes where no urine was charted (what "
                  "`fill_value=0` or `.fillna(0)` gives): 0 reads as 'measured, and nothing came out'. Leave those "
                  "minutes empty (NaN): `groupby(\"Time\")[\"Value\"].sum()` of the Urine rows, assigned as a column, "
                  "does.",
})  # fmt: skip
def stay_wide(answer):
    """Exercise 4: one stay, one row per minute; Urine summed (the exercise's stated assumption), the rest averaged."""
    expected = _stay_wide(urine="sum", other="mean")
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame (one row per minute), got {type(answer).__name__}.")
    if _same_wide(answer, "sum", "mean"):
        return correct("two MAP readings at one minute averaged, two urine volumes added up, as the exercise assumes.")
    if "Urine" not in answer.columns or "MAP" not in answer.columns:
        return incorrect("your table should have one column per parameter, MAP and Urine among them.")
    columns = set(map(str, answer.columns))
    allowed = set(map(str, expected.columns))
    needed = set(map(str, _stay_wide("sum", "mean", readings_only=True).columns))
    missing, extra = sorted(needed - columns), sorted(columns - allowed)
    rows = {len(expected), len(_stay_wide("sum", "mean", readings_only=True))}
    if missing and not extra:
        return incorrect(f"your table lacks the column(s) {missing}: they are measured during the stay, not only "
                         "descriptors (Weight is both). Keep every parameter's column; only the descriptor columns "
                         "(RecordID, Age, Gender, Height, ICUType) may be left out.")
    if len(answer) not in rows:
        every = _all_minutes()
        if len(answer) == len(every) and set(pd.to_numeric(answer.index, errors="coerce")) == set(every):
            return close(named("every stay", rows=len(answer), stays=_n_stays(), stay=PIVOT_STAY))
        time_index = answer.index.name == "Time"
        return incorrect(
            f"your table has {len(answer)} rows; stay {PIVOT_STAY} has {len(expected)} distinct minutes, one row "
            "each. " + ("Check which rows you pivoted: only this stay's." if time_index else "Use `Time` as the index.")
        )
    for factor, unit in ((60, "hours"), (1 / 60, "seconds")):
        rescaled = _rescaled_time(answer, factor)
        if rescaled is not None and _same_wide(rescaled, "sum", "mean"):
            got = ", ".join(f"{v:g}" for v in answer.index[:3])
            want = ", ".join(f"{v:g}" for v in rescaled.index[:3])
            return close(named("hours", unit=unit, got=got, want=want))
    if _same_wide(answer, "mean", "mean"):
        return close(named("urine averaged"))
    if _same_wide(answer, "sum", "sum"):
        return close(named("map summed"))
    if _same_wide(answer, "first", "first") or _same_wide(answer, "last", "last"):
        return close(named("one kept"))
    if _same_wide(answer, "sum", "mean", urine_fill=0):
        n = int(expected["Urine"].isna().sum())
        return close(named("urine zero", n=n))
    if _same_wide(answer, "sum", "mean", fill_all=0):
        return close(named("all filled zero"))
    if missing or extra:
        return incorrect(
            "your columns are not one per parameter of the stay: "
            + "; ".join(
                p for p in (f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "") if p
            )
            + ". (The descriptor columns may be kept or left out.)"
        )
    return incorrect(
        "some values differ. Average every parameter per minute, then replace Urine by its per-minute sum."
    )


def _rescaled_time(table: pd.DataFrame, factor: float) -> pd.DataFrame | None:
    """``table`` with its (numeric) index of times multiplied by ``factor``; None if the index is not numeric."""
    if not pd.api.types.is_numeric_dtype(table.index):
        return None
    out = table.copy()
    out.index = pd.Index(np.round(out.index.to_numpy(float) * factor, 9), name=out.index.name)
    return out


def _with_words(table: pd.DataFrame, words: dict = GENDER_WORDS) -> pd.DataFrame:
    """``table`` with its Gender codes written as words (a code not in ``words``, such as -1, becomes NaN)."""
    out = table.copy()
    out["Gender"] = out["Gender"].map(words)
    return out


def _same_descriptors(answer: pd.DataFrame, want: pd.DataFrame) -> bool:
    """Same stays and columns; numeric columns equal to 1e-9 (NaN equal to NaN), text columns equal as text."""
    a = answer.copy()
    if "RecordID" in map(str, a.columns):
        a = a.set_index(a.columns[list(map(str, a.columns)).index("RecordID")])
    a.columns = a.columns.map(str)
    if set(a.columns) != set(want.columns) or len(a) != len(want):
        return False
    try:
        a = a.loc[want.index, list(want.columns)]
    except KeyError:
        return False
    for c in want.columns:
        x, y = a[c], want[c]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            if not np.allclose(x.to_numpy(float), y.to_numpy(float), rtol=0, atol=1e-9, equal_nan=True):
                return False
        elif x.isna().tolist() != y.isna().tolist() or x.dropna().astype(str).str.strip().str.lower().tolist() != (
            y.dropna().astype(str).tolist()
        ):
            return False
    return True


@exercise(mistakes={
    "ptbxl coding": "your Gender words are the wrong way round: you used PTB-XL's coding (0 = male). Challenge 2012 "
                    "writes 0 for female and 1 for male.",
    "not words": "the numbers are right, but `Gender` still holds the codes 0 and 1. Write them as words, 'female' "
                 "and 'male', so that nobody has to remember which dataset codes which way.",
    "sentinels": "you kept the -1 sentinels as values: -1 means 'not recorded'. Replace it by NaN.",
    "by position": "you took the first six rows of each stay; in {n} stays a measurement charted at 00:00 sits among "
                   "the descriptors, so a descriptor is missing there. Select rows by Parameter name and Time == 0 "
                   "instead.",
    "by row order": "you took the descriptors by their place in each stay (rows 1 to 5 as Age, Gender, Height, "
                    "ICUType, Weight). In {n} stays a measurement charted at 00:00 sits among them, so a column "
                    "holds another parameter's value there (stay {rid}: its {col} is its {param}). Select the rows by "
                    "Parameter name and Time == 0 instead.",
})  # fmt: skip
def descriptor_table(answer):
    """Exercise 5: one row per stay with the five descriptors, -1 replaced by NaN, Gender as words."""
    numbers, with_sentinels, by_position, n_wrong = _descriptor_tables()
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame with one row per stay, got {type(answer).__name__}.")
    names = set(map(str, answer.columns)) - {"RecordID"}
    extra = sorted(names - set(DESCRIPTOR_COLUMNS))
    if extra and set(DESCRIPTOR_COLUMNS) <= names:
        return incorrect(f"keep only the five descriptors {DESCRIPTOR_COLUMNS}; drop {extra}.")
    expected = _with_words(numbers)
    if _same_descriptors(answer, expected):
        gender = expected["Gender"].value_counts()
        return correct(f"{len(expected):,} stays: {gender.get('female', 0):,} female, {gender.get('male', 0):,} male, "
                       f"{int(expected['Gender'].isna().sum())} not recorded.")  # fmt: skip
    variants = [
        ("ptbxl coding", _with_words(numbers, {0.0: "male", 1.0: "female"}), {}),
        ("not words", numbers, {}),
        ("sentinels", _with_words(with_sentinels), {}),
        ("sentinels", with_sentinels, {}),
        ("by position", _with_words(by_position), {"n": n_wrong}),
        ("by position", by_position, {"n": n_wrong}),
    ]
    slots, where = _by_row_order()
    variants += [("by row order", _with_words(slots), where), ("by row order", slots, where)]
    for key, table, values in variants:
        if _same_descriptors(answer, table):
            return close(named(key, **values))
    if len(answer) != len(expected):
        return incorrect(f"your table has {len(answer)} rows; there are {len(expected):,} stays.")
    return incorrect("some values differ. Use the rows with Time == 0 whose Parameter is a descriptor, replace -1 by "
                     "NaN, and write Gender 0 as 'female' and 1 as 'male'.")  # fmt: skip


# --- Exercise 6: a figure of the two labelling rules ----------------------------------------------


def _bars(ax) -> list[tuple[float, float, float, float, bool]]:
    """The bars drawn on ``ax`` as (centre, bottom, length, top, horizontal): those of its bar containers, else its
    patches; patches of no size (seaborn's legend handles) are not bars."""
    from matplotlib.container import BarContainer

    out = []
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    groups = [(list(c.patches), getattr(c, "orientation", "vertical") == "horizontal") for c in containers]
    if not groups:
        groups = [([p for p in ax.patches if hasattr(p, "get_height") and hasattr(p, "get_x")], False)]
    for patches, horizontal in groups:
        for p in patches:
            w, h = float(p.get_width()), float(p.get_height())
            if w == 0 or h == 0:
                continue
            if horizontal:
                out.append((float(p.get_y()) + h / 2, float(p.get_x()), w, float(p.get_x()) + w, True))
            else:
                out.append((float(p.get_x()) + w / 2, float(p.get_y()), h, float(p.get_y()) + h, False))
    return sorted(out)


def _covered_bars(ax) -> int:
    """How many bars are hidden whole behind a bigger one: a filled, opaque bar drawn over them (later, or with a
    higher zorder) whose rectangle holds theirs, as when two `ax.bar` calls at the same x draw the taller rule last.
    A bar of the same size in front is not counted: it shows the same length."""
    patches = [p for p in ax.patches if hasattr(p, "get_height") and hasattr(p, "get_x")
               and float(p.get_width()) != 0 and float(p.get_height()) != 0]

    def box(p):
        x0, x1 = sorted((float(p.get_x()), float(p.get_x()) + float(p.get_width())))
        y0, y1 = sorted((float(p.get_y()), float(p.get_y()) + float(p.get_height())))
        return x0, x1, y0, y1

    order = sorted(range(len(patches)), key=lambda i: (patches[i].get_zorder(), i))  # matplotlib's drawing order
    rank = {i: r for r, i in enumerate(order)}
    hidden = 0
    for i, p in enumerate(patches):
        a = box(p)
        for j, q in enumerate(patches):
            if j == i or rank[j] < rank[i] or not q.get_fill() or q.get_facecolor()[3] < 0.99 or not q.get_visible():
                continue
            b = box(q)
            eps = 1e-9 * max(abs(b[1] - b[0]), abs(b[3] - b[2]), 1.0)
            inside = b[0] <= a[0] + eps and a[1] <= b[1] + eps and b[2] <= a[2] + eps and a[3] <= b[3] + eps
            if inside and not np.allclose(a, b, rtol=0, atol=eps):  # an equal bar in front shows the same length
                hidden += 1
                break
    return hidden


def _tick_under(ax, centre: float) -> str:
    """The x tick label nearest to a bar's centre ('' when the axis has no labelled tick)."""
    ticks = [(abs(float(t) - centre), lab.get_text().strip()) for t, lab in zip(ax.get_xticks(), ax.get_xticklabels(),
                                                                                 strict=False)]
    return min(ticks)[1] if ticks else ""


@exercise(figure=True, mistakes={
    "labels": "the bars are right, but {labels}.",
    "statements": "your bars count statements, not ECGs: an ECG with two MI statements counts twice. Count distinct "
                  "`ecg_id`s per superclass (`nunique`).",
    "shares": "your bars are shares; the exercise asks for numbers of ECGs.",
    "only 100": "your strict bars are the lesson's rule (likelihood 100 only); draw exercise 2's rule, {k}% or more.",
    "stacked": "the bars are stacked: {n} of them start on top of another bar, so the top of each pile reads as 'any' "
               "plus 'at least {k}', a number of ECGs that does not exist. Draw the two rules side by side "
               "(`counts.plot.bar(ax=ax)`, without `stacked=True`).",
    "horizontal": "the bars are right, but horizontal; the exercise asks for the superclasses on the x axis, with "
                  "upright bars (`counts.plot.bar(ax=ax)`).",
    "by rule": "the bars are grouped by rule (the x axis reads {got}), not by superclass: a reader has to look for MI "
               "in two places to see what the stricter rule does to it. Put the superclasses on the x axis, with the "
               "two rules side by side (`counts.plot.bar(ax=ax)`, not `counts.T`).",
    "ticks": "the x tick labels under the bars read {got}, which do not name the five superclasses: a reader cannot "
             "tell which bars are MI. Label the ticks with the superclass names (`counts.plot.bar` does it, or "
             "`ax.set_xticks(x, counts.index)`).",
    "wrong ticks": "the tick label {label!r} stands under bars of {heights}, which are not {label}'s counts ({want}): "
                   "label each pair of bars with its own superclass.",
    "hidden bars": "{n} bars are hidden: each stands behind a bar drawn over it at the same place, so a reader sees "
                   "only the taller rule ('any') and cannot see what the stricter rule keeps. Draw the two rules side "
                   "by side (`counts.plot.bar(ax=ax)`, or shift each `ax.bar` by half a bar width), or draw the "
                   "shorter bars last, in front.",
    "legend": "the bars are right, but nothing tells the two rules apart: add a legend (`ax.legend()`, with `label=` "
              "on each `ax.bar`; `counts.plot.bar` adds one).",
    "y range": "the y axis shows {bottom:g} to {top:g}: {what}. A bar is read by its length from 0: keep the y axis "
               "from 0 to above the tallest bar ({tallest:g}).",
})  # fmt: skip
def superclass_plot(answer):
    ax = as_axes(answer)
    if ax is None:
        return incorrect(f"expected the matplotlib Axes of your bar chart, got {type(answer).__name__}.")
    bars = _bars(ax)
    if not bars:
        if ax.get_lines() or any(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets")):
            return incorrect("your figure shows lines or points, not bars: draw a bar chart, `counts.plot.bar(ax=ax)`.")
        return empty_axes(ax, "`counts.plot.bar(ax=ax)` draws both columns.")
    any_rule, strict = _superclass_counts(None), _superclass_counts(MIN_LIKELIHOOD)
    want = sorted([*any_rule, *strict])
    heights = sorted(b[2] for b in bars)
    if len(heights) != len(want):
        return incorrect(
            f"expected {len(want)} bars: one per superclass ({len(any_rule)}) for each of the two rules; "
            f"your chart has {len(heights)}."
        )
    if np.allclose(heights, want):
        stacked = [b for b in bars if b[1] != 0]
        if stacked:
            return close(named("stacked", n=len(stacked), k=MIN_LIKELIHOOD))
        covered = _covered_bars(ax)
        if covered:
            return close(named("hidden bars", n=covered))
        if any(b[4] for b in bars):
            return close(named("horizontal"))
        under = [_tick_under(ax, b[0]) for b in bars]
        names = {c.lower(): c for c in SUPERCLASSES}
        shown = ", ".join(repr(t) for t in dict.fromkeys(under)) or "nothing"
        if not all(t.lower() in names for t in under):
            rules = {str(c).lower() for c in ("any", "at_least_50", "at least 50", ">=50", "strict", "all")}
            distinct = set(under)
            if len(distinct) == 2 and all(under.count(t) == len(SUPERCLASSES) for t in distinct) or (
                    {t.lower() for t in distinct} & rules):
                return close(named("by rule", got=shown))
            return close(named("ticks", got=shown))
        for label in dict.fromkeys(under):
            mine = sorted(b[2] for b, t in zip(bars, under, strict=True) if t == label)
            sc = names[label.lower()]
            theirs = sorted([any_rule[sc], strict[sc]])
            if len(mine) != 2 or not np.allclose(mine, theirs):
                return close(named("wrong ticks", label=label, heights=" and ".join(f"{h:g}" for h in mine),
                                   want=" and ".join(f"{h:g}" for h in theirs)))
        labels = missing_labels(ax, ("class",), ("ECG",))
        if labels:
            return close(named("labels", labels=labels))
        if ax.get_legend() is None and not ax.figure.legends:
            return close(named("legend"))
        bottom, top = ax.get_ylim()
        tallest = max(b[3] for b in bars)
        if ax.get_yscale() == "linear" and (bottom > 0 or top < tallest):
            what = "the bars do not start at 0, so their lengths exaggerate the differences" if bottom > 0 else \
                "the tallest bars run off the chart"
            return close(named("y range", bottom=bottom, top=top, what=what, tallest=tallest))
        loss = (strict / any_rule).idxmin()
        return correct(f"{loss} shrinks most: {any_rule[loss]} ECGs under any likelihood, {strict[loss]} at "
                       f"{MIN_LIKELIHOOD}% or more.")  # fmt: skip
    by_statement = sorted(
        [*_superclass_counts(None, per="statement"), *_superclass_counts(MIN_LIKELIHOOD, per="statement")]
    )
    if np.allclose(heights, by_statement):
        return close(named("statements"))
    if np.allclose(heights, sorted([*any_rule, *_superclass_counts(100)])):
        return close(named("only 100", k=MIN_LIKELIHOOD))
    totals = any_rule.sum(), strict.sum()
    shares = sorted([*(any_rule / totals[0]), *(strict / totals[1])])
    if np.allclose(heights, shares):
        return close(named("shares"))
    return incorrect("the bar heights are not the two columns of `counts` from exercise 2. Plot that table.")
