"""heartdata.clinic: alert burden and decision curves computed by hand on small cases; bad input refused."""

from __future__ import annotations

import numpy as np
import pytest

from heartdata import DataError, clinic


def test_alert_burden_by_hand():
    y = [1, 0, 0, 1, 0]
    risk = [0.9, 0.8, 0.1, 0.2, 0.05]
    row = clinic.alert_burden(y, risk, [0.5], per_day=10).iloc[0]
    assert (row["flagged"], row["true"], row["events"]) == (2, 1, 2)
    assert row["alerts_per_day"] == pytest.approx(4.0) and row["false_alerts_per_day"] == pytest.approx(2.0)
    assert row["missed_per_day"] == pytest.approx(2.0)
    assert row["ppv"] == 0.5 and row["sensitivity"] == 0.5 and row["number_needed_to_evaluate"] == 2.0


def test_net_benefit_by_hand_and_its_references():
    y = np.array([1, 0, 0, 1, 0])
    risk = np.array([0.9, 0.8, 0.1, 0.2, 0.05])
    row = clinic.net_benefit(y, risk, [0.5]).iloc[0]
    assert row["model"] == pytest.approx(1 / 5 - 1 / 5 * 1.0)
    assert row["treat_all"] == pytest.approx(0.4 - 0.6 * 1.0) and row["treat_none"] == 0
    perfect = clinic.net_benefit(y, y * 0.99 + 0.005, [0.2, 0.5])
    assert np.allclose(perfect["model"], y.mean()), "a perfect model's net benefit is the prevalence"


def test_admissions_per_day_is_beds_over_stay():
    assert clinic.admissions_per_day(20, 4) == 5 and clinic.admissions_per_day(20, 4, occupancy=0.5) == 2.5


@pytest.mark.parametrize(
    "y, risk, thresholds",
    [([1, 0], [0.5], [0.5]), ([1, 2], [0.1, 0.2], [0.5]), ([1, 0], [0.1, 1.5], [0.5]), ([1, 0], [0.1, np.nan], [0.5]),
     ([1, 0], [0.1, 0.2], [0]), ([1, 0], [0.1, 0.2], []), (["a", "b"], [0.1, 0.2], [0.5]), ([], [], [0.5])],
)  # fmt: skip
def test_bad_input_is_refused_with_a_data_error(y, risk, thresholds):
    with pytest.raises(DataError):
        clinic.alert_burden(y, risk, thresholds, per_day=1)
    with pytest.raises(DataError):
        clinic.net_benefit(y, risk, thresholds)


def test_bad_unit_figures_are_refused():
    for args in ((0, 4), (20, 0), (20, 4, 1.5)):
        with pytest.raises(DataError):
            clinic.admissions_per_day(*args)
