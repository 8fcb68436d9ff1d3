"""The site report (a PDF per site and year) on the small data set: what it says, and who may have it.

One report is kept in test-output/site_report/ (not committed), with its first page as PNG where poppler's pdftoppm
is installed, to be looked at.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from pypdf import PdfReader

from dashboards.language import Language
from dashboards.queries import site_completeness, site_diagnosis, site_identity
from dashboards.site_report import all_site_reports_zip, site_report_pdf
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.publishing.access import Snapshots
from pipelines.settings import PROJECT_ROOT
from tests.small_dataset import HOSTILE_SITE_NAME

OUTPUT = PROJECT_ROOT / "test-output" / "site_report"
SITE_A = Reader("samordnare-a", Role.SITE, "IPS0001")
SITE_B = Reader("samordnare-b", Role.SITE, "IPS0002")
VIEWER = Reader("ministry", Role.VIEWER)
ANALYST = Reader("analyst", Role.ANALYST)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_site_report_shows_the_sites_own_figures_beside_county_and_nation(small_warehouse):
    pdf = site_report_pdf(Snapshots.of(small_warehouse), SITE_A, "IPS0001", 2025)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "IPS0001_2025_rapport.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(OUTPUT / "IPS0001_2025_rapport.pdf"),
                        str(OUTPUT / "IPS0001_2025_rapport_sida1")], check=True)
    text = text_of(pdf)
    assert text.startswith("Verksamhetsrapport 2025\n")
    assert HOSTILE_SITE_NAME in text  # the site's name in its own words, as plain text
    assert "IPS0001 · Stockholms kommun · Stockholms län" in text and "Källa: Nationell uppföljning av IPS" in text
    # Site A, all 12 enrolled in 2025 (A02, A06 and A09 leave during it); 7 came in during 2025 (A03–A06, A10–A12).
    # Stockholm's county figures are A's own, the rates withheld to protect Uppsala's 3 of 10 in work.
    # The nation: 22 enrolled, 12 came in (A's 7, B's B03 and B06–B09).
    assert "Antal deltagare 12 12 22" in text
    assert "Nya deltagare 7 7 12" in text
    # In competitive work in 2025: A01, A02, A03, A05, A07, A12 = 6 of 12; the nation 9 of 22 (B01–B03 too)
    assert "Andel i konkurrensutsatt arbete (%) 50,0 % – 40,9 %" in text
    # in paid work: those 6 and A04 (subsidised) = 7 of 12; the nation 10 of 22
    assert "Andel i betalt arbete (%) 58,3 % – 45,5 %" in text
    # enrolled on 31 December: 9 at A on 2.0 FTE, 17 in all on 3.5 FTE; fidelity: A's latest review 104, B's 87
    assert "Deltagare per arbetsspecialist 4,5 4,5 4,9" in text
    assert "Programtrohet (medelvärde) 104,0 104,0 95,5" in text
    # completeness of A's own return: a contact date for A03, A04, A05 (3 of 12); an ICD-10 code on 5 of 14 diagnosis rows
    assert "deltagare.first_employer_contact_date 3 12 25,0 %" in text
    assert "diagnoser.icd10_code 5 14 35,7 %" in text
    # A's own diagnosis mix, the primary group by the hierarchy over its 12 enrolled: A01 psykos (before missbruk),
    # A02 bipolar (before depression), A03–A06 depression, A07–A09 neuropsykiatrisk, A10–A12 okand; no one else.
    # The nation's 22: psykos A01 and B01–B05 = 6 (27,3 %), angest B06–B10 = 5 (22,7 %); the groups of 1–4 withheld
    # (–); missbruk, utvecklingsstorning and annan have nobody in the nation: 0 of 22, published as 0,0 % (v1.1).
    assert "Diagnosgrupp Verksamhetens deltagare Verksamhetens andel Rikets andel" in text.replace("\n", " ")
    assert "Psykos 1 8,3 % 27,3 %" in text  # 1 of 12 = 8,33
    assert "Bipolär sjukdom 1 8,3 % –" in text
    assert "Depression 4 33,3 % –" in text  # 4 of 12 = 33,33
    assert "Neuropsykiatrisk funktionsnedsättning 3 25,0 % –" in text
    assert "Ångest 0 0,0 % 22,7 %" in text  # nobody at A, 5 of 22 in the nation
    assert "Missbruk / beroende 0 0,0 % 0,0 %" in text and "Annan 0 0,0 % 0,0 %" in text
    assert "Okänd 3 25,0 % –" in text
    assert "finns ännu inte" not in text
    for section in ("Plats i trattdiagrammet", "Programtrohet per item, mot riket", "Diagnoser", "Definitioner"):
        assert section in text
    assert "EMP_COMP_RATE_OOW" in text and "100 × EMP_COMP / PARTICIPANTS" in text  # the definitions of what it shows


def test_site_report_in_english(small_warehouse):
    text = text_of(site_report_pdf(Snapshots.of(small_warehouse), ANALYST, "IPS0002", 2025, Language.EN))
    assert text.startswith("Site report 2025\nIPS test IPS0002\n")
    assert "Participants 10 10 22" in text and "The site, its county and the nation" in text
    # B's 10: B01–B05 psychosis, B06–B10 anxiety, 5 of 10 each; the nation's shares as in the Swedish report
    assert "Psychosis 5 50,0 % 27,3 %" in text and "Anxiety 5 50,0 % 22,7 %" in text
    assert "Depression 0 0,0 % –" in text and "Other 0 0,0 % 0,0 %" in text


def test_a_site_gets_its_own_report_only_and_a_viewer_none(small_warehouse):
    snapshots = Snapshots.of(small_warehouse)
    for reader in (SITE_B, VIEWER):
        with pytest.raises(AccessDenied):
            site_report_pdf(snapshots, reader, "IPS0001", 2025)
    # the site's own queries refuse another site outright (the data layer would give it no rows either)
    for site_query in (site_identity, site_completeness, site_diagnosis):
        with pytest.raises(AccessDenied):
            site_query(snapshots, SITE_B, "IPS0001", 2025)
    with pytest.raises(LookupError):
        site_report_pdf(snapshots, SITE_A, "IPS0001", 2024)  # no return for the year


def test_analyst_gets_every_sites_report_in_one_zip(small_warehouse):
    snapshots = Snapshots.of(small_warehouse)
    with zipfile.ZipFile(io.BytesIO(all_site_reports_zip(snapshots, ANALYST, 2025))) as reports:
        assert reports.namelist() == ["IPS0001_2025_rapport.pdf", "IPS0002_2025_rapport.pdf"]
        for name in reports.namelist():
            site_id = name.split("_")[0]
            assert f"{site_id} · " in text_of(reports.read(name)).splitlines()[2]
    for reader in (SITE_A, VIEWER):
        with pytest.raises(AccessDenied):
            all_site_reports_zip(snapshots, reader, 2025)
