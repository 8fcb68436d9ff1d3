"""The SDMX-CSV export: header, codes, suppression, reproducibility; and formula-safe spreadsheets."""

from __future__ import annotations

import csv
from decimal import Decimal

import pandas as pd
import polars as pl

from pipelines.publishing.published import published_observations
from pipelines.publishing.sdmx_csv import SDMX_COLUMNS, sdmx_csv_text
from pipelines.publishing.sdmx_structure import structure_message
from pipelines.publishing.tidy import TIDY_HEADER, write_tidy_csv
from pipelines.settings import SDMX_STRUCTURE_PATH
from pipelines.spreadsheet import safe_text, write_csv


def sdmx_rows(settings):
    return list(csv.DictReader((settings.exports_dir / "ips_indicators_2025_sdmx.csv").open(encoding="utf-8")))


def test_header_and_fixed_columns(small_warehouse):
    with (small_warehouse.exports_dir / "ips_indicators_2025_sdmx.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == ",".join(SDMX_COLUMNS)
    rows = sdmx_rows(small_warehouse)
    assert {(r["STRUCTURE"], r["STRUCTURE_ID"], r["ACTION"]) for r in rows} == {("dataflow", "SE_IPS:DF_IPS(1.0)", "I")}
    assert {r["FREQ"] for r in rows} == {"A", "Q"}
    assert {r["REF_AREA"] for r in rows} == {"SE", "SE-AB", "SE-C"}


def test_values_and_statuses(small_warehouse):
    rows = sdmx_rows(small_warehouse)

    def obs(indicator, area="SE", period="2025", sex="_T"):
        (row,) = [r for r in rows if (r["INDICATOR"], r["REF_AREA"], r["TIME_PERIOD"], r["SEX"], r["AGE"], r["DIAGNOSIS"])
                  == (indicator, area, period, sex, "_T", "_T")]
        return row["OBS_VALUE"], row["UNIT_MEASURE"], row["OBS_STATUS"], row["CONF_STATUS"]

    assert obs("SITES") == ("2", "NUM", "A", "F")
    assert obs("PARTICIPANTS") == ("22", "PS", "A", "F")
    assert obs("EMP_COMP_RATE") == ("40.9", "PC", "A", "F")
    assert obs("FID_MEAN") == ("95.5", "SCORE", "A", "F")
    assert obs("EMP_COMP", "SE-C") == ("", "PS", "Q", "A")
    assert obs("EMP_COMP", "SE-AB") == ("", "PS", "Q", "D")
    assert obs("PARTICIPANTS", period="2025-Q1") == ("14", "PS", "A", "F")
    keys = [tuple(r[c] for c in SDMX_COLUMNS[3:10]) for r in rows]
    assert len(keys) == len(set(keys))


def test_receiver_reproduces_the_national_quarterly_rate_with_polars(small_warehouse):
    frame = pl.read_csv(small_warehouse.exports_dir / "ips_indicators_2025_sdmx.csv", schema_overrides={"OBS_VALUE": pl.String})
    q4 = frame.filter(FREQ="Q", REF_AREA="SE", TIME_PERIOD="2025-Q4")
    participants = int(q4.filter(INDICATOR="PARTICIPANTS")["OBS_VALUE"][0])
    employed = int(q4.filter(INDICATOR="EMP_COMP")["OBS_VALUE"][0])
    rate = q4.filter(INDICATOR="EMP_COMP_RATE")["OBS_VALUE"][0]
    assert (participants, employed) == (17, 7)
    assert rate == f"{100 * employed / participants:.1f}" == "41.2"


def test_same_data_gives_byte_identical_file(small_warehouse):
    first = sdmx_csv_text(published_observations(small_warehouse.published_path, 2025))
    second = sdmx_csv_text(published_observations(small_warehouse.published_path, 2025))
    assert first == second == (small_warehouse.exports_dir / "ips_indicators_2025_sdmx.csv").read_text(encoding="utf-8")


def test_formula_injection_is_defused_and_numbers_stay_numbers(tmp_path):
    assert safe_text('=HYPERLINK("http://x","klicka")') == '\'=HYPERLINK("http://x","klicka")'
    assert safe_text("+46 70") == "'+46 70" and safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("IPS Umeå") == "IPS Umeå" and safe_text(-3) == -3 and safe_text(4.5) == 4.5
    write_csv(tmp_path / "t.csv", ["name", "n"], [["=1+1", 3]])
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "'=1+1,3"


def test_sdmx_round_trip_through_pysdmx_against_the_shipped_structure(small_warehouse):
    from pysdmx.io import get_datasets

    data = small_warehouse.exports_dir / "ips_indicators_2025_sdmx.csv"
    structure = small_warehouse.exports_dir / SDMX_STRUCTURE_PATH.name  # shipped beside the data
    (dataset,) = get_datasets(data, structure)
    assert dataset.short_urn == "Dataflow=SE_IPS:DF_IPS(1.0)"
    frame = dataset.data
    for component in dataset.structure.components:
        if component.enumeration is not None:
            allowed = {code.id for code in component.enumeration}
            assert set(frame[component.id]) <= allowed, component.id
    keys = frame[["FREQ", "REF_AREA", "INDICATOR", "SEX", "AGE", "DIAGNOSIS", "TIME_PERIOD"]]
    assert not keys.duplicated().any()
    suppressed = frame[frame["OBS_STATUS"] == "Q"]
    assert suppressed["OBS_VALUE"].isna().all() and set(suppressed["CONF_STATUS"]) == {"A", "D"}

    published = published_observations(small_warehouse.published_path, 2025)
    assert len(frame) == published.height  # every published observation, once
    mart = {(o["indicator_code"], o["ref_area"], o["time_period"], o["sex"], o["age"], o["diagnosis"]): o["obs_value"]
            for o in published.iter_rows(named=True)}
    for row in frame.itertuples():
        expected = mart[(row.INDICATOR, row.REF_AREA, row.TIME_PERIOD, row.SEX, row.AGE, row.DIAGNOSIS)]
        assert pd.isna(row.OBS_VALUE) if expected is None else float(expected) == row.OBS_VALUE


def test_shipped_structure_is_generated_from_the_code_lists():
    assert SDMX_STRUCTURE_PATH.read_text(encoding="utf-8") == structure_message(), "run: python -m pipelines.publishing.sdmx_structure"


def test_receiver_reproduces_the_national_quarterly_rate_with_plain_csv(small_warehouse):
    with (small_warehouse.exports_dir / "ips_indicators_2025_sdmx.csv").open(encoding="utf-8", newline="") as handle:
        q4 = {r["INDICATOR"]: r["OBS_VALUE"] for r in csv.DictReader(handle)
              if r["FREQ"] == "Q" and r["TIME_PERIOD"] == "2025-Q4" and r["REF_AREA"] == "SE"}
    assert float(q4["EMP_COMP_RATE"]) == round(100 * int(q4["EMP_COMP"]) / int(q4["PARTICIPANTS"]), 1) == 41.2


def export(settings, fmt, out, year="2025"):
    from pipelines.cli import main

    assert main(["export", "--home", str(settings.home), "--format", fmt, "--out", str(out), "--year", year]) == 0
    return out


def test_annual_report_tables(small_warehouse, tmp_path):
    from openpyxl import load_workbook

    workbook = load_workbook(export(small_warehouse, "report", tmp_path / "rapport.xlsx"))
    assert workbook.sheetnames == ["läs_mig_readme", "nationellt", "per_län", "kön", "ålder", "diagnos", "kvartal",
                                   "tid_i_programmet", "inkomstkällor", "programtrohet", "täckning", "arbete_inom_12_mån",
                                   "samhällsekonomisk_skattning", "verksamheter"]
    national = {row[0]: row[4] for row in workbook["nationellt"].iter_rows(min_row=2, values_only=True)}
    assert national["PARTICIPANTS"] == 22 and national["EMP_COMP_RATE"] == 40.9 and national["FID_MEAN"] == 95.5
    counties = {row[0]: row[1:] for row in workbook["per_län"].iter_rows(min_row=2, values_only=True)}
    # sites, participants, competitive rate, paid rate, caseload, fidelity
    assert counties["Uppsala län"][:3] == (1, 10, "–")
    tenure = {row[0]: row[1:] for row in workbook["tid_i_programmet"].iter_rows(min_row=2, values_only=True)}
    assert tenure["Totalt / Total"] == (22, 40.9)
    fidelity = {row[0]: row[1:] for row in workbook["programtrohet"].iter_rows(min_row=2, values_only=True)}
    assert fidelity["Sverige"] == (0, 1, 1, 0)


def test_site_names_cannot_become_formulas(small_warehouse, tmp_path):
    from openpyxl import load_workbook

    from tests.small_dataset import HOSTILE_SITE_NAME

    sheet = load_workbook(export(small_warehouse, "report", tmp_path / "rapport.xlsx"))["verksamheter"]
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    hostile = next(cell for cell in names if "HYPERLINK" in str(cell.value))
    assert hostile.data_type == "s" and hostile.value == "'" + HOSTILE_SITE_NAME


def test_exports_are_byte_identical_for_the_same_returns(small_warehouse, tmp_path):
    for fmt, name in (("xlsx", "a.xlsx"), ("report", "r.xlsx"), ("csv", "t.csv"), ("sdmx-csv", "s.csv")):
        first = export(small_warehouse, fmt, tmp_path / "first" / name).read_bytes()
        second = export(small_warehouse, fmt, tmp_path / "second" / name).read_bytes()
        assert first == second, fmt


# The tidy CSV in Swedish Excel's dialect (the default) and in the international form.

FOLDED = ("omrade", "kon_", "alder", "varde", "las_", "_lan", "manad", "kall")  # å, ä, ö written as a, o: never


def national_2025(rows, indicator):
    return next(r for r in rows if r["indikator_indicator"] == indicator and r["område_area"] == "SE" and r["period"] == "2025"
                and r["kön_sex"] == "_T" and r["ålder_age"] == "_T" and r["diagnos_diagnosis"] == "_T")


def test_tidy_csv_opens_in_swedish_excel_by_default(small_warehouse, tmp_path):
    raw = export(small_warehouse, "csv", tmp_path / "tidy.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8, so å, ä and ö
    with (tmp_path / "tidy.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        rows = list(reader)
    assert reader.fieldnames == TIDY_HEADER
    assert {"område_area", "område_sv", "kön_sex", "kön_sv", "ålder_age", "ålder_sv", "värde_value"} <= set(TIDY_HEADER)
    assert not [h for h in TIDY_HEADER if any(folded in h for folded in FOLDED)]
    # by hand: 9 of the 22 enrolled had a competitive job in 2025 (A01 A02 A03 A05 A07 A12 B01 B02 B03)
    assert national_2025(rows, "EMP_COMP_RATE")["värde_value"] == "40,9" == f"{100 * 9 / 22:.1f}".replace(".", ",")
    assert national_2025(rows, "PARTICIPANTS")["värde_value"] == "22"
    assert national_2025(rows, "EMP_OR_EDU_RATE")["värde_value"] == "50,0"  # a rate keeps its decimal: 11 of 22
    assert national_2025(rows, "EMP_COMP_RATE")["område_sv"] == "Sverige"
    withheld = next(r for r in rows if r["indikator_indicator"] == "EMP_COMP" and r["område_area"] == "SE-C" and r["period"] == "2025")
    assert (withheld["värde_value"], withheld["status_obs"], withheld["sekretess_conf"]) == ("", "Q", "A")
    assert not [v for r in rows for v in r.values() if v.startswith(("=", "+", "@"))]


def test_tidy_csv_international_dialect(small_warehouse, tmp_path):
    from pipelines.cli import main

    out = tmp_path / "tidy.csv"
    assert main(["export", "--home", str(small_warehouse.home), "--format", "csv", "--dialect", "international",
                 "--out", str(out), "--year", "2025"]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert handle.readline().rstrip("\n") == ",".join(TIDY_HEADER)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert national_2025(rows, "EMP_COMP_RATE")["värde_value"] == "40.9"
    assert national_2025(rows, "CASELOAD")["värde_value"] == "4.9"  # 17 enrolled on 31 December / 3.5 FTE
    assert national_2025(rows, "PARTICIPANTS")["värde_value"] == "22"


def test_dialect_is_only_for_the_tidy_csv_and_sdmx_stays_international(small_warehouse, tmp_path):
    from pipelines.cli import main

    assert main(["export", "--home", str(small_warehouse.home), "--format", "sdmx-csv", "--dialect", "excel-sv",
                 "--out", str(tmp_path / "s.csv"), "--year", "2025"]) == 2
    assert not (tmp_path / "s.csv").exists()
    sdmx = export(small_warehouse, "sdmx-csv", tmp_path / "s.csv").read_text(encoding="utf-8")
    assert sdmx.startswith("STRUCTURE,STRUCTURE_ID,") and ",40.9," in sdmx and ";" not in sdmx


def one_observation(indicator, value, unit="PC"):
    return pl.DataFrame([{"time_period": "2025", "freq": "A", "ref_area": "SE", "indicator_code": indicator, "sex": "_T",
                          "age": "_T", "diagnosis": "_T", "unit_measure": unit, "obs_value": value, "obs_status": "A",
                          "conf_status": "F"}], schema_overrides={"obs_value": pl.Decimal(18, 1)})


def test_a_value_like_28_4_is_written_28_comma_4_by_default(tmp_path):
    frame = pl.concat([one_observation("EMP_COMP_RATE", Decimal("28.4")), one_observation("EMP_PAID_RATE", Decimal("30.0")),
                       one_observation("PARTICIPANTS", Decimal("1234.0"), "PS")])
    write_tidy_csv(tmp_path / "sv.csv", frame)
    write_tidy_csv(tmp_path / "int.csv", frame, "international")
    with (tmp_path / "sv.csv").open(encoding="utf-8-sig", newline="") as handle:
        swedish = [r["värde_value"] for r in csv.DictReader(handle, delimiter=";")]
    with (tmp_path / "int.csv").open(encoding="utf-8-sig", newline="") as handle:
        international = [r["värde_value"] for r in csv.DictReader(handle)]
    assert swedish == ["28,4", "30,0", "1234"]
    assert international == ["28.4", "30.0", "1234"]


def test_numbers_are_not_defused_but_text_is_in_either_dialect(tmp_path):
    write_csv(tmp_path / "t.csv", ["text", "n", "x"], [["-1", Decimal("-12.5"), -3.5]], delimiter=";", decimal=",")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "'-1;-12,5;-3,5"


def test_tidy_xlsx_sheet_names_and_headers_keep_swedish_letters(small_warehouse, tmp_path):
    from openpyxl import load_workbook

    workbook = load_workbook(export(small_warehouse, "xlsx", tmp_path / "tidy.xlsx"))
    assert workbook.sheetnames == ["data", "definitioner", "läs_mig_readme"]
    header = [c.value for c in workbook["data"][1]]
    assert header == TIDY_HEADER
    names = [*workbook.sheetnames, *header]
    assert not [n for n in names if any(folded in n for folded in FOLDED)]
