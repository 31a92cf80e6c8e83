"""Swedish identity numbers through python-stdnum (no hand-written Luhn).

- Organisationsnummer: 10 digits ``NNNNNN-NNNN``; written in the wild as ``5566778899``,
  ``556677-8899``, ``16556677-8899`` (century prefix 16) or as a VAT number ``SE556677889901``.
  The first digit gives the legal-form group (Skatteverket, "Organisationsnummer", SKV 709).
- Personnummer: ``YYMMDD-NNNN`` or ``YYYYMMDD-NNNN``; samordningsnummer add 60 to the day.

A personnummer is sensitive personal data (a donation reveals a political opinion): callers that
write tables must pass it through ``privacy.pseudonymise`` and never store it in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.se import personnummer as _pnr

LEGAL_FORM_GROUPS = {
    "1": "dödsbon",
    "2": "stat, regioner, kommuner",
    "3": "utländska företag",
    "5": "aktiebolag",
    "6": "enkla bolag",
    "7": "ekonomiska föreningar, bostadsrättsföreningar",
    "8": "ideella föreningar och stiftelser",
    "9": "handelsbolag, kommanditbolag",
}

_DIGITS = re.compile(r"\d")
_TEN_DIGITS = re.compile(r"(\d{2})?(\d{6})[-+]?(\d{4})")


@dataclass(frozen=True)
class Identifier:
    """A parsed identity number.

    ``kind`` is ``"orgnr"`` or ``"pnr"``; ``value`` is the normal form (``NNNNNN-NNNN`` for an
    organisationsnummer, ``YYYYMMDD-NNNN`` for a personnummer when its century is known, else
    ``YYMMDD-NNNN``); ``is_valid`` tells whether the check digit (and for a personnummer the date)
    passed.
    """

    kind: str
    value: str
    is_valid: bool


def _ten_digits(text: str) -> tuple[str | None, str] | None:
    """Split a written number into (century or None, 10 digits), or None if it has another shape."""
    s = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if s.upper().startswith("SE") and len(s) == 14 and s[2:].isdigit() and s.endswith("01"):
        return None, s[2:12]
    m = _TEN_DIGITS.fullmatch(s)
    if not m:
        return None
    return m.group(1), m.group(2) + m.group(3)


def is_valid_orgnr(text: str) -> bool:
    return normalise_orgnr(text) is not None


@lru_cache(maxsize=100_000)
def is_valid_orgnr_digits(digits: str) -> bool:
    """The check digit of ten digits, and not a birth date: asked once per number, however many
    ways it is written (``5566778899``, ``556677-8899``, ``16556677-8899``, ``SE556677889901``).
    For ten digits without separators python-stdnum's ``orgnr.validate`` is its Luhn check on
    ASCII digits; called directly, without the generic cleaning of the spelling."""
    return digits.isascii() and luhn.is_valid(digits) and not _looks_like_personnummer(digits)


def _looks_like_personnummer(digits: str) -> bool:
    """An organisationsnummer has 20 or more in digits 3-4; a personnummer has its birth month there.

    (A sole trader's organisationsnummer is its owner's personnummer, so it is personal data too.)
    """
    return int(digits[2:4]) < 20


def format_orgnr(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"


def normalise_orgnr(text: str) -> str | None:
    """``NNNNNN-NNNN`` for any accepted spelling of a valid organisationsnummer, else None."""
    parsed = _ten_digits(text)
    if parsed is None:
        return None
    century, digits = parsed
    if century not in (None, "16") or not is_valid_orgnr_digits(digits):
        return None
    return format_orgnr(digits)


def is_valid_personnummer(text: str) -> bool:
    return normalise_personnummer(text) is not None


def _samordningsnummer(s: str) -> str | None:
    """A samordningsnummer (day + 60) as ``YYYYMMDD-NNNN``; python-stdnum's personnummer rejects them."""
    m = re.fullmatch(r"(\d{2})?(\d{2})(\d{2})(\d{2})[-+]?(\d{4})", s)
    if not m or int(m.group(4)) <= 60:
        return None
    century, yy, mm, dd, tail = m.groups()
    if not luhn.is_valid(yy + mm + dd + tail):
        return None
    if century is None:
        return None  # without the century the birth date is ambiguous; be strict
    try:
        dt.date(int(century + yy), int(mm), int(dd) - 60)
    except ValueError:
        return None
    return f"{century}{yy}{mm}{dd}-{tail}"


def normalise_personnummer(text: str) -> str | None:
    """``YYYYMMDD-NNNN`` for a valid personnummer or samordningsnummer, else None."""
    s = str(text).strip()
    samordning = _samordningsnummer(s)
    if samordning:
        return samordning
    try:
        s = _pnr.validate(s)
    except (ValidationError, ValueError):
        return None
    digits = "".join(_DIGITS.findall(s))
    if len(digits) == 12:
        return f"{digits[:8]}-{digits[8:]}"
    # 10 digits: derive the century from the birth date ('+' marks age 100 or more).
    birth = _pnr.get_birth_date(s)
    return f"{birth.year:04d}{digits[2:6]}-{digits[6:]}"


def legal_form_group(orgnr: str) -> str | None:
    """The legal-form group named by the first digit of an organisationsnummer."""
    ident = parse_identifier(orgnr)
    if ident is None or ident.kind != "orgnr":
        return None
    return LEGAL_FORM_GROUPS.get(ident.value[0])


def is_foundation_or_association(orgnr: str | None) -> bool:
    """True when the number's first digit is 7 or 8 (economic / non-profit associations, foundations)."""
    if not orgnr:
        return False
    ident = parse_identifier(orgnr)
    return ident is not None and ident.kind == "orgnr" and ident.value[0] in "78"


def parse_identifier(text: str | None) -> Identifier | None:
    """Classify a written identity number.

    Returns None for text that is not shaped like a Swedish identity number at all. For something
    shaped like one, returns an :class:`Identifier` whose ``is_valid`` says whether it passed.
    Never raises on any string.
    """
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    parsed = _ten_digits(s)
    if parsed is None:
        return None
    century, digits = parsed
    if century in ("18", "19", "20") or (century is None and _looks_like_personnummer(digits)):
        pnr = normalise_personnummer(s)
        if pnr:
            return Identifier("pnr", pnr, True)
        return Identifier("pnr", s, False)
    if century not in (None, "16"):
        return None
    return Identifier("orgnr", format_orgnr(digits), is_valid_orgnr_digits(digits))


def make_id(*parts: object, length: int = 16) -> str:
    """A stable id hashed from the given components (as followthemoney's ``make_id``).

    Every id partifinans derives goes through here: the same parts give the same id on any machine
    and in any run, whatever the row order or the file's name. ``None`` and missing values (NaN,
    ``pd.NA``) count as the empty string; a float is rounded to öre and a whole one written as an
    integer, so ``125000`` and ``125000.0`` agree. Never pass a personnummer in clear (pass its
    ``pnr:`` pseudonym).
    """
    joined = "\x1f".join(_id_text(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def _id_text(part: object) -> str:
    if part is None or part is pd.NA or part is pd.NaT:
        return ""
    if hasattr(part, "item") and not isinstance(part, (str, bytes)):
        try:
            part = part.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(part, float):
        if math.isnan(part):
            return ""
        part = round(part, 2)
        return repr(int(part)) if part == int(part) else repr(part)
    return str(part)
