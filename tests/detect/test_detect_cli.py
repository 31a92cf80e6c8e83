"""``partifinans flags``: JSON contract, filters, CSV / XLSX, readable default, cache, bad input."""

import csv
import io
import json
import os

import openpyxl
import pytest
from detect_tables import gift, line, orgnr, report, tables

from partifinans import cli, privacy, store

BORAS = orgnr("802000-001")
LUND = orgnr("802003-001")
FIELDS = [
    "pattern", "severity", "year", "party", "organisations", "donors", "amount", "explanation", "evidence",
    "legal_basis", "estimated_fee",
]


@pytest.fixture
def processed(tmp_path):
    """Two planted flags: an anonymous gift over the limit (Liberalerna 2022) and a private donor's
    gift without identity (Centerpartiet 2023)."""
    tabs = tables(
        [
            report("Liberalerna Borås", 2022, BORAS, report_id="b22"),
            report("Centerpartiet Lund", 2023, LUND, party="Centerpartiet", report_id="l23"),
        ],
        [line("b22", "5.2", 3000, page=2), line("l23", "5.4", 40000, page=3), line("l23", "3.1", 50000, page=2)],
        [
            gift("b22", 3000, None, kind="anonymous", code="5.2", page=2),
            gift("l23", 40000, "Anna Testsson", kind="person", code="5.4", page=3),
        ],
    )
    out = tmp_path / "processed"
    store.write_tables(out, tabs)
    return out


def _run(capsys, *argv):
    code = cli.main(["flags", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_follows_the_contract(processed, capsys):
    code, out, _ = _run(capsys, processed, "--json")
    assert code == 0
    flags = json.loads(out)
    assert [list(f) for f in flags] == [FIELDS, FIELDS]
    identity, anon = flags  # both high; sorted by amount
    assert identity["pattern"] == "missing_donor_identity" and identity["amount"] == 40000.0
    assert identity["estimated_fee"] == 5000.0 and identity["year"] == 2023 and identity["party"] == "Centerpartiet"
    assert identity["evidence"] == [{"source_path": "demo/centerpartiet-lund-2023.pdf", "page": 3}]
    assert anon == {
        "pattern": "anonymous_over_limit",
        "severity": "high",
        "year": 2022,
        "party": "Liberalerna",
        "organisations": [{"name": "Liberalerna Borås", "org_number": BORAS}],
        "donors": [],
        "amount": 3000.0,
        "explanation": anon["explanation"],
        "evidence": [{"source_path": "demo/liberalerna-borås-2022.pdf", "page": 2}],
        "legal_basis": anon["legal_basis"],
        "estimated_fee": 1170.0,
    }
    assert "anonymous contribution of 3 000 kr" in anon["explanation"]


def test_private_donor_is_pseudonymised_by_default(processed, capsys):
    _, out, _ = _run(capsys, processed, "--json")
    assert "Testsson" not in out
    label = privacy.private_label("anna testsson")
    identity = json.loads(out)[0]
    assert identity["donors"] == [{"name": label, "donor_id": None, "entity_id": None}]
    assert label in identity["explanation"]


@pytest.mark.parametrize(
    ("argv", "patterns"),
    [
        pytest.param(["--year", "2022"], ["anonymous_over_limit"], id="year"),
        pytest.param(["--party", "centerpartiet"], ["missing_donor_identity"], id="party-any-case"),
        pytest.param(["--year", "2022", "--party", "Centerpartiet"], [], id="both"),
        pytest.param(["--party", "C"], ["missing_donor_identity"], id="abbreviation"),
        pytest.param(["--party", "l"], ["anonymous_over_limit"], id="abbreviation-lower-case"),
        pytest.param(["--party", "Folkpartiet"], ["anonymous_over_limit"], id="alias"),
        pytest.param(["--party", "LIBERAL"], ["anonymous_over_limit"], id="start-of-name"),
        pytest.param(["--party", "MP"], [], id="known-party-without-flags"),
    ],
)
def test_filters(processed, capsys, argv, patterns):
    code, out, _ = _run(capsys, processed, "--json", *argv)
    assert code == 0
    assert [f["pattern"] for f in json.loads(out)] == patterns


def test_unknown_party_or_year_says_so_and_lists_what_is_present(processed, capsys):
    code, out, err = _run(capsys, processed, "--party", "Piratpartiet")
    assert code == 2 and out == ""
    assert err == ("--party: no party 'Piratpartiet' among the flags; parties with flags: "
                   "Centerpartiet (C); Liberalerna (L)\n")
    code, out, err = _run(capsys, processed, "--year", "2019")
    assert code == 2 and err == "--year: no flags for 2019; years with flags: 2022, 2023\n"


def test_known_party_without_flags_is_named(processed, capsys):
    code, out, _ = _run(capsys, processed, "--party", "mp", "--year", "2022")
    assert code == 0 and out == "No flags for mp in 2022.\n"


def test_csv_holds_the_flags_table(processed, capsys):
    _, out, _ = _run(capsys, processed, "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["pattern"] for r in rows] == ["missing_donor_identity", "anonymous_over_limit"]
    assert rows[1]["estimated_fee"] == "1170.0" and len(rows[0]["flag_id"]) == 16


def test_xlsx_is_readable_by_a_regulator(processed, capsys, tmp_path):
    """Readable cells, kronor as numbers, frozen header with filters, wrapped text, fitting widths,
    and one row per cited page on a second sheet (read back with openpyxl)."""
    xlsx = tmp_path / "flags.xlsx"
    code, _, err = _run(capsys, processed, "--xlsx", xlsx, "--reveal-private")
    assert code == 0 and err == f"flags: 2 flags and 2 cited pages written to {xlsx}\n"
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Flags", "Evidence"]
    sheet = book["Flags"]
    rows = list(sheet.values)
    assert rows[0] == ("Severity", "Pattern", "Year", "Party", "Organisations", "Donors", "Amount",
                       "Estimated fee", "Explanation", "Legal basis", "Evidence", "Flag")
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Pattern"] == "missing_donor_identity" and first["Year"] == 2023
    assert first["Organisations"] == f"Centerpartiet Lund ({LUND})"
    assert first["Donors"] == "Anna Testsson"
    assert first["Amount"] == 40000 and sheet["G2"].number_format == '#,##0 "kr"'
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["Estimated fee"] == 1170 and second["Organisations"] == f"Liberalerna Borås ({BORAS})"
    assert second["Evidence"].endswith("demo/liberalerna-borås-2022.pdf p. 2")
    assert not any(str(v).startswith(("[", "{")) for row in rows for v in row if v is not None)  # no JSON
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:L3"
    assert sheet["I2"].alignment.wrap_text and sheet.column_dimensions["I"].width >= 60
    assert all(sheet.column_dimensions[c].width > 5 for c in "ABCDEFGHIJKL")
    evidence = list(book["Evidence"].values)
    assert evidence[0] == ("Flag", "Severity", "Pattern", "Year", "Party", "File", "Page")
    assert [(r[2], r[5].rsplit("/", 2)[-2:], r[6]) for r in evidence[1:]] == [
        ("missing_donor_identity", ["demo", "centerpartiet-lund-2023.pdf"], 3),
        ("anonymous_over_limit", ["demo", "liberalerna-borås-2022.pdf"], 2),
    ]
    assert book["Evidence"]["F2"].hyperlink.target.startswith("file:///")
    assert book["Evidence"].freeze_panes == "A2"


def test_readable_default(processed, capsys):
    code, out, _ = _run(capsys, processed)
    assert code == 0
    assert "HIGH   missing_donor_identity" in out and "demo/centerpartiet-lund-2023.pdf p. 3" in out
    assert out.rstrip().endswith("2 flags (2 high, 0 medium, 0 low).")


def test_fresh_flags_parquet_is_used_and_a_stale_one_recomputed(processed, capsys):
    flags = store.read_table(processed, "flags")
    assert flags.empty  # not written yet: computed on the fly
    from partifinans.detect import run_all

    only_one = run_all(store.read_tables(processed)).iloc[:1]
    store.write_table(processed, "flags", only_one)
    _, out, _ = _run(capsys, processed, "--json")
    assert len(json.loads(out)) == 1  # the cached table
    reports = store.table_path(processed, "reports")
    later = store.table_path(processed, "flags").stat().st_mtime + 10
    os.utime(reports, (later, later))
    _, out, _ = _run(capsys, processed, "--json")
    assert len(json.loads(out)) == 2  # reports changed since: recomputed


def test_missing_directory_is_one_line(tmp_path, capsys):
    code, out, err = _run(capsys, tmp_path / "nowhere", "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "nowhere: no such directory" in err


def test_reveal_private_shows_names(processed, capsys):
    _, out, _ = _run(capsys, processed, "--json", "--reveal-private")
    identity = json.loads(out)[0]
    assert identity["donors"][0]["name"] == "Anna Testsson" and "Anna Testsson" in identity["explanation"]
