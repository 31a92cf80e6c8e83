"""Datasette metadata for the database ``export/sqlite.py`` writes, generated from ``schema.py``.

:func:`metadata` gives the JSON Datasette reads with ``--metadata``: title, source and licence of the
data, a description of every table and every column (each column's meaning, source and type from
``schema.TABLES``, so a column added there is described here without a change), facets, default
sort orders, the column that labels a row when another table points to it, and the canned queries
a journalist asks first (:data:`QUERIES`).

Facets and sort orders follow the column names: a table gets a facet for each column of
:data:`FACET_COLUMNS` it has, and is sorted by the first column of :data:`SORT_DESC` it has.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa

from .. import schema
from ..detect.config import CONFIG
from ..fetch import OPENDATA_URL
from .sqlite import definitions

GUIDANCE_URL = "https://www.kammarkollegiet.se/vara-tjanster/insyn-i-partiers-finansiering/"

TABLE_DESCRIPTIONS: dict[str, str] = {
    "files": "Every input file ingest saw: parsed, failed (with its one-line reason) or skipped.",
    "reports": (
        "One row per income report (intäktsredovisning or anmälan) per source: a PDF, or an "
        "organisation-year of the open-data file. is_primary marks the one analyses use for an "
        "organisation-year (the PDF when both exist)."
    ),
    "lines": "The income lines of each report: one amount per income type (group 1-6, 8) as printed.",
    "contributions": (
        "Itemised contributions (gifts, collections, related-entity income) with the donor as printed, "
        "linked to a donor entity."
    ),
    "entities": "Donor entities: the contributions linkage judged to come from the same donor.",
    "links": "Why each contribution was linked to its entity: the rule, the name score, the record it matched.",
    "link_review": "Pairs of contributions the matcher could not decide, for a human to judge.",
    "disagreements": "Income groups on which a PDF report and the open-data file disagree for one organisation-year.",
    "flags": (
        "Gaps and circumvention patterns found by the detectors, each with a plain explanation, the "
        "amount at stake, the rule in law and the evidence (file and page)."
    ),
    "flag_donors": "One row per donor named in a flag (from flags.donors), joined to entities.",
    "flag_organisations": "One row per organisation a flag concerns (from flags.organisations).",
    "flag_evidence": "One row per piece of evidence of a flag (from flags.evidence): the file and page, joined to files.",
}

# Columns that make useful facets, in the order Datasette shows them.
FACET_COLUMNS = ("pattern", "severity", "party", "year", "role", "level", "kind", "source_kind", "is_primary",
                 "donor_kind", "form", "group", "status", "layout", "rule")
# Default sort, descending: the first of these a table has.
SORT_DESC = ("amount", "n_contributions", "year")
# The column that names a row when another table points to it.
LABEL_COLUMNS = {"reports": "reporter_name", "entities": "canonical_name"}


def _type_note(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "boolean stored as 1/0"
    if pa.types.is_list(t):
        return "JSON array"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t):
        return "number"
    return "text"


def _column_description(c: schema.Column) -> str:
    text = c.meaning.rstrip(".")
    if c.source:
        text += f". Source: {c.source}"
    return f"{text} ({_type_note(c.type)}{'' if c.nullable else ', never empty'})."


def _not_adding_up_sql(tolerance: float) -> str:
    return f"""select r.report_id, r.year, r.party, r.reporter_name, r.org_number, r.source_kind, r.is_primary,
  r.total as printed_total_sek, sum(l.amount) as lines_sum_sek, r.total - sum(l.amount) as difference_sek,
  r.source_path
from reports r join lines l on l.report_id = r.report_id
where r.total is not null
group by r.report_id
having abs(r.total - sum(l.amount)) > {tolerance!r}
order by abs(r.total - sum(l.amount)) desc, r.year, r.reporter_name"""


QUERIES: dict[str, dict[str, str]] = {
    "largest_donors": {
        "title": "Largest donors across all years",
        "description": (
            "Identified donors (linked entities) by the total of their contributions in primary reports, "
            "all years and parties. Anonymous gifts and collections have no donor and are not counted."
        ),
        "sql": """select c.entity_id, e.canonical_name as donor, e.kind, sum(c.amount) as total_sek,
  count(*) as contributions, count(distinct r.year) as years, min(r.year) as first_year, max(r.year) as last_year,
  count(distinct r.party) as parties, group_concat(distinct r.party) as party_names
from contributions c
  join reports r on r.report_id = c.report_id
  join entities e on e.entity_id = c.entity_id
where r.is_primary = 1
group by c.entity_id
order by total_sek desc, donor
limit 100""",
    },
    "donors_to_several_organisations": {
        "title": "Donors who gave to more than one organisation of a party in a year",
        "description": (
            "A donor who splits a gift over several of one party's associations stays under each "
            "organisation's reporting threshold. One row per donor, party and year with two or more "
            "receiving organisations (primary reports)."
        ),
        "sql": """select r.party, r.year, c.entity_id, e.canonical_name as donor,
  count(distinct coalesce(r.org_number, r.reporter_name)) as organisations,
  group_concat(distinct r.reporter_name) as recipients, sum(c.amount) as total_sek, count(*) as contributions
from contributions c
  join reports r on r.report_id = c.report_id
  join entities e on e.entity_id = c.entity_id
where r.is_primary = 1 and r.party is not null
group by r.party, r.year, c.entity_id
having count(distinct coalesce(r.org_number, r.reporter_name)) > 1
order by total_sek desc, r.year, donor""",
    },
    "flags_by_party_and_year": {
        "title": "Flags by party and year",
        "description": "How many flags each party has per year, by severity, with the amounts at stake and estimated fees (SEK).",
        "sql": """select party, year, count(*) as flags,
  sum(severity = 'high') as high, sum(severity = 'medium') as medium, sum(severity = 'low') as low,
  sum(amount) as amount_sek, sum(estimated_fee) as estimated_fees_sek, group_concat(distinct pattern) as patterns
from flags
group by party, year
order by party, year""",
    },
    "reports_that_do_not_add_up": {
        "title": "Reports that do not add up",
        "description": (
            f"Reports whose printed total differs from the sum of their income lines by more than "
            f"{CONFIG.total_tolerance_sek:g} kr (the tolerance of the total_mismatch detector, "
            "detect/config.py). All sources; is_primary shows which ones the flags use."
        ),
        "sql": _not_adding_up_sql(CONFIG.total_tolerance_sek),
    },
}


def metadata(database: str = "partifinans", reveal_private: bool = False) -> dict:
    """Datasette metadata for a database file named ``<database>.db``."""
    privacy_note = (
        "Private donors' names are shown (built with --reveal-private): for your own use, do not publish."
        if reveal_private else
        "Private persons who gave money appear as 'Privatperson <hash>' and their addresses are left out; "
        "no personnummer and no personnummer pseudonym is in the database."
    )
    tables = {}
    for name, cols in definitions().items():
        present = {c.name for c in cols}
        meta = {
            "description": TABLE_DESCRIPTIONS.get(name) or f"The {name} table (see schema.py).",
            "columns": {c.name: _column_description(c) for c in cols},
        }
        facets = [f for f in FACET_COLUMNS if f in present]
        if facets:
            meta["facets"] = facets
        sort = next((s for s in SORT_DESC if s in present), None)
        if sort:
            meta["sort_desc"] = sort
        if name in LABEL_COLUMNS and LABEL_COLUMNS[name] in present:
            meta["label_column"] = LABEL_COLUMNS[name]
        tables[name] = meta
    return {
        "title": "partifinans: Swedish political party finance",
        "description": (
            "Income reports of Swedish parties, their associations and elected members, as read by "
            "partifinans from Kammarkollegiet's reports (PDF) and open-data file. Amounts in SEK; every "
            "figure carries the file and page (or open-data row) it comes from. " + privacy_note
        ),
        "source": "Kammarkollegiet, Partiinsyn: intäktsredovisningar and PartiinsynOpenData.csv",
        "source_url": OPENDATA_URL,
        "license": (
            "Public records (allmänna handlingar) from Kammarkollegiet; check its terms before republishing. "
            "Tables derived by partifinans (MIT)."
        ),
        "license_url": GUIDANCE_URL,
        "databases": {
            database: {
                "description": "Processed tables of partifinans; columns as documented in schema.py.",
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }


def write_metadata(path: Path | str, database: str = "partifinans", reveal_private: bool = False) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(metadata(database, reveal_private), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


__all__ = ["QUERIES", "TABLE_DESCRIPTIONS", "metadata", "write_metadata"]
