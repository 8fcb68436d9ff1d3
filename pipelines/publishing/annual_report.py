"""The annual report tables: one workbook of the protected figures the national function publishes each year.

Every figure is shown with its indicator's decimals (a column of rates never mixes 40 and 40,9), a withheld one
as the dash, and a cell with no observation is left empty. Indicators the warehouse does not publish yet for the
year (the v1.1 coverage, cohort and socio-economic figures, while they are being added) give a sheet that says
there are no observations yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import polars as pl

from pipelines.publishing.published import TOTAL, read_published
from pipelines.publishing.tidy import README_SHEET, published_number, readme_rows
from pipelines.publishing.wide import SUPPRESSED, wide_cells
from pipelines.spreadsheet import Sheet, write_xlsx
from seeds.reference_data import Code, code_lists, indicator, indicators

COUNTY_COLUMNS = ("SITES", "PARTICIPANTS", "EMP_COMP_RATE", "EMP_PAID_RATE", "CASELOAD", "FID_MEAN")
DIAGNOSIS_COLUMNS = ("PARTICIPANTS", "DIAG_SHARE", "EMP_COMP_RATE")
COVERAGE_COLUMNS = ("PARTICIPANTS", "PARTICIPANTS_PER_100K")
COHORT_RATE = "JOB_12M_RATE"
SOCIO_COLUMNS = ("SOCIO_BENEFITS_SEK", "SOCIO_TAX_SEK", "SOCIO_PRODUCTION_SEK", "SOCIO_SUBSIDY_SEK", "SOCIO_NET_SEK")
SOCIO_PARAMETERS = "socioeconomic_parameters"  # the published relation of the estimate's assumptions

NO_OBSERVATIONS_YET = "Inga observationer ännu / No observations yet"
NO_OBSERVATION_NOTE = "tom cell = ingen observation / empty cell = no observation"
NATIONAL = "Sverige"
TOTAL_LABEL = "Totalt / Total"
AREA_HEADING = "område / area"

# The workbook's sheets, in order; Swedish names with å, ä and ö, each at most 31 characters (Excel's limit).
SHEETS = {
    "readme": README_SHEET,
    "national": "nationellt",
    "county": "per_län",
    "sex": "kön",
    "age": "ålder",
    "diagnosis": "diagnos",
    "quarterly": "kvartal",
    "tenure": "tid_i_programmet",
    "income": "inkomstkällor",
    "fidelity": "programtrohet",
    "coverage": "täckning",
    "cohort": "arbete_inom_12_mån",
    "socio": "samhällsekonomisk_skattning",
    "sites": "verksamheter",
}

def _number(value: Decimal | None, code: str) -> object:
    """A published value with its indicator's decimals, or the dash when withheld."""
    return SUPPRESSED if value is None else published_number(value, indicator(code).decimals)


def _names(code: str) -> str:
    """The indicator's Swedish and English names; its code while the catalogue does not have it yet."""
    known = {i.code: i for i in indicators()}
    return f"{known[code].name_sv} / {known[code].name_en}" if code in known else code


def _labels(code_list: str) -> dict[str, str]:
    """SDMX code -> "Swedish / English" label, in the code list's order."""
    codes: Sequence[Code] = code_lists()[code_list]
    return {c.sdmx_code or c.code: f"{c.label_sv} / {c.label_en}" for c in codes}


def _row(label: str, cells: Mapping[str, Decimal | None], codes: Sequence[str]) -> list[object]:
    """A label, then each code's published value; a code missing from ``cells`` has no observation (empty cell)."""
    return [label, *(_number(cells[c], c) if c in cells else None for c in codes)]


def _every_row(frame: pl.DataFrame, key: str, labels: Mapping[str, str]) -> dict[str, dict[str, Decimal | None]]:
    """Label -> its cells, for every label, also those without any observation."""
    observed = dict(wide_cells(frame, key, labels))
    return {label: observed.get(label, {}) for label in labels.values()}


def _wide_sheet(frame: pl.DataFrame, key: str, heading: str, labels: Mapping[str, str], codes: Sequence[str]) -> Sheet:
    """Rows of ``key`` (titled ``heading``) that have observations, one column per indicator code."""
    return [heading, *(_names(c) for c in codes)], [_row(label, cells, codes) for label, cells in wide_cells(frame, key, labels)]


def _breakdown_sheet(annual: pl.DataFrame, dimension: str, heading: str, code_list: str) -> Sheet:
    """A one-way breakdown of the participant indicators: every code of the dimension in the code list's order (a
    code with nobody in it is still a row), then the national total."""
    codes = [i.code for i in indicators() if dimension in i.breakdowns and i.mart == "fct_indicator"]
    rows = _every_row(annual.filter(breakdown=dimension), dimension, _labels(code_list))
    rows |= _every_row(annual.filter(breakdown="total"), dimension, {TOTAL: TOTAL_LABEL})
    return [heading, *(_names(c) for c in codes)], [_row(label, cells, codes) for label, cells in rows.items()]


def _quarterly_sheet(quarterly: pl.DataFrame, year: int) -> Sheet:
    """The national quarterly series: the year's four quarters down, every quarterly indicator across."""
    codes = [i.code for i in indicators() if i.quarterly]
    periods = {f"{year}-Q{q}": f"{year}-Q{q}" for q in range(1, 5)}
    rows = _every_row(quarterly.filter(breakdown="total"), "time_period", periods)
    return ["kvartal / quarter", *(_names(c) for c in codes)], [_row(label, cells, codes) for label, cells in rows.items()]


def _income_sheet(income: pl.DataFrame) -> Sheet:
    """The share with each income source at intake and at follow-up, the sources in the code list's order."""
    labels = {c.code: f"{c.label_sv} / {c.label_en}" for c in code_lists()["income_source"]}
    cells = {(r["income_source"], r["moment"]): r["obs_value"] for r in income.iter_rows(named=True)}
    present = set(income.get_column("income_source").to_list())
    rows = [[label, *(_number(cells[(source, moment)], "INCOME_SOURCE_RATE") if (source, moment) in cells else None
                      for moment in ("intake", "followup"))]
            for source, label in labels.items() if source in present]
    return ["inkomstkälla / income source", "vid start (%) / at intake (%)", "vid uppföljning (%) / at follow-up (%)"], rows


def _area_sheet(annual: pl.DataFrame, areas: Mapping[str, str], codes: Sequence[str], must_have: Sequence[str],
                status_of: str | None = None) -> Sheet:
    """Sverige and every county, one column per code; ``status_of``: a code whose observation status gets a column.
    With no observation of any of ``must_have`` for the year, one line saying so."""
    frame = annual.filter(pl.col("breakdown").is_in(["total", "area"]))
    header = [AREA_HEADING, *(_names(c) for c in codes)] + (["status (A/P/Q)"] if status_of else [])
    if not frame.filter(pl.col("indicator_code").is_in(list(must_have))).height:
        return header, [[NO_OBSERVATIONS_YET]]
    cells = _every_row(frame, "ref_area", areas)
    if not status_of:
        return header, [_row(label, cells[label], codes) for label in areas.values()]
    statuses = dict(frame.filter(indicator_code=status_of).select("ref_area", "obs_status").iter_rows())
    return header, [[*_row(label, cells[label], codes), statuses.get(area)] for area, label in areas.items()]


def _socio_sheet(annual: pl.DataFrame, areas: Mapping[str, str], parameters: pl.DataFrame | None) -> Sheet:
    """The socio-economic model estimate per area, then the parameter table it used (or that it is absent)."""
    header, rows = _area_sheet(annual, areas, SOCIO_COLUMNS, SOCIO_COLUMNS)
    title = f"Parametrar (antaganden) / Parameters (assumptions): {SOCIO_PARAMETERS}"
    if parameters is None:
        used: list[list[object]] = [[f"Parametertabellen {SOCIO_PARAMETERS} finns inte i de publicerade uppgifterna / "
                                     f"The parameter table {SOCIO_PARAMETERS} is not in the published snapshot"]]
    else:
        used = [["namn / name", "värde / value", "enhet / unit", "år / year", "källa / source"],
                *(list(r) for r in parameters.select("name", "value", "unit", "year", "source").iter_rows())]
    return header, [*rows, [], [title], *used]


def report_preambles(year: int) -> dict[str, list[list[object]]]:
    """Lines above the tables that need saying what they are: the v1.1 figures."""
    return {
        SHEETS["income"]: [
            [f"Andel av deltagarna {year} med inkomstkällan, bland dem med inkomst angiven vid tillfället. En person kan ha "
             "flera källor, så andelarna summerar inte till 100. / Share of the participants of "
             f"{year} with the income source, among those with income recorded at that moment. A person may have several "
             "sources, so the shares do not add up to 100."],
        ],
        SHEETS["coverage"]: [
            ["Deltagare per 100 000 invånare i området, per år. Undertryckt (–) när antalet deltagare är undertryckt. / "
             "Participants per 100,000 population of the area, per year. Withheld (–) when the number of participants is."],
        ],
        SHEETS["cohort"]: [
            [f"Kohort {year}: deltagare som började {year}. Andel som fick ett konkurrensutsatt arbete inom 365 dagar från "
             f"start. / Cohort {year}: participants with intake in {year}. Share who started a competitive job within 365 days "
             "of intake."],
            [f"Status: A = slutlig; P = preliminär: någon verksamhet med deltagare i kohorten har ännu ingen godkänd "
             f"rapport för {year + 1}, så värdet kan ändras; Q = undertryckt. / Status: A = final; P = provisional: a site "
             f"with cohort members has no accepted return for {year + 1} yet, so the value may change; Q = suppressed."],
        ],
        SHEETS["socio"]: [
            ["MODELLSKATTNING, inte en redovisning av faktiska utbetalningar / MODEL ESTIMATE, not an accounting of actual "
             "payments"],
            ["Beräknad årlig effekt (hela kronor) för deltagare med inkomst angiven vid uppföljning, med antagandena i "
             "parametertabellen nedanför. Nettoeffekt för offentliga finanser = minskade ersättningar + skatt − lönebidrag. "
             "Undertryckt (–) när 1–4 deltagare bidrar. / Estimated yearly effect (whole kronor) for participants with "
             "income recorded at follow-up, with the assumptions in the parameter table below. Net effect on public "
             "finances = benefits + tax − wage subsidies. Withheld (–) when 1–4 participants contribute."],
        ],
    }


def _parameters(database: Path) -> pl.DataFrame | None:
    """The socio-economic parameter table of the snapshot, or None when the snapshot has none."""
    present = read_published(database, "select count(*) as n from information_schema.tables where table_name = $name",
                             {"name": SOCIO_PARAMETERS})
    if not present.item():
        return None
    return read_published(database, f"select name, value, unit, year, source from main.{SOCIO_PARAMETERS} order by name, year")


def report_sheets(database: Path, year: int, threshold: int) -> dict[str, Sheet]:
    annual = read_published(database, "select * from fct_indicator_published where freq = 'A' and reporting_year = $year",
                            {"year": year})
    quarterly = read_published(database, "select * from fct_indicator_published where freq = 'Q' and reporting_year = $year",
                               {"year": year})
    national = {r["indicator_code"]: r for r in annual.filter(breakdown="total").iter_rows(named=True)}
    national_rows = [[i.code, i.name_sv, i.name_en, i.unit, _number(national[i.code]["obs_value"], i.code),
                      national[i.code]["conf_status"]]
                     for i in indicators() if i.code in national]

    sites = read_published(database, "select * from dim_sites_published where reporting_year = $year order by county_name, site_name",
                           {"year": year})
    counties = dict(sites.select("ref_area", "county_name").unique().sort("county_name").iter_rows())
    areas = {"SE": NATIONAL, **counties}
    bands = {c.code: f"{c.label_sv} / {c.label_en}" for c in code_lists()["tenure_band"]}
    tenure = read_published(database, "select * from fct_time_in_programme_published where reporting_year = $year", {"year": year})
    income = read_published(database, "select * from fct_income_sources_published where reporting_year = $year", {"year": year})
    fidelity = read_published(database, "select * from fct_fidelity_bands where reporting_year = $year", {"year": year})
    band_labels = [f"{c.label_sv}" for c in code_lists()["fidelity_band"]]
    fidelity_rows = []
    for area, name in areas.items():
        counts = dict(fidelity.filter(ref_area=area).select("fidelity_band", "obs_value").iter_rows())
        if counts:
            fidelity_rows.append([name, *(int(counts.get(c.code, 0)) for c in code_lists()["fidelity_band"])])

    readme = readme_rows(annual, threshold) + [["Tecken / Symbols", f"{SUPPRESSED} = undertryckt / suppressed; {NO_OBSERVATION_NOTE}"]]
    return {
        SHEETS["readme"]: (["", ""], readme),
        SHEETS["national"]: (["kod / code", "indikator", "indicator", "enhet / unit", "värde / value", "sekretess / confidentiality"],
                             national_rows),
        SHEETS["county"]: _wide_sheet(annual.filter(breakdown="area"), "ref_area", "län / county", counties, COUNTY_COLUMNS),
        SHEETS["sex"]: _breakdown_sheet(annual, "sex", "kön / sex", "sex"),
        SHEETS["age"]: _breakdown_sheet(annual, "age", "åldersgrupp / age group", "age_group"),
        SHEETS["diagnosis"]: _wide_sheet(annual.filter(breakdown="diagnosis"), "diagnosis", "diagnosgrupp / diagnosis group",
                                         _labels("diagnosis_group"), DIAGNOSIS_COLUMNS),
        SHEETS["quarterly"]: _quarterly_sheet(quarterly, year),
        SHEETS["tenure"]: _wide_sheet(tenure, "tenure_band", "tid i programmet / time in programme", {TOTAL: TOTAL_LABEL, **bands},
                                      ("TIP_PARTICIPANTS", "TIP_EMP_COMP_RATE")),
        SHEETS["income"]: _income_sheet(income),
        SHEETS["fidelity"]: ([AREA_HEADING, *band_labels], fidelity_rows),
        SHEETS["coverage"]: _area_sheet(annual, areas, COVERAGE_COLUMNS, ["PARTICIPANTS_PER_100K"]),
        SHEETS["cohort"]: _area_sheet(annual, areas, [COHORT_RATE], [COHORT_RATE], status_of=COHORT_RATE),
        SHEETS["socio"]: _socio_sheet(annual, areas, _parameters(database)),
        SHEETS["sites"]: (["verksamhet / site", "namn / name", "kommun / municipality", "län / county", "huvudman / organiser"],
                          [[r["site_id"], r["site_name"], r["municipality_name"], r["county_name"], r["organiser_sv"]]
                           for r in sites.iter_rows(named=True)]),
    }


def write_annual_report(database: Path, year: int, threshold: int, out: Path) -> None:
    write_xlsx(out, report_sheets(database, year, threshold), report_preambles(year))
