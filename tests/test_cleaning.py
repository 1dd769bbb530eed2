"""The reference cleaning (heartdata.cleaning): each decision on small made-up stays, bad input, and the real set A."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heartdata import DataError, challenge2012, cleaning


def stay(rid, rows, age=60, gender=1, height=170, icutype=2, weight=80):
    """A made-up stay as load_stays returns it: descriptor rows at 00:00, then (minute, parameter, value) rows."""
    desc = [(0, "RecordID", rid), (0, "Age", age), (0, "Gender", gender), (0, "Height", height),
            (0, "ICUType", icutype), (0, "Weight", weight)]  # fmt: skip
    out = pd.DataFrame([(rid, t, p, float(v)) for t, p, v in desc + list(rows)], columns=cleaning.COLUMNS)
    return out


def values(clean, rid, param, time_=None):
    rows = clean[clean["RecordID"].eq(rid) & clean["Parameter"].eq(param)]
    if time_ is not None:
        rows = rows[rows["Time"].eq(time_)]
    return sorted(rows["Value"].tolist())


def logged(log, step, parameter):
    row = log[log["step"].str.startswith(step) & log["parameter"].eq(parameter)]
    return int(row["values"].sum())


@pytest.fixture(scope="module")
def small():
    stays = pd.concat(
        [
            stay(1, [(30, "HR", 80), (60, "HR", 0), (90, "HR", 95), (90, "Urine", 400), (90, "Urine", 0),
                     (120, "Temp", 37.0), (120, "Temp", 37.4), (150, "Temp", -17.8), (150, "pH", 735),
                     (200, "MAP", 70), (200, "NIMAP", 75), (260, "NIMAP", 72), (300, "Urine", 0)],
                 height=-1, gender=-1),
            stay(2, [(10, "Weight", 92.5), (40, "Weight", 91.0), (50, "HR", 250), (60, "Temp", 26.7)], weight=-1,
                 height=431.8),
            stay(3, [], height=1.8),  # a stay with no measurements
        ],
        ignore_index=True,
    )  # fmt: skip
    clean, log = cleaning.clean_stays(stays)
    return stays, clean, log


def test_sentinels_become_missing_and_are_logged(small):
    _, clean, log = small
    assert values(clean, 1, "Height") == [] and values(clean, 1, "Gender") == []
    assert values(clean, 1, "Age") == [60.0]
    assert logged(log, "sentinels", "Height") == 1 and logged(log, "sentinels", "Gender") == 1


def test_unit_errors_are_repaired_not_dropped(small):
    _, clean, log = small
    assert values(clean, 1, "pH") == [pytest.approx(7.35)]
    assert values(clean, 2, "Height", 0) == [pytest.approx(170.0)]
    assert values(clean, 3, "Height", 0) == [pytest.approx(180.0)]
    assert logged(log, "unit errors", "pH") == 1 and logged(log, "unit errors", "Height") == 2


def test_zero_heart_rate_removed_but_zero_urine_kept(small):
    _, clean, log = small
    assert values(clean, 1, "HR") == [80.0, 95.0]
    assert 0.0 in values(clean, 1, "Urine")  # the zero at minute 300 is a real observation
    assert logged(log, "zeros", "HR") == 1


def test_impossible_removed_extreme_kept(small):
    _, clean, log = small
    assert -17.8 not in values(clean, 1, "Temp")
    assert values(clean, 2, "Temp") == [26.7]  # very cold, but alive
    assert values(clean, 2, "HR") == [250.0]  # extreme, kept
    assert logged(log, "impossible", "Temp") == 1


def test_simultaneous_values_sum_volumes_and_average_readings(small):
    _, clean, log = small
    assert values(clean, 1, "Urine", 90) == [400.0]
    assert values(clean, 1, "Temp", 120) == [pytest.approx(37.2)]
    assert not clean.duplicated(["RecordID", "Time", "Parameter"]).any()
    assert logged(log, "simultaneous", "Urine") == 1 and logged(log, "simultaneous", "Temp") == 1


def test_admission_weight_filled_from_first_charted_weight(small):
    _, clean, log = small
    assert values(clean, 2, "Weight", 0) == [92.5]
    assert logged(log, "admission weight", "Weight") == 1


def test_combined_pressure_prefers_the_arterial_line(small):
    _, clean, _ = small
    assert values(clean, 1, "MeanBP", 200) == [70.0]  # invasive wins over the cuff in the same minute
    assert values(clean, 1, "MeanBP", 260) == [72.0]  # cuff where there is no invasive value
    assert values(clean, 1, "MAP") == [70.0] and values(clean, 1, "NIMAP") == [72.0, 75.0]


def test_log_has_its_columns_and_every_step(small):
    _, _, log = small
    assert list(log.columns) == cleaning.LOG_COLUMNS
    steps = {s.split(" 0-")[0] for s in log["step"]}
    assert {"unknown parameters", "time window", "sentinels to missing", "unit errors", "zeros of rates and pressures",
            "impossible values", "simultaneous values", "admission weight", "combined pressures"} <= steps  # fmt: skip


def test_input_is_not_modified(small):
    stays, _, _ = small
    assert stays["Value"].eq(-1).sum() == 3 and stays["Value"].eq(735).sum() == 1


def test_stay_with_no_measurements_keeps_its_row(small):
    _, clean, _ = small
    feats = cleaning.stay_features(clean)
    assert list(feats.index) == [1, 2, 3]
    row = feats.loc[3]
    assert row["Height"] == pytest.approx(180.0) and row["HR_count"] == 0 and np.isnan(row["HR_first"])
    assert row["MechVent_any"] == 0
    cleaning.validate_features(feats)


def test_stay_features_statistics(small):
    _, clean, _ = small
    f = cleaning.stay_features(clean).loc[1]
    assert (f["HR_first"], f["HR_last"], f["HR_min"], f["HR_max"], f["HR_count"]) == (80, 95, 80, 95, 2)
    assert f["HR_hours_since_last"] == pytest.approx((48 * 60 - 90) / 60)
    assert np.isnan(f["Height"]) and f["Age"] == 60
    assert list(cleaning.stay_features(clean).columns) == cleaning.feature_columns()


def test_window_limits_the_features(small):
    _, clean, _ = small
    f = cleaning.stay_features(clean, window_hours=1).loc[1]
    assert f["HR_count"] == 1 and f["HR_last"] == 80  # minute 30 is inside the first hour, minute 90 is not
    assert f["HR_hours_since_last"] == pytest.approx(0.5)


def test_parameter_never_seen_before_is_logged_and_dropped():
    stays = stay(7, [(10, "HR", 70), (20, "Lactatee", 3.0), (30, "SpO2", 97)])
    clean, log = cleaning.clean_stays(stays)
    assert (
        set(clean["Parameter"].astype(str)) >= {"HR", "Age"} and not clean["Parameter"].isin(["Lactatee", "SpO2"]).any()
    )
    unknown = log[log["step"].eq("unknown parameters")]
    assert set(unknown["parameter"]) == {"Lactatee", "SpO2"} and unknown["values"].sum() == 2
    cleaning.validate_features(cleaning.stay_features(clean))


def test_file_with_only_descriptors():
    clean, log = cleaning.clean_stays(stay(8, []))
    feats = cleaning.stay_features(clean)
    assert list(feats.index) == [8] and feats.loc[8, "Age"] == 60
    assert feats.filter(like="_count").eq(0).all().all()
    assert log.loc[log["step"].eq("simultaneous values"), "values"].sum() == 0
    cleaning.validate_features(feats)


def test_stay_whose_descriptors_are_all_missing_is_still_there():
    clean, _ = cleaning.clean_stays(stay(9, [], age=-1, gender=-1, height=-1, icutype=-1, weight=-1))
    feats = cleaning.stay_features(clean)
    assert list(feats.index) == [9] and feats.loc[9, ["Age", "Gender", "Height", "Weight"]].isna().all()


def test_empty_set():
    empty = pd.DataFrame(
        {c: pd.Series(dtype=t) for c, t in zip(cleaning.COLUMNS, ["int64", "int64", "str", "float64"], strict=True)}
    )
    clean, log = cleaning.clean_stays(empty)
    assert clean.empty and list(clean.columns) == cleaning.COLUMNS
    assert (log["values"] == 0).all()
    feats = cleaning.stay_features(clean)
    assert feats.empty and list(feats.columns) == cleaning.feature_columns()
    assert cleaning.validate_features(feats)["passed"].all()


def test_table_without_its_columns_is_refused():
    with pytest.raises(DataError, match="lacks the columns"):
        cleaning.clean_stays(pd.DataFrame({"RecordID": [1], "Value": [2.0]}))
    for bad in ([1, 2, 3], None, "set-a"):
        with pytest.raises(DataError, match="load_stays"):
            cleaning.clean_stays(bad)
        with pytest.raises(DataError, match="load_stays"):
            cleaning.prepare(bad)


@pytest.mark.parametrize("rule", ["mean", "Sum", "", None])
def test_an_unknown_rule_for_same_minute_volumes_is_refused(rule):
    table = pd.DataFrame({"RecordID": [1, 1], "Time": [5, 5], "Parameter": ["Urine", "Urine"], "Value": [400.0, 0.0]})
    with pytest.raises(DataError, match="rule for same-minute volumes"):
        cleaning.clean_stays(table, volumes=rule)
    with pytest.raises(DataError, match="rule for same-minute volumes"):
        cleaning.merge_simultaneous(cleaning.prepare(table), volumes=rule)


@pytest.mark.parametrize("rule, expected", [("sum", 450.0), ("max", 400.0)])
def test_same_minute_volumes_are_summed_or_the_largest_kept(rule, expected):
    table = pd.DataFrame({"RecordID": [1, 1, 1, 1, 1], "Time": [5, 5, 5, 5, 5],
                          "Parameter": ["Urine", "Urine", "HR", "HR", "Temp"],
                          "Value": [400.0, 50.0, 80.0, 90.0, 37.0]})  # fmt: skip
    merged, log = cleaning.merge_simultaneous(cleaning.prepare(table), volumes=rule)
    got = merged.set_index("Parameter")["Value"]
    assert got["Urine"] == expected and got["HR"] == 85.0 and got["Temp"] == 37.0  # readings still averaged
    assert rule in log.set_index("parameter").loc["Urine", "detail"]


def test_validation_catches_broken_tables(small):
    _, clean, _ = small
    good = cleaning.stay_features(clean)
    out_of_range = good.copy()
    out_of_range.loc[1, "HR_max"] = 400
    with pytest.raises(cleaning.FeatureValidationError, match="HR_first/last/min/max"):
        cleaning.validate_features(out_of_range)
    twice = pd.concat([good, good.iloc[[0]]])
    report = cleaning.validate_features(twice, raise_on_error=False)
    assert not report.set_index("check").loc["one row per stay", "passed"]
    wrong_type = good.astype({"Age": "object"})
    assert (
        not cleaning.validate_features(wrong_type, raise_on_error=False)
        .set_index("check")
        .loc["float columns", "passed"]
    )
    missing = good.drop(columns=["HR_min"])
    with pytest.raises(cleaning.FeatureValidationError, match="columns as feature_columns"):
        cleaning.validate_features(missing)
    swapped = good.copy()
    swapped.loc[1, "HR_min"] = 90  # above HR_first = 80
    assert "min <= first" in str(
        pytest.raises(cleaning.FeatureValidationError, cleaning.validate_features, swapped).value
    )


def test_ptbxl_metadata_cleaning():
    meta = pd.DataFrame({"age": [300.0, 45.0, np.nan], "sex": [0, 1, 2], "height": [170.0, 12.0, np.nan],
                         "weight": [70.0, 0.0, 500.0], "report": ["a", "b", "c"]})  # fmt: skip
    out, log = cleaning.clean_ptbxl_metadata(meta)
    assert out["age"].tolist()[:2] == [90.0, 45.0]
    assert out["sex"].isna().tolist() == [False, False, True]
    assert out["height"].isna().tolist() == [False, True, True]
    assert out["weight"].isna().tolist() == [False, True, True]
    assert out["report"].tolist() == ["a", "b", "c"] and meta["age"].iloc[0] == 300
    assert log.groupby("parameter")["values"].sum().to_dict() == {"age": 1, "sex": 1, "height": 1, "weight": 2}


def test_ptbxl_adult_floors_spare_children_but_the_ceilings_hold_for_all():
    """Review r25-06 F3: RANGES' heights and weights are adult ranges; PTB-XL covers ages 0 to 95 (Wagner et al. 2020).
    A child below the adult floors keeps the value; above the ceilings it goes at any age; an unknown age is checked
    against the floors as an adult."""
    meta = pd.DataFrame({"age": [2.0, 2.0, 45.0, np.nan], "height": [85.0, 300.0, 85.0, 85.0],
                         "weight": [12.0, 400.0, 12.0, 12.0]})  # fmt: skip
    out, log = cleaning.clean_ptbxl_metadata(meta)
    assert out["height"].isna().tolist() == [False, True, True, True]
    assert out["weight"].isna().tolist() == [False, True, True, True]
    actions = log.loc[log["parameter"].eq("height"), "action"]
    assert all(f"only from age {cleaning.PTBXL_ADULT_AGE}" in a for a in actions)


def test_ptbxl_uncoded_ages_above_90_join_the_code_so_90_means_90_or_older():
    meta = pd.DataFrame({"age": [300.0, 91.0, 90.0, 89.0]})
    out, log = cleaning.clean_ptbxl_metadata(meta)
    assert out["age"].tolist() == [90.0, 90.0, 90.0, 89.0]
    assert log["action"].tolist() == ["300 set to 90 (90 or older)", "uncoded ages above 90 set to 90 (90 or older)"]
    assert log["values"].tolist() == [1, 1]


@pytest.fixture(scope="module")
def set_a():
    # Speed is measured by the benchmark command, not asserted here (shared, noisy machines).
    stays = challenge2012.load_stays()
    clean, log = cleaning.clean_stays(stays)
    feats = cleaning.stay_features(clean)
    return stays, clean, log, feats


def test_set_a_cleans_and_validates(set_a):
    stays, clean, log, feats = set_a
    assert feats.shape == (4000, len(cleaning.feature_columns()))
    assert feats.index.equals(pd.Index(sorted(stays["RecordID"].unique()), name="RecordID"))
    assert cleaning.validate_features(feats)["passed"].all()


def test_set_a_has_no_repeats_no_sentinels_no_impossible(set_a):
    _, clean, _, _ = set_a
    assert not clean.duplicated(["RecordID", "Time", "Parameter"]).any()
    desc = clean[cleaning.is_descriptor(clean) & clean["Parameter"].isin(cleaning.DESCRIPTOR_VALUES)]
    assert not desc["Value"].eq(-1).any()
    limits = pd.DataFrame({k: r[:2] for k, r in cleaning.RANGES.items()}, index=["lo", "hi"]).T
    lo, hi = clean["Parameter"].map(limits["lo"]).astype(float), clean["Parameter"].map(limits["hi"]).astype(float)
    measured = clean["Parameter"].ne("RecordID")
    assert clean["Value"].between(lo, hi)[measured].all()


def test_set_a_log_matches_the_data(set_a):
    stays, clean, log, _ = set_a
    by = log.set_index(["step", "parameter"])["values"]
    assert by[("sentinels to missing", "Height")] == int(
        (stays["Parameter"].eq("Height") & stays["Value"].eq(-1)).sum()
    )
    assert by[("zeros of rates and pressures", "HR")] == int((stays["Parameter"].eq("HR") & stays["Value"].eq(0)).sum())
    extra = int(stays.duplicated(["RecordID", "Time", "Parameter"]).sum())
    removed_before = stays[stays["Parameter"].eq("Temp") & (stays["Value"].lt(20))]
    assert log.loc[log["step"].eq("simultaneous values"), "values"].sum() <= extra
    assert by[("impossible values", "Temp")] == len(removed_before)


# --------------------------------------------------------------------------------------------- second edition
def test_same_minute_urine_whose_sum_is_impossible_is_removed_after_summing():
    # each part is inside RANGES (0-20,000 mL); their sum is not: the range is checked again after summing
    stays = stay(7, [(60, "Urine", 19990), (60, "Urine", 500), (120, "Urine", 300), (120, "Urine", 200)])
    clean, log = cleaning.clean_stays(stays)
    assert values(clean, 7, "Urine", 60) == [] and values(clean, 7, "Urine", 120) == [500.0]
    assert logged(log, "impossible totals", "Urine") == 1
    assert logged(log, "impossible values", "Urine") == 0
    cleaning.validate_features(cleaning.stay_features(clean))  # passes


def test_impossible_totals_step_alone():
    table = cleaning.prepare(stay(8, [(5, "Urine", 20001.0), (6, "HR", 400.0)]))
    out, log = cleaning.impossible_totals(table)
    assert len(out) == len(table) - 1 and log["parameter"].tolist() == ["Urine"]  # only sums are checked here


def test_validation_is_a_pandera_schema_and_raises_data_error(small):
    import pandera.pandas as pa

    from heartdata import DataError

    _, clean, _ = small
    good = cleaning.stay_features(clean)
    assert isinstance(cleaning.feature_schema(), pa.DataFrameSchema)
    report = cleaning.validate_features(good)
    assert report["passed"].all() and {"inside RANGES", "min <= first, last <= max"} <= set(report["check"])
    bad = good.copy()
    bad.loc[1, "Urine_max"] = 20490.0
    with pytest.raises(DataError, match="Urine_first/last/min/max") as err:
        cleaning.validate_features(bad)
    assert isinstance(err.value, cleaning.FeatureValidationError)
    failed = err.value.report[~err.value.report["passed"]]
    assert failed[["check", "columns", "failures"]].values.tolist() == [["inside RANGES", "Urine_first/last/min/max",
                                                                         1]]  # fmt: skip
    renamed = good.rename_axis("stay")
    assert (
        not cleaning.validate_features(renamed, raise_on_error=False)
        .set_index("check")
        .loc["index is RecordID", "passed"]
    )
    with pytest.raises(DataError):
        cleaning.validate_features("not a table")


# --------------------------------------------------------------------------------------------- artefact rules
def test_pressures_that_contradict_each_other_are_removed_together():
    # minute 10: MAP above systolic (a flush); minute 20: consistent; minute 30: one of two MAPs 15 mmHg below
    # diastolic; minute 40: a MAP with no systolic to check against (kept); minute 50: a cuff whose diastolic is
    # 15 mmHg above systolic; minute 60: a mean 5 mmHg below the diastolic, within PRESSURE_TOLERANCE (kept)
    stays = stay(11, [(10, "SysABP", 124), (10, "DiasABP", 61), (10, "MAP", 239),
                      (20, "SysABP", 120), (20, "DiasABP", 60), (20, "MAP", 80), (20, "MAP", 82),
                      (30, "SysABP", 120), (30, "DiasABP", 60), (30, "MAP", 80), (30, "MAP", 45),
                      (40, "MAP", 150), (40, "DiasABP", 60),
                      (50, "NISysABP", 90), (50, "NIDiasABP", 105), (50, "NIMAP", 92), (50, "MAP", 85),
                      (60, "SysABP", 118), (60, "DiasABP", 66), (60, "MAP", 61)])  # fmt: skip
    clean, log = cleaning.clean_stays(stays)
    for minute in (10, 30):
        assert values(clean, 11, "SysABP", minute) == values(clean, 11, "MAP", minute) == []
    assert values(clean, 11, "MAP", 20) == [81.0]  # two consistent means: averaged
    assert values(clean, 11, "MAP", 40) == [150.0] and values(clean, 11, "MAP", 50) == [85.0]
    assert values(clean, 11, "NISysABP", 50) == values(clean, 11, "NIMAP", 50) == []
    assert cleaning.PRESSURE_TOLERANCE == 10 and values(clean, 11, "MAP", 60) == [61.0]
    assert logged(log, "inconsistent pressures", "MAP") == 3 and logged(log, "inconsistent pressures", "SysABP") == 2
    assert logged(log, "inconsistent pressures", "NIMAP") == 1


def test_a_spike_that_jumps_away_and_back_is_removed_a_trend_is_kept():
    spike = [(60, "Temp", 36.2), (120, "Temp", 24.2), (180, "Temp", 35.5), (240, "Temp", 35.9)]
    rewarming = [(60, "Temp", 29.9), (120, "Temp", 31.0), (180, "Temp", 33.2), (240, "Temp", 36.0)]
    # a pressure that falls and recovers between two readings can be real (a bleed, a drug): the rule is for Temp only
    episode = [(60, "SysABP", 172), (120, "SysABP", 85), (180, "SysABP", 165)]
    stays = pd.concat([stay(12, spike + episode), stay(13, rewarming)], ignore_index=True)
    clean, log = cleaning.clean_stays(stays)
    assert values(clean, 12, "Temp") == [35.5, 35.9, 36.2]
    assert values(clean, 13, "Temp") == [29.9, 31.0, 33.2, 36.0]  # a real change does not undo itself
    assert values(clean, 12, "SysABP") == [85.0, 165.0, 172.0] and list(cleaning.SPIKES) == ["Temp"]
    assert logged(log, "spikes", "Temp") == 1 and logged(log, "spikes", "SysABP") == 0


def test_spike_rule_alone_needs_a_return_not_only_a_jump():
    table = cleaning.prepare(stay(14, [(1, "Temp", 37.0), (2, "Temp", 30.0), (3, "Temp", 31.0), (4, "Temp", 37.0)]))
    assert not cleaning.spikes(table).any()  # two low values in a row: not one reading that jumped and came back
    out, log = cleaning.remove_spikes(table)
    assert len(out) == len(table) and log["values"].sum() == 0


def test_spike_rule_reads_a_raw_table_and_refuses_what_is_not_one():
    raw = stay(15, [(1, "Temp", 37.0), (2, "Temp", 26.0), (3, "Temp", 37.2)])  # Parameter as text, not prepared
    assert cleaning.spikes(raw).tolist() == [False] * 6 + [False, True, False]
    with pytest.raises(DataError, match="stays"):
        cleaning.spikes(raw.drop(columns="Value"))


def test_documented_mechvent_zero_is_kept_and_counts_as_not_ventilated():
    """The Challenge documents MechVent as 0 (false) or 1 (true); set A charts only 1s. A 0 on another set is a
    documented value: not logged as impossible, and not counted as ventilation."""
    stays = pd.concat([stay(1, [(60, "MechVent", 0), (120, "MechVent", 0)]),
                       stay(2, [(60, "MechVent", 1), (120, "MechVent", 0), (180, "MechVent", 1)])],
                      ignore_index=True)  # fmt: skip
    clean, log = cleaning.clean_stays(stays)
    assert logged(log, "impossible", "MechVent") == 0
    assert values(clean, 1, "MechVent") == [0.0, 0.0]
    feats = cleaning.stay_features(clean)
    assert feats.loc[1, "MechVent_any"] == 0 and feats.loc[1, "MechVent_count"] == 0
    assert feats.loc[2, "MechVent_any"] == 1 and feats.loc[2, "MechVent_count"] == 2
    cleaning.validate_features(feats)
