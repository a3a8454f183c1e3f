"""Writing a workbook's zip with the entries that did not change copied as they are.

Python's :mod:`zipfile` writes an entry only from its uncompressed content: keeping a part
"byte for byte" with it means inflating the part and deflating it again (the same content, but
not the same bytes, and a deflate of every image and every untouched sheet on each save). This
module writes the zip itself:

* an unchanged entry is copied as it was stored — local header, compressed data, data
  descriptor — and so is its central-directory record (only the offset in it changes);
* a changed or new entry is written as :mod:`zipfile` writes one (same fields, same method as
  the entry had), from its content or from data already deflated on another thread while the
  content was being made (:class:`BackgroundDeflate`).

What this writer cannot do the way it should (Zip64 sizes or offsets, encrypted entries,
compression other than stored/deflate, headers that disagree with the directory) makes it step
aside: :func:`raw_entries` marks such entries as not copyable, and :class:`NeedsZipfile` tells
the caller to write the whole package with :mod:`zipfile` instead.
"""
from __future__ import annotations

import queue
import struct
import sys
import threading
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

LOCAL_SIGNATURE = b"PK\x03\x04"
CENTRAL_SIGNATURE = b"PK\x01\x02"
END_SIGNATURE = b"PK\x05\x06"
DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
_LOCAL = struct.Struct("<4s5H3L2H")  # signature, version, flags, method, time, date, crc, sizes, name and extra lengths
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_CENTRAL_OFFSET_AT = 42  # where a central-directory record keeps its local header's offset
_LIMIT = 0xFFFFFFFF  # 32-bit sizes and offsets; beyond, Zip64 (left to zipfile)
_MAX_ENTRIES = 0xFFFF
_FLAG_ENCRYPTED, _FLAG_DESCRIPTOR, _FLAG_UTF8 = 0x1, 0x8, 0x800
_ZIP64_EXTRA = 0x0001
# zlib level 4 for the parts we rewrite: Excel's own sheet parts are about as big as zlib's
# level 3 makes them (the largest sheet of 7 Excel-saved golden workbooks: level 3 gives
# 0.96–1.02 of Excel's size, level 4 0.87–0.96, level 6 0.83–0.90), and level 4 takes half level
# 6's time (the 33 MB sheet of W(50,000): 0.14 s instead of 0.26 s, 4.6 MB instead of 4.1 MB).
# So what we write is about as compact as Excel's own, and the write-back no longer waits for zlib.
DEFLATE_LEVEL = 4


class NeedsZipfile(Exception):
    """The package needs something this writer does not do (Zip64, another compression)."""


@dataclass(frozen=True)
class RawEntry:
    """Where one entry's records are in the source archive's bytes."""

    start: int  # its local header
    end: int  # just past its compressed data (and data descriptor)
    central: bytes  # its central-directory record, as stored
    content: bytes | None = None  # the part as read: copied only while the package still holds this very object


@dataclass(frozen=True)
class Deflated:
    """A part's content with its raw deflate stream and CRC-32, computed ahead of writing."""

    data: bytes
    deflated: bytes
    crc: int


def raw_entries(source: bytes, archive: zipfile.ZipFile) -> list[RawEntry | None]:
    """For each entry of ``archive`` (opened on ``source``), in order, where its records are —
    or None where it cannot be copied as stored (then it is written again from its content)."""
    infos = archive.infolist()
    position = getattr(archive, "start_dir", None)
    entries: list[RawEntry | None] = []
    try:
        for info in infos:
            central = _central_record(source, position)
            if central is None:  # a directory we cannot follow: copy nothing
                return [None] * len(infos)
            position += len(central)
            entries.append(_raw_entry(source, info, central, archive.start_dir))
    except (struct.error, ValueError, IndexError):  # a damaged archive zipfile still read
        return [None] * len(infos)
    return entries


def _central_record(source: bytes, position: int | None) -> bytes | None:
    if position is None or position + _CENTRAL.size > len(source) or source[position:position + 4] != CENTRAL_SIGNATURE:
        return None
    fields = _CENTRAL.unpack_from(source, position)
    end = position + _CENTRAL.size + fields[10] + fields[11] + fields[12]
    return source[position:end] if end <= len(source) else None


def _raw_entry(source: bytes, info: zipfile.ZipInfo, central: bytes, directory_start: int) -> RawEntry | None:
    fields = _CENTRAL.unpack_from(central)
    flags, compressed_size, size, offset = fields[3], fields[8], fields[9], fields[16]
    if flags & _FLAG_ENCRYPTED or _LIMIT in (compressed_size, size, offset):
        return None  # encrypted, or Zip64: written again from the content
    start = info.header_offset
    if start + _LOCAL.size > directory_start or source[start:start + 4] != LOCAL_SIGNATURE:
        return None
    local = _LOCAL.unpack_from(source, start)
    if local[2] & _FLAG_ENCRYPTED or local[3] != info.compress_type:
        return None
    end = start + _LOCAL.size + local[9] + local[10] + info.compress_size
    if flags & _FLAG_DESCRIPTOR:
        end += 16 if source[end:end + 4] == DESCRIPTOR_SIGNATURE else 12
    if end > directory_start:
        return None
    return RawEntry(start, end, central)


def _strip_zip64(extra: bytes) -> bytes:
    """``extra`` without its Zip64 field (this writer writes 32-bit sizes), as zipfile does."""
    out, i = [], 0
    while i + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, i)
        if kind != _ZIP64_EXTRA:
            out.append(extra[i:i + 4 + length])
        i += 4 + length
    return b"".join(out) + extra[i:]


def _dos_time(date_time: tuple) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


class ZipWriter:
    """A zip written entry by entry to ``out``: :meth:`copy` an entry as stored, :meth:`add` one."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.offset = 0
        self.central: list[bytes] = []

    def _write(self, data) -> None:
        self.out.write(data)
        self.offset += len(data)
        if self.offset > _LIMIT:
            raise NeedsZipfile("over 4 GiB: Zip64")

    def copy(self, source: bytes, entry: RawEntry) -> None:
        """The entry's local record and central-directory record exactly as in ``source``."""
        record = entry.central
        self.central.append(record[:_CENTRAL_OFFSET_AT] + struct.pack("<L", self.offset) + record[_CENTRAL_OFFSET_AT + 4:])
        self._write(memoryview(source)[entry.start:entry.end])

    def add(self, info: zipfile.ZipInfo, content: bytes | Deflated, compress_type: int) -> None:
        """A new record for ``info``'s name, timestamp and attributes, holding ``content``
        (stored or deflated as ``compress_type`` says), with the fields zipfile would write."""
        if compress_type == zipfile.ZIP_DEFLATED:
            if isinstance(content, Deflated):
                data, payload, crc = content.data, content.deflated, content.crc
            else:
                data, crc = content, zlib.crc32(content)
                compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
                payload = compressor.compress(data) + compressor.flush()
        elif compress_type == zipfile.ZIP_STORED:
            data = content.data if isinstance(content, Deflated) else content
            payload, crc = data, zlib.crc32(data)
        else:
            raise NeedsZipfile(f"compression method {compress_type}")
        if len(data) > _LIMIT or len(payload) > _LIMIT:
            raise NeedsZipfile("a part over 4 GiB: Zip64")
        try:
            name, flags = info.filename.encode("ascii"), 0
        except UnicodeEncodeError:
            name, flags = info.filename.encode("utf-8"), _FLAG_UTF8
        extra = _strip_zip64(info.extra)
        time, date = _dos_time(info.date_time)
        version = 20  # zipfile's default: deflate (and stored) need 2.0
        local = _LOCAL.pack(LOCAL_SIGNATURE, version, flags, compress_type, time, date, crc, len(payload),
                            len(data), len(name), len(extra))
        comment = info.comment or b""
        self.central.append(_CENTRAL.pack(
            CENTRAL_SIGNATURE, (info.create_system << 8) | version, version, flags, compress_type, time, date, crc,
            len(payload), len(data), len(name), len(extra), len(comment), 0, info.internal_attr,
            info.external_attr, self.offset) + name + extra + comment)
        self._write(local + name + extra)
        self._write(payload)

    def close(self, comment: bytes = b"") -> None:
        """The central directory and its end record."""
        if len(self.central) > _MAX_ENTRIES:
            raise NeedsZipfile("more than 65,535 entries: Zip64")
        start = self.offset
        for record in self.central:
            self._write(record)
        self._write(_END.pack(END_SIGNATURE, 0, 0, len(self.central), len(self.central), self.offset - start, start,
                              len(comment)) + comment)


_HANDOVERS = threading.Lock()
_handovers_wanted = [0, 0.0]  # how many callers are inside frequent_handovers; the interval before the first


@contextmanager
def frequent_handovers(interval: float = 0.0002):
    """The interpreter lock handed between threads every ``interval`` seconds instead of 5 ms
    meanwhile: zlib lets go of the lock while it compresses but must take it back for each
    output block, and a busy rewriting thread kept it waiting (measured at 50,000 rows: the
    write-back 0.67 → 0.59 s with 0.2 ms). The interval is the process's: with several
    threads saving at once, the one that leaves last puts back the interval found by the first."""
    with _HANDOVERS:
        if _handovers_wanted[0] == 0:
            _handovers_wanted[1] = sys.getswitchinterval()
            sys.setswitchinterval(interval)
        _handovers_wanted[0] += 1
    try:
        yield
    finally:
        with _HANDOVERS:
            _handovers_wanted[0] -= 1
            if _handovers_wanted[0] == 0:
                sys.setswitchinterval(_handovers_wanted[1])


class BackgroundDeflate:
    """Deflate a part on another thread while its pieces are still being made.

    ``feed`` each piece in order, then ``finish`` with the whole content for the
    :class:`Deflated` part. zlib lets go of the interpreter lock while it compresses, so on a
    second core the compression costs the caller nothing but the hand-over."""

    def __init__(self) -> None:
        self._size = 0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._result: list = []
        self._thread = threading.Thread(target=self._run, name="xlroi-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        out, crc = [], 0
        try:
            while (piece := self._queue.get()) is not None:
                out.append(compressor.compress(piece))
                crc = zlib.crc32(piece, crc)
            out.append(compressor.flush())
            self._result.append((b"".join(out), crc))
        except BaseException as exc:  # noqa: BLE001 - handed to finish()
            self._result.append(exc)

    def feed(self, piece: bytes) -> None:
        if piece:
            self._size += len(piece)
            self._queue.put(piece)

    def finish(self, data: bytes) -> Deflated:
        """The part: ``data`` is everything fed, joined (the caller has it already)."""
        self._queue.put(None)
        self._thread.join()
        outcome = self._result[0]
        if isinstance(outcome, BaseException):
            raise outcome
        if len(data) != self._size:
            raise ValueError(f"the part has {len(data):,} bytes but {self._size:,} were compressed")
        deflated, crc = outcome
        return Deflated(data, deflated, crc)

    def cancel(self) -> None:
        """Stop and forget what was fed (the caller makes the part another way)."""
        self._queue.put(None)
        self._thread.join()


__all__ = ["ZipWriter", "RawEntry", "Deflated", "BackgroundDeflate", "frequent_handovers", "NeedsZipfile", "raw_entries"]
