"""Gap detectors: each has cases it must flag and near misses it must not (inline tables)."""

import pytest
from detect_tables import check, gift, line, orgnr, report, run, tables

BORAS = orgnr("802000-001")  # Liberalerna Borås (fictional number)
RIKS = orgnr("802001-002")  # Liberalerna, national level
CUF = orgnr("802002-003")  # a youth wing at national level
DONOR = orgnr("556000-004")  # Exempelbolaget AB


def _years(name, number, years, **kw):
    return [report(name, y, number, **kw) for y in years]


CASES = [
    # ---- missing_report
    pytest.param(
        "missing_report",
        tables(_years("Liberalerna Borås", BORAS, [2019, 2021]) + _years("Liberalerna", RIKS, [2019, 2020, 2021], level="riks")),
        [{"year": 2020, "orgs": ["Liberalerna Borås"], "severity": "low", "estimated_fee": None,
          "pages": [1, 1], "in_text": ["reported for 2019 and 2021 but has no report for 2020", "(0.5 pbb, 23 650 kr)"]}],
        id="missing-between-two-reported-years",
    ),
    pytest.param(
        "missing_report",
        tables(_years("Liberalerna", RIKS, [2019, 2020, 2021], level="riks") + _years("Liberalerna Borås", BORAS, [2019, 2020, 2021, 2022])),
        [{"year": 2022, "orgs": ["Liberalerna"], "severity": "high", "estimated_fee": 10000.0,
          "in_text": ["must report every year", "covers 2019-2022"]}],
        id="national-party-must-report-last-year",
    ),
    pytest.param(
        "missing_report",
        tables(_years("Liberalerna Borås", BORAS, [2019, 2022]) + _years("Liberalerna", RIKS, [2019, 2020, 2021, 2022], level="riks")),
        [],
        id="near-miss-two-year-gap-local-is-not-a-gap",
    ),
    pytest.param(
        "missing_report",
        tables(
            _years("Centerpartiet", RIKS, [2016, 2017, 2018, 2019], party="Centerpartiet", level="riks")
            + _years("CUF", CUF, [2018, 2019], party="Centerpartiet", role="sidoorganisation", level="riks")
        ),
        [],
        id="near-miss-side-organisation-before-2018-law",
    ),
    pytest.param(
        "missing_report",
        tables(
            _years("Liberalerna", RIKS, [2020, 2021], level="riks")
            + [report("Liberalerna", 2022, RIKS, level="riks", source_kind="opendata", is_primary=True)]
        ),
        [],
        id="near-miss-open-data-copy-counts-as-filed",
    ),
    # ---- late_report
    pytest.param(
        "late_report",
        tables([report("Liberalerna Borås", 2022, BORAS, submitted="2023-07-02")]),
        [{"year": 2022, "estimated_fee": 2500.0, "orgs": ["Liberalerna Borås"], "pages": [1],
          "in_text": ["on 2023-07-02, 1 day after the deadline of 2023-07-01"]}],
        id="one-day-late-municipal",
    ),
    pytest.param(
        "late_report",
        tables([report("Liberalerna", 2019, RIKS, level="riks", submitted="2020-09-01")]),
        [{"year": 2019, "estimated_fee": 10000.0, "in_text": ["62 days after"]}],
        id="late-national-level",
    ),
    pytest.param(
        "late_report",
        tables([report("Anna Testsson", 2022, None, role="ledamot", level="kommun", submitted="2023-08-01")]),
        [{"year": 2022, "estimated_fee": 500.0, "orgs": ["Anna Testsson"]}],
        id="late-member",
    ),
    pytest.param(
        "late_report",
        tables([report("Liberalerna Borås", 2022, BORAS, submitted="2023-07-01")]),
        [],
        id="near-miss-on-the-deadline-day",
    ),
    # ---- total_mismatch
    pytest.param(
        "total_mismatch",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1", total=100002.0)],
            [line("r1", "1.4", 60000, page=1), line("r1", "5.7", 40000, page=2)],
        ),
        [{"year": 2022, "amount": 2.0, "estimated_fee": 5000.0, "pages": [1, 2],
          "in_text": ["total of 100 002 kr", "add up to 100 000 kr"]}],
        id="total-two-kronor-off",
    ),
    pytest.param(
        "total_mismatch",
        tables(
            [report("Liberalerna", 2022, RIKS, level="riks", report_id="r1", total=90000.0)],
            [line("r1", "1.1", 60000), line("r1", "5.7", 40000)],
        ),
        [{"amount": 10000.0, "estimated_fee": 20000.0}],
        id="total-short-national",
    ),
    pytest.param(
        "total_mismatch",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1", total=100001.0)],
            [line("r1", "1.4", 60000), line("r1", "5.7", 40000)],
        ),
        [],
        id="near-miss-one-krona-rounding",
    ),
    pytest.param(
        "total_mismatch",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1", total=None)],
            [line("r1", "1.4", 60000)],
        ),
        [],
        id="near-miss-no-printed-total",
    ),
    # ---- invalid_identifier
    pytest.param(
        "invalid_identifier",
        tables([report("Liberalerna Borås", 2022, "802000-0018", is_org_number_valid=False)]),
        [{"year": 2022, "orgs": ["Liberalerna Borås"], "in_text": ["organisationsnummer 802000-0018"]}],
        id="reporter-orgnr-bad-check-digit",
    ),
    pytest.param(
        "invalid_identifier",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1")],
            contributions=[gift("r1", 30000, "Exempelbolaget AB", "556000-0041", is_donor_id_valid=False, page=3)],
        ),
        [{"amount": 30000.0, "donors": ["Exempelbolaget AB"], "pages": [3],
          "in_text": ["organisationsnummer 556000-0041"]}],
        id="donor-orgnr-bad-check-digit",
    ),
    pytest.param(
        "invalid_identifier",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1")],
            contributions=[gift("r1", 30000, "Anna Testsson", "189001011234", kind="person", code="5.4", is_donor_id_valid=False)],
        ),
        [{"amount": 30000.0, "in_text": ["The personnummer given for the donor Anna Testsson"]}],
        id="donor-personnummer-bad-check-digit-never-printed",
    ),
    pytest.param(
        "invalid_identifier",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1"), report("Liberalerna Ale", 2022, None, report_id="r2")],
            contributions=[gift("r1", 30000, "Exempelbolaget AB", DONOR), gift("r2", 30000, "Påhittad Stiftelse")],
        ),
        [],
        id="near-miss-valid-or-absent-numbers",
    ),
    # ---- missing_donor_identity
    pytest.param(
        "missing_donor_identity",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1")],
            contributions=[gift("r1", 30000, "Exempelbolaget AB", page=4)],
        ),
        [{"year": 2022, "amount": 30000.0, "donors": ["Exempelbolaget AB"], "estimated_fee": 5000.0,
          "severity": "high", "pages": [4], "in_text": ["24 150 kr"]}],
        id="company-gift-over-half-pbb-without-identity",
    ),
    pytest.param(
        "missing_donor_identity",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1")],
            contributions=[gift("r1", 24150, "Exempelbolaget AB"), gift("r1", 30000, "Anna Testsson", kind="person", code="5.4", address="Påhittegatan 1, Borås")],
        ),
        [],
        id="near-miss-exactly-half-pbb-or-address-given",
    ),
    pytest.param(
        "missing_donor_identity",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1", source_kind="opendata")],
            contributions=[gift("r1", 30000, None, kind="person", code="5.4", page=None, row=17)],
        ),
        [],
        id="near-miss-open-data-withholds-private-identity",
    ),
]


@pytest.mark.parametrize(("pattern", "tabs", "expected"), CASES)
def test_gap_detector(pattern, tabs, expected):
    flags = run(pattern, tabs)
    assert all(f["pattern"] == pattern for f in flags)
    check(flags, expected)


def _disagreement(pdf_amount, opendata_amount):
    pdf = report("Liberalerna Borås", 2022, BORAS, report_id="pdf1")
    od = report("Liberalerna Borås", 2022, BORAS, report_id="od1", source_kind="opendata", is_primary=False, row=512)
    return tables(
        [pdf, od],
        [line("pdf1", "5.7", pdf_amount, page=3), line("od1", "5.7", opendata_amount, page=None, row=512)],
        disagreements=[{
            "pdf_report_id": "pdf1", "opendata_report_id": "od1", "org_number": BORAS, "year": 2022, "group": 5,
            "pdf_amount": pdf_amount, "opendata_amount": opendata_amount, "difference": pdf_amount - opendata_amount,
        }],
    )


@pytest.mark.parametrize(
    ("tabs", "expected"),
    [
        pytest.param(
            _disagreement(125000, 100000),
            [{"year": 2022, "amount": 25000.0, "severity": "high", "orgs": ["Liberalerna Borås"], "pages": [3, None],
              "in_text": ["group 5 is 125 000 kr in the PDF and 100 000 kr in the open data", "open-data row 512"]}],
            id="pdf-and-open-data-disagree-over-half-pbb",
        ),
        pytest.param(_disagreement(105000, 100000), [{"amount": 5000.0, "severity": "medium"}], id="small-disagreement-medium"),
        pytest.param(_disagreement(100000.5, 100000), [], id="near-miss-half-krona"),
    ],
)
def test_source_disagreement(tabs, expected):
    flags = run("source_disagreement", tabs)
    check(flags, expected)
    for f in flags:
        assert [e["source_path"] for e in f["evidence"]] == ["demo/liberalerna-borås-2022.pdf", "opendata/PartiinsynOpenData.csv"]


def test_invalid_personnummer_is_never_passed_on_in_clear():
    tabs = tables(
        [report("Liberalerna Borås", 2022, BORAS, report_id="r1")],
        contributions=[gift("r1", 30000, "Anna Testsson", "189001011234", kind="person", code="5.4", is_donor_id_valid=False)],
    )
    (flag,) = run("invalid_identifier", tabs)
    assert "1890" not in flag["explanation"] and "011234" not in flag["explanation"]
    assert flag["donors"] == [{"name": "Anna Testsson", "donor_id": None, "entity_id": None}]
