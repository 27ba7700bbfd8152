# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Application Auto Scaling around a deploy: suspend before, resume and resize after.

A deploy that suspends auto scaling does so before the service is updated, so that scaling
does not fight the rollout; resuming and the new minimum and maximum are applied only once
the new deployment has completed, so one run can suspend and resume around its own deploy.
"""

from __future__ import annotations

from .aws import call
from .errors import DefinitionError

DIMENSION = "ecs:service:DesiredCount"
SUSPEND_FLAGS = (
    "DynamicScalingInSuspended",
    "DynamicScalingOutSuspended",
    "ScheduledScalingSuspended",
)


class AutoScalingOptions:
    """``suspend`` before the update, ``resume`` after the rollout (both together: around
    it), ``minimum`` and ``maximum`` after the rollout (None: leave the capacity)."""

    def __init__(self, suspend=False, resume=False, minimum=None, maximum=None):
        for name, value in (("auto_scaling_min", minimum), ("auto_scaling_max", maximum)):
            if value is not None and value < 0:
                raise DefinitionError(
                    "module options", f"{name} {value} is negative", "give 0 or more", field=name
                )
        if minimum is not None and maximum is not None and minimum > maximum:
            raise DefinitionError(
                "module options",
                f"auto_scaling_min {minimum} is above auto_scaling_max {maximum}",
                "give a minimum no larger than the maximum",
                field="auto_scaling_min",
            )
        self.suspend = suspend
        self.resume = resume
        self.minimum = minimum
        self.maximum = maximum

    @property
    def wanted(self):
        return self.suspend or self.resume or self.minimum is not None or self.maximum is not None


def scalable_target(client, cluster, service):
    """The service's scalable target, or None."""
    found = call(
        f"describe the scalable target of service {service}",
        client.describe_scalable_targets,
        ServiceNamespace="ecs",
        ResourceIds=[f"service/{cluster}/{service}"],
        ScalableDimension=DIMENSION,
    ).get("ScalableTargets", [])
    return found[0] if found else None


def check_bounds(session, cluster, service, options):
    """Before anything changes: refuse a minimum or a maximum that, with the other bound the
    scalable target has, would leave the minimum above the maximum."""
    if (options.minimum is None) == (options.maximum is None):
        return  # both given (checked together) or neither
    client = session.client("application-autoscaling")
    target = scalable_target(client, cluster, service)
    if target is None:
        return
    low = target.get("MinCapacity") if options.minimum is None else options.minimum
    high = target.get("MaxCapacity") if options.maximum is None else options.maximum
    _check_order(low, high, service)


def _check_order(low, high, service):
    if low is not None and high is not None and low > high:
        raise DefinitionError(
            "module options",
            f"auto scaling minimum {low} would be above the maximum {high} of service {service}",
            "give auto_scaling_min and auto_scaling_max together",
            field="auto_scaling_min",
        )


def suspend(session, cluster, service, options, progress, check_mode, result):
    """Before the update: suspend scaling when asked."""
    if options.suspend:
        _apply(session, cluster, service, {"suspend": True}, progress, check_mode, result)


def settle(session, cluster, service, options, progress, check_mode, result):
    """After the rollout: resume and apply the capacity when asked."""
    changes = {}
    if options.resume:
        changes["suspend"] = False
    if options.minimum is not None:
        changes["MinCapacity"] = options.minimum
    if options.maximum is not None:
        changes["MaxCapacity"] = options.maximum
    if changes:
        _apply(session, cluster, service, changes, progress, check_mode, result)


def _apply(session, cluster, service, changes, progress, check_mode, result):
    client = session.client("application-autoscaling")
    target = scalable_target(client, cluster, service)
    if target is None:
        result["warnings"].append(
            f"service {service} has no Application Auto Scaling scalable target: "
            "suspend_auto_scaling, resume_auto_scaling, auto_scaling_min and auto_scaling_max "
            "were not applied"
        )
        return
    request = {}
    state = target.get("SuspendedState") or {}
    if "suspend" in changes:
        flags = {flag: changes["suspend"] for flag in SUSPEND_FLAGS}
        if any(bool(state.get(flag)) != value for flag, value in flags.items()):
            request["SuspendedState"] = flags
    for key in ("MinCapacity", "MaxCapacity"):
        if key in changes and target.get(key) != changes[key]:
            request[key] = changes[key]
    _check_order(
        request.get("MinCapacity", target.get("MinCapacity")),
        request.get("MaxCapacity", target.get("MaxCapacity")),
        service,
    )
    if not request:
        return
    what = _describe(request)
    if check_mode:
        result["changed"] = True
        result.setdefault("auto_scaling", {}).update(request)
        progress.emit(service, f"would set auto scaling: {what}")
        return
    call(
        f"update the scalable target of service {service}",
        client.register_scalable_target,
        ServiceNamespace="ecs",
        ResourceId=f"service/{cluster}/{service}",
        ScalableDimension=DIMENSION,
        **request,
    )
    result["changed"] = True
    result.setdefault("auto_scaling", {}).update(request)
    progress.emit(service, f"auto scaling: {what}")


def _describe(request):
    parts = []
    if "SuspendedState" in request:
        suspended = all(request["SuspendedState"].values())
        parts.append("suspended" if suspended else "resumed")
    if "MinCapacity" in request:
        parts.append(f"min {request['MinCapacity']}")
    if "MaxCapacity" in request:
        parts.append(f"max {request['MaxCapacity']}")
    return ", ".join(parts)
