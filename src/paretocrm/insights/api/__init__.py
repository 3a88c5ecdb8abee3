"""REST API of the insights app."""
