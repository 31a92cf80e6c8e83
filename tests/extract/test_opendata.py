"""The open-data importer against a fixture in the real format (tests/fixtures/opendata/odd_rows.csv)."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from partifinans import privacy, schema
from partifinans.errors import BadInput
from partifinans.export.opendata import write_opendata_csv
from partifinans.extract import opendata
from partifinans.extract.opendata import (
    is_opendata_file,
    match_headers,
    parse_description,
    read_opendata,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "opendata"
ODD_ROWS = FIXTURES / "odd_rows.csv"


def _builder():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def tables():
    sha = hashlib.sha256(ODD_ROWS.read_bytes()).hexdigest()
    return read_opendata(ODD_ROWS, "fixtures/opendata/odd_rows.csv", sha)


def _report(tables, name, year):
    r = tables["reports"]
    hit = r[(r["reporter_name"] == name) & (r["year"] == year)]
    assert len(hit) == 1, (name, year)
    return hit.iloc[0]


def _contrib(tables, row):
    c = tables["contributions"]
    hit = c[c["row"] == row]
    assert len(hit) == 1, row
    return hit.iloc[0]


# ---- the file itself


def test_fixture_is_real_format_utf16_le_with_bom_tabs_and_trailing_tab():
    data = ODD_ROWS.read_bytes()
    assert data[:2] == b"\xff\xfe"
    text = data.decode("utf-16")
    header, first = text.split("\r\n")[:2]
    assert header.startswith("Räkenskapsår\tOrganisationsnummer\tNamn\t")
    assert header.endswith("Belopp i kr\t") and first.endswith("\t")
    assert '"' not in text


def test_committed_fixture_equals_a_fresh_generation(tmp_path):
    fresh = _builder().main(tmp_path)
    assert fresh.read_bytes() == ODD_ROWS.read_bytes()


def test_recognised_by_header(tmp_path):
    assert is_opendata_file(ODD_ROWS)
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert not is_opendata_file(other)
    assert not is_opendata_file(tmp_path / "missing.csv")
    binary = tmp_path / "report.csv"
    binary.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    assert not is_opendata_file(binary)


def test_tables_conform_to_schema(tables):
    for name in ("reports", "lines", "contributions"):
        df = tables[name]
        pd.testing.assert_frame_equal(df, schema.conform(df, name))
    assert set(tables["reports"]["source_kind"]) == {"opendata"}
    assert tables["lines"]["page"].isna().all() and tables["contributions"]["page"].isna().all()


# ---- reports


def test_one_report_per_year_and_org_number(tables):
    r = tables["reports"]
    assert len(r) == 6
    assert sorted(r.loc[r["org_number"] == "802000-1239", "year"]) == [2023, 2024]


def test_report_fields_from_the_real_sample_organisation(tables):
    rep = _report(tables, "Liberalerna Borås", 2024)
    assert rep["org_number"] == "802000-1239" and rep["is_org_number_valid"]
    assert rep["party"] == "Liberalerna"
    assert rep["level"] == "kommun" and rep["area"] == "Borås"
    assert rep["row"] == 1
    assert rep["kind"] == "intaktsredovisning"
    assert pd.isna(rep["role"])
    assert list(rep["warnings"]) == []


@pytest.mark.parametrize(
    "name, year, level, area, party",
    [
        pytest.param("Liberalerna Borås", 2023, "kommun", "Borås", "Liberalerna", id="kommun"),
        pytest.param("Påhittade Lokalpartiet", 2023, "region", "Västra Götalands län", None, id="region_no_party_999999"),
        pytest.param("Exempelpartiets Ungdomsförbund", 2022, "riks", None, "Kristdemokraterna", id="riks_and_eu_riks_kept"),
    ],
)
def test_level_area_party(tables, name, year, level, area, party):
    rep = _report(tables, name, year)
    assert rep["level"] == level
    assert (pd.isna(rep["area"]) and area is None) or rep["area"] == area
    assert (pd.isna(rep["party"]) and party is None) or rep["party"] == party


def test_several_levels_warns(tables):
    rep = _report(tables, "Exempelpartiets Ungdomsförbund", 2022)
    assert any("several levels (riks, eu); level riks kept" in w for w in rep["warnings"])


def test_reporter_personnummer_is_pseudonymised(tables):
    rep = _report(tables, "Test Testsson", 2024)
    assert rep["org_number"] == privacy.pseudonymise("18900215-1232")
    assert any("personnummer" in w for w in rep["warnings"])
    for name in ("reports", "lines", "contributions"):
        text = tables[name].astype(str).to_csv()
        assert "18900215" not in text and "900215-1232" not in text


# ---- lines


def test_every_type_kept_zero_types_as_zero_lines(tables):
    rep = _report(tables, "Liberalerna Borås", 2024)
    lines = tables["lines"][tables["lines"]["report_id"] == rep["report_id"]]
    assert len(lines) == 20  # one per type in the file, most of them zero
    assert (lines["amount"] == 0).sum() == 17
    by_code = dict(zip(lines["code"], lines["amount"], strict=True))
    assert by_code["1.4"] == 312000.0
    assert by_code["2.1"] == 18450.50
    assert by_code["5.7"] == 155000.0  # Freja 8 125 000 + Exempelbolaget AB 30 000


def test_line_row_is_first_row_of_its_type(tables):
    rep = _report(tables, "Liberalerna Borås", 2024)
    lines = tables["lines"][tables["lines"]["report_id"] == rep["report_id"]]
    assert lines.set_index("code").loc["5.7", "row"] == 17
    assert lines.set_index("code").loc["6.1", "row"] == 19
    assert lines.set_index("code").loc["5.7", "label"] == "Övriga bidrag över 0,5 prisbasbelopp"


def test_unknown_type_code_kept_with_warning(tables):
    rep = _report(tables, "Påhittade Lokalpartiet", 2023)
    lines = tables["lines"][tables["lines"]["report_id"] == rep["report_id"]]
    unknown = lines[lines["code"] == "5.9"]
    assert unknown["amount"].tolist() == [1234.56] and unknown["group"].tolist() == [5]
    assert "row 67: unknown income type code '5.9' (group 5) kept as a line" in list(rep["warnings"])
    assert not (tables["contributions"]["code"] == "5.9").any()


# ---- contributions


def test_real_sample_row(tables):
    c = _contrib(tables, 17)
    assert (c["code"], c["group"], c["donor"], c["donor_id"], c["form"], c["amount"]) == (
        "5.7", 5, "Freja 8", "764500-1988", "pengar", 125000.0
    )
    assert c["donor_kind"] == "organisation" and c["is_donor_id_valid"]
    assert c["report_id"] == _report(tables, "Liberalerna Borås", 2024)["report_id"]


def test_one_contribution_per_nonzero_itemised_row(tables):
    c = tables["contributions"]
    assert len(c) == 14
    assert (c["amount"] != 0).all()
    assert set(c["code"]) == {"4.1", "5.2", "5.4", "5.7", "8.2"}
    assert c["contribution_id"].is_unique


@pytest.mark.parametrize(
    "row, donor, donor_id, kind, form",
    [
        pytest.param(60, "Stiftelsen Påhittad (Gamla fonden)", "802480-0016", "organisation", "pengar", id="parentheses_in_name"),
        pytest.param(61, "Exempelbolaget (Norden) AB", None, "organisation", "varor", id="no_number"),
        pytest.param(62, "Påhittad Konsult AB", "559100-0012", "organisation", "övrigt", id="form_ovrigt"),
        pytest.param(63, "Exempelstiftelsen", "802000-2005", "organisation", None, id="no_form"),
        pytest.param(55, None, None, "person", "pengar", id="privat_bidrag_pengar"),
        pytest.param(56, None, None, "person", "övrigt", id="privat_bidrag_ovrigt"),
        pytest.param(53, None, None, "anonymous", "pengar", id="anonymous_5_2"),
        pytest.param(51, None, None, "anonymous", "pengar", id="cash_collection_4_1"),
        pytest.param(66, "Påhittad Förening", "802479-5554", "organisation", "pengar", id="group_8"),
    ],
)
def test_contribution_donors(tables, row, donor, donor_id, kind, form):
    c = _contrib(tables, row)
    assert (None if pd.isna(c["donor"]) else c["donor"]) == donor
    assert (None if pd.isna(c["donor_id"]) else c["donor_id"]) == donor_id
    assert c["donor_kind"] == kind
    assert (None if pd.isna(c["form"]) else c["form"]) == form


def test_personnummer_in_description_is_pseudonymised(tables):
    c = _contrib(tables, 57)
    assert c["donor"] == "Test Testsson" and c["donor_kind"] == "person"
    assert c["donor_id"] == privacy.pseudonymise("18900330-4566")
    assert "4566" not in tables["contributions"].astype(str).to_csv()


def test_personnummer_written_with_a_space_is_pseudonymised_too():
    assert opendata._identity("18900330 4566") == (privacy.pseudonymise("18900330-4566"), True, "pnr")


def test_cash_collection_date_read_from_description(tables):
    assert _contrib(tables, 51)["date"] == "2023-05-01"


def test_description_without_form_warns(tables):
    rep = _report(tables, "Påhittade Lokalpartiet", 2023)
    assert any(w.startswith("row 63: contribution description names no form") for w in rep["warnings"])


def test_ids_stable_across_runs_and_depend_on_file_hash(tables):
    sha = hashlib.sha256(ODD_ROWS.read_bytes()).hexdigest()
    again = read_opendata(ODD_ROWS, "elsewhere.csv", sha)
    assert again["reports"]["report_id"].tolist() == tables["reports"]["report_id"].tolist()
    assert again["contributions"]["contribution_id"].tolist() == tables["contributions"]["contribution_id"].tolist()
    other = read_opendata(ODD_ROWS, "x.csv", "0" * 64)
    assert set(other["reports"]["report_id"]).isdisjoint(tables["reports"]["report_id"])


# ---- description parsing, inline


@pytest.mark.parametrize(
    "text, donor, number, form, private",
    [
        pytest.param("Freja 8 (764500-1988) Pengar", "Freja 8", "764500-1988", "pengar", False, id="real_sample"),
        pytest.param("Bolaget (Sverige) AB (556677-8899) Tjänster", "Bolaget (Sverige) AB", "556677-8899", "tjänster", False, id="nested_parens"),
        pytest.param("Exempelbolaget AB Varor", "Exempelbolaget AB", None, "varor", False, id="no_number"),
        pytest.param("Privat bidrag Pengar", None, None, "pengar", True, id="private_pengar"),
        pytest.param("Privat bidrag Övrigt", None, None, "övrigt", True, id="private_ovrigt"),
        pytest.param("Exempelbolaget AB 556677-8899 Pengar", "Exempelbolaget AB", "556677-8899", "pengar", False, id="number_without_parens"),
        pytest.param("Exempelbolaget AB (5566778899) pengar", "Exempelbolaget AB", "5566778899", "pengar", False, id="lower_case_form_no_dash"),
        pytest.param("Övrigt Exempel AB (556677-8899)", "Övrigt Exempel AB", "556677-8899", None, False, id="form_word_in_name_only"),
        pytest.param("  Freja   8  (764500-1988)   Pengar ", "Freja 8", "764500-1988", "pengar", False, id="extra_spaces"),
        pytest.param("Test Testsson 18900330 4566 Pengar", "Test Testsson", "18900330 4566", "pengar", False, id="pnr_with_space"),
    ],
)
def test_parse_description(text, donor, number, form, private):
    p = parse_description(text)
    assert (p["donor"], p["number"], p["form"], p["is_private"]) == (donor, number, form, private)


# ---- headers and shapes


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(opendata.written_headers(), id="as_written"),
        pytest.param([h.upper() for h in opendata.written_headers()], id="upper_case"),
        pytest.param([h.replace(" ", "  ") + " " for h in opendata.written_headers()], id="extra_spaces"),
        pytest.param([("Partitillhörighet" if h.startswith("Partitillhörighet") else h) for h in opendata.written_headers()],
                     id="party_header_twice"),
    ],
)
def test_match_headers_loosely(headers):
    found = match_headers(headers + [""])
    assert found["year"] == 0 and found["amount"] == 19
    assert found["party_id"] == 3 and found["party_name"] == 4


def test_missing_required_header_names_it():
    headers = [h for h in opendata.written_headers() if h != "Belopp i kr"]
    with pytest.raises(ValueError, match="no column 'Belopp i kr'"):
        match_headers(headers)


def _rows():
    return _builder().fixture_rows()


def test_utf8_variant_reads_the_same(tmp_path, tables):
    p = write_opendata_csv(_rows(), tmp_path / "utf8.csv", encoding="utf-8")
    assert p.read_bytes()[:2] != b"\xff\xfe"
    assert is_opendata_file(p)
    t = read_opendata(p, "utf8.csv", "s")
    assert t["lines"]["amount"].sum() == tables["lines"]["amount"].sum()
    assert t["contributions"]["donor"].fillna("").tolist() == tables["contributions"]["donor"].fillna("").tolist()


def test_party_columns_swapped_in_file_are_read_by_shape(tmp_path):
    rows = _rows()
    text = write_opendata_csv(rows, tmp_path / "a.csv").read_bytes().decode("utf-16")
    # both headed 'Partitillhörighet', name first and id second
    lines = []
    for line in text.split("\r\n")[:-1]:
        cells = line.split("\t")
        cells[3], cells[4] = cells[4], cells[3]
        lines.append("\t".join(cells))
    lines[0] = lines[0].replace("Partitillhörighet partiid", "Partitillhörighet")
    p = tmp_path / "swapped.csv"
    p.write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    rep = read_opendata(p, "swapped.csv", "s")["reports"]
    assert rep.set_index("reporter_name").loc["Liberalerna Borås", "party"].tolist() == ["Liberalerna"] * 2


@pytest.mark.parametrize(
    "column, value, reason",
    [
        pytest.param("amount", "12x", "column 'Belopp i kr' has a value of unknown shape at data row 3: '12x'", id="amount"),
        pytest.param("year", "24", "column 'Räkenskapsår' has a value of unknown shape at data row 3: '24'", id="year"),
        pytest.param("type_code", "5,7", "column 'Intäktstyp fältkod' has a value of unknown shape", id="type_code"),
        pytest.param("is_kommun", "X", "column 'Verksam på kommunal nivå' has a value of unknown shape", id="ja_column"),
        pytest.param("org_number", "Borås", "column 'Organisationsnummer' has a value of unknown shape", id="org_number"),
    ],
)
def test_unknown_shape_fails_file_with_reason(tmp_path, column, value, reason):
    rows = _rows()
    rows[column] = rows[column].astype(object)
    rows.loc[2, column] = value
    p = write_opendata_csv(rows, tmp_path / "bad.csv")
    with pytest.raises(BadInput) as exc:
        read_opendata(p, "bad.csv", "s")
    assert str(exc.value).startswith(str(p) + ": open-data file: ")
    assert reason in str(exc.value)
    assert "\n" not in str(exc.value)


def _rewrite(tmp_path, name, edit, encoding="utf-16", ending="\r\n"):
    """The fixture rows written in the real format, their lines passed through ``edit``, saved again."""
    text = write_opendata_csv(_rows(), tmp_path / "a.csv").read_bytes().decode("utf-16")
    lines = text.split("\r\n")[:-1]
    lines = edit(lines)
    body = ending.join(lines) + ending
    p = tmp_path / name
    if encoding == "utf-16":
        p.write_bytes(b"\xff\xfe" + body.encode("utf-16-le"))
    elif encoding == "utf-16-be":
        p.write_bytes(b"\xfe\xff" + body.encode("utf-16-be"))
    else:
        p.write_bytes(body.encode(encoding))
    return p


def _edit_line(i, change):
    def edit(lines):
        lines[i] = change(lines[i])
        return lines
    return edit


def test_a_row_of_another_length_is_left_out_with_a_warning_naming_its_line(tmp_path):
    p = _rewrite(tmp_path, "short.csv", _edit_line(5, lambda line: "\t".join(line.split("\t")[:10])))
    assert is_opendata_file(p)
    t = read_opendata(p, "short.csv", "s")
    assert t["file_warnings"] == ["row 5 (line 6): 10 cells where the file has 21; row left out, the rest of the file read"]
    whole = read_opendata(ODD_ROWS, "x", "s")
    assert len(t["lines"]) == len(whole["lines"]) - 1 and 5 not in set(t["lines"]["row"])
    assert set(t["lines"]["row"]) == set(whole["lines"]["row"]) - {5}


def test_a_row_without_its_trailing_tab_is_read_with_a_warning(tmp_path, tables):
    p = _rewrite(tmp_path, "no_tab.csv", _edit_line(3, lambda line: line[:-1]))
    t = read_opendata(p, "no_tab.csv", "s")
    assert t["file_warnings"] == []
    pd.testing.assert_frame_equal(t["lines"].drop(columns="report_id"), tables["lines"].drop(columns="report_id"))
    rep = t["reports"][t["reports"]["row"] == 1].iloc[0]
    assert "row 3 (line 4): one cell short (no trailing tab); read as if it had one" in list(rep["warnings"])


def test_near_miss_every_row_without_a_trailing_tab_is_no_warning(tmp_path, tables):
    p = _rewrite(tmp_path, "no_tabs.csv", lambda lines: [line[:-1] for line in lines])
    t = read_opendata(p, "no_tabs.csv", "s")
    assert t["file_warnings"] == []
    assert not any("cell" in w for ws in t["reports"]["warnings"] for w in ws)
    assert t["lines"]["amount"].tolist() == tables["lines"]["amount"].tolist()


@pytest.mark.parametrize(
    "header_tab, row_tabs",
    [(True, False), (False, False), (False, True)],
    ids=["header_tab_rows_without", "neither", "rows_tab_header_without"],
)
def test_near_miss_trailing_tabs_missing_throughout_are_no_warning(tmp_path, tables, header_tab, row_tabs):
    def edit(lines):
        return [lines[0] if header_tab else lines[0][:-1]] + [line if row_tabs else line[:-1] for line in lines[1:]]
    t = read_opendata(_rewrite(tmp_path, "rows_no_tabs.csv", edit), "x", "s")
    assert t["file_warnings"] == []
    assert not any("cell" in w for ws in t["reports"]["warnings"] for w in ws)
    assert t["lines"]["amount"].tolist() == tables["lines"]["amount"].tolist()


def test_extra_empty_cells_at_the_end_are_read_with_a_warning(tmp_path, tables):
    p = _rewrite(tmp_path, "extra.csv", _edit_line(2, lambda line: line + "\t\t"))
    t = read_opendata(p, "extra.csv", "s")
    assert t["lines"]["amount"].tolist() == tables["lines"]["amount"].tolist()
    rep = t["reports"][t["reports"]["row"] == 1].iloc[0]
    assert "row 2 (line 3): 2 extra empty cell(s) at the end; read without them" in list(rep["warnings"])


def test_extra_cells_that_hold_values_leave_the_row_out(tmp_path):
    p = _rewrite(tmp_path, "extra_value.csv", _edit_line(2, lambda line: line + "\t99,00\t"))
    t = read_opendata(p, "extra_value.csv", "s")
    assert t["file_warnings"] == ["row 2 (line 3): 23 cells where the file has 21; row left out, the rest of the file read"]


CAMEL_CASE = (
    "Räkenskapsår, Organisationsnummer, Namn, PartitillhörighetPartiid, Partitillhörighet, VerksamPåKommunalNivå, "
    "LänKommunKod, Kommun, VerksamPåRegionalNivå, Länsbokstav, Region, VerksamPåRiksnivå, Valkrets, VerksamInomEU, "
    "IntäktsgruppFältkod, Intäktsgrupp, IntäktstypFältkod, Intäktstyp, IntäktstypBeskrivning, BeloppIKr"
).split(", ")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(CAMEL_CASE, id="camel_case"),
        pytest.param([h.lower() for h in opendata.written_headers()], id="lower_case"),
        pytest.param([" " + h.replace(" ", "  ") + " " for h in opendata.written_headers()], id="spaced"),
        pytest.param([h.replace(" ", "_").upper() for h in opendata.written_headers()], id="snake_upper"),
    ],
)
def test_header_spellings_import_to_identical_tables(tmp_path, tables, headers):
    def edit(lines):
        lines[0] = "\t".join(headers) + "\t"
        return lines
    p = _rewrite(tmp_path, "spelled.csv", edit)
    assert is_opendata_file(p)
    sha = hashlib.sha256(ODD_ROWS.read_bytes()).hexdigest()
    t = read_opendata(p, "fixtures/opendata/odd_rows.csv", sha)
    assert t["file_warnings"] == []
    for name in ("reports", "lines", "contributions"):
        pd.testing.assert_frame_equal(t[name], tables[name])


def test_camel_case_header_file_is_ingested_not_skipped(tmp_path):
    from partifinans import pipeline, store

    raw = tmp_path / "raw"
    raw.mkdir()

    def edit(lines):
        lines[0] = "\t".join(CAMEL_CASE) + "\t"
        return lines
    (raw / "PartiinsynOpenData.csv").write_bytes(_rewrite(tmp_path, "c.csv", edit).read_bytes())
    summary = pipeline.ingest(raw, tmp_path / "out", jobs=1, progress=False)
    assert (summary.parsed, summary.skipped, summary.failed) == (1, 0, 0)
    assert summary.reports == len(read_opendata(ODD_ROWS, "x", "s")["reports"])
    assert store.read_table(tmp_path / "out", "files")["status"].tolist() == ["parsed"]


@pytest.mark.parametrize(
    "encoding, ending",
    [
        pytest.param("utf-16", "\r\n", id="utf16le_bom_crlf"),
        pytest.param("utf-16", "\n", id="utf16le_bom_lf"),
        pytest.param("utf-16-be", "\r\n", id="utf16be_bom_crlf"),
        pytest.param("utf-8-sig", "\r\n", id="utf8_bom_crlf"),
        pytest.param("utf-8", "\n", id="utf8_lf"),
        pytest.param("utf-8", "\r\n", id="utf8_crlf"),
    ],
)
def test_encodings_and_line_ends_read_the_same(tmp_path, tables, encoding, ending):
    p = _rewrite(tmp_path, "enc.csv", lambda lines: lines, encoding=encoding, ending=ending)
    t = read_opendata(p, "fixtures/opendata/odd_rows.csv", hashlib.sha256(ODD_ROWS.read_bytes()).hexdigest())
    for name in ("reports", "lines", "contributions"):
        pd.testing.assert_frame_equal(t[name], tables[name])


@pytest.mark.parametrize(
    "header, why",
    [
        pytest.param(None, "the file has no header row", id="no_header"),
        pytest.param("Kol1\tKol2\tKol3", "the header row is not recognised ('Kol1 Kol2 Kol3')", id="unrecognised"),
    ],
)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-8"])
def test_no_usable_header_but_rows_of_the_files_shape_read_by_position(tmp_path, tables, header, why, encoding):
    def edit(lines):
        return lines[1:] if header is None else [header] + lines[1:]
    p = _rewrite(tmp_path, "noheader.csv", edit, encoding=encoding)
    assert is_opendata_file(p)
    t = read_opendata(p, "fixtures/opendata/odd_rows.csv", hashlib.sha256(ODD_ROWS.read_bytes()).hexdigest())
    assert t["file_warnings"] == [f"{why}; its 20 columns are read by position, in the documented order"]
    if header is not None:
        for name in ("reports", "lines", "contributions"):
            pd.testing.assert_frame_equal(t[name], tables[name])
    else:  # every row one line higher
        assert t["lines"]["amount"].tolist() == tables["lines"]["amount"].tolist()
        assert t["lines"]["row"].tolist() == tables["lines"]["row"].tolist()


def test_near_miss_a_tab_separated_file_of_another_kind_is_not_the_open_data_file(tmp_path):
    p = tmp_path / "members.csv"
    p.write_text("Namn\tOrt\tAntal\nAnna\tBorås\t3\n2024\t802000-0012\tx\n", encoding="utf-8")
    assert not is_opendata_file(p)


@pytest.mark.parametrize(
    "drop, named",
    [
        pytest.param(["Belopp i kr"], "'Belopp i kr'", id="amount"),
        pytest.param(["Organisationsnummer", "Intäktstyp fältkod"], "'Organisationsnummer', 'Intäktstyp fältkod'",
                     id="two"),
    ],
)
def test_file_that_looks_like_it_but_lacks_required_columns_fails_naming_them(tmp_path, drop, named):
    from partifinans import pipeline, store

    keep = [i for i, h in enumerate(opendata.written_headers()) if h not in drop]

    def edit(lines):
        return ["\t".join(line.split("\t")[i] for i in keep) + "\t" for line in lines]
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "PartiinsynOpenData.csv").write_bytes(_rewrite(tmp_path, "lacks.csv", edit).read_bytes())
    assert is_opendata_file(raw / "PartiinsynOpenData.csv")
    with pytest.raises(BadInput, match="the header row names the file's columns but lacks required ones: no column " + named):
        read_opendata(raw / "PartiinsynOpenData.csv", "x", "s")
    summary = pipeline.ingest(raw, tmp_path / "out", jobs=1, progress=False)
    files = store.read_table(tmp_path / "out", "files")
    assert files["status"].tolist() == ["failed"] and "no column " + named in files["reason"].iloc[0]
    assert summary.failed == 1 and summary.skipped == 0
    failed_line = summary.line().splitlines()[1]
    # the path as it opens from where the user stands (#14), then the reason
    assert failed_line.startswith("  failed: ") and "raw/PartiinsynOpenData.csv: " in failed_line
    assert named in failed_line


def test_rows_of_the_files_values_but_wrong_width_fail_with_reason(tmp_path):
    def edit(lines):
        return ["\t".join(line.split("\t")[:3] + line.split("\t")[19:]) for line in lines[1:]]
    p = _rewrite(tmp_path, "narrow.csv", edit)
    assert is_opendata_file(p)
    with pytest.raises(BadInput, match="but 4 cells where the file has 20"):
        read_opendata(p, "narrow.csv", "s")


def test_every_header_spelling_names_one_column_only():
    seen = {}
    for canonical, col in opendata.spec()["columns"].items():
        for spelling in col["spellings"]:
            key = opendata.normalise_header(spelling)
            assert seen.setdefault(key, canonical) == canonical, (spelling, seen[key], canonical)


def test_header_only_file_gives_empty_tables(tmp_path):
    p = write_opendata_csv(_rows().iloc[:0], tmp_path / "empty.csv")
    t = read_opendata(p, "empty.csv", "s")
    assert all(len(t[n]) == 0 for n in ("reports", "lines", "contributions"))


def test_amounts_with_spaces_and_point_and_blank(tmp_path):
    rows = _rows().iloc[:3].copy()
    rows["amount"] = ["1 234,50", "-10.25", ""]
    p = write_opendata_csv(rows, tmp_path / "amounts.csv")
    lines = read_opendata(p, "amounts.csv", "s")["lines"]
    assert lines["amount"].tolist() == [1234.5, -10.25, 0.0]


def test_invalid_donor_number_kept_as_printed_with_warning(tables):
    c = _contrib(tables, 124)
    assert (c["donor"], c["donor_id"], c["is_donor_id_valid"]) == ("Låtsas Konsult AB", "529901-9119", False)
    rep = _report(tables, "Moderaterna i Testeby", 2022)
    assert list(rep["warnings"]) == ["row 124: donor identity number fails its check digit"]


# ---- overlap with the demo PDFs, and the demo open-data file


DEMO = Path(__file__).resolve().parents[2] / "data" / "raw" / "demo"


def _pdf_tables(stem):
    from partifinans.extract import parse_pdf
    from partifinans.pipeline import report_rows

    path = DEMO / f"{stem}.pdf"
    return report_rows(parse_pdf(path), f"demo/{stem}.pdf", hashlib.sha256(path.read_bytes()).hexdigest())


def _reconcile(od, *pdfs):
    from partifinans import sources

    reports = pd.concat([od["reports"]] + [p["reports"] for p in pdfs], ignore_index=True)
    lines = pd.concat([od["lines"]] + [p["lines"] for p in pdfs], ignore_index=True)
    return sources.reconcile(reports, lines)


def test_fixture_organisation_also_in_a_demo_pdf_agrees_with_it(tables):
    pdf = _pdf_tables("2022_moderaterna-testeby")
    reports, disagreements = _reconcile(tables, pdf)
    both = reports[reports["org_number"] == "835752-3573"]
    assert sorted(zip(both["source_kind"], both["is_primary"], strict=True)) == [("opendata", False), ("pdf", True)]
    assert disagreements.empty


@pytest.fixture(scope="module")
def demo_tables():
    path = DEMO / "PartiinsynOpenData.csv"
    return read_opendata(path, "demo/PartiinsynOpenData.csv", hashlib.sha256(path.read_bytes()).hexdigest())


def test_committed_demo_opendata_equals_a_fresh_generation(tmp_path):
    from partifinans.demo.opendata import write_demo_opendata

    fresh = write_demo_opendata(tmp_path)
    assert fresh.read_bytes() == (DEMO / "PartiinsynOpenData.csv").read_bytes()


def test_demo_opendata_covers_the_planted_organisation_years(demo_tables):
    r = demo_tables["reports"]
    assert len(r) == 2 + 5 * 7
    assert sorted(r.loc[r["org_number"].isin(["887813-7283", "835752-3573"]), "reporter_name"] + " "
                  + r.loc[r["org_number"].isin(["887813-7283", "835752-3573"]), "year"].astype(str)) == [
        "Liberalerna Exempelstad 2021", "Moderaterna i Testeby 2022"]
    lines = demo_tables["lines"]
    assert (lines.groupby("report_id").size() == 25).all()  # every type on a row
    assert (lines["amount"] == 0).mean() > 0.6  # most of them zero
    assert set(r["year"]) == set(range(2018, 2025)) | {2021, 2022}


def test_demo_opendata_private_donors_withheld(demo_tables):
    c = demo_tables["contributions"]
    private = c[c["code"] == "5.4"]
    assert len(private) == 2 and private["donor"].isna().all() and (private["donor_kind"] == "person").all()
    assert not c["donor_id"].fillna("").str.startswith("pnr:").any()


def test_demo_source_disagreement_fires_only_for_the_planted_case(demo_tables):
    agree = _pdf_tables("2021_liberalerna-exempelstad")
    differ = _pdf_tables("2022_moderaterna-testeby")
    reports, d = _reconcile(demo_tables, agree, differ)
    assert d[["org_number", "year", "group", "pdf_amount", "opendata_amount", "difference"]].values.tolist() == [
        ["835752-3573", 2022, 2, 16400.0, 21400.0, -5000.0]
    ]
    assert d["pdf_report_id"].tolist() == differ["reports"]["report_id"].tolist()
    primary = reports[reports["is_primary"]]
    assert not primary.duplicated(["org_number", "year"]).any()
    assert set(primary.loc[primary["org_number"].isin(["887813-7283", "835752-3573"]), "source_kind"]) == {"pdf"}


def test_blank_lines_skipped_and_row_numbers_still_count_them(tmp_path):
    text = write_opendata_csv(_rows(), tmp_path / "a.csv").read_bytes().decode("utf-16")
    lines = text.split("\r\n")
    lines.insert(3, "")  # a blank line before data row 3
    p = tmp_path / "blank.csv"
    p.write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    t = read_opendata(p, "blank.csv", "s")
    first = t["lines"][t["lines"]["report_id"] == t["reports"]["report_id"].iloc[0]]
    assert first["row"].tolist()[:5] == [1, 2, 4, 5, 6]
    assert _contrib(t, 18)["donor"] == "Freja 8"  # was data row 17


def test_trailing_blank_lines_change_nothing(tmp_path, tables):
    data = ODD_ROWS.read_bytes() + "\r\n\r\n".encode("utf-16-le")
    p = tmp_path / "trailing.csv"
    p.write_bytes(data)
    t = read_opendata(p, "trailing.csv", hashlib.sha256(ODD_ROWS.read_bytes()).hexdigest())
    pd.testing.assert_frame_equal(t["contributions"], tables["contributions"])


def test_repeated_total_type_summed_with_warning_and_negative_line_warned(tmp_path):
    rows = _rows()
    boras = rows[(rows["reporter_name"] == "Liberalerna Borås") & (rows["year"] == 2024)]
    extra = boras[boras["type_code"].isin(["2.1", "6.1"])].copy()
    extra["amount"] = [1000.0, -250.0]
    p = write_opendata_csv(pd.concat([rows, extra], ignore_index=True), tmp_path / "repeat.csv")
    t = read_opendata(p, "repeat.csv", "s")
    rep = _report(t, "Liberalerna Borås", 2024)
    lines = t["lines"][t["lines"]["report_id"] == rep["report_id"]].set_index("code")
    assert lines.loc["2.1", "amount"] == 19450.5 and lines.loc["6.1", "amount"] == -250.0
    assert "row 6: type '2.1' is on 2 rows; the line holds their sum" in list(rep["warnings"])
    assert "row 19: negative amount -250.00 for type '6.1'" in list(rep["warnings"])
