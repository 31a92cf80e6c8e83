"""Stage 1 (extract/geometry.py) fed hand-written pages: page furniture removed, data kept."""

from partifinans.extract.geometry import remove_furniture
from partifinans.extract.labels import load
from partifinans.extract.pdftext import Cell, Document, Line, Page


def _line(page: int, top: float, *texts_at: tuple[float, str]) -> Line:
    cells = [Cell(x, x + 6 * len(t), top, top + 9, t, [(x, x + 6 * len(t), t)]) for x, t in texts_at]
    return Line(page, top, top + 9, cells)


def _doc(*pages: list[Line]) -> Document:
    return Document("hand-written", [Page(i, 595.0, 842.0, lines) for i, lines in enumerate(pages, 1)])


def test_a_running_header_with_a_year_is_furniture_not_an_amount():
    header = "Framtidspartiet i Umeå · Intäktsredovisning 2023"
    doc = _doc([_line(1, 30, (48, header)), _line(1, 300, (60, "Anna Exempel"), (480, "25 000"))],
               [_line(2, 30, (48, header)), _line(2, 300, (60, "Bo Exempel"), (480, "30 000"))])
    remove_furniture(doc, load())
    assert [ln.text for ln in doc.lines()] == ["Anna Exempel 25 000", "Bo Exempel 30 000"]
    assert [ln.text for p in doc.pages for ln in p.furniture] == [header, header]


def test_a_table_header_repeated_after_a_page_break_is_kept():
    cols = ((60, "Bidragsgivare"), (200, "Organisationsnummer"), (480, "Belopp"))
    doc = _doc([_line(1, 40, *cols), _line(1, 60, (60, "Exempel AB"), (480, "1 000"))],
               [_line(2, 40, *cols), _line(2, 60, (60, "Prov AB"), (480, "2 000"))])
    remove_furniture(doc, load())
    assert sum(1 for ln in doc.lines() if ln.text.startswith("Bidragsgivare")) == 2


def test_continuation_markers_are_never_part_of_a_name():
    doc = _doc([_line(1, 300, (60, "Exempelbolaget AB (forts.)"), (480, "5 000")),
                _line(1, 320, (300, "forts. på nästa sida"))],
               [_line(2, 300, (60, "Continued"))])
    remove_furniture(doc, load())
    assert [ln.text for ln in doc.lines()] == ["Exempelbolaget AB 5 000"]
