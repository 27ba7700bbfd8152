"""Rollouts: deployments that replace each other over time, with events and failing tasks.

Moto gap: moto's UpdateService starts no deployment. A service keeps one PRIMARY deployment on
its first task definition, ``rolloutState`` stays IN_PROGRESS, ``runningCount`` stays 0 until a
desiredCount change makes it jump, ``failedTasks`` is always 0, the circuit breaker never trips,
and ``events`` is always empty.

Here each ECS-controlled service carries a :class:`Rollout` (on moto's Service object) that
plans its tasks when the service is created, updated or deleted: when each task starts, runs
and stops. A new deployment (changed taskDefinition, networkConfiguration, platformVersion,
loadBalancers, serviceRegistries, Service Connect, VPC Lattice or volume configuration, or
``forceNewDeployment``) becomes PRIMARY and launches its tasks at once; they reach RUNNING one by
one over ``rollout_seconds``. The old deployment, now ACTIVE with desiredCount 0, keeps its tasks
until the new ones run (minimumHealthyPercent 100): each old task stops when a new task reaches
RUNNING. When all is done the old deployment is gone and the PRIMARY is COMPLETED. A
desiredCount change alone scales the PRIMARY over the same time.

A task may fail (see :mod:`~tests.localaws.faults`): it stops without ever running
(``fail_to_start``) or just after it reached RUNNING (``exit``). ECS then starts a replacement,
again and again; the deployment's ``failedTasks`` counts the failures in a row. With the
service's circuit breaker enabled, the deployment FAILS once ``failedTasks`` reaches
``min(200, max(3, ceil(desiredCount / 2)))``, and with ``rollback`` the last COMPLETED deployment
becomes PRIMARY again.

The plan is evaluated at the time of each call that shows it (DescribeServices, ListTasks, ...),
so no background thread is needed and ``rollout_seconds=0`` completes at once. Replacements of
failed tasks are planned when the plan is evaluated, up to that time, and decided with the
faults in force then. Events are derived from the plan with the times at which things happen,
and show once those times have passed.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.ecs.models import Service

from .ecs_api import EcsCall, Hooks, epoch
from .faults import EXIT, FAIL_TO_START, TaskFault
from .services import DEPLOYMENT_FIELDS, fields, find, find_by_arn
from .task_logs import log_group_fault

ROLLOUT_ATTR = "_localaws_rollout"
MAX_EVENTS = 100
# Stopped tasks kept for their events and for ListTasks; more than the events list can show is
# of no use.
MAX_STOPPED_TASKS = 2 * MAX_EVENTS
# What "LATEST" resolves to on Fargate, as deployments show it.
FARGATE_PLATFORM_VERSION = "1.4.0"
# A failing task attempt lasts at least this long, so that failures with rollout_seconds 0 do
# not follow each other without end in one instant.
MIN_ATTEMPT_SECONDS = 0.1
# How long a task of an ``exit`` fault stays RUNNING before its essential container exits.
EXIT_AFTER_SECONDS = 0.05
# When an evaluation finds a task slot far behind (failures nobody looked at for a long time,
# without a circuit breaker), the older attempts are counted but not planned one by one.
KEEP_ATTEMPTS = MAX_EVENTS
MAX_FAILURE_THRESHOLD = 200
MIN_FAILURE_THRESHOLD = 3

SCHEDULER_INITIATED = "ServiceSchedulerInitiated"
TASK_FAILED_TO_START = "TaskFailedToStart"
ESSENTIAL_CONTAINER_EXITED = "EssentialContainerExited"
CIRCUIT_BREAKER_FAILED = "ECS deployment circuit breaker: tasks failed to start."

# Fields whose change starts a new deployment; the others only update the service.
DEPLOYMENT_TRIGGERS = (
    "taskDefinition",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    *DEPLOYMENT_FIELDS,
)
DEPLOYMENT_SHOWN = (
    "launchType",
    "capacityProviderStrategy",
    "platformVersion",
    "platformFamily",
    "networkConfiguration",
    *DEPLOYMENT_FIELDS,
)

# Order of events that share a timestamp, newest first in the answer: a circuit breaker's
# events come before the tasks it starts and stops, steady state last.
RANK_FAILED, RANK_ROLLBACK, RANK_STARTED, RANK_STOPPED, RANK_COMPLETED, RANK_STEADY = range(6)

_ids = random.Random()


def new_deployment_id() -> str:
    """A deployment id as ECS makes them: ``ecs-svc/`` and 19 digits."""
    return f"ecs-svc/{_ids.randrange(10**18, 10**19)}"


def failure_threshold(desired_count: int) -> int:
    """Failed tasks in a row that trip the circuit breaker: half the desired count, 3 to 200."""
    return min(MAX_FAILURE_THRESHOLD, max(MIN_FAILURE_THRESHOLD, math.ceil(0.5 * desired_count)))


def scheduler_reason(deployment_id: str) -> str:
    """The stoppedReason of a task that the service scheduler stops."""
    return f"Scaling activity initiated by (deployment {deployment_id})"


def failure_reason(fault: TaskFault) -> str:
    """The stoppedReason of a task that fails as ``fault`` says."""
    if fault.reason:
        return fault.reason
    if fault.mode == FAIL_TO_START:
        return (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
            f'failed to resolve ref "{fault.image}": not found'
        )
    return "Essential container in task exited"


@dataclass
class Conditions:
    """What the world decides when the plan starts tasks: their faults, the rollout time of a
    task definition, and the service's circuit breaker."""

    fate: Callable[[str], TaskFault | None] = lambda task_definition: None
    seconds_for: Callable[[str], float] = lambda task_definition: 0.0
    breaker: bool = False
    rollback: bool = False


@dataclass(eq=False)
class Deployment:
    """A deployment: its fields, wanted task count, and what happened to it when."""

    id: str
    config: dict[str, Any]
    desired_count: int
    created_at: float
    pace: float = 0.0
    status: str = "PRIMARY"
    completed_at: float | None = None
    superseded_at: float | None = None
    failed_at: float | None = None
    failed_tasks: int = 0
    last_failure_at: float | None = None
    rolled_back_at: float | None = None
    rollback_target: Deployment | None = None
    settles_after: float = 0.0

    @property
    def task_definition(self) -> str:
        """The task definition ARN the deployment runs."""
        return str(self.config.get("taskDefinition") or "")


@dataclass(eq=False)
class Task:
    """A planned service task: when it starts (PENDING), runs, and stops, and why it stops.

    ``running_at`` is None for a task that never runs; ``fault`` is the failure planned for it
    (None once the scheduler stops it first, or for a healthy task).
    """

    id: str
    deployment: Deployment
    started_at: float
    running_at: float | None
    stopped_at: float | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    fault: TaskFault | None = None
    failed: TaskFault | None = None
    paired: bool = False

    @property
    def deployment_id(self) -> str:
        """The id of the deployment that started the task."""
        return self.deployment.id

    def alive(self, at: float) -> bool:
        """Not yet stopped at ``at``."""
        return self.stopped_at is None or self.stopped_at > at

    def running(self, at: float) -> bool:
        """RUNNING at ``at``."""
        return self.running_at is not None and self.running_at <= at and self.alive(at)

    def pending(self, at: float) -> bool:
        """Started but not yet RUNNING at ``at``."""
        return self.started_at <= at and self.alive(at) and not self.running(at)

    def ran(self) -> bool:
        """Whether the task reached RUNNING before it stopped (or is to reach it)."""
        return self.running_at is not None and (
            self.stopped_at is None or self.running_at < self.stopped_at
        )


def attempt_times(start: float, delay: float, fault: TaskFault | None) -> tuple[Any, Any]:
    """When a task started at ``start`` reaches RUNNING and when it stops on its own."""
    if fault is None:
        return start + delay, None
    if fault.mode == EXIT:
        running_at = start + delay
        return running_at, max(running_at + EXIT_AFTER_SECONDS, start + MIN_ATTEMPT_SECONDS)
    return None, start + max(delay, MIN_ATTEMPT_SECONDS)


@dataclass
class Milestone:
    """A service event that no single task explains: deployment completed, steady state."""

    at: float
    rank: int
    message: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


class Rollout:
    """The planned life of one service's deployments and tasks."""

    def __init__(self, service_name: str, service_arn: str):
        self.service_name = service_name
        self.service_arn = service_arn
        self.deployments: list[Deployment] = []
        self.tasks: list[Task] = []
        self.milestones: list[Milestone] = []
        # Failing tasks whose failure is yet to be handled, by the time they stop.
        self._failures: list[tuple[float, int, Task]] = []
        self._order = itertools.count()
        self._settle_planned = False
        self._changed_at = 0.0

    @property
    def primary(self) -> Deployment | None:
        """The PRIMARY deployment, if the service has one yet."""
        return next((d for d in self.deployments if d.status == "PRIMARY"), None)

    def start_deployment(
        self,
        now: float,
        config: dict[str, Any],
        desired_count: int,
        conditions: Conditions,
        seconds: float | None = None,
    ) -> None:
        """Make a new PRIMARY deployment; the others stop their tasks as the new ones run."""
        self.advance(now, conditions)
        self._changed(now)
        previous = self.primary
        for deployment in self.deployments:
            if deployment.status == "PRIMARY":
                deployment.status = "ACTIVE"
                deployment.desired_count = 0
                deployment.superseded_at = now
                if deployment.completed_at is not None and deployment.completed_at > now:
                    deployment.completed_at = None

        deployment = Deployment(
            new_deployment_id(),
            config,
            desired_count,
            created_at=now,
            rollback_target=self._rollback_target(previous, now),
        )
        if seconds is None:
            seconds = conditions.seconds_for(deployment.task_definition)
        deployment.pace = seconds / max(desired_count, 1)
        self.deployments.insert(0, deployment)

        self._unplan_stops(now)
        for task in self.tasks:
            if task.deployment is not deployment and task.alive(now) and not task.running(now):
                self._stop(task, now)
        self._launch(deployment, desired_count, now, seconds, conditions)
        self._reconcile(now)
        self._plan_settle()
        self._prune(now)

    def scale(self, now: float, desired_count: int, conditions: Conditions) -> None:
        """Bring the PRIMARY deployment to ``desired_count`` tasks over its rollout time."""
        self.advance(now, conditions)
        primary = self.primary
        if primary is None:
            return
        self._changed(now)
        seconds = conditions.seconds_for(primary.task_definition)
        primary.desired_count = desired_count
        primary.pace = seconds / max(desired_count, 1)

        self._unplan_stops(now)
        tasks = [t for t in self.tasks if t.deployment is primary and t.alive(now)]
        surplus = len(tasks) - desired_count
        if surplus > 0:
            newest_first = sorted(
                tasks,
                key=lambda t: math.inf if t.running_at is None else t.running_at,
                reverse=True,
            )
            victims = newest_first[:surplus]
            # Running tasks stop over the rollout time; pending and failing ones at once.
            draining = [t for t in victims if t.running(now) and t.fault is None]
            self._stop_over(draining, now, seconds)
            for task in victims:
                if task not in draining:
                    self._stop(task, now)
        elif surplus < 0 and primary.failed_at is None:
            self._launch(primary, -surplus, now, seconds, conditions)
        self._reconcile(now)
        self._plan_settle()
        self._prune(now)

    def advance(self, now: float, conditions: Conditions) -> None:
        """Handle the task failures due by ``now``: count them, replace the tasks, trip the
        circuit breaker."""
        while self._failures and self._failures[0][0] <= now:
            at, _order, task = heapq.heappop(self._failures)
            if task.fault is None or task.stopped_at != at:
                continue
            self._handle_failure(task, now, conditions)
        self._plan_settle()
        self._prune(now)

    def view(self, now: float, conditions: Conditions) -> dict[str, Any]:
        """The service's deployments, events and task counts at ``now``, as ECS shows them."""
        self.advance(now, conditions)
        deployments = [self._deployment_view(d, now) for d in self._visible(now)]
        return {
            "deployments": deployments,
            "events": self._events(now),
            "runningCount": sum(d["runningCount"] for d in deployments),
            "pendingCount": sum(d["pendingCount"] for d in deployments),
        }

    def _rollback_target(self, previous: Deployment | None, now: float) -> Deployment | None:
        """What a new deployment rolls back to: the last COMPLETED deployment, else the
        previous PRIMARY."""
        if previous is None:
            return None
        if previous.completed_at is not None and previous.completed_at <= now:
            return previous
        return previous.rollback_target or previous

    def _launch(
        self,
        deployment: Deployment,
        count: int,
        now: float,
        seconds: float,
        conditions: Conditions,
    ) -> None:
        """Start ``count`` tasks of ``deployment`` now, reaching RUNNING one by one.

        This is where every first attempt of a service task begins, and where its fault, if
        any, is decided.
        """
        fault = conditions.fate(deployment.task_definition)
        for index in range(1, count + 1):
            self._start_task(deployment, now, seconds * index / count, fault)

    def _start_task(
        self, deployment: Deployment, at: float, delay: float, fault: TaskFault | None
    ) -> Task:
        running_at, stopped_at = attempt_times(at, delay, fault)
        task = Task(uuid.uuid4().hex, deployment, at, running_at, stopped_at, fault=fault)
        if fault is not None:
            task.stop_code = (
                TASK_FAILED_TO_START if fault.mode == FAIL_TO_START else ESSENTIAL_CONTAINER_EXITED
            )
            task.stopped_reason = failure_reason(fault)
            task.failed = fault
            heapq.heappush(self._failures, (stopped_at, next(self._order), task))
        self.tasks.append(task)
        return task

    def _handle_failure(self, task: Task, now: float, conditions: Conditions) -> None:
        """A task has failed at its stop time: count it, then replace it or trip the breaker."""
        deployment = task.deployment
        at = task.stopped_at
        assert at is not None
        task.fault = None
        if self._ran_since(deployment, deployment.last_failure_at, at):
            deployment.failed_tasks = 0
        deployment.failed_tasks += 1
        deployment.last_failure_at = at
        if deployment.status != "PRIMARY" or deployment.failed_at is not None:
            return
        if conditions.breaker and deployment.failed_tasks >= failure_threshold(
            deployment.desired_count
        ):
            self._trip(deployment, at, conditions)
            return
        alive = [t for t in self.tasks if t.deployment is deployment and t.alive(at)]
        if len(alive) >= deployment.desired_count:
            return

        self._changed(at)
        fault = conditions.fate(deployment.task_definition)
        start = at
        if fault is not None and not conditions.breaker:
            # Nobody looked for a long time: count the older attempts without planning them.
            duration = attempt_times(0.0, deployment.pace, fault)[1]
            behind = int((now - at) / duration)
            if behind > KEEP_ATTEMPTS:
                skipped = behind - KEEP_ATTEMPTS
                deployment.failed_tasks += skipped
                start = at + skipped * duration
                deployment.last_failure_at = start
        self._start_task(deployment, start, deployment.pace, fault)
        if fault is None:
            self._reconcile(start)

    def _ran_since(self, deployment: Deployment, since: float | None, until: float) -> bool:
        """Whether a healthy task of ``deployment`` reached RUNNING after ``since``."""
        return any(
            t.deployment is deployment
            and t.failed is None
            and t.ran()
            and t.running_at is not None
            and (since is None or t.running_at > since)
            and t.running_at <= until
            for t in self.tasks
        )

    def _trip(self, deployment: Deployment, at: float, conditions: Conditions) -> None:
        """The circuit breaker fails ``deployment`` at ``at``, and rolls back if asked to."""
        name = self.service_name
        self._changed(at)
        deployment.failed_at = at
        self.milestones.append(
            Milestone(
                at,
                RANK_FAILED,
                f"(service {name}) (deployment {deployment.id}) deployment failed: "
                "tasks failed to start.",
            )
        )
        target = deployment.rollback_target if conditions.rollback else None
        if target is None:
            return
        message = f"(service {name}) rolling back to deployment {target.id}."
        self.milestones.append(Milestone(at, RANK_ROLLBACK, message))
        desired_count = deployment.desired_count
        deployment.status = "ACTIVE"
        deployment.desired_count = 0
        deployment.superseded_at = at
        for task in self.tasks:
            if task.deployment is deployment and task.alive(at):
                self._stop(task, at)

        if target in self.deployments:
            self.deployments.remove(target)
        self.deployments.insert(0, target)
        target.status = "PRIMARY"
        target.desired_count = desired_count
        target.completed_at = None
        target.failed_at = None
        target.failed_tasks = 0
        target.last_failure_at = None
        target.rolled_back_at = at
        seconds = conditions.seconds_for(target.task_definition)
        target.pace = seconds / max(desired_count, 1)
        # A rollback takes a rollout time, even when the old tasks are all still running.
        target.settles_after = at + seconds

        self._unplan_stops(at)
        kept = [t for t in self.tasks if t.deployment is target and t.alive(at)]
        if len(kept) < desired_count:
            self._launch(target, desired_count - len(kept), at, seconds, conditions)
        for task in kept[desired_count:]:
            self._stop(task, at)
        self._reconcile(at)

    def _reconcile(self, at: float) -> None:
        """Stop old tasks as the PRIMARY's tasks run, keeping desiredCount tasks running.

        Each healthy PRIMARY task still to reach RUNNING takes the place of one old running
        task, which stops at that moment; old tasks that no PRIMARY task will replace stay while
        they are needed (the PRIMARY's tasks fail or are missing), and stop now otherwise.
        """
        primary = self.primary
        if primary is None:
            return
        old = sorted(
            (
                t
                for t in self.tasks
                if t.deployment is not primary and t.stopped_at is None and t.running(at)
            ),
            key=lambda t: (t.running_at, t.started_at),
        )
        ours = [t for t in self.tasks if t.deployment is primary and t.stopped_at is None]
        upcoming = sorted(
            (t for t in ours if t.running_at is not None and t.running_at > at),
            key=lambda t: t.running_at or 0.0,
        )
        for task in upcoming:
            if not old:
                break
            if not task.paired:
                assert task.running_at is not None
                self._stop(old.pop(0), task.running_at)
                task.paired = True
        running = sum(t.running(at) for t in ours)
        keep = max(0, primary.desired_count - running - len(upcoming))
        for task in old[keep:]:
            self._stop(task, at)

    def _stop(self, task: Task, at: float) -> None:
        """The scheduler stops ``task`` at ``at`` (now, or planned)."""
        task.stopped_at = at
        task.stop_code = SCHEDULER_INITIATED
        task.stopped_reason = scheduler_reason(task.deployment.id)
        task.fault = None

    def _unplan_stops(self, now: float) -> None:
        """Forget the scheduler's planned stops after ``now``: the plan is made again."""
        for task in self.tasks:
            task.paired = False
            if task.stop_code == SCHEDULER_INITIATED and task.alive(now):
                task.stopped_at = None
                task.stop_code = None
                task.stopped_reason = None

    def _stop_over(self, tasks: list[Task], now: float, seconds: float) -> None:
        for index, task in enumerate(sorted(tasks, key=lambda t: t.running_at or 0.0), start=1):
            self._stop(task, now + seconds * index / len(tasks))

    def _changed(self, at: float) -> None:
        """The plan changes at ``at``: the events of its end are to be planned again."""
        self.milestones = [m for m in self.milestones if m.at <= at]
        self._settle_planned = False
        self._changed_at = max(self._changed_at, at)

    def _plan_settle(self) -> None:
        """Plan the events of the moment the current plan is done, once nothing is left to
        decide: no failure of a PRIMARY task is still to come."""
        primary = self.primary
        if self._settle_planned or primary is None or primary.failed_at is not None:
            return
        if any(t.deployment is primary and t.fault is not None for _at, _o, t in self._failures):
            return
        at = self._changed_at
        settle_at = max(
            [at, primary.settles_after]
            + [
                t.running_at
                for t in self.tasks
                if t.deployment is primary and t.alive(at) and t.running_at is not None
            ]
            + [t.stopped_at for t in self.tasks if t.stopped_at is not None]
        )
        if primary.completed_at is None or primary.completed_at > at:
            primary.completed_at = settle_at
            self.milestones.append(
                Milestone(
                    settle_at,
                    RANK_COMPLETED,
                    f"(service {self.service_name}) (deployment {primary.id}) deployment "
                    "completed.",
                )
            )
        self.milestones.append(
            Milestone(
                settle_at, RANK_STEADY, f"(service {self.service_name}) has reached a steady state."
            )
        )
        self._settle_planned = True

    def _prune(self, now: float) -> None:
        visible = {d.id for d in self._visible(now)}
        self.deployments = [d for d in self.deployments if d.id in visible]
        for deployment in self.deployments:
            if deployment.completed_at is not None and deployment.completed_at <= now:
                deployment.rollback_target = None
        stopped = sorted(
            (t for t in self.tasks if not t.alive(now)), key=lambda t: t.stopped_at or 0.0
        )
        forgotten = {id(t) for t in stopped[:-MAX_STOPPED_TASKS]}
        if forgotten:
            self.tasks = [t for t in self.tasks if id(t) not in forgotten]
        self.milestones = self.milestones[-MAX_EVENTS:]

    def _visible(self, now: float) -> list[Deployment]:
        """PRIMARY, and the other deployments while they still have tasks to stop."""
        draining = {t.deployment.id for t in self.tasks if t.alive(now)}
        return [d for d in self.deployments if d.status == "PRIMARY" or d.id in draining]

    def _deployment_view(self, deployment: Deployment, now: float) -> dict[str, Any]:
        tasks = [t for t in self.tasks if t.deployment is deployment]
        moments = [
            deployment.created_at,
            deployment.superseded_at,
            deployment.completed_at,
            deployment.failed_at,
            deployment.rolled_back_at,
        ]
        moments += [m for t in tasks for m in (t.started_at, t.running_at, t.stopped_at)]
        completed = deployment.completed_at is not None and deployment.completed_at <= now
        if deployment.failed_at is not None:
            state, reason = "FAILED", CIRCUIT_BREAKER_FAILED
        elif completed:
            state, reason = "COMPLETED", f"ECS deployment {deployment.id} completed."
        elif deployment.rolled_back_at is not None:
            state = "IN_PROGRESS"
            reason = (
                f"ECS deployment circuit breaker: rolling back to deploymentId {deployment.id}."
            )
        else:
            state, reason = "IN_PROGRESS", f"ECS deployment {deployment.id} in progress."
        failed_tasks = deployment.failed_tasks
        if failed_tasks and self._ran_since(deployment, deployment.last_failure_at, now):
            failed_tasks = 0

        view: dict[str, Any] = {
            "id": deployment.id,
            "status": deployment.status,
            "taskDefinition": deployment.config.get("taskDefinition"),
            "desiredCount": deployment.desired_count,
            "pendingCount": sum(t.pending(now) for t in tasks),
            "runningCount": sum(t.running(now) for t in tasks),
            "failedTasks": failed_tasks,
            "createdAt": epoch(deployment.created_at),
            "updatedAt": epoch(max(m for m in moments if m is not None and m <= now)),
        }
        for name in DEPLOYMENT_SHOWN:
            if name in deployment.config:
                view[name] = copy.deepcopy(deployment.config[name])
        if view.get("launchType") == "FARGATE" and view.get("platformVersion") == "LATEST":
            view["platformVersion"] = FARGATE_PLATFORM_VERSION
        view["rolloutState"] = state
        view["rolloutStateReason"] = reason
        return view

    def _events(self, now: float) -> list[dict[str, Any]]:
        """Service events up to ``now``, newest first, at most 100."""
        name = self.service_name
        started: dict[float, list[str]] = {}
        stopped: dict[float, list[str]] = {}
        # Tasks started (or stopped) in the same millisecond make one event.
        for task in self.tasks:
            if task.started_at <= now:
                started.setdefault(epoch(task.started_at), []).append(task.id)
            if (
                task.stopped_at is not None
                and task.stopped_at <= now
                and task.stop_code == SCHEDULER_INITIATED
            ):
                stopped.setdefault(epoch(task.stopped_at), []).append(task.id)

        events: list[tuple[float, int, str, str]] = []
        for kind, rank, groups in (
            ("started", RANK_STARTED, started),
            ("stopped", RANK_STOPPED, stopped),
        ):
            for at, task_ids in groups.items():
                listed = " ".join(f"(task {task_id})" for task_id in task_ids)
                what = "tasks" if kind == "started" else "running tasks"
                message = f"(service {name}) has {kind} {len(task_ids)} {what}: {listed}."
                key = f"{self.service_arn}|{kind}|{at}|{','.join(task_ids)}"
                events.append((at, rank, str(uuid.uuid5(uuid.NAMESPACE_URL, key)), message))
        events += [(m.at, m.rank, m.id, m.message) for m in self.milestones if m.at <= now]

        # Events of one millisecond show in the order of their kind, as they are timed.
        events.sort(key=lambda e: (epoch(e[0]), e[1]), reverse=True)
        return [
            {"id": event_id, "createdAt": epoch(at), "message": message}
            for at, _rank, event_id, message in events[:MAX_EVENTS]
        ]


def deployment_config(view: dict[str, Any], service: Service) -> dict[str, Any]:
    """The fields of a service (as answered) that its deployments carry or compare."""
    config = {name: copy.deepcopy(view[name]) for name in DEPLOYMENT_SHOWN if name in view}
    for name in DEPLOYMENT_TRIGGERS:
        if name in view:
            config[name] = copy.deepcopy(view[name])
    kept = fields(service)
    for name in DEPLOYMENT_FIELDS:
        if name in kept:
            config[name] = copy.deepcopy(kept[name])
    return config


def comparable(value: Any) -> Any:
    """A field value with the order of subnets and security groups made irrelevant."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(value)
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def needs_new_deployment(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether a field that ECS deploys on has changed."""
    return any(
        comparable(current.get(name)) != comparable(wanted.get(name))
        for name in DEPLOYMENT_TRIGGERS
    )


def ecs_controlled(service: Service) -> bool:
    """Whether ECS itself deploys the service (not CodeDeploy or an external controller)."""
    return service.deployment_controller.get("type", "ECS") == "ECS"


def container_definitions(call: EcsCall, task_definition: str) -> list[dict[str, Any]]:
    """The container definitions of a task definition, or none if it is unknown."""
    if not task_definition:
        return []
    try:
        return list(call.backend.describe_task_definition(task_definition).container_definitions)
    except TaskDefinitionNotFoundException:
        return []


def conditions(call: EcsCall, service: Service) -> Conditions:
    """The faults, rollout times and circuit breaker that apply to the service's rollout."""
    breaker = fields(service).get("deploymentConfiguration", {}).get("deploymentCircuitBreaker", {})

    def fate(task_definition: str) -> TaskFault | None:
        containers = container_definitions(call, task_definition)
        return call.faults.task_fault(task_definition, containers) or log_group_fault(
            call.account_id, call.region, containers
        )

    def seconds_for(task_definition: str) -> float:
        containers = container_definitions(call, task_definition)
        seconds = call.faults.rollout_seconds_for(task_definition, containers)
        return call.settings.rollout_seconds if seconds is None else seconds

    return Conditions(
        fate=fate,
        seconds_for=seconds_for,
        breaker=bool(breaker.get("enable")),
        rollback=bool(breaker.get("enable")) and bool(breaker.get("rollback")),
    )


def sync_task_definition(service: Service, rollout: Rollout) -> None:
    """Show the PRIMARY's task definition as the service's (it changes on a rollback)."""
    primary = rollout.primary
    if primary is not None and primary.task_definition:
        service.task_definition = primary.task_definition


def evaluate(call: EcsCall, service: Service) -> Rollout | None:
    """The service's Rollout, evaluated at the time of the call; None if it has none."""
    rollout = getattr(service, ROLLOUT_ATTR, None)
    if rollout is None or not ecs_controlled(service):
        return None
    rollout.advance(call.now, conditions(call, service))
    sync_task_definition(service, rollout)
    return rollout


def rollout_of(call: EcsCall, service: Service, view: dict[str, Any]) -> Rollout:
    """The service's Rollout; one made now for a service created before this layer saw it."""
    rollout = getattr(service, ROLLOUT_ATTR, None)
    if rollout is None:
        rollout = Rollout(service.name, service.arn)
        config = deployment_config(view, service)
        rollout.start_deployment(
            call.now, config, service.desired_count, conditions(call, service), seconds=0.0
        )
        setattr(service, ROLLOUT_ATTR, rollout)
    return rollout


def render(call: EcsCall, view: dict[str, Any]) -> None:
    """Put the rollout state at the time of the call into a service as answered."""
    service = find_by_arn(call, view.get("serviceArn", ""))
    if service is None or not ecs_controlled(service):
        return
    rollout = rollout_of(call, service, view)
    state = rollout.view(call.now, conditions(call, service))
    sync_task_definition(service, rollout)
    view["taskDefinition"] = service.task_definition
    view.update(state)


def before_change(call: EcsCall) -> None:
    """Bring the service's rollout up to the time of the call before it is changed.

    A circuit breaker may have rolled the service back meanwhile; the change applies to that.
    """
    service = find(call, call.params.get("cluster"), call.params.get("service", ""))
    if service is not None:
        evaluate(call, service)


def after_create(call: EcsCall) -> None:
    """Start the new service's first deployment, from no tasks."""
    assert call.response is not None
    view = call.response["service"]
    service = find_by_arn(call, view["serviceArn"])
    if service is not None and ecs_controlled(service):
        rollout = Rollout(service.name, service.arn)
        setattr(service, ROLLOUT_ATTR, rollout)
        config = deployment_config(view, service)
        rollout.start_deployment(call.now, config, service.desired_count, conditions(call, service))
    render(call, view)


def after_update(call: EcsCall) -> None:
    """Start a new deployment if a deploying field changed, else scale to desiredCount."""
    assert call.response is not None
    view = call.response["service"]
    service = find_by_arn(call, view["serviceArn"])
    if service is not None and ecs_controlled(service):
        rollout = rollout_of(call, service, view)
        primary = rollout.primary
        config = deployment_config(view, service)
        if (
            primary is None
            or call.params.get("forceNewDeployment")
            or needs_new_deployment(primary.config, config)
        ):
            rollout.start_deployment(
                call.now, config, service.desired_count, conditions(call, service)
            )
        elif service.desired_count != primary.desired_count:
            rollout.scale(call.now, service.desired_count, conditions(call, service))
    render(call, view)


def after_delete(call: EcsCall) -> None:
    """Stop the deleted service's tasks over the rollout time."""
    assert call.response is not None
    view = call.response["service"]
    service = find_by_arn(call, view["serviceArn"])
    if service is not None and ecs_controlled(service):
        rollout_of(call, service, view).scale(call.now, 0, conditions(call, service))
    render(call, view)


def after_describe(call: EcsCall) -> None:
    """Evaluate each described service's rollout at the time of the call."""
    assert call.response is not None
    for view in call.response["services"]:
        render(call, view)


HOOKS = {
    "CreateService": Hooks(after=after_create),
    "UpdateService": Hooks(before=before_change, after=after_update),
    "DeleteService": Hooks(before=before_change, after=after_delete),
    "DescribeServices": Hooks(after=after_describe),
}
