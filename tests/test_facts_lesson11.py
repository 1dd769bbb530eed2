"""Every fact lesson 11 states, recomputed through the package and pinned (shipped data, fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from heartdata import challenge2012, clinic, ptbxl
from heartdata.checks import lesson11


@pytest.fixture(scope="module")
def model():
    return lesson11.inputs()  # the lesson's computation: cleaning, features, 5-fold logistic CV on set A


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays("a")


def _with(stays, parameter):
    return set(stays.loc[stays["Parameter"].eq(parameter), "RecordID"])


def test_evidence_table(stays):
    outcomes = challenge2012.load_outcomes("a")
    died = outcomes["In-hospital_death"]
    hr = stays[stays["Parameter"].eq("HR")].groupby("RecordID").size()
    assert hr.median() == 54
    vent, rr = _with(stays, "MechVent"), _with(stays, "RespRate")
    assert (len(vent), len(vent & rr)) == (2529, 0)
    lactate = sorted(_with(stays, "Lactate"))
    assert (len(lactate), int(died[lactate].sum()), int(died.drop(lactate).sum())) == (2183, 385, 169)
    assert len(_with(stays, "MAP") & _with(stays, "NIMAP")) == 2315
    leak = outcomes["Survival"].ge(0) & died.eq(0)
    assert (int(leak.sum()), int(outcomes["Survival"].ge(0).sum())) == (920, 1474)
    assert round(roc_auc_score(died, outcomes["Survival"].ge(0).astype(int)), 3) == 0.867
    meta = ptbxl.load_metadata()
    assert int(meta["scp_codes"].str.contains(r": 0\.0", regex=True).sum()) == 419
    assert int(meta["age"].between(90, 299).sum()) == 3


def test_model_in_clinical_terms(model):
    risk, died, per_day, descriptors = model
    assert len(risk) == 4000 and int(died.sum()) == 554
    assert round(roc_auc_score(died, risk), 3) == 0.829
    assert round(per_day, 1) == 1.5
    burden = clinic.alert_burden(died, risk, [0.1, 0.5], per_day)
    low, high = burden.iloc[0], burden.iloc[1]
    assert (round(low["alerts_per_day"], 1), round(low["false_alerts_per_day"], 1)) == (0.5, 0.4)
    assert round(low["number_needed_to_evaluate"], 1) == 3.3
    assert (round(high["alerts_per_day"], 2), round(high["missed_per_day"], 2)) == (0.11, 0.15)
    assert round(high["sensitivity"], 2) == 0.28
    grid = np.round(np.arange(0.05, 0.8, 0.025), 3)
    curve = clinic.alert_burden(died, risk, grid, per_day)
    assert curve.loc[curve["false_alerts_per_day"].le(curve["true_alerts_per_day"]), "threshold"].min() == 0.475
    dca = clinic.net_benefit(died, risk, grid)
    better = dca.loc[(dca["model"] > dca["treat_all"]) & (dca["model"] > 0), "threshold"]
    assert (better.min(), better.max()) == (0.05, 0.575)


def test_deaths_near_the_alert_and_the_capstone_count(model):
    outcomes = challenge2012.load_outcomes("a")
    early = outcomes.loc[outcomes["In-hospital_death"].eq(1), "Survival"]
    assert (int(early.le(2).sum()), early.median()) == (82, 8)
    _, died, _, descriptors = model
    surgery = descriptors.index[descriptors["ICUType"].eq(2)]
    assert (len(surgery), int(died[surgery].sum())) == (874, 43)


def test_case_studies():
    meta = ptbxl.load_metadata()
    young = meta["age"].lt(40)
    assert (int(young[meta["site"].eq(0)].sum()), int(young.sum())) == (132, 147)
    flag = meta["static_noise"].notna()
    assert (int(flag[meta["site"].eq(0)].sum()), int(meta["site"].eq(0).sum())) == (77, 252)
