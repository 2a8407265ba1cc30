"""Reference numbers a person can read out on the phone, and the secret that goes with them.

The reference (``PW-2026-00042``) is guessable by design; what protects a request is the access
code: 128 random bits from ``secrets``, stored only as a hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

REFERENCE_PATTERN = re.compile(r"^[A-Z]{2,4}-\d{4}-\d{5,}$")


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:05d}"


def normalise_reference(text: str) -> str:
    """Accept what people type: spaces, lower case."""
    return text.strip().upper().replace(" ", "")


def new_access_code() -> str:
    """A 128-bit random code, in groups of four for reading aloud (e.g. ``K7QX-...``)."""
    raw = secrets.token_bytes(16)
    digits = _base32_crockford(int.from_bytes(raw, "big"), length=26)
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def hash_access_code(code: str) -> str:
    # The code carries 128 bits of entropy, so a plain SHA-256 is enough: no stretching needed.
    return hashlib.sha256(_canonical_code(code).encode()).hexdigest()


def access_code_matches(code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_access_code(code), stored_hash)


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _base32_crockford(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return "".join(reversed(chars))


def _canonical_code(code: str) -> str:
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
