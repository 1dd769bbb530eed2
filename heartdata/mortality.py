"""The course's reference in-hospital mortality pipeline for PhysioNet/CinC Challenge 2012 (lesson 07).

Stays are read with ``challenge2012.load_stays``, cleaned with ``cleaning.clean_stays`` and turned into one
row per stay with ``cleaning.stay_features``; the outcome is ``In-hospital_death`` of the set's outcomes file.
Two models: ``"logistic"`` (median imputation with missing-value indicators, scaling, logistic regression)
and ``"boosting"`` (gradient-boosted trees, which handle missing values themselves).

Everything learned from data - imputation medians, scaling, model weights and the decision threshold - is
learned from the training stays only:

- ``cross_validate`` fits the whole pipeline inside each fold, and chooses each fold's threshold from an inner
  cross-validation of that fold's training part (never from the test fold);
- ``train_and_test`` fits on one set and scores another without refitting anything on it.

The Challenge's Event 1 score is min(sensitivity, positive predictive value) of the binary prediction
``score >= threshold`` (Silva et al., CinC 2012;39:245-248). ``choose_threshold`` explains the threshold.

Command line (the last line printed is the same figures as one JSON object)::

    python -m heartdata.mortality --root DIR --train a [--test b] [--model logistic|boosting]
                                  [--folds 5] [--window-hours 48] [--seed 0]

Errors in the data (unknown set, damaged files, stays without outcomes) print one line to stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from . import challenge2012, cleaning
from .errors import DataError

KINDS = ("logistic", "boosting")
#: The outcome column of the Challenge's outcomes files (1 = died in hospital).
OUTCOME = "In-hospital_death"
#: Folds of the inner cross-validation that chooses a threshold from training data. Two are enough to get
#: out-of-fold scores for every training stay, and keep a 5-fold evaluation at 15 fits instead of 20.
INNER_FOLDS = 2
#: Keys of the dict ``metrics`` returns, in the order the command prints them.
METRIC_KEYS = ["n", "deaths", "auroc", "auprc", "brier", "event1", "threshold", "saps_auroc"]
#: The values of C (inverse L2 penalty strength) among which ``make_model("logistic", tune_penalty=True)`` chooses,
#: and the folds of the inner cross-validation that chooses it (on the training rows only). Three folds and six
#: values (rather than 5 and 0.001-0.1) cut lesson 07's run time by about 3 s; on set A every outer fold still
#: chooses C = 0.01, inside the grid, not at an end of it.
PENALTY_GRID = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1)
PENALTY_FOLDS = 3


# --------------------------------------------------------------------------------------------- data
def load_features(
    set_name: str = "a", root=None, window_hours: float = 48
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """``(X, y, saps)`` for one Challenge 2012 set.

    X is ``cleaning.stay_features`` of the cleaned stays (index RecordID, always the same columns);
    y is In-hospital_death as int; saps is the SAPS-I score of the outcomes file with -1 (not computed) as NaN.
    y and saps are aligned to X. A stay without an outcome row, or an outcome row without a stay, raises
    ``DataError`` naming both files and the RecordIDs. X is validated against ``cleaning.feature_schema``
    before it is returned: a table that breaks it raises ``cleaning.FeatureValidationError`` (a ``DataError``
    naming the stays and the failed checks), so no broken table reaches a model without a word.
    """
    outcomes = challenge2012.load_outcomes(set_name, root)
    # one copy of the stays at a time: the raw table is dropped once cleaned, the clean one once aggregated
    clean = cleaning.clean_stays(challenge2012.load_stays(set_name, root), window_hours)[0]
    X = cleaning.stay_features(clean, window_hours)
    del clean
    folder = challenge2012.data_dir(root)
    stays_name = next((str(p) for p in (folder / f"set-{set_name}", folder / f"set-{set_name}.tar.gz") if p.exists()),
                      str(folder / f"set-{set_name}"))  # fmt: skip
    try:  # no broken table reaches a model silently
        cleaning.validate_features(X, window_hours)
    except cleaning.FeatureValidationError as exc:
        raise cleaning.FeatureValidationError(exc.report, where=f"the features of {stays_name}") from None
    outcomes_name = folder / f"Outcomes-{set_name}.txt"
    no_outcome = sorted(set(X.index) - set(outcomes.index))
    no_stay = sorted(set(outcomes.index) - set(X.index))
    if no_outcome or no_stay:
        parts = []
        if no_outcome:
            parts.append(f"{len(no_outcome)} stays of {stays_name} have no row in {outcomes_name.name} "
                         f"(RecordID {_ids(no_outcome)})")  # fmt: skip
        if no_stay:
            parts.append(f"{len(no_stay)} rows of {outcomes_name.name} have no stay file in {stays_name} "
                         f"(RecordID {_ids(no_stay)})")  # fmt: skip
        raise DataError(
            outcomes_name,
            "; ".join(parts),
            "Every stay needs exactly one outcome row: use the outcomes file that belongs to this set.",
        )
    if outcomes.index.duplicated().any():
        dup = sorted(set(outcomes.index[outcomes.index.duplicated()]))
        raise DataError(outcomes_name, f"RecordID {_ids(dup)} appear more than once",
                        "Every stay needs exactly one outcome row.")  # fmt: skip
    out = outcomes.reindex(X.index)
    death = pd.to_numeric(out[OUTCOME], errors="coerce")
    bad = death.isna() | ~death.isin([0, 1])
    if bad.any():
        raise DataError(outcomes_name, f"{OUTCOME} is not 0 or 1 for RecordID {_ids(sorted(X.index[bad]))}",
                        "Replace the outcomes file with PhysioNet's original.")  # fmt: skip
    y = death.astype(int).rename(OUTCOME)
    saps = pd.to_numeric(out["SAPS-I"], errors="coerce").astype(float).where(lambda s: s != -1).rename("SAPS-I")
    return X, y, saps


def _ids(ids: list) -> str:
    shown = ", ".join(str(int(i)) for i in ids[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


# --------------------------------------------------------------------------------------------- models
def make_model(kind: str = "logistic", seed: int = 0, tune_penalty: bool = False):
    """An unfitted scikit-learn classifier with fixed settings and seed.

    ``"logistic"``: median imputation plus one 0/1 indicator per column that had missing values in training
    (a test was not done is information), standard scaling, L2 logistic regression (lbfgs) on ~440 correlated
    columns (241 features and their missing-indicators). By default its penalty is fixed at C=0.05, chosen by
    hand and not tuned; on set A it is too weak (out-of-fold calibration slope about 0.75: risks too extreme,
    lesson 07), and lesson 11 shrinks it by hand. ``tune_penalty=True`` chooses C instead, on the training
    data it is fitted to: ``LogisticRegressionCV`` over PENALTY_GRID, scored by log-loss in a stratified
    PENALTY_FOLDS-fold CV of those rows (seed ``seed``), then refitted on all of them at the chosen C (its
    ``C_``). Inside ``cross_validate`` that is a nested CV: the test fold plays no part in choosing C.
    ``"boosting"``: histogram gradient-boosted trees (handles NaN itself: no imputation), 60 trees of
    learning rate 0.1, at most 8 leaves, 64 bins, no early stopping (so results depend only on ``seed``).
    Both are chosen to be fast: a 5-fold CV with inner threshold CV (15 fits) on 4,000 stays takes seconds.
    """
    if kind == "logistic":
        model = (LogisticRegressionCV(Cs=list(PENALTY_GRID), cv=StratifiedKFold(PENALTY_FOLDS, shuffle=True,
                                                                               random_state=seed),
                                      scoring=_neg_log_loss, l1_ratios=(0.0,), use_legacy_attributes=False,
                                      max_iter=300, solver="lbfgs")  # l1_ratio 0: the L2 penalty
                 if tune_penalty else LogisticRegression(C=0.05, max_iter=100, solver="lbfgs"))  # fmt: skip
        return Pipeline([
            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
            ("scale", StandardScaler()),
            ("model", model),
        ])  # fmt: skip
    if kind == "boosting":
        return HistGradientBoostingClassifier(
            max_iter=60, learning_rate=0.1, max_leaf_nodes=8, max_bins=64, min_samples_leaf=40, l2_regularization=1.0,
            early_stopping=False, random_state=seed,
        )  # fmt: skip
    raise _unknown_kind(kind)


def _neg_log_loss(estimator, X, y) -> float:
    """The ``"neg_log_loss"`` scorer's value (minus the mean log-loss, probabilities clipped as scikit-learn clips
    them), computed directly: ``LogisticRegressionCV`` calls it once per fold and C, and scikit-learn's scorer
    spends longer checking its inputs than this takes (a quarter of lesson 07's run time). Same choice of C."""
    p = np.clip(estimator.predict_proba(X)[:, 1], np.finfo(float).eps, 1 - np.finfo(float).eps)
    y = np.asarray(y) == estimator.classes_[1]
    return float(np.mean(np.where(y, np.log(p), np.log1p(-p))))


def _unknown_kind(kind) -> DataError:
    return DataError(f"kind={kind!r}"[:80], f"is not a model this pipeline knows ({', '.join(KINDS)})",
                     f"Pass kind={KINDS[0]!r} or {KINDS[1]!r}, or an unfitted scikit-learn classifier.")  # fmt: skip


def _model(kind, seed):
    """make_model(kind) for a name; a fresh clone for an sklearn estimator (lets tests pass their own)."""
    return make_model(kind, seed) if isinstance(kind, str) else clone(kind)


def _fit_predict(kind, seed, X_train, y_train, X_test, fitted: list | None = None) -> np.ndarray:
    """Fit on the training rows, return P(death) of the test rows. Columns never measured in the training
    rows (all NaN) are left out of both: nothing can be learned from them (and the boosting would fail)."""
    keep = X_train.columns[X_train.notna().any().to_numpy()]
    X_train, X_test = X_train[keep], X_test[keep]
    model = _model(kind, seed)
    # one thread: on these small tables thread start-up costs more than it saves (3x slower on 2 busy cores)
    with warnings.catch_warnings(), threadpool_limits(1):
        # a column never measured in a training part is dropped by the imputer (and warns): expected here
        warnings.filterwarnings("ignore", message="Skipping features without any observed values")
        model.fit(X_train, y_train)
        if fitted is not None:  # the caller keeps the fitted model (e.g. to read the C it chose)
            fitted.append(model)
        return model.predict_proba(X_test)[:, 1]


# --------------------------------------------------------------------------------------------- scores
def _paired(where: str, y_true, *scores) -> list[np.ndarray]:
    """Labels and scores as float arrays of one length, paired by index where they have one.

    Series (or DataFrame columns) are aligned to the labels' index when they hold the same labels in another
    order, and refused when their labels differ; arrays and lists have no index and pair by position, so their
    lengths must agree. ``None`` scores stay None.
    """
    base = y_true
    out = []
    for i, v in enumerate((y_true, *scores)):
        if v is None:
            out.append(None)
            continue
        if isinstance(v, pd.DataFrame):
            raise DataError(f"{where}", f"argument {i + 1} is a table ({v.shape[1]} columns), not one column",
                            "Pass one column (a Series) or an array.")  # fmt: skip
        if i and isinstance(v, pd.Series) and isinstance(base, pd.Series) and not v.index.equals(base.index):
            if len(v) == len(base) and not v.index.has_duplicates and v.index.sort_values().equals(
                    base.index.sort_values()):  # fmt: skip
                v = v.reindex(base.index)
            else:
                raise DataError(f"{where}", f"argument {i + 1} is indexed by other stays than the labels",
                                "Pass scores indexed like the labels (the same RecordIDs): pairing them by position "
                                "would give stays the wrong score.")  # fmt: skip
        try:
            arr = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise DataError(f"{where}", f"argument {i + 1} holds values that are not numbers",
                            "Pass numbers: 0/1 labels and numeric scores.") from None  # fmt: skip
        if arr.ndim != 1:
            raise DataError(f"{where}", f"argument {i + 1} has shape {arr.shape}, not one value per stay",
                            "Pass a flat array or a Series (e.g. predict_proba(X)[:, 1]).")  # fmt: skip
        out.append(arr)
    lengths = {len(a) for a in out if a is not None}
    if len(lengths) > 1:
        shown = ", ".join(str(len(a)) for a in out if a is not None)
        raise DataError(where, f"labels and scores have different lengths ({shown})",
                        "Pass one score per labelled stay.")  # fmt: skip
    return out


def event1(y_true, y_score, threshold: float) -> float:
    """Challenge 2012 Event 1 score: min(sensitivity, positive predictive value) of ``y_score >= threshold``.

    Sensitivity = TP / (TP + FN), positive predictive value = TP / (TP + FP). When no stay is predicted
    positive (or none died) the undefined ratio counts as 0.
    """
    y, score = _paired("event1(y_true, y_score)", y_true, y_score)
    y = y.astype(int)
    pred = score >= threshold
    tp = int((pred & (y == 1)).sum())
    positives, predicted = int((y == 1).sum()), int(pred.sum())
    se = tp / positives if positives else 0.0
    ppv = tp / predicted if predicted else 0.0
    return float(min(se, ppv))


def choose_threshold(y_true, y_score) -> float:
    """The decision threshold, from TRAINING labels and scores only.

    Take k = round(death rate x number of stays), the number of deaths; the threshold is the k-th highest
    score, so that ``y_score >= threshold`` flags as many stays as died (ties can add a few). Then predicted
    positives = actual positives, TP + FP = TP + FN, so sensitivity equals positive predictive value. A
    heuristic, not a guarantee: Event 1, the minimum of the two, is often near its peak there, but another threshold
    can score a little higher. Returns +inf when no stay died.
    """
    y, score = _paired("choose_threshold(y_true, y_score)", y_true, y_score)
    y = y.astype(int)
    s = np.sort(score)[::-1]
    if len(s) == 0:
        raise DataError("choose_threshold", "no stays given", "Pass the labels and scores of at least one stay.")
    k = int(round(y.mean() * len(y)))
    return float(s[k - 1]) if k >= 1 else math.inf


def _maybe(f, *args):
    if len(np.unique(args[0])) < 2:  # one class only: AUROC and AUPRC undefined (and scikit-learn would warn)
        return math.nan
    try:
        return float(f(*args))
    except ValueError:  # one class only: AUROC undefined
        return math.nan


def metrics(y_true, y_score, threshold: float, saps=None) -> dict:
    """n, deaths, auroc, auprc (average precision), brier, event1 (at ``threshold``), threshold, saps_auroc.

    ``saps_auroc`` is the AUROC of SAPS-I on the same stays, over those where SAPS-I is not NaN
    (None if ``saps`` is None). Undefined figures (e.g. AUROC with one class) are NaN.
    """
    y, s, sp = _paired("metrics(y_true, y_score, saps)", y_true, y_score, saps)
    y = y.astype(int)
    out = {
        "n": int(len(y)),
        "deaths": int(y.sum()),
        "auroc": _maybe(roc_auc_score, y, s),
        "auprc": _maybe(average_precision_score, y, s) if y.any() else math.nan,
        "brier": float(brier_score_loss(y, s)) if len(y) else math.nan,
        "event1": event1(y, s, threshold),
        "threshold": float(threshold),
        "saps_auroc": None,
    }
    if sp is not None:
        ok = ~np.isnan(sp)
        out["saps_auroc"] = _maybe(roc_auc_score, y[ok], sp[ok])
    return out


# --------------------------------------------------------------------------------------------- evaluation
def _weighted_auroc(y: np.ndarray, s: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """AUROC of score ``s`` for labels ``y`` (bool) in each row of ``weights`` (resamples x rows, how often each row
    was drawn): the Mann-Whitney statistic with ties counting one half. For each death, the weight of survivors
    scored below it plus half of those tied with it, read from the cumulative weights of the survivors sorted by
    score (integer counts, so the sums are exact). Rows where ``s`` is NaN are left out. NaN where a resample has
    no death or no survivor."""
    s = np.asarray(s, dtype=float)
    known = ~np.isnan(s)
    deaths, survivors = np.flatnonzero(y & known), np.flatnonzero(~y & known)
    survivors = survivors[np.argsort(s[survivors], kind="stable")]
    cumulative = np.zeros((len(weights), len(survivors) + 1), dtype=weights.dtype)
    np.cumsum(weights[:, survivors], axis=1, out=cumulative[:, 1:])
    below = np.searchsorted(s[survivors], s[deaths], side="left")
    up_to = np.searchsorted(s[survivors], s[deaths], side="right")
    w = weights[:, deaths]
    # survivors below plus half the tied ones = (cumulative below + cumulative up to and including ties) / 2
    twice = (w * (cumulative[:, below] + cumulative[:, up_to])).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return twice / 2 / (w.sum(axis=1) * cumulative[:, -1])


def _resamples(n: int, n_boot: int, seed: int):
    """Bootstrap resamples of ``n`` rows as weight matrices (how often each row was drawn), a few MB at a time."""
    rng = np.random.default_rng(seed)
    chunk = max(1, 400_000 // n)
    for start in range(0, int(n_boot), chunk):
        b = min(chunk, int(n_boot) - start)
        drawn = rng.integers(0, n, (b, n)) + n * np.arange(b)[:, None]
        yield np.bincount(drawn.ravel(), minlength=b * n).reshape(b, n)


def _boot_args(where, y, n_boot):
    n = len(y)
    if n == 0 or isinstance(n_boot, bool) or int(n_boot) < 1:
        raise DataError(f"{where}(n={n}, n_boot={n_boot!r})", "needs rows and at least one resample",
                        "Pass the labels and scores of at least one stay, and n_boot >= 1.")  # fmt: skip


def bootstrap_auroc(y_true, score, other=None, n_boot: int = 1000, seed: int = 0) -> np.ndarray:
    """AUROCs of ``n_boot`` bootstrap resamples of the rows (or, given ``other``, the paired differences
    AUROC(score) - AUROC(other) on the same resamples); take ``np.percentile(values, [2.5, 97.5])`` for a 95%
    interval. Resamples without a death or without a survivor have no AUROC and are left out.

    Each resample is a weight per row (how often it was drawn); its AUROC, the Mann-Whitney statistic with ties
    counting one half, is computed from the sorted scores and cumulative weights, many resamples at once, in
    passes of a few MB whatever the number of rows. Labels and scores are paired by index where they have one.
    """
    y, score, other = _paired("bootstrap_auroc(y_true, score, other)", y_true, score, other)
    y = y == 1
    _boot_args("bootstrap_auroc", y, n_boot)
    out = []
    for weights in _resamples(len(y), n_boot, seed):
        a = _weighted_auroc(y, score, weights)
        out.append(a if other is None else a - _weighted_auroc(y, other, weights))
    values = np.concatenate(out)
    return values[np.isfinite(values)]


def _weighted_expected_auroc(p: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The model-based concordance of risks ``p`` in each row of ``weights``: the AUROC the rows would have if each
    outcome were drawn from its risk. Every row is a death with weight p and a survivor with weight 1 - p; pairs
    of one row with itself are left out (pairs of two draws of one row count one half, as ties do)."""
    order = np.argsort(p, kind="stable")
    ps = p[order]
    starts = np.flatnonzero(np.r_[True, np.diff(ps) != 0])
    w = weights[:, order]
    pos = np.add.reduceat(w * ps, starts, axis=1)
    neg = np.add.reduceat(w * (1 - ps), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    self_pairs = (w * ps * (1 - ps)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (((pos * (below + 0.5 * neg)).sum(axis=1) - 0.5 * self_pairs)
                / (pos.sum(axis=1) * neg.sum(axis=1) - self_pairs))  # fmt: skip


def expected_auroc(risk) -> float:
    """The AUROC that ``risk`` would reach if its risks were exactly right: the model-based concordance of van
    Klaveren et al. (*Statistics in Medicine* 2016;35:4136-4152), the mean over pairs of stays i != j of
    p_i (1 - p_j) [p_i > p_j] (ties one half), divided by the mean of p_i (1 - p_j). It depends on the risks alone,
    not on the outcomes: how spread out a group's risks are (its case mix) sets it. An observed AUROC below it
    means the model ranks that group worse than its own risks promise."""
    (p,) = _paired("expected_auroc(risk)", risk)
    if len(p) < 2 or np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise DataError("expected_auroc(risk)", "needs at least two risks, each between 0 and 1",
                        "Pass the model's predicted probabilities (predict_proba(X)[:, 1]).")  # fmt: skip
    return float(_weighted_expected_auroc(p, np.ones((1, len(p))))[0])


def bootstrap_case_mix(y_true, risk, n_boot: int = 1000, seed: int = 0) -> np.ndarray:
    """Observed AUROC minus ``expected_auroc`` (the AUROC the group's case mix would give if the risks were right)
    in each of ``n_boot`` bootstrap resamples of the rows, both on the same resample; take
    ``np.percentile(values, [2.5, 97.5])`` for a 95% interval. Below 0: the model ranks these stays worse than its
    risks promise, which their case mix does not explain."""
    y, p = _paired("bootstrap_case_mix(y_true, risk)", y_true, risk)
    y = y == 1
    _boot_args("bootstrap_case_mix", y, n_boot)
    out = [_weighted_auroc(y, p, w) - _weighted_expected_auroc(p, w) for w in _resamples(len(y), n_boot, seed)]
    values = np.concatenate(out)
    return values[np.isfinite(values)]


def bootstrap_auroc_table(y_true, scores: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The AUROC of every column of ``scores`` in each of ``n_boot`` bootstrap resamples of the rows: one row per
    resample, one column per score, the same resamples for every column (so differences between columns, or
    between the same column of two tables bootstrapped with the same ``seed``, are paired). Each column's AUROC
    leaves out the rows where that column is missing, as ``roc_auc_score`` on its known rows would; NaN where a
    resample has no death or no survivor among them. ``scores`` is aligned to ``y_true`` by index."""
    if not isinstance(scores, pd.DataFrame):
        raise DataError(f"bootstrap_auroc_table(scores={_name(scores)})", "scores must be a DataFrame of scores",
                        "Pass one column per score, indexed like y_true (one score: bootstrap_auroc).")  # fmt: skip
    if isinstance(y_true, pd.Series) and not scores.index.equals(y_true.index):
        if len(scores) != len(y_true) or set(scores.index) != set(y_true.index):
            raise DataError("bootstrap_auroc_table(y_true, scores)", "scores are indexed by other stays than labels",
                            "Pass scores indexed like the labels (the same RecordIDs).")  # fmt: skip
        scores = scores.reindex(y_true.index)
    (y,) = _paired("bootstrap_auroc_table(y_true)", y_true)
    if len(scores) != len(y):
        raise DataError("bootstrap_auroc_table(y_true, scores)", f"{len(y)} labels but {len(scores)} rows of scores",
                        "Pass one row of scores per labelled stay.")  # fmt: skip
    y = y == 1
    _boot_args("bootstrap_auroc_table", y, n_boot)
    values = scores.to_numpy(dtype=float, na_value=np.nan)
    parts = [np.column_stack([_weighted_auroc(y, values[:, j], w) for j in range(values.shape[1])])
             for w in _resamples(len(y), n_boot, seed)]  # fmt: skip
    return pd.DataFrame(np.vstack(parts), columns=scores.columns)


def _inner_splits(X, y, seed) -> list:
    """The INNER_FOLDS (train, test) positions of the inner CV that chooses a threshold from training data (X, y)."""
    return list(StratifiedKFold(n_splits=INNER_FOLDS, shuffle=True, random_state=seed).split(X, y))


def _inner_threshold(X, y, kind, seed) -> float:
    """choose_threshold on out-of-fold scores of an inner INNER_FOLDS-fold CV of the training data (X, y)."""
    splits = _inner_splits(X, y, seed)
    return _threshold_from(y, splits, [_fit_predict(kind, seed, X.iloc[tr], y.iloc[tr], X.iloc[te])
                                       for tr, te in splits])  # fmt: skip


def _threshold_from(y, splits, scores) -> float:
    """choose_threshold on the inner CV's out-of-fold scores, put together from its folds' test scores."""
    oof = np.empty(len(y))
    for (_, te), s in zip(splits, scores, strict=True):
        oof[te] = s
    return choose_threshold(y, oof)


def _name(value) -> str:
    return type(value).__name__


def check_inputs(
    X,
    y,
    folds: int | None = None,
    kind="logistic",
    seed: int = 0,
    where: str = "cross_validate",
    inner: bool = True,
    both_classes: bool = True,
):
    """``(X, y)`` ready for the models, or ``DataError`` saying which argument is wrong, how, and what to do.

    Checked, so that no scikit-learn error reaches a student: X is a DataFrame of numbers (a text, category or
    date column is named), with rows and columns and no infinite value; y is a Series of 0/1 with both classes
    and no missing value, and pairs with X **by index**: the same RecordIDs in another order are aligned to X,
    other RecordIDs (or a y without an index, such as a list or an array) are refused; ``kind`` is one of KINDS
    or a scikit-learn classifier; ``seed`` a whole number that scikit-learn accepts; and, given ``folds``, a
    whole number >= 2 with at least that many deaths and survivors, and enough left in each training part for
    the inner INNER_FOLDS-fold choice of the threshold (``inner=False`` when no threshold is chosen; without
    ``folds``, the whole training set is split INNER_FOLDS ways). ``both_classes=False`` accepts labels of one
    class (a test set, whose AUROC is then NaN). ``scale.cross_validate`` can call it too.
    """
    import numbers

    if not isinstance(X, pd.DataFrame):
        raise DataError(f"{where}(X={_name(X)})", "X must be a pandas DataFrame, one row per stay by RecordID",
                        "Pass the X of mortality.load_features, or pd.DataFrame(values, index=ids).")  # fmt: skip
    if not isinstance(y, pd.Series):
        raise DataError(f"{where}(y={_name(y)})", "y has no index to pair it with X's RecordIDs",
                        "Pass y as a pandas Series indexed by RecordID (the y of mortality.load_features); only if "
                        "you are sure of the order, pd.Series(values, index=X.index).")  # fmt: skip
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"{where}(X)", f"X has {X.shape[0]} rows and {X.shape[1]} columns: nothing to fit",
                        "Pass at least one feature for every stay.")  # fmt: skip
    for name, index in (("X", X.index), ("y", y.index)):
        if index.has_duplicates:
            dup = list(dict.fromkeys(index[index.duplicated()]))
            raise DataError(f"{where}({name})", f"{name}'s index repeats {', '.join(map(str, dup[:5]))}"
                            + (f" and {len(dup) - 5} more" if len(dup) > 5 else ""),
                            "Keep one row per stay (RecordID) before fitting.")  # fmt: skip
    if len(X) != len(y):
        raise DataError(f"{where}(X, y)", f"X has {len(X):,} rows but y has {len(y):,}",
                        "Pass the labels of exactly the stays in X (y = y.loc[X.index]).")  # fmt: skip
    if not y.index.equals(X.index):
        extra = y.index.difference(X.index)
        if len(extra):
            raise DataError(f"{where}(X, y)", f"{len(extra):,} of y's labels belong to stays that are not in X "
                            f"(RecordID {', '.join(map(str, list(extra[:5])))}"
                            + (" ..." if len(extra) > 5 else "") + ")",
                            "Pass y and X of the same stays: pairing them by position would give stays the wrong "
                            "outcome.")  # fmt: skip
        y = y.reindex(X.index)  # the same stays in another order: pair by RecordID
    bad = [str(c) for c in X.columns if not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))]
    if bad:
        kinds = sorted({str(X[c].dtype) for c in X.columns if str(c) in bad})
        raise DataError(f"{where}(X)", f"{len(bad)} column{'s are' if len(bad) > 1 else ' is'} not numeric "
                        f"({', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}; {', '.join(kinds)})",
                        "The models read numbers only: convert the column (pd.to_numeric, or one 0/1 column per "
                        "category) or drop it.")  # fmt: skip
    numbers_ = X.to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(numbers_).any(axis=0)
    if infinite.any():
        cols = [str(c) for c in X.columns[infinite]]
        raise DataError(f"{where}(X)", f"{', '.join(cols[:5])} hold{'s' if len(cols) == 1 else ''} infinite values",
                        "Replace them with NaN (missing) or a number before fitting.")  # fmt: skip
    labels = pd.to_numeric(y, errors="coerce") if not pd.api.types.is_bool_dtype(y) else y.astype(int)
    if labels.isna().any() or not labels.isin([0, 1]).all():
        odd = y[labels.isna() | ~labels.isin([0, 1])]
        raise DataError(f"{where}(y)", f"y must be 0 (survived) or 1 (died); {len(odd):,} labels are not, e.g. "
                        f"{', '.join(repr(v) for v in list(dict.fromkeys(odd.tolist()))[:3])}",
                        "Pass the In-hospital_death column (0/1), with no missing label.")  # fmt: skip
    y = labels.astype(int)
    deaths = int(y.sum())
    smaller = min(deaths, len(y) - deaths)
    if smaller == 0 and both_classes:
        who = "no deaths" if deaths == 0 else "no survivors"
        raise DataError(f"{where}(y)", f"y has {who} among its {len(y):,} stays, only one class: a model cannot "
                        "learn to tell the outcomes apart and AUROC is undefined",
                        "Pass stays with both outcomes (set a has 554 deaths in 4,000 stays).")  # fmt: skip
    if isinstance(kind, str):
        if kind not in KINDS:
            raise _unknown_kind(kind)
    elif not (hasattr(kind, "fit") and hasattr(kind, "predict_proba")):
        raise _unknown_kind(kind)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < 2**32:
        raise DataError(f"{where}(seed={seed!r})", "seed must be a whole number from 0 to 2**32 - 1",
                        "Pass seed=0, say.")  # fmt: skip
    what = "deaths" if deaths == smaller else "survivors"
    if folds is None and inner and both_classes and smaller < INNER_FOLDS:
        raise DataError(f"{where}(y)", f"y has {smaller} {what}, too few to split {INNER_FOLDS} ways to choose the "
                        "threshold", "Train on more stays.")  # fmt: skip
    if folds is not None:
        if isinstance(folds, bool) or not isinstance(folds, numbers.Integral):
            raise DataError(f"{where}(folds={folds!r})", f"folds must be a whole number, not a {_name(folds)}",
                            "Pass folds=5, say.")  # fmt: skip
        if folds < 2:
            raise DataError(f"{where}(folds={folds})", "cross-validation needs at least 2 folds (each stay is "
                            "scored by a model fitted on the others)",
                            "Pass folds=5, say; to fit once and score other stays, use train_and_test.")  # fmt: skip
        if folds > smaller:
            raise DataError(f"{where}(folds={folds})", f"y has {smaller} {what}, fewer than the {folds} folds: some "
                            f"test folds would hold no {what}",
                            f"Use at most {smaller} folds (5 is usual), or more stays.")  # fmt: skip
        # each outer training part keeps about (folds - 1) / folds of the smaller class, split INNER_FOLDS ways
        left = smaller - math.ceil(smaller / folds)
        if inner and left < INNER_FOLDS:
            raise DataError(f"{where}(folds={folds})", f"y has {smaller} {what}: each training part keeps about "
                            f"{left}, too few to split {INNER_FOLDS} ways to choose the threshold",
                            "Use fewer folds, or choose_thresholds=False, or more stays.")  # fmt: skip
    return X, y


def cross_validate(
    X, y, kind="logistic", folds: int = 5, seed: int = 0, saps=None, choose_thresholds: bool = True,
    n_jobs: int = 1,
) -> tuple[pd.Series, dict]:
    """Stratified, shuffled ``folds``-fold cross-validation (seed ``seed``); returns ``(scores, metrics)``.

    In each fold the model is fitted on the training part only (imputation and scaling included) and its
    threshold is chosen on out-of-fold scores of an inner INNER_FOLDS-fold CV of that training part. ``scores`` are the
    out-of-fold probabilities (index = X.index). ``metrics`` are computed over all out-of-fold scores, except
    ``event1``, the mean of the per-fold Event 1 scores (each at its fold's threshold, listed in
    ``event1_folds`` and ``threshold_folds``); ``threshold`` is the mean of the fold thresholds.
    ``kind`` is one of KINDS (or an unfitted sklearn classifier, cloned for every fit).
    A model that chooses its own penalty (``make_model("logistic", tune_penalty=True)``) adds ``penalty_folds``,
    the C chosen in each fold's training part.
    ``choose_thresholds=False`` skips the inner cross-validation (one fit per fold instead of INNER_FOLDS + 1): the
    scores, AUROC, AUPRC and Brier score are the same, Event 1 and the thresholds are NaN. For measuring a
    ranking (a leak, a subset of features) that is all one needs, at a third of the fits (INNER_FOLDS = 2).
    ``n_jobs=2`` runs the fits in two worker processes (joblib, as scikit-learn's own ``n_jobs``), one fit per
    core, each fit a task of its own (an inner fit or a fold's final fit), so the two share the work evenly: every
    fit is the same as in one process (same rows, same seed), so are the scores and metrics; the first call pays
    the workers' start-up (about a second), later calls reuse them.
    """
    if folds is None:
        raise DataError("cross_validate(folds=None)", "folds must be a whole number, not None", "Pass folds=5, say.")
    X, y = check_inputs(X, y, folds, kind, seed, "cross_validate", inner=bool(choose_thresholds))
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise DataError(f"cross_validate(n_jobs={n_jobs!r})"[:80], "is not a whole number of processes, 1 or more",
                        "Pass n_jobs=1 (one process) or n_jobs=2 (one per core of a 2-core machine).")  # fmt: skip
    scores = pd.Series(np.nan, index=X.index, name="score")
    e1, thresholds, fitted = [], [], []
    splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y))
    # every fit is a task of its own (each fold's inner fits, then its fit on the whole training part), so that two
    # workers share the fits evenly: with whole folds as tasks, one worker would fit the fifth fold alone
    tasks, inner = [], []
    for tr, te in splits:
        X_train, y_train = X.iloc[tr], y.iloc[tr]
        inner.append(_inner_splits(X_train, y_train, seed) if choose_thresholds else [])
        tasks += [delayed(_fit_predict)(kind, seed, X_train.iloc[itr], y_train.iloc[itr], X_train.iloc[ite])
                  for itr, ite in inner[-1]]  # fmt: skip
        tasks.append(delayed(_fit_model_predict)(kind, seed, X_train, y_train, X.iloc[te]))
    done = iter(Parallel(n_jobs=n_jobs)(tasks))
    for (tr, te), parts in zip(splits, inner, strict=True):
        inner_scores = [next(done) for _ in parts]
        s, model = next(done)
        thr = _threshold_from(y.iloc[tr], parts, inner_scores) if choose_thresholds else math.nan
        scores.iloc[te] = s
        thresholds.append(thr)
        fitted.append(model)
        e1.append(event1(y.iloc[te], s, thr) if choose_thresholds else math.nan)
    m = metrics(y, scores, float(np.mean(thresholds)), None if saps is None else saps.reindex(X.index))
    m["event1"] = float(np.mean(e1))
    m["event1_folds"] = [float(v) for v in e1]
    m["threshold_folds"] = [float(t) for t in thresholds]
    last = [f[-1] if isinstance(f, Pipeline) else f for f in fitted]
    if all(hasattr(f, "C_") for f in last):  # a penalty chosen inside each fold (tune_penalty=True)
        m["penalty_folds"] = [float(np.ravel(f.C_)[0]) for f in last]
    return scores, m


def _fit_model_predict(kind, seed, X_train, y_train, X_test):
    """``_fit_predict`` that also returns the fitted model: (test scores, model); run in this process or a worker."""
    fitted = []
    scores = _fit_predict(kind, seed, X_train, y_train, X_test, fitted)
    return scores, fitted[0]


def train_and_test(X_train, y_train, X_test, y_test, kind="logistic", seed: int = 0, saps_test=None):
    """Fit on the training set only, threshold from an inner INNER_FOLDS-fold CV on it; score the test set without
    refitting anything on it. Returns ``(test scores, metrics on the test set)``."""
    X_train, y_train = check_inputs(X_train, y_train, None, kind, seed, "train_and_test(X_train, y_train)")
    X_test, y_test = check_inputs(X_test, y_test, None, kind, seed, "train_and_test(X_test, y_test)",
                                  both_classes=False)  # fmt: skip
    X_test = X_test.reindex(columns=X_train.columns)  # same columns, in the training order
    thr = _inner_threshold(X_train, y_train, kind, seed)
    s = _fit_predict(kind, seed, X_train, y_train, X_test)
    scores = pd.Series(s, index=X_test.index, name="score")
    saps = None if saps_test is None else saps_test.reindex(X_test.index)
    return scores, metrics(y_test, scores, thr, saps)


# --------------------------------------------------------------------------------------------- command
def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.3f}"
    return str(v)


def _json_safe(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list):
        return [_json_safe(x) for x in v]
    return v


def _window_hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    if not math.isfinite(hours) or hours <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of hours (the stays cover 48)")
    return hours


def _folds(text: str) -> int:
    try:
        folds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if folds < 2:
        raise argparse.ArgumentTypeError(f"{folds} is fewer than 2 (cross-validation needs at least 2 folds)")
    return folds


def _check_enough(y: pd.Series, set_name: str, folds: int | None) -> None:
    """Refuse a training set the models cannot learn from: no deaths (or no survivors), or too few of either
    for the folds (each outer training part is split again INNER_FOLDS ways to choose the threshold)."""
    n, deaths = len(y), int(y.sum())
    where = f"--train {set_name}"
    smaller = min(deaths, n - deaths)
    if smaller == 0:
        who = "in-hospital deaths" if deaths == 0 else "survivors"
        raise DataError(where, f"has no {who} among its {n:,} stays: a model cannot learn to tell them apart",
                        "Train on a set with both outcomes (set a has 554 deaths in 4,000 stays).")  # fmt: skip
    if folds is not None and folds > n:
        raise DataError(f"--folds {folds}", f"is more than the {n:,} stays of set {set_name}",
                        f"Use at most {n} folds (5 is usual).")  # fmt: skip
    need = INNER_FOLDS if folds is None else max(folds, math.ceil(INNER_FOLDS * folds / (folds - 1)))
    if smaller < need:
        what = "deaths" if deaths == smaller else "survivors"
        plan = (f"the inner {INNER_FOLDS}-fold threshold choice" if folds is None
                else f"{folds} folds (each split again {INNER_FOLDS} ways)")  # fmt: skip
        raise DataError(where, f"has {smaller} {what} among {n:,} stays, too few for {plan}",
                        f"Use fewer folds (--folds 2 needs {math.ceil(INNER_FOLDS * 2)}) or a larger set.")  # fmt: skip


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= seed < 2**32:
        raise argparse.ArgumentTypeError(f"{seed} is outside 0 .. 2**32 - 1 (what scikit-learn accepts)")
    return seed


def main(argv=None) -> int:
    from .errors import OneLineParser  # imported here: the command's edits stay inside this section

    parser = OneLineParser(
        prog="python -m heartdata.mortality",
        description="Predict in-hospital death from Challenge 2012 stays: train on one set, score another "
        "(or cross-validate on the training set). The last line printed is the figures as JSON.",
    )
    parser.add_argument("--root", default=None, help="folder holding challenge2012/ (or that folder itself); "
                        "default: $HEARTDATA_DIR or the shipped data")  # fmt: skip
    parser.add_argument("--train", default="a", help="set to train on (set-NAME/ and Outcomes-NAME.txt)")
    parser.add_argument("--test", default=None, help="set to score; without it, cross-validate on --train")
    parser.add_argument("--model", choices=KINDS, default="logistic")
    parser.add_argument("--folds", type=_folds, default=5, help="cross-validation folds, at least 2 (default 5)")
    parser.add_argument("--window-hours", type=_window_hours, default=48, help="hours from admission (default 48)")
    parser.add_argument("--seed", type=_seed, default=0)
    args = parser.parse_args(argv)
    if args.test is not None and args.test == args.train:
        print(f"error: --test {args.test} is the training set: the model would be scored on the stays it was "
              f"fitted to, and its AUROC would mean nothing. Drop --test to cross-validate on set {args.train}, "
              "or test on another set.", file=sys.stderr)  # fmt: skip
        return 2
    try:
        X, y, saps = load_features(args.train, args.root, args.window_hours)
        if args.test is None:
            _check_enough(y, args.train, args.folds)
            _, m = cross_validate(X, y, args.model, args.folds, args.seed, saps)
            mode = f"{args.folds}-fold cross-validation on set {args.train}"
        else:
            _check_enough(y, args.train, None)
            X_t, y_t, saps_t = load_features(args.test, args.root, args.window_hours)
            shared = X.index.intersection(X_t.index)
            if len(shared):
                raise DataError(f"--test {args.test}", f"shares {len(shared):,} of its {len(X_t):,} stays with "
                                f"--train {args.train} (RecordID {_ids(sorted(shared))})",
                                "Score the model on stays it was not fitted to: another set, or drop --test to "
                                "cross-validate.")  # fmt: skip
            _, m = train_and_test(X, y, X_t, y_t, args.model, args.seed, saps_t)
            mode = f"trained on set {args.train}, tested on set {args.test}"
    except DataError as exc:
        print(f"error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    except ValueError as exc:  # from scikit-learn, on data no check above foresaw
        print(f"error: the model could not be fitted on set {args.train}: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written.", file=sys.stderr)
        return 2
    labels = {"n": "stays", "deaths": "deaths", "auroc": "AUROC", "auprc": "AUPRC", "brier": "Brier",
              "event1": "Event 1", "threshold": "threshold", "saps_auroc": "SAPS-I AUROC"}  # fmt: skip
    print(f"In-hospital mortality, model {args.model}, {mode} ({args.window_hours:g} h window)")
    for key in METRIC_KEYS:
        print(f"  {labels[key]:<13} {_fmt(m[key])}")
    if "event1_folds" in m:
        print(f"  {'Event 1 folds':<13} {' '.join(_fmt(v) for v in m['event1_folds'])}")
    result = {"model": args.model, "train": args.train, "test": args.test, **m}
    print(json.dumps({k: _json_safe(v) for k, v in result.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
