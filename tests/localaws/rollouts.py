"""Rollouts: deployments that replace each other over time, with events.

Moto gap: moto's UpdateService starts no deployment. A service keeps one PRIMARY deployment on
its first task definition, ``rolloutState`` stays IN_PROGRESS, ``runningCount`` stays 0 until a
desiredCount change makes it jump, and ``events`` is always empty.

Here each ECS-controlled service carries a :class:`Rollout` (on moto's Service object) that
plans its tasks when the service is created, updated or deleted: when each task starts, runs
and stops. A new deployment (changed taskDefinition, networkConfiguration, platformVersion,
loadBalancers, serviceRegistries, Service Connect, VPC Lattice or volume configuration, or
``forceNewDeployment``) becomes PRIMARY and launches its tasks at once; they reach RUNNING one by
one over ``rollout_seconds`` while the old deployment, now ACTIVE with desiredCount 0, stops its
tasks at the same pace. When all is done the old deployment is gone and the PRIMARY is
COMPLETED. A desiredCount change alone scales the PRIMARY over the same time. Describing a
service evaluates that plan at the current time, so no background thread is needed and
``rollout_seconds=0`` completes at once. Events are derived from the plan with the times at
which things happen, and show once those times have passed.
"""

from __future__ import annotations

import copy
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.ecs.models import Service

from .ecs_api import EcsCall, Hooks, epoch
from .services import DEPLOYMENT_FIELDS, fields, find_by_arn

ROLLOUT_ATTR = "_localaws_rollout"
MAX_EVENTS = 100
# Stopped tasks kept for their events; more than the events list can show is of no use.
MAX_STOPPED_TASKS = 2 * MAX_EVENTS
# What "LATEST" resolves to on Fargate, as deployments show it.
FARGATE_PLATFORM_VERSION = "1.4.0"

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

# Order of events that share a timestamp, newest first in the answer.
RANK_STARTED, RANK_STOPPED, RANK_COMPLETED, RANK_STEADY = range(4)

_ids = random.Random()


def new_deployment_id() -> str:
    """A deployment id as ECS makes them: ``ecs-svc/`` and 19 digits."""
    return f"ecs-svc/{_ids.randrange(10**18, 10**19)}"


@dataclass
class Task:
    """A planned service task: when it starts (PENDING), runs, and stops."""

    id: str
    deployment_id: str
    started_at: float
    running_at: float
    stopped_at: float | None = None

    def alive(self, at: float) -> bool:
        """Not yet stopped at ``at``."""
        return self.stopped_at is None or self.stopped_at > at

    def running(self, at: float) -> bool:
        """RUNNING at ``at``."""
        return self.running_at <= at and self.alive(at)

    def pending(self, at: float) -> bool:
        """Started but not yet RUNNING at ``at``."""
        return self.started_at <= at < self.running_at and self.alive(at)


@dataclass
class Deployment:
    """A deployment: its fields, wanted task count, and when it was created and completed."""

    id: str
    config: dict[str, Any]
    desired_count: int
    created_at: float
    status: str = "PRIMARY"
    completed_at: float | None = None
    superseded_at: float | None = None


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

    @property
    def primary(self) -> Deployment | None:
        """The PRIMARY deployment, if the service has one yet."""
        return next((d for d in self.deployments if d.status == "PRIMARY"), None)

    def start_deployment(
        self, now: float, config: dict[str, Any], desired_count: int, seconds: float
    ) -> None:
        """Make a new PRIMARY deployment and drain the others over ``seconds``."""
        self._forget_future_milestones(now)
        for deployment in self.deployments:
            if deployment.status == "PRIMARY":
                deployment.status = "ACTIVE"
                deployment.desired_count = 0
                deployment.superseded_at = now
                if deployment.completed_at is not None and deployment.completed_at > now:
                    deployment.completed_at = None

        # Tasks with a stop already planned (an older drain, a scale-in) keep their plan.
        unplanned = [t for t in self.tasks if t.stopped_at is None]
        self._stop_over([t for t in unplanned if t.running_at <= now], now, seconds)
        for task in unplanned:
            if task.running_at > now:
                task.stopped_at = now

        deployment = Deployment(new_deployment_id(), config, desired_count, created_at=now)
        self.deployments.insert(0, deployment)
        self._launch(deployment, desired_count, now, seconds)
        self._settle(now)

    def scale(self, now: float, desired_count: int, seconds: float) -> None:
        """Bring the PRIMARY deployment to ``desired_count`` tasks over ``seconds``."""
        primary = self.primary
        if primary is None:
            return
        self._forget_future_milestones(now)
        primary.desired_count = desired_count

        tasks = [t for t in self.tasks if t.deployment_id == primary.id and t.alive(now)]
        # Stops planned by an earlier scale-in have not happened yet: plan them again.
        for task in tasks:
            task.stopped_at = None
        surplus = len(tasks) - desired_count
        if surplus > 0:
            victims = sorted(tasks, key=lambda t: t.running_at, reverse=True)[:surplus]
            self._stop_over([t for t in victims if t.running_at <= now], now, seconds)
            for task in victims:
                if task.running_at > now:
                    task.stopped_at = now
        elif surplus < 0:
            self._launch(primary, -surplus, now, seconds)
        self._settle(now)

    def view(self, now: float) -> dict[str, Any]:
        """The service's deployments, events and task counts at ``now``, as ECS shows them."""
        deployments = [self._deployment_view(d, now) for d in self._visible(now)]
        return {
            "deployments": deployments,
            "events": self._events(now),
            "runningCount": sum(d["runningCount"] for d in deployments),
            "pendingCount": sum(d["pendingCount"] for d in deployments),
        }

    def _launch(self, deployment: Deployment, count: int, now: float, seconds: float) -> None:
        """Start ``count`` tasks of ``deployment`` now, reaching RUNNING one by one.

        This is where every service task begins: fault injection (tasks that fail to start)
        will decide a task's fate here.
        """
        for index in range(1, count + 1):
            running_at = now + seconds * index / count
            self.tasks.append(Task(uuid.uuid4().hex, deployment.id, now, running_at))

    def _stop_over(self, tasks: list[Task], now: float, seconds: float) -> None:
        for index, task in enumerate(sorted(tasks, key=lambda t: t.running_at), start=1):
            task.stopped_at = now + seconds * index / len(tasks)

    def _settle(self, now: float) -> None:
        """Plan the events of the moment the current plan is done."""
        primary = self.primary
        assert primary is not None
        settle_at = max(
            [now]
            + [t.running_at for t in self.tasks if t.deployment_id == primary.id and t.alive(now)]
            + [t.stopped_at for t in self.tasks if t.stopped_at is not None]
        )
        if primary.completed_at is None or primary.completed_at > now:
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
        self._prune(now)

    def _forget_future_milestones(self, now: float) -> None:
        self.milestones = [m for m in self.milestones if m.at <= now]

    def _prune(self, now: float) -> None:
        visible = {d.id for d in self._visible(now)}
        self.deployments = [d for d in self.deployments if d.id in visible]
        stopped = sorted(
            (t for t in self.tasks if not t.alive(now)), key=lambda t: t.stopped_at or 0.0
        )
        forgotten = {id(t) for t in stopped[:-MAX_STOPPED_TASKS]}
        self.tasks = [t for t in self.tasks if id(t) not in forgotten]
        self.milestones = self.milestones[-MAX_EVENTS:]

    def _visible(self, now: float) -> list[Deployment]:
        """PRIMARY, and the other deployments while they still have tasks to stop."""
        visible = []
        for deployment in self.deployments:
            draining = any(t.deployment_id == deployment.id and t.alive(now) for t in self.tasks)
            if deployment.status == "PRIMARY" or draining:
                visible.append(deployment)
        return visible

    def _deployment_view(self, deployment: Deployment, now: float) -> dict[str, Any]:
        tasks = [t for t in self.tasks if t.deployment_id == deployment.id]
        moments = [deployment.created_at, deployment.superseded_at, deployment.completed_at]
        moments += [m for t in tasks for m in (t.started_at, t.running_at, t.stopped_at)]
        completed = deployment.completed_at is not None and deployment.completed_at <= now
        state = "COMPLETED" if completed else "IN_PROGRESS"
        reason = "completed" if completed else "in progress"

        view: dict[str, Any] = {
            "id": deployment.id,
            "status": deployment.status,
            "taskDefinition": deployment.config.get("taskDefinition"),
            "desiredCount": deployment.desired_count,
            "pendingCount": sum(t.pending(now) for t in tasks),
            "runningCount": sum(t.running(now) for t in tasks),
            "failedTasks": 0,
            "createdAt": epoch(deployment.created_at),
            "updatedAt": epoch(max(m for m in moments if m is not None and m <= now)),
        }
        for name in DEPLOYMENT_SHOWN:
            if name in deployment.config:
                view[name] = copy.deepcopy(deployment.config[name])
        if view.get("launchType") == "FARGATE" and view.get("platformVersion") == "LATEST":
            view["platformVersion"] = FARGATE_PLATFORM_VERSION
        view["rolloutState"] = state
        view["rolloutStateReason"] = f"ECS deployment {deployment.id} {reason}."
        return view

    def _events(self, now: float) -> list[dict[str, Any]]:
        """Service events up to ``now``, newest first, at most 100."""
        name = self.service_name
        started: dict[float, list[str]] = {}
        stopped: dict[float, list[str]] = {}
        for task in self.tasks:
            if task.started_at <= now:
                started.setdefault(task.started_at, []).append(task.id)
            if task.stopped_at is not None and task.stopped_at <= now:
                stopped.setdefault(task.stopped_at, []).append(task.id)

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

        events.sort(key=lambda e: (e[0], e[1]), reverse=True)
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


def rollout_of(call: EcsCall, service: Service, view: dict[str, Any]) -> Rollout:
    """The service's Rollout; one made now for a service created before this layer saw it."""
    rollout = getattr(service, ROLLOUT_ATTR, None)
    if rollout is None:
        rollout = Rollout(service.name, service.arn)
        config = deployment_config(view, service)
        rollout.start_deployment(call.now, config, service.desired_count, 0.0)
        setattr(service, ROLLOUT_ATTR, rollout)
    return rollout


def render(call: EcsCall, view: dict[str, Any]) -> None:
    """Put the rollout state at the time of the call into a service as answered."""
    service = find_by_arn(call, view.get("serviceArn", ""))
    if service is None or not ecs_controlled(service):
        return
    view.update(rollout_of(call, service, view).view(call.now))


def after_create(call: EcsCall) -> None:
    """Start the new service's first deployment, from no tasks."""
    assert call.response is not None
    view = call.response["service"]
    service = find_by_arn(call, view["serviceArn"])
    if service is not None and ecs_controlled(service):
        rollout = Rollout(service.name, service.arn)
        setattr(service, ROLLOUT_ATTR, rollout)
        config = deployment_config(view, service)
        rollout.start_deployment(
            call.now, config, service.desired_count, call.settings.rollout_seconds
        )
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
        seconds = call.settings.rollout_seconds
        if (
            primary is None
            or call.params.get("forceNewDeployment")
            or needs_new_deployment(primary.config, config)
        ):
            rollout.start_deployment(call.now, config, service.desired_count, seconds)
        elif service.desired_count != primary.desired_count:
            rollout.scale(call.now, service.desired_count, seconds)
    render(call, view)


def after_delete(call: EcsCall) -> None:
    """Stop the deleted service's tasks over the rollout time."""
    assert call.response is not None
    view = call.response["service"]
    service = find_by_arn(call, view["serviceArn"])
    if service is not None and ecs_controlled(service):
        rollout_of(call, service, view).scale(call.now, 0, call.settings.rollout_seconds)
    render(call, view)


def after_describe(call: EcsCall) -> None:
    """Evaluate each described service's rollout at the time of the call."""
    assert call.response is not None
    for view in call.response["services"]:
        render(call, view)


HOOKS = {
    "CreateService": Hooks(after=after_create),
    "UpdateService": Hooks(after=after_update),
    "DeleteService": Hooks(after=after_delete),
    "DescribeServices": Hooks(after=after_describe),
}
