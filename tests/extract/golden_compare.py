"""Field-by-field comparison of a parsed report with its golden file (shared by the golden test and
the accuracy count reported by ``python tests/extract/golden_compare.py``)."""

from __future__ import annotations

import re

SCALARS = ("kind", "year", "period", "submitted", "total")
REPORTER = ("name", "org_number", "party", "role", "level", "area")
LINE_FIELDS = ("group", "code", "label", "amount", "page")
CONTRIBUTION_FIELDS = ("group", "code", "donor", "donor_id", "address", "form", "date", "amount", "page")
_DIFFERENCE = re.compile(r"difference (-?[\d.]+)")


def differences(report: dict) -> list[float]:
    return sorted(abs(float(m.group(1))) for w in report["warnings"] for m in [_DIFFERENCE.search(w)] if m)


def compare(parsed: dict, golden: dict) -> list[tuple[str, object, object]]:
    """Every compared field as (name, parsed value, golden value)."""
    out: list[tuple[str, object, object]] = []
    for k in SCALARS:
        out.append((k, parsed.get(k), golden.get(k)))
    out.append(("source.pages", parsed["source"]["pages"], golden["source"]["pages"]))
    out.append(("source.layout", parsed["source"]["layout"], golden["source"]["layout"]))
    for k in REPORTER:
        out.append((f"reporter.{k}", parsed["reporter"].get(k), golden["reporter"].get(k)))
    for name, fields in (("lines", LINE_FIELDS), ("contributions", CONTRIBUTION_FIELDS)):
        out.append((f"{name}.count", len(parsed[name]), len(golden[name])))
        for i, g in enumerate(golden[name]):
            p = parsed[name][i] if i < len(parsed[name]) else {}
            for k in fields:
                out.append((f"{name}[{i}].{k}", p.get(k), g.get(k)))
    out.append(("warnings.count", len(parsed["warnings"]), len(golden["warnings"])))
    out.append(("warnings.differences", differences(parsed), differences(golden)))
    return out


def mismatches(parsed: dict, golden: dict) -> list[tuple[str, object, object]]:
    return [(k, p, g) for k, p, g in compare(parsed, golden) if p != g]


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    from partifinans.extract import parse_pdf

    root = Path(__file__).resolve().parents[2]
    right = total = 0
    for golden_path in sorted((root / "tests" / "golden").glob("*.json")):
        golden = json.loads(golden_path.read_text(encoding="utf-8"))
        parsed = parse_pdf(root / "data" / "raw" / "demo" / f"{golden_path.stem}.pdf")
        fields = compare(parsed, golden)
        bad = [f for f in fields if f[1] != f[2]]
        right += len(fields) - len(bad)
        total += len(fields)
        for k, p, g in bad:
            print(f"{golden_path.stem}: {k}: parsed {p!r} golden {g!r}")
        if bad and "-v" in sys.argv:
            print("  warnings:", parsed["warnings"], golden["warnings"])
    print(f"accuracy: {right}/{total} fields = {right / total:.4f}")
