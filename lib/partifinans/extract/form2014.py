"""The 2014-law form KAM11001 ("Intäktsredovisning avseende parti", lag 2014:105), printed to PDF.

The form has no type codes: each income row's label is mapped onto an open-data group through
``maps/form2014.csv`` (the line's ``code`` stays null). Contributions over half a pbb are listed
in one table (donor, identity number, what the contribution consists of, amount, date); they are
contributions (group 5) without a code. The form prints no year of its own: the year is the end
of the reporting period unless a year label is present.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from .assembly import ReportState, warn_unplaced
from .fields import FieldReader, read_unknown_label, read_year
from .labels import Maps, norm
from .pdftext import Document, Line
from .shapes import damaged_amount, has_item_shapes, is_income_header, line_amount
from .tables import TableReader, continue_header, read_table_header

CONTRIBUTION_GROUP = 5


def parse(doc: Document, maps: Maps, state: ReportState) -> str:
    fields = FieldReader(state, maps)
    tables = TableReader(state, maps)
    markers = [norm(m) for m in maps.families["form2014"]]
    in_income = False
    last_label: tuple[dict, Line, float] | None = None
    for page in doc.pages:  # a running header may be the only place that states the year
        for line in page.furniture:
            read_year(line, maps, state)
    for line in doc.lines():
        text = line.text
        if maps.is_noise(text) or norm(text) in markers:
            continue
        if line_amount(line) is None and any(m in norm(text) for m in markers):
            continue  # the form's title ("Blankett KAM11001 - lag (2014:105) ...")
        if read_year(line, maps, state):
            continue
        if fields.take_pending(line):
            continue
        if tuple(norm(c.text) for c in line.cells) in maps.income_headers or is_income_header(line, maps):
            tables.close()
            in_income = True
            continue
        header = read_table_header(line, maps, CONTRIBUTION_GROUP, None)
        if header is not None:
            if tables.table is None:
                tables.open(header)
            else:
                tables.table = header  # repeated after a page break
            in_income = False
            continue
        if tables.table is not None and continue_header(tables.table, line, maps):
            continue
        amount = line_amount(line)
        label = " ".join(c.text for c in line.cells[:-1])
        if amount is None and len(line.cells) >= 2 and tables.table is None and _income_group(label, maps) is not None:
            amount = damaged_amount(line.cells[-1].text)
            if amount is not None:
                state.warn(line.page, f"amount {line.cells[-1].text!r} of {label!r} read as {amount:.2f} "
                                      f"(its digit grouping is damaged; the sums check it)")
        group = _income_group(label, maps) if amount is not None and len(line.cells) >= 2 else None
        if tables.table is None and (in_income or group is not None or maps.is_total(label)) \
                and amount is not None and len(line.cells) >= 2:
            if maps.is_total(label):
                state.total, state.total_page = amount, line.page
                in_income = False
                last_label = None
                continue
            if group is None:
                state.unplaced.append((len(state.warnings), line))  # perhaps the total (checks.py)
                state.warn(line.page, f"unknown income label {label!r} ({amount}) not placed")
                last_label = None
                continue
            entry = {"group": group, "code": None, "label": label, "amount": amount, "page": line.page}
            state.lines.append(entry)
            last_label = (entry, line, line.cells[0].x0)
            continue
        if in_income and last_label is not None and _continues(line, last_label):
            entry, _, x0 = last_label
            entry["label"] = f"{entry['label']} {line.cells[0].text}"
            last_label = (entry, line, x0)
            continue
        if tables.table is not None and not fields.read(line, colon_required=True):
            tables.read(line)
            continue
        if tables.table is not None:
            continue
        if has_item_shapes(line, maps) and maps.match_field(line.cells[0].text) is None:
            tables.open_headerless(CONTRIBUTION_GROUP, None, line)  # rows known by their values' shapes
            tables.read(line)
            in_income = False
            continue
        if fields.read(line):
            continue
        if fields.continue_value(line):
            continue
        if read_unknown_label(line, maps, state) or fields.await_unknown(line):
            continue
        warn_unplaced(state, line)
    tables.close()
    for _, cell in fields.awaiting:
        state.warn(None, f"no value for label {cell.text!r}")
    for name, value in maps.form2014_reporter.items():  # implied by the form (maps/reports.yaml)
        if getattr(state.reporter, name) is None:
            setattr(state.reporter, name, value)
    return "form2014"


def _income_group(label: str, maps: Maps) -> int | None:
    """The open-data group of one of the form's income rows: its printed label (``maps/form2014.csv``),
    else the e-service type it names (``maps/income_types.csv`` aliases), else the closest form label."""
    group = maps.form2014_groups.get(norm(label))
    if group is not None:
        return group
    code = maps.code_for_label(label)
    if code is not None:
        return maps.income_type(code).group
    hit = process.extractOne(norm(label), list(maps.form2014_groups), scorer=fuzz.ratio, score_cutoff=90)
    return maps.form2014_groups[hit[0]] if hit else None


def _continues(line: Line, last: tuple[dict, Line, float]) -> bool:
    _, prev, x0 = last
    if len(line.cells) != 1 or line.page != prev.page:
        return False
    return abs(line.cells[0].x0 - x0) <= 2 and line.top - prev.bottom <= 1.0 * (prev.bottom - prev.top)
