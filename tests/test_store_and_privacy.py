import re

import pandas as pd
import pytest

from partifinans import privacy, schema, store


def test_conform_orders_types_and_adds_nullable_columns():
    df = schema.conform(pd.DataFrame({"amount": [5.0], "group": [5], "report_id": ["r1"]}), "lines")
    assert list(df.columns) == schema.columns("lines")
    assert df.loc[0, "amount"] == 5.0 and df.loc[0, "group"] == 5
    assert pd.isna(df.loc[0, "page"])


def test_conform_rejects_unknown_columns():
    with pytest.raises(ValueError, match="unexpected columns"):
        schema.conform(pd.DataFrame({"report_id": ["r"], "group": [1], "amount": [1.0], "bogus": [1]}), "lines")


def test_write_and_read_round_trip(tmp_path):
    lines = schema.conform(pd.DataFrame({"report_id": ["r1", "r1"], "group": [1, 5], "amount": [10.0, 2.5], "page": [1, 2]}), "lines")
    store.write_tables(tmp_path, {"lines": lines})
    back = store.read_table(tmp_path, "lines")
    assert back["amount"].tolist() == [10.0, 2.5]
    assert back["page"].tolist() == [1, 2]
    assert not list(tmp_path.glob("*.tmp"))


def test_failed_write_leaves_previous_tables(tmp_path):
    good = schema.conform(pd.DataFrame({"report_id": ["r1"], "group": [1], "amount": [10.0]}), "lines")
    store.write_tables(tmp_path, {"lines": good})
    with pytest.raises(ValueError):
        store.write_tables(tmp_path, {"lines": good, "reports": pd.DataFrame({"nonsense": [1]})})
    assert store.read_table(tmp_path, "lines")["amount"].tolist() == [10.0]
    assert not list(tmp_path.glob(".*tmp"))


def test_missing_table_reads_empty_with_columns(tmp_path):
    assert list(store.read_table(tmp_path, "contributions").columns) == schema.columns("contributions")


def test_pseudonym_is_keyed_stable_and_not_the_number(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTIFINANS_KEY_FILE", str(tmp_path / "k1"))
    a = privacy.pseudonymise("18910214-9805")
    assert a == privacy.pseudonymise("18910214-9805")
    assert re.fullmatch(r"pnr:[0-9a-f]{16}", a) and "9805" not in a
    assert (tmp_path / "k1").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("PARTIFINANS_KEY_FILE", str(tmp_path / "k2"))
    assert privacy.pseudonymise("18910214-9805") != a


def test_private_label_is_short_and_stable():
    assert privacy.private_label("e1") == privacy.private_label("e1")
    assert re.fullmatch(r"Privatperson [0-9a-f]{8}", privacy.private_label("e1"))


def test_keyed_hashes_are_keyed_hash_of_each_text(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTIFINANS_KEY_FILE", str(tmp_path / "k"))
    texts = ["name:anna berg|person:storgatan 1", "", "name:åsa öberg"]
    hashes = privacy.keyed_hashes(texts)
    assert hashes == [privacy.keyed_hash(t) for t in texts]
    assert len(set(hashes)) == 3 and all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes)


def test_temporary_files_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    (tmp_path / ".lines.abc123.parquet.tmp").write_bytes(b"half a table")
    good = schema.conform(pd.DataFrame({"report_id": ["r1"], "group": [1], "amount": [10.0]}), "lines")
    store.write_tables(tmp_path, {"lines": good})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lines.parquet"]
