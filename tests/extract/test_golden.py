"""Every demo PDF parsed and compared field by field with its golden file (tests/golden/<stem>.json)."""

import json
from pathlib import Path

import pytest
from golden_compare import compare

from partifinans.extract import parse_pdf

ROOT = Path(__file__).resolve().parents[2]
GOLDENS = sorted((ROOT / "tests" / "golden").glob("*.json"))


def test_there_are_goldens_for_every_family():
    layouts = {json.loads(p.read_text(encoding="utf-8"))["source"]["layout"] for p in GOLDENS}
    assert {"eservice_table", "eservice_stacked", "eservice_landscape", "form2014", "anmalan"} <= layouts


@pytest.mark.parametrize("golden_path", GOLDENS, ids=[p.stem for p in GOLDENS])
def test_parse_matches_golden(golden_path):
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    parsed = parse_pdf(ROOT / "data" / "raw" / "demo" / f"{golden_path.stem}.pdf")
    wrong = [f"{k}: parsed {p!r}, golden {g!r}" for k, p, g in compare(parsed, golden) if p != g]
    assert wrong == []
    assert parsed["source"]["sha256"] == golden["source"]["sha256"]
