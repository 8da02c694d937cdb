"""Scalar checks shared by the JSON and XML walkers: what a value of each
botocore shape type must look like on the wire."""

import base64
import binascii
import re
from email.utils import parsedate_to_datetime

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$")
INTEGER = re.compile(r"^-?\d+$")
NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^(NaN|Infinity|-Infinity)$")
INTEGER_TYPES = ("integer", "long", "short", "byte")
FLOAT_TYPES = ("float", "double", "bigdecimal")


def enum_problem(shape, value, path):
    """A string outside the model's enum, when the model has one."""
    allowed = getattr(shape, "enum", None) or []
    if allowed and value not in allowed:
        return f"{path}: {value!r} is not one of the model's {shape.name} values {sorted(allowed)}"
    return None


def base64_problem(value, path):
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return f"{path}: blob is not valid base64"
    return None


def timestamp_text_problem(text, fmt, path):
    """A timestamp written as text (XML bodies, headers) in the format the model names."""
    if fmt == "iso8601":
        if not ISO_8601.match(text):
            return f"{path}: timestamp {text!r} is not ISO 8601 (e.g. 2026-01-02T03:04:05.000Z)"
    elif fmt == "rfc822":
        try:
            parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return f"{path}: timestamp {text!r} is not an HTTP date (RFC 7231)"
    elif fmt == "unixTimestamp":
        if not NUMBER.match(text):
            return f"{path}: timestamp {text!r} is not epoch seconds"
    return None


def text_problem(shape, text, path, timestamp_format):
    """A scalar carried as text (XML element, HTTP header)."""
    kind = shape.type_name
    if kind == "string":
        return enum_problem(shape, text, path)
    if kind in INTEGER_TYPES:
        return None if INTEGER.match(text) else f"{path}: {text!r} is not an integer"
    if kind in FLOAT_TYPES:
        return None if NUMBER.match(text) else f"{path}: {text!r} is not a number"
    if kind == "boolean":
        return None if text in ("true", "false") else f"{path}: {text!r} is not true or false"
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", timestamp_format)
        return timestamp_text_problem(text, fmt, path)
    if kind == "blob":
        return base64_problem(text, path)
    return None
