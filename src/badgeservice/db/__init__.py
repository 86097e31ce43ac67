"""Persistence: SQLAlchemy 2.0 models, engine/session set-up and migrations helpers."""
