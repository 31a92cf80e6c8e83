"""Reading report PDFs: ``parse_pdf(path) -> dict`` (the ``partifinans.report/1`` document).

The family is recognised from the document's text (never its file name): the 2014-law form
(KAM11001), the e-service intäktsredovisning (lag 2018:90) or the anmälan notice. Each family
module reads by labels and codes from ``maps/``; what it cannot place becomes a warning with its
page. A file that cannot be read as a report raises :class:`~partifinans.errors.BadInput`.

Bounds: file size and page count are checked before any page is read (``config.MAX_FILE_BYTES``,
``config.MAX_PAGES``); reading one file is stopped after ``config.MAX_SECONDS_PER_FILE`` seconds
(SIGALRM in the parsing process, when it is the main thread); all its compressed streams together
may inflate to at most ``config.MAX_DECOMPRESSED_BYTES`` (``inflate.py``). See docs/LIMITS.md.

Pages without a text layer are read by OCR (``ocr.py``, ``ocr="auto"``; ``"force"`` OCRs every page,
``"never"`` none): the OCR text layer takes the place of the page's missing text before any family
parser runs, and the report says so (``source.ocr``; see :func:`mark_ocr`).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import signal
import threading
from pathlib import Path

from .. import config
from ..errors import BadInput
from . import eservice, form2014, ocr
from .assembly import ReportState, to_report
from .checks import assess, reconcile, total_by_sums
from .fields import decide_year, year_from_heading
from .geometry import remove_furniture
from .inflate import InflateLimitExceeded, inflate_limit
from .labels import CODE, norm
from .labels import load as load_maps
from .pdftext import Document, read_document
from .shapes import line_amount

__all__ = ["parse_pdf", "detect_family", "sha256_file"]


def sha256_file(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` in a reader swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise ``_Timeout`` after ``seconds`` (SIGALRM); a no-op outside the main thread.

    The alarm repeats every 0.1 s until the block is left: an exception raised while Python runs a
    garbage-collector callback or a ``__del__`` is printed and dropped ("Exception ignored in"), so
    one alarm alone can be lost and the file read to its end (seen in tests/robustness/test_limits.py
    under load). Leaving the block disarms first; an alarm in that instant is absorbed.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    armed = True

    def on_alarm(signum, frame):
        if armed:
            raise _Timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        while True:
            try:
                armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                break
            except _Timeout:  # fired between entering this block and disarming
                continue


def detect_family(doc: Document) -> str | None:
    """``form2014``, ``anmalan`` or ``eservice`` from what the document holds anywhere; None for anything else.

    The 2014 form names itself (KAM11001, lag 2014:105). An anmälan has a title line starting with
    one of its titles and no income lines. An income report has a title anywhere ("Intäktsredovisning",
    "Income report") or, without one, the content of one: income lines (a known type code or label
    with an amount) beside a reporter's identity (an organisationsnummer label or two lines of them).
    """
    maps = load_maps()
    texts = [ln.text for ln in doc.lines()]
    lowered = [t.lower() for t in texts]
    if any(m.lower() in t for t in lowered for m in maps.families["form2014"]):
        return "form2014"
    normed = [norm(t) for t in texts]
    coded = sum(1 for ln in doc.lines() if _is_income_line(ln, maps))
    fields = sum(1 for ln in doc.lines() if ln.cells and maps.match_field(ln.cells[0].text))
    anmalan_titles = [norm(m) for m in maps.families["anmalan"]]
    if any(t == m or (t.startswith(m + " ") and m != "anmälan") for t in normed for m in anmalan_titles) \
            or (any(t == "anmälan" or t.startswith("anmälan ") for t in normed) and coded == 0):
        return "anmalan"
    titles = [norm(m) for m in maps.families["eservice"]]
    if any(m in t for t in normed for m in titles):
        return "eservice"
    if coded >= 2 and (fields >= 1 or coded >= 4):
        return "eservice"
    return None


def _is_income_line(line, maps) -> bool:
    """A line with an amount whose other cells name an income type: by its code, first or in a cell of
    its own wherever it stands ("Medlemsavgifter | 2.1 | 12 000"), or by its label."""
    if len(line.cells) < 2 or line_amount(line) is None:
        return False
    first = line.cells[0].text.strip()
    code = first.split()[0] if first else ""
    if CODE.match(code) and maps.income_type(code):
        return True
    rest = line.cells[:-1]
    if any(CODE.match(c.text.strip()) and maps.income_type(c.text.strip()) for c in rest):
        return True
    return maps.code_for_label(" ".join(c.text for c in rest)) is not None


@contextlib.contextmanager
def paused_time_limit():
    """Stop the clock of an enclosing :func:`time_limit` for a while (OCR runs under its own bounds)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    remaining, interval = signal.getitimer(signal.ITIMER_REAL)
    if remaining <= 0:
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, remaining, interval)


def parse_pdf(path: Path | str, timeout: float | None = None, ocr_mode: str = "auto",
              ocr_cache: Path | str | None = None) -> dict:
    """Read one report PDF into the ``partifinans.report/1`` dict, or raise ``BadInput``.

    ``ocr_mode``: ``auto`` (OCR pages without a text layer), ``never`` or ``force`` (every page);
    ``ocr_cache``: where OCR text layers are kept (default :func:`ocr.default_cache_dir`).
    """
    path = Path(path)
    if ocr_mode not in ocr.MODES:
        raise ValueError(f"ocr_mode must be one of {ocr.MODES}, not {ocr_mode!r}")
    seconds = config.MAX_SECONDS_PER_FILE if timeout is None else timeout
    limit = config.MAX_DECOMPRESSED_BYTES
    hook = None if ocr_mode == "never" else ocr.OcrHook(
        ocr_mode, Path(ocr_cache) if ocr_cache is not None else ocr.default_cache_dir(), paused_time_limit)
    try:
        with time_limit(seconds), inflate_limit(limit):
            return mark_ocr(_parse(path, hook), hook)
    except _Timeout:
        raise BadInput(path, f"took longer than {seconds} s to read (limit MAX_SECONDS_PER_FILE)") from None
    except InflateLimitExceeded:
        raise BadInput(path, f"streams inflate to more than {limit} bytes (limit MAX_DECOMPRESSED_BYTES)") from None
    except RecursionError:
        raise BadInput(path, "PDF structure too deeply nested to read") from None
    except MemoryError:
        raise BadInput(path, "PDF too large to read in memory") from None


# Page numbers as printed in a footer: "Sida 2 av 3", "Sida 2 (3)", "2/3" (a whole line).
_PAGE_OF = re.compile(r"(?:sida\s+)?(\d{1,4})\s*(?:av|/|\()\s*(\d{1,4})\)?", re.IGNORECASE)


def _numbered_pages(doc: Document) -> int | None:
    """The page count the document's own page numbers claim (the largest "of N"), if it prints any."""
    claimed = [int(m.group(2)) for page in doc.pages for ln in page.lines + page.furniture
               if (m := _PAGE_OF.fullmatch(ln.text.strip())) and 0 < int(m.group(1)) <= int(m.group(2))]
    return max(claimed, default=None)


def mark_ocr(report: dict, hook: ocr.OcrHook | None) -> dict:
    """Say in the report whether (and which pages) it was read by OCR, add what OCR was unsure of
    and what fails a check on OCR'd pages, and cap its confidence (:func:`ocr.cap_confidence`)."""
    pages = hook.pages if hook is not None else []
    report["source"]["ocr"] = bool(pages)
    report["source"]["ocr_pages"] = pages
    if hook is not None:
        report["warnings"].extend(hook.warnings)
    if pages:
        report["warnings"].extend(ocr.check_warnings(report, pages))
        ocr.cap_confidence(report)
    return report


def _parse(path: Path, hook: ocr.OcrHook | None = None) -> dict:
    doc = remove_furniture(read_document(path, hook), load_maps())
    family = detect_family(doc)
    if family is None:
        first = next((ln.text for ln in doc.lines()), "")
        raise BadInput(path, f"not a party finance report (no Intäktsredovisning/Anmälan heading; "
                             f"first line {first[:60]!r})")
    maps = load_maps()
    state = ReportState(path=str(path), kind="anmalan" if family == "anmalan" else "intaktsredovisning")
    if family == "form2014":
        layout = form2014.parse(doc, maps, state)
    else:
        layout = eservice.parse(doc, maps, state)
    total_by_sums(state, maps)
    year_from_heading(list(doc.lines()), state)
    decide_year(state)
    if state.year is None:
        state.warn(None, "no reporting year found")
    if state.reporter.name is None:
        state.warn(None, "no reporter name found")
    if state.kind == "intaktsredovisning" and not state.lines:
        state.warn(None, "no income lines found")
    # Content that vanished must not pass silently (tests/robustness/test_mutation.py: a deleted
    # content stream emptied the last page and took the total with it, with no warning).
    for page in doc.pages:
        if not page.lines and not page.furniture:
            state.warn(page.number, "page has no text (content missing, or a scanned page)")
        elif not page.lines:
            state.warn(page.number, "page holds only running headers or footers (content missing?)")
    if state.kind == "intaktsredovisning" and state.lines and state.total is None:
        state.warn(None, "no printed total found")
    numbered = _numbered_pages(doc)
    if numbered and numbered > doc.n_pages:
        state.warn(None, f"the pages are numbered up to {numbered} but the file has {doc.n_pages} (pages missing?)")
    reconcile(state, maps)
    assess(state, maps)
    return to_report(state, doc, sha256_file(path), layout)
