"""The catalogue on disk is the one generated from the single source, and covers every indicator computed."""

from __future__ import annotations

import duckdb

from pipelines.publishing.catalogue import CATALOGUE_PATH, catalogue_markdown
from seeds.reference_data import indicators


def test_catalogue_is_up_to_date():
    assert CATALOGUE_PATH.read_text(encoding="utf-8") == catalogue_markdown(), "run: python -m pipelines.publishing.catalogue"


def test_every_catalogued_indicator_is_computed(small_warehouse):
    with duckdb.connect(str(small_warehouse.warehouse_path), read_only=True) as connection:
        computed = set()
        for mart in {i.mart for i in indicators()}:
            computed |= {code for (code,) in connection.execute(f"select distinct indicator_code from {mart}").fetchall()}
    assert computed == {i.code for i in indicators()}
