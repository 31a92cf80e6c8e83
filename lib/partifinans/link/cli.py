"""``partifinans link INPUT.csv --out OUTPUT.csv``: dedupe any donor list.

Input: a CSV (comma or semicolon separated, UTF-8) with the columns record_id, name, donor_id,
address, kind (``person`` | ``organisation`` | empty), year, recipient. ``name`` is required; the
others may be missing or empty. The identity number may come under any of the names users give it,
``donor_id``, ``org_number``, ``organisationsnummer``, ``orgnr`` or ``personnummer`` (several such
columns are read together, per row the one that is filled; two different numbers in one row are
refused). A column that looks like an identifier but is none of these is refused with the expected
header, rather than ignored (a silently ignored number would leave the linkage to names alone);
other extra columns are ignored with a note. An empty record_id becomes ``row:<n>`` (the 1-based data row),
which is only stable as long as the file's rows stay in place: give your own ids if you want to
keep judgements across edits.

Output: one row per input record: record_id, entity_id, entity_name, rule, score, linked_to,
evidence. ``rule`` says why the record is in its entity (``same_identifier``, ``same_name``,
``same_name_address``, ``fuzzy_name``, ``fuzzy_name_address``, ``weighed_evidence``,
``judgement_same``, or ``alone``), ``score`` the name similarity (0-100; for ``weighed_evidence``
the match probability in percent), ``linked_to`` the record it was linked to and ``evidence`` the
reason in words (for ``weighed_evidence`` the weight of each field, see ``weigh.py``). A
personnummer in the input is never written out (the entity id is derived from its keyed
pseudonym). Pairs worth a human look are written beside it as ``<OUTPUT>.review.csv`` (same
columns as ``uncertain_pairs``); copy rows into the judgements file with a verdict to settle them.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pandas as pd

from ..errors import BadInput
from . import load_judgements
from .match import link_records

INPUT_COLUMNS = ("record_id", "name", "donor_id", "address", "kind", "year", "recipient")
IDENTITY_COLUMNS = ("donor_id", "org_number", "organisationsnummer", "orgnr", "personnummer")
"""Headers read as the donor's identity number, in the order a filled value is taken."""
_LOOKS_LIKE_ID = re.compile(r"(^|[_\s-])(id|nr|no|number|nummer)$|nummer|number|^pnr$|^orgnr|identit", re.IGNORECASE)
EXPECTED_HEADER = "record_id,name,donor_id,address,kind,year,recipient"


def read_input(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise BadInput(path, "file not found")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            head = fh.read(65536)
    except UnicodeDecodeError:
        raise BadInput(path, "not UTF-8 text (save the CSV as UTF-8)") from None
    if not head.strip():
        raise BadInput(path, "empty file")
    first_line = head.splitlines()[0]
    sep = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise BadInput(path, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    df.columns = [str(c).strip().casefold() for c in df.columns]
    if "name" not in df.columns:
        raise BadInput(path, f"no 'name' column; expected header {EXPECTED_HEADER} "
                             f"(the identity number may be headed {', '.join(IDENTITY_COLUMNS)})")
    df = _identity_column(path, df)
    if "record_id" not in df.columns:
        df["record_id"] = ""
    empty = df["record_id"].str.strip() == ""
    df.loc[empty, "record_id"] = [f"row:{i + 1}" for i in df.index[empty]]
    dup = df["record_id"][df["record_id"].duplicated()]
    if len(dup):
        row = int(dup.index[0]) + 1
        raise BadInput(path, f"row {row}: record_id {dup.iloc[0]!r} occurs more than once")
    if "kind" in df.columns:
        kinds = df["kind"].str.strip().str.casefold()
        bad = ~kinds.isin(["", "person", "organisation", "organization", "privatperson", "org", "unknown"])
        if bad.any():
            row = int(bad.idxmax()) + 1
            raise BadInput(
                path,
                f"row {row}: kind must be person, organisation or empty, not {df['kind'][bad].iloc[0]!r}",
            )
    if "year" in df.columns:
        years = df["year"].str.strip()
        bad = (years != "") & pd.to_numeric(years, errors="coerce").isna()
        if bad.any():
            row = int(bad.idxmax()) + 1
            raise BadInput(path, f"row {row}: year {years[bad].iloc[0]!r} is not a number")
    return df[[c for c in INPUT_COLUMNS if c in df.columns]]


def _identity_column(path: Path, df: pd.DataFrame) -> pd.DataFrame:
    """One ``donor_id`` column from whichever identity columns the file has; refuse a column that
    looks like an identifier but is not read, note other ignored columns."""
    unknown = [c for c in df.columns if c not in INPUT_COLUMNS and c not in IDENTITY_COLUMNS]
    suspicious = [c for c in unknown if _LOOKS_LIKE_ID.search(c)]
    if suspicious:
        raise BadInput(
            path,
            f"column {suspicious[0]!r} is not one partifinans reads; name the identity number column one of "
            f"{', '.join(IDENTITY_COLUMNS)} (expected header {EXPECTED_HEADER})",
        )
    if unknown:
        print(f"partifinans link: {path}: ignored columns {', '.join(unknown)}", file=sys.stderr)
    present = [c for c in IDENTITY_COLUMNS if c in df.columns]
    if not present:
        return df
    values = df[present].apply(lambda col: col.str.strip())
    filled = values.ne("")
    distinct = values.apply(lambda row: {v.replace("-", "").replace(" ", "") for v in row if v}, axis=1)
    clash = distinct.map(len) > 1
    if clash.any():
        row = int(clash.idxmax())
        cols = [c for c in present if filled.loc[row, c]]
        raise BadInput(path, f"row {row + 1}: {' and '.join(cols)} give different numbers "
                             f"({', '.join(values.loc[row, c] for c in cols)})")
    donor_id = values[present[0]]
    for c in present[1:]:
        donor_id = donor_id.where(donor_id != "", values[c])
    return df.drop(columns=present).assign(donor_id=donor_id)


def link_csv(input: Path, out: Path, judgements: Path | None = None) -> pd.DataFrame:
    """Link the records of ``input`` and write ``out`` (and ``<out>.review.csv`` if there are
    pairs to review). Returns the written table. Bad input raises ``BadInput``."""
    input, out = Path(input), Path(out)
    records = read_input(input)
    linkage = link_records(records, load_judgements(judgements))
    names = linkage.entities.set_index("entity_id")["canonical_name"]
    result = linkage.links.copy()
    result.insert(2, "entity_name", result["entity_id"].map(names))
    order = {r: i for i, r in enumerate(records["record_id"])}
    result = result.sort_values("record_id", key=lambda s: s.map(order)).reset_index(drop=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    result.to_csv(tmp, index=False)
    tmp.replace(out)
    review = out.with_name(out.stem + ".review.csv")
    if len(linkage.uncertain):
        linkage.uncertain.to_csv(review, index=False)
    elif review.exists():
        review.unlink()
    for line in linkage.warnings:
        print(f"partifinans link: {line}", file=sys.stderr)
    n_entities = result["entity_id"].nunique()
    extra = f"; {len(linkage.uncertain)} pairs to review in {review}" if len(linkage.uncertain) else ""
    print(f"partifinans link: {len(result)} records, {n_entities} entities -> {out}{extra}", file=sys.stderr)
    return result
