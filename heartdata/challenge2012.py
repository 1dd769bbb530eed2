"""PhysioNet/CinC Challenge 2012: the first 48 h of ICU stays, returned as shipped.

Silva et al., Predicting In-Hospital Mortality of ICU Patients: The PhysioNet/
Computing in Cardiology Challenge 2012. CinC 2012;39:245-248. Licence ODC-By 1.0.

A set is read from its folder (``set-a/``) or, as shipped with the course, from
the archive PhysioNet also serves (``set-a.tar.gz``), without unpacking it.
Nothing is cleaned: -1 sentinels, impossible values and duplicates stay.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, missing_file, unknown
from .paths import dataset_dir

#: The static descriptors recorded at Time 00:00 of every stay (-1 = not recorded).
DESCRIPTORS = ["RecordID", "Age", "Gender", "Height", "ICUType", "Weight"]
#: ICUType codes, as documented by the Challenge.
ICU_TYPES = {1: "Coronary Care Unit", 2: "Cardiac Surgery Recovery Unit", 3: "Medical ICU", 4: "Surgical ICU"}
OUTCOME_COLUMNS = ["RecordID", "SAPS-I", "SOFA", "Length_of_stay", "Survival", "In-hospital_death"]
STAY_HEADER = b"Time,Parameter,Value"
_STAY_NAME = re.compile(r"(?:^|/)(\d+)\.txt$")


def data_dir(root=None) -> Path:
    return dataset_dir("challenge2012", root, marker="[Os][ue]t*-[a-z]*")  # Outcomes-x.txt or set-x


def available_sets(root=None) -> list[str]:
    folder = data_dir(root)
    names = {
        p.name[4:].removesuffix(".tar.gz") for p in folder.glob("set-*") if p.is_dir() or p.name.endswith(".tar.gz")
    }
    return sorted(names)


def _set_source(set_name: str, root) -> Path:
    folder = data_dir(root)
    for candidate in (folder / f"set-{set_name}", folder / f"set-{set_name}.tar.gz"):
        if candidate.exists():
            return candidate
    raise unknown("set name", [repr(set_name)], available_sets(root), folder)


def _archive_error(source: Path, exc: BaseException) -> DataError:
    return DataError(
        source,
        f"the archive is damaged or incomplete ({exc.__class__.__name__}: {exc})",
        f"Download {source.name} again from PhysioNet (python -m heartdata download challenge2012), "
        f"or unpack a good copy into a {source.name.removesuffix('.tar.gz')}/ folder.",
    )


def _stay_files(source: Path) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of every stay file in a set folder or archive, in name order."""
    if source.is_dir():
        for name in sorted(e.name for e in os.scandir(source) if e.name.endswith(".txt")):
            path = os.path.join(source, name)
            with open(path, "rb") as f:
                yield path, f.read()
        return
    # The whole archive is decompressed at once (about 30 MB per set): one zlib call is several
    # times faster than tarfile's streaming reads, and the gzip CRC and length are checked.
    try:
        raw = gzip.decompress(source.read_bytes())
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            members = sorted((m for m in tar if m.isfile() and _STAY_NAME.search(m.name)), key=lambda m: m.name)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _archive_error(source, exc) from None
    view = memoryview(raw)
    for m in members:
        end = m.offset_data + m.size
        if end > len(raw):
            raise _archive_error(source, EOFError(f"{m.name} is cut short"))
        yield f"{source}:{m.name}", bytes(view[m.offset_data : end])


def _locate(names: list[str], bodies: list[bytes], row: int) -> tuple[str, int, str]:
    """Map a row of the concatenated bodies back to (file, line number, line text)."""
    lines_per = np.cumsum([b.count(b"\n") for b in bodies])
    k = int(np.searchsorted(lines_per, row, side="right"))
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
    replace the file, or pass ``record_ids`` without that stay.

    Speed: the set is read in one pass of pandas' C parser with the column types
    fixed; only when that pass meets something unusual does a slower, careful pass
    run to find and name the line.
    """
    source = _set_source(set_name, root)
    wanted = None if record_ids is None else {int(r) for r in ([record_ids] if np.isscalar(record_ids) else record_ids)}
    names, ids, bodies = [], [], []
    for name, raw in _stay_files(source):
        rid = int(_STAY_NAME.search(name).group(1))
        if wanted is not None and rid not in wanted:
            continue
        head, _, body = raw.partition(b"\n")
        if head.strip() != STAY_HEADER:
            raise DataError(
                name,
                f"line 1 is {head[:40].decode('utf-8', 'replace')!r}, expected 'Time,Parameter,Value'",
                "This is not a Challenge 2012 stay file; replace it with PhysioNet's original.",
            )
        if body and not body.endswith(b"\n"):
            body += b"\n"
        names.append(name)
        ids.append(rid)
        bodies.append(body)
    if wanted is not None and len(ids) < len(wanted):
        found = set(ids)
        every = [int(_STAY_NAME.search(n).group(1)) for n, _ in _stay_files(source)]
        raise unknown("RecordID", sorted(wanted - found), every, source)
    if not bodies:
        raise DataError(source, "contains no stay files (NNNNNN.txt)", "Check the set folder or archive.")
    counts = [b.count(b"\n") for b in bodies]
    text = b"".join(bodies)
    # an empty field (",," or ",\n") would be read as "" or NaN: only the careful pass reports it
    table = None if b",," in text or b",\n" in text else _parse_fast(text, sum(counts))
    if table is None:
        table = _parse_careful(text, names, bodies)
    return pd.DataFrame(
        {
            "RecordID": np.repeat(np.asarray(ids, dtype=np.int64), counts),
            "Time": table["Time"],
            "Parameter": table["Parameter"],
            "Value": table["Value"],
        }
    )


def _split_time(text: bytes) -> io.BytesIO:
    # "HH:MM,Param,Value" -> "HH,MM,Param,Value": the colon only ever appears in Time.
    return io.BytesIO(text.replace(b":", b","))


def _parse_fast(text: bytes, n_lines: int) -> dict | None:
    """One typed pass of pandas' C parser; None if anything is unusual (the careful pass then says what)."""
    try:
        table = pd.read_csv(
            _split_time(text),
            header=None,
            names=["h", "m", "Parameter", "Value"],
            dtype={"h": np.int64, "m": np.int64, "Parameter": str, "Value": np.float64},
            engine="c",
            na_filter=False,
            low_memory=False,
        )
    except (ValueError, pd.errors.ParserError):
        return None
    if len(table) != n_lines:  # a blank line was skipped
        return None
    return {"Time": table["h"].to_numpy() * 60 + table["m"].to_numpy(), **table[["Parameter", "Value"]]}


def _parse_careful(text: bytes, names: list[str], bodies: list[bytes]) -> dict:
    """Untyped parse that finds the first line that does not parse and reports it."""
    try:
        table = pd.read_csv(
            _split_time(text),
            header=None,
            names=["h", "m", "Parameter", "Value"],
            dtype={"Parameter": str},
            engine="c",
            skip_blank_lines=False,
            low_memory=False,
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) - 1 if match else 0
        file, line, content = _locate(names, bodies, row)
        raise DataError(
            f"{file}, line {line}", f"cannot parse {content!r}", "Expected 'HH:MM,Parameter,Value'."
        ) from None
    numeric = {c: pd.to_numeric(table[c], errors="coerce") for c in ("h", "m", "Value")}
    bad = table["Parameter"].isna()
    for values in numeric.values():
        bad |= values.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        file, line, content = _locate(names, bodies, row)
        raise DataError(
            f"{file}, line {line}",
            f"cannot parse {content!r}",
            "Each line must be 'HH:MM,Parameter,Value' with a numeric value; fix or replace the file.",
        )
    return {
        "Time": (numeric["h"] * 60 + numeric["m"]).astype(np.int64),
        "Parameter": table["Parameter"],
        "Value": numeric["Value"].astype(np.float64),
    }


def load_outcomes(set_name: str = "a", root=None) -> pd.DataFrame:
    """Outcomes-<set>.txt indexed by RecordID (SAPS-I, SOFA, Length_of_stay, Survival, In-hospital_death)."""
    folder = data_dir(root)
    path = folder / f"Outcomes-{set_name}.txt"
    if not path.is_file():
        have = sorted(p.name[9:-4] for p in folder.glob("Outcomes-*.txt"))
        if have:
            raise unknown("outcomes set name", [repr(set_name)], have, folder)
        raise missing_file(path, "Challenge 2012 outcomes file")
    table = pd.read_csv(path)
    if list(table.columns) != OUTCOME_COLUMNS:
        missing = [c for c in OUTCOME_COLUMNS if c not in table.columns]
        extra = [c for c in table.columns if c not in OUTCOME_COLUMNS]
        raise DataError(
            path,
            f"columns are {list(table.columns)}; missing {missing}, unexpected {extra}",
            f"An outcomes file has exactly the columns {OUTCOME_COLUMNS}; replace it with PhysioNet's original.",
        )
    return table.set_index("RecordID")
