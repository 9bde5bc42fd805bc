"""Alembic migrations of the listener schema, run programmatically by ``Repository.upgrade()``."""
