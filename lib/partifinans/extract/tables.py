"""Itemised tables: found by their rows, their columns' roles from what the cells hold.

A row is an amount beside a name, an identity number or a date, wherever it stands (before or
after the income lines or the total, with or without a header, two or more columns, with a code
column or not). A header, when there is one, is evidence for the text columns (donor, address),
matched fuzzily (``maps/reports.yaml: columns``); values are typed by their shape (``shapes.py``).
Wrapped cells join the row they belong to; a table that no heading placed goes under the
itemised line its rows add up to (:func:`place_by_sums`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from .. import identifiers, values
from .assembly import ReportState
from .labels import CODE, Maps, norm
from .pdftext import Cell, Line
from .shapes import TEXT_COLUMNS, amount_for_lookalike, classify, line_amount, split_run


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

def _row_pieces(table: Table, line: Line, maps: Maps) -> list[tuple[str | None, Cell]]:
    """A table line's cells as (column, cell). A value's column comes from its shape (an identity
    number is the identity whatever the header above it says); text takes its header's column, and
    text under no text column is the donor, then the address."""
    pieces: list[tuple[str | None, Cell]] = []
    for i, cell in enumerate(line.cells):
        # without a header, or for a cell running into the next column, values are split by their shapes
        parts = split_run(cell, maps, strong_only=bool(table.columns) and not table.spans_next_column(cell))
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

TOTAL_WORD = re.compile(r"^(?:summa|totalt?|sum|delsumma|subtotal)\b", re.IGNORECASE)

# A lone mark at either end of a name or address, set off by a space: a rule or a speck an OCR layer
# read as "—" or ":" ("— Testallén 16", "567 89 Fiktiva :"), never part of the text.
_STRAY = re.compile(r"^[\-\u2013\u2014:;|]+\s+|\s+[\-\u2013\u2014:;|]+$")

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
        pieces = [self._repaired_amount(k, c, line.page) for k, c in _row_pieces(self.table, line, self.maps)]
        kinds = [k for k, _ in pieces]
        if "amount" not in kinds:
            self.fragments.append((line, pieces))
            return
        if (not {"donor_id", "date"} & set(kinds)) and any(
                k == "donor" and TOTAL_WORD.match(c.text) for k, c in pieces):
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

    def _repaired_amount(self, kind: str | None, cell: Cell, page: int) -> tuple[str | None, Cell]:
        """A cell under the amount header that is an amount but for one letter read for a digit
        ("I 220kr"): read as that amount, with a warning."""
        if kind not in (None, *TEXT_COLUMNS) or not self.table.columns \
                or self.table.column_at(cell.x0).name != "amount":
            return kind, cell  # a typed value, or text that stands under another header
        fixed = amount_for_lookalike(cell.text)
        if fixed is None:
            return kind, cell
        self.state.warn(page, f"amount {cell.text!r} read as {fixed!r} (a letter read for a digit; the sums check it)")
        return "amount", Cell(cell.x0, cell.x1, cell.top, cell.bottom, fixed, [(cell.x0, cell.x1, fixed)])

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
            # only lines as close as a wrapped line belong to the last row; a heading or a letter's
            # closing below the table is not part of it
            height = above[1].bottom - above[1].top
            prev, keep = above[1], 0
            for line, _ in frags:
                if line.top - prev.bottom > 0.8 * height:
                    break
                prev, keep = line, keep + 1
            for line, pieces in frags[keep:]:
                for _, cell in pieces:
                    self.state.warn(line.page, f"text {cell.text!r} below a table not placed")
            frags = frags[:keep]
            if not frags:
                return
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
            entry["donor"] = _STRAY.sub("", " ".join(raw["donor"].split())) or None
        if "address" in raw:
            entry["address"] = _STRAY.sub("", " ".join(raw["address"].split())) or None
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
