"""``confidence`` and ``checks`` on every parsed report (extract/checks.py): what the reader verified."""

from pathlib import Path

from partifinans.extract import parse_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_a_report_that_adds_up_is_high_confidence():
    r = parse_pdf(FIXTURES / "wrapped_donor_name.pdf")
    assert r["confidence"] == "high"
    assert "the lines add up to the printed total 446912.50" in r["checks"]
    assert "the entries under 5.4 add up to its line 34567.00" in r["checks"]
    assert "the entries under 5.7 add up to its line 150000.00" in r["checks"]
    assert "nothing left unplaced" in r["checks"]


def test_a_total_that_does_not_add_up_is_low_confidence():
    r = parse_pdf(FIXTURES / "total_mismatch.pdf")
    assert r["confidence"] == "low"
    assert any(c.startswith("the lines do not add up to the printed total") for c in r["checks"])


def test_an_unknown_income_code_is_low_confidence():
    r = parse_pdf(FIXTURES / "unknown_label.pdf")
    assert r["confidence"] == "low"
    assert "3 warning(s): something was not read or not placed" in r["checks"]
