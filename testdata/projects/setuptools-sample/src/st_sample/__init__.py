"""A setuptools-built sample package."""
__version__ = "1.2.0"
