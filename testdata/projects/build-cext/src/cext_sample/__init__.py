"""A package with a C extension (hwb's build tests)."""
from ._fast import add

__all__ = ["add"]
