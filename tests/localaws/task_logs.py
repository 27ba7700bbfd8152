"""Container output in CloudWatch Logs, written when the container prints it.

Moto gap: moto's tasks print nothing, so a task's ``awslogs`` log stream never appears and a
tool that reads a one-off task's output (a database migration's) has nothing to read.

Here each container of a run task (:mod:`~tests.localaws.run_tasks`) whose
``logConfiguration`` uses the ``awslogs`` driver gets a :class:`StreamWriter`: the log group and
stream ECS would write to, when the container starts, and the lines it prints with their times
(:mod:`~tests.localaws.container_scripts`). The writers wait on moto's CloudWatch Logs backend of
the log group's account and region, and are advanced lazily: before every CloudWatch Logs call
(by :class:`LogsLayer`) and before each RunTask, the events whose time has come are put into
moto's log stream, in order, each once. A reader that polls GetLogEvents with
``startFromHead`` and ``nextForwardToken`` (or FilterLogEvents) therefore sees the lines printed
so far, in order, and each new one once.

As ECS does, the stream is created when the container starts, named
``<awslogs-stream-prefix>/<container name>/<task id>``, and the group too when
``awslogs-create-group`` is ``"true"``; without it, a missing group fails the task (checked by
the run tasks extension, with ECS's message :data:`LOG_GROUP_MISSING`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from threading import RLock
from typing import Any

from moto.logs.exceptions import ResourceNotFoundException
from moto.logs.models import LogsBackend, logs_backends

from .calls import credential_scope
from .ecs_api import account_id_for
from .faults import FAIL_TO_START, TaskFault

WRITERS_ATTR = "_localaws_stream_writers"
LOG_GROUP_MISSING = (
    "ResourceInitializationError: failed to validate logger args: create stream has been "
    "retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: "
    "The specified log group does not exist. : exit status 1"
)


@dataclass(frozen=True)
class AwsLogs:
    """A container's ``awslogs`` options that decide where its output goes."""

    group: str
    region: str
    stream_prefix: str | None
    create_group: bool

    def stream(self, container_name: str, task_id: str, runtime_id: str) -> str:
        """The stream a container of a task writes to (the container's runtime id when there
        is no prefix, as the Docker driver names it)."""
        if self.stream_prefix:
            return f"{self.stream_prefix}/{container_name}/{task_id}"
        return runtime_id


def awslogs_of(definition: Mapping[str, Any], default_region: str) -> AwsLogs | None:
    """The awslogs options of a container definition, or None if it logs elsewhere."""
    configuration = definition.get("logConfiguration") or {}
    options = configuration.get("options") or {}
    if configuration.get("logDriver") != "awslogs" or not options.get("awslogs-group"):
        return None
    return AwsLogs(
        group=str(options["awslogs-group"]),
        region=str(options.get("awslogs-region") or default_region),
        stream_prefix=options.get("awslogs-stream-prefix"),
        create_group=str(options.get("awslogs-create-group", "")).lower() == "true",
    )


@dataclass(eq=False)
class StreamWriter:
    """The output of one container, to be written to its log stream as its time comes.

    ``lines`` are ``(time, text)`` in time order; lines after ``until`` (when the container
    ends, which StopTask may bring forward) are never written. Nothing is written when the
    container ends before it starts.
    """

    region: str
    group: str
    stream: str
    create_group: bool
    opens_at: float
    lines: tuple[tuple[float, str], ...]
    until: float
    written: int = 0
    opened: bool = False

    def advance(self, backend: LogsBackend, now: float) -> bool:
        """Write what is due by ``now``; True once nothing is left to write."""
        if self.until < self.opens_at:
            return True
        if self.opens_at > now:
            return False
        if not self.opened:
            if self.group not in backend.groups:
                if not self.create_group:
                    return True
                backend.create_log_group(self.group, {})
            backend.ensure_log_stream(self.group, self.stream)
            self.opened = True

        limit = min(now, self.until)
        due: list[dict[str, Any]] = []
        while self.written < len(self.lines) and self.lines[self.written][0] <= limit:
            at, text = self.lines[self.written]
            due.append({"timestamp": int(round(at * 1000)), "message": text})
            self.written += 1
        if due:
            try:
                backend.put_log_events(self.group, self.stream, due)
            except ResourceNotFoundException:
                # The group or stream was deleted meanwhile: the rest has nowhere to go.
                return True
        return self.written == len(self.lines) or self.lines[self.written][0] > self.until


def logs_backend(account_id: str, region: str) -> LogsBackend | None:
    """Moto's CloudWatch Logs backend of an account and region; None for an unknown region."""
    try:
        return logs_backends[account_id][region]
    except KeyError:
        return None


def group_exists(account_id: str, region: str, group: str) -> bool:
    """Whether a log group exists."""
    backend = logs_backend(account_id, region)
    return backend is not None and group in backend.groups


def log_group_fault(
    account_id: str, region: str, containers: Iterable[Mapping[str, Any]]
) -> TaskFault | None:
    """How a task of these containers fails because a container's awslogs group does not
    exist and is not to be created; None when every group is there.

    Moto gap: moto starts a service's tasks whatever their log configuration says. ECS fails
    each such task before it starts, with :data:`LOG_GROUP_MISSING`, so the deployment
    never completes (and a circuit breaker trips) until the group exists.
    """
    for container in containers:
        awslogs = awslogs_of(container, region)
        if awslogs is None or awslogs.create_group:
            continue
        if not group_exists(account_id, awslogs.region, awslogs.group):
            return TaskFault(
                FAIL_TO_START,
                str(container.get("name", "")),
                str(container.get("image", "")),
                LOG_GROUP_MISSING,
            )
    return None


def flush(backend: LogsBackend, now: float) -> None:
    """Write every event due by ``now`` into the backend's log streams; forget finished writers."""
    writers: list[StreamWriter] = getattr(backend, WRITERS_ATTR, [])
    setattr(backend, WRITERS_ATTR, [w for w in writers if not w.advance(backend, now)])


def add_writers(account_id: str, writers: Iterable[StreamWriter], now: float) -> None:
    """Queue writers on their log groups' backends, after writing what is due there already."""
    for writer in writers:
        backend = logs_backend(account_id, writer.region)
        if backend is not None:
            flush(backend, now)
            setattr(backend, WRITERS_ATTR, [*getattr(backend, WRITERS_ATTR, []), writer])


class LogsLayer:
    """WSGI middleware that writes the due container output before each CloudWatch Logs call."""

    def __init__(self, app: Callable[..., Iterable[bytes]], lock: RLock):
        self.app = app
        # The ECS layer's lock: StopTask changes the writers, and moto's backends are not
        # thread-safe.
        self.lock = lock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Serve one WSGI request."""
        scope = credential_scope(environ)
        if scope.service != "logs":
            return self.app(environ, start_response)
        with self.lock:
            backend = logs_backend(account_id_for(environ), scope.region)
            if backend is not None:
                flush(backend, time.time())
            return self.app(environ, start_response)
