"""Reading one cell of an export: numbers as the platforms write them, dates, currency codes.

Platforms write numbers for people, not machines: ``"1,414,877"`` with quoted thousands,
``1 234,56`` in French, ``$3.50``, ``12.5%``, and ``--`` or ``-`` where there is no data. No data
is ``None`` here, never 0: a cell without a figure must not pull a sum down silently.
Money is a :class:`~decimal.Decimal`, so the sums the template receives are exact.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

NO_DATA = frozenset({"", "-", "--", "—", "–", "n/a", "(not set)"})

# Characters that separate thousands: comma, dot, space, no-break space, narrow no-break space,
# apostrophe (Swiss). The decimal separator is chosen per file (see ``decimal_separator``).
_SPACES = "\u00a0\u202f\u2009 "
_CURRENCY_MARKS = re.compile(r"US\$|R\$|[$€£¥₹₩₽₺₫฿]|\b[A-Z]{3}\b|CHF|kr", re.UNICODE)
_NUMERIC = re.compile(r"^[+-]?[\d.,'" + _SPACES + r"]*\d[\d.,'" + _SPACES + r"]*$")


class BadNumber(ValueError):
    """A cell that should hold a number holds text."""


def is_no_data(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().casefold() in NO_DATA)


def decimal_separator(samples: list[str], default: str = ".") -> str:
    """The decimal separator the texts in ``samples`` use: ``.`` or ``,``.

    ``1,234.56`` and ``1.234,56`` decide by the last separator; ``12,5`` (not three digits after
    the comma) means a decimal comma, ``12.5`` a decimal point; ``1,234`` alone is undecided and
    leaves ``default``."""
    votes = {".": 0, ",": 0}
    for text in samples:
        core = _strip_marks(text)
        if "." in core and "," in core:
            votes["." if core.rfind(".") > core.rfind(",") else ","] += 1
            continue
        for sep in ".,":
            if core.count(sep) == 1:
                after = core.split(sep)[1]
                if len(after) != 3:
                    votes[sep] += 1
            elif core.count(sep) > 1:  # 1,234,567: thousands, so the other one is the decimal
                votes["," if sep == "." else "."] += 1
    if votes["."] == votes[","]:
        return default
    return "." if votes["."] > votes[","] else ","


def _strip_marks(text: str) -> str:
    core = _CURRENCY_MARKS.sub("", text.strip()).strip()
    if core.endswith("%"):
        core = core[:-1].strip()
    if core.startswith("(") and core.endswith(")"):  # accounting negative
        core = "-" + core[1:-1]
    return core


def parse_number(value: object, decimal: str = ".") -> Decimal | None:
    """A number from a cell: ``None`` for no data; ``BadNumber`` for text that is not a number.

    Thousands separators, currency signs and codes are dropped; a trailing ``%`` divides by 100
    (rates become fractions, as GA4 writes them)."""
    if is_no_data(value):
        return None
    if isinstance(value, bool):
        raise BadNumber(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    percent = text.endswith("%")
    core = _strip_marks(text)
    if not _NUMERIC.match(core):
        raise BadNumber(text)
    thousands = "," if decimal == "." else "."
    for mark in (thousands, "'", *_SPACES):
        core = core.replace(mark, "")
    core = core.replace(decimal, ".")
    try:
        number = Decimal(core)
    except InvalidOperation:
        raise BadNumber(text) from None
    return number / 100 if percent else number


# -- dates ------------------------------------------------------------------------------------

_MONTHS = {}
for _number, _names in enumerate((
    "january jan janvier janv janvier. januar jän enero ene janeiro",
    "february feb février févr fevrier februar febrero fevereiro fev",
    "march mar mars märz marz marzo março",
    "april apr avril avr abril",
    "may mai mayo maio",
    "june jun juin juni junio junho",
    "july jul juillet juil juli julio julho",
    "august aug août aout agosto ago",
    "september sep sept septembre setembro septiembre set",
    "october oct octobre oktober okt octubre outubro out",
    "november nov novembre noviembre novembro",
    "december dec décembre dezember dez diciembre dic dezembro déc",
), start=1):
    for _name in _names.split():
        _MONTHS[_name.rstrip(".")] = _number

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # GA4: 20240131
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: .*)?$")  # TikTok: 2024/01/31
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})(?: .*)?$")
_WORDS = re.compile(r"[A-Za-zÀ-ÿ]+\.?|\d+")


def parse_date(value: object, order: str = "MDY") -> dt.date | None:
    """A date from a cell: ISO (``2024-01-31``, with or without a time), GA4's ``20240131``,
    ``2024/01/31``, ``1/31/2024`` or ``31/01/2024`` (``order`` "MDY" or "DMY" decides when
    both read), ``Jan 31, 2024``, ``31 janv. 2024``. ``None`` when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or not isinstance(value, str):
        return None
    text = value.strip().strip('"').strip()
    for pattern in (_ISO, _COMPACT, _YMD_SLASH):
        m = pattern.match(text)
        if m:
            return _date(int(m[1]), int(m[2]), int(m[3]))
    m = _NUMERIC_DATE.match(text)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        year += 2000 if year < 100 else 0
        month, day = (a, b) if order == "MDY" else (b, a)
        if month > 12 >= day:
            month, day = day, month
        return _date(year, month, day)
    return _worded_date(text)


def _worded_date(text: str) -> dt.date | None:
    """``January 31, 2024``, ``31 Jan 2024``, ``31. Januar 2024``, ``1 janv. 2024``."""
    words = _WORDS.findall(text.casefold())
    month = next((_MONTHS[w.rstrip(".")] for w in words if w.rstrip(".") in _MONTHS), None)
    numbers = [int(w) for w in words if w.isdigit()]
    years = [n for n in numbers if n >= 1900]
    days = [n for n in numbers if 1 <= n <= 31]
    if month is None or len(years) != 1 or len(days) != 1:
        return None
    return _date(years[0], month, days[0])


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_RANGE_SPLIT = re.compile(r"\s+(?:-|–|—|to|au|bis|a|~)\s+|\s*~\s*", re.IGNORECASE)


def parse_date_range(text: object, order: str = "MDY") -> tuple[dt.date, dt.date] | None:
    """``"January 1, 2024 - March 31, 2024"`` (Google Ads' second line), ``2024-01-01 to
    2024-01-31``, ``2024-01-01 ~ 2024-01-31``: the first and last day, or None."""
    if not isinstance(text, str):
        return None
    parts = _RANGE_SPLIT.split(text.strip().strip('"').strip())
    if len(parts) != 2:
        return None
    start, end = parse_date(parts[0], order), parse_date(parts[1], order)
    if start is None and end is not None:
        # "Jan 1 - Mar 31, 2024": the year is written once, at the end
        start = parse_date(f"{parts[0]} {end.year}", order)
    if start is None or end is None or end < start:
        return None
    return start, end


# -- currencies -------------------------------------------------------------------------------

_HEADER_CURRENCY = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Z]{3})\)\s*$")
_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF", "₩": "KRW",
            "R$": "BRL", "kr": "SEK", "zł": "PLN", "₺": "TRY"}


def split_currency(header: str) -> tuple[str, str | None]:
    """``"Amount spent (USD)"`` -> (``"Amount spent"``, ``"USD"``); other headers unchanged."""
    m = _HEADER_CURRENCY.match(header.strip())
    if m:
        return m["name"], m["code"]
    return header.strip(), None


def currency_code(text: object) -> str | None:
    """An ISO 4217 code from a currency cell (``USD``, ``usd``, ``€``), or None."""
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if re.fullmatch(r"[A-Za-z]{3}", stripped):
        return stripped.upper()
    return _SYMBOLS.get(stripped)


def currency_of_format(number_format: str) -> str | None:
    """The currency an Excel number format shows: ``"$"#,##0`` -> USD, ``[$€-407] #,##0`` -> EUR,
    ``#,##0 [$USD]`` -> USD; None when the format shows none. ``$`` is read as USD: a workbook
    in another dollar says so with ``--currency``."""
    m = re.search(r"\[\$([^\]-]*)", number_format)
    if m and m[1]:
        return currency_code(m[1]) or _SYMBOLS.get(m[1])
    for symbol in sorted(_SYMBOLS, key=len, reverse=True):
        if symbol in re.sub(r'\\(.)', r"\1", number_format).replace('"', ""):
            return _SYMBOLS[symbol]
    return None
