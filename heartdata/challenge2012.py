"""PhysioNet/CinC Challenge 2012: the first 48 h of ICU stays, returned as shipped.

Silva et al., Predicting In-Hospital Mortality of ICU Patients: The PhysioNet/
Computing in Cardiology Challenge 2012. CinC 2012;39:245-248. Licence ODC-By 1.0.

A set is read from its folder (``set-a/``) or, as shipped with the course, from
the archive PhysioNet also serves (``set-a.tar.gz``), without unpacking it.
Nothing is cleaned: -1 sentinels, impossible values and duplicates stay. What
cannot be read as PhysioNet writes it is refused, naming the file and line: a
time that is not HH:MM, a value that is not a finite number, a file whose
RecordID row disagrees with its name, a stay stored twice, a folder and an
archive of the same set that disagree.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import re
import tarfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import DataError, as_ids, missing_file, unknown
from .paths import dataset_dir

#: The static descriptors recorded at Time 00:00 of every stay (-1 = not recorded).
DESCRIPTORS = ["RecordID", "Age", "Gender", "Height", "ICUType", "Weight"]
#: ICUType codes, as documented by the Challenge.
ICU_TYPES = {1: "Coronary Care Unit", 2: "Cardiac Surgery Recovery Unit", 3: "Medical ICU", 4: "Surgical ICU"}
OUTCOME_COLUMNS = ["RecordID", "SAPS-I", "SOFA", "Length_of_stay", "Survival", "In-hospital_death"]
STAY_HEADER = b"Time,Parameter,Value"
#: A stay file is named by its RecordID: 132539.txt. Other files in a set (README.txt, macOS ._132539.txt)
#: are not stays and are skipped, in a folder and in an archive alike.
_STAY_FILE = re.compile(r"(\d+)\.txt")
_SET_NAME = re.compile(r"[A-Za-z0-9_-]+")
#: A line exactly as PhysioNet writes it (used only to find the first line that is not).
#: (short enough that no number it matches overflows to inf)
_GOOD_LINES = re.compile(rb"(?:\d\d:[0-5]\d,[^,\n\"\r]+,-?(?:\d{1,15}(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,2})?\n)*")
_LINE_FIX = (
    "Each line must be 'HH:MM,Parameter,Value' (hours:minutes since ICU admission, a finite number), as "
    "PhysioNet writes it: fix or replace the file, or pass record_ids= without this stay."
)


class _Stay(NamedTuple):
    name: str  # the path shown in messages
    rid: int
    raw: bytes


def data_dir(root=None) -> Path:
    return dataset_dir("challenge2012", root, marker="[Os][ue]t*-[a-z]*")  # Outcomes-x.txt or set-x


def available_sets(root=None) -> list[str]:
    folder = data_dir(root)
    names = {
        p.name[4:].removesuffix(".tar.gz") for p in folder.glob("set-*") if p.is_dir() or p.name.endswith(".tar.gz")
    }
    return sorted(names)


def _check_set_name(set_name) -> str:
    if not isinstance(set_name, str) or not _SET_NAME.fullmatch(set_name):
        raise DataError(
            f"set_name={set_name!r}"[:120],
            "is not a set name",
            "Pass the set's letter as text: 'a' (shipped), or 'b' or 'c' on a full copy.",
        )
    return set_name


def _set_sources(set_name: str, root) -> tuple[Path | None, Path | None]:
    """The set's folder and archive (either may be None, not both)."""
    folder = data_dir(root)
    d, z = folder / f"set-{set_name}", folder / f"set-{set_name}.tar.gz"
    if d.exists() and not d.is_dir():
        raise DataError(d, "is a file, not a set folder", "Remove or rename it: a set is a folder of stay files.")
    if z.exists() and not z.is_file():
        raise DataError(z, "is a folder, not an archive", f"Rename it; unpacked stays belong in {d.name}/.")
    if not d.is_dir() and not z.is_file():
        raise unknown("set name", [repr(set_name)], available_sets(root), folder)
    return (d if d.is_dir() else None), (z if z.is_file() else None)


def _archive_error(source: Path, exc: BaseException) -> DataError:
    return DataError(
        source,
        f"the archive is damaged or incomplete ({exc.__class__.__name__}: {exc})",
        f"Download {source.name} again from PhysioNet (python -m heartdata download challenge2012), "
        f"or unpack a good copy into a {source.name.removesuffix('.tar.gz')}/ folder.",
    )


def _no_duplicates(stays: list[_Stay], source: Path) -> list[_Stay]:
    seen: dict[int, str] = {}
    for s in stays:
        if s.rid in seen:
            raise DataError(
                source,
                f"holds RecordID {s.rid} twice ({seen[s.rid]} and {s.name}); it would load twice",
                "Keep one copy of each stay (one set folder, one file per RecordID).",
            )
        seen[s.rid] = s.name
    return stays


def _read_bytes(path: str) -> bytes:
    """The bytes of a file, with os.read (a third of the cost of open() per small file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _folder_stays(source: Path) -> list[_Stay]:
    with os.scandir(source) as entries:
        names = sorted(e.name for e in entries if _STAY_FILE.fullmatch(e.name) and e.is_file())
    out = []
    top = str(source) + os.sep
    for name in names:
        try:
            out.append(_Stay(top + name, int(name[:-4]), _read_bytes(top + name)))
        except OSError as exc:
            raise DataError(top + name, f"cannot be read ({exc.strerror})", "Check its permissions.") from None
    return _no_duplicates(out, source)


def _archive_stays(source: Path) -> list[_Stay]:
    # The whole archive is decompressed at once (about 30 MB per set): one zlib call is several
    # times faster than tarfile's streaming reads, and the gzip CRC and length are checked.
    try:
        raw = gzip.decompress(source.read_bytes())
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            members = [m for m in tar if m.isfile() and _STAY_FILE.fullmatch(m.name.rsplit("/", 1)[-1])]
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _archive_error(source, exc) from None
    members.sort(key=lambda m: (m.name.rsplit("/", 1)[-1], m.name))
    view = memoryview(raw)
    out = []
    for m in members:
        end = m.offset_data + m.size
        if end > len(raw):
            raise _archive_error(source, EOFError(f"{m.name} is cut short"))
        base = m.name.rsplit("/", 1)[-1]
        out.append(_Stay(f"{source}:{m.name}", int(base[:-4]), bytes(view[m.offset_data : end])))
    return _no_duplicates(out, source)


def _set_stays(set_name: str, root) -> tuple[Path, list[_Stay]]:
    """The stays of a set; a folder and an archive of the same set must hold the same files."""
    folder, archive = _set_sources(set_name, root)
    if folder is None:
        return archive, _archive_stays(archive)
    stays = _folder_stays(folder)
    if archive is None:
        return folder, stays
    packed = {s.rid: s.raw for s in _archive_stays(archive)}
    unpacked = {s.rid: s.raw for s in stays}
    if packed != unpacked:
        only_a = sorted(packed.keys() - unpacked.keys())
        only_f = sorted(unpacked.keys() - packed.keys())
        differ = sorted(r for r in packed.keys() & unpacked.keys() if packed[r] != unpacked[r])
        parts = [f"the folder holds {len(unpacked):,} stays, the archive {len(packed):,}"]
        for n, what, ids in ((len(only_a), "only in the archive", only_a), (len(only_f), "only in the folder", only_f),
                             (len(differ), "in both but different", differ)):  # fmt: skip
            if n:
                parts.append(f"{n:,} {what} (RecordID {', '.join(map(str, ids[:5]))}{' ...' if n > 5 else ''})")
        raise DataError(
            folder,
            f"and {archive.name} are both here and disagree: {'; '.join(parts)}",
            f"Keep one of them: remove the folder if it was unpacked part-way (tar xzf {archive.name} "
            "unpacks it whole), or move the archive away if the folder is the copy you mean.",
        )
    return folder, stays


def _locate(names: list[str], bodies: list[bytes], row: int) -> tuple[str, int, str]:
    """Map a row of the concatenated bodies back to (file, line number, line text)."""
    lines_per = np.cumsum([b.count(b"\n") for b in bodies])
    k = min(int(np.searchsorted(lines_per, row, side="right")), len(bodies) - 1)
    first = lines_per[k - 1] if k else 0
    line_in_body = row - first
    text = bodies[k].split(b"\n")[line_in_body].decode("utf-8", "replace")
    return names[k], line_in_body + 2, text  # +1 for the header line, +1 for 1-based


def load_stays(set_name: str = "a", root=None, record_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Every row of every stay file as one long table: RecordID, Time, Parameter, Value.

    Time is minutes since ICU admission (the files write it as HH:MM). Descriptor
    rows (Age, Gender, Height, ICUType, Weight, RecordID at 00:00) are kept.
    ``record_ids`` restricts the load to some stays. ``set_name`` is "a", "b" or
    "c" on a full copy (each set-x/ folder or set-x.tar.gz as PhysioNet serves it).

    A line that does not parse stops the whole load with the file and line number
    (the first such line): loading the rest and skipping it would be hidden
    cleaning, and a student would not notice the stay that lost a value. Fix or
    replace the file, or pass ``record_ids`` without that stay. Each file's
    RecordID row must match its name (outcomes join on it), and a stay file holds
    at least one row.

    Speed: the bytes of every file are joined and parsed in one pass: the times by
    numpy straight from the bytes, parameter and value by pandas' C parser with the
    column types fixed (Parameter read as a category, then returned as text). Only
    when that pass meets something unusual does a slower pass run to name the line.
    """
    _check_set_name(set_name)
    wanted = None if record_ids is None else set(as_ids(record_ids, "record_ids"))
    source, stays = _set_stays(set_name, root)
    if wanted is not None:
        missing = wanted - {s.rid for s in stays}
        if missing:
            raise unknown("RecordID", sorted(missing), [s.rid for s in stays], source)
        stays = [s for s in stays if s.rid in wanted]
    if not stays:
        raise DataError(source, "contains no stay files (NNNNNN.txt)", "Check the set folder or archive.")
    names, bodies = [], []
    skip = len(STAY_HEADER) + 1
    for s in stays:
        raw = s.raw
        if not raw.startswith(STAY_HEADER + b"\n"):  # the usual case is checked without copying
            head, _, body = raw.partition(b"\n")
            if head.strip() != STAY_HEADER:
                raise DataError(
                    s.name,
                    f"line 1 is {head[:40].decode('utf-8', 'replace')!r}, expected 'Time,Parameter,Value'",
                    "This is not a Challenge 2012 stay file; replace it with PhysioNet's original.",
                )
            raw, skip_here = head + b"\n" + body, len(head) + 1
        else:
            skip_here = skip
        if len(raw) == skip_here:
            raise DataError(
                s.name,
                "holds only its header line: no rows, not even its RecordID",
                "Replace it with PhysioNet's original (every stay has its 00:00 descriptors), or remove it.",
            )
        if not raw.endswith(b"\n"):
            raw += b"\n"
        names.append(s.name)
        bodies.append(memoryview(raw)[skip_here:])  # joined below without a copy per file
    ids = np.fromiter((s.rid for s in stays), np.int64, len(stays))
    return _parse(names, ids, bodies)


def _parse(names: list[str], ids: np.ndarray, bodies: list) -> pd.DataFrame:
    """The long table from the bodies (bytes or memoryviews, each ending in a newline) of the files."""
    text = b"".join(bodies)
    if not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as exc:
            file, line, content = _locate(names, [bytes(b) for b in bodies], text.count(b"\n", 0, exc.start))
            raise DataError(
                f"{file}, line {line}",
                f"byte 0x{text[exc.start]:02x} in {content!r} is not UTF-8 text (a file saved as Latin-1?)",
                "PhysioNet's stay files are plain ASCII: replace the file with the original.",
            ) from None
    fast = _parse_fast(text)
    if fast is None:
        _first_bad_line(names, [bytes(b) for b in bodies])
        raise DataError(names[0], "the set could not be parsed", _LINE_FIX)  # not reached for any known input
    ends, minutes, parameter, value = fast
    # lines per file, from where the newlines fall (every body ends with one)
    bounds = np.cumsum(np.fromiter((b.nbytes if isinstance(b, memoryview) else len(b) for b in bodies), np.int64))
    counts = np.diff(np.searchsorted(ends, bounds), prepend=0)
    _check_record_ids(names, ids, counts, parameter, value)
    table = pd.DataFrame(
        {
            "RecordID": np.repeat(ids, counts),
            "Time": minutes.astype(np.int64),
            "Parameter": pd.Series(parameter).astype("str"),
            "Value": value,
        },
        copy=False,  # every column is a fresh array: no copy into one block
    )
    return table


def _values(text: bytes):
    """(Parameter categorical, Value) of every line by pandas' C parser, or None if anything is unusual."""
    try:
        table = pd.read_csv(
            io.BytesIO(text),  # shares the bytes, no copy
            header=None,
            names=["Time", "Parameter", "Value"],
            usecols=["Parameter", "Value"],
            dtype={"Parameter": "category", "Value": np.float64},
            engine="c",
            na_filter=False,
            low_memory=True,  # parsed in chunks: about 40% less CPU time here than in one piece (cache)
        )
    except (ValueError, pd.errors.ParserError):
        return None
    return table["Parameter"].array, table["Value"].to_numpy()


def _parse_fast(text: bytes):
    """(line ends, minutes, Parameter categorical, Value) of every line, or None if anything is unusual
    (then _first_bad_line names the line). Empty or missing fields, blank lines, a fourth field, a time
    that is not HH:MM and a value that is not a finite number all land here.

    One thread: parsing in two (pandas' tokenizer releases the GIL) saved wall time on an idle machine
    but kept about 50 MB more resident afterwards (glibc's per-thread arenas), and a notebook's memory
    is the tighter budget."""
    a = np.frombuffer(text, np.uint8)
    ends = np.flatnonzero(a == 10)
    minutes = _minutes(text, a, ends)
    if minutes is None:
        return None
    parsed = _values(text)
    if parsed is None:
        return None
    parameter, value = parsed
    if len(value) != len(ends) or not np.isfinite(value).all() or "" in parameter.categories:
        return None
    return ends, minutes, parameter, value


def _minutes(text: bytes, a: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """Minutes since admission of every line, from the HH:MM that starts it; None if a line has not three
    fields or does not start with HH:MM (MM at most 59) and a comma."""
    n_lines = len(ends)
    if np.count_nonzero(a == 44) != 2 * n_lines:  # three fields on every line
        return None
    starts = np.empty_like(ends)
    starts[0], starts[1:] = 0, ends[:-1] + 1
    if n_lines == 0 or starts[-1] > len(a) - 8:  # the last line is too short to read 8 bytes from
        return None
    # the first 8 bytes of every line as one little-endian word; a line shorter than HH:MM, fails the
    # pattern below (its newline falls among those bytes), and one with no Parameter or value fails
    # the comma count above or pandas
    words = np.ndarray((len(a) - 7,), dtype="<u8", buffer=text, strides=(1,))[starts]
    d = words.view(np.uint8).reshape(-1, 8).T  # d[k] is byte k of every line: H H : M M ,
    digit = [x - np.uint8(48) for x in (d[0], d[1], d[3], d[4])]  # wraps above 9 for anything else
    ok = (digit[0] < 10) & (digit[1] < 10) & (d[2] == 58) & (digit[2] < 6) & (digit[3] < 10) & (d[5] == 44)
    if not ok.all():
        return None
    return digit[0] * np.int16(600) + digit[1] * np.int16(60) + digit[2] * np.int16(10) + digit[3]


def _line_problem(line: bytes) -> str | None:
    """Why a line is not 'HH:MM,Parameter,Value' with a finite value, or None if it is."""
    text = line.decode("utf-8", "replace").rstrip("\r")
    if not text.strip():
        return "the line is blank"
    if '"' in text:
        return "it holds a quote character"
    fields = text.split(",")
    if len(fields) != 3:
        return f"it has {len(fields)} fields, expected 3 (Time,Parameter,Value)"
    t, p, v = fields
    if t.startswith("-"):
        return f"time {t!r} is negative (times count hours:minutes since ICU admission)"
    if not re.fullmatch(r"\d\d:\d\d", t):
        return f"time {t!r} is not HH:MM"
    if int(t[3:]) > 59:
        return f"time {t!r} has {int(t[3:])} minutes (minutes run 00-59)"
    if not p.strip():
        return "the Parameter is empty"
    if not v.strip():
        return "the value is empty"
    try:
        x = float(v)
    except ValueError:
        return f"value {v!r} is not a number"
    if "_" in v:
        return f"value {v!r} is not a number"
    if not math.isfinite(x):
        return f"value {v!r} is not a finite number (PhysioNet writes every value as a number)"
    return None


def _first_bad_line(names: list[str], bodies: list[bytes]) -> None:
    """Raise DataError for the first line, in file order, that is not as PhysioNet writes it."""
    for name, body in zip(names, bodies, strict=True):
        pos = 0
        while pos < len(body):
            pos = _GOOD_LINES.match(body, pos).end()
            if pos >= len(body):
                break
            end = body.find(b"\n", pos)
            line = body[pos:end]
            problem = _line_problem(line)
            if problem:
                shown = line.decode("utf-8", "replace").rstrip("\r")[:80]
                number = body.count(b"\n", 0, pos) + 2
                raise DataError(f"{name}, line {number}", f"cannot parse {shown!r}: {problem}", _LINE_FIX)
            pos = end + 1


def _check_record_ids(names, ids, counts, parameter: pd.Categorical, value: np.ndarray) -> None:
    """Each file's RecordID row (exactly one) must hold the number in its file name."""
    cats = parameter.categories
    code = cats.get_loc("RecordID") if "RecordID" in cats else -2
    rows = np.flatnonzero(parameter.codes == code)
    file_of = np.repeat(np.arange(len(names)), counts)[rows]
    per_file = np.bincount(file_of, minlength=len(names))
    fix = "Replace it with PhysioNet's original: outcomes join on the RecordID in the file name."
    if (per_file != 1).any():
        k = int(np.flatnonzero(per_file != 1)[0])
        n = int(per_file[k])
        raise DataError(names[k], f"has {n} RecordID rows, expected exactly one (00:00,RecordID,{ids[k]})", fix)
    wrong = np.flatnonzero(value[rows] != ids[file_of])
    if wrong.size:
        k = int(file_of[wrong[0]])
        raise DataError(
            names[k],
            f"its RecordID row says {value[rows][wrong[0]]:.12g} but the file is named for {ids[k]} "
            "(a stay copied over another?)",
            fix,
        )


def load_outcomes(set_name: str = "a", root=None) -> pd.DataFrame:
    """Outcomes-<set>.txt indexed by RecordID (SAPS-I, SOFA, Length_of_stay, Survival, In-hospital_death).

    Values are kept as written (-1 = not recorded); a cell that is not a finite number, a repeated
    header line or a RecordID given twice is refused with its line number.
    """
    _check_set_name(set_name)
    folder = data_dir(root)
    path = folder / f"Outcomes-{set_name}.txt"
    if not path.is_file():
        have = sorted(p.name[9:-4] for p in folder.glob("Outcomes-*.txt"))
        if path.exists():
            raise DataError(path, "is a folder, not an outcomes file", "Replace it with PhysioNet's Outcomes file.")
        if have:
            raise unknown("outcomes set name", [repr(set_name)], have, folder)
        raise missing_file(path, "Challenge 2012 outcomes file")
    raw = path.read_bytes()
    fix = "Replace it with PhysioNet's original."
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is not data
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(f"{path}, line {line}", f"byte 0x{raw[exc.start]:02x} is not UTF-8 text", fix) from None
    lines = text.splitlines()
    columns = lines[0].strip().split(",") if lines else []
    if columns != OUTCOME_COLUMNS:
        missing = [c for c in OUTCOME_COLUMNS if c not in columns]
        extra = [c for c in columns if c not in OUTCOME_COLUMNS]
        raise DataError(
            path,
            f"columns are {columns}; missing {missing}, unexpected {extra}",
            f"An outcomes file has exactly the columns {OUTCOME_COLUMNS}; replace it with PhysioNet's original.",
        )
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, na_filter=False, skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        where = f"{path}, line {match.group(1)}" if match else path
        raise DataError(where, f"does not have the {len(OUTCOME_COLUMNS)} columns of the header", fix) from None
    out = {}
    for column in OUTCOME_COLUMNS:
        cells = table[column].str.strip()
        num = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(num)
        if column == "RecordID":
            bad |= np.isfinite(num) & (num != np.round(num))
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            line = lines[r + 1] if r + 1 < len(lines) else ""
            if line.strip() == lines[0].strip():
                problem = "repeats the header line (two files joined?)"
            elif not line.strip():
                problem = "is blank"
            else:
                problem = f"has {column} {cells.iloc[r]!r}, not {'a whole' if column == 'RecordID' else 'a'} number"
            raise DataError(f"{path}, line {r + 2}", f"{problem}: {line[:80]!r}", fix)
        out[column] = num.astype(np.int64) if (num == np.round(num)).all() else num
    result = pd.DataFrame(out)
    dup = result["RecordID"].duplicated(keep=False).to_numpy()
    if dup.any():
        first = int(result["RecordID"][dup].iloc[0])
        at = [int(i) + 2 for i in np.flatnonzero(result["RecordID"].to_numpy() == first)]
        raise DataError(path, f"lists RecordID {first} on lines {', '.join(map(str, at))}", "Keep one row per stay.")
    return result.set_index("RecordID")
