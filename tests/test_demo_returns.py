"""The demo data: deterministic, synthetic, varied, and valid format v1."""

from __future__ import annotations

import hashlib

import pytest

from pipelines.returns.check import check_return
from pipelines.returns.identity_numbers import contains_identity_number
from pipelines.returns.reader import load_submission
from seeds.demo_returns import generate_demo_returns


def digest(paths) -> str:
    h = hashlib.sha256()
    for path in paths:
        for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if f.is_file():
                h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def demo_paths(tmp_path_factory):
    return generate_demo_returns(tmp_path_factory.mktemp("demo"))


def test_same_seed_same_bytes(demo_paths, tmp_path):
    assert digest(demo_paths) == digest(generate_demo_returns(tmp_path / "again"))


def test_forty_sites_three_years_many_counties_all_accepted(demo_paths):
    results = [check_return(load_submission(p)) for p in demo_paths]
    assert all(r.accepted for r in results), [r.errors[:3] for r in results if not r.accepted][:2]
    sites = {r.site_and_year for r in results}
    assert len(sites) == 120 and {year for _, year in sites} == {2023, 2024, 2025}
    municipalities = {r.tables["verksamhet"]["municipality_code"][0] for r in results}
    counties = {code[:2] for code in municipalities}
    assert len(municipalities) == 40 and len(counties) == 21
    participants = {(r.site_and_year[0], pid) for r in results for pid in r.tables["deltagare"]["participant_id"]}
    assert 2000 <= len(participants) <= 6000


def test_the_variety_real_sites_send(demo_paths):
    kinds = {p.suffix or "folder" for p in demo_paths}
    assert kinds == {"folder", ".zip", ".xlsx"}
    folders = [p for p in demo_paths if p.is_dir()]
    raw = [(p / "deltagare.csv").read_bytes() for p in folders]
    assert any(b.startswith(b"\xef\xbb\xbf") for b in raw)  # UTF-8 with BOM
    assert any(b";" in b.splitlines()[0] and not b.startswith(b"\xef\xbb\xbf") for b in raw)  # Swedish Excel
    assert any(b.startswith(b" SITE_ID ") for b in raw)  # headers in other case with stray spaces
    assert any(not (p / "programtrohet.csv").exists() for p in folders)  # no fidelity review that year


def test_nothing_looks_like_an_identity_number(demo_paths):
    for path in demo_paths:
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        for f in files:
            if f.suffix == ".csv":
                assert not contains_identity_number(f.read_bytes().decode("cp1252", errors="replace")), f
