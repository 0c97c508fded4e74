"""Decode text files whose encoding nobody wrote down.

Chinese hospital exports are often GBK/GB18030; Windows tools write UTF-16
with a BOM; everything else should be UTF-8. We try the unambiguous cases
first and only then ask charset-normalizer.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from .model import RecordError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no text in any encoding we accept."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    sample = data[:4096]
    if b"\x00" in sample:
        # UTF-16 without BOM has NULs in every other byte; junk has them anywhere.
        return utf16_without_mark(data) is None
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    return controls > len(sample) * 0.05


def utf16_without_mark(data: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" for text saved as UTF-16 without its byte-order mark (mostly
    ASCII, so every other byte is NUL), else None."""
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) * 0.3 and even == 0:
        return "utf-16-le"
    if even > len(sample) * 0.3 and odd == 0:
        return "utf-16-be"
    return None


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """Return (text, encoding name). Raise RecordError naming ``file`` if it is not text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise RecordError(f"{file}: starts with a {name} mark but is not valid {name} ({exc.reason})") from None
    wide = utf16_without_mark(data)
    if wide is not None:  # NULs are valid UTF-8: try this before UTF-8 says yes to it
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if looks_binary(data):
        raise RecordError(f"{file}: not a text file (binary content)")
    best = from_bytes(data).best()
    if best is None:
        raise RecordError(f"{file}: cannot tell the text encoding")
    name = best.encoding
    # GB2312/GBK are subsets of GB18030; decoding with the superset loses nothing.
    if name.lower() in {"gb2312", "gbk"}:
        name = "gb18030"
    try:
        return data.decode(name), name
    except (UnicodeDecodeError, LookupError):
        raise RecordError(f"{file}: cannot tell the text encoding") from None
