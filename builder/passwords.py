"""Passwords: bcrypt hashes and a policy that welcomes passphrases (NIST SP 800-63B, OWASP ASVS 5.0 §6.2).

8 to 128 characters (so passphrases of 64 and more fit), any characters, no composition rules and
no hints; the most common passwords (``common-passwords.txt``), their "password123!" variants, a
common one typed twice ("asdfasdf"), one repeated character and keyboard runs are refused.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from pathlib import Path

import bcrypt

MIN_LENGTH = 8
MAX_LENGTH = 128
# bcrypt reads only the first 72 bytes; longer passphrases are pre-hashed so every character counts.
_BCRYPT_LIMIT = 72

# The 10,000 most common passwords and 1,000 most common first names (OWASP ASVS 5.0 §6.2.4 asks for
# at least the top 3,000), shipped as a data file whose header names its source and licence ...
_COMMON_FILE = Path(__file__).with_name("common-passwords.txt")
# ... plus words specific to a city's form service and common French, German and Dutch ones.
_LOCAL_PASSWORDS = frozenset(
    """123456 123456789 12345678 password qwerty123 qwerty 1234567890 111111 1234567 password1 123123
    abc123 iloveyou 00000000 1q2w3e4r qwertyuiop 11111111 123321 987654321 passw0rd password123 admin123
    letmein welcome welcome1 monkey dragon sunshine princess football baseball master trustno1 superman
    changeme administrator 88888888 12341234 qazwsxedc zaq12wsx asdfghjkl 1qaz2wsx password! p@ssw0rd
    formwork formwork1 citycouncil cityhall townhall municipality abcd1234 aa123456 iloveyou1 1q2w3e4r5t
    qwer1234 1234qwer q1w2e3r4 q1w2e3r4t5 zxcvbnm zxcvbnm123 asdf1234 asdfghjkl1 qwertyui 1qazxsw2
    987654321 147258369 123654789 159753456 741852963 123qweasd qweasdzxc qwe123456 password12 password2
    passw0rd1 p@ssword p@ssword1 pa55word pa55w0rd secret123 letmein1 welcome123 welcome2024 welcome2025
    welcome2026 summer2024 summer2025 summer2026 winter2024 winter2025 winter2026 autumn2025 spring2025
    spring2026 football1 baseball1 basketball michael jennifer jordan23 superman1 batman123 starwars
    whatever shadow123 sunshine1 princess1 charlie1 freedom1 iloveyou2 lovelove loveme123 computer
    internet microsoft google123 facebook linkedin password01 default1 guest123 user1234 test1234
    testtest 12qwaszx 1234abcd abcdefgh abcdefg1 a1b2c3d4 mustang1 maggie123 chocolate butterfly
    liverpool chelsea1 arsenal1 manchester barcelona realmadrid jesus123 blessed1 trustno1! 11223344
    12344321 12121212 11112222 99999999 77777777 66666666 55555555 44444444 33333333 22222222 10203040
    01234567 0987654321 1111111111 123456789a 123456789q 12345678a 12345678q motdepasse azerty azerty123
    azertyuiop soleil bonjour1 doudou123 marseille passwort hallo123 schatz123 wachtwoord welkom01
    contrasena changeit changeme1 letmein123 adminadmin admin1234 administrator1 rootroot toortoor
    qwerty12 qwerty1234 qwertz qwertz123 ytrewq 123abc456 asdasdasd zxczxczxc""".split()
)


def _read_list(path: Path) -> frozenset[str]:
    lines = (line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


COMMON_PASSWORDS = _read_list(_COMMON_FILE) | _LOCAL_PASSWORDS
_SUFFIX = re.compile(r"[\d!@#$%^&*?.\-_ ]+$")
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")


# The refusals, named so pages can show each in the person's language (pages/account.py).
TOO_SHORT = f"Use at least {MIN_LENGTH} characters. A few unrelated words make a strong passphrase."
TOO_LONG = f"Use at most {MAX_LENGTH} characters."
REPETITIVE = "This password repeats one or two characters. Choose something less predictable."
TOO_COMMON = "This password is one of the most common ones. Choose something less predictable."
CONTAINS_USERNAME = "Your password must not contain your username."


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why a password is refused, in words for the person choosing it; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if len(set(password.lower())) <= 2:  # "aaaaaaaa", "abababab"
        return REPETITIVE
    if _is_common(password):
        return TOO_COMMON
    if username and (password.lower() == username.lower() or (len(username) >= 4 and username.lower() in password.lower())):
        return CONTAINS_USERNAME
    return None


def _is_common(password: str) -> bool:
    """A common password, with a common suffix ("dragon2026!"), or a common word typed twice ("asdfasdf")."""
    lowered = password.lower().strip()
    stem = _SUFFIX.sub("", lowered)
    halves = (_first_half_if_doubled(lowered), _first_half_if_doubled(stem))
    return _is_common_word(lowered) or any(_is_common_word(half) for half in halves)


def _is_common_word(word: str) -> bool:
    if not word:
        return False
    stem = _SUFFIX.sub("", word)
    return (word in COMMON_PASSWORDS or (bool(stem) and stem in COMMON_PASSWORDS and len(word) - len(stem) <= 6)
            or any(word in row or word in row[::-1] for row in _KEYBOARD_ROWS))


def _first_half_if_doubled(word: str) -> str:
    """"trustno1" for "trustno1trustno1"; "" when the word is not one part typed twice."""
    half, odd = divmod(len(word), 2)
    return word[:half] if not odd and half >= 3 and word[:half] == word[half:] else ""


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


_WORDS = ("amber", "basil", "cedar", "delta", "ember", "fjord", "grove", "harbor", "island", "juniper", "kettle",
          "lantern", "meadow", "nectar", "orchard", "pepper", "quarry", "river", "saffron", "timber", "umber",
          "violet", "willow", "yarrow", "zephyr", "bridge", "canal", "dune", "ferry", "glacier", "hollow", "market")


def temporary_password() -> str:
    """A random passphrase an administrator hands over after a reset (``secrets``, never ``random``)."""
    words = [secrets.choice(_WORDS) for _ in range(4)]
    return "-".join(words) + f"-{secrets.randbelow(100):02d}"


# A real hash to check against when the user does not exist, so both cases take the same time.
DUMMY_HASH = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuCAIN1XdhrOEvZWC7jqCWhWNvXsQJ6ZK"
