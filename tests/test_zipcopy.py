"""The zip writer that copies unchanged entries as they were stored (xlroi/xlsx/zipcopy.py)."""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest

from xlroi.xlsx.package import read_package
from xlroi.xlsx.zipcopy import BackgroundDeflate, Deflated, ZipWriter, raw_entries

from conftest import corpus_files

DATE = (2024, 5, 17, 13, 45, 58)


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in: it writes data descriptors after each entry."""

    def __init__(self):
        self.buffer = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        return len(data)


def _zip(entries: list[tuple[str, bytes, int]], comment: bytes = b"", stream: bool = False, force_zip64: bool = False) -> bytes:
    out = _Unseekable() if stream else io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = method
            info.comment = f"about {name}".encode()
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=force_zip64) as handle:
                handle.write(data)
        archive.comment = comment
    return bytes(out.buffer) if stream else out.getvalue()


SHEET = b"<worksheet>" + b"<row><c><v>1</v></c></row>" * 500 + b"</worksheet>"
ENTRIES = [
    ("[Content_Types].xml", b"<Types/>", zipfile.ZIP_DEFLATED),
    ("xl/workbook.xml", b"<workbook><sheets/></workbook>", zipfile.ZIP_DEFLATED),
    ("xl/worksheets/sheet1.xml", SHEET, zipfile.ZIP_DEFLATED),
    ("xl/media/image1.png", bytes(range(256)) * 40, zipfile.ZIP_STORED),
    ("xl/données/é.xml", "<x>é</x>".encode(), zipfile.ZIP_DEFLATED),  # a UTF-8 name
]


def _package(tmp_path: Path, data: bytes):
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    return read_package(path)


@pytest.mark.parametrize("how", ["seekable", "data descriptors", "zip64 headers"])
def test_an_unchanged_package_is_copied_byte_for_byte(tmp_path, how):
    data = _zip(ENTRIES, comment=b"archive comment", stream=how == "data descriptors", force_zip64=how == "zip64 headers")
    package = _package(tmp_path, data)
    assert all(entry is not None for entry in package.raw)
    assert package.to_bytes() == data


@pytest.mark.parametrize("path", corpus_files()[:8], ids=lambda p: p.stem)
def test_excel_saved_workbooks_are_copied_byte_for_byte(path):
    package = read_package(path)
    assert package.to_bytes() == path.read_bytes()


def _records(data: bytes) -> dict[str, bytes]:
    """Each entry's local record (header, compressed data, descriptor) as stored."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: data[entry.start:entry.end] for info, entry in zip(archive.infolist(), raw_entries(data, archive))}


@pytest.mark.parametrize("compress", [True, False])
def test_a_changed_part_is_rewritten_and_every_other_entry_kept_as_stored(tmp_path, compress):
    data = _zip(ENTRIES, comment=b"kept")
    package = _package(tmp_path, data)
    new_sheet = SHEET.replace(b"<v>1</v>", b"<v>2</v>")
    out = package.to_bytes({"xl/worksheets/sheet1.xml": new_sheet, "docProps/new.xml": b"<new/>"}, compress=compress)
    before, after = _records(data), _records(out)
    for name in before:
        if name != "xl/worksheets/sheet1.xml":
            assert after[name] == before[name], name
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [n for n, _, _ in ENTRIES] + ["docProps/new.xml"]
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        assert archive.read(sheet) == new_sheet
        assert sheet.compress_type == (zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
        assert (sheet.date_time, sheet.comment, sheet.external_attr) == (DATE, b"about xl/worksheets/sheet1.xml", 0o644 << 16)
        assert archive.comment == b"kept"


def test_a_part_changed_in_place_is_written_from_its_new_content(tmp_path):
    package = _package(tmp_path, _zip(ENTRIES))
    package.parts["xl/workbook.xml"] = b"<workbook><sheets><sheet/></sheets></workbook>"
    with zipfile.ZipFile(io.BytesIO(package.to_bytes())) as archive:
        assert archive.read("xl/workbook.xml") == b"<workbook><sheets><sheet/></sheets></workbook>"


def test_a_precompressed_part_is_written_as_given(tmp_path):
    package = _package(tmp_path, _zip(ENTRIES))
    deflate = BackgroundDeflate()
    pieces = (b"<worksheet>", b"<row/>" * 1000, b"</worksheet>")
    for piece in pieces:
        deflate.feed(piece)
    part = deflate.finish(b"".join(pieces))
    out = package.to_bytes({"xl/worksheets/sheet1.xml": part})
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        assert archive.testzip() is None
        assert archive.read("xl/worksheets/sheet1.xml") == b"<worksheet>" + b"<row/>" * 1000 + b"</worksheet>"
    stored = package.to_bytes({"xl/worksheets/sheet1.xml": part}, compress=False)
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_STORED
        assert archive.read("xl/worksheets/sheet1.xml") == part.data


def test_other_compression_methods_are_written_with_zipfile(tmp_path):
    entries = ENTRIES + [("xl/other.xml", b"<other/>" * 100, zipfile.ZIP_BZIP2)]
    package = _package(tmp_path, _zip(entries))
    out = package.to_bytes({"xl/other.xml": b"<changed/>"})
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        assert archive.testzip() is None
        assert archive.getinfo("xl/other.xml").compress_type == zipfile.ZIP_BZIP2
        assert archive.read("xl/other.xml") == b"<changed/>"
        assert [i.filename for i in archive.infolist()] == [n for n, _, _ in entries]


def test_background_deflate_gives_a_raw_deflate_stream_and_its_crc():
    pieces = [bytes([i % 251]) * (i * 37 % 5000) for i in range(200)]
    deflate = BackgroundDeflate()
    for piece in pieces:
        deflate.feed(piece)
    content = b"".join(pieces)
    part = deflate.finish(content)
    assert isinstance(part, Deflated) and part.data == content
    assert zlib.decompress(part.deflated, -15) == content and part.crc == zlib.crc32(content)


def test_background_deflate_checks_it_was_given_what_it_compressed():
    deflate = BackgroundDeflate()
    deflate.feed(b"abc")
    with pytest.raises(ValueError):
        deflate.finish(b"abcd")


def test_background_deflate_can_be_abandoned():
    deflate = BackgroundDeflate()
    deflate.feed(b"x" * 100_000)
    deflate.cancel()  # returns, and leaves no thread behind
    assert not deflate._thread.is_alive()


def test_a_prefixed_archive_is_copied_without_its_prefix():
    data = b"#!/bin/sh\nexit 0\n" + _zip(ENTRIES)  # e.g. a self-extracting stub before the zip
    archive = zipfile.ZipFile(io.BytesIO(data))
    entries = raw_entries(data, archive)
    assert all(entry is not None for entry in entries)
    out = io.BytesIO()
    writer = ZipWriter(out)
    for entry in entries:
        writer.copy(data, entry)
    writer.close()
    with zipfile.ZipFile(out) as copy:
        assert copy.testzip() is None
        assert copy.read("xl/worksheets/sheet1.xml") == SHEET
