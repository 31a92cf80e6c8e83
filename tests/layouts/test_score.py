"""The scorer counts what it should: a perfect parse scores every field, each kind of error one miss."""

from __future__ import annotations

import copy

from layouts.score import digits, flagged, score_file

WANT = {
    "kind": "intaktsredovisning", "year": 2022, "org_number": "889462-0726", "reporter_name": "Lyktpartiet",
    "total": 1_500_000.0, "groups": {"1": 1_000_000.0, "5": 500_000.0}, "submitted": "2023-06-27",
    "contributions": [
        {"group": 5, "donor": "Agda Myrberg", "donor_id": "18950318-4716", "amount": 300_000.0, "date": "2022-08-02"},
        {"group": 5, "donor": None, "donor_id": None, "amount": 200_000.0, "date": None},
    ],
}


def _got():
    return {
        "kind": "intaktsredovisning", "year": 2022, "submitted": "2023-06-27", "total": 1_500_000.0,
        "reporter": {"name": "LYKTPARTIET ", "org_number": "8894620726"},
        "lines": [{"group": 1, "amount": 600_000.0}, {"group": 1, "amount": 400_000.0},
                  {"group": 5, "amount": 500_000.0}],
        "contributions": [
            {"group": 5, "donor": "Agda  Myrberg", "donor_id": "950318+4716", "amount": 300_000.4, "date": "2022-08-02"},
            {"group": 5, "donor": "Ett namn sidan inte visar", "donor_id": None, "amount": 200_000.0, "date": None},
        ],
    }


def test_a_right_parse_scores_every_field():
    ok, total, miss = score_file(_got(), WANT)
    # kind, year, org, name, submitted, total, 2 groups, item 1: 5 fields, item 2: 3 fields, no extra items
    assert (ok, total, miss) == (17, 17, [])


def test_each_error_is_one_miss():
    cases = {
        "year": lambda g: g.update(year=2023),
        "org_number": lambda g: g["reporter"].update(org_number="889462-0727"),
        "group5": lambda g: g["lines"].pop(),
        "item.donor_id": lambda g: g["contributions"][0].update(donor_id="18950318-4717"),
        "item.date": lambda g: g["contributions"][0].update(date="2022-08-03"),
        "item.group": lambda g: g["contributions"][1].update(group=4),
        "no_extra_items": lambda g: g["contributions"].append({"group": 5, "amount": 2023.0}),
    }
    for name, change in cases.items():
        got = copy.deepcopy(_got())
        change(got)
        ok, total, miss = score_file(got, WANT)
        assert miss == [name], name
        assert total - ok == 1


def test_a_lost_item_misses_all_its_fields():
    got = _got()
    del got["contributions"][0]
    _, _, miss = score_file(got, WANT)
    assert sorted(miss) == ["item.amount", "item.date", "item.donor", "item.donor_id", "item.group"]


def test_identity_numbers_compare_on_ten_digits():
    assert digits("18950318-4716") == digits("950318+4716") == digits("189503184716") == "9503184716"
    assert digits("16556677-8899") == digits("556677-8899")


def test_flagged_means_a_warning_or_low_confidence():
    assert not flagged({"warnings": []})
    assert not flagged({"warnings": [], "confidence": "medium"})
    assert flagged({"warnings": ["x"]})
    assert flagged({"confidence": "low"})
