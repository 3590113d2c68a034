from __future__ import annotations

__all__ = ["__version__"]

#: The version of the installed package.
__version__ = "0.1.0"
