"""Stage tables.py fed hand-written lines: wrapped names, rows found by their values, tables placed by sums."""

from partifinans.extract.assembly import ReportState
from partifinans.extract.labels import load
from partifinans.extract.pdftext import Cell, Line
from partifinans.extract.tables import Table, TableReader, place_by_sums

MAPS = load()


def _line(top: float, *texts_at: tuple[float, str]) -> Line:
    cells = [Cell(x, x + 5 * len(t), top, top + 9, t, [(x, x + 5 * len(t), t)]) for x, t in texts_at]
    return Line(1, top, top + 9, cells)


def _read(lines: list[Line], group=5, code="5.7") -> ReportState:
    state = ReportState(path="hand-written")
    reader = TableReader(state, MAPS)
    reader.open(Table([], group, code, lines[0]))
    for ln in lines:
        reader.read(ln)
    reader.close()
    return state


def test_a_wrapped_line_closer_to_the_row_above_continues_its_name():
    state = _read([_line(100, (60, "Påhittad Stiftelse för"), (200, "802111-2225"), (480, "100 000")),
                   _line(110, (60, "Demokratisk Framtid")),
                   _line(126, (60, "Exempelbolaget AB"), (200, "556677-8899"), (480, "50 000"))])
    assert [c["donor"] for c in state.contributions] == ["Påhittad Stiftelse för Demokratisk Framtid",
                                                         "Exempelbolaget AB"]


def test_on_equal_spacing_a_name_ending_in_i_goes_on_below():
    state = _read([_line(100, (60, "Lantmännens förening"), (200, "734621-5838"), (480, "427 058 kr")),
                   _line(112.4, (60, "Stiftelsen Nordljus Luleå i")),
                   _line(124.8, (60, "Norra Stockholmsregionen"), (200, "836579-4307"), (480, "433 168 kr"))])
    assert [c["donor"] for c in state.contributions] == ["Lantmännens förening",
                                                         "Stiftelsen Nordljus Luleå i Norra Stockholmsregionen"]


def test_identity_column_is_known_by_its_cells_not_its_header():
    state = _read([_line(100, (60, "Lars Lundgren"), (200, "980708+3747"), (300, "Pengar"), (360, "2022-08-02"),
                         (480, "67 079,00"))])
    [c] = state.contributions
    assert (c["donor_id"], c["form"], c["date"], c["amount"]) == ("18980708-3747", "pengar", "2022-08-02", 67079.0)


def test_a_table_without_heading_goes_under_the_line_its_rows_add_up_to():
    state = _read([_line(100, (60, "Anna Exempel"), (200, "18950318-4716"), (480, "30 000")),
                   _line(112, (60, "Bo Exempel"), (200, "18960101-1234"), (480, "20 000"))], group=None, code=None)
    state.lines = [{"group": 5, "code": "5.4", "label": "Bidrag från privatpersoner", "amount": 50000.0, "page": 1},
                   {"group": 5, "code": "5.7", "label": "Övriga bidrag", "amount": 70000.0, "page": 1}]
    place_by_sums(state, MAPS)
    assert {(c["group"], c["code"]) for c in state.contributions} == {(5, "5.4")}
    assert state.warnings == []


def test_a_table_no_line_adds_up_to_is_not_kept_and_says_so():
    state = _read([_line(100, (60, "Anna Exempel"), (200, "18950318-4716"), (480, "30 000"))], group=None, code=None)
    state.lines = [{"group": 5, "code": "5.7", "label": "Övriga bidrag", "amount": 70000.0, "page": 1}]
    place_by_sums(state, MAPS)
    assert state.contributions == []
    assert state.warnings == ["page 1: 1 entries in a table without a heading (sum 30000.00) not placed: "
                              "no itemised line add up to them"]


def test_a_letter_read_for_a_digit_under_the_amount_header_is_read_with_a_warning():
    from partifinans.extract.tables import Column

    header = _line(90, (60, "Namn"), (300, "Typ av bidrag"), (380, "Datum"), (480, "Belopp (kr)"))
    columns = [Column("donor", 60, 80, "Namn"), Column("form", 300, 360, "Typ av bidrag"),
               Column("date", 380, 430, "Datum"), Column("amount", 480, 540, "Belopp (kr)")]
    state = ReportState(path="hand-written")
    reader = TableReader(state, MAPS)
    reader.open(Table(columns, 5, "5.2", header))
    for ln in (_line(100, (300, "Pengar"), (380, "2020-04-28"), (490, "I 220kr")),
               _line(112, (300, "Pengar"), (380, "2020-08-23"), (490, "1 260 kr")),
               _line(124, (60, "Stina"), (300, "Pengar"), (380, "2020-09-01"), (490, "Anna"))):
        reader.read(ln)
    reader.close()
    assert [(c["date"], c["amount"]) for c in state.contributions] == [("2020-04-28", 1220.0), ("2020-08-23", 1260.0)]
    assert state.warnings[0] == "page 1: amount 'I 220kr' read as '1 220kr' (a letter read for a digit; the sums check it)"
