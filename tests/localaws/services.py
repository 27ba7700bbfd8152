"""Services answered as real ECS answers them.

Moto gap: moto's CreateService drops ``deploymentConfiguration``, ``enableExecuteCommand``,
``healthCheckGracePeriodSeconds``, ``capacityProviderStrategy``, ``placementConstraints``,
``placementStrategy``, ``enableECSManagedTags``, ``availabilityZoneRebalancing`` and the
deployment-level ``serviceConnectConfiguration``, ``volumeConfigurations`` and
``vpcLatticeConfigurations``; fills none of ECS's defaults for them; keeps ``taskDefinition`` as
sent by UpdateService (``family`` instead of the full ARN); overwrites an ACTIVE service on a
second CreateService; updates INACTIVE services; lists INACTIVE services; and fails with HTTP 500
on an awsvpcConfiguration without securityGroups (ECS uses the VPC's default group). This extension
keeps those fields on moto's Service object (omitted in UpdateService = unchanged), fills ECS's
defaults, and overlays them on every service that an answer carries.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.ecs.models import Service
from moto.utilities.utils import get_partition

from .ecs_api import EcsCall, EcsError, Hooks, epoch, invalid_parameter
from .task_definitions import description, task_definition

# The most tasks a service may run (ECS's "Tasks per service" quota).
MAX_DESIRED_COUNT = 5000

FIELDS_ATTR = "_localaws_fields"

# Fields kept here and overlaid on moto's answer: moto drops some and keeps others without
# ECS's defaults. Omitted on create, ECS shows the defaults in SERVICE_DEFAULTS.
KEPT_FIELDS = (
    "deploymentConfiguration",
    "enableExecuteCommand",
    "healthCheckGracePeriodSeconds",
    "capacityProviderStrategy",
    "placementConstraints",
    "placementStrategy",
    "enableECSManagedTags",
    "propagateTags",
    "availabilityZoneRebalancing",
    "platformVersion",
    "networkConfiguration",
    "loadBalancers",
    "serviceRegistries",
)
# Not members of ECS's Service: ECS shows them on the deployments only.
DEPLOYMENT_FIELDS = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)
SERVICE_DEFAULTS: dict[str, Any] = {
    "healthCheckGracePeriodSeconds": 0,
    "propagateTags": "NONE",
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
    "placementConstraints": [],
    "placementStrategy": [],
    "serviceRegistries": [],
    "loadBalancers": [],
}


def fields(service: Service) -> dict[str, Any]:
    """The service fields this extension keeps for a moto Service (empty if none)."""
    return getattr(service, FIELDS_ATTR, {})


def find(call: EcsCall, cluster: str | None, name_or_arn: str) -> Service | None:
    """Moto's Service object in a cluster (short name or ARN), or None."""
    cluster_name = (cluster or "default").rpartition("/")[2]
    return call.backend.services.get(f"{cluster_name}:{name_or_arn.rpartition('/')[2]}")


def find_by_arn(call: EcsCall, arn: str) -> Service | None:
    """Moto's Service object with this ARN, or None."""
    return next((s for s in call.backend.services.values() if s.arn == arn), None)


def deployment_configuration(
    sent: dict[str, Any] | None, current: dict[str, Any] | None, scheduling_strategy: str
) -> dict[str, Any]:
    """The deploymentConfiguration ECS keeps: sent keys over current ones, defaults filled."""
    configuration = copy.deepcopy(current or {})
    configuration.update(copy.deepcopy(sent or {}))
    maximum, minimum = (100, 0) if scheduling_strategy == "DAEMON" else (200, 100)
    configuration.setdefault("maximumPercent", maximum)
    configuration.setdefault("minimumHealthyPercent", minimum)
    breaker = configuration.setdefault("deploymentCircuitBreaker", {})
    breaker.setdefault("enable", False)
    breaker.setdefault("rollback", False)
    return configuration


def network_configuration(sent: dict[str, Any]) -> dict[str, Any]:
    """A networkConfiguration with ECS's ``assignPublicIp: DISABLED`` default."""
    configuration = copy.deepcopy(sent)
    configuration.get("awsvpcConfiguration", {}).setdefault("assignPublicIp", "DISABLED")
    return configuration


def capacity_provider_strategy(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A capacityProviderStrategy as ECS shows it, with ``base`` and ``weight`` filled."""
    return [{"base": 0, "weight": 0, **item} for item in copy.deepcopy(sent)]


def apply(call: EcsCall, service: Service, sent: dict[str, Any]) -> None:
    """Keep the fields in ``sent`` (a Create or UpdateService request) on the service."""
    kept = fields(service)
    current_deployment_configuration = kept.get("deploymentConfiguration")
    for name in KEPT_FIELDS + DEPLOYMENT_FIELDS:
        if name in sent:
            kept[name] = copy.deepcopy(sent[name])
    kept["deploymentConfiguration"] = deployment_configuration(
        sent.get("deploymentConfiguration"),
        current_deployment_configuration,
        service.scheduling_strategy,
    )
    if "networkConfiguration" in kept:
        kept["networkConfiguration"] = network_configuration(kept["networkConfiguration"])
    if "capacityProviderStrategy" in kept:
        kept["capacityProviderStrategy"] = capacity_provider_strategy(
            kept["capacityProviderStrategy"]
        )
    setattr(service, FIELDS_ATTR, kept)

    # Moto keeps UpdateService's taskDefinition as sent; ECS always shows the full ARN.
    if "taskDefinition" in sent:
        service.task_definition = call.backend.describe_task_definition(sent["taskDefinition"]).arn


def overlay(call: EcsCall, view: dict[str, Any]) -> dict[str, Any]:
    """A service as moto describes it, with ECS's fields and defaults put in."""
    service = find_by_arn(call, view.get("serviceArn", ""))
    if service is None:
        return view
    kept = fields(service)
    for name, default in SERVICE_DEFAULTS.items():
        view[name] = copy.deepcopy(kept.get(name, default))
    for name in KEPT_FIELDS:
        if name in kept:
            view[name] = copy.deepcopy(kept[name])
    view["taskDefinition"] = service.task_definition
    view["schedulingStrategy"] = service.scheduling_strategy

    if view.get("capacityProviderStrategy"):
        # ECS shows either the launch type or the strategy, never both.
        view.pop("launchType", None)
    else:
        view.pop("capacityProviderStrategy", None)
    if view.get("launchType") == "FARGATE":
        view.setdefault("platformVersion", "LATEST")
        view["platformFamily"] = "Linux"
    else:
        view.pop("platformFamily", None)

    partition = get_partition(call.region)
    if "createdAt" in kept:
        view["createdAt"] = kept["createdAt"]
        view["createdBy"] = f"arn:{partition}:iam::{call.account_id}:root"
    if "networkConfiguration" in kept and "roleArn" not in view:
        view["roleArn"] = (
            f"arn:{partition}:iam::{call.account_id}:role/aws-service-role/"
            "ecs.amazonaws.com/AWSServiceRoleForECS"
        )
    return view


def prepare_network_for_moto(call: EcsCall) -> None:
    """Let moto take an awsvpcConfiguration without securityGroups, as ECS does.

    ECS then uses the VPC's default security group; moto fails with a KeyError (HTTP 500).
    The request as sent is kept for the answer.
    """
    awsvpc = call.params.get("networkConfiguration", {}).get("awsvpcConfiguration")
    if awsvpc is None:
        return
    if not awsvpc.get("subnets"):
        raise invalid_parameter("subnets can not be empty.")
    if "securityGroups" not in awsvpc:
        call.scratch["sent"] = copy.deepcopy(call.params)
        awsvpc["securityGroups"] = []


def check_placement_and_count(params: dict[str, Any], launch_type: str | None) -> None:
    """Moto gap: moto takes any desiredCount (a negative one, or one so large that the local
    AWS runs out of memory planning its tasks) and placement settings for Fargate; ECS
    refuses them."""
    count = params.get("desiredCount")
    if count is not None and not 0 <= count <= MAX_DESIRED_COUNT:
        raise invalid_parameter(f"desiredCount must be between 0 and {MAX_DESIRED_COUNT}.")
    if launch_type == "FARGATE":
        for field in ("placementStrategy", "placementConstraints"):
            if params.get(field):
                raise invalid_parameter(f"{field} is not supported with the FARGATE launch type.")


def check_task_definition_fits(call: EcsCall) -> None:
    """Moto gap: moto creates a service whatever its task definition needs. ECS refuses an
    awsvpc task definition without a networkConfiguration, and the FARGATE launch type for a
    task definition that is not Fargate-compatible."""
    params = call.params
    try:
        definition = description(task_definition(call, params.get("taskDefinition", "")))
    except EcsError:
        return  # moto answers a missing task definition itself
    if definition.get("networkMode") == "awsvpc" and not params.get("networkConfiguration"):
        raise invalid_parameter(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        )
    if params.get("launchType") == "FARGATE" and "FARGATE" not in definition.get(
        "compatibilities", []
    ):
        raise invalid_parameter("Task definition does not support launch_type FARGATE.")


def before_create(call: EcsCall) -> None:
    """Refuse a second service of the same name, and what ECS refuses on create."""
    params = call.params
    existing = find(call, params.get("cluster"), params.get("serviceName", ""))
    if existing is not None and existing.status in ("ACTIVE", "DRAINING"):
        raise invalid_parameter("Creation of service was not idempotent.")
    if "launchType" in params and params.get("capacityProviderStrategy"):
        raise invalid_parameter(
            "Specifying both a launch type and capacity provider strategy is not supported. "
            "Remove one and try again."
        )
    check_placement_and_count(params, params.get("launchType"))
    check_task_definition_fits(call)
    prepare_network_for_moto(call)


def after_create(call: EcsCall) -> None:
    """Keep the sent fields on the new service, and overlay them on the answer."""
    assert call.response is not None
    service = find_by_arn(call, call.response["service"]["serviceArn"])
    if service is not None:
        setattr(service, FIELDS_ATTR, {"createdAt": epoch(call.now)})
        apply(call, service, call.scratch.get("sent", call.params))
    call.response["service"] = overlay(call, call.response["service"])


def before_update(call: EcsCall) -> None:
    """Refuse updates that ECS refuses."""
    service = find(call, call.params.get("cluster"), call.params.get("service", ""))
    if service is None:
        return
    if service.status != "ACTIVE":
        raise EcsError("ServiceNotActiveException", "Service was not ACTIVE.")
    controller = service.deployment_controller.get("type", "ECS")
    if controller == "CODE_DEPLOY" and "taskDefinition" in call.params:
        raise invalid_parameter(
            "Unable to update task definition on services with a CODE_DEPLOY deployment "
            "controller. Use AWS CodeDeploy to deploy a new task definition."
        )
    check_placement_and_count(call.params, fields(service).get("launchType"))
    prepare_network_for_moto(call)


def after_update(call: EcsCall) -> None:
    """Keep the sent fields (omitted ones unchanged), and overlay them on the answer."""
    assert call.response is not None
    service = find_by_arn(call, call.response["service"]["serviceArn"])
    if service is not None:
        apply(call, service, call.scratch.get("sent", call.params))
    call.response["service"] = overlay(call, call.response["service"])


def after_service_answer(call: EcsCall) -> None:
    """Overlay the kept fields on the service in a DeleteService answer."""
    assert call.response is not None
    call.response["service"] = overlay(call, call.response["service"])


def after_describe(call: EcsCall) -> None:
    """Overlay the kept fields on every described service."""
    assert call.response is not None
    call.response["services"] = [overlay(call, view) for view in call.response["services"]]


def after_list(call: EcsCall) -> None:
    """List only services that still exist, as ECS does (moto lists INACTIVE ones too)."""
    assert call.response is not None
    active = []
    for arn in call.response.get("serviceArns", []):
        service = find_by_arn(call, arn)
        if service is None or service.status != "INACTIVE":
            active.append(arn)
    call.response["serviceArns"] = active


HOOKS = {
    "CreateService": Hooks(before=before_create, after=after_create),
    "UpdateService": Hooks(before=before_update, after=after_update),
    "DeleteService": Hooks(after=after_service_answer),
    "DescribeServices": Hooks(after=after_describe),
    "ListServices": Hooks(after=after_list),
}
