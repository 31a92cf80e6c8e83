"""Stage 1 of reading a report (after ``pdftext.py``, which cuts the text into cells and lines): the page geometry, with page furniture removed.

``pdftext.read_document`` gives pages of lines of cells (text cut by the page's own spacing). This
stage removes what is not data before any reader sees it:

- running headers and footers: text printed at the same place (same height on the page, the same
  words once digits are ignored) on two or more pages, in the top or bottom band of the page (a
  table header repeated after a page break is not furniture);
- "forts." / "continued" markers, wherever they stand in a cell (never part of a name).

What is removed is kept on ``Page.furniture`` (the page count a footer claims is read from it).
"""

from __future__ import annotations

import re
from collections import defaultdict

from .labels import Maps
from .pdftext import Cell, Document, Line

BAND = 0.15  # running headers and footers stand in the top or bottom 15 % of the page
SAME_PLACE_PT = 3.0
_DIGITS = re.compile(r"\d+")


def _shape(line: Line) -> str:
    return _DIGITS.sub("#", " ".join(line.text.lower().split()))


def remove_furniture(doc: Document, maps: Maps) -> Document:
    """``doc`` with running headers/footers and continuation markers taken out (in place; returned)."""
    if len(doc.pages) >= 2:
        seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for page in doc.pages:
            for ln in page.lines:
                if _in_band(ln, page.height) and not _is_table_header(ln, maps):
                    seen[_shape(ln)].append((page.number, ln.top))
        repeated = set()
        for shape, places in seen.items():
            pages = {p for p, _ in places}
            if len(pages) >= 2:
                for p, top in places:
                    if sum(1 for q, t in places if q != p and abs(t - top) <= SAME_PLACE_PT):
                        repeated.add((shape, p, round(top, 1)))
        for page in doc.pages:
            keep = []
            for ln in page.lines:
                if _in_band(ln, page.height) and (_shape(ln), page.number, round(ln.top, 1)) in repeated:
                    page.furniture.append(ln)
                else:
                    keep.append(ln)
            page.lines = keep
    for page in doc.pages:
        lines = []
        for ln in page.lines:
            cells = [c for c in (_without_marker(c, maps) for c in ln.cells) if c is not None]
            if cells:
                lines.append(Line(ln.page, ln.top, ln.bottom, cells))
            else:
                page.furniture.append(ln)
        page.lines = lines
    return doc


def _is_table_header(line: Line, maps: Maps) -> bool:
    """A table's header repeated after a page break stands at the top of each page: it is not furniture."""
    from .shapes import is_income_header
    from .tables import read_table_header

    return read_table_header(line, maps, None, None) is not None or is_income_header(line, maps)


def _in_band(line: Line, height: float) -> bool:
    return line.top < BAND * height or line.bottom > (1 - BAND) * height


def _without_marker(cell: Cell, maps: Maps) -> Cell | None:
    """The cell without a continuation marker; None when the marker was all it held."""
    text = maps.strip_continuation(cell.text)
    if text == cell.text:
        return cell
    if not text:
        return None
    words = [w for w in cell.words if maps.strip_continuation(w[2])]
    if not words or " ".join(w[2] for w in words) != text:
        return Cell(cell.x0, cell.x1, cell.top, cell.bottom, text, [(cell.x0, cell.x1, text)])
    return Cell(words[0][0], words[-1][1], cell.top, cell.bottom, text, words)
