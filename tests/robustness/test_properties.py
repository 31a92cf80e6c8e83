"""Property-based tests: amount, date and identifier parsing take any string and give a value or a
clean refusal (None), never an exception; values written in any accepted spelling read back exactly.

Personnummer here are fictional: born 1890-1899, check digit computed with python-stdnum.
"""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from partifinans import identifiers as ids
from partifinans.values import parse_amount, parse_date

# Text that looks a little like what a report cell holds, plus anything at all.
_CELL_ALPHABET = st.sampled_from(
    list("0123456789 ,.-+:'kKrRsSeEnoaä")
    + ["\u00a0", "\u202f", "\u2009", "\u2007", "\u2212", "\u2013", "\u2014", "\u0663", "\uff11", "\n", "\t"]
)
cell_text = st.one_of(st.text(), st.text(_CELL_ALPHABET, max_size=30))

THOUSANDS = [" ", "\u00a0", "\u202f", "\u2009", "\u2007"]
FULL_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
               "oktober", "november", "december"]
SHORT_MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]

# Applied per test (not as a global profile, which would change other modules' hypothesis tests).
thorough = settings(max_examples=300, deadline=None)


# --- amounts ---------------------------------------------------------------------------------------


@thorough
@given(cell_text)
@example("١٢٣")  # Arabic-Indic digits
@example("9" * 400)  # a float that overflows to inf would be a wrong value, not a crash
@example("1 234 567,00 kronor.")
def test_parse_amount_never_raises(text):
    value = parse_amount(text)
    assert value is None or (isinstance(value, float) and math.isfinite(value))


@thorough
@given(st.one_of(st.none(), st.integers(), st.integers(min_value=10**300), st.floats(), st.booleans(), st.binary(max_size=20), st.lists(st.integers(), max_size=3)))
@example(10**400)
def test_parse_amount_any_object(obj):
    value = parse_amount(obj)
    assert value is None or isinstance(value, float)


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@thorough
@given(
    whole=st.integers(min_value=0, max_value=10**12),
    cents=st.integers(min_value=0, max_value=99),
    sep=st.sampled_from(THOUSANDS),
    negative=st.booleans(),
    suffix=st.sampled_from(["", " kr", " kronor", " SEK", "kr"]),
)
def test_amount_with_thousands_and_decimal_comma_reads_back(whole, cents, sep, negative, suffix):
    text = f"{'-' if negative else ''}{_group(whole, sep)},{cents:02d}{suffix}"
    value = parse_amount(text)
    assert value is not None, text
    sign = -1 if negative else 1
    # exact in cents: floats hold every integer number of öre up to 2**53
    assert round(value * 100) == sign * (whole * 100 + cents), text


@thorough
@given(
    whole=st.integers(min_value=1, max_value=10**12),
    sep=st.sampled_from(THOUSANDS + [""]),
    suffix=st.sampled_from(["", ":-", " :-", " kr"]),
)
def test_whole_amount_reads_back(whole, sep, suffix):
    text = _group(whole, sep) + suffix if sep else f"{whole}{suffix}"
    assert parse_amount(text) == float(whole), text


@thorough
@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_amount_from_int_is_the_int(n):
    assert parse_amount(n) == float(n)


# --- dates -----------------------------------------------------------------------------------------


@thorough
@given(cell_text)
@example("2022-05-03 25:61")
@example("0000-01-01")
@example("99 maj 2022")
@example("3 MAJ 2022")
@example("3 ma\u0130 2022")  # a capital dotted I lower-cases to two characters
def test_parse_date_never_raises(text):
    value = parse_date(text)
    if value is not None:
        assert dt.date.fromisoformat(value).isoformat() == value


dates = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))


@thorough
@given(dates, st.sampled_from(["iso", "iso-time", "compact", "words", "words-short"]))
def test_date_spellings_read_back(d, spelling):
    text = {
        "iso": d.isoformat(),
        "iso-time": f"{d.isoformat()} 00:00",
        "compact": f"{d.year:04d}{d.month:02d}{d.day:02d}",
        "words": f"{d.day} {FULL_MONTHS[d.month - 1]} {d.year}",
        "words-short": f"{d.day} {SHORT_MONTHS[d.month - 1].capitalize()}. {d.year}",
    }[spelling]
    assert parse_date(text) == d.isoformat(), text


# --- identifiers -----------------------------------------------------------------------------------


@thorough
@given(cell_text)
@example("SE١٢٣٤٥٦٧٨٩٠01")
@example("١٢٣٤٥٦-٧٨٩٠")
@example("16٥٥٦٦٧٧-٨٨٩٩")
@example("18910274-9802")
def test_identifier_functions_never_raise(text):
    ident = ids.parse_identifier(text)
    assert ident is None or ident.kind in ("orgnr", "pnr")
    org = ids.normalise_orgnr(text)
    assert org is None or (len(org) == 11 and org[6] == "-")
    pnr = ids.normalise_personnummer(text)
    assert pnr is None or (len(pnr) == 13 and pnr[8] == "-")
    group = ids.legal_form_group(text)
    assert group is None or group in ids.LEGAL_FORM_GROUPS.values()
    assert isinstance(ids.is_valid_orgnr(text), bool)
    assert isinstance(ids.is_foundation_or_association(text), bool)


@st.composite
def valid_orgnr_digits(draw) -> str:
    """Ten digits with a valid check digit and 20 or more in digits 3-4 (not a personnummer)."""
    first = draw(st.sampled_from("12356789"))
    body = first + draw(st.sampled_from("0123456789")) + str(draw(st.integers(20, 99)))
    body += "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=5, max_size=5)))
    return body + luhn.calc_check_digit(body)


@thorough
@given(valid_orgnr_digits(), st.sampled_from(["plain", "dash", "plus", "century", "century-dash", "vat", "spaced", "nbsp"]))
def test_valid_orgnr_normalises_in_every_spelling(digits, spelling):
    text = {
        "plain": digits,
        "dash": f"{digits[:6]}-{digits[6:]}",
        "plus": f"{digits[:6]}+{digits[6:]}",
        "century": f"16{digits}",
        "century-dash": f"16{digits[:6]}-{digits[6:]}",
        "vat": f"SE{digits}01",
        "spaced": f"  {digits[:6]} {digits[6:]} ",
        "nbsp": f"{digits[:6]}\u00a0{digits[6:]}",
    }[spelling]
    expected = f"{digits[:6]}-{digits[6:]}"
    assert ids.normalise_orgnr(text) == expected, text
    assert ids.parse_identifier(text) == ids.Identifier("orgnr", expected, True), text
    assert ids.legal_form_group(text) == ids.LEGAL_FORM_GROUPS.get(digits[0])


@thorough
@given(valid_orgnr_digits(), st.integers(1, 9))
def test_orgnr_with_wrong_check_digit_is_refused(digits, delta):
    wrong = digits[:9] + str((int(digits[9]) + delta) % 10)
    assert ids.normalise_orgnr(wrong) is None
    ident = ids.parse_identifier(wrong)
    assert ident is not None and ident.kind == "orgnr" and not ident.is_valid


@st.composite
def fictional_personnummer(draw) -> tuple[dt.date, str]:
    """(birth date, 10 digits YYMMDDNNN + check) for someone born 1890-1899."""
    born = draw(st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(1899, 12, 31)))
    serial = f"{draw(st.integers(0, 999)):03d}"
    body = born.strftime("%y%m%d") + serial
    return born, body + luhn.calc_check_digit(body)


@thorough
@given(fictional_personnummer(), st.sampled_from(["12", "12-dash", "10-plus"]))
def test_fictional_personnummer_normalises_in_every_spelling(pnr, spelling):
    born, digits = pnr
    century = born.strftime("%Y")[:2]
    text = {
        "12": f"{century}{digits}",
        "12-dash": f"{century}{digits[:6]}-{digits[6:]}",
        "10-plus": f"{digits[:6]}+{digits[6:]}",  # '+' marks someone aged 100 or more
    }[spelling]
    expected = f"{born.strftime('%Y%m%d')}-{digits[6:]}"
    assert ids.normalise_personnummer(text) == expected, text
    assert ids.parse_identifier(text) == ids.Identifier("pnr", expected, True), text
    assert ids.legal_form_group(text) is None
