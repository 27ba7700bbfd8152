"""Settings of a running local AWS that tests may change while it serves."""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any

ROLLOUT_SECONDS_ENV = "LOCALAWS_ROLLOUT_SECONDS"
DEFAULT_ROLLOUT_SECONDS = 5.0


def default_rollout_seconds() -> float:
    """The rollout time from ``LOCALAWS_ROLLOUT_SECONDS``, else 5 seconds."""
    value = os.environ.get(ROLLOUT_SECONDS_ENV)
    return parse_rollout_seconds(value) if value else DEFAULT_ROLLOUT_SECONDS


def parse_rollout_seconds(value: Any) -> float:
    """Check a rollout time: a number of seconds, zero or more."""
    if isinstance(value, bool):
        raise ValueError("rollout_seconds must be a number")
    seconds = float(value)
    if math.isnan(seconds) or seconds < 0:
        raise ValueError("rollout_seconds must be zero or more")
    return seconds


@dataclass
class Settings:
    """Run-time settings; ``rollout_seconds`` is how long a deployment or scaling takes."""

    rollout_seconds: float = DEFAULT_ROLLOUT_SECONDS
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The settings as the ``/_localaws/settings`` endpoint shows them."""
        with self._lock:
            return {"rollout_seconds": self.rollout_seconds}

    def update(self, values: dict[str, Any]) -> None:
        """Change the settings named in ``values``; unknown names or bad values raise ValueError."""
        unknown = set(values) - {"rollout_seconds"}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        if "rollout_seconds" in values:
            seconds = parse_rollout_seconds(values["rollout_seconds"])
            with self._lock:
                self.rollout_seconds = seconds
