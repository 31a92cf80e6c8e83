"""Gap detectors: each has cases it must flag and near misses it must not (inline tables)."""

import pytest
from detect_tables import check, gift, line, orgnr, report, run, tables

from partifinans.detect.config import LEGAL_BASIS, REPORTER_NUMBER_BASIS

BORAS = orgnr("802000-001")  # Liberalerna Borås (fictional number)
RIKS = orgnr("802001-002")  # Liberalerna, national level
CUF = orgnr("802002-003")  # a youth wing at national level
DONOR = orgnr("556000-004")  # Exempelbolaget AB


def _years(name, number, years, **kw):
    return [report(name, y, number, **kw) for y in years]


def _income_years(name, number, amounts: dict[int, float], **kw):
    """Reports with one line of 5.6 contributions (income that counts towards the threshold) each."""
    reps = [report(name, y, number, report_id=f"{number}-{y}", **kw) for y in amounts]
    lines = [line(f"{number}-{y}", "5.6", a) for y, a in amounts.items()]
    return reps, lines


def _gap_case(amounts, **kw):
    reps, lines = _income_years("Liberalerna Borås", BORAS, amounts, **kw)
    riks, _ = _income_years("Liberalerna", RIKS, {y: 0 for y in range(min(amounts), max(amounts) + 1)}, level="riks")
    return tables(reps + riks, lines)


CASES = [
    # ---- missing_report
    pytest.param(
        "missing_report",
        _gap_case({2019: 30000, 2021: 10000}),
        [{"year": 2020, "orgs": ["Liberalerna Borås"], "severity": "low", "estimated_fee": None,
          "pages": [1, 1], "in_text": ["reported for 2019 and 2021 but has no report for 2020", "exceeds 0.5 pbb (23 650 kr for 2020;",
                                      "such income of 30 000 kr in 2019", "below national level"]}],
        id="local-gap-neighbour-over-threshold",
    ),
    pytest.param(
        "missing_report",
        _gap_case({2019: 23000, 2021: 23000}),
        [],
        id="near-miss-local-gap-neighbours-under-threshold",
    ),
    pytest.param(
        "missing_report",
        _gap_case({2021: 30000, 2023: 30000}, party="Piratpartiet", level="riks"),
        [{"year": 2022, "severity": "low", "estimated_fee": None,
          "in_text": ["Piratpartiet held no seats in the Riksdag or the European Parliament in 2022",
                      "2022 was an election year (Riksdag election 11 Sep 2022)"]}],
        id="riks-party-without-seats-over-threshold",
    ),
    pytest.param(
        "missing_report",
        tables(
            [report("Piratpartiet", y, CUF, party="Piratpartiet", level="riks", kind="anmalan") for y in (2020, 2022)]
        ),
        [],
        id="near-miss-riks-party-without-seats-below-threshold",
    ),
    pytest.param(
        "missing_report",
        tables(_years("Liberalerna", RIKS, [2019, 2020, 2021], level="riks") + _years("Liberalerna Borås", BORAS, [2019, 2020, 2021, 2022])),
        [{"year": 2022, "orgs": ["Liberalerna"], "severity": "high", "estimated_fee": 10000.0,
          "in_text": ["covers 2019-2022", "a party at national level, Liberalerna, which held seats in the Riksdag "
                      "(20 after the 2018 election, 16 after the 2022 election)", "must report every year (lag (2018:90) 7 §)"]}],
        id="national-party-with-seats-must-report-last-year",
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
            _years("Centerpartiet", RIKS, [2016, 2017, 2019], party="Centerpartiet", level="riks")
            + _years("CUF", CUF, [2016, 2017, 2019], party="Centerpartiet", role="sidoorganisation", level="riks")
        ),
        [{"year": 2018, "orgs": ["Centerpartiet"], "severity": "high", "estimated_fee": 10000.0},
         {"year": 2018, "orgs": ["CUF"], "severity": "high", "estimated_fee": 10000.0,
          "in_text": ["a national side organisation of Centerpartiet"]}],
        id="national-party-and-side-organisation-2018",
    ),
    pytest.param(
        "missing_report",
        tables(_years("Centerpartiet", RIKS, [2015, 2017], party="Centerpartiet", level="riks")),
        [{"year": 2016, "severity": "high", "estimated_fee": None,
          "in_text": ["must report every year (lag (2014:105))", "the fees of lag (2014:105) are not estimated here"]}],
        id="2014-law-national-party-no-fee-in-law-csv",
    ),
    pytest.param(
        "missing_report",
        tables(
            _years("Centerpartiet", RIKS, [2015, 2016, 2017, 2018], party="Centerpartiet", level="riks")
            + [report("C Påhittköping", y, BORAS, party="Centerpartiet", report_id=f"p{y}") for y in (2015, 2017, 2018)],
            [line(f"p{y}", "5.6", 90000) for y in (2015, 2017, 2018)],
        ),
        [],
        id="near-miss-local-organisation-before-2018-is-not-a-gap",
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
        tables([report("Liberalerna Borås", 2022, BORAS, submitted="2023-07-04")]),
        [{"year": 2022, "estimated_fee": 2500.0, "orgs": ["Liberalerna Borås"], "pages": [1],
          "in_text": ["on 2023-07-04, 1 day after the deadline of 2023-07-03 (1 July 2023 was a Saturday; "
                      "the deadline moves to the next weekday under lag (1930:173) 2 §)"]}],
        id="4-july-2023-is-late",
    ),
    pytest.param(
        "late_report",
        tables([report("Liberalerna Borås", 2022, BORAS, submitted="2023-07-03")]),
        [],
        id="near-miss-3-july-2023-monday-is-on-time",
    ),
    pytest.param(
        "late_report",
        tables([report("Liberalerna Borås", 2021, BORAS, submitted="2022-07-02")]),
        [{"year": 2021, "estimated_fee": 2500.0, "in_text": ["1 day after the deadline of 2022-07-01;"]}],
        id="one-day-late-1-july-a-friday",
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
        tables([report("Centerpartiet", 2016, RIKS, party="Centerpartiet", level="riks", submitted="2017-09-01")]),
        [{"year": 2016, "estimated_fee": None, "in_text": ["the fees of lag (2014:105) are not estimated here"]}],
        id="late-2014-law-report-no-fee-estimate",
    ),
    pytest.param(
        "late_report",
        tables([report("Liberalerna Borås", 2021, BORAS, submitted="2022-07-01")]),
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
        [{"year": 2022, "orgs": ["Liberalerna Borås"], "in_text": ["organisationsnummer 802000-0018"],
          "legal_basis": REPORTER_NUMBER_BASIS}],
        id="reporter-orgnr-bad-check-digit",
    ),
    pytest.param(
        "invalid_identifier",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1")],
            contributions=[gift("r1", 30000, "Exempelbolaget AB", "556000-0041", is_donor_id_valid=False, page=3)],
        ),
        [{"amount": 30000.0, "donors": ["Exempelbolaget AB"], "pages": [3],
          "in_text": ["organisationsnummer 556000-0041"], "legal_basis": LEGAL_BASIS["invalid_identifier"]}],
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
    pytest.param(
        "missing_donor_identity",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1", source_kind="opendata")],
            contributions=[gift("r1", 30000, "Exempelbolaget AB", page=None, row=17)],
        ),
        [{"year": 2022, "amount": 30000.0, "severity": "low", "estimated_fee": None, "donors": ["Exempelbolaget AB"],
          "pages": [None], "in_text": ["without an organisationsnummer (open-data row 17)", "check the full report"]}],
        id="open-data-organisation-donor-without-number-is-a-lead",
    ),
    pytest.param(
        "missing_donor_identity",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1", source_kind="opendata")],
            contributions=[gift("r1", 24150, "Exempelbolaget AB", page=None, row=17),
                           gift("r1", 90000, "Exempelbolaget AB", DONOR, page=None, row=18)],
        ),
        [],
        id="near-miss-open-data-organisation-at-half-pbb-or-with-number",
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
