"""How a transcript file's bytes become text, and what is shown when they cannot.

:func:`detect_encoding` reads a byte-order mark (UTF-8, UTF-16, UTF-32), or recognises
BOM-less UTF-16 by its zero bytes, and otherwise assumes UTF-8. Bytes that do not decode are
kept as lone surrogates (the ``frontline-bytes`` error handler, ``surrogateescape`` for any
codec), so that a bad byte marks its own record instead of aborting the file.
:func:`file_problem` refuses a whole file once (empty, or binary) instead of one garbage record
per line, and :func:`printable` makes any string safe for the CSV, JSONL, HTML and summary.
"""

from __future__ import annotations

import codecs
import gzip
import re
from pathlib import Path

ERRORS = "frontline-bytes"
"""The decoding error handler: every undecodable byte becomes U+DC00 + byte."""

HEAD_BYTES = 8192
"""How much of a file :func:`file_problem` looks at."""

_BOMS = (  # longest first: the UTF-32-LE mark starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an Excel or Word file?); export it as CSV"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "gzip-compressed; name it with a .gz ending"),
    (b"PAR1", "a Parquet file; name it with a .parquet ending"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _escape_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(chr(0xDC00 + b) for b in bad), exc.end


codecs.register_error(ERRORS, _escape_bytes)


def detect_encoding(head: bytes) -> str:
    """The codec for a file starting with ``head``: its BOM's, UTF-16 by its zeros, or UTF-8."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs >= 2 and b"\x00" in sample:
        even = sample[0 : 2 * pairs : 2].count(0) / pairs
        odd = sample[1 : 2 * pairs : 2].count(0) / pairs
        if odd > 0.3 and even < 0.02:
            return "utf-16-le"
        if even > 0.3 and odd < 0.02:
            return "utf-16-be"
    return "utf-8-sig"


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a file (decompressed for ``.gz``)."""
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as f:
            return f.read(size)
    with open(path, "rb") as f:
        return f.read(size)


def file_problem(path: Path) -> str | None:
    """Why a text file cannot hold transcripts at all ("empty file", "binary file ..."), or None.

    Binary means a known binary format's signature, zero bytes in a file that is not UTF-16,
    or more than a tenth of its first 8 KB undecodable or control characters.
    """
    head = read_head(path)
    if not head:
        return "empty file"
    encoding = detect_encoding(head)
    if not encoding.startswith(("utf-16", "utf-32")):
        for magic, what in _MAGIC:
            if head.startswith(magic):
                return f"binary file, not text: {what}"
        if b"\x00" in head:
            return "binary file, not text (it holds zero bytes)"
    decoder = codecs.getincrementaldecoder(encoding)(errors=ERRORS)
    text = decoder.decode(head, final=len(head) < HEAD_BYTES)
    if not text.strip():
        return "empty file" if not text else "empty file: only blank lines"
    bad = len(_UNPRINTABLE.findall(text))
    if bad > 0.1 * len(text):
        share = round(100 * bad / len(text))
        name = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
        return (
            f"undecodable file: {share}% of its first characters are not {name} text"
            " (binary, or another encoding: save it as UTF-8)"
        )
    return None


def has_bad_text(text: str) -> bool:
    """True when ``text`` holds bytes that did not decode (kept as lone surrogates)."""
    return _SURROGATE.search(text) is not None


def printable(text: str) -> str:
    """``text`` safe to write anywhere: undecodable bytes as ``\\xNN``, control characters too.

    Tabs and line breaks are kept; a lone surrogate that did not come from a byte (a JSON
    ``"\\ud800"`` escape) is shown as ``\\ud800``.
    """
    return _UNPRINTABLE.sub(_show, text)


def _show(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC00 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
