"""Fault injection: failing tasks, slow rollouts, throttling and server errors.

Moto gap: moto never fails. Its tasks always start, its deployments (here, the rollouts) always
complete, and it answers every call. A deploy tool's error paths (a circuit breaker that trips,
a rollback, a throttled API) cannot be exercised against it.

:class:`Faults` holds the fault set that a test chooses, as one JSON-shaped dict::

    {
      "failing_tasks": [{"task_definition": "web:2", "image": "nginx:broken",
                         "mode": "fail_to_start"}],
      "slow_rollouts": [{"task_definition": "web", "rollout_seconds": 60}],
      "throttle_rate": 0.3,
      "server_error_rate": 0.1,
      "calls": ["ecs:*"],
      "seed": 7
    }

The WSGI application asks :meth:`Faults.on_request` before every AWS call; the rollout planner
asks :meth:`Faults.task_fault` for each service task it starts and
:meth:`Faults.rollout_seconds_for` for each deployment, and RunTask asks
:meth:`Faults.task_fault` for each task it starts. All methods are thread-safe.
"""

from __future__ import annotations

import copy
import fnmatch
import math
import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .settings import parse_rollout_seconds

FAIL_TO_START = "fail_to_start"
EXIT = "exit"
TASK_MODES = (FAIL_TO_START, EXIT)
THROTTLE = "throttle"
SERVER_ERROR = "server_error"

FAULT_KEYS = (
    "failing_tasks",
    "slow_rollouts",
    "throttle_rate",
    "server_error_rate",
    "calls",
    "seed",
)
MATCH_KEYS = ("task_definition", "image")


@dataclass(frozen=True)
class TaskFault:
    """How a task fails: ``mode``, and the container (name, image) that fails; ``reason``,
    when set, is the task's stoppedReason (else one that fits the mode)."""

    mode: str
    container: str
    image: str
    reason: str = ""


def _rule_matches(rule: dict[str, Any], arn: str, containers: list[dict[str, Any]]) -> bool:
    wanted = rule.get("task_definition")
    if wanted is not None and not task_definition_matches(wanted, arn):
        return False
    wanted_image = rule.get("image")
    return wanted_image is None or any(
        image_matches(wanted_image, c.get("image", "")) for c in containers
    )


def task_definition_matches(wanted: str, arn: str) -> bool:
    """Whether ``wanted`` (ARN, ``family:revision`` or ``family``) names the task definition."""
    family_revision = arn.rpartition("/")[2]
    if wanted.startswith("arn:"):
        return wanted == arn
    if ":" in wanted:
        return wanted == family_revision
    return wanted == family_revision.rpartition(":")[0]


def image_matches(wanted: str, image: str) -> bool:
    """Exact equality, or a prefix match when ``wanted`` ends with ``*``."""
    if wanted.endswith("*"):
        return image.startswith(wanted[:-1])
    return image == wanted


def _check_rule(rule: Any, where: str, extra: dict[str, Any]) -> dict[str, Any]:
    """A failing_tasks or slow_rollouts rule, checked; ``extra`` maps its other keys to checkers."""
    if not isinstance(rule, dict):
        raise ValueError(f"{where} must be an object")
    unknown = set(rule) - set(MATCH_KEYS) - set(extra)
    if unknown:
        raise ValueError(f"{where}: unknown keys: {', '.join(sorted(unknown))}")
    if not any(key in rule for key in MATCH_KEYS):
        raise ValueError(f"{where} must give task_definition, image or both")
    checked: dict[str, Any] = {}
    for key in MATCH_KEYS:
        if key in rule:
            value = rule[key]
            if not isinstance(value, str) or not value:
                raise ValueError(f"{where}.{key} must be a non-empty string")
            checked[key] = value
    for key, check in extra.items():
        checked[key] = check(rule.get(key), f"{where}.{key}")
    return checked


def _check_mode(value: Any, where: str) -> str:
    if value is None:
        return FAIL_TO_START
    if value not in TASK_MODES:
        raise ValueError(f"{where} must be one of {', '.join(TASK_MODES)}")
    return str(value)


def _check_seconds(value: Any, where: str) -> float:
    if value is None:
        raise ValueError(f"{where} is required")
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isinf(value):
        raise ValueError(f"{where} must be a number of seconds, zero or more")
    try:
        return parse_rollout_seconds(value)
    except ValueError:
        raise ValueError(f"{where} must be a number of seconds, zero or more") from None


def _check_rate(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number from 0 to 1")
    rate = float(value)
    if math.isnan(rate) or not 0 <= rate <= 1:
        raise ValueError(f"{where} must be a number from 0 to 1")
    return rate


def _check_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list")
    return value


def normalize(spec: Any) -> dict[str, Any]:
    """A fault set, checked and with every key filled; ValueError says what is wrong.

    ``injected``, which :meth:`Faults.as_dict` adds, is read-only: accepted and ignored.
    """
    if not isinstance(spec, dict):
        raise ValueError("faults must be a JSON object")
    if not isinstance(spec.get("injected", {}), dict):
        raise ValueError("injected is read-only: the counts of injected errors")
    unknown = set(spec) - set(FAULT_KEYS) - {"injected"}
    if unknown:
        raise ValueError(
            f"unknown fault keys: {', '.join(sorted(unknown))} (known: {', '.join(FAULT_KEYS)})"
        )
    failing = [
        _check_rule(rule, f"failing_tasks[{index}]", {"mode": _check_mode})
        for index, rule in enumerate(_check_list(spec.get("failing_tasks", []), "failing_tasks"))
    ]
    slow = [
        _check_rule(rule, f"slow_rollouts[{index}]", {"rollout_seconds": _check_seconds})
        for index, rule in enumerate(_check_list(spec.get("slow_rollouts", []), "slow_rollouts"))
    ]
    throttle_rate = _check_rate(spec.get("throttle_rate", 0), "throttle_rate")
    server_error_rate = _check_rate(spec.get("server_error_rate", 0), "server_error_rate")
    if throttle_rate + server_error_rate > 1:
        raise ValueError("throttle_rate and server_error_rate must add up to 1 at most")
    calls = _check_list(spec.get("calls", ["*"]), "calls")
    if not calls or not all(isinstance(c, str) and c for c in calls):
        raise ValueError("calls must be a non-empty list of patterns such as 'ecs:*'")
    seed = spec.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError("seed must be an integer or null")
    return {
        "failing_tasks": failing,
        "slow_rollouts": slow,
        "throttle_rate": throttle_rate,
        "server_error_rate": server_error_rate,
        "calls": list(calls),
        "seed": seed,
    }


NO_FAULTS = normalize({})


class Faults:
    """The fault set in force, and how many faulted answers were sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spec: dict[str, Any] = copy.deepcopy(NO_FAULTS)
        self._random = random.Random()
        self._injected: Counter[str] = Counter()

    def set(self, spec: dict[str, Any]) -> None:
        """Replace the whole fault set; a bad one raises ValueError and changes nothing."""
        checked = normalize(spec)
        with self._lock:
            self._spec = checked
            self._random = random.Random(checked["seed"])

    def clear(self) -> None:
        """No faults, and forget the injected counts."""
        with self._lock:
            self._spec = copy.deepcopy(NO_FAULTS)
            self._random = random.Random()
            self._injected.clear()

    def as_dict(self) -> dict[str, Any]:
        """The fault set in force, every key filled, and ``injected``: the counts of
        :meth:`injected`. :meth:`set` accepts it back (``injected`` is ignored)."""
        with self._lock:
            return {**copy.deepcopy(self._spec), "injected": dict(sorted(self._injected.items()))}

    def injected(self) -> dict[str, int]:
        """Calls answered with an injected error so far, by call name."""
        with self._lock:
            return dict(sorted(self._injected.items()))

    def on_request(self, call_name: str) -> str | None:
        """``THROTTLE``, ``SERVER_ERROR`` or None: how to answer ``call_name`` (``ecs:ListTasks``).

        Calls that no ``calls`` pattern matches draw nothing, so with a ``seed`` the draws of
        the matching calls repeat from run to run.
        """
        with self._lock:
            spec = self._spec
            throttle, server_error = spec["throttle_rate"], spec["server_error_rate"]
            if throttle <= 0 and server_error <= 0:
                return None
            if not any(fnmatch.fnmatchcase(call_name, p) for p in spec["calls"]):
                return None
            draw = self._random.random()
            if draw < throttle:
                kind = THROTTLE
            elif draw < throttle + server_error:
                kind = SERVER_ERROR
            else:
                return None
            self._injected[call_name] += 1
            return kind

    def task_fault(
        self, task_definition_arn: str, containers: list[dict[str, Any]]
    ) -> TaskFault | None:
        """How a task of this task definition (with these container definitions) fails, if so."""
        with self._lock:
            rules = self._spec["failing_tasks"]
        for rule in rules:
            if not _rule_matches(rule, task_definition_arn, containers):
                continue
            # The container whose image the rule names, else the first essential one.
            candidates = [
                c
                for c in containers
                if "image" not in rule or image_matches(rule["image"], c.get("image", ""))
            ]
            essential = [c for c in candidates if c.get("essential", True)]
            failing = (essential or candidates or [{}])[0]
            return TaskFault(rule["mode"], failing.get("name", ""), failing.get("image", ""))
        return None

    def rollout_seconds_for(
        self, task_definition_arn: str, containers: list[dict[str, Any]]
    ) -> float | None:
        """The rollout time of the first slow_rollouts rule that matches, else None."""
        with self._lock:
            rules = self._spec["slow_rollouts"]
        for rule in rules:
            if _rule_matches(rule, task_definition_arn, containers):
                return float(rule["rollout_seconds"])
        return None
