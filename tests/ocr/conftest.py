import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory):
    """A directory shared by the xdist workers of one run (scans and OCR cache made once)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if base.name.startswith("popen-gw") else base
    d = root / "ocr-shared"
    d.mkdir(exist_ok=True)
    return d
