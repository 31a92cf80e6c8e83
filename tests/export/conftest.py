"""The demo corpus ingested once per test session, and its SQLite database built from it."""

import pytest

from partifinans import config, pipeline

DEMO = config.project_root() / "data" / "raw" / "demo"


@pytest.fixture(scope="session")
def demo_processed(tmp_path_factory):
    if not (DEMO / "README.md").exists():
        pytest.skip("demo corpus not generated")
    out = tmp_path_factory.mktemp("demo") / "processed"
    pipeline.ingest(DEMO, out, jobs=2, progress=False)
    return out


@pytest.fixture(scope="session")
def demo_db(demo_processed, tmp_path_factory):
    from partifinans.export.sqlite import export_sqlite

    out = tmp_path_factory.mktemp("db") / "partifinans.db"
    export_sqlite(demo_processed, out)
    return out
