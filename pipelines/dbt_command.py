"""`ips-dbt`: dbt's own command line, as the pipeline runs it (DBT_EXECUTABLE), ending without Python's teardown."""

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
