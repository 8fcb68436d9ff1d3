"""The replaceable reference tables: a file is checked whole and then either stored in the canonical form under the
data home (the file it replaces kept beside it) or refused with every problem, where it is and what to do, in Swedish
and English, leaving the table in effect as it was; ``Settings.dbt_vars()`` hands dbt the file in effect; the command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.reference_tables import TABLES, check_file, format_problem, load_table
from pipelines.settings import PROJECT_ROOT, SHIPPED_REFERENCE_DIR, Settings

CLI = str(Path(sys.executable).parent / "ips-monitor")
COUNTY_CODES = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21", "22", "23", "24", "25"]
PARAMETER_NAMES = ["monthly_sjukpenning", "monthly_sjukersattning", "monthly_aktivitetsersattning", "monthly_rehabiliteringsersattning",
                   "monthly_aktivitetsstod", "monthly_forsorjningsstod", "monthly_a_kassa", "hourly_wage", "default_hours_per_week",
                   "income_tax_rate", "benefit_tax_rate", "employer_cost_factor", "wage_subsidy_share"]
UNITS = {"hourly_wage": "SEK/hour", "default_hours_per_week": "hours", "employer_cost_factor": "factor",
         "income_tax_rate": "fraction", "benefit_tax_rate": "fraction", "wage_subsidy_share": "fraction"}


def population_lines(year: int, delimiter: str = ";", skip: str = "") -> list[str]:
    """One line per county: the population 100,000 + 1,000 × the county's place in the list, as the analyst types it."""
    return [f"{code}{delimiter}{year}{delimiter}{100_000 + 1_000 * n}" for n, code in enumerate(COUNTY_CODES) if code != skip]


# The values an analyst would type with ; between them: decimal commas, a space between the groups of digits
TYPED_VALUES = {"monthly_sjukpenning": "16\xa0200", "monthly_sjukersattning": "11 190", "monthly_aktivitetsersattning": "10036",
                "monthly_rehabiliteringsersattning": "16200", "monthly_aktivitetsstod": "12000", "monthly_forsorjningsstod": "8500",
                "monthly_a_kassa": "11220", "hourly_wage": "175,50", "default_hours_per_week": "30", "income_tax_rate": "0,32",
                "benefit_tax_rate": "0,28", "employer_cost_factor": "1,3142", "wage_subsidy_share": "0,8"}


def parameter_lines(values: dict[str, str] = TYPED_VALUES) -> list[str]:
    return [f"{name};{value};{UNITS.get(name, 'SEK/month')};2025;\"Försäkringskassan; Skatteverket, år 2025\"" for name, value in values.items()]


def write(path: Path, lines: list[str], encoding: str = "cp1252") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def good_population(tmp_path: Path) -> Path:
    return write(tmp_path / "folkmangd.csv", ["county_code;year;population", *population_lines(2025)])


def good_parameters(tmp_path: Path) -> Path:
    return write(tmp_path / "parametrar.csv", ["name;value;unit;year;source", *parameter_lines()])


def test_the_shipped_defaults_pass_their_own_check_and_are_in_the_canonical_form():
    for table in TABLES.values():
        checked = check_file(table, table.shipped_path)
        assert checked.problems == [], [format_problem(p) for p in checked.problems]
        assert checked.canonical() == table.shipped_path.read_bytes(), table.name
    population = list(csv.reader(io.StringIO((SHIPPED_REFERENCE_DIR / "county_population.csv").read_text(encoding="utf-8"))))
    assert population[0] == ["county_code", "year", "population"]
    assert [row[0] for row in population[1:]] == COUNTY_CODES and {row[1] for row in population[1:]} == {"2018"}
    assert population[1] == ["01", "2018", "2315612"] and sum(int(row[2]) for row in population[1:]) == 10_142_686
    parameters = list(csv.DictReader(io.StringIO((SHIPPED_REFERENCE_DIR / "socioeconomic_parameters.csv").read_text(encoding="utf-8"))))
    assert [row["name"] for row in parameters] == PARAMETER_NAMES
    values = {row["name"]: row["value"] for row in parameters}
    assert (values["income_tax_rate"], values["employer_cost_factor"]) == ("0.33", "1.4")  # Hudiksvall, table 3
    assert all(row["year"] == "2017" and row["source"] for row in parameters)
    assert not (PROJECT_ROOT / "seeds" / "reference" / "county_population.csv").exists()  # not a dbt seed any more


def test_a_windows_1252_file_with_semicolons_and_decimal_commas_is_stored_canonically(tmp_path):
    settings = Settings(tmp_path / "home")
    source = write(tmp_path / "parametrar.csv", ["Name;Value;Unit;Year;Source;", *[line + ";" for line in parameter_lines()], ";;;;;"])
    raw = source.read_bytes()
    assert "Försäkringskassan".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")

    loaded = load_table(settings, "socioeconomic", source)
    assert loaded.ok and loaded.changed and loaded.kept is None
    assert loaded.in_effect == settings.home / "reference" / "socioeconomic_parameters.csv"
    source_text = '"Försäkringskassan; Skatteverket, år 2025"'
    expected = ["name,value,unit,year,source",
                f"monthly_sjukpenning,16200,SEK/month,2025,{source_text}", f"monthly_sjukersattning,11190,SEK/month,2025,{source_text}",
                f"monthly_aktivitetsersattning,10036,SEK/month,2025,{source_text}",
                f"monthly_rehabiliteringsersattning,16200,SEK/month,2025,{source_text}",
                f"monthly_aktivitetsstod,12000,SEK/month,2025,{source_text}", f"monthly_forsorjningsstod,8500,SEK/month,2025,{source_text}",
                f"monthly_a_kassa,11220,SEK/month,2025,{source_text}", f"hourly_wage,175.5,SEK/hour,2025,{source_text}",
                f"default_hours_per_week,30,hours,2025,{source_text}", f"income_tax_rate,0.32,fraction,2025,{source_text}",
                f"benefit_tax_rate,0.28,fraction,2025,{source_text}", f"employer_cost_factor,1.3142,factor,2025,{source_text}",
                f"wage_subsidy_share,0.8,fraction,2025,{source_text}"]
    assert loaded.in_effect.read_bytes() == ("\n".join(expected) + "\n").encode("utf-8")

    # a population of two years in any order, the leading zero dropped (as Excel does), spaces between the digit groups
    lines = population_lines(2025)[::-1] + [line[1:] if line.startswith("0") else line for line in population_lines(2024)]
    assert lines[0] == "25;2025;120000" and lines[21] == "1;2024;100000"
    lines[0] = "25;2025;120 000"
    population = load_table(settings, "population", write(tmp_path / "folkmangd.csv", ["county_code;year;population", *lines]))
    assert population.ok and population.changed
    expected = ["county_code,year,population"] + [f"{code},{year},{100_000 + 1_000 * n}" for year in (2024, 2025) for n, code in enumerate(COUNTY_CODES)]
    assert population.in_effect.read_bytes() == ("\n".join(expected) + "\n").encode("utf-8")
    assert sorted(p.name for p in settings.reference_dir.iterdir()) == [".reference.lock", "county_population.csv", "socioeconomic_parameters.csv"]


def test_utf8_with_a_byte_order_mark_and_commas_loads_too(tmp_path):
    settings = Settings(tmp_path / "home")
    shipped = TABLES["population"].shipped_path.read_bytes()
    source = tmp_path / "population.csv"
    source.write_bytes(b"\xef\xbb\xbf" + shipped.replace(b"2018", b"2023"))
    loaded = load_table(settings, "population", source)
    assert loaded.ok and loaded.in_effect.read_bytes() == shipped.replace(b"2018", b"2023")


def duplicate_county(tmp_path: Path) -> Path:
    return write(tmp_path / "dubblett.csv", ["county_code;year;population", *population_lines(2025), "03;2025;388000"])


def missing_county(tmp_path: Path) -> Path:
    return write(tmp_path / "utan-gotland.csv", ["county_code;year;population", *population_lines(2025, skip="09")])


def unknown_parameter(tmp_path: Path) -> Path:
    lines = parameter_lines()
    lines[4] = lines[4].replace("monthly_aktivitetsstod", "monthly_bostadsbidrag")
    return write(tmp_path / "okand.csv", ["name;value;unit;year;source", *lines])


def rate_above_one(tmp_path: Path) -> Path:
    return write(tmp_path / "skatt.csv", ["name;value;unit;year;source", *parameter_lines({**TYPED_VALUES, "benefit_tax_rate": "1,5"})])


@pytest.mark.parametrize(("key", "bad_file", "line", "column", "swedish", "english"), [
    ("population", missing_county, None, "county_code", "länet 09 (Gotlands län) saknas för år 2025 (raderna 2–21)",
     "county 09 (Gotlands län) is missing for 2025 (lines 2–21): every year must have all 21 counties; add the line 09;2025;<population>"),
    ("population", duplicate_county, 23, "county_code", "länet 03 (Uppsala län) finns redan för år 2025 på rad 3",
     "county 03 (Uppsala län) is already given for 2025 on line 3: keep one line per county and year"),
    ("socioeconomic", unknown_parameter, 6, "name", "okänd parameter 'monthly_bostadsbidrag'",
     "unknown parameter 'monthly_bostadsbidrag'"),
    ("socioeconomic", rate_above_one, 12, "value", "benefit_tax_rate är en andel mellan 0 och 1, inte 1,5",
     "benefit_tax_rate is a share between 0 and 1, not 1,5"),
])
def test_a_wrong_file_is_refused_with_where_and_why_and_the_table_in_effect_stays(tmp_path, key, bad_file, line, column, swedish, english):
    settings = Settings(tmp_path / "home")
    name = TABLES[key].name
    bad = bad_file(tmp_path)

    # nothing loaded yet: the shipped default stays in effect and nothing is written
    refused = load_table(settings, key, bad)
    assert not refused.ok and not refused.changed
    assert settings.reference_table_path(name) == refused.in_effect == SHIPPED_REFERENCE_DIR / f"{name}.csv"
    assert not list(settings.home.rglob("*.csv"))

    good = good_population(tmp_path) if key == "population" else good_parameters(tmp_path)
    assert load_table(settings, key, good).changed
    in_effect = settings.reference_table_path(name)
    before, files_before = in_effect.read_bytes(), sorted(settings.reference_dir.iterdir())

    refused = load_table(settings, key, bad)
    assert not refused.ok and not refused.changed and refused.kept is None
    matching = [p for p in refused.problems if swedish in p.message.sv]
    assert len(matching) == 1, [format_problem(p) for p in refused.problems]
    problem = matching[0]
    assert (problem.line, problem.column) == (line, column)
    assert english in problem.message.en
    where = f"rad/line {line}, kolumn/column {column}" if line else f"kolumn/column {column}"
    assert f"FEL/ERROR {where}" in format_problem(problem)
    assert in_effect.read_bytes() == before  # byte for byte
    assert sorted(settings.reference_dir.iterdir()) == files_before  # no file kept, none left half-written


def test_a_new_table_keeps_the_one_it_replaces_and_the_same_table_again_changes_nothing(tmp_path):
    settings = Settings(tmp_path / "home")
    first = load_table(settings, "population", good_population(tmp_path))
    first_bytes = first.in_effect.read_bytes()
    newer = write(tmp_path / "2026.csv", ["county_code;year;population", *population_lines(2026)])
    replaced = load_table(settings, "population", newer, now=dt.datetime(2026, 3, 1, 10, 15, tzinfo=dt.UTC))
    assert replaced.changed and replaced.kept == settings.reference_dir / "county_population.20260301T101500Z.csv"
    assert replaced.kept.read_bytes() == first_bytes
    assert b"01,2026,100000\n" in replaced.in_effect.read_bytes() and b"2025" not in replaced.in_effect.read_bytes()

    again = load_table(settings, "population", newer, now=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    assert again.ok and not again.changed and again.kept is None
    assert sorted(p.name for p in settings.reference_dir.glob("*.csv")) == ["county_population.20260301T101500Z.csv", "county_population.csv"]


@pytest.mark.parametrize(("content", "words"), [
    (b"PK\x03\x04 a workbook", "the file is an Excel workbook or a zip file, not CSV"),
    (b"", "the file is empty"),
    (b"county_code;year;population\n01;2025;\x81\x8d\n", "cannot be read as UTF-8 or Windows-1252"),
    (b"county_code\tyear\tpopulation\n", "separated by tabs"),
    (b"county;year;population\n", "the column county_code is missing: the first line must be exactly county_code;year;population"),
    (b"name,value,unit,year,source\nhourly_wage,\"175,5\",SEK/hour,2025,SCB\n", "a decimal comma in '175,5' in a file with , between the values"),
    (b"name;value;unit;year;source\nincome_tax_rate;32 %;fraction;2025;SCB\n", "'32 %' is a percentage: write the share as a decimal, 0.32 for 32 %"),
    (b"county_code;year;population\n01;25;100\n", "invalid year '25': a four-digit year"),
    (b"county_code;year;population\n01;2025\n", "the line has 2 values but must have 3"),
])
def test_what_is_not_a_table_is_refused_with_what_to_do(tmp_path, content, words):
    source = tmp_path / "file.csv"
    source.write_bytes(content)
    checked = check_file(TABLES["socioeconomic" if content.startswith(b"name") else "population"], source)
    assert any(words in p.message.en for p in checked.problems), [format_problem(p) for p in checked.problems]
    assert all(p.message.sv and p.message.en for p in checked.problems) and checked.rows == []


def test_dbt_vars_point_to_the_shipped_default_until_a_table_is_loaded(tmp_path):
    settings = Settings(tmp_path / "home")
    before = settings.dbt_vars()
    assert before["county_population_csv"] == str(SHIPPED_REFERENCE_DIR / "county_population.csv")
    assert before["socioeconomic_parameters_csv"] == str(SHIPPED_REFERENCE_DIR / "socioeconomic_parameters.csv")
    assert all(Path(str(before[var])).is_absolute() and Path(str(before[var])).is_file()
               for var in ("county_population_csv", "socioeconomic_parameters_csv"))

    load_table(settings, "population", good_population(tmp_path))
    after = settings.dbt_vars()
    assert after["county_population_csv"] == str(settings.home / "reference" / "county_population.csv")
    assert after["socioeconomic_parameters_csv"] == before["socioeconomic_parameters_csv"]  # the other is not touched
    assert {k: v for k, v in after.items() if not k.endswith("_csv")} == {k: v for k, v in before.items() if not k.endswith("_csv")}


def reference(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, "--home", str(home), "reference", *args], capture_output=True, text=True)


def test_the_command_loads_shows_and_refuses(tmp_path):
    home = tmp_path / "home"
    shipped = reference("show", "population", home=home)
    assert shipped.returncode == 0, shipped.stderr
    lines = shipped.stdout.splitlines()
    assert lines[0] == f"county_population: {SHIPPED_REFERENCE_DIR / 'county_population.csv'} (standardvärdena som följer med / the shipped default)"
    assert lines[2].split() == ["01", "Stockholms", "län", "2018", "2315612"] and lines[-1] == "21 rader / rows"

    loaded = reference("load", "socioeconomic", str(good_parameters(tmp_path)), home=home)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    in_effect = home / "reference" / "socioeconomic_parameters.csv"
    assert loaded.stdout.splitlines() == [
        f"{tmp_path / 'parametrar.csv'} (socioeconomic_parameters): INLÄST / LOADED, 13 rader / rows, år / year 2025",
        f"  gäller från nästa körning / in effect from the next run: {in_effect}"]
    shown = reference("show", "socioeconomic", home=home)
    assert shown.returncode == 0 and shown.stdout.startswith(f"socioeconomic_parameters: {in_effect} (inläst / loaded ")
    assert ["hourly_wage", "175.5", "SEK/hour", "2025", "Försäkringskassan;", "Skatteverket,", "år", "2025"] in [
        line.split() for line in shown.stdout.splitlines()]

    before = in_effect.read_bytes()
    refused = reference("load", "socioeconomic", str(rate_above_one(tmp_path)), home=home)
    assert refused.returncode == 1
    assert refused.stdout.startswith(f"{tmp_path / 'skatt.csv'} (socioeconomic_parameters): AVVISAD, INGET ÄNDRAT / REFUSED, NOTHING CHANGED\n")
    assert ("  FEL/ERROR rad/line 12, kolumn/column value — värde/value: '1,5'\n"
            "      benefit_tax_rate är en andel mellan 0 och 1, inte 1,5; om 1,5 är procent, skriv 0.015\n"
            "      benefit_tax_rate is a share between 0 and 1, not 1,5; if 1,5 is a percentage, write 0.015\n") in refused.stdout
    assert f"the table in effect is unchanged: {in_effect}" in refused.stdout
    assert in_effect.read_bytes() == before

    missing = reference("load", "population", str(tmp_path / "finns-inte.csv"), home=home)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert reference("load", "befolkning", str(good_population(tmp_path)), home=home).returncode == 2
    assert not (home / "reference" / "county_population.csv").exists()
