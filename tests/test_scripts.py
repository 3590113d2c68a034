"""The scripts of facts §2.1-2.15 beyond status and contacts: which request
gets which reply kind, the registered layout variants, send.php's per-number
lists and the per-script error meanings. Round trips of every registered
layout are in test_records.py (they come from the same registry)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import (
    DecodeError,
    EncodeError,
    JobCreated,
    MessageStatus,
    Ok,
    OperatorInfo,
    PhoneResult,
    Sender,
    SenderCreated,
    SendResult,
    Statistics,
)
from smsc_codec._checks import construct
from smsc_codec._replies import layout_of, record_requests, reply_spec, url_layout_key


@pytest.mark.parametrize(
    ("request_", "body", "kind"),
    [
        ("jobs.php?add=1&fmt=0", "OK, ID - 12", JobCreated),
        ("jobs.php?add=1&cost=1&fmt=1", "12,3.40", JobCreated),
        ("jobs.php?del=1&fmt=1", "OK", Ok),
        ("jobs.php?get=1&fmt=1", "12,Morning list", list),
        ("users.php?get_stat=1&fmt=1", "sub1,5,7.00,0,RUB", list),
        ("users.php?pay=1&user=sub1&sum=10&fmt=2", "<result>OK</result>", Ok),
        ("senders.php?chg=1&sender=ACME&fmt=3", "OK", Ok),
        (
            "info.php?get_operator=1&phone=79991234567&fmt=1",
            "Russia,MTS,Moscow,250,01,3",
            OperatorInfo,
        ),
        (
            "info.php?get_operator=1&phone=79991234567;79161234567&fmt=1",
            "R,M,X,250,01,3,7999",
            list,
        ),
    ],
)
def test_the_request_picks_the_reply_kind(request_: str, body: str, kind: type) -> None:
    assert type(smsc_codec.decode(body, request_)) is kind


def test_an_ok_only_command_refuses_a_record() -> None:
    with pytest.raises(DecodeError, match="OK or an error only"):
        smsc_codec.decode("12", "senders.php?del=1&fmt=1")


@pytest.mark.parametrize(
    ("script", "name"),
    [
        ("send", "NO_MONEY"),
        ("jobs", "SAVE_ERROR"),
        ("info", "NOT_FOUND"),
        ("tinyurls", "NOT_FOUND"),
        ("senders", "NOT_FOUND"),
        ("status", "UNKNOWN_3"),
    ],
)
def test_error_3_means_what_the_script_says(script: str, name: str) -> None:
    error = smsc_codec.decode("ERROR = 3 (x)", f"{script}.php?fmt=0&id=1&phone=7")
    assert isinstance(error, smsc_codec.ApiError)
    assert error.meaning.name == name


class TestLayoutVariants:
    """An [UNVERIFIED] layout's plausible variant: read leniently, named by strict."""

    def test_a_line_variant(self) -> None:
        request = "senders.php?add=1&fmt=0"
        assert smsc_codec.decode("ID = 24336", request) == SenderCreated(id=24336)
        with pytest.raises(DecodeError, match="'created', an \\[UNVERIFIED\\] variant") as err:
            smsc_codec.decode("ID = 24336", request, strict=True)
        assert (err.value.line, err.value.column) == (1, 1)
        # the registered layout is what is written
        assert smsc_codec.encode_text(SenderCreated(id=24336), request) == "sender = 24336"

    @pytest.mark.parametrize(
        ("fmt", "body", "line"),
        [
            (2, "<list>\n<stat>\n<login>a</login>\n<sms>5</sms>\n</stat>\n</list>", 4),
            (3, '[{\n"login": "a",\n"sms": 5\n}]', 3),
        ],
    )
    def test_a_key_variant(self, fmt: int, body: str, line: int) -> None:
        request = f"get.php?get_stat=1&fmt={fmt}"
        assert smsc_codec.decode(body, request) == [Statistics(login="a", cnt=5)]
        with pytest.raises(DecodeError, match="variant spelling of 'cnt'") as err:
            smsc_codec.decode(body, request, strict=True)
        assert (err.value.line, err.value.column) == (line, 1)

    def test_a_key_variant_in_a_text_line(self) -> None:
        # fmt=0 read by key (lenient); strict reads the registered layout only
        request = "get.php?get_stat=1&fmt=0"
        assert smsc_codec.decode("login = a, sms = 5", request) == [Statistics(login="a", cnt=5)]
        with pytest.raises(DecodeError):
            smsc_codec.decode("login = a, sms = 5", request, strict=True)

    def test_a_variant_key_beside_the_field_is_kept_not_read(self) -> None:
        found = smsc_codec.decode('{"login": "a", "cnt": 5, "sms": 6}', "get.php?get_stat=1&fmt=3")
        assert found == [Statistics(login="a", cnt=5, extra=(("sms", 6),))]


class TestPerNumberLists:
    """send.php with op=1 / err=1 (facts §2.1)."""

    REPLY = SendResult(
        id=5,
        cnt=2,
        cost=Decimal("2.80"),
        phones=(
            PhoneResult(phone="79990000001", mccmnc="25001", cost=Decimal("1.40")),
            PhoneResult(phone="79990000002", status=MessageStatus(20), error=7),
        ),
    )

    @pytest.mark.parametrize("fmt", [0, 1, 2, 3])
    def test_every_format_carries_them(self, fmt: int) -> None:
        request = f"send.php?cost=2&op=1&fmt={fmt}"
        body = smsc_codec.encode_text(self.REPLY, request, lossy=fmt == 1)
        # (fmt=0 leaves out the keys of the second number's absent mccmnc and
        # cost: such a line is read by key, which strict decoding does not)
        back = smsc_codec.decode(body, request, strict=fmt != 0)
        assert isinstance(back, SendResult)
        assert back.phones is not None
        assert [p.phone for p in back.phones] == ["79990000001", "79990000002"]
        assert back.phones[1].status == 20

    def test_the_json_array_of_the_sdks(self) -> None:
        body = (
            '{"id": 5, "cnt": 1, "phones": [{"phone": "7999", "mccmnc": "25001", '
            '"cost": "1.40", "status": "20", "error": "7", "new_key": 1}]}'
        )
        reply = smsc_codec.decode(body, "send.php?err=1&fmt=3")
        assert isinstance(reply, SendResult)
        assert reply.phones
        phone = reply.phones[0]
        assert (phone.status, phone.error, phone.extra) == (20, 7, (("new_key", 1),))
        assert phone.error_meaning is not None
        assert phone.error_meaning.name == "INVALID_NUMBER"
        with pytest.raises(DecodeError, match="unknown key 'new_key'"):
            smsc_codec.decode(body, "send.php?err=1&fmt=3", strict=True)

    @pytest.mark.parametrize("fmt", [2, 3])
    def test_an_empty_list_is_kept_apart_from_none(self, fmt: int) -> None:
        request = f"send.php?err=1&fmt={fmt}"
        for phones in ((), None):
            reply = SendResult(id=5, cnt=1, phones=phones)
            assert smsc_codec.decode(smsc_codec.encode(reply, request), request) == reply

    def test_a_bad_row_is_named(self) -> None:
        with pytest.raises(DecodeError) as err:
            smsc_codec.decode("5,1\n7999,25001,abc,0,0", "send.php?op=1&fmt=1")
        assert err.value.line == 2

    @pytest.mark.parametrize("fmt", [0, 1, 2, 3])
    def test_only_per_number_records_are_written(self, fmt: int) -> None:
        with pytest.raises(TypeError, match=r"^SendResult\.phones expects"):
            SendResult(id=5, cnt=1, phones=(Statistics(login="a"),))  # type: ignore[arg-type]
        # a value built past the constructor's checks is refused by the encoder
        wrong = construct(SendResult, id=5, cnt=1, phones=(Statistics(login="a"),))
        with pytest.raises(EncodeError) as err:
            smsc_codec.encode_text(wrong, f"send.php?op=1&fmt={fmt}")
        assert err.value.field == "phones"


def test_a_first_column_starting_with_a_bom_is_refused() -> None:
    reply = [
        OperatorInfo(
            country="\ufeffRussia", operator="", region="", mcc="250", mnc="01", tz="3", phone="7"
        )
    ]
    with pytest.raises(EncodeError) as err:
        smsc_codec.encode(reply, "info.php?get_operator=1&phone=7,8&fmt=1")
    assert err.value.field == "country"


@pytest.mark.parametrize(
    ("reply", "request_"),
    [
        ([Sender(sender="OK")], "senders.php?get=1&fmt=1"),
        (
            OperatorInfo(country="ERROR = 1 (x)", operator="", region="", mcc="1", mnc="1", tz="3"),
            "info.php?get_operator=1&phone=7&fmt=1",
        ),
    ],
)
def test_a_body_that_would_read_as_ok_or_an_error_is_refused(reply: object, request_: str) -> None:
    with pytest.raises(EncodeError, match="would read as an OK or error answer"):
        smsc_codec.encode(reply, request_)
    # a second line makes it a list again
    if isinstance(reply, list):
        body = smsc_codec.encode([*reply, Sender(sender="x")], request_)
        assert smsc_codec.decode(body, request_) == [*reply, Sender(sender="x")]


@pytest.mark.parametrize(
    ("request_", "body"),
    [
        ("send.php?fmt=0", "OK - 2 SMS, ID - 5, COST - 2.80"),
        ("jobs.php?add=1&cost=1&fmt=0", "OK, ID - 12, COST - 3.40"),
        ("balance.php?fmt=2", "<balance>250.80</balance>"),
        ("balance.php?fmt=2", "<balance>250.80</balance>\n"),
    ],
)
def test_the_fast_paths_agree_with_the_general_one(request_: str, body: str) -> None:
    fast = smsc_codec.Decoder(request_).decode(body.encode())
    general = smsc_codec.decode(body, request_, strict=True)
    assert fast == general


@pytest.mark.parametrize(
    "body", ["<balance>2&amp;</balance>", "<balance>1<b/></balance>", "<balance>1</balanc>"]
)
def test_a_lone_balance_root_that_is_not_plain_is_refused_with_a_position(body: str) -> None:
    with pytest.raises(DecodeError) as err:
        smsc_codec.decode(body, "balance.php?fmt=2")
    assert err.value.line == 1


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        ("OK - 1 SMS, ID - 5", 0),  # send.php's ` - ` (facts §2.1)
        ("OK, ID - 5, COST - 1.40", 0),  # jobs.php (facts §2.6)
        ("1234,1,1.40", 1),
        ("250.80", None),  # balance.php: the same in fmt 0 and 1 (facts §5.13)
        ("250.80,RUB", None),
        ("OK", None),
    ],
)
def test_the_format_detector_does_not_guess(body: str, fmt: int | None) -> None:
    assert smsc_codec.detect_format(body) == fmt


IDENTITY = "&login=alice&psw=secret&mes=Hello%2C+world&sender=SMSC&n=17"


@pytest.mark.parametrize("query", sorted(record_requests()))
def test_requests_differing_in_credentials_ids_and_text_share_a_layout(query: str) -> None:
    request = smsc_codec.parse_request(query)
    noisy = smsc_codec.parse_request(query + IDENTITY)
    assert layout_of(noisy) == layout_of(request)
    assert reply_spec(noisy) is reply_spec(request)


@pytest.mark.parametrize(
    ("one", "several"),
    [
        ("status.php?id=5&phone=79990000000&fmt=1", "status.php?id=5,6&phone=7999,7998&fmt=1"),
        (
            "info.php?get_operator=1&phone=79990000000",
            "info.php?get_operator=1&phone=79990000000;79990000001",
        ),
    ],
)
def test_a_layout_keeps_whether_ids_or_numbers_are_several(one: str, several: str) -> None:
    assert reply_spec(smsc_codec.parse_request(one)) is not reply_spec(
        smsc_codec.parse_request(several)
    )


def test_decode_of_a_unique_request_equals_its_own_decoder() -> None:
    body = "1,1286524541,0,5,79990000000\n3,1286524542,20,6,79990000001"
    for number in range(300):  # more requests than the decoder cache holds
        query = f"status.php?id={number},{number + 1}&phone=7999,7998&fmt=1&login=u{number}"
        assert smsc_codec.decode(body, query) == smsc_codec.Decoder(query).decode(body)


# ------------------------------------------------- the URL's layout key ---
_SCRIPTS = sorted({smsc_codec.parse_request(q).script for q in record_requests()} | {"nope"})
_PARAM_NAMES = sorted(
    {key for q in record_requests() for key, _ in smsc_codec.parse_request(q).params}
    | {"fmt", "charset", "all", "cost", "id", "phone", "login", "psw", "mes", "op", "err"}
)
_VALUES = st.sampled_from(
    ["", "0", "1", "2", "3", "5,6", "5%2C6", "5%2c6", "utf-8", "koi8-r", "+1", "%33", "x y"]
)
_PAIRS = st.lists(
    st.tuples(st.sampled_from([*_PARAM_NAMES, "f%6Dt", "g%65t"]), _VALUES), max_size=6
)


def _url(script: str, pairs: list[tuple[str, str]], *, host: bool) -> str:
    head = f"https://smsc.ru/sys/{script}.php" if host else f"{script}.php"
    return head + "?" + "&".join(f"{k}={v}" for k, v in pairs)


@settings(max_examples=300)
@given(
    script=st.sampled_from(_SCRIPTS),
    first=_PAIRS,
    second=_PAIRS,
    host=st.booleans(),
)
def test_urls_with_one_layout_key_have_one_layout(
    script: str, first: list[tuple[str, str]], second: list[tuple[str, str]], host: bool
) -> None:
    """The decoder cache's key for a URL (one scan, no parse) is sound: two
    URLs with the same key have the same layout by the full parse."""
    one, other = _url(script, first, host=host), _url(script, second, host=not host)
    key = url_layout_key(one)
    if key is not None and key == url_layout_key(other):
        assert layout_of(smsc_codec.parse_request(one)) == layout_of(
            smsc_codec.parse_request(other)
        )


@pytest.mark.parametrize("query", sorted(record_requests()))
def test_a_log_s_noise_leaves_the_url_key_alone(query: str) -> None:
    """Credentials, ids, numbers and text in a URL do not split the cache."""
    noisy = "https://smsc.ru/sys/" + query.replace("id=101", "id=987") + IDENTITY
    key = url_layout_key(query)
    if key is not None:  # (info.php's several numbers are told by the full parse)
        assert url_layout_key(noisy) == key
