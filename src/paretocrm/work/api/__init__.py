"""REST API of the work app."""
