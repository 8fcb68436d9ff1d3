"""The dbt models compiled for a second adapter (PostgreSQL, with dbt-postgres; no server is needed to compile) and read
by PostgreSQL's own parser (pglast), every function, type and operator they use one PostgreSQL has; and DuckDB's own SQL
kept in the dispatched macros of dbt_project/macros/engine.sql, the one place that changes with the engine
(docs/scaling.md)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from pglast import ast, parse_sql
from pglast.parser import ParseError
from pglast.visitors import Visitor

from pipelines.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings

POSTGRES_PROFILE = """
ips_warehouse:
  target: postgres
  outputs:
    postgres:
      type: postgres
      host: 127.0.0.1
      port: 5432
      user: ips
      password: not-used
      dbname: warehouse
      schema: main
      threads: 1
"""

# What PostgreSQL lacks, as DuckDB writes it: allowed in macros/engine.sql (its duckdb__ macros) and nowhere else
DUCKDB_ONLY = {
    "list functions": r"\b(list_has_any|list_contains|string_split)\s*\(",
    "arg_min / arg_max / arg_max_null": r"\barg_(min|max)(_null)?\s*\(",
    "star expressions": r"\bcolumns\s*\(|\*\s*exclude\s*\(|\*\s*replace\s*\(",
    "union all by name": r"union\s+all\s+by\s+name",
    "unpivot, qualify": r"\bunpivot\b|\bqualify\b",
    "median, isnan, year(), epoch()": r"\b(median|isnan|year|epoch)\s*\(",
    "hugeint and //": r"\bhugeint\b|//",
    "reading files": r"\bread_(csv|parquet)\w*\s*\(",
}

# Every function the models call compiled for PostgreSQL, each one PostgreSQL 16 has (any_value is new in 16)
POSTGRES_FUNCTIONS = {
    "age", "any_value", "array_agg", "bool_or", "coalesce", "corr", "count", "date_part", "div", "extract", "make_date",
    "max", "min", "percentile_cont", "rank", "round", "row_number", "string_to_array", "sum", "unnest",
}
POSTGRES_TYPES = {"bool", "date", "float8", "int4", "int8", "interval", "numeric", "timestamp", "varchar"}
POSTGRES_OPERATORS = {"=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "||", "&&", "BETWEEN"}


def compile_for_postgres(tmp_path: Path) -> Path:
    (tmp_path / "profiles.yml").write_text(POSTGRES_PROFILE, encoding="utf-8")
    target = tmp_path / "target"
    completed = subprocess.run(
        [DBT_EXECUTABLE, "compile", "--profiles-dir", str(tmp_path), "--target-path", str(target), "--log-path", str(tmp_path),
         "--no-populate-cache", "--no-introspect", "--vars", json.dumps(Settings(tmp_path / "home").dbt_vars())],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "adapter: postgres" in completed.stdout
    return target / "compiled" / "ips_warehouse" / "models"


class _Used(Visitor):
    """The functions, types and operators of a parsed statement."""

    def __init__(self) -> None:
        self.functions: set[str] = set()
        self.types: set[str] = set()
        self.operators: set[str] = set()

    @staticmethod
    def _name(names: tuple[ast.String, ...] | None) -> str:
        return str(names[-1].sval) if names else ""

    def visit_FuncCall(self, _ancestors: object, node: ast.FuncCall) -> None:
        self.functions.add(self._name(node.funcname))

    def visit_TypeName(self, _ancestors: object, node: ast.TypeName) -> None:
        self.types.add(self._name(node.names))

    def visit_A_Expr(self, _ancestors: object, node: ast.A_Expr) -> None:
        if node.name:
            self.operators.add(self._name(node.name))


def test_every_model_compiled_for_postgres_is_sql_postgres_reads_with_its_functions_types_and_operators(tmp_path):
    models = {path.stem for path in (DBT_PROJECT_DIR / "models").rglob("*.sql")}
    compiled = {path.stem: path.read_text(encoding="utf-8") for path in compile_for_postgres(tmp_path).rglob("*.sql")}
    assert models <= set(compiled)  # and the data tests beside them
    used = _Used()
    for name, sql in compiled.items():
        try:
            used(parse_sql(sql))
        except ParseError as error:
            raise AssertionError(f"{name}: PostgreSQL cannot read it: {error}") from error
    assert used.functions <= POSTGRES_FUNCTIONS, used.functions - POSTGRES_FUNCTIONS
    assert used.types <= POSTGRES_TYPES, used.types - POSTGRES_TYPES
    assert used.operators <= POSTGRES_OPERATORS, used.operators - POSTGRES_OPERATORS
    # the engine's macros took their PostgreSQL form
    assert "array_agg(" in compiled["int_participants"] and "percentile_cont(0.5)" in compiled["int_indicator_cells__medians"]


def test_duckdb_s_own_sql_is_only_in_the_engine_macros():
    sources = [*(DBT_PROJECT_DIR / "models").rglob("*.sql"), *(DBT_PROJECT_DIR / "macros").glob("*.sql"),
               *(DBT_PROJECT_DIR / "tests").rglob("*.sql")]
    engine = DBT_PROJECT_DIR / "macros" / "engine.sql"
    assert engine in sources
    found = {(construct, path.relative_to(DBT_PROJECT_DIR).as_posix())
             for path in sources
             for construct, pattern in DUCKDB_ONLY.items()
             if re.search(pattern, re.sub(r"--[^\n]*|\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S), re.I)}
    assert {path for _, path in found} == {"macros/engine.sql"}, sorted(found)
    # the macros stand for the rest; these are written portably instead (explicit columns, a union per item, a subquery)
    assert set(DUCKDB_ONLY) - {construct for construct, _ in found} == {"star expressions", "unpivot, qualify"}
