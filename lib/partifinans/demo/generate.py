"""Write the demo corpus: PDFs, their README, and the golden parse output of each.

    python -m partifinans.demo.generate --out data/raw/demo [--golden tests/golden] [--seed 2024]

(``make demo`` runs it.) Each ``<stem>.pdf`` is rendered by :mod:`partifinans.demo.render` from
:func:`partifinans.demo.corpus.demo_reports`; each ``<golden>/<stem>.json`` is the EXPECTED output
of ``partifinans parse data/raw/demo/<stem>.pdf`` (the ``partifinans.report/1`` contract) with the
page on which every line and contribution is actually printed. Output is byte-identical for the
same seed. Files are written in place; nothing else in the directories is touched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from .. import law
from ..identifiers import parse_identifier
from .corpus import SEED, DemoReport, Plant, build
from .render import Placement, draw_report

SOURCE_DIR = "data/raw/demo"  # how goldens name the files (paths relative to the project root)

ROLE_NAMES = {"parti": "parti", "sidoorganisation": "sidoorganisation", "ledamot": "ledamot", "ersattare": "ersättare"}


def normalise_donor_id(printed: str | None) -> str | None:
    """The ``donor_id`` a parser reports: ``NNNNNN-NNNN`` / ``YYYYMMDD-NNNN`` for anything shaped like a
    Swedish identity number (also an invalid one, whose digits are kept), else the text as printed."""
    if printed is None:
        return None
    ident = parse_identifier(printed)
    return ident.value if ident is not None else printed


def expected_document(demo: DemoReport, pdf_bytes: bytes, placement: Placement) -> dict:
    """The golden ``partifinans.report/1`` document for one rendered demo report."""
    report = demo.report
    lines = [{**{k: ln[k] for k in ("group", "code", "label", "amount")}, "page": page}
             for ln, page in zip(report["lines"], placement.line_pages, strict=True)]
    contributions = []
    for c, page in zip(report["contributions"], placement.contribution_pages, strict=True):
        contributions.append({
            "group": c["group"], "code": c["code"], "donor": c["donor"],
            "donor_id": normalise_donor_id(c["donor_id"]),
            "address": None if demo.layout == "form2014" else c["address"],  # the 2014 form has no address column
            "form": c["form"], "date": c["date"], "amount": c["amount"], "page": page,
        })
    return {
        "schema": "partifinans.report/1",
        "source": {"path": f"{SOURCE_DIR}/{demo.stem}.pdf", "sha256": hashlib.sha256(pdf_bytes).hexdigest(),
                   "pages": placement.pages, "layout": demo.layout},
        "kind": report["kind"],
        "year": report["year"],
        "period": report["period"],
        "submitted": report["submitted"],
        "reporter": dict(report["reporter"]),
        "lines": lines,
        "contributions": contributions,
        "total": report["total"],
        "warnings": list(demo.expected_warnings),
    }


def render_one(demo: DemoReport, path: Path) -> tuple[bytes, Placement]:
    """Render one demo report; fail if the file shows a quirk its list does not name (or the reverse),
    so the README's quirk column is true."""
    placement = draw_report(demo.report, path, demo.layout, demo.quirks)
    shown = {"wrapped_donor_name": placement.wrapped_donor_rows > 0,
             "table_across_pages": placement.split_tables > 0}
    for quirk, is_shown in shown.items():
        if is_shown != (quirk in demo.quirks):
            raise ValueError(f"{demo.stem}: quirk {quirk} is {'shown' if is_shown else 'listed'} "
                             f"but not {'listed' if is_shown else 'shown'}")
    return path.read_bytes(), placement


def _sek(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def readme_text(reports: list[DemoReport], plants: list[Plant], seed: int) -> str:
    """``data/raw/demo/README.md``: what the corpus is, the files, the planted cases."""
    out = [
        "# Demo corpus (fictional)",
        "",
        "Everything in this folder is **invented**. The reports imitate Kammarkollegiet's income reports",
        "(intäktsredovisningar) under lag (2018:90) and the 2014-law form KAM11001, so that the whole",
        "pipeline (parse, ingest, link, flags, notebooks) can be run and tested without real data.",
        "Party names are real; the organisations, members, donors, addresses, identity numbers and all",
        "amounts are not. Persons carry personnummer born 1890-1899 and names built on `Test-`, `Exempel-`,",
        "`Påhitt-`, `Låtsas-`, `Fiktiv-`; identity numbers have valid check digits (except the one planted",
        "invalid number) and any match with a real organisation's number is a coincidence.",
        "",
        "## Regenerate",
        "",
        "```",
        "make demo      # = python -m partifinans.demo.generate --out data/raw/demo --golden tests/golden",
        "```",
        "",
        f"The generator (`lib/partifinans/demo/`) works from a fixed seed ({seed}) and writes byte-identical",
        "PDFs; `tests/demo/` checks that the committed files equal a fresh generation. Thresholds come",
        "from `lib/partifinans/law.csv`. `tests/golden/<stem>.json` holds the expected `partifinans parse`",
        "output of each file (see `tests/golden/README.md`).",
        "",
        "Layouts: `eservice_table` (portrait, bordered tables, labels beside values), `eservice_stacked`",
        "(labels above values, no borders), `eservice_landscape` (landscape, two-column header),",
        "`form2014` (the 2014-law Excel form printed to PDF, no type codes), `anmalan` (below-threshold",
        "notice). Quirks: `table_across_pages`, `wrapped_donor_name`, `amount_formats`, `date_words`",
        "(see `lib/partifinans/demo/render.py`).",
        "",
        "## Files",
        "",
        "| stem | year | organisation | party | role | level | layout | quirks | planted |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for d in reports:
        r = d.report["reporter"]
        out.append(f"| {d.stem} | {d.report['year']} | {r['name']} | {r['party']} | {ROLE_NAMES[r['role']]} | "
                   f"{r['level']} | {d.layout} | {', '.join(sorted(d.quirks)) or '-'} | "
                   f"{', '.join(d.planted) or '-'} |")
    out += [
        "",
        "## Planted cases",
        "",
        "What later analyses must find, and the flag (issue #5 detector) that finds each:",
        "",
        "| flag | files | case |",
        "|---|---|---|",
    ]
    for p in sorted(plants, key=lambda p: (p.detector, p.stems)):
        out.append(f"| `{p.detector}` | {', '.join(p.stems)} | {p.description} |")
    covered = [d for d in reports if d.in_opendata]
    out += [
        "",
        "Everything else is meant to be ordinary: totals add up, reports are filed before 1 July,",
        "anonymous gifts stay well below the limit, no donor gives to more than one organisation of a",
        "party in a year, no donor gives half an organisation's non-public income, and income moves by",
        "less than five times from one year to the next. `tests/demo/test_corpus.py` checks this.",
        "",
        "Overlap to be aware of: Liberalerna Exempelstad 2022 holds both the lottery surge and one of",
        "the four Bergström gifts.",
        "",
        "The Bergström case is meant to be hard for linkage: one printing has no number at all, only a",
        "name variant and the address that the other printings share; another has the number with a",
        "century prefix and no address. A linker that misses the address-only printing finds three",
        "organisations instead of four (still a split) and may see two donors at one address.",
        "The true donor behind every itemised entry is in `DemoReport.donor_keys` (linkage truth).",
        "",
        "## Open data",
        "",
        "The demo open-data file (`partifinans.demo.opendata`) covers these organisation-years "
        "(`DemoReport.in_opendata`):",
        "",
    ]
    for d in covered:
        change = d.opendata_change
        what = ("agrees with the PDF" if change is None else
                f"disagrees: group {change[0]} is {_sek(change[1])} kr higher in the open data than in the PDF")
        out.append(f"- `{d.stem}`: {what}")
    out += [
        "",
        "Identity thresholds used (0.5 pbb, from law.csv): "
        + ", ".join(f"{y}: {_sek(law.threshold(y, 'identity'))} kr" for y in range(2016, 2025)) + ".",
        "",
    ]
    return "\n".join(out)


def generate(out: Path, golden: Path | None = None, seed: int = SEED) -> list[DemoReport]:
    """Render every demo report into ``out`` (and its golden into ``golden``); return the reports."""
    reports, plants = build(seed)
    out.mkdir(parents=True, exist_ok=True)
    if golden is not None:
        golden.mkdir(parents=True, exist_ok=True)
    for demo in reports:
        data, placement = render_one(demo, out / f"{demo.stem}.pdf")
        if golden is not None:
            doc = expected_document(demo, data, placement)
            (golden / f"{demo.stem}.json").write_text(
                json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "README.md").write_text(readme_text(reports, plants, seed), encoding="utf-8")
    return reports


def generate_to_memory(seed: int = SEED) -> dict[str, bytes]:
    """Every file :func:`generate` writes, as ``{"pdf/<stem>.pdf" | "golden/<stem>.json" | "README.md": bytes}``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "pdf", root / "golden", seed)
        files = {f"pdf/{p.name}": p.read_bytes() for p in sorted((root / "pdf").glob("*.pdf"))}
        files.update({f"golden/{p.name}": p.read_bytes() for p in sorted((root / "golden").glob("*.json"))})
        files["README.md"] = (root / "pdf" / "README.md").read_bytes()
        return files


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m partifinans.demo.generate",
                                description="Write the fictional demo corpus (PDFs, README, golden JSON).")
    p.add_argument("--out", type=Path, required=True, help="folder for the PDFs and README (data/raw/demo)")
    p.add_argument("--golden", type=Path, help="folder for the golden parse output (tests/golden)")
    p.add_argument("--seed", type=int, default=SEED)
    args = p.parse_args(argv)
    reports = generate(args.out, args.golden, args.seed)
    print(f"wrote {len(reports)} demo reports to {args.out}" + (f" and goldens to {args.golden}" if args.golden else ""),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
