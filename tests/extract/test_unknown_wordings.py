"""Stages fed hand-written lines: a total, the reporter's fields and the year read by structure and
value shapes when their wording is not in maps/ (extract/checks.py, fields.py, __init__.py)."""

from partifinans.extract import _is_income_line
from partifinans.extract.assembly import ReportState, warn_unplaced
from partifinans.extract.checks import total_by_sums
from partifinans.extract.fields import read_unknown_label, year_from_heading
from partifinans.extract.labels import load
from partifinans.extract.pdftext import Cell, Line

MAPS = load()


def _cell(x: float, text: str, top: float) -> Cell:
    words, at = [], x
    for w in text.split():
        words.append((at, at + 5 * len(w), w))
        at += 5 * len(w) + 3
    return Cell(x, words[-1][1], top, top + 9, text, words)


def _line(top: float, *texts_at: tuple[float, str], page: int = 1) -> Line:
    return Line(page, top, top + 9, [_cell(x, t, top) for x, t in texts_at])


def _state_with_lines(*amounts: float) -> ReportState:
    s = ReportState(path="x.pdf")
    s.lines = [{"group": 2, "code": "2.1", "label": "Medlemsavgifter", "amount": a, "page": 1} for a in amounts]
    return s


def test_total_words_are_matched_anywhere_in_a_label_and_fuzzily():
    assert MAPS.is_total_like("Intäkter totalt")
    assert MAPS.is_total_like("Grand total")
    assert MAPS.is_total_like("Sammanlagda intäkter")
    assert MAPS.is_total_like("Intäkter totlt")  # an OCR slip
    assert not MAPS.is_total_like("Totalbygg Norr AB")  # a donor's name is not a sum
    assert not MAPS.is_total_like("Medlemsavgifter")


def test_an_unplaced_total_like_line_that_the_sums_confirm_is_the_total():
    s = _state_with_lines(1000, 2500.5)
    warn_unplaced(s, _line(100, (50, "Intäkter totalt 3 500,50")))  # label and amount in one run
    warn_unplaced(s, _line(120, (50, "Hemsida"), (200, "www.example.se")))
    total_by_sums(s, MAPS)
    assert s.total == 3500.5
    assert s.warnings == ["page 1: line 'Hemsida www.example.se' not recognised"]


def test_the_grand_total_is_the_sum_of_the_other_sum_lines():
    s = _state_with_lines(100)  # most lines were not read: the lines do not decide
    for label, amount in (("Total public support", "194 100"), ("Total fees", "822 454"), ("Grand total", "1 016 554")):
        warn_unplaced(s, _line(100, (50, label), (300, amount)))
    total_by_sums(s, MAPS)
    assert s.total == 1016554


def test_a_lone_total_like_line_that_does_not_add_up_is_taken_with_a_warning():
    s = _state_with_lines(1000, 2000)
    warn_unplaced(s, _line(100, (50, "Summa allt"), (300, "3 100")))
    total_by_sums(s, MAPS)
    assert s.total == 3100
    assert any("by its wording alone (the income lines sum to 3000.00)" in w for w in s.warnings)


def test_two_unconfirmed_total_like_lines_give_no_total():
    s = _state_with_lines(1000, 2000)
    warn_unplaced(s, _line(100, (50, "Summa A"), (300, "3 100")))
    warn_unplaced(s, _line(120, (50, "Summa B"), (300, "3 200")))
    total_by_sums(s, MAPS)
    assert s.total is None


def test_unknown_labels_are_read_by_the_shape_of_their_value_with_a_warning():
    s = ReportState(path="x.pdf")
    assert read_unknown_label(_line(10, (50, "Filed on 11 February 2023")), MAPS, s)
    assert read_unknown_label(_line(20, (50, "Company reg. no."), (200, "843555-8179")), MAPS, s)
    assert read_unknown_label(_line(30, (50, "Verksamhetsperiod"), (200, "2021-01-01 – 2021-12-31")), MAPS, s)
    assert s.submitted == "2023-02-11"
    assert s.reporter.org_number == "843555-8179"
    assert s.period == {"start": "2021-01-01", "end": "2021-12-31"}
    assert len(s.warnings) == 3
    # a person's number is never the reporter's organisation number; nothing after the income lines
    assert not read_unknown_label(_line(40, (50, "Kontakt"), (200, "18900102-1238")), MAPS, ReportState(path="y"))
    late = _state_with_lines(10)
    assert not read_unknown_label(_line(50, (50, "Stockholm"), (200, "2024-05-05")), MAPS, late)
    assert late.submitted is None


def test_a_close_label_is_read_as_the_known_one():
    s = ReportState(path="x.pdf")
    assert read_unknown_label(_line(10, (50, "Datum för inlämnande"), (200, "2024-05-21")), MAPS, s)
    assert s.submitted == "2024-05-21" and s.warnings == []


def test_a_heading_ending_in_a_year_dates_a_report_only_when_nothing_else_does():
    s = ReportState(path="x.pdf")
    year_from_heading([_line(10, (50, "Intäkter och bidrag 2023"))], s)
    assert s.year_sources == [(2023, "a heading on page 1", 1)]
    s = ReportState(path="x.pdf")
    s.add_year(2022, "the title", 1)
    year_from_heading([_line(10, (50, "Intäkter och bidrag 2023"))], s)
    assert [y for y, _, _ in s.year_sources] == [2022]


def test_an_income_line_is_known_by_its_code_in_any_cell():
    assert _is_income_line(_line(10, (50, "Medlemsavgifter"), (250, "2.1"), (400, "1 561 207,28")), MAPS)
    assert not _is_income_line(_line(10, (50, "Kaffe och bullar"), (250, "9.9"), (400, "1 561 207,28")), MAPS)


def test_a_heading_naming_an_itemised_type_with_words_after_it_opens_that_types_table():
    from partifinans.extract.eservice import _spec_heading
    s = ReportState(path="x.pdf")
    assert _spec_heading(_line(10, (50, "Övriga bidrag över 23 650 kronor – givare")), MAPS, s) == "5.7"
    assert _spec_heading(_line(10, (50, "Bidrag från privatpersoner över 23 650 kronor: bidragsgivare")), MAPS, s) == "5.4"
    assert _spec_heading(_line(10, (50, "Medlemsavgifter – detaljer")), MAPS, s) is None  # not itemised


def test_a_name_and_an_amount_in_one_run_under_an_open_itemised_line_is_a_row_while_the_items_fit():
    from partifinans.extract.eservice import _fits_open_line
    s = _state_with_lines()
    line57 = {"group": 5, "code": "5.7", "label": "Övriga bidrag", "amount": 400000.0, "page": 1}
    assert _fits_open_line(_line(10, (50, "189 148 Vendela Orrgren")), line57, s, MAPS)
    assert _fits_open_line(_line(10, (50, "Vendela Orrgren 189 148")), line57, s, MAPS)
    assert not _fits_open_line(_line(10, (50, "Vendela Orrgren 489 148")), line57, s, MAPS)  # more than the line


def test_a_label_that_names_a_name_gives_the_reporters_name_but_a_column_header_does_not():
    s = ReportState(path="x.pdf")
    assert read_unknown_label(_line(10, (50, "Redovisande förening Havsörnepartiet i Visby")), MAPS, s)
    assert s.reporter.name == "Havsörnepartiet i Visby"
    s = ReportState(path="x.pdf")
    assert not read_unknown_label(_line(10, (50, "Bidragsgivarens namn"), (300, "Kr")), MAPS, s)
    assert s.reporter.name is None


def test_an_unknown_label_above_its_value_is_placed_by_the_values_shape():
    from partifinans.extract.fields import FieldReader
    s = ReportState(path="x.pdf")
    f = FieldReader(s, MAPS)
    assert f.await_unknown(_line(10, (50, "Föreningens namn:")))
    assert f.take_pending(_line(22, (50, "Solrospartiet i Gävle")))
    assert f.read(_line(34, (50, "Organisationsnummer (10 siffror):")))  # a qualifier, not a value
    assert f.take_pending(_line(46, (50, "835779-8431")))
    assert (s.reporter.name, s.reporter.org_number) == ("Solrospartiet i Gävle", "835779-8431")


def test_a_2014_form_table_under_a_header_of_unknown_words_is_read_by_its_rows_shapes():
    from partifinans.extract import form2014
    from partifinans.extract.pdftext import Document, Page
    rows = [
        _line(10, (50, "Summa totalt"), (400, "600 000")),
        _line(30, (50, "Givarens namn"), (150, "Id-nummer"), (250, "Inbetalningsdag"), (400, "Värde (kr)")),
        _line(42, (50, "Petrea Vassmark"), (150, "930609+2926"), (250, "31.01.2015"), (400, "204 098:-")),
        _line(54, (50, "Bäckström Måleri Mora AB"), (150, "5476428130"), (250, "22.07.2015"), (400, "321 535:-")),
    ]
    s = ReportState(path="x.pdf")
    form2014.parse(Document("x.pdf", [Page(1, 595, 842, rows)]), MAPS, s)
    got = [(c["donor"], c["donor_id"], c["date"], c["amount"]) for c in s.contributions]
    # "+" marks a person over 100: born 1893
    assert got == [("Petrea Vassmark", "18930609-2926", "2015-01-31", 204098.0),
                   ("Bäckström Måleri Mora AB", "547642-8130", "2015-07-22", 321535.0)]


def test_a_code_that_lost_its_dot_is_restored_only_when_its_label_is_that_types():
    from partifinans.extract.eservice import _income_cells, _income_line
    s = ReportState(path="x.pdf")
    fixed = _income_cells(_line(10, (40, "51"), (80, "Bidrag upp till och med 242 kronor"), (500, "2 000,00")), MAPS, s)
    assert _income_line(fixed, MAPS)[:3] == ("5.1", "Bidrag upp till och med 242 kronor", 2000.0)
    assert s.warnings == ["page 1: income code '51' read as 5.1: its label 'Bidrag upp till och med 242 kronor' "
                          "is that type's"]
    other = _line(10, (40, "51"), (80, "Medlemsavgifter"), (500, "2 000,00"))  # 5.1 is not membership fees
    assert _income_cells(other, MAPS, s) is other


def test_ocr_slips_in_a_role_word_and_in_an_amounts_grouping_are_read_with_a_warning():
    from partifinans.extract.fields import set_field
    from partifinans.extract.shapes import damaged_amount
    s = ReportState(path="x.pdf")
    set_field(s, MAPS, "role", "Pani", 1)
    assert s.reporter.role == "parti" and s.warnings == ["page 1: kind of reporter 'Pani' read as 'parti' (the closest known word)"]
    s = ReportState(path="x.pdf")
    set_field(s, MAPS, "role", "Xyz", 1)
    assert s.reporter.role is None
    assert damaged_amount("1235 000") == 1235000.0
    assert damaged_amount("3.027 000") == 3027000.0
    assert damaged_amount("1 235 000,50") == 1235000.5
    assert damaged_amount("12345 000") is None and damaged_amount("1235 00") is None


def test_a_row_starting_with_an_already_read_itemised_code_and_a_name_is_a_donor_row():
    from partifinans.extract.eservice import _repeated_code_row
    s = ReportState(path="x.pdf")
    s.lines = [{"group": 5, "code": "5.4", "label": "Bidrag från privatpersoner över 24 150 kronor",
                "amount": 468455.0, "page": 1}]
    assert _repeated_code_row(_line(10, (40, "5.4"), (80, "468 455 Åke Nyrén")), MAPS, s)
    # the type's own line printed again is no donor row; a code not yet read is an income line
    assert not _repeated_code_row(_line(10, (40, "5.4"), (80, "Bidrag från privatpersoner över 24 150 kronor"),
                                        (400, "468 455")), MAPS, s)
    assert not _repeated_code_row(_line(10, (40, "5.7"), (80, "Övriga bidrag över 24 150 kronor"), (400, "10")), MAPS, s)


def test_an_income_line_after_its_types_heading_fills_the_headings_amount():
    from partifinans.extract import eservice
    from partifinans.extract.pdftext import Document, Page
    rows = [
        _line(10, (40, "5.2 Anonyma bidrag över 294 kronor")),  # the table's heading, above the income lines
        _line(22, (40, "Datum"), (300, "Belopp")),
        _line(34, (40, "2025-01-03"), (300, "1 805,00")),
        _line(60, (40, "5.1"), (80, "Bidrag upp till och med 294 kronor"), (400, "16 724,08")),
        _line(72, (40, "5.2"), (80, "Anonyma bidrag över 294 kronor"), (400, "1 805,00")),
    ]
    s = ReportState(path="x.pdf")
    eservice.parse(Document("x.pdf", [Page(1, 595, 842, rows)]), MAPS, s)
    assert [(ln["code"], ln["amount"]) for ln in s.lines] == [("5.2", 1805.0), ("5.1", 16724.08)]
    assert [(c["code"], c["amount"]) for c in s.contributions] == [("5.2", 1805.0)]


def test_an_e_service_income_line_with_damaged_grouping_is_read_only_under_its_types_label():
    from partifinans.extract.eservice import _income_line
    warnings = []
    got = _income_line(_line(10, (40, "1.3"), (80, "Stöd till partigrupper i riksdagen"), (400, "7947 000,00")), MAPS,
                       lambda page, msg: warnings.append(msg))
    assert got[:3] == ("1.3", "Stöd till partigrupper i riksdagen", 7947000.0)
    assert warnings == ["amount '7947 000,00' of 1.3 read as 7947000.00 (its digit grouping is damaged; the sums check it)"]
    assert _income_line(_line(10, (40, "1.3"), (80, "Medlemsavgifter"), (400, "7947 000")), MAPS, warnings.append) is None


def test_a_lone_mark_at_either_end_of_a_name_or_address_is_dropped():
    from partifinans.extract.tables import _STRAY
    assert _STRAY.sub("", "— Testallén 16, 456 78 Låtsasvik") == "Testallén 16, 456 78 Låtsasvik"
    assert _STRAY.sub("", "Testallén 53, 567 89 Fiktiva :") == "Testallén 53, 567 89 Fiktiva"
    assert _STRAY.sub("", "Bygg - och Måleri AB") == "Bygg - och Måleri AB"  # inside a name it stays


def test_a_code_with_one_digit_misread_is_taken_as_the_type_its_label_names_with_a_warning():
    from partifinans.extract.eservice import _income_cells, _income_line
    s = ReportState(path="x.pdf")
    s.lines.append({"group": 5, "code": "5.1", "label": "Bidrag upp till och med 233 kronor", "amount": 135000.0, "page": 1})
    slipped = _line(10, (40, "5.1"), (80, "Övriga bidrag över 23 250 kronor"), (500, "279 000"))
    fixed = _income_cells(slipped, MAPS, s)
    assert _income_line(fixed, MAPS)[:3] == ("5.7", "Övriga bidrag över 23 250 kronor", 279000.0)
    assert s.warnings == ["page 1: income code 5.1 read as 5.7: its label 'Övriga bidrag över 23 250 kronor' is "
                          "5.7's, not 5.1's (a digit misread by OCR or mistyped; check the page)"]
    # the printed code stands when the label's type is two digits away, or already has its line
    far = _line(10, (40, "2.1"), (80, "Övriga bidrag över 23 250 kronor"), (500, "279 000"))
    assert _income_cells(far, MAPS, s) is far
    s.lines.append({"group": 5, "code": "5.7", "label": "", "amount": 1.0, "page": 1})
    assert _income_cells(slipped, MAPS, s) is slipped


def test_an_amount_in_whole_kronor_with_damaged_grouping_is_read():
    from partifinans.extract.shapes import damaged_amount
    assert damaged_amount("3162 000:-") == damaged_amount("3162 000,-") == damaged_amount("3162 000 kr") == 3162000.0
    assert damaged_amount("2941-000 kr") == 2941000.0
    assert damaged_amount("31620 00:-") is None


def test_a_code_read_with_a_look_alike_letter_is_restored_only_when_its_label_is_that_types():
    from partifinans.extract.eservice import _income_cells, _income_line
    s = ReportState(path="x.pdf")
    fixed = _income_cells(_line(10, (40, "S.1"), (80, "Bidrag upp till och med 238 kronor"), (500, "2 600 kr")), MAPS, s)
    assert _income_line(fixed, MAPS)[:3] == ("5.1", "Bidrag upp till och med 238 kronor", 2600.0)
    assert s.warnings == ["page 1: income code 'S.1' read as 5.1: its label 'Bidrag upp till och med 238 kronor' "
                          "is that type's"]
    other = _line(10, (40, "S.1"), (80, "Medlemsavgifter"), (500, "2 600 kr"))
    assert _income_cells(other, MAPS, s) is other


def test_a_number_with_one_look_alike_letter_is_repaired_and_a_house_number_is_not():
    from partifinans.extract.shapes import digits_for_lookalike
    assert digits_for_lookalike("S14919-8904") == "514919-8904"
    assert digits_for_lookalike("2O21-05-12") == "2021-05-12"
    for kept in ("123B", "SE556677889901", "2021-05-12", "Storgatan", "S1O919-8904"):
        assert digits_for_lookalike(kept) is None, kept
