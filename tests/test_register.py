"""Which returns came in for a year, and the rules most often broken: the analysts' follow-up of the cycle."""

from __future__ import annotations

from pipelines.returns.register import returns_of_year, rules_broken
from pipelines.returns.submit import submit
from pipelines.settings import load_settings
from tests.returns import minimal_return, write


def test_register_counts_each_sites_returns_and_the_rules_broken(tmp_path):
    settings = load_settings(tmp_path / "home")
    bad = minimal_return(sex="Q")
    bad["deltagare"][0]["education"] = "okänd-nivå"
    assert submit(write(bad, tmp_path / "bad"), settings).verdict == "rejected"  # two rules broken, once each
    assert submit(write(minimal_return(sex="W"), tmp_path / "worse"), settings).verdict == "rejected"  # sex again
    assert submit(write(minimal_return(), tmp_path / "good"), settings).verdict == "accepted"
    (row,) = returns_of_year(settings.archive_dir, 2025).iter_rows(named=True)
    assert (row["site_id"], row["received"], row["accepted"], row["rejected"], row["latest_verdict"]) == ("IPS0009", 3, 1, 2, "accepted")
    assert returns_of_year(settings.archive_dir, 2024).is_empty()
    assert rules_broken(settings.archive_dir, 2025) == [("code:sex", 2, 2), ("code:education", 1, 1)]
