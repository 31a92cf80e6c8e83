"""Stage 5, the last, of reading a report: the checks a reader can make on what it read, and a confidence.

Nothing here changes a value. Sums that do not agree become warnings (:func:`reconcile`); every
report gets ``checks`` (what was verified, or why not, one sentence each) and a ``confidence``:

- ``high``: the lines add up to the printed total, each itemised table adds up to its line, the
  year, the reporter's name and (except for a member or substitute, who has none) organisation
  number were found and agree, and nothing was left unplaced;
- ``low``: a sum does not agree, or the year or the reporter's name is missing, or sources of the
  year disagree, or entries or amounts could not be placed;
- ``medium``: anything else (text not placed, an unknown label, no printed total).

A user opens the ``low`` files by hand first (notebook 01 lists them).
"""

from __future__ import annotations

from .. import values
from .assembly import ReportState
from .labels import Maps
from .pdftext import Line
from .shapes import classify, line_amount, split_run

# Warnings that mean a value may be missing or wrong, not only that some text was not understood.
_SERIOUS = ("mismatch", "not placed:", "entries in a table without a heading", "disagrees", "has no amount",
            "printed twice", "no value", "unknown income type", "unknown income label", "no reporting year",
            "no reporter name", "pages missing", "page has no text", "not understood")
_NO_ORG_NUMBER_ROLES = {"ledamot", "ersattare"}


def label_and_amount(line: Line, maps: Maps) -> tuple[str, float] | None:
    """``(label, amount)`` of a line that ends in an amount, in its own cell or in one run with the label."""
    if len(line.cells) >= 2:
        amount = line_amount(line)
        return (" ".join(c.text for c in line.cells[:-1]), amount) if amount is not None else None
    pieces = split_run(line.cells[0], maps) if line.cells else []
    if len(pieces) == 2 and classify(pieces[1].text, maps) == "amount" and not classify(pieces[0].text, maps):
        amount = values.parse_amount(pieces[1].text)
        return (pieces[0].text, amount) if amount is not None else None
    return None


def total_by_sums(state: ReportState, maps: Maps) -> None:
    """The printed total among the lines no reader placed, when the report has none yet: a line whose
    label names a sum (:meth:`Maps.is_total_like`, fuzzy) and whose amount the sums confirm: it equals
    the sum of the income lines, or the sum of the other sum-like lines (group subtotals). A single
    sum-like line that nothing confirms is taken too, with a warning (``reconcile`` then reports the
    difference). A line taken is no longer warned as unplaced."""
    if state.kind != "intaktsredovisning" or state.total is not None or not state.lines:
        return
    cands = []
    for i, line in state.unplaced:
        got = label_and_amount(line, maps)
        if got is not None and maps.is_total_like(got[0]):
            cands.append((i, got[0], got[1], line.page))
    if not cands:
        return
    lines_sum = sum(ln["amount"] for ln in state.lines if ln["amount"] is not None)
    hit = [c for c in cands if abs(c[2] - lines_sum) < 0.5]
    if not hit and len(cands) > 2:
        hit = [c for c in cands if abs(2 * c[2] - sum(o[2] for o in cands)) < 0.5]
    note = None
    if not hit and len(cands) == 1:
        hit = cands
        note = (f"total {cands[0][2]:.2f} taken from the line {cands[0][1]!r} by its wording alone "
                f"(the income lines sum to {lines_sum:.2f})")
    if not hit:
        return
    i, label, amount, page = hit[-1]
    state.total, state.total_page = amount, page
    state.warnings[i] = None
    state.warnings = [w for w in state.warnings if w is not None]
    if note:
        state.warn(page, note)


def reconcile(state: ReportState, maps: Maps) -> None:
    """Warn (never adjust) when items do not add up to their line, or lines to the printed total.

    An itemised type (``maps/income_types.csv``) with an amount but no entries listed is a mismatch
    too: its entries sum to 0.
    """
    by_code: dict[tuple[int, str | None], list[dict]] = {}
    for c in state.contributions:
        by_code.setdefault((c["group"], c["code"]), []).append(c)
    line_keys = {(ln["group"], ln["code"]) for ln in state.lines}
    for ln in state.lines:
        items = by_code.get((ln["group"], ln["code"]))
        if ln["code"] is None:
            continue
        if items is None:
            t = maps.income_type(ln["code"])
            if t is None or not t.is_itemised or not ln["amount"]:
                continue
            items = []
        s = round(sum(c["amount"] for c in items), 2)
        if abs(s - ln["amount"]) > 0.005:
            state.warn(ln["page"], f"subtotal mismatch under {ln['code']}: the entries sum to {s:.2f}, "
                                   f"the line says {ln['amount']:.2f} (difference {ln['amount'] - s:.2f})")
    for (group, code), items in by_code.items():
        if code is not None and (group, code) not in line_keys:
            state.warn(items[0]["page"], f"{len(items)} entries under {code} but no income line {code}")
    if state.total is not None and state.lines:
        s = round(sum(ln["amount"] for ln in state.lines), 2)
        if abs(s - state.total) > 0.005:
            state.warn(state.total_page, f"total mismatch: the lines sum to {s:.2f}, the printed total is "
                                         f"{state.total:.2f} (difference {state.total - s:.2f})")




def assess(state: ReportState, maps: Maps) -> None:
    """Fill ``state.checks`` and ``state.confidence`` (after :func:`reconcile`)."""
    checks = state.checks
    low = False
    mismatch = [w for w in state.warnings if "mismatch" in w]
    if state.kind == "intaktsredovisning":
        if state.total is None:
            checks.append("no printed total to check the lines against")
        elif any("total mismatch" in w for w in mismatch):
            checks.append(f"the lines do not add up to the printed total {state.total:.2f}")
        else:
            checks.append(f"the lines add up to the printed total {state.total:.2f}")
        itemised = [ln for ln in state.lines if ln["code"] and (t := maps.income_type(ln["code"])) is not None
                    and t.is_itemised and ln["amount"]]
        bad = {w.split("under ")[1].split(":")[0] for w in mismatch if "subtotal mismatch" in w}
        for ln in itemised:
            if ln["code"] in bad:
                checks.append(f"the entries under {ln['code']} do not add up to its line")
            else:
                checks.append(f"the entries under {ln['code']} add up to its line {ln['amount']:.2f}")
        low |= bool(mismatch)
    if state.year is None:
        checks.append("no reporting year found")
        low = True
    else:
        said = sorted({ev for y, ev, _ in state.year_sources if y == state.year})
        checks.append(f"year {state.year} from {', '.join(said)}")
        if any(y != state.year for y, _, _ in state.year_sources):
            checks.append("the sources of the year disagree")
            low = True
    r = state.reporter
    if r.name is None:
        checks.append("no reporter name found")
        low = True
    else:
        checks.append("reporter name found")
    if r.org_number is not None:
        checks.append("organisation number found")
    elif r.role in _NO_ORG_NUMBER_ROLES:
        checks.append(f"no organisation number (a {r.role} has none)")
    else:
        checks.append("no organisation number found")
        low = True
    serious = [w for w in state.warnings if any(s in w for s in _SERIOUS)]
    low |= bool(serious)
    if state.warnings:
        checks.append(f"{len(state.warnings)} warning(s): something was not read or not placed")
    else:
        checks.append("nothing left unplaced")
    state.confidence = "low" if low else ("medium" if state.warnings or state.total is None
                                          and state.kind == "intaktsredovisning" else "high")
