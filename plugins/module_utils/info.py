# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read-only views of a service: its rendered definitions, the diff against what runs, its
status and its task definition revisions. Nothing here changes anything in AWS."""

from __future__ import annotations

from . import codedeploy, definitions
from .aws import call, short_arn
from .deploy import (
    DeployOptions,
    active_revisions,
    deploy,
    ensure_task_definition,
    summarize_service,
)
from .errors import AwsCallError, DefinitionError
from .progress import Progress
from .wait import describe_service

QUERIES = ("render", "diff", "status", "revisions", "verify", "appspec")


def render(target):
    """The task and service definitions exactly as a deploy would send them."""
    service = dict(target.service_definition)
    service.update(cluster=target.cluster, serviceName=target.service)
    return {
        "task_definition": target.task_definition,
        "service_definition": service,
    }


def diff(session, target):
    """What a deploy would change, as a unified diff (``ecspresso diff``)."""
    outcome = deploy(session, target, DeployOptions(wait=False), Progress(), check_mode=True)
    text = "".join(
        definitions.text_diff(
            entry["before"], entry["after"], entry["before_header"], entry["after_header"]
        )
        for entry in outcome["diff"]
    )
    return {"changed": outcome["changed"], "text": text, "entries": outcome["diff"]}


def appspec(session, target, hooks=None):
    """The AppSpec a blue/green deploy would send: the task definition revision the deploy
    would run (``family:(new revision)`` when it would register one)."""
    ecs = session.client("ecs")
    live = describe_service(ecs, target.cluster, target.service)
    live = live if live and live.get("status") == "ACTIVE" else None
    if not codedeploy.is_code_deploy(live or target.service_definition):
        raise DefinitionError(
            target.sources.get("service_definition") or "service definition",
            f"service {target.service} is not deployed through CodeDeploy, so no AppSpec is "
            "sent for it",
            'give the service definition "deploymentController": {"type": "CODE_DEPLOY"} to '
            "deploy it blue/green, or leave appspec out of show",
            field="deploymentController",
        )
    scratch = {"changed": False, "diff": []}
    arn = ensure_task_definition(ecs, target, live, Progress(), True, scratch)
    return codedeploy.appspec(
        arn,
        {**(live or {}), **target.service_definition},
        hooks,
        target.sources.get("service_definition") or "service definition",
    )


def status(session, cluster, service_name, events=10):
    """Deployments, task sets, auto scaling and the last ``events`` events of a service."""
    ecs = session.client("ecs")
    service = describe_service(ecs, cluster, service_name)
    if service is None:
        raise AwsCallError(f"service {service_name} not found in cluster {cluster}")
    summary = summarize_service(service)
    summary["task_sets"] = [
        {
            "id": task_set.get("id"),
            "status": task_set.get("status"),
            "task_definition": task_set.get("taskDefinition"),
            "running_count": task_set.get("runningCount"),
            "stability_status": task_set.get("stabilityStatus"),
            "scale": task_set.get("scale"),
        }
        for task_set in service.get("taskSets", [])
    ]
    summary["events"] = [
        {"time": _iso(event.get("createdAt")), "message": event.get("message")}
        for event in service.get("events", [])[: max(events, 0)]
    ]
    summary["auto_scaling"] = auto_scaling(session, cluster, service_name)
    return summary


def auto_scaling(session, cluster, service_name):
    """The service's scalable target (min, max, suspended state), or None without one."""
    client = session.client("application-autoscaling")
    resource = f"service/{cluster}/{service_name}"
    found = call(
        f"describe the scalable target of {resource}",
        client.describe_scalable_targets,
        ServiceNamespace="ecs",
        ResourceIds=[resource],
        ScalableDimension="ecs:service:DesiredCount",
    ).get("ScalableTargets", [])
    if not found:
        return None
    target = found[0]
    suspended = target.get("SuspendedState") or {}
    policies = call(
        f"describe the scaling policies of {resource}",
        client.describe_scaling_policies,
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
    ).get("ScalingPolicies", [])
    return {
        "min_capacity": target.get("MinCapacity"),
        "max_capacity": target.get("MaxCapacity"),
        "suspended": {
            "dynamic_scaling_in": bool(suspended.get("DynamicScalingInSuspended")),
            "dynamic_scaling_out": bool(suspended.get("DynamicScalingOutSuspended")),
            "scheduled_scaling": bool(suspended.get("ScheduledScalingSuspended")),
        },
        "policies": [policy.get("PolicyName") for policy in policies],
    }


def revisions(session, cluster, service_name, family=None, limit=20):
    """The family's ACTIVE revisions, newest first: which one runs, which are in use."""
    ecs = session.client("ecs")
    service = describe_service(ecs, cluster, service_name)
    running = service.get("taskDefinition") if service else None
    in_use = {d.get("taskDefinition") for d in (service or {}).get("deployments", [])}
    in_use |= {s.get("taskDefinition") for s in (service or {}).get("taskSets", [])}
    family = family or (short_arn(running).rpartition(":")[0] if running else None)
    if not family:
        raise AwsCallError(
            f"service {service_name} not found in cluster {cluster}, and no task definition "
            "names the family: give task_definition or an existing service"
        )
    arns = active_revisions(ecs, family)
    return [
        {
            "task_definition_arn": arn,
            "revision": int(arn.rpartition(":")[2]),
            "running": arn == running,
            "in_use": arn in in_use,
        }
        for arn in arns[: max(limit, 1)]
    ]


def _iso(moment):
    return moment.isoformat() if hasattr(moment, "isoformat") else moment
