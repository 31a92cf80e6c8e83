"""Reading report PDFs: ``parse_pdf(path) -> dict`` (the ``partifinans.report/1`` document).

The family is recognised from the document's text (never its file name): the 2014-law form
(KAM11001), the e-service intäktsredovisning (lag 2018:90) or the anmälan notice. Each family
module reads by labels and codes from ``maps/``; what it cannot place becomes a warning with its
page. A file that cannot be read as a report raises :class:`~partifinans.errors.BadInput`.

Bounds: file size and page count are checked before any page is read (``config.MAX_FILE_BYTES``,
``config.MAX_PAGES``); reading one file is stopped after ``config.MAX_SECONDS_PER_FILE`` seconds
(SIGALRM in the parsing process, when it is the main thread); all its compressed streams together
may inflate to at most ``config.MAX_DECOMPRESSED_BYTES`` (``inflate.py``). See docs/LIMITS.md.
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
from . import eservice, form2014
from .checks import assess, reconcile
from .inflate import InflateLimitExceeded, inflate_limit
from .labels import load as load_maps
from .labels import norm
from .pdftext import Document, read_document
from .reading import ReportState, decide_year, to_report

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
    """``form2014``, ``anmalan`` or ``eservice`` from the first page's text; None for anything else."""
    maps = load_maps()
    first = [ln for ln in doc.pages[0].lines] if doc.pages else []
    texts = [ln.text for ln in first]
    form_markers = maps.families["form2014"]
    if any(m.lower() in t.lower() for t in texts for m in form_markers):
        return "form2014"
    titles = [norm(t) for t in texts[:12]]
    if any(t == norm(m) for t in titles for m in maps.families["anmalan"]):
        return "anmalan"
    if any(t.startswith(norm(m)) for t in titles for m in maps.families["eservice"]):
        return "eservice"
    return None


def parse_pdf(path: Path | str, timeout: float | None = None) -> dict:
    """Read one report PDF into the ``partifinans.report/1`` dict, or raise ``BadInput``."""
    path = Path(path)
    seconds = config.MAX_SECONDS_PER_FILE if timeout is None else timeout
    limit = config.MAX_DECOMPRESSED_BYTES
    try:
        with time_limit(seconds), inflate_limit(limit):
            return _parse(path)
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
    claimed = [int(m.group(2)) for ln in doc.lines()
               if (m := _PAGE_OF.fullmatch(ln.text.strip())) and 0 < int(m.group(1)) <= int(m.group(2))]
    return max(claimed, default=None)


def _parse(path: Path) -> dict:
    doc = read_document(path)
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
        if not page.lines:
            state.warn(page.number, "page has no text (content missing, or a scanned page)")
    if state.kind == "intaktsredovisning" and state.lines and state.total is None:
        state.warn(None, "no printed total found")
    numbered = _numbered_pages(doc)
    if numbered and numbered > doc.n_pages:
        state.warn(None, f"the pages are numbered up to {numbered} but the file has {doc.n_pages} (pages missing?)")
    reconcile(state, maps)
    assess(state, maps)
    return to_report(state, doc, sha256_file(path), layout)
