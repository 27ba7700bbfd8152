"""The local AWS as one WSGI application: control endpoints, call counting, faults, moto.

Requests flow through, outermost first:

1. ``/_localaws/...``: the control endpoints, answered here.
2. Call counting, and injected throttling and server errors (:mod:`~tests.localaws.faults`,
   shaped per protocol by :mod:`~tests.localaws.aws_errors`).
3. :class:`~tests.localaws.task_logs.LogsLayer`, which writes the run tasks' output that is
   due into CloudWatch Logs before each CloudWatch Logs call.
4. :class:`~tests.localaws.codedeploy.CodeDeployLayer`, which answers CodeDeploy's ECS
   deployments.
5. :class:`~tests.localaws.ecs_api.EcsLayer`, which runs the ECS extensions.
6. Moto's own server application (``DomainDispatcherApplication``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from . import (
    codedeploy,
    rollouts,
    run_tasks,
    service_tasks,
    services,
    task_definition_list,
    task_definitions,
)
from .aws_errors import ErrorAnswer, error_for, protocol_of, render
from .calls import CallCounter, call_name, credential_scope
from .ecs_api import EcsLayer, read_body
from .faults import Faults
from .settings import Settings
from .task_logs import LogsLayer

CONTROL_PREFIX = "/_localaws/"
FAULT_ENDPOINTS = ("faults", "faults/reset", "faults/injected")

# Order matters where two extensions hook one operation: rollouts read the service fields
# that the services extension has put in the answer.
ECS_EXTENSIONS = [
    task_definitions.HOOKS,
    task_definition_list.HOOKS,
    services.HOOKS,
    rollouts.HOOKS,
    codedeploy.HOOKS,
    run_tasks.HOOKS,
    service_tasks.HOOKS,
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
        self.codedeploy = codedeploy.CodeDeployLayer(self.ecs, settings, faults, self.ecs.lock)
        self.logs = LogsLayer(self.codedeploy, self.ecs.lock)

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
            kind = self.faults.on_request(name)
            if kind is not None:
                service = credential_scope(environ).service
                answer = error_for(kind, protocol_of(environ, form_body, service), service)
                return fault_response(start_response, answer)
        return self.logs(environ, start_response)

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
        if endpoint.startswith("faults"):
            answer = self._faults(environ, method, endpoint)
            if answer is not None:
                status, payload = answer
                return reply_json(start_response, status, payload)
        if endpoint in ("calls", "calls/reset", "reset", "settings", *FAULT_ENDPOINTS):
            return reply_json(
                start_response, HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{method} not allowed"}
            )
        return reply_json(
            start_response,
            HTTPStatus.NOT_FOUND,
            {"error": f"no endpoint {CONTROL_PREFIX}{endpoint}"},
        )

    def _faults(
        self, environ: dict[str, Any], method: str, endpoint: str
    ) -> tuple[HTTPStatus, Any] | None:
        """The answer of a ``/_localaws/faults`` endpoint, or None if there is no such one."""
        if endpoint == "faults" and method == "GET":
            return HTTPStatus.OK, self.faults.as_dict()
        if endpoint == "faults" and method == "POST":
            try:
                spec = json.loads(read_body(environ) or b"{}")
                self.faults.set(spec)
            except ValueError as error:
                return HTTPStatus.BAD_REQUEST, {"error": str(error)}
            return HTTPStatus.OK, self.faults.as_dict()
        if endpoint == "faults/reset" and method == "POST":
            self.faults.clear()
            return HTTPStatus.OK, self.faults.as_dict()
        if endpoint == "faults/injected" and method == "GET":
            return HTTPStatus.OK, self.faults.injected()
        return None


def reply_json(start_response: StartResponse, status: HTTPStatus, payload: Any) -> list[bytes]:
    """Answer a control request with JSON."""
    body = json.dumps(payload).encode()
    start_response(
        f"{status.value} {status.phrase}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def fault_response(start_response: StartResponse, answer: ErrorAnswer) -> list[bytes]:
    """Answer with an injected error, shaped for the protocol of the service called."""
    headers, body = render(answer)
    start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", headers)
    return [body]
