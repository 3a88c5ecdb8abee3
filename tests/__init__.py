"""Cross-app tests (API matrix, schema, end-to-end)."""
