"""Did a change to the linkage change its results? Link the benchmark's records and compare.

    .venv/bin/python benchmarks/compare_link.py --save /tmp/before   # on the old code
    .venv/bin/python benchmarks/compare_link.py /tmp/before          # on the new code

Links ``N`` records of ``bench_link.py`` (100 000 unless ``--records N``), prints CPU time, wall
clock, peak memory and load average, and either saves the three tables (links, entities, review
pairs) as Parquet under the directory or compares them cell by cell with the saved ones. Exit
status 1 if anything differs. For performance work, where results must stay identical; it is not
a test.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_link  # noqa: E402

TABLES = ("links", "entities", "uncertain")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("directory", type=Path, help="where the tables of the old code are (or go, with --save)")
    ap.add_argument("--save", action="store_true", help="save this code's tables instead of comparing")
    ap.add_argument("--records", type=int, default=100_000)
    args = ap.parse_args(argv)
    os.environ.setdefault(
        "PARTIFINANS_KEY_FILE", os.path.join(tempfile.gettempdir(), "partifinans-bench.key")
    )
    from partifinans.link import link_records

    records = pd.read_parquet(bench_link.records_file(args.records)).drop(columns="true_entity")
    t0, c0 = time.perf_counter(), time.process_time()
    linkage = link_records(records)
    print(
        f"{args.records} records: {time.process_time() - c0:.2f} s CPU, {time.perf_counter() - t0:.2f} s wall, "
        f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if args.save:
        args.directory.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            getattr(linkage, name).to_parquet(args.directory / f"{name}-{args.records}.parquet")
        print(f"saved to {args.directory}")
        return 0
    same = True
    for name in TABLES:
        old = pd.read_parquet(args.directory / f"{name}-{args.records}.parquet")
        new = pd.read_parquet(_roundtrip(getattr(linkage, name)))
        try:
            pd.testing.assert_frame_equal(old, new)
            print(f"{name}: identical ({len(new)} rows)")
        except AssertionError as e:
            same = False
            print(f"{name}: DIFFERENT: {str(e)[:500]}")
    return 0 if same else 1


def _roundtrip(df: pd.DataFrame) -> io.BytesIO:
    """The table as it reads back from Parquet, so that both sides have the same types."""
    buf = io.BytesIO()
    df.to_parquet(buf)
    buf.seek(0)
    return buf


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
