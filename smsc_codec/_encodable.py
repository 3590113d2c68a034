"""What every encoder checks before it writes a reply: that it would read back
as the same reply.

A reply is a Struct anyone can build, with any value in any field: msgspec
checks types when it decodes, not when a Struct is made. The encoders check
each value's type as they write it (``FieldSpec.to_text``); this module checks
what is true of the reply as a whole, the same way for every format:

* a required field is present;
* ``extra`` is a tuple of ``(key, value)`` tuples, and no unknown key would
  read back as something else: a key of the model (its wire keys and their
  variant spellings, and in fmt=0 the layout's own spellings), a key of the
  error or OK answer, the name of a details list, a key that makes the
  record read as another kind, or a key written twice (a reader keeps one);
  the fmt=0/1 error line and the OK answer have no place for one at all
  (fmt=2 keeps attributes of ``<result>``);
* ``ambiguous_fields`` is a tuple of names; fmt=2/3 text is never ambiguous,
  so a mark there would be lost (fmt=0/1 check the mark against the written
  line, ``_matcher.LineCodec``).

``lossy=True`` drops such unknown keys, and the mark, as it drops fields a
layout has no place for; a missing required field or a malformed ``extra``
is refused whatever ``lossy`` says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from typing import Any

import msgspec

from ._build import ATTRIBUTE
from ._checks import replaced
from ._errors import EncodeError
from ._matcher import line_codec
from ._model import ApiError, Ok
from ._replies import ENVELOPE_KEYS, Candidate, Details, ReplySpec
from ._schema import plan_for

__all__ = ["check_keyed", "checked_reply"]

#: Picks the kind of a record from its keys (``ReplySpec.pick_keys``).
KindOfKeys = Callable[[Collection[str]], type[msgspec.Struct]]


def checked_reply(
    reply: msgspec.Struct,
    fmt: int | None,
    *,
    lossy: bool,
    spec: ReplySpec | None = None,
    candidate: Candidate | None = None,
    kind_of_keys: KindOfKeys | None = None,
) -> msgspec.Struct:
    """``reply`` as ``fmt`` can write it (see the module docstring), with its
    details rows checked too: the reply itself, or with ``lossy`` a copy
    without the unknown keys and mark it cannot carry.

    ``spec`` is the request's registry entry: None for the error and OK
    answers and for a details row (``candidate`` names the row's layout), or
    for a callback, whose kind ``kind_of_keys`` tells from its keys (a
    callback is no API answer: the error envelope's keys are its own to use).
    ``fmt`` None stands for form fields.
    """
    _refuse_absent_required(reply, fmt)
    answer = kind_of_keys is None
    if spec is not None:
        candidate = next((c for c in spec.candidates if type(reply) is c.cls), None)
        kind_of_keys = _picked_class(spec)
    changes: dict[str, Any] = {}
    extra = _checked_extra(reply, fmt, (spec, candidate, answer), kind_of_keys, lossy=lossy)
    if extra is not None:
        changes["extra"] = extra
    if _mark_is_lost(reply, fmt, lossy=lossy):
        changes["ambiguous_fields"] = ()
    details = spec.details if spec is not None else None
    if details is not None:
        rows = _checked_rows(reply, fmt, details, lossy=lossy)
        if rows is not None:
            changes[details.field] = rows
    return replaced(reply, **changes) if changes else reply


def _picked_class(spec: ReplySpec) -> KindOfKeys:
    return lambda keys: spec.pick_keys(keys).cls


def _refuse_absent_required(reply: msgspec.Struct, fmt: int | None) -> None:
    for name in _required(type(reply)):
        if getattr(reply, name) is None:
            raise EncodeError(
                "required, but absent: there is nothing to write", field=name, fmt=fmt
            )


@functools.cache
def _required(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    return tuple(field.name for field in plan_for(cls).fields if field.required)


def _checked_rows(
    reply: msgspec.Struct, fmt: int | None, details: Details, *, lossy: bool
) -> tuple[msgspec.Struct, ...] | None:
    """The details rows, checked; None when none changed."""
    rows = getattr(reply, details.field)
    if rows is None:
        return None
    row_class = details.candidate.cls
    if not isinstance(rows, tuple):  # (as decoding gives them: a list compares unequal)
        raise EncodeError(
            f"expected a tuple of {row_class.__name__}, got {type(rows).__name__}",
            field=details.field,
            fmt=fmt,
        )
    checked = []
    for row in rows:
        if type(row) is not row_class:
            raise EncodeError(f"holds a {type(row).__name__}", field=details.field, fmt=fmt)
        checked.append(checked_reply(row, fmt, lossy=lossy, candidate=details.candidate))
    if all(a is b for a, b in zip(checked, rows, strict=True)):
        return None
    return tuple(checked)


def _mark_is_lost(reply: msgspec.Struct, fmt: int | None, *, lossy: bool) -> bool:
    """Whether ``ambiguous_fields`` is set where the written text cannot carry
    it: fmt=2/3 (and form fields), the bare OK. Raises EncodeError unless
    ``lossy``."""
    marked = getattr(reply, "ambiguous_fields", ())
    if not isinstance(marked, tuple) or not all(isinstance(name, str) for name in marked):
        raise EncodeError("expected a tuple of field names", field="ambiguous_fields", fmt=fmt)
    if not marked or (fmt in (0, 1) and not isinstance(reply, Ok)):
        return False
    if lossy:
        return True
    raise EncodeError(
        f"marked ambiguous, but {_format_name(fmt)} text is never ambiguous: the mark "
        "would be lost (pass lossy=True to drop it)",
        field=marked[0],
        fmt=fmt,
    )


def _format_name(fmt: int | None) -> str:
    return "form-field" if fmt is None else f"fmt={fmt}"


def _checked_extra(
    reply: msgspec.Struct,
    fmt: int | None,
    layout: tuple[ReplySpec | None, Candidate | None, bool],
    kind_of_keys: KindOfKeys | None,
    *,
    lossy: bool,
) -> tuple[tuple[str, Any], ...] | None:
    """The unknown keys ``fmt`` reads back as written; None when that is all
    of them. ``layout`` is (spec, candidate, whether the reply is an API
    answer) for :func:`_reserved_keys`. Raises EncodeError naming the first
    other key unless ``lossy``."""
    extra = getattr(reply, "extra", ())
    if extra == ():
        return None
    if not isinstance(extra, tuple) or not all(map(_is_key_and_value, extra)):
        raise EncodeError("expected a tuple of (key, value) pairs", field="extra", fmt=fmt)
    spec, candidate, answer = layout
    reserved = _reserved_keys(type(reply), fmt, spec, candidate, answer=answer)
    model_keys = _written_keys(reply)
    kind = kind_of_keys(model_keys) if kind_of_keys is not None else type(reply)
    keys_read: _KeysRead = (model_keys, kind, kind_of_keys)
    kept: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for key, value in extra:
        reason = reserved.get(key) or _refusal_of_key(reply, fmt, key, seen, keys_read)
        if reason is None:
            seen.add(key)
            kept.append((key, value))
        elif not lossy:
            raise EncodeError(
                f"the unknown key {reason} (pass lossy=True to drop it)", field=key, fmt=fmt
            )
    return None if len(kept) == len(extra) else tuple(kept)


def _is_key_and_value(pair: object) -> bool:
    """Whether ``pair`` is an unknown key's (key, value)."""
    return isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)


#: the model's keys a record writes, the kind they read as, and how a kind
#: is told from keys (None: the reply's class is its kind)
_KeysRead = tuple[list[str], type[msgspec.Struct], KindOfKeys | None]


def _written_keys(reply: msgspec.Struct) -> list[str]:
    """The model's keys ``reply`` writes: its fields that are not None."""
    return [s.wire for s in plan_for(type(reply)).fields if getattr(reply, s.name) is not None]


def _refusal_of_key(
    reply: msgspec.Struct,
    fmt: int | None,
    key: str,
    seen: set[str],
    keys_read: _KeysRead,
) -> str | None:
    """Why an unknown key that is no reserved one cannot be written: once
    more after ``seen``, a key that makes the record read as another kind
    (``keys_read``: the model's keys written, the kind they read as, and
    how a kind is told), or no place for it."""
    if key in seen:
        return "is written twice: a reader keeps one of the values"
    model_keys, kind, kind_of_keys = keys_read
    if kind_of_keys is not None:
        other = kind_of_keys([*model_keys, key])
        if other is not kind:
            return f"would make the record read as {other.__name__}"
    return _no_place(reply, fmt, key)


def _no_place(reply: msgspec.Struct, fmt: int | None, key: str) -> str | None:
    """Why the error or OK answer has no place for an unknown key in ``fmt``."""
    if isinstance(reply, Ok) and not (fmt == 2 and not reply.bare and key.startswith(ATTRIBUTE)):
        return "has no place in the OK answer (fmt=2 keeps attributes of <result> only)"
    if isinstance(reply, ApiError) and fmt in (0, 1):
        return f"has no place in the fmt={fmt} error line"
    return None


@functools.lru_cache(maxsize=256)
def _reserved_keys(
    cls: type[msgspec.Struct],
    fmt: int | None,
    spec: ReplySpec | None,
    candidate: Candidate | None,
    *,
    answer: bool,
) -> dict[str, str]:
    """The keys an unknown key of ``cls`` must not be, with why."""
    reserved: dict[str, str] = {}
    if answer and fmt != 0:
        # (a fmt=0 error or OK answer is told by its line's start, which an
        # unknown key written after the record's first key never is)
        reason = "is a key of the error or OK answer: the record could read back as one"
        reserved.update(dict.fromkeys(ENVELOPE_KEYS, reason))
    if spec is not None and spec.details is not None:
        for name in (spec.details.field, spec.details.xml_list):
            reserved[name] = "names the list of details rows"
    if fmt == 0 and candidate is not None:
        reserved.update(_line_keys(cls, candidate))
    reserved.update(_model_keys(cls))
    return reserved


def _line_keys(cls: type[msgspec.Struct], candidate: Candidate) -> dict[str, str]:
    """The keys the fmt=0 lines of ``candidate`` (every variant) give fields."""
    return {
        key: f"is the fmt=0 key of {name!r}: it would read back as that field"
        for rule in (candidate.rule, *candidate.variants)
        for key, name in line_codec(0, rule, cls).keys.items()
    }


def _model_keys(cls: type[msgspec.Struct]) -> dict[str, str]:
    """The model's keys and their variant spellings (the keys win)."""
    plan = plan_for(cls)
    keys = {
        key: f"is a variant spelling of {field.wire!r}: it would read back as that field"
        for key, field in plan.by_variant.items()
    }
    for field in plan.fields:
        keys[field.wire] = "is a key of the model: it would read back as that field"
    return keys


def check_keyed(replies: Sequence[msgspec.Struct], spec: ReplySpec, fmt: int) -> None:
    """What the formats that name their keys (fmt=2/3) check of each record:
    that its keys do not read as another kind of record."""
    for reply in replies:
        keys = _written_keys(reply)
        if type(reply) is not spec.pick_keys(keys).cls:
            raise EncodeError(f"its keys would read as another kind of record: {keys}", fmt=fmt)
