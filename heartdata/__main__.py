"""Command line: ``python -m heartdata download DATASET --dest DIR``; ``python -m heartdata progress FILES...``."""

from __future__ import annotations

import sys

from .errors import DataError, OneLineParser
from .physionet import DATASETS, URL_ENV, PhysioNetUnreachable, download


def _fail(message: str) -> int:
    print(" ".join(message.split()), file=sys.stderr)  # one line, whatever the message holds
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m heartdata", description="The course's data, in full.")
    commands = parser.add_subparsers(dest="command", required=True)
    get = commands.add_parser(
        "download",
        help="fetch a complete dataset from PhysioNet, verified against its SHA256SUMS.txt",
        description="Fetch a complete dataset from PhysioNet into DEST/<dataset>/, checking every file against "
        "the SHA-256 list PhysioNet publishes. Run it again to resume: verified files are kept.",
    )
    get.add_argument("dataset", choices=sorted(DATASETS))
    get.add_argument("--dest", help="folder that will hold the dataset folder (default: $HEARTDATA_DIR)")
    get.add_argument("--base-url", help=f"the dataset's folder on a mirror (default: PhysioNet, or ${URL_ENV})")
    get.add_argument("--include", action="append", metavar="GLOB", help="only files matching (repeatable)")
    get.add_argument("--quiet", action="store_true", help="no progress bar")
    prog = commands.add_parser(
        "progress",
        help="add up students' progress-NN.json files: per exercise, how many are correct, stuck, or never tried",
        description="Add up the progress-NN.json files students hand in (heartdata.progress() writes them).",
    )
    prog.add_argument("files", nargs="+", help="progress-NN.json files")
    prog.add_argument("--csv", help="also write one row per student and exercise to this CSV file")
    args = parser.parse_args(argv)
    if args.command == "progress":
        return _progress_summary(args.files, args.csv)
    try:
        folder = download(
            args.dataset, args.dest, base_url=args.base_url, include=args.include, progress=not args.quiet
        )
    except PhysioNetUnreachable as exc:
        return _fail(f"Offline: {exc}")
    except DataError as exc:
        return _fail(f"Download failed: {exc}")
    except KeyboardInterrupt:
        return _fail(
            "Interrupted: files already verified are kept and no partial file is left; "
            "run the same command again to resume."
        )
    except OSError as exc:  # a disk or permission problem no check above foresaw
        return _fail(f"Download failed: {exc.filename or ''}: {exc.strerror or exc}. Check free space and permissions.")
    print(f"Done. Use it with root={str(folder.parent)!r} or HEARTDATA_DIR={folder.parent}")
    return 0


def _progress_summary(files: list[str], csv: str | None) -> int:
    import pandas as pd

    from ._progress import read, summary

    try:
        entries = read(files)
    except (OSError, ValueError, KeyError) as exc:
        return _fail(f"Cannot read the progress files: {exc}")
    table = pd.DataFrame(summary(entries))
    print(table.to_string(index=False) if len(table) else "no exercises in these files")
    if csv:
        pd.DataFrame(entries).to_csv(csv, index=False)
        print(f"wrote {csv} ({len(entries)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
