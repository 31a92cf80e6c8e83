"""The harmonise stage: one answer per fact, whichever consumer asks.

One small table holds the cases a review found answered differently by each consumer (null
``is_primary`` and year, two files of one member's report, an organisationsnummer that fails its
check digit, a ``pnr:`` pseudonym with ten digits in a row, a party's historic name, an 8.x
anonymous row, one address written two ways); every consumer must give the same answer.
"""

from __future__ import annotations

import pandas as pd
import pytest

from partifinans import analysis, graph, harmonise, identifiers, schema, sources
from partifinans.detect.base import Data
from partifinans.link.match import address_match
from partifinans.link.normalise import parse_address

LIB = "802000-1239"  # valid organisationsnummer
BAD = "802000-1238"  # the same with a wrong check digit
PSEUDONYM = "pnr:2001222773ab4c5d"  # ten digits in a row, shaped like an organisationsnummer


def _report(rid, kind="pdf", org=None, name="X", party=None, year=2022, role="parti", level="riks",
            area=None, total=None):
    return {"report_id": rid, "source_path": f"{rid}.{'csv' if kind == 'opendata' else 'pdf'}",
            "source_sha256": rid * 4, "source_kind": kind, "is_primary": None, "kind": "intaktsredovisning",
            "year": year, "org_number": org, "reporter_name": name, "party": party, "role": role,
            "level": level, "area": area, "total": total}


REPORTS = [
    _report("libpdf", org=LIB, name="Liberalerna", party="Folkpartiet liberalerna"),
    _report("libod", kind="opendata", org=LIB, name="Liberalerna", party="Liberalerna"),
    _report("anna1", name="Anna Ledamot", party="Liberalerna", role="ledamot"),
    _report("anna2", name="Anna  ledamot", party="Liberalerna", role="ledamot"),  # a second file, spaced otherwise
    _report("badnr", org=BAD, name="Liberala föreningen", party="Liberalerna", level="kommun", area="Påhittby"),
    _report("pseudo", org=PSEUDONYM, name="Bo Ledamot", party="Liberalerna", role="ledamot", level="kommun",
            area="Påhittby"),
    _report("noyear", org="556677-8899", name="Okänt år", party="Liberalerna", year=None),
    _report("local", org="802111-2225", name="Lokalpartiet", party="Exempelpartiet"),
]
LINES = [
    ("libpdf", 5, "5.4", 50_000.0), ("libod", 5, "5.4", 50_000.0),
    ("anna1", 5, "5.4", 10_000.0), ("anna2", 5, "5.4", 10_000.0),
    ("badnr", 8, "8.2", 300.0), ("badnr", 3, "3.2", 1_000.0),
    ("pseudo", 5, "5.7", 20_000.0), ("noyear", 6, "6.1", 5.0), ("local", 2, "2.1", 7.0),
]
CONTRIBUTIONS = [
    # (report, code, donor, donor_id, address, amount, kind as read)
    ("libpdf", "5.4", "Eva Exempel", "pnr:00aa11bb22cc33dd", "Storgatan 1, 123 45 Exempelstad", 50_000.0, "person"),
    ("libod", "5.4", None, None, None, 50_000.0, "person"),
    ("anna1", "5.4", "Per Givare", "pnr:11bb22cc33dd44ee", "Storg. 1, 12345 Exempelstad", 10_000.0, "unknown"),
    ("anna2", "5.4", "Per Givare", "pnr:11bb22cc33dd44ee", "Storg. 1, 12345 Exempelstad", 10_000.0, "unknown"),
    ("badnr", "8.2", None, None, None, 300.0, "unknown"),  # what the open-data reader gave 8.x rows
    ("pseudo", "5.7", "Exempelbolaget AB", "556677-8899", None, 20_000.0, "organisation"),
]


def _tables() -> dict[str, pd.DataFrame]:
    reports = schema.conform(pd.DataFrame(REPORTS), "reports")
    lines = schema.conform(pd.DataFrame(
        [{"report_id": r, "group": g, "code": c, "label": None, "amount": a} for r, g, c, a in LINES]), "lines")
    contributions = schema.conform(pd.DataFrame([
        {"contribution_id": f"{r}-{i}", "report_id": r, "group": int(code[0]), "code": code, "donor": donor,
         "donor_id": did, "donor_kind": kind, "address": addr, "amount": amt}
        for i, (r, code, donor, did, addr, amt, kind) in enumerate(CONTRIBUTIONS)]), "contributions")
    return {"reports": reports, "lines": lines, "contributions": contributions}


@pytest.fixture(scope="module")
def harmonised():
    return harmonise.harmonise(_tables())


def _by_source(tables):
    return tables["reports"].set_index("source_path")


def test_org_id_valid_number_else_reporter_key(harmonised):
    r = _by_source(harmonised)
    assert r.loc["libpdf.pdf", "org_id"] == r.loc["libod.csv", "org_id"] == LIB
    assert r.loc["badnr.pdf", "org_id"].startswith("reporter:")  # a bad check digit is no number
    assert r.loc["pseudo.pdf", "org_id"].startswith("reporter:")  # nor is a pseudonym with ten digits
    assert r.loc["anna1.pdf", "org_id"] == r.loc["anna2.pdf", "org_id"]  # name case and spacing set aside


def test_party_canonical_through_the_map_unknown_kept_with_warning(harmonised):
    r = _by_source(harmonised)
    assert (r.loc["libpdf.pdf", "party"], r.loc["libpdf.pdf", "party_id"]) == ("Liberalerna", "3")
    assert (r.loc["libod.csv", "party"], r.loc["libod.csv", "party_id"]) == ("Liberalerna", "3")
    assert r.loc["local.pdf", "party"] == "Exempelpartiet" and pd.isna(r.loc["local.pdf", "party_id"])
    assert list(r.loc["local.pdf", "warnings"]) == [harmonise.unknown_party_warning("Exempelpartiet")]


def test_one_primary_per_reporter_year_whatever_the_source(harmonised):
    r = _by_source(harmonised)
    primary = set(r.index[r["is_primary"].astype(bool)])
    assert primary == {"libpdf.pdf", "anna1.pdf", "badnr.pdf", "pseudo.pdf", "noyear.pdf", "local.pdf"}


def test_code_flags_and_donor_kind_from_the_code_map(harmonised):
    c = harmonised["contributions"].set_index("amount")
    assert c.loc[300.0, "donor_kind"] == "anonymous" and c.loc[300.0, "is_anonymous"]
    assert c.loc[300.0, "is_related_entity"]
    assert (c.loc[10_000.0, "donor_kind"] == "person").all()
    lines = harmonised["lines"].set_index("code")
    assert lines.loc["3.2", "is_lottery"] and not lines.loc["6.1", "is_lottery"]


def test_same_address_the_same_for_detectors_and_linker(harmonised):
    keys = harmonised["contributions"].dropna(subset=["address"]).set_index("report_id")["address_key"]
    assert keys["anna1"] == keys["libpdf"]  # "Storg. 1, 12345" and "Storgatan 1, 123 45"
    assert address_match(parse_address(CONTRIBUTIONS[0][4]), parse_address(CONTRIBUTIONS[2][4]))


def test_harmonise_is_idempotent(harmonised):
    again = harmonise.harmonise(harmonised)
    for name in ("reports", "lines", "contributions"):
        pd.testing.assert_frame_equal(again[name], harmonised[name])


@pytest.mark.parametrize("given", [pytest.param("raw", id="tables_as_read"), pytest.param("harmonised", id="harmonised")])
def test_every_consumer_gives_the_same_answer(harmonised, given):
    tables = _tables() if given == "raw" else harmonised
    expected_primary = set(harmonised["reports"].loc[harmonised["reports"]["is_primary"].astype(bool), "source_path"])
    paths = harmonised["reports"].set_index("report_id")["source_path"]
    raw_paths = tables["reports"].set_index("report_id")["source_path"]

    # which reports count
    assert set(sources.primary(tables["reports"])["source_path"]) == expected_primary
    assert set(analysis.primary_reports(tables)["source_path"]) == expected_primary
    data = Data(tables)
    with_year = {p for p in expected_primary if p != "noyear.pdf"}
    assert set(data.reports["source_path"]) == with_year  # the detectors leave a report without a year out
    G = graph.build_graph(tables)
    org_nodes = {n for n, d in G.nodes(data=True) if d.get("kind") == "organisation"}
    expected_orgs = set(harmonised["reports"].loc[harmonised["reports"]["is_primary"].astype(bool), "org_id"])
    assert org_nodes == {f"org:{o}" for o in expected_orgs}

    # who reported: one key everywhere
    assert set(data.reports["org_key"]) == {o for o, p in zip(
        harmonised["reports"]["org_id"], harmonised["reports"]["source_path"], strict=True) if p in with_year}

    # the party: one name, Anna's report and her donor counted once
    income = analysis.income_by_group(tables)
    lib_2022 = income.loc[("Liberalerna", 2022)]
    assert lib_2022["Bidrag"] == 50_000 + 10_000 + 20_000  # the open-data copy and Anna's second file left out
    assert lib_2022["Närstående verksamhet"] == 300.0
    assert "Folkpartiet liberalerna" not in {d.get("label") for _, d in G.nodes(data=True)}
    assert G.nodes["party:Liberalerna"]["contributions_received"] == 50_000 + 10_000 + 20_000 + 300
    per = sum(1 for u, v, d in G.edges(data=True) if d.get("kind") == "contribution" and d["amount"] == 10_000.0)
    assert per == 1

    # the 8.2 row is anonymous in the detectors and the graph
    assert (data.contributions.loc[data.contributions["code"] == "8.2", "donor_kind"] == "anonymous").all()
    anonymous_nodes = [n for n, d in G.nodes(data=True) if d.get("kind") == "anonymous"]
    assert len(anonymous_nodes) == 1

    # lottery income in analysis and detectors from the same flag
    lottery = analysis.lottery_by_year(tables)
    assert lottery.loc["Liberala föreningen", 2022] == 1_000.0
    assert data.lines.loc[data.lines["is_lottery"].astype(bool), "amount"].tolist() == [1_000.0]
    del paths, raw_paths


def test_make_id_is_content_only():
    assert identifiers.make_id("a", 1, 125000) == identifiers.make_id("a", 1, 125000.0)
    assert identifiers.make_id("a", None) == identifiers.make_id("a", float("nan")) == identifiers.make_id("a", "")
    assert identifiers.make_id("a", "b") != identifiers.make_id("ab")
    assert len(identifiers.make_id("x")) == 16


def test_contribution_ids_follow_content_not_position(harmonised):
    shuffled = {name: df.iloc[::-1].reset_index(drop=True) for name, df in _tables().items()}
    again = harmonise.harmonise(shuffled)
    key = ["report_id", "code", "amount", "donor"]
    a = harmonised["contributions"].sort_values("contribution_id")[["contribution_id", *key]].reset_index(drop=True)
    b = again["contributions"].sort_values("contribution_id")[["contribution_id", *key]].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert harmonised["contributions"]["contribution_id"].is_unique


def test_opendata_8x_anonymous_rows_are_anonymous_and_a_named_one_is_kept(tmp_path):
    """The importer once treated only 4.1 and 5.2 as anonymous: 8.1 and 8.2 rows came out ``unknown``."""
    from partifinans import pipeline, store
    from partifinans.export.opendata import write_opendata_csv

    org = {"year": 2023, "org_number": "802479-5554", "reporter_name": "Påhittade Lokalpartiet", "party_id": "3",
           "party_name": "Folkpartiet liberalerna", "is_kommun": "Ja", "is_region": "Nej", "is_riks": "Nej",
           "is_eu": "Nej", "kommun": "Påhittby"}
    rows = [
        ("8", "8.1", "Insamling av kontanter Pengar", 900.0),
        ("8", "8.2", "Anonymt bidrag Pengar", 400.0),
        ("8", "8.2", "Påhittad Förening (802479-5554) Pengar", 70_000.0),  # a named donor under 8.2
        ("5", "5.2", "Anonymt bidrag Pengar", 200.0),
    ]
    frame = pd.DataFrame([org | {"group_code": g, "type_code": c, "description": d, "amount": a} for g, c, d, a in rows])
    src = tmp_path / "raw"
    write_opendata_csv(frame, src / "PartiinsynOpenData.csv")
    pipeline.ingest(src, tmp_path / "out", jobs=1, progress=False)
    tables = store.read_tables(tmp_path / "out")
    c = tables["contributions"].set_index("amount")
    assert c.loc[900.0, "donor_kind"] == "anonymous" and c.loc[900.0, "is_collection"]
    assert c.loc[400.0, "donor_kind"] == "anonymous" and c.loc[400.0, "is_anonymous"]
    assert c.loc[200.0, "donor_kind"] == "anonymous"
    assert (c.loc[70_000.0, "donor"], c.loc[70_000.0, "donor_kind"]) == ("Påhittad Förening", "organisation")
    report = tables["reports"].iloc[0]
    assert (report["party"], report["party_id"]) == ("Liberalerna", "3")
    assert any("8.2 is anonymous in the code map but the description names a donor" in w for w in report["warnings"])
    G = graph.build_graph(tables)
    aggregates = {d["kind"]: d["total_given"] for _, d in G.nodes(data=True) if d.get("kind") in ("anonymous", "collection")}
    assert aggregates == {"anonymous": 600.0, "collection": 900.0}
