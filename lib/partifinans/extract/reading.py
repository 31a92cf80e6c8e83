"""What every report family shares: reporter fields, itemised tables, warnings, reconciliation.

A family parser (``eservice.py``, ``form2014.py``) walks the document's lines and hands each line to
the readers here in turn. Everything is found by its label or its code (``maps/``), never by a
fixed position; positions are only used relative to a label or a table header printed on the same
page (a value beside or below its label, a cell under its column header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from .. import identifiers, values
from .labels import CODE, Maps, norm
from .pdftext import Cell, Document, Line

_ID = re.compile(r"^(?:\d{2})?\d{6}[-+]?\d{4}$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GROUPED_AMOUNT = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f\u2009.]\d{3})+(?:,\d{1,2})?(?:\s*(?:kr|:-|,-))?$")
TEXT_COLUMNS = ("donor", "address")


def is_identity(text: str) -> bool:
    """Shaped like an organisationsnummer or personnummer (``556677-8899``, ``18950318-4716``,
    ``950318+4716``, ``SE556677889901``, ``16556677-8899``); an amount grouped in thousands is not one."""
    t = text.strip()
    if _GROUPED_AMOUNT.match(t):
        return False
    compact = t.replace(" ", "")
    return bool(_ID.match(compact)) or identifiers.parse_identifier(compact) is not None


def classify(text: str, maps: Maps) -> str | None:
    """The typed column a value belongs to by its shape (identity number, form, date, amount), or None."""
    t = text.strip()
    if not t:
        return None
    if is_identity(t):
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
    if _ISO_DATE.search(t) or is_identity(t):
        return None
    return values.parse_amount(t)


def has_item_shapes(line: Line, maps: Maps) -> bool:
    """True when a line holds an amount and, beside it, an identity number or a date: a row of an
    itemised table (wherever the amount stands: "920403+1059 | Pengar | 383 951,- 2020-06-01 | Namn")."""
    pieces = [p for c in line.cells for p in _split_run(c, maps)]
    kinds = [classify(p.text, maps) for p in pieces]
    amounts = [p for p, k in zip(pieces, kinds, strict=True)
               if k == "amount" and (p.text.strip() not in ("-", "\u2013") or p is pieces[-1])]
    return bool(amounts) and any(k in ("donor_id", "date") for k in kinds)


@dataclass
class Column:
    name: str | None  # None: a header we could not map
    x0: float
    x1: float
    text: str


@dataclass
class Table:
    """An itemised table: its columns (from the printed header) and where it belongs."""

    columns: list[Column]  # empty for a table printed without a header
    group: int | None  # None: no heading placed it (the sums place it, see ``place_by_sums``)
    code: str | None
    header_line: Line  # the header, or the first row of a table without one
    number: int = 0  # order of the table in the document

    def column_at(self, x0: float) -> Column:
        """The column a left edge falls in: the last header starting at or before it (2 pt slack)."""
        if not self.columns:
            return Column(None, x0, x0, "")
        best = self.columns[0]
        for col in self.columns:
            if col.x0 <= x0 + 2:
                best = col
        return best

    def spans_next_column(self, cell: Cell) -> bool:
        """True when a cell runs into the next column's header (two values printed as one run)."""
        if not self.columns:
            return False
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
    year_sources: list[tuple[int, str, int | None]] = field(default_factory=list)  # (year, evidence, page)
    checks: list[str] = field(default_factory=list)
    confidence: str | None = None

    def warn(self, page: int | None, message: str) -> None:
        where = f"page {page}: " if page else ""
        self.warnings.append(f"{where}{message}")

    def add_year(self, year: int, evidence: str, page: int | None) -> None:
        """One source stating the reporting year; :func:`decide_year` weighs them all."""
        self.year_sources.append((year, evidence, page))


_LABEL_COLON = re.compile(r"^([^:\d][^:]{0,59}):(?:\s|$)")


def warn_unplaced(state: ReportState, line: Line) -> None:
    """A line no reader could place: an unknown label when it starts like one ("Hemsida: ..."), else the line."""
    m = _LABEL_COLON.match(line.cells[0].text)
    if m:
        state.warn(line.page, f"unknown label {m.group(1) + ':'!r} (line {line.text!r})")
    else:
        state.warn(line.page, f"line {line.text!r} not recognised")


# --- reporter fields -----------------------------------------------------------------------------

_NO_VALUE = {"-", "\u2013", "\u2014", "--", "saknas", "ej tillämpligt", "n/a"}
_IN_PARENS = re.compile(r"^(.*?)\s*\(([^()]+)\)$")


def _keep_first(state: ReportState, page: int, name: str, old, new) -> bool:
    """True (and a warning) when a field already read would change: the first reading is kept."""
    if old is None or new is None or old == new:
        return False
    state.warn(page, f"{name} printed twice with different values: kept {old!r}, not {new!r}")
    return True


def set_field(state: ReportState, maps: Maps, name: str, value: str, page: int) -> None:
    """Store one reporter/document field from its printed value (normalising what has a normal form).

    A field already read is never overwritten: a second, different value is a warning.
    """
    value = " ".join(value.split())
    r = state.reporter
    if name == "ignored":  # an address or contact person: printed, not kept
        return
    if name == "year":
        if re.fullmatch(_YEAR, value):
            state.add_year(int(value), "the year label", page)
        else:
            state.warn(page, f"reporting year {value!r} not understood")
        return
    if not value:
        state.warn(page, f"label for {name} has no value")
        return
    if name == "name":
        if not _keep_first(state, page, "reporter name", r.name, value):
            r.name = value
    elif name == "org_number":
        if norm(value) in _NO_VALUE:  # printed as not applicable (a ledamot has none)
            return
        ident = identifiers.parse_identifier(value)
        if ident is None:
            state.warn(page, f"organisationsnummer {value!r} is not shaped like one")
            new = value
        else:
            new = ident.value  # a failed check digit is data (is_org_number_valid), not a warning
        if not _keep_first(state, page, "organisationsnummer", r.org_number, new):
            r.org_number = new
    elif name == "party":
        if not _keep_first(state, page, "party", r.party, value):
            r.party = value
    elif name == "role":
        role = maps.roles.get(norm(value))
        if role is None:
            state.warn(page, f"unknown kind of reporter {value!r}")
        if not _keep_first(state, page, "kind of reporter", r.role, role):
            r.role = role
    elif name == "level":
        level = maps.levels.get(norm(value))
        m = _IN_PARENS.match(value)
        if level is None and m and maps.levels.get(norm(m.group(1))):  # "Kommunal nivå (Umeå)": level and area
            level = maps.levels[norm(m.group(1))]
            if r.area is None:
                r.area = m.group(2).strip()
        if level is None:
            state.warn(page, f"unknown level {value!r}")
        if not _keep_first(state, page, "level", r.level, level):
            r.level = level
    elif name == "area":
        if not _keep_first(state, page, "area", r.area, value):
            r.area = value
    elif name == "period":
        period = parse_period(value)
        if period is None:
            state.warn(page, f"period {value!r} not understood")
        elif not _keep_first(state, page, "period", state.period, period):
            state.period = period
            state.add_year(int(period["end"][:4]), "the period's end", page)
    elif name == "submitted":
        submitted = values.parse_date(value)
        if submitted is None:
            state.warn(page, f"date of submission {value!r} not understood")
        elif not _keep_first(state, page, "date of submission", state.submitted, submitted):
            state.submitted = submitted


def parse_period(text: str) -> dict | None:
    """``{"start", "end"}`` from ``2022-01-01 - 2022-12-31`` (or words dates either side of a dash / 'till')."""
    isos = _ISO_DATE.findall(text)
    parts: list[str] = []
    if len(isos) == 2:
        parts = isos
    else:
        m = re.split(r"\s*(?:--|[\u2013\u2014])\s*|\s+-\s+|\s+(?:till|to|until)\s+|\s+t\.o\.m\.?\s+",
                     text.strip())
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
        if line_amount(line) is not None and len(line.cells) > 1:
            # a table row is never the value of a label above it (a header cell "organisationsnummer"
            # wrapped onto its own line is not the reporter's field)
            for _, label_cell in self.awaiting:
                self.state.warn(line.page, f"no value below label {label_cell.text!r}")
            self.awaiting = []
            return False
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
        if cells[0].text[:1].islower() and ":" not in cells[0].text:
            return False  # a label starts with a capital; "organisationsnummer" alone is a wrapped header cell
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

_HEADER_SEPARATOR = re.compile(r"\s+[/|]\s+")


def _split_header(cell: Cell, maps: Maps) -> list[Cell]:
    """A header cell naming several columns printed as one run ("Belopp Datum", "Givare / Datum") split."""
    if maps.column(cell.text) or len(cell.words) < 2:
        return [cell]
    seps = [k for k, w in enumerate(cell.words) if w[2] in ("/", "|")]
    if seps:  # "Bidragsgivare / Org.nr eller personnr / Typ / Datum"
        parts, start = [], 0
        for k in [*seps, len(cell.words)]:
            if k > start:
                words = cell.words[start:k]
                parts.append(Cell(words[0][0], words[-1][1], cell.top, cell.bottom,
                                  " ".join(w[2] for w in words), words))
            start = k + 1
        return parts
    for k in range(1, len(cell.words)):
        left, right = cell.split(k)
        if maps.column(left.text):
            rest = _split_header(right, maps)
            if all(maps.column(c.text) for c in rest):
                return [left, *rest]
    return [cell]


def read_table_header(line: Line, maps: Maps, group: int | None, code: str | None) -> Table | None:
    """A header row of an itemised table: no values of its own, and two or more cells naming known
    columns (one of them the amount, the donor or the identity number)."""
    if any(classify(c.text, maps) for c in line.cells):
        return None
    cells = [part for c in line.cells for part in _split_header(c, maps)]
    cols = [Column(maps.column(c.text), c.x0, c.x1, c.text) for c in cells]
    known = {c.name for c in cols if c.name}
    if len([c for c in cols if c.name]) < 2 or not known & {"amount", "donor", "donor_id"}:
        return None
    if len(known) < 3 and "amount" in known and not known & {"donor", "donor_id", "date"}:
        return None  # "Intäkter | Belopp": the income table's own header
    return Table(cols, group, code, line)


def continue_header(table: Table, line: Line, maps: Maps) -> bool:
    """Header cells wrapped onto a second line ("Typ av" / "bidrag"): every cell sits under a header cell."""
    if line.page != table.header_line.page or line_amount(line) is not None:
        return False
    height = max(c.bottom - c.top for c in table.header_line.cells)
    if line.top - table.header_line.bottom > 0.6 * height:
        return False
    if any(classify(c.text, maps) for c in line.cells):
        return False
    matches = []
    for cell in line.cells:
        col = next((c for c in table.columns if abs(c.x0 - cell.x0) <= 2 or abs(c.x1 - cell.x1) <= 2), None)
        if col is None:  # a header run over several columns: the wrapped words start inside its extent
            col = next((c for c in table.columns if c.x0 - 2 <= cell.x0 <= c.x1 + 2), None)
        if col is None:
            return False
        matches.append((col, cell))
    for col, cell in matches:
        col.text = f"{col.text} {cell.text}"
        col.name = maps.column(col.text) or col.name
        col.x1 = max(col.x1, cell.x1)
    table.header_line = Line(line.page, table.header_line.top, line.bottom, table.header_line.cells)
    return True


_BARE_SMALL = re.compile(r"^\d{1,3}$")


def _split_run(cell: Cell, maps: Maps, strong_only: bool = False) -> list[Cell]:
    """Split a run of text that covers several columns into values: typed values peeled off its end.

    With ``strong_only`` only identity numbers and dates are peeled off (a name such as "Brf Eken 4"
    keeps its number; "AB 523124-7676" is a name's tail and an identity number).
    """
    if classify(cell.text, maps) or len(cell.words) < 2:
        return [cell]
    for k in range(1, len(cell.words)):
        left, right = cell.split(k)
        kind = classify(right.text, maps)
        if kind == "amount" and _BARE_SMALL.match(right.text) and not classify(left.text, maps):
            continue  # "Brf Granen 2": a number that ends a name
        if kind and (not strong_only or kind in ("donor_id", "date")):
            return _split_run(left, maps, strong_only) + [right]
    for k in range(len(cell.words) - 1, 0, -1):  # a value printed before text: "508 999,82 Stiftelsen X"
        left, right = cell.split(k)
        kind = classify(left.text, maps)
        if kind and (not strong_only or kind in ("donor_id", "date")):
            return [left] + _split_run(right, maps, strong_only)
    if strong_only:  # a run made only of values ("188227 Other", "35 591 930318+5541") is split whatever
        parts = _split_run(cell, maps, strong_only=False)
        kinds = [classify(p.text, maps) for p in parts]
        if len(parts) > 1 and all(kinds) and len(set(kinds)) == len(kinds):  # "123 45" is no two amounts
            return parts
    return [cell]


def is_income_header(line: Line, maps: Maps) -> bool:
    """The income table's own header ("Kod | Intäktstyp | Belopp (kr)", "Intäkt | Belopp, kronor"): no
    values, ends with the amount column, names no donor, identity or date column."""
    if len(line.cells) < 2 or any(classify(c.text, maps) for c in line.cells):
        return False
    names = [maps.column(c.text) for c in line.cells]
    return names[-1] == "amount" and not {"donor", "donor_id", "date", "address"} & set(names)


def _row_pieces(table: Table, line: Line, maps: Maps) -> list[tuple[str | None, Cell]]:
    """A table line's cells as (column, cell). A value's column comes from its shape (an identity
    number is the identity whatever the header above it says); text takes its header's column, and
    text under no text column is the donor, then the address."""
    pieces: list[tuple[str | None, Cell]] = []
    for i, cell in enumerate(line.cells):
        # without a header, or for a cell running into the next column, values are split by their shapes
        parts = _split_run(cell, maps, strong_only=bool(table.columns) and not table.spans_next_column(cell))
        for j, part in enumerate(parts):
            kind = classify(part.text, maps)
            col = table.column_at(part.x0).name if table.columns else None
            if i == 0 and j == 0 and CODE.match(part.text.strip()) and maps.income_type(part.text.strip()):
                kind = "code"  # a donor row that starts with its income code
            elif kind == "form" and col in TEXT_COLUMNS and len(parts) == 1:
                kind = None  # a name that is a form word, in the name column
            elif kind == "amount" and part.text.strip() in ("-", "\u2013") and i < len(line.cells) - 1:
                continue  # an empty cell marked with a dash
            if kind is not None:
                pieces.append((kind, part))
            elif col in TEXT_COLUMNS:
                pieces.append((col, part))
            else:
                pieces.append((None, part))
    loose = [part for kind, part in pieces if kind is None]
    if len(loose) >= 2 and not any(k == "donor" for k, _ in pieces):
        # no header says which text is which: an address looks like one (street word, number and comma)
        named = [p for p in loose if not maps.address_words.search(p.text)]
        if len(named) == 1:
            pieces = [(("donor" if p is named[0] else "address") if k is None else k, p) for k, p in pieces]
    has_donor = any(k == "donor" for k, _ in pieces)
    out = []
    for kind, part in pieces:
        if kind is None:
            kind = "address" if has_donor else "donor"
            has_donor = True
        out.append((kind, part))
    return out


# A name's first part ends with a word that needs more; a name's tail is a legal form or starts lower case.
_CONNECTOR = re.compile(r"(?:\s(?:i|och|för|av|på|de|of|and|the)|[&,\-])$", re.IGNORECASE)
_TAIL = re.compile(r"^(?:[a-zåäö]|(?:AB|HB|KB|ek\.?\s?för\.?|ideell förening|ekonomisk förening)(?:\s|$))")
_TOTAL_WORD = re.compile(r"^(?:summa|totalt?|sum|delsumma|subtotal)\b", re.IGNORECASE)


def _aligned_kind(entry: dict, cell: Cell) -> str | None:
    """The text column of a row whose cell starts where ``cell`` starts (a wrapped line of a table
    printed without a header), or None."""
    near = [(abs(x - cell.x0), kind) for x, kind in entry.get("_x", ())]
    near = [n for n in near if n[0] <= 4]
    return min(near)[1] if near else None


class TableReader:
    """Rows of itemised tables into contributions; wrapped cells joined to their row.

    A table need not have a header: a row is an amount with a name, identity number or date. A text
    line without an amount is part of a wrapped cell; it joins the row above or below it, whichever it
    sits closer to (the widest gap separates rows); on a tie, the words decide (a name ending in
    "i"/"och" goes on below, a tail such as "AB" or a lower-case word continues the one above), and
    else the row below (cells aligned at the bottom of a wrapped row, the usual table default).
    """

    def __init__(self, state: ReportState, maps: Maps):
        self.state = state
        self.maps = maps
        self.table: Table | None = None
        self.fragments: list[tuple[Line, list[tuple[str | None, Cell]]]] = []
        self.last_row: tuple[dict, Line] | None = None
        self.count = 0

    def open(self, table: Table) -> None:
        self.close()
        self.count += 1
        table.number = self.count
        self.table = table

    def open_headerless(self, group: int | None, code: str | None, line: Line) -> None:
        self.open(Table([], group, code, line))

    def close(self) -> None:
        self._place_fragments(None)
        self.table = None
        self.last_row = None

    def read(self, line: Line) -> None:
        assert self.table is not None
        pieces = _row_pieces(self.table, line, self.maps)
        kinds = [k for k, _ in pieces]
        if "amount" not in kinds:
            self.fragments.append((line, pieces))
            return
        if (not {"donor_id", "date"} & set(kinds)) and any(
                k == "donor" and _TOTAL_WORD.match(c.text) for k, c in pieces):
            self._place_fragments(None)
            self.last_row = None
            return  # a subtotal line under the table, not a contribution
        code = next((c.text.strip() for k, c in pieces if k == "code"), None)
        group = self.table.group
        if code is not None:
            group = self.maps.income_type(code).group
        else:
            code = self.table.code
        entry: dict = {"group": group, "code": code, "donor": None, "donor_id": None,
                       "address": None, "form": None, "date": None, "amount": None, "page": line.page,
                       "_table": self.table.number}
        raw: dict[str, str] = {}
        for kind, cell in pieces:
            if kind == "code":
                continue
            if kind in raw and kind in TEXT_COLUMNS:
                raw[kind] = f"{raw[kind]} {cell.text}"
            elif kind in raw:
                self.state.warn(line.page, f"second {kind} {cell.text!r} in one row not placed")
            else:
                raw[kind] = cell.text
        self._fill(entry, raw, line.page)
        entry["_x"] = [(cell.x0, kind) for kind, cell in pieces if kind in TEXT_COLUMNS]
        if entry["amount"] is None:
            return
        self.state.contributions.append(entry)
        self._place_fragments((entry, line))
        self.last_row = (entry, line)

    def _place_fragments(self, row_below: tuple[dict, Line] | None) -> None:
        """Join the text lines waiting since the last row to the row above or ``row_below``."""
        frags, self.fragments = self.fragments, []
        if not frags:
            return
        above = self.last_row
        if above is not None and above[1].page != frags[0][0].page:
            above = None
        if row_below is not None and row_below[1].page != frags[-1][0].page:
            row_below = None
        if above is not None and row_below is None:
            height = above[1].bottom - above[1].top
            if frags[0][0].top - above[1].bottom > 0.8 * height:
                above = None  # farther below the last row than a wrapped line: a heading, not part of it
        if above is None and row_below is None:
            for line, pieces in frags:
                for _, cell in pieces:
                    self.state.warn(line.page, f"text {cell.text!r} in a table not placed")
            return
        if above is None:
            split = 0
        elif row_below is None:
            split = len(frags)
        else:
            tops = [above[1].top] + [f[0].top for f in frags] + [row_below[1].top]
            gaps = [b - a for a, b in pairwise(tops)]
            widest = max(gaps)
            clear = [i for i, g in enumerate(gaps) if g > widest - 1.0]
            if len(clear) == 1:
                split = clear[0]
            else:
                split = self._split_by_words(above[0], frags, row_below[0])
        for i, (line, pieces) in enumerate(frags):
            below = i >= split
            entry = row_below[0] if below else above[0]
            if not (self.table and self.table.columns):  # no header: the column the row's text stands in
                pieces = [(_aligned_kind(entry, cell) or kind, cell) for kind, cell in pieces]
            for kind, cell in pieces:
                if kind not in TEXT_COLUMNS:
                    self.state.warn(line.page, f"text {cell.text!r} in a table not placed")
                    continue
                if below:  # the lines above a row come before its own text, in order
                    entry.setdefault("_above", {}).setdefault(kind, []).append(cell.text)
                else:
                    entry[kind] = f"{entry[kind] or ''} {cell.text}".strip()
        if row_below is not None and "_above" in row_below[0]:
            entry = row_below[0]
            for kind, texts in entry.pop("_above").items():
                entry[kind] = " ".join([*texts, entry[kind] or ""]).strip()

    @staticmethod
    def _split_by_words(above: dict, frags, below: dict) -> int:
        """Where wrapped lines split between two rows when the spacing does not tell (see the class)."""
        first = " ".join(c.text for k, c in frags[0][1] if k == "donor")
        last = " ".join(c.text for k, c in frags[-1][1] if k == "donor")
        if above.get("donor") and _CONNECTOR.search(above["donor"]):
            return len(frags)
        if first and _TAIL.match(first):
            return len(frags)
        if last and _CONNECTOR.search(last):
            return 0
        if below.get("donor") and _TAIL.match(below["donor"]):
            return 0
        return 0

    def _fill(self, entry: dict, raw: dict[str, str], page: int) -> None:
        if "donor" in raw:
            entry["donor"] = " ".join(raw["donor"].split())
        if "address" in raw:
            entry["address"] = " ".join(raw["address"].split())
        if "donor_id" in raw:
            ident = identifiers.parse_identifier(raw["donor_id"].replace(" ", ""))
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


# --- the reporting year --------------------------------------------------------------------------

_YEAR = r"((?:19|20)\d{2})(?![\d\-./])"


def read_year(line: Line, maps: Maps, state: ReportState) -> bool:
    """Record the year a line states: "Räkenskapsår 2022", "Räkenskapsår | 2022", a title sentence
    "Intäktsredovisning för räkenskapsår 2022", "... - räkenskapsår 2020", a running header
    "Partiet i X - Intäktsredovisning 2023". True when the line is read whole (title, heading, header)."""
    cells = line.cells
    n = norm(line.text)
    if len(cells) == 2 and norm(cells[0].text) in maps.year_labels and re.fullmatch(_YEAR, cells[1].text.strip()):
        state.add_year(int(cells[1].text.strip()), f"the label {cells[0].text.strip()!r}", line.page)
        return True
    for label in maps.year_labels:
        m = re.search(r"(?<!\w)" + re.escape(label) + r"(?:et|en)?\s*:?\s*" + _YEAR, n)
        if m:
            state.add_year(int(m.group(1)), f"the label {label!r}", line.page)
            return line_amount(line) is None or len(cells) == 1
    for title in maps.year_titles:
        m = re.search(r"(?<!\w)" + re.escape(title) + r"(?:\s+(?:för|avseende|for|om))?(?:\s+(?:år|året|kalenderåret|year))?"
                      r"\s*:?\s*" + _YEAR, n)
        if m:
            state.add_year(int(m.group(1)), "the title", line.page)
            return True
    return False


_TOKEN_END = ",.;:)("


def read_prose(text: str, page: int, maps: Maps, state: ReportState) -> bool:
    """Fields stated in a sentence (a letter): "Partiet X, organisationsnummer 802180-9994, lämnar härmed
    sin intäktsredovisning för räkenskapsåret 2018". An organisation-number label followed by an
    identity number gives the number, and the words before it the reporter's name; a year label
    followed by a year, the year. True when the sentence stated something."""
    low = text.lower()
    found = False
    for label, name in maps.field_labels.items():
        if name != "org_number":
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(label) + r"\s*:?\s*(\S+)", low):
            token = text[m.start(1):m.end(1)].strip(_TOKEN_END)
            if not is_identity(token):
                continue
            found = True
            if state.reporter.org_number is None:
                set_field(state, maps, "org_number", token, page)
            before = text[:m.start()].rstrip(" ,(").strip()
            if state.reporter.name is None and before and before[0].isupper() and len(before.split()) <= 8:
                state.reporter.name = before
    for label in maps.year_labels:
        m = re.search(r"(?<!\w)" + re.escape(label) + r"(?:et|en)?\s*:?\s*" + _YEAR, low)
        if m:
            state.add_year(int(m.group(1)), f"the label {label!r}", page)
            found = True
            break
    return found


def name_from_letter(state: ReportState, letterhead: list[str], sentences: list[str]) -> None:
    """A letter names its sender at the top and begins its sentence with the same name: that is the
    reporter ("Manfred Isgren" / "Manfred Isgren lämnar härmed sin intäktsredovisning ...")."""
    if state.reporter.name is not None:
        return
    for name in letterhead:
        if any(s.startswith(name) and s[len(name):len(name) + 1] in (" ", ",") for s in sentences):
            state.reporter.name = name
            return


def decide_year(state: ReportState) -> None:
    """The reporting year from every source that states it; a warning when they disagree.

    A printed year (label, title) comes before the period's end; among printed years the first read wins.
    """
    sources = state.year_sources
    if not sources:
        return
    stated = [s for s in sources if s[1] != "the period's end"] or sources
    year = stated[0][0]
    state.year = year
    others = sorted({(y, ev) for y, ev, _ in sources if y != year})
    if others:
        said = "; ".join(f"{ev} says {y}" for y, ev in others)
        state.warn(stated[0][2], f"reporting year {year} ({stated[0][1]}) disagrees with other sources: {said}")


def place_by_sums(state: ReportState, maps: Maps) -> None:
    """Place the rows of a table that no heading placed under the itemised line they add up to.

    Each itemised type's items must add up to its line (lag 2018:90 7 § lists the contributions
    behind each amount), so a table without a heading belongs to the itemised line with no items of
    its own whose amount its rows sum to. When no line or several fit, its rows are not kept: a warning.
    """
    orphans: dict[int, list[dict]] = {}
    for c in state.contributions:
        if c["group"] is None:
            orphans.setdefault(c["_table"], []).append(c)
    if not orphans:
        return
    for rows in orphans.values():
        total = round(sum(c["amount"] for c in rows), 2)
        listed = {(c["group"], c["code"]) for c in state.contributions if c["group"] is not None}
        fits = [ln for ln in state.lines
                if ln["code"] and (t := maps.income_type(ln["code"])) is not None and t.is_itemised
                and (ln["group"], ln["code"]) not in listed and abs(ln["amount"] - total) < 0.5]
        if len(fits) == 1:
            for c in rows:
                c["group"], c["code"] = fits[0]["group"], fits[0]["code"]
            state.checks.append(f"a table without a heading ({len(rows)} entries, {total:.2f}) placed under "
                                f"{fits[0]['code']} by its sum")
            continue
        why = "several lines" if fits else "no itemised line"
        state.warn(rows[0]["page"], f"{len(rows)} entries in a table without a heading (sum {total:.2f}) not "
                                    f"placed: {why} add up to them")
        drop = {id(c) for c in rows}
        state.contributions = [c for c in state.contributions if id(c) not in drop]


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
        "contributions": [{k: v for k, v in c.items() if not k.startswith("_")} for c in state.contributions],
        "total": state.total,
        "warnings": state.warnings,
        "confidence": state.confidence,
        "checks": state.checks,
    }
