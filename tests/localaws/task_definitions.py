"""Task definitions answered as real ECS answers them.

Moto gap: moto's RegisterTaskDefinition echoes what it was sent plus a few container defaults.
It leaves out ``registeredAt``, ``registeredBy`` and ``requiresAttributes``; fills no
``protocol``, ``hostPort`` or health-check defaults; keeps ``"1 vCPU"`` and ``"1GB"`` as sent;
reports ``networkMode: bridge`` when none was sent; computes ``compatibilities`` from
``requiresCompatibilities`` alone; keeps ``environment`` and ``secrets`` in the order sent (ECS
reorders them); drops fields it does not model (``enableFaultInjection``, ...); and accepts
definitions that ECS refuses (Fargate without awsvpc or task size, awsvpc host ports that differ
from container ports). This extension validates and normalizes the request before moto stores
it, keeps the full description that ECS would return on moto's TaskDefinition object, and
answers Register, Describe, Deregister and DeleteTaskDefinitions with it. Tags already come back
only with ``include=["TAGS"]`` in moto, as in ECS.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from moto.ecs.models import TaskDefinition
from moto.utilities.utils import get_partition

from .ecs_api import EcsCall, Hooks, client_error, epoch, invalid_parameter

DESCRIPTION_ATTR = "_localaws_description"
DEREGISTERED_AT_ATTR = "_localaws_deregistered_at"

CONTAINER_LIST_DEFAULTS = ("portMappings", "environment", "mountPoints", "volumesFrom")
TASK_LIST_DEFAULTS = ("volumes", "placementConstraints")
HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}

# Fargate task sizes: cpu units -> the memory values (MiB) allowed with them.
FARGATE_SIZES: dict[int, range] = {
    256: range(512, 2048 + 1, 512),
    512: range(1024, 4096 + 1, 1024),
    1024: range(2048, 8192 + 1, 1024),
    2048: range(4096, 16384 + 1, 1024),
    4096: range(8192, 30720 + 1, 1024),
    8192: range(16384, 61440 + 1, 4096),
    16384: range(32768, 122880 + 1, 8192),
}


def cpu_units(value: Any) -> str:
    """Task cpu as ECS stores it: ``"1 vCPU"`` and ``"0.25 vCPU"`` become ``"1024"``, ``"256"``."""
    text = str(value).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*vcpu", text, re.IGNORECASE)
    return str(round(float(match.group(1)) * 1024)) if match else text


def memory_mib(value: Any) -> str:
    """Task memory as ECS stores it: ``"1GB"`` and ``"1 GB"`` become ``"1024"``."""
    text = str(value).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)", text, re.IGNORECASE)
    if not match:
        return text
    amount = float(match.group(1))
    return str(round(amount * 1024 if match.group(2).lower().startswith("g") else amount))


def validate(definition: dict[str, Any]) -> None:
    """Refuse what ECS refuses at registration, with ECS's own words."""
    if not definition.get("containerDefinitions"):
        raise client_error("Container list cannot be empty.")
    network_mode = definition.get("networkMode")
    if "FARGATE" in definition.get("requiresCompatibilities", []):
        if network_mode != "awsvpc":
            raise client_error("Fargate only supports network mode \u2018awsvpc\u2019.")
        for size in ("cpu", "memory"):
            if size not in definition:
                raise client_error(f"Fargate requires that '{size}' be defined at the task level.")
        cpu, memory = definition["cpu"], definition["memory"]
        if not (
            cpu.isdigit() and memory.isdigit() and int(memory) in FARGATE_SIZES.get(int(cpu), ())
        ):
            raise client_error(
                f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
                "See the Amazon ECS documentation for the valid values."
            )

    for container in definition.get("containerDefinitions", []):
        if network_mode == "awsvpc":
            for mapping in container.get("portMappings", []):
                host_port = mapping.get("hostPort")
                if host_port is not None and host_port != mapping.get("containerPort"):
                    raise client_error(
                        "When networkMode=awsvpc, the host ports and container ports in port "
                        "mappings must match."
                    )
        has_memory = "memory" in container or "memoryReservation" in container
        if not has_memory and "memory" not in definition:
            raise client_error(
                f"Invalid setting for container '{container.get('name')}'. At least one of "
                "'memory' or 'memoryReservation' must be specified."
            )


def normalize_container(container: dict[str, Any], network_mode: str | None) -> dict[str, Any]:
    """Fill a container definition's defaults as ECS does, and reorder env and secrets."""
    container.setdefault("cpu", 0)
    container.setdefault("essential", True)
    for name in CONTAINER_LIST_DEFAULTS:
        container.setdefault(name, [])

    for mapping in container["portMappings"]:
        mapping.setdefault("protocol", "tcp")
        if "containerPort" in mapping and "hostPort" not in mapping:
            dynamic = network_mode in (None, "bridge")
            mapping["hostPort"] = 0 if dynamic else mapping["containerPort"]

    # ECS returns these lists in its own order; reversing catches order-sensitive comparisons.
    for name in ("environment", "secrets"):
        if name in container:
            container[name] = list(reversed(container[name]))

    if "healthCheck" in container:
        for key, value in HEALTH_CHECK_DEFAULTS.items():
            container["healthCheck"].setdefault(key, value)

    capabilities = container.get("linuxParameters", {}).get("capabilities")
    if capabilities is not None:
        capabilities.setdefault("add", [])
    return container


def normalize(params: dict[str, Any]) -> dict[str, Any]:
    """The task definition as ECS stores it, from a RegisterTaskDefinition request."""
    definition = copy.deepcopy(params)
    definition.pop("tags", None)
    if "cpu" in definition:
        definition["cpu"] = cpu_units(definition["cpu"])
    if "memory" in definition:
        definition["memory"] = memory_mib(definition["memory"])
    for name in TASK_LIST_DEFAULTS:
        definition.setdefault(name, [])
    network_mode = definition.get("networkMode")
    for container in definition.get("containerDefinitions", []):
        normalize_container(container, network_mode)
    return definition


def requires_attributes(definition: dict[str, Any]) -> list[dict[str, str]]:
    """The agent capabilities ECS derives from a task definition."""
    containers = definition.get("containerDefinitions", [])
    has_execution_role = "executionRoleArn" in definition
    names: list[str] = []

    if any(c.get("logConfiguration", {}).get("logDriver") == "awslogs" for c in containers):
        names += [
            "com.amazonaws.ecs.capability.logging-driver.awslogs",
            "com.amazonaws.ecs.capability.docker-remote-api.1.19",
        ]
        if has_execution_role:
            names.append("ecs.capability.execution-role-awslogs")
    if any(".dkr.ecr." in c.get("image", "") for c in containers):
        names.append("com.amazonaws.ecs.capability.ecr-auth")
        if has_execution_role:
            names.append("ecs.capability.execution-role-ecr-pull")
    if "taskRoleArn" in definition:
        names.append("com.amazonaws.ecs.capability.task-iam-role")
    if any("memoryReservation" in c for c in containers):
        names.append("com.amazonaws.ecs.capability.docker-remote-api.1.21")
    if any("healthCheck" in c for c in containers):
        names.append("ecs.capability.container-health-check")
    for container in containers:
        for secret in container.get("secrets", []):
            store = "asm" if ":secretsmanager:" in secret.get("valueFrom", "") else "ssm"
            names.append(f"ecs.capability.secrets.{store}.environment-variables")
    if any("efsVolumeConfiguration" in v for v in definition.get("volumes", [])):
        names.append("ecs.capability.efs")
    if definition.get("networkMode") == "awsvpc":
        names.append("ecs.capability.task-eni")
    return [{"name": name} for name in dict.fromkeys(names)]


def compatibilities(definition: dict[str, Any]) -> list[str]:
    """Where a task definition can run: Fargate needs awsvpc and a task size."""
    fargate_ready = definition.get("networkMode") == "awsvpc" and {"cpu", "memory"} <= set(
        definition
    )
    return ["EC2", "FARGATE"] if fargate_ready else ["EC2"]


def find(call: EcsCall, arn: str) -> TaskDefinition | None:
    """Moto's TaskDefinition object for an ARN."""
    family, _colon, revision = arn.rpartition("/")[2].partition(":")
    return call.backend.task_definitions.get(family, {}).get(int(revision))


def describe(call: EcsCall, moto_view: dict[str, Any]) -> dict[str, Any]:
    """A task definition as ECS returns it, with its current status from moto."""
    task_definition = find(call, moto_view["taskDefinitionArn"])
    stored = getattr(task_definition, DESCRIPTION_ATTR, None)
    if stored is None:
        return moto_view

    view = copy.deepcopy(stored)
    view["status"] = moto_view.get("status", view["status"])
    deregistered_at = getattr(task_definition, DEREGISTERED_AT_ATTR, None)
    if deregistered_at is not None:
        view["deregisteredAt"] = deregistered_at
    return view


def before_register(call: EcsCall) -> None:
    """Validate the definition and hand moto the normalized one."""
    definition = normalize(call.params)
    validate(definition)
    call.scratch["definition"] = definition
    tags = call.params.get("tags")
    call.params = dict(definition, **({"tags": tags} if tags is not None else {}))


def after_register(call: EcsCall) -> None:
    """Keep the full ECS description on moto's object and answer with it."""
    assert call.response is not None
    moto_view = call.response["taskDefinition"]
    definition = call.scratch["definition"]
    partition = get_partition(call.region)
    stored = {
        "taskDefinitionArn": moto_view["taskDefinitionArn"],
        **definition,
        "revision": moto_view["revision"],
        "status": moto_view["status"],
        "requiresAttributes": requires_attributes(definition),
        "compatibilities": compatibilities(definition),
        "registeredAt": epoch(call.now),
        "registeredBy": f"arn:{partition}:iam::{call.account_id}:root",
    }
    task_definition = find(call, stored["taskDefinitionArn"])
    if task_definition is not None:
        setattr(task_definition, DESCRIPTION_ATTR, stored)
        call.response["taskDefinition"] = describe(call, moto_view)


def after_describe(call: EcsCall) -> None:
    """Answer DescribeTaskDefinition with the stored description."""
    assert call.response is not None
    call.response["taskDefinition"] = describe(call, call.response["taskDefinition"])


def after_deregister(call: EcsCall) -> None:
    """Note when the definition was deregistered, and answer with its description."""
    assert call.response is not None
    task_definition = find(call, call.response["taskDefinition"]["taskDefinitionArn"])
    if task_definition is not None and getattr(task_definition, DEREGISTERED_AT_ATTR, None) is None:
        setattr(task_definition, DEREGISTERED_AT_ATTR, epoch(call.now))
    after_describe(call)


def before_delete(call: EcsCall) -> None:
    """Keep the descriptions for the answer: moto forgets deleted definitions."""
    for reference in call.params.get("taskDefinitions", []):
        family, _colon, revision = reference.rpartition("/")[2].partition(":")
        task_definition = call.backend.task_definitions.get(family, {}).get(
            int(revision) if revision.isdigit() else -1
        )
        stored = getattr(task_definition, DESCRIPTION_ATTR, None)
        if stored is not None:
            call.scratch[stored["taskDefinitionArn"]] = task_definition


def after_delete(call: EcsCall) -> None:
    """Answer with the deleted definitions' descriptions, marked with the time of deletion."""
    assert call.response is not None
    views = []
    for moto_view in call.response.get("taskDefinitions", []):
        task_definition = call.scratch.get(moto_view["taskDefinitionArn"])
        if task_definition is None:
            views.append(moto_view)
            continue
        view = copy.deepcopy(getattr(task_definition, DESCRIPTION_ATTR))
        view["status"] = moto_view.get("status", "DELETE_IN_PROGRESS")
        view["deleteRequestedAt"] = epoch(call.now)
        deregistered_at = getattr(task_definition, DEREGISTERED_AT_ATTR, None)
        if deregistered_at is not None:
            view["deregisteredAt"] = deregistered_at
        views.append(view)
    call.response["taskDefinitions"] = views


HOOKS = {
    "RegisterTaskDefinition": Hooks(before=before_register, after=after_register),
    "DescribeTaskDefinition": Hooks(after=after_describe),
    "DeregisterTaskDefinition": Hooks(after=after_deregister),
    "DeleteTaskDefinitions": Hooks(before=before_delete, after=after_delete),
}


def task_definition(call: EcsCall, reference: str) -> TaskDefinition:
    """The task definition revision a RunTask names: a family's latest ACTIVE revision, or the
    revision that ``family:revision`` or an ARN names, which must be ACTIVE."""
    name = str(reference).rpartition("/")[2]
    family, _colon, revision = name.partition(":")
    revisions = call.backend.task_definitions.get(family, {})
    if not revision:
        active = [r for r, d in revisions.items() if d.status == "ACTIVE"]
        if not active:
            raise client_error("Unable to describe task definition.")
        return revisions[max(active)]
    found = revisions.get(int(revision)) if revision.isdigit() else None
    if found is None:
        raise client_error("Unable to describe task definition.")
    if found.status != "ACTIVE":
        raise invalid_parameter("TaskDefinition is inactive")
    return found


def description(definition: TaskDefinition) -> dict[str, Any]:
    """A task definition as ECS describes it (kept by the task definitions extension; made from
    moto's object for one registered before the local AWS saw it)."""
    stored = getattr(definition, DESCRIPTION_ATTR, None)
    if stored is not None:
        return copy.deepcopy(stored)
    view: dict[str, Any] = {
        "taskDefinitionArn": definition.arn,
        "family": definition.family,
        "revision": definition.revision,
        "containerDefinitions": copy.deepcopy(definition.container_definitions),
        "compatibilities": list(definition.compatibilities),
    }
    for key, attribute in (
        ("networkMode", "network_mode"),
        ("cpu", "cpu"),
        ("memory", "memory"),
        ("ephemeralStorage", "ephemeral_storage"),
        ("runtimePlatform", "runtime_platform"),
    ):
        if getattr(definition, attribute, None):
            view[key] = copy.deepcopy(getattr(definition, attribute))
    return view
