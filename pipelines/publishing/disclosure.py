"""Disclosure control told in words, for readers of the exports and the catalogue.

The rules themselves are in dbt (the macros ``primary_suppression`` and ``protect_cells``, with the
variables of ``dbt_project.yml``); these are their descriptions, kept here and nowhere else.
"""

from __future__ import annotations

from typing import Any

import yaml

from pipelines.settings import DBT_PROJECT_DIR

_DBT_VARS: dict[str, Any] = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
MIN_RATE_DENOMINATOR: int = _DBT_VARS["min_rate_denominator"]
MIN_MEDIAN_PERSONS: int = _DBT_VARS["min_median_persons"]

CONF_STATUS_LABELS = {"F": ("Fri", "Free"), "A": ("Undertryckt: få personer", "Suppressed: small count"),
                      "D": ("Undertryckt: skyddar annan cell", "Suppressed: protects another cell")}


def rules_by_unit(threshold: int) -> dict[str, str]:
    """How each unit of measure is protected, in English (the catalogue)."""
    small = f"1–{threshold - 1}"
    return {
        "PS": f"count of persons: {small} withheld (primary, A); complementary suppression within each breakdown (D), "
              "by the smallest non-zero published part (a 0 is published as 0 and never hidden)",
        "PC": f"withheld when the numerator, or denominator − numerator, is {small}, or the denominator is under "
              f"{MIN_RATE_DENOMINATOR} (A); complementary within each breakdown and when the count it is built on is withheld (D)",
        "DAYS": f"withheld when it rests on fewer than {MIN_MEDIAN_PERSONS} persons (A)",
        "PER_100K": "withheld when the count of participants of the same cell is withheld (D)",
        "SEK": f"model estimate: withheld when {small} participants contribute a non-zero term (A); complementary within "
               "each breakdown (D); with no contributor, 0",
        "NUM": "describes sites, not persons: published as it is",
        "SCORE": "describes sites, not persons: published as it is",
    }


INCOME_SOURCES_RULE = "percentage rule per cell (A); sources overlap, so no complementary suppression"


def rules_in_both_languages(threshold: int) -> str:
    """The whole of disclosure control in one paragraph, Swedish then English (the exports' read-me)."""
    small = f"1–{threshold - 1}"
    return (
        f"Antal personer {small} undertrycks; andelar när täljare eller nämnare minus täljare är {small} eller nämnaren "
        f"under {MIN_RATE_DENOMINATOR}; medianer som vilar på färre än {MIN_MEDIAN_PERSONS} personer; sekundär undertryckning "
        f"inom varje nedbrytning. / Counts of persons {small} are suppressed; percentages when numerator or denominator minus "
        f"numerator is {small} or the denominator is under {MIN_RATE_DENOMINATOR}; medians resting on fewer than "
        f"{MIN_MEDIAN_PERSONS} persons; complementary suppression within each breakdown."
    )
