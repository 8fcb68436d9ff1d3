"""`ips-dbt`: dbt's own command line as the project's other dbt commands run it (DBT_EXECUTABLE: the change summary
of a replacement, the tests), ending without Python's teardown. A run builds with dbt inside the run's process
(pipelines/defs/dbt_build.py)."""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

from pipelines.fast_exit import exit_without_teardown


def main() -> NoReturn:
    from dbt.cli.main import cli

    gc.freeze()  # dbt's modules, just imported, are not walked by each full collection of the build
    try:
        cli()
        code = 0
    except SystemExit as ended:  # click ends every command so
        code = ended.code if isinstance(ended.code, int) else 0 if ended.code is None else 1
        if isinstance(ended.code, str):
            print(ended.code, file=sys.stderr)
    exit_without_teardown(code)
