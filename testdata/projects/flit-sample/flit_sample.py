"""A flit-built sample module."""
__version__ = "0.3.1"


def hello():
    return "hello"
