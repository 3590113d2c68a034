"""Checked construction of the model's Structs.

msgspec's constructors take any value for any field: ``SmsStatus(status=1,
cost=1.5, last_date="…")`` would be built and fail later, deep inside an
encoder. :class:`ReplyMeta`, the metaclass of every reply Struct, checks the
keyword arguments of a constructor call against the field annotations first
and raises ``TypeError`` naming the field. A list field (a contact's phones)
also takes its items: they are joined by commas into the text the field
holds.

The checks run only where a value is built by hand. msgspec's decoders do not
call the metaclass (msgspec checks types itself), and the codec's decoders,
whose values are typed already, build through :data:`construct`, msgspec's
own constructor: decoding pays nothing for them (benchmarks/README.md).
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from ._addresses import AddressList

__all__ = ["ReplyMeta", "construct"]

_S = TypeVar("_S", bound=msgspec.Struct)

if TYPE_CHECKING:

    def construct(cls: type[_S], /, *args: Any, **fields: Any) -> _S:
        """Build a Struct without the checks: ``construct(cls, **fields)``."""

else:
    construct = msgspec.StructMeta.__call__  # msgspec's own constructor

#: The marker of a list field in a field's ``msgspec.Meta(extra=...)``.
ADDRESS_LIST = "address_list"

_Check = Callable[[Any], Any]  #: returns the value to store, or raises


class ReplyMeta(msgspec.StructMeta):
    """The metaclass of the model's Structs: constructors check their arguments."""

    if not TYPE_CHECKING:  # the type checker reads the fields' own signature

        def __call__(cls, *args, **kwargs):
            checks = _checks_of(cls)
            for name, value in kwargs.items():
                check = checks.get(name)
                if check is not None:
                    kwargs[name] = check(value)
            return construct(cls, *args, **kwargs)


@functools.cache
def _checks_of(cls: type[msgspec.Struct]) -> dict[str, _Check]:
    return {
        info.name: _field_check(cls.__name__, info.name, info.type)
        for info in msgspec.structs.fields(cls)
    }


def _field_check(owner: str, name: str, annotation: Any) -> _Check:
    if _is_address_list(annotation):
        optional = _accepts_none(annotation)

        def check_list(value: Any) -> Any:
            if isinstance(value, str) or (value is None and optional):
                return value
            if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
                items = value if isinstance(value, AddressList) else AddressList(value)
                try:
                    return items.text
                except ValueError as exc:
                    raise ValueError(f"{owner}.{name}: {exc}") from None
            raise _type_fault(owner, name, annotation, value)

        return check_list

    def check(value: Any) -> Any:
        if not matches(value, annotation):
            raise _type_fault(owner, name, annotation, value)
        return value

    return check


def _type_fault(owner: str, name: str, annotation: Any, value: Any) -> TypeError:
    hint = ""
    classes = _classes(annotation)
    codes = [c for c in classes if issubclass(c, enum.Enum)]
    if Decimal in classes and isinstance(value, (float, int, str)):
        hint = f' (money is a Decimal: Decimal("{value}"))'
    elif codes and isinstance(value, int) and not isinstance(value, enum.Enum):
        hint = f" (a code is its {codes[0].__name__}: {codes[0].__name__}({value}))"
    expected = describe(annotation)
    return TypeError(
        f"{owner}.{name} expects {expected}, got {type(value).__name__} {value!r}{hint}"
    )


def _classes(tp: Any) -> list[type]:
    """The classes an annotation names at its top level (``X | None`` names X)."""
    tp, _ = _unwrap_annotated(tp)
    args = _union_args(tp)
    if args is not None:
        return [c for arg in args for c in _classes(arg)]
    return [tp] if isinstance(tp, type) else []


def _unwrap_annotated(tp: Any) -> tuple[Any, dict[str, Any]]:
    extra: dict[str, Any] = {}
    while typing.get_origin(tp) is typing.Annotated:
        base, *metas = typing.get_args(tp)
        for meta in metas:
            if isinstance(meta, msgspec.Meta) and meta.extra:
                extra.update(meta.extra)
        tp = base
    return tp, extra


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return None


def _is_address_list(tp: Any) -> bool:
    tp, extra = _unwrap_annotated(tp)
    if extra.get(ADDRESS_LIST):
        return True
    args = _union_args(tp)
    return args is not None and any(_is_address_list(arg) for arg in args)


def _accepts_none(tp: Any) -> bool:
    args = _union_args(_unwrap_annotated(tp)[0])
    return args is not None and type(None) in args


def matches(value: Any, tp: Any) -> bool:
    """Whether ``value`` is a value of the annotation ``tp`` (as the model uses them)."""
    tp, _ = _unwrap_annotated(tp)
    if tp is Any:
        return True
    if tp is None or tp is type(None):
        return value is None
    args = _union_args(tp)
    if args is not None:
        return any(matches(value, arg) for arg in args)
    if typing.get_origin(tp) is tuple:
        items = typing.get_args(tp)
        if not isinstance(value, tuple):
            return False
        if len(items) == 2 and items[1] is Ellipsis:
            return all(matches(v, items[0]) for v in value)
        return len(value) == len(items) and all(map(matches, value, items))
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, float)
    if tp is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(tp, type):
        return isinstance(value, tp)
    raise TypeError(f"no check for the annotation {tp!r}")  # a model declaration to extend


def describe(tp: Any) -> str:
    """An annotation as error messages name it: ``MessageStatus or None``."""
    tp, extra = _unwrap_annotated(tp)
    if extra.get(ADDRESS_LIST):
        return "a list's text (str) or its items"
    args = _union_args(tp)
    if args is not None:
        return " or ".join(describe(arg) for arg in args)
    if tp is type(None):
        return "None"
    if typing.get_origin(tp) is tuple:
        items = typing.get_args(tp)
        if len(items) == 2 and items[1] is Ellipsis:
            return f"a tuple of ({describe(items[0])})"
        return f"a tuple ({', '.join(map(describe, items))})"
    if tp is Decimal:
        return "Decimal"
    return getattr(tp, "__name__", repr(tp))
