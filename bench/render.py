"""Our form renderer against a hand-written Streamlit script with the same 50 widgets.

    python -m bench.render [--runs 30] [--quick]

Both scripts run under AppTest (streamlit.testing.v1) in the same process: a fresh run (first
visit) followed by three reruns (a resident typing), repeated ``--runs`` times; the best of three
rounds is kept for each. The renderer script turns a 50-field JSON Schema + uiSchema into widgets
and collects the answer object; the baseline calls ``st.text_input`` & co. directly with the same
labels and keys. Prints both times and the ratio (renderer / hand-written). Target: <= 1.3.
``--quick`` (for ``bench.run --quick``) warms up with one visit and times one round: a smoke run that both
scripts still work, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402 - after the path is set for standalone runs

from bench.report import Result, emit  # noqa: E402

KINDS = ("text", "integer", "choice", "boolean", "date")
TARGET = 1.3
CHOICES = ["alpha", "beta", "gamma", "delta", "epsilon"]


def schema_50() -> dict:
    properties: dict = {}
    for i in range(50):
        name, kind = f"f{i:02d}", KINDS[i % 5]
        properties[name] = {
            "text": {"type": "string", "title": f"Field {i}", "maxLength": 200},
            "integer": {"type": "integer", "title": f"Field {i}", "minimum": 0, "maximum": 1000},
            "choice": {"type": "string", "title": f"Field {i}", "enum": CHOICES},
            "boolean": {"type": "boolean", "title": f"Field {i}"},
            "date": {"type": "string", "title": f"Field {i}", "format": "date"},
        }[kind]
    return {"type": "object", "properties": properties, "additionalProperties": False}


RENDERER_SCRIPT = """
import json
from ui.renderer import FormRenderer
schema = json.loads({schema!r})
FormRenderer(schema, {{}}, key="bench").render()
"""

HAND_HEAD = """
from datetime import date
import streamlit as st
answers = {}
"""
HAND_LINES = {
    "text": 'v = st.text_input("Field {i}", key="bench:f{i:02d}", max_chars=200)\nif v.strip(): answers["f{i:02d}"] = v.strip()',
    "integer": 'v = st.number_input("Field {i}", key="bench:f{i:02d}", value=None, min_value=0, max_value=1000, step=1, format="%d")\n'
               'if v is not None: answers["f{i:02d}"] = int(v)',
    "choice": 'v = st.selectbox("Field {i}", {choices!r}, index=None, key="bench:f{i:02d}")\nif v is not None: answers["f{i:02d}"] = v',
    "boolean": 'answers["f{i:02d}"] = st.checkbox("Field {i}", key="bench:f{i:02d}")',
    "date": 'v = st.date_input("Field {i}", value=None, min_value=date(1900, 1, 1), max_value=date(2100, 12, 31), '
            'key="bench:f{i:02d}")\nif v is not None: answers["f{i:02d}"] = v.isoformat()',
}


def hand_written() -> str:
    lines = [HAND_LINES[KINDS[i % 5]].format(i=i, choices=CHOICES) for i in range(50)]
    return HAND_HEAD + "\n".join(lines) + '\nst.session_state["answers"] = answers\n'


def timed(script: Path, runs: int, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(runs):
            app = AppTest.from_file(str(script), default_timeout=60)
            app.run()
            assert not app.exception, app.exception
            for _ in range(3):
                app.run()
        best = min(best, time.perf_counter() - start)
    return best / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="one warm-up visit and one round: a smoke run")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode warnings are noise here
    with tempfile.TemporaryDirectory() as folder:
        ours = Path(folder) / "renderer_form.py"
        ours.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                        + RENDERER_SCRIPT.format(schema=json.dumps(schema_50())))
        baseline = Path(folder) / "hand_written_form.py"
        baseline.write_text(hand_written())
        rounds = 1 if args.quick else 3
        timed(ours, 1 if args.quick else 2, rounds), timed(baseline, 1 if args.quick else 2, rounds)  # warm both
        hand = timed(baseline, args.runs, rounds)
        renderer = timed(ours, args.runs, rounds)
    print(f"hand-written script: {hand * 1000:.1f} ms per visit (1 run + 3 reruns, 50 widgets)")
    print(f"form renderer:       {renderer * 1000:.1f} ms per visit")
    ratio = renderer / hand
    emit([Result("render", "renderer vs hand-written Streamlit, 50-field form", f"{renderer * 1000:.1f} ms/visit",
                 f"{hand * 1000:.1f} ms/visit", ratio, f"time ratio <= {TARGET}", ratio <= TARGET)])


if __name__ == "__main__":
    main()
