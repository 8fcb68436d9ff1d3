"""Random damage to a valid return never crashes intake: it is accepted or rejected with a report."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.returns.check import check_return
from pipelines.returns.reader import SubmissionError, load_submission
from seeds.demo_returns import Dialect
from tests.returns import minimal_return, write
from tests.small_dataset import SITE_A

TABLE_FILES = ["verksamhet.csv", "deltagare.csv", "diagnoser.csv", "aktiviteter.csv", "programtrohet.csv"]
TEMPLATES = {}


def template(kind: str) -> Path:
    if kind not in TEMPLATES:
        base = Path(tempfile.mkdtemp(prefix="fuzz-template-"))
        tables = SITE_A if kind == "folder" else minimal_return()
        TEMPLATES[kind] = write(tables, base / "return", Dialect("cp1252", ";", ",") if kind == "folder" else Dialect(container=kind))
    return TEMPLATES[kind]


damage = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 10_000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from([b";", b",", b"\r\n", b'"', b"|", b"\x00", b"\xff", b"=1+1", b"-"])),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 40)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000), st.just(0)),
)


def apply(content: bytes, how) -> bytes:
    kind, position, what = how
    position = position % (len(content) + 1)
    if kind == "replace":
        return content[:position] + what + content[position + len(what):]
    if kind == "insert":
        return content[:position] + what + content[position:]
    if kind == "delete":
        return content[:position] + content[position + what:]
    return content[:position]


def assert_answers(path: Path) -> None:
    try:
        submission = load_submission(path)
    except SubmissionError as refused:
        assert refused.problem.rule_id
        return
    result = check_return(submission)
    assert result.accepted or result.errors
    for problem in result.problems:
        assert problem.message_sv and problem.message_en


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_name=st.sampled_from(TABLE_FILES), damages=st.lists(damage, min_size=1, max_size=4))
def test_damaged_csv_return(tmp_path_factory, file_name, damages):
    folder = tmp_path_factory.mktemp("fuzz") / "return"
    shutil.copytree(template("folder"), folder)
    path = folder / file_name
    content = path.read_bytes()
    for how in damages:
        content = apply(content, how)
    path.write_bytes(content)
    assert_answers(folder)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["zip", "xlsx"]), damages=st.lists(damage, min_size=1, max_size=3))
def test_damaged_zip_or_workbook(tmp_path_factory, kind, damages):
    original = template(kind)
    path = tmp_path_factory.mktemp("fuzz") / original.name
    content = original.read_bytes()
    for how in damages:
        content = apply(content, how)
    path.write_bytes(content)
    assert_answers(path)


@settings(max_examples=100, deadline=None)
@given(cell=st.text(max_size=30), column=st.sampled_from(["sex", "birth_year", "intake_date", "income_at_intake", "participant_id",
                                                          "exit_date", "first_employer_contact_date"]))
def test_any_text_in_any_cell(cell, column):
    tables = minimal_return()
    tables["deltagare"][0][column] = cell
    with tempfile.TemporaryDirectory() as work:
        assert_answers(write(tables, Path(work) / "return"))
