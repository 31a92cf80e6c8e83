"""followthemoney (FtM) entities as JSON lines, loadable by OCCRP Aleph (``ftm`` / ``alephclient``).

One entity per line: ``{"id": ..., "schema": ..., "properties": {name: [values, ...]}}``. Property
names follow the followthemoney model (checked against followthemoney 4.11 in the tests when the
package is installed):

- nodes: a private person -> ``Person``; an organisationsnummer starting with 5 (aktiebolag) or 9
  (handelsbolag, kommanditbolag) -> ``Company``; 2 (public bodies), 7 and 8 (associations,
  foundations), parties and the parties' own reporting associations -> ``Organization``; an elected
  member reporting for themselves -> ``Person``; anything else (an organisation without a number,
  aggregates such as "Anonyma bidrag till ...", the related-entity pseudo-nodes) -> ``LegalEntity``.
  Swedish numbers go to ``registrationNumber`` with ``jurisdiction`` ``se``.
- edges: contributions, group 8 contributions and internal transfers (5.5) -> ``Payment``
  (``payer``, ``beneficiary``, ``amount``, ``currency`` SEK, ``date`` (the year when the report
  gives no date), ``purpose``, ``recordId``, ``publisher``; the source file and page or row in
  ``description``, and for open data the official file in ``sourceUrl``); organisation -> party ->
  ``Membership`` (``member``, ``organization``, ``role``, ``startDate``, ``endDate``); a related
  entity and the organisation reporting it -> ``UnknownLink`` (``subject``, ``object``, ``role``).

Ids are SHA-1 hex of ``partifinans`` and the graph's stable node or edge id, so a re-run over the
same tables gives the same ids (as followthemoney's ``make_id`` does).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import networkx as nx

from .clean import clean_graph

PUBLISHER = "Kammarkollegiet"
OPENDATA_URL = "https://partiinsyn.kammarkollegiet.se/PartiinsynOpenData/PartiinsynOpenData.csv"
RELATED_ROLE = "närstående verksamhet (bestämmande inflytande, lag 2018:90)"


def ftm_id(*parts: object) -> str:
    text = "\x1f".join(["partifinans", *(str(p) for p in parts)])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def node_schema(data: dict) -> str:
    kind = data.get("kind")
    orgnr = data.get("org_number")
    first = orgnr[0] if orgnr else None
    if kind == "party":
        return "Organization"
    if kind == "organisation":
        if data.get("role") in ("ledamot", "ersattare"):
            return "Person"
        return "Company" if first in ("5", "9") else "Organization"
    if kind == "donor":
        if data.get("donor_kind") == "person":
            return "Person"
        if first in ("5", "9"):
            return "Company"
        if first in ("2", "7", "8"):
            return "Organization"
        return "LegalEntity"
    return "LegalEntity"


def _describe_node(data: dict) -> str | None:
    kind = data.get("kind")
    if kind == "organisation":
        parts = [p for p in (data.get("role"), data.get("level"), data.get("area")) if p]
        text = "Rapporterande organisation"
        if parts:
            text += f" ({', '.join(parts)})"
        if data.get("party"):
            text += f", parti: {data['party']}"
        if data.get("years"):
            text += f", år: {data['years']}"
        return text
    if kind == "donor" and data.get("donor_kind") == "person" and str(data.get("label", "")).startswith(
        "Privatperson "
    ):
        return "Privat bidragsgivare; namnet pseudonymiserat av partifinans"
    if kind in ("anonymous", "withheld", "collection", "unidentified", "internal", "related_entity"):
        return f"Sammanställning av partifinans ({kind}); ingen namngiven part"
    return None


def node_entity(node: str, data: dict) -> dict:
    schema = node_schema(data)
    props: dict[str, list[str]] = {"name": [str(data.get("label") or node)]}
    orgnr = data.get("org_number")
    if orgnr and schema != "Person":
        props["registrationNumber"] = [orgnr]
        props["jurisdiction"] = ["se"]
    if data.get("legal_form") and schema != "Person":
        props["legalForm"] = [data["legal_form"]]
    if data.get("kind") in ("party", "organisation") and schema != "Person":
        props["country"] = ["se"]
    description = _describe_node(data)
    if description:
        props["description"] = [description]
    return {"id": ftm_id("node", node), "schema": schema, "properties": props}


def _amount(value: float) -> str:
    return f"{float(value):.2f}"


def _source_text(data: dict) -> str:
    text = f"Källa: {data.get('source', 'okänd')}"
    if data.get("page") is not None:
        text += f", sida {data['page']}"
    if data.get("row") is not None:
        text += f", rad {data['row']}"
    return text


def payment_entity(u: str, v: str, key: str, data: dict) -> dict:
    kind = data["kind"]
    code = data.get("code")
    code_text = f" ({code})" if code else ""
    if kind == "internal_transfer":
        purpose = f"Bidrag från andra delar av partiets organisation{code_text}, summa för året"
    elif kind == "related_contribution":
        purpose = f"Bidrag till närstående verksamhet{code_text}"
    else:
        purpose = f"Bidrag{code_text}"
    if data.get("form"):
        purpose += f", {data['form']}"
    date = data.get("date") or (str(data["year"]) if data.get("year") is not None else None)
    props: dict[str, list[str]] = {
        "payer": [ftm_id("node", u)],
        "beneficiary": [ftm_id("node", v)],
        "amount": [_amount(data["amount"])],
        "currency": ["SEK"],
        "purpose": [purpose],
        "publisher": [PUBLISHER],
        "description": [_source_text(data)],
        "recordId": [str(data.get("contribution_id") or key)],
    }
    if date:
        props["date"] = [date]
    if data.get("source_kind") == "opendata":
        props["sourceUrl"] = [OPENDATA_URL]
    return {"id": ftm_id("edge", key), "schema": "Payment", "properties": props}


def membership_entity(u: str, v: str, data: dict) -> dict:
    props: dict[str, list[str]] = {"member": [ftm_id("node", u)], "organization": [ftm_id("node", v)]}
    if data.get("role"):
        props["role"] = [data["role"]]
    if data.get("first_year") is not None:
        props["startDate"] = [str(data["first_year"])]
    if data.get("last_year") is not None:
        props["endDate"] = [str(data["last_year"])]
    if data.get("years"):
        props["description"] = [f"Rapporterat för åren {data['years']}"]
    return {"id": ftm_id("membership", u, v), "schema": "Membership", "properties": props}


def related_entity_link(u: str, v: str, lines: list[dict]) -> dict:
    parts = [f"{d.get('year')} {d.get('code')}: {_amount(d['amount'])} SEK" for d in lines]
    props = {
        "subject": [ftm_id("node", u)],
        "object": [ftm_id("node", v)],
        "role": [RELATED_ROLE],
        "description": ["Redovisat som grupp 8: " + "; ".join(parts)],
    }
    return {"id": ftm_id("related", u, v), "schema": "UnknownLink", "properties": props}


def graph_to_ftm(G: nx.MultiDiGraph) -> list[dict]:
    """The FtM entities of a graph: its nodes, then its edges, in graph order."""
    H = clean_graph(G)
    out = [node_entity(n, d) for n, d in H.nodes(data=True)]
    related: dict[tuple[str, str], list[dict]] = {}
    for u, v, k, d in H.edges(keys=True, data=True):
        kind = d.get("kind")
        if kind == "membership":
            out.append(membership_entity(u, v, d))
        elif kind == "related_total":
            related.setdefault((u, v), []).append(d)
        else:
            out.append(payment_entity(u, v, k, d))
    for (u, v), lines in related.items():
        out.append(related_entity_link(u, v, lines))
    return out


def write_ftm(G: nx.MultiDiGraph, out: Path) -> dict:
    """Write the graph as FtM JSON lines (atomically: a temporary file renamed into place)."""
    entities = graph_to_ftm(G)
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for e in entities:
            fh.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, out)
    counts: dict[str, int] = {}
    for e in entities:
        counts[e["schema"]] = counts.get(e["schema"], 0) + 1
    return counts
