"""``partifinans parse``: the JSON document on stdout; bad input as one line on stderr, exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from partifinans import config
from partifinans.errors import BadInput
from partifinans.extract import parse_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KEYS = {"schema", "source", "kind", "year", "period", "submitted", "reporter", "lines", "contributions", "total",
        "warnings", "confidence", "checks"}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "partifinans.cli", *args], capture_output=True, text=True,
                          timeout=120)


def test_parse_prints_the_report_document():
    path = FIXTURES / "wrapped_donor_name.pdf"
    res = run_cli("parse", str(path))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert set(doc) == KEYS
    assert doc["schema"] == "partifinans.report/1"
    assert doc["source"]["path"] == str(path) and doc["source"]["pages"] == 1
    assert len(doc["source"]["sha256"]) == 64
    assert set(doc["reporter"]) == {"name", "org_number", "party", "role", "level", "area"}
    assert set(doc["lines"][0]) == {"group", "code", "label", "amount", "page"}
    assert set(doc["contributions"][0]) == {"group", "code", "donor", "donor_id", "address", "form", "date",
                                            "amount", "page"}
    # the user's own file: identity numbers are printed as the document has them (normalised)
    anna = next(c for c in doc["contributions"] if c["donor"] == "Anna Maria Exempelsson Testberg")
    assert anna["donor_id"] == "18920304-5670"


def _make(tmp_path: Path, name: str) -> Path:
    """Build one kind of bad input in tmp_path."""
    p = tmp_path / f"{name}.pdf"
    good = (FIXTURES / "labels_above_values.pdf").read_bytes()
    if name == "empty":
        p.write_bytes(b"")
    elif name == "truncated":
        p.write_bytes(good[: len(good) // 2])
    elif name == "not_a_pdf":
        p.write_text("Räkenskapsår 2022\nthis is a text file\n", encoding="utf-8")
    elif name == "broken_structure":
        p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Nothing >>\nendobj\ntrailer << >>\n%%EOF\n")
    elif name == "encrypted":
        c = canvas.Canvas(str(p), encrypt="secret-password")
        c.drawString(72, 720, "Intäktsredovisning")
        c.showPage()
        c.save()
    elif name == "no_text_layer":
        c = canvas.Canvas(str(p))
        c.rect(100, 100, 300, 400, fill=1)
        c.showPage()
        c.save()
    elif name == "unrelated":
        c = canvas.Canvas(str(p))
        c.drawString(72, 720, "Faktura 2022-117")
        c.drawString(72, 700, "Att betala: 1 000 kr")
        c.showPage()
        c.save()
    elif name == "blank_pages":
        c = canvas.Canvas(str(p))
        for _ in range(300):
            c.showPage()
        c.save()
    elif name == "too_many_pages":
        c = canvas.Canvas(str(p))
        for _ in range(config.MAX_PAGES + 1):
            c.showPage()
        c.save()
    elif name == "missing":
        pass
    return p


BAD = [
    pytest.param("empty", "empty file", id="empty"),
    pytest.param("truncated", "truncated", id="truncated"),
    pytest.param("not_a_pdf", "not a PDF", id="not-a-pdf"),
    pytest.param("broken_structure", "not a readable PDF", id="broken-structure"),
    pytest.param("encrypted", "encrypted", id="encrypted"),
    pytest.param("no_text_layer", "no text layer", id="no-text-layer"),
    pytest.param("unrelated", "not a party finance report", id="unrelated-document"),
    pytest.param("blank_pages", "no text layer (300 page(s)", id="hundreds-of-blank-pages"),
    pytest.param("too_many_pages", f"too many pages ({config.MAX_PAGES + 1}", id="too-many-pages"),
    pytest.param("missing", "no such file", id="missing"),
]


@pytest.mark.parametrize("name, reason", BAD)
def test_bad_input_is_one_line_and_exit_2(tmp_path, name, reason):
    path = _make(tmp_path, name)
    res = run_cli("parse", str(path))
    assert res.returncode == 2
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"{path}: ")
    assert reason in lines[0]
    assert "Traceback" not in res.stderr


def test_time_bound_stops_a_slow_file():
    with pytest.raises(BadInput) as exc:
        parse_pdf(FIXTURES / "table_across_pages.pdf", timeout=0.001)
    assert "took longer than 0.001 s" in str(exc.value)


def test_file_size_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_FILE_BYTES", 1000)
    with pytest.raises(BadInput, match="file too large"):
        parse_pdf(FIXTURES / "anmalan.pdf")


def test_family_comes_from_content_not_file_name(tmp_path):
    renamed = tmp_path / "anmalan.pdf"
    renamed.write_bytes((FIXTURES / "form2014.pdf").read_bytes())
    assert parse_pdf(renamed)["source"]["layout"] == "form2014"


def test_data_appended_after_the_end_marker_is_not_truncation(tmp_path):
    """Some writers append bytes after %%EOF; the report is still read, not refused as truncated."""
    original = FIXTURES / "total_mismatch.pdf"
    padded = tmp_path / "appended.pdf"
    padded.write_bytes(original.read_bytes() + b"\n" + bytes(range(256)) * 20)
    expected, got = parse_pdf(original), parse_pdf(padded)
    assert [(x["code"], x["amount"]) for x in got["lines"]] == [(x["code"], x["amount"]) for x in expected["lines"]]
    assert got["total"] == expected["total"]


def test_a_file_cut_before_any_end_marker_is_truncated(tmp_path):
    data = (FIXTURES / "total_mismatch.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: data.index(b"%%EOF") - 200])
    with pytest.raises(BadInput, match="truncated PDF"):
        parse_pdf(cut)
