"""The demo corpus: deterministic, covers what issue #2 asks, holds each planted case, and nothing else
trips the issue #5 detectors by accident.

The checks in the middle of this file are small reference versions of the detectors' rules (with the
parameters of ``partifinans.detect.config``: near = within 10 % under the limit and at least three
gifts, split = three or more organisations, lottery surge = three times the median of the other
years and over 0.5 pbb, concentration = half the non-public income, jump = five times and one pbb).
"""

from __future__ import annotations

import statistics
from collections import defaultdict

import pytest

from partifinans import law
from partifinans.demo.corpus import SEED, demo_reports, planted_cases
from partifinans.demo.render import ESERVICE_LAYOUTS, QUIRKS
from partifinans.identifiers import is_foundation_or_association, is_valid_orgnr, parse_identifier

REPORTS = demo_reports()
BY_STEM = {d.stem: d for d in REPORTS}
ELECTION_YEARS = {2018, 2019, 2022, 2024}
NON_PUBLIC = (3, 4, 5, 6, 8)
FICTIONAL = ("test", "exempel", "påhitt", "låtsas", "fiktiv", "demo", "skenbar", "prov", "bergström")


def _org_key(d):
    return d.org_key


def _non_public(d) -> float:
    return sum(ln["amount"] for ln in d.report["lines"] if ln["group"] in NON_PUBLIC)


def _items(d, code=None):
    return [c for c in d.report["contributions"] if code is None or c["code"] == code]


# --- determinism and shape ----------------------------------------------------------------------------

def test_same_seed_same_corpus_and_another_seed_another():
    assert demo_reports(SEED) == REPORTS
    assert planted_cases(SEED) == planted_cases()
    other = demo_reports(SEED + 1)
    assert [d.stem for d in other] == [d.stem for d in REPORTS]
    assert [d.report for d in other] != [d.report for d in REPORTS]


def test_reports_follow_the_parse_contract_without_source_warnings_and_pages():
    for d in REPORTS:
        r = d.report
        assert set(r) == {"schema", "kind", "year", "period", "submitted", "reporter", "lines", "contributions",
                          "total"}, d.stem
        assert set(r["reporter"]) == {"name", "org_number", "party", "role", "level", "area"}
        for ln in r["lines"]:
            assert set(ln) == {"group", "code", "label", "amount"} and isinstance(ln["amount"], float)
        for c in r["contributions"]:
            assert set(c) == {"group", "code", "donor", "donor_id", "address", "form", "date", "amount"}
            assert c["form"] in ("pengar", "varor", "tjänster", "övrigt")
            assert c["date"][:4] == str(r["year"])
        assert len(d.donor_keys) == len(r["contributions"])


# --- coverage (issue #2) --------------------------------------------------------------------------------

def test_corpus_size_years_roles_levels_layouts_quirks():
    assert len(REPORTS) >= 30
    assert {d.report["year"] for d in REPORTS} == set(range(2016, 2025))
    assert {d.report["reporter"]["role"] for d in REPORTS} == {"parti", "sidoorganisation", "ledamot", "ersattare"}
    assert {d.report["reporter"]["level"] for d in REPORTS} == {"riks", "region", "kommun", "eu"}
    layouts = {d.layout for d in REPORTS}
    assert layouts == {"eservice_table", "eservice_stacked", "eservice_landscape", "form2014", "anmalan"}
    assert len(layouts & set(ESERVICE_LAYOUTS)) >= 3
    assert set().union(*(d.quirks for d in REPORTS)) == QUIRKS
    assert sum(d.layout == "anmalan" for d in REPORTS) >= 2
    assert all(d.report["kind"] == ("anmalan" if d.layout == "anmalan" else "intaktsredovisning") for d in REPORTS)


def test_form2014_only_2016_2017_national_parties_and_eservice_from_2018():
    for d in REPORTS:
        rep = d.report["reporter"]
        if d.layout == "form2014":
            assert d.report["year"] in (2016, 2017) and (rep["role"], rep["level"]) == ("parti", "riks")
            assert all(ln["code"] is None for ln in d.report["lines"])
        else:
            assert d.report["year"] >= 2018, d.stem
    assert sum(d.layout == "form2014" for d in REPORTS) == 4


def test_several_organisations_report_over_several_years():
    years = defaultdict(set)
    for d in REPORTS:
        years[_org_key(d)].add(d.report["year"])
    long_series = {k: v for k, v in years.items() if len(v) >= 3}
    assert {"liberalerna-riks", "centerpartiet-riks", "liberalerna-exempelstad", "moderaterna-testeby",
            "centerpartiet-pahittkoping"} <= set(long_series)
    assert years["liberalerna-riks"] == set(range(2016, 2025))  # national parties report every year


def test_identities_are_valid_and_plainly_fictional():
    for d in REPORTS:
        rep = d.report["reporter"]
        if rep["role"] in ("ledamot", "ersattare"):
            assert rep["org_number"] is None
        else:
            assert is_valid_orgnr(rep["org_number"]) and rep["org_number"].startswith("8"), d.stem
        assert any(s in rep["name"].lower() for s in FICTIONAL), rep["name"]
        for c, key in zip(d.report["contributions"], d.donor_keys, strict=True):
            if c["donor"] is not None:
                assert any(s in c["donor"].lower() for s in FICTIONAL), c["donor"]
            ident = parse_identifier(c["donor_id"])
            if ident is not None and ident.kind == "pnr":
                assert 1890 <= int(ident.value[:4]) <= 1899 and ident.is_valid
                assert key.startswith("person:")


def test_totals_add_up_and_itemised_lines_equal_their_entries_except_the_planted_mismatch():
    mismatched = set()
    for d in REPORTS:
        r = d.report
        for ln in r["lines"]:
            entries = [c["amount"] for c in r["contributions"] if c["code"] == ln["code"]]
            if ln["code"] in ("4.1", "5.2", "5.4", "5.7", "8.1", "8.7"):
                assert ln["amount"] == pytest.approx(sum(entries)), (d.stem, ln["code"])
        if r["total"] is not None and abs(sum(ln["amount"] for ln in r["lines"]) - r["total"]) > 0.005:
            mismatched.add(d.stem)
    assert mismatched == {"2021_kristdemokraterna-region-pahittland"}
    d = BY_STEM["2021_kristdemokraterna-region-pahittland"]
    assert d.report["total"] - sum(ln["amount"] for ln in d.report["lines"]) == pytest.approx(10_000.0)
    assert any("10000.00" in w for w in d.expected_warnings)


# --- reference detectors: exactly the planted reports are found ---------------------------------------

def _late():
    return {d.stem for d in REPORTS if d.report["submitted"] > law.deadline(d.report["year"]).isoformat()}


def _anonymous_over():
    return {d.stem for d in REPORTS
            if any(c["amount"] > law.threshold(d.report["year"], "anonymous") for c in _items(d, "5.2"))}


def _anonymous_near():
    out = set()
    for d in REPORTS:
        limit = law.threshold(d.report["year"], "anonymous")
        if sum(0.9 * limit <= c["amount"] <= limit for c in _items(d, "5.2")) >= 3:
            out.add(d.stem)
    return out


def _missing_identity():
    return {d.stem for d in REPORTS for c in d.report["contributions"]
            if c["code"] in ("5.4", "5.7", "8.7") and c["amount"] > law.threshold(d.report["year"], "identity")
            and not c["donor_id"] and not c["address"]}


def _invalid_identifier():
    out = set()
    for d in REPORTS:
        numbers = [c["donor_id"] for c in d.report["contributions"] if c["donor_id"]]
        numbers += [d.report["reporter"]["org_number"]] if d.report["reporter"]["org_number"] else []
        if any(not parse_identifier(n).is_valid for n in numbers):
            out.add(d.stem)
    return out


def _split():
    orgs = defaultdict(set)
    for d in REPORTS:
        for key in d.donor_keys:
            if key:
                orgs[(d.report["reporter"]["party"], d.report["year"], key)].add(d.report["reporter"]["org_number"])
    hits = {k for k, v in orgs.items() if len(v) >= 3}
    return {d.stem for d in REPORTS for key in d.donor_keys
            if (d.report["reporter"]["party"], d.report["year"], key) in hits}


def _intermediary():
    out = set()
    for d in REPORTS:
        ids = [parse_identifier(c["donor_id"]) for c in d.report["contributions"]]
        if any(i is not None and i.kind == "orgnr" and is_foundation_or_association(i.value) for i in ids):
            out.add(d.stem)
        by_address = defaultdict(set)
        for c, key in zip(d.report["contributions"], d.donor_keys, strict=True):
            if key and c["address"]:
                by_address[c["address"]].add(key)
        if any(len(keys) >= 2 for keys in by_address.values()):
            out.add(d.stem)
    return out


def _related():
    return {d.stem for d in REPORTS if any(ln["group"] == 8 and ln["amount"] > 0 for ln in d.report["lines"])}


def _lottery_surge():
    series = defaultdict(dict)
    for d in REPORTS:
        series[_org_key(d)][d.report["year"]] = (d.stem, sum(ln["amount"] for ln in d.report["lines"]
                                                             if ln["code"] in ("3.2", "3.3")))
    out = set()
    for years in series.values():
        for year, (stem, amount) in years.items():
            others = [a for y, (_, a) in years.items() if y != year]
            if (year in ELECTION_YEARS and len(others) >= 2 and amount > 0.5 * law.pbb(year)
                    and amount >= 3 * statistics.median(others)):
                out.add(stem)
    return out


def _concentration():
    out = set()
    for d in REPORTS:
        sums = defaultdict(float)
        for c, key in zip(d.report["contributions"], d.donor_keys, strict=True):
            if key:
                sums[key] += c["amount"]
        if sums and _non_public(d) > 0 and max(sums.values()) >= 0.5 * _non_public(d):
            out.add(d.stem)
    return out


def _jump():
    series = defaultdict(dict)
    for d in REPORTS:
        if d.report["kind"] == "intaktsredovisning":
            series[_org_key(d)][d.report["year"]] = d
    out = set()
    for years in series.values():
        for year, d in years.items():
            prev = years.get(year - 1)
            if prev is not None and _non_public(d) >= 5 * _non_public(prev) \
                    and _non_public(d) - _non_public(prev) >= law.pbb(year):
                out.add(d.stem)
    return out


def _missing_report():
    years = defaultdict(set)
    for d in REPORTS:
        years[_org_key(d)].add(d.report["year"])
    return {(k, y) for k, ys in years.items() for y in range(min(ys), max(ys) + 1) if y not in ys}


def _source_disagreement():
    return {d.stem for d in REPORTS if d.in_opendata and d.opendata_change}


@pytest.mark.parametrize("check,expected", [
    pytest.param(_late, {"2023_socialdemokraterna-latsasvik"}, id="late_report"),
    pytest.param(_anonymous_over, {"2022_miljopartiet-fiktiva"}, id="anonymous_over_limit"),
    pytest.param(_anonymous_near, {"2024_vansterpartiet-exempelstad"}, id="anonymous_near_limit"),
    pytest.param(_missing_identity, {"2022_kristdemokraterna-region-pahittland"}, id="missing_donor_identity"),
    pytest.param(_invalid_identifier, {"2022_moderaterna-testeby"}, id="invalid_identifier"),
    pytest.param(_split, {"2022_liberalerna-exempelstad", "2022_liberalerna-region-exempelland",
                          "2022_luf-exempelstad", "2022_liberalerna-pahittkoping"}, id="split_across_entities"),
    pytest.param(_intermediary, {"2022_socialdemokraterna-latsasvik", "2023_sverigedemokraterna-testeby"},
                 id="intermediary_donor"),
    pytest.param(_related, {"2022_centerpartiet-riks"}, id="related_entity_income"),
    pytest.param(_lottery_surge, {"2022_liberalerna-exempelstad"}, id="lottery_surge"),
    pytest.param(_concentration, {"2023_muf-pahittkoping"}, id="donor_concentration"),
    pytest.param(_jump, {"2021_moderaterna-testeby"}, id="year_over_year_jump"),
    pytest.param(_missing_report, {("centerpartiet-pahittkoping", 2020)}, id="missing_report"),
    pytest.param(_source_disagreement, {"2022_moderaterna-testeby"}, id="source_disagreement"),
])
def test_exactly_the_planted_cases_trip_each_rule(check, expected):
    assert check() == expected


def test_every_detector_has_a_plant_and_plants_name_existing_files():
    plants = planted_cases()
    assert {p.detector for p in plants} == {
        "missing_report", "late_report", "total_mismatch", "anonymous_over_limit", "anonymous_near_limit",
        "missing_donor_identity", "invalid_identifier", "split_across_entities", "intermediary_donor",
        "related_entity_income", "lottery_surge", "donor_concentration", "year_over_year_jump",
        "source_disagreement"}
    for p in plants:
        for stem in p.stems:
            assert p.detector in BY_STEM[stem].planted, (p.detector, stem)
    marked = {(det, d.stem) for d in REPORTS for det in d.planted}
    assert marked == {(p.detector, s) for p in plants for s in p.stems}


# --- the planted cases, with their values ---------------------------------------------------------------

def test_one_donor_four_liberalerna_associations_2022_four_spellings():
    gifts = [(d, c) for d in REPORTS if d.report["year"] == 2022
             for c, key in zip(d.report["contributions"], d.donor_keys, strict=True)
             if key == "company:Bergström Exempelfastigheter AB"]
    assert len(gifts) == 4
    assert {d.report["reporter"]["party"] for d, _ in gifts} == {"Liberalerna"}
    assert len({d.report["reporter"]["org_number"] for d, _ in gifts}) == 4
    assert {d.report["reporter"]["role"] for d, _ in gifts} == {"parti", "sidoorganisation"}
    assert sorted(c["amount"] for _, c in gifts) == [25_000.0, 27_500.0, 30_000.0, 45_000.0]
    names = {c["donor"] for _, c in gifts}
    assert names == {"Bergström Exempelfastigheter AB", "BERGSTRÖM EXEMPELFASTIGHETER AKTIEBOLAG",
                     "Bergströms Exempelfastigheter", "Exempelfastigheter AB, Bergström"}
    printed = [c["donor_id"] for _, c in gifts if c["donor_id"]]
    assert len(printed) == 3 and len(set(printed)) == 3  # three spellings of one number, one gift without
    assert len({parse_identifier(p).value for p in printed}) == 1
    assert all(c["amount"] > law.threshold(2022, "identity") for _, c in gifts)  # itemised, so visible


def test_anonymous_gifts_just_under_and_over_the_limit():
    near = sorted(c["amount"] for c in _items(BY_STEM["2024_vansterpartiet-exempelstad"], "5.2"))
    limit = law.threshold(2024, "anonymous")
    assert near[-4:] == [2_750.0, 2_770.0, 2_830.0, 2_850.0] and all(a < limit for a in near)
    over = max(c["amount"] for c in _items(BY_STEM["2022_miljopartiet-fiktiva"], "5.2"))
    assert over == 3_600.0 > law.threshold(2022, "anonymous")
    ordinary = [c["amount"] / law.threshold(d.report["year"], "anonymous") for d in REPORTS
                for c in _items(d, "5.2") if d.stem not in ("2024_vansterpartiet-exempelstad",
                                                            "2022_miljopartiet-fiktiva")]
    assert ordinary and max(ordinary) <= 0.65


def test_late_report_foundation_invalid_number_and_missing_identity_values():
    late = BY_STEM["2023_socialdemokraterna-latsasvik"].report
    assert late["submitted"] == "2024-08-15" and "date_words" in BY_STEM["2023_socialdemokraterna-latsasvik"].quirks
    gift = _items(BY_STEM["2023_sverigedemokraterna-testeby"], "5.7")[0]
    assert gift["donor"] == "Stiftelsen Påhittad Framtid" and gift["donor_id"].startswith("8")
    bad = _items(BY_STEM["2022_moderaterna-testeby"], "5.7")[0]
    assert bad["donor"] == "Låtsas Konsult AB" and not parse_identifier(bad["donor_id"]).is_valid
    anonymous_donor = _items(BY_STEM["2022_kristdemokraterna-region-pahittland"], "5.4")[0]
    assert (anonymous_donor["donor"], anonymous_donor["donor_id"], anonymous_donor["address"],
            anonymous_donor["amount"]) == ("Harald Påhittsson", None, None, 35_000.0)


def test_shared_address_related_entity_jump_concentration_and_lottery_values():
    family = _items(BY_STEM["2022_socialdemokraterna-latsasvik"], "5.4")
    assert [c["donor"] for c in family] == ["Anna Låtsasson", "Bertil Låtsasson"]
    assert family[0]["address"] == family[1]["address"] and family[0]["donor_id"] != family[1]["donor_id"]
    group8 = [ln for ln in BY_STEM["2022_centerpartiet-riks"].report["lines"] if ln["group"] == 8]
    assert [ln["code"] for ln in group8] == ["8.1", "8.7"] and all(ln["amount"] > 0 for ln in group8)
    before, after = _non_public(BY_STEM["2020_moderaterna-testeby"]), _non_public(BY_STEM["2021_moderaterna-testeby"])
    assert after >= 5 * before and after - before >= law.pbb(2021)
    muf = BY_STEM["2023_muf-pahittkoping"]
    gift = _items(muf, "5.7")[0]
    assert gift["donor"] == "Påhittad Bygg och Fastighet i Testeby AB"
    assert gift["amount"] / _non_public(muf) >= 0.5
    lottery = {d.report["year"]: sum(ln["amount"] for ln in d.report["lines"] if ln["code"] == "3.2")
               for d in REPORTS if d.org_key == "liberalerna-exempelstad"}
    assert lottery == {2019: 14_000.0, 2020: 12_500.0, 2021: 15_000.0, 2022: 68_000.0, 2023: 13_500.0,
                       2024: 16_000.0}


def test_open_data_covers_one_agreeing_and_one_disagreeing_eservice_year():
    covered = [d for d in REPORTS if d.in_opendata]
    assert [(d.stem, d.opendata_change) for d in covered] == [
        ("2021_liberalerna-exempelstad", None), ("2022_moderaterna-testeby", (2, 5_000.0))]
    assert all(d.layout in ESERVICE_LAYOUTS and 2019 <= d.report["year"] <= 2024 for d in covered)
