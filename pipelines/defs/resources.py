"""The resources the assets share: the settings; and the dbt project, whose manifest defines the warehouse's assets."""

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtProject

from pipelines.settings import DBT_PROJECT_DIR, Settings

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


def resources_for(settings: Settings) -> dict[str, object]:
    return {"settings": SettingsResource.of(settings)}
