"""fmt=2: XML bodies, read with defusedxml.

A reused decoder reads the plainest one-record answer (its element and flat
field elements, nothing else) by one anchored regex: :func:`plain_record_entry`.

defusedxml refuses DTDs (no answer has one), entity declarations and external
references before anything is expanded or fetched; its refusals and expat's
syntax errors become the library's DecodeError. Nesting deeper than the
decoder's ``max_depth`` and more records than ``max_records`` stop the parse
where they start (``_limits.py``). defusedxml is imported on first use.

The writer reproduces the documented layout (seed 003): the record element,
then each field element on its own line, no declaration, no indentation.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

import msgspec

from ._body import body_text, xml_body_charset
from ._build import ATTRIBUTE, MISS, UNPLACED, Place, build_reply, structured_fields
from ._compiled import RecordWriter, keyed_fast_writer, keyed_writer
from ._encodable import check_keyed
from ._envelope import detect_text_envelope
from ._errors import DecodeError, EncodeError, LimitError, RequestError
from ._limits import DEFAULT_LIMITS, Limits, nth_record_fault
from ._model import ApiError, Ok
from ._replies import ERROR_KEYS, Candidate, Details, ReplySpec
from ._schema import FieldSpec, Kind, mapping_builder, plan_for
from ._strictness import unknown_codes
from ._twins import wire_twin

__all__ = [
    "ATTRIBUTE",
    "PLAIN_NAME",
    "PLAIN_SPACE",
    "PLAIN_TEXT",
    "PLAIN_TEXT_RE2",
    "XML",
    "XmlReader",
    "XmlWriter",
    "attribute_fields",
    "decode_plain_xml",
    "decode_xml",
    "encode_xml",
    "parse_xml",
    "plain_record_fields",
    "record_fields",
    "reply_from_fields",
    "start_tag",
    "xml_element_text",
]

#: Characters XML 1.0 cannot carry at all (§2.2 of the XML spec).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _fault(
    reason: str, text: str, offset: int = 0, *, line: int | None = None, column: int | None = None
) -> DecodeError:
    return DecodeError(reason, fmt=2, text=text, offset=offset, line=line, column=column)


def _tag_offset(text: str, tag: str) -> int:
    """Where ``<tag`` first stands; for an attribute's key (``@name``, see
    :func:`record_fields`), where its name stands in a start tag."""
    if tag.startswith(ATTRIBUTE):
        name = re.search(rf"<[^>]*?\s({re.escape(tag[1:])})\s*=", text)
        return name.start(1) if name else 0
    return max(text.find(f"<{tag}"), 0)


@functools.cache
def _defusedxml() -> tuple[Any, type[Exception], type[Exception]]:
    """defusedxml's parser class and the exceptions it raises, imported on first use."""
    import xml.etree.ElementTree as ET  # noqa: PLC0415 - deferred with defusedxml

    from defusedxml import DefusedXmlException  # noqa: PLC0415
    from defusedxml.ElementTree import DefusedXMLParser  # noqa: PLC0415

    return DefusedXMLParser, ET.ParseError, DefusedXmlException


def _secure_parser(target: Any = None) -> Any:
    """A defusedxml parser that also refuses any DTD (an answer never has one,
    and an external DTD subset is the one door its defaults leave open)."""
    return _defusedxml()[0](target=target, forbid_dtd=True)


class _Abandon(Exception):
    """Stops a fast parse that the general path must read (and explain)."""


class _TreeBuilder:
    """ElementTree's tree builder, stopped at the first element nested deeper
    than ``max_depth`` or the first record past ``max_records``.

    A record is an element below the root that holds elements: the records
    of a list, a details list and its rows (a lone record's fields hold
    text only). The elements a hostile body opens are refused as they come,
    so a deep or wide body costs no more than the part read before the limit.
    """

    __slots__ = ("_depth", "_limits", "_opened", "_records", "_text", "_tree", "parser")

    def __init__(self, text: str, limits: Limits) -> None:
        import xml.etree.ElementTree as ET  # noqa: PLC0415 - loaded with defusedxml

        self._tree = ET.TreeBuilder()
        self._text = text
        self._limits = limits
        self._depth = 0
        self._records = 0
        #: where each open element started, and whether it holds an element yet
        self._opened: list[tuple[int, int, bool]] = []
        self.parser: Any = None  # the expat parser, for the position

    def start(self, tag: str, attrib: dict[str, str]) -> Any:
        self._depth += 1
        expat = self.parser
        if self._depth > self._limits.max_depth:
            found = f"elements nested more than {self._limits.max_depth} deep"
            at = (expat.CurrentLineNumber, expat.CurrentColumnNumber)
            raise self._fault("max_depth", found, at)
        opened = self._opened
        if len(opened) >= 2 and not opened[-1][2]:  # the parent's first element
            line, column, _ = opened[-1]
            opened[-1] = (line, column, True)
            self._records += 1
            if self._records > self._limits.max_records:
                found = f"more records than {self._limits.max_records:,}"
                raise self._fault("max_records", found, (line, column))
        opened.append((expat.CurrentLineNumber, expat.CurrentColumnNumber, False))
        return self._tree.start(tag, attrib)

    def end(self, tag: str) -> Any:
        self._depth -= 1
        self._opened.pop()
        return self._tree.end(tag)

    def data(self, data: str) -> None:
        self._tree.data(data)

    def close(self) -> Any:
        return self._tree.close()

    def _fault(self, limit: str, found: str, at: tuple[int, int]) -> LimitError:
        line, column = at
        maximum = getattr(self._limits, limit)
        return LimitError(
            limit, maximum, found, fmt=2, text=self._text, line=line, column=column + 1
        )


def plain_records(  # noqa: C901 (its handlers are closures: see below)
    text: str, item: str, wrapper: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, list[dict[str, str]]] | None:
    """(root tag, records) of a plain body, or None when it is not plain or not well-formed.

    Each record is collected as {tag: text}, with no Element objects, and the
    handlers note whether the body is plain: records of flat field elements,
    no attributes, no nested markup, no text outside the fields, no field
    twice, within the limits. Anything else (an error answer, a broken body,
    a limit passed) is read again by the ElementTree path, which says
    precisely what is wrong.
    """
    max_depth = limits.max_depth
    max_records = limits.max_records
    max_field = limits.max_field_length
    records: list[dict[str, str]] = []
    record: dict[str, str] = {}
    # the text of the field being read: one piece mostly, several where
    # expat splits it (at entities), joined once at its end
    pieces: list[str] = []
    depth = 0
    field_depth = 0  # 2 under a lone record element, 3 under the list wrapper

    # The handlers are closures rather than methods: expat calls them for
    # every element and text run, and cell variables are the cheapest state.
    def start(tag: str, attrib: Any) -> None:
        nonlocal depth, field_depth, record
        depth += 1
        if attrib or depth > max_depth:
            raise _Abandon
        if depth == field_depth:
            return  # a field: its text comes to data()
        if depth == field_depth - 1 and tag == item:
            if len(records) >= max_records:
                raise _Abandon
            record = {}
            records.append(record)
        elif depth == 1 and tag in (item, wrapper):
            field_depth = 2 if tag == item else 3
            if field_depth == 2:
                record = {}
                records.append(record)
        else:
            raise _Abandon

    def end(tag: str) -> None:
        nonlocal depth
        if depth == field_depth:
            value = pieces[0] if len(pieces) == 1 else "".join(pieces)
            pieces.clear()
            if tag in record or len(value) > max_field:
                raise _Abandon
            record[tag] = value
        depth -= 1

    def data(piece: str) -> None:
        if depth == field_depth:
            pieces.append(piece)
        elif not piece.isspace():
            raise _Abandon

    # defusedxml creates and secures the expat parser (its handlers refuse
    # DTDs, entity declarations and external references); the element
    # handlers are pointed at the collector directly, past ElementTree's
    # per-element wrappers, which cost more than the parse itself.
    expat = _secure_parser().parser
    expat.StartElementHandler = start
    expat.EndElementHandler = end
    expat.CharacterDataHandler = data
    try:
        expat.Parse(text, True)
    except Exception:
        return None
    if not field_depth:
        return None
    return (item if field_depth == 2 else wrapper), records


def parse_xml(text: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse with defusedxml into an ElementTree element, within ``limits``;
    every failure becomes a DecodeError."""
    _, ParseError, DefusedXmlException = _defusedxml()
    builder = _TreeBuilder(text, limits)
    parser = _secure_parser(builder)
    builder.parser = parser.parser
    try:
        parser.feed(text)
        return parser.close()
    except ParseError as exc:
        line, column = exc.position  # type: ignore[attr-defined]
        raise _fault(
            f"malformed XML: {exc.msg if hasattr(exc, 'msg') else exc}",
            text,
            line=line,
            column=column + 1,
        ) from None
    except LimitError:
        raise
    except DefusedXmlException as exc:
        at = text.find("<!DOCTYPE")
        raise _fault(
            f"forbidden XML construct: {exc}", text, at if at >= 0 else _tag_offset(text, "!")
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an encoding declaration on a str
        raise _fault(f"unreadable XML: {exc}", text) from None


def _value_offset(text: str, tag: str, value: str) -> int:
    """Where ``value`` (escaped as the encoder writes it) starts after ``<tag>``,
    else where ``<tag`` first stands (an attribute: where its name stands)."""
    if tag.startswith(ATTRIBUTE):
        return _tag_offset(text, tag)
    needle = f"<{tag}>" + _escape_text(value[:64])
    found = text.find(needle)
    return found + len(tag) + 2 if found >= 0 else _tag_offset(text, tag)


_TAIL = operator.attrgetter("tail")
_ATTRIB = operator.attrgetter("attrib")


def record_fields(element: Any, text: str) -> dict[str, str]:
    """The child elements of a record as {tag: text}, after the record
    element's attributes as {"@name": value}; nested markup is an error."""
    # The common case is checked with C-level loops (map/any), the slow walk
    # below runs only to say what is wrong.
    fields = {child.tag: child.text or "" for child in element}
    if _plain_fields(element, fields, text):
        return {**attribute_fields(element), **fields} if element.attrib else fields
    return _fields_walked(element, text)


def _plain_fields(element: Any, fields: dict[str, str], text: str) -> bool:
    """Whether a record's children are plain fields (``fields``, by tag):
    no tag twice, no text around them, no markup or attribute in them."""
    return (
        len(fields) == len(element)
        and not (element.text or "").strip()
        and not any(map(len, element))
        and ("=" not in text or not any(map(_ATTRIB, element)))
        and not any(map(str.strip, filter(None, map(_TAIL, element))))
    )


def _fields_walked(element: Any, text: str) -> dict[str, str]:
    """:func:`record_fields` child by child, for a record the quick checks
    did not pass: its fields where they are plain after all, otherwise the
    fault of the first that is not."""
    if (element.text or "").strip():
        raise _fault(f"text directly inside <{element.tag}>", text, _tag_offset(text, element.tag))
    out: dict[str, str] = attribute_fields(element)
    for child in element:
        if child.attrib:
            name = next(iter(child.attrib))
            reason = f"attribute {name!r} on <{child.tag}>: a field's element holds its value only"
            raise _fault(reason, text, _tag_offset(text, ATTRIBUTE + name))
        if len(child):
            raise _fault(f"<{child.tag}> holds markup", text, _tag_offset(text, child.tag))
        if child.tag in out:
            raise _fault(f"<{child.tag}> appears twice", text, _tag_offset(text, child.tag))
        if (child.tail or "").strip():
            raise _fault(f"text after <{child.tag}>", text, _tag_offset(text, child.tag))
        out[child.tag] = child.text or ""
    return out


def attribute_fields(element: Any) -> dict[str, str]:
    """An element's attributes as {"@name": value} (:data:`ATTRIBUTE`)."""
    return {ATTRIBUTE + name: value for name, value in element.attrib.items()}


def _refuse_attributes(element: Any, text: str) -> None:
    """A list element's attributes: no record holds them, and none is dropped."""
    for name in element.attrib:
        raise _fault(
            f"attribute {name!r} on <{element.tag}>: a list has no place for it",
            text,
            _tag_offset(text, ATTRIBUTE + name),
        )


class _XmlPlace(Place):
    """Faults of an XML record: named by element (or attribute), placed where
    it stands in the body."""

    fmt = 2

    def name(self, key: str, spec: FieldSpec | None) -> str:
        return f"attribute {key[1:]!r}" if key.startswith(ATTRIBUTE) else f"<{key}>"

    def unknown(self, key: str) -> str:
        return f"unknown {self.name(key, None).replace('<', 'element <', 1)}"

    def missing(self, spec: FieldSpec) -> str:
        return f"missing <{spec.wire}>"

    def at(self, key: str, position: int) -> int:
        return _tag_offset(self.text, key)

    def value_at(self, key: str, position: int, value: Any) -> int:
        return _value_offset(self.text, key, value)


def reply_from_fields(
    fields: dict[str, str],
    cls: type[msgspec.Struct],
    text: str,
    strict: bool,
    limits: Limits = DEFAULT_LIMITS,
) -> msgspec.Struct:
    """A reply from a record's fields ({tag: text}, attributes first as
    ``@name``): converted in one call when every tag is known and every value
    well formed, otherwise by the shared walk (``_build``), which says what
    is wrong and where."""
    max_text = limits.max_field_length
    if fields.keys() <= plan_for(cls).by_wire.keys() and (
        len(text) <= max_text or not any(len(raw) > max_text for raw in fields.values())
    ):
        try:
            if strict:
                reply = mapping_builder(cls)(fields)
            else:
                # msgspec reads the texts as it reads JSON strings (facts §1.4:
                # numbers may come quoted), in C, into the reply's wire twin
                twin = wire_twin(cls, max_text)
                reply = twin.to_model(msgspec.convert(fields, twin.wire, strict=False))
        except (KeyError, ValueError, msgspec.ValidationError):
            pass  # the field-by-field walk below says what is wrong, and where
        else:
            if not strict or not any(True for _ in unknown_codes(reply)):
                return reply
    items = [(tag, raw, UNPLACED) for tag, raw in fields.items()]
    check_length = max_text if len(text) > max_text else None
    return build_reply(cls, items, _XmlPlace(text), strict=strict, max_text=check_length)


def decode_xml(
    text: str, root: Any, spec: ReplySpec, *, strict: bool, limits: Limits = DEFAULT_LIMITS
) -> msgspec.Struct | list[msgspec.Struct]:
    """Decode a fmt=2 success answer of ``spec``, parsed by :func:`parse_xml`
    (which holds the root's records against ``max_records``)."""
    items = _record_elements(root, spec, text, strict=strict)
    if items is None:
        # the field alone as the root: `<balance>250.80</balance>` (facts §2.5)
        return _replies([{root.tag: root.text or ""}], root.tag, spec, text, strict, limits=limits)
    details = spec.details
    rows = _detail_rows(items, details, text, strict, limits) if details is not None else None
    records = [record_fields(item, text) for item in items]
    found = _replies(records, root.tag, spec, text, strict, limits=limits)
    if rows is not None and details is not None and isinstance(found, msgspec.Struct):
        found = msgspec.structs.replace(found, **{details.field: tuple(rows)})
    return found


def _record_elements(root: Any, spec: ReplySpec, text: str, *, strict: bool) -> list[Any] | None:
    """The record elements under ``root`` (the list element, or the lone
    record as the root); None for the value alone as the root."""
    if root.tag == spec.xml_list:
        items = _list_items(root, spec, text, strict=strict)
    elif root.tag == spec.xml_item:
        items = [root]
        if strict and spec.multi:
            raise _fault(f"expected <{spec.xml_list}>, found <{root.tag}>", text)
    elif root.tag == spec.xml_value_root and not len(root) and not root.attrib:
        return None
    else:
        raise _fault(f"expected <{spec.xml_item}> or <{spec.xml_list}>, found <{root.tag}>", text)
    for item in items:
        if item.tag != spec.xml_item:
            raise _fault(
                f"expected <{spec.xml_item}>, found <{item.tag}>", text, _tag_offset(text, item.tag)
            )
    return items


def _list_items(root: Any, spec: ReplySpec, text: str, *, strict: bool) -> list[Any]:
    """The elements of the list element ``root``, which holds no text or
    attribute of its own (and, to strict decoding, answers a request for
    several records)."""
    if (root.text or "").strip():
        raise _fault(f"text directly inside <{root.tag}>", text)
    _refuse_attributes(root, text)
    if strict and not spec.multi:
        raise _fault(f"expected <{spec.xml_item}>, found <{root.tag}>", text)
    return list(root)


def _detail_rows(
    items: list[Any], details: Details, text: str, strict: bool, limits: Limits
) -> list[msgspec.Struct] | None:
    """Take the details element out of the (one) record and read its records."""
    if len(items) != 1:
        return None
    block = items[0].find(details.xml_list)
    if block is None:
        return None
    items[0].remove(block)
    if (block.text or "").strip():
        raise _fault(f"text directly inside <{block.tag}>", text, _tag_offset(text, block.tag))
    _refuse_attributes(block, text)
    if len(block) > limits.max_records:
        past = itertools.islice(
            re.finditer(f"<{details.xml_item}[ />]", text), limits.max_records, None
        )
        found = next(past, None)
        raise nth_record_fault(limits, 2, text, found.start() if found else len(text))
    rows = []
    kind = details.candidate.cls
    for element in block:
        if element.tag != details.xml_item:
            raise _fault(
                f"expected <{details.xml_item}> in <{block.tag}>, found <{element.tag}>",
                text,
                _tag_offset(text, element.tag),
            )
        rows.append(reply_from_fields(record_fields(element, text), kind, text, strict, limits))
    return rows


def decode_plain_xml(
    text: str, spec: ReplySpec, limits: Limits = DEFAULT_LIMITS
) -> msgspec.Struct | list[msgspec.Struct] | None:
    """Lenient decoding of a plain success answer (see :func:`plain_records`), or None."""
    if spec.details is not None and f"<{spec.details.xml_list}>" in text:
        return None  # nested records: the general path takes them out first
    lone = spec.xml_value_root
    if lone is not None and text.startswith(f"<{lone}>"):
        # the field alone as the root (facts §2.5); a value with markup or an
        # entity goes the general way
        body = text.rstrip()
        value = body[len(lone) + 2 : -len(lone) - 3]
        if body != f"<{lone}>{value}</{lone}>" or "<" in value or "&" in value:
            return None
        return _replies([{lone: value}], lone, spec, text, False, limits=limits)
    found = plain_records(text, spec.xml_item, spec.xml_list, limits)
    if found is None:
        return None
    if any(key in fields for fields in found[1] for key in ERROR_KEYS):
        return None  # an error answer in the success answer's element (send.php)
    root_tag, records = found
    return _replies(records, root_tag, spec, text, False, limits=limits)


def _replies(
    records: list[dict[str, str]],
    root_tag: str,
    spec: ReplySpec,
    text: str,
    strict: bool,
    *,
    limits: Limits,
) -> msgspec.Struct | list[msgspec.Struct]:
    replies = None
    if not strict and len(spec.candidates) == 1 and len(records) > 1:
        replies = _convert_all(records, spec.candidates[0].cls, limits.max_field_length)
    if replies is None:
        replies = [
            reply_from_fields(f, spec.pick_keys(f).cls, text, strict, limits) for f in records
        ]
    if spec.multi or root_tag == spec.xml_list:
        return replies
    return replies[0]


def _convert_all(
    records: list[dict[str, str]], cls: type[msgspec.Struct], max_text: int
) -> list[msgspec.Struct] | None:
    """Records of one known kind, converted by msgspec in one call (a long
    list's fast path); None when any record needs the field-by-field walk."""
    known = plan_for(cls).by_wire.keys()
    if not all(fields.keys() <= known for fields in records):
        return None
    twin = wire_twin(cls, max_text)
    try:
        wires = msgspec.convert(records, list[twin.wire], strict=False)  # type: ignore[name-defined]
        return twin.to_models(wires)
    except (msgspec.ValidationError, ValueError):
        return None


def _escape(value: str, field: str) -> str:
    bad = _XML_INVALID.search(value)
    if bad:
        raise EncodeError(f"{bad.group()!r} cannot be written in XML", field=field, fmt=2)
    return _escape_text(value)


def _escape_text(value: str) -> str:
    # `\r` would come back as `\n` (XML end-of-line handling), so it is escaped.
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _escape_attribute(value: str, key: str) -> str:
    # A tab or line break in an attribute value reads back as a space
    # (attribute-value normalisation, XML 1.0, section 3.3.3): written as references.
    return _escape(value, key).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


#: what the encoder writes as an element or attribute name (no namespace prefix)
_XML_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def start_tag(tag: str, extra: Sequence[tuple[str, Any]]) -> tuple[str, list[tuple[str, Any]]]:
    """The start tag of a record element with its attributes (the ``@`` keys
    of ``extra``, see :data:`ATTRIBUTE`), and the unknown keys left to be
    written as elements. Raises EncodeError for a key XML cannot carry."""
    attributes = []
    elements: list[tuple[str, Any]] = []
    for key, value in extra:
        name = key.removeprefix(ATTRIBUTE)
        if not isinstance(value, str) or _XML_NAME.fullmatch(name) is None:
            raise EncodeError("cannot be written as an XML element or attribute", field=key, fmt=2)
        if name == key:
            elements.append((key, value))
        elif elements:
            raise EncodeError(
                "an attribute reads back before the elements: its key comes first in extra",
                field=key,
                fmt=2,
            )
        else:
            attributes.append(f' {name}="{_escape_attribute(value, key)}"')
    return f"<{tag}{''.join(attributes)}>", elements


def xml_element_text(reply: msgspec.Struct, tag: str, spec: ReplySpec | None) -> str:
    """One reply as a record element, each field on its own line."""
    plan = plan_for(type(reply))
    candidate = None
    if spec is not None:
        candidate = next((c for c in spec.candidates if type(reply) is c.cls), None)
    opening, extra = start_tag(tag, getattr(reply, "extra", ()))
    lines = [opening]
    for field in structured_fields(plan, candidate):
        value = getattr(reply, field.name)
        if value is None:
            if plan.every_key and field.kind is Kind.DATE:
                lines.append(f"<{field.wire}></{field.wire}>")
            continue
        try:
            rendered = field.to_text(value)
        except (ValueError, TypeError, AttributeError) as exc:
            raise EncodeError(str(exc), field=field.name, fmt=2) from None
        lines.append(f"<{field.wire}>{_escape(rendered, field.wire)}</{field.wire}>")
    for key, value in extra:
        lines.append(f"<{key}>{_escape(value, key)}</{key}>")
    lines.append(f"</{tag}>")
    return "\n".join(lines)


def encode_xml(replies: Sequence[msgspec.Struct], spec: ReplySpec, *, as_list: bool) -> str:
    items = [xml_element_text(r, spec.xml_item, spec) for r in replies]
    details = spec.details
    if details is not None and not as_list:
        rows = getattr(replies[0], details.field)
        if rows is not None:  # an empty list is written as an empty element
            items[0] = _with_detail_rows(items[0], rows, details, spec.xml_item)
    if spec.xml_value_root and len(items) == 1 and not as_list:
        value = _value_alone(items[0], spec.xml_item, spec.xml_value_root)
        if value is not None:
            return value
    if as_list:
        return "\n".join([f"<{spec.xml_list}>", *items, f"</{spec.xml_list}>"])
    return items[0]


def _with_detail_rows(item: str, rows: Sequence[msgspec.Struct], details: Details, tag: str) -> str:
    """A record's element (``<tag>``) with its details rows' list element
    written last inside it."""
    block = [
        f"<{details.xml_list}>",
        *(xml_element_text(row, details.xml_item, None) for row in rows),
        f"</{details.xml_list}>",
    ]
    closing = f"</{tag}>"
    return item.removesuffix(closing) + "\n".join(block) + "\n" + closing


def _value_alone(item: str, tag: str, lone: str) -> str | None:
    """The field ``lone`` alone as the root, as documented (facts §2.5),
    where the record's element ``<tag>`` holds only it; otherwise None."""
    lines = item.split("\n")
    if len(lines) == 3 and lines[0] == f"<{tag}>" and lines[1].startswith(f"<{lone}>"):
        return lines[1]
    return None


def xml_envelope(
    root: Any, text: str, *, strict: bool, limits: Limits = DEFAULT_LIMITS
) -> ApiError | Ok | None:
    """The ``<result>`` answers: an error, or ``<result>OK</result>`` (seed 004)."""
    if getattr(root, "tag", None) != "result":
        return None
    if len(root) == 0 and (root.text or "").strip() == "OK":
        if not root.attrib:
            return Ok()
        # attributes are kept as unknown keys (_build.ATTRIBUTE), as on any record
        ok = reply_from_fields(attribute_fields(root), Ok, text, strict, limits)
        assert isinstance(ok, Ok)
        return ok
    if all(root.find(key) is None for key in ERROR_KEYS):
        return None  # a success answer in <result> (send.php, jobs.php)
    reply = reply_from_fields(record_fields(root, text), ApiError, text, strict, limits)
    assert isinstance(reply, ApiError)
    return reply


class XmlReader:
    """The reader of fmt=2 bodies (defusedxml; see the module docstring)."""

    fmt = 2

    def charset_of(
        self, body: Any, charset: str, *, request_named: str | None, strict: bool
    ) -> str:
        """The charset the body's XML declaration names, when the request
        names none (``_body.xml_body_charset``)."""
        return xml_body_charset(body, charset, request_named=request_named, strict=strict)

    def read_fast(
        self, body: Any, charset: str, spec: ReplySpec, limits: Limits
    ) -> msgspec.Struct | list[msgspec.Struct] | None:
        """A plain success answer (:func:`plain_records`), or None for :meth:`read`."""
        return decode_plain_xml(body_text(body, charset, 2), spec, limits)

    def read(
        self, text: str, spec: ReplySpec | RequestError, *, strict: bool, limits: Limits
    ) -> Any:
        """A body: its OK or error answer (the bare text ones, facts §9, or
        ``<result>``), or the success answer of ``spec`` (a RequestError:
        the request has none)."""
        envelope = detect_text_envelope(text, 2, limits)
        if envelope is not None:
            return envelope
        root = parse_xml(text, limits)
        envelope = xml_envelope(root, text, strict=strict, limits=limits)
        if envelope is not None:
            return envelope
        if isinstance(spec, RequestError):
            raise spec
        if spec.ok_only:
            raise _fault("this request is answered with OK or an error only", text)
        return decode_xml(text, root, spec, strict=strict, limits=limits)

    def read_record(
        self,
        text: str,
        kind_of_keys: Callable[[Collection[str]], type[msgspec.Struct]],
        *,
        strict: bool,
        limits: Limits,
    ) -> msgspec.Struct:
        """One record standing alone as the root element (a callback); its
        kind told by its keys."""
        root = parse_xml(text, limits)
        fields = record_fields(root, text)
        return reply_from_fields(fields, kind_of_keys(fields), text, strict, limits)

    def entry(self, spec: ReplySpec, limits: Limits, charset: str) -> Callable[[Any], Any] | None:
        """The reader of a one-record answer in its plainest form (see
        :func:`plain_record_entry`); None for a list."""
        return plain_record_entry(spec, limits)


#: white space between a plain record's elements (XML's, less the CR that
#: expat turns into a LF)
PLAIN_SPACE = "[ \t\n]*"
#: the name of a plain record's field: no prefix (expat reads ``a:b`` as a
#: namespace)
PLAIN_NAME = "[A-Za-z_][A-Za-z0-9_]*"
#: the text of a plain record's field: no markup, no entity or character
#: reference, no CR and no character XML cannot carry (expat refuses it);
#: as Python's regex and as RE2's (Arrow's engine, for the columnar reader:
#: it spells a code point ``\x{...}``, and an Arrow string holds no lone
#: surrogate)
PLAIN_TEXT = "[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]*"
PLAIN_TEXT_RE2 = r"[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]*"
#: a field element of a plain record: its name and its text
_PLAIN_FIELD = f"<(?P<tag>{PLAIN_NAME})>(?P<text>{PLAIN_TEXT})</(?P=tag)>"
_PLAIN_FIELDS = re.compile(_PLAIN_FIELD).findall


@functools.cache
def _plain_record(item: str) -> Callable[[str], re.Match[str] | None]:
    """The anchored match of a plain record element ``item`` (its fields
    in the first group)."""
    return re.compile(
        f"<{re.escape(item)}>{PLAIN_SPACE}((?:{_PLAIN_FIELD}{PLAIN_SPACE})*)"
        f"</{re.escape(item)}>{PLAIN_SPACE}\\Z"
    ).match


def plain_record_fields(item: str, text: str) -> list[tuple[str, str]] | None:
    """The (tag, text) fields of a text that is a plain record element
    ``item``, as :func:`plain_record_entry` reads them, in order; None for
    any other text."""
    found = _plain_record(item)(text)
    return None if found is None else _PLAIN_FIELDS(found.group(1))


def plain_record_entry(spec: ReplySpec, limits: Limits) -> Callable[[Any], Any] | None:
    """The compiled entry of a one-record answer (``XmlReader.entry``): a
    body that is nothing but the record element and its flat field elements
    is read by one anchored regex instead of expat's callbacks
    (:func:`plain_records`), then as :func:`decode_plain_xml` reads it.

    Anything else is :data:`~smsc_codec._build.MISS` and goes to defusedxml:
    a declaration, a DOCTYPE, an entity or character reference, a comment,
    CDATA, a processing instruction, an attribute, an empty-element tag, a
    nested element, a field twice, text outside the fields, a CR, a
    character XML cannot carry, a body that is not ASCII bytes or text, or
    one that may pass a limit. None where the limits refuse a record at all
    or there is no one-record answer."""
    if spec.multi or spec.ok_only or limits.max_depth < 2 or limits.max_records < 1:
        return None
    item, lone = spec.xml_item, spec.xml_value_root
    record = _plain_record(item)
    # (a body over max_body_bytes is refused by the decoder; no field of a
    # shorter body passes max_field_length)
    longest = min(limits.max_body_bytes, limits.max_field_length)
    nested = None if spec.details is None else f"<{spec.details.xml_list}>"
    lone_start = None if lone is None else f"<{lone}>"

    def entry(body: Any) -> Any:
        if body.__class__ is not str:
            if body.__class__ is not bytes or not body.isascii():
                return MISS
            body = body.decode("ascii")  # (ASCII is the same in every charset)
        if len(body) > longest:
            return MISS
        found = record(body)
        if found is None:
            return MISS
        # decode_plain_xml's steps: the value alone as the root and nested
        # records are its own; a field twice and an error are the general path's
        if lone_start is not None and body.startswith(lone_start):
            return MISS
        if nested is not None and nested in body:
            return MISS
        pairs = _PLAIN_FIELDS(found.group(1))
        fields = dict(pairs)
        if len(fields) != len(pairs) or any(key in fields for key in ERROR_KEYS):
            return MISS
        return _replies([fields], item, spec, body, False, limits=limits)

    return entry


def _fast_escape(value: str) -> str:
    """_escape_text of a text XML can hold; ValueError otherwise (the
    general writer names the field)."""
    if _XML_INVALID.search(value):
        raise ValueError("a character XML cannot hold")
    return _escape_text(value)


def _element_writer(candidate: Candidate, tag: str) -> RecordWriter:
    """xml_element_text of one kind, generated (``_compiled``)."""
    plan = plan_for(candidate.cls)
    return keyed_writer(
        plan,
        structured_fields(plan, candidate),
        lambda spec, value: f"{f'<{spec.wire}>'!r} + {value} + {f'</{spec.wire}>'!r}",
        (f"<{tag}>\n", "\n", f"\n</{tag}>"),
        env={"esc": _fast_escape},
        text=lambda value: f"esc({value})",
    )


class XmlWriter:
    """The writer of fmt=2 bodies, as the server writes them (seed 003)."""

    fmt = 2
    #: a list has a form of its own, even of one record
    lists = True

    def write(
        self, replies: Sequence[msgspec.Struct], spec: ReplySpec, *, as_list: bool, lossy: bool
    ) -> str:
        check_keyed(replies, spec, 2)
        return encode_xml(replies, spec, as_list=as_list)

    def fast_writer(self, spec: ReplySpec) -> Callable[[Any], str | None]:
        """``encode_text``'s body by generated writers, or None (``_compiled``)."""
        head, tail = f"<{spec.xml_list}>\n", f"\n</{spec.xml_list}>"
        return keyed_fast_writer(
            spec,
            lambda candidate: _element_writer(candidate, spec.xml_item),
            lambda items: head + "\n".join(items) + tail,
            # (a record of one value may be written as that value's element)
            single=spec.xml_value_root is None,
        )

    def write_envelope(self, reply: ApiError | Ok, *, lossy: bool) -> str:
        """``<result>OK</result>`` (with the attributes kept, the only keys it
        holds), the bare ``OK`` it was read as, or the error's ``<result>``."""
        if isinstance(reply, Ok):
            return "OK" if reply.bare else start_tag("result", reply.extra)[0] + "OK</result>"
        return xml_element_text(reply, "result", None)

    def write_record(self, reply: msgspec.Struct, root: str) -> str:
        return xml_element_text(reply, root, None)


#: fmt=2, reader and writer
XML = (XmlReader(), XmlWriter())
