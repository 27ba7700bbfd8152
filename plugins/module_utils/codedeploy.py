# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Blue/green deploys of services whose deployment controller is CODE_DEPLOY.

ECS does not take a new task definition for such a service: a CodeDeploy deployment does,
with an AppSpec that names the task definition, the container and port that receive
traffic, and the task set's network settings. The deploy waits for that deployment to
succeed; a failed or stopped one (and CodeDeploy's own rollback) is a failed deploy.
"""

from __future__ import annotations

import json
import time

from .aws import BotoCoreError, ClientError, call, paginate, short_arn
from .errors import DefinitionError, RolloutError
from .wait import BACKOFF, FIRST_POLL_SECONDS, MAX_POLL_SECONDS

ROLLBACK_EVENTS = (
    "DEPLOYMENT_FAILURE",
    "DEPLOYMENT_STOP_ON_ALARM",
    "DEPLOYMENT_STOP_ON_REQUEST",
)

# What UpdateService accepts for a CODE_DEPLOY service (ECS UpdateService docs).
UPDATABLE = (
    "desiredCount",
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "placementConstraints",
    "placementStrategy",
    "enableECSManagedTags",
    "propagateTags",
)


class CodeDeployOptions:
    """Where and how to deploy: application and deployment group (found from the service
    when None), deployment config name, automatic rollback events, AppSpec hooks."""

    def __init__(
        self,
        application=None,
        deployment_group=None,
        deployment_config=None,
        rollback_events=(),
        hooks=None,
    ):
        self.application = application
        self.deployment_group = deployment_group
        self.deployment_config = deployment_config
        self.rollback_events = list(rollback_events or ())
        self.hooks = hooks


def is_code_deploy(service):
    """Whether a service (described or defined) is deployed through CodeDeploy."""
    controller = (service or {}).get("deploymentController") or {}
    return controller.get("type") == "CODE_DEPLOY"


def appspec(task_definition_arn, service, hooks=None, source="service definition"):
    """The AppSpec of a deploy of ``task_definition_arn`` to ``service``."""
    balancers = service.get("loadBalancers") or []
    if not balancers:
        raise DefinitionError(
            source,
            "field loadBalancers: a CODE_DEPLOY service needs a load balancer, whose "
            "container and port receive the traffic",
            "add loadBalancers with targetGroupArn, containerName and containerPort",
            field="loadBalancers",
        )
    first = balancers[0]
    properties = {
        "TaskDefinition": task_definition_arn,
        "LoadBalancerInfo": {
            "ContainerName": first.get("containerName"),
            "ContainerPort": first.get("containerPort"),
        },
    }
    if service.get("platformVersion"):
        properties["PlatformVersion"] = service["platformVersion"]
    network = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if network:
        awsvpc = {"Subnets": network.get("subnets", [])}
        if network.get("securityGroups"):
            awsvpc["SecurityGroups"] = network["securityGroups"]
        if network.get("assignPublicIp"):
            awsvpc["AssignPublicIp"] = network["assignPublicIp"]
        properties["NetworkConfiguration"] = {"AwsvpcConfiguration": awsvpc}
    strategy = service.get("capacityProviderStrategy") or []
    if strategy:
        properties["CapacityProviderStrategy"] = [
            {
                "CapacityProvider": item.get("capacityProvider"),
                "Base": item.get("base", 0),
                "Weight": item.get("weight", 0),
            }
            for item in strategy
        ]
    spec = {
        "version": 1,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": properties}}],
    }
    hooks = (hooks or {}).get("Hooks") if isinstance(hooks, dict) else hooks
    if hooks:
        spec["Hooks"] = hooks
    return spec


def _deploys(group, cluster, service):
    """Whether a deployment group's ``ecsServices`` include ``service`` of ``cluster`` (a
    name or an ARN)."""
    cluster_name = cluster.rsplit("/", 1)[-1]
    return any(
        (target.get("serviceName"), str(target.get("clusterName", "")).rsplit("/", 1)[-1])
        == (service, cluster_name)
        for target in group.get("ecsServices", [])
    )


def deployment_group(session, cluster, service, options):
    """``(application, deployment group)``: the options' (which must deploy ``service`` of
    ``cluster``: a deployment of another group would replace another service's tasks),
    else the ECS deployment group that deploys it, found by listing them."""
    client = session.client("codedeploy")
    if options.application and options.deployment_group:
        group = call(
            f"describe deployment group {options.deployment_group} of {options.application}",
            client.get_deployment_group,
            applicationName=options.application,
            deploymentGroupName=options.deployment_group,
        ).get("deploymentGroupInfo", {})
        if _deploys(group, cluster, service):
            return options.application, options.deployment_group
        deployed = ", ".join(
            f"{target.get('serviceName')} of cluster {target.get('clusterName')}"
            for target in group.get("ecsServices", [])
        )
        raise DefinitionError(
            "module options",
            f"field codedeploy_deployment_group: CodeDeploy deployment group "
            f"{options.deployment_group} of "
            f"{options.application} deploys {deployed or 'no ECS service'}, not service "
            f"{service} of cluster {cluster}",
            "name the deployment group that deploys this service (codedeploy_deployment_group;"
            " codedeploy: deployment_group_name in the config), or leave it out to find it",
            field="codedeploy_deployment_group",
        )
    if options.application:
        applications = [options.application]
    else:
        applications = paginate(
            "list CodeDeploy applications", client, "list_applications", "applications"
        )
    for start in range(0, len(applications), 100):
        infos = call(
            "describe CodeDeploy applications",
            client.batch_get_applications,
            applicationNames=applications[start : start + 100],
        ).get("applicationsInfo", [])
        for info in infos:
            if info.get("computePlatform") != "ECS":
                continue
            name = info["applicationName"]
            groups = paginate(
                f"list the deployment groups of {name}",
                client,
                "list_deployment_groups",
                "deploymentGroups",
                applicationName=name,
            )
            for group_name in groups:
                if options.deployment_group and group_name != options.deployment_group:
                    continue
                group = call(
                    f"describe deployment group {group_name} of {name}",
                    client.get_deployment_group,
                    applicationName=name,
                    deploymentGroupName=group_name,
                ).get("deploymentGroupInfo", {})
                if _deploys(group, cluster, service):
                    return name, group_name
    raise DefinitionError(
        "module options",
        f"no CodeDeploy deployment group deploys service {service} of cluster {cluster}",
        "set codedeploy_application and codedeploy_deployment_group (codedeploy: "
        "application_name, deployment_group_name in the config)",
        field="codedeploy_deployment_group",
    )


def create_deployment(session, application, group, spec, options, label, progress):
    """Start the CodeDeploy deployment; return its id."""
    client = session.client("codedeploy")
    request = {
        "applicationName": application,
        "deploymentGroupName": group,
        "revision": {
            "revisionType": "AppSpecContent",
            "appSpecContent": {"content": json.dumps(spec)},
        },
    }
    if options.deployment_config:
        request["deploymentConfigName"] = options.deployment_config
    if options.rollback_events:
        request["autoRollbackConfiguration"] = {
            "enabled": True,
            "events": options.rollback_events,
        }
    deployment_id = call(
        f"create a CodeDeploy deployment in {application}/{group}",
        client.create_deployment,
        **request,
    )["deploymentId"]
    task_definition = spec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"]
    progress.emit(
        label,
        f"created CodeDeploy deployment {deployment_id} of {short_arn(task_definition)} "
        f"in {application}/{group}",
    )
    return deployment_id


def wait_for_deployment(session, deployment_id, deadline, label, progress, sleep=time.sleep):
    """Poll the deployment until it has Succeeded; fail on Failed, Stopped or timeout."""
    client = session.client("codedeploy")
    interval = FIRST_POLL_SECONDS
    last = None
    events = {}
    while True:
        info = call(
            f"get CodeDeploy deployment {deployment_id}",
            client.get_deployment,
            deploymentId=deployment_id,
        )["deploymentInfo"]
        _report_lifecycle(client, deployment_id, events, label, progress)
        status = info.get("status")
        overview = info.get("deploymentOverview") or {}
        seen = (status, tuple(sorted(overview.items())))
        if seen != last:
            last = seen
            counts = ", ".join(f"{k} {v}" for k, v in sorted(overview.items()) if v)
            progress.emit(
                label, f"CodeDeploy {deployment_id} {status}" + (f" ({counts})" if counts else "")
            )
        if status == "Succeeded":
            progress.emit(
                label, f"CodeDeploy {deployment_id} Succeeded in {deadline.elapsed():.0f}s"
            )
            return info
        if status in ("Failed", "Stopped"):
            raise _failed(session, info, deadline, label, progress, sleep)
        remaining = deadline.remaining()
        if remaining <= 0:
            raise RolloutError(
                f"CodeDeploy deployment {deployment_id} did not succeed within "
                f"{deadline.seconds:.0f}s (status {status})",
                reason="timeout",
                deployment_id=deployment_id,
            )
        sleep(min(interval, remaining))
        interval = min(interval * BACKOFF, MAX_POLL_SECONDS)


def _report_lifecycle(client, deployment_id, seen, label, progress):
    """Emit each lifecycle event of the deployment's ECS target as its status changes
    (BeforeInstall, ..., AllowTraffic: traffic shifted, ...). Best effort: a deployment
    whose targets cannot be read is still followed by its status."""
    try:
        target_ids = client.list_deployment_targets(deploymentId=deployment_id).get("targetIds", [])
        for target_id in target_ids:
            target = client.get_deployment_target(
                deploymentId=deployment_id, targetId=target_id
            ).get("deploymentTarget", {})
            ecs_target = target.get("ecsTarget") or {}
            for event in ecs_target.get("lifecycleEvents", []):
                name, status = event.get("lifecycleEventName"), event.get("status")
                if status != "Pending" and seen.get(name) != status:
                    seen[name] = status
                    progress.emit(label, f"CodeDeploy {deployment_id} {name} {status}")
    except (ClientError, BotoCoreError):
        return


def _failed(session, info, deadline, label, progress, sleep):
    """The error for a Failed or Stopped deployment, after its rollback (if any) ended."""
    error = info.get("errorInformation") or {}
    rollback = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
    message = (
        f"CodeDeploy deployment {info.get('deploymentId')} {info.get('status')}: "
        f"{error.get('code', '')} {error.get('message', '')}".strip()
    )
    rolled_back = False
    if rollback:
        progress.emit(label, f"CodeDeploy rolls back with deployment {rollback}")
        try:
            wait_for_deployment(session, rollback, deadline, label, progress, sleep)
            rolled_back = True
            message += f". Rolled back by CodeDeploy deployment {rollback}"
        except RolloutError as exc:
            message += f". Its rollback {rollback} did not succeed: {exc}"
    return RolloutError(
        message,
        reason="rolled_back" if rolled_back else info.get("status", "failed").lower(),
        deployment_id=info.get("deploymentId"),
        rolled_back=rolled_back,
    )


def wait_for_task_set(ecs, cluster, service, deadline, label, progress, sleep=time.sleep):
    """A new CODE_DEPLOY service: wait until its PRIMARY task set is in steady state."""
    interval = FIRST_POLL_SECONDS
    last = None
    while True:
        found = call(
            f"describe service {service} in cluster {cluster}",
            ecs.describe_services,
            cluster=cluster,
            services=[service],
        ).get("services", [])
        task_sets = (found[0] if found else {}).get("taskSets", [])
        primary = next((t for t in task_sets if t.get("status") == "PRIMARY"), {})
        seen = (primary.get("stabilityStatus"), primary.get("runningCount"))
        if seen != last:
            last = seen
            progress.emit(
                label,
                f"task set {primary.get('id')} {seen[0]}, {seen[1]}/"
                f"{primary.get('computedDesiredCount')} running",
            )
        if primary.get("stabilityStatus") == "STEADY_STATE":
            return found[0]
        remaining = deadline.remaining()
        if remaining <= 0:
            raise RolloutError(
                f"service {service}: its task set did not reach a steady state within "
                f"{deadline.seconds:.0f}s",
                reason="timeout",
            )
        sleep(min(interval, remaining))
        interval = min(interval * BACKOFF, MAX_POLL_SECONDS)
