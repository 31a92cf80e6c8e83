"""GraphML and GEXF for Gephi.

Both formats need one scalar type per attribute and no missing values, so the graph goes through
``clean.clean_graph`` first (missing attributes are left out). Money edges get ``weight`` = amount
in SEK, which Gephi uses for edge thickness; membership edges weigh 1.
"""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx

from .clean import clean_graph


def gephi_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    H = clean_graph(G)
    for _, _, data in H.edges(data=True):
        data["weight"] = float(data["amount"]) if "amount" in data else 1.0
    return H


def _atomic(write, out: Path) -> None:
    """Write through a temporary file renamed into place, so a failed write leaves no half file."""
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def _counts(H: nx.MultiDiGraph) -> dict:
    return {"nodes": H.number_of_nodes(), "edges": H.number_of_edges()}


def write_graphml(G: nx.MultiDiGraph, out: Path) -> dict:
    H = gephi_graph(G)
    _atomic(lambda path: nx.write_graphml(H, path, encoding="utf-8", prettyprint=True), Path(out))
    return _counts(H)


def write_gexf(G: nx.MultiDiGraph, out: Path) -> dict:
    H = gephi_graph(G)
    _atomic(lambda path: nx.write_gexf(H, path, encoding="utf-8", prettyprint=True), Path(out))
    return _counts(H)
