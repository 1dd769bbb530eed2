"""The stay timeline draws one mark per charted value, on one row per parameter, coloured by source."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from heartdata.plotting import plot_stay_timeline  # noqa: E402

SOURCES = {"HR": "monitor", "Urine": "nurse", "Na": "lab", "K": "lab"}
ORDER = ["monitor", "nurse", "lab"]


def _stay(rid=1):
    rows = [(0, "Age", 60.0), (0, "HR", 80.0), (60, "HR", 82.0), (120, "HR", 85.0), (60, "Urine", 50.0),
            (300, "Na", 140.0), (300, "K", 4.1), (1500, "Na", 138.0)]  # fmt: skip
    return pd.DataFrame([(rid, t, p, v) for t, p, v in rows], columns=["RecordID", "Time", "Parameter", "Value"])


def test_one_mark_per_value_rows_ordered_by_source():
    ax = plot_stay_timeline(_stay(), SOURCES, ORDER, title="t")
    offsets = {c.get_label(): c.get_offsets() for c in ax.collections}
    assert [k.split(" (")[0] for k in offsets] == ORDER
    assert sum(len(o) for o in offsets.values()) == 7  # Age has no source and is left out
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["HR (3)", "Urine (1)", "Na (2)", "K (1)"]
    lab = offsets["lab (3 values at 2 times)"]
    assert np.allclose(sorted(lab[:, 0]), [5, 5, 25])  # hours
    assert ax.get_xlabel() == "hours since ICU admission" and ax.get_title() == "t"
    plt.close("all")


def test_refuses_several_stays():
    with pytest.raises(ValueError, match="one stay"):
        plot_stay_timeline(pd.concat([_stay(1), _stay(2)]), SOURCES, ORDER)


def test_sources_take_their_meanings_colour_and_marker():
    from heartdata import plotting, sources

    stay = pd.DataFrame({"RecordID": 1, "Time": [0, 60, 120, 180], "Parameter": ["HR", "SysABP", "Na", "FiO2"],
                         "Value": 1.0})  # fmt: skip
    ax = plot_stay_timeline(stay, sources.CHALLENGE_SOURCE, sources.SOURCE_ORDER)
    drawn = {c.get_label().split(" (")[0]: c for c in ax.collections}
    for source, coll in drawn.items():
        m = plotting.meaning(source)
        face = coll.get_facecolors()[0] if m.marker not in "|x" else coll.get_edgecolors()[0]
        assert matplotlib.colors.to_hex(face).upper() == m.colour, source
    # the pairs the review saw merge under deuteranopia now differ in marker too
    for a, b in [("arterial line", "lab draw"), ("nurse charting", "ventilator")]:
        assert plotting.meaning(a).marker != plotting.meaning(b).marker
    assert min(t.get_fontsize() for t in ax.get_yticklabels()) >= 9
    plt.close("all")
