"""Hand-written writers of the benchmark's status rows: the encoding floors.

Each writes the very bytes the codec writes for an ``all=2`` SMS status row
(``benchmarks/conftest.py``), one f-string per format with the fields in the
layout's order, the fastest conversions measured (a datetime by slicing its
``isoformat``, text through ``str.replace`` in XML and msgspec in JSON), and
the one check each format needs to stay readable: no line break in a line
format's text, no character XML cannot hold. It knows the layout and trusts
the values' types: what a writer generated from the grammar and the model
has to check and find for itself is the codec's cost over it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import msgspec

_json_text = msgspec.json.encode
_LINE_BREAK = re.compile("[\r\n\0]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _date(value: datetime) -> str:
    iso = value.isoformat()
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]} {iso[11:]}"


def _line(text: str) -> str:
    if _LINE_BREAK.search(text):
        raise ValueError("a line break in a line format")
    return text


def text_row(r: Any, tail: str = "") -> str:
    """fmt=0 ``status_sms_all2``."""
    return _line(
        f"Status = {int(r.status)}, check_time = {_date(r.last_date)}, err = {int(r.err)}, "
        f"send_date = {_date(r.send_date)}, phone = {r.phone}, mccmnc = {r.mccmnc}, "
        f"country = {r.country}, operator = {r.operator}, operator_orig= {r.operator_orig}, "
        f"region = {r.region}, cost = {r.cost}, sender_id = {r.sender_id}, "
        f"status_name = {r.status_name}, message = {r.message}, comment = {r.comment}, "
        f"type = {int(r.type)}{tail}"
    )


def text_rows(rows: list[Any]) -> str:
    return "\n".join([text_row(r, f", id = {r.id}") for r in rows])


def csv_row(r: Any, tail: str = "") -> str:
    """fmt=1 ``status_sms_all2``."""
    return _line(
        f"{int(r.status)},{r.last_timestamp},{int(r.err)},{r.send_timestamp},{r.phone},"
        f"{r.country},{r.operator},{r.region},{r.cost},{r.sender_id},{r.status_name},"
        f"{r.message}, {r.comment}, {int(r.type)}{tail}"
    )


def csv_rows(rows: list[Any]) -> str:
    return "\n".join([csv_row(r, f",{r.id}") for r in rows])


def _xml(text: str) -> str:
    if _XML_INVALID.search(text):
        raise ValueError("a character XML cannot hold")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_row(r: Any, tail: str = "") -> str:
    """fmt=2 ``<sms>``."""
    return (
        f"<sms>\n<status>{int(r.status)}</status>\n<last_date>{_date(r.last_date)}</last_date>\n"
        f"<last_timestamp>{r.last_timestamp}</last_timestamp>\n<flag>{int(r.flag)}</flag>\n"
        f"<err>{int(r.err)}</err>\n<send_date>{_date(r.send_date)}</send_date>\n"
        f"<send_timestamp>{r.send_timestamp}</send_timestamp>\n"
        f"<phone>{_xml(r.phone)}</phone>\n<cost>{r.cost}</cost>\n"
        f"<sender_id>{_xml(r.sender_id)}</sender_id>\n"
        f"<status_name>{_xml(r.status_name)}</status_name>\n"
        f"<message>{_xml(r.message)}</message>\n<comment>{_xml(r.comment)}</comment>\n"
        f"<mccmnc>{_xml(r.mccmnc)}</mccmnc>\n<country>{_xml(r.country)}</country>\n"
        f"<operator>{_xml(r.operator)}</operator>\n"
        f"<operator_orig>{_xml(r.operator_orig)}</operator_orig>\n"
        f"<region>{_xml(r.region)}</region>\n<type>{int(r.type)}</type>\n"
        f"<sms_cnt>{r.sms_cnt}</sms_cnt>\n{tail}</sms>"
    )


def xml_rows(rows: list[Any]) -> str:
    return "<list>\n" + "\n".join([xml_row(r, f"<id>{r.id}</id>\n") for r in rows]) + "\n</list>"


def _js(text: str) -> str:
    return _json_text(text).decode()


def json_row(r: Any, tail: str = "") -> str:
    """fmt=3, one key a line."""
    return (
        f'{{\n"status": {int(r.status)},\n"last_date": "{_date(r.last_date)}",\n'
        f'"last_timestamp": {r.last_timestamp},\n"flag": {int(r.flag)},\n"err": {int(r.err)},\n'
        f'"send_date": "{_date(r.send_date)}",\n"send_timestamp": {r.send_timestamp},\n'
        f'"phone": {_js(r.phone)},\n"cost": "{r.cost}",\n"sender_id": {_js(r.sender_id)},\n'
        f'"status_name": {_js(r.status_name)},\n"message": {_js(r.message)},\n'
        f'"comment": {_js(r.comment)},\n"mccmnc": {_js(r.mccmnc)},\n'
        f'"country": {_js(r.country)},\n"operator": {_js(r.operator)},\n'
        f'"operator_orig": {_js(r.operator_orig)},\n"region": {_js(r.region)},\n'
        f'"type": {int(r.type)},\n"sms_cnt": {r.sms_cnt}{tail}\n}}'
    )


def json_rows(rows: list[Any]) -> str:
    return "[" + ",\n".join([json_row(r, f',\n"id": {r.id}') for r in rows]) + "]"


#: fmt -> (one row, many rows)
ENCODE_FLOORS = {
    0: (text_row, text_rows),
    1: (csv_row, csv_rows),
    2: (xml_row, xml_rows),
    3: (json_row, json_rows),
}
