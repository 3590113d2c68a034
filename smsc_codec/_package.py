"""What ``help(smsc_codec)`` lists as the package's contents: the public
submodules (``arrow``, ``http``, ``testing``), not the private ones.

pydoc lists every module file in a package's folder under PACKAGE CONTENTS,
whatever ``__all__`` says, and most submodules here are private: the public
API is what ``smsc_codec`` itself exports. pkgutil (which pydoc asks) lists a
folder's modules through its path entry finder's ``iter_modules``; the finder
of the package's folder is wrapped so that it lists only the modules whose
name does not start with ``_``, and finds and imports them exactly as before.
"""

from __future__ import annotations

import pkgutil
import sys
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["unlist_submodules"]


class _Unlisted:
    """A path entry finder that finds its folder's modules but lists only the
    public ones."""

    def __init__(self, finder: Any) -> None:
        self._finder = finder

    def find_spec(self, fullname: str, target: Any = None) -> Any:
        return self._finder.find_spec(fullname, target)

    def invalidate_caches(self) -> None:
        self._finder.invalidate_caches()

    def iter_modules(self, prefix: str = "") -> Iterator[tuple[str, bool]]:
        # (pkgutil's own lister of a finder's modules, which pydoc uses too;
        # stable since Python 3.3 but left out of the type stubs)
        listed = pkgutil.iter_importer_modules(self._finder, prefix)  # type: ignore[attr-defined]
        for name, is_package in listed:
            if not name[len(prefix) :].startswith("_"):
                yield name, is_package


def unlist_submodules(path: Iterable[str]) -> None:
    """Keep the modules in the folders of a package's ``__path__`` out of its listings."""
    for entry in path:
        finder = pkgutil.get_importer(entry)
        if finder is not None and not isinstance(finder, _Unlisted):
            sys.path_importer_cache[entry] = _Unlisted(finder)
