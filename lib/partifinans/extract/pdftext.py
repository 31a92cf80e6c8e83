"""The text layer of a PDF as pages of lines of cells, read once per page.

A *cell* is a run of words on one line with only word spacing between them (a table cell, a label,
a value); a *line* is the cells that share a baseline, left to right. The family parsers work on
these lines by their labels and codes, never by fixed coordinates.

Two readers give the characters, with the same boxes, and the words, lines and cells are grouped
from them here (no table finder, no ``extract_text``):

- **pdfium** (pypdfium2), the fast one (:func:`pdfium_page_chars`): each character's text, loose box
  and matrix through pdfium's text page, turned into the boxes pdfminer gives (one font size tall
  from the descent, the page's /Rotate applied as pdfminer applies it, pdfplumber's top-left
  origin), so that the same words and cells come out (``tests/extract/test_pdftext.py``). About
  three times faster than pdfminer's layout on the demo files.
- **pdfminer** (through pdfplumber's ``page.layout``), the guarded one (:func:`page_chars`): every
  stream it inflates is counted against ``config.MAX_DECOMPRESSED_BYTES`` by ``inflate.py``'s
  hooked zlib, and it runs in Python, so the time bound can stop it anywhere.

pdfium inflates streams in C, where neither the hook nor the clock reaches. So a file is given to
pdfium only when ``inflate.fits_budget`` has inflated every stream in it (counted, output thrown
away) within the budget and could see each stream's filters for itself; otherwise, or when pdfium
cannot open the file, pdfminer reads it exactly as before, with the same refusals (encrypted,
broken, over the decompressed-size bound). See docs/LIMITS.md. The bounds on size and pages are
checked before any page is read by either reader; the time bound is applied by the caller (see
``extract.parse_pdf``) and reaches pdfium between its calls (one per character and page).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import mmap
import operator
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..errors import BadInput

# pdfminer logs what it finds odd in a broken file (hundreds of "Could not get FontBBox" lines)
# through Python's last-resort handler onto stderr, which breaks the one-line refusal. What matters
# reaches the user as a BadInput reason or a report warning instead (found by the mutation test).
logging.getLogger("pdfminer").setLevel(logging.CRITICAL)

# A gap wider than this many times the text height starts a new cell (word spacing is ~0.25 em).
CELL_GAP_FACTOR = 0.8
# Words whose tops differ by less than this many times the text height share a line.
LINE_TOLERANCE_FACTOR = 0.45


@dataclass
class Cell:
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    words: list[tuple[float, float, str]] = field(default_factory=list)  # (x0, x1, text) of each word

    def split(self, k: int) -> tuple[Cell, Cell]:
        """The cell cut before its ``k``-th word (for two values printed as one run)."""
        a, b = self.words[:k], self.words[k:]
        return (Cell(a[0][0], a[-1][1], self.top, self.bottom, " ".join(w[2] for w in a), a),
                Cell(b[0][0], b[-1][1], self.top, self.bottom, " ".join(w[2] for w in b), b))


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)

    @property
    def x0(self) -> float:
        return self.cells[0].x0 if self.cells else 0.0


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line]
    furniture: list[Line] = field(default_factory=list)  # running headers/footers, markers (geometry.py)

    @property
    def is_landscape(self) -> bool:
        return self.width > self.height


@dataclass
class Document:
    path: str
    pages: list[Page]

    @property
    def n_pages(self) -> int:
        return len(self.pages)

    def lines(self):
        for page in self.pages:
            yield from page.lines


def check_file(path: Path) -> int:
    """Cheap checks before a parser touches the file; returns its size in bytes."""
    if not path.exists():
        raise BadInput(path, "no such file")
    if path.is_dir():
        raise BadInput(path, "is a directory, not a PDF file")
    size = path.stat().st_size
    if size == 0:
        raise BadInput(path, "empty file")
    if size > config.MAX_FILE_BYTES:
        raise BadInput(path, f"file too large ({size} bytes; limit {config.MAX_FILE_BYTES})")
    with open(path, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise BadInput(path, "not a PDF file (no %PDF header)")
    if b"%%EOF" not in tail and not _has_eof_marker(path):
        raise BadInput(path, "truncated PDF (no end-of-file marker)")
    return size


def _has_eof_marker(path: Path) -> bool:
    """An end-of-file marker anywhere: data appended after it (seen in the wild) is not truncation."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.rfind(b"%%EOF") != -1


def words_to_lines(words: list[dict], page_number: int) -> list[Line]:
    """Group pdfplumber words into lines (by top) and each line's words into cells (by gap)."""
    if not words:
        return []
    words = sorted(words, key=lambda w: (w["top"], w["x0"]))
    rows: list[list[dict]] = []
    row_top = None
    for w in words:
        height = max(w["bottom"] - w["top"], 1.0)
        if row_top is not None and abs(w["top"] - row_top) <= LINE_TOLERANCE_FACTOR * height:
            rows[-1].append(w)
        else:
            rows.append([w])
            row_top = w["top"]
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        cells: list[Cell] = []
        for w in row:
            height = max(w["bottom"] - w["top"], 1.0)
            if cells and w["x0"] - cells[-1].x1 <= CELL_GAP_FACTOR * height:
                c = cells[-1]
                c.text = f"{c.text} {w['text']}"
                c.x1 = max(c.x1, w["x1"])
                c.bottom = max(c.bottom, w["bottom"])
                c.words.append((w["x0"], w["x1"], w["text"]))
            else:
                cells.append(Cell(w["x0"], w["x1"], w["top"], w["bottom"], w["text"], [(w["x0"], w["x1"], w["text"])]))
        lines.append(
            Line(page_number, min(c.top for c in cells), max(c.bottom for c in cells), cells)
        )
    return lines


X_TOLERANCE = 3.0  # pdfplumber's default: a gap wider than this between two characters splits a word
Y_TOLERANCE = 3.0  # characters whose tops differ by at most this share a line (pdfplumber's default)


def page_chars(page) -> list[tuple[float, float, float, float, str]]:
    """``(top, bottom, x0, x1, text)`` of every character on a pdfplumber page.

    Walks ``page.layout`` (pdfminer's layout of the page, as pdfplumber builds it) and keeps only the
    characters: pdfplumber's ``page.chars`` would turn every object on the page (rules, rectangles,
    each character's colours and graphic state) into a dict first, which is most of its cost.
    Coordinates are pdfplumber's (``top`` from the top of the page, MediaBox-adjusted).
    """
    from pdfminer.layout import LTChar, LTContainer

    height = float(page.height)
    mb_top = float(page.mediabox[1])
    out = []
    stack = list(page.layout)
    while stack:
        obj = stack.pop()
        if isinstance(obj, LTChar):
            out.append((height - obj.y1 + mb_top, height - obj.y0 + mb_top, obj.x0, obj.x1, obj.get_text()))
        elif isinstance(obj, LTContainer):
            stack.extend(obj)
    return out


def chars_to_words(chars: list[tuple[float, float, float, float, str]]) -> list[dict]:
    """Characters into words: same line (tops within ``Y_TOLERANCE``), no space, gap within ``X_TOLERANCE``."""
    if not chars:
        return []
    chars = sorted(chars, key=_top_x0)
    rows: list[list[tuple]] = []
    row: list[tuple] = []
    row_top = None
    for c in chars:
        if row_top is not None and c[0] - row_top <= Y_TOLERANCE:
            row.append(c)
        else:
            row = [c]
            rows.append(row)
            row_top = c[0]
    words = []
    append = words.append
    for row in rows:
        row.sort(key=_x0)
        text: list[str] = []  # the word being read, and its box
        w_x0 = w_x1 = w_top = w_bottom = last_x0 = last_x1 = 0.0
        for top, bottom, x0, x1, t in row:
            if t.isspace():
                if text:
                    append({"text": "".join(text), "x0": w_x0, "x1": w_x1, "top": w_top, "bottom": w_bottom})
                    text = []
                continue
            if text and (x0 - last_x1 > X_TOLERANCE or x0 < last_x0):
                append({"text": "".join(text), "x0": w_x0, "x1": w_x1, "top": w_top, "bottom": w_bottom})
                text = []
            if text:
                text.append(t)
                if x1 > w_x1:
                    w_x1 = x1
                if top < w_top:
                    w_top = top
                if bottom > w_bottom:
                    w_bottom = bottom
            else:
                text = [t]
                w_x0, w_x1, w_top, w_bottom = x0, x1, top, bottom
            last_x0, last_x1 = x0, x1
        if text:
            append({"text": "".join(text), "x0": w_x0, "x1": w_x1, "top": w_top, "bottom": w_bottom})
    return words


_top_x0 = operator.itemgetter(0, 2)
_x0 = operator.itemgetter(2)


def pdfium_page_chars(page, textpage) -> list[tuple[float, float, float, float, str]]:
    """``(top, bottom, x0, x1, text)`` of every character pdfium finds on a page, in the coordinates
    :func:`page_chars` gives for the same page (pdfminer's boxes, pdfplumber's top-left origin).

    pdfium's loose box of a character spans the font's ascent to descent; pdfminer's spans one font
    size up from the descent. So the descent edge is kept and the box made one font size tall along
    the glyph's up direction (the character's matrix), then turned with the page's /Rotate as
    pdfminer turns it. Characters pdfium generates (spaces between words, line ends) are left out:
    pdfminer's ``LTAnno`` are not characters either.
    """
    import pypdfium2.raw as raw

    n = raw.FPDFText_CountChars(textpage)
    if n <= 0:
        return []
    x0m, y0m, x1m, y1m = page.get_mediabox()
    rotate = page.get_rotation()
    # pdfplumber's page height and MediaBox top (see page_chars), for pdfminer's turned coordinates
    if rotate in (90, 270):
        height = abs(x1m - x0m)
        mb_top = height - max(x0m, x1m)
    else:
        height = abs(y1m - y0m)
        mb_top = height - max(y0m, y1m)
    tp = textpage.raw
    # every character's text in one call (UTF-16, one unit per character index)
    buffer = (ctypes.c_ushort * (n + 1))()
    raw.FPDFText_GetText(tp, 0, n, buffer)
    units = memoryview(buffer).cast("B").cast("H")
    box = raw.FS_RECTF()
    m = raw.FS_MATRIX()
    box_ref, m_ref = ctypes.byref(box), ctypes.byref(m)
    get_box = raw.FPDFText_GetLooseCharBox
    get_matrix = raw.FPDFText_GetMatrix
    get_size = raw.FPDFText_GetFontSize
    generated = raw.FPDFText_IsGenerated
    out = []
    append = out.append
    # The up vector is the text object's; asked again only when the box's extent across the line
    # changes (a character of the same font, size and line has the same extent).
    key = None
    upright = True
    c = d = 0.0
    for i in range(n):
        u = units[i]
        if u in (32, 10, 13, 2) and generated(tp, i) == 1:
            continue
        if u == 0 or 0xD800 <= u <= 0xDFFF:
            continue
        get_box(tp, i, box_ref)
        left, right, bottom, top = box.left, box.right, box.bottom, box.top
        k = (bottom, top) if upright else (left, right)
        if k != key:
            get_matrix(tp, i, m_ref)
            size = get_size(tp, i)
            c, d = m.c * size, m.d * size  # the glyph's up vector, one font size long
            upright = abs(d) >= abs(c)
            key = (bottom, top) if upright else (left, right)
        if upright:
            if d > 0:
                top = bottom + d
            else:
                bottom = top + d
        elif c > 0:
            right = left + c
        else:
            left = right + c
        # pdfminer's page matrix (pdfinterp.process_page), then pdfplumber's flip
        if rotate == 90:
            bx0, bx1, by0, by1 = bottom - y0m, top - y0m, x1m - right, x1m - left
        elif rotate == 180:
            bx0, bx1, by0, by1 = x1m - right, x1m - left, y1m - top, y1m - bottom
        elif rotate == 270:
            bx0, bx1, by0, by1 = y1m - top, y1m - bottom, left - x0m, right - x0m
        else:
            bx0, bx1, by0, by1 = left - x0m, right - x0m, bottom - y0m, top - y0m
        append((height - by1 + mb_top, height - by0 + mb_top, bx0, bx1, chr(u)))
    return out


def _fits_inflate_budget(path: Path) -> bool:
    """Whether pdfium may read the file under the decompressed-size bound (``inflate.fits_budget``);
    outside ``inflate_limit`` there is no bound, as for pdfminer."""
    from . import inflate

    budget = inflate._budget.remaining
    if budget is None:
        return True
    return inflate.fits_budget(path.read_bytes(), budget)


def read_document(path: Path | str, ocr=None, engine: str = "auto") -> Document:
    """Read a PDF's text layer, or raise :class:`BadInput` saying why it cannot be read.

    pdfium reads the characters when the file passes the decompressed-size check
    (:func:`_fits_inflate_budget`) and pdfium can open it; otherwise pdfminer reads it as before,
    under the hooked zlib, and gives the same refusals as before (encrypted, broken, too large).

    ``ocr``, when given, is called as ``ocr(path, pages)`` after every page is read and may give
    pages without text (or all, when forced) the lines of an OCR text layer (``extract/ocr.py``).
    ``engine="pdfminer"`` reads with pdfminer only: the OCR text layer we write ourselves, whose
    invisible words pdfium boxes differently (tests/ocr CI scans: 347/381 fields through pdfium, 379/381
    through pdfminer on the same scans).
    """
    path = Path(path)
    check_file(path)
    pages = _read_pdfium(path) if engine == "auto" and _fits_inflate_budget(path) else None
    if pages is None:
        pages = _read_pdfminer(path)
    n_pages = len(pages)
    if ocr is not None:
        ocr(path, pages)
    if not any(p.lines for p in pages):
        raise BadInput(path, f"no text layer ({n_pages} page(s) without text; scanned image?)")
    return Document(os.fspath(path), pages)


def _read_pdfium(path: Path) -> list[Page] | None:
    """The pages read by pdfium, or None when pdfium cannot open the file (pdfminer then reads it
    and says why it cannot, in the usual words)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except Exception:  # noqa: BLE001 - PdfiumError, password: pdfminer gives the reason
        return None
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            return None
        if n_pages > config.MAX_PAGES:
            raise BadInput(path, f"too many pages ({n_pages}; limit {config.MAX_PAGES})")
        pages = []
        for i in range(n_pages):
            try:
                page = pdf[i]
                textpage = page.get_textpage()
            except Exception:  # noqa: BLE001 - a page pdfium cannot load: pdfminer says why
                return None
            try:
                chars = pdfium_page_chars(page, textpage)
                width, height = _plumber_size(page)
            except ctypes.ArgumentError as exc:
                # an exception raised by a signal handler (the time limit) while ctypes converted
                # an argument arrives wrapped: raise the original
                # (ctypes keeps only its name): the time limit's alarm repeats every 0.1 s, so wait for it
                inner = exc.__context__ or exc.__cause__
                if inner is not None:
                    raise inner from None
                for _ in range(10):
                    time.sleep(0.1)
                raise
            finally:
                textpage.close()
                page.close()
            words = chars_to_words(chars)
            pages.append(Page(i + 1, width, height, words_to_lines(words, i + 1)))
        return pages
    finally:
        pdf.close()


def _plumber_size(page) -> tuple[float, float]:
    """The page's width and height as pdfplumber gives them: the MediaBox, turned by /Rotate."""
    x0, y0, x1, y1 = page.get_mediabox()
    w, h = abs(x1 - x0), abs(y1 - y0)
    return (h, w) if page.get_rotation() in (90, 270) else (w, h)


def _read_pdfminer(path: Path) -> list[Page]:
    """The pages read by pdfplumber/pdfminer (the guarded path: the hooked zlib counts every byte)."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    def unreadable(exc: Exception) -> BadInput:
        # pdfplumber wraps pdfminer's exceptions in PdfminerException(original)
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, Exception)), exc)
        if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
            return BadInput(path, "encrypted PDF (a password is required to read it)")
        detail = " ".join(str(inner).split()) or "no detail"
        return BadInput(path, f"not a readable PDF ({type(inner).__name__}: {detail})")

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for broken files
        raise unreadable(exc) from None
    try:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:  # noqa: BLE001
            raise unreadable(exc) from None
        if n_pages == 0:
            raise BadInput(path, "PDF has no pages")
        if n_pages > config.MAX_PAGES:
            raise BadInput(path, f"too many pages ({n_pages}; limit {config.MAX_PAGES})")
        pages = []
        for i, page in enumerate(pdf.pages, start=1):
            try:
                words = chars_to_words(page_chars(page))
            except Exception as exc:  # noqa: BLE001
                bad = unreadable(exc)
                raise BadInput(path, f"page {i} cannot be read ({bad.reason})") from None
            pages.append(Page(i, float(page.width), float(page.height), words_to_lines(words, i)))
            page.close()  # free the page's cached objects
    finally:
        # closing walks the page tree again; in a broken file that raises anew and would replace
        # the BadInput above with a raw pdfminer exception (found by the mutation test)
        with contextlib.suppress(Exception):
            pdf.close()
    return pages
