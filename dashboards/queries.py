"""What the dashboard shows, as plain functions over the published snapshot (tested without Streamlit).

Only the protected mart ``fct_indicator_published`` is read: these pages are for
ministries and the public.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl

from pipelines.publishing.published import read_published
from pipelines.publishing.wide import SUPPRESSED, wide_cells
from seeds import reference_data
from seeds.reference_data import code_lists, indicator, indicators

MISSING = "saknas"  # nothing to report, e.g. no site in the county had a fidelity review
HEADLINE = ("SITES", "PARTICIPANTS", "EMP_COMP_RATE", "FID_MEAN")

_query = read_published


def indicator_names() -> dict[str, str]:
    return {i.code: i.name_sv for i in indicators()}


def county_names() -> dict[str, str]:
    return {"SE": "Hela Sverige"} | reference_data.county_names()


def years(database: Path) -> list[int]:
    frame = _query(database, "select distinct reporting_year from main.fct_indicator_published order by 1 desc")
    return frame.get_column("reporting_year").to_list()


def headline(database: Path, year: int, ref_area: str = "SE") -> dict[str, tuple[float | None, str]]:
    """Indicator -> (value, confidentiality status) for the year's totals of one area."""
    frame = _query(database, """
        select indicator_code, obs_value, conf_status from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and ref_area = $area
          and sex = '_T' and age = '_T' and diagnosis = '_T'
    """, {"year": year, "area": ref_area})
    return {row["indicator_code"]: (None if row["obs_value"] is None else float(row["obs_value"]), row["conf_status"])
            for row in frame.iter_rows(named=True)}


def display_value(value: float | None, indicator_code: str, reported: bool = True) -> str:
    """Swedish number format; ``reported`` is False when there is no observation at all."""
    if not reported:
        return MISSING
    if value is None:
        return SUPPRESSED
    text = f"{value:,.{indicator(indicator_code).decimals}f}".replace(",", "\u202f").replace(".", ",")  # Swedish: 1 234,5
    return f"{text} %" if indicator(indicator_code).unit == "PC" else text


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _display_table(frame: pl.DataFrame, key: str, heading: str, labels: dict[str, str], codes: tuple[str, ...]) -> pl.DataFrame:
    """One row per value of `key` present in the frame (in the order of `labels`), one display column per indicator."""
    names = indicator_names()
    return pl.DataFrame([
        {heading: label, **{names[c]: display_value(_as_float(cells.get(c)), c, c in cells) for c in codes}}
        for label, cells in wide_cells(frame, key, labels)
    ])


def trend(database: Path, indicator_code: str, freq: str = "Q") -> pl.DataFrame:
    """The national series of one indicator: period, value (suppressed periods have none)."""
    return _query(database, """
        select time_period as period, cast(obs_value as double) as value, conf_status
        from main.fct_indicator_published
        where indicator_code = $code and freq = $freq and ref_area = 'SE' and breakdown = 'total'
        order by time_period
    """, {"code": indicator_code, "freq": freq})


def by_county(database: Path, year: int, codes: tuple[str, ...] = HEADLINE) -> pl.DataFrame:
    """One row per county with a site: the headline indicators side by side, as display text."""
    frame = _query(database, """
        select ref_area, indicator_code, obs_value from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and breakdown = 'area'
          and list_contains($codes, indicator_code)
    """, {"year": year, "codes": list(codes)})
    names = county_names()
    areas = sorted(set(frame.get_column("ref_area").to_list()), key=names.__getitem__)
    return _display_table(frame, "ref_area", "Län", {area: names[area] for area in areas}, codes)


def county_rate(database: Path, year: int, indicator_code: str = "EMP_COMP_RATE") -> pl.DataFrame:
    """County, value (None where suppressed): for a bar chart."""
    frame = _query(database, """
        select ref_area, cast(obs_value as double) as value from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and breakdown = 'area' and indicator_code = $code
    """, {"year": year, "code": indicator_code})
    names = county_names()
    return frame.with_columns(pl.col("ref_area").replace_strict(names).alias("county")).sort("county")


def breakdown(database: Path, year: int, dimension: str, indicator_code: str = "EMP_COMP_RATE") -> pl.DataFrame:
    """One indicator by sex, age or diagnosis, with Swedish labels, as display text."""
    code_list = {"sex": "sex", "age": "age_group", "diagnosis": "diagnosis_group"}[dimension]
    labels = {c.sdmx_code: c.label_sv for c in code_lists()[code_list]}
    frame = _query(database, f"""
        select {dimension} as code, indicator_code, obs_value from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and breakdown = $dimension
          and indicator_code in ('PARTICIPANTS', $code)
    """, {"year": year, "dimension": dimension, "code": indicator_code})
    return _display_table(frame, "code", "Grupp", labels, ("PARTICIPANTS", indicator_code))


def fidelity_bands(database: Path, year: int, ref_area: str = "SE") -> pl.DataFrame:
    """Reviewed sites per fidelity band, in the bands' order, with Swedish labels."""
    return _query(database, """
        select band_sv as band, cast(obs_value as integer) as sites from main.fct_fidelity_bands
        where reporting_year = $year and ref_area = $area order by sort_order
    """, {"year": year, "area": ref_area})


def fidelity_items(database: Path, year: int, ref_area: str = "SE") -> pl.DataFrame:
    """The item profile, weakest item first."""
    return _query(database, """
        select item_sv as item, cast(obs_value as double) as mean_score, weakest_rank from main.fct_fidelity_items
        where reporting_year = $year and ref_area = $area order by weakest_rank
    """, {"year": year, "area": ref_area})


def fidelity_and_employment(database: Path, year: int) -> tuple[pl.DataFrame, float | None]:
    """Each reviewed site's fidelity and (published) employment rate; and Pearson's r across the sites."""
    points = _query(database, """
        select site_name, fidelity_score, cast(emp_comp_rate as double) as emp_comp_rate, correlation_in_year
        from main.fct_fidelity_employment_published where reporting_year = $year order by site_name
    """, {"year": year})
    correlation = points.get_column("correlation_in_year").drop_nulls()
    return points.drop("correlation_in_year"), (float(correlation[0]) if len(correlation) else None)


def time_in_programme(database: Path, year: int) -> pl.DataFrame:
    """Participants and the competitive employment rate by time in the programme, as display text."""
    labels = {"_T": "Totalt"} | {c.code: c.label_sv for c in code_lists()["tenure_band"]}
    frame = _query(database, """
        select tenure_band, indicator_code, obs_value from main.fct_time_in_programme_published where reporting_year = $year
    """, {"year": year})
    return _display_table(frame, "tenure_band", "Tid i programmet", labels, ("TIP_PARTICIPANTS", "TIP_EMP_COMP_RATE"))


def income_sources(database: Path, year: int) -> pl.DataFrame:
    """Share with each income source at intake and at follow-up, side by side, as display text."""
    frame = _query(database, """
        select income_source, income_source_sv, moment, obs_value, conf_status from main.fct_income_sources_published
        where reporting_year = $year
    """, {"year": year})
    order = [c.code for c in code_lists()["income_source"]]
    rows = []
    for source in sorted(set(frame.get_column("income_source").to_list()), key=order.index):
        cells = {r["moment"]: r for r in frame.filter(income_source=source).iter_rows(named=True)}
        label = next(iter(cells.values()))["income_source_sv"]
        rows.append({"Inkomstkälla": label, **{heading: display_value(
            None if moment not in cells or cells[moment]["obs_value"] is None else float(cells[moment]["obs_value"]),
            "INCOME_SOURCE_RATE", moment in cells) for moment, heading in (("intake", "Vid start"), ("followup", "Vid uppföljning"))}})
    return pl.DataFrame(rows)


def county_map_values(database: Path, year: int, indicator_code: str = "EMP_COMP_RATE") -> dict[int, float | None]:
    """County number (as in counties.geojson's l_id) -> published value, for the map."""
    rates = county_rate(database, year, indicator_code)
    iso_to_number = {c.iso_code: int(c.county_code) for c in reference_data.counties()}
    return {iso_to_number[r["ref_area"]]: r["value"] for r in rates.iter_rows(named=True)}
