"""The whole asset graph on the hand-made data set; every expected figure is counted by hand below."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest


def indicator(settings, code, ref_area="SE", period="2025", sex="_T", age="_T", diagnosis="_T", mart="fct_indicator"):
    database = settings.published_path if mart.endswith("published") else settings.warehouse_path
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            f"select obs_value, {'conf_status' if mart.endswith('published') else 'numerator, denominator'} from main.{mart} "
            "where indicator_code = ? and ref_area = ? and time_period = ? and sex = ? and age = ? and diagnosis = ? and breakdown <> 'site'",
            [code, ref_area, period, sex, age, diagnosis],
        ).fetchall()
    assert len(rows) == 1, f"{code} {ref_area} {period}: {rows}"
    return rows[0]


def value(settings, code, **where):
    return indicator(settings, code, **where)[0]


@pytest.mark.parametrize(
    ("code", "ref_area", "expected"),
    [
        # two sites, one per county
        ("SITES", "SE", 2), ("SITES", "SE-AB", 1), ("SITES", "SE-C", 1),
        # every row of deltagare is enrolled in the year: 12 + 10
        ("PARTICIPANTS", "SE", 22), ("PARTICIPANTS", "SE-AB", 12), ("PARTICIPANTS", "SE-C", 10),
        # competitive work overlapping 2025: A01 A02 A03 A05 A07 A12 | B01 B02 B03
        ("EMP_COMP", "SE", 9), ("EMP_COMP", "SE-AB", 6), ("EMP_COMP", "SE-C", 3),
        # 9/22 = 40.909..., 6/12 = 50, 3/10 = 30
        ("EMP_COMP_RATE", "SE", Decimal("40.9")), ("EMP_COMP_RATE", "SE-AB", Decimal("50.0")), ("EMP_COMP_RATE", "SE-C", Decimal("30.0")),
        # latest reviews: A 104 (items only, no total given), B 87; (104 + 87) / 2
        ("FID_MEAN", "SE", Decimal("95.5")), ("FID_MEAN", "SE-AB", Decimal("104.0")), ("FID_MEAN", "SE-C", Decimal("87.0")),
        ("FID_REVIEWED", "SE", 2),
        # one of two reviewed sites at 100 or more
        ("FID_GOOD_RATE", "SE", Decimal("50.0")),
        # intakes in 2025: A03 A04 A05 A06 A10 A11 A12 | B03 B06 B07 B08 B09
        ("INTAKES", "SE", 12),
        # exits in 2025: A02 A06 A09 | B05 B10
        ("EXITS", "SE", 5),
        # paid work adds A04 (subsidised): 10 of 22 = 45.45...
        ("EMP_PAID", "SE", 10), ("EMP_PAID_RATE", "SE", Decimal("45.5")),
        # studies: A08 only; 1/22 = 4.545...
        ("EDU", "SE", 1), ("EDU_RATE", "SE", Decimal("4.5")),
        # work (paid) or studies: 10 + A08 = 11 of 22
        ("EMP_OR_EDU_RATE", "SE", Decimal("50.0")),
        # out of work at intake: all but A07 (lon): 21; of them in competitive work: 9 - A07 = 8 -> 38.095...
        ("EMP_COMP_RATE_OOW", "SE", Decimal("38.1")),
        # enrolled on 31 Dec: A 9 of 12 (A02 A06 A09 left), B 8 of 10 (B05 B10 left); per FTE
        ("CASELOAD", "SE-AB", Decimal("4.5")), ("CASELOAD", "SE-C", Decimal("5.3")), ("CASELOAD", "SE", Decimal("4.9")),
        # contact - intake for 2025 intakes with a contact date: A03 10, A04 10, A05 30, B03 2 -> median (10 + 10) / 2
        ("DAYS_TO_CONTACT_MED", "SE", Decimal("10.0")),
        # first competitive job starting in 2025 minus intake: A02 139, A03 203, A05 169, A07 745, A12 61,
        # B02 365, B03 184 -> sorted 61 139 169 184 203 365 745 -> median 184
        ("DAYS_TO_JOB_MED", "SE", Decimal("184.0")),
    ],
)
def test_annual_indicator_counted_by_hand(small_warehouse, code, ref_area, expected):
    assert value(small_warehouse, code, ref_area=ref_area) == expected


def test_quarterly_participants_and_employment(small_warehouse):
    # Q1 (1 Jan – 31 Mar): A01 A02 A03 A04 A07 A08 A09 | B01 B02 B03 B04 B05 B06 B10
    assert value(small_warehouse, "PARTICIPANTS", period="2025-Q1") == 14
    # competitive work in Q1: A01 (open since 2024), A02 (from 1 Feb), B01 (until 31 Mar)
    assert value(small_warehouse, "EMP_COMP", period="2025-Q1") == 3
    assert value(small_warehouse, "EMP_COMP_RATE", period="2025-Q1") == Decimal("21.4")
    # Q4 (1 Oct – 31 Dec): A01 A03 A04 A05 A07 A08 A10 A11 A12 | B01 B02 B03 B04 B06 B07 B08 B09
    assert value(small_warehouse, "PARTICIPANTS", period="2025-Q4") == 17
    # competitive work in Q4: A01 A03 A05 A07 A12 | B02 B03
    assert value(small_warehouse, "EMP_COMP", period="2025-Q4") == 7


def test_breakdowns_by_sex_age_and_primary_diagnosis(small_warehouse):
    # men: A01 A04 A06 A08 A11 | B01 B04 B06 B08 = 9; other: A10 = 1
    assert value(small_warehouse, "PARTICIPANTS", sex="M") == 9
    assert value(small_warehouse, "PARTICIPANTS", sex="_O") == 1
    # age = 2025 - birth year: A01 born 1995 is 30 (Y30T39); everyone else born 1985 or 1990 is 35–40
    assert value(small_warehouse, "PARTICIPANTS", age="Y40T49") == 20  # born 1985: 40
    assert value(small_warehouse, "PARTICIPANTS", age="Y30T39") == 2  # A01 (30), A02 (35)
    # primary diagnosis by hierarchy: A01 psykos (over missbruk), A02 bipolar (over depression)
    assert value(small_warehouse, "PARTICIPANTS", diagnosis="PSY") == 6  # A01, B01–B05
    assert value(small_warehouse, "PARTICIPANTS", diagnosis="BIP") == 1
    assert value(small_warehouse, "PARTICIPANTS", diagnosis="DEP") == 4  # A03–A06
    assert value(small_warehouse, "PARTICIPANTS", diagnosis="UNK") == 3


def observations(settings, code, mart="fct_indicator", **where):
    database = settings.published_path if mart.endswith("published") else settings.warehouse_path
    conditions = " ".join(f"and {column} = '{code}'" for column, code in where.items())
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(f"select * from main.{mart} where indicator_code = ? and time_period = '2025' "
                                  f"and breakdown <> 'site' {conditions}", [code]).fetchall()


def test_breakdowns_are_complete_and_a_zero_is_published_as_zero(small_warehouse):
    """Indicators v1.1: every code of sex, age and diagnosis, 0 where nobody falls in it; no rate over nobody."""
    published = dict(mart="fct_indicator_published")
    # everyone is 30–40 in 2025 (born 1985, 1990 or 1995): nobody under 30, nobody 50 or over
    for age in ("Y_LT30", "Y50T59", "Y_GE60"):
        assert indicator(small_warehouse, "PARTICIPANTS", age=age, **published) == (Decimal("0"), "F")
        assert indicator(small_warehouse, "EMP_COMP", age=age, **published) == (Decimal("0"), "F")
        assert observations(small_warehouse, "EMP_COMP_RATE", age=age) == []  # a rate of nobody: no observation
        assert observations(small_warehouse, "EMP_COMP_RATE", age=age, **published) == []
    # nobody's primary diagnosis is missbruk (A01's is psykos, above it), utvecklingsstorning or annan
    for diagnosis in ("SUB", "ID", "OTH"):
        assert indicator(small_warehouse, "PARTICIPANTS", diagnosis=diagnosis, **published) == (Decimal("0"), "F")
    # every code of each dimension, once: 3 sexes, 5 age groups, 9 diagnosis groups
    for column, codes in (("sex", 3), ("age", 5), ("diagnosis", 9)):
        assert len(observations(small_warehouse, "PARTICIPANTS", breakdown=column, **published)) == codes


def shipped_population() -> dict[str, int]:
    """County code -> population, as the shipped table gives it (one year, 2018)."""
    import csv

    from pipelines.settings import PROJECT_ROOT

    with (PROJECT_ROOT / "seeds" / "replaceable" / "county_population.csv").open(encoding="utf-8") as handle:
        return {row["county_code"]: int(row["population"]) for row in csv.DictReader(handle)}


def test_participants_per_100k_inhabitants(small_warehouse):
    published = dict(mart="fct_indicator_published")
    population = shipped_population()
    assert len(population) == 21 and population["01"] == 2315612 and population["03"] == 370551
    # 2025 has no population of its own: the newest before it, 2018's, is used
    assert value(small_warehouse, "PARTICIPANTS_PER_100K", ref_area="SE-AB") == Decimal("0.5")  # 12 / 2 315 612 = 0.518
    assert value(small_warehouse, "PARTICIPANTS_PER_100K", ref_area="SE-C") == Decimal("2.7")  # 10 / 370 551 = 2.699
    national = 100_000 * 22 / sum(population.values())  # 22 participants over the 21 counties' sum, about 10.1 million
    assert value(small_warehouse, "PARTICIPANTS_PER_100K") == Decimal(f"{national:.1f}")
    assert indicator(small_warehouse, "PARTICIPANTS_PER_100K", ref_area="SE-C", **published) == (Decimal("2.7"), "F")
    assert observations(small_warehouse, "PARTICIPANTS_PER_100K", ref_area="SE-W") == []  # a county without a site: none


def test_a_zero_is_never_the_complementary_cell(small_warehouse):
    published = dict(mart="fct_indicator_published")
    # by age: 30–39 holds 2 (A01, A02) and is withheld; the other parts are 0, 20, 0 and 0. Hiding a 0 would leave
    # 22 - 20 = 2 in plain sight, so the smallest non-zero part, 40–49's 20, is withheld beside it.
    assert indicator(small_warehouse, "PARTICIPANTS", age="Y30T39", **published) == (None, "A")
    assert indicator(small_warehouse, "PARTICIPANTS", age="Y40T49", **published) == (None, "D")
    # in competitive work: A01 and A02 of the 30–39s (withheld), 7 of the 40–49s (so withheld beside them)
    assert indicator(small_warehouse, "EMP_COMP", age="Y30T39", **published) == (None, "A")
    assert indicator(small_warehouse, "EMP_COMP", age="Y40T49", **published) == (None, "D")


def test_published_figures_are_protected(small_warehouse):
    published = dict(mart="fct_indicator_published")
    # national figures are large enough
    assert indicator(small_warehouse, "EMP_COMP_RATE", **published) == (Decimal("40.9"), "F")
    # Uppsala: 3 in competitive work is a small count (primary), and so is its rate
    assert indicator(small_warehouse, "EMP_COMP", ref_area="SE-C", **published) == (None, "A")
    assert indicator(small_warehouse, "EMP_COMP_RATE", ref_area="SE-C", **published) == (None, "A")
    # ...and Stockholm's 6 would give Uppsala's 3 away as 9 - 6: complementary suppression
    assert indicator(small_warehouse, "EMP_COMP", ref_area="SE-AB", **published) == (None, "D")
    # one person of sex X is suppressed; the next smallest (men, 9) is suppressed to protect it
    assert indicator(small_warehouse, "PARTICIPANTS", sex="_O", **published) == (None, "A")
    assert indicator(small_warehouse, "PARTICIPANTS", sex="M", **published) == (None, "D")
    assert indicator(small_warehouse, "PARTICIPANTS", sex="F", **published) == (Decimal("12"), "F")
    # fidelity describes sites, not persons: published as it is
    assert indicator(small_warehouse, "FID_MEAN", ref_area="SE-C", **published) == (Decimal("87.0"), "F")
    # a median resting on 4 persons is suppressed
    assert indicator(small_warehouse, "DAYS_TO_CONTACT_MED", **published) == (None, "A")


@pytest.mark.parametrize(
    ("code", "where", "expected"),
    [
        # primary diagnosis shares of 22: PSY 6, BIP 1, DEP 4, NDD 3 (A07–A09), ANX 5 (B06–B10), UNK 3
        ("DIAG_SHARE", {"diagnosis": "PSY"}, Decimal("27.3")), ("DIAG_SHARE", {"diagnosis": "BIP"}, Decimal("4.5")),
        ("DIAG_SHARE", {"diagnosis": "DEP"}, Decimal("18.2")), ("DIAG_SHARE", {"diagnosis": "NDD"}, Decimal("13.6")),
        ("DIAG_SHARE", {"diagnosis": "ANX"}, Decimal("22.7")), ("DIAG_SHARE", {"diagnosis": "UNK"}, Decimal("13.6")),
        # attachment known at both moments: A01 improved, A02 same, A04 improved (A03 okand) -> 2 of 3
        ("ATT_IMPROVED_RATE", {}, Decimal("66.7")),
        # 2025 intakes with a contact date: B03 2 days; A03 10, A04 10, A05 30; none later
        ("CONTACT_LE7_RATE", {}, Decimal("25.0")), ("CONTACT_8T30_RATE", {}, Decimal("75.0")),
        ("CONTACT_GT30_RATE", {}, Decimal("0.0")),
    ],
)
def test_beyond_the_core_indicators(small_warehouse, code, where, expected):
    assert value(small_warehouse, code, **where) == expected


def query(settings, sql, database="warehouse"):
    path = settings.published_path if database == "published" else settings.warehouse_path
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_fidelity_item_profile_bands_and_relation_to_employment(small_warehouse):
    # latest reviews: A 104 = items 01–04 at 5, the rest 4; B 87 = items 01–12 at 4, the rest 3
    items = dict(query(small_warehouse, "select item, obs_value from fct_fidelity_items where ref_area = 'SE'", "published"))
    assert (items["item_01"], items["item_05"], items["item_13"], items["item_25"]) == (
        Decimal("4.5"), Decimal("4.0"), Decimal("3.5"), Decimal("3.5"))
    weakest = query(small_warehouse, "select item from fct_fidelity_items where ref_area = 'SE' and weakest_rank = 1", "published")
    assert weakest == [("item_13",)]
    bands = dict(query(small_warehouse, "select fidelity_band, obs_value from fct_fidelity_bands where ref_area = 'SE'", "published"))
    assert bands == {"mycket_god": 0, "god": 1, "delvis": 1, "inte_ips": 0}
    points = query(small_warehouse, "select fidelity_score, emp_comp_rate, conf_status, correlation_in_year, sites_in_correlation, "
                                    "sites_withheld from fct_fidelity_employment_published order by fidelity_score desc", "published")
    # A (104): 6 of 12 in work, published; B (87): 3 of 10 is withheld and left out; no site named. One point
    # shown, so no correlation (it needs three).
    assert points == [(104, Decimal("50.0"), "F", None, 1, 1), (87, None, "A", None, 1, 1)]


def test_income_sources_at_intake_and_follow_up(small_warehouse):
    shares = {(m, s): (v, c) for m, s, v, c in query(
        small_warehouse, "select moment, income_source, obs_value, conf_status from fct_income_sources_published", "published")}
    # intake: 21 of 22 sjukersattning (all but A07), A07 lon|sjukpenning
    assert shares[("intake", "sjukersattning")] == (None, "A")  # 22 - 21 = 1 person without it is a small count
    assert shares[("intake", "lon")] == (None, "A")
    unprotected = {(m, s): v for m, s, v in query(
        small_warehouse, "select moment, income_source, obs_value from fct_income_sources")}
    assert unprotected[("intake", "sjukersattning")] == Decimal("95.5")
    # follow-up recorded for A01 lon, A02 lon|sjukersattning, A04 lonebidrag: lon 2 of 3
    assert unprotected[("followup", "lon")] == Decimal("66.7")
    assert unprotected[("followup", "lonebidrag")] == Decimal("33.3")


def test_completeness_per_site_and_field(small_warehouse):
    rows = dict(query(small_warehouse, "select field, obs_value from fct_completeness where site_id = 'IPS0001'"))
    # contact dates: A03 A04 A05 of 12; ICD-10 codes: A01 F20.0, A02 F32, A07–A09 F90.0 of 14 diagnosis rows
    assert rows["first_employer_contact_date"] == Decimal("25.0")
    assert rows["icd10_code"] == Decimal("35.7")


def test_sites_see_their_own_figures_unprotected_beside_the_national_value(small_warehouse):
    rows = query(small_warehouse, "select obs_value, national_value from fct_indicator_site "
                                  "where site_id = 'IPS0002' and indicator_code = 'EMP_COMP_RATE' and time_period = '2025'")
    assert rows == [(Decimal("30.0"), Decimal("40.9"))]


def test_the_published_snapshot_holds_only_protected_tables(small_warehouse):
    tables = {name for (name,) in query(small_warehouse, "select table_name from information_schema.tables", "published")}
    assert tables == {"fct_indicator_published", "fct_fidelity_items", "fct_fidelity_bands", "fct_fidelity_employment_published",
                      "fct_income_sources_published", "fct_time_in_programme_published", "dim_sites_published",
                      "dim_data_date", "code_lists", "counties", "county_population", "indicators", "socioeconomic_parameters"}


def test_time_in_programme_bands(small_warehouse):
    # full months from intake to exit, or to 31 Dec 2025:
    # under 6: A06 A10 A11 A12 B05 B08 B09 | 6–11: A02 A03 A04 A05 A09 B03 B06 B07
    # 12–23: A01 A08 B01 B02 B04 | 24 or more: A07 (25), B10 (24, to exit 30 Jun)
    rows = query(small_warehouse, "select tenure_band, indicator_code, obs_value from fct_time_in_programme")
    counted = {(band, code): value for band, code, value in rows}
    assert [counted[(b, "TIP_PARTICIPANTS")] for b in ("M_LT6", "M6T11", "M12T23", "M_GE24", "_T")] == [7, 8, 5, 2, 22]
    # in competitive work: A12 | A02 A03 A05 B03 | A01 B01 B02 | A07
    assert [counted[(b, "TIP_EMP_COMP_RATE")] for b in ("M_LT6", "M6T11", "M12T23", "M_GE24")] == [
        Decimal("14.3"), Decimal("50.0"), Decimal("60.0"), Decimal("50.0")]
    published = {(band, code): status for band, code, status in query(
        small_warehouse, "select tenure_band, indicator_code, conf_status from fct_time_in_programme_published", "published")}
    # 2 persons is a small count; 5 (the next smallest band) is withheld so that 22 - 7 - 8 - 5 does not give it away
    assert published[("M_GE24", "TIP_PARTICIPANTS")] == "A" and published[("M12T23", "TIP_PARTICIPANTS")] == "D"
    assert published[("M_LT6", "TIP_PARTICIPANTS")] == published[("M6T11", "TIP_PARTICIPANTS")] == "F"
