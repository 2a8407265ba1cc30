"""A page of staff-written texts that look like markdown, for tests/e2e/test_label_rendering.py.

Each text is shown as a widget label (``ui.text.label_text``), a radio option, and in a markdown block
and a caption (``ui.text.plain``), each in a container keyed by its index.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `streamlit run` adds only this folder

import streamlit as st  # noqa: E402

from tests.e2e.label_texts import TEXTS  # noqa: E402
from ui.text import label_text, plain  # noqa: E402

for index, text in enumerate(TEXTS):
    with st.container(key=f"label-{index}"):
        st.text_input(label_text(text), key=f"input-{index}")
    with st.container(key=f"option-{index}"):
        st.radio("Option", [text], format_func=label_text, key=f"radio-{index}")
    with st.container(key=f"markdown-{index}"):
        st.markdown(plain(text))
    with st.container(key=f"caption-{index}"):
        st.caption(plain(text))
