"""Detectors: gaps in the reports (``gaps.py``) and patterns of circumvention (``patterns.py``).

``run_all(tables)`` runs every detector in :data:`DETECTORS` over the processed tables and returns
the ``flags`` table (``schema.py``), sorted by severity and then amount (largest first). The
detectors' parameters live in ``config.py``; legal amounts come from ``law.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from .. import schema
from . import gaps, patterns
from .base import Data
from .config import CONFIG, SEVERITY_ORDER, DetectorConfig

DETECTORS: dict[str, Callable[[Data], list[dict]]] = {
    "missing_report": gaps.missing_report,
    "late_report": gaps.late_report,
    "total_mismatch": gaps.total_mismatch,
    "anonymous_over_limit": patterns.anonymous_over_limit,
    "anonymous_near_limit": patterns.anonymous_near_limit,
    "missing_donor_identity": gaps.missing_donor_identity,
    "invalid_identifier": gaps.invalid_identifier,
    "split_across_entities": patterns.split_across_entities,
    "intermediary_donor": patterns.intermediary_donor,
    "related_entity_income": patterns.related_entity_income,
    "lottery_surge": patterns.lottery_surge,
    "donor_concentration": patterns.donor_concentration,
    "year_over_year_jump": patterns.year_over_year_jump,
    "source_disagreement": gaps.source_disagreement,
}

LIST_FIELDS = ("organisations", "donors", "evidence")


def flags_to_frame(flags: list[dict]) -> pd.DataFrame:
    """Flags (dicts with list fields) as the sorted ``flags`` table (list fields as JSON strings)."""
    if not flags:
        return schema.empty("flags")
    rows = []
    for f in flags:
        row = dict(f)
        for name in LIST_FIELDS:
            row[name] = json.dumps(row[name], ensure_ascii=False)
        rows.append(row)
    df = pd.DataFrame(rows)
    df["_severity"] = df["severity"].map(SEVERITY_ORDER)
    df["_amount"] = -df["amount"].astype(float).fillna(float("-inf"))
    df = df.sort_values(["_severity", "_amount", "pattern", "year", "flag_id"], na_position="last", kind="stable")
    df = df.drop(columns=["_severity", "_amount"]).drop_duplicates("flag_id")
    return schema.conform(df.reset_index(drop=True), "flags")


def run_all(tables: dict[str, pd.DataFrame], config: DetectorConfig = CONFIG) -> pd.DataFrame:
    """Run every detector over the processed tables; the ``flags`` table, sorted."""
    data = Data(tables, config)
    flags: list[dict] = []
    for detector in DETECTORS.values():
        flags.extend(detector(data))
    return flags_to_frame(flags)


def decode_flag(row: dict) -> dict:
    """A row of the ``flags`` table as the JSON object of the ``partifinans flags --json`` contract."""
    out = {}
    for name in (
        "pattern", "severity", "year", "party", "organisations", "donors", "amount", "explanation",
        "evidence", "legal_basis", "estimated_fee",
    ):
        v = row.get(name)
        if v is not None and not isinstance(v, (list, dict, str)) and pd.isna(v):
            v = None
        if name in LIST_FIELDS:
            v = json.loads(v) if v else []
        elif name == "year" and v is not None:
            v = int(v)
        elif name in ("amount", "estimated_fee") and v is not None:
            v = float(v)
        out[name] = v
    return out


__all__ = ["CONFIG", "DETECTORS", "DetectorConfig", "decode_flag", "flags_to_frame", "run_all"]
