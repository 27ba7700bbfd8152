"""Service tasks and run tasks in ListTasks and DescribeTasks.

Moto gap: moto starts no task for a service, so a service's tasks (here, the tasks of its
rollout plan, see :mod:`~tests.localaws.rollouts`) are not listed by ListTasks and not found by
DescribeTasks; nor are the tasks that RunTask starts here (:mod:`~tests.localaws.run_tasks`).
Moto's ListTasks also ignores ``serviceName`` (it lists every task of the cluster), lists
stopped tasks when no ``desiredStatus`` is given (ECS: RUNNING), and pages nothing.

Here ListTasks lists the plan's tasks of the cluster's services, then its run tasks, then moto's
own tasks (StartTask), filtered by ``serviceName``, ``startedBy``, ``family``, ``launchType``,
``containerInstance`` and ``desiredStatus`` (RUNNING by default, which includes PENDING tasks;
STOPPED lists recently stopped ones), paged by ``maxResults`` and ``nextToken``. DescribeTasks
describes the plan's tasks and the run tasks as ECS does, with their status, times, stop code
and reason, and containers; other ARNs go to moto, and those that nobody knows come back in
``failures`` with reason ``MISSING``.
"""

from __future__ import annotations

from typing import Any

from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.ecs.models import Service
from moto.ecs.models import Task as MotoTask

from . import codedeploy, run_tasks
from .ecs_api import EcsCall, Hooks, container_arn, epoch, task_arn
from .ecs_api import cluster_name as requested_cluster
from .faults import EXIT, FAIL_TO_START
from .rollouts import (
    ESSENTIAL_CONTAINER_EXITED,
    FARGATE_PLATFORM_VERSION,
    TASK_FAILED_TO_START,
    Rollout,
    Task,
    container_definitions,
    evaluate,
)
from .services import fields
from .task_definition_list import decode_token, encode_token, page_size

PlanTask = tuple[Service, Rollout, Task]
FAILURE_STOP_CODES = (TASK_FAILED_TO_START, ESSENTIAL_CONTAINER_EXITED)


def cluster_name(call: EcsCall) -> str:
    """The name of the cluster a request names (``default`` when it names none)."""
    return requested_cluster(call.params)


def plan_tasks(call: EcsCall, cluster: str) -> list[PlanTask]:
    """The tasks of the rollout plans of a cluster's services, evaluated now, oldest first."""
    found: list[PlanTask] = []
    for service in list(call.backend.services.values()):
        if service.cluster_name != cluster:
            continue
        rollout = evaluate(call, service)
        rollouts = [rollout] if rollout is not None else codedeploy.task_set_rollouts(call, service)
        for planned in rollouts:
            found.extend((service, planned, task) for task in planned.tasks)
    found.sort(key=lambda entry: entry[2].started_at)
    return found


def family_of(task_definition_arn: str) -> str:
    """The family in a task definition ARN."""
    return task_definition_arn.rpartition("/")[2].rpartition(":")[0]


def last_status(task: Task, now: float) -> str:
    """PENDING, RUNNING or STOPPED at ``now``."""
    if not task.alive(now):
        return "STOPPED"
    return "RUNNING" if task.running(now) else "PENDING"


def wanted(call: EcsCall, service: Service, task: Task) -> bool:
    """Whether a plan task passes ListTasks' filters."""
    params = call.params
    if "containerInstance" in params:
        return False
    if "serviceName" in params and service.name != params["serviceName"].rpartition("/")[2]:
        return False
    if "startedBy" in params and task.deployment.id != params["startedBy"]:
        return False
    if "family" in params and family_of(task.deployment.task_definition) != params["family"]:
        return False
    if "launchType" in params and task.deployment.config.get("launchType") != params["launchType"]:
        return False
    desired = params.get("desiredStatus", "RUNNING")
    status = "RUNNING" if task.alive(call.now) else "STOPPED"
    return desired == status


def moto_task(call: EcsCall, arn: str) -> MotoTask | None:
    """Moto's own task with this ARN, if any."""
    for tasks in call.backend.tasks.values():
        for task in tasks.values():
            if task.task_arn == arn:
                return task
    return None


def moto_wanted(call: EcsCall, task: MotoTask | None) -> bool:
    """Whether a task of moto's passes the ListTasks filters that moto ignores."""
    if task is None:
        return True
    params = call.params
    if "serviceName" in params and task.group != f"service:{params['serviceName']}":
        return False
    if "launchType" in params and task.launch_type != params["launchType"]:
        return False
    return "desiredStatus" in params or task.desired_status == "RUNNING"


def before_list(call: EcsCall) -> None:
    """Check the paging parameters before moto sees the request."""
    page_size(call.params)
    if "nextToken" in call.params:
        decode_token(call.params["nextToken"])


def after_list(call: EcsCall) -> None:
    """List the plan's tasks, then the run tasks, then moto's, filtered as ECS filters, one
    page."""
    assert call.response is not None
    cluster = cluster_name(call)
    arns = [
        task_arn(call, cluster, task.id)
        for service, _rollout, task in plan_tasks(call, cluster)
        if wanted(call, service, task)
    ]
    arns += [
        task_arn(call, cluster, task.id)
        for task in run_tasks.run_tasks(call, cluster)
        if run_tasks.listed(call, task)
    ]
    arns += [
        arn for arn in call.response.get("taskArns", []) if moto_wanted(call, moto_task(call, arn))
    ]
    start = decode_token(call.params["nextToken"]) if "nextToken" in call.params else 0
    end = start + page_size(call.params)
    call.response = {"taskArns": arns[start:end]}
    if end < len(arns):
        call.response["nextToken"] = encode_token(end)


def before_describe(call: EcsCall) -> None:
    """Take the plan's tasks and the run tasks out of the request; answer here if moto has
    nothing to find."""
    requested = call.params.get("tasks")
    if not isinstance(requested, list) or not requested:
        return
    cluster = cluster_name(call)
    by_id: dict[str, PlanTask | run_tasks.RunTask] = {
        entry[2].id: entry for entry in plan_tasks(call, cluster)
    }
    by_id.update({task.id: task for task in run_tasks.run_tasks(call, cluster)})
    ours: list[PlanTask | run_tasks.RunTask] = []
    rest: list[str] = []
    for reference in requested:
        entry = by_id.get(str(reference).rpartition("/")[2])
        if entry is None:
            rest.append(reference)
        elif not any(entry is known for known in ours):
            ours.append(entry)
    call.scratch["our_tasks"] = ours
    call.scratch["moto_tasks"] = rest
    if ours and not rest:
        call.response = {"tasks": [], "failures": []}
    else:
        call.params["tasks"] = rest


def after_describe(call: EcsCall) -> None:
    """Put the plan's tasks and the run tasks in the answer, and report the tasks nobody knows
    as MISSING."""
    assert call.response is not None
    if "our_tasks" not in call.scratch:
        return
    cluster = cluster_name(call)
    include_tags = "TAGS" in call.params.get("include", [])
    described = [
        run_tasks.describe(call, entry, include_tags, call.now)
        if isinstance(entry, run_tasks.RunTask)
        else describe_task(call, cluster, entry[0], entry[2], include_tags)
        for entry in call.scratch["our_tasks"]
    ]
    moto_tasks = call.response.get("tasks", [])
    found = {t.get("taskArn", "") for t in moto_tasks}
    found |= {arn.rpartition("/")[2] for arn in found}
    failures = list(call.response.get("failures", []))
    for reference in call.scratch["moto_tasks"]:
        if reference not in found:
            arn = reference if reference.startswith("arn:") else task_arn(call, cluster, reference)
            failures.append({"arn": arn, "reason": "MISSING"})
    call.response = {"tasks": described + moto_tasks, "failures": failures}


def describe_task(
    call: EcsCall, cluster: str, service: Service, task: Task, include_tags: bool
) -> dict[str, Any]:
    """A plan task as ECS's DescribeTasks answers it."""
    now = call.now
    deployment = task.deployment
    config = deployment.config
    arn = task_arn(call, cluster, task.id)
    status = last_status(task, now)
    stopped = status == "STOPPED"
    ran = task.running_at is not None and task.running_at <= now and task.ran()

    view: dict[str, Any] = {
        "taskArn": arn,
        "clusterArn": service.cluster_arn,
        "taskDefinitionArn": deployment.task_definition,
        "group": f"service:{service.name}",
        "startedBy": deployment.id,
        "lastStatus": status,
        "desiredStatus": "STOPPED" if stopped else "RUNNING",
        "healthStatus": "UNKNOWN",
        "createdAt": epoch(task.started_at),
        "version": 1 + int(ran) + int(stopped),
        "enableExecuteCommand": bool(fields(service).get("enableExecuteCommand", False)),
        "attachments": [],
    }
    if "launchType" in config:
        view["launchType"] = config["launchType"]
    elif config.get("capacityProviderStrategy"):
        view["capacityProviderName"] = config["capacityProviderStrategy"][0]["capacityProvider"]
    if config.get("launchType") == "FARGATE":
        version = config.get("platformVersion", "LATEST")
        view["platformVersion"] = FARGATE_PLATFORM_VERSION if version == "LATEST" else version
        view["platformFamily"] = "Linux"
    definition = task_definition_of(call, deployment.task_definition)
    for name in ("cpu", "memory"):
        if definition is not None and getattr(definition, name, None):
            view[name] = str(getattr(definition, name))
    if ran:
        view["startedAt"] = epoch(task.running_at or 0.0)
        view["connectivity"] = "CONNECTED"
    if stopped:
        assert task.stopped_at is not None
        view["stoppingAt"] = epoch(task.stopped_at)
        view["stoppedAt"] = epoch(task.stopped_at)
        view["executionStoppedAt"] = epoch(task.stopped_at)
        view["stopCode"] = task.stop_code
        view["stoppedReason"] = task.stopped_reason
    view["containers"] = containers(call, task, arn, cluster, status, ran)
    if include_tags:
        view["tags"] = []
    return view


def task_definition_of(call: EcsCall, arn: str) -> Any:
    """Moto's TaskDefinition object, or None if it is gone."""
    try:
        return call.backend.describe_task_definition(arn)
    except TaskDefinitionNotFoundException:
        return None


def containers(
    call: EcsCall, task: Task, arn: str, cluster: str, status: str, ran: bool
) -> list[dict[str, Any]]:
    """The task's containers: one per container definition, in the task's status."""
    failed = task.failed if task.stop_code in FAILURE_STOP_CODES else None
    answer = []
    for definition in container_definitions(call, task.deployment.task_definition):
        name = definition.get("name", "")
        container: dict[str, Any] = {
            "containerArn": container_arn(call, cluster, task.id, name),
            "taskArn": arn,
            "name": name,
            "image": definition.get("image", ""),
            "lastStatus": status,
            "healthStatus": "UNKNOWN",
            "cpu": str(definition.get("cpu", 0)),
            "networkInterfaces": [],
        }
        if status == "STOPPED":
            if failed is not None and failed.mode == FAIL_TO_START and name == failed.container:
                container["reason"] = task.stopped_reason
            elif failed is not None and failed.mode == EXIT and name == failed.container:
                container["exitCode"] = 1
            elif ran:
                container["exitCode"] = 0
        answer.append(container)
    return answer


HOOKS = {
    "ListTasks": Hooks(before=before_list, after=after_list),
    "DescribeTasks": Hooks(before=before_describe, after=after_describe),
}
