"""The typed model agrees with the UBL 2.1 XSD: names, order, cardinality, element and value types."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from avrop.edi.documents import (
    Amount,
    BinaryObject,
    Code,
    Identifier,
    Measure,
    Node,
    Quantity,
    supported_roots,
)
from avrop.edi.documents._gen_sequences import ROOTS, TARGET, generate
from avrop.edi.documents._io import _FAMILIES
from avrop.edi.documents._model import _spec, _unwrap, sequence_of
from avrop.edi.tests._standards import UBL_XSD_DIRS, ubl_xsd

XS = "{http://www.w3.org/2001/XMLSchema}"

# Where the model is stricter than UBL 2.1 on purpose.
STRICTER = {
    # Peppol T114 requires the order change id; UBL 2.1 OrderChange makes it optional.
    ("OrderChange", "cbc:ID"),
}

# Python types allowed for each UBL unqualified data type.
LEAF_TYPES: dict[str, set[object]] = {
    "AmountType": {Amount},
    "QuantityType": {Quantity},
    "MeasureType": {Measure},
    "DateType": {date},
    "TimeType": {time},
    "IndicatorType": {bool},
    "NumericType": {Decimal},
    "PercentType": {Decimal},
    "RateType": {Decimal},
    "IdentifierType": {Identifier, str},
    "CodeType": {Code, str},
    "TextType": {str},
    "NameType": {str},
    "BinaryObjectType": {BinaryObject},
}


def _global_elements(path: Path) -> dict[str, str]:
    root = etree.parse(str(path)).getroot()
    return {el.get("name", ""): el.get("type", "") for el in root.iterchildren(f"{XS}element")}


def _cbc_data_types() -> dict[str, str]:
    """``{"ID": "IdentifierType", "PayableAmount": "AmountType", …}``."""
    path = ubl_xsd("common/UBL-CommonBasicComponents-2.1.xsd")
    root = etree.parse(str(path)).getroot()
    bases = {
        complex_type.get("name"): extension.get("base", "").partition(":")[2]
        for complex_type in root.iterchildren(f"{XS}complexType")
        for extension in complex_type.iter(f"{XS}extension")
    }
    return {name: bases[type_name] for name, type_name in _global_elements(path).items()}


CAC_TYPES = _global_elements(ubl_xsd("common/UBL-CommonAggregateComponents-2.1.xsd"))
CBC_TYPES = _cbc_data_types()


def _node_classes() -> list[type[Node]]:
    seen: dict[type[Node], None] = {}
    pending: list[type[Node]] = [cls for family in _FAMILIES for cls in family]
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen[cls] = None
        pending += [field.node for field in _spec(cls).fields if field.node is not None]
    return sorted(seen, key=lambda cls: cls.__name__)


NODE_CLASSES = _node_classes()


def _ubl_fields(cls: type[Node]) -> list[tuple[dataclasses.Field[object], str]]:
    return [(f, f.metadata["ubl"]) for f in dataclasses.fields(cls) if "ubl" in f.metadata]


def test_the_sequence_table_is_generated_from_these_schemas() -> None:
    assert TARGET.read_text(encoding="utf-8") == generate(*UBL_XSD_DIRS)


def test_every_supported_root_has_its_schema_type() -> None:
    assert sorted(etree.QName(tag).localname for tag in supported_roots()) == sorted(ROOTS)
    for tag in supported_roots():
        local = etree.QName(tag).localname
        element_type = _global_elements(ubl_xsd(f"maindoc/UBL-{local}-2.1.xsd"))[local]
        assert element_type == f"{local}Type"
        assert sequence_of(local)


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda cls: cls.__name__)
def test_fields_follow_the_schema(cls: type[Node]) -> None:
    sequence = sequence_of(cls.ubl_type)
    position = {name: index for index, (name, _) in enumerate(sequence)}
    cardinality = dict(sequence)
    hints = typing.get_type_hints(cls)
    declared = _ubl_fields(cls)
    assert declared, f"{cls.__name__} models no element"

    positions = [position[name] for _, name in declared]
    assert positions == sorted(positions), f"{cls.__name__}: fields are not declared in xsd:sequence order"
    for data_field, name in declared:
        kind, repeated = _unwrap(hints[data_field.name])
        suffix = cardinality[name]
        where = f"{cls.__name__}.{data_field.name} ({name}{suffix})"
        assert repeated == (suffix in "*+" and suffix != ""), f"{where}: list-ness differs from maxOccurs"
        is_required = bool(data_field.metadata.get("required"))
        if (cls.ubl_type, name) not in STRICTER:
            assert is_required == (suffix == ""), f"{where}: required-ness differs from minOccurs"
        prefix, _, local = name.partition(":")
        if prefix == "cac":
            assert isinstance(kind, type)
            assert issubclass(kind, Node), where
            assert CAC_TYPES[local] == f"{kind.ubl_type}Type", f"{where}: XSD type is {CAC_TYPES[local]}"
        else:
            assert kind in LEAF_TYPES[CBC_TYPES[local]], f"{where}: {kind} for {CBC_TYPES[local]}"
