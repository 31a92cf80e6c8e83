"""SQLite database speed and size: ``partifinans sqlite`` on the tables of the 1 000 000-row open-data file.

Makes the synthetic open-data file of ``bench_opendata.py`` (same rows, same seed), imports it with
``read_opendata``, writes the tables as Parquet (untimed), then times ``export_sqlite`` on that
directory: reading the Parquet files, pseudonymising, writing every table with its keys, indexes
and full-text search, and the Datasette metadata. Reports seconds, the size of the database file
and the rows per table. The open data has no linkage or flags here (no entities), as ingest of the
CSV alone would give before linking.

    python benchmarks/bench_sqlite.py [N_ROWS]      # default 1 000 000

``run(n_rows) -> dict`` is what ``benchmarks/run_all.py`` calls.
"""

from __future__ import annotations

import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_opendata import synthetic_rows

from partifinans import store
from partifinans.export.sqlite import export_sqlite
from partifinans.extract.opendata import read_opendata, write_opendata_csv


def run(n_rows: int = 1_000_000) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_sqlite_") as tmp:
        tmp = Path(tmp)
        csv = tmp / "PartiinsynOpenData.csv"
        write_opendata_csv(synthetic_rows(n_rows), csv)
        sha = hashlib.sha256(csv.read_bytes()).hexdigest()
        tables = read_opendata(csv, csv.name, sha)
        tables["files"] = pd.DataFrame([{"path": csv.name, "sha256": sha, "bytes": csv.stat().st_size,
                                         "status": "parsed", "layout": "opendata"}])
        processed = tmp / "processed"
        store.write_tables(processed, tables)
        parquet_bytes = sum(p.stat().st_size for p in processed.glob("*.parquet"))
        del tables
        out = tmp / "partifinans.db"
        t0, c0 = time.perf_counter(), time.process_time()
        written = export_sqlite(processed, out)
        seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
        return {
            "benchmark": "sqlite_database",
            "opendata_rows": n_rows,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,  # this process's CPU time: less affected by a loaded machine
            "db_bytes": written.bytes,
            "parquet_bytes": parquet_bytes,
            "rows": written.rows,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 1_000_000
    r = run(n)
    rows = ", ".join(f"{k} {v:,}" for k, v in r["rows"].items() if v)
    print(f"sqlite database from {r['opendata_rows']:,} open-data rows: {r['seconds']:.1f} s "
          f"({r['cpu_seconds']:.1f} s CPU), "
          f"{r['db_bytes'] / 1e6:.0f} MB (Parquet {r['parquet_bytes'] / 1e6:.0f} MB); {rows}; "
          f"peak memory {r['peak_mb']:,.0f} MB (whole process, generation included)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
