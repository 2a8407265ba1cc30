"""Passwords: bcrypt hashes and a policy that welcomes passphrases (NIST SP 800-63B style).

8 to 128 characters, no composition rules, the most common passwords refused.
"""

from __future__ import annotations

import base64
import hashlib

import bcrypt

MIN_LENGTH = 8
MAX_LENGTH = 128
# bcrypt reads only the first 72 bytes; longer passphrases are pre-hashed so every character counts.
_BCRYPT_LIMIT = 72

COMMON_PASSWORDS = frozenset(
    """123456 123456789 12345678 password qwerty123 qwerty 1234567890 111111 1234567 password1 123123
    abc123 iloveyou 00000000 1q2w3e4r qwertyuiop 11111111 123321 987654321 passw0rd password123 admin123
    letmein welcome welcome1 monkey dragon sunshine princess football baseball master trustno1 superman
    changeme administrator 88888888 12341234 qazwsxedc zaq12wsx asdfghjkl 1qaz2wsx password! p@ssw0rd
    formwork formwork1 citycouncil""".split()
)


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why a password is refused, in words for the person choosing it; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words make a strong passphrase."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS:
        return "This password is one of the most common ones. Choose something less predictable."
    if username and password.lower() == username.lower():
        return "Your password must not be your username."
    return None


def _prepared(password: str) -> bytes:
    raw = password.encode()
    if len(raw) > _BCRYPT_LIMIT:
        raw = base64.b64encode(hashlib.sha256(raw).digest())
    return raw


def hash_password(password: str, *, rounds: int = 12) -> str:
    return bcrypt.hashpw(_prepared(password), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, stored_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prepared(password), stored_hash.encode())
    except ValueError:
        return False


# A real hash to check against when the user does not exist, so both cases take the same time.
DUMMY_HASH = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuCAIN1XdhrOEvZWC7jqCWhWNvXsQJ6ZK"
