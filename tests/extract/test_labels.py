"""Label, code and value-shape mapping from maps/ (inline raw and expected values side by side)."""

import pytest

from partifinans.extract import fields, labels, shapes, tables
from partifinans.extract.pdftext import Cell, Line, words_to_lines

MAPS = labels.load()


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("Organisationens namn:", ("name", ""), id="name-colon"),
        pytest.param("Namn", ("name", ""), id="name-bare"),
        pytest.param("Partiets namn", ("name", ""), id="name-2014"),
        pytest.param("Organisationsnummer: 802000-1239", ("org_number", "802000-1239"), id="orgnr-inline"),
        pytest.param("Parti:", ("party", ""), id="party"),
        pytest.param("Partitillhörighet", ("party", ""), id="party-long-not-parti"),
        pytest.param("Typ av redovisare", ("role", ""), id="role-stacked"),
        pytest.param("Anmälan avser:", ("role", ""), id="role-anmalan"),
        pytest.param("Verksamhetsnivå", ("level", ""), id="level"),
        pytest.param("Valkrets:", ("area", ""), id="area-valkrets"),
        pytest.param("Räkenskapsperiod", ("period", ""), id="period"),
        pytest.param("Redovisningsperiod", ("period", ""), id="period-2014"),
        pytest.param("Datum för inlämning: 2017-03-01", ("submitted", "2017-03-01"), id="submitted-inline"),
        pytest.param("Inlämnad:", ("submitted", ""), id="submitted"),
        pytest.param("Kommunal nivå", None, id="level-value-is-not-area-label"),
        pytest.param("Partistöd", None, id="income-label-is-not-party"),
        pytest.param("Hemsida:", None, id="unknown-label"),
    ],
)
def test_field_labels(text, expected):
    assert MAPS.match_field(text) == expected


@pytest.mark.parametrize(
    "text, year",
    [
        pytest.param("Räkenskapsår 2022", 2022, id="space"),
        pytest.param("Redovisningsår: 2019", 2019, id="colon"),
        pytest.param("Räkenskapsår:  2024", 2024, id="colon-two-spaces"),
        pytest.param("Räkenskapsperiod 2022-01-01 - 2022-12-31", None, id="period-is-not-year"),
    ],
)
def test_year(text, year):
    assert MAPS.match_year(text) == year


@pytest.mark.parametrize(
    "code, group, itemised, donor_kind",
    [
        pytest.param("1.1", 1, False, None, id="state-support"),
        pytest.param("4.1", 4, True, "anonymous", id="cash-collection"),
        pytest.param("5.2", 5, True, "anonymous", id="anonymous"),
        pytest.param("5.4", 5, True, "person", id="private-over-half-pbb"),
        pytest.param("5.7", 5, True, "organisation", id="others-over-half-pbb"),
        pytest.param("8.1", 8, True, "anonymous", id="related-cash"),
        pytest.param("8.7", 8, True, "organisation", id="related-others"),
    ],
)
def test_income_codes(code, group, itemised, donor_kind):
    t = MAPS.income_type(code)
    assert (t.group, t.is_itemised, t.donor_kind) == (group, itemised, donor_kind)


def test_unknown_code_is_not_in_the_table():
    assert MAPS.income_type("7.3") is None
    assert 7 not in MAPS.groups and MAPS.groups == frozenset({1, 2, 3, 4, 5, 6, 8})


@pytest.mark.parametrize(
    "label, group",
    [
        pytest.param("Partistöd", 1, id="party-support"),
        pytest.param("Medlemsavgifter", 2, id="fees"),
        pytest.param("Bidrag från privatpersoner", 5, id="private"),
        pytest.param("Bidrag från juridiska personer", 5, id="legal-persons"),
        pytest.param("Bidrag från andra delar av partiets organisation", 5, id="internal"),
        pytest.param("Finansiella intäkter", 6, id="financial"),
        pytest.param("övriga  intäkter:", 6, id="case-space-colon"),
    ],
)
def test_form2014_rows(label, group):
    assert MAPS.form2014_groups[labels.norm(label)] == group


@pytest.mark.parametrize(
    "table, printed, expected",
    [
        pytest.param("roles", "Ersättare", "ersattare", id="role-ersattare"),
        pytest.param("roles", "Sidoorganisation", "sidoorganisation", id="role-side"),
        pytest.param("levels", "Regional nivå", "region", id="level-region"),
        pytest.param("levels", "Riksnivå", "riks", id="level-riks"),
        pytest.param("levels", "EU", "eu", id="level-eu"),
        pytest.param("forms", "Tjänster", "tjänster", id="form-services"),
        pytest.param("forms", "Övrigt", "övrigt", id="form-other"),
    ],
)
def test_value_words(table, printed, expected):
    assert getattr(MAPS, table)[labels.norm(printed)] == expected


@pytest.mark.parametrize(
    "header, column",
    [
        pytest.param("Bidragsgivare", "donor", id="donor"),
        pytest.param("Pnr/orgnr", "donor_id", id="id-short"),
        pytest.param("Organisations-/personnummer", "donor_id", id="id-long"),
        pytest.param("Vad bidraget består av", "form", id="form-2014"),
        pytest.param("Typ av bidrag", "form", id="form-stacked"),
        pytest.param("Mottaget", "date", id="date-received"),
        pytest.param("Belopp (kr)", "amount", id="amount"),
        pytest.param("Postnummer", "address", id="address-postcode"),
        pytest.param("Personnummer", "donor_id", id="id-personnummer"),
    ],
)
def test_table_columns(header, column):
    assert MAPS.column(header) == column


@pytest.mark.parametrize(
    "text, kind",
    [
        pytest.param("18950101-1239", "donor_id", id="pnr-12"),
        pytest.param("556677-8899", "donor_id", id="orgnr"),
        pytest.param("5566778899", "donor_id", id="orgnr-digits"),
        pytest.param("Pengar", "form", id="form"),
        pytest.param("3 maj 2022", "date", id="date-words"),
        pytest.param("2022-05-03 00:00", "date", id="date-time"),
        pytest.param("125 000:-", "amount", id="amount-colon"),
        pytest.param("1\u00a0234\u00a0567,00", "amount", id="amount-nbsp"),
        pytest.param("-", "amount", id="dash-zero"),
        pytest.param("SE556677889901", "donor_id", id="orgnr-vat"),
        pytest.param("16556677-8899", "donor_id", id="orgnr-16-prefix"),
        pytest.param("189503184716", "donor_id", id="pnr-12-digits"),
        pytest.param("950318+4716", "donor_id", id="pnr-over-100"),
        pytest.param("1 234 567 890", "amount", id="billion-grouped-is-no-id"),
        pytest.param("35 000,-", "amount", id="amount-comma-dash"),
        pytest.param("125.000:-", "amount", id="amount-dot-thousands"),
        pytest.param("292.120,50", "amount", id="amount-dot-thousands-decimals"),
        pytest.param("1 250 000 kr", "amount", id="amount-kr"),
        pytest.param("15/3 2019", "date", id="date-slash"),
        pytest.param("15.03.2019", "date", id="date-dots"),
        pytest.param("17 april 2024", "date", id="date-april"),
        pytest.param("Money", "form", id="form-english"),
        pytest.param("Box 1", None, id="address"),
        pytest.param("Exempelbolaget AB", None, id="name"),
    ],
)
def test_value_shapes(text, kind):
    assert shapes.classify(text, MAPS) == kind


@pytest.mark.parametrize(
    "text, period",
    [
        pytest.param("2022-01-01 - 2022-12-31", {"start": "2022-01-01", "end": "2022-12-31"}, id="iso"),
        pytest.param("1 januari 2021 till 31 december 2021", {"start": "2021-01-01", "end": "2021-12-31"}, id="words"),
        pytest.param("2022", None, id="year-only"),
    ],
)
def test_period(text, period):
    assert fields.parse_period(text) == period


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("Sida 2 av 3", True, id="page-footer"),
        pytest.param("2/3", True, id="page-fraction"),
        pytest.param("Kammarkollegiet · Partiinsyn", True, id="agency-header"),
        pytest.param("Medlemsavgifter", False, id="income-label"),
    ],
)
def test_noise(text, expected):
    assert MAPS.is_noise(text) is expected


def _words(*specs):
    return [{"text": t, "x0": x0, "x1": x1, "top": top, "bottom": top + 8} for t, x0, x1, top in specs]


def test_words_group_into_cells_by_gap_and_lines_by_top():
    lines = words_to_lines(_words(("Summa", 40, 64, 100), ("intäkter", 66.2, 98, 100.4),
                                  ("1", 480, 484, 100), ("234", 486.2, 498, 100), ("kr", 500.2, 508, 100),
                                  ("Nästa", 40, 62, 112)), page_number=3)
    assert [[c.text for c in ln.cells] for ln in lines] == [["Summa intäkter", "1 234 kr"], ["Nästa"]]
    assert lines[0].page == 3


def test_header_naming_two_columns_in_one_run_is_split():
    cell = Cell(400, 470, 10, 18, "Belopp Datum", [(400, 425, "Belopp"), (440, 470, "Datum")])
    header = Line(1, 10, 18, [Cell(40, 90, 10, 18, "Bidragsgivare", [(40, 90, "Bidragsgivare")]),
                              Cell(200, 260, 10, 18, "Identitetsnummer", [(200, 260, "Identitetsnummer")]),
                              cell])
    table = tables.read_table_header(header, MAPS, 5, None)
    assert [(c.name, c.x0) for c in table.columns] == [("donor", 40), ("donor_id", 200), ("amount", 400),
                                                       ("date", 440)]


@pytest.mark.parametrize(
    "printed, code",
    [
        pytest.param("Medlemsavgifter", "2.1", id="fees"),
        pytest.param("Bidrag upp till och med 263 kronor", "5.1", id="small-gifts-2023-threshold"),
        pytest.param("Bidrag upp till och med 242 kronor", "5.1", id="small-gifts-2022-threshold"),
        pytest.param("Anonyma bidrag från 264 kronor upp till och med 2 625 kronor", "5.2", id="anonymous"),
        pytest.param("Bidrag från privatpersoner över 26 250 kronor", "5.4", id="private-identity"),
        pytest.param("Övriga bidrag över 28 650 kronor", "5.7", id="others-identity"),
        pytest.param("Stöd enligt lagen (1972:625) om statligt stöd till politiska partier", "1.1", id="state"),
        pytest.param("Intäkter från kontantinsamlingar", "4.1", id="cash"),
        pytest.param("Övrigt", None, id="form-word-is-no-type"),
        pytest.param("Exempelbolaget AB", None, id="donor-name"),
    ],
)
def test_code_for_a_label_printed_without_code(printed, code):
    assert MAPS.code_for_label(printed) == code
