"""Checks for the exercises of lesson 10 (scaling up): expected values come from the data, the package's constants,
heartdata.scale itself and the timings the student's own notebook took, never typed in.

Each exercise asks for something the lesson did not print (both sampling rates at once; the efficiency against the
loop from the student's own runs; a bigger worker job in the course's environment; the features at 500 Hz), checks
the method where the value cannot tell (the job script is read as SLURM and bash read it; the features must have
been computed by tasks on the workers), and never changes or consumes the student's objects.
"""

from __future__ import annotations

import collections.abc
import copy
import math
import re
import shlex
from functools import cache

import numpy as np
import pandas as pd

from .. import ptbxl, scale
from ..errors import DataError
from ..feedback import check_number, close, correct, exercise, incorrect, mistake_at, named, rounding_all

# ---- exercise 1: memory of a full dataset held at once --------------------------------------------------------

RATES = (100, 500)  # exercise 1 asks for both sampling rates together (the lesson printed each alone)


def _gib(samples: int, leads: int = 12, nbytes: int = 8, unit: float = 2**30, records: int | None = None) -> float:
    n = scale.FULL_SIZES["ptbxl"] if records is None else records
    return n * samples * leads * nbytes / unit


SIGNALS_MISTAKES = {
    "500 Hz only": "that is the 500 Hz copy alone (the lesson printed it); every record is also stored at 100 Hz: "
    "add the 100 Hz samples.",
    "100 Hz only": "that is the 100 Hz copy alone; add the 500 Hz one (5,000 samples per lead).",
    "disk bytes": "2 bytes a value is the size of the files on disk (16-bit integers); load_signals returns 8-byte "
    "floats in mV.",
    "float32": "4 bytes is float32; load_signals returns float64, 8 bytes a value.",
    "GB": "that is in GB (10^9 bytes); a GiB is 2**30 bytes.",
    "MiB": "that is in MiB (2**20 bytes); the exercise asks for GiB (2**30 bytes).",
    "bytes": "that is in bytes; divide by 2**30 for GiB.",
    "one lead": "you counted one lead; every record has 12.",
    "typed in": "that is the lesson's two printed values ({lo} and {hi} GiB, each rounded to 2 decimals) added by "
    "hand: compute it from the package's constants (scale.FULL_SIZES, ptbxl.N_SAMPLES, ptbxl.LEADS), as the exercise "
    "asks, so that it stays right on another copy and is not rounded.",
}


@exercise(mistakes=SIGNALS_MISTAKES)
def signals_gib(answer):
    leads = len(ptbxl.LEADS)
    both = sum(ptbxl.N_SAMPLES[fs] for fs in RATES)
    hi, lo = ptbxl.N_SAMPLES[500], ptbxl.N_SAMPLES[100]
    printed = (round(_gib(lo, leads), 2), round(_gib(hi, leads), 2))  # what the lesson's table shows, each alone
    return check_number(
        answer,
        _gib(both, leads),
        mistakes=[
            mistake_at("500 Hz only", _gib(hi, leads)),
            mistake_at("100 Hz only", _gib(lo, leads)),
            mistake_at("disk bytes", _gib(both, leads, 2)),
            mistake_at("float32", _gib(both, leads, 4)),
            mistake_at("GB", _gib(both, leads, 8, 1e9)),
            mistake_at("MiB", _gib(both, leads, 8, 2**20)),
            mistake_at("bytes", _gib(both, leads, 8, 1)),
            mistake_at("one lead", _gib(both, 1)),
            mistake_at("typed in", sum(printed), lo=f"{printed[0]:.2f}", hi=f"{printed[1]:.2f}"),
        ],
        what="a number of GiB",
        hint="records × (samples per lead at 100 Hz + at 500 Hz) × leads × bytes per value, divided by 2**30.",
    )


# ---- exercise 2: batches of records -----------------------------------------------------------------------------


@cache
def _ids() -> tuple[int, ...]:
    return tuple(int(i) for i in ptbxl.load_metadata().index)


def _is_iterator(x) -> bool:
    return isinstance(x, collections.abc.Iterator)


BATCH_MISTAKES = {
    "last batch dropped": "the last {left} records are missing: {n} is not a multiple of {size}, so the last batch is "
    "smaller. Keep it (range(0, len(ids), size) with slices does).",
    "number of batches": "you made {size} batches; the exercise asks for batches of {size} records each.",
    "order": "every record is there, but not in order: keep the ecg_ids in the order of `ids`.",
    "positions": "these are positions 0 to {last} (what range(len(ids)) gives), not ecg_ids: batch the values of `ids` "
    "themselves (ids[i : i + {size}]), so that each batch names the records to read.",
}


@exercise(mistakes=BATCH_MISTAKES)
def batches(answer, size: int = 64):
    if _is_iterator(answer):
        return incorrect(
            f"that is a {type(answer).__name__}, which can be read only once: checking it would use it up (it is "
            "left unread). Store a list: batches = [ ... for ... ] with square brackets, or list(...)."
        )
    if isinstance(answer, str | bytes | dict | pd.DataFrame) or not isinstance(answer, collections.abc.Iterable):
        return incorrect(f"expected a list of batches, each a list of ecg_ids; got {type(answer).__name__}.")
    outer = list(copy.deepcopy(answer) if not isinstance(answer, np.ndarray) else answer.tolist())
    got = []
    for b in outer:
        if _is_iterator(b):
            return incorrect("a batch is a generator; make each batch a list (ids[i : i + 64] is one).")
        if isinstance(b, str | bytes) or not isinstance(b, collections.abc.Iterable):
            return incorrect(f"each batch should be a list of ecg_ids; one is {_a(type(b).__name__)} ({b!r:.40}).")
        items = list(b.tolist() if isinstance(b, np.ndarray | pd.Index | pd.Series) else b)
        for i in items:
            if isinstance(i, str | bytes):
                return incorrect(f"the ecg_ids are text ({i!r}); keep them as the whole numbers `ids` holds.")
            if isinstance(i, bool | np.bool_) or not isinstance(i, int | np.integer):
                return incorrect(f"the ecg_ids should be whole numbers (int), as in `ids`; one is {i!r} "
                                 f"({type(i).__name__}).")  # fmt: skip
        got.append([int(i) for i in items])
    ids = list(_ids())
    expected = [ids[i : i + size] for i in range(0, len(ids), size)]
    if got == expected:
        return correct(f"{len(got)} batches; the last holds the {len(expected[-1])} records left over.")
    flat = [i for b in got for i in b]
    positions = list(range(len(ids)))
    if flat == positions and positions != ids:
        return incorrect(named("positions", last=len(ids) - 1, size=size))
    if got == expected[:-1]:
        return close(named("last batch dropped", left=len(expected[-1]), n=len(ids), size=size))
    if len(got) == size and sorted(flat) == sorted(ids):
        return close(named("number of batches", size=size))
    if sorted(flat) == sorted(ids) and flat != ids:
        return close(named("order"))
    if len(flat) > len(ids) or len(set(flat)) < len(flat):
        return incorrect("some records are in more than one batch: batches must not overlap.")
    if any(len(b) != size for b in got[:-1]):
        return incorrect(f"every batch but the last should hold exactly {size} records.")
    return incorrect(f"expected {len(expected)} batches covering all {len(ids)} records in order.")


# ---- exercise 3: parallel efficiency against the loop -----------------------------------------------------------

SETUPS = ("loop", "1 worker", "2 workers")


EFFICIENCY_MISTAKES = {
    "one worker as baseline": "that is the efficiency against one Dask worker; the exercise asks against the plain "
    "loop (one Dask worker is itself slower or faster than the loop: compare with what you would run without Dask).",
    "speed-up": "that is the speed-up; efficiency divides it by the number of workers.",
    "inverse": "that is the inverse of the speed-up: time with 2 workers over time of the loop.",
    "inverted": "you divided the other way round ({how}): the efficiency is the loop's median time over "
    "({workers} × the median time with {workers} workers).",
    "percentage": "store it as a fraction (0 to 1 when the workers are worth their cores), not a percentage.",
    "means": "that uses the means; take the medians (one slow run on a shared machine moves a mean, not a median).",
    "first run": "that uses the first run only; take the median of the runs.",
    "too few runs": "the arithmetic is right, but {n} runs of each cannot show a difference: the lesson times every "
    "setup {least} times (scale.MIN_RUNS), in a new order each round. Over every pair of these runs the efficiency "
    "ranged from {low:.2f} to {high:.2f}. Run the timing cell with {least} runs.",
    "no verdict": "the efficiency ({value:.2f}) is right; now say what the runs support: over every pair of runs it "
    "ranged from {low:.2f} to {high:.2f}. Set verdict to scale.compare_runs' words for two workers against the loop "
    "(\"faster than\", \"slower than\" or \"not distinguishable here from\") and pass verdict=verdict.",
    "unsupported verdict": "the efficiency ({value:.2f}) is right, but the runs do not support {said!r}: over every "
    "pair of runs it ranged from {low:.2f} to {high:.2f}, and {reason} So two workers were {supported!r} the loop.",
}
VERDICTS = ("faster than", "slower than", "not distinguishable here from")


@exercise(mistakes=EFFICIENCY_MISTAKES)
def efficiency(answer, seconds, workers: int = 2, verdict=None):
    """``seconds``: the notebook's timings, {setup: [seconds of each run]} for the loop, 1 worker and 2 workers.
    ``verdict``: what the student reads from the runs, in ``scale.compare_runs``' words for two workers against the
    loop. The number is judged first; then the verdict against the runs' spread, so that a right number never earns
    "Correct" for a conclusion the runs do not support (review 10 F4)."""
    try:
        runs = {k: np.asarray(seconds[k], dtype=float) for k in SETUPS}
    except (KeyError, TypeError, ValueError):
        return incorrect("the timings were not found: run the cell above the exercise again (it fills `seconds`).")
    loop, one, two = (np.median(runs[k]) for k in SETUPS)
    expected = loop / (workers * two)
    mistakes = [
        mistake_at("one worker as baseline", one / (workers * two)),
        mistake_at("speed-up", loop / two),
        mistake_at("inverse", two / loop),
        mistake_at("inverted", workers * two / loop, workers=workers, how=f"{workers} × time with {workers} workers "
                   "over the loop's time, 1 / efficiency"),
        mistake_at("inverted", two / (workers * loop), workers=workers, how=f"time with {workers} workers over "
                   f"{workers} × the loop's time"),
        mistake_at("percentage", 100 * expected),
        mistake_at("means", np.mean(runs["loop"]) / (workers * np.mean(runs["2 workers"]))),
        mistake_at("first run", runs["loop"][0] / (workers * runs["2 workers"][0])),
    ]
    # a mistake that gives the right value here (the loop as fast as one worker, say) is a right answer
    distinct = [(v, m) for v, m in mistakes if not np.isclose(v, expected, rtol=1e-6)]
    hint = f"median time of the loop / ({workers} × median time with {workers} workers)."
    fb = check_number(answer, expected, mistakes=distinct, what="a fraction (efficiency)", hint=hint)
    if not fb.correct:
        return fb
    # the spread: the speed-up over every pair of runs (a 2-worker run against a loop run), per worker
    _, low, high = (r / workers for r in scale.ratio_range(runs["2 workers"], runs["loop"]))
    n = min(len(runs["loop"]), len(runs["2 workers"]))
    if n < scale.MIN_RUNS:
        return close(named("too few runs", n=n, least=scale.MIN_RUNS, low=low, high=high))
    if verdict is None:
        return close(named("no verdict", value=expected, low=low, high=high))
    said = verdict.strip() if isinstance(verdict, str) else verdict
    if said not in VERDICTS:
        return incorrect(f"verdict is {verdict!r}: write it in scale.compare_runs' words, one of "
                         + ", ".join(repr(v) for v in VERDICTS) + ".")
    supported = scale.compare_runs(runs["2 workers"], runs["loop"])
    if said != supported:
        two, loop = runs["2 workers"], runs["loop"]
        separate = two.max() < loop.min() or two.min() > loop.max()
        reason = (f"the runs overlap (two workers {two.min():.2f} to {two.max():.2f} s, the loop {loop.min():.2f} to "
                  f"{loop.max():.2f} s)." if not separate else
                  f"every run of one beat every run of the other, and the medians differ by "
                  f"{abs(1 - np.median(two) / np.median(loop)):.0%}"
                  + (f", less than the {scale.MIN_EFFECT:.0%} the lesson asks for." if supported == VERDICTS[2] else
                     f" (at least the {scale.MIN_EFFECT:.0%} the lesson asks for)."))
        return incorrect(named("unsupported verdict", value=expected, said=said, low=low, high=high, reason=reason,
                               supported=supported))  # fmt: skip
    return correct(f"an efficiency of {expected:.2f} (medians), from {low:.2f} to {high:.2f} over every pair of runs: "
                   f"two workers were {supported} the loop, as the {n} runs of each show.")


# ---- exercise 4: the SLURM job ---------------------------------------------------------------------------------

JOB = {"cores": 16, "memory": "64G", "walltime": "06:00:00", "queue": "plgrid", "account": "plgheartdata-cpu",
       "data_root": "/net/storage/physionet", "python": "/net/home/me/heartdata/.venv/bin/python"}  # fmt: skip
VENV = JOB["python"].removesuffix("/bin/python")
#: Least time (s) the last worker needs to retire (hand its data on and close) before the limit: the shortest stagger
#: scale.worker_lifetime gives, which it leaves for the same purpose (review 10 F6: zero is no time at all)
RETIRE_S = 30
#: Least time (s) between the last worker's retirement (--lifetime + --lifetime-stagger, counted from the worker's own
#: start) and the job's time limit: the workers' start-up, which comes first, inside the same limit, and RETIRE_S.
MARGIN = scale.WORKER_STARTUP_S + RETIRE_S
#: How much earlier than the lesson's rule a --lifetime may retire the workers and still count as the rule (rounded
#: down to a round number of minutes, say): ten minutes. Earlier, the job's paid hours end with no workers.
EARLY_S = 600


def _a(word: str) -> str:
    """The word with its indefinite article: "an int", "a list"."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _memory_example(nworkers: int) -> dict:
    """The memory-limit message's example: 90% of the job's 64 GiB shared by the student's workers, rounded down to
    0.1 GiB (16 workers: 3.6GiB; 4 workers: 14.4GiB)."""
    nworkers = max(1, int(nworkers))
    return {"each": math.floor((1 - scale.HEADROOM) * 64 * 10 / nworkers) / 10, "nworkers": nworkers}


def least_margin(stagger: float) -> float:
    """The lesson's rule (scale.worker_lifetime: lifetime = limit - start-up - stagger - stagger): the last worker
    retires at start-up + lifetime + stagger and then gets as long again as the stagger to retire, at least RETIRE_S.
    So the margin before the limit is the start-up and the larger of the stagger and RETIRE_S (review r15-s911 10-4a:
    354m with a 3m stagger left 60 s to retire where the rule leaves 3 minutes)."""
    return scale.WORKER_STARTUP_S + max(RETIRE_S, stagger)


def _course_margin() -> int:
    """Seconds slurm_job_script leaves between the last worker's retirement and the exercise's limit."""
    lifetime, stagger = scale.worker_lifetime(JOB["walltime"])
    return scale.slurm_seconds(JOB["walltime"]) - lifetime - stagger
_LONG = {"-p": "--partition", "-A": "--account", "-c": "--cpus-per-task", "-n": "--ntasks", "-N": "--nodes",
         "-t": "--time", "-J": "--job-name", "-o": "--output", "-e": "--error"}  # fmt: skip


def _first_command(text: str) -> str | None:
    """The first line of a script that is neither blank nor a comment (the #! line is a comment to sbatch): where
    sbatch stops reading #SBATCH lines."""
    for line in text.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            return line.strip()
    return None


def _ignored_directives(text: str) -> list[str]:
    """The #SBATCH lines after the first command that would change the job had sbatch read them."""
    read, late = sbatch_options(text), []
    seen = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            seen = True
        elif seen and stripped.startswith("#SBATCH"):
            if any(read.get(k) != v for k, v in sbatch_options(stripped).items()):
                late.append(stripped)
    return late


def sbatch_mebibytes(value: str | None) -> float | None:
    """A --mem or --mem-per-cpu value in MiB as sbatch reads it (SLURM's str_to_mbytes): a whole number with an
    optional K, M, G or T suffix, powers of 1024, optionally followed by B ('64G', '64GB' and '65536' are all 64 GiB);
    None for anything sbatch refuses ('64GiB', '64.0G') or a missing value."""
    if value is None:
        return None
    m = re.fullmatch(r"(\d+)(?:([KMGT])B?)?", value.strip(), re.IGNORECASE)
    if not m:
        return None
    return int(m[1]) * 1024.0 ** ("KMGT".index((m[2] or "M").upper()) - 1)


def sbatch_options(text: str, everywhere: bool = False) -> dict[str, str]:
    """The #SBATCH options of a script as sbatch reads them (the last of a repeated option wins): short or long
    names (``-p X``, ``-pX``, ``--partition=X``, ``--partition X``), several per line. ``everywhere=True`` reads
    the #SBATCH lines after the first command too, which sbatch ignores (to tell the student so)."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("#SBATCH"):
            if line and not line.startswith("#") and not everywhere:
                break  # sbatch stops reading directives at the first command
            continue
        try:
            words = shlex.split(line[len("#SBATCH") :], comments=True)
        except ValueError:
            continue
        k = 0
        while k < len(words):
            w = words[k]
            if w.startswith("--"):
                name, eq, value = w.partition("=")
                if not eq and k + 1 < len(words) and not words[k + 1].startswith("-"):
                    value, k = words[k + 1], k + 1
                out[name] = value
            elif w.startswith("-") and len(w) >= 2:
                name = _LONG.get(w[:2], w[:2])
                value = w[2:]
                if not value and k + 1 < len(words) and not words[k + 1].startswith("-"):
                    value, k = words[k + 1], k + 1
                out[name] = value
            k += 1
    return out


def _exported(text: str, name: str) -> list[str]:
    """The values a script gives the environment variable ``name`` (``export NAME=...``, ``NAME=...``, or
    ``[env] NAME=... cmd``), as bash reads them (quotes removed), wherever they are and whether or not the worker
    gets them (_worker_environment judges that)."""
    values = []
    for line in text.splitlines():
        m = re.match(rf"\s*(?:export\s+|env\s+|declare\s+-x\s+)?(?:[A-Za-z_]\w*=\S*\s+)*{name}=(.*)$", line)
        if m:
            try:
                words = shlex.split(m.group(1), comments=True)
            except ValueError:
                continue
            values.append(words[0] if words else "")
    return values


_ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)=(.*)", re.DOTALL)


def _without_assignments(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """The variables a command line sets for its command alone (``NAME=value cmd ...``, ``env NAME=value cmd ...``),
    and the command's words without them."""
    given, k = {}, 0
    if words and words[0] == "env":
        k = 1
    while k < len(words) and (m := _ASSIGNMENT.fullmatch(words[k])):
        given[m[1]] = m[2]
        k += 1
    if k == 1 and words[0] == "env":
        k = 0  # env alone, or env with options: leave it as the command
    return given, words[k:]


def _sbatch_exported(opts: dict[str, str]) -> dict[str, str]:
    """The variables ``#SBATCH --export=[ALL,]NAME=value,...`` sets in the job's environment (sbatch's manual)."""
    return {m[1]: m[2] for item in opts.get("--export", "").split(",") if (m := _ASSIGNMENT.fullmatch(item.strip()))}


def _worker_environment(lines: list[str], at: int, opts: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The variables the worker started on ``lines[at]`` receives, as bash and sbatch give them (review 10b F16):
    those #SBATCH --export sets, those exported before the worker line (``export NAME=value``, ``NAME=value`` then
    ``export NAME``, or any assignment after ``set -a``), and those the worker line sets for its command
    (``NAME=value python ...``). Also returns the variables set before it but never exported (bash keeps them in the
    shell: the worker does not get them), or set for another command alone."""
    env, shell, allexport = _sbatch_exported(opts), {}, False
    for line in lines[:at]:
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if not words:
            continue
        if words[0] == "export" or words[:2] == ["declare", "-x"]:
            for w in words[1 if words[0] == "export" else 2 :]:
                if m := _ASSIGNMENT.fullmatch(w):
                    env[m[1]] = m[2]
                    shell.pop(m[1], None)
                elif w in shell:
                    env[w] = shell.pop(w)
            continue
        if words[:2] in (["set", "-a"], ["set", "-o"]) and (words[1] == "-a" or words[2:3] == ["allexport"]):
            allexport = True
        given, rest = _without_assignments(words)
        for k, v in given.items():
            if rest:  # NAME=value cmd: for that command alone, neither the shell's nor the worker's
                shell.setdefault(k, v)
            elif allexport or k in env:  # NAME=value on its own: a shell variable, exported only under set -a
                env[k] = v
            else:
                shell[k] = v
    try:
        env.update(_without_assignments(shlex.split(lines[at], comments=True))[0])
    except ValueError:
        pass
    return env, shell


def _worker_line(text: str) -> str | None:
    for line in text.splitlines():
        if re.search(r"distributed\.cli\.dask_worker|\bdask[ -]worker\b", line) and not line.lstrip().startswith("#"):
            return line
    return None


#: Interpreters and commands a worker line may start with once a launcher (srun) is set aside
_STARTERS = ("python", "python3", "dask", "dask-worker")


@cache
def _has_dask_worker_script() -> bool:
    """Whether the installed distributed puts a ``dask-worker`` command in an environment's bin/ (older releases did;
    this one's entry points give only ``dask worker``, the subcommand of the ``dask`` command)."""
    from importlib.metadata import entry_points

    return any(e.name == "dask-worker" for e in entry_points(group="console_scripts"))


def _venv_starters() -> tuple[str, ...]:
    """The commands of the course's environment (by full path) that start a worker (review 10b F1): its interpreter
    (``python -m distributed.cli.dask_worker``) and the ``dask`` entry point beside it (``dask worker``), with
    ``dask-worker`` where the installed distributed still installs one."""
    names = ("python", "python3", "dask") + (("dask-worker",) if _has_dask_worker_script() else ())
    return tuple(f"{VENV}/bin/{name}" for name in names)


def _without_launcher(words: list[str]) -> list[str]:
    """The worker command without a leading ``srun`` and its options (``srun /path/python -m ...``,
    ``srun -n 1 -c 16 --cpu-bind=cores python ...``), which start the worker inside the allocation: the interpreter
    is then the first word after them that is a path or one of _STARTERS (review 10 F5)."""
    if not words or words[0].rsplit("/", 1)[-1] != "srun":
        return words
    for k, w in enumerate(words[1:], 1):
        if not w.startswith("-") and (w.rsplit("/", 1)[-1] in _STARTERS or w.startswith(("/", "~", "$"))):
            return words[k:]
    return words


def _flag(words: list[str], name: str) -> str | None:
    for k, w in enumerate(words):
        if w == name and k + 1 < len(words):
            return words[k + 1]
        if w.startswith(name + "="):
            return w.split("=", 1)[1]
    return None


#: Shell variables SLURM sets in the job's environment that a worker line may use for a count, and which of the
#: job's #SBATCH values each one takes (sbatch's manual, OUTPUT ENVIRONMENT VARIABLES)
_SLURM_COUNTS = {"SLURM_CPUS_PER_TASK": "--cpus-per-task", "SLURM_CPUS_ON_NODE": "--cpus-per-task",
                 "SLURM_NTASKS": "--ntasks"}  # fmt: skip


def _count(text: str, name: str, opts: dict) -> int | str:
    """The number a worker-line count stands for: digits as they are; a SLURM variable as the job's #SBATCH value gives
    it (the check's job has one task on one node, so SLURM_CPUS_ON_NODE is the cores asked for); else a message."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    m = re.fullmatch(r"\$\{?(\w+)\}?", text)
    if m and m.group(1) in _SLURM_COUNTS:
        return int(opts.get(_SLURM_COUNTS[m.group(1)], "1"))
    if m:
        return (f"{name} {text}: SLURM does not set ${m.group(1)}, so the check cannot tell how many there will be. "
                f"Write the number, or ${{SLURM_CPUS_PER_TASK}} (the cores of the job's task).")
    return f"{name} {text}: Dask reads {name} as a whole number (or, for --nworkers only, 'auto'); write one."


def _worker_counts(words: list[str], opts: dict) -> tuple[int, int] | str:
    """(worker processes, threads each) as `dask worker` reads its flags on the job's cores, or a message when the
    check cannot read them. distributed/cli/dask_worker.py: --nworkers defaults to 1, 'auto' splits the cores as
    nprocesses_nthreads does, a negative n means cores + 1 + n; --nthreads 0 or absent gives each process
    cores // nworkers threads (dask.system.CPU_COUNT, which honours the job's CPU affinity, is taken to be the cores
    the job asks for)."""
    from distributed.deploy.utils import nprocesses_nthreads

    cores = int(opts.get("--cpus-per-task", "1"))
    given, threads_given = _flag(words, "--nworkers"), _flag(words, "--nthreads")
    if given == "auto":
        nworkers, nthreads = nprocesses_nthreads(cores)
    else:
        nworkers = 1 if given is None else _count(given, "--nworkers", opts)
        if isinstance(nworkers, str):
            return nworkers
        nworkers = cores + 1 + nworkers if nworkers < 0 else nworkers
        nthreads = 0
    if nworkers <= 0:
        return f"--nworkers {given} leaves no worker process: Dask refuses to start. Ask for at least one."
    if threads_given is not None:
        nthreads = _count(threads_given, "--nthreads", opts)
        if isinstance(nthreads, str):
            return nthreads
    return nworkers, nthreads if nthreads > 0 else max(cores // nworkers, 1)


def _seconds(text: str | None) -> float | None:
    if text is None:
        return None
    from dask.utils import parse_timedelta

    try:
        return float(parse_timedelta(text, default="s"))
    except (ValueError, TypeError):
        return None


def _bytes(text: str | None) -> float | None:
    if text is None:
        return None
    from dask.utils import parse_bytes

    try:
        return float(parse_bytes(text))
    except (ValueError, TypeError):
        return None


JOB_MISTAKES = {
    "directive after a command": "{line!r} is in the script, but after its first command ({command!r}), and sbatch "
    "ignores it: it reads #SBATCH lines only until the first line that is neither a comment nor blank (sbatch(1): "
    "\"sbatch will stop processing further #SBATCH directives once the first non-comment non-whitespace line has "
    "been reached\"), so the job would run without that option (it is an ordinary comment to bash). Move every "
    "#SBATCH line up, right after the #! line, before export, module, source or any other command.",
    "minutes:seconds": "SLURM reads a time limit of {wall!r} as minutes:seconds, so the job would stop after 6 "
    "minutes. Write six hours as 06:00:00 (or 360, or 0-6).",
    "tasks not cores": "-n 16 asks for 16 tasks (possibly on several nodes), and the worker command runs once: ask for "
    "one task with 16 cores, -n 1 --cpus-per-task=16 (or -c 16).",
    "memory per core": "4 GiB is the memory per core; --mem is the memory of the whole job: 64G.",
    "no data root": "the resources are right, but the workers will not find the data: pass data_root={root!r}, so "
    "the job exports HEARTDATA_DIR.",
    "bare interpreter": "the worker starts with {python!r}, which is not the course's environment on the cluster "
    "(slurm_job_script writes this kernel's own interpreter unless you pass python=...): {fix}.",
    "no dask-worker": "the worker starts with dask-worker, a command the course's version of distributed does not "
    "install (its entry points give the subcommand dask worker): the job would stop at once, no such command. Start "
    "it with {venv}/bin/dask worker, or {python} -m distributed.cli.dask_worker.",
    "GB not GiB": "the job asks for {mib:,} MiB, which is 64 x 10^9 bytes: slurm_job_script reads memory='64GB' as SI "
    "gigabytes, less than the 64 GiB asked for. Pass memory='64G' (in a script, sbatch reads --mem=64G and --mem=64GB "
    "alike as 64 GiB).",
    "threads in one process": "one worker process of 16 threads, where the exercise asks for several processes. "
    "Whether 16 threads would wait for each other on the GIL was not measured (the lesson's two worker threads were "
    "hardly ever blocked, on a busy 2-core machine), and distributed's Efficiency page expects NumPy/SciPy code to "
    "suit threads but pure Python code not; this pipeline is both. Single-threaded processes cannot wait for each "
    "other on the GIL whatever its share, so they are the safe default (slurm_job_script's: one per core) until a "
    "timing on the node shows threads do as well.",
    "memory limit": "{why}: SLURM would kill the job before Dask could pause or restart a worker. Give each worker an "
    "absolute limit whose total stays below --mem and leaves about 10% of it free, e.g. --memory-limit {each:g}GiB for "
    "your {nworkers} workers.",
    "no lifetime": "the workers have no --lifetime shorter than the time limit: SLURM would stop them mid-task at 6 "
    "hours. Let them retire a few minutes before it.",
    "stagger past the limit": "--lifetime {lifetime:g} s is shorter than the 6-hour limit, but --lifetime-stagger "
    "{stagger:g} s lets a worker's lifetime run up to {late:g} s, which reaches the limit: SLURM would stop the last "
    "workers mid-task. Keep lifetime + stagger (+ start-up and time to retire) inside the limit.",
    "lifetime without margin": "the last worker retires {late:g} s after it starts ({lifetime:g} s of --lifetime plus "
    "{stagger:g} s of stagger), {margin:g} s before the 6-hour limit: the worker itself starts up to {startup:g} s "
    "after the job (the node's set-up, the imports), inside the same limit, and then needs time to hand its data on "
    "and close. The lesson's rule, --lifetime = limit - start-up - stagger - stagger, leaves at least {least:g} s "
    "({startup:g} s of start-up and {retire:g} s to retire: as long again as the stagger, at least {floor:g} s; "
    "slurm_job_script leaves {course:g}).",
    "lifetime without unit": "--lifetime {text} has no unit, and Dask reads a bare number as seconds "
    "(dask.utils.parse_timedelta({text!r}) is {text} s): the workers would retire after {minutes:.1f} minutes of the "
    "6-hour job. Write the unit: by the lesson's rule, {rule_min:g}m ({rule:g} s).",
    "lifetime too short": "--lifetime {text} retires the workers {early:.0f} minutes before the lesson's rule asks: "
    "limit - start-up - stagger - stagger (at least {floor:g} s to retire) = {limit:g} - {startup:g} - {stagger:g} "
    "- {retire:g} = {rule:g} s ({rule_min:g}m) with your stagger. The rest of the job's 6 hours would be paid for "
    "with no workers: retire them by the rule, a few minutes before the limit.",
    "not a shell": "the #! line ({line!r}) runs the script with {shell}, not a shell: the #SBATCH lines are comments "
    "to any interpreter, but export and the worker command are shell lines, which {shell} cannot run. Begin the "
    "script with #!/usr/bin/env bash, as slurm_job_script does.",
    "lifetime restart": "--lifetime-restart starts a retired worker again with a fresh --lifetime of {lifetime:g} s, "
    "which runs past the 6-hour limit: SLURM then kills it mid-task. Leave it out: a worker that retires before the "
    "limit should stay retired (the job ends when its last worker does).",
    "GPUs for CPU work": "the job asks for GPUs ({what}), but the feature pipeline is CPU work (NumPy, SciPy): the "
    "GPUs would sit idle, charged to the grant, and a GPU partition's queue is often longer. Ask for CPU cores only, "
    "on a CPU partition.",
    "memory fraction": "--memory-limit {value} is a number of at most 1, which Dask reads as a fraction of the memory "
    "it detects (distributed/system.py: the machine's total, lowered only by a limit in the cgroup files at the top of "
    "/sys/fs/cgroup or by RLIMIT_RSS), for each worker: {nworkers} workers together may then use {times:g} times that. "
    "On a shared node what Dask detects may be the whole node's memory, not the job's --mem, so the workers could "
    "outgrow the job. Give an absolute limit per worker, e.g. 3.6GiB.",
    "no nanny": "--no-nanny with --nworkers {nworkers}: distributed refuses to start (\"You cannot use the --no-nanny "
    "argument when n_workers > 1\", distributed/cli/dask_worker.py), so the job would end at once. Leave --no-nanny "
    "out: each worker process needs its nanny.",
    "no headroom": "the workers together may use {total:.1f} GiB of the job's 64 GiB, leaving less than 10% for their "
    "nannies, the shell and the file cache SLURM may count: SLURM would kill the job before Dask pauses a worker. "
    "Keep about 10% free (slurm_job_script keeps 6.4 GiB).",
    "small workers": "each worker may use {each:.2f} GiB: a worker holds about 180 MiB before its first batch and one "
    "500 Hz batch of 64 records is 29 MiB of signals and its copies, so at this limit workers pause. Give each at "
    "least 1 GiB (fewer, larger workers).",
    "oversubscribed": "{nworkers} workers x {nthreads} threads are {total} threads on 16 cores: they would wait for "
    "the cores. Make nworkers x nthreads = 16.",
    "in the background": "the worker line ends with '&' and nothing waits for it: the script ends at once, and SLURM "
    "ends the job, and its workers, with it. Run the worker in the foreground (drop the '&').",
    "exported too late": "HEARTDATA_DIR is exported after the worker starts, so the workers never see it. Export it "
    "before the worker line.",
    "not exported": "HEARTDATA_DIR is set before the worker line but not exported: bash keeps a plain NAME=value in "
    "the shell, and gives NAME=value before another command to that command alone, so the worker process does not get "
    "it. Write export HEARTDATA_DIR=... (or set it on the worker line "
    "itself, HEARTDATA_DIR=... python ..., or in #SBATCH --export=ALL,HEARTDATA_DIR=...).",
    "both memory options": "the script asks for both --mem and --mem-per-cpu: sbatch refuses the job (the options are "
    "mutually exclusive, sbatch's manual). Keep --mem=64G.",
    "spills to shared storage": "the workers spill to {where}, on the shared file system: many workers writing "
    "temporary files there slow everyone's jobs. Spill to node-local scratch: --local-directory {local} (node-local "
    "on most clusters), or the scratch your centre documents, such as $TMPDIR where it sets one.",
    "spills to memory": "the workers spill to {where}, a tmpfs: its files are held in memory, and the kernel charges "
    "them to the job's memory cgroup, so spilling there fills the very memory spilling should relieve. Spill to "
    "node-local disk: --local-directory {local}, or the scratch disk your centre documents.",
    "no scheduler": "the worker line names no scheduler for the workers to connect to: give its address "
    "(tcp://HOST:8786) or --scheduler-file.",
}


#: Paths a worker line may spill to that are the cluster's shared file systems, not the node's own disk: the
#: exercise's home and data (/net/...), home directories, and the mount points parallel file systems usually have
SHARED_STORAGE = r"(/net/|/home/|/lustre|/gpfs|/projects?/|/storage/|~|\$\{?HOME\b)"
#: Paths that are always a tmpfs, held in memory and charged to the job's cgroup (the lesson, Part C)
MEMORY_STORAGE = r"[\"']?(/dev/shm|/run/shm)(/|[\"']|$)"


#: The shells whose #! line runs the script's lines (export, the worker command) as the lesson writes them
SHELLS = ("bash", "sh", "dash", "ksh", "zsh")


def _interpreter(line: str) -> str | None:
    """The program a #! line runs the script with: its first word's file name, or the command after env
    ('#!/usr/bin/env bash' and '#!/bin/bash -l' both give 'bash'); None for a line that is not #!."""
    if not line.startswith("#!"):
        return None
    words = line[2:].split()
    if words and words[0].rsplit("/", 1)[-1] == "env":
        words = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
    return words[0].rsplit("/", 1)[-1] if words else None


@exercise(mistakes=JOB_MISTAKES)
def job_script(answer):
    if not isinstance(answer, str):
        return incorrect(f"expected the job script as text (what slurm_job_script returns, or your own); got "
                         f"{type(answer).__name__}.")  # fmt: skip
    opts = sbatch_options(answer)
    late = _ignored_directives(answer)
    if late:
        return incorrect(named("directive after a command", line=late[0], command=_first_command(answer)[:60]))
    if not opts:
        return incorrect("no #SBATCH lines found before the first command: pass the text scale.slurm_job_script "
                         "returns, or write the #SBATCH lines at the top of your script.")  # fmt: skip
    if not answer.startswith("#!"):  # sbatch: "This does not look like a batch script. The first line must start
        first = answer.split("\n", 1)[0]  # with #! followed by the path to an interpreter."
        return incorrect(f"sbatch refuses a script whose first line is not #! and an interpreter (yours starts "
                         f"{first[:40]!r}): begin it with #!/usr/bin/env bash, as slurm_job_script does.")
    interpreter = _interpreter(answer.split("\n", 1)[0])
    if interpreter not in SHELLS:  # review r22-s11: a python #! line passed; python cannot run export, the worker
        return incorrect(named("not a shell", line=answer.split("\n", 1)[0][:60], shell=interpreter or "nothing"))
    # the resources, read as sbatch reads them
    wall = opts.get("--time")
    if wall is not None and re.fullmatch(r"0?6:00", wall.strip()):
        return close(named("minutes:seconds", wall=wall))
    try:
        seconds = scale.slurm_seconds(wall) if wall is not None else None
    except DataError:
        seconds = None
    if seconds != scale.slurm_seconds(JOB["walltime"]):
        return incorrect(f"the time limit is {wall or 'missing'}; the job needs 6 hours (-t 06:00:00).")
    cpus, tasks = opts.get("--cpus-per-task"), opts.get("--ntasks")
    if cpus is None and tasks == str(JOB["cores"]):
        return close(named("tasks not cores"))
    if cpus != str(JOB["cores"]):
        return incorrect(f"the job asks for {cpus or 1} core(s) per task; it needs {JOB['cores']} "
                         "(--cpus-per-task=16, or -c 16).")  # fmt: skip
    for option, what in (("--ntasks", "tasks"), ("--nodes", "nodes")):
        if opts.get(option, "1").strip() != "1":
            return incorrect(f"the job asks for {opts[option]} {what} ({option}), each with 16 cores, but the worker "
                             "command runs once: ask for one task on one node (-n 1, or leave --ntasks and --nodes "
                             "out).")  # fmt: skip
    want = scale.slurm_mebibytes(JOB["memory"])
    mem, per_cpu = sbatch_mebibytes(opts.get("--mem")), sbatch_mebibytes(opts.get("--mem-per-cpu"))
    unreadable = [f"{o}={opts[o]}" for o, v in (("--mem", mem), ("--mem-per-cpu", per_cpu)) if o in opts and v is None]
    if unreadable:
        return incorrect(f"sbatch would refuse {unreadable[0]}: it takes a whole number with an optional K, M, G or T "
                         "(powers of 1024, an optional B after it), so write 64G or 65536 (MiB); 64GiB and 64.0G are "
                         "not read.")  # fmt: skip
    if mem is None and per_cpu is not None:
        mem = per_cpu * JOB["cores"]
    if mem == want // JOB["cores"]:
        return close(named("memory per core"))
    if mem is not None and mem == scale.slurm_mebibytes("64GB"):
        return close(named("GB not GiB", mib=round(mem)))
    if mem != want:
        return incorrect(f"the job's memory is {opts.get('--mem', 'missing')}; it needs 64 GiB (--mem=64G).")
    if opts.get("--partition") != JOB["queue"]:
        return incorrect(f"the partition should be {JOB['queue']!r}; it is {opts.get('--partition', 'missing')!r}.")
    if opts.get("--account") != JOB["account"]:
        return incorrect(f"the account should be {JOB['account']!r}; it is {opts.get('--account', 'missing')!r}.")
    gpus = [f"{o}={v}" if v else o for o, v in opts.items()
            if o in ("--gpus", "--gpus-per-node", "--gpus-per-task", "--gpus-per-socket", "-G")
            or (o == "--gres" and "gpu" in v.lower())]  # fmt: skip
    if gpus:
        return close(named("GPUs for CPU work", what=", ".join(gpus)))
    # the data and the environment on the compute node
    if "--mem" in opts and "--mem-per-cpu" in opts:
        return incorrect(named("both memory options"))
    roots = _exported(answer, "HEARTDATA_DIR") + [v for k, v in _sbatch_exported(opts).items() if k == "HEARTDATA_DIR"]
    if JOB["data_root"] not in roots:
        if any(JOB["data_root"] in r for r in roots):
            return incorrect(f"HEARTDATA_DIR is set to {roots[-1]!r}, not to the data folder {JOB['data_root']!r} "
                             "itself.")  # fmt: skip
        return close(named("no data root", root=JOB["data_root"]))
    joined = re.sub(r"\\\n", " ", answer)  # a command continued over lines is one line to bash
    worker = _worker_line(joined)
    if worker is None:
        return incorrect("the script starts no Dask worker: its last line should run distributed.cli.dask_worker "
                         "(slurm_job_script writes it).")  # fmt: skip
    lines = joined.splitlines()
    at = lines.index(worker)
    env, shell = _worker_environment(lines, at, opts)
    if env.get("HEARTDATA_DIR") != JOB["data_root"]:
        if shell.get("HEARTDATA_DIR") == JOB["data_root"]:
            return close(named("not exported"))
        return close(named("exported too late"))
    if re.search(r"&\s*(#.*)?$", worker) and not any(re.match(r"\s*wait\b", line) for line in lines[at + 1 :]):
        return close(named("in the background"))
    words = _without_launcher(_without_assignments(shlex.split(worker, comments=True))[1])
    activated = any(re.search(rf"(source|\.)\s+{re.escape(VENV)}/bin/activate", line) for line in
                    answer.splitlines())  # fmt: skip
    command = words[0].rsplit("/", 1)[-1]
    if command == "dask-worker" and not _has_dask_worker_script():
        return incorrect(named("no dask-worker", python=JOB["python"], venv=VENV))
    if words[0] not in _venv_starters() and not (activated and words[0] in _STARTERS):
        fix = (f"you activate {VENV} in a setup line, so start the worker with plain python (or pass "
               f"python={JOB['python']!r})" if activated else
               f"pass python={JOB['python']!r} (or activate that environment in a setup line and start the worker "
               "with plain python)")
        return close(named("bare interpreter", python=words[0], fix=fix))
    if _flag(words, "--scheduler-file") is None and not any(re.fullmatch(r"(tcp|tls|ucx|inproc)://\S+|[\w.-]+:\d+", w)
                                                           for w in words):  # fmt: skip
        return incorrect(named("no scheduler"))
    counts = _worker_counts(words, opts)
    if isinstance(counts, str):
        return incorrect(counts)
    nworkers, nthreads = counts
    if nworkers > 1 and "--no-nanny" in words:  # distributed/cli/dask_worker.py refuses it and exits
        return incorrect(named("no nanny", nworkers=nworkers))
    if nworkers == 1 and nthreads == JOB["cores"]:
        return close(named("threads in one process"))
    if nworkers * nthreads > JOB["cores"]:
        return close(named("oversubscribed", nworkers=nworkers, nthreads=nthreads, total=nworkers * nthreads))
    text = _flag(words, "--memory-limit")
    try:
        fraction = float(text) if text is not None else None
    except ValueError:
        fraction = None
    if fraction is not None and 0 < fraction <= 1:
        return close(named("memory fraction", value=text, nworkers=nworkers, times=round(nworkers * fraction, 2)))
    limit = _bytes(text)
    if text is None or text.strip().lower() == "auto":  # 'auto' is distributed's default (parse_memory_limit)
        given = ("with no --memory-limit (Dask's default, 'auto')" if text is None else
                 "--memory-limit auto (also Dask's default)")  # fmt: skip
        why = (f"{given}, Dask gives each worker its share of the memory it detects (nthreads / cores of it: "
               "distributed's worker_memory.parse_memory_limit), and that is the node's memory unless a cgroup limit "
               "is visible where Dask looks, not the job's --mem: together the workers may use the whole node, "
               "and at best all of the job's memory with no headroom")
        return close(named("memory limit", **_memory_example(nworkers), why=why))
    if not limit:
        why = f"--memory-limit {text} means no limit to Dask, so the workers may use the job's whole memory and more"
        return close(named("memory limit", **_memory_example(nworkers), why=why))
    if limit * nworkers >= want * 2**20:
        why = (f"{nworkers} workers x {limit / 2**30:.2f} GiB may use {limit * nworkers / 2**30:.1f} GiB, all of the "
               "job's 64 GiB")
        return close(named("memory limit", **_memory_example(nworkers), why=why))
    if limit * nworkers > (1 - scale.HEADROOM) * want * 2**20 * 1.001:  # 3.60GiB x 16 is 0.9 x 64 GiB, rounded
        return close(named("no headroom", total=limit * nworkers / 2**30))
    if limit < scale.WORKER_MIN_MIB * 2**20 * 0.999:
        return close(named("small workers", each=limit / 2**30))
    where = _flag(words, "--local-directory")
    if where is not None and re.match(SHARED_STORAGE, where):
        return close(named("spills to shared storage", where=where, local=scale.LOCAL_DIRECTORY))
    if where is not None and re.match(MEMORY_STORAGE, where):  # review r26-10 F6: /dev/shm was judged correct
        return close(named("spills to memory", where=where, local=scale.LOCAL_DIRECTORY))
    for name in ("--lifetime", "--lifetime-stagger"):
        if _flag(words, name) is not None and _seconds(_flag(words, name)) is None:
            return incorrect(f"Dask cannot read {name} {_flag(words, name)}: give one number and unit, such as 350m "
                             "or 21000s.")  # fmt: skip
    lifetime = _seconds(_flag(words, "--lifetime"))
    stagger = _seconds(_flag(words, "--lifetime-stagger")) or 0.0
    if lifetime is None or lifetime >= seconds:
        return close(named("no lifetime"))
    if lifetime + stagger >= seconds:
        return close(named("stagger past the limit", lifetime=lifetime, stagger=stagger, late=lifetime + stagger))
    if seconds - (lifetime + stagger) < least_margin(stagger):
        return close(named("lifetime without margin", late=lifetime + stagger, lifetime=lifetime, stagger=stagger,
                           margin=seconds - lifetime - stagger, least=least_margin(stagger),
                           startup=scale.WORKER_STARTUP_S, retire=least_margin(stagger) - scale.WORKER_STARTUP_S,
                           course=_course_margin(), floor=RETIRE_S))  # fmt: skip
    rule = seconds - least_margin(stagger) - stagger  # the lesson's rule, for the student's own stagger
    if lifetime < rule - EARLY_S:  # review r22-s11: '--lifetime 348' (seconds to Dask), 30m and 1s passed
        text = _flag(words, "--lifetime")
        if re.fullmatch(r"\s*\d+(\.\d+)?\s*", text):
            return close(named("lifetime without unit", text=text.strip(), minutes=lifetime / 60, rule=rule,
                               rule_min=rule / 60))  # fmt: skip
        return close(named("lifetime too short", lifetime=lifetime, text=text, early=(rule - lifetime) / 60, rule=rule,
                           rule_min=rule / 60, stagger=stagger, startup=scale.WORKER_STARTUP_S,
                           retire=max(RETIRE_S, stagger), floor=RETIRE_S, limit=seconds))  # fmt: skip
    if "--lifetime-restart" in words:
        return close(named("lifetime restart", lifetime=lifetime))
    return correct(f"16 cores, 64 GiB and 6 hours on {JOB['queue']}, charged to the account, in the course's "
                   f"environment with the data root given to the workers; {nworkers} worker processes that stay "
                   "below the job's memory and retire before its limit.")  # fmt: skip


# ---- exercise 5: features at 500 Hz, on the workers ---------------------------------------------------------------


@cache
def _features_500() -> pd.DataFrame:
    return scale.ecg_features_serial(fs=500)


FEATURES_MISTAKES = {
    "100 Hz": "{rows} rows: these are the 100 Hz records. Pass fs=500 to get the {n} records this copy has at 500 Hz "
    "(scale.available_ids(500)).",
    "computed in the kernel": "the values are right, but the table carries the mark scale.ecg_features_serial "
    "leaves on its table: it came from that loop in this kernel, not from scale.ecg_features' batches on the "
    "workers. Pass the client: scale.ecg_features(client, fs=500).",
}


def _values_differ(table: pd.DataFrame, expected: pd.DataFrame) -> str:
    """Why the right records carry other values: rounded (feedback's rounding rule), computed at 100 Hz (equal to
    the same records' 100 Hz features), or changed otherwise."""
    got, want = table.to_numpy(float).ravel(), expected.to_numpy(float).ravel()
    if np.array_equal(np.isnan(got), np.isnan(want)):
        known = ~np.isnan(want)
        how = rounding_all(got[known], want[known])
        if how:
            return (f"these are the right values rounded {how}. Store the table scale.ecg_features returns, "
                    "unrounded: rounding is for showing a number, not for keeping it.")
    at_100 = scale.ecg_features_serial(list(expected.index), fs=100)[list(expected.columns)]
    if np.allclose(table.to_numpy(float), at_100.to_numpy(float), equal_nan=True):
        return ("these are the features of the same records at 100 Hz: pass fs=500 to scale.ecg_features (and the "
                "500 Hz ids, scale.available_ids(500)).")
    return ("the values differ from ecg_features_serial(fs=500), the same records computed in one loop: compute "
            "them with scale.ecg_features(client, fs=500) and store the table unchanged.")


@exercise(mistakes=FEATURES_MISTAKES)
def features_500(answer, client=None):
    if not isinstance(answer, pd.DataFrame):
        return incorrect(f"expected a DataFrame (what scale.ecg_features returns); got {type(answer).__name__}.")
    table = answer.copy()
    if "ecg_id" in table.columns and table.index.name != "ecg_id":
        table = table.set_index("ecg_id")  # ecg_id as a column (reset_index) is the same answer
    expected = _features_500()
    if len(table) == len(scale.available_ids(100)) and len(table) != len(expected):
        return close(named("100 Hz", rows=len(table), n=len(expected)))
    if sorted(map(str, table.columns)) != sorted(expected.columns):
        return incorrect(f"expected the columns of scale.FEATURES; got {list(table.columns)[:5]}.")
    if table.index.name != "ecg_id" and 0 in set(table.index):  # no PTB-XL record has ecg_id 0: these are positions
        starts = int((table.index == 0).sum())
        numbered = (f"numbered from 0 again in each of {starts} pieces (pd.concat keeps each piece's own row numbers)"
                    if starts > 1 else "numbered 0, 1, 2, ...")
        return incorrect(f"the table's index holds row positions, {numbered}, not ecg_ids: the exercise asks for one "
                         "row per ecg_id, indexed by ecg_id as scale.ecg_features returns it (scale.record_features "
                         "numbers a batch's rows from 0). Compute it with scale.ecg_features(client, fs=500), or "
                         "give each piece its records' ecg_ids as the index before joining them.")  # fmt: skip
    if table.index.has_duplicates:
        return incorrect("some ecg_id appears twice: the table has one row per record.")
    if set(table.index) != set(expected.index):
        missing = len(set(expected.index) - set(table.index))
        extra = set(table.index) - set(expected.index)
        rate = (" but a 100 Hz one: was it computed with fs=100?" if extra <= set(scale.available_ids(100)) else "")
        found = [f"{len(extra)} of its {len(table)} rows are records without a 500 Hz file{rate}" if extra else "",
                 f"{missing} of the {len(expected)} are missing" if missing else ""]  # fmt: skip
        return incorrect(f"expected one row for each of the {len(expected)} records with a 500 Hz file "
                         f"(scale.available_ids(500)), and no other: {'; '.join(f for f in found if f)}.")  # fmt: skip
    table = table.loc[expected.index, expected.columns]  # any row or column order is the same answer
    if not np.allclose(table.to_numpy(float), expected.to_numpy(), equal_nan=True):
        return incorrect(_values_differ(table, expected))
    # judged from the answer itself, not from what the session ran before: the mark scale.ecg_features leaves
    mark = answer.attrs.get(scale.ON_WORKERS)
    if isinstance(mark, dict) and mark.get("fs") == 500:
        return correct(f"{len(table)} records at 500 Hz, computed by tasks on the workers: the same table as one loop "
                       "gives.")  # fmt: skip
    if answer.attrs.get(scale.ON_LOOP) is not None:  # the loop's own mark: evidence, not a guess
        return close(named("computed in the kernel"))
    # no mark either way (review r22-s11: pd.DataFrame(table), to_dict and join drop DataFrame.attrs): the values are
    # right, and where they were computed cannot be told from the table, so say so and claim nothing
    return correct(f"the {len(table)} records at 500 Hz, with the right values. The table carries no mark of where it "
                   "was computed (scale.ecg_features marks its table in DataFrame.attrs, but pd.DataFrame(...), "
                   "to_dict() and join() drop that mark), so this check cannot tell whether the workers computed it: "
                   "if you did not call scale.ecg_features(client, fs=500), do, and store its table as it comes.")
    return correct(f"{len(table)} records at 500 Hz, computed by tasks on the workers: the same table as one loop "
                   "gives.")
