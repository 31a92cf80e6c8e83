"""Render a report (the ``partifinans.report/1`` parse contract) as a PDF in one of several layouts.

The demo corpus and the PDF-parser test fixtures are made with this module. The input is the
contract dict without ``source`` and ``warnings``; any ``page`` values in it are ignored, because
the renderer decides pagination and reports where each line and contribution landed
(:func:`draw_report` returns a :class:`Placement`).

Layouts (the visual arrangements a parser must cope with: Kammarkollegiet's e-service renderings
since 2018, the 2014-law form KAM11001, the anmälan notice):

- ``eservice_table``     2018-law e-service report, portrait, bordered tables, labels beside values;
- ``eservice_stacked``   free text, labels above values, no borders (Times);
- ``eservice_landscape`` landscape pages, two-column header block, horizontal rules only;
- ``form2014``           the 2014-law Excel form KAM11001 printed to PDF (no type codes);
- ``anmalan``            the below-threshold notice: reporter details and a declaration, no lines.

Quirks (named flags, each a fixture family for the parser):

- ``table_across_pages``  the first itemised table with two or more rows is split over a page
  break (the header row is repeated on the new page);
- ``wrapped_donor_name``  donor names of three or more words are wrapped over two lines in their cell;
- ``amount_formats``      amounts cycle through ``1 234 567,00``, ``125 000:-``, ``1 234 kr``,
  ``1 234 567,00`` written with no-break spaces (byte 0xA0) and ``1 234 567``; zero is ``-``;
- ``date_words``          dates alternate between ``3 maj 2022`` and ``2022-05-03 00:00``.

Limitation: the standard PDF fonts (WinAnsi encoding) cannot carry a thin space (U+2009) at all,
and their no-break space (0xA0) is defined as a space, so pdfplumber and pdfium extract it as
U+0020. Embedding a font that carries them (reportlab's Vera) adds about 20 KB per file, so the
demo PDFs do not; text with real U+00A0 / U+2009 / U+202F is covered by ``values.parse_amount``
tests instead.

Output is byte-identical for identical input: the canvas is created with ``invariant=1`` (fixed
creation date and document id) and fixed metadata.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from .. import law

LAYOUTS = ("eservice_table", "eservice_stacked", "eservice_landscape", "form2014", "anmalan")
QUIRKS = frozenset({"table_across_pages", "wrapped_donor_name", "amount_formats", "date_words"})
ESERVICE_LAYOUTS = ("eservice_table", "eservice_stacked", "eservice_landscape")

ROLE_WORDS = {"parti": "Parti", "sidoorganisation": "Sidoorganisation", "ledamot": "Ledamot", "ersattare": "Ersättare"}
LEVEL_WORDS = {"riks": "Riksnivå", "region": "Regional nivå", "kommun": "Kommunal nivå", "eu": "EU"}
AREA_LABELS = {"kommun": "Kommun", "region": "Region", "riks": "Valkrets", "eu": "Valkrets"}
FORM_WORDS = {"pengar": "Pengar", "varor": "Varor", "tjänster": "Tjänster", "övrigt": "Övrigt"}
MONTH_WORDS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
               "oktober", "november", "december")

# Label spellings per layout; deliberately different so the parser
# must use its alias maps.
LABELS = {
    "eservice_table": {
        "year": "Räkenskapsår {year}", "name_org": "Organisationens namn:", "name_person": "Namn:",
        "orgnr": "Organisationsnummer:", "party": "Parti:", "role": "Organisationstyp:", "level": "Nivå:",
        "period": "Räkenskapsperiod:", "submitted": "Inlämnad:", "total": "Summa intäkter",
        "columns": ("Bidragsgivare", "Pnr/orgnr", "Adress", "Form", "Datum", "Belopp"),
        "income": ("Kod", "Intäktstyp", "Belopp (kr)"),
    },
    "eservice_stacked": {
        "year": "Redovisningsår: {year}", "name_org": "Namn", "name_person": "Namn",
        "orgnr": "Organisationsnummer", "party": "Partitillhörighet", "role": "Typ av redovisare",
        "level": "Verksamhetsnivå", "period": "Räkenskapsperiod", "submitted": "Datum för inlämning",
        "total": "Totalt",
        "columns": ("Namn", "Identitetsnummer", "Adress", "Typ av bidrag", "Datum", "Belopp (kr)"),
        "income": ("", "Intäkter", ""),
    },
    "eservice_landscape": {
        "year": "Räkenskapsår: {year}", "name_org": "Organisationens namn:", "name_person": "Namn:",
        "orgnr": "Organisationsnummer:", "party": "Partitillhörighet:", "role": "Redovisare:", "level": "Nivå:",
        "period": "Räkenskapsperiod:", "submitted": "Datum för inlämning:", "total": "Summa intäkter",
        "columns": ("Bidragsgivare", "Organisations-/personnummer", "Adress", "Bidragets form", "Mottaget",
                    "Belopp"),
        "income": ("Kod", "Intäktstyp", "Belopp"),
    },
    "anmalan": {
        "year": "Redovisningsår: {year}", "name_org": "Organisationens namn:", "name_person": "Namn:",
        "orgnr": "Organisationsnummer:", "party": "Partitillhörighet:", "role": "Anmälan avser:",
        "level": "Nivå:", "period": "Räkenskapsperiod:", "submitted": "Inlämnad:",
    },
    "form2014": {
        "name_org": "Partiets namn", "orgnr": "Organisationsnummer", "party": "Parti", "period": "Redovisningsperiod",
        "submitted": "Datum för inlämning", "total": "Summa",
        "columns": ("Bidragsgivare", "Identitetsnummer", "Vad bidraget består av", "Belopp", "Datum"),
        "income": ("Intäkter", "Belopp (kr)"),
    },
}


@dataclass
class Placement:
    """Where things landed: 1-based page numbers, aligned with ``report["lines"]`` and
    ``report["contributions"]``."""

    pages: int
    line_pages: list[int]
    contribution_pages: list[int]
    wrapped_donor_rows: int = 0  # itemised rows whose donor name takes more than one line
    split_tables: int = 0  # tables with a header row that continue on a new page


# --- value formatting ------------------------------------------------------------------------------

AMOUNT_STYLES = ("comma", "colon", "kr", "nbsp", "plain")


def _group_thousands(n: int, sep: str) -> str:
    s = f"{n:,}".replace(",", sep)
    return s


def format_amount(value: float, style: str) -> str:
    """An amount as printed. Styles: ``comma`` 1 234 567,00; ``colon`` 125 000:-; ``kr`` 1 234 kr;
    ``nbsp`` 1 234 567,00 with no-break spaces; ``plain`` 1 234 567; ``bare`` 1234567; ``dash``
    like ``comma`` but zero as ``-``."""
    value = round(float(value), 2)
    negative = value < 0
    value = abs(value)
    whole = int(value)
    cents = int(round((value - whole) * 100))
    if style == "dash":
        if value == 0:
            return "-"
        style = "comma"
    if cents and style in ("colon", "kr", "plain", "bare"):
        style = "comma"
    if style == "comma":
        s = f"{_group_thousands(whole, ' ')},{cents:02d}"
    elif style == "nbsp":
        s = f"{_group_thousands(whole, chr(0xA0))},{cents:02d}"
    elif style == "colon":
        s = f"{_group_thousands(whole, ' ')}:-"
    elif style == "kr":
        s = f"{_group_thousands(whole, ' ')} kr"
    elif style == "plain":
        s = _group_thousands(whole, " ")
    elif style == "bare":
        s = str(whole)
    else:
        raise ValueError(f"unknown amount style {style!r}")
    return f"-{s}" if negative else s


def format_date_words(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {MONTH_WORDS[d.month - 1]} {d.year}"


class _Formatter:
    """Amount and date formatting for one document, cycling through styles when a quirk asks."""

    def __init__(self, default_amount: str, quirks: frozenset[str]):
        self.default_amount = default_amount
        self.quirks = quirks
        self._amounts = 0
        self._dates = 0

    def amount(self, value: float | None) -> str:
        if value is None:
            return ""
        if "amount_formats" not in self.quirks:
            return format_amount(value, self.default_amount)
        if float(value) == 0:
            return "-"
        style = AMOUNT_STYLES[self._amounts % len(AMOUNT_STYLES)]
        self._amounts += 1
        return format_amount(value, style)

    def date(self, iso: str | None) -> str:
        if not iso:
            return ""
        if "date_words" not in self.quirks:
            return iso
        self._dates += 1
        return format_date_words(iso) if self._dates % 2 else f"{iso} 00:00"


# --- a tiny layout engine: pages of drawing operations ------------------------------------------------

@dataclass
class _Doc:
    pagesize: tuple[float, float]
    margin: float = 40.0
    bottom: float = 50.0
    pages: list[list[Callable[[canvas.Canvas], None]]] = field(default_factory=lambda: [[]])
    continuation: Callable[[_Doc], None] | None = None
    wrapped_donor_rows: int = 0
    split_tables: int = 0

    def __post_init__(self):
        self.y = self.top

    @property
    def top(self) -> float:
        return self.pagesize[1] - self.margin

    @property
    def width(self) -> float:
        return self.pagesize[0] - 2 * self.margin

    @property
    def page(self) -> int:
        return len(self.pages)

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def ensure(self, height: float) -> bool:
        """Start a new page unless ``height`` fits; True if a page was started."""
        if self.y - height < self.bottom:
            self.new_page()
            return True
        return False

    def text(self, x: float, y: float, s: str, font: str, size: float, align: str = "left") -> None:
        def op(c: canvas.Canvas) -> None:
            c.setFont(font, size)
            if align == "right":
                c.drawRightString(x, y, s)
            elif align == "center":
                c.drawCentredString(x, y, s)
            else:
                c.drawString(x, y, s)

        self.pages[-1].append(op)

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5) -> None:
        def op(c: canvas.Canvas) -> None:
            c.setLineWidth(width)
            c.line(x1, y1, x2, y2)

        self.pages[-1].append(op)

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        def op(c: canvas.Canvas) -> None:
            c.setLineWidth(0.5)
            c.rect(x, y, w, h, stroke=1, fill=0)

        self.pages[-1].append(op)

    def paragraph(self, s: str, font: str, size: float, x: float | None = None, width: float | None = None,
                  leading: float | None = None) -> None:
        x = self.margin if x is None else x
        width = self.width if width is None else width
        leading = leading or size * 1.3
        for part in simpleSplit(s, font, size, width):
            self.ensure(leading)
            self.y -= leading
            self.text(x, self.y + 0.25 * leading, part, font, size)


@dataclass
class _Table:
    """A table drawn row by row, repeating its header row after a page break."""

    x: float
    widths: list[float]
    header: list[str] | None
    align: list[str]
    font: str
    bold: str
    size: float
    borders: str  # "grid" | "rules" | "none"
    pad: float = 3.0
    nowrap: frozenset[int] = frozenset()  # columns that must fit on one line (amounts, dates, numbers)
    donor_col: int | None = None  # column whose wrapped cells are counted (Placement.wrapped_donor_rows)

    @property
    def leading(self) -> float:
        return self.size * 1.25

    def _cell_lines(self, text: str, col: int, forced: list[str] | None) -> list[str]:
        if forced is not None:
            # A forced break may still leave a line too wide for the cell: wrap that line again.
            return [part for line in forced
                    for part in (simpleSplit(line, self.font, self.size, self.widths[col] - 2 * self.pad) or [""])]
        if not text:
            return [""]
        if col in self.nowrap:
            if stringWidth(text, self.font, self.size) > self.widths[col] - 2 * self.pad + 0.01:
                raise ValueError(f"{text!r} does not fit its column ({self.widths[col]} pt)")
            return [text]
        return simpleSplit(text, self.font, self.size, self.widths[col] - 2 * self.pad) or [""]

    def _draw_row(self, doc: _Doc, cells: list[list[str]], font: str) -> None:
        height = max(len(c) for c in cells) * self.leading + 2 * self.pad
        top = doc.y
        x = self.x
        for col, lines in enumerate(cells):
            w = self.widths[col]
            for i, s in enumerate(lines):
                baseline = top - self.pad - (i + 1) * self.leading + 0.25 * self.leading
                if self.align[col] == "right":
                    doc.text(x + w - self.pad, baseline, s, font, self.size, "right")
                else:
                    doc.text(x + self.pad, baseline, s, font, self.size)
            if self.borders == "grid":
                doc.rect(x, top - height, w, height)
            x += w
        if self.borders == "rules":
            doc.line(self.x, top - height, self.x + sum(self.widths), top - height, 0.3)
        doc.y = top - height

    def row_height(self, cells: list[list[str]]) -> float:
        return max(len(c) for c in cells) * self.leading + 2 * self.pad

    def header_cells(self) -> list[list[str]]:
        assert self.header is not None
        return [simpleSplit(h, self.bold, self.size, w - 2 * self.pad) or [""]
                for h, w in zip(self.header, self.widths, strict=True)]

    def draw(self, doc: _Doc, rows: list[list[str]], forced: dict[tuple[int, int], list[str]] | None = None,
             break_after: int | None = None) -> list[int]:
        """Draw ``rows``; return the page of each row. ``break_after`` forces a page break after that
        many rows (the table_across_pages quirk)."""
        forced = forced or {}
        cells = [[self._cell_lines(t, c, forced.get((r, c))) for c, t in enumerate(row)]
                 for r, row in enumerate(rows)]
        head = self.header_cells() if self.header else None
        head_h = self.row_height(head) if head else 0.0
        first_h = self.row_height(cells[0]) if cells else 0.0
        doc.ensure(head_h + first_h)
        if head:
            self._draw_row(doc, head, self.bold)
        pages = []
        if self.donor_col is not None:
            doc.wrapped_donor_rows += sum(len(row[self.donor_col]) > 1 for row in cells)
        split = False
        for r, row in enumerate(cells):
            broke = (break_after is not None and r == break_after and r > 0)
            if broke:
                doc.new_page()
            elif doc.ensure(self.row_height(row)):
                broke = True
            if broke:
                split = True
                if doc.continuation:
                    doc.continuation(doc)
                if head:
                    self._draw_row(doc, head, self.bold)
            self._draw_row(doc, row, self.font)
            pages.append(doc.page)
        if split and head:
            doc.split_tables += 1
        return pages


def _wrap_in_two(name: str) -> list[str]:
    words = name.split()
    if len(words) < 3:
        return [name]
    # Split where the two halves are closest in length.
    best = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return [" ".join(words[:best]), " ".join(words[best:])]


# --- the layouts -----------------------------------------------------------------------------------

def _reporter_pairs(report: dict, labels: dict, fmt: _Formatter, with_submitted: bool = True) -> list[tuple[str, str]]:
    rep = report["reporter"]
    is_person = rep.get("role") in ("ledamot", "ersattare")
    pairs = [(labels["name_person"] if is_person else labels["name_org"], rep["name"])]
    if rep.get("org_number"):
        pairs.append((labels["orgnr"], rep["org_number"]))
    if rep.get("party"):
        pairs.append((labels["party"], rep["party"]))
    if rep.get("role"):
        pairs.append((labels["role"], ROLE_WORDS[rep["role"]]))
    if rep.get("level"):
        pairs.append((labels["level"], LEVEL_WORDS[rep["level"]]))
    if rep.get("area"):
        suffix = ":" if labels["level"].endswith(":") else ""
        pairs.append((AREA_LABELS[rep.get("level") or "kommun"] + suffix, rep["area"]))
    if report.get("period"):
        p = report["period"]
        pairs.append((labels["period"], f"{p['start']} - {p['end']}"))
    if with_submitted and report.get("submitted"):
        pairs.append((labels["submitted"], fmt.date(report["submitted"])))
    return pairs


def _title(doc: _Doc, title: str, subtitle: str, font: str, bold: str) -> None:
    doc.text(doc.margin, doc.pagesize[1] - 25, "Kammarkollegiet · Partiinsyn", font, 7)
    doc.y -= 20
    doc.text(doc.margin, doc.y, title, bold, 16)
    doc.y -= 18
    doc.text(doc.margin, doc.y, subtitle, font, 11)
    doc.y -= 14


def _itemised_codes(report: dict) -> set[str]:
    return {c["code"] for c in report["contributions"]}


def _contribution_rows(contribs: list[tuple[int, dict]], fmt: _Formatter, quirks: frozenset[str],
                       donor_col: int = 0) -> tuple[list[list[str]], dict[tuple[int, int], list[str]]]:
    rows, forced = [], {}
    for r, (_, c) in enumerate(contribs):
        donor = c.get("donor") or ""
        rows.append([donor, c.get("donor_id") or "", c.get("address") or "",
                     FORM_WORDS.get(c.get("form") or "", ""), fmt.date(c.get("date")), fmt.amount(c["amount"])])
        if "wrapped_donor_name" in quirks and donor:
            parts = _wrap_in_two(donor)
            if len(parts) == 2:
                forced[(r, donor_col)] = parts
    return rows, forced


def _draw_eservice(doc: _Doc, report: dict, layout: str, quirks: frozenset[str]) -> Placement:
    labels = LABELS[layout]
    if layout == "eservice_stacked":
        font, bold, fmt = "Times-Roman", "Times-Bold", _Formatter("kr", quirks)
    elif layout == "eservice_landscape":
        font, bold, fmt = "Helvetica", "Helvetica-Bold", _Formatter("plain", quirks)
    else:
        font, bold, fmt = "Helvetica", "Helvetica-Bold", _Formatter("comma", quirks)
    _title(doc, "Intäktsredovisning", labels["year"].format(year=report["year"]), font, bold)
    pairs = _reporter_pairs(report, labels, fmt)

    # Header block.
    if layout == "eservice_table":
        t = _Table(doc.margin, [160, doc.width - 160], None, ["left", "left"], font, bold, 9, "grid")
        doc.y -= 6
        t.draw(doc, [[k, v] for k, v in pairs])
    elif layout == "eservice_stacked":
        for k, v in pairs:
            doc.ensure(28)
            doc.y -= 11
            doc.text(doc.margin, doc.y, k, bold, 8)
            doc.y -= 13
            doc.text(doc.margin, doc.y, v, font, 11)
            doc.y -= 4
    else:
        half = (len(pairs) + 1) // 2
        col_w = doc.width / 2
        y0 = doc.y - 6
        for col, chunk in enumerate((pairs[:half], pairs[half:])):
            y = y0
            for k, v in chunk:
                y -= 13
                x = doc.margin + col * col_w
                doc.text(x, y, k, bold, 9)
                doc.text(x + 125, y, v, font, 9)
        doc.y = y0 - 13 * half - 8
        doc.line(doc.margin, doc.y, doc.margin + doc.width, doc.y, 0.8)

    # Income lines, each itemised type followed by its table.
    doc.y -= 14
    doc.ensure(20)
    doc.text(doc.margin, doc.y, "Intäkter", bold, 12)
    doc.y -= 6
    borders = {"eservice_table": "grid", "eservice_stacked": "none", "eservice_landscape": "rules"}[layout]
    code_w, amount_w = 40, 110
    income = _Table(doc.margin, [code_w, doc.width - code_w - amount_w, amount_w],
                    list(labels["income"]) if layout != "eservice_stacked" else None,
                    ["left", "left", "right"], font, bold, 9.5, borders, nowrap=frozenset({0, 2}))
    indent = 18
    if layout == "eservice_landscape":
        sub_widths = [200, 130, 200, 80, 90, 0]
    elif layout == "eservice_stacked":
        sub_widths = [124, 78, 115, 42, 80, 0]
    else:
        sub_widths = [134, 66, 112, 40, 76, 0]
    sub_widths[-1] = doc.width - indent - sum(sub_widths[:-1])
    sub = _Table(doc.margin + indent, sub_widths, list(labels["columns"]),
                 ["left", "left", "left", "left", "left", "right"], font, bold, 8, borders,
                 nowrap=frozenset({1, 3, 4, 5}), donor_col=0)

    by_code: dict[str, list[tuple[int, dict]]] = {}
    for i, c in enumerate(report["contributions"]):
        by_code.setdefault(c["code"], []).append((i, c))
    line_codes = {ln["code"] for ln in report["lines"]}
    missing = sorted(set(by_code) - line_codes, key=str)
    if missing:
        raise ValueError(f"contributions with code {missing} have no income line")

    line_pages: list[int] = []
    contribution_pages = [0] * len(report["contributions"])
    header_drawn = False
    break_pending = "table_across_pages" in quirks
    for ln in report["lines"]:
        row = [ln["code"] or "", ln["label"], fmt.amount(ln["amount"])]
        if income.header and not header_drawn:
            line_pages += income.draw(doc, [row])
            header_drawn = True
        else:
            saved, income.header = income.header, None
            line_pages += income.draw(doc, [row])
            income.header = saved
        items = by_code.get(ln["code"], [])
        if items:
            doc.y -= 3
            rows, forced = _contribution_rows(items, fmt, quirks)
            break_after = None
            if break_pending and len(items) >= 2:
                break_after = max(1, len(items) // 2)
                break_pending = False
            pages = sub.draw(doc, rows, forced, break_after)
            for (i, _), p in zip(items, pages, strict=True):
                contribution_pages[i] = p
            doc.y -= 6
    if break_pending:
        raise ValueError("quirk table_across_pages needs an itemised type with at least two entries")

    if report.get("total") is not None:
        doc.y -= 4
        total = _Table(doc.margin, [doc.width - amount_w, amount_w], None, ["left", "right"], bold, bold, 10,
                       borders)
        total.draw(doc, [[labels["total"], fmt.amount(report["total"])]])
    return Placement(len(doc.pages), line_pages, contribution_pages, doc.wrapped_donor_rows, doc.split_tables)


def _draw_form2014(doc: _Doc, report: dict, quirks: frozenset[str]) -> Placement:
    labels = LABELS["form2014"]
    fmt = _Formatter("plain", quirks)
    font, bold = "Helvetica", "Helvetica-Bold"
    doc.text(doc.margin + doc.width, doc.pagesize[1] - 25, "KAM11001", font, 7, "right")
    doc.y -= 20
    doc.text(doc.margin, doc.y, "Intäktsredovisning avseende parti", bold, 15)
    doc.y -= 14
    doc.text(doc.margin, doc.y, "enligt lagen (2014:105) om insyn i finansiering av partier", font, 8)
    doc.y -= 10
    rep = report["reporter"]
    pairs = [(labels["name_org"], rep["name"])]
    if rep.get("org_number"):
        pairs.append((labels["orgnr"], rep["org_number"]))
    if rep.get("party"):
        pairs.append((labels["party"], rep["party"]))
    if report.get("period"):
        pairs.append((labels["period"], f"{report['period']['start']} - {report['period']['end']}"))
    grid = _Table(doc.margin, [170, doc.width - 170], None, ["left", "left"], font, bold, 9, "grid")
    grid.draw(doc, [[k, v] for k, v in pairs])
    doc.y -= 14
    income = _Table(doc.margin, [doc.width - 130, 130], list(labels["income"]), ["left", "right"], font, bold, 9.5,
                    "grid")
    line_pages = income.draw(doc, [[ln["label"], fmt.amount(ln["amount"])] for ln in report["lines"]])
    if report.get("total") is not None:
        saved, income.header, income.font = income.header, None, bold
        income.draw(doc, [[labels["total"], fmt.amount(report["total"])]])
        income.header, income.font = saved, font
    contribution_pages: list[int] = []
    doc.y -= 16
    doc.ensure(30)
    doc.text(doc.margin, doc.y, "Bidrag som överstiger ett halvt prisbasbelopp", bold, 11)
    doc.y -= 6
    widths = [165, 85, 100, 75, 0]
    widths[-1] = doc.width - sum(widths[:-1])
    table = _Table(doc.margin, widths, list(labels["columns"]), ["left", "left", "left", "right", "left"], font,
                   bold, 8.5, "grid", nowrap=frozenset({1, 2, 3, 4}), donor_col=0)
    if report["contributions"]:
        items = list(enumerate(report["contributions"]))
        rows6, forced6 = _contribution_rows(items, fmt, quirks)
        # Form columns: donor, identity, what it consists of, amount, date (no address column).
        rows = [[r[0], r[1], r[3], r[5], r[4]] for r in rows6]
        break_after = max(1, len(rows) // 2) if "table_across_pages" in quirks and len(rows) >= 2 else None
        if "table_across_pages" in quirks and break_after is None:
            raise ValueError("quirk table_across_pages needs at least two contributions")
        contribution_pages = table.draw(doc, rows, forced6, break_after)
    else:
        table.draw(doc, [["Inga bidrag att redovisa", "", "", "", ""]])
    if report.get("submitted"):
        doc.y -= 18
        doc.ensure(14)
        doc.text(doc.margin, doc.y, f"{labels['submitted']}: {fmt.date(report['submitted'])}", font, 9)
    return Placement(len(doc.pages), line_pages, contribution_pages, doc.wrapped_donor_rows, doc.split_tables)


def _draw_anmalan(doc: _Doc, report: dict, quirks: frozenset[str]) -> Placement:
    labels = LABELS["anmalan"]
    fmt = _Formatter("comma", quirks)
    _title(doc, "Anmälan", labels["year"].format(year=report["year"]), "Helvetica", "Helvetica-Bold")
    doc.y -= 6
    t = _Table(doc.margin, [160, doc.width - 160], None, ["left", "left"], "Helvetica", "Helvetica-Bold", 9, "grid")
    t.draw(doc, [[k, v] for k, v in _reporter_pairs(report, labels, fmt)])
    doc.y -= 16
    limit = format_amount(law.threshold(report["year"], "identity"), "plain")
    doc.paragraph(
        "Vi intygar att organisationens intäkter under räkenskapsåret, efter avdrag för offentligt stöd, "
        "medlemsavgifter och bidrag från andra delar av partiets organisation, inte överstiger ett halvt "
        f"prisbasbelopp ({limit} kronor). Någon intäktsredovisning lämnas därför inte.",
        "Helvetica", 10)
    return Placement(len(doc.pages), [], [])


def draw_report(report: dict, path: str | Path, layout: str, quirks: frozenset[str] = frozenset()) -> Placement:
    """Render ``report`` to ``path`` and return where its lines and contributions were printed."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    unknown = set(quirks) - QUIRKS
    if unknown:
        raise ValueError(f"unknown quirks {sorted(unknown)}; expected some of {sorted(QUIRKS)}")
    quirks = frozenset(quirks)
    if (layout == "anmalan") != (report["kind"] == "anmalan"):
        raise ValueError(f"layout {layout!r} does not fit a report of kind {report['kind']!r}")
    pagesize = landscape(A4) if layout == "eservice_landscape" else A4
    doc = _Doc(pagesize)
    if layout == "form2014":
        placement = _draw_form2014(doc, report, quirks)
    elif layout == "anmalan":
        placement = _draw_anmalan(doc, report, quirks)
    else:
        placement = _draw_eservice(doc, report, layout, quirks)

    name = report["reporter"]["name"]
    c = canvas.Canvas(str(path), pagesize=pagesize, invariant=1, pageCompression=1)
    c.setTitle(f"{'Anmälan' if report['kind'] == 'anmalan' else 'Intäktsredovisning'} {report['year']} {name}")
    c.setAuthor("partifinans demo (fictional)")
    c.setCreator("partifinans.demo.render")
    c.setProducer("partifinans.demo.render")
    c.setSubject("Fictional demo report")
    total = len(doc.pages)
    font = "Times-Roman" if layout == "eservice_stacked" else "Helvetica"
    for number, ops in enumerate(doc.pages, start=1):
        for op in ops:
            op(c)
        c.setFont(font, 7)
        footer = f"{number}/{total}" if layout == "eservice_stacked" else f"Sida {number} av {total}"
        c.drawRightString(pagesize[0] - doc.margin, 25, footer)
        c.showPage()
    c.save()
    return placement


def render_pdf(report: dict, path: str | Path, layout: str, quirks: frozenset[str] = frozenset()) -> None:
    """Render ``report`` (the ``partifinans.report/1`` contract without ``source``/``warnings``) as a PDF.

    ``layout`` is one of :data:`LAYOUTS`, ``quirks`` a subset of :data:`QUIRKS`. Same input, same bytes.
    Use :func:`draw_report` to learn on which page each line and contribution was printed.
    """
    draw_report(report, path, layout, quirks)
