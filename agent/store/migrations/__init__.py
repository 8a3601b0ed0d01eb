"""Alembic migrations of the conversation store, for SQLite and PostgreSQL alike.

Run by ``agent.store.migrate.upgrade`` when a store is opened (and by ``tactful db upgrade``);
a new one is written by hand in ``versions/`` next to the change in ``agent/store/models.py``.
"""
