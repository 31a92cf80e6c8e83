import pytest


@pytest.fixture(autouse=True)
def _private_key_and_manual_dir(tmp_path, monkeypatch):
    """Pseudonym key and judgements directory in a temporary place: tests never touch ~/.config
    or data/manual."""
    monkeypatch.setenv("PARTIFINANS_KEY_FILE", str(tmp_path / "pseudonym.key"))
    monkeypatch.setenv("PARTIFINANS_MANUAL", str(tmp_path / "manual"))
