"""Streamlit pieces shared by the pages: context, access checks, the JSON Schema form renderer,
the answer viewer and the status timeline. Calls the core's use cases; never opens a database session."""
