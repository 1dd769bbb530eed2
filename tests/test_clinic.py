"""heartdata.clinic: alert burden, decision curves, calibration and re-scoring computed by hand on small cases;
paired inputs aligned by index or refused; every bad input a DataError (issue 29.5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heartdata import DataError, clinic

Y = [1, 0, 0, 1, 0]
RISK = [0.9, 0.8, 0.1, 0.2, 0.05]


def test_alert_burden_by_hand():
    row = clinic.alert_burden(Y, RISK, [0.5], per_day=10).iloc[0]
    assert (row["flagged"], row["true"], row["events"]) == (2, 1, 2)
    assert row["alerts_per_day"] == pytest.approx(4.0) and row["false_alerts_per_day"] == pytest.approx(2.0)
    assert row["missed_per_day"] == pytest.approx(2.0)
    assert row["ppv"] == 0.5 and row["sensitivity"] == 0.5 and row["number_needed_to_evaluate"] == 2.0
    assert row["false_per_true"] == 1.0, "false alerts per true alert is one less than the patients evaluated"


def test_net_benefit_by_hand_and_its_references():
    y, risk = np.array(Y), np.array(RISK)
    row = clinic.net_benefit(y, risk, [0.5]).iloc[0]
    assert row["model"] == pytest.approx(1 / 5 - 1 / 5 * 1.0)
    assert row["treat_all"] == pytest.approx(0.4 - 0.6 * 1.0) and row["treat_none"] == 0
    perfect = clinic.net_benefit(y, y * 0.99 + 0.005, [0.2, 0.5])
    assert np.allclose(perfect["model"], y.mean()), "a perfect model's net benefit is the prevalence"


def test_net_benefit_interval_brackets_the_curve_and_is_reproducible():
    rng = np.random.default_rng(1)
    risk = rng.uniform(0, 1, 400)
    y = (rng.uniform(0, 1, 400) < risk).astype(int)
    t = [0.1, 0.3, 0.5]
    a = clinic.net_benefit_interval(y, risk, t, n_boot=200, seed=3)
    b = clinic.net_benefit_interval(y, risk, t, n_boot=200, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert np.allclose(a["model"], clinic.net_benefit(y, risk, t)["model"])
    assert (a["model_low"] <= a["model"]).all() and (a["model"] <= a["model_high"]).all()
    assert (a["advantage_low"] <= a["advantage"]).all() and (a["advantage"] <= a["advantage_high"]).all()
    assert np.allclose(a["advantage"], a["model"] - np.maximum(a["treat_all"], 0))
    # a calibrated, informative risk beats both defaults at a middle threshold, and its interval says so
    assert a.loc[1, "advantage_low"] > 0


def test_admissions_per_day_is_beds_over_stay():
    assert clinic.admissions_per_day(20, 4) == 5 and clinic.admissions_per_day(20, 4, occupancy=0.5) == 2.5


def _calibrated(n=3000, seed=0, slope=1.0, shift=0.0):
    """Outcomes drawn from true risks; the risks returned are the true ones distorted on the log-odds scale, times
    ``slope`` (above 1: too extreme) plus ``shift`` (above 0: too high); 1 and 0 are perfectly calibrated."""
    rng = np.random.default_rng(seed)
    lp = rng.normal(-1.5, 1.2, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-lp))).astype(int)
    shown = 1 / (1 + np.exp(-(slope * lp + shift)))
    return y, shown


def test_calibration_finds_the_distortion_it_was_given():
    y, risk = _calibrated()
    good = clinic.calibration(y, risk)
    assert good.slope_low < 1 < good.slope_high and good.intercept_low < 0 < good.intercept_high
    y, extreme = _calibrated(slope=1.5)  # risks too extreme: slope about 1 / 1.5
    c = clinic.calibration(y, extreme)
    assert c.slope == pytest.approx(1 / 1.5, abs=0.08) and c.slope_high < 1
    y, high = _calibrated(shift=0.5)  # every risk too high: intercept about -0.5
    c = clinic.calibration(y, high)
    assert c.intercept == pytest.approx(-0.5, abs=0.12) and c.intercept_high < 0
    assert c.expected > c.observed


def test_recalibration_is_cross_fitted_and_restores_calibration():
    y, extreme = _calibrated(slope=1.6, shift=0.4, seed=2)
    fixed = clinic.recalibrate(y, extreme)
    c = clinic.calibration(y, fixed)
    assert c.slope_low < 1 < c.slope_high and c.intercept_low < 0 < c.intercept_high
    # the order of the risks within a fold is kept: the ranking barely changes
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(y, fixed) == pytest.approx(roc_auc_score(y, extreme), abs=0.01)
    # Series in, Series out with the same index
    s = pd.Series(extreme, index=np.arange(len(y))[::-1])
    out = clinic.recalibrate(pd.Series(y, index=s.index), s)
    assert isinstance(out, pd.Series) and out.index.equals(s.index)


def test_calibration_table_and_curve():
    y, risk = _calibrated(seed=4)
    table = clinic.calibration_table(y, risk, groups=10)
    assert table["n"].sum() == len(y) and len(table) == 10 and (table["n"].max() - table["n"].min()) <= 1
    assert table["predicted"].is_monotonic_increasing
    assert ((table["low"] <= table["observed"]) & (table["observed"] <= table["high"])).all()
    curve = clinic.calibration_curve(y, risk, grid=[0.1, 0.3, 0.5])
    assert list(curve["risk"]) == [0.1, 0.3, 0.5]
    assert ((curve["low"] < curve["observed"]) & (curve["observed"] < curve["high"])).all()
    assert np.allclose(curve["observed"], curve["risk"], atol=0.08), "a calibrated model's curve hugs the diagonal"


def test_burden_by_group_by_hand():
    y = pd.Series([1, 0, 1, 0, 0, 1], index=[10, 11, 12, 13, 14, 15])
    risk = pd.Series([0.9, 0.6, 0.2, 0.1, 0.7, 0.8], index=y.index)
    unit = pd.Series(["A", "A", "A", "B", "B", "B"], index=y.index)
    table = clinic.burden_by(y, risk, unit, 0.5).set_index("group")
    assert table.loc["A", ["n", "events", "flagged", "true"]].tolist() == [3, 2, 2, 1]
    assert table.loc["B", ["n", "events", "flagged", "true"]].tolist() == [3, 1, 2, 1]
    assert table.loc["A", "sensitivity"] == 0.5 and table.loc["B", "ppv"] == 0.5
    assert table.loc["A", "sensitivity_low"] < 0.5 < table.loc["A", "sensitivity_high"]
    # the same table whatever the order of the three Series
    shuffled = clinic.burden_by(y.sample(frac=1, random_state=1), risk, unit.sample(frac=1, random_state=2), 0.5)
    pd.testing.assert_frame_equal(shuffled.set_index("group"), table)


def test_rescoring_rules_by_hand():
    risks = pd.DataFrame({12: [0.5, 0.1, 0.6], 24: [0.6, 0.2, 0.1], 36: [0.7, 0.6, 0.6], 48: [0.2, 0.7, np.nan]})
    out = clinic.rescoring_alerts(risks, 0.5, snooze_hours=24).set_index("rule")
    assert out.loc["every score", "alerts"] == 3 + 2 + 2
    # stay 1: 12 fires, 24 snoozed, 36 fires (24 h later); stay 2: 36 fires, 48 snoozed; stay 3: 12 and 36 fire
    assert out.loc["snooze 24 h", "alerts"] == 2 + 1 + 2
    assert out.loc["once per stay", "alerts"] == 3 and out.loc["once per stay", "stays_alerted"] == 3
    assert out.loc["every score", "alerts_per_stay_alerted"] == pytest.approx(7 / 3)
    assert "snooze" not in " ".join(clinic.rescoring_alerts(risks, 0.5)["rule"])


# ------------------------------------------------------------------------------------------ pairing (issue 29.5)
PAIRED = {
    "alert_burden": lambda y, r: clinic.alert_burden(y, r, [0.5], per_day=10),
    "net_benefit": lambda y, r: clinic.net_benefit(y, r, [0.5]),
    "net_benefit_interval": lambda y, r: clinic.net_benefit_interval(y, r, [0.5], n_boot=20),
    "calibration": clinic.calibration,
    "calibration_table": lambda y, r: clinic.calibration_table(y, r, groups=2),
    "calibration_curve": lambda y, r: clinic.calibration_curve(y, r, grid=[0.3]),
    "recalibrate": lambda y, r: clinic.recalibrate(y, r, folds=2),
    "burden_by": lambda y, r: clinic.burden_by(y, r, _one_unit(y), 0.5),
}


def _one_unit(y):
    """One group for every stay of ``y``: a Series with its index, or a list as long as it."""
    if isinstance(y, pd.Series):
        return pd.Series("u", index=y.index)
    return ["u"] * len(y) if hasattr(y, "__len__") else "u"


#: Results that depend on the order of the stays (folds, bootstrap draws), beyond the pairing itself.
ORDERED = {"recalibrate", "net_benefit_interval"}


def _series():
    rng = np.random.default_rng(7)
    idx = pd.Index(np.arange(100, 160), name="RecordID")
    risk = pd.Series(rng.uniform(0.02, 0.98, len(idx)), index=idx)
    y = pd.Series((rng.uniform(size=len(idx)) < risk).astype(int), index=idx)
    return y, risk


def _equal(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a.sort_index(), b.sort_index())
    else:  # a Calibration: the same fit, up to the order of floating-point sums
        assert np.allclose([getattr(a, k) for k in vars(a)], [getattr(b, k) for k in vars(b)], rtol=1e-9)


@pytest.mark.parametrize("name", sorted(PAIRED))
def test_shuffled_series_are_aligned_by_index(name):
    f = PAIRED[name]
    y, risk = _series()
    shuffled = risk.sample(frac=1, random_state=0)
    assert not shuffled.index.equals(y.index)
    _equal(f(y, risk), f(y, shuffled))
    if name not in ORDERED:
        _equal(f(y, risk), f(y.sample(frac=1, random_state=5), shuffled))


@pytest.mark.parametrize("name", sorted(PAIRED))
def test_series_of_other_stays_are_refused(name):
    f = PAIRED[name]
    y, risk = _series()
    other = risk.copy()
    other.index = other.index + 1  # one stay only in risk, one only in y
    with pytest.raises(DataError, match="different stays"):
        f(y, other)
    with pytest.raises(DataError, match="different stays"):
        f(y, risk.iloc[:-1])  # a stay missing


@pytest.mark.parametrize("name", sorted(PAIRED))
def test_arrays_pair_by_position_and_lengths_must_agree(name):
    f = PAIRED[name]
    y, risk = _series()
    if name != "recalibrate":
        _equal(f(y, risk), f(y, risk.to_numpy()))
    with pytest.raises(DataError, match="different lengths"):
        f(y.to_numpy(), risk.to_numpy()[:-1])
    with pytest.raises(DataError, match="more than once"):
        f(y, pd.Series(risk.to_numpy(), index=[y.index[0]] * len(y)))


@pytest.mark.parametrize("name", sorted(PAIRED))
@pytest.mark.parametrize(
    "y, risk",
    [([1, 2, 0, 1], [0.1, 0.2, 0.3, 0.4]), ([1, 0, 0, 1], [0.1, 1.5, 0.3, 0.4]),
     ([1, 0, 0, 1], [0.1, np.nan, 0.3, 0.4]),
     (["a", "b", "a", "b"], [0.1, 0.2, 0.3, 0.4]), ([1, 0, 0, 1], ["x", 0.2, 0.3, 0.4]), ([], []),
     ([1, 0, 0, 1], [[0.1, 0.2], [0.3, 0.4]]), (1, 0.5), ([1, 0, np.nan, 1], [0.1, 0.2, 0.3, 0.4]),
     (pd.DataFrame({"a": [1, 0], "b": [0, 1]}), [0.1, 0.2])],
)  # fmt: skip
def test_bad_input_is_refused_with_a_data_error(name, y, risk):
    with pytest.raises(DataError):
        PAIRED[name](y, risk)


@pytest.mark.parametrize("thresholds", [[0], [1], [], [np.nan], ["a"], [[0.1, 0.2]], -0.1])
def test_bad_thresholds_are_refused(thresholds):
    for f in (lambda t: clinic.alert_burden(Y, RISK, t, 1), lambda t: clinic.net_benefit(Y, RISK, t),
              lambda t: clinic.net_benefit_interval(Y, RISK, t, n_boot=20)):  # fmt: skip
        with pytest.raises(DataError):
            f(thresholds)


def test_bad_settings_are_refused():
    y, risk = _series()
    bad = [
        lambda: clinic.alert_burden(y, risk, [0.5], per_day=0),
        lambda: clinic.alert_burden(y, risk, [0.5], per_day="2"),
        lambda: clinic.calibration(y, risk, level=95),
        lambda: clinic.calibration(y * 0, risk),  # one class: no calibration
        lambda: clinic.calibration_table(y, risk, groups=0),
        lambda: clinic.calibration_table(y, risk, groups=2.5),
        lambda: clinic.calibration_curve(y, risk, knots=1),
        lambda: clinic.calibration_curve(y, risk, grid=[1.2]),
        lambda: clinic.recalibrate(y, risk, folds=1),
        lambda: clinic.recalibrate(y.iloc[:5], risk.iloc[:5], folds=5),  # too few events for the folds
        lambda: clinic.net_benefit_interval(y, risk, [0.5], n_boot=0),
        lambda: clinic.burden_by(y, risk, pd.Series([None] * len(y), index=y.index), 0.5),
        lambda: clinic.burden_by(y, risk, pd.Series("u", index=y.index + 1000), 0.5),
    ]
    for f in bad:
        with pytest.raises(DataError):
            f()


def test_bad_unit_figures_are_refused():
    for args in ((0, 4), (20, 0), (20, 4, 1.5), (20, 4, 0), ("20", 4), (True, 4), (20, float("nan"))):
        with pytest.raises(DataError):
            clinic.admissions_per_day(*args)


def test_bad_rescoring_input_is_refused():
    good = pd.DataFrame({12: [0.5, 0.1], 24: [0.6, 0.2]})
    for args in ((good.to_numpy(), 0.5), (pd.DataFrame(), 0.5), (good[[24, 12]], 0.5),
                 (good.rename(columns={12: "noon"}), 0.5), (good.assign(**{"36": [1.2, 0.1]}), 0.5), (good, 1.5),
                 (good, 0.5, 0), (good, 0.5, "24")):  # fmt: skip
        with pytest.raises(DataError):
            clinic.rescoring_alerts(*args)
