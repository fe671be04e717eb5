"""Checks on what clients send."""

import pytest

from estate_pwa.core.security import INVITE_ALPHABET, INVITE_LENGTH
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.validation import (
    NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    check_new_password,
    clean_invite_code,
    clean_name,
    clean_phone,
    login_password,
    positive_id,
)


def refused(fn, raw) -> str:
    """Call `fn(raw)`, expect a refusal and return its key."""
    with pytest.raises(InvalidInput) as info:
        fn(raw)
    return info.value.key


# Phone numbers

@pytest.mark.parametrize("raw", [
    "13800000001", "138 0000 0001", "+8613800000001", "138-0000-0001", "+86 138-0000-0001",
    " 13800000001 ", "\t138 0000\u00a00001",
])
def test_clean_phone_accepts(raw):
    assert clean_phone(raw) == "13800000001"


@pytest.mark.parametrize("raw", [
    "", "123", "1" * 10_000, "138000000011", "1380000000", "12800000001", "23800000001", "📱13800000001",
    "1' OR '1'='1", "13800000001'; DROP TABLE user;--", "+8713800000001", "8613800000001",
    "138.0000.0001", "(138)00000001", "+86+8613800000001",
])
def test_clean_phone_refuses(raw):
    assert refused(clean_phone, raw) == "error.phone_invalid"


@pytest.mark.parametrize("raw", [None, {}, {"phone": "13800000001"}, 13800000001, ["13800000001"], b"13800000001"])
def test_clean_phone_refuses_non_strings(raw):
    assert refused(clean_phone, raw) == "error.phone_invalid"


def test_clean_phone_refuses_fullwidth_number():
    assert refused(clean_phone, "\uff11\uff13\uff18" + "\uff10" * 8) == "error.phone_invalid"  # １３８００…


@pytest.mark.parametrize("raw", ["138" + "\u0660" * 8, "13" + "\uff18" + "\uff10" * 8])
def test_clean_phone_refuses_non_ascii_digits(raw):
    """Only ASCII digits make a phone number; other scripts' digits would slip past the uniqueness check."""
    assert refused(clean_phone, raw) == "error.phone_invalid"


# Names

def test_clean_name_trims():
    assert clean_name("  王小明 \n") == "王小明"
    assert clean_name("\u3000张三\u3000") == "张三"


def test_clean_name_normalises_to_nfc():
    assert clean_name("Jose\u0301") == "Jos\u00e9"


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "\u3000"])
def test_clean_name_refuses_empty(raw):
    assert refused(clean_name, raw) == "error.name_required"


@pytest.mark.parametrize("raw", ["a" * (NAME_MAX + 1), "王" * 51, "x" * 10_000])
def test_clean_name_refuses_long(raw):
    assert refused(clean_name, raw) == "error.name_too_long"


@pytest.mark.parametrize("raw", ["ab\x00cd", "ab\ncd", "ab\x1bcd", "ab\x7fcd", "ab\u202ecd", "ab\ue000cd"])
def test_clean_name_refuses_control_and_bidi_characters(raw):
    assert refused(clean_name, raw) == "error.name_invalid"


@pytest.mark.parametrize("raw", [None, 5, {}, ["王小明"]])
def test_clean_name_refuses_non_strings(raw):
    assert refused(clean_name, raw) == "error.name_invalid"


@pytest.mark.parametrize("raw", ["王小明", "欧阳娜娜", "Anna 😀", "😀" * NAME_MAX, "a" * NAME_MAX, "李 Li-Na O'Brien",
                                 "👨\u200d👩\u200d👧 一家"])
def test_clean_name_accepts(raw):
    assert clean_name(raw) == raw


# New passwords

@pytest.mark.parametrize("raw", ["abcdefg1", "A" * 127 + "1", "pass word 1", "密码密码密码abc1"])
def test_check_new_password_accepts(raw):
    assert check_new_password(raw) == raw
    assert PASSWORD_MIN <= len(raw) <= PASSWORD_MAX


@pytest.mark.parametrize("raw", ["", "abc1", "abcdef1", "a1" * 64 + "x", "a1" * 5000, None, 12345678, {}])
def test_check_new_password_length(raw):
    assert refused(check_new_password, raw) == "error.password_length"


@pytest.mark.parametrize("raw", ["abcdefgh", "12345678", "!!!!!!!!", "        ", "abcdefg!"])
def test_check_new_password_needs_letter_and_digit(raw):
    assert refused(check_new_password, raw) == "error.password_weak"


# Login passwords

def test_login_password_takes_any_non_empty_string():
    assert login_password("x") == "x"
    assert login_password(" ") == " "
    assert login_password("a" * PASSWORD_MAX) == "a" * PASSWORD_MAX


@pytest.mark.parametrize("raw", ["", None, 1234, {}, ["pw"]])
def test_login_password_required(raw):
    assert refused(login_password, raw) == "error.password_required"


def test_login_password_too_long_is_a_plain_login_failure():
    assert refused(login_password, "a" * (PASSWORD_MAX + 1)) == "error.login_failed"
    assert refused(login_password, "a" * 10_000) == "error.login_failed"


# Invite codes

def test_clean_invite_code_normalises_case_and_spaces():
    assert clean_invite_code("abcde fghjk") == "ABCDEFGHJK"
    assert clean_invite_code(" 23456\t789AB\n") == "23456789AB"


@pytest.mark.parametrize("raw", [
    "", "ABCDEFGHJ", "ABCDEFGHJKM", "ABCDEFGHJ0", "ABCDEFGHJ1", "ABCDEFGHJI", "ABCDEFGHJO", "ABCDEFGHJL",
    "ABCDE-FGHJK", "ABCDEFGHJ!", "ABCDEFGHJé", "A" * 65, "A" * 10_000, None, {}, 1234567890,
])
def test_clean_invite_code_refuses(raw):
    assert refused(clean_invite_code, raw) == "error.invite_invalid"


def test_every_alphabet_character_is_accepted():
    for ch in INVITE_ALPHABET:
        assert clean_invite_code(ch * INVITE_LENGTH) == ch * INVITE_LENGTH


# Ids

@pytest.mark.parametrize("raw, expected", [(1, 1), (42, 42), ("7", 7), (2**31 - 1, 2**31 - 1)])
def test_positive_id_accepts(raw, expected):
    assert positive_id(raw) == expected


@pytest.mark.parametrize("raw", [
    0, -1, -(2**63), "0", "-5", True, False, 1.0, 1.5, float("nan"), 2**62 + 1, 10**100, "9" * 5000,
    "abc", "", "1e3", {}, [], None, b"1",
])
def test_positive_id_refuses(raw):
    assert refused(positive_id, raw) == "error.bad_request"


# Free text, choices, whole numbers, times and photo names (the one parser per kind)

from datetime import UTC, datetime  # noqa: E402

from estate_pwa.services.validation import aware, choice, local_time, photo_names, text, whole  # noqa: E402


def test_text_is_trimmed_normalised_and_bounded():
    assert text("  Cafe\u0301 ", "error.x") == "Café"
    assert text("a\r\nb", "error.x", multiline=True) == "a\nb"
    assert text(None, "error.x", required=False) == "" and text("  ", "error.x", required=False) == ""
    assert refused(lambda raw: text(raw, "error.x"), "   ") == "error.x"
    assert refused(lambda raw: text(raw, "error.x"), 5) == "error.x"
    assert refused(lambda raw: text(raw, "error.x", 3), "abcd") == "error.text_too_long"
    for hostile in ("a\nb", "a\x00b", "a\u202eb", "a\u200bb"):
        assert refused(lambda raw: text(raw, "error.x"), hostile) == "error.bad_request"
    assert refused(lambda raw: text(raw, "error.x", multiline=True), "a\x07b") == "error.bad_request"


def test_choice_whole_and_times():
    assert choice("b", ("a", "b"), "error.x") == "b"
    assert refused(lambda raw: choice(raw, ("a",), "error.x"), ["a"]) == "error.x"
    assert whole(" 42 ", (1, 50), "error.x") == 42 and whole(7, (1, 50), "error.x") == 7
    for bad in (True, 0, 51, "4.5", "-3", "", None, 10**12):
        assert refused(lambda raw: whole(raw, (1, 50), "error.x"), bad) == "error.x"
    assert aware("2026-03-10T12:00:00+08:00") == datetime(2026, 3, 10, 4, tzinfo=UTC)
    for bad in ("2026-03-10T12:00:00", datetime(2026, 3, 10), "x" * 41, 17, "yesterday"):
        assert refused(aware, bad) == "error.bad_time"
    assert local_time("2026-03-10T12:00", "Asia/Shanghai").astimezone(UTC) == datetime(2026, 3, 10, 4, tzinfo=UTC)
    for bad in ("", "2026-03-10T12:00+08:00", "noon", None):
        assert refused(lambda raw: local_time(raw, "Asia/Shanghai"), bad) == "error.bad_time"


def test_photo_names_only_in_the_given_folders_and_within_the_limit():
    good = "requests/" + "a" * 32 + ".jpg"
    assert photo_names([good], ("requests", "work"), 3) == [good] and photo_names(None, ("requests",), 3) == []
    for bad in (["../requests/" + "a" * 32 + ".jpg"], ["other/" + "a" * 32 + ".jpg"], "requests/x.jpg", [3]):
        assert refused(lambda raw: photo_names(raw, ("requests",), 3), bad) == "error.bad_request"
    assert refused(lambda raw: photo_names(raw, ("requests",), 1), [good, good]) == "error.too_many_photos"
