"""Reading a workbook package (an .xlsx/.xlsm zip) safely, and writing it back atomically.

A package is kept as its raw parts; writing copies every part it was not asked to change byte
for byte (same content, same compression method, same order and timestamps), so charts, images,
VBA and everything else we do not understand survive untouched.
"""
from __future__ import annotations

import io
import os
import posixpath
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from ..errors import NotAWorkbook, OutputError, UnsafeWorkbook, WorkbookNotFound, XlroiError
from .zipcopy import Deflated, NeedsZipfile, ZipWriter, raw_entries

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# ISO/IEC 29500 Strict (Excel's "Strict Open XML Spreadsheet"): the same markup under other
# namespaces; package relationships (NS_PKG_REL) and content types are shared. See strict.py.
NS_MAIN_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"


@dataclass(frozen=True)
class Limits:
    """What a package may claim before we refuse it (zip bombs, absurd part counts)."""

    max_parts: int = 10_000
    max_part_bytes: int = 512 * 1024 * 1024
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: float = 1000.0  # uncompressed / compressed, for parts above 1 MiB

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Limits":
        """The defaults, changed by ``XLROI_MAX_PARTS``, ``XLROI_MAX_PART_BYTES``,
        ``XLROI_MAX_TOTAL_BYTES`` and ``XLROI_MAX_RATIO`` when they are set."""
        environ = os.environ if environ is None else environ
        values = {}
        for name, kind in (("max_parts", int), ("max_part_bytes", int), ("max_total_bytes", int), ("max_ratio", float)):
            text = environ.get(f"XLROI_{name.upper()}")
            if text is None or not text.strip():
                continue
            try:
                value = kind(text.strip().replace("_", ""))
            except ValueError:
                value = -1
            if not value > 0:
                raise XlroiError(f"XLROI_{name.upper()}={text!r}: give a positive {'whole ' if kind is int else ''}number")
            values[name] = value
        return cls(**values)


DEFAULT_LIMITS = Limits()
_ENV_NAMES = ("XLROI_MAX_PARTS", "XLROI_MAX_PART_BYTES", "XLROI_MAX_TOTAL_BYTES", "XLROI_MAX_RATIO")

# OOXML never needs a DTD: refusing any DOCTYPE stops entity expansion and external entities
# (XXE) before any parser, ours or an engine's, sees the part.
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(data: bytes, part: str) -> etree._Element:
    if _DOCTYPE.search(data):
        raise UnsafeWorkbook(f"{part} declares a DTD (XML entities are refused for safety)")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotAWorkbook(f"{part} is not well-formed XML: {exc.msg}") from None


@dataclass
class Sheet:
    name: str
    part: str  # e.g. "xl/worksheets/sheet1.xml"
    index: int
    state: str = "visible"


@dataclass
class DefinedName:
    name: str
    formula: str
    sheet_index: int | None  # localSheetId, None for workbook scope


@dataclass
class Package:
    path: Path
    infos: list[zipfile.ZipInfo]
    parts: dict[str, bytes]
    sheets: list[Sheet] = field(default_factory=list)
    defined_names: list[DefinedName] = field(default_factory=list)
    workbook_part: str = "xl/workbook.xml"
    # The file as read and where each entry's records are in it: unchanged entries are written
    # back by copying those bytes (xlsx/zipcopy.py). None for a package not read from a file.
    source: bytes | None = field(default=None, repr=False)
    raw: list | None = field(default=None, repr=False)
    comment: bytes = b""

    @property
    def has_vba(self) -> bool:
        return any(name.lower().endswith("vbaproject.bin") for name in self.parts)

    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name.lower() == name.lower():
                return sheet
        from ..errors import BadReference

        known = ", ".join(repr(s.name) for s in self.sheets)
        raise BadReference(f"no sheet named {name!r} in {self.path.name} (sheets: {known})")

    def to_bytes(self, replaced: dict | None = None, compress: bool = True) -> bytes:
        """The package as a zip: parts not in ``replaced`` copied as they were stored, the
        others written with their entry's compression. ``compress=False`` stores the replaced
        parts instead (for an engine's throw-away copy, where deflating would only cost time).
        A replaced part may be a :class:`~.zipcopy.Deflated` (compressed ahead of time)."""
        return _zip(self.infos, self.parts, replaced or {}, compress, self.source, self.raw, self.comment).getvalue()


_XML_PART = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
# In an OLE (Compound File) container, stream names are UTF-16: an encrypted OOXML package
# keeps its zip in "EncryptedPackage"; an old binary workbook is "Workbook" (or "Book").
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_BIFF = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le") + b"\x00\x00")


def sniff(head: bytes) -> str:
    """What kind of file starts with ``head``: 'zip', 'ole' (encrypted .xlsx or .xls), or 'other'."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return "other"


def read_package(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> Package:
    """Read and check a package. With the default ``limits``, the ``XLROI_MAX_*`` environment
    variables apply (see :meth:`Limits.from_env`)."""
    path = Path(path)
    if limits is DEFAULT_LIMITS and any(name in os.environ for name in _ENV_NAMES):
        limits = Limits.from_env()
    if not path.exists():
        raise WorkbookNotFound(f"{path}: no such file")
    if path.is_dir():
        raise NotAWorkbook(f"{path}: is a directory, not a workbook")
    try:
        size = path.stat().st_size
        if size > limits.max_total_bytes:
            raise UnsafeWorkbook(f"{path}: is {size:,} bytes, over the limit of {limits.max_total_bytes:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbookNotFound(f"{path}: cannot be read ({exc.strerror})") from None
    kind = sniff(data[:8])
    if kind == "ole":
        if _ENCRYPTED in data:
            raise NotAWorkbook(
                f"{path}: is a password-protected (encrypted) workbook; xlroi cannot open it — "
                "remove the password in Excel (File > Info > Protect Workbook) and save as .xlsx")
        if any(name in data for name in _BIFF):
            raise NotAWorkbook(f"{path}: is an old binary Excel workbook (.xls); xlroi reads .xlsx and .xlsm — save it as .xlsx")
        raise NotAWorkbook(
            f"{path}: is an OLE container — a password-protected workbook or an old binary .xls; "
            "xlroi reads .xlsx and .xlsm (save it unencrypted as .xlsx)"
        )
    if kind != "zip":
        hint = " (it looks like text, e.g. a CSV)" if _looks_like_text(data[:2048]) else ""
        raise NotAWorkbook(f"{path}: is not an .xlsx/.xlsm workbook{hint}; xlroi reads .xlsx and .xlsm")
    # Count central-directory entries before zipfile builds an object for each of them: a
    # 100,000-part archive is refused in milliseconds, not after parsing its directory.
    entries = data.count(b"PK\x01\x02")
    if entries > limits.max_parts:
        raise UnsafeWorkbook(f"{path}: has {entries:,} parts, more than the limit of {limits.max_parts:,}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:  # e.g. "zip file version 9.6"
        raise NotAWorkbook(f"{path}: is a damaged zip archive ({exc})") from None
    _check_limits(path, infos, limits)
    parts: dict[str, bytes] = {}
    for info in infos:
        try:
            parts[info.filename] = _read_limited(archive, info, limits)
        except (zipfile.BadZipFile, zlib.error) as exc:
            raise NotAWorkbook(f"{path}: part {info.filename} is damaged ({exc})") from None
        except (EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise NotAWorkbook(f"{path}: part {info.filename} cannot be read ({exc})") from None
        except UnsafeWorkbook as exc:
            raise UnsafeWorkbook(f"{path}: {exc}") from None
        if _XML_PART.search(info.filename) and _DOCTYPE.search(parts[info.filename]):
            # No OOXML part needs a DTD; refusing it here keeps entity expansion and external
            # entities (XXE) away from every parser: ours, IronCalc's and openpyxl's.
            raise UnsafeWorkbook(f"{path}: part {info.filename} declares a DTD (XML entities are refused for safety)")
    if "mimetype" in parts and b"opendocument" in parts["mimetype"]:
        raise NotAWorkbook(f"{path}: is an OpenDocument spreadsheet (.ods); xlroi reads .xlsx and .xlsm")
    raw = [entry and replace(entry, content=parts[info.filename]) for info, entry in zip(infos, raw_entries(data, archive))]
    package = Package(path=path, infos=infos, parts=parts, source=data, raw=raw, comment=archive.comment)
    _read_workbook_part(package)
    return package


def _looks_like_text(head: bytes) -> bool:
    return bool(head) and all(b in b"\t\r\n" or 32 <= b < 127 or b >= 128 for b in head)


def _check_limits(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_parts:
        raise UnsafeWorkbook(f"{path}: has {len(infos):,} parts, more than the limit of {limits.max_parts:,}")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_part_bytes:
            raise UnsafeWorkbook(
                f"{path}: part {info.filename} expands to {info.file_size:,} bytes, "
                f"over the limit of {limits.max_part_bytes:,}"
            )
        if info.file_size > 1 << 20 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeWorkbook(
                f"{path}: part {info.filename} expands {info.file_size / max(info.compress_size, 1):,.0f}× "
                f"(a zip bomb?); the limit is {limits.max_ratio:,.0f}×"
            )
    if total > limits.max_total_bytes:
        raise UnsafeWorkbook(f"{path}: expands to {total:,} bytes, over the limit of {limits.max_total_bytes:,}")


def _read_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    # The sizes in the zip directory can lie: count what actually comes out.
    chunks, size = [], 0
    with archive.open(info) as stream:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > limits.max_part_bytes or size > info.file_size + 1:
                raise UnsafeWorkbook(f"part {info.filename} expands beyond its declared or allowed size")
            chunks.append(chunk)
    return b"".join(chunks)


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def relationships(package: Package, part: str) -> dict[str, tuple[str, str, str]]:
    """Id → (type, target part or URL, target mode) of ``part``'s relationships."""
    rels_name = _rels_part(part)
    if rels_name not in package.parts:
        return {}
    root = parse_xml(package.parts[rels_name], f"{package.path}: part {rels_name}")
    folder = posixpath.dirname(part)
    result = {}
    for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship"):
        target, mode = rel.get("Target", ""), rel.get("TargetMode", "Internal")
        if mode != "External":
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        result[rel.get("Id", "")] = (rel.get("Type", ""), target, mode)
    return result


def _read_workbook_part(package: Package) -> None:
    root_rels = relationships(package, "")
    office = [t for (typ, t, _) in root_rels.values() if typ.endswith("/officeDocument")]
    package.workbook_part = office[0] if office else "xl/workbook.xml"
    if package.workbook_part not in package.parts:
        if any(name.lower().endswith("workbook.bin") for name in package.parts):
            raise NotAWorkbook(f"{package.path}: is a binary workbook (.xlsb); xlroi reads .xlsx and .xlsm — save it as .xlsx")
        raise NotAWorkbook(f"{package.path}: is a zip archive but has no workbook part ({package.workbook_part}); "
                           "xlroi reads .xlsx and .xlsm")
    root = parse_xml(package.parts[package.workbook_part], f"{package.path}: part {package.workbook_part}")
    rels = relationships(package, package.workbook_part)
    main = NS_MAIN_STRICT if etree.QName(root).namespace == NS_MAIN_STRICT else NS_MAIN
    for index, node in enumerate(root.iter(f"{{{main}}}sheet")):
        rel = rels.get(node.get(f"{{{NS_REL}}}id") or node.get(f"{{{NS_REL_STRICT}}}id", ""))
        part = rel[1] if rel else ""
        package.sheets.append(Sheet(node.get("name", f"Sheet{index + 1}"), part, index, node.get("state", "visible")))
    for node in root.iter(f"{{{main}}}definedName"):
        local = node.get("localSheetId")
        package.defined_names.append(
            DefinedName(node.get("name", ""), node.text or "", int(local) if local and local.isdigit() else None)
        )


def write_parts(target, infos: list[zipfile.ZipInfo], parts: dict[str, bytes], replaced: dict, compress: bool = True,
                *, source: bytes | None = None, raw: list | None = None, comment: bytes = b"") -> None:
    """Write a zip with every part in its original order, compression and timestamp; parts of
    ``replaced`` the package did not have are added at the end.

    With the ``source`` archive's bytes and its :func:`~.zipcopy.raw_entries` as ``raw``, an
    entry not in ``replaced`` is copied exactly as it was stored (no inflating, no deflating).
    ``compress=False`` stores what is written anew. Anything the zip writer does not do
    (Zip64, bzip2/LZMA parts) is written with :mod:`zipfile` instead."""
    target.write(_zip(infos, parts, replaced, compress, source, raw, comment).getbuffer())


def _zip(infos, parts, replaced, compress, source, raw, comment) -> io.BytesIO:
    buffer = io.BytesIO()
    try:
        _write_copying(buffer, infos, parts, replaced, compress, source, raw, comment)
    except NeedsZipfile:
        buffer = io.BytesIO()
        _write_with_zipfile(buffer, infos, parts, replaced, compress, comment)
    return buffer


def _write_copying(out, infos, parts, replaced, compress, source, raw, comment) -> None:
    writer = ZipWriter(out)
    raw = raw if source is not None and raw is not None and len(raw) == len(infos) else [None] * len(infos)
    for info, entry in zip(infos, raw):
        data = replaced.get(info.filename)
        if data is None:
            data = parts[info.filename]
            if entry is not None and entry.content is data:  # not replaced, not changed in place
                writer.copy(source, entry)
                continue
        writer.add(info, data, info.compress_type if compress else zipfile.ZIP_STORED)
    known = {info.filename for info in infos}
    for name, data in replaced.items():
        if name not in known:
            added = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            writer.add(added, data, zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    writer.close(comment)


def _write_with_zipfile(out, infos, parts, replaced, compress, comment) -> None:
    """The same package through :mod:`zipfile` (every part written again from its content)."""
    def content(data) -> bytes:
        return data.data if isinstance(data, Deflated) else data

    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for info in infos:
            data = content(replaced.get(info.filename, parts[info.filename]))
            clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            clone.compress_type = info.compress_type if compress else zipfile.ZIP_STORED
            clone.external_attr = info.external_attr
            clone.create_system = info.create_system
            clone.comment = info.comment
            clone.extra = info.extra
            archive.writestr(clone, data)
        known = {info.filename for info in infos}
        for name, data in replaced.items():
            if name not in known:
                added = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                added.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
                archive.writestr(added, content(data))
        archive.comment = comment


def write_atomically(dest: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``dest`` via a temporary file in the same folder and a rename.

    A crash or a full disk leaves any existing ``dest`` as it was and no partial file behind.
    """
    dest = Path(dest)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{dest}: the folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write in {folder} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if dest.exists():
            os.chmod(tmp, dest.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, dest)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"{dest}: cannot be written ({exc.strerror})") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
