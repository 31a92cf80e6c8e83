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
        assert "REPORTS.md" in law.source("pbb", year)


def test_every_row_cites_a_source():
    assert all(row["source"].strip() for row in law.table())


def test_unknown_year_and_threshold_are_clear_errors():
    with pytest.raises(KeyError, match="2013"):
        law.pbb(2013)
    with pytest.raises(ValueError, match="unknown threshold"):
        law.threshold(2022, "huge")


def test_deadline_is_1_july_the_following_year():
    assert law.deadline(2022) == dt.date(2023, 7, 1)


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


def test_anonymous_fee_is_twice_the_excess():
    # 2024: limit 2 865 kr; a 5 000 kr anonymous gift -> 2 x 2 135
    assert law.anonymous_fee(5000, 2024) == 4270.0
    assert law.anonymous_fee(2000, 2024) == 0.0


def test_omitted_income_fee_is_capped():
    assert law.omitted_income_fee(40000) == 40000.0
    assert law.omitted_income_fee(250000) == 100000.0
