"""AppTest entry for the renderer corpus: renders one corpus form, seeded with its sample answers.

The test puts ``corpus_file`` (and optionally ``seed``) into the session; the rendered answer
object is left in ``st.session_state["rendered"]`` for the test to compare.
"""

import json
from pathlib import Path

import streamlit as st

from builder.errors import FieldError
from ui.renderer import FormRenderer

form = json.loads(Path(st.session_state["corpus_file"]).read_text())
renderer = FormRenderer(form["schema"], form["uiSchema"], key="corpus")
if "seed" in st.session_state:
    renderer.set_answers(st.session_state.pop("seed"))
errors = [FieldError(tuple(e[0]), e[1]) for e in st.session_state.get("errors", [])]
st.session_state["rendered"] = renderer.render(page=st.session_state.get("page"), errors=errors)
