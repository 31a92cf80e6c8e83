"""Small processed tables for detector tests, built inline and passed through ``schema.conform``.

Every organisation and donor here is fictional. Organisationsnummer get a valid Luhn check digit
(``orgnr("802000-001")``) unless a test wants an invalid one.
"""

from __future__ import annotations

import pandas as pd
from stdnum import luhn

from partifinans import schema


def orgnr(first9: str) -> str:
    """A fictional organisationsnummer with a valid check digit from its first nine digits."""
    digits = first9.replace("-", "")
    assert len(digits) == 9
    return f"{digits[:6]}-{digits[6:]}{luhn.calc_check_digit(digits)}"


def report(
    name: str,
    year: int,
    number: str | None,
    *,
    party: str = "Liberalerna",
    role: str = "parti",
    level: str = "kommun",
    source_kind: str = "pdf",
    report_id: str | None = None,
    **extra,
) -> dict:
    rid = report_id or f"{number or name}-{year}-{source_kind}"
    slug = (name or "x").lower().replace(" ", "-")
    row = {
        "report_id": rid,
        "source_path": extra.pop("source_path", f"demo/{slug}-{year}.pdf" if source_kind == "pdf" else "opendata/PartiinsynOpenData.csv"),
        "source_sha256": "0" * 64,
        "source_kind": source_kind,
        "is_primary": extra.pop("is_primary", True),
        "kind": "intaktsredovisning",
        "year": year,
        "org_number": number,
        "is_org_number_valid": extra.pop("is_org_number_valid", True if number else None),
        "reporter_name": name,
        "party": party,
        "role": role,
        "level": level,
        "submitted": extra.pop("submitted", f"{year + 1}-03-15"),
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
    }
    row.update(extra)
    return row


def line(report_id: str, code: str, amount: float, page: int | None = 1, **extra) -> dict:
    return {"report_id": report_id, "group": int(code.split(".")[0]), "code": code, "amount": float(amount), "page": page, **extra}


def gift(
    report_id: str,
    amount: float,
    donor: str | None = None,
    donor_id: str | None = None,
    *,
    kind: str = "organisation",
    code: str = "5.7",
    page: int | None = 2,
    **extra,
) -> dict:
    return {
        "report_id": report_id,
        "group": int(code.split(".")[0]),
        "code": code,
        "donor": donor,
        "donor_id": donor_id,
        "is_donor_id_valid": extra.pop("is_donor_id_valid", True if donor_id else None),
        "donor_kind": kind,
        "amount": float(amount),
        "page": page,
        **extra,
    }


def tables(reports=(), lines=(), contributions=(), disagreements=(), *, with_totals: bool = True) -> dict[str, pd.DataFrame]:
    """The processed tables; each report's ``total`` defaults to the sum of its lines."""
    reports = [dict(r) for r in reports]
    if with_totals:
        for r in reports:
            if "total" not in r:
                r["total"] = float(sum(x["amount"] for x in lines if x["report_id"] == r["report_id"]))
    contributions = [
        {"contribution_id": f"c{i}", **c} for i, c in enumerate(contributions)
    ]
    return {
        "reports": schema.conform(pd.DataFrame(reports), "reports"),
        "lines": schema.conform(pd.DataFrame(list(lines)), "lines") if lines else schema.empty("lines"),
        "contributions": schema.conform(pd.DataFrame(contributions), "contributions")
        if contributions
        else schema.empty("contributions"),
        "disagreements": schema.conform(pd.DataFrame(list(disagreements)), "disagreements")
        if disagreements
        else schema.empty("disagreements"),
        "entities": schema.empty("entities"),
    }


def run(pattern: str, tabs: dict[str, pd.DataFrame]) -> list[dict]:
    """The flags one detector raises on the tables (as dicts with decoded list fields)."""
    from partifinans.detect import DETECTORS
    from partifinans.detect.base import Data

    return DETECTORS[pattern](Data(tabs))


def check(flags: list[dict], expected: list[dict]) -> None:
    """Each flag matches its expected fields; ``orgs`` / ``donors`` compare the names only."""
    assert len(flags) == len(expected), [f["explanation"] for f in flags]
    flags = sorted(flags, key=lambda f: (f["year"] or 0, -(f["amount"] or 0)))
    for flag, want in zip(flags, expected, strict=True):
        for key, value in want.items():
            if key == "orgs":
                assert [o["name"] for o in flag["organisations"]] == value
            elif key == "donors":
                assert [d["name"] for d in flag["donors"]] == value
            elif key == "in_text":
                for text in value:
                    assert text in flag["explanation"], flag["explanation"]
            elif key == "pages":
                assert [e["page"] for e in flag["evidence"]] == value
            else:
                assert flag[key] == value, (key, flag[key], value)
