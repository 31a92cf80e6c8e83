"""One fixture per layout quirk (tests/fixtures/<quirk>.pdf, made by make_fixtures.py): the values a
reader must get from it."""

from pathlib import Path

import pytest

from partifinans.extract import parse_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def parsed():
    cache: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in cache:
            cache[name] = parse_pdf(FIXTURES / f"{name}.pdf")
        return cache[name]

    return get


def _by_donor(report: dict) -> dict:
    return {c["donor"]: c for c in report["contributions"]}


def test_wrapped_donor_name(parsed):
    r = parsed("wrapped_donor_name")
    donors = _by_donor(r)
    assert set(donors) == {"Påhittad Stiftelse för Demokratisk Framtid", "Anna Maria Exempelsson Testberg",
                           "Exempelbolaget AB"}
    stiftelse = donors["Påhittad Stiftelse för Demokratisk Framtid"]
    assert (stiftelse["donor_id"], stiftelse["amount"], stiftelse["code"]) == ("802111-2225", 100000.0, "5.7")
    assert donors["Anna Maria Exempelsson Testberg"]["address"] == "Lillgatan 2, 123 45 Exempelstad"
    assert r["warnings"] == []


def test_table_across_pages(parsed):
    r = parsed("table_across_pages")
    assert r["source"]["pages"] == 2
    items = [c for c in r["contributions"] if c["code"] == "5.7"]
    assert [c["donor"] for c in items] == ["Exempelbygg AB", "Exempelkonsult AB", "Exempelhandel AB",
                                           "Exempelmedia AB", "Exempelenergi AB", "Exempeldata AB"]
    assert {c["page"] for c in items} == {1, 2}  # the table really runs over the break
    assert sum(c["amount"] for c in items) == 195000.0
    line = next(ln for ln in r["lines"] if ln["code"] == "5.7")
    assert line["amount"] == 195000.0
    assert r["warnings"] == []  # the repeated header is not read as a row or an unknown line


def test_labels_above_values(parsed):
    r = parsed("labels_above_values")
    assert r["source"]["layout"] == "eservice_stacked"
    assert r["reporter"] == {"name": "Socialdemokraterna i Exempelstad", "org_number": "802000-1239",
                             "party": "Socialdemokraterna", "role": "parti", "level": "kommun",
                             "area": "Exempelstad"}
    assert r["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert r["submitted"] == "2023-05-03"
    assert r["year"] == 2022


def test_landscape(parsed):
    r = parsed("landscape")
    assert r["source"]["layout"] == "eservice_landscape"
    assert r["reporter"]["level"] == "kommun" and r["reporter"]["org_number"] == "802000-1239"
    assert [(ln["code"], ln["amount"]) for ln in r["lines"]] == [
        ("1.4", 250000.0), ("2.1", 12345.5), ("4.1", 3000.0), ("5.4", 30000.0), ("5.7", 150000.0)]
    donors = _by_donor(r)
    assert donors["Påhittad Stiftelse för Demokratisk Framtid"]["date"] == "2022-12-31"
    assert donors[None]["address"] == "Stortorget, Exempelstad"  # the 4.1 cash collection: place, no donor


def test_amount_formats(parsed):
    r = parsed("amount_formats")
    amounts = {ln["code"]: ln["amount"] for ln in r["lines"]}
    assert amounts == {"1.4": 250000.0, "2.1": 12345.5, "3.1": 0.0, "5.2": 3624.5, "5.7": 1359567.0}
    assert sorted(c["amount"] for c in r["contributions"]) == [1234.5, 2390.0, 125000.0, 1234567.0]
    assert r["total"] == 1625537.0
    assert r["warnings"] == []


def test_date_words(parsed):
    r = parsed("date_words")
    assert r["submitted"] == "2023-05-03"
    assert [c["date"] for c in r["contributions"]] == ["2022-05-01", "2022-05-03", "2022-07-01"]


def test_total_mismatch_warns_with_difference_and_keeps_figures(parsed):
    r = parsed("total_mismatch")
    assert r["total"] == 355345.5
    assert sum(ln["amount"] for ln in r["lines"]) == 345345.5
    assert r["warnings"] == ["page 1: total mismatch: the lines sum to 345345.50, the printed total is "
                             "355345.50 (difference 10000.00)"]


def test_form2014(parsed):
    r = parsed("form2014")
    assert r["source"]["layout"] == "form2014"
    assert r["year"] == 2016  # from the period: the form prints no year
    assert [(ln["group"], ln["code"], ln["amount"]) for ln in r["lines"]] == [
        (1, None, 30616000.0), (2, None, 3162000.0), (5, None, 60000.0), (5, None, 113500.0), (5, None, 0.0),
        (6, None, 103200.22), (6, None, 781000.0)]
    assert r["total"] == 34835700.22
    c = r["contributions"]
    assert [(x["donor"], x["donor_id"], x["form"], x["date"], x["amount"], x["group"]) for x in c] == [
        ("Exempelförlaget Nordica AB", "515082-3911", "pengar", "2016-01-10", 113500.0, 5),
        ("Bertil Exempelsson", "18991211-6341", "varor", "2016-10-21", 60000.0, 5)]
    assert r["submitted"] == "2017-03-01"
    assert r["warnings"] == []


def test_anmalan(parsed):
    r = parsed("anmalan")
    assert (r["kind"], r["year"], r["lines"], r["contributions"], r["total"]) == ("anmalan", 2023, [], [], None)
    assert r["reporter"]["name"] == "Kristdemokraterna i Testeby" and r["reporter"]["role"] == "parti"
    assert r["warnings"] == []  # the declaration paragraph is text, not an unknown line


def test_unknown_label_and_code_are_warned_with_their_page(parsed):
    r = parsed("unknown_label")
    assert [(ln["code"], ln["amount"]) for ln in r["lines"]] == [("2.1", 5000.0), ("6.1", 2500.0)]
    assert r["reporter"]["name"] == "Påhittpartiet i Testeby"
    assert r["warnings"][0] == "page 1: unknown label 'Hemsida:' (line 'Hemsida: www.example.org')"
    assert r["warnings"][1].startswith("page 1: unknown income type code 7.3")
    assert "difference 1000.00" in r["warnings"][2]


def test_free_text_codes_in_label_runs_and_codeless_types(parsed):
    r = parsed("free_text")
    assert r["reporter"]["name"] == "Påhittpartiet i Testeby" and r["reporter"]["party"] == "Påhittpartiet"
    assert r["submitted"] == "2022-05-03" and r["year"] == 2021
    assert [(ln["code"], ln["group"], ln["label"], ln["amount"]) for ln in r["lines"]] == [
        ("2.1", 2, "Medlemsavgifter", 12000.0),  # code and label in one run of text
        ("3.1", 3, "Försäljning", 4500.0),  # no code printed: found from the label (maps/income_types.csv)
        ("5.7", 5, "Övriga bidrag över 23 800 kronor", 60000.0)]  # amount on the label's second line
    assert [(c["donor"], c["donor_id"], c["date"], c["amount"]) for c in r["contributions"]] == [
        ("Exempelbolaget AB", "556677-8899", "2021-03-01", 35000.0),
        ("Påhittad Stiftelse", "802111-2225", "2021-09-30", 25000.0)]
    assert r["total"] == 76500.0 and r["warnings"] == []


def test_declaration_paragraph_is_skipped_but_text_after_it_is_not(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "anmalan_with_note.pdf"
    c = canvas.Canvas(str(path))
    for y, text in ((800, "Anmälan"), (780, "Redovisningsår: 2023"), (760, "Namn: Påhittföreningen"),
                    (730, "Vi intygar att intäkterna inte överstiger ett halvt"),
                    (718, "prisbasbelopp. Någon intäktsredovisning lämnas därför inte."),
                    (680, "Hemsida: www.example.org")):
        c.drawString(50, y, text)
    c.save()
    r = parse_pdf(path)
    assert (r["kind"], r["year"], r["reporter"]["name"]) == ("anmalan", 2023, "Påhittföreningen")
    assert r["warnings"] == ["page 1: unknown label 'Hemsida:' (line 'Hemsida: www.example.org')"]


def test_split_address_columns(parsed):
    r = parsed("split_address_columns")
    assert r["reporter"]["name"] == "Eva Exempeldotter" and r["reporter"]["role"] == "ledamot"
    [c] = r["contributions"]
    assert (c["donor"], c["donor_id"], c["address"], c["date"], c["amount"]) == (
        "Harald Testsson", "18940512-3457", "Exempelgatan 4 123 45 Exempelstad", "2023-06-01", 30000.0)
    assert r["warnings"] == []


def test_silent_wrong_values_from_issue_10_do_not_come_back(tmp_path):
    """A wrapped column header leaving a lone cell "organisationsnummer", a running header ending in the
    year, and a "forts. på nästa sida" marker: none of them may become data (issue 10)."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "furniture_and_wrapped_header.pdf"
    c = canvas.Canvas(str(path))
    running = "Påhittpartiet i Testeby - Intäktsredovisning 2023"

    def page(rows, top_lines):
        c.setFont("Helvetica", 9)
        c.drawString(50, 815, running)
        for y, cells in top_lines + rows:
            for x, text in cells:
                c.drawString(x, y, text)
        c.showPage()

    header = [(700, [(60, "Bidragsgivare"), (220, "Person- eller"), (480, "Belopp")]),
              (690, [(220, "organisationsnummer")])]
    page([(670, [(60, "Exempelbolaget AB"), (220, "556677-8899"), (480, "40 000")]),
          (655, [(60, "Provbolaget AB"), (220, "559999-0006"), (480, "30 000")]),
          (60, [(420, "forts. på nästa sida")])],
         [(780, [(50, "Intäktsredovisning")]), (765, [(50, "Organisationens namn:"), (200, "Påhittpartiet i Testeby")]),
          (750, [(50, "Organisationsnummer:"), (200, "802000-1239")]),
          (735, [(50, "Räkenskapsår 2023")]),
          (715, [(50, "5.7"), (80, "Övriga bidrag över 26 250 kronor"), (480, "100 000")])] + header)
    page([(670, [(60, "Testföretaget AB"), (220, "556036-0793"), (480, "30 000")]),
          (640, [(50, "Summa intäkter"), (480, "100 000")])], header)
    c.save()
    r = parse_pdf(path)
    assert r["reporter"]["org_number"] == "802000-1239" and r["year"] == 2023
    assert [(c["donor"], c["donor_id"], c["amount"]) for c in r["contributions"]] == [
        ("Exempelbolaget AB", "556677-8899", 40000.0), ("Provbolaget AB", "559999-0006", 30000.0),
        ("Testföretaget AB", "556036-0793", 30000.0)]
    assert r["total"] == 100000.0 and r["confidence"] == "high", r["warnings"]
