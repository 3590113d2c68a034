"""A reused ``Decoder``'s compiled entries read exactly what its general
path reads.

A decoder answers a bare ``OK`` by comparing the body with its exact forms,
and a one-record answer by the entry compiled for its layout (a generated
match, conversions and constructor; ``LineReader.entry``,
``JsonReader.entry``); anything the entry does not read goes the general
path. Here a decoder with both turned off is that general path, and every
body, from the corpus and made by Hypothesis (good bodies of the layouts,
then cut, grown, broken), must give the same reply or the same DecodeError
(type, message, line and column) both ways.
"""

from __future__ import annotations

import contextlib
from typing import Any

import msgspec
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import DecodeError, EncodeError, Limits
from smsc_codec._api import _URL_SHAPES, no_entry
from smsc_codec._build import MISS
from smsc_codec._replies import reply_spec
from smsc_codec._request import parse_request
from tests import strategies as S
from tests.conftest import corpus_entries

#: the single answers with a compiled entry, and the OK-only command
QUERIES = [
    "send.php?cost=3",
    "send.php?cost=2",
    "send.php",
    "balance.php",
    "balance.php?cur=1",
    "status.php?id=1&phone=79991234567",
    "status.php?id=1&phone=79991234567&all=1",
    "status.php?id=1&phone=79991234567&all=2",
    "phones.php?del=1",
]
REQUESTS = [
    f"{query}{'&' if '?' in query else '?'}fmt={fmt}" for query in QUERIES for fmt in (0, 1, 2, 3)
]
#: limits that refuse short bodies, lines, values or records
LIMITS = [
    Limits(),
    Limits(max_body_bytes=1),
    Limits(max_line_length=1),
    Limits(max_line_length=3),
    Limits(max_field_length=2),
    Limits(max_records=0),
    Limits(max_records=1),
]


def _general(request: str, limits: Limits) -> smsc_codec.Decoder[Any]:
    """A decoder with its compiled entries turned off: the general path."""
    decoder = smsc_codec.Decoder(request, limits=limits)
    decoder._entry = no_entry
    decoder._ok_text = decoder._ok_bytes = None
    return decoder


def _outcome(decoder: smsc_codec.Decoder[Any], body: bytes | str) -> tuple[Any, ...]:
    try:
        reply = decoder.decode(body)
    except DecodeError as exc:
        return ("error", type(exc), str(exc), exc.line, exc.column)
    return ("reply", type(reply), reply, repr(reply))


def _same_both_ways(request: str, body: bytes | str, limits: Limits) -> None:
    fast = smsc_codec.Decoder(request, limits=limits)
    general = _general(request, limits)
    # twice: the first decode builds the entry, the second takes it
    for _ in range(2):
        assert _outcome(fast, body) == _outcome(general, body), body
    if isinstance(body, str):
        data = body.encode("utf-8", "replace")
        assert _outcome(fast, data) == _outcome(general, data), data


def test_entries_are_compiled() -> None:
    """The entries under test exist: a line answer's generated reader (of
    free text too), the OK forms (else this file would compare the general
    path with itself)."""
    for request in REQUESTS:
        decoder = smsc_codec.Decoder(request)
        assert decoder.decode("OK") == _general(request, Limits()).decode("OK")
        assert decoder._ok_text == "OK"
        spec = reply_spec(parse_request(request))
        if not spec.ok_only:
            with pytest.raises(DecodeError):
                decoder.decode("x")  # (the first decode builds the entry)
            assert decoder._entry is not no_entry, request


@pytest.mark.parametrize("limits", LIMITS, ids=repr)
def test_corpus_bodies(limits: Limits) -> None:
    """Every corpus body of these scripts, to every one of the requests."""
    scripts = {query.partition(".php")[0] for query in QUERIES}
    bodies = [e.body for e in corpus_entries() if e.request.partition(".php")[0] in scripts]
    assert bodies
    for request in REQUESTS:
        for body in bodies:
            _same_both_ways(request, body, limits)
            _same_both_ways(request, body.decode("utf-8", "replace"), limits)


@pytest.mark.parametrize("request_", REQUESTS)
@settings(max_examples=5)
@given(data=st.data())
def test_entries_take_any_object(request_: str, data: st.DataObject) -> None:
    """A decoder hands its entry every body but the bare OK's exact forms:
    the entry reads what it reads (a bytearray too, in fmt=3), answers MISS
    for the rest (OK itself, a memoryview, an object that is no body at
    all) and raises nothing, so that the decoder answers as it would
    without one (TypeError for an object of a foreign type)."""
    decoder = smsc_codec.Decoder(request_)
    general = _general(request_, Limits())
    with contextlib.suppress(DecodeError):
        decoder.decode("x")  # (the first decode builds the entry)
    entry = decoder._entry
    for body in ("OK", b"OK"):
        assert entry(body) is MISS
        assert _outcome(decoder, body) == _outcome(general, body)
    good = data.draw(_good_bodies(request_)).encode("utf-8")
    for buffer in (bytearray(good), memoryview(good)):
        found = entry(buffer)
        assert found is MISS or found == decoder.decode(good)
        assert _outcome(decoder, buffer) == _outcome(general, buffer)  # type: ignore[arg-type]
    for foreign in (123, None, 1.5, ["{"], ("{",), {"{": 1}):
        assert entry(foreign) is MISS
        with pytest.raises(TypeError, match="body must be bytes or str"):
            decoder.decode(foreign)  # type: ignore[arg-type]


#: a fmt=3 status object, and bodies around it that are no object of the
#: kind or not it alone (the entry hands each to the wire twin, whatever
#: its first character)
_STATUS_OBJECT = '{"status": 1, "last_date": "28.06.2021 15:55:47", "err": 0}'
_AROUND_AN_OBJECT = [
    " " + _STATUS_OBJECT,
    "\r\n\t" + _STATUS_OBJECT,
    _STATUS_OBJECT + "\n",
    "\ufeff" + _STATUS_OBJECT,
    f"[{_STATUS_OBJECT}]",
    f"{_STATUS_OBJECT}{_STATUS_OBJECT}",
    "OK",
    " OK",
    '"OK"',
    "1",
    "null",
    "{}",
    "{",
    '{"error": "x", "error_code": 3}',
    '{"result": "OK"}',
    "ERROR = 3 (x)",
    "",
]


@pytest.mark.parametrize("body", _AROUND_AN_OBJECT)
def test_json_entry_reads_what_the_general_path_reads(body: str) -> None:
    """The fmt=3 entry does not look at a body's first character: what
    the twin reads (an object after white space, as JSON allows) is the
    general path's reply, and the rest is the general path's."""
    request = "status.php?id=1&phone=79991234567&fmt=3"
    _same_both_ways(request, body, Limits())
    decoder = smsc_codec.Decoder(request)
    decoder.decode(_STATUS_OBJECT)  # (the first decode builds the entry)
    if body.strip(" \r\n\t") == _STATUS_OBJECT:
        assert decoder._entry(body) == decoder.decode(_STATUS_OBJECT)


@pytest.mark.parametrize("body", ['{"id": 33, "cnt": 1}', ' {"id": 33, "cnt": 1}'])
def test_a_key_over_max_field_length_is_refused_every_way(body: str) -> None:
    """A JSON key is a text held to ``max_field_length``, which a wire twin
    (bounding values only) cannot check: under a bound shorter than a key
    of the kind no twin reads, neither the entry nor the general path's
    first try, and the general path says what is over the limit; a key
    the body holds within the bound is read."""
    request = "send.php?cost=3&fmt=3"
    decoder = smsc_codec.Decoder(request, limits=Limits(max_field_length=2))
    for _ in range(2):  # (the first decode builds the entry)
        with pytest.raises(smsc_codec.LimitError, match="max_field_length=2"):
            decoder.decode(body)
    _same_both_ways(request, body, Limits(max_field_length=2))
    _same_both_ways(request, body, Limits(max_field_length=3))
    reply = smsc_codec.decode(body, request, limits=Limits(max_field_length=3))
    assert isinstance(reply, smsc_codec.SendResult)
    assert reply.cnt == 1


def _broken_entry(body: object) -> Any:
    raise ZeroDivisionError("a bug")


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_a_bug_in_an_entry_is_a_decode_error(fmt: int) -> None:
    """An entry that raises (a bug) makes the decoder raise DecodeError
    saying so, never the bug's own exception: through a reused decoder and
    through ``decode`` with a URL, which calls the entry itself."""
    request = f"status.php?id=1&phone=79991234567&fmt={fmt}"
    url = f"https://smsc.ru/sys/{request}&login=entry-bug&psw=x"
    reply = smsc_codec.decode("1,1624884947,0", "status.php?id=1&phone=79991234567&fmt=1")
    body = smsc_codec.encode_text(reply, request)
    # (a layout's URL shape is learned on its 2nd, 4th, 8th... miss, counted
    # over the whole run)
    for _ in range(100_000):
        assert smsc_codec.decode(body, url) == reply
        shared = _URL_SHAPES.find(url)
        if shared is not None:
            break
    assert shared is not None
    decoder = smsc_codec.Decoder(request)
    assert decoder.decode(body) == reply
    built = shared._entry
    decoder._entry = shared._entry = _broken_entry
    try:
        for decode in (decoder.decode, lambda text: smsc_codec.decode(text, url)):
            with pytest.raises(DecodeError, match="internal error: ZeroDivisionError") as caught:
                decode(body)
            assert isinstance(caught.value.__cause__, ZeroDivisionError)
        assert isinstance(decoder.decode("OK"), smsc_codec.Ok)  # (read before the entry)
    finally:
        shared._entry = built


def _good_bodies(request: str) -> st.SearchStrategy[str]:
    """Bodies of the request's layouts, as the encoder writes them."""
    spec = reply_spec(parse_request(request))
    if spec.ok_only:
        return st.just("OK")

    def written(reply: msgspec.Struct) -> str:
        try:
            return smsc_codec.encode_text(reply, request, lossy=True)
        except EncodeError:
            assume(False)
            raise

    kinds = st.sampled_from([c.cls for c in spec.candidates])
    return kinds.flatmap(lambda cls: S.replies(cls, text_formats=True)).map(written)


#: pieces a body may be cut at, grown by or broken with (XML's markup too:
#: the fmt=2 entry leaves every construct but plain elements to defusedxml)
_PIECES = ["", "\n", "\r\n", "\r", "\0", "\ufeff", "E", "OK", ",-", ",", " ", "-", ".", "1", "ж"]
_XML_PIECES = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE sms [<!ENTITY e "x">]>',
    "&e;",
    "&amp;",
    "&#49;",
    "<!-- c -->",
    "<![CDATA[1]]>",
    "<?pi x?>",
    ' a="1"',
    "<a/>",
    "<a>1</a>",
    "<x:a>1</x:a>",
    "</",
    ">",
    "\x01",
    "\x85",
    "\t",
]


@st.composite
def _bodies(draw: st.DrawFn, request: str) -> str:
    body = draw(_good_bodies(request))
    edit = draw(st.sampled_from(["none", "insert", "delete", "replace", "append", "prepend"]))
    at = draw(st.integers(0, len(body)))
    piece = draw(st.sampled_from(_PIECES + _XML_PIECES) | st.text(max_size=3))
    if edit == "insert":
        return body[:at] + piece + body[at:]
    if edit == "delete":
        return body[:at] + body[at + draw(st.integers(1, 3)) :]
    if edit == "replace":
        return body[:at] + piece + body[at + 1 :]
    if edit == "append":
        return body + piece
    if edit == "prepend":
        return piece + body
    return body


@pytest.mark.parametrize("request_", REQUESTS)
@given(data=st.data())
def test_generated_bodies(request_: str, data: st.DataObject) -> None:
    body = data.draw(_bodies(request_))
    limits = data.draw(st.sampled_from(LIMITS))
    _same_both_ways(request_, body, limits)


#: the line formats' requests whose entry reads a line of every kind
_LINE_REQUESTS = [r for r in REQUESTS if r[-1] in "01" and "del=1" not in r]


@pytest.mark.parametrize("request_", _LINE_REQUESTS)
@given(data=st.data())
def test_final_line_break_stays_on_the_entry(request_: str, data: st.DataObject) -> None:
    """A line answer ended by one LF or CRLF is read by the entry as the
    general path reads it (the line before the break); two breaks, or a
    lone CR, are the general path's."""
    body = data.draw(_good_bodies(request_))
    decoder = smsc_codec.Decoder(request_)
    with contextlib.suppress(DecodeError):
        decoder.decode(body)  # (the first decode builds the entry)
    entry = decoder._entry
    assert callable(entry)
    read = entry(body)
    for end in ("\n", "\r\n", "\n\n", "\r\n\r\n", "\r", "\n\r\n"):
        _same_both_ways(request_, body + end, Limits())
        if end in ("\n", "\r\n") and read is not MISS:
            assert entry(body + end) == read
        elif end not in ("\n", "\r\n"):
            assert entry(body + end) is MISS


@pytest.mark.parametrize("request_", REQUESTS)
@given(body=st.text(alphabet="0123456789,.-: OKERSMIDBALNCT=\n\r\0\ufeffж", max_size=60))
def test_arbitrary_text(request_: str, body: str) -> None:
    _same_both_ways(request_, body, Limits())


def _picked_by_layout() -> list[tuple[int, Any, Any, Any]]:
    """(fmt, spec, candidate, alternative) of every layout without free text
    of a spec that says its lines are picked by their layout."""
    from smsc_codec._matcher import line_codec  # noqa: PLC0415 - the layouts under test
    from smsc_codec._replies import _STATUS  # noqa: PLC0415

    found = []
    for spec in _STATUS.values():
        if not spec.picked_by_layout:
            continue
        for fmt in (0, 1):
            for candidate in spec.candidates:
                for alt in line_codec(fmt, candidate.rule, candidate.cls).alternatives:
                    if not alt.free:
                        found.append((fmt, spec, candidate, alt))
    return found


def test_specs_picked_by_layout() -> None:
    """The status.php all=0 rows are the specs whose lines their layouts pick."""
    assert {id(spec) for _, spec, _, _ in _picked_by_layout()} == {
        id(reply_spec(parse_request(f"status.php?id=1{ids}&phone=79991234567")))
        for ids in ("", ",2")
    }


@pytest.mark.parametrize("case", _picked_by_layout(), ids=lambda c: f"{c[3].layout.rule}-{c[0]}")
@given(data=st.data())
def test_layout_says_the_pick(case: tuple[int, Any, Any, Any], data: st.DataObject) -> None:
    """``ReplySpec.picked_by_layout``: every line a layout without free text
    reads is picked as that layout's kind, so the entry need not ask."""
    fmt, spec, candidate, alt = case
    line = data.draw(st.from_regex(alt.exact, fullmatch=True))
    assert spec.pick_line(fmt, line) is candidate


#: markup the fmt=2 entry does not read: defusedxml does, and refuses or reads
#: it as before (a DOCTYPE and entities are refused; the rest are read)
_NOT_PLAIN = [
    ("<sms>", '<!DOCTYPE sms [<!ENTITY e "1">]><sms>'),
    ("<sms>", '<!DOCTYPE sms SYSTEM "http://example.com/x.dtd"><sms>'),
    ("<sms>", '<?xml version="1.0" encoding="UTF-8"?><sms>'),
    ("<sms>", '<?xml version="1.0"?>\n<sms>'),
    ("<status>1", "<status>&#49;"),
    ("<status>1", "<status>1&amp;"),
    ("<status>1", "<status>&e;"),
    ("<status>1", "<!-- c --><status>1"),
    ("<status>1", "<status><![CDATA[1]]>"),
    ("<status>1", "<?pi x?><status>1"),
    ("<status>1", '<status a="1">1'),
    ("<sms>", '<sms a="1">'),
    ("<err>0</err>", "<err/>"),
    ("<err>0</err>", "<err><b>0</b></err>"),
    ("<err>0</err>", "<err>0</err><err>0</err>"),
    ("<err>0</err>", "<x:err>0</x:err>"),
    ("<err>0</err>", "<err>0\r</err>"),
    ("<err>0</err>", "<err>0\x01</err>"),
    ("<err>0</err>", "<err>0</err>text"),
    ("</sms>", "</sms><!-- c -->"),
    ("</sms>", "</sms><sms></sms>"),
    ("<sms>", " <sms>"),
    ("<sms>", "\ufeff<sms>"),
]


@pytest.mark.parametrize(("plain", "other"), _NOT_PLAIN)
def test_xml_entry_leaves_markup_to_defusedxml(plain: str, other: str) -> None:
    """A fmt=2 body with anything but plain elements is not read by the
    entry (it answers MISS), and decodes exactly as the general path
    decodes it: a DOCTYPE or an entity is refused, as before."""
    request = "status.php?id=1&phone=79991234567&fmt=2"
    decoder = smsc_codec.Decoder(request)
    good = smsc_codec.encode_text(smsc_codec.decode("1,1624884947,0", request[:-1] + "1"), request)
    assert decoder.decode(good) == _general(request, Limits()).decode(good)
    assert decoder._entry is not no_entry
    assert decoder._entry(good) == decoder.decode(good)  # the entry reads the plain body
    assert plain in good
    body = good.replace(plain, other, 1)
    from smsc_codec._build import MISS  # noqa: PLC0415 - what the entry answers

    assert decoder._entry(body) is MISS
    assert decoder._entry(body.encode("utf-8")) is MISS
    _same_both_ways(request, body, Limits())
    if "<!DOCTYPE" in other or "&e;" in other:
        with pytest.raises(DecodeError, match=r"forbidden XML construct|malformed XML"):
            decoder.decode(body)


def test_xml_attacks_through_a_reused_decoder() -> None:
    """The corpus's XML attacks (entity expansion, external entities and
    DTDs, deep nesting), to a decoder whose entry is built: refused as by
    the general path."""
    attacks = [e for e in corpus_entries() if e.name.startswith("rejected/") and b"<" in e.body]
    assert len(attacks) >= 8
    for attack in attacks:
        request = attack.request
        decoder = smsc_codec.Decoder(request)
        with contextlib.suppress(DecodeError):
            decoder.decode("<x/>")  # (the first decode builds the entry)
        spec = reply_spec(parse_request(request))
        assert (decoder._entry is not no_entry) == (not spec.ok_only and not spec.multi), request
        _same_both_ways(request, attack.body, Limits())
        with pytest.raises(DecodeError):
            decoder.decode(attack.body)
