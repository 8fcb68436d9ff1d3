"""The reference data shipped with the project: code lists, indicators, geography.

The CSV files beside this module are the single source of truth. Validation,
the dbt seeds (``dbt_project`` reads this folder as its seed path), the exports
and the dashboard all read them from here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

REFERENCE_DIR = files("seeds") / "reference"


def read_reference_csv(name: str) -> list[dict[str, str]]:
    text = (REFERENCE_DIR / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@dataclass(frozen=True)
class Code:
    code: str
    label_sv: str
    label_en: str
    sdmx_code: str


@cache
def code_lists() -> dict[str, tuple[Code, ...]]:
    lists: dict[str, list[Code]] = {}
    for row in sorted(read_reference_csv("code_lists.csv"), key=lambda r: int(r["sort_order"])):
        lists.setdefault(row["code_list"], []).append(
            Code(row["code"], row["label_sv"], row["label_en"], row["sdmx_code"])
        )
    return {name: tuple(codes) for name, codes in lists.items()}


def codes_of(code_list: str) -> list[str]:
    return [c.code for c in code_lists()[code_list]]


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str
    name_sv: str
    name_en: str
    definition_en: str
    breakdowns: tuple[str, ...]
    quarterly: bool
    decimals: int
    mart: str  # the dbt mart that holds it


@cache
def indicators() -> tuple[Indicator, ...]:
    rows = sorted(read_reference_csv("indicators.csv"), key=lambda r: int(r["sort_order"]))
    return tuple(
        Indicator(
            code=r["indicator_code"],
            unit=r["unit"],
            name_sv=r["name_sv"],
            name_en=r["name_en"],
            definition_en=r["definition_en"],
            breakdowns=tuple(r["breakdowns"].split()),
            quarterly=r["quarterly"] == "true",
            decimals=int(r["decimals"]),
            mart=r["mart"],
        )
        for r in rows
    )


@cache
def _indicators_by_code() -> dict[str, Indicator]:
    return {i.code: i for i in indicators()}


def indicator(code: str) -> Indicator:
    return _indicators_by_code()[code]


@dataclass(frozen=True)
class County:
    iso_code: str  # ISO 3166-2, the REF_AREA of the exports: SE-AB
    county_code: str  # SCB's two digits: 01
    name: str


@cache
def counties() -> tuple[County, ...]:
    """Sweden's counties in the file's order (by county code)."""
    return tuple(County(r["iso_code"], r["county_code"], r["county_name"]) for r in read_reference_csv("counties.csv"))


def county_names() -> dict[str, str]:
    """ISO code -> county name."""
    return {c.iso_code: c.name for c in counties()}


@cache
def municipality_codes() -> frozenset[str]:
    return frozenset(r["municipality_code"] for r in read_reference_csv("municipalities.csv"))
