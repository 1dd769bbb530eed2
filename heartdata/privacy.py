"""Re-identification risk, generalisation and privacy-preserving analysis: the reference code of lesson 09.

A *quasi-identifier* is a column that is not a name but that someone outside the data may know (age, sex,
a date, a hospital). Rows that share the values of every quasi-identifier form a *group*; the smaller the
group, the easier it is to point at a person. Every function here treats a **missing value as a value of
its own**: rows whose age is missing form their own group (an attacker who sees "age not recorded" sees
that too), and a missing diagnosis counts as one more diagnosis in :func:`l_diversity`.

Linkage is the exception: :func:`link` never joins a missing value to a missing value, because a value
missing from an outside list means "unknown", not "not recorded".

Sources: k-anonymity (Sweeney, Int J Uncertain Fuzziness Knowl-Based Syst 10:557, 2002); distinct and entropy
l-diversity (Machanavajjhala et al., ACM TKDD 1(1):3, 2007); t-closeness (Li, Li and Venkatasubramanian,
ICDE 2007), here with the variational distance, which is the Earth Mover's Distance when every two categories
are equally far apart; federated averaging (McMahan et al., AISTATS 2017).

Bad input (a column that does not exist, an empty list of quasi-identifiers, an empty table, ``k < 1``)
raises :class:`heartdata.DataError` saying which argument was wrong and what to pass instead.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = [
    "TEXT_PATTERNS",
    "average_risk",
    "bands",
    "detach",
    "entropy_l_diversity",
    "federated_logistic",
    "find_in_text",
    "group_sizes",
    "k_anonymity",
    "l_diversity",
    "link",
    "measure_release",
    "redact",
    "risk_by_number",
    "round_to",
    "row_keys",
    "site_updates",
    "suppress",
    "synthetic_register",
    "t_closeness",
    "uniqueness",
    "uniqueness_by_size",
    "year_only",
]


def _columns(table, quasi_identifiers, argument: str = "quasi_identifiers") -> list[str]:
    if not isinstance(table, pd.DataFrame):
        raise DataError("table", f"expected a pandas DataFrame, got {type(table).__name__}", "Pass the table itself.")
    if isinstance(quasi_identifiers, str):
        raise DataError(
            f"{argument}={quasi_identifiers!r}",
            "is one string, not a list of column names",
            f"Pass a list, even for one column: [{quasi_identifiers!r}].",
        )
    try:
        names = list(quasi_identifiers)
    except TypeError:
        raise DataError(
            f"{argument}={quasi_identifiers!r}", "is not a list of column names", "Pass a list such as ['age', 'sex']."
        ) from None
    if not names:
        raise DataError(
            f"{argument}=[]",
            "the list of quasi-identifiers is empty, so every row would be one group",
            "Name at least one column, e.g. ['age', 'sex'].",
        )
    if len(set(names)) != len(names):
        raise DataError(f"{argument}={names!r}", "names a column more than once", "Name each column once.")
    absent = [c for c in names if c not in table.columns]
    if absent:
        shown = ", ".join(map(str, list(table.columns)[:15]))
        raise DataError(
            f"{argument}={names!r}",
            f"the table has no column {', '.join(map(repr, absent))}",
            f"Its columns are: {shown}{' ...' if len(table.columns) > 15 else ''}.",
        )
    if len(table) == 0:
        raise DataError("table", "has no rows, so it has no groups to measure", "Pass a table with at least one row.")
    return names


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column, one per distinct value, missing values (NaN, None, NaT) a code of their own."""
    return pd.factorize(values, use_na_sentinel=False)[0]


def _group_ids(table: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(group number of every row, size of every group)."""
    stacked = np.column_stack([_codes(table[c]) for c in names])
    _, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return inverse.ravel(), counts


def group_sizes(table: pd.DataFrame, quasi_identifiers: Sequence[str]) -> pd.Series:
    """For every row, how many rows share its values of ``quasi_identifiers`` (itself included).

    Missing values count as a value of their own. The result has the table's index.
    """
    names = _columns(table, quasi_identifiers)
    inverse, counts = _group_ids(table, names)
    return pd.Series(counts[inverse], index=table.index, name="group size")


def k_anonymity(table: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """The k of k-anonymity: the size of the smallest group of rows sharing the quasi-identifier values.

    k = 1 means at least one row is alone: whoever knows those values of a person in the table finds the row.
    Missing values count as a value of their own (rows with a missing age form their own group).
    """
    names = _columns(table, quasi_identifiers)
    return int(_group_ids(table, names)[1].min())


def uniqueness(table: pd.DataFrame, quasi_identifiers: Sequence[str]) -> float:
    """Share of rows (0 to 1) that are alone in their group: unique on the quasi-identifiers.

    Missing values count as a value of their own.
    """
    names = _columns(table, quasi_identifiers)
    inverse, counts = _group_ids(table, names)
    return float((counts[inverse] == 1).mean())


def l_diversity(table: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str) -> int:
    """The l of (distinct) l-diversity: the fewest distinct values of ``sensitive`` found in any group.

    l = 1 means some group is homogeneous: everyone in it has the same sensitive value, so knowing that a
    person is in that group reveals it, however large the group (k) is. Missing values count as a value of
    their own, in the quasi-identifiers and in ``sensitive``.
    """
    names = _columns(table, quasi_identifiers)
    _sensitive(table, names, sensitive)
    group, _ = _group_ids(table, names)
    pairs = np.unique(np.column_stack([group, _codes(table[sensitive])]), axis=0)
    return int(np.bincount(pairs[:, 0]).min())


def _sensitive(table: pd.DataFrame, names: list[str], sensitive) -> None:
    if not isinstance(sensitive, str) or sensitive not in table.columns:
        raise DataError(
            f"sensitive={sensitive!r}",
            "is not a column of the table",
            f"Name one column, e.g. one of: {', '.join(map(str, list(table.columns)[:10]))}.",
        )
    if sensitive in names:
        raise DataError(
            f"sensitive={sensitive!r}",
            "is also one of the quasi-identifiers, so every group would hold one value of it",
            "Leave the sensitive column out of quasi_identifiers.",
        )


def _shares(table: pd.DataFrame, names: list[str], sensitive: str) -> tuple[np.ndarray, np.ndarray]:
    """(share of each sensitive value in each group: groups x values, share of each value in the whole table)."""
    group, counts = _group_ids(table, names)
    values = _codes(table[sensitive])
    table_counts = np.zeros((len(counts), values.max() + 1))
    np.add.at(table_counts, (group, values), 1)
    return table_counts / counts[:, None], np.bincount(values) / len(values)


def entropy_l_diversity(table: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str) -> float:
    """The l of entropy l-diversity: the smallest exp(entropy) of ``sensitive`` over the groups.

    A group with l values in equal shares scores l; a group of 14 where 13 share one value scores about 1.3,
    although it holds 2 distinct values. The table is entropy l-diverse for every l up to the result. Missing
    values count as a value of their own.
    """
    names = _columns(table, quasi_identifiers)
    _sensitive(table, names, sensitive)
    within, _ = _shares(table, names, sensitive)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(within > 0, within * np.log(within), 0).sum(axis=1)
    return float(np.exp(entropy).min())


def t_closeness(table: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str) -> float:
    """The t of t-closeness: the largest distance between a group's distribution of ``sensitive`` and the table's.

    The distance is the variational distance (half the sum of absolute differences of shares), which is the
    Earth Mover's Distance for categories that are all equally far apart: 0 means every group looks like the
    whole table; t = 0.4 means that in some group the shares that exceed the table's exceed them by 40 percentage
    points in all (and those below fall short by as much): the absolute differences add up to 80 points.
    Missing values count as a value of their own.
    """
    names = _columns(table, quasi_identifiers)
    _sensitive(table, names, sensitive)
    within, overall = _shares(table, names, sensitive)
    return float(0.5 * np.abs(within - overall).sum(axis=1).max())


def average_risk(table: pd.DataFrame, quasi_identifiers: Sequence[str]) -> float:
    """The average ("marketer") risk: the mean over rows of 1 / group size, which is groups / rows.

    The expected share of rows an attacker who tries to link *every* row (and picks at random within a group) gets
    right (the marketer risk: Dankar and El Emam, EDBT/ICDT Workshops 2010); the prosecutor's risk of one row is
    1 / its group size, the largest of which is 1 / k (El Emam and Dankar, JAMIA 15:627, 2008). Missing values count
    as a value of their own.
    """
    names = _columns(table, quasi_identifiers)
    _, sizes = _group_ids(table, names)
    return float(len(sizes) / len(table))


def row_keys(table: pd.DataFrame) -> list[str]:
    """What, besides the columns, could link a released table's rows back to their source: a kept index, an order.

    A named index or any index other than 0, 1, 2, ... (an ``ecg_id`` or a ``RecordID`` is the public key of the
    source), and rows sorted by the index or by a column with at least 3 distinct values (a source sorted by
    recording date or id gives its order to the release). An empty list means neither was found.
    """
    if not isinstance(table, pd.DataFrame):
        raise DataError("table", f"expected a pandas DataFrame, got {type(table).__name__}", "Pass the table.")
    found = []
    index = table.index
    default = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None
    if not default:
        name = index.name if index.name is not None else "not 0, 1, 2, ..."
        found.append(f"the index ({name}) is kept: it may be the source's key")
    ordered = [] if default else (["the index"] if index.is_monotonic_increasing and index.nunique() >= 3 else [])
    for c in table.columns:
        values = table[c].dropna()
        try:
            if (
                values.nunique() >= 3
                and len(values) == len(table)
                and (values.is_monotonic_increasing or values.is_monotonic_decreasing)
            ):
                ordered.append(f"`{c}`")
        except TypeError:  # values that cannot be ordered give no order
            continue
    if ordered:
        found.append(f"the rows are sorted by {' and '.join(ordered)}: the source's row order may survive")
    return found


def detach(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The table as it may be released: rows shuffled (seeded) and renumbered 0, 1, 2, ..., the index dropped.

    Shuffling removes the source's row order, and a fresh index removes its key; neither changes a group or a
    measure of :func:`measure_release`. Keep the seed private: with it, anyone can undo the shuffle.
    """
    if not isinstance(table, pd.DataFrame):
        raise DataError("table", f"expected a pandas DataFrame, got {type(table).__name__}", "Pass the table.")
    return table.sample(frac=1, random_state=seed).reset_index(drop=True)


def measure_release(release: pd.DataFrame, sensitive: str) -> pd.Series:
    """Everything a released table gives away, measured over **every** column it contains.

    Every column but ``sensitive`` is treated as a quasi-identifier (what is released can be known or learnt
    by someone), so a column left in the table by oversight is measured too. Returns rows, the columns
    measured, k, uniqueness, the average risk (:func:`average_risk`), distinct l, entropy l, t (variational
    distance) and ``row keys``: what else links the rows to their source (:func:`row_keys`), "none" if nothing.
    When a key or an order survives, it also warns (``UserWarning``): pass the table through :func:`detach` first.
    """
    if not isinstance(release, pd.DataFrame):
        raise DataError("release", f"expected a pandas DataFrame, got {type(release).__name__}", "Pass the table.")
    names = [c for c in release.columns if c != sensitive]
    _sensitive(release, names, sensitive)
    _columns(release, names, "the release's other columns")
    keys = row_keys(release)
    if keys:
        warnings.warn(
            "this table still links to its source: " + "; ".join(keys) + ". Release privacy.detach(table, seed).",
            UserWarning,
            stacklevel=2,
        )
    return pd.Series({
        "rows": len(release),
        "quasi-identifiers": ", ".join(map(str, names)),
        "k": k_anonymity(release, names),
        "uniqueness": uniqueness(release, names),
        "average risk": average_risk(release, names),
        "l (distinct)": l_diversity(release, names, sensitive),
        "l (entropy)": entropy_l_diversity(release, names, sensitive),
        "t": t_closeness(release, names, sensitive),
        "row keys": "; ".join(keys) or "none",
    }, name=sensitive)  # fmt: skip


def risk_by_number(table: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str | None = None) -> pd.DataFrame:
    """Uniqueness, k (and l, if ``sensitive`` is given) with the first 1, 2, ... n quasi-identifiers.

    One row per step, indexed by the quasi-identifier added at that step.
    """
    names = _columns(table, quasi_identifiers)
    rows = []
    for i in range(1, len(names) + 1):
        used = names[:i]
        row = {"quasi-identifiers": i, "uniqueness": uniqueness(table, used), "k": k_anonymity(table, used)}
        if sensitive is not None:
            row["l"] = l_diversity(table, used, sensitive)
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(names, name="added"))


def bands(values, width: float, start: float = 0, top: float | None = None, unit: str = "") -> pd.Series:
    """Generalise numbers into bands of ``width``: 57 with width 10 becomes '50-59' (labels name whole units).

    Values at or above ``top`` share one band ('90+'). Missing values stay missing (and so still form a group of
    their own in k-anonymity). Values below ``start`` raise DataError.
    """
    values = pd.Series(values)
    if not (isinstance(width, (int, float)) and width > 0):
        raise DataError(f"width={width!r}", "a band must be wider than zero", "Pass a positive width, e.g. 10.")
    try:
        numbers = pd.to_numeric(values)
    except (TypeError, ValueError):
        raise DataError("values", "are not all numbers", "Generalise a numeric column (ages, weights).") from None
    if numbers.lt(start).any():
        raise DataError(
            f"start={start!r}",
            f"the values go down to {numbers.min():g}, below the first band",
            "Pass a start at or below the smallest value.",
        )
    low = start + np.floor((numbers - start) / width) * width
    suffix = f" {unit}" if unit else ""
    labels = low.map(lambda lo: np.nan if pd.isna(lo) else f"{lo:g}-{lo + width - 1:g}{suffix}")
    if top is not None:
        labels = labels.mask(numbers.ge(top), f"{top:g}+{suffix}")
    return labels.rename(values.name)


def year_only(dates) -> pd.Series:
    """Generalise dates (datetimes or text such as '1986-07-03 10:00:00', invented) to their year; missing stays
    missing.

    The year is that of the date as stored: for PTB-XL, whose dates were shifted, a stored (shifted) year, not the
    year of the recording."""
    dates = pd.Series(dates)
    try:
        parsed = pd.to_datetime(dates)
    except (TypeError, ValueError) as exc:
        raise DataError("dates", f"could not be read as dates ({exc})", "Pass datetimes or ISO text dates.") from None
    return parsed.dt.year.astype("Int64").rename(dates.name)


def suppress(
    table: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    k: int = 5,
    sensitive: str | None = None,
    l: int = 1,  # noqa: E741 (the l of l-diversity)
) -> pd.DataFrame:
    """The rows whose group has at least ``k`` rows (and, with ``sensitive``, at least ``l`` distinct values of it).

    The other rows are suppressed (left out of a release), whole groups at a time, so after it
    :func:`k_anonymity` of the result on the same quasi-identifiers is at least ``k`` and :func:`l_diversity`
    at least ``l`` (unless no row is left: then the result is empty). Missing values count as a value of their own.
    """
    for name, value in (("k", k), ("l", l)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise DataError(f"{name}={value!r}", f"{name} must be a whole number of at least 1", f"Pass e.g. {name}=5.")
    keep = group_sizes(table, quasi_identifiers).ge(k)
    if sensitive is not None:
        names = _columns(table, quasi_identifiers)
        _sensitive(table, names, sensitive)
        group, _ = _group_ids(table, names)
        pairs = np.unique(np.column_stack([group, _codes(table[sensitive])]), axis=0)
        distinct = np.bincount(pairs[:, 0], minlength=group.max() + 1)
        keep &= distinct[group] >= l
    elif l != 1:
        raise DataError(f"l={l!r}", "l needs a sensitive column to count values in", "Pass sensitive='...' too.")
    return table[keep]


def round_to(values, step: float) -> pd.Series:
    """Numbers rounded to the nearest multiple of ``step`` (the precision an outsider could know them at).

    ``round_to(weights, 5)`` turns 73.4 kg into 75 kg. Missing values stay missing. A value exactly halfway between
    two multiples goes to the even multiple of ``step`` (pandas rounds halves to even): at ``step=1``, 72.5 kg
    becomes 72, not 73; at ``step=5``, 72.5 kg becomes 70.
    """
    values = pd.Series(values)
    if isinstance(step, bool) or not isinstance(step, (int, float, np.integer, np.floating)) or not step > 0:
        raise DataError(f"step={step!r}", "the precision must be a positive number", "Pass e.g. step=5 (kg).")
    try:
        numbers = pd.to_numeric(values)
    except (TypeError, ValueError):
        raise DataError("values", "are not all numbers", "Round a numeric column (weights, heights).") from None
    return ((numbers / step).round() * step).rename(values.name)


def uniqueness_by_size(
    table: pd.DataFrame, quasi_identifiers: Sequence[str], sizes: Sequence[int], repeats: int = 50, seed: int = 0
) -> pd.DataFrame:
    """Uniqueness in random samples of the table, by sample size: how much of it is an effect of a small slice.

    For each size, ``repeats`` samples without replacement (seeded); returns the mean uniqueness and the 5th
    and 95th percentiles across samples. The full table is itself a sample of some population: in smaller
    samples more rows are unique, so a sample's uniqueness overstates how many people are unique in the
    population.
    """
    names = _columns(table, quasi_identifiers)
    try:
        sizes = [int(n) for n in sizes]
    except (TypeError, ValueError):
        raise DataError(f"sizes={sizes!r}", "is not a list of whole numbers", "Pass e.g. [400, 1000].") from None
    bad = [n for n in sizes if not 1 <= n <= len(table)]
    if bad or not sizes:
        raise DataError(
            f"sizes={sizes!r}", f"every size must be from 1 to the table's {len(table)} rows", "Pass smaller sizes."
        )
    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)) or repeats < 1:
        raise DataError(f"repeats={repeats!r}", "must be a whole number of at least 1", "Pass e.g. repeats=50.")
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        shares = [uniqueness(table.iloc[rng.choice(len(table), n, replace=False)], names) for _ in range(repeats)]
        low, high = np.percentile(shares, [5, 95])
        rows.append({"sample size": n, "uniqueness": float(np.mean(shares)), "low": low, "high": high})
    return pd.DataFrame(rows).set_index("sample size")


def synthetic_register(
    records: pd.DataFrame, columns: Sequence[str], n_people: int, share_in_records: float, seed: int
) -> tuple[pd.DataFrame, pd.Series]:
    """A plainly synthetic "public register" for a linkage demonstration: never real people.

    ``n_people`` invented people named 'Synthetic person 0001', ... For a share ``share_in_records`` of them the
    values of ``columns`` are copied from randomly chosen rows of ``records`` (playing patients who are also in
    the register); the others get values drawn independently, column by column, from the same rows (people
    who never were patients). Returns the register (``name`` plus ``columns``) and, for each register row, the
    index of the record it was copied from (missing for the others): the truth an attacker does not have.
    """
    names = _columns(records, columns, "columns")
    if not 0 <= share_in_records <= 1:
        raise DataError(f"share_in_records={share_in_records!r}", "is not a share", "Pass a number from 0 to 1.")
    if isinstance(n_people, bool) or not isinstance(n_people, (int, np.integer)) or n_people < 1:
        raise DataError(f"n_people={n_people!r}", "must be a whole number of at least 1", "Pass e.g. 1000.")
    rng = np.random.default_rng(seed)
    n_in = min(int(round(n_people * share_in_records)), len(records))
    chosen = rng.choice(len(records), size=n_in, replace=False)
    copied = records.iloc[chosen][names].reset_index(drop=True)
    others = pd.DataFrame({c: records[c].to_numpy()[rng.integers(0, len(records), n_people - n_in)] for c in names})
    register = pd.concat([copied, others], ignore_index=True)
    source = pd.Series(list(records.index[chosen]) + [pd.NA] * (n_people - n_in), name="copied from", dtype="Int64")
    order = rng.permutation(n_people)
    register, source = register.iloc[order].reset_index(drop=True), source.iloc[order].reset_index(drop=True)
    register.insert(0, "name", [f"Synthetic person {i + 1:04d}" for i in range(n_people)])
    return register, source


def link(register: pd.DataFrame, records: pd.DataFrame, on: Sequence[str]) -> pd.DataFrame:
    """A linkage attack: every (register entry, record) pair that agrees on all of ``on``, and which of them pin.

    A value missing on either side joins nothing (pandas' ``merge`` would join a missing value to a missing
    one, but an unknown weight on an outside list is not the same fact as "weight not recorded" in the data).
    Returns one row per candidate pair: ``entry`` (the register's index), ``record`` (the records' index) and
    ``pinned``: the entry matches exactly one record and that record matches no other entry.
    """
    names = _columns(register, on, "on")
    _columns(records, names, "on")
    left = register.dropna(subset=names)[names].reset_index(names="entry")
    right = records.dropna(subset=names)[names].reset_index(names="record")
    pairs = left.merge(right, on=names, how="inner")[["entry", "record", *names]]
    per_entry = pairs.groupby("entry")["record"].transform("size")
    per_record = pairs.groupby("record")["entry"].transform("size")
    return pairs.assign(pinned=per_entry.eq(1) & per_record.eq(1))


#: What could identify someone in a PTB-XL report, as regular expressions (lower-case text).
TEXT_PATTERNS: dict[str, str] = {
    # a date written yymmdd (e.g. "ekg 870614", an invented example): six digits whose month and day are plausible
    "date yymmdd": r"\b[89]\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b",
    # a date written d:m:yy (e.g. "tracing of 3:5:88", invented)
    "date d:m:yy": r"\b(?:[1-9]|[12]\d|3[01]):(?:[1-9]|1[0-2]):[89]\d\b",
    # an editor's note giving the patient's sex and age, e.g. "(f,58)" (invented; no report of the slice is quoted)
    "sex and age": r"\([mf],\s*\d{1,3}\)",
    # a word for a place of care or a member of staff, in German, English or Swedish
    "place or staff": r"\b(?:dr|prof|herr|frau|hospital|clinic|klinik\w*|krankenhaus|sjukhus\w*|lasarett|station"
    r"|ward|praxis)\b",
}


def _patterns(patterns) -> Mapping[str, str]:
    if not isinstance(patterns, Mapping) or not patterns:
        raise DataError("patterns", "expected a non-empty dict of name -> regular expression", "Pass TEXT_PATTERNS.")
    for name, pattern in patterns.items():
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise DataError(f"patterns[{name!r}]", f"is not a regular expression ({exc})", "Fix the pattern.") from None
    return patterns


def find_in_text(texts: pd.Series, patterns: Mapping[str, str] = TEXT_PATTERNS) -> pd.DataFrame:
    """Every match of every pattern: one row per match, with the text's index, the pattern's name and the match."""
    patterns = _patterns(patterns)
    texts = pd.Series(texts)
    rows = []
    for name, pattern in patterns.items():
        for idx, text in texts.dropna().items():
            rows.extend({"index": idx, "kind": name, "match": m.group()} for m in re.finditer(pattern, str(text)))
    return pd.DataFrame(rows, columns=["index", "kind", "match"])


def redact(texts: pd.Series, patterns: Mapping[str, str] = TEXT_PATTERNS) -> pd.Series:
    """The texts with every match of a pattern replaced by its name in brackets, e.g. '[date yymmdd]'."""
    patterns = _patterns(patterns)
    out = pd.Series(texts).copy()
    for name, pattern in patterns.items():
        out = out.str.replace(pattern, f"[{name}]", regex=True)
    return out


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _prepared(parts) -> list[tuple[np.ndarray, np.ndarray]]:
    if not parts:
        raise DataError("parts", "no site was given", "Pass one (X, y) pair per site.")
    prepared = []
    for i, (x, y) in enumerate(parts):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.ndim != 2 or len(x) != len(y) or len(y) == 0:
            raise DataError(
                f"parts[{i}]", f"X {x.shape} and y {y.shape} do not fit", "Pass X (rows, features) and y (rows)."
            )
        if np.isnan(x).any() or np.isnan(y).any():
            raise DataError(f"parts[{i}]", "holds missing values", "Drop or impute them at the site first.")
        prepared.append((np.column_stack([np.ones(len(x)), x]), y))
    if len({x.shape[1] for x, _ in prepared}) != 1:
        raise DataError("parts", "the sites have different numbers of features", "Give every site the same columns.")
    return prepared


def _local(x: np.ndarray, y: np.ndarray, w: np.ndarray, steps: int, learning_rate: float) -> np.ndarray:
    v = w.copy()
    for _ in range(int(steps)):
        v -= learning_rate * x.T @ (_sigmoid(x @ v) - y) / len(y)
    return v


def site_updates(
    parts: Sequence[tuple[np.ndarray, np.ndarray]],
    coefficients=None,
    local_steps: int = 1,
    learning_rate: float = 0.5,
) -> pd.DataFrame:
    """What each site sends the coordinator in one round of federated averaging: its coefficients and its rows.

    Every site starts from ``coefficients`` (intercept first; zeros if None) and takes ``local_steps`` gradient
    steps on its own rows. One row per site: ``rows`` and the coefficients it sends (``b0``, ``b1``, ...). These
    are exactly what the coordinator sees, so they are what an honest-but-curious coordinator can learn from.
    """
    prepared = _prepared(parts)
    width = prepared[0][0].shape[1]
    w = np.zeros(width) if coefficients is None else np.asarray(coefficients, dtype=float)
    if w.shape != (width,):
        raise DataError(
            f"coefficients (shape {w.shape})",
            f"the model has {width} coefficients (intercept first)",
            f"Pass {width} numbers, or None for zeros.",
        )
    rows = [{"rows": len(y), **{f"b{j}": v for j, v in enumerate(_local(x, y, w, local_steps, learning_rate))}}
            for x, y in prepared]  # fmt: skip
    return pd.DataFrame(rows, index=pd.RangeIndex(len(rows), name="site"))


def federated_logistic(
    parts: Sequence[tuple[np.ndarray, np.ndarray]], rounds: int = 200, local_steps: int = 5, learning_rate: float = 0.5
) -> tuple[np.ndarray, pd.DataFrame]:
    """Logistic regression by federated averaging (FedAvg): each site keeps its rows and shares only coefficients.

    ``parts`` is one ``(X, y)`` per site (X without an intercept column; one is added). In each round every
    site starts from the current shared coefficients, takes ``local_steps`` gradient steps on its own rows,
    and sends back its coefficients and its number of rows; the new shared coefficients are the average
    weighted by rows. Returns the final coefficients (intercept first) and a table of the shared
    coefficients after every round. With ``local_steps=1`` this is exactly gradient descent on the pooled data.
    """
    prepared = _prepared(parts)
    weights = np.array([len(y) for _, y in prepared], dtype=float)
    weights /= weights.sum()
    w = np.zeros(prepared[0][0].shape[1])
    history = []
    for _ in range(int(rounds)):
        local = [_local(x, y, w, local_steps, learning_rate) for x, y in prepared]
        w = np.average(local, axis=0, weights=weights)
        history.append(w.copy())
    return w, pd.DataFrame(history, index=pd.RangeIndex(1, len(history) + 1, name="round"))
