"""The SDMX-CSV export: header, codes, suppression, reproducibility; and formula-safe spreadsheets."""

from __future__ import annotations

import csv

import polars as pl

from pipelines.exports.observations import SDMX_COLUMNS, published_observations, sdmx_csv_text
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
