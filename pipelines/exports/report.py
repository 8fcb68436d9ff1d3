"""The annual report tables: one workbook of the protected figures the national function publishes each year."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.exports.observations import read_published, readme_rows
from pipelines.spreadsheet import write_xlsx
from seeds.reference_data import code_lists, indicator, indicators

SUPPRESSED = "–"  # text in a table of numbers: the reader sees at once that the cell is withheld
COUNTY_COLUMNS = ("SITES", "PARTICIPANTS", "EMP_COMP_RATE", "EMP_PAID_RATE", "CASELOAD", "FID_MEAN")
DIAGNOSIS_COLUMNS = ("PARTICIPANTS", "DIAG_SHARE", "EMP_COMP_RATE")


def _cell(value, decimals: int):
    if value is None:
        return SUPPRESSED
    return int(value) if decimals == 0 else float(value)


def _names(code: str) -> str:
    return f"{indicator(code).name_sv} / {indicator(code).name_en}"


def _wide(frame: pl.DataFrame, key: str, heading: str, labels: dict[str, str],
          codes: tuple[str, ...]) -> tuple[list[str], list[list[object]]]:
    """Rows of `key` (titled `heading`), one column per indicator code, suppressed cells as the dash."""
    header = [heading, *(_names(c) for c in codes)]
    rows = []
    for code_value, label in labels.items():
        cells = {r["indicator_code"]: r["obs_value"] for r in frame.filter(pl.col(key) == code_value).iter_rows(named=True)}
        if cells:
            rows.append([label, *(_cell(cells.get(c), indicator(c).decimals) for c in codes)])
    return header, rows


def report_sheets(database: Path, year: int, threshold: int) -> dict[str, tuple[list[str], list[list[object]]]]:
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
        "per_lan": _wide(annual.filter(breakdown="area"), "ref_area", "län / county", counties, COUNTY_COLUMNS),
        "diagnos": _wide(annual.filter(breakdown="diagnosis"), "diagnosis", "diagnosgrupp / diagnosis group", diagnoses,
                         DIAGNOSIS_COLUMNS),
        "tid_i_programmet": _wide(tenure, "tenure_band", "tid i programmet / time in programme", {"_T": "Totalt / Total", **bands},
                                  ("TIP_PARTICIPANTS", "TIP_EMP_COMP_RATE")),
        "programtrohet": (["område / area", *band_labels], fidelity_rows),
        "verksamheter": (["verksamhet / site", "namn / name", "kommun / municipality", "län / county", "huvudman / organiser"],
                         [[r["site_id"], r["site_name"], r["municipality_name"], r["county_name"], r["organiser_sv"]]
                          for r in sites.iter_rows(named=True)]),
    }


def write_report(database: Path, year: int, threshold: int, out: Path) -> None:
    write_xlsx(out, report_sheets(database, year, threshold))
