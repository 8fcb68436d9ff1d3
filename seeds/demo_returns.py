"""A deterministic generator of synthetic annual returns in format v1.

The same seed gives byte-identical returns. Every person in them is invented:
participant ids are serial numbers such as ``D0042``, never identity numbers.
The returns have the variety real sites send: Swedish-Excel CSV (Windows-1252,
semicolons, decimal commas), UTF-8 with a BOM, upper-case headers with stray
spaces, zips, one XLSX workbook, and sites without a fidelity review.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from schemas.tables import FIDELITY_ITEMS, TABLES
from seeds.reference_data import read_reference_csv

DEMO_YEARS = (2023, 2024, 2025)
DEMO_SEED = 20261123
# Scale 1 is Sweden at full coverage: 300 sites and about 15,000 participants a year (``scaled_site_count``)
SITES_AT_SCALE_1 = 300
PARTICIPANTS_A_YEAR_AT_SCALE_1 = 15_000
# Site ids are IPS and four digits (return format v1): past this many sites, a larger scale makes sites larger instead
MOST_SITES = 7_500
# A site taking in n people a year has about 3.4 n enrolled in the third year of intakes (nearly half never leave)
ENROLLED_PER_INTAKE = 3.4
DIAGNOSIS_WEIGHTS = {
    "depression": 29, "neuropsykiatrisk": 23, "psykos": 22, "bipolar": 8, "angest": 8,
    "missbruk": 5, "utvecklingsstorning": 2, "annan": 2, "okand": 1,
}
ICD10_EXAMPLES = {
    "psykos": ["F20.0", "F25", "F29"], "bipolar": ["F31.1", "F31"], "depression": ["F32.1", "F33"],
    "neuropsykiatrisk": ["F84.5", "F90.0"], "angest": ["F41.1", "F43.1"], "missbruk": ["F10.2", "F19"],
    "utvecklingsstorning": ["F70"],
}


@dataclass
class Episode:
    activity_type: str
    start: dt.date
    end: dt.date | None
    hours: float | None
    sector: str | None


@dataclass
class Person:
    participant_id: str
    sex: str
    birth_year: int
    education: str
    intake: dt.date
    exit: dt.date | None
    exit_reason: str | None
    contact: dt.date | None
    referral: str
    last_employed: str
    registered_at_af: str
    attachment: str
    income: list[str]
    diagnoses: list[tuple[str, str | None]]
    episodes: list[Episode] = field(default_factory=list)


@dataclass
class Site:
    site_id: str
    name: str
    municipality_code: str
    organiser_type: str
    financing: list[str]
    integrated: str
    psychosis: str
    fte: float
    start: dt.date
    fidelity: float
    people: list[Person] = field(default_factory=list)


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _choose_municipalities(rng: random.Random, count: int) -> list[dict[str, str]]:
    """A municipality of every county first, then the others; past the 290 municipalities, several sites share one."""
    municipalities = read_reference_csv("municipalities.csv")
    by_county: dict[str, list[dict[str, str]]] = {}
    for m in municipalities:
        by_county.setdefault(m["county_code"], []).append(m)
    chosen = [rng.choice(group) for _, group in sorted(by_county.items())][:count]
    rest = [m for m in municipalities if m not in chosen]
    chosen += rng.sample(rest, min(count - len(chosen), len(rest)))
    return [chosen[i % len(chosen)] for i in range(count)]


def _make_person(rng: random.Random, site: Site, number: int, intake: dt.date, horizon: dt.date) -> Person:
    diagnosis = rng.choices(list(DIAGNOSIS_WEIGHTS), weights=list(DIAGNOSIS_WEIGHTS.values()))[0]
    groups = [diagnosis]
    if rng.random() < 0.3:
        groups.append(rng.choice([g for g in DIAGNOSIS_WEIGHTS if g not in groups and g != "okand"]))
    diagnoses = [(g, rng.choice(ICD10_EXAMPLES[g]) if g in ICD10_EXAMPLES and rng.random() < 0.6 else None) for g in groups]
    working_at_intake = rng.random() < 0.08
    income = ["lon"] if working_at_intake else []
    income += rng.sample(["sjukersattning", "aktivitetsersattning", "forsorjningsstod", "sjukpenning", "aktivitetsstod"],
                         k=rng.choice([1, 1, 2]))
    person = Person(
        participant_id=f"D{number:04d}",
        sex=rng.choices(["K", "M", "X"], weights=[52, 46, 2])[0],
        birth_year=intake.year - rng.randint(19, 63),
        education=rng.choices(["ej_avslutad_grundskola", "grundskola", "gymnasium", "eftergymnasial", "hogskola", "okand"],
                              weights=[8, 22, 44, 9, 13, 4])[0],
        intake=intake,
        exit=None,
        exit_reason=None,
        contact=intake + dt.timedelta(days=int(rng.expovariate(1 / 25))) if rng.random() < 0.85 else None,
        referral=rng.choice(["kommun", "psykiatri", "psykiatri", "arbetsformedling", "forsakringskassan", "egen", "annan"]),
        last_employed=rng.choice(["under_6_man", "6_man_2_ar", "2_5_ar", "over_5_ar", "aldrig", "okand"]),
        registered_at_af=rng.choice(["ja", "ja", "nej", "okand"]),
        attachment=rng.choices(["mycket_svag", "ganska_svag", "ganska_stark", "mycket_stark", "okand"], weights=[35, 35, 15, 5, 10])[0],
        income=income,
        diagnoses=diagnoses,
    )
    # Higher fidelity, better outcomes: the pattern the IPS literature reports.
    job_chance = 0.25 + (site.fidelity - 80) / 100
    if rng.random() < job_chance:
        start = intake + dt.timedelta(days=int(rng.expovariate(1 / 140)) + 10)
        end = start + dt.timedelta(days=int(rng.expovariate(1 / 300)) + 30) if rng.random() < 0.5 else None
        person.episodes.append(Episode("konkurrensutsatt_arbete", start, end, rng.choice([10, 15, 20, 25, 30, 40]),
                                       rng.choice(["privat", "privat", "offentlig", "ideell"])))
    for activity, chance in (("subventionerat_arbete", 0.12), ("studier", 0.10), ("praktik", 0.15)):
        if rng.random() < chance:
            start = intake + dt.timedelta(days=rng.randint(5, 400))
            end = start + dt.timedelta(days=rng.randint(30, 400)) if rng.random() < 0.6 else None
            sector = rng.choice(["offentlig", "privat", "socialt_foretag"]) if activity == "subventionerat_arbete" else None
            person.episodes.append(Episode(activity, start, end, rng.choice([None, 20.0, 37.5]), sector))
    if rng.random() < 0.55:
        person.exit = intake + dt.timedelta(days=int(rng.expovariate(1 / 420)) + 30)
        working = any(e.activity_type == "konkurrensutsatt_arbete" for e in person.episodes)
        person.exit_reason = "arbete" if working and rng.random() < 0.7 else rng.choice(
            ["studier", "avbrott_eget_val", "avbrott_ohalsa", "flytt", "annan_insats", "annat"])
    person.episodes = [e for e in person.episodes if e.start <= horizon and (person.exit is None or e.start <= person.exit)]
    return person


def build_demo_sites(site_count: int = 40, years: tuple[int, ...] = DEMO_YEARS, seed: int = DEMO_SEED,
                     intakes_per_year: int | tuple[int, int] | None = None) -> list[Site]:
    """``intakes_per_year``: each site's, or the range each site's is drawn from (the demo's: 8 to 30)."""
    rng = random.Random(seed)
    horizon = dt.date(max(years), 12, 31)
    sites = []
    for index, municipality in enumerate(_choose_municipalities(rng, site_count), start=1):
        site = Site(
            site_id=f"IPS{index:04d}",
            name=f"IPS {municipality['municipality_name_short']}",
            municipality_code=municipality["municipality_code"],
            organiser_type=rng.choices(["kommun", "region", "kommun_och_region", "samordningsforbund", "ideell", "privat"],
                                       weights=[50, 10, 15, 15, 6, 4])[0],
            financing=sorted(rng.sample(["ordinarie_budget", "finsam", "esf", "statsbidrag", "forskningsmedel"], k=rng.randint(1, 2))),
            integrated=rng.choice(["ja", "delvis", "nej"]),
            psychosis=rng.choice(["ja", "nej"]),
            fte=rng.choice([1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.5]),
            start=dt.date(rng.randint(2012, min(years) - 1), rng.randint(1, 12), 1),
            fidelity=min(max(rng.gauss(95, 12), 60), 122),
        )
        yearly_intakes = intakes_per_year if isinstance(intakes_per_year, int) else rng.randint(*(intakes_per_year or (8, 30)))
        first_intake = max(site.start, dt.date(min(min(years) - 2, max(years) - 4), 1, 1))  # the latest year: 5 years of intakes
        count = int(yearly_intakes * ((horizon - first_intake).days / 365))
        intakes = sorted(_date_between(rng, first_intake, horizon) for _ in range(count))
        site.people = [_make_person(rng, site, n, intake, horizon) for n, intake in enumerate(intakes, start=1)]
        sites.append(site)
    return sites


def _known_by(value: dt.date | None, year_end: dt.date) -> dt.date | None:
    """A return made at the end of the year knows only what happened by then."""
    return value if value is not None and value <= year_end else None


def return_rows(site: Site, year: int, rng: random.Random) -> dict[str, list[dict[str, object]]]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    common = {"site_id": site.site_id, "reporting_year": year}
    fte = site.fte + (0.5 if year > min(DEMO_YEARS) and site.fidelity > 100 else 0.0)
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in TABLES}
    rows["verksamhet"].append({
        **common, "site_name": site.name, "municipality_code": site.municipality_code, "organiser_type": site.organiser_type,
        "financing": "|".join(site.financing), "integrated_with_psychiatry": site.integrated,
        "psychosis_target_group": site.psychosis, "specialist_fte": fte, "supervisor_fte": 0.5 if site.fte > 2 else None,
        "start_date": site.start,
    })
    for p in site.people:
        exit_date = _known_by(p.exit, last)
        if p.intake > last or (exit_date is not None and exit_date < first):
            continue
        episodes = [e for e in p.episodes if e.start <= last and (_known_by(e.end, last) or last) >= first]
        moment = exit_date or last
        working = any(e.activity_type in ("konkurrensutsatt_arbete", "subventionerat_arbete") and e.start <= moment
                      and (e.end is None or e.end >= moment) for e in p.episodes)
        followup = (["lon"] + [s for s in p.income if s != "lon"][:1]) if working else p.income
        rows["deltagare"].append({
            **common, "participant_id": p.participant_id, "sex": p.sex, "birth_year": p.birth_year,
            "education": p.education, "intake_date": p.intake,
            "first_employer_contact_date": _known_by(p.contact, last), "exit_date": exit_date,
            "exit_reason": p.exit_reason if exit_date else None, "referral_source": p.referral,
            "last_employed": p.last_employed, "registered_at_af": p.registered_at_af,
            "attachment_at_intake": p.attachment, "income_at_intake": "|".join(p.income),
            "attachment_at_followup": ("ganska_stark" if working else p.attachment) if rng.random() < 0.9 else None,
            "income_at_followup": "|".join(followup) if rng.random() < 0.9 else None,
            "economic_situation": ("battre" if working else rng.choice(["samma", "samma", "samre", "okand"])) if rng.random() < 0.8 else None,
        })
        for group, icd in p.diagnoses:
            rows["diagnoser"].append({**common, "participant_id": p.participant_id, "diagnosis_group": group, "icd10_code": icd})
        for e in episodes:
            rows["aktiviteter"].append({
                **common, "participant_id": p.participant_id, "activity_type": e.activity_type, "start_date": e.start,
                "end_date": _known_by(e.end, last), "hours_per_week": e.hours, "employer_sector": e.sector,
            })
    if rng.random() < 0.65:
        drift = (year - min(DEMO_YEARS)) * 2.5
        target = round(min(max(site.fidelity + drift + rng.gauss(0, 3), 40), 125))
        items = [target // 25 + (1 if i < target % 25 else 0) for i in range(25)]
        rng.shuffle(items)
        review = {**common, "review_date": _date_between(rng, dt.date(year, 3, 1), dt.date(year, 11, 30)),
                  "reviewer_type": rng.choice(["extern", "extern", "intern", "kollegial"]), **dict(zip(FIDELITY_ITEMS, items)),
                  "total_score": sum(items) if rng.random() < 0.8 else None}
        rows["programtrohet"].append(review)
    return rows


@dataclass(frozen=True)
class Dialect:
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    header_style: str = "plain"  # or "shouting": upper case with stray spaces
    container: str = "folder"  # "folder", "zip" or "xlsx"


def dialect_for(site_number: int) -> Dialect:
    if site_number == 7:
        return Dialect(container="xlsx")
    if site_number % 5 == 1:
        return Dialect("cp1252", ";", ",")  # Swedish Excel's "CSV (semikolonavgränsad)"
    if site_number % 5 == 2:
        return Dialect("utf-8-sig", ";", ",", container="zip" if site_number % 10 == 2 else "folder")
    if site_number % 9 == 4:
        return Dialect(header_style="shouting")
    return Dialect()


def _cell(value: object, dialect: Dialect) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", dialect.decimal)
    return str(value)


def csv_bytes(table: str, rows: list[dict[str, object]], dialect: Dialect) -> bytes:
    columns = TABLES[table].columns
    header = [f" {c.upper()} " if dialect.header_style == "shouting" else c for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(c), dialect) for c in columns])
    return buffer.getvalue().encode(dialect.encoding)


def write_workbook(path: Path, rows: dict[str, list[dict[str, object]]]) -> None:
    """One sheet per table, cells typed as Excel stores them and exactly as typed (no formula guard: a
    site's own workbook). A fixed creation time keeps the bytes the same for the same rows."""
    import xlsxwriter

    with xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}) as workbook:
        workbook.set_properties({"created": dt.datetime(2000, 1, 1)})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for name, table_rows in rows.items():
            sheet = workbook.add_worksheet(name)
            sheet.write_row(0, 0, TABLES[name].columns)
            for r, row in enumerate(table_rows, start=1):
                for c, value in enumerate(row.get(column) for column in TABLES[name].columns):
                    if isinstance(value, dt.date):
                        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                    elif value is not None:
                        sheet.write(r, c, value)


def write_return(rows: dict[str, list[dict[str, object]]], target: Path, dialect: Dialect) -> Path:
    """Write one return as its site would; returns the path to submit."""
    tables = {name: table_rows for name, table_rows in rows.items() if table_rows or name != "programtrohet"}
    if dialect.container == "xlsx":
        path = target.with_suffix(".xlsx")
        write_workbook(path, rows)
        return path
    files = {f"{name}.csv": csv_bytes(name, table_rows, dialect) for name, table_rows in tables.items()}
    if dialect.container == "zip":
        path = target.with_suffix(".zip")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
        return path
    target.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (target / name).write_bytes(content)
    return target


def generate_demo_returns(out_dir: Path, site_count: int = 40, years: tuple[int, ...] = DEMO_YEARS, seed: int = DEMO_SEED,
                          intakes_per_year: int | tuple[int, int] | None = None, dialect: Dialect | None = None) -> list[Path]:
    """Write every site's return for every year; returns their paths in the order to submit. ``dialect``: every return
    in it (the same rows), instead of each site's own (``dialect_for``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    paths = []
    sites = build_demo_sites(site_count, years, seed, intakes_per_year)
    for year in years:
        for number, site in enumerate(sites, start=1):
            rows = return_rows(site, year, rng)
            paths.append(write_return(rows, out_dir / f"{site.site_id}_{year}", dialect or dialect_for(number)))
    return paths


def scaled_site_count(scale: float) -> int:
    return max(1, min(round(SITES_AT_SCALE_1 * scale), MOST_SITES))


def generate_scaled_returns(out_dir: Path, scale: float, years: tuple[int, ...] = DEMO_YEARS, seed: int = DEMO_SEED,
                            dialect: Dialect | None = None) -> list[Path]:
    """Sweden at ``scale`` times full coverage: 300 × scale sites (at most ``MOST_SITES``, which then grow) and about
    15,000 × scale participants enrolled in the latest year (fewer in earlier ones), each site's return for every year."""
    sites = scaled_site_count(scale)
    mean_intakes = PARTICIPANTS_A_YEAR_AT_SCALE_1 * scale / sites / ENROLLED_PER_INTAKE
    return generate_demo_returns(out_dir, sites, years, seed, (max(1, round(mean_intakes / 2)), round(mean_intakes * 1.5)), dialect)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Write synthetic annual returns (format v1): the demo's 40 sites, or Sweden at a scale.")
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("demo-returns"))
    parser.add_argument("--scale", type=float, help="K times Sweden at full coverage (300 sites, 15,000 participants a year)")
    parser.add_argument("--years", type=int, nargs="+", default=list(DEMO_YEARS))
    args = parser.parse_args()
    years = tuple(args.years)
    written = generate_scaled_returns(args.out_dir, args.scale, years) if args.scale else generate_demo_returns(args.out_dir, years=years)
    print(f"{len(written)} returns in {args.out_dir}")


if __name__ == "__main__":
    main()
