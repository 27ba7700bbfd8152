"""CodeDeploy blue/green deployments of ECS services, and their task sets.

Moto gap: moto gives a service with ``deploymentController: CODE_DEPLOY`` no task set (and so
no tasks and no running count); its CodeDeploy ``CreateDeployment`` reads no AppSpec and the
deployment stays ``Created`` forever; ``StopDeployment``, ``ContinueDeployment`` and the
deployment-target calls (``ListDeploymentTargets``, ``GetDeploymentTarget``,
``BatchGetDeploymentTargets``) are not implemented.

Here a CODE_DEPLOY service gets its first task set (PRIMARY) at CreateService, and a CodeDeploy
deployment of an ECS deployment group reads its AppSpec, then goes Created -> InProgress ->
Succeeded over ``codedeploy_seconds`` (``d``): at ``d/10`` it starts and creates the
replacement task set (ACTIVE) on the new task definition, whose tasks reach RUNNING over
``3d/10``; at ``d/2`` at the earliest, once the replacement is stable, traffic moves (the
replacement becomes PRIMARY, the original ACTIVE and drains over ``3d/10``); ``d/2`` later the
original task set is removed and the deployment Succeeded. A replacement task that fails (the
``failing_tasks`` faults) fails the deployment (``ECS_UPDATE_ERROR``); the replacement task set
is removed, the original stays PRIMARY, and with automatic rollback on ``DEPLOYMENT_FAILURE`` a
rollback deployment (``creator: codeDeployRollback``) is made, which Succeeded ``d/5`` later.

Each task set's tasks are planned by a :class:`~tests.localaws.rollouts.Rollout` of one
deployment (whose id is the task set's id), so they fail and are replaced as service tasks of
ECS-controlled services are. Everything is evaluated at the time of the calls that show it
(CodeDeploy calls, DescribeServices, ListTasks, DescribeTasks): no thread runs.
"""

from __future__ import annotations

import copy
import json
import random
import string
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import yaml
from moto.codedeploy.models import (
    CodeDeployBackend,
    DeploymentGroup,
    DeploymentInfo,
    codedeploy_backends,
)
from moto.core.exceptions import JsonRESTError
from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend, Service, ecs_backends
from moto.utilities.utils import get_partition

from .calls import credential_scope
from .ecs_api import EcsCall, Hooks, account_id_for, epoch, json_request
from .faults import Faults
from .rollouts import (
    ESSENTIAL_CONTAINER_EXITED,
    FARGATE_PLATFORM_VERSION,
    TASK_FAILED_TO_START,
    Conditions,
    Rollout,
)
from .services import find_by_arn
from .settings import Settings
from .task_logs import log_group_fault

CODEDEPLOY_TARGET_PREFIX = "CodeDeploy_20141006."
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
BLUE_GREEN_ATTR = "_localaws_blue_green"
STATE_ATTR = "_localaws_ecs_deployment"

DEFAULT_CONFIG = "CodeDeployDefault.ECSAllAtOnce"
ECS_CONFIGS = (
    "CodeDeployDefault.ECSAllAtOnce",
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
    "CodeDeployDefault.ECSCanary10Percent5Minutes",
    "CodeDeployDefault.ECSCanary10Percent15Minutes",
)
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")
ECS_HOOKS = (
    "BeforeInstall",
    "AfterInstall",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AfterAllowTraffic",
)
LIFECYCLE_EVENTS = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
FAILURE_STOP_CODES = (TASK_FAILED_TO_START, ESSENTIAL_CONTAINER_EXITED)
TERMINAL = ("Succeeded", "Failed", "Stopped")

# The timeline of a deployment, in fractions of codedeploy_seconds.
START_AT = 0.1
INSTALL_FOR = 0.3
SHIFT_AT = 0.5
DRAIN_FOR = 0.3
DONE_AFTER_SHIFT = 0.5
ROLLBACK_FOR = 0.2

_ids = random.Random()


class CodeDeployError(Exception):
    """A CodeDeploy error answer: its code (``__type``) and message."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def invalid_revision(message: str) -> CodeDeployError:
    """CodeDeploy's ``InvalidRevisionException``."""
    return CodeDeployError("InvalidRevisionException", message)


def new_deployment_id() -> str:
    """A CodeDeploy deployment id: ``d-`` and 9 capital letters or digits."""
    alphabet = string.ascii_uppercase + string.digits
    return "d-" + "".join(_ids.choice(alphabet) for _position in range(9))


def moment(timestamp: float) -> datetime:
    """A timestamp as moto keeps CodeDeploy times (naive UTC)."""
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)


# --- task sets -----------------------------------------------------------------------------


def container_definitions(
    backend: EC2ContainerServiceBackend, task_definition: str
) -> list[dict[str, Any]]:
    """The container definitions of a task definition, or none if it is unknown."""
    try:
        return list(backend.describe_task_definition(task_definition).container_definitions)
    except TaskDefinitionNotFoundException:
        return []


@dataclass(eq=False)
class TaskSet:
    """A task set: its fields, its tasks (a one-deployment Rollout) and its status."""

    rollout: Rollout
    config: dict[str, Any]
    created_at: float
    seconds: float
    status: str = "ACTIVE"
    external_id: str | None = None
    removed_at: float | None = None
    id: str = ""

    @property
    def task_definition(self) -> str:
        """The task definition ARN the task set runs."""
        return str(self.config.get("taskDefinition") or "")

    @property
    def desired_count(self) -> int:
        """The task count the task set is asked for."""
        primary = self.rollout.primary
        return primary.desired_count if primary is not None else 0


@dataclass(eq=False)
class BlueGreen:
    """A CODE_DEPLOY service's task sets, and the CodeDeploy deployment moving it, if any."""

    backend: EC2ContainerServiceBackend
    service: Service
    task_sets: list[TaskSet] = field(default_factory=list)
    retired: list[TaskSet] = field(default_factory=list)
    deployment: EcsDeployment | None = None

    @property
    def primary(self) -> TaskSet | None:
        """The PRIMARY task set."""
        return next((t for t in self.task_sets if t.status == "PRIMARY"), None)

    def conditions(self, task_set: TaskSet, faults: Faults) -> Conditions:
        """How the task set's tasks fail, and at what pace they start and stop."""

        def fate(task_definition: str) -> Any:
            containers = container_definitions(self.backend, task_definition)
            return faults.task_fault(task_definition, containers) or log_group_fault(
                self.backend.account_id, self.backend.region_name, containers
            )

        return Conditions(fate=fate, seconds_for=lambda task_definition: task_set.seconds)

    def create_task_set(
        self,
        at: float,
        config: dict[str, Any],
        seconds: float,
        faults: Faults,
        status: str,
        external_id: str | None = None,
    ) -> TaskSet:
        """Start a task set of the service's desired count at ``at``."""
        rollout = Rollout(self.service.name, self.service.arn)
        task_set = TaskSet(rollout, config, at, seconds, status, external_id)
        rollout.start_deployment(
            at,
            config,
            self.service.desired_count,
            self.conditions(task_set, faults),
            seconds=seconds,
        )
        assert rollout.primary is not None
        task_set.id = rollout.primary.id
        self.task_sets.append(task_set)
        return task_set

    def scale(self, task_set: TaskSet, at: float, count: int, seconds: float, faults: Faults):
        """Bring a task set to ``count`` tasks over ``seconds`` from ``at``."""
        task_set.seconds = seconds
        task_set.rollout.scale(at, count, self.conditions(task_set, faults))

    def remove(self, task_set: TaskSet, at: float, faults: Faults) -> None:
        """Stop a task set's tasks at once and forget the task set (its tasks stay listed)."""
        self.scale(task_set, at, 0, 0.0, faults)
        task_set.removed_at = at
        if task_set in self.task_sets:
            self.task_sets.remove(task_set)
        self.retired = (self.retired + [task_set])[-10:]

    def follow_primary(self) -> None:
        """The service shows the PRIMARY task set's task definition."""
        primary = self.primary
        if primary is not None and primary.task_definition:
            self.service.task_definition = primary.task_definition

    def advance(self, now: float, faults: Faults) -> None:
        """Bring the deployment moving the service, and the task sets, up to ``now``."""
        while self.deployment is not None:
            deployment = self.deployment
            deployment.advance(now, faults)
            if self.deployment is deployment:
                break
        for task_set in self.task_sets + self.retired:
            task_set.rollout.advance(now, self.conditions(task_set, faults))
        self.follow_primary()

    def view(self, task_set: TaskSet, now: float, faults: Faults) -> dict[str, Any]:
        """A task set as DescribeServices shows it."""
        state = task_set.rollout.view(now, self.conditions(task_set, faults))
        counts = state["deployments"][0] if state["deployments"] else {}
        running = counts.get("runningCount", 0)
        pending = counts.get("pendingCount", 0)
        desired = task_set.desired_count
        service = self.service
        partition = get_partition(self.backend.region_name)
        view: dict[str, Any] = {
            "id": task_set.id,
            "taskSetArn": (
                f"arn:{partition}:ecs:{self.backend.region_name}:{self.backend.account_id}:"
                f"task-set/{service.cluster_name}/{service.name}/{task_set.id}"
            ),
            "serviceArn": service.arn,
            "clusterArn": service.cluster_arn,
            "status": task_set.status,
            "taskDefinition": task_set.task_definition,
            "computedDesiredCount": desired,
            "pendingCount": pending,
            "runningCount": running,
            "createdAt": epoch(task_set.created_at),
            "updatedAt": counts.get("updatedAt", epoch(task_set.created_at)),
            "scale": {"value": 100.0, "unit": "PERCENT"},
            "stabilityStatus": (
                "STEADY_STATE" if running == desired and pending == 0 else "STABILIZING"
            ),
            "stabilityStatusAt": counts.get("updatedAt", epoch(task_set.created_at)),
            "loadBalancers": copy.deepcopy(task_set.config.get("loadBalancers", [])),
            "serviceRegistries": copy.deepcopy(task_set.config.get("serviceRegistries", [])),
        }
        if task_set.external_id:
            view["externalId"] = task_set.external_id
            view["startedBy"] = "CodeDeploy"
        for name in ("launchType", "capacityProviderStrategy", "networkConfiguration"):
            if task_set.config.get(name):
                view[name] = copy.deepcopy(task_set.config[name])
        if view.get("launchType") == "FARGATE":
            version = task_set.config.get("platformVersion", "LATEST")
            view["platformVersion"] = FARGATE_PLATFORM_VERSION if version == "LATEST" else version
            view["platformFamily"] = "Linux"
        return view


def blue_green_of(service: Service) -> BlueGreen | None:
    """The task sets of a CODE_DEPLOY service, if it has them."""
    return getattr(service, BLUE_GREEN_ATTR, None)


TASK_SET_FIELDS = (
    "taskDefinition",
    "launchType",
    "capacityProviderStrategy",
    "platformVersion",
    "networkConfiguration",
    "loadBalancers",
    "serviceRegistries",
)


def code_deploy_controlled(service: Service) -> bool:
    """Whether CodeDeploy deploys the service."""
    return service.deployment_controller.get("type", "ECS") == "CODE_DEPLOY"


def task_set_rollouts(call: EcsCall, service: Service) -> list[Rollout]:
    """The rollouts of a CODE_DEPLOY service's task sets (removed ones too), evaluated now."""
    blue_green = blue_green_of(service)
    if blue_green is None:
        return []
    blue_green.advance(call.now, call.faults)
    return [t.rollout for t in blue_green.retired + blue_green.task_sets]


def render(call: EcsCall, view: dict[str, Any]) -> None:
    """Put the task sets at the time of the call into a CODE_DEPLOY service as answered."""
    service = find_by_arn(call, view.get("serviceArn", ""))
    if service is None:
        return
    blue_green = blue_green_of(service)
    if blue_green is None:
        return
    blue_green.advance(call.now, call.faults)
    task_sets = [blue_green.view(t, call.now, call.faults) for t in blue_green.task_sets]
    view["taskSets"] = task_sets
    view["taskDefinition"] = service.task_definition
    primary = next((t for t in task_sets if t["status"] == "PRIMARY"), None)
    view["runningCount"] = primary["runningCount"] if primary else 0
    view["pendingCount"] = primary["pendingCount"] if primary else 0
    view["deployments"] = []


def after_create(call: EcsCall) -> None:
    """Give a new CODE_DEPLOY service its PRIMARY task set."""
    assert call.response is not None
    view = call.response["service"]
    service = find_by_arn(call, view["serviceArn"])
    if service is None or not code_deploy_controlled(service):
        return
    blue_green = BlueGreen(call.backend, service)
    setattr(service, BLUE_GREEN_ATTR, blue_green)
    config = {name: copy.deepcopy(view[name]) for name in TASK_SET_FIELDS if name in view}
    config["taskDefinition"] = service.task_definition
    containers = container_definitions(call.backend, service.task_definition)
    seconds = call.faults.rollout_seconds_for(service.task_definition, containers)
    blue_green.create_task_set(
        call.now,
        config,
        call.settings.rollout_seconds if seconds is None else seconds,
        call.faults,
        "PRIMARY",
    )
    render(call, view)


def after_update(call: EcsCall) -> None:
    """Scale a CODE_DEPLOY service's task sets to a new desiredCount."""
    assert call.response is not None
    view = call.response["service"]
    service = find_by_arn(call, view["serviceArn"])
    blue_green = None if service is None else blue_green_of(service)
    if blue_green is None or service is None:
        return
    blue_green.advance(call.now, call.faults)
    for task_set in blue_green.task_sets:
        if task_set.desired_count != service.desired_count and (
            task_set.status == "PRIMARY" or blue_green.deployment is not None
        ):
            blue_green.scale(
                task_set,
                call.now,
                service.desired_count,
                call.settings.rollout_seconds,
                call.faults,
            )
    render(call, view)


def after_delete(call: EcsCall) -> None:
    """Stop a deleted CODE_DEPLOY service's tasks over the rollout time."""
    assert call.response is not None
    view = call.response["service"]
    service = find_by_arn(call, view["serviceArn"])
    blue_green = None if service is None else blue_green_of(service)
    if blue_green is None:
        return
    blue_green.advance(call.now, call.faults)
    for task_set in blue_green.task_sets:
        blue_green.scale(task_set, call.now, 0, call.settings.rollout_seconds, call.faults)
    render(call, view)


def after_describe(call: EcsCall) -> None:
    """Evaluate each described CODE_DEPLOY service's task sets at the time of the call."""
    assert call.response is not None
    for view in call.response["services"]:
        render(call, view)


HOOKS = {
    "CreateService": Hooks(after=after_create),
    "UpdateService": Hooks(after=after_update),
    "DeleteService": Hooks(after=after_delete),
    "DescribeServices": Hooks(after=after_describe),
}


# --- AppSpec -------------------------------------------------------------------------------


def read_appspec(revision: Any) -> dict[str, Any]:
    """The AppSpec of a deployment's revision (``AppSpecContent``, JSON or YAML)."""
    if not isinstance(revision, dict) or revision.get("revisionType") not in (
        "AppSpecContent",
        "String",
    ):
        raise invalid_revision(
            "The revision of an ECS deployment must be AppSpecContent (revisionType "
            "AppSpecContent with appSpecContent.content)."
        )
    holder = revision.get("appSpecContent") or revision.get("string") or {}
    content = holder.get("content")
    if not isinstance(content, str) or not content.strip():
        raise invalid_revision("The AppSpec content is empty.")
    try:
        appspec = yaml.safe_load(content)  # JSON is YAML too
    except yaml.YAMLError as error:
        raise invalid_revision(f"The AppSpec file is not valid JSON or YAML: {error}") from None
    if not isinstance(appspec, dict):
        raise invalid_revision("The AppSpec file must be a JSON or YAML object.")
    return appspec


def target_service(appspec: dict[str, Any]) -> dict[str, Any]:
    """The ``Properties`` of the AppSpec's ``AWS::ECS::Service`` resource."""
    resources = appspec.get("Resources")
    if not isinstance(resources, list) or len(resources) != 1 or not isinstance(resources[0], dict):
        raise invalid_revision("The AppSpec file must list exactly one resource in Resources.")
    resource = next(iter(resources[0].values()), None) if len(resources[0]) == 1 else None
    if not isinstance(resource, dict) or resource.get("Type") != "AWS::ECS::Service":
        raise invalid_revision(
            "The resource in the AppSpec file must be of Type AWS::ECS::Service."
        )
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        raise invalid_revision("The AWS::ECS::Service resource in the AppSpec has no Properties.")
    return properties


def check_hooks(appspec: dict[str, Any]) -> list[dict[str, str]]:
    """The AppSpec's Hooks: a list of one-key objects naming an ECS lifecycle event."""
    hooks = appspec.get("Hooks", [])
    if hooks is None:
        return []
    if not isinstance(hooks, list):
        raise invalid_revision("Hooks in the AppSpec file must be a list.")
    for hook in hooks:
        if not isinstance(hook, dict) or len(hook) != 1:
            raise invalid_revision("Each hook in the AppSpec file must name one lifecycle event.")
        name = next(iter(hook))
        if name not in ECS_HOOKS:
            raise invalid_revision(
                f"The lifecycle event {name} in the AppSpec file is not valid for ECS "
                f"deployments; valid events: {', '.join(ECS_HOOKS)}."
            )
    return hooks


def ecs_network(network: Any) -> dict[str, Any]:
    """An AppSpec NetworkConfiguration as ECS shows it."""
    awsvpc = (network or {}).get("AwsvpcConfiguration") or (network or {}).get(
        "awsvpcConfiguration"
    )
    if not isinstance(awsvpc, dict) or not awsvpc.get("Subnets", awsvpc.get("subnets")):
        raise invalid_revision(
            "NetworkConfiguration in the AppSpec file must give AwsvpcConfiguration.Subnets."
        )
    answer: dict[str, Any] = {
        "subnets": list(awsvpc.get("Subnets", awsvpc.get("subnets")) or []),
        "assignPublicIp": awsvpc.get("AssignPublicIp", awsvpc.get("assignPublicIp", "DISABLED")),
    }
    groups = awsvpc.get("SecurityGroups", awsvpc.get("securityGroups"))
    if groups is not None:
        answer["securityGroups"] = list(groups)
    return {"awsvpcConfiguration": answer}


def ecs_strategy(strategy: Any) -> list[dict[str, Any]]:
    """An AppSpec CapacityProviderStrategy as ECS shows it."""
    if not isinstance(strategy, list):
        raise invalid_revision("CapacityProviderStrategy in the AppSpec file must be a list.")
    return [
        {
            "capacityProvider": item.get("CapacityProvider", item.get("capacityProvider")),
            "base": int(item.get("Base", item.get("base", 0))),
            "weight": int(item.get("Weight", item.get("weight", 0))),
        }
        for item in strategy
        if isinstance(item, dict)
    ]


def task_set_config(
    backend: EC2ContainerServiceBackend, properties: dict[str, Any], original: TaskSet | None
) -> dict[str, Any]:
    """The fields of the replacement task set that the AppSpec's service properties ask for."""
    wanted = properties.get("TaskDefinition")
    if not isinstance(wanted, str) or not wanted:
        raise invalid_revision(
            "The AppSpec file's AWS::ECS::Service resource has no TaskDefinition property."
        )
    try:
        definition = backend.describe_task_definition(wanted)
    except TaskDefinitionNotFoundException:
        raise invalid_revision(
            f"The task definition {wanted} in the AppSpec file does not exist."
        ) from None
    balancer = properties.get("LoadBalancerInfo")
    if not isinstance(balancer, dict) or "ContainerName" not in balancer:
        raise invalid_revision("The AppSpec file's LoadBalancerInfo has no ContainerName.")
    if "ContainerPort" not in balancer:
        raise invalid_revision("The AppSpec file's LoadBalancerInfo has no ContainerPort.")
    name = balancer["ContainerName"]
    try:
        port = int(balancer["ContainerPort"])
    except (TypeError, ValueError):
        raise invalid_revision(
            f"ContainerPort {balancer['ContainerPort']!r} in the AppSpec file is not a number."
        ) from None
    container = next((c for c in definition.container_definitions if c.get("name") == name), None)
    if container is None:
        raise invalid_revision(
            f"The container {name} in the AppSpec file's LoadBalancerInfo is not in task "
            f"definition {definition.arn}."
        )
    ports = [m.get("containerPort") for m in container.get("portMappings", [])]
    if port not in ports:
        raise invalid_revision(
            f"The container {name} of task definition {definition.arn} has no port mapping "
            f"for container port {port} (LoadBalancerInfo.ContainerPort in the AppSpec file)."
        )

    config = copy.deepcopy(original.config) if original is not None else {}
    config["taskDefinition"] = definition.arn
    balancers = config.get("loadBalancers") or [{}]
    first = dict(balancers[0])
    first.update({"containerName": name, "containerPort": port})
    config["loadBalancers"] = [first, *balancers[1:]]
    if "PlatformVersion" in properties:
        config["platformVersion"] = str(properties["PlatformVersion"])
    if "NetworkConfiguration" in properties:
        config["networkConfiguration"] = ecs_network(properties["NetworkConfiguration"])
    if "CapacityProviderStrategy" in properties:
        config["capacityProviderStrategy"] = ecs_strategy(properties["CapacityProviderStrategy"])
        config.pop("launchType", None)
    return config


def appspec_for(task_definition: str, config: dict[str, Any]) -> dict[str, Any]:
    """A revision whose AppSpec names a task set's task definition (for a rollback)."""
    balancer = (config.get("loadBalancers") or [{}])[0]
    appspec = {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": task_definition,
                        "LoadBalancerInfo": {
                            "ContainerName": balancer.get("containerName"),
                            "ContainerPort": balancer.get("containerPort"),
                        },
                    },
                }
            }
        ],
    }
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(appspec)}}


# --- deployments ---------------------------------------------------------------------------


@dataclass(eq=False)
class EcsDeployment:
    """What a CodeDeploy deployment of an ECS service does, and when."""

    info: DeploymentInfo
    blue_green: BlueGreen
    config: dict[str, Any]
    created_at: float
    seconds: float
    rollback_events: tuple[str, ...]
    wait_for_ready: bool = False
    rollback: bool = False
    status: str = "Created"
    started_at: float | None = None
    ready_at: float | None = None
    shifted_at: float | None = None
    completed_at: float | None = None
    continued_at: float | None = None
    failed_install: bool = False
    original: TaskSet | None = None
    replacement: TaskSet | None = None
    error: dict[str, str] | None = None
    rollback_info: dict[str, str] | None = None

    @property
    def id(self) -> str:
        """The deployment id."""
        return str(self.info.deployment_id)

    def _set_status(self, status: str, at: float) -> None:
        self.status = status
        self.info.status = status
        if status == "InProgress":
            self.started_at = at
            self.info.start_time = moment(at)
        if status in TERMINAL:
            self.completed_at = at
            self.info.complete_time = moment(at)
            if self.blue_green.deployment is self:
                self.blue_green.deployment = None
        self.info.deployment_overview = self.overview()

    def overview(self) -> dict[str, int]:
        """The target counts of ``deploymentOverview``: one target, the ECS service."""
        counts = dict.fromkeys(("Pending", "InProgress", "Succeeded", "Failed", "Skipped"), 0)
        counts["Ready"] = 0
        key = {
            "Created": "Pending",
            "InProgress": "InProgress",
            "Succeeded": "Succeeded",
            "Failed": "Failed",
            "Stopped": "Skipped",
        }[self.status]
        if self.waiting():
            key = "Ready"
        counts[key] = 1
        return counts

    def waiting(self, now: float | None = None) -> bool:
        """Whether the deployment waits for ContinueDeployment to reroute traffic."""
        at = time.time() if now is None else now
        return (
            self.wait_for_ready
            and self.status == "InProgress"
            and self.shifted_at is None
            and self.continued_at is None
            and self.ready_at is not None
            and self.ready_at <= at
        )

    def advance(self, now: float, faults: Faults) -> None:
        """Take every step of the deployment that is due by ``now``."""
        while self.status not in TERMINAL:
            if self.rollback:
                done = (self.started_at or self.created_at) + ROLLBACK_FOR * self.seconds
                if now < done:
                    return
                self._set_status("Succeeded", done)
                continue
            if self.status == "Created":
                start = self.created_at + START_AT * self.seconds
                if now < start:
                    return
                self._start(start, faults)
                continue
            if self.shifted_at is None:
                failed_at = self._failure_at()
                self.ready_at = self._ready_at()
                shift_at = None
                if self.ready_at is not None and (not self.wait_for_ready or self.continued_at):
                    shift_at = max(
                        self.ready_at,
                        self.created_at + SHIFT_AT * self.seconds,
                        self.continued_at or 0.0,
                    )
                if failed_at is not None and (shift_at is None or failed_at < shift_at):
                    if now < failed_at:
                        return
                    self.failed_install = True
                    self._end("Failed", failed_at, faults, self._failure_error(failed_at))
                    continue
                if shift_at is None or now < shift_at:
                    self.info.deployment_overview = self.overview()
                    return
                self._shift(shift_at, faults)
                continue
            done = self.shifted_at + DONE_AFTER_SHIFT * self.seconds
            if now < done:
                return
            self._succeed(done, faults)

    def _start(self, at: float, faults: Faults) -> None:
        blue_green = self.blue_green
        self.original = blue_green.primary
        self._set_status("InProgress", at)
        self.replacement = blue_green.create_task_set(
            at, self.config, INSTALL_FOR * self.seconds, faults, "ACTIVE", self.id
        )

    def _failure_at(self) -> float | None:
        replacement = self.replacement
        if replacement is None:
            return None
        times = [
            t.stopped_at
            for t in replacement.rollout.tasks
            if t.stop_code in FAILURE_STOP_CODES and t.stopped_at is not None
        ]
        return min(times) if times else None

    def _ready_at(self) -> float | None:
        replacement = self.replacement
        if replacement is None or replacement.rollout.primary is None:
            return None
        if any(t.failed is not None for t in replacement.rollout.tasks):
            return None
        return replacement.rollout.primary.completed_at

    def _failure_error(self, at: float) -> dict[str, str]:
        assert self.replacement is not None
        failed = [
            t
            for t in self.replacement.rollout.tasks
            if t.stop_code in FAILURE_STOP_CODES and t.stopped_at is not None and t.stopped_at <= at
        ]
        listed = "; ".join(f"(task {t.id}) {t.stopped_reason}" for t in failed)
        return {
            "code": "ECS_UPDATE_ERROR",
            "message": (
                "The ECS service cannot reach a steady state. Error: tasks of the replacement "
                f"task set {self.replacement.id} of service {self.blue_green.service.name} "
                f"failed: {listed}"
            ),
        }

    def _shift(self, at: float, faults: Faults) -> None:
        blue_green = self.blue_green
        assert self.replacement is not None
        self.shifted_at = at
        self.replacement.status = "PRIMARY"
        if self.original is not None and self.original in blue_green.task_sets:
            self.original.status = "ACTIVE"
            blue_green.scale(self.original, at, 0, DRAIN_FOR * self.seconds, faults)
        blue_green.follow_primary()
        self.info.deployment_overview = self.overview()

    def _succeed(self, at: float, faults: Faults) -> None:
        if self.original is not None and self.original in self.blue_green.task_sets:
            self.blue_green.remove(self.original, at, faults)
        self._set_status("Succeeded", at)

    def _end(
        self, status: str, at: float, faults: Faults, error: dict[str, str], rollback: bool = True
    ) -> None:
        """End the deployment Failed or Stopped; roll back if asked for and configured."""
        blue_green = self.blue_green
        event = "DEPLOYMENT_FAILURE" if status == "Failed" else "DEPLOYMENT_STOP_ON_REQUEST"
        rolls_back = rollback and event in self.rollback_events and self.replacement is not None
        original = self.original
        if self.replacement is not None and self.replacement in blue_green.task_sets:
            if self.shifted_at is not None and not rolls_back:
                # Traffic has moved: the replacement stays, the original goes.
                if original is not None and original in blue_green.task_sets:
                    blue_green.remove(original, at, faults)
            else:
                blue_green.remove(self.replacement, at, faults)
                if original is not None and original in blue_green.task_sets:
                    original.status = "PRIMARY"
                    service = blue_green.service
                    if original.desired_count != service.desired_count:
                        blue_green.scale(
                            original, at, service.desired_count, DRAIN_FOR * self.seconds, faults
                        )
        blue_green.follow_primary()
        self.error = error
        self._set_status(status, at)
        if rolls_back:
            self._start_rollback(at)

    def _start_rollback(self, at: float) -> None:
        info = self.info
        original = self.original
        revision = (
            appspec_for(original.task_definition, original.config)
            if original is not None
            else info.revision
        )
        rollback_info = DeploymentInfo(
            info.application,
            info.deployment_group,
            revision,
            info.deployment_config_name,
            f"Rollback of {self.id}",
            None,
            None,
            None,
            None,
            None,
            None,
            "codeDeployRollback",
        )
        rollback_info.deployment_id = new_deployment_id()
        rollback_info.create_time = moment(at)
        rollback = EcsDeployment(
            rollback_info,
            self.blue_green,
            copy.deepcopy(original.config) if original is not None else {},
            at,
            self.seconds,
            (),
            rollback=True,
        )
        setattr(rollback_info, STATE_ATTR, rollback)
        backend = codedeploy_backends[self.blue_green.backend.account_id][
            self.blue_green.backend.region_name
        ]
        backend.deployments[rollback_info.deployment_id] = rollback_info
        rollback.original = original
        rollback.rollback_info = {
            "rollbackTriggeringDeploymentId": self.id,
            "rollbackMessage": f"Rollback of deployment {self.id}.",
        }
        self.rollback_info = {
            "rollbackDeploymentId": rollback.id,
            "rollbackMessage": f"Deployment rolled back by deployment {rollback.id}.",
        }
        self.blue_green.deployment = rollback
        rollback._set_status("InProgress", at)

    def stop(self, now: float, faults: Faults, auto_rollback: bool | None) -> None:
        """StopDeployment: end Stopped, rolling back if asked (else as configured)."""
        if auto_rollback is None:
            rollback = True
        else:
            rollback = auto_rollback
            if auto_rollback:
                self.rollback_events = (*self.rollback_events, "DEPLOYMENT_STOP_ON_REQUEST")
        error = {"code": "MANUAL_STOP", "message": "The deployment was stopped by user request."}
        self._end("Stopped", now, faults, error, rollback)

    def lifecycle_events(self, now: float) -> list[dict[str, Any]]:
        """The ECS target's lifecycle events as GetDeploymentTarget shows them."""
        spans: dict[str, tuple[float | None, float | None]] = {}
        start, ready, shifted = self.started_at, self.ready_at, self.shifted_at
        done = self.completed_at if self.status == "Succeeded" else None
        spans["BeforeInstall"] = (start, start)
        spans["Install"] = (start, ready)
        for name in ("AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic"):
            spans[name] = (ready, ready)
        spans["BeforeAllowTraffic"] = (ready, shifted)
        spans["AllowTraffic"] = (shifted, shifted)
        spans["AfterAllowTraffic"] = (shifted, done)
        events = []
        for name in LIFECYCLE_EVENTS:
            begin, end = spans[name]
            event: dict[str, Any] = {"lifecycleEventName": name, "status": "Pending"}
            if begin is not None and begin <= now:
                event["startTime"] = epoch(begin)
                event["status"] = "InProgress"
                if end is not None and end <= now:
                    event["endTime"] = epoch(end)
                    event["status"] = "Succeeded"
            if event["status"] != "Succeeded" and self.status in ("Failed", "Stopped"):
                if event["status"] == "InProgress":
                    event["status"] = "Failed"
                    if self.completed_at is not None:
                        event["endTime"] = epoch(self.completed_at)
                else:
                    event["status"] = "Skipped"
            events.append(event)
        return events


def deployment_info(deployment: EcsDeployment) -> dict[str, Any]:
    """A deployment as GetDeployment shows it."""
    info = deployment.info
    group = info.deployment_group
    answer: dict[str, Any] = {
        "applicationName": info.application_name,
        "deploymentGroupName": info.deployment_group_name,
        "deploymentConfigName": str(info.deployment_config_name),
        "deploymentId": deployment.id,
        "revision": info.revision,
        "status": deployment.status,
        "createTime": epoch(deployment.created_at),
        "deploymentOverview": deployment.overview(),
        "creator": info.creator,
        "ignoreApplicationStopFailures": False,
        "updateOutdatedInstancesOnly": False,
        "instanceTerminationWaitTimeStarted": deployment.shifted_at is not None,
        "deploymentStyle": group.deployment_style
        or {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "computePlatform": "ECS",
        "fileExistsBehavior": "DISALLOW",
        "deploymentStatusMessages": [],
    }
    if info.description:
        answer["description"] = info.description
    if info.auto_rollback_configuration:
        answer["autoRollbackConfiguration"] = info.auto_rollback_configuration
    if group.blue_green_deployment_configuration:
        answer["blueGreenDeploymentConfiguration"] = group.blue_green_deployment_configuration
    if group.load_balancer_info:
        answer["loadBalancerInfo"] = group.load_balancer_info
    if deployment.started_at is not None:
        answer["startTime"] = epoch(deployment.started_at)
    if deployment.completed_at is not None:
        answer["completeTime"] = epoch(deployment.completed_at)
    if deployment.error is not None:
        answer["errorInformation"] = deployment.error
    if deployment.rollback_info is not None:
        answer["rollbackInfo"] = deployment.rollback_info
    return answer


def state_of(info: DeploymentInfo) -> EcsDeployment | None:
    """The ECS deployment behind a moto DeploymentInfo, if it is one."""
    return getattr(info, STATE_ATTR, None)


def is_ecs_group(group: DeploymentGroup) -> bool:
    """Whether a deployment group deploys ECS services."""
    return bool(group.ecs_services) or group.application.compute_platform == "ECS"


def create_deployment(
    backend: CodeDeployBackend, params: dict[str, Any], settings: Settings, faults: Faults
) -> dict[str, Any] | None:
    """CreateDeployment for an ECS deployment group; None for other groups (moto answers)."""
    application = params.get("applicationName", "")
    group_name = params.get("deploymentGroupName", "")
    if not application or not group_name:
        return None
    group = backend.get_deployment_group(application, group_name)
    if not is_ecs_group(group):
        return None
    now = time.time()
    if not group.ecs_services:
        raise CodeDeployError(
            "InvalidECSServiceException",
            f"The deployment group {group_name} names no ECS service.",
        )
    target = group.ecs_services[0]
    ecs = ecs_backends[backend.account_id][backend.region_name]
    service = ecs.services.get(f"{target.get('clusterName')}:{target.get('serviceName')}")
    if service is None or service.status != "ACTIVE":
        raise CodeDeployError(
            "InvalidECSServiceException",
            f"The ECS service {target.get('serviceName')} in cluster "
            f"{target.get('clusterName')} does not exist.",
        )
    blue_green = blue_green_of(service)
    if not code_deploy_controlled(service) or blue_green is None:
        raise CodeDeployError(
            "InvalidECSServiceException",
            "Deployment group's ECS service must be configured for a CODE_DEPLOY deployment "
            "controller.",
        )
    blue_green.advance(now, faults)
    if blue_green.deployment is not None:
        raise CodeDeployError(
            "DeploymentLimitExceededException",
            f"The Deployment Group '{group_name}' already has an active Deployment "
            f"'{blue_green.deployment.id}'",
        )

    config_name = (
        params.get("deploymentConfigName") or group.deployment_config_name or DEFAULT_CONFIG
    )
    if str(config_name) not in ECS_CONFIGS:
        raise CodeDeployError(
            "DeploymentConfigDoesNotExistException",
            f"No deployment configuration found for name: {config_name}",
        )
    appspec = read_appspec(params.get("revision"))
    properties = target_service(appspec)
    check_hooks(appspec)
    config = task_set_config(ecs, properties, blue_green.primary)

    rollback_config = params.get("autoRollbackConfiguration")
    if rollback_config is None:
        rollback_config = group.auto_rollback_configuration or None
    events: tuple[str, ...] = ()
    if rollback_config and rollback_config.get("enabled"):
        events = tuple(rollback_config.get("events") or ())
        unknown = [e for e in events if e not in ROLLBACK_EVENTS]
        if unknown:
            raise CodeDeployError(
                "InvalidAutoRollbackConfigException",
                f"Unknown automatic rollback events: {', '.join(unknown)}.",
            )
    ready = group.blue_green_deployment_configuration.get("deploymentReadyOption") or {}

    info = DeploymentInfo(
        backend.applications[application],
        group,
        params.get("revision"),
        str(config_name),
        params.get("description"),
        params.get("ignoreApplicationStopFailures"),
        None,
        rollback_config,
        params.get("updateOutdatedInstancesOnly"),
        params.get("fileExistsBehavior"),
        None,
        "user",
    )
    info.deployment_id = new_deployment_id()
    deployment = EcsDeployment(
        info,
        blue_green,
        config,
        now,
        settings.deployment_seconds(),
        events,
        wait_for_ready=ready.get("actionOnTimeout") == "STOP_DEPLOYMENT",
    )
    setattr(info, STATE_ATTR, deployment)
    info.deployment_overview = deployment.overview()
    backend.deployments[info.deployment_id] = info
    blue_green.deployment = deployment
    deployment.advance(now, faults)
    return {"deploymentId": deployment.id}


def find_deployment(backend: CodeDeployBackend, deployment_id: Any) -> DeploymentInfo:
    """Moto's DeploymentInfo, or CodeDeploy's error."""
    if not deployment_id:
        raise CodeDeployError("DeploymentIdRequiredException", "Deployment Id is required.")
    info = backend.deployments.get(str(deployment_id))
    if info is None:
        raise CodeDeployError(
            "DeploymentDoesNotExistException",
            f"The deployment {deployment_id} could not be found.",
        )
    return info


def target_of(deployment: EcsDeployment, faults: Faults) -> dict[str, Any]:
    """The ECS target of a deployment, as GetDeploymentTarget shows it."""
    blue_green = deployment.blue_green
    service = blue_green.service
    now = time.time()
    status = deployment.status
    if deployment.waiting(now):
        status = "Ready"
    elif status == "Created":
        status = "Pending"
    elif status == "Stopped":
        status = "Skipped"
    infos = []
    for task_set in (deployment.original, deployment.replacement):
        if task_set is None:
            continue
        shown = task_set.removed_at is None or task_set.removed_at > now
        counts = task_set.rollout.view(now, blue_green.conditions(task_set, faults))
        running = counts["runningCount"] if shown else 0
        balancer = (task_set.config.get("loadBalancers") or [{}])[0]
        group_name = str(balancer.get("targetGroupArn", "")).rpartition("/")[0].rpartition("/")[2]
        primary = task_set.status == "PRIMARY" and shown
        infos.append(
            {
                "identifer": task_set.id,
                "desiredCount": task_set.desired_count if shown else 0,
                "pendingCount": counts["pendingCount"] if shown else 0,
                "runningCount": running,
                "status": task_set.status if shown else "INACTIVE",
                "trafficWeight": 100.0 if primary else 0.0,
                "targetGroup": {"name": group_name},
                "taskSetLabel": "Blue" if task_set is deployment.original else "Green",
            }
        )
    return {
        "deploymentTargetType": "ECSTarget",
        "ecsTarget": {
            "deploymentId": deployment.id,
            "targetId": f"{service.cluster_name}:{service.name}",
            "targetArn": service.arn,
            "lastUpdatedAt": epoch(
                max(
                    t
                    for t in (
                        deployment.created_at,
                        deployment.started_at,
                        deployment.shifted_at,
                        deployment.completed_at,
                    )
                    if t is not None and t <= now
                )
            ),
            "lifecycleEvents": deployment.lifecycle_events(now),
            "status": status,
            "taskSetsInfo": infos,
        },
    }


class CodeDeployLayer:
    """WSGI middleware that answers CodeDeploy's ECS deployments and lets moto do the rest."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        settings: Settings,
        faults: Faults,
        lock: threading.RLock,
    ):
        self.app = app
        self.settings = settings
        self.faults = faults
        self.lock = lock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Serve one WSGI request."""
        request = json_request(environ, CODEDEPLOY_TARGET_PREFIX)
        if request is None:
            return self.app(environ, start_response)
        operation, params = request
        with self.lock:
            backend = codedeploy_backends[account_id_for(environ)][credential_scope(environ).region]
            now = time.time()
            try:
                self.advance_all(backend, now)
                answer = self.answer(backend, operation, params, now)
                if answer is None:
                    return self.app(environ, start_response)
            except CodeDeployError as error:
                return error_response(start_response, error.code, error.message, error.status)
            except JsonRESTError as error:
                return error_response(start_response, error.error_type, error.message, error.code)
        return json_response(start_response, answer)

    def advance_all(self, backend: CodeDeployBackend, now: float) -> None:
        """Bring every ECS deployment of the region up to ``now``."""
        for info in list(backend.deployments.values()):
            state = state_of(info)
            if state is not None and state.status not in TERMINAL:
                state.blue_green.advance(now, self.faults)

    def answer(
        self, backend: CodeDeployBackend, operation: str, params: dict[str, Any], now: float
    ) -> dict[str, Any] | None:
        """This layer's answer to a CodeDeploy request, or None to let moto answer."""
        if operation == "CreateDeployment":
            return create_deployment(backend, params, self.settings, self.faults)
        if operation == "GetDeployment":
            state = state_of(find_deployment(backend, params.get("deploymentId")))
            return None if state is None else {"deploymentInfo": deployment_info(state)}
        if operation == "BatchGetDeployments":
            infos = []
            for deployment_id in params.get("deploymentIds") or []:
                info = backend.deployments.get(deployment_id)
                state = None if info is None else state_of(info)
                if state is not None:
                    infos.append(deployment_info(state))
                elif info is not None:
                    return None  # not only ECS deployments: moto answers them all
            return {"deploymentsInfo": infos}
        if operation == "StopDeployment":
            state = self.ecs_state(backend, params.get("deploymentId"))
            if state.status in TERMINAL:
                raise CodeDeployError(
                    "DeploymentAlreadyCompletedException",
                    f"The deployment {state.id} has already completed.",
                )
            rollback = params.get("autoRollbackEnabled")
            state.stop(now, self.faults, None if rollback is None else bool(rollback))
            return {"status": "Succeeded", "statusMessage": f"Deployment {state.id} stopped."}
        if operation == "ContinueDeployment":
            state = self.ecs_state(backend, params.get("deploymentId"))
            if state.status in TERMINAL:
                raise CodeDeployError(
                    "DeploymentAlreadyCompletedException",
                    f"The deployment {state.id} has already completed.",
                )
            wait_type = params.get("deploymentWaitType", "READY_WAIT")
            if wait_type == "READY_WAIT":
                if not state.waiting(now):
                    raise CodeDeployError(
                        "DeploymentIsNotInReadyStateException",
                        f"The deployment {state.id} is not in a ready state.",
                    )
                state.continued_at = now
                state.blue_green.advance(now, self.faults)
            return {}
        if operation == "ListDeploymentTargets":
            state = self.ecs_state(backend, params.get("deploymentId"))
            service = state.blue_green.service
            return {"targetIds": [f"{service.cluster_name}:{service.name}"]}
        if operation in ("GetDeploymentTarget", "BatchGetDeploymentTargets"):
            state = self.ecs_state(backend, params.get("deploymentId"))
            wanted = params.get("targetIds") or [params.get("targetId")]
            service = state.blue_green.service
            for target_id in wanted:
                if target_id != f"{service.cluster_name}:{service.name}":
                    raise CodeDeployError(
                        "DeploymentTargetDoesNotExistException",
                        f"The deployment target {target_id} does not exist.",
                    )
            if operation == "GetDeploymentTarget":
                return {"deploymentTarget": target_of(state, self.faults)}
            return {"deploymentTargets": [target_of(state, self.faults) for _wanted in wanted]}
        return None

    def ecs_state(self, backend: CodeDeployBackend, deployment_id: Any) -> EcsDeployment:
        """The ECS deployment of this id, or CodeDeploy's error."""
        info = find_deployment(backend, deployment_id)
        state = state_of(info)
        if state is None:
            raise CodeDeployError(
                "UnsupportedActionForDeploymentTypeException",
                "This action is only supported for ECS deployments in this local AWS.",
            )
        return state


def json_response(start_response: Callable[..., Any], payload: dict[str, Any]) -> list[bytes]:
    """A successful CodeDeploy JSON answer."""
    body = json.dumps(payload).encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", JSON_CONTENT_TYPE),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
    )
    return [body]


def error_response(
    start_response: Callable[..., Any], code: str, message: str, status: int = 400
) -> list[bytes]:
    """A CodeDeploy JSON error, shaped as botocore parses it."""
    body = json.dumps({"__type": code, "message": message}).encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [
            ("Content-Type", JSON_CONTENT_TYPE),
            ("Content-Length", str(len(body))),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
    )
    return [body]
