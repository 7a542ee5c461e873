"""A package built by an in-tree PEP 517 backend (hwb's tests)."""
VALUE = 42
