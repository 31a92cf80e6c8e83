"""Charts read: each point visible (own scales where sizes differ), text dark and unrotated, group
colours distinct, room above the tallest bar."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from partifinans import analysis, plots  # noqa: E402


def test_a_local_lottery_surge_is_drawn_on_its_own_scale():
    lottery = pd.DataFrame(
        {2019: [226_000, 14_000], 2020: [191_000, 12_500], 2021: [188_000, 15_000], 2022: [241_000, 68_000],
         2023: [222_000, 13_500]},
        index=["Centerpartiet Riksorganisation", "Liberalerna Exempelstad"],
    )
    ax = plots.lottery_lines(lottery)
    national, local = [a for a in ax.figure.axes if a.axison]
    try:
        assert local.get_title() == "Liberalerna Exempelstad"
        assert 68_000 < local.get_ylim()[1] < 100_000  # the surge fills its panel ...
        assert national.get_ylim()[1] > 241_000  # ... not squashed under the national 241 000 kr
        assert "68 000 kr" in {t.get_text() for t in local.texts}
    finally:
        plt.close(ax.figure)


def test_income_bars_one_unrotated_dark_label_per_party():
    index = pd.MultiIndex.from_tuples(
        [(p, y) for p in ("Centerpartiet", "Sverigedemokraterna", "Miljöpartiet de gröna") for y in (2022, 2023)],
        names=["party", "year"],
    )
    income = pd.DataFrame({"Offentligt stöd": [30e6, 31e6, 2e5, 2.2e5, 2.3e5, 2.1e5], "Bidrag": [1e6] * 6}, index=index)
    ax = plots.income_by_group_bars(income)
    try:
        labels = ax.get_xticklabels()
        assert [t.get_text() for t in labels] == ["C\n2022–2023", "SD\n2022–2023", "MP\n2022–2023"]
        assert all(t.get_rotation() == 0 and t.get_color() == plots.TEXT for t in labels)
        assert ax.get_ylim()[1] >= 32e6 * 1.1
    finally:
        plt.close(ax.figure)


def test_group_colours_are_distinct_and_dark_enough_for_white():
    colours = [to_rgb(c) for c in plots.GROUP_COLOURS.values()]
    assert len(set(colours)) == len(colours)
    for r, g, b in colours:  # no yellow / pale green: relative luminance well below white's
        assert 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.7
    assert plots.group_colour("Bidrag") == plots.group_colour(5) == plots.GROUP_COLOURS[5]
    assert set(analysis.GROUP_NAMES) <= set(plots.GROUP_COLOURS)
