"""REST API of the marketing app."""
