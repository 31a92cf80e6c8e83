"""Legal parameters as data.

Every number the law sets (price base amounts, thresholds, deadline, sanction fees) lives in
``law.csv`` beside this module, one row per parameter with its source. Code asks this module;
it never writes such a number itself.

Terms: *pbb* (prisbasbelopp) is the price base amount; thresholds are fractions of the pbb in force
at the end of the reporting year (lag 2018:90, 2 §).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from importlib import resources

THRESHOLDS = {
    "small": "small_gift_fraction",  # 0.005 pbb: gifts up to this reported as a total (5.1)
    "anonymous": "anonymous_limit_fraction",  # 0.05 pbb: anonymous gifts above are forbidden
    "identity": "identity_limit_fraction",  # 0.5 pbb: gifts above reported with identity
    "membership_fee": "membership_fee_fraction",  # 0.01 pbb per member
}


@lru_cache(maxsize=1)
def table() -> list[dict]:
    """The rows of law.csv: parameter, year (int or None), value (float), unit, source."""
    text = resources.files("partifinans").joinpath("law.csv").read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        rows.append(
            {
                "parameter": row["parameter"],
                "year": int(row["year"]) if row["year"] else None,
                "value": float(row["value"]),
                "unit": row["unit"],
                "source": row["source"],
            }
        )
    return rows


def parameter(name: str, year: int | None = None) -> float:
    """The value of a parameter; for a yearly one (pbb) give the year."""
    for row in table():
        if row["parameter"] == name and row["year"] == year:
            return row["value"]
    if year is not None:
        raise KeyError(f"no value of {name!r} for {year} in law.csv")
    raise KeyError(f"no parameter {name!r} in law.csv")


def source(name: str, year: int | None = None) -> str:
    for row in table():
        if row["parameter"] == name and row["year"] == year:
            return row["source"]
    raise KeyError(name)


def years() -> list[int]:
    return sorted(r["year"] for r in table() if r["parameter"] == "pbb")


def pbb(year: int) -> float:
    """Price base amount (SEK) in force for reporting year ``year``."""
    return parameter("pbb", int(year))


def threshold(year: int, which: str = "identity") -> float:
    """A threshold in SEK for a reporting year.

    ``which`` is ``"small"`` (0.005 pbb), ``"anonymous"`` (0.05 pbb), ``"identity"`` (0.5 pbb) or
    ``"membership_fee"`` (0.01 pbb). Example: ``threshold(2024, "anonymous") == 2865.0``.
    """
    try:
        name = THRESHOLDS[which]
    except KeyError:
        raise ValueError(f"unknown threshold {which!r}; expected one of {sorted(THRESHOLDS)}") from None
    return round(parameter(name) * pbb(year), 2)


def deadline(year: int) -> dt.date:
    """Last day to submit the report for reporting year ``year`` (1 July the following year)."""
    return dt.date(int(year) + 1, int(parameter("deadline_month")), int(parameter("deadline_day")))


def late_fee(level: str | None, role: str | None) -> float | None:
    """Förseningsavgift for a late report, by reporter level and role; None if unknown."""
    if role in ("ledamot", "ersattare"):
        return parameter("fee_late_member")
    if level in ("riks", "eu"):
        return parameter("fee_late_riks")
    if level in ("region", "kommun"):
        return parameter("fee_late_local")
    return None


def incorrect_fee(level: str | None, role: str | None) -> float | None:
    """Särskild avgift for an incorrect report."""
    if role in ("ledamot", "ersattare"):
        return parameter("fee_incorrect_local")
    if level in ("riks", "eu"):
        return parameter("fee_incorrect_riks")
    if level in ("region", "kommun"):
        return parameter("fee_incorrect_local")
    return None


def omitted_income_fee(amount: float) -> float:
    """Fee for income left out of a report: the amount, at most the cap."""
    return float(min(max(amount, 0.0), parameter("fee_omitted_max")))


def anonymous_fee(amount: float, year: int) -> float:
    """Fee for a forbidden anonymous contribution: twice the part above 0.05 pbb."""
    excess = max(float(amount) - threshold(year, "anonymous"), 0.0)
    return round(parameter("fee_anonymous_factor") * excess, 2)
