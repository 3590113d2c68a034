"""Hostile XML: every DTD is refused at its ``<!DOCTYPE``, before anything in
it is expanded, fetched or even declared.

No SMSC answer carries a DTD (seed 003 shows none), so refusing all of them
loses nothing and closes every attack that needs one: entity expansion
(billion laughs, quadratic blow-up), external entities and DTDs (file://,
http://), parameter entities. Each refusal must be cheap: an attack that is
expanded first costs gigabytes. Nesting depth, the one attack without a DTD,
is a limit: see test_limits.py.
"""

from __future__ import annotations

import pytest

import smsc_codec
from smsc_codec import DecodeError, LimitError
from tests.helpers import decoded, position, refused_cheaply

STATUS = "status.php?id=101&phone=79991234567&all=1&fmt=2"
STATUS_MULTI = "status.php?id=101,102&phone=79991234567,79991234568&fmt=2"

DECLARATION = '<?xml version="1.0"?>\n'

_LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 11)).replace(
    "&lol0;" * 10, "lol"
)

#: attack class -> a body (each but the bare DTD an attack on an unprotected parser)
ATTACKS = {
    "billion laughs": (
        f"{DECLARATION}<!DOCTYPE sms [\n{_LAUGHS}]>\n<sms><status>&lol10;</status></sms>"
    ),
    "quadratic blow-up": (
        f'{DECLARATION}<!DOCTYPE sms [<!ENTITY a "{"a" * 100_000}">]>\n'
        f"<sms><status>1</status><message>{'&a;' * 10_000}</message></sms>"
    ),
    "external entity file://": (
        f'{DECLARATION}<!DOCTYPE sms [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<sms><status>1</status><message>&x;</message></sms>"
    ),
    "external entity http://": (
        f'{DECLARATION}<!DOCTYPE sms [<!ENTITY x SYSTEM "http://example.invalid/x">]>\n'
        "<sms><status>1</status><message>&x;</message></sms>"
    ),
    "external DTD": (
        f'{DECLARATION}<!DOCTYPE sms SYSTEM "http://example.invalid/x.dtd">\n'
        "<sms><status>1</status></sms>"
    ),
    "external DTD, public id": (
        '<!DOCTYPE sms PUBLIC "-//X//DTD X//EN" "http://example.invalid/x.dtd">\n'
        "<sms><status>1</status></sms>"
    ),
    "external parameter entity": (
        f"{DECLARATION}<!DOCTYPE sms [\n"
        '<!ENTITY % p SYSTEM "http://example.invalid/p.dtd">\n%p;\n]>\n'
        "<sms><status>1</status></sms>"
    ),
    "parameter entity declaring an entity": (
        f"{DECLARATION}<!DOCTYPE sms [\n"
        "<!ENTITY % p \"<!ENTITY x 'file:///etc/passwd'>\">\n%p;\n]>\n"
        "<sms><status>1</status><message>&x;</message></sms>"
    ),
    "internal subset without entities": (
        "<!DOCTYPE sms [<!ELEMENT sms ANY>]>\n<sms><status>1</status></sms>"
    ),
    "bare DTD": "<!DOCTYPE sms>\n<sms><status>1</status></sms>",
}


def doctype_position(body: str) -> tuple[int, int]:
    return position(body, body.index("<!DOCTYPE"))


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("request_", [STATUS, STATUS_MULTI, None])
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_dtd_refused_at_the_doctype(attack: str, request_: str | None, strict: bool) -> None:
    """A DecodeError (not a limit: a DTD is never allowed) at the ``<`` of
    ``<!DOCTYPE``, cheaply, whatever the request (one record, a list, none)."""
    body = ATTACKS[attack]
    error = refused_cheaply(lambda: decoded(body, request_, strict=strict), len(body.encode()))
    assert not isinstance(error, LimitError), error
    assert error.fmt == 2
    assert (error.line, error.column) == doctype_position(body)


@pytest.mark.parametrize("attack", ["billion laughs", "external entity file://", "bare DTD"])
def test_dtd_refused_in_bytes_bodies_of_every_charset(attack: str) -> None:
    body = ATTACKS[attack]
    for charset in ("windows-1251", "utf-8", "koi8-r"):
        with pytest.raises(DecodeError) as caught:
            decoded(body.encode(), f"{STATUS}&charset={charset}")
        assert (caught.value.line, caught.value.column) == doctype_position(body)


@pytest.mark.parametrize(
    "prefix",
    [
        '<?xml version="1.0" encoding="windows-1251"?>',  # on the declaration's line
        "\n\n  ",  # after blank lines and spaces
        "\ufeff",  # after a byte-order mark
    ],
)
def test_doctype_position_is_exact(prefix: str) -> None:
    """The caret goes under the ``<`` of ``<!DOCTYPE``, wherever it stands."""
    body = prefix + ATTACKS["bare DTD"]
    with pytest.raises(DecodeError) as caught:
        decoded(body, STATUS)
    line, column = doctype_position(body.removeprefix("\ufeff"))
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.source_line[column - 1 :].startswith("<!DOCTYPE")


def test_doctype_after_the_root_element() -> None:
    """A DTD after the document is no better: refused where it stands."""
    body = "<sms><status>1</status></sms>\n" + ATTACKS["bare DTD"]
    with pytest.raises(DecodeError) as caught:
        decoded(body, STATUS)
    assert caught.value.line == 2


def test_an_error_answer_with_a_dtd_is_refused_too() -> None:
    """The error envelope is XML like any answer: a DTD in front of it is not
    skipped to reach the ``<result>``."""
    body = '<!DOCTYPE result [<!ENTITY e "x">]>\n<result><error>&e;</error><code>9</code></result>'
    with pytest.raises(DecodeError) as caught:
        decoded(body, STATUS)
    assert (caught.value.line, caught.value.column) == (1, 1)


@pytest.mark.parametrize("attack", ["billion laughs", "external entity file://", "external DTD"])
def test_callbacks_refuse_dtds(attack: str) -> None:
    """What the server posts to a handler may be XML too (callback?fmt=2)."""
    body = ATTACKS[attack].replace("sms", "result")
    error = refused_cheaply(
        lambda: smsc_codec.decode_callback(body.encode(), fmt=2), len(body.encode())
    )
    assert not isinstance(error, LimitError)
    assert (error.line, error.column) == doctype_position(body)


def test_markup_that_looks_like_a_dtd_inside_text_is_text() -> None:
    """Only a real ``<!DOCTYPE`` is refused: the escaped text of one is a message."""
    body = "<sms>\n<status>1</status>\n<message>&lt;!DOCTYPE sms&gt; &amp;lol;</message>\n</sms>"
    reply = decoded(body, STATUS)
    assert reply.message == "<!DOCTYPE sms> &lol;"
