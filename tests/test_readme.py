"""The README's quick start, followed as a user would: a fresh clone, ``make run``, notebook 01 run
in place on ``data/processed`` and saved (JupyterLab's Run All + save), then the notebook check of
``make test`` must still pass: it checks the committed notebooks against the demo, not the user's
working copies (Makefile ``check-notebooks``).

Two depths:

- by default the clone uses this checkout's ``.venv`` (``VENV=...``, make told not to rebuild it)
  and ``PARTIFINANS_ROOT`` points the library at the clone: about a minute;
- ``PARTIFINANS_README_TEST=full`` builds the clone's own ``.venv`` from ``python3`` exactly as the
  README says (several minutes and the package index; not part of ``make test``);
- ``PARTIFINANS_README_TEST=off`` skips it.

Skipped outside a git checkout or without ``make``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FULL = os.environ.get("PARTIFINANS_README_TEST") == "full"

pytestmark = [
    pytest.mark.skipif(
        shutil.which("make") is None or shutil.which("git") is None or not (REPO / ".git").exists(),
        reason="needs make, git and a git checkout",
    ),
    pytest.mark.skipif(os.environ.get("PARTIFINANS_README_TEST") == "off", reason="PARTIFINANS_README_TEST=off"),
]


def _run(cmd: list[str], cwd: Path, env: dict, timeout: int = 900) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_readme_quick_start_then_the_notebook_check_still_passes(tmp_path):
    clone = tmp_path / "partifinans"
    _run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], tmp_path, dict(os.environ))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTIFINANS_", "PYTEST_", "MPLBACKEND"))}
    env["PARTIFINANS_KEY_FILE"] = str(tmp_path / "user.key")  # the user's own key, not the demo key
    make = ["make", "--no-print-directory"]
    if not FULL:
        venv = REPO / ".venv"
        if not (venv / ".installed-dev").exists():
            pytest.skip("this checkout has no .venv with dev tools (make .venv/.installed-dev)")
        env["PARTIFINANS_ROOT"] = str(clone)  # the library reads the clone's data/, not this checkout's
        make += [f"VENV={venv}", "-o", f"{venv}/.installed", "-o", f"{venv}/.installed-dev", "-o", f"{venv}/bin/python"]
    else:
        venv = clone / ".venv"

    # 1. make run: the demo corpus into data/processed
    run = _run([*make, "run"], clone, env)
    assert "86 reports" in run.stderr or "reports" in run.stderr
    assert (clone / "data" / "processed" / "reports.parquet").exists()
    if FULL:
        _run([*make, ".venv/.installed-dev"], clone, env)
    # 2. make lab, Run All, save: notebook 01 executed in place on the user's data/processed
    before = (clone / "notebooks" / "01-ingest-and-quality.ipynb").read_bytes()
    _run([str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--inplace",
          "notebooks/01-ingest-and-quality.ipynb"], clone, env | {"MPLBACKEND": "Agg"})
    after = (clone / "notebooks" / "01-ingest-and-quality.ipynb").read_bytes()
    assert after != before  # the user's working copy now holds the user's outputs
    # 3. the notebook part of make test: checks the committed notebooks, passes
    check = _run([*make, "check-notebooks"], clone, env)
    assert "checking the committed notebooks, not your changed working copies: notebooks/01-ingest-and-quality.ipynb" in check.stdout
    assert " passed" in check.stdout and "failed" not in check.stdout
    # the user's work is kept
    assert (clone / "notebooks" / "01-ingest-and-quality.ipynb").read_bytes() == after


def test_make_lab_serves_the_repository_headless_and_prints_its_address(tmp_path):
    """``make lab`` as root or not, without a desktop: the lab starts, its root is the repository, and
    the address with its token is printed."""
    venv = REPO / ".venv"
    if not (venv / ".installed-dev").exists():
        pytest.skip("this checkout has no .venv with dev tools")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed-dev", "lab", f"LAB_PORT={port}"], cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    lines = []
    try:
        import time

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if f"http://127.0.0.1:{port}/lab?token=" in line:
                break
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=60)
    text = "".join(lines)
    assert f"http://127.0.0.1:{port}/lab?token=" in text, text[-2000:]
    assert f"Serving notebooks from local directory: {REPO}" in text
    assert "Running as root is not recommended. Use --allow-root to bypass" not in text
    if sys.platform.startswith("linux"):
        assert "--no-browser" in text  # no desktop: no browser started
