"""fmt=3: JSON bodies, read with msgspec.

The fast path decodes straight into a *wire twin* of the reply Struct: the same
fields, but dates as strings (msgspec reads only ISO 8601 dates) and
``forbid_unknown_fields`` set, so an answer with a key the model does not know
falls back to the general path, which keeps that key in ``extra``. The twin
is derived from the model (``_schema.py``); nothing here names a field.

The writer reproduces the server's layout (facts §9): one key per line, no
indentation, no final line break; money as quoted strings (facts §1.4).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import msgspec

from ._errors import DecodeError, EncodeError
from ._replies import Candidate, ReplySpec
from ._schema import Kind, StructPlan, format_decimal, plan_for
from ._strictness import unknown_codes

__all__ = ["decode_json", "encode_json", "json_object_text", "structured_fields"]

_BYTE_POSITION = re.compile(r"\(byte (\d+)\)")
_PATH_KEY = re.compile(r"`\$(?:\[\d+\])?\.([^`.\[]+)")


class _Twin(NamedTuple):
    wire: type[msgspec.Struct]
    one: msgspec.json.Decoder[Any]
    many: msgspec.json.Decoder[Any]
    to_model: Callable[[Any], msgspec.Struct]


def _wire_type(kind: Kind, py_type: type) -> Any:
    if kind is Kind.DATETIME:
        return str
    if kind is Kind.INT:
        return py_type if py_type is not int and hasattr(py_type, "_value2member_map_") else int
    return py_type


_TWINS: dict[type, _Twin] = {}


def _twin(cls: type[msgspec.Struct]) -> _Twin:
    twin = _TWINS.get(cls)
    if twin is not None:
        return twin
    plan = plan_for(cls)
    fields: list[Any] = []
    for spec in plan.fields:
        tp = _wire_type(spec.kind, spec.py_type)
        if spec.required:
            fields.append((spec.name, tp))
        else:
            fields.append((spec.name, tp | None, None))
    wire = msgspec.defstruct(
        f"{cls.__name__}Wire",
        fields,
        kw_only=True,
        forbid_unknown_fields=True,
        rename={s.name: s.wire for s in plan.fields},
    )
    env: dict[str, Any] = {"cls": cls}
    args = []
    for i, spec in enumerate(plan.fields):
        attr = f"w.{spec.name}"
        if spec.kind is Kind.DATETIME:
            env[f"c{i}"] = spec.from_text
            args.append(f"{spec.name}=(c{i}({attr}) if {attr} else None)")
        elif spec.kind is Kind.INT and spec.py_type is not int and spec.py_type is not wire:
            if hasattr(spec.py_type, "_value2member_map_"):
                args.append(f"{spec.name}={attr}")
            else:  # MessageFlags: an int subclass msgspec does not know
                env[f"c{i}"] = spec.py_type
                args.append(f"{spec.name}=(c{i}({attr}) if {attr} is not None else None)")
        else:
            args.append(f"{spec.name}={attr}")
    source = "def to_model(w):\n    return cls(" + ", ".join(args) + ")\n"
    # a generated constructor, as in _matcher._make_builder
    exec(compile(source, f"<smsc_codec json {cls.__name__}>", "exec"), env)
    twin = _TWINS[cls] = _Twin(
        wire,
        msgspec.json.Decoder(wire, strict=False),
        msgspec.json.Decoder(list[wire], strict=False),  # type: ignore[valid-type]
        env["to_model"],
    )
    return twin


def _key_offset(text: str, key: str) -> int:
    m = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return m.start() if m else 0


def _fault(reason: str, text: str, offset: int) -> DecodeError:
    return DecodeError(reason, fmt=3, text=text, offset=offset)


def _from_mapping(
    obj: dict[str, Any], cls: type[msgspec.Struct], text: str, strict: bool
) -> msgspec.Struct:
    plan = plan_for(cls)
    known = {k: v for k, v in obj.items() if k in plan.by_wire}
    extra = tuple((k, v) for k, v in obj.items() if k not in plan.by_wire)
    if strict and extra:
        raise _fault(f"unknown key {extra[0][0]!r}", text, _key_offset(text, extra[0][0]))
    twin = _twin(cls)
    try:
        wire = msgspec.convert(known, twin.wire, strict=False)
        reply = twin.to_model(wire)
    except msgspec.ValidationError as exc:
        m = _PATH_KEY.search(str(exc))
        offset = _key_offset(text, m.group(1)) if m else 0
        raise _fault(str(exc), text, offset) from None
    except ValueError as exc:
        bad = next(
            (
                s.wire
                for s in plan.fields
                if s.kind is Kind.DATETIME and str(exc).find(repr(getattr(wire, s.name))) >= 0
            ),
            "",
        )
        raise _fault(str(exc), text, _key_offset(text, bad) if bad else 0) from None
    if extra:
        reply.extra = extra  # type: ignore[attr-defined]
    return reply


def _strict_codes(reply: msgspec.Struct, text: str) -> None:
    plan = plan_for(type(reply))
    for name, value in unknown_codes(reply):
        key = plan.by_name[name].wire
        raise _fault(f"unknown code {int(value)} in field {key!r}", text, _key_offset(text, key))


def decode_json(
    text: str,
    spec: ReplySpec,
    error_cls: type[msgspec.Struct],
    *,
    strict: bool,
) -> msgspec.Struct | list[msgspec.Struct]:
    """Decode a fmt=3 body: a success answer of ``spec`` or an error answer."""
    head = text[:64].lstrip()[:1]  # a longer indent just takes the general path
    if '"error' not in text and head in ("{", "["):
        candidate = spec.pick_keys(("imsi",) if '"imsi"' in text else ())
        twin = _twin(candidate.cls)
        try:
            if head == "[":
                replies = [twin.to_model(w) for w in twin.many.decode(text)]
                if spec.multi or not strict:
                    if strict:
                        for r in replies:
                            _strict_codes(r, text)
                    return replies
            else:
                reply = twin.to_model(twin.one.decode(text))
                if not spec.multi or not strict:
                    if strict:
                        _strict_codes(reply, text)
                    return [reply] if spec.multi else reply
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
            pass  # the general path below says what is wrong, and where
    try:
        data = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        m = _BYTE_POSITION.search(str(exc))
        offset = (
            len(text.encode("utf-8", "surrogatepass")[: int(m.group(1))].decode("utf-8", "ignore"))
            if m
            else len(text)
        )
        raise _fault(f"malformed JSON: {str(exc).split(' (byte')[0]}", text, offset) from None
    if isinstance(data, dict) and ("error" in data or "error_code" in data):
        return _from_mapping(data, error_cls, text, strict)
    if isinstance(data, dict):
        if spec.multi and strict:
            raise _fault("expected a JSON array of records", text, 0)
        reply = _from_mapping(data, spec.pick_keys(data.keys()).cls, text, strict)
        if strict:
            _strict_codes(reply, text)
        return [reply] if spec.multi else reply
    if isinstance(data, list):
        if not spec.multi and strict:
            raise _fault("expected one JSON object", text, 0)
        out = []
        for item in data:
            if not isinstance(item, dict):
                raise _fault("expected a JSON object in the array", text, 0)
            reply = _from_mapping(item, spec.pick_keys(item.keys()).cls, text, strict)
            if strict:
                _strict_codes(reply, text)
            out.append(reply)
        return out
    raise _fault("expected a JSON object or array", text, 0)


def structured_fields(plan: StructPlan, candidate: Candidate | None) -> list[Any]:
    """Field specs in fmt=2/3 order: the model's, with the candidate's trailing keys last."""
    trailing = candidate.trailing_keys if candidate else ()
    specs = [s for s in plan.fields if s.name not in trailing]
    specs.extend(plan.by_name[name] for name in trailing if name in plan.by_name)
    return specs


def _json_str(value: str, field: str) -> str:
    try:
        return msgspec.json.encode(value).decode("utf-8")
    except (UnicodeEncodeError, msgspec.EncodeError) as exc:
        raise EncodeError(f"cannot be written as JSON text: {exc}", field=field, fmt=3) from None


def json_object_text(reply: msgspec.Struct, candidate: Candidate | None) -> str:
    """One reply as the server writes a JSON object."""
    plan = plan_for(type(reply))
    lines = []
    for spec in structured_fields(plan, candidate):
        value = getattr(reply, spec.name)
        if value is None:
            continue
        try:
            if spec.kind is Kind.INT:
                rendered = str(int(value))
            elif spec.kind is Kind.DECIMAL:
                rendered = f'"{format_decimal(value)}"'
            elif spec.kind is Kind.DATETIME:
                rendered = f'"{spec.to_text(value)}"'
            else:
                rendered = _json_str(value, spec.wire)
        except (ValueError, TypeError, AttributeError) as exc:
            raise EncodeError(str(exc), field=spec.name, fmt=3) from None
        lines.append(f'"{spec.wire}": {rendered}')
    for key, value in getattr(reply, "extra", ()):
        try:
            rendered = msgspec.json.encode(value).decode("utf-8")
        except (TypeError, msgspec.EncodeError, UnicodeEncodeError) as exc:
            raise EncodeError(str(exc), field=key, fmt=3) from None
        lines.append(f"{_json_str(key, key)}: {rendered}")
    return "{\n" + ",\n".join(lines) + "\n}"


def encode_json(replies: Sequence[msgspec.Struct], spec: ReplySpec | None, *, as_list: bool) -> str:
    """Replies as the server writes them: an object, or an array of objects."""
    objects = []
    for reply in replies:
        candidate = None
        if spec is not None:
            candidate = next((c for c in spec.candidates if isinstance(reply, c.cls)), None)
        objects.append(json_object_text(reply, candidate))
    if as_list:
        return "[" + ",\n".join(objects) + "]"
    return objects[0]
