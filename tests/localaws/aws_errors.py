"""Injected error answers, shaped for the protocol of the service called.

Moto gap: moto has no way to answer a call with a throttling or server error. An injected
error must look like the service's own, or botocore reads no error code from it (its retry
logic then treats it as an unknown error). Each AWS protocol puts the code in a different place:

- JSON (``X-Amz-Target``: ecs, logs, ...): a JSON body with ``__type`` and ``message``.
- Smithy RPC v2 CBOR (``/service/<S>/operation/<Op>``: cloudwatch): the same map, in CBOR.
- query (``Action=``: sts, iam, elasticloadbalancing, ...): ``<ErrorResponse><Error>`` XML.
- EC2: ``<Response><Errors><Error>`` XML.
- REST-XML (s3, route53, cloudfront): XML (S3's ``<Error>`` root); other REST services: JSON
  with an ``x-amzn-ErrorType`` header.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from .faults import SERVER_ERROR, THROTTLE

JSON, CBOR, QUERY, EC2, REST_XML, REST_JSON = (
    "json",
    "rpc-v2-cbor",
    "query",
    "ec2",
    "rest-xml",
    "rest-json",
)
REST_XML_SERVICES = ("s3", "route53", "cloudfront")

THROTTLE_MESSAGE = "Rate exceeded"
INTERNAL_FAILURE_MESSAGE = (
    "The request processing has failed because of an unknown error, exception or failure."
)


@dataclass(frozen=True)
class ErrorAnswer:
    """An error as sent: status, code and message, and the service and protocol it is for."""

    status: int
    code: str
    message: str
    service: str
    protocol: str

    @property
    def sender_fault(self) -> bool:
        """Whether the caller is at fault (a 4xx): ``Sender``, else ``Receiver``."""
        return self.status < 500


def protocol_of(environ: dict[str, Any], form_body: bytes, service: str) -> str:
    """The protocol of a request to ``service`` (its signing name), read from the request."""
    if environ.get("HTTP_X_AMZ_TARGET"):
        return JSON
    if "/operation/" in environ.get("PATH_INFO", "") or environ.get("HTTP_SMITHY_PROTOCOL"):
        return CBOR
    if service == "ec2":
        return EC2
    query = parse_qs(environ.get("QUERY_STRING", ""))
    form = parse_qs(form_body.decode("utf-8", "replace")) if form_body else {}
    if "Action" in form or "Action" in query:
        return QUERY
    return REST_XML if service in REST_XML_SERVICES else REST_JSON


def error_for(kind: str, protocol: str, service: str) -> ErrorAnswer:
    """The error that ``service`` answers with when throttling (``THROTTLE``) or failing."""
    status, code, message = error_code(kind, protocol, service)
    return ErrorAnswer(status, code, message, service, protocol)


def error_code(kind: str, protocol: str, service: str) -> tuple[int, str, str]:
    """HTTP status, error code and message of a throttling or server error of ``service``."""
    if kind == THROTTLE:
        if service == "s3":
            return 503, "SlowDown", "Please reduce your request rate."
        if protocol == EC2:
            return 503, "RequestLimitExceeded", "Request limit exceeded."
        code = "Throttling" if protocol in (QUERY, REST_XML) else "ThrottlingException"
        return 400, code, THROTTLE_MESSAGE
    if kind != SERVER_ERROR:
        raise ValueError(f"unknown fault kind {kind!r}")
    if service == "ecs":
        return 500, "ServerException", INTERNAL_FAILURE_MESSAGE
    if protocol == EC2:
        return 500, "InternalError", "An internal error has occurred."
    if service == "s3":
        return 500, "InternalError", "We encountered an internal error. Please try again."
    return 500, "InternalFailure", INTERNAL_FAILURE_MESSAGE


def cbor_text(text: str) -> bytes:
    """A CBOR text string (major type 3)."""
    data = text.encode()
    return cbor_head(3, len(data)) + data


def cbor_head(major: int, length: int) -> bytes:
    """A CBOR initial byte with its length argument."""
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("too long for CBOR")


def cbor_map(values: dict[str, str]) -> bytes:
    """A CBOR map (major type 5) of text keys to text values."""
    body = b"".join(cbor_text(k) + cbor_text(v) for k, v in values.items())
    return cbor_head(5, len(values)) + body


def render(answer: ErrorAnswer) -> tuple[list[tuple[str, str]], bytes]:
    """The headers and body of an error answer."""
    request_id = str(uuid.uuid4())
    code, message = answer.code, answer.message
    if answer.protocol in (JSON, REST_JSON):
        body = json.dumps({"__type": code, "message": message}).encode()
        json_type = "application/x-amz-json-1.1" if answer.protocol == JSON else "application/json"
        headers = [("Content-Type", json_type), ("x-amzn-ErrorType", code)]
    elif answer.protocol == CBOR:
        body = cbor_map({"__type": code, "message": message})
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    elif answer.protocol == EC2:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers = [("Content-Type", "text/xml;charset=UTF-8")]
    elif answer.service == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
        headers = [("Content-Type", "application/xml")]
    else:
        fault_type = "Sender" if answer.sender_fault else "Receiver"
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{fault_type}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    headers += [("x-amzn-RequestId", request_id), ("Content-Length", str(len(body)))]
    return headers, body
