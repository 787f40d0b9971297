"""Sample data shipped with the package (the roster template's example rows)."""
