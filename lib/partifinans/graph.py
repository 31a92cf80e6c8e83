"""The money graph: one builder of a networkx MultiDiGraph from the processed tables.

:func:`build_graph` is the only place the graph is made; the exporters in ``export/`` (GraphML and
GEXF for Gephi, followthemoney JSON lines for OCCRP Aleph), the notebook helpers
(:func:`top_donors`, :func:`donor_subgraph`) and the drawing (``plots.draw_party_network``) all
take its output. This module builds; it draws nothing.

It reads the harmonised columns (``harmonise.py``) and re-derives none: only primary reports
(``reports.is_primary``), so a reporter-year read from two files is counted once; reporters by
``org_id``; parties by their canonical name; what a line or contribution is from the code flags
(``is_anonymous``, ``is_collection``, ``is_internal_transfer``, ``is_related_entity``).

Nodes (id: kind)
----------------
- ``party:<party name>``: ``party``, a party as named in the reports.
- ``org:<org_id>``: ``organisation``, a reporting organisation (or an elected member who
  reports): ``org:NNNNNN-NNNN``, or ``org:reporter:<16 hex>`` for a reporter without a valid
  organisationsnummer (``harmonise.org_id``; a personnummer printed as a reporter's number is
  never used).
- ``entity:<entity_id>``: ``donor``, a linked donor entity (``contributions.entity_id``).
- ``donor:<12 hex>``: ``donor``, a named donor the linkage has not (yet) given an entity; hashed
  from its identity number, else its name (``is_linked`` False).
- ``anonymous:<org key>``, ``withheld:<org key>``, ``collection:<org key>``,
  ``unidentified:<org key>``: one aggregate node per recipient for contributions without an
  entity: anonymous gifts (5.2, 8.2), private persons whose name the source withholds (the open
  data's "Privat bidrag"), cash collections (4.1, 8.1) and anything else without a donor. They are
  kept, not dropped, so a recipient's incoming edges add up to what it reported; aggregating per
  recipient (not one global node) keeps the drawing of one party from pulling in other parties.
- ``related:<org key>``: ``related_entity``, the company, association or foundation under the
  reporter's controlling influence whose income it reports as group 8 (the reports do not name
  it, so it is a pseudo-node per reporter).

Node attributes: ``kind``, ``label`` (private persons: ``Privatperson <8 hex>`` from
``privacy.private_label(entity_id)`` unless ``reveal_private``; elected members who report for
themselves keep their name, which their public report carries), ``org_number`` (organisations
only, never for a person), ``legal_form`` (``identifiers.legal_form_group``), and totals in SEK:
``total_given``, ``n_contributions``, ``n_recipients`` (donors and aggregates),
``contributions_received`` (organisations: groups 4 and 5; related entities: group 8; parties:
all of their organisations' and related entities'), ``total_income`` (organisations: the printed
report totals, else the sum of lines; related entities: their group 8 lines).

Edges (key: kind)
-----------------
- contribution (``kind`` ``contribution``; group 8: ``related_contribution`` into the related
  node): donor -> recipient, key ``contribution_id``. Attributes: ``amount``, ``date``, ``year``,
  ``form``, ``code``, ``group``, ``source`` (the source path), ``page`` (PDF) or ``row`` (open
  data), ``contribution_id``, ``party`` and ``recipient`` (the reporting organisation's node).
- membership (``membership``): organisation -> party, key ``membership``; ``years`` as
  ``"2021,2022"``, ``first_year``, ``last_year``, ``role``, ``level``.
- internal transfer (``internal_transfer``): party -> organisation, one per ``is_internal_transfer``
  line (type 5.5; on the uncoded 2014-law form its label, through the code map): the
  total an organisation received from the party's own associations. The reports do not say which
  association gave it, so the party node stands for "the party's own associations" (a reporter
  without a party gets a pseudo-node ``internal:<org key>``).
- related total (``related_total``): related node -> organisation, one per group 8 line, the
  amount the related entity received of that type.

Amounts are SEK. Missing values are absent attributes, never None-valued in exports.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pandas as pd

from . import harmonise, identifiers, privacy, schema, store
from .errors import BadInput, UserError

CONTRIBUTION_KINDS = ("contribution", "related_contribution")
AGGREGATE_KINDS = ("anonymous", "withheld", "collection", "unidentified")
AGGREGATE_LABELS = {
    "anonymous": "Anonyma bidrag",
    "withheld": "Privatpersoner (namn ej uppgivet)",
    "collection": "Insamling av kontanter",
    "unidentified": "Okänd bidragsgivare",
}


def _short_hash(*parts: object, n: int = 12) -> str:
    return identifiers.make_id(*parts, length=n)


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float):
        return value == value  # NaN is not equal to itself
    if isinstance(value, (str, int)):
        return True
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _scalar(value: object) -> object:
    """A native Python scalar, or None for a missing value (pandas NA, NaN)."""
    if value is None or isinstance(value, str):
        return value
    if not _present(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values, None for missing (much faster than itertuples on Arrow)."""
    cols = {c: df[c].to_numpy(dtype=object, na_value=None) for c in df.columns}
    return [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]


def _orgnr(text: object) -> str | None:
    """A valid organisationsnummer ``NNNNNN-NNNN`` or None (a personnummer is never returned)."""
    if not _present(text):
        return None
    return _orgnr_of(str(text))


@lru_cache(maxsize=65536)
def _orgnr_of(text: str) -> str | None:
    ident = identifiers.parse_identifier(text)
    if ident is None or ident.kind != "orgnr" or not ident.is_valid:
        return None
    return ident.value


def _as_list(value: object) -> list:
    """A list column's cell as a list (Arrow gives arrays; a missing cell gives [])."""
    if value is None or isinstance(value, str):
        return [] if value is None else [value]
    try:
        return list(value)
    except TypeError:
        return []


def _safe_entity_id(entity_id: str) -> str:
    """The entity id itself, unless it carries a pseudonym or a personnummer-shaped number.

    Our own ids (``identifiers.make_id``: 16 hex digits) are kept as they are, even when ten of their
    digits happen to stand in a row (about 6 % of them): the graph must name the same entity as
    ``entities.parquet``."""
    if re.fullmatch(r"[0-9a-f]{16}", entity_id):
        return entity_id
    if privacy.is_pseudonym(entity_id) or re.search(r"\d{10}|\d{6}[-+]\d{4}", entity_id):
        return _short_hash("entity", entity_id, n=16)
    return entity_id


def _aggregate_kind(row) -> str:
    """Which aggregate node a contribution without a donor entity comes from (code flags)."""
    if row["is_collection"]:
        return "collection"
    if row["is_anonymous"] or row["donor_kind"] == "anonymous":
        return "anonymous"
    if row["donor_kind"] == "person":
        return "withheld"
    return "unidentified"


def _primary(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    tables = harmonise.ensure({name: tables.get(name, schema.empty(name))
                               for name in ("reports", "lines", "contributions")})
    reports, lines, contributions = tables["reports"], tables["lines"], tables["contributions"]
    reports = reports[reports["is_primary"].astype(bool)]
    # A fixed order, whatever the tables' row order: the latest report first, so an organisation
    # that changed its name is labelled with its latest name.
    reports = reports.sort_values(["year", "report_id"], ascending=[False, True], na_position="last")
    ids = list(reports["report_id"])
    contributions = contributions[contributions["report_id"].isin(ids)].sort_values("contribution_id")
    return reports, lines[lines["report_id"].isin(ids)], contributions


def build_graph(tables: dict[str, pd.DataFrame], reveal_private: bool = False) -> nx.MultiDiGraph:
    """The money graph of the processed tables (see the module docstring for nodes and edges).

    ``tables`` is keyed by table name as ``store.read_tables`` returns it; ``reports``, ``lines``
    and ``contributions`` are used, ``entities`` when present. Private persons are labelled
    ``Privatperson <hash>`` unless ``reveal_private``.
    """
    reports, lines, contributions = _primary(tables)
    entities = tables.get("entities", schema.empty("entities"))
    G = nx.MultiDiGraph()
    G.graph["name"] = "partifinans money graph"
    G.graph["amount_unit"] = "SEK"
    G.graph["reveal_private"] = bool(reveal_private)

    # ---- reporting organisations, parties, membership
    report_info: dict[str, dict] = {}
    membership: dict[tuple[str, str], dict] = {}
    report_rows = [SimpleNamespace(**d) for d in _records(reports)]
    for r in report_rows:
        key = r.org_id
        org = f"org:{key}"
        party = str(r.party).strip() if _present(r.party) else None
        year = _scalar(r.year)
        report_info[r.report_id] = {
            "org": org,
            "org_key": key,
            "party": party,
            "year": year,
            "source": r.source_path,
            "source_kind": r.source_kind,
            "reporter_name": _scalar(r.reporter_name),
        }
        if org not in G:
            orgnr = _orgnr(r.org_number)
            G.add_node(
                org,
                kind="organisation",
                label=_scalar(r.reporter_name) or (orgnr or key),
                org_number=orgnr,
                legal_form=identifiers.legal_form_group(orgnr) if orgnr else None,
                role=_scalar(r.role),
                level=_scalar(r.level),
                area=_scalar(r.area),
                party=party,
                total_income=0.0,
                contributions_received=0.0,
                _years=set(),
            )
        node = G.nodes[org]
        if year is not None:
            node["_years"].add(year)
        if party and not node.get("party"):
            node["party"] = party
        if party:
            pnode = f"party:{party}"
            if pnode not in G:
                G.add_node(pnode, kind="party", label=party, contributions_received=0.0, _orgs=set())
            G.nodes[pnode]["_orgs"].add(org)
            m = membership.setdefault((org, pnode), {"years": set(), "role": _scalar(r.role),
                                                     "level": _scalar(r.level)})
            if year is not None:
                m["years"].add(year)

    for (org, pnode), m in membership.items():
        years = sorted(m["years"])
        G.add_edge(
            org, pnode, key="membership", kind="membership",
            years=",".join(str(y) for y in years),
            first_year=years[0] if years else None,
            last_year=years[-1] if years else None,
            role=m["role"], level=m["level"],
        )

    # ---- totals income per organisation: printed totals, else the sum of lines
    line_sums = lines.groupby("report_id")["amount"].sum().to_dict()
    for r in report_rows:
        info = report_info[r.report_id]
        total = _scalar(r.total)
        if total is None:
            total = float(line_sums.get(r.report_id, 0.0))
        G.nodes[info["org"]]["total_income"] += float(total)

    # ---- internal transfers (5.5) and related entities' totals (group 8 lines)
    # Only non-zero group 5 and 8 lines can be transfers or related totals (open data has a row,
    # mostly zero, for every type of every organisation).
    candidates = lines[(lines["amount"] != 0) & (lines["is_internal_transfer"] | lines["is_related_entity"])]
    line_keys: set[str] = set()
    for ln in (SimpleNamespace(**d) for d in _records(candidates)):
        amount = float(ln.amount)
        info = report_info[ln.report_id]
        org = info["org"]
        common = {
            "amount": amount,
            "year": info["year"],
            "code": _scalar(ln.code),
            "group": _scalar(ln.group),
            "line_label": _scalar(ln.label),
            "source": info["source"],
            "source_kind": info["source_kind"],
            "page": _scalar(ln.page),
            "row": _scalar(ln.row),
            "party": info["party"],
            "recipient": org,
        }
        if ln.is_internal_transfer and not ln.is_related_entity:
            sender = f"party:{info['party']}" if info["party"] else f"internal:{info['org_key']}"
            if sender not in G:
                G.add_node(sender, kind="internal", label=f"Egna föreningar ({G.nodes[org]['label']})")
            key = _line_key(line_keys, "transfer", ln)
            G.add_edge(sender, org, key=key, kind="internal_transfer", **common)
        elif ln.is_related_entity:
            rel = _related_node(G, info)
            key = _line_key(line_keys, "related", ln)
            G.add_edge(rel, org, key=key, kind="related_total", **common)
            G.nodes[rel]["total_income"] += amount

    # ---- donors and contributions
    ent = entities.drop_duplicates("entity_id").set_index("entity_id") if len(entities) else None
    # Privacy first: an entity is a private person if the linkage or any of its contributions says so.
    persons = set(contributions.loc[contributions["donor_kind"] == "person", "entity_id"].dropna())
    persons |= set(entities.loc[entities["kind"] == "person", "entity_id"])
    for c in _records(contributions):
        info = report_info[c["report_id"]]
        recipient = info["org"]
        kind = "contribution"
        if c["is_related_entity"]:
            recipient = _related_node(G, info)
            kind = "related_contribution"
        donor = _donor_node(G, c, info, ent, persons, reveal_private)
        amount = float(c["amount"])
        G.add_edge(
            donor, recipient, key=c["contribution_id"], kind=kind,
            amount=amount,
            date=_scalar(c["date"]),
            year=info["year"],
            form=_scalar(c["form"]),
            code=_scalar(c["code"]),
            group=_scalar(c["group"]),
            source=info["source"],
            source_kind=info["source_kind"],
            page=_scalar(c["page"]),
            row=_scalar(c["row"]),
            contribution_id=c["contribution_id"],
            party=info["party"],
            recipient=info["org"],
        )
        d = G.nodes[donor]
        d["total_given"] += amount
        d["n_contributions"] += 1
        G.nodes[recipient]["contributions_received"] += amount
        if info["party"]:
            G.nodes[f"party:{info['party']}"]["contributions_received"] += amount

    # ---- finish: derived scalar attributes
    for _, data in G.nodes(data=True):
        years = data.pop("_years", None)
        if years is not None:
            ys = sorted(years)
            data["years"] = ",".join(str(y) for y in ys)
            data["first_year"] = ys[0] if ys else None
            data["last_year"] = ys[-1] if ys else None
        orgs = data.pop("_orgs", None)
        if orgs is not None:
            data["n_organisations"] = len(orgs)
        recipients = data.pop("_recipients", None)
        if recipients is not None:
            data["n_recipients"] = len(recipients)
    return G


def _line_key(used: set[str], prefix: str, ln: SimpleNamespace) -> str:
    """Edge key of a line, from its content (not its position), made unique among ``used``."""
    base = f"{prefix}:{ln.report_id}:{_short_hash(ln.code, ln.label, ln.page, ln.row, ln.amount, n=8)}"
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}-{n}"
    used.add(key)
    return key


def _related_node(G: nx.MultiDiGraph, info: dict) -> str:
    rel = f"related:{info['org_key']}"
    if rel not in G:
        G.add_node(
            rel, kind="related_entity",
            label=f"Närstående verksamhet ({G.nodes[info['org']]['label']})",
            party=info["party"], total_income=0.0, contributions_received=0.0,
        )
    return rel


def _donor_node(G: nx.MultiDiGraph, c: dict, info: dict, ent: pd.DataFrame | None,
                persons: set, reveal_private: bool) -> str:
    """The node a contribution comes from, created on first use."""
    entity_id = _scalar(c["entity_id"])
    donor_name = _scalar(c["donor"])
    donor_kind = c["donor_kind"]
    if entity_id is not None:
        node = f"entity:{_safe_entity_id(str(entity_id))}"
        if node not in G:
            row = ent.loc[entity_id] if ent is not None and entity_id in ent.index else None
            kind = _scalar(row["kind"]) if row is not None else None
            kind = "person" if entity_id in persons else (kind or donor_kind)
            name = (_scalar(row["canonical_name"]) if row is not None else None) or donor_name
            known = _as_list(row["identifiers"]) if row is not None else []
            orgnr = next((o for o in map(_orgnr, known) if o), None) or _orgnr(c["donor_id"])
            _add_donor(G, node, kind, name, orgnr, str(entity_id), True, reveal_private)
    elif donor_name is not None and donor_kind != "anonymous":
        donor_id = _scalar(c["donor_id"])
        key = donor_id if donor_id is not None else str(donor_name).casefold().strip()
        node = f"donor:{_short_hash('donor', key)}"
        if node not in G:
            _add_donor(G, node, donor_kind, donor_name, _orgnr(donor_id), key, False, reveal_private)
    else:
        agg = _aggregate_kind(c)
        node = f"{agg}:{info['org_key']}"
        if node not in G:
            G.add_node(
                node, kind=agg, label=f"{AGGREGATE_LABELS[agg]} till {info['reporter_name'] or info['org_key']}",
                donor_kind=donor_kind, total_given=0.0, n_contributions=0, _recipients=set(),
            )
    G.nodes[node]["_recipients"].add(info["org"])
    return node


def _add_donor(G: nx.MultiDiGraph, node: str, kind: str, name: str | None, orgnr: str | None,
               stable_key: str, is_linked: bool, reveal_private: bool) -> None:
    is_person = kind == "person"
    if is_person and not reveal_private:
        label = privacy.private_label(stable_key)
    else:
        label = name or orgnr or "Okänd bidragsgivare"
    G.add_node(
        node, kind="donor", donor_kind=kind, label=label,
        org_number=None if is_person else orgnr,
        legal_form=None if is_person or not orgnr else identifiers.legal_form_group(orgnr),
        is_linked=is_linked, total_given=0.0, n_contributions=0, _recipients=set(),
    )


# --------------------------------------------------------------------------------------------------
# Notebook helpers


def _party_node(G: nx.MultiDiGraph, party: str) -> str:
    node = party if str(party).startswith("party:") else f"party:{party}"
    if node not in G:
        parties = sorted(d["label"] for _, d in G.nodes(data=True) if d.get("kind") == "party")
        raise UserError(f"party {party!r} not in the graph (parties: {', '.join(parties) or 'none'})")
    return node


def top_donors(G: nx.MultiDiGraph, party: str, top_n: int = 15,
               include_unidentified: bool = False) -> pd.Series:
    """Donor node -> SEK given to the party's organisations (and their related entities), largest first.

    Aggregate nodes (anonymous, withheld, collections) are left out unless
    ``include_unidentified``. Ties are broken by node id so the order is stable.
    """
    name = G.nodes[_party_node(G, party)]["label"]
    totals: dict[str, float] = defaultdict(float)
    for u, _, data in G.edges(data=True):
        if data.get("kind") in CONTRIBUTION_KINDS and data.get("party") == name:
            if include_unidentified or G.nodes[u].get("kind") == "donor":
                totals[u] += data["amount"]
    s = pd.Series(totals, dtype=float)
    if s.empty:
        return s
    order = sorted(s.index, key=lambda n: (-s[n], n))
    return s[order].head(top_n)


def donor_subgraph(G: nx.MultiDiGraph, party: str, top_n: int = 15,
                   include_unidentified: bool = False) -> nx.MultiDiGraph:
    """One party's top donors, what they gave to which of its organisations, and the membership edges.

    Holds: the ``top_n`` donors by amount to the party (see :func:`top_donors`), their contribution
    edges to the party's organisations (or related entities), those recipients, the related
    entities' edges to their organisations, the organisations' membership edges and the party node.
    Each donor node gets ``given_to_party`` (SEK).
    """
    pnode = _party_node(G, party)
    name = G.nodes[pnode]["label"]
    top = top_donors(G, party, top_n, include_unidentified)
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.graph["party"] = name
    H.add_node(pnode, **G.nodes[pnode])
    for donor, amount in top.items():
        H.add_node(donor, **G.nodes[donor], given_to_party=float(amount))
        for _, v, k, data in G.out_edges(donor, keys=True, data=True):
            if data.get("kind") in CONTRIBUTION_KINDS and data.get("party") == name:
                for n in (v, data["recipient"]):
                    if n not in H:
                        H.add_node(n, **G.nodes[n])
                H.add_edge(donor, v, key=k, **data)
    for n in list(H.nodes):
        if G.nodes[n].get("kind") == "related_entity":
            for _, v, k, data in G.out_edges(n, keys=True, data=True):
                if data.get("kind") == "related_total" and v in H:
                    H.add_edge(n, v, key=k, **data)
        if G.nodes[n].get("kind") == "organisation" and G.has_edge(n, pnode, key="membership"):
            H.add_edge(n, pnode, key="membership", **G.edges[n, pnode, "membership"])
    return H


# --------------------------------------------------------------------------------------------------
# Exports


def export_graph(processed_dir: Path, fmt: str, out: Path, reveal_private: bool = False) -> dict:
    """Build the graph from a processed directory and write it as ``graphml``, ``gexf`` or ``ftm``.

    Private persons are pseudonymised unless ``reveal_private``; no export ever holds a
    personnummer or a personnummer pseudonym. Returns counts of what was written.
    """
    from .export import write_ftm, write_gexf, write_graphml

    writers = {"graphml": write_graphml, "gexf": write_gexf, "ftm": write_ftm}
    if fmt not in writers:
        raise UserError(f"unknown graph format {fmt!r} (choose {', '.join(writers)})")
    processed_dir = Path(processed_dir)
    if not processed_dir.is_dir():
        raise BadInput(processed_dir, "no such directory of processed tables")
    if not store.table_path(processed_dir, "reports").exists():
        raise BadInput(processed_dir, "no reports.parquet here; run `partifinans ingest` first")
    tables = store.read_tables(processed_dir)
    G = build_graph(tables, reveal_private=reveal_private)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return writers[fmt](G, out)
