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
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import msgspec

from ._body import body_text
from ._build import MISS, UNPLACED, Place, build_reply, structured_fields
from ._compiled import RecordWriter, keyed_fast_writer, keyed_writer
from ._encodable import check_keyed
from ._envelope import detect_text_envelope
from ._errors import DecodeError, EncodeError, LimitError, RequestError
from ._limits import (
    DEFAULT_LIMITS,
    Limits,
    check_json_records,
    json_depth_fault,
    json_record_fault,
)
from ._model import ApiError, JsonText, Ok
from ._replies import ENVELOPE_KEYS, ERROR_KEYS, Candidate, Details, ReplySpec
from ._schema import (
    MAX_INT_DIGITS,
    MONEY_PATTERN,
    FieldSpec,
    Kind,
    StructPlan,
    int_digits_fault,
    plan_for,
)
from ._twins import READ_ONE, Twin, keys_within, learn_keys, read_money, twin_for, wire_twin

__all__ = [
    "JSON",
    "TYPED_DEPTH",
    "JsonReader",
    "JsonWriter",
    "Twin",
    "decode_json",
    "encode_json",
    "fast_json",
    "json_object_text",
    "load_json",
    "read_money",
    "reply_from_mapping",
    "structured_fields",
    "wire_twin",
]

#: (the array of objects, the index of the one at hand)
_Before = tuple[Sequence[dict[str, Any]], int]

_BYTE_POSITION = re.compile(r"\(byte (\d+)\)")
_PATH_KEY = re.compile(r"`\$(?:\[\d+\])?\.([^`.\[]+)")


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


class _JsonPlace(Place):
    """Faults of a JSON object, placed at its key (``before`` = (its array,
    its index), to place an error under the right record); the typed values
    are converted by the wire twin (:meth:`make`)."""

    fmt = 3

    def __init__(self, text: str, before: _Before, strict: bool, limits: Limits) -> None:
        super().__init__(text)
        self.before = before
        self.strict = strict
        self.limits = limits

    def unknown(self, key: str) -> str:
        return f"unknown key {key!r}"

    def at(self, key: str, position: int) -> int:
        return _key_offset(self.text, key, self.before)

    def extra_value(self, value: Any) -> Any:
        return _extra_value(_plain(value, self.text))

    def make(
        self,
        cls: type[msgspec.Struct],
        known: dict[FieldSpec, tuple[str, Any, int]],
        extra: tuple[tuple[str, Any], ...],
        ambiguous: tuple[str, ...],
    ) -> msgspec.Struct:
        """Numbers as the layout writes them, then one msgspec conversion
        into the wire twin, which becomes the reply."""
        plan = plan_for(cls)
        text, before = self.text, self.before
        values = {spec.wire: value for spec, (_, value, _) in known.items()}
        if self.strict:
            _strict_json_types(values, plan, text, before)
        _read_numbers(values, plan, text, before)
        twin = wire_twin(cls, self.limits.max_field_length)
        wire = None
        try:
            wire = msgspec.convert(values, twin.wire, strict=False)
            if extra:  # (set on the twin: the reply it becomes is frozen)
                wire.extra = extra  # type: ignore[attr-defined]
            reply = twin.to_model(wire)
        except (msgspec.ValidationError, ValueError) as exc:
            raise self._refused(exc, plan, values, wire) from None
        if extra and not self.strict:
            # the next such object is read in C (a learned twin)
            keys = [key for key, _ in extra]
            learn_keys(cls, self.limits.max_field_length, keys, ENVELOPE_KEYS)
        return reply

    def _refused(
        self, exc: Exception, plan: StructPlan, values: dict[str, Any], wire: Any
    ) -> DecodeError:
        """The fault msgspec (a key path in its message) or a date's reader
        found, placed at its key."""
        text, before = self.text, self.before
        reason = str(exc)
        if isinstance(exc, msgspec.ValidationError):
            m = _PATH_KEY.search(reason)
            if m is None:
                return _fault(reason, text, 0)
            key = m.group(1)
            return _fault(
                _out_of_range(reason, values.get(key)), text, _key_offset(text, key, before)
            )
        bad = _date_key_named(plan, reason, wire)
        return _fault(reason, text, _key_offset(text, bad, before) if bad else 0)


def _out_of_range(reason: str, value: Any) -> str:
    """msgspec's reason; for an integer (or its text) past what is read, the
    fault that says so (CPython's own would advise raising its limit)."""
    if "out of range" in reason and isinstance(value, (str, int)) and str(value).isdigit():
        return int_digits_fault(len(str(value)))
    return reason


def _date_key_named(plan: StructPlan, reason: str, wire: Any) -> str:
    """The key of the date field whose value a date reader's ``reason``
    names, or ""."""
    return next(
        (
            s.wire
            for s in plan.fields
            if s.kind in (Kind.DATETIME, Kind.DATE)
            and reason.find(repr(getattr(wire, s.name))) >= 0
        ),
        "",
    )


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
    :func:`load_json`), by the shared walk (``_build``)."""
    items = [(key, value, UNPLACED) for key, value in obj.items()]
    return build_reply(cls, items, _JsonPlace(text, before, strict, limits), strict=strict)


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


_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")
#: the deepest nesting a typed decode accepts: an array of objects holding a
#: details array of objects
TYPED_DEPTH = 4


def fast_json(
    data: bytes | str, spec: ReplySpec, limits: Limits = DEFAULT_LIMITS
) -> msgspec.Struct | list[msgspec.Struct] | None:
    """Lenient decoding of a well-formed success answer, or None.

    One typed msgspec decode into the first candidate's twin (a learned one
    reads the unknown keys met before, ``_twins.learn_keys``); a key of
    another candidate (``imsi`` of an HLR row) switches to that candidate
    once. Everything else (errors, keys not learned yet, bad values, other
    shapes, a limit passed) returns None and goes the general way, which
    keeps what it finds and says what is wrong.
    """
    head = data[:1]
    if head not in ("{", "[", b"{", b"[") or limits.max_depth < TYPED_DEPTH:
        return None  # (a depth bound below any answer's: the general path counts)
    candidate = spec.candidates[0]
    for _attempt in range(2):
        if not keys_within(candidate.cls, limits.max_field_length):
            return None
        twin = twin_for(candidate.cls, limits.max_field_length, data)
        try:
            if head in ("[", b"["):
                if not spec.multi or candidate is not spec.candidates[0]:
                    return None  # records of several kinds: each picks its own below
                replies = twin.read_many(data)
                return replies if len(replies) <= limits.max_records else None
            reply = twin.read_one(data)
        except msgspec.ValidationError as exc:
            unknown = _UNKNOWN_FIELD.search(str(exc))
            other = spec.pick_keys((unknown.group(1),)) if unknown else candidate
            if other is candidate:
                return None
            candidate = other
            continue
        except _TWIN_MISSES:
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
            twice = _key_seen_before(objects, last_string)
            if twice is not None:
                return twice
        elif head in "{[":
            objects.append(set() if head == "{" else None)
        elif objects:
            objects.pop()
        last_string = None
    return None


def _key_seen_before(
    objects: list[set[str] | None], last_string: tuple[int, str] | None
) -> tuple[int, str] | None:
    """(offset, key) of the key just read (``last_string``, before its
    ``:``) when its object has it already; otherwise None, and the key is
    noted."""
    if last_string is None or not objects or objects[-1] is None:
        return None
    key = msgspec.json.decode(last_string[1])
    if key in objects[-1]:
        return last_string[0], key
    objects[-1].add(key)
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
    spec: ReplySpec | RequestError,
    *,
    strict: bool,
    limits: Limits = DEFAULT_LIMITS,
) -> msgspec.Struct | list[msgspec.Struct]:
    """Decode a fmt=3 body: a success answer of ``spec`` or an error or OK
    answer. Where the request has no success layout (``spec`` is the
    RequestError saying why), only an error or OK answer decodes."""
    check_json_records(text, limits)
    data = load_json(text, limits, unique_keys=strict)
    if isinstance(data, dict) and any(key in data for key in ERROR_KEYS):
        return reply_from_mapping(data, ApiError, text, strict, limits=limits)
    if data == {"result": "OK"}:
        return Ok()  # change and delete commands (seed 004)
    if isinstance(spec, RequestError):
        raise spec
    if spec.ok_only:
        raise _fault("this request is answered with OK or an error only", text, 0)
    if isinstance(data, dict):
        return _object_answer(data, spec, text, strict, limits)
    if isinstance(data, list):
        return _array_answer(data, spec, text, strict, limits)
    raise _fault("expected a JSON object or array", text, 0)


def _object_answer(
    data: dict[str, Any], spec: ReplySpec, text: str, strict: bool, limits: Limits
) -> msgspec.Struct | list[msgspec.Struct]:
    """An answer written as one object, with its details array if any."""
    if spec.multi and strict:
        raise _fault("expected a JSON array of records", text, 0)
    details = spec.details
    rows = None
    if details is not None and isinstance(data.get(details.field), list):
        data = dict(data)
        items = data.pop(details.field)
        if len(items) > limits.max_records:
            raise json_record_fault(text, limits, 3)
        rows = _detail_rows(items, details, text, strict, limits)
    reply = reply_from_mapping(data, spec.pick_keys(data.keys()).cls, text, strict, limits=limits)
    if rows is not None and details is not None:
        reply = msgspec.structs.replace(reply, **{details.field: tuple(rows)})
    return [reply] if spec.multi else reply


def _array_answer(
    data: list[Any], spec: ReplySpec, text: str, strict: bool, limits: Limits
) -> list[msgspec.Struct]:
    """An answer written as an array of objects, each its record."""
    if not spec.multi and strict:
        raise _fault("expected one JSON object", text, 0)
    if len(data) > limits.max_records:
        raise json_record_fault(text, limits, 2)
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise _fault("expected a JSON object in the array", text, 0)
        cls = spec.pick_keys(item.keys()).cls
        out.append(reply_from_mapping(item, cls, text, strict, (data, i), limits=limits))
    return out


def _detail_rows(
    items: list[Any], details: Details, text: str, strict: bool, limits: Limits
) -> list[msgspec.Struct]:
    rows = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _fault(f"expected JSON objects in {details.field!r}", text, 0)
        cls = details.candidate.cls
        rows.append(reply_from_mapping(item, cls, text, strict, (items, i), limits=limits))
    return rows


def _json_str(value: str, field: str) -> str:
    try:
        return msgspec.json.encode(value).decode("utf-8")
    except (UnicodeEncodeError, msgspec.EncodeError) as exc:
        raise EncodeError(f"cannot be written as JSON text: {exc}", field=field, fmt=3) from None


def json_object_text(reply: msgspec.Struct, candidate: Candidate | None) -> str:
    """One reply as the server writes a JSON object (the generated writers'
    general case: unknown keys, details rows, callbacks)."""
    lines = [*_field_members(reply, candidate), *_extra_members(reply)]
    return "{\n" + ",\n".join(lines) + "\n}"


def _field_members(reply: msgspec.Struct, candidate: Candidate | None) -> list[str]:
    """The ``"key": value`` members of the model's fields, in the layout's order."""
    plan = plan_for(type(reply))
    lines = []
    for spec in structured_fields(plan, candidate):
        value = getattr(reply, spec.name)
        if value is None:
            if plan.every_key and spec.kind is Kind.DATE:
                lines.append(f'"{spec.wire}": ""')
            continue
        try:
            rendered = _field_value(spec, value)
        except (ValueError, TypeError, AttributeError) as exc:
            raise EncodeError(str(exc), field=spec.name, fmt=3) from None
        lines.append(f'"{spec.wire}": {rendered}')
    return lines


def _field_value(spec: FieldSpec, value: Any) -> str:
    """A field's value as JSON: numbers bare (money and numbers marked
    Quoted in quotes, facts §1.4), dates quoted, texts escaped."""
    if spec.kind is Kind.INT or spec.kind is Kind.DECIMAL:
        rendered = spec.to_text(value)
        return f'"{rendered}"' if spec.json_quoted else rendered
    if spec.kind is Kind.DATETIME or spec.kind is Kind.DATE:
        return f'"{spec.to_text(value)}"'
    return _json_str(spec.to_text(value), spec.wire)


def _extra_members(reply: msgspec.Struct) -> list[str]:
    """The ``"key": value`` members of the unknown keys, as they were read."""
    lines = []
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
    return lines


def _unreadable_json(value: Any) -> str | None:
    """What in an unknown key's value JSON would not give back as it is
    (an array or object reads back as its JSON text, a JsonText; a Decimal
    as text, an infinite float as null), or None. Values decoded from JSON
    pass."""
    kind = type(value)
    if kind is list or kind is dict:
        return f"a {kind.__name__} (an array or object reads back as its JSON text, a JsonText)"
    if kind is float:
        return None if math.isfinite(value) else f"the number {value}"
    if value is not None and kind not in (str, int, bool):
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


def _member(spec: FieldSpec, value: str) -> str:
    """Source of one ``"key": value`` member, as json_object_text writes it."""
    key = repr(f'"{spec.wire}": ')
    if spec.kind.textual:
        return f"{key} + {value}"
    if spec.json_quoted or spec.kind is Kind.DATETIME or spec.kind is Kind.DATE:
        return f"{key} + '\"' + {value} + '\"'"
    return f"{key} + {value}"


def _json_array(objects: list[str]) -> str:
    return "[" + ",\n".join(objects) + "]"


def _object_writer(candidate: Candidate) -> RecordWriter:
    """json_object_text of one kind, generated (``_compiled``)."""
    plan = plan_for(candidate.cls)
    env: dict[str, Any] = {"enc": msgspec.json.encode}
    return keyed_writer(
        plan,
        structured_fields(plan, candidate),
        _member,
        ("{\n", ",\n", "\n}"),
        env=env,
        text=lambda value: f"enc({value}).decode()",
    )


class JsonReader:
    """The reader of fmt=3 bodies (msgspec; see the module docstring)."""

    fmt = 3

    def charset_of(
        self, body: Any, charset: str, *, request_named: str | None, strict: bool
    ) -> str:
        """The charset to read ``body`` in: the request's."""
        return charset

    def read_fast(
        self, body: Any, charset: str, spec: ReplySpec, limits: Limits
    ) -> msgspec.Struct | list[msgspec.Struct] | None:
        """A well-formed success answer read by the wire twins
        (:func:`fast_json`), or None for :meth:`read`."""
        # msgspec reads UTF-8 bytes itself; ASCII is the same in every charset
        readable = type(body) is bytes and (charset == "utf-8" or body.isascii())
        if type(body) is not str and not readable:
            body = body_text(body, charset, 3)
        if len(body) > 2 * limits.max_records:
            return None  # a body that may hold more records than the limit: read() counts
        return fast_json(body, spec, limits)

    def read(
        self, text: str, spec: ReplySpec | RequestError, *, strict: bool, limits: Limits
    ) -> Any:
        """A body: its OK or error answer (the bare text ones, facts §9, or
        ``{"error": …}``), or the success answer of ``spec``."""
        envelope = detect_text_envelope(text, 3, limits)
        if envelope is not None:
            return envelope
        return decode_json(text, spec, strict=strict, limits=limits)

    def read_record(
        self,
        text: str,
        kind_of_keys: Callable[[Collection[str]], type[msgspec.Struct]],
        *,
        strict: bool,
        limits: Limits,
    ) -> msgspec.Struct:
        """One object standing alone (a callback); its kind told by its keys."""
        data = load_json(text, limits, unique_keys=strict)
        if not isinstance(data, dict):
            raise _fault("expected a JSON object", text, 0)
        return reply_from_mapping(data, kind_of_keys(data), text, strict, limits=limits)

    def entry(self, spec: ReplySpec, limits: Limits, charset: str) -> Callable[[Any], Any] | None:
        """The commonest answer's reader: one object of the first kind read by
        its wire twin, in C; :data:`~smsc_codec._build.MISS` for any body it
        leaves to the other paths (None: no such answer)."""
        if spec.multi or spec.ok_only or limits.max_depth < TYPED_DEPTH:
            return None
        cls, max_text = spec.candidates[0].cls, limits.max_field_length
        if not keys_within(cls, max_text):
            return None
        wire_twin(cls, max_text)  # (which puts its reader's cell in READ_ONE)
        reader = READ_ONE[cls, max_text]  # (the plain twin's reader, or the learned one's)
        utf8 = charset == "utf-8"
        # (a body over max_body_bytes is refused by the decoder; read_fast
        # leaves one that may hold more records than the limit to read())
        floor = min(2 * limits.max_records, limits.max_body_bytes)

        # A body that is no object of the kind (a bare OK, an array, an
        # error object) is refused by the twin, at its first character for
        # most: a look at that character here would cost every answer more
        # than it saves the few others.
        def entry(body: Any) -> Any:
            kind = body.__class__
            if kind is str:
                if len(body) > floor:
                    return MISS
            elif kind is bytes or kind is bytearray:
                # (msgspec reads UTF-8 bytes itself; ASCII is the same in
                # every charset)
                if len(body) > floor or not (utf8 or body.isascii()):
                    return MISS
            else:  # (a memoryview cannot tell whether it is ASCII)
                return MISS
            try:
                return reader[0](body)
            except _TWIN_MISSES:
                return MISS

        return entry


#: what a wire twin raises for a body it does not read (the general path
#: says what is wrong): RecursionError for a learned key's value nested
#: deeper than msgspec reads (the general path bounds nesting at max_depth)
_TWIN_MISSES = (msgspec.ValidationError, msgspec.DecodeError, ValueError, RecursionError)


class JsonWriter:
    """The writer of fmt=3 bodies, as the server writes them (facts §9)."""

    fmt = 3
    #: a list has a form of its own, even of one record
    lists = True

    def write(
        self, replies: Sequence[msgspec.Struct], spec: ReplySpec, *, as_list: bool, lossy: bool
    ) -> str:
        check_keyed(replies, spec, 3)
        return encode_json(replies, spec, as_list=as_list)

    def fast_writer(self, spec: ReplySpec) -> Callable[[Any], str | None]:
        """``encode_text``'s body by generated writers, or None (``_compiled``)."""
        return keyed_fast_writer(spec, _object_writer, _json_array)

    def write_envelope(self, reply: ApiError | Ok, *, lossy: bool) -> str:
        """``{"result": "OK"}`` (seed 004), the bare ``OK`` it was read as,
        or the error object."""
        if isinstance(reply, Ok):
            return "OK" if reply.bare else '{\n"result": "OK"\n}'
        return json_object_text(reply, None)

    def write_record(self, reply: msgspec.Struct, root: str) -> str:
        return json_object_text(reply, None)


#: fmt=3, reader and writer
JSON = (JsonReader(), JsonWriter())
