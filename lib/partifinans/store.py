"""Parquet tables in one directory, written atomically.

``write_tables`` writes every table to a temporary file in the target directory and then renames
all of them into place, so an interrupted run leaves the previous tables intact (a rename is
atomic on one file system). ``read_table`` returns an empty, typed frame for a missing table.

A process killed (SIGKILL, power loss) during the renames themselves leaves some tables new and
the rest old, and may leave ``.<table>.*.parquet.tmp`` files behind; the next write removes them.
One writer per directory at a time: two ingests into the same OUTDIR at once are not supported.
The renames follow the order of the ``tables`` dict, so a caller puts last the table that the next
run trusts (``pipeline.ingest`` puts ``files`` last; tests/robustness/test_interrupt.py).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import schema


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
            arrow = (
                pa.Table.from_pandas(df, schema=schema.arrow_schema(name), preserve_index=False)
                if name in schema.TABLES
                else pa.Table.from_pandas(df, preserve_index=False)
            )
            pq.write_table(arrow, tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the user's usual mode
            staged.append((name, Path(tmp)))
        for name, tmp in staged:
            os.replace(tmp, table_path(outdir, name))
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
