"""An upload in the browser: bound to the signed-in site, and a return that would supersede the one in effect
waits for the site to confirm or cancel it."""

from __future__ import annotations

import copy

import pytest

from dashboards.language import Language
from dashboards.upload import decide, problems_by_rule, submit_upload, summarise
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.returns import archive
from pipelines.returns.accepted import accepted_receipts
from pipelines.returns.submit import submit
from pipelines.settings import load_settings
from tests.returns import diagnosis, episode, minimal_return, participant, review, write


def corrected(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The same return with one more participant."""
    tables = copy.deepcopy(tables)
    tables["deltagare"].append(participant("IPS0009", "L2", "2025-06-01"))
    tables["diagnoser"].append(diagnosis("IPS0009", "L2", "angest"))
    return tables


def current_id(settings) -> str:
    (current,) = archive.current_returns(archive.read_receipts(settings.archive_dir)).values()
    return current.return_id


def test_a_return_for_another_site_is_refused_and_kept_nowhere(tmp_path):
    settings = load_settings(tmp_path / "home")
    outcome = submit(write(minimal_return(), tmp_path / "return"), settings, uploaded_by_site="IPS0001")
    assert outcome.verdict == "wrong_site" and not outcome.ok
    assert [(p.rule_id, p.value) for p in outcome.problems] == [("site_not_yours", "IPS0009")]
    assert "annan verksamhet" in outcome.problems[0].message_sv and "another site" in outcome.problems[0].message_en
    assert not settings.archive_dir.exists() and not settings.reports_dir.exists()


def test_the_same_file_as_another_sites_is_not_called_a_duplicate_of_it(tmp_path):
    """Another site's receipt is not shown to the uploader: the file is refused as another site's."""
    settings = load_settings(tmp_path / "home")
    path = write(minimal_return(), tmp_path / "return")
    assert submit(path, settings).verdict == "accepted"  # by the national function, for IPS0009
    outcome = submit(path, settings, uploaded_by_site="IPS0001")
    assert outcome.verdict == "wrong_site" and outcome.receipt is None


def test_a_first_return_needs_no_confirmation(tmp_path):
    settings = load_settings(tmp_path / "home")
    outcome = submit(write(minimal_return(), tmp_path / "return"), settings, uploaded_by_site="IPS0009")
    assert outcome.verdict == "accepted" and not outcome.awaits_confirmation
    assert outcome.receipt is not None and outcome.receipt.supersedes is None
    assert current_id(settings) == outcome.receipt.return_id


def test_a_replacement_supersedes_nothing_until_the_site_confirms(tmp_path):
    settings = load_settings(tmp_path / "home")
    first = submit(write(minimal_return(), tmp_path / "first"), settings, uploaded_by_site="IPS0009").receipt
    second = submit(write(corrected(minimal_return()), tmp_path / "second"), settings, uploaded_by_site="IPS0009")
    assert second.verdict == "accepted" and second.awaits_confirmation
    assert second.receipt.supersedes == first.return_id
    assert current_id(settings) == first.return_id  # nothing supersedes before the site confirms
    assert [r.return_id for r in accepted_receipts(settings.archive_dir)] == [first.return_id]  # and no run loads it

    confirmed = archive.decide(settings.archive_dir, second.receipt.return_id, confirmed=True, by="samordnare")
    assert confirmed.decision.confirmed and confirmed.decision.decided_by == "samordnare"
    assert current_id(settings) == second.receipt.return_id
    with pytest.raises(archive.AlreadyDecided):  # once, and never changed
        archive.decide(settings.archive_dir, second.receipt.return_id, confirmed=False, by="samordnare")
    assert archive.find(settings.archive_dir, second.receipt.return_id).decision.confirmed


def test_a_cancelled_replacement_is_archived_as_cancelled_and_changes_nothing(tmp_path):
    settings = load_settings(tmp_path / "home")
    first = submit(write(minimal_return(), tmp_path / "first"), settings, uploaded_by_site="IPS0009").receipt
    second = submit(write(corrected(minimal_return()), tmp_path / "second"), settings, uploaded_by_site="IPS0009").receipt
    archive.decide(settings.archive_dir, second.return_id, confirmed=False, by="samordnare")
    kept = archive.find(settings.archive_dir, second.return_id)
    assert kept.verdict == "accepted" and kept.decision is not None and not kept.decision.confirmed
    assert (settings.archive_dir / second.return_id / "files").is_dir()  # the upload itself is kept
    assert current_id(settings) == first.return_id
    assert not kept.accepted_and_final


def test_the_national_functions_cli_supersedes_at_once(tmp_path):
    settings = load_settings(tmp_path / "home")
    first = submit(write(minimal_return(), tmp_path / "first"), settings).receipt
    second = submit(write(corrected(minimal_return()), tmp_path / "second"), settings)
    assert not second.awaits_confirmation and second.receipt.supersedes == first.return_id
    assert current_id(settings) == second.receipt.return_id


def test_only_a_return_awaiting_confirmation_can_be_decided(tmp_path):
    settings = load_settings(tmp_path / "home")
    first = submit(write(minimal_return(), tmp_path / "first"), settings, uploaded_by_site="IPS0009").receipt
    with pytest.raises(ValueError, match="does not await"):
        archive.decide(settings.archive_dir, first.return_id, confirmed=False, by="samordnare")


def test_the_change_summary_before_confirming(tmp_path):
    """Participants added, removed and changed, and the main figures computed by the warehouse's own models."""
    from pipelines.returns.change_summary import change_summary

    settings = load_settings(tmp_path / "home")
    before = minimal_return()
    before["deltagare"].append(participant("IPS0009", "L9", "2025-01-15"))
    before["diagnoser"].append(diagnosis("IPS0009", "L9", "depression"))
    after = minimal_return(education="hogskola")
    after["diagnoser"].append(diagnosis("IPS0009", "L1", "angest"))
    after["deltagare"] += [participant("IPS0009", "L2", "2025-06-01"), participant("IPS0009", "L3", "2025-08-01")]
    after["diagnoser"] += [diagnosis("IPS0009", "L2", "angest"), diagnosis("IPS0009", "L3", "angest")]
    after["aktiviteter"].append(episode("IPS0009", "L2", "konkurrensutsatt_arbete", "2025-07-01"))
    after["programtrohet"] = [review("IPS0009", "2025-06-01", 110)]
    submit(write(before, tmp_path / "before"), settings, uploaded_by_site="IPS0009")
    proposed = submit(write(after, tmp_path / "after"), settings, uploaded_by_site="IPS0009").receipt

    summary = change_summary(settings, proposed)
    assert (summary.added, summary.removed) == (["L2", "L3"], ["L9"])
    assert summary.changed == {"L1": ["education", "diagnoser"]}
    # before: L1 in competitive work, L9 not (1 of 2); after: L1 and L2 of L1, L2, L3 (2 of 3); reviews of 101 and 110
    assert summary.figures == {"PARTICIPANTS": (2.0, 3.0), "EMP_COMP_RATE": (50.0, 66.7), "EMP_PAID_RATE": (50.0, 66.7),
                               "FID_MEAN": (101.0, 110.0)}


def return_files(tables: dict[str, list[dict]], tmp_path, name: str) -> list[tuple[str, bytes]]:
    """A return as the browser sends it: each CSV file's name and bytes."""
    folder = write(tables, tmp_path / name)
    return [(path.name, path.read_bytes()) for path in sorted(folder.iterdir())]


SITE_9 = Reader("samordnare", Role.SITE, "IPS0009")
OTHER_SITE = Reader("granne", Role.SITE, "IPS0001")


def test_only_a_site_uploads_and_only_its_own_return(tmp_path):
    settings = load_settings(tmp_path / "home")
    files = return_files(minimal_return(), tmp_path, "return")
    for reader in (Reader("ministeriet", Role.VIEWER), Reader("analytiker", Role.ANALYST)):
        with pytest.raises(PermissionError):
            submit_upload(files, settings, reader)
    assert submit_upload(files, settings, OTHER_SITE).verdict == "wrong_site"
    outcome = submit_upload([("../../" + name, content) for name, content in files], settings, SITE_9)  # a path is never followed
    assert outcome.verdict == "accepted"
    assert outcome.receipt.source_name == "aktiviteter.csv, deltagare.csv, diagnoser.csv, programtrohet.csv, verksamhet.csv"


def test_a_site_cannot_see_or_decide_another_sites_replacement(tmp_path):
    settings = load_settings(tmp_path / "home")
    submit_upload(return_files(minimal_return(), tmp_path, "first"), settings, SITE_9)
    proposed = submit_upload(return_files(corrected(minimal_return()), tmp_path, "second"), settings, SITE_9).receipt
    for reader in (OTHER_SITE, Reader("analytiker", Role.ANALYST)):
        with pytest.raises(AccessDenied):
            summarise(reader, settings, proposed.return_id)
        with pytest.raises(AccessDenied):
            decide(reader, settings, proposed.return_id, confirmed=True)
    assert archive.find(settings.archive_dir, proposed.return_id).decision is None  # nobody else decided it
    assert decide(SITE_9, settings, proposed.return_id, confirmed=True).decision.decided_by == "samordnare"


def test_problems_grouped_by_table_and_rule(tmp_path):
    settings = load_settings(tmp_path / "home")
    tables = minimal_return(sex="kvinna")
    tables["deltagare"].append(participant("IPS0009", "L2", "2025-06-01", sex="man"))
    tables["diagnoser"].append(diagnosis("IPS0009", "L2", "angest"))
    outcome = submit_upload(return_files(tables, tmp_path, "bad"), settings, SITE_9)
    grouped = problems_by_rule(outcome.problems, Language.SV)
    assert grouped.rows() == [("deltagare", "FEL/ERROR", "code:sex", 2, "Koden finns inte i kodlistan sex. Tillåtna koder: K, M, X.")]
    assert problems_by_rule(outcome.problems, Language.EN).columns[0] == "Table"
