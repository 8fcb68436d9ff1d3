"""The annual report workbook's sheets a national report needs: by sex, by age, the quarterly series, income sources,
and the v1.1 figures (coverage, the cohort job rate, the socio-economic estimate), which say "no observations yet"
while the warehouse has none. Expected figures are counted by hand from tests/small_dataset.py."""

from __future__ import annotations

import csv
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines.publishing.annual_report import NO_OBSERVATIONS_YET, SHEETS, write_annual_report
from seeds.reference_data import indicators

WITHHELD = "–"
V11_CODES = ("PARTICIPANTS_PER_100K", "JOB_12M_RATE", "SOCIO_BENEFITS_SEK", "SOCIO_TAX_SEK", "SOCIO_PRODUCTION_SEK",
             "SOCIO_SUBSIDY_SEK", "SOCIO_NET_SEK")


@pytest.fixture(scope="module")
def report(small_warehouse, tmp_path_factory):
    from pipelines.cli import main

    out = tmp_path_factory.mktemp("report") / "rapport.xlsx"
    assert main(["export", "--home", str(small_warehouse.home), "--format", "report", "--out", str(out), "--year", "2025"]) == 0
    return load_workbook(out)


def table(sheet, heading):
    """(lines above the header, header, rows keyed by their first cell) of a sheet whose header starts with ``heading``."""
    lines = list(sheet.iter_rows(values_only=True))
    top = next(n for n, line in enumerate(lines) if line[0] == heading)
    return lines[:top], lines[top], {row[0]: row[1:] for row in lines[top + 1:] if row[0] is not None}


def column(header, code_name_sv):
    return next(n for n, h in enumerate(header) if h.startswith(code_name_sv)) - 1  # minus the label column


def test_sheet_names_are_swedish_and_fit_excel(report):
    assert list(SHEETS.values()) == report.sheetnames
    assert all(len(name) <= 31 for name in report.sheetnames)
    assert {"kön", "ålder", "inkomstkällor", "täckning", "arbete_inom_12_mån", "per_län", "läs_mig_readme"} <= set(report.sheetnames)


def test_by_sex_every_code_and_the_hand_counts(report):
    _, header, rows = table(report["kön"], "kön / sex")
    participant_codes = [i.code for i in indicators() if "sex" in i.breakdowns and i.mart == "fct_indicator"]
    assert len(header) == 1 + len(participant_codes) and "PARTICIPANTS" in participant_codes
    assert list(rows) == ["Kvinna / Woman", "Man / Man", "Annat / ej angivet / Other / not stated", "Totalt / Total"]
    participants, emp_comp, rate = (column(header, name) for name in
                                    ("Antal deltagare", "Deltagare i konkurrensutsatt arbete /", "Andel i konkurrensutsatt arbete (%) /"))
    # 2025: all 22 enrolled; men A01 A04 A06 A08 A11 B01 B04 B06 B08 = 9; other A10 = 1; women 22 - 9 - 1 = 12
    assert rows["Kvinna / Woman"][participants] == 22 - 9 - 1 == 12
    # the one "other" is withheld (1-4), so the men's 9 is withheld beside it (else 22 - 12 - 9 would give it away)
    assert rows["Annat / ej angivet / Other / not stated"][participants] == WITHHELD
    assert rows["Man / Man"][participants] == WITHHELD
    assert rows["Totalt / Total"][participants] == 22
    # competitive jobs in 2025: men A01 B01 = 2 (withheld); other: A10 has none, a published 0 (nobody is not a small
    # count); women A02 A03 A05 A07 A12 B02 B03 = 7, withheld beside the men's 2 (a zero is never the complementary cell)
    assert rows["Annat / ej angivet / Other / not stated"][emp_comp] == 0
    assert rows["Man / Man"][emp_comp] == WITHHELD
    assert rows["Kvinna / Woman"][emp_comp] == WITHHELD
    assert rows["Kvinna / Woman"][rate] == WITHHELD
    assert rows["Totalt / Total"][emp_comp] == 2 + 0 + 7 == 9
    assert rows["Totalt / Total"][rate] == round(100 * 9 / 22, 1) == 40.9
    # 2025 intakes of women: A03 A05 A12 B03 B07 B09
    assert rows["Kvinna / Woman"][column(header, "Nya deltagare")] == 6


def test_by_age_every_group_in_code_list_order(report):
    _, header, rows = table(report["ålder"], "åldersgrupp / age group")
    assert list(rows) == ["Under 30 år / Under 30 years", "30–39 år / 30–39 years", "40–49 år / 40–49 years",
                          "50–59 år / 50–59 years", "60 år och äldre / 60 years and over", "Totalt / Total"]
    participants, intakes = column(header, "Antal deltagare"), column(header, "Nya deltagare")
    # age = 2025 - birth year: A01 (1995) and A02 (1990) are 30-39, everyone else (1985) is 40
    assert rows["30–39 år / 30–39 years"][participants] == WITHHELD  # 2
    assert rows["40–49 år / 40–49 years"][participants] == WITHHELD  # 20, withheld beside the 2
    # 2025 intakes: A03 A04 A05 A06 A10 A11 A12 B03 B06 B07 B08 B09, all born 1985; A01 and A02 came in 2024
    assert rows["40–49 år / 40–49 years"][intakes] == 12
    assert rows["30–39 år / 30–39 years"][intakes] == 0
    # nobody under 30, 50-59 or 60 and over: published zeros, not missing rows
    assert [rows[group][participants] for group in ("Under 30 år / Under 30 years", "50–59 år / 50–59 years",
                                                     "60 år och äldre / 60 years and over")] == [0, 0, 0]
    assert rows["Totalt / Total"][participants] == 22


def test_quarterly_series_national(report):
    _, header, rows = table(report["kvartal"], "kvartal / quarter")
    assert list(rows) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert len(header) == 1 + len([i for i in indicators() if i.quarterly])
    participants, employed = column(header, "Antal deltagare"), column(header, "Deltagare i konkurrensutsatt arbete /")
    comp_rate, paid_rate = column(header, "Andel i konkurrensutsatt arbete (%)"), column(header, "Andel i betalt arbete (%)")
    # Q1: A01 A02 A03 A04 A07 A08 A09 + B01 B02 B03 B04 B05 B06 B10; Q4: 9 at A and 8 at B
    assert rows["2025-Q1"][participants] == 14 and rows["2025-Q4"][participants] == 17
    # Q4 competitive: A01 A03 A05 A07 A12 B02 B03; paid adds A04's subsidised job
    assert rows["2025-Q4"][employed] == 7
    assert rows["2025-Q4"][comp_rate] == round(100 * 7 / 17, 1) == 41.2
    assert rows["2025-Q4"][paid_rate] == 47.1  # 8 / 17
    assert rows["2025-Q3"][paid_rate] == 31.3  # 5 / 16 = 31.25, half away from zero
    assert rows["2025-Q1"][employed] == WITHHELD  # A01 A02 B01: 3


def test_income_sources_withheld_and_missing_told_apart(report):
    lines, header, rows = table(report["inkomstkällor"], "inkomstkälla / income source")
    assert "summerar inte till 100" in lines[0][0]
    assert header[1:] == ("vid start (%) / at intake (%)", "vid uppföljning (%) / at follow-up (%)")
    # at intake all 22 have income recorded: sjukersättning 21 (22 - 21 = 1: withheld), lön and sjukpenning only A07;
    # at follow-up 3 (A01 lön, A02 lön|sjukersättning, A04 lönebidrag): under 10, all withheld
    assert list(rows) == ["Lön / Salary", "Lönebidrag / Wage subsidy", "Sjukpenning / Sickness benefit",
                          "Sjukersättning / Sickness compensation"]
    assert rows["Lönebidrag / Wage subsidy"] == (None, WITHHELD)  # nobody had it at intake: no observation, not withheld
    assert rows["Sjukpenning / Sickness benefit"] == (WITHHELD, None)
    assert rows["Sjukersättning / Sickness compensation"] == (WITHHELD, WITHHELD)


def test_a_column_of_rates_keeps_one_decimal(report):
    _, header, _ = table(report["kön"], "kön / sex")
    sheet = report["kön"]
    for c, heading in enumerate(header[1:], start=2):
        code = next(i for i in indicators() if heading.startswith(i.name_sv + " /"))
        formats = {cell.number_format for (cell,) in sheet.iter_rows(min_row=2, min_col=c, max_col=c) if isinstance(cell.value, (int, float))}
        assert formats <= {"#,##0.0" if code.decimals == 1 else "#,##0"}, heading
    # 50.0 is shown as 50,0 beside 40,9 in the national sheet's value column
    national = {row[0].value: row[4] for row in report["nationellt"].iter_rows(min_row=2)}
    assert national["EMP_OR_EDU_RATE"].value == 50 and national["EMP_OR_EDU_RATE"].number_format == "#,##0.0"
    assert national["PARTICIPANTS"].number_format == "#,##0"


def without_v11(small_warehouse, tmp_path) -> Path:
    """A copy of the published snapshot as it was before the v1.1 figures: none of their codes, no parameter table."""
    copy = tmp_path / "published.duckdb"
    shutil.copyfile(small_warehouse.published_path, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("delete from fct_indicator_published where indicator_code in (select unnest($codes))", {"codes": list(V11_CODES)})
        connection.execute("drop table if exists socioeconomic_parameters")
    return copy


@pytest.mark.parametrize(("sheet", "heading"), [("täckning", "område / area"), ("arbete_inom_12_mån", "område / area"),
                                                ("samhällsekonomisk_skattning", "område / area")])
def test_v11_sheets_say_no_observations_yet(small_warehouse, tmp_path, sheet, heading):
    out = tmp_path / "r.xlsx"
    write_annual_report(without_v11(small_warehouse, tmp_path), 2025, small_warehouse.suppression_threshold, out)
    _, header, rows = table(load_workbook(out)[sheet], heading)
    assert next(iter(rows)) == NO_OBSERVATIONS_YET == "Inga observationer ännu / No observations yet"
    assert "Sverige" not in rows


def test_socio_sheet_is_headed_as_a_model_estimate_and_says_the_parameters_are_absent(small_warehouse, tmp_path):
    out = tmp_path / "r.xlsx"
    write_annual_report(without_v11(small_warehouse, tmp_path), 2025, small_warehouse.suppression_threshold, out)
    lines, header, rows = table(load_workbook(out)["samhällsekonomisk_skattning"], "område / area")
    assert lines[0][0].startswith("MODELLSKATTNING") and "MODEL ESTIMATE" in lines[0][0]
    assert len(header) == 1 + 5  # benefits, tax, production, subsidy, net: by name once the catalogue has them
    assert any("socioeconomic_parameters is not in the published snapshot" in label for label in rows)


def codes_in_catalogue():
    return {i.code for i in indicators()}


def test_socio_sheet_shows_the_parameter_table_used(small_warehouse, tmp_path):
    snapshot = without_v11(small_warehouse, tmp_path)
    with duckdb.connect(str(snapshot)) as connection:
        connection.execute("""create table socioeconomic_parameters as select * from (values
            ('hourly_wage', 160.0, 'SEK', 2025, 'SCB lönestatistik'),
            ('income_tax_rate', 0.33, 'fraction', 2025, '002 Hudiksvall, tabell 3')) as t(name, value, unit, year, source)""")
    out = tmp_path / "r.xlsx"
    write_annual_report(snapshot, 2025, small_warehouse.suppression_threshold, out)
    _, _, rows = table(load_workbook(out)["samhällsekonomisk_skattning"], "område / area")
    assert rows["namn / name"] == ("värde / value", "enhet / unit", "år / year", "källa / source", None)
    assert rows["hourly_wage"][:4] == (160, "SEK", 2025, "SCB lönestatistik")
    assert rows["income_tax_rate"][:2] == (0.33, "fraction")


def test_cohort_sheet_shows_provisional_status(small_warehouse, tmp_path):
    if "JOB_12M_RATE" not in codes_in_catalogue():
        pytest.skip("JOB_12M_RATE is not in the indicator catalogue yet")
    snapshot = without_v11(small_warehouse, tmp_path)
    with duckdb.connect(str(snapshot)) as connection:
        connection.execute("""insert into fct_indicator_published by name select * from (values
            ('SE', 'total', 28.4, 'P', 'F'), ('SE-AB', 'area', null, 'Q', 'A'), ('SE-C', 'area', 30.0, 'P', 'F'))
            as t(ref_area, breakdown, obs_value, obs_status, conf_status),
            (select 'A' as freq, '2025' as time_period, 2025 as reporting_year, '_T' as sex, '_T' as age, '_T' as diagnosis,
                    'JOB_12M_RATE' as indicator_code, 'PC' as unit_measure)""")
    out = tmp_path / "r.xlsx"
    write_annual_report(snapshot, 2025, small_warehouse.suppression_threshold, out)
    sheet = load_workbook(out)["arbete_inom_12_mån"]
    lines, header, rows = table(sheet, "område / area")
    assert any("P = preliminär" in line[0] and "P = provisional" in line[0] for line in lines)
    assert header[-1] == "status (A/P/Q)"
    assert rows["Sverige"] == (28.4, "P")
    assert rows["Stockholms län"] == (WITHHELD, "Q")
    assert rows["Uppsala län"] == (30, "P")
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "Uppsala län")
    assert cell.number_format == "#,##0.0"  # 30,0 beside 28,4


def filled(sheet, heading):
    """The table of a v1.1 sheet, or a skip while the warehouse has no observations of it."""
    lines, header, rows = table(sheet, heading)
    if NO_OBSERVATIONS_YET in rows:
        pytest.skip(f"{sheet.title}: no observations in the warehouse yet")
    return lines, header, rows


def reference_rows(settings, name):
    """The rows of the replaceable reference table in effect for the data home (the shipped default in the tests)."""
    with settings.reference_table_path(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_coverage_per_100k_by_hand(report, small_warehouse):
    _, header, rows = filled(report["täckning"], "område / area")
    # the population of the newest year up to 2025
    table_rows = reference_rows(small_warehouse, "county_population")
    newest = max(int(r["year"]) for r in table_rows if int(r["year"]) <= 2025)
    population = {r["county_code"]: int(r["population"]) for r in table_rows if int(r["year"]) == newest}

    def per_100k(participants, people):
        return float((Decimal(100_000 * participants) / Decimal(people)).quantize(Decimal("0.1"), ROUND_HALF_UP))

    assert list(rows) == ["Sverige", "Stockholms län", "Uppsala län"]
    assert rows["Stockholms län"] == (12, per_100k(12, population["01"]))
    assert rows["Uppsala län"] == (10, per_100k(10, population["03"]))
    assert rows["Sverige"] == (22, per_100k(22, sum(population.values())))


def test_cohort_job_rate_by_hand(report):
    lines, header, rows = filled(report["arbete_inom_12_mån"], "område / area")
    assert any("P = preliminär" in line[0] for line in lines)
    # cohort 2025: the 12 intakes of 2025; a competitive job within 365 days: A03 A05 A12 B03 = 4, so withheld (Q)
    # whatever its provisional status; Stockholm 3 of 7, Uppsala 1 of 5: withheld too
    assert rows == {"Sverige": (WITHHELD, "Q"), "Stockholms län": (WITHHELD, "Q"), "Uppsala län": (WITHHELD, "Q")}


def test_socio_sheet_shows_the_published_parameters(report, small_warehouse):
    lines, _, rows = table(report["samhällsekonomisk_skattning"], "område / area")
    assert lines[0][0].startswith("MODELLSKATTNING")
    if "namn / name" not in rows:
        pytest.skip("no socioeconomic_parameters in the warehouse yet")
    for parameter in reference_rows(small_warehouse, "socioeconomic_parameters"):
        assert rows[parameter["name"]][:3] == (float(parameter["value"]), parameter["unit"], int(parameter["year"]))


def test_socio_estimate_by_hand(report):
    _, header, rows = filled(report["samhällsekonomisk_skattning"], "område / area")
    assert len(header) == 1 + 5
    # with income at follow-up: A01 (sjukersättning -> lön), A02 (lön added, sjukersättning kept), A04 (sjukersättning ->
    # lönebidrag): 3 contributors in Stockholm and the nation, so every estimate is withheld
    assert rows["Sverige"] == rows["Stockholms län"] == (WITHHELD,) * 5
