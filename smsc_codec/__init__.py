"""smsc_codec: decode and encode the answers of the SMSC HTTP API.

One msgspec data model serves all four answer formats (``fmt`` 0 text, 1
comma-separated values, 2 XML, 3 JSON)::

    >>> import smsc_codec
    >>> reply = smsc_codec.decode(b"1,1286524541,0", "status.php?id=5&phone=7999&fmt=1")
    >>> reply.status, reply.last_timestamp, reply.err
    (<MessageStatus.DELIVERED: 1>, 1286524541, <DeliveryError.NO_ERROR: 0>)

Everything public is importable from this module; the other submodules are
private, but three: :mod:`smsc_codec.arrow` (many answers as typed Arrow
tables, the ``arrow`` extra), :mod:`smsc_codec.http` (decoding an HTTP
client's response) and :mod:`smsc_codec.testing` (a fake SMSC server for
tests). ``help(smsc_codec)`` lists those three alone. ``python -m smsc_codec``
runs the ``smsc-codec`` command line.

The modules stand in layers: each imports only from its own layer and the
layers above it, and no format module imports another
(``tests/test_layers.py`` reads this list and checks every import):

1. foundations: _errors, _codes, _version, _addresses, _package
2. the model: _checks, _model, _api_errors
3. requests and bodies: _request, _http_request, _body, _limits
4. what the model and the grammars imply: _schema, _grammar, _solver, _line_faults, _strictness
5. the registry (requests to layouts): _replies, _url_shapes
6. what the formats share: _build, _twins, _compiled, _matcher, _learned, _envelope, _encodable
7. the formats, one reader and one writer each: _lines, _xml, _json
8. the format table: _formats
9. the entry points: _api, _callbacks, _exchange, _json_schema
10. what is built on them: http, testing, _fake_account, _corpus, _vectors
11. what Arrow columns are made of: _extra_text, _columnar_schema, _columnar_convert
12. columns cut and built: _columnar_fields, _columnar_build, _columnar_pick, _columnar_groups
13. JSON bodies cut by where their keys stand: _columnar_keyed
14. answers as Arrow columns, by format: _columnar, _columnar_lines, _columnar_json, _columnar_xml
15. the public face of the columns: arrow
16. the command line: _cli

Comments cite their sources by the keys of ``docs/sources.md``, where each
has its section: ``facts §N`` (the fact sheet on how every script answers),
``seed 00N`` (SMSC's own pages) and ``docs/sources.md#performance-…`` (the
measurements behind the design).
"""

from __future__ import annotations

from ._addresses import AddressList
from ._api import Decoder, decode, decode_as, detect_format, encode, encode_text
from ._api_errors import (
    AuthenticationError,
    DateFormatError,
    InsufficientFundsError,
    InvalidNumberError,
    MessageDeniedError,
    NotFoundError,
    OperationFailedError,
    ParametersError,
    RateLimitError,
    SmscApiError,
    TemporarilyBlockedError,
    UndeliverableError,
    raise_for_error,
)
from ._callbacks import (
    Callback,
    CallCallback,
    IncomingCallback,
    StatusCallback,
    callback_kind,
    decode_callback,
    encode_callback,
)
from ._codes import (
    ApiErrorMeaning,
    BlacklistType,
    DeliveryError,
    Fmt,
    GroupType,
    MessageFlags,
    MessageStatus,
    MessageType,
    TemplateType,
    api_error_meaning,
)
from ._errors import DecodeError, EncodeError, LimitError, RequestError, SmscCodecError
from ._http_request import HttpRequest, build_request
from ._json_schema import json_schema
from ._limits import Limits
from ._model import (
    ApiError,
    Balance,
    BlacklistEntry,
    Contact,
    ContactGroup,
    Created,
    HistoryMessage,
    HlrStatus,
    IncomingMessage,
    Job,
    JobCreated,
    JsonText,
    MailBlacklistEntry,
    MailContact,
    Ok,
    OperatorInfo,
    PhoneResult,
    Reply,
    ReplyBase,
    Sender,
    SenderCreated,
    SendResult,
    ShortLink,
    SmsStatus,
    Statistics,
    Tariff,
    Template,
)
from ._package import unlist_submodules
from ._request import Request, parse_request
from ._version import __version__

__all__ = (
    "AddressList",
    "ApiError",
    "ApiErrorMeaning",
    "AuthenticationError",
    "Balance",
    "BlacklistEntry",
    "BlacklistType",
    "CallCallback",
    "Callback",
    "Contact",
    "ContactGroup",
    "Created",
    "DateFormatError",
    "DecodeError",
    "Decoder",
    "DeliveryError",
    "EncodeError",
    "Fmt",
    "GroupType",
    "HistoryMessage",
    "HlrStatus",
    "HttpRequest",
    "IncomingCallback",
    "IncomingMessage",
    "InsufficientFundsError",
    "InvalidNumberError",
    "Job",
    "JobCreated",
    "JsonText",
    "LimitError",
    "Limits",
    "MailBlacklistEntry",
    "MailContact",
    "MessageDeniedError",
    "MessageFlags",
    "MessageStatus",
    "MessageType",
    "NotFoundError",
    "Ok",
    "OperationFailedError",
    "OperatorInfo",
    "ParametersError",
    "PhoneResult",
    "RateLimitError",
    "Reply",
    "ReplyBase",
    "Request",
    "RequestError",
    "SendResult",
    "Sender",
    "SenderCreated",
    "ShortLink",
    "SmsStatus",
    "SmscApiError",
    "SmscCodecError",
    "Statistics",
    "StatusCallback",
    "Tariff",
    "Template",
    "TemplateType",
    "TemporarilyBlockedError",
    "UndeliverableError",
    "__version__",
    "api_error_meaning",
    "build_request",
    "callback_kind",
    "decode",
    "decode_as",
    "decode_callback",
    "detect_format",
    "encode",
    "encode_callback",
    "encode_text",
    "json_schema",
    "parse_request",
    "raise_for_error",
)


def __dir__() -> list[str]:
    return list(__all__)


unlist_submodules(__path__)
