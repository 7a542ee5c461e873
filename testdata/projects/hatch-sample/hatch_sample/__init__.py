"""A hatchling-built sample package."""
