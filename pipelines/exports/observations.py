"""The published (protected) observations, and the files other countries and agencies load."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from pipelines.spreadsheet import write_csv, write_xlsx
from seeds.reference_data import code_lists, indicator, indicators, read_reference_csv

STRUCTURE_ID = "SE_IPS:DF_IPS(1.0)"
SDMX_COLUMNS = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "FREQ", "REF_AREA", "INDICATOR", "SEX", "AGE", "DIAGNOSIS",
                "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS", "CONF_STATUS"]
TOTAL = "_T"
BREAKDOWNS = ("total", "area", "sex", "age", "diagnosis")
CONF_STATUS_LABELS = {"F": ("Fri", "Free"), "A": ("Undertryckt: få personer", "Suppressed: small count"),
                      "D": ("Undertryckt: skyddar annan cell", "Suppressed: protects another cell")}

# A small fixed read of the one mart exports may use; the transformation itself is in dbt.
_PUBLISHED = """
    select freq, time_period, reporting_year, breakdown, ref_area, indicator_code, sex, age, diagnosis,
           obs_value, unit_measure, obs_status, conf_status
    from main.fct_indicator_published
    where $year is null or reporting_year = $year
"""


def read_published(database: Path, sql: str, params: dict | None = None) -> pl.DataFrame:
    """A query on the published snapshot, read-only."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return pl.from_arrow(connection.sql(sql, params=params or {}).to_arrow_table())


def published_observations(database: Path, year: int | None = None) -> pl.DataFrame:
    """Every published observation, in a fixed order (so the same data gives the same file)."""
    frame = read_published(database, _PUBLISHED, {"year": year})
    indicator_order = {i.code: n for n, i in enumerate(indicators())}
    breakdown_order = {name: n for n, name in enumerate(BREAKDOWNS)}
    return (
        frame.with_columns(
            pl.col("indicator_code").replace_strict(indicator_order, return_dtype=pl.Int32).alias("_indicator"),
            pl.col("breakdown").replace_strict(breakdown_order, return_dtype=pl.Int32).alias("_breakdown"),
        )
        .sort(["_indicator", "freq", "time_period", "_breakdown", "ref_area", "sex", "age", "diagnosis"])
        .drop("_indicator", "_breakdown")
    )


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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sdmx_csv_text(observations), encoding="utf-8", newline="")


def _labels() -> dict[str, dict[str, tuple[str, str]]]:
    """SDMX code -> (Swedish, English) label, per dimension."""
    def from_list(name: str) -> dict[str, tuple[str, str]]:
        return {c.sdmx_code: (c.label_sv, c.label_en) for c in code_lists()[name]}

    area = {"SE": ("Sverige", "Sweden")} | {c["iso_code"]: (c["county_name"], c["county_name"])
                                            for c in read_reference_csv("counties.csv")}
    total = {TOTAL: ("Totalt", "Total")}
    return {
        "ref_area": area,
        "sex": from_list("sex") | total,
        "age": from_list("age_group") | total,
        "diagnosis": from_list("diagnosis_group") | total,
        "indicator_code": {i.code: (i.name_sv, i.name_en) for i in indicators()},
        "unit_measure": {c.code: (c.label_sv, c.label_en) for c in code_lists()["unit"]},
    }


TIDY_HEADER = ["period", "frekvens_freq", "omrade_area", "omrade_sv", "area_en", "indikator_indicator", "indikator_sv",
               "indicator_en", "kon_sex", "kon_sv", "sex_en", "alder_age", "alder_sv", "age_en", "diagnos_diagnosis",
               "diagnos_sv", "diagnosis_en", "enhet_unit", "enhet_sv", "unit_en", "varde_value", "status_obs", "sekretess_conf", "sekretess_sv",
               "confidentiality_en"]


def tidy_rows(observations: pl.DataFrame) -> list[list[object]]:
    labels = _labels()
    rows = []
    for o in observations.iter_rows(named=True):
        row: list[object] = [o["time_period"], o["freq"]]
        for dimension in ("ref_area", "indicator_code", "sex", "age", "diagnosis"):
            row += [o[dimension], *labels[dimension][o[dimension]]]
        value = o["obs_value"]
        decimals = indicator(o["indicator_code"]).decimals
        row += [o["unit_measure"], *labels["unit_measure"][o["unit_measure"]],
                None if value is None else (int(value) if decimals == 0 else float(value)),
                o["obs_status"], o["conf_status"], *CONF_STATUS_LABELS[o["conf_status"]]]
        rows.append(row)
    return rows


def definitions_rows() -> tuple[list[str], list[list[object]]]:
    header = ["indikator_indicator", "namn_sv", "name_en", "enhet_unit", "definition_en", "nedbrytningar_breakdowns", "kvartal_quarterly"]
    return header, [[i.code, i.name_sv, i.name_en, i.unit, i.definition_en, " ".join(i.breakdowns), "ja/yes" if i.quarterly else "nej/no"]
                    for i in indicators()]


def readme_rows(observations: pl.DataFrame, threshold: int) -> list[list[object]]:
    periods = sorted(set(observations.get_column("time_period").to_list()))
    span = "—" if not periods else periods[0] if periods[0] == periods[-1] else f"{periods[0]}–{periods[-1]}"
    return [
        ["Källa / Source", "Nationell uppföljning av IPS (årsrapporter från verksamheterna) / National IPS monitoring (annual site returns)"],
        ["Perioder / Periods", span],
        ["Dataflöde / Dataflow", STRUCTURE_ID],
        ["Röjandeskydd / Disclosure control",
         f"Antal personer 1–{threshold - 1} undertrycks; andelar när täljare eller nämnare minus täljare är 1–{threshold - 1} eller nämnaren under 10; "
         f"medianer som vilar på färre än 10 personer; sekundär undertryckning inom varje nedbrytning. / Counts of persons 1–{threshold - 1} "
         f"are suppressed; percentages when numerator or denominator minus numerator is 1–{threshold - 1} or the denominator is under 10; "
         "medians resting on fewer than 10 persons; complementary suppression within each breakdown."],
        ["Kontakt / Contact", "Nationella stödfunktionen för IPS / National IPS support function"],
    ]


def write_tidy_csv(path: Path, observations: pl.DataFrame) -> None:
    write_csv(path, TIDY_HEADER, tidy_rows(observations))


def write_tidy_xlsx(path: Path, observations: pl.DataFrame, threshold: int) -> None:
    write_xlsx(path, {
        "data": (TIDY_HEADER, tidy_rows(observations)),
        "definitioner": definitions_rows(),
        "las_mig_readme": (["", ""], readme_rows(observations, threshold)),
    })
