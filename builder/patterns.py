"""Designer-written regular expressions, compiled with RE2 (linear time, no catastrophic backtracking).

Every ``pattern`` and ``patternProperties`` of a form is matched with these, never with Python's ``re``:
a pattern like ``^(a+)+$`` takes seconds in ``re`` on a 30-character property name a resident chooses,
and holds the interpreter meanwhile (every session waits).
"""

from __future__ import annotations

from functools import lru_cache

import re2


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re2._Regexp:
    """Compile with RE2; raises ``re2.error`` for what RE2 cannot run (backreferences, lookaround)."""
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


def matches_any(patterns: object, name: str) -> bool:
    """Whether ``name`` matches one of the keys of a ``patternProperties`` map (searched, as JSON Schema does)."""
    return isinstance(patterns, dict) and any(compile_pattern(pattern).search(name) for pattern in patterns)
