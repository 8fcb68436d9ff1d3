"""The tidy CSV and XLSX exports: one observation a row, every code with its Swedish and English label."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl

from pipelines.publishing.disclosure import CONF_STATUS_LABELS, rules_in_both_languages
from pipelines.publishing.published import TOTAL
from pipelines.publishing.sdmx_csv import STRUCTURE_ID
from pipelines.spreadsheet import CSV_DIALECTS, DEFAULT_CSV_DIALECT, Sheet, write_csv, write_xlsx
from seeds.reference_data import code_lists, counties, indicator, indicators

# Swedish words with their å, ä and ö (never folded to a, o), the English beside them.
TIDY_HEADER = ["period", "frekvens_freq", "område_area", "område_sv", "area_en", "indikator_indicator", "indikator_sv",
               "indicator_en", "kön_sex", "kön_sv", "sex_en", "ålder_age", "ålder_sv", "age_en", "diagnos_diagnosis",
               "diagnos_sv", "diagnosis_en", "enhet_unit", "enhet_sv", "unit_en", "värde_value", "status_obs", "sekretess_conf",
               "sekretess_sv", "confidentiality_en"]
README_SHEET = "läs_mig_readme"


def _labels() -> dict[str, dict[str, tuple[str, str]]]:
    """SDMX code -> (Swedish, English) label, per dimension."""
    def from_list(name: str) -> dict[str, tuple[str, str]]:
        return {c.sdmx_code: (c.label_sv, c.label_en) for c in code_lists()[name]}

    total = {TOTAL: ("Totalt", "Total")}
    return {
        "ref_area": {"SE": ("Sverige", "Sweden")} | {c.iso_code: (c.name, c.name) for c in counties()},
        "sex": from_list("sex") | total,
        "age": from_list("age_group") | total,
        "diagnosis": from_list("diagnosis_group") | total,
        "indicator_code": {i.code: (i.name_sv, i.name_en) for i in indicators()},
        "unit_measure": {c.code: (c.label_sv, c.label_en) for c in code_lists()["unit"]},
    }


def published_number(value: Decimal, decimals: int) -> Decimal:
    """A published value with exactly its indicator's decimals (40.0 stays 40.0 beside 40.9; a count is whole)."""
    return value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def tidy_rows(observations: pl.DataFrame) -> list[list[object]]:
    labels = _labels()
    rows = []
    for o in observations.iter_rows(named=True):
        row: list[object] = [o["time_period"], o["freq"]]
        for dimension in ("ref_area", "indicator_code", "sex", "age", "diagnosis"):
            row += [o[dimension], *labels[dimension][o[dimension]]]
        value = o["obs_value"]
        row += [o["unit_measure"], *labels["unit_measure"][o["unit_measure"]],
                None if value is None else published_number(value, indicator(o["indicator_code"]).decimals),
                o["obs_status"], o["conf_status"], *CONF_STATUS_LABELS[o["conf_status"]]]
        rows.append(row)
    return rows


def definitions_sheet() -> Sheet:
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
        ["Röjandeskydd / Disclosure control", rules_in_both_languages(threshold)],
        ["Kontakt / Contact", "Nationella stödfunktionen för IPS / National IPS support function"],
    ]


def write_tidy_csv(path: Path, observations: pl.DataFrame, dialect: str = DEFAULT_CSV_DIALECT) -> None:
    """``dialect``: ``excel-sv`` (``;`` and decimal comma: what Swedish Excel opens as columns of numbers) or
    ``international`` (``,`` and decimal point); UTF-8 with a BOM either way."""
    form = CSV_DIALECTS[dialect]
    write_csv(path, TIDY_HEADER, tidy_rows(observations), delimiter=form.delimiter, decimal=form.decimal)


def write_tidy_xlsx(path: Path, observations: pl.DataFrame, threshold: int) -> None:
    write_xlsx(path, {
        "data": (TIDY_HEADER, tidy_rows(observations)),
        "definitioner": definitions_sheet(),
        README_SHEET: (["", ""], readme_rows(observations, threshold)),
    })
