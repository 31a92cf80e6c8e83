"""Two ``partifinans ingest`` processes into one output directory at once: the second is refused in
one line naming the first, the first finishes untouched, and a later run works (store.locked)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from partifinans import store
from partifinans.demo.corpus import demo_reports
from partifinans.demo.render import render_pdf

DRIVER = Path(__file__).with_name("ingest_driver.py")


def _corpus(root: Path) -> Path:
    src = root / "demo"
    src.mkdir()
    for d in demo_reports()[:3]:
        render_pdf(d.report, src / f"{d.stem}.pdf", d.layout, d.quirks)
    return src


def _start(src: Path, out: Path, mode: str, marker: Path) -> subprocess.Popen:
    marker.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, str(DRIVER), str(src), str(out), mode, str(marker)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_second_ingest_into_the_same_directory_is_refused_naming_the_first(tmp_path):
    src = _corpus(tmp_path)
    out = tmp_path / "processed"
    blocked_on = sorted(src.iterdir())[0].name
    first = _start(src, out, f"block-parse:{blocked_on}", tmp_path / "m1")
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "m1" / "blocked").exists():  # the first run holds the lock and is parsing
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = _start(src, out, "plain", tmp_path / "m2")
        _, err = second.communicate(timeout=120)
        assert second.returncode == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith(f"{out}: another run is writing here (pid {first.pid} on ")
        assert "Traceback" not in err and ".tmp" not in err
        assert first.poll() is None  # the first run was not disturbed
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate(timeout=60)
    # the lock died with its holder: the next run works and writes the tables
    third = _start(src, out, "plain", tmp_path / "m3")
    _, err = third.communicate(timeout=300)
    assert third.returncode == 0, err
    assert len(store.read_table(out, "reports")) == 3


def test_lock_is_held_only_inside_the_block(tmp_path):
    out = tmp_path / "out"
    with store.locked(out):
        assert (out / store.LOCK_NAME).read_text(encoding="utf-8").startswith(f"pid {os.getpid()} on ")
        probe = subprocess.run(
            [sys.executable, "-c", f"from partifinans import store\nwith store.locked({str(out)!r}): pass"],
            capture_output=True, text=True, timeout=60,
        )
        assert probe.returncode != 0 and "another run is writing here" in probe.stderr
    probe = subprocess.run(
        [sys.executable, "-c", f"from partifinans import store\nwith store.locked({str(out)!r}): print('ok')"],
        capture_output=True, text=True, timeout=60,
    )
    assert probe.stdout.strip() == "ok"


def test_unwritable_output_is_refused_before_any_file_is_read(tmp_path, monkeypatch, capsys):
    from partifinans import cli, pipeline

    src = _corpus(tmp_path)
    (tmp_path / "afile").write_text("not a directory")
    read = []
    monkeypatch.setattr(pipeline, "_read_one", lambda *a: read.append(a))
    out = tmp_path / "afile" / "processed"
    assert cli.main(["ingest", str(src), "--out", str(out), "--jobs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == f"{out}: cannot write to the output directory (Not a directory)\n"
    assert read == []
    assert cli.main(["ingest", str(src), "--out", str(tmp_path / "afile"), "--quiet"]) == 2
    assert capsys.readouterr().err == f"{tmp_path / 'afile'}: the output is a file, not a directory\n"
