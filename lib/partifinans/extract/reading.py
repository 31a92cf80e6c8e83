"""What every report family shares: reporter fields, itemised tables, warnings, reconciliation.

A family parser (``eservice.py``, ``form2014.py``) walks the document's lines and hands each line to
the readers here in turn. Everything is found by its label or its code (``maps/``), never by a
fixed position; positions are only used relative to a label or a table header printed on the same
page (a value beside or below its label, a cell under its column header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import identifiers, values
from .labels import Maps, norm
from .pdftext import Cell, Document, Line

_ID = re.compile(r"^(?:\d{2})?\d{6}[-+]?\d{4}$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEXT_COLUMNS = ("donor", "address")


def classify(text: str, maps: Maps) -> str | None:
    """The typed column a value belongs to by its shape (identity number, form, date, amount), or None."""
    t = text.strip()
    if _ID.match(t.replace(" ", "")):
        return "donor_id"
    if norm(t) in maps.forms:
        return "form"
    if values.parse_date(t) is not None and not t.replace(" ", "").isdigit():
        return "date"
    if any(ch.isdigit() for ch in t) or t in ("-", "\u2013"):
        if values.parse_amount(t) is not None:
            return "amount"
    return None


def line_amount(line: Line) -> float | None:
    """The amount in a line's last cell, or None."""
    if not line.cells:
        return None
    t = line.cells[-1].text
    if not any(ch.isdigit() for ch in t) and t.strip() not in ("-", "\u2013"):
        return None
    if _ISO_DATE.search(t) or _ID.match(t.replace(" ", "")):
        return None
    return values.parse_amount(t)


@dataclass
class Column:
    name: str | None  # None: a header we could not map
    x0: float
    x1: float
    text: str


@dataclass
class Table:
    """An itemised table: its columns (from the printed header) and where it belongs."""

    columns: list[Column]
    group: int
    code: str | None
    header_line: Line

    def column_at(self, x0: float) -> Column:
        """The column a left edge falls in: the last header starting at or before it (2 pt slack)."""
        best = self.columns[0]
        for col in self.columns:
            if col.x0 <= x0 + 2:
                best = col
        return best

    def spans_next_column(self, cell: Cell) -> bool:
        """True when a cell runs into the next column's header (two values printed as one run)."""
        i = self.columns.index(self.column_at(cell.x0))
        return i + 1 < len(self.columns) and cell.x1 > self.columns[i + 1].x0 + 1


@dataclass
class Reporter:
    name: str | None = None
    org_number: str | None = None
    party: str | None = None
    role: str | None = None
    level: str | None = None
    area: str | None = None


@dataclass
class ReportState:
    """What a family parser has read so far."""

    path: str
    kind: str = "intaktsredovisning"
    year: int | None = None
    period: dict | None = None
    submitted: str | None = None
    reporter: Reporter = field(default_factory=Reporter)
    lines: list[dict] = field(default_factory=list)
    contributions: list[dict] = field(default_factory=list)
    total: float | None = None
    total_page: int | None = None
    warnings: list[str] = field(default_factory=list)
    labels_above_values: bool = False

    def warn(self, page: int | None, message: str) -> None:
        where = f"page {page}: " if page else ""
        self.warnings.append(f"{where}{message}")


_LABEL_COLON = re.compile(r"^([^:\d][^:]{0,59}):(?:\s|$)")


def warn_unplaced(state: ReportState, line: Line) -> None:
    """A line no reader could place: an unknown label when it starts like one ("Hemsida: ..."), else the line."""
    m = _LABEL_COLON.match(line.cells[0].text)
    if m:
        state.warn(line.page, f"unknown label {m.group(1) + ':'!r} (line {line.text!r})")
    else:
        state.warn(line.page, f"line {line.text!r} not recognised")


# --- reporter fields -----------------------------------------------------------------------------

def set_field(state: ReportState, maps: Maps, name: str, value: str, page: int) -> None:
    """Store one reporter/document field from its printed value (normalising what has a normal form)."""
    value = " ".join(value.split())
    r = state.reporter
    if not value:
        state.warn(page, f"label for {name} has no value")
        return
    if name == "name":
        r.name = value
    elif name == "org_number":
        ident = identifiers.parse_identifier(value)
        if ident is None:
            state.warn(page, f"organisationsnummer {value!r} is not shaped like one")
            r.org_number = value
        else:
            r.org_number = ident.value  # a failed check digit is data (is_org_number_valid), not a warning
    elif name == "party":
        r.party = value
    elif name == "role":
        role = maps.roles.get(norm(value))
        if role is None:
            state.warn(page, f"unknown kind of reporter {value!r}")
        r.role = role
    elif name == "level":
        level = maps.levels.get(norm(value))
        if level is None:
            state.warn(page, f"unknown level {value!r}")
        r.level = level
    elif name == "area":
        r.area = value
    elif name == "period":
        state.period = parse_period(value)
        if state.period is None:
            state.warn(page, f"period {value!r} not understood")
    elif name == "submitted":
        state.submitted = values.parse_date(value)
        if state.submitted is None:
            state.warn(page, f"date of submission {value!r} not understood")


def parse_period(text: str) -> dict | None:
    """``{"start", "end"}`` from ``2022-01-01 - 2022-12-31`` (or words dates either side of a dash / 'till')."""
    isos = _ISO_DATE.findall(text)
    parts: list[str] = []
    if len(isos) == 2:
        parts = isos
    else:
        m = re.split(r"\s+[-\u2013\u2014]\s+|\s+till\s+|\s+t\.o\.m\.?\s+", text.strip())
        if len(m) == 2:
            parts = m
    if len(parts) != 2:
        return None
    start, end = values.parse_date(parts[0]), values.parse_date(parts[1])
    if start is None or end is None:
        return None
    return {"start": start, "end": end}


class FieldReader:
    """Reads label/value pairs: value after a colon in the same cell, in the next cell, or below."""

    def __init__(self, state: ReportState, maps: Maps):
        self.state = state
        self.maps = maps
        self.awaiting: list[tuple[str, Cell]] = []  # labels whose value is on the next line
        self.last_value: tuple[str, Cell, Line] | None = None  # for a value wrapped over two lines

    def take_pending(self, line: Line) -> bool:
        """Values printed below their labels (labels-above-values arrangement)."""
        if not self.awaiting:
            return False
        used = False
        for name, label_cell in self.awaiting:
            for cell in line.cells:
                if cell.x0 < label_cell.x1 and cell.x1 > label_cell.x0 - 2:
                    set_field(self.state, self.maps, name, cell.text, line.page)
                    self.last_value = (name, cell, line)
                    used = True
                    break
            else:
                self.state.warn(line.page, f"no value below label {label_cell.text!r}")
        self.awaiting = []
        if used:
            self.state.labels_above_values = True
        return True

    def read(self, line: Line, colon_required: bool = False) -> bool:
        """Read the fields on a line; False if its first cell is not a field label."""
        cells = line.cells
        first = self.maps.match_field(cells[0].text)
        if first is None:
            return False
        if colon_required and ":" not in cells[0].text:
            return False
        i = 0
        while i < len(cells):
            m = self.maps.match_field(cells[i].text)
            if m is None:
                if cells[i].text.rstrip().endswith(":"):
                    self.state.warn(line.page, f"unknown label {cells[i].text!r}")
                else:
                    self.state.warn(line.page, f"text {cells[i].text!r} not placed")
                i += 1
                continue
            name, rest = m
            if rest:
                set_field(self.state, self.maps, name, rest, line.page)
                self.last_value = (name, cells[i], line)
                i += 1
            elif i + 1 < len(cells) and not self._is_label_cell(cells[i + 1]):
                set_field(self.state, self.maps, name, cells[i + 1].text, line.page)
                self.last_value = (name, cells[i + 1], line)
                i += 2
            else:
                self.awaiting.append((name, cells[i]))
                i += 1
        return True

    def _is_label_cell(self, cell: Cell) -> bool:
        """A cell beside a label is its value unless it is itself a label ending in a colon."""
        return cell.text.rstrip().endswith(":") and self.maps.match_field(cell.text) is not None

    def continue_value(self, line: Line) -> bool:
        """A single cell under the last value, aligned with it: the value wrapped onto a second line."""
        if self.last_value is None or len(line.cells) != 1:
            return False
        name, cell, prev = self.last_value
        c = line.cells[0]
        if name not in ("name", "area", "party") or abs(c.x0 - cell.x0) > 2 or line.page != prev.page:
            return False
        if line.top - prev.bottom > 1.2 * (prev.bottom - prev.top):
            return False
        current = getattr(self.state.reporter, name) or ""
        setattr(self.state.reporter, name, f"{current} {c.text}".strip())
        self.last_value = (name, c, line)
        return True


# --- itemised tables -----------------------------------------------------------------------------

def _split_header(cell: Cell, maps: Maps) -> list[Cell]:
    """A header cell naming two columns printed close together ("Belopp Datum") split into both."""
    if maps.column(cell.text) or len(cell.words) < 2:
        return [cell]
    for k in range(1, len(cell.words)):
        left, right = cell.split(k)
        if maps.column(left.text):
            rest = _split_header(right, maps)
            if all(maps.column(c.text) for c in rest):
                return [left, *rest]
    return [cell]


def read_table_header(line: Line, maps: Maps, group: int, code: str | None) -> Table | None:
    """A header row of an itemised table: three or more cells naming known columns."""
    cells = [part for c in line.cells for part in _split_header(c, maps)]
    cols = [Column(maps.column(c.text), c.x0, c.x1, c.text) for c in cells]
    if sum(1 for c in cols if c.name) < 3:
        return None
    return Table(cols, group, code, line)


def continue_header(table: Table, line: Line, maps: Maps) -> bool:
    """Header cells wrapped onto a second line ("Typ av" / "bidrag"): every cell sits under a header cell."""
    if line.page != table.header_line.page or line_amount(line) is not None:
        return False
    height = max(c.bottom - c.top for c in table.header_line.cells)
    if line.top - table.header_line.bottom > 0.6 * height:
        return False
    matches = []
    for cell in line.cells:
        col = next((c for c in table.columns if abs(c.x0 - cell.x0) <= 2 or abs(c.x1 - cell.x1) <= 2), None)
        if col is None:
            return False
        matches.append((col, cell))
    for col, cell in matches:
        col.text = f"{col.text} {cell.text}"
        col.name = maps.column(col.text) or col.name
        col.x1 = max(col.x1, cell.x1)
    table.header_line = Line(line.page, table.header_line.top, line.bottom, table.header_line.cells)
    return True


def _split_run(cell: Cell, maps: Maps) -> list[Cell]:
    """Split a run of text that covers several columns into values: typed values peeled off its end."""
    if classify(cell.text, maps) or len(cell.words) < 2:
        return [cell]
    for k in range(1, len(cell.words)):
        left, right = cell.split(k)
        if classify(right.text, maps):
            return _split_run(left, maps) + [right]
    return [cell]


def _row_pieces(table: Table, line: Line, maps: Maps) -> list[tuple[str | None, Cell]]:
    """A table line's cells as (column, cell), cells spanning several columns split by value shape."""
    pieces: list[tuple[str | None, Cell]] = []
    names = {c.name for c in table.columns}
    for cell in line.cells:
        parts = _split_run(cell, maps) if table.spans_next_column(cell) else [cell]
        for part in parts:
            kind = classify(part.text, maps)
            col = table.column_at(part.x0).name
            if kind in names and (col not in TEXT_COLUMNS or kind in ("amount", "date", "donor_id")
                                  or len(parts) > 1):
                pieces.append((kind, part))
            else:
                pieces.append((col, part))
    return pieces


class TableReader:
    """Rows of itemised tables into contributions; wrapped cells joined to their row."""

    def __init__(self, state: ReportState, maps: Maps):
        self.state = state
        self.maps = maps
        self.table: Table | None = None
        self.pending: list[tuple[str, Cell, Line]] = []  # fragments before the first row on a page
        self.last_row: tuple[dict, Line] | None = None

    def open(self, table: Table) -> None:
        self.close()
        self.table = table

    def close(self) -> None:
        self._flush_pending()
        self.table = None
        self.last_row = None

    def _flush_pending(self) -> None:
        for _, cell, line in self.pending:
            self.state.warn(line.page, f"text {cell.text!r} in a table not placed")
        self.pending = []

    def read(self, line: Line) -> None:
        assert self.table is not None
        pieces = _row_pieces(self.table, line, self.maps)
        kinds = [k for k, _ in pieces]
        if "amount" not in kinds:
            self._fragment(line, pieces)
            return
        entry: dict = {"group": self.table.group, "code": self.table.code, "donor": None, "donor_id": None,
                       "address": None, "form": None, "date": None, "amount": None, "page": line.page}
        raw: dict[str, str] = {}
        for kind, cell in pieces:
            if kind is None:
                self.state.warn(line.page, f"text {cell.text!r} under an unknown column not placed")
            elif kind in raw and kind in TEXT_COLUMNS:
                raw[kind] = f"{raw[kind]} {cell.text}"
            elif kind in raw:
                self.state.warn(line.page, f"second {kind} {cell.text!r} in one row not placed")
            else:
                raw[kind] = cell.text
        for kind, cell, _ in self.pending:
            if kind in TEXT_COLUMNS:
                raw[kind] = f"{cell.text} {raw.get(kind, '')}".strip()
        self.pending = []
        self._fill(entry, raw, line.page)
        if entry["amount"] is None:
            return
        self.state.contributions.append(entry)
        self.last_row = (entry, line)

    def _fill(self, entry: dict, raw: dict[str, str], page: int) -> None:
        if "donor" in raw:
            entry["donor"] = " ".join(raw["donor"].split())
        if "address" in raw:
            entry["address"] = " ".join(raw["address"].split())
        if "donor_id" in raw:
            ident = identifiers.parse_identifier(raw["donor_id"])
            if ident is None:
                self.state.warn(page, f"identity number {raw['donor_id']!r} not understood")
                entry["donor_id"] = raw["donor_id"]
            else:
                entry["donor_id"] = ident.value  # validity is data (is_donor_id_valid), not a warning
        if "form" in raw:
            entry["form"] = self.maps.forms.get(norm(raw["form"]))
            if entry["form"] is None:
                self.state.warn(page, f"unknown form of contribution {raw['form']!r}")
        if "date" in raw:
            entry["date"] = values.parse_date(raw["date"])
            if entry["date"] is None:
                self.state.warn(page, f"date {raw['date']!r} not understood")
        amount = values.parse_amount(raw.get("amount"))
        if amount is None:
            self.state.warn(page, f"entry without a readable amount not placed: {' | '.join(raw.values())!r}")
        entry["amount"] = amount

    def _fragment(self, line: Line, pieces: list[tuple[str | None, Cell]]) -> None:
        """A line without an amount: a wrapped donor or address continuing the row above (same page)."""
        row = self.last_row
        close_above = (row is not None and row[1].page == line.page
                       and line.top - row[1].bottom <= 1.2 * (row[1].bottom - row[1].top))
        for kind, cell in pieces:
            if kind not in TEXT_COLUMNS:
                self.state.warn(line.page, f"text {cell.text!r} in a table not placed")
            elif close_above:
                entry = row[0]
                entry[kind] = f"{entry[kind] or ''} {cell.text}".strip()
            else:
                self.pending.append((kind, cell, line))
        if close_above:
            self.last_row = (row[0], line)  # a third line of the same cell is measured from this one


# --- reconciliation ------------------------------------------------------------------------------

def reconcile(state: ReportState, maps: Maps) -> None:
    """Warn (never adjust) when items do not add up to their line, or lines to the printed total.

    An itemised type (``maps/income_types.csv``) with an amount but no entries listed is a mismatch
    too: its entries sum to 0.
    """
    by_code: dict[tuple[int, str | None], list[dict]] = {}
    for c in state.contributions:
        by_code.setdefault((c["group"], c["code"]), []).append(c)
    line_keys = {(ln["group"], ln["code"]) for ln in state.lines}
    for ln in state.lines:
        items = by_code.get((ln["group"], ln["code"]))
        if ln["code"] is None:
            continue
        if items is None:
            t = maps.income_type(ln["code"])
            if t is None or not t.is_itemised or not ln["amount"]:
                continue
            items = []
        s = round(sum(c["amount"] for c in items), 2)
        if abs(s - ln["amount"]) > 0.005:
            state.warn(ln["page"], f"subtotal mismatch under {ln['code']}: the entries sum to {s:.2f}, "
                                   f"the line says {ln['amount']:.2f} (difference {ln['amount'] - s:.2f})")
    for (group, code), items in by_code.items():
        if code is not None and (group, code) not in line_keys:
            state.warn(items[0]["page"], f"{len(items)} entries under {code} but no income line {code}")
    if state.total is not None and state.lines:
        s = round(sum(ln["amount"] for ln in state.lines), 2)
        if abs(s - state.total) > 0.005:
            state.warn(state.total_page, f"total mismatch: the lines sum to {s:.2f}, the printed total is "
                                         f"{state.total:.2f} (difference {state.total - s:.2f})")


def to_report(state: ReportState, doc: Document, sha256: str, layout: str) -> dict:
    r = state.reporter
    return {
        "schema": "partifinans.report/1",
        "source": {"path": state.path, "sha256": sha256, "pages": doc.n_pages, "layout": layout},
        "kind": state.kind,
        "year": state.year,
        "period": state.period,
        "submitted": state.submitted,
        "reporter": {"name": r.name, "org_number": r.org_number, "party": r.party, "role": r.role,
                     "level": r.level, "area": r.area},
        "lines": state.lines,
        "contributions": state.contributions,
        "total": state.total,
        "warnings": state.warnings,
    }
