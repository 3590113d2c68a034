"""The fake SMSC: every registered script answered in every fmt and charset,
decodable by the library; its account's state; scripted answers; its WSGI
and httpx faces."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import textwrap
import wsgiref.util
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from smsc_codec import (
    ApiError,
    Balance,
    DeliveryError,
    HlrStatus,
    MessageStatus,
    Ok,
    SendResult,
    build_request,
    decode,
    parse_request,
)
from smsc_codec._replies import record_requests, reply_spec
from smsc_codec.http import decode_response
from smsc_codec.testing import FakeSmsc, sms_parts
from tests.helpers import printed_layouts
from tests.sdk.clients import Wire

#: Parameters each script needs beyond those of the registry's requests
#: (`record_requests` names only what chooses a layout).
NEEDED: dict[str, dict[str, str]] = {
    "send": {"phones": "79990000001", "mes": "Привет, мир"},
    "phones": {"phone": "79990000001", "name": "Друзья", "grp": "1"},
    "mails": {"mail": "ivan@example.com", "name": "Друзья", "grp": "1"},
    "senders": {"sender": "Shop"},
    "tinyurls": {"id": "5"},
}


@pytest.fixture(scope="module")
def stocked() -> Iterator[tuple[FakeSmsc, httpx.Client]]:
    """A fake with something in every list, and a client."""
    fake = FakeSmsc(login="demo", psw="secret")
    with httpx.Client(transport=fake.transport()) as client:

        def call(script: str, **params: Any) -> Any:
            sent = build_request(script, login="demo", psw="secret", **params)
            return decode_response(
                client.request(sent.method, sent.url, headers=sent.headers, content=sent.body)
            )

        assert isinstance(call("send", phones="79990000001", mes="Привет, мир"), SendResult)
        for script, key, address in (
            ("phones", "phone", "79990000001"),
            ("mails", "mail", "ivan@example.com"),
        ):
            call(script, add=1, name="Иван", **{key: address})
            call(script, add_black=1, **{key: address})
        call("phones", add_group=1, name="Друзья")
        call("jobs", add=1, name="Рассылка")
        call("templates", add=1, name="Шаблон", mes="Код: 1234")
        fake.receive("79990000002", "Ответ, да")
        yield fake, client


REGISTERED = sorted(record_requests())


@pytest.mark.parametrize("query", REGISTERED)
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("charset", ["utf-8", "windows-1251", "koi8-r"])
def test_every_registered_script_answers_in_every_format(
    stocked: tuple[FakeSmsc, httpx.Client], query: str, fmt: int, charset: str
) -> None:
    """Each of the registry's request shapes, answered by the fake, decodes to
    a record kind that shape admits (no error), and strict decoding agrees
    wherever lenient decoding found nothing ambiguous."""
    _, client = stocked
    script, _, params_text = query.partition(".php?")
    params: dict[str, Any] = dict(p.split("=") for p in params_text.split("&") if p)
    params = {**NEEDED.get(script, {}), **params}
    if script == "status":  # the message sent above, once or twice
        several = "," in params["id"]
        params.update(
            id="1,1" if several else "1",
            phone="79990000001,79990000001" if several else "79990000001",
        )
    sent = build_request(script, login="demo", psw="secret", fmt=fmt, charset=charset, **params)
    response = client.request(sent.method, sent.url, headers=sent.headers, content=sent.body)
    assert response.status_code == 200, response.text
    found = decode(response.content, sent)
    assert not isinstance(found, ApiError), (found, response.content)
    spec = reply_spec(parse_request(sent))
    records = found if isinstance(found, list) else [found]
    assert records
    assert all(type(r) in {c.cls for c in spec.candidates} for r in records), records
    rules = {c.cls: c.rule for c in spec.candidates}
    printed = printed_layouts(fmt, [(r, rules[type(r)]) for r in records])
    # (a message with a comma in fmt=1 is ambiguous; a fmt=0 record without
    # a value leaves its key out, and such a line is read by key)
    if not any(r.ambiguous_fields for r in records) and printed:
        assert decode(response.content, sent, strict=True) == found


# -- the account ---------------------------------------------------------------------


def test_sending_costs_money_and_the_balance_goes_down(client: Wire) -> None:
    fake = client.fake
    text = "Очень длинное сообщение " * 5  # 120 characters of Cyrillic: 2 parts (70, 67)
    assert [sms_parts(text), sms_parts("x" * 160), sms_parts("x" * 161)] == [2, 1, 2]
    quote = decode_response(client.call("send", phones="79990000001,79990000002", mes=text, cost=1))
    assert quote == SendResult(cnt=4, cost=Decimal("5.60"))  # a cost query sends nothing
    assert fake.balance == Decimal("100.00")
    assert not fake.messages
    sent = decode_response(client.call("send", phones="79990000001;79990000002", mes=text, cost=3))
    assert sent == SendResult(id=1, cnt=4, cost=Decimal("5.60"), balance=Decimal("94.40"))
    assert fake.balance == Decimal("94.40")
    assert [(m.id, m.phone, m.parts) for m in fake.messages] == [
        (1, "79990000001", 2),
        (1, "79990000002", 2),
    ]
    assert decode_response(client.call("balance")) == Balance(balance=Decimal("94.40"))


def test_no_money_and_invalid_numbers_are_errors(client: Wire) -> None:
    client.fake.balance = Decimal("1.00")
    found = decode_response(client.call("send", phones="79990000001", mes="x"))
    assert isinstance(found, ApiError)
    assert (found.code, found.description, found.id, found.meaning.name) == (
        3,
        "no money",
        1,
        "NO_MONEY",
    )
    assert client.fake.balance == Decimal("1.00")
    assert not client.fake.messages
    found = decode_response(client.call("send", phones="12", mes="x", fmt=3))
    assert (found.code, found.description, found.meaning.name) == (
        7,
        "invalid number",
        "INVALID_NUMBER",
    )
    details = decode_response(
        client.call("send", phones="12,79990000001", mes="x", cost="1", op=1, fmt=3)
    )
    assert [(p.phone, p.status, p.error) for p in details.phones] == [
        ("12", MessageStatus.INVALID_NUMBER, 7),
        ("79990000001", MessageStatus.WAITING, 0),
    ]


def test_statuses_advance_on_each_query(client: Wire) -> None:
    client.call("send", phones="79990000001", mes="x")
    seen = [
        decode_response(client.call("status", id=1, phone="79990000001", fmt=f)).status
        for f in (0, 1, 2, 3)
    ]
    assert seen == [-1, 0, 1, 1]
    assert decode_response(client.call("status", id=2, phone="79990000001")).status == -3


def test_a_message_is_deleted(client: Wire) -> None:
    client.call("send", phones="79990000001", mes="x")
    assert decode_response(client.call("status", id=1, phone="79990000001", **{"del": 1})) == Ok()
    assert not client.fake.messages
    again = decode_response(client.call("status", id=1, phone="79990000001", **{"del": 1}))
    assert (again.code, again.meaning.name) == (5, "DELETE_FAILED")
    assert decode_response(client.call("status", id=1, phone="79990000001")).status == -3


def test_statuses_advance_when_told(client: Wire) -> None:
    fake = client.fake
    fake.advance_on_status = False
    fake.set_outcome("79990000002", MessageStatus.UNDELIVERABLE, DeliveryError.ABSENT_SUBSCRIBER)
    client.call("send", phones="79990000001,79990000002", mes="x")
    start = fake.now

    def statuses() -> list[tuple[int, int, int | None]]:
        found = decode_response(
            client.call("status", id="1,1", phone="79990000001,79990000002", fmt=1)
        )
        return [(r.status, r.err, r.last_timestamp) for r in found]

    stamp = 1705309200  # 15.01.2024 12:00:00 Moscow time
    assert statuses() == [(-1, 0, stamp), (-1, 0, stamp)]
    assert statuses() == [(-1, 0, stamp), (-1, 0, stamp)]  # queries move nothing now
    fake.advance(seconds=30)
    fake.advance(5, seconds=30)
    assert fake.now - start == dt.timedelta(minutes=1)
    assert statuses() == [(1, 0, stamp + 60), (20, 1, stamp + 60)]


def test_an_hlr_request_is_answered_with_hlr_rows(client: Wire) -> None:
    client.call("send", phones="79990000001", mes="x", hlr=1)
    for fmt in (0, 1, 2, 3):
        for all_level in (0, 1, 2):
            found = decode_response(
                client.call("status", id=1, phone="79990000001", all=all_level, fmt=fmt)
            )
            assert isinstance(found, HlrStatus), (fmt, all_level, found)
            assert (found.mcc, found.mnc) == ("250", "01")


def test_contacts_come_and_go(client: Wire) -> None:
    call = client.call
    assert decode_response(call("phones", get=1)).code == 3  # "record not found"
    call("phones", add=1, phone="79990000001, 79990000002", name="Иван", bd="17.05.1980")
    (contact,) = decode_response(call("phones", get=1, fmt=3))
    assert contact.phones == "79990000001, 79990000002"  # as sent, separators kept
    assert contact.phone_list == ("79990000001", "79990000002")
    assert str(contact.birthday) == "1980-05-17"
    assert decode_response(call("phones", **{"del": 1}, phone="79990000002")) == Ok()
    assert decode_response(call("phones", **{"del": 1}, phone="79990000002")).code == 3


def test_inbox_and_history(client: Wire) -> None:
    client.fake.receive("79990000002", "Да, конечно")
    (incoming,) = decode_response(client.call("get", get_answers=1, fmt=0))
    assert (incoming.phone, incoming.message) == ("79990000002", "Да, конечно")
    assert decode_response(client.call("get", get_answers=1, after_id=incoming.id)).code == 3
    client.call("send", phones="79990000001", mes="Привет")
    (sent,) = decode_response(client.call("get", get_messages=1, fmt=2))
    assert (sent.id, sent.phone, sent.message, sent.cost) == (
        2,
        "79990000001",
        "Привет",
        Decimal("1.40"),
    )


# -- scripted answers ----------------------------------------------------------------


def test_queued_answers_come_first_in_order(client: Wire) -> None:
    fake = client.fake
    fake.queue("balance", Balance(balance=Decimal("5.00")), b"garbage")
    fake.queue_error("balance.php", 9)
    assert decode_response(client.call("balance", fmt=2)) == Balance(balance=Decimal("5.00"))
    assert client.call("balance", fmt=2).content == b"garbage"  # sent as it is
    error = decode_response(client.call("balance", fmt=1))
    assert (error.code, error.meaning.name) == (9, "RATE_LIMIT")
    error = decode_response(client.call("balance", fmt=3))  # the queue is empty again
    assert error == Balance(balance=Decimal("100.00"))
    # a queued answer is still behind the credentials check
    fake.queue("balance", Balance(balance=Decimal("5.00")))
    assert decode_response(client.call("balance", psw="wrong")).code == 2


def test_queued_errors_carry_the_servers_text(client: Wire) -> None:
    client.fake.queue_error("send", 3, message_id=42)
    client.fake.queue_error("phones", 3)
    assert client.call("send", phones="79990000001", mes="x", fmt=0).content == (
        b"ERROR = 3 (no money), ID - 42"
    )
    assert client.call("phones", get=1, fmt=0).content == b"ERROR = 3 (record not found)"


def test_credentials(fake: FakeSmsc) -> None:
    with httpx.Client(transport=fake.transport()) as client:

        def answer(**credentials: str) -> Any:
            sent = build_request("balance", fmt=1, **credentials)
            return decode(
                client.request(
                    sent.method, sent.url, headers=sent.headers, content=sent.body
                ).content,
                sent,
            )

        assert answer(login="demo", psw="secret") == Balance(balance=Decimal("100.00"))
        # the official libraries may send the MD5 of the password
        assert answer(login="demo", psw="5ebe2294ecd0e0f08eab7690d2a6ee69").balance == 100
        assert answer(login="demo", psw="Secret").code == 2
        assert answer(login="other", psw="secret").code == 2
        assert answer(apikey="secret").code == 2  # no API key was set
    keyed = FakeSmsc(apikey="KEY")
    with httpx.Client(transport=keyed.transport()) as client:
        sent = build_request("balance", apikey="KEY", fmt=3)
        response = client.request(sent.method, sent.url, headers=sent.headers, content=sent.body)
        assert response.content == b'{\n"balance": "100.00"\n}'


def test_what_the_server_cannot_read(fake: FakeSmsc) -> None:
    with httpx.Client(transport=fake.transport()) as client:
        missing = client.get("https://smsc.ru/sys/nowhere.php")
        assert missing.status_code == 404
        bad_fmt = client.post(
            "https://smsc.ru/sys/balance.php", data={"login": "demo", "psw": "secret", "fmt": "7"}
        )
        assert bad_fmt.content == b"ERROR = 1 (parameters error)"
        assert bad_fmt.headers["content-type"] == "text/plain; charset=windows-1251"
        bad_bytes = client.post(
            "https://smsc.ru/sys/send.php",
            content=b"login=demo&psw=secret&charset=utf-8&mes=%FF",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert bad_bytes.content == b"ERROR = 1 (parameters error)"
        no_text = client.post(
            "https://smsc.ru/sys/send.php",
            data={"login": "demo", "psw": "secret", "phones": "79990000001"},
        )
        assert no_text.content == b"ERROR = 1 (parameters error)"


@pytest.mark.parametrize(
    ("fmt", "media"),
    [(0, "text/plain"), (1, "text/plain"), (2, "text/xml"), (3, "application/json")],
)
def test_answers_say_their_type_and_charset(client: Wire, fmt: int, media: str) -> None:
    response = client.call("balance", fmt=fmt, charset="koi8-r")
    assert response.headers["content-type"] == f"{media}; charset=koi8-r"


# -- its faces -----------------------------------------------------------------------


def test_the_wsgi_app_answers_a_plain_environ(fake: FakeSmsc) -> None:
    body = b"login=demo&psw=secret&fmt=1&cur=1"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/sys/balance.php",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    wsgiref.util.setup_testing_defaults(environ)
    started: list[Any] = []
    answer = b"".join(fake(environ, lambda status, headers: started.append((status, headers))))
    assert answer == b"100.00,RUB"
    assert started == [
        ("200 OK", [("Content-Type", "text/plain; charset=windows-1251"), ("Content-Length", "10")])
    ]
    assert fake.requests[-1].url == "http://127.0.0.1/sys/balance.php"


def test_the_module_works_without_httpx() -> None:
    code = textwrap.dedent(
        """
        import io, sys, wsgiref.util
        sys.modules["httpx"] = None  # not installed
        from smsc_codec.testing import FakeSmsc
        fake = FakeSmsc()
        environ = {"QUERY_STRING": "login=login&psw=password&fmt=3"}
        environ["PATH_INFO"] = "/sys/balance.php"
        wsgiref.util.setup_testing_defaults(environ)
        print(b"".join(fake(environ, lambda *a: None)).decode())
        try:
            fake.transport()
        except ImportError as exc:
            print("ImportError", exc.name)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["{", '"balance": "100.00"', "}", "ImportError httpx"]


@pytest.mark.anyio
async def test_the_async_transport(fake: FakeSmsc) -> None:
    async with httpx.AsyncClient(transport=fake.async_transport()) as client:
        sent = build_request(
            "send", login="demo", psw="secret", phones="79990000001", mes="x", fmt=2
        )
        response = await client.request(
            sent.method, sent.url, headers=sent.headers, content=sent.body
        )
    assert response.content == b"<result>\n<id>1</id>\n<cnt>1</cnt>\n</result>"
    assert fake.balance == Decimal("98.60")
