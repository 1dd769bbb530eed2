"""Issue 12, family 13: ``python -m heartdata.mortality`` on bad input says what is wrong in one line on stderr
and exits 2 (no scikit-learn traceback, no test figures from the training stays). In-process through main()."""

from __future__ import annotations

import os
import tarfile

import pandas as pd
import pytest
from conftest import DATA

from heartdata import mortality


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """Small sets laid out as PhysioNet does: "a" (200 stays), "b" (the next 150), "alive" (100 survivors),
    "few" (60 stays, 4 deaths), "dup" (50 of a's stays again)."""
    root = tmp_path_factory.mktemp("sets")
    folder = root / "challenge2012"
    outcomes = pd.read_csv(DATA / "challenge2012" / "Outcomes-a.txt").set_index("RecordID")
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        stays = {
            int(os.path.basename(m.name)[:-4]): tar.extractfile(m).read()
            for m in tar
            if m.isfile() and m.name.endswith(".txt")
        }
    ids = sorted(stays)
    died = [i for i in ids if outcomes.loc[i, "In-hospital_death"] == 1]
    alive = [i for i in ids if outcomes.loc[i, "In-hospital_death"] == 0]
    chosen = {
        "a": ids[:200],
        "b": ids[200:350],
        "alive": alive[:100],
        "few": sorted(alive[100:156] + died[:4]),
        "dup": ids[:50],
    }
    for name, rids in chosen.items():
        (folder / f"set-{name}").mkdir(parents=True)
        for rid in rids:
            (folder / f"set-{name}" / f"{rid}.txt").write_bytes(stays[rid])
        outcomes.loc[rids].reset_index().to_csv(folder / f"Outcomes-{name}.txt", index=False)
    return root


def run(capsys, *args) -> tuple[int, str]:
    try:
        code = mortality.main([str(a) for a in args])
    except SystemExit as stop:  # argparse
        code = stop.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return code, lines[0]


@pytest.mark.parametrize("hours", ["-5", "nan", "NaN", "inf", "-inf", "0", "-0", "x", "", "1e400"])
def test_window_hours_must_be_a_positive_finite_number(capsys, sets, hours):
    code, line = run(capsys, "--root", sets, "--train", "a", f"--window-hours={hours}")
    assert code == 2 and "--window-hours" in line and "hours" in line
    assert "stay files" not in line, "not diagnosed as missing stay files"


@pytest.mark.parametrize("folds", ["1", "0", "-3", "2.5", "five"])
def test_folds_must_be_a_whole_number_of_at_least_two(capsys, sets, folds):
    code, line = run(capsys, "--root", sets, "--train", "a", f"--folds={folds}")
    assert code == 2 and "--folds" in line


@pytest.mark.parametrize("folds", [201, 1000])
def test_more_folds_than_stays(capsys, sets, folds):
    code, line = run(capsys, "--root", sets, "--train", "a", "--folds", folds)
    assert code == 2 and f"--folds {folds}: is more than the 200 stays of set a" in line


@pytest.mark.parametrize("args", [["--train", "alive"], ["--train", "alive", "--test", "a"],
                                  ["--train", "alive", "--folds", "2", "--model", "boosting"]])  # fmt: skip
def test_a_training_set_without_deaths(capsys, sets, args):
    code, line = run(capsys, "--root", sets, *args)
    assert code == 2 and "--train alive: has no in-hospital deaths among its 100 stays" in line


@pytest.mark.parametrize("folds", [5, 6, 10])  # 4 deaths: each outer training part must still split INNER_FOLDS ways
def test_too_few_deaths_for_the_folds(capsys, sets, folds):
    code, line = run(capsys, "--root", sets, "--train", "few", "--folds", folds)
    assert code == 2 and "--train few: has 4 deaths among 60 stays, too few for" in line


@pytest.mark.parametrize("args", [["--train", "a", "--test", "a"], ["--test", "a"]])
def test_testing_on_the_training_set_is_refused(capsys, sets, args):
    code, line = run(capsys, "--root", sets, *args)
    assert code == 2 and "is the training set" in line and "AUROC" in line


def test_testing_on_stays_shared_with_the_training_set_is_refused(capsys, sets):
    code, line = run(capsys, "--root", sets, "--train", "a", "--test", "dup")
    assert code == 2 and "--test dup: shares 50 of its 50 stays with --train a" in line


@pytest.mark.parametrize("args, words", [(["--train", "zz"], "zz"), (["--model", "forest"], "--model"),
                                         (["--root", "/nowhere/at/all"], "/nowhere/at/all"),
                                         (["--train", "a/../a"], "set_name")])  # fmt: skip
def test_other_bad_arguments(capsys, sets, args, words):
    base = [] if "--root" in args else ["--root", sets]
    code, line = run(capsys, *base, *args)
    assert code == 2 and words in line


def test_a_good_run_still_works(capsys, sets):
    assert mortality.main(["--root", str(sets), "--train", "a", "--test", "b", "--window-hours", "24"]) == 0
    out = capsys.readouterr().out
    assert "trained on set a, tested on set b (24 h window)" in out
