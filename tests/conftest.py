"""Shared test setup: a private pseudonym key and OCR cache per test session, never the user's own."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _pseudonym_key(tmp_path_factory):
    import os

    key = tmp_path_factory.mktemp("key") / "pseudonym.key"
    os.environ["PARTIFINANS_KEY_FILE"] = str(key)
    os.environ["PARTIFINANS_OCR_CACHE"] = str(tmp_path_factory.mktemp("ocr-cache"))
    yield
