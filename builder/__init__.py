"""Formwork's core: pure Python, no Streamlit and no SQL.

Definition models, validation, the workflow engine and the use cases live here. Use cases take a
unit of work (see ``builder.ports``) so that storage stays replaceable and tests need no database.
"""
