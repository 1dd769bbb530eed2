"""Benchmark the loaders against the loops students write, and how they scale (``make bench``).

1. Ratios, in one process, each side timed as the best of a few runs (the machine may be shared):
   - challenge2012.load_stays (set A) against the per-file ``pandas.read_csv`` loop public solutions
     use (4,000 reads, then ``pd.concat``) on the unpacked set; target >= 12x;
   - ptbxl.load_signals (all 450 records at 100 Hz; every header parsed and checked against its data:
     format, gain, baseline, units, sample count, lead names, each lead's WFDB checksum) against a
     plain ``wfdb.rdsamp`` loop; target >= 23x;
   - reading the raw bytes of the same files, the limit to approach.
   Wall-clock and CPU-time ratios are both printed. The load average is read before and after each
   part: on a loaded machine (load average above half the cores) the run says so, and the CPU-time
   ratios are the fairer figure (a busy machine slows the many small reads of the loops more).
2. Scaling: the shipped records are replicated into a temporary full-size copy (450, 4,500 and
   21,799 PTB-XL records at 100 Hz; 4,000 and 12,000 Challenge 2012 stays) and each load runs in a
   fresh child process, which reports its time and the growth of its peak resident memory. On each
   PTB-XL copy, a fresh process also times ``load_signals`` on one record: the first call (which
   parses the metadata table) and the median of the next 50 (which must cost about the same whatever
   the size of the table: heartdata.scale's tasks call it once per batch). The same is timed on a copy of
   three records whose table has 800,000 rows (the order of MIMIC-IV-ECG's ECGs; only the columns the loader
   needs), where a lookup that scanned the table's index on every call would show.
3. Lessons (``--lessons``, several minutes): every lesson notebook runs on a fresh kernel at shipped
   size, then with HEARTDATA_DIR pointing at a full-size copy built here (21,799 PTB-XL records at
   100 and 500 Hz, Challenge 2012 sets a, b and c of 4,000 stays, MIT-BIH record 100); its run time
   and the kernel's peak memory are reported against the course's limits (30 s and 600 MiB shipped,
   2 GiB at full size), measured as tools/budget.py does. The copy repeats the shipped records (same patients,
   same metadata, new ids), so it tests run time and memory, not the lessons' statistics: its intervals are those
   of copies counted as independent records, far narrower than the real release would give.
The temporary copies live under $TMPDIR and are removed at the end.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
PTBXL_SIZES = (450, 4_500, 21_799)
STAY_SIZES = (4_000, 12_000)
TARGETS = {"stays": 12, "signals": 23}
FULL_PTBXL = 21_799
LESSON_LIMITS = {"shipped": (30.0, 600.0), "full": (None, 2048.0)}  # seconds, MiB


def load_note() -> str:
    """The load average against the cores, and whether that makes the machine loaded."""
    one, five, _ = os.getloadavg()
    cores = os.cpu_count() or 1
    state = (
        "LOADED: wall-clock ratios are unreliable, CPU-time ratios are the fairer figure"
        if one > cores / 2
        else "quiet"
    )
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {cores} cores: {state}"


def best(fn, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time of ``repeat`` runs (CPU time is steadier on a shared machine)."""
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


# ---- the loops a student writes ----------------------------------------------------------------------


def student_stays(folder: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(glob.glob(str(folder / "*.txt"))):
        df = pd.read_csv(path)
        df["RecordID"] = int(Path(path).stem)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def student_signals(root: Path) -> np.ndarray:
    import wfdb

    meta = pd.read_csv(root / "ptbxl_database.csv", index_col="ecg_id")
    return np.stack([wfdb.rdsamp(str(root / f))[0] for f in meta["filename_lr"]])


def raw_bytes(paths: list[str]) -> int:
    n = 0
    for p in paths:
        with open(p, "rb") as f:
            n += len(f.read())
    return n


# ---- part 1: ratios --------------------------------------------------------------------------------


def ratios(tmp: Path, repeat: int) -> None:
    from heartdata import challenge2012, ptbxl

    root = tmp / "unpacked"
    (root / "challenge2012").mkdir(parents=True)
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        tar.extractall(root / "challenge2012", filter="data")
    set_a = root / "challenge2012" / "set-a"
    stay_files = sorted(str(p) for p in set_a.glob("*.txt"))
    ptb = DATA / "ptbxl"
    ecg_files = sorted(str(p) for p in ptb.glob("records100/*/*_lr.*"))

    # warm the page cache and imports, and check that every side reads the same thing
    ours = challenge2012.load_stays("a", root=root)
    theirs = student_stays(set_a)
    assert len(ours) == len(theirs) and ours["Value"].sum() == theirs["Value"].sum()
    x = ptbxl.load_signals(range(1, 451))
    y = student_signals(ptb)
    assert np.array_equal(x, y), "load_signals and wfdb.rdsamp disagree"
    raw_bytes(stay_files + ecg_files)

    slow = max(1, repeat - 1)  # the student loops take a while; they already ran once above
    before = load_note()
    t_student = best(lambda: student_stays(set_a), slow)
    t_folder = best(lambda: challenge2012.load_stays("a", root=root), repeat)
    t_tar = best(lambda: challenge2012.load_stays("a"), repeat)
    t_raw = best(lambda: raw_bytes(stay_files), repeat)
    t_student2 = best(lambda: student_signals(ptb), slow)
    t_ours = best(lambda: ptbxl.load_signals(range(1, 451)), repeat)
    t_raw2 = best(lambda: raw_bytes(ecg_files), repeat)
    rows = [
        ("Challenge 2012 set A, 4,000 stays", "student loop: read_csv per file + concat", t_student, None),
        ("", "load_stays, unpacked set-a/ (same files)", t_folder, TARGETS["stays"]),
        ("", "load_stays, set-a.tar.gz as shipped", t_tar, None),
        ("", "raw bytes of the 4,000 files (limit)", t_raw, None),
        ("PTB-XL, 450 records at 100 Hz", "student loop: wfdb.rdsamp per record", t_student2, None),
        ("", "load_signals (headers checked, checksums)", t_ours, TARGETS["signals"]),
        ("", "raw bytes of the 900 .hea/.dat files (limit)", t_raw2, None),
    ]
    print(f"\n1. Loaders against the loops students write (best of {repeat} runs; student loops {slow + 1})")
    print(f"   before: {before}\n   after:  {load_note()}\n")
    print(f"{'dataset':34} {'reader':46} {'wall s':>7} {'CPU s':>7} {'x wall':>7} {'x CPU':>7}  target")
    base = None
    failed = []
    for dataset, reader, (wall, cpu), target in rows:
        if dataset:
            base = (wall, cpu)
        ratio = (base[0] / wall, base[1] / cpu)
        mark = ""
        if target:
            ok = ratio[0] >= target, ratio[1] >= target
            mark = f">= {target}x: " + ("met" if all(ok) else "met on CPU time only" if ok[1] else "NOT MET")
            if not ok[1]:
                failed.append(reader)
        print(f"{dataset:34} {reader:46} {wall:7.3f} {cpu:7.3f} {ratio[0]:6.1f}x {ratio[1]:6.1f}x  {mark}")
    print(
        f"\nAgainst reading the raw bytes alone (CPU time): load_signals takes {t_ours[1] / t_raw2[1]:.1f}x as long, "
        f"load_stays on the unpacked set {t_folder[1] / t_raw[1]:.1f}x."
    )
    if failed:
        print("Targets not met:", ", ".join(failed))


# ---- part 2: scaling -------------------------------------------------------------------------------


def build_ptbxl(dest: Path, n: int, rates: tuple[int, ...] = (100,)) -> None:
    """A PTB-XL copy of n records: at 100 Hz record i repeats shipped record (i-1) % 450 + 1, at 500 Hz
    shipped record (i-1) % 60 + 1 (the shipped slice has 60 at 500 Hz). Headers are rewritten with the new
    record names; the .dat files are hard links to private copies kept beside the dataset folder."""
    src = DATA / "ptbxl"
    dest.mkdir(parents=True)
    for name in ("scp_statements.csv", "LICENSE.txt"):
        shutil.copy(src / name, dest)
    meta = pd.read_csv(src / "ptbxl_database.csv", dtype=str, keep_default_na=False)
    reps = meta.iloc[np.arange(n) % len(meta)].copy()
    ids = np.arange(1, n + 1)
    reps["ecg_id"] = ids
    reps["filename_lr"] = [f"records100/{i // 1000 * 1000:05d}/{i:05d}_lr" for i in ids]
    reps["filename_hr"] = [f"records500/{i // 1000 * 1000:05d}/{i:05d}_hr" for i in ids]
    reps.to_csv(dest / "ptbxl_database.csv", index=False)
    originals = dest.parent / f".originals-{dest.name}"  # private copies to hard-link from (never data/ itself)
    originals.mkdir(exist_ok=True)
    for fs, suffix in ((100, "lr"), (500, "hr")):
        if fs not in rates:
            continue
        have = sorted((src / f"records{fs}" / "00000").glob(f"*_{suffix}.hea"))
        heads, dats = {}, {}
        for k in range(1, len(have) + 1):
            base = src / f"records{fs}" / "00000" / f"{k:05d}_{suffix}"
            heads[k] = base.with_suffix(".hea").read_text()
            dats[k] = base.with_suffix(".dat").read_bytes()
            (originals / f"{k:05d}_{suffix}.dat").write_bytes(dats[k])
        for i in ids:
            k = (i - 1) % len(have) + 1
            folder = dest / f"records{fs}" / f"{i // 1000 * 1000:05d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{i:05d}_{suffix}.hea").write_text(heads[k].replace(f"{k:05d}_{suffix}", f"{i:05d}_{suffix}"))
            dat = folder / f"{i:05d}_{suffix}.dat"
            try:  # a hard link: the same bytes without writing gigabytes (the page cache is warm either way)
                os.link(originals / f"{k:05d}_{suffix}.dat", dat)
            except OSError:
                dat.write_bytes(dats[k])


def build_challenge_sets(dest: Path) -> None:
    """Challenge 2012 as PhysioNet serves it in full: set-a.tar.gz (the shipped set A, 4,000 stays) and
    sets b and c (set A's stays and outcomes again under new RecordIDs), each with its Outcomes file."""
    dest.mkdir(parents=True)
    shutil.copy(DATA / "challenge2012" / "set-a.tar.gz", dest)
    shutil.copy(DATA / "challenge2012" / "Outcomes-a.txt", dest)
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        files = sorted((m.name, tar.extractfile(m).read()) for m in tar if m.isfile() and m.name.endswith(".txt"))
    outcomes = pd.read_csv(DATA / "challenge2012" / "Outcomes-a.txt")
    for name, offset in (("b", 200_000), ("c", 300_000)):
        new_ids = {}
        with tarfile.open(dest / f"set-{name}.tar.gz", "w:gz") as out:
            for member, body in files:
                rid = int(member.rsplit("/", 1)[-1][:-4])
                new_ids[rid] = rid + offset
                body = body.replace(f"00:00,RecordID,{rid}\n".encode(), f"00:00,RecordID,{rid + offset}\n".encode())
                info = tarfile.TarInfo(f"set-{name}/{rid + offset}.txt")
                info.size = len(body)
                out.addfile(info, io.BytesIO(body))
        outcomes.assign(RecordID=outcomes["RecordID"].map(new_ids)).to_csv(dest / f"Outcomes-{name}.txt", index=False)


def build_full(dest: Path) -> None:
    """A full-size copy of the three datasets, laid out as PhysioNet serves them (for HEARTDATA_DIR).

    It repeats the shipped records (PTB-XL's 450 ECGs under new ``ecg_id``s, their ``patient_id`` and metadata
    unchanged; Challenge 2012's set A again as sets b and c), so it tests run time and memory, not the lessons'
    statistics: its intervals are those of copies counted as independent records.
    """
    build_ptbxl(dest / "ptbxl", FULL_PTBXL, rates=(100, 500))
    build_challenge_sets(dest / "challenge2012")
    shutil.copytree(DATA / "mitdb", dest / "mitdb")


def build_stays(dest: Path, n: int) -> None:
    """A Challenge 2012 copy whose set "x" holds n stays (set A's 4,000 repeated under new RecordIDs),
    both unpacked (set-x/) and as PhysioNet serves sets (set-y.tar.gz, same files)."""
    dest.mkdir(parents=True)
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        files = sorted((m.name, tar.extractfile(m).read()) for m in tar if m.isfile() and m.name.endswith(".txt"))
    shutil.copy(DATA / "challenge2012" / "Outcomes-a.txt", dest)
    (dest / "set-x").mkdir()
    with tarfile.open(dest / "set-y.tar.gz", "w:gz") as out:
        for i in range(n):
            name, body = files[i % len(files)]
            rid = 200_000 + i
            lines = body.split(b"\n")
            lines[1] = b"00:00,RecordID," + str(rid).encode()
            body = b"\n".join(lines)
            (dest / "set-x" / f"{rid}.txt").write_bytes(body)
            info = tarfile.TarInfo(f"set-y/{rid}.txt")
            info.size = len(body)
            out.addfile(info, io.BytesIO(body))


LONG_TABLE_ROWS = 800_000  # about MIMIC-IV-ECG's number of ECGs


def long_table(dest: Path, rows: int) -> Path:
    """Three shipped records under a metadata table of ``rows`` rows (ecg_id and the two file-name columns only)."""
    from heartdata import scale

    root = scale.replicate_ptbxl(dest, 3)
    ids = np.arange(1, rows + 1)
    folders = [f"{i // 1000 * 1000:05d}/{i:05d}" for i in ids]
    pd.DataFrame({
        "ecg_id": ids,
        "filename_lr": [f"records100/{f}_lr" for f in folders],
        "filename_hr": [f"records500/{f}_hr" for f in folders],
    }).to_csv(root / "ptbxl" / "ptbxl_database.csv", index=False)
    return root


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, as ru_maxrss is inherited from the parent across exec."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 2**20)


def child(kind: str, root: str, n: int) -> None:
    """Run one load in this (fresh) process; print seconds and peak-memory growth as JSON."""
    from heartdata import challenge2012, ptbxl

    before = peak_mb()
    t, cpu = time.perf_counter(), time.process_time()
    if kind == "load_signals":
        out = ptbxl.load_signals(range(1, n + 1), root=root)
        held = out.nbytes
    elif kind == "iter_signals":
        held, feats = 0, []
        for _, x in ptbxl.iter_signals(range(1, n + 1), batch_size=500, root=root):
            feats.append(x.std(axis=1))  # a feature per record and lead; the batch is then dropped
        held = sum(f.nbytes for f in feats)
    elif kind == "one record":
        table = ptbxl.data_dir(root) / "ptbxl_database.csv"
        wait = table.stat().st_mtime + ptbxl._SETTLED_SECONDS + 0.1 - time.time()
        time.sleep(max(0.0, wait))  # a table written in the last seconds is re-checked byte for byte on every call
        first = time.perf_counter()
        ptbxl.load_signals([n], root=root)
        first = time.perf_counter() - first
        calls = []
        for _ in range(50):
            t1 = time.perf_counter()
            ptbxl.load_signals([n], root=root)
            calls.append(time.perf_counter() - t1)
        q = np.percentile(calls, [25, 50, 75]) * 1000
        print(json.dumps({"first_ms": first * 1000, "median_ms": q[1], "q1_ms": q[0], "q3_ms": q[2]}))
        return
    elif kind in ("load_stays folder", "load_stays tar.gz"):
        table = challenge2012.load_stays("x" if "folder" in kind else "y", root=root)
        assert table["RecordID"].nunique() == n
        held = int(table.memory_usage(deep=True).sum())
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_growth_mb": peak_mb() - before, "result_mb": held / 2**20}))


def run_child(kind: str, root: Path, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(root), str(n)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _row(kind: str, n: int, r: dict) -> None:
    print(
        f"{kind:20} {n:8,} {r['seconds']:8.2f} {r['cpu']:7.2f} {1000 * r['cpu'] / n:11.3f} "
        f"{r['peak_growth_mb']:8.0f} {r['result_mb']:10.1f}"
    )


def scaling(tmp: Path) -> None:
    print("\n2. Scaling (fresh process per row; peak = growth of peak resident memory during the load;")
    print("   CPU time is the steadier figure when the machine is shared)\n")
    head = f"{'loader':20} {'records':>8} {'seconds':>8} {'CPU s':>7} {'CPU s/1,000':>11}"
    print(f"{head} {'peak MB':>8} {'result MB':>10}")
    per_call = {}
    for n in PTBXL_SIZES:
        root = tmp / f"ptbxl-{n}"
        t = time.perf_counter()
        build_ptbxl(root / "ptbxl", n)
        build = time.perf_counter() - t
        raw_bytes(sorted(glob.glob(str(root / "ptbxl" / "records100" / "*" / "*"))))  # page cache warm
        for kind in ("load_signals", "iter_signals"):
            r = run_child(kind, root, n)
            _row(kind, n, r)
        per_call[n] = run_child("one record", root, n)
        shutil.rmtree(root)
        print(f"{'':20} (copy of {n:,} records built in {build:.1f} s, then removed)")
    root = long_table(tmp / "ptbxl-long", LONG_TABLE_ROWS)
    per_call[LONG_TABLE_ROWS] = run_child("one record", root, 3)
    shutil.rmtree(root)
    print(f"   {load_note()}")
    print("\n   load_signals on one record (its last), in a fresh process: the first call parses the metadata table,")
    print("   the next ones must cost about the same whatever its size (median and quartiles of 50 calls, ms)\n")
    print(f"   {'table rows':>10} {'first call':>10} {'later calls':>12} {'quartiles':>15}")
    for n, r in per_call.items():
        print(f"   {n:10,} {r['first_ms']:10.1f} {r['median_ms']:12.2f}   {r['q1_ms']:5.2f} to {r['q3_ms']:5.2f}")
    ratio = per_call[max(per_call)]["median_ms"] / per_call[min(per_call)]["median_ms"]
    print(
        f"   a later call on the {max(per_call):,}-row table costs {ratio:.2f}x one on the {min(per_call):,}-row table"
    )
    for n in STAY_SIZES:
        root = tmp / f"stays-{n}"
        build_stays(root / "challenge2012", n)
        for kind in ("load_stays folder", "load_stays tar.gz"):
            r = run_child(kind, root, n)
            _row(kind, n, r)
        shutil.rmtree(root)


# ---- part 3: lessons at shipped and full size -----------------------------------------------------------


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (the notebook's kernel runs below it)."""
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
    return total / 2**20


def run_lesson(path: Path, heartdata_dir: Path | None, cap_mib: float) -> dict:
    """Run one notebook as tools/budget.py measures it (fresh kernel; run time, the kernel's peak memory),
    with HEARTDATA_DIR set or unset; stopped if it and its kernel together pass ``cap_mib`` (a shared
    machine must not be driven out of memory by a lesson that loads every record at once)."""
    env = {k: v for k, v in os.environ.items() if k != "HEARTDATA_DIR"}
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    if heartdata_dir is not None:
        env["HEARTDATA_DIR"] = str(heartdata_dir)
    cmd = [sys.executable, str(REPO / "tools" / "budget.py"), "--one", str(path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)  # fmt: skip
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mib(proc.pid))
        if peak > cap_mib:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return {"seconds": float("nan"), "peak_mib": peak, "error": f"stopped above the {cap_mib:.0f} MiB cap"}
        time.sleep(0.25)
    out, err = proc.communicate()
    lines = out.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"seconds": float("nan"), "peak_mib": float("nan"), "error": err.strip()[-300:]}
    return json.loads(lines[-1])


def lessons(tmp: Path, which: list[str], cap_mib: float) -> None:
    paths = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if which:
        paths = [p for p in paths if p.name[:2] in which]
    full = tmp / "full"
    t = time.perf_counter()
    build_full(full)
    built = time.perf_counter() - t
    print(f"\n3. Lessons at shipped size and with HEARTDATA_DIR at a full-size copy (built in {built:.0f} s:")
    print(f"   {FULL_PTBXL:,} PTB-XL records at 100 and 500 Hz, Challenge 2012 sets a, b, c, MIT-BIH 100)")
    (ship_s, ship_mib), full_mib = LESSON_LIMITS["shipped"], LESSON_LIMITS["full"][1]
    print(f"   limits: {ship_s:.0f} s and {ship_mib:.0f} MiB shipped, {full_mib:.0f} MiB at full size; "
          f"each run is stopped above {cap_mib:.0f} MiB\n")  # fmt: skip
    print(f"{'lesson':34} {'shipped s':>9} {'MiB':>6} {'full s':>8} {'MiB':>6}  verdict")
    for path in paths:
        row = {}
        for size, root in (("shipped", None), ("full", full)):
            row[size] = run_lesson(path, root, cap_mib)
        problems = []
        for size, r in row.items():
            seconds, mib = LESSON_LIMITS[size]
            if r["error"]:
                problems.append(f"{size}: {r['error'].splitlines()[-1][:80]}")
            if seconds is not None and r["seconds"] > seconds:
                problems.append(f"{size} over {seconds:.0f} s")
            if r["peak_mib"] > mib:
                problems.append(f"{size} over {mib:.0f} MiB")
        s, f = row["shipped"], row["full"]
        print(f"{path.stem:34} {s['seconds']:9.1f} {s['peak_mib']:6.0f} {f['seconds']:8.1f} {f['peak_mib']:6.0f}  "
              f"{'; '.join(problems) or 'within limits'}")  # fmt: skip
    print(f"   {load_note()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the loaders' full-size copies")
    parser.add_argument("--no-ratios", action="store_true", help="skip part 1 (the loops students write)")
    parser.add_argument("--lessons", nargs="*", metavar="NN", help="also run the lessons (all, or those numbered) "
                        "at shipped size and on a full-size copy (minutes)")  # fmt: skip
    parser.add_argument("--cap-mib", type=float, default=3072, help="stop a lesson run above this memory (MiB)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "ROOT", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    print(f"heartdata benchmark: {load_note()}")
    tmp = Path(tempfile.mkdtemp(prefix="heartdata-bench-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the temporary copy is removed
    try:
        if not args.no_ratios:
            ratios(tmp, args.repeat)
        if not args.no_scaling:
            scaling(tmp)
        if args.lessons is not None:
            lessons(tmp, args.lessons, args.cap_mib)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
