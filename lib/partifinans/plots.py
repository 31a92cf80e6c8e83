"""Charts for the notebooks: labelled axes, amounts in SEK, and the source under every chart."""

from __future__ import annotations

import textwrap
from collections import defaultdict

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from matplotlib.ticker import FuncFormatter

from . import analysis
from .detect.config import CONFIG
from .graph import donor_subgraph
from .values import format_sek

SOURCE_NOTE = "Källa: Kammarkollegiet, intäktsredovisningar; bearbetning partifinans."

_sek_axis = FuncFormatter(lambda x, _pos: f"{x:,.0f}".replace(",", "\u00a0"))


def _source(ax, note: str = SOURCE_NOTE) -> None:
    ax.figure.text(0.01, 0.005, note, fontsize=7, color="#555555", ha="left", va="bottom")


def coverage_heatmap(matrix: pd.DataFrame, ax=None, note: str = SOURCE_NOTE):
    """Which organisations reported which years (dark = a report exists; blank = no duty to report)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, max(3, 0.28 * len(matrix) + 1)))
    ax.imshow(matrix.to_numpy(), aspect="auto", cmap="Greens", vmin=0, vmax=1.3, interpolation="nearest")
    ax.set_xticks(range(len(matrix.columns)), [str(c) for c in matrix.columns])
    ax.set_yticks(range(len(matrix.index)), list(matrix.index), fontsize=7)
    ax.set_xlabel("Räkenskapsår (reporting year)")
    ax.set_ylabel("Organisation")
    ax.set_title("Which organisations reported which years")
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def income_by_group_bars(income: pd.DataFrame, ax=None, note: str = SOURCE_NOTE):
    """Stacked bars of income by group for each party and year; bars edged in the party's colour."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.5))
    labels = [f"{party} {year}" for party, year in income.index]
    bottom = pd.Series(0.0, index=range(len(income)))
    cmap = plt.get_cmap("tab10")
    for i, group in enumerate(income.columns):
        values = income[group].to_numpy()
        ax.bar(range(len(income)), values, bottom=bottom.to_numpy(), label=group, color=cmap(i),
               edgecolor=[analysis.party_colour(p) for p, _ in income.index], linewidth=1.5)
        bottom += values
    ax.set_xticks(range(len(income)), labels, rotation=60, ha="right", fontsize=7)
    for tick, (party, _year) in zip(ax.get_xticklabels(), income.index, strict=True):
        tick.set_color(analysis.party_colour(party))
    ax.yaxis.set_major_formatter(_sek_axis)
    ax.set_ylabel("Intäkter (SEK)")
    ax.set_title("Income by group per party and year (primary reports)")
    ax.legend(fontsize=7, ncols=2)
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def anonymous_histogram(shares: pd.Series, ax=None, note: str = SOURCE_NOTE):
    """Anonymous gifts as a share of their year's 0.05 pbb limit; bunching just under 1.0 is the tell."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    bins = [i / 20 for i in range(0, 31)]
    ax.hist(shares.clip(upper=1.5), bins=bins, color="#4C72B0", edgecolor="white")
    ax.axvline(1.0, color="#C44E52", linestyle="--", label="limit: 0.05 pbb")
    ax.axvspan(0.9, 1.0, color="#C44E52", alpha=0.12, label="within 10 % below")
    ax.set_xlabel("Anonymous gift / that year's limit (0.05 pbb)")
    ax.set_ylabel("Number of gifts")
    ax.set_title("Anonymous gifts relative to the limit")
    ax.legend(fontsize=8)
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def lottery_lines(lottery: pd.DataFrame, ax=None, note: str = SOURCE_NOTE):
    """Lottery income per organisation and year with election years shaded."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    for year in sorted(CONFIG.election_years):
        if len(lottery.columns) and lottery.columns.min() <= year <= lottery.columns.max():
            ax.axvspan(year - 0.4, year + 0.4, color="#DDDDDD", zorder=0)
    for name, row in lottery.iterrows():
        ax.plot(list(lottery.columns), row.to_numpy(), marker="o", label=name)
    ax.yaxis.set_major_formatter(_sek_axis)
    ax.set_xlabel("Year (grey: election year, Riksdag or European Parliament)")
    ax.set_ylabel("Lottery income 3.2 + 3.3 (SEK)")
    ax.set_title("Lottery income against election years")
    ax.legend(fontsize=7)
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def add_source(ax, note: str = SOURCE_NOTE):
    """Put the source line under a chart drawn elsewhere (e.g. ``graph.draw_party_network``)."""
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def _shades(colour: str, n: int) -> list:
    """``n`` shades of one colour, from the full colour to a pale tint (white mixed in)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return [(r + (1 - r) * k / max(n, 1), g + (1 - g) * k / max(n, 1), b + (1 - b) * k / max(n, 1)) for k in range(n)]


def income_by_group_panels(income: pd.DataFrame, ncols: int = 3, note: str = SOURCE_NOTE):
    """One panel per party (its own scale): income by group per year, stacked in shades of the
    party's colour (darkest at the bottom, the group order of the legend). Returns the Figure."""
    parties = list(dict.fromkeys(p for p, _ in income.index))
    nrows = max(1, -(-len(parties) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows + 0.6), squeeze=False)
    years = sorted({int(y) for _, y in income.index})
    groups = list(income.columns)
    for ax, party in zip(axes.flat, parties, strict=False):
        rows = income.loc[party].reindex(years)
        shades = _shades(analysis.party_colour(party), len(groups) + 1)
        bottom = pd.Series(0.0, index=rows.index)
        for group, shade in zip(groups, shades, strict=False):
            values = rows[group].fillna(0.0)
            ax.bar([str(y) for y in rows.index], values.to_numpy(), bottom=bottom.to_numpy(), color=shade,
                   edgecolor="white", linewidth=0.4, label=group)
            bottom += values
        ax.set_title(party, fontsize=9, color=analysis.party_colour(party))
        ax.yaxis.set_major_formatter(_sek_axis)
        ax.tick_params(labelsize=7)
        ax.tick_params(axis="x", rotation=90)
        ax.set_ylabel("SEK", fontsize=7)
    for ax in list(axes.flat)[len(parties):]:
        ax.set_axis_off()
    legend_colours = _shades("#444444", len(groups) + 1)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in legend_colours[: len(groups)]]
    fig.legend(handles, groups, loc="upper center", ncols=min(len(groups), 4), fontsize=8, frameon=False,
               title="Income group (darkest at the bottom); each party in its own colour and scale", title_fontsize=8)
    fig.supxlabel("Räkenskapsår (reporting year)", fontsize=8)
    fig.supylabel("Intäkter (SEK)", fontsize=8)
    fig.text(0.01, 0.005, note, fontsize=7, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.02, 1, 0.9))
    return fig


# --- the money graph (graph.build_graph) ---------------------------------------------------------


def draw_party_network(G: nx.MultiDiGraph, party: str, ax=None, top_n: int = 15):
    """Draw one party's top donors -> its organisations -> the party, with matplotlib.

    Donors on the left (labelled with name or pseudonym and the amount given to the party),
    receiving organisations in the middle, the party on the right; edge width follows the summed
    amount of each donor -> organisation pair. Returns the Axes.
    """
    H = donor_subgraph(G, party, top_n)
    if ax is None:
        _, ax = plt.subplots(figsize=(12, max(4.0, 0.45 * max(top_n, 8))))
    layer = {"donor": 0, "related_entity": 1, "organisation": 2, "party": 3}
    for _, data in H.nodes(data=True):
        data["_layer"] = layer.get(data.get("kind"), 0)
    pos = nx.multipartite_layout(H, subset_key="_layer", align="vertical")
    for _, data in H.nodes(data=True):
        data.pop("_layer", None)
    # Order each column by amount so the largest donors sit on top.
    for kind_layer in set(layer.values()):
        col = [n for n in H if layer.get(H.nodes[n].get("kind"), 0) == kind_layer]
        col.sort(key=lambda n: (-(H.nodes[n].get("given_to_party") or H.nodes[n].get("contributions_received") or 0), n))
        ys = [pos[n][1] for n in col]
        for n, y in zip(col, sorted(ys, reverse=True), strict=True):
            pos[n] = (pos[n][0], y)

    pair_amount: dict[tuple[str, str], float] = defaultdict(float)
    for u, v, data in H.edges(data=True):
        pair_amount[(u, v)] += data.get("amount", 0.0) if data.get("kind") != "membership" else 0.0
    biggest = max(pair_amount.values(), default=0.0) or 1.0
    for (u, v), amount in pair_amount.items():
        width = 0.8 if amount == 0 else 0.8 + 6.0 * amount / biggest
        ax.annotate("", xy=pos[v], xytext=pos[u],
                    arrowprops={"arrowstyle": "-|>", "lw": width, "color": "#7f8c8d", "alpha": 0.6,
                                "shrinkA": 6, "shrinkB": 6})
    colours = {"donor": "#e67e22", "related_entity": "#9b59b6", "organisation": "#3498db", "party": "#c0392b"}
    for n, data in H.nodes(data=True):
        x, y = pos[n]
        ax.scatter([x], [y], s=80, color=colours.get(data.get("kind"), "#95a5a6"), zorder=3)
        if data.get("kind") == "donor":
            text, ha, dx = f"{data['label']}  {format_sek(data['given_to_party'])}", "right", -0.02
        elif data.get("kind") == "party":
            text, ha, dx = data["label"], "left", 0.02
        else:
            text, ha, dx = textwrap.fill(data["label"], 30), "center", 0.0
        if dx:
            ax.text(x + dx, y, text, ha=ha, va="center", fontsize=8, zorder=4)
        elif data.get("kind") == "related_entity":  # below its dot, so it never covers the organisation's
            ax.text(x, y - 0.03, text, ha=ha, va="top", fontsize=7, style="italic", zorder=4)
        else:
            ax.text(x, y + 0.03, text, ha=ha, va="bottom", fontsize=8, zorder=4)
    total = sum(H.nodes[n]["given_to_party"] for n in H if H.nodes[n].get("kind") == "donor")
    n_donors = sum(1 for n in H if H.nodes[n].get("kind") == "donor")
    ax.set_title(f"{H.graph['party']}: {n_donors} största identifierade bidragsgivare, {format_sek(total)}")
    ax.margins(x=0.45, y=0.08)
    ax.set_axis_off()
    return ax
