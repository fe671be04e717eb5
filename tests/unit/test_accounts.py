"""Logging in and out, staff accounts, password resets and resident invitations."""

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.core.config import settings
from estate_pwa.core.security import INVITE_ALPHABET, INVITE_LENGTH, hash_token
from estate_pwa.models import AuditEntry, AuthSession, Building, InviteCode, Role, User, UserRole
from estate_pwa.services import accounts
from estate_pwa.services.errors import InvalidInput, LoginRefused, NotAllowed, NotFound
from estate_pwa.services.permissions import roles_of
from tests.factories import PASSWORD, unique_phone
from tests.unit.conftest import NOW

NEW_PASSWORD = "N3w-secret-pw"


def login_refused(session, phone, password, now=NOW) -> LoginRefused:
    with pytest.raises(LoginRefused) as info:
        accounts.login(session, phone, password, now=now)
    return info.value


def actions(session, estate_id) -> list[str]:
    """Audit actions of one estate, oldest first."""
    return list(session.exec(select(AuditEntry.action).where(AuditEntry.estate_id == estate_id).order_by(AuditEntry.id)))


@pytest.fixture
def manager(factory, estate):
    return factory.user(estate, Role.MANAGER, name="经理")


@pytest.fixture
def boss(factory, manager):
    return factory.actor(manager)


@pytest.fixture
def guard(factory, estate):
    return factory.user(estate, Role.GUARD, name="保安")


# Login

def test_login_returns_actor_and_token_that_resolves(session, fresh_session, guard, estate):
    actor, token = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    assert actor.id == guard.id and actor.estate_id == estate.id and actor.roles == frozenset({Role.GUARD})
    assert isinstance(token, str) and len(token) >= 43
    # The session is committed: another connection sees it, and only the hash is stored.
    assert accounts.resolve(fresh_session, token, now=NOW + timedelta(minutes=1)) == actor
    stored = fresh_session.exec(select(AuthSession).where(AuthSession.user_id == guard.id)).one()
    assert stored.token_hash == hash_token(token) != token
    assert stored.expires_at == NOW + settings.session_lifetime
    assert "login" in actions(fresh_session, estate.id)


def test_login_accepts_phone_in_any_written_form(session, guard):
    spaced = f"+86 {guard.phone[:3]} {guard.phone[3:7]}-{guard.phone[7:]}"
    actor, _ = accounts.login(session, spaced, PASSWORD, now=NOW)
    assert actor.id == guard.id


def test_each_login_gets_its_own_token(session, guard):
    _, first = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    _, second = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    assert first != second
    assert accounts.resolve(session, first, now=NOW) is not None
    assert accounts.resolve(session, second, now=NOW) is not None


def test_wrong_password_counts_down(session, fresh_session, guard):
    for attempt in range(1, settings.max_failed_logins):
        error = login_refused(session, guard.phone, "wrong-Passw0rd")
        assert (error.key, error.params) == ("error.login_failed", {})
    # The count is committed although every attempt was refused.
    assert fresh_session.get(User, guard.id).failed_logins == settings.max_failed_logins - 1


def test_success_resets_the_failure_count(session, fresh_session, guard):
    for _ in range(settings.max_failed_logins - 1):
        login_refused(session, guard.phone, "wrong-Passw0rd")
    accounts.login(session, guard.phone, PASSWORD, now=NOW)
    assert fresh_session.get(User, guard.id).failed_logins == 0
    login_refused(session, guard.phone, "wrong-Passw0rd")
    fresh_session.expire_all()
    assert fresh_session.get(User, guard.id).failed_logins == 1


def test_lockout_after_max_failures_then_unlock_when_time_passes(session, fresh_session, guard, estate):
    for _ in range(settings.max_failed_logins - 1):
        login_refused(session, guard.phone, "wrong-Passw0rd")
    error = login_refused(session, guard.phone, "wrong-Passw0rd")
    assert error.key == "error.account_locked"
    assert error.params == {"minutes": 15}
    stored = fresh_session.get(User, guard.id)
    assert stored.locked_until == NOW + settings.lockout
    assert "account_locked" in actions(fresh_session, estate.id)

    # Even the right password is refused while locked, and it reports the minutes left.
    error = login_refused(session, guard.phone, PASSWORD, now=NOW + timedelta(minutes=5, seconds=30))
    assert error.key == "error.account_locked"
    assert error.params == {"minutes": 10}
    error = login_refused(session, guard.phone, PASSWORD, now=NOW + settings.lockout - timedelta(seconds=1))
    assert error.key == "error.account_locked" and error.params == {"minutes": 1}

    # Once the lock has passed, the right password works (read back from the database).
    session.expire_all()
    actor, token = accounts.login(session, guard.phone, PASSWORD, now=NOW + settings.lockout + timedelta(seconds=1))
    assert actor.id == guard.id and token
    fresh_session.expire_all()
    stored = fresh_session.get(User, guard.id)
    assert stored.locked_until is None and stored.failed_logins == 0


def test_after_lockout_the_countdown_starts_again(session, guard):
    for _ in range(settings.max_failed_logins):
        login_refused(session, guard.phone, "wrong-Passw0rd")
    later = NOW + settings.lockout + timedelta(seconds=1)
    error = login_refused(session, guard.phone, "wrong-Passw0rd", now=later)
    assert error.key == "error.login_failed"


def test_unknown_phone(session, factory):
    error = login_refused(session, unique_phone(), PASSWORD)
    assert error.key == "error.login_failed"
    assert error.params == {}


@pytest.mark.parametrize("phone, password, key", [
    ("123", PASSWORD, "error.phone_invalid"),
    (None, PASSWORD, "error.phone_invalid"),
    ({"$ne": ""}, PASSWORD, "error.phone_invalid"),
    ("13800000001", "", "error.password_required"),
    ("13800000001", None, "error.password_required"),
    ("13800000001", "a" * 10_000, "error.login_failed"),
])
def test_malformed_login_is_refused_as_login_refused(session, phone, password, key):
    assert login_refused(session, phone, password).key == key


def test_disabled_account_is_refused(session, guard):
    guard.is_active = False
    session.commit()
    error = login_refused(session, guard.phone, PASSWORD)
    assert error.key == "error.account_disabled"
    assert session.exec(select(AuthSession).where(AuthSession.user_id == guard.id)).first() is None


# Sessions

def test_logout_revokes(session, fresh_session, guard, estate):
    _, token = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    accounts.logout(session, token, now=NOW + timedelta(hours=1))
    session.commit()
    assert accounts.resolve(session, token, now=NOW + timedelta(hours=2)) is None
    assert accounts.resolve(fresh_session, token, now=NOW + timedelta(hours=2)) is None
    assert actions(fresh_session, estate.id)[-1] == "logout"


def test_logout_only_revokes_that_device(session, guard):
    _, phone_token = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    _, tablet_token = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    accounts.logout(session, phone_token, now=NOW)
    assert accounts.resolve(session, phone_token, now=NOW) is None
    assert accounts.resolve(session, tablet_token, now=NOW) is not None


@pytest.mark.parametrize("token", [None, "", "x" * 10_000, {}, 123, "nope"])
def test_logout_ignores_garbage(session, token):
    accounts.logout(session, token, now=NOW)  # must not raise


def test_session_expires(session, fresh_session, guard):
    _, token = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    last_moment = NOW + settings.session_lifetime - timedelta(seconds=1)
    assert accounts.resolve(fresh_session, token, now=last_moment) is not None
    assert accounts.resolve(fresh_session, token, now=NOW + settings.session_lifetime) is None
    assert accounts.resolve(fresh_session, token, now=NOW + settings.session_lifetime + timedelta(seconds=1)) is None


@pytest.mark.parametrize("token", [None, "", "x" * 10_000, {}, {"token": "x"}, ["x"], 42, b"bytes", "unknown-token"])
def test_garbage_tokens_resolve_to_none(session, token):
    assert accounts.resolve(session, token, now=NOW) is None


def test_disabled_user_token_stops_resolving(session, guard):
    _, token = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    guard.is_active = False
    session.commit()
    assert accounts.resolve(session, token, now=NOW) is None


# Staff accounts

def test_manager_creates_staff(session, fresh_session, boss, estate, manager):
    phone = unique_phone()
    user = accounts.create_staff(session, boss, " 李师傅 ", phone, ["technician", Role.GUARD], "Init1al-pw")
    session.commit()
    stored = fresh_session.get(User, user.id)
    assert stored.name == "李师傅" and stored.phone == phone and stored.estate_id == estate.id
    assert stored.unit_id is None and stored.is_active
    assert roles_of(fresh_session, user.id) == frozenset({Role.TECHNICIAN, Role.GUARD})
    entry = fresh_session.exec(select(AuditEntry).where(
        AuditEntry.estate_id == estate.id, AuditEntry.action == "staff_created")).one()
    assert entry.actor_id == manager.id and entry.target_type == "user" and entry.target_id == user.id
    assert entry.detail == {"roles": ["guard", "technician"]}
    actor, _ = accounts.login(session, phone, "Init1al-pw", now=NOW)
    assert actor.id == user.id


@pytest.mark.parametrize("roles", [(Role.GUARD,), (Role.CLEANER, Role.TECHNICIAN), ()])
def test_non_manager_cannot_create_staff(session, factory, estate, roles):
    someone = factory.actor(factory.user(estate, *roles))
    phone = unique_phone()
    before = actions(session, estate.id)
    with pytest.raises(NotAllowed) as info:
        accounts.create_staff(session, someone, "新人", phone, ["guard"], "Init1al-pw")
    assert info.value.key == "error.not_allowed"
    session.commit()
    assert session.exec(select(User).where(User.phone == phone)).first() is None
    assert actions(session, estate.id) == before


def test_anonymous_cannot_create_staff(session):
    with pytest.raises(NotAllowed) as info:
        accounts.create_staff(session, None, "新人", unique_phone(), ["guard"], "Init1al-pw")
    assert info.value.key == "error.login_required"


def test_duplicate_phone_is_refused(session, boss, guard, factory):
    with pytest.raises(InvalidInput) as info:
        accounts.create_staff(session, boss, "重复", guard.phone, ["guard"], "Init1al-pw")
    assert info.value.key == "error.phone_taken"
    # Also when the phone belongs to another estate, and when written differently.
    other = factory.user(factory.estate(), Role.GUARD)
    with pytest.raises(InvalidInput) as info:
        accounts.create_staff(session, boss, "重复", "+86 " + other.phone, ["guard"], "Init1al-pw")
    assert info.value.key == "error.phone_taken"


@pytest.mark.parametrize("roles", [["resident"], [Role.RESIDENT], ["guard", "resident"], [], None, "guard",
                                   ["janitor"], [{}], {"guard": 1}])
def test_staff_roles_must_be_staff_roles(session, boss, roles):
    phone = unique_phone()
    with pytest.raises(InvalidInput) as info:
        accounts.create_staff(session, boss, "新人", phone, roles, "Init1al-pw")
    assert info.value.key == "error.roles_required"
    assert session.exec(select(User).where(User.phone == phone)).first() is None


@pytest.mark.parametrize("name, phone, password, key", [
    ("", None, "Init1al-pw", "error.name_required"),
    ("新人", "123", "Init1al-pw", "error.phone_invalid"),
    ("新人", None, "short1", "error.password_length"),
    ("新人", None, "onlyletters", "error.password_weak"),
])
def test_create_staff_validates_input(session, boss, name, phone, password, key):
    with pytest.raises(InvalidInput) as info:
        accounts.create_staff(session, boss, name, phone or unique_phone(), ["guard"], password)
    assert info.value.key == key


def test_staff_of_estate_lists_only_own_staff(session, factory, estate, boss, manager, guard):
    unit = factory.units(estate)[0]
    factory.user(estate, Role.RESIDENT, unit=unit)
    factory.user(factory.estate(), Role.GUARD)
    staff = dict((u.id, roles) for u, roles in accounts.staff_of_estate(session, boss))
    assert staff == {manager.id: frozenset({Role.MANAGER}), guard.id: frozenset({Role.GUARD})}
    with pytest.raises(NotAllowed):
        accounts.staff_of_estate(session, factory.actor(guard))


def test_disabling_revokes_every_session(session, fresh_session, boss, guard, estate):
    _, first = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    _, second = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    user = accounts.set_active(session, boss, guard.id, False, now=NOW + timedelta(minutes=1))
    session.commit()
    assert user.is_active is False
    for token in (first, second):
        assert accounts.resolve(fresh_session, token, now=NOW + timedelta(minutes=2)) is None
    revoked = fresh_session.exec(select(AuthSession.revoked_at).where(AuthSession.user_id == guard.id)).all()
    assert revoked == [NOW + timedelta(minutes=1)] * 2
    assert actions(fresh_session, estate.id)[-1] == "account_disabled"
    # Re-enabling does not bring old sessions back, but a new login works.
    accounts.set_active(session, boss, str(guard.id), True)
    session.commit()
    assert accounts.resolve(fresh_session, first, now=NOW + timedelta(minutes=3)) is None
    assert accounts.login(session, guard.phone, PASSWORD, now=NOW)[0].id == guard.id
    assert "account_enabled" in actions(fresh_session, estate.id)


def test_manager_cannot_disable_self(session, boss, manager):
    with pytest.raises(NotAllowed) as info:
        accounts.set_active(session, boss, manager.id, False, now=NOW)
    assert info.value.key == "error.cannot_disable_self"
    assert manager.is_active


def test_non_manager_cannot_disable(session, factory, guard, manager):
    with pytest.raises(NotAllowed):
        accounts.set_active(session, factory.actor(guard), manager.id, False, now=NOW)
    assert manager.is_active


@pytest.mark.parametrize("bad_id", [0, -1, "abc", None, True, 1.5])
def test_set_active_refuses_bad_ids(session, boss, bad_id):
    with pytest.raises(InvalidInput) as info:
        accounts.set_active(session, boss, bad_id, False, now=NOW)
    assert info.value.key == "error.bad_request"


def test_set_active_unknown_id_is_not_found(session, boss):
    with pytest.raises(NotFound):
        accounts.set_active(session, boss, 2**31 - 1, False, now=NOW)


def test_set_active_id_beyond_int4_is_refused_cleanly(session, boss):
    """Ids past the 32-bit columns are refused before they reach the database (PostgreSQL would raise)."""
    with pytest.raises(InvalidInput) as refusal:
        accounts.set_active(session, boss, 2**40, False, now=NOW)
    assert refusal.value.key == "error.bad_request"


def test_manager_of_other_estate_cannot_touch_users(session, fresh_session, factory, guard, estate):
    _, token = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    other_estate = factory.estate()
    stranger = factory.actor(factory.user(other_estate, Role.MANAGER))
    before = actions(session, estate.id)
    with pytest.raises(NotFound):
        accounts.set_active(session, stranger, guard.id, False, now=NOW)
    with pytest.raises(NotFound):
        accounts.reset_password(session, stranger, guard.id, now=NOW)
    session.commit()
    stored = fresh_session.get(User, guard.id)
    assert stored.is_active
    assert accounts.resolve(fresh_session, token, now=NOW) is not None
    assert accounts.login(session, guard.phone, PASSWORD, now=NOW)[0].id == guard.id
    assert actions(fresh_session, other_estate.id) == []
    assert actions(fresh_session, estate.id) == [*before, "login"]


# Passwords

def test_reset_password(session, fresh_session, boss, guard, estate):
    _, token = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    temporary = accounts.reset_password(session, boss, guard.id, now=NOW)
    session.commit()
    assert len(temporary) == 10 and temporary.isalnum()
    assert any(c.isalpha() for c in temporary) and any(c.isdigit() for c in temporary)
    assert accounts.resolve(fresh_session, token, now=NOW) is None  # logged out everywhere
    assert login_refused(session, guard.phone, PASSWORD).key == "error.login_failed"
    assert accounts.login(session, guard.phone, temporary, now=NOW)[0].id == guard.id
    assert "password_reset" in actions(fresh_session, estate.id)


def test_reset_password_unlocks(session, boss, guard):
    for _ in range(settings.max_failed_logins):
        login_refused(session, guard.phone, "wrong-Passw0rd")
    temporary = accounts.reset_password(session, boss, guard.id, now=NOW)
    session.commit()
    assert accounts.login(session, guard.phone, temporary, now=NOW)[0].id == guard.id


def test_reset_password_needs_manager(session, factory, guard, manager):
    with pytest.raises(NotAllowed):
        accounts.reset_password(session, factory.actor(guard), manager.id, now=NOW)


def test_temporary_passwords_are_strong_and_random():
    passwords = {accounts.temporary_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert accounts.check_new_password(password) == password


def test_change_password(session, fresh_session, factory, guard, estate):
    me = factory.actor(guard)
    accounts.change_password(session, me, PASSWORD, NEW_PASSWORD)
    session.commit()
    assert login_refused(session, guard.phone, PASSWORD).key == "error.login_failed"
    assert accounts.login(session, guard.phone, NEW_PASSWORD, now=NOW)[0].id == guard.id
    assert "password_changed" in actions(fresh_session, estate.id)


@pytest.mark.parametrize("current", ["wrong-Passw0rd", "", None, {}, PASSWORD + "x" * 10_000])
def test_change_password_requires_current(session, factory, guard, current):
    with pytest.raises(LoginRefused) as info:
        accounts.change_password(session, factory.actor(guard), current, NEW_PASSWORD)
    assert info.value.key == "error.current_password_wrong"
    session.commit()
    assert accounts.login(session, guard.phone, PASSWORD, now=NOW)[0].id == guard.id


def test_change_password_checks_new_strength(session, factory, guard):
    with pytest.raises(InvalidInput) as info:
        accounts.change_password(session, factory.actor(guard), PASSWORD, "weakweak")
    assert info.value.key == "error.password_weak"
    session.commit()
    assert accounts.login(session, guard.phone, PASSWORD, now=NOW)[0].id == guard.id


def test_change_password_needs_login(session):
    with pytest.raises(NotAllowed) as info:
        accounts.change_password(session, None, PASSWORD, NEW_PASSWORD)
    assert info.value.key == "error.login_required"


# Invitations

def test_invite_and_redeem(session, fresh_session, factory, boss, estate, manager):
    unit = factory.units(estate)[2]
    invite = accounts.issue_invite(session, boss, unit.id, now=NOW)
    assert len(invite.code) == INVITE_LENGTH and set(invite.code) <= set(INVITE_ALPHABET)
    assert invite.expires_at == NOW + settings.invite_lifetime
    assert invite.unit_id == unit.id and invite.estate_id == estate.id and invite.created_by_id == manager.id
    session.commit()

    phone = unique_phone()
    typed = " ".join([invite.code[:5].lower(), invite.code[5:]])
    actor, token = accounts.redeem_invite(session, typed, "业主甲", phone, NEW_PASSWORD, now=NOW + timedelta(days=1))
    session.commit()
    assert actor.roles == frozenset({Role.RESIDENT})
    assert actor.unit_id == unit.id and actor.estate_id == estate.id and actor.name == "业主甲"
    assert accounts.resolve(fresh_session, token, now=NOW + timedelta(days=1)) == actor
    stored = fresh_session.get(InviteCode, invite.id)
    assert stored.used_by_id == actor.id and stored.used_at == NOW + timedelta(days=1)
    assert accounts.login(session, phone, NEW_PASSWORD, now=NOW)[0].id == actor.id
    assert {"invite_issued", "resident_joined"} <= set(actions(fresh_session, estate.id))

    with pytest.raises(InvalidInput) as info:
        accounts.redeem_invite(session, invite.code, "业主乙", unique_phone(), NEW_PASSWORD, now=NOW + timedelta(days=2))
    assert info.value.key == "error.invite_used"
    assert fresh_session.exec(select(func.count()).select_from(User).where(User.unit_id == unit.id)).one() == 1


def test_new_invite_revokes_the_unused_old_one(session, factory, boss, estate):
    unit, other_unit = factory.units(estate)[:2]
    old = accounts.issue_invite(session, boss, unit.id, now=NOW)
    elsewhere = accounts.issue_invite(session, boss, other_unit.id, now=NOW)
    new = accounts.issue_invite(session, boss, unit.id, now=NOW + timedelta(minutes=1))
    session.commit()
    assert old.code != new.code
    assert old.revoked_at == NOW + timedelta(minutes=1)
    assert elsewhere.revoked_at is None and new.revoked_at is None
    with pytest.raises(NotFound) as info:
        accounts.redeem_invite(session, old.code, "业主", unique_phone(), NEW_PASSWORD, now=NOW + timedelta(minutes=2))
    assert info.value.key == "error.invite_invalid"
    actor, _ = accounts.redeem_invite(session, new.code, "业主", unique_phone(), NEW_PASSWORD,
                                      now=NOW + timedelta(minutes=2))
    assert actor.unit_id == unit.id
    actor, _ = accounts.redeem_invite(session, elsewhere.code, "邻居", unique_phone(), NEW_PASSWORD,
                                      now=NOW + timedelta(minutes=2))
    assert actor.unit_id == other_unit.id


def test_expired_invite_is_refused(session, factory, boss, estate):
    unit = factory.units(estate)[0]
    invite = accounts.issue_invite(session, boss, unit.id, now=NOW)
    session.commit()
    phone = unique_phone()
    with pytest.raises(NotFound) as info:
        accounts.redeem_invite(session, invite.code, "业主", phone, NEW_PASSWORD, now=invite.expires_at)
    assert info.value.key == "error.invite_invalid"
    assert session.exec(select(User).where(User.phone == phone)).first() is None
    actor, _ = accounts.redeem_invite(session, invite.code, "业主", phone, NEW_PASSWORD,
                                      now=invite.expires_at - timedelta(seconds=1))
    assert actor.unit_id == unit.id


def test_unknown_or_malformed_invite(session):
    with pytest.raises(NotFound) as info:
        accounts.redeem_invite(session, "ABCDEFGHJK", "业主", unique_phone(), NEW_PASSWORD, now=NOW)
    assert info.value.key == "error.invite_invalid"
    with pytest.raises(InvalidInput) as info:
        accounts.redeem_invite(session, "not a code!", "业主", unique_phone(), NEW_PASSWORD, now=NOW)
    assert info.value.key == "error.invite_invalid"


def test_redeem_checks_phone_and_password(session, factory, boss, estate, guard):
    invite = accounts.issue_invite(session, boss, factory.units(estate)[0].id, now=NOW)
    with pytest.raises(InvalidInput) as info:
        accounts.redeem_invite(session, invite.code, "业主", guard.phone, NEW_PASSWORD, now=NOW)
    assert info.value.key == "error.phone_taken"
    with pytest.raises(InvalidInput) as info:
        accounts.redeem_invite(session, invite.code, "业主", unique_phone(), "12345678", now=NOW)
    assert info.value.key == "error.password_weak"
    assert invite.used_at is None


def test_manager_of_other_estate_cannot_issue_invite(session, factory, estate):
    unit = factory.units(estate)[0]
    stranger = factory.actor(factory.user(factory.estate(), Role.MANAGER))
    with pytest.raises(NotFound) as info:
        accounts.issue_invite(session, stranger, unit.id, now=NOW)
    assert info.value.key == "error.not_found"
    session.commit()
    assert session.exec(select(InviteCode).where(InviteCode.unit_id == unit.id)).first() is None


def test_only_managers_issue_invites(session, factory, estate, guard):
    unit = factory.units(estate)[0]
    resident = factory.user(estate, Role.RESIDENT, unit=unit)
    for who in (guard, resident):
        with pytest.raises(NotAllowed):
            accounts.issue_invite(session, factory.actor(who), unit.id, now=NOW)
    assert session.exec(select(InviteCode).where(col(InviteCode.unit_id) == unit.id)).first() is None
    assert session.exec(select(UserRole).where(UserRole.user_id == resident.id)).one().role == Role.RESIDENT


def test_changing_the_password_logs_out_every_other_device(session, fresh_session, factory, guard):
    _, this_device = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    _, other_device = accounts.login(session, guard.phone, PASSWORD, now=NOW)
    accounts.change_password(session, factory.actor(guard), PASSWORD, NEW_PASSWORD, keep_token=this_device, now=NOW)
    session.commit()
    assert accounts.resolve(fresh_session, this_device, now=NOW) is not None
    assert accounts.resolve(fresh_session, other_device, now=NOW) is None


def test_guessing_the_current_password_locks_the_account(session, factory, guard):
    me = factory.actor(guard)
    for _ in range(settings.max_failed_logins - 1):
        with pytest.raises(LoginRefused):
            accounts.change_password(session, me, "wrong-Passw0rd", NEW_PASSWORD, now=NOW)
    with pytest.raises(LoginRefused) as info:
        accounts.change_password(session, me, "wrong-Passw0rd", NEW_PASSWORD, now=NOW)
    assert info.value.key == "error.account_locked"
    with pytest.raises(LoginRefused) as info:
        accounts.change_password(session, me, PASSWORD, NEW_PASSWORD, now=NOW)
    assert info.value.key == "error.account_locked"
    assert login_refused(session, guard.phone, PASSWORD).key == "error.account_locked"


# Rows the screens show, with what the viewer may do

def test_staff_rows_say_what_the_manager_may_do(session, factory, estate, boss, manager, guard):
    quit = factory.user(estate, Role.CLEANER, Role.TECHNICIAN, name="离职")
    quit.is_active = False
    factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0])  # residents are not staff
    factory.user(factory.estate(), Role.GUARD)  # nor are another estate's
    session.commit()
    rows = {row.id: row for row in accounts.staff_rows(session, boss)}
    assert set(rows) == {manager.id, guard.id, quit.id}
    assert rows[manager.id].actions == []  # not on oneself: their own password is changed on 我的
    assert rows[guard.id].actions == [accounts.RESET_PASSWORD, accounts.DISABLE]
    assert rows[quit.id].actions == [accounts.RESET_PASSWORD, accounts.ENABLE]
    assert rows[quit.id].roles == ["role.cleaner", "role.technician"] and not rows[quit.id].active
    assert (rows[guard.id].name, rows[guard.id].phone, rows[guard.id].active) == ("保安", guard.phone, True)


def test_staff_actions_agree_with_the_actions_themselves(session, factory, estate, boss, manager, guard):
    stranger = factory.actor(factory.user(factory.estate(), Role.MANAGER))
    colleague = factory.actor(guard)
    assert accounts.staff_actions(stranger, guard) == [] and accounts.staff_actions(colleague, manager) == []
    with pytest.raises(NotFound):
        accounts.set_active(session, stranger, guard.id, False, now=NOW)
    with pytest.raises(NotAllowed):
        accounts.reset_password(session, colleague, manager.id, now=NOW)
    with pytest.raises(NotAllowed):
        accounts.set_active(session, boss, manager.id, False, now=NOW)
    for action in accounts.staff_actions(boss, guard):
        if action == accounts.RESET_PASSWORD:
            assert accounts.reset_password_of(session, boss, guard.id, now=NOW).name == "保安"
        else:
            accounts.set_active(session, boss, guard.id, action == accounts.ENABLE, now=NOW)
    assert accounts.staff_actions(boss, guard) == [accounts.RESET_PASSWORD, accounts.ENABLE]


def test_staff_rows_only_for_a_manager(session, factory, guard):
    with pytest.raises(NotAllowed):
        accounts.staff_rows(session, factory.actor(guard))
    with pytest.raises(NotAllowed):
        accounts.staff_rows(session, None)


def test_unit_actions_agree_with_issue_invite(session, factory, estate, boss, guard):
    unit = factory.units(estate)[0]
    elsewhere = factory.units(factory.estate())[0]
    assert accounts.unit_actions(boss, unit) == [accounts.INVITE]
    assert accounts.unit_actions(boss, elsewhere) == [] and accounts.unit_actions(factory.actor(guard), unit) == []
    with pytest.raises(NotFound):
        accounts.issue_invite(session, boss, elsewhere.id, now=NOW)


# The invite's QR image, served by link

def test_invite_card_links_to_a_qr_image_only_its_estates_managers_get(session, factory, estate, boss, guard):
    from estate_pwa.core.qr import qr_modules
    from estate_pwa.services import files

    unit = factory.units(estate)[0]
    now = utcnow()  # the link and the code are checked against the clock when the image is fetched
    card = accounts.issue_invite_card(session, boss, unit.id, "https://wuye.example.cn", now=now)
    session.commit()
    building = session.get(Building, unit.building_id)
    assert card.unit == f"{building.name} {unit.number}"
    assert card.expires_on == format_local(now + settings.invite_lifetime, estate.timezone, "%Y-%m-%d")
    assert card.qr_url.startswith(files.DOWNLOAD_PREFIX) and "data:" not in card.qr_url
    image = files.build_download(session, card.qr_url.removeprefix(files.DOWNLOAD_PREFIX))
    assert image.inline and image.media_type == "image/png" and image.content.startswith(b"\x89PNG")
    assert accounts.invite_qr(session, boss, card.code, "https://wuye.example.cn").content == image.content
    assert qr_modules(accounts.join_link("https://wuye.example.cn", card.code))  # what the image encodes

    # Checked again when the link is opened: another estate's manager, a guard, a code no longer valid.
    stranger = factory.actor(factory.user(factory.estate(), Role.MANAGER))
    with pytest.raises(NotFound):
        accounts.invite_qr(session, stranger, card.code, "https://wuye.example.cn")
    with pytest.raises(NotAllowed):
        accounts.invite_qr(session, factory.actor(guard), card.code, "https://wuye.example.cn")
    accounts.issue_invite(session, boss, unit.id, now=now + timedelta(minutes=1))  # revokes the printed one
    session.commit()
    with pytest.raises(NotFound):
        accounts.invite_qr(session, boss, card.code, "https://wuye.example.cn")


@pytest.mark.parametrize("base", ["https://x.cn/?a=1", "https://x.cn/#a", "https://x .cn", "https://x.cn/" + "a" * 300, 5])
def test_invite_card_refuses_a_strange_base_url(session, factory, estate, boss, base):
    with pytest.raises(InvalidInput):
        accounts.issue_invite_card(session, boss, factory.units(estate)[0].id, base, now=NOW)
