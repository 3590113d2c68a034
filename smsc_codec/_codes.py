"""Code tables: message status, ``err``, message type, ``flag`` bits and API errors.

Every numeric code the server sends decodes to a value that keeps the number. A
number outside the documented tables becomes a pseudo-member (``is_known`` is
false, the name is ``UNKNOWN_<n>``) instead of an exception; strict decoding is
what reports it.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar, TypeVar

import msgspec

__all__ = [
    "ApiErrorMeaning",
    "BlacklistType",
    "DeliveryError",
    "Fmt",
    "GroupType",
    "MessageFlags",
    "MessageStatus",
    "MessageType",
    "TemplateType",
    "api_error_meaning",
]


class Fmt(enum.IntEnum):
    """The ``fmt`` request parameter: the answer's format (facts §1.1)."""

    TEXT = 0  #: ``key = value`` text
    CSV = 1  #: comma-separated values
    XML = 2
    JSON = 3


_E = TypeVar("_E", bound="_CodeEnum")


class _CodeEnum(enum.IntEnum):
    """An IntEnum whose members carry English and Russian descriptions.

    Unknown values become cached pseudo-members, so a code the tables do not know
    survives decoding, compares equal to its number and re-encodes unchanged.
    """

    description: str
    description_ru: str
    _unknown: ClassVar[dict[int, Any]]

    def __new__(cls: type[_E], value: int, description: str = "", description_ru: str = "") -> _E:
        member = int.__new__(cls, value)
        member._value_ = value
        member.description = description
        member.description_ru = description_ru
        return member

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        cache: dict[int, Any] = cls.__dict__.get("_unknown_cache") or {}
        if not cache:
            type.__setattr__(cls, "_unknown_cache", cache)
        member = cache.get(value)
        if member is None:
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}" if value >= 0 else f"UNKNOWN_MINUS_{-value}"
            member._value_ = value
            member.description = f"unknown code {value}"
            member.description_ru = f"неизвестный код {value}"
            cache[value] = member
        return member

    @property
    def is_known(self) -> bool:
        """True when the code is in the documented table."""
        return self._name_ in type(self).__members__

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self._name_}: {self._value_}>"


class MessageStatus(_CodeEnum):
    """Message status codes (``status``), facts §3.1."""

    NOT_FOUND = (-3, "message not found", "Сообщение не найдено")
    STOPPED = (-2, "stopped", "Остановлено")
    WAITING = (-1, "waiting to be sent", "Ожидает отправки")
    TRANSFERRED = (0, "transferred to the operator", "Передано оператору")
    DELIVERED = (1, "delivered", "Доставлено")
    READ = (2, "read", "Прочитано")
    EXPIRED = (3, "expired", "Просрочено")
    LINK_CLICKED = (4, "link clicked", "Нажата ссылка")
    UNDELIVERABLE = (20, "impossible to deliver", "Невозможно доставить")
    INVALID_NUMBER = (22, "invalid number", "Неверный номер")
    PROHIBITED = (23, "prohibited", "Запрещено")
    NO_MONEY = (24, "insufficient funds", "Недостаточно средств")
    UNAVAILABLE_NUMBER = (25, "unavailable number", "Недоступный номер")


class DeliveryError(_CodeEnum):
    """The ``err`` code of a status: delivery error or HLR subscriber state (facts §3.2)."""

    NO_ERROR = (0, "no error, subscriber available", "Нет ошибки, абонент доступен")
    ABSENT_SUBSCRIBER = (1, "subscriber does not exist", "Абонент не существует")
    OFFLINE = (6, "subscriber offline", "Абонент не в сети")
    NOT_PROVISIONED = (11, "no SMS service", "Нет услуги SMS")
    HANDSET_ERROR = (12, "error in the subscriber's handset", "Ошибка в телефоне абонента")
    BLOCKED = (13, "subscriber blocked", "Абонент заблокирован")
    NOT_SUPPORTED = (21, "service not supported", "Нет поддержки сервиса")
    VIRTUAL = (200, "virtual sending", "Виртуальная отправка")
    SIM_REPLACED = (219, "SIM card replaced", "Замена SIM-карты")
    QUEUE_OVERFLOW = (220, "operator queue overflow", "Переполнена очередь у оператора")
    NO_ANSWER = (237, "subscriber did not answer", "Абонент не ответил")
    NO_TEMPLATE = (238, "no template", "Нет шаблона")
    FORBIDDEN_IP = (239, "forbidden IP address", "Запрещенный IP-адрес")
    BUSY = (240, "subscriber busy", "Абонент занят")
    CONVERSION_ERROR = (241, "conversion error", "Ошибка конвертации")
    ANSWERING_MACHINE = (242, "answering machine", "Зафиксирован автоответчик")
    NO_CONTRACT = (243, "no contract", "Не заключен договор")
    MAILINGS_FORBIDDEN = (244, "mailings forbidden", "Рассылки запрещены")
    STATUS_NOT_RECEIVED = (245, "status not received", "Статус не получен")
    TIME_RESTRICTION = (246, "time restriction", "Ограничение по времени")
    MESSAGE_LIMIT = (247, "message limit exceeded", "Превышен лимит сообщений")
    NO_ROUTE = (248, "no route", "Нет маршрута")
    WRONG_NUMBER_FORMAT = (249, "wrong number format", "Неверный формат номера")
    NUMBER_FORBIDDEN_BY_SETTINGS = (
        250,
        "number forbidden by settings",
        "Номер запрещен настройками",
    )
    NUMBER_LIMIT = (251, "per-number limit exceeded", "Превышен лимит на один номер")
    NUMBER_FORBIDDEN = (252, "number forbidden", "Номер запрещен")
    SPAM_FILTER = (253, "blocked by the spam filter", "Запрещено спам-фильтром")
    UNREGISTERED_SENDER = (254, "unregistered sender id", "Незарегистрированный sender id")
    REJECTED_BY_OPERATOR = (255, "rejected by the operator", "Отклонено оператором")


class MessageType(_CodeEnum):
    """Message type codes (``type`` and ``flag`` bits 0-3), facts §3.4 and seed 003."""

    SMS = (0, "SMS", "SMS")
    FLASH = (1, "Flash-SMS", "Flash-SMS")
    BINARY = (2, "binary SMS", "Бинарное SMS")
    WAP_PUSH = (3, "WAP-push", "WAP-push")
    HLR = (4, "HLR request", "HLR-запрос")
    PING = (5, "Ping-SMS", "Ping-SMS")
    MMS = (6, "MMS", "MMS")
    CALL = (7, "voice call", "Звонок")
    EMAIL = (8, "e-mail", "E-mail")
    VIBER = (10, "Viber", "Viber")
    SOCIAL = (12, "social networks", "Соцсети")


class TemplateType(_CodeEnum):
    """Template type in ``flag`` bits 10-9 (seed 003)."""

    SERVICE = (0, "service", "Сервисный")
    TRANSACTIONAL = (1, "transactional", "Транзакционный")
    AUTHORIZATION = (2, "authorization", "Авторизационный")
    ADVERTISING = (3, "advertising", "Рекламный")


class BlacklistType(_CodeEnum):
    """What a blacklist entry blocks (``type``, seeds 004 and 002)."""

    ALL = (0, "all messages", "Все сообщения")
    MASS = (1, "mass mailings", "Массовые рассылки")
    SINGLE = (2, "single messages", "Одиночные сообщения")


class GroupType(_CodeEnum):
    """What a contact group holds: the ``type`` parameter of ``add_group`` and
    ``get_group`` (seed 002). It is a request parameter; no answer carries it."""

    PHONES = (0, "phone numbers", "Номера телефонов")
    EMAILS = (1, "e-mail addresses", "Адреса e-mail")


class MessageFlags(enum.IntFlag):
    """The ``flag`` field: a 2-byte bit field (seed 003, facts §3.3).

    An :class:`enum.IntFlag`, so that msgspec carries it as the plain number
    (``int(flags)``), unknown bits included: every value is kept, the bits
    without a documented meaning too (``unknown_bits``). The single-bit
    meanings are members; the two small numbers packed in the field (the
    message type in bits 0-3, the template type in bits 10-9) are properties.
    """

    #: bit 5: the message was paid from the second balance
    SECOND_BALANCE = 1 << 5
    #: bit 8: a template message
    TEMPLATE = 1 << 8

    #: bits the documentation assigns a meaning to: 0-3, 5, 8, 9-10 (set below:
    #: a value in the class body would be a member)
    KNOWN_BITS: ClassVar[int]

    @classmethod
    def _missing_(cls, value: object) -> Any:
        # A negative number is no bit field, but lenient decoding keeps what
        # it reads: IntFlag would fold it into the members' bit width (-5
        # into 507), so it is kept as a value of its own.
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            member = int.__new__(cls, value)
            member._value_ = value
            member._name_ = None
            return member
        return super()._missing_(value)

    @property
    def message_type(self) -> MessageType:
        """Bits 0-3."""
        return MessageType(int(self) & 0x0F)

    @property
    def second_balance(self) -> bool:
        """Bit 5: the message was paid from the second balance."""
        return bool(int(self) >> 5 & 1)

    @property
    def template(self) -> bool:
        """Bit 8: a template message."""
        return bool(int(self) >> 8 & 1)

    @property
    def template_type(self) -> TemplateType:
        """Bits 10-9: the template's type."""
        return TemplateType(int(self) >> 9 & 0b11)

    @property
    def unknown_bits(self) -> int:
        """The bits without a documented meaning, as set in this value."""
        return int(self) & ~self.KNOWN_BITS

    def __repr__(self) -> str:
        return f"MessageFlags({int(self)})"

    def __str__(self) -> str:
        return str(int(self))

    __format__ = int.__format__  # type: ignore[assignment]


MessageFlags.KNOWN_BITS = 0x0F | 1 << 5 | 1 << 8 | 0b11 << 9


class ApiErrorMeaning(msgspec.Struct, frozen=True, kw_only=True):
    """What an API error code means for the script that answered with it."""

    script: str | None
    code: int
    name: str
    description: str
    description_ru: str
    known: bool


_COMMON_ERRORS: dict[int, tuple[str, str, str]] = {
    1: ("PARAMETERS", "error in parameters", "Ошибка в параметрах"),
    2: (
        "AUTHORISATION",
        "invalid login or password, or the IP address is not allowed",
        "Неверный логин или пароль, или IP-адрес не разрешен",
    ),
    4: ("IP_BLOCKED", "the IP address is temporarily blocked", "IP-адрес временно заблокирован"),
    9: (
        "RATE_LIMIT",
        "too many identical or concurrent requests",
        "Слишком много одинаковых или одновременных запросов",
    ),
}

# Per-script codes on top of the common ones (facts §1.2, §2.x; seeds 003 and 004).
# The same number means different things on different scripts: 3 is "no money" on
# send.php, "no records found" on phones.php, and does not exist on status.php.
_SCRIPT_ERRORS: dict[str, dict[int, tuple[str, str, str]]] = {
    "send": {
        3: ("NO_MONEY", "insufficient funds", "Недостаточно средств на счете"),
        5: ("DATE_FORMAT", "wrong date format", "Неверный формат даты"),
        6: ("MESSAGE_DENIED", "message forbidden by text or sender name", "Сообщение запрещено"),
        7: ("INVALID_NUMBER", "wrong phone number format", "Неверный формат номера телефона"),
        8: ("CANNOT_DELIVER", "message cannot be delivered", "Сообщение не может быть доставлено"),
        9: (
            "RATE_LIMIT",
            "duplicate send or cost request within a minute",
            "Повторный запрос на отправку или расчет стоимости в течение минуты",
        ),
    },
    "status": {
        5: ("DELETE_FAILED", "error deleting the message", "Ошибка удаления сообщения"),
        9: (
            "RATE_LIMIT",
            "more than five status requests for one message, or more than one mass request, "
            "within a minute",
            "Более пяти запросов статуса одного сообщения или более одного массового запроса "
            "в течение минуты",
        ),
    },
    "balance": {},
    "jobs": {
        3: ("SAVE_ERROR", "error saving the record", "Ошибка сохранения записи"),
        5: ("DATE_FORMAT", "wrong date format", "Неверный формат даты"),
    },
    "phones": {
        3: ("NOT_FOUND", "no records found", "Записи не найдены"),
        5: ("OPERATION_FAILED", "error performing the operation", "Ошибка выполнения операции"),
        9: (
            "RATE_LIMIT",
            "more than three identical contact, group or blacklist requests within a minute",
            "Более трех одинаковых запросов на операции с группами, контактами или записями "
            "черного списка в течение минуты",
        ),
    },
    "info": {3: ("NOT_FOUND", "operator not found", "Оператор не найден")},
    "tinyurls": {3: ("NOT_FOUND", "link not found", "Ссылка не найдена")},
    "senders": {3: ("NOT_FOUND", "record not found", "Запись не найдена")},
    "get": {3: ("NOT_FOUND", "no records found", "Записи не найдены")},
}
_SCRIPT_ERRORS["mails"] = _SCRIPT_ERRORS["phones"]


def api_error_meaning(script: str | None, code: int) -> ApiErrorMeaning:
    """Look up what ``code`` means when ``script`` answers with it.

    A code that the script's table does not list still gets a value, with
    ``known=False``.
    """
    table = _SCRIPT_ERRORS.get(script or "", {})
    entry = table.get(code) or _COMMON_ERRORS.get(code)
    if entry is None:
        return ApiErrorMeaning(
            script=script,
            code=code,
            name=f"UNKNOWN_{code}",
            description=f"unknown error {code}",
            description_ru=f"неизвестная ошибка {code}",
            known=False,
        )
    name, description, description_ru = entry
    return ApiErrorMeaning(
        script=script,
        code=code,
        name=name,
        description=description,
        description_ru=description_ru,
        known=True,
    )
