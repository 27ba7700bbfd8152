"""The local AWS as one WSGI application: control endpoints, call counting, faults, moto.

Requests flow through, outermost first:

1. ``/_localaws/...``: the control endpoints, answered here.
2. Call counting, and the fault hook (which injects nothing yet).
3. :class:`~tests.localaws.ecs_api.EcsLayer`, which runs the ECS extensions.
4. Moto's own server application (``DomainDispatcherApplication``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from . import rollouts, services, task_definition_list, task_definitions
from .calls import CallCounter, call_name
from .ecs_api import EcsLayer, read_body
from .faults import FaultReply, Faults
from .settings import Settings

CONTROL_PREFIX = "/_localaws/"

# Order matters where two extensions hook one operation: rollouts read the service fields
# that the services extension has put in the answer.
ECS_EXTENSIONS = [
    task_definitions.HOOKS,
    task_definition_list.HOOKS,
    services.HOOKS,
    rollouts.HOOKS,
]

StartResponse = Callable[..., Any]


class LocalAWSApp:
    """The WSGI application that the local AWS serves."""

    def __init__(
        self,
        settings: Settings,
        faults: Faults,
        calls: CallCounter,
        reset_state: Callable[[], None],
    ):
        self.settings = settings
        self.faults = faults
        self.calls = calls
        self.reset_state = reset_state
        moto = DomainDispatcherApplication(create_backend_app)
        self.ecs = EcsLayer(moto, ECS_EXTENSIONS, settings, faults)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Serve one WSGI request."""
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._control(environ, start_response, path[len(CONTROL_PREFIX) :])

        content_type = environ.get("CONTENT_TYPE", "")
        form_body = read_body(environ) if "x-www-form-urlencoded" in content_type else b""
        name = None if path.startswith("/moto-api") else call_name(environ, form_body)
        if name is not None:
            self.calls.add(name)
            reply = self.faults.on_request(name)
            if reply is not None:
                return fault_response(start_response, reply)
        return self.ecs(environ, start_response)

    def _control(
        self, environ: dict[str, Any], start_response: StartResponse, endpoint: str
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if endpoint == "calls" and method == "GET":
            return reply_json(start_response, HTTPStatus.OK, self.calls.snapshot())
        if endpoint == "calls/reset" and method == "POST":
            self.calls.reset()
            return reply_json(start_response, HTTPStatus.OK, {})
        if endpoint == "reset" and method == "POST":
            self.reset_state()
            return reply_json(start_response, HTTPStatus.OK, {})
        if endpoint == "settings" and method == "GET":
            return reply_json(start_response, HTTPStatus.OK, self.settings.as_dict())
        if endpoint == "settings" and method == "POST":
            try:
                values = json.loads(read_body(environ) or b"{}")
                if not isinstance(values, dict):
                    raise ValueError("settings must be a JSON object")
                self.settings.update(values)
            except ValueError as error:
                return reply_json(start_response, HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return reply_json(start_response, HTTPStatus.OK, self.settings.as_dict())
        if endpoint in ("calls", "calls/reset", "reset", "settings"):
            return reply_json(
                start_response, HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{method} not allowed"}
            )
        return reply_json(
            start_response,
            HTTPStatus.NOT_FOUND,
            {"error": f"no endpoint {CONTROL_PREFIX}{endpoint}"},
        )


def reply_json(start_response: StartResponse, status: HTTPStatus, payload: Any) -> list[bytes]:
    """Answer a control request with JSON."""
    body = json.dumps(payload).encode()
    start_response(
        f"{status.value} {status.phrase}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def fault_response(start_response: StartResponse, reply: FaultReply) -> list[bytes]:
    """Answer with an injected error, shaped as a JSON-protocol AWS error."""
    body = json.dumps({"__type": reply.code, "message": reply.message}).encode()
    start_response(
        f"{reply.status} {HTTPStatus(reply.status).phrase}",
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Content-Length", str(len(body))),
            ("x-amzn-ErrorType", reply.code),
        ],
    )
    return [body]
