"""The resources the assets share: the settings, and the dbt project with its command line."""

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import dagster as dg
import dbt.version
from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings

# The manifest is prepared by `make` (dbt parse) and by the test session, not at import time.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class SettingsResource(dg.ConfigurableResource):
    """``pipelines.settings.Settings`` as Dagster hands them to the assets: read once, where the definitions are built."""

    home: str
    suppression_threshold: int

    @classmethod
    def of(cls, settings: Settings) -> "SettingsResource":
        return cls(home=str(settings.home), suppression_threshold=settings.suppression_threshold)

    def get(self) -> Settings:
        return Settings(home=Path(self.home), suppression_threshold=self.suppression_threshold)


class WarehouseDbtCli(DbtCliResource):
    """Two costs of every run that this project has no use for, left out: dagster-dbt learns the dbt executable's version
    by running it (``dbt --version``: 1.4 s on this machine; the executable is this environment's own, so its version is
    the installed dbt-core's), and it opens a dbt adapter in this process (0.7 s) only to fetch row counts and column
    metadata, which the assets never ask for."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt.version.__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def resources_for(settings: Settings) -> dict[str, object]:
    return {
        "settings": SettingsResource.of(settings),
        "dbt": WarehouseDbtCli(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE),
    }
