"""Errors a user sees as one line."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A problem with the user's input: the CLI prints it as one line and exits with status 2."""


class BadInput(UserError):
    """A file that cannot be read as a report. ``str()`` is ``<file>: <reason>``."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())  # one line, always
        super().__init__(f"{self.path}: {self.reason}")
