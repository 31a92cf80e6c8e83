"""What every detector shares: the prepared tables and the way a flag is built.

:class:`Data` takes the processed tables once and prepares them for the detectors:

- only primary reports (``reports.is_primary``) are analysed, so an organisation-year read from
  both a PDF and the open-data file is counted once (``source_disagreement`` alone reads both);
- every line and contribution carries its report's year, party, organisation and source;
- an organisation is identified across years by its organisationsnummer, or by name and party
  when it has none (``org_key``); a donor by its linked ``entity_id``, else its ``donor_id``
  (organisationsnummer or personnummer pseudonym), else its printed name (``donor_key``).

A flag is a plain dict with the columns of the ``flags`` table (``schema.py``); list fields are
kept as Python lists here and turned into JSON strings by ``run_all``.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings

import pandas as pd

from .. import identifiers, law, schema
from ..values import format_sek
from .config import CONFIG, LEGAL_BASIS, DetectorConfig

REPORT_CONTEXT = [
    "report_id", "year", "party", "org_key", "reporter_name", "org_number", "source_path",
    "source_kind", "role", "level",
]


def ensure_columns(df: pd.DataFrame | None, table: str) -> pd.DataFrame:
    """``df`` with every column of ``table`` present (missing ones as nulls); extra columns kept."""
    if df is None:
        return schema.empty(table)
    df = df.copy()
    for name in schema.columns(table):
        if name not in df.columns:
            df[name] = pd.Series([None] * len(df), index=df.index, dtype=schema.empty(table)[name].dtype)
    return df


def value(x):
    """A pandas scalar as a plain Python value (None for any kind of missing)."""
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        return x
    if hasattr(x, "item"):
        return x.item()
    return x


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (None for missing)."""
    if df.empty:
        return []
    names = list(df.columns)
    columns = [df[name].tolist() for name in names]  # plain Python scalars, column by column
    return [{name: value(v) for name, v in zip(names, row, strict=True)} for row in zip(*columns, strict=True)]


def casefold(text) -> str | None:
    text = value(text)
    return " ".join(str(text).split()).casefold() if text is not None else None


def normalise_address(text) -> str | None:
    """Letters and digits only, case folded: ``Storgatan 1, 123 45 Borås`` == ``storgatan 1 12345 borås``."""
    text = value(text)
    if text is None:
        return None
    key = re.sub(r"[\W_]+", "", str(text).casefold())
    return key or None


def org_key(org_number, name, party) -> str:
    """How one organisation is recognised across years."""
    org_number = value(org_number)
    if org_number:
        digits = re.sub(r"\D", "", str(org_number))
        if len(digits) == 12 and digits.startswith("16"):
            digits = digits[2:]
        if len(digits) == 10:
            return f"org:{digits[:6]}-{digits[6:]}"
    return f"name:{casefold(name)}|{casefold(party)}"


def fmt_sek(amount) -> str:
    """``125 000 kr``; öre kept when present (``2 275,50 kr``): ``values.format_sek``."""
    return format_sek(amount)


def fmt_org(org: dict) -> str:
    name = org.get("name") or "An unnamed organisation"
    return f"{name} ({org['org_number']})" if org.get("org_number") else name


def is_personnummer_text(donor_id) -> bool:
    """True when a donor id is a personnummer (pseudonym or, defensively, anything shaped like one)."""
    donor_id = value(donor_id)
    if not donor_id:
        return False
    if str(donor_id).startswith("pnr:"):
        return True
    ident = identifiers.parse_identifier(str(donor_id))
    return ident is not None and ident.kind == "pnr"


class Data:
    """The processed tables, prepared once for all detectors."""

    def __init__(self, tables: dict[str, pd.DataFrame], config: DetectorConfig = CONFIG):
        self.config = config
        self._external: pd.DataFrame | None = None
        reports = ensure_columns(tables.get("reports"), "reports")
        reports = reports[reports["year"].notna()].copy()
        known = reports["year"].astype(int).isin(law.years())
        if not known.all():
            unknown = sorted({int(y) for y in reports.loc[~known, "year"]})
            warnings.warn(
                f"{int((~known).sum())} reports for years without a price base amount in law.csv "
                f"({', '.join(map(str, unknown))}) are left out of the detectors",
                stacklevel=2,
            )
            reports = reports[known].copy()
        reports["org_key"] = [
            org_key(o, n, p) for o, n, p in zip(reports["org_number"], reports["reporter_name"], reports["party"], strict=True)
        ]
        reports["is_primary"] = reports["is_primary"].astype("boolean").fillna(True)
        self.all_reports = reports
        self.reports = reports[reports["is_primary"]].copy()
        context = self.reports[REPORT_CONTEXT]

        lines = ensure_columns(tables.get("lines"), "lines")
        self.all_lines = lines
        self.lines = lines.merge(context, on="report_id", how="inner")

        contributions = ensure_columns(tables.get("contributions"), "contributions")
        contributions = contributions.merge(context, on="report_id", how="inner")
        contributions["donor_key"] = [
            donor_key(e, i, n, k)
            for e, i, n, k in zip(
                contributions["entity_id"], contributions["donor_id"], contributions["donor"],
                contributions["donor_kind"], strict=True,
            )
        ]
        self.contributions = contributions
        self.disagreements = ensure_columns(tables.get("disagreements"), "disagreements")
        entities = ensure_columns(tables.get("entities"), "entities")
        self.entity_names: dict[str, str] = {
            e: n for e, n in zip(entities["entity_id"], entities["canonical_name"], strict=True) if value(n)
        }

        years = reports["year"].dropna().astype(int)
        self.first_year = int(years.min()) if len(years) else None
        self.last_year = int(years.max()) if len(years) else None

        # A party's own organisations: every organisationsnummer that reports under that party.
        self.party_orgs: dict[str | None, set[str]] = {}
        for party, number in zip(reports["party"], reports["org_number"], strict=True):
            key = org_key(number, None, None)
            if key.startswith("org:"):
                self.party_orgs.setdefault(casefold(party), set()).add(key[4:])

    def is_own_organisation(self, party, donor_id) -> bool:
        """Whether a donor's organisationsnummer belongs to an organisation of the same party."""
        donor_id = value(donor_id)
        if not donor_id or str(donor_id).startswith("pnr:"):
            return False
        key = org_key(donor_id, None, None)
        return key.startswith("org:") and key[4:] in self.party_orgs.get(casefold(party), set())

    def external_contributions(self) -> pd.DataFrame:
        """Named contributions (groups 5 and 8) from donors outside the receiving party's own organisations."""
        if self._external is None:
            self._external = self._find_external_contributions()
        return self._external

    def _find_external_contributions(self) -> pd.DataFrame:
        c = self.contributions
        c = c[c["group"].isin([5, 8]) & (c["donor_kind"] != "anonymous") & c["donor_key"].notna()]
        c = c[(c["code"].fillna("") != "5.5")]
        own = pd.Series(
            [self.is_own_organisation(p, d) for p, d in zip(c["party"], c["donor_id"], strict=True)],
            index=c.index, dtype=bool,
        )
        return c[~own]


def donor_key(entity_id, donor_id, donor, donor_kind) -> str | None:
    """How one donor is recognised across reports (None for anonymous or unnamed gifts)."""
    if value(donor_kind) == "anonymous":
        return None
    for prefix, v in (("entity:", entity_id), ("id:", donor_id)):
        v = value(v)
        if v:
            return prefix + str(v)
    name = casefold(donor)
    return f"name:{name}" if name else None


def organisation(row: dict) -> dict:
    return {"name": value(row.get("reporter_name")), "org_number": value(row.get("org_number"))}


def organisations(rows: list[dict]) -> list[dict]:
    """The distinct reporting organisations of ``rows``, in the order they first appear."""
    out: list[dict] = []
    for row in rows:
        org = organisation(row)
        if org not in out:
            out.append(org)
    return out


def donor(row: dict) -> dict:
    donor_id = value(row.get("donor_id"))
    if donor_id and not str(donor_id).startswith("pnr:") and is_personnummer_text(donor_id):
        donor_id = None  # never pass a personnummer on in clear
    return {"name": value(row.get("donor")), "donor_id": donor_id, "entity_id": value(row.get("entity_id"))}


def evidence(row: dict, page=None) -> dict:
    """Where to look: the source file and (PDF only) the page. The open-data file has no pages."""
    if value(row.get("source_kind")) == "opendata":
        page = None
    page = value(page)
    return {"source_path": value(row.get("source_path")), "page": int(page) if page is not None else None}


def report_evidence(row: dict) -> dict:
    """Evidence for a fact about a whole report: its first page (title, reporter, submission)."""
    return evidence(row, 1)


def opendata_row_note(row: dict) -> str:
    """`` (open-data row 12)`` for an open-data report, else empty (the row is not an evidence key)."""
    if value(row.get("source_kind")) == "opendata" and value(row.get("row")) is not None:
        return f" (open-data row {int(value(row.get('row')))})"
    return ""


def _unique(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        key = json.dumps(item, sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def make_flag(
    pattern: str,
    *,
    config: DetectorConfig,
    year,
    party,
    organisations: list[dict],
    donors: list[dict] | None = None,
    amount=None,
    explanation: str,
    evidence: list[dict],
    estimated_fee=None,
    severity: str | None = None,
) -> dict:
    """One flag; ``flag_id`` is a hash of the pattern and its key evidence, stable across runs."""
    organisations = _unique(organisations)
    donors = _unique(donors or [])
    evidence = _unique([e for e in evidence if e.get("source_path")])
    year = value(year)
    year = int(year) if year is not None else None
    key = json.dumps(
        [pattern, year, value(party), organisations, donors, evidence], sort_keys=True, ensure_ascii=False
    )
    amount = value(amount)
    estimated_fee = value(estimated_fee)
    return {
        "flag_id": hashlib.sha256(key.encode("utf-8")).hexdigest()[:16],
        "pattern": pattern,
        "severity": severity or config.severity[pattern],
        "year": year,
        "party": value(party),
        "organisations": organisations,
        "donors": donors,
        "amount": float(amount) if amount is not None else None,
        "explanation": explanation,
        "evidence": evidence,
        "legal_basis": LEGAL_BASIS.get(pattern),
        "estimated_fee": float(estimated_fee) if estimated_fee is not None else None,
    }
