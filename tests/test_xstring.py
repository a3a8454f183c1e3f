"""ST_Xstring: the escaping of characters XML cannot carry, as Excel writes it (_xHHHH_)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlroi.xlsx.xstring import decode_xstring, encode_xstring

CASES = [
    # (text, as written in the file, what it shows)
    ("plain", "plain", "ordinary text is left alone"),
    ("abc\r\ndef", "abc_x000D_\ndef", "CR is escaped (a parser would turn it into LF); LF is legal"),
    ("\x07bell", "_x0007_bell", "a control character XML 1.0 cannot hold"),
    ("tab\there", "tab\there", "TAB is legal XML"),
    ("_x0041_", "_x005F_x0041_", "a literal escape sequence keeps its meaning (Excel's _x005F_)"),
    ("_x005F_", "_x005F_x005F_", "the escape of the escape"),
    ("_xABCD\x07", "_x005F_xABCD_x0007_", "a literal that only becomes _xHHHH_ once the next character is escaped"),
    ("a_b_x", "a_b_x", "underscores that are not escape sequences"),
    ("\U0001F600 emoji", "\U0001F600 emoji", "characters beyond the BMP are legal UTF-8"),
    ("\ufffe", "_xFFFE_", "a non-character XML forbids"),
]


@pytest.mark.parametrize("text, stored, why", CASES, ids=[c[2] for c in CASES])
def test_encoding_follows_excel(text: str, stored: str, why: str):
    assert encode_xstring(text) == stored
    assert decode_xstring(stored) == text


def test_excel_files_decode_lowercase_hex_too():
    assert decode_xstring("a_x000d_b") == "a\rb"


_ALPHABET = st.sampled_from(["_", "x", "0", "5", "F", "A", "_x0041_", "_x005F_", "\r", "\n", "\t", "\x00", "\x07",
                             "\x1f", "\ufffe", "é", "\U0001F600", "a"])


@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_decode_inverts_encode_on_tricky_text(text: str):
    assert decode_xstring(encode_xstring(text)) == text


@given(st.text(max_size=200))
def test_encoded_text_is_legal_xml(text: str):
    from lxml import etree
    from xml.sax.saxutils import escape

    xml = f"<v>{escape(encode_xstring(text))}</v>".encode("utf-8", "surrogatepass")
    parsed = etree.fromstring(xml).text or ""
    assert decode_xstring(parsed) == text
