"""The hook point for fault injection (failing tasks, throttling, server errors).

Nothing is injected yet. The middleware asks :meth:`Faults.on_request` before every AWS call,
and the rollout planner launches every service task through one function
(``rollouts.Rollout._launch``), which is where failing tasks will be decided. A test will
reach this object as ``LocalAWS.faults``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FaultReply:
    """An error answer to send instead of the real one."""

    status: int
    code: str
    message: str


class Faults:
    """The faults to inject; today, none."""

    def on_request(self, call_name: str) -> FaultReply | None:
        """Return an error to answer ``call_name`` (``ecs:UpdateService``) with, or None."""
        return None
