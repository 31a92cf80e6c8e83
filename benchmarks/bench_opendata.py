"""Open-data import speed: a synthetic file in the real format, timed through ``read_opendata``.

Writes ``n_rows`` rows (UTF-16 LE with BOM, tabs, decimal comma, trailing tab) for invented
organisations, every organisation-year with a row for each of 25 income types, most zero, about 4 %
of rows non-zero gifts with a donor description; then imports the file in a fresh process and
reports rows per second and that process's peak memory (ru_maxrss). The issue's target:
1 000 000 rows in under 30 s on a 2-core machine.

    python benchmarks/bench_opendata.py [N_ROWS]      # default 1 000 000

``run(n_rows) -> dict`` is what ``benchmarks/run_all.py`` calls.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from stdnum import luhn

from partifinans.export.opendata import write_opendata_csv
from partifinans.extract.opendata import read_opendata

TYPES = ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "3.1", "3.2", "3.3", "4.1", "5.1", "5.2", "5.3",
         "5.4", "5.5", "5.6", "5.7", "6.1", "8.1", "8.2", "8.3", "8.4", "8.5", "8.6", "8.7"]
GROUP_LABELS = {1: "Offentligt stöd", 2: "Medlemsavgifter", 3: "Försäljning och lotterier",
                4: "Insamling av kontanter", 5: "Bidrag", 6: "Övrigt", 8: "Närstående verksamhet"}
PARTIES = [("1", "Moderaterna"), ("2", "Socialdemokraterna"), ("3", "Liberalerna"), ("4", "Centerpartiet"),
           ("5", "Vänsterpartiet"), ("55", "Miljöpartiet de gröna"), ("68", "Kristdemokraterna"),
           ("110", "Sverigedemokraterna"), ("999999", "Utan partibeteckning")]
SEED = 20240601


def _orgnrs(first: str, n: int, start: int) -> np.ndarray:
    out = []
    for i in range(start, start + n):
        base = f"{first}{i:08d}"
        out.append(f"{base[:6]}-{base[6:]}{luhn.calc_check_digit(base)}")
    return np.array(out, dtype=object)


def synthetic_rows(n_rows: int, seed: int = SEED) -> pd.DataFrame:
    """``n_rows`` rows (rounded up to whole organisation-years of 25 types), invented throughout."""
    rng = np.random.default_rng(seed)
    n_reports = -(-n_rows // len(TYPES))
    n_orgs = max(1, n_reports // 4)
    orgs = _orgnrs("8", n_orgs, 2_000_000)
    donors = _orgnrs("5", 500, 5_000_000)
    org_idx = np.arange(n_reports) % n_orgs
    years = 2018 + (np.arange(n_reports) // n_orgs) % 7
    party = rng.integers(0, len(PARTIES), n_orgs)[org_idx]
    level = rng.choice(["kommun", "region", "riks"], p=[0.85, 0.12, 0.03], size=n_orgs)[org_idx]

    rep = np.repeat(np.arange(n_reports), len(TYPES))
    code = np.tile(np.array(TYPES, dtype=object), n_reports)
    n = len(rep)
    group = np.array([c.split(".")[0] for c in TYPES], dtype=object)[np.tile(np.arange(len(TYPES)), n_reports)]
    amount = np.zeros(n)
    nonzero = rng.random(n) < 0.12
    amount[nonzero] = np.round(rng.lognormal(9, 1.5, nonzero.sum()), 2)
    itemised = np.isin(code, ["4.1", "5.2", "5.4", "5.7"]) | (group == "8")
    gift = itemised & nonzero
    donor_pick = rng.integers(0, len(donors), n)
    desc = np.full(n, "", dtype=object)
    desc[gift] = ("Exempelbolag " + pd.Series(donor_pick[gift]).astype(str) + " AB ("
                  + pd.Series(donors[donor_pick[gift]]) + ") Pengar").to_numpy()
    private = gift & (code == "5.4")
    desc[private] = "Privat bidrag Pengar"
    lvl = level[rep]
    df = pd.DataFrame({
        "year": years[rep],
        "org_number": orgs[org_idx][rep],
        "reporter_name": ("Exempelförening " + pd.Series(org_idx[rep]).astype(str)).to_numpy(),
        "party_id": np.array([p[0] for p in PARTIES], dtype=object)[party][rep],
        "party_name": np.array([p[1] for p in PARTIES], dtype=object)[party][rep],
        "is_kommun": np.where(lvl == "kommun", "Ja", ""),
        "kommun_code": np.where(lvl == "kommun", "1490", ""),
        "kommun": np.where(lvl == "kommun", "Borås", ""),
        "is_region": np.where(lvl == "region", "Ja", ""),
        "lan_letter": np.where(lvl == "region", "O", ""),
        "region": np.where(lvl == "region", "Västra Götalands län", ""),
        "is_riks": np.where(lvl == "riks", "Ja", ""),
        "group_code": group,
        "group_label": pd.Series(group).astype(int).map(GROUP_LABELS).to_numpy(),
        "type_code": code,
        "type_label": ("Intäktstyp " + pd.Series(code)).to_numpy(),
        "description": desc,
        "amount": amount,
    })
    return df


def _import(path: str, queue) -> None:
    h = hashlib.sha256()
    with open(path, "rb") as fh:  # in chunks, so the file's bytes do not count in peak memory
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    sha = h.hexdigest()
    t0 = time.perf_counter()
    tables = read_opendata(path, path, sha)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({
        "seconds": seconds,
        "peak_mb": peak_mb,
        "reports": len(tables["reports"]),
        "lines": len(tables["lines"]),
        "contributions": len(tables["contributions"]),
    })


def run(n_rows: int = 1_000_000) -> dict:
    """Generate, write and import ``n_rows`` rows; return timings and counts."""
    with tempfile.TemporaryDirectory(prefix="bench_opendata_") as tmp:
        path = Path(tmp) / "PartiinsynOpenData.csv"
        t0 = time.perf_counter()
        rows = synthetic_rows(n_rows)
        write_opendata_csv(rows, path)
        write_seconds = time.perf_counter() - t0
        n = len(rows)
        del rows
        ctx = mp.get_context("spawn")  # a fresh process: its peak memory is the import's alone
        queue = ctx.Queue()
        proc = ctx.Process(target=_import, args=(str(path), queue))
        proc.start()
        result = queue.get()
        proc.join()
        result.update({
            "benchmark": "opendata_import",
            "rows": n,
            "file_mb": path.stat().st_size / 1e6,
            "rows_per_second": n / result["seconds"],
            "generate_seconds": write_seconds,
        })
    return result


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 1_000_000
    r = run(n)
    print(f"open-data import: {r['rows']:,} rows ({r['file_mb']:.0f} MB UTF-16) in {r['seconds']:.1f} s "
          f"= {r['rows_per_second']:,.0f} rows/s; peak memory {r['peak_mb']:,.0f} MB; "
          f"{r['reports']:,} reports, {r['lines']:,} lines, {r['contributions']:,} contributions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
