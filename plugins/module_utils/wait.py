# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for a rollout: poll the service with backoff until the goal is met or fails."""

from __future__ import annotations

import datetime
import time

from .aws import call
from .errors import AwsCallError, RolloutError

FIRST_POLL_SECONDS = 1.0
MAX_POLL_SECONDS = 10.0
BACKOFF = 1.5
EVENTS_IN_ERRORS = 5


class Rollout:
    """What a deploy waits for: ``task_definition`` PRIMARY and COMPLETED.

    ``replaced_deployment`` is the id of the PRIMARY deployment before the update,
    when the update started a new one; None when it only scaled the service.
    """

    def __init__(self, cluster, service, task_definition, replaced_deployment=None):
        # Service events older than this were there before the deploy and are not news.
        self.since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=2)
        self.cluster = cluster
        self.service = service
        self.task_definition = task_definition
        self.replaced_deployment = replaced_deployment
        self.seen_events = set()
        self.last_counts = None
        self.last_state = None


def describe_service(ecs, cluster, service):
    """The service as DescribeServices returns it (tags included), or None when missing."""
    response = call(
        f"describe service {service} in cluster {cluster}",
        ecs.describe_services,
        cluster=cluster,
        services=[service],
        include=["TAGS"],
    )
    for found in response.get("services", []):
        return found
    for failure in response.get("failures", []):
        if failure.get("reason") not in (None, "MISSING"):
            raise AwsCallError(
                f"Failed to describe service {service} in cluster {cluster}: "
                f"{failure.get('reason')} {failure.get('detail', '')}".strip()
            )
    return None


def primary_deployment(service):
    """The PRIMARY deployment of a described service, or None."""
    for deployment in service.get("deployments", []):
        if deployment.get("status") == "PRIMARY":
            return deployment
    return None


def wait_for_rollout(ecs, rollout, timeout, progress, started_at=None, sleep=time.sleep):
    """Poll until the rollout is COMPLETED on its task definition; return the service.

    Raises RolloutError when it fails, is rolled back, or ``timeout`` seconds pass.
    """
    started_at = started_at or time.monotonic()
    deadline = started_at + timeout
    interval = FIRST_POLL_SECONDS
    while True:
        service = describe_service(ecs, rollout.cluster, rollout.service)
        if service is None:
            raise RolloutError(
                f"service {rollout.service} disappeared while waiting for its deployment",
                reason="missing",
            )
        _report(service, rollout, progress)
        if _is_done(service, rollout):
            elapsed = time.monotonic() - started_at
            progress.emit(rollout.service, f"deployment COMPLETED in {elapsed:.0f}s")
            return service
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RolloutError(
                f"service {rollout.service}: the deployment did not complete within "
                f"{timeout:.0f}s{_last_events_text(service)}",
                reason="timeout",
                service_events=_last_events(service),
            )
        sleep(min(interval, remaining))
        interval = min(interval * BACKOFF, MAX_POLL_SECONDS)


def _is_done(service, rollout):
    primary = primary_deployment(service)
    if primary is None:
        return False
    if primary.get("taskDefinition") != rollout.task_definition:
        raise RolloutError(
            f"service {rollout.service}: the deployment was rolled back; the PRIMARY "
            f"deployment runs {primary.get('taskDefinition')}, not "
            f"{rollout.task_definition}{_last_events_text(service)}",
            reason="rolled_back",
            service_events=_last_events(service),
            running_task_definition=primary.get("taskDefinition"),
        )
    state = primary.get("rolloutState")
    if state == "FAILED":
        raise RolloutError(
            f"service {rollout.service}: the deployment failed: "
            f"{primary.get('rolloutStateReason', 'no reason given')}"
            f"{_last_events_text(service)}",
            reason="failed",
            service_events=_last_events(service),
        )
    if rollout.replaced_deployment and primary.get("id") == rollout.replaced_deployment:
        return False
    steady = len(service.get("deployments", [])) == 1 and primary.get(
        "runningCount"
    ) == primary.get("desiredCount")
    if state is None:
        # No rolloutState behind a Classic Load Balancer: steady state is all there is.
        return steady
    return state == "COMPLETED" and steady


def _report(service, rollout, progress):
    """Emit new service events, count changes and rolloutState changes, oldest first."""
    fresh = [
        e
        for e in service.get("events", [])
        if e.get("id") not in rollout.seen_events and _is_after(e.get("createdAt"), rollout.since)
    ]
    for event in reversed(fresh):
        rollout.seen_events.add(event.get("id"))
        progress.emit(rollout.service, event.get("message", ""))
    primary = primary_deployment(service) or {}
    counts = (primary.get("runningCount"), primary.get("desiredCount"))
    if counts != rollout.last_counts:
        rollout.last_counts = counts
        progress.emit(
            rollout.service,
            f"service {rollout.service}: {counts[0]}/{counts[1]} tasks running",
        )
    state = primary.get("rolloutState")
    if state != rollout.last_state and state is not None:
        rollout.last_state = state
        progress.emit(rollout.service, f"rolloutState {state}")


def _is_after(moment, since):
    if not isinstance(moment, datetime.datetime):
        return True
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment >= since


def _last_events(service):
    return [e.get("message", "") for e in service.get("events", [])[:EVENTS_IN_ERRORS]]


def _last_events_text(service):
    events = _last_events(service)
    if not events:
        return ""
    return ". Last events: " + " | ".join(events)
