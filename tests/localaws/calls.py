"""Which API call a request is, and how many of each the local AWS has served."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any, NamedTuple
from urllib.parse import parse_qs

DEFAULT_REGION = "us-east-1"


class CredentialScope(NamedTuple):
    """The parts of a SigV4 credential scope that the local AWS uses."""

    access_key: str
    region: str
    service: str


def credential_scope(environ: dict[str, Any]) -> CredentialScope:
    """Read access key, region and signing name from a request's SigV4 Authorization header."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    # "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ecs/aws4_request, SignedHeaders=..."
    credential = auth.partition("Credential=")[2].split(",")[0].strip()
    parts = credential.split("/")
    if len(parts) == 5:
        return CredentialScope(parts[0], parts[2], parts[3].lower())
    return CredentialScope("", DEFAULT_REGION, "")


def call_name(environ: dict[str, Any], form_body: bytes) -> str | None:
    """Name a request as ``service:Action`` (``ecs:UpdateService``); None for non-AWS calls.

    The service is the signing name; the action comes from ``X-Amz-Target`` (JSON protocols),
    ``Action`` (query protocols), the operation path (Smithy RPC v2), or else the HTTP method
    (REST services such as S3, whose operation the path alone does not name).
    """
    service = credential_scope(environ).service
    if not service:
        return None

    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service}:{target.rpartition('.')[2]}"

    path = environ.get("PATH_INFO", "")
    if "/operation/" in path:
        return f"{service}:{path.rstrip('/').rpartition('/')[2]}"

    query = parse_qs(environ.get("QUERY_STRING", ""))
    form = parse_qs(form_body.decode("utf-8", "replace")) if form_body else {}
    action = (form.get("Action") or query.get("Action") or [None])[0]
    if action:
        return f"{service}:{action}"
    return f"{service}:{environ.get('REQUEST_METHOD', 'GET')}"


class CallCounter:
    """Thread-safe counts of calls by name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, name: str) -> None:
        """Count one call."""
        with self._lock:
            self._counts[name] += 1

    def snapshot(self) -> dict[str, int]:
        """The counts so far, sorted by name."""
        with self._lock:
            return dict(sorted(self._counts.items()))

    def reset(self) -> None:
        """Forget all counts."""
        with self._lock:
            self._counts.clear()
