"""Every fact lesson 09 (data protection) states, recomputed through the package and pinned on the shipped data.

Cross-checks: the ages above 89 and the report dates are also read from the CSV with the csv module; k and uniqueness
are also recomputed with a plain Counter, independently of heartdata.privacy.
"""

from __future__ import annotations

import ast
import csv
import re
from collections import Counter
from functools import cache

import numpy as np
import opendp.prelude as dp
import pandas as pd
import pytest
from conftest import DATA
from scipy.stats import binomtest
from sklearn.linear_model import LogisticRegression

from heartdata import challenge2012, privacy, ptbxl

dp.enable_features("contrib")
PTBXL_QI = ["sex", "age", "site", "weight", "height", "day"]
ICU_QI = ["Gender", "Age", "ICUType", "Weight", "Height"]
BANDS = {"<40": ["0-9", "10-19", "20-29", "30-39"], "40-59": ["40-49", "50-59"], "60+": ["60-69", "70-79", "80+"]}


@cache
def meta() -> pd.DataFrame:
    m = ptbxl.load_metadata()
    scp = ptbxl.load_scp_statements()
    cls = scp.loc[scp["diagnostic"].eq(1), "diagnostic_class"]
    codes = m["scp_codes"].map(ast.literal_eval)

    def main(c):
        d = {k: v for k, v in c.items() if k in cls.index}
        return cls[max(d, key=d.get)] if d else np.nan

    m["superclass"] = codes.map(main)
    m["normal"] = codes.map(lambda c: "NORM" in c)
    m["day"] = pd.to_datetime(m["recording_date"]).dt.normalize()
    return m


@cache
def people() -> pd.DataFrame:
    return meta().sort_values("recording_date").drop_duplicates("patient_id")


@cache
def icu() -> pd.DataFrame:
    stays = challenge2012.load_stays("a")
    first = stays[stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)]
    t = first.pivot_table(index="RecordID", columns="Parameter", values="Value", aggfunc="first")
    t = t.join(challenge2012.load_outcomes("a"))
    t[["Gender", "Height", "Weight"]] = t[["Gender", "Height", "Weight"]].replace(-1, np.nan)
    return t


def plain_k_and_uniqueness(table, columns):
    keys = [tuple("NA" if pd.isna(v) else v for v in row) for row in table[columns].itertuples(index=False)]
    counts = Counter(keys)
    return min(counts.values()), sum(counts[k] == 1 for k in keys) / len(keys)


def test_protection_as_the_data_shows_it():
    ages = meta()["age"]
    assert int(ages.ge(300).sum()) == 0
    assert ages[ages.gt(89)].value_counts().sort_index().to_dict() == {90.0: 1, 91.0: 2}
    with open(DATA / "ptbxl" / "ptbxl_database.csv", newline="") as f:
        raw = [float(r["age"]) for r in csv.DictReader(f) if r["age"]]
    assert sorted(a for a in raw if a > 89) == [90.0, 91.0, 91.0]
    assert int(ages.eq(90).sum()) == 1 and int(ages.eq(90).sum() + ages.eq(91).sum()) == 3  # 90 occurs once
    weekdays = pd.to_datetime(meta()["recording_date"]).dt.day_name().value_counts()
    assert weekdays.nsmallest(2).to_dict() == {"Tuesday": 4, "Monday": 23}
    assert (weekdays["Saturday"], weekdays["Sunday"]) == (100, 64)
    assert (meta()["patient_id"].nunique(), meta()["nurse"].nunique(), meta()["site"].nunique()) == (419, 12, 4)
    assert all(pd.api.types.is_numeric_dtype(meta()[c]) for c in ["patient_id", "nurse", "site", "validated_by"])


def test_people_and_superclasses():
    p = people()
    assert len(meta()) == 450 and len(p) == 419
    assert p["superclass"].fillna("none").value_counts().to_dict() == {
        "NORM": 258, "STTC": 53, "CD": 47, "MI": 36, "HYP": 19, "none": 6,
    }  # fmt: skip


def test_risk_grows_with_quasi_identifiers():
    p = privacy.risk_by_number(people(), PTBXL_QI, sensitive="superclass")
    assert p["k"].tolist() == [203, 1, 1, 1, 1, 1]
    assert p["l"].tolist() == [6, 1, 1, 1, 1, 1]
    assert p["uniqueness"].round(4).tolist() == [0.0, 0.0668, 0.2649, 0.8854, 0.8902, 0.9952]
    assert int(round(p["uniqueness"].iloc[3] * 419)) == 371
    assert int(p["uniqueness"].ge(0.5).to_numpy().argmax()) + 1 == 4  # the title's "4 ordinary columns"
    c = privacy.risk_by_number(icu(), ICU_QI, sensitive="In-hospital_death")
    assert len(icu()) == 4000
    assert c["k"].tolist() == [3, 1, 1, 1, 1]
    assert c["uniqueness"].round(5).tolist() == [0.0, 0.00075, 0.013, 0.91675, 0.947]
    for i in range(1, len(PTBXL_QI) + 1):  # an independent count agrees with the package
        k, u = plain_k_and_uniqueness(people(), PTBXL_QI[:i])
        assert (k, u) == (p["k"].iloc[i - 1], pytest.approx(p["uniqueness"].iloc[i - 1]))
    for i in range(1, len(ICU_QI) + 1):
        k, u = plain_k_and_uniqueness(icu(), ICU_QI[:i])
        assert (k, u) == (c["k"].iloc[i - 1], pytest.approx(c["uniqueness"].iloc[i - 1]))


def test_l_diversity_of_coarse_groups():
    coarse = people().assign(age=privacy.bands(people()["age"], 10, top=80))
    assert privacy.k_anonymity(coarse, ["sex", "age"]) == 3
    assert privacy.l_diversity(coarse, ["sex", "age"], "superclass") == 2
    g = coarse.groupby(["sex", "age"], dropna=False)["superclass"]
    share = g.agg(lambda s: s.value_counts(dropna=False, normalize=True).iloc[0])
    size = g.size()
    top = share[size.ge(10)].idxmax()
    assert top == (1, "30-39") and size[top] == 14 and round(share[top], 2) == 0.93
    assert g.agg(lambda s: s.value_counts(dropna=False).index[0])[top] == "NORM"


def test_linkage_attack():
    register, truth = privacy.synthetic_register(people(), ["sex", "age", "weight"], 1000, 0.2, seed=9)
    assert register["name"].iloc[0] == "Synthetic person 0001" and int(truth.notna().sum()) == 200
    joined = register.reset_index(names="entry").merge(people().reset_index(), on=["sex", "age", "weight"])
    one = joined.groupby("entry")["ecg_id"].transform("size").eq(1)
    other = joined.groupby("ecg_id")["entry"].transform("size").eq(1)
    pinned = joined[one & other]
    right = int(truth.reindex(pinned["entry"]).eq(pinned["ecg_id"].to_numpy()).sum())
    assert (len(joined), len(pinned), right) == (393, 168, 134)


@cache
def released():
    p = people()
    r = p.assign(age=privacy.bands(p["age"], 10, top=80), year=privacy.year_only(p["day"]))
    return r, privacy.suppress(r, ["sex", "age", "year"], k=5)


def test_generalisation_ladder():
    p = people()
    r, kept = released()
    by_year = p.assign(day=privacy.year_only(p["day"]))
    steps = [
        (p, PTBXL_QI, 1, 0.9952),
        (by_year, PTBXL_QI, 1, 0.9260),
        (r, ["sex", "age", "site", "weight", "height", "year"], 1, 0.7709),
        (r, ["sex", "age", "site", "year"], 1, 0.0525),
        (r, ["sex", "age", "year"], 1, 0.0239),
        (kept, ["sex", "age", "year"], 5, 0.0),
    ]
    for table, qi, k, u in steps:
        assert privacy.k_anonymity(table, qi) == k
        assert round(privacy.uniqueness(table, qi), 4) == u
    lost = r.loc[~r.index.isin(kept.index)]
    assert (len(lost), len(kept)) == (41, 378)
    assert (p.loc[lost.index, "age"].median(), p.loc[kept.index, "age"].median()) == (39.0, 50.0)
    rare = r["year"].value_counts().nsmallest(2).index.sort_values().tolist()
    assert rare == [1984, 1987] and int(lost["year"].isin(rare).sum()) == 31
    assert int(r["year"].isin(rare).sum()) == 70


def wilson_width(k, n):
    ci = binomtest(int(k), int(n)).proportion_ci(method="wilson")
    return ci.high - ci.low


def test_what_protection_costs_lesson_05():
    p = people()
    _, kept = released()
    to_band = {b: name for name, members in BANDS.items() for b in members}
    before_band = pd.cut(p["age"], [0, 40, 60, 200], right=False, labels=list(BANDS)).astype(str)
    sex = {0: "male", 1: "female"}
    before = p.groupby([before_band, p["sex"].map(sex)])["normal"].agg(["sum", "size"])
    after = kept.groupby([kept["age"].map(to_band), kept["sex"].map(sex)])["normal"].agg(["sum", "size"])
    assert before.loc[("60+", "male")].tolist() == [17, 63] and after.loc[("60+", "male")].tolist() == [15, 54]
    assert before["size"].sum() == 416 and after["size"].sum() == 378  # 3 patients have no age
    growth = {
        key: wilson_width(*after.loc[key]) - wilson_width(*before.loc[key]) for key in before.index if key[0] != "nan"
    }
    widest = max(growth, key=growth.get)
    assert widest == ("60+", "male")
    assert (round(wilson_width(17, 63), 2), round(wilson_width(15, 54), 2)) == (0.21, 0.23)
    young = kept.groupby(kept["age"].map(to_band))["normal"].agg(["sum", "size"])
    assert young.loc["<40"].tolist() == [103, 124] and young.loc["60+"].tolist() == [39, 126]
    under_40 = p[p["age"].lt(40)].groupby("site")["normal"].agg(["sum", "size"])
    assert under_40["size"].nlargest(2).index.tolist() == [0.0, 1.0]
    assert under_40.loc[0.0].tolist() == [110, 128] and under_40.loc[1.0].tolist() == [6, 8]


def test_what_protection_costs_lesson_05_on_challenge_2012():
    t = icu()
    qi = ["Gender", "Age", "ICUType", "Weight"]
    r = t.assign(Age=privacy.bands(t["Age"], 5, top=80), Weight=privacy.bands(t["Weight"], 20, top=140))
    assert privacy.k_anonymity(r, qi) == 1 and round(privacy.uniqueness(r, qi), 3) == 0.032
    kept = privacy.suppress(r, qi, k=5)
    lost = t.loc[~t.index.isin(kept.index)]
    assert len(lost) == 659 and privacy.k_anonymity(kept, qi) >= 5
    assert (lost["Age"].median(), t.loc[kept.index, "Age"].median()) == (50.0, 69.0)
    assert (round(lost["Weight"].isna().mean(), 2), round(t.loc[kept.index, "Weight"].isna().mean(), 2)) == (0.19, 0.06)
    died = t["In-hospital_death"]
    assert (int(died[lost.index].sum()), len(lost)) == (66, 659)
    assert (int(died[kept.index].sum()), len(kept)) == (488, 3341) and int(died.sum()) == 554
    band = pd.cut(t["Age"], [0, 50, 65, 80, np.inf], right=False, labels=["<50", "50-64", "65-79", "80+"])
    before = died.groupby(band, observed=True).agg(["sum", "size"])
    after = died[kept.index].groupby(band[kept.index], observed=True).agg(["sum", "size"])
    assert before.loc["<50"].tolist() == [72, 836] and after.loc["<50"].tolist() == [49, 513]
    assert round(513 / 836, 2) == 0.61
    moved = (after["sum"] / after["size"] - before["sum"] / before["size"]).abs().max()
    assert round(100 * moved, 1) == 0.9


def test_free_text_leaks():
    m = meta()
    hits = privacy.find_in_text(m["report"])
    assert hits["kind"].value_counts().to_dict() == {"date yymmdd": 2, "date d:m:yy": 2, "sex and age": 2}
    assert not hits["kind"].eq("place or staff").any()
    assert hits.loc[hits["kind"].eq("date yymmdd"), "match"].tolist() == ["910218", "910220"]
    later = {135: 1823, 157: 1813, 320: 1824, 347: 1823}  # days from recording_date to the date written in the text
    written = {135: "1991-02-18", 157: "1991-02-20", 320: "1991-09-12", 347: "1991-09-23"}
    for i, d in written.items():
        assert (pd.Timestamp(d) - pd.Timestamp(m.loc[i, "recording_date"]).normalize()).days == later[i]
    with open(DATA / "ptbxl" / "ptbxl_database.csv", newline="") as f:
        rows = {int(r["ecg_id"]): r["report"] for r in csv.DictReader(f)}
    assert "910218" in rows[135] and "23:9:91" in rows[347] and "12:9:91" in rows[320]
    notes = hits[hits["kind"].eq("sex and age")]
    assert dict(zip(notes["index"], notes["match"], strict=True)) == {87: "(m,19)", 164: "(f,26)"}
    assert (m.loc[87, "sex"], m.loc[87, "age"], m.loc[164, "sex"], m.loc[164, "age"]) == (0, 19, 1, 26)
    devices = [d.strip().lower() for d in m["device"].dropna().unique()]
    assert not m["report"].str.lower().map(lambda t: any(d in t for d in devices)).any()


MARKERS = {  # lesson 03's rule
    "German": r"\b(sinusrhythmus|sinusbradykardie|sinustachykardie|linkstyp|rechtstyp|lagetyp|normales|unspezifisches|"
    r"extrasystole|arrhythmie|schenkelblock|vorhof\w*|überleitung|verdacht)\b",
    "Swedish": r"\b(sinusrytm|sinusbradykardi|sinustachykardi|vänster|normalt|förändring|såsom|förmaksflimmer|"
    r"avvikande|eljest)\b",
    "English": r"\b(rhythm|normal ecg|trace only|atrial|fibrillation|otherwise|the|are|with)\b",
}


def language(text):
    hits = {lang: len(re.findall(p, text.lower())) for lang, p in MARKERS.items()}
    best = max(hits, key=hits.get)
    return best if hits[best] > 0 else "no marker"


def test_what_redaction_costs_lesson_03():
    reports = meta()["report"]
    redacted, no_digits = privacy.redact(reports), reports.str.replace(r"\d", "", regex=True)
    assert int(redacted.ne(reports).sum()) == 6 and int(no_digits.ne(reports).sum()) == 60
    base = reports.map(language)
    assert int(redacted.map(language).eq(base).sum()) == 450 and int(no_digits.map(language).eq(base).sum()) == 450
    assert int(reports.str.contains(r"\b\d:\d\b").sum()) == 3
    assert int(reports.str.contains(r"hf[:\s]+\d").sum()) == 2
    assert int(reports.str.contains(r"\d\s*(?:mg|amp)\b|\b\d+x\d").sum()) == 6
    assert (int(reports.str.contains("cardioversion").sum()), int(reports.str.contains("ergo").sum())) == (1, 1)


def test_differential_privacy_errors():
    counts = people().groupby("site")["normal"].sum().astype(int)
    assert counts.tolist() == [185, 57, 8, 11]
    epsilons = np.geomspace(0.05, 5, 13)
    err = [dp.discrete_laplacian_scale_to_accuracy(1 / e, alpha=0.05) for e in epsilons]
    assert (round(err[0]), round(err[-1])) == (60, 1)
    first_below = epsilons[np.argmax(np.array(err) <= counts.min())]
    assert f"{first_below:.2g}" == "0.5"
    assert err[0] > counts.min()  # the title: at small ε the noise outgrows a small site's count
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.symmetric_distance()
    m = space >> dp.t.then_count() >> dp.m.then_laplace(scale=10.0)
    assert m.map(1) == pytest.approx(0.1)


def test_federated_analysis():
    m = meta()
    agg = m.groupby("site")["normal"].agg(["sum", "size"])
    assert (agg["sum"].sum(), agg["size"].sum()) == (271, 450)
    assert round(agg["sum"].sum() / agg["size"].sum(), 3) == round(m["normal"].mean(), 3) == 0.602
    assert round((agg["sum"] / agg["size"]).mean(), 3) == 0.489
    rows = m.dropna(subset=["age"])
    mean_age = rows.groupby("site")["age"].sum().sum() / len(rows)

    def features(t):
        return np.column_stack([(t["age"] - mean_age) / 10, t["sex"].eq(1)])

    parts = [(features(g), g["normal"].to_numpy()) for _, g in rows.groupby("site")]
    pooled = LogisticRegression(C=np.inf).fit(features(rows), rows["normal"])
    coef = np.r_[pooled.intercept_, pooled.coef_[0]]
    gaps = [np.abs(privacy.federated_logistic(parts, rounds=300, local_steps=s)[0] - coef).max() for s in (1, 5, 20)]
    assert [round(g, 3) for g in gaps] == [0.001, 0.020, 0.040]
    assert round(np.exp(coef[1]), 2) == 0.53
