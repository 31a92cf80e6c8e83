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
            "files": schema.empty("files"), "disagreements": schema.empty("disagreements"),
            **_link_reasons(contributions, reports)}


def test_sek_is_the_one_amount_format_of_values():
    assert analysis.sek(1234567.5) == "1 234 567,50 kr"  # values.format_sek: öre when there are any
    assert analysis.sek(1234567) == "1 234 567 kr"
    assert analysis.sek(None) == "–"


def test_reconciliation_lists_reports_off_by_more_than_one_krona(tables):
    out = analysis.reconciliation(tables)
    assert out["reporter_name"].tolist() == ["Liberalerna Påhittby"]
    assert out["difference"].tolist() == [1000.0]


def test_coverage_marks_gaps(tables):
    matrix = analysis.coverage(tables)
    assert matrix.loc["Liberalerna Påhittby"].tolist() == [0, 1]
    assert matrix.loc["Liberalerna Exempelstad"].tolist() == [1, 1]


def test_coverage_years_without_a_duty_are_not_gaps():
    """Local organisations did not report under lag (2014:105): 2016-2017 are blank, not missing;
    a national party with seats had to report then, so its missing 2017 is a gap."""
    reports = schema.conform(pd.DataFrame({
        "report_id": ["l18", "l19", "r16", "r18"],
        "source_path": ["a.pdf", "b.pdf", "c.pdf", "d.pdf"],
        "source_sha256": ["a", "b", "c", "d"],
        "source_kind": ["pdf"] * 4,
        "is_primary": [True] * 4,
        "year": [2018, 2019, 2016, 2018],
        "org_number": ["802000-0001", "802000-0001", "802000-0002", "802000-0002"],
        "reporter_name": ["Liberalerna Exempelstad", "Liberalerna Exempelstad", "Liberalerna", "Liberalerna"],
        "party": ["Liberalerna"] * 4,
        "role": ["parti"] * 4,
        "level": ["kommun", "kommun", "riks", "riks"],
    }), "reports")
    matrix = analysis.coverage({"reports": reports})
    local = matrix.loc["Liberalerna Exempelstad"]
    assert local.isna().tolist() == [True, True, False, False] and local.tolist()[2:] == [1, 1]
    assert matrix.loc["Liberalerna"].tolist() == [1, 0, 1, 0]
    assert int((matrix == 0).to_numpy().sum()) == 2


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
    assert "entity_id" not in out.columns  # a table for readers


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
    assert out.loc[0, "where"] == "c.pdf p. 2"


# --- additions for the notebooks: paths, amounts, private persons, linkage, gaps, overview -------


@pytest.fixture
def person_tables(tables):
    """The inline tables plus a private person who gave twice to Liberalerna Exempelstad in 2022
    (same pseudonymised personnummer, two spellings) and a 5.4 gift with no identity at all."""
    extra = schema.conform(
        pd.DataFrame(
            {
                "contribution_id": ["p1", "p2", "p3"],
                "report_id": ["r2", "r2", "r3"],
                "group": [5, 5, 5],
                "code": ["5.4", "5.4", "5.4"],
                "donor": ["Testsson, Anna", "Anna Testsson", "Påhittad Person"],
                "donor_id": ["pnr:00000000000000aa", "pnr:00000000000000aa", None],
                "donor_kind": ["person", "person", "person"],
                "address": ["Provgatan 1, 123 45 Exempelstad", None, None],
                "amount": [30000.0, 26000.0, 25000.0],
                "page": [1, 1, 2],
                "entity_id": ["ep", "ep", "eq"],
            }
        ),
        "contributions",
    )
    entities = schema.conform(
        pd.DataFrame({"entity_id": ["e1", "ep", "eq"], "canonical_name": ["Exempelbolaget AB", "Anna Testsson", "Påhittad Person"],
                      "kind": ["organisation", "person", "person"], "n_contributions": [3, 2, 1]}),
        "entities",
    )
    contributions = pd.concat([tables["contributions"], extra], ignore_index=True)
    return {**tables, "contributions": contributions, "entities": entities, **_link_reasons(contributions, tables["reports"])}


def _link_reasons(contributions, reports):
    """The ``links`` and ``link_review`` tables as ingest writes them, from the real linkage."""
    from partifinans import link

    linked = link.link_tables(contributions, reports)
    return {"links": linked["links"], "link_review": linked["link_review"]}


def test_project_relative_never_absolute(tmp_path):
    from partifinans import config

    assert analysis.project_relative(config.project_root() / "data" / "processed") == "data/processed"
    assert analysis.project_relative(tmp_path / "real-data") == "real-data"


def test_format_sek_formats_only_the_named_columns():
    out = analysis.format_sek(pd.DataFrame({"total": [1234.0, None], "year": [2022, 2023]}), ["total"])
    assert out["total"].tolist() == ["1 234 kr", "–"]
    assert out["year"].tolist() == [2022, 2023]


def test_public_names_hide_private_persons_only(person_tables):
    from partifinans import privacy

    top = analysis.public_names(analysis.top_donors(person_tables))
    assert top["canonical_name"].tolist() == [privacy.private_label("ep"), privacy.private_label("eq"), "Exempelbolaget AB"]
    assert top["total"].tolist() == [56000.0, 25000.0, 11000.0]
    assert "Anna Testsson" not in top.to_string()


def test_spellings_with_reasons_give_the_linking_rule(tables):
    out = analysis.spellings_with_reasons(tables, "e1")
    assert out["donor"].tolist() == ["Exempelbolaget AB", "EXEMPELBOLAGET AKTIEBOLAG"]
    assert out["rule"].tolist() == ["same_identifier", "same_identifier"]
    assert out["amount"].tolist() == [3000.0, 8000.0]


def test_spellings_with_reasons_hide_a_persons_name_and_number(person_tables):
    out = analysis.spellings_with_reasons(person_tables, "ep")
    assert set(out["donor"]) == {analysis.public_names(
        pd.DataFrame({"canonical_name": ["x"], "entity_id": ["ep"], "kind": ["person"]}))["canonical_name"][0]}
    assert not out["donor_id"].str.startswith("pnr:").any()
    assert "Testsson" not in out.to_string()


def test_linkage_rules_count_records_per_rule(person_tables):
    rules = analysis.linkage_rules(person_tables).set_index("rule")["records"].to_dict()
    # e1's two printings in primary reports share an orgnr (its third, in the open-data copy of a
    # report, is not another gift and is not linked); Anna Testsson's two share a personnummer;
    # "Påhittad Person" stands alone. Anonymous gifts are not linked at all.
    assert rules == {"same_identifier": 4, "alone": 1}


def test_party_with_most_donations(tables):
    assert analysis.party_with_most_donations(tables) == "Liberalerna"


def test_identity_problems_list_missing_identity(person_tables):
    out = analysis.identity_problems(person_tables)
    assert out["amount"].tolist() == [25000.0]
    assert out.loc[0, "problem"] == "neither identity number nor address"
    assert out.loc[0, "donor"].startswith("Privatperson ")
    assert out.loc[0, "source"] == "c.pdf p. 2"


def test_fees_by_pattern_sums_estimated_fees(tables):
    flags = pd.concat([tables["flags"], tables["flags"].assign(flag_id="f2", estimated_fee=5000.0)], ignore_index=True)
    out = analysis.fees_by_pattern({**tables, "flags": flags})
    assert out.loc[0, ["pattern", "flags", "with_fee", "estimated_fees"]].tolist() == ["total_mismatch", 2, 1, 5000.0]


def test_flag_cases_filter_by_pattern(tables):
    assert analysis.flag_cases(tables, ["total_mismatch"])["organisation"].tolist() == ["Liberalerna Påhittby"]
    assert analysis.flag_cases(tables, ["late_report"]).empty


def test_source_disagreements_name_the_group(tables):
    dis = schema.conform(pd.DataFrame({"pdf_report_id": ["r3"], "opendata_report_id": ["o3"], "org_number": ["802000-0002"],
                                       "year": [2022], "group": [2], "pdf_amount": [100.0], "opendata_amount": [600.0],
                                       "difference": [-500.0]}), "disagreements")
    out = analysis.source_disagreements({**tables, "disagreements": dis})
    assert out.loc[0, ["reporter_name", "group_name", "difference"]].tolist() == ["Liberalerna Påhittby", "Medlemsavgifter", -500.0]


@pytest.mark.parametrize(
    "shares, expected",
    [
        pytest.param([0.5, 0.89], {"below": 2, "near": 0, "over": 0}, id="all_well_below"),
        pytest.param([0.9, 0.99, 1.0], {"below": 0, "near": 3, "over": 0}, id="bunched_under_the_limit"),
        pytest.param([1.01, 0.2], {"below": 1, "near": 0, "over": 1}, id="one_over"),
    ],
)
def test_anonymous_near_limit_counts(shares, expected):
    assert analysis.anonymous_near_limit_counts(pd.Series(shares)) == expected


def test_related_entity_income_lists_group_8_only(tables):
    lines = pd.concat([tables["lines"], schema.conform(pd.DataFrame(
        {"report_id": ["r2", "r2"], "group": [8, 8], "code": ["8.7", "8.1"], "label": ["Stiftelse", "Insamling"],
         "amount": [7000.0, 0.0], "page": [2, 2]}), "lines")], ignore_index=True)
    out = analysis.related_entity_income({**tables, "lines": lines})
    assert out[["reporter_name", "code", "amount", "source_path"]].values.tolist() == [
        ["Liberalerna Exempelstad", "8.7", 7000.0, "b.pdf"]]


def test_side_organisations(tables):
    reports = tables["reports"].copy()
    reports.loc[reports["report_id"] == "r3", "role"] = "sidoorganisation"
    out = analysis.side_organisations({**tables, "reports": reports})
    assert out[["reporter_name", "year", "total"]].values.tolist() == [["Liberalerna Påhittby", 2022, 9000.0]]


def test_merged_spellings_list_printings_and_hide_persons(person_tables):
    out = analysis.merged_spellings(person_tables)
    assert out["entity_id"].tolist() == ["ep", "e1"]  # two printings each, larger total first; eq was printed once
    assert out.loc[1, "printed"] == "EXEMPELBOLAGET AKTIEBOLAG [5566778899]; Exempelbolaget AB [556677-8899]"
    assert out["total"].tolist() == [56000.0, 11000.0]
    assert "Testsson" not in analysis.public_names(out).to_string()  # printings hidden, name labelled


def test_lottery_by_year_leaves_years_without_a_report_empty(tables):
    extra = schema.conform(pd.DataFrame({"report_id": ["r1", "r3"], "group": [3, 3], "code": ["3.3", "3.2"],
                                         "amount": [500.0, 0.0]}), "lines")
    lottery = analysis.lottery_by_year({**tables, "lines": pd.concat([tables["lines"], extra], ignore_index=True)})
    assert lottery.loc["Liberalerna Exempelstad"].tolist() == [500.0, 2000.0]
    assert lottery.loc["Liberalerna Påhittby", 2022] == 0.0  # reported, no lottery income
    assert pd.isna(lottery.loc["Liberalerna Påhittby", 2021])  # no report that year: unknown, not zero


def test_income_panels_one_per_party_groups_in_distinct_hues(tables):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import to_hex

    from partifinans import plots

    income = analysis.income_by_group(tables)
    fig = plots.income_by_group_panels(income, ncols=2)
    visible = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in visible] == ["Liberalerna"]
    bottom_bar = visible[0].patches[0]  # each group in its own hue, the party's colour on the frame
    assert to_hex(bottom_bar.get_facecolor()) == plots.group_colour(income.columns[0])
    assert to_hex(visible[0].spines["top"].get_edgecolor()) == analysis.party_colour("Liberalerna").lower()
    assert visible[0].title.get_color() == plots.TEXT  # text never in a party colour (yellow on white)
    tallest = max(p.get_y() + p.get_height() for p in visible[0].patches)
    assert visible[0].get_ylim()[1] >= tallest * 1.1  # room above the tallest bar
    heights = {round(p.get_height()) for p in visible[0].patches if p.get_height()}
    assert {1000, 11000, 2000} <= heights  # 2021 membership fees; 2022 contributions and lottery
    assert any(t.get_text() == plots.SOURCE_NOTE for t in fig.texts)
    matplotlib.pyplot.close(fig)


def test_files_to_check_lists_low_then_medium_confidence_with_their_checks():
    reports = schema.conform(pd.DataFrame({
        "report_id": ["a", "b", "c", "d", "o"],
        "source_path": ["z.pdf", "y.pdf", "x.pdf", "w.pdf", "open.csv"],
        "source_sha256": ["1", "2", "3", "4", "5"], "is_primary": [True] * 5,
        "source_kind": ["pdf", "pdf", "pdf", "pdf", "opendata"],
        "reporter_name": ["A", "B", "C", "D", "O"],
        "year": [2022] * 5,
        "confidence": ["medium", "high", "low", "low", None],
        "checks": [["no printed total to check the lines against"], ["the lines add up to the printed total 10.00"],
                   ["the lines do not add up to the printed total 12.00", "no reporter name found"],
                   ["2 warning(s): something was not read or not placed"], None],
    }), "reports")
    out = analysis.files_to_check({"reports": reports})
    assert list(out["source_path"]) == ["w.pdf", "x.pdf", "z.pdf"]
    assert list(out["confidence"]) == ["low", "low", "medium"]
    assert out.loc[1, "checks"] == "the lines do not add up to the printed total 12.00; no reporter name found"
    assert "y.pdf" not in set(out["source_path"])  # high confidence: nothing to open by hand


def test_format_sek_shows_no_internal_join_keys():
    frame = pd.DataFrame({"entity_id": ["47614292153f769e"], "canonical_name": ["Provdata AB"], "total": [1259000.0]})
    shown = analysis.format_sek(frame, ["total"])
    assert list(shown.columns) == ["canonical_name", "total"] and shown["total"].iloc[0] == "1 259 000 kr"
    assert "entity_id" in frame.columns  # the caller's frame keeps its key
