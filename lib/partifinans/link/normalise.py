"""Donor names, addresses and identity numbers in the forms the matcher compares.

Comparison is lenient (case, diacritics, punctuation, word order, legal-form words), but nothing
here replaces the original spelling: callers keep the name as printed for output ("Bäck" is shown
as "Bäck" even though it compares equal to "Back").

The legal-form and marker words are data: ``legal_forms.csv`` beside this module.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import identifiers, privacy

LEGAL_FORMS_CSV = Path(__file__).with_name("legal_forms.csv")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPECIAL = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "ð": "d", "þ": "th", "ł": "l", "&": " och "})
# Identity numbers written inside a name: "Exempelbolaget AB (556677-8899)", "SE556677889901".
_ID_IN_NAME = re.compile(r"(?<![0-9A-Za-z])(?:SE\s?)?(?:\d{2})?\d{6}[-+ ]?\d{4}(?:01)?(?!\d)")
_POSTCODE = re.compile(r"(?<!\d)(\d{3}) ?(\d{2})(?!\d)")
_DIGITS = re.compile(r"\d+")
_ENTRANCE = re.compile(r"\b(\d+) ([a-z])\b")
_STREET_ABBREVIATIONS = (  # (what every match contains, the pattern, its replacement)
    ("g.", re.compile(r"(?<=[a-zåäö])g\.(?=\s|$|\d)"), "gatan "),
    ("v.", re.compile(r"(?<=[a-zåäö])v\.(?=\s|$|\d)"), "vägen "),
)


def fold(text: str) -> str:
    """Lower case, diacritics removed, every run of non-letters and non-digits one space.

    >>> fold("Bergström-Fastigheter  AB (publ)")
    'bergstrom fastigheter ab publ'
    """
    s = str(text).casefold()
    if not s.isascii() or "&" in s:  # else the table changes nothing
        s = s.translate(_FOLD_TABLE)
    if not s.isascii():  # letters outside the table: the slow, general way
        s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", s).strip()


def _fold_table() -> dict[int, str]:
    """Latin letters with diacritics (U+00C0-U+024F) to their base letters, plus ``_SPECIAL``."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        ch = chr(code).casefold()
        base = "".join(
            c for c in unicodedata.normalize("NFKD", ch.translate(_SPECIAL)) if not unicodedata.combining(c)
        )
        if base.isascii():
            table[code] = base
    table.update({ord(k): v for k, v in ((chr(k), v) for k, v in _SPECIAL.items())})
    return table


_FOLD_TABLE = _fold_table()


@dataclass(frozen=True, slots=True)
class LegalWords:
    """The phrases of ``legal_forms.csv``: folded phrase -> list of (role, value)."""

    phrases: dict[tuple[str, ...], tuple[tuple[str, str], ...]]
    longest: int
    starts: frozenset[str]  # the first word of every phrase


@lru_cache(maxsize=1)
def legal_words(path: str = str(LEGAL_FORMS_CSV)) -> LegalWords:
    phrases: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        for row in rows:
            key = tuple(fold(row["phrase"]).split())
            role = row["role"].strip()
            if role not in ("legal_form", "marker", "noise"):
                raise ValueError(f"{path}: unknown role {role!r} for {row['phrase']!r}")
            phrases.setdefault(key, []).append((role, (row["value"] or "").strip()))
    return LegalWords(
        {k: tuple(v) for k, v in phrases.items()}, max(len(k) for k in phrases), frozenset(k[0] for k in phrases)
    )


@dataclass(frozen=True, slots=True)
class Name:
    """A donor name as the matcher sees it.

    ``core`` is the folded name without legal-form, marker and noise words, its tokens sorted (so
    "Lindqvist, Anna-Karin" and "Anna Karin Lindqvist" have the same core); ``legal_forms`` and
    ``markers`` are the normal forms found; ``numbers`` the digit tokens ("Freja 8" is not "Freja 9").
    """

    core: str
    legal_forms: frozenset[str]
    markers: frozenset[str]
    numbers: tuple[str, ...]

    @property
    def key(self) -> str:
        """Exact-match key: core plus markers (legal forms are checked separately)."""
        return self.core + ("|" + ",".join(sorted(self.markers)) if self.markers else "")

    @property
    def looks_like_organisation(self) -> bool:
        return bool(self.legal_forms or self.markers)


_NO_WORDS: frozenset[str] = frozenset()
_WORD_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared(words: set[str]) -> frozenset[str]:
    """One frozenset object per distinct set of words: a million names hold a few dozen."""
    if not words:
        return _NO_WORDS
    fs = frozenset(words)
    return _WORD_SETS.setdefault(fs, fs)


@lru_cache(maxsize=500_000)
def parse_name(raw: str) -> Name:
    """Split a printed name into the parts the matcher compares. Never raises."""
    words = legal_words()
    tokens = fold(_ID_IN_NAME.sub(" ", raw)).split()
    core: list[str] = []
    forms: set[str] = set()
    markers: set[str] = set()
    i = 0
    while i < len(tokens):
        if tokens[i] not in words.starts:  # most words begin no phrase
            core.append(tokens[i])
            i += 1
            continue
        for n in range(min(words.longest, len(tokens) - i), 0, -1):
            hit = words.phrases.get(tuple(tokens[i : i + n]))
            if hit:
                for role, value in hit:
                    if role == "legal_form":
                        forms.add(value)
                    elif role == "marker":
                        markers.add(value)
                i += n
                break
        else:
            core.append(tokens[i])
            i += 1
    core.sort()
    return Name(
        " ".join(core),
        _shared(forms),
        _shared(markers),
        tuple(t for t in core if not t.isalpha()) or (),  # folded words: letters a-z and digits only
    )


def display_name(raw: str, parsed: Name | None = None) -> str:
    """The printed name with whitespace tidied and "Last, First" turned into "First Last".

    Only a single comma between two parts without digits and without legal-form words is read as
    "Last, First"; "Exempelbolaget, AB" and addresses are left alone. Diacritics and case are
    kept. ``parsed``: ``parse_name(raw)``, if the caller has it (without digits, the tidied name
    parses alike).
    """
    s = " ".join(str(raw).split())
    if s.count(",") == 1:
        last, first = (p.strip() for p in s.split(","))
        if last and first and not any(c.isdigit() for c in s):
            if not (parsed or parse_name(s)).looks_like_organisation:
                return f"{first} {last}"
    return s


def identifier_in_name(raw: str) -> str | None:
    """A valid identity number written inside a name, in its normal form, else None."""
    for m in _ID_IN_NAME.finditer(str(raw)):
        ident = identifiers.parse_identifier(m.group(0).replace(" ", ""))
        if ident is not None and ident.is_valid:
            return ident.value
    return None


def normalise_identifier(raw: str) -> tuple[str | None, str | None]:
    """``(identifier, kind)`` for a written number: orgnr ``NNNNNN-NNNN`` or a ``pnr:<hex>`` pseudonym.

    A personnummer in clear is pseudonymised here, so it never travels further than this function.
    An already pseudonymised ``pnr:...`` is kept. Invalid or unreadable numbers give ``(None, None)``:
    only valid numbers link deterministically.
    """
    s = str(raw).strip()
    if privacy.is_pseudonym(s):
        return s, "person"
    value, kind = _parse_identifier(s)
    if kind == "person":
        # not cached: the pseudonym depends on the key file, which a caller may change
        return privacy.pseudonymise(value), "person"
    return value, kind


@lru_cache(maxsize=200_000)
def _parse_identifier(s: str) -> tuple[str | None, str | None]:
    if not s:
        return None, None
    ident = identifiers.parse_identifier(s)
    if ident is None or not ident.is_valid:
        return None, None
    return ident.value, ("person" if ident.kind == "pnr" else "organisation")


@dataclass(frozen=True, slots=True)
class Address:
    """A printed address split into what can be compared.

    ``key`` is the whole address folded (street abbreviations "g." / "v." expanded, postcode
    without its space); ``street`` the folded street words without numbers; ``numbers`` the house
    and box numbers; ``postcode`` five digits; ``town`` the folded town.
    """

    key: str
    street: str
    numbers: tuple[str, ...]
    postcode: str
    town: str

    @property
    def block(self) -> str:
        """A coarse key: two addresses that can match share it (same numbers, street initial)."""
        if not self.street:
            return ""
        return " ".join(self.numbers) + "/" + self.street[:2]

    @property
    def is_specific(self) -> bool:
        """A street with a house or box number, or a street with a postcode: enough to tell two
        namesakes apart. A town alone is not."""
        return bool(self.street) and bool(self.numbers or self.postcode)

    @property
    def place(self) -> str:
        return self.town or (f"postnr {self.postcode}" if self.postcode else "")


EMPTY_ADDRESS = Address("", "", (), "", "")


@lru_cache(maxsize=500_000)
def parse_address(raw: str) -> Address:
    """Read "Storgatan 1, 123 45 Exempelstad" and its variants. Never raises."""
    s = " ".join(str(raw).split())
    if not s:
        return EMPTY_ADDRESS
    low = s.casefold()
    for abbreviation, pattern, repl in _STREET_ABBREVIATIONS:
        if abbreviation in low:
            low = pattern.sub(repl, low)
    parts = [p.strip() for p in low.split(",") if p.strip()]
    postcode = town = ""
    street_parts: list[str] = []
    for idx, part in enumerate(parts):
        if not postcode and (idx > 0 or len(parts) == 1) and (m := _POSTCODE.search(part)):
            postcode = m.group(1) + m.group(2)
            town = _fold_part(part[m.end() :])
            before = part[: m.start()].strip()
            if before:
                street_parts.append(before)
        elif idx == len(parts) - 1 and idx > 0 and not postcode and not _DIGITS.search(part):
            town = _fold_part(part)
        else:
            street_parts.append(part)
    if not street_parts and not postcode and len(parts) == 1:
        street_parts = parts
    street_text, street, numbers = _street(" ".join(p for p in street_parts if not p.startswith("c/o")))
    key = " ".join(x for x in (street_text, postcode, town) if x)
    return Address(key, street, numbers, _shared_value(postcode), town)


# An address's parts recur in many spellings of it (postcode with or without its space, no
# postcode, capitals): each part is read once. link_records clears these caches with parse_address's.
@lru_cache(maxsize=200_000)
def _street(text: str) -> tuple[str, str, tuple[str, ...]]:
    """The street part of an address: folded ("22 B" as "22b", one house number), its words
    without numbers, and its numbers."""
    street_text = _ENTRANCE.sub(r"\1\2", fold(text))
    words = street_text.split()
    numbers = tuple(t for t in words if t[0].isdigit())
    street = " ".join(t for t in words if not t[0].isdigit())
    return street_text, _shared_value(street), _shared_value(numbers)


@lru_cache(maxsize=50_000)
def _fold_part(text: str) -> str:
    """A town part of an address, folded."""
    return _shared_value(fold(text))


_VALUES: dict = {}


def _shared_value(value):
    """One object per distinct street, town, postcode, numbers: half a million addresses share them."""
    return _VALUES.setdefault(value, value)


def forget_shared_values() -> None:
    """Drop the shared values and the address parts read (``link_records`` calls this when it is done)."""
    _VALUES.clear()
    _street.cache_clear()
    _fold_part.cache_clear()
