import datetime as dt

import pytest

from partifinans import law


@pytest.mark.parametrize(
    "year, which, sek",
    [
        pytest.param(2014, "identity", 22200.0, id="2014-half-pbb"),
        pytest.param(2015, "small", 222.5, id="2015-small-gift"),
        pytest.param(2021, "small", 238.0, id="2021-238-kr-a-day"),
        pytest.param(2023, "small", 262.5, id="2023-small-gift"),
        pytest.param(2024, "anonymous", 2865.0, id="2024-anonymous-limit"),
        pytest.param(2024, "identity", 28650.0, id="2024-5.7-label-amount"),
        pytest.param(2026, "identity", 29600.0, id="2026-half-pbb"),
        pytest.param(2022, "membership_fee", 483.0, id="2022-membership-fee"),
    ],
)
def test_threshold(year, which, sek):
    assert law.threshold(year, which) == sek


def test_every_year_2014_2026_has_a_price_base_amount_with_a_source():
    assert law.years() == list(range(2014, 2027))
    for year in law.years():
        assert law.pbb(year) > 40000
        assert "socialförsäkringsbalken (2010:110) 2 kap. 6-7 §§" in law.source("pbb", year)
    assert "SFS 2025:872" in law.source("pbb", 2026)


def test_every_row_cites_a_primary_source_never_the_project_brief():
    for row in law.table():
        assert row["source"].strip(), row
        assert "REPORTS.md" not in row["source"], row
        assert "Lag (" in row["source"] or "lag (" in row["source"] or "Kammarkollegiet" in row["source"], row


def test_every_fee_row_says_the_years_it_applies_to():
    fees = [r for r in law.table() if r["parameter"].startswith("fee_")]
    assert len(fees) == 7
    assert {r["first_year"] for r in fees} == {2018}
    assert law.late_fee("riks", "parti", 2018) == 10000.0
    assert law.late_fee("riks", "parti", 2017) is None  # the fees of lag (2014:105) are not in law.csv
    assert law.incorrect_fee("kommun", "parti", 2016) is None


def test_anonymous_ban_applies_from_2018_only():
    assert law.in_force("anonymous_limit_fraction", 2018)
    assert not law.in_force("anonymous_limit_fraction", 2017)
    assert law.anonymous_return_deadline(2022) == dt.date(2023, 3, 31)


def test_unknown_year_and_threshold_are_clear_errors():
    with pytest.raises(KeyError, match="2013"):
        law.pbb(2013)
    with pytest.raises(ValueError, match="unknown threshold"):
        law.threshold(2022, "huge")


@pytest.mark.parametrize(
    "year, deadline",
    [
        pytest.param(2021, dt.date(2022, 7, 1), id="2022-friday"),
        pytest.param(2022, dt.date(2023, 7, 3), id="2023-saturday-moves-to-monday"),
        pytest.param(2016, dt.date(2017, 7, 3), id="2017-saturday"),
        pytest.param(2017, dt.date(2018, 7, 2), id="2018-sunday"),
        pytest.param(2027, dt.date(2028, 7, 3), id="2028-saturday"),
        pytest.param(2028, dt.date(2029, 7, 2), id="2029-sunday"),
    ],
)
def test_deadline_is_1_july_or_the_next_weekday(year, deadline):
    assert law.nominal_deadline(year) == dt.date(year + 1, 7, 1)
    assert law.deadline(year) == deadline


@pytest.mark.parametrize(
    "day, weekday",
    [
        pytest.param(dt.date(2023, 4, 7), False, id="good-friday-2023"),
        pytest.param(dt.date(2023, 4, 10), False, id="easter-monday-2023"),
        pytest.param(dt.date(2024, 6, 21), False, id="midsommarafton-2024"),
        pytest.param(dt.date(2023, 12, 29), True, id="friday-before-nyarsafton"),
        pytest.param(dt.date(2025, 12, 31), False, id="nyarsafton-wednesday"),
        pytest.param(dt.date(2025, 6, 6), False, id="national-day"),
        pytest.param(dt.date(2025, 6, 5), True, id="ordinary-thursday"),
    ],
)
def test_holidays_under_lag_1930_173(day, weekday):
    assert law.is_weekday(day) is weekday


@pytest.mark.parametrize(
    "party, role, level, year, duty, why",
    [
        pytest.param("Liberalerna", "parti", "riks", 2022, "every_year", "seats in the Riksdag (20 after the 2018 election",
                     id="riksdag-party"),
        pytest.param("Folkpartiet liberalerna", "parti", "riks", 2015, "every_year", "lag (2014:105)", id="old-name-2014-law"),
        pytest.param("Centerpartiet", "sidoorganisation", "riks", 2019, "every_year", "national side organisation",
                     id="side-organisation-2018-law"),
        pytest.param("Centerpartiet", "sidoorganisation", "riks", 2017, "none", "did not report under lag (2014:105)",
                     id="side-organisation-before-2018"),
        pytest.param("Feministiskt initiativ", "parti", "riks", 2019, "every_year", "European Parliament (1 after the 2014",
                     id="eu-seat-until-2019"),
        pytest.param("Feministiskt initiativ", "parti", "riks", 2020, "threshold", "held no seats", id="lost-its-seat"),
        pytest.param("Centerpartiet", "parti", "kommun", 2020, "threshold", "below national level", id="local"),
        pytest.param("Centerpartiet", "parti", "kommun", 2016, "none", "did not report under lag (2014:105)",
                     id="local-before-2018"),
        pytest.param("Moderaterna", "ledamot", "riks", 2020, "threshold", "members and substitutes", id="member"),
    ],
)
def test_reporting_duty(party, role, level, year, duty, why):
    kind, reason = law.reporting_duty(party, role, level, year)
    assert kind == duty
    assert why in reason


def test_seats_table_has_349_riksdag_seats_per_election_and_a_source_per_row():
    by_election = {}
    for row in law.seats_table():
        assert row["source"].startswith("Valmyndigheten"), row
        by_election.setdefault((row["body"], row["election_date"]), 0)
        by_election[(row["body"], row["election_date"])] += row["seats"]
    assert {n for (body, _), n in by_election.items() if body == "riksdag"} == {349}
    assert by_election[("eu", dt.date(2024, 6, 9))] == 21


@pytest.mark.parametrize(
    "level, role, late, incorrect",
    [
        pytest.param("riks", "parti", 10000.0, 20000.0, id="national-party"),
        pytest.param("eu", "sidoorganisation", 10000.0, 20000.0, id="eu-side-organisation"),
        pytest.param("kommun", "parti", 2500.0, 5000.0, id="municipal"),
        pytest.param("region", "parti", 2500.0, 5000.0, id="regional"),
        pytest.param("kommun", "ledamot", 500.0, 5000.0, id="member"),
        pytest.param(None, None, None, None, id="unknown"),
    ],
)
def test_fees(level, role, late, incorrect):
    assert law.late_fee(level, role) == late
    assert law.incorrect_fee(level, role) == incorrect
    assert law.late_fee(level, role, 2022) == late


def test_anonymous_fee_is_twice_the_excess():
    # 2024: limit 2 865 kr; a 5 000 kr anonymous gift -> 2 x 2 135
    assert law.anonymous_fee(5000, 2024) == 4270.0
    assert law.anonymous_fee(2000, 2024) == 0.0


def test_omitted_income_fee_is_capped():
    assert law.omitted_income_fee(40000) == 40000.0
    assert law.omitted_income_fee(250000) == 100000.0


def test_fees_are_described_in_words_with_amount_years_and_source():
    fees = {f["fee"]: f for f in law.fees()}
    late = fees["Late report: party or side organisation at Riksdag / European Parliament level"]
    assert (late["amount"], late["applies"]) == ("10 000 kr", "from 2018")
    assert "Sanktionsavgifter" in late["source"]
    assert len(fees) == 7 and not any(f["fee"].startswith("fee_") for f in fees.values())
