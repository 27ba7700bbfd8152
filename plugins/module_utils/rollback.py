# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Roll a service back to an earlier task definition revision, wait, and deregister."""

from __future__ import annotations

from . import codedeploy
from .aws import call, error_code, short_arn
from .deploy import (
    active_revisions,
    deregister_task_definition,
    diff_entry,
    summarize_service,
    switch_task_definition,
)
from .errors import AwsCallError, DefinitionError, EcspressoError
from .wait import Deadline, describe_service, wait_for_rollout


class RollbackOptions:
    """The options of ``ecspresso_rollback`` that are not the service."""

    def __init__(
        self,
        revision=None,
        wait=True,
        wait_until="deployed",
        timeout=600.0,
        deregister=True,
        codedeploy_options=None,
    ):
        self.revision = revision
        self.wait = wait
        self.wait_until = wait_until
        self.timeout = timeout
        self.deregister = deregister
        self.codedeploy = codedeploy_options or codedeploy.CodeDeployOptions()


def rollback(session, cluster, service_name, options, progress, check_mode=False):
    """Put the service on an earlier revision; return the result as a dict."""
    if options.deregister and not options.wait:
        raise DefinitionError(
            "module options",
            "deregister_task_definition needs wait: the revision rolled back from may still "
            "run tasks until the rollback has completed",
            "set wait to true, or deregister_task_definition to false",
            field="deregister_task_definition",
        )
    deadline = Deadline(options.timeout)
    ecs = session.client("ecs")
    live = describe_service(ecs, cluster, service_name)
    if live is None or live.get("status") != "ACTIVE":
        raise AwsCallError(
            f"service {service_name} not found in cluster {cluster}: there is nothing to roll back"
        )
    blue_green = codedeploy.is_code_deploy(live)
    if blue_green:
        group = codedeploy.deployment_group(session, cluster, service_name, options.codedeploy)
        in_flight = _deployment_in_flight(session, group)
        if in_flight:
            return _stop_deployment(
                session,
                ecs,
                cluster,
                service_name,
                live,
                group,
                in_flight,
                options,
                deadline,
                progress,
                check_mode,
            )
    current = live["taskDefinition"]
    family, revision = _family_revision(current)
    target = _target_revision(ecs, family, revision, options.revision)
    if _family_revision(target)[0] != family:
        raise DefinitionError(
            "module options",
            f"revision {options.revision}: {short_arn(target)} is not a revision of "
            f"{family}, the family service {service_name} runs",
            f"give a revision of {family}",
            field="revision",
        )
    if target == current:
        raise DefinitionError(
            "module options",
            f"revision {options.revision}: service {service_name} already runs {short_arn(target)}",
            "give an earlier revision, or leave revision out for the one before",
            field="revision",
        )
    result = {
        "changed": True,
        "rolled_back_from": current,
        "task_definition_arn": target,
        "deregistered": [],
        "diff": [
            diff_entry(
                f"service {service_name}",
                {"taskDefinition": current},
                {"taskDefinition": target},
            )
        ],
    }
    if check_mode:
        progress.emit(
            service_name, f"would roll back from {short_arn(current)} to {short_arn(target)}"
        )
        if options.deregister:
            progress.emit(service_name, f"would deregister {short_arn(current)}")
            result["deregistered"].append(current)
        result["service"] = summarize_service(live)
        return result

    progress.emit(service_name, f"rolling back from {short_arn(current)} to {short_arn(target)}")
    if blue_green:
        spec = codedeploy.appspec(target, live, options.codedeploy.hooks)
        deployment_id = codedeploy.create_deployment(
            session, *group, spec, options.codedeploy, service_name, progress
        )
        result["codedeploy_deployment_id"] = deployment_id
    else:
        rollout = switch_task_definition(ecs, cluster, service_name, live, target)
        rollout.wait_until = options.wait_until
    try:
        if options.wait and blue_green:
            codedeploy.wait_for_deployment(session, deployment_id, deadline, service_name, progress)
            service = describe_service(ecs, cluster, service_name)
        elif options.wait:
            service = wait_for_rollout(ecs, rollout, deadline, progress)
        else:
            service = describe_service(ecs, cluster, service_name)
        if options.deregister:
            deregister_task_definition(ecs, current, progress, service_name)
            result["deregistered"].append(current)
    except EcspressoError as exc:
        # The service was updated: the result must say so, whatever failed after.
        exc.details.update(
            changed=True,
            rolled_back_from=current,
            task_definition_arn=target,
            deregistered=result["deregistered"],
        )
        raise
    result["service"] = summarize_service(service)
    return result


IN_FLIGHT = ["Created", "Queued", "InProgress", "Ready"]


def _deployment_in_flight(session, group):
    """The id of the deployment group's deployment in progress, or None."""
    application, name = group
    client = session.client("codedeploy")
    found = call(
        f"list the deployments in progress of {application}/{name}",
        client.list_deployments,
        applicationName=application,
        deploymentGroupName=name,
        includeOnlyStatuses=IN_FLIGHT,
    ).get("deployments", [])
    return found[0] if found else None


def _stop_deployment(
    session,
    ecs,
    cluster,
    service_name,
    live,
    group,
    deployment_id,
    options,
    deadline,
    progress,
    check_mode,
):
    """Roll back a blue/green deployment in progress: stop it with automatic rollback."""
    client = session.client("codedeploy")
    running = live["taskDefinition"]
    result = {
        "changed": True,
        "rolled_back_from": None,
        "task_definition_arn": running,
        "stopped_deployment": deployment_id,
        "deregistered": [],
        "diff": [],
    }
    if check_mode:
        progress.emit(
            service_name, f"would stop CodeDeploy deployment {deployment_id} and roll it back"
        )
        result["service"] = summarize_service(live)
        return result
    call(
        f"stop CodeDeploy deployment {deployment_id}",
        client.stop_deployment,
        deploymentId=deployment_id,
        autoRollbackEnabled=True,
    )
    progress.emit(service_name, f"stopped CodeDeploy deployment {deployment_id} to roll it back")
    try:
        info = call(
            f"get CodeDeploy deployment {deployment_id}",
            client.get_deployment,
            deploymentId=deployment_id,
        )["deploymentInfo"]
        rollback_id = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
        if rollback_id and options.wait:
            codedeploy.wait_for_deployment(session, rollback_id, deadline, service_name, progress)
        result["service"] = summarize_service(describe_service(ecs, cluster, service_name))
    except EcspressoError as exc:
        exc.details.update(changed=True, stopped_deployment=deployment_id)
        raise
    return result


def _family_revision(arn):
    """``("web", 7)`` from a task definition ARN (or ``web:7``)."""
    family, _sep, revision = arn.rsplit("/", 1)[-1].rpartition(":")
    return family, int(revision)


def _target_revision(ecs, family, current_revision, wanted):
    """The ARN to roll back to: ``wanted`` when given, else the ACTIVE revision before."""
    if wanted not in (None, ""):
        reference = str(wanted)
        if reference.isdigit():
            reference = f"{family}:{reference}"
        try:
            response = call(
                f"describe task definition {reference}",
                ecs.describe_task_definition,
                taskDefinition=reference,
            )
        except AwsCallError as exc:
            if error_code(exc) in ("ClientException", "InvalidParameterException"):
                raise DefinitionError(
                    "module options",
                    f"revision {wanted}: task definition {reference} does not exist",
                    f"give a revision of {family} that is registered",
                    field="revision",
                ) from exc
            raise
        found = response["taskDefinition"]
        if found.get("status") != "ACTIVE":
            raise DefinitionError(
                "module options",
                f"revision {wanted}: {short_arn(found['taskDefinitionArn'])} is "
                f"{found.get('status')}",
                "roll back to an ACTIVE revision",
                field="revision",
            )
        return found["taskDefinitionArn"]

    arns = active_revisions(ecs, family)
    for arn in arns:
        if _family_revision(arn)[1] < current_revision:
            return arn
    raise EcspressoError(
        f"{family} has no ACTIVE revision before {current_revision} to roll back to; give the "
        "revision to roll back to with the revision option",
        field="revision",
    )
