"""Run ``partifinans ingest`` with a hook that makes an interruption land at a known point.

Used by ``test_interrupt.py`` as ``python ingest_driver.py SRC OUT MODE MARKER_DIR``, where MODE is

- ``plain``                   an ordinary run (``cli.main(["ingest", ...])``);
- ``block-parse:NAME``        every file is parsed as usual, except that the worker that reads the
  file named NAME writes ``MARKER_DIR/blocked`` and sleeps: the test then kills the process group
  while the run is parsing, with the other workers' results in flight;
- ``kill-after-replace:K``    the process SIGKILLs itself right after the K-th ``os.replace`` of
  the final table write (some tables renamed into place, the others not).

The hooks are installed before the process pool forks, so the workers inherit them.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path


def main() -> int:
    src, out, mode, marker_dir = sys.argv[1:5]
    marker = Path(marker_dir)
    from partifinans import cli, pipeline

    if mode.startswith("block-parse:"):
        name = mode.split(":", 1)[1]
        real = pipeline._read_one

        def blocking(path_str: str, *rest) -> dict:
            if Path(path_str).name == name:
                (marker / "blocked").write_text(str(os.getpid()))
                time.sleep(600)
            return real(path_str, *rest)

        # the pool pickles the function by name: make the hook answer to the original's name
        blocking.__module__, blocking.__qualname__ = real.__module__, real.__qualname__
        pipeline._read_one = blocking
    elif mode.startswith("kill-after-replace:"):
        limit = int(mode.split(":", 1)[1])
        real_replace = os.replace
        count = 0

        def replace_then_die(a, b, *args, **kwargs):
            nonlocal count
            real_replace(a, b, *args, **kwargs)
            if str(b).endswith(".parquet"):
                count += 1
                if count >= limit:
                    os.kill(os.getpid(), signal.SIGKILL)

        os.replace = replace_then_die
    elif mode != "plain":
        raise SystemExit(f"unknown mode {mode!r}")
    return cli.main(["ingest", src, "--out", out, "--jobs", "2", "--quiet"])


if __name__ == "__main__":
    sys.exit(main())
