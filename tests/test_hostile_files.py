"""Hostile files: each attack built here, submitted as a site or the CLI would, and refused whole.

Every case checks what the sender gets (the rule, in Swedish and English), that nothing was written outside the data
home (no file appears anywhere under ``tmp_path`` but in it) and, where something outside was reachable, that none of
it reached the data home. A .zip or a workbook refused for what it is was not read whole, so it could not be checked
for identity numbers and nothing of it is kept (``unreadable``); a folder's text file refused for its content was
read and scanned like any unreadable table, so it is archived as ``rejected``. The limits are
``pipelines.settings.IntakeLimits``; ``INTAKE_LIMITS`` are the defaults ``submit`` uses.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import stat
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.returns.submit import SubmitOutcome, submit
from pipelines.returns.template import template_bytes
from pipelines.returns.verdict import Verdict
from pipelines.settings import INTAKE_LIMITS, load_settings
from schemas.rules import GUARDS
from seeds.demo_returns import Dialect
from tests.returns import minimal_return, write

SECRET = b"root:x:0:0:hemlig-rad-utanfor-datahemmet"  # what lies outside the data home, within an attacker's reach
LIMITS = INTAKE_LIMITS

# The words each message must hold, in Swedish and in English: what was found.
NAMED = {
    "link_or_special_file": ("symbolisk länk", "symbolic link"),
    "unsafe_path": ("../", "../"),
    "file_twice": ("Samma filnamn", "same file name"),
    "too_many_files": ("fler filer", "more files"),
    "expanded_too_large": ("Uppackat", "Unpacked"),
    "compression_ratio": ("zip-bomb", "zip bomb"),
    "nested_archive": ("packad fil", "packed file"),
    "workbook_unsafe_xml": ("DTD", "DTD"),
    "workbook_macro": ("makron", "macros"),
    "workbook_external_link": ("länkar till andra arbetsböcker", "links to other workbooks"),
    "too_many_rows": ("fler rader", "more rows"),
    "too_many_columns": ("fler kolumner", "more columns"),
    "cell_too_long": ("mer text", "more text"),
    "nul_bytes": ("NUL-tecken", "NUL bytes"),
    "html_file": ("webbsida (HTML)", "web page (HTML)"),
    "encoding_mixed": ("blandar teckenkodningar", "mixes character encodings"),
    "file_too_large": ("större än", "larger than"),
    "file_unreadable": ("kan inte läsas", "cannot be read"),
}


@dataclass
class Refusal:
    outcome: SubmitOutcome
    seconds: float
    home: Path

    def problem(self, rule_id: str):
        return next(p for p in self.outcome.problems if p.rule_id == rule_id)


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*")) if folder.exists() else set()


def refuse(path: Path, tmp_path: Path, rule_id: str, *, kept: bool = False) -> Refusal:
    """Submit ``path`` into the data home ``tmp_path / "home"`` and check what every refusal must be."""
    home = tmp_path / "home"
    before = files_under(tmp_path)
    started = time.perf_counter()
    outcome = submit(path, load_settings(home))
    seconds = time.perf_counter() - started
    assert not outcome.ok
    assert outcome.verdict == (Verdict.REJECTED if kept else Verdict.UNREADABLE), outcome.problems
    problem = next((p for p in outcome.problems if p.rule_id == rule_id), None)
    assert problem is not None, outcome.problems
    assert problem.severity == "error"
    sv, en = NAMED[rule_id]
    assert sv in problem.message_sv and en in problem.message_en, problem
    written = files_under(tmp_path) - before
    assert all(p == home or home in p.parents for p in written), sorted(written)  # nothing outside the data home
    for p in files_under(home):
        if p.is_file():
            assert SECRET not in p.read_bytes(), p  # nothing from outside reached it
    archive = home / "archive"
    entries = [p for p in archive.iterdir() if not p.name.startswith(".")] if archive.exists() else []
    assert len(entries) == (1 if kept else 0)
    return Refusal(outcome, seconds, home)


@pytest.fixture
def secret(tmp_path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_bytes(SECRET + b"\n")
    return outside / "passwd"


def folder_return(tmp_path: Path) -> Path:
    return write(minimal_return(), tmp_path / "return")


def zip_bytes(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            archive.writestr(info, content)
    return buffer.getvalue()


def zip_return(tmp_path: Path, *members: tuple[zipfile.ZipInfo | str, bytes], without: str | None = None) -> Path:
    """The valid return zipped, with ``members`` added (and the table file ``without`` left out)."""
    tables = [(f.name, f.read_bytes()) for f in sorted(write(minimal_return(), tmp_path / "zipped").iterdir()) if f.name != without]
    path = tmp_path / "rapport.zip"
    path.write_bytes(zip_bytes([*tables, *members]))
    return path


def test_the_returns_the_attacks_start_from_are_accepted(tmp_path):
    """So that each refusal below is the attack's doing."""
    settings = load_settings(tmp_path / "home")
    assert submit(folder_return(tmp_path), settings).verdict == Verdict.ACCEPTED
    assert submit(zip_return(tmp_path), load_settings(tmp_path / "home2")).verdict == Verdict.ACCEPTED
    assert submit(workbook(tmp_path, lambda parts: None), load_settings(tmp_path / "home3")).verdict == Verdict.ACCEPTED


def test_every_guard_has_a_case():
    refused_for = set(re.findall(r'refuse\([^\n]*"(\w+)"', Path(__file__).read_text(encoding="utf-8")))
    assert set(GUARDS) <= refused_for and set(GUARDS) <= set(NAMED)


# --- links ------------------------------------------------------------------------------------------------------------

def test_a_link_to_a_file_outside_in_a_folder_is_never_followed_nor_archived(tmp_path, secret):
    folder = folder_return(tmp_path)
    (folder / "anteckningar.txt").symlink_to(secret)
    refused = refuse(folder, tmp_path, "link_or_special_file")
    assert refused.problem("link_or_special_file").table == "anteckningar.txt"


@pytest.mark.skipif(not Path("/etc/passwd").is_file(), reason="no /etc/passwd here")
def test_a_link_to_etc_passwd_in_a_folder_is_refused_and_passwd_is_nowhere_in_the_data_home(tmp_path):
    folder = folder_return(tmp_path)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    refused = refuse(folder, tmp_path, "link_or_special_file")
    first_line = Path("/etc/passwd").read_bytes().splitlines()[0]
    assert not [p for p in files_under(refused.home) if p.is_file() and first_line in p.read_bytes()]


def test_a_link_in_place_of_a_table_and_a_link_to_a_folder_are_refused(tmp_path, secret):
    folder = folder_return(tmp_path)
    (folder / "deltagare.csv").unlink()
    (folder / "deltagare.csv").symlink_to(folder.parent / "zz" / "deltagare.csv")  # dangling at first
    (folder / "zz-mapp").symlink_to(secret.parent, target_is_directory=True)
    refuse(folder, tmp_path, "link_or_special_file")


def test_a_pipe_in_a_folder_is_refused_without_waiting_on_it(tmp_path):
    folder = folder_return(tmp_path)
    os.mkfifo(folder / "anteckningar.txt")
    assert refuse(folder, tmp_path, "link_or_special_file").seconds < 2


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: the mode is in the high bits of external_attr
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


@pytest.mark.parametrize("name", ["deltagare.csv", "bilaga.txt"])
def test_a_symlink_entry_in_a_zip_is_refused(tmp_path, secret, name):
    path = zip_return(tmp_path, symlink_entry(name, str(secret)), without=name)
    refused = refuse(path, tmp_path, "link_or_special_file")
    assert refused.problem("link_or_special_file").table == f"rapport.zip:{name}"


# --- zip slip ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ["../../evil", "../evil/../../evil", "..\\..\\evil", "ABSOLUTE", "C:/evil", "ok/../../evil"])
def test_zip_slip_entries_are_refused_and_nothing_lands_outside(tmp_path, entry):
    name = str(tmp_path / "evil") if entry == "ABSOLUTE" else entry
    path = zip_return(tmp_path, (name, b"site_id\nIPS0009\n"))
    refused = refuse(path, tmp_path, "unsafe_path")
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()
    assert not list(refused.home.rglob("evil"))


def test_two_tables_of_the_same_name_in_a_zip_are_refused_not_one_dropped(tmp_path):
    path = zip_return(tmp_path, ("gammal/deltagare.csv", b"site_id\nIPS0009\n"))
    refuse(path, tmp_path, "file_twice")


def test_a_zip_of_very_many_files_is_refused(tmp_path):
    path = zip_return(tmp_path, *[(f"bilaga-{i}.txt", b"") for i in range(LIMITS.max_members)])
    refuse(path, tmp_path, "too_many_files")


# --- bombs and archives in archives -----------------------------------------------------------------------------------

def test_a_zip_bomb_is_stopped_by_its_ratio_while_it_unpacks(tmp_path):
    path = tmp_path / "rapport.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("deltagare.csv", "w", force_zip64=True) as member:
        for _ in range(200):  # 200 MiB of nothing, about 200 kB packed
            member.write(b"\0" * (1024 * 1024))
    assert path.stat().st_size < LIMITS.max_upload_bytes
    refused = refuse(path, tmp_path, "compression_ratio")
    assert refused.seconds < 2, refused.seconds


def test_a_zip_unpacking_past_the_expanded_limit_is_stopped_even_at_an_ordinary_ratio(tmp_path):
    # 1 kB of random hex and 40 kB of zeros, over and over: packs about 60:1, below the ratio limit
    piece = 41 * 1024
    body = b"".join(os.urandom(512).hex().encode() + b"0" * (40 * 1024) for _ in range((LIMITS.max_expanded_bytes + 10 * 1024 * 1024) // piece))
    path = zip_return(tmp_path, ("bilaga.txt", body))
    assert len(body) / path.stat().st_size < LIMITS.max_compression_ratio
    refused = refuse(path, tmp_path, "expanded_too_large")
    assert refused.seconds < 3


def test_a_nested_zip_bomb_is_not_unpacked(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(10):
            archive.writestr(f"lager-{i}.csv", b"\0" * (20 * 1024 * 1024))
    path = zip_return(tmp_path, ("bilaga.zip", inner.getvalue()))
    refused = refuse(path, tmp_path, "nested_archive")
    assert refused.seconds < 2
    assert refused.problem("nested_archive").table == "rapport.zip:bilaga.zip"


@pytest.mark.parametrize("packed", ["gzip", "xlsx-in-zip", "renamed"])
def test_any_archive_inside_a_zip_is_refused_whatever_it_is_called(tmp_path, packed):
    content = {"gzip": gzip.compress(b"site_id\n"), "xlsx-in-zip": template_bytes("xlsx").content,
               "renamed": zip_bytes([("a.csv", b"a")])}[packed]
    name = {"gzip": "bilaga.csv.gz", "xlsx-in-zip": "mall.xlsx", "renamed": "anteckningar.txt"}[packed]
    refuse(zip_return(tmp_path, (name, content)), tmp_path, "nested_archive")


def test_an_archive_inside_a_submitted_folder_is_refused(tmp_path):
    folder = folder_return(tmp_path)
    (folder / "bilaga.zip").write_bytes(zip_bytes([("deltagare.csv", b"\0" * 1_000_000)]))
    refuse(folder, tmp_path, "nested_archive")


def test_a_member_packed_other_than_with_deflate_is_not_unpacked(tmp_path):
    path = tmp_path / "rapport.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("deltagare.csv", b"\0" * (50 * 1024 * 1024))  # bzip2 unpacks in one unbounded step
    refused = refuse(path, tmp_path, "file_unreadable")
    assert refused.seconds < 2


# --- workbooks --------------------------------------------------------------------------------------------------------

def workbook(tmp_path: Path, change: Callable[[dict[str, bytes]], None], *, template: bool = False, name: str = "rapport.xlsx") -> Path:
    """A copy of a real workbook (the return template, or a filled return), its parts changed by ``change``."""
    original = template_bytes("xlsx").content if template else write(minimal_return(), tmp_path / "filled", Dialect(container="xlsx")).read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    change(parts)
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return path


def with_doctype(xml: bytes, doctype: str, entity: str) -> bytes:
    declaration, _, rest = xml.partition(b"?>")
    rest = re.sub(rb"(<t[^>]*>)[^<]*", lambda m: m.group(1) + entity.encode(), rest, count=1)  # the first string uses it
    return declaration + b"?>" + doctype.encode() + rest


# Ten to the ninth "lol"s from a few hundred bytes.
BILLION_LAUGHS = '<!DOCTYPE sst [<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)) + "]>"


def test_an_xml_bomb_in_a_template_workbook_is_refused_before_openpyxl_parses_it(tmp_path, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a workbook that failed its checks")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    path = workbook(tmp_path, lambda parts: parts.update(
        {"xl/sharedStrings.xml": with_doctype(parts["xl/sharedStrings.xml"], BILLION_LAUGHS, "&lol9;")}), template=True)
    refused = refuse(path, tmp_path, "workbook_unsafe_xml")
    assert refused.seconds < 2
    assert refused.problem("workbook_unsafe_xml").table == "rapport.xlsx:xl/sharedStrings.xml"


def test_an_external_entity_in_a_workbook_reads_nothing(tmp_path, secret):
    xxe = f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    path = workbook(tmp_path, lambda parts: parts.update(
        {"xl/sharedStrings.xml": with_doctype(parts["xl/sharedStrings.xml"], xxe, "&xxe;")}))
    refuse(path, tmp_path, "workbook_unsafe_xml")


def test_an_entity_in_a_utf16_part_is_found_too(tmp_path):
    def change(parts):
        xml = with_doctype(parts["xl/workbook.xml"], '<!DOCTYPE w [<!ENTITY e "e">]>', "")
        parts["xl/workbook.xml"] = xml.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    refuse(workbook(tmp_path, change), tmp_path, "workbook_unsafe_xml")


OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # an OLE compound file, as vbaProject.bin is


def add_vba(parts: dict[str, bytes]) -> None:
    """What Excel writes for a macro-enabled workbook (.xlsm), kept under the name .xlsx."""
    parts["xl/vbaProject.bin"] = OLE_HEADER
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    ).replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')


MACRO_SHEET = b'<?xml version="1.0"?><xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'


@pytest.mark.parametrize("how", ["vbaProject.bin", "vba renamed to an image", "Excel 4.0 macro sheet", "macro sheet among the worksheets"])
def test_a_macro_workbook_named_xlsx_is_refused(tmp_path, how):
    def change(parts):
        if how == "vbaProject.bin":
            add_vba(parts)
        elif how == "vba renamed to an image":  # no part name and no content type gives it away: its bytes do
            parts["xl/media/image1.png"] = OLE_HEADER
        elif how == "Excel 4.0 macro sheet":
            parts["xl/macrosheets/sheet1.xml"] = MACRO_SHEET
        else:  # no part name gives it away (it is XML, so no OLE bytes): its declared content type does
            parts["xl/worksheets/sheet9.xml"] = MACRO_SHEET
            parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
                b"</Types>", b'<Override PartName="/xl/worksheets/sheet9.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>')
    refuse(workbook(tmp_path, change), tmp_path, "workbook_macro")


def test_a_workbook_with_an_external_link_is_refused(tmp_path):
    def change(parts):
        parts["xl/externalLinks/externalLink1.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><externalBook r:id="rId1" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></externalLink>')
        parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/externalLinkPath" Target="file:///\\\\server\\share\\evil.xlsx" TargetMode="External"/></Relationships>')
    refuse(workbook(tmp_path, change), tmp_path, "workbook_external_link")


def test_a_sheet_declaring_a_million_rows_is_refused_without_loading_it(tmp_path):
    path = workbook(tmp_path, lambda parts: parts.update(
        {"xl/worksheets/sheet2.xml": parts["xl/worksheets/sheet2.xml"].replace(b'<dimension ref="A1:R2"/>', b'<dimension ref="A1:R1000000"/>')}))
    refused = refuse(path, tmp_path, "too_many_rows")
    assert refused.problem("too_many_rows").table == "deltagare" and refused.problem("too_many_rows").value == "1000000"
    assert refused.seconds < 2


def test_a_sheet_holding_a_row_far_down_without_declaring_it_is_stopped_at_the_limit(tmp_path):
    def change(parts):
        sheet = re.sub(rb"<dimension[^>]*/>", b"", parts["xl/worksheets/sheet2.xml"])
        parts["xl/worksheets/sheet2.xml"] = sheet.replace(b"</sheetData>", b'<row r="1000000"><c r="A1000000"><v>1</v></c></row></sheetData>')
    refused = refuse(workbook(tmp_path, change), tmp_path, "too_many_rows")
    assert refused.seconds < 3


def test_a_sheet_declaring_every_column_is_refused_before_a_row_is_read(tmp_path):
    path = workbook(tmp_path, lambda parts: parts.update(
        {"xl/worksheets/sheet2.xml": parts["xl/worksheets/sheet2.xml"].replace(b'<dimension ref="A1:R2"/>', b'<dimension ref="A1:XFD2"/>')}))
    problem = refuse(path, tmp_path, "too_many_columns").problem("too_many_columns")
    assert (problem.table, problem.row, problem.value) == ("deltagare", 1, "16384")


def test_a_workbook_cell_over_the_length_limit_is_refused(tmp_path):
    site_name = minimal_return()["verksamhet"][0]["site_name"].encode()
    path = workbook(tmp_path, lambda parts: parts.update({"xl/sharedStrings.xml": parts["xl/sharedStrings.xml"].replace(site_name, b"x" * 100_000)}))
    refused = refuse(path, tmp_path, "cell_too_long")
    problem = refused.problem("cell_too_long")
    assert (problem.table, problem.row, problem.column, problem.value) == ("verksamhet", 2, "site_name", "100000")


def test_a_web_page_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "rapport.xlsx"
    path.write_bytes(b"<html xmlns:o='urn:schemas-microsoft-com:office:office'><body><table><tr><td>site_id</td></tr></table></body></html>")
    refuse(path, tmp_path, "html_file")


# --- text files -------------------------------------------------------------------------------------------------------

def test_a_header_of_twenty_thousand_columns_is_refused_within_a_second(tmp_path):
    folder = folder_return(tmp_path)
    path = folder / "deltagare.csv"
    header, _, rest = path.read_bytes().partition(b"\r\n")
    path.write_bytes(header + b"".join(b",extra_%d" % i for i in range(20_000)) + b"\r\n" + rest)
    refused = refuse(folder, tmp_path, "too_many_columns", kept=True)
    assert refused.seconds < 1, refused.seconds
    problem = refused.problem("too_many_columns")
    assert (problem.table, problem.row, problem.value) == ("deltagare", 1, "20018")


def test_a_row_of_twenty_thousand_fields_is_refused(tmp_path):
    folder = folder_return(tmp_path)
    path = folder / "deltagare.csv"
    path.write_bytes(path.read_bytes() + b"," * 20_000 + b"\r\n")
    refused = refuse(folder, tmp_path, "too_many_columns", kept=True)
    assert refused.problem("too_many_columns").row == 3 and refused.seconds < 1


def test_a_csv_of_more_rows_than_a_return_can_have_is_refused(tmp_path):
    folder = folder_return(tmp_path)
    path = folder / "diagnoser.csv"
    path.write_bytes(path.read_bytes() + b"IPS0009,2025,L1,okand,\r\n" * LIMITS.max_rows)
    refused = refuse(folder, tmp_path, "too_many_rows", kept=True)
    assert refused.problem("too_many_rows").row == LIMITS.max_rows + 2


@pytest.mark.parametrize("length", [100_000, 200_000])  # under and over the csv module's own field limit
def test_a_csv_cell_over_the_length_limit_is_refused(tmp_path, length):
    tables = minimal_return()
    tables["verksamhet"][0]["site_name"] = "x" * length
    refused = refuse(write(tables, tmp_path / "return"), tmp_path, "cell_too_long", kept=True)
    assert refused.problem("cell_too_long").table == "verksamhet" and refused.problem("cell_too_long").row == 2


def test_a_file_over_the_size_limit_is_refused_and_so_is_a_folder_over_it_together(tmp_path):
    folder = folder_return(tmp_path)
    half = LIMITS.max_upload_bytes // 2 + 1
    (folder / "bilaga-1.txt").write_bytes(b"x" * half)
    (folder / "bilaga-2.txt").write_bytes(b"x" * half)
    refuse(folder, tmp_path, "file_too_large")
    path = tmp_path / "stor.zip"
    with path.open("wb") as handle:
        handle.truncate(LIMITS.max_upload_bytes + 1)
    refuse(path, tmp_path, "file_too_large")


@pytest.mark.parametrize("where", ["deltagare.csv", "bilaga.bin"])
def test_nul_bytes_refuse_the_return_in_a_table_and_in_an_extra_file(tmp_path, where):
    folder = folder_return(tmp_path)
    if where == "deltagare.csv":
        path = folder / where
        path.write_bytes(path.read_bytes().replace(b"gymnasium", b"gymn\0sium"))
    else:
        (folder / where).write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(100))
    refused = refuse(folder, tmp_path, "nul_bytes")
    assert refused.problem("nul_bytes").table == where


@pytest.mark.parametrize("where", ["deltagare.csv", "sida.html"])
def test_a_web_page_refuses_the_return_as_a_table_and_as_an_extra_file(tmp_path, where):
    folder = folder_return(tmp_path)
    (folder / where).write_bytes(b"\xef\xbb\xbf<!DOCTYPE html>\n<html><head><title>Export</title></head><body><table>"
                                 b"<tr><td>site_id</td></tr></table><script>alert(1)</script></body></html>")
    refused = refuse(folder, tmp_path, "html_file", kept=True)
    assert refused.problem("html_file").table == where.removesuffix(".csv")


def test_a_web_page_in_a_zip_is_refused(tmp_path):
    refuse(zip_return(tmp_path, ("instruktioner.htm", b"<html><body>hej</body></html>")), tmp_path, "html_file")


def test_a_file_mixing_utf8_and_windows_1252_rows_is_an_error_not_garbled(tmp_path):
    tables = minimal_return()
    tables["deltagare"].append(dict(tables["deltagare"][0], participant_id="L2"))
    tables["diagnoser"].append(dict(tables["diagnoser"][0], participant_id="L2"))
    folder = write(tables, tmp_path / "return")
    path = folder / "deltagare.csv"
    header, first, second, *rest = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([header + b",kommentar", first + ",Åsa".encode(), second + ",Östen".encode("cp1252"), *rest]))
    refused = refuse(folder, tmp_path, "encoding_mixed", kept=True)
    problem = refused.problem("encoding_mixed")
    assert (problem.table, problem.row, problem.value) == ("deltagare", 3, "UTF-8: rad/row 2")


def test_a_hostile_extra_file_is_not_ignored_with_a_warning(tmp_path):
    folder = folder_return(tmp_path)
    (folder / "anteckningar.txt").write_text("Skickat av Eva", encoding="utf-8")  # a harmless one: a warning
    assert submit(folder, load_settings(tmp_path / "first" / "home")).verdict == Verdict.ACCEPTED
    (folder / "bilaga.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(32))  # a hostile one refuses the return
    (tmp_path / "again").mkdir()
    refuse(folder, tmp_path / "again", "nested_archive")


def test_a_refusal_prints_its_message_and_no_traceback(tmp_path, secret, capsys):
    from pipelines.cli import main

    folder = folder_return(tmp_path)
    (folder / "anteckningar.txt").symlink_to(secret)
    assert main(["submit", str(folder), "--home", str(tmp_path / "home")]) == 1
    printed = capsys.readouterr()
    assert "link_or_special_file" in printed.out and "symbolisk länk" in printed.out and "symbolic link" in printed.out
    assert "Traceback" not in printed.out + printed.err and SECRET.decode() not in printed.out + printed.err
