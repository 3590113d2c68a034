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

import itertools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Annotated, Any, NamedTuple

import msgspec

from ._errors import DecodeError, EncodeError, LimitError, RequestError
from ._limits import DEFAULT_LIMITS, Limits, json_depth_fault, json_record_fault
from ._model import JsonText, Ok
from ._replies import ERROR_KEYS, Candidate, Details, ReplySpec
from ._schema import (
    MAX_INT_DIGITS,
    MONEY_PATTERN,
    Kind,
    StructPlan,
    int_digits_fault,
    parse_decimal,
    plan_for,
    variant_fault,
)
from ._strictness import unknown_codes

__all__ = [
    "TYPED_DEPTH",
    "Twin",
    "decode_json",
    "encode_json",
    "fast_json",
    "json_object_text",
    "load_json",
    "reply_from_mapping",
    "structured_fields",
    "wire_twin",
]

#: (the array of objects, the index of the one at hand)
_Before = tuple[Sequence[dict[str, Any]], int]

_BYTE_POSITION = re.compile(r"\(byte (\d+)\)")
_PATH_KEY = re.compile(r"`\$(?:\[\d+\])?\.([^`.\[]+)")


class Twin(NamedTuple):
    wire: type[msgspec.Struct]
    one: msgspec.json.Decoder[Any]
    many: msgspec.json.Decoder[Any]
    #: turns a decoded twin into the reply, in place
    to_model: Callable[[Any], msgspec.Struct]
    #: the same for a list of decoded twins (the list itself, in place)
    to_models: Callable[[list[Any]], list[msgspec.Struct]]


_TWINS: dict[tuple[type, int], Twin] = {}

#: a type no JSON value is: a text that matches no pattern
_NO_JSON_VALUE = Annotated[str, msgspec.Meta(pattern="(?!)")]


def wire_twin(cls: type[msgspec.Struct], max_text: int = DEFAULT_LIMITS.max_field_length) -> Twin:
    """The wire twin of a reply Struct, built once for each text bound.

    The twin is a subclass that overrides the fields msgspec cannot read
    as declared (dates, which are not ISO 8601), and bounds every text at
    ``max_text`` characters (``Limits.max_field_length``, checked by msgspec
    as it reads), with the same slots otherwise. It is neither frozen nor
    tagged: a decoded twin's dates are converted in place and its class is
    switched to the model's, so it becomes the (frozen) reply itself with no
    second Struct built (the JSON goal in design/performance.md leaves no room
    for one); a ``"kind"`` key in an answer is an unknown key like any other.
    """
    twin = _TWINS.get((cls, max_text))
    if twin is not None:
        return twin
    plan = plan_for(cls)
    overrides: list[Any] = []
    env: dict[str, Any] = {"cls": cls}
    text = Annotated[str, msgspec.Meta(max_length=max_text)]
    env["R"] = read_money
    # Each step converts one field in place, as lines of the generated
    # functions; money (read as text, see read_money) is inlined for one
    # reply and remembered across the records of a list (amounts repeat: a
    # message's cost, a tariff's prices), for that list only.
    one: list[str] = []
    many: list[str] = []
    for i, spec in enumerate(plan.fields):
        name = spec.name
        if spec.kind is Kind.DECIMAL:
            overrides.append((name, text) if spec.required else (name, text | None, None))
            one += [
                f"v = w.{name}",
                "if v is not None:",
                "    try:",
                "        d = D(v)",
                "    except ArithmeticError:",
                "        d = None",
                '    if d is None or str(d) != v or "E" in v or not d.is_finite():',
                "        d = P(v)",
                f"    w.{name} = d",
            ]
            many += [
                f"v = w.{name}",
                "if v is not None:",
                "    d = known(v)",
                "    if d is None:",
                "        d = amounts[v] = R(v)",
                f"    w.{name} = d",
            ]
            continue
        if spec.kind is Kind.DATETIME or spec.kind is Kind.DATE:
            overrides.append((name, text | None, None))
            step = [f"v = w.{name}", f"w.{name} = c{i}(v) if v else None"]
        elif spec.kind.textual:  # (a list is kept as its text)
            overrides.append((name, text) if spec.required else (name, text | None, None))
            continue
        else:
            continue  # (numbers, codes and flags: msgspec reads them as declared)
        env[f"c{i}"] = spec.from_text
        one += step
        many += step
    env["D"] = Decimal
    env["P"] = parse_decimal
    # Non-wire fields (extra, ambiguous_fields, context) are redeclared under
    # keys no answer holds, so that a JSON key of the same name stays unknown,
    # and with a type no JSON value has: a body that holds such a key anyway
    # goes the general way, which keeps it as an unknown key.
    # (An overridden field loses its declared wire name: every name is restated.)
    hidden = {info.name: info.encode_name for info in msgspec.structs.fields(cls)}
    for info in msgspec.structs.fields(cls):
        if info.name not in plan.by_name:
            hidden[info.name] = f"\uffff{info.name}"  # a noncharacter: in no real key
            overrides.append((info.name, _NO_JSON_VALUE, info.default))
    wire = msgspec.defstruct(
        f"{cls.__name__}Wire",
        overrides,
        bases=(cls,),
        kw_only=True,
        frozen=False,
        tag=False,
        forbid_unknown_fields=True,
        rename=hidden,
        namespace={"__post_init__": _typed_already},  # (msgspec has checked the types)
    )
    source = "\n".join(
        [
            "def finish(w):",
            *(f"    {line}" for line in [*one, "w.__class__ = cls", "return w"]),
            "def finish_all(ws):",
            "    amounts = {}",
            "    known = amounts.get",
            "    for w in ws:",
            *(f"        {line}" for line in [*many, "w.__class__ = cls"]),
            "    return ws",
        ]
    )
    # generated functions, as in _matcher._make_builder
    exec(compile(source + "\n", f"<smsc_codec json {cls.__name__}>", "exec"), env)
    twin = _TWINS[cls, max_text] = Twin(
        wire,
        msgspec.json.Decoder(wire, strict=False),
        msgspec.json.Decoder(list[wire], strict=False),  # type: ignore[valid-type]
        env["finish"],
        env["finish_all"],
    )
    return twin


def _typed_already(wire: Any) -> None:
    """A wire twin's ``__post_init__``: no constructor checks (_checks.py)."""


def read_money(text: str) -> Decimal:
    """Money as the wire writes it (``_schema.MONEY_PATTERN``); ValueError for
    anything else. msgspec's own Decimal would also take NaN, exponents, `_`
    and spaces. A text that is its Decimal's own plain spelling has the form
    (the common case: no regex); parse_decimal checks any other text."""
    try:
        amount = Decimal(text)
    except ArithmeticError:
        return parse_decimal(text)
    if str(amount) != text or "E" in text or not amount.is_finite():
        return parse_decimal(text)
    return amount


def _key_offset(text: str, key: str, before: _Before = ((), 0)) -> int:
    """Where ``"key":`` stands for the object at ``before = (array, index)``
    (a key inside a string value has its quotes escaped)."""
    array, index = before
    nth = sum(1 for obj in itertools.islice(array, index) if key in obj)
    for i, m in enumerate(re.finditer(r'"' + re.escape(key) + r'"\s*:', text)):
        if i == nth:
            return m.start()
    return 0


def _fault(reason: str, text: str, offset: int) -> DecodeError:
    return DecodeError(reason, fmt=3, text=text, offset=offset)


def reply_from_mapping(
    obj: dict[str, Any],
    cls: type[msgspec.Struct],
    text: str,
    strict: bool,
    before: _Before = ((), 0),
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> msgspec.Struct:
    """A reply from a decoded JSON object (held against ``limits`` by
    :func:`load_json`); ``before`` is (its array, its index), to place an
    error under the right record."""
    plan = plan_for(cls)
    known = {k: v for k, v in obj.items() if k in plan.by_wire}
    extra = tuple((k, _plain(v, text)) for k, v in obj.items() if k not in plan.by_wire)
    if plan.by_variant and extra:
        # a variant key is read only where the field's own key is absent
        variants = {
            k: spec
            for k, _ in extra
            if (spec := plan.by_variant.get(k)) is not None and spec.wire not in obj
        }
        for key, spec in variants.items():
            if strict:
                raise _fault(variant_fault(key, spec), text, _key_offset(text, key, before))
            known[spec.wire] = obj[key]
        extra = tuple((k, v) for k, v in extra if k not in variants)
    if strict and extra:
        raise _fault(f"unknown key {extra[0][0]!r}", text, _key_offset(text, extra[0][0], before))
    if strict:
        _strict_json_types(known, plan, text, before)
    _read_numbers(known, plan, text, before)
    twin = wire_twin(cls, limits.max_field_length)
    try:
        wire = msgspec.convert(known, twin.wire, strict=False)
        if extra:  # (set on the twin: the reply it becomes is frozen)
            wire.extra = tuple((k, _extra_value(v)) for k, v in extra)  # type: ignore[attr-defined]
        reply = twin.to_model(wire)
    except msgspec.ValidationError as exc:
        m = _PATH_KEY.search(str(exc))
        offset = _key_offset(text, m.group(1), before) if m else 0
        reason = str(exc)
        value = known.get(m.group(1)) if m else None
        if "out of range" in reason and isinstance(value, (str, int)) and str(value).isdigit():
            # an integer as text, past what is read (CPython would advise raising its limit)
            reason = int_digits_fault(len(str(value)))
        raise _fault(reason, text, offset) from None
    except ValueError as exc:
        bad = next(
            (
                s.wire
                for s in plan.fields
                if s.kind in (Kind.DATETIME, Kind.DATE)
                and str(exc).find(repr(getattr(wire, s.name))) >= 0
            ),
            "",
        )
        raise _fault(str(exc), text, _key_offset(text, bad, before) if bad else 0) from None
    return reply


def _extra_value(value: Any) -> Any:
    """An unknown key's value as ``extra`` keeps it: an object or array as its
    JSON text (a reply is immutable and hashable), a scalar as it is."""
    return JsonText.of(value) if type(value) is dict or type(value) is list else value


def _strict_json_types(known: dict[str, Any], plan: StructPlan, text: str, before: _Before) -> None:
    """Numbers as the documented layout writes them: money and numbers marked
    Quoted as JSON strings, other numbers bare integers (facts §1.4, seed 004)."""
    for key, value in known.items():
        spec = plan.by_wire[key]
        if spec.kind is not Kind.INT and spec.kind is not Kind.DECIMAL:
            continue
        if spec.json_quoted and not isinstance(value, str):
            reason = f"{key!r} is a JSON string in the documented layout"
        elif not spec.json_quoted and isinstance(value, str):
            reason = f"{key!r} is a bare JSON number in the documented layout"
        elif type(value) is JsonNumber:
            reason = f"{key!r} is an integer in the documented layout, not {value.text}"
        else:
            continue
        raise _fault(reason, text, _key_offset(text, key, before))


_MONEY = re.compile(MONEY_PATTERN)


def _read_numbers(known: dict[str, Any], plan: StructPlan, text: str, before: _Before) -> None:
    """Money as the wire writes it, whatever the mode (facts §1.4); other
    numbers with a fraction or an exponent as floats, as JSON reads them.

    Lenient decoding also reads money written as a bare JSON number, digit for
    digit as written, when it has the documented form (``250``, ``1.40``): the
    amount is the same. An exponent (``1e3``) is no amount's form: refused.
    """
    for key, value in known.items():
        kind = type(value)
        if plan.by_wire[key].kind is not Kind.DECIMAL:
            if kind is JsonNumber or kind is list or kind is dict:
                known[key] = _plain(value, text)
            continue
        if kind is int:
            known[key] = str(value)  # (a JSON integer's digits, as written)
            continue
        written = value.text if kind is JsonNumber else value if kind is str else None
        if written is not None:
            if _MONEY.match(written) is None:
                shown = repr(written) if kind is str else written
                if len(shown) > 80:
                    shown = f"{shown[:60]}… ({len(written):,} characters)"
                reason = f"expected a decimal number, got {shown} in {key!r}"
                raise _fault(reason, text, _key_offset(text, key, before))
            known[key] = written


class JsonNumber:
    """A JSON number with a fraction or an exponent, as written (the general
    path's ``float_hook``): money keeps its digits (``1.10`` is not the float
    1.1), anything else reads it as a float (:func:`_plain`)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _plain(value: Any, text: str) -> Any:
    """``value`` with every :class:`JsonNumber` read as a float (the nesting
    was bounded by ``max_depth`` when the body was loaded)."""
    kind = type(value)
    if kind is JsonNumber:
        number = float(value.text)
        if number in (math.inf, -math.inf):
            found = next((at for at, literal in _numbers(text) if literal == value.text), len(text))
            raise _fault(f"the number {value.text} is out of range", text, found)
        return number
    if kind is list:
        return [_plain(item, text) for item in value]
    if kind is dict:
        return {key: _plain(item, text) for key, item in value.items()}
    return value


#: JSON strings (skipped) and numbers, for positions in a body msgspec has read
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?[0-9][0-9.eE+-]*)')


def _numbers(text: str) -> Iterator[tuple[int, str]]:
    """(offset, literal) of each number of a JSON text, strings skipped."""
    for m in _JSON_TOKEN.finditer(text):
        if m.group(1) is not None:
            yield m.start(), m.group(1)


def _strict_codes(reply: msgspec.Struct, text: str, before: _Before = ((), 0)) -> None:
    plan = plan_for(type(reply))
    for name, value in unknown_codes(reply):
        key = plan.by_name[name].wire
        offset = _key_offset(text, key, before)
        raise _fault(f"unknown code {int(value)} in field {key!r}", text, offset)


_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")
#: the deepest nesting a typed decode accepts: an array of objects holding a
#: details array of objects
TYPED_DEPTH = 4


def fast_json(
    data: bytes | str, spec: ReplySpec, limits: Limits = DEFAULT_LIMITS
) -> msgspec.Struct | list[msgspec.Struct] | None:
    """Lenient decoding of a well-formed success answer, or None.

    One typed msgspec decode into the first candidate's twin; a key of another
    candidate (``imsi`` of an HLR row) switches to that candidate once.
    Everything else (errors, unknown keys, bad values, other shapes, a limit
    passed) returns None and goes the general way, which keeps what it finds
    and says what is wrong.
    """
    head = data[:1]
    if head not in ("{", "[", b"{", b"[") or limits.max_depth < TYPED_DEPTH:
        return None  # (a depth bound below any answer's: the general path counts)
    candidate = spec.candidates[0]
    for _attempt in range(2):
        twin = wire_twin(candidate.cls, limits.max_field_length)
        try:
            if head in ("[", b"["):
                if not spec.multi or candidate is not spec.candidates[0]:
                    return None  # records of several kinds: each picks its own below
                wires = twin.many.decode(data)
                if len(wires) > limits.max_records:
                    return None
                return twin.to_models(wires)
            reply = twin.to_model(twin.one.decode(data))
        except msgspec.ValidationError as exc:
            unknown = _UNKNOWN_FIELD.search(str(exc))
            other = spec.pick_keys((unknown.group(1),)) if unknown else candidate
            if other is candidate:
                return None
            candidate = other
            continue
        except (msgspec.DecodeError, ValueError):
            return None
        return [reply] if spec.multi else reply
    return None


#: The general path's JSON reader: numbers with a fraction or an exponent
#: are kept as written (:class:`JsonNumber`), for money's digits
_LOADER = msgspec.json.Decoder(float_hook=JsonNumber)
#: where a key ends: its closing quote and colon (one per key, and one per
#: ``\":`` inside a text, which only makes the count larger)
_KEY_END = re.compile(r'"\s*:')
#: JSON strings, and the marks that open, close and name within objects
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:]')


def load_json(text: str, limits: Limits = DEFAULT_LIMITS, *, unique_keys: bool = False) -> Any:
    """Parse JSON text within ``limits`` (nesting, text length); a malformed
    body raises a positioned DecodeError. ``unique_keys`` (strict decoding)
    refuses a key written twice in one object, where JSON readers keep the
    last value (RFC 8259, section 4: names SHOULD be unique)."""
    try:
        data = _LOADER.decode(text)
    except RecursionError:  # msgspec's own bound, far deeper than max_depth
        raise json_depth_fault(text, limits.max_depth) from None
    except UnicodeEncodeError as exc:
        # msgspec reads a str as UTF-8; only a str can hold a lone surrogate
        # (no charset decodes bytes to one), and it is no character
        char = ord(text[exc.start])
        raise _fault(
            f"a lone surrogate U+{char:04X}, which is no character", text, exc.start
        ) from None
    except msgspec.DecodeError as exc:
        m = _BYTE_POSITION.search(str(exc))
        if m is None:
            # msgspec places no number out of range; floats are kept as
            # written (JsonNumber), so it is an integer longer than is read
            raise _long_integer_fault(text, str(exc)) from None
        offset = len(
            text.encode("utf-8", "surrogatepass")[: int(m.group(1))].decode("utf-8", "ignore")
        )
        raise _fault(f"malformed JSON: {str(exc).split(' (byte')[0]}", text, offset) from None
    keys = _check_tree(data, text, limits)
    if unique_keys and len(_KEY_END.findall(text)) > keys:
        twice = _key_written_twice(text)
        if twice is not None:
            offset, key = twice
            raise _fault(f"key {key!r} appears twice in one object", text, offset)
    return data


def _long_integer_fault(text: str, reason: str) -> DecodeError:
    for offset, literal in _numbers(text):
        digits = len(literal.removeprefix("-"))
        if digits > MAX_INT_DIGITS and literal.lstrip("-").isdigit():
            return _fault(int_digits_fault(digits), text, offset)
    return _fault(f"malformed JSON: {reason}", text, len(text))


def _key_written_twice(text: str) -> tuple[int, str] | None:
    """(offset, key) of the first key written twice in one object of a
    well-formed JSON text, or None. Linear: one pass over its tokens."""
    objects: list[set[str] | None] = []  # the keys of each open object (None: an array)
    last_string: tuple[int, str] | None = None
    for m in _STRUCTURE.finditer(text):
        token = m.group()
        head = token[0]
        if head == '"':
            last_string = (m.start(), token)
            continue
        if head == ":":
            if last_string is not None and objects and objects[-1] is not None:
                key = msgspec.json.decode(last_string[1])
                if key in objects[-1]:
                    return last_string[0], key
                objects[-1].add(key)
        elif head in "{[":
            objects.append(set() if head == "{" else None)
        elif objects:
            objects.pop()
        last_string = None
    return None


def _check_tree(data: Any, text: str, limits: Limits) -> int:
    """Hold decoded JSON against ``max_depth`` and ``max_field_length``, one
    level of nesting at a time (no recursion: the depth is what is checked).
    Returns the number of keys it holds."""
    max_text = limits.max_field_length
    long_texts_possible = len(text) > max_text
    level = [data]
    depth = 0
    keys = 0
    while level:
        inner: list[Any] = []
        for value in level:
            kind = type(value)
            if kind is str:
                if long_texts_possible and len(value) > max_text:
                    raise _long_text_fault(value, text, limits)
            elif kind is dict or kind is list:
                if depth == limits.max_depth:
                    raise json_depth_fault(text, limits.max_depth)
                if kind is dict:
                    keys += len(value)
                    inner.extend(value)  # the keys are texts too
                    inner.extend(value.values())
                else:
                    inner.extend(value)
        level = inner
        depth += 1
    return keys


def _long_text_fault(value: str, text: str, limits: Limits) -> LimitError:
    needle = msgspec.json.encode(value[:64]).decode("utf-8", "replace")[1:-1]
    found = text.find(needle)
    return LimitError(
        "max_field_length",
        limits.max_field_length,
        f"a text of {len(value):,} characters",
        fmt=3,
        text=text,
        offset=max(found, 0),
    )


def decode_json(
    text: str,
    spec: ReplySpec | None,
    error_cls: type[msgspec.Struct],
    *,
    strict: bool,
    limits: Limits = DEFAULT_LIMITS,
) -> msgspec.Struct | list[msgspec.Struct]:
    """Decode a fmt=3 body: a success answer of ``spec`` or an error answer.

    With no ``spec`` (a script whose success answers are not modelled) only an
    error answer decodes; anything else raises RequestError.
    """
    if not strict and spec is not None and not spec.ok_only:
        found = fast_json(text, spec, limits)
        if found is not None:
            return found
    data = load_json(text, limits, unique_keys=strict)
    if isinstance(data, dict) and any(key in data for key in ERROR_KEYS):
        return reply_from_mapping(data, error_cls, text, strict, limits=limits)
    if data == {"result": "OK"}:
        return Ok()  # change and delete commands (seed 004)
    if spec is None:
        raise RequestError("decoding this body needs a request whose answers are supported")
    if spec.ok_only:
        raise _fault("this request is answered with OK or an error only", text, 0)
    if isinstance(data, dict):
        if spec.multi and strict:
            raise _fault("expected a JSON array of records", text, 0)
        rows = None
        if spec.details is not None and isinstance(data.get(spec.details.field), list):
            data = dict(data)
            items = data.pop(spec.details.field)
            if len(items) > limits.max_records:
                raise json_record_fault(text, limits, 3)
            rows = _detail_rows(items, spec.details, text, strict, limits)
        cls = spec.pick_keys(data.keys()).cls
        reply = reply_from_mapping(data, cls, text, strict, limits=limits)
        if strict:
            _strict_codes(reply, text)
        if rows is not None and spec.details is not None:
            reply = msgspec.structs.replace(reply, **{spec.details.field: tuple(rows)})
        return [reply] if spec.multi else reply
    if isinstance(data, list):
        if not spec.multi and strict:
            raise _fault("expected one JSON object", text, 0)
        if len(data) > limits.max_records:
            raise json_record_fault(text, limits, 2)
        out = []
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                raise _fault("expected a JSON object in the array", text, 0)
            before = (data, i)
            cls = spec.pick_keys(item.keys()).cls
            reply = reply_from_mapping(item, cls, text, strict, before, limits=limits)
            if strict:
                _strict_codes(reply, text, before)
            out.append(reply)
        return out
    raise _fault("expected a JSON object or array", text, 0)


def _detail_rows(
    items: list[Any], details: Details, text: str, strict: bool, limits: Limits
) -> list[msgspec.Struct]:
    rows = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _fault(f"expected JSON objects in {details.field!r}", text, 0)
        cls = details.candidate.cls
        row = reply_from_mapping(item, cls, text, strict, (items, i), limits=limits)
        if strict:
            _strict_codes(row, text, (items, i))
        rows.append(row)
    return rows


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
            if plan.every_key and spec.kind.blankable:
                lines.append(f'"{spec.wire}": ""')
            continue
        try:
            if spec.kind is Kind.INT or spec.kind is Kind.DECIMAL:
                rendered = spec.to_text(value)
                if spec.json_quoted:  # money, and numbers marked Quoted (facts §1.4)
                    rendered = f'"{rendered}"'
            elif spec.kind is Kind.DATETIME or spec.kind is Kind.DATE:
                rendered = f'"{spec.to_text(value)}"'
            else:
                rendered = _json_str(spec.to_text(value), spec.wire)
        except (ValueError, TypeError, AttributeError) as exc:
            raise EncodeError(str(exc), field=spec.name, fmt=3) from None
        lines.append(f'"{spec.wire}": {rendered}')
    for key, value in getattr(reply, "extra", ()):
        if isinstance(value, JsonText):
            lines.append(f"{_json_str(key, key)}: {value.json}")
            continue
        unreadable = _unreadable_json(value)
        if unreadable is not None:
            raise EncodeError(f"{unreadable} does not read back from JSON", field=key, fmt=3)
        try:
            rendered = msgspec.json.encode(value).decode("utf-8")
        except (TypeError, msgspec.EncodeError, UnicodeEncodeError) as exc:
            raise EncodeError(str(exc), field=key, fmt=3) from None
        lines.append(f"{_json_str(key, key)}: {rendered}")
    return "{\n" + ",\n".join(lines) + "\n}"


def _unreadable_json(value: Any) -> str | None:
    """What in an unknown key's value JSON would not give back as it is
    (a tuple reads back as a list, a Decimal as text, an infinite float as
    null), or None. Values decoded from JSON pass."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is list:
            pending.extend(item)
        elif kind is dict:
            if not all(type(k) is str for k in item):
                return "an object key other than text"
            pending.extend(item.values())
        elif kind is float:
            if not math.isfinite(item):
                return f"the number {item}"
        elif item is not None and kind not in (str, int, bool):
            return f"a value of type {kind.__name__}"
    return None


def _with_details(text: str, reply: msgspec.Struct, details: Details) -> str:
    """The object with its details array as the last key (facts §2.1, the SDKs)."""
    rows = getattr(reply, details.field)
    if rows is None:
        return text  # (an empty list is written as [], as fmt=2 writes an empty element)
    objects = [json_object_text(row, None) for row in rows]
    array = f'"{details.field}": [' + ",\n".join(objects) + "]"
    head = text.removesuffix("\n}")
    return f"{head},\n{array}\n}}" if head != "{" else f"{{\n{array}\n}}"


def encode_json(replies: Sequence[msgspec.Struct], spec: ReplySpec | None, *, as_list: bool) -> str:
    """Replies as the server writes them: an object, or an array of objects."""
    objects = []
    for reply in replies:
        candidate = None
        if spec is not None:
            candidate = next((c for c in spec.candidates if type(reply) is c.cls), None)
        text = json_object_text(reply, candidate)
        if spec is not None and spec.details is not None:
            text = _with_details(text, reply, spec.details)
        objects.append(text)
    if as_list:
        return "[" + ",\n".join(objects) + "]"
    return objects[0]
