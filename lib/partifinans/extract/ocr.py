"""OCR for pages without a text layer: a scanned page becomes a page of text the normal reader reads.

How a page is read (``text_layer``):

1. pypdfium2 renders the page at ``config.OCR_DPI`` (lowered for a large page so that the bitmap
   stays within ``config.OCR_MAX_PAGE_PIXELS``), in grey; a page whose own images hold more than
   ``config.OCR_MAX_IMAGE_PIXELS`` pixels (a decompression bomb, or a hostile size) is refused
   before anything is decoded. ``clean_page`` then makes it ready for Tesseract: specks taken off
   (a 3-pixel median), the page levelled (``skew_angle``), cut to black and white (``binarise``),
   table rules (``rule_pixels``) and isolated dust (``speck_pixels``) painted white.
2. Tesseract (through pytesseract, Swedish model ``swe``) reads the bitmap into hOCR: words with
   their boxes and confidences, grouped in lines with each line's baseline.
3. What tilt is left after levelling is the median slope of the lines' baselines; every box is
   turned back by it. Pieces of one row that Tesseract cut apart are joined again (``join_rows``),
   and the marks of rules and dust left beside values are cut off (``strip_rules``, ``strip_marks``).
4. The words are written as an invisible text layer (reportlab, text render mode 3) on a page of
   the original size: each word in Helvetica at its line's size, stretched to its box, on its
   line's baseline, a space between words. That PDF goes through ``pdftext.read_document`` like
   any other, so an OCR'd page is read by exactly the same reader as a born-digital one.

The text layer of a file is cached under ``cache_dir`` by the file's sha256 and the OCR settings,
so that a re-run never OCRs the same file twice (``partifinans ingest``: ``<out>/ocr-cache``;
``partifinans parse``: :func:`default_cache_dir`).

Bounds (docs/LIMITS.md): Tesseract is stopped after ``config.OCR_MAX_SECONDS_PER_PAGE`` on one
page, and a file's OCR after ``config.OCR_MAX_SECONDS_PER_FILE`` in all; the time the normal
reader may spend (``MAX_SECONDS_PER_FILE``) does not count OCR time.

Words Tesseract is unsure of (confidence below ``config.OCR_LOW_CONFIDENCE``) that hold a digit are
listed with their page, for the report's warnings: a digit misread is a wrong amount or number.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import re
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from .. import config
from ..errors import BadInput
from .shapes import digits_for_lookalike

MODES = ("auto", "never", "force")
LANGUAGE = "swe"
# One line for a user whose scanned file was refused because Tesseract is missing.
HOW_TO_ENABLE = ("to read scans, install Tesseract with its Swedish model (Debian/Ubuntu: apt-get install "
                 "tesseract-ocr tesseract-ocr-swe; conda: conda install -c conda-forge tesseract, then add "
                 "swe.traineddata to its tessdata folder)")
# Bumped when the way a text layer is made changes, so that older cached layers are not reused.
LAYER_VERSION = "10"



def default_cache_dir() -> Path:
    """Where ``partifinans parse`` keeps OCR text layers: ``$PARTIFINANS_OCR_CACHE``, else
    ``$XDG_CACHE_HOME/partifinans/ocr`` (``~/.cache/partifinans/ocr``)."""
    env = os.environ.get("PARTIFINANS_OCR_CACHE")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "partifinans" / "ocr"


def unavailable_reason() -> str | None:
    """None when Tesseract and its Swedish model can be used, else why not (one line)."""
    try:
        import pytesseract
    except ImportError:
        return "pytesseract is not installed"
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return "Tesseract is not installed"
    try:
        langs = pytesseract.get_languages(config="")
    except Exception as exc:  # noqa: BLE001 - a broken install is reported, not raised
        return f"Tesseract cannot be run ({type(exc).__name__})"
    if LANGUAGE not in langs:
        return "Tesseract's Swedish model (swe) is not installed"
    return None


@contextlib.contextmanager
def _one_thread():
    """Tesseract's OpenMP threads fight the ingest process pool for the same cores and make every
    page slower (Tesseract's advice for running several instances): one thread per Tesseract, set
    in the environment pytesseract passes on, only while it runs, unless the user set it."""
    if "OMP_THREAD_LIMIT" in os.environ:
        yield
        return
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        yield
    finally:
        os.environ.pop("OMP_THREAD_LIMIT", None)


@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    import pytesseract

    return str(pytesseract.get_tesseract_version())


@dataclass
class Word:
    text: str
    x0: float  # points, deskewed, from the page's left edge
    x1: float
    confidence: float  # Tesseract's word confidence, 0-100
    read_as: str | None = None  # what Tesseract read, when a look-alike letter was made a digit


@dataclass
class OcrLine:
    baseline: float  # points from the page's top, deskewed
    size: float  # font size in points
    words: list[Word] = field(default_factory=list)


@dataclass
class OcrPage:
    number: int
    width: float  # points
    height: float
    skew_degrees: float
    lines: list[OcrLine]


@dataclass
class TextLayer:
    """The OCR of some pages of one file: a PDF with one text page per OCR'd page (in order)."""

    pdf: Path
    pages: list[int]
    uncertain: list[str]  # "page N: ..." for words with digits Tesseract is unsure of
    seconds: float  # OCR time spent now (0 when read from the cache)
    cached: bool


# --- hOCR ----------------------------------------------------------------------------------------

_BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
_X_SIZE = re.compile(r"x_size ([\d.]+)")
_WCONF = re.compile(r"x_wconf (\d+)")
_LINE_CLASSES = {"ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"}


RULES = "|¦"  # a table's vertical rule, as Tesseract reads it
_RULE_EDGE = "|¦—_[]"  # also a rule's end read as a bracket or a dash beside a value ("200,22]")


def _trim(text: str, x0: float, x1: float, lead: int, trail: int) -> tuple[str, float, float]:
    """``text`` without ``lead`` characters in front and ``trail`` behind, its box narrowed in
    proportion to the characters cut."""
    width = (x1 - x0) / len(text)
    return text[lead:len(text) - trail], x0 + lead * width, x1 - trail * width


def strip_rules(text: str, x0: float, x1: float) -> tuple[str, float, float]:
    """A word without the table rules Tesseract read into it, and its box narrowed to match.

    A vertical rule beside a cell comes out as ``|`` glued to the value ("|2022-02-25",
    "—|512641-1965") or as a word of its own between two cells, which then read as one cell
    ("103 000 | 2016-01-14"), or as a bracket or a long dash at a value's end ("200,22]",
    "—18950101-1259"). ``|`` is not a character of any value in a report, so a word made of rules
    is dropped, and rules (with the dash, underscore or bracket of a crossing rule) are cut from
    the ends of a word with a rule or a digit in it; the box is narrowed in proportion to the
    characters cut.
    """
    at_edge = text[0] in _RULE_EDGE or text[-1] in _RULE_EDGE
    if not any(ch in RULES for ch in text) and not (at_edge and any(ch.isdigit() for ch in text)):
        return text, x0, x1
    core = text.strip(_RULE_EDGE)
    if not core or all(ch in RULES for ch in core):
        return "", x0, x1
    lead = len(text) - len(text.lstrip(_RULE_EDGE))
    return _trim(text, x0, x1, lead, len(text) - lead - len(core))


_QUOTES = "\"'“”„‘’«»`"
_DECIMAL_STOP = re.compile(r"(,\d{2})\.$")


def strip_marks(text: str, x0: float, x1: float) -> tuple[str, float, float]:
    """A word without the stray marks a speck of dust becomes beside it: a lone quote mark at one
    end ('"Redovisningsperiod', '5.5"'; a quoted name has its pair and keeps both) and a full stop
    after an amount's öre ("39 018 500,34."; no amount ends so). The box shrinks with the text."""
    if sum(ch in _QUOTES for ch in text) == 1 and len(text) > 1 and (text[0] in _QUOTES or text[-1] in _QUOTES):
        lead = text[0] in _QUOTES
        text, x0, x1 = _trim(text, x0, x1, int(lead), int(not lead))
    if _DECIMAL_STOP.search(text):
        text, x0, x1 = _trim(text, x0, x1, 0, 1)
    return text, x0, x1


def hocr_to_page(hocr: bytes, number: int, width: float, height: float, dpi: float) -> OcrPage:
    """Tesseract's hOCR of one page as deskewed lines of words in PDF points."""
    root = ElementTree.fromstring(hocr)
    raw_lines = []  # (x0, y0, x1, y1, slope, offset, x_size, [(text, bbox, conf)])
    for el in root.iter():
        if el.get("class") not in _LINE_CLASSES:
            continue
        title = el.get("title", "")
        box = _BBOX.search(title)
        if not box:
            continue
        base = _BASELINE.search(title)
        size = _X_SIZE.search(title)
        words = []
        for w in el.iter():
            if w.get("class") != "ocrx_word":
                continue
            text = "".join(w.itertext()).strip()
            wbox = _BBOX.search(w.get("title", ""))
            if not text or not wbox:
                continue
            conf = _WCONF.search(w.get("title", ""))
            words.append((text, tuple(int(v) for v in wbox.groups()), float(conf.group(1)) if conf else 0.0))
        if words:
            x0, y0, x1, y1 = (int(v) for v in box.groups())
            slope, offset = (float(base.group(1)), float(base.group(2))) if base else (0.0, 0.0)
            raw_lines.append((x0, y0, x1, y1, slope, offset, float(size.group(1)) if size else y1 - y0, words))
    # The page's skew: the median slope of lines long enough to measure it.
    slopes = [ln[4] for ln in raw_lines if ln[2] - ln[0] > 200 and len(ln[7]) >= 2]
    slope = statistics.median(slopes) if slopes else 0.0
    phi = -math.atan(slope)
    cos, sin = math.cos(phi), math.sin(phi)
    cx, cy = width / 72 * dpi / 2, height / 72 * dpi / 2
    scale = 72 / dpi

    def turn(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx, y - cy
        return (cx + dx * cos - dy * sin) * scale, (cy + dx * sin + dy * cos) * scale

    lines = []
    for x0, _y0, _x1, y1, _slope, offset, x_size, words in raw_lines:
        _, baseline = turn(x0, y1 + offset)  # the baseline at the line's left end, turned flat
        out = OcrLine(baseline=baseline, size=max(x_size * scale, 4.0))
        for raw, (wx0, wy0, wx1, wy1), conf in words:
            text, wx0, wx1 = strip_marks(*strip_rules(raw, wx0, wx1))
            if not text:
                continue
            repaired = digits_for_lookalike(text)
            mid_y = (wy0 + wy1) / 2
            left, _ = turn(wx0, mid_y)
            right, _ = turn(wx1, mid_y)
            out.words.append(Word(repaired or text, left, max(right, left + 0.5), conf,
                                  text if repaired else None))
        lines.append(out)
    return OcrPage(number, width, height, math.degrees(math.atan(slope)), join_rows(lines))


def join_rows(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines on one baseline made one line, at the smaller of their sizes, no word over the next.

    Tesseract often cuts a table row into pieces (the name and number in one line, the address to
    the amount in another) and sizes each piece on its own; a speck under one piece makes it look
    half as tall again. Written as they are, the pieces' tops differ by more than the reader allows
    for one line, and the row falls in two. Pieces whose baselines lie within a third of the smaller
    size of each other, and which do not overlap across the page, are one row.
    """
    rows: list[OcrLine] = []
    for line in sorted(lines, key=lambda ln: ln.baseline):
        words = sorted(line.words, key=lambda w: w.x0)
        for row in reversed(rows[-3:]):
            near = abs(row.baseline - line.baseline) <= min(row.size, line.size) / 3
            if near and words and not any(w.x0 < line_w.x1 and line_w.x0 < w.x1 for w in row.words for line_w in words):
                row.words = sorted(row.words + words, key=lambda w: w.x0)
                row.size = min(row.size, line.size)
                break
        else:
            rows.append(OcrLine(line.baseline, line.size, words))
    for row in rows:
        _end_before_next(row.words)
    return rows


def _end_before_next(words: list[Word]) -> None:
    """Each word's box cut to end where the next begins: Tesseract sometimes gives a word a box that
    runs over its neighbour ("100" over "kr" in "12 100 kr"), and two stretched words on one spot
    interleave their letters in the text layer ("12 10k0r")."""
    for left, right in zip(words, words[1:], strict=False):
        if left.x1 > right.x0 > left.x0:
            left.x1 = max(left.x0 + 0.5, right.x0 - 0.1)


# --- the text layer as a PDF ---------------------------------------------------------------------

FONT = "Helvetica"


def _encodable(text: str) -> str:
    """Text the standard font can carry (WinAnsi); anything else becomes '?'."""
    return text.encode("cp1252", errors="replace").decode("cp1252")


def pages_to_pdf(pages: list[OcrPage], dest: Path) -> None:
    """An invisible text layer: one PDF page per OCR'd page, same size, words where they were seen."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(dest), pageCompression=1, invariant=1)
    for page in pages:
        c.setPageSize((page.width, page.height))
        for line in page.lines:
            text = c.beginText()
            text.setTextRenderMode(3)  # invisible, as in a searchable scan
            y = page.height - line.baseline
            for word in line.words:
                s = _encodable(word.text)
                natural = stringWidth(s, FONT, line.size)
                if natural <= 0:
                    continue
                text.setFont(FONT, line.size)
                text.setHorizScale(100.0 * (word.x1 - word.x0) / natural)
                text.setTextOrigin(word.x0, y)
                text.textOut(s)
                text.setHorizScale(100.0)
                text.textOut(" ")
            c.drawText(text)
        c.showPage()
    c.save()


# --- rendering with bounds -----------------------------------------------------------------------

def _check_page(path: Path, page, number: int) -> float:
    """The DPI to render ``page`` at, or BadInput for a page or image too large to decode."""
    import pypdfium2.raw as pdfium_c

    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
        w, h = obj.get_px_size()
        if w * h > config.OCR_MAX_IMAGE_PIXELS:
            raise BadInput(path, f"page {number} holds an image of {w} x {h} pixels, too large to OCR "
                                 f"(limit OCR_MAX_IMAGE_PIXELS = {config.OCR_MAX_IMAGE_PIXELS}; decompression bomb?)")
    width, height = page.get_size()
    dpi = float(config.OCR_DPI)
    pixels = (width / 72 * dpi) * (height / 72 * dpi)
    if pixels > config.OCR_MAX_PAGE_PIXELS:
        dpi = dpi * math.sqrt(config.OCR_MAX_PAGE_PIXELS / pixels)
    if dpi < config.OCR_MIN_DPI:
        raise BadInput(path, f"page {number} is {width:.0f} x {height:.0f} pt, too large to OCR "
                             f"(limit OCR_MAX_PAGE_PIXELS = {config.OCR_MAX_PAGE_PIXELS} at {config.OCR_MIN_DPI} dpi)")
    return dpi


def otsu_threshold(histogram: list[int]) -> int:
    """The grey level that best splits a 256-bin histogram into ink and paper (Otsu, 1979)."""
    total = sum(histogram)
    sum_all = sum(i * h for i, h in enumerate(histogram))
    best, best_level = -1.0, 128
    weight_b = sum_b = 0.0
    for level, count in enumerate(histogram):
        weight_b += count
        if weight_b == 0 or weight_b == total:
            continue
        sum_b += level * count
        mean_b, mean_f = sum_b / weight_b, (sum_all - sum_b) / (total - weight_b)
        between = weight_b * (total - weight_b) * (mean_b - mean_f) ** 2
        if between > best:
            best, best_level = between, level
    return best_level


def despeckle(image):
    """A 3-pixel median (``MEDIAN``): single dark specks (dust) go, strokes stay."""
    from PIL import ImageFilter

    return image.filter(ImageFilter.MedianFilter(MEDIAN)) if MEDIAN else image


def binarise(image, level: int | None = None):
    """Black ink on white paper: the grey page cut at its Otsu threshold (Pillow ``point``).

    Tesseract 4+ recognises from the grey image, not from its own black-and-white one, and reads a
    scan's grey noise into short values: on a test scan "3.1" became "Bad" and "5.1" became "Ja"
    (the Swedish model prefers words), all four codes of the page right once binarised.
    """
    level = otsu_threshold(image.histogram()) if level is None else level
    return image.point(lambda v: 255 if v > level else 0)


MEDIAN = int(os.environ.get("PARTIFINANS_OCR_MEDIAN", "3"))
MAX_SKEW_DEGREES = 5.0  # a sheet laid further askew than this is read as it lies


def skew_angle(image) -> float:
    """The angle (degrees, counter-clockwise as Pillow's ``rotate``) that levels a black-and-white
    page's lines of text: the angle at which the ink's row profile is sharpest (the projection-
    profile method; Postl 1986, as in Leptonica's ``pixFindSkew``).

    Every text line and table rule of a level page falls into a few rows, so the sum of squared row
    counts is largest when the page is level. Searched in steps of 0.25 degrees, then 0.05, on a
    page reduced to about 1 200 pixels across.
    """
    import numpy as np

    factor = max(1, image.width // 1200)
    small = image.reduce(factor) if factor > 1 else image
    ys, xs = np.nonzero(np.asarray(small) < 128)
    if len(xs) < 100:
        return 0.0
    dx, dy = xs - small.width / 2, ys - small.height / 2

    def sharpness(degrees: float) -> float:
        t = math.radians(degrees)
        rows = -dx * math.sin(t) + dy * math.cos(t)
        counts = np.bincount(np.round(rows - rows.min()).astype(np.int64)).astype(np.float64)
        return float((counts ** 2).sum())

    best = max(np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 1e-9, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    return round(float(best), 2)


RULE_INCHES = 0.25  # a straight run of ink this long is a table rule: no letter or digit is as long
RULE_MAX_INCHES = 0.02  # and a rule is at most this thick (1.4 pt); bold words glued together are not


def _long_runs(ink, length: int):
    """The pixels of ``ink`` (a boolean array) that lie in a run of at least ``length`` along its
    last axis, by cumulative sums (a morphological opening with a 1 x ``length`` line)."""
    import numpy as np

    n = ink.shape[-1]
    if n < length:
        return np.zeros_like(ink)
    pad = np.zeros(ink.shape[:-1] + (1,), np.int32)
    sums = np.concatenate([pad, np.cumsum(ink, axis=-1, dtype=np.int32)], axis=-1)
    full = (sums[..., length:] - sums[..., :-length]) == length  # the window starting here is all ink
    starts = np.concatenate([pad, np.cumsum(full, axis=-1, dtype=np.int32)], axis=-1)
    j = np.arange(n)
    lo, hi = np.clip(j - length + 1, 0, full.shape[-1]), np.clip(j + 1, 0, full.shape[-1])
    return (starts[..., hi] - starts[..., lo]) > 0


def rule_pixels(ink, dpi: float, band: int = 512):
    """The pixels of ``ink`` (a boolean page, True = ink) that belong to table rules: runs at least
    ``RULE_INCHES`` long across (or down) the page and at most ``RULE_MAX_INCHES`` thick. Done in
    bands of ``band`` lines, so that memory stays a few such bands whatever the page size."""
    import numpy as np

    length = max(8, round(dpi * RULE_INCHES))
    thick = max(2, round(dpi * RULE_MAX_INCHES)) + 1
    rule = np.zeros_like(ink)
    for runs_along in (1, 0):  # horizontal rules: runs along a row; vertical: along a column
        page = ink if runs_along == 1 else ink.T
        out = rule if runs_along == 1 else rule.T
        for start in range(0, page.shape[0], band):
            # a band of rows, with a margin so that a rule's thickness is measured whole
            lo, hi = max(0, start - thick), min(page.shape[0], start + band + thick)
            runs = _long_runs(page[lo:hi], length)
            thin = runs & ~_long_runs(runs.T, thick).T
            out[start:start + band] |= thin[start - lo:start - lo + band]
    return rule


SPECK_INCHES = 0.03  # a blot of ink no wider than this (0.8 mm; a 10-point digit is 2.5 mm tall) ...
SPECK_CLEAR_INCHES = 0.1  # ... with no other ink this close around it is dust, not a character


def _box_sums(ink, size: int):
    """The number of ink pixels in the ``size`` x ``size`` square centred on each pixel (an
    integral image; squares that cross the page's edge count only what is on the page)."""
    import numpy as np

    h, w = ink.shape
    r = size // 2
    table = np.zeros((h + 1, w + 1), np.int32)
    np.cumsum(np.cumsum(ink, axis=0, dtype=np.int32), axis=1, out=table[1:, 1:])
    top, bottom = np.clip(np.arange(h) - r, 0, h), np.clip(np.arange(h) + r + 1, 0, h)
    left, right = np.clip(np.arange(w) - r, 0, w), np.clip(np.arange(w) + r + 1, 0, w)
    return (table[bottom][:, right] - table[top][:, right] - table[bottom][:, left] + table[top][:, left])


def speck_pixels(ink, dpi: float, band: int = 512):
    """The pixels of ``ink`` that belong to isolated specks: everything within a small square round
    them is all the ink within a square three times as wide. A scan's dust, and the grain of a
    low-resolution scan enlarged, which Tesseract reads as stray ".", ":", "-" or quote marks that
    then stick to values ("- 5.4", "'5.5"). A full stop or a hyphen beside its digits, and the dot of
    an "i" above its stem, have ink near them and stay."""
    import numpy as np

    small = max(3, round(dpi * SPECK_INCHES)) | 1
    clear = max(small + 4, round(dpi * SPECK_CLEAR_INCHES)) | 1
    margin = clear // 2
    out = np.zeros_like(ink)
    for start in range(0, ink.shape[0], band):
        lo, hi = max(0, start - margin), min(ink.shape[0], start + band + margin)
        part = ink[lo:hi]
        near = _box_sums(part, small)
        speck = part & (near > 0) & (near == _box_sums(part, clear))
        out[start:start + band] = speck[start - lo:start - lo + band]
    return out


def clean_page(grey, dpi: float):
    """A rendered grey page made ready for Tesseract: despeckled, levelled (``skew_angle``),
    binarised, its table rules (``rule_pixels``) and isolated dust (``speck_pixels``) painted white.
    Returns the black-and-white image and the angle it was turned by.

    Tesseract reads a rule under a row into the row's words (dashes, "_", "=", a code's dot lost),
    and on a tilted page a rule running from one row into the next joins two rows into one line.
    Rules carry no value, so they go; letters crossed by a rule keep all but the rule's rows.
    """
    import numpy as np
    from PIL import Image

    grey = despeckle(grey)
    level = otsu_threshold(grey.histogram())
    angle = skew_angle(binarise(grey, level))
    if abs(angle) >= 0.05:  # turned in grey, so that the edges stay smooth, then cut
        grey = grey.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    # Rules are looked for in a looser cut (anything darker than paper): a thin rule comes out of
    # the Otsu cut broken into dashes too short to be found.
    rules = rule_pixels(np.asarray(grey) < (level + 255) // 2, dpi)
    page = np.asarray(binarise(grey, level)).copy()
    page[rules] = 255
    page[speck_pixels(page < 128, dpi)] = 255
    return Image.fromarray(page), angle


def ocr_page(path: Path, page, number: int, timeout: float) -> OcrPage:
    """One pypdfium2 page through Tesseract into an :class:`OcrPage` (BadInput on a bound)."""
    import pytesseract

    dpi = _check_page(path, page, number)
    width, height = page.get_size()
    grey = page.render(scale=dpi / 72, grayscale=True).to_pil()
    image, turned = clean_page(grey, dpi)
    grey.close()
    try:
        with _one_thread():
            hocr = pytesseract.image_to_pdf_or_hocr(image, lang=LANGUAGE, extension="hocr",
                                                    config=f"--psm 3 --dpi {round(dpi)}", timeout=max(timeout, 0.01))
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise BadInput(path, f"OCR of page {number} took longer than {timeout:g} s "
                                 f"(limit OCR_MAX_SECONDS_PER_PAGE / OCR_MAX_SECONDS_PER_FILE)") from None
        raise BadInput(path, f"OCR of page {number} failed ({' '.join(str(exc).split())[:120]})") from None
    except pytesseract.TesseractError as exc:
        raise BadInput(path, f"OCR of page {number} failed ({' '.join(str(exc).split())[:120]})") from None
    finally:
        image.close()
    page = hocr_to_page(hocr, number, width, height, dpi)
    page.skew_degrees += turned  # the tilt levelled before Tesseract, plus what was left of it
    return page


def _uncertain(pages: list[OcrPage]) -> list[str]:
    out = []
    for page in pages:
        for line in page.lines:
            for w in line.words:
                if w.read_as is not None:
                    out.append(f"page {page.number}: OCR read {w.read_as!r} as {w.text!r} (a letter among "
                               f"digits); check the value on the page")
                elif w.confidence < config.OCR_LOW_CONFIDENCE and any(ch.isdigit() for ch in w.text):
                    out.append(f"page {page.number}: OCR unsure of {w.text!r} (confidence {w.confidence:.0f}); "
                               f"check the value on the page")
    return out


# --- the cache -----------------------------------------------------------------------------------

def cache_key(sha256: str, pages: list[int]) -> str:
    """The file's sha256 and a short hash of what else decides the text layer."""
    settings = json.dumps({"pages": pages, "lang": LANGUAGE, "dpi": config.OCR_DPI, "layer": LAYER_VERSION,
                           "median": MEDIAN,
                           "tesseract": tesseract_version()}, sort_keys=True)
    return f"{sha256}-{hashlib.sha256(settings.encode()).hexdigest()[:12]}"


def _read_cached(cache_dir: Path, key: str) -> TextLayer | None:
    meta_path, pdf = cache_dir / f"{key}.json", cache_dir / f"{key}.pdf"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not pdf.exists():
        return None
    return TextLayer(pdf, meta["pages"], meta["uncertain"], 0.0, True)


def _write_cached(cache_dir: Path, key: str, pages: list[OcrPage], uncertain: list[str]) -> Path:
    """Write the layer and its sidecar atomically (a killed run leaves no half file to trust)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    pdf = cache_dir / f"{key}.pdf"
    with tempfile.NamedTemporaryFile(dir=cache_dir, suffix=".pdf.tmp", delete=False) as fh:
        tmp_pdf = Path(fh.name)
    pages_to_pdf(pages, tmp_pdf)
    os.replace(tmp_pdf, pdf)
    meta = {"pages": [p.number for p in pages], "uncertain": uncertain,
            "skew_degrees": [round(p.skew_degrees, 3) for p in pages]}
    tmp_meta = cache_dir / f"{key}.json.tmp"
    tmp_meta.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp_meta, cache_dir / f"{key}.json")
    return pdf


def text_layer(path: Path, page_numbers: list[int], sha256: str, cache_dir: Path | None) -> TextLayer:
    """The OCR text layer of the given pages of ``path`` (from the cache when it has it)."""
    key = cache_key(sha256, page_numbers)
    if cache_dir is not None:
        hit = _read_cached(cache_dir, key)
        if hit is not None:
            return hit
    import pypdfium2 as pdfium

    started = time.monotonic()
    deadline = started + config.OCR_MAX_SECONDS_PER_FILE
    pages = []
    doc = pdfium.PdfDocument(str(path))
    try:
        for number in page_numbers:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BadInput(path, f"OCR took longer than {config.OCR_MAX_SECONDS_PER_FILE} s "
                                     f"(limit OCR_MAX_SECONDS_PER_FILE)")
            page = doc[number - 1]
            try:
                pages.append(ocr_page(path, page, number, min(config.OCR_MAX_SECONDS_PER_PAGE, left)))
            finally:
                page.close()
    finally:
        doc.close()
    uncertain = _uncertain(pages)
    seconds = time.monotonic() - started
    if cache_dir is not None:
        pdf = _write_cached(cache_dir, key, pages, uncertain)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="partifinans-ocr-"))
        pdf = tmp / f"{key}.pdf"
        pages_to_pdf(pages, pdf)
    return TextLayer(pdf, page_numbers, uncertain, seconds, False)


def pages_with_content(path: Path, numbers: list[int]) -> list[int]:
    """The pages among ``numbers`` that draw anything at all (an empty page has nothing to OCR)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        out = []
        for n in numbers:
            page = doc[n - 1]
            try:
                if next(iter(page.get_objects(max_depth=1)), None) is not None:
                    out.append(n)
            finally:
                page.close()
        return out
    finally:
        doc.close()


# --- the hook the reader calls -------------------------------------------------------------------

class OcrHook:
    """Called by ``pdftext.read_document(path, ocr=hook)`` with the pages it read: gives pages
    without text (every page, when forced) the lines of their OCR text layer, read by the same
    ``read_document``. Remembers which pages it OCR'd and what it warns about."""

    def __init__(self, mode: str, cache_dir: Path | None, pause=None):
        self.mode = mode
        self.cache_dir = cache_dir
        self.pause = pause  # a context manager that stops the caller's reading clock during OCR
        self.pages: list[int] = []
        self.warnings: list[str] = []
        self.layer: TextLayer | None = None

    def __call__(self, path: Path, pages: list) -> None:
        from . import sha256_file
        from .pdftext import read_document

        empty = [p.number for p in pages if not p.lines]
        candidates = [p.number for p in pages] if self.mode == "force" else empty
        if not candidates:
            return
        wanted = pages_with_content(path, candidates)
        if not wanted:
            return
        reason = unavailable_reason()
        if reason is not None:
            if self.mode == "force":
                raise BadInput(path, f"OCR was asked for but is not available: {reason}; {HOW_TO_ENABLE}")
            if len(empty) == len(pages):
                raise BadInput(path, f"no text layer ({len(pages)} page(s) without text; scanned image?); "
                                     f"OCR is off: {reason}; {HOW_TO_ENABLE}")
            self.warnings.append(f"page(s) {', '.join(map(str, wanted))} have no text and were not read by "
                                 f"OCR: {reason}")
            return
        sha256 = sha256_file(path)
        if self.pause is not None:
            with self.pause():
                layer = text_layer(path, wanted, sha256, self.cache_dir)
        else:
            layer = text_layer(path, wanted, sha256, self.cache_dir)
        self.layer = layer
        try:
            doc = read_document(layer.pdf, engine="pdfminer")  # see read_document
        except BadInput:  # OCR found no word on any of the pages
            doc = None
        if doc is not None:
            for number, page in zip(layer.pages, doc.pages, strict=True):
                for line in page.lines:
                    line.page = number
                pages[number - 1].lines = page.lines
        self.pages = [n for n in layer.pages if pages[n - 1].lines]
        self.warnings.extend(layer.uncertain)
        if not any(p.lines for p in pages):
            raise BadInput(path, f"no text layer ({len(pages)} page(s) without text; scanned image?); "
                                 f"OCR found no text either")


# --- what an OCR'd report says about itself ------------------------------------------------------

def check_warnings(report: dict, pages: list[int]) -> list[str]:
    """Identity numbers on OCR'd pages that fail their check digit, and income-line labels and the
    reporter's party a letter away from a known wording, each a warning with its page.

    For a born-digital report a failed check digit is data (``is_donor_id_valid``); read by OCR it
    is more likely a misread digit, which the user must check on the page. Sums are checked for
    every report already (``checks.reconcile``), with their page.
    """
    from .. import identifiers

    out = []
    on_ocr = set(pages)
    org = report["reporter"].get("org_number")
    if org:
        ident = identifiers.parse_identifier(org)
        if ident is not None and not ident.is_valid:
            where = next(iter(sorted(on_ocr)))
            out.append(f"page {where}: OCR: organisationsnummer {org} fails its check digit (misread?)")
    for c in report["contributions"]:
        if c.get("donor_id") and c.get("page") in on_ocr:
            ident = identifiers.parse_identifier(c["donor_id"])
            if ident is not None and not ident.is_valid:
                kind = "personnummer" if ident.kind == "pnr" else "organisationsnummer"
                out.append(f"page {c['page']}: OCR: {kind} {c['donor_id']} of {c.get('donor')!r} fails its "
                           f"check digit (misread?)")
    return out + _label_slips(report, on_ocr) + _party_slip(report, on_ocr)


def _party_slip(report: dict, on_ocr: set[int]) -> list[str]:
    """The reporter's party, read by OCR, a letter or two away from a party in ``maps/parties.csv``
    ("Sociaidemokraterna"): the harmonise stage would keep it as an unknown party."""
    from rapidfuzz import fuzz, process

    from ..harmonise import canonical_party, party_map

    party = (report.get("reporter") or {}).get("party")
    if not party or not on_ocr or canonical_party(party)[0] is not None:
        return []
    near = process.extractOne(party, list(party_map()["name"]), scorer=fuzz.ratio, score_cutoff=85)
    if near is None:
        return []
    return [f"page {min(on_ocr)}: OCR: party {party!r} is not quite {near[0]!r} (a letter misread?)"]


def _label_slips(report: dict, on_ocr: set[int]) -> list[str]:
    """Income lines on OCR'd pages whose label is nearly, but not exactly, a known wording ("Finansielta
    intäkter"): a letter misread, which no sum can catch, so the user is told. An e-service line is
    compared with its type's wordings, a line of the 2014 form (no code) with the form's labels."""
    from rapidfuzz import fuzz, process

    from .labels import label_shape, load, norm

    maps = load()
    out = []
    for ln in report.get("lines") or []:
        code, label = ln.get("code"), ln.get("label") or ""
        if ln.get("page") not in on_ocr or not label:
            continue
        if code is None:
            known = norm(label) in maps.form2014_groups
            near = process.extractOne(norm(label), list(maps.form2014_groups), scorer=fuzz.ratio, score_cutoff=85)
        else:
            known = maps.income_type(code) is None or label_shape(label) in maps.income_aliases
            near = maps.code_for_label_by_likeness(label) == code
        if not known and near:
            out.append(f"page {ln['page']}: OCR: label {label!r} is not quite a known wording (a letter misread?)")
    return out


CONFIDENCE_CHECK = "read by OCR: confidence at most medium"


def cap_confidence(report: dict) -> dict:
    """A report read by OCR is at most ``medium`` confidence (#10's ``confidence``/``checks``, when present)."""
    if "confidence" in report:
        if report["confidence"] == "high":
            report["confidence"] = "medium"
        report.setdefault("checks", []).append(CONFIDENCE_CHECK)
    return report
