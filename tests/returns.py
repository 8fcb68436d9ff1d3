"""Small, readable returns built in tests, written with the demo generator's writer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from schemas.tables import FIDELITY_ITEMS
from seeds.demo_returns import Dialect, write_return

YEAR = 2025


def d(text: str) -> dt.date | str:
    """A date, or the text as it stands when a test writes a bad one on purpose."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


def site_row(site_id: str, municipality_code: str, fte: float, year: int = YEAR, **overrides) -> dict:
    return {
        "site_id": site_id, "reporting_year": year, "site_name": f"IPS test {site_id}", "municipality_code": municipality_code,
        "organiser_type": "kommun", "financing": "finsam|esf", "integrated_with_psychiatry": "ja", "psychosis_target_group": "ja",
        "specialist_fte": fte, "supervisor_fte": None, "start_date": d("2015-01-01"), **overrides,
    }


def participant(site_id: str, participant_id: str, intake: str, exit: str | None = None, year: int = YEAR, **overrides) -> dict:
    return {
        "site_id": site_id, "reporting_year": year, "participant_id": participant_id, "sex": "K", "birth_year": 1985,
        "education": "gymnasium", "intake_date": d(intake), "first_employer_contact_date": None,
        "exit_date": d(exit) if exit else None, "exit_reason": "annat" if exit else None, "referral_source": "psykiatri",
        "last_employed": "over_5_ar", "registered_at_af": "ja", "attachment_at_intake": "mycket_svag",
        "income_at_intake": "sjukersattning", "attachment_at_followup": None, "income_at_followup": None,
        "economic_situation": None, **overrides,
    }


def diagnosis(site_id: str, participant_id: str, group: str = "psykos", icd10: str | None = None, year: int = YEAR) -> dict:
    return {"site_id": site_id, "reporting_year": year, "participant_id": participant_id, "diagnosis_group": group, "icd10_code": icd10}


def episode(site_id: str, participant_id: str, activity: str, start: str, end: str | None = None, year: int = YEAR) -> dict:
    paid = activity in ("konkurrensutsatt_arbete", "subventionerat_arbete")
    return {"site_id": site_id, "reporting_year": year, "participant_id": participant_id, "activity_type": activity,
            "start_date": d(start), "end_date": d(end) if end else None, "hours_per_week": 20.0,
            "employer_sector": "privat" if paid else None}


def fidelity_items(total: int) -> dict:
    """25 items of 1–5 adding up to ``total``: as even as possible."""
    base, extra = divmod(total, 25)
    return {item: base + (1 if i < extra else 0) for i, item in enumerate(FIDELITY_ITEMS)}


def review(site_id: str, date: str, total: int, year: int = YEAR, with_total: bool = True) -> dict:
    return {"site_id": site_id, "reporting_year": year, "review_date": d(date), "reviewer_type": "extern",
            **fidelity_items(total), "total_score": total if with_total else None}


def write(tables: dict[str, list[dict]], target: Path, dialect: Dialect = Dialect()) -> Path:
    full = {name: tables.get(name, []) for name in ("verksamhet", "deltagare", "diagnoser", "aktiviteter", "programtrohet")}
    return write_return(full, target, dialect)


def minimal_return(**participant_overrides) -> dict[str, list[dict]]:
    return {
        "verksamhet": [site_row("IPS0009", "2184", 2.5, site_name="IPS Hälsingland – Hudiksvall")],
        "deltagare": [participant("IPS0009", "L1", "2025-02-01", **participant_overrides)],
        "diagnoser": [diagnosis("IPS0009", "L1", "psykos", "F20.0")],
        "aktiviteter": [episode("IPS0009", "L1", "konkurrensutsatt_arbete", "2025-03-01")],
        "programtrohet": [review("IPS0009", "2025-06-01", 101)],
    }
