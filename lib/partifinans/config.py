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

Source paths (``source_path`` in every table, ``path`` in ``files``, evidence in ``flags``) have one
root, the raw directory: a file under it is stored relative to it (``demo/x.pdf`` for
``data/raw/demo/x.pdf``, however ``ingest`` was called), a file outside it with its absolute path.
``source_file`` turns a stored path back into the file; ``display_path`` prints it so that it opens
from the directory the user stands in.
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


def stored_source_path(path: Path | str) -> str:
    """How a source file is named in the tables: relative to ``raw_dir()`` if inside it, else absolute."""
    path = Path(path).resolve()
    try:
        return path.relative_to(raw_dir().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def source_file(source_path: str | Path) -> Path:
    """The file a stored source path names (relative paths lie under ``raw_dir()``).

    Tables written before paths had one root named files relative to the parent of the directory
    ingest read (``raw/demo/x.pdf``); such a path is looked up beside the raw directory too.
    """
    p = Path(source_path)
    if p.is_absolute():
        return p
    raw = raw_dir()
    candidates = [raw / p, raw.parent / p]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[0]


def display_path(path: str | Path, start: Path | str | None = None) -> str:
    """``path`` as the user can open it from ``start`` (default: the current directory): relative when
    it lies below ``start``, else absolute. Stored source paths are resolved with ``source_file``."""
    target = source_file(path).resolve() if not Path(path).is_absolute() else Path(path)
    base = Path(start or Path.cwd()).resolve()
    try:
        return target.relative_to(base).as_posix()
    except ValueError:
        return target.as_posix()


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
