"""Each role receives only its own data, enforced where the data is read (pipelines.publishing.access).

Over a generated data set of several sites and years: a viewer sees the published (protected) tables
and nothing else; a site sees its own rows of the site-level tables and nothing of any other site, for
every site; an analyst sees everything. Then every query function of the dashboard, as each role.
"""

from __future__ import annotations

import inspect

import duckdb
import polars as pl
import pytest

from dashboards import queries
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.defs.resources import dbt_project
from pipelines.publishing.access import Snapshots, query
from pipelines.publishing.snapshot import published_relations, site_level_relations
from pipelines.returns.submit import submit
from pipelines.settings import load_settings
from seeds.demo_returns import generate_demo_returns
from tests.conftest import run_pipeline

VIEWER = Reader("ministry", Role.VIEWER)
ANALYST = Reader("analyst", Role.ANALYST)
YEARS = (2024, 2025)


@pytest.fixture(scope="module")
def generated(tmp_path_factory, dbt_manifest):
    settings = load_settings(tmp_path_factory.mktemp("access-home"))
    for path in generate_demo_returns(tmp_path_factory.mktemp("access-returns"), site_count=8, years=YEARS):
        assert submit(path, settings).verdict == "accepted"
    run_pipeline(settings)
    return settings


def site_ids(settings) -> list[str]:
    with duckdb.connect(str(settings.site_level_path), read_only=True) as connection:
        return [site for (site,) in connection.execute("select distinct site_id from fct_indicator_site order by 1").fetchall()]


def visible_tables(snapshots: Snapshots, reader: Reader) -> set[str]:
    frame = query(snapshots, reader, "select table_name from information_schema.tables where table_catalog = 'memory'")
    return set(frame.get_column("table_name").to_list())


def test_viewer_sees_the_published_tables_only(generated):
    snapshots = Snapshots.of(generated)
    assert visible_tables(snapshots, VIEWER) == set(published_relations(dbt_project.manifest_path))
    for table in site_level_relations(dbt_project.manifest_path):
        with pytest.raises(duckdb.CatalogException):
            query(snapshots, VIEWER, f"select * from {table}")
        with pytest.raises(duckdb.CatalogException):  # nor by the snapshot's own name
            query(snapshots, VIEWER, f"select * from site_level.main.{table}")


def test_every_site_sees_its_own_rows_and_nothing_of_another(generated):
    snapshots = Snapshots.of(generated)
    sites = site_ids(generated)
    assert len(sites) == 8
    with duckdb.connect(str(generated.site_level_path), read_only=True) as connection:
        expected = {(table, site): count for table in site_level_relations(dbt_project.manifest_path)
                    for site, count in connection.execute(f"select site_id, count(*) from {table} group by 1").fetchall()}
    for site in sites:
        reader = Reader(f"coordinator-{site}", Role.SITE, site)
        for table in site_level_relations(dbt_project.manifest_path):
            seen = query(snapshots, reader, f"select site_id, count(*) as n from {table} group by 1")
            own_rows = expected.get((table, site))  # a site without a fidelity review has no fidelity rows
            assert seen.rows() == ([(site, own_rows)] if own_rows else []), (site, table)
            with pytest.raises(duckdb.CatalogException):  # the whole file is never within reach
                query(snapshots, reader, f"select * from site_level.main.{table}")


def test_analyst_sees_every_site(generated):
    snapshots = Snapshots.of(generated)
    frame = query(snapshots, ANALYST, "select distinct site_id from fct_indicator_site order by 1")
    assert frame.get_column("site_id").to_list() == site_ids(generated)


def query_functions():
    """Every function of dashboards.queries that reads figures: it takes the snapshots and the reader."""
    return [function for _, function in inspect.getmembers(queries, inspect.isfunction)
            if list(inspect.signature(function).parameters)[:2] == ["snapshots", "reader"] and function.__module__ == queries.__name__]


def arguments(function, site: str) -> list[object]:
    """Typical arguments after (snapshots, reader), by parameter name."""
    by_name = {"year": YEARS[-1], "site_id": site, "dimension": "sex", "indicator_code": "EMP_COMP_RATE"}
    return [by_name[name] for name, parameter in list(inspect.signature(function).parameters.items())[2:]
            if parameter.default is inspect.Parameter.empty]


def test_every_query_function_as_every_role(generated):
    snapshots = Snapshots.of(generated)
    functions = query_functions()
    names = {f.__name__ for f in functions}
    assert {"headline", "by_county", "fidelity_and_employment", "site_figures", "site_trend", "site_choices", "all_sites",
            "funnel", "completeness", "returns_register", "rules_broken", "county_coverage", "socio_estimate", "socio_parameters",
            "site_socio"} <= names
    sites = site_ids(generated)
    # one site's own figures: that site and the analysts
    site_only = {"site_figures", "site_trend", "site_fidelity_profile", "site_identity", "site_completeness", "site_diagnosis",
                 "site_socio"}
    may_be_empty = {"site_fidelity_profile"}  # a site without a fidelity review in the year has no profile
    analyst_only = {"all_sites", "completeness", "returns_register", "rules_broken"}
    by_role = {"site_choices", "funnel"}  # what each role receives differs, checked below
    for function in functions:
        name = function.__name__
        if name in site_only:
            with pytest.raises(AccessDenied):
                function(snapshots, VIEWER, *arguments(function, sites[0]))
            for own in sites:
                reader = Reader(f"coordinator-{own}", Role.SITE, own)
                own_rows = function(snapshots, reader, *arguments(function, own))
                assert name in may_be_empty or own_rows is not None and (not isinstance(own_rows, pl.DataFrame) or not own_rows.is_empty())
                analyst_rows = function(snapshots, ANALYST, *arguments(function, own))  # the same as the analyst sees
                assert own_rows.equals(analyst_rows) if isinstance(own_rows, pl.DataFrame) else own_rows == analyst_rows
                for other in sites:
                    if other != own:
                        with pytest.raises(AccessDenied):
                            function(snapshots, reader, *arguments(function, other))
        elif name in analyst_only:
            for reader in (VIEWER, Reader("c", Role.SITE, sites[0])):
                with pytest.raises(AccessDenied):
                    function(snapshots, reader, *arguments(function, sites[0]))
            function(snapshots, ANALYST, *arguments(function, sites[0]))
        elif name not in by_role:  # what everyone may see: the same for every role
            expected = function(snapshots, VIEWER, *arguments(function, sites[0]))
            for reader in (ANALYST, Reader("c", Role.SITE, sites[0])):
                assert repr(function(snapshots, reader, *arguments(function, sites[0]))) == repr(expected), name
    assert queries.site_choices(snapshots, VIEWER, YEARS[-1]) == {}
    assert list(queries.site_choices(snapshots, Reader("c", Role.SITE, sites[1]), YEARS[-1])) == [sites[1]]
    assert sorted(queries.site_choices(snapshots, ANALYST, YEARS[-1])) == sites
    with pytest.raises(AccessDenied):
        queries.funnel(snapshots, VIEWER, YEARS[-1])
    assert sorted(queries.funnel(snapshots, ANALYST, YEARS[-1]).points.get_column("site_id").to_list()) == sites
    for own in sites:
        points = queries.funnel(snapshots, Reader("c", Role.SITE, own), YEARS[-1]).points
        assert points.get_column("site_id").to_list() == [own]


def test_analyst_tables_cover_every_site(generated):
    snapshots = Snapshots.of(generated)
    sites = site_ids(generated)
    assert sorted(queries.all_sites(snapshots, ANALYST, YEARS[-1]).get_column("Id").to_list()) == sites
    register = queries.returns_register(snapshots, ANALYST, YEARS[-1])
    assert sorted(register.get_column("Verksamhet").to_list()) == sites
    assert register.get_column("Godkända").to_list() == [1] * len(sites)
    assert queries.completeness(snapshots, ANALYST, YEARS[-1]).height == len(sites)


def test_a_site_sees_its_own_unprotected_figures_beside_the_protected_county_and_nation(generated):
    snapshots = Snapshots.of(generated)
    site = site_ids(generated)[0]
    reader = Reader("coordinator", Role.SITE, site)
    with duckdb.connect(str(generated.site_level_path), read_only=True) as connection:
        (participants,) = connection.execute(
            "select obs_value from fct_indicator_site where site_id = ? and indicator_code = 'PARTICIPANTS' and time_period = ?",
            [site, str(YEARS[-1])]).fetchone()
    table = queries.site_figures(snapshots, reader, site, YEARS[-1])
    row = table.filter(Indikator="Antal deltagare").row(0, named=True)
    assert row["Verksamheten"] == queries.display_value(float(participants), "PARTICIPANTS")
