"""Every fact lesson 01 states, recomputed through the package and pinned.

Values were computed on the shipped data and checked in the notebook's prose; where cheap, they are
cross-checked against an independent read of the raw files (csv module, tarfile).
"""

from __future__ import annotations

import csv
import io
import tarfile
from collections import Counter, defaultdict

import pandas as pd
import pytest
from conftest import DATA

from heartdata import challenge2012, mitdb, ptbxl, sources


@pytest.fixture(scope="module")
def meta():
    m = ptbxl.load_metadata()
    m["year"] = pd.to_datetime(m["recording_date"]).dt.year
    m["language"] = m["report"].map(sources.report_language)
    return m


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays()


@pytest.fixture(scope="module")
def meas(stays):
    return sources.measurements(stays)


@pytest.fixture(scope="module")
def raw_stays():
    """{RecordID: [(minutes, parameter, value), ...]} read straight from the archive."""
    out = {}
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        for m in tar:
            if not m.isfile() or not m.name.endswith(".txt"):
                continue
            rows = list(csv.reader(io.TextIOWrapper(tar.extractfile(m), encoding="ascii")))[1:]
            rid = int(m.name.rsplit("/", 1)[-1][:-4])
            out[rid] = [(int(t[:2]) * 60 + int(t[3:]), p, float(v)) for t, p, v in rows]
    return out


# --- PTB-XL ------------------------------------------------------------------------------------------


def test_column_sources_cover_every_column(meta):
    raw_columns = next(csv.reader(open(DATA / "ptbxl" / "ptbxl_database.csv", newline="")))
    assert set(sources.PTBXL_COLUMN_SOURCE) == set(raw_columns) - {"ecg_id"}
    assert [c for c, s in sources.PTBXL_COLUMN_SOURCE.items() if s == "machine"] == ["device", "recording_date"]


def test_ecg_261_columns(meta):
    row = meta.loc[261].drop(["year", "language"])
    assert len(sources.filled_columns(row)) == 18 and len(row) == 27
    assert sources.columns_by_source(row) == {
        "age", "sex", "height", "weight", "nurse", "report", "validated_by", "second_opinion"
    }  # fmt: skip
    assert sources.columns_by_source(row, "machine") == {"device", "recording_date"}


def test_site_by_year(meta):
    table = pd.crosstab(meta["site"], meta["year"])
    assert table.to_dict("index") == {
        0.0: {1984: 12, 1985: 98, 1986: 121, 1987: 21},
        1.0: {1984: 0, 1985: 0, 1986: 98, 1987: 35},
        2.0: {1984: 0, 1985: 0, 1986: 17, 1987: 0},
        3.0: {1984: 0, 1985: 0, 1986: 46, 1987: 2},
    }
    with open(DATA / "ptbxl" / "ptbxl_database.csv", newline="") as f:
        raw = Counter((r["site"], r["recording_date"][:4]) for r in csv.DictReader(f))
    assert raw[("0.0", "1984")] == 12 and raw[("1.0", "1986")] == 98 and raw[("3.0", "1987")] == 2


def test_site_profile(meta):
    g = meta.groupby("site")
    assert g.size().to_dict() == {0.0: 252, 1.0: 133, 2.0: 17, 3.0: 48}
    main = {s: (d["device"].value_counts().index[0], int(d["device"].value_counts().iloc[0])) for s, d in g}
    assert main == {0.0: ("CS-12   E", 244), 1.0: ("AT-6 C 5.5", 120), 2.0: ("CS-12", 17), 3.0: ("AT-6 C", 42)}
    assert g["nurse"].nunique().to_dict() == {0.0: 2, 1.0: 10, 2.0: 1, 3.0: 0}
    assert g["nurse"].apply(lambda s: s.isna().sum()).to_dict() == {0.0: 0, 1.0: 0, 2.0: 0, 3.0: 48}
    assert g["validated_by"].apply(lambda s: s.isna().sum()).to_dict() == {0.0: 241, 1.0: 0, 2.0: 0, 3.0: 37}
    assert meta["validated_by_human"].all()
    assert g["height"].count().to_dict() == {0.0: 3, 1.0: 125, 2.0: 0, 3.0: 6}
    assert g["weight"].count().to_dict() == {0.0: 228, 1.0: 124, 2.0: 0, 3.0: 6}
    with open(DATA / "ptbxl" / "ptbxl_database.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(1 for r in rows if r["site"] == "1.0" and r["height"]) == 125


def test_report_language(meta):
    lang = pd.crosstab(meta["site"], meta["language"])
    assert lang.loc[0.0, "German"] == 242 and lang.loc[0.0, "Swedish"] == 8
    assert lang.loc[1.0, "English"] == 130 and lang.loc[2.0, "German"] == 17 and lang.loc[3.0, "Swedish"] == 45
    assert sources.report_language("sinusrhythmus normales ekg") == "German"
    assert sources.report_language("sinus rhythm. normal ecg. Edit: Infarkt sicher") == "English"
    assert sources.report_language("sinusrytm normalt ekg") == "Swedish"
    assert sources.report_language("pacemaker ekg") == "unclear"


def test_heatmap_shares(meta):
    share = meta.groupby("site")["static_noise"].apply(
        lambda s: s.map(lambda v: isinstance(v, str) and bool(v.strip(" ,"))).mean()
    )
    assert round(share[0.0], 2) == 0.31
    assert meta.groupby("site")["heart_axis"].apply(lambda s: s.notna().mean()).round(2).to_dict()[2.0] == 0.88


def test_dates_and_weekdays(meta):
    dates = pd.to_datetime(meta["recording_date"])
    assert (dates.min().date().isoformat(), dates.max().date().isoformat()) == ("1984-11-09", "1987-02-21")
    assert dates.dt.day_name().value_counts().to_dict() == {
        "Saturday": 100, "Friday": 98, "Thursday": 88, "Wednesday": 73, "Sunday": 64, "Monday": 23, "Tuesday": 4
    }  # fmt: skip


# --- Challenge 2012 -----------------------------------------------------------------------------------


def test_every_parameter_has_one_source(meas):
    assert set(meas["Parameter"].unique()) == set(sources.CHALLENGE_SOURCE)
    assert set(sources.CHALLENGE_SOURCE.values()) == set(sources.SOURCE_ORDER)


def _same_minute(meas, a, b):
    ta = meas.loc[meas["Parameter"].eq(a), ["RecordID", "Time"]].drop_duplicates()
    tb = meas.loc[meas["Parameter"].eq(b), ["RecordID", "Time"]].drop_duplicates()
    return len(ta.merge(tb)) / len(ta)


def test_same_minute_shares(meas):
    pairs = [("K", "Na"), ("Glucose", "Na"), ("SaO2", "pH"), ("SaO2", "PaO2"), ("Lactate", "pH"), ("Lactate", "Na")]
    got = {f"{a}/{b}": round(_same_minute(meas, a, b), 3) for a, b in [*pairs, ("HR", "Na")]}
    assert got == {"K/Na": 0.865, "Glucose/Na": 0.956, "SaO2/pH": 0.833, "SaO2/PaO2": 0.804,
                   "Lactate/pH": 0.287, "Lactate/Na": 0.004, "HR/Na": 0.006}  # fmt: skip


def test_charting_rhythm(meas):
    tagged = sources.with_source(meas)
    times = tagged.drop_duplicates(["RecordID", "source", "Time"]).sort_values(["RecordID", "source", "Time"])
    gap = times.groupby(["RecordID", "source"])["Time"].diff().groupby(times["source"]).median()
    per_stay = times.groupby(["RecordID", "source"]).size()
    assert per_stay.groupby("source").size().to_dict() == {
        "arterial line": 2803, "blood gas": 3213, "lab draw": 3940, "bedside monitor": 3937,
        "nurse charting": 3937, "ventilator": 2801,
    }  # fmt: skip
    assert per_stay.groupby("source").median().to_dict() == {
        "arterial line": 52, "blood gas": 7, "lab draw": 5, "bedside monitor": 55, "nurse charting": 49,
        "ventilator": 14,
    }  # fmt: skip
    assert gap.to_dict() == {
        "arterial line": 60, "blood gas": 110, "lab draw": 331, "bedside monitor": 60, "nurse charting": 60,
        "ventilator": 120,
    }  # fmt: skip
    per_param = meas.groupby(["RecordID", "Parameter"]).size().groupby("Parameter").median()
    assert per_param[["Urine", "GCS", "Temp", "Na", "HCT"]].to_dict() == {
        "Urine": 37, "GCS": 12, "Temp": 13, "Na": 2, "HCT": 3
    }  # fmt: skip


def test_heart_rate_gaps(meas, raw_stays):
    gaps = (
        meas[meas["Parameter"].eq("HR")].sort_values(["RecordID", "Time"]).groupby("RecordID")["Time"].diff().dropna()
    )
    assert len(gaps) == 220665
    assert round(gaps.eq(60).mean(), 2) == 0.58 and round(gaps.le(15).mean(), 2) == 0.22
    raw = []
    for rows in raw_stays.values():
        t = sorted(m for m, p, _ in rows if p == "HR")
        raw += [b - a for a, b in zip(t, t[1:], strict=False)]
    assert len(raw) == 220665 and sum(g == 60 for g in raw) == int(gaps.eq(60).sum())


def test_weight_is_copied(meas):
    w = meas[meas["Parameter"].eq("Weight")].groupby("RecordID")["Value"].agg(["size", "nunique"])
    assert len(w) == 2716 and w["size"].median() == 47 and w["nunique"].median() == 1
    assert round(w["nunique"].eq(1).mean(), 2) == 0.68
    wt = meas.loc[meas["Parameter"].eq("Weight"), ["RecordID", "Time"]].drop_duplicates()
    hr = meas.loc[meas["Parameter"].eq("HR"), ["RecordID", "Time"]].drop_duplicates()
    assert (len(wt), len(wt.merge(hr))) == (122439, 122433)


def test_typical_stays(stays, meas, raw_stays):
    units = sources.icu_types(stays)
    n = meas.groupby("RecordID").size()
    assert (n[units.eq(1)].median(), n[units.eq(2)].median()) == (363, 478)
    assert [sources.typical_stay(stays, u) for u in (1, 2, 3, 4)] == [137116, 132836, 133146, 132819]
    desc = set(challenge2012.DESCRIPTORS)
    assert sum(1 for t, p, _ in raw_stays[137116] if not (t == 0 and p in desc)) == 363
    assert sum(1 for t, p, _ in raw_stays[132836] if not (t == 0 and p in desc)) == 478


def _times(meas, rid, parameter):
    t = meas.loc[meas["RecordID"].eq(rid) & meas["Parameter"].eq(parameter), "Time"] / 60
    return round(t.min(), 1), round(t.max(), 1), len(t)


def test_the_two_stays(meas):
    assert _times(meas, 137116, "NISysABP") == (0.9, 9.9, 28)
    assert _times(meas, 137116, "SysABP") == (11.9, 45.9, 34)
    one = sources.with_source(meas[meas["RecordID"].eq(137116)])
    assert one.groupby("source")["Time"].nunique()[["lab draw", "blood gas"]].to_dict() == {
        "lab draw": 3,
        "blood gas": 2,
    }
    assert _times(meas, 132836, "SysABP")[:2] == (1.5, 29.5)
    assert _times(meas, 132836, "NISysABP")[0] == 13.5
    assert _times(meas, 132836, "pH")[2] == 16 and _times(meas, 132836, "MechVent") == (1.5, 37.5, 8)
    rows = meas[meas["RecordID"].eq(132836)]
    early = rows["Time"].le(720)
    assert (rows["Parameter"].eq("pH") & early).sum() == 11 and (rows["Parameter"].eq("MechVent") & early).sum() == 7


def test_arterial_lines_by_unit(stays, meas, raw_stays):
    units = sources.icu_types(stays)
    line = meas[meas["Parameter"].isin(["SysABP", "DiasABP", "MAP"])].groupby("RecordID").size().gt(0)
    line = line.reindex(units.index, fill_value=False)
    got = {u: (int(line[units.eq(u)].sum()), int(units.eq(u).sum())) for u in (1, 2, 3, 4)}
    assert got == {1: (388, 577), 2: (836, 874), 3: (716, 1481), 4: (863, 1068)}
    raw = defaultdict(lambda: [0, 0])
    for rows in raw_stays.values():
        unit = next(int(v) for t, p, v in rows if p == "ICUType" and t == 0)
        raw[unit][1] += 1
        raw[unit][0] += any(p in ("SysABP", "DiasABP", "MAP") for _, p, _ in rows)
    assert {u: tuple(v) for u, v in raw.items()} == got


# --- MIT-BIH ------------------------------------------------------------------------------------------


def test_premature_beats():
    ann = mitdb.load_annotations()
    beats = ann[ann["symbol"].isin(mitdb.BEAT_SYMBOLS)].copy()
    beats["rr_s"] = beats["time_s"].diff()
    rr = beats.groupby("symbol")["rr_s"].median()
    assert len(beats) == 2273 and len(ann) - len(beats) == 1
    assert (round(rr["N"], 2), round(rr["A"], 2)) == (0.80, 0.60)
    after = beats.loc[beats["symbol"].shift().eq("A") & beats["symbol"].eq("N"), "rr_s"].median()
    assert round(after, 2) == 0.96


# --- the reference rules of heartdata.sources ----------------------------------------------------------


def test_filled_columns_treats_padding_as_empty():
    row = pd.Series({"a": " , ", "b": " , I-V1,  ", "c": float("nan"), "d": False, "e": 0.0})
    assert sources.filled_columns(row) == {"b", "d", "e"}


def test_typical_stay_rule_and_ties():
    rows = [(rid, 0, "ICUType", 1.0) for rid in (5, 6, 7, 8)]
    rows += [(5, 10, "HR", 1.0)] + [(6, 10, "HR", 1.0)] * 3 + [(7, 10, "HR", 1.0)] * 3 + [(8, 10, "HR", 1.0)] * 9
    toy = pd.DataFrame(rows, columns=["RecordID", "Time", "Parameter", "Value"])
    assert sources.typical_stay(toy, 1) == 6  # median 3 rows: stays 6 and 7 tie, the smaller id wins
    with pytest.raises(ValueError, match="ICUType 2"):
        sources.typical_stay(toy, 2)
    tagged = sources.with_source(toy)
    assert set(tagged.loc[tagged["Time"].eq(0), "source"]) == {sources.ADMISSION}
    assert set(tagged.loc[tagged["Time"].gt(0), "source"]) == {"bedside monitor"}


def test_edits_are_the_second_opinions(meta):
    edited = meta["report"].str.contains("Edit:", regex=False)
    assert edited.sum() == meta["second_opinion"].sum() == (edited & meta["second_opinion"]).sum() == 10
    assert meta.loc[edited, "report"].iloc[0].endswith("Edit: INJIN, IRBBB, (m,19) , (IRBBB, NDT)")


def test_weekday_chart(meta):
    """Lesson 01's weekday bar chart: the quiet days of the stored dates are Tuesday and Monday."""
    days = pd.to_datetime(meta["recording_date"]).dt.day_name().value_counts()
    assert days.to_dict() == {
        "Saturday": 100, "Friday": 98, "Thursday": 88, "Wednesday": 73, "Sunday": 64, "Monday": 23, "Tuesday": 4,
    }  # fmt: skip
    assert list(days.nsmallest(2).index) == ["Tuesday", "Monday"]


def test_fio2_is_not_mechanical_ventilation(meas, raw_stays):
    """Lesson 01: 272 stays chart an FiO2 but no MechVent row; 84 the reverse."""
    has = {p: set(meas.loc[meas["Parameter"].eq(p), "RecordID"]) for p in ("FiO2", "MechVent")}
    raw = {p: {r for r, rows in raw_stays.items() if any(q == p for _, q, _ in rows)} for p in has}
    assert has == raw
    assert (len(has["FiO2"]), len(has["MechVent"]), len(has["FiO2"] | has["MechVent"])) == (2717, 2529, 2801)
    assert (len(has["FiO2"] - has["MechVent"]), len(has["MechVent"] - has["FiO2"])) == (272, 84)


def test_heart_rate_gap_histogram(meas):
    hr = meas[meas["Parameter"].eq("HR")].sort_values(["RecordID", "Time"])
    gaps = hr.groupby("RecordID")["Time"].diff().dropna()
    assert len(gaps) == 220_665
    assert round(gaps.eq(60).mean(), 2) == 0.58 and round(gaps.le(15).mean(), 2) == 0.22


def test_site_device_years_and_validators_go_together(meta):
    """Lesson 01 (and 02): each site has its own main device label and stored years; noise notes differ by site."""
    main = meta.groupby("site")["device"].agg(lambda d: d.value_counts().index[0])
    assert main.to_dict() == {0: "CS-12   E", 1: "AT-6 C 5.5", 2: "CS-12", 3: "AT-6 C"}
    years = meta.groupby("site")["year"].agg(["min", "max"])
    assert years.to_dict("index") == {
        0: {"min": 1984, "max": 1987}, 1: {"min": 1986, "max": 1987},
        2: {"min": 1986, "max": 1986}, 3: {"min": 1986, "max": 1987},
    }  # fmt: skip
    validators = meta.groupby("site")["validated_by"].agg(lambda v: sorted(v.dropna().astype(int).unique()))
    assert validators.to_dict() == {0: [1], 1: [0, 6, 7], 2: [1], 3: [5, 10]}
    noted = meta[["baseline_drift", "static_noise", "burst_noise"]].map(
        lambda v: bool(v.strip(" ,")) if isinstance(v, str) else pd.notna(v)
    )
    shares = noted.any(axis=1).groupby(meta["site"]).mean().round(2)
    assert shares.to_dict() == {0: 0.46, 1: 0.08, 2: 0.06, 3: 0.25}


def test_exercise_ecg_and_stay_show_the_mistakes_the_prompts_warn_about(stays, meta):
    """The practice notebook's inputs: ECG 443's report is a single space; stay 133789 charts a GCS at 00:00."""
    from heartdata.checks import lesson01

    assert meta.loc[lesson01.EXERCISE_ECG_ID, "report"] == " "
    rid = lesson01.exercise_stay()
    one = sources.measurements(stays[stays["RecordID"].eq(rid)])
    assert rid == 133789 and one.loc[one["Time"].eq(0), "Parameter"].tolist() == ["GCS"]
