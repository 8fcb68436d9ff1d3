"""The funnel plot: each site's competitive employment rate against its participants, inside control limits
around the national rate, so that a small site is not called a failure for what chance alone explains."""

from __future__ import annotations

import altair as alt

from dashboards import queries


def funnel_chart(funnel: queries.Funnel) -> alt.LayerChart | alt.Chart:
    points = alt.Chart(funnel.points.to_pandas()).mark_circle(size=70, color="#1f4e79").encode(
        x=alt.X("participants:Q", title="Deltagare under året"),
        y=alt.Y("rate:Q", title="Andel i konkurrensutsatt arbete (%)", scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("site_name:N", title="Verksamhet"), alt.Tooltip("participants:Q", title="Deltagare"),
                 alt.Tooltip("rate:Q", title="Procent", format=".1f")],
    )
    if funnel.national_rate is None or funnel.points.is_empty():
        return points
    largest = max(funnel.points.get_column("participants").to_list()) + 10
    limits = queries.funnel_limits(funnel.national_rate, largest).to_pandas()
    bands = alt.Chart(limits).mark_line(strokeDash=[4, 3], color="#6b6b6b").encode(
        x="participants:Q", y="lower:Q", detail="limit:N", strokeWidth=alt.StrokeWidth("limit:N", legend=None))
    upper = bands.encode(y="upper:Q")
    national = alt.Chart(limits).mark_rule(color="#b35900").encode(y=alt.datum(funnel.national_rate))
    return bands + upper + national + points
