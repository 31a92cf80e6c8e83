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

from .. import privacy, store
from ..errors import BadInput
from . import decode_flag, run_all
from .base import casefold, fmt_sek, records

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


def filter_flags(flags: pd.DataFrame, year: int | None = None, party: str | None = None) -> pd.DataFrame:
    if year is not None:
        flags = flags[flags["year"].eq(int(year)).fillna(False)]
    if party:
        flags = flags[[casefold(p) == casefold(party) for p in flags["party"]]]
    return flags.reset_index(drop=True)


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
                e["source_path"] + (f"\u00a0p.\u00a0{e['page']}" if e.get("page") is not None else "") for e in evidence[:4]
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


def flags_command(args) -> int:
    processed = Path(args.processed)
    tables = None
    if processed.is_dir():
        tables = store.read_tables(processed) if any(store.table_path(processed, t).exists() for t in INPUT_TABLES) else None
    flags = load_flags(processed, tables)
    flags = filter_flags(flags, getattr(args, "year", None), getattr(args, "party", None))
    if not getattr(args, "reveal_private", False):
        flags = pseudonymise_private_donors(flags, tables or {})
    if getattr(args, "json", False):
        json.dump(flags_as_json(flags), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif getattr(args, "csv", False):
        flags.to_csv(sys.stdout, index=False)
    elif getattr(args, "xlsx", None):
        out = Path(args.xlsx)
        if not out.parent.exists():
            raise BadInput(out, "the directory to write the Excel file in does not exist")
        flags.to_excel(out, index=False, sheet_name="flags", engine="openpyxl")
        print(f"{len(flags)} flags written to {out}", file=sys.stderr)
    else:
        _print_table(flags)
    return 0
