"""Relational storage with SQLAlchemy Core: SQLite (embedded) and PostgreSQL (server)."""
