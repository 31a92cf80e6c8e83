"""Charts for the notebooks: labelled axes, amounts in kronor, and the source under every chart.

Readable by design: text at 8 pt or more in dark grey on white (a party's colour is used for
bars and marks, never for text: yellow and light green vanish on white), each income group in its
own hue (``GROUP_COLOURS``, the same in every chart and in the HTML register), room above the
tallest bar, and no axis with dozens of rotated labels.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import analysis
from .detect.config import CONFIG
from .graph import donor_subgraph
from .values import format_sek

SOURCE_NOTE = "Source: Kammarkollegiet, intäktsredovisningar; processed by partifinans."
TEXT = "#222222"

GROUP_COLOURS = {1: "#1b6ca8", 2: "#7fb2d9", 3: "#d95f02", 4: "#7570b3", 5: "#1b9e77", 6: "#999999",
                 7: "#66a61e", 8: "#a6761d"}
"""One distinct hue per income group (no yellow or pale green: they vanish on white)."""

_sek_axis = FuncFormatter(lambda x, _pos: format_sek(x).removesuffix(" kr"))


def group_colour(group) -> str:
    """The colour of an income group, given as its number (``5``) or its name (``"Bidrag"``)."""
    number = None
    try:
        number = int(group)
    except (TypeError, ValueError):
        number = next((k for k, name in analysis.GROUP_NAMES.items() if name == group), None)
    return GROUP_COLOURS.get(number, "#555555")


def _headroom(ax, top: float, share: float = 0.12) -> None:
    """Room above the tallest bar so it never touches the frame."""
    if top > 0:
        ax.set_ylim(0, top * (1 + share))


def _source(ax, note: str = SOURCE_NOTE) -> None:
    ax.figure.text(0.01, 0.005, note, fontsize=8, color="#555555", ha="left", va="bottom")


def coverage_heatmap(matrix: pd.DataFrame, ax=None, note: str = SOURCE_NOTE):
    """Which organisations reported which years: three states, told apart by colour and a legend.

    ``matrix`` is :func:`analysis.coverage`: 1 = a report exists, 0 = no report in a year the
    organisation may have had to report, NaN = no duty to report (e.g. local organisations before 2018).
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    # "no report" is neutral grey: most organisations report only in years above the threshold, so a
    # year without a report is not in itself a gap (the missing_report flag says when it is).
    states = {"report filed": "#1b7837", "no report": "#cfcfcf", "no duty to report (before 2018)": "#ffffff"}
    if ax is None:
        _, ax = plt.subplots(figsize=(8, max(3, 0.28 * len(matrix) + 1.4)))
    codes = matrix.to_numpy(dtype=float)
    codes = pd.DataFrame(codes).fillna(2).to_numpy()  # 1 filed, 0 missing, 2 no duty
    cmap = ListedColormap(list(states.values())[1::-1] + [list(states.values())[2]])  # 0, 1, 2
    ax.imshow(codes, aspect="auto", cmap=cmap, vmin=0, vmax=2, interpolation="nearest")
    ax.set_xticks([i - 0.5 for i in range(len(matrix.columns) + 1)], minor=True)
    ax.set_yticks([i - 0.5 for i in range(len(matrix.index) + 1)], minor=True)
    ax.grid(which="minor", color="#d9d9d9", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(range(len(matrix.columns)), [str(c) for c in matrix.columns])
    ax.set_yticks(range(len(matrix.index)), list(matrix.index), fontsize=8)
    ax.set_xlabel("Reporting year (räkenskapsår)")
    ax.set_ylabel("Organisation")
    ax.set_title("Which organisations reported which years")
    handles = [Patch(facecolor=c, edgecolor="#999999", label=k) for k, c in states.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncols=3, fontsize=9, frameon=False)
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def _short_name(party: str) -> str:
    """A party's abbreviation from the party table (``SD``), else its name wrapped."""
    for row in analysis.parties().to_dict("records"):
        if party in {row.get("name"), *str(row.get("aliases") or "").split("|")} and row.get("abbreviation"):
            return row["abbreviation"]
    return textwrap.fill(party, 12, break_long_words=False)


def income_by_group_bars(income: pd.DataFrame, ax=None, note: str = SOURCE_NOTE):
    """All parties on one scale: one stacked bar per party and year, the years of a party side by
    side and labelled once under the group with the party's abbreviation and its years."""
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 5))
    parties = list(dict.fromkeys(p for p, _ in income.index))
    x, positions, centres, labels = 0.0, [], [], []
    for party in parties:
        years = [int(y) for y in income.loc[party].index]
        xs = [x + i for i in range(len(years))]
        positions.extend(xs)
        centres.append(sum(xs) / len(xs))
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
        labels.append(f"{_short_name(party)}\n{span}")
        x += max(len(years), 4) + 1.2  # room for the label under a party with few years, and a gap
    bottom = pd.Series(0.0, index=range(len(income)))
    for group in income.columns:
        values = income[group].to_numpy()
        ax.bar(positions, values, bottom=bottom.to_numpy(), width=0.85, label=group, color=group_colour(group))
        bottom += values
    ax.set_xticks(centres, labels, fontsize=8, color=TEXT)
    ax.yaxis.set_major_formatter(_sek_axis)
    ax.set_ylabel("Income (kr)")
    ax.set_title("Income by group per party and year, one scale for all (primary reports)")
    ax.set_xlabel("Party (abbreviation) and its reporting years, left to right", fontsize=9)
    _headroom(ax, float(bottom.max()))
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, title="Income group",
              title_fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def anonymous_histogram(shares: pd.Series, ax=None, note: str = SOURCE_NOTE):
    """Anonymous gifts as a share of their year's 0.05 pbb limit; bunching just under 1.0 is the tell."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    bins = [i / 20 for i in range(0, 31)]
    counts, _, _ = ax.hist(shares.clip(upper=1.5), bins=bins, color="#4C72B0", edgecolor="white")
    ax.axvline(1.0, color="#C44E52", linestyle="--", label="limit: 0.05 pbb")
    ax.axvspan(0.9, 1.0, color="#C44E52", alpha=0.12, label="within 10 % below")
    ax.set_xlabel("Anonymous gift / that year's limit (0.05 pbb); 1.5 = 1.5 or more")
    ax.set_ylabel("Number of gifts")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Anonymous gifts relative to the limit")
    _headroom(ax, float(max(counts, default=0)))
    ax.legend(fontsize=9)
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def lottery_lines(lottery: pd.DataFrame, ax=None, note: str = SOURCE_NOTE, ncols: int = 2):
    """Lottery income per organisation and year, election years shaded: one panel per organisation
    on its own scale, so a local association's surge is as visible as a national one's. Each panel's
    highest year is labelled with its amount. Returns the first panel's Axes (``ax.figure`` is the
    whole figure); ``ax`` given draws all organisations in that one Axes instead."""
    years = [int(y) for y in lottery.columns]
    shaded = [y for y in sorted(CONFIG.election_years) if years and min(years) <= y <= max(years)]
    if ax is not None:
        axes = [ax] * len(lottery)
        fig = ax.figure
    else:
        n = max(1, len(lottery))
        ncols = min(ncols, n)
        nrows = -(-n // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 2.5 * nrows + 0.9), squeeze=False)
        axes = list(grid.flat)
        for extra in axes[n:]:
            extra.set_axis_off()
    for panel in dict.fromkeys(axes):
        for year in shaded:
            panel.axvspan(year - 0.4, year + 0.4, color="#E3E3E3", zorder=0)
    for panel, (name, row) in zip(axes, lottery.iterrows(), strict=False):
        values = row.to_numpy(dtype=float)
        panel.plot(years, values, marker="o", color="#1b6ca8", label=name)
        if ax is None:
            panel.set_title(name, fontsize=10, color=TEXT)
            top = pd.Series(values, index=years).dropna()
            if len(top):
                peak = int(top.idxmax())
                panel.annotate(format_sek(top.max()), (peak, top.max()), textcoords="offset points", xytext=(0, 6),
                               ha="center", fontsize=8.5, color=TEXT)
                _headroom(panel, float(top.max()), 0.3)
            panel.set_xticks(years, [str(y) for y in years], fontsize=8)
        panel.yaxis.set_major_formatter(_sek_axis)
        panel.tick_params(axis="y", labelsize=8)
        panel.spines[["top", "right"]].set_visible(False)
    if ax is not None:
        ax.legend(fontsize=9)
        ax.set_ylabel("Lottery income 3.2 + 3.3 (kr)")
        ax.set_title("Lottery income against election years")
        _source(ax, note)
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        return ax
    fig.suptitle("Lottery income (types 3.2 + 3.3, kr) against election years, each organisation on its own scale",
                 fontsize=11)
    fig.supxlabel("Year (grey: election year, Riksdag or European Parliament)", fontsize=9)
    fig.text(0.01, 0.005, note, fontsize=8, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return axes[0]


def add_source(ax, note: str = SOURCE_NOTE):
    """Put the source line under a chart drawn elsewhere (e.g. ``graph.draw_party_network``)."""
    _source(ax, note)
    ax.figure.tight_layout(rect=(0, 0.03, 1, 1))
    return ax


def income_by_group_panels(income: pd.DataFrame, ncols: int = 3, note: str = SOURCE_NOTE):
    """One panel per party (its own scale): income by group per year, stacked, each group in its own
    hue (``GROUP_COLOURS``, the legend's order from the bottom up); the party's colour is the bar at
    the top of its panel. Returns the Figure."""
    parties = list(dict.fromkeys(p for p, _ in income.index))
    nrows = max(1, -(-len(parties) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 2.9 * nrows + 0.9), squeeze=False)
    years = sorted({int(y) for _, y in income.index})
    groups = list(income.columns)
    for ax, party in zip(axes.flat, parties, strict=False):
        rows = income.loc[party].reindex(years)
        bottom = pd.Series(0.0, index=rows.index)
        for group in groups:
            values = rows[group].fillna(0.0)
            ax.bar([str(y)[2:] for y in rows.index], values.to_numpy(), bottom=bottom.to_numpy(),
                   color=group_colour(group), edgecolor="white", linewidth=0.4, label=group)
            bottom += values
        ax.set_title(party, fontsize=10, color=TEXT)
        ax.spines["top"].set_visible(True)
        ax.spines["top"].set_color(analysis.party_colour(party))
        ax.spines["top"].set_linewidth(4)
        ax.spines["right"].set_visible(False)
        _headroom(ax, float(bottom.max()))
        ax.yaxis.set_major_formatter(_sek_axis)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(parties):]:
        ax.set_axis_off()
    handles = [plt.Rectangle((0, 0), 1, 1, color=group_colour(g)) for g in groups]
    fig.legend(handles, groups, loc="upper center", ncols=min(len(groups), 4), fontsize=9, frameon=False,
               title="Income group (stacked in this order from the bottom); each party on its own scale",
               title_fontsize=9)
    fig.supxlabel(f"Reporting year (räkenskapsår), '{str(years[0])[2:]} = {years[0]}" if years else "Reporting year",
                  fontsize=9)
    fig.supylabel("Income (kr)", fontsize=9)
    fig.text(0.01, 0.005, note, fontsize=8, color="#555555", ha="left", va="bottom")
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
                                "shrinkA": 6, "shrinkB": 6}, zorder=1)
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
        # Labels sit on a white box above the arrows, so no arrow runs through a name.
        box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.95}
        if dx:
            ax.text(x + dx, y, text, ha=ha, va="center", fontsize=8, zorder=4, bbox=box)
        elif data.get("kind") == "related_entity":  # below its dot, so it never covers the organisation's
            ax.text(x, y - 0.03, text, ha=ha, va="top", fontsize=8, style="italic", zorder=4, bbox=box)
        else:
            ax.text(x, y + 0.03, text, ha=ha, va="bottom", fontsize=8, zorder=4, bbox=box)
    total = sum(H.nodes[n]["given_to_party"] for n in H if H.nodes[n].get("kind") == "donor")
    n_donors = sum(1 for n in H if H.nodes[n].get("kind") == "donor")
    ax.set_title(f"{H.graph['party']}: the {n_donors} largest identified donors, {format_sek(total)}")
    ax.margins(x=0.45, y=0.08)
    ax.set_axis_off()
    return ax
