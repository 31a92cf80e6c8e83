"""The HTML flag register: one row per flag, filters, charts, local evidence links, no network."""

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "detect"))
from detect_tables import gift, line, orgnr, report, tables  # noqa: E402

from partifinans import cli, privacy, store  # noqa: E402
from partifinans.report import write_report  # noqa: E402

BORAS = orgnr("802000-001")
LUND = orgnr("802003-001")


class Page(HTMLParser):
    """Collects what the tests look at: rows of the flag table, selects, SVGs, links, sources."""

    def __init__(self):
        super().__init__()
        self.rows, self.selects, self.options, self.svgs, self.links, self.urls, self.scripts = [], {}, {}, [], [], [], 0
        self._in_tbody = False
        self._select = None
        self._in_link = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href", "action", "data"):
            if key in a:
                self.urls.append(a[key])
        if tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.rows.append(a)
        elif tag == "select":
            self._select = a["id"]
            self.selects[a["id"]] = a
            self.options[a["id"]] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a["value"])
        elif tag == "svg":
            self.svgs.append(a)
        elif tag == "a" and self._in_tbody:
            self._in_link = a["href"]
            self._text = []
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_tbody = False
        elif tag == "select":
            self._select = None
        elif tag == "a" and self._in_link is not None:
            self.links.append((self._in_link, "".join(self._text)))
            self._in_link = None

    def handle_data(self, data):
        if self._in_link is not None:
            self._text.append(data)


@pytest.fixture
def project(tmp_path):
    """A raw folder with two source PDFs and processed tables with three planted flags."""
    raw = tmp_path / "data" / "raw" / "demo"
    raw.mkdir(parents=True)
    for name in ("liberalerna-borås-2022.pdf", "centerpartiet-lund-2023.pdf"):
        (raw / name).write_bytes(b"%PDF-1.4 placeholder")
    tabs = tables(
        [
            report("Liberalerna Borås", 2022, BORAS, report_id="b22", submitted="2023-07-20"),
            report("Centerpartiet Lund", 2023, LUND, party="Centerpartiet", report_id="l23"),
        ],
        [line("b22", "5.2", 3000, page=2), line("b22", "1.4", 200000, page=1),
         line("l23", "5.4", 40000, page=3), line("l23", "3.1", 50000, page=2)],
        [
            gift("b22", 3000, None, kind="anonymous", code="5.2", page=2),
            gift("l23", 40000, "Anna Testsson", kind="person", code="5.4", page=3),
        ],
    )
    processed = tmp_path / "data" / "processed"
    store.write_tables(processed, tabs)
    return tmp_path, processed


def _parse(path: Path) -> tuple[str, Page]:
    text = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    return text, page


def test_one_row_per_flag_sorted_by_severity(project):
    root, processed = project
    out = write_report(processed, root / "data" / "reports" / "register.html")
    _, page = _parse(out)
    assert [(r["data-severity"], r["data-pattern"], r["data-year"], r["data-party"]) for r in page.rows] == [
        ("high", "missing_donor_identity", "2023", "Centerpartiet"),
        ("high", "anonymous_over_limit", "2022", "Liberalerna"),
        ("medium", "late_report", "2022", "Liberalerna"),
    ]


def test_filters_and_charts_present(project):
    root, processed = project
    _, page = _parse(write_report(processed, root / "register.html"))
    assert set(page.selects) == {"f-severity", "f-pattern", "f-year", "f-party"}
    assert page.options["f-severity"] == ["", "high", "medium"]
    assert page.options["f-pattern"] == ["", "anonymous_over_limit", "late_report", "missing_donor_identity"]
    assert page.options["f-year"] == ["", "2022", "2023"]
    assert page.options["f-party"] == ["", "Centerpartiet", "Liberalerna"]
    assert all(s["onchange"] == "applyFilters()" for s in page.selects.values())
    assert len(page.svgs) == 3 and page.scripts == 1


def test_evidence_links_are_relative_local_files_with_page(project):
    root, processed = project
    out = write_report(processed, root / "data" / "reports" / "register.html")
    text, page = _parse(out)
    assert ("../raw/demo/centerpartiet-lund-2023.pdf#page=3", "centerpartiet-lund-2023.pdf p. 3") in page.links
    assert ("../raw/demo/liberalerna-bor%C3%A5s-2022.pdf#page=2", "liberalerna-borås-2022.pdf p. 2") in page.links
    for href, _ in page.links:  # each link resolves to the file beside the register
        assert (out.parent / href.split("#")[0].replace("%C3%A5", "å")).exists(), href
    # the path and page are printed beside the link, so a register sent by e-mail still names them
    assert '<span class="path">' in text
    shown = str((root / "data" / "raw" / "demo" / "centerpartiet-lund-2023.pdf").resolve())
    assert f"{shown}, p. 3</span>" in text


def test_absolute_links_survive_the_register_being_moved(project):
    root, processed = project
    out = write_report(processed, root / "register.html", links="absolute")
    _, page = _parse(out)
    target = (root / "data" / "raw" / "demo" / "centerpartiet-lund-2023.pdf").resolve()
    assert (target.as_uri() + "#page=3", "centerpartiet-lund-2023.pdf p. 3") in page.links
    moved = root / "elsewhere" / "mail" / "register.html"
    moved.parent.mkdir(parents=True)
    out.replace(moved)
    for href, _ in _parse(moved)[1].links:  # still the same files
        assert href.startswith("file://") and Path(href[len("file://"):].split("#")[0].replace("%C3%A5", "å")).exists()


def _real_pdf(path: Path, pages: int, donor_page: int | None = None) -> None:
    """A PDF of ``pages`` pages; on ``donor_page`` a donor's row: name, personnummer, address, date, amount."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for n in range(1, pages + 1):
        c.drawString(72, 720, f"Sida {n}")
        if n == donor_page:
            for x, text in ((72, "Anna Testsson"), (180, "18900425-7706"), (270, "Provgatan 1, 123 45 Exempelstad"),
                            (470, "2023-05-02"), (545, "40 000")):
                c.drawString(x, 600, text)
        c.showPage()
    c.save()


def _ink(png: Path, x0: float, x1: float, top: float, bottom: float, dpi: int = 110) -> float:
    """The share of dark pixels in a box given in points (top from the page's top edge)."""
    import numpy as np
    from PIL import Image

    s = dpi / 72
    a = np.asarray(Image.open(png).convert("L"))[round(top * s):round(bottom * s), round(x0 * s):round(x1 * s)]
    return float((a < 100).mean())


def test_bundle_writes_each_cited_page_beside_the_register_with_private_donors_painted_over(project, capsys):
    root, processed = project
    for name, pages, donor_page in (("liberalerna-borås-2022.pdf", 2, None), ("centerpartiet-lund-2023.pdf", 3, 3)):
        _real_pdf(root / "data" / "raw" / "demo" / name, pages, donor_page)
    out = root / "send" / "register.html"
    assert cli.main(["report", str(processed), "--out", str(out), "--bundle"]) == 0
    bundle = root / "send" / "register-evidence"
    assert sorted(p.name for p in bundle.iterdir()) == [
        "centerpartiet-lund-2023-p3.png", "liberalerna-borås-2022-p1.png", "liberalerna-borås-2022-p2.png",
    ]
    page3 = bundle / "centerpartiet-lund-2023-p3.png"
    assert page3.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the row's baseline is 600 pt from the bottom of an A4 page (842 pt): name, number and address
    # are painted black; the date and the amount stay readable, as does the page's own text
    row_top, row_bottom = 842 - 600 - 7, 842 - 600 + 1
    assert _ink(page3, 74, 140, row_top, row_bottom) > 0.95  # Anna Testsson
    assert _ink(page3, 182, 250, row_top, row_bottom) > 0.95  # her personnummer
    assert _ink(page3, 272, 430, row_top, row_bottom) > 0.95  # her address
    assert _ink(page3, 472, 525, row_top, row_bottom) < 0.5  # the date
    assert _ink(page3, 547, 575, row_top, row_bottom) < 0.5  # the amount
    assert _ink(page3, 72, 110, 842 - 720 - 7, 842 - 720 + 1) < 0.5  # "Sida 3"
    text, page = _parse(out)
    assert ("register-evidence/centerpartiet-lund-2023-p3.png", "(copy)") in page.links
    assert "private donors’ names, personnummer and addresses are painted over" in text
    assert capsys.readouterr().err.strip() == (f"report: 3 flags -> {out}; 3 cited pages copied to {bundle} "
                                               f"with private donors painted over")
    # with --reveal-private the pages are copied as printed
    assert cli.main(["report", str(processed), "--out", str(out), "--bundle", "--reveal-private"]) == 0
    assert _ink(page3, 74, 140, row_top, row_bottom) < 0.5
    assert "painted over" not in _parse(out)[0]
    assert capsys.readouterr().err.strip() == f"report: 3 flags -> {out}; 3 cited pages copied to {bundle}"


def test_a_page_read_by_ocr_is_left_out_of_a_redacted_bundle(tmp_path):
    from partifinans.report import PrivateDonors, Written, write_bundle

    scan, digital = tmp_path / "scan.pdf", tmp_path / "digital.pdf"
    _real_pdf(scan, 2, 2)
    _real_pdf(digital, 2, 2)
    redact = PrivateDonors(names={}, ocr_files={scan})
    written, left_out = write_bundle([(scan, 2), (digital, 1), (digital, 2)], tmp_path / "b", redact=redact)
    assert sorted(written.values()) == ["digital-p1.png", "digital-p2.png"] and left_out == 1
    assert _ink(tmp_path / "b" / "digital-p2.png", 182, 250, 842 - 600 - 7, 842 - 600 + 1) > 0.95  # the number
    line = Written(tmp_path / "r.html", 3, tmp_path / "b", 2, left_out, redacted=True).line()
    assert line == (f"report: 3 flags -> {tmp_path / 'r.html'}; 2 cited pages copied to {tmp_path / 'b'} with private "
                    f"donors painted over; 1 read by OCR or without text left out (their donors cannot be found to "
                    f"paint over; --reveal-private copies them as they are)")


def test_no_external_requests(project):
    root, processed = project
    text, page = _parse(write_report(processed, root / "register.html"))
    external = [u for u in page.urls if u.startswith(("http:", "https:", "//"))]
    assert external == []
    assert "<link" not in text and "@import" not in text and "url(http" not in text
    assert all(u.startswith("#") or not u.split("#")[0].startswith(("http", "//")) for u in page.urls)


def test_private_donor_pseudonymised_unless_revealed(project):
    root, processed = project
    hidden = write_report(processed, root / "a.html").read_text(encoding="utf-8")
    assert "Testsson" not in hidden and privacy.private_label("anna testsson") in hidden
    shown = write_report(processed, root / "b.html", reveal_private=True).read_text(encoding="utf-8")
    assert "Anna Testsson" in shown


def test_numbers_shown(project):
    root, processed = project
    text, _ = _parse(write_report(processed, root / "register.html"))
    assert "40 000 kr" in text and "1 170 kr" in text and "2 500 kr" in text  # amount, anonymous fee, late fee


def test_cli_report_command_says_what_it_wrote(project, capsys):
    root, processed = project
    out = root / "cli.html"
    assert cli.main(["report", str(processed), "--out", str(out)]) == 0
    assert len(_parse(out)[1].rows) == 3
    assert capsys.readouterr().err == f"report: 3 flags -> {out}\n"


def test_unwritable_output_is_one_line_without_temporary_names(project, capsys):
    root, processed = project
    (root / "afile").write_text("x")
    assert cli.main(["report", str(processed), "--out", str(root / "afile" / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{root / 'afile' / 'r.html'}: cannot write the register (")
    assert ".tmp" not in err and ".partial" not in err and "Traceback" not in err


def test_empty_register_still_renders(tmp_path):
    processed = tmp_path / "processed"
    store.write_tables(processed, tables([report("Liberalerna Borås", 2022, BORAS)]))
    _, page = _parse(write_report(processed, tmp_path / "r.html"))
    assert page.rows == [] and len(page.svgs) == 3


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium on this machine")
def test_renders_in_headless_chromium(project):
    """The page renders offline and its filter script runs: the DOM after scripts has every row."""
    root, processed = project
    out = write_report(processed, root / "register.html")
    result = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", out.as_uri()],
        capture_output=True, text=True, timeout=60,
    )
    page = Page()
    page.feed(result.stdout)
    assert len(page.rows) == 3 and len(page.svgs) == 3
    assert 'id="shown">3<' in result.stdout
    assert all("display: none" not in r.get("style", "") for r in page.rows)


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium on this machine")
def test_filter_in_the_address_runs_in_headless_chromium(project):
    """``#party=Liberalerna&pattern=late_report`` hides every other row once the script has run."""
    root, processed = project
    out = write_report(processed, root / "register.html")
    result = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         out.as_uri() + "#party=Liberalerna&pattern=late_report"],
        capture_output=True, text=True, timeout=60,
    )
    page = Page()
    page.feed(result.stdout)
    shown = [r["data-pattern"] for r in page.rows if "display: none" not in r.get("style", "")]
    assert shown == ["late_report"] and len(page.rows) == 3
    assert 'id="shown">1<' in result.stdout


def test_cli_report_reveal_private(project):
    root, processed = project
    out = root / "named.html"
    assert cli.main(["report", str(processed), "--out", str(out), "--reveal-private"]) == 0
    assert "Anna Testsson" in out.read_text(encoding="utf-8")


def test_missing_processed_directory_is_one_line(tmp_path, capsys):
    assert cli.main(["report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nowhere: no such directory" in err
    assert not (tmp_path / "r.html").exists()


MEASURE = """<script>
(function(){
  var out=[], cells=document.querySelectorAll('#flags td.evidence');
  for(var i=0;i<cells.length;i++){var r=cells[i].getBoundingClientRect(); out.push([r.left, r.right]);}
  document.body.setAttribute('data-measure', JSON.stringify({width: window.innerWidth,
    scroll: document.documentElement.scrollWidth, cells: out}));
})();
</script></body>"""


def _dump(url: str, width: int = 1280) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             f"--window-size={width},900", "--dump-dom", url],
            capture_output=True, text=True, timeout=60,
        )
    return result.stdout


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium on this machine")
def test_evidence_column_inside_the_viewport_at_1280_px(demo_register):
    """The demo register (15 flags, long file names) at 1280 px: every evidence cell lies inside the
    window and the page does not scroll sideways."""
    import json as _json
    import re as _re

    out = demo_register
    measured = out.with_name("measured.html")
    measured.write_text(out.read_text(encoding="utf-8").replace("</body>", MEASURE), encoding="utf-8")
    dom = _dump(measured.as_uri())
    data = _json.loads(html_unescape(_re.search(r'data-measure="([^"]*)"', dom).group(1)))
    assert data["width"] == 1280 and data["scroll"] <= 1280
    assert len(data["cells"]) >= 10
    assert all(0 <= left < right <= 1280 for left, right in data["cells"])


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


@pytest.fixture(scope="module")
def demo_register(tmp_path_factory):
    from partifinans import pipeline

    root = tmp_path_factory.mktemp("demo-register")
    pipeline.ingest(Path(__file__).parents[1] / "data" / "raw" / "demo", root / "processed", jobs=1, progress=False)
    return write_report(root / "processed", root / "register.html")


def _filtered(project, address_filter: str) -> tuple[str, list[dict]]:
    """The register's page as the browser shows it with ``address_filter`` after the ``#``, and its
    rows left visible."""
    root, processed = project
    out = write_report(processed, root / "register.html")
    page = Page()
    dom = _dump(f"{out.as_uri()}#{address_filter}")
    page.feed(dom)
    return dom, [r for r in page.rows if "display: none" not in r.get("style", "")]


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium on this machine")
def test_severity_filter_and_party_abbreviation_in_the_address(project):
    dom, shown = _filtered(project, "severity=high&party=c")
    assert [r["data-pattern"] for r in shown] == ["missing_donor_identity"]
    assert 'id="shown">1<' in dom and 'id="filter-msg"></span>' in dom


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium on this machine")
def test_unknown_filter_value_says_so_instead_of_showing_everything(project):
    dom, shown = _filtered(project, "party=Piratpartiet&year=2022")
    assert shown == []
    assert 'id="shown">0<' in dom
    assert "No flag matches party=Piratpartiet in the address: not a value in this register" in dom


def test_private_donors_and_ocr_files_are_read_from_the_processed_tables(project):
    from partifinans.report import PrivateDonors

    root, processed = project
    tabs = store.read_tables(processed)
    tabs["reports"]["ocr"] = pd.array([False, True], dtype="boolean")  # as ingest writes it
    private = PrivateDonors.from_tables(tabs, processed)
    lund = (root / "data" / "raw" / "demo" / "centerpartiet-lund-2023.pdf").resolve()
    assert private.names == {(lund, 3): {"Anna Testsson"}}
    assert private.ocr_files == {lund}
