"""Weighing the evidence for person records that the rules leave apart (Fellegi-Sunter).

The rules in ``match.py`` link a person only on an identity number or on a name AND an address.
They miss a person printed once with a personnummer and no address and elsewhere with name and
address but no number, and "S-E Exempelsson" beside "Sven-Erik Exempelsson" at one address. This
stage compares the clusters the rules made, in the way record-linkage practice does (Fellegi and
Sunter 1969; Splink's term-frequency adjustments): every compared field adds a weight
``log2(m / u)``, where ``m`` is the chance that the field agrees (or disagrees) for two records of
one person and ``u`` the chance for two records of different persons; the weights and the prior
odds add up to the odds that the two clusters are one person.

- **prior**: the share of record pairs the rules already linked among all pairs of person
  records, divided by ``ASSUMED_RULE_RECALL`` (the rules find most, not all, true pairs), as
  Splink estimates it from deterministic rules.
- **name** (term-frequency adjusted): ``u`` is how common the name is among the other person
  records (all but the two clusters compared), the product of the shares of its words, each
  smoothed by one (a first name and a rare surname give a small ``u``; "Anna Andersson" a large
  one), and never less than the share of other records that carry the very same name. Splink
  counts the pair itself too; in a small file that makes every name look common. Levels: the same name
  once case, diacritics, punctuation and word order are set aside (``Bäck`` compares equal to
  ``Back``; the printed spelling is kept for output); a short form (``S-E`` = ``Sven-Erik``,
  ``A-K`` = ``Anna-Karin``, initials), whose ``u`` counts each initial as every name with that
  letter; a name differing by a misspelling.
- **address**: agreeing addresses (``match.address_match``), ``u`` from how many records give that
  address; different addresses count against.
- **recipient**: the same receiving organisation (party or side organisation) in at least one
  record; ``u`` from how the records spread over recipients.
- **years**: records within ``YEAR_WINDOW`` years of each other; ``u`` from the spread of years.

Decisions, on the match probability ``p``:

- ``p >= LINK_PROBABILITY``: merged (rule ``weighed_evidence``, score ``100 p``), unless a hard rule
  forbids it (two different identity numbers, a human judgement ``different``: checked on the
  whole clusters by ``_Clusters.union``), the clusters give different specific addresses (a move
  is plausible, but namesakes at different addresses are different people: a human decides),
  one of them has a name only (neither an identity number nor an address: a human decides), or
  the evidence is ambiguous: one of the two clusters fits a third cluster about as well and that
  third cluster is not the same as the other (a record without an address beside two namesakes
  at two addresses). Those go to review.
- ``REVIEW_PROBABILITY <= p < LINK_PROBABILITY``: listed in ``link_review`` for a human.

Every decision carries its evidence in words (``evidence`` column of ``links``, ``why`` of
``link_review``); no name is written into it.

The cost grows with the number of records: clusters are compared only within blocks that share
a rare name word and the initials of every name word (``S-E Exempelsson`` and ``Sven-Erik
Exempelsson`` share ``exempelsson`` and ``e e s``), or one address (folded) and those initials; a block of
more than ``BLOCK_CAP`` clusters is a name too common to link without an address and is skipped
(the rules have linked such names at one address already).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from .match import _pairs_within, _take, _unique, address_match
from .normalise import Address

M_NAME = {"exact": 0.90, "short_form": 0.05, "similar": 0.04}
M_ADDRESS_AGREE = 0.80  # two records of one person that both give an address: the same address
M_RECIPIENT_AGREE = 0.80  # ... give to one organisation at least once in both clusters
M_YEARS_NEAR = 0.90  # ... within YEAR_WINDOW years
YEAR_WINDOW = 2
ASSUMED_RULE_RECALL = 0.8
LINK_PROBABILITY = 0.95
REVIEW_PROBABILITY = 0.50
BLOCK_CAP = 16  # clusters in one block
SIMILAR_NAME_SCORE = 90


def _log2(x: float) -> float:
    return math.log2(max(x, 1e-300))


def _weight(p: float) -> float:
    return _log2(p) - _log2(1 - p)


LINK_WEIGHT = _weight(LINK_PROBABILITY)
REVIEW_WEIGHT = _weight(REVIEW_PROBABILITY)


def short_form_agrees(a: list[str], b: list[str]) -> bool:
    """Two names (folded words) agree word for word, where a one-letter word stands for any word
    with that first letter: ``s e exempelsson`` / ``sven erik exempelsson``. At least one word of
    two letters or more must be common to both, and the names must differ (else they are equal)."""
    if len(a) != len(b) or sorted(a) == sorted(b):
        return False
    if all(len(t) > 1 for t in a) and all(len(t) > 1 for t in b):
        return False  # no initial on either side: the words would have to be equal
    rest_a, rest_b = Counter(a), Counter(b)
    common = rest_a & rest_b
    if not any(len(t) > 1 for t in common):
        return False
    rest_a, rest_b = rest_a - common, rest_b - common
    for letter in {t[0] for t in rest_a}:
        long_a = sum(n for t, n in rest_a.items() if t[0] == letter and len(t) > 1)
        init_a = sum(n for t, n in rest_a.items() if t[0] == letter and len(t) == 1)
        long_b = sum(n for t, n in rest_b.items() if t[0] == letter and len(t) > 1)
        init_b = sum(n for t, n in rest_b.items() if t[0] == letter and len(t) == 1)
        if long_a + init_a != long_b + init_b or long_a > init_b or long_b > init_a:
            return False
    return True


class _Cluster:
    __slots__ = ("rep", "cores", "addresses", "recipients", "years", "n", "has_number", "_terms")
    # cores: folded name -> number of this cluster's records with it

    def __init__(self, rep: int):
        self.rep = rep
        self.cores: dict[str, int] = {}
        self.addresses: dict[str, Address] = {}
        self.recipients: set[str] = set()
        self.years: set[int] = set()
        self.n = 0
        self.has_number = False
        self._terms: dict[str, int] | None = None

    @property
    def terms(self) -> dict[str, int]:
        """Records of this cluster per name word, and per initial letter (key ``letter:x``)."""
        if self._terms is None:
            terms: dict[str, int] = defaultdict(int)
            for core, k in self.cores.items():
                words = core.split()
                for t in set(words):
                    terms[t] += k
                for letter in {t[0] for t in words}:
                    terms["letter:" + letter] += k
            self._terms = terms
        return self._terms


def _member_codes(values: list, codes: np.ndarray) -> tuple[np.ndarray, list]:
    """Per member (``codes``: its positions in ``values``), the position of its value among the
    distinct values the members have, and those values (None: -1, left out)."""
    value_codes, distinct = pd.factorize(pd.Series(values, dtype=object))  # None: -1
    member_codes = value_codes[codes]
    used = _unique(member_codes[member_codes >= 0])
    compact = np.full(len(distinct) + 1, -1, dtype=np.int64)  # [-1] is the -1 of None
    compact[used] = np.arange(len(used))
    return compact[member_codes], _take(distinct.tolist(), used)


class Weigher:
    """Scores pairs of person clusters; ``run`` merges, lists for review, records evidence."""

    def __init__(self, linker):
        self.linker = linker
        recs = linker.recs
        uf = linker.uf
        # person records whose name has words and no legal-form or marker words
        plain = np.array([bool(nm.core and not nm.legal_forms and not nm.markers) for nm in recs.distinct_names], dtype=bool)
        self.members = np.flatnonzero(plain[recs.name_code] & np.array(recs.person_like, dtype=bool)).tolist()
        self.n = len(self.members)
        self.evidence: dict[tuple[int, int], str] = {}
        if self.n < 2:
            return
        year_of = recs.year
        members = self.members
        members_arr = np.asarray(members, dtype=np.int64)
        roots_arr = uf.roots()[members_arr]
        roots = roots_arr.tolist()
        # the members' names and addresses as codes into their distinct values, counted by numpy
        core_codes, core_values = _member_codes([nm.core for nm in recs.distinct_names], recs.name_code[members_arr])
        self.core_count = core_count = Counter(
            dict(zip(core_values, np.bincount(core_codes, minlength=len(core_values)).tolist(), strict=True))
        )
        self.token_count: Counter = Counter()
        self.letter_count: Counter = Counter()
        for core, k in core_count.items():
            words = core.split()
            for t in set(words):
                self.token_count[t] += k
            for letter in {t[0] for t in words}:
                self.letter_count[letter] += k
        # block keys as integers: (initials, rarest long word) per name, (initials, address)
        sig_ids: dict[str, int] = {}
        name_blocks: dict[tuple[str, str], int] = {}
        sig_of_core, block_of_core = [], []
        for core in core_values:
            words = core.split()
            long_words = [t for t in set(words) if len(t) > 1]
            # the rarest long word names the block (a surname more often than a first name)
            rarest = min(long_words, key=lambda t: (self.token_count[t], t)) if long_words else ""
            sig = "".join(sorted(t[0] for t in words))
            sig_of_core.append(sig_ids.setdefault(sig, len(sig_ids)))
            block_of_core.append(name_blocks.setdefault((sig, rarest), len(name_blocks)) if rarest else -1)
        address_codes, address_values = _member_codes(
            [a.key if a.is_specific else None for a in recs.distinct_addresses], recs.address_code[members_arr]
        )  # not specific: -1
        specific = address_codes >= 0
        self.address_count = Counter(
            dict(zip(address_values, np.bincount(address_codes[specific], minlength=len(address_values)).tolist(), strict=True))
        )
        name_block = np.asarray(block_of_core, dtype=np.int64)[core_codes]
        sig_code = np.asarray(sig_of_core, dtype=np.int64)[core_codes]
        # the address blocks are numbered after the name blocks
        address_block = len(name_blocks) + pd.factorize(
            sig_code[specific] * (len(address_values) + 1) + address_codes[specific]
        )[0].astype(np.int64)
        has_name_block = name_block >= 0
        block_keys = np.concatenate([name_block[has_name_block], address_block])
        block_roots = np.concatenate([roots_arr[has_name_block], roots_arr[specific]])
        del name_blocks, sig_ids, name_block, sig_code, address_block
        # distinct (block, cluster) pairs, then blocks of 2 to BLOCK_CAP clusters (numpy: a
        # million records make a million small blocks, most of one cluster)
        n_all = len(recs.record_id) + 1
        combined = _unique(block_keys * n_all + block_roots)
        del block_keys, block_roots
        keys = combined // n_all
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        sizes = np.diff(np.r_[starts, len(keys)])
        # every pair within a block (members ascending: the smaller root first), each pair once,
        # in sorted order
        kept = (sizes >= 2) & (sizes <= BLOCK_CAP)
        left, right = _pairs_within(starts[kept], sizes[kept])
        pairs = _unique((combined[left] % n_all) * n_all + combined[right] % n_all)
        del combined, keys, left, right
        self.pairs = list(zip((pairs // n_all).tolist(), (pairs % n_all).tolist(), strict=True))
        wanted = {r for pair in self.pairs for r in pair}
        recipient_count = Counter(recs.recipient[i] for i in members if recs.recipient[i])
        year_count = Counter(
            int(y) for y in (year_of[i] for i in members) if y is not None and y is not pd.NA
        )
        clusters: dict[int, _Cluster] = {}
        # only the records of clusters in some pair (a small part of them), in members' order
        in_pair = np.flatnonzero(np.isin(roots_arr, np.fromiter(wanted, dtype=np.int64, count=len(wanted))))
        for i, root, core in zip(
            members_arr[in_pair].tolist(), roots_arr[in_pair].tolist(), _take(core_values, core_codes[in_pair]), strict=True
        ):
            c = clusters.get(root)
            if c is None:
                c = clusters[root] = _Cluster(i)
            c.n += 1
            c.has_number = c.has_number or bool(recs.ident[i])
            c.cores[core] = c.cores.get(core, 0) + 1
            addr = recs.addresses[i]
            if addr.is_specific:
                c.addresses.setdefault(addr.key, addr)
            if recs.recipient[i]:
                c.recipients.add(recs.recipient[i])
            y = year_of[i]
            if y is not None and y is not pd.NA:
                c.years.add(int(y))
        self.clusters = clusters
        size = Counter(roots)
        pairs_linked = sum(k * (k - 1) // 2 for k in size.values())
        lam = min(0.5, max(pairs_linked / ASSUMED_RULE_RECALL, 1.0) / (self.n * (self.n - 1) / 2))
        self.prior = _weight(lam)
        total_r = sum(recipient_count.values())
        self.u_recipient = sum((k / total_r) ** 2 for k in recipient_count.values()) if total_r else 1.0
        total_y = sum(year_count.values())
        self.u_years = (
            sum(
                (ka / total_y) * (kb / total_y)
                for ya, ka in year_count.items()
                for yb, kb in year_count.items()
                if abs(ya - yb) <= YEAR_WINDOW
            )
            if total_y
            else 1.0
        )
        self._levels: dict[tuple[str, str], tuple[str | None, tuple[tuple[str, int], ...]]] = {}

    # comparing --------------------------------------------------------------------------------
    def _name_u(self, terms: tuple[tuple[str, int], ...], x: _Cluster, y: _Cluster) -> float:
        """How common a name is among the records outside the two clusters compared: the product
        of its words' shares, each counted as (records elsewhere + 1) / (records + 1). Counting the
        pair itself would make every name look common in a small file (a name seen twice because
        one person gave twice). ``terms``: per word, its key in ``_Cluster.terms`` and its count
        among all records (``_level``)."""
        u = 1.0
        tx, ty = x.terms, y.terms
        for key, count in terms:
            u *= (count - tx.get(key, 0) - ty.get(key, 0) + 1) / (self.n + 1)
        return u

    def _level(self, cx: str, cy: str) -> tuple[str | None, tuple[tuple[str, int], ...]]:
        """How two folded names agree (exact, short_form, similar or None) and the words whose
        frequency counts: the less specific name (the one with initials, the more common one),
        each word as its key in ``_Cluster.terms`` (an initial: ``letter:x``) and its count."""
        key = (cx, cy) if cx < cy else (cy, cx)
        got = self._levels.get(key)
        if got is None:
            wa, wb = key[0].split(), key[1].split()
            if wa == wb:
                got = ("exact", key[0])
            elif short_form_agrees(wa, wb):
                more_initials = sum(len(t) == 1 for t in wa) >= sum(len(t) == 1 for t in wb)
                got = ("short_form", key[0] if more_initials else key[1])
            elif len(wa) == len(wb) and fuzz.ratio(key[0], key[1]) >= SIMILAR_NAME_SCORE:
                got = ("similar", max(key, key=lambda c: math.prod(self.token_count[t] for t in c.split())))
            else:
                got = (None, "")
            terms = tuple(
                ("letter:" + t, self.letter_count[t]) if len(t) == 1 else (t, self.token_count[t])
                for t in got[1].split()
            )
            got = self._levels[key] = (got[0], terms)
        return got

    def compare(self, x: _Cluster, y: _Cluster) -> tuple[float, bool, list[tuple[str, float]]] | None:
        """(weight, addresses differ, evidence: (what, weight) per field, see ``_in_words``) for
        two clusters, or None if their names do not agree at any level."""
        best = None
        for cx in x.cores:
            for cy in y.cores:
                level, words = self._level(cx, cy)
                if level is None:
                    continue
                # records of this name in neither cluster: the name is not unique to them
                elsewhere = (self.core_count[cx] - x.cores[cx] - y.cores[cy]) if level == "exact" else 0
                u = max(self._name_u(words, x, y), elsewhere / self.n)
                w = _log2(M_NAME[level] / u)
                if best is None or w > best[0]:
                    best = (w, level, u)
        if best is None:
            return None
        w_name, level, u = best
        parts = [((level, u), w_name)]
        total = self.prior + w_name
        moved = False
        if x.addresses and y.addresses:
            agree = [a.key for a in x.addresses.values() for b in y.addresses.values() if address_match(a, b)]
            if agree:
                u_a = max(min(self.address_count[k] for k in agree), 1) / self.n
                w = _log2(M_ADDRESS_AGREE / u_a)
                parts.append(("same address", w))
            else:
                w = _log2((1 - M_ADDRESS_AGREE) / 1.0)
                moved = True
                parts.append(("different addresses", w))
            total += w
        if x.recipients and y.recipients:
            if x.recipients & y.recipients:
                w = _log2(M_RECIPIENT_AGREE / self.u_recipient)
                parts.append(("same recipient", w))
            else:
                w = _log2((1 - M_RECIPIENT_AGREE) / max(1 - self.u_recipient, 1e-9))
                parts.append(("other recipients", w))
            total += w
        if x.years and y.years:
            near = any(abs(a - b) <= YEAR_WINDOW for a in x.years for b in y.years)
            if near:
                w = _log2(M_YEARS_NEAR / self.u_years)
                parts.append((f"years within {YEAR_WINDOW}", w))
            else:
                w = _log2((1 - M_YEARS_NEAR) / max(1 - self.u_years, 1e-9))
                parts.append(("years far apart", w))
            total += w
        parts.append(("prior", self.prior))
        return total, moved, parts

    @staticmethod
    def _in_words(parts: list[tuple]) -> str:
        """The evidence of ``compare`` in words, written only for the pairs that are kept (most
        compared pairs are too weak to list). The name's part is (level, how common)."""
        label = {"exact": "same name", "short_form": "short form of the name", "similar": "similar name"}
        (level, u), w_name = parts[0]
        words = [f"{label[level]} (as common as 1 in {max(1, round(1 / u)):,} records) {w_name:+.1f}"]
        words += [f"{what} {w:+.1f}" for what, w in parts[1:]]
        return "; ".join(words)

    # deciding ---------------------------------------------------------------------------------
    def run(self) -> None:
        if self.n < 2:
            return
        uf = self.linker.uf
        scored: dict[tuple[int, int], tuple[float, bool, str]] = {}
        for rx, ry in self.pairs:
            x, y = self.clusters[rx], self.clusters[ry]
            if uf.refusal(rx, ry, True):
                continue
            result = self.compare(x, y)
            if result is None:
                continue
            w, moved, parts = result
            if w < REVIEW_WEIGHT:
                scored[(rx, ry)] = (w, moved, "")
                continue
            p = 1.0 / (1.0 + 2.0 ** (-w))
            scored[(rx, ry)] = (w, moved, self._in_words(parts) + f"; match probability {100 * p:.1f} %")
        near: dict[int, list[int]] = defaultdict(list)
        for (rx, ry), (w, _moved, _why) in scored.items():
            if w >= REVIEW_WEIGHT:
                near[rx].append(ry)
                near[ry].append(rx)

        def weight_of(a: int, b: int) -> float | None:
            got = scored.get((a, b) if a < b else (b, a))
            return None if got is None else got[0]

        def ambiguous(x: int, y: int) -> int | None:
            """A third cluster z that fits x about as well as y does, and is not y's match."""
            for z in near[x]:
                if z == y or uf.find(self.clusters[z].rep) == uf.find(self.clusters[y].rep):
                    continue
                wyz = weight_of(y, z)
                if wyz is None or wyz < REVIEW_WEIGHT:
                    return z
            return None

        order = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))
        for (rx, ry), (w, moved, why) in order:
            if w < REVIEW_WEIGHT:
                break
            i, j = self.clusters[rx].rep, self.clusters[ry].rep
            score = round(100.0 / (1.0 + 2.0 ** (-w)), 2)
            hold = None
            x, y = self.clusters[rx], self.clusters[ry]
            if w >= LINK_WEIGHT:
                if not (x.has_number or x.addresses) or not (y.has_number or y.addresses):
                    hold = "a name without number or address"
                elif moved:
                    hold = "different addresses: a move or a namesake"
                else:
                    z = ambiguous(rx, ry)
                    if z is None:
                        z = ambiguous(ry, rx)
                    if z is not None:
                        hold = "fits another donor of this name as well"
            if w >= LINK_WEIGHT and hold is None:
                if uf.find(i) == uf.find(j):
                    continue
                refused = uf.union(i, j, "weighed_evidence", score, strict=True)
                if refused is None:
                    self.evidence[(i, j)] = why
                    continue
                hold = refused
            if uf.find(i) != uf.find(j) and uf.refusal(uf.find(i), uf.find(j), True) is None:
                reason = why if hold is None else f"{hold}; {why}"
                self.linker.uncertain.append((i, j, "weighed_evidence", score, reason))
