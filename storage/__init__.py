"""Storage: SQLModel tables, the engine, repositories and the unit of work, migrations, backups.

May import ``builder`` for its types; never Streamlit, ``ui`` or ``pages``.
"""
