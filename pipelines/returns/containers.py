"""Take a submitted return out of what it came in — a folder, a .zip, an .xlsx package — without trusting it.

Anything a site sends may be hostile, so nothing here believes a name, a header or a size it has not counted itself,
and nothing is ever written to disk: a folder's ordinary files are read into memory, an archive is unpacked in memory
only. Each check refuses the whole submission at the first thing it finds, by raising ``SubmissionError`` with the
problem (the guards of ``schemas.rules.GUARDS``), before anything of it is read further:

- a folder: a symbolic link or any other special file among its entries (never followed, opened or kept); a file over
  the size limit; a file that is an archive or binary;
- a .zip or an .xlsx: a member named ``../…`` or from the root, a member that is a link (its Unix mode in
  ``external_attr``), too many members, a compression other than deflate, more unpacked bytes than the limit or a
  compression ratio above it (both counted while the member streams), an archive inside;
- an .xlsx besides: XML with a DTD or entities (``defusedxml`` reads every XML part before openpyxl sees any), macros
  (``vbaProject.bin``, Excel 4.0 macro sheets, ActiveX, any OLE compound file: judged by the package's content, not
  by the file's name) and links to other workbooks or data sources.

The limits are ``pipelines.settings.IntakeLimits``.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from pipelines.settings import IntakeLimits
from schemas.problems import Problem

_CHUNK = 64 * 1024
_SNIFF = 4096  # how much of a file's start tells what it really is


class SubmissionError(Exception):
    """The submission cannot be read at all; ``problem`` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def refused(where: str, rule_id: str, value: str | None = None, row: int | None = None, column: str | None = None) -> SubmissionError:
    return SubmissionError(Problem(where, row, column, rule_id, value))


def shown(name: str) -> str:
    """A name chosen by the sender as a report may print it: no control characters, and not endless."""
    printable = "".join(c if c.isprintable() else "?" for c in name)
    return printable if len(printable) <= 120 else printable[:117] + "..."


# What a file is, by its first bytes, whatever it is called.
_ARCHIVE_SIGNATURES = (
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08",  # zip, and so xlsx, docx and odf
    b"\x1f\x8b",  # gzip
    b"\xfd7zXZ\x00",  # xz
    b"7z\xbc\xaf\x27\x1c",  # 7-Zip
    b"Rar!\x1a\x07",  # rar
    b"\x28\xb5\x2f\xfd",  # zstd
    b"MSCF",  # cab
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: .xls, .doc, .msi, vbaProject.bin, embedded objects
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
_TAR_MAGIC_AT = 257
_HTML = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta|script|iframe|style|title|div|p)[\s>/]",
    re.IGNORECASE | re.DOTALL)
_UTF8_BOM = b"\xef\xbb\xbf"


def is_archive(head: bytes) -> bool:
    return (head.startswith((*_ARCHIVE_SIGNATURES, _OLE)) or _BZIP2.match(head) is not None
            or head[_TAR_MAGIC_AT:_TAR_MAGIC_AT + 5] == b"ustar")


def is_html(head: bytes) -> bool:
    return _HTML.match(head[:_SNIFF].removeprefix(_UTF8_BOM)) is not None


def looks_like_utf16(content: bytes) -> bool:
    """Text saved as UTF-16 ("Unicode text" in Excel): a byte-order mark, or every other byte NUL."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = content[:_SNIFF]
    even, odd = head[0::2], head[1::2]
    return len(head) >= 8 and any(a.count(0) >= 0.9 * len(a) and b.count(0) <= 0.1 * len(b) for a, b in ((even, odd), (odd, even)))


def refuse_unreadable_content(where: str, content: bytes) -> None:
    """What no file of a CSV return may be: an archive (archives in archives are not unpacked) or binary content (which
    could not be checked for identity numbers either)."""
    if is_archive(content[:_SNIFF]):
        raise refused(where, "nested_archive")
    if b"\x00" in content and not looks_like_utf16(content):
        raise refused(where, "nul_bytes", f"byte {content.index(0)}")


def is_hidden(name: str) -> bool:
    """A file the system that zipped a folder put there (.DS_Store, __MACOSX/._x): no table, not reported."""
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


# --- a folder ----------------------------------------------------------------------------------------------------------

def read_file(path: Path, shown_as: str, limits: IntakeLimits, *, follow_link: bool = False) -> bytes:
    """An ordinary file's bytes: opened without following a link (unless the operator named the link itself), never
    waiting on a pipe or a device, and read no further than the size limit."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow_link else getattr(os, "O_NOFOLLOW", 0))
    try:
        descriptor = os.open(path, flags)
    except OSError as error:  # ELOOP: a link put in place of the file after it was looked at
        raise refused(shown(shown_as), "link_or_special_file" if error.errno == errno.ELOOP else "file_unreadable",
                      None if error.errno == errno.ELOOP else error.strerror) from error
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise refused(shown(shown_as), "link_or_special_file")
        if status.st_size > limits.max_upload_bytes:
            raise refused(shown(shown_as), "file_too_large", f"{status.st_size} bytes")
        content = handle.read(limits.max_upload_bytes + 1)
    if len(content) > limits.max_upload_bytes:  # it grew while it was read
        raise refused(shown(shown_as), "file_too_large", f"> {limits.max_upload_bytes} bytes")
    return content


def read_folder(folder: Path, limits: IntakeLimits) -> list[tuple[str, bytes]]:
    """A submitted folder's ordinary files by name; hidden files (.DS_Store) are left out and subfolders not entered.
    A link or another special file refuses the whole folder: it is never followed, opened or kept."""
    try:
        entries = sorted(folder.iterdir())
        if len(entries) > limits.max_members:
            raise refused(shown(folder.name), "too_many_files", str(len(entries)))
        modes = [entry.lstat().st_mode for entry in entries]
    except OSError as error:  # not ours to read, or gone while it was listed
        raise refused(shown(folder.name), "file_unreadable", error.strerror) from error
    files = []
    total = 0
    for entry, mode in zip(entries, modes):
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a link, a pipe, a socket or a device
            raise refused(shown(entry.name), "link_or_special_file")
        if stat.S_ISDIR(mode) or entry.name.startswith("."):
            continue
        content = read_file(entry, entry.name, limits)
        total += len(content)
        if total > limits.max_upload_bytes:
            raise refused(shown(folder.name), "file_too_large", f"> {limits.max_upload_bytes} bytes")
        refuse_unreadable_content(shown(entry.name), content)
        files.append((entry.name, content))
    return files


# --- a .zip or an .xlsx package ----------------------------------------------------------------------------------------

class _Sink(Protocol):
    def feed(self, chunk: bytes, first: bool) -> None: ...

    def close(self) -> None: ...


def _unsafe_path(name: str) -> bool:
    return (name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) is not None
            or ".." in name.replace("\\", "/").split("/"))


def _unpack(content: bytes, shown_as: str, limits: IntakeLimits, sink_for: Callable[[str, str], _Sink]) -> None:
    """Stream every member of an archive held in memory into the sink made for it, counting what it unpacks to."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise refused(shown_as, "too_many_files", str(len(members)))
            unpacked = 0
            for info in members:
                where = f"{shown_as}:{shown(info.filename)}"
                if _unsafe_path(info.filename):
                    raise refused(where, "unsafe_path")
                if stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG, stat.S_IFDIR):
                    raise refused(where, "link_or_special_file")
                if info.is_dir():
                    continue
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # only deflate unpacks in bounded steps
                    raise refused(where, "file_unreadable", f"compression {info.compress_type}")
                sink = sink_for(info.filename, where)
                packed = max(min(info.compress_size, len(content)), 1)  # the header's word, but never more than was sent
                size = 0
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        first = size == 0
                        size += len(chunk)
                        unpacked += len(chunk)
                        if unpacked > limits.max_expanded_bytes:
                            raise refused(where, "expanded_too_large", f"> {limits.max_expanded_bytes} bytes")
                        if ((size > limits.compression_ratio_from_bytes and size > limits.max_compression_ratio * packed)
                                or (unpacked > limits.compression_ratio_from_bytes and unpacked > limits.max_compression_ratio * len(content))):
                            raise refused(where, "compression_ratio", f"> {limits.max_compression_ratio}:1")
                        sink.feed(chunk, first)
                sink.close()
    except SubmissionError:
        raise
    except Exception as error:  # a damaged archive fails in many ways (BadZipFile, zlib, EOF, seek errors, encryption)
        raise refused(shown_as, "file_unreadable", str(error)[:200]) from error


@dataclass(frozen=True)
class Member:
    name: str  # as in the archive, folders included
    content: bytes


class _Collect:
    def __init__(self, where: str):
        self.where = where
        self.chunks: list[bytes] = []

    def feed(self, chunk: bytes, first: bool) -> None:
        if first and is_archive(chunk[:_SNIFF]):
            raise refused(self.where, "nested_archive")
        self.chunks.append(chunk)

    def close(self) -> None:
        pass


def zip_members(content: bytes, shown_as: str, limits: IntakeLimits) -> list[Member]:
    """Every file of a zipped CSV return, unpacked in memory. Each table must be there once: two members of the same
    name in different folders are refused, not one of them silently dropped."""
    sinks: dict[str, _Collect] = {}

    def collect(name: str, where: str) -> _Collect:
        sinks[name] = _Collect(where)
        return sinks[name]

    _unpack(content, shown_as, limits, collect)
    seen: set[str] = set()
    for name, sink in sinks.items():
        base = PurePosixPath(name).name.strip().lower()
        if not is_hidden(name) and base in seen:
            raise refused(sink.where, "file_twice")
        seen.add(base)
    return [Member(name, b"".join(sink.chunks)) for name, sink in sinks.items()]


class _Discard:
    """An XML parser's target that keeps nothing: the part is only checked, openpyxl reads it afterwards."""

    def close(self) -> None:
        return None


_MACRO_PARTS = re.compile(r"(^|/)vbaproject\.bin$|^xl/(macrosheets|dialogsheets|activex)/")
_LINK_PARTS = re.compile(r"^xl/(externallinks/|connections\.xml$)")
_MACRO_CONTENT_TYPES = re.compile(rb"vbaProject|macroEnabled|ms-excel\.(intl)?macrosheet|ms-office\.activeX", re.IGNORECASE)
_LINK_CONTENT_TYPES = re.compile(rb"externalLink\+xml|connections\+xml", re.IGNORECASE)
_CONTENT_TYPES = "[Content_Types].xml"


class _WorkbookPart:
    def __init__(self, name: str, where: str):
        self.where = where
        self.xml: DefusedXMLParser | None = None
        self.kept: list[bytes] | None = [] if name == _CONTENT_TYPES else None
        lowered = name.lower()
        if _MACRO_PARTS.search(lowered):
            raise refused(where, "workbook_macro")
        if _LINK_PARTS.search(lowered):
            raise refused(where, "workbook_external_link")

    def feed(self, chunk: bytes, first: bool) -> None:
        if first:
            if chunk.startswith(_OLE):  # VBA, or an embedded object, whatever the part is called
                raise refused(self.where, "workbook_macro")
            if is_archive(chunk[:_SNIFF]):
                raise refused(self.where, "nested_archive")
            text_start = chunk.removeprefix(_UTF8_BOM).lstrip()
            if text_start.startswith(b"<") or chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
                self.xml = DefusedXMLParser(target=_Discard(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
        if self.xml is not None:
            self._parse(lambda parser: parser.feed(chunk))
        if self.kept is not None:
            self.kept.append(chunk)

    def close(self) -> None:
        if self.xml is not None:
            self._parse(lambda parser: parser.close())
        if self.kept is not None:
            declared = b"".join(self.kept)
            if _MACRO_CONTENT_TYPES.search(declared):
                raise refused(self.where, "workbook_macro")
            if _LINK_CONTENT_TYPES.search(declared):
                raise refused(self.where, "workbook_external_link")

    def _parse(self, step: Callable[[DefusedXMLParser], object]) -> None:
        assert self.xml is not None
        try:
            step(self.xml)
        except DefusedXmlException as error:
            raise refused(self.where, "workbook_unsafe_xml", type(error).__name__) from error
        except Exception as error:  # ParseError: damaged XML, which openpyxl could not read either
            raise refused(self.where, "file_unreadable", str(error)[:200]) from error


def check_workbook_package(content: bytes, shown_as: str, limits: IntakeLimits) -> None:
    """Every part of an .xlsx package checked, unpacked in memory and thrown away, before openpyxl opens any."""
    _unpack(content, shown_as, limits, _WorkbookPart)
