"""What is published is said once (the dbt tag), and the snapshot holds exactly that; settings reach dbt."""

from __future__ import annotations

import duckdb

from pipelines.defs.resources import dbt_project
from pipelines.publishing.snapshot import published_relations
from pipelines.settings import Settings
from tests.conftest import run_pipeline
from tests.small_dataset import write_small_dataset

# indicators-v1: the protected marts, the sites' public facts and the labels; never a site's own figures
PUBLISHED = {
    "fct_indicator_published", "fct_fidelity_items", "fct_fidelity_bands", "fct_fidelity_employment_published",
    "fct_income_sources_published", "fct_time_in_programme_published", "dim_sites_published",
    "dim_data_date", "code_lists", "counties", "county_population", "indicators", "socioeconomic_parameters",
}


def tables(database) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {name for (name,) in connection.execute("select table_name from information_schema.tables").fetchall()}


def test_the_published_tag_marks_exactly_the_protected_tables(dbt_manifest):
    assert set(published_relations(dbt_project.manifest_path)) == PUBLISHED


def test_snapshot_holds_the_tagged_tables_and_nothing_unprotected(small_warehouse):
    published = tables(small_warehouse.published_path)
    assert published == PUBLISHED
    assert {"fct_indicator", "fct_indicator_site", "fct_completeness", "fct_fidelity_employment"} <= tables(small_warehouse.warehouse_path)


def test_site_level_snapshot_holds_each_sites_own_figures_each_with_a_site_id(small_warehouse):
    site_level = tables(small_warehouse.site_level_path)
    assert site_level == {"fct_indicator_site", "fct_fidelity_employment", "fct_completeness", "fct_fidelity_items_site",
                          "fct_diagnosis_site"}
    assert not site_level & tables(small_warehouse.published_path)
    with duckdb.connect(str(small_warehouse.site_level_path), read_only=True) as connection:
        for table in site_level:
            sites = {site for (site,) in connection.execute(f"select distinct site_id from {table}").fetchall()}
            assert sites == {"IPS0001", "IPS0002"}, table


def test_published_fidelity_points_carry_no_site_identity(small_warehouse):
    with duckdb.connect(str(small_warehouse.published_path), read_only=True) as connection:
        columns = {name for (name, *_) in connection.execute("describe fct_fidelity_employment_published").fetchall()}
    assert not columns & {"site_id", "site_name", "ref_area"}


def test_threshold_setting_reaches_dbt(tmp_path, dbt_manifest):
    from pipelines.returns.submit import submit

    settings = Settings(home=tmp_path / "home", suppression_threshold=3)
    for path in write_small_dataset(tmp_path / "returns"):
        assert submit(path, settings).verdict == "accepted"
    run_pipeline(settings)
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        uppsala = connection.execute(
            "select obs_value, conf_status from fct_indicator_published where indicator_code = 'EMP_COMP' "
            "and ref_area = 'SE-C' and time_period = '2025'").fetchall()
    # B01 B02 B03 in work: withheld at the default threshold 5 (1–4), published at 3 (1–2)
    assert uppsala == [(3, "F")]
