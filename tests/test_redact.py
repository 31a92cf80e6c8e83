"""Redaction of the report pages copied beside the register (redact.py), checked on every demo report."""

import json

import pytest

from partifinans import config
from partifinans.extract.pdftext import read_document
from partifinans.identifiers import parse_identifier
from partifinans.redact import private_boxes

DEMO = config.project_root() / "data" / "raw" / "demo"
GOLDEN = config.project_root() / "tests" / "golden"


def _private(c: dict) -> bool:
    ident = parse_identifier(c["donor_id"]) if c.get("donor_id") else None
    return ident is not None and ident.kind == "pnr"


def _inside(cell, boxes) -> bool:
    return any(b.x0 <= cell.x0 and cell.x1 <= b.x1 and b.top <= cell.top and cell.bottom <= b.bottom for b in boxes)


def _cells_naming(lines, text: str):
    return [c for ln in lines for c in ln.cells if text and text.casefold() in " ".join(c.text.split()).casefold()]


PAGES = sorted({(p.stem, c["page"]) for p in GOLDEN.glob("*.json")
                for c in json.loads(p.read_text(encoding="utf-8"))["contributions"] if _private(c)})


@pytest.mark.skipif(not DEMO.exists(), reason="demo corpus not generated")
@pytest.mark.parametrize("stem,page", PAGES, ids=[f"{s}-p{p}" for s, p in PAGES])
def test_every_private_donor_on_a_demo_page_is_painted_over_and_the_rest_stays(stem, page):
    golden = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    on_page = [c for c in golden["contributions"] if c["page"] == page]
    lines = read_document(DEMO / f"{stem}.pdf").pages[page - 1].lines
    boxes = private_boxes(lines, {c["donor"] for c in on_page if _private(c)})
    for c in on_page:
        street = (c.get("address") or "").split(",")[0]
        named = _cells_naming(lines, c["donor"]) + _cells_naming(lines, c["donor_id"]) + _cells_naming(lines, street)
        if _private(c):
            assert named and all(_inside(cell, boxes) for cell in named), (c["donor"], [x.text for x in named])
        else:  # an organisation stays readable
            assert not any(_inside(cell, boxes) for cell in _cells_naming(lines, c["donor"])), c["donor"]
    for ln in lines:  # amounts and dates stay readable, and so does every line that is not a donor's
        for cell in ln.cells:
            if cell.text.strip() in {f"{c['date']}" for c in on_page}:
                assert not _inside(cell, boxes), cell.text


def test_there_are_demo_pages_with_private_donors_in_every_layout_that_has_them():
    assert len(PAGES) >= 10
