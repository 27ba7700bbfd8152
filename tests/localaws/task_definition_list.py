"""ListTaskDefinitions with ECS's ``sort``, ``maxResults`` and ``nextToken``.

Moto gap: moto's ListTaskDefinitions honours ``familyPrefix`` (as ECS, an exact family name)
and ``status``, but ignores ``sort``, ``maxResults`` and ``nextToken``: it returns every ARN, in
registration order, in one page. This extension sorts moto's list by family, then revision
(ASC, or DESC) and pages it. The token is opaque to clients; here it holds an offset.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .ecs_api import EcsCall, Hooks, invalid_parameter

MAX_RESULTS = 100
TOKEN_PREFIX = "localaws:"


def sort_key(arn: str) -> tuple[str, int]:
    """Family, then numeric revision, from a task definition ARN."""
    family, _colon, revision = arn.rpartition("/")[2].rpartition(":")
    return family, int(revision)


def encode_token(offset: int) -> str:
    """A nextToken for the page that starts at ``offset``."""
    return base64.urlsafe_b64encode(f"{TOKEN_PREFIX}{offset}".encode()).decode()


def decode_token(token: str) -> int:
    """The offset in a nextToken made by :func:`encode_token`."""
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(TOKEN_PREFIX) or not text[len(TOKEN_PREFIX) :].isdigit():
        raise invalid_parameter("Invalid nextToken.")
    return int(text[len(TOKEN_PREFIX) :])


def page_size(params: dict[str, Any]) -> int:
    """The page size asked for: 1 to 100, 100 when not given."""
    size = params.get("maxResults", MAX_RESULTS)
    if not isinstance(size, int) or not 1 <= size <= MAX_RESULTS:
        raise invalid_parameter("maxResults must be between 1 and 100.")
    return size


def before_list(call: EcsCall) -> None:
    """Check the paging and sort parameters before moto sees the request."""
    page_size(call.params)
    if call.params.get("sort", "ASC") not in ("ASC", "DESC"):
        raise invalid_parameter("sort must be one of [ASC, DESC].")
    if "nextToken" in call.params:
        decode_token(call.params["nextToken"])


def after_list(call: EcsCall) -> None:
    """Sort moto's full list and cut the page asked for."""
    assert call.response is not None
    arns = sorted(
        call.response.get("taskDefinitionArns", []),
        key=sort_key,
        reverse=call.params.get("sort", "ASC") == "DESC",
    )
    start = decode_token(call.params["nextToken"]) if "nextToken" in call.params else 0
    end = start + page_size(call.params)
    call.response = {"taskDefinitionArns": arns[start:end]}
    if end < len(arns):
        call.response["nextToken"] = encode_token(end)


HOOKS = {"ListTaskDefinitions": Hooks(before=before_list, after=after_list)}
