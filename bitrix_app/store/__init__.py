"""Storage: SQLAlchemy models, session handling and Alembic migrations."""
