"""``partifinans flags PROCESSED [--json | --csv | --xlsx FILE] [--year Y] [--party P]``.

Reads the processed tables; uses ``flags.parquet`` when it is newer than every table the
detectors read, else runs the detectors again (nothing is written). Output:

- ``--json``: a JSON array on stdout, each flag with exactly the fields of the issue #5 contract;
- ``--csv``: the ``flags`` table on stdout (list fields as JSON strings);
- ``--xlsx FILE``: the same table as an Excel sheet;
- no option: a readable table.

Private persons who gave money are shown as ``Privatperson <hash>`` (``privacy.private_label``)
unless ``reveal_private`` is set, as every export of the project does.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pandas as pd

from .. import config, privacy, store
from ..errors import BadInput
from . import decode_flag, run_all
from .base import casefold, fmt_org, fmt_sek, records

INPUT_TABLES = ("reports", "lines", "contributions", "disagreements", "entities")


def load_flags(processed: Path | str, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The flags of a processed directory: ``flags.parquet`` if fresh, else computed now."""
    processed = Path(processed)
    if not processed.is_dir():
        raise BadInput(processed, "no such directory of processed tables (run partifinans ingest first)")
    inputs = [p for p in (store.table_path(processed, t) for t in INPUT_TABLES) if p.exists()]
    if not inputs:
        raise BadInput(processed, "no processed tables here (run partifinans ingest first)")
    flags_path = store.table_path(processed, "flags")
    if flags_path.exists() and flags_path.stat().st_mtime >= max(p.stat().st_mtime for p in inputs):
        try:
            return store.read_table(processed, "flags")
        except Exception:  # noqa: BLE001 - an unreadable cache is recomputed, not fatal
            pass
    return run_all(tables if tables is not None else store.read_tables(processed))


def _party_names() -> list[set[str]]:
    """Each party's names from ``maps/parties.csv`` (name, abbreviation, aliases), case folded."""
    from ..analysis import parties

    out = []
    for row in parties().to_dict("records"):
        names = {row.get("name"), row.get("abbreviation"), *str(row.get("aliases") or "").split("|")}
        out.append({casefold(n) for n in names if n and str(n).strip()})
    return out


def match_party(query: str, present: list[str]) -> list[str]:
    """The parties in ``present`` that ``query`` names: a name, abbreviation or alias from the party
    table (``MP``, ``mp``, ``Miljöpartiet``), in any case, or the start of one present name (``moder``)."""
    q = casefold(query)
    if not q:
        return []
    wanted = {q}
    for names in _party_names():
        if q in names:
            wanted |= names
    hits = [p for p in present if casefold(p) in wanted]
    if not hits and len(q) >= 3:
        hits = [p for p in present if casefold(p).startswith(q)]
    return sorted(set(hits))


class NoMatch(BadInput):
    """A ``--party`` or ``--year`` that matches none of the flags: the message lists what is present."""


def filter_flags(flags: pd.DataFrame, year: int | None = None, party: str | None = None) -> pd.DataFrame:
    """Flags of one year and/or one party (name, abbreviation or alias from the party table, any case).

    A year without flags, or a party that is neither in the party table nor among the flags, raises
    ``NoMatch`` naming the years or parties present, instead of answering with an empty register. A
    known party that has no flag (in that year) gives an empty table."""
    all_parties = sorted({p for p in flags["party"].dropna()})
    if year is not None:
        years = sorted({int(y) for y in flags["year"].dropna()})
        if int(year) not in years:
            shown = ", ".join(str(y) for y in years) or "none"
            raise NoMatch("--year", f"no flags for {int(year)}; years with flags: {shown}")
        flags = flags[flags["year"].eq(int(year)).fillna(False)]
    if party:
        known = match_party(party, all_parties) or any(casefold(party) in names for names in _party_names())
        if not known:
            shown = "; ".join(_with_abbreviation(p) for p in all_parties) or "none"
            raise NoMatch("--party", f"no party {party!r} among the flags; parties with flags: {shown}")
        flags = flags[flags["party"].isin(match_party(party, sorted({p for p in flags["party"].dropna()})))]
    return flags.reset_index(drop=True)


def _with_abbreviation(name: str) -> str:
    from ..analysis import parties

    for row in parties().to_dict("records"):
        names = {row.get("name"), *str(row.get("aliases") or "").split("|")}
        if name in names and row.get("abbreviation"):
            return f"{name} ({row['abbreviation']})"
    return name


pseudonymise_private_donors = privacy.pseudonymise_flag_donors  # the helper lives in privacy.py


def flags_as_json(flags: pd.DataFrame) -> list[dict]:
    return [decode_flag(r) for r in records(flags)]


def _print_table(flags: pd.DataFrame) -> None:
    if flags.empty:
        print("No flags.")
        return
    width = 100
    for r in records(flags):
        amount = fmt_sek(r["amount"]) if r["amount"] is not None else "-"
        head = f"{r['severity'].upper():<6} {r['pattern']:<24} {r['year'] or '-':<5} {(r['party'] or '-'):<16} {amount:>14}"
        print(head)
        # Keep "1 790 530 kr" on one line: no-break spaces inside amounts while wrapping.
        text = re.sub(r"(?<=\d) (?=\d{3}\b)|(?<=\d) (?=kr\b)", "\u00a0", r["explanation"])
        text = textwrap.fill(text, width=width, initial_indent="       ", subsequent_indent="       ", break_on_hyphens=False)
        print(text.replace("\u00a0", " "))
        evidence = json.loads(r["evidence"] or "[]")
        if evidence:
            where = ", ".join(
                config.display_path(e["source_path"]) + (f"\u00a0p.\u00a0{e['page']}" if e.get("page") is not None else "")
                for e in evidence[:4]
            )
            more = f" (+{len(evidence) - 4} more)" if len(evidence) > 4 else ""
            text = textwrap.fill(
                f"Evidence: {where}{more}", width=width, initial_indent="       ", subsequent_indent="       ",
                break_on_hyphens=False,
            )
            print(text.replace("\u00a0", " "))
    counts = flags["severity"].value_counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("high", "medium", "low"))
    print(f"\n{len(flags)} flags ({summary}).")


def organisations_text(organisations_json: str | None) -> str:
    """``Liberalerna Exempelstad (887813-7283); Liberalerna i Påhittköping (855633-0309)``."""
    return "; ".join(fmt_org(o) for o in json.loads(organisations_json or "[]"))


def donors_text(donors_json: str | None) -> str:
    """Donor names with their organisation number; personnummer pseudonyms are not shown."""
    out = []
    for d in json.loads(donors_json or "[]"):
        name = d.get("name") or "(unnamed)"
        donor_id = d.get("donor_id")
        out.append(f"{name} ({donor_id})" if donor_id and not privacy.is_pseudonym(donor_id) else name)
    return "; ".join(dict.fromkeys(out))


def evidence_rows(flags: pd.DataFrame) -> list[dict]:
    """One row per cited page: the flag it supports, the file as the user opens it, the page."""
    rows = []
    for r in records(flags):
        for ev in json.loads(r["evidence"] or "[]"):
            rows.append({
                "flag_id": r["flag_id"], "severity": r["severity"], "pattern": r["pattern"], "year": r["year"],
                "party": r["party"], "file": config.display_path(ev["source_path"]),
                "target": config.source_file(ev["source_path"]), "page": ev.get("page"),
            })
    return rows


XLSX_FLAG_COLUMNS = [  # (heading, width in characters, field)
    ("Severity", 9, "severity"), ("Pattern", 22, "pattern"), ("Year", 6, "year"), ("Party", 20, "party"),
    ("Organisations", 40, "organisations"), ("Donors", 32, "donors"), ("Amount", 14, "amount"),
    ("Estimated fee", 14, "estimated_fee"), ("Explanation", 70, "explanation"), ("Legal basis", 40, "legal_basis"),
    ("Evidence", 40, "evidence"), ("Flag", 17, "flag_id"),
]
KRONOR_FORMAT = '#,##0 "kr"'
KRONOR_ORE_FORMAT = '#,##0.00 "kr"'


def write_xlsx(flags: pd.DataFrame, out: Path) -> int:
    """The register as an Excel workbook a regulator can read: sheet ``Flags`` (one flag a row, readable
    cells, amounts as numbers in kronor, frozen header with filters, wrapped text) and sheet ``Evidence``
    (one row per cited page, the file linked). Returns the number of evidence rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Flags"
    head_font, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    ws.append([h for h, _, _ in XLSX_FLAG_COLUMNS])
    for r in records(flags):
        evidence = json.loads(r["evidence"] or "[]")
        values = {
            **r,
            "organisations": organisations_text(r["organisations"]),
            "donors": donors_text(r["donors"]),
            "evidence": "; ".join(
                config.display_path(e["source_path"]) + (f" p. {e['page']}" if e.get("page") is not None else "")
                for e in evidence
            ),
        }
        ws.append([values.get(field) for _, _, field in XLSX_FLAG_COLUMNS])
    _style_sheet(ws, [w for _, w, _ in XLSX_FLAG_COLUMNS], head_font, wrap)
    for field in ("amount", "estimated_fee"):
        col = [f for _, _, f in XLSX_FLAG_COLUMNS].index(field) + 1
        for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell = row[0]
            if isinstance(cell.value, int | float):
                cell.number_format = KRONOR_FORMAT if float(cell.value).is_integer() else KRONOR_ORE_FORMAT
                cell.alignment = Alignment(horizontal="right", vertical="top")

    ev = wb.create_sheet("Evidence")
    ev.append(["Flag", "Severity", "Pattern", "Year", "Party", "File", "Page"])
    rows = evidence_rows(flags)
    for row in rows:
        ev.append([row["flag_id"], row["severity"], row["pattern"], row["year"], row["party"], row["file"], row["page"]])
        cell = ev.cell(row=ev.max_row, column=6)
        cell.hyperlink = Path(row["target"]).resolve().as_uri()
        cell.font = Font(color="0563C1", underline="single")
    _style_sheet(ev, [17, 9, 22, 6, 20, max([len(r["file"]) for r in rows] + [20]) + 2, 6], head_font, wrap)
    for col in range(1, 8):
        ev.column_dimensions[get_column_letter(col)].width = min(ev.column_dimensions[get_column_letter(col)].width, 90)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        wb.save(tmp)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BadInput(out, f"cannot write the Excel file ({exc.strerror or exc})") from None
    return len(rows)


def _style_sheet(ws, widths: list[int], head_font, wrap) -> None:
    from openpyxl.utils import get_column_letter

    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for cell in ws[1]:
        cell.font = head_font
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def flags_command(args) -> int:
    processed = Path(args.processed)
    tables = None
    if processed.is_dir():
        tables = store.read_tables(processed) if any(store.table_path(processed, t).exists() for t in INPUT_TABLES) else None
    flags = load_flags(processed, tables)
    flags = filter_flags(flags, getattr(args, "year", None), getattr(args, "party", None))
    if not getattr(args, "reveal_private", False):
        flags = pseudonymise_private_donors(flags, tables or {})
    none_for = ""
    if flags.empty and (getattr(args, "party", None) or getattr(args, "year", None) is not None):
        none_for = "No flags for " + " in ".join(
            x for x in (args.party if args.party else "", str(args.year) if args.year is not None else "") if x
        ) + "."
        if getattr(args, "json", False) or getattr(args, "csv", False) or getattr(args, "xlsx", None):
            print(f"flags: {none_for}", file=sys.stderr)
    if getattr(args, "json", False):
        json.dump(flags_as_json(flags), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif getattr(args, "csv", False):
        flags.to_csv(sys.stdout, index=False)
    elif getattr(args, "xlsx", None):
        out = Path(args.xlsx)
        if not out.parent.exists():
            raise BadInput(out, "the directory to write the Excel file in does not exist")
        n_evidence = write_xlsx(flags, out)
        print(f"flags: {len(flags)} flags and {n_evidence} cited pages written to {out}", file=sys.stderr)
    elif none_for:
        print(none_for)
    else:
        _print_table(flags)
    return 0
