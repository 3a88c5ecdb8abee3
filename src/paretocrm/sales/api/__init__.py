"""REST API of the sales app."""
