"""The indicator catalogue (docs/indicators.md), generated from seeds/reference/indicators.csv."""

from __future__ import annotations

from pipelines.publishing.disclosure import INCOME_SOURCES_RULE, rules_by_unit
from pipelines.settings import DEFAULT_SUPPRESSION_THRESHOLD, PROJECT_ROOT
from seeds.reference_data import code_lists, indicators

CATALOGUE_PATH = PROJECT_ROOT / "docs" / "indicators.md"


def catalogue_markdown() -> str:
    lines = [
        "# Indicator catalogue",
        "",
        "Generated from `seeds/reference/indicators.csv` by `python -m pipelines.publishing.catalogue`; do not edit by hand.",
        f"The suppression threshold ({DEFAULT_SUPPRESSION_THRESHOLD}) is the dbt variable `suppression_threshold` (`IPS_MONITOR_SUPPRESSION_THRESHOLD`).",
        "Rates and means are rounded to one decimal, half away from zero; medians of an even count are the mean of the two middle values.",
        "",
        "| code | name (sv) | name (en) | unit | definition | breakdowns | quarterly | mart | suppression |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    units = {c.code: c.label_en.lower() for c in code_lists()["unit"]}
    by_unit = rules_by_unit(DEFAULT_SUPPRESSION_THRESHOLD)
    for i in indicators():
        suppression = by_unit[i.unit] if i.mart != "fct_completeness" else "never published"
        if i.mart == "fct_income_sources":
            suppression = INCOME_SOURCES_RULE
        lines.append(
            f"| `{i.code}` | {i.name_sv} | {i.name_en} | {units[i.unit]} (`{i.unit}`) | {i.definition_en} | "
            f"{', '.join(i.breakdowns)} | {'yes' if i.quarterly else 'no'} | `{i.mart}` | {suppression} |"
        )
    lines += [
        "",
        "Breakdown `site` is each site's own figures: sites see them unprotected (`fct_indicator_site`); they are never published.",
        "",
        "The breakdowns by sex, age and diagnosis are complete (indicators v1.1): every code of the dimension in every year, "
        "a count with nobody in it published as 0, so that a receiver can tell \"nobody\" from \"not reported\". A rate, "
        "median or mean with nothing to count (a denominator of 0) has no observation. Per county, every county with at "
        "least one site with an accepted return for the year.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    CATALOGUE_PATH.parent.mkdir(exist_ok=True)
    CATALOGUE_PATH.write_text(catalogue_markdown(), encoding="utf-8")
    print(f"wrote {CATALOGUE_PATH}")
