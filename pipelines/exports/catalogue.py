"""The indicator catalogue (docs/indicators.md), generated from seeds/reference/indicators.csv."""

from __future__ import annotations

from pipelines.settings import PROJECT_ROOT
from seeds.reference_data import code_lists, indicators

CATALOGUE_PATH = PROJECT_ROOT / "docs" / "indicators.md"

SUPPRESSION = {
    "PS": "count of persons: 1–4 withheld (primary, A); complementary suppression within each breakdown (D)",
    "PC": "withheld when the numerator, or denominator − numerator, is 1–4, or the denominator is under 10 (A); "
          "complementary within each breakdown and when the count it is built on is withheld (D)",
    "DAYS": "withheld when it rests on fewer than 10 persons (A)",
    "NUM": "describes sites, not persons: published as it is",
    "SCORE": "describes sites, not persons: published as it is",
}


def catalogue_markdown() -> str:
    lines = [
        "# Indicator catalogue",
        "",
        "Generated from `seeds/reference/indicators.csv` by `python -m pipelines.exports.catalogue`; do not edit by hand.",
        "The suppression threshold (5) is the dbt variable `suppression_threshold` (`IPS_MONITOR_SUPPRESSION_THRESHOLD`).",
        "Rates and means are rounded to one decimal, half away from zero; medians of an even count are the mean of the two middle values.",
        "",
        "| code | name (sv) | name (en) | unit | definition | breakdowns | quarterly | mart | suppression |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    units = {c.code: c.label_en.lower() for c in code_lists()["unit"]}
    for i in indicators():
        suppression = SUPPRESSION[i.unit] if i.mart != "fct_completeness" else "never published"
        if i.mart == "fct_income_sources":
            suppression = "percentage rule per cell (A); sources overlap, so no complementary suppression"
        lines.append(
            f"| `{i.code}` | {i.name_sv} | {i.name_en} | {units[i.unit]} (`{i.unit}`) | {i.definition_en} | "
            f"{', '.join(i.breakdowns)} | {'yes' if i.quarterly else 'no'} | `{i.mart}` | {suppression} |"
        )
    lines += [
        "",
        "Breakdown `site` is each site's own figures: sites see them unprotected (`fct_indicator_site`); they are never published.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    CATALOGUE_PATH.parent.mkdir(exist_ok=True)
    CATALOGUE_PATH.write_text(catalogue_markdown(), encoding="utf-8")
    print(f"wrote {CATALOGUE_PATH}")
