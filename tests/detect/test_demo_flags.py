"""The demo corpus end to end: ingest data/raw/demo, every planted case is found by the flag its
README names, with the planted names and amounts, and nothing else is flagged."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from partifinans import config, pipeline, store
from partifinans.detect.base import records
from partifinans.report import write_report

DEMO = config.project_root() / "data" / "raw" / "demo"
pytestmark = pytest.mark.skipif(not (DEMO / "README.md").exists(), reason="demo corpus not generated")


def planted_cases() -> list[tuple[str, list[str], str]]:
    """(flag, file stems, case) from the 'Planted cases' table of data/raw/demo/README.md."""
    text = (DEMO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Planted cases", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = re.match(r"\|\s*`(\w+)`\s*\|([^|]+)\|(.+)\|\s*$", line)
        if m:
            rows.append((m.group(1), [s.strip() for s in m.group(2).split(",")], m.group(3).strip()))
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "processed"
    pipeline.ingest(DEMO, out, jobs=2, progress=False)
    flags = records(store.read_table(out, "flags"))
    for f in flags:
        for key in ("organisations", "donors", "evidence"):
            f[key] = json.loads(f[key])
    return out, flags


def _stems(flag) -> set[str]:
    return {Path(e["source_path"]).stem for e in flag["evidence"]}


def _match(flags, pattern, stems):
    return [f for f in flags if f["pattern"] == pattern and _stems(f) & set(stems)]


def test_readme_lists_a_planted_case_for_every_pattern():
    from partifinans.detect import DETECTORS

    assert {flag for flag, _, _ in planted_cases()} == set(DETECTORS)


def test_every_planted_case_is_found_and_nothing_else(demo):
    _, flags = demo
    cases = planted_cases()
    assert len(cases) == 15
    found = []
    for pattern, stems, case in cases:
        matches = _match(flags, pattern, stems)
        assert len(matches) == 1, (pattern, stems, case, [f["explanation"] for f in flags if f["pattern"] == pattern])
        found.append(matches[0]["explanation"])
    assert len(set(found)) == len(cases)
    assert len(flags) == len(cases), [f["explanation"] for f in flags if f["explanation"] not in found]


# pattern, file stem, organisation(s), year, amount, estimated fee, donor names (subset), text in explanation
PLANTED = [
    pytest.param("anonymous_near_limit", "2024_vansterpartiet-exempelstad", ["Vänsterpartiet Exempelstad"], 2024,
                 2750 + 2770 + 2830 + 2850, None, [], "4 anonymous contributions", id="anonymous_near_limit"),
    pytest.param("anonymous_over_limit", "2022_miljopartiet-fiktiva", ["Miljöpartiet de gröna i Fiktiva"], 2022,
                 3600, 2 * (3600 - 2415), [], "2 415 kr", id="anonymous_over_limit"),
    pytest.param("donor_concentration", "2023_muf-pahittkoping", ["Moderata ungdomsförbundet Påhittköping"], 2023,
                 41000, None, ["Påhittad Bygg och Fastighet i Testeby AB"], "57%", id="donor_concentration"),
    pytest.param("intermediary_donor", "2022_socialdemokraterna-latsasvik", ["Socialdemokraterna Låtsasvik"], 2022,
                 60000, None, ["Anna Låtsasson", "Bertil Låtsasson"], "2 donors registered at one address",
                 id="intermediary_donor-shared-address"),
    pytest.param("intermediary_donor", "2023_sverigedemokraterna-testeby", ["Sverigedemokraterna Testeby"], 2023,
                 None, None, ["Stiftelsen Påhittad Framtid"], "838586-0013", id="intermediary_donor-foundation"),
    pytest.param("invalid_identifier", "2022_moderaterna-testeby", ["Moderaterna i Testeby"], 2022,
                 None, None, ["Låtsas Konsult AB"], "529901-9119", id="invalid_identifier"),
    pytest.param("late_report", "2023_socialdemokraterna-latsasvik", ["Socialdemokraterna Låtsasvik"], 2023,
                 None, 2500, [], "2024-08-15", id="late_report"),
    pytest.param("lottery_surge", "2022_liberalerna-exempelstad", ["Liberalerna Exempelstad"], 2022,
                 68000, None, [], "election year", id="lottery_surge"),
    pytest.param("missing_donor_identity", "2022_kristdemokraterna-region-pahittland", ["Kristdemokraterna Region Påhittland"],
                 2022, 35000, 5000, ["Harald Påhittsson"], "without an organisationsnummer", id="missing_donor_identity"),
    pytest.param("missing_report", "2019_centerpartiet-pahittkoping", ["Centerpartiet i Påhittköping"], 2020,
                 None, None, [], "reported for 2019 and 2021", id="missing_report"),
    pytest.param("related_entity_income", "2022_centerpartiet-riks", ["Centerpartiet Riksorganisation Demo"], 2022,
                 7700 + 81500, None, ["Skenbarbageriet AB"], "group 8", id="related_entity_income"),
    pytest.param("source_disagreement", "2022_moderaterna-testeby", ["Moderaterna i Testeby"], 2022,
                 5000, None, [], "group 2", id="source_disagreement"),
    pytest.param("split_across_entities", "2022_luf-exempelstad",
                 ["Liberala ungdomsförbundet Exempelstad", "Liberalerna Exempelstad", "Liberalerna Region Exempelland",
                  "Liberalerna i Påhittköping"], 2022, 30000 + 45000 + 25000 + 27500, None,
                 ["Bergström Exempelfastigheter AB"], "4 different organisations of Liberalerna", id="split_across_entities"),
    pytest.param("total_mismatch", "2021_kristdemokraterna-region-pahittland", ["Kristdemokraterna Region Påhittland"], 2021,
                 10000, 5000, [], "1 790 530 kr", id="total_mismatch"),
    pytest.param("year_over_year_jump", "2021_moderaterna-testeby", ["Moderaterna i Testeby"], 2021,
                 214500, None, [], "from 12 700 kr in 2020 to 214 500 kr in 2021", id="year_over_year_jump"),
]


@pytest.mark.parametrize(("pattern", "stem", "orgs", "year", "amount", "fee", "donors", "text"), PLANTED)
def test_planted_case_values(demo, pattern, stem, orgs, year, amount, fee, donors, text):
    _, flags = demo
    (flag,) = _match(flags, pattern, [stem])
    assert [o["name"] for o in flag["organisations"]] == orgs
    assert flag["year"] == year
    if amount is not None:
        assert flag["amount"] == pytest.approx(amount)
    assert flag["estimated_fee"] == fee
    assert set(donors) <= {d["name"] for d in flag["donors"]}
    assert text in flag["explanation"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.links = 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-pattern" in a:
            self.rows += 1
        if tag == "a":
            self.links.append(a["href"])


def test_demo_register_links_resolve(demo, tmp_path):
    processed, flags = demo
    out = write_report(processed, tmp_path / "register.html")
    page = _Links()
    page.feed(out.read_text(encoding="utf-8"))
    assert page.rows == len(flags) == 15
    from urllib.parse import unquote

    targets = {unquote(h.split("#")[0]) for h in page.links}
    assert targets and all((out.parent / t).resolve().exists() for t in targets)
    assert any(t.endswith("2022_miljopartiet-fiktiva.pdf") for t in targets)
    assert "Harald Påhittsson" not in out.read_text(encoding="utf-8")  # private donor pseudonymised
