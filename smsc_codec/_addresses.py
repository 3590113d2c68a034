"""Lists of phone numbers, e-mail addresses or ids in one field.

Contact answers carry lists "separated by any separator" (seed 004: ``<phone>``,
``<phone_other>``, their ``mail`` twins, and ``<group>``, which holds the ids of
every group a contact is in, seed 002 ``grp``). The model keeps such a field
as the text the server wrote (``_model.AddressText``: msgspec carries it as a
string, separators and all); :class:`AddressList` is its items: a tuple that
also keeps the text it was read from (``Contact.phone_list``), and joins items
built by hand with commas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["AddressList", "parse_address_list"]

#: The separators seed 004 allows between items: "any separator" is read as
#: commas, semicolons and white space, in any run.
_SEPARATORS = re.compile(r"[,;\s]+")


class AddressList(tuple[str, ...]):
    """The items of a list field, with the text they were read from.

    Compares and hashes as the tuple of items, so ``("79990000001",)`` equals a
    list read from ``"79990000001"`` or ``"79990000001, "``. ``text`` is what
    encoders write: the original text when it still lists exactly these items,
    otherwise the items joined by commas.
    """

    _text: str | None

    def __new__(cls, items: Iterable[str] = (), *, text: str | None = None) -> AddressList:
        self = super().__new__(cls, items)
        self._text = text
        return self

    @classmethod
    def parse(cls, text: str) -> AddressList:
        """Split ``text`` at any run of separators; keep ``text`` for re-encoding."""
        return parse_address_list(text) if cls is AddressList else cls(_items(text), text=text)

    @property
    def text(self) -> str:
        """The list as the wire carries it (see the class docstring)."""
        original = self._text
        if original is not None and _items(original) == self:
            return original
        for item in self:
            if not item or _SEPARATORS.search(item):
                raise ValueError(f"the list item {item!r} is empty or holds a separator")
        return ",".join(self)

    def __repr__(self) -> str:
        return f"AddressList({self.text!r})" if self._is_writable() else super().__repr__()

    def _is_writable(self) -> bool:
        try:
            self.text  # noqa: B018 - the property checks the items
        except ValueError:
            return False
        return True

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (tuple(self), self._text))


_new_tuple = tuple.__new__
_find_separator = _SEPARATORS.search
_split = _SEPARATORS.split


def _items(text: str) -> tuple[str, ...]:
    return tuple(filter(None, _split(text)))


def parse_address_list(text: str) -> AddressList:
    """:meth:`AddressList.parse` (most lists hold one item: no split then)."""
    if _find_separator(text) is None:
        items = _new_tuple(AddressList, (text,) if text else ())
    else:
        items = _new_tuple(AddressList, filter(None, _split(text)))
    items._text = text
    return items


def _rebuild(items: tuple[str, ...], text: str | None) -> AddressList:
    return AddressList(items, text=text)
