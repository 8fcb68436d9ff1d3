"""The five tables of return format v1, and their Pandera schemas.

Each table is listed as its columns (name, type, required, code list, rules, and
what the column holds, for the template's data dictionary), read as in
``return-format-v1.md``. Intake parses the site's text cells into
these types first (``pipelines.intake.parse``); the Pandera schemas (``pandera_schema``) then check
every value rule on the typed, collected frame, lazily, so that every problem
is reported and not only the first. Pandera is imported only there: what reads
the tables' columns alone (a run loading the archive) does without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

import polars as pl

from seeds.reference_data import code_lists, codes_of, municipality_codes

ROW = "_row"  # the row number in the site's own file (header = row 1)
SITE_ID = re.compile(r"IPS[0-9]{4}")  # a site's id: IPS and four digits
MULTI_SEPARATOR = "|"

if TYPE_CHECKING:
    import pandera.polars as pa


class FieldKind(StrEnum):
    TEXT = "text"
    CODE = "code"  # one code of a code list
    CODES = "codes"  # several codes of a code list, separated by MULTI_SEPARATOR
    INTEGER = "integer"
    DECIMAL = "decimal"  # a point or a decimal comma
    DATE = "date"  # YYYY-MM-DD

    @property
    def parsed(self) -> bool:
        """Parsed from the site's text (and so can fail to parse); the others stay text."""
        return self in (FieldKind.INTEGER, FieldKind.DECIMAL, FieldKind.DATE)


DTYPES: dict[FieldKind, type[pl.DataType]] = {
    FieldKind.TEXT: pl.String,
    FieldKind.CODE: pl.String,
    FieldKind.CODES: pl.String,
    FieldKind.INTEGER: pl.Int64,
    FieldKind.DECIMAL: pl.Float64,
    FieldKind.DATE: pl.Date,
}


@dataclass(frozen=True, eq=False)  # an expression's == is an expression, not a truth
class Rule:
    """A rule of the format, its `error` the rule id that Pandera reports and problems are explained by: on one column
    (`holds` maps the column to whether each value keeps it), or across a row's columns (`passes`, reported against
    the column after the @ of the error)."""

    error: str
    holds: Callable[[pl.Expr], pl.Expr] | None = None
    passes: pl.Expr | None = None

    def pandera_check(self) -> pa.Check:
        """The rule as a Pandera check; a missing value keeps every rule (required columns are checked apart)."""
        from pandera.polars import Check

        if self.holds is not None:
            holds = self.holds
            return Check(lambda data: data.lazyframe.select(holds(pl.col(data.key)).fill_null(True)), error=self.error)
        assert self.passes is not None
        passes = self.passes
        return Check(lambda data: data.lazyframe.select(passes.fill_null(True).alias("passes")), error=self.error)


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind
    required: bool
    code_list: str | None = None
    checks: tuple[Rule, ...] = ()
    # What the column holds, as return-format-v1.md says it: Swedish, English (the template's data dictionary).
    description: tuple[str, str] = field(kw_only=True)


@dataclass(frozen=True)
class Table:
    name: str
    fields: tuple[Field, ...]
    row_checks: tuple[Rule, ...] = ()
    optional_file: bool = False
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(f.name for f in self.fields))

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def empty_frame(self) -> pl.DataFrame:
        """The table with no rows, typed, with the row-number column."""
        return pl.DataFrame(schema={**{f.name: DTYPES[f.kind] for f in self.fields}, ROW: pl.Int64})


def _value_check(rule_id: str, predicate: Callable[[pl.Expr], pl.Expr]) -> Rule:
    """A check on one column; ``predicate`` maps the column expression to a boolean."""
    return Rule(rule_id, holds=predicate)


def _row_check(rule_id: str, column: str, passes: pl.Expr) -> Rule:
    """A check across columns of one row, reported against ``column``."""
    return Rule(f"{rule_id}@{column}", passes=passes)


def _in_code_list(code_list: str) -> Rule:
    allowed = codes_of(code_list)
    return _value_check(f"code:{code_list}", lambda c: c.is_in(allowed))


def _all_in_code_list(code_list: str) -> Rule:
    allowed = codes_of(code_list)
    return _value_check(
        f"code:{code_list}",
        lambda c: c.str.split(MULTI_SEPARATOR).list.eval(pl.element().str.strip_chars().is_in(allowed)).list.all(),
    )


def _no_repeated_codes() -> Rule:
    return _value_check(
        "codes_duplicate",
        lambda c: c.str.split(MULTI_SEPARATOR).list.eval(pl.element().str.strip_chars()).list.n_unique()
        == c.str.split(MULTI_SEPARATOR).list.len(),
    )


def _ingen_alone() -> Rule:
    return _value_check(
        "codes_ingen_alone",
        lambda c: ~c.str.split(MULTI_SEPARATOR).list.eval(pl.element().str.strip_chars() == "ingen").list.any()
        | (c.str.split(MULTI_SEPARATOR).list.len() == 1),
    )


def code(name: str, code_list: str, required: bool = True, *, description: tuple[str, str]) -> Field:
    return Field(name, FieldKind.CODE, required, code_list, (_in_code_list(code_list),), description=description)


def codes(name: str, code_list: str, required: bool = True, *extra: Rule, description: tuple[str, str]) -> Field:
    return Field(name, FieldKind.CODES, required, code_list, (_all_in_code_list(code_list), _no_repeated_codes(), *extra), description=description)


SITE_AND_YEAR = (
    Field("site_id", FieldKind.TEXT, True, checks=(_value_check("site_id_format", lambda c: c.str.contains(f"^{SITE_ID.pattern}$")),),
          description=("Verksamhetens id, tilldelat vid registreringen.", "The site's id, assigned when the site registers.")),
    Field("reporting_year", FieldKind.INTEGER, True, checks=(_value_check("reporting_year_range", lambda c: c.is_between(2000, 2100)),),
          description=("Rapportåret (kalenderår).", "The reporting year (calendar year).")),
)
PARTICIPANT_ID = Field(
    "participant_id",
    FieldKind.TEXT,
    True,
    checks=(_value_check("participant_id_format", lambda c: c.str.contains(r"^[A-Za-z0-9_-]{1,20}$")),),
    description=("Verksamhetens löpnummer för deltagaren, detsamma alla år. Aldrig personnummer.",
                 "The site's own serial number for the participant, the same every year. Never an identity number."),
)

_year = pl.col("reporting_year")
_year_end = pl.date(_year, 12, 31)
_year_start = pl.date(_year, 1, 1)
_PAID_WORK = ["konkurrensutsatt_arbete", "subventionerat_arbete"]
FIDELITY_ITEMS = tuple(f"item_{i:02d}" for i in range(1, 26))
_FIDELITY_ITEM_LABELS = {c.code: c for c in code_lists()["fidelity_item"]}  # an item's words are its code list's labels

VERKSAMHET = Table(
    "verksamhet",
    (
        *SITE_AND_YEAR,
        Field("site_name", FieldKind.TEXT, True, description=("Verksamhetens namn.", "The site's name.")),
        Field(
            "municipality_code",
            FieldKind.TEXT,
            True,
            checks=(_value_check("municipality_unknown", lambda c: c.is_in(sorted(municipality_codes()))),),
            description=("SCB:s fyrsiffriga kommunkod, t.ex. 0180 för Stockholm.", "SCB's four-digit municipality code, e.g. 0180 for Stockholm."),
        ),
        code("organiser_type", "organiser_type", description=("Vem som driver verksamheten.", "Who runs the site.")),
        codes("financing", "financing", description=("Hur verksamheten finansieras.", "How the site is financed.")),
        code("integrated_with_psychiatry", "integration", description=("Arbetsspecialisterna ingår i psykiatrins behandlingsteam.",
                                                                       "The employment specialists are part of the psychiatric treatment teams.")),
        code("psychosis_target_group", "yes_no", description=("Verksamheten vänder sig uttryckligen till personer med psykos.",
                                                              "The site explicitly serves people with psychosis.")),
        Field("specialist_fte", FieldKind.DECIMAL, True, checks=(_value_check("non_negative", lambda c: c >= 0),),
              description=("Arbetsspecialister i heltidstjänster vid årets slut.", "Employment-specialist full-time equivalents at year end.")),
        Field("supervisor_fte", FieldKind.DECIMAL, False, checks=(_value_check("non_negative", lambda c: c >= 0),),
              description=("Handledare i heltidstjänster.", "Supervisor full-time equivalents.")),
        Field("start_date", FieldKind.DATE, True,
              description=("Datum då verksamheten började ta emot deltagare.", "When the site began taking participants.")),
    ),
)

DELTAGARE = Table(
    "deltagare",
    (
        *SITE_AND_YEAR,
        PARTICIPANT_ID,
        code("sex", "sex", description=("Kön.", "Sex.")),
        Field("birth_year", FieldKind.INTEGER, True, description=("Födelseår.", "Year of birth.")),
        code("education", "education", description=("Högsta utbildning.", "Highest education.")),
        Field("intake_date", FieldKind.DATE, True, description=("Datum då deltagaren skrevs in.", "The date the participant was enrolled.")),
        Field("first_employer_contact_date", FieldKind.DATE, False,
              description=("Första personliga arbetsgivarkontakten för deltagarens räkning.",
                           "The first face-to-face employer contact on the participant's behalf.")),
        Field("exit_date", FieldKind.DATE, False,
              description=("Datum då deltagaren skrevs ut; tomt för den som är kvar.", "The date the participant left; empty for those still enrolled.")),
        code("exit_reason", "exit_reason", required=False, description=("Varför deltagaren skrevs ut.", "Why the participant left.")),
        code("referral_source", "referral_source", description=("Vem som remitterade deltagaren.", "Who referred the participant.")),
        code("last_employed", "last_employed", description=("När deltagaren senast hade arbete.", "When the participant last had a job.")),
        code("registered_at_af", "yes_no_unknown",
             description=("Inskriven på Arbetsförmedlingen vid start.", "Registered at the Public Employment Service at intake.")),
        code("attachment_at_intake", "attachment", description=("Anknytning till arbetsmarknaden vid start.", "Labour-market attachment at intake.")),
        codes("income_at_intake", "income_source", True, _ingen_alone(), description=("Försörjning vid start.", "Income sources at intake.")),
        code("attachment_at_followup", "attachment", required=False,
             description=("Anknytning till arbetsmarknaden vid avslut, eller vid årets slut för den som är kvar.",
                          "Labour-market attachment at exit, or at year end for those still enrolled.")),
        codes("income_at_followup", "income_source", False, _ingen_alone(),
              description=("Försörjning vid samma tidpunkt som attachment_at_followup.", "Income sources at the same moment as attachment_at_followup.")),
        code("economic_situation", "economic_situation", required=False,
             description=("Disponibel inkomst nu jämfört med vid start.", "Disposable income now compared with intake.")),
    ),
    row_checks=(
        _row_check("birth_year_range", "birth_year", pl.col("birth_year").is_between(1930, _year - 15)),
        _row_check("intake_after_year", "intake_date", pl.col("intake_date") <= _year_end),
        _row_check("contact_before_intake", "first_employer_contact_date",
                   pl.col("first_employer_contact_date") >= pl.col("intake_date")),
        _row_check("exit_before_intake", "exit_date", pl.col("exit_date") >= pl.col("intake_date")),
        _row_check("exit_before_year", "exit_date", pl.col("exit_date") >= _year_start),
        _row_check("exit_reason_required", "exit_reason", pl.col("exit_date").is_null() | pl.col("exit_reason").is_not_null()),
        _row_check("exit_reason_without_exit", "exit_reason", pl.col("exit_reason").is_null() | pl.col("exit_date").is_not_null()),
    ),
)

DIAGNOSER = Table(
    "diagnoser",
    (
        *SITE_AND_YEAR,
        PARTICIPANT_ID,
        code("diagnosis_group", "diagnosis_group",
             description=("Diagnosgrupp; en rad per deltagare och diagnos.", "Diagnosis group; one row per participant and diagnosis.")),
        Field("icd10_code", FieldKind.TEXT, False, checks=(_value_check("icd10_format", lambda c: c.str.contains(r"^F[0-9]{2}(\.[0-9A-Z]{1,2})?$")),),
              description=("ICD-10-kod, t.ex. F20.0 eller F32.", "ICD-10 code, e.g. F20.0 or F32.")),
    ),
)

AKTIVITETER = Table(
    "aktiviteter",
    (
        *SITE_AND_YEAR,
        PARTICIPANT_ID,
        code("activity_type", "activity_type", description=("Slag av arbete, studier eller aktivitet.", "Kind of work, study or activity.")),
        Field("start_date", FieldKind.DATE, True, description=("Periodens första dag.", "The episode's first day.")),
        Field("end_date", FieldKind.DATE, False,
              description=("Periodens sista dag; tomt om den pågår vid årets slut.", "The episode's last day; empty if still going at year end.")),
        Field("hours_per_week", FieldKind.DECIMAL, False, checks=(_value_check("hours_range", lambda c: (c > 0) & (c <= 60)),),
              description=("Timmar per vecka.", "Hours per week.")),
        code("employer_sector", "employer_sector", required=False, description=("Arbetsgivarens sektor.", "The employer's sector.")),
    ),
    row_checks=(
        _row_check("activity_after_year", "start_date", pl.col("start_date") <= _year_end),
        _row_check("activity_end_before_start", "end_date", pl.col("end_date") >= pl.col("start_date")),
        _row_check("activity_end_before_year", "end_date", pl.col("end_date") >= _year_start),
        _row_check(
            "employer_sector_required",
            "employer_sector",
            ~pl.col("activity_type").is_in(_PAID_WORK) | pl.col("employer_sector").is_not_null(),
        ),
    ),
)

PROGRAMTROHET = Table(
    "programtrohet",
    (
        *SITE_AND_YEAR,
        Field("review_date", FieldKind.DATE, True, description=("Granskningens datum.", "The date of the review.")),
        code("reviewer_type", "reviewer_type", description=("Vem som granskade.", "Who reviewed.")),
        *(
            Field(item, FieldKind.INTEGER, True, checks=(_value_check("fidelity_item_range", lambda c: c.is_between(1, 5)),),
                  description=(f"{_FIDELITY_ITEM_LABELS[item].label_sv}.", f"{_FIDELITY_ITEM_LABELS[item].label_en}."))
            for item in FIDELITY_ITEMS
        ),
        Field("total_score", FieldKind.INTEGER, False, description=("Totalpoäng: summan av de 25 itemen.", "Total score: the sum of the 25 items.")),
    ),
    row_checks=(
        _row_check("review_outside_year", "review_date", pl.col("review_date").dt.year() == _year),
        _row_check("fidelity_total_sum", "total_score", pl.col("total_score") == pl.sum_horizontal(FIDELITY_ITEMS)),
    ),
    optional_file=True,
)

TABLES: dict[str, Table] = {t.name: t for t in (VERKSAMHET, DELTAGARE, DIAGNOSER, AKTIVITETER, PROGRAMTROHET)}


@cache
def pandera_schema(table_name: str) -> pa.DataFrameSchema:
    import pandera.polars as pa

    table = TABLES[table_name]
    return pa.DataFrameSchema(
        {
            f.name: pa.Column(DTYPES[f.kind], checks=[rule.pandera_check() for rule in f.checks], nullable=not f.required)
            for f in table.fields
        },
        checks=[rule.pandera_check() for rule in table.row_checks],
        strict=False,
        name=table.name,
    )
