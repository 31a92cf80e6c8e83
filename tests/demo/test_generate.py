"""The committed demo corpus equals a fresh generation, and its goldens describe the committed PDFs."""

from __future__ import annotations

import hashlib
import json

import pdfplumber
import pytest

from partifinans import config
from partifinans.demo.corpus import demo_reports
from partifinans.demo.generate import generate_to_memory, main, normalise_donor_id

DEMO = config.project_root() / "data" / "raw" / "demo"
GOLDEN = config.project_root() / "tests" / "golden"
STEMS = sorted(d.stem for d in demo_reports())


@pytest.fixture(scope="module")
def fresh() -> dict[str, bytes]:
    return generate_to_memory()


def test_committed_pdfs_readme_and_goldens_equal_a_fresh_generation(fresh):
    assert sorted(p.stem for p in DEMO.glob("*.pdf")) == STEMS
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == STEMS
    drift = [name for name, data in fresh.items()
             if (DEMO / name.removeprefix("pdf/") if not name.startswith("golden/")
                 else GOLDEN / name.removeprefix("golden/")).read_bytes() != data]
    assert drift == [], "run `make demo` and commit: these files differ from the generator"


def test_demo_files_are_small(fresh):
    sizes = [len(data) for name, data in fresh.items() if name.endswith(".pdf")]
    assert len(sizes) == len(STEMS) and max(sizes) < 8_000


@pytest.mark.parametrize("stem", STEMS)
def test_golden_matches_its_pdf_and_the_page_of_every_entry(stem):
    golden = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    pdf_path = DEMO / f"{stem}.pdf"
    assert golden["schema"] == "partifinans.report/1"
    assert golden["source"]["path"] == f"data/raw/demo/{stem}.pdf"
    assert golden["source"]["sha256"] == hashlib.sha256(pdf_path.read_bytes()).hexdigest()
    with pdfplumber.open(pdf_path) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert golden["source"]["pages"] == len(pages)
    for line in golden["lines"]:
        label_start = line["label"].split()[0]
        where = [i + 1 for i, text in enumerate(pages) if label_start in text]
        assert line["page"] in where, (stem, line["label"])
    for c in golden["contributions"]:
        probe = c["donor_id"] if c["donor_id"] and golden["source"]["layout"] != "form2014" else None
        probe = probe or (c["donor"].split()[0] if c["donor"] else None)
        if probe and probe.replace("-", "").isdigit():
            # printed ids may lack the hyphen or carry a century: look for the last four digits
            probe = probe[-4:]
        if probe:
            assert probe in pages[c["page"] - 1], (stem, c)
        assert 1 <= c["page"] <= len(pages)


def test_table_across_pages_goldens_have_entries_on_two_pages():
    for d in demo_reports():
        if "table_across_pages" in d.quirks:
            golden = json.loads((GOLDEN / f"{d.stem}.json").read_text(encoding="utf-8"))
            assert golden["source"]["pages"] >= 2
            assert len({c["page"] for c in golden["contributions"]}) >= 2


def test_golden_donor_ids_are_normalised_and_invalid_ones_kept():
    golden = json.loads((GOLDEN / "2022_liberalerna-region-exempelland.json").read_text(encoding="utf-8"))
    berg = [c for c in golden["contributions"] if c["donor"] == "BERGSTRÖM EXEMPELFASTIGHETER AKTIEBOLAG"][0]
    printed = next(c["donor_id"] for d in demo_reports() if d.stem == "2022_liberalerna-region-exempelland"
                   for c in d.report["contributions"] if c["donor"] == berg["donor"])
    assert "-" not in printed and berg["donor_id"] == f"{printed[:6]}-{printed[6:]}"
    golden = json.loads((GOLDEN / "2022_moderaterna-testeby.json").read_text(encoding="utf-8"))
    assert golden["contributions"][0]["donor"] == "Låtsas Konsult AB"
    assert golden["warnings"] == []


@pytest.mark.parametrize("printed,expected", [
    pytest.param("5566778899", "556677-8899", id="orgnr-digits"),
    pytest.param("16556677-8899", "556677-8899", id="orgnr-century"),
    pytest.param("189501011234", "18950101-1234", id="pnr-12-digits"),
    pytest.param("556677-8890", "556677-8890", id="invalid-kept"),
    pytest.param(None, None, id="none"),
])
def test_normalise_donor_id(printed, expected):
    assert normalise_donor_id(printed) == expected


def test_only_the_total_mismatch_golden_has_a_warning():
    warned = {p.stem: json.loads(p.read_text(encoding="utf-8"))["warnings"] for p in GOLDEN.glob("*.json")}
    assert {k: v for k, v in warned.items() if v} == {
        "2021_kristdemokraterna-region-pahittland": [
            "total mismatch: the lines sum to 1780530.00, the printed total is 1790530.00 (difference 10000.00)"]}


def test_command_line_writes_pdfs_and_readme(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "demo")]) == 0
    assert sorted(p.stem for p in (tmp_path / "demo").glob("*.pdf")) == STEMS
    readme = (tmp_path / "demo" / "README.md").read_text(encoding="utf-8")
    assert "| `split_across_entities` |" in readme and "fictional" in readme
    assert f"wrote {len(STEMS)} demo reports" in capsys.readouterr().err
