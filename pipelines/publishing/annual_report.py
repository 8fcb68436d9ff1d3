"""The annual report tables: one workbook of the protected figures the national function publishes each year."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl

from pipelines.publishing.published import read_published
from pipelines.publishing.tidy import readme_rows
from pipelines.publishing.wide import SUPPRESSED, wide_cells
from pipelines.spreadsheet import Sheet, write_xlsx
from seeds.reference_data import code_lists, indicator, indicators

COUNTY_COLUMNS = ("SITES", "PARTICIPANTS", "EMP_COMP_RATE", "EMP_PAID_RATE", "CASELOAD", "FID_MEAN")
DIAGNOSIS_COLUMNS = ("PARTICIPANTS", "DIAG_SHARE", "EMP_COMP_RATE")


def _cell(value: Decimal | None, decimals: int) -> object:
    if value is None:
        return SUPPRESSED
    return int(value) if decimals == 0 else float(value)


def _names(code: str) -> str:
    return f"{indicator(code).name_sv} / {indicator(code).name_en}"


def _wide_sheet(frame: pl.DataFrame, key: str, heading: str, labels: dict[str, str], codes: tuple[str, ...]) -> Sheet:
    """Rows of ``key`` (titled ``heading``), one column per indicator code, withheld cells as the dash."""
    rows = [[label, *(_cell(cells.get(c), indicator(c).decimals) for c in codes)] for label, cells in wide_cells(frame, key, labels)]
    return [heading, *(_names(c) for c in codes)], rows


def report_sheets(database: Path, year: int, threshold: int) -> dict[str, Sheet]:
    annual = read_published(database, "select * from fct_indicator_published where freq = 'A' and reporting_year = $year",
                            {"year": year})
    national = {r["indicator_code"]: r for r in annual.filter(breakdown="total").iter_rows(named=True)}
    national_rows = [[i.code, i.name_sv, i.name_en, i.unit, _cell(national[i.code]["obs_value"], i.decimals),
                      national[i.code]["conf_status"]]
                     for i in indicators() if i.code in national]

    sites = read_published(database, "select * from dim_sites_published where reporting_year = $year order by county_name, site_name",
                           {"year": year})
    counties = dict(sites.select("ref_area", "county_name").unique().sort("county_name").iter_rows())
    diagnoses = {c.sdmx_code: f"{c.label_sv} / {c.label_en}" for c in code_lists()["diagnosis_group"]}
    bands = {c.code: f"{c.label_sv} / {c.label_en}" for c in code_lists()["tenure_band"]}
    tenure = read_published(database, "select * from fct_time_in_programme_published where reporting_year = $year", {"year": year})
    fidelity = read_published(database, "select * from fct_fidelity_bands where reporting_year = $year", {"year": year})
    band_labels = [f"{c.label_sv}" for c in code_lists()["fidelity_band"]]
    fidelity_rows = []
    for area, name in {"SE": "Sverige", **counties}.items():
        counts = dict(fidelity.filter(ref_area=area).select("fidelity_band", "obs_value").iter_rows())
        if counts:
            fidelity_rows.append([name, *(int(counts.get(c.code, 0)) for c in code_lists()["fidelity_band"])])

    readme = readme_rows(annual, threshold) + [["Tecken / Symbols", f"{SUPPRESSED} = undertryckt / suppressed"]]
    return {
        "las_mig_readme": (["", ""], readme),
        "nationellt": (["kod / code", "indikator", "indicator", "enhet / unit", "värde / value", "sekretess / confidentiality"],
                       national_rows),
        "per_lan": _wide_sheet(annual.filter(breakdown="area"), "ref_area", "län / county", counties, COUNTY_COLUMNS),
        "diagnos": _wide_sheet(annual.filter(breakdown="diagnosis"), "diagnosis", "diagnosgrupp / diagnosis group", diagnoses,
                               DIAGNOSIS_COLUMNS),
        "tid_i_programmet": _wide_sheet(tenure, "tenure_band", "tid i programmet / time in programme", {"_T": "Totalt / Total", **bands},
                                        ("TIP_PARTICIPANTS", "TIP_EMP_COMP_RATE")),
        "programtrohet": (["område / area", *band_labels], fidelity_rows),
        "verksamheter": (["verksamhet / site", "namn / name", "kommun / municipality", "län / county", "huvudman / organiser"],
                         [[r["site_id"], r["site_name"], r["municipality_name"], r["county_name"], r["organiser_sv"]]
                          for r in sites.iter_rows(named=True)]),
    }


def write_annual_report(database: Path, year: int, threshold: int, out: Path) -> None:
    write_xlsx(out, report_sheets(database, year, threshold))
