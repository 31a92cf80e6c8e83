"""The tables partifinans writes, each column with its type, meaning and source.

This module is the contract between the pipeline stages. Every stage builds its tables through
:func:`conform`, which orders, types and checks columns against the definitions below.

Conventions
-----------
- All amounts are Swedish kronor (SEK) as floats; the column name ``amount`` always means SEK.
- Dates are ISO ``YYYY-MM-DD`` strings (the report's own date, no time zone).
- Ids are hex strings from ``identifiers.make_id`` over content (``harmonise.py``): a PDF report's
  id is its file's sha256 prefix, an open-data report's its reporter and year, a contribution's its
  reporter, year and own content; never a row order, a position in the parser's output or the
  open-data file's bytes.
- Provenance: ``page`` is the 1-based PDF page for a PDF source. For the open-data CSV ``page`` is
  null and ``row`` is the 1-based data row of the file (header excluded). PDF rows have null ``row``.

Swedish terms of art kept as values
------------------------------------
- *intäktsredovisning*: the yearly income report (lag 2018:90, 11 §; before 2018 lag 2014:105).
- *anmälan*: the notice a party below the reporting threshold may file instead (Kammarkollegiet,
  "Parti och sidoorganisation - ska du intäktsredovisa?").
- *pbb*: prisbasbelopp, price base amount; thresholds are fractions of it (see ``law.py``).
- roles: *parti* (a party association), *sidoorganisation* (side organisation: youth wing,
  women's association ...), *ledamot* / *ersattare* (elected member / substitute member).
- levels: *riks* (national), *region*, *kommun* (municipal), *eu* (European Parliament).
- groups: the open-data income groups 1 Offentligt stöd, 2 Medlemsavgifter, 3 Försäljning och
  lotterier, 4 Insamling av kontanter, 5 Bidrag, 6 Övrigt, 8 Närstående verksamhet (Kammarkollegiet's open-data file, column
  Intäktsgrupp; ``maps/income_types.csv``).

Personal data
-------------
A personnummer is never stored in clear: ``donor_id`` holds a keyed pseudonym ``pnr:<16 hex>``
(HMAC-SHA256 with a key kept outside the repository, see ``privacy.py``). Organisationsnummer are
public and kept as ``NNNNNN-NNNN``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str
    source: str = ""
    nullable: bool = True


S, F, INT, B = pa.string(), pa.float64(), pa.int64(), pa.bool_()
LS = pa.list_(pa.string())

ROLES = ("parti", "sidoorganisation", "ledamot", "ersattare")
ROLE_NAMES = {"parti": "parti", "sidoorganisation": "sidoorganisation", "ledamot": "ledamot", "ersattare": "ersättare"}
"""Each role code as a reader sees it (the code is ASCII, the word is not)."""
LEVELS = ("riks", "region", "kommun", "eu")
KINDS = ("intaktsredovisning", "anmalan")
FORMS = ("pengar", "varor", "tjänster", "övrigt")
DONOR_KINDS = ("person", "organisation", "anonymous", "unknown")
FILE_STATUSES = ("parsed", "failed", "skipped")
SOURCE_KINDS = ("pdf", "opendata")


def _group_names() -> dict[int, str]:
    import csv
    from importlib import resources

    text = resources.files("partifinans").joinpath("maps/income_groups.csv").read_text(encoding="utf-8")
    return {int(row["group"]): row["name"] for row in csv.DictReader(text.splitlines())}


GROUP_NAMES: dict[int, str] = _group_names()  # 1 -> "Offentligt stöd", ... (maps/income_groups.csv)
GROUPS = tuple(GROUP_NAMES)

# What an income type is, as columns of both ``lines`` and ``contributions`` (harmonise.py writes
# them from the one code map, maps/income_types.csv).
CODE_FLAG_COLUMNS = [
    Column("is_anonymous", B, "Anonymous contribution type (5.2, 8.2): maps/income_types.csv"),
    Column("is_collection", B, "Cash collection type (4.1, 8.1): maps/income_types.csv"),
    Column("is_lottery", B, "Lottery income type (3.2, 3.3): maps/income_types.csv"),
    Column("is_internal_transfer", B, "From the party's own organisation (5.5, or its label on the 2014 form): maps/income_types.csv"),
    Column("is_related_entity", B, "Income of a related entity (group 8): maps/income_types.csv"),
]
CODE_FLAGS = tuple(c.name for c in CODE_FLAG_COLUMNS)

TABLES: dict[str, list[Column]] = {
    "files": [
        Column("path", S, "Path of the input file, relative to the ingested directory's parent when possible", nullable=False),
        Column("sha256", S, "SHA-256 of the file's bytes", nullable=False),
        Column("bytes", INT, "File size in bytes", nullable=False),
        Column("status", S, "parsed | failed | skipped", nullable=False),
        Column("reason", S, "Why a file failed or was skipped; for a parsed file, a warning about how it was read (one line)"),
        Column("layout", S, "Detected layout family, e.g. eservice, form2014, anmalan, opendata"),
        Column("report_id", S, "Report id for a parsed PDF (null for failures and the open-data file)"),
        Column("mtime", F, "File modification time seen at ingest (used for incremental re-runs)"),
        Column("ocr", B, "True when pages of the PDF were read by OCR (no text layer, or --ocr force); null when not parsed"),
    ],
    "reports": [
        Column("report_id", S, "Stable id: the PDF's sha256 prefix; open data: make_id(org_id, year, occurrence) (harmonise.py)", nullable=False),
        Column("source_path", S, "Input file the report was read from", nullable=False),
        Column("source_sha256", S, "SHA-256 of that file", nullable=False),
        Column("source_kind", S, "pdf | opendata", nullable=False),
        Column("is_primary", B, "True for the one report analyses use for its reporter-year (org_id, year): harmonise.primary_flags; null only before harmonise"),
        Column("kind", S, "intaktsredovisning | anmalan", "Kammarkollegiet, \"Parti och sidoorganisation - ska du intäktsredovisa?\""),
        Column("year", INT, "Reporting (financial) year", "Räkenskapsår / Redovisningsår"),
        Column("org_number", S, "Reporter's organisationsnummer NNNNNN-NNNN as printed, normalised when valid", "Organisationsnummer"),
        Column("is_org_number_valid", B, "Whether org_number passes its check digit (null when absent)", "lag (1974:174) om identitetsbeteckning för juridiska personer m.fl."),
        Column("reporter_name", S, "Name of the reporting organisation or person", "Organisationens namn / Namn"),
        Column("party", S, "Party name, canonical through maps/parties.csv (aliases, historic names); an unknown party as printed", "Parti / Partitillhörighet"),
        Column("party_id", S, "Party id of maps/parties.csv (Kammarkollegiet's open-data party id); null for an unknown party", "Partitillhörighet"),
        Column("org_id", S, "Reporter key: the valid organisationsnummer, else reporter:<hash of name, role, level, area> (harmonise.py)"),
        Column("role", S, "parti | sidoorganisation | ledamot | ersattare", "lag 2018:90"),
        Column("level", S, "riks | region | kommun | eu", "Riksnivå / Regional nivå / Kommunal nivå / EU"),
        Column("area", S, "Municipality or region the reporter works in", "Kommun / Region"),
        Column("submitted", S, "Date submitted, YYYY-MM-DD", "Inlämnad / Datum för inlämning"),
        Column("period_start", S, "Start of the financial period", "Räkenskapsperiod"),
        Column("period_end", S, "End of the financial period", "Räkenskapsperiod"),
        Column("total", F, "Printed total income (SEK); null if the document prints none", "Summa intäkter / Totalt"),
        Column("warnings", LS, "What the reader could not place or reconcile, each with its page"),
        Column("ocr", B, "True when the report was read (wholly or partly) by OCR from a scan: its values may hold misread characters; null for open data"),
        Column("confidence", S, "PDF: high | medium | low, from the reader's own checks (sums, year, reporter, "
                                "nothing unplaced; extract/checks.py); null for open data"),
        Column("checks", LS, "PDF: the checks behind confidence, one sentence each; null for open data"),
        Column("row", INT, "Open data: 1-based data row of the first row of this report; null for PDFs"),
    ],
    "lines": [
        Column("report_id", S, "Report the line belongs to", nullable=False),
        Column("group", INT, "Income group 1-6, 8 (open-data numbering)", "lag (2018:90) 11 §; the open-data file's Intäktsgrupp fältkod", nullable=False),
        Column("code", S, "Income type code such as 5.7; null when the document has none (2014 form)", "Intäktstyp fältkod"),
        Column("label", S, "The type's label as printed", "Intäktstyp"),
        Column("amount", F, "Amount of the type (SEK); for an itemised type its subtotal", "Belopp", nullable=False),
        Column("page", INT, "PDF page (1-based); null for open data"),
        Column("row", INT, "Open data: 1-based data row; null for PDFs"),
        *CODE_FLAG_COLUMNS,
    ],
    "contributions": [
        Column("contribution_id", S, "Stable id: make_id(reporter, year, code, donor, donor_id, date, amount, occurrence) (harmonise.py)", nullable=False),
        Column("report_id", S, "Report the contribution belongs to", nullable=False),
        Column("group", INT, "Income group (4, 5 or 8)", nullable=False),
        Column("code", S, "Income type code (4.1, 5.2, 5.4, 5.7, 8.x)"),
        Column("donor", S, "Donor name as printed; null when anonymous or withheld"),
        Column("donor_id", S, "Organisationsnummer NNNNNN-NNNN, or pnr:<hmac> for a personnummer (never in clear)"),
        Column("is_donor_id_valid", B, "Whether the printed identity number passed its check digit (null when absent)"),
        Column("donor_kind", S, "person | organisation | anonymous | unknown", nullable=False),
        Column("address", S, "Donor address as printed"),
        Column("form", S, "pengar | varor | tjänster | övrigt", "Form of contribution"),
        Column("date", S, "Date of the contribution, YYYY-MM-DD"),
        Column("amount", F, "Amount (SEK)", nullable=False),
        Column("page", INT, "PDF page (1-based); null for open data"),
        Column("row", INT, "Open data: 1-based data row; null for PDFs"),
        Column("entity_id", S, "Linked donor entity (see entities); null for anonymous gifts"),
        Column("address_key", S, "The address as linkage compares it (link.normalise.parse_address); null without an address"),
        *CODE_FLAG_COLUMNS,
    ],
    "entities": [
        Column("entity_id", S, "Stable donor entity id (hash of its strongest key)", nullable=False),
        Column("canonical_name", S, "Most frequent spelling, original diacritics kept"),
        Column("kind", S, "person | organisation | unknown"),
        Column("identifiers", LS, "Normalised identifiers seen for the entity (orgnr or pnr pseudonyms)"),
        Column("n_contributions", INT, "Number of contributions linked to it", nullable=False),
        Column("first_year", INT, "First reporting year seen"),
        Column("last_year", INT, "Last reporting year seen"),
    ],
    "links": [
        Column("contribution_id", S, "The linked contribution", nullable=False),
        Column("entity_id", S, "The entity it was linked to"),
        Column("rule", S, "Rule that linked it: same_identifier, same_name, same_name_address, fuzzy_name, fuzzy_name_address, weighed_evidence, judgement_same or alone", "link/match.py, link/weigh.py"),
        Column("score", F, "Name similarity 0-100 for the rule; for weighed_evidence the match probability in percent (null when alone)"),
        Column("linked_to", S, "The contribution it was linked to by that rule"),
        Column("evidence", S, "The reason in words; for weighed_evidence each field's weight in bits (log2 m/u), no names (null when alone)"),
    ],
    "link_review": [
        Column("left", S, "One contribution of a pair the matcher could not decide", nullable=False),
        Column("right", S, "The other contribution", nullable=False),
        Column("left_name", S, "Left donor as printed"),
        Column("right_name", S, "Right donor as printed"),
        Column("rule", S, "Why the pair is a close call"),
        Column("score", F, "Name similarity 0-100; for weighed_evidence the match probability in percent"),
        Column("why", S, "The reason in words (for weighed_evidence: each field's weight in bits)"),
        Column("left_entity", S, "Entity of the left contribution"),
        Column("right_entity", S, "Entity of the right contribution"),
    ],
    "disagreements": [
        Column("pdf_report_id", S, "The PDF report", nullable=False),
        Column("opendata_report_id", S, "The open-data report for the same organisation-year", nullable=False),
        Column("org_number", S, "Organisation", nullable=False),
        Column("year", INT, "Year", nullable=False),
        Column("group", INT, "Income group compared", nullable=False),
        Column("pdf_amount", F, "Group total in the PDF (SEK)", nullable=False),
        Column("opendata_amount", F, "Group total in the open data (SEK)", nullable=False),
        Column("difference", F, "pdf_amount - opendata_amount", nullable=False),
    ],
    "flags": [
        Column("flag_id", S, "Stable id from pattern and evidence", nullable=False),
        Column("pattern", S, "Detector name (see detect/)", nullable=False),
        Column("severity", S, "high | medium | low", nullable=False),
        Column("year", INT, "Year concerned"),
        Column("party", S, "Party concerned"),
        Column("organisations", S, "JSON list of {name, org_number}"),
        Column("donors", S, "JSON list of {name, donor_id, entity_id}"),
        Column("amount", F, "Amount at stake (SEK)"),
        Column("explanation", S, "One plain sentence", nullable=False),
        Column("evidence", S, "JSON list of {source_path, page}"),
        Column("legal_basis", S, "Rule in law or guidance"),
        Column("estimated_fee", F, "Estimated sanction fee (SEK)"),
    ],
}

TABLE_NAMES = tuple(TABLES)


def columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in TABLES[table]])


_PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def to_pandas(table_pa: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with nullable integers and booleans (a missing page stays <NA>, not 1.0)."""
    return table_pa.to_pandas(types_mapper=_PANDAS_TYPES.get)


def empty(table: str) -> pd.DataFrame:
    """An empty DataFrame with the table's columns and dtypes."""
    return to_pandas(arrow_schema(table).empty_table())


def conform(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return ``df`` with exactly the table's columns, in order, with the right dtypes.

    Missing nullable columns are added as nulls; a missing non-nullable column or extra columns
    raise ``ValueError`` (a contract breach is a bug, not something to hide).
    """
    cols = TABLES[table]
    names = [c.name for c in cols]
    extra = [c for c in df.columns if c not in names]
    if extra:
        raise ValueError(f"{table}: unexpected columns {extra}")
    df = df.copy()
    for c in cols:
        if c.name not in df.columns:
            if not c.nullable and len(df):
                raise ValueError(f"{table}: missing required column {c.name!r}")
            df[c.name] = None
    table_pa = pa.Table.from_pandas(df[names], schema=arrow_schema(table), preserve_index=False, safe=False)
    return to_pandas(table_pa)


def describe() -> str:
    """The schema as Markdown (used in docs and notebooks)."""
    out = []
    for table, cols in TABLES.items():
        out.append(f"### {table}\n\n| column | type | meaning | source |\n|---|---|---|---|")
        for c in cols:
            out.append(f"| {c.name} | {c.type} | {c.meaning} | {c.source} |")
        out.append("")
    return "\n".join(out)
