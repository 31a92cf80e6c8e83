"""The bounds on one input file (docs/LIMITS.md): pages, file size, time, decompressed size.

Each limit is lowered with monkeypatch so that the files here stay small and fast; what is tested
is that the bound is applied where documented and that the refusal names it, in one line.
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from partifinans import cli, config, pipeline
from partifinans.demo.corpus import demo_reports
from partifinans.demo.render import render_pdf
from partifinans.errors import BadInput
from partifinans.extract import parse_pdf
from robustness.pdf_mutations import pdf_with_stream


def _blank_pages(path: Path, n: int) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(n):
        c.showPage()
    c.save()
    return path


def _dense_report(path: Path, pages: int) -> Path:
    """A report title, then pages of small text: slow to read on purpose."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for p in range(pages):
        c.setFont("Helvetica", 6)
        if p == 0:
            c.drawString(40, 800, "Intäktsredovisning")
        for row in range(110):
            c.drawString(20, 790 - row * 7, " ".join(f"Exempelord{k} {p}-{row}" for k in range(14)))
        c.showPage()
    c.save()
    return path


def _bomb(path: Path, inflated_bytes: int) -> Path:
    """One page whose FlateDecode content stream inflates to ``inflated_bytes`` bytes of blanks
    (after a title), written chunk by chunk so this test never holds the inflated stream itself."""
    z = zlib.compressobj(6)
    parts = [z.compress(b"BT /F1 12 Tf 72 720 Td (Intaktsredovisning) Tj ET\n")]
    chunk = b" " * (1 << 20)
    for _ in range(inflated_bytes // len(chunk)):
        parts.append(z.compress(chunk))
    parts.append(z.flush())
    return pdf_with_stream(path, b"/Filter /FlateDecode", b"".join(parts))


@pytest.fixture
def demo_pdf(tmp_path) -> Path:
    d = next(d for d in demo_reports() if d.layout == "eservice_table")
    path = tmp_path / f"{d.stem}.pdf"
    render_pdf(d.report, path, d.layout, d.quirks)
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(BadInput) as info:
        parse_pdf(path)
    assert info.value.path == str(path)
    return info.value.reason


def test_cli_refusal_is_one_line_naming_the_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "MAX_PAGES", 3)
    path = _blank_pages(tmp_path / "four_blank_pages.pdf", 4)
    assert cli.main(["parse", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"{path}: too many pages (4; limit 3)\n"


# --- pages ---------------------------------------------------------------------------------------

def test_page_limit_plus_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_PAGES", 5)
    assert _refusal(_blank_pages(tmp_path / "six_blank_pages.pdf", 6)) == "too many pages (6; limit 5)"


def test_page_limit_itself_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_PAGES", 5)
    reason = _refusal(_blank_pages(tmp_path / "five_blank_pages.pdf", 5))
    assert "limit" not in reason and reason.startswith("no text layer (5 page(s)")


def test_default_page_limit(tmp_path):
    assert config.MAX_PAGES == 500
    assert _refusal(_blank_pages(tmp_path / "501_blank_pages.pdf", 501)) == "too many pages (501; limit 500)"


# --- file size -----------------------------------------------------------------------------------

def test_file_size_limit(demo_pdf, monkeypatch):
    size = demo_pdf.stat().st_size
    monkeypatch.setattr(config, "MAX_FILE_BYTES", size - 1)
    assert _refusal(demo_pdf) == f"file too large ({size} bytes; limit {size - 1})"
    monkeypatch.setattr(config, "MAX_FILE_BYTES", size)
    assert parse_pdf(demo_pdf)["schema"] == "partifinans.report/1"


# --- time ----------------------------------------------------------------------------------------

# the alarm may land in a gc callback (hypothesis registers one) and be dropped once: expected
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_time_limit_stops_a_slow_file(tmp_path, monkeypatch):
    path = _dense_report(tmp_path / "dense_pages.pdf", 40)
    monkeypatch.setattr(config, "MAX_SECONDS_PER_FILE", 0.3)
    t0 = time.perf_counter()
    reason = _refusal(path)
    elapsed = time.perf_counter() - t0
    assert reason == "took longer than 0.3 s to read (limit MAX_SECONDS_PER_FILE)"
    assert elapsed < 5  # stopped near the bound, not after reading all 40 pages


# the alarm may land in a gc callback (hypothesis registers one) and be dropped once: expected
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_time_limit_in_ingest_fails_the_file_not_the_run(tmp_path, monkeypatch):
    path = _dense_report(tmp_path / "dense_pages.pdf", 40)
    monkeypatch.setattr(config, "MAX_SECONDS_PER_FILE", 0.3)
    result = pipeline._read_one(str(path), "dense_pages.pdf", "0" * 64)
    assert result == {"status": "failed", "reason": "took longer than 0.3 s to read (limit MAX_SECONDS_PER_FILE)"}


# --- decompressed size ---------------------------------------------------------------------------

def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    """64 MB of content in a file of about 64 KB, with the budget lowered to 8 MB."""
    path = _bomb(tmp_path / "decompression_bomb.pdf", 64 << 20)
    assert path.stat().st_size < 200_000
    monkeypatch.setattr(config, "MAX_DECOMPRESSED_BYTES", 8 << 20)
    reason = _refusal(path)
    assert reason == f"streams inflate to more than {8 << 20} bytes (limit MAX_DECOMPRESSED_BYTES)"


def test_inflate_stops_at_the_budget():
    """The bounded zlib pdfminer sees inflates no more than budget + 1 byte of a 100 MB stream."""
    from partifinans.extract import inflate

    data = zlib.compress(b" " * (100 << 20))
    with inflate.inflate_limit(1000), pytest.raises(inflate.InflateLimitExceeded):
        inflate._BoundedZlib.decompress(data)
    d = inflate._CountingDecompressor()
    with inflate.inflate_limit(1000), pytest.raises(inflate.InflateLimitExceeded):
        d.decompress(data)
    assert len(d.unconsumed_tail) > 0  # most of the input was never inflated
    assert inflate._BoundedZlib.decompress(zlib.compress(b"abc")) == b"abc"  # no budget: plain zlib


def test_stream_within_the_budget_is_read(tmp_path, monkeypatch):
    path = _bomb(tmp_path / "small_stream.pdf", 2 << 20)
    monkeypatch.setattr(config, "MAX_DECOMPRESSED_BYTES", 4 << 20)
    reason = _refusal(path)  # read, then refused as a report: its only text is a title
    assert "MAX_DECOMPRESSED_BYTES" not in reason



@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_time_limit_survives_an_alarm_dropped_in_a_finaliser():
    """An exception raised in a ``__del__`` (or a gc callback) is printed and dropped by Python; the
    alarm must come again rather than let the file run to its end (seen under load in ingest)."""
    from partifinans.extract import _Timeout, time_limit

    class SlowFinaliser:
        def __del__(self):
            time.sleep(0.3)  # the alarm due at 0.1 s fires in here and is dropped

    t0 = time.monotonic()
    with pytest.raises(_Timeout), time_limit(0.1):
        SlowFinaliser()  # made and finalised at once
        while time.monotonic() - t0 < 3:
            time.sleep(0.01)
    assert time.monotonic() - t0 < 2
