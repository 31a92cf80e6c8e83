"""Identity numbers. Personnummer here are fictional: born in the 1890s, check digit computed."""

import pytest

from partifinans import identifiers as ids


@pytest.mark.parametrize(
    "text, kind, value, valid",
    [
        pytest.param("5566778899", "orgnr", "556677-8899", True, id="orgnr-10-digits"),
        pytest.param("556677-8899", "orgnr", "556677-8899", True, id="orgnr-dash"),
        pytest.param("16556677-8899", "orgnr", "556677-8899", True, id="orgnr-century-16"),
        pytest.param("SE556677889901", "orgnr", "556677-8899", True, id="orgnr-vat"),
        pytest.param(" 764500-1988 ", "orgnr", "764500-1988", True, id="orgnr-open-data-sample"),
        pytest.param("556677-8898", "orgnr", "556677-8898", False, id="orgnr-bad-check-digit"),
        pytest.param("189102149805", "pnr", "18910214-9805", True, id="pnr-12-digits"),
        pytest.param("18910214-9805", "pnr", "18910214-9805", True, id="pnr-12-dash"),
        pytest.param("18910274-9802", "pnr", "18910274-9802", True, id="samordningsnummer"),
        pytest.param("18910214-9806", "pnr", "18910214-9806", False, id="pnr-bad-check-digit"),
    ],
)
def test_parse_identifier(text, kind, value, valid):
    ident = ids.parse_identifier(text)
    assert (ident.kind, ident.value, ident.is_valid) == (kind, value, valid)


@pytest.mark.parametrize("text", ["", "abc", "12345", "Privat bidrag", None, "2022-05-03"])
def test_not_an_identifier(text):
    assert ids.parse_identifier(text) is None


@pytest.mark.parametrize(
    "orgnr, group",
    [
        pytest.param("212000-0142", "stat, regioner, kommuner", id="municipality"),
        pytest.param("556677-8899", "aktiebolag", id="company"),
        pytest.param("764500-1988", "ekonomiska föreningar, bostadsrättsföreningar", id="economic-association"),
        pytest.param("802000-1111", "ideella föreningar och stiftelser", id="association"),
        pytest.param("18910214-9805", None, id="personnummer-has-no-legal-form"),
    ],
)
def test_legal_form_group(orgnr, group):
    assert ids.legal_form_group(orgnr) == group


def test_foundation_or_association():
    assert ids.is_foundation_or_association("802000-1111")
    assert ids.is_foundation_or_association("764500-1988")
    assert not ids.is_foundation_or_association("556677-8899")
    assert not ids.is_foundation_or_association(None)


def test_normalise_rejects_invalid():
    assert ids.normalise_orgnr("556677-8898") is None
    assert ids.normalise_personnummer("18910214-9806") is None
    assert ids.normalise_personnummer("189102149805") == "18910214-9805"
