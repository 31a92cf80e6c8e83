"""The two character readers of ``pdftext`` (pdfium, fast; pdfminer, the guarded fallback) give the
same words in the same places, and the pre-scan that decides between them (``inflate.fits_budget``)
vouches only for what it has counted."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from robustness.pdf_mutations import pdf_with_stream

from partifinans import config
from partifinans.errors import BadInput
from partifinans.extract import inflate, parse_pdf, pdftext

ROOT = Path(__file__).resolve().parents[2]


def _words(pages: list[pdftext.Page]) -> list[tuple]:
    return [(p.number, round(p.width, 1), round(p.height, 1), c.text, c.x0, c.x1, c.top, c.bottom)
            for p in pages for ln in p.lines for c in ln.cells]


def _same_words(a: list[tuple], b: list[tuple], tol: float = 1.5) -> None:
    assert [w[:4] for w in a] == [w[:4] for w in b]
    for wa, wb in zip(a, b, strict=True):
        assert all(abs(x - y) <= tol for x, y in zip(wa[4:], wb[4:], strict=True)), (wa, wb)


def _turned_pages(path: Path, offset: tuple[float, float] = (0, 0)) -> Path:
    """Pages shown upright with /Rotate 0, 90, 180, 270 (text drawn turned the other way), a line in
    two fonts and sizes and a scaled line; ``offset`` moves every MediaBox's origin."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    w, h = A4
    for rotate in (0, 90, 180, 270):
        c.setPageRotation(rotate)
        c.saveState()
        # draw in the shown page's coordinates: turn the user space against the rotation
        if rotate == 90:
            c.translate(w, 0)
            c.rotate(90)
        elif rotate == 180:
            c.translate(w, h)
            c.rotate(180)
        elif rotate == 270:
            c.translate(0, h)
            c.rotate(270)
        shown_h = w if rotate in (90, 270) else h
        c.setFont("Helvetica-Bold", 14)
        c.drawString(40, shown_h - 60, f"Intäktsredovisning sida {rotate}")
        c.setFont("Helvetica", 8)
        c.drawString(40, shown_h - 90, "Bidragsgivare")
        c.setFont("Times-Roman", 9)
        c.drawString(200, shown_h - 90, "Föreningen Exempel 802000-0000   125 000 kr")
        c.saveState()
        c.translate(40, shown_h - 130)
        c.scale(1.5, 1.2)
        c.drawString(0, 0, "Summa intäkter 1 250 000")
        c.restoreState()
        c.restoreState()
        c.showPage()
    c.save()
    if offset != (0, 0):
        data = path.read_bytes()
        def moved(m: re.Match) -> bytes:
            x0, y0, x1, y1 = (float(v) for v in m.group(1).split())
            return b"/MediaBox [ %g %g %g %g ]" % (x0 + offset[0], y0 + offset[1], x1 + offset[0], y1 + offset[1])
        data = re.sub(rb"/MediaBox \[\s*([-\d. ]+?)\s*\]", moved, data)
        path.write_bytes(data)  # the xref offsets move: both readers repair it the same way
    return path


@pytest.mark.parametrize("offset", [(0, 0), (0, 0.0001)])
def test_pdfium_reads_the_words_pdfminer_reads_on_turned_pages(tmp_path, offset):
    path = _turned_pages(tmp_path / "turned.pdf", offset)
    fast, guarded = pdftext._read_pdfium(path), pdftext._read_pdfminer(path)
    assert fast is not None
    assert [p.width for p in fast] == pytest.approx([p.width for p in guarded])
    texts = [ln.text for p in fast for ln in p.lines]
    assert "Intäktsredovisning sida 90" in texts and "Summa intäkter 1 250 000" in texts
    _same_words(_words(fast), _words(guarded))


@pytest.mark.parametrize("name", ["2016_centerpartiet-riks.pdf", "2022_miljopartiet-fiktiva.pdf"])
def test_pdfium_reads_the_demo_words_pdfminer_reads(name):
    path = ROOT / "data" / "raw" / "demo" / name
    _same_words(_words(pdftext._read_pdfium(path)), _words(pdftext._read_pdfminer(path)))


def test_fixture_with_mediabox_offset_reads_alike(tmp_path):
    path = _turned_pages(tmp_path / "offset.pdf", (30, -40))
    _same_words(_words(pdftext._read_pdfium(path)), _words(pdftext._read_pdfminer(path)))


# --- the pre-scan ---------------------------------------------------------------------------------

_pdf_with_stream = pdf_with_stream  # tests/robustness/pdf_mutations.py


CONTENT = b"BT /F1 12 Tf 72 720 Td (Intaktsredovisning) Tj ET\n"


def test_scan_counts_a_flate_stream_against_the_budget():
    data = zlib.compress(CONTENT + b" " * (4 << 20))
    pdf = b"1 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data + b"\nendstream\nendobj\n"
    assert inflate.fits_budget(pdf, 5 << 20)
    assert not inflate.fits_budget(pdf, 4 << 20)


def test_scan_decodes_ascii85_before_inflating():
    import base64

    data = base64.a85encode(zlib.compress(b" " * (3 << 20)), adobe=False) + b"~>"
    pdf = b"4 0 obj\n<< /Filter [/ASCII85Decode /FlateDecode] /Length %d >>\nstream\n" % len(data) + data + b"\nendstream\n"
    assert inflate.fits_budget(pdf, 3 << 20)
    assert not inflate.fits_budget(pdf, (3 << 20) - 1)


@pytest.mark.parametrize("entries", [b"/Filter /LZWDecode", b"/Filter [/FlateDecode /RunLengthDecode]",
                                     b"/Filter 9 0 R", b"/Filter /FlateDecode /Note (endobj)", b"/Filter /FlateDecode /Note (x)",
                                     b"/Filter [/FlateDecode /FlateDecode]"])
def test_scan_is_not_sure_of_filters_it_does_not_decode(entries):
    data = zlib.compress(CONTENT)
    pdf = b"4 0 obj\n<< " + entries + b" >>\nstream\n" + data + b"\nendstream\n"
    assert not inflate.fits_budget(pdf, 1 << 30)


@pytest.mark.parametrize("entries", [b"/Filter [/ASCII85Decode /FlateDecode] % endobj\n",
                                     b"/Filter [/ASCII85Decode /FlateDecode] /N (1 0 obj <<)"])
def test_scan_is_not_sure_where_a_dictionary_could_hide_its_start(entries):
    """A string or comment holding "endobj" or an object header could hide the real /Filter."""
    import base64

    data = base64.a85encode(zlib.compress(CONTENT), adobe=False) + b"~>"
    pdf = b"4 0 obj\n<< " + entries + b" >>\nstream\n" + data + b"\nendstream\nendobj\n"
    assert not inflate.fits_budget(pdf, 1 << 30)


def test_scan_inflates_a_stream_without_a_filter_if_it_is_zlib():
    data = zlib.compress(b" " * (2 << 20))
    pdf = b"4 0 obj\n<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream\nendobj\n"
    assert inflate.fits_budget(pdf, 2 << 20)
    assert not inflate.fits_budget(pdf, 1 << 20)


def test_bomb_behind_ascii85_is_refused_with_the_usual_reason(tmp_path, monkeypatch):
    """pdfium would inflate this in C; the scan sends it to pdfminer's counted zlib, which refuses it."""
    import base64

    z = zlib.compressobj(9)
    data = z.compress(CONTENT) + b"".join(z.compress(b" " * (1 << 20)) for _ in range(16)) + z.flush()
    path = _pdf_with_stream(tmp_path / "a85_bomb.pdf", b"/Filter [/ASCII85Decode /FlateDecode]",
                            base64.a85encode(data, adobe=False) + b"~>")
    monkeypatch.setattr(config, "MAX_DECOMPRESSED_BYTES", 4 << 20)
    with pytest.raises(BadInput) as err:
        parse_pdf(path)
    assert err.value.reason == f"streams inflate to more than {4 << 20} bytes (limit MAX_DECOMPRESSED_BYTES)"


def test_a_file_the_scan_vouches_for_is_read_by_pdfium(tmp_path, monkeypatch):
    path = _pdf_with_stream(tmp_path / "small.pdf", b"/Filter /FlateDecode", zlib.compress(CONTENT))
    calls = []
    monkeypatch.setattr(pdftext, "_read_pdfminer", lambda p: calls.append(p) or [])
    doc = pdftext.read_document(path)
    assert [ln.text for ln in doc.lines()] == ["Intaktsredovisning"] and calls == []


def test_a_file_over_the_budget_is_read_by_pdfminer(tmp_path, monkeypatch):
    path = _pdf_with_stream(tmp_path / "big.pdf", b"/Filter /FlateDecode", zlib.compress(CONTENT + b" " * (2 << 20)))
    monkeypatch.setattr(pdftext, "_read_pdfium", lambda p: pytest.fail("pdfium must not read it"))
    with inflate.inflate_limit(1 << 20), pytest.raises(inflate.InflateLimitExceeded):
        pdftext.read_document(path)
