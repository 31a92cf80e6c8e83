"""One organisation-year from a PDF and the open data: primary report and disagreements."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from partifinans import schema, sources
from partifinans.extract.opendata import read_opendata

ODD_ROWS = Path(__file__).resolve().parent / "fixtures" / "opendata" / "odd_rows.csv"


def _pdf_report(report_id, org, year, groups: dict[int, float]):
    rep = pd.DataFrame([{
        "report_id": report_id, "source_path": f"pdf/{report_id}.pdf", "source_sha256": report_id * 4,
        "source_kind": "pdf", "is_primary": True, "kind": "intaktsredovisning", "year": year,
        "org_number": org, "reporter_name": "Liberalerna Borås", "warnings": [],
    }])
    lines = pd.DataFrame([{"report_id": report_id, "group": g, "code": None, "amount": a, "page": 1}
                          for g, a in groups.items()])
    return schema.conform(rep, "reports"), schema.conform(lines, "lines")


@pytest.fixture(scope="module")
def opendata_tables():
    sha = hashlib.sha256(ODD_ROWS.read_bytes()).hexdigest()
    return read_opendata(ODD_ROWS, "odd_rows.csv", sha)


def _combine(opendata_tables, *pdfs):
    reports = pd.concat([opendata_tables["reports"]] + [p[0] for p in pdfs], ignore_index=True)
    lines = pd.concat([opendata_tables["lines"]] + [p[1] for p in pdfs], ignore_index=True)
    return reports, lines


# Liberalerna Borås 2024 in the open data: group 1 = 312 000, 2 = 18 450.50, 5 = 155 000, others 0.
AGREEING = {1: 312000.0, 2: 18450.50, 5: 155000.0}


def test_agreeing_pdf_is_primary_and_no_disagreement(opendata_tables):
    pdf = _pdf_report("aaaa", "802000-1239", 2024, AGREEING)
    reports, disagreements = sources.reconcile(*_combine(opendata_tables, pdf))
    both = reports[(reports["org_number"] == "802000-1239") & (reports["year"] == 2024)]
    assert dict(zip(both["source_kind"], both["is_primary"], strict=True)) == {"pdf": True, "opendata": False}
    assert disagreements.empty
    # every other organisation-year keeps its only report as primary
    others = reports[~reports.index.isin(both.index)]
    assert others["is_primary"].all()
    # never two primaries for one organisation-year
    assert not sources.primary(reports).duplicated(["org_number", "year"]).any()


def test_rounding_within_one_krona_is_not_a_disagreement(opendata_tables):
    pdf = _pdf_report("aaaa", "802000-1239", 2024, {1: 312000.0, 2: 18450.0, 5: 155000.9})
    _, disagreements = sources.reconcile(*_combine(opendata_tables, pdf))
    assert disagreements.empty


def test_group_differing_more_than_one_krona_is_recorded(opendata_tables):
    pdf = _pdf_report("bbbb", "802000-1239", 2024, {1: 312000.0, 2: 18450.50, 5: 185000.0, 6: 4000.0})
    _, d = sources.reconcile(*_combine(opendata_tables, pdf))
    od_id = opendata_tables["reports"].set_index(["reporter_name", "year"]).loc[("Liberalerna Borås", 2024), "report_id"]
    assert d[["group", "pdf_amount", "opendata_amount", "difference"]].values.tolist() == [
        [5, 185000.0, 155000.0, 30000.0],
        [6, 4000.0, 0.0, 4000.0],
    ]
    assert set(d["pdf_report_id"]) == {"bbbb"} and set(d["opendata_report_id"]) == {od_id}
    assert set(d["org_number"]) == {"802000-1239"} and set(d["year"]) == {2024}
    pd.testing.assert_frame_equal(d, schema.conform(d, "disagreements"))


def test_group_missing_from_pdf_counts_as_zero(opendata_tables):
    pdf = _pdf_report("cccc", "802000-1239", 2024, {1: 312000.0, 5: 155000.0})
    _, d = sources.reconcile(*_combine(opendata_tables, pdf))
    assert d[["group", "pdf_amount", "opendata_amount"]].values.tolist() == [[2, 0.0, 18450.5]]


def test_other_year_of_same_org_is_not_compared(opendata_tables):
    pdf = _pdf_report("dddd", "802000-1239", 2022, {1: 1.0})
    reports, d = sources.reconcile(*_combine(opendata_tables, pdf))
    assert d.empty
    assert reports["is_primary"].all()


def test_two_pdfs_for_one_org_year_one_primary_deterministic(opendata_tables):
    a = _pdf_report("eeee", "802000-1239", 2024, AGREEING)
    b = _pdf_report("ffff", "802000-1239", 2024, AGREEING)
    reports, _ = sources.reconcile(*_combine(opendata_tables, b, a))
    prim = reports[(reports["org_number"] == "802000-1239") & (reports["year"] == 2024) & reports["is_primary"]]
    assert prim["report_id"].tolist() == ["eeee"]


def test_reports_without_org_number_are_told_apart_by_reporter():
    """Without an organisationsnummer a reporter is its name, role, level and area (harmonise.org_id):
    two members are two reporters, two files of one member's report are one."""
    rows = [("r1", "Anna Ledamot"), ("r2", "Bo Ledamot"), ("r3", "Anna Ledamot")]
    rep = schema.conform(pd.DataFrame([
        {"report_id": r, "source_path": f"{r}.pdf", "source_sha256": r, "source_kind": "pdf",
         "is_primary": None, "year": 2024, "org_number": None, "reporter_name": name, "role": "ledamot",
         "level": "riks"} for r, name in rows
    ]), "reports")
    reports, d = sources.reconcile(rep, schema.empty("lines"))
    assert reports["is_primary"].tolist() == [True, True, False]
    assert d.empty


def test_empty_inputs():
    reports, d = sources.reconcile(schema.empty("reports"), schema.empty("lines"))
    assert reports.empty and d.empty
    assert list(d.columns) == schema.columns("disagreements")
