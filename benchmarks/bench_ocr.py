"""OCR speed (issue #11): pages per second through Tesseract, and the cost of a cached re-run.

Scans are made from demo reports by ``tests/ocr/scans.py`` (rendered at 150-300 dpi, tilted,
noisy, image-only). Three rows, each ``parse_pdf`` over every scan in one process:

- ``ocr cold``: an empty OCR cache, so every page is rendered and read by Tesseract;
- ``ocr cached``: the same files again with that cache (what a re-run of ``parse`` or a changed
  ``ingest`` costs): the text layer is read from the cache, never OCR'd again;
- ``born-digital``: the original demo PDFs, for comparison with the cached re-run.

Run alone: ``.venv/bin/python benchmarks/bench_ocr.py [--scans N]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "ocr"))

from scans import DEMO, GOLDEN, ScanSpec, make_scan  # noqa: E402  (tests/ocr/scans.py)


def _specs(n: int) -> list[ScanSpec]:
    stems = sorted(p.stem for p in GOLDEN.glob("*.json"))[:n]
    dpis, skews = (150, 200, 300), (-1.0, -0.5, 0.5, 1.0)
    return [ScanSpec(s, dpis[i % 3], skews[i % 4], 500 + i) for i, s in enumerate(stems)]


def _timed(paths: list[Path], **kwargs) -> tuple[float, int]:
    from partifinans.extract import parse_pdf

    t0 = time.perf_counter()
    pages = 0
    for p in paths:
        pages += parse_pdf(p, **kwargs)["source"]["pages"]
    return time.perf_counter() - t0, pages


def run(n_scans: int = 8) -> dict:
    from partifinans.extract import ocr

    reason = ocr.unavailable_reason()
    if reason is not None:
        return {"error": f"OCR not available: {reason}"}
    work = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    try:
        specs = _specs(n_scans)
        scans = [make_scan(s, work / f"{s.name}.pdf") for s in specs]
        cache = work / "cache"
        cold, pages = _timed(scans, ocr_cache=cache)
        cached, _ = _timed(scans, ocr_cache=cache)
        digital, _ = _timed([DEMO / f"{s.stem}.pdf" for s in specs], ocr_mode="never")
        return {
            "scans": len(scans), "pages": pages, "tesseract": ocr.tesseract_version(),
            "dpi": sorted({s.dpi for s in specs}),
            "ocr_cold": {"seconds": cold, "pages_per_s": pages / cold},
            "ocr_cached": {"seconds": cached, "pages_per_s": pages / cached},
            "born_digital": {"seconds": digital, "pages_per_s": pages / digital},
            "cached_fraction_of_cold": cached / cold,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", type=int, default=8)
    print(json.dumps(run(ap.parse_args().scans), indent=1))
