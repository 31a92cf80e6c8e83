"""Stage 4 of reading a report: what has been read so far, and the ``partifinans.report/1`` document.

A family reader (``eservice.py``, ``form2014.py``) walks the geometry (``geometry.py``) block by
block, hands field blocks to ``fields.py`` and tables to ``tables.py``, and collects their results
in a :class:`ReportState`; ``checks.py`` then checks it and :func:`to_report` writes the document.
Whatever no reader could place becomes a warning with its page (:func:`warn_unplaced`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pdftext import Document, Line


@dataclass
class Reporter:
    name: str | None = None
    org_number: str | None = None
    party: str | None = None
    role: str | None = None
    level: str | None = None
    area: str | None = None

@dataclass
class ReportState:
    """What a family parser has read so far."""

    path: str
    kind: str = "intaktsredovisning"
    year: int | None = None
    period: dict | None = None
    submitted: str | None = None
    reporter: Reporter = field(default_factory=Reporter)
    lines: list[dict] = field(default_factory=list)
    contributions: list[dict] = field(default_factory=list)
    total: float | None = None
    total_page: int | None = None
    warnings: list[str] = field(default_factory=list)
    labels_above_values: bool = False
    year_sources: list[tuple[int, str, int | None]] = field(default_factory=list)  # (year, evidence, page)
    checks: list[str] = field(default_factory=list)
    confidence: str | None = None
    unplaced: list[tuple[int, Line]] = field(default_factory=list)  # (index of its warning, line)

    def warn(self, page: int | None, message: str) -> None:
        where = f"page {page}: " if page else ""
        self.warnings.append(f"{where}{message}")

    def add_year(self, year: int, evidence: str, page: int | None) -> None:
        """One source stating the reporting year; :func:`decide_year` weighs them all."""
        self.year_sources.append((year, evidence, page))

_LABEL_COLON = re.compile(r"^([^:\d][^:]{0,59}):(?:\s|$)")

def warn_unplaced(state: ReportState, line: Line) -> None:
    """A line no reader could place: an unknown label when it starts like one ("Hemsida: ..."), else the line."""
    state.unplaced.append((len(state.warnings), line))  # a total may yet be found among them (checks.py)
    m = _LABEL_COLON.match(line.cells[0].text)
    if m:
        state.warn(line.page, f"unknown label {m.group(1) + ':'!r} (line {line.text!r})")
    else:
        state.warn(line.page, f"line {line.text!r} not recognised")

def to_report(state: ReportState, doc: Document, sha256: str, layout: str) -> dict:
    r = state.reporter
    return {
        "schema": "partifinans.report/1",
        "source": {"path": state.path, "sha256": sha256, "pages": doc.n_pages, "layout": layout},
        "kind": state.kind,
        "year": state.year,
        "period": state.period,
        "submitted": state.submitted,
        "reporter": {"name": r.name, "org_number": r.org_number, "party": r.party, "role": r.role,
                     "level": r.level, "area": r.area},
        "lines": state.lines,
        "contributions": [{k: v for k, v in c.items() if not k.startswith("_")} for c in state.contributions],
        "total": state.total,
        "warnings": state.warnings,
        "confidence": state.confidence,
        "checks": state.checks,
    }
