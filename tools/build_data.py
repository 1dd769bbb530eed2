"""Build the course's shipped data subsets under data/ from raw PhysioNet copies.

Run once by a maintainer (``python tools/build_data.py --source ../shared/datasets``).
Files are copied byte for byte; the 4,000 Challenge 2012 stay files are packed into
``set-a.tar.gz`` (the archive name PhysioNet itself serves) so the repository stays
light. The archive is made deterministically so a rebuild gives the same checksum.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import shutil
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PTBXL_FILES = ["ptbxl_database.csv", "scp_statements.csv", "LICENSE.txt", "SHA256SUMS.txt"]


def copy_tree(src: Path, dst: Path, pattern: str) -> None:
    for path in sorted(src.glob(pattern)):
        if path.is_file():
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def pack_set(set_dir: Path, archive: Path) -> None:
    """Pack a Challenge 2012 set folder as set-x.tar.gz, reproducibly."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(set_dir.glob("*.txt")):
            info = tarfile.TarInfo(f"{set_dir.name}/{path.name}")
            data = path.read_bytes()
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    with open(archive, "wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())


def write_checksums(data: Path) -> None:
    lines = []
    for path in sorted(p for p in data.rglob("*") if p.is_file() and p.name != "SHA256SUMS"):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(data).as_posix()}\n")
    (data / "SHA256SUMS").write_text("".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--dest", type=Path, default=REPO / "data")
    args = parser.parse_args()
    src, dest = args.source, args.dest

    ptbxl = dest / "ptbxl"
    for name in PTBXL_FILES:
        ptbxl.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / "ptbxl" / name, ptbxl / name)
    copy_tree(src / "ptbxl", ptbxl, "records100/*/*")
    copy_tree(src / "ptbxl", ptbxl, "records500/*/*")

    challenge = dest / "challenge2012"
    challenge.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "challenge2012" / "Outcomes-a.txt", challenge / "Outcomes-a.txt")
    pack_set(src / "challenge2012" / "set-a", challenge / "set-a.tar.gz")

    mitdb = dest / "mitdb"
    mitdb.mkdir(parents=True, exist_ok=True)
    for ext in ("hea", "dat", "atr"):
        shutil.copyfile(src / "mitdb" / f"100.{ext}", mitdb / f"100.{ext}")

    write_checksums(dest)


if __name__ == "__main__":
    main()
