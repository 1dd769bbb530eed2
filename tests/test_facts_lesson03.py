"""Every fact lesson 03 (messy metadata) states, recomputed through the package and pinned.

Values were verified on the shipped data; where cheap, they are cross-checked against an independent
read of the raw files (csv module for PTB-XL, tarfile for Challenge 2012).
"""

from __future__ import annotations

import ast
import csv
import json
import re
import tarfile
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, REPO

from heartdata import challenge2012, ptbxl

DESC = challenge2012.DESCRIPTORS


@pytest.fixture(scope="module")
def meta():
    return ptbxl.load_metadata()


@pytest.fixture(scope="module")
def raw_rows():
    with open(DATA / "ptbxl" / "ptbxl_database.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def scp_long(meta):
    parsed = meta["scp_codes"].map(ast.literal_eval)
    rows = [(i, c, v) for i, d in parsed.items() for c, v in d.items()]
    return pd.DataFrame(rows, columns=["ecg_id", "code", "likelihood"])


@pytest.fixture(scope="module")
def labelled(scp_long):
    scp = ptbxl.load_scp_statements()
    diag = scp.loc[scp["diagnostic"].eq(1), "diagnostic_class"].rename("superclass")
    return scp_long.merge(diag, left_on="code", right_index=True, how="left")


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays()


@pytest.fixture(scope="module")
def desc_wide(stays):
    d = stays[stays["Time"].eq(0) & stays["Parameter"].isin(DESC)]
    return d.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")


# ---------------- PTB-XL ----------------


def test_identifiers_are_floats_of_whole_numbers(meta, raw_rows):
    cols = ["patient_id", "nurse", "site", "validated_by"]
    assert all(str(meta[c].dtype) == "float64" for c in cols)
    assert all((meta[c].dropna() % 1 == 0).all() for c in cols)
    assert meta["nurse"].isna().sum() == 48 and meta["validated_by"].isna().sum() == 278
    assert meta[["patient_id", "site"]].isna().sum().sum() == 0
    assert raw_rows[0]["patient_id"] == "15709.0"  # the file itself writes the decimal point


def test_scp_codes_parse(meta, scp_long, raw_rows):
    assert isinstance(meta.loc[1, "scp_codes"], str)
    assert meta.loc[1, "scp_codes"] == "{'NORM': 100.0, 'LVOLT': 0.0, 'SR': 0.0}"
    assert len(scp_long) == sum(len(ast.literal_eval(r["scp_codes"])) for r in raw_rows) == 1099
    assert scp_long["ecg_id"].nunique() == 450
    lik = scp_long["likelihood"].value_counts().to_dict()
    assert lik == {0.0: 524, 100.0: 452, 80.0: 53, 50.0: 38, 15.0: 23, 35.0: 9}
    assert round(524 / 1099, 2) == 0.48
    with pytest.raises(ValueError):
        ast.literal_eval("__import__('os').getcwd()")


def test_quality_columns(meta):
    q = ["baseline_drift", "static_noise", "burst_noise", "electrodes_problems"]
    assert meta[q].notna().sum().to_dict() == {
        "baseline_drift": 65,
        "static_noise": 87,
        "burst_noise": 11,
        "electrodes_problems": 3,
    }
    noise = meta["static_noise"].dropna()
    assert noise.iloc[0] == " , I-V1,  "
    assert noise.eq("I-V1").sum() == 0 and noise.str.strip(" ,").eq("I-V1").sum() == 10
    assert meta["burst_noise"].dropna().iloc[0] == "V5"
    assert noise.str.contains("alles").sum() == 18


MARKERS = {
    "German": r"\b(sinusrhythmus|sinusbradykardie|sinustachykardie|linkstyp|rechtstyp|lagetyp|normales|unspezifisches|"
    r"extrasystole|arrhythmie|schenkelblock|vorhof\w*|überleitung|verdacht)\b",
    "Swedish": r"\b(sinusrytm|sinusbradykardi|sinustachykardi|vänster|normalt|förändring|såsom|förmaksflimmer|"
    r"avvikande|eljest)\b",
    "English": r"\b(rhythm|normal ecg|trace only|atrial|fibrillation|otherwise|the|are|with)\b",
}


def _language(text):
    hits = {lang: len(re.findall(p, text.lower())) for lang, p in MARKERS.items()}
    best = max(hits, key=hits.get)
    return best if hits[best] > 0 else "no marker"


def test_report_language_follows_site(meta):
    tab = pd.crosstab(meta["site"].astype(int), meta["report"].map(_language))
    assert tab.to_dict("index") == {
        0: {"English": 0, "German": 242, "Swedish": 8, "no marker": 2},
        1: {"English": 128, "German": 0, "Swedish": 0, "no marker": 5},
        2: {"English": 0, "German": 17, "Swedish": 0, "no marker": 0},
        3: {"English": 0, "German": 0, "Swedish": 45, "no marker": 3},
    }
    assert 242 + 128 + 17 + 45 == 432 and tab["no marker"].sum() == 10
    assert "trace only requested." in set(meta["report"])


def test_report_damage_and_truncation(meta, raw_rows):
    r = meta["report"]
    assert r.str.contains(r"[^\x00-\x7f]").sum() == 86
    assert r.str.contains(r"[a-z][ÄÖÜÅ]|[ÄÖÜÅ][a-z]").sum() == 83
    assert "schweiáausbruch" in r[34] and "schweiáausbruch".encode("latin-1").decode("cp437") == "schweißausbruch"
    lengths = Counter(len(row["report"]) for row in raw_rows)
    assert max(lengths) == r.str.len().max() == 255 and lengths[255] == 16
    assert r.str.len().idxmin() == 443 and r[443] == " " and r.str.len().min() == 1
    assert r[r.str.len().eq(255)].iloc[0].endswith("2x unter")


def test_superclasses_under_two_rules(meta, labelled):
    scp = ptbxl.load_scp_statements()
    assert len(scp) == 71 and int(scp["diagnostic"].eq(1).sum()) == 44
    assert labelled["code"].isin(scp.index).all() and labelled["superclass"].notna().sum() == 556
    d = labelled.dropna(subset=["superclass"])
    anyl = d.groupby("superclass")["ecg_id"].nunique().to_dict()
    only = d[d["likelihood"].eq(100)].groupby("superclass")["ecg_id"].nunique().to_dict()
    assert anyl == {"CD": 68, "HYP": 36, "MI": 62, "NORM": 271, "STTC": 83}
    assert only == {"CD": 66, "HYP": 25, "MI": 18, "NORM": 222, "STTC": 76}
    assert d["ecg_id"].nunique() == 439
    assert d[d["likelihood"].eq(100)]["ecg_id"].nunique() == 363 and len(meta) - 363 == 87
    assert int((d.groupby("ecg_id")["superclass"].nunique() > 1).sum()) == 62
    mi = pd.crosstab(d["superclass"], d["likelihood"]).loc["MI"].to_dict()
    assert mi == {0.0: 0, 15.0: 22, 35.0: 7, 50.0: 16, 80.0: 4, 100.0: 25}  # "mostly 15-50 %"
    norm = pd.crosstab(d["superclass"], d["likelihood"]).loc["NORM"]
    assert norm[[80.0, 100.0]].sum() == 268 and norm.sum() == 271  # "mostly 80-100 %"


def test_several_ecgs_per_patient(meta, raw_rows):
    per = meta.groupby("patient_id").size()
    assert len(per) == 419 and int((per > 1).sum()) == 22 and int(per[per > 1].sum()) == 53 and per.max() == 8
    assert sum(1 for n in Counter(r["patient_id"] for r in raw_rows).values() if n > 1) == 22
    assert meta.groupby("patient_id")["strat_fold"].nunique().max() == 1


def test_sex_codes_are_opposite(meta, desc_wide):
    ptb = meta.groupby("sex")["height"].agg(["median", "count"])
    assert (ptb.loc[0, "median"], ptb.loc[0, "count"]) == (174.0, 58)
    assert (ptb.loc[1, "median"], ptb.loc[1, "count"]) == (160.0, 76)
    w = desc_wide.replace(-1, np.nan)
    icu = w.groupby("Gender")["Height"].agg(["median", "count"])
    assert (icu.loc[0, "median"], icu.loc[0, "count"]) == (160.0, 850)
    assert (round(icu.loc[1, "median"], 1), icu.loc[1, "count"]) == (177.8, 1255)


# ---------------- Challenge 2012 ----------------


def test_minus_one_sentinels(stays, desc_wide):
    assert desc_wide[["Age", "Gender", "Height", "ICUType", "Weight"]].eq(-1).sum().to_dict() == {
        "Age": 0,
        "Gender": 3,
        "Height": 1894,
        "ICUType": 0,
        "Weight": 326,
    }
    assert round(desc_wide["Height"].mean(), 1) == 88.9
    assert round(desc_wide["Height"].replace(-1, np.nan).mean(), 1) == 169.8
    others = stays.loc[~stays["Parameter"].isin(DESC), "Value"]
    assert len(others) == 1532453 and int(others.eq(-1).sum()) == 0
    assert stays["Parameter"].nunique() - len(DESC) == 36


def test_descriptors_at_zero_but_not_always_first(stays):
    d = stays[stays["Time"].eq(0) & stays["Parameter"].isin(DESC)]
    assert len(d) == 6 * 4000 and d.groupby(["RecordID", "Parameter"]).size().eq(1).all()
    assert stays[stays["Parameter"].isin(DESC[:5])]["Time"].eq(0).all()  # only Weight appears later
    pos = stays.groupby("RecordID").cumcount()
    first6 = stays[pos < 6].groupby("RecordID")["Parameter"].agg(frozenset)
    bad = first6[first6.ne(frozenset(DESC))]
    assert len(bad) == 90 and bad.index[0] == 132548
    one = stays[stays["RecordID"].eq(132548)].reset_index(drop=True)
    assert one.index[one["Parameter"].eq("Weight") & one["Time"].eq(0)][0] + 1 == 12
    later = stays[stays["Parameter"].eq("Weight") & stays["Time"].gt(0)]
    assert len(later) == 122439 and later["RecordID"].nunique() == 2716
    w0 = stays[stays["Parameter"].eq("Weight") & stays["Time"].eq(0)].set_index("RecordID")["Value"]
    no_weight = w0.index[w0.eq(-1)]
    assert len(no_weight) == 326 and int(no_weight.isin(later["RecordID"]).sum()) == 30
    assert int(later["Value"].eq(-1).sum()) == 0 and int(later["Value"].eq(0).sum()) == 178


def test_descriptor_order_in_raw_file():
    """Independent read: in 132548.txt a measurement line sits among the descriptor lines."""
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        member = next(m for m in tar if m.name.endswith("/132548.txt"))
        lines = tar.extractfile(member).read().decode().splitlines()
    params = [line.split(",")[1] for line in lines[1:13]]
    assert params[:6] == ["RecordID", "Age", "Gender", "Height", "HR", "ICUType"]
    assert params.index("Weight") + 1 == 12


def test_repeated_readings(stays):
    key = ["RecordID", "Time", "Parameter"]
    groups = stays[stays.duplicated(key, keep=False)]
    extra = groups.duplicated(key)
    assert int(extra.sum()) == int(stays.duplicated(key).sum()) == 3671
    assert groups.groupby(key).ngroups == 3657 and groups["RecordID"].nunique() == 1151
    assert int(groups.duplicated(key + ["Value"]).sum()) == 0
    by = groups[extra]["Parameter"].value_counts()
    assert (by["MAP"], by["Urine"]) == (1845, 1544)
    first_urine = groups[groups["Parameter"].eq("Urine")].head(2)
    assert first_urine["RecordID"].tolist() == [132539, 132539] and first_urine["Value"].tolist() == [400.0, 0.0]
    mm = groups.groupby(key)["Value"].agg(["min", "max"])
    spread = (mm["max"] - mm["min"]).groupby(level="Parameter").median()
    assert (spread["MAP"], spread["Urine"]) == (4.0, 140.0)


def test_units(stays, desc_wide):
    h = desc_wide["Height"].replace(-1, np.nan).dropna()
    inch = ((h / 2.54).round() * 2.54 - h).abs() < 0.051
    assert (int(inch.sum()), len(h)) == (2048, 2106) and round(inch.mean(), 2) == 0.97
    tall = np.sort(h[h > 300].to_numpy())
    assert tall.tolist() == [365.8, 381.0, 398.8, 406.4, 419.1, 426.7, 431.8]
    assert np.round(tall / 2.54).tolist() == [144, 150, 157, 160, 165, 168, 170]
    assert int(h.lt(20).sum()) == 9 and int(h.between(20, 300).sum()) == 2106 - 9 - 7
    temp = stays.loc[stays["Parameter"].eq("Temp"), "Value"]
    assert temp.min() == -17.8 and round((0 - 32) * 5 / 9, 1) == -17.8
    assert int(temp.eq(-17.8).sum()) == 21 and int(temp.lt(25).sum()) == 125
    assert temp[temp.lt(20)].max() == 3.6 and int(temp.between(0, 3.6).sum()) == 102  # "most of them (0 to 3.6)"
    ph = stays.loc[stays["Parameter"].eq("pH"), "Value"]
    assert ph.max() == 735 and int(ph.gt(14).sum()) == 8


def test_long_to_wide(stays):
    one = stays[stays["RecordID"].eq(132996)]
    with pytest.raises(ValueError):
        one.pivot(index="Time", columns="Parameter", values="Value")
    readings = one[~(one["Time"].eq(0) & one["Parameter"].isin(DESC))]
    agg = readings.groupby("Parameter")["Value"].agg(["first", "last", "mean", "count"])
    assert agg.loc["HR"].round(1).tolist() == [88.0, 88.0, 80.4, 51]
    assert agg.loc["MAP"].round(1).tolist() == [90.0, 70.0, 73.6, 74]
    assert agg.loc["Urine"].round(1).tolist() == [600.0, 30.0, 69.7, 38]
    assert "Weight" not in agg.index  # this stay has no Weight after 00:00

    all_r = stays[~(stays["Time"].eq(0) & stays["Parameter"].isin(DESC))]
    hr = all_r[all_r["Parameter"].eq("HR")].groupby("RecordID")["Value"].agg(["first", "last", "count"])
    gap = (hr["last"] - hr["first"]).abs()
    assert len(hr) == 3937 and int(gap.gt(20).sum()) == 1088 and round(gap.gt(20).mean(), 2) == 0.28
    assert (hr["count"].min(), hr["count"].max()) == (1, 188)
    urine = all_r[all_r["Parameter"].eq("Urine")].groupby("RecordID")["Value"].sum()
    assert round(urine.median()) == 3717


def test_small_heights_metres_and_the_rest(desc_wide):
    """Lesson 03: of the heights below 20 cm, one reads as metres (lesson 06's repair); eight have no sure reading."""
    h = desc_wide["Height"].dropna()
    h = h[h.ne(-1)]  # -1 is "not recorded"
    metres = h[h.between(1, 2.5)]
    tiny = h[h.lt(20) & ~h.between(1, 2.5)]
    assert metres.tolist() == [1.8]
    assert sorted(tiny) == [13.0, 13.0, 13.0, 13.7, 14.0, 14.0, 15.2, 17.8]
    assert (tiny * 10).between(100, 250).all()
    inches = h / 2.54
    assert round(((inches.round() - inches).abs() * 2.54 < 0.051).mean(), 2) == 0.97


def test_ph_above_14(stays):
    """Lesson 03: pH values above 14: decimal point lost, a swap with PaO2, and saturation-like values."""
    ph = stays[stays["Parameter"].eq("pH")]
    bad = ph[ph["Value"].gt(14)]
    gas = stays[stays["Parameter"].isin(["PaO2", "SaO2"])].pivot_table(
        index=["RecordID", "Time"], columns="Parameter", values="Value", aggfunc="first"
    )
    bad = bad.join(gas, on=["RecordID", "Time"])
    assert len(bad) == 8
    assert sorted(bad.loc[bad["Value"].between(650, 800), "Value"]) == [733, 734, 735]
    swapped = bad[bad["PaO2"].between(6.5, 8)]
    assert swapped[["Value", "PaO2"]].values.tolist() == [[187.0, 7.47]]
    sat = bad[bad["Value"].between(80, 100)]
    assert sorted(sat["Value"]) == [94, 94, 95, 100]
    assert int(sat["SaO2"].eq(sat["Value"]).sum()) == 1 and int(sat[["PaO2", "SaO2"]].isna().all(axis=1).sum()) == 3


def test_zero_likelihoods_by_kind_of_statement(raw_rows):
    """Lesson 03: 518 of the 524 zero likelihoods belong to statements that are only form or rhythm statements; the
    other 6 are NST_, diagnostic and form at once."""
    with open(DATA / "ptbxl" / "scp_statements.csv", newline="", encoding="utf-8") as f:
        kinds = {r[""]: r for r in csv.DictReader(f)}
    zeros = [c for r in raw_rows for c, v in ast.literal_eval(r["scp_codes"]).items() if v == 0]
    assert len(zeros) == 524
    assert sum(kinds[c]["diagnostic"] != "1.0" for c in zeros) == 518
    diagnostic = [c for c in zeros if kinds[c]["diagnostic"] == "1.0"]
    assert Counter(diagnostic) == {"NST_": 6} and kinds["NST_"]["form"] == "1.0"


def _statements(raw_rows):
    with open(DATA / "ptbxl" / "scp_statements.csv", newline="", encoding="utf-8") as f:
        kinds = {r[""]: r for r in csv.DictReader(f)}
    return [(int(r["ecg_id"]), c, v, kinds[c]["diagnostic"] == "1.0", r["report"].lower())
            for r in raw_rows for c, v in ast.literal_eval(r["scp_codes"]).items()]


def test_form_and_rhythm_statements_carry_0_or_100(raw_rows):
    """Lesson 03 (review 00, finding 1): 518 of 543 form/rhythm statements carry 0 and 25 carry 100 (PVC 13, AFLT 6,
    PACE 5, AFIB 1); 427 of 556 diagnostic statements carry 100, 123 carry 15-80, 6 carry 0."""
    rows = _statements(raw_rows)
    other = [(c, v) for _, c, v, d, _ in rows if not d]
    assert len(other) == 543 and Counter(v for _, v in other) == {0.0: 518, 100.0: 25}
    assert Counter(c for c, v in other if v == 100) == {"PVC": 13, "AFLT": 6, "PACE": 5, "AFIB": 1}
    diag = Counter(v for _, _, v, d, _ in rows if d)
    assert sum(diag.values()) == 556 and diag[100.0] == 427 and diag[0.0] == 6
    assert sum(n for v, n in diag.items() if 0 < v < 100) == 123


def test_nst_same_wording_coded_0_and_100(raw_rows):
    """Lesson 03: NST_ carries 0 in 6 ECGs and 100 in 9; 'non-specific st-t' stands in reports coded 0 and 100
    (ECG 412 at 0, ECG 295 at 100)."""
    nst = [(e, v, "non-specific st-t" in text) for e, c, v, _, text in _statements(raw_rows) if c == "NST_"]
    assert Counter(v for _, v, _ in nst) == {0.0: 6, 100.0: 9}
    assert {v for _, v, w in nst if w} == {0.0, 100.0}
    assert (412, 0.0, True) in nst and (295, 100.0, True) in nst


def test_one_qualifier_gives_several_likelihoods(raw_rows):
    """Lesson 03: in the 104 ECGs with one diagnostic statement below 100, 'nicht auszuschliessen' gives 15 and 50,
    'möglich' 15, 35 and 50, 'verdacht auf' never stands beside a statement below 100, and 'sonst normales ekg' goes
    with NORM at 80 (33 ECGs). The report's own umlauts are upper case (mÖglich): the text is lower-cased first."""
    rows = [r for r in _statements(raw_rows) if r[3]]
    below = Counter(e for e, _, v, _, _ in rows if v < 100)
    single = [(e, c, v, text) for e, c, v, _, text in rows if v < 100 and below[e] == 1]
    assert len(single) == 104

    def seen(pattern):
        return {v for _, _, v, text in single if re.search(pattern, text)}

    assert seen(r"nicht auszuschlie(ss|ß)en") == {15.0, 50.0}
    assert seen(r"m(ö|oe)glich") == {15.0, 35.0, 50.0}
    assert seen(r"wahrscheinlich") == {15.0, 35.0, 50.0}
    assert seen(r"verdacht auf") == set() and any("verdacht auf" in text for *_, text in rows)
    normal = [(c, v) for _, c, v, text in single if "sonst normales ekg" in text]
    assert Counter(normal) == {("NORM", 80.0): 33}
    # review 5, F03-3: against the paper's Table 4 (keyword -> likelihood), how often a listed qualifier gets its value;
    # review r21-0003: möglich and bör övervägas are read as Table 4's möglicherweise and consider (35), and möglich
    # also as its translation possible (50)
    table_4 = {r"nicht auszuschlie(ss|ß)en": 15.0, r"m(ö|oe)glich": 35.0, r"wahrscheinlich": 50.0,
               r"bör överväg": 35.0, r"possibl": 50.0, r"suggest": 35.0, r"sonst normales ekg": 80.0}
    followed = {p: (sum(v == want for _, _, v, t in single if re.search(p, t)),
                    sum(bool(re.search(p, t)) for *_, t in single)) for p, want in table_4.items()}
    assert list(followed.values()) == [(2, 3), (1, 3), (1, 5), (2, 4), (2, 4), (3, 11), (33, 33)]
    assert sum(v == 50.0 for _, _, v, t in single if re.search(r"m(ö|oe)glich", t)) == 1
    # the slice writes only the adjective möglich, never the adverb Table 4 lists
    assert not any(re.search(r"m(ö|oe)glicherweise", t) for *_, t in rows)
    nb = json.loads((REPO / "notebooks" / "03-messy-metadata.ipynb").read_text())
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert "not listed" not in source and '(listed as {form})' in source
    assert '"möglich": ("möglicherweise", 35.0)' in source and '"bör övervägas": ("consider", 35.0)' in source
    assert "so the paper's own table gives the German adjective and its English translation different" in source


def test_likelihood_mix_per_superclass(labelled):
    """Lesson 03's figure: 49 of 74 MI statements below 100 (66%); CD 2 of 75 (3%)."""
    diag = labelled[labelled["superclass"].notna()]
    mix = pd.crosstab(diag["superclass"], diag["likelihood"])
    below = mix.sum(axis=1) - mix[100.0]
    assert (int(below["MI"]), int(mix.loc["MI"].sum())) == (49, 74)
    assert (int(below["CD"]), int(mix.loc["CD"].sum())) == (2, 75)
    share = below / mix.sum(axis=1)
    assert share.idxmax() == "MI" and share.idxmin() == "CD" and round(share["MI"], 2) == 0.66


def test_share_kept_by_the_strict_rule_with_intervals(labelled):
    """Lesson 03: the strict rule keeps 18 of 62 MI ECGs (29%) and 66 of 68 CD ECGs (97%), with Wilson intervals."""
    from statsmodels.stats.proportion import proportion_confint

    diag = labelled[labelled["superclass"].notna()]
    any_rule = diag.groupby("superclass")["ecg_id"].nunique()
    strict = diag[diag["likelihood"].eq(100)].groupby("superclass")["ecg_id"].nunique()
    assert (strict["MI"], any_rule["MI"], strict["CD"], any_rule["CD"]) == (18, 62, 66, 68)
    low, high = proportion_confint(18, 62, method="wilson")
    assert (round(low, 2), round(high, 2)) == (0.19, 0.41)


def test_same_minute_groups_differ(stays):
    """Lesson 03's figure: 1,845 MAP groups (median 4 mmHg apart, largest 91); 1,530 Urine groups, one value 0 in
    901; in the 629 others adding instead of keeping the larger puts a median 110 mL (up to 1,990) into the minute."""
    key = ["RecordID", "Time", "Parameter"]
    groups = stays[stays.duplicated(key, keep=False)]
    assert int(groups.duplicated(key + ["Value"]).sum()) == 0
    r = groups.groupby(key)["Value"].agg(["min", "max", "sum"])
    mp, ur = r.xs("MAP", level="Parameter"), r.xs("Urine", level="Parameter")
    assert len(mp) == 1845 and (mp["max"] - mp["min"]).median() == 4 and (mp["max"] - mp["min"]).max() == 91
    zero = ur["min"].eq(0)
    assert (len(ur), int(zero.sum())) == (1530, 901)
    added = (ur["sum"] - ur["max"])[~zero]
    assert len(added) == 629 and added.median() == 110 and added.max() == 1990


def test_heart_rate_change_and_urine_totals_under_two_rules(stays):
    """Lesson 03: last minus first heart rate beyond 20 beats/min: 686 fall, 402 rise; keeping the larger same-minute
    urine volume instead of adding changes 548 stays' totals, by a median 130 mL."""
    readings = stays[~(stays["Time"].eq(0) & stays["Parameter"].isin(DESC))]
    hr = readings[readings["Parameter"].eq("HR")].groupby("RecordID")["Value"].agg(["first", "last"])
    change = hr["last"] - hr["first"]
    assert (int(change.lt(-20).sum()), int(change.gt(20).sum())) == (686, 402)
    urine = readings[readings["Parameter"].eq("Urine")]
    added = urine.groupby("RecordID")["Value"].sum()
    larger = urine.groupby(["RecordID", "Time"])["Value"].max().groupby("RecordID").sum()
    diff = (added - larger)[lambda d: d.gt(0)]
    assert len(diff) == 548 and diff.median() == 130


def test_norm_ecgs_carrying_rhythm_or_premature_beats(raw_rows):
    """NORM beside rhythm or extra-beat statements, which belong to no superclass (review 2, F1).
    Recomputed with the csv module from ptbxl_database.csv and scp_statements.csv."""
    with open(DATA / "ptbxl" / "scp_statements.csv", newline="", encoding="utf-8") as f:
        scp = {r[""]: r for r in csv.DictReader(f)}
    assert all(scp[c]["diagnostic"] in ("", "0", "0.0") for c in ("AFIB", "AFLT", "PACE", "PVC", "PAC"))
    outside = {c for c, r in scp.items()
               if (r["rhythm"] in ("1", "1.0") and not r["description"].startswith("sinus"))
               or "premature" in r["description"]}
    found = {}
    for r in raw_rows:
        codes = ast.literal_eval(r["scp_codes"])
        if "NORM" in codes and set(codes) & outside:
            found[int(r["ecg_id"])] = sorted(set(codes) & outside)
    assert found == {219: ["PVC"], 297: ["PVC"], 330: ["AFIB"], 421: ["PAC"], 436: ["PVC"]}
    row_330 = next(r for r in raw_rows if r["ecg_id"] == "330")
    assert ast.literal_eval(row_330["scp_codes"]) == {"NORM": 50.0, "AFIB": 0.0}
    assert row_330["report"].startswith("atrial fibrillation. otherwise no definite pathology")


def test_outcome_sentinels():
    """Lesson 03 Part 3 (review 2, F13): Outcomes-a.txt's own -1s, read with the csv module."""
    with open(DATA / "challenge2012" / "Outcomes-a.txt", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    los = [float(r["Length_of_stay"]) for r in rows]
    assert (sum(v == -1 for v in los), sum(0 <= v < 2 for v in los)) == (60, 1)
    minus1 = [r for r in rows if float(r["Survival"]) == -1]
    assert len(minus1) == 2526 and all(r["In-hospital_death"] == "0" for r in minus1)
    # review 3, F9: survivors of the hospital with a survival time beyond their stay died after discharge
    after = [r for r in rows if r["In-hospital_death"] == "0" and float(r["Survival"]) > float(r["Length_of_stay"])]
    assert len(after) == 919


def _norm_and_reports(raw_rows):
    with open(DATA / "ptbxl" / "scp_statements.csv", newline="", encoding="utf-8") as f:
        scp = {r[""]: r for r in csv.DictReader(f)}
    diag = {c: r["diagnostic_class"] for c, r in scp.items() if r["diagnostic"] in ("1", "1.0")}
    return diag, {int(r["ecg_id"]): (ast.literal_eval(r["scp_codes"]), r["report"].lower()) for r in raw_rows}


def test_norm_beside_other_superclasses_and_abnormal_reports(raw_rows):
    """NORM is a statement someone assigned: it sits beside other superclasses and against reports naming an
    abnormality (review 3, F1). Recomputed with the csv module."""
    diag, ecgs = _norm_and_reports(raw_rows)
    norm = {i: (c, t) for i, (c, t) in ecgs.items() if "NORM" in c}
    assert len(norm) == 271
    other = sorted(i for i, (c, _) in norm.items() if {diag[k] for k in c if k in diag} - {"NORM"})
    assert other == [218, 235, 236, 291, 362, 420]
    words = re.compile(r"abnorm|infarkt|infarct|myokardschaden")
    abnormal_100 = sorted(i for i, (c, t) in norm.items() if words.search(t) and c["NORM"] == 100)
    assert abnormal_100 == [7, 62, 69, 72, 73, 105, 205, 245, 249]
    assert ecgs[195][0].keys() >= {"CRBBB"} and "IRBBB" in ecgs[362][0]
    assert "rechtsschenkelblock" in ecgs[195][1] and "unvollst" not in ecgs[195][1] + ecgs[362][1]
    # review 4, finding 9: the keyword rule also excludes "inkomplett"; on this slice the same two ECGs remain
    inc = re.compile(r"unvollst|inkomplet")
    assert sorted(i for i, (c, t) in ecgs.items() if "rechtsschenkelblock" in t and not inc.search(t)
                  and {"CRBBB", "IRBBB"} & c.keys()) == [195, 362]
    nb = json.loads((REPO / "notebooks" / "03-messy-metadata.ipynb").read_text())
    assert any('contains("unvollst|inkomplet")' in "".join(c["source"]) for c in nb["cells"])
    # the table of these rows: all of them when 60 or fewer (here 16: 6 with another superclass, 10 more by words);
    # on a larger copy the first 20, and the sentence says it shows 20 of how many, not that it "lists" them all
    flagged = {i for i in norm if i in other or words.search(norm[i][1])}
    assert len(flagged) == 16 <= 60
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert 'norm_rows if len(norm_rows) <= 60 else norm_rows.head(20)' in source
    assert 'f"shows the first {len(norm_shown):,} of the {len(norm_rows):,} by `ecg_id`' in source


def test_reports_name_findings_the_codes_leave_out(raw_rows):
    """Codes can omit what the report states: AF in 181 and 386, LAE after 'Verdacht auf' (review 3, F2)."""
    _, ecgs = _norm_and_reports(raw_rows)
    findings = {"AFIB": r"vorhofflimmern|förmaksflimmer|atrial fibrillation",
                "LAO/LAE": r"sinistrocard|sinistrokard|left atrial enlargement",
                "LNGQT": r"qt-verl|prolonged qt|qt prolongation|förlängd qt"}
    seen = {}
    for code, words in findings.items():
        named = {i for i, (_, t) in ecgs.items() if re.search(words, t)}
        coded = {i for i in named if code in ecgs[i][0]}
        seen[code] = (len(named), len(coded), sorted(named - coded))
    assert seen["AFIB"] == (12, 10, [181, 386])
    assert seen["LAO/LAE"][:2] == (15, 3) and seen["LNGQT"][:2] == (11, 2)
    verdacht = sorted(i for i, (_, t) in ecgs.items() if "verdacht auf" in t)
    assert verdacht == [26, 28, 98] and all(i in seen["LAO/LAE"][2] for i in verdacht)


def test_data_card_states_form_and_rhythm_likelihoods(raw_rows):
    """data/ptbxl/DATACARD.md agrees with lesson 03: form and rhythm statements carry 0 or 100, the 100s against the
    paper's rule that sets them to zero (review 3, F3; review 5, F03-1)."""
    with open(DATA / "ptbxl" / "scp_statements.csv", newline="", encoding="utf-8") as f:
        diagnostic = {r[""] for r in csv.DictReader(f) if r["diagnostic"] in ("1", "1.0")}
    other = Counter()
    zeros = other_zeros = 0
    for r in raw_rows:
        for code, lik in ast.literal_eval(r["scp_codes"]).items():
            zeros += lik == 0
            other_zeros += lik == 0 and code not in diagnostic
            if code not in diagnostic and lik == 100:
                other[code] += 1
    listed = ", ".join(f"`{c}` {n}" for c, n in other.most_common())
    card = " ".join((DATA / "ptbxl" / "DATACARD.md").read_text().split())
    assert (f"of the {zeros} zeros here, {other_zeros} belong to statements that are only rhythm or form statements, "
            f"and {sum(other.values())} such statements carry 100 ({listed}; lesson 03)") in card
    assert "The data break that rule" in card and "no documented rule" not in card


def test_survival_is_0_or_1_where_the_page_says_never():
    """Lesson 03 (review 5, F03-2): the Challenge page says Length of stay and Survival 'never have the values 0 or 1';
    in set A, 1 stay has Length_of_stay under 2 and 29 stays have Survival 0 or 1, 26 of them in-hospital deaths."""
    import csv

    with open(DATA / "challenge2012" / "Outcomes-a.txt", newline="") as f:
        rows = list(csv.DictReader(f))
    short = [r for r in rows if 0 <= int(r["Length_of_stay"]) < 2]
    early = [r for r in rows if int(r["Survival"]) in (0, 1)]
    assert (len(short), len(early), sum(r["In-hospital_death"] == "1" for r in early)) == (1, 29, 26)
    # review 18 (0003-1): the data card states the page's 48 hours as documentation and the data's exceptions,
    # computed here from the outcomes file, not as a property of every stay
    card = " ".join((DATA / "challenge2012" / "DATACARD.md").read_text().split())
    los_one = sum(int(r["Length_of_stay"]) == 1 for r in rows)
    died = sum(r["In-hospital_death"] == "1" for r in early)
    assert (f"`Survival` is 0 or 1 in {len(early)} stays ({died} of them in-hospital deaths) and `Length_of_stay` is "
            f"1 in {los_one} stay") in card
    assert "absent by design" not in card and '"never have the values 0 or 1"' in card
    los_minus1 = sum(int(r["Length_of_stay"]) == -1 for r in rows)
    assert f"(and -1, not recorded, in {los_minus1}; lesson 03)" in card


def _last_charted_hours():
    """The last Time of every stay, in hours after ICU admission, read from the raw archive with tarfile."""
    last = {}
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        for m in tar:
            if m.isfile() and m.name.endswith(".txt"):
                lines = tar.extractfile(m).read().decode().splitlines()[1:]
                times = [ln.split(",")[0] for ln in lines]
                last[int(m.name.rsplit("/", 1)[-1][:-4])] = max(int(t[:2]) * 60 + int(t[3:5]) for t in times) / 60
    return last


def test_early_survival_is_not_early_death_and_the_outcome_columns_disagree():
    """Review 19 (0003): the 26 deaths with Survival 0 or 1 were charted as late as the other deaths (34.7-47.8 h),
    so they are not deaths within a day; Survival and Length_of_stay, which the page defines to end at the same
    death, are equal for only 13 of 554 in-hospital deaths. Recomputed from Outcomes-a.txt and the raw archive;
    the lesson's code and the data card must say so."""
    with open(DATA / "challenge2012" / "Outcomes-a.txt", newline="") as f:
        rows = list(csv.DictReader(f))
    last = _last_charted_hours()
    died = [r for r in rows if r["In-hospital_death"] == "1"]
    early = [r for r in died if int(r["Survival"]) in (0, 1)]
    other = [r for r in died if int(r["Survival"]) not in (0, 1)]
    early_h = sorted(last[int(r["RecordID"])] for r in early)
    other_h = [last[int(r["RecordID"])] for r in other]
    assert (len(early), f"{early_h[0]:.1f}", f"{early_h[-1]:.1f}", sum(h >= 46 for h in early_h)) == (26, "34.7",
                                                                                                      "47.8", 21)
    assert (f"{np.median(early_h):.1f}", f"{np.median(other_h):.1f}") == ("46.9", "47.0")
    gap = [int(r["Length_of_stay"]) - int(r["Survival"]) for r in died]
    counts = (len(died), sum(g == 0 for g in gap), sum(g == 1 for g in gap), sum(g > 1 for g in gap), max(gap),
              sum(g >= 7 for g in gap), sum(g < 0 for g in gap))
    assert counts == (554, 13, 357, 184, 105, 47, 0)
    assert sum(int(r["Length_of_stay"]) - int(r["Survival"]) == 1 for r in early) == 19
    alive = [r for r in rows if r["In-hospital_death"] == "0" and int(r["Survival"]) in (0, 1)]
    alive_h = sorted(f"{last[int(r['RecordID'])]:.1f}" for r in alive)
    los_one_h = [f"{last[int(r['RecordID'])]:.1f}" for r in rows if int(r["Length_of_stay"]) == 1]
    assert (alive_h, los_one_h) == (["25.9", "4.4", "6.0"], ["9.2"])
    card = " ".join((DATA / "challenge2012" / "DATACARD.md").read_text().split())
    assert (f"Of the {counts[0]} in-hospital deaths they are equal in {counts[1]}; `Length_of_stay` is one day longer "
            f"in {counts[2]} and more than a day longer in {counts[3]} (by up to {counts[4]} days; {counts[5]} by a "
            "week or more)") in card
    assert (f"their last charted values lie {early_h[0]:.1f} to {early_h[-1]:.1f} h after ICU admission "
            f"({sum(h >= 46 for h in early_h)} of them in the last two hours of the 48;") in card
    # review 20 (0003): charting stops at 48 h for every stay, so it cannot show these patients outlived hour 48
    assert "Whether they died before or after hour 48 the files cannot tell: every record stops at 48 h." in card
    assert "not early deaths" not in card
    assert "deaths within two days are in the label" not in card
    nb = json.loads((REPO / "notebooks" / "03-messy-metadata.ipynb").read_text())
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert 'gap = died["Length_of_stay"] - died["Survival"]' in source
    assert 'last_h = stays.groupby("RecordID")["Time"].max() / 60' in source
    assert "**The two outcome columns disagree about the same deaths.**" in source
    assert "deaths within two days of \"\n    \"admission, in a set said to hold none, and the" not in source
