"""What the dashboard's charts share: Swedish number format, colours that stand out against the page, and the
funnel plot."""

from __future__ import annotations

import functools
import json

import altair as alt
import polars as pl

from dashboards import queries
from dashboards.downloads import cell_value
from dashboards.language import Language
from pipelines.publishing.wide import SUPPRESSED
from seeds.reference_data import REFERENCE_DIR, counties

# d3's number format with a decimal comma and a narrow no-break space between thousands, as in the tables
SWEDISH_NUMBERS = alt.Locale(number=alt.NumberLocale(decimal=",", thousands="\u202f", grouping=[3], currency=["", "\u00a0kr"]))
# marks at least 3:1 against the white page (WCAG 2.1 non-text contrast), text at least 4.5:1
MARK = "#1f4e79"  # 8.7:1
SECOND_MARK = "#b35900"  # 4.8:1
REFERENCE_LINE = "#6b6b6b"  # 5.3:1
TEXT = "#222222"


def funnel_chart(funnel: queries.Funnel, language: Language) -> alt.LayerChart | alt.Chart:
    """Each site's competitive employment rate against its participants, inside control limits around the national
    rate, so that a small site is not called a failure for what chance alone explains."""
    percent = language.say("Andel i konkurrensutsatt arbete (%)", "Share in competitive employment (%)")
    points = alt.Chart(funnel.points.to_pandas()).mark_circle(size=70, color=MARK, opacity=1).encode(
        x=alt.X("participants:Q", title=language.say("Deltagare under året", "Participants in the year")),
        y=alt.Y("rate:Q", title=percent, scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("site_name:N", title=language.say("Verksamhet", "Site")),
                 alt.Tooltip("participants:Q", title=language.say("Deltagare", "Participants"), format=",d"),
                 alt.Tooltip("rate:Q", title=percent, format=".1f")],
    )
    if funnel.national_rate is None or funnel.points.is_empty():
        return points
    largest = max(funnel.points.get_column("participants").to_list()) + 10
    limits = queries.funnel_limits(funnel.national_rate, largest).to_pandas()
    bands = alt.Chart(limits).mark_line(strokeDash=[4, 3], color=REFERENCE_LINE).encode(
        x="participants:Q", y="lower:Q", detail="limit:N", strokeWidth=alt.StrokeWidth("limit:N", legend=None))
    upper = bands.encode(y="upper:Q")
    national = alt.Chart(limits).mark_rule(color=SECOND_MARK, description=language.say("Rikets andel", "The national rate")).encode(
        y=alt.datum(funnel.national_rate))
    return bands + upper + national + points


@functools.cache
def county_outlines() -> tuple[dict, ...]:
    """The county polygons, rings reversed (the file winds them as GeoJSON's RFC 7946 says, while Vega's d3-geo takes
    that winding as 'everything but the county' and fills the whole map), each with the centre of its largest ring."""
    features = json.loads((REFERENCE_DIR / "counties.geojson").read_text(encoding="utf-8"))["features"]
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            for ring in polygon:
                ring.reverse()
        outer = max((polygon[0] for polygon in polygons), key=len)
        feature["properties"]["longitude"] = sum(x for x, _ in outer) / len(outer)
        feature["properties"]["latitude"] = sum(y for _, y in outer) / len(outer)
    return tuple(features)


def county_map(rates: dict[int, float | None], language: Language) -> alt.LayerChart:
    """The competitive employment rate per county (keyed by the county number, as counties.geojson's l_id). A county
    whose rate is withheld, or that has no site, is an outlined empty area marked with a dash, never a pale colour
    that could be read as a low rate."""
    county_names = {int(c.county_code): c.name for c in counties()}
    withheld = language.say(f"{SUPPRESSED} undertryckt eller ingen verksamhet", f"{SUPPRESSED} withheld, or no site")
    features = [{**f, "properties": {**f["properties"], "county": county_names[f["properties"]["l_id"]],
                                     "value": rates.get(f["properties"]["l_id"]),
                                     "shown": withheld if rates.get(f["properties"]["l_id"]) is None
                                     else queries.display_value(rates[f["properties"]["l_id"]], "EMP_COMP_RATE")}}
                for f in county_outlines()]
    tooltip = [alt.Tooltip("properties.county:N", title=language.say("Län", "County")),
               alt.Tooltip("properties.shown:N", title=language.say("Andel i arbete", "Share in work"))]
    data = alt.Data(values=features)
    empty = alt.Chart(data).mark_geoshape(fill="#f4f4f4", stroke=REFERENCE_LINE, strokeWidth=0.8).encode(tooltip=tooltip)
    shaded = alt.Chart(data).mark_geoshape(stroke="white", strokeWidth=0.8).encode(
        color=alt.Color("properties.value:Q", title=language.say("I arbete (%)", "In work (%)"),
                        scale=alt.Scale(range=["#4a90c2", "#08306b"])),  # the palest blue still 3.5:1 against white
        tooltip=tooltip,
    ).transform_filter("datum.properties.value != null")
    dashes = alt.Chart(data).mark_text(text=SUPPRESSED, fontSize=16, color=TEXT).encode(
        longitude="properties.longitude:Q", latitude="properties.latitude:Q", tooltip=tooltip,
    ).transform_filter("datum.properties.value == null")
    return (empty + shaded + dashes).project("mercator").properties(height=520)


def display_bars(table: pl.DataFrame, label: str, value: str, language: Language, largest_first: bool = False) -> alt.LayerChart:
    """Horizontal bars of one column of a display table, each labelled with its figure as in the table; a withheld
    cell is marked '– undertryckt' and has no bar, never a bar of zero. In the table's order, or largest first."""
    numbers = [v if isinstance(v := cell_value(shown), (int, float)) else None for shown in table.get_column(value)]
    data = pl.DataFrame({"group": table.get_column(label), "shown": table.get_column(value), "value": numbers}).with_columns(
        pl.col("value").fill_null(0).alias("bar"),
        pl.when(pl.col("value").is_null()).then(pl.col("shown") + language.say(" undertryckt", " withheld")).otherwise(pl.col("shown"))
        .alias("label"))
    bars = alt.Chart(data.to_pandas()).mark_bar(color=MARK).encode(
        y=alt.Y("group:N", sort="-x" if largest_first else None, title=None, axis=alt.Axis(labelLimit=260)), x=alt.X("bar:Q", title=value),
        tooltip=[alt.Tooltip("group:N", title=label), alt.Tooltip("label:N", title=value)])
    return (bars + bars.mark_text(align="left", dx=4, color=TEXT).encode(text="label:N")).properties(height=alt.Step(26))


def bars_description(table: pl.DataFrame, label: str, value: str, language: Language) -> str:
    """The bars in words: what each bar is and where the figures are."""
    return language.say(f"Liggande staplar: {value.lower()} per {label.lower()}, för grupperna "
                        f"{', '.join(table.get_column(label).to_list())}. Siffrorna står vid staplarna och i tabellen.",
                        f"Horizontal bars: {value.lower()} by {label.lower()}, for the groups "
                        f"{', '.join(table.get_column(label).to_list())}. The figures are beside the bars and in the table.")


def fidelity_profile_series(language: Language) -> dict[str, str]:
    """The names of the fidelity profile's two series, by their column in ``queries.site_fidelity_profile``."""
    return {"site_score": language.say("Verksamheten", "The site"), "national_mean": language.say("Riket (medelvärde)", "Sweden (mean)")}


def fidelity_profile_chart(profile: pl.DataFrame, language: Language) -> alt.Chart:
    """A site's score on each fidelity item (``queries.site_fidelity_profile``) beside the national mean, as dots."""
    series = language.say("Serie", "Series")
    score = language.say("Poäng (1–5)", "Score (1–5)")
    names = fidelity_profile_series(language)
    long = profile.unpivot(["site_score", "national_mean"], index="item", variable_name="series", value_name="score").with_columns(
        pl.col("series").replace_strict(names))
    return alt.Chart(long.to_pandas()).mark_point(filled=True, size=70).encode(
        y=alt.Y("item:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("score:Q", title=score, scale=alt.Scale(domain=[1, 5])),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=list(names.values()), range=[MARK, SECOND_MARK])),
        shape=alt.Shape("series:N", title=None, scale=alt.Scale(domain=list(names.values()))),
        tooltip=[alt.Tooltip("item:N", title="Item"), alt.Tooltip("series:N", title=series),
                 alt.Tooltip("score:Q", title=score, format=".1f")]).properties(height=alt.Step(18))
