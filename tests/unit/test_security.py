"""Password hashing and random tokens."""

import pytest

from estate_pwa.core import security
from estate_pwa.core.security import (
    INVITE_ALPHABET,
    INVITE_LENGTH,
    hash_password,
    hash_token,
    needs_rehash,
    new_invite_code,
    new_session_token,
    verify_password,
)


@pytest.fixture(scope="module")
def stored():
    """One hash of a known password (hashing is deliberately slow)."""
    return hash_password("Corr3ct horse")


def test_hash_is_argon2id_and_not_the_password(stored):
    assert stored.startswith("$argon2id$")
    assert "Corr3ct horse" not in stored


def test_hashes_are_salted():
    assert hash_password("same-Passw0rd") != hash_password("same-Passw0rd")


def test_verify_right_password(stored):
    assert verify_password(stored, "Corr3ct horse") is True


@pytest.mark.parametrize("attempt", ["corr3ct horse", "Corr3ct horse ", "", "Corr3ct", "x" * 1000])
def test_verify_wrong_password(stored, attempt):
    assert verify_password(stored, attempt) is False


def test_verify_without_hash_fails_even_for_the_dummy_password():
    assert verify_password(None, "not-a-real-password") is False
    assert verify_password(None, "anything") is False
    assert verify_password("", "anything") is False


def test_verify_empty_hash_refuses_the_dummy_password():
    assert verify_password("", "not-a-real-password") is False


@pytest.mark.parametrize("garbage", ["garbage", "$argon2id$v=19$broken", "$2b$12$abcdefghijklmnopqrstuv", "0" * 64])
def test_verify_garbage_hash_fails_without_raising(garbage):
    assert verify_password(garbage, "Corr3ct horse") is False


def test_fresh_hash_needs_no_rehash(stored):
    assert needs_rehash(stored) is False


def test_weaker_hash_needs_rehash():
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Corr3ct horse")
    assert needs_rehash(weak) is True


def test_session_tokens_are_unique_and_long():
    tokens = {new_session_token() for _ in range(500)}
    assert len(tokens) == 500
    assert all(len(t) >= 43 for t in tokens)  # 32 random bytes, url-safe base64


def test_hash_token_is_deterministic_hex_sha256_and_differs_from_token():
    token = new_session_token()
    digest = hash_token(token)
    assert digest == hash_token(token)
    assert digest != token
    assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
    assert hash_token(token + "x") != digest


def test_invite_alphabet_has_no_look_alikes():
    assert not set("01ILO") & set(INVITE_ALPHABET)


def test_invite_codes_use_only_the_alphabet_and_have_the_length():
    codes = [new_invite_code() for _ in range(500)]
    for code in codes:
        assert len(code) == INVITE_LENGTH
        assert set(code) <= set(INVITE_ALPHABET)
    assert len(set(codes)) == len(codes)
    assert len(set("".join(codes))) > len(INVITE_ALPHABET) // 2  # really random, not one letter


def test_dummy_hash_is_a_valid_hash():
    """The timing-equaliser must itself be verifiable, or a missing user would fail faster."""
    assert verify_password(security._DUMMY_HASH, "not-a-real-password") is True
