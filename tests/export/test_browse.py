"""Datasette serves the demo database with its metadata: a faceted view and a canned query as JSON,
through Datasette's own in-process client (no network, no server)."""

import asyncio
import json

import pytest

datasette_app = pytest.importorskip("datasette.app", reason="Datasette is in the dev extra; run make test")


def _get(db_path, path):
    meta = json.loads(db_path.with_name(f"{db_path.stem}.metadata.json").read_text(encoding="utf-8"))
    ds = datasette_app.Datasette([str(db_path)], metadata=meta)

    async def fetch():
        response = await ds.client.get(path)
        return response.status_code, response.json()

    return asyncio.run(fetch())


def test_flags_faceted_by_party(demo_db):
    status, data = _get(demo_db, "/partifinans/flags.json?_facet=party&_shape=objects")
    assert status == 200
    assert len(data["rows"]) == 15
    party = {r["value"]: r["count"] for r in data["facet_results"]["party"]["results"]}
    assert party == {"Moderaterna": 4, "Centerpartiet": 2, "Kristdemokraterna": 2, "Liberalerna": 2,
                     "Socialdemokraterna": 2, "Miljöpartiet de gröna": 1, "Sverigedemokraterna": 1, "Vänsterpartiet": 1}
    # The metadata's facets and sort order apply without asking.
    assert {"pattern", "severity", "year"} <= set(data["facet_results"])
    amounts = [r["amount"] for r in data["rows"] if r["amount"] is not None]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] == 214500.0


def test_filtered_view_of_one_party(demo_db):
    status, data = _get(demo_db, "/partifinans/flags.json?party=Liberalerna&_shape=objects")
    assert status == 200
    assert sorted(r["pattern"] for r in data["rows"]) == ["lottery_surge", "split_across_entities"]


def test_canned_query_largest_donors(demo_db):
    status, data = _get(demo_db, "/partifinans/largest_donors.json?_shape=objects")
    assert status == 200
    assert (data["rows"][0]["donor"], data["rows"][0]["total_sek"]) == ("Provdata AB", 1259000.0)


def test_canned_query_split_donor(demo_db):
    status, data = _get(demo_db, "/partifinans/donors_to_several_organisations.json?_shape=objects")
    assert status == 200
    assert [(r["donor"], r["organisations"], r["total_sek"]) for r in data["rows"]] == [
        ("Bergström Exempelfastigheter AB", 4, 127500.0)]


def test_search_and_metadata_are_served(demo_db):
    status, data = _get(demo_db, "/partifinans/contributions.json?_search=bergstrom&_shape=objects")
    assert status == 200
    assert {r["amount"] for r in data["rows"]} == {30000.0, 45000.0, 27500.0}  # not "Bergströms Exempelfastigheter": another word
    status, meta = _get(demo_db, "/-/metadata.json")
    assert status == 200
    assert meta["databases"]["partifinans"]["tables"]["flags"]["columns"]["explanation"].startswith("One plain sentence")
