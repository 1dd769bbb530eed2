"""heartdata.scale: the parallel pipelines give the serial tables, failures surface as DataError (never a hang),
the SLURM job script carries the resources asked for, and both commands handle bad input with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import dask
import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from heartdata import DataError, challenge2012, cleaning, mortality, ptbxl, scale


@pytest.fixture(scope="module")
def serial100():
    return scale.ecg_features_serial()


@pytest.fixture(scope="module")
def client2():
    client = scale.local_client(2)
    yield client
    client.close()
    client.cluster.close()


def test_record_features_follow_lesson_07(serial100):
    x = ptbxl.load_signals([1, 2, 3])
    one = scale.record_features(x, 100)
    assert list(one.columns) == scale.FEATURES
    assert np.allclose(one["amplitude_II_mV"], np.ptp(x[:, :, 1], axis=1))
    assert np.allclose(one.to_numpy(), serial100.loc[[1, 2, 3]].to_numpy(), equal_nan=True)
    assert serial100.index.tolist() == list(range(1, 451)) and serial100.index.name == "ecg_id"
    assert serial100["heart_rate_bpm"].between(30, 200).all()  # a plausible heart rate for every record
    with pytest.raises(DataError, match="12 leads"):
        scale.record_features(x[:, :, :3], 100)


@pytest.mark.parametrize("workers", [1, 2])
def test_same_features_with_1_and_2_workers(workers, serial100):
    with scale.local_client(workers) as client:
        assert len(client.scheduler_info()["workers"]) == workers
        got = scale.ecg_features(client, batch_size=37)
        hi = scale.ecg_features(client, fs=500, batch_size=16)
        client.cluster.close()
    pd.testing.assert_frame_equal(got, serial100)
    pd.testing.assert_frame_equal(hi, scale.ecg_features_serial(fs=500))
    assert hi.index.tolist() == list(range(1, 61))


def test_calls_one_after_the_other_never_share_results(client2, serial100):
    # keys are unique per call: a second call must not pick up the first one's tasks (a real bug under load)
    held = [scale.ecg_features(client2, batch_size=size) for size in (8, 64, 8)]
    for table in held:
        pd.testing.assert_frame_equal(table, serial100)


def test_stay_features_equal_the_whole_set_at_once(client2):
    expected = cleaning.stay_features(cleaning.clean_stays(challenge2012.load_stays("a"))[0])
    got = scale.stay_features(client2, "a", batch_size=700)
    pd.testing.assert_frame_equal(got, expected)
    some = challenge2012.load_stays("a", record_ids=expected.index[:300])
    pd.testing.assert_frame_equal(scale.stay_features(client2, stays=some, batch_size=64), expected.iloc[:300])


def test_cross_validation_on_dask_equals_one_process(client2):
    X, y, _ = mortality.load_features("a")
    got = scale.cross_validate(client2, X, y, "logistic", folds=3)
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    one = cross_val_predict(mortality.make_model("logistic"), X, y, method="predict_proba", n_jobs=1,
                            cv=StratifiedKFold(3, shuffle=True, random_state=0))[:, 1]  # fmt: skip
    assert got.index.equals(X.index)
    assert np.allclose(got.to_numpy(), one, rtol=0, atol=1e-9)


def test_a_damaged_record_is_named(client2, data_copy):
    dat = data_copy / "ptbxl" / "records100" / "00000" / "00123_lr.dat"
    dat.write_bytes(dat.read_bytes()[:1000])
    with pytest.raises(DataError, match="00123_lr.dat"):
        scale.ecg_features(client2, root=data_copy, batch_size=50, timeout=60)


def test_a_hung_worker_times_out_naming_the_records(client2, data_copy):
    hea = data_copy / "ptbxl" / "records100" / "00000" / "00207_lr.hea"
    hea.unlink()
    os.mkfifo(hea)  # opening it for reading blocks until someone writes: a worker stuck on a file
    try:
        with pytest.raises(DataError, match=r"ecg_id 201-250 .*not finished after 3 s"):
            scale.ecg_features(client2, root=data_copy, batch_size=50, timeout=3)
    finally:
        threading.Thread(target=lambda: open(hea, "wb").close(), daemon=True).start()  # let the thread go


def test_a_worker_that_dies_is_reported_not_waited_for():
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        client = scale.local_client(1, processes=True, memory_limit="1GiB")
        try:
            doomed = client.submit(lambda ids: os._exit(1), [7, 8], key="read_ecg-0", pure=False)
            with pytest.raises(DataError, match=r"ecg_id 7-8 .*died"):
                scale._gather(client, [doomed], ["ecg_id 7-8 at 100 Hz"], timeout=60)
        finally:
            client.close()
            client.cluster.close()


def test_unknown_ids_and_bad_arguments_fail_before_any_task(client2):
    with pytest.raises(DataError, match="unknown ecg_id 9999"):
        scale.ecg_features(client2, [1, 9999])
    with pytest.raises(DataError, match="sampling rate"):
        scale.ecg_features(client2, fs=250)
    with pytest.raises(DataError, match="at least one record"):
        scale.ecg_features(client2, batch_size=0)
    with pytest.raises(DataError, match="at least one worker"):
        scale.local_client(0)


def test_available_ids_and_replicated_copies(tmp_path):
    assert len(scale.available_ids(100)) == 450 and len(scale.available_ids(500)) == 60
    root = scale.replicate_ptbxl(tmp_path, 1000)
    assert scale.available_ids(100, root).tolist() == list(range(1, 1001))
    x = ptbxl.load_signals([1, 451, 901], root=root)  # record 451 repeats shipped record 1
    assert np.array_equal(x[0], x[1]) and np.array_equal(x[0], x[2])
    hi = scale.replicate_ptbxl(tmp_path / "hi", 130, fs=500)
    assert np.array_equal(ptbxl.load_signals([121], 500, hi)[0], ptbxl.load_signals([1], 500)[0])
    with pytest.raises(DataError, match="data/"):
        scale.replicate_ptbxl(REPO / "data" / "x", 10)


def test_job_script_carries_the_resources():
    text = scale.slurm_job_script(8, "32GiB", "02:30:00", queue="standard", account="plg-heart",
                                  data_root="/net/ascratch/physionet")  # fmt: skip
    lines = text.splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    for needed in ["#SBATCH -p standard", "#SBATCH -A plg-heart", "#SBATCH --cpus-per-task=8", "#SBATCH --mem=32G",
                   "#SBATCH -t 02:30:00", "export HEARTDATA_DIR=/net/ascratch/physionet"]:  # fmt: skip
        assert needed in lines, needed
    worker = lines[-1]
    assert "dask_worker tcp://SCHEDULER:8786" in worker and "--nthreads 8" in worker
    assert "--memory-limit 32.00GiB" in worker
    bare = scale.slurm_job_script(1, "4GB", "00:10:00")
    assert "#SBATCH -p" not in bare and "#SBATCH -A" not in bare and "HEARTDATA_DIR" not in bare


@pytest.mark.parametrize(
    "args, match",
    [
        ((0, "4GB", "01:00:00"), "cores"),
        ((2, "lots", "01:00:00"), "amount of memory"),
        ((2, "4GB", "90 minutes"), "HH:MM:SS"),
        ((2, "4GB", "1:00"), "HH:MM:SS"),
    ],
)
def test_job_script_rejects_bad_resources(args, match):
    with pytest.raises(DataError, match=match):
        scale.slurm_job_script(*args)


def test_slurm_cluster_uses_the_same_job(monkeypatch):
    cluster = scale.slurm_cluster(4, "16GiB", "01:00:00", queue="q", data_root="/data", scheduler_options={
        "dashboard_address": None, "host": "127.0.0.1"})  # fmt: skip
    try:
        text = cluster.job_script()
    finally:
        cluster.close()
    assert "#SBATCH --cpus-per-task=4" in text and "export HEARTDATA_DIR=/data" in text and "#SBATCH -p q" in text


# ---- the commands ------------------------------------------------------------------------------------------


def _run(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "heartdata.scale", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env={**os.environ, "HEARTDATA_DIR": ""})  # fmt: skip


def test_ecg_features_command_same_table_whatever_the_workers(tmp_path, serial100):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    r1 = _run("ecg-features", "--workers", "1", "--out", str(one))
    r2 = _run("ecg-features", "--workers", "2", "--threads", "--batch-size", "100", "--out", str(two))
    for r, n in ((r1, 1), (r2, 2)):
        assert r.returncode == 0, r.stderr
        lines = r.stdout.strip().splitlines()
        assert [line.split("  ")[0] for line in lines[:4]] == ["records", "seconds", "records per second", "workers"]
        result = json.loads(lines[-1])
        assert result["records"] == 450 and result["workers"] == n and result["fs"] == 100
        assert result["records_per_second"] == pytest.approx(450 / result["seconds"], rel=0.01)
    a, b = pd.read_csv(one, index_col="ecg_id"), pd.read_csv(two, index_col="ecg_id")
    pd.testing.assert_frame_equal(a, b)
    assert np.allclose(a.to_numpy(), serial100.to_numpy(), equal_nan=True)


def test_slurm_script_command():
    r = _run("slurm-script", "--cores", "16", "--memory", "64GiB", "--walltime", "04:00:00", "--queue", "plgrid",
             "--account", "plgheart-cpu")  # fmt: skip
    assert r.returncode == 0, r.stderr
    for needed in ["#SBATCH -p plgrid", "#SBATCH -A plgheart-cpu", "--cpus-per-task=16", "#SBATCH -t 04:00:00"]:
        assert needed in r.stdout


@pytest.mark.parametrize(
    "args, match",
    [
        (["ecg-features", "--workers", "0", "--out", "{tmp}/x.csv"], "too small"),
        (["ecg-features", "--out", "{tmp}/x.csv"], "--workers"),
        (
            ["ecg-features", "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1", "--out", "{tmp}/x.csv"],
            "cannot be reached",
        ),
        (["ecg-features", "--workers", "1", "--root", "{tmp}", "--out", "{tmp}/x.csv"], "no ptbxl/ folder"),
        (["ecg-features", "--workers", "1", "--out", "{tmp}/x.csv", "--colour", "red"], "unrecognized arguments"),
        (["ecg-features", "--workers", "1", "--out", str(REPO / "data" / "x.csv")], "never written"),
        (["slurm-script", "--cores", "4", "--memory", "8GB", "--walltime", "2h"], "HH:MM:SS"),
        (["slurm-script", "--cores", "0", "--memory", "8GB", "--walltime", "01:00:00"], "too small"),
        (["slurm-script", "--cores", "4", "--memory", "8GB"], "--walltime"),
        (
            ["slurm-script", "--cores", "4", "--memory", "8GB", "--walltime", "01:00:00", "--gpus", "1"],
            "unrecognized arguments",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, match):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    with pytest.raises(SystemExit) as stop:
        sys.exit(scale.main(args))
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert match in err
    assert not (tmp_path / "x.csv").exists()


def test_bad_input_from_the_shell_is_one_line():
    r = _run("ecg-features", "--workers", "0", "--out", "x.csv", timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_ecg_features_command_on_a_running_scheduler(tmp_path, capsys, serial100):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=None) as c:
        out = tmp_path / "f.csv"
        code = scale.main(["ecg-features", "--scheduler", c.scheduler_address, "--workers", "1", "--out", str(out)])
        printed = capsys.readouterr()
        assert code == 0, printed.err
        assert json.loads(printed.out.strip().splitlines()[-1])["workers"] == 1
        code = scale.main(["ecg-features", "--scheduler", c.scheduler_address, "--workers", "3", "--connect-timeout",
                           "1", "--out", str(tmp_path / "g.csv")])  # fmt: skip
        err = capsys.readouterr().err
        assert code == 2 and "fewer than 3 workers" in err and len(err.strip().splitlines()) == 1
    got = pd.read_csv(out, index_col="ecg_id")
    assert np.allclose(got.to_numpy(), serial100.to_numpy(), equal_nan=True)
