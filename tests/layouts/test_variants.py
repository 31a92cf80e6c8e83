"""The reader on layouts drawn by the layout-variation generator (tests/layouts/generator.py).

Every variant must be read with every field right. The generator's own honesty is tested too:
the same seed gives the same document, the truth adds up, every identity number is valid and
fictional, and every value of the truth is printed on a page where a reader can see it, with no
text drawn over other text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pypdfium2 as pdfium
import pytest
from stdnum.se import orgnr, personnummer

from layouts import generator
from layouts.score import score_pdf

SEEDS = range(1, 51)  # the property test's draws; other seeds measure layouts the test has not seen
SELF_CHECK_SEEDS = range(1, 101)


def _spaces(s: str) -> str:
    return re.sub(r"[\s\u00a0\u2009\u202f]+", " ", s).strip()


def _overlapping_characters(pdf: bytes) -> list[tuple[int, str, str]]:
    """Printed characters whose boxes overlap (text drawn over text, which nobody could read)."""
    doc = pdfium.PdfDocument(pdf)
    found = []
    try:
        for pno, page in enumerate(doc):
            tp = page.get_textpage()
            boxes = [(tp.get_charbox(i), tp.get_text_range(i, 1)) for i in range(tp.count_chars())]
            boxes = [(box, ch) for box, ch in boxes if ch.strip()]
            grid = defaultdict(list)
            for k, ((x0, y0, _, _), _) in enumerate(boxes):
                grid[int(x0 // 20), int(y0 // 20)].append(k)
            for k, ((x0, y0, x1, y1), ch) in enumerate(boxes):
                near = (j for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                        for j in grid[int(x0 // 20) + dx, int(y0 // 20) + dy] if j > k)
                for j in near:
                    (a0, b0, a1, b1), other = boxes[j]
                    w, h = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
                    if w > 0.3 * min(x1 - x0, a1 - a0) and h > 0.3 * min(y1 - y0, b1 - b0):
                        found.append((pno + 1, ch, other))
    finally:
        doc.close()
    return found


def _page_texts(pdf: bytes):
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for page in doc:
            tp = page.get_textpage()
            w, h = page.get_size()  # as shown; the character boxes are in the unrotated page
            if page.get_rotation() in (90, 270):
                w, h = h, w
            boxes_inside = all(
                -1 <= x0 and x1 <= w + 1 and -1 <= y0 and y1 <= h + 1
                for x0, y0, x1, y1 in (tp.get_charbox(i) for i in range(tp.count_chars()))
            )
            out.append((_spaces(tp.get_text_range()), boxes_inside))
        return out
    finally:
        doc.close()


def test_a_seed_gives_the_same_document():
    for seed in (3, 17):
        pdf1, truth1 = generator.generate(seed)
        pdf2, truth2 = generator.generate(seed)
        assert pdf1 == pdf2
        assert truth1 == truth2
    assert generator.generate(3)[0] != generator.generate(4)[0]


@pytest.mark.parametrize("seed", SELF_CHECK_SEEDS)
def test_the_truth_adds_up_and_is_printed(seed):
    v, pdf, truth = generator.generate_variant(seed)
    r = v.report
    if truth["kind"] == "intaktsredovisning":
        assert truth["total"] == pytest.approx(sum(truth["groups"].values()), abs=0.005)
        if r.law == "2018":  # an itemised type's line is the sum of its items
            for code, amount in r.lines:
                items = [i.amount for i in r.items if i.code == code]
                if code in generator.ITEMISED:
                    assert items and sum(items) == amount, code
    else:
        assert truth["contributions"] == [] and truth["groups"] == {} and truth["total"] is None
    ids = [truth["org_number"]] + [c["donor_id"] for c in truth["contributions"]]
    for number in filter(None, ids):
        if number.startswith("18"):
            assert personnummer.is_valid(number) and 1890 <= int(number[:4]) <= 1899, number
        else:
            assert orgnr.is_valid(number), number
    pages = _page_texts(pdf)
    assert all(inside for _, inside in pages), "text drawn outside the page"
    if v.axes["scan"] == "no":  # (a scan's text layer is invisible; its image is the drawn page)
        assert not _overlapping_characters(pdf)[:5], "text drawn over text"
    text = " ".join(t for t, _ in pages)
    if v.axes["scan"] == "yes":  # an OCR layer cuts long words in two: compare without the spaces
        text = text + " " + text.replace(" ", "")
    assert _spaces(truth["reporter_name"]) in text
    assert str(truth["year"]) in text
    if truth["org_number"]:
        assert truth["org_number"].replace("-", "") in re.sub(r"\D", "", text)
    if truth["submitted"]:
        assert generator.fmt_date(dt.date.fromisoformat(truth["submitted"]), v.axes["date_fmt"]) in text
    if truth["total"] is not None:
        assert _spaces(generator.fmt_amount(round(truth["total"] * 100), v.axes["amount_fmt"])) in text
    for c in truth["contributions"]:
        if c["donor"]:  # a wrapped name is printed word by word
            assert all(word in text for word in c["donor"].split()), c["donor"]
        amount = round(c["amount"] * 100)
        assert _spaces(generator.fmt_amount(amount, v.axes["amount_fmt"])) in text, c
        if c["date"]:
            assert generator.fmt_date(dt.date.fromisoformat(c["date"]), v.axes["date_fmt"]) in text, c


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("variants")
    results = []
    for seed in SEEDS:
        v, pdf, truth = generator.generate_variant(seed)
        results.append((v, score_pdf(v.file_name, pdf, truth, tmp)))
    return results


def test_every_variant_is_read_with_every_field_right(scored):
    wrong = [(v, f) for v, f in scored if f.miss or f.error]
    report = "\n".join(f"{f.line()}\n    axes: {v.axes}" for v, f in wrong)
    assert not wrong, f"{len(wrong)} of {len(scored)} variants read wrong:\n{report}"


def test_no_silent_wrong_value(scored):
    silent = [(v, f) for v, f in scored if f.silent_wrong]
    report = "\n".join(f"{f.line()}\n    axes: {v.axes}" for v, f in silent)
    assert not silent, f"wrong fields without a warning or low confidence:\n{report}"
