"""Real traffic beside the documented layout: spacing variants.

Seed 003 prints some separators irregularly: fmt=1 ``,<message>, <comment>,
<type>`` and HLR ``,<rnet>, <send_timestamp>`` with a space no other column
has, fmt=0 ``operator_orig= `` without the space every other key has. The
printed form stays the registered layout (the encoders write it); a line
with the other spelling (``_matcher.LITERAL_VARIANTS``) reads the same
values leniently, and strict decoding names the variant it met.
"""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsc_codec
from smsc_codec import DecodeError, EncodeError
from smsc_codec._grammar import line_layouts
from smsc_codec._matcher import LITERAL_VARIANTS, line_codec
from smsc_codec._replies import record_requests, reply_spec
from smsc_codec._request import parse_request
from tests import strategies as S

#: (fmt, request, rule, kind) of every registered layout a variant applies to
CASES = sorted(
    {
        (fmt, query + f"&fmt={fmt}", candidate.rule, candidate.cls)
        for query, spec in record_requests().items()
        for candidate in spec.candidates
        for fmt in (0, 1)
        for printed, _, _ in LITERAL_VARIANTS[fmt]
        if any(printed in lit for lay in line_layouts(fmt, candidate.rule) for lit in lay.literals)
    },
    key=lambda case: (case[0], case[1], case[2]),
)


def test_the_variants_reach_the_documented_irregularities() -> None:
    rules = {(fmt, rule) for fmt, _, rule, _ in CASES}
    for kind in ("sms", "hlr"):
        for level in (1, 2):
            assert (1, f"status_{kind}_all{level}") in rules
    assert (0, "status_sms_all2") in rules


_PLAIN_TEXT = st.text(st.sampled_from("abcXYZ019.-абвгдЯ"), max_size=12)


def _one(decoded: object) -> msgspec.Struct:
    """The record of a one-line answer (a several-id answer is a list of one)."""
    record = decoded[0] if isinstance(decoded, list) else decoded
    assert isinstance(record, msgspec.Struct)
    return record


@pytest.mark.parametrize(("fmt", "request_", "rule", "kind"), CASES)
@settings(max_examples=25)
@given(data=st.data())
def test_a_variant_reads_the_same_values(
    fmt: int, request_: str, rule: str, kind: type[msgspec.Struct], data: st.DataObject
) -> None:
    layout = line_layouts(fmt, rule)[0]
    # texts without the separator's characters, so that the variant differs
    # from the printed line in its separators alone
    reply = data.draw(S.replies(kind, layout.fields, text_formats=True, text=_PLAIN_TEXT))
    try:
        line = line_codec(fmt, rule, kind).write(reply, lossy=True)
    except EncodeError:
        return  # (a text the layout cannot carry: the encoders' tests cover it)
    if reply_spec(parse_request(request_)).pick_line(fmt, line).rule != rule:
        return  # (a text that makes the row read as another kind)
    printed, other, description = LITERAL_VARIANTS[fmt][0]
    variant = line.replace(printed, other)
    registered = _one(smsc_codec.decode(line, request_))
    read = _one(smsc_codec.decode(variant, request_))
    if getattr(registered, "ambiguous_fields", ()) or getattr(read, "ambiguous_fields", ()):
        return  # (the same text can end elsewhere without the space: a reading, not a bug)
    assert read == registered
    with pytest.raises(DecodeError, match="variant") as caught:
        smsc_codec.decode(variant, request_, strict=True)
    assert description in caught.value.reason
    # the encoder writes the registered, printed layout back
    assert smsc_codec.encode_text(read, request_, lossy=True) == smsc_codec.encode_text(
        registered, request_, lossy=True
    )


def test_the_documented_example_without_its_spaces() -> None:
    request = "status.php?id=1&phone=79990000000&fmt=1&all=1"
    printed = "1,1286524541,0,1286524540,79990000000,1.40,SMSC,Доставлено,Hello, комм, 0"
    plain = printed.replace(", ", ",")
    assert smsc_codec.decode(plain, request) == smsc_codec.decode(printed, request)
    with pytest.raises(DecodeError, match="without the space seed 003 prints"):
        smsc_codec.decode(plain, request, strict=True)
