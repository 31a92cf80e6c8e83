"""OCR for pages without a text layer: a scanned page becomes a page of text the normal reader reads.

How a page is read (``text_layer``):

1. pypdfium2 renders the page at ``config.OCR_DPI`` (lowered for a large page so that the bitmap
   stays within ``config.OCR_MAX_PAGE_PIXELS``), in grey, then cut to black and white (``binarise``); a page whose own images hold more than
   ``config.OCR_MAX_IMAGE_PIXELS`` pixels (a decompression bomb, or a hostile size) is refused
   before anything is decoded.
2. Tesseract (through pytesseract, Swedish model ``swe``) reads the bitmap into hOCR: words with
   their boxes and confidences, grouped in lines with each line's baseline.
3. The page's skew is the median slope of its lines' baselines; every box is turned back by it, so
   that a line of a scan tilted by a degree is one line again (over a 20 cm table row a tilt of
   1 degree moves the last cell 3.5 mm, more than a line's height).
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

MODES = ("auto", "never", "force")
LANGUAGE = "swe"
# One line for a user whose scanned file was refused because Tesseract is missing.
HOW_TO_ENABLE = ("to read scans, install Tesseract with its Swedish model (Debian/Ubuntu: apt-get install "
                 "tesseract-ocr tesseract-ocr-swe; conda: conda install -c conda-forge tesseract, then add "
                 "swe.traineddata to its tessdata folder)")
# Bumped when the way a text layer is made changes, so that older cached layers are not reused.
LAYER_VERSION = "3"



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
_RULE_EDGE = "|¦—_"


def strip_rules(text: str, x0: float, x1: float) -> tuple[str, float, float]:
    """A word without the table rules Tesseract read into it, and its box narrowed to match.

    A vertical rule beside a cell comes out as ``|`` glued to the value ("|2022-02-25",
    "—|512641-1965") or as a word of its own between two cells, which then read as one cell
    ("103 000 | 2016-01-14"). ``|`` is not a character of any value in a report, so a word made of
    rules is dropped and rules (with the dash or underscore of a crossing rule) are cut from a
    word's ends; the box is narrowed in proportion to the characters cut.
    """
    if not any(ch in RULES for ch in text):
        return text, x0, x1
    n = len(text)
    lead = len(text) - len(text.lstrip(_RULE_EDGE))
    core = text.strip(_RULE_EDGE)
    if not core or all(ch in RULES for ch in core):
        return "", x0, x1
    trail = n - lead - len(core)
    width = (x1 - x0) / n
    return core, x0 + lead * width, x1 - trail * width


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
            text, wx0, wx1 = strip_rules(raw, wx0, wx1)
            if not text:
                continue
            mid_y = (wy0 + wy1) / 2
            left, _ = turn(wx0, mid_y)
            right, _ = turn(wx1, mid_y)
            out.words.append(Word(text, left, max(right, left + 0.5), conf))
        lines.append(out)
    lines.sort(key=lambda ln: ln.baseline)
    return OcrPage(number, width, height, math.degrees(math.atan(slope)), lines)


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


def binarise(image):
    """Black ink on white paper: the grey page cut at its Otsu threshold (Pillow ``point``).

    Tesseract 4+ recognises from the grey image, not from its own black-and-white one, and reads a
    scan's grey noise into short values: on a test scan "3.1" became "Bad" and "5.1" became "Ja"
    (the Swedish model prefers words), all four codes of the page right once binarised. A 3-pixel
    median first (``MEDIAN``) takes off single dark specks (dust), which would otherwise survive the cut.
    """
    from PIL import ImageFilter

    if MEDIAN:
        image = image.filter(ImageFilter.MedianFilter(MEDIAN))
    level = otsu_threshold(image.histogram())
    return image.point(lambda v: 255 if v > level else 0)


MEDIAN = int(os.environ.get("PARTIFINANS_OCR_MEDIAN", "3"))


def ocr_page(path: Path, page, number: int, timeout: float) -> OcrPage:
    """One pypdfium2 page through Tesseract into an :class:`OcrPage` (BadInput on a bound)."""
    import pytesseract

    dpi = _check_page(path, page, number)
    width, height = page.get_size()
    image = binarise(page.render(scale=dpi / 72, grayscale=True).to_pil())
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
    return hocr_to_page(hocr, number, width, height, dpi)


def _uncertain(pages: list[OcrPage]) -> list[str]:
    out = []
    for page in pages:
        for line in page.lines:
            for w in line.words:
                if w.confidence < config.OCR_LOW_CONFIDENCE and any(ch.isdigit() for ch in w.text):
                    out.append(f"page {page.number}: OCR unsure of {w.text!r} (confidence {w.confidence:.0f}); "
                               f"check the value on the page")
    return out


# --- the cache -----------------------------------------------------------------------------------

def cache_key(sha256: str, pages: list[int]) -> str:
    """The file's sha256 and a short hash of what else decides the text layer."""
    settings = json.dumps({"pages": pages, "lang": LANGUAGE, "dpi": config.OCR_DPI, "layer": LAYER_VERSION,
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
    """Identity numbers on OCR'd pages that fail their check digit, each a warning with its page.

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
    return out


CONFIDENCE_CHECK = "read by OCR: confidence at most medium"


def cap_confidence(report: dict) -> dict:
    """A report read by OCR is at most ``medium`` confidence (#10's ``confidence``/``checks``, when present)."""
    if "confidence" in report:
        if report["confidence"] == "high":
            report["confidence"] = "medium"
        report.setdefault("checks", []).append(CONFIDENCE_CHECK)
    return report
