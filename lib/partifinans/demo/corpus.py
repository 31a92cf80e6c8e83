"""The fictional demo corpus: income reports of invented organisations, 2016-2024, from a fixed seed.

Every organisation, person, company, address and identity number here is invented (party names are
real; the organisations and all amounts are not). Persons are named ``...sson`` / ``...dotter`` on
fictional stems and carry personnummer born 1890-1899; companies are ``Exempel...``, ``Påhitt...``,
``Låtsas...`` and the like. Identity numbers are generated with a valid check digit (except the one
planted invalid number); any match with a real organisation's number is a coincidence.

:func:`demo_reports` returns the reports (the ``partifinans.report/1`` contract without ``source``,
``warnings`` and ``page``; a contribution's ``donor_id`` is the text as PRINTED, which the golden
files normalise) and :func:`planted_cases` the cases that later analyses must find, each with the
detector (issue #5) that should find it. Everything else is meant to be ordinary and not to trip
those detectors: see ``tests/demo/test_corpus.py`` which checks both.

Amounts and thresholds come from :mod:`partifinans.law`; nothing here writes a pbb figure.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from stdnum import luhn

from .. import law

SEED = 2024
YEARS = range(2016, 2025)


@dataclass(frozen=True)
class Org:
    """A fictional reporter. ``org_number`` is None for members (persons)."""

    key: str
    name: str
    party: str
    role: str
    level: str
    area: str | None
    org_number: str | None


@dataclass(frozen=True)
class Donor:
    """A fictional donor. ``donor_id`` is the normal form (``NNNNNN-NNNN`` / ``YYYYMMDD-NNNN``)."""

    key: str
    name: str
    donor_id: str | None
    address: str | None
    kind: str  # "person" | "company" | "foundation"


@dataclass(eq=True)
class DemoReport:
    """One demo report: file stem, layout and quirks for the renderer, the report itself.

    ``donor_keys`` gives, aligned with ``report["contributions"]``, the key of the fictional donor
    entity behind each entry (None for anonymous gifts and cash collections): the linkage truth.
    ``in_opendata`` marks organisation-years that the demo open-data file (``demo/opendata.py``)
    covers; ``opendata_change`` is ``(group, delta_sek)`` when that file must disagree with the PDF.
    ``expected_warnings`` are the warnings a correct parser gives for this file.
    """

    stem: str
    layout: str
    quirks: frozenset[str]
    report: dict
    donor_keys: tuple[str | None, ...] = ()
    in_opendata: bool = False
    opendata_change: tuple[int, float] | None = None
    planted: tuple[str, ...] = ()
    expected_warnings: tuple[str, ...] = ()
    org_key: str = ""


@dataclass(frozen=True)
class Plant:
    """A planted case: the detector that must find it, the files it is in, what it is."""

    detector: str
    stems: tuple[str, ...]
    description: str


# --- income types ------------------------------------------------------------------------------------

GROUP_OF = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "8": 8}
ITEMISED = ("4.1", "5.2", "5.4", "5.7", "8.1", "8.7")
FORM2014_ROWS = (  # (label as printed on KAM11001, open-data group)
    ("Partistöd", 1),
    ("Medlemsavgifter", 2),
    ("Bidrag från privatpersoner", 5),
    ("Bidrag från juridiska personer", 5),
    ("Bidrag från andra delar av partiets organisation", 5),
    ("Finansiella intäkter", 6),
    ("Övriga intäkter", 6),
)


def kronor(value: float) -> str:
    """A threshold as the guidance writes it in a label: whole kronor rounded half up, ``28 650``."""
    return f"{math.floor(value + 0.5):,}".replace(",", " ")


def type_label(code: str, year: int) -> str:
    """The label the demo e-service prints for an income type in ``year`` (``maps/income_types.csv``)."""
    small = kronor(law.threshold(year, "small"))
    anon = kronor(law.threshold(year, "anonymous"))
    ident = kronor(law.threshold(year, "identity"))
    labels = {
        "1.1": "Partistöd från staten",
        "1.2": "Stöd till kvinnoorganisationer",
        "1.3": "Stöd till partigrupper i riksdagen",
        "1.4": "Kommunalt och regionalt partistöd",
        "1.5": "Stöd till ungdomsorganisation",
        "2.1": "Medlemsavgifter",
        "3.1": "Försäljning",
        "3.2": "Lotterier som kräver tillstånd",
        "3.3": "Övriga lotterier",
        "4.1": "Insamling av kontanter",
        "5.1": f"Bidrag upp till och med {small} kronor",
        "5.2": f"Anonyma bidrag över {small} kronor upp till {anon} kronor",
        "5.3": f"Bidrag från privatpersoner över {small} kronor upp till {ident} kronor",
        "5.4": f"Bidrag från privatpersoner över {ident} kronor",
        "5.5": "Bidrag från partiets egna föreningar och sidoorganisationer",
        "5.6": f"Övriga bidrag över {small} kronor upp till {ident} kronor",
        "5.7": f"Övriga bidrag över {ident} kronor",
        "6.1": "Övriga intäkter",
        "8.1": "Närstående verksamhet: insamling av kontanter",
        "8.7": f"Närstående verksamhet: övriga bidrag över {ident} kronor",
    }
    return labels[code]


def _sek(value: float) -> str:
    """An amount for prose: ``1 720 180``."""
    return f"{value:,.0f}".replace(",", " ")


def _code_key(code: str) -> tuple[int, int]:
    a, b = code.split(".")
    return int(a), int(b)


# --- fictional identities ------------------------------------------------------------------------------

FIRST_NAMES = ("Anna", "Bertil", "Cecilia", "David", "Elsa", "Fredrik", "Greta", "Harald", "Ingrid", "Johan",
               "Karin", "Lennart", "Maja", "Nils", "Olga", "Per", "Ragnhild", "Sixten", "Tora", "Ulf", "Vera",
               "Wilhelm", "Ylva", "Åke")
SURNAMES = ("Testsson", "Exempelsson", "Påhittsson", "Låtsasson", "Fiktivsson", "Provsson", "Demosson",
            "Exempeldotter", "Testdotter", "Påhittsdotter", "Skenbarsson", "Låtsasdotter")
COMPANY_STEMS = ("Exempel", "Påhitt", "Låtsas", "Test", "Fiktiv", "Demo", "Skenbar", "Prov")
COMPANY_TRADES = ("bygg", "konsult", "handel", "media", "energi", "bageriet", "data", "transport", "revision",
                  "förlaget", "el", "måleri")
STREETS = ("Exempelgatan", "Påhittvägen", "Testallén", "Låtsasstigen", "Provgränd", "Demotorget", "Fiktivbacken",
           "Skenbarsvägen")
TOWNS = (("123 45", "Exempelstad"), ("234 56", "Påhittköping"), ("345 67", "Testeby"), ("456 78", "Låtsasvik"),
         ("567 89", "Fiktiva"))


class _Ids:
    """Allocates fictional identity numbers and addresses, never the same twice."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def orgnr(self, first: str) -> str:
        while True:
            # Digits 3-4 of an organisationsnummer are 20 or more (a personnummer has its month there).
            body = (first + str(self.rng.randint(0, 9)) + str(self.rng.randint(2, 9))
                    + "".join(str(self.rng.randint(0, 9)) for _ in range(6)))
            digits = body + luhn.calc_check_digit(body)
            formatted = f"{digits[:6]}-{digits[6:]}"
            if formatted not in self.used:
                self.used.add(formatted)
                return formatted

    def personnummer(self) -> str:
        while True:
            year = self.rng.randint(1890, 1899)
            birth = dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
            serial = f"{self.rng.randint(0, 999):03d}"
            body = f"{birth:%y%m%d}{serial}"
            pnr = f"{birth:%Y%m%d}-{serial}{luhn.calc_check_digit(body)}"
            if pnr not in self.used:
                self.used.add(pnr)
                return pnr

    def address(self, town: tuple[str, str] | None = None) -> str:
        while True:
            street = self.rng.choice(STREETS)
            number = self.rng.randint(1, 60)
            postcode, place = town or self.rng.choice(TOWNS)
            address = f"{street} {number}, {postcode} {place}"
            if address not in self.used:
                self.used.add(address)
                return address


# --- building reports ---------------------------------------------------------------------------------

def _item(donor: Donor | None, amount: float, date: str, form: str = "pengar", *, printed_id: str | None = None,
          printed_name: str | None = None, address: str | None = None, show_id: bool = True,
          show_address: bool = True) -> dict:
    """One itemised entry; ``printed_*`` override how the document writes the donor."""
    if donor is None:
        return {"donor": None, "donor_id": None, "address": address, "form": form, "date": date,
                "amount": float(amount), "_donor_key": None}
    return {
        "donor": printed_name or donor.name,
        "donor_id": (printed_id or donor.donor_id) if show_id else None,
        "address": (address or donor.address) if show_address else None,
        "form": form, "date": date, "amount": float(amount), "_donor_key": donor.key,
    }


def _eservice_report(org: Org, year: int, amounts: dict[str, float], items: dict[str, list[dict]],
                     submitted: str, total: float | None = None) -> tuple[dict, tuple[str | None, ...]]:
    """A 2018-law report: ``amounts`` for totals-only types, ``items`` for itemised ones."""
    lines, contributions, keys = [], [], []
    codes = sorted(set(amounts) | set(items), key=_code_key)
    for code in codes:
        group = GROUP_OF[code.split(".")[0]]
        entries = sorted(items.get(code, []), key=lambda e: (e["date"], -e["amount"]))
        amount = round(sum(e["amount"] for e in entries), 2) if code in items else round(float(amounts[code]), 2)
        lines.append({"group": group, "code": code, "label": type_label(code, year), "amount": amount})
        for e in entries:
            keys.append(e["_donor_key"])
            contributions.append({"group": group, "code": code, **{k: v for k, v in e.items() if k != "_donor_key"}})
    line_sum = round(sum(ln["amount"] for ln in lines), 2)
    report = {
        "schema": "partifinans.report/1",
        "kind": "intaktsredovisning",
        "year": year,
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "submitted": submitted,
        "reporter": _reporter(org),
        "lines": lines,
        "contributions": contributions,
        "total": line_sum if total is None else total,
    }
    return report, tuple(keys)


def _reporter(org: Org) -> dict:
    return {"name": org.name, "org_number": org.org_number, "party": org.party, "role": org.role,
            "level": org.level, "area": org.area}


def _form2014_report(org: Org, year: int, rows: dict[str, float], items: list[dict],
                     submitted: str) -> tuple[dict, tuple[str | None, ...]]:
    lines = [{"group": group, "code": None, "label": label, "amount": round(float(rows.get(label, 0.0)), 2)}
             for label, group in FORM2014_ROWS]
    entries = sorted(items, key=lambda e: (e["date"], -e["amount"]))
    contributions = [{"group": 5, "code": None, **{k: v for k, v in e.items() if k != "_donor_key"},
                      "address": None} for e in entries]
    report = {
        "schema": "partifinans.report/1",
        "kind": "intaktsredovisning",
        "year": year,
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "submitted": submitted,
        "reporter": _reporter(org),
        "lines": lines,
        "contributions": contributions,
        "total": round(sum(ln["amount"] for ln in lines), 2),
    }
    return report, tuple(e["_donor_key"] for e in entries)


def _anmalan_report(org: Org, year: int, submitted: str) -> dict:
    return {
        "schema": "partifinans.report/1",
        "kind": "anmalan",
        "year": year,
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "submitted": submitted,
        "reporter": _reporter(org),
        "lines": [],
        "contributions": [],
        "total": None,
    }


class _Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ids = _Ids(self.rng)
        self.names: set[str] = set()
        self.reports: list[DemoReport] = []
        self.plants: list[Plant] = []

    # amounts and dates
    def vary(self, base: float, spread: float = 0.15, step: int = 100) -> float:
        return float(max(step, round(base * self.rng.uniform(1 - spread, 1 + spread) / step) * step))

    def date_in(self, year: int, first_month: int = 1, last_month: int = 12) -> str:
        start = dt.date(year, first_month, 1)
        end = dt.date(year, last_month, 28)
        return (start + dt.timedelta(days=self.rng.randint(0, (end - start).days))).isoformat()

    def submitted(self, year: int) -> str:
        """A filing date before the deadline (between 1 February and 20 June of the next year)."""
        deadline = law.nominal_deadline(year)  # 1 July: the demo files well before any weekend move
        start = dt.date(year + 1, 2, 1)
        last = deadline - dt.timedelta(days=11)
        return (start + dt.timedelta(days=self.rng.randint(0, (last - start).days))).isoformat()

    # donors
    def person(self, address: str | None = None, surname: str | None = None, first: str | None = None) -> Donor:
        while True:
            name = f"{first or self.rng.choice(FIRST_NAMES)} {surname or self.rng.choice(SURNAMES)}"
            if name not in self.names:
                break
            first = None
        self.names.add(name)
        return Donor(f"person:{name}", name, self.ids.personnummer(), address or self.ids.address(), "person")

    def company(self, name: str | None = None, first_digit: str = "5", kind: str = "company") -> Donor:
        while name is None or name in self.names:
            name = f"{self.rng.choice(COMPANY_STEMS)}{self.rng.choice(COMPANY_TRADES)} AB"
        self.names.add(name)
        return Donor(f"{kind}:{name}", name, self.ids.orgnr(first_digit), self.ids.address(), kind)

    def add(self, org: Org, year: int, layout: str, report: dict, keys: tuple = (), quirks: tuple[str, ...] = (),
            **extra) -> DemoReport:
        stem = f"{year}_{org.key}"
        demo = DemoReport(stem=stem, layout=layout, quirks=frozenset(quirks), report=report, donor_keys=keys,
                          org_key=org.key, **extra)
        self.reports.append(demo)
        return demo

    def plant(self, detector: str, stems: list[str], description: str) -> None:
        self.plants.append(Plant(detector, tuple(stems), description))


# Income of an ordinary organisation-year by kind of reporter (SEK, before random variation).
BASE = {
    ("parti", "riks"): {"1.1": 26_000_000, "1.3": 7_500_000, "2.1": 3_100_000, "3.1": 620_000, "3.3": 210_000,
                        "5.1": 150_000, "5.3": 880_000, "5.5": 310_000, "5.6": 420_000, "6.1": 254_000},
    ("parti", "region"): {"1.4": 1_450_000, "2.1": 62_000, "3.1": 21_000, "5.1": 5_200, "5.3": 31_000,
                          "5.5": 42_000, "5.6": 26_000, "6.1": 3_900},
    ("parti", "kommun"): {"1.4": 215_000, "2.1": 16_000, "3.1": 11_000, "5.1": 2_300, "5.3": 12_500,
                          "5.5": 14_000, "5.6": 9_000, "6.1": 2_100},
    ("sidoorganisation", "kommun"): {"1.5": 32_000, "2.1": 3_400, "3.1": 8_200, "5.1": 1_100, "5.5": 15_500,
                                     "5.6": 6_000, "6.1": 800},
}


def _ordinary_amounts(b: _Builder, org: Org, drop: tuple[str, ...] = ()) -> dict[str, float]:
    base = BASE[(org.role, org.level)]
    step = 1000 if org.level == "riks" else 100
    return {code: b.vary(v, step=step) for code, v in base.items() if code not in drop}


def _small_anonymous(b: _Builder, year: int, n: int) -> list[dict]:
    """Anonymous gifts well below the 0.05 pbb limit (35-65 % of it)."""
    limit = law.threshold(year, "anonymous")
    return [_item(None, round(limit * b.rng.uniform(0.35, 0.65) / 10) * 10, b.date_in(year)) for _ in range(n)]


def _identity_gift(b: _Builder, year: int, low: float = 1.05, high: float = 1.6, step: int = 500) -> float:
    """A gift over the 0.5 pbb identity limit."""
    limit = law.threshold(year, "identity")
    return float(math.ceil(limit * b.rng.uniform(low, high) / step) * step)


def build(seed: int = SEED) -> tuple[list[DemoReport], list[Plant]]:
    b = _Builder(seed)
    rng = b.rng
    orgs = {}

    def org(key, name, party, role, level, area=None, person=False):
        o = Org(key, name, party, role, level, area, None if person else b.ids.orgnr("8"))
        orgs[key] = o
        return o

    l_riks = org("liberalerna-riks", "Liberalerna Riksorganisation Demo", "Liberalerna", "parti", "riks")
    c_riks = org("centerpartiet-riks", "Centerpartiet Riksorganisation Demo", "Centerpartiet", "parti", "riks")
    l_exs = org("liberalerna-exempelstad", "Liberalerna Exempelstad", "Liberalerna", "parti", "kommun", "Exempelstad")
    l_reg = org("liberalerna-region-exempelland", "Liberalerna Region Exempelland", "Liberalerna", "parti", "region",
                "Region Exempelland")
    luf_exs = org("luf-exempelstad", "Liberala ungdomsförbundet Exempelstad", "Liberalerna", "sidoorganisation",
                  "kommun", "Exempelstad")
    l_phk = org("liberalerna-pahittkoping", "Liberalerna i Påhittköping", "Liberalerna", "parti", "kommun",
                "Påhittköping")
    c_phk = org("centerpartiet-pahittkoping", "Centerpartiet i Påhittköping", "Centerpartiet", "parti", "kommun",
                "Påhittköping")
    m_teb = org("moderaterna-testeby", "Moderaterna i Testeby", "Moderaterna", "parti", "kommun", "Testeby")
    s_lav = org("socialdemokraterna-latsasvik", "Socialdemokraterna Låtsasvik", "Socialdemokraterna", "parti",
                "kommun", "Låtsasvik")
    kd_reg = org("kristdemokraterna-region-pahittland", "Kristdemokraterna Region Påhittland", "Kristdemokraterna",
                 "parti", "region", "Region Påhittland")
    v_exs = org("vansterpartiet-exempelstad", "Vänsterpartiet Exempelstad", "Vänsterpartiet", "parti", "kommun",
                "Exempelstad")
    mp_fik = org("miljopartiet-fiktiva", "Miljöpartiet de gröna i Fiktiva", "Miljöpartiet de gröna", "parti",
                 "kommun", "Fiktiva")
    sd_teb = org("sverigedemokraterna-testeby", "Sverigedemokraterna Testeby", "Sverigedemokraterna", "parti",
                 "kommun", "Testeby")
    muf_phk = org("muf-pahittkoping", "Moderata ungdomsförbundet Påhittköping", "Moderaterna", "sidoorganisation",
                  "kommun", "Påhittköping")
    kd_teb = org("kristdemokraterna-testeby", "Kristdemokraterna i Testeby", "Kristdemokraterna", "parti", "kommun",
                 "Testeby")
    eva = org("eva-exempelsson", "Eva Exempelsson", "Moderaterna", "ledamot", "riks", person=True)
    ulla = org("ulla-latsasdotter", "Ulla Låtsasdotter", "Socialdemokraterna", "ledamot", "eu", person=True)
    kalle = org("kalle-pahittsson", "Kalle Påhittsson", "Centerpartiet", "ersattare", "kommun", "Påhittköping",
                person=True)
    greta = org("greta-fiktivsson", "Greta Fiktivsson", "Vänsterpartiet", "ersattare", "region",
                "Region Exempelland", person=True)
    for o in orgs.values():
        if o.role in ("ledamot", "ersattare"):
            b.names.add(o.name)

    # --- national parties, every year 2016-2024 (they must report every year) ------------------------
    for o, donors in ((l_riks, (b.company("Exempelförlaget Nordica AB"), b.company(), b.person(),
                                b.person())),
                      (c_riks, (b.company("Påhittad Lantbruksmaskin och Skogsteknik AB"), b.company(), b.person(),
                                b.person(), b.company()))):
        one_off = donors[0] if o is c_riks else None  # long name: gives once, the 2016 wrapped-name fixture
        for year in YEARS:
            submitted = b.submitted(year)
            if year == 2017 and one_off is not None:
                donors = donors[1:]
            companies = [d for d in donors if d.kind == "company"]
            persons = [d for d in donors if d.kind == "person"]
            if year <= 2017:
                a = _ordinary_amounts(b, o)
                items = [_item(d, _identity_gift(b, year, 2, 6), b.date_in(year), "pengar") for d in donors]
                quirks: tuple[str, ...] = ()
                if o is c_riks and year == 2017:
                    # Many named private gifts: the table runs over a page break.
                    extra = [b.person() for _ in range(16)]
                    items += [_item(d, _identity_gift(b, year, 1.05, 2.5), b.date_in(year)) for d in extra]
                    quirks = ("table_across_pages",)
                elif o is c_riks:
                    quirks = ("wrapped_donor_name",)
                elif year == 2017:
                    quirks = ("amount_formats",)
                private = sum(e["amount"] for e in items if e["_donor_key"].startswith("person"))
                legal = sum(e["amount"] for e in items if not e["_donor_key"].startswith("person"))
                rows = {
                    "Partistöd": a["1.1"] + a["1.3"],
                    "Medlemsavgifter": a["2.1"],
                    "Bidrag från privatpersoner": a["5.3"] + a["5.1"] + private,
                    "Bidrag från juridiska personer": a["5.6"] + legal,
                    "Bidrag från andra delar av partiets organisation": a["5.5"],
                    "Finansiella intäkter": round(a["6.1"] * 0.4 + rng.randint(0, 99) / 100, 2),
                    "Övriga intäkter": a["3.1"] + a["3.3"],
                }
                report, keys = _form2014_report(o, year, rows, items, submitted)
                b.add(o, year, "form2014", report, keys, quirks)
                continue
            a = _ordinary_amounts(b, o)
            a["6.1"] = round(a["6.1"] + rng.randint(0, 99) / 100, 2)
            items = {
                "5.2": _small_anonymous(b, year, 3),
                "5.4": [_item(d, _identity_gift(b, year, 1.5, 5), b.date_in(year)) for d in persons],
                "5.7": [_item(d, _identity_gift(b, year, 2, 9), b.date_in(year),
                              rng.choice(("pengar", "pengar", "tjänster"))) for d in companies],
            }
            planted: tuple[str, ...] = ()
            if o is c_riks and year == 2022:
                # Group 8: a foundation under the party's controlling influence received gifts.
                related = [b.company(), b.person()]
                items["8.1"] = [_item(None, b.vary(9_000), b.date_in(year), address="Valstuga, Stortorget, Påhittköping")]
                items["8.7"] = [_item(related[0], _identity_gift(b, year, 3, 5), b.date_in(year))]
                planted = ("related_entity_income",)
            layout = ("eservice_table", "eservice_landscape", "eservice_stacked")[(year + (o is c_riks)) % 3]
            report, keys = _eservice_report(o, year, a, items, submitted)
            demo = b.add(o, year, layout, report, keys, planted=planted)
            if planted:
                b.plant("related_entity_income", [demo.stem],
                        f"{o.name} {year}: group 8 (närstående verksamhet) income: a cash collection "
                        f"{_sek(items['8.1'][0]['amount'])} kr and {items['8.7'][0]['donor']} "
                        f"{_sek(items['8.7'][0]['amount'])} kr received by a related foundation")

    # --- Liberalerna Exempelstad 2019-2024: lottery surge in the 2022 election year -------------------
    bergstrom = Donor("company:Bergström Exempelfastigheter AB", "Bergström Exempelfastigheter AB",
                      None, None, "company")
    b_orgnr = b.ids.orgnr("5")
    b_digits = b_orgnr.replace("-", "")
    b_address = b.ids.address(("123 45", "Exempelstad"))
    bergstrom = Donor(bergstrom.key, bergstrom.name, b_orgnr, b_address, "company")
    b.names.add(bergstrom.name)
    lottery = {2019: 14_000, 2020: 12_500, 2021: 15_000, 2022: 68_000, 2023: 13_500, 2024: 16_000}
    exs_donor = b.company()
    for year in range(2019, 2025):
        a = _ordinary_amounts(b, l_exs)
        a["3.2"] = float(lottery[year])
        items = {"5.2": _small_anonymous(b, year, 2)}
        quirks = ()
        if year == 2020:
            items["4.1"] = [_item(None, b.vary(3_000, 0.5), b.date_in(year), address=f"{place}, Exempelstad")
                            for place in ("Stortorget", "Stationen", "Biblioteket", "Stortorget", "Torghallen",
                                          "Stationen", "Folkets park", "Stortorget")]
            quirks = ("table_across_pages",)
        if year in (2021, 2023):
            items["5.7"] = [_item(exs_donor, _identity_gift(b, year, 1.05, 1.3), b.date_in(year))]
        if year == 2022:
            items["5.7"] = [_item(bergstrom, 30_000, "2022-04-12")]
        layout = ("eservice_table", "eservice_stacked", "eservice_landscape")[year % 3]
        report, keys = _eservice_report(l_exs, year, a, items, b.submitted(year))
        b.add(l_exs, year, layout, report, keys, quirks, in_opendata=(year == 2021),
              planted=("lottery_surge", "split_across_entities") if year == 2022 else ())
    b.plant("lottery_surge", ["2022_liberalerna-exempelstad"],
            "Liberalerna Exempelstad: lottery income (3.2) 68 000 kr in the 2022 election year against "
            "12 500-16 000 kr in 2019-2021 and 2023-2024")

    # --- one donor, four associations of Liberalerna, 2022, four spellings ------------------------------
    year = 2022
    spelled = [
        (l_exs, None),  # already above: "Bergström Exempelfastigheter AB", 556...-..., 30 000
        (l_reg, _item(bergstrom, 45_000, "2022-03-02", printed_name="BERGSTRÖM EXEMPELFASTIGHETER AKTIEBOLAG",
                      printed_id=b_digits)),
        (luf_exs, _item(bergstrom, 25_000, "2022-08-19", printed_name="Bergströms Exempelfastigheter",
                        show_id=False)),
        (l_phk, _item(bergstrom, 27_500, "2022-06-07", printed_name="Exempelfastigheter AB, Bergström",
                      printed_id="16" + b_orgnr, show_address=False)),
    ]
    layouts = {l_reg.key: ("eservice_stacked", ("wrapped_donor_name",)), luf_exs.key: ("eservice_landscape", ("wrapped_donor_name",)),
               l_phk.key: ("eservice_table", ("amount_formats",))}
    for o, gift in spelled[1:]:
        a = _ordinary_amounts(b, o)
        items = {"5.7": [gift], "5.2": _small_anonymous(b, year, 1)}
        if o is luf_exs:
            items["5.7"].append(_item(b.company("Låtsas Ungdomsresor och Lägerverksamhet i Exempelstad AB"),
                                      _identity_gift(b, year, 1.0, 1.1), b.date_in(year)))
            a["3.1"] = b.vary(30_000)
        report, keys = _eservice_report(o, year, a, items, b.submitted(year))
        layout, quirks = layouts[o.key]
        b.add(o, year, layout, report, keys, quirks, planted=("split_across_entities",))
    b.plant("split_across_entities",
            [f"2022_{o.key}" for o, _ in spelled],
            f"{bergstrom.name} ({b_orgnr}) gives to four Liberalerna associations in 2022: Liberalerna Exempelstad "
            "30 000 kr (as printed: 'Bergström Exempelfastigheter AB', " + b_orgnr + "), Liberalerna Region "
            "Exempelland 45 000 kr ('BERGSTRÖM EXEMPELFASTIGHETER AKTIEBOLAG', " + b_digits + "), Liberala "
            "ungdomsförbundet Exempelstad 25 000 kr ('Bergströms Exempelfastigheter', no number, address only), "
            "Liberalerna i Påhittköping 27 500 kr ('Exempelfastigheter AB, Bergström', 16" + b_orgnr + ", no address)")

    # --- Centerpartiet i Påhittköping: reported 2018, 2019, 2021, 2022, not 2020 ------------------------
    c_donor = b.company()
    for year in (2018, 2019, 2021, 2022):
        a = _ordinary_amounts(b, c_phk)
        items = {"5.2": _small_anonymous(b, year, 1)}
        if year == 2022:
            items["5.7"] = [_item(c_donor, _identity_gift(b, year, 1.05, 1.2), b.date_in(year))]
        layout = ("eservice_landscape", "eservice_table", "eservice_stacked")[year % 3]
        report, keys = _eservice_report(c_phk, year, a, items, b.submitted(year))
        b.add(c_phk, year, layout, report, keys, planted=("missing_report",) if year in (2019, 2021) else ())
    b.plant("missing_report", ["2019_centerpartiet-pahittkoping", "2021_centerpartiet-pahittkoping"],
            "Centerpartiet i Påhittköping reported 2018, 2019, 2021 and 2022 but not 2020")

    # --- Moderaterna i Testeby 2020-2022: jump in 2021, invalid number in 2022, open data disagrees ------
    for year in (2020, 2021, 2022):
        a = _ordinary_amounts(b, m_teb)
        items: dict[str, list[dict]] = {}
        planted = ()
        extra = {}
        if year == 2020:
            a = {"1.4": b.vary(190_000), "2.1": b.vary(15_000), "3.1": 6_000.0, "5.1": 1_500.0, "5.6": 4_000.0,
                 "6.1": 1_200.0}
            planted = ("year_over_year_jump",)
        if year == 2021:
            a.update({"3.1": 96_000.0, "5.3": 38_000.0, "5.6": 41_000.0, "6.1": 24_500.0})
            planted = ("year_over_year_jump",)
        if year == 2022:
            bad = b.ids.orgnr("5")
            digits = bad.replace("-", "")
            wrong = str((int(digits[-1]) + 3) % 10)
            invalid = f"{digits[:6]}-{digits[6:9]}{wrong}"
            konsult = b.company("Låtsas Konsult AB")
            items["5.7"] = [_item(konsult, _identity_gift(b, year, 1.1, 1.3), "2022-09-01", printed_id=invalid)]
            planted = ("invalid_identifier", "source_disagreement")
            extra = {"in_opendata": True, "opendata_change": (2, 5_000.0)}
        layout = ("eservice_stacked", "eservice_landscape", "eservice_table")[year % 3]
        report, keys = _eservice_report(m_teb, year, a, items, b.submitted(year))
        b.add(m_teb, year, layout, report, keys, planted=planted, **extra)
    def find(stem: str) -> DemoReport:
        return next(d for d in b.reports if d.stem == stem)

    def non_public(stem: str) -> float:
        return sum(ln["amount"] for ln in find(stem).report["lines"] if ln["group"] in (3, 4, 5, 6, 8))

    b.plant("year_over_year_jump", ["2020_moderaterna-testeby", "2021_moderaterna-testeby"],
            f"Moderaterna i Testeby: non-public income (groups 3-6, 8) {_sek(non_public('2020_moderaterna-testeby'))} "
            f"kr in 2020, {_sek(non_public('2021_moderaterna-testeby'))} kr in 2021 (sales, contributions, other)")
    inv = find("2022_moderaterna-testeby").report["contributions"][0]
    b.plant("invalid_identifier", ["2022_moderaterna-testeby"],
            f"Moderaterna i Testeby 2022: donor {inv['donor']} printed with organisationsnummer {inv['donor_id']}, "
            "whose check digit is wrong")
    b.plant("source_disagreement", ["2022_moderaterna-testeby"],
            "Moderaterna i Testeby 2022: the demo open-data file gives group 2 (Medlemsavgifter) 5 000 kr more "
            "than the PDF")

    # --- Socialdemokraterna Låtsasvik: shared address 2022, late report 2023 ------------------------------
    family_address = b.ids.address(("456 78", "Låtsasvik"))
    anna = b.person(family_address, "Låtsasson", "Anna")
    bertil = b.person(family_address, "Låtsasson", "Bertil")
    for year in (2022, 2023):
        a = _ordinary_amounts(b, s_lav)
        a["3.1"] = b.vary(60_000)
        items = {"5.2": _small_anonymous(b, year, 2)}
        quirks = ()
        if year == 2022:
            items["5.4"] = [_item(anna, 30_000, "2022-05-16"), _item(bertil, 30_000, "2022-05-16")]
            submitted = b.submitted(year)
        else:
            submitted = "2024-08-15"
            quirks = ("date_words",)
        report, keys = _eservice_report(s_lav, year, a, items, submitted)
        b.add(s_lav, year, "eservice_table" if year == 2022 else "eservice_stacked", report, keys, quirks,
              planted=("intermediary_donor",) if year == 2022 else ("late_report",))
    b.plant("intermediary_donor", ["2022_socialdemokraterna-latsasvik"],
            f"Socialdemokraterna Låtsasvik 2022: {anna.name} and {bertil.name} at one address ({family_address}) "
            "give 30 000 kr each (family members each giving a part)")
    b.plant("late_report", ["2023_socialdemokraterna-latsasvik"],
            "Socialdemokraterna Låtsasvik 2023: submitted 2024-08-15, after the 1 July 2024 deadline")

    # --- Kristdemokraterna Region Påhittland: total mismatch 2021, missing identity 2022 --------------------
    warnings: tuple[str, ...] = ()
    for year in (2021, 2022):
        a = _ordinary_amounts(b, kd_reg)
        items = {"5.2": _small_anonymous(b, year, 1)}
        total = None
        planted = ()
        warnings = ()
        if year == 2021:
            line_sum = round(sum(a.values()) + sum(e["amount"] for e in items["5.2"]), 2)
            total = line_sum + 10_000
            planted = ("total_mismatch",)
            warnings = (f"total mismatch: the lines sum to {line_sum:.2f}, the printed total is {total:.2f} "
                        f"(difference 10000.00)",)
        else:
            harald = b.person(first="Harald", surname="Påhittsson")
            items["5.4"] = [_item(harald, 35_000, "2022-10-03", show_id=False, show_address=False)]
            planted = ("missing_donor_identity",)
        report, keys = _eservice_report(kd_reg, year, a, items, b.submitted(year), total)
        b.add(kd_reg, year, "eservice_landscape", report, keys, planted=planted, expected_warnings=warnings)
    kd = find("2021_kristdemokraterna-region-pahittland")
    b.plant("total_mismatch", ["2021_kristdemokraterna-region-pahittland"],
            f"Kristdemokraterna Region Påhittland 2021: printed total {_sek(kd.report['total'])} kr, the lines sum "
            "to 10 000 kr less")
    b.plant("missing_donor_identity", ["2022_kristdemokraterna-region-pahittland"],
            "Kristdemokraterna Region Påhittland 2022: 5.4 gift of 35 000 kr from 'Harald Påhittsson' with "
            "neither personnummer nor address")

    # --- Vänsterpartiet Exempelstad: anonymous gifts just under the limit in 2024 ---------------------------
    for year in (2023, 2024):
        a = _ordinary_amounts(b, v_exs)
        if year == 2023:
            items = {"5.2": _small_anonymous(b, year, 2)}
            quirks = ()
        else:
            limit = law.threshold(year, "anonymous")
            items = {"5.2": [_item(None, math.floor(limit * f / 10) * 10, d) for f, d in
                             ((0.99, "2024-03-08"), (0.97, "2024-04-22"), (0.995, "2024-05-30"),
                              (0.96, "2024-09-14"))] + _small_anonymous(b, year, 1)}
            quirks = ("amount_formats",)
        report, keys = _eservice_report(v_exs, year, a, items, b.submitted(year))
        b.add(v_exs, year, "eservice_table" if year == 2023 else "eservice_landscape", report, keys, quirks,
              planted=("anonymous_near_limit",) if year == 2024 else ())
    near = [e["amount"] for e in b.reports[-1].report["contributions"] if e["code"] == "5.2"]
    b.plant("anonymous_near_limit", ["2024_vansterpartiet-exempelstad"],
            f"Vänsterpartiet Exempelstad 2024: four anonymous gifts of {', '.join(f'{_sek(x)}' for x in sorted(near)[-4:])}"
            f" kr, just under the {_sek(law.threshold(2024, 'anonymous'))} kr limit (0.05 pbb)")

    # --- Miljöpartiet i Fiktiva 2022: anonymous gift over the limit ---------------------------------------
    year = 2022
    a = _ordinary_amounts(b, mp_fik)
    over = float(math.ceil(law.threshold(year, "anonymous") * 1.45 / 100) * 100)
    items = {"5.2": [_item(None, over, "2022-08-30")] + _small_anonymous(b, year, 2)}
    report, keys = _eservice_report(mp_fik, year, a, items, b.submitted(year))
    b.add(mp_fik, year, "eservice_stacked", report, keys, planted=("anonymous_over_limit",))
    b.plant("anonymous_over_limit", ["2022_miljopartiet-fiktiva"],
            f"Miljöpartiet de gröna i Fiktiva 2022: an anonymous gift of {_sek(over)} kr, over the "
            f"{_sek(law.threshold(year, 'anonymous'))} kr limit (0.05 pbb)")

    # --- Sverigedemokraterna Testeby: a foundation as donor 2023 -------------------------------------------
    stiftelse = b.company("Stiftelsen Påhittad Framtid", first_digit="8", kind="foundation")
    sd_donor = b.company()
    for year in (2023, 2024):
        a = _ordinary_amounts(b, sd_teb)
        a["3.1"] = b.vary(40_000)
        items = {"5.2": _small_anonymous(b, year, 1)}
        if year == 2023:
            items["5.7"] = [_item(stiftelse, _identity_gift(b, year, 1.2, 1.4), "2023-11-20")]
        else:
            items["5.7"] = [_item(sd_donor, _identity_gift(b, year, 1.05, 1.2), b.date_in(year))]
        report, keys = _eservice_report(sd_teb, year, a, items, b.submitted(year))
        b.add(sd_teb, year, "eservice_table" if year == 2023 else "eservice_stacked", report, keys,
              ("date_words",) if year == 2023 else (), planted=("intermediary_donor",) if year == 2023 else ())
    b.plant("intermediary_donor", ["2023_sverigedemokraterna-testeby"],
            f"Sverigedemokraterna Testeby 2023: {stiftelse.name} ({stiftelse.donor_id}, a foundation) as donor (5.7)")

    # --- MUF Påhittköping 2023: one donor gives over half the non-public income -----------------------------
    year = 2023
    a = _ordinary_amounts(b, muf_phk)
    big = b.company("Påhittad Bygg och Fastighet i Testeby AB")
    gift = float(math.ceil((sum(v for k, v in a.items() if not k.startswith("1") and not k.startswith("2")) * 1.3)
                           / 1000) * 1000)
    gift = max(gift, _identity_gift(b, year, 1.5, 1.6))
    items = {"5.7": [_item(big, gift, "2023-04-05", "tjänster")]}
    report, keys = _eservice_report(muf_phk, year, a, items, b.submitted(year))
    b.add(muf_phk, year, "eservice_landscape", report, keys, ("wrapped_donor_name",),
          planted=("donor_concentration",))
    share = gift / sum(ln["amount"] for ln in report["lines"] if ln["group"] in (3, 4, 5, 6, 8))
    b.plant("donor_concentration", [f"{year}_{muf_phk.key}"],
            f"Moderata ungdomsförbundet Påhittköping 2023: {big.name} gives {_sek(gift)} kr, "
            f"{share:.0%} of the non-public income (groups 3-6, 8)")

    # --- members and substitutes ------------------------------------------------------------------------
    year = 2022
    items = {"5.4": [_item(b.person(), _identity_gift(b, year, 1.1, 1.3), b.date_in(year, 5, 9))]}
    report, keys = _eservice_report(eva, year, {"5.1": b.vary(8_000), "5.3": b.vary(26_000), "5.6": b.vary(21_000)},
                                    items, b.submitted(year))
    b.add(eva, year, "eservice_stacked", report, keys)
    year = 2019
    items = {"5.4": [_item(b.person(), _identity_gift(b, year, 1.05, 1.2), b.date_in(year, 2, 5))]}
    report, keys = _eservice_report(ulla, year, {"5.1": b.vary(6_000), "5.3": b.vary(31_000), "5.6": b.vary(16_000)},
                                    items, b.submitted(year))
    b.add(ulla, year, "eservice_landscape", report, keys)
    year = 2024
    report, keys = _eservice_report(greta, year, {"5.1": b.vary(4_000), "5.3": b.vary(12_000), "5.6": b.vary(10_000)},
                                    {}, b.submitted(year))
    b.add(greta, year, "eservice_table", report, keys)

    # --- below-threshold notices --------------------------------------------------------------------------
    b.add(kalle, 2023, "anmalan", _anmalan_report(kalle, 2023, b.submitted(2023)))
    b.add(kd_teb, 2020, "anmalan", _anmalan_report(kd_teb, 2020, b.submitted(2020)))

    reports = sorted(b.reports, key=lambda d: d.stem)
    return reports, b.plants


def demo_reports(seed: int = SEED) -> list[DemoReport]:
    """The demo corpus for ``seed`` (deterministic: no wall clock, no global random state)."""
    return build(seed)[0]


def planted_cases(seed: int = SEED) -> list[Plant]:
    """The planted cases and the detector expected to find each."""
    return build(seed)[1]
