"""Reconciliation: warn with the difference and the page, never change a figure."""

import pytest

from partifinans.extract import labels
from partifinans.extract.assembly import ReportState
from partifinans.extract.checks import reconcile


def _line(code, amount, page=1):
    return {"group": int(code[0]), "code": code, "label": code, "amount": amount, "page": page}


def _item(code, amount, page=2):
    return {"group": int(code[0]), "code": code, "donor": None, "donor_id": None, "address": None, "form": None,
            "date": None, "amount": amount, "page": page}


@pytest.mark.parametrize(
    "lines, items, total, expected",
    [
        pytest.param([_line("2.1", 100.0), _line("5.7", 300.0)], [_item("5.7", 100.0), _item("5.7", 200.0)], 400.0,
                     [], id="all-add-up"),
        pytest.param([_line("5.7", 300.0)], [_item("5.7", 100.0), _item("5.7", 150.0)], 300.0,
                     ["page 1: subtotal mismatch under 5.7: the entries sum to 250.00, the line says 300.00 "
                      "(difference 50.00)"], id="items-short-of-line"),
        pytest.param([_line("5.4", 35000.0)], [], 35000.0,
                     ["page 1: subtotal mismatch under 5.4: the entries sum to 0.00, the line says 35000.00 "
                      "(difference 35000.00)"], id="itemised-type-without-entries"),
        pytest.param([_line("5.1", 500.0)], [], 500.0, [], id="total-only-type-has-no-entries"),
        pytest.param([_line("2.1", 100.0)], [], 90.0,
                     ["page 3: total mismatch: the lines sum to 100.00, the printed total is 90.00 "
                      "(difference -10.00)"], id="total-mismatch"),
        pytest.param([_line("2.1", 100.0)], [_item("5.2", 40.0)], None,
                     ["page 2: 1 entries under 5.2 but no income line 5.2"], id="entries-without-line"),
    ],
)
def test_reconcile(lines, items, total, expected):
    state = ReportState(path="x.pdf", lines=lines, contributions=items, total=total, total_page=3)
    before = ([dict(x) for x in lines], [dict(x) for x in items], total)
    reconcile(state, labels.load())
    assert state.warnings == expected
    assert (state.lines, state.contributions, state.total) == before  # figures untouched
