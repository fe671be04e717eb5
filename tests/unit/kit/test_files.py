"""Files over HTTP behind signed links: media links stable per window and expiring, downloads built again for the
person they were made for, and the app's HTTP routes answering only valid links."""

import io
import warnings
from datetime import timedelta

import pytest
from PIL import Image

from estate_pwa import http
from estate_pwa.core import media, tokens
from estate_pwa.models import Role
from estate_pwa.services import files, photos
from estate_pwa.services.errors import NotFound
from estate_pwa.services.permissions import require
from tests.unit.conftest import NOW

with warnings.catch_warnings():  # Starlette prefers httpx2 for its test client; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture(autouse=True)
def media_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ESTATE_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv(tokens.SECRET_ENV, "files-tests-secret-0123456789")
    return tmp_path / "media"


@files.downloadable("test-greeting")
def _greeting(session, actor, word: str) -> files.Download:
    require(actor, Role.MANAGER)
    return files.Download(f"{word}.txt", "text/plain", f"{word}, {actor.name}".encode())


def _photo() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 90)).save(buffer, format="JPEG")
    return photos.store(buffer.getvalue(), "requests")


def _token(url: str, prefix: str) -> str:
    assert url.startswith(prefix)
    return url[len(prefix):]


def test_a_media_link_is_the_same_within_its_window_and_expires():
    name = _photo()
    link = files.media_url(name, now=NOW)
    assert files.media_url(name, now=NOW + timedelta(seconds=30)) == link
    path, media_type, left = files.media_file(_token(link, files.MEDIA_PREFIX), now=NOW)
    assert path.name == name.split("/")[1] and media_type == "image/jpeg"
    assert files.LINK_WINDOW.total_seconds() < left <= 2 * files.LINK_WINDOW.total_seconds()
    with pytest.raises(NotFound):
        files.media_file(_token(link, files.MEDIA_PREFIX), now=NOW + 2 * files.LINK_WINDOW + timedelta(seconds=1))


def test_thumbnail_links_name_the_thumbnail_and_photo_links_pair_them():
    name = _photo()
    [link] = photos.links([name], now=NOW)
    thumb, _, _ = files.media_file(_token(link.thumb, files.MEDIA_PREFIX), now=NOW)
    full, _, _ = files.media_file(_token(link.full, files.MEDIA_PREFIX), now=NOW)
    assert thumb.name == full.name + media.THUMB_SUFFIX
    assert files.media_url("", now=NOW) == "" and files.media_url(None) == ""


@pytest.mark.parametrize("token", [
    "", "x", "a.b", "../../etc/passwd", tokens.sign("patrol-point", "requests/x.jpg|9999999999"),
    tokens.sign(files.MEDIA_PURPOSE, "../secret_key|9999999999"),
    tokens.sign(files.MEDIA_PURPOSE, "requests/missing.jpg|9999999999"),
    tokens.sign(files.MEDIA_PURPOSE, "requests/x.jpg|not-a-number"),
])
def test_forged_foreign_or_dangling_media_links_name_nothing(token):
    with pytest.raises(NotFound):
        files.media_file(token, now=NOW)


def test_a_download_is_built_for_its_person_while_they_are_active_and_allowed(session, factory, estate, boss):
    link = files.download_url(boss, "test-greeting", now=NOW, word="你好")
    token = _token(link, files.DOWNLOAD_PREFIX)
    built = files.build_download(session, token, now=NOW)
    assert built.content == "你好, 经理".encode() and built.filename == "你好.txt"
    with pytest.raises(NotFound):
        files.build_download(session, token, now=NOW + files.DOWNLOAD_LIFETIME + timedelta(seconds=1))
    user = session.get(files.User, boss.id)
    user.is_active = False
    session.commit()
    with pytest.raises(NotFound):
        files.build_download(session, token, now=NOW)


def test_a_download_link_is_refused_for_the_wrong_role_bad_parameters_or_forgery(session, factory, estate):
    guard = factory.actor(factory.user(estate, Role.GUARD))
    with pytest.raises(Exception) as refused:
        files.build_download(session, _token(files.download_url(guard, "test-greeting", now=NOW, word="x"),
                                             files.DOWNLOAD_PREFIX), now=NOW)
    assert refused.value.key == "error.not_allowed"
    forged = tokens.sign(files.DOWNLOAD_PURPOSE, '{"k":"test-greeting","u":1,"e":9999999999,"p":{"nope":1}}')
    with pytest.raises(NotFound):
        files.build_download(session, forged, now=NOW)
    with pytest.raises(NotFound):
        files.build_download(session, "garbage", now=NOW)
    with pytest.raises(ValueError):
        files.download_url(guard, "no-such-kind")


def test_the_http_routes_serve_valid_links_with_cache_headers_and_nothing_else(db_url, session, boss, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    monkeypatch.setattr(http, "session_scope", lambda: _scope(db_url))
    name = _photo()
    client = TestClient(http.api)
    shown = client.get(files.media_url(name))
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert "immutable" in shown.headers["cache-control"] and shown.content[:2] == b"\xff\xd8"
    assert client.get(files.MEDIA_PREFIX + "forged.token").status_code == 404
    got = client.get(files.download_url(boss, "test-greeting", word="hi"))
    assert got.status_code == 200 and got.text == "hi, 经理"
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''hi.txt"
    assert got.headers["cache-control"] == "private, no-store"
    assert client.get(files.DOWNLOAD_PREFIX + "forged.token").status_code == 404


def _scope(db_url):
    from estate_pwa.core.db import session_scope
    return session_scope(db_url)
