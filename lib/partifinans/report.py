"""The HTML flag register: one self-contained file that opens offline in any browser.

``write_report(processed_dir, out)`` reads the processed tables and the flags (``flags.parquet``
when fresh, else computed; see ``detect/cli.py``) and writes one HTML file with

- the flags sorted by severity and then amount, one table row each: explanation, amounts,
  estimated fee, legal basis and links to the source file and page (``file.pdf#page=3``, relative
  to the HTML file so the folder can be moved together);
- filters by pattern, year and party (a few lines of inline JavaScript); the filter is kept in the
  address, so ``register.html#pattern=late_report&year=2023`` opens filtered;
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
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from matplotlib.ticker import MaxNLocator

from . import analysis, config, store
from .analysis import GROUP_NAMES, party_colour
from .detect.base import records
from .detect.cli import load_flags, pseudonymise_private_donors
from .detect.config import SEVERITY_ORDER
from .values import format_sek as fmt_sek

SEVERITY_COLOURS = {"high": "#b2182b", "medium": "#e08214", "low": "#4d7fa8"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#222;line-height:1.4}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem}
.meta{color:#555;font-size:.9rem}
.summary span{display:inline-block;margin-right:1rem;padding:.1rem .5rem;border-radius:3px;color:#fff}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
.chart{flex:1 1 420px;max-width:640px} .chart svg{width:100%;height:auto}
.filters{margin:1rem 0;display:flex;gap:1rem;flex-wrap:wrap;align-items:center}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .4rem;vertical-align:top;text-align:left}
th{background:#f3f3f3;position:sticky;top:0}
td.num{text-align:right;white-space:nowrap}
.sev{color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8rem;text-transform:uppercase}
.high{background:#b2182b} .medium{background:#e08214} .low{background:#4d7fa8}
.basis{color:#666;font-size:.8rem;margin-top:.2rem}
ul.ev{margin:0;padding-left:1rem}
td.expl{min-width:22rem} td.names{font-size:.85rem;min-width:10rem}
"""

SCRIPT = """
var FILTERS={pattern:'f-pattern',year:'f-year',party:'f-party'};
function applyFilters(){
  var want={}, n=0, hash=[];
  for(var k in FILTERS){want[k]=document.getElementById(FILTERS[k]).value; if(want[k]){hash.push(k+'='+encodeURIComponent(want[k]));}}
  var rows=document.querySelectorAll('#flags tbody tr');
  for(var i=0;i<rows.length;i++){
    var r=rows[i], show=true;
    for(var key in want){if(want[key]&&r.getAttribute('data-'+key)!==want[key]){show=false;}}
    r.style.display=show?'':'none'; if(show){n++;}
  }
  document.getElementById('shown').textContent=n;
  try{history.replaceState(null,'',hash.length?'#'+hash.join('&'):location.pathname);}catch(e){}
}
function readHash(){
  var parts=location.hash.replace(/^#/,'').split('&');
  for(var i=0;i<parts.length;i++){
    var kv=parts[i].split('='), sel=FILTERS[kv[0]]&&document.getElementById(FILTERS[kv[0]]);
    if(sel&&kv.length===2){sel.value=decodeURIComponent(kv[1]);}
  }
  applyFilters();
}
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


def chart_flags_by_pattern(flags: pd.DataFrame) -> str:
    title = "Flags by pattern"
    if flags.empty:
        return _empty_chart(title, "No flags")
    table = flags.pivot_table(index="pattern", columns="severity", values="flag_id", aggfunc="count", fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = _figure(height=0.35 * len(table) + 1.0)
    left = pd.Series(0, index=table.index)
    for severity in sorted(table.columns, key=SEVERITY_ORDER.get):
        ax.barh(table.index, table[severity], left=left, color=SEVERITY_COLOURS[severity], label=severity)
        left = left + table[severity]
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel("number of flags")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
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
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylabel("number of flags")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
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
    title = "Income by group per party (all years, million SEK)"
    table = income_by_group_per_party(tables)
    if table.empty:
        return _empty_chart(title, "No income lines")
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = _figure(width=7.0, height=0.4 * len(table) + 1.4)
    left = pd.Series(0.0, index=table.index)
    colours = ["#4d7fa8", "#8fb9d6", "#e08214", "#fdb863", "#b2182b", "#999999", "#5e3c99"]
    for k, group in enumerate(sorted(table.columns)):
        name = f"{int(group)} {GROUP_NAMES.get(int(group), '')}".strip()
        ax.barh(table.index, table[group], left=left, color=colours[k % len(colours)], label=name)
        left = left + table[group]
    for label in ax.get_yticklabels():
        label.set_color(party_colour(label.get_text()) if party_colour(label.get_text()) != "#888888" else "#222222")
    ax.set_title(title, fontsize=10, loc="left")
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x / 1e6:,.1f}".replace(",", " ").replace(".", ","))
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def _source_target(source_path: str, processed_dir: Path) -> Path:
    """The file a ``source_path`` names: tried against the usual roots, first that exists wins."""
    p = Path(source_path)
    if p.is_absolute():
        return p
    roots = [config.raw_dir(), processed_dir.parent / "raw", processed_dir.parent, Path.cwd(), config.project_root()]
    for root in roots:
        if (root / p).exists():
            return (root / p).resolve()
    return (config.raw_dir() / p).resolve()


def evidence_href(source_path: str, page: int | None, processed_dir: Path, out_dir: Path) -> str:
    """A link relative to the HTML file (``../raw/demo/x.pdf#page=3``)."""
    target = _source_target(source_path, processed_dir)
    try:
        rel = os.path.relpath(target, out_dir.resolve())
    except ValueError:  # another drive on Windows
        rel = target.as_uri()
        return rel + (f"#page={page}" if page else "")
    href = quote(Path(rel).as_posix())
    return href + (f"#page={int(page)}" if page else "")


def _keep_amounts_together(text: str) -> str:
    """No line break inside ``1 790 530 kr`` (no-break spaces between digit groups and before kr)."""
    return re.sub(r"(?<=\d) (?=\d{3}\b)|(?<=\d) (?=kr\b)", "&nbsp;", text)


def _cell_list(items: list[str]) -> str:
    return "<br>".join(items) if items else "&ndash;"


def _row(flag: dict, processed_dir: Path, out_dir: Path) -> str:
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
    links = []
    for ev in json.loads(flag["evidence"] or "[]"):
        page = ev.get("page")
        label = Path(ev["source_path"]).name + (f" p. {page}" if page is not None else "")
        href = evidence_href(ev["source_path"], page, processed_dir, out_dir)
        links.append(f'<li><a href="{e(href)}" title="{e(ev["source_path"])}">{e(label)}</a></li>')
    year = str(flag["year"]) if flag["year"] is not None else ""
    amount = fmt_sek(flag["amount"]) if flag["amount"] is not None else "&ndash;"
    fee = fmt_sek(flag["estimated_fee"]) if flag["estimated_fee"] is not None else "&ndash;"
    basis = f'<div class="basis">{e(flag["legal_basis"])}</div>' if flag.get("legal_basis") else ""
    return (
        f'<tr id="flag-{e(flag["flag_id"])}" data-pattern="{e(flag["pattern"])}" data-year="{e(year)}" '
        f'data-party="{e(flag["party"] or "")}" data-severity="{e(flag["severity"])}">'
        f'<td><span class="sev {e(flag["severity"])}">{e(flag["severity"])}</span></td>'
        f"<td>{e(flag['pattern'])}</td><td>{e(year) or '&ndash;'}</td><td>{e(flag['party'] or '') or '&ndash;'}</td>"
        f'<td class="names">{_cell_list(orgs)}</td><td class="names">{_cell_list(donors)}</td>'
        f'<td class="num">{amount}</td><td class="num">{fee}</td>'
        f'<td class="expl">{_keep_amounts_together(e(flag["explanation"]))}{basis}</td>'
        f'<td><ul class="ev">{"".join(links)}</ul></td></tr>'
    )


def _select(select_id: str, label: str, values: list[str]) -> str:
    options = "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in values)
    return (
        f'<label for="{select_id}">{label}</label> '
        f'<select id="{select_id}" onchange="applyFilters()"><option value="">all</option>{options}</select>'
    )


def build_html(
    flags: pd.DataFrame, tables: dict[str, pd.DataFrame], processed_dir: Path, out_dir: Path, title: str = "Flag register"
) -> str:
    """The register as one HTML string (flags as the ``flags`` table, already sorted and filtered)."""
    e = html.escape
    rows = records(flags)
    patterns = sorted({r["pattern"] for r in rows})
    years = sorted({str(r["year"]) for r in rows if r["year"] is not None})
    parties = sorted({r["party"] for r in rows if r["party"]})
    counts = flags["severity"].value_counts() if len(flags) else pd.Series(dtype=int)
    summary = "".join(
        f'<span class="{s}">{counts.get(s, 0)} {s}</span>' for s in ("high", "medium", "low")
    )
    n_reports = len(tables.get("reports", [])) if tables.get("reports") is not None else 0
    body_rows = "\n".join(_row(r, processed_dir, out_dir) for r in rows)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
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
<p class="meta">Swedish party finance reports (intäktsredovisningar): gaps and patterns found by partifinans in
<code>{e(str(processed_dir))}</code> ({n_reports} reports), generated {generated}. A flag is a reason to look
closer, not a finding of a breach; fees are estimates. Evidence links open the source file at the page.</p>
<p class="summary">{summary}</p>
<h2>Charts</h2>
<div class="charts">
<figure class="chart" id="chart-pattern">{chart_flags_by_pattern(flags)}</figure>
<figure class="chart" id="chart-year">{chart_flags_by_year(flags)}</figure>
<figure class="chart" id="chart-income">{chart_income_by_group(tables)}</figure>
</div>
<h2>Flags</h2>
<div class="filters">
{_select("f-pattern", "Pattern", patterns)}
{_select("f-year", "Year", years)}
{_select("f-party", "Party", parties)}
<span><span id="shown">{len(rows)}</span> of {len(rows)} flags shown</span>
</div>
<table id="flags">
<thead><tr><th>Severity</th><th>Pattern</th><th>Year</th><th>Party</th><th>Organisations</th><th>Donors</th>
<th>Amount</th><th>Est. fee</th><th>Explanation</th><th>Evidence</th></tr></thead>
<tbody>
{body_rows}
</tbody>
</table>
<script>{SCRIPT}</script>
</body>
</html>
"""


def write_report(processed_dir: Path | str, out: Path | str, reveal_private: bool = False) -> Path:
    """Write the HTML flag register for a processed directory; returns the path written."""
    processed_dir = Path(processed_dir)
    out = Path(out)
    tables = store.read_tables(processed_dir) if processed_dir.is_dir() else None
    flags = load_flags(processed_dir, tables)  # raises BadInput for a directory without tables
    if not reveal_private:
        flags = pseudonymise_private_donors(flags, tables)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = build_html(flags, tables, processed_dir, out.parent)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    return out
