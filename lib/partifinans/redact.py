"""Private donors painted over on the copies of report pages that travel with the register.

``partifinans report --bundle`` copies every cited page as a PNG beside the register. The page
is the document itself: it names private persons who gave money, often with their personnummer
and address, which no export shows unless the user asks (``--reveal-private``). Without that
option each copied page is redacted here: the page is drawn as an image (so nothing painted over
survives as text underneath) and black boxes cover, on every row of a private donor,

- the row's cells except amounts, dates and the form of the gift (what the flag is about), and
- a line right under it that only continues those cells (an address wrapped onto a second line).

A row is a private donor's when it holds a personnummer (checked by python-stdnum, as everywhere
in the project) or the name of a private donor the reader took from that page
(``contributions.donor_kind == "person"``). Organisations, the reporter's own fields and the
income lines stay readable.

A page whose words were read by OCR is never redacted: the words' places come from a deskewed
scan and can miss the printed text by a line; such a page is left out of the bundle (its link to
the source file stays).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .extract.labels import load as load_maps
from .extract.pdftext import Line, read_document
from .extract.shapes import classify

KEEP = ("amount", "date", "form")  # cells of a donor's row that stay readable
PAD = 1.5  # points added round each box, for the ink that reaches past a character's box


@dataclass(frozen=True)
class Box:
    x0: float  # points from the page's left edge
    top: float  # points from the page's top edge
    x1: float
    bottom: float


def _spaced(text: str) -> str:
    return " ".join(text.split()).casefold()


def _has_personnummer(line: Line) -> bool:
    from .identifiers import parse_identifier

    for cell in line.cells:
        for word in cell.text.split():
            ident = parse_identifier(word)
            if ident is not None and ident.kind == "pnr":
                return True
    return False


def _names_a_donor(line: Line, names: set[str]) -> bool:
    """A cell whose text is a private donor's name, or a piece of it at least a word long (a name
    broken over two lines, or run together with the next column)."""
    for cell in line.cells:
        text = _spaced(cell.text)
        if len(text) >= 4 and any(text == n or text in n or n in text for n in names):
            return True
    return False


def _continues(line: Line, prev: Line, boxes: list[Box]) -> bool:
    height = prev.bottom - prev.top
    if not 0 <= line.top - prev.bottom <= 0.8 * height:
        return False
    maps = load_maps()
    return all(classify(c.text, maps) not in KEEP and any(c.x0 < b.x1 and b.x0 < c.x1 for b in boxes)
               for c in line.cells)


def private_boxes(lines: list[Line], names: set[str]) -> list[Box]:
    """The boxes to paint over on one page (its lines as the reader reads them)."""
    maps = load_maps()
    names = {_spaced(n) for n in names if n and len(n.strip()) >= 4}
    out: list[Box] = []
    prev_boxes: list[Box] = []
    prev: Line | None = None
    for line in sorted(lines, key=lambda ln: ln.top):
        if _has_personnummer(line) or (names and _names_a_donor(line, names)):
            row = [Box(c.x0 - PAD, c.top - PAD, c.x1 + PAD, c.bottom + PAD)
                   for c in line.cells if classify(c.text, maps) not in KEEP]
        elif prev is not None and prev_boxes and _continues(line, prev, prev_boxes):
            row = [Box(c.x0 - PAD, c.top - PAD, c.x1 + PAD, c.bottom + PAD) for c in line.cells]
        else:
            row = []
        out += row
        prev, prev_boxes = line, row
    return out


def page_lines(path: Path) -> dict[int, list[Line]]:
    """The lines of every page of a born-digital PDF, by page number (no OCR)."""
    return {page.number: page.lines for page in read_document(path).pages}


def paint(image, boxes: list[Box], scale: float) -> None:
    """Black boxes on a rendered page (``scale`` pixels per point)."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for b in boxes:
        draw.rectangle((b.x0 * scale, b.top * scale, b.x1 * scale, b.bottom * scale), fill="black")
