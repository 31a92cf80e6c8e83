import pytest

from partifinans.values import parse_amount, parse_date


@pytest.mark.parametrize(
    "text, sek",
    [
        pytest.param("1 234 567,00", 1234567.0, id="space-thousands-decimal-comma"),
        pytest.param("1234567", 1234567.0, id="plain"),
        pytest.param("1 234 567 kr", 1234567.0, id="kr-suffix"),
        pytest.param("125 000:-", 125000.0, id="colon-dash"),
        pytest.param("168800000,00", 168800000.0, id="open-data-style"),
        pytest.param("1\u00a0234", 1234.0, id="no-break-space"),
        pytest.param("1\u2009234\u2009567", 1234567.0, id="thin-space"),
        pytest.param("1\u202f234,50", 1234.5, id="narrow-no-break-space"),
        pytest.param("-", 0.0, id="dash-is-zero"),
        pytest.param("", 0.0, id="blank-is-zero"),
        pytest.param("12,5", 12.5, id="one-decimal"),
        pytest.param("-2 500", -2500.0, id="negative"),
        pytest.param("35 000,-", 35000.0, id="comma-dash"),
        pytest.param("125.000:-", 125000.0, id="dot-thousands-colon-dash"),
        pytest.param("1 250 000 kr", 1250000.0, id="kr-suffix-millions"),
        pytest.param("292.120,50", 292120.5, id="dot-thousands-decimal-comma"),
        pytest.param("3 400:-", 3400.0, id="small-colon-dash"),
        pytest.param("SEK 1 365 838", 1365838.0, id="sek-prefix"),
        pytest.param("kr 500", 500.0, id="kr-prefix"),
        pytest.param("SEK 24 150 SEK 692 418", None, id="two-amounts-in-one-run"),
        pytest.param("abc", None, id="not-an-amount"),
        pytest.param("12,345,678", None, id="ambiguous-commas"),
    ],
)
def test_parse_amount(text, sek):
    assert parse_amount(text) == sek


@pytest.mark.parametrize(
    "text, iso",
    [
        pytest.param("2022-05-03", "2022-05-03", id="iso"),
        pytest.param("2022-05-03 00:00", "2022-05-03", id="iso-with-time"),
        pytest.param("3 maj 2022", "2022-05-03", id="swedish-words"),
        pytest.param("31 december 2021", "2021-12-31", id="december"),
        pytest.param("15/3 2019", "2019-03-15", id="day-slash-month-space-year"),
        pytest.param("15.03.2019", "2019-03-15", id="day-dot-month-dot-year"),
        pytest.param("15/3/2019", "2019-03-15", id="day-slash-month-slash-year"),
        pytest.param("17 april 2024", "2024-04-17", id="april-words"),
        pytest.param("31.02.2019", None, id="no-such-day-dotted"),
        pytest.param("2 January 2020", "2020-01-02", id="english-day-month"),
        pytest.param("May 16, 2020", "2020-05-16", id="english-month-day"),
        pytest.param("2022-02-30", None, id="no-such-day"),
        pytest.param("igår", None, id="not-a-date"),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("9" * 400, id="hundreds-of-digits-overflow-to-inf"),
        pytest.param(10**400, id="int-beyond-float-range"),
    ],
)
def test_parse_amount_refuses_overflow(value):
    """Falsifying examples found by tests/robustness/test_properties.py: inf or OverflowError before."""
    assert parse_amount(value) is None


@pytest.mark.parametrize(
    "amount, printed",
    [
        pytest.param(1234567.5, "1 234 567,50 kr", id="ore_when_present"),
        pytest.param(1234567.0, "1 234 567 kr", id="whole_kronor"),
        pytest.param(125000, "125 000 kr", id="int"),
        pytest.param(-2275.5, "-2 275,50 kr", id="negative"),
        pytest.param(0.004, "0 kr", id="below_one_ore"),
        pytest.param(2578.5, "2 578,50 kr", id="ore"),
        pytest.param(1790530.004, "1 790 530 kr", id="rounding-noise"),
        pytest.param(0, "0 kr", id="zero"),
        pytest.param(None, "–", id="missing"),
        pytest.param(float("nan"), "–", id="nan"),
    ],
)
def test_format_sek_is_the_one_amount_format(amount, printed):
    from partifinans.values import format_sek

    assert format_sek(amount) == printed
    if amount is not None and amount == amount:
        assert parse_amount(printed) == pytest.approx(round(amount, 2))
