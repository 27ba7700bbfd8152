"""The ECS layer: where the local AWS changes moto's ECS answers.

Every ECS request (JSON protocol, ``X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>``)
passes through :class:`EcsLayer`. It strips ``null`` values, then runs the hooks that the
extension modules register for the operation: ``before`` hooks may change the request, refuse
it with an :class:`EcsError` or answer it themselves; moto then answers; ``after`` hooks
change moto's answer. Extension state lives as attributes on moto's own model objects, so
moto's reset wipes it together with everything else.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend, ecs_backends
from moto.iam.models import get_account_id_from
from moto.utilities.utils import get_partition

from .calls import credential_scope
from .faults import Faults
from .settings import Settings

ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


class EcsError(Exception):
    """An ECS error answer: its code (``ClientException``, ...), message, and any other members
    of the error's shape (``resourceIds`` of a ``ConflictException``)."""

    def __init__(
        self, code: str, message: str, status: int = 400, members: dict[str, Any] | None = None
    ):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.members = members or {}


def client_error(message: str) -> EcsError:
    """ECS's ``ClientException`` with the given message."""
    return EcsError("ClientException", message)


def invalid_parameter(message: str) -> EcsError:
    """ECS's ``InvalidParameterException`` with the given message."""
    return EcsError("InvalidParameterException", message)


@dataclass
class EcsCall:
    """One ECS request on its way through the hooks."""

    operation: str
    params: dict[str, Any]
    backend: EC2ContainerServiceBackend
    settings: Settings
    faults: Faults
    now: float
    response: dict[str, Any] | None = None
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        """The account the request acts in."""
        return self.backend.account_id

    @property
    def region(self) -> str:
        """The region the request acts in."""
        return self.backend.region_name


Hook = Callable[[EcsCall], None]


@dataclass(frozen=True)
class Hooks:
    """What one extension does around one ECS operation."""

    before: Hook | None = None
    after: Hook | None = None


def drop_nulls(value: Any) -> Any:
    """Return ``value`` without ``null`` members, as ECS treats them as absent."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value if v is not None]
    return value


def epoch(timestamp: float) -> float:
    """A timestamp as ECS puts it on the wire: epoch seconds with milliseconds."""
    return round(timestamp, 3)


def cluster_name(params: dict[str, Any]) -> str:
    """The name of the cluster a request names (``default`` when it names none)."""
    return str(params.get("cluster") or "default").rpartition("/")[2]


def task_arn(call: EcsCall, cluster: str, task_id: str) -> str:
    """A task's ARN as ECS makes it (the long ARN format)."""
    partition = get_partition(call.region)
    return f"arn:{partition}:ecs:{call.region}:{call.account_id}:task/{cluster}/{task_id}"


def container_id(task_id: str, name: str) -> str:
    """A stable id for a task's container."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{task_id}/{name}"))


def container_arn(call: EcsCall, cluster: str, task_id: str, name: str) -> str:
    """The ARN of a task's container."""
    partition = get_partition(call.region)
    return (
        f"arn:{partition}:ecs:{call.region}:{call.account_id}:container/{cluster}/{task_id}/"
        f"{container_id(task_id, name)}"
    )


class EcsLayer:
    """WSGI middleware that runs the ECS extensions around moto's ECS."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        extensions: list[dict[str, Hooks]],
        settings: Settings,
        faults: Faults,
    ):
        self.app = app
        self.settings = settings
        self.faults = faults
        self.hooks: dict[str, list[Hooks]] = {}
        for extension in extensions:
            for operation, hooks in extension.items():
                self.hooks.setdefault(operation, []).append(hooks)
        # Moto's backends are not thread-safe, and the rollout state read by DescribeServices
        # must not change half-way through an UpdateService.
        self.lock = threading.RLock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Serve one WSGI request."""
        request = json_request(environ, ECS_TARGET_PREFIX)
        if request is None:
            # Not an ECS request this layer understands: moto answers it as it would.
            return self.app(environ, start_response)
        operation, params = request
        params = drop_nulls(params)
        hooks = self.hooks.get(operation, [])
        with self.lock:
            call = EcsCall(
                operation=operation,
                params=params,
                backend=ecs_backend_for(environ),
                settings=self.settings,
                faults=self.faults,
                now=time.time(),
            )
            try:
                for hook in hooks:
                    if hook.before and call.response is None:
                        hook.before(call)
                if call.response is None:
                    status, headers, body = self._ask_moto(environ, call.params)
                    if not status.startswith("200"):
                        start_response(status, headers)
                        return [body]
                    call.response = json.loads(body or b"{}")
                for hook in hooks:
                    if hook.after:
                        hook.after(call)
            except EcsError as error:
                return error_response(start_response, error)
        return json_response(start_response, call.response)

    def _ask_moto(
        self, environ: dict[str, Any], params: dict[str, Any]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        body = json.dumps(params).encode()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        result = self.app(environ, capture)
        try:
            payload = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return captured["status"], captured["headers"], payload


def json_request(environ: dict[str, Any], prefix: str) -> tuple[str, dict[str, Any]] | None:
    """``(operation, params)`` of a JSON-protocol request whose ``X-Amz-Target`` starts with
    ``prefix``; None for any other request, or a body that is not a JSON object."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if not target.startswith(prefix):
        return None
    try:
        params = json.loads(read_body(environ) or b"{}")
    except ValueError:
        return None
    if not isinstance(params, dict):
        return None
    return target[len(prefix) :], params


def read_body(environ: dict[str, Any]) -> bytes:
    """Read a request's body and put it back, so the next reader sees it whole.

    A body without Content-Length (chunked) is left unread for moto, and b"" returned.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def account_id_for(environ: dict[str, Any]) -> str:
    """The account a request acts in, found as moto finds it."""
    return (
        os.environ.get("MOTO_ACCOUNT_ID")
        or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
        or get_account_id_from(credential_scope(environ).access_key)
    )


def ecs_backend_for(environ: dict[str, Any]) -> EC2ContainerServiceBackend:
    """Moto's ECS backend for the request's account and region."""
    return ecs_backends[account_id_for(environ)][credential_scope(environ).region]


def json_response(start_response: Callable[..., Any], payload: dict[str, Any]) -> list[bytes]:
    """Answer with a successful ECS JSON response."""
    body = json.dumps(payload).encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", JSON_CONTENT_TYPE),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
    )
    return [body]


def error_response(start_response: Callable[..., Any], error: EcsError) -> list[bytes]:
    """Answer with an ECS JSON error, shaped as botocore parses it."""
    body = json.dumps({"__type": error.code, "message": error.message, **error.members}).encode()
    start_response(
        f"{error.status} {HTTPStatus(error.status).phrase}",
        [
            ("Content-Type", JSON_CONTENT_TYPE),
            ("Content-Length", str(len(body))),
            ("x-amzn-ErrorType", error.code),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
    )
    return [body]
