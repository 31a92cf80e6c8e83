"""A layout-variation generator: random fictional party income reports drawn in many layouts.

Written apart from the reader (`partifinans.extract`) and from the demo renderer
(`partifinans.demo`), from the public description of the documents only, so that the reader can
be measured on layouts it was not written against (issue 10, "Prove it on layouts you did not
write"). Each seed gives one report, deterministically: its content (reporter, income lines by
type code, itemised donor tables whose items add up to their line, total) and its layout, drawn
along independent axes (`Variant.axes`): document kind, page style (e-service print-out,
spreadsheet grid, letter), language of the labels, title and label wordings, column order and
count, table headers and headings, borders, where the donor tables stand, wrapped names and
headers, page breaks inside tables (header repeated or not, "forts."/"continued" markers),
running headers and footers, landscape and rotated pages, number, date and identity formats.

Every variant is meant to be read unambiguously by a careful person, and its truth (the
`truth.json` format of tests/corpora/README.md) is what such a reader takes from it: a value the
document does not print is null, a table without dates gives items without dates.

All names are invented. Identity numbers are valid but fictional: personnummer of people born in
the 1890s (written `18YYMMDD-NNNN`, `YYMMDD+NNNN` or as twelve digits), organisationsnummer with
a valid check digit; both are computed with python-stdnum.

    generate(seed) -> (pdf_bytes, truth)
    python tests/layouts/generator.py --out DIR --n 50 --seed 1000   # DIR/*.pdf, truth.json, axes.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from stdnum import luhn
from stdnum.se import orgnr as se_orgnr
from stdnum.se import personnummer as se_pnr

from partifinans import law  # the price base amounts: one home for legal parameters

# ---------------------------------------------------------------- vocabulary (all invented names)

PARTY_STEMS = ["Framtids", "Kust", "Lykt", "Solros", "Nordstjärne", "Ekbacke", "Fjällsippe", "Havsörne",
               "Ljungheds", "Bergsrike", "Vitsippe", "Gryningsljus", "Mittfåre", "Tranbärs"]
PLACES = ["Umeå", "Kalmar", "Växjö", "Borås", "Luleå", "Gävle", "Falun", "Örebro", "Visby", "Mora",
          "Ystad", "Kiruna", "Lidköping", "Sandviken", "Hudiksvall", "Karlshamn", "Eksjö", "Sala"]
REGIONS = ["Kalmar län", "Västerbotten", "Dalarna", "Gävleborg", "Kronoberg", "Norrbotten", "Jämtland"]
FIRST = ["Agda", "Bertil", "Cecilia", "Dagny", "Einar", "Frideborg", "Gunnar", "Hulda", "Ivar", "Jenny",
         "Karl-Oskar", "Linnea", "Manfred", "Nanna", "Oskar", "Petrea", "Ragnar", "Sigrid", "Tekla",
         "Ulrik", "Vendela", "Wilhelmina", "Åke", "Östen", "Anna-Stina", "Gösta"]
LAST = ["Ambjörnsson", "Bäckström", "Crona", "Dufva", "Ekorrsson", "Fläderström", "Granqvist",
        "Hjortmark", "Isgren", "Järnefelt", "Kvarnström", "Lärkholm", "Myrberg", "Nyrén", "Orrgren",
        "Pilqvist", "Rönnbäck", "Sälgström", "Tallroth", "Uvberg", "Vassmark", "Ängström", "Öhrnell"]
TRADES = ["Bygg", "Snickeri", "Fastigheter", "Transport", "Konsult", "Bageri", "Trädgård", "Måleri",
          "Förvaltning", "Energi", "Media", "Textil"]
LONG_TAILS = ["i Norra Mälardalens kustregion", "med dotterbolag i Skåne och Blekinge",
              "Handelsbolag och Kommanditbolag", "för Folkbildning och Kulturarv i Norrland"]
TREES = ["Eken", "Linden", "Rönnen", "Aspen", "Granen", "Hasseln"]
STREETS = ["Storgatan", "Kyrkogatan", "Hamngatan", "Skolvägen", "Ängsvägen", "Järnvägsgatan"]

SV_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
             "oktober", "november", "december"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]

# Income types of the 2018:90 reports by code: (Swedish label, English label). Labels with {half}
# or {small} carry the year's threshold, as the e-service labels do.
TYPES = {
    "1.1": ("Statligt partistöd", "State party support"),
    "1.2": ("Stöd till kvinnoorganisationer", "Support to women's organisations"),
    "1.3": ("Stöd till partigrupper i riksdagen", "Support to party groups in the Riksdag"),
    "1.4": ("Kommunalt och regionalt partistöd", "Municipal and regional party support"),
    "1.5": ("Statligt eller kommunalt stöd till ungdomsorganisation", "Public support to a youth organisation"),
    "2.1": ("Medlemsavgifter", "Membership fees"),
    "3.1": ("Intäkter från försäljning", "Sales"),
    "3.2": ("Lotterier som kräver licens", "Lotteries requiring a licence"),
    "3.3": ("Övriga lotterier", "Other lotteries"),
    "4.1": ("Insamling av kontanter", "Cash collections"),
    "5.1": ("Bidrag upp till och med {small} kronor", "Contributions up to SEK {small}"),
    "5.2": ("Anonyma bidrag över {small} kronor", "Anonymous contributions over SEK {small}"),
    "5.3": ("Bidrag från privatpersoner upp till och med {half} kronor",
            "Contributions from private persons up to SEK {half}"),
    "5.4": ("Bidrag från privatpersoner över {half} kronor",
            "Contributions from private persons over SEK {half}"),
    "5.5": ("Bidrag från partiets egna organisationer", "Contributions from the party's own organisations"),
    "5.6": ("Övriga bidrag upp till och med {half} kronor", "Other contributions up to SEK {half}"),
    "5.7": ("Övriga bidrag över {half} kronor", "Other contributions over SEK {half}"),
    "6.1": ("Övriga intäkter", "Other income"),
    "8.1": ("Närstående verksamhet: insamling av kontanter", "Related entity: cash collections"),
    "8.2": ("Närstående verksamhet: bidrag", "Related entity: contributions"),
}
GROUPS = {1: ("Offentligt stöd", "Public support"), 2: ("Medlemsavgifter", "Membership fees"),
          3: ("Försäljning och lotterier", "Sales and lotteries"), 4: ("Insamling av kontanter", "Cash collections"),
          5: ("Bidrag", "Contributions"), 6: ("Övrigt", "Other income"),
          8: ("Närstående verksamhet", "Related entities")}
ITEMISED = ("4.1", "5.2", "5.4", "5.7", "8.1", "8.2")
COLLECTIONS = ("4.1", "8.1")  # items: date, place, amount
ANONYMOUS = ("5.2",)  # items: date, form, amount
NAMED = ("5.4", "5.7", "8.2")  # items: donor, identity, form, date, amount

# the 2014:105 form's income rows: (label, group)
FORM2014_ROWS = [("Partistöd från staten", 1), ("Medlemsavgifter", 2), ("Bidrag från privatpersoner", 5),
                 ("Bidrag från juridiska personer", 5), ("Bidrag från andra delar av partiets organisation", 5),
                 ("Finansiella intäkter", 6), ("Övriga intäkter", 6)]

L = {  # label wordings, Swedish and English
    "name": (["Organisationens namn", "Namn", "Organisation", "Förening", "Redovisande organisation"],
             ["Name of organisation", "Organisation", "Name", "Reporting entity"]),
    "person": (["Namn", "Ledamotens namn"], ["Name", "Member"]),
    "orgnr": (["Organisationsnummer", "Org.nr", "Org. nr", "Organisationsnr"],
              ["Organisation number", "Corporate identity number", "Org. no.", "Registration number"]),
    "year": (["Räkenskapsår", "Redovisningsår", "År"], ["Financial year", "Reporting year", "Year"]),
    "period": (["Räkenskapsperiod", "Period", "Redovisningsperiod"],
               ["Reporting period", "Financial period", "Period"]),
    "submitted": (["Inlämnad", "Datum för inlämning", "Inkom", "Inlämningsdatum"],
                  ["Submitted", "Date submitted", "Date of submission", "Received"]),
    "party": (["Parti", "Partitillhörighet"], ["Party", "Party affiliation"]),
    "role": (["Typ av redovisare", "Redovisare", "Kategori"], ["Type of reporter", "Reporter", "Category"]),
    "level": (["Nivå", "Verksam på"], ["Level", "Active at"]),
    "area": (["Kommun", "Område"], ["Municipality", "Area"]),
    "address": (["Adress", "Postadress"], ["Address", "Postal address"]),
    "contact": (["Kontaktperson", "Kassör"], ["Contact person", "Treasurer"]),
    "total": (["Summa intäkter", "Totalt", "Summa", "Totala intäkter", "Summa intäkter:"],
              ["Total income", "Total", "Sum of income", "Total revenue"]),
    "c_donor": (["Bidragsgivare", "Givare", "Namn"], ["Donor", "Contributor", "Name"]),
    "c_id": (["Person-/organisationsnummer", "Org.nr/personnr", "Identitet", "Person- eller organisationsnummer",
              "Personnr/orgnr"], ["Identity number", "ID no.", "Personal or organisation number", "Reg. no."]),
    "c_address": (["Adress"], ["Address"]),
    "c_form": (["Typ av bidrag", "Form", "Bidragets art", "Vad bidraget består av"],
               ["Form", "Form of contribution", "Kind"]),
    "c_date": (["Datum", "Mottaget", "Datum för bidraget"], ["Date", "Date received"]),
    "c_amount": (["Belopp", "Belopp (kr)", "Kronor", "Bidragets storlek"], ["Amount", "Amount (SEK)", "SEK"]),
    "c_place": (["Plats", "Insamlingsplats"], ["Place", "Location"]),
    "c_code": (["Kod", "Typ"], ["Code", "Type"]),
    "c_label": (["Intäktstyp", "Intäkt", "Beskrivning"], ["Type of income", "Income", "Description"]),
    "sum_items": (["Summa", "Summa specifikation"], ["Sum", "Total of table"]),
}
FORMS = (["Pengar", "Varor", "Tjänster", "Övrigt"], ["Money", "Goods", "Services", "Other"])
ROLES = {"parti": ("Parti", "Party"), "sidoorg": ("Sidoorganisation", "Side organisation"),
         "ledamot": ("Ledamot", "Member"), "ersattare": ("Ersättare", "Substitute member")}
LEVELS = {"riks": ("Riksnivå", "National level"), "region": ("Regional nivå", "Regional level"),
          "kommun": ("Kommunal nivå", "Municipal level")}


# ---------------------------------------------------------------- content

@dataclass
class Item:
    code: str
    amount: int  # öre
    date: dt.date
    donor: str | None = None
    donor_id: str | None = None  # canonical: NNNNNN-NNNN or 18YYMMDD-NNNN
    person: bool = False
    form: int = 0  # index into FORMS
    place: str | None = None
    address: str | None = None
    columns: tuple[str, ...] = ()  # the columns its table printed (set when drawn)


@dataclass
class Report:
    kind: str  # "intaktsredovisning" | "anmalan"
    law: str  # "2018" | "2014"
    year: int
    name: str
    org_number: str | None
    party: str
    role: str
    level: str
    area: str | None
    submitted: dt.date | None
    lines: list[tuple[str, int]] = field(default_factory=list)  # (code or 2014 row label, öre)
    items: list[Item] = field(default_factory=list)
    address: str | None = None
    contact: str | None = None

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        start = dt.date(self.year, 4, 1) if self.year == 2018 else dt.date(self.year, 1, 1)
        return start, dt.date(self.year, 12, 31)

    def group_of(self, key: str) -> int:
        if self.law == "2014":
            return dict(FORM2014_ROWS)[key]
        return int(key.split(".")[0])

    @property
    def total(self) -> int:
        return sum(a for _, a in self.lines)


def _orgnr(rng: random.Random, first: str) -> str:
    while True:
        body = first + str(rng.randint(0, 9)) + str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(6))
        number = body + luhn.calc_check_digit(body)
        if se_orgnr.is_valid(number):
            return f"{number[:6]}-{number[6:]}"


def _personnummer(rng: random.Random) -> str:
    """A valid personnummer of someone born in the 1890s, as 18YYMMDD-NNNN."""
    while True:
        born = dt.date(1890, 1, 1) + dt.timedelta(days=rng.randint(0, 3650))
        yymmdd = born.strftime("%y%m%d")
        serial = f"{rng.randint(0, 999):03d}"
        check = luhn.calc_check_digit(yymmdd + serial)
        number = f"18{yymmdd}-{serial}{check}"
        if se_pnr.is_valid(number):
            return number


def _person_name(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _org_name(rng, long: bool) -> tuple[str, str]:
    """(name, first digit of its organisationsnummer)."""
    kind = rng.random()
    if kind < 0.6:
        name, first = f"{rng.choice(LAST)} {rng.choice(TRADES)} {rng.choice(PLACES)} AB", "5"
    elif kind < 0.8:
        name, first = f"Stiftelsen {rng.choice(TREES)}fonden {rng.choice(PLACES)}", "8"
    else:
        name, first = f"Brf {rng.choice(TREES)} {rng.randint(1, 40)}", "7"
    if long:
        name = name.replace(" AB", "") + " " + rng.choice(LONG_TAILS) + (" AB" if first == "5" else "")
    return name, first


def _day(rng, year, start_month=1):
    start = dt.date(year, start_month, 1)
    return start + dt.timedelta(days=rng.randint(0, (dt.date(year, 12, 31) - start).days))


def draw_report(rng: random.Random, kind: str, law_: str, long_names: bool, long_table: bool,
                decimals: bool) -> Report:
    year = rng.randint(2014, 2017) if law_ == "2014" else rng.randint(2018, 2025)
    pbb = law.pbb(year)
    stem = rng.choice(PARTY_STEMS)
    party = f"{stem}partiet"
    role, level, area = "parti", "riks", None
    if law_ == "2018":
        role = rng.choice(["parti", "parti", "parti", "sidoorg", "ledamot"])
        level = rng.choice(["riks", "region", "kommun"])
    if role == "ledamot":
        name, orgnr = _person_name(rng), None
        area = rng.choice(PLACES) if level == "kommun" else (rng.choice(REGIONS) if level == "region" else None)
    elif role == "sidoorg":
        name = rng.choice([f"{stem}ungdomen", f"{party}s kvinnoförbund", f"{stem}seniorerna"])
        orgnr = _orgnr(rng, "8")
    else:
        if level == "kommun":
            area = rng.choice(PLACES)
            name = f"{party} i {area}"
        elif level == "region":
            area = rng.choice(REGIONS)
            name = f"{party} {area}" if area.endswith("län") else f"{party} i Region {area}"
        else:
            name = party
        orgnr = _orgnr(rng, "8")
    if kind == "anmalan":
        submitted = dt.date(year + 1, 1, 15) + dt.timedelta(days=rng.randint(0, 170))
    elif law_ == "2018":
        submitted = dt.date(year + 1, 2, 1) + dt.timedelta(days=rng.randint(0, 160))
    else:
        submitted = None
    rep = Report(kind, law_, year, name, orgnr, party, role, level, area, submitted)
    if rng.random() < 0.3:
        rep.address = f"{rng.choice(STREETS)} {rng.randint(1, 60)}, {rng.randint(100, 989)} {rng.randint(10, 99)} {rng.choice(PLACES)}"
    if rng.random() < 0.25:
        rep.contact = _person_name(rng)
    if kind == "anmalan":
        return rep

    def money(lo, hi, round_to=1):
        kr = rng.randint(int(lo), int(hi))
        kr = max(round_to, kr // round_to * round_to)
        return kr * 100 + (rng.randint(0, 99) if decimals and rng.random() < 0.5 else 0)

    half = pbb * 0.5
    if law_ == "2014":
        items = []
        for _ in range(rng.randint(1, 5) if not long_table else rng.randint(24, 36)):
            person = rng.random() < 0.5
            if person:
                donor, did = _person_name(rng), _personnummer(rng)
            else:
                donor, first = _org_name(rng, long_names and rng.random() < 0.4)
                did = _orgnr(rng, first)
            items.append(Item("5", money(half + 1, 400_000), _day(rng, year), donor, did, person, rng.randint(0, 2)))
        persons = sum(i.amount for i in items if i.person)
        orgs = sum(i.amount for i in items if not i.person)
        amounts = [money(5e6, 60e6, 1000), money(2e5, 3e6), persons + money(1e5, 2e6), orgs + money(1e5, 2e6),
                   money(1e5, 2e6), money(0, 2e6), money(0, 3e6)]
        rep.lines = [(label, a) for (label, _), a in zip(FORM2014_ROWS, amounts, strict=True)]
        rep.items = items
        return rep

    if role in ("ledamot", "ersattare"):
        codes = ["5.1", "5.3", "5.4", "5.6", "5.7"]
    else:
        codes = ["1.1" if level == "riks" and role == "parti" else ("1.5" if role == "sidoorg" else "1.4"), "2.1"]
        codes += [c for c, p in [("1.2", 0.1), ("1.3", 0.2 if level == "riks" else 0), ("3.1", 0.5), ("3.2", 0.2),
                                 ("3.3", 0.3), ("4.1", 0.35), ("5.1", 0.6), ("5.2", 0.35), ("5.3", 0.6),
                                 ("5.4", 0.6), ("5.5", 0.4), ("5.6", 0.4), ("5.7", 0.7), ("6.1", 0.5),
                                 ("8.1", 0.1), ("8.2", 0.15)] if rng.random() < p]
    if not any(c in ITEMISED for c in codes):
        codes.append(rng.choice(["5.4", "5.7"]))
    long_code = rng.choice([c for c in codes if c in NAMED] or [None]) if long_table else None
    lines, items = [], []
    for code in sorted(codes, key=lambda c: tuple(int(p) for p in c.split("."))):
        if code in ITEMISED:
            n = rng.randint(26, 38) if code == long_code else rng.randint(1, 6)
            for _ in range(n):
                it = Item(code, 0, _day(rng, year, 4 if year == 2018 else 1), form=rng.randint(0, 3))
                if code in COLLECTIONS:
                    it.amount, it.place, it.form = money(300, 15000), f"{rng.choice(PLACES)} {rng.choice(['torg', 'centrum', 'station'])}", 0
                elif code in ANONYMOUS:
                    it.amount = money(pbb * 0.005 + 1, pbb * 0.05)
                else:
                    it.person = code == "5.4" or (code == "8.2" and rng.random() < 0.3)
                    if it.person:
                        it.donor, it.donor_id = _person_name(rng), _personnummer(rng)
                    else:
                        it.donor, first = _org_name(rng, long_names and rng.random() < 0.4)
                        it.donor_id = _orgnr(rng, first)
                    it.amount = money(half + 1, 600_000)
                    if rng.random() < 0.2:
                        it.address = f"{rng.choice(STREETS)} {rng.randint(1, 60)}, {rng.choice(PLACES)}"
                items.append(it)
            lines.append((code, sum(i.amount for i in items if i.code == code)))
        elif code.startswith("1."):
            lines.append((code, money(2e5, 6e7, 500) if level == "riks" else money(2e4, 3e6, 100)))
        elif code == "5.1":
            lines.append((code, money(1000, 60000)))
        else:
            lines.append((code, money(5000, 2e6)))
    rep.lines, rep.items = lines, items
    return rep


# ---------------------------------------------------------------- formats

def fmt_amount(ore: int, style: str, zero: str = "0") -> str:
    if ore == 0 and zero != "0":
        return zero
    kr, rest = divmod(abs(ore), 100)
    sign = "-" if ore < 0 else ""

    def grouped(sep):
        s = f"{kr:,}".replace(",", sep)
        return s

    return sign + {
        "space": lambda: grouped(" "),
        "space_dec": lambda: f"{grouped(' ')},{rest:02d}",
        "plain": lambda: str(kr),
        "comma_dash": lambda: grouped(" ") + ",-",
        "dot_colon": lambda: grouped(".") + ":-",
        "kr": lambda: grouped(" ") + " kr",
        "dot_dec": lambda: f"{grouped('.')},{rest:02d}",
        "colon": lambda: grouped(" ") + ":-",
        "nbsp": lambda: grouped("\u00a0"),
        "thin": lambda: grouped("\u2009"),
        "narrow_nbsp_dec": lambda: f"{grouped(chr(0x202F))},{rest:02d}",
        "sek": lambda: "SEK " + grouped(" "),
    }[style]()


DECIMAL_STYLES = ("space_dec", "dot_dec", "narrow_nbsp_dec")
TTF_STYLES = ("thin", "narrow_nbsp_dec")


def fmt_date(d: dt.date, style: str) -> str:
    if style == "iso":
        return d.isoformat()
    if style == "slash":
        return f"{d.day}/{d.month} {d.year}"
    if style == "dots":
        return d.strftime("%d.%m.%Y")
    if style == "long_sv":
        return f"{d.day} {SV_MONTHS[d.month - 1]} {d.year}"
    if style == "long_en":
        return f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}"
    if style == "iso_time":
        return d.isoformat() + " 00:00"
    raise ValueError(style)


def fmt_id(canonical: str, person: bool, style: str) -> str:
    digits = canonical.replace("-", "")
    if person:  # canonical 18YYMMDD-NNNN
        return {"dash12": canonical, "plus10": f"{digits[2:8]}+{digits[8:]}", "digits12": digits}[style]
    return {"dash": canonical, "plain": digits, "vat": f"SE{digits}01", "prefix16": f"16{canonical}"}[style]


# ---------------------------------------------------------------- page layout engine

_FONTS: dict[str, tuple[str, str]] = {}


def fonts(name: str) -> tuple[str, str]:
    """(regular, bold) font names; 'dejavu' embeds the TrueType DejaVu Sans matplotlib ships."""
    if name == "helvetica":
        return "Helvetica", "Helvetica-Bold"
    if name not in _FONTS:
        import matplotlib

        base = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont("GenDejaVu", str(base / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("GenDejaVu-Bold", str(base / "DejaVuSans-Bold.ttf")))
        _FONTS[name] = ("GenDejaVu", "GenDejaVu-Bold")
    return _FONTS[name]


@dataclass
class Col:
    header: str
    frac: float
    align: str = "left"  # left | right
    nowrap: bool = False  # values that a person would not break (numbers, dates): the column fits them


@dataclass
class Table:
    cols: list[Col]
    rows: list[list[str]]
    header: bool = True
    border: str = "none"  # none | rules | grid
    repeat_header: bool = True
    marker: str | None = None  # printed at a page break inside the table
    marker_top: str | None = None  # printed above the continued part
    bold_rows: set[int] = field(default_factory=set)
    size: float = 9
    name: str = "table"


class Layout:
    """Lays text and tables out in display coordinates, page by page, then draws them."""

    def __init__(self, size, font, margin=48, top_reserve=0, bottom_reserve=0):
        self.w, self.h = size
        self.font, self.bold = font
        self.margin = margin
        self.top = self.h - margin - top_reserve
        self.bottom = margin + bottom_reserve
        self.pages: list[list[tuple]] = [[]]
        self.y = self.top
        self.events: list[str] = []

    @property
    def width(self):
        return self.w - 2 * self.margin

    def new_page(self):
        self.pages.append([])
        self.y = self.top

    def text(self, x, y, s, size=10, bold=False, align="left"):
        self.pages[-1].append(("text", x, y, s, self.bold if bold else self.font, size, align))

    def sw(self, s, size=10, bold=False):
        return pdfmetrics.stringWidth(s, self.bold if bold else self.font, size)

    def wrap(self, s, width, size=10, bold=False) -> list[str]:
        out = []
        for para in s.split("\n"):
            line = ""
            for word in para.split(" "):
                cand = (line + " " + word) if line else word
                if self.sw(cand, size, bold) <= width or not line:
                    line = cand
                else:
                    out.append(line)
                    line = word
            out.append(line)
        return out

    def para(self, s, size=10, bold=False, indent=0, after=4, align="left"):
        lead = size * 1.3
        for line in self.wrap(s, self.width - indent, size, bold):
            if self.y - lead < self.bottom:
                self.new_page()
            self.y -= lead
            x = self.margin + indent if align == "left" else (self.w / 2 if align == "center" else self.w - self.margin)
            self.text(x, self.y + size * 0.25, line, size, bold, align)
        self.y -= after

    def need(self, h):
        """Start a new page unless `h` points are left (keeps a heading with its table)."""
        if self.y - h < self.bottom:
            self.new_page()

    def gap(self, h):
        self.y -= h

    def kv(self, pairs, style, size=10, label_width=170):
        lead = size * 1.45
        if style == "two_per_row":  # "Namn  X        Org.nr  Y": two label/value pairs side by side
            lw = [max((self.sw(label, size, True) for label, _ in pairs[j::2]), default=0) + 10 for j in (0, 1)]
            vw = [max((self.sw(value, size) for _, value in pairs[j::2]), default=0) for j in (0, 1)]
            # the left pair gets what its value needs when there is room, the right pair the rest
            left = min(max(lw[0] + vw[0] + 16, self.width * 0.45), self.width - lw[1] - 120)
            for k in range(0, len(pairs), 2):
                cells = []
                for j, (label, value) in enumerate(pairs[k:k + 2]):
                    x = self.margin + (left if j else 0)
                    room = (left if j == 0 else self.width - left) - lw[j] - 12
                    cells.append((x + lw[j], label, x, self.wrap(value, room, size)))
                h = max(len(v) for *_, v in cells) * lead
                if self.y - h < self.bottom:
                    self.new_page()
                for xv, label, x, lines in cells:
                    self.text(x, self.y - lead + 3, label, size, True)
                    for n, line in enumerate(lines):
                        self.text(xv, self.y - (n + 1) * lead + 3, line, size)
                self.y -= h
            self.y -= 6
            return
        label_width = max([label_width] + [self.sw(label, size, True) + 12 for label, _ in pairs])
        for label, value in pairs:
            if style == "colon":
                self.para(f"{label}: {value}", size, after=1)
                continue
            if style == "stacked":  # label on one line, value indented under it
                self.para(f"{label}:", size, bold=True, after=0)
                self.para(value, size, indent=16, after=2)
                continue
            if self.y - lead < self.bottom:
                self.new_page()
            self.y -= lead
            self.text(self.margin, self.y + 3, label, size, bold=style == "bold_columns")
            self.text(self.margin + label_width, self.y + 3, value, size)
        self.y -= 6

    def table(self, t: Table):
        pad, size = 3, t.size
        widths = self.column_widths(t, pad, size)
        while widths is None:  # the words do not fit side by side: a smaller type, as a person would do
            size -= 0.5
            widths = self.column_widths(t, pad, size)
        lead = size * 1.25
        xs = [self.margin + sum(widths[:i]) for i in range(len(widths))]

        def cell_lines(row, bold):
            return [self.wrap(str(v), w - 2 * pad, size, bold) if v != "" else [""] for v, w in zip(row, widths, strict=True)]

        def height(lines):
            return max(len(c) for c in lines) * lead + 2 * pad

        def draw_row(row, bold):
            lines = cell_lines(row, bold)
            h = height(lines)
            top = self.y
            for x, w, col, cl in zip(xs, widths, t.cols, lines, strict=True):
                for k, s in enumerate(cl):
                    yy = top - pad - (k + 1) * lead + size * 0.3
                    if col.align == "right":
                        self.text(x + w - pad, yy, s, size, bold, "right")
                    else:
                        self.text(x + pad, yy, s, size, bold)
                if t.border == "grid":
                    self.pages[-1].append(("rect", x, top - h, w, h))
            self.y -= h
            return h

        def rule():
            self.pages[-1].append(("line", self.margin, self.y, self.margin + sum(widths), self.y))

        def draw_header():
            if not t.header:
                return
            draw_row([c.header for c in t.cols], True)
            if t.border == "rules":
                rule()

        marker_h = lead + 4 if t.marker else 0
        header_h = height(cell_lines([c.header for c in t.cols], True)) if t.header else 0
        first_h = height(cell_lines(t.rows[0], False)) if t.rows else 0
        if self.y - header_h - first_h < self.bottom:
            self.new_page()
        draw_header()
        for i, row in enumerate(t.rows):
            bold = i in t.bold_rows
            h = height(cell_lines(row, bold))
            if self.y - h < self.bottom + marker_h:
                if t.marker:
                    self.text(self.margin + sum(widths), self.y - lead, t.marker, size, False, "right")
                self.new_page()
                self.events.append(f"break:{t.name}:{'repeat' if t.repeat_header and t.header else 'norepeat'}")
                if t.marker_top:
                    self.para(t.marker_top, size + 1, bold=True, after=2)
                if t.repeat_header:
                    draw_header()
            if t.border == "rules" and i in t.bold_rows:
                rule()
            draw_row(row, bold)
        if t.border == "rules":
            rule()
        self.y -= 8

    def column_widths(self, t: Table, pad, size):
        """Widths from the fractions, widened so that no word (and no unbreakable value) overflows its cell."""
        need = []
        for k, col in enumerate(t.cols):
            cells = [r[k] for r in t.rows]
            units = [w for s in cells + [col.header] for w in str(s).split()]
            if col.nowrap:
                units += [str(s) for s in cells]
            hb = [self.sw(u, size, True) for u in units] or [0]
            need.append(max(hb) + 2 * pad + 1)
        if sum(need) > self.width:
            return None if size > 5 else need
        widths = [c.frac * self.width for c in t.cols]
        for _ in range(len(widths)):
            short = [k for k in range(len(widths)) if widths[k] < need[k]]
            if not short:
                break
            extra = sum(need[k] - widths[k] for k in short)
            for k in short:
                widths[k] = need[k]
            rest = [k for k in range(len(widths)) if k not in short]
            pool = sum(widths[k] for k in rest)
            for k in rest:
                widths[k] -= extra * widths[k] / pool
        return widths

    def render(self, rotate: int, furniture) -> bytes:
        buf = io.BytesIO()
        # reportlab takes the displayed size and swaps the MediaBox itself for /Rotate 90 and 270
        c = canvas.Canvas(buf, pagesize=(self.w, self.h), invariant=1)
        c.setTitle("")
        n = len(self.pages)
        for p, ops in enumerate(self.pages, 1):
            if rotate:
                c.setPageRotation(rotate)
                c.saveState()
                if rotate == 90:  # shown turned a quarter clockwise: drawn a quarter anticlockwise
                    c.transform(0, 1, -1, 0, self.h, 0)  # the MediaBox is h wide
                else:
                    c.transform(0, -1, 1, 0, 0, self.w)  # the MediaBox is w high
            for op in ops + furniture(p, n):
                if op[0] == "text":
                    _, x, y, s, font, size, align = op
                    c.setFont(font, size)
                    {"left": c.drawString, "right": c.drawRightString, "center": c.drawCentredString}[align](x, y, s)
                elif op[0] == "line":
                    c.setLineWidth(0.5)
                    c.line(*op[1:])
                elif op[0] == "rect":
                    c.setLineWidth(0.4)
                    c.rect(*op[1:], stroke=1, fill=0)
            if rotate:
                c.restoreState()
            c.showPage()
        c.save()
        return buf.getvalue()

    def render_scan(self, furniture, rng: random.Random, dpi: int = 100) -> bytes:
        """A scanned page: the drawn page as a greyscale image, under an invisible text layer as an OCR
        program leaves it (one run per word ending in a space, baselines a little uneven, some long words
        cut in two)."""
        import pypdfium2 as pdfium
        from reportlab.lib.utils import ImageReader

        clean = pdfium.PdfDocument(self.render(0, furniture))
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(self.w, self.h), invariant=1)
        c.setTitle("")
        n = len(self.pages)
        try:
            for p, ops in enumerate(self.pages, 1):
                image = clean[p - 1].render(scale=dpi / 72, grayscale=True).to_pil()
                jpeg = io.BytesIO()
                image.save(jpeg, format="JPEG", quality=60)
                c.drawImage(ImageReader(io.BytesIO(jpeg.getvalue())), 0, 0, self.w, self.h)
                for op in ops + furniture(p, n):
                    if op[0] == "text":
                        self._ocr_words(c, op, rng)
                c.showPage()
        finally:
            clean.close()
        c.save()
        return buf.getvalue()

    def _ocr_words(self, c, op, rng):
        _, x, y, s, font, size, align = op
        width = pdfmetrics.stringWidth(s, font, size)
        x0 = {"left": x, "right": x - width, "center": x - width / 2}[align]
        space = pdfmetrics.stringWidth(" ", font, size)
        words = s.split(" ")
        for k, word in enumerate(words):
            w = pdfmetrics.stringWidth(word, font, size)
            pieces = [word]
            if len(word) >= 7 and word.isalpha() and rng.random() < 0.2:
                cut = rng.randint(3, len(word) - 3)
                pieces = [word[:cut], word[cut:]]
            px, gap = x0, 0.0
            for j, piece in enumerate(pieces):
                t = c.beginText(px + gap, y + rng.uniform(-0.7, 0.7))
                t.setTextRenderMode(3)  # invisible: the image shows the page
                t.setFont(font, size)
                # a space after each word but the last, as OCR programs write their text layers
                t.textOut(piece + (" " if j == len(pieces) - 1 and k < len(words) - 1 else ""))
                c.drawText(t)
                px += pdfmetrics.stringWidth(piece, font, size)
                gap = rng.uniform(0.3, 0.9)  # the second box starts a little late, well short of a space
            x0 += w + space


# ---------------------------------------------------------------- the variant: axes and drawing

AXES_DOC = {
    "doc": "report2018 | form2014 | anmalan",
    "style": "eservice | spreadsheet | letter (spreadsheet: everything in grid cells; letter: prose with tables)",
    "lang": "sv | en | mixed (Swedish document, English column names)",
    "orientation": "portrait | landscape | rotated90 | rotated270 (rotated: /Rotate on the page, text upright when shown)",
    "scan": "no | yes (the page as an image under an invisible OCR text layer: one run per word, uneven baselines, long words cut in two)",
    "borders": "none | rules | grid",
    "reporter_block": "columns | bold_columns | colon | stacked | two_per_row | grid",
    "line_cols": "code_label_amount | label_code_amount | label_amount (no code column)",
    "group_headings": "none | headings | headings_subtotals",
    "zero_lines": "omitted | shown (every type of the group printed, zeros as 0, - or blank)",
    "table_place": "inline | after_lines | after_total | before_lines | combined (one table with a code column)",
    "table_heading": "code_label | specifikation | label_only | none (only where unambiguous)",
    "table_cols": "full | with_address | three (donor, id, amount) | two (donor + amount, or date + amount)",
    "col_order": "standard | shuffled",
    "row_runs": "no | yes (identity, form and date printed as one run of text between name and amount)",
    "table_header": "yes | no",
    "table_sums": "no | yes (a sum row under each table)",
    "long_names": "no | yes (names that wrap in their cell)",
    "long_table": "no | yes (a table long enough to break over pages)",
    "break_header": "repeat | norepeat (on a page break inside a table)",
    "break_marker": "none | forts | continued",
    "furniture": "none | header | footer | both | header_year (running header with the year) | printed (a print date)",
    "amount_fmt": "space | space_dec | plain | comma_dash | dot_colon | kr | dot_dec | colon | nbsp | thin | narrow_nbsp_dec | sek (English only)",
    "date_fmt": "iso | slash | dots | long_sv | long_en | iso_time",
    "person_id": "dash12 | plus10 | digits12",
    "org_id": "dash | plain | vat | prefix16",
    "font": "helvetica | dejavu (TrueType, carries thin spaces)",
    "title": "with_year | without_year (year given by a field or the period only)",
    "year_field": "yes | no",
    "period": "yes | no",
}


def _pick(rng, options, weights=None):
    return rng.choices(options, weights=weights)[0] if weights else rng.choice(options)


def draw_axes(rng: random.Random, force: dict | None = None) -> dict:
    force = force or {}
    a: dict = {}

    def set_(name, options, weights=None):
        a[name] = force[name] if name in force else _pick(rng, options, weights)

    set_("doc", ["report2018", "form2014", "anmalan"], [80, 12, 8])
    set_("style", ["eservice", "spreadsheet", "letter"], [60, 22, 18] if a["doc"] == "report2018" else [65, 35, 0])
    set_("lang", ["sv", "en", "mixed"], [60, 25, 15] if a["doc"] == "report2018" else [1, 0, 0])
    set_("orientation", ["portrait", "landscape", "rotated90", "rotated270"], [60, 20, 12, 8])
    set_("scan", ["no", "yes"], [90, 10])
    if a["scan"] == "yes" and a["orientation"].startswith("rotated"):
        a["orientation"] = "portrait"  # a scanner's pages stand upright
    set_("borders", ["none", "rules", "grid"], [40, 35, 25])
    if a["style"] == "spreadsheet":
        a["borders"] = force.get("borders", "grid")
    set_("reporter_block", ["columns", "bold_columns", "colon", "stacked", "two_per_row"], [30, 15, 25, 15, 15])
    if a["style"] == "spreadsheet":
        a["reporter_block"] = "grid"
    set_("line_cols", ["code_label_amount", "label_code_amount", "label_amount"], [60, 20, 20])
    set_("group_headings", ["none", "headings", "headings_subtotals"], [45, 40, 15])
    set_("zero_lines", ["omitted", "shown"], [65, 35])
    set_("table_place", ["inline", "after_lines", "after_total", "before_lines", "combined"], [30, 20, 25, 10, 15])
    if a["style"] == "letter" and a["table_place"] == "before_lines":
        a["table_place"] = "after_total"  # a letter states its income first
    set_("table_heading", ["code_label", "specifikation", "label_only", "none"], [35, 30, 20, 15])
    if a["table_heading"] == "none" and a["table_place"] not in ("inline", "combined"):
        a["table_heading"] = "code_label"  # a table far from its line needs its heading to be read
    set_("table_cols", ["full", "with_address", "three", "two"], [50, 15, 20, 15])
    set_("col_order", ["standard", "shuffled"], [65, 35])
    set_("row_runs", ["no", "yes"], [80, 20])
    if a["row_runs"] == "yes" and (a["table_cols"] != "full" or a["col_order"] != "standard"):
        a["row_runs"] = "no"
    set_("table_header", ["yes", "no"], [75, 25])
    if a["table_header"] == "no" and a["table_cols"] == "full" and a["col_order"] == "shuffled":
        a["col_order"] = "standard"
    set_("table_sums", ["no", "yes"], [75, 25])
    set_("long_names", ["no", "yes"], [60, 40])
    set_("long_table", ["no", "yes"], [70, 30])
    set_("break_header", ["repeat", "norepeat"])
    set_("break_marker", ["none", "forts", "continued"], [40, 40, 20])
    if a["break_marker"] != "none" and "break_marker" not in force:  # the marker speaks the document's language
        a["break_marker"] = "continued" if a["lang"] == "en" else "forts"
    set_("furniture", ["none", "header", "footer", "both", "header_year", "printed"], [25, 12, 15, 18, 18, 12])
    set_("font", ["helvetica", "dejavu"], [55, 45])
    styles = ["space", "space_dec", "plain", "comma_dash", "dot_colon", "kr", "dot_dec", "colon", "nbsp", "thin",
              "narrow_nbsp_dec", "sek"]
    set_("amount_fmt", styles)
    if a["amount_fmt"] == "sek" and a["lang"] != "en":
        a["amount_fmt"] = "kr"
    if a["amount_fmt"] in TTF_STYLES:
        a["font"] = "dejavu"  # Helvetica's encoding has no thin space
    dates = ["iso", "slash", "dots", "long_sv", "long_en", "iso_time"]
    set_("date_fmt", dates, [30, 15, 15, 15, 10, 15])
    if a["lang"] == "en" and a["date_fmt"] in ("slash", "long_sv"):
        a["date_fmt"] = "long_en"  # 3/4 is not unambiguous to an English reader
    if a["lang"] == "sv" and a["date_fmt"] == "long_en":
        a["date_fmt"] = "long_sv"
    set_("person_id", ["dash12", "plus10", "digits12"], [45, 40, 15])
    set_("org_id", ["dash", "plain", "vat", "prefix16"], [55, 15, 15, 15])
    set_("title", ["with_year", "without_year"], [65, 35])
    set_("year_field", ["yes", "no"], [50, 50])
    set_("period", ["yes", "no"], [70, 30])
    if a["title"] == "without_year" and a["year_field"] == "no" and a["period"] == "no":
        a["period"] = "yes"
    if a["doc"] == "form2014":  # the form prints the period; its rows have no codes
        a["period"] = "yes"
        a["line_cols"] = "label_amount"
        a["group_headings"] = "none"
        a["zero_lines"] = "shown"
        a["table_place"] = "after_total"
        a["table_cols"], a["col_order"], a["table_header"] = "full", "standard", "yes"  # the form's own table
    return a


@dataclass
class Variant:
    seed: int
    axes: dict
    report: Report
    events: list[str] = field(default_factory=list)
    rng: random.Random | None = field(default=None, repr=False)  # wording choices, apart from the content
    vocab: dict = field(default_factory=dict, repr=False)  # extra label wordings by key and language

    @property
    def file_name(self) -> str:
        return f"v{self.seed:06d}_{self.axes['doc']}_{self.axes['style']}.pdf"


def variant(seed: int, force: dict | None = None, vocab: dict | None = None) -> Variant:
    """The content and layout axes of one seed (`force` pins axes, `vocab` adds wordings).

    `vocab` maps a label key of `L` to {"sv": [...], "en": [...]}; also "title": [formats with
    {year}], "table_heading": {"sv"|"en": {"specifikation"|"label_only": [formats with {code},
    {label}, {lower}]}} and "marker": {"forts"|"continued": [...]}."""
    rng = random.Random(seed)
    axes = draw_axes(rng, force)
    kind = "anmalan" if axes["doc"] == "anmalan" else "intaktsredovisning"
    law_ = "2014" if axes["doc"] == "form2014" else "2018"
    rep = draw_report(rng, kind, law_, axes["long_names"] == "yes", axes["long_table"] == "yes",
                      axes["amount_fmt"] in DECIMAL_STYLES)
    return Variant(seed, axes, rep, rng=random.Random(seed * 7919 + 1), vocab=vocab or {})


class _Writer:
    """Draws one variant: picks wordings and places every block."""

    def __init__(self, v: Variant):
        self.v, self.a, self.r = v, v.axes, v.report
        self.rng = v.rng
        self.en = self.a["lang"] == "en"
        self.col_en = self.a["lang"] in ("en", "mixed")
        self.pbb = law.pbb(self.r.year)
        self.used: dict[str, str] = {}

    # wordings
    def label(self, key, col=False):
        if key not in self.used:
            en = self.col_en if col else self.en
            options = list(L[key][1 if en else 0]) + list(self.v.vocab.get(key, {}).get("en" if en else "sv", []))
            self.used[key] = self.rng.choice(options)
        return self.used[key]

    def amount(self, ore, zero="0"):
        return fmt_amount(ore, self.a["amount_fmt"], zero)

    def date(self, d):
        return fmt_date(d, self.a["date_fmt"])

    def threshold(self, frac):
        kr = int(self.pbb * frac + 0.999) if frac < 0.1 else int(self.pbb * frac)
        return fmt_amount(kr * 100, "space")

    def type_label(self, code):
        sv, en = TYPES[code]
        return (en if self.en else sv).format(half=self.threshold(0.5), small=self.threshold(0.005))

    def ident(self, it: Item):
        if it.donor_id is None:
            return ""
        return fmt_id(it.donor_id, it.person, self.a["person_id"] if it.person else self.a["org_id"])

    # blocks
    def title(self):
        y, r = self.r.year, self.r
        if r.kind == "anmalan":
            t = (f"Notice: income below the reporting threshold – financial year {y}" if self.en else
                 self.rng.choice([f"Anmälan om att intäkterna understiger 0,5 prisbasbelopp – räkenskapsår {y}",
                                  f"Anmälan {y}", f"Anmälan för räkenskapsåret {y}"]))
            if self.a["title"] == "without_year":
                t = "Notice of income below the threshold" if self.en else "Anmälan"
        elif r.law == "2014":
            t = "Intäktsredovisning avseende parti"
        elif self.en:
            t = self.rng.choice([f"Income report {y}", f"Income statement for the financial year {y}",
                                 f"Report of income and contributions {y}"])
            if self.a["title"] == "without_year":
                t = self.rng.choice(["Income report", "Statement of income"])
        else:
            t = self.rng.choice([f"Intäktsredovisning {y}", f"Intäktsredovisning för räkenskapsår {y}",
                                 f"Intäktsredovisning – räkenskapsåret {y}", f"Redovisning av intäkter {y}"]
                                + [s.format(year=y) for s in self.v.vocab.get("title", [])])
            if self.a["title"] == "without_year":
                t = self.rng.choice(["Intäktsredovisning", "INTÄKTSREDOVISNING", "Redovisning av intäkter"])
        return t

    def reporter_pairs(self):
        r, a = self.r, self.a
        pairs = [(self.label("person" if r.org_number is None else "name"), r.name)]
        if r.org_number is not None:
            pairs.append((self.label("orgnr"), fmt_id(r.org_number, False, a["org_id"] if self.rng.random() < 0.3 else "dash")))
        if a["year_field"] == "yes" or (r.law == "2014" and a["title"] == "without_year"):
            pairs.append((self.label("year"), str(r.year)))
        if r.kind == "intaktsredovisning" and r.law == "2018" or r.kind == "anmalan":
            if r.name != r.party or self.rng.random() < 0.5:
                pairs.append((self.label("party"), r.party))
            if r.law == "2018" and self.rng.random() < 0.6:
                pairs.append((self.label("role"), ROLES[r.role][self.en]))
                pairs.append((self.label("level"), LEVELS[r.level][self.en] + (f" ({r.area})" if r.area and self.rng.random() < 0.5 else "")))
            if r.area and self.rng.random() < 0.5:
                pairs.append((self.label("area"), r.area))
        if a["period"] == "yes":
            s, e = r.period
            sep = self.rng.choice([" - ", " – ", " -- ", " till ", " to "][:3] + ([" to "] if self.en else [" till "]))
            pairs.append((self.label("period"), self.date(s) + sep + self.date(e)))
        if r.address:
            pairs.append((self.label("address"), r.address))
        if r.contact:
            pairs.append((self.label("contact"), r.contact))
        if r.submitted:
            pairs.append((self.label("submitted"), self.date(r.submitted)))
        return pairs

    def line_table_rows(self, codes_with_amounts, zero_style):
        """Rows for income lines, with group headings and subtotals as the axes ask."""
        a = self.a
        rows = []
        shown = list(codes_with_amounts)
        if a["zero_lines"] == "shown" and self.r.law == "2018":
            present = {c for c, _ in shown}
            groups = {c.split(".")[0] for c in present}
            for c in TYPES:
                if c.split(".")[0] in groups and c not in present and c not in ITEMISED:
                    shown.append((c, 0))
            shown.sort(key=lambda ca: tuple(int(p) for p in ca[0].split(".")))
        cur = None
        for code, amount in shown:
            g = int(code.split(".")[0])
            if a["group_headings"] != "none" and g != cur:
                if cur is not None and a["group_headings"] == "headings_subtotals":
                    rows.append(self._subtotal(cur, shown))
                cur = g
                rows.append(("heading", g))
            rows.append(("line", code, amount))
        if a["group_headings"] == "headings_subtotals" and cur is not None:
            rows.append(self._subtotal(cur, shown))
        return rows

    def _subtotal(self, g, shown):
        s = sum(am for c, am in shown if int(c.split(".")[0]) == g)
        return ("subtotal", ("Summa " + GROUPS[g][0].lower()) if not self.en else f"Total {GROUPS[g][1].lower()}", s)

    def line_cols(self):
        lc = self.a["line_cols"]
        code, label, amount = (self.label("c_code", True), self.label("c_label", True), self.label("c_amount", True))
        if lc == "code_label_amount":
            return ([Col(code, 0.1, nowrap=True), Col(label, 0.65), Col(amount, 0.25, "right", True)],
                    ("code", "label", "amount"))
        if lc == "label_code_amount":
            return ([Col(label, 0.62), Col(code, 0.13, nowrap=True), Col(amount, 0.25, "right", True)],
                    ("label", "code", "amount"))
        return [Col(label, 0.72), Col(amount, 0.28, "right", True)], ("label", "amount")

    def format_line_rows(self, rows, order, zero):
        out = []
        for row in rows:
            if row[0] == "heading":
                cells = [""] * len(order)
                name = GROUPS[row[1]][self.en]
                if "code" in order:
                    cells[order.index("code")], cells[order.index("label")] = f"{row[1]}.", name
                else:
                    cells[order.index("label")] = f"{row[1]}. {name}"
            elif row[0] in ("subtotal", "total"):
                cells = [""] * len(order)
                cells[order.index("label")] = row[1]
                cells[order.index("amount")] = self.amount(row[2])
            else:
                _, code, am = row
                vals = {"code": code, "label": self.type_label(code) if self.r.law == "2018" else code,
                        "amount": self.amount(am, zero)}
                cells = [vals[k] for k in order]
            out.append(cells)
        return out

    def item_table(self, codes, combined=False) -> Table:
        """One itemised table for the items of `codes` (several only when combined with a code column)."""
        a, r = self.a, self.r
        items = [i for i in r.items if i.code in codes]
        kinds = {("collect" if c in COLLECTIONS else "anon" if c in ANONYMOUS else "named") for c in codes}
        if r.law == "2014":
            kinds = {"named"}
        named = "named" in kinds
        cols_axis = a["table_cols"]
        if named:
            keys = ["donor", "id", "form", "date", "amount"]
            if cols_axis == "with_address":
                keys.insert(2, "address")
            elif cols_axis == "three":
                keys = ["donor", "id", "amount"]
            elif cols_axis == "two":
                keys = ["donor", "amount"]
            if "collect" in kinds:
                keys.insert(keys.index("amount"), "place")
        elif kinds == {"collect"}:
            keys = ["date", "place", "amount"] if cols_axis != "two" else ["date", "amount"]
        else:
            keys = ["date", "form", "amount"] if cols_axis != "two" else ["date", "amount"]
            if "collect" in kinds:
                keys.insert(1, "place")
        if "date" not in keys and not named:
            keys.insert(0, "date")
        if a["col_order"] == "shuffled":
            head, tail = keys[:1], keys[1:]
            self.rng.shuffle(tail)
            keys = head + tail if self.rng.random() < 0.6 else tail + head
        if combined:
            keys.insert(0, "code")
        widths = {"code": 0.07, "donor": 0.3, "id": 0.19, "address": 0.2, "form": 0.1, "date": 0.14, "amount": 0.15,
                  "place": 0.18}
        total_w = sum(widths[k] for k in keys)
        headers = {"code": "c_code", "donor": "c_donor", "id": "c_id", "address": "c_address", "form": "c_form",
                   "date": "c_date", "amount": "c_amount", "place": "c_place"}
        cols = [Col(self.label(headers[k], True), widths[k] / total_w, "right" if k == "amount" else "left",
                    nowrap=k in ("code", "id", "date", "amount")) for k in keys]
        rows = []
        for it in items:
            vals = {"code": it.code, "donor": it.donor or "", "id": self.ident(it), "address": it.address or "",
                    "form": FORMS[self.col_en][it.form], "date": self.date(it.date) if it.date else "",
                    "amount": self.amount(it.amount), "place": it.place or ""}
            rows.append([vals[k] for k in keys])
        bold = set()
        if a["table_sums"] == "yes" and not combined:
            s = [""] * len(keys)
            s[next(i for i, k in enumerate(keys) if k not in ("amount", "code"))] = self.label("sum_items", True)
            s[keys.index("amount")] = self.amount(sum(i.amount for i in items))
            rows.append(s)
            bold.add(len(rows) - 1)
        for it in items:
            it.columns = tuple(keys)
        if a["row_runs"] == "yes" and keys == ["donor", "id", "form", "date", "amount"]:
            # as some print-outs do: "Agda Myrberg   950318+4716 Pengar 2 maj 2022   35 000"
            cols = [cols[0], Col(" / ".join(c.header for c in cols[1:4]), sum(c.frac for c in cols[1:4])), cols[4]]
            rows = [[row[0], " ".join(v for v in row[1:4] if v), row[4]] for row in rows]
        header = a["table_header"] == "yes" or r.law == "2014"
        border = a["borders"]
        return Table(cols, rows, header=header, border=border, repeat_header=a["break_header"] == "repeat",
                     bold_rows=bold, name="+".join(codes))

    def heading_for(self, code):
        h = self.a["table_heading"]
        label = self.type_label(code)
        if h == "code_label":
            return f"{code} {label}"
        lower = label[0].lower() + label[1:]
        extra = self.v.vocab.get("table_heading", {}).get("en" if self.en else "sv", {}).get(h, [])
        if h == "specifikation":
            options = [f"Specification {code}" if self.en else f"Specifikation {code}"]
        elif h == "label_only":
            options = [f"Details: {lower}" if self.en else f"Specifikation av {lower}"]
        else:
            return None
        if not extra:
            return options[0]
        return self.rng.choice(options + [e.format(code=code, label=label, lower=lower) for e in extra])

    def markers(self, table: Table, heading: str | None):
        m = self.a["break_marker"]
        extra = self.v.vocab.get("marker", {}).get(m, [])
        if m == "forts":
            table.marker = self.rng.choice(["forts. på nästa sida", "forts.", "Forts. nästa sida"] + extra)
            table.marker_top = (heading + " (forts.)") if heading else None
        elif m == "continued":
            table.marker = self.rng.choice(["continued on next page", "(continued)", "cont."] + extra)
            table.marker_top = (heading + " (continued)") if heading else None


def render(v: Variant) -> bytes:
    """The PDF of a variant (deterministic: reportlab's invariant mode)."""
    a, r = v.axes, v.report
    w = _Writer(v)
    rot = {"rotated90": 90, "rotated270": 270}.get(a["orientation"], 0)
    display = (A4[1], A4[0]) if a["orientation"] in ("landscape", "rotated90") else A4
    if a["orientation"] == "rotated270":
        display = (A4[1], A4[0]) if w.rng.random() < 0.5 else A4
    fnt = fonts(a["font"])
    fur = a["furniture"]
    lay = Layout(display, fnt, top_reserve=18 if fur in ("header", "both", "header_year") else 0,
                 bottom_reserve=14 if fur in ("footer", "both", "printed") else 0)
    title = w.title()
    en = w.en
    doc_word = "Income report" if en else ("Anmälan" if r.kind == "anmalan" else "Intäktsredovisning")
    head_text = {"header": f"{r.name}", "both": f"{doc_word} – {r.name}",
                 "header_year": w.rng.choice([f"{r.name} · {doc_word} {r.year}", f"{doc_word} {r.year} | {r.name}"])}.get(fur)
    printed = dt.date(2026, 11, 2) + dt.timedelta(days=v.seed % 20)

    def furniture(p, n):
        ops = []
        if head_text:
            ops.append(("text", lay.margin, lay.h - lay.margin + 4, head_text, fnt[0], 8, "left"))
            ops.append(("line", lay.margin, lay.h - lay.margin, lay.w - lay.margin, lay.h - lay.margin))
        if fur in ("footer", "both"):
            s = f"Page {p} of {n}" if en else w.rng.choice([f"Sida {p} av {n}", f"{p}/{n}", f"Sida {p} ({n})"])
            ops.append(("text", lay.w / 2, lay.margin - 18, s, fnt[0], 8, "center"))
        if fur == "printed":
            s = (f"Printed {fmt_date(printed, 'iso')}" if en else f"Utskrivet {fmt_date(printed, 'iso')}") + f"   {p}/{n}"
            ops.append(("text", lay.w - lay.margin, lay.margin - 18, s, fnt[0], 8, "right"))
        return ops

    rng = w.rng
    pairs = w.reporter_pairs()
    zero = rng.choice(["0", "-", ""]) if a["zero_lines"] == "shown" else "0"

    if a["style"] == "letter":
        _letter(lay, w, title, zero)
    else:
        if a["style"] == "spreadsheet" and rng.random() < 0.5:
            lay.para(title, 12, bold=True, after=4)
        elif a["style"] != "spreadsheet":
            lay.para(title, rng.choice([13, 15, 17]), bold=True, align=rng.choice(["left", "center"]), after=6)
        else:
            lay.para(title, 11, bold=True, after=2)
        if r.law == "2014":
            lay.para("Blankett KAM11001 – lag (2014:105) om insyn i finansiering av partier", 8, after=6)
        elif r.kind == "intaktsredovisning" and rng.random() < 0.3 and not en:
            lay.para("enligt lagen (2018:90) om insyn i finansiering av partier", 8, after=6)
        if a["reporter_block"] == "grid":
            lay.table(Table([Col("", 0.4), Col("", 0.6)], [[k, val] for k, val in pairs], header=False, border="grid",
                            size=9, name="reporter"))
        else:
            lay.kv(pairs, a["reporter_block"], label_width=rng.choice([150, 190]))
        lay.gap(8)
        if r.kind == "anmalan":
            if rng.random() < 0.5:
                lay.para(("The organisation's income for the year did not exceed half a price base amount."
                          if en else f"Organisationens intäkter under {r.year} översteg inte ett halvt prisbasbelopp."), 9)
        else:
            _income(lay, w, zero)
    v.events = lay.events
    if a["scan"] == "yes":
        return lay.render_scan(furniture, random.Random(v.seed * 31 + 7))
    return lay.render(rot, furniture)


def _income(lay: Layout, w: _Writer, zero: str):
    """Income lines, total and itemised tables, placed as the axes ask."""
    a, r, rng = w.a, w.r, w.rng
    place = a["table_place"]
    itemised = [c for c in dict.fromkeys(i.code for i in r.items)]
    cols, order = w.line_cols()
    total_label = w.label("total")
    if place == "after_lines" and total_label.rstrip(":") in ("Totalt", "Summa", "Total"):
        total_label = "Total income" if w.en else "Summa intäkter"
    section = rng.random() < 0.5

    def item_tables(codes):
        if r.law == "2014":
            heading = rng.choice(["2. Bidrag som överstiger ett halvt prisbasbelopp",
                                  f"Bidrag över ett halvt prisbasbelopp ({w.threshold(0.5)} kronor)"])
            lay.para(heading, 10, bold=True, after=2)
            t = w.item_table(["5"])
            w.markers(t, heading)
            lay.table(t)
            return
        if place == "combined":
            heading = ("Itemised contributions" if w.en else rng.choice(["Specifikation av bidrag", "Bidrag som redovisas var för sig"]))
            lay.para(heading, 10, bold=True, after=2)
            t = w.item_table(codes, combined=True)
            w.markers(t, heading)
            lay.table(t)
            return
        for code in codes:
            heading = w.heading_for(code)
            if heading:
                lay.need(60)
                lay.para(heading, 10, bold=True, after=2)
            t = w.item_table([code])
            w.markers(t, heading)
            lay.table(t)

    lines = list(r.lines)
    if r.law == "2014":
        lay.para("1. Intäkter", 11, bold=True, after=2)
    elif section:
        lay.para("Income" if w.en else rng.choice(["Intäkter", "Intäkter per intäktstyp"]), 11, bold=True, after=2)
    if place == "before_lines":
        item_tables(itemised)
        lay.para(("Summary of income" if w.en else "Sammanställning av intäkter"), 11, bold=True, after=2)
    rows = w.line_table_rows(lines, zero) if r.law == "2018" else [("line", k, am) for k, am in lines]
    header = rng.random() < 0.8 or r.law == "2014"
    total_row = ("total", total_label, r.total)

    def lines_table(seg, with_header):
        bold = {i for i, row in enumerate(seg) if row[0] != "line"}
        return Table(cols, w.format_line_rows(seg, order, zero), header=with_header, border=a["borders"],
                     bold_rows=bold, name="lines")

    # inline: the lines table is cut after each itemised line and its items drawn under it
    segments: list[list] = [[]]
    for row in rows:
        segments[-1].append(row)
        if place == "inline" and row[0] == "line" and row[1] in itemised:
            segments.append([])
    if place == "after_lines":
        if segments[-1]:
            lay.table(lines_table(segments[-1], header))
        item_tables(itemised)
        lay.table(lines_table([total_row], False))
    else:
        segments[-1].append(total_row)
        for k, seg in enumerate(segments):
            if seg:
                lay.table(lines_table(seg, header and (k == 0 or rng.random() < 0.3)))
            if place == "inline" and k < len(segments) - 1:
                item_tables([[row for row in seg if row[0] == "line"][-1][1]])
    if place in ("after_total", "combined") or r.law == "2014":
        item_tables(itemised if r.law == "2018" else ["5"])


def _letter(lay: Layout, w: _Writer, title: str, zero: str):
    r, rng, en = w.r, w.rng, w.en
    lay.para(r.name, 10, bold=True, after=0)
    if r.address:
        lay.para(r.address, 10, after=0)
    lay.gap(14)
    for s in (["Kammarkollegiet", "Box 2218", "103 15 Stockholm"]):
        lay.para(s, 10, indent=lay.width * 0.55, after=0)
    lay.gap(18)
    lay.para(title, 13, bold=True, after=8)
    s, e = r.period
    org = (f", organisation number {fmt_id(r.org_number, False, 'dash')}," if en else
           f", organisationsnummer {fmt_id(r.org_number, False, 'dash')},") if r.org_number else ""
    if en:
        intro = (f"{r.name}{org} hereby submits its income report for the financial year {r.year}"
                 f" ({w.date(s)} to {w.date(e)}). Its income was as follows:")
    else:
        intro = (f"{r.name}{org} lämnar härmed sin intäktsredovisning för räkenskapsåret {r.year}"
                 f" ({w.date(s)} – {w.date(e)}). Intäkterna fördelar sig enligt följande:")
    lay.para(intro, 10, after=8)
    _income(lay, w, zero)
    lay.gap(10)
    if r.submitted:
        lay.para(f"{rng.choice(['Stockholm', r.area or 'Uppsala'])}, {w.date(r.submitted)}", 10, after=4)
    lay.para("Best regards" if en else "Med vänlig hälsning", 10, after=16)
    lay.para(f"{r.contact or _person_name(rng)}, {'treasurer' if en else 'kassör'}", 10)


# ---------------------------------------------------------------- truth

def truth(v: Variant) -> dict:
    """What a careful reader takes from the rendered variant, in the corpora's truth.json format."""
    a, r = v.axes, v.report
    letter = a["style"] == "letter"
    t = {
        "kind": r.kind,
        "year": r.year,
        "org_number": r.org_number,
        "reporter_name": r.name,
        "total": None if r.kind == "anmalan" else r.total / 100,
        "groups": {},
        "submitted": None if (letter or r.submitted is None) else r.submitted.isoformat(),
        "contributions": [],
    }
    if r.kind == "anmalan":
        return t
    groups: dict[int, int] = {}
    for key, amount in r.lines:
        g = r.group_of(key)
        groups[g] = groups.get(g, 0) + amount
    t["groups"] = {str(g): am / 100 for g, am in sorted(groups.items()) if am}
    for it in r.items:
        keys = it.columns
        t["contributions"].append({
            "group": 5 if r.law == "2014" else int(it.code.split(".")[0]),
            "donor": it.donor if "donor" in keys else None,
            "donor_id": it.donor_id if "id" in keys else None,
            "amount": it.amount / 100,
            "date": it.date.isoformat() if "date" in keys else None,
        })
    return t


def generate(seed: int, force: dict | None = None, vocab: dict | None = None) -> tuple[bytes, dict]:
    """(PDF bytes, truth) of one seed."""
    v = variant(seed, force, vocab)
    pdf = render(v)
    return pdf, truth(v)


def generate_variant(seed: int, force: dict | None = None, vocab: dict | None = None):
    """(Variant with its axes and layout events, PDF bytes, truth)."""
    v = variant(seed, force, vocab)
    pdf = render(v)
    return v, pdf, truth(v)


def write_corpus(out: Path, seeds, force: dict | None = None, vocab: dict | None = None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    truths, axes = {}, {}
    for seed in seeds:
        v, pdf, t = generate_variant(seed, force, vocab)
        (out / v.file_name).write_bytes(pdf)
        truths[v.file_name] = t
        axes[v.file_name] = {**v.axes, "events": sorted(set(v.events))}
    (out / "truth.json").write_text(json.dumps(truths, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "axes.json").write_text(json.dumps(axes, ensure_ascii=False, indent=1), encoding="utf-8")
    return truths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Write N generated report layouts with their truth.json.")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", default="{}", help='pin axes, JSON: {"style": "letter"}')
    a = ap.parse_args(argv)
    write_corpus(a.out, range(a.seed, a.seed + a.n), json.loads(a.force))
    print(f"wrote {a.n} reports and truth.json to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
