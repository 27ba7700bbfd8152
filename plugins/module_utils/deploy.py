# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Deploy one service: compare with what runs, register and update only what differs, wait."""

from __future__ import annotations

import datetime

from . import autoscaling, codedeploy, definitions
from .autoscaling import AutoScalingOptions
from .aws import call, error_code, paginate, short_arn
from .codedeploy import CodeDeployOptions
from .errors import AwsCallError, DefinitionError, EcspressoError, RolloutError
from .wait import (
    Deadline,
    Rollout,
    describe_service,
    failure_threshold,
    in_progress,
    primary_deployment,
    wait_for_rollout,
    wait_until_settled,
)

# Changing any of these makes ECS start a new deployment (ECS UpdateService docs).
DEPLOYMENT_FIELDS = (
    "taskDefinition",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "vpcLatticeConfigurations",
    "volumeConfigurations",
)

# Only in Deployment, not in Service: compared against the PRIMARY deployment.
DEPLOYMENT_ONLY_FIELDS = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)


class Target:
    """One service to deploy: where it lives and what it should be.

    ``task_definition`` and ``service_definition`` are prepared requests (see
    ``definitions.prepare_*``); ``sources`` names the files they came from;
    ``ignore_tags`` are the tag keys that other tools own, neither compared nor changed.
    """

    def __init__(
        self,
        cluster,
        service,
        task_definition,
        service_definition,
        sources=None,
        ignore_tags=(),
    ):
        self.cluster = cluster
        self.service = service
        self.task_definition = task_definition
        self.service_definition = service_definition
        self.sources = sources or {}
        self.ignore_tags = tuple(ignore_tags or ())


class DeployOptions:
    """How to deploy: the options of ``ecspresso_deploy`` that are not the target."""

    def __init__(
        self,
        desired_count=None,
        wait=True,
        timeout=600.0,
        force_new_deployment=False,
        skip_task_definition=False,
        wait_until="deployed",
        rollback_on_failure=False,
        deregister_failed=False,
        fail_if_in_progress=False,
        auto_scaling=None,
        codedeploy=None,
    ):
        self.desired_count = desired_count
        self.wait = wait
        self.timeout = timeout
        self.force_new_deployment = force_new_deployment
        self.skip_task_definition = skip_task_definition
        self.wait_until = wait_until
        self.rollback_on_failure = rollback_on_failure
        self.deregister_failed = deregister_failed
        self.fail_if_in_progress = fail_if_in_progress
        self.auto_scaling = auto_scaling or AutoScalingOptions()
        self.codedeploy = codedeploy or CodeDeployOptions()


# Rollout endings after which the previous revision is put back, with rollback_on_failure.
ROLL_BACK_AFTER = ("failed", "tasks_failing", "timeout")


def deploy(session, target, options, progress, check_mode=False):
    """Bring the service to its definitions; return the result as a dict.

    In check mode nothing is changed and ``changed`` says whether a run would change.
    A rollout that fails raises RolloutError, whose details say what was done about it.
    """
    if options.rollback_on_failure and not options.wait:
        raise DefinitionError(
            "module options",
            "rollback_on_failure needs wait: a failure is only seen while waiting",
            "set wait to true, or rollback_on_failure to false",
            field="rollback_on_failure",
        )
    deadline = Deadline(options.timeout)
    ecs = session.client("ecs")
    result = {"changed": False, "diff": [], "warnings": []}

    live = describe_service(ecs, target.cluster, target.service)
    if target.task_definition and not options.skip_task_definition:
        definitions.check_service_fits(
            target.task_definition,
            target.service_definition,
            target.sources,
            creating=live is None or live.get("status") != "ACTIVE",
        )
    if live is not None and live.get("status") == "DRAINING":
        raise AwsCallError(
            f"service {target.service} in cluster {target.cluster} is being deleted "
            "(DRAINING); wait until it is INACTIVE, then deploy again"
        )
    exists = live is not None and live.get("status") == "ACTIVE"
    blue_green = codedeploy.is_code_deploy(live if exists else target.service_definition)
    if blue_green and not (
        target.service_definition.get("loadBalancers") or (live or {}).get("loadBalancers")
    ):
        raise DefinitionError(
            target.sources.get("service_definition") or "service definition",
            "field loadBalancers: a CODE_DEPLOY service needs a load balancer: CodeDeploy "
            "shifts its traffic from one target group to the other",
            "add the load balancer with the target group, container name and port",
            field="loadBalancers",
        )
    given = [
        name
        for name, value in (
            ("rollback_events", options.codedeploy.rollback_events),
            ("deployment_config_name", options.codedeploy.deployment_config),
        )
        if value
    ]
    if given and not blue_green:
        result["warnings"].append(
            f"service {target.service} is not deployed through CodeDeploy: "
            f"{' and '.join(given)} {'are' if len(given) > 1 else 'is'} not used"
        )
    if exists and in_progress(live):
        live = _deployment_in_progress(ecs, target, options, live, deadline, progress, check_mode)
        if check_mode:
            result["warnings"].append(
                f"service {target.service}: a deployment is in progress; a real run waits "
                "for it to end before deploying"
            )

    if exists:
        autoscaling.check_bounds(session, target.cluster, target.service, options.auto_scaling)

    # What serves before the deploy: where rollback_on_failure goes back to.
    serving = serving_task_definition(live) if exists else None
    task_definition_arn = None
    # A blue/green deploy's AppSpec and deployment group, checked before anything is
    # registered: a mistake there must not leave a revision behind.
    codedeploy_target = {}

    def check_codedeploy():
        if blue_green and exists and not codedeploy_target:
            codedeploy_target.update(_codedeploy_target(session, target, options, live))

    try:
        if options.skip_task_definition:
            task_definition_arn = _running_task_definition(target, live if exists else None)
        else:
            task_definition_arn = ensure_task_definition(
                ecs,
                target,
                live if exists else None,
                progress,
                check_mode,
                result,
                before_register=check_codedeploy,
            )
        if blue_green:
            rollout = None
            service = _deploy_blue_green(
                session,
                ecs,
                target,
                options,
                live if exists else None,
                task_definition_arn,
                deadline,
                progress,
                check_mode,
                result,
                check_codedeploy,
                codedeploy_target,
            )
        elif exists:
            rollout = _update_service(
                session,
                ecs,
                target,
                options,
                live,
                task_definition_arn,
                progress,
                check_mode,
                result,
            )
        else:
            rollout = _create_service(
                ecs, target, options, task_definition_arn, progress, check_mode, result
            )

        if not blue_green:
            service = live
        if rollout is not None and not check_mode:
            rollout.previous_task_definition = serving
            if options.wait:
                try:
                    service = wait_for_rollout(ecs, rollout, deadline, progress)
                except RolloutError as exc:
                    _after_failure(
                        ecs, target, options, exc, serving, task_definition_arn, progress
                    )
                    if options.auto_scaling.suspend or options.auto_scaling.resume:
                        _add(exc, "Auto scaling was left as it was before the rollout ended")
                        exc.args = (exc.message,)
                    raise
            else:
                service = describe_service(ecs, target.cluster, target.service)
        # Resumed and resized once the new deployment has completed.
        autoscaling.settle(
            session,
            target.cluster,
            target.service,
            options.auto_scaling,
            progress,
            check_mode,
            result,
        )
    except EcspressoError as exc:
        # Whatever failed after a change, the result says what was changed.
        exc.details.setdefault("changed", result["changed"] and not check_mode)
        exc.details.setdefault("task_definition_arn", task_definition_arn)
        suspended = (result.get("auto_scaling") or {}).get("SuspendedState") or {}
        if not check_mode and any(suspended.values()) and "Auto scaling was" not in exc.message:
            _add(
                exc,
                "Auto scaling was suspended before the failure and is still suspended: "
                "resume it with resume_auto_scaling (with skip_task_definition, a run does "
                "only that)",
            )
            exc.args = (exc.message,)
        raise
    result["task_definition_arn"] = task_definition_arn
    result["service"] = summarize_service(service)
    return result


def serving_task_definition(service):
    """The task definition that serves: the PRIMARY deployment's when it has completed,
    else the newest completed deployment's (a failed or stuck PRIMARY does not count)."""
    for deployment in service.get("deployments", []):
        if deployment.get("rolloutState") == "COMPLETED":
            return deployment.get("taskDefinition")
    primary = primary_deployment(service) or {}
    if primary.get("rolloutState") is None and primary.get("runningCount"):
        return primary.get("taskDefinition")
    return None


def _deployment_in_progress(ecs, target, options, live, deadline, progress, check_mode):
    """Handle a deployment that another run (or the console) started; return the service."""
    primary = primary_deployment(live) or {}
    what = f"deployment {primary.get('id')} of {short_arn(primary.get('taskDefinition', '?'))}"
    if (primary.get("failedTasks") or 0) >= failure_threshold(primary.get("desiredCount")):
        # Its tasks keep failing: waiting would never end; the new deployment replaces it.
        progress.emit(
            target.service, f"{what} is in progress but its tasks keep failing; replacing it"
        )
        return live
    if options.fail_if_in_progress:
        raise RolloutError(
            f"service {target.service}: {what} is in progress; nothing was changed. Run "
            "again once it has ended, or set fail_if_in_progress to false to wait for it",
            reason="in_progress",
            changed=False,
        )
    if check_mode:
        return live
    progress.emit(target.service, f"{what} is in progress; waiting for it to end first")
    return wait_until_settled(ecs, target.cluster, target.service, deadline, progress)


def _after_failure(ecs, target, options, exc, previous, failed_arn, progress):
    """Roll back and deregister as the options ask; record what was done in ``exc``."""
    exc.details.update(changed=True, task_definition_arn=failed_arn)
    rolled_back = exc.reason == "rolled_back"
    if options.rollback_on_failure and exc.reason in ROLL_BACK_AFTER:
        if previous and previous != failed_arn:
            rolled_back = _roll_back(ecs, target, options, exc, previous, progress)
        elif previous:
            _add(exc, f"Not rolled back: {short_arn(previous)}, which served before, failed")
        else:
            _add(exc, "Not rolled back: no earlier task definition had completed a deployment")
    exc.details["rolled_back"] = rolled_back
    running = exc.details.get("running_task_definition")
    if options.deregister_failed and rolled_back and running and running != failed_arn:
        try:
            deregister_task_definition(ecs, failed_arn, progress, target.service)
        except EcspressoError as deregister_exc:
            _add(exc, f"Could not deregister {short_arn(failed_arn)}: {deregister_exc}")
        else:
            exc.details["deregistered"] = [failed_arn]
            _add(exc, f"Deregistered {short_arn(failed_arn)}")
    exc.args = (exc.message,)


def _add(exc, sentence):
    """Add a sentence to an error's message."""
    exc.message = f"{exc.message.rstrip('.')}. {sentence}"


def _roll_back(ecs, target, options, exc, previous, progress):
    """Put the service back on ``previous`` and wait for it; True when it runs it again."""
    progress.emit(target.service, f"rolling back to {short_arn(previous)}")
    try:
        live = describe_service(ecs, target.cluster, target.service) or {}
        rollout = switch_task_definition(ecs, target.cluster, target.service, live, previous)
    except EcspressoError as rollback_exc:
        _add(exc, f"The rollback to {short_arn(previous)} failed: {rollback_exc}")
        exc.details["rollback_failure"] = "error"
        return False
    rollout.wait_until = options.wait_until
    try:
        wait_for_rollout(ecs, rollout, Deadline(options.timeout), progress)
    except EcspressoError as rollback_exc:
        _add(exc, f"The rollback to {short_arn(previous)} failed too: {rollback_exc}")
        exc.details["rollback_failure"] = getattr(rollback_exc, "reason", "error")
        exc.details["running_task_definition"] = rollback_exc.details.get("running_task_definition")
        return False
    _add(exc, f"Rolled back: the service runs {short_arn(previous)} again")
    exc.details["running_task_definition"] = previous
    return True


def switch_task_definition(ecs, cluster, service, live, task_definition_arn):
    """Update the service to ``task_definition_arn`` alone; return the Rollout to wait for."""
    call(
        f"update service {service} in cluster {cluster}",
        ecs.update_service,
        cluster=cluster,
        service=service,
        taskDefinition=task_definition_arn,
    )
    previous = primary_deployment(live) or {}
    return Rollout(
        cluster,
        service,
        task_definition_arn,
        replaced_deployment=previous.get("id"),
        before=live,
    )


def deregister_task_definition(ecs, arn, progress, service):
    """Deregister one revision (it becomes INACTIVE; running tasks keep running)."""
    call(
        f"deregister task definition {short_arn(arn)}",
        ecs.deregister_task_definition,
        taskDefinition=arn,
    )
    progress.emit(service, f"deregistered {short_arn(arn)}")


def _codedeploy_target(session, target, options, live):
    """What a CodeDeploy deployment of the service needs, checked by reading only: an AppSpec
    can be built from the definitions, and the deployment group (given, or found) deploys
    this service. Returns ``{"application": ..., "group": ...}``."""
    codedeploy.appspec(
        "(the new revision)",
        {**live, **target.service_definition},
        options.codedeploy.hooks,
        target.sources.get("service_definition") or "service definition",
    )
    application, group = codedeploy.deployment_group(
        session, target.cluster, target.service, options.codedeploy
    )
    return {"application": application, "group": group}


def _deploy_blue_green(
    session,
    ecs,
    target,
    options,
    live,
    task_definition_arn,
    deadline,
    progress,
    check_mode,
    result,
    check_codedeploy,
    codedeploy_target,
):
    """Deploy a CODE_DEPLOY service: its updatable fields through UpdateService, a new task
    definition through a CodeDeploy deployment (to the deployment group that
    ``check_codedeploy`` puts into ``codedeploy_target``). Returns the service."""
    if live is None:
        rollout = _create_service(
            ecs, target, options, task_definition_arn, progress, check_mode, result
        )
        if rollout is None or not options.wait:
            return describe_service(ecs, target.cluster, target.service)
        return codedeploy.wait_for_task_set(
            ecs, target.cluster, target.service, deadline, target.service, progress
        )

    desired = _desired_service(target, options)
    current = definitions.normalize_service(live)
    changes = [
        key for key in definitions.service_changes(desired, current) if key in codedeploy.UPDATABLE
    ]
    switching = live.get("taskDefinition") != task_definition_arn or options.force_new_deployment
    if not changes and not switching:
        return live
    result["diff"].append(
        diff_entry(
            f"service {target.service}",
            _service_view(definitions.project(current, desired), live, target),
            _service_view(desired, None, target, task_definition_arn),
        )
    )
    # The AppSpec takes the network and capacity settings of the definition, else of the
    # service as it runs.
    spec = codedeploy.appspec(
        task_definition_arn,
        {**live, **target.service_definition},
        options.codedeploy.hooks,
        target.sources.get("service_definition") or "service definition",
    )
    result["appspec"] = spec
    if switching:
        check_codedeploy()
    if check_mode:
        result["changed"] = True
        if changes:
            progress.emit(
                target.service, f"would update service {target.service}: {_names(changes)}"
            )
        if switching:
            progress.emit(
                target.service,
                f"would deploy {short_arn(task_definition_arn)} through CodeDeploy",
            )
        autoscaling.suspend(
            session, target.cluster, target.service, options.auto_scaling, progress, True, result
        )
        return live
    # Scaling must not fight the replacement task set while it starts and takes traffic.
    autoscaling.suspend(
        session, target.cluster, target.service, options.auto_scaling, progress, False, result
    )
    if changes:
        call(
            f"update service {target.service} in cluster {target.cluster}",
            ecs.update_service,
            cluster=target.cluster,
            service=target.service,
            **{key: desired[key] for key in changes},
        )
        result["changed"] = True
        progress.emit(target.service, f"updated service {target.service}: {_names(changes)}")
    if switching:
        deployment_id = codedeploy.create_deployment(
            session,
            codedeploy_target["application"],
            codedeploy_target["group"],
            spec,
            options.codedeploy,
            target.service,
            progress,
        )
        result["changed"] = True
        result["codedeploy_deployment_id"] = deployment_id
        if options.wait:
            try:
                codedeploy.wait_for_deployment(
                    session, deployment_id, deadline, target.service, progress
                )
            except RolloutError as exc:
                exc.details.update(changed=True, task_definition_arn=task_definition_arn)
                exc.details["running_task_definition"] = live.get("taskDefinition")
                if options.deregister_failed and exc.details.get("rolled_back"):
                    deregister_task_definition(ecs, task_definition_arn, progress, target.service)
                    exc.details["deregistered"] = [task_definition_arn]
                    _add(exc, f"Deregistered {short_arn(task_definition_arn)}")
                if options.auto_scaling.suspend or options.auto_scaling.resume:
                    _add(exc, "Auto scaling was left as it was before the deployment ended")
                exc.message = f"service {target.service}: {exc.message}"
                exc.args = (exc.message,)
                raise
    return describe_service(ecs, target.cluster, target.service)


# --- task definition -------------------------------------------------------------


def _running_task_definition(target, live):
    if live is None:
        raise DefinitionError(
            target.sources.get("task_definition", "task definition"),
            f"skip_task_definition needs an existing service; {target.service} does not exist yet",
            "deploy it once with its task definition",
        )
    return live["taskDefinition"]


def ensure_task_definition(ecs, target, live, progress, check_mode, result, before_register=None):
    """Return the ARN of a revision equal to the desired one, registering one if needed.

    A registration sets ``changed`` and adds a diff entry to ``result``; in check mode
    nothing is registered and the ARN returned ends with ``(new revision)``.
    ``before_register``, when given, is called before a revision is registered (in check
    mode too): what else the deploy needs is checked then, while nothing has changed.
    """
    desired = definitions.normalize_task_definition(target.task_definition)
    family = target.task_definition["family"]
    running = describe_task_definition(ecs, live["taskDefinition"]) if live else None
    running = _without_tags(running, target.ignore_tags)
    if running and definitions.normalize_task_definition(running) == desired:
        return running["taskDefinitionArn"]
    # The family's latest revision may already be the desired one (registered by a
    # run that failed later, or by hand): reuse it rather than add a duplicate.
    latest = _without_tags(describe_task_definition(ecs, family), target.ignore_tags)
    if latest and latest.get("status", "ACTIVE") != "ACTIVE":
        latest = None
    if latest and definitions.normalize_task_definition(latest) == desired:
        return latest["taskDefinitionArn"]
    current = running or latest
    if before_register is not None:
        before_register()

    # changed: in check mode, what a run would do; in a run, what succeeded (a failed call
    # changes nothing, and the result of the failure says so).
    result["diff"].append(
        diff_entry(
            f"task definition {family}",
            definitions.normalize_task_definition(current) if current else None,
            desired,
        )
    )
    if check_mode:
        result["changed"] = True
        progress.emit(target.service, f"would register a new revision of {family}")
        return f"{family}:(new revision)"
    response = call(
        f"register task definition {family}",
        ecs.register_task_definition,
        **target.task_definition,
    )
    result["changed"] = True
    arn = response["taskDefinition"]["taskDefinitionArn"]
    progress.emit(target.service, f"registered {family}:{response['taskDefinition']['revision']}")
    return arn


def _without_tags(task_definition, keys):
    """A described task definition without the tags other tools own."""
    if task_definition and keys and task_definition.get("tags"):
        task_definition = dict(task_definition)
        task_definition["tags"] = [
            tag for tag in task_definition["tags"] if tag.get("key") not in keys
        ]
    return task_definition


def active_revisions(ecs, family):
    """The ARNs of the family's ACTIVE revisions, newest first."""
    return paginate(
        f"list the ACTIVE revisions of {family}",
        ecs,
        "list_task_definitions",
        "taskDefinitionArns",
        familyPrefix=family,
        status="ACTIVE",
        sort="DESC",
    )


def describe_task_definition(ecs, reference):
    """A task definition with its tags, or None when the family has no ACTIVE revision."""
    try:
        response = call(
            f"describe task definition {reference}",
            ecs.describe_task_definition,
            taskDefinition=reference,
            include=["TAGS"],
        )
    except AwsCallError as exc:
        if error_code(exc) in ("ClientException", "InvalidParameterException"):
            return None
        raise
    found = dict(response["taskDefinition"])
    if response.get("tags"):
        found["tags"] = response["tags"]
    return found


# --- service -----------------------------------------------------------------------


def _desired_service(target, options):
    desired = dict(target.service_definition)
    if options.desired_count is not None:
        desired["desiredCount"] = options.desired_count
    return definitions.normalize_service(desired)


def _create_service(ecs, target, options, task_definition_arn, progress, check_mode, result):
    request = dict(target.service_definition)
    if options.desired_count is not None:
        request["desiredCount"] = options.desired_count
    if request.get("schedulingStrategy", "REPLICA") == "REPLICA":
        request.setdefault("desiredCount", 1)
    result["diff"].append(
        diff_entry(
            f"service {target.service}",
            None,
            definitions.normalize_service(request),
        )
    )
    if check_mode:
        result["changed"] = True
        progress.emit(target.service, f"would create service {target.service}")
        return None
    call(
        f"create service {target.service} in cluster {target.cluster}",
        ecs.create_service,
        cluster=target.cluster,
        serviceName=target.service,
        taskDefinition=task_definition_arn,
        **request,
    )
    result["changed"] = True
    progress.emit(
        target.service,
        f"created service {target.service} on {short_arn(task_definition_arn)} "
        f"with {request.get('desiredCount', 'one task per instance')} desired",
    )
    return Rollout(
        target.cluster, target.service, task_definition_arn, wait_until=options.wait_until
    )


def _update_service(
    session, ecs, target, options, live, task_definition_arn, progress, check_mode, result
):
    desired = _desired_service(target, options)
    current = definitions.normalize_service(_with_deployment_fields(live))
    # Tags are no UpdateService field: those named are set by TagResource below, and
    # tags set by other tools (or named in ignore.tags) are left alone.
    changes = [key for key in definitions.service_changes(desired, current) if key != "tags"]
    _warn_create_only(target, desired, current, result)
    if live["taskDefinition"] != task_definition_arn:
        changes.append("taskDefinition")
    tag_changes = _tag_changes(target.service_definition.get("tags"), live.get("tags"))

    if not changes and not tag_changes and not options.force_new_deployment:
        return None
    result["diff"].append(
        diff_entry(
            f"service {target.service}",
            _service_view(definitions.project(current, desired), live, target),
            _service_view(desired, None, target, task_definition_arn),
        )
    )
    if check_mode:
        result["changed"] = True
        progress.emit(target.service, f"would update service {target.service}: {_names(changes)}")
        if changes or options.force_new_deployment:
            autoscaling.suspend(
                session,
                target.cluster,
                target.service,
                options.auto_scaling,
                progress,
                True,
                result,
            )
        return None

    if tag_changes:
        call(
            f"tag service {target.service}",
            ecs.tag_resource,
            resourceArn=live["serviceArn"],
            tags=tag_changes,
        )
        result["changed"] = True
        progress.emit(target.service, f"tagged service {target.service}")
    if not changes and not options.force_new_deployment:
        return None

    request = {key: desired[key] for key in changes if key != "taskDefinition"}
    if "taskDefinition" in changes:
        request["taskDefinition"] = task_definition_arn
    if options.force_new_deployment:
        request["forceNewDeployment"] = True
    # Scaling must not fight the rollout: suspended only when there is one to protect.
    autoscaling.suspend(
        session, target.cluster, target.service, options.auto_scaling, progress, False, result
    )
    call(
        f"update service {target.service} in cluster {target.cluster}",
        ecs.update_service,
        cluster=target.cluster,
        service=target.service,
        **request,
    )
    result["changed"] = True
    progress.emit(target.service, f"updated service {target.service}: {_names(sorted(request))}")
    starts_deployment = options.force_new_deployment or any(
        key in DEPLOYMENT_FIELDS for key in changes
    )
    previous = primary_deployment(live) or {}
    return Rollout(
        target.cluster,
        target.service,
        task_definition_arn,
        replaced_deployment=previous.get("id") if starts_deployment else None,
        wait_until=options.wait_until,
        before=live,
    )


def _with_deployment_fields(live):
    """The live service with the fields that only its PRIMARY deployment carries."""
    live = dict(live)
    primary = primary_deployment(live) or {}
    for key in DEPLOYMENT_ONLY_FIELDS:
        if key in primary and key not in live:
            live[key] = primary[key]
    return live


def _warn_create_only(target, desired, current, result):
    for key in definitions.SERVICE_CREATE_ONLY:
        if key in target.service_definition and not definitions.covers(
            desired.get(key), current.get(key)
        ):
            result["warnings"].append(
                f"{target.sources.get('service_definition', 'service definition')}: {key} "
                f"differs from the live service but cannot be changed by an update; "
                f"delete and recreate service {target.service} to change it"
            )


def _tag_changes(desired_tags, live_tags):
    """Tags to add or change; tags set by others and not named here are left alone."""
    live = {tag["key"]: tag.get("value") for tag in live_tags or []}
    return [tag for tag in desired_tags or [] if live.get(tag["key"]) != tag.get("value")]


def _service_view(normalized, live, target, task_definition_arn=None):
    view = dict(normalized)
    view["taskDefinition"] = task_definition_arn or (live or {}).get("taskDefinition")
    if target.service_definition.get("tags") is not None:
        tags = target.service_definition["tags"] if live is None else live.get("tags", [])
        tags = [tag for tag in tags if tag["key"] not in target.ignore_tags]
        view["tags"] = sorted(tags, key=lambda tag: tag["key"])
    return view


# --- results -----------------------------------------------------------------------


def diff_entry(name, before, after):
    return {
        "before_header": f"{name} (live)",
        "after_header": f"{name} (desired)",
        "before": definitions.render(before) if before is not None else "",
        "after": definitions.render(after) if after is not None else "",
    }


def summarize_service(service):
    """The part of a described service that a deploy result reports."""
    if not service:
        return {}
    summary = dict(
        service_name=service.get("serviceName"),
        service_arn=service.get("serviceArn"),
        status=service.get("status"),
        task_definition=service.get("taskDefinition"),
        desired_count=service.get("desiredCount"),
        running_count=service.get("runningCount"),
        pending_count=service.get("pendingCount"),
        deployments=[
            {
                "id": deployment.get("id"),
                "status": deployment.get("status"),
                "task_definition": deployment.get("taskDefinition"),
                "desired_count": deployment.get("desiredCount"),
                "running_count": deployment.get("runningCount"),
                "rollout_state": deployment.get("rolloutState"),
                "rollout_state_reason": deployment.get("rolloutStateReason"),
                "updated_at": _iso(deployment.get("updatedAt")),
            }
            for deployment in service.get("deployments", [])
        ],
    )
    return summary


def _iso(moment):
    return moment.isoformat() if isinstance(moment, datetime.datetime) else moment


def _names(keys):
    return ", ".join(keys) if keys else "a new deployment"
