"""Parquet tables in one directory, written atomically.

``write_tables`` writes every table to a temporary file in the target directory and then renames
all of them into place, so an interrupted run leaves the previous tables intact (a rename is
atomic on one file system). ``read_table`` returns an empty, typed frame for a missing table.

A process killed (SIGKILL, power loss) during the renames themselves leaves some tables new and
the rest old, and may leave ``.<table>.*.parquet.tmp`` files behind; the next write removes them.
One writer per directory at a time: ``locked(outdir)`` takes an exclusive lock on
``<outdir>/.partifinans.lock`` (``flock``; released by the system when the holder exits, however it
ends) and checks that the directory can be written before any work starts; a second writer is refused
in one line naming the holder (``pipeline.ingest`` holds it for the whole run).
The renames follow the order of the ``tables`` dict, so a caller puts last the table that the next
run trusts (``pipeline.ingest`` puts ``files`` last; tests/robustness/test_interrupt.py).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .errors import BadInput, UserError

LOCK_NAME = ".partifinans.lock"


class DirectoryBusy(UserError):
    """Another process is writing the same output directory."""


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@contextmanager
def locked(outdir: Path | str, command: str | None = None) -> Iterator[Path]:
    """Hold the output directory for one writer: creates it, checks it can be written, and refuses
    (``DirectoryBusy``, one line naming the holder) while another process holds it."""
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise BadInput(outdir, "the output is a file, not a directory")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fh = open(outdir / LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115 - held until the with block ends
    except OSError as exc:
        raise BadInput(outdir, f"cannot write to the output directory ({_os_reason(exc)})") from None
    try:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, as before
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                holder = " ".join(fh.read().split()) or "another process"
                raise DirectoryBusy(
                    f"{outdir}: another run is writing here ({holder}); wait for it to finish or choose "
                    "another output directory"
                ) from None
        fh.seek(0)
        fh.truncate()
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        what = command or " ".join(["partifinans", *sys.argv[1:]]) if sys.argv else "partifinans"
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}, started {started}: {what}\n")
        fh.flush()
        probe = tempfile.TemporaryFile(dir=outdir)  # the tables are written beside the lock file
        probe.close()
        yield outdir
    except OSError as exc:
        raise BadInput(outdir, f"cannot write to the output directory ({_os_reason(exc)})") from None
    finally:
        fh.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def table_path(outdir: Path | str, table: str) -> Path:
    return Path(outdir) / f"{table}.parquet"


def write_tables(outdir: Path | str, tables: dict[str, pd.DataFrame]) -> None:
    """Write several tables: all are written before any is renamed into place, in dict order."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob(".*.parquet.tmp"):  # left by a writer killed before its renames
        stale.unlink(missing_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, df in tables.items():
            df = schema.conform(df, name) if name in schema.TABLES else df
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=outdir)
            os.close(fd)
            staged.append((name, Path(tmp)))
            arrow = (
                pa.Table.from_pandas(df, schema=schema.arrow_schema(name), preserve_index=False)
                if name in schema.TABLES
                else pa.Table.from_pandas(df, preserve_index=False)
            )
            pq.write_table(arrow, tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the user's usual mode
    except BaseException as exc:  # nothing renamed yet: the previous tables are intact
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BadInput(outdir, f"cannot write the tables ({_os_reason(exc)}); the previous tables are unchanged") from None
        raise
    try:
        for name, tmp in staged:
            os.replace(tmp, table_path(outdir, name))
    except OSError as exc:
        raise BadInput(outdir, f"cannot write the tables ({_os_reason(exc)})") from None
    finally:
        for _, tmp in staged:
            if tmp.exists():
                tmp.unlink()


def write_table(outdir: Path | str, table: str, df: pd.DataFrame) -> None:
    write_tables(outdir, {table: df})


def read_table(outdir: Path | str, table: str) -> pd.DataFrame:
    path = table_path(outdir, table)
    if not path.exists():
        return schema.empty(table) if table in schema.TABLES else pd.DataFrame()
    arrow = pq.read_table(path)
    return schema.to_pandas(arrow) if table in schema.TABLES else arrow.to_pandas()


def read_tables(outdir: Path | str) -> dict[str, pd.DataFrame]:
    return {name: read_table(outdir, name) for name in schema.TABLE_NAMES}
