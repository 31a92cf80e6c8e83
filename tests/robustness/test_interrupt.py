"""SIGKILL ``partifinans ingest`` mid-run, run it again: the tables equal an uninterrupted run's.

The interruption is made to land at a known point by ``ingest_driver.py`` (a worker blocks on one
named file, or the process kills itself after the K-th table rename), so these tests do not depend
on timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from partifinans.demo.corpus import demo_reports
from partifinans.demo.render import render_pdf

DRIVER = Path(__file__).with_name("ingest_driver.py")
N_FILES = 6


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Six demo reports (every layout among them) in a directory named ``demo``."""
    src = tmp_path_factory.mktemp("corpus") / "demo"
    src.mkdir()
    reports = demo_reports()
    chosen = {d.stem: d for d in {d.layout: d for d in reports}.values()}  # one per layout ...
    for d in reports:  # ... then the first others
        if len(chosen) >= N_FILES:
            break
        chosen.setdefault(d.stem, d)
    assert len(chosen) == N_FILES
    for d in chosen.values():
        render_pdf(d.report, src / f"{d.stem}.pdf", d.layout, d.quirks)
    return src


def _ingest(src: Path, out: Path, mode: str = "plain", marker: Path | None = None, wait_for_block: bool = False):
    """Run the driver; with ``wait_for_block`` kill its process group once a worker is blocked."""
    marker = marker or out.parent / f"{out.name}-marker"
    marker.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, str(DRIVER), str(src), str(out), mode, str(marker)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    if wait_for_block:
        deadline = time.monotonic() + 120
        while not (marker / "blocked").exists():
            assert proc.poll() is None, f"ingest ended before the block: {proc.communicate()[1]}"
            assert time.monotonic() < deadline, "no worker blocked within 120 s"
            time.sleep(0.02)
        time.sleep(0.3)  # let the other worker finish a file or two
        os.killpg(proc.pid, signal.SIGKILL)
    _, stderr = proc.communicate(timeout=300)
    return proc.returncode, stderr


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    """Every Parquet table in ``out``, rows in a canonical order."""
    tables = {}
    for path in sorted(out.glob("*.parquet")):
        df = pd.read_parquet(path)
        keys = [c for c in df.columns if df[c].map(lambda v: isinstance(v, str | int | float | bool) or v is None).all()]
        tables[path.stem] = df.sort_values(keys).reset_index(drop=True) if keys else df
    return tables


def _assert_same_tables(got: Path, want: Path) -> None:
    a, b = _tables(got), _tables(want)
    assert sorted(a) == sorted(b)
    for name in b:
        pd.testing.assert_frame_equal(a[name], b[name], check_like=False, obj=name)


def test_killed_then_rerun_equals_uninterrupted(corpus, tmp_path):
    """Killed while parsing (nothing written yet), and killed between two table renames (two tables
    of the run in place, the others not): each time a rerun gives exactly the tables of an
    uninterrupted run. (One test, so that under pytest-xdist the reference run is made once.)"""
    reference = tmp_path / "reference"
    code, stderr = _ingest(corpus, reference)
    assert code == 0, stderr
    ref = _tables(reference)
    assert len(ref["reports"]) == N_FILES and len(ref["contributions"]) > 0

    out = tmp_path / "killed_while_parsing"
    blocked_file = sorted(corpus.glob("*.pdf"))[N_FILES // 2].name
    code, _ = _ingest(corpus, out, f"block-parse:{blocked_file}", wait_for_block=True)
    assert code == -signal.SIGKILL
    assert not list(out.glob("*.parquet")), "a run killed while parsing wrote tables"
    code, stderr = _ingest(corpus, out)
    assert code == 0, stderr
    _assert_same_tables(out, reference)

    out = tmp_path / "killed_between_renames"
    code, _ = _ingest(corpus, out, "kill-after-replace:2")
    assert code == -signal.SIGKILL
    assert len(list(out.glob("*.parquet"))) == 2
    code, stderr = _ingest(corpus, out)
    assert code == 0, stderr
    _assert_same_tables(out, reference)


def test_killed_after_a_complete_run_leaves_previous_tables(corpus, tmp_path):
    """A complete run, two files changed, a run killed while parsing: the first run's tables are
    intact and readable. Then a run killed between table renames, and a run to the end: the tables
    equal an uninterrupted run over the changed corpus."""
    src = tmp_path / "demo"
    src.mkdir()
    for p in corpus.glob("*.pdf"):
        (src / p.name).write_bytes(p.read_bytes())
    out = tmp_path / "out"
    assert _ingest(src, out)[0] == 0
    before = _tables(out)

    changed = sorted(src.glob("*.pdf"))[:2]
    for d in demo_reports(seed=99):  # same stems, other contents
        if f"{d.stem}.pdf" in {p.name for p in changed}:
            render_pdf(d.report, src / f"{d.stem}.pdf", d.layout, d.quirks)
    code, _ = _ingest(src, out, f"block-parse:{changed[1].name}", marker=tmp_path / "m1", wait_for_block=True)
    assert code == -signal.SIGKILL
    after_kill = _tables(out)
    assert sorted(after_kill) == sorted(before)
    for name in before:
        pd.testing.assert_frame_equal(after_kill[name], before[name], obj=name)

    code, _ = _ingest(src, out, "kill-after-replace:2", marker=tmp_path / "m2")
    assert code == -signal.SIGKILL
    assert _ingest(src, out)[0] == 0
    fresh = tmp_path / "fresh"
    assert _ingest(src, fresh)[0] == 0
    _assert_same_tables(out, fresh)
    assert not _tables(out)["reports"].equals(before["reports"])  # the change did reach the tables
