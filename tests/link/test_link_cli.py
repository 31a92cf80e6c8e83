"""`partifinans link INPUT.csv --out OUTPUT.csv` and `link_contributions` for `partifinans ingest`."""

import pandas as pd
import pytest

from partifinans import schema
from partifinans.cli import main
from partifinans.link import link_contributions
from partifinans.link.cli import link_csv

INPUT = """record_id,name,donor_id,address,kind,year,recipient
r1,Bergström Fastigheter AB,556677-8899,,organisation,2021,Liberalerna
r2,BERGSTRÖM FASTIGHETER AKTIEBOLAG,5566778899,,,2022,Moderaterna
r3,Bergström Holding AB,,,organisation,2022,Moderaterna
r4,"Lindqvist, Anna-Karin",18900101-1239,"Storgatan 1, 123 45 Exempelstad",person,2023,Centerpartiet
r5,Anna Karin Lindqvist,,"Storg. 1, 12345 Exempelstad",,2024,
r6,Anna Karin Lindqvist,,,,2024,
"""


def test_link_csv_one_row_per_record_with_reason(tmp_path):
    src = tmp_path / "donors.csv"
    src.write_text(INPUT, encoding="utf-8")
    out = tmp_path / "linked.csv"
    assert main(["link", str(src), "--out", str(out)]) == 0
    result = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(result.columns) == [
        "record_id",
        "entity_id",
        "entity_name",
        "rule",
        "score",
        "linked_to",
        "evidence",
    ]
    assert result["record_id"].tolist() == ["r1", "r2", "r3", "r4", "r5", "r6"]  # input order kept
    e = dict(zip(result["record_id"], result["entity_id"], strict=True))
    assert e["r1"] == e["r2"] != e["r3"]
    assert e["r4"] == e["r5"] != e["r6"]
    by = result.set_index("record_id")
    assert (
        by.loc["r2", "rule"] == "same_identifier"
        and by.loc["r2", "entity_name"] == "Bergström Fastigheter AB"
    )
    assert by.loc["r5", "rule"] == "same_name_address" and by.loc["r5", "linked_to"] == "r4"
    assert by.loc["r6", "rule"] == "alone"
    assert "1239" not in out.read_text(encoding="utf-8")  # the personnummer never leaves


def test_link_csv_reads_semicolons_and_fills_empty_ids(tmp_path):
    src = tmp_path / "excel.csv"
    src.write_text("record_id;name\n;Exempelbolaget AB\n;EXEMPELBOLAGET AKTIEBOLAG\n", encoding="utf-8")
    result = link_csv(src, tmp_path / "out.csv")
    assert result["record_id"].tolist() == ["row:1", "row:2"]
    assert result["entity_id"].nunique() == 1


def test_link_csv_writes_review_pairs(tmp_path):
    src = tmp_path / "family.csv"
    src.write_text(
        'record_id,name,address\njan,Jan Exempelsson,"Ängsvägen 2, 444 55 Fiktivby"\n'
        'jon,Jon Exempelsson,"Ängsvägen 2, 444 55 Fiktivby"\n',
        encoding="utf-8",
    )
    link_csv(src, tmp_path / "out.csv")
    review = pd.read_csv(tmp_path / "out.review.csv", dtype=str)
    assert {review.loc[0, "left"], review.loc[0, "right"]} == {"jan", "jon"}


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param("record_id,donor\n1,X\n", "no 'name' column", id="no-name-column"),
        pytest.param(
            "record_id,name\n1,A\n1,B\n", "row 2: record_id '1' occurs more than once", id="duplicate-id"
        ),
        pytest.param(
            "record_id,name,kind\n1,A,firma\n",
            "row 1: kind must be person, organisation or empty",
            id="bad-kind",
        ),
        pytest.param(
            "record_id,name,year\n1,A,tjugo\n", "row 1: year 'tjugo' is not a number", id="bad-year"
        ),
        pytest.param("", "empty file", id="empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    src = tmp_path / "bad.csv"
    src.write_text(content, encoding="utf-8")
    assert main(["link", str(src), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"{src}: {message}" or (err.startswith(f"{src}: {message}") and "\n" not in err)


def test_not_utf8_and_missing_file(tmp_path, capsys):
    src = tmp_path / "latin1.csv"
    src.write_bytes("record_id,name\n1,Bäck\n".encode("latin-1"))
    assert main(["link", str(src), "--out", str(tmp_path / "o.csv")]) == 2
    assert main(["link", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        f"{src}: not UTF-8 text (save the CSV as UTF-8)",
        f"{tmp_path / 'nope.csv'}: file not found",
    ]


@pytest.mark.parametrize("header", ["org_number", "organisationsnummer", "Orgnr", "donor_id"])
def test_identity_column_under_the_names_users_give_it(tmp_path, capsys, header):
    """Two spellings too far apart for the name rules, one organisationsnummer: one entity by identifier."""
    src = tmp_path / "donors.csv"
    src.write_text(f"name,{header},amount\nExempelbolaget AB,556677-8899,100\nAB Fiktiv Holding (Exempel),5566778899,200\n",
                   encoding="utf-8")
    result = link_csv(src, tmp_path / "out.csv")
    assert result["entity_id"].nunique() == 1
    assert result["rule"].tolist() == ["same_identifier", "same_identifier"]  # before: two entities, "alone"
    assert capsys.readouterr().err.startswith(f"partifinans link: {src}: ignored columns amount\n")


def test_organisation_and_person_number_columns_read_together(tmp_path):
    src = tmp_path / "donors.csv"
    src.write_text(
        "name,organisationsnummer,personnummer\n"
        "Exempelbolaget AB,556677-8899,\nAB Fiktiv Holding (Exempel),5566778899,\n"
        "Anna Exempelsson,,18900101-1239\nA. Karin Fiktivsson,,189001011239\n",
        encoding="utf-8",
    )
    result = link_csv(src, tmp_path / "out.csv")
    e = result["entity_id"].tolist()
    assert e[0] == e[1] and e[2] == e[3] and e[0] != e[2]
    assert "1239" not in (tmp_path / "out.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param("name,org_no\nA,556677-8899\n",
                     "column 'org_no' is not one partifinans reads; name the identity number column one of "
                     "donor_id, org_number, organisationsnummer, orgnr, personnummer "
                     "(expected header record_id,name,donor_id,address,kind,year,recipient)", id="unread-id-column"),
        pytest.param("name,org_number,personnummer\nA,556677-8899,18900101-1239\n",
                     "row 1: org_number and personnummer give different numbers (556677-8899, 18900101-1239)",
                     id="two-numbers-in-one-row"),
    ],
)
def test_identity_columns_refused_in_one_line(tmp_path, capsys, content, message):
    src = tmp_path / "bad.csv"
    src.write_text(content, encoding="utf-8")
    assert main(["link", str(src), "--out", str(tmp_path / "o.csv")]) == 2
    assert capsys.readouterr().err == f"{src}: {message}\n"
    assert not (tmp_path / "o.csv").exists()


def _contributions() -> tuple[pd.DataFrame, pd.DataFrame]:
    reports = schema.conform(
        pd.DataFrame(
            {
                "report_id": ["rep2021", "rep2023"],
                "source_path": ["a.pdf", "b.pdf"],
                "source_sha256": ["aa", "bb"],
                "source_kind": ["pdf", "pdf"],
                "is_primary": [True, True],
                "year": [2021, 2023],
                "reporter_name": ["Liberalerna Exempelstad", "Moderaterna Påhittby"],
                "party": ["Liberalerna", "Moderaterna"],
            }
        ),
        "reports",
    )
    contributions = schema.conform(
        pd.DataFrame(
            {
                "contribution_id": ["c1", "c2", "c3", "c4", "c5"],
                "report_id": ["rep2021", "rep2023", "rep2023", "rep2021", "rep2023"],
                "group": [5, 5, 5, 5, 5],
                "code": ["5.7", "5.7", "5.2", "5.4", "5.4"],
                "donor": [
                    "Bergström Fastigheter AB",
                    "Bergstrom Fastigheter AB (publ)",
                    None,
                    "Maria Fiktivsdotter",
                    None,
                ],
                "donor_id": ["556677-8899", None, None, "pnr:0123456789abcdef", "pnr:0123456789abcdef"],
                "donor_kind": ["organisation", "organisation", "anonymous", "person", "person"],
                "amount": [50000.0, 60000.0, 1000.0, 30000.0, 40000.0],
            }
        ),
        "contributions",
    )
    return contributions, reports


def test_link_contributions_fills_entity_id_and_builds_entities():
    contributions, reports = _contributions()
    linked, entities = link_contributions(contributions, reports, None)
    assert list(linked.columns) == schema.columns("contributions")
    assert list(entities.columns) == schema.columns("entities")
    e = dict(zip(linked["contribution_id"], linked["entity_id"], strict=True))
    assert e["c1"] == e["c2"] and pd.isna(e["c3"]) and e["c4"] == e["c5"] != e["c1"]
    ent = entities.set_index("entity_id")
    assert ent.loc[e["c1"], "canonical_name"] == "Bergström Fastigheter AB"
    assert (ent.loc[e["c1"], "first_year"], ent.loc[e["c1"], "last_year"]) == (2021, 2023)
    assert ent.loc[e["c1"], "n_contributions"] == 2
    assert list(ent.loc[e["c4"], "identifiers"]) == ["pnr:0123456789abcdef"]
    assert ent.loc[e["c4"], "kind"] == "person"
    assert len(entities) == 2  # the anonymous gift makes no entity


def test_link_contributions_ids_are_stable_across_runs_and_row_order():
    contributions, reports = _contributions()
    a, _ = link_contributions(contributions, reports, None)
    b, _ = link_contributions(contributions.iloc[::-1].reset_index(drop=True), reports, None)
    assert dict(zip(a["contribution_id"], a["entity_id"], strict=True)) == dict(
        zip(b["contribution_id"], b["entity_id"], strict=True)
    )


def test_link_contributions_empty():
    linked, entities = link_contributions(schema.empty("contributions"), schema.empty("reports"), None)
    assert len(linked) == 0 and len(entities) == 0


def test_link_tables_keep_the_reason_of_every_link():
    from partifinans.link import link_tables

    contributions, reports = _contributions()
    out = link_tables(contributions, reports, None)
    assert list(out["links"].columns) == schema.columns("links")
    assert list(out["link_review"].columns) == schema.columns("link_review")
    links = out["links"].set_index("contribution_id")
    assert sorted(links.index) == ["c1", "c2", "c4", "c5"]  # the anonymous c3 is not linked
    assert links.loc["c4", "rule"] == links.loc["c5", "rule"] == "same_identifier"
    assert links.loc["c1", "rule"] in ("same_name", "fuzzy_name") and links.loc["c1", "linked_to"] == "c2"
    assert (
        links.loc["c1", "entity_id"]
        == out["contributions"].set_index("contribution_id").loc["c1", "entity_id"]
    )
