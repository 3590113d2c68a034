"""Checked construction of the model's Structs, and the decoders' way around it.

msgspec's constructors take any value for any field: ``SmsStatus(status=1,
cost=1.5, last_date="…")`` would be built and fail later, deep inside an
encoder. Every reply Struct's ``__post_init__`` (``ReplyBase``) runs
:func:`check`: a function generated from the class's annotations that looks at
each field once and raises ``TypeError`` naming the field. A list field (a
contact's phones) also takes its items: they are joined by commas into the
text the field holds.

Decoders build replies from values they have typed themselves, thousands per
body: they build through :func:`unchecked`, a subclass whose
``__post_init__`` only turns the new instance into the model's class (a
class switch, as the fmt=3 wire twins do), which costs a fraction of the
checks (benchmarks/README.md). A one-line answer's entry (``_lines``) copies
a :func:`blank` reply and sets its few fields in place: no ``__post_init__``
and no class switch at all.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from ._addresses import AddressList

__all__ = [
    "ADDRESS_LIST",
    "blank",
    "check",
    "construct",
    "describe",
    "replaced",
    "unchecked",
    "unwrap_annotated",
]

#: The marker of a list field in a field's ``msgspec.Meta(extra=...)``.
ADDRESS_LIST = "address_list"

_S = TypeVar("_S", bound=msgspec.Struct)


def check(struct: msgspec.Struct) -> None:
    """Raise TypeError naming the first field of ``struct`` whose value is not
    of its declared type (a list field's items become its text)."""
    _checker(type(struct))(struct)


@functools.cache
def unchecked(cls: type[_S]) -> type[_S]:
    """A subclass of ``cls`` whose instances are built without the checks and
    become instances of ``cls`` itself as they are built."""

    def become(self: Any, model: type[_S] = cls) -> None:
        self.__class__ = model  # (the subclass adds no slot: the layout is the same)

    # not frozen: its instances' class can be switched (they are frozen after)
    built = msgspec.defstruct(
        f"{cls.__name__}Unchecked",
        [],
        bases=(cls,),
        module=cls.__module__,
        kw_only=True,
        frozen=False,
        namespace={"__post_init__": become},
    )
    return typing.cast("type[_S]", built)


@functools.cache
def blank(cls: type[_S]) -> tuple[Callable[[_S], _S], _S]:
    """A reply of ``cls`` with every field at its default (a required one
    None), and the function that copies it: the fastest build of a reply
    from a few values typed already (a one-line answer, ``_lines.line_entry``)
    is a copy of the blank, its fields then set in place with
    ``msgspec.structs.force_setattr``. Neither runs ``__post_init__``, and
    the copy is of ``cls`` itself: no class switch either."""
    required = {info.name: None for info in msgspec.structs.fields(cls) if info.required}
    copy: Callable[[_S], _S] = getattr(cls, "__copy__")  # noqa: B009 - (msgspec's, untyped)
    return copy, construct(cls, **required)


def construct(cls: type[_S], /, **fields: Any) -> _S:
    """``cls(**fields)`` without the checks (for values typed already)."""
    built: _S = unchecked(cls)(**fields)
    return built


def replaced(struct: _S, /, **changes: Any) -> _S:
    """``msgspec.structs.replace`` without the checks: the encoders copy what a
    caller handed them, wrong types and all (they refuse those themselves,
    naming the field, with EncodeError)."""
    values = {name: getattr(struct, name) for name in struct.__struct_fields__}
    return construct(type(struct), **{**values, **changes})


@functools.cache
def _checker(cls: type[msgspec.Struct]) -> Callable[[Any], None]:
    """Generate ``check(struct)`` for ``cls``: one test per field, in order."""
    env: dict[str, Any] = {"fault": _fault, "fix_list": _fix_list, "cls": cls}
    lines = ["def check(s):"]
    for i, info in enumerate(msgspec.structs.fields(cls)):
        test = _test(info.type, "v", env)
        lines.append(f"    v = s.{info.name}")
        if _is_address_list(info.type):
            lines.append(f"    if not ({test}):\n        fix_list(s, {info.name!r}, v, t{i})")
        elif test != "True":
            lines.append(f"    if not ({test}):\n        fault(cls, {info.name!r}, v, t{i})")
        env[f"t{i}"] = info.type
    lines.append("    return None")
    # a generated function, as in _matcher._make_builder
    exec(compile("\n".join(lines) + "\n", f"<smsc_codec check {cls.__name__}>", "exec"), env)
    checker: Callable[[Any], None] = env["check"]
    return checker


def _test(tp: Any, name: str, env: dict[str, Any], depth: int = 0) -> str:
    """A Python expression that is true when ``name`` holds a value of ``tp``."""
    tp, _ = unwrap_annotated(tp)
    if tp is Any:
        return "True"
    if tp is None or tp is type(None):
        return f"{name} is None"
    args = _union_args(tp)
    if args is not None:
        return "(" + " or ".join(_test(arg, name, env, depth) for arg in args) + ")"
    if typing.get_origin(tp) is tuple:
        return _tuple_test(typing.get_args(tp), name, env, depth)
    if tp is int:  # (a bool is an int to Python, not to the wire)
        return f"(isinstance({name}, int) and not isinstance({name}, bool))"
    if tp is date:  # (a datetime is a date to Python; a birthday has no time)
        return f"(isinstance({name}, date) and not isinstance({name}, datetime))"
    if isinstance(tp, type):
        key = f"c_{tp.__name__}"
        env.setdefault("date", date)
        env.setdefault("datetime", datetime)
        env[key] = tp
        return f"isinstance({name}, {key})"
    raise TypeError(f"no check for the annotation {tp!r}")  # a model declaration to extend


def _tuple_test(items: tuple[Any, ...], name: str, env: dict[str, Any], depth: int) -> str:
    """The :func:`_test` of a tuple of ``items``: ``tuple[X, ...]`` tests every
    item (through the loop variable ``x<depth>``), ``tuple[X, Y]`` each place."""
    item = f"x{depth}"
    if len(items) == 2 and items[1] is Ellipsis:
        inner = _test(items[0], item, env, depth + 1)
        every = "" if inner == "True" else f" and all({inner} for {item} in {name})"
        return f"(isinstance({name}, tuple){every})"
    parts = " and ".join(_test(arg, f"{name}[{i}]", env, depth + 1) for i, arg in enumerate(items))
    return f"(isinstance({name}, tuple) and len({name}) == {len(items)} and {parts})"


def _fault(cls: type, name: str, value: Any, annotation: Any) -> None:
    hint = ""
    classes = _classes(annotation)
    codes = [c for c in classes if issubclass(c, enum.Enum)]
    if Decimal in classes and isinstance(value, (float, int, str)):
        hint = f' (money is a Decimal: Decimal("{value}"))'
    elif codes and isinstance(value, int) and not isinstance(value, enum.Enum):
        hint = f" (a code is its {codes[0].__name__}: {codes[0].__name__}({value}))"
    expected = describe(annotation)
    raise TypeError(
        f"{cls.__name__}.{name} expects {expected}, got {type(value).__name__} {value!r}{hint}"
    )


def _fix_list(struct: msgspec.Struct, name: str, value: Any, annotation: Any) -> None:
    """A list field given its items: store their text (joined by commas)."""
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        items = value if isinstance(value, AddressList) else AddressList(value)
        try:
            text = items.text
        except ValueError as exc:
            raise ValueError(f"{type(struct).__name__}.{name}: {exc}") from None
        msgspec.structs.force_setattr(struct, name, text)
        return
    _fault(type(struct), name, value, annotation)


def _classes(tp: Any) -> list[type]:
    """The classes an annotation names at its top level (``X | None`` names X)."""
    tp, _ = unwrap_annotated(tp)
    args = _union_args(tp)
    if args is not None:
        return [c for arg in args for c in _classes(arg)]
    return [tp] if isinstance(tp, type) else []


def unwrap_annotated(tp: Any) -> tuple[Any, dict[str, Any]]:
    """``tp`` without ``Annotated``, and the ``extra`` of its ``msgspec.Meta``, in order."""
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
    tp, extra = unwrap_annotated(tp)
    if extra.get(ADDRESS_LIST):
        return True
    args = _union_args(tp)
    return args is not None and any(_is_address_list(arg) for arg in args)


def describe(tp: Any) -> str:
    """An annotation as error messages name it: ``MessageStatus or None``."""
    tp, extra = unwrap_annotated(tp)
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
    return getattr(tp, "__name__", repr(tp))
