"""Reading amounts and dates as they are written in the reports (Kammarkollegiet's e-service
reports, the 2014 form KAM11001 printed to PDF, and the open-data file's decimal comma).

Both functions take any string and return a value or ``None``; they never raise.
"""

from __future__ import annotations

import datetime as dt
import re

# Thousands separators seen: space, no-break space, narrow no-break space, thin space, apostrophe, dot.
_SPACES = "\u0020\u00a0\u202f\u2009\u2007'"
_AMOUNT = re.compile(
    r"^(?P<sign>[-\u2212])?\s*(?P<int>\d{1,3}(?:[ .]\d{3})+|\d+)(?:[,.](?P<dec>\d{1,2}))?$"
)
_ZERO = {"", "-", "\u2013", "\u2014", "0"}

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # English, as reports written in English (or by English-speaking software) print them
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8, "october": 10,
    "oct": 10,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-zåäö]+)\.?\s+(\d{4})$", re.IGNORECASE)
# Day first with numbers: "15.03.2019", "15/3/2019", "15/3 2019", "15-03-2019" (never month first: Swedish).
_MONTH_FIRST = re.compile(r"^([a-zåäö]+)\.?\s+(\d{1,2}),?\s+(\d{4})$", re.IGNORECASE)  # "May 16, 2020"
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-]|\s+)(\d{4})$")


def parse_amount(text: object) -> float | None:
    """An amount in SEK from ``1 234 567,00``, ``1234567``, ``1 234 567 kr``, ``SEK 1 234 567``, ``125 000:-``, ``35 000,-``,
    ``292.120,50``, ...

    ``-`` or blank means zero. Returns None for text that is not an amount.
    """
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        try:
            return float(text)
        except OverflowError:  # an int beyond float range is not an amount
            return None
    s = str(text).strip()
    for sep in _SPACES[1:]:
        s = s.replace(sep, " ")
    s = re.sub(r"\s*(?:kr|kronor|sek)\.?$", "", s, flags=re.IGNORECASE).strip()
    s = re.sub(r"^(?:sek|kr\.?)\s+(?=[\d-])", "", s, flags=re.IGNORECASE)  # "SEK 1 365 838": the currency first
    s = re.sub(r"\s*[:,.]-$", "", s).strip()  # "125 000:-", "35 000,-", "35.000.-"
    if s in _ZERO:
        return 0.0
    m = _AMOUNT.match(s)
    if not m:
        return None
    integer = m.group("int").replace(" ", "").replace(".", "")
    dec = m.group("dec") or "0"
    if "." in m.group("int") and m.group("dec") is None and not re.search(r"\.\d{3}$", m.group("int")):
        return None
    value = float(f"{integer}.{dec}")
    if value == float("inf"):  # hundreds of digits: not an amount
        return None
    return -value if m.group("sign") else value


def parse_date(text: object) -> str | None:
    """An ISO date ``YYYY-MM-DD`` from ``2022-05-03``, ``2022-05-03 00:00``, ``3 maj 2022``, ``3.5.2022``,
    ``3/5 2022``; else None."""
    if text is None:
        return None
    s = " ".join(str(text).strip().split())
    y = mo = d = None
    m = _ISO.match(s) or _COMPACT.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _WORDS.match(s)
        if m and m.group(2).lower() in MONTHS:
            d, mo, y = int(m.group(1)), MONTHS[m.group(2).lower()], int(m.group(3))
        elif m := _DAY_FIRST.match(s):
            d, mo, y = (int(g) for g in m.groups())
        elif (m := _MONTH_FIRST.match(s)) and m.group(1).lower() in MONTHS:
            d, mo, y = int(m.group(2)), MONTHS[m.group(1).lower()], int(m.group(3))
    if y is None:
        return None
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def format_sek(amount: object, missing: str = "–") -> str:
    """The one way partifinans prints an amount: ``1 234 567 kr``, ``1 234 567,50 kr`` (öre only
    when there are any), thousands separated by a space, a decimal comma. ``missing`` for None/NaN."""
    if amount is None:
        return missing
    try:
        amount = float(amount)
    except (TypeError, ValueError):
        return missing
    if amount != amount:  # NaN
        return missing
    if abs(amount - round(amount)) < 0.005:
        text = f"{round(amount):,}"
    else:
        text = f"{amount:,.2f}"
    return text.replace(",", " ").replace(".", ",") + " kr"
