"""Checks for the exercises of lesson 09 (data protection): expected values come from the data and heartdata.privacy.

Each exercise asks for something the lesson did not print (other columns, another register, another budget, another
subgroup), so a number copied from the lesson names itself as such; each names the warned mistake of its section.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd

from .. import challenge2012, privacy, ptbxl
from ..feedback import CORRECT, as_number, check_number, close, correct, exercise, incorrect, mistake_at, named

UNIQUE_ON = ["sex", "age", "weight"]  # exercise 1: the weight known to WEIGHT_STEP kg, which the lesson did not print
WEIGHT_STEP = 5  # kg: the lesson printed sex, age and weight as charted, and measured 5 kg only with the site
SUPPRESS_ON = ["sex", "age", "weight"]  # exercise 2: 10-year age bands and 10 kg weight bands
LINK_ON = ["sex", "age", "weight"]
FIRST_SEED = 21  # exercise 3 draws another register than the lesson's (seed 9): the first seed from this one
# whose answer is none of the counts the lesson prints for its own register (exercise_seed)
LESSON_SEED = 9
TOTAL_EPSILON, TABLES = 0.6, 3  # exercise 4: three tables about the same patients within ε = 0.6 in all
SITES = 4
OLD = 65  # exercise 5: the pooled death rate of stays aged 65 and over


@cache
def _meta() -> pd.DataFrame:
    return ptbxl.load_metadata()


@cache
def _people() -> pd.DataFrame:
    """One row per patient: their first ECG, as in the lesson."""
    return _meta().sort_values("recording_date").drop_duplicates("patient_id")


# ---- exercise 1 -------------------------------------------------------------------------------------------------


UNIQUENESS = {
    "count": "{n} is the number of unique patients; the exercise asks for their share (0 to 1).",
    "percent": "that is a percentage; give the share as a number from 0 to 1.",
    "ecgs": "you measured the ECG table. A patient with two ECGs would count as a group of two people: "
    "use `people`, one row per patient.",
    "dropped_missing": "you dropped the patients with a missing value first. A missing weight is something an outsider "
    "sees in the table too: keep those rows, missing counts as a value of its own.",
    "groupby_dropna": "pandas' groupby and value_counts leave out rows with a missing value unless told "
    "`dropna=False`: those patients vanished from your count. Missing counts as a value of its own.",
    "duplicated_first": "you counted the distinct combinations of sex, age and weight ({groups} of them, as "
    "`drop_duplicates()` or `~duplicated()` give them: `duplicated()` keeps the first of each group), so "
    "every group counts once, whatever its size. The share asked for is of patients alone in their group: count the "
    "rows whose group has size 1 (`duplicated(keep=False)` marks all the others).",
    "not_unique": "that is the share of patients who are NOT unique; the exercise asks for those alone in their group.",
    "exact_weight": "that is the share unique with the weight as charted (the lesson's figure without the site). "
    "The outsider knows the weight only to the nearest {step} kg: round it first (`privacy.round_to(people"
    '["weight"], {step})`).',
    "lesson_site": "that counts the site too (the lesson's figure (c) at {step} kg); this exercise leaves the site "
    "out.",
    "other_step": "that is the weight rounded to the nearest {other} kg; the exercise asks for {step} kg.",
    "bands": "you cut the weights into {step} kg bands (70-74 kg, 75-79 kg, ...). An outsider who knows a weight to "
    "the nearest {step} kg puts 73 kg with 75, not with 70: round to the nearest multiple "
    "(`privacy.round_to(people[\"weight\"], {step})`), as the lesson's section 2 does.",
}  # the mistakes uniqueness_sex_age_weight can name


def _known(table: pd.DataFrame, step: float = WEIGHT_STEP) -> pd.DataFrame:
    """The table with its weights as the outsider knows them: to the nearest ``step`` kg."""
    return table.assign(weight=privacy.round_to(table["weight"], step))


@exercise(mistakes=UNIQUENESS)
def uniqueness_sex_age_weight(answer):
    people, meta = _people(), _meta()
    qi, step = UNIQUE_ON, WEIGHT_STEP
    known = _known(people)
    expected = privacy.uniqueness(known, qi)
    # rounding half up (72.5 kg -> 75) instead of round_to's half to even (-> 70) is as right
    half_up = privacy.uniqueness(people.assign(weight=np.floor(people["weight"] / step + 0.5) * step), qi)
    n_unique = int(privacy.group_sizes(known, qi).eq(1).sum())
    value = as_number(answer)
    if value is not None and not isinstance(answer, bool) and math.isclose(value, half_up, rel_tol=1e-6):
        return correct()
    if value is not None and float(value).is_integer() and int(value) == n_unique:
        return close(named("count", n=n_unique))
    other = 10 if step != 10 else 5
    return check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("percent", 100 * expected),
            mistake_at("ecgs", privacy.uniqueness(_known(meta), qi)),
            mistake_at("dropped_missing", privacy.uniqueness(known.dropna(subset=qi), qi)),
            mistake_at("groupby_dropna", float(known.groupby(qi)["sex"].transform("size").eq(1).sum()) / len(people)),
            mistake_at("duplicated_first", float((~known.duplicated(qi, keep="first")).mean()),
                       groups=int((~known.duplicated(qi, keep="first")).sum())),
            mistake_at("not_unique", 1 - expected),
            mistake_at("exact_weight", privacy.uniqueness(people, qi), step=step),
            mistake_at("lesson_site", privacy.uniqueness(known, ["sex", "age", "site", "weight"]), step=step),
            mistake_at("other_step", privacy.uniqueness(_known(people, other), qi), other=other, step=step),
            mistake_at("bands", privacy.uniqueness(people.assign(weight=privacy.bands(people["weight"], step)), qi),
                       step=step),
        ],  # fmt: skip
        what="a share between 0 and 1",
        hint=f"Round the weights to the nearest {step} kg, then count, for each patient, how many share their sex, "
        "age and weight (missing included); the share asked for is of patients alone in their group.",
    )


# ---- exercise 2 -------------------------------------------------------------------------------------------------


def _generalised(table: pd.DataFrame, age: bool = True, weight: bool = True) -> pd.DataFrame:
    return table.assign(
        age=privacy.bands(table["age"], 10, top=80) if age else table["age"],
        weight=privacy.bands(table["weight"], 10) if weight else table["weight"],
    )


def _kept(table: pd.DataFrame, k: int = 5, strict: bool = False, **generalise) -> int:
    sizes = privacy.group_sizes(_generalised(table, **generalise), SUPPRESS_ON)
    return int(sizes.gt(k).sum() if strict else sizes.ge(k).sum())


SUPPRESSION = {
    "groupby_dropna": "your groups left out the patients with a missing weight or age (pandas' groupby drops missing "
    "keys unless told `dropna=False`), so they were all suppressed. A missing weight is a value of its own: "
    "those patients form groups too, and groups of 5 or more are kept.",
    "exact_ages": "you kept the exact ages. Generalise them first: 10-year bands, 80+ together.",
    "exact_weights": "you kept the exact weights. Generalise them to 10 kg bands first.",
    "strict": "you kept groups of more than 5; k ≥ 5 keeps groups of exactly 5 too.",
    "ecgs": "you counted ECGs; the release is of patients, one row each (`people`).",
    "suppressed": "that is the number suppressed; the exercise asks how many are kept.",
    # review r22-s11: exercise 1's "round the weights of `people`" invites rounding them in place
    # review r22-s11: exercise 1's "round the weights of `people`" invites rounding them in place
    "rounded_people": "{n} is what this gives when the weights in `people` are already rounded to {step} kg, as "
    "they are if exercise 1 rounded them in place (`people[\"weight\"] = privacy.round_to(...)`). Go back to "
    "exercise 1 and round a copy (`people.assign(weight=privacy.round_to(people[\"weight\"], {step}))`), run the "
    "notebook's first cell again to get `people` back with its measured weights, then this cell.",
}  # the mistakes kept_after_suppression can name


@exercise(mistakes=SUPPRESSION)
def kept_after_suppression(answer):
    people, meta = _people(), _meta()
    expected = _kept(people)
    dropped_missing = int(
        _generalised(people).groupby(SUPPRESS_ON)["sex"].transform("size").ge(5).sum()  # NaN: no group, no size
    )
    return check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("groupby_dropna", dropped_missing),
            mistake_at("exact_ages", _kept(people, age=False)),
            mistake_at("exact_weights", _kept(people, weight=False)),
            mistake_at("strict", _kept(people, strict=True)),
            mistake_at("ecgs", _kept(meta)),
            mistake_at("suppressed", len(people) - expected),
            mistake_at("rounded_people", _kept(_known(people)), n=_kept(_known(people)), step=WEIGHT_STEP),
        ],  # fmt: skip
        what="a whole number of patients",
        hint="Generalise age (10-year bands, 80+ together) and weight (10 kg bands), then keep the rows whose "
        "group on sex, age and weight has at least 5 rows, missing values included.",
    )


# ---- exercise 3 -------------------------------------------------------------------------------------------------


@cache
def _register(seed: int) -> pd.DataFrame:
    return privacy.synthetic_register(_people(), LINK_ON, n_people=1000, share_in_records=0.2, seed=seed)[0]


def _rivals(pins: pd.DataFrame) -> pd.Series:
    """For each pin, the patients of the same sex and age whose weight is missing: `link` never compared them, yet
    each could equally be the person behind the pin (the lesson's section 3)."""
    people = _people()
    no_weight = people[people["weight"].isna()]
    return pins["record"].map(lambda r: int((no_weight["sex"].eq(people.loc[r, "sex"])
                                             & no_weight["age"].eq(people.loc[r, "age"])).sum()))  # fmt: skip


@cache
def lesson_figures() -> dict[int, str]:
    """The counts the lesson's section 3 prints for its register (seed 9), each with what it counts: exercise 3's
    answer must be none of them, and an answer equal to one is named as copied from the lesson."""
    people, reg = _people(), _register(LESSON_SEED)
    truth = privacy.synthetic_register(people, LINK_ON, n_people=1000, share_in_records=0.2, seed=LESSON_SEED)[1]
    pairs = privacy.link(reg, people, LINK_ON)
    pins = pairs[pairs["pinned"]]

    def right(p: pd.DataFrame) -> int:
        return int(truth.reindex(p["entry"]).eq(p["record"].to_numpy()).sum())

    merged = _merged(reg)
    grid = privacy.link(reg.assign(weight=privacy.round_to(reg["weight"], 5)),
                        people.assign(weight=privacy.round_to(people["weight"], 5)), LINK_ON)  # fmt: skip
    grid_pins = grid[grid["pinned"]]
    clear = pins[_rivals(pins).eq(0).to_numpy()]
    figures = [
        (len(clear), "number of unambiguous pins"),
        (right(clear), "number of unambiguous pins that are right"),
        (len(grid_pins), "number of pins with weights to 5 kg"),
        (right(grid_pins), "number of right pins with weights to 5 kg"),
        (_pins(merged), "number of pins of a plain merge"),
        (len(merged), "number of pairs of a plain merge"),
        (len(pairs), "number of candidate pairs"),
        (right(pins), "number of its pins that are right"),
        (len(pins), "number of pins"),
    ]  # later ones win where two coincide
    return {int(n): what for n, what in figures}


@cache
def exercise_seed() -> int:
    """Exercise 3's seed: the first from FIRST_SEED whose number of pins the lesson does not print."""
    figures = lesson_figures()
    return next(seed for seed in range(FIRST_SEED, FIRST_SEED + 1000)
                if seed != LESSON_SEED
                and int(privacy.link(_register(seed), _people(), LINK_ON)["pinned"].sum()) not in figures)  # fmt: skip


def register(seed: int | None = None) -> pd.DataFrame:
    """The exercise's synthetic register (invented people, never real ones): another draw than the lesson's, with
    ``exercise_seed()`` unless a seed is given.

    A fresh copy each time, so that nothing a student does to it changes what the check computes.
    """
    return _register(exercise_seed() if seed is None else seed).copy()


def _merged(reg: pd.DataFrame) -> pd.DataFrame:
    return reg.reset_index(names="entry").merge(_people().reset_index(), on=LINK_ON, how="inner")


def _pins(pairs: pd.DataFrame, entry: str = "entry", record: str = "ecg_id") -> int:
    one = pairs.groupby(entry)[record].transform("size").eq(1)
    other = pairs.groupby(record)[entry].transform("size").eq(1)
    return int((one & other).sum())


PINS = {
    "merge_missing": "pandas' `merge` joins a missing weight to a missing weight, so some of your pins rest on two "
    "unknowns. An unknown weight on an outside list is not the same fact as 'not recorded' in the data: "
    "drop the rows with a missing value on either side before joining (or use `privacy.link`).",
    "pairs": "that is the number of candidate pairs the join gives; count the entries pinned to one patient.",
    "entries": "that counts every entry that matches at least one patient; some match several.",
    "one_side": "these entries match one patient each, but some of those patients also match another entry. "
    "A pin needs both sides to be unique.",
    "merge_pairs": "that is the number of pairs a plain merge gives (missing joined to missing), not of pins.",
    "lesson_register": "{n} is the lesson's {what} for its own register (seed {seed}); this exercise draws "
    "another register (`check.register()`): count its pins.",
    "ecgs": "you linked the register with the ECG table (`meta`). A patient with two ECGs can then match an entry "
    "twice, so the entry is not pinned to one row: link with `people`, one row per patient.",
    # review r22-s11: exercise 1's "round the weights of `people`" invites rounding them in place
    # review r22-s11: exercise 1's "round the weights of `people`" invites rounding them in place
    "rounded_people": "{n} is what this gives when the weights in `people` are already rounded to {step} kg, as "
    "they are if exercise 1 rounded them in place (`people[\"weight\"] = privacy.round_to(...)`). Go back to "
    "exercise 1 and round a copy (`people.assign(weight=privacy.round_to(people[\"weight\"], {step}))`), run the "
    "notebook's first cell again to get `people` back with its measured weights, then this cell.",
}  # the mistakes pinned_entries can name


@exercise(mistakes=PINS)
def pinned_entries(answer):
    reg = _register(exercise_seed())
    pairs = privacy.link(reg, _people(), LINK_ON)
    expected = int(pairs["pinned"].sum())
    merged = _merged(reg)
    rounded = int(privacy.link(reg, _known(_people()), LINK_ON)["pinned"].sum())
    fb = check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("merge_missing", _pins(merged)),
            mistake_at("pairs", len(pairs)),
            mistake_at("entries", pairs["entry"].nunique()),
            mistake_at("one_side", int(pairs.groupby("entry")["record"].transform("size").eq(1).sum())),
            mistake_at("merge_pairs", len(merged)),
            mistake_at("ecgs", int(privacy.link(reg, _meta(), LINK_ON)["pinned"].sum())),
            mistake_at("rounded_people", rounded, n=rounded, step=WEIGHT_STEP),
            *[
                mistake_at("lesson_register", n, n=n, what=what, seed=LESSON_SEED)
                for n, what in lesson_figures().items()
            ],
        ],  # fmt: skip
        what="a whole number of register entries",
        hint="Join the register and `people` on sex, age and weight without joining missing values, then keep the "
        "pairs whose entry and whose patient each occur once.",
    )
    if fb.status != CORRECT:
        return fb
    open_ = int(_rivals(pairs[pairs["pinned"]]).gt(0).sum())  # the caveat of the lesson's section 3, counted
    return correct(f"{expected} entries pin one patient each. A pin is only as sure as the patients it was compared "
                   + (f"with: for {open_} of them a patient of the same sex and age has no recorded weight and could "
                      f"equally be the person, so {expected - open_} are unambiguous." if open_ else
                      "with; here no pin has a patient of the same sex and age whose weight is missing."))


# ---- exercise 4 -------------------------------------------------------------------------------------------------


def _bound(epsilon: float) -> float:
    import opendp.prelude as dp

    return dp.discrete_laplacian_scale_to_accuracy(float(1 / epsilon), alpha=0.05)


def _tail(scale: float, bound: float) -> float:
    """P(|error| > bound) for OpenDP's discrete Laplace noise of this scale: errors are whole numbers, and
    P(X = k) is proportional to q^|k| with q = exp(-1 / scale), so P(|X| > b) = 2 q^(floor(b) + 1) / (1 + q)."""
    q = math.exp(-1 / scale)
    return 2 * q ** (math.floor(bound) + 1) / (1 + q)


DP_ERROR = {
    "whole_budget": "you gave each table the whole budget. Three releases about the same patients add "
    "their ε up: each gets ε = {total:g} / {tables}.",
    "scale": "{value:g} is the noise scale, 1 / ε = 1 / {each:g}, not the error: the exercise asks for the error that "
    "a released count exceeds only 5% of the time. Pass the scale to `dp.discrete_laplacian_scale_to_accuracy("
    "{value:.1f}, alpha=0.05)`.{also}",
    "per_site": "you split each table's ε over the sites as well. The sites hold different patients: "
    "one table of counts over disjoint groups costs its ε once.",
    "halves": "you split the budget in two; there are {tables} tables.",
    "eps_as_scale": "you used ε as the noise scale. For a count (sensitivity 1) the scale is 1 / ε: less ε, "
    "more noise.",
    "alpha": "alpha is the share of releases allowed to be worse: for a 95% bound, alpha=0.05.",
    "continuous": "{value:g} is scale × ln(1/α) = {scale:g} × ln(20), the 95% bound of the continuous Laplace "
    "distribution. OpenDP adds discrete (whole-number) noise to counts, whose tail is slightly heavier at the same "
    "scale: ask `dp.discrete_laplacian_scale_to_accuracy` for its bound.",
    "not_smallest": "{value:g} is a valid bound (an error above it happens in {tail:.1%} of releases) but not the "
    "smallest one, which the exercise asks for: errors are whole numbers, and an error above {floor} already happens "
    "in only {floor_tail:.1%} of releases. Rounding up (or a simulated quantile) overshoots; OpenDP gives {bound:.4g}, "
    "and {floor} (rounded down) is as right.",
    "too_small": "{value:g} is too small: errors are whole numbers, and an error above {value:g} happens in "
    "{tail:.1%} of releases, more than the 5% allowed. The smallest bound exceeded at most 5% of the time is {floor} "
    "(OpenDP gives {bound:.4g}).",
}  # the mistakes dp_error_at can name


@exercise(mistakes=DP_ERROR)
def dp_error_at(answer):
    import opendp.prelude as dp

    value = as_number(answer)
    if value is None:
        return incorrect(f"expected a number (an error, in counts), got {type(answer).__name__}.")
    each = TOTAL_EPSILON / TABLES
    scale = 1 / each
    bound = _bound(each)
    floor = math.floor(bound)
    # The error of a count is a whole number, so every bound from floor up to (not including) floor + 1 is exceeded
    # with the same probability: all of them are the answer, OpenDP's value as it computes it included.
    if floor - 1e-9 <= value < floor + 1 - 1e-9 or math.isclose(value, bound, rel_tol=1e-6):
        if math.isclose(value, bound, rel_tol=1e-6):
            what = "OpenDP's bound as it computes it"
        elif value == floor:
            what = "OpenDP's bound rounded down to a whole count, which its documentation allows"
        else:
            digits = next((d for d in range(1, 7) if value == round(bound, d)), None)
            what = (
                f"OpenDP's bound ({bound:.4f}) rounded to {digits} decimal(s)"
                if digits
                else f"between {floor} and {floor + 1}, which says the same as OpenDP's {bound:.4f} or {floor}"
            )
        return correct(
            f"each table gets ε = {TOTAL_EPSILON:g} / {TABLES} = {each:g}, so the scale is {scale:g}; {value:g} is "
            f"{what}. Errors are whole numbers, so every bound from {floor} up to (not including) {floor + 1} is "
            f"exceeded equally often: an error above {floor} happens in {_tail(scale, floor):.1%} of releases (below "
            "5%)."
        )
    continuous = scale * math.log(1 / 0.05)  # the continuous Laplace distribution's 95% bound
    if math.isclose(value, continuous, rel_tol=1e-3) or math.isclose(value, round(continuous, 2), rel_tol=1e-9):
        return close(named("continuous", value=value, scale=scale))
    whole = _bound(TOTAL_EPSILON)
    if math.isclose(value, scale, rel_tol=1e-9):
        also = (f" (If you gave each table the whole budget instead: that bound is {whole:.4g}, and {value:g} is it "
                f"rounded down; each table gets ε = {TOTAL_EPSILON:g} / {TABLES}.)"
                if value == math.floor(whole) else "")  # fmt: skip
        return close(named("scale", value=value, each=each, also=also))
    mistakes = [
        mistake_at("whole_budget", whole, total=TOTAL_EPSILON, tables=TABLES),
        mistake_at("per_site", _bound(each / SITES)),
        mistake_at("halves", _bound(TOTAL_EPSILON / 2), tables=TABLES),
        mistake_at("eps_as_scale", dp.discrete_laplacian_scale_to_accuracy(float(each), alpha=0.05)),
        mistake_at("alpha", dp.discrete_laplacian_scale_to_accuracy(float(scale), alpha=0.95)),
    ]  # fmt: skip
    for wrong, message in mistakes:
        if math.isclose(value, wrong, rel_tol=1e-6) or (value == math.floor(wrong) and value != floor):
            return close(message)
    if math.isclose(value, floor - 1, abs_tol=1e-9):  # one whole count short: exceeded more often than 5%
        return close(named("too_small", value=value, tail=_tail(scale, value), floor=floor, bound=bound))
    if floor + 1 - 1e-9 <= value <= bound + 2:
        return close(named("not_smallest", value=value, tail=_tail(scale, value), floor=floor,
                           floor_tail=_tail(scale, floor), bound=bound))  # fmt: skip
    return incorrect(
        f"{value:g} is not it. Split the budget over the tables, turn ε into a scale (1 / ε) and ask OpenDP "
        "for the error exceeded with probability 0.05."
    )


# ---- exercise 5 -------------------------------------------------------------------------------------------------


@cache
def _icu() -> pd.DataFrame:
    stays = challenge2012.load_stays("a")
    first = stays[stays["Time"].eq(0) & stays["Parameter"].isin(["ICUType", "Age"])]
    icu = first.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    return icu.join(challenge2012.load_outcomes("a"))


def unit_aggregates() -> pd.DataFrame:
    """What each ICU type ("hospital") sends: deaths and stays, by age group. No row of any stay leaves the unit."""
    icu = _icu()
    group = np.where(icu["Age"].ge(OLD), f"{OLD} and over", f"under {OLD}")
    table = icu.groupby(["ICUType", group])["In-hospital_death"].agg(deaths="sum", stays="size")
    table.index.names = ["unit", "age group"]
    return table.copy()


POOLED = {
    "mean_of_rates": "you averaged the units' rates: a small unit then counts as much as a large one. "
    "Add the deaths and the stays over the units, then divide.",
    "percent": "that is a percentage; give the share as a number from 0 to 1.",
    "all_ages": "that is the rate over all ages; the exercise asks for {old}+.",
    "young": "that is the rate under {old}; the exercise asks for {old}+.",
    "deaths": "that is the number of deaths; divide by the number of stays.",
    "sum_of_rates": "you added the units' rates; add deaths and stays, then divide.",
    "inverted": "that is stays per death (stays divided by deaths), above 1; a rate is deaths divided by stays, "
    "between 0 and 1.",
}  # the mistakes pooled_death_rate can name


@exercise(mistakes=POOLED)
def pooled_death_rate(answer):
    agg = unit_aggregates()
    old = agg.xs(f"{OLD} and over", level="age group")
    young = agg.xs(f"under {OLD}", level="age group")
    expected = old["deaths"].sum() / old["stays"].sum()
    value = as_number(answer)
    if value is None or isinstance(answer, bool):
        return incorrect(f"expected one number (a share between 0 and 1), got {type(answer).__name__}.")
    return check_number(
        answer,
        expected,
        mistakes=[
            mistake_at("mean_of_rates", (old["deaths"] / old["stays"]).mean()),
            mistake_at("percent", 100 * expected),
            mistake_at("all_ages", agg["deaths"].sum() / agg["stays"].sum(), old=OLD),
            mistake_at("young", young["deaths"].sum() / young["stays"].sum(), old=OLD),
            mistake_at("deaths", int(old["deaths"].sum())),
            mistake_at("sum_of_rates", (old["deaths"] / old["stays"]).sum()),
            mistake_at("inverted", old["stays"].sum() / old["deaths"].sum()),
        ],  # fmt: skip
        what="a share between 0 and 1",
        hint=(f"A rate of deaths is between 0 and 1, and {value:g} is not. " if not 0 <= value <= 1 else "")
        + f"From `aggregates` only: the {OLD}+ rows, deaths summed over the units divided by stays summed over them.",
    )
