"""Storage: SQLAlchemy tables, the engine, the repository and Alembic migrations."""
