"""Stage 3 of reading a report: typed values, recognised by their shape wherever they stand.

An identity number (``556677-8899``, ``18950318-4716``, ``950318+4716``, ``SE556677889901``), a date
(``values.parse_date``), a form of contribution (``maps/reports.yaml: forms``), an amount
(``values.parse_amount``) or an income-type code is what it looks like, whatever column or label
it stands under. A run of text printed over several columns is split into its values here.
"""

from __future__ import annotations

import re

from .. import identifiers, values
from .labels import Maps, norm
from .pdftext import Cell, Line

_ID = re.compile(r"^(?:\d{2})?\d{6}[-+]?\d{4}$")

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_GROUPED_AMOUNT = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f\u2009.]\d{3})+(?:,\d{1,2})?(?:\s*(?:kr|:-|,-))?$")

TEXT_COLUMNS = ("donor", "address")

def is_identity(text: str) -> bool:
    """Shaped like an organisationsnummer or personnummer (``556677-8899``, ``18950318-4716``,
    ``950318+4716``, ``SE556677889901``, ``16556677-8899``); an amount grouped in thousands is not one."""
    t = text.strip()
    if _GROUPED_AMOUNT.match(t):
        return False
    compact = t.replace(" ", "")
    return bool(_ID.match(compact)) or identifiers.parse_identifier(compact) is not None

def classify(text: str, maps: Maps) -> str | None:
    """The typed column a value belongs to by its shape (identity number, form, date, amount), or None."""
    t = text.strip()
    if not t:
        return None
    if is_identity(t):
        return "donor_id"
    if norm(t) in maps.forms:
        return "form"
    if values.parse_date(t) is not None and not t.replace(" ", "").isdigit():
        return "date"
    if any(ch.isdigit() for ch in t) or t in ("-", "\u2013"):
        if values.parse_amount(t) is not None:
            return "amount"
    return None

def line_amount(line: Line) -> float | None:
    """The amount in a line's last cell, or None."""
    if not line.cells:
        return None
    t = line.cells[-1].text
    if not any(ch.isdigit() for ch in t) and t.strip() not in ("-", "\u2013"):
        return None
    if ISO_DATE.search(t) or is_identity(t):
        return None
    return values.parse_amount(t)

# Letters an OCR layer reads for digits ("S14919-8904", "2O21-05-12") ...
DIGIT_LOOKALIKES = {"S": "5", "O": "0", "o": "0", "l": "1", "I": "1", "B": "8", "Z": "2"}
# ... and, in an income code, marks for its dot as well ("S.1" for 5.1, "5:2" for 5.2).
CODE_LOOKALIKES = str.maketrans(DIGIT_LOOKALIKES | {"s": "5", "z": "2", "|": "1", ":": ".", ",": "."})
_NUMBER_MARKS = set("0123456789-.,:")


def _swap_lookalike(text: str, spaces: bool = False) -> str | None:
    """``text`` with its one look-alike letter made a digit, or None when it holds anything but
    digits, number marks (and, with ``spaces``, white space) besides exactly one such letter."""
    letters = [ch for ch in text if ch not in _NUMBER_MARKS and not (spaces and ch.isspace())]
    if len(letters) != 1 or letters[0] not in DIGIT_LOOKALIKES:
        return None
    return text.replace(letters[0], DIGIT_LOOKALIKES[letters[0]])


def digits_for_lookalike(text: str) -> str | None:
    """A number with one letter an OCR layer read for a digit, repaired ("S14919-8904" ->
    "514919-8904"), or None. Only a word of at least four digits, one look-alike letter and
    nothing but digits and number marks besides: a house number ("12B") or a word is never touched.
    The caller warns; the check digit, the date or the sums then check the value."""
    return _swap_lookalike(text) if sum(ch.isdigit() for ch in text) >= 4 else None


_CURRENCY = re.compile(r"\s*(?:(?:kr|kronor|sek)\.?|:-|,-)$", re.IGNORECASE)


def amount_for_lookalike(text: str) -> str | None:
    """An amount with one letter an OCR layer read for a digit, repaired ("I 220kr" -> "1 220kr"), or
    None: besides its currency, only digits, spaces and number marks and one look-alike letter. Only
    for a cell in a table's amount column; the caller warns, and the sums check the value."""
    t = text.strip()
    suffix = _CURRENCY.search(t)
    body = t[:suffix.start()] if suffix else t
    fixed = _swap_lookalike(body, spaces=True) if any(ch.isdigit() for ch in body) else None
    if fixed is None:
        return None
    fixed += suffix.group(0) if suffix else ""
    return fixed if values.parse_amount(fixed) is not None else None


_DAMAGED_GROUPS = re.compile(r"^(\d{1,4})((?:[ .\u00a0-]\d{3})+)(,\d{2})?$")

def damaged_amount(text: str) -> float | None:
    """An amount whose digit grouping an OCR layer damaged ("1235 000", "3.027 000", "2941-000 kr",
    "3162 000:-"): digits in groups of three after a first group of up to four, any of space, dot or
    hyphen between. Only for a place where an amount must stand (an income line's amount cell); the
    caller warns, and the sums check it."""
    m = _DAMAGED_GROUPS.match(_CURRENCY.sub("", text.strip()))
    if not m:
        return None
    digits = m.group(1) + re.sub(r"\D", "", m.group(2))
    return float(digits) + (float("0." + m.group(3)[1:]) if m.group(3) else 0.0)

def has_item_shapes(line: Line, maps: Maps) -> bool:
    """True when a line holds an amount and, beside it, an identity number or a date: a row of an
    itemised table (wherever the amount stands: "920403+1059 | Pengar | 383 951,- 2020-06-01 | Namn")."""
    pieces = [p for c in line.cells for p in split_run(c, maps)]
    kinds = [classify(p.text, maps) for p in pieces]
    amounts = [p for p, k in zip(pieces, kinds, strict=True)
               if k == "amount" and (p.text.strip() not in ("-", "\u2013") or p is pieces[-1])]
    return bool(amounts) and any(k in ("donor_id", "date") for k in kinds)

_BARE_SMALL = re.compile(r"^\d{1,3}$")

def split_run(cell: Cell, maps: Maps, strong_only: bool = False) -> list[Cell]:
    """Split a run of text that covers several columns into values: typed values peeled off its end.

    With ``strong_only`` only identity numbers and dates are peeled off (a name such as "Brf Eken 4"
    keeps its number; "AB 523124-7676" is a name's tail and an identity number).
    """
    if classify(cell.text, maps) or len(cell.words) < 2:
        return [cell]
    for k in range(1, len(cell.words)):
        left, right = cell.split(k)
        kind = classify(right.text, maps)
        if kind == "amount" and _BARE_SMALL.match(right.text) and not classify(left.text, maps):
            continue  # "Brf Granen 2": a number that ends a name
        if kind and (not strong_only or kind in ("donor_id", "date")):
            return split_run(left, maps, strong_only) + [right]
    for k in range(len(cell.words) - 1, 0, -1):  # a value printed before text: "508 999,82 Stiftelsen X"
        left, right = cell.split(k)
        kind = classify(left.text, maps)
        if kind and (not strong_only or kind in ("donor_id", "date")):
            return [left] + split_run(right, maps, strong_only)
    if strong_only:  # a run made only of values ("188227 Other", "35 591 930318+5541") is split whatever
        parts = split_run(cell, maps, strong_only=False)
        kinds = [classify(p.text, maps) for p in parts]
        if len(parts) > 1 and all(kinds) and len(set(kinds)) == len(kinds):  # "123 45" is no two amounts
            return parts
    return [cell]

def is_income_header(line: Line, maps: Maps) -> bool:
    """The income table's own header ("Kod | Intäktstyp | Belopp (kr)", "Intäkt | Belopp, kronor"): no
    values, ends with the amount column, names no donor, identity or date column."""
    if len(line.cells) < 2 or any(classify(c.text, maps) for c in line.cells):
        return False
    names = [maps.column(c.text) for c in line.cells]
    return names[-1] == "amount" and not {"donor", "donor_id", "date", "address"} & set(names)
