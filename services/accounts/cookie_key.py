"""The secret that signs the sign-in cookie (a JWT). Never a default in the code (DESIGN.md §7).

Taken from the environment (CARELEDGER_COOKIE_KEY — set the same value on every replica), else
from data/cookie_key, which is generated at random on first start (mode 600, git-ignored).
A short or well-known key is refused: the app does not start with it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from db.engine import PROJECT_ROOT

ENV_VAR = "CARELEDGER_COOKIE_KEY"
KEY_FILE = PROJECT_ROOT / "data" / "cookie_key"
MIN_LENGTH = 32
# Keys seen in tutorials and sample configs; a cookie signed with them can be forged by anyone.
KNOWN_WEAK = {
    "some_key",
    "some_signature_key",
    "random_signature_key",
    "abcdef",
    "secret",
    "changeme",
    "change-me",
    "careledger",
}
_WEAK_FRAGMENTS = ("some_key", "signature_key", "changeme", "change-me", "change_me", "example")


class CookieKeyError(RuntimeError):
    """The configured cookie key is unsafe; the message says what to do."""


def weakness(key: str) -> str | None:
    """Why `key` is unsafe, or None."""
    lowered = key.strip().lower()
    if lowered in KNOWN_WEAK or any(fragment in lowered for fragment in _WEAK_FRAGMENTS):
        return "a well-known default"
    if len(key.encode("utf-8")) < MIN_LENGTH:
        return f"shorter than {MIN_LENGTH} bytes"
    if len(set(key)) < 10:
        return "too little variety (fewer than 10 different characters)"
    return None


def load_cookie_key(env: Mapping[str, str] | None = None, path: Path = KEY_FILE) -> str:
    """The cookie key from the environment or the key file, generating the file if missing."""
    env = os.environ if env is None else env
    configured = env.get(ENV_VAR, "").strip()
    if configured:
        _refuse_if_weak(configured, f"${ENV_VAR}")
        return configured
    if not path.exists():
        _generate(path)
    _tighten_mode(path)
    key = path.read_text(encoding="utf-8").strip()
    _refuse_if_weak(key, str(path))
    return key


def _refuse_if_weak(key: str, source: str) -> None:
    reason = weakness(key)
    if reason is not None:
        raise CookieKeyError(
            f"The cookie key in {source} is unsafe ({reason}). Use at least {MIN_LENGTH} random "
            f"bytes, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )


def _generate(path: Path) -> None:
    """Write a fresh random key atomically; if another process won the race, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(draft, path)  # fails if the key file appeared meanwhile
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def _tighten_mode(path: Path) -> None:
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
