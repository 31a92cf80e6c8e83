"""Label aliases and income-type codes, loaded from ``lib/partifinans/maps/``.

The maps are data: ``reports.yaml`` (field labels, role/level/form words, table columns, page
furniture), ``income_types.csv`` (e-service type codes and their groups) and ``form2014.csv``
(the 2014-law form's income rows and the open-data group each maps onto). Matching is on
:func:`norm` text: lower case, whitespace collapsed, a trailing colon removed.

A type printed without its code is found by its label through the ``aliases`` column of
``income_types.csv`` (``|``-separated). Labels carry the year's thresholds ("Bidrag upp till och
med 263 kronor"), so aliases are compared by :func:`label_shape`, in which every number is ``0``:
write an alias with any number in it (``Övriga bidrag över 0 kronor``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz import fuzz, process

_SPACE = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
CODE = re.compile(r"^(\d{1,2})\.(\d{1,2})$")


def norm(text: str) -> str:
    """Text as compared with the maps: lower case, single spaces, no trailing colon."""
    return _SPACE.sub(" ", text).strip().rstrip(":").strip().lower()


_NUMBER = re.compile(r"\d(?:[\d\s\u00a0.,:]*\d)?")


def label_shape(text: str) -> str:
    """:func:`norm` text with every number replaced by ``0`` (thresholds change every year)."""
    return _NUMBER.sub("0", norm(text))


def _read(name: str) -> str:
    return resources.files("partifinans").joinpath("maps", name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class IncomeType:
    code: str
    group: int
    is_itemised: bool
    donor_kind: str | None  # person | organisation | anonymous for itemised types whose code says so
    label: str


@dataclass(frozen=True)
class Maps:
    families: dict[str, list[str]]
    year_labels: tuple[str, ...]
    year_titles: tuple[str, ...]
    field_labels: dict[str, str]  # norm(label) -> field, longest first
    roles: dict[str, str]
    levels: dict[str, str]
    forms: dict[str, str]
    total_labels: frozenset[str]
    total_words: tuple[str, ...]
    column_labels: dict[str, str]  # norm(header) -> column
    income_headers: tuple[tuple[str, ...], ...]
    noise: tuple[re.Pattern, ...]
    continuation: re.Pattern
    address_words: re.Pattern
    group_names: dict[str, int]  # norm(group name) -> group (income_groups.csv): a heading such as "1. Offentligt stöd"
    declarations: tuple[str, ...]
    income_types: dict[str, IncomeType]  # code -> type
    income_aliases: dict[str, str]  # label_shape(label) -> code
    form2014_groups: dict[str, int]  # norm(label) -> group
    form2014_reporter: dict[str, str]  # reporter fields the 2014 form implies (role, level)

    def match_field(self, text: str) -> tuple[str, str] | None:
        """``(field, rest)`` when ``text`` starts with a field label ("Namn: X", "Räkenskapsperiod X")."""
        return _match_prefix(text, self.field_labels)

    def match_year(self, text: str) -> int | None:
        n = norm(text)
        for label in self.year_labels:
            m = re.fullmatch(re.escape(label) + r"\s*:?\s*(\d{4})", n)
            if m:
                return int(m.group(1))
        return None

    def is_noise(self, text: str) -> bool:
        """Page furniture or a heading without data; a section number in front ("2. Intäkter") is ignored."""
        t = _SECTION.sub("", _SPACE.sub(" ", text).strip())
        return any(p.fullmatch(t) for p in self.noise)

    def group_heading(self, text: str) -> int | None:
        """The income group a heading names ("1. Offentligt stöd", "OFFENTLIGT STÖD", "5 Bidrag"), or None."""
        t = norm(_SECTION_END.sub("", _SECTION.sub("", _SPACE.sub(" ", text).strip())))
        if not t or any(ch.isdigit() for ch in t):
            return None
        hit = process.extractOne(t, list(self.group_names), scorer=fuzz.ratio, score_cutoff=90)
        return self.group_names[hit[0]] if hit else None

    def strip_continuation(self, text: str) -> str:
        """A cell without its "forts." / "continued" marker (a table going on over a page break)."""
        return _SPACE.sub(" ", self.continuation.sub(" ", text)).strip()

    def column(self, header_text: str) -> str | None:
        """The column a header names: exact alias, else the closest alias (rapidfuzz, >= 88 of 100)."""
        n = norm(header_text)
        if not n:
            return None
        hit = self.column_labels.get(n)
        if hit is not None:
            return hit
        if len(n) < 4 or any(ch.isdigit() for ch in n):
            return None
        best = process.extractOne(n, list(self.column_labels), scorer=fuzz.ratio, score_cutoff=88)
        return self.column_labels[best[0]] if best else None

    def is_total(self, label: str) -> bool:
        return norm(label) in self.total_labels

    def is_total_like(self, label: str) -> bool:
        """A label with a word that is, or is close to (rapidfuzz ratio >= 85), a word that names a sum
        ("Intäkter totalt", "Grand total"): evidence for a total, which the sums must confirm."""
        words = re.findall(r"[^\W\d_]+", norm(label))
        return any(fuzz.ratio(w, t) >= 85 for w in words for t in self.total_words)

    def income_type(self, code: str) -> IncomeType | None:
        return self.income_types.get(code)

    def code_for_label(self, label: str) -> str | None:
        """The code of a type printed without one, from its label (numbers in it match any number)."""
        return self.income_aliases.get(label_shape(label))

    def code_for_label_by_likeness(self, label: str) -> str | None:
        """The code of the one alias a label is clearly closest to (rapidfuzz ratio >= 85, and 8 points
        ahead of any other type): a wording we have not seen ("Närstående verksamhet: bidrag"). The
        caller warns: a code found this way is evidence, not a match."""
        hits = process.extract(label_shape(label), list(self.income_aliases), scorer=fuzz.ratio, limit=8)
        if not hits or hits[0][1] < 85:
            return None
        code = self.income_aliases[hits[0][0]]
        other = next((h[1] for h in hits[1:] if self.income_aliases[h[0]] != code), 0)
        return code if hits[0][1] - other >= 8 else None

    def code_by_label(self, label: str) -> str | None:
        """The code a label names: word for word (``code_for_label``), else clearly by likeness
        (``code_for_label_by_likeness``; the caller warns where it takes a code so found)."""
        return self.code_for_label(label) or self.code_for_label_by_likeness(label)

    @property
    def groups(self) -> frozenset[int]:
        """The income groups of the type table (1-6, 8)."""
        return frozenset(t.group for t in self.income_types.values())


_SECTION = re.compile(r"^\d{1,2}\.?\s+(?=\D)")
_SECTION_END = re.compile(r"\s+\d{1,2}\.?$")  # "Offentligt stöd | 1." (the group's number after it)


def _match_prefix(text: str, labels: dict[str, str]) -> tuple[str, str] | None:
    n = _SPACE.sub(" ", text).strip()
    low = n.lower()
    for label, field in labels.items():  # longest first
        if low.startswith(label):
            rest = n[len(label):]
            if rest == "" or rest[0] in ": ":
                return field, rest.lstrip(":").strip()
    return None


@lru_cache(maxsize=1)
def load() -> Maps:
    data = yaml.safe_load(_read("reports.yaml"))
    fields = {norm(label): field for field, labels in data["fields"].items() for label in labels}
    fields.update({norm(label): "year" for label in data["year"]})  # "Räkenskapsår:" with its value below
    fields = dict(sorted(fields.items(), key=lambda kv: -len(kv[0])))
    columns = {norm(label): col for col, labels in data["columns"].items() for label in labels}
    types: dict[str, IncomeType] = {}
    aliases: dict[str, str] = {}
    for row in csv.DictReader(_read("income_types.csv").splitlines()):
        t = IncomeType(row["code"], int(row["group"]), row["itemised"].strip() == "true",
                       row.get("donor_kind") or None, row["label"])
        types[t.code] = t
        aliases[label_shape(t.label)] = t.code
        for alias in filter(None, (row.get("aliases") or "").split("|")):
            aliases[label_shape(alias)] = t.code
    form2014 = {norm(r["label"]): int(r["group"]) for r in csv.DictReader(_read("form2014.csv").splitlines())}
    return Maps(
        families={k: list(v) for k, v in data["families"].items()},
        year_labels=tuple(norm(x) for x in data["year"]),
        year_titles=tuple(norm(x) for x in data.get("year_titles") or ()),
        field_labels=fields,
        roles={norm(k): v for k, v in data["roles"].items()},
        levels={norm(k): v for k, v in data["levels"].items()},
        forms={norm(k): v for k, v in data["forms"].items()},
        total_labels=frozenset(norm(x) for x in data["total"]),
        total_words=tuple(norm(x) for x in data["total_words"]),
        column_labels=columns,
        income_headers=tuple(tuple(norm(x) for x in h) for h in data["income_headers"]),
        noise=tuple(re.compile(p, re.IGNORECASE) for p in data["noise"]),
        continuation=re.compile(r"(?<!\w)(?:" + "|".join(data.get("continuation_markers") or ["(?!)"]) + r")(?!\w)",
                                re.IGNORECASE),
        address_words=re.compile(data.get("address_words") or "(?!)", re.IGNORECASE),
        group_names={**{norm(r["name"]): int(r["group"]) for r in csv.DictReader(_read("income_groups.csv").splitlines())},
                     **{norm(h): int(g) for g, hs in (data.get("group_headings") or {}).items() for h in hs}},
        declarations=tuple(norm(x) for x in data["declarations"]),
        income_types=types,
        income_aliases=aliases,
        form2014_groups=form2014,
        form2014_reporter=dict(data.get("form2014_reporter") or {}),
    )
