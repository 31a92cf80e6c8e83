"""``partifinans sqlite``: the demo's processed tables as one SQLite file, with keys, indexes, FTS,
no personnummer and no private name unless asked, and canned queries that give the demo's answers."""

import json
import re
import sqlite3

import pandas as pd
import pyarrow as pa
import pytest

from partifinans import cli, config, identifiers, privacy, schema, store
from partifinans.export import browse
from partifinans.export.sqlite import (
    DERIVED,
    FTS_COLUMNS,
    INDEXED_COLUMNS,
    PRIMARY_KEYS,
    build_database,
    definitions,
    export_sqlite,
    foreign_keys,
)
from partifinans.graph import build_graph

GOLDEN = config.project_root() / "tests" / "golden"


def _connect(path):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    return con


def _rows(con, sql, *params):
    return [dict(r) for r in con.execute(sql, params).fetchall()]


def _text_cells(path):
    """Every text cell of every table of the database (FTS shadow tables included), with where it is."""
    con = sqlite3.connect(path)
    tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
    for t in tables:
        cols = [r[1] for r in con.execute(f'pragma table_info("{t}")')]
        for row in con.execute(f'select * from "{t}"'):
            for col, v in zip(cols, row, strict=True):
                if isinstance(v, bytes):
                    v = v.decode("utf-8", "ignore")
                if isinstance(v, str):
                    yield t, col, v


def _private_names_and_addresses(processed):
    tables = store.read_tables(processed)
    c, e = tables["contributions"], tables["entities"]
    persons = c[c["donor_kind"] == "person"]
    names = set(persons["donor"].dropna()) | set(e.loc[e["kind"] == "person", "canonical_name"].dropna())
    addresses = set(persons["address"].dropna())
    return names, addresses


def _clear_personnummer():
    """Every personnummer printed in the demo reports (the goldens hold them as printed)."""
    found = set()
    for path in GOLDEN.glob("*.json"):
        for m in re.finditer(r'"donor_id": "([^"]+)"', path.read_text(encoding="utf-8")):
            ident = identifiers.parse_identifier(m.group(1))
            if ident is not None and ident.kind == "pnr":
                digits = re.sub(r"\D", "", m.group(1))
                found |= {m.group(1), digits, digits[-10:], f"{digits[-10:-4]}-{digits[-4:]}"}
    return found


# --------------------------------------------------------------------------------------------------
# Tables, types, keys


def test_every_table_and_column_of_the_schema_is_in_the_database_with_its_type(demo_db, demo_processed):
    con = _connect(demo_db)
    expected_type = {"int64": "INTEGER", "bool": "INTEGER", "double": "REAL", "string": "TEXT"}
    for table, cols in definitions().items():
        info = {r["name"]: r for r in _rows(con, f'pragma table_info("{table}")')}
        assert list(info) == [c.name for c in cols], table
        for c in cols:
            want = expected_type.get(str(c.type), "TEXT")  # lists as JSON text
            assert info[c.name]["type"] == want, (table, c.name)
            assert bool(info[c.name]["notnull"]) == (not c.nullable or PRIMARY_KEYS.get(table) == c.name), (table, c.name)
    # Every row of the processed tables is there.
    for table in schema.TABLE_NAMES:
        n = con.execute(f'select count(*) from "{table}"').fetchone()[0]
        assert n == len(store.read_table(demo_processed, table)), table


def test_values_keep_their_types(demo_db):
    con = _connect(demo_db)
    r = _rows(con, "select * from reports where source_path like '%/2021_kristdemokraterna-region-pahittland.pdf'")[0]
    assert (r["year"], r["total"], r["is_primary"], r["org_number"]) == (2021, 1790530.0, 1, "824539-1126")
    assert json.loads(r["warnings"]) == [
        "page 1: total mismatch: the lines sum to 1780530.00, the printed total is 1790530.00 (difference 10000.00)"
    ]
    # A missing value is NULL, not 0 or 'nan'.
    od = _rows(con, "select l.page, l.row, r.total from reports r join lines l on l.report_id = r.report_id "
                   "where r.source_kind = 'opendata' limit 1")[0]
    assert od["page"] is None and od["total"] is None and isinstance(od["row"], int)


def test_primary_and_foreign_keys_hold_on_the_demo(demo_db):
    con = _connect(demo_db)
    for table, pk in PRIMARY_KEYS.items():
        pks = [r["name"] for r in _rows(con, f'pragma table_info("{table}")') if r["pk"]]
        assert pks == [pk], table
    declared = set()
    for table in definitions():
        for r in _rows(con, f'pragma foreign_key_list("{table}")'):
            declared.add((table, r["from"], r["table"], r["to"]))
    assert declared == set(foreign_keys())
    # The keys the issue names are among them.
    for fk in [("lines", "report_id", "reports", "report_id"), ("contributions", "report_id", "reports", "report_id"),
               ("contributions", "entity_id", "entities", "entity_id"), ("reports", "source_path", "files", "path"),
               ("files", "report_id", "reports", "report_id"), ("flag_donors", "flag_id", "flags", "flag_id"),
               ("flag_donors", "entity_id", "entities", "entity_id"), ("flag_evidence", "source_path", "files", "path")]:
        assert fk in declared
    # and every value points at a row that exists
    assert con.execute("pragma foreign_key_check").fetchall() == []
    # The flags point at what they are about: the split donor's flag joins to its entity and its four files.
    split = _rows(con, """select e.canonical_name, count(distinct fe.source_path) as files
        from flags f join flag_donors d on d.flag_id = f.flag_id join entities e on e.entity_id = d.entity_id
        join flag_evidence fe on fe.flag_id = f.flag_id join files fi on fi.path = fe.source_path
        where f.pattern = 'split_across_entities' group by e.entity_id""")
    assert split == [{"canonical_name": "Bergström Exempelfastigheter AB", "files": 4}]


def test_filter_columns_are_indexed(demo_db):
    con = _connect(demo_db)
    for table, cols in definitions().items():
        indexed = set()
        for idx in _rows(con, f'pragma index_list("{table}")'):
            indexed |= {r["name"] for r in _rows(con, f'pragma index_info("{idx["name"]}")')}
        for c in cols:
            if c.name in INDEXED_COLUMNS:
                assert c.name in indexed, (table, c.name)
    plan = " ".join(str(tuple(r)) for r in con.execute("explain query plan select * from contributions where entity_id = 'x'"))
    assert "USING INDEX" in plan


def test_full_text_search_finds_donors_organisations_and_explanations(demo_db):
    con = _connect(demo_db)
    assert set(FTS_COLUMNS) >= {"contributions", "entities", "reports", "flags"}
    # Without diacritics, every printing of the split donor that carries the name.
    printed = _rows(con, """select c.donor, c.entity_id from contributions c
        join contributions_fts f on f.rowid = c.rowid where contributions_fts match 'bergstrom' order by c.donor""")
    assert {r["donor"] for r in printed} == {"BERGSTRÖM EXEMPELFASTIGHETER AKTIEBOLAG", "Bergström Exempelfastigheter AB",
                                             "Exempelfastigheter AB, Bergström"}
    assert {r["entity_id"] for r in printed} == {
        con.execute("select entity_id from entities where canonical_name = 'Bergström Exempelfastigheter AB'").fetchone()[0]}
    orgs = _rows(con, """select distinct r.reporter_name from reports r join reports_fts f on f.rowid = r.rowid
        where reports_fts match 'pahittkoping' order by 1""")
    assert [r["reporter_name"] for r in orgs] == ["Centerpartiet i Påhittköping", "Liberalerna i Påhittköping",
                                                  "Moderata ungdomsförbundet Påhittköping"]
    lottery = _rows(con, """select flags.pattern from flags join flags_fts f on f.rowid = flags.rowid
        where flags_fts match 'lottery tickets'""")
    assert lottery == [{"pattern": "lottery_surge"}]
    ent = _rows(con, """select entities.canonical_name from entities join entities_fts f on f.rowid = entities.rowid
        where entities_fts match 'provdata'""")
    assert ent == [{"canonical_name": "Provdata AB"}]


# --------------------------------------------------------------------------------------------------
# Privacy


def test_no_personnummer_and_no_private_name_without_reveal_private(demo_db, demo_processed):
    names, addresses = _private_names_and_addresses(demo_processed)
    pnrs = _clear_personnummer()
    assert len(names) >= 20 and len(addresses) >= 5 and len(pnrs) >= 20  # the scan has something to find
    number = re.compile(r"(?<![0-9A-Za-z])(?:\d{2})?\d{6}[-+ ]?\d{4}(?![0-9A-Za-z])")
    n_cells = 0
    for table, col, text in _text_cells(demo_db):
        n_cells += 1
        assert "pnr:" not in text, (table, col, text)
        for name in names | addresses:
            assert name not in text, (table, col, text)
        for p in pnrs:
            assert p not in text, (table, col)
        for m in number.finditer(text):
            ident = identifiers.parse_identifier(m.group(0))
            assert ident is None or ident.kind == "orgnr", (table, col, text)
    assert n_cells > 5000


def test_private_donors_get_the_labels_of_the_other_exports(demo_db, demo_processed):
    tables = store.read_tables(demo_processed)
    con = _connect(demo_db)
    sixten = tables["entities"].set_index("canonical_name").loc["Sixten Låtsasdotter", "entity_id"]
    label = privacy.private_label(sixten)
    G = build_graph(tables)
    assert G.nodes[f"entity:{sixten}"]["label"] == label
    assert _rows(con, "select canonical_name from entities where entity_id = ?", sixten) == [{"canonical_name": label}]
    gifts = _rows(con, "select distinct donor, address, donor_id from contributions where entity_id = ?", sixten)
    assert gifts == [{"donor": label, "address": None, "donor_id": "[borttaget]"}]
    # The flags read as `partifinans flags` shows them (detect.cli.pseudonymise_private_donors).
    from partifinans.detect.cli import pseudonymise_private_donors

    expected = pseudonymise_private_donors(tables["flags"], tables).set_index("flag_id")["explanation"]
    got = {r["flag_id"]: r["explanation"] for r in _rows(con, "select flag_id, explanation from flags")}
    assert got == expected.to_dict()
    # A flag's donors list, split into flag_donors, carries the same labels.
    donors = _rows(con, """select d.name from flag_donors d join flags f on f.flag_id = d.flag_id
        where f.pattern = 'intermediary_donor' and f.party = 'Socialdemokraterna' order by d.position""")
    ents = tables["entities"].set_index("canonical_name")["entity_id"]
    assert [d["name"] for d in donors] == [privacy.private_label(ents["Anna Låtsasson"]),
                                          privacy.private_label(ents["Bertil Låtsasson"])]
    # Organisations and elected members who report keep their names.
    assert _rows(con, "select canonical_name from entities where identifiers = '[\"512641-1965\"]'") == [
        {"canonical_name": "Bergström Exempelfastigheter AB"}]
    assert _rows(con, "select count(*) as n from reports where reporter_name = 'Ulla Låtsasdotter'") == [{"n": 1}]


def test_reveal_private_shows_names_but_never_a_personnummer(demo_processed, tmp_path):
    out = tmp_path / "revealed.db"
    export_sqlite(demo_processed, out, reveal_private=True)
    con = _connect(out)
    assert _rows(con, "select distinct donor from contributions where entity_id = (select entity_id from entities "
                      "where canonical_name = 'Sixten Låtsasdotter')") == [{"donor": "Sixten Låtsasdotter"}]
    assert _rows(con, "select address from contributions where donor = 'David Provsson' and address is not null limit 1") == [
        {"address": "Fiktivbacken 43, 123 45 Exempelstad"}]
    pnrs = _clear_personnummer()
    for table, col, text in _text_cells(out):
        assert "pnr:" not in text, (table, col)
        for p in pnrs:
            assert p not in text, (table, col)
    meta = json.loads(out.with_name("revealed.metadata.json").read_text(encoding="utf-8"))
    assert "do not publish" in meta["description"]


# --------------------------------------------------------------------------------------------------
# Canned queries: the demo's known answers


def _query(con, name):
    return _rows(con, browse.QUERIES[name]["sql"])


def test_largest_donor_is_provdata(demo_db, demo_processed):
    top = _query(_connect(demo_db), "largest_donors")
    assert (top[0]["donor"], top[0]["total_sek"], top[0]["contributions"], top[0]["years"]) == (
        "Provdata AB", 1259000.0, 9, 9)
    # The same ranking computed with pandas from the Parquet tables.
    t = store.read_tables(demo_processed)
    primary = t["reports"].loc[t["reports"]["is_primary"], "report_id"]
    c = t["contributions"][t["contributions"]["report_id"].isin(primary)].dropna(subset=["entity_id"])
    totals = c.groupby("entity_id")["amount"].sum().sort_values(ascending=False)
    assert [r["entity_id"] for r in top[:5]] == list(totals.index[:5])
    assert [r["total_sek"] for r in top] == pytest.approx(list(totals.values[: len(top)]))


def test_split_donor_is_the_only_one_giving_to_several_organisations_of_a_party(demo_db):
    rows = _query(_connect(demo_db), "donors_to_several_organisations")
    assert len(rows) == 1
    r = rows[0]
    assert (r["donor"], r["party"], r["year"], r["organisations"], r["total_sek"]) == (
        "Bergström Exempelfastigheter AB", "Liberalerna", 2022, 4, 127500.0)
    assert set(r["recipients"].split(",")) == {"Liberalerna Exempelstad", "Liberalerna Region Exempelland",
                                               "Liberala ungdomsförbundet Exempelstad", "Liberalerna i Påhittköping"}


def test_flags_by_party_and_year_add_up_to_the_flags(demo_db, demo_processed):
    rows = _query(_connect(demo_db), "flags_by_party_and_year")
    flags = store.read_table(demo_processed, "flags")
    assert sum(r["flags"] for r in rows) == len(flags) == 15
    lib = {(r["party"], r["year"]): r for r in rows}[("Liberalerna", 2022)]
    # split_across_entities is a lead (medium) since #13, like lottery_surge
    assert (lib["flags"], lib["high"], lib["medium"], lib["amount_sek"]) == (2, 0, 2, 195500.0)
    assert set(lib["patterns"].split(",")) == {"split_across_entities", "lottery_surge"}


def test_reports_that_do_not_add_up_are_the_total_mismatch_flags(demo_db, demo_processed):
    rows = _query(_connect(demo_db), "reports_that_do_not_add_up")
    assert [(r["reporter_name"], r["year"], r["printed_total_sek"], r["lines_sum_sek"], r["difference_sek"]) for r in rows] == [
        ("Kristdemokraterna Region Påhittland", 2021, 1790530.0, 1780530.0, 10000.0)]
    flags = store.read_table(demo_processed, "flags")
    mismatch = flags[flags["pattern"] == "total_mismatch"]
    assert [(int(f["year"]), f["amount"]) for _, f in mismatch.iterrows()] == [
        (r["year"], abs(r["difference_sek"])) for r in rows if r["is_primary"]]


# --------------------------------------------------------------------------------------------------
# Generated from schema.py; the command


def test_a_column_added_to_the_schema_flows_through(demo_processed, tmp_path, monkeypatch):
    extra = schema.Column("confidence", pa.float64(), "How sure the reader is of the report (0-1)")
    monkeypatch.setitem(schema.TABLES, "reports", [*schema.TABLES["reports"], extra])
    tables = store.read_tables(demo_processed)
    tables["reports"] = tables["reports"].assign(confidence=0.5)
    build_database(tables, tmp_path / "x.db")
    con = _connect(tmp_path / "x.db")
    assert _rows(con, "select distinct confidence from reports") == [{"confidence": 0.5}]
    meta = browse.metadata("x")
    assert meta["databases"]["x"]["tables"]["reports"]["columns"]["confidence"].startswith(
        "How sure the reader is of the report (0-1) (number")


def test_metadata_describes_every_table_and_column(demo_db):
    meta = json.loads(demo_db.with_name("partifinans.metadata.json").read_text(encoding="utf-8"))
    assert meta["source_url"].startswith("https://partiinsyn.kammarkollegiet.se/")
    assert meta["license"] and meta["title"]
    tables = meta["databases"]["partifinans"]["tables"]
    assert set(tables) == set(schema.TABLE_NAMES) | set(DERIVED)
    assert set(browse.TABLE_DESCRIPTIONS) >= {"files", "reports", "lines", "contributions", "entities", "flags"}
    for name, cols in definitions().items():
        assert tables[name]["description"]
        if name in browse.TABLE_DESCRIPTIONS:
            assert tables[name]["description"] == browse.TABLE_DESCRIPTIONS[name]
        assert list(tables[name]["columns"]) == [c.name for c in cols]
        assert all(tables[name]["columns"].values())
        assert set(tables[name].get("facets", [])) <= {c.name for c in cols}
    assert tables["flags"]["facets"][:4] == ["pattern", "severity", "party", "year"]
    assert tables["contributions"]["sort_desc"] == "amount"
    assert tables["reports"]["columns"]["is_primary"].endswith("(boolean stored as 1/0).")  # nullable before harmonise (#12)
    assert set(meta["databases"]["partifinans"]["queries"]) == set(browse.QUERIES)


def test_cli_writes_the_database_and_says_so(demo_processed, tmp_path, capsys):
    out = tmp_path / "sub" / "p.db"
    assert cli.main(["sqlite", str(demo_processed), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"-> {out}" in err and f"{len(definitions())} tables" in err
    assert out.exists() and (tmp_path / "sub" / "p.metadata.json").exists()
    assert not list(out.parent.glob(".*.tmp"))


@pytest.mark.parametrize("make_dir", [False, True], ids=["missing directory", "directory without tables"])
def test_cli_bad_processed_directory_is_one_line(tmp_path, capsys, make_dir):
    processed = tmp_path / "nothing"
    if make_dir:
        processed.mkdir()
    assert cli.main(["sqlite", str(processed), "--out", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(str(processed) + ": ") and "\n" not in err
    assert not (tmp_path / "x.db").exists()


def test_empty_tables_give_an_empty_database(tmp_path):
    written = build_database({}, tmp_path / "empty.db")
    assert set(written.rows.values()) == {0}
    con = _connect(tmp_path / "empty.db")
    assert con.execute("select count(*) from reports").fetchone()[0] == 0
    assert pd.read_sql("select * from flags", con).empty


def test_tables_are_written_atomically(demo_processed, tmp_path, monkeypatch):
    out = tmp_path / "p.db"
    out.write_bytes(b"previous")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("partifinans.export.sqlite._column_values", boom)
    with pytest.raises(RuntimeError):
        build_database(store.read_tables(demo_processed), out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["p.db"]

