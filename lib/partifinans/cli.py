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
    from .report import write_report

    write_report(Path(args.processed), Path(args.out), reveal_private=getattr(args, "reveal_private", False))
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .fetch import fetch_command

    return fetch_command(args)


def _ocr_option(s: argparse.ArgumentParser) -> None:
    s.add_argument("--ocr", choices=["auto", "never", "force"], default="auto",
                   help="read pages by OCR (Tesseract, Swedish): auto = only pages without a text layer "
                        "(default), never, force = every page. OCR text layers are cached by the file's "
                        "sha256: ingest under OUT/ocr-cache, parse in ~/.cache/partifinans/ocr "
                        "($PARTIFINANS_OCR_CACHE)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="partifinans", description="Swedish party finance reports as data.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("parse", help="read one report PDF and print it as JSON")
    s.add_argument("file")
    _ocr_option(s)
    s.set_defaults(func=_cmd_parse)

    s = sub.add_parser("ingest", help="read every report under DIR into Parquet tables")
    s.add_argument("dir", nargs="?", default=str(config.raw_dir()))
    s.add_argument("--out", default=str(config.processed_dir()))
    s.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    s.add_argument("--strict", action="store_true", help="exit 1 if any file failed")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    _ocr_option(s)
    s.set_defaults(func=_cmd_ingest)

    s = sub.add_parser("link", help="link donor records in a CSV to entities")
    s.add_argument("input")
    s.add_argument("--out", required=True)
    s.add_argument("--judgements", default=None, help="judgements CSV (default data/manual/judgements.csv)")
    s.set_defaults(func=_cmd_link)

    s = sub.add_parser("graph", help="export the money graph")
    s.add_argument("processed", nargs="?", default=str(config.processed_dir()))
    s.add_argument("--format", choices=["graphml", "gexf", "ftm"], required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--reveal-private", action="store_true", help="include private donors' names")
    s.set_defaults(func=_cmd_graph)

    s = sub.add_parser("flags", help="list gaps and circumvention flags")
    s.add_argument("processed", nargs="?", default=str(config.processed_dir()))
    fmt = s.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    fmt.add_argument("--xlsx", metavar="FILE")
    s.add_argument("--year", type=int)
    s.add_argument("--party")
    s.add_argument("--reveal-private", action="store_true", help="include private donors' names")
    s.set_defaults(func=_cmd_flags)

    s = sub.add_parser("report", help="write the HTML flag register")
    s.add_argument("processed", nargs="?", default=str(config.processed_dir()))
    s.add_argument("--out", required=True)
    s.add_argument("--reveal-private", action="store_true", help="include private donors' names")
    s.set_defaults(func=_cmd_report)

    s = sub.add_parser("fetch", help="download the open-data file or listed report URLs")
    fsub = s.add_subparsers(dest="what", required=True)
    f = fsub.add_parser("opendata")
    f.add_argument("--url", default=None, help="override the published address")
    f.add_argument("--dest", default=None)
    f = fsub.add_parser("urls")
    f.add_argument("list")
    f.add_argument("--dest", default=None)
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
