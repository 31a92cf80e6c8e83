"""``make bench``: every benchmark in one run on this machine, written to ``benchmarks/RESULTS.md``.

Measures (issue #7):

1. ingest of a corpus of 200+ report PDFs (pages/s) against pdfplumber ``extract_text`` and
   pypdfium2 raw text on the same files; a re-run over the unchanged corpus; a re-run with one file
   changed (``bench_ingest.py``);
2. the open-data import at 1 000 000 rows (``bench_opendata.py``);
3. linkage at 10 000, 100 000 and 1 000 000 records, time and peak memory, and the growth factor
   (``bench_link.py``);
4. the whole ``make run`` on the demo corpus;
5. the mutation test at a few hundred cases (``tests/robustness/pdf_mutations.py``);
6. ``partifinans sqlite`` on the tables of the 1 000 000-row open-data file: seconds and size of
   the database (``bench_sqlite.py``).
7. OCR of test scans (issue #11): pages per second, and the cost of a cached re-run (``bench_ocr.py``).

Each of 2, 3 and 6 runs in its own Python process, so its peak resident memory (from ``wait4``) is its
own. The figures are written as measured; each target is checked by code, and a miss says so.

``--quick`` runs a smaller version (40 PDFs, 100 000 open-data rows, linkage at 1 000 and 10 000,
30 mutation cases) to check the machinery; its RESULTS are marked as quick.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "robustness"))

RESULTS = HERE / "RESULTS.md"
WORK = HERE / "work"

# Targets from issue #7.
TARGET_OPENDATA_SECONDS = 30
# Linkage targets from issue #16: a million records in under 30 s and 1.5 GB, 10x the records in
# at most 11x the time. Judged on CPU seconds where the benchmark reports them (linkage runs on
# one core, so on an idle machine CPU time is the wall clock; on a shared one the wall clock also
# counts other jobs).
TARGET_LINK_SECONDS = {1_000_000: 30}
TARGET_LINK_BYTES = int(1.5 * 1024**3)
TARGET_LINK_GROWTH = 11  # time for 10x the records, at most this many times
TARGET_RERUN_FRACTION = 0.1


# --- machine -------------------------------------------------------------------------------------

def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {}
    for pkg in ("pdfplumber", "pdfminer.six", "pypdfium2", "pandas", "pyarrow", "rapidfuzz", "networkx"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_bytes": ram, "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}", "packages": versions, "commit": commit,
        "load_avg_at_start": os.getloadavg(),
    }


# --- running a benchmark function in its own process -----------------------------------------------

def run_isolated(module: str, func: str, arg: int, timeout: float) -> dict:
    """``module.func(arg)`` in a fresh Python; returns its dict plus ``wall_seconds`` and
    ``peak_rss_bytes`` (the child's maximum resident set size as the kernel reports it)."""
    code = (f"import json, sys; sys.path[:0] = [{str(HERE)!r}]; import {module}; "
            f"r = {module}.{func}({arg!r}); print('@@RESULT@@' + json.dumps(r, default=str))")
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=err, cwd=ROOT)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                return {"error": f"killed after {timeout:.0f} s", "wall_seconds": time.perf_counter() - t0,
                        "peak_rss_bytes": usage.ru_maxrss * 1024}
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    result: dict = {}
    for line in stdout.splitlines():
        if line.startswith("@@RESULT@@"):
            result = json.loads(line[len("@@RESULT@@"):])
    if proc.returncode != 0 or not result:
        tail = stderr.strip().splitlines()[-1:] or ["(no stderr)"]
        result = {"error": f"exit {proc.returncode}: {tail[0]}"}
    result["wall_seconds"] = wall
    result["peak_rss_bytes"] = usage.ru_maxrss * 1024  # Linux reports KiB
    return result


def _peak_bytes(r: dict) -> float | None:
    """The benchmark's own peak-memory figure (its import or linkage process) if it reports one,
    else the peak resident set of the process that ran it."""
    for key in ("peak_mb", "peak_memory_mb"):
        if isinstance(r.get(key), int | float):
            return float(r[key]) * 1024**2
    return r.get("peak_rss_bytes")


def _seconds(r: dict) -> float | None:
    """The benchmark's own timing if it reports one, else the process wall time."""
    for key in ("seconds", "link_seconds", "total_seconds", "import_seconds", "elapsed_seconds"):
        if isinstance(r.get(key), int | float):
            return float(r[key])
    return None


# --- the parts ----------------------------------------------------------------------------------------

def bench_make_run() -> dict:
    """``make run`` on the demo corpus into a temporary output directory, timed as a whole."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PARTIFINANS_KEY_FILE=str(Path(tmp) / "pseudonym.key"))
        out = Path(tmp) / "processed"
        cmd = ["make", "--no-print-directory", "run", "RAW=data/raw/demo", f"OUT={out}"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        sec = time.perf_counter() - t0
        files = sorted(p.name for p in out.glob("*.parquet")) if out.exists() else []
    n_pdfs = len(list((ROOT / "data" / "raw" / "demo").rglob("*.pdf")))
    last = (proc.stderr.strip().splitlines() or [""])[-1]
    return {"command": " ".join(cmd[:3] + ["RAW=data/raw/demo", "OUT=<tmp>"]), "seconds": sec,
            "exit": proc.returncode, "pdfs": n_pdfs, "tables": files, "summary": last}


def bench_mutation(n_cases: int) -> dict:
    import pdf_mutations as pm

    from partifinans import config

    sources = sorted((ROOT / "data" / "raw" / "demo").rglob("*.pdf"))
    if not sources:
        return {"error": "no demo PDFs under data/raw/demo (run `make demo`)"}
    dest = WORK / "mutations"
    shutil.rmtree(dest, ignore_errors=True)
    cases = pm.write_cases(sources, n_cases, dest, seed=7)
    timeout = config.MAX_SECONDS_PER_FILE + 30
    t0 = time.perf_counter()
    outcomes = [pm.run_forked(c, timeout) for c in cases]
    summary = pm.summarise(outcomes)
    summary["seconds"] = time.perf_counter() - t0
    from partifinans.extract import parse_pdf

    originals = {}
    for src in {c.source for c in cases}:
        path = next(p for p in sources if p.name == src)
        originals[src] = parse_pdf(path)
    summary["reports_compared"] = pm.compare_reports(outcomes, originals)
    summary["bound_seconds"] = config.MAX_SECONDS_PER_FILE
    summary["sources"] = len(sources)
    return summary


# --- the report -------------------------------------------------------------------------------------

def _f(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}".replace(",", " ")


def _mb(b: float | None) -> str:
    return "n/a" if b is None else f"{b / 1024**2:,.0f} MB".replace(",", " ")


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**MISSED**")


def write_results(r: dict, quick: bool, argv: list[str]) -> str:
    m = r["machine"]
    lines = ["# Benchmark results", ""]
    if quick:
        lines += ["**Quick run** (`--quick`): smaller sizes than the issue asks; not the reference figures.", ""]
    lines += [
        f"Measured {r['date']} on this machine, in one run of `{' '.join(['benchmarks/run_all.py', *argv])}` "
        f"(commit `{m['commit']}`), {r['total_minutes']:.1f} minutes in all. Written by `benchmarks/run_all.py`; "
        "no figure here is edited by hand.", "",
        "## Machine", "",
        f"- CPU: {m['cpu']}, {m['cores']} cores (shared with other work; load average at start "
        f"{', '.join(f'{x:.2f}' for x in m['load_avg_at_start'])}; at the end "
        f"{', '.join(f'{x:.2f}' for x in r['load_avg_at_end'])}; a load above 2 means the figures below "
        "include waiting for a core)",
        f"- RAM: {_mb(m['ram_bytes'])}",
        f"- Python {m['python']} on {m['os']}",
        "- " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        "",
    ]

    ing = r.get("ingest", {})
    lines += ["## 1. Ingest of report PDFs", ""]
    if not ing:
        lines += ["Not run (`--skip ingest`).", ""]
    elif "error" in ing:
        lines += [f"Not measured: {ing['error']}", ""]
    else:
        cold = ing["ingest_cold"]
        base_pps = ing.get("plumber_pool", ing["plumber_1proc"])["pages_per_s"]
        extra = ing["ingest_one_changed"]["seconds"] - ing["ingest_rerun"]["seconds"]
        lines += [
            f"Corpus: {ing['files']} PDFs made by the demo generator (`benchmarks/corpus.py`), {ing['pages']} pages, "
            f"{_mb(ing['corpus_bytes'])}. Ingest uses {ing['jobs']} worker processes (all cores). Wall-clock "
            f"seconds after imports, the fastest of {ing.get('repeats', 1)} interleaved runs of each row (every run "
            "is in `benchmarks/work/results.json`); the page cache is warm for every row.", "",
            "| what | processes | seconds | pages/s |", "|---|---|---|---|",
            f"| pypdfium2 raw text (`get_textpage().get_text_range()`), the floor | 1 | "
            f"{_f(ing['pdfium_1proc']['seconds'], 2)} | {_f(ing['pdfium_1proc']['pages_per_s'])} |",
            f"| pdfplumber `extract_text` | 1 | {_f(ing['plumber_1proc']['seconds'], 2)} | "
            f"{_f(ing['plumber_1proc']['pages_per_s'])} |",
        ]
        if "plumber_pool" in ing:
            lines.append(f"| pdfplumber `extract_text`, process pool | {ing['jobs']} | "
                         f"{_f(ing['plumber_pool']['seconds'], 2)} | {_f(ing['plumber_pool']['pages_per_s'])} |")
        if "ingest_parse_stage" in ing:
            ps = ing["ingest_parse_stage"]
            lines.append(f"| partifinans ingest, parsing stage only (its process pool, `pipeline._run`) | {ing['jobs']} | "
                         f"{_f(ps['seconds'], 2)} | {_f(ps['pages_per_s'])} |")
        lines += [
            f"| **partifinans ingest, cold** (parse, reconcile, link, flag, write Parquet) | {ing['jobs']} | "
            f"{_f(cold['seconds'], 2)} | {_f(cold['pages_per_s'])} |",
            f"| partifinans ingest, re-run over the unchanged corpus | {ing['jobs']} | "
            f"{_f(ing['ingest_rerun']['seconds'], 2)} | |",
            f"| partifinans ingest, re-run with one file changed | {ing['jobs']} | "
            f"{_f(ing['ingest_one_changed']['seconds'], 2)} | |",
            f"| parsing that one file alone (`parse_pdf`) | 1 | {_f(ing['parse_one_file_seconds'], 2)} | |",
            "",
            f"- Ingest / pdfplumber `extract_text` (same number of processes): "
            f"**{ing['ratio_vs_plumber_same_jobs']:.2f}x**; against single-process pdfplumber: "
            f"{ing['ratio_vs_plumber_1proc']:.2f}x; against the pypdfium2 floor: {ing['ratio_vs_pdfium']:.2f}x.",
            f"- Target (issue #10) \"cold ingest at least 2x pdfplumber extract_text\" (same processes): "
            f"{_verdict(ing['ratio_vs_plumber_same_jobs'] >= 2.0)}."
            + (f" The parsing stage alone: {ing['ingest_parse_stage']['pages_per_s'] / base_pps:.2f}x pdfplumber."
               if "ingest_parse_stage" in ing else ""),
            f"- Re-run unchanged: {ing['rerun_fraction_of_cold'] * 100:.1f}% of the cold run; target under 10%: "
            f"{_verdict(ing['rerun_fraction_of_cold'] < TARGET_RERUN_FRACTION)}.",
            f"- One changed file: {_f(extra, 2)} s more than the unchanged re-run; parsing the file alone takes "
            f"{_f(ing['parse_one_file_seconds'], 2)} s, the rest is the stages after parsing (reconcile, link, detect, "
            "write), which run over the whole corpus when anything changed. Target \"about one file's parse\" "
            f"(read here as at most twice the parse): {_verdict(extra <= 2 * ing['parse_one_file_seconds'])}.",
            "",
        ]
        if "post_stages" in ing:
            st = ing["post_stages"]
            lines += [
                "- Where the time after parsing goes (each stage run once more on the same tables): "
                + ", ".join(f"{k.replace('_', ' ')} {_f(v, 2)} s" for k, v in st.items())
                + f"; {_f(sum(st.values()), 2)} s in all (the unchanged re-run above took "
                f"{_f(ing['ingest_rerun']['seconds'], 2)} s).",
                "",
            ]
        for key in ("ingest_cold", "ingest_rerun", "ingest_one_changed"):
            if ing[key].get("line"):
                lines.append(f"- `{key}` summary: {ing[key]['line']}")
        lines.append("")

    od = r.get("opendata", {})
    lines += ["## 2. Open-data import", ""]
    if "error" in od:
        lines += [f"Not measured: {od['error']}", ""]
    elif od:
        sec = _seconds(od)
        rows = od.get("rows") or od.get("n_rows")
        lines += [
            f"{_f(rows, 0) if rows else r['opendata_rows']} rows: {_f(sec, 2)} s "
            f"({_f((rows or r['opendata_rows']) / sec, 0) if sec else 'n/a'} rows/s), peak memory "
            f"{_mb(_peak_bytes(od))}. Target under {TARGET_OPENDATA_SECONDS} s: "
            f"{_verdict(sec is not None and sec < TARGET_OPENDATA_SECONDS if r['opendata_rows'] >= 1_000_000 else None)}.",
            "", "Everything the benchmark reported:", "", "```", json.dumps(od, indent=1, default=str), "```", "",
        ]

    lk = r.get("link", {})
    lines += ["## 3. Linkage", ""]
    if lk:
        lines += ["| records | seconds (linkage only), wall (CPU) | peak memory | growth in time vs previous size | target |",
                  "|---|---|---|---|---|"]
        prev = None
        for n, res in sorted(lk.items(), key=lambda kv: int(kv[0])):
            n = int(n)
            if "error" in res and _seconds(res) is None:
                lines.append(f"| {_f(n, 0)} | not finished: {res['error']} | {_mb(res.get('peak_rss_bytes'))} | | "
                             f"{_verdict(False) if n in TARGET_LINK_SECONDS else ''} |")
                prev = None
                continue
            wall = _seconds(res)
            sec = res.get("cpu_seconds") or wall
            growth = ""
            target = ""
            if prev and sec:
                exponent = math.log(sec / prev[1]) / math.log(n / prev[0])
                growth = f"{sec / prev[1]:.1f}x for {n / prev[0]:.0f}x records (time ~ n^{exponent:.2f})"
                if n == 10 * prev[0]:
                    target = f"growth at most {TARGET_LINK_GROWTH}x: {_verdict(sec / prev[1] <= TARGET_LINK_GROWTH)}"
            if n in TARGET_LINK_SECONDS:
                target = (f"{target}; " if target else "") + (
                    f"< {TARGET_LINK_SECONDS[n]} s and < {_mb(TARGET_LINK_BYTES)}: "
                    f"{_verdict(sec < TARGET_LINK_SECONDS[n] and _peak_bytes(res) < TARGET_LINK_BYTES)}")
            load = res.get("load_average_1min")
            cpu = f" ({_f(res['cpu_seconds'], 2)})" if res.get("cpu_seconds") else ""
            lines.append(f"| {_f(n, 0)} | {_f(wall, 2)}{cpu}{f', load {load}' if load is not None else ''} | "
                         f"{_mb(_peak_bytes(res))} | {growth} | {target} |")
            prev = (n, sec)
        lines += ["", "Near-linear growth means an exponent close to 1 (n log n gives about 1.1 over these sizes).",
                  "", "Everything the benchmark reported:", "", "```", json.dumps(lk, indent=1, default=str), "```", ""]

    mr = r.get("make_run", {})
    lines += ["## 4. `make run` on the demo corpus", ""]
    if mr:
        lines += [f"`{mr.get('command')}`: {_f(mr.get('seconds'), 2)} s wall clock for {mr.get('pdfs')} PDFs, "
                  f"exit status {mr.get('exit')}, tables written: {', '.join(mr.get('tables') or []) or 'none'}.",
                  f"Its last line: `{mr.get('summary')}`", ""]

    mu = r.get("mutation", {})
    lines += ["## 5. Mutation test", ""]
    if "error" in mu:
        lines += [f"Not run: {mu['error']}", ""]
    elif mu:
        lines += [
            f"{mu['cases']} mutated copies made from the {mu['sources']} demo PDFs (flipped bytes, truncations with and "
            "without a restored end marker, a deleted `obj ... endobj`, appended garbage, a run of zero bytes), "
            f"each through `partifinans parse` in its own process with a hard bound of {mu['bound_seconds'] + 30} s. "
            f"{_f(mu['seconds'], 1)} s in all; slowest case {_f(mu['max_seconds'], 2)} s ({mu['slowest_case']}).", "",
            "| mutation | " + " | ".join(("report", "refusal", "crash", "hang")) + " |", "|---|---|---|---|---|",
        ]
        for kind, counts in sorted(mu["by_kind"].items()):
            lines.append(f"| {kind} | " + " | ".join(str(counts.get(s, 0)) for s in ("report", "refusal", "crash", "hang"))
                         + " |")
        lines += ["", f"Unacceptable outcomes (crash or hang): {len(mu['failures'])}.", ""]
        lines += [f"- {f}" for f in mu["failures"][:30]]
        lines.append("")
        rc = mu.get("reports_compared")
        if rc:
            lines += [
                f"Of the mutated files that still gave a report, {rc['same']} gave exactly the unmutated file's "
                f"report, {rc['changed_with_warning']} a different one with at least one warning more, and "
                f"{rc['changed_silently']} a different one without a new warning (data changed silently; not a "
                "crash, but worth knowing):", ""]
            lines += [f"- {x}" for x in rc["silent"][:30]]
            lines.append("")

    sq = r.get("sqlite", {})
    lines += ["## 6. SQLite database (`partifinans sqlite`)", ""]
    if "error" in sq:
        lines += [f"Not measured: {sq['error']}", ""]
    elif sq:
        rows = ", ".join(f"{k} {_f(v, 0)}" for k, v in (sq.get("rows") or {}).items() if v)
        lines += [
            f"From the tables of the {_f(sq.get('opendata_rows'), 0)}-row open-data file ({rows}): "
            f"{_f(_seconds(sq), 2)} s ({_f(sq.get('cpu_seconds'), 2)} s CPU) to write the database with its keys, "
            "indexes, full-text search and "
            f"Datasette metadata; {_mb(sq.get('db_bytes'))} on disk (the same tables as Parquet: "
            f"{_mb(sq.get('parquet_bytes'))}). Peak memory of the process (generating the file included): "
            f"{_mb(_peak_bytes(sq))}.", "",
        ]

    oc = r.get("ocr", {})
    lines += ["## 7. OCR of scanned reports", ""]
    if "error" in oc:
        lines += [f"Not measured: {oc['error']}", ""]
    elif oc:
        lines += [
            f"{oc['scans']} test scans of demo reports ({oc['pages']} pages; `tests/ocr/scans.py`, rendered at "
            f"{', '.join(map(str, oc['dpi']))} dpi, tilted up to 1 degree, noise and specks), each through `parse_pdf` "
            f"in one process; Tesseract {oc['tesseract']}, one thread.", "",
            "| what | seconds | pages/s |", "|---|---|---|",
            f"| OCR, cold (empty cache: every page rendered and read by Tesseract) | {_f(oc['ocr_cold']['seconds'], 2)} | "
            f"{_f(oc['ocr_cold']['pages_per_s'], 2)} |",
            f"| the same again, text layers from the cache | {_f(oc['ocr_cached']['seconds'], 2)} | "
            f"{_f(oc['ocr_cached']['pages_per_s'], 1)} |",
            f"| the born-digital originals, for comparison | {_f(oc['born_digital']['seconds'], 2)} | "
            f"{_f(oc['born_digital']['pages_per_s'], 1)} |", "",
            f"- A cached re-run costs {oc['cached_fraction_of_cold'] * 100:.1f}% of the cold OCR run.", "",
        ]

    lines += [
        "## How to reproduce", "",
        "```", "make bench                                  # everything, as above",
        ".venv/bin/python benchmarks/run_all.py --quick   # a smaller run to check the machinery",
        ".venv/bin/python benchmarks/bench_ingest.py --files 200",
        ".venv/bin/python benchmarks/bench_sqlite.py 1000000",
        "```", "",
        "The PDF corpus is rebuilt deterministically under `benchmarks/work/` (git-ignored). Other work on the "
        "machine changes the figures; compare runs on an idle machine.", "",
    ]
    text = "\n".join(lines)
    RESULTS.write_text(text)
    return text


def _guard(name: str, fn, *args) -> dict:
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    try:
        res = fn(*args)
    except Exception as exc:  # noqa: BLE001 - one failed part must not lose the others' figures
        traceback.print_exc()
        res = {"error": f"{type(exc).__name__}: {exc}"}
    print(f"[bench] {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Run every benchmark and write benchmarks/RESULTS.md.")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, to check the machinery")
    ap.add_argument("--skip", action="append", default=[],
                    choices=["ingest", "opendata", "link", "make_run", "mutation", "sqlite", "ocr"], help="leave a part out")
    args = ap.parse_args(argv)
    argv = argv if argv is not None else sys.argv[1:]

    os.environ.setdefault("PARTIFINANS_KEY_FILE", str(WORK / "bench-pseudonym.key"))  # never the user's key
    WORK.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    r: dict = {"machine": machine(), "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    n_files = 40 if args.quick else 240
    r["opendata_rows"] = 100_000 if args.quick else 1_000_000
    link_sizes = (1_000, 10_000) if args.quick else (10_000, 100_000, 1_000_000)

    if "ingest" not in args.skip:
        import bench_ingest

        r["ingest"] = _guard("ingest", bench_ingest.run, n_files)
    if "opendata" not in args.skip:
        r["opendata"] = _guard("opendata", run_isolated, "bench_opendata", "run", r["opendata_rows"], 1800)
    if "link" not in args.skip:
        r["link"] = {}
        for n in link_sizes:
            r["link"][n] = _guard(f"link {n}", run_isolated, "bench_link", "run", n, 3600 if n >= 1_000_000 else 900)
    if "make_run" not in args.skip:
        r["make_run"] = _guard("make run", bench_make_run)
    if "mutation" not in args.skip:
        r["mutation"] = _guard("mutation", bench_mutation, 30 if args.quick else 300)
    if "sqlite" not in args.skip:
        r["sqlite"] = _guard("sqlite", run_isolated, "bench_sqlite", "run", r["opendata_rows"], 1800)
    if "ocr" not in args.skip:
        import bench_ocr

        r["ocr"] = _guard("ocr", bench_ocr.run, 3 if args.quick else 8)
    r["total_minutes"] = (time.perf_counter() - t0) / 60
    r["load_avg_at_end"] = os.getloadavg()
    (WORK / "results.json").write_text(json.dumps(r, indent=1, default=str))
    print(write_results(r, args.quick, argv))


if __name__ == "__main__":
    main()
