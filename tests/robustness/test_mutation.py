"""Mutated demo PDFs through ``partifinans parse``: a report or the one-line refusal, never a
traceback or a hang (issue #7). A few dozen cases here; ``make bench`` runs a few hundred.

Most cases run ``partifinans.cli.main`` in a forked process (no new interpreter, so they are cheap)
with a hard time bound; a few run the installed ``partifinans`` command exactly as a user would.
"""

from __future__ import annotations

import random

import pytest

from partifinans import config
from partifinans.demo.corpus import demo_reports
from partifinans.demo.render import LAYOUTS, render_pdf
from robustness import pdf_mutations as pm

N_CASES = 24
HARD_BOUND = config.MAX_SECONDS_PER_FILE + 30  # the parser's own bound, plus interpreter start


@pytest.fixture(scope="module")
def demo_pdfs(tmp_path_factory) -> list:
    """One demo report per layout, rendered with its quirks."""
    dest = tmp_path_factory.mktemp("demo")
    chosen = {}
    for d in demo_reports():
        chosen.setdefault(d.layout, d)
    assert set(chosen) == set(LAYOUTS)
    paths = []
    for layout in LAYOUTS:
        d = chosen[layout]
        path = dest / f"{d.stem}.pdf"
        render_pdf(d.report, path, d.layout, d.quirks)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def cases(demo_pdfs, tmp_path_factory) -> list:
    return pm.write_cases(demo_pdfs, N_CASES, tmp_path_factory.mktemp("mutated"), seed=1)


def test_unmutated_demo_pdfs_give_reports(demo_pdfs):
    """The harness sees a report where there is one (so 'report' below means something)."""
    for path in demo_pdfs:
        outcome = pm.run_forked(pm.Case(path, path.name, "none", 0), HARD_BOUND)
        assert outcome.status == "report", (path.name, outcome.detail)


@pytest.mark.parametrize("i", range(N_CASES), ids=[f"{i:02d}-{pm.MUTATIONS[i % len(pm.MUTATIONS)]}" for i in range(N_CASES)])
def test_mutated_pdf_gives_report_or_refusal(cases, i):
    outcome = pm.run_forked(cases[i], HARD_BOUND)
    assert outcome.ok, f"{cases[i].path.name} (seed {cases[i].seed}): {outcome.status}: {outcome.detail}"
    assert outcome.seconds < config.MAX_SECONDS_PER_FILE + 5


@pytest.mark.parametrize("kind", ["flip_bytes", "delete_object", "truncate_keep_eof"])
def test_mutated_pdf_through_the_installed_command(demo_pdfs, tmp_path, kind):
    src = demo_pdfs[0]
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(pm.mutate(src.read_bytes(), kind, random.Random(11)))
    outcome = pm.run_subprocess(pm.Case(path, src.name, kind, 11), HARD_BOUND)
    assert outcome.ok, f"{path.name}: {outcome.status}: {outcome.detail}"


@pytest.mark.parametrize(
    "code, stdout, stderr, status",
    [
        pytest.param(0, '{"schema": "partifinans.report/1", "lines": []}', "", "report", id="report"),
        pytest.param(2, "", "{path}: truncated PDF (no end-of-file marker)\n", "refusal", id="refusal"),
        pytest.param(2, "", "Could not get FontBBox\n{path}: no text layer\n", "crash", id="stray-log-line"),
        pytest.param(2, "", "other.pdf: no text layer\n", "crash", id="refusal-names-another-file"),
        pytest.param(1, "", "partifinans: PdfminerException: bad\n", "crash", id="unexpected-exception"),
        pytest.param(0, "{not json", "", "crash", id="not-json"),
        pytest.param(0, '{"lines": []}', "", "crash", id="no-schema-key"),
        pytest.param(2, "", "Traceback (most recent call last):\n  ...\n", "crash", id="traceback"),
        pytest.param(None, "", "", "hang", id="killed"),
    ],
)
def test_classify(tmp_path, code, stdout, stderr, status):
    path = tmp_path / "x.pdf"
    assert pm.classify(path, code, stdout, stderr.replace("{path}", str(path)))[0] == status


def test_mutations_are_deterministic_and_change_the_bytes(demo_pdfs):
    data = demo_pdfs[1].read_bytes()
    for kind in pm.MUTATIONS:
        a = pm.mutate(data, kind, random.Random(5))
        assert a == pm.mutate(data, kind, random.Random(5)), kind
        assert a != data, kind
    deleted = pm.mutate(data, "delete_object", random.Random(5))
    assert deleted.count(b"endobj") == data.count(b"endobj") - 1


# --- what the mutation runs found: content that vanishes must not pass silently --------------------


@pytest.fixture(scope="module")
def two_page_report(tmp_path_factory):
    """The first demo report the renderer puts on two pages or more, and its parse."""
    from partifinans.demo.render import draw_report
    from partifinans.extract import parse_pdf

    dest = tmp_path_factory.mktemp("two_pages")
    for d in demo_reports():
        path = dest / f"{d.stem}.pdf"
        if d.layout != "anmalan" and draw_report(d.report, path, d.layout, d.quirks).pages >= 2:
            return path, parse_pdf(path)
    pytest.fail("no demo report of two pages")


def test_deleting_any_object_gives_refusal_same_report_or_a_warning(two_page_report):
    """Every single ``obj ... endobj`` removed in turn: a refusal, the very same report, or a report
    that differs and says so with at least one warning more; never a silently different report.
    (Before: deleting the last page's content stream lost the printed total without a word.)"""
    from partifinans.errors import BadInput
    from partifinans.extract import parse_pdf

    path, original = two_page_report
    data = path.read_bytes()
    spans = [m.span() for m in pm._OBJ.finditer(data)]
    assert len(spans) >= 10
    content = {k: v for k, v in original.items() if k != "source"}
    silent = []
    for i, (start, end) in enumerate(spans):
        mutated = path.with_name(f"without_object_{i}.pdf")
        mutated.write_bytes(data[:start] + data[end:])
        try:
            report = parse_pdf(mutated)
        except BadInput:
            continue
        if {k: v for k, v in report.items() if k != "source"} != content and \
                len(report["warnings"]) <= len(original["warnings"]):
            silent.append(i)
    assert silent == []


def test_report_without_printed_total_warns(tmp_path):
    from partifinans.extract import parse_pdf

    d = next(d for d in demo_reports() if d.layout == "eservice_table")
    report = dict(d.report, total=None)
    path = tmp_path / "no_total.pdf"
    render_pdf(report, path, d.layout, d.quirks)
    assert "no printed total found" in parse_pdf(path)["warnings"]


def test_blank_page_in_a_report_warns(two_page_report, tmp_path):
    import pypdfium2 as pdfium

    from partifinans.extract import parse_pdf

    path, original = two_page_report
    pdf = pdfium.PdfDocument(str(path))
    n = len(pdf)
    pdf.new_page(595, 842)
    out = tmp_path / "blank_last_page.pdf"
    pdf.save(str(out))
    pdf.close()
    warnings = parse_pdf(out)["warnings"]
    assert f"page {n + 1}: page has no text (content missing, or a scanned page)" in warnings
