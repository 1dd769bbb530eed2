"""heartdata.privacy: k-anonymity, uniqueness, l-diversity, generalisation, text patterns, federated averaging."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from heartdata import DataError, privacy


@pytest.fixture
def table():
    # groups on (sex, age): (0, 50) x3, (1, 50) x2, (1, NaN) x2, (0, 70) x1
    return pd.DataFrame(
        {
            "sex": [0, 0, 0, 1, 1, 1, 1, 0],
            "age": [50, 50, 50, 50, 50, np.nan, np.nan, 70],
            "dx": ["MI", "MI", "NORM", "NORM", "NORM", "CD", None, "HYP"],
        }
    )


def test_group_sizes_count_missing_as_a_value(table):
    sizes = privacy.group_sizes(table, ["sex", "age"])
    assert sizes.tolist() == [3, 3, 3, 2, 2, 2, 2, 1]
    assert sizes.index.equals(table.index)


def test_k_anonymity_and_uniqueness(table):
    assert privacy.k_anonymity(table, ["sex", "age"]) == 1
    assert privacy.uniqueness(table, ["sex", "age"]) == pytest.approx(1 / 8)
    assert privacy.k_anonymity(table, ["sex"]) == 4
    assert privacy.uniqueness(table, ["sex"]) == 0.0
    without_70 = table.iloc[:7]
    assert privacy.k_anonymity(without_70, ["sex", "age"]) == 2
    assert privacy.uniqueness(without_70, ["sex", "age"]) == 0.0


def test_missing_values_form_one_group_not_many():
    t = pd.DataFrame({"age": [np.nan, np.nan, None, 40.0, 40.0]})
    assert privacy.k_anonymity(t, ["age"]) == 2
    assert privacy.group_sizes(t, ["age"]).tolist() == [3, 3, 3, 2, 2]
    # the missing group would vanish if NaN were dropped: it must not
    assert privacy.uniqueness(t, ["age"]) == 0.0


def test_nat_and_text_missing():
    t = pd.DataFrame({"d": pd.to_datetime(["2020-01-01", None, None]), "s": ["a", None, None]})
    assert privacy.k_anonymity(t, ["d", "s"]) == 1
    assert privacy.group_sizes(t, ["d", "s"]).tolist() == [1, 2, 2]


def test_l_diversity(table):
    # groups: (0,50) MI, MI, NORM -> 2; (1,50) NORM, NORM -> 1; (1,NaN) CD, None -> 2; (0,70) HYP -> 1
    assert privacy.l_diversity(table, ["sex", "age"], "dx") == 1
    assert privacy.l_diversity(table, ["sex"], "dx") == 3  # sex 0: MI, NORM, HYP; sex 1: NORM, CD, missing
    two = pd.DataFrame({"g": [1, 1, 2, 2], "dx": [None, "MI", None, None]})
    assert privacy.l_diversity(two, ["g"], "dx") == 1  # group 2 is all missing: one value
    assert privacy.l_diversity(two.iloc[:2], ["g"], "dx") == 2  # a missing diagnosis counts as a value


def test_risk_by_number(table):
    risk = privacy.risk_by_number(table, ["sex", "age"], sensitive="dx")
    assert risk.index.tolist() == ["sex", "age"]
    assert risk["k"].tolist() == [4, 1]
    assert risk["l"].tolist() == [3, 1]
    assert risk["uniqueness"].tolist() == [0.0, 1 / 8]
    assert "l" not in privacy.risk_by_number(table, ["sex"]).columns


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda t: privacy.k_anonymity(t, []), "empty"),
        (lambda t: privacy.uniqueness(t, []), "empty"),
        (lambda t: privacy.l_diversity(t, [], "dx"), "empty"),
        (lambda t: privacy.k_anonymity(t, ["sex", "weight"]), "no column 'weight'"),
        (lambda t: privacy.uniqueness(t, ["height"]), "no column 'height'"),
        (lambda t: privacy.group_sizes(t, ["nope"]), "no column 'nope'"),
        (lambda t: privacy.l_diversity(t, ["sex"], "diagnosis"), "not a column"),
        (lambda t: privacy.l_diversity(t, ["sex", "dx"], "dx"), "also one of the quasi-identifiers"),
        (lambda t: privacy.k_anonymity(t, "sex"), "one string"),
        (lambda t: privacy.k_anonymity(t, ["sex", "sex"]), "more than once"),
        (lambda t: privacy.k_anonymity(t, None), "not a list"),
        (lambda t: privacy.k_anonymity(t.iloc[:0], ["sex"]), "no rows"),
        (lambda t: privacy.k_anonymity(t.to_numpy(), ["sex"]), "DataFrame"),
        (lambda t: privacy.suppress(t, ["sex"], k=0), "at least 1"),
        (lambda t: privacy.suppress(t, ["sex"], k=2.5), "whole number"),
        (lambda t: privacy.suppress(t, ["absent"], k=5), "no column"),
        (lambda t: privacy.bands(t["age"], 0), "wider than zero"),
        (lambda t: privacy.bands(t["dx"], 10), "not all numbers"),
        (lambda t: privacy.bands(t["age"], 10, start=60), "below the first band"),
        (lambda t: privacy.year_only(pd.Series(["not a date"])), "could not be read"),
        (lambda t: privacy.find_in_text(t["dx"], {}), "non-empty dict"),
        (lambda t: privacy.redact(t["dx"], {"bad": "("}), "not a regular expression"),
        (lambda t: privacy.synthetic_register(t, ["sex"], 10, 1.5, seed=0), "not a share"),
        (lambda t: privacy.synthetic_register(t, ["sex"], 0, 0.5, seed=0), "at least 1"),
        (lambda t: privacy.synthetic_register(t, [], 10, 0.5, seed=0), "empty"),
        (lambda t: privacy.entropy_l_diversity(t, ["sex"], "nope"), "not a column"),
        (lambda t: privacy.t_closeness(t, ["dx"], "dx"), "also one of the quasi-identifiers"),
        (lambda t: privacy.measure_release(t, "nope"), "not a column"),
        (lambda t: privacy.measure_release(t[["dx"]], "dx"), "empty"),
        (lambda t: privacy.measure_release(t.to_numpy(), "dx"), "DataFrame"),
        (lambda t: privacy.suppress(t, ["sex"], k=2, l=2), "needs a sensitive column"),
        (lambda t: privacy.suppress(t, ["sex"], k=2, sensitive="dx", l=0), "at least 1"),
        (lambda t: privacy.round_to(t["age"], 0), "positive"),
        (lambda t: privacy.round_to(t["dx"], 5), "not all numbers"),
        (lambda t: privacy.uniqueness_by_size(t, ["sex"], sizes=[100]), "from 1 to"),
        (lambda t: privacy.uniqueness_by_size(t, ["sex"], sizes="abc"), "whole numbers"),
        (lambda t: privacy.uniqueness_by_size(t, ["sex"], sizes=[4], repeats=0), "at least 1"),
        (lambda t: privacy.link(t, t, ["sex", "height"]), "no column 'height'"),
        (lambda t: privacy.link(t, t.drop(columns="age"), ["sex", "age"]), "no column 'age'"),
        (lambda t: privacy.site_updates([(np.ones((3, 1)), np.ones(3))], coefficients=[0.0]), "2 coefficients"),
    ],
)
def test_bad_input_raises_data_error(table, call, words):
    with pytest.raises(DataError, match=words):
        call(table)


def test_bands():
    ages = pd.Series([0, 9, 10, 57, 79, 80, 91, np.nan], name="age")
    got = privacy.bands(ages, 10, top=80)
    assert got.tolist()[:7] == ["0-9", "0-9", "10-19", "50-59", "70-79", "80+", "80+"]
    assert pd.isna(got.iloc[7])
    assert got.name == "age"
    assert privacy.bands(pd.Series([63.5]), 20, unit="kg").tolist() == ["60-79 kg"]
    assert privacy.bands([17, 22], 5, start=15).tolist() == ["15-19", "20-24"]


def test_year_only():
    got = privacy.year_only(pd.Series(["1986-07-03 10:00:00", None, "1984-12-01 08:30:00"]))  # invented dates
    assert got.tolist()[0] == 1986 and got.tolist()[2] == 1984 and pd.isna(got.iloc[1])
    assert str(got.dtype) == "Int64"


def test_suppress_reaches_k(table):
    kept = privacy.suppress(table, ["sex", "age"], k=2)
    assert len(kept) == 7 and privacy.k_anonymity(kept, ["sex", "age"]) >= 2
    kept3 = privacy.suppress(table, ["sex", "age"], k=3)
    assert kept3.index.tolist() == [0, 1, 2]
    assert privacy.suppress(table, ["sex", "age"], k=9).empty
    assert len(table) == 8  # the input is not changed


def test_synthetic_register_is_seeded_and_plainly_synthetic(table):
    a, src_a = privacy.synthetic_register(table, ["sex", "age"], n_people=20, share_in_records=0.25, seed=3)
    b, src_b = privacy.synthetic_register(table, ["sex", "age"], n_people=20, share_in_records=0.25, seed=3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(src_a, src_b)
    assert a["name"].str.startswith("Synthetic person ").all() and a["name"].is_unique
    assert list(a.columns) == ["name", "sex", "age"]
    assert int(src_a.notna().sum()) == 5
    for i in src_a.dropna().index:  # copied entries carry their record's values
        rec = table.loc[src_a[i]]
        assert a.loc[i, "sex"] == rec["sex"] and (a.loc[i, "age"] == rec["age"] or pd.isna(rec["age"]))
    c, _ = privacy.synthetic_register(table, ["sex", "age"], n_people=20, share_in_records=0.25, seed=4)
    assert not a.equals(c)


def test_text_patterns_find_and_redact():
    texts = pd.Series(  # invented texts in the reports' style: no report of the slice is quoted
        [
            "oforandrat sedan ekg 870614.",
            "compared with tracing of 3:5:88, unchanged",
            "Edit: NORM, (f,58) , (SR)",
            "vorhofflattern 2:1 uberleitung hf 140",  # a conduction ratio and a heart rate: not identifying
            "pq 0,12 s, 991399 is no date",
            None,
            "nach entlassung aus dem krankenhaus, dr meier; clinically stable",
        ],
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    hits = privacy.find_in_text(texts)
    assert hits[["index", "kind", "match"]].values.tolist() == [
        [10, "date yymmdd", "870614"],
        [11, "date d:m:yy", "3:5:88"],
        [12, "sex and age", "(f,58)"],
        [16, "place or staff", "krankenhaus"],
        [16, "place or staff", "dr"],
    ]
    red = privacy.redact(texts)
    assert red[10] == "oforandrat sedan ekg [date yymmdd]."
    assert red[12] == "Edit: NORM, [sex and age] , (SR)"
    assert red[13] == texts[13] and red[14] == texts[14] and pd.isna(red[15])
    assert privacy.find_in_text(pd.Series([], dtype=object)).empty


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, 2))
    y = (rng.random(300) < 1 / (1 + np.exp(-(0.3 + x @ [1.0, -0.5])))).astype(int)
    return x, y


def test_federated_logistic_with_one_step_is_pooled_gradient_descent():
    x, y = _data()
    parts = [(x[:40], y[:40]), (x[40:200], y[40:200]), (x[200:], y[200:])]
    w, history = privacy.federated_logistic(parts, rounds=2000, local_steps=1, learning_rate=1.0)
    pooled = LogisticRegression(C=np.inf).fit(x, y)
    assert np.allclose(w, np.r_[pooled.intercept_, pooled.coef_[0]], atol=1e-3)
    assert len(history) == 2000 and np.allclose(history.iloc[-1], w)


def test_federated_logistic_bad_input():
    x, y = _data()
    with pytest.raises(DataError, match="no site"):
        privacy.federated_logistic([])
    with pytest.raises(DataError, match="do not fit"):
        privacy.federated_logistic([(x, y[:-1])])
    with pytest.raises(DataError, match="missing values"):
        privacy.federated_logistic([(np.where(x > 2, np.nan, x), y)])
    with pytest.raises(DataError, match="different numbers of features"):
        privacy.federated_logistic([(x, y), (x[:, :1], y)])


def test_entropy_l_and_t_closeness(table):
    # groups: (0,50) MI, MI, NORM; (1,50) NORM, NORM; (1,NaN) CD, missing; (0,70) HYP
    assert privacy.entropy_l_diversity(table, ["sex", "age"], "dx") == pytest.approx(1.0)  # a group of one value
    two = pd.DataFrame({"g": [1, 1, 2, 2, 2, 2], "dx": ["a", "b", "a", "a", "a", "b"]})
    h = -(0.75 * np.log(0.75) + 0.25 * np.log(0.25))
    assert privacy.entropy_l_diversity(two, ["g"], "dx") == pytest.approx(np.exp(h))  # 1.75, not 2
    assert privacy.l_diversity(two, ["g"], "dx") == 2
    # overall a 4/6, b 2/6; group 1: a 1/2 -> distance 1/6; group 2: a 3/4 -> distance 1/12
    assert privacy.t_closeness(two, ["g"], "dx") == pytest.approx(1 / 6)
    assert privacy.t_closeness(two.assign(g=1), ["g"], "dx") == pytest.approx(0.0)


def test_measure_release_uses_every_column(table):
    m = privacy.measure_release(table, "dx")
    assert m["quasi-identifiers"] == "sex, age" and m["rows"] == 8
    assert (m["k"], m["l (distinct)"]) == (1, 1) and m["uniqueness"] == pytest.approx(1 / 8)
    with_extra = table.assign(site=range(8))  # a column left in by oversight is measured too
    assert privacy.measure_release(with_extra, "dx")["uniqueness"] == 1.0


def test_suppress_with_l(table):
    kept = privacy.suppress(table, ["sex", "age"], k=2, sensitive="dx", l=2)
    assert kept.index.tolist() == [0, 1, 2, 5, 6]  # (1, 50) is all NORM: suppressed with the group of one
    assert privacy.l_diversity(kept, ["sex", "age"], "dx") >= 2 and privacy.k_anonymity(kept, ["sex", "age"]) >= 2


def test_round_to():
    got = privacy.round_to(pd.Series([73.4, 77.6, np.nan, 2.4], name="weight"), 5)
    assert got.tolist()[:2] == [75.0, 80.0] and pd.isna(got.iloc[2]) and got.iloc[3] == 0 and got.name == "weight"
    assert privacy.round_to([0.26], 0.1).iloc[0] == pytest.approx(0.3)


def test_uniqueness_by_size_is_seeded_and_full_size_is_the_table():
    t = pd.DataFrame({"a": np.arange(40) % 7, "b": np.arange(40) % 3})
    one = privacy.uniqueness_by_size(t, ["a", "b"], sizes=[10, 40], repeats=5, seed=1)
    pd.testing.assert_frame_equal(one, privacy.uniqueness_by_size(t, ["a", "b"], sizes=[10, 40], repeats=5, seed=1))
    assert one.loc[40, "uniqueness"] == privacy.uniqueness(t, ["a", "b"]) == one.loc[40, "low"]
    assert one.loc[10, "uniqueness"] >= one.loc[40, "uniqueness"]


def test_link_never_joins_missing_values():
    register = pd.DataFrame({"sex": [0, 1, 1, 0], "age": [50, np.nan, 60, 70]}, index=[10, 11, 12, 13])
    records = pd.DataFrame({"sex": [0, 1, 1, 1, 0], "age": [50, np.nan, 60, 60, 71]}, index=[1, 2, 3, 4, 5])
    pairs = privacy.link(register, records, ["sex", "age"])
    assert pairs[["entry", "record"]].values.tolist() == [[10, 1], [12, 3], [12, 4]]
    assert pairs["pinned"].tolist() == [True, False, False]  # entry 12 matches two records
    naive = register.merge(records, on=["sex", "age"])
    assert len(naive) == 4  # pandas would join the missing ages


def test_site_updates_from_zero_reveal_the_count():
    x, y = _data()
    parts = [(x[:40], y[:40]), (x[40:], y[40:])]
    first = privacy.site_updates(parts, local_steps=1, learning_rate=0.5)
    assert first["rows"].tolist() == [40, 260]
    read = first["rows"] * (0.5 + first["b0"] / 0.5)
    assert read.round().tolist() == [y[:40].sum(), y[40:].sum()]
    w, _ = privacy.federated_logistic(parts, rounds=1, local_steps=1, learning_rate=0.5)
    assert np.allclose(w, np.average(first[["b0", "b1", "b2"]], axis=0, weights=first["rows"]))


def test_release_keys_are_found_and_detach_removes_them(table):
    assert privacy.row_keys(table) == []  # 0, 1, 2, ... and no sorted column of 3 or more values
    keyed = table.set_index(pd.Index(range(100, 108), name="ecg_id"))
    found = privacy.row_keys(keyed)
    assert any("ecg_id" in f for f in found) and any("sorted by the index" in f for f in found)
    with pytest.warns(UserWarning, match="still links to its source"):
        m = privacy.measure_release(keyed, "dx")
    assert "ecg_id" in m["row keys"]
    detached = privacy.detach(keyed, seed=1)
    assert privacy.row_keys(detached) == [] and detached.index.equals(pd.RangeIndex(8))
    assert sorted(detached["dx"].fillna("NA")) == sorted(table["dx"].fillna("NA"))  # the same rows
    ordered = pd.DataFrame({"year": [1, 1, 2, 3, 3], "dx": list("abcab")})
    assert any("`year`" in f for f in privacy.row_keys(ordered))
    with pytest.raises(DataError, match="DataFrame"):
        privacy.detach([1, 2], seed=1)


def test_average_risk(table):
    # groups on (sex, age): sizes 3, 2, 2, 1 -> 4 groups over 8 rows
    assert privacy.average_risk(table, ["sex", "age"]) == pytest.approx(4 / 8)
    assert privacy.measure_release(table, "dx")["average risk"] == pytest.approx(4 / 8)


def test_round_to_sends_halves_to_the_even_multiple_as_its_docstring_says():
    """Review r19-09, nit 7: pandas rounds halves to even; the docstring says so, and this pins it."""
    assert privacy.round_to([72.5, 73.5], 1).tolist() == [72.0, 74.0]
    assert privacy.round_to([72.5, 77.5], 5).tolist() == [70.0, 80.0]
