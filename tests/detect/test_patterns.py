"""Pattern detectors: each has cases it must flag and near misses it must not (inline tables)."""

import pytest
from detect_tables import check, gift, line, orgnr, report, run, tables

BORAS = orgnr("802000-001")
ALE = orgnr("802000-002")
SKANE = orgnr("802000-003")
RIKS = orgnr("802001-002")
C_LUND = orgnr("802003-001")  # Centerpartiet Lund
COMPANY = orgnr("556000-004")  # Exempelbolaget AB
FOUNDATION = orgnr("802500-001")  # Påhittad Stiftelse, not a party organisation
ECON_ASSOC = orgnr("769000-001")  # Fiktiva Ekonomiska Föreningen


def _one_report(*gifts, year=2022, lines=None, number=BORAS, name="Liberalerna Borås"):
    rep = report(name, year, number, report_id="r1")
    lines = lines if lines is not None else [line("r1", "1.4", 500000)]
    return tables([rep], lines, list(gifts))


def _anon(rid, amount, page=3):
    return gift(rid, amount, None, kind="anonymous", code="5.2", page=page)


def _three_orgs(year_b=2022, party_c="Liberalerna", donor_id=COMPANY, donor="Exempelbolaget AB"):
    reps = [
        report("Liberalerna Borås", 2022, BORAS, report_id="b"),
        report("Liberalerna Ale", year_b, ALE, report_id="a"),
        report("Liberalerna Skåne", 2022, SKANE, party=party_c, level="region", report_id="s"),
        report("Liberalerna", 2022, RIKS, level="riks", report_id="riks"),
    ]
    gifts = [gift(rid, 25000, donor, donor_id) for rid in ("b", "a", "s")]
    return tables(reps, [], gifts)


def _lottery(amounts: dict[int, dict[str, float]]):
    reps = [report("Liberalerna Borås", y, BORAS, report_id=f"r{y}") for y in amounts]
    lines = [line(f"r{y}", code, a, page=2) for y, by_code in amounts.items() for code, a in by_code.items()]
    return tables(reps, lines)


def _income(by_year: dict[int, float]):
    """Non-public income (sales 3.1) per year beside large public support that must not count."""
    reps = [report("Liberalerna Borås", y, BORAS, report_id=f"r{y}") for y in by_year]
    lines = [line(f"r{y}", "3.1", a) for y, a in by_year.items()] + [line(f"r{y}", "1.4", 900000) for y in by_year]
    return tables(reps, lines)


def _concentration(given, other):
    return _one_report(
        gift("r1", given, "Exempelbolaget AB", COMPANY, page=4),
        lines=[line("r1", "1.4", 1000000), line("r1", "5.7", given), line("r1", "3.1", other)],
    )


def _shared_address(year_b=2022, address_b="Påhittegatan 1 12345 Borås", donor_b=("Bo Testsson", "pnr:00000000000000b0")):
    reps = [
        report("Liberalerna Borås", 2022, BORAS, report_id="b"),
        report("Liberalerna Ale", year_b, ALE, report_id="a"),
    ]
    gifts = [
        gift("b", 30000, "Anna Testsson", "pnr:00000000000000a0", kind="person", code="5.4", address="Påhittegatan 1, 123 45 Borås"),
        gift("a", 26000, donor_b[0], donor_b[1], kind="person", code="5.4", address=address_b),
    ]
    return tables(reps, [], gifts)


CASES = [
    # ---- anonymous_over_limit (0.05 pbb: 2 415 kr in 2022, 2 865 kr in 2024)
    pytest.param(
        "anonymous_over_limit",
        _one_report(_anon("r1", 3000)),
        [{"year": 2022, "amount": 3000.0, "estimated_fee": 1170.0, "severity": "high", "orgs": ["Liberalerna Borås"],
          "pages": [3], "in_text": ["2 415 kr", "The organisation may keep 2 415 kr; the excess of 585 kr had to go back "
                                    "to the giver or, when that is not possible, to Kammarkollegiet by 2023-03-31",
                                    "If that was not done, the fee is twice the excess: an estimate of 1 170 kr under "
                                    "that condition"]}],
        id="anonymous-3000-in-2022",
    ),
    pytest.param("anonymous_over_limit", _one_report(_anon("r1", 3000), year=2017), [],
                 id="near-miss-2017-no-direct-ban-under-lag-2014-105"),
    pytest.param("anonymous_over_limit", _one_report(_anon("r1", 2415)), [], id="near-miss-exactly-the-limit"),
    pytest.param("anonymous_over_limit", _one_report(_anon("r1", 2865), year=2024), [], id="near-miss-limit-of-its-own-year"),
    pytest.param(
        "anonymous_over_limit",
        _one_report(gift("r1", 9000, None, kind="anonymous", code="4.1")),
        [],
        id="near-miss-cash-collection-is-not-a-contribution",
    ),
    # ---- anonymous_near_limit (band 2 173,50-2 415 kr in 2022)
    pytest.param(
        "anonymous_near_limit",
        _one_report(_anon("r1", 2200, 3), _anon("r1", 2300, 3), _anon("r1", 2415, 4), _anon("r1", 500, 4)),
        [{"year": 2022, "amount": 6915.0, "pages": [3, 4], "orgs": ["Liberalerna Borås"], "in_text": ["3 anonymous contributions"]}],
        id="three-just-under-the-limit",
    ),
    pytest.param(
        "anonymous_near_limit",
        _one_report(_anon("r1", 2200), _anon("r1", 2300), _anon("r1", 2150)),
        [],
        id="near-miss-third-gift-below-the-band",
    ),
    pytest.param(
        "anonymous_near_limit",
        _one_report(_anon("r1", 2050), _anon("r1", 2100), _anon("r1", 2200), year=2017),
        [],
        id="near-miss-2017-no-anonymous-limit",
    ),
    pytest.param(
        "anonymous_near_limit",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="r1"), report("Liberalerna Ale", 2022, ALE, report_id="r2")],
            [],
            [_anon("r1", 2200), _anon("r1", 2300), _anon("r2", 2400)],
        ),
        [],
        id="near-miss-three-spread-over-two-reports",
    ),
    # ---- split_across_entities
    pytest.param(
        "split_across_entities",
        _three_orgs(),
        [{"year": 2022, "amount": 75000.0, "party": "Liberalerna", "severity": "medium",
          "orgs": ["Liberalerna Ale", "Liberalerna Borås", "Liberalerna Skåne"],
          "donors": ["Exempelbolaget AB"], "in_text": ["to 3 different organisations of Liberalerna",
                                                       "Each report shows only its own part", "worth a look"]}],
        id="one-company-three-organisations",
    ),
    pytest.param("split_across_entities", _three_orgs(party_c="Centerpartiet"), [], id="near-miss-two-of-one-party"),
    pytest.param("split_across_entities", _three_orgs(year_b=2021), [], id="near-miss-third-gift-another-year"),
    pytest.param(
        "split_across_entities",
        _three_orgs(donor_id=RIKS, donor="Liberalerna"),
        [],
        id="near-miss-national-party-funding-its-branches",
    ),
    # ---- intermediary_donor (0.5 pbb: 24 150 kr in 2022)
    pytest.param(
        "intermediary_donor",
        _one_report(gift("r1", 30000, "Påhittad Stiftelse", FOUNDATION, page=5)),
        [{"year": 2022, "amount": 30000.0, "donors": ["Påhittad Stiftelse"], "orgs": ["Liberalerna Borås"], "pages": [5],
          "severity": "low",
          "in_text": ["ideella föreningar och stiftelser", "not one of the party's own organisations",
                      "The report names this donor, as the law asks"]}],
        id="foundation-over-half-pbb",
    ),
    pytest.param(
        "intermediary_donor",
        _one_report(gift("r1", 20000, "Fiktiva Ekonomiska Föreningen", ECON_ASSOC), gift("r1", 10000, "Fiktiva Ekonomiska Föreningen", ECON_ASSOC)),
        [{"amount": 30000.0, "donors": ["Fiktiva Ekonomiska Föreningen"]}],
        id="economic-association-two-gifts-summed",
    ),
    pytest.param("intermediary_donor", _one_report(gift("r1", 24000, "Påhittad Stiftelse", FOUNDATION)), [], id="near-miss-foundation-under-half-pbb"),
    pytest.param("intermediary_donor", _one_report(gift("r1", 90000, "Exempelbolaget AB", COMPANY)), [], id="near-miss-company-is-not-an-association"),
    pytest.param(
        "intermediary_donor",
        tables(
            [report("Liberalerna Borås", 2022, BORAS, report_id="b"), report("Liberalerna Ale", 2022, ALE, report_id="a")],
            [],
            [gift("b", 90000, "Liberalerna Ale", ALE)],
        ),
        [],
        id="near-miss-own-party-association",
    ),
    pytest.param(
        "intermediary_donor",
        _shared_address(),
        [{"year": 2022, "amount": 56000.0, "party": "Liberalerna", "donors": ["Anna Testsson", "Bo Testsson"],
          "severity": "medium",
          "orgs": ["Liberalerna Borås", "Liberalerna Ale"], "in_text": ["2 donors registered at one address"]}],
        id="two-donors-one-address-same-party-year",
    ),
    pytest.param("intermediary_donor", _shared_address(year_b=2021), [], id="near-miss-shared-address-different-years"),
    pytest.param("intermediary_donor", _shared_address(address_b="Påhittegatan 3, 123 45 Borås"), [], id="near-miss-neighbours"),
    pytest.param(
        "intermediary_donor",
        _shared_address(donor_b=("Anna Testsson", "pnr:00000000000000a0")),
        [],
        id="near-miss-same-donor-twice",
    ),
    # ---- related_entity_income
    pytest.param(
        "related_entity_income",
        _one_report(lines=[line("r1", "1.4", 500000), line("r1", "8.2", 150000, page=6)]),
        [{"year": 2022, "amount": 150000.0, "severity": "low", "pages": [6], "orgs": ["Liberalerna Borås"]}],
        id="group-8-income",
    ),
    pytest.param("related_entity_income", _one_report(lines=[line("r1", "8.2", 0)]), [], id="near-miss-group-8-zero"),
    # ---- lottery_surge (election years 2018, 2019, 2022; floor 0.5 pbb)
    pytest.param(
        "lottery_surge",
        _lottery({2020: {"3.2": 20000}, 2021: {"3.3": 20000}, 2022: {"3.2": 40000, "3.3": 20000}, 2023: {"3.2": 20000}}),
        [{"year": 2022, "amount": 60000.0, "pages": [2], "orgs": ["Liberalerna Borås"],
          "in_text": ["3.0 times its median of 20 000 kr", "Riksdag election 11 Sep 2022"]}],
        id="election-year-three-times-median",
    ),
    pytest.param(
        "lottery_surge",
        _lottery({2020: {"3.2": 20000}, 2021: {"3.2": 20000}, 2022: {"3.2": 59000}, 2023: {"3.2": 20000}}),
        [],
        id="near-miss-2.95-times",
    ),
    pytest.param(
        "lottery_surge",
        _lottery({2020: {"3.2": 20000}, 2021: {"3.2": 90000}, 2023: {"3.2": 20000}}),
        [],
        id="near-miss-surge-outside-election-year",
    ),
    pytest.param(
        "lottery_surge",
        _lottery({2020: {"3.2": 1000}, 2021: {"3.2": 1000}, 2022: {"3.2": 20000}}),
        [],
        id="near-miss-below-half-pbb",
    ),
    pytest.param(
        "lottery_surge",
        _lottery({2020: {"3.1": 20000}, 2021: {"3.1": 20000}, 2022: {"3.1": 90000}}),
        [],
        id="near-miss-sales-are-not-lotteries",
    ),
    # ---- donor_concentration
    pytest.param(
        "donor_concentration",
        _concentration(60000, 40000),
        [{"year": 2022, "amount": 60000.0, "donors": ["Exempelbolaget AB"], "pages": [4],
          "in_text": ["60% of the income other than public support and membership fees", "100 000 kr"]}],
        id="one-donor-60-percent",
    ),
    pytest.param("donor_concentration", _concentration(50000, 50000), [{"amount": 50000.0}], id="exactly-half"),
    pytest.param("donor_concentration", _concentration(49000, 51000), [], id="near-miss-49-percent"),
    # ---- year_over_year_jump (1 pbb 2022: 48 300 kr)
    pytest.param(
        "year_over_year_jump",
        _income({2021: 20000, 2022: 100000}),
        [{"year": 2022, "amount": 100000.0, "orgs": ["Liberalerna Borås"],
          "in_text": ["from 20 000 kr in 2021 to 100 000 kr in 2022, 5.0 times",
                      "income other than public support and membership fees"]}],
        id="five-times-and-80000-more",
    ),
    pytest.param(
        "year_over_year_jump",
        _income({2017: 20000, 2018: 100000, 2019: 500000, 2020: 2500000}),
        [{"year": 2020, "amount": 2500000.0}],
        id="2018-left-out-of-both-comparisons",
    ),
    pytest.param("year_over_year_jump", _income({2018: 20000, 2019: 100000}), [], id="near-miss-2018-to-2019"),
    pytest.param("year_over_year_jump", _income({2021: 20000, 2022: 98000}), [], id="near-miss-4.9-times"),
    pytest.param("year_over_year_jump", _income({2021: 5000, 2022: 25000}), [], id="near-miss-five-times-but-under-1-pbb"),
    pytest.param("year_over_year_jump", _income({2020: 20000, 2022: 100000}), [], id="near-miss-not-consecutive-years"),
]


@pytest.mark.parametrize(("pattern", "tabs", "expected"), CASES)
def test_pattern_detector(pattern, tabs, expected):
    flags = run(pattern, tabs)
    assert all(f["pattern"] == pattern for f in flags)
    check(flags, expected)


def test_non_primary_copies_are_not_counted_twice():
    """An open-data copy of a PDF report (is_primary False) must not double a donor's organisations."""
    reps = [
        report("Liberalerna Borås", 2022, BORAS, report_id="b"),
        report("Liberalerna Borås", 2022, BORAS, report_id="b-od", source_kind="opendata", is_primary=False),
        report("Liberalerna Ale", 2022, ALE, report_id="a"),
    ]
    gifts = [gift(rid, 25000, "Exempelbolaget AB", COMPANY) for rid in ("b", "b-od", "a")]
    assert run("split_across_entities", tables(reps, [], gifts)) == []
    lines = [line("b", "3.1", 100000), line("b-od", "3.1", 100000), line("a", "3.1", 10)]
    assert [f["amount"] for f in run("donor_concentration", tables(reps, lines, gifts))] == [25000.0]
