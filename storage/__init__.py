"""The only place with SQL: engine, tables, migrations and repositories."""
