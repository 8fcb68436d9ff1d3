"""Settings: the one place for every knob, read from the environment once and passed on from there.

The CLI reads them at start (``--home`` wins over ``IPS_MONITOR_HOME``), Dagster's code location reads
them when it loads, and both hand the same ``Settings`` to the definitions (``pipelines.definitions``),
which give them to the assets as a resource and to dbt as ``--vars``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "IPS_MONITOR_HOME"
THRESHOLD_ENV = "IPS_MONITOR_SUPPRESSION_THRESHOLD"
DEFAULT_HOME = "var"
DEFAULT_SUPPRESSION_THRESHOLD = 5
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The reference tables the national function replaces each year (`ips-monitor reference load`), by the word the command
# takes: each is `<name>.csv` in the data home's reference/ once loaded, else the default shipped in seeds/replaceable/
# (not a dbt seed: dbt reads the file in effect, whose path it gets as the var `<name>_csv`).
REPLACEABLE_TABLES = {"population": "county_population", "socioeconomic": "socioeconomic_parameters"}
SHIPPED_REFERENCE_DIR = PROJECT_ROOT / "seeds" / "replaceable"
# dbt's command line as pipelines/dbt_command.py runs it, installed beside this Python, which need not be on PATH (a
# venv not activated).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "ips-dbt")
DASHBOARD_APP = PROJECT_ROOT / "dashboards" / "app.py"
# The SDMX structure the exports conform to (pipelines/publishing/sdmx_structure.py writes it), shipped beside them
SDMX_STRUCTURE_PATH = PROJECT_ROOT / "docs" / "sdmx" / "SE_IPS-DF_IPS-1.0.xml"
DASHBOARD_PORT = 8501
DAGSTER_PORT = 3000  # the Dagster webserver beside the dashboard, for the national function, on this machine only
SESSION_MINUTES_ENV = "IPS_MONITOR_SESSION_MINUTES"
DEFAULT_SESSION_MINUTES = 60
# Sign-in throttling: after this many failed attempts for a user name, each further attempt waits longer.
FREE_SIGN_IN_FAILURES = 3
# The return of reporting year Y is due on this month-day of year Y + 1.
DEADLINE_ENV = "IPS_MONITOR_DEADLINE"
DEFAULT_DEADLINE = "03-31"


@dataclass(frozen=True)
class IntakeLimits:
    """How large and how deep a submitted return may be. Anything beyond is refused whole, as soon as it is seen: a
    file's size before it is read, an archive's while it is unpacked (never trusting the sizes its headers claim), a
    workbook's declared size before its sheet is loaded. An annual return of 5,000 participants is about 2 MB of CSV
    in at most 30 columns, so every limit is far above any real return and far below what would hurt the server."""

    max_upload_bytes: int = 25 * 1024 * 1024  # a file as sent (a .zip, an .xlsx, one file of a folder), and a folder's files together
    max_expanded_bytes: int = 50 * 1024 * 1024  # everything a .zip or an .xlsx unpacks to, counted while it is unpacked
    max_compression_ratio: int = 100  # unpacked / packed bytes, of one member and of the whole archive ...
    compression_ratio_from_bytes: int = 1024 * 1024  # ... once this much has been unpacked (a tiny file may pack very well)
    max_members: int = 1_000  # files in a folder or a .zip, parts in an .xlsx package
    max_rows: int = 100_000  # rows of one table or sheet, header not counted (a sheet's declared size included)
    max_columns: int = 200  # columns of one table or sheet (the widest table has 30)
    max_cell_chars: int = 1_000  # characters in one cell (the template's longest text is about 400)


INTAKE_LIMITS = IntakeLimits()
# Kept under its old name: the largest file intake reads.
MAX_FILE_BYTES = INTAKE_LIMITS.max_upload_bytes


@dataclass(frozen=True)
class Settings:
    home: Path
    suppression_threshold: int = DEFAULT_SUPPRESSION_THRESHOLD
    session_minutes: int = DEFAULT_SESSION_MINUTES
    deadline: str = DEFAULT_DEADLINE  # MM-DD
    intake_limits: IntakeLimits = INTAKE_LIMITS

    def __post_init__(self) -> None:
        self.deadline_of(2001)  # a bad month-day fails here, at start; 2001 is no leap year, so 02-29 is refused

    def deadline_of(self, year: int) -> dt.date:
        """The last day for the return of reporting year ``year``."""
        try:
            return dt.date.fromisoformat(f"{year + 1}-{self.deadline}")
        except ValueError:
            raise ValueError(f"{DEADLINE_ENV}: not a month-day such as {DEFAULT_DEADLINE}: {self.deadline!r}") from None

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def warehouse_path(self) -> Path:
        """The pipeline's own database; only the pipeline opens it."""
        return self.home / "warehouse.duckdb"

    @property
    def published_path(self) -> Path:
        """A copy of the published tables swapped in after each good run; the dashboard reads this."""
        return self.home / "published" / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance of the served system: its runs, sensor ticks and logs."""
        return self.home / "dagster"

    @property
    def published_returns_path(self) -> Path:
        """The ids of the returns the published figures rest on, written with the snapshot: what the sensor compares
        with the archive's returns in effect."""
        return self.home / "published" / "returns.json"

    @property
    def site_level_path(self) -> Path:
        """Each site's own figures, unprotected, swapped in after each good run; only sites and analysts read it."""
        return self.home / "site-level" / "warehouse.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt-target"

    @property
    def logs_dir(self) -> Path:
        """The full log of each run started by ``ips-monitor run``."""
        return self.home / "logs"

    @property
    def users_path(self) -> Path:
        """The users and their password hashes; never in the repository."""
        return self.home / "users.json"

    @property
    def sites_path(self) -> Path:
        """The register of IPS sites (``pipelines.returns.sites``); never in the repository."""
        return self.home / "sites.json"

    @property
    def sign_in_failures_path(self) -> Path:
        return self.home / "sign-in-failures.json"

    @property
    def audit_log_path(self) -> Path:
        """The append-only audit log (``pipelines.audit``): who signed in, sent, confirmed, ran, exported or opened what."""
        return self.home / "audit" / "audit.jsonl"

    @property
    def retained_dir(self) -> Path:
        """The published figures of reporting years whose participant-level data retention has removed
        (``pipelines.retention``): one Parquet file per published table, which dbt adds back to that table."""
        return self.home / "retained"

    @property
    def demo_returns_dir(self) -> Path:
        return self.home / "demo-returns"

    @property
    def reference_dir(self) -> Path:
        """The replaceable reference tables the national function has loaded (``pipelines.reference_tables``)."""
        return self.home / "reference"

    def reference_table_path(self, name: str) -> Path:
        """The file in effect of the replaceable table ``name`` (a value of ``REPLACEABLE_TABLES``): the one loaded into
        the data home, else the shipped default."""
        if name not in REPLACEABLE_TABLES.values():
            raise KeyError(f"not a replaceable reference table: {name!r}")
        loaded = self.reference_dir / f"{name}.csv"
        return loaded if loaded.is_file() else SHIPPED_REFERENCE_DIR / f"{name}.csv"

    def dbt_vars(self) -> dict[str, object]:
        """What dbt needs of these settings, for ``--vars`` (the profile reads ``warehouse_path``), with the absolute path
        of each replaceable reference table in effect and of each published table's retained figures (``retained_dir``),
        asked anew at each call: a table loaded, or figures retained, are used by the next run."""
        tables = {f"{name}_csv": str(self.reference_table_path(name).absolute()) for name in REPLACEABLE_TABLES.values()}
        retained = {path.stem: str(path.absolute()) for path in sorted(self.retained_dir.glob("*.parquet"))}
        return {"warehouse_path": str(self.warehouse_path), "suppression_threshold": self.suppression_threshold, **tables,
                "retained_tables": retained}


def load_settings(home: str | Path | None = None) -> Settings:
    chosen = home or os.environ.get(HOME_ENV) or DEFAULT_HOME
    threshold = int(os.environ.get(THRESHOLD_ENV, str(DEFAULT_SUPPRESSION_THRESHOLD)))
    session_minutes = int(os.environ.get(SESSION_MINUTES_ENV, str(DEFAULT_SESSION_MINUTES)))
    deadline = os.environ.get(DEADLINE_ENV, DEFAULT_DEADLINE)
    return Settings(home=Path(chosen).resolve(), suppression_threshold=threshold, session_minutes=session_minutes, deadline=deadline)
