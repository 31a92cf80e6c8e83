"""The demo renderer: same input, same bytes; each layout and quirk visible in the extracted text."""

from __future__ import annotations

import copy

import pdfplumber
import pytest

from partifinans import values
from partifinans.demo.render import draw_report, format_amount, format_date_words, render_pdf


def _report(n_items: int = 2, kind: str = "intaktsredovisning", role: str = "parti") -> dict:
    items = [{"group": 5, "code": "5.7", "donor": f"Exempelbolaget Nummer {i} i Påhittköping AB",
              "donor_id": "556677-8899", "address": "Exempelgatan 1, 123 45 Exempelstad", "form": "pengar",
              "date": f"2022-05-{i + 1:02d}", "amount": 30_000.0 + i} for i in range(n_items)]
    return {
        "schema": "partifinans.report/1", "kind": kind, "year": 2022,
        "period": {"start": "2022-01-01", "end": "2022-12-31"}, "submitted": "2023-03-14",
        "reporter": {"name": "Liberalerna Exempelstad", "org_number": "802000-0007", "party": "Liberalerna",
                     "role": role, "level": "kommun", "area": "Exempelstad"},
        "lines": [] if kind == "anmalan" else [
            {"group": 1, "code": "1.4", "label": "Kommunalt och regionalt partistöd", "amount": 1_234_567.0},
            {"group": 2, "code": "2.1", "label": "Medlemsavgifter", "amount": 0.0},
            {"group": 5, "code": "5.7", "label": "Övriga bidrag över 24 150 kronor",
             "amount": sum(i["amount"] for i in items)},
        ],
        "contributions": [] if kind == "anmalan" else items,
        "total": None if kind == "anmalan" else 1_234_567.0 + sum(i["amount"] for i in items),
    }


def _form2014_report() -> dict:
    r = _report()
    r["year"] = 2016
    r["reporter"].update(level="riks", area=None, name="Liberalerna Riksorganisation Demo")
    r["lines"] = [{"group": 1, "code": None, "label": "Partistöd", "amount": 1_000_000.0},
                  {"group": 5, "code": None, "label": "Bidrag från juridiska personer", "amount": 60_001.0}]
    for c in r["contributions"]:
        c.update(code=None, address=None, date=c["date"].replace("2022", "2016"))
    r["total"] = 1_060_001.0
    return r


def _text(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


@pytest.mark.parametrize("layout,report", [
    pytest.param("eservice_table", _report(), id="eservice_table"),
    pytest.param("eservice_stacked", _report(), id="eservice_stacked"),
    pytest.param("eservice_landscape", _report(), id="eservice_landscape"),
    pytest.param("form2014", _form2014_report(), id="form2014"),
    pytest.param("anmalan", _report(kind="anmalan"), id="anmalan"),
])
def test_same_input_gives_identical_bytes(tmp_path, layout, report):
    quirks = frozenset({"amount_formats", "date_words", "wrapped_donor_name", "table_across_pages"}) \
        if layout != "anmalan" else frozenset()
    render_pdf(report, tmp_path / "a.pdf", layout, quirks)
    render_pdf(copy.deepcopy(report), tmp_path / "b.pdf", layout, quirks)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert len((tmp_path / "a.pdf").read_bytes()) < 10_000


@pytest.mark.parametrize("layout,expected", [
    pytest.param("eservice_table", ["Räkenskapsår 2022", "Organisationens namn: Liberalerna Exempelstad",
                                    "Organisationsnummer: 802000-0007", "Parti: Liberalerna", "Nivå: Kommunal nivå",
                                    "Räkenskapsperiod: 2022-01-01 - 2022-12-31", "Inlämnad: 2023-03-14",
                                    "Summa intäkter 1 294 568,00"], id="eservice_table"),
    pytest.param("eservice_stacked", ["Redovisningsår: 2022", "Partitillhörighet\nLiberalerna",
                                      "Datum för inlämning\n2023-03-14", "Totalt 1 294 568 kr"], id="eservice_stacked"),
    pytest.param("eservice_landscape", ["Räkenskapsår: 2022", "Partitillhörighet: Liberalerna",
                                        "Datum för inlämning: 2023-03-14", "Summa intäkter 1 294 568"],
                 id="eservice_landscape"),
])
def test_label_spellings_differ_by_layout(tmp_path, layout, expected):
    render_pdf(_report(), tmp_path / "r.pdf", layout)
    text = "\n".join(_text(tmp_path / "r.pdf"))
    for snippet in expected:
        assert snippet in text
    assert "5.7 Övriga bidrag över 24 150 kronor" in text


def test_form2014_prints_the_income_grid_without_codes(tmp_path):
    placement = draw_report(_form2014_report(), tmp_path / "f.pdf", "form2014")
    text = _text(tmp_path / "f.pdf")[0]
    assert "Intäktsredovisning avseende parti" in text
    assert "Bidrag från juridiska personer 60 001" in text
    assert "Vad bidraget består av" in text
    assert "5.7" not in text
    assert placement.contribution_pages == [1, 1]


def test_anmalan_declares_income_below_half_a_pbb(tmp_path):
    render_pdf(_report(kind="anmalan"), tmp_path / "a.pdf", "anmalan")
    text = _text(tmp_path / "a.pdf")[0]
    assert text.startswith("Kammarkollegiet")
    assert "Anmälan" in text and "(24 150 kronor)" in text
    assert "Belopp" not in text


def test_table_across_pages_repeats_the_header_and_reports_pages(tmp_path):
    placement = draw_report(_report(4), tmp_path / "t.pdf", "eservice_table", frozenset({"table_across_pages"}))
    pages = _text(tmp_path / "t.pdf")
    assert placement.pages == 2 and placement.split_tables == 1
    assert placement.contribution_pages == [1, 1, 2, 2]
    assert all("Bidragsgivare Pnr/orgnr Adress Form Datum Belopp" in p for p in pages)
    assert "Exempelbolaget Nummer 2" in pages[1] and "Exempelbolaget Nummer 2" not in pages[0]


def test_wrapped_donor_name_puts_the_name_on_two_lines(tmp_path):
    placement = draw_report(_report(1), tmp_path / "w.pdf", "eservice_landscape", frozenset({"wrapped_donor_name"}))
    lines = _text(tmp_path / "w.pdf")[0].splitlines()
    assert placement.wrapped_donor_rows == 1
    first = next(i for i, line in enumerate(lines) if "556677-8899" in line)
    assert lines[first].startswith("Exempelbolaget Nummer 556677-8899")
    assert lines[first + 1] == "0 i Påhittköping AB"


def test_without_the_quirk_the_name_stays_on_one_line(tmp_path):
    placement = draw_report(_report(1), tmp_path / "w.pdf", "eservice_landscape")
    assert placement.wrapped_donor_rows == 0
    assert "Exempelbolaget Nummer 0 i Påhittköping AB" in _text(tmp_path / "w.pdf")[0]


def test_amount_formats_and_date_words_read_back_to_the_same_values(tmp_path):
    render_pdf(_report(2), tmp_path / "q.pdf", "eservice_table", frozenset({"amount_formats", "date_words"}))
    text = _text(tmp_path / "q.pdf")[0]
    assert "1 234 567,00" in text
    assert "Medlemsavgifter -" in text  # zero as a dash
    assert "60 001:-" in text  # the 5.7 subtotal
    assert "30 000 kr" in text
    assert "14 mars 2023" in text and "2022-05-01 00:00" in text and "2 maj 2022" in text
    assert "30 001,00" in text  # written with a no-break space, extracted as a space (module docstring)


@pytest.mark.parametrize("value,style,printed", [
    pytest.param(1_234_567.0, "comma", "1 234 567,00", id="comma"),
    pytest.param(125_000.0, "colon", "125 000:-", id="colon"),
    pytest.param(1_234.0, "kr", "1 234 kr", id="kr"),
    pytest.param(1_234_567.5, "nbsp", "1\u00a0234\u00a0567,50", id="nbsp"),
    pytest.param(168_800_000.0, "bare", "168800000", id="bare"),
    pytest.param(0.0, "dash", "-", id="dash-zero"),
    pytest.param(99.5, "colon", "99,50", id="decimals-keep-comma"),
])
def test_format_amount_reads_back_with_values_parse_amount(value, style, printed):
    assert format_amount(value, style) == printed
    assert values.parse_amount(printed) == value


def test_format_date_words_reads_back():
    assert format_date_words("2022-05-03") == "3 maj 2022"
    assert values.parse_date(format_date_words("2023-11-20")) == "2023-11-20"


@pytest.mark.parametrize("layout,report,message", [
    pytest.param("anmalan", _report(), "does not fit", id="report-as-anmalan"),
    pytest.param("eservice_table", _report(kind="anmalan"), "does not fit", id="anmalan-as-report"),
    pytest.param("pretty", _report(), "unknown layout", id="unknown-layout"),
])
def test_bad_arguments_are_refused(tmp_path, layout, report, message):
    with pytest.raises(ValueError, match=message):
        render_pdf(report, tmp_path / "x.pdf", layout)


def test_unknown_quirk_and_unplaceable_contribution_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown quirks"):
        render_pdf(_report(), tmp_path / "x.pdf", "eservice_table", frozenset({"coffee_stain"}))
    r = _report()
    r["contributions"][0]["code"] = "5.4"
    with pytest.raises(ValueError, match="no income line"):
        render_pdf(r, tmp_path / "x.pdf", "eservice_table")
    with pytest.raises(ValueError, match="at least two"):
        render_pdf(_report(1), tmp_path / "x.pdf", "eservice_table", frozenset({"table_across_pages"}))
