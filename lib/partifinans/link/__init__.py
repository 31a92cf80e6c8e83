"""Donor linkage: which donor records are the same person or organisation.

The same donor is written differently from one report to the next ("Bergström Fastigheter AB",
"BERGSTRÖM FASTIGHETER AKTIEBOLAG", "Bergstrom Fastigheter AB (publ)"; numbers as ``556677-8899``,
``5566778899``, ``16556677-8899``, ``SE556677889901``; "Lindqvist, Anna-Karin" and "Anna Karin
Lindqvist"), while namesakes are different people.

How records are linked (the rules, in the order they are applied; details in ``match.py``):

- a human judgement in ``data/manual/judgements.csv`` (``judgements.py``) is never overridden;
- the same valid organisationsnummer or personnummer is the same entity;
- organisations with the same name after normalisation (case, spacing, diacritics, legal-form
  words such as AB / Aktiebolag / (publ)) are the same entity, or with a similar name (score
  >= 90 of 100); associations and foundations of the same name in different towns are not;
- persons, and donors of unknown kind, need the same or a similar name AND the same address;
- persons the rules leave apart are weighed (``weigh.py``, Fellegi-Sunter with term-frequency
  adjusted names): a personnummer in one record and name and address in another, ``S-E`` for
  ``Sven-Erik`` at one address. Merged at a match probability of 95 % or more, listed for review
  from 50 %; never merged when the two give different addresses, one is a bare name, or a
  namesake fits as well;
- never linked, not even through a chain: two different valid identity numbers; a person and an
  organisation; different legal forms; "X Holding AB" and "X AB"; "Stiftelsen X" and "Föreningen X";
  records a human judged different.

Every record gets the rule and score that linked it; ``uncertain_pairs`` lists the close calls
for review. Entity ids are hashes of each entity's strongest key (its identity number, else its
normalised name and address), so a re-run gives the same ids whatever the row order.

In plain words (for a reader of the numbers): partifinans treats two donor records as the same
donor when they carry the same organisationsnummer or personnummer, however it is written; two
different numbers are never the same donor, not even through a chain of other matches. Without a
number, an organisation is matched on its name once capitals, spacing, accents (Bäck compares
equal to Back, but the output keeps "Bäck"), word order and words such as "AB", "Aktiebolag" and
"(publ)" are set aside, or on a name that differs by a small misspelling only; "X Holding AB" is
never "X AB", a foundation never the association of the same name, an AB never an HB, and
associations of one name in different towns stay apart. A private person without a personnummer
is matched when both the name and the address agree; otherwise the evidence is weighed: how
rare the name is among the other records, whether address, receiving organisation and years
agree. A rare name printed once with a personnummer and once with an address, for the same
party, is joined; a common name is not, and a person who could be either of two namesakes at two
addresses is listed for a human to review, not joined. Names that differ by a whole word or a
short first name ("Jan" / "Jon") are not matched but listed for review, and a human's decision
in ``data/manual/judgements.csv`` always wins. Every match states its rule, its score and its
evidence. On a hand-labelled test set of 246 fictional records, full of hard cases, 100 % of the
pairs the matcher joined were right (precision) and it found 98.1 % of the true pairs (recall;
what it missed: a bare name that fits two namesakes, and "IF" for "Idrottsförening"); on 60
held-out records nobody tuned on, 100 % and 100 %. Speed and memory on synthetic donor lists:
``benchmarks/RESULTS.md`` (``benchmarks/bench_link.py``).

Public API: ``link_records``, ``link_tables``, ``link_contributions``, ``uncertain_pairs``,
``Linkage``, ``records_from_contributions``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from .. import config, schema
from .judgements import read_judgements
from .match import UNCERTAIN_COLUMNS, Linkage, link_records

__all__ = [
    "Linkage",
    "link_records",
    "link_contributions",
    "link_tables",
    "uncertain_pairs",
    "load_judgements",
    "UNCERTAIN_COLUMNS",
]


def load_judgements(path: Path | str | None):
    """Judgements from ``path``; ``None`` means the default file (``config.judgements_path()``).
    The default file may be missing (no judgements); any other path must exist."""
    default = config.judgements_path()
    if path is None or (not Path(path).exists() and Path(path).resolve() == default.resolve()):
        return read_judgements(default) if default.exists() else []
    return read_judgements(path)


def records_from_contributions(
    contributions: pd.DataFrame, reports: pd.DataFrame
) -> tuple[pd.DataFrame, pd.Series]:
    c = contributions
    donor = c["donor"].astype(object).where(c["donor"].notna(), "")
    donor_id = c["donor_id"].astype(object).where(c["donor_id"].notna(), "")
    anonymous = (c["donor_kind"] == "anonymous") | ((donor.str.strip() == "") & (donor_id.str.strip() == ""))
    rep = reports.drop_duplicates("report_id").set_index("report_id") if len(reports) else None
    year = c["report_id"].map(rep["year"]) if rep is not None else pd.Series(pd.NA, index=c.index)
    recipient = (
        c["report_id"].map(rep["reporter_name"]) if rep is not None else pd.Series(pd.NA, index=c.index)
    )
    kind = c["donor_kind"].where(c["donor_kind"].isin(["person", "organisation"]), "")
    records = pd.DataFrame(
        {
            "record_id": c["contribution_id"],
            "name": donor,
            "donor_id": donor_id,
            "address": c["address"],
            "kind": kind,
            "year": year,
            "recipient": recipient,
        }
    )
    return records[~anonymous.fillna(False).astype(bool)], anonymous


def link_tables(
    contributions: pd.DataFrame, reports: pd.DataFrame, judgements_path: Path | None = None
) -> dict[str, pd.DataFrame]:
    """Link the contributions' donors; the tables ``ingest`` writes, each conforming to ``schema.py``:

    - ``contributions`` with ``entity_id`` filled (null for anonymous gifts);
    - ``entities``;
    - ``links``: for every linked contribution the rule, score and the contribution it was linked to;
    - ``link_review``: the pairs the matcher could not decide, for a human to judge.

    Judgements are keyed by ``contribution_id`` (or by identity number), see ``judgements.py``.
    """
    contributions = schema.conform(contributions, "contributions")
    if contributions["contribution_id"].duplicated().any():
        raise ValueError("contributions: contribution_id is not unique")
    # Only the contributions of primary reports (harmonise.py's is_primary) are donors' records:
    # a second file of one report, or its open-data copy, is not another gift, and must not change
    # which records an entity holds (nor its id). The others keep a null entity_id.
    if len(reports) and "is_primary" in reports.columns and reports["is_primary"].notna().all():
        primary_ids = set(reports.loc[reports["is_primary"].astype(bool), "report_id"])
        counted = contributions["report_id"].isin(primary_ids)
    else:
        counted = pd.Series(True, index=contributions.index)
    records, _anonymous = records_from_contributions(contributions[counted], reports)
    linkage = link_records(records, load_judgements(judgements_path))
    for line in linkage.warnings:
        warnings.warn(f"donor linkage: {line}", stacklevel=2)
    entity_of = linkage.links.set_index("record_id")["entity_id"]
    contributions["entity_id"] = contributions["contribution_id"].map(entity_of)
    entities = linkage.entities.rename(columns={"n_records": "n_contributions"})
    links = linkage.links.rename(columns={"record_id": "contribution_id"})
    return {
        "contributions": schema.conform(contributions, "contributions"),
        "entities": schema.conform(entities, "entities"),
        "links": schema.conform(links, "links"),
        "link_review": schema.conform(linkage.uncertain, "link_review"),
    }


def link_contributions(
    contributions: pd.DataFrame, reports: pd.DataFrame, judgements_path: Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill ``entity_id`` in the contributions and build the ``entities`` table (both conform to
    ``schema.py``); see :func:`link_tables`, which also returns the reasons."""
    tables = link_tables(contributions, reports, judgements_path)
    return tables["contributions"], tables["entities"]


def uncertain_pairs(records: pd.DataFrame, judgements_path: Path | str | None = None) -> pd.DataFrame:
    """Pairs of records the matcher could not decide, for a human to judge.

    ``records`` as for ``link_records`` (or a ``contributions`` table, whose contribution_id,
    donor, donor_id, donor_kind and address are used). Columns: left, right (record ids, as
    ``judgements.csv`` wants them), left_name, right_name, rule, score, why, left_entity,
    right_entity. Pairs already judged are left out. Highest score first.
    """
    if "contribution_id" in records.columns and "record_id" not in records.columns:
        records, _ = records_from_contributions(
            schema.conform(records, "contributions"), schema.empty("reports")
        )
    return link_records(records, load_judgements(judgements_path)).uncertain
