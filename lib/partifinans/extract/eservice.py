"""E-service reports (lag 2018:90, reporting years 2018 onward) and the below-threshold anmälan.

The document is read line by line: page furniture is skipped (``maps/reports.yaml: noise``), the
year and reporter fields are read by their labels, each income type by its code (``5.7``) with
its label and amount, and each itemised table (4.1, 5.2, 5.4, 5.7, 8.x) by its header row.
Anything left over becomes a warning with its page.

Arrangements recognised (``source.layout``): ``eservice_table`` (labels beside values),
``eservice_stacked`` (labels above values), ``eservice_landscape`` (landscape pages), ``anmalan``.
"""

from __future__ import annotations

import re

from .. import values
from .assembly import ReportState, warn_unplaced
from .checks import label_and_amount
from .fields import FieldReader, name_from_letter, read_prose, read_unknown_label, read_year
from .labels import CODE, Maps, norm
from .pdftext import Cell, Document, Line
from .shapes import (
    CODE_LOOKALIKES,
    classify,
    damaged_amount,
    has_item_shapes,
    is_income_header,
    line_amount,
    split_run,
)
from .tables import TOTAL_WORD, TableReader, continue_header, place_by_sums, read_table_header

_CODE_LABEL = re.compile(r"^(\d{1,2}\.\d{1,2})\s+(.+)$")


def _income_line(line: Line, maps: Maps, warn=None) -> tuple[str, str, float | None, float] | None:
    """``(code, label, amount, label_x0)`` for a line starting with an income-type code."""
    cells = line.cells
    first = cells[0].text.strip()
    if CODE.match(first):
        code = first
        label_cells = cells[1:]
    else:
        m = _CODE_LABEL.match(first)
        if not m:
            return _code_after_label(line, maps)
        code = m.group(1)
        label_cells = [cells[0]] + cells[1:]
    amount = line_amount(line) if len(cells) > 1 else None
    damaged = None
    if amount is None and warn is not None and len(label_cells) >= 2 and label_cells[-1] is cells[-1]:
        damaged = damaged_amount(cells[-1].text)  # "7947 000,00": kept only if the label is the code's type's
    if amount is not None or damaged is not None:
        label_cells = label_cells[:-1] if label_cells and label_cells[-1] is cells[-1] else label_cells
    texts = [c.text for c in label_cells]
    if not CODE.match(first):
        texts[0] = _CODE_LABEL.match(first).group(2)
    label = " ".join(texts).strip()
    x0 = label_cells[0].x0 if label_cells else cells[0].x1
    if damaged is not None:
        if code not in (maps.code_for_label(label), maps.code_for_label_by_likeness(label)):
            return None
        amount = damaged
        warn(line.page, f"amount {cells[-1].text!r} of {code} read as {amount:.2f} (its digit grouping is "
                        f"damaged; the sums check it)")
    return code, label, amount, x0


_SLIPPED_CODE = re.compile(r"^(\d)(\d)$")


def _income_cells(line: Line, maps: Maps, state: ReportState) -> Line:
    """A line as an income line would stand, from what an OCR layer or a typewriter makes of it: a run
    of label and amount cut in two ("Medlemsavgifter 12 000"), a code whose dot was lost ("51" for
    5.1) or whose digits came out as look-alike letters or marks ("S.1", "5:2") restored when, and
    only when, the label beside it is that type's label, and a code with one digit wrong taken as
    the code its label belongs to (``_slipped_digit``); a warning says so."""
    cells = list(line.cells)
    if len(cells) == 1 and len(cells[0].words) >= 2:
        pieces = split_run(cells[0], maps)
        if len(pieces) == 2 and classify(pieces[1].text, maps) == "amount" and not classify(pieces[0].text, maps) \
                and pieces[1].x0 - pieces[0].x1 > line.bottom - line.top:  # a column's gap, not a word space
            cells = pieces
    first = cells[0]
    word = first.words[0][2] if first.words else ""
    look = word.translate(CODE_LOOKALIKES)
    m = _SLIPPED_CODE.match(look)
    candidate = f"{m.group(1)}.{m.group(2)}" if m else look
    repairable = candidate != word and maps.income_type(candidate)  # "51", "S.1", "5:2"
    printed = not repairable and CODE.match(word) and maps.income_type(word)  # "5.1", perhaps a digit off
    if not (repairable or printed) or (len(first.words) < 2 and len(cells) < 2):
        return Line(line.page, line.top, line.bottom, cells) if cells != line.cells else line
    head, rest = (first, cells[1:]) if len(first.words) == 1 else (first.split(1)[0], [first.split(1)[1], *cells[1:]])
    label = " ".join(c.text for c in (rest[:-1] if len(rest) > 1 and classify(rest[-1].text, maps) == "amount"
                                      else rest))
    code = None
    if repairable and maps.code_by_label(label) == candidate:
        code = candidate
        state.warn(line.page, f"income code {head.text!r} read as {code}: its label {label!r} is that type's")
    elif printed:
        code = _slipped_digit(word, label, maps, state)
        if code is not None:
            state.warn(line.page, f"income code {word} read as {code}: its label {label!r} is {code}'s, not "
                                  f"{word}'s (a digit misread by OCR or mistyped; check the page)")
    if code is not None:
        cells = [Cell(head.x0, head.x1, head.top, head.bottom, code, [(head.x0, head.x1, code)]), *rest]
    return Line(line.page, line.top, line.bottom, cells) if cells != line.cells else line


def _slipped_digit(code: str, label: str, maps: Maps, state: ReportState) -> str | None:
    """The code a line means when its printed code has one digit wrong ("5.1" beside the label of
    5.7, an OCR slip of 7 for 1): the label is another type's (word for word, or clearly by
    likeness), that type's code differs from the printed one in one digit, and that type has no
    line yet. Otherwise None (the printed code stands)."""
    other = maps.code_by_label(label)
    if other is None or other == code or len(other) != len(code) \
            or sum(a != b for a, b in zip(other, code, strict=True)) != 1:
        return None
    if any(ln["code"] == other for ln in state.lines):
        return None
    return other


def _code_after_label(line: Line, maps: Maps) -> tuple[str, str, float | None, float] | None:
    """A line printed label first, then its code, then the amount ("Medlemsavgifter | 2.1 | 12 000")."""
    cells = line.cells
    amount = line_amount(line) if len(cells) > 2 else None
    middle = cells[1:-1] if amount is not None else cells[1:]
    at = [i for i, c in enumerate(middle, 1) if CODE.match(c.text.strip()) and maps.income_type(c.text.strip())]
    if len(at) != 1:
        return None
    code = cells[at[0]].text.strip()
    label = " ".join(c.text for i, c in enumerate(cells[:len(cells) - (amount is not None)]) if i != at[0])
    return code, label.strip(), amount, cells[0].x0


def _coded_row(line: Line, tables: TableReader, maps: Maps) -> bool:
    """A line starting with an income code under a table header whose first column it stands in
    ("Typ | Bidragsgivare | ... | Belopp" over "4.1 | Växjö centrum | 2 338"), and whose text is not
    that type's label: a row of the table, not an income line."""
    t = tables.table
    if t is None or not t.columns or len(line.cells) < 2 or line_amount(line) is None:
        return False
    first = line.cells[0]
    code = first.text.strip()
    if not (CODE.match(code) and maps.income_type(code)) or abs(first.x0 - t.columns[0].x0) > 2:
        return False
    label = " ".join(c.text for c in line.cells[1:-1])
    return maps.code_by_label(label) != code


def _repeated_code_row(line: Line, maps: Maps, state: ReportState) -> bool:
    """A line starting with the code of an itemised type whose income line was already read, with an
    amount and a text that is not that type's label ("5.4 | 468 455 Åke Nyrén" under a header we could
    not read): a donor row of that type, not a second income line."""
    if len(line.cells) < 2:
        return False
    code = line.cells[0].text.strip()
    t = maps.income_type(code) if CODE.match(code) else None
    if t is None or not t.is_itemised or not any(ln["code"] == code for ln in state.lines):
        return False
    if line_amount(line) is not None and len(line.cells) > 2:
        own = " ".join(c.text for c in line.cells[1:-1])  # the type's own label, numbers and all
        if code in (maps.code_for_label(own), maps.code_for_label_by_likeness(own)):
            return False
    pieces = [p for c in line.cells[1:] for p in split_run(c, maps)]
    kinds = [classify(p.text, maps) for p in pieces]
    label = " ".join(p.text for p, k in zip(pieces, kinds, strict=True) if k is None)
    return "amount" in kinds and bool(label) and maps.code_for_label(label) != code \
        and maps.code_for_label_by_likeness(label) != code


def _group_subtotal(line: Line, maps: Maps) -> int | None:
    """The group of a sum line under it ("Summa offentligt stöd | 64 300"), or None."""
    if len(line.cells) < 2 or line_amount(line) is None:
        return None
    label = " ".join(c.text for c in line.cells[:-1])
    m = TOTAL_WORD.match(label)
    return maps.group_heading(label[m.end():]) if m else None


def parse(doc: Document, maps: Maps, state: ReportState) -> str:
    """Fill ``state`` from an e-service report or anmälan; return the arrangement (``source.layout``)."""
    fields = FieldReader(state, maps)
    tables = TableReader(state, maps)
    title_seen = False
    titles = {norm(t) for t in maps.families["anmalan"] + maps.families["eservice"]}
    current: dict | None = None  # the income line (or specification heading) items belong to
    current_label: tuple[float, Line] | None = None  # for a label wrapped onto a second line
    pending_line: dict | None = None  # a code line whose amount is on a later line
    in_declaration: Line | None = None  # last line of a declaration paragraph (the anmälan's): text, not data
    subtotals: list[tuple[float, int]] = []
    paragraph: list[Line] = []  # the sentence being read (a letter), its lines so far
    letterhead: list[str] = []  # short lines without digits on page 1 that nothing read
    sentences: list[str] = []
    for page in doc.pages:  # a running header may be the only place that states the year
        for line in page.furniture:
            read_year(line, maps, state)
    for line in doc.lines():
        text = line.text
        if maps.is_noise(text):
            continue
        if paragraph and _continues_paragraph(line, paragraph[-1]) and len(line.cells) == 1 \
                and maps.match_field(text) is None and not (text.rstrip().endswith(":") and len(text.split()) <= 4):
            paragraph.append(line)
            read_prose(" ".join(ln.text for ln in paragraph), line.page, maps, state)
            continue
        paragraph = []
        if len(line.cells) == 1 and len(text.split()) >= 8 and line_amount(line) is None \
                and read_prose(text, line.page, maps, state):
            paragraph = [line]  # a sentence that states fields; its next lines may go on with it
            sentences.append(text)
            continue
        if read_year(line, maps, state):
            continue
        if not title_seen and norm(text) in titles:
            title_seen = True
            continue
        if fields.take_pending(line):
            continue
        if in_declaration is not None and not _continues_paragraph(line, in_declaration):
            in_declaration = None
        if in_declaration is not None or any(norm(text).startswith(d) for d in maps.declarations):
            in_declaration = line  # a declaration paragraph runs on while its lines follow closely
            continue

        item_shaped = has_item_shapes(line, maps) or _coded_row(line, tables, maps) or _repeated_code_row(line, maps, state)
        as_income = _income_cells(line, maps, state)
        income = None if item_shaped else (_income_line(as_income, maps, state.warn) or _coded_by_label(as_income, maps))
        if income is not None and income[2] is None and any(ln["code"] == income[0] for ln in state.lines):
            spec = income[0]  # "5.4 Specifikation": a heading naming a type already read
            income = None
        else:
            spec = None if income is not None or item_shaped else _spec_heading(line, maps, state)
        if income is not None:
            tables.close()
            code, label, amount, x0 = income
            heading = next((ln for ln in state.lines if ln["code"] == code and ln["amount"] is None), None)
            if heading is not None and amount is not None:
                heading["amount"] = amount  # the type's heading came first (its table above its line)
                current = current_label = pending_line = None
                continue
            entry = _add_line(state, maps, code, label, amount, line)
            if not CODE.match(line.cells[0].text.split()[0]) and maps.code_for_label(label) is None \
                    and code not in (c.text.strip() for c in line.cells):
                state.warn(line.page, f"income type {code} found by likeness of its label {label!r} (a wording "
                                      f"not in maps/income_types.csv)")
            placed = entry["group"] is not None
            current = entry if placed else None  # items under an unplaceable type are warned, not kept
            current_label = (x0, line) if placed else None
            pending_line = entry if placed and amount is None else None
            continue
        if _group_subtotal(line, maps) is not None:
            tables.close()  # the sum of one group's lines, printed under them: a check, not a line
            continue
        total = _total(line, maps)
        if total is None and not item_shaped:
            total = _total_by_wording(line, maps, state)
        if total is not None:
            if tables.table is not None and current is not None and _is_subtotal(total, current, state, tables):
                subtotals.append((total, line.page))
                tables.close()
                continue
            tables.close()
            current = current_label = pending_line = None
            if state.total is not None and abs(state.total - total) > 0.005:
                state.warn(line.page, f"a second total {total:.2f} after the total {state.total:.2f}: kept the first")
                continue
            state.total = total
            state.total_page = line.page
            continue
        if spec is not None and tables.table is not None and tables.table.code == spec:
            continue  # "Specifikation 5.4 (forts.)": the same table goes on
        if spec is not None:
            tables.close()
            current = next((ln for ln in state.lines if ln["code"] == spec), None) or _heading_target(maps, spec)
            current_label = pending_line = None
            continue
        if tuple(norm(c.text) for c in line.cells) in maps.income_headers or is_income_header(line, maps):
            tables.close()  # the income table starts: any table above has ended
            continue
        group, code = _target(current, maps)
        header = read_table_header(line, maps, group, code)
        if header is not None:
            if tables.table is not None and tables.table.code == code and tables.table.group == group:
                header.number = tables.table.number
                tables.table = header  # the header repeated after a page break
            else:
                tables.open(header)
            current_label = None
            continue
        if tables.table is not None and continue_header(tables.table, line, maps):
            continue
        if line_amount(line) is None and maps.group_heading(text) is not None:
            tables.close()  # "1. Offentligt stöd", "BIDRAG": a group's heading, no data of its own
            current = current_label = pending_line = None
            continue
        if pending_line is not None and line_amount(line) is not None and len(line.cells) == 1:
            pending_line["amount"] = line_amount(line)
            pending_line = None
            continue
        if (pending_line is not None and current_label is not None and line_amount(line) is not None
                and _continues_label(Line(line.page, line.top, line.bottom, line.cells[:-1]), current_label)):
            # the label's last line carries the amount (cells aligned at the bottom)
            pending_line["label"] = f"{pending_line['label']} {line.cells[0].text}"
            pending_line["amount"] = line_amount(line)
            pending_line = current_label = None
            continue
        if current_label is not None and _continues_label(line, current_label):
            current["label"] = f"{current['label']} {line.cells[0].text}"
            current_label = (current_label[0], line)
            continue
        if tables.table is not None and not fields.read(line, colon_required=True):
            tables.read(line)
            continue
        if tables.table is not None:
            continue  # a "Label: value" line inside a table area was read as a field
        if (item_shaped or _fits_open_line(line, current, state, maps)) \
                and maps.match_field(line.cells[0].text) is None:
            tables.open_headerless(group, code, line)  # a table printed without a header
            tables.read(line)
            current_label = None
            continue
        if fields.read(line):
            continue
        if fields.continue_value(line):
            continue
        if line.page == 1 and len(line.cells) == 1 and not any(ch.isdigit() for ch in text):
            letterhead.append(text)
        if len(line.cells) == 1 and len(text.split()) >= 8:
            paragraph = [line]  # a sentence; read with its next lines
            sentences.append(text)
        elif read_unknown_label(line, maps, state) or fields.await_unknown(line):
            continue
        warn_unplaced(state, line)
    tables.close()
    name_from_letter(state, letterhead, sentences + [" ".join(ln.text for ln in paragraph)])
    if fields.awaiting:
        for _, cell in fields.awaiting:
            state.warn(None, f"no value for label {cell.text!r}")
    for ln in state.lines:
        if ln["amount"] is None:
            state.warn(ln["page"], f"income line {ln['code']} has no amount")
    state.lines = [ln for ln in state.lines if ln["amount"] is not None]
    if state.total is None and subtotals and state.lines:
        lines_sum = sum(ln["amount"] for ln in state.lines)
        for amount, page in subtotals:  # the only sum printed under the last table is the total
            if abs(amount - lines_sum) < 0.5:
                state.total, state.total_page = amount, page
    place_by_sums(state, maps)
    if state.kind == "anmalan":
        return "anmalan"
    if any(p.is_landscape for p in doc.pages):
        return "eservice_landscape"
    return "eservice_stacked" if state.labels_above_values else "eservice_table"


def _target(current: dict | None, maps: Maps) -> tuple[int | None, str | None]:
    """Where a table's rows belong: the itemised line above it; none (the sums decide) otherwise."""
    if current is None:
        return None, None
    t = maps.income_type(current["code"]) if current["code"] else None
    if t is not None and not t.is_itemised:
        return None, None
    return current["group"], current["code"]


def _heading_target(maps: Maps, code: str) -> dict:
    """A specification heading for a type whose income line comes later (or not at all)."""
    return {"group": maps.income_type(code).group, "code": code, "label": None, "amount": None, "page": None}


_CODE_IN_TEXT = re.compile(r"(?<![\d.,])(\d{1,2}\.\d{1,2})(?![\d.,])")


def _spec_heading(line: Line, maps: Maps, state: ReportState) -> str | None:
    """The code a heading names ("Specifikation 5.4", "Bidrag enligt 5.7, forts.", "Details: contributions
    from private persons over SEK 24 150"): a short line without an amount that names exactly one
    known income type, by its code, or by the label of an itemised type; None otherwise."""
    if line_amount(line) is not None or len(line.text.split()) > 12:
        return None
    codes = {c for c in _CODE_IN_TEXT.findall(line.text) if maps.income_type(c)}
    if len(codes) == 1:
        return codes.pop()
    if codes:
        return None
    texts = [line.text, *re.split(r"\s*:\s*|\s+[\u2013\u2014-]\s+", line.text)]
    for text in texts:
        words = text.split()
        for k in range(min(3, len(words))):  # a word or two before the label: "Specifikation av", "Details:"
            for j in range(min(3, len(words) - k)):  # or after it: "... kronor - givare", "...: donors"
                code = maps.code_for_label(" ".join(words[k:len(words) - j]))
                if code and maps.income_type(code).is_itemised:
                    return code
    return None


def _total(line: Line, maps: Maps) -> float | None:
    """The amount of a total line: "Summa intäkter | 71 686 940,00" or "Summa intäkter: 71 686 940,00"."""
    first = line.cells[0]
    if maps.is_total(first.text) and len(line.cells) >= 2:
        return line_amount(line)
    if len(line.cells) == 1 and len(first.words) >= 2:
        for k in range(len(first.words) - 1, 0, -1):
            left, right = first.split(k)
            if maps.is_total(left.text) and classify(right.text, maps) == "amount":
                return values.parse_amount(right.text)
    return None


def _total_by_wording(line: Line, maps: Maps, state: ReportState) -> float | None:
    """The amount of a line whose label names a sum in words we have no exact label for ("Grand total",
    "Intäkter totalt"), when it equals the sum of the income lines read so far (inside a table too:
    such a line is not a donor's row)."""
    if state.total is not None or len(state.lines) < 2:
        return None
    got = label_and_amount(line, maps)
    if got is None or not maps.is_total_like(got[0]):
        return None
    lines_sum = sum(ln["amount"] for ln in state.lines if ln["amount"] is not None)
    return got[1] if abs(got[1] - lines_sum) < 0.5 else None


def _is_subtotal(amount: float, current: dict, state: ReportState, tables: TableReader) -> bool:
    """A sum printed under a table that repeats its own line's amount, not the document's total."""
    rows = [c["amount"] for c in state.contributions if c.get("_table") == tables.table.number]
    return (current.get("amount") is not None and abs(amount - current["amount"]) < 0.5
            and abs(amount - sum(rows)) < 0.5 and len(state.lines) > 1)


def _fits_open_line(line: Line, current: dict | None, state: ReportState, maps: Maps) -> bool:
    """A name and an amount under an itemised line whose items do not yet add up to it: one of them."""
    if current is None or current.get("amount") is None:
        return False
    if len(line.cells) >= 2:
        amount = line_amount(line)
    else:  # one run, a name and an amount either way round ("189 148 Vendela Orrgren")
        pieces = split_run(line.cells[0], maps)
        kinds = [classify(p.text, maps) for p in pieces]
        amount = values.parse_amount(pieces[kinds.index("amount")].text) \
            if len(pieces) == 2 and set(kinds) == {"amount", None} else None
    if amount is None:
        return False
    t = maps.income_type(current["code"]) if current["code"] else None
    if t is None or not t.is_itemised or maps.match_field(line.cells[0].text):
        return False
    listed = sum(c["amount"] for c in state.contributions
                 if (c["group"], c["code"]) == (current["group"], current["code"]))
    return listed + amount <= current["amount"] + 0.5


def _coded_by_label(line: Line, maps: Maps) -> tuple[str, str, float | None, float] | None:
    """A type printed without its code ("Medlemsavgifter  12 000"), its code found from the label."""
    if len(line.cells) < 2:
        return None
    amount = line_amount(line)
    if amount is None:
        return None
    label = " ".join(c.text for c in line.cells[:-1])
    if TOTAL_WORD.match(label):
        return None  # "Summa insamling av kontanter": a sum of lines, never a type of its own
    code = maps.code_by_label(label)
    if code is None:
        return None
    return code, label, amount, line.cells[0].x0


def _continues_paragraph(line: Line, prev: Line) -> bool:
    height = prev.bottom - prev.top
    return line.page == prev.page and 0 <= line.top - prev.bottom <= 0.8 * height


def _continues_label(line: Line, current_label: tuple[float, Line]) -> bool:
    x0, prev = current_label
    if len(line.cells) != 1 or line.page != prev.page:  # one cell: the label column only
        return False
    c = line.cells[0]
    return abs(c.x0 - x0) <= 2 and line.top - prev.bottom <= 1.0 * (prev.bottom - prev.top)


def _add_line(state: ReportState, maps: Maps, code: str, label: str, amount: float | None, line: Line) -> dict:
    entry = {"group": None, "code": code, "label": label, "amount": amount, "page": line.page}
    t = maps.income_type(code)
    group = t.group if t is not None else int(code.split(".")[0])
    if group not in maps.groups:
        state.warn(line.page, f"unknown income type code {code} ({label!r}, {amount}): no group {group}; "
                              f"line not placed")
        return entry
    if t is None:
        state.warn(line.page, f"unknown income type code {code} ({label!r}); kept under group {group}")
    entry["group"] = group
    state.lines.append(entry)
    return entry
