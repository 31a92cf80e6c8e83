"""Scalar, personnummer-free attributes for exports."""

from __future__ import annotations

import math

import networkx as nx

from .. import privacy

REMOVED = privacy.REMOVED
scrub_text = privacy.scrub_text  # the one scrubber lives in privacy.py


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
