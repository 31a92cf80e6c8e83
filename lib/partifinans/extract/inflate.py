"""A bound on how many bytes one PDF may inflate to (``config.MAX_DECOMPRESSED_BYTES``).

A decompression bomb is a small file whose FlateDecode streams inflate to gigabytes: 200 MB of
zeros compress to about 200 KB. pdfminer inflates each stream with one ``zlib.decompress`` call,
which runs in C: the time limit (a signal, handled between Python bytecodes) cannot stop it, and
the memory is gone before it returns. So pdfminer's ``zlib`` is replaced by a view of the real
module that inflates in bounded steps and counts every byte against the budget of the file being
read; past the budget it raises :class:`InflateLimitExceeded`, which ``parse_pdf`` turns into the
usual one-line refusal.

Outside :func:`inflate_limit` nothing is counted and pdfminer behaves as before. Only pdfminer's
``pdftypes`` module uses zlib (its LZW, RunLength and ASCII decoders are Python code, bounded by the
time limit).
"""

from __future__ import annotations

import contextlib
import zlib


class InflateLimitExceeded(BaseException):  # noqa: N818 - named after what happened
    """The file's streams inflate to more than the budget.

    A ``BaseException`` (like ``KeyboardInterrupt``), so that the broad ``except Exception``
    handlers in pdfminer and in the reader, which turn a broken page into a warning or another
    error, let it through to ``parse_pdf``.
    """


class _Budget:
    remaining: int | None = None  # bytes still allowed for the file being read; None: no limit


_budget = _Budget()


def _take(n: int) -> None:
    if _budget.remaining is not None:
        _budget.remaining -= n
        if _budget.remaining < 0:
            raise InflateLimitExceeded()


class _CountingDecompressor:
    """``zlib.decompressobj()`` whose output is counted, and never inflated past the budget + 1 byte."""

    def __init__(self, *args, **kwargs):
        self._d = zlib.decompressobj(*args, **kwargs)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        if _budget.remaining is not None and max_length == 0:
            max_length = max(_budget.remaining, 0) + 1
        out = self._d.decompress(data, max_length)
        _take(len(out))
        return out

    def flush(self, *args) -> bytes:
        out = self._d.flush(*args)
        _take(len(out))
        return out

    def __getattr__(self, name: str):
        return getattr(self._d, name)


class _BoundedZlib:
    """What pdfminer sees as ``zlib``: the real module, with counted ``decompress``/``decompressobj``."""

    error = zlib.error

    def __getattr__(self, name: str):
        return getattr(zlib, name)

    @staticmethod
    def decompressobj(*args, **kwargs) -> _CountingDecompressor:
        return _CountingDecompressor(*args, **kwargs)

    @staticmethod
    def decompress(data: bytes, wbits: int = zlib.MAX_WBITS, bufsize: int = zlib.DEF_BUF_SIZE) -> bytes:
        if _budget.remaining is None:
            return zlib.decompress(data, wbits, bufsize)
        d = _CountingDecompressor(wbits)
        out = d.decompress(data)
        if not d.eof:  # as zlib.decompress does; pdfminer then retries its own way (counted again)
            _budget.remaining += len(out)
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out


def install() -> None:
    """Give pdfminer the bounded view of zlib (idempotent)."""
    from pdfminer import pdftypes

    if not isinstance(pdftypes.zlib, _BoundedZlib):
        pdftypes.zlib = _BoundedZlib()


@contextlib.contextmanager
def inflate_limit(max_bytes: int):
    """Within the block, all streams together may inflate to at most ``max_bytes`` bytes."""
    install()
    previous = _budget.remaining
    _budget.remaining = max_bytes
    try:
        yield
    finally:
        _budget.remaining = previous
