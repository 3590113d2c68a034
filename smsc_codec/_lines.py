"""fmt=0 and fmt=1 bodies: one record per line (facts §1.3).

Each line is read by the compiled layout (``_matcher.py``). When a fmt=0 line
does not follow the documented layout exactly, lenient decoding reads it by
key instead (:func:`scan_keys`): keys in another order, missing optional keys,
unknown keys (kept in ``extra``). Strict decoding accepts the documented layout
only and reports where a line leaves it (``_line_faults``: no general parser
runs on a body).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import msgspec

from ._body import Line, body_text, iter_lines
from ._build import MISS, Place, build_reply, refuse_unknown_codes
from ._checks import blank, replaced
from ._envelope import detect_text_envelope
from ._errors import DecodeError, EncodeError, RequestError
from ._grammar import field_required
from ._learned import PAIR_START, LearnedShapes
from ._limits import DEFAULT_LIMITS, Limits, check_lines, check_text_values
from ._matcher import (
    LineCodec,
    LineMismatch,
    LineRead,
    WrittenLine,
    builder_arguments,
    line_codec,
)
from ._model import ApiError, Ok
from ._replies import Candidate, Details, ReplySpec
from ._schema import MAX_INT_DIGITS, SRE_KIND_PATTERNS, FieldSpec, Kind, optional

__all__ = [
    "CSV",
    "TEXT",
    "LineReader",
    "LineWriter",
    "decode_lines",
    "encode_lines",
    "known_keys",
    "new_shapes",
    "scan_keys",
]

#: The server separates records with a bare LF. [UNVERIFIED] whether a
#: multi-line answer ends with a line break: no recorded body shows one, so the
#: writer adds none (the reader accepts both).
LINE_BREAK = "\n"


def _fault(reason: str, fmt: int, text: str, offset: int) -> DecodeError:
    return DecodeError(reason, fmt=fmt, text=text, offset=offset)


#: a learned shape: the keys of a line as written, and the field each fills
_Shape = tuple[tuple[str, ...], tuple[str | None, ...]]


def known_keys(codec: LineCodec) -> dict[str, str]:
    """The fmt=0 keys a layout knows, with the field of each: its own
    spellings (``Status``, ``ID``), the model's wire keys and their variants."""
    known = codec.known_keys
    if known is None:
        plan = codec.plan
        known = dict(codec.keys)
        for spec in plan.fields:
            known.setdefault(spec.wire, spec.name)
        for key, spec in plan.by_variant.items():
            known.setdefault(key, spec.name)
        codec.known_keys = known
    return known


def scan_keys(line: str, codec: LineCodec) -> tuple[msgspec.Struct, tuple[str, ...], _Shape]:
    """Read a fmt=0 line by its keys, whatever their order.

    A key the layout knows starts a new pair the first time it appears; an
    unknown key starts one only after a value that cannot hold ``, `` (a free
    text such as ``message = Hello, world = test`` keeps its `` = ``). A known key
    met again inside a free text makes that text ambiguous.

    Returns the reply, the fields named ambiguous and the line's shape (its
    keys as written, the field of each). Raises LineMismatch.
    """
    plan = codec.plan
    known = known_keys(codec)
    known_wire = {spec.name: spec.wire for spec in plan.fields}
    starts = list(PAIR_START.finditer(line))
    if not starts or starts[0].start() != 0:
        raise LineMismatch("expected `key = value` pairs separated by `, `", 0)
    pairs: list[tuple[str, str | None, int, int]] = []  # key, field, key start, value start
    seen: set[str] = set()
    ambiguous: set[str] = set()
    for m in starts:
        key = m.group(1)
        field = known.get(key)
        if pairs:
            current = pairs[-1][1]
            in_text = current is not None and plan.by_name[current].kind.free
            if field is not None and field in seen:
                if not in_text:
                    raise LineMismatch(f"key {key!r} appears twice", m.start() + 2)
                ambiguous.add(current)  # type: ignore[arg-type]
                continue
            if field is None and in_text:
                continue
        if field is not None:
            seen.add(field)
        pairs.append((key, field, m.start(), m.end()))
    items = []
    for i, (key, field, _, value_start) in enumerate(pairs):
        value_end = pairs[i + 1][2] if i + 1 < len(pairs) else len(line)
        # (a known key under the layout's own spelling, `ID` for `id`, is read
        # as the field's wire key; unknown keys as written)
        wire = key if field is None else known_wire[field]
        items.append((wire, line[value_start:value_end], value_start))
    marked = tuple(sorted(ambiguous))
    reply = build_reply(plan.cls, items, _KeyPlace(line), strict=False, ambiguous=marked)
    shape = (
        tuple(line[start:value_start] for _, _, start, value_start in pairs),
        tuple(field for _, field, _, _ in pairs),
    )
    return reply, marked, shape


def _shapes(codec: LineCodec, candidate: Candidate) -> LearnedShapes:
    """The shapes learned for a fmt=0 layout (made on first use)."""
    learned: LearnedShapes | None = codec.learned
    if learned is None:
        learned = codec.learned = new_shapes(codec, candidate)
    return learned


def new_shapes(codec: LineCodec, candidate: Candidate) -> LearnedShapes:
    """An empty store of learned shapes for a fmt=0 layout: the keys it
    knows, and the layouts tried before the shapes (its alternatives, their
    spelling variants and the candidate's variant layouts)."""
    earlier = [*codec.alternatives, *codec.variants]
    for rule in candidate.variants:
        variant = line_codec(0, rule, candidate.cls)
        earlier += [*variant.alternatives, *variant.variants]
    return LearnedShapes(
        codec.plan,
        known_keys(codec),
        [(alt.layout.literals, [s.kind.free for s in alt.specs]) for alt in earlier],
    )


class _KeyPlace(Place):
    """Faults of a line read by key: LineMismatch at an offset in the line,
    naming the field."""

    def name(self, key: str, spec: FieldSpec | None) -> str:
        return f"field {spec.name if spec is not None else key!r}"

    def missing(self, spec: FieldSpec) -> str:
        return f"missing key for field {spec.name!r}"

    def fault(self, reason: str, offset: int) -> Exception:
        return LineMismatch(reason, offset)


def read_mismatched_line(
    exc: LineMismatch, text: str, fmt: int, candidate: Candidate
) -> msgspec.Struct:
    """Lenient reading of a one-line body the layout did not read (``exc``):
    a variant layout, or by key (fmt=0), or the positioned DecodeError. The
    decoder's single-line fast path hands its failure here, so that the line
    is not read by the layout twice."""
    return _read_line(Line(text, 0), text, fmt, candidate, strict=False, mismatch=exc)


def _read_line(
    line: Line,
    text: str,
    fmt: int,
    candidate: Candidate,
    strict: bool,
    *,
    mismatch: LineMismatch | None = None,
) -> msgspec.Struct:
    """One line as its candidate's reply; ``mismatch`` is the layout's failure
    on this line when it is known already."""
    codec = line_codec(fmt, candidate.rule, candidate.cls)
    lenient_text = fmt == 0 and not strict
    if mismatch is None and lenient_text and codec.learned is not None:
        found: msgspec.Struct | None = codec.learned.read_first(line.text)
        if found is not None:
            return found
    try:
        if mismatch is not None:
            raise mismatch
        read = codec.read(line.text)
    except LineMismatch as exc:
        return _read_mismatched(line, text, fmt, candidate, exc, codec=codec, strict=strict)
    if read.variant is not None:
        _take_variant(read, line, text, fmt, candidate, codec=codec, strict=strict)
    if strict:
        _check_strictly(read, line, text, fmt, codec)
    return read.reply


def _take_variant(
    read: LineRead,
    line: Line,
    text: str,
    fmt: int,
    candidate: Candidate,
    *,
    codec: LineCodec,
    strict: bool,
) -> None:
    """A line the codec read by a variant of the registered layout: strict
    decoding refuses it; lenient fmt=0 learns its shape (a spelling the
    next lines repeat) unless its free text was ambiguous."""
    if strict:
        raise _fault(
            f"the line follows a variant of the registered layout {candidate.rule!r}: "
            f"{read.variant}",
            fmt,
            text,
            line.offset,
        )
    if fmt == 0 and not read.ambiguous:
        _shapes(codec, candidate).learn_layout(read.literals, read.fields)


def _read_mismatched(
    line: Line,
    text: str,
    fmt: int,
    candidate: Candidate,
    exc: LineMismatch,
    *,
    codec: LineCodec,
    strict: bool,
) -> msgspec.Struct:
    """A line the layout does not read (``exc``): by an [UNVERIFIED] variant
    of it, else, in lenient fmt=0, by key; otherwise the mismatch's fault."""
    variant = _read_variant(line.text, fmt, candidate)
    if variant is not None:
        if strict:
            raise _fault(
                f"the line follows {variant[0]!r}, an [UNVERIFIED] variant of the "
                f"registered layout {candidate.rule!r}",
                fmt,
                text,
                line.offset,
            ) from None
        return variant[1]
    if fmt != 0 or strict:
        raise _mismatch(exc, line, text, fmt, candidate) from None
    return _read_by_key(line, text, codec, candidate, exc)


def _check_strictly(read: LineRead, line: Line, text: str, fmt: int, codec: LineCodec) -> None:
    """What strict decoding refuses in a line its layout read: ambiguous
    free text, unknown codes."""
    if read.ambiguous:
        raise _fault(
            f"ambiguous free text: {', '.join(read.ambiguous)} could be split in several ways",
            fmt,
            text,
            line.offset + _field_offset(codec, line.text, read.ambiguous[0]),
        )
    refuse_unknown_codes(read.reply, _LayoutPlace(text, fmt, line, codec))


def _read_by_key(
    line: Line, text: str, codec: LineCodec, candidate: Candidate, exc: LineMismatch
) -> msgspec.Struct:
    """Lenient fmt=0: a line no layout reads, by a learned shape or by key
    (its shape learned then)."""
    shapes = _shapes(codec, candidate)
    found = shapes.read(line.text)
    if found is not None:
        return found
    try:
        reply, _, (literals, names) = scan_keys(line.text, codec)
    except LineMismatch as scan_exc:
        raise _mismatch(scan_exc, line, text, 0, candidate) from None
    shapes.learn(literals, names)
    return reply


class _LayoutPlace(Place):
    """Faults of a line read by its layout: where a field stands in the body."""

    def __init__(self, text: str, fmt: int, line: Line, codec: LineCodec) -> None:
        super().__init__(text)
        self.fmt = fmt
        self.line = line
        self.codec = codec

    def name(self, key: str, spec: FieldSpec | None) -> str:
        return f"field {spec.name if spec is not None else key!r}"

    def at(self, key: str, position: int) -> int:
        name = self.codec.plan.by_wire[key].name
        return self.line.offset + _field_offset(self.codec, self.line.text, name)


def _read_variant(line: str, fmt: int, candidate: Candidate) -> tuple[str, msgspec.Struct] | None:
    """(rule, reply) of the first variant layout that reads ``line``, if any."""
    for rule in candidate.variants:
        try:
            return rule, line_codec(fmt, rule, candidate.cls).read_reply(line)
        except LineMismatch:
            continue
    return None


def _mismatch(
    exc: LineMismatch, line: Line, text: str, fmt: int, candidate: Candidate
) -> DecodeError:
    offset, reason = exc.offset, exc.reason
    if offset < 0:
        # no alternative fits: the layout's fault locator says where and why
        offset, reason = line_codec(fmt, candidate.rule, candidate.cls).fault(line.text)
    return _fault(reason, fmt, text, line.offset + offset)


def _field_offset(codec: LineCodec, line: str, name: str) -> int:
    for alt in codec.alternatives:
        spans = alt.spans(line)
        if spans is not None and name in alt.fields:
            return spans[alt.fields.index(name)]
    return 0


def _fast_lines(text: str, fmt: int, spec: ReplySpec) -> list[msgspec.Struct] | None:
    """Lenient reading of well-formed LF-separated lines, or None for the general path.

    Each line is cut from the body only when it is read (no list of lines: a
    10,000-record answer is not held twice). The same cut as
    ``_body.iter_lines``, written out: its generator and Line tuples would
    cost about a tenth of a fmt=1 list's decoding time here.
    """
    text = _without_final_break(text)
    if "\r" in text:
        return None
    pick = spec.pick_line
    codecs: dict[str, LineCodec] = {}
    replies = []
    find = text.find
    start = 0
    end = len(text)
    try:
        while start <= end:
            stop = find("\n", start, end)
            if stop < 0:
                stop = end
            if stop == start:
                return None  # a blank line: the general path says what to do
            row = text[start:stop]
            candidate = pick(fmt, row)
            codec = codecs.get(candidate.rule)
            if codec is None:
                codec = codecs[candidate.rule] = line_codec(fmt, candidate.rule, candidate.cls)
            replies.append(_read_row(row, fmt, codec, candidate))
            start = stop + 1
    except LineMismatch:
        return None
    return replies


def decode_lines(
    text: str,
    fmt: int,
    spec: ReplySpec,
    *,
    strict: bool,
    limits: Limits = DEFAULT_LIMITS,
    long_values: bool | None = None,
) -> msgspec.Struct | list[msgspec.Struct]:
    """Decode a fmt=0/1 success body, one line at a time.

    ``long_values`` is what :func:`~smsc_codec._limits.check_lines` returned
    for this body, when the caller has checked it already.
    """
    if long_values is None:
        long_values = check_lines(text, fmt, limits)
    replies: list[msgspec.Struct] = []
    details = spec.details
    detail_rows: list[msgspec.Struct] = []
    for line in iter_lines(text, skip_blank=not strict):
        if not line.text or line.text.isspace():
            # whitespace between or after the records (a log's padding)
            if strict:
                raise _fault("blank line", fmt, text, line.offset)
            continue
        lone_cr = line.text.find("\r")
        if lone_cr >= 0:
            # Lines end with LF or CRLF (_body.iter_lines); the encoders
            # refuse a CR in a value, so a lone one is no part of an answer.
            raise _fault(
                "a CR that ends no line (lines end with LF or CRLF)",
                fmt,
                text,
                line.offset + lone_cr,
            )
        after_the_record = replies and not spec.multi
        if after_the_record and details is not None:
            candidate, kept = details.candidate, detail_rows
        elif after_the_record and strict:
            raise _fault("expected one record, found several lines", fmt, text, line.offset)
        else:
            candidate, kept = spec.pick_line(fmt, line.text), replies
        reply = _read_line(line, text, fmt, candidate, strict)
        if long_values:
            check_text_values([reply], limits, fmt, text, line.offset)
        kept.append(reply)
    return _body_replies(replies, detail_rows, spec, text, fmt)


def _body_replies(
    replies: list[msgspec.Struct],
    detail_rows: list[msgspec.Struct],
    spec: ReplySpec,
    text: str,
    fmt: int,
) -> msgspec.Struct | list[msgspec.Struct]:
    """What a body's lines read as: its records (a list where the request
    asks for several, or the lines hold several), the first with the details
    rows that followed it."""
    if not replies:
        raise _fault("empty body", fmt, text, 0)
    details = spec.details
    if detail_rows and details is not None:
        replies[0] = msgspec.structs.replace(replies[0], **{details.field: tuple(detail_rows)})
    if spec.multi or len(replies) > 1:
        return replies
    return replies[0]


def encode_lines(
    replies: Sequence[msgspec.Struct], fmt: int, spec: ReplySpec, *, lossy: bool
) -> str:
    """Encode success replies as a fmt=0/1 body, one line each."""
    out: list[str] = []
    first_codec: LineCodec | None = None
    for reply in replies:
        candidate = next((c for c in spec.candidates if type(reply) is c.cls), None)
        if candidate is None:
            raise EncodeError(f"{type(reply).__name__} is not an answer of this request", fmt=fmt)
        codec = line_codec(fmt, candidate.rule, candidate.cls)
        line = _record_line(reply, fmt, codec, candidate, lossy=lossy)
        first_codec = first_codec or codec
        if spec.pick_line(fmt, line) is not candidate:
            # e.g. an SMS row with type 4, or a text holding ", imsi = "
            raise EncodeError(f"the line would read as another kind of row: {line!r}", fmt=fmt)
        out.append(line)
        if spec.details is not None:
            out.extend(_detail_lines(reply, fmt, spec.details, lossy))
    body = LINE_BREAK.join(out)
    if first_codec is not None:
        _check_body_start(body, fmt, first_codec)
    return body


def _check_body_start(body: str, fmt: int, codec: LineCodec) -> None:
    """Refuse a body that a reader would take for something else
    (``_reads_as_other``). ``codec`` wrote the first line: its first field
    is the one at fault."""
    reason = _reads_as_other(body, fmt)
    if reason is not None:
        raise EncodeError(reason, field=codec.alternatives[0].fields[0], fmt=fmt)


#: how a body that may read as something else starts (``_reads_as_other``;
#: fmt=1 errors hold ``,-``), a record's line almost never
_OTHER_STARTS = frozenset("\ufeffOE \t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0")


def _reads_as_other(body: str, fmt: int) -> str | None:
    """Why a reader would take ``body`` for something else, if it would: a
    leading U+FEFF is a byte order mark (_body.body_text), and a body that
    reads as ``OK`` or ``ERROR = …`` is an answer of its own (_envelope)."""
    if body.startswith("\ufeff"):
        return "a body starting with U+FEFF would read as a byte order mark"
    try:
        answer_of_its_own = detect_text_envelope(body, fmt) is not None
    except DecodeError:  # a broken `ERROR = ` line: no success either
        answer_of_its_own = True
    return "the body would read as an OK or error answer" if answer_of_its_own else None


def _record_line(
    reply: msgspec.Struct, fmt: int, codec: LineCodec, candidate: Candidate, *, lossy: bool
) -> str:
    """One record as its line, unknown keys after the layout's (fmt=0).

    A fmt=0 line that leaves keys out, or whose unknown keys or ambiguous
    free text the layout's order cannot carry, is written in the first key
    order that reads back as the reply (``_keyed_orders``): what was read
    from a line is written again, never refused (only an order that reads
    back otherwise is).
    """
    if fmt != 0:
        return codec.write(reply, lossy=lossy) + _extra_text(reply, fmt, lossy)
    written = codec.write_line(reply, lossy=lossy)
    extra = _extra_pieces(reply, lossy)
    fault: EncodeError | None = None
    if not written.by_key:  # the layout's order first
        try:
            codec.check_written(written, reply, lossy=lossy)
        except EncodeError as exc:
            if lossy or not getattr(reply, "ambiguous_fields", ()):
                raise
            fault = exc  # (its ambiguity mark may come back in another order)
        else:
            if not extra or lossy:  # (unknown keys need no other place)
                return written.text + "".join(piece for _, piece in extra)
    for pieces in _keyed_orders(written, extra, reply):
        line = "".join(pieces)
        if _reads_back(line, reply, written.names, candidate, lossy=lossy):
            return line
    if fault is not None:
        raise fault
    return _line_in_no_order(reply, codec, written, extra, lossy=lossy)


def _line_in_no_order(
    reply: msgspec.Struct,
    codec: LineCodec,
    written: WrittenLine,
    extra: list[tuple[str, str]],
    *,
    lossy: bool,
) -> str:
    """A fmt=0 line that no key order reads back as the reply: with
    ``lossy``, in the layout's order, the absent fields' keys written empty
    as the layout prints them; otherwise the EncodeError saying why."""
    if lossy:
        written = codec.write_line(reply, lossy=True, by_key=False)
        codec.check_written(written, reply, lossy=True)
        return written.text + "".join(piece for _, piece in extra)
    if extra:
        raise EncodeError(
            "would not read back as an unknown key (after free text it reads as more "
            "of that text); pass lossy=True to drop unknown keys",
            field=extra[0][0],
            fmt=0,
        )
    raise EncodeError(
        "the line would not read back: a free text holds a key the line leaves out",
        field=next((n for n in written.names if n in _free_fields(codec)), written.names[0]),
        fmt=0,
    )


def _free_fields(codec: LineCodec) -> set[str]:
    return {spec.name for spec in codec.plan.fields if spec.kind.free}


def _keyed_orders(
    written: WrittenLine, extra: list[tuple[str, str]], reply: msgspec.Struct
) -> Iterator[list[str]]:
    """fmt=0 key orders to try, as pieces: unknown keys after the layout's,
    then each place before it (a later place first; never before the first
    key, which says what the line is); then each field marked ambiguous moved
    to each other place (the order it was read in makes it ambiguous again)."""
    body, end = written.pieces[:-1], written.pieces[-1]
    added = [piece for _, piece in extra]
    for at in range(len(body), 0, -1):
        yield [*body[:at], *added, *body[at:], end]
    full = [*body, *added]
    for name in getattr(reply, "ambiguous_fields", ()):
        if name not in written.names:
            continue
        k = written.names.index(name)
        if k == 0:
            continue
        rest = full[:k] + full[k + 1 :]
        for at in range(1, len(rest) + 1):
            if at != k:
                yield [*rest[:at], full[k], *rest[at:], end]


def _reads_back(
    line: str, reply: msgspec.Struct, names: Sequence[str], candidate: Candidate, *, lossy: bool
) -> bool:
    """Whether lenient decoding reads ``line`` as ``reply`` (with ``lossy``:
    the fields written, ``names``, and the unknown keys)."""
    try:
        back = _read_line(Line(line, 0), line, 0, candidate, strict=False)
    except DecodeError:
        return False
    if not lossy:
        return bool(back == reply)
    extra = tuple((key, str(value)) for key, value in getattr(reply, "extra", ()))
    return getattr(back, "extra", ()) == extra and all(
        getattr(back, n) == getattr(reply, n) for n in names
    )


def _detail_lines(reply: msgspec.Struct, fmt: int, details: Details, lossy: bool) -> list[str]:
    codec = line_codec(fmt, details.candidate.rule, details.candidate.cls)
    rows = getattr(reply, details.field)
    if rows is not None and not rows and not lossy:
        # the lines after the answer's line are the list: none reads back as
        # no list at all (fmt=2/3 write an empty element or array)
        raise EncodeError(
            "an empty list has no line form (it would read back as absent)",
            field=details.field,
            fmt=fmt,
        )
    return [_record_line(row, fmt, codec, details.candidate, lossy=lossy) for row in rows or ()]


def _extra_text(reply: msgspec.Struct, fmt: int, lossy: bool) -> str:
    """fmt=1 has no place for unknown keys (refused, or dropped with ``lossy``)."""
    extra: tuple[tuple[str, Any], ...] = getattr(reply, "extra", ())
    if not extra or lossy:
        return ""
    raise EncodeError("fmt=1 has no keys to write unknown fields with", field=extra[0][0], fmt=fmt)


def _extra_pieces(reply: msgspec.Struct, lossy: bool) -> list[tuple[str, str]]:
    """fmt=0 unknown keys as (key, ``, key = value``) pieces."""
    extra: tuple[tuple[str, Any], ...] = getattr(reply, "extra", ())
    pieces = []
    for key, value in extra:
        if not isinstance(value, str) and not lossy:
            raise EncodeError(f"{value!r} is not text", field=key, fmt=0)
        text = str(value)
        if "\n" in text or "\r" in text or "\0" in text or not PAIR_START.fullmatch(f", {key} = "):
            raise EncodeError("cannot be written as a `key = value` pair", field=key, fmt=0)
        pieces.append((key, f", {key} = {text}"))
    return pieces


def _fast_line(text: str, fmt: int, spec: ReplySpec) -> msgspec.Struct | None:
    """One well-formed record on one line (a single final line break
    allowed), or None for the general path.

    The general path handles everything else: several lines, the OK and
    error answers (``OK``, and errors, which start with E or hold ",-"),
    lenient reading by key, and the error position when nothing fits.
    (send.php's and jobs.php's answers start with ``OK - ``, ``OK, ``.)
    """
    if text[-1:] == "\n":  # (one final line break ends the record)
        text = _without_final_break(text)
    head = text[:1]
    if "\n" in text or "\r" in text or head in ("E", "") or ",-" in text[:40]:
        return None
    if head == "O" and text.strip() == "OK":
        return None
    candidate = spec.pick_line(fmt, text)
    codec = line_codec(fmt, candidate.rule, candidate.cls)
    try:
        return _read_row(text, fmt, codec, candidate)
    except LineMismatch as exc:
        # the general path would read the line again; what it does next
        # (a variant, by key, or the error) starts from this failure
        return read_mismatched_line(exc, text, fmt, candidate)


def _read_row(row: str, fmt: int, codec: LineCodec, candidate: Candidate) -> msgspec.Struct:
    """Lenient reading of one line on the fast path: in fmt=0, by the shape
    that read the last line first, and a spelling variant's shape learned
    (``_learned``); LineMismatch when the layout does not read it."""
    if fmt != 0:
        found: msgspec.Struct | None = codec.read_split(row)
        return found if found is not None else codec.read(row).reply
    learned = codec.learned
    if learned is not None and learned.first is not None:
        found = learned.read_first(row)
        if found is not None:
            return found
    if codec.read_unique is not None:  # (a line whose reading is the only one)
        found = codec.read_unique(row)
        if found is not None:
            return found
    if codec.split_readers:  # (a line without keys: balance.php's, say)
        found = codec.read_split(row)
        if found is not None:
            return found
    read = codec.read(row)
    if read.variant is not None and not read.ambiguous:
        _shapes(codec, candidate).learn_layout(read.literals, read.fields)
    return read.reply


def line_entry(fmt: int, spec: ReplySpec, limits: Limits) -> Callable[[Any], Any] | None:
    """:meth:`LineReader.entry`: what :func:`_fast_line` and :func:`_read_row`
    do with a well-formed line, generated as one function.

    A kind whose registered layouts hold no free text is read by their
    regexes (then a line one of them matches has that one reading, and no
    learned shape is tried before them but one that cannot read it); what
    ``_fast_line`` looks for in the whole body before it reads (an error's
    ``,-``, a NUL, a leading ``E`` or byte-order mark, the bare OK) is
    checked by each alternative's own regex, where the alternative could
    match such a body at all (:func:`_entry_regex`). In fmt=1 a kind whose
    layouts ``str.split`` reads (an HLR row, an ``all=2`` status row) is read
    by its generated split readers (``LineCodec.read_split``), after the
    body's checks.

    It reads what they read, or answers MISS where they would take another
    step: a body that is not ASCII, empty or over a limit, a line break in
    it (but one final LF or CRLF, which ends the record), an error or OK answer, a value a kind
    refuses, a variant spelling, a line the learned shape tried first does
    not read.
    """
    if spec.multi or spec.ok_only or not spec.candidates:
        return None
    fixed, split = _entry_kinds(fmt, spec)
    if not fixed and not split:
        return None
    env = _entry_env(spec, limits)
    lines = _entry_checks(fixed)
    picked, unasked = _entry_picking(spec, split=bool(split))
    if picked and not unasked:
        lines.append(f"    kind = pick({fmt}, body)")
    lines += _fixed_readers(fmt, fixed, env, asked=not unasked)
    if split:
        lines += _split_kinds(fmt, split, env, picked=picked, pick=picked and unasked)
    lines.append("    return MISS")
    # a generated reader, as in _matcher._make_builder
    exec(compile("\n".join(lines) + "\n", f"<smsc_codec entry fmt={fmt}>", "exec"), env)
    entry: Callable[[Any], Any] = env["entry"]
    return entry


def _entry_kinds(
    fmt: int, spec: ReplySpec
) -> tuple[list[tuple[Candidate, LineCodec]], list[tuple[Candidate, LineCodec]]]:
    """The kinds :func:`line_entry` reads, with their codecs: those whose
    layouts hold no free text, and those with free text it reads too
    (fmt=1's split readers, fmt=0's layout regexes; a fmt=0 kind with split
    readers too reads by them first: not here)."""
    fixed: list[tuple[Candidate, LineCodec]] = []
    split: list[tuple[Candidate, LineCodec]] = []
    for c in spec.candidates:
        codec = line_codec(fmt, c.rule, c.cls)
        if not any(a.free for a in codec.alternatives):
            fixed.append((c, codec))
        elif (fmt == 0) != bool(codec.split_readers):
            split.append((c, codec))
    return fixed, split


def _entry_picking(spec: ReplySpec, *, split: bool) -> tuple[bool, bool]:
    """Whether :func:`line_entry` asks ``pick_line`` which kind a line is
    (several kinds, unless the fixed kinds' matches tell them apart and no
    kind has free text), and whether the fixed kinds' regexes are tried
    without asking it (one kind, or their matches tell the kind:
    ``ReplySpec.picked_by_layout``)."""
    picked = len(spec.candidates) > 1 and not (spec.picked_by_layout and not split)
    unasked = len(spec.candidates) == 1 or spec.picked_by_layout
    return picked, unasked


def _entry_env(spec: ReplySpec, limits: Limits) -> dict[str, Any]:
    """The names every :func:`line_entry` reads: MISS, the longest body it
    takes, the kind's picker and the setter of a blank reply's fields."""
    # (a body over max_body_bytes is refused by the decoder; check_lines
    # returns at once for a body shorter than every bound)
    return {
        "MISS": MISS,
        "LONGEST": min(
            MAX_INT_DIGITS,  # (builder_arguments's raw reading)
            limits.max_body_bytes,
            limits.max_line_length,
            limits.max_field_length,
            limits.max_records,
        ),
        "pick": spec.pick_line,
        "put": msgspec.structs.force_setattr,
    }


def _entry_checks(fixed: list[tuple[Candidate, LineCodec]]) -> list[str]:
    """The source of :func:`line_entry`'s first checks of a body: ASCII,
    not empty, not over a limit, and one final line break cut; where a
    literal of the ``fixed`` kinds' layouts holds an error's ``,-`` (which
    their regexes then cannot refuse after it, ``_entry_regex``), none at
    all."""
    literals = [
        lit for _, codec in fixed for alt in codec.alternatives for lit in alt.layout.literals
    ]
    error_in_literals = any(",-" in lit for lit in literals)
    return [
        "def entry(body):",
        "    if body.__class__ is not str:",
        "        if body.__class__ is not bytes or not body.isascii():",
        "            return MISS",  # (body_text decodes it; ASCII is the same in every charset)
        "        body = body.decode('ascii')",
        "    if not body or len(body) > LONGEST"
        + (" or ',-' in body" if error_in_literals else "")
        + ":",
        "        return MISS",
        # one final LF or CRLF ends the record (_fast_line's cut): the line
        # before it is read, and a line break left in it is refused below
        # (``in`` first: the commonest body has none, and ``in`` is the
        # cheaper test of the two)
        "    if '\\n' in body:",
        "        if body[-1] != '\\n':",
        "            return MISS",
        "        body = body[:-2] if body[-2:-1] == '\\r' else body[:-1]",
        "        if not body:",
        "            return MISS",
    ]


def _split_kinds(
    fmt: int,
    split: list[tuple[Candidate, LineCodec]],
    env: dict[str, Any],
    *,
    picked: bool,
    pick: bool,
) -> list[str]:
    """The source of :func:`line_entry`'s reading of the kinds with free
    text (fmt=1's split readers, fmt=0's layout regexes), after the body's
    checks; ``picked``: each is read when ``kind`` is it (``pick``: asked
    here first)."""
    # _fast_line's and read_fast's checks of the body: an error or OK
    # answer (detect_text_envelope looks past white space), a line
    # break, a NUL or a byte-order mark (body_text)
    lines = [
        "    if ('\\n' in body or '\\r' in body or '\\0' in body or ',-' in body"
        " or body[0] in 'EO\\ufeff' or body[0].isspace()):",
        "        return MISS",
    ]
    if pick:
        lines.append(f"    kind = pick({fmt}, body)")
    indent = "        " if picked else "    "
    for k, (candidate, codec) in enumerate(split):
        env[f"S{k}"] = candidate
        env[f"splits{k}"] = codec.split_readers
        if picked:
            lines.append(f"    if kind is S{k}:")
        if fmt == 0:
            lines += _keyed_reader(k, codec, env, indent)
        else:
            lines += _split_reader(k, indent)
    return lines


def _split_reader(k: int, indent: str) -> list[str]:
    """The source of a fmt=1 kind's reading by its split readers
    (``LineCodec.read_split``: None from it, the general reader decides)."""
    return [
        f"{indent}readers = splits{k}.get(body.count(',') + 1)",
        f"{indent}if readers is not None:",
        f"{indent}    for reader in readers:",
        f"{indent}        try:",
        f"{indent}            reply = reader(body)",
        f"{indent}        except ValueError:",
        f"{indent}            return MISS",
        f"{indent}        if reply is not None:",
        f"{indent}            return reply",
        f"{indent}return MISS",
    ]


def _keyed_reader(k: int, codec: LineCodec, env: dict[str, Any], indent: str) -> list[str]:
    """The source of :func:`line_entry`'s reading of a fmt=0 kind with free
    text, in :func:`_read_row`'s order: by the learned shape that read the
    last line where there is one (a miss makes it forget that shape, and the
    general path goes on from there), by the regex of the line's only
    reading (``LineCodec.read_unique``), then by the codec, MISS where the
    line is not the registered layout (a variant is learned by the general
    path; a mismatch is its to explain)."""
    env[f"codec_s{k}"] = codec
    env[f"read{k}"] = codec.read
    env["LineMismatch"] = LineMismatch
    unique = []
    if codec.read_unique is not None:
        env[f"unique{k}"] = codec.read_unique
        unique = [
            f"{indent}found = unique{k}(body)",
            f"{indent}if found is not None:",
            f"{indent}    return found",
        ]
    return [
        f"{indent}learned = codec_s{k}.learned",
        f"{indent}if learned is not None and learned.first is not None:",
        f"{indent}    found = learned.read_first(body)",
        f"{indent}    return MISS if found is None else found",
        *unique,
        f"{indent}try:",
        f"{indent}    read = read{k}(body)",
        f"{indent}except LineMismatch:",
        f"{indent}    return MISS",
        f"{indent}return MISS if read.variant is not None else read.reply",
    ]


def _fixed_readers(
    fmt: int, fixed: list[tuple[Candidate, LineCodec]], env: dict[str, Any], *, asked: bool
) -> list[str]:
    """The source of :func:`line_entry`'s reading of the kinds whose layouts
    hold no free text: each alternative's match, conversions and reply (a
    copy of a blank one, its fields set in place: ``_checks.blank``); where
    ``asked``, a kind's alternatives are tried when ``kind`` (pick_line's
    answer) is that kind, and the entry answers MISS when none reads it."""
    textual, commas = _alternatives_told(fixed)
    indent = "        " if asked else "    "
    lines = []
    for k, (candidate, codec) in enumerate(fixed):
        env[f"codec{k}"] = codec
        env[f"K{k}"] = candidate
        env[f"new{k}"], env[f"blank{k}"] = blank(codec.plan.cls)
        if asked:
            lines.append(f"    if kind is K{k}:")
        if fmt == 0:
            lines += [
                f"{indent}learned = codec{k}.learned",
                f"{indent}if learned is not None and learned.first is not None:",
                f"{indent}    return MISS",  # (tried first, and forgotten on a miss)
            ]
        lines += _kind_alternatives(k, codec, env, indent, guarded=textual, commas=commas)
        if asked:
            lines.append(f"{indent}return MISS")
    return lines


def _alternatives_told(fixed: list[tuple[Candidate, LineCodec]]) -> tuple[bool, Counter[int]]:
    """Whether some alternative of the ``fixed`` kinds holds a text token
    (then each regex guards its start, :func:`_entry_regex`), and how many
    alternatives have each number of commas."""
    alternatives = [alt for _, codec in fixed for alt in codec.alternatives]
    textual = any(s.kind.textual for alt in alternatives for s in alt.specs)
    return textual, Counter(alt.commas for alt in alternatives)


def _kind_alternatives(
    k: int,
    codec: LineCodec,
    env: dict[str, Any],
    indent: str,
    *,
    guarded: bool,
    commas: Counter[int],
) -> list[str]:
    """The source of :func:`_fixed_readers`'s reading of kind ``k`` by its
    alternatives (``commas``: how many alternatives of the entry have each
    number of commas; ``guarded``: see :func:`_entry_regex`)."""
    groups = _by_commas(codec.alternatives)
    both = all(groups)
    lines = [f"{indent}if ',' in body:"] if both else []
    at = indent + ("    " if both else "")
    for g, group in enumerate(groups):
        if not group:
            continue
        if g and both:
            lines.append(f"{indent}else:")
        for a, alt in group:
            alone = commas[alt.commas] == 1
            lines += _alternative_reader(k, a, alt, env, at, guarded=guarded, alone=alone)
    return lines


def _by_commas(alternatives: Sequence[Any]) -> tuple[list[tuple[int, Any]], ...]:
    """The (position, alternative) pairs of the alternatives with commas,
    then of those without.

    Every comma of a line of a kind without free text is a literal's (no
    value holds one): an alternative without one reads no line with one,
    and the others none without (their order among themselves is kept)."""
    with_commas = [(a, alt) for a, alt in enumerate(alternatives) if alt.commas]
    without = [(a, alt) for a, alt in enumerate(alternatives) if not alt.commas]
    return with_commas, without


def _alternative_reader(
    k: int, a: int, alt: Any, env: dict[str, Any], at: str, *, guarded: bool, alone: bool
) -> list[str]:
    """The source of one alternative's reading: its match
    (:func:`_entry_regex`), conversions and reply (a copy of kind ``k``'s
    blank one, its fields set in place), MISS where a value is refused."""
    name = f"{k}_{a}"
    regex = _entry_regex(alt, guarded=guarded, alone=alone)
    env[f"match{name}"] = re.compile(regex).match
    args = builder_arguments(alt.specs, env, trusted=True, prefix=f"c{name}_", raw=True)
    # (a value that is the whole line is the body itself)
    whole = len(alt.specs) == 1 and not any(alt.layout.literals)
    if whole:
        args = [arg.replace("v[0]", "body") for arg in args]
    sets = [f"put(r, {n!r}, {e})" for n, _, e in (x.partition("=") for x in args)]
    return [
        f"{at}m = match{name}(body)",
        f"{at}if m is not None:",
        *([] if whole else [f"{at}    v = m.groups()"]),
        f"{at}    try:",
        f"{at}        r = new{k}(blank{k})",
        *(f"{at}        {put}" for put in sets),
        f"{at}        return r",
        f"{at}    except Exception:",  # (the general path says what is wrong)
        f"{at}        return MISS",
    ]


#: what ``_fast_line`` leaves to the general path by the first character (an
#: error answer's ``E``, a byte-order mark) or as the bare OK, as a lookahead
_REFUSED_START = r"(?![E\ufeff]|OK\s*\Z)"
#: a token of an entry's line: no NUL either (body_text refuses one)
_ENTRY_TOKEN = r"[^\0,\r\n]+"


def _entry_regex(alt: Any, *, guarded: bool, alone: bool) -> str:
    """The regex of one layout alternative for :func:`line_entry`: its own
    (``_matcher._Alternative``), refusing what ``_fast_line`` refuses before
    reading a line: a ``-`` after a literal's final comma (an error's
    ``,-``), a NUL in a token and, where ``guarded`` (some layout of the
    entry holds a token) and this alternative could start with one, an
    ``E``, a byte-order mark or the bare OK at the start; ``alone``: no
    other alternative of the entry has its number of commas."""
    literals = alt.layout.literals
    parts = [_REFUSED_START] if guarded and _may_start_refused(alt) else []
    for i, literal in enumerate(literals):
        parts.append(re.escape(literal))
        if literal.endswith(","):
            parts.append("(?!-)")
        if i < len(alt.specs):
            spec = alt.specs[i]
            pattern = _ENTRY_TOKEN if spec.kind is Kind.TOKEN else SRE_KIND_PATTERNS[spec.kind]
            if not field_required(spec.name) and not (alone and spec.required):
                # (as the grammar's, the field may be empty: the constructor
                # refuses an empty required value, and the entry answers
                # MISS; an alternative with no other of its number of commas
                # refuses it here, as none is tried after it then either)
                pattern = optional(pattern)
            parts.append(f"({pattern})")
    return "".join(parts) + r"\Z"


def _may_start_refused(alt: Any) -> bool:
    """Whether a line the alternative reads may start with an ``E``, a
    byte-order mark or an ``O`` (a field of text: it may)."""
    literals = alt.layout.literals
    for i, literal in enumerate(literals):
        if literal:
            return literal[0] in "E\ufeffO"
        if i == len(alt.specs):
            return False  # (the empty line)
        spec = alt.specs[i]
        if spec.kind.textual:
            return True
        # (a number or a date starts with a digit or a minus sign; an
        # optional one may be empty, and the next literal starts the line)
        if field_required(spec.name):
            return False
    return False


def _without_final_break(text: str) -> str:
    """``text`` without one final LF or CRLF (which ends the last record)."""
    if text[-1:] == "\n":
        return text[:-2] if text[-2:-1] == "\r" else text[:-1]
    return text


def _ok_only_fault(text: str, fmt: int) -> DecodeError:
    return DecodeError("this request is answered with OK or an error only", fmt=fmt, text=text)


class LineReader:
    """The reader of fmt=0 (``key = value`` text) or fmt=1 (comma-separated
    values) bodies, one record per line."""

    def __init__(self, fmt: int) -> None:
        self.fmt = fmt

    def charset_of(
        self, body: Any, charset: str, *, request_named: str | None, strict: bool
    ) -> str:
        """The charset to read ``body`` in: the request's (a line says nothing of it)."""
        return charset

    def read_fast(
        self, body: Any, charset: str, spec: ReplySpec, limits: Limits
    ) -> msgspec.Struct | list[msgspec.Struct] | None:
        """Lenient decoding of well-formed lines, or None for :meth:`read`."""
        text = body_text(body, charset, self.fmt)
        if check_lines(text, self.fmt, limits):
            return None  # a value may be over max_field_length: read() measures them
        if detect_text_envelope(text, self.fmt) is not None:
            # an error or OK answer is one before any layout reads it (`0,-2`
            # would fit a jobs.php row of an id and a name: facts §5.8)
            return None
        if not spec.multi:
            return _fast_line(text, self.fmt, spec)
        return _fast_lines(text, self.fmt, spec)

    def read(
        self, text: str, spec: ReplySpec | RequestError, *, strict: bool, limits: Limits
    ) -> Any:
        """A body: its OK or error answer, or the success answer of ``spec``
        (a RequestError: the request has none, only an OK or error decodes)."""
        long_values = check_lines(text, self.fmt, limits)
        envelope = detect_text_envelope(text, self.fmt, limits)
        if envelope is not None:
            return envelope
        if isinstance(spec, RequestError):
            raise spec
        if spec.ok_only:
            raise _ok_only_fault(text, self.fmt)
        return decode_lines(
            text, self.fmt, spec, strict=strict, limits=limits, long_values=long_values
        )

    def read_record(
        self,
        text: str,
        kind_of_keys: Callable[[Collection[str]], type[msgspec.Struct]],
        *,
        strict: bool,
        limits: Limits,
    ) -> msgspec.Struct:
        """A record standing alone: no such body is written in fmt 0/1
        (callbacks are posted as form fields, XML or JSON)."""
        raise DecodeError(f"no record stands alone in fmt={self.fmt}", fmt=self.fmt, text=text)

    def entry(self, spec: ReplySpec, limits: Limits, charset: str) -> Callable[[Any], Any] | None:
        """The compiled entry of a one-record answer whose layouts hold no
        free text (send.php, balance.php, an ``all=0`` status row): the same
        steps as :meth:`read_fast` on a well-formed line, found once;
        :data:`~smsc_codec._build.MISS` for any other body (None: every
        kind's layouts hold free text, or it is a list)."""
        return line_entry(self.fmt, spec, limits)


class LineWriter:
    """The writer of fmt=0 or fmt=1 bodies, as the server writes them."""

    #: one line is one record: no list form of its own
    lists = False

    def __init__(self, fmt: int) -> None:
        self.fmt = fmt

    def write(
        self, replies: Sequence[msgspec.Struct], spec: ReplySpec, *, as_list: bool, lossy: bool
    ) -> str:
        """Success replies, one line each (a list has no form of its own)."""
        if not replies:
            raise EncodeError(
                f"a list of no records has no fmt={self.fmt} form: the body would be empty"
            )
        return encode_lines(replies, self.fmt, spec, lossy=lossy)

    def fast_writer(self, spec: ReplySpec) -> Callable[[Any], str | None]:
        """The body of ``encode_text``'s value by the generated writers of
        the layouts (``LineCodec.compiled_writers``), or None: the general
        writer decides."""
        fmt = self.fmt
        kinds = {
            c.cls: (c, line_codec(fmt, c.rule, c.cls).compiled_writers()) for c in spec.candidates
        }
        pick = spec.pick_line
        multi = spec.multi
        details = spec.details.field if spec.details is not None else None

        def write(value: Any) -> str | None:
            rows = value if value.__class__ is list else (value,)
            if not rows or (len(rows) != 1 and not multi) or (rows is value and not multi):
                return None
            lines = []
            for reply in rows:
                found = kinds.get(reply.__class__)
                if found is None or (details and getattr(reply, details) is not None):
                    return None
                candidate, writers = found
                for writer in writers:
                    line = writer(reply)
                    if line is not None:
                        break
                else:
                    return None
                if pick(fmt, line) is not candidate:
                    return None
                lines.append(line)
            body = LINE_BREAK.join(lines)
            if body[:1] in _OTHER_STARTS or (fmt == 1 and ",-" in body[:40]):
                return None if _reads_as_other(body, fmt) else body
            return body

        return write

    def write_envelope(self, reply: ApiError | Ok, *, lossy: bool) -> str:
        """``OK``, or the error line (``ERROR = N (...)``, ``0,-N``)."""
        if isinstance(reply, Ok):
            return "OK"
        if self.fmt == 1:
            if reply.id == 0 and not lossy:
                raise EncodeError("id 0 reads back as no id in `0,-N`", field="id", fmt=1)
            reply = replaced(reply, id=reply.id or 0)
        if isinstance(reply.code, int) and reply.code < 0:  # (another type: the writer says)
            raise EncodeError("an error code is positive", field="code", fmt=self.fmt)
        return line_codec(self.fmt, "api_error", ApiError).write(reply, lossy=lossy)

    def write_record(self, reply: msgspec.Struct, root: str) -> str:
        raise EncodeError(f"callbacks are posted as form fields, XML or JSON, not fmt={self.fmt}")


#: fmt=0 and fmt=1, reader and writer
TEXT = (LineReader(0), LineWriter(0))
CSV = (LineReader(1), LineWriter(1))
