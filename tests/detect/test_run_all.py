"""run_all: nothing planted gives nothing flagged; planted cases come out sorted with stable ids."""

import json

import pandas as pd
import pytest
from detect_tables import gift, line, orgnr, report, tables

from partifinans import schema
from partifinans.detect import DETECTORS, run_all

PATTERNS = [
    "missing_report", "late_report", "total_mismatch", "anonymous_over_limit", "anonymous_near_limit",
    "missing_donor_identity", "invalid_identifier", "split_across_entities", "intermediary_donor",
    "related_entity_income", "lottery_surge", "donor_concentration", "year_over_year_jump", "source_disagreement",
]

ORGS = [
    # name, number, party, role, level
    ("Liberalerna", orgnr("802001-002"), "Liberalerna", "parti", "riks"),
    ("Liberalerna Borås", orgnr("802000-001"), "Liberalerna", "parti", "kommun"),
    ("Liberalerna Skåne", orgnr("802000-003"), "Liberalerna", "parti", "region"),
    ("Centerpartiet", orgnr("802003-005"), "Centerpartiet", "parti", "riks"),
    ("CUF", orgnr("802002-003"), "Centerpartiet", "sidoorganisation", "riks"),
    ("Centerpartiet Lund", orgnr("802003-001"), "Centerpartiet", "parti", "kommun"),
]
COMPANIES = [(f"Exempelbolaget {i} AB", orgnr(f"5560{i:02d}-004")) for i in range(8)]
YEARS = range(2019, 2024)


def clean_tables():
    """Six organisations over five years, ordinary income, named donors each giving to at most two
    organisations of a party, anonymous gifts well under the limit, reports on time, totals that add up,
    and an open-data copy (not primary) of one report that agrees with its PDF."""
    reports, lines, gifts = [], [], []
    for i, (name, number, party, role, level) in enumerate(ORGS):
        for y in YEARS:
            rid = f"{i}-{y}"
            scale = 1 + 0.05 * ((i + y) % 3)  # income varies a little from year to year
            reports.append(
                report(name, y, number, party=party, role=role, level=level, report_id=rid, submitted=f"{y + 1}-05-{10 + i}",
                       warnings=["p. 2: unknown label 'Övrigt X'"] if y == 2020 else [])
            )
            donor_a = COMPANIES[(i + y) % len(COMPANIES)]
            donor_b = COMPANIES[(i + y + 3) % len(COMPANIES)]
            person = (f"Testsson {i}{y}", f"pnr:{i:08d}{y:08d}", f"Påhittegatan {i * 10 + y % 10}, Borås")
            amounts = {
                "1.1" if level == "riks" else "1.4": 800000 * scale,
                "2.1": 40000 * scale,
                "3.1": 30000 * scale,
                "3.2": 20000 * scale,
                "5.1": 5000 * scale,
                "5.2": 3 * 1000.0,
                "5.4": 30000.0,
                "5.7": 70000.0,
                "6.1": 15000 * scale,
            }
            lines += [line(rid, code, amount, page=1 + k // 4) for k, (code, amount) in enumerate(amounts.items())]
            gifts += [gift(rid, 1000, None, kind="anonymous", code="5.2", page=2) for _ in range(3)]
            gifts.append(gift(rid, 30000, person[0], person[1], kind="person", code="5.4", address=person[2], page=3))
            gifts.append(gift(rid, 35000, donor_a[0], donor_a[1], page=3))
            gifts.append(gift(rid, 35000, donor_b[0], donor_b[1], page=3))
    copy = report("Liberalerna Borås", 2021, ORGS[1][1], report_id="od-1-2021", source_kind="opendata", is_primary=False, row=40)
    reports.append(copy)
    lines += [{**x, "report_id": "od-1-2021", "page": None, "row": 40 + k} for k, x in enumerate(lines) if x["report_id"] == "1-2021"]
    return tables(reports, lines, gifts)


def test_registry_holds_every_pattern_of_the_issue():
    assert list(DETECTORS) == PATTERNS


def test_clean_data_gives_no_flags():
    tabs = clean_tables()
    assert len(tabs["reports"]) == 31 and len(tabs["contributions"]) == 180
    flags = run_all(tabs)
    assert flags.empty, flags["explanation"].tolist()
    assert list(flags.columns) == schema.columns("flags")


def test_empty_tables_give_no_flags():
    assert run_all({}).empty


def _planted():
    tabs = clean_tables()
    # Plant: a forbidden anonymous gift and a late report in Liberalerna Borås 2022.
    reps = tabs["reports"].copy()
    reps.loc[reps["report_id"] == "1-2022", "submitted"] = "2023-08-01"
    reps.loc[reps["report_id"] == "1-2022", "total"] += 5000
    extra = schema.conform(
        pd.DataFrame([{"contribution_id": "x1", **gift("1-2022", 5000, None, kind="anonymous", code="5.2", page=2)}]),
        "contributions",
    )
    lines = tabs["lines"].copy()
    lines.loc[(lines["report_id"] == "1-2022") & (lines["code"] == "5.2"), "amount"] += 5000
    tabs.update(reports=reps, contributions=pd.concat([tabs["contributions"], extra]), lines=lines)
    return tabs


def test_planted_flags_sorted_by_severity_then_amount_with_stable_ids():
    flags = run_all(_planted())
    assert flags["pattern"].tolist() == ["anonymous_over_limit", "late_report"]
    assert flags["severity"].tolist() == ["high", "medium"]
    anon = flags.iloc[0]
    assert anon["amount"] == 5000.0 and anon["estimated_fee"] == 2 * (5000 - 2415)
    assert json.loads(anon["organisations"]) == [{"name": "Liberalerna Borås", "org_number": ORGS[1][1]}]
    assert json.loads(anon["evidence"]) == [{"source_path": "demo/liberalerna-borås-2022.pdf", "page": 2}]
    assert flags.iloc[1]["estimated_fee"] == 2500.0
    assert run_all(_planted())["flag_id"].tolist() == flags["flag_id"].tolist()
    assert flags["flag_id"].is_unique


def test_years_outside_the_law_table_are_left_out_with_a_warning():
    tabs = tables([report("Liberalerna Borås", 2031, orgnr("802000-001"), report_id="r")], [], [gift("r", 9000, None, kind="anonymous", code="5.2")])
    with pytest.warns(UserWarning, match=r"1 reports for years without a price base amount in law.csv \(2031\)"):
        flags = run_all(tabs)
    assert flags.empty
