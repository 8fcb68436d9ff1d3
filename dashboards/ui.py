"""What every page shares: where the published figures are, cached queries, the headline row."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from dashboards import queries
from pipelines.settings import HOME_ENV, load_settings


def published_database() -> Path | None:
    path = load_settings(os.environ.get(HOME_ENV)).published_path
    return path if path.exists() else None


@st.cache_data(show_spinner=False)
def _cached(name: str, database: str, modified: float, *args):
    """Cached per snapshot: a new run swaps the file in and so changes its time."""
    return getattr(queries, name)(Path(database), *args)


def load(name: str, database: Path, *args):
    return _cached(name, str(database), database.stat().st_mtime, *args)


def require_published() -> Path | None:
    """The published snapshot, or None (with a word to the reader) when there is nothing to show yet."""
    database = published_database()
    if database is None or not load("years", database):
        st.info("Inga publicerade siffror ännu. Kör `ips-monitor run` när verksamheternas rapporter har kommit in och godkänts.")
        return None
    return database


def year_picker(database: Path) -> int:
    return st.sidebar.selectbox("År", load("years", database), index=0, key="year")


def headline_metrics(database: Path, year: int, ref_area: str = "SE") -> None:
    figures = load("headline", database, year, ref_area)
    names = queries.indicator_names()
    for column, code in zip(st.columns(len(queries.HEADLINE)), queries.HEADLINE):
        value, _ = figures.get(code, (None, "F"))
        column.metric(names[code], queries.display_value(value, code, code in figures))
