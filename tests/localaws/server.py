"""``LocalAWS``: moto's server with the local AWS extensions, served in background threads."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import BaseWSGIServer, make_server

from .app import LocalAWSApp
from .calls import CallCounter
from .faults import Faults
from .settings import (
    Settings,
    default_codedeploy_seconds,
    default_rollout_seconds,
    default_task_seconds,
)


class QuietRequestHandler(MotoRequestHandler):
    """Moto's request handler without a log line per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing for a served request: tests and benchmarks make thousands."""


class LocalAWS:
    """A local AWS on ``host:port`` (port 0 picks a free one), served in this process.

    Moto keeps its state in module globals, so all LocalAWS objects in one process share
    AWS state; each keeps its own call counts and settings.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        rollout_seconds: float | None = None,
        task_seconds: float | None = None,
        codedeploy_seconds: float | None = None,
    ):
        self.host = host
        self.settings = Settings(
            default_rollout_seconds() if rollout_seconds is None else rollout_seconds,
            default_task_seconds() if task_seconds is None else task_seconds,
            default_codedeploy_seconds() if codedeploy_seconds is None else codedeploy_seconds,
        )
        self.faults = Faults()
        self._calls = CallCounter()
        self._app = LocalAWSApp(self.settings, self.faults, self._calls, self.reset)
        self._requested_port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LocalAWS:
        """Start serving in background threads; returns self."""
        if self._server is not None:
            raise RuntimeError("local AWS already started")
        self._server = make_server(
            self.host,
            self._requested_port,
            self._app,
            threaded=True,
            request_handler=QuietRequestHandler,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="localaws", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalAWS:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port served on."""
        if self._server is None:
            raise RuntimeError("local AWS not started")
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        """The URL to give boto3 as ``endpoint_url``."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def rollout_seconds(self) -> float:
        """How long a deployment or a scaling takes."""
        return self.settings.rollout_seconds

    @rollout_seconds.setter
    def rollout_seconds(self, seconds: float) -> None:
        self.settings.update({"rollout_seconds": seconds})

    @property
    def task_seconds(self) -> float:
        """How long a task that RunTask starts takes to start (a quarter) and run."""
        return self.settings.task_seconds

    @task_seconds.setter
    def task_seconds(self, seconds: float) -> None:
        self.settings.update({"task_seconds": seconds})

    @property
    def codedeploy_seconds(self) -> float | None:
        """How long a CodeDeploy deployment takes; None: as long as ``rollout_seconds``."""
        return self.settings.codedeploy_seconds

    @codedeploy_seconds.setter
    def codedeploy_seconds(self, seconds: float | None) -> None:
        self.settings.update({"codedeploy_seconds": seconds})

    def calls(self) -> dict[str, int]:
        """Calls served so far by name, e.g. ``{"ecs:UpdateService": 3}``."""
        return self._calls.snapshot()

    def reset_calls(self) -> None:
        """Forget the call counts."""
        self._calls.reset()

    def reset(self) -> None:
        """Wipe all AWS state (moto's reset), the call counts and the faults."""
        with self._app.ecs.lock:
            moto_api_backend.reset()
        self._calls.reset()
        self.faults.clear()

    def __repr__(self) -> str:
        state: Any = self.endpoint_url if self._server is not None else "stopped"
        return f"LocalAWS({state})"
