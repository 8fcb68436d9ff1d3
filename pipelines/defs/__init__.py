"""Dagster only: assets, sensors, the job and resources, gathered by ``dg.load_from_defs_folder``.

No ``from __future__ import annotations`` in this folder: Dagster reads the annotations of asset and
sensor parameters at run time.
"""
