"""``partifinans fetch``: polite downloads of the open-data file and of listed report URLs.

- ``partifinans fetch opendata [--url URL] [--dest DIR]`` downloads Kammarkollegiet's open-data file
  from :data:`OPENDATA_URL` into ``data/raw/opendata/``.
- ``partifinans fetch urls LIST.txt [--dest DIR]`` downloads each URL in LIST.txt (one a line;
  blank lines and ``#`` comments ignored) into ``data/raw/pdf/``.

Every download is recorded in a manifest, ``MANIFEST.csv`` in the parent of the destination
(``data/raw/MANIFEST.csv`` by default), one row per URL: url, path, fetched_at, sha256, bytes,
http_status, etag, last_modified.

Polite and robust: one request at a time with a pause between requests, a User-Agent naming the
project (``config.USER_AGENT``), retries with exponential backoff on connection errors, timeouts
and HTTP 429/5xx (honouring ``Retry-After``), a conditional request (``If-None-Match`` /
``If-Modified-Since``) when the manifest holds validators for a file still on disk, and otherwise a
sha256 comparison so an unchanged file is not rewritten. Files are written to a temporary name in
the destination and renamed into place (atomic), with a progress bar on a terminal. What arrived is
checked before it is kept: a report must be a PDF (``%PDF-`` in its first 1024 bytes, ISO 32000-1
7.5.2), the open-data file must have the open-data header (``extract.opendata.is_opendata_file``); a
login or error page answered with HTTP 200 is refused in one line naming the URL and what came
instead, and nothing is written (neither the file nor the manifest). Offline, a bad
URL or an HTTP error gives one line (``errors.UserError``), never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import http.client
import io
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import UserError

OPENDATA_URL = "https://partiinsyn.kammarkollegiet.se/PartiinsynOpenData/PartiinsynOpenData.csv"
"""Where Kammarkollegiet publishes the open-data file of the Partiinsyn register."""
OPENDATA_FILENAME = "PartiinsynOpenData.csv"
MANIFEST_NAME = "MANIFEST.csv"
MANIFEST_COLUMNS = ["url", "path", "fetched_at", "sha256", "bytes", "http_status", "etag", "last_modified"]

RETRIES = 3
"""Attempts after the first one for a transient failure."""
BACKOFF_SECONDS = 2.0
"""First wait before a retry; doubled each time."""
MAX_WAIT_SECONDS = 60.0
DELAY_SECONDS = 1.0
"""Pause between two requests to the same list (one request at a time)."""
TIMEOUT_SECONDS = 60.0
CHUNK_BYTES = 1 << 16
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class FetchError(UserError):
    """A download that failed: ``<url>: <reason>`` on one line."""

    def __init__(self, url: str, reason: str, *, offline: bool = False):
        self.url = url
        self.reason = " ".join(str(reason).split())
        self.offline = offline
        super().__init__(f"{url}: {self.reason}")


@dataclass(frozen=True)
class FetchResult:
    url: str
    path: Path
    status: str  # "downloaded" | "unchanged"
    http_status: int
    bytes: int
    sha256: str

    def line(self) -> str:
        if self.status == "unchanged":
            return f"unchanged: {self.path} ({self.bytes} bytes, HTTP {self.http_status})"
        return f"downloaded: {self.url} -> {self.path} ({self.bytes} bytes)"


# --------------------------------------------------------------------------------------------------
# Manifest


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Manifest rows keyed by url (empty when the file does not exist)."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["url"]: row for row in csv.DictReader(fh)}


def write_manifest(path: Path, rows: dict[str, dict[str, str]]) -> None:
    """Write the manifest atomically, rows sorted by path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows.values(), key=lambda r: (r.get("path", ""), r["url"])):
        writer.writerow({c: row.get(c, "") for c in MANIFEST_COLUMNS})
    _atomic_write_bytes(path, buf.getvalue().encode("utf-8"))


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------------
# Downloading


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(url, "not an http(s) URL")
    return url.strip()


def filename_for(url: str) -> str:
    """A safe file name from the URL's last path segment (a hash of the URL when there is none)."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.()\- ]+", "_", name).strip(" ._")
    if not name or "." not in name:
        name = f"{name or 'download'}-{hashlib.sha256(url.encode()).hexdigest()[:8]}.pdf"
    return name


class Fetcher:
    """Downloads one URL at a time into a directory, recording each in a manifest."""

    def __init__(
        self,
        manifest_path: Path | str,
        *,
        retries: int | None = None,
        backoff: float | None = None,
        timeout: float | None = None,
        delay: float | None = None,
        progress: bool | None = None,
        user_agent: str = config.USER_AGENT,
    ):
        """Options default to the module constants (read at call time); ``progress=None`` shows a
        bar only on a terminal."""
        self.manifest_path = Path(manifest_path)
        self.retries = RETRIES if retries is None else retries
        self.backoff = BACKOFF_SECONDS if backoff is None else backoff
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout
        self.delay = DELAY_SECONDS if delay is None else delay
        self.progress = progress
        self.user_agent = user_agent
        self._last_request = 0.0
        self._validators: dict[str, str] = {}
        self.expect: str | None = None
        self._content_type = ""
        self.manifest = read_manifest(self.manifest_path)

    # ---- paths as written in the manifest: relative to the manifest's directory when possible
    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.manifest_path.parent.resolve()).as_posix()
        except ValueError:
            return str(path)

    def _abs(self, rel: str) -> Path:
        p = Path(rel)
        return p if p.is_absolute() else self.manifest_path.parent / p

    def target_for(self, url: str, dest_dir: Path, filename: str | None = None) -> Path:
        known = self.manifest.get(url)
        if known and known.get("path") and self._abs(known["path"]).parent.resolve() == dest_dir.resolve():
            return self._abs(known["path"])
        name = filename or filename_for(url)
        taken = {self._abs(r["path"]).resolve() for u, r in self.manifest.items() if u != url and r.get("path")}
        target = dest_dir / name
        if target.resolve() in taken:
            stem, dot, suffix = name.rpartition(".")
            target = dest_dir / f"{stem}-{hashlib.sha256(url.encode()).hexdigest()[:8]}{dot}{suffix}"
        return target

    def fetch(self, url: str, dest_dir: Path | str, filename: str | None = None, expect: str | None = None) -> FetchResult:
        """Download ``url`` into ``dest_dir`` unless unchanged; update and write the manifest.

        ``expect``: ``"pdf"``, ``"opendata"``, ``"pdf-or-opendata"`` or None (anything is kept)."""
        self.expect = expect
        url = check_url(url)
        dest_dir = Path(dest_dir)
        dest_dir.mkdir(parents=True, exist_ok=True)
        target = self.target_for(url, dest_dir, filename)
        known = self.manifest.get(url, {})
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
        if target.exists() and known.get("sha256") and _sha256_file(target) == known["sha256"]:
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        result = self._with_retries(url, headers, target)
        row = {
            "url": url,
            "path": self._rel(result.path),
            "fetched_at": _now(),
            "sha256": result.sha256,
            "bytes": str(result.bytes),
            "http_status": str(result.http_status),
            "etag": self._validators.get("etag") or known.get("etag", ""),
            "last_modified": self._validators.get("last_modified") or known.get("last_modified", ""),
        }
        self.manifest[url] = row
        write_manifest(self.manifest_path, self.manifest)
        return result

    def _pause(self) -> None:
        wait = self._last_request + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()

    def _with_retries(self, url: str, headers: dict[str, str], target: Path) -> FetchResult:
        attempt = 0
        while True:
            self._pause()
            try:
                return self._once(url, headers, target)
            except _Transient as exc:
                if attempt >= self.retries:
                    raise FetchError(url, f"{exc.reason} (gave up after {attempt + 1} attempts)",
                                     offline=exc.offline) from None
                wait = exc.retry_after if exc.retry_after is not None else self.backoff * 2**attempt
                time.sleep(min(wait, MAX_WAIT_SECONDS))
                attempt += 1

    def _once(self, url: str, headers: dict[str, str], target: Path) -> FetchResult:
        self._validators = {}
        request = urllib.request.Request(url, headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310 - scheme checked
        except urllib.error.HTTPError as exc:
            if exc.code == 304 and url in self.manifest:
                known = self.manifest[url]
                return FetchResult(url, target, "unchanged", 304, int(known["bytes"]), known["sha256"])
            reason = f"HTTP {exc.code} {exc.reason}"
            if exc.code in RETRY_STATUSES:
                raise _Transient(reason, retry_after=_retry_after(exc.headers.get("Retry-After"))) from None
            raise FetchError(url, reason) from None
        except urllib.error.URLError as exc:
            raise _Transient(f"cannot connect ({_reason(exc.reason)}); offline?", offline=True) from None
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            raise _Transient(f"connection failed ({_reason(exc)})", offline=True) from None
        except ValueError as exc:
            raise FetchError(url, f"bad URL ({exc})") from None
        with response:
            status = response.status
            self._validators = {
                "etag": response.headers.get("ETag", "") or "",
                "last_modified": response.headers.get("Last-Modified", "") or "",
            }
            self._content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            return self._stream(url, response, target, status, expected)

    def _stream(self, url, response, target: Path, status: int, expected: int | None) -> FetchResult:
        from tqdm import tqdm

        h = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, tqdm(
                total=expected, unit="B", unit_scale=True, desc=target.name, leave=False,
                disable=(None if self.progress is None else not self.progress), file=sys.stderr,
            ) as bar:
                while True:
                    try:
                        chunk = response.read(CHUNK_BYTES)
                    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                        raise _Transient(f"download interrupted ({_reason(exc)})") from None
                    if not chunk:
                        break
                    out.write(chunk)
                    h.update(chunk)
                    size += len(chunk)
                    bar.update(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            if expected is not None and size != expected:
                raise _Transient(f"download incomplete ({size} of {expected} bytes)")
            if self.expect:
                check_content(url, Path(tmp), self.expect, self._content_type)
            digest = h.hexdigest()
            if target.exists() and _sha256_file(target) == digest:
                return FetchResult(url, target, "unchanged", status, size, digest)
            os.replace(tmp, target)
            return FetchResult(url, target, "downloaded", status, size, digest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _looks_like(head: bytes, content_type: str) -> str:
    """What a response is, in a few words, for a refusal: ``an HTML page ("Logga in")``."""
    if not head:
        return "an empty response"
    text = head[:4096].decode("utf-8", "replace")
    if re.search(r"<(!doctype html|html|head|body)\b", text, re.IGNORECASE):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        return "an HTML page" + (f' ("{" ".join(title.group(1).split())[:60]}")' if title else "")
    if content_type:
        return f"{content_type} content starting with {head[:16]!r}"
    return f"content starting with {head[:16]!r}"


def check_content(url: str, path: Path, expect: str, content_type: str = "") -> None:
    """Refuse (``FetchError``) a download that is not what ``expect`` names: ``pdf``, ``opendata`` or
    ``pdf-or-opendata``."""
    from .extract.opendata import is_opendata_file

    with open(path, "rb") as fh:
        head = fh.read(4096)
    is_pdf = b"%PDF-" in head[:1024]
    wants = {"pdf": ("a PDF",), "opendata": ("the open-data file",),
             "pdf-or-opendata": ("a PDF", "the open-data file")}[expect]
    if "a PDF" in wants and is_pdf:
        return
    if "the open-data file" in wants and is_opendata_file(path):
        return
    raise FetchError(url, f"expected {' or '.join(wants)} but the server sent {_looks_like(head, content_type)}; nothing saved")


class _Transient(Exception):
    def __init__(self, reason: str, *, retry_after: float | None = None, offline: bool = False):
        self.reason = reason
        self.retry_after = retry_after
        self.offline = offline
        super().__init__(reason)


def _reason(exc: object) -> str:
    text = str(getattr(exc, "strerror", None) or exc) or type(exc).__name__
    return " ".join(text.split())


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


# --------------------------------------------------------------------------------------------------
# Commands


def fetch_opendata(
    url: str | None = None, dest: Path | str | None = None, manifest: Path | str | None = None, **options
) -> FetchResult:
    """Download the open-data file (default :data:`OPENDATA_URL`) into ``dest`` (``data/raw/opendata``)."""
    url = url or OPENDATA_URL
    dest = Path(dest) if dest else config.raw_dir() / "opendata"
    manifest = Path(manifest) if manifest else dest.parent / MANIFEST_NAME
    name = filename_for(url)
    if not name.lower().endswith(".csv"):
        name = OPENDATA_FILENAME
    return Fetcher(manifest, **options).fetch(url, dest, filename=name, expect="opendata")


def read_url_list(path: Path | str) -> list[str]:
    """URLs in a list file: one a line; blank lines and lines starting with ``#`` ignored."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"{path}: cannot read URL list ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: URL list is not UTF-8 text") from None
    urls = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = urllib.parse.urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UserError(f"{path}: line {n} is not an http(s) URL: {line[:80]!r}")
        urls.append(line)
    return urls


def fetch_urls(
    list_path: Path | str, dest: Path | str | None = None, manifest: Path | str | None = None,
    *, report=None, **options,
) -> tuple[list[FetchResult], list[FetchError]]:
    """Download every URL of a list into ``dest`` (``data/raw/pdf``), one at a time.

    An HTTP error on one URL is reported and the rest continue; being offline stops the run.
    ``report`` (a callable taking one line) hears about each URL.
    """
    urls = read_url_list(list_path)
    dest = Path(dest) if dest else config.raw_dir() / "pdf"
    manifest = Path(manifest) if manifest else dest.parent / MANIFEST_NAME
    fetcher = Fetcher(manifest, **options)
    done: list[FetchResult] = []
    failed: list[FetchError] = []
    for url in urls:
        try:
            result = fetcher.fetch(url, dest, expect="pdf-or-opendata")
        except FetchError as exc:
            if exc.offline:
                raise
            failed.append(exc)
            if report:
                report(str(exc))
            continue
        done.append(result)
        if report:
            report(result.line())
    return done, failed


def fetch_command(args) -> int:
    """The CLI entry (``cli.py``): args ``what`` (opendata | urls), ``url``, ``list``, ``dest``."""

    def say(line: str) -> None:
        print(line, file=sys.stderr)

    if args.what == "opendata":
        say(fetch_opendata(getattr(args, "url", None), getattr(args, "dest", None)).line())
        return 0
    if args.what == "urls":
        done, failed = fetch_urls(args.list, getattr(args, "dest", None), report=say)
        say(f"{len(done)} fetched, {len(failed)} failed")
        return 1 if failed else 0
    raise UserError(f"fetch: unknown target {args.what!r} (opendata or urls)")
