"""The dbt project as Dagster sees it."""

from __future__ import annotations

from dagster_dbt import DbtProject

from pipelines.settings import DBT_PROJECT_DIR

# The manifest is prepared by `make` (dbt parse) and by the test session, not at import time.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
