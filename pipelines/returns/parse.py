"""Turn a table's text cells into the types of format v1, reporting cells that do not parse."""

from __future__ import annotations

import polars as pl

from schemas.problems import Problem
from schemas.tables import DTYPES, ROW, FieldKind, Table

_INTEGER = r"^[+-]?[0-9]+$"
_DECIMAL = r"^[+-]?[0-9]+([.,][0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _typed(kind: FieldKind, text: pl.Expr) -> pl.Expr:
    if kind == FieldKind.INTEGER:
        return pl.when(text.str.contains(_INTEGER)).then(text.cast(pl.Int64, strict=False))
    if kind == FieldKind.DECIMAL:
        return pl.when(text.str.contains(_DECIMAL)).then(text.str.replace(",", ".").cast(pl.Float64, strict=False))
    if kind == FieldKind.DATE:
        return pl.when(text.str.contains(_DATE)).then(text.str.to_date("%Y-%m-%d", strict=False))
    return text


def conform_columns(table: Table, frame: pl.DataFrame) -> tuple[pl.DataFrame | None, list[Problem]]:
    """Keep the columns of the table in order; report missing and unknown ones."""
    problems = [Problem(table.name, 1, c, "column_unknown") for c in frame.columns if c != ROW and c not in table.columns]
    for f in table.fields:
        if f.name not in frame.columns and f.required:
            problems.append(Problem(table.name, 1, f.name, "column_missing"))
    if any(p.rule_id == "column_missing" for p in problems):
        return None, problems
    present = [pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c) for c in table.columns]
    return frame.select(*present, pl.col(ROW)), problems


def parse_types(table: Table, text_frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem], set[tuple[int, str]]]:
    """Typed frame, the type problems, and the (row, column) cells that failed to parse."""
    typed = text_frame.select(
        *(_typed(f.kind, pl.col(f.name)).cast(DTYPES[f.kind]).alias(f.name) for f in table.fields), pl.col(ROW)
    )
    problems: list[Problem] = []
    failed: set[tuple[int, str]] = set()
    for f in table.fields:
        if not f.kind.parsed:
            continue
        not_parsed = text_frame.get_column(f.name).is_not_null() & typed.get_column(f.name).is_null()
        if not not_parsed.any():
            continue
        bad = text_frame.select(ROW, f.name).filter(not_parsed)
        for row, value in bad.iter_rows():
            problems.append(Problem(table.name, row, f.name, f"type_{f.kind}", value))
            failed.add((row, f.name))
    return typed, problems, failed
