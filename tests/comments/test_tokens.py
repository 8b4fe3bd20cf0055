import datetime

import pytest
from itsdangerous import URLSafeSerializer

from blog.comments import tokens

SECRET = "site secret"
NOW = datetime.datetime(2025, 6, 1, 12, 0, 0)
DAY = datetime.timedelta(hours=72)


def test_a_token_reads_back_with_its_post_and_age():
    token = tokens.issue(7, SECRET, NOW)
    later = NOW + datetime.timedelta(seconds=42)
    found = tokens.read(token, SECRET, 7, later, DAY)
    assert found.post_id == 7
    assert found.issued_at == NOW
    assert found.age(later) == 42.0
    assert len(found.nonce) >= 16


def test_every_token_has_its_own_nonce():
    nonces = {
        tokens.read(tokens.issue(1, SECRET, NOW), SECRET, 1, NOW, DAY).nonce
        for _ in range(50)
    }
    assert len(nonces) == 50


def test_age_is_never_negative():
    found = tokens.read(tokens.issue(1, SECRET, NOW), SECRET, 1, NOW, DAY)
    assert found.age(NOW - datetime.timedelta(seconds=5)) == 0.0


def _forged(payload, secret=SECRET):
    return URLSafeSerializer(secret, salt=tokens.FORM_SALT).dumps(payload)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "WzEsMTc1MDAwMDAwMCwibm9uY2UiXQ.invalidsignature",
        _forged([1, 1748779200, "nonce"], secret="another site"),
        _forged({"post": 1}),
        _forged([1, 1748779200]),
        _forged(["1", 1748779200, "nonce"]),
        _forged([1, "yesterday", "nonce"]),
        _forged([1, 1748779200, 5]),
    ],
)
def test_a_bad_token_is_refused(token):
    with pytest.raises(tokens.TokenError) as caught:
        tokens.read(token, SECRET, 1, NOW, DAY)
    assert not isinstance(caught.value, tokens.TokenExpired)


def test_a_tampered_token_is_refused():
    token = tokens.issue(1, SECRET, NOW)
    signature = token.rsplit(".", 1)[1]
    tampered = _forged([2, 1748779200, "nonce"]).rsplit(".", 1)[0] + "." + signature
    with pytest.raises(tokens.TokenError, match="not genuine"):
        tokens.read(tampered, SECRET, 2, NOW, DAY)


def test_a_token_of_another_post_is_refused():
    with pytest.raises(tokens.TokenError, match="another post"):
        tokens.read(tokens.issue(1, SECRET, NOW), SECRET, 2, NOW, DAY)


def test_a_token_from_the_future_is_refused():
    future = tokens.issue(1, SECRET, NOW + datetime.timedelta(minutes=5))
    with pytest.raises(tokens.TokenError, match="future"):
        tokens.read(future, SECRET, 1, NOW, DAY)


def test_a_little_clock_skew_is_allowed():
    ahead = tokens.issue(1, SECRET, NOW + datetime.timedelta(seconds=30))
    assert tokens.read(ahead, SECRET, 1, NOW, DAY).post_id == 1


@pytest.mark.parametrize(("hours", "expired"), [(71, False), (72, False), (73, True)])
def test_expiry(hours, expired):
    token = tokens.issue(1, SECRET, NOW - datetime.timedelta(hours=hours))
    if expired:
        with pytest.raises(tokens.TokenExpired):
            tokens.read(token, SECRET, 1, NOW, DAY)
    else:
        assert tokens.read(token, SECRET, 1, NOW, DAY).post_id == 1


def test_a_cached_page_token_outlives_the_page_cache():
    # A post page is cached for at most an hour; its token must still work.
    token = tokens.issue(1, SECRET, NOW)
    later = NOW + datetime.timedelta(seconds=3600 + 600)
    assert tokens.read(token, SECRET, 1, later, DAY).age(later) == 4200.0


def test_pending_cookie_round_trip():
    value = tokens.sign_pending([3, 5, 8], SECRET)
    assert tokens.read_pending(value, SECRET) == [3, 5, 8]


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "forged",
        URLSafeSerializer("other", salt=tokens.PENDING_SALT).dumps([1]),
        URLSafeSerializer(SECRET, salt=tokens.FORM_SALT).dumps([1]),
        URLSafeSerializer(SECRET, salt=tokens.PENDING_SALT).dumps({"ids": [1]}),
    ],
)
def test_pending_cookie_refuses_what_this_site_did_not_sign(value):
    assert tokens.read_pending(value, SECRET) == []


def test_pending_cookie_keeps_only_positive_ids():
    value = URLSafeSerializer(SECRET, salt=tokens.PENDING_SALT).dumps([1, -2, "3", 4])
    assert tokens.read_pending(value, SECRET) == [1, 4]
