"""The Dagster code location: the definitions in ``pipelines/defs/``, bound to the settings.

``dagster dev``/``dg`` load ``defs`` (settings from the environment, read once); ``ips-monitor run``
builds the very same definitions with the settings of its command line and runs their job.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.defs.resources import resources_for
from pipelines.settings import Settings, load_settings


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent).with_resources(resources_for(settings))


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_settings())


def refresh_in_process(settings: Settings) -> dg.ExecuteInProcessResult:
    """Run the refresh job of these definitions in this process: what ``ips-monitor run`` does."""
    from pipelines.defs.jobs import REFRESH_JOB

    return build_definitions(settings).resolve_job_def(REFRESH_JOB).execute_in_process(raise_on_error=False)
