"""Rate limits in the database: per address, per device, per place, each in a fixed window; the first over its
limit refuses without counting against the later ones; a new window allows again; the first refusal of a window
is the one recorded."""

from datetime import timedelta

import pytest

from estate_pwa.models import PlaceKind
from estate_pwa.services.reports import codes, limits, public
from tests.unit.conftest import NOW

START = limits.window_start(NOW)


def _attempt(session, address, device, place="area1", now=START):
    verdict = limits.check(session, [(limits.ADDRESS, address), (limits.DEVICE, device), (limits.PLACE, place)],
                           now)
    session.commit()
    return verdict


def _tag(name):  # keys of one test never meet another test's (the table is shared by the session's tests)
    return f"{name}-{id(_tag)}-{NOW.timestamp()}"


@pytest.mark.parametrize("run", [0])
def test_a_device_is_refused_beyond_its_limit_and_allowed_in_the_next_window(session, run):
    device, address, place = _tag("dev"), _tag("addr"), _tag("place")
    verdicts = [_attempt(session, address, device, place) for _ in range(limits.DEVICE_LIMIT + 2)]
    assert [v.refused_by for v in verdicts] == [None] * limits.DEVICE_LIMIT + ["device", "device"]
    assert [v.first_refusal for v in verdicts[-2:]] == [True, False]
    assert verdicts[-1].retry_after == int(limits.WINDOW.total_seconds())
    assert _attempt(session, address, _tag("dev2"), place).refused_by is None  # another device still may
    later = START + limits.WINDOW + timedelta(seconds=1)
    assert _attempt(session, address, device, place, now=later).refused_by is None


def test_an_address_is_refused_beyond_its_limit_whatever_the_device(session):
    address, place = _tag("addr-b"), _tag("place-b")
    verdicts = [_attempt(session, address, f"{address}-{i}", f"{place}-{i}") for i in range(limits.ADDRESS_LIMIT + 1)]
    assert [v.refused_by for v in verdicts] == [None] * limits.ADDRESS_LIMIT + ["address"]
    assert _attempt(session, _tag("addr-c"), _tag("dev-c"), place).refused_by is None


def test_a_place_is_refused_beyond_its_limit_and_a_refused_sender_uses_none_of_it(session):
    place = _tag("place-c")
    flooder = _tag("flood")
    for _ in range(limits.DEVICE_LIMIT + 20):  # one device floods: refused by its own limit
        _attempt(session, flooder, flooder, place)
    senders = [_attempt(session, _tag(f"a{i}"), _tag(f"d{i}"), place)
               for i in range(limits.PLACE_LIMIT - limits.DEVICE_LIMIT + 1)]
    assert [v.refused_by for v in senders] == [None] * (limits.PLACE_LIMIT - limits.DEVICE_LIMIT) + ["place"]


def test_counts_are_shared_by_every_session_and_old_windows_are_forgotten(session, fresh_session):
    key = _tag("shared")
    limits.hit(session, "device", key, START)
    session.commit()
    assert limits.hit(fresh_session, "device", key, START) == 2
    fresh_session.commit()
    limits.hit(session, "device", _tag("new"), START + limits.KEEP + limits.WINDOW * 2)
    session.commit()
    assert limits.hit(session, "device", key, START) == 1  # its window was deleted as too old


def test_client_address_trusts_forwarded_for_only_from_a_proxy(monkeypatch):
    assert public.client_address("203.0.113.9", "1.2.3.4") == "203.0.113.9"
    assert public.client_address("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    assert public.client_address("127.0.0.1", "10.9.9.9, 198.51.100.7, 127.0.0.1") == "198.51.100.7"
    assert public.client_address("127.0.0.1", "not-an-ip") == "127.0.0.1"
    assert public.client_address("127.0.0.1", None) == "127.0.0.1"
    monkeypatch.setenv("ESTATE_TRUSTED_PROXIES", "10.0.0.2")
    assert public.client_address("127.0.0.1", "198.51.100.7") == "127.0.0.1"
    assert public.client_address("10.0.0.2", "198.51.100.7") == "198.51.100.7"


def test_the_form_token_is_bound_to_the_code_the_device_and_time(session, lobby, car_park):
    place = codes.resolve(session, codes.token_for(codes.current_code(session, PlaceKind.AREA, lobby.id,
                                                                      lobby.estate_id)))
    other = codes.resolve(session, codes.token_for(codes.current_code(session, PlaceKind.AREA, car_park.id,
                                                                      car_park.estate_id)))
    device = public.device_of(public.device_cookie())
    assert device and public.device_of("forged.cookie") == ""
    token = public.form_token(place, device, now=1000)
    assert public.form_ok(token, place, device, now=1001)
    assert not public.form_ok(token, other, device, now=1001)
    assert not public.form_ok(token, place, "another-device", now=1001)
    assert not public.form_ok(token, place, device, now=1000 + public.FORM_LIFETIME + 1)
    assert not public.form_ok("forged", place, device) and not public.form_ok(None, place, device)
