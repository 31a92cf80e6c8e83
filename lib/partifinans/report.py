"""The HTML flag register: one self-contained file that opens offline in any browser.

``write_report(processed_dir, out)`` reads the processed tables and the flags (``flags.parquet``
when fresh, else computed; see ``detect/cli.py``) and writes one HTML file with

- the flags sorted by severity and then amount, one table row each: explanation, amounts,
  estimated fee, legal basis and the evidence: a link to the source file at its page
  (``file.pdf#page=3``) and, as text beside it, the file's path and the page, so the evidence can
  be found when the link does not work (a register sent by e-mail). Links are relative to the HTML
  file (``links="relative"``: move the folder together) or absolute ``file://`` addresses
  (``links="absolute"``); ``bundle=True`` also writes every cited page as a PNG into
  ``<name>-evidence/`` beside the HTML and links it, so register and evidence travel as one folder
  (the pages are the documents themselves: private donors' names, numbers and addresses are
  painted over (``redact.py``) unless ``reveal_private=True``);
- filters by severity, pattern, year and party (a few lines of inline JavaScript); the filter is
  kept in the address, so ``register.html#severity=high&year=2023&party=MP`` opens filtered (a
  party by name or abbreviation); a value that matches nothing is named on the page instead of
  showing every flag;
- charts drawn with matplotlib as inline SVG: flags by pattern, flags by year, income by group per
  party.

Nothing is fetched from the network: CSS, script and charts are inline. Private persons who gave
money are shown as ``Privatperson <hash>`` unless ``reveal_private=True``.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from matplotlib.ticker import MaxNLocator

from . import analysis, config, store
from .analysis import GROUP_NAMES
from .detect.base import records
from .detect.cli import load_flags, pseudonymise_private_donors
from .detect.config import SEVERITY_ORDER
from .errors import BadInput
from .plots import group_colour
from .values import format_sek as fmt_sek

SEVERITY_COLOURS = {"high": "#b2182b", "medium": "#e08214", "low": "#4d7fa8"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1rem 1.2rem;color:#222;line-height:1.4}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem}
.meta{color:#555;font-size:.9rem;max-width:60rem}
.summary span{display:inline-block;margin-right:1rem;padding:.1rem .5rem;border-radius:3px;color:#fff}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
.chart{flex:1 1 420px;max-width:640px;margin:0} .chart svg{width:100%;height:auto}
.filters{margin:1rem 0 .3rem;display:flex;gap:1rem;flex-wrap:wrap;align-items:center}
.hint{color:#555;font-size:.85rem;margin:.2rem 0 .8rem}
#filter-msg{color:#8a1c1c;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.88rem;table-layout:fixed}
th,td{border-bottom:1px solid #ddd;padding:.35rem .4rem;vertical-align:top;text-align:left;overflow-wrap:anywhere}
th{background:#f3f3f3;position:sticky;top:0}
col.c-flag{width:13%} col.c-who{width:22%} col.c-amount{width:10%} col.c-expl{width:35%} col.c-ev{width:20%}
td.num{text-align:right}
.num div{white-space:nowrap}
.sev{color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8rem;text-transform:uppercase}
.high{background:#b2182b} .medium{background:#b35806} .low{background:#4d7fa8}
.pattern{font-family:ui-monospace,monospace;font-size:.8rem}
.label{color:#666;font-size:.75rem;text-transform:uppercase;letter-spacing:.02em}
.basis{color:#666;font-size:.8rem;margin-top:.2rem}
ul.ev{margin:0;padding-left:1rem} ul.ev li{margin-bottom:.3rem}
.path{display:block;color:#555;font-size:.78rem;font-family:ui-monospace,monospace}
.names{font-size:.85rem}
"""

SCRIPT = """
var FILTERS={severity:'f-severity',pattern:'f-pattern',year:'f-year',party:'f-party'};
function applyFilters(unknown){
  var want={}, n=0, hash=[];
  for(var k in FILTERS){want[k]=document.getElementById(FILTERS[k]).value; if(want[k]){hash.push(k+'='+encodeURIComponent(want[k]));}}
  var rows=document.querySelectorAll('#flags tbody tr');
  for(var i=0;i<rows.length;i++){
    var r=rows[i], show=!(unknown&&unknown.length);
    for(var key in want){if(want[key]&&r.getAttribute('data-'+key)!==want[key]){show=false;}}
    r.style.display=show?'':'none'; if(show){n++;}
  }
  document.getElementById('shown').textContent=n;
  var msg=document.getElementById('filter-msg');
  msg.textContent=(unknown&&unknown.length)?'No flag matches '+unknown.join(', ')+' in the address: not a value in this register (choose one from the lists). ':'';
  if(!(unknown&&unknown.length)){try{history.replaceState(null,'',hash.length?'#'+hash.join('&'):location.pathname);}catch(e){}}
}
function findOption(sel, value){
  var v=value.toLowerCase(), alias=(ALIASES[sel.id]||{})[v];
  for(var i=0;i<sel.options.length;i++){
    var o=sel.options[i].value;
    if(o&&(o.toLowerCase()===v||o===alias)){return o;}
  }
  return null;
}
function readHash(){
  var parts=location.hash.replace(/^#/,'').split('&'), unknown=[];
  for(var i=0;i<parts.length;i++){
    if(!parts[i]){continue;}
    var kv=parts[i].split('='), key=kv[0], value=decodeURIComponent(kv.slice(1).join('=')||'');
    var sel=FILTERS[key]&&document.getElementById(FILTERS[key]);
    if(!sel){unknown.push(key+' (not a filter: use severity, pattern, year or party)');continue;}
    var found=findOption(sel, value);
    if(found===null){unknown.push(key+'='+value);}else{sel.value=found;}
  }
  applyFilters(unknown);
}
window.addEventListener('hashchange', readHash);
readHash();
"""


def _svg(fig) -> str:
    """A matplotlib figure as inline SVG without XML header, DOCTYPE or metadata links."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"<\?xml[^>]*\?>", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return text.strip()


def _figure(width=6.0, height=3.2):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "partifinans"  # stable ids inside the SVG
    plt.rcParams["svg.fonttype"] = "none"  # text stays text (small, searchable)
    return plt.subplots(figsize=(width, height))


def _empty_chart(title: str, message: str) -> str:
    fig, ax = _figure(height=1.2)
    ax.axis("off")
    ax.set_title(title, fontsize=10, loc="left")
    ax.text(0.5, 0.4, message, ha="center", va="center", color="#666")
    return _svg(fig)


def _headroom(ax, top: float, axis: str = "y") -> None:
    """Room above the tallest bar (12 %, at least half a unit) so it never touches the frame."""
    limit = top + max(top * 0.12, 0.5)
    (ax.set_ylim if axis == "y" else ax.set_xlim)(0, limit)


def chart_flags_by_pattern(flags: pd.DataFrame) -> str:
    title = "Flags by pattern"
    if flags.empty:
        return _empty_chart(title, "No flags")
    table = flags.pivot_table(index="pattern", columns="severity", values="flag_id", aggfunc="count", fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = _figure(height=0.3 * len(table) + 1.3)
    left = pd.Series(0, index=table.index)
    for severity in sorted(table.columns, key=SEVERITY_ORDER.get):
        ax.barh(table.index, table[severity], left=left, color=SEVERITY_COLOURS[severity], label=severity)
        left = left + table[severity]
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlabel("number of flags", fontsize=10)
    ax.tick_params(labelsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _headroom(ax, float(left.max()), "x")
    ax.legend(fontsize=9, frameon=False, loc="lower right", title="severity", title_fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def chart_flags_by_year(flags: pd.DataFrame) -> str:
    title = "Flags by year"
    with_year = flags[flags["year"].notna()]
    if with_year.empty:
        return _empty_chart(title, "No flags with a year")
    table = with_year.pivot_table(index="year", columns="severity", values="flag_id", aggfunc="count", fill_value=0)
    table = table.sort_index()
    fig, ax = _figure()
    years = [str(int(y)) for y in table.index]
    bottom = pd.Series(0, index=table.index)
    for severity in sorted(table.columns, key=SEVERITY_ORDER.get):
        ax.bar(years, table[severity], bottom=bottom, color=SEVERITY_COLOURS[severity], label=severity)
        bottom = bottom + table[severity]
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_ylabel("number of flags", fontsize=10)
    ax.tick_params(labelsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _headroom(ax, float(bottom.max()))
    ax.legend(fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), title="severity", title_fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def income_by_group_per_party(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Income (SEK) per party (rows) and group (columns), all years, primary reports only."""
    reports = tables.get("reports")
    lines = tables.get("lines")
    if reports is None or lines is None or reports.empty or lines.empty:
        return pd.DataFrame()
    primary = analysis.primary_reports(tables)
    merged = lines.merge(primary[["report_id", "party"]], on="report_id", how="inner")
    merged["party"] = merged["party"].fillna("(no party)")
    if merged.empty:
        return pd.DataFrame()
    return merged.pivot_table(index="party", columns="group", values="amount", aggfunc="sum", fill_value=0.0)


def chart_income_by_group(tables: dict[str, pd.DataFrame]) -> str:
    """Each party's income split by group, as shares of its own total (so a small party's mix is as
    visible as a large one's); the total in kronor is written at the end of each bar."""
    title = "Income by group per party (all years, share of the party's income)"
    table = income_by_group_per_party(tables)
    if table.empty:
        return _empty_chart(title, "No income lines")
    totals = table.sum(axis=1)
    table = table.loc[totals.sort_values().index]
    totals = totals.loc[table.index]
    shares = table.div(totals.where(totals != 0, 1.0), axis=0) * 100
    fig, ax = _figure(width=6.4, height=0.36 * len(table) + 1.9)
    left = pd.Series(0.0, index=table.index)
    for group in sorted(table.columns):
        name = f"{int(group)} {GROUP_NAMES.get(int(group), '')}".strip()
        ax.barh(table.index, shares[group], left=left, color=group_colour(group), label=name)
        left = left + shares[group]
    for y, party in enumerate(table.index):
        ax.text(101.5, y, fmt_sek(round(totals[party])), va="center", fontsize=9.5, color="#222222")
    ax.set_xlim(0, 100)
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlabel("share of income (%); total in kronor at the right", fontsize=10)
    ax.tick_params(labelsize=10)
    ax.legend(fontsize=9.5, frameon=False, loc="upper left", bbox_to_anchor=(-0.3, -0.16), ncols=3)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def _source_target(source_path: str, processed_dir: Path) -> Path:
    """The file a ``source_path`` names: under the raw directory (``config.source_file``), else
    beside the processed directory (``<processed>/../raw``) for a processed folder kept elsewhere."""
    p = Path(source_path)
    if p.is_absolute():
        return p
    found = config.source_file(p)
    if found.exists():
        return found.resolve()
    for root in (processed_dir.parent / "raw", processed_dir.parent, Path.cwd(), config.project_root()):
        if (root / p).exists():
            return (root / p).resolve()
    return found.resolve()


def evidence_href(source_path: str, page: int | None, processed_dir: Path, out_dir: Path, links: str = "relative") -> str:
    """A link to the file at its page: relative to the HTML file (``../raw/demo/x.pdf#page=3``) or,
    with ``links="absolute"``, a ``file://`` address."""
    target = _source_target(source_path, processed_dir)
    fragment = f"#page={int(page)}" if page else ""
    if links == "absolute":
        return target.as_uri() + fragment
    try:
        rel = os.path.relpath(target, out_dir.resolve())
    except ValueError:  # another drive on Windows
        return target.as_uri() + fragment
    return quote(Path(rel).as_posix()) + fragment


def _shown_path(target: Path) -> str:
    """The path printed beside a link: from the project root when the file is inside it, else absolute."""
    try:
        return target.resolve().relative_to(config.project_root()).as_posix()
    except ValueError:
        return target.as_posix()


def bundle_name(target: Path, page: int | None) -> str:
    """The name of a cited page's copy in the bundle: ``<file stem>-p<page>.png`` (the file itself
    when it has no page or is not a PDF)."""
    if page and target.suffix.lower() == ".pdf":
        return f"{target.stem}-p{int(page)}.png"
    return target.name


def write_bundle(evidence: list[tuple[Path, int | None]], bundle_dir: Path, dpi: int = 110,
                 redact: PrivateDonors | None = None) -> tuple[dict, int]:
    """Each cited page as a PNG in ``bundle_dir`` (other cited files copied whole). With ``redact``
    the private donors on each page are painted over (``redact.py``) and a page that cannot be
    redacted (read by OCR, or without text of its own) is left out. Returns ``({(target, page): file
    name}`` for those written``, the number of pages left out)``; a page that cannot be rendered is
    left out too."""
    import pypdfium2 as pdfium

    from .redact import page_lines, paint, private_boxes

    bundle_dir.mkdir(parents=True, exist_ok=True)
    written: dict = {}
    left_out = 0
    by_file: dict[Path, set] = {}
    for target, page in evidence:
        by_file.setdefault(target, set()).add(page)
    for target, pages in sorted(by_file.items()):
        if not target.exists():
            continue
        if target.suffix.lower() != ".pdf":
            shutil.copyfile(target, bundle_dir / target.name)  # the open-data file names no private donor
            written.update({(target, p): target.name for p in pages})
            continue
        wanted = sorted(p for p in pages if p)
        try:
            pdf = pdfium.PdfDocument(str(target))
            lines = page_lines(target) if redact is not None and target not in redact.ocr_files else {}
        except Exception:  # noqa: BLE001 - an unreadable file is left out of the bundle, the link stays
            continue
        try:
            for page in wanted:
                if not 1 <= page <= len(pdf):
                    continue
                if redact is not None and not lines.get(page):
                    left_out += 1  # read by OCR, or no text of its own: its donors cannot be found
                    continue
                image = pdf[page - 1].render(scale=dpi / 72).to_pil()
                if redact is not None:
                    paint(image, private_boxes(lines[page], redact.names.get((target, page), set())), dpi / 72)
                name = bundle_name(target, page)
                image.save(bundle_dir / name, optimize=True)
                written[(target, page)] = name
        finally:
            pdf.close()
    return written, left_out


@dataclass
class PrivateDonors:
    """What ``write_bundle`` needs to paint private donors over: their names by (file, page), as
    the reader took them from that page, and the files read by OCR."""

    names: dict[tuple[Path, int], set[str]]
    ocr_files: set[Path]

    @classmethod
    def from_tables(cls, tables: dict | None, processed_dir: Path) -> PrivateDonors:
        names: dict[tuple[Path, int], set[str]] = {}
        ocr_files: set[Path] = set()
        if not tables or "reports" not in tables:
            return cls(names, ocr_files)
        reports = tables["reports"]
        where = {r: _source_target(p, processed_dir) for r, p in zip(reports["report_id"], reports["source_path"],
                                                                      strict=True)}
        read_by_ocr = reports["ocr"].fillna(False).astype(bool)
        ocr_files = {where[r] for r in reports.loc[read_by_ocr, "report_id"]}
        c = tables.get("contributions")
        if c is not None and len(c):
            persons = c[(c["donor_kind"] == "person") & c["donor"].notna() & c["page"].notna()]
            for r, page, donor in zip(persons["report_id"], persons["page"], persons["donor"], strict=True):
                if r in where:
                    names.setdefault((where[r], int(page)), set()).add(str(donor))
        return cls(names, ocr_files)


def _keep_amounts_together(text: str) -> str:
    """No line break inside ``1 790 530 kr`` (no-break spaces between digit groups and before kr)."""
    return re.sub(r"(?<=\d) (?=\d{3}\b)|(?<=\d) (?=kr\b)", "&nbsp;", text)


def _cell_list(items: list[str]) -> str:
    return "<br>".join(items) if items else "&ndash;"


def _row(flag: dict, processed_dir: Path, out_dir: Path, links: str = "relative", bundled: dict | None = None,
         bundle_dir: Path | None = None) -> str:
    e = html.escape
    orgs = [
        e(o.get("name") or "?") + (f" <small>({e(o['org_number'])})</small>" if o.get("org_number") else "")
        for o in json.loads(flag["organisations"] or "[]")
    ]
    donors = [
        e(d.get("name") or "(unnamed)")
        + (f" <small>({e(d['donor_id'])})</small>" if d.get("donor_id") and not d["donor_id"].startswith("pnr:") else "")
        for d in json.loads(flag["donors"] or "[]")
    ]
    items = []
    for ev in json.loads(flag["evidence"] or "[]"):
        page = ev.get("page")
        target = _source_target(ev["source_path"], processed_dir)
        page_text = f" p. {page}" if page is not None else ""
        label = Path(ev["source_path"]).name + page_text
        href = evidence_href(ev["source_path"], page, processed_dir, out_dir, links)
        copy = ""
        if bundled and (target, page) in bundled and bundle_dir is not None:
            copy_href = quote(f"{bundle_dir.name}/{bundled[(target, page)]}")
            copy = f' <a class="copy" href="{e(copy_href)}">(copy)</a>'
        items.append(
            f'<li><a href="{e(href)}">{e(label)}</a>{copy}'
            f'<span class="path">{e(_shown_path(target))}{e(page_text and "," + page_text)}</span></li>'
        )
    year = str(flag["year"]) if flag["year"] is not None else ""
    amount = fmt_sek(flag["amount"]) if flag["amount"] is not None else "&ndash;"
    fee = fmt_sek(flag["estimated_fee"]) if flag["estimated_fee"] is not None else "&ndash;"
    basis = f'<div class="basis">{e(flag["legal_basis"])}</div>' if flag.get("legal_basis") else ""
    who = f'<div class="label">Organisations</div>{_cell_list(orgs)}'
    if donors:
        who += f'<div class="label">Donors</div>{_cell_list(donors)}'
    return (
        f'<tr id="flag-{e(flag["flag_id"])}" data-pattern="{e(flag["pattern"])}" data-year="{e(year)}" '
        f'data-party="{e(flag["party"] or "")}" data-severity="{e(flag["severity"])}">'
        f'<td><span class="sev {e(flag["severity"])}">{e(flag["severity"])}</span>'
        f'<div class="pattern">{e(flag["pattern"]).replace("_", "_<wbr>")}</div><div>{e(year) or "&ndash;"} · {e(flag["party"] or "") or "no party"}</div></td>'
        f'<td class="names">{who}</td>'
        f'<td class="num"><div class="label">Amount</div><div>{amount}</div><div class="label">Est. fee</div><div>{fee}</div></td>'
        f'<td class="expl">{_keep_amounts_together(e(flag["explanation"]))}{basis}</td>'
        f'<td class="evidence"><ul class="ev">{"".join(items)}</ul></td></tr>'
    )


def _select(select_id: str, label: str, values: list[str]) -> str:
    options = "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in values)
    return (
        f'<label for="{select_id}">{label}</label> '
        f'<select id="{select_id}" onchange="applyFilters()"><option value="">all</option>{options}</select>'
    )


def _party_aliases(parties: list[str]) -> dict[str, str]:
    """Abbreviations and other names (case folded) -> the party name used in this register."""
    out = {}
    for row in analysis.parties().to_dict("records"):
        names = [row.get("name"), row.get("abbreviation"), *str(row.get("aliases") or "").split("|")]
        names = [n for n in names if n and str(n).strip()]
        present = [p for p in parties if p in names]
        if present:
            out.update({n.casefold(): present[0] for n in names})
    return out


def build_html(
    flags: pd.DataFrame, tables: dict[str, pd.DataFrame], processed_dir: Path, out_dir: Path, title: str = "Flag register",
    links: str = "relative", bundled: dict | None = None, bundle_dir: Path | None = None, redacted: bool = False,
) -> str:
    """The register as one HTML string (flags as the ``flags`` table, already sorted and filtered)."""
    e = html.escape
    rows = records(flags)
    severities = [s for s in ("high", "medium", "low") if any(r["severity"] == s for r in rows)]
    patterns = sorted({r["pattern"] for r in rows})
    years = sorted({str(r["year"]) for r in rows if r["year"] is not None})
    parties = sorted({r["party"] for r in rows if r["party"]})
    aliases = json.dumps({"f-party": _party_aliases(parties)}, ensure_ascii=False).replace("</", "<\\/")
    counts = flags["severity"].value_counts() if len(flags) else pd.Series(dtype=int)
    summary = "".join(
        f'<span class="{s}">{counts.get(s, 0)} {s}</span>' for s in ("high", "medium", "low")
    )
    n_reports = len(tables.get("reports", [])) if tables.get("reports") is not None else 0
    body_rows = "\n".join(_row(r, processed_dir, out_dir, links, bundled, bundle_dir) for r in rows)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    example = "#severity=high&amp;year=2023&amp;party=MP"
    if links == "absolute":
        where = "Evidence links are absolute <code>file://</code> addresses on the machine that wrote the register."
    else:
        where = "Evidence links are relative to this file: keep it beside the data when you move it."
    if bundled:
        where += (f" Each cited page is also copied as an image into <code>{e(bundle_dir.name)}/</code> beside this "
                  "file (the “copy” links): send that folder with the register.")
        if redacted:
            where += (" On those copies private donors’ names, personnummer and addresses are painted over; a page "
                      "read by OCR is not copied.")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} – partifinans</title>
<style>{CSS}</style>
</head>
<body>
<h1>{e(title)}</h1>
<p class="meta">Swedish party finance reports (<i>intäktsredovisningar</i>): gaps and patterns found by partifinans in
<code>{e(_shown_path(processed_dir))}</code> ({n_reports} reports), generated {generated}. A flag is a reason to look
closer, not a finding of a breach; fees are estimates. Each piece of evidence names its file and page; the link
opens the file at that page. {where}</p>
<p class="summary">{summary}</p>
<h2>Charts</h2>
<div class="charts">
<figure class="chart" id="chart-pattern">{chart_flags_by_pattern(flags)}</figure>
<figure class="chart" id="chart-year">{chart_flags_by_year(flags)}</figure>
<figure class="chart" id="chart-income">{chart_income_by_group(tables)}</figure>
</div>
<h2>Flags</h2>
<div class="filters">
{_select("f-severity", "Severity", severities)}
{_select("f-pattern", "Pattern", patterns)}
{_select("f-year", "Year", years)}
{_select("f-party", "Party", parties)}
<span><span id="filter-msg"></span><span id="shown">{len(rows)}</span> of {len(rows)} flags shown</span>
</div>
<p class="hint">The filters are kept in the page's address, so a filtered view can be bookmarked or sent:
add <code>{example}</code> to the address (keys <code>severity</code>, <code>pattern</code>, <code>year</code>,
<code>party</code>; a party by name or abbreviation).</p>
<table id="flags">
<colgroup><col class="c-flag"><col class="c-who"><col class="c-amount"><col class="c-expl"><col class="c-ev"></colgroup>
<thead><tr><th>Flag</th><th>Organisations and donors</th><th>Amount</th><th>Explanation</th><th>Evidence (file, page)</th></tr></thead>
<tbody>
{body_rows}
</tbody>
</table>
<script>var ALIASES={aliases};{SCRIPT}</script>
</body>
</html>
"""


@dataclass(frozen=True)
class Written:
    """What ``publish_report`` wrote."""

    path: Path
    flags: int
    bundle_dir: Path | None = None
    bundled: int = 0
    left_out: int = 0  # cited pages not bundled because they could not be redacted
    redacted: bool = False

    def line(self) -> str:
        extra = ""
        if self.bundle_dir:
            extra = f"; {self.bundled} cited pages copied to {self.bundle_dir}"
            extra += " with private donors painted over" if self.redacted else ""
            if self.left_out:
                extra += (f"; {self.left_out} read by OCR or without text left out (their donors cannot be "
                          f"found to paint over; --reveal-private copies them as they are)")
        return f"report: {self.flags} flags -> {self.path}{extra}"


def publish_report(
    processed_dir: Path | str, out: Path | str, reveal_private: bool = False, links: str = "relative",
    bundle: bool = False,
) -> Written:
    """Write the HTML flag register (and, with ``bundle``, the cited pages beside it)."""
    processed_dir = Path(processed_dir)
    out = Path(out)
    if links not in ("relative", "absolute"):
        raise ValueError(f"links must be 'relative' or 'absolute', not {links!r}")
    tables = store.read_tables(processed_dir) if processed_dir.is_dir() else None
    flags = load_flags(processed_dir, tables)  # raises BadInput for a directory without tables
    if not reveal_private:
        flags = pseudonymise_private_donors(flags, tables)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        bundled, bundle_dir, left_out, redact = None, None, 0, None
        if bundle:
            bundle_dir = out.with_name(f"{out.stem}-evidence")
            cited = [
                (_source_target(ev["source_path"], processed_dir), ev.get("page"))
                for r in records(flags) for ev in json.loads(r["evidence"] or "[]")
            ]
            # The pages are the documents themselves: they name private donors and may print their
            # personnummer, which no export shows unless the user asks (README, Privacy rules).
            redact = None if reveal_private else PrivateDonors.from_tables(tables, processed_dir)
            bundled, left_out = write_bundle(cited, bundle_dir, redact=redact)
        text = build_html(flags, tables, processed_dir, out.parent, links=links, bundled=bundled, bundle_dir=bundle_dir,
                          redacted=redact is not None)
        tmp = out.with_name(f".{out.name}.partial")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise BadInput(out, f"cannot write the register ({exc.strerror or exc})") from None
    return Written(out, len(flags), bundle_dir, len(set((bundled or {}).values())), left_out,
                   redacted=bundle and not reveal_private)


def write_report(
    processed_dir: Path | str, out: Path | str, reveal_private: bool = False, links: str = "relative",
    bundle: bool = False,
) -> Path:
    """Write the HTML flag register for a processed directory; returns the path written."""
    return publish_report(processed_dir, out, reveal_private, links, bundle).path
