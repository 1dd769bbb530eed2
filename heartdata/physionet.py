"""Download a complete dataset from PhysioNet, verified file by file (``heartdata.download``).

Built on pooch: every file is streamed to a temporary name beside its target, checked
against the SHA-256 that PhysioNet publishes for it (``SHA256SUMS.txt`` at the dataset's
root), and only then moved into place, so a half-written or damaged file never sits under
its real name. A second run resumes: files already present with the right hash are kept.

    python -m heartdata download ptbxl --dest ~/physionet
    HEARTDATA_DIR=~/physionet make lab

The server is https://physionet.org/files/ unless ``base_url=`` (the dataset's own
folder) or $HEARTDATA_PHYSIONET_URL (a mirror of ``files/``) says otherwise.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from .errors import DataError
from .paths import ENV_VAR, as_folder, is_shipped

PHYSIONET = "https://physionet.org/files/"
URL_ENV = "HEARTDATA_PHYSIONET_URL"
#: dataset name -> its folder on PhysioNet (under files/), and the local folder name the loaders read.
DATASETS = {
    "ptbxl": "ptb-xl/1.0.3/",
    "challenge2012": "challenge-2012/1.0.0/",
    "mitdb": "mitdb/1.0.0/",
}
SUMS = "SHA256SUMS.txt"
RETRIES = 2  # a file whose connection drops is tried this many more times before giving up


class PhysioNetUnreachable(DataError):
    """PhysioNet (or the mirror named) could not be reached: nothing was downloaded."""


def check_url(url, name: str = "base_url") -> str:
    """``url`` if it is an http(s) URL with a host and a valid port; DataError naming ``name`` if not."""
    fix = "Give the full address of the dataset folder, e.g. https://physionet.org/files/ptb-xl/1.0.3/"
    if not isinstance(url, str) or not url.strip():
        raise DataError(f"{name}={url!r}", "is not a URL", fix)
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError on a port that is not a number in 0..65535
    except ValueError as exc:
        raise DataError(f"{name}={url!r}", f"is not a valid URL ({exc})", fix) from None
    if not parts.scheme or (not parts.netloc and "://" not in url):
        raise DataError(f"{name}={url!r}", "has no scheme (http:// or https://)", fix)
    if parts.scheme.lower() not in ("http", "https"):
        raise DataError(f"{name}={url!r}", f"uses {parts.scheme}://, but downloads use http:// or https://", fix)
    if not parts.hostname:
        raise DataError(f"{name}={url!r}", "names no server", fix)
    if port == 0:
        raise DataError(f"{name}={url!r}", "has port 0", fix)
    return url.strip()


def dataset_url(dataset: str, base_url: str | None = None) -> str:
    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise DataError(
            f"dataset={dataset!r}", "no such dataset", f"Use one of {', '.join(DATASETS)} (the course's names)."
        )
    if base_url is not None:
        return check_url(base_url).rstrip("/") + "/"
    mirror = check_url(os.environ[URL_ENV], f"${URL_ENV}") if os.environ.get(URL_ENV) else PHYSIONET
    return mirror.rstrip("/") + "/" + DATASETS[dataset]


def parse_sums(text: str, where: str) -> dict[str, str]:
    """PhysioNet's SHA256SUMS.txt ('<sha256> <path>' per line) as {path: sha256}."""
    sums = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        digest = parts[0].lower()
        if len(parts) != 2 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise DataError(
                f"{where}, line {number}",
                f"is not '<sha256> <path>' ({line[:80]!r})",
                "The checksum list is damaged; download again, or check the base URL points at a dataset.",
            )
        path = parts[1].strip().lstrip("*")
        if path.startswith("/") or ".." in Path(path).parts:
            raise DataError(f"{where}, line {number}", f"path {path!r} leaves the dataset folder", "Refusing it.")
        sums[path] = digest
    if not sums:
        raise DataError(where, "lists no files", "Check that the base URL points at a PhysioNet dataset folder.")
    return sums


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _unreachable(url: str, exc: BaseException) -> PhysioNetUnreachable:
    return PhysioNetUnreachable(
        url,
        f"PhysioNet cannot be reached ({exc.__class__.__name__}); nothing was downloaded",
        "The course keeps using the subset shipped in data/ (450 PTB-XL ECGs, 4,000 Challenge 2012 stays, "
        "MIT-BIH record 100), so every notebook still runs. Download again when online, or pass base_url= "
        f"(--base-url) or set ${URL_ENV} to use a mirror.",
    )


def _refuse_shipped(path: Path, what: str) -> None:
    """No path, however linked, may lead a write under the shipped data/ (symlinks are resolved)."""
    if is_shipped(path):
        raise DataError(
            path,
            f"{what} resolves to {os.path.realpath(path)}, inside the course's shipped data folder, which code "
            "never writes",
            "Choose another folder (for example ~/physionet) and set HEARTDATA_DIR to it.",
        )


def _target_root(dataset: str, dest) -> Path:
    """DEST/<dataset>, checked before anything is fetched: not under data/, not below a file, writable."""
    from_env = dest is None and bool(os.environ.get(ENV_VAR))
    if dest is None:
        dest = os.environ.get(ENV_VAR) or None
    if dest is None:
        raise DataError(
            "dest=None",
            "no destination folder",
            f"Pass dest= (--dest DIR), or set ${ENV_VAR} to the folder that will hold {dataset}/.",
        )
    root = as_folder(dest, f"${ENV_VAR}" if from_env else "dest").resolve()
    folder = root / dataset
    if is_shipped(root):
        raise DataError(
            root,
            "is the course's shipped data folder, which code never writes",
            "Choose another folder (for example ~/physionet) and set HEARTDATA_DIR to it.",
        )
    _refuse_shipped(folder, f"the dataset folder {folder}")
    if folder.exists() and not folder.is_dir():
        raise DataError(folder, f"is a file, where the {dataset}/ folder goes", "Move it, or choose another --dest.")
    if root.exists() and not root.is_dir():
        raise DataError(root, "is a file, not a folder", "Pass --dest a folder (it is created if missing).")
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise DataError(root, f"lies below {existing}, which is a file, not a folder", "Choose another --dest.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise DataError(existing, "is not writable by you", "Choose a folder you can write to (--dest).")
    return folder


def _made_dirs(folder: Path) -> list[Path]:
    """The folders ``folder.mkdir(parents=True)`` would create, deepest first."""
    made = []
    p = folder
    while not p.exists() and p != p.parent:
        made.append(p)
        p = p.parent
    return made


def _remove_empty(folders: list[Path], top: Path, before: set[str]) -> None:
    """Remove the folders this run created (``folders``, and any under ``top`` not in ``before``) if
    nothing was left in them; never a file, never a folder that was there before."""
    if top.is_dir():
        for dirpath, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
            if dirpath not in before:
                try:
                    os.rmdir(dirpath)
                except OSError:
                    pass
    for made in folders:  # deepest first
        try:
            os.rmdir(made)
        except OSError:
            pass


def download(
    dataset: str,
    dest=None,
    *,
    base_url: str | None = None,
    include: Iterable[str] | None = None,
    progress: bool = True,
    timeout: float = 60,
) -> Path:
    """Fetch every file of ``dataset`` ('ptbxl', 'challenge2012', 'mitdb') into ``dest/<dataset>/``.

    ``include`` keeps only the files whose path matches one of these glob patterns (for example
    ``["records100/*", "*.csv"]`` for PTB-XL at 100 Hz). Returns the dataset folder; pass its
    parent as ``root=`` to the loaders, or set HEARTDATA_DIR to it. Raises
    :class:`PhysioNetUnreachable` when offline and DataError when a file cannot be fetched intact.
    """
    import pooch
    import requests

    dataset_url(dataset)  # an unknown dataset is named before anything else
    if include is not None:
        patterns = [include] if isinstance(include, str) else include
        try:
            patterns = list(patterns)
        except TypeError:
            patterns = [include]
        if not patterns or not all(isinstance(p, str) and p for p in patterns):
            raise DataError(f"include={include!r}"[:120], "is not a list of file patterns",
                            "Pass glob patterns as text, e.g. include=['records100/*', '*.csv'].")  # fmt: skip
        include = patterns
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < float("inf"):
        raise DataError(f"timeout={timeout!r}", "must be a positive number of seconds", "Pass timeout=60, say.")
    folder = _target_root(dataset, dest)
    url = dataset_url(dataset, base_url)
    pooch.get_logger().setLevel(logging.WARNING)  # one line per file would drown the progress bar
    downloader = pooch.HTTPDownloader(progressbar=False, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="heartdata-sums-") as tmp:
        try:
            sums_file = pooch.retrieve(url + SUMS, known_hash=None, fname=SUMS, path=tmp, downloader=downloader)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _unreachable(url, exc) from None
        except requests.HTTPError as exc:
            raise DataError(
                url + SUMS,
                f"the server answered {exc.response.status_code if exc.response is not None else '?'}",
                "Check the base URL: it must be a dataset folder holding SHA256SUMS.txt.",
            ) from None
        text = Path(sums_file).read_text(encoding="utf-8", errors="replace")
        sums = parse_sums(text, url + SUMS)
        if include is not None:
            patterns = [include] if isinstance(include, str) else list(include)
            sums = {p: h for p, h in sums.items() if any(fnmatch.fnmatch(p, pat) for pat in patterns)}
            if not sums:
                raise DataError(
                    f"include={patterns!r}",
                    f"matches none of the {len(parse_sums(text, url + SUMS))} files listed",
                    "Use patterns such as 'records100/*' or '*.csv'.",
                )
        for path in [*sums, SUMS, f".{SUMS}.tmp"]:  # every file written, resolved through any symlink
            _refuse_shipped(folder / path, path)
        made = _made_dirs(folder)
        before = {d for d, _, _ in os.walk(folder)} if folder.is_dir() else set()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(folder, f"cannot be created ({exc.strerror})", "Choose another --dest.") from None
        fetcher = pooch.create(
            path=folder,
            base_url=url,
            registry={p: f"sha256:{h}" for p, h in sums.items()},
            retry_if_failed=RETRIES,
            allow_updates=True,
        )
        try:
            _fetch_all(fetcher, sums, folder, url, timeout, progress, pooch, requests)
            _refuse_shipped(folder / SUMS, SUMS)
            shutil.copyfile(sums_file, folder / f".{SUMS}.tmp")  # the list the files were verified against
            os.replace(folder / f".{SUMS}.tmp", folder / SUMS)
        except OSError as exc:
            raise DataError(
                exc.filename or folder, f"cannot be written ({exc.strerror})", "Check the free space and permissions."
            ) from None
        finally:  # interrupted or failed: no empty folder left behind (files already verified are kept)
            _remove_empty(made, folder, before)
    return folder


def _fetch_all(fetcher, sums, folder, url, timeout, progress, pooch, requests) -> None:
    from tqdm.auto import tqdm

    kept = fetched = 0
    with tqdm(total=len(sums), unit="file", desc=f"{folder.name}", disable=not progress) as bar:
        for path, digest in sums.items():
            target = folder / path
            _refuse_shipped(target, path)  # checked again just before the write: links may change meanwhile
            if target.is_file() and sha256(target) == digest:  # resume: verified already
                kept += 1
                bar.update()
                continue
            big = progress and path.endswith((".tar.gz", ".zip"))
            try:
                fetcher.fetch(path, downloader=pooch.HTTPDownloader(progressbar=big, timeout=timeout))
            except ValueError as exc:
                raise DataError(
                    url + path,
                    f"does not match PhysioNet's published SHA-256 ({exc}). Tried {1 + RETRIES} times; "
                    f"nothing was written to {target}",
                    "Run the download again; if it persists, the server or mirror holds a damaged copy.",
                ) from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                raise DataError(
                    url + path,
                    f"the connection failed or dropped ({exc.__class__.__name__}) {1 + RETRIES} times; "
                    f"no partial file was left at {target}",
                    f"Run the download again: the {kept + fetched} files already verified are kept.",
                ) from None
            except requests.RequestException as exc:
                raise DataError(
                    url + path, f"cannot be downloaded ({exc})", "Run the download again, or check the base URL."
                ) from None
            fetched += 1
            bar.update()
    if progress:
        print(f"{folder}: {fetched} files downloaded, {kept} already verified, all {len(sums)} match {SUMS}.")
