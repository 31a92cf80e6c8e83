"""Field blocks and sentences: the reporter's fields and the reporting year, each by its evidence.

A field is read by its label (``maps/reports.yaml: fields``), fuzzy in Swedish and English, with
its value beside it (same cell after a colon, the next cell) or below it; from a sentence in a
letter; the year from every source that states it (a label, a title, the period's end, a running
header), with a warning when they disagree (:func:`decide_year`). A field already read is never
overwritten: a second, different value is a warning.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from .. import identifiers, values
from .assembly import ReportState
from .labels import Maps, norm
from .pdftext import Cell, Line
from .shapes import ISO_DATE, classify, is_identity, line_amount, split_run

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
        if role is None and len(norm(value)) >= 4:  # a slip in a word ("Pani" for "Parti"): the closest, said
            hits = process.extract(norm(value), list(maps.roles), scorer=fuzz.ratio, limit=len(maps.roles))
            hit = hits[0] if hits and hits[0][1] >= 60 else None
            other = next((h[1] for h in hits if maps.roles[h[0]] != maps.roles[hits[0][0]]), 0)
            if hit is not None and hit[1] - other >= 15:  # clearly closest to one kind, not between two
                role = maps.roles[hit[0]]
                state.warn(page, f"kind of reporter {value!r} read as {hit[0]!r} (the closest known word)")
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
    isos = ISO_DATE.findall(text)
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
        self.awaiting: list[tuple[str | None, Cell]] = []  # labels whose value is on the next line
        self.last_value: tuple[str, Cell, Line] | None = None  # for a value wrapped over two lines
        self.line_values: list[tuple[str, Cell, Line]] = []  # every value read on the last field line

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
                    if name is None:  # an unknown label: its value's shape decides, or it is warned
                        if not place_by_label_or_shape(label_cell.text, cell.text, line.page, self.maps, self.state):
                            self.state.warn(line.page, f"unknown label {label_cell.text!r} with value {cell.text!r} not placed")
                        used = True
                        break
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
            if re.fullmatch(r"\([^()]*\)\s*:?", rest):
                rest = ""  # a qualifier of the label ("Organisationsnummer (10 siffror):"), not its value
            if rest:
                set_field(self.state, self.maps, name, rest, line.page)
                self.last_value = (name, cells[i], line)
                self.line_values.append(self.last_value)
                i += 1
            elif i + 1 < len(cells) and not self._is_label_cell(cells[i + 1]):
                set_field(self.state, self.maps, name, cells[i + 1].text, line.page)
                self.last_value = (name, cells[i + 1], line)
                self.line_values.append(self.last_value)
                i += 2
            else:
                self.awaiting.append((name, cells[i]))
                i += 1
        return True

    def await_unknown(self, line: Line) -> bool:
        """A lone label we have no words for, ending in a colon, before the income lines: its value is
        on the next line (labels above values) and is placed by :func:`place_by_label_or_shape`."""
        if self.state.lines or self.state.contributions or len(line.cells) != 1:
            return False
        text = line.cells[0].text
        if not text.rstrip().endswith(":") or not _is_label(text):
            return False
        self.awaiting.append((None, line.cells[0]))
        return True

    def _is_label_cell(self, cell: Cell) -> bool:
        """A cell beside a label is its value unless it is itself a label ending in a colon."""
        return cell.text.rstrip().endswith(":") and self.maps.match_field(cell.text) is not None

    def continue_value(self, line: Line) -> bool:
        """A single cell under a value of the last field line, aligned with it: the value wrapped onto a
        second line ("Fjällsippepartiet i Region" / "Jämtland" beside "Org.nr | 805282-9044")."""
        if self.last_value is None or len(line.cells) != 1:
            return False
        c = line.cells[0]
        name, cell, prev = next((v for v in self.line_values if v[2] is self.last_value[2]
                                 and abs(c.x0 - v[1].x0) <= 2), self.last_value)  # any value of that line
        if name not in ("name", "area", "party") or abs(c.x0 - cell.x0) > 2 or line.page != prev.page:
            return False
        if line.top - prev.bottom > 1.2 * (prev.bottom - prev.top):
            return False
        current = getattr(self.state.reporter, name) or ""
        setattr(self.state.reporter, name, f"{current} {c.text}".strip())
        self.last_value = (name, c, line)
        return True

def _label_value(line: Line, maps: Maps) -> tuple[str, str] | None:
    """``(label, value)`` of a line that is a short label and one value: two cells, or one run whose
    end is a date or an identity number ("Filed on 11 February 2023")."""
    cells = line.cells
    if len(cells) == 2:
        return cells[0].text, cells[1].text
    if len(cells) == 1 and len(cells[0].words) >= 2:
        pieces = split_run(cells[0], maps, strong_only=True)
        if len(pieces) == 2:
            return pieces[0].text, pieces[1].text
        words = cells[0].text.split()
        for k in range(1, min(4, len(words))):  # "Redovisande förening Havsörnepartiet": a name label's word
            if _names_a_name(" ".join(words[:k]), maps) and words[k][:1].isupper():
                return " ".join(words[:k]), " ".join(words[k:])
    return None


def _names_a_name(label: str, maps: Maps) -> bool:
    """A label whose last word is, or begins with, a one-word label of the reporter's name ("namn",
    "förening", "name": "Föreningens namn", "Redovisande förening"), and that is no column header."""
    words = norm(label).split()
    if not words or maps.column(label) is not None:
        return False
    name_words = [w for w, f in maps.field_labels.items() if f == "name" and " " not in w and len(w) >= 4]
    return any(words[-1].startswith(w) for w in name_words)


def _is_label(text: str) -> bool:
    t = text.strip().rstrip(":").strip()
    return bool(t) and t[0].isupper() and not any(ch.isdigit() for ch in t) and len(t.split()) <= 5


def read_unknown_label(line: Line, maps: Maps, state: ReportState) -> bool:
    """A reporter field under a label we have no words for, read before the income lines: by the
    closest known label (rapidfuzz ratio >= 85: "Datum för inlämnande"), else by the value's shape:
    one date is the date of submission, two dates the period, an organisation number the reporter's.
    A value placed by its shape alone is said in a warning (evidence, not a match). True when read."""
    if state.lines or state.contributions:
        return False
    got = _label_value(line, maps)
    if got is None or not _is_label(got[0]):
        return False
    return place_by_label_or_shape(got[0], got[1], line.page, maps, state)


def place_by_label_or_shape(label: str, value: str, page: int, maps: Maps, state: ReportState) -> bool:
    """The field an unknown label's value belongs to (see :func:`read_unknown_label`). True when placed."""
    label, value = label.strip().rstrip(":").strip(), value.strip()
    hit = process.extractOne(norm(label), list(maps.field_labels), scorer=fuzz.ratio, score_cutoff=85) \
        if len(label) >= 6 else None
    if hit is not None:
        set_field(state, maps, maps.field_labels[hit[0]], value, page)
        return True
    kind = classify(value, maps)
    if kind == "date" and state.submitted is None:
        set_field(state, maps, "submitted", value, page)
        state.warn(page, f"{value!r} beside the unknown label {label!r} read as the date of submission "
                              f"(the only single date a report's header holds)")
        return True
    if kind == "donor_id" and state.reporter.org_number is None:
        ident = identifiers.parse_identifier(value)
        if ident is not None and ident.kind == "orgnr":
            set_field(state, maps, "org_number", value, page)
            state.warn(page, f"{value!r} beside the unknown label {label!r} read as the reporter's "
                                  f"organisationsnummer (its shape)")
            return True
    if kind is None and state.reporter.name is None and _names_a_name(label, maps) and value[:1].isupper() \
            and not any(ch.isdigit() for ch in value) and maps.column(value) is None:
        set_field(state, maps, "name", value, page)
        state.warn(page, f"{value!r} beside the unknown label {label!r} read as the reporter's name "
                              f"(the label names a name)")
        return True
    if kind is None and state.period is None and parse_period(value) is not None:
        set_field(state, maps, "period", value, page)
        state.warn(page, f"{value!r} beside the unknown label {label!r} read as the period (its shape)")
        return True
    return False


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

def year_from_heading(lines: list[Line], state: ReportState) -> None:
    """Last resort when nothing else states the year: a heading among the first lines of the first page
    (one cell, a few words, no other number) that ends in a year ("Intäkter och bidrag 2023"). A title
    we have no words for still dates the report; the evidence says so."""
    if state.year_sources:
        return
    for line in lines[:4]:
        if line.page != 1 or len(line.cells) != 1 or len(line.text.split()) > 8:
            continue
        m = re.fullmatch(r"([^\d]+?)\s+" + _YEAR + r"\.?", line.text.strip())
        if m and m.group(1)[:1].isupper():
            state.add_year(int(m.group(2)), "a heading on page 1", line.page)
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
