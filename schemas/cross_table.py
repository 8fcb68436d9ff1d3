"""The rules of return format v1 that look across rows or tables.

The per-value and per-row rules are in ``schemas.tables``; these run after
them, on the same typed frames.
"""

from __future__ import annotations

import polars as pl

from schemas.problems import Problem
from schemas.tables import ROW

# ICD-10 blocks per diagnosis group; groups not listed accept any code.
ICD10_BLOCKS: dict[str, list[tuple[int, int]]] = {
    "psykos": [(20, 29)],
    "bipolar": [(30, 31)],
    "depression": [(32, 39)],
    "angest": [(40, 48)],
    "missbruk": [(10, 19)],
    "utvecklingsstorning": [(70, 79)],
    "neuropsykiatrisk": [(84, 84), (90, 90)],
}


def _problems(frame: pl.DataFrame, table: str, column: str, rule_id: str, with_value: bool = True) -> list[Problem]:
    return [
        Problem(table, row[ROW], column, rule_id, None if not with_value or row[column] is None else str(row[column]))
        for row in frame.select(ROW, column).iter_rows(named=True)
    ]


def check_across_tables(frames: dict[str, pl.DataFrame]) -> list[Problem]:
    problems: list[Problem] = []
    site = frames["verksamhet"]
    if site.height != 1:
        problems.append(Problem("verksamhet", None, None, "row_count_site", str(site.height)))
    if site.height == 0:
        return problems
    site_id, year = site.row(0, named=True)["site_id"], site.row(0, named=True)["reporting_year"]

    for name, frame in frames.items():
        for column, expected in (("site_id", site_id), ("reporting_year", year)):
            if expected is None:  # already reported as missing in verksamhet
                continue
            problems += _problems(frame.filter(pl.col(column) != expected), name, column, "same_site_year")

    participants = frames["deltagare"]
    duplicated = participants.filter(pl.col("participant_id").is_duplicated())
    problems += _problems(duplicated, "deltagare", "participant_id", "participant_id_unique")

    known = participants.select("participant_id", "intake_date")
    for name in ("diagnoser", "aktiviteter"):
        unknown = frames[name].join(known, on="participant_id", how="anti")
        problems += _problems(unknown, name, "participant_id", "participant_unknown")

    without_diagnosis = participants.join(frames["diagnoser"], on="participant_id", how="anti")
    problems += _problems(without_diagnosis, "deltagare", "participant_id", "participant_without_diagnosis")

    diagnoses = frames["diagnoser"].with_columns(
        pl.col("icd10_code").str.slice(1, 2).cast(pl.Int32, strict=False).alias("_block")
    )
    in_group = pl.lit(True)
    for group, blocks in ICD10_BLOCKS.items():
        inside = pl.any_horizontal(pl.col("_block").is_between(lo, hi) for lo, hi in blocks)
        in_group = pl.when(pl.col("diagnosis_group") == group).then(inside).otherwise(in_group)
    wrong_block = diagnoses.filter(pl.col("_block").is_not_null() & ~in_group)
    problems += _problems(wrong_block, "diagnoser", "icd10_code", "icd10_group")

    early = frames["aktiviteter"].join(known, on="participant_id").filter(pl.col("start_date") < pl.col("intake_date"))
    problems += _problems(early, "aktiviteter", "start_date", "activity_before_intake")
    return problems
