"""The resources every domain shares: where the data home is."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import Settings, load_settings


class DataHome(dg.ConfigurableResource):
    """The data home: archive, warehouse, published snapshot and exports live under it."""

    path: str

    def settings(self) -> Settings:
        return load_settings(self.path)
