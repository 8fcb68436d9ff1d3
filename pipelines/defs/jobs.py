"""The jobs, and which of them the next refresh is: the CLI and the sensor both ask ``next_refresh``.

A refresh loads the stale site-years (the partitions whose returns in the archive differ from those in the
warehouse) and builds everything after them; with none stale, it only builds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from pipelines.returns.accepted import site_years, stale_site_years
from pipelines.settings import Settings

REFRESH_JOB = "refresh_warehouse"
BUILD_JOB = "build_warehouse"
# Dagster's tags for a run over a range of partitions (one run for many site-years)
RANGE_START_TAG, RANGE_END_TAG = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"

refresh_warehouse = dg.define_asset_job(
    REFRESH_JOB, selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,  # the steps run one after the other anyway; a process for each only costs seconds
    description="The stale site-years' accepted returns → dbt build (models and tests) → published snapshot → SDMX-CSV per year",
)

build_warehouse = dg.define_asset_job(
    BUILD_JOB, selection=dg.AssetSelection.all() - dg.AssetSelection.groups("intake"),
    executor_def=dg.in_process_executor,
    description="dbt build (models and tests) → published snapshot → SDMX-CSV per year, on the returns already loaded",
)


@dataclass(frozen=True)
class Refresh:
    job: str
    first: str | None = None  # the range of site-year partitions to load, in the instance's order
    last: str | None = None

    @property
    def partition_key(self) -> str | None:
        return self.first if self.first == self.last else None

    @property
    def tags(self) -> dict[str, str]:
        if self.first is None or self.first == self.last:
            return {}
        return {RANGE_START_TAG: self.first, RANGE_END_TAG: str(self.last)}


def next_refresh(settings: Settings, known: Sequence[str]) -> tuple[Refresh, list[str]]:
    """The refresh the warehouse needs, and the site-years to add to the partitions ``known`` to the instance first.
    Stale site-years are loaded in one run over the range that holds them all (a site-year loaded again is unchanged)."""
    new = [key for key in site_years(settings.archive_dir) if key not in known]
    order = [*known, *new]
    stale = sorted(order.index(key) for key in stale_site_years(settings.archive_dir, settings.warehouse_path) if key in order)
    if not stale:
        return Refresh(BUILD_JOB), new
    return Refresh(REFRESH_JOB, order[stale[0]], order[stale[-1]]), new
