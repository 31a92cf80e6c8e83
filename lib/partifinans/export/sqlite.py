"""The processed tables as one SQLite database, for Datasette, ``sqlite3`` and any SQL tool.

:func:`export_sqlite` reads a processed directory and writes every table of ``schema.TABLES`` into
one file with sqlite-utils: column types from the schema (int64 -> INTEGER, float64 -> REAL,
string -> TEXT, bool -> INTEGER 0/1, list -> TEXT holding a JSON array), NOT NULL where the schema
says so, the primary and foreign keys below, indexes on the columns people filter by and full-text
search over donor names, organisation names and flag explanations. A column added to
``schema.py`` flows through without a change here.

Three tables are derived from the JSON columns of ``flags`` so that a flag joins to what it is
about: ``flag_donors`` (one row per entry of ``flags.donors``), ``flag_organisations``
(``flags.organisations``) and ``flag_evidence`` (``flags.evidence``, joined to ``files``).

Privacy, as in every other export (graph files, the flag register): private persons who gave money
are shown as ``Privatperson <hash>`` (``privacy.private_label`` through ``analysis.public_names``,
``analysis.uncertain_for_review`` and ``privacy.pseudonymise_flag_donors``) and their
addresses are left out, unless ``reveal_private``. In every case each text cell goes through
``export.clean.scrub_text``, so neither a personnummer nor a ``pnr:`` pseudonym is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .. import schema, store
from ..errors import BadInput
from .clean import scrub_text

# Primary keys. A table not named here keeps SQLite's rowid (lines, disagreements, link_review).
PRIMARY_KEYS: dict[str, str] = {
    "files": "path",
    "reports": "report_id",
    "contributions": "contribution_id",
    "entities": "entity_id",
    "links": "contribution_id",
    "flags": "flag_id",
}

# Foreign keys whose column name differs from the key it points to: (table, column, other table,
# other column). A column named like another table's ``*_id`` primary key (``report_id``,
# ``entity_id``, ``contribution_id``, ``flag_id``, and any such key added later) gets its foreign
# key without being listed here.
NAMED_FOREIGN_KEYS: list[tuple[str, str, str, str]] = [
    ("reports", "source_path", "files", "path"),
    ("links", "linked_to", "contributions", "contribution_id"),
    ("link_review", "left", "contributions", "contribution_id"),
    ("link_review", "right", "contributions", "contribution_id"),
    ("link_review", "left_entity", "entities", "entity_id"),
    ("link_review", "right_entity", "entities", "entity_id"),
    ("disagreements", "pdf_report_id", "reports", "report_id"),
    ("disagreements", "opendata_report_id", "reports", "report_id"),
    ("flag_evidence", "source_path", "files", "path"),
]

# Columns people filter by: indexed in every table that has them (foreign keys are indexed too).
INDEXED_COLUMNS = ("year", "party", "party_id", "org_number", "org_id", "entity_id", "pattern")

# Full-text search: donor names, organisation names, flag explanations.
FTS_COLUMNS: dict[str, list[str]] = {
    "contributions": ["donor"],
    "entities": ["canonical_name"],
    "reports": ["reporter_name"],
    "flags": ["explanation"],
    "flag_organisations": ["name"],
}


def _flag_meaning(column: str) -> str:
    return next((c.meaning for c in schema.TABLES["flags"] if c.name == column), "")


# The tables derived from the JSON columns of ``flags``, with the same kind of column definitions as
# ``schema.TABLES``.
S, INT = pa.string(), pa.int64()
DERIVED: dict[str, list[schema.Column]] = {
    "flag_donors": [
        schema.Column("flag_id", S, "The flag", nullable=False),
        schema.Column("position", INT, "Place of the donor in the flag's donors list (0-based)", nullable=False),
        schema.Column("name", S, "Donor name as the flag gives it (Privatperson <hash> for a private person)"),
        schema.Column("donor_id", S, "Organisationsnummer of the donor (a personnummer pseudonym is removed)"),
        schema.Column("entity_id", S, "Linked donor entity"),
    ],
    "flag_organisations": [
        schema.Column("flag_id", S, "The flag", nullable=False),
        schema.Column("position", INT, "Place of the organisation in the flag's list (0-based)", nullable=False),
        schema.Column("name", S, "Organisation concerned"),
        schema.Column("org_number", S, "Its organisationsnummer"),
    ],
    "flag_evidence": [
        schema.Column("flag_id", S, "The flag", nullable=False),
        schema.Column("position", INT, "Place of the evidence in the flag's list (0-based)", nullable=False),
        schema.Column("source_path", S, "Input file the evidence is in (see files)"),
        schema.Column("page", INT, "PDF page (1-based); null for the open-data file"),
    ],
}
_DERIVED_FROM = {"flag_donors": "donors", "flag_organisations": "organisations", "flag_evidence": "evidence"}


def definitions() -> dict[str, list[schema.Column]]:
    """Every table the database holds, with its columns: ``schema.TABLES`` then the derived ones."""
    return {**schema.TABLES, **DERIVED}


def foreign_keys(tables: dict[str, list[schema.Column]] | None = None) -> list[tuple[str, str, str, str]]:
    """(table, column, other table, other column) for every foreign key of the database."""
    tables = tables if tables is not None else definitions()
    by_key: dict[str, str] = {}  # an ``*_id`` key -> the table it identifies (the first to have it as
    for t, pk in PRIMARY_KEYS.items():  # primary key: links' key contribution_id points to contributions)
        if pk.endswith("_id") and t in tables:
            by_key.setdefault(pk, t)
    out = []
    for table, cols in tables.items():
        for c in cols:
            other = by_key.get(c.name)
            if other is not None and other != table:
                out.append((table, c.name, other, c.name))
    names = {t: {c.name for c in cols} for t, cols in tables.items()}
    for table, col, other, other_col in NAMED_FOREIGN_KEYS:
        if col in names.get(table, ()) and other_col in names.get(other, ()):
            out.append((table, col, other, other_col))
    return out


def _sql_type(t: pa.DataType) -> type:
    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        return int
    if pa.types.is_floating(t):
        return float
    return str  # strings, and lists as JSON text


# --------------------------------------------------------------------------------------------------
# Privacy: the library's helpers, applied table by table


def _person_entities(tables: dict[str, pd.DataFrame]) -> set:
    from ..privacy import person_keys

    return person_keys(tables)[0]


def public_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables as exports show them by default: private donors as ``Privatperson <hash>``.

    - ``contributions``: a private person's name (donor kind ``person``, or linked to a person
      entity) becomes ``privacy.private_label(entity_id)`` (``analysis.public_names``) and the
      address is left out;
    - ``entities``: a person's canonical name likewise (``analysis.public_names``);
    - ``link_review``: ``analysis.uncertain_for_review``;
    - ``flags``: ``privacy.pseudonymise_flag_donors`` (the donors list and the explanation).
    """
    from ..analysis import uncertain_for_review
    from ..privacy import pseudonymise_flag_donors as pseudonymise_private_donors
    from ..privacy import public_names

    out = dict(tables)
    persons = _person_entities(tables)
    c = tables.get("contributions")
    if c is not None and len(c):
        c = c.copy()
        is_person = (c["donor_kind"] == "person") | c["entity_id"].isin(persons)
        c["_kind"] = is_person.map({True: "person", False: ""})
        # A person without an entity (not linked) gets the label the flag register gives it.
        key = c["entity_id"].astype(object).where(c["entity_id"].notna(), c["donor_id"])
        key = key.where(key.notna(), c["donor"].astype(object).map(lambda n: None if n is None or n != n else n.casefold()))
        c["_key"] = key
        c = public_names(c, name="donor", entity_id="_key", kind="_kind")
        c.loc[is_person & c["_key"].isna(), "donor"] = None
        c["address"] = c["address"].astype(object)
        c.loc[is_person, "address"] = None
        out["contributions"] = c.drop(columns=["_kind", "_key"])
    e = tables.get("entities")
    if e is not None and len(e):
        e = e.copy()
        e["_kind"] = e["entity_id"].isin(persons).map({True: "person", False: ""})
        out["entities"] = public_names(e, kind="_kind").drop(columns=["_kind"])
    lr = tables.get("link_review")
    if lr is not None and len(lr):
        out["link_review"] = uncertain_for_review(tables)
    f = tables.get("flags")
    if f is not None and len(f):
        out["flags"] = pseudonymise_private_donors(f.reset_index(drop=True), tables)
    return out


def derived_tables(flags: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``flag_donors``, ``flag_organisations`` and ``flag_evidence`` from the flags' JSON lists."""
    out = {}
    for table, source in _DERIVED_FROM.items():
        names = [c.name for c in DERIVED[table]]
        rows = []
        for flag_id, text in zip(flags["flag_id"], flags[source], strict=True):
            items = json.loads(text) if isinstance(text, str) and text else []
            for i, item in enumerate(items):
                rows.append({"flag_id": flag_id, "position": i, **{k: item.get(k) for k in names[2:]}})
        out[table] = pd.DataFrame(rows, columns=names)
    return out


# --------------------------------------------------------------------------------------------------
# Writing


def _column_values(series: pd.Series, col: schema.Column) -> list:
    """A column as plain Python values for SQLite, None for missing, text scrubbed of personnummer."""
    t = col.type
    if pa.types.is_list(t):
        def as_json(v):
            if v is None:
                return None
            return json.dumps([None if x is None else scrub_text(str(x)) for x in list(v)], ensure_ascii=False)
        return [as_json(v) for v in series.to_numpy(dtype=object, na_value=None)]
    if pa.types.is_boolean(t):
        return [None if v is None else int(bool(v)) for v in series.to_numpy(dtype=object, na_value=None)]
    if pa.types.is_integer(t):
        return [None if v is None else int(v) for v in series.to_numpy(dtype=object, na_value=None)]
    if pa.types.is_floating(t):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        return values.astype(object).where(values.notna(), None).tolist()
    return [None if v is None else scrub_text(v if type(v) is str else str(v))
            for v in series.to_numpy(dtype=object, na_value=None)]


@dataclass
class Written:
    path: Path
    rows: dict[str, int]
    bytes: int


def build_database(tables: dict[str, pd.DataFrame], out: Path | str, reveal_private: bool = False) -> Written:
    """Write ``tables`` (as ``store.read_tables`` gives them) into a new SQLite file at ``out``.

    The file is written next to ``out`` under a temporary name and renamed into place, so a
    failure leaves no half-written database.
    """
    import sqlite_utils

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tables = {name: tables.get(name, schema.empty(name)) for name in schema.TABLE_NAMES}
    if not reveal_private:
        tables = public_tables(tables)
    tables.update(derived_tables(tables["flags"]))
    defs = definitions()

    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        db = sqlite_utils.Database(tmp, recreate=True)
        db.conn.execute("PRAGMA journal_mode = OFF")
        db.conn.execute("PRAGMA synchronous = OFF")
        for name, cols in defs.items():
            db[name].create(
                {c.name: _sql_type(c.type) for c in cols},
                pk=PRIMARY_KEYS.get(name),
                not_null={c.name for c in cols if not c.nullable},
            )
        db.add_foreign_keys(foreign_keys(defs))  # on the empty tables: no data to copy
        rows = {}
        for name, cols in defs.items():
            df = tables[name]
            values = [_column_values(df[c.name], c) if c.name in df.columns else [None] * len(df) for c in cols]
            names = [c.name for c in cols]
            placeholders = ", ".join("?" for _ in names)
            column_list = ", ".join(f'"{n}"' for n in names)
            with db.conn:
                db.conn.executemany(f'INSERT INTO "{name}" ({column_list}) VALUES ({placeholders})', zip(*values, strict=True))
            rows[name] = len(df)
        for name, cols in defs.items():
            present = {c.name for c in cols}
            for col in INDEXED_COLUMNS:
                if col in present and col != PRIMARY_KEYS.get(name):
                    db[name].create_index([col], if_not_exists=True)
        db.index_foreign_keys()
        for name, cols in FTS_COLUMNS.items():
            if name in defs:
                db[name].enable_fts(cols, tokenize="unicode61 remove_diacritics 2")
        db.conn.execute("ANALYZE")
        db.conn.commit()
        db.conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return Written(out, rows, out.stat().st_size)


def export_sqlite(processed_dir: Path | str, out: Path | str, reveal_private: bool = False,
                  metadata: Path | str | None = None) -> Written:
    """``partifinans sqlite``: the processed tables of ``processed_dir`` into the SQLite file ``out``
    and the Datasette metadata beside it (``<out stem>.metadata.json`` unless ``metadata`` is given)."""
    from .browse import write_metadata

    processed_dir = Path(processed_dir)
    if not processed_dir.is_dir():
        raise BadInput(processed_dir, "no such directory of processed tables (run partifinans ingest first)")
    if not store.table_path(processed_dir, "reports").exists():
        raise BadInput(processed_dir, "no reports.parquet here; run `partifinans ingest` first")
    out = Path(out)
    if out.exists() and out.is_dir():
        raise BadInput(out, "is a directory; give the name of the database file to write")
    tables = store.read_tables(processed_dir)
    written = build_database(tables, out, reveal_private=reveal_private)
    meta_path = Path(metadata) if metadata is not None else metadata_path(out)
    write_metadata(meta_path, database=out.stem, reveal_private=reveal_private)
    return written


def metadata_path(db_path: Path | str) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.metadata.json")


__all__ = ["build_database", "definitions", "export_sqlite", "foreign_keys", "public_tables"]
