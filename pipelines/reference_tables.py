"""The reference tables the national function replaces each year: the county population and the parameters of the
socio-economic estimate (``REPLACEABLE_TABLES`` in ``pipelines.settings`` names them).

``ips-monitor reference load population|socioeconomic FILE`` reads the analyst's CSV (UTF-8 with or without BOM, or
Windows-1252; ``,`` or ``;`` between values, a decimal comma allowed when ``;`` is), checks it whole and then either
stores it under the data home in the canonical form (UTF-8, ``,``, the header exactly), keeping the file it replaces
beside it as ``<name>.<when it was replaced, UTC>.csv``, or changes nothing and says every problem: where it is (the
line of the file, the header being line 1, and the column), what is wrong and how to put it right, in Swedish and
English. The next run reads the table in effect (``Settings.reference_table_path``, given to dbt as a var).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipelines.access.messages import Message
from pipelines.private_files import locked, write_atomically
from pipelines.settings import REPLACEABLE_TABLES, SHIPPED_REFERENCE_DIR, Settings
from seeds.reference_data import counties

PUBLIC_MODE = 0o644  # public figures: anyone on the machine may read them

FIRST_YEAR = 1990  # no reference year of this monitor lies before it
MAX_FILE_BYTES = 1024 * 1024  # a population table of 30 years is 20 kB: anything far larger is a wrong file
POPULATION_COLUMNS = ("county_code", "year", "population")
PARAMETER_COLUMNS = ("name", "value", "unit", "year", "source")


@dataclass(frozen=True)
class Parameter:
    """One parameter of the socio-economic estimate (indicators-v1.md, "The socio-economic estimate"): its fixed name,
    its unit and the range of its values."""

    name: str
    unit: str
    maximum: Decimal | None = None
    minimum: Decimal = Decimal(0)


FRACTION = "fraction"
PARAMETERS = tuple(Parameter(f"monthly_{benefit}", "SEK/month") for benefit in (
    "sjukpenning", "sjukersattning", "aktivitetsersattning", "rehabiliteringsersattning", "aktivitetsstod", "forsorjningsstod", "a_kassa",
)) + (
    Parameter("hourly_wage", "SEK/hour"),
    Parameter("default_hours_per_week", "hours", maximum=Decimal(168)),  # the hours of a week
    Parameter("income_tax_rate", FRACTION, maximum=Decimal(1)),
    Parameter("benefit_tax_rate", FRACTION, maximum=Decimal(1)),
    Parameter("employer_cost_factor", "factor", minimum=Decimal(1)),  # the wage plus the employer's fees: at least the wage
    Parameter("wage_subsidy_share", FRACTION, maximum=Decimal(1)),
)
PARAMETERS_BY_NAME = {parameter.name: parameter for parameter in PARAMETERS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (the file's line, the header being line 1, and the column; None where it is
    the file as a whole), the value found, and what to do, in Swedish and English."""

    line: int | None
    column: str | None
    value: str | None
    message: Message


@dataclass(frozen=True)
class Record:
    """One line of values, by column, each stripped of surrounding spaces."""

    line: int
    cells: dict[str, str]


Rows = list[tuple[str, ...]]
Check = Callable[[list[Record], str], tuple[Rows, list[Problem]]]


@dataclass(frozen=True)
class Table:
    key: str  # the command's word: population
    name: str  # the file's stem and the dbt var's stem: county_population
    columns: tuple[str, ...]
    check: Check  # the records of a file whose header is right, and its delimiter -> the canonical rows, or the problems

    @property
    def shipped_path(self) -> Path:
        return SHIPPED_REFERENCE_DIR / f"{self.name}.csv"


@dataclass(frozen=True)
class Checked:
    """A file read and checked whole: its rows in the canonical form, or what is wrong with it."""

    table: Table
    rows: Rows
    problems: list[Problem]

    def canonical(self) -> bytes:
        return canonical_csv(self.table.columns, self.rows)


@dataclass(frozen=True)
class Loaded:
    """What ``load_table`` did: replaced the table (``changed``), found it the same as the one in effect, or refused
    the file (``problems``) and changed nothing."""

    table: Table
    source: Path
    problems: list[Problem]
    in_effect: Path  # the table's file in effect afterwards
    changed: bool
    kept: Path | None = None  # the file replaced, kept beside the new one
    rows: Rows | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


# Messages: every one in Swedish and English, saying what is wrong and how to put it right


def file_missing(path: Path) -> Message:
    return Message(f"filen {str(path)!r} finns inte", f"the file {str(path)!r} does not exist")


def too_large(size: int) -> Message:
    return Message(f"filen är {size} byte, för stor för en referenstabell (högst {MAX_FILE_BYTES}): välj rätt fil",
                   f"the file is {size} bytes, too large for a reference table (at most {MAX_FILE_BYTES}): choose the right file")


WORKBOOK = Message("filen är en Excel-arbetsbok eller en zip-fil, inte CSV: spara den i Excel med Spara som > CSV UTF-8",
                   "the file is an Excel workbook or a zip file, not CSV: in Excel, use Save as > CSV UTF-8")
NOT_TEXT = Message("filen innehåller nolltecken (UTF-16 eller en binär fil): spara den som CSV UTF-8",
                   "the file holds NUL characters (UTF-16 or a binary file): save it as CSV UTF-8")
UNKNOWN_ENCODING = Message("filen kan inte läsas som UTF-8 eller Windows-1252: spara den som CSV UTF-8",
                           "the file cannot be read as UTF-8 or Windows-1252: save it as CSV UTF-8")
EMPTY_FILE = Message("filen är tom: första raden är rubrikraden, sedan en rad per värde",
                     "the file is empty: the first line is the header, then one line per value")
TAB_SEPARATED = Message("värdena skiljs åt med tabb: spara filen med , eller ; mellan värdena",
                        "the values are separated by tabs: save the file with , or ; between the values")


def unreadable_csv(reason: str) -> Message:
    return Message(f"raden kan inte läsas som CSV ({reason}): kontrollera citattecknen", f"the line cannot be read as CSV ({reason}): check the quotes")


def missing_column(column: str, header: str) -> Message:
    return Message(f"kolumnen {column} saknas: första raden ska vara exakt {header}",
                   f"the column {column} is missing: the first line must be exactly {header}")


def unknown_column(column: str, header: str) -> Message:
    return Message(f"okänd kolumn {column!r}: ta bort den; kolumnerna är {header}", f"unknown column {column!r}: remove it; the columns are {header}")


def repeated_column(column: str) -> Message:
    return Message(f"kolumnen {column} finns två gånger i rubrikraden: behåll en", f"the column {column} appears twice in the header: keep one")


def no_rows(what_sv: str, what_en: str) -> Message:
    return Message(f"filen har inga rader under rubrikraden: en rad {what_sv}", f"the file has no lines below the header: one line {what_en}")


def too_few_values(found: int, columns: Sequence[str]) -> Message:
    return Message(f"raden har {found} {'värde' if found == 1 else 'värden'} men ska ha {len(columns)} ({', '.join(columns)}): fyll i de som saknas",
                   f"the line has {found} {'value' if found == 1 else 'values'} but must have {len(columns)} ({', '.join(columns)}): "
                   "fill in those missing")


def too_many_values(columns: Sequence[str]) -> Message:
    return Message(f"raden har fler värden än kolumner ({', '.join(columns)}): ta bort de överflödiga, eller sätt citattecken kring "
                   "en text som innehåller avgränsaren",
                   f"the line has more values than columns ({', '.join(columns)}): remove the extra ones, or put quotes around a text "
                   "that holds the delimiter")


def invalid_year(value: str, last: int) -> Message:
    return Message(f"ogiltigt år {value!r}: ett årtal med fyra siffror från {FIRST_YEAR} till {last}, t.ex. 2025",
                   f"invalid year {value!r}: a four-digit year from {FIRST_YEAR} to {last}, e.g. 2025")


def unknown_county(value: str) -> Message:
    codes = ", ".join(county.county_code for county in counties())
    return Message(f"okänd länskod {value!r}: två siffror enligt SCB ({codes}), t.ex. 01 för Stockholms län",
                   f"unknown county code {value!r}: SCB's two digits ({codes}), e.g. 01 for Stockholm county")


def invalid_population(value: str) -> Message:
    return Message(f"ogiltig folkmängd {value!r}: ett heltal större än noll, utan decimaler, t.ex. 2415139",
                   f"invalid population {value!r}: a whole number above zero, without decimals, e.g. 2415139")


def repeated_county(code: str, name: str, year: int, first_line: int) -> Message:
    return Message(f"länet {code} ({name}) finns redan för år {year} på rad {first_line}: behåll en rad per län och år",
                   f"county {code} ({name}) is already given for {year} on line {first_line}: keep one line per county and year")


def missing_county(code: str, name: str, year: int, lines: Sequence[int], delimiter: str) -> Message:
    example = delimiter.join((code, str(year), "<folkmängd>"))
    where_sv, where_en = (f"raderna {min(lines)}–{max(lines)}", f"lines {min(lines)}–{max(lines)}") if len(lines) > 1 else (
        f"rad {lines[0]}", f"line {lines[0]}")
    return Message(f"länet {code} ({name}) saknas för år {year} ({where_sv}): varje år ska ha alla 21 län; lägg till raden {example}",
                   f"county {code} ({name}) is missing for {year} ({where_en}): every year must have all 21 counties; add the line "
                   + example.replace("<folkmängd>", "<population>"))


def not_a_number(value: str) -> Message:
    return Message(f"ogiltigt tal {value!r}: skriv t.ex. 15120 eller 0.33 (med ; mellan värdena även 0,33)",
                   f"invalid number {value!r}: write e.g. 15120 or 0.33 (with ; between the values also 0,33)")


def decimal_comma_in_comma_file(value: str) -> Message:
    return Message(f"decimalkomma i {value!r} i en fil med , mellan värdena: skriv {value.replace(',', '.')}, eller spara filen med ;",
                   f"a decimal comma in {value!r} in a file with , between the values: write {value.replace(',', '.')}, or save the file with ;")


def percent(value: str, number: Decimal | None) -> Message:
    share, given = (number_text(number / 100), value) if number is not None else ("0.33", "33 %")
    return Message(f"{value!r} är i procent: skriv andelen som ett decimaltal, {share} för {given}",
                   f"{value!r} is a percentage: write the share as a decimal, {share} for {given}")


def negative(value: str) -> Message:
    return Message(f"värdet {value!r} är negativt: ingen parameter är negativ", f"the value {value!r} is negative: no parameter is negative")


def fraction_above_one(name: str, value: str, number: Decimal) -> Message:
    share = number_text(number / 100)
    hint_sv, hint_en = (f"; om {value} är procent, skriv {share}", f"; if {value} is a percentage, write {share}") if number <= 100 else ("", "")
    return Message(f"{name} är en andel mellan 0 och 1, inte {value}{hint_sv}",
                   f"{name} is a share between 0 and 1, not {value}{hint_en}")


def factor_below_one(value: str) -> Message:
    return Message(f"employer_cost_factor är lönen plus arbetsgivarens avgifter i förhållande till lönen, minst 1 (t.ex. 1.4), inte {value}",
                   f"employer_cost_factor is the wage plus the employer's fees relative to the wage, at least 1 (e.g. 1.4), not {value}")


def too_many_hours(value: str) -> Message:
    return Message(f"default_hours_per_week är timmar per vecka, högst 168, inte {value}",
                   f"default_hours_per_week is hours per week, at most 168, not {value}")


def unknown_parameter(value: str) -> Message:
    close = difflib.get_close_matches(value, PARAMETERS_BY_NAME, n=1)
    names = ", ".join(PARAMETERS_BY_NAME)
    return Message(f"okänd parameter {value!r}{f' (menade du {close[0]}?)' if close else ''}: namnen är fasta ({names}); "
                   "rätta stavningen eller ta bort raden",
                   f"unknown parameter {value!r}{f' (did you mean {close[0]}?)' if close else ''}: the names are fixed ({names}); "
                   "correct the spelling or remove the line")


def repeated_parameter(name: str, first_line: int) -> Message:
    return Message(f"parametern {name} finns redan på rad {first_line}: behåll en rad per parameter",
                   f"the parameter {name} is already given on line {first_line}: keep one line per parameter")


def missing_parameter(parameter: Parameter, delimiter: str) -> Message:
    return Message(f"parametern {parameter.name} saknas: lägg till raden "
                   + delimiter.join((parameter.name, "<värde>", parameter.unit, "<år>", "<källa>")),
                   f"the parameter {parameter.name} is missing: add the line "
                   + delimiter.join((parameter.name, "<value>", parameter.unit, "<year>", "<source>")))


def wrong_unit(parameter: Parameter, value: str) -> Message:
    return Message(f"fel enhet {value!r} för {parameter.name}: ska vara {parameter.unit} (och värdet i den enheten)",
                   f"wrong unit {value!r} for {parameter.name}: it must be {parameter.unit} (and the value in that unit)")


SOURCE_MISSING = Message("källan saknas: ange dokument och tabell, eller 'Antagande: …' med skälet",
                         "the source is missing: name the document and table, or 'Antagande: …' (an assumption) with its reason")


# Reading a file


def read_records(path: Path, columns: Sequence[str]) -> tuple[list[Record], str, list[Problem]]:
    """The lines of values below the header, by column, and the delimiter; or the problems that keep the file from
    being read (its encoding, its header, a line with too few or too many values). Empty lines are passed over."""
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        return [], ",", [Problem(None, None, None, too_large(len(raw)))]
    if raw.startswith(b"PK\x03\x04"):
        return [], ",", [Problem(None, None, None, WORKBOOK)]
    if b"\x00" in raw:
        return [], ",", [Problem(None, None, None, NOT_TEXT)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            return [], ",", [Problem(None, None, None, UNKNOWN_ENCODING)]
    first_line = next((line for line in text.splitlines() if line.strip()), None)
    if first_line is None:
        return [], ",", [Problem(None, None, None, EMPTY_FILE)]
    if ";" not in first_line and "," not in first_line and "\t" in first_line:
        return [], ",", [Problem(1, None, None, TAB_SEPARATED)]
    delimiter = ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 1
    records: list[Record] = []
    problems: list[Problem] = []
    try:
        for cells in reader:
            values = [cell.strip() for cell in cells]
            if not any(values):
                continue
            if header is None:
                header, header_line = [value.lower() for value in values], reader.line_num
                while header and not header[-1]:  # Excel's trailing delimiters
                    header.pop()
                header_problems = _header_problems(header, columns, header_line, delimiter)
                if header_problems:
                    return [], delimiter, header_problems
                continue
            if len(values) < len(header):
                problems.append(Problem(reader.line_num, None, delimiter.join(cells), too_few_values(len(values), header)))
            elif any(values[len(header):]):
                problems.append(Problem(reader.line_num, None, delimiter.join(cells), too_many_values(header)))
            else:
                records.append(Record(reader.line_num, dict(zip(header, values))))
    except csv.Error as error:
        problems.append(Problem(reader.line_num, None, None, unreadable_csv(str(error))))
    return records, delimiter, problems


def _header_problems(header: list[str], columns: Sequence[str], line: int, delimiter: str) -> list[Problem]:
    expected = delimiter.join(columns)
    problems = [Problem(line, column, None, repeated_column(column)) for column in dict.fromkeys(header) if header.count(column) > 1]
    problems += [Problem(line, column, None, missing_column(column, expected)) for column in columns if column not in header]
    problems += [Problem(line, column or None, column, unknown_column(column, expected)) for column in dict.fromkeys(header)
                 if column not in columns]
    return problems


def parse_number(value: str, delimiter: str) -> Decimal | Message:
    """A number as a person types it: spaces between groups of digits allowed, a decimal comma when ``;`` separates
    the values; or what is wrong with it."""
    compact = re.sub(r"\s", "", value)
    if compact.endswith("%") and len(compact) > 1:
        number = parse_number(compact[:-1], delimiter)
        return percent(value, number if isinstance(number, Decimal) else None)
    if "," in compact:
        if delimiter == ",":
            return decimal_comma_in_comma_file(value)
        if "." in compact:
            return not_a_number(value)
        compact = compact.replace(",", ".")
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", compact):
        return not_a_number(value)
    try:
        return Decimal(compact)
    except InvalidOperation:
        return not_a_number(value)


def parse_year(value: str) -> int | None:
    last = dt.date.today().year + 1
    return int(value) if re.fullmatch(r"[0-9]{4}", value) and FIRST_YEAR <= int(value) <= last else None


def _year_problem(record: Record) -> Problem | None:
    value = record.cells["year"]
    if parse_year(value) is None:
        return Problem(record.line, "year", value, invalid_year(value, dt.date.today().year + 1))
    return None


def number_text(number: Decimal) -> str:
    """The canonical form of a value: a decimal point, no exponent, no trailing zeros (0.330 -> 0.33, 15120.0 -> 15120)."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


# Checking a table whole


def check_population(records: list[Record], delimiter: str) -> tuple[Rows, list[Problem]]:
    """Every one of the 21 counties once per year (one year or more), populations whole numbers above zero."""
    names = {county.county_code: county.name for county in counties()}
    problems: list[Problem] = []
    first_seen: dict[tuple[str, int], int] = {}
    populations: dict[tuple[str, int], int] = {}
    lines_of_year: dict[int, list[int]] = {}
    for record in records:
        code_text, population_text = record.cells["county_code"], record.cells["population"]
        # Excel drops the leading zero of 01: a code of one digit can only be that county's
        code = code_text.zfill(2) if re.fullmatch(r"[0-9]{1,2}", code_text) else code_text
        if code not in names:
            problems.append(Problem(record.line, "county_code", code_text, unknown_county(code_text)))
            code = ""
        year_problem = _year_problem(record)
        if year_problem is not None:
            problems.append(year_problem)
        year = parse_year(record.cells["year"])
        number = parse_number(population_text, delimiter)
        if isinstance(number, Message) or number <= 0 or number != number.to_integral_value():
            problems.append(Problem(record.line, "population", population_text, invalid_population(population_text)))
        if year is None:
            continue
        lines_of_year.setdefault(year, []).append(record.line)
        if not code:
            continue
        if (code, year) in first_seen:
            problems.append(Problem(record.line, "county_code", code_text, repeated_county(code, names[code], year, first_seen[(code, year)])))
            continue
        first_seen[(code, year)] = record.line
        if isinstance(number, Decimal) and number > 0 and number == number.to_integral_value():
            populations[(code, year)] = int(number)
    for year, lines in sorted(lines_of_year.items()):
        problems += [Problem(None, "county_code", None, missing_county(code, name, year, lines, delimiter))
                     for code, name in names.items() if (code, year) not in first_seen]
    if not records:
        problems.append(Problem(None, None, None, no_rows("per län och år", "per county and year")))
    if problems:
        return [], problems
    return [(code, str(year), str(populations[(code, year)])) for year in sorted(lines_of_year) for code in names], []


def check_parameters(records: list[Record], delimiter: str) -> tuple[Rows, list[Problem]]:
    """Every parameter of the estimate once and no other, each value a number in its range, its unit the parameter's,
    the year the amounts refer to and a source given."""
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    values: dict[str, Decimal] = {}
    for record in records:
        name = record.cells["name"]
        parameter = PARAMETERS_BY_NAME.get(name)
        if parameter is None:
            problems.append(Problem(record.line, "name", name, unknown_parameter(name)))
        elif name in first_seen:
            problems.append(Problem(record.line, "name", name, repeated_parameter(name, first_seen[name])))
        else:
            first_seen[name] = record.line
        value = record.cells["value"]
        number = parse_number(value, delimiter)
        if isinstance(number, Message):
            problems.append(Problem(record.line, "value", value, number))
        elif number < 0:
            problems.append(Problem(record.line, "value", value, negative(value)))
        elif parameter is not None:
            problem = _out_of_range(parameter, value, number)
            if problem is not None:
                problems.append(Problem(record.line, "value", value, problem))
            elif first_seen[parameter.name] == record.line:
                values[parameter.name] = number
        if parameter is not None and record.cells["unit"] != parameter.unit:
            problems.append(Problem(record.line, "unit", record.cells["unit"], wrong_unit(parameter, record.cells["unit"])))
        year_problem = _year_problem(record)
        if year_problem is not None:
            problems.append(year_problem)
        if not record.cells["source"]:
            problems.append(Problem(record.line, "source", "", SOURCE_MISSING))
    problems += [Problem(None, "name", None, missing_parameter(parameter, delimiter)) for parameter in PARAMETERS
                 if parameter.name not in first_seen]
    if problems:
        return [], problems
    by_name = {record.cells["name"]: record for record in records}
    return [(p.name, number_text(values[p.name]), p.unit, by_name[p.name].cells["year"], by_name[p.name].cells["source"]) for p in PARAMETERS], []


def _out_of_range(parameter: Parameter, value: str, number: Decimal) -> Message | None:
    if parameter.maximum is not None and number > parameter.maximum:
        return too_many_hours(value) if parameter.name == "default_hours_per_week" else fraction_above_one(parameter.name, value, number)
    if number < parameter.minimum:
        return factor_below_one(value)
    return None


_SHAPES: dict[str, tuple[tuple[str, ...], Check]] = {
    "county_population": (POPULATION_COLUMNS, check_population),
    "socioeconomic_parameters": (PARAMETER_COLUMNS, check_parameters),
}
TABLES = {key: Table(key, name, *_SHAPES[name]) for key, name in REPLACEABLE_TABLES.items()}


def check_file(table: Table, path: Path) -> Checked:
    """Read ``path`` as ``table`` and check it whole: its rows in the canonical form, or every problem, in the order
    of the file."""
    records, delimiter, problems = read_records(path, table.columns)
    if problems and not records:
        return Checked(table, [], problems)
    rows, row_problems = table.check(records, delimiter)
    problems = sorted([*problems, *row_problems], key=lambda p: (p.line is None, p.line or 0, table.columns.index(p.column)
                                                                   if p.column in table.columns else -1))
    return Checked(table, [] if problems else rows, problems)


def canonical_csv(columns: Sequence[str], rows: Rows) -> bytes:
    """UTF-8 without BOM, ``,`` between values, quotes only where a value needs them, one ``\\n`` per line."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# Replacing a table


def load_table(settings: Settings, key: str, source: Path, now: dt.datetime | None = None) -> Loaded:
    """Check ``source`` as the table ``key`` (``population`` or ``socioeconomic``) and, if it passes, make it the table
    in effect under the data home, keeping the file it replaces; if not, change nothing."""
    table = TABLES[key]
    if not source.is_file():
        return Loaded(table, source, [Problem(None, None, None, file_missing(source))], settings.reference_table_path(table.name), changed=False)
    checked = check_file(table, source)
    if checked.problems:
        return Loaded(table, source, checked.problems, settings.reference_table_path(table.name), changed=False)
    content = checked.canonical()
    target = settings.reference_dir / f"{table.name}.csv"
    with locked(settings.reference_dir / ".reference.lock"):
        in_effect = settings.reference_table_path(table.name)
        if in_effect.read_bytes() == content:
            return Loaded(table, source, [], in_effect, changed=False, rows=checked.rows)
        kept = _keep(target, now or dt.datetime.now(dt.UTC)) if target.exists() else None
        _replace(target, content)
    return Loaded(table, source, [], target, changed=True, kept=kept, rows=checked.rows)


def _keep(path: Path, now: dt.datetime) -> Path:
    """The file about to be replaced, linked (or copied) beside it as ``<name>.<now, UTC>.csv``."""
    stem = f"{path.stem}.{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    kept, n = path.with_name(f"{stem}.csv"), 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{stem}-{n}.csv")
    try:
        os.link(path, kept)
    except OSError:
        shutil.copy2(path, kept)
    return kept


def _replace(path: Path, content: bytes) -> None:
    """Swap the table in whole: a reader sees the old table or the new one, never a part."""
    write_atomically(path, content, PUBLIC_MODE)


def table_in_effect(settings: Settings, key: str) -> tuple[Path, bool, Checked]:
    """The file of the table ``key`` in effect, whether it is the shipped default, and its rows (checked as a file
    loaded would be)."""
    table = TABLES[key]
    path = settings.reference_table_path(table.name)
    return path, path == table.shipped_path, check_file(table, path)


def format_problem(problem: Problem) -> str:
    where = ", ".join(part for part in (f"rad/line {problem.line}" if problem.line is not None else "",
                                        f"kolumn/column {problem.column}" if problem.column else "") if part) or "filen/the file"
    value = f" — värde/value: {problem.value!r}" if problem.value is not None else ""
    return f"  FEL/ERROR {where}{value}\n      {problem.message.sv}\n      {problem.message.en}"
