"""What every page shares: where the published figures are, cached queries, the headline row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from dashboards import queries
from pipelines.settings import load_settings

T = TypeVar("T")


def published_database() -> Path | None:
    path = load_settings().published_path
    return path if path.exists() else None


@st.cache_data(show_spinner=False)
def _cached(_query: Callable[..., Any], name: str, database: str, modified: float, *args: Any) -> Any:
    """Cached per query and snapshot (``name`` stands for the query, which is not hashed): a new run swaps
    the file in and so changes its time."""
    return _query(Path(database), *args)


def load(query: Callable[..., T], database: Path, *args: Any) -> T:
    """``query(database, *args)``, cached."""
    result: T = _cached(query, f"{query.__module__}.{query.__qualname__}", str(database), database.stat().st_mtime, *args)
    return result


def require_published() -> Path | None:
    """The published snapshot, or None (with a word to the reader) when there is nothing to show yet."""
    database = published_database()
    if database is None or not load(queries.years, database):
        st.info("Inga publicerade siffror ännu. Kör `ips-monitor run` när verksamheternas rapporter har kommit in och godkänts.")
        return None
    return database


def year_picker(database: Path) -> int:
    years = load(queries.years, database)
    chosen: int = st.sidebar.selectbox("År", years, index=0, key="year")
    return chosen


def headline_metrics(database: Path, year: int, ref_area: str = "SE") -> None:
    figures = load(queries.headline, database, year, ref_area)
    names = queries.indicator_names()
    for column, code in zip(st.columns(len(queries.HEADLINE)), queries.HEADLINE):
        value, _ = figures.get(code, (None, "F"))
        column.metric(names[code], queries.display_value(value, code, code in figures))
