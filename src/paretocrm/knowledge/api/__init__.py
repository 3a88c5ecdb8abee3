"""REST API of the knowledge app."""
