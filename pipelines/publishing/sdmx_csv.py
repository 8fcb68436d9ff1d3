"""SDMX-CSV 2.0 of the published observations: what other countries and agencies load."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import polars as pl

from pipelines.private_files import PUBLIC_FILE, write_atomically
from seeds.reference_data import indicator

STRUCTURE_ID = "SE_IPS:DF_IPS(1.0)"
SDMX_COLUMNS = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "FREQ", "REF_AREA", "INDICATOR", "SEX", "AGE", "DIAGNOSIS",
                "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS", "CONF_STATUS"]


def format_value(value: Decimal | None, indicator_code: str) -> str:
    if value is None:
        return ""
    return f"{value:.{indicator(indicator_code).decimals}f}"


def sdmx_csv_text(observations: pl.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SDMX_COLUMNS)
    for o in observations.iter_rows(named=True):
        writer.writerow(["dataflow", STRUCTURE_ID, "I", o["freq"], o["ref_area"], o["indicator_code"], o["sex"], o["age"],
                         o["diagnosis"], o["time_period"], format_value(o["obs_value"], o["indicator_code"]),
                         o["unit_measure"], o["obs_status"], o["conf_status"]])
    return buffer.getvalue()


def write_sdmx_csv(path: Path, observations: pl.DataFrame) -> None:
    write_atomically(path, sdmx_csv_text(observations).encode("utf-8"), PUBLIC_FILE)  # a kill leaves the old file or none


def write_sdmx_csv_per_year(directory: Path, observations: pl.DataFrame) -> list[Path]:
    """One file per reporting year, named as the data home's README says (a file half written by a run killed before is
    cleared)."""
    for abandoned in directory.glob(".*.incoming"):
        abandoned.unlink()
    written = []
    for year in sorted(set(observations.get_column("reporting_year").to_list())):
        path = directory / f"ips_indicators_{year}_sdmx.csv"
        write_sdmx_csv(path, observations.filter(reporting_year=year))
        written.append(path)
    return written
