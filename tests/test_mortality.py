"""The reference mortality pipeline (heartdata.mortality): scores against their definitions, no leakage from
test folds or test sets, and the command on a small copy of shipped stays laid out as PhysioNet serves them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import confusion_matrix, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from heartdata import DataError, mortality
from heartdata.cleaning import feature_columns

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"

KEYS = {"n", "deaths", "auroc", "auprc", "brier", "event1", "threshold", "saps_auroc"}


# --------------------------------------------------------------------------------------------- scores
@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.65, 0.9])
def test_event1_is_min_of_sensitivity_and_ppv(threshold):
    y = np.array([1, 0, 1, 1, 0, 0, 0, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.2, 0.1, 0.6, 0.3, 0.55, 0.05, 0.4])
    tn, fp, fn, tp = confusion_matrix(y, (s >= threshold).astype(int), labels=[0, 1]).ravel()
    se = tp / (tp + fn)
    ppv = tp / (tp + fp) if tp + fp else 0.0
    assert mortality.event1(y, s, threshold) == pytest.approx(min(se, ppv))


def test_event1_by_hand():
    # threshold 0.5 flags 0.9 (death), 0.8 (survivor), 0.7 (death): Se = 2/3, PPV = 2/3 ... then lower it
    y, s = [1, 0, 1, 1], [0.9, 0.8, 0.7, 0.2]
    assert mortality.event1(y, s, 0.5) == pytest.approx(2 / 3)
    assert mortality.event1(y, s, 0.85) == pytest.approx(1 / 3)  # Se 1/3, PPV 1
    assert mortality.event1(y, s, 0.1) == pytest.approx(3 / 4)  # Se 1, PPV 3/4
    assert mortality.event1(y, s, 0.95) == 0.0  # nothing flagged


def test_choose_threshold_flags_as_many_stays_as_died():
    rng = np.random.default_rng(1)
    y = (rng.random(200) < 0.15).astype(int)
    s = rng.random(200) + 0.5 * y
    thr = mortality.choose_threshold(y, s)
    assert thr in s
    assert int((s >= thr).sum()) == int(y.sum())  # predicted positives = actual positives
    tn, fp, fn, tp = confusion_matrix(y, (s >= thr).astype(int)).ravel()
    assert tp / (tp + fn) == pytest.approx(tp / (tp + fp))  # so Se = PPV
    # Event 1 at this threshold is the best over every possible threshold, up to one stay either way
    best = max(mortality.event1(y, s, t) for t in np.unique(s))
    assert mortality.event1(y, s, thr) >= best - 1 / y.sum()


def test_choose_threshold_small_cases():
    assert mortality.choose_threshold([0, 1, 0, 1], [0.1, 0.9, 0.3, 0.4]) == 0.4  # 2 deaths: 2nd highest
    assert mortality.choose_threshold([0, 0, 0], [0.1, 0.2, 0.3]) == np.inf


def test_metrics_keys_and_saps_on_stays_where_known():
    y = np.array([0, 1, 0, 1, 1, 0])
    s = np.array([0.1, 0.8, 0.3, 0.6, 0.2, 0.4])
    saps = np.array([5, 20, np.nan, 15, 12, 14])
    m = mortality.metrics(y, s, 0.5, saps)
    assert set(m) == KEYS
    assert m["n"] == 6 and m["deaths"] == 3
    assert m["auroc"] == pytest.approx(roc_auc_score(y, s))
    assert m["brier"] == pytest.approx(np.mean((s - y) ** 2))
    ok = ~np.isnan(saps)
    assert m["saps_auroc"] == pytest.approx(roc_auc_score(y[ok], saps[ok]))
    assert mortality.metrics(y, s, 0.5)["saps_auroc"] is None


# --------------------------------------------------------------------------------------------- leakage
class Recorder(ClassifierMixin, BaseEstimator):
    """Scores by the first column; remembers the RecordIDs of every fit (shared across clones)."""

    fitted: list = []

    def fit(self, X, y):
        Recorder.fitted.append(set(X.index))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-X.iloc[:, 0].fillna(0).to_numpy()))
        return np.c_[1 - p, p]


def synthetic(n=150, seed=0, start=1000):
    rng = np.random.default_rng(seed)
    idx = pd.Index(np.arange(start, start + n), name="RecordID")
    y = pd.Series((rng.random(n) < 0.3).astype(int), index=idx)
    X = pd.DataFrame({"a": rng.normal(size=n) + y.to_numpy(), "b": rng.normal(size=n)}, index=idx)
    X.loc[X.index[::7], "b"] = np.nan
    return X, y


def test_cross_validate_never_fits_on_the_test_fold():
    X, y = synthetic()
    Recorder.fitted = []
    scores, m = mortality.cross_validate(X, y, Recorder(), folds=5, seed=3)
    tests = [set(X.index[te]) for _, te in StratifiedKFold(5, shuffle=True, random_state=3).split(X, y)]
    per_fold = mortality.INNER_FOLDS + 1  # the inner fits + 1 final per fold
    assert len(Recorder.fitted) == 5 * per_fold
    for k, test in enumerate(tests):
        fits = Recorder.fitted[k * per_fold : (k + 1) * per_fold]
        assert all(not (f & test) for f in fits), f"fold {k}: a fit saw test stays"
        assert fits[-1] == set(X.index) - test  # the final fit uses the whole training part
    assert scores.index.equals(X.index) and scores.notna().all()
    assert len(m["event1_folds"]) == 5 and m["event1"] == pytest.approx(np.mean(m["event1_folds"]))


def test_cross_validate_thresholds_come_from_the_training_part_only():
    """Each fold's threshold is the inner-CV threshold of its training part alone (recomputed without the test fold)."""
    X, y = synthetic(seed=2)
    _, m = mortality.cross_validate(X, y, "logistic", folds=3, seed=0)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    for k, (tr, _te) in enumerate(splits):
        thr = mortality._inner_threshold(X.iloc[tr], y.iloc[tr], "logistic", 0)
        assert m["threshold_folds"][k] == pytest.approx(thr)


def test_tuned_logistic_chooses_its_penalty_from_the_training_part_only():
    """tune_penalty=True: each fold's C is the one LogisticRegressionCV picks on that fold's training rows alone
    (refitted here without the test fold), it is one of PENALTY_GRID, and the default model keeps C = 0.05."""
    X, y = synthetic(n=300, seed=6)
    tuned = mortality.make_model("logistic", seed=0, tune_penalty=True)
    _, m = mortality.cross_validate(X, y, tuned, folds=3, seed=0, choose_thresholds=False)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    assert len(m["penalty_folds"]) == 3 and set(m["penalty_folds"]) <= set(mortality.PENALTY_GRID)
    for k, (tr, _te) in enumerate(splits):
        alone = mortality.make_model("logistic", seed=0, tune_penalty=True).fit(X.iloc[tr], y.iloc[tr])
        assert m["penalty_folds"][k] == pytest.approx(float(np.ravel(alone[-1].C_)[0]))
    assert mortality.make_model("logistic")[-1].C == 0.05
    assert "penalty_folds" not in mortality.cross_validate(X, y, "logistic", folds=3, choose_thresholds=False)[1]


def test_expected_auroc_is_the_model_based_concordance():
    """expected_auroc against its definition over all ordered pairs i != j (ties one half); outcomes drawn from
    the risks themselves give an observed AUROC near it, and bootstrap_case_mix centres near 0 there."""
    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.9, 40)
    p[3] = p[4]  # a tie
    i, j = np.where(~np.eye(40, dtype=bool))
    num = (p[i] * (1 - p[j]) * ((p[i] > p[j]) + 0.5 * (p[i] == p[j]))).sum()
    assert mortality.expected_auroc(p) == pytest.approx(num / (p[i] * (1 - p[j])).sum())
    risk = rng.uniform(0.01, 0.9, 5000)
    died = (rng.random(5000) < risk).astype(int)
    assert roc_auc_score(died, risk) == pytest.approx(mortality.expected_auroc(risk), abs=0.02)
    gaps = mortality.bootstrap_case_mix(died, risk, n_boot=200)
    low, high = np.percentile(gaps, [0.5, 99.5])
    assert low < 0.01 and high > -0.01
    worse = np.where(rng.random(5000) < 0.5, died, rng.integers(0, 2, 5000))  # half the outcomes random
    assert np.percentile(mortality.bootstrap_case_mix(worse, risk, n_boot=200), 97.5) < 0
    with pytest.raises(DataError):
        mortality.expected_auroc([0.2, 1.5])


def test_train_and_test_never_fits_on_the_test_set_and_aligns_columns():
    X, y = synthetic(seed=4)
    X_test, y_test = synthetic(n=60, seed=5, start=5000)
    X_test = X_test[["b", "a"]]  # other order: realigned to training columns
    Recorder.fitted = []
    scores, m = mortality.train_and_test(X, y, X_test, y_test, Recorder())
    assert all(not (f & set(X_test.index)) for f in Recorder.fitted)
    assert scores.index.equals(X_test.index)
    expected = 1 / (1 + np.exp(-X_test["a"].to_numpy()))
    np.testing.assert_allclose(scores.to_numpy(), expected)
    assert set(m) == KEYS and m["n"] == 60


@pytest.mark.parametrize("kind", mortality.KINDS)
def test_models_cope_with_a_parameter_never_measured_in_training(kind):
    X, y = synthetic(seed=6)
    X["c"] = np.nan  # never measured in training
    X_test, y_test = synthetic(n=40, seed=7, start=9000)
    X_test["c"] = 1.0  # measured in the test set
    scores, m = mortality.train_and_test(X, y, X_test, y_test, kind)
    assert scores.notna().all() and 0 <= m["auroc"] <= 1


# --------------------------------------------------------------------------------------------- command
@pytest.fixture(scope="module")
def small_root(tmp_path_factory):
    """First 400 stays of shipped set A as set "a", the next 300 as set "b", as PhysioNet lays them out."""
    root = tmp_path_factory.mktemp("c12root")
    folder = root / "challenge2012"
    outcomes = pd.read_csv(DATA / "challenge2012" / "Outcomes-a.txt")
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        members = sorted((m for m in tar if m.isfile() and m.name.endswith(".txt")), key=lambda m: m.name)
        parts = {"a": members[:400], "b": members[400:700]}
        for name, chosen in parts.items():
            dest = folder / f"set-{name}"
            dest.mkdir(parents=True)
            ids = []
            for m in chosen:
                base = os.path.basename(m.name)
                (dest / base).write_bytes(tar.extractfile(m).read())
                ids.append(int(base[:-4]))
            outcomes[outcomes["RecordID"].isin(ids)].to_csv(folder / f"Outcomes-{name}.txt", index=False)
    return root


def run(*args):
    env = {k: v for k, v in os.environ.items() if k != "HEARTDATA_DIR"}
    return subprocess.run([sys.executable, "-m", "heartdata.mortality", *map(str, args)], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=300)  # fmt: skip


def test_command_trains_on_one_set_and_scores_another(small_root):
    out = run("--root", small_root, "--train", "a", "--test", "b", "--model", "logistic")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert KEYS <= set(result)
    assert result["n"] == 300 and result["test"] == "b"
    outcomes_b = pd.read_csv(small_root / "challenge2012" / "Outcomes-b.txt")
    assert result["deaths"] == int(outcomes_b["In-hospital_death"].sum())
    assert 0.5 < result["auroc"] <= 1 and 0 <= result["event1"] <= 1 and 0 < result["brier"] < 0.25
    saps = outcomes_b[outcomes_b["SAPS-I"] != -1]
    assert result["saps_auroc"] == pytest.approx(roc_auc_score(saps["In-hospital_death"], saps["SAPS-I"]))
    table = "\n".join(lines[:-1])
    for label in ("AUROC", "AUPRC", "Brier", "Event 1", "SAPS-I AUROC"):
        assert label in table
    assert f"{result['auroc']:.3f}" in table


def test_command_cross_validates_without_test_set(small_root):
    out = run("--root", small_root / "challenge2012", "--train", "a", "--model", "boosting", "--folds", "3")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert KEYS <= set(result) and result["n"] == 400 and result["test"] is None
    assert len(result["event1_folds"]) == 3
    assert "cross-validation" in out.stdout


def test_command_unknown_set_exits_2_with_one_line(small_root):
    out = run("--root", small_root, "--train", "a", "--test", "zz")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "zz" in lines[0]


def test_stays_and_outcomes_that_do_not_match_name_both_files(small_root, tmp_path):
    folder = tmp_path / "challenge2012"
    (folder / "set-a").mkdir(parents=True)
    src = small_root / "challenge2012"
    stays = sorted((src / "set-a").glob("*.txt"))[:20]
    for p in stays:
        (folder / "set-a" / p.name).write_bytes(p.read_bytes())
    outcomes = pd.read_csv(src / "Outcomes-a.txt").iloc[1:21]  # drops the first stay's row, adds another
    outcomes.to_csv(folder / "Outcomes-a.txt", index=False)
    with pytest.raises(DataError) as err:
        mortality.load_features("a", tmp_path)
    msg = str(err.value)
    assert "Outcomes-a.txt" in msg and "set-a" in msg
    assert stays[0].stem in msg and str(outcomes["RecordID"].iloc[-1]) in msg
    out = run("--root", tmp_path, "--train", "a")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


def test_load_features_aligns_outcomes_and_saps(small_root):
    X, y, saps = mortality.load_features("b", small_root)
    assert list(X.columns) == feature_columns() and len(X) == 300
    assert y.index.equals(X.index) and saps.index.equals(X.index)
    raw = pd.read_csv(small_root / "challenge2012" / "Outcomes-b.txt").set_index("RecordID").loc[X.index]
    assert (y.to_numpy() == raw["In-hospital_death"].to_numpy()).all()
    assert saps.isna().sum() == int((raw["SAPS-I"] == -1).sum())


def test_load_features_refuses_a_broken_table(small_root, monkeypatch, tmp_path):
    """A feature table that breaks the schema never reaches a model: load_features raises DataError."""
    from heartdata import cleaning

    folder = tmp_path / "challenge2012" / "set-a"
    folder.mkdir(parents=True)
    src = small_root / "challenge2012"
    stays = sorted((src / "set-a").glob("*.txt"))[:30]
    for p in stays:
        (folder / p.name).write_bytes(p.read_bytes())
    # the unseen-set case of issue 13: two urine volumes in one minute, each possible, whose sum is not
    first = folder / stays[0].name
    first.write_text(first.read_text() + "47:59,Urine,19990\n47:59,Urine,500\n")
    ids = [int(p.stem) for p in stays]
    outcomes = pd.read_csv(src / "Outcomes-a.txt")
    outcomes[outcomes["RecordID"].isin(ids)].to_csv(tmp_path / "challenge2012" / "Outcomes-a.txt", index=False)
    X, _, _ = mortality.load_features("a", tmp_path)  # the cleaning checks the range after summing: passes
    assert X.loc[ids[0], "Urine_max"] <= 20000
    # with that step undone, the broken table is refused with the stays named, not passed on
    monkeypatch.setattr(cleaning, "impossible_totals", lambda t: (t, cleaning._log_rows("x", t, t["Value"].lt(0), "")))
    with pytest.raises(DataError, match="Urine") as err:
        mortality.load_features("a", tmp_path)
    assert "set-a" in str(err.value) and isinstance(err.value, cleaning.FeatureValidationError)


def test_cross_validate_without_thresholds_gives_the_same_scores():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(240, 4)), columns=list("abcd"))
    y = pd.Series((X["a"] + rng.normal(size=240) > 0.8).astype(int))
    full, m_full = mortality.cross_validate(X, y, kind="logistic", folds=4, seed=1)
    fast, m_fast = mortality.cross_validate(X, y, kind="logistic", folds=4, seed=1, choose_thresholds=False)
    assert np.allclose(full, fast) and m_full["auroc"] == m_fast["auroc"]
    assert np.isnan(m_fast["event1"]) and not np.isnan(m_full["event1"])


@pytest.mark.parametrize("kind", ["logistic", "boosting"])
def test_cross_validate_in_two_processes_gives_the_same_result(kind):
    """n_jobs=2 (lesson 07) fits the folds in worker processes: scores, thresholds, Event 1 and the chosen penalty
    are those of one process, fold by fold."""
    X, y = synthetic(n=300, seed=4)
    model = mortality.make_model("logistic", seed=0, tune_penalty=True) if kind == "logistic" else kind
    one, m_one = mortality.cross_validate(X, y, model, folds=3, seed=2)
    two, m_two = mortality.cross_validate(X, y, model, folds=3, seed=2, n_jobs=2)
    assert two.index.equals(one.index) and np.array_equal(two.to_numpy(), one.to_numpy())
    keys = ["threshold_folds", "event1_folds", "auroc", "brier"] + (["penalty_folds"] if kind == "logistic" else [])
    for key in keys:
        assert m_two[key] == m_one[key], key


@pytest.mark.parametrize("n_jobs", [0, -1, 1.5, "2", True, None])
def test_cross_validate_refuses_a_number_of_processes_that_is_not_one_or_more(n_jobs):
    X, y = synthetic()
    with pytest.raises(DataError, match="n_jobs"):
        mortality.cross_validate(X, y, "logistic", folds=3, n_jobs=n_jobs)
