"""Paths in one place.

The project root is found from this file (an editable install) or from the current directory.
Every path can be overridden by an environment variable so a notebook or a user can point the
library at real data without editing code:

- ``PARTIFINANS_ROOT``       the project root (default: the checkout this package lives in)
- ``PARTIFINANS_RAW``        raw inputs (default ``<root>/data/raw``)
- ``PARTIFINANS_PROCESSED``  processed tables (default ``<root>/data/processed``)
- ``PARTIFINANS_MANUAL``     human judgements and other hand-kept files (default ``<root>/data/manual``)
- ``PARTIFINANS_KEY_FILE``   the secret key for personnummer pseudonyms (default
  ``~/.config/partifinans/pseudonym.key``; deliberately outside the repository)
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find_root() -> Path:
    env = os.environ.get("PARTIFINANS_ROOT")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parent.parent  # lib/partifinans -> repo root
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd().resolve()


def project_root() -> Path:
    return _find_root()


def raw_dir() -> Path:
    return Path(os.environ.get("PARTIFINANS_RAW") or project_root() / "data" / "raw")


def demo_dir() -> Path:
    return raw_dir() / "demo"


def processed_dir() -> Path:
    return Path(os.environ.get("PARTIFINANS_PROCESSED") or project_root() / "data" / "processed")


def manual_dir() -> Path:
    return Path(os.environ.get("PARTIFINANS_MANUAL") or project_root() / "data" / "manual")


def judgements_path() -> Path:
    return manual_dir() / "judgements.csv"


def key_file() -> Path:
    env = os.environ.get("PARTIFINANS_KEY_FILE")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "partifinans" / "pseudonym.key"


USER_AGENT = "partifinans/0.1 (+https://github.com/partifinans/partifinans; open-source party finance analyser)"

# Bounds on one input file (documented in docs/LIMITS.md, tested in tests/robustness/test_limits.py).
MAX_PAGES = 500
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_SECONDS_PER_FILE = 60
MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024  # all of one PDF's compressed streams, inflated

# OCR of pages without a text layer (extract/ocr.py; documented in docs/LIMITS.md).
OCR_DPI = 300  # pages are rendered for Tesseract at this resolution (its documented sweet spot)
OCR_MIN_DPI = 100  # a page so large that it would have to be rendered below this is refused
OCR_MAX_PAGE_PIXELS = 60_000_000  # the rendered bitmap of one page (A4 at 300 dpi is 8.7 million)
OCR_MAX_IMAGE_PIXELS = 89_478_485  # one image inside a page (Pillow's decompression-bomb bound)
OCR_MAX_SECONDS_PER_PAGE = 60  # Tesseract is stopped after this long on one page
OCR_MAX_SECONDS_PER_FILE = 600  # and a file's OCR after this long in all
OCR_LOW_CONFIDENCE = 60  # a word with a digit below this Tesseract confidence (0-100) is a warning
