"""Sample package for hwb lock tests."""
