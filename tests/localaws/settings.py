"""Settings of a running local AWS that tests may change while it serves."""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any

ROLLOUT_SECONDS_ENV = "LOCALAWS_ROLLOUT_SECONDS"
DEFAULT_ROLLOUT_SECONDS = 5.0
TASK_SECONDS_ENV = "LOCALAWS_TASK_SECONDS"
DEFAULT_TASK_SECONDS = 2.0
CODEDEPLOY_SECONDS_ENV = "LOCALAWS_CODEDEPLOY_SECONDS"
NAMES = ("rollout_seconds", "task_seconds", "codedeploy_seconds")
# Settings that may be null: they then follow another setting.
NULLABLE = ("codedeploy_seconds",)


def parse_seconds(value: Any, name: str) -> float:
    """Check a duration named ``name``: a number of seconds, zero or more."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number") from None
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"{name} must be zero or more")
    return seconds


def parse_rollout_seconds(value: Any) -> float:
    """Check a rollout time: a number of seconds, zero or more."""
    return parse_seconds(value, "rollout_seconds")


def parse_task_seconds(value: Any) -> float:
    """Check a task time: a number of seconds, zero or more."""
    return parse_seconds(value, "task_seconds")


def _from_environment(variable: str, name: str, default: float) -> float:
    value = os.environ.get(variable)
    return parse_seconds(value, name) if value else default


def default_rollout_seconds() -> float:
    """The rollout time from ``LOCALAWS_ROLLOUT_SECONDS``, else 5 seconds."""
    return _from_environment(ROLLOUT_SECONDS_ENV, "rollout_seconds", DEFAULT_ROLLOUT_SECONDS)


def default_task_seconds() -> float:
    """The task time from ``LOCALAWS_TASK_SECONDS``, else 2 seconds."""
    return _from_environment(TASK_SECONDS_ENV, "task_seconds", DEFAULT_TASK_SECONDS)


def default_codedeploy_seconds() -> float | None:
    """The CodeDeploy deployment time from ``LOCALAWS_CODEDEPLOY_SECONDS``, else None (the
    rollout time)."""
    value = os.environ.get(CODEDEPLOY_SECONDS_ENV)
    return parse_seconds(value, "codedeploy_seconds") if value else None


@dataclass
class Settings:
    """Run-time settings.

    ``rollout_seconds`` is how long a deployment or scaling takes; ``task_seconds`` is how long
    a task that RunTask starts takes from creation to the end of its run (a quarter of it to
    start), unless its command sleeps longer. ``codedeploy_seconds`` is how long a CodeDeploy
    blue/green deployment takes from creation to success; None follows ``rollout_seconds``.
    """

    rollout_seconds: float = DEFAULT_ROLLOUT_SECONDS
    task_seconds: float = DEFAULT_TASK_SECONDS
    codedeploy_seconds: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The settings as the ``/_localaws/settings`` endpoint shows them."""
        with self._lock:
            return {
                "rollout_seconds": self.rollout_seconds,
                "task_seconds": self.task_seconds,
                "codedeploy_seconds": self.codedeploy_seconds,
            }

    def deployment_seconds(self) -> float:
        """How long a CodeDeploy deployment takes: ``codedeploy_seconds``, else
        ``rollout_seconds``."""
        with self._lock:
            if self.codedeploy_seconds is not None:
                return self.codedeploy_seconds
            return self.rollout_seconds

    def update(self, values: dict[str, Any]) -> None:
        """Change the settings named in ``values``; unknown names or bad values raise ValueError
        and change nothing."""
        unknown = set(values) - set(NAMES)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        checked = {
            name: None
            if name in NULLABLE and values[name] is None
            else parse_seconds(values[name], name)
            for name in NAMES
            if name in values
        }
        with self._lock:
            for name, seconds in checked.items():
                setattr(self, name, seconds)
