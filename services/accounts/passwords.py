"""Password hashing (bcrypt) and the password policy."""

from __future__ import annotations

import re

import bcrypt

MIN_LENGTH = 8


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


def password_problem(password: str) -> str | None:
    """None when the password is acceptable, else a locales/ key saying why not."""
    if len(password) < MIN_LENGTH:
        return "password.too_short"
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return "password.letters_and_digits"
    return None
