"""Long to wide: published observations as one row per group and one column per indicator.

The dashboard's tables and the annual report both show figures this way; each formats the cells its
own way (text in Swedish number format, or numbers in a workbook).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import polars as pl

SUPPRESSED = "–"  # shown for a withheld figure: the reader sees at once that the cell is not a number


def wide_cells(frame: pl.DataFrame, key: str, labels: Mapping[str, str]) -> list[tuple[str, dict[str, Decimal | None]]]:
    """(label, {indicator_code: obs_value}) for each value of ``key`` in ``labels`` that the frame has, in the
    order of ``labels``. An indicator missing from a row's dict has no observation; None is a withheld one."""
    rows = []
    for value, label in labels.items():
        cells = {r["indicator_code"]: r["obs_value"] for r in frame.filter(pl.col(key) == value).iter_rows(named=True)}
        if cells:
            rows.append((label, cells))
    return rows
