"""Issue 29, point 4: the modelling functions of ``heartdata.mortality`` refuse bad input with ``DataError`` (which
argument, what is wrong, what to do), never with scikit-learn's or numpy's own error; paired inputs are aligned by
index or refused. Each family is tested with its neighbours: the same mistake in another form or through another
function. The command says the same in one line and exits 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heartdata import DataError, mortality

SKLEARN_WORDS = ("n_splits", "Input X contains", "could not convert", "Found input variables", "Traceback",
                 "needs samples of at least 2 classes", "The least populated class")  # fmt: skip


def data(n=120, seed=0, start=1000, deaths=None):
    rng = np.random.default_rng(seed)
    idx = pd.Index(np.arange(start, start + n), name="RecordID")
    died = (rng.random(n) < 0.3).astype(int) if deaths is None else np.r_[np.ones(deaths), np.zeros(n - deaths)]
    y = pd.Series(died.astype(int), index=idx, name="In-hospital_death")
    X = pd.DataFrame({"a": rng.normal(size=n) + y.to_numpy(), "b": rng.normal(size=n)}, index=idx)
    X.loc[X.index[::9], "b"] = np.nan
    return X, y


def refused(call, *words):
    with pytest.raises(DataError) as err:
        call()
    message = str(err.value)
    for word in words:
        assert word in message, (word, message)
    for word in SKLEARN_WORDS:
        assert word not in message, (word, message)
    return message


# --------------------------------------------------------------------------------------------- one class
@pytest.mark.parametrize("value", [0, 1])
def test_one_class_is_refused_by_cross_validate(value):
    X, y = data()
    y[:] = value
    who = "no deaths" if value == 0 else "no survivors"
    refused(lambda: mortality.cross_validate(X, y), who, "only one class", "120 stays")


def test_one_class_neighbours():
    X, y = data()
    none = y * 0
    refused(lambda: mortality.cross_validate(X, none.astype(bool)), "no deaths")  # as booleans
    refused(lambda: mortality.cross_validate(X, none, choose_thresholds=False), "no deaths")  # no thresholds
    refused(lambda: mortality.cross_validate(X, none, kind="boosting"), "no deaths")  # the other model
    refused(lambda: mortality.train_and_test(X, none, X, y), "train_and_test(X_train, y_train)", "no deaths")
    # a test set of one class is allowed (its AUROC is NaN, as documented); training on it is not
    X_t, y_t = data(40, seed=3, start=5000)
    scores, m = mortality.train_and_test(X, y, X_t, y_t * 0)
    assert np.isnan(m["auroc"]) and scores.notna().all()


# --------------------------------------------------------------------------------------------- folds
@pytest.mark.parametrize("folds, words", [(1, "at least 2 folds"), (0, "at least 2 folds"), (-3, "at least 2 folds"),
                                          (2.5, "whole number"), (True, "whole number"), ("5", "whole number"),
                                          (None, "whole number")])  # fmt: skip
def test_folds_must_be_a_whole_number_of_at_least_two(folds, words):
    X, y = data()
    refused(lambda: mortality.cross_validate(X, y, folds=folds), words, "folds")


def test_more_folds_than_deaths_and_too_few_for_the_inner_threshold():
    X, y = data(deaths=4)
    refused(lambda: mortality.cross_validate(X, y, folds=5), "4 deaths, fewer than the 5 folds", "at most 4")
    X, y = data(deaths=3)
    refused(lambda: mortality.cross_validate(X, y, folds=2), "3 deaths", "choose the threshold")
    # without thresholds the inner split is not needed: 2 folds of 3 deaths work; so do 3 folds with thresholds
    scores, _ = mortality.cross_validate(X, y, folds=2, choose_thresholds=False)
    assert scores.notna().all()
    scores, _ = mortality.cross_validate(X, y, folds=3)
    assert scores.notna().all()
    X, y = data(deaths=1)
    refused(lambda: mortality.train_and_test(X, y, X, y), "1 deaths", "choose the threshold")


def test_many_survivors_few_of_them_is_said_of_survivors():
    X, y = data(n=30, deaths=27)
    refused(lambda: mortality.cross_validate(X, y, folds=5), "3 survivors")


# --------------------------------------------------------------------------------------------- text columns
@pytest.mark.parametrize("column", [
    pd.Series(["low", "high"] * 60),
    pd.Series(["1.5", "2.0"] * 60),  # numbers written as text
    pd.Series(["a", "b"] * 60, dtype="string"),
    pd.Series(["a", "b"] * 60, dtype="category"),
    pd.Series(pd.date_range("2012-01-01", periods=120)),
])  # fmt: skip
def test_a_column_that_is_not_numeric_is_named(column):
    X, y = data()
    X["unit"] = column.to_numpy()
    refused(lambda: mortality.cross_validate(X, y), "unit", "not numeric")
    refused(lambda: mortality.train_and_test(X.drop(columns="unit"), y, X, y), "X_test", "unit")


def test_booleans_and_integers_are_numbers():
    X, y = data()
    X["vent"] = X["a"] > 0
    X["count"] = np.arange(len(X))
    scores, m = mortality.cross_validate(X, y, folds=3)
    assert scores.notna().all() and 0 <= m["auroc"] <= 1


def test_infinite_values_are_named():
    X, y = data()
    X.iloc[3, 1] = np.inf
    refused(lambda: mortality.cross_validate(X, y), "b holds infinite values")


def test_an_empty_table_is_refused():
    X, y = data()
    refused(lambda: mortality.cross_validate(X[[]], y), "0 columns")
    refused(lambda: mortality.cross_validate(X.iloc[:0], y.iloc[:0]), "0 rows")


# --------------------------------------------------------------------------------------------- pairing
def test_wrong_length_is_refused():
    X, y = data()
    refused(lambda: mortality.cross_validate(X, y.iloc[:-5]), "X has 120 rows but y has 115")
    longer = pd.concat([y, pd.Series([0], index=[99999])])
    refused(lambda: mortality.cross_validate(X, longer), "X has 120 rows but y has 121")


def test_labels_of_other_stays_are_refused_not_paired_by_position():
    X, y = data()
    other = y.set_axis(y.index + 10)
    refused(lambda: mortality.cross_validate(X, other), "not in X", "wrong outcome")


def test_the_same_stays_in_another_order_are_paired_by_index():
    X, y = data()
    shuffled = y.sample(frac=1, random_state=1)
    a, m_a = mortality.cross_validate(X, y, folds=3)
    b, m_b = mortality.cross_validate(X, shuffled, folds=3)
    assert a.equals(b) and m_a["auroc"] == m_b["auroc"]


@pytest.mark.parametrize("make", [lambda y: y.to_numpy(), lambda y: y.tolist()])
def test_labels_without_an_index_are_refused(make):
    X, y = data()
    refused(lambda: mortality.cross_validate(X, make(y)), "no index to pair")


def test_a_table_without_an_index_of_stays_is_refused():
    X, y = data()
    refused(lambda: mortality.cross_validate(X.to_numpy(), y), "X must be a pandas DataFrame")


def test_repeated_stays_are_refused():
    X, y = data()
    X2 = pd.concat([X, X.iloc[:2]])
    y2 = pd.concat([y, y.iloc[:2]])
    refused(lambda: mortality.cross_validate(X2, y2), "repeats")


@pytest.mark.parametrize("labels, words", [
    (lambda y: y.astype(float).where(y.index != y.index[4]), "not"),  # a missing label
    (lambda y: y.where(y.index != y.index[4], 2), "2"),  # a label that is not 0 or 1
    (lambda y: y.map({0: "alive", 1: "dead"}), "'alive'"),  # words
])  # fmt: skip
def test_labels_must_be_zero_or_one(labels, words):
    X, y = data()
    refused(lambda: mortality.cross_validate(X, labels(y)), "0 (survived) or 1 (died)", words)


# --------------------------------------------------------------------------------------------- model kind and seed
@pytest.mark.parametrize("kind", ["forest", "Logistic", "", None, 3, object()])
def test_unknown_model_kind(kind):
    X, y = data()
    refused(lambda: mortality.cross_validate(X, y, kind=kind), "is not a model this pipeline knows", "logistic")
    refused(lambda: mortality.train_and_test(X, y, X, y, kind=kind), "is not a model")


@pytest.mark.parametrize("kind", ["forest", "LOGISTIC"])
def test_make_model_refuses_an_unknown_kind_with_data_error(kind):
    refused(lambda: mortality.make_model(kind), "boosting")


@pytest.mark.parametrize("seed", [-1, 2.5, "0", 2**32])
def test_seed_must_be_a_whole_number_scikit_learn_accepts(seed):
    X, y = data()
    refused(lambda: mortality.cross_validate(X, y, seed=seed), "seed")


# --------------------------------------------------------------------------------------------- paired scores
def test_scores_of_another_length_are_refused_by_every_scoring_function():
    y = np.array([0, 1, 0, 1, 1])
    s = np.array([0.1, 0.8, 0.3, 0.6])
    for call in (lambda: mortality.event1(y, s, 0.5), lambda: mortality.metrics(y, s, 0.5),
                 lambda: mortality.bootstrap_auroc(y, s), lambda: mortality.choose_threshold(y, s),
                 lambda: mortality.bootstrap_auroc(y, np.r_[s, 0.2], other=s)):  # fmt: skip
        refused(call, "different lengths")


def test_scores_indexed_by_other_stays_are_refused_and_shuffled_ones_aligned():
    X, y = data()
    score = pd.Series(np.linspace(0, 1, len(y)), index=y.index)
    other = score.set_axis(score.index + 1000)
    refused(lambda: mortality.bootstrap_auroc(y, other), "other stays")
    refused(lambda: mortality.metrics(y, score, 0.5, saps=other), "other stays")
    shuffled = score.sample(frac=1, random_state=2)
    assert mortality.event1(y, shuffled, 0.5) == mortality.event1(y, score, 0.5)
    assert np.allclose(
        mortality.bootstrap_auroc(y, shuffled, n_boot=20), mortality.bootstrap_auroc(y, score, n_boot=20)
    )


def test_a_table_or_a_matrix_of_scores_is_refused():
    y = np.array([0, 1, 0, 1])
    refused(lambda: mortality.event1(y, np.ones((4, 2)), 0.5), "shape")
    refused(lambda: mortality.bootstrap_auroc(y, pd.DataFrame({"a": [1, 2, 3, 4]})), "table")
    refused(lambda: mortality.metrics(y, ["a", "b", "c", "d"], 0.5), "not numbers")


# --------------------------------------------------------------------------------------------- the command
def test_the_command_says_a_data_error_from_the_models_in_one_line(capsys, monkeypatch):
    X, y = data()
    X["unit"] = "MICU"
    monkeypatch.setattr(mortality, "load_features", lambda *a, **k: (X, y, pd.Series(np.nan, index=X.index)))
    monkeypatch.setattr(mortality, "_check_enough", lambda *a, **k: None)
    assert mortality.main(["--train", "a"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unit" in err[0] and "not numeric" in err[0] and "Traceback" not in err[0]


# --------------------------------------------------------------------------------------------- a table of scores
def test_bootstrap_auroc_table_is_bootstrap_auroc_column_by_column_and_skips_missing_values():
    from sklearn.metrics import roc_auc_score

    X, y = data(n=300, seed=5)
    table = X.assign(c=X["a"].where(X.index % 3 != 0))
    boot = mortality.bootstrap_auroc_table(y, table, n_boot=50, seed=4)
    assert boot.shape == (50, 3) and list(boot.columns) == ["a", "b", "c"]
    assert np.allclose(boot["a"], mortality.bootstrap_auroc(y, X["a"], n_boot=50, seed=4))  # the same resamples
    # each column leaves out its own missing rows: one resample of weight 1 everywhere is roc_auc_score on known rows
    ones = mortality._weighted_auroc(y.to_numpy() == 1, table["c"].to_numpy(), np.ones((1, len(y))))
    known = table["c"].notna()
    assert ones[0] == pytest.approx(roc_auc_score(y[known], table.loc[known, "c"]))
    shuffled = table.sample(frac=1, random_state=0)
    assert np.allclose(mortality.bootstrap_auroc_table(y, shuffled, n_boot=20), mortality.bootstrap_auroc_table(
        y, table, n_boot=20), equal_nan=True)  # fmt: skip
    refused(lambda: mortality.bootstrap_auroc_table(y, table.set_axis(table.index + 1)), "other stays")
    refused(lambda: mortality.bootstrap_auroc_table(y, table["a"]), "DataFrame")
    refused(lambda: mortality.bootstrap_auroc_table(y.to_numpy(), table.iloc[:-1]), "rows of scores")
    refused(lambda: mortality.bootstrap_auroc_table(y, table, n_boot=0), "at least one resample")
