"""Test scans made from the demo reports: each page rendered to an image, tilted, speckled and
wrapped as an image-only PDF (no text layer), deterministically (a seed per scan).

``make_scan(src, dest, dpi, skew_degrees, seed)``: the page is rendered by pypdfium2 at ``dpi``
(150-300 as a scanner would), turned by ``skew_degrees`` (a sheet laid askew, up to a degree),
given grey noise (a normal distribution of ``noise_sigma`` grey levels per pixel) and dark specks
(a fraction ``speck_fraction`` of the pixels, dust on the glass), and saved by Pillow as a PDF of
one image per page, the page size of the original. ``python tests/ocr/scans.py all [CACHE_DIR]`` measures field
accuracy over all 49 demo reports as scans (see ``accuracy``; the closing note of issue #11 quotes
its ``scorer`` count); ``second`` instead of ``all`` scans them with other seeds, resolutions,
tilts and noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "raw" / "demo"
GOLDEN = ROOT / "tests" / "golden"


@dataclass(frozen=True)
class ScanSpec:
    stem: str  # a demo report (data/raw/demo/<stem>.pdf, tests/golden/<stem>.json)
    dpi: int
    skew_degrees: float
    seed: int
    noise_sigma: float = 10.0
    speck_fraction: float = 0.0005

    @property
    def name(self) -> str:
        return f"{self.stem}-{self.dpi}dpi-{self.skew_degrees:+.1f}deg-s{self.seed}"


def make_scan(spec: ScanSpec, dest: Path) -> Path:
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(spec.seed)
    pdf = pdfium.PdfDocument(str(DEMO / f"{spec.stem}.pdf"))
    images = []
    try:
        for page in pdf:
            img = page.render(scale=spec.dpi / 72, grayscale=True).to_pil().convert("L")
            img = img.rotate(spec.skew_degrees, resample=Image.BICUBIC, fillcolor=255)
            a = np.asarray(img, dtype=np.float32)
            a = a + rng.normal(0.0, spec.noise_sigma, a.shape)
            a[rng.random(a.shape) < spec.speck_fraction] = 0.0
            images.append(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)))
    finally:
        pdf.close()
    images[0].save(dest, format="PDF", save_all=True, append_images=images[1:], resolution=spec.dpi)
    return dest


# A handful of pages for CI: every layout family, the three resolutions, tilts both ways.
CI_SCANS = [
    ScanSpec("2022_liberalerna-exempelstad", 300, 0.6, 1),     # eservice_table
    ScanSpec("2023_socialdemokraterna-latsasvik", 200, -1.0, 2),  # eservice_stacked
    ScanSpec("2024_vansterpartiet-exempelstad", 150, 0.8, 3),   # eservice_landscape
    ScanSpec("2016_liberalerna-riks", 200, -0.5, 4),           # form2014
    ScanSpec("2023_kalle-pahittsson", 300, 1.0, 5),            # anmalan
]


def value_fields(parsed: dict, golden: dict) -> list[tuple[str, object, object]]:
    """The golden comparison without its warnings rows (an OCR'd report warns by design)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "extract"))
    from golden_compare import compare

    return [f for f in compare(parsed, golden) if not f[0].startswith("warnings")]


def _page_of(field: str, golden: dict) -> int | None:
    import re

    m = re.match(r"(lines|contributions)\[(\d+)\]", field)
    return golden[m.group(1)][int(m.group(2))]["page"] if m else None


def silent_fields(parsed: dict, golden: dict) -> list[str]:
    """Wrong fields with no warning on their page (any warning, for a field without a page), in a
    report whose confidence is not low: the silent wrong values the OCR tests forbid."""
    if parsed.get("confidence") == "low":
        return []
    out = []
    for k, p, g in value_fields(parsed, golden):
        if p != g:
            page = _page_of(k, golden)
            if not any(page is None or w.startswith(f"page {page}:") for w in parsed["warnings"]):
                out.append(f"{k}: {p!r} (golden {g!r})")
    return out


def line_amounts_by_code(parsed: dict, golden: dict) -> tuple[int, int]:
    """(right, total) income-line amounts matched by code, not by position: one line lost does not
    make every later line wrong, as it does in the positional golden comparison."""
    got = {(ln["group"], ln["code"], ln["label"] if ln["code"] is None else None): ln["amount"]
           for ln in parsed["lines"]}
    right = sum(1 for ln in golden["lines"]
                if got.get((ln["group"], ln["code"], ln["label"] if ln["code"] is None else None)) == ln["amount"])
    return right, len(golden["lines"])


def layout_truth(golden: dict) -> dict:
    """A golden file in the form of the layouts scorer's ``truth.json`` (tests/layouts/score.py):
    sums per group and contributions matched by content, not by position."""
    groups: dict[str, float] = {}
    for ln in golden["lines"]:
        groups[str(ln["group"])] = groups.get(str(ln["group"]), 0.0) + ln["amount"]
    return {"kind": golden["kind"], "year": golden["year"], "org_number": golden["reporter"]["org_number"] or "",
            "reporter_name": golden["reporter"]["name"], "total": golden["total"], "groups": groups,
            "submitted": golden["submitted"],
            "contributions": [{k: c[k] for k in ("group", "donor", "donor_id", "amount", "date")}
                              for c in golden["contributions"]]}


def accuracy(specs: list[ScanSpec], workdir: Path, cache: Path) -> dict:
    """Field accuracy over the scans of ``specs``: right and total fields, the wrong ones, silent
    wrong values, line amounts matched by code, and the layouts scorer's count (``scorer``: right
    and total fields, and files with a wrong field but neither a warning nor low confidence)."""
    import json
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "layouts"))
    from score import flagged, n_fields, score_file

    from partifinans.errors import BadInput
    from partifinans.extract import parse_pdf

    res = {"scans": len(specs), "right": 0, "total": 0, "all_right": 0, "refused": 0, "silent": [], "wrong": [],
           "line_amounts_by_code": [0, 0], "scorer": [0, 0, 0]}
    for spec in specs:
        golden = json.loads((GOLDEN / f"{spec.stem}.json").read_text(encoding="utf-8"))
        scan = make_scan(spec, workdir / f"{spec.name}.pdf")
        try:
            parsed = parse_pdf(scan, ocr_cache=cache)
        except BadInput as exc:
            res["total"] += len(value_fields(golden, golden))
            res["refused"] += 1
            res["scorer"][1] += n_fields(layout_truth(golden))
            res["wrong"].append(f"{spec.name}: refused: {exc.reason}")
            continue
        fields = value_fields(parsed, golden)
        bad = [f for f in fields if f[1] != f[2]]
        res["right"] += len(fields) - len(bad)
        res["total"] += len(fields)
        res["all_right"] += not bad
        res["wrong"] += [f"{spec.name}: {k}: parsed {p!r} golden {g!r}" for k, p, g in bad]
        res["silent"] += [f"{spec.name}: {s}" for s in silent_fields(parsed, golden)]
        r, t = line_amounts_by_code(parsed, golden)
        res["line_amounts_by_code"][0] += r
        res["line_amounts_by_code"][1] += t
        ok, total, miss = score_file(parsed, layout_truth(golden))
        res["scorer"] = [res["scorer"][0] + ok, res["scorer"][1] + total,
                         res["scorer"][2] + bool(miss and not flagged(parsed))]
    res["accuracy"] = round(res["right"] / res["total"], 4) if res["total"] else None
    return res


if __name__ == "__main__":
    import json
    import sys
    import tempfile

    stems = sorted(p.stem for p in GOLDEN.glob("*.json"))
    if len(sys.argv) > 1 and sys.argv[1] not in ("all", "second"):
        stems = stems[: int(sys.argv[1])]
    if len(sys.argv) > 1 and sys.argv[1] == "second":
        # made after the OCR work, never used to tune it: other seeds, resolutions, tilts and noise
        dpis, skews = (175, 250, 225), (-0.8, -0.3, 0.3, 0.8)
        specs = [ScanSpec(s, dpis[i % 3], skews[i % 4], 700 + i, noise_sigma=14.0) for i, s in enumerate(stems)]
    else:
        dpis, skews = (150, 200, 300), (-1.0, -0.5, 0.5, 1.0)
        specs = [ScanSpec(s, dpis[i % 3], skews[i % 4], 100 + i) for i, s in enumerate(stems)]
    with tempfile.TemporaryDirectory() as tmp:
        res = accuracy(specs, Path(tmp), Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tmp) / "cache")
    print("\n".join(res.pop("wrong")))
    print("silent:", *res["silent"], sep="\n  ")
    print(json.dumps({k: v for k, v in res.items() if k != "silent"} | {"silent": len(res["silent"])}))
