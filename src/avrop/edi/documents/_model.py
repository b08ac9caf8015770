"""The declarative UBL mapping behind every typed document.

Each aggregate (``cac:Party``, ``cac:InvoiceLine`` …) is a dataclass deriving from :class:`Node`. Its fields
carry the UBL element name in their metadata (see :func:`one`, :func:`many`, :func:`required`) and their
Python type says how the element is read: ``str``, ``Decimal``, ``date``, ``time``, ``bool``, one of the
leaf value classes of :mod:`._values` (``Identifier``, ``Code``, ``Amount``, ``Quantity``, ``Measure``,
``BinaryObject``) or another :class:`Node`. One generic reader and one generic
writer walk that metadata, so a new business term is one line in a dataclass.

Nothing is dropped silently. A child element the dataclass does not model is kept in ``Node.extra`` as a
:class:`RawElement` (canonical XML), and an attribute a field does not model is kept in
``Node.extra_attributes``. On output, modelled and kept elements are merged in the order of the UBL 2.1
``xsd:sequence`` of the parent type (:mod:`._sequences`), so the result is schema-ordered even after the
typed fields were changed. Elements that UBL 2.1 does not know (UBL 2.3 additions in the Peppol advanced
ordering documents) are placed after the UBL 2.1 element that preceded them in the source.
"""

from __future__ import annotations

import bisect
import dataclasses
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from lxml import etree

from avrop.edi.xmlsafe import tag_name

from ._sequences import SEQUENCES
from ._values import LEAVES, NO_ATTRIBUTES, DocumentError, Leaf, text_of

__all__ = [
    "CAC",
    "CBC",
    "EXT",
    "Node",
    "RawElement",
    "build_node",
    "many",
    "one",
    "parse_node",
    "required",
    "unmodelled_paths",
]

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
PREFIXES = {"cbc": CBC, "cac": CAC, "ext": EXT}
_PREFIX_OF = {uri: prefix for prefix, uri in PREFIXES.items()}


def clark(prefixed: str) -> str:
    """``"cbc:ID"`` → ``"{urn:…CommonBasicComponents-2}ID"``."""
    prefix, _, local = prefixed.partition(":")
    return f"{{{PREFIXES[prefix]}}}{local}"


def prefixed_name(tag: str) -> str:
    """``"{urn:…CommonBasicComponents-2}ID"`` → ``"cbc:ID"``; other namespaces stay in Clark notation."""
    qname = etree.QName(tag)
    prefix = _PREFIX_OF.get(qname.namespace or "")
    return f"{prefix}:{qname.localname}" if prefix else tag


@dataclass(frozen=True, slots=True)
class RawElement:
    """An element kept verbatim because the typed model does not cover it.

    ``xml`` is canonical (exclusive C14N, insignificant whitespace removed, namespace declarations on the
    top element), so two kept elements compare equal exactly when their XML content is the same.
    ``after`` is only set for elements outside the UBL 2.1 sequence of their parent: it names the nearest
    preceding UBL 2.1 sibling in the source, which is where the element is written back.
    """

    tag: str
    xml: str
    after: str | None = None

    @property
    def name(self) -> str:
        """The element name with its conventional prefix (``cac:Signature``)."""
        return prefixed_name(self.tag)

    def element(self) -> etree._Element:
        """A fresh lxml element for this fragment."""
        return etree.fromstring(self.xml)

    @classmethod
    def from_element(cls, element: etree._Element, *, after: str | None = None) -> RawElement:
        """Keep ``element`` (and its subtree) in canonical form; the source tree is not changed."""
        fragment = etree.fromstring(
            etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
        )
        # Any: the default namespace has the key None, which lxml accepts but its stubs do not.
        declared: dict[Any, str] = {}
        for node in fragment.iter():
            if not isinstance(node.tag, str):
                continue
            # UBL content is never mixed, so whitespace between child elements is only indentation;
            # dropping it makes the canonical text independent of the source's pretty-printing.
            if len(node):
                if node.text is not None and not node.text.strip():
                    node.text = None
                for child in node:
                    if child.tail is not None and not child.tail.strip():
                        child.tail = None
            for prefix, uri in node.nsmap.items():
                declared.setdefault(prefix, uri)
        etree.cleanup_namespaces(fragment, top_nsmap=declared)
        return cls(tag=tag_name(element), xml=etree.tostring(fragment, encoding="unicode"), after=after)


# --- field declarations ------------------------------------------------------------------------------


def one(tag: str, default: Any = None) -> Any:
    """An optional element (0..1): ``name: str | None = one("cbc:Name")``."""
    return field(default=default, metadata={"ubl": tag})


def required(tag: str, default_factory: Callable[[], Any] | None = None) -> Any:
    """A mandatory element (1..1 in UBL 2.1): reading a document without it fails.

    Without ``default_factory`` the constructor needs the value too.
    """
    metadata = {"ubl": tag, "required": True}
    if default_factory is None:
        return field(metadata=metadata)
    return field(default_factory=default_factory, metadata=metadata)


def many(tag: str) -> Any:
    """A repeatable element (0..n): ``notes: list[str] = many("cbc:Note")``."""
    return field(default_factory=list, metadata={"ubl": tag})


@dataclass(kw_only=True, slots=True)
class Node:
    """Base of every UBL aggregate; holds what the typed fields do not cover.

    ``extra``: kept child elements. ``extra_attributes``: attributes of modelled child elements that the
    field does not model, keyed by (element name, index within the field), e.g. ``("cbc:Note", 0)``.
    ``source_text``: the source spelling of values whose canonical spelling differs (``0`` for false,
    ``+0.10``, padded dates), same keys; written back as long as the value is unchanged.
    Both are keyed by position: after inserting into or reordering a list field of a parsed document,
    move or drop their entries too, or an attribute follows the position rather than the value.
    """

    ubl_type: ClassVar[str] = ""

    extra: list[RawElement] = field(default_factory=list, repr=False)
    extra_attributes: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict, repr=False)
    source_text: dict[tuple[str, int], str] = field(default_factory=dict, repr=False)

    def unmodelled_paths(self, base: str = "") -> list[str]:
        """Where this node keeps content outside the typed model, as XPath-like paths.

        Elements are listed as ``…/cac:Item[1]/cac:ItemInstance[1]`` and attributes as
        ``…/cbc:Note[1]/@languageID``.
        """
        return unmodelled_paths(self, base)


def unmodelled_paths(node: Node, base: str) -> list[str]:
    """See :meth:`Node.unmodelled_paths`."""
    return list(_unmodelled(node, base))


def _unmodelled(node: Node, base: str) -> Iterator[str]:
    spec = _spec(type(node))
    seen: dict[str, int] = {}
    for raw in node.extra:
        name = raw.name
        known = spec.by_tag.get(raw.tag)
        # A kept element with the name of a modelled one (a second cbc:Note where one is allowed) comes
        # after the modelled occurrences.
        offset = len(_as_list(getattr(node, known.name))) if known else 0
        seen[name] = seen.get(name, 0) + 1
        yield f"{base}/{name}[{offset + seen[name]}]"
    for (name, index), attributes in node.extra_attributes.items():
        for attribute in attributes:
            yield f"{base}/{name}[{index + 1}]/@{prefixed_name(attribute)}"
    for spec_field in spec.fields:
        if spec_field.node is None:
            continue
        for index, child in enumerate(_as_list(getattr(node, spec_field.name))):
            yield from _unmodelled(child, f"{base}/{spec_field.prefixed}[{index + 1}]")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- compiled field specs ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Field:
    name: str
    prefixed: str
    tag: str
    position: int
    repeated: bool
    required: bool
    node: type[Node] | None
    leaf: Leaf | None


@dataclass(slots=True)
class _Spec:
    fields: list[_Field]
    by_tag: dict[str, _Field]
    positions: dict[str, int]
    lists: tuple[str, ...]
    blank: dict[str, Any]


_SPECS: dict[type[Node], _Spec] = {}
_N = TypeVar("_N", bound=Node)


def sequence_of(ubl_type: str) -> list[tuple[str, str]]:
    """The UBL 2.1 children of ``ubl_type`` (``"Party"``) as (``"cbc:ID"``, cardinality suffix) pairs."""
    try:
        text = SEQUENCES[f"{ubl_type}Type"]
    except KeyError:
        raise TypeError(f"{ubl_type!r} is not a UBL 2.1 aggregate or supported document type") from None
    return [(name.rstrip("?*+"), name[len(name.rstrip("?*+")) :]) for name in text.split()]


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``list[X]`` → (X, True); ``X | None`` → (X, False); ``X`` → (X, False)."""
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0], True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported field type {annotation!r}")
        return args[0], False
    return annotation, False


def _spec(cls: type[Node]) -> _Spec:
    spec = _SPECS.get(cls)
    if spec is None:
        spec = _SPECS[cls] = _compile(cls)
    return spec


def _compile(cls: type[Node]) -> _Spec:
    positions = {clark(name): index for index, (name, _) in enumerate(sequence_of(cls.ubl_type))}
    hints = typing.get_type_hints(cls)
    compiled: list[_Field] = []
    for data_field in dataclasses.fields(cls):
        prefixed = data_field.metadata.get("ubl")
        if prefixed is None:
            continue
        tag = clark(prefixed)
        if tag not in positions:
            raise TypeError(f"{cls.__name__}.{data_field.name}: {prefixed} is not a child of {cls.ubl_type}")
        kind, repeated = _unwrap(hints[data_field.name])
        is_node = isinstance(kind, type) and issubclass(kind, Node)
        leaf = None if is_node else LEAVES.get(kind)
        if not is_node and leaf is None:
            raise TypeError(f"{cls.__name__}.{data_field.name}: unsupported type {kind!r}")
        compiled.append(
            _Field(
                name=data_field.name,
                prefixed=prefixed,
                tag=tag,
                position=positions[tag],
                repeated=repeated,
                required=bool(data_field.metadata.get("required")),
                node=kind if is_node else None,
                leaf=leaf,
            )
        )
    compiled.sort(key=lambda spec_field: spec_field.position)
    blank = {spec_field.name: None for spec_field in compiled if not spec_field.repeated}
    lists = tuple(spec_field.name for spec_field in compiled if spec_field.repeated)
    return _Spec(compiled, {f.tag: f for f in compiled}, positions, lists, blank)


# --- reading -----------------------------------------------------------------------------------------


def parse_node(cls: type[_N], element: etree._Element) -> _N:
    """Read ``element`` into a ``cls`` instance. Raises :class:`DocumentError` with the location."""
    spec = _spec(cls)
    values: dict[str, Any] = dict(spec.blank)
    for name in spec.lists:
        values[name] = []
    extra: list[RawElement] = []
    extra_attributes: dict[tuple[str, int], dict[str, str]] = {}
    source_text: dict[tuple[str, int], str] = {}
    positions = spec.positions
    previous: str | None = None  # the nearest preceding UBL 2.1 sibling, for elements outside the sequence
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # comments and processing instructions are not content
        known = spec.by_tag.get(tag)
        if (
            known is None
            or not (known.repeated or values[known.name] is None)
            or (known.leaf is not None and len(child) and _has_elements(child))
        ):
            extra.append(RawElement.from_element(child, after=None if tag in positions else previous))
        else:
            index = len(values[known.name]) if known.repeated else 0
            leaf = known.leaf
            try:
                if leaf is None:
                    value: Any = parse_node(known.node, child)  # type: ignore[arg-type]
                else:
                    value = leaf.read(child)
                    if leaf.normalize is not None:
                        text = text_of(child)
                        if leaf.normalize(text) != text:
                            source_text[(known.prefixed, index)] = text
            except DocumentError as exc:
                raise exc.at(f"{known.prefixed}[{index + 1}]") from None
            if known.repeated:
                values[known.name].append(value)
            else:
                values[known.name] = value
            names = child.keys()
            if names and not (leaf is not None and leaf.attributes.issuperset(names)):
                handled = leaf.attributes if leaf is not None else NO_ATTRIBUTES
                extra_attributes[(known.prefixed, index)] = {
                    str(key): str(val) for key, val in child.items() if key not in handled
                }
        if tag in positions:
            previous = tag
    for spec_field in spec.fields:
        if spec_field.required and values[spec_field.name] is None:
            raise DocumentError(f"missing {spec_field.prefixed}")
    return cls(extra=extra, extra_attributes=extra_attributes, source_text=source_text, **values)


def _has_elements(child: etree._Element) -> bool:
    """True for element content where UBL has a value (kept as it is rather than misread)."""
    return any(isinstance(sub.tag, str) for sub in child)


# --- writing -----------------------------------------------------------------------------------------


def build_node(node: Node, element: etree._Element) -> None:
    """Append the children of ``node`` to ``element`` in UBL 2.1 sequence order."""
    spec = _spec(type(node))
    extra_attributes = node.extra_attributes
    source_text = node.source_text
    sub_element = etree.SubElement
    for spec_field in spec.fields:
        value = getattr(node, spec_field.name)
        if value is None:
            continue
        items = value if spec_field.repeated else (value,)
        for index, item in enumerate(items):
            child = sub_element(element, spec_field.tag)
            try:
                if spec_field.node is not None:
                    build_node(item, child)
                else:
                    leaf = spec_field.leaf
                    leaf.write(child, item)  # type: ignore[union-attr]
                    if source_text:
                        _respell(child, source_text.get((spec_field.prefixed, index)), leaf)  # type: ignore[arg-type]
            except DocumentError as exc:
                raise exc.at(f"{spec_field.prefixed}[{index + 1}]") from None
            except (AttributeError, TypeError) as exc:
                # A value of the wrong type (a str where an Amount belongs): say where, not just what.
                raise DocumentError(f"cannot write {type(item).__name__} {item!r}: {exc}").at(
                    f"{spec_field.prefixed}[{index + 1}]"
                ) from exc
            if extra_attributes:
                for key, val in extra_attributes.get((spec_field.prefixed, index), {}).items():
                    child.set(key, val)
    if node.extra:
        _insert_kept(node.extra, element, spec.positions)


def _respell(child: etree._Element, text: str | None, leaf: Leaf) -> None:
    # Write the source spelling back ("0" for false, "+0.10") while it still means the current value, so
    # that a rebuilt document gets the same verdict from rules that look at the lexical form.
    if text is None or leaf.normalize is None:
        return
    try:
        same = leaf.normalize(text) == (child.text or "")
    except (ValueError, ArithmeticError, KeyError):
        return
    if same:
        child.text = text


def _insert_kept(kept: list[RawElement], element: etree._Element, positions: dict[str, int]) -> None:
    # Modelled children are already in sequence order; each kept element goes after every child whose
    # sequence position is not greater than its own (bisect_right keeps kept elements in source order).
    keys: list[float] = [positions[tag_name(child)] for child in element]
    for raw in kept:
        if raw.tag in positions:
            key: float = positions[raw.tag]
        elif raw.after is not None and raw.after in positions:
            key = positions[raw.after] + 0.5
        else:
            key = -0.5
        index = bisect.bisect_right(keys, key)
        keys.insert(index, key)
        element.insert(index, raw.element())
