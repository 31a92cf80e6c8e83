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
import re
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


# --- a check of the whole file before pdfium reads it ---------------------------------------------
#
# pdfium (the fast reader, ``pdftext.py``) inflates streams in C code that cannot be hooked. So before
# pdfium opens a file, every stream in it is inflated here, in bounded steps and without keeping the
# output, and the bytes are counted against the same budget. A stream is whatever follows a
# ``stream`` keyword anywhere in the file's bytes: pdfium cannot decode a stream that has none, so
# nothing pdfium inflates escapes the count (a stream used on several pages is inflated by pdfium
# once per page, each time no larger than counted here). Filters this check does not decode itself
# (LZW, RunLength, an indirect /Filter) or a stream dictionary that holds a string (where a crafted
# "endobj" could hide the real /Filter from this scan) make the file "not sure", and the caller reads
# it with pdfminer under the hooked zlib above instead.

_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+|\d+\s+\d+\s+R)")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_FLATE = {b"FlateDecode", b"Fl"}
_A85 = {b"ASCII85Decode", b"A85"}
_AHX = {b"ASCIIHexDecode", b"AHx"}
_NOT_INFLATED = {b"DCTDecode", b"DCT", b"JPXDecode", b"CCITTFaxDecode", b"CCF", b"JBIG2Decode",
                 b"Crypt"}  # images pdfium does not decode to read text (and Crypt: identity here)
_DICT_WINDOW = 65536
_OBJ_HEADER = re.compile(rb"(?:\s*%[^\r\n]*[\r\n])*\s*\d+\s+\d+\s+obj\s*<<")


class _Unsure(Exception):
    pass


def _inflate_counted(data, budget: int) -> int:
    """Bytes a zlib stream at the start of ``data`` inflates to, stopping one past ``budget``."""
    d = zlib.decompressobj()
    total = 0
    view = memoryview(data)
    pos = 0
    step = 1 << 16
    try:
        while pos < len(view) and not d.eof:
            chunk = view[pos:pos + step]
            pos += step
            while chunk:
                out = d.decompress(chunk, max(budget - total, 0) + 1)
                total += len(out)
                if total > budget:
                    return total
                chunk = d.unconsumed_tail
    except zlib.error:
        pass  # broken or not zlib: as far as it inflated (pdfium stops at the error too)
    return total


def _a85(data: bytes) -> bytes:
    """ASCII85 decoded (vectorised: ``base64.a85decode`` loops in Python over every 5 characters)."""
    import numpy as np

    end = data.find(b"~>")
    body = data[:end] if end != -1 else data
    if body.startswith(b"<~"):
        body = body[2:]
    body = body.translate(None, b" \t\r\n\f\x00").replace(b"z", b"!!!!!")  # pdf whitespace
    pad = -len(body) % 5
    digits = np.frombuffer(body + b"u" * pad, dtype=np.uint8).astype(np.uint64) - 33
    if digits.size and int(digits.max()) > 84:
        raise _Unsure()
    groups = digits.reshape(-1, 5) @ np.array([85**4, 85**3, 85**2, 85, 1], dtype=np.uint64)
    if groups.size and int(groups.max()) > 0xFFFFFFFF:
        raise _Unsure()
    out = groups.astype(">u4").tobytes()
    return out[:len(out) - pad] if pad else out


def _ahx(data: bytes) -> bytes:
    import binascii

    end = data.find(b">")
    body = (data[:end] if end != -1 else data).translate(None, b" \t\r\n\f\x00")
    if len(body) % 2:
        body += b"0"
    try:
        return binascii.unhexlify(body)
    except (binascii.Error, ValueError):
        raise _Unsure() from None


def fits_budget(data, budget: int) -> bool:
    """True when every stream in the PDF bytes ``data`` inflates, summed, to at most ``budget`` bytes
    by the filters this check decodes; False when it inflates to more, or when it cannot tell."""
    remaining = budget
    try:
        for m in _STREAM.finditer(data):
            start = m.end()
            head = bytes(data[max(0, m.start() - _DICT_WINDOW):m.start()])
            if head.endswith(b"end"):
                continue  # "endstream" itself
            cut = max((i + len(k) for k in (b"endobj", b"endstream", b"%%EOF") if (i := head.rfind(k)) != -1),
                      default=0)
            head = head[cut:]
            # the stream's own object, alone: "N G obj << ... >>" with no string or comment in it
            # that could hide where the dictionary really starts
            header = _OBJ_HEADER.match(head)
            if header is None or any(ch in head[header.end():] for ch in (b"(", b")", b"%")):
                return False
            f = _FILTER.search(head)
            if f is None:
                names: list[bytes] = []
            else:
                if f.group(1).endswith(b"R"):
                    return False
                names = _NAME.findall(f.group(1))
            if any(n in _NOT_INFLATED for n in names):
                continue
            body = memoryview(data)[start:]
            flate_seen = False
            for n in names:
                if n in _A85 or n in _AHX:
                    if flate_seen:
                        return False  # text encoding after inflating: not a chain we decode here
                    end = data.find(b"endstream", start)
                    raw_text = bytes(data[start:end if end != -1 else len(data)])
                    body = _a85(raw_text) if n in _A85 else _ahx(raw_text)
                elif n in _FLATE:
                    if flate_seen:
                        return False
                    flate_seen = True
                else:
                    return False  # LZW, RunLength, unknown
            if flate_seen or not names:
                # no /Filter seen: inflated anyway if it is zlib
                remaining -= _inflate_counted(body, max(remaining, 0))
                if remaining < 0:
                    return False
    except _Unsure:
        return False
    return True
