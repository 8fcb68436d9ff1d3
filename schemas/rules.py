"""Every rule of return format v1, with the message a site reads, in Swedish and English.

A problem found anywhere in intake names one of these rules by its id; the
report looks the words up here, so each message is written once. Beside the
rules of the format stand the guards against hostile files (``GUARDS``): what
no submitted file may be, whatever it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from seeds.reference_data import codes_of


class Severity(StrEnum):
    ERROR = "error"  # the return is rejected
    WARNING = "warning"  # reported; the return is not rejected for it


@dataclass(frozen=True)
class Rule:
    id: str
    sv: str
    en: str
    severity: Severity = Severity.ERROR


_RULES = [
    # files and structure
    Rule("file_missing", "Filen eller bladet saknas i inlämningen. Lägg till den med exakt detta namn.",
         "The file or sheet is missing from the return. Add it with exactly this name."),
    Rule("file_unreadable", "Filen kan inte läsas. Spara den som CSV (UTF-8 eller Windows-1252) eller XLSX och skicka igen.",
         "The file cannot be read. Save it as CSV (UTF-8 or Windows-1252) or XLSX and send it again."),
    Rule("single_csv", "En rapport är alla tabeller tillsammans: skicka mappen med CSV-filerna, en zip av den, eller en XLSX-fil – inte en enskild CSV-fil.",
         "A return is all its tables together: send the folder of CSV files, a zip of it, or an XLSX workbook, not a single CSV file."),
    Rule("file_empty", "Filen är tom. Den ska ha en rubrikrad med kolumnnamnen.",
         "The file is empty. It must have a header row with the column names."),
    Rule("file_too_large", "Filen är större än vad en årsrapport kan vara. Kontrollera att rätt fil skickats.",
         "The file is larger than an annual return can be. Check that the right file was sent."),
    Rule("encoding", "Filen är varken UTF-8 eller Windows-1252. Spara om den som CSV UTF-8 i Excel.",
         "The file is neither UTF-8 nor Windows-1252. Save it again as CSV UTF-8 in Excel."),
    Rule("delimiter", "Kolumnavgränsaren kunde inte avgöras. Använd komma eller semikolon.",
         "The column delimiter could not be determined. Use comma or semicolon."),
    Rule("ragged_row", "Raden har ett annat antal fält än rubrikraden.",
         "The row has a different number of fields than the header row."),
    Rule("column_missing", "En obligatorisk kolumn saknas. Lägg till den i rubrikraden.",
         "A required column is missing. Add it to the header row."),
    Rule("column_duplicate", "Kolumnen förekommer mer än en gång i rubrikraden.",
         "The column appears more than once in the header row."),
    Rule("column_unknown", "Okänd kolumn; den ignoreras.", "Unknown column; it is ignored.", Severity.WARNING),
    Rule("unknown_file", "Okänd fil i inlämningen; den ignoreras.", "Unknown file in the return; it is ignored.", Severity.WARNING),
    Rule("row_count_site", "Tabellen verksamhet ska ha exakt en rad.", "The table verksamhet must have exactly one row."),
    Rule("identity_number", "Cellen ser ut som ett personnummer eller samordningsnummer. Hela rapporten har avvisats och inget av den har sparats. Använd verksamhetens löpnummer.",
         "The cell looks like a personal identity or coordination number. The whole return was refused and nothing of it was kept. Use the site's serial number."),
    Rule("identity_number_in_name", "Ett filnamn ser ut att innehålla ett personnummer eller samordningsnummer. Hela rapporten har avvisats och inget av den har sparats. Byt namn på filen.",
         "A file name looks like it holds a personal identity or coordination number. The whole return was refused and nothing of it was kept. Rename the file."),
    # values
    Rule("required", "Värdet saknas men är obligatoriskt.", "The value is missing but required."),
    Rule("type_integer", "Värdet är inte ett heltal.", "The value is not a whole number."),
    Rule("type_decimal", "Värdet är inte ett tal (använd decimalpunkt eller decimalkomma, inga tusentalsavgränsare).",
         "The value is not a number (use a decimal point or comma, no thousands separators)."),
    Rule("type_date", "Datumet ska skrivas ÅÅÅÅ-MM-DD och vara ett giltigt datum.", "The date must be written YYYY-MM-DD and be a valid date."),
    Rule("site_id_format", "verksamhets-id ska vara IPS följt av fyra siffror, t.ex. IPS0042.", "site_id must be IPS followed by four digits, e.g. IPS0042."),
    Rule("site_not_yours", "Rapporten gäller en annan verksamhet än den du är inloggad för. Inget av den har sparats. Kontrollera "
         "site_id i tabellen verksamhet, eller be den verksamheten skicka sin egen rapport.",
         "The return is for another site than the one you are signed in for. Nothing of it was kept. Check site_id in the "
         "table verksamhet, or ask that site to send its own return."),
    Rule("reporting_year_range", "Rapportåret ska vara mellan 2000 och 2100.", "The reporting year must be between 2000 and 2100."),
    Rule("participant_id_format", "Löpnumret ska vara 1–20 tecken av A–Z, a–z, 0–9, _ och -.",
         "The serial number must be 1–20 characters of A–Z, a–z, 0–9, _ and -."),
    Rule("participant_id_unique", "Löpnumret förekommer på mer än en rad.", "The serial number appears on more than one row."),
    Rule("municipality_unknown", "Kommunkoden finns inte. Ange SCB:s fyrsiffriga kod, t.ex. 0180.",
         "The municipality code does not exist. Give SCB's four-digit code, e.g. 0180."),
    Rule("non_negative", "Värdet får inte vara negativt.", "The value must not be negative."),
    Rule("birth_year_range", "Födelseåret ska vara mellan 1930 och rapportåret minus 15.",
         "The birth year must be between 1930 and the reporting year minus 15."),
    Rule("codes_ingen_alone", "Koden ingen kan inte kombineras med andra inkomstkällor.", "The code ingen cannot be combined with other income sources."),
    Rule("codes_duplicate", "Samma kod står flera gånger i cellen.", "The same code appears more than once in the cell."),
    Rule("exit_reason_required", "Avslutsorsak ska anges när avslutsdatum finns.", "exit_reason is required when exit_date is set."),
    Rule("exit_reason_without_exit", "Avslutsorsak är angiven men avslutsdatum saknas.", "exit_reason is set but exit_date is missing."),
    Rule("intake_after_year", "Startdatum ligger efter rapportårets slut.", "intake_date is after the end of the reporting year."),
    Rule("contact_before_intake", "Första arbetsgivarkontakt ligger före startdatum.", "first_employer_contact_date is before intake_date."),
    Rule("exit_before_intake", "Avslutsdatum ligger före startdatum.", "exit_date is before intake_date."),
    Rule("exit_before_year", "Avslutsdatum ligger före rapportåret; personen var inte inskriven under året och ska inte vara med.",
         "exit_date is before the reporting year; the person was not enrolled in the year and must not be included."),
    Rule("same_site_year", "site_id och reporting_year ska vara desamma på alla rader i alla tabeller.",
         "site_id and reporting_year must be the same on every row of every table."),
    Rule("participant_unknown", "Löpnumret finns inte i deltagare.", "The serial number does not exist in deltagare."),
    Rule("participant_without_diagnosis", "Deltagaren har ingen rad i diagnoser. Ange minst en (okand om den inte är känd).",
         "The participant has no row in diagnoser. Give at least one (okand when unknown)."),
    Rule("icd10_format", "ICD-10-koden ska skrivas som F20 eller F20.0.", "The ICD-10 code must be written like F20 or F20.0."),
    Rule("icd10_group", "ICD-10-koden hör inte till diagnosgruppen.", "The ICD-10 code does not belong to the diagnosis group."),
    Rule("activity_after_year", "Startdatum ligger efter rapportårets slut.", "start_date is after the end of the reporting year."),
    Rule("activity_before_intake", "Aktiviteten börjar före deltagarens startdatum.", "The activity starts before the participant's intake_date."),
    Rule("activity_end_before_start", "Slutdatum ligger före startdatum.", "end_date is before start_date."),
    Rule("activity_end_before_year", "Aktiviteten slutade före rapportåret och ska inte vara med.",
         "The activity ended before the reporting year and must not be included."),
    Rule("hours_range", "Timmar per vecka ska vara större än 0 och högst 60.", "hours_per_week must be more than 0 and at most 60."),
    Rule("employer_sector_required", "Arbetsgivarsektor ska anges för betalt arbete.", "employer_sector is required for the two paid work types."),
    Rule("review_outside_year", "Granskningsdatum ska ligga inom rapportåret.", "review_date must be within the reporting year."),
    Rule("fidelity_item_range", "Varje item ska vara ett heltal 1–5.", "Each item must be a whole number from 1 to 5."),
    Rule("fidelity_total_sum", "Totalpoängen är inte summan av de 25 itemen.", "total_score is not the sum of the 25 items."),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}

# Hostile files (pipelines/returns/containers.py and reader.py): a return that trips one is refused whole, as soon as it
# is seen, and a .zip or a workbook that trips one is kept nowhere. The value of the problem says what was found; the
# limits are pipelines.settings.IntakeLimits. One case each in tests/test_hostile_files.py.
_GUARDS = [
    Rule("link_or_special_file", "Inlämningen innehåller en symbolisk länk (eller en annan specialfil) i stället för en vanlig fil. Länken har inte följts och inget av rapporten har sparats. Lägg den riktiga filen i mappen eller zip-filen och skicka igen.",
         "The return holds a symbolic link (or another special file) instead of an ordinary file. The link was not followed and nothing of the return was kept. Put the real file in the folder or zip and send it again."),
    Rule("unsafe_path", "En fil i zip-filen har ett otillåtet namn: en sökväg uppåt (../) eller från roten (/, C:). Inget av rapporten har packats upp eller sparats. Packa om bara CSV-filerna med ett vanligt zip-program och skicka igen.",
         "A file in the zip has a forbidden name: a path upwards (../) or from the root (/, C:). Nothing of the return was unpacked or kept. Zip only the CSV files again with an ordinary zip program and send it again."),
    Rule("file_twice", "Samma filnamn förekommer mer än en gång i zip-filen (i olika mappar). Inget av rapporten har sparats. Ta bort dubbletten så att varje tabell finns en gång och skicka igen.",
         "The same file name appears more than once in the zip (in different folders). Nothing of the return was kept. Remove the duplicate so that each table is there once and send it again."),
    Rule("too_many_files", "Inlämningen innehåller fler filer än en årsrapport kan ha. Inget av den har sparats. Skicka bara tabellerna.",
         "The return holds more files than an annual return can have. Nothing of it was kept. Send only the tables."),
    Rule("expanded_too_large", "Uppackat blir innehållet större än en årsrapport kan vara, så uppackningen avbröts och inget har sparats. Kontrollera att rätt filer packats och skicka igen.",
         "Unpacked, the content is larger than an annual return can be, so unpacking was stopped and nothing was kept. Check that the right files were packed and send it again."),
    Rule("compression_ratio", "Filen är packad onormalt hårt (som en så kallad zip-bomb), så uppackningen avbröts och inget har sparats. Packa om CSV-filerna med ett vanligt zip-program, eller spara arbetsboken på nytt i Excel, och skicka igen.",
         "The file is packed abnormally tightly (like a so-called zip bomb), so unpacking was stopped and nothing was kept. Zip the CSV files again with an ordinary zip program, or save the workbook again in Excel, and send it again."),
    Rule("nested_archive", "Inlämningen innehåller en packad fil (zip, xlsx, gzip, 7z eller liknande) inuti sig. Den har inte packats upp och inget har sparats. Skicka CSV-filerna själva, en zip med dem eller en XLSX-fil – inte arkiv i arkiv.",
         "The return holds a packed file (zip, xlsx, gzip, 7z or the like) inside it. It was not unpacked and nothing was kept. Send the CSV files themselves, one zip of them or one XLSX workbook, not archives inside archives."),
    Rule("workbook_unsafe_xml", "Arbetsboken innehåller XML med en DTD eller egna entiteter, något Excel aldrig skriver. Den har inte öppnats och inget har sparats. Spara om den i Excel som Excel-arbetsbok (.xlsx) och skicka igen.",
         "The workbook holds XML with a DTD or entities of its own, which Excel never writes. It was not opened and nothing was kept. Save it again in Excel as Excel Workbook (.xlsx) and send it again."),
    Rule("workbook_macro", "Arbetsboken innehåller makron (VBA eller Excel 4.0), ActiveX eller inbäddade program, vad filen än heter. Den har inte öppnats och inget har sparats. Spara den som Excel-arbetsbok (.xlsx) utan makron och skicka igen.",
         "The workbook holds macros (VBA or Excel 4.0), ActiveX or embedded programs, whatever the file is called. It was not opened and nothing was kept. Save it as Excel Workbook (.xlsx) without macros and send it again."),
    Rule("workbook_external_link", "Arbetsboken har länkar till andra arbetsböcker eller externa datakällor. Den har inte öppnats och inget har sparats. Bryt länkarna i Excel (Data > Redigera länkar > Bryt länk) och skicka igen.",
         "The workbook links to other workbooks or external data sources. It was not opened and nothing was kept. Break the links in Excel (Data > Edit Links > Break Link) and send it again."),
    Rule("too_many_rows", "Tabellen har, eller anger i arbetsboken, fler rader än en årsrapport kan ha. Den har inte lästs. Ta bort tomma och överflödiga rader (markera dem och välj Ta bort) och skicka igen.",
         "The table has, or declares in the workbook, more rows than an annual return can have. It was not read. Delete the empty and surplus rows (select them and choose Delete) and send it again."),
    Rule("too_many_columns", "Raden har fler kolumner än någon tabell i formatet. Den har inte lästs. Ta bort de överflödiga kolumnerna och skicka igen.",
         "The row has more columns than any table of the format. It was not read. Delete the surplus columns and send it again."),
    Rule("cell_too_long", "Cellen innehåller mer text än något fält i formatet kan ha (värdet anger antalet tecken). Rätta cellen och skicka igen.",
         "The cell holds more text than any field of the format can (the value gives the number of characters). Correct the cell and send it again."),
    Rule("nul_bytes", "Filen innehåller NUL-tecken, alltså binärt innehåll, och är ingen textfil. Inget av rapporten har sparats. Spara den som CSV UTF-8 i Excel och skicka igen.",
         "The file holds NUL bytes, that is binary content, and is no text file. Nothing of the return was kept. Save it as CSV UTF-8 in Excel and send it again."),
    Rule("html_file", "Filen är en webbsida (HTML), inte CSV eller XLSX, vad den än heter. Öppna den i Excel och spara den som CSV UTF-8 eller Excel-arbetsbok (.xlsx), och skicka igen.",
         "The file is a web page (HTML), not CSV or XLSX, whatever it is called. Open it in Excel, save it as CSV UTF-8 or Excel Workbook (.xlsx) and send it again."),
    Rule("encoding_mixed", "Filen blandar teckenkodningar: några rader är UTF-8 och andra Windows-1252, så å, ä och ö skulle bli fel. Raden är den första i Windows-1252; värdet anger en rad i UTF-8. Spara om hela filen som CSV UTF-8 i Excel och skicka igen.",
         "The file mixes character encodings: some rows are UTF-8 and others Windows-1252, so å, ä and ö would come out wrong. The row is the first in Windows-1252; the value gives a row in UTF-8. Save the whole file again as CSV UTF-8 in Excel and send it again."),
]

GUARDS: dict[str, Rule] = {rule.id: rule for rule in _GUARDS}


@cache
def code_rule(code_list: str) -> Rule:
    allowed = ", ".join(codes_of(code_list))
    return Rule(
        f"code:{code_list}",
        f"Koden finns inte i kodlistan {code_list}. Tillåtna koder: {allowed}.",
        f"The code is not in the code list {code_list}. Allowed codes: {allowed}.",
    )


def rule(rule_id: str) -> Rule:
    if rule_id.startswith("code:"):
        return code_rule(rule_id.removeprefix("code:"))
    return RULES[rule_id] if rule_id in RULES else GUARDS[rule_id]
