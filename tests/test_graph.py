"""The money graph: builder, notebook helpers, GraphML / GEXF / followthemoney exports, privacy.

All organisations and donors are invented. The tables are small and inline: three parties'
organisations in 2022, a duplicate open-data report that is not primary, and donors of every kind
(a company giving three times to two organisations, a private person, an anonymous gift, a private
donor the open data withholds, a foundation, an unlinked partnership, a group 8 gift).
"""

from __future__ import annotations

import json
import re

import matplotlib
import networkx as nx
import pandas as pd
import pytest

from partifinans import cli, privacy, schema, store
from partifinans.errors import BadInput
from partifinans.export.clean import scrub_text
from partifinans.export.ftm import graph_to_ftm
from partifinans.graph import build_graph, donor_subgraph, export_graph, top_donors
from partifinans.plots import draw_party_network

matplotlib.use("Agg")

S = "Socialdemokraterna"
M = "Moderaterna"
ORG_S = "802001-2343"      # Socialdemokraterna i Exempelstad (ideell förening, valid check digit)
ORG_SSU = "802004-3215"    # SSU Exempelstad
ORG_M = "802009-9993"      # Moderaterna i Påhittköping
BOLAG = "556677-8899"      # Exempelbolaget AB
HB = "969999-1239"         # Fiktiva Förlaget HB
STIFTELSE = "802005-0012"  # Påhittad Stiftelse
PNR = "18900102-1238"      # Testa Testsson, born 1890 (fictional)
PNR_LEDAMOT = "18950315-1236"
PERSON_NAME = "Testa Testsson"


def _valid(orgnr: str) -> str:
    from partifinans.identifiers import normalise_orgnr

    assert normalise_orgnr(orgnr) == orgnr, orgnr
    return orgnr


def _tables() -> dict[str, pd.DataFrame]:
    for n in (ORG_S, ORG_SSU, ORG_M, BOLAG, HB, STIFTELSE):
        _valid(n)
    pnr_pseudonym = privacy.pseudonymise(PNR.replace("-", "")[:8] + "-" + PNR[-4:])
    reports = pd.DataFrame(
        [
            dict(report_id="r_s", source_path="raw/s_exempelstad_2022.pdf", source_sha256="a" * 64,
                 source_kind="pdf", is_primary=True, kind="intaktsredovisning", year=2022,
                 org_number=ORG_S, reporter_name="Socialdemokraterna i Exempelstad", party=S,
                 role="parti", level="kommun", area="Exempelstad", total=500000.0),
            dict(report_id="r_ssu", source_path="raw/PartiinsynOpenData.csv", source_sha256="b" * 64,
                 source_kind="opendata", is_primary=True, kind="intaktsredovisning", year=2022,
                 org_number=ORG_SSU, reporter_name="SSU Exempelstad", party=S,
                 role="sidoorganisation", level="kommun", total=None, row=3),
            dict(report_id="r_m", source_path="raw/m_pahittkoping_2022.pdf", source_sha256="c" * 64,
                 source_kind="pdf", is_primary=True, kind="intaktsredovisning", year=2022,
                 org_number=ORG_M, reporter_name="Moderaterna i Påhittköping", party=M,
                 role="parti", level="kommun", total=300000.0),
            # An elected member whose reporter number is a personnummer: it must never be used.
            dict(report_id="r_led", source_path="raw/ledamot_2022.pdf", source_sha256="d" * 64,
                 source_kind="pdf", is_primary=True, kind="intaktsredovisning", year=2022,
                 org_number=PNR_LEDAMOT, reporter_name="Lena Ledamotsson", party=M,
                 role="ledamot", level="kommun", total=0.0),
            # The open-data twin of r_s: not primary, so nothing from it may count.
            dict(report_id="r_s_od", source_path="raw/PartiinsynOpenData.csv", source_sha256="b" * 64,
                 source_kind="opendata", is_primary=False, kind="intaktsredovisning", year=2022,
                 org_number=ORG_S, reporter_name="Socialdemokraterna i Exempelstad", party=S,
                 role="parti", level="kommun", total=500000.0, row=1),
        ]
    )
    lines = pd.DataFrame(
        [
            dict(report_id="r_s", group=5, code="5.5", label="Bidrag från andra delar av partiets organisation",
                 amount=12000.0, page=1),
            dict(report_id="r_s", group=5, code="5.7", label="Övriga bidrag över 24 150 kronor", amount=80000.0, page=1),
            dict(report_id="r_s", group=5, code="5.4", label="Bidrag från privatpersoner", amount=25000.0, page=1),
            dict(report_id="r_ssu", group=5, code="5.5", label="Interna bidrag", amount=0.0, row=5),
            dict(report_id="r_ssu", group=5, code="5.7", label="Övriga bidrag", amount=40000.0, row=6),
            dict(report_id="r_ssu", group=2, code="2.1", label="Medlemsavgifter", amount=1500.0, row=7),
            dict(report_id="r_m", group=8, code="8.7", label="Närstående: övriga bidrag", amount=15000.0, page=2),
            dict(report_id="r_m", group=8, code="8.3", label="Närstående: små bidrag", amount=4000.0, page=2),
            dict(report_id="r_s_od", group=5, code="5.5", label="Interna bidrag", amount=12000.0, row=2),
        ]
    )
    c = [
        dict(contribution_id="c1", report_id="r_s", group=5, code="5.7", donor="Exempelbolaget AB",
             donor_id=BOLAG, donor_kind="organisation", form="pengar", date="2022-03-01", amount=30000.0,
             page=2, entity_id="e_bolag"),
        dict(contribution_id="c2", report_id="r_ssu", group=5, code="5.7", donor="Exempelbolaget AB",
             donor_id=BOLAG, donor_kind="organisation", form="pengar", amount=40000.0, row=17,
             entity_id="e_bolag"),
        dict(contribution_id="c3", report_id="r_s", group=5, code="5.7", donor="EXEMPELBOLAGET AB",
             donor_id=BOLAG, donor_kind="organisation", form="varor", date="2022-09-15", amount=50000.0,
             page=2, entity_id="e_bolag"),
        dict(contribution_id="c4", report_id="r_s", group=5, code="5.4", donor=PERSON_NAME,
             donor_id=pnr_pseudonym, donor_kind="person", address="Påhittgatan 1, Exempelstad",
             form="pengar", date="2022-05-03", amount=25000.0, page=3, entity_id="e_person"),
        dict(contribution_id="c5", report_id="r_s", group=5, code="5.2", donor=None,
             donor_kind="anonymous", form="pengar", amount=2000.0, page=3),
        dict(contribution_id="c6", report_id="r_ssu", group=5, code="5.4", donor=None,
             donor_kind="person", form="pengar", amount=30000.0, row=18),
        dict(contribution_id="c7", report_id="r_m", group=5, code="5.7", donor="Påhittad Stiftelse",
             donor_id=STIFTELSE, donor_kind="organisation", form="pengar", date="2022-06-01", amount=60000.0,
             page=2, entity_id="e_stiftelse"),
        dict(contribution_id="c8", report_id="r_m", group=8, code="8.7", donor="Exempelbolaget AB",
             donor_id=BOLAG, donor_kind="organisation", form="tjänster", amount=15000.0, page=2,
             entity_id="e_bolag"),
        dict(contribution_id="c9", report_id="r_m", group=5, code="5.7", donor="Fiktiva Förlaget HB",
             donor_id=HB, donor_kind="organisation", form="pengar", amount=10000.0, page=2),
        dict(contribution_id="c_dup", report_id="r_s_od", group=5, code="5.7", donor="Exempelbolaget AB",
             donor_id=BOLAG, donor_kind="organisation", form="pengar", amount=30000.0, row=1,
             entity_id="e_bolag"),
    ]
    entities = pd.DataFrame(
        [
            dict(entity_id="e_bolag", canonical_name="Exempelbolaget AB", kind="organisation",
                 identifiers=[BOLAG], n_contributions=5, first_year=2022, last_year=2022),
            dict(entity_id="e_person", canonical_name=PERSON_NAME, kind="person",
                 identifiers=[pnr_pseudonym], n_contributions=1, first_year=2022, last_year=2022),
            dict(entity_id="e_stiftelse", canonical_name="Påhittad Stiftelse", kind="organisation",
                 identifiers=[STIFTELSE], n_contributions=1, first_year=2022, last_year=2022),
        ]
    )
    return {
        "reports": schema.conform(reports, "reports"),
        "lines": schema.conform(lines, "lines"),
        "contributions": schema.conform(pd.DataFrame(c), "contributions"),
        "entities": schema.conform(entities, "entities"),
    }


@pytest.fixture(scope="module")
def tables():
    return _tables()


@pytest.fixture(scope="module")
def G(tables):
    return build_graph(tables)


def _edges(G, kind):
    return [(u, v, d) for u, v, d in G.edges(data=True) if d["kind"] == kind]


# --------------------------------------------------------------------------------------------------
# The builder


def test_company_giving_three_times_to_two_organisations(G):
    gifts = sorted((v, d["amount"], d["year"], d["form"]) for u, v, d in _edges(G, "contribution")
                   if u == "entity:e_bolag")
    assert gifts == [
        (f"org:{ORG_S}", 30000.0, 2022, "pengar"),
        (f"org:{ORG_S}", 50000.0, 2022, "varor"),
        (f"org:{ORG_SSU}", 40000.0, 2022, "pengar"),
    ]
    node = G.nodes["entity:e_bolag"]
    assert node["label"] == "Exempelbolaget AB"
    assert node["org_number"] == BOLAG
    assert node["legal_form"] == "aktiebolag"
    assert node["total_given"] == 135000.0  # 30 000 + 40 000 + 50 000 + 15 000 (group 8)
    assert node["n_contributions"] == 4
    assert node["n_recipients"] == 3


def test_contribution_edge_carries_its_provenance(G):
    pdf = G.edges["entity:e_bolag", f"org:{ORG_S}", "c1"]
    assert (pdf["source"], pdf["page"], pdf["date"], pdf["code"], pdf["contribution_id"]) == (
        "raw/s_exempelstad_2022.pdf", 2, "2022-03-01", "5.7", "c1")
    assert pdf["row"] is None
    od = G.edges["entity:e_bolag", f"org:{ORG_SSU}", "c2"]
    assert (od["source"], od["row"], od["page"], od["source_kind"]) == (
        "raw/PartiinsynOpenData.csv", 17, None, "opendata")


def test_only_primary_reports_count(G):
    ids = {k for _, _, k in G.edges(keys=True)}
    assert "c_dup" not in ids
    transfers = _edges(G, "internal_transfer")
    assert [d["amount"] for *_, d in transfers] == [12000.0]  # not 24 000: the twin is not primary
    assert G.nodes[f"org:{ORG_S}"]["total_income"] == 500000.0


def test_membership_edges_organisation_to_party(G):
    members = sorted((u, v) for u, v, _ in _edges(G, "membership"))
    ledamot = next(n for n, d in G.nodes(data=True) if d.get("label") == "Lena Ledamotsson")
    assert members == sorted([
        (f"org:{ORG_S}", f"party:{S}"),
        (f"org:{ORG_SSU}", f"party:{S}"),
        (f"org:{ORG_M}", f"party:{M}"),
        (ledamot, f"party:{M}"),
    ])
    edge = G.edges[f"org:{ORG_SSU}", f"party:{S}", "membership"]
    assert (edge["years"], edge["role"]) == ("2022", "sidoorganisation")


def test_internal_transfer_5_5_is_an_edge_party_to_organisation(G):
    (u, v, d), = _edges(G, "internal_transfer")
    assert (u, v, d["amount"], d["code"], d["page"], d["year"]) == (f"party:{S}", f"org:{ORG_S}", 12000.0, "5.5", 1, 2022)


def test_group_8_goes_through_a_related_entity_node(G):
    rel = f"related:{ORG_M}"
    assert G.nodes[rel]["kind"] == "related_entity"
    assert G.nodes[rel]["label"] == "Närstående verksamhet (Moderaterna i Påhittköping)"
    totals = sorted((d["code"], d["amount"]) for u, v, d in _edges(G, "related_total") if (u, v) == (rel, f"org:{ORG_M}"))
    assert totals == [("8.3", 4000.0), ("8.7", 15000.0)]
    (u, v, d), = _edges(G, "related_contribution")
    assert (u, v, d["amount"], d["party"], d["recipient"]) == ("entity:e_bolag", rel, 15000.0, M, f"org:{ORG_M}")


@pytest.mark.parametrize(
    "node, kind, amount",
    [
        pytest.param(f"anonymous:{ORG_S}", "anonymous", 2000.0, id="anonymous_5_2_per_recipient"),
        pytest.param(f"withheld:{ORG_SSU}", "withheld", 30000.0, id="open_data_private_donor_withheld"),
    ],
)
def test_contributions_without_entity_are_aggregated_not_dropped(G, node, kind, amount):
    assert G.nodes[node]["kind"] == kind
    assert G.nodes[node]["total_given"] == amount
    assert [d["amount"] for _, _, d in G.out_edges(node, data=True)] == [amount]


def test_unlinked_named_donor_gets_its_own_node(G):
    (node, data), = [(n, d) for n, d in G.nodes(data=True) if d.get("label") == "Fiktiva Förlaget HB"]
    assert node.startswith("donor:")
    assert data["is_linked"] is False
    assert data["org_number"] == HB
    assert data["legal_form"] == "handelsbolag, kommanditbolag"
    assert data["total_given"] == 10000.0


def test_received_totals_add_up(G):
    assert G.nodes[f"org:{ORG_S}"]["contributions_received"] == 30000 + 50000 + 25000 + 2000
    assert G.nodes[f"org:{ORG_SSU}"]["contributions_received"] == 40000 + 30000
    assert G.nodes[f"party:{S}"]["contributions_received"] == 177000.0
    assert G.nodes[f"party:{M}"]["contributions_received"] == 60000 + 15000 + 10000
    assert G.nodes[f"party:{M}"]["n_organisations"] == 2
    # An organisation without a printed total sums its lines.
    assert G.nodes[f"org:{ORG_SSU}"]["total_income"] == 41500.0


def test_private_person_is_pseudonymised_unless_revealed(tables, G):
    node = G.nodes["entity:e_person"]
    assert node["label"] == privacy.private_label("e_person")
    assert re.fullmatch(r"Privatperson [0-9a-f]{8}", node["label"])
    assert node["org_number"] is None
    revealed = build_graph(tables, reveal_private=True)
    assert revealed.nodes["entity:e_person"]["label"] == PERSON_NAME


def test_reporter_number_that_is_a_personnummer_is_never_used(G):
    (node, data), = [(n, d) for n, d in G.nodes(data=True) if d.get("label") == "Lena Ledamotsson"]
    assert re.fullmatch(r"org:reporter:[0-9a-f]{16}", node)
    assert data["org_number"] is None


def test_node_ids_are_stable_across_runs(tables, G):
    again = build_graph(_tables())
    assert sorted(again.nodes) == sorted(G.nodes)
    assert sorted(again.edges(keys=True)) == sorted(G.edges(keys=True))


def test_ids_do_not_depend_on_row_order(G):
    shuffled = {name: df.sample(frac=1.0, random_state=7).reset_index(drop=True) for name, df in _tables().items()}
    again = build_graph(shuffled)
    assert sorted(again.edges(keys=True)) == sorted(G.edges(keys=True))
    assert dict(again.nodes(data="label")) == dict(G.nodes(data="label"))
    assert sorted(e["id"] for e in graph_to_ftm(again)) == sorted(e["id"] for e in graph_to_ftm(G))


def test_organisation_that_changed_its_name_gets_its_latest_name():
    tables = _tables()
    older = tables["reports"].iloc[[0]].assign(report_id="r_2021", year=2021, reporter_name="S-föreningen Exempelstad")
    tables["reports"] = schema.conform(pd.concat([older, tables["reports"]]), "reports")
    G = build_graph(tables)
    assert G.nodes[f"org:{ORG_S}"]["label"] == "Socialdemokraterna i Exempelstad"
    assert G.nodes[f"org:{ORG_S}"]["years"] == "2021,2022"


def test_uncoded_2014_form_internal_line_is_an_internal_transfer():
    tables = _tables()
    report = tables["reports"].iloc[[0]].assign(report_id="r_2016", year=2016, source_path="raw/s_2016.pdf")
    tables["reports"] = schema.conform(pd.concat([tables["reports"], report]), "reports")
    lines = pd.DataFrame([
        dict(report_id="r_2016", group=5, code=None, label="Bidrag från andra delar av\npartiets organisation",
             amount=7000.0, page=1),
        dict(report_id="r_2016", group=5, code=None, label="Bidrag från juridiska personer", amount=9000.0, page=1),
    ])
    tables["lines"] = schema.conform(pd.concat([tables["lines"], lines]), "lines")
    G = build_graph(tables)
    amounts = sorted((d["year"], d["amount"]) for *_, d in _edges(G, "internal_transfer"))
    assert amounts == [(2016, 7000.0), (2022, 12000.0)]
    assert G.edges[f"org:{ORG_S}", f"party:{S}", "membership"]["years"] == "2016,2022"


def test_a_donor_any_source_calls_a_person_is_pseudonymised():
    tables = _tables()
    # The linkage says organisation, one report says person: privacy wins.
    ent = tables["entities"]
    ent.loc[ent["entity_id"] == "e_person", "kind"] = "organisation"
    G = build_graph(tables)
    assert G.nodes["entity:e_person"]["label"] == privacy.private_label("e_person")
    assert G.nodes["entity:e_person"]["donor_kind"] == "person"


def test_empty_tables_give_an_empty_graph():
    empty = {name: schema.empty(name) for name in ("reports", "lines", "contributions", "entities")}
    G = build_graph(empty)
    assert (G.number_of_nodes(), G.number_of_edges()) == (0, 0)


# --------------------------------------------------------------------------------------------------
# Notebook helpers


def test_top_donors_of_a_party(G):
    top = top_donors(G, S, top_n=5)
    assert list(top.items()) == [("entity:e_bolag", 120000.0), ("entity:e_person", 25000.0)]
    with_aggregates = top_donors(G, S, top_n=5, include_unidentified=True)
    assert with_aggregates[f"withheld:{ORG_SSU}"] == 30000.0


def test_donor_subgraph_holds_the_top_donor_its_recipients_and_the_party(G):
    H = donor_subgraph(G, S, top_n=1)
    assert sorted(H.nodes) == sorted(["entity:e_bolag", f"org:{ORG_S}", f"org:{ORG_SSU}", f"party:{S}"])
    assert sorted(d["amount"] for *_, d in _edges(H, "contribution")) == [30000.0, 40000.0, 50000.0]
    assert sorted((u, v) for u, v, _ in _edges(H, "membership")) == [
        (f"org:{ORG_S}", f"party:{S}"), (f"org:{ORG_SSU}", f"party:{S}")]
    assert H.nodes["entity:e_bolag"]["given_to_party"] == 120000.0
    # The company's group 8 gift to Moderaterna does not leak into Socialdemokraterna's picture.
    assert not any(k == "c8" for *_, k in H.edges(keys=True))


def test_donor_subgraph_of_a_party_with_a_related_entity(G):
    H = donor_subgraph(G, M, top_n=5)
    assert H.nodes["entity:e_bolag"]["given_to_party"] == 15000.0
    assert f"related:{ORG_M}" in H
    assert sorted(d["amount"] for *_, d in _edges(H, "related_total")) == [4000.0, 15000.0]


def test_unknown_party_is_a_one_line_error(G):
    from partifinans.errors import UserError

    with pytest.raises(UserError, match="Centerpartiet.*Moderaterna, Socialdemokraterna"):
        donor_subgraph(G, "Centerpartiet")


def test_draw_party_network_labels_the_top_donors(G):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        out = draw_party_network(G, S, ax=ax, top_n=15)
        texts = {t.get_text().replace("\n", " ") for t in ax.texts}  # long labels wrap
    finally:
        plt.close(fig)
    assert out is ax
    nb = " "  # values.format_sek, the one money format
    assert f"Exempelbolaget AB  120{nb}000 kr" in texts
    assert f"{privacy.private_label('e_person')}  25{nb}000 kr" in texts
    assert {"Socialdemokraterna i Exempelstad", "SSU Exempelstad", S} <= texts
    assert not any(PERSON_NAME in t for t in texts)
    assert ax.get_title() == f"{S}: the 2 largest identified donors, 145{nb}000 kr"


# --------------------------------------------------------------------------------------------------
# Exports


def _export(tmp_path, tables, fmt, reveal_private=False):
    processed = tmp_path / "processed"
    if not processed.exists():
        store.write_tables(processed, tables)
    out = tmp_path / f"graph{'_revealed' if reveal_private else ''}.{fmt}"
    export_graph(processed, fmt, out, reveal_private=reveal_private)
    return out


@pytest.mark.parametrize("fmt, reader", [
    pytest.param("graphml", lambda p: nx.read_graphml(p, force_multigraph=True), id="graphml"),
    pytest.param("gexf", nx.read_gexf, id="gexf"),
])
def test_gephi_exports_read_back_equal(tmp_path, tables, G, fmt, reader):
    back = reader(_export(tmp_path, tables, fmt))
    assert back.number_of_nodes() == G.number_of_nodes()
    assert back.number_of_edges() == G.number_of_edges()
    amounts = sorted(float(d["amount"]) for *_, d in back.edges(data=True) if d["kind"] == "contribution")
    assert amounts == sorted(d["amount"] for *_, d in _edges(G, "contribution"))
    assert sum(amounts) == 30000 + 40000 + 50000 + 25000 + 2000 + 30000 + 60000 + 10000
    node = back.nodes["entity:e_bolag"]
    assert (node["label"], node["org_number"], float(node["total_given"])) == ("Exempelbolaget AB", BOLAG, 135000.0)
    transfer, = [d for *_, d in back.edges(data=True) if d["kind"] == "internal_transfer"]
    assert float(transfer["amount"]) == 12000.0 and float(transfer["weight"]) == 12000.0


def _ftm(tmp_path, tables, reveal_private=False):
    path = _export(tmp_path, tables, "ftm", reveal_private)
    return path, [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_ftm_entities_and_payments(tmp_path, tables):
    _, entities = _ftm(tmp_path, tables)
    by_id = {e["id"]: e for e in entities}
    assert len(by_id) == len(entities)

    def named(name):
        (e,) = [e for e in entities if e["properties"].get("name") == [name]]
        return e

    bolag = named("Exempelbolaget AB")
    assert bolag["schema"] == "Company"
    assert bolag["properties"]["registrationNumber"] == [BOLAG]
    assert bolag["properties"]["jurisdiction"] == ["se"]
    assert named("Påhittad Stiftelse")["schema"] == "Organization"
    assert named(S)["schema"] == "Organization"
    assert named("Socialdemokraterna i Exempelstad")["schema"] == "Organization"
    assert named("Lena Ledamotsson")["schema"] == "Person"
    assert named(privacy.private_label("e_person"))["schema"] == "Person"
    assert named("Anonyma bidrag till Socialdemokraterna i Exempelstad")["schema"] == "LegalEntity"

    payments = [e for e in entities if e["schema"] == "Payment"]
    # 9 primary contributions + 1 internal transfer
    assert len(payments) == 10
    from_bolag = sorted(
        (by_id[p["properties"]["beneficiary"][0]]["properties"]["name"][0], p["properties"]["amount"][0])
        for p in payments if p["properties"]["payer"] == [bolag["id"]]
    )
    assert from_bolag == [
        ("Närstående verksamhet (Moderaterna i Påhittköping)", "15000.00"),
        ("SSU Exempelstad", "40000.00"),
        ("Socialdemokraterna i Exempelstad", "30000.00"),
        ("Socialdemokraterna i Exempelstad", "50000.00"),
    ]
    c1 = next(p for p in payments if p["properties"]["recordId"] == ["c1"])
    assert c1["properties"]["currency"] == ["SEK"]
    assert c1["properties"]["date"] == ["2022-03-01"]
    assert c1["properties"]["purpose"] == ["Bidrag (5.7), pengar"]
    assert c1["properties"]["description"] == ["Källa: raw/s_exempelstad_2022.pdf, sida 2"]
    c2 = next(p for p in payments if p["properties"]["recordId"] == ["c2"])
    assert c2["properties"]["date"] == ["2022"]  # no date given: the reporting year
    assert c2["properties"]["sourceUrl"][0].endswith("PartiinsynOpenData.csv")
    transfer, = [p for p in payments if p["properties"]["purpose"][0].startswith("Bidrag från andra delar")]
    assert transfer["properties"]["payer"] == [named(S)["id"]]
    assert transfer["properties"]["amount"] == ["12000.00"]

    memberships = [e for e in entities if e["schema"] == "Membership"]
    assert len(memberships) == 4
    links = [e for e in entities if e["schema"] == "UnknownLink"]
    assert len(links) == 1 and "8.7: 15000.00 SEK" in links[0]["properties"]["description"][0]

    # Every reference points at an entity in the file.
    for e in entities:
        for prop in ("payer", "beneficiary", "member", "organization", "subject", "object"):
            for ref in e["properties"].get(prop, []):
                assert ref in by_id, (e["schema"], prop)


# Property names of followthemoney 4.11 (model.get(schema).properties), for the ones we write.
FTM_PROPERTIES = {
    "Person": {"name", "description"},
    "Company": {"name", "registrationNumber", "jurisdiction", "legalForm", "country", "description"},
    "Organization": {"name", "registrationNumber", "jurisdiction", "legalForm", "country", "description"},
    "LegalEntity": {"name", "registrationNumber", "jurisdiction", "legalForm", "country", "description"},
    "Payment": {"payer", "beneficiary", "amount", "currency", "date", "purpose", "publisher", "description",
                "recordId", "sourceUrl"},
    "Membership": {"member", "organization", "role", "startDate", "endDate", "description"},
    "UnknownLink": {"subject", "object", "role", "description"},
}


def test_ftm_uses_only_known_schemas_and_properties(tmp_path, tables):
    _, entities = _ftm(tmp_path, tables)
    for e in entities:
        assert set(e) == {"id", "schema", "properties"}
        assert set(e["properties"]) <= FTM_PROPERTIES[e["schema"]], e
        assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in e["properties"].values())


def test_ftm_validates_with_followthemoney(tmp_path, tables):
    ftm = pytest.importorskip("followthemoney")
    _, entities = _ftm(tmp_path, tables)
    for e in entities:
        proxy = ftm.model.get_proxy(e, cleaned=False)
        assert proxy.schema.name == e["schema"]
        for prop, values in e["properties"].items():
            got = proxy.get(prop)
            assert got, (e["schema"], prop, values)  # a value the model rejects is dropped
            if prop in ("name", "amount", "date", "recordId", "registrationNumber"):
                assert got == values, (prop, got, values)


def test_ftm_ids_are_stable(tmp_path, tables):
    first = graph_to_ftm(build_graph(tables))
    second = graph_to_ftm(build_graph(_tables()))
    assert [e["id"] for e in first] == [e["id"] for e in second]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "ftm"])
def test_default_exports_hold_no_personal_data(tmp_path, tables, fmt):
    text = _export(tmp_path, tables, fmt).read_text(encoding="utf-8")
    assert PERSON_NAME not in text
    assert "Påhittgatan" not in text
    assert "pnr:" not in text
    digits = PNR.replace("-", "")
    for needle in (digits, digits[2:], PNR, PNR[2:], PNR_LEDAMOT, PNR_LEDAMOT.replace("-", "")):
        assert needle not in text
    # Any ten- or twelve-digit number left must be an organisationsnummer, never a personnummer.
    from partifinans.identifiers import parse_identifier

    # (Hex ids such as contribution ids may hold digit runs; a number stands alone.)
    for m in re.finditer(r"(?<![0-9A-Za-z])(?:\d{2})?\d{6}[-+]?\d{4}(?![0-9A-Za-z])", text):
        ident = parse_identifier(m.group(0))
        assert ident is not None and ident.kind == "orgnr", m.group(0)
    assert privacy.private_label("e_person") in text


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "ftm"])
def test_reveal_private_includes_names_but_still_no_personnummer(tmp_path, tables, fmt):
    text = _export(tmp_path, tables, fmt, reveal_private=True).read_text(encoding="utf-8")
    assert PERSON_NAME in text
    assert privacy.private_label("e_person") not in text
    assert "pnr:" not in text
    assert PNR.replace("-", "") not in text and PNR[2:] not in text


@pytest.mark.parametrize(
    "raw, expected",
    [
        pytest.param("Testa Testsson 18900102-1238", "Testa Testsson [borttaget]", id="twelve_digit_pnr"),
        pytest.param("Testsson (900102-1238)", "Testsson ([borttaget])", id="ten_digit_pnr"),
        pytest.param("9001021238", "[borttaget]", id="pnr_without_dash"),
        pytest.param("900102-1239", "[borttaget]", id="pnr_shaped_with_bad_check_digit"),
        pytest.param("donor pnr:0123456789abcdef", "donor [borttaget]", id="pseudonym"),
        pytest.param("Exempelbolaget AB (556677-8899)", "Exempelbolaget AB (556677-8899)", id="orgnr_kept"),
        pytest.param("Freja 8 (764500-1988) Pengar", "Freja 8 (764500-1988) Pengar", id="orgnr_from_open_data"),
        pytest.param("125 000 kr", "125 000 kr", id="amount_kept"),
        pytest.param("c-ab9001021238cd", "c-ab9001021238cd", id="digits_inside_a_hex_id_kept"),
    ],
)
def test_scrub_text(raw, expected):
    assert scrub_text(raw) == expected


def test_export_scrubs_a_personnummer_left_in_a_donor_name(tmp_path):
    tables = _tables()
    c = tables["contributions"]
    c.loc[c["contribution_id"] == "c9", "donor"] = "Fiktiva Förlaget HB 18900102-1238"
    _, entities = _ftm(tmp_path, tables)
    text = json.dumps(entities, ensure_ascii=False)
    assert "18900102-1238" not in text
    assert "Fiktiva Förlaget HB [borttaget]" in text


def test_cli_graph_writes_the_file(tmp_path, tables, capsys):
    processed = tmp_path / "processed"
    store.write_tables(processed, tables)
    out = tmp_path / "out" / "graph.graphml"
    assert cli.main(["graph", str(processed), "--format", "graphml", "--out", str(out)]) == 0
    G = build_graph(tables)
    assert nx.read_graphml(out, force_multigraph=True).number_of_edges() == G.number_of_edges()
    err = capsys.readouterr().err
    assert err.strip() == f"graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges -> {out}"


def test_cli_graph_on_a_missing_directory_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nothing"
    assert cli.main(["graph", str(missing), "--format", "ftm", "--out", str(tmp_path / "g.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"{missing}: no such directory of processed tables"
    with pytest.raises(BadInput):
        export_graph(missing, "ftm", tmp_path / "g.jsonl")


@pytest.mark.parametrize("entity_id, kept", [
    pytest.param("9568288178ad8145", True, id="hex_id_with_ten_digits_in_a_row"),
    pytest.param("0e78882c8a648f5e", True, id="hex_id"),
    pytest.param("pnr:0123456789abcdef", False, id="pseudonym"),
    pytest.param("person|18950315-1236", False, id="personnummer_shaped"),
])
def test_graph_names_entities_as_the_entities_table_does(entity_id, kept):
    from partifinans.graph import _safe_entity_id

    assert (_safe_entity_id(entity_id) == entity_id) is kept
