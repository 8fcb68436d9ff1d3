"""The SDMX structure of the dataflow SE_IPS:DF_IPS(1.0): its code lists, concepts, DSD and dataflow.

Built from the project's own code lists (one source of truth) with the maintained ``pysdmx`` library and
shipped as SDMX-ML 2.1 in ``docs/sdmx/``, so a receiver can validate the SDMX-CSV files against it.
Regenerate with ``python -m pipelines.publishing.sdmx_structure`` after changing a code list.
"""

from __future__ import annotations

import datetime as dt

from pysdmx.io import write_sdmx
from pysdmx.io.format import Format
from pysdmx.model import (
    Code,
    Codelist,
    Component,
    Components,
    Concept,
    ConceptScheme,
    Dataflow,
    DataStructureDefinition,
    DataType,
    Role,
)
from pysdmx.model.__base import Organisation
from pysdmx.model.message import Header

from pipelines.settings import SDMX_STRUCTURE_PATH
from seeds.reference_data import code_lists, counties, indicators

AGENCY = "SE_IPS"
VERSION = "1.0"
TOTAL = Code("_T", name="Total")


def _codelist(identifier: str, name: str, codes: list[Code]) -> Codelist:
    return Codelist(identifier, name=name, agency=AGENCY, version=VERSION, items=codes, is_final=True,
                    urn=f"urn:sdmx:org.sdmx.infomodel.codelist.Codelist={AGENCY}:{identifier}({VERSION})")


def _from_code_list(name: str) -> list[Code]:
    return [Code(c.sdmx_code, name=c.label_en, description=c.label_sv) for c in code_lists()[name]]


def codelists() -> dict[str, Codelist]:
    published = [i for i in indicators() if i.mart == "fct_indicator"]
    areas = [Code("SE", name="Sweden"), *(Code(c.iso_code, name=c.name) for c in counties())]
    return {
        "FREQ": _codelist("CL_FREQ", "Frequency", [Code("A", name="Annual"), Code("Q", name="Quarterly")]),
        "REF_AREA": _codelist("CL_AREA", "Sweden and its counties (ISO 3166-2)", areas),
        "INDICATOR": _codelist("CL_IPS_INDICATOR", "IPS indicators",
                               [Code(i.code, name=i.name_en, description=i.definition_en) for i in published]),
        "SEX": _codelist("CL_SEX", "Sex", [*_from_code_list("sex"), TOTAL]),
        "AGE": _codelist("CL_AGE", "Age group", [*_from_code_list("age_group"), TOTAL]),
        "DIAGNOSIS": _codelist("CL_IPS_DIAGNOSIS", "Primary diagnosis group", [*_from_code_list("diagnosis_group"), TOTAL]),
        "UNIT_MEASURE": _codelist("CL_UNIT", "Unit of measure", _from_code_list("unit")),
        "OBS_STATUS": _codelist("CL_OBS_STATUS", "Observation status", [
            Code("A", name="Normal value"), Code("P", name="Provisional value"), Code("Q", name="Missing value; suppressed")]),
        "CONF_STATUS": _codelist("CL_CONF_STATUS", "Confidentiality status", [
            Code("F", name="Free"), Code("A", name="Primary confidential (small count)"),
            Code("D", name="Secondary confidential (complementary suppression)")]),
    }


CONCEPT_NAMES = {
    "FREQ": "Frequency", "REF_AREA": "Reference area", "INDICATOR": "Indicator", "SEX": "Sex", "AGE": "Age",
    "DIAGNOSIS": "Primary diagnosis group", "TIME_PERIOD": "Time period", "OBS_VALUE": "Observation value",
    "UNIT_MEASURE": "Unit of measure", "OBS_STATUS": "Observation status", "CONF_STATUS": "Confidentiality status",
}
DIMENSIONS = ("FREQ", "REF_AREA", "INDICATOR", "SEX", "AGE", "DIAGNOSIS", "TIME_PERIOD")
ATTRIBUTES = ("UNIT_MEASURE", "OBS_STATUS", "CONF_STATUS")


def concept_scheme() -> ConceptScheme:
    lists = codelists()
    concepts = [
        Concept(identifier, name=name, codes=lists.get(identifier),
                urn=f"urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={AGENCY}:CS_IPS({VERSION}).{identifier}")
        for identifier, name in CONCEPT_NAMES.items()
    ]
    return ConceptScheme("CS_IPS", name="IPS monitoring concepts", agency=AGENCY, version=VERSION, items=concepts, is_final=True)


def data_structure() -> DataStructureDefinition:
    concepts = {c.id: c for c in concept_scheme().items}
    lists = codelists()
    components = [
        *(Component(d, True, Role.DIMENSION, concepts[d], local_codes=lists.get(d),
                    local_dtype=DataType.PERIOD if d == "TIME_PERIOD" else None) for d in DIMENSIONS),
        Component("OBS_VALUE", False, Role.MEASURE, concepts["OBS_VALUE"], local_dtype=DataType.DECIMAL),
        *(Component(a, True, Role.ATTRIBUTE, concepts[a], local_codes=lists[a], attachment_level="O") for a in ATTRIBUTES),
    ]
    return DataStructureDefinition("DSD_IPS", name="IPS national monitoring", agency=AGENCY, version=VERSION,
                                   components=Components(components), is_final=True)


def dataflow() -> Dataflow:
    return Dataflow("DF_IPS", name="IPS (Individual Placement and Support) in Sweden: national indicators", agency=AGENCY,
                    version=VERSION, structure=data_structure().short_urn, is_final=True)


def structure_message() -> str:
    """SDMX-ML 2.1 structure message; a fixed header keeps the same structure byte-identical."""
    header = Header(id="IPS_STRUCTURE", prepared=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), sender=Organisation(id=AGENCY))
    message = write_sdmx([*codelists().values(), concept_scheme(), data_structure(), dataflow()], Format.STRUCTURE_SDMX_ML_2_1,
                         header=header, prettyprint=True)
    assert message is not None  # written to a string when no output path is given
    return message


if __name__ == "__main__":
    SDMX_STRUCTURE_PATH.parent.mkdir(parents=True, exist_ok=True)
    SDMX_STRUCTURE_PATH.write_text(structure_message(), encoding="utf-8")
    print(f"wrote {SDMX_STRUCTURE_PATH}")
