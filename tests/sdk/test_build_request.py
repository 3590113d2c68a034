"""Requests without I/O: build_request, HttpRequest, and decode taking the
layout from the request that was sent (its URL and its form body)."""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.parse
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import (
    Balance,
    Decoder,
    HttpRequest,
    RequestError,
    SendResult,
    SmsStatus,
    build_request,
    decode,
    parse_request,
)
from tests.sdk.clients import Wire

#: "Привет, мир" percent-encoded in each charset the server reads (the
#: windows-1251 bytes as in the callback tests' literal)
GREETING = {
    "utf-8": "%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82%2C+%D0%BC%D0%B8%D1%80",
    "windows-1251": "%CF%F0%E8%E2%E5%F2%2C+%EC%E8%F0",
    "koi8-r": "%F0%D2%C9%D7%C5%D4%2C+%CD%C9%D2",
}


@pytest.mark.parametrize("charset", sorted(GREETING))
def test_a_post_form_in_the_requests_charset(charset: str) -> None:
    sent = build_request(
        "send", login="demo", psw="secret", phones="79990000000", mes="Привет, мир", charset=charset
    )
    assert sent.method == "POST"
    assert sent.url == "https://smsc.ru/sys/send.php"
    assert sent.headers == {"Content-Type": "application/x-www-form-urlencoded"}
    assert sent.body == (
        f"login=demo&psw=secret&fmt=3&charset={charset}&phones=79990000000&mes={GREETING[charset]}"
    ).encode("ascii")
    assert dict(sent.params)["mes"] == "Привет, мир"


def test_a_get_puts_the_parameters_in_the_url() -> None:
    sent = build_request(
        "status.php",
        login="demo",
        psw="secret",
        id=[5, 6],
        phone="79990000000,79990000001",
        all=2,
        fmt=1,
        method="get",
        base_url="https://smscentre.com/sys",
    )
    assert sent.method == "GET"
    assert sent.body == b""
    assert sent.headers == {}
    assert sent.url == (
        "https://smscentre.com/sys/status.php?login=demo&psw=secret&fmt=1&charset=utf-8"
        "&id=5%2C6&phone=79990000000%2C79990000001&all=2"
    )


def test_values_are_written_as_the_api_reads_them() -> None:
    sent = build_request(
        "users",
        {"fl[29]": 1, "skipped": None},
        apikey="KEY",
        bd=dt.date(1980, 5, 17),
        sum=Decimal("10.50"),
        translit=True,
        flash=False,
        grp=["1", 2],
    )
    assert sent.params == (
        ("apikey", "KEY"),
        ("fmt", "3"),
        ("charset", "utf-8"),
        ("fl[29]", "1"),
        ("bd", "17.05.1980"),
        ("sum", "10.50"),
        ("translit", "1"),
        ("flash", "0"),
        ("grp", "1,2"),
    )


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({}, "give login and psw, or apikey"),
        ({"login": "demo"}, "give login and psw, or apikey"),
        ({"login": "demo", "psw": "x", "apikey": "k"}, "apikey replaces login and psw"),
        ({"apikey": "k", "fmt": 4}, "fmt must be 0, 1, 2 or 3"),
        ({"apikey": "k", "charset": "latin-1"}, "charset must be one of"),
        ({"apikey": "k", "method": "PUT"}, "GET or POST"),
        ({"apikey": "k", "params": {"fmt": 1}}, "'fmt' is a keyword of build_request"),
    ],
)
def test_unusable_requests_are_refused(kwargs: dict[str, Any], complaint: str) -> None:
    params = kwargs.pop("params", None)
    with pytest.raises(RequestError, match=complaint):
        build_request("balance", params, **kwargs)


def test_a_value_the_charset_cannot_carry_is_named_but_not_shown() -> None:
    with pytest.raises(RequestError) as caught:
        build_request("send", login="demo", psw="пароль😀", charset="windows-1251")
    assert "'psw'" in str(caught.value)
    assert "пароль" not in str(caught.value)
    with pytest.raises(TypeError, match="parameter 'mes'"):
        build_request("send", apikey="k", mes=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parameter 'time'"):
        build_request("send", apikey="k", time=dt.datetime(2024, 1, 1))


def _spellings(secret: str) -> set[str]:
    """The ways a secret could show: as is, percent-encoded in every charset
    (form and URL style), and its MD5."""
    found = {secret, hashlib.md5(secret.encode()).hexdigest()}
    for codec in ("utf-8", "cp1251", "koi8_r"):
        found.add(urllib.parse.quote_plus(secret, encoding=codec))
        found.add(urllib.parse.quote(secret, encoding=codec))
    return found


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("charset", sorted(GREETING))
def test_credentials_never_show_in_repr_or_str(method: str, charset: str) -> None:
    password = "пароль с пробелом&psw=1"
    for sent in (
        build_request("balance", login="demo", psw=password, method=method, charset=charset),
        build_request(
            "balance",
            login="demo",
            psw=hashlib.md5(password.encode()).hexdigest(),
            method=method,
            charset=charset,
        ),
        build_request("balance", apikey=password, method=method, charset=charset),
    ):
        for shown in (repr(sent), str(sent), f"{sent}", repr([sent])):
            assert "***" in shown
            params = dict(sent.params)
            for secret in (params.get("psw"), params.get("apikey")):
                for spelling in _spellings(secret) if secret else ():
                    assert spelling not in shown, (spelling, shown)
        assert "demo" in repr(sent) or "apikey" in repr(sent)  # the rest stays readable
        # and the request the decoder keeps holds no secret either
        assert {"psw", "apikey"}.isdisjoint(dict(parse_request(sent).params))


def test_decode_takes_the_layout_from_the_form_body() -> None:
    sent = build_request(
        "status", login="demo", psw="secret", id=5, phone="79990000000", fmt=1, all=1
    )
    body = "1,1286524541,0,1286524539,79990000000,1.40,SMSC,Доставлено,Привет, , 0".encode()
    found = decode(body, sent)
    assert isinstance(found, SmsStatus)
    assert (found.send_timestamp, found.message, found.cost) == (
        1286524539,
        "Привет",
        Decimal("1.40"),
    )
    assert Decoder(sent).decode(body) == found
    # the URL alone asks for fmt=0: the same body does not read
    with pytest.raises(smsc_codec.DecodeError):
        decode(body, sent.url)


@pytest.mark.parametrize(
    "form",
    [
        b"login=demo&psw=secret&fmt=3&cur=1",
        "login=demo&psw=secret&fmt=3&cur=1",
        {"login": "demo", "psw": "secret", "fmt": 3, "cur": 1},
    ],
)
def test_a_url_with_a_form_body_decodes(form: bytes | str | dict[str, object]) -> None:
    body = b'{"balance": "250.80", "currency": "RUB"}'
    expected = Balance(balance=Decimal("250.80"), currency="RUB")
    assert decode(body, "https://smsc.ru/sys/balance.php", form=form) == expected
    assert Decoder("https://smsc.ru/sys/balance.php", form=form).decode(body) == expected
    assert parse_request("balance.php", form=form).params == (
        ("login", "demo"),
        ("fmt", "3"),
        ("cur", "1"),
    )


def test_the_form_wins_over_the_url_and_is_read_in_its_charset() -> None:
    form = b"fmt=0&charset=windows-1251&mes=%CF%F0%E8%E2%E5%F2"
    request = parse_request("send.php?fmt=3&charset=utf-8", form=form)
    assert request.get("fmt") == "0"
    assert request.get("charset") == "windows-1251"
    assert request.get("mes") == "Привет"
    # a form without its own charset is read in the URL's
    assert parse_request("send.php?charset=koi8-r", form=b"mes=%F0%D2%C9%D7%C5%D4").get("mes") == (
        "Привет"
    )


def test_wrong_argument_types_raise_type_error_naming_the_argument() -> None:
    request = "status.php?id=5&phone=79990000000&fmt=1"
    for body in (5, None, [49, 44], 1.5):
        with pytest.raises(TypeError, match=r"^body must be bytes or str"):
            decode(body, request)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"^body must be bytes or str"):
            Decoder(request).decode(body)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^body must be bytes or str"):
        decode(5, None)  # type: ignore[arg-type]
    for wrong in (5, 1.5, b"status.php"):
        with pytest.raises(TypeError, match=r"^request must be"):
            decode(b"1,1286524541,0", wrong)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"^request must be"):
            smsc_codec.encode(SendResult(id=1, cnt=1), wrong)  # type: ignore[arg-type]
    for reply in (5, None, "OK", [5]):
        with pytest.raises(TypeError, match=r"^reply must be"):
            smsc_codec.encode(reply, "send.php")
    # the right types still work, bytearray and memoryview included
    assert decode(bytearray(b"1,1286524541,0"), request) == decode(
        memoryview(b"1,1286524541,0"), request
    )


def test_requests_sent_by_real_clients_decode(client: Wire) -> None:
    """Item 1 end to end: build, send with the client, decode with the request."""
    sent = client.request("send", phones="79990000001", mes="Привет, мир", cost=3, fmt=1)
    response = client.send(sent)
    assert response.status_code == 200
    assert decode(response.content, sent) == SendResult(
        id=1, cnt=1, cost=Decimal("1.40"), balance=Decimal("98.60")
    )
    for charset in ("windows-1251", "koi8-r"):
        sent = client.request("status", id=1, phone="79990000001", all=1, fmt=0, charset=charset)
        found = decode(client.send(sent).content, sent)
        assert isinstance(found, SmsStatus)
        assert found.message == "Привет, мир"
        assert found.status_name in ("Ожидает отправки", "Передано оператору")
    # what the fake received is what was built
    assert (
        client.fake.requests[0].body
        == client.request("send", phones="79990000001", mes="Привет, мир", cost=3, fmt=1).body
    )


def test_http_request_is_a_plain_value() -> None:
    one = build_request("balance", apikey="k")
    two = build_request("balance", apikey="k")
    assert one == two
    assert hash(one) == hash(two)
    assert isinstance(one, HttpRequest)
    assert one.script == "balance"
    assert one.charset == "utf-8"
    with pytest.raises(AttributeError):
        one.url = "x"  # type: ignore[misc]


@st.composite
def _texts_in(draw: st.DrawFn, codec: str) -> str:
    """Text a charset can carry, separators and percent signs included."""
    alphabet = st.characters(codec=codec) | st.sampled_from("&=+%,; ")
    return draw(st.text(alphabet, max_size=30))


@pytest.mark.property
@pytest.mark.parametrize(
    ("charset", "codec"), [("utf-8", "utf-8"), ("windows-1251", "cp1251"), ("koi8-r", "koi8_r")]
)
@pytest.mark.parametrize("method", ["POST", "GET"])
@given(data=st.data())
def test_every_value_travels_unchanged(
    charset: str, codec: str, method: str, data: st.DataObject
) -> None:
    """What build_request writes, the form reading gives back, in every
    charset; and the request the decoder keeps is the same minus the secrets."""
    password, message, sender = (data.draw(_texts_in(codec)) for _ in range(3))
    sent = build_request(
        "send",
        login="demo",
        psw=password,
        mes=message,
        sender=sender,
        method=method,
        charset=charset,
    )
    kept = (("fmt", "3"), ("charset", charset), ("mes", message), ("sender", sender))
    assert sent.params == (("login", "demo"), ("psw", password), *kept)
    assert parse_request(sent).params == (("login", "demo"), *kept)  # no secret kept
    # the repr does not depend on the password at all
    other = build_request(
        "send", login="demo", psw="x", mes=message, sender=sender, method=method, charset=charset
    )
    assert repr(sent) == repr(other)
