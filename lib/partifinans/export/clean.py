"""Scalar, personnummer-free attributes for exports."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import networkx as nx

from .. import identifiers

REMOVED = "[borttaget]"
# Ten or twelve digits, optionally with a separator before the last four (YYMMDD-NNNN, YYYYMMDDNNNN ...),
# standing alone: digits inside a hex id (a contribution id, a hash) are not a number.
_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{2})?\d{6}[-+ ]?\d{4}(?![0-9A-Za-z])")
_PSEUDONYM = re.compile(r"pnr:[0-9a-fA-F]+")


_SIX_DIGITS = re.compile(r"\d{6}")


@lru_cache(maxsize=200_000)
def scrub_text(text: str) -> str:
    """``text`` with every personnummer (valid or not: shaped like one) and ``pnr:`` pseudonym blanked.

    Organisationsnummer stay: they are public, and ``identifiers.parse_identifier`` tells them
    apart (their third and fourth digits are 20 or more).
    """
    if "pnr:" not in text and not _SIX_DIGITS.search(text):
        return text
    text = _PSEUDONYM.sub(REMOVED, text)

    def repl(m: re.Match) -> str:
        ident = identifiers.parse_identifier(m.group(0))
        return m.group(0) if ident is not None and ident.kind == "orgnr" else REMOVED

    return _NUMBER.sub(repl, text)


def clean_value(value: object) -> object:
    """A plain str / int / float / bool for an export, or None to leave the attribute out."""
    if value is None:
        return None
    if type(value) is str:
        return scrub_text(value)
    if type(value) is float:
        return None if math.isnan(value) else value
    if type(value) in (int, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, str):
        return scrub_text(value)
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return scrub_text(str(value))


def clean_attrs(data: dict) -> dict:
    out = {}
    for k, v in data.items():
        if k[0] == "_":
            continue
        v = clean_value(v)
        if v is not None:
            out[k] = v
    return out


def clean_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` with scalar, scrubbed attributes and no None values (node ids scrubbed too)."""
    H = nx.MultiDiGraph()
    H.graph.update(clean_attrs(G.graph))
    ids = {n: scrub_text(str(n)) for n in G}
    for n, data in G.nodes(data=True):
        H.add_node(ids[n], **clean_attrs(data))
    for u, v, k, data in G.edges(keys=True, data=True):
        H.add_edge(ids[u], ids[v], key=scrub_text(str(k)), **clean_attrs(data))
    return H
