"""Signed QR tokens: round trip, tampering, purposes, the secret (env or a 0600 file) and code revocation."""

import os
import re
import stat
import threading

import pytest

from estate_pwa.core import tokens
from estate_pwa.models import Area, Role
from estate_pwa.services import patrol
from estate_pwa.services.errors import InvalidInput

KEY = "unit-test-secret-key-0123456789"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def env_key(monkeypatch):
    monkeypatch.setenv(tokens.SECRET_ENV, KEY)
    monkeypatch.delenv(tokens.SECRET_FILE_ENV, raising=False)


@pytest.fixture
def key_file(monkeypatch, tmp_path):
    """No ESTATE_SECRET_KEY: the secret lives in a file under tmp_path (not created yet)."""
    path = tmp_path / "nested" / "secret_key"
    monkeypatch.delenv(tokens.SECRET_ENV, raising=False)
    monkeypatch.setenv(tokens.SECRET_FILE_ENV, str(path))
    return path


def test_round_trip_and_url_safe(env_key):
    for payload in ("12:345:1", "x", "中文:payload", "a" * tokens.PAYLOAD_MAX):
        token = tokens.sign("patrol-point", payload)
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token), token
        assert tokens.verify("patrol-point", token) == payload


def test_the_same_payload_signs_the_same_and_different_payloads_differ(env_key):
    assert tokens.sign("patrol-point", "1:2:3") == tokens.sign("patrol-point", "1:2:3")
    assert tokens.sign("patrol-point", "1:2:3") != tokens.sign("patrol-point", "1:2:4")


def test_a_token_for_one_purpose_does_not_verify_for_another(env_key):
    token = tokens.sign("patrol-point", "1:2:3")
    for other in ("patrol-points", "invite", "patrol-point2", "p"):
        with pytest.raises(tokens.TokenInvalid):
            tokens.verify(other, token)
    assert tokens.sign("invite", "1:2:3").split(".")[1] != token.split(".")[1]


def test_every_single_character_change_is_refused(env_key):
    token = tokens.sign("patrol-point", "12:345:1")
    for i, ch in enumerate(token):
        for replacement in {B64[(B64.index(ch) + 1) % 64] if ch in B64 else "A", "."}:
            forged = token[:i] + replacement + token[i + 1:]
            if forged == token:
                continue
            with pytest.raises(tokens.TokenInvalid):
                tokens.verify("patrol-point", forged)


def test_swapped_payload_with_a_valid_looking_signature_is_refused(env_key):
    good = tokens.sign("patrol-point", "12:345:1")
    other = tokens.sign("patrol-point", "12:346:1")
    forged = other.split(".")[0] + "." + good.split(".")[1]
    with pytest.raises(tokens.TokenInvalid):
        tokens.verify("patrol-point", forged)


@pytest.mark.parametrize("bad", [
    None, 12, b"abc", "", ".", "abc", "abc.", ".abc", "a.b.c", "MTI6MzQ1OjE=.abc", "MTI6MzQ1OjE.%%%",
    "MTI6MzQ1OjE.AAAA AAAA", "x" * (tokens.TOKEN_MAX + 1), "中文.签名", "MTI6MzQ1OjE\n.abc",
])
def test_garbage_is_refused(env_key, bad):
    with pytest.raises(tokens.TokenInvalid):
        tokens.verify("patrol-point", bad)


def test_non_canonical_base64_is_refused(env_key):
    token = tokens.sign("patrol-point", "ab")  # 2 bytes -> 3 characters, the last with unused low bits
    body, tag = token.split(".")
    other_spelling = body[:-1] + B64[B64.index(body[-1]) + 1]
    assert tokens._decode(body) == b"ab"
    with pytest.raises(tokens.TokenInvalid):
        tokens.verify("patrol-point", f"{other_spelling}.{tag}")


def test_truncated_and_extended_tokens_are_refused(env_key):
    token = tokens.sign("patrol-point", "12:345:1")
    for forged in (token[:-1], token[:-4], token + "A", token + "AAAA", token.split(".")[0]):
        with pytest.raises(tokens.TokenInvalid):
            tokens.verify("patrol-point", forged)


def test_a_token_from_another_secret_is_refused(env_key, monkeypatch):
    token = tokens.sign("patrol-point", "12:345:1")
    monkeypatch.setenv(tokens.SECRET_ENV, KEY + "-rotated")
    with pytest.raises(tokens.TokenInvalid):
        tokens.verify("patrol-point", token)


def test_sign_checks_its_arguments(env_key):
    for purpose in ("", "Patrol", "has space", "x" * (tokens.PURPOSE_MAX + 1), None):
        with pytest.raises(ValueError):
            tokens.sign(purpose, "1")
        with pytest.raises(ValueError):
            tokens.verify(purpose, "abc.def")
    for payload in ("", "a" * (tokens.PAYLOAD_MAX + 1), None, 5):
        with pytest.raises(ValueError):
            tokens.sign("patrol-point", payload)


def test_a_short_configured_secret_is_rejected(monkeypatch):
    monkeypatch.setenv(tokens.SECRET_ENV, "short")
    with pytest.raises(RuntimeError):
        tokens.sign("patrol-point", "1")


def test_configured_secret_wins_and_no_file_is_made(monkeypatch, tmp_path):
    path = tmp_path / "secret_key"
    monkeypatch.setenv(tokens.SECRET_ENV, KEY)
    monkeypatch.setenv(tokens.SECRET_FILE_ENV, str(path))
    tokens.sign("patrol-point", "1")
    assert not path.exists()


def test_secret_file_is_created_0600_and_reused(key_file):
    old_umask = os.umask(0)  # even with a permissive umask the file is private
    try:
        token = tokens.sign("patrol-point", "12:345:1")
    finally:
        os.umask(old_umask)
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = key_file.read_text()
    assert len(content.strip()) >= 64
    assert not [p for p in key_file.parent.iterdir() if p != key_file]  # no temporary file left behind
    tokens._file_secrets.clear()  # as a new process would: read the file again
    assert tokens.verify("patrol-point", token) == "12:345:1"
    assert key_file.read_text() == content


def test_an_existing_secret_file_is_used_as_is(key_file, monkeypatch):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("an-operator-made-secret-of-enough-length\n")
    token = tokens.sign("patrol-point", "1:2:3")
    monkeypatch.setenv(tokens.SECRET_ENV, "an-operator-made-secret-of-enough-length")
    assert tokens.verify("patrol-point", token) == "1:2:3"  # the same secret, read from the file


def test_different_secret_files_do_not_accept_each_others_tokens(key_file, monkeypatch, tmp_path):
    token = tokens.sign("patrol-point", "1:2:3")
    monkeypatch.setenv(tokens.SECRET_FILE_ENV, str(tmp_path / "other_key"))
    with pytest.raises(tokens.TokenInvalid):
        tokens.verify("patrol-point", token)


def test_a_too_short_secret_file_is_rejected(key_file):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("short\n")
    with pytest.raises(RuntimeError):
        tokens.sign("patrol-point", "1")


def test_processes_racing_to_create_the_secret_agree(key_file):
    """Many creators at once (the cache cleared in between, as separate processes would be): one secret wins."""
    results, barrier = [], threading.Barrier(8)

    def create():
        barrier.wait(timeout=10)
        results.append(tokens._secret_from_file(key_file))
        tokens._file_secrets.clear()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 8 and len(set(results)) == 1
    assert results[0] == key_file.read_text().strip().encode()


# Revocation: checkpoint codes carry the checkpoint's code version

def test_reissuing_a_code_revokes_the_old_one(session, factory, env_key):
    estate = factory.estate()
    boss = factory.actor(factory.user(estate, Role.MANAGER, name="经理"))
    area = Area(estate_id=estate.id, name="大门", kind="gate")
    session.add(area)
    session.commit()
    point = patrol.create_point(session, boss, area.id, "东门岗亭")
    session.commit()
    first = patrol.point_token(point)
    assert patrol.resolve_point(session, first).id == point.id
    assert tokens.verify(patrol.TOKEN_PURPOSE, first) == f"{estate.id}:{point.id}:1"

    patrol.reissue_code(session, boss, point.id)
    session.commit()
    second = patrol.point_token(point)
    assert second != first
    assert tokens.verify(patrol.TOKEN_PURPOSE, second) == f"{estate.id}:{point.id}:2"
    with pytest.raises(InvalidInput) as info:
        patrol.resolve_point(session, first)
    assert info.value.key == "error.qr_revoked"
    assert patrol.resolve_point(session, second).id == point.id
    # a version from the future cannot come from this server
    with pytest.raises(InvalidInput) as info:
        patrol.resolve_point(session, tokens.sign(patrol.TOKEN_PURPOSE, f"{estate.id}:{point.id}:3"))
    assert info.value.key == "error.qr_invalid"
