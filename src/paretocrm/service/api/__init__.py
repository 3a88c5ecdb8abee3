"""REST API of the service app."""
