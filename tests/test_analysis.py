"""The notebook questions, on small inline tables with known answers."""

import json

import pandas as pd
import pytest

from partifinans import analysis, schema


@pytest.fixture
def tables():
    reports = schema.conform(
        pd.DataFrame(
            {
                "report_id": ["r1", "r2", "r3", "o3"],
                "source_path": ["a.pdf", "b.pdf", "c.pdf", "open.csv"],
                "source_sha256": ["x", "y", "z", "w"],
                "source_kind": ["pdf", "pdf", "pdf", "opendata"],
                "is_primary": [True, True, True, False],
                "year": [2021, 2022, 2022, 2022],
                "org_number": ["802000-0001", "802000-0001", "802000-0002", "802000-0002"],
                "reporter_name": ["Liberalerna Exempelstad", "Liberalerna Exempelstad", "Liberalerna Påhittby", "Liberalerna Påhittby"],
                "party": ["Liberalerna"] * 4,
                "total": [1000.0, 5000.0, 9000.0, 9000.0],
            }
        ),
        "reports",
    )
    lines = schema.conform(
        pd.DataFrame(
            {
                "report_id": ["r1", "r2", "r2", "r3", "o3"],
                "group": [2, 3, 5, 5, 5],
                "code": ["2.1", "3.3", "5.7", "5.7", "5.7"],
                "amount": [1000.0, 2000.0, 3000.0, 8000.0, 8000.0],
            }
        ),
        "lines",
    )
    contributions = schema.conform(
        pd.DataFrame(
            {
                "contribution_id": ["c1", "c2", "c3", "c4", "o1"],
                "report_id": ["r2", "r3", "r2", "r2", "o3"],
                "group": [5, 5, 5, 5, 5],
                "code": ["5.7", "5.7", "5.2", "5.2", "5.7"],
                "donor": ["Exempelbolaget AB", "EXEMPELBOLAGET AKTIEBOLAG", None, None, "Exempelbolaget AB"],
                "donor_id": ["556677-8899", "5566778899", None, None, "556677-8899"],
                "donor_kind": ["organisation", "organisation", "anonymous", "anonymous", "organisation"],
                "amount": [3000.0, 8000.0, 2415.0, 1207.5, 8000.0],
                "entity_id": ["e1", "e1", None, None, "e1"],
            }
        ),
        "contributions",
    )
    entities = schema.conform(
        pd.DataFrame({"entity_id": ["e1"], "canonical_name": ["Exempelbolaget AB"], "kind": ["organisation"], "n_contributions": [3]}),
        "entities",
    )
    flags = schema.conform(
        pd.DataFrame(
            {
                "flag_id": ["f1"], "pattern": ["total_mismatch"], "severity": ["medium"], "explanation": ["x"],
                "organisations": [json.dumps([{"name": "Liberalerna Påhittby", "org_number": "802000-0002"}])],
                "donors": ["[]"], "evidence": [json.dumps([{"source_path": "data/raw/c.pdf", "page": 2}])],
            }
        ),
        "flags",
    )
    return {"reports": reports, "lines": lines, "contributions": contributions, "entities": entities, "flags": flags,
            "files": schema.empty("files"), "disagreements": schema.empty("disagreements")}


def test_sek_formats_thousands():
    assert analysis.sek(1234567.4) == "1\u00a0234\u00a0567\u00a0kr"
    assert analysis.sek(None) == "–"


def test_reconciliation_lists_reports_off_by_more_than_one_krona(tables):
    out = analysis.reconciliation(tables)
    assert out["reporter_name"].tolist() == ["Liberalerna Påhittby"]
    assert out["difference"].tolist() == [1000.0]


def test_coverage_marks_gaps(tables):
    matrix = analysis.coverage(tables)
    assert matrix.loc["Liberalerna Påhittby"].tolist() == [0, 1]
    assert matrix.loc["Liberalerna Exempelstad"].tolist() == [1, 1]


def test_top_donors_count_primary_reports_once(tables):
    top = analysis.top_donors(tables)
    assert top.loc[0, "canonical_name"] == "Exempelbolaget AB"
    assert top.loc[0, "total"] == 11000.0  # the open-data duplicate of 8 000 is not counted
    assert top.loc[0, "recipients"] == 2


def test_anonymous_relative_to_limit_uses_the_years_threshold(tables):
    assert sorted(analysis.anonymous_relative_to_limit(tables).tolist()) == [0.5, 1.0]  # 2022 limit 2 415 kr


def test_donors_across_organisations(tables):
    out = analysis.donors_across_organisations(tables)
    assert out.loc[0, ["donor", "organisations", "total"]].tolist() == ["Exempelbolaget AB", 2, 11000.0]


def test_income_by_group_per_party_and_year(tables):
    income = analysis.income_by_group(tables)
    assert income.loc[("Liberalerna", 2022), "Bidrag"] == 11000.0
    assert income.loc[("Liberalerna", 2022), "Försäljning och lotterier"] == 2000.0


def test_named_share(tables):
    share = analysis.named_share(tables).loc["Liberalerna"]
    assert share["named"] == 11000.0 and share["withheld_or_anonymous"] == 3622.5


def test_party_colour_from_data():
    assert analysis.party_colour("Liberalerna") == "#006AB3"
    assert analysis.party_colour("Folkpartiet") == "#006AB3"
    assert analysis.party_colour("Okänt parti") == "#888888"


def test_flags_table_decodes_evidence(tables):
    out = analysis.flags_table(tables)
    assert out.loc[0, "organisation"] == "Liberalerna Påhittby"
    assert out.loc[0, "where"] == "c.pdf s. 2"
