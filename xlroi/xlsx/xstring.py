"""OOXML's escaping of characters XML cannot carry (ST_Xstring, ECMA-376 Part 1, §22.9.2.19).

XML 1.0 cannot hold most control characters at all, and a parser turns a raw carriage return
into a line feed. Excel therefore writes such a character as ``_xHHHH_`` (the code point in
hex): ``"abc" & CHAR(13)`` is stored as ``abc_x000D_``. Text that really contains ``_x0041_``
has its first underscore escaped as ``_x005F_`` so that it is not read back as ``A``.

Every string xlroi writes into a cell (cached formula results, ``--set`` text, inline strings)
goes through :func:`encode_xstring`; every string it reads from a cell through
:func:`decode_xstring`. The two are exact inverses (tests/test_xstring.py).
"""
from __future__ import annotations

import re

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


_UNSAFE_CLASS = "\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff"  # CR is legal XML, but a parser makes it LF
# One pass: an unsafe character, or the underscore of a literal "_xHHHH_" — including one whose
# closing underscore only appears once the unsafe character after it is escaped ("_xABCD" + BEL).
_TO_ESCAPE = re.compile(f"_(?=x[0-9A-Fa-f]{{4}}(?:_|[{_UNSAFE_CLASS}]))|[{_UNSAFE_CLASS}]")


def encode_xstring(text: str) -> str:
    """``text`` as ST_Xstring: unsafe characters as ``_xHHHH_``, literal ``_xHHHH_`` protected.

    Returns plain text (still to be XML-escaped for ``&``, ``<`` and ``>``)."""
    return _TO_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def decode_xstring(text: str) -> str:
    """The text an ST_Xstring stands for (inverse of :func:`encode_xstring`)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


__all__ = ["encode_xstring", "decode_xstring"]
