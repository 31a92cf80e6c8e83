"""Legal parameters as data.

Every number the law sets (price base amounts, thresholds, deadline, sanction fees) lives in
``law.csv`` beside this module, one row per parameter with its primary source and the reporting
years it applies to (``first_year`` / ``last_year``, empty = open). The parties that held seats
in the Riksdag and the European Parliament after each election live in ``seats.csv`` (with the
election authority's results as source). Code asks this module; it never writes such a number
itself.

Terms: *pbb* (prisbasbelopp) is the price base amount; thresholds are fractions of the pbb in force
at the end of the reporting year (lag 2018:90, 2 §).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from importlib import resources

import holidays

THRESHOLDS = {
    "small": "small_gift_fraction",  # 0.005 pbb: gifts up to this reported as a total (5.1)
    "anonymous": "anonymous_limit_fraction",  # 0.05 pbb: anonymous gifts above are forbidden
    "identity": "identity_limit_fraction",  # 0.5 pbb: gifts above reported with identity
    "membership_fee": "membership_fee_fraction",  # 0.01 pbb per member
}


# What each sanction fee in law.csv is, in plain words (its amount, years and source are law.csv's).
FEE_MEANINGS = {
    "fee_late_riks": "Late report: party or side organisation at Riksdag / European Parliament level",
    "fee_late_local": "Late report: organisation at regional or municipal level",
    "fee_late_member": "Late report: member or substitute (ledamot, ersättare)",
    "fee_incorrect_riks": "Incorrect report (särskild avgift): Riksdag / European Parliament level",
    "fee_incorrect_local": "Incorrect report (särskild avgift): regional or municipal level, and members",
    "fee_omitted_max": "Income left out of a report: the amount left out, at most",
    "fee_anonymous_factor": "Forbidden anonymous contribution not returned: times the part above 0.05 pbb",
}


def fees() -> list[dict]:
    """The sanction fees as a reader sees them: what each is, its amount, the years it applies to and
    its source (for notebook 03 and the register; no parameter codes)."""
    out = []
    for row in table():
        if row["parameter"] not in FEE_MEANINGS:
            continue
        amount = f"{row['value']:g} x" if row["unit"] == "factor" else f"{row['value']:,.0f} kr".replace(",", " ")
        years = f"{row['first_year'] or ''}-{row['last_year'] or ''}".strip("-")
        years = f"from {row['first_year']}" if row["first_year"] and not row["last_year"] else years
        out.append({"fee": FEE_MEANINGS[row["parameter"]], "amount": amount, "applies": years,
                    "source": row["source"]})
    return out


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
                "first_year": int(row["first_year"]) if row.get("first_year") else None,
                "last_year": int(row["last_year"]) if row.get("last_year") else None,
                "source": row["source"],
            }
        )
    return rows


def in_force(name: str, year: int) -> bool:
    """Whether parameter ``name`` applies to reporting year ``year`` (its ``first_year``-``last_year``)."""
    for row in table():
        if row["parameter"] == name and row["year"] is None:
            return (row["first_year"] is None or year >= row["first_year"]) and (
                row["last_year"] is None or year <= row["last_year"]
            )
    raise KeyError(f"no parameter {name!r} in law.csv")


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


def nominal_deadline(year: int) -> dt.date:
    """1 July of the year after reporting year ``year``, as the law states it."""
    return dt.date(int(year) + 1, int(parameter("deadline_month")), int(parameter("deadline_day")))


@lru_cache(maxsize=64)
def _swedish_holidays(year: int) -> frozenset[dt.date]:
    """Public holidays ("allmänna helgdagar") of ``year``, plus the three eves lag (1930:173) 2 § names.

    The holidays come from the maintained ``holidays`` calendar (Sweden, public category): its
    Easter, Ascension and Pentecost dates are not ours to compute. Midsommarafton (the Friday between
    19 and 25 June), julafton and nyårsafton are not public holidays but count as such for deadlines.
    """
    days = set(holidays.country_holidays("SE", years=[year], categories=("public",)).keys())
    days |= {dt.date(year, 12, 24), dt.date(year, 12, 31)}
    days |= {dt.date(year, 6, d) for d in range(19, 26) if dt.date(year, 6, d).weekday() == 4}
    return frozenset(days)


def is_weekday(day: dt.date) -> bool:
    """Monday-Friday and not a day lag (1930:173) 2 § treats as a holiday."""
    return day.weekday() < 5 and day not in _swedish_holidays(day.year)


def deadline(year: int) -> dt.date:
    """Last day to submit the report for reporting year ``year``.

    1 July of the following year; when that is a Saturday, Sunday, public holiday, midsommarafton,
    julafton or nyårsafton, the next weekday (lag (1930:173) om beräkning av lagstadgad tid, 2 §).
    Example: ``deadline(2022) == date(2023, 7, 3)`` (1 July 2023 was a Saturday).
    """
    day = nominal_deadline(year)
    while not is_weekday(day):
        day += dt.timedelta(days=1)
    return day


def _fee(name: str, year: int | None) -> float | None:
    if year is not None and not in_force(name, int(year)):
        return None
    return parameter(name)


def late_fee(level: str | None, role: str | None, year: int | None = None) -> float | None:
    """Förseningsavgift for a late report, by reporter level and role; None if unknown.

    With ``year``, None too for a reporting year the fee does not apply to (``law.csv`` holds the
    fees of lag (2018:90), reporting years 2018 on).
    """
    if role in ("ledamot", "ersattare"):
        return _fee("fee_late_member", year)
    if level in ("riks", "eu"):
        return _fee("fee_late_riks", year)
    if level in ("region", "kommun"):
        return _fee("fee_late_local", year)
    return None


def incorrect_fee(level: str | None, role: str | None, year: int | None = None) -> float | None:
    """Särskild avgift for an incorrect report (None when unknown or not in force for ``year``)."""
    if role in ("ledamot", "ersattare"):
        return _fee("fee_incorrect_local", year)
    if level in ("riks", "eu"):
        return _fee("fee_incorrect_riks", year)
    if level in ("region", "kommun"):
        return _fee("fee_incorrect_local", year)
    return None


def omitted_income_fee(amount: float) -> float:
    """Fee for income left out of a report: the amount, at most the cap."""
    return float(min(max(amount, 0.0), parameter("fee_omitted_max")))


def anonymous_fee(amount: float, year: int) -> float:
    """Fee for a forbidden anonymous contribution: twice the part above 0.05 pbb.

    It applies only when that part was neither returned to the giver nor paid to Kammarkollegiet
    within ``anonymous_return_months`` of the end of the year: callers present it as an estimate
    under that condition.
    """
    excess = max(float(amount) - threshold(year, "anonymous"), 0.0)
    return round(parameter("fee_anonymous_factor") * excess, 2)


def anonymous_return_deadline(year: int) -> dt.date:
    """Last day to return (or pay to Kammarkollegiet) the excess of a forbidden anonymous gift."""
    months = int(parameter("anonymous_return_months"))
    return dt.date(int(year) + 1, 1 + months, 1) - dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------------
# Who must report every year


@lru_cache(maxsize=1)
def seats_table() -> list[dict]:
    """The rows of seats.csv: body (riksdag | eu), election_date, party, seats, source."""
    text = resources.files("partifinans").joinpath("seats.csv").read_text(encoding="utf-8")
    return [
        {"body": r["body"], "election_date": dt.date.fromisoformat(r["election_date"]), "party": r["party"],
         "seats": int(r["seats"]), "source": r["source"]}
        for r in csv.DictReader(text.splitlines())
    ]


def _fold(name: str) -> str:
    return " ".join(str(name).split()).casefold()


@lru_cache(maxsize=1)
def _party_aliases() -> dict[str, str]:
    """Folded name, abbreviation or alias -> folded party name (``maps/parties.csv``)."""
    text = resources.files("partifinans").joinpath("maps/parties.csv").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        for alias in [row["name"], row["abbreviation"], *filter(None, row["aliases"].split("|"))]:
            out[_fold(alias)] = _fold(row["name"])
    return out


def _party_key(name: str | None) -> str | None:
    if not name:
        return None
    return _party_aliases().get(_fold(name), _fold(name))


def seats_in(party: str | None, year: int) -> list[dict]:
    """The terms in the Riksdag or the European Parliament during which ``party`` held seats in ``year``.

    A term runs from its election to the next election of the same body; a party holds seats in
    a year when any of its terms overlaps it (so both the outgoing and the incoming term count in an
    election year). Each item: body, election_date, seats, source. Empty when the table does not
    cover the year or the party had no seats.
    """
    key = _party_key(party)
    if key is None:
        return []
    out = []
    for body in ("riksdag", "eu"):
        dates = sorted({r["election_date"] for r in seats_table() if r["body"] == body})
        for i, start in enumerate(dates):
            end_year = dates[i + 1].year if i + 1 < len(dates) else None
            if start.year > year or (end_year is not None and end_year < year):
                continue
            if end_year is None and year > start.year + (4 if body == "riksdag" else 5):
                continue  # beyond the table: unknown, not "no seats"
            out += [r for r in seats_table()
                    if r["body"] == body and r["election_date"] == start and _party_key(r["party"]) == key]
    return out


def seats_table_covers(year: int) -> bool:
    """Whether seats.csv holds the terms of both bodies for ``year``."""
    for body, length in (("riksdag", 4), ("eu", 5)):
        dates = sorted({r["election_date"].year for r in seats_table() if r["body"] == body})
        if not dates or year < dates[0] or year > dates[-1] + length:
            return False
    return True


def reporting_duty(party: str | None, role: str | None, level: str | None, year: int) -> tuple[str, str]:
    """Which reporting duty an organisation had for ``year``, and why (one clause).

    Returns ``("every_year", why)``, ``("threshold", why)`` or ``("none", why)``:

    - every year (lag (2018:90) 7 §; Kammarkollegiet, "Parti och sidoorganisation - ska du
      intäktsredovisa?"): a party at national level whose party holds seats in the Riksdag or the
      European Parliament (or receives state party support: not in our data) and, from 2018, its
      national side organisations; reporting years 2014-2017 (lag (2014:105)): parties at national
      level with such seats;
    - threshold: everyone else from 2018 (and national parties without seats before), who report
      only when income after deductions exceeds 0.5 pbb (a party that stood in an election without
      winning seats: for the election year); members and substitutes likewise;
    - none: local, regional and side organisations before 2018, which lag (2014:105) did not cover.
    """
    year = int(year)
    if role in ("ledamot", "ersattare"):
        return "threshold", "members and substitutes report only when their income exceeds 0.5 pbb"
    if level not in ("riks", "eu"):
        if year < 2018:
            return "none", "local and regional organisations did not report under lag (2014:105) (before 2018)"
        return "threshold", ("organisations below national level report only when their income after deductions "
                             "exceeds 0.5 pbb")
    if role == "sidoorganisation" and year < 2018:
        return "none", "side organisations did not report under lag (2014:105) (before 2018)"
    terms = seats_in(party, year)
    if terms:
        parts = []
        for body, label in (("riksdag", "the Riksdag"), ("eu", "the European Parliament")):
            mine = [f"{t['seats']} after the {t['election_date'].year} election" for t in terms if t["body"] == body]
            if mine:
                parts.append(f"{label} ({', '.join(mine)})")
        where = "seats in " + " and ".join(parts)
        law_name = "lag (2018:90) 7 §" if year >= 2018 else "lag (2014:105)"
        who = "a national side organisation of " if role == "sidoorganisation" else "a party at national level, "
        return "every_year", f"{who}{party}, which held {where}, must report every year ({law_name})"
    if not seats_table_covers(year):
        return "threshold", f"seats.csv does not cover {year}, so an every-year duty cannot be established"
    return "threshold", (f"{party or 'the party'} held no seats in the Riksdag or the European Parliament in {year}, "
                         f"so it reports only when its income after deductions exceeds 0.5 pbb (or if it receives "
                         f"state party support, which our data does not show)")
