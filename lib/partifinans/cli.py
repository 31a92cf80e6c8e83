"""The ``partifinans`` command. Thin: argument parsing here, the work in the library.

Exit status: 0 success, 2 bad input (one line ``<file>: <reason>`` on stderr), 1 other failure
(also one line). A traceback is never shown to a user; set ``PARTIFINANS_DEBUG=1`` to see one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import config
from .errors import UserError


def _cmd_parse(args: argparse.Namespace) -> int:
    from .extract import parse_pdf

    report = parse_pdf(Path(args.file), ocr_mode=args.ocr)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from .pipeline import ingest

    summary = ingest(Path(args.dir), Path(args.out), jobs=args.jobs, progress=not args.quiet, ocr_mode=args.ocr)
    print(summary.line(), file=sys.stderr)
    return 1 if (args.strict and summary.failed) else 0


def _cmd_link(args: argparse.Namespace) -> int:
    from .link.cli import link_csv

    link_csv(Path(args.input), Path(args.out), judgements=Path(args.judgements) if args.judgements else None)
    return 0


def _cmd_graph(args: argparse.Namespace) -> int:
    from .graph import export_graph

    counts = export_graph(Path(args.processed), args.format, Path(args.out), reveal_private=args.reveal_private)
    what = ", ".join(f"{n} {k}" for k, n in counts.items())
    print(f"graph: {what} -> {args.out}", file=sys.stderr)
    return 0


def _cmd_flags(args: argparse.Namespace) -> int:
    from .detect.cli import flags_command

    return flags_command(args)


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import publish_report

    written = publish_report(
        Path(args.processed), Path(args.out), reveal_private=args.reveal_private,
        links=args.links, bundle=args.bundle,
    )
    print(written.line(), file=sys.stderr)
    return 0


def _cmd_sqlite(args: argparse.Namespace) -> int:
    from .export.sqlite import export_sqlite, metadata_path

    written = export_sqlite(Path(args.processed), Path(args.out), reveal_private=args.reveal_private,
                            metadata=Path(args.metadata) if args.metadata else None)
    meta = args.metadata or metadata_path(args.out)
    rows = sum(written.rows.values())
    print(f"sqlite: {len(written.rows)} tables, {rows} rows, {written.bytes / 1e6:.1f} MB -> {written.path} "
          f"(Datasette metadata: {meta})", file=sys.stderr)
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .fetch import fetch_command

    return fetch_command(args)


def _jobs(text: str) -> int:
    """``--jobs``: a whole number of at least 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not a number of processes (give 1 or more)")
    return n


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (e.g. 2023)") from None


class _Help(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=30, width=100)


def _sub(sub, name: str, help: str, description: str, examples: list[str]) -> argparse.ArgumentParser:
    epilog = "example" + ("s" if len(examples) > 1 else "") + ":\n" + "\n".join(f"  {e}" for e in examples)
    return sub.add_parser(name, help=help, description=description, epilog=epilog, formatter_class=_Help)


def _ocr_option(s: argparse.ArgumentParser) -> None:
    s.add_argument("--ocr", choices=["auto", "never", "force"], default="auto",
                   help="read pages by OCR (Tesseract, Swedish): auto = only pages without a text layer "
                        "(default), never, force = every page. OCR text layers are cached by the file's "
                        "sha256: ingest under OUT/ocr-cache, parse in ~/.cache/partifinans/ocr "
                        "($PARTIFINANS_OCR_CACHE)")


def _processed_option(s: argparse.ArgumentParser, processed) -> None:
    s.add_argument("processed", nargs="?", default=str(processed), help=f"the processed tables (default: {processed})")


def _reveal_private_option(s: argparse.ArgumentParser) -> None:
    s.add_argument("--reveal-private", action="store_true",
                   help="include private donors' names (default: shown as Privatperson <hash>)")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    raw, processed = config.raw_dir(), config.processed_dir()
    p = argparse.ArgumentParser(
        prog="partifinans", formatter_class=_Help,
        description="Swedish party finance reports (intäktsredovisningar) as data: tables, a donor network "
        "and a register of flags with evidence.",
        epilog="Paths default to the project's data/ directory; PARTIFINANS_RAW and PARTIFINANS_PROCESSED "
        "override them.\n`partifinans COMMAND --help` describes each command.",
    )
    p.add_argument("--version", action="version", version=f"partifinans {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = _sub(sub, "parse", "read one report PDF and print it as JSON",
             "Read one report PDF and print it as JSON (partifinans.report/1), every figure with its page.",
             ["partifinans parse data/raw/demo/centerpartiet-lund-2023.pdf"])
    s.add_argument("file", help="the report PDF to read")
    _ocr_option(s)
    s.set_defaults(func=_cmd_parse)

    s = _sub(sub, "ingest", "read every report under DIR into Parquet tables",
             "Read every report PDF and open-data CSV under DIR into Parquet tables in OUT. Only new or "
             "changed files are read again; a file that cannot be read is listed with its reason.",
             ["partifinans ingest data/raw --out data/processed", "partifinans ingest ~/reports --out ~/processed --jobs 2"])
    s.add_argument("dir", nargs="?", default=str(raw), help=f"the directory of reports (default: {raw})")
    s.add_argument("--out", default=str(processed), help=f"where the tables are written (default: {processed})")
    s.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help="worker processes, 1 or more (default: one per CPU core)")
    s.add_argument("--strict", action="store_true", help="exit with status 1 if any file failed (default: off)")
    s.add_argument("--quiet", action="store_true", help="no progress bar (default: a bar on a terminal)")
    _ocr_option(s)
    s.set_defaults(func=_cmd_ingest)

    s = _sub(sub, "link", "link donor records in a CSV to entities",
             "Deduplicate a donor list into entities, with the rule and score of every link. Columns: "
             "record_id, name (required), donor_id (or org_number, organisationsnummer, personnummer), "
             "address, kind, year, recipient.",
             ["partifinans link donors.csv --out donors-linked.csv"])
    s.add_argument("input", help="the donor list (CSV, comma or semicolon separated, UTF-8)")
    s.add_argument("--out", required=True, help="the CSV to write (required); pairs to review go beside it")
    s.add_argument("--judgements", default=None, metavar="CSV",
                   help=f"human judgements on links (default: {config.judgements_path()})")
    s.set_defaults(func=_cmd_link)

    s = _sub(sub, "graph", "export the money graph",
             "Export the money graph (donors -> organisations -> parties) for Gephi or OCCRP Aleph.",
             ["partifinans graph --format gexf --out money.gexf", "partifinans graph data/processed --format ftm --out money.ftm.json"])
    _processed_option(s, processed)
    s.add_argument("--format", choices=["graphml", "gexf", "ftm"], required=True,
                   help="graphml, gexf (Gephi) or ftm (followthemoney, for Aleph); required")
    s.add_argument("--out", required=True, help="the file to write (required)")
    _reveal_private_option(s)
    s.set_defaults(func=_cmd_graph)

    s = _sub(sub, "flags", "list gaps and circumvention flags",
             "List the flag register: gaps and circumvention patterns, each with its evidence (file and page).",
             ["partifinans flags --party MP --year 2023", "partifinans flags --xlsx register.xlsx"])
    _processed_option(s, processed)
    fmt = s.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="a JSON array on stdout (default: a readable table)")
    fmt.add_argument("--csv", action="store_true", help="CSV on stdout (default: a readable table)")
    fmt.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook: flags and evidence sheets")
    s.add_argument("--year", type=_year, help="only this reporting year (default: all years)")
    s.add_argument("--party", help="only this party: name or abbreviation, any case, e.g. MP (default: all)")
    _reveal_private_option(s)
    s.set_defaults(func=_cmd_flags)

    s = _sub(sub, "report", "write the HTML flag register",
             "Write the flag register as one self-contained HTML page (opens offline). Evidence is linked "
             "to the source file and page, and shown as text beside the link.",
             ["partifinans report --out register.html", "partifinans report --out register.html --bundle"])
    _processed_option(s, processed)
    s.add_argument("--out", required=True, help="the HTML file to write (required)")
    s.add_argument("--links", choices=["relative", "absolute"], default="relative",
                   help="evidence links relative to the HTML file (move the folder together) or absolute "
                   "file:// addresses (the page works anywhere on this machine) (default: relative)")
    s.add_argument("--bundle", action="store_true",
                   help="also write each cited page as a PNG in <OUT>-evidence/ beside the HTML and link "
                   "it, so the register and its evidence travel as one folder; private donors' names, "
                   "personnummer and addresses are painted over unless --reveal-private, and pages read by "
                   "OCR are then left out (default: off)")
    _reveal_private_option(s)
    s.set_defaults(func=_cmd_report)

    s = _sub(sub, "sqlite", "write the processed tables into one SQLite database (for Datasette)",
             "Write every processed table into one SQLite database with keys, indexes and full-text search, "
             "and a Datasette metadata file beside it (descriptions, facets, canned queries). Private donors "
             "are pseudonymised unless --reveal-private; a personnummer is never written in clear.",
             ["partifinans sqlite --out partifinans.db", "make browse"])
    _processed_option(s, processed)
    s.add_argument("--out", required=True, help="the database file to write, e.g. partifinans.db (required)")
    s.add_argument("--metadata", default=None, help="Datasette metadata file (default: <out stem>.metadata.json)")
    _reveal_private_option(s)
    s.set_defaults(func=_cmd_sqlite)

    s = _sub(sub, "fetch", "download the open-data file or listed report URLs",
             "Download politely, one request at a time, recording every file in MANIFEST.csv.",
             ["partifinans fetch opendata", "partifinans fetch urls my-reports.txt"])
    fsub = s.add_subparsers(dest="what", required=True, metavar="WHAT")
    f = _sub(fsub, "opendata", "Kammarkollegiet's open-data CSV",
             "Download Kammarkollegiet's open-data file (PartiinsynOpenData.csv).",
             ["partifinans fetch opendata", "partifinans fetch opendata --dest /data/raw/opendata"])
    f.add_argument("--url", default=None, help="override the published address (default: Kammarkollegiet's)")
    f.add_argument("--dest", default=None, help=f"where to save it (default: {raw / 'opendata'})")
    f = _sub(fsub, "urls", "report PDFs listed in a file",
             "Download the report PDFs listed in a text file, one URL a line (# starts a comment).",
             ["partifinans fetch urls my-reports.txt --dest data/raw/pdf/2023"])
    f.add_argument("list", help="a text file with one URL a line")
    f.add_argument("--dest", default=None, help=f"where to save them (default: {raw / 'pdf'})")
    s.set_defaults(func=_cmd_fetch)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("partifinans: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the user sees one line, never a traceback
        if os.environ.get("PARTIFINANS_DEBUG"):
            raise
        print(f"partifinans: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
