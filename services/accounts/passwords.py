"""Password hashing (bcrypt) and the password policy (等保 level 2, DESIGN.md §9).

A new password (own change; one-time passwords are generated to pass it) must have:

- at least `MIN_LENGTH` characters, and at most `MAX_BYTES` bytes in UTF-8 — bcrypt reads no more
  (bcrypt 5 raises ValueError past it); 72 bytes are 72 ASCII characters or 24 Chinese ones;
- characters of at least `MIN_CLASSES` of four classes: lower-case letter, upper-case letter, digit,
  symbol. Outside ASCII, a letter with case counts by its case (é lower, É upper), any decimal
  digit is a digit (full-width ７ too), and every other character — punctuation, space, a Chinese
  character, an emoji — counts as a symbol;
- not the username, nor the username reversed, nor (for usernames of 4 or more characters) the
  username inside it, all compared without regard to case;
- not a common password: its lower-case form, or its core (the letters left once the digits and
  symbols at either end are taken off, look-alike digits and symbols read as letters:
  "P@ssw0rd2024!" → "password"), is not in `common_passwords.txt`.

Each refusal is a `PolicyIssue`: a locales/ key and the params that fill it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import bcrypt

MIN_LENGTH = 8
MIN_CLASSES = 3
MAX_BYTES = 72  # bcrypt's limit
BYTES_PER_CHINESE_CHARACTER = 3  # UTF-8
# A username this short inside a longer password gives little away ("li", "wu").
USERNAME_INSIDE_MIN = 4
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
_ENDS = string.digits + string.punctuation + " "
# Digits and symbols read as the letters they look like; "1" may stand for i or l.
_LOOK_ALIKES = (
    str.maketrans("@4310$57!", "aaeiossti"),
    str.maketrans("@4310$57!", "aaelosstl"),
)


@dataclass(frozen=True)
class PolicyIssue:
    """Why a password is refused: a locales/ key and its params."""

    reason: str
    params: Mapping[str, object] = field(default_factory=dict)


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


def character_classes(password: str) -> set[str]:
    """Which of "lower", "upper", "digit", "symbol" the password uses (see the module doc)."""
    found: set[str] = set()
    for char in password:
        if char.islower():
            found.add("lower")
        elif char.isupper():
            found.add("upper")
        elif char.isdecimal():
            found.add("digit")
        else:
            found.add("symbol")
    return found


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def is_common(password: str) -> bool:
    """True when the password, or its core, is a common password (see the module doc)."""
    lowered = password.lower()
    core = lowered.strip(_ENDS)
    candidates = {lowered, lowered.strip(string.punctuation + " "), core}
    candidates |= {core.translate(table) for table in _LOOK_ALIKES}
    candidates |= {lowered.translate(table) for table in _LOOK_ALIKES}
    return not candidates.isdisjoint(common_passwords())


def contains_username(password: str, username: str) -> bool:
    name = username.strip().lower()
    if not name:
        return False
    lowered = password.lower()
    if lowered in (name, name[::-1]):
        return True
    return len(name) >= USERNAME_INSIDE_MIN and (name in lowered or name[::-1] in lowered)


def password_issues(password: str, username: str = "") -> list[PolicyIssue]:
    """Every reason the policy refuses `password` for the user `username`; [] when acceptable."""
    issues: list[PolicyIssue] = []
    if len(password) < MIN_LENGTH:
        issues.append(PolicyIssue("password.too_short", {"min_length": MIN_LENGTH}))
    if len(password.encode("utf-8")) > MAX_BYTES:
        issues.append(
            PolicyIssue(
                "password.too_long",
                {
                    "max_bytes": MAX_BYTES,
                    "max_chinese": MAX_BYTES // BYTES_PER_CHINESE_CHARACTER,
                },
            )
        )
    if len(character_classes(password)) < MIN_CLASSES:
        issues.append(PolicyIssue("password.character_classes", {"min_classes": MIN_CLASSES}))
    if contains_username(password, username):
        issues.append(PolicyIssue("password.contains_username"))
    if password and is_common(password):
        issues.append(PolicyIssue("password.common"))
    return issues


def password_problem(password: str, username: str = "") -> str | None:
    """None when the password is acceptable, else the locales/ key of its first issue."""
    issues = password_issues(password, username)
    return issues[0].reason if issues else None
