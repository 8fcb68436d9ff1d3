"""What the dashboard shows, as plain functions (tested without Streamlit).

Every function takes the snapshots and the signed-in reader, and reads through
``pipelines.publishing.access``: it can return only what that reader's role may receive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from dashboards.language import Language
from pipelines import audit
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.publishing.access import Snapshots, query
from pipelines.publishing.wide import SUPPRESSED, wide_cells
from pipelines.reference_tables import PARAMETERS
from pipelines.settings import Settings
from seeds import reference_data
from seeds.reference_data import code_lists, indicator, indicators

MISSING = {Language.SV: "saknas", Language.EN: "none"}  # nothing to report, e.g. no site in the county had a fidelity review
SV = Language.SV
HEADLINE = ("SITES", "PARTICIPANTS", "EMP_COMP_RATE", "FID_MEAN")


def indicator_names(language: Language = SV) -> dict[str, str]:
    return {i.code: language.say(i.name_sv, i.name_en) for i in indicators()}


def county_names(language: Language = SV) -> dict[str, str]:
    """Area code -> name; a county's name is its Swedish proper name in both languages."""
    return {"SE": language.say("Hela Sverige", "Sweden")} | reference_data.county_names()


def _labels(code_list: str, language: Language, key: str = "sdmx_code") -> dict[str, str]:
    return {getattr(c, key): language.say(c.label_sv, c.label_en) for c in code_lists()[code_list]}


def years(snapshots: Snapshots, reader: Reader) -> list[int]:
    frame = query(snapshots, reader, "select distinct reporting_year from main.fct_indicator_published order by 1 desc")
    return frame.get_column("reporting_year").to_list()


def headline(snapshots: Snapshots, reader: Reader, year: int, ref_area: str = "SE") -> dict[str, tuple[float | None, str]]:
    """Indicator -> (value, confidentiality status) for the year's totals of one area."""
    frame = query(snapshots, reader, """
        select indicator_code, obs_value, conf_status from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and ref_area = $area
          and sex = '_T' and age = '_T' and diagnosis = '_T'
    """, {"year": year, "area": ref_area})
    return {row["indicator_code"]: (None if row["obs_value"] is None else float(row["obs_value"]), row["conf_status"])
            for row in frame.iter_rows(named=True)}


UNIT_SUFFIX = {"PC": " %", "SEK": " kr"}  # the units shown after the number; the others' (counts, days, points, per 100 000) are in the heading


def display_value(value: float | None, indicator_code: str, reported: bool = True, language: Language = SV) -> str:
    """Swedish number format (1 234,5; 40,9 %; 1 234 567 kr); ``reported`` is False when there is no observation at all."""
    if not reported:
        return MISSING[language]
    if value is None:
        return SUPPRESSED
    text = f"{value:,.{indicator(indicator_code).decimals}f}".replace(",", "\u202f").replace(".", ",")  # Swedish: 1 234,5
    return text + UNIT_SUFFIX.get(indicator(indicator_code).unit, "")


def display_column(values: pl.Series, indicator_code: str) -> pl.Series:
    """Each value as ``display_value`` shows it (a null as withheld), in a text column of the same name. Formatted in
    Python, never by polars' ``map_elements``: a Python function run on polars' threads while another reader's thread
    turns a frame into pandas (the charts) deadlocks the served dashboard, polars holding the GIL there (polars #26821)."""
    return pl.Series(values.name, [display_value(None if v is None else float(v), indicator_code) for v in values.to_list()], dtype=pl.String)


def change_text(value: float | None, before: float | None, indicator_code: str, language: Language = SV) -> str | None:
    """The change from the year before, in Swedish number format, or None when either year has no published value."""
    if value is None or before is None:
        return None
    change = round(value - before, indicator(indicator_code).decimals)
    text = "±0" if change == 0 else f"{change:+,.{indicator(indicator_code).decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text + (language.say(" procentenheter", " percentage points") if indicator(indicator_code).unit == "PC" else "")


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _display_table(frame: pl.DataFrame, key: str, heading: str, labels: dict[str, str], codes: tuple[str, ...],
                   language: Language) -> pl.DataFrame:
    """One row per value of `key` present in the frame (in the order of `labels`), one display column per indicator."""
    names = indicator_names(language)
    return pl.DataFrame([
        {heading: label, **{names[c]: display_value(_as_float(cells.get(c)), c, c in cells, language) for c in codes}}
        for label, cells in wide_cells(frame, key, labels)
    ])


def trend(snapshots: Snapshots, reader: Reader, indicator_code: str, freq: str = "Q") -> pl.DataFrame:
    """The national series of one indicator: period, value (suppressed periods have none)."""
    return query(snapshots, reader, """
        select time_period as period, cast(obs_value as double) as value, conf_status
        from main.fct_indicator_published
        where indicator_code = $code and freq = $freq and ref_area = 'SE' and breakdown = 'total'
        order by time_period
    """, {"code": indicator_code, "freq": freq})


def cohort_rates(snapshots: Snapshots, reader: Reader, language: Language = SV) -> pl.DataFrame:
    """JOB_12M_RATE of Sweden by cohort year, as display text, each said final or provisional (OBS_STATUS P: a site of
    the cohort has no accepted return for the next year yet, so the figure may still rise)."""
    frame = query(snapshots, reader, """
        select time_period, cast(obs_value as double) as value, obs_status from main.fct_indicator_published
        where indicator_code = 'JOB_12M_RATE' and freq = 'A' and ref_area = 'SE' and breakdown = 'total'
        order by time_period
    """)
    status = {"A": language.say("slutlig", "final"), "Q": language.say("undertryckt", "withheld"),
              "P": language.say("preliminär: nästa års rapporter saknas ännu", "provisional: next year's returns not all in")}
    return pl.DataFrame(
        [(r["time_period"], display_value(r["value"], "JOB_12M_RATE", language=language), status[r["obs_status"]])
         for r in frame.iter_rows(named=True)],
        schema={language.say("Intagsår", "Intake year"): pl.String, indicator_names(language)["JOB_12M_RATE"]: pl.String,
                "Status": pl.String}, orient="row")


def by_county(snapshots: Snapshots, reader: Reader, year: int, codes: tuple[str, ...] = HEADLINE, language: Language = SV) -> pl.DataFrame:
    """One row per county with a site: the headline indicators side by side, as display text."""
    frame = query(snapshots, reader, """
        select ref_area, indicator_code, obs_value from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and breakdown = 'area'
          and list_contains($codes, indicator_code)
    """, {"year": year, "codes": list(codes)})
    names = county_names()
    areas = sorted(set(frame.get_column("ref_area").to_list()), key=names.__getitem__)
    return _display_table(frame, "ref_area", language.say("Län", "County"), {area: names[area] for area in areas}, codes, language)


def county_rate(snapshots: Snapshots, reader: Reader, year: int, indicator_code: str = "EMP_COMP_RATE") -> pl.DataFrame:
    """County, value (None where suppressed): for a bar chart."""
    frame = query(snapshots, reader, """
        select ref_area, cast(obs_value as double) as value from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and breakdown = 'area' and indicator_code = $code
    """, {"year": year, "code": indicator_code})
    names = county_names()
    return frame.with_columns(pl.col("ref_area").replace_strict(names).alias("county")).sort("county")


BREAKDOWN = ("PARTICIPANTS", "EMP_COMP_RATE", "ATT_IMPROVED_RATE")


def breakdown(snapshots: Snapshots, reader: Reader, year: int, dimension: str, codes: tuple[str, ...] = BREAKDOWN,
              language: Language = SV) -> pl.DataFrame:
    """Indicators by sex, age or diagnosis, as display text."""
    labels = _labels({"sex": "sex", "age": "age_group", "diagnosis": "diagnosis_group"}[dimension], language)
    frame = query(snapshots, reader, f"""
        select {dimension} as code, indicator_code, obs_value from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and breakdown = $dimension and list_contains($codes, indicator_code)
    """, {"year": year, "dimension": dimension, "codes": list(codes)})
    return _display_table(frame, "code", language.say("Grupp", "Group"), labels, codes, language)


def fidelity_bands(snapshots: Snapshots, reader: Reader, year: int, ref_area: str = "SE", language: Language = SV) -> pl.DataFrame:
    """Reviewed sites per fidelity band, in the bands' order."""
    return query(snapshots, reader, f"""
        select band_{language} as band, cast(obs_value as integer) as sites from main.fct_fidelity_bands
        where reporting_year = $year and ref_area = $area order by sort_order
    """, {"year": year, "area": ref_area})


def fidelity_items(snapshots: Snapshots, reader: Reader, year: int, ref_area: str = "SE", language: Language = SV) -> pl.DataFrame:
    """The item profile, weakest item first."""
    return query(snapshots, reader, f"""
        select item_{language} as item, cast(obs_value as double) as mean_score, weakest_rank from main.fct_fidelity_items
        where reporting_year = $year and ref_area = $area order by weakest_rank
    """, {"year": year, "area": ref_area})


@dataclass(frozen=True)
class FidelityAndEmployment:
    points: pl.DataFrame  # fidelity_score, emp_comp_rate: the sites whose rate is published, unnamed
    correlation: float | None  # Pearson's r over those points
    sites_shown: int
    sites_withheld: int  # reviewed sites left out because their rate is withheld


def fidelity_and_employment(snapshots: Snapshots, reader: Reader, year: int) -> FidelityAndEmployment:
    """Each reviewed site's fidelity beside its published employment rate, with no name beside it."""
    frame = query(snapshots, reader, """
        select fidelity_score, cast(emp_comp_rate as double) as emp_comp_rate, correlation_in_year,
               sites_in_correlation, sites_withheld
        from main.fct_fidelity_employment_published where reporting_year = $year
        order by fidelity_score, emp_comp_rate
    """, {"year": year})
    if frame.is_empty():
        return FidelityAndEmployment(pl.DataFrame(schema={"fidelity_score": pl.Int64, "emp_comp_rate": pl.Float64}), None, 0, 0)
    first = frame.row(0, named=True)
    correlation = first["correlation_in_year"]
    return FidelityAndEmployment(frame.select("fidelity_score", "emp_comp_rate").drop_nulls(),
                                 None if correlation is None else float(correlation),
                                 first["sites_in_correlation"], first["sites_withheld"])


def time_in_programme(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> pl.DataFrame:
    """Participants and the competitive employment rate by time in the programme, as display text."""
    labels = {"_T": language.say("Totalt", "Total")} | _labels("tenure_band", language, key="code")
    frame = query(snapshots, reader, """
        select tenure_band, indicator_code, obs_value from main.fct_time_in_programme_published where reporting_year = $year
    """, {"year": year})
    return _display_table(frame, "tenure_band", language.say("Tid i programmet", "Time in programme"), labels,
                          ("TIP_PARTICIPANTS", "TIP_EMP_COMP_RATE"), language)


def income_sources(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> pl.DataFrame:
    """Share with each income source at intake and at follow-up, side by side, as display text."""
    frame = query(snapshots, reader, """
        select income_source, moment, obs_value, conf_status from main.fct_income_sources_published
        where reporting_year = $year
    """, {"year": year})
    labels = _labels("income_source", language, key="code")
    moments = {"intake": language.say("Vid start", "At intake"), "followup": language.say("Vid uppföljning", "At follow-up")}
    rows = []
    for source in sorted(set(frame.get_column("income_source").to_list()), key=list(labels).index):
        cells = {r["moment"]: r for r in frame.filter(income_source=source).iter_rows(named=True)}
        rows.append({language.say("Inkomstkälla", "Income source"): labels[source], **{heading: display_value(
            None if moment not in cells or cells[moment]["obs_value"] is None else float(cells[moment]["obs_value"]),
            "INCOME_SOURCE_RATE", moment in cells, language) for moment, heading in moments.items()}})
    return pl.DataFrame(rows)


def county_map_values(snapshots: Snapshots, reader: Reader, year: int, indicator_code: str = "EMP_COMP_RATE") -> dict[int, float | None]:
    """County number (as in counties.geojson's l_id) -> published value, for the map."""
    rates = county_rate(snapshots, reader, year, indicator_code)
    iso_to_number = {c.iso_code: int(c.county_code) for c in reference_data.counties()}
    return {iso_to_number[r["ref_area"]]: r["value"] for r in rates.iter_rows(named=True)}


def site_choices(snapshots: Snapshots, reader: Reader, year: int) -> dict[str, str]:
    """The sites whose own figures the reader may open for the year: site id -> "name (county)"."""
    sites = query(snapshots, reader, """
        select site_id, site_name, county_name from main.dim_sites_published where reporting_year = $year order by site_name, site_id
    """, {"year": year})
    return {r["site_id"]: f"{r['site_name']} ({r['county_name']})" for r in sites.iter_rows(named=True) if reader.may_read_site(r["site_id"])}


def _require_site(reader: Reader, site_id: str, snapshots: Snapshots) -> None:
    """The guard of every query of one site's own figures: refused unless the reader may read them; an analyst's opening
    of a site is recorded in the audit log (once per page, not once per query: ``audit.record_site_opened``)."""
    if not reader.may_read_site(site_id):
        raise AccessDenied(reader, f"the figures of site {site_id}")
    if reader.role == Role.ANALYST:
        audit.record_site_opened(Settings(home=snapshots.archive.parent), reader, site_id)  # the archive's home is the data home


SITE_INDICATORS = ("PARTICIPANTS", "INTAKES", "EXITS", "EMP_COMP_RATE", "EMP_COMP_RATE_OOW", "EMP_PAID_RATE", "EDU_RATE",
                   "EMP_OR_EDU_RATE", "DAYS_TO_CONTACT_MED", "DAYS_TO_JOB_MED", "CASELOAD", "FID_MEAN")


SITE_BESIDE_COUNTY_AND_NATION = """
    select site.indicator_code, site.obs_value as site_value, county.obs_value as county_value,
           site.national_value, county.obs_value is not null or county.conf_status is not null as county_reported
    from main.fct_indicator_site as site
    left join main.dim_sites_published as dim
        on site.site_id = dim.site_id and site.reporting_year = dim.reporting_year
    left join main.fct_indicator_published as county
        on site.indicator_code = county.indicator_code and site.freq = county.freq and site.time_period = county.time_period
        and county.breakdown = 'area' and county.ref_area = dim.ref_area
    where site.site_id = $site and site.freq = 'A' and site.reporting_year = $year and list_contains($codes, site.indicator_code)
"""  # one site's annual figures with its county's and the nation's: $site, $year, $codes


def site_figures(snapshots: Snapshots, reader: Reader, site_id: str, year: int, language: Language = SV) -> pl.DataFrame:
    """One site's own figures for the year (unprotected) beside its county's and the nation's (protected)."""
    _require_site(reader, site_id, snapshots)
    frame = query(snapshots, reader, SITE_BESIDE_COUNTY_AND_NATION, {"site": site_id, "year": year, "codes": list(SITE_INDICATORS)})
    return _site_beside_county_and_nation(frame, SITE_INDICATORS, language)


def _site_beside_county_and_nation(frame: pl.DataFrame, codes: tuple[str, ...], language: Language) -> pl.DataFrame:
    """The rows of ``SITE_BESIDE_COUNTY_AND_NATION`` as display text: per indicator of ``codes`` the site has, its own
    value, its county's and the nation's."""
    cells = {r["indicator_code"]: r for r in frame.iter_rows(named=True)}
    names = indicator_names(language)
    columns = {"indicator": language.say("Indikator", "Indicator"), "site": language.say("Verksamheten", "The site"),
               "county": language.say("Länet", "The county"), "nation": language.say("Riket", "Sweden")}
    return pl.DataFrame([
        {columns["indicator"]: names[code],
         columns["site"]: display_value(_as_float(cells[code]["site_value"]), code, True, language),
         columns["county"]: display_value(_as_float(cells[code]["county_value"]), code, cells[code]["county_reported"], language),
         columns["nation"]: display_value(_as_float(cells[code]["national_value"]), code, True, language)}
        for code in codes if code in cells
    ], schema=dict.fromkeys(columns.values(), pl.String))


def site_trend(snapshots: Snapshots, reader: Reader, site_id: str, indicator_code: str = "EMP_COMP_RATE",
               language: Language = SV) -> pl.DataFrame:
    """The site's own quarterly series beside the nation's: period, series ("Verksamheten" or "Riket"), value."""
    _require_site(reader, site_id, snapshots)
    frame = query(snapshots, reader, """
        select time_period as period, cast(obs_value as double) as site, cast(national_value as double) as nation
        from main.fct_indicator_site
        where site_id = $site and indicator_code = $code and freq = 'Q'
        order by time_period
    """, {"site": site_id, "code": indicator_code})
    return frame.unpivot(["site", "nation"], index="period", variable_name="series", value_name="value").with_columns(
        pl.col("series").replace_strict({"site": language.say("Verksamheten", "The site"), "nation": language.say("Riket", "Sweden")}))


def require_analyst(reader: Reader, what: str) -> None:
    if reader.role != Role.ANALYST:
        raise AccessDenied(reader, what)


SITES_TABLE = ("PARTICIPANTS", "EMP_COMP_RATE", "EMP_PAID_RATE", "CASELOAD", "FID_MEAN")


def all_sites(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> pl.DataFrame:
    """Every site's own figures for the year, numbers as numbers (to sort by): for the national function only."""
    require_analyst(reader, "every site's figures")
    frame = query(snapshots, reader, """
        select dim.site_id, dim.site_name, dim.county_name, site.indicator_code, cast(site.obs_value as double) as value
        from main.fct_indicator_site as site
        inner join main.dim_sites_published as dim on site.site_id = dim.site_id and site.reporting_year = dim.reporting_year
        where site.freq = 'A' and site.reporting_year = $year and list_contains($codes, site.indicator_code)
    """, {"year": year, "codes": list(SITES_TABLE)})
    names = indicator_names(language)
    wide = frame.pivot(on="indicator_code", index=["site_id", "site_name", "county_name"], values="value")
    for code in SITES_TABLE:
        if code not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(code))
    return wide.select("site_id", "site_name", "county_name", *SITES_TABLE).sort("site_name").rename(
        {"site_id": "Id", "site_name": language.say("Verksamhet", "Site"), "county_name": language.say("Län", "County"),
         **{code: names[code] for code in SITES_TABLE}})


@dataclass(frozen=True)
class Funnel:
    """Competitive employment rate against participants: the sites the reader may see, and the national rate."""

    points: pl.DataFrame  # site_id, site_name, participants, rate (percent)
    national_rate: float | None  # percent; None when the national count is withheld


def funnel(snapshots: Snapshots, reader: Reader, year: int) -> Funnel:
    """An analyst sees every site's point, a site its own only (its rows are all the data layer gives it)."""
    if reader.role == Role.VIEWER:
        raise AccessDenied(reader, "sites' own employment rates")
    points = query(snapshots, reader, """
        select site.site_id, dim.site_name, cast(site.denominator as integer) as participants,
               cast(site.obs_value as double) as rate
        from main.fct_indicator_site as site
        inner join main.dim_sites_published as dim on site.site_id = dim.site_id and site.reporting_year = dim.reporting_year
        where site.indicator_code = 'EMP_COMP_RATE' and site.freq = 'A' and site.reporting_year = $year and site.denominator > 0
        order by dim.site_name
    """, {"year": year})
    # the national rate unrounded, from the published counts
    national = query(snapshots, reader, """
        select indicator_code, obs_value from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and breakdown = 'total' and indicator_code in ('EMP_COMP', 'PARTICIPANTS')
    """, {"year": year})
    counts = {r["indicator_code"]: float(r["obs_value"]) for r in national.iter_rows(named=True) if r["obs_value"] is not None}
    if "EMP_COMP" not in counts or not counts.get("PARTICIPANTS"):
        return Funnel(points, None)
    return Funnel(points, 100 * counts["EMP_COMP"] / counts["PARTICIPANTS"])


FUNNEL_LIMITS = {"95 %": 0.975, "99,8 %": 0.999}  # two-sided: the share of sites inside the limits by chance alone


def funnel_limits(national_rate: float, largest: int) -> pl.DataFrame:
    """Control limits around the national rate for 1..``largest`` participants (normal approximation to the
    binomial, clipped to 0–100): participants, limit (its name), lower, upper, all in percent."""
    from statistics import NormalDist

    share = national_rate / 100
    sizes = sorted({*range(1, 30), *range(30, largest + 1, max(1, largest // 200)), largest})
    rows = []
    for name, quantile in FUNNEL_LIMITS.items():
        z = NormalDist().inv_cdf(quantile)
        for n in sizes:
            half_width = z * (share * (1 - share) / n) ** 0.5
            rows.append((n, name, 100 * max(0.0, share - half_width), 100 * min(1.0, share + half_width)))
    return pl.DataFrame(rows, schema={"participants": pl.Int64, "limit": pl.String, "lower": pl.Float64, "upper": pl.Float64},
                        orient="row")


def completeness(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> pl.DataFrame:
    """The share of rows with each optional field filled in, per site (rows) and field (columns), as display text."""
    require_analyst(reader, "every site's data completeness")
    frame = query(snapshots, reader, """
        select completeness.site_id, dim.site_name, completeness.return_table || '.' || completeness.field as field,
               completeness.obs_value
        from main.fct_completeness as completeness
        left join main.dim_sites_published as dim
            on completeness.site_id = dim.site_id and completeness.reporting_year = dim.reporting_year
        where completeness.reporting_year = $year
        order by dim.site_name, field
    """, {"year": year})
    site = language.say("Verksamhet", "Site")
    if frame.is_empty():
        return pl.DataFrame(schema={site: pl.String})
    shown = frame.with_columns(display_column(frame["obs_value"], "COMPLETENESS"))
    return shown.pivot(on="field", index=["site_id", "site_name"], values="obs_value").drop("site_id").rename({"site_name": site})


def returns_register(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> pl.DataFrame:
    """Which sites sent returns for the year, with the latest verdict: the national function's follow-up."""
    from pipelines.returns.register import returns_of_year

    require_analyst(reader, "the returns received")
    verdicts = {"accepted": language.say("godkänd", "accepted"), "rejected": language.say("avvisad", "rejected")}
    register = returns_of_year(snapshots.archive, year).with_columns(pl.col("latest_verdict").replace(verdicts),
                                                                     pl.col("latest_at").str.replace("T", " ", literal=True))
    return register.rename({
        "site_id": language.say("Verksamhet", "Site"), "received": language.say("Inlämnade", "Received"),
        "accepted": language.say("Godkända", "Accepted"), "rejected": language.say("Avvisade", "Rejected"),
        "latest_verdict": language.say("Senaste beslut", "Latest verdict"), "latest_at": language.say("Senast (UTC)", "Latest (UTC)")})


def rules_broken(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> pl.DataFrame:
    """The rules most often broken in the year's rejected returns, with their message."""
    from pipelines.returns.register import rules_broken as broken
    from schemas.rules import rule

    require_analyst(reader, "the problems in the returns received")
    return pl.DataFrame([(rule_id, language.say(rule(rule_id).sv, rule(rule_id).en), problems, returns)
                         for rule_id, problems, returns in broken(snapshots.archive, year)],
                        schema={language.say("Regel", "Rule"): pl.String, language.say("Meddelande", "Message"): pl.String,
                                language.say("Fel", "Problems"): pl.Int64, language.say("Rapporter", "Returns"): pl.Int64}, orient="row")


@dataclass(frozen=True)
class DataDate:
    current_returns: int  # the returns the year's figures rest on
    newest_received: str  # when the newest of them arrived, YYYY-MM-DD
    published_at: str  # when the run that published them ended, YYYY-MM-DD HH:MM (UTC)


def data_date(snapshots: Snapshots, reader: Reader, year: int) -> DataDate | None:
    frame = query(snapshots, reader, "select current_returns, newest_received_at from main.dim_data_date where reporting_year = $year",
                  {"year": year})
    if frame.is_empty():
        return None
    published = dt.datetime.fromtimestamp(snapshots.published.stat().st_mtime, dt.UTC)
    row = frame.row(0, named=True)
    return DataDate(row["current_returns"], f"{row['newest_received_at']:%Y-%m-%d}", f"{published:%Y-%m-%d %H:%M}")


COVERAGE = ("PARTICIPANTS_PER_100K", "EMP_COMP_RATE")


def county_coverage(snapshots: Snapshots, reader: Reader, year: int) -> pl.DataFrame:
    """Per county with a site: participants per 100,000 inhabitants and the competitive employment rate, as the
    warehouse publishes them (it holds the population rule), each with its value (None where withheld or not observed)
    and whether there is an observation at all."""
    frame = query(snapshots, reader, """
        select published.ref_area, published.indicator_code, cast(published.obs_value as double) as value
        from main.fct_indicator_published as published
        where published.freq = 'A' and published.reporting_year = $year and published.breakdown = 'area'
          and list_contains($codes, published.indicator_code)
    """, {"year": year, "codes": list(COVERAGE)})
    names = county_names()
    areas = sorted(set(frame.get_column("ref_area").to_list()), key=names.__getitem__)
    cells = {(r["ref_area"], r["indicator_code"]): r["value"] for r in frame.iter_rows(named=True)}
    return pl.DataFrame([
        {"county": names[area], "per_100k": cells.get((area, "PARTICIPANTS_PER_100K")),
         "per_100k_reported": (area, "PARTICIPANTS_PER_100K") in cells,
         "emp_comp_rate": cells.get((area, "EMP_COMP_RATE")), "emp_comp_rate_reported": (area, "EMP_COMP_RATE") in cells}
        for area in areas
    ], schema={"county": pl.String, "per_100k": pl.Float64, "per_100k_reported": pl.Boolean, "emp_comp_rate": pl.Float64,
               "emp_comp_rate_reported": pl.Boolean})


def coverage_table(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> pl.DataFrame:
    """The counties' coverage and employment rate as display text (– where withheld)."""
    coverage = county_coverage(snapshots, reader, year)
    county = language.say("Län", "County")
    per_100k, rate = (indicator_names(language)[code] for code in COVERAGE)
    return pl.DataFrame([
        {county: r["county"],
         per_100k: display_value(r["per_100k"], "PARTICIPANTS_PER_100K", r["per_100k_reported"], language),
         rate: display_value(r["emp_comp_rate"], "EMP_COMP_RATE", r["emp_comp_rate_reported"], language)}
        for r in coverage.iter_rows(named=True)
    ], schema={county: pl.String, per_100k: pl.String, rate: pl.String})


def indicator_definitions(language: Language = SV) -> pl.DataFrame:
    """The indicator catalogue for readers: name, unit, definition and breakdowns (the definitions are in English)."""
    units = _labels("unit", language, key="code")
    return pl.DataFrame([{language.say("Indikator", "Indicator"): language.say(i.name_sv, i.name_en), language.say("Kod", "Code"): i.code,
                          language.say("Enhet", "Unit"): units[i.unit], language.say("Definition (engelska)", "Definition"): i.definition_en,
                          language.say("Nedbrytningar", "Breakdowns"): ", ".join(i.breakdowns)} for i in indicators()])


def site_fidelity_profile(snapshots: Snapshots, reader: Reader, site_id: str, year: int, language: Language = SV) -> pl.DataFrame:
    """A site's item scores from its latest review beside the national mean of each item (empty without a review)."""
    _require_site(reader, site_id, snapshots)
    return query(snapshots, reader, f"""
        select national.item_{language} as item, site.score as site_score, cast(national.obs_value as double) as national_mean
        from main.fct_fidelity_items_site as site
        inner join main.fct_fidelity_items as national
            on site.item = national.item and site.reporting_year = national.reporting_year and national.ref_area = 'SE'
        where site.site_id = $site and site.reporting_year = $year
        order by site.item
    """, {"site": site_id, "year": year})


@dataclass(frozen=True)
class Site:
    site_id: str
    name: str  # the site's own words, as in its return
    municipality: str
    county: str


def site_identity(snapshots: Snapshots, reader: Reader, site_id: str, year: int) -> Site | None:
    """The site as its return for the year names it; None when it has no accepted return for the year."""
    _require_site(reader, site_id, snapshots)
    frame = query(snapshots, reader, """
        select site_name, municipality_name, county_name from main.dim_sites_published where site_id = $site and reporting_year = $year
    """, {"site": site_id, "year": year})
    if frame.is_empty():
        return None
    row = frame.row(0, named=True)
    return Site(site_id, row["site_name"], row["municipality_name"], row["county_name"])


def site_completeness(snapshots: Snapshots, reader: Reader, site_id: str, year: int, language: Language = SV) -> pl.DataFrame:
    """The site's own completeness (``queries.completeness`` is every site's, for the national function): per optional
    field of the return (as the return file names it), the rows filled in, all rows, and the share, as display text."""
    _require_site(reader, site_id, snapshots)
    frame = query(snapshots, reader, """
        select return_table || '.' || field as field, filled_rows, all_rows, cast(obs_value as double) as share
        from main.fct_completeness where site_id = $site and reporting_year = $year
        order by return_table, field
    """, {"site": site_id, "year": year})
    headings = (language.say("Fält", "Field"), language.say("Ifyllda rader", "Rows filled in"), language.say("Rader", "Rows"),
                language.say("Ifyllnadsgrad", "Completeness"))
    rows = [(r["field"], str(r["filled_rows"]), str(r["all_rows"]), display_value(r["share"], "COMPLETENESS", r["share"] is not None, language))
            for r in frame.iter_rows(named=True)]
    return pl.DataFrame(rows, schema=dict.fromkeys(headings, pl.String), orient="row")


def site_diagnosis(snapshots: Snapshots, reader: Reader, site_id: str, year: int, language: Language = SV) -> pl.DataFrame:
    """The site's own mix by primary diagnosis group (unprotected) beside the nation's share (protected), as display text:
    per group of the code list, the site's participants enrolled in the year, their share of the site's participants,
    and the nation's share as published."""
    _require_site(reader, site_id, snapshots)
    frame = query(snapshots, reader, """
        select diagnosis, participants, cast(obs_value as double) as site_share, cast(national_value as double) as national_share,
               national_conf_status is not null as national_reported
        from main.fct_diagnosis_site where site_id = $site and reporting_year = $year
    """, {"site": site_id, "year": year})
    cells = {r["diagnosis"]: r for r in frame.iter_rows(named=True)}
    headings = (language.say("Diagnosgrupp", "Diagnosis group"), language.say("Verksamhetens deltagare", "Site participants"),
                language.say("Verksamhetens andel", "Site share"), language.say("Rikets andel", "Sweden's share"))
    rows = [(label, display_value(cells[code]["participants"], "PARTICIPANTS", True, language),
             display_value(cells[code]["site_share"], "DIAG_SHARE", cells[code]["site_share"] is not None, language),
             display_value(cells[code]["national_share"], "DIAG_SHARE", cells[code]["national_reported"], language))
            for code, label in _labels("diagnosis_group", language).items() if code in cells]
    return pl.DataFrame(rows, schema=dict.fromkeys(headings, pl.String), orient="row")


# the estimate's five figures: the net effect on public finances first, then its terms, then the production value (not one of them)
SOCIO = ("SOCIO_NET_SEK", "SOCIO_BENEFITS_SEK", "SOCIO_TAX_SEK", "SOCIO_SUBSIDY_SEK", "SOCIO_PRODUCTION_SEK")


def socio_estimate(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> pl.DataFrame:
    """The socio-economic model estimate (``SOCIO_*``, protected) for the nation, then each county with a site, one
    column per figure, as display text (– where withheld)."""
    frame = query(snapshots, reader, """
        select ref_area, indicator_code, obs_value from main.fct_indicator_published
        where freq = 'A' and reporting_year = $year and breakdown in ('total', 'area') and list_contains($codes, indicator_code)
    """, {"year": year, "codes": list(SOCIO)})
    names = county_names(language)
    counties = sorted({area for area in frame.get_column("ref_area").to_list() if area != "SE"}, key=names.__getitem__)
    return _display_table(frame, "ref_area", language.say("Område", "Area"), {area: names[area] for area in ["SE", *counties]},
                          SOCIO, language)


SOCIO_PARAMETERS = "socioeconomic_parameters"  # the published relation of the estimate's assumptions


def socio_parameters(snapshots: Snapshots, reader: Reader, language: Language = SV) -> pl.DataFrame:
    """The estimate's parameter table in effect, whole (the one the latest run used, for every year shown), in the order
    the method lists the parameters, values in Swedish number format; empty when the snapshot has none."""
    headings = tuple(language.say(sv, en) for sv, en in (("Namn", "Name"), ("Värde", "Value"), ("Enhet", "Unit"), ("År", "Year"),
                                                           ("Källa", "Source")))
    present = query(snapshots, reader, "select count(*) as n from information_schema.tables where table_name = $name",
                    {"name": SOCIO_PARAMETERS})
    if not present.item():
        return pl.DataFrame(schema=dict.fromkeys(headings, pl.String))
    frame = query(snapshots, reader, f"select name, value, unit, year, source from main.{SOCIO_PARAMETERS}")
    order = [p.name for p in PARAMETERS]
    rows = sorted(frame.iter_rows(named=True), key=lambda r: (order.index(r["name"]) if r["name"] in order else len(order), r["name"]))
    return pl.DataFrame([(r["name"], _number_text(r["value"]), r["unit"], "" if r["year"] is None else str(r["year"]), r["source"])
                         for r in rows],
                        schema=dict.fromkeys(headings, pl.String), orient="row")


def _number_text(value: float | None) -> str:
    """A parameter's value in Swedish number format, with the decimals it has: 15 120; 37,8; 0,33."""
    if value is None:
        return ""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


def site_socio(snapshots: Snapshots, reader: Reader, site_id: str, year: int, language: Language = SV) -> pl.DataFrame:
    """One site's own socio-economic estimate for the year (unprotected) beside its county's and the nation's (protected)."""
    _require_site(reader, site_id, snapshots)
    frame = query(snapshots, reader, SITE_BESIDE_COUNTY_AND_NATION, {"site": site_id, "year": year, "codes": list(SOCIO)})
    return _site_beside_county_and_nation(frame, SOCIO, language)
