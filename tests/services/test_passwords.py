"""The password policy (services/accounts/passwords.py) per 等保 level 2: at least 8 characters,
three of four character classes, not the username, not a common password, and nothing bcrypt
cannot take (over 72 UTF-8 bytes) — each refusal a locale key with its params."""

from __future__ import annotations

import pytest

from locales import catalogue, t
from services.accounts import passwords, signin, user_admin
from services.accounts.passwords import (
    MAX_BYTES,
    character_classes,
    common_passwords,
    password_issues,
    password_problem,
    verify_password,
)
from services.errors import ValidationFailed
from tests.factories import TEST_PASSWORD, actor_of, make_school, make_user
from tests.services.accounts_helpers import reload_user


def reasons(password: str, username: str = "") -> list[str]:
    return [issue.reason for issue in password_issues(password, username)]


# --- what the issue found accepted ---------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    [
        "password1",  # two classes, and the most common password there is
        "qwerty123",
        "Password1",  # three classes, still the first word anyone tries
        "Qwerty123!",
        "P@ssw0rd2024",  # leet spelling and a year do not hide it
        "Admin@123",
        "Woaini1314!",
        "1qaz@WSX",
        "Aa123456",
        "Abc@12345",
        "Careledger2026",  # the app's own name
    ],
)
def test_common_passwords_are_refused(weak):
    assert "password.common" in reasons(weak)
    assert password_problem(weak) is not None


def test_the_username_is_not_a_password():
    assert reasons("Lanhua01", "lanhua01") == ["password.contains_username"]
    assert reasons("10auhnaL", "Lanhua01") == ["password.contains_username"]  # reversed
    assert reasons("Ma.laoshi-2026", "ma.laoshi") == ["password.contains_username"]
    assert reasons("Ma.laoshi-2026", "MA.LAOSHI") == ["password.contains_username"]
    # A short username inside a longer password is no giveaway.
    assert reasons("Kuli-Lanhua7", "li") == []


def test_at_least_eight_characters_of_three_classes():
    assert reasons("Ab1!xyz") == ["password.too_short"]
    assert reasons("lanhuaxiaoxi") == ["password.character_classes"]  # one class
    assert reasons("lanhua-xiaoxi") == ["password.character_classes"]  # two
    assert reasons("lanhua7xiaoxi") == ["password.character_classes"]
    assert reasons("Lanhua7xiaoxi") == []  # lower, upper, digit
    assert reasons("lanhua-7xiaoxi") == []  # lower, symbol, digit
    assert reasons("LANHUA-XIAOXI") == ["password.character_classes"]
    assert reasons("LANHUA-XIAOXi") == []
    # A short weak one hears every reason at once.
    assert reasons("short1") == ["password.too_short", "password.character_classes"]


def test_how_characters_outside_ascii_count():
    """Letters with case count by their case (é lower, É upper), any decimal digit is a digit,
    and everything else — punctuation, space, a Chinese character — counts as a symbol."""
    assert character_classes("é") == {"lower"}
    assert character_classes("É") == {"upper"}
    assert character_classes("７") == {"digit"}  # full-width, as a Chinese IME types it
    assert character_classes("汉 -") == {"symbol"}
    assert reasons("蓝花abc2026") == []  # lower, digit, symbol (Chinese)
    assert reasons("我的密码是蓝色花朵") == ["password.character_classes"]


def test_what_bcrypt_cannot_take_is_refused_with_a_clear_message():
    longest = "Ab1" + "汉" * 23  # 3 + 69 = 72 bytes: the most bcrypt takes
    assert len(longest.encode("utf-8")) == MAX_BYTES
    assert reasons(longest) == []
    too_long = "Ab1" + "汉" * 24  # 27 characters, 75 bytes
    [issue] = password_issues(too_long)
    assert issue.reason == "password.too_long"
    message = t(issue.reason, **issue.params)
    assert "72" in message and "24" in message
    assert "72" in t(issue.reason, "en", **issue.params)


def test_change_form_refuses_an_over_long_password_instead_of_crashing(session):
    """25 Chinese characters and a few letters and digits passed the old policy, then bcrypt
    raised ValueError inside the change form."""
    user = make_user(session, make_school(session), username="zhou", must_change_password=True)
    actor = actor_of(session, user)
    long_chinese = "我家门前有两棵树一棵是枣树另一棵也是枣树真的很高大Ab12"  # 25 汉字, 79 bytes
    assert len(long_chinese.encode("utf-8")) == 79
    with pytest.raises(ValidationFailed) as err:
        signin.change_own_password(session, actor, TEST_PASSWORD, long_chinese)
    assert [p.reason for p in err.value.problems] == ["password.too_long"]
    assert "72" in err.value.problems[0].message
    assert verify_password(TEST_PASSWORD, reload_user(session, user.id).password_hash)


@pytest.mark.parametrize(
    ("new", "reason"),
    [("password1", "password.common"), ("qwerty123", "password.common")],
)
def test_change_form_refuses_common_passwords(session, new, reason):
    user = make_user(session, make_school(session), username="qian")
    with pytest.raises(ValidationFailed) as err:
        signin.change_own_password(session, actor_of(session, user), TEST_PASSWORD, new)
    assert reason in [p.reason for p in err.value.problems]


def test_change_form_refuses_the_username(session):
    user = make_user(session, make_school(session), username="sun.laoshi")
    with pytest.raises(ValidationFailed) as err:
        signin.change_own_password(session, actor_of(session, user), TEST_PASSWORD, "Sun.Laoshi1")
    assert [p.reason for p in err.value.problems] == ["password.contains_username"]


def test_change_form_takes_a_good_password(session):
    user = make_user(session, make_school(session), username="wu")
    signin.change_own_password(session, actor_of(session, user), TEST_PASSWORD, "Lanhua-7xiaoxi")
    assert verify_password("Lanhua-7xiaoxi", reload_user(session, user.id).password_hash)


def test_one_time_passwords_always_pass_the_policy():
    for _ in range(500):
        assert password_problem(user_admin.one_time_password()) is None


# --- the list and the messages -------------------------------------------------------------------


def test_the_common_password_list_ships_with_the_code():
    words = common_passwords()
    assert len(words) >= 300
    assert {"password", "qwerty", "123456", "woaini1314", "admin", "1qaz2wsx"} <= words
    raw = passwords.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    entries = [line for line in raw if line and not line.startswith("#")]
    assert entries == [line.strip().lower() for line in entries]  # stored lower-case, trimmed
    assert len(entries) == len(set(entries))  # no duplicates


def test_every_reason_has_a_message_in_both_languages():
    samples = ["", "x" * 80, "汉" * 30, "password", "abcdabcd"]
    found = {
        issue.reason: issue.params
        for sample in samples
        for issue in password_issues(sample, "abcdabcd")
    }
    assert set(found) == {
        "password.too_short",
        "password.too_long",
        "password.character_classes",
        "password.contains_username",
        "password.common",
    }
    for lang in ("zh_CN", "en"):
        for reason, params in found.items():
            assert reason in catalogue(lang)
            text = t(reason, lang, **params)
            assert "{" not in text
