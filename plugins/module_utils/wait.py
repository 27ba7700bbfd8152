# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for a rollout: poll the service with backoff until the goal is met or fails.

Every way a rollout can end is a distinct ``RolloutError.reason``:

``failed``
    ECS marked the new deployment FAILED (the circuit breaker tripped, without rollback).
``rolled_back``
    The PRIMARY deployment runs another task definition: the circuit breaker (or someone
    else) put the service back on an older revision.
``tasks_failing``
    No circuit breaker, and the new deployment's tasks keep failing to start.
``superseded``
    Another deployment (another run, the console) replaced this one before it completed.
``timeout``
    The goal was not reached in time.
"""

from __future__ import annotations

import datetime
import math
import time

from .aws import call, short_arn
from .errors import AwsCallError, RolloutError

FIRST_POLL_SECONDS = 1.0
MAX_POLL_SECONDS = 10.0
BACKOFF = 1.5
EVENTS_IN_ERRORS = 5
STOPPED_TASKS_IN_ERRORS = 5

WAIT_UNTIL = ("deployed", "stable")


class Rollout:
    """What a deploy waits for: ``task_definition`` on the PRIMARY deployment.

    ``wait_until`` is ``deployed`` (that deployment is COMPLETED) or ``stable`` (it is the
    only deployment and runs as many tasks as it wants). ``replaced_deployment`` is the id
    of the PRIMARY deployment before the update, when the update started a new one.
    """

    def __init__(
        self,
        cluster,
        service,
        task_definition,
        replaced_deployment=None,
        wait_until="deployed",
        before=None,
    ):
        # Events of the service as described before the change (``before``) are not news;
        # nor are those older than this, for a service that had no description yet.
        self.since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=2)
        self.cluster = cluster
        self.service = service
        self.task_definition = task_definition
        self.replaced_deployment = replaced_deployment
        self.wait_until = wait_until
        self.seen_events = {event.get("id") for event in (before or {}).get("events", [])}
        self.last_counts = None
        self.last_state = None
        self.left_replaced = False
        # The id of the deployment waited for, once seen; its tasks explain a failure.
        self.deployment_id = None
        self.what = "deployment"
        # What served before: a PRIMARY back on it is a rollback, on anything else another
        # deployment that replaced this one.
        self.previous_task_definition = None


class Deadline:
    """A point in time that several waits share: a deploy and the rollback after it."""

    def __init__(self, seconds, started_at=None):
        self.seconds = seconds
        self.started_at = started_at if started_at is not None else time.monotonic()

    def remaining(self):
        return self.started_at + self.seconds - time.monotonic()

    def elapsed(self):
        return time.monotonic() - self.started_at


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


def in_progress(service):
    """Whether a deployment of the service is still rolling out."""
    primary = primary_deployment(service)
    if primary is None:
        return False
    if primary.get("rolloutState") is not None:
        return primary["rolloutState"] == "IN_PROGRESS"
    return len(service.get("deployments", [])) > 1


def circuit_breaker(service):
    """The service's deployment circuit breaker settings: ``(enable, rollback)``."""
    breaker = (service.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker")
    breaker = breaker or {}
    return bool(breaker.get("enable")), bool(breaker.get("rollback"))


def failure_threshold(desired_count):
    """Failed tasks after which a deployment is given up, as ECS's circuit breaker counts."""
    return min(200, max(3, math.ceil(0.5 * (desired_count or 0))))


def wait_for_rollout(ecs, rollout, deadline, progress, sleep=time.sleep):
    """Poll until the rollout reaches ``rollout.wait_until``; return the service.

    Raises RolloutError (see the module docstring for its reasons).
    """
    deployed = rollout.wait_until == "deployed"
    service = _poll(
        ecs,
        rollout,
        deadline,
        progress,
        sleep,
        done=lambda service: _is_done(ecs, service, rollout, deadline, progress, sleep),
        late=f"the deployment of {short_arn(rollout.task_definition)} did not "
        f"{'complete' if deployed else 'become stable'}",
    )
    progress.emit(
        rollout.service,
        f"{rollout.what} {'of' if rollout.what == 'deployment' else 'to'} "
        f"{short_arn(rollout.task_definition)} "
        f"{'COMPLETED' if deployed else 'stable'} in {deadline.elapsed():.0f}s",
    )
    return service


def wait_until_settled(ecs, cluster, service_name, deadline, progress, sleep=time.sleep):
    """Wait for a deployment already in progress to end, however it ends; return the service."""
    return _poll(
        ecs,
        Rollout(cluster, service_name, None),
        deadline,
        progress,
        sleep,
        done=lambda service: not in_progress(service),
        late="the deployment already in progress did not end",
    )


def _poll(ecs, rollout, deadline, progress, sleep, done, late):
    """Describe the service with backoff, reporting news, until ``done(service)``.

    On timeout, raises a RolloutError whose message starts with ``late``.
    """
    interval = FIRST_POLL_SECONDS
    while True:
        service = _describe(ecs, rollout)
        report(service, rollout, progress)
        if done(service):
            return service
        remaining = deadline.remaining()
        if remaining <= 0:
            raise _error(ecs, service, rollout, "timeout", f"{late} within {deadline.seconds:.0f}s")
        sleep(min(interval, remaining))
        interval = min(interval * BACKOFF, MAX_POLL_SECONDS)


def _describe(ecs, rollout):
    service = describe_service(ecs, rollout.cluster, rollout.service)
    if service is None or service.get("status") != "ACTIVE":
        raise RolloutError(
            f"service {rollout.service}: the service was deleted while waiting for its deployment",
            reason="missing",
        )
    return service


def _is_done(ecs, service, rollout, deadline, progress, sleep):
    primary = primary_deployment(service)
    if primary is None:
        return False
    on_replaced = bool(rollout.replaced_deployment) and primary.get("id") == (
        rollout.replaced_deployment
    )
    if primary.get("taskDefinition") != rollout.task_definition or (
        on_replaced and rollout.left_replaced
    ):
        # The deployment it replaced is PRIMARY again: a rollback, as ECS does it.
        _rolled_back(ecs, service, rollout, deadline, progress, sleep)
    if on_replaced:
        return False
    rollout.left_replaced = True
    rollout.deployment_id = rollout.deployment_id or primary.get("id")
    state = primary.get("rolloutState")
    if state == "FAILED":
        raise _error(
            ecs,
            service,
            rollout,
            "failed",
            f"the deployment of {short_arn(rollout.task_definition)} failed: "
            f"{primary.get('rolloutStateReason') or 'no reason given'}",
            deployment=primary,
        )
    enabled, _rollback = circuit_breaker(service)
    failed_tasks = primary.get("failedTasks") or 0
    if not enabled and failed_tasks >= failure_threshold(primary.get("desiredCount")):
        raise _error(
            ecs,
            service,
            rollout,
            "tasks_failing",
            f"{failed_tasks} tasks of {short_arn(rollout.task_definition)} failed to start or "
            "stopped at once, and the service has no circuit breaker to stop the deployment",
            deployment=primary,
        )
    steady = len(service.get("deployments", [])) == 1 and primary.get(
        "runningCount"
    ) == primary.get("desiredCount")
    if rollout.wait_until == "stable" or state is None:
        # No rolloutState behind a Classic Load Balancer: steady state is all there is.
        return steady
    return state == "COMPLETED" and steady


def _rolled_back(ecs, service, rollout, deadline, progress, sleep):
    """The PRIMARY runs another revision: wait for that rollback to end, then fail."""
    primary = primary_deployment(service)
    running = primary.get("taskDefinition")
    previous = rollout.previous_task_definition
    if previous and running not in (previous, rollout.task_definition):
        raise _error(
            ecs,
            service,
            rollout,
            "superseded",
            f"another deployment, of {short_arn(running)}, replaced the deployment of "
            f"{short_arn(rollout.task_definition)} before it completed",
            running_task_definition=running,
        )
    progress.emit(
        rollout.service,
        f"the service was rolled back to {short_arn(running)}; waiting for it to complete",
    )
    back = Rollout(rollout.cluster, rollout.service, running, wait_until=rollout.wait_until)
    back.what = "rollback"
    for name in ("seen_events", "since", "last_counts", "last_state"):
        setattr(back, name, getattr(rollout, name))
    completed = True
    try:
        service = wait_for_rollout(ecs, back, deadline, progress, sleep)
    except RolloutError as exc:
        if exc.reason != "timeout":
            raise
        completed = False
    raise _error(
        ecs,
        service,
        rollout,
        "rolled_back",
        f"the deployment of {short_arn(rollout.task_definition)} was rolled back; the service "
        f"runs {short_arn(running)}"
        + ("" if completed else " (the rollback had not completed when the wait timed out)"),
        running_task_definition=running,
        rolled_back=True,
    )


def report(service, rollout, progress):
    """Emit new service events, count changes and rolloutState changes, oldest first."""
    fresh = [
        e
        for e in service.get("events", [])
        if e.get("id") not in rollout.seen_events and _is_after(e.get("createdAt"), rollout.since)
    ]
    for event in reversed(fresh):
        rollout.seen_events.add(event.get("id"))
        progress.emit(rollout.service, event.get("message", ""))
    counts = tuple(
        (
            d.get("status"),
            d.get("taskDefinition"),
            d.get("runningCount"),
            d.get("desiredCount"),
            d.get("pendingCount"),
            d.get("failedTasks") or 0,
        )
        for d in service.get("deployments", [])
    )
    if counts != rollout.last_counts:
        rollout.last_counts = counts
        progress.emit(rollout.service, "; ".join(_deployment_line(c) for c in counts))
    primary = primary_deployment(service) or {}
    state = primary.get("rolloutState")
    if state != rollout.last_state and state is not None:
        rollout.last_state = state
        reason = primary.get("rolloutStateReason")
        progress.emit(rollout.service, f"rolloutState {state}" + (f": {reason}" if reason else ""))


def _deployment_line(counts):
    status, task_definition, running, desired, pending, failed = counts
    line = f"{status} {short_arn(task_definition or '?')} {running}/{desired} running"
    if pending:
        line += f", {pending} pending"
    if failed:
        line += f", {failed} failed"
    return line


def _error(ecs, service, rollout, reason, text, deployment=None, **details):
    """A RolloutError whose message ends with stop reasons and the last service events."""
    events = _last_events(service)
    if deployment is None and rollout.deployment_id:
        deployment = {"id": rollout.deployment_id}
    stopped = stopped_tasks(ecs, rollout.cluster, rollout.service, deployment)
    message = f"service {rollout.service}: {text.rstrip('.')}"
    if stopped:
        message += ". Stopped tasks: " + " | ".join(line.rstrip(".") for line in stopped)
    if events:
        message += ". Last events: " + " | ".join(events)
    details.setdefault("running_task_definition", _primary_task_definition(service))
    return RolloutError(
        message, reason=reason, service_events=events, stopped_tasks=stopped, **details
    )


def stopped_tasks(ecs, cluster, service, deployment=None):
    """Why the last tasks stopped, newest first, one line each: the tasks of ``deployment``
    when given, else the service's.

    Best effort: an error message must not fail because these could not be read.
    """
    params = {"cluster": cluster, "desiredStatus": "STOPPED"}
    if deployment and deployment.get("id"):
        params["startedBy"] = deployment["id"]
    else:
        params["serviceName"] = service
    try:
        arns = ecs.list_tasks(**params).get("taskArns", [])[:100]
        if not arns:
            return []
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns).get("tasks", [])
    except Exception:  # pylint: disable=broad-exception-caught
        return []
    tasks.sort(key=lambda task: str(task.get("stoppedAt") or ""), reverse=True)
    return [_stopped_line(task) for task in tasks[:STOPPED_TASKS_IN_ERRORS]]


def _stopped_line(task):
    text = f"task {short_arn(task.get('taskArn', ''))}"
    if task.get("stopCode"):
        text += f" {task['stopCode']}"
    reason = task.get("stoppedReason") or ""
    if reason:
        text += f": {reason}"
    for container in task.get("containers", []):
        details = []
        if container.get("exitCode") not in (None, 0):
            details.append(f"exit code {container['exitCode']}")
        if container.get("reason") and container["reason"] not in reason:
            details.append(container["reason"])
        if details:
            text += f" (container {container.get('name')}: {', '.join(details)})"
    return text


def _primary_task_definition(service):
    return (primary_deployment(service) or {}).get("taskDefinition")


def _is_after(moment, since):
    if not isinstance(moment, datetime.datetime):
        return True
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment >= since


def _last_events(service):
    return [e.get("message", "") for e in service.get("events", [])[:EVENTS_IN_ERRORS]]
