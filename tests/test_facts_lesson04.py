"""Every fact lesson 04 states, recomputed through the package and pinned.

Values were verified on the shipped data (Challenge 2012 set A, PTB-XL ecg_id 1-450); presence flags, outcomes and the
Wilson intervals are also cross-checked against an independent read of the raw files and scipy's own implementation.
"""

from __future__ import annotations

import csv
import io
import tarfile
from collections import defaultdict
from functools import cache

import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable
from threadpoolctl import threadpool_limits

from heartdata import challenge2012, ptbxl
from heartdata import stats as heartdata_stats
from heartdata.checks import lesson04


@cache
def _stays():
    stays = challenge2012.load_stays()
    is_desc = stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)
    desc = stays[is_desc].pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    series = stays[~is_desc]
    counts = series.groupby(["RecordID", "Parameter"]).size().unstack(fill_value=0).reindex(desc.index, fill_value=0)
    died = challenge2012.load_outcomes()["In-hospital_death"].reindex(desc.index)
    return desc, series, counts, died, desc["ICUType"].astype(int)


@cache
def _raw_presence():
    """RecordID -> set of measured (non-descriptor) parameters, read straight from the archive; units; deaths."""
    present, units = defaultdict(set), {}
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        for m in tar:
            if not m.isfile() or not m.name.endswith(".txt"):
                continue
            rid = int(m.name.rsplit("/", 1)[-1][:-4])
            for time, param, value in list(csv.reader(io.TextIOWrapper(tar.extractfile(m))))[1:]:
                if time == "00:00" and param in challenge2012.DESCRIPTORS:
                    if param == "ICUType":
                        units[rid] = int(float(value))
                    continue
                present[rid].add(param)
    with open(DATA / "challenge2012" / "Outcomes-a.txt", newline="") as f:
        died = {int(r["RecordID"]): int(r["In-hospital_death"]) for r in csv.DictReader(f)}
    return present, units, died


Z95 = stats.norm.ppf(0.975)


def wilson(k, n, z=Z95):
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def _rates(flag, by=None):
    _, _, _, died, _ = _stays()
    keys = flag if by is None else [by, flag]
    return died.groupby(keys).agg(deaths="sum", stays="size")


def test_wilson_matches_scipy():
    for k, n in [(385, 2183), (11, 439), (0, 12), (12, 12), (55, 239)]:
        ci = stats.binomtest(k, n).proportion_ci(method="wilson")
        assert np.allclose(wilson(k, n), (ci.low, ci.high), atol=1e-12)


def test_rarely_measured_parameters():
    _, _, counts, _, _ = _stays()
    frac = (counts > 0).mean()
    rare = frac[frac < 0.5].sort_values()
    assert counts.shape == (4000, 37)
    assert list(rare.index) == [
        "TroponinI", "Cholesterol", "TroponinT", "RespRate", "Albumin", "ALP", "Bilirubin", "ALT", "AST", "SaO2",
    ]  # fmt: skip
    assert [round(100 * v) for v in rare] == [5, 8, 22, 28, 40, 42, 43, 43, 43, 45]
    assert int((counts["HR"] == 0).sum()) == 63
    assert lesson04.rare_parameters_expected() != set(rare.index)  # the exercise asks about the Medical ICU instead


def test_nullity_correlations():
    desc, series, _, _, _ = _stays()
    per_stay = series.groupby(["RecordID", "Parameter"])["Value"].median().unstack().reindex(desc.index)
    corr = per_stay.isna().astype(float).corr()
    assert round(corr.loc["SysABP", "DiasABP"], 2) == 1.00
    assert round(corr.loc["ALT", "AST"], 2) == 1.00
    assert round(corr.loc["pH", "PaCO2"], 2) == 0.99
    assert round(corr.loc["RespRate", "MechVent"], 2) == -0.81


def test_structural_missingness_by_unit():
    _, _, counts, _, icu = _stays()
    by_unit = (counts > 0).groupby(icu).mean()
    pct = (100 * by_unit).round(1)
    assert pct.loc[2, "SysABP"] == 95.7 and pct.loc[3, "SysABP"] == 48.1 and pct.loc[3, "NISysABP"] == 93.7
    assert int((counts.loc[icu.eq(2), "RespRate"] > 0).sum()) == 45 and int(icu.eq(2).sum()) == 874
    assert pct.loc[2, "RespRate"] == 5.1 and round(by_unit["RespRate"].max(), 2) == 0.38
    assert pct.loc[2, "MechVent"] == 91.1
    assert pct.loc[1, "Cholesterol"] == 27.6 and pct.loc[2, "Cholesterol"] == 1.6 and pct.loc[1, "TroponinT"] == 41.6


def test_resprate_and_mechvent_never_together_raw():
    present, _, _ = _raw_presence()
    both = sum(1 for p in present.values() if {"RespRate", "MechVent"} <= p)
    vent = sum(1 for p in present.values() if "MechVent" in p)
    _, _, counts, _, _ = _stays()
    assert both == int(((counts["RespRate"] > 0) & (counts["MechVent"] > 0)).sum()) == 0
    assert vent == int((counts["MechVent"] > 0).sum()) == 2529
    no_rr = counts["RespRate"] == 0
    assert int(no_rr.sum()) == 2899 and f"{(counts.loc[no_rr, 'MechVent'] > 0).mean():.0%}" == "87%"


def test_lactate_informative_overall_and_by_unit():
    _, _, counts, _, icu = _stays()
    has = counts["Lactate"] > 0
    overall = _rates(has)
    assert overall.loc[True].tolist() == [385, 2183] and overall.loc[False].tolist() == [169, 1817]
    by = _rates(has, icu)
    expected = {
        1: ((55, 239), (26, 338)),
        2: ((32, 435), (11, 439)),
        3: ((188, 836), (87, 645)),
        4: ((110, 673), (45, 395)),
    }
    for unit, (yes, no) in expected.items():
        assert tuple(by.loc[(unit, True)]) == yes and tuple(by.loc[(unit, False)]) == no
        # the gap holds in every unit
        assert yes[0] / yes[1] > no[0] / no[1]
    gap = {u: 100 * (y[0] / y[1] - n[0] / n[1]) for u, (y, n) in expected.items()}
    assert round(min(gap.values()), 1) == 4.9 and min(gap, key=gap.get) == 2
    assert round(max(gap.values()), 1) == 15.3 and max(gap, key=gap.get) == 1
    # independent read of the archive and the outcomes file
    present, units, died = _raw_presence()
    raw_yes = [died[r] for r in died if "Lactate" in present[r]]
    assert (sum(raw_yes), len(raw_yes)) == (385, 2183)
    csru = [died[r] for r in died if units[r] == 2 and "Lactate" not in present[r]]
    assert (sum(csru), len(csru)) == (11, 439)


BONFERRONI_4 = 1 - 0.05 / 4  # four units compared at once


def _adjusted(parameter):
    """Per unit (1-4): (deaths, stays with the parameter, deaths, stays without) and the 98.75% Newcombe interval."""
    _, _, counts, died, icu = _stays()
    has = counts[parameter] > 0
    out = {}
    for unit in range(1, 5):
        yes, no = icu.eq(unit) & has, icu.eq(unit) & ~has
        k = (int(died[yes].sum()), int(yes.sum()), int(died[no].sum()), int(no.sum()))
        out[unit] = (k, heartdata_stats.difference_ci(*k, level=BONFERRONI_4))
    return out


def test_lactate_differences_inside_units_allowing_for_four_comparisons():
    got = _adjusted("Lactate")
    pts = {
        u: (round(100 * d.difference, 1), round(100 * d.low, 1), round(100 * d.high, 1)) for u, (_, d) in got.items()
    }
    assert pts == {1: (15.3, 7.8, 23.3), 2: (4.9, 1.2, 8.8), 3: (9.0, 4.0, 13.9), 4: (5.0, -0.7, 10.1)}
    assert [u for u, (_, d) in got.items() if d.low > 0] == [1, 2, 3]  # "above zero in 3 of 4 units (not in Surgical)"
    # the package's table gives the same intervals
    _, _, counts, died, icu = _stays()
    table = heartdata_stats.rate_differences(died, counts["Lactate"] > 0, icu)
    assert np.allclose(table["low"], [got[u][1].low for u in range(1, 5)])


def test_troponin_informative_too():
    _, _, counts, _, icu = _stays()
    has = counts["TroponinT"] > 0
    overall = _rates(has)
    assert overall.loc[True].tolist() == [182, 863] and f"{182 / 863:.1%}" == "21.1%" and f"{372 / 3137:.1%}" == "11.9%"
    assert overall.loc[False].tolist() == [372, 3137]
    d = heartdata_stats.difference_ci(182, 863, 372, 3137)
    assert (round(100 * d.difference, 1), round(100 * d.low, 1), round(100 * d.high, 1)) == (9.2, 6.4, 12.3)
    got = _adjusted("TroponinT")
    assert got[2][0] == (9, 59, 34, 815) and got[4][0] == (46, 178, 109, 890)
    assert [u for u, (_, d) in got.items() if d.low > 0] == [2, 4]  # Cardiac Surgery Recovery and Surgical only
    assert (round(100 * got[1][1].low, 1), round(100 * got[3][1].low, 1)) == (-2.1, -0.7)


def test_lactate_draws():
    _, _, counts, _, icu = _stays()
    draws = pd.cut(counts["Lactate"], [-1, 0, 1, 3, np.inf], labels=["0", "1", "2-3", "4 or more"])
    t = _rates(draws)
    assert t.to_dict("index") == {
        "0": {"deaths": 169, "stays": 1817},
        "1": {"deaths": 112, "stays": 718},
        "2-3": {"deaths": 109, "stays": 674},
        "4 or more": {"deaths": 164, "stays": 791},
    }
    rate_all = t["deaths"] / t["stays"]
    # neighbouring steps with Newcombe's interval: 0 -> 1 and 2-3 -> 4+ are clear, 1 -> 2-3 cannot tell
    sides = []
    for lo, up in [("0", "1"), ("1", "2-3"), ("2-3", "4 or more")]:
        d = heartdata_stats.difference_ci(t.loc[up, "deaths"], t.loc[up, "stays"], t.loc[lo, "deaths"],
                                          t.loc[lo, "stays"])
        sides.append(heartdata_stats.interval_side(d.low, d.high))
        if lo == "1":
            assert (round(100 * d.difference, 1), round(100 * d.low, 1), round(100 * d.high, 1)) == (0.6, -3.3, 4.4)
    assert sides == ["above", "includes", "above"]
    assert (f"{rate_all['0']:.0%}", f"{rate_all['4 or more']:.0%}") == ("9%", "21%")  # the figure's title
    surg = _rates(draws, icu).loc[4]
    assert surg.loc["4 or more"].tolist() == [43, 305] and surg.loc["2-3"].tolist() == [37, 191]
    dip = heartdata_stats.difference_ci(43, 305, 37, 191)
    assert (round(100 * dip.difference, 1), round(100 * dip.low, 1), round(100 * dip.high, 1)) == (-5.3, -12.4, 1.3)
    assert dip.low < 0 < dip.high  # "includes no difference": the data do not show a dip
    assert len(icu.unique()) * (draws.cat.categories.size - 1) == 12  # neighbouring pairs of groups, all units


def _pooled(parameter):
    """Mantel-Haenszel odds ratio of death, parameter measured against not, within the four units (statsmodels)."""
    tables = [np.array([[a, b - a], [c, d - c]], float) for (a, b, c, d), _ in _adjusted(parameter).values()]
    return StratifiedTable(tables), [t[0, 0] * t[1, 1] / (t[0, 1] * t[1, 0]) for t in tables]


def test_one_stratified_analysis_per_parameter():
    """Pooled within units (Mantel & Haenszel 1959) with Breslow-Day homogeneity, independent of heartdata.stats."""
    want = {  # odds ratio, low, high, homogeneity p
        "SysABP": (1.87, 1.51, 2.31, 0.00094),
        "Lactate": (2.03, 1.67, 2.46, 0.027),
        "TroponinT": (1.71, 1.40, 2.09, 0.011),
        "Weight": (1.29, 1.05, 1.57, 0.22),
    }
    _, _, counts, died, icu = _stays()
    units = pd.Series(pd.Categorical(icu), index=icu.index)
    for parameter, (odds, low, high, homog) in want.items():
        st, _ = _pooled(parameter)
        lo, hi = st.oddsratio_pooled_confint()
        assert (round(st.oddsratio_pooled, 2), round(lo, 2), round(hi, 2)) == (odds, low, high), parameter
        assert f"{st.test_equal_odds().pvalue:.2g}" == f"{homog:.2g}", parameter
        assert st.test_null_odds().pvalue < 0.05 and lo > 1, parameter  # "higher with ... than without"
        mh = heartdata_stats.mantel_haenszel(died, counts[parameter] > 0, units)  # the lesson's function agrees
        assert np.isclose(mh.odds_ratio, st.oddsratio_pooled)
        assert np.isclose(mh.p_homogeneity, st.test_equal_odds().pvalue)
    assert f"{_pooled('Weight')[0].test_null_odds().pvalue:.3f}" == "0.014"
    assert _pooled("SysABP")[0].test_equal_odds().pvalue < 0.001  # "p < 0.001": the units disagree
    assert _pooled("Lactate")[0].test_equal_odds().pvalue < 0.05 < _pooled("Weight")[0].test_equal_odds().pvalue
    sys_or = _pooled("SysABP")[1]
    assert [u for u, r in zip(range(1, 5), sys_or, strict=True) if r < 1] == [2]  # Cardiac Surgery Recovery reversed
    assert round(sys_or[1], 2) == 0.31
    lac_or = _pooled("Lactate")[1]
    assert (round(min(lac_or), 2), round(max(lac_or), 2)) == (1.52, 3.59)  # Surgical .. Coronary Care


def test_weight_missingness_unit_by_unit_cannot_tell_but_pooled_can():
    got = _adjusted("Weight")
    assert all(d.low < 0 < d.high for _, d in got.values())  # no unit above zero once four comparisons are allowed
    assert _pooled("Weight")[0].oddsratio_pooled_confint()[0] > 1  # ... yet the four together can tell
    desc, series, _, _, _ = _stays()
    rows = series[series["Parameter"].eq("Weight")]
    assert f"{(rows['Value'] == rows['RecordID'].map(desc['Weight'])).mean():.0%}" == "66%"


def test_four_pooled_answers_read_together_at_the_bonferroni_level():
    """Review F04-4: the figure of the four pooled odds ratios widens each to 98.75%; its count ("3 of 4") follows
    those intervals, and weight (above 1 at 95% alone) includes 1 with the four together."""
    wide = {p: _pooled(p)[0].oddsratio_pooled_confint(alpha=1 - BONFERRONI_4)
            for p in ("SysABP", "Lactate", "TroponinT", "Weight")}
    assert [p for p, (lo, _) in wide.items() if lo > 1] == ["SysABP", "Lactate", "TroponinT"]
    lo, hi = wide["Weight"]
    assert (f"{lo:.3f}", f"{hi:.3f}") == ("0.993", "1.663") and lo < 1 < hi
    assert f"{4 * _pooled('Weight')[0].test_null_odds().pvalue:.3f}" == "0.058"


def test_the_unit_whose_odds_ratio_is_below_one_has_an_adjusted_interval_reaching_no_difference():
    """Review F04-5: Cardiac Surgery Recovery's line odds ratio is below 1, but its 98.75% Newcombe interval includes
    0, so the lesson says it does not show a reversal."""
    (k, d) = _adjusted("SysABP")[2]
    assert k == (38, 836, 5, 38)
    assert (round(100 * d.difference, 1), round(100 * d.low, 1), round(100 * d.high, 1)) == (-8.6, -27.6, 0.2)
    assert d.low < 0 < d.high


def test_sampling_gaps():
    _, series, counts, _, _ = _stays()
    sub = series[series["Parameter"].isin(["HR", "Lactate", "Albumin"])].sort_values(["RecordID", "Parameter", "Time"])
    gap = sub.groupby(["RecordID", "Parameter"])["Time"].diff()
    med = gap.groupby(sub["Parameter"]).median()
    assert med.to_dict() == {"Albumin": 748.0, "HR": 60.0, "Lactate": 214.0}
    assert int(counts["Lactate"].sum()) == 8024 and round(100 * 8024 / (4000 * 48), 1) == 4.2


def test_sentinels():
    desc, series, counts, _, icu = _stays()
    h = desc["Height"]
    assert (int(h.eq(-1).sum()), int(desc["Weight"].eq(-1).sum()), int(desc["Gender"].eq(-1).sum())) == (1894, 326, 3)
    assert int(h.isna().sum()) == 0
    assert round(h.mean(), 1) == 88.9 and round(h[h != -1].mean(), 1) == 169.8 and h.max() == 431.8
    assert round(100 * h[icu.eq(2)].ne(-1).mean(), 1) == 93.7 and round(100 * h[icu.eq(3)].ne(-1).mean(), 1) == 28.7
    mv = series.loc[series["Parameter"].eq("MechVent"), "Value"]
    assert len(mv) == 31144 and set(mv.unique()) == {1.0}
    assert round(100 * (counts["MechVent"] > 0).mean(), 1) == 63.2
    temp = series.loc[series["Parameter"].eq("Temp"), "Value"]
    assert int(temp.eq(0).sum()) == 36 and int(temp.round(1).eq(-17.8).sum()) == 21
    assert round((0 - 32) * 5 / 9, 1) == -17.8


def test_ptbxl_height_missing_by_site_and_the_bmi_deletion():
    """Most missing heights are site 0's habit; no BMI above 40 survives the curators' deletion (Wagner et al.)."""
    meta = ptbxl.load_metadata()
    assert round(100 * meta["height"].isna().mean(), 1) == 70.2 and round(100 * meta["weight"].isna().mean(), 1) == 20.4
    by_site = meta["height"].isna().groupby(meta["site"]).agg(["sum", "size"])
    assert tuple(by_site.loc[0]) == (249, 252) and tuple(by_site.loc[1]) == (8, 133)
    weight_only = meta["height"].isna() & meta["weight"].notna()
    assert int(weight_only.sum()) == 227 and int((weight_only & meta["site"].eq(0)).sum()) == 225
    # the height below which the BMI rule deletes, for the median weight of those ECGs: sqrt(weight / 40) metres
    assert round(100 * np.sqrt(meta.loc[weight_only, "weight"].median() / 40)) == 129
    # independently, from the CSV with the csv module
    with open(DATA / "ptbxl" / "ptbxl_database.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    bmis = [float(r["weight"]) / (float(r["height"]) / 100) ** 2 for r in rows if r["height"] and r["weight"]]
    assert len(bmis) == 131 and round(max(bmis), 1) == 39.3 and max(bmis) < 40
    assert sum(r["height"] == "" for r in rows) == int(meta["height"].isna().sum()) == 316


def test_ptbxl_stored_dates_lie_before_the_documented_recording_period():
    """The paper: recorded October 1989 to June 1996; every stored date of the slice is earlier (shifted)."""
    meta = ptbxl.load_metadata()
    stored = pd.to_datetime(meta["recording_date"])
    assert bool((stored < pd.Timestamp("1989-10-01")).all())
    assert round(((pd.Timestamp("1989-10-01") - stored).dt.days / 365.25).min(), 1) == 2.6
    # within one patient the time between ECGs is what the shift keeps: the slice has patients with several ECGs
    assert int((meta.groupby("patient_id").size() > 1).sum()) == 22


@pytest.fixture(scope="module")
def imputation():
    desc, series, _, died, _ = _stays()
    lac = series[series["Parameter"].eq("Lactate")].sort_values(["RecordID", "Time"])
    last = lac.groupby("RecordID").last().reindex(desc.index)
    fresh = last["Value"].where(last["Time"] > 47 * 60)
    return died, last, fresh


def _raised(values, died):
    v = values.dropna()
    d = died[v.index]
    return (int(d[v > 2].sum()), int((v > 2).sum())), (int(d[v <= 2].sum()), int((v <= 2).sum()))


def test_imputation_inputs(imputation):
    _, last, fresh = imputation
    assert int(fresh.notna().sum()) == 74 and int(last["Value"].notna().sum()) == 2183
    assert round(((48 * 60 - last["Time"]) / 60).median(), 2) == 24.47  # the lesson prints "24 h"
    assert int(last["Value"].isna().sum()) == 1817
    assert last["Value"].dropna().equals(lesson04.lactate_at(48 * 60).dropna())


def test_imputation_changes_the_answer(imputation):
    died, last, fresh = imputation
    assert (round(fresh.mean(), 2), round(fresh.std(), 2), round(fresh.median(), 2)) == (2.91, 3.47, 1.70)
    assert _raised(fresh, died) == ((12, 30), (3, 44))
    kept = fresh.notna()
    assert (int(died[kept].sum()), int(kept.sum())) == (15, 74)
    low, high = stats.binomtest(15, 74).proportion_ci(method="wilson")
    assert (f"{15 / 74:.1%}", f"{low:.1%}", f"{high:.1%}") == ("20.3%", "12.7%", "30.8%")
    rest = died[~kept]
    assert f"{rest.mean():.1%}" == "13.7%" and len(rest) == 3926
    d = heartdata_stats.difference_ci(15, 74, int(rest.sum()), len(rest))
    assert (round(100 * d.difference, 1), round(100 * d.low, 1), round(100 * d.high, 1)) == (6.5, -1.1, 17.1)
    assert d.low < 0 < d.high  # "a sample we cannot call sicker or healthier than the rest"
    carried = 1 - kept.sum() / last["Value"].notna().sum()
    assert f"{carried:.0%}" == "97%"  # LOCF's values carried from before the last hour (the figure's title)
    assert round(fresh.mean() - fresh.median(), 1) == 1.2
    mean_fill = fresh.fillna(fresh.mean())
    assert round(mean_fill.std(), 2) == 0.47 and round(100 * (mean_fill > 2).mean()) == 99
    assert _raised(mean_fill, died)[0] == (551, 3956) and round(100 * 551 / 3956, 1) == 13.9
    median_fill = fresh.fillna(fresh.median())
    assert _raised(median_fill, died) == ((12, 30), (542, 3970)) and round(100 * 3970 / 4000) == 99
    locf = last["Value"]
    assert (round(locf.mean(), 2), round(locf.std(), 2)) == (1.94, 1.58)
    assert _raised(locf, died) == ((162, 616), (223, 1567))
    assert (round(100 * 162 / 616, 1), round(100 * 223 / 1567, 1)) == (26.3, 14.2)
    never = died[locf.isna()]
    assert (int(never.sum()), len(never)) == (169, 1817) and round(100 * never.mean(), 1) == 9.3


# ---- second edition: what the data can test about MAR, RespRate's exact zero, multiple imputation


def test_heartdata_stats_wilson_is_the_same_interval():
    for k, n in [(385, 2183), (11, 439), (0, 12), (12, 12)]:
        assert np.allclose(heartdata_stats.proportion_ci(k, n), wilson(k, n), atol=1e-12)


def test_arterial_line_goes_with_death_inside_units():
    """'MCAR within units' is refuted: inside units, having SysABP goes with the outcome (four comparisons)."""
    got = _adjusted("SysABP")
    assert {u: k for u, (k, _) in got.items()} == {
        1: (62, 387, 19, 190),
        2: (38, 836, 5, 38),
        3: (171, 713, 104, 768),
        4: (138, 861, 17, 207),
    }
    d = {u: x for u, (_, x) in got.items()}
    assert d[3].low > 0 and d[4].low > 0  # Medical, Surgical: more deaths with a line, even at 98.75%
    assert d[2].low < 0 < d[2].high and (round(100 * d[2].low, 1), round(100 * d[2].high, 1)) == (-27.6, 0.2)
    assert d[1].low < 0 < d[1].high  # Coronary Care: the interval includes no difference
    assert heartdata_stats.difference_ci(38, 836, 5, 38).high < 0  # unadjusted, it would have looked like a finding
    present, units, raw_died = _raw_presence()
    medical = [raw_died[r] for r in raw_died if units[r] == 3 and "SysABP" in present[r]]
    assert (sum(medical), len(medical)) == (171, 713)


def test_resprate_never_in_a_ventilated_stay_even_after_early_extubation():
    _, series, counts, _, _ = _stays()
    vent = series[series["Parameter"].eq("MechVent")]
    last = vent.groupby("RecordID")["Time"].max()
    early = last.index[last < 24 * 60]
    assert len(last) == 2529 and len(early) == 578
    assert int((counts.loc[last.index, "RespRate"] > 0).sum()) == 0
    present, _, _ = _raw_presence()
    assert sum(1 for r in early if "RespRate" in present[r]) == 0


M_DRAWS = 20  # the lesson's number of bootstrap imputations


def _impute_and_fit(to_impute, columns, died, seed, fit):
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    # bootstrap, then impute (as the lesson does, review F04-2): the model is fitted on a resample of the stays
    rows = np.random.default_rng(seed).integers(0, len(to_impute), len(to_impute))
    imputer = IterativeImputer(sample_posterior=True, max_iter=5, skip_complete=True, random_state=seed)
    imputer.fit(to_impute.iloc[rows])
    filled = pd.DataFrame(imputer.transform(to_impute), index=to_impute.index, columns=to_impute.columns)
    return fit(filled[columns], died)


def _helper_medians(desc, series):
    """The imputation model's helpers: per-stay medians as charted, pH cleaned first (recomputed here, not with
    heartdata.cleaning): 650-800 is a pH without its decimal point (735 is 7.35), outside 6.5-8.0 is impossible."""
    per_stay = series.groupby(["RecordID", "Parameter"])["Value"].median().unstack().reindex(desc.index)
    ph = series[series["Parameter"].eq("pH")]
    value = ph["Value"].where(~ph["Value"].between(650, 800), ph["Value"] / 100)
    assert int(ph["Value"].between(650, 800).sum()) == 3  # the lesson: 3 values divided by 100
    assert int((~value.between(6.5, 8.0)).sum()) == 7  # and 7 impossible ones removed
    raw_bad = per_stay["pH"][~per_stay["pH"].between(6.5, 8.0) & per_stay["pH"].notna()]
    assert sorted(raw_bad.tolist()) == [94.0, 94.0, 95.0]  # raw, 3 stays had a median pH of 94 to 95
    clean_ph = value[value.between(6.5, 8.0)].groupby(ph["RecordID"]).median()
    return per_stay[["HCO3", "BUN", "Creatinine", "WBC", "Platelets", "HR", "GCS"]].assign(pH=clean_ph)


@pytest.fixture(scope="module")
def lactate_models():
    import statsmodels.api as sm

    desc, series, _, died, icu = _stays()
    names = {1: "Coronary Care", 2: "Cardiac Surgery Recovery", 3: "Medical", 4: "Surgical"}
    lac = series[series["Parameter"].eq("Lactate")].sort_values(["RecordID", "Time"])
    last = lac.groupby("RecordID").last().reindex(desc.index)
    units = pd.get_dummies(icu.map(names), dtype=float).drop(columns=names[2])  # Cardiac Surgery Recovery: reference
    base = pd.DataFrame({"log2 lactate": np.log2(last["Value"]), "age (10 y)": desc["Age"] / 10}).join(units)

    def fit(X, y):
        return sm.Logit(y, sm.add_constant(X)).fit(disp=0)

    has = base["log2 lactate"].notna()
    complete = fit(base[has], died[has])
    ind_X = base.assign(
        **{"log2 lactate": base["log2 lactate"].fillna(base["log2 lactate"].mean()), "lactate missing": (~has) * 1.0}
    )
    indicator = fit(ind_X, died)
    to_impute = base.join(_helper_medians(desc, series)).assign(died=died)
    with threadpool_limits(1):  # as the lesson does; many BLAS threads on a loaded machine are much slower
        fits = [_impute_and_fit(to_impute, base.columns, died, m, fit) for m in range(M_DRAWS)]
    return complete, indicator, fits, has


def lactate_models_incomplete():
    """Share of stays lacking at least one variable of the lesson's imputation model (recomputed, not from a fit)."""
    desc, series, _, _, _ = _stays()
    has_lac = series[series["Parameter"].eq("Lactate")]["RecordID"].unique()
    cols = _helper_medians(desc, series).assign(lactate=desc.index.isin(has_lac), age=desc["Age"])
    return (cols.isna().any(axis=1) | ~cols["lactate"]).mean()


def sm_logit(X, y):
    import statsmodels.api as sm

    return sm.Logit(y, sm.add_constant(X)).fit(disp=0)


def base_mean_log2_lactate():
    """The missing-indicator fit's fill: the mean log2 of each tested stay's last lactate (recomputed)."""
    desc, series, _, _, _ = _stays()
    lac = series[series["Parameter"].eq("Lactate")].sort_values(["RecordID", "Time"])
    return np.log2(lac.groupby("RecordID")["Value"].last()).mean()


def _pool(fits, name="log2 lactate"):
    return heartdata_stats.rubin_pool([f.params[name] for f in fits], [f.bse[name] ** 2 for f in fits])


def test_lactate_odds_ratio_three_ways(lactate_models):
    complete, indicator, fits, has = lactate_models
    pooled = _pool(fits)
    cc = np.exp([complete.params["log2 lactate"], *complete.conf_int().loc["log2 lactate"]])
    ind = np.exp([indicator.params["log2 lactate"], *indicator.conf_int().loc["log2 lactate"]])
    mi = np.exp([pooled.estimate, pooled.low, pooled.high])
    assert np.round(cc, 2).tolist() == [2.16, 1.86, 2.51] and int(complete.nobs) == 2183
    assert np.round(ind, 2).tolist() == [2.2, 1.89, 2.55] and int(indicator.nobs) == 4000
    assert np.round(mi, 2).tolist() == [2.18, 1.87, 2.55] and len(fits) == M_DRAWS == 20
    assert f"{100 * (~has).mean():.1f}" == "45.4"  # stays without a lactate
    # White, Royston & Wood's rule counts incomplete cases of the imputation data: 49.9%, so m of about 50
    assert f"{100 * lactate_models_incomplete():.1f}" == "49.9"
    assert (round(pooled.within, 4), round(pooled.between, 4)) == (0.004, 0.0022)
    total = pooled.within + (1 + 1 / M_DRAWS) * pooled.between  # Rubin: T = W + (1 + 1/m) B
    assert pooled.se**2 == pytest.approx(total) and round(total, 4) == 0.0063
    assert f"{(1 + 1 / M_DRAWS) * pooled.between / total:.0%}" == "37%"
    # Monte Carlo error of the pooled log odds ratio, sqrt(B / m), against its standard error and the width of its
    # 95% interval (m = 20, fewer than the rule's 50, to keep the lesson within its time: this error stays small)
    mc_error = np.sqrt(pooled.between / M_DRAWS)
    assert (round(mc_error, 3), round(pooled.se, 3), round(pooled.high - pooled.low, 2)) == (0.011, 0.079, 0.31)
    assert mc_error < 0.05 * (pooled.high - pooled.low)
    # blocks of 10 imputations: the estimate moves little, the between-imputation share a lot
    blocks = [_pool(fits[k : k + 10]) for k in range(0, M_DRAWS, 10)]
    ors = [np.exp(b.estimate) for b in blocks]
    shares = [(1.1 * b.between / b.se**2) for b in blocks]
    assert len(blocks) == 2 and (round(min(ors), 2), round(max(ors), 2)) == (2.18, 2.19)
    assert (f"{min(shares):.0%}", f"{max(shares):.0%}") == ("32%", "45%")
    # the lesson gives only the estimates' spread for lactate (the intervals come from the same stays, so their
    # overlap is no test of agreement, review r19-0405 F1): the largest is 2% above the smallest
    points = [cc[0], ind[0], mi[0]]
    assert f"{max(points) / min(points) - 1:.0%}" == "2%"
    # the other coefficients, where the indicator's bias would show, move more: Surgical's the most (log scale)
    others = ["age (10 y)", "Coronary Care", "Medical", "Surgical"]
    table = pd.DataFrame({"cc": np.exp(complete.params[others]), "ind": np.exp(indicator.params[others]),
                          "mi": [np.exp(_pool(fits, c).estimate) for c in others]}, index=others)
    assert (np.log(table["ind"]) - np.log(table["mi"])).abs().idxmax() == "Surgical"
    assert table.loc["Surgical"].round(2).tolist() == [3.69, 4.22, 4.77]
    # the largest gap between complete cases and multiple imputation, which the lesson names
    assert (np.log(table["cc"]) - np.log(table["mi"])).abs().idxmax() == "Surgical"
    assert round(table.loc["age (10 y)", "cc"], 2) == 1.35
    missing = np.exp([indicator.params["lactate missing"], *indicator.conf_int().loc["lactate missing"]])
    assert np.round(missing, 2).tolist() == [0.51, 0.42, 0.62]
    assert f"{2 ** base_mean_log2_lactate():.2f}" == "1.64"  # the fill: a geometric mean of 1.64 mmol/L
    # review r19-0405 F2: the 'no lactate' odds ratio follows the fill value; lactate's own does not
    desc, series, _, died, _ = _stays()
    X = indicator.model.exog_names
    ind_X = pd.DataFrame(indicator.model.exog, columns=X, index=died.index).drop(columns="const")
    was_missing = ind_X["lactate missing"].eq(1)
    for fill, expected in [(1.0, [0.9, 0.7, 1.14]), (2.0, [0.41, 0.33, 0.5])]:
        refit = sm_logit(ind_X.assign(**{"log2 lactate": ind_X["log2 lactate"].where(~was_missing, np.log2(fill))}),
                         died)
        got = np.exp([refit.params["lactate missing"], *refit.conf_int().loc["lactate missing"]])
        assert np.round(got, 2).tolist() == expected
        assert refit.params["log2 lactate"] == pytest.approx(indicator.params["log2 lactate"])
    assert np.round(np.exp(indicator.params["log2 lactate"]), 2) == 2.2
