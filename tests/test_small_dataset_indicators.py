"""The whole asset graph on the hand-made data set; every expected figure is counted by hand below."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest


def indicator(settings, code, ref_area="SE", period="2025", sex="_T", age="_T", diagnosis="_T", mart="fct_indicator"):
    with duckdb.connect(str(settings.published_path), read_only=True) as connection:
        rows = connection.execute(
            f"select obs_value, {'conf_status' if mart.endswith('published') else 'numerator, denominator'} from main.{mart} "
            "where indicator_code = ? and ref_area = ? and time_period = ? and sex = ? and age = ? and diagnosis = ?",
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
