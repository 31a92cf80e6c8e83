"""``partifinans ingest``: every report under a directory into Parquet tables.

Steps: walk the directory; for each file decide from its size and modification time (or, failing
that, its sha256) whether the previous run already read it, and reuse those rows if so; parse the
rest over a process pool (report PDFs with ``extract.parse_pdf``, the open-data CSV with
``extract.opendata.read_opendata``); turn each report into rows of the ``reports``, ``lines`` and
``contributions`` tables (``schema.py``); run the later stages (:func:`_post_stages`); write all
tables at once (``store.write_tables``, atomic: an interrupted run leaves the previous tables).

The readers' ids are provisional: ``harmonise`` gives every report and contribution its id from
content (``identifiers.make_id``), so a re-run, a renamed file, a re-ordered download or a parser
that reorders its output gives the same ids. A file that cannot be read is recorded in ``files``
with its reason and the batch goes on.

Personal data: a personnummer never reaches the output in clear. Donor and reporter numbers are
replaced by ``privacy.pseudonymise`` of the normalised number (``privacy.protect_identifier``), and
any personnummer-shaped text in warnings and reasons is replaced the same way
(``privacy.pseudonymise_text``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import config, harmonise, privacy, schema, store
from .errors import BadInput, UserError

BASE_TABLES = ("files", "reports", "lines", "contributions")

MAX_FILE_NOTES = 5
"""Warnings about one file kept in its ``files.reason`` (the rest counted)."""


@dataclass
class Summary:
    """What a run did; ``line()`` is the one-line summary printed on stderr."""

    out: Path
    files: int = 0
    parsed: int = 0
    reused: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    reports: int = 0
    contributions: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    """One line per failed file (``failed: <path>: <reason>``) and per file read with a warning."""

    def line(self) -> str:
        """The summary: one line of counts, then one line per entry of ``notes``."""
        rate = f", {self.pages / self.seconds:.1f} pages/s" if self.seconds > 0 and self.pages else ""
        head = (f"ingest: {self.files} files: {self.parsed} parsed, {self.reused} unchanged (reused), "
                f"{self.failed} failed, {self.skipped} skipped; {self.reports} reports, "
                f"{self.contributions} contributions; {self.pages} pages read in {self.seconds:.1f} s{rate} "
                f"-> {self.out}")
        return "\n".join([head] + [f"  {n}" for n in self.notes])


# --- one file (runs in a worker process) ---------------------------------------------------------

def _classify(path: Path) -> str:
    """``pdf``, ``csv`` or ``other`` from the name and, for unnamed types, the first bytes."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    try:
        with open(path, "rb") as fh:
            if fh.read(5) == b"%PDF-":
                return "pdf"
    except OSError:
        pass
    return "other"


def _read_one(path_str: str, source_path: str, sha256: str, ocr_mode: str = "auto",
              ocr_cache: str | None = None) -> dict:
    """Read one file; never raises (a failure is a result with its reason)."""
    path = Path(path_str)
    kind = _classify(path)
    try:
        if kind == "pdf":
            from .extract import parse_pdf

            report = parse_pdf(path, ocr_mode=ocr_mode, ocr_cache=ocr_cache)
            return {"status": "parsed", "layout": report["source"]["layout"], "report": report,
                    "ocr": report["source"]["ocr"]}
        if kind == "csv":
            try:
                from .extract import opendata
            except ImportError:
                return {"status": "skipped", "reason": "CSV file (no open-data reader installed)"}
            if not opendata.is_opendata_file(path):
                return {"status": "skipped", "reason": "CSV file not in the open-data format"}
            frames = opendata.read_opendata(path, source_path, sha256)
            notes = frames.pop("file_warnings", [])
            reason = "; ".join(notes[:MAX_FILE_NOTES]) if notes else None
            if len(notes) > MAX_FILE_NOTES:
                reason += f"; and {len(notes) - MAX_FILE_NOTES} more"
            return {"status": "parsed", "layout": "opendata", "frames": frames, "reason": reason}
        return {"status": "skipped", "reason": f"not a report (no PDF or open-data CSV: {path.suffix or 'no suffix'})"}
    except BadInput as exc:
        return {"status": "failed", "reason": exc.reason}
    except UserError as exc:
        return {"status": "failed", "reason": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        return {"status": "failed", "reason": f"{type(exc).__name__}: {' '.join(str(exc).split())}"}


# --- report dict -> rows -------------------------------------------------------------------------

def report_id_of(sha256: str) -> str:
    return sha256[:16]


def report_records(report: dict, source_path: str, sha256: str) -> dict[str, list[dict]]:
    """The ``reports``, ``lines`` and ``contributions`` rows (plain dicts) of one parsed PDF report."""
    rid = report_id_of(sha256)
    rep = report["reporter"]
    org, org_valid, _ = privacy.protect_identifier(rep.get("org_number"))
    period = report.get("period") or {}
    reports = [{
        "report_id": rid, "source_path": source_path, "source_sha256": sha256, "source_kind": "pdf",
        "is_primary": None, "kind": report["kind"], "year": report.get("year"), "org_number": org,
        "is_org_number_valid": org_valid, "reporter_name": rep.get("name"), "party": rep.get("party"),
        "role": rep.get("role"), "level": rep.get("level"), "area": rep.get("area"),
        "submitted": report.get("submitted"), "period_start": period.get("start"), "period_end": period.get("end"),
        "total": report.get("total"), "warnings": [privacy.pseudonymise_text(w) for w in report.get("warnings", [])],
        "confidence": report.get("confidence"),
        "checks": [privacy.pseudonymise_text(c) for c in report.get("checks", [])], "row": None,
        "ocr": bool(report["source"].get("ocr", False)),
    }]
    lines = [{"report_id": rid, "group": ln["group"], "code": ln["code"], "label": ln["label"],
              "amount": ln["amount"], "page": ln["page"], "row": None} for ln in report["lines"]]
    contributions = []
    for i, c in enumerate(report["contributions"]):
        donor_id, valid, _ = privacy.protect_identifier(c.get("donor_id"))
        contributions.append({
            # the id is provisional: harmonise gives the content-based one
            "contribution_id": f"{rid}-{i:04d}", "report_id": rid, "group": c["group"], "code": c["code"],
            "donor": c.get("donor"), "donor_id": donor_id, "is_donor_id_valid": valid,
            "donor_kind": "unknown", "address": c.get("address"), "form": c.get("form"),
            "date": c.get("date"), "amount": c["amount"], "page": c.get("page"), "row": None, "entity_id": None,
        })
    return {"reports": reports, "lines": lines, "contributions": contributions}


def report_rows(report: dict, source_path: str, sha256: str) -> dict[str, pd.DataFrame]:
    """The ``reports``, ``lines`` and ``contributions`` rows of one parsed PDF report as DataFrames."""
    return {t: _frame(rows, t) for t, rows in report_records(report, source_path, sha256).items()}


def _frame(rows: list[dict], table: str) -> pd.DataFrame:
    if not rows:
        return schema.empty(table)
    return schema.conform(pd.DataFrame(rows, columns=schema.columns(table)), table)


# --- the run -------------------------------------------------------------------------------------

def _walk(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise UserError(f"{root}: no such directory")
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                out.append(Path(dirpath) / name)
    return sorted(out)


def _relative(path: Path, root: Path) -> str:
    return config.stored_source_path(path)  # one root for every run: see config.py


def _sha256(path: Path) -> str:
    from .extract import sha256_file

    return sha256_file(path)


# --- skipping an unchanged re-run ----------------------------------------------------------------

STAMP = ".ingest-stamp"


def _stamp_path(out: Path) -> Path:
    return Path(out) / STAMP


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """The package's code and data files: a new version of a detector or a map re-runs the stages."""
    digest = hashlib.sha256()
    for path in sorted(config.PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".csv", ".yaml", ".yml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(config.PACKAGE_DIR)).encode("utf-8"))
            digest.update(path.read_bytes())
    return digest.digest()


def _fingerprint(files: pd.DataFrame) -> str:
    """What the written tables depend on: every input file's row, the human judgements, the code."""
    digest = hashlib.sha256()
    digest.update(files.sort_values("path").to_json(orient="values").encode("utf-8"))
    judgements = config.judgements_path()
    digest.update(judgements.read_bytes() if judgements.exists() else b"no judgements")
    digest.update(_code_fingerprint())
    return digest.hexdigest()


def _unchanged(out: Path, fingerprint: str) -> bool:
    stamp = _stamp_path(out)
    if not stamp.exists() or not all(store.table_path(out, name).exists() for name in schema.TABLE_NAMES):
        return False
    return stamp.read_text(encoding="utf-8").strip() == fingerprint


def _write_stamp(out: Path, fingerprint: str) -> None:
    tmp = _stamp_path(out).with_suffix(".tmp")
    tmp.write_text(fingerprint + "\n", encoding="utf-8")
    os.replace(tmp, _stamp_path(out))


def _previous(out: Path) -> dict[str, pd.DataFrame]:
    try:
        return {name: store.read_table(out, name) for name in BASE_TABLES}
    except Exception:  # noqa: BLE001 - unreadable previous output: start afresh
        return {name: schema.empty(name) for name in BASE_TABLES}


def _reused_rows(prev: dict[str, pd.DataFrame], paths_by_sha: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The previous run's rows of the files whose content is unchanged (under their current path)."""
    reports = prev["reports"][prev["reports"]["source_sha256"].isin(set(paths_by_sha))].copy()
    reports["source_path"] = reports["source_sha256"].map(paths_by_sha)  # a moved file keeps its rows
    ids = set(reports["report_id"])
    return {
        "reports": reports,
        "lines": prev["lines"][prev["lines"]["report_id"].isin(ids)],
        "contributions": prev["contributions"][prev["contributions"]["report_id"].isin(ids)],
    }


def _progress_bar(total: int, enabled: bool):
    if not enabled or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="file", desc="ingest", file=sys.stderr, leave=False)


OCR_CACHE = "ocr-cache"  # under the output directory: OCR text layers by the file's sha256


def _text(value) -> str | None:
    """A text cell read back from a table: the string, or None for a null (NaN/None)."""
    return value if isinstance(value, str) else None


def _stale(old: dict, path: Path, ocr_mode: str) -> bool:
    """A previous row of unchanged bytes that the OCR mode asks to read again: OCR forced on a file
    read without it, OCR refused on one read with it, or a scan refused because OCR was off then."""
    used = old.get("ocr") is True or old.get("ocr") == 1
    if old["status"] == "parsed" and _classify(path) == "pdf":
        return (ocr_mode == "force" and not used) or (ocr_mode == "never" and used)
    return ocr_mode != "never" and old["status"] == "failed" and "OCR is off" in (old.get("reason") or "")


def ingest(directory: Path | str, out: Path | str, jobs: int | None = None, progress: bool = True,
           ocr_mode: str = "auto") -> Summary:
    """Read every report under ``directory`` into Parquet tables in ``out``; see the module docstring.

    ``out`` is checked to be writable and locked (``store.locked``) before any file is read: a second
    run into the same directory is refused in one line naming the first. ``ocr_mode`` (``auto`` |
    ``never`` | ``force``) is passed to ``extract.parse_pdf``; OCR text layers are cached in
    ``out/ocr-cache`` so that a re-run never OCRs the same file twice."""
    out = Path(out)
    if not Path(directory).exists():
        raise UserError(f"{directory}: no such directory")
    with store.locked(out):
        try:
            return _ingest_locked(directory, out, jobs, progress, ocr_mode)
        except OSError as exc:  # writing the stamp or another file of ours in ``out``
            if exc.filename and _inside(Path(str(exc.filename)), out):
                raise BadInput(out, f"cannot write to the output directory ({exc.strerror or exc})") from None
            raise


def _ingest_locked(directory: Path | str, out: Path, jobs: int | None, progress: bool, ocr_mode: str) -> Summary:
    started = time.perf_counter()
    root, out = Path(directory), Path(out)
    summary = Summary(out=out)
    paths = [p for p in _walk(root) if not _inside(p, out)]
    prev = _previous(out)
    prev_files = {row["path"]: row for row in prev["files"].to_dict("records")}
    prev_by_sha = {row["sha256"]: row for row in prev_files.values() if row["status"] != "skipped"}

    files_rows: list[dict] = []
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in ("reports", "lines", "contributions")}
    new_rows: dict[str, list[dict]] = {t: [] for t in parts}
    reused: dict[str, str] = {}  # sha256 -> current path of files whose previous rows are kept
    todo: list[tuple[int, Path, str, str]] = []  # (index in files_rows, path, source_path, sha256)
    seen_sha: dict[str, str] = {}
    for path in paths:
        st = path.stat()
        rel = _relative(path, root)
        old = prev_files.get(rel)
        if old is not None and old["bytes"] == st.st_size and old["mtime"] == st.st_mtime:
            sha = old["sha256"]
        else:
            sha = _sha256(path)
        row = {"path": rel, "sha256": sha, "bytes": st.st_size, "status": None, "reason": None, "layout": None,
               "report_id": None, "mtime": st.st_mtime, "ocr": None}
        files_rows.append(row)
        if sha in seen_sha:
            row.update(status="skipped", reason=f"same content as {seen_sha[sha]}")
            continue
        seen_sha[sha] = rel
        if old is None or old["sha256"] != sha:
            old = prev_by_sha.get(sha)  # the same bytes under another name (moved or renamed)
        if old is not None and old["sha256"] == sha and not _stale(old, path, ocr_mode):
            # a null read back from Parquet is NaN: keep it null, or the summary prints "warning: <file>: nan"
            row.update(status=old["status"], reason=_text(old["reason"]), layout=_text(old["layout"]),
                       report_id=_text(old["report_id"]),
                       ocr=old.get("ocr") if old.get("ocr") in (True, False) else None)
            reused[sha] = rel
            summary.reused += 1
            continue
        todo.append((len(files_rows) - 1, path, rel, sha))

    results = _run(todo, jobs, progress, ocr_mode, str(out / OCR_CACHE))
    for (index, _path, rel, sha), result in zip(todo, results, strict=True):
        row = files_rows[index]
        row.update(status=result["status"], reason=privacy.pseudonymise_text(result.get("reason")), layout=result.get("layout"),
                   ocr=result.get("ocr"))
        if result["status"] == "parsed" and "report" in result:
            report = result["report"]
            rows = report_records(report, rel, sha)
            row["report_id"] = report_id_of(sha)
            summary.pages += report["source"]["pages"]
            for t in parts:
                new_rows[t].extend(rows[t])
        elif result["status"] == "parsed":
            for t in parts:
                frame = result["frames"].get(t)
                if frame is not None and len(frame):
                    parts[t].append(schema.conform(frame, t))
        summary.parsed += result["status"] == "parsed"
    summary.failed = sum(1 for r in files_rows if r["status"] == "failed")
    summary.skipped = sum(1 for r in files_rows if r["status"] == "skipped")
    summary.notes = [f"failed: {r['path']}: {r['reason']}" for r in files_rows if r["status"] == "failed"] + [
        f"warning: {r['path']}: {r['reason']}" for r in files_rows if r["status"] == "parsed" and r["reason"]
    ]

    tables = {"files": schema.conform(pd.DataFrame(files_rows, columns=schema.columns("files")), "files")}
    fingerprint = _fingerprint(tables["files"])
    if not todo and _unchanged(out, fingerprint):
        # Nothing read, nothing that the later stages depend on changed: the tables on disk are this
        # run's result already, so neither the stages nor the writes are repeated.
        summary.files = len(files_rows)
        summary.reports = len(prev["reports"])
        summary.contributions = len(prev["contributions"])
        summary.seconds = time.perf_counter() - started
        return summary
    kept = _reused_rows(prev, reused)
    for t, frames in parts.items():
        frames = [f for f in (kept[t], _frame(new_rows[t], t), *frames) if len(f)]
        tables[t] = schema.conform(pd.concat(frames, ignore_index=True), t) if frames else schema.empty(t)
    tables = harmonise.harmonise(tables)  # the facts every later stage reads, derived once
    tables = _post_stages(tables)
    # ``files`` is renamed into place last: it is what the next run trusts when it reuses rows, so a
    # run killed between two renames must leave the previous ``files`` (tests/robustness/test_interrupt.py)
    tables = {name: df for name, df in tables.items() if name != "files"} | {"files": tables["files"]}
    _stamp_path(out).unlink(missing_ok=True)  # a run killed while writing leaves no stamp to trust
    store.write_tables(out, tables)
    _write_stamp(out, fingerprint)
    summary.files = len(files_rows)
    summary.reports = len(tables["reports"])
    summary.contributions = len(tables["contributions"])
    summary.seconds = time.perf_counter() - started
    return summary


def _inside(path: Path, out: Path) -> bool:
    try:
        path.resolve().relative_to(out.resolve())
        return True
    except ValueError:
        return False


def _run(todo: list[tuple[int, Path, str, str]], jobs: int | None, progress: bool, ocr_mode: str = "auto",
         ocr_cache: str | None = None) -> list[dict]:
    """Read the files over a process pool (in this process for one job or one file)."""
    results: list[dict | None] = [None] * len(todo)
    bar = _progress_bar(len(todo), progress)
    workers = max(1, jobs or os.cpu_count() or 1)
    try:
        if workers == 1 or len(todo) <= 1:
            for k, (_, path, rel, sha) in enumerate(todo):
                results[k] = _read_one(str(path), rel, sha, ocr_mode, ocr_cache)
                if bar:
                    bar.update(1)
        else:
            with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
                futures = {pool.submit(_read_one, str(path), rel, sha, ocr_mode, ocr_cache): k
                           for k, (_, path, rel, sha) in enumerate(todo)}
                for fut in as_completed(futures):
                    k = futures[fut]
                    try:
                        results[k] = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a crashed worker fails its file, not the run
                        results[k] = {"status": "failed", "reason": f"worker failed: {type(exc).__name__}: {exc}"}
                    if bar:
                        bar.update(1)
    finally:
        if bar:
            bar.close()
    return [r if r is not None else {"status": "failed", "reason": "not read"} for r in results]


def _post_stages(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The stages after reading, each taking and returning the dict of tables, in this order:

    They run on harmonised tables (``harmonise.harmonise``, called by :func:`ingest` just before:
    ``org_id``, canonical ``party`` / ``party_id``, ``is_primary``, the code flags, ``donor_kind``,
    ``address_key`` and the content-based ids, computed once); every stage reads those columns.

    1. reconciliation with open data: ``sources.reconcile(reports, lines)`` adds the
       ``disagreements`` table (PDF vs open data per reporter-year and group);
    2. donor linkage: ``link.link_tables(contributions, reports, judgements_path)`` fills
       ``contributions.entity_id`` and adds the ``entities``, ``links`` (rule and score of every
       link) and ``link_review`` (pairs for a human to judge) tables (human judgements from
       ``config.judgements_path()``);
    3. the flag detectors: ``detect.run_all(tables)`` adds the ``flags`` table.

    What linkage warns about (e.g. a judgement naming a record that no longer exists) is printed
    as one line each on stderr, never as a Python warning with a source location.
    """
    from . import detect, link, sources

    tables["reports"], tables["disagreements"] = sources.reconcile(tables["reports"], tables["lines"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tables |= link.link_tables(tables["contributions"], tables["reports"], config.judgements_path())
    for warning in caught:
        print(f"partifinans: {warning.message}", file=sys.stderr)
    tables["flags"] = detect.run_all(tables)
    return tables
