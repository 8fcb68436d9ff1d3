"""A hand-made data set of two sites in two counties for 2025, small enough to count by hand.

Site A, IPS0001, Stockholm (0180, SE-AB), 2.0 specialist FTE, 12 participants;
site B, IPS0002, Uppsala (0380, SE-C), 1.5 FTE, 10 participants. Each line below
is one participant: intake, exit, and the episodes that matter. Everyone's attachment at intake is
mycket_svag and income at intake sjukersattning, unless the line says otherwise.
"""

from __future__ import annotations

from pathlib import Path

from seeds.demo_returns import Dialect
from tests.returns import diagnosis, episode, participant, review, site_row, write

A, B = "IPS0001", "IPS0002"
# A hostile name, as a careless or malicious spreadsheet might hold: every export must show it as text.
HOSTILE_SITE_NAME = '=HYPERLINK("https://example.org/x","IPS Stockholm")'

SITE_A = {
    "verksamhet": [site_row(A, "0180", 2.0, site_name=HOSTILE_SITE_NAME)],
    "deltagare": [
        participant(A, "A01", "2024-03-01", sex="M", birth_year=1995, attachment_at_followup="ganska_stark", income_at_followup="lon"),
        participant(A, "A02", "2024-09-15", "2025-05-31", exit_reason="arbete", birth_year=1990,
                    attachment_at_followup="mycket_svag", income_at_followup="lon|sjukersattning"),
        participant(A, "A03", "2025-01-10", first_employer_contact_date="2025-01-20", attachment_at_followup="okand"),
        participant(A, "A04", "2025-02-01", sex="M", first_employer_contact_date="2025-02-11",
                    attachment_at_followup="ganska_svag", income_at_followup="lonebidrag"),
        participant(A, "A05", "2025-04-15", first_employer_contact_date="2025-05-15"),
        participant(A, "A06", "2025-06-01", "2025-09-30", exit_reason="avbrott_eget_val", sex="M"),
        participant(A, "A07", "2023-11-01", income_at_intake="lon|sjukpenning"),
        participant(A, "A08", "2024-01-20", sex="M"),
        participant(A, "A09", "2024-05-05", "2025-03-31"),
        participant(A, "A10", "2025-07-01", sex="X"),
        participant(A, "A11", "2025-09-01", sex="M"),
        participant(A, "A12", "2025-10-01"),
    ],
    "diagnoser": [
        diagnosis(A, "A01", "psykos", "F20.0"), diagnosis(A, "A01", "missbruk"),
        diagnosis(A, "A02", "depression", "F32"), diagnosis(A, "A02", "bipolar"),
        *(diagnosis(A, pid, "depression") for pid in ("A03", "A04", "A05", "A06")),
        *(diagnosis(A, pid, "neuropsykiatrisk", "F90.0") for pid in ("A07", "A08", "A09")),
        *(diagnosis(A, pid, "okand") for pid in ("A10", "A11", "A12")),
    ],
    "aktiviteter": [
        episode(A, "A01", "konkurrensutsatt_arbete", "2024-06-01"),
        episode(A, "A02", "konkurrensutsatt_arbete", "2025-02-01", "2025-05-31"),
        episode(A, "A03", "konkurrensutsatt_arbete", "2025-08-01"),
        episode(A, "A04", "subventionerat_arbete", "2025-04-01"),
        episode(A, "A05", "konkurrensutsatt_arbete", "2025-10-01"),
        episode(A, "A07", "konkurrensutsatt_arbete", "2025-11-15"),
        episode(A, "A08", "studier", "2025-01-01", "2025-06-30"),
        episode(A, "A09", "praktik", "2024-10-01", "2025-02-28"),
        episode(A, "A12", "konkurrensutsatt_arbete", "2025-12-01"),
    ],
    "programtrohet": [review(A, "2025-03-01", 80), review(A, "2025-10-01", 104, with_total=False)],
}

SITE_B = {
    "verksamhet": [site_row(B, "0380", 1.5)],
    "deltagare": [
        participant(B, "B01", "2024-02-01", sex="M"),
        participant(B, "B02", "2024-06-01"),
        participant(B, "B03", "2025-03-01", first_employer_contact_date="2025-03-03"),
        participant(B, "B04", "2024-04-01", sex="M"),
        participant(B, "B05", "2024-10-01", "2025-02-15"),
        participant(B, "B06", "2025-01-15", sex="M"),
        participant(B, "B07", "2025-05-01"),
        participant(B, "B08", "2025-08-01", sex="M"),
        participant(B, "B09", "2025-11-01"),
        participant(B, "B10", "2023-06-01", "2025-06-30"),
    ],
    "diagnoser": [diagnosis(B, f"B{n:02d}", "psykos" if n <= 5 else "angest") for n in range(1, 11)],
    "aktiviteter": [
        episode(B, "B01", "konkurrensutsatt_arbete", "2024-08-01", "2025-03-31"),
        episode(B, "B02", "konkurrensutsatt_arbete", "2025-06-01"),
        episode(B, "B03", "konkurrensutsatt_arbete", "2025-09-01"),
    ],
    "programtrohet": [review(B, "2025-05-01", 87)],
}


def write_small_dataset(directory: Path) -> list[Path]:
    """Site A as Swedish-Excel CSV (Windows-1252, semicolons, decimal comma), site B as XLSX."""
    return [
        write(SITE_A, directory / "site_a", Dialect("cp1252", ";", ",")),
        write(SITE_B, directory / "site_b", Dialect(container="xlsx")),
    ]
