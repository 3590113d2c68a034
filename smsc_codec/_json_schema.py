"""JSON Schemas: of the model, and of the fmt=3 answers as the server writes them.

Both are derived from the model (``_model.py``, the field plans of
``_schema.py``) and the code tables (``_codes.py``); nothing here names a
field.

* The **model** schema describes a reply as msgspec serialises it
  (``msgspec.json.encode(reply)``, ``msgspec.to_builtins``): every kind with
  its ``"kind"`` tag, the tagged union :data:`~smsc_codec.Reply` (and
  :data:`~smsc_codec.Callback`), and a list of replies. msgspec writes most
  of it; the codes are made open and the dates given their shape here.
* The **wire** schema describes the fmt=3 JSON the server writes, key by key:
  dates as ``DD.MM.YYYY hh:mm:ss`` and money as quoted decimals (facts §1.4),
  numbers marked ``Quoted`` as JSON strings, lists as their text, unknown keys
  allowed (the codec keeps them).

Codes are open in both, as the decoder is: the documented ones are named
(``const`` with ``title`` and ``description``) and any other integer is
accepted.
"""

from __future__ import annotations

import enum
import functools
import typing
from datetime import datetime
from typing import Any

import msgspec

from ._callbacks import Callback
from ._codes import MessageFlags, _CodeEnum
from ._model import Reply
from ._schema import KIND_PATTERNS, FieldSpec, Kind, plan_for
from ._version import __version__

__all__ = ["json_schema"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_REF = "#/$defs/{name}"

#: A naive datetime as msgspec writes it: ISO 8601 without an offset (the
#: server's local time, facts §9).
_MODEL_DATETIME = {
    "type": "string",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?$",
    "description": "the server's local time, ISO 8601 without an offset",
}


def json_schema(*, wire: bool = False) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the model, or with ``wire=True`` of
    the fmt=3 answers as the server writes them (see the module docstring)."""
    # (through JSON: plain dicts and lists, a fresh copy each call)
    schema: dict[str, Any] = msgspec.json.decode(_wire_schema() if wire else _model_schema())
    return schema


def _kinds() -> tuple[type[msgspec.Struct], ...]:
    return (*typing.get_args(Reply), *typing.get_args(Callback))


def _unwrap(tp: Any) -> Any:
    """The class of an annotation: ``Annotated`` and ``| None`` taken off."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin is typing.Union or type(tp).__name__ == "UnionType":
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _codes() -> list[type[enum.Enum]]:
    """The code tables the model's fields use, in the order met."""
    found: list[type[enum.Enum]] = []
    for cls in _kinds():
        for info in msgspec.structs.fields(cls):
            base = _unwrap(info.type)
            if isinstance(base, type) and issubclass(base, enum.Enum) and base not in found:
                found.append(base)
    return found


def _open_code(table: type[enum.Enum]) -> dict[str, Any]:
    """A code table as an open enumeration: named codes, and any integer."""
    if table is MessageFlags:
        return {
            "title": table.__name__,
            "description": (
                "The flag field, a bit field (seed 003): bits 0-3 the message type "
                "(MessageType), bit 5 paid from the second balance, bit 8 a template "
                "message, bits 10-9 the template type (TemplateType). Any other bit is "
                "kept as it was sent."
            ),
            "type": "integer",
        }
    known: list[dict[str, Any]] = []
    for member in table:
        assert isinstance(member, _CodeEnum)
        known.append(
            {
                "const": int(member),
                "title": member.name,
                "description": f"{member.description} ({member.description_ru})",
            }
        )
    doc = (table.__doc__ or "").strip()
    return {
        "title": table.__name__,
        "description": f"{doc} A code not listed here is kept as it was sent.",
        "anyOf": [*known, {"type": "integer", "description": "a code the table does not list"}],
    }


@functools.cache
def _model_schema() -> bytes:
    (reply, callback, many), defs = msgspec.json.schema_components(
        [Reply, Callback, list[Reply]], ref_template=_REF
    )
    for cls in _kinds():
        properties = defs[cls.__name__]["properties"]
        for info in msgspec.structs.fields(cls):
            if _unwrap(info.type) is datetime:
                properties[info.encode_name] = _with_datetime(properties[info.encode_name])
    for table in _codes():
        defs[table.__name__] = _open_code(table)
    defs["Reply"] = reply
    defs["Callback"] = callback
    return msgspec.json.encode(
        {
            "$schema": _DRAFT,
            "title": f"smsc-codec {__version__}: the reply model",
            "description": (
                "A decoded answer as msgspec serialises it (msgspec.json.encode, "
                "msgspec.to_builtins): one reply, a callback, or a list of replies. Every "
                'reply names its class in "kind".'
            ),
            "anyOf": [{"$ref": "#/$defs/Reply"}, {"$ref": "#/$defs/Callback"}, many],
            "$defs": defs,
        }
    )


def _with_datetime(node: Any) -> Any:
    """A field's schema with its date's ``{"type": "string"}`` given the shape."""
    if node == {"type": "string"}:
        return dict(_MODEL_DATETIME)
    if isinstance(node, dict):
        return {key: _with_datetime(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_datetime(value) for value in node]
    return node


# -- the wire -------------------------------------------------------------------


def _pattern(kind: Kind, *, blank: bool = False) -> dict[str, Any]:
    body = KIND_PATTERNS[kind].replace("(?:", "(")
    return {"type": "string", "pattern": f"^({body})?$" if blank else f"^{body}$"}


#: What the schema says of each kind fmt=3 writes as a string of a pattern.
_PATTERNED: dict[Kind, str] = {
    Kind.DECIMAL: "money, a quoted decimal (facts §1.4)",
    Kind.DATETIME: "DD.MM.YYYY hh:mm:ss",
    Kind.DATE: "DD.MM.YYYY",
}


def _wire_value(spec: FieldSpec, every_key: bool) -> dict[str, Any]:
    """How fmt=3 writes one field's value (``_json.json_object_text``)."""
    if spec.kind is Kind.INT:
        return _wire_int(spec)
    if spec.kind in _PATTERNED:
        blank = every_key and spec.kind.blankable
        return {**_pattern(spec.kind, blank=blank), "description": _PATTERNED[spec.kind]}
    if spec.kind is Kind.LIST:
        return {"type": "string", "description": "items separated by any separator (seed 004)"}
    return {"type": "string"}


def _wire_int(spec: FieldSpec) -> dict[str, Any]:
    """An integer field: a JSON number or a code's table, or a quoted one."""
    code = spec.py_type if issubclass(spec.py_type, enum.Enum) else None
    if not spec.json_quoted:
        return {"$ref": _REF.format(name=code.__name__)} if code else {"type": "integer"}
    quoted = _pattern(Kind.INT)  # (seed 004: "cnt": "<cnt>")
    if code is not None:
        quoted["description"] = f"a {code.__name__} code, as a JSON string"
    return quoted


def _details(cls: type[msgspec.Struct]) -> dict[str, Any]:
    """The wire keys of nested records (``tuple[Struct, ...]`` fields)."""
    found = {}
    for info in msgspec.structs.fields(cls):
        for arg in typing.get_args(info.type):
            if typing.get_origin(arg) is tuple:
                item = typing.get_args(arg)[0]
                if isinstance(item, type) and issubclass(item, msgspec.Struct):
                    found[info.encode_name] = {
                        "type": "array",
                        "items": {"$ref": _REF.format(name=item.__name__)},
                    }
    return found


def _wire_object(cls: type[msgspec.Struct]) -> dict[str, Any]:
    plan = plan_for(cls)
    properties: dict[str, Any] = {}
    for spec in plan.fields:
        properties[spec.wire] = _wire_value(spec, plan.every_key)
    for key, spec in plan.by_variant.items():
        properties[key] = {
            **_wire_value(spec, plan.every_key),
            "description": f"[UNVERIFIED] another spelling of {spec.wire!r} (read leniently)",
        }
    properties.update(_details(cls))
    required = [s.wire for s in plan.fields if s.required]
    if not properties:  # the bare success answer (seed 004, facts §2.6)
        properties = {"result": {"const": "OK"}}
        required = ["result"]
    return {
        "title": cls.__name__,
        "description": (cls.__doc__ or "").strip(),
        "type": "object",
        "properties": properties,
        "required": required,
    }


@functools.cache
def _wire_schema() -> bytes:
    defs: dict[str, Any] = {cls.__name__: _wire_object(cls) for cls in _kinds()}
    for table in _codes():
        defs[table.__name__] = _open_code(table)
    objects = [{"$ref": _REF.format(name=cls.__name__)} for cls in _kinds()]
    return msgspec.json.encode(
        {
            "$schema": _DRAFT,
            "title": f"smsc-codec {__version__}: fmt=3 answers as the server writes them",
            "description": (
                "One JSON object or an array of them, as the SMSC HTTP API writes fmt=3 "
                "answers (and fmt=3 callbacks). Keys not listed are allowed: the codec "
                "keeps them. Each kind of answer is under $defs, named as the model's class."
            ),
            "anyOf": [*objects, {"type": "array", "items": {"anyOf": objects}}],
            "$defs": defs,
        }
    )
