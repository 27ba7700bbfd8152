"""One-off tasks: RunTask and StopTask, with tasks that start, run, print and stop over time.

Moto gap: moto's RunTask fails with HTTP 500 when a container has no container-level memory
(usual on Fargate, where the task has the memory) and for awsvpc tasks in a VPC without DNS
hostnames (any VPC but the default one) or without security groups; it models only the first
container, keeps the overrides without applying them, moves a task one state further at each
DescribeTasks call whatever the time and ends it STOPPED with exit code 0, writes no logs,
checks neither the launch type nor the network configuration, ignores ``clientToken`` and
``propagateTags``, and fails with HTTP 500 when StopTask names an unknown task.

Here this extension answers RunTask itself. Each task lives on moto's Cluster object with its
whole life planned when it is run: PROVISIONING (awsvpc tasks) and PENDING for the first quarter
of ``task_seconds``, then RUNNING; each container runs for the other three quarters plus the
pauses of its command and exits with the code its command chooses
(:mod:`~tests.localaws.container_scripts`), printing its lines to CloudWatch Logs
(:mod:`~tests.localaws.task_logs`). The task stops when its first essential container exits
(``EssentialContainerExited``); containers still running are stopped and exit 143, as a process
that SIGTERM ends. After one eighth of ``task_seconds`` spent DEPROVISIONING (awsvpc) or STOPPING
the task is STOPPED. StopTask brings the stop forward (``UserInitiated``), a missing log group
or a ``fail_to_start`` fault fails the task when it would have run (``TaskFailedToStart``), and
an ``exit`` fault makes its essential container exit 1 just after it runs.

Nothing runs in the background: the plan is read at the time of each call that shows a task
(DescribeTasks, ListTasks via :mod:`~tests.localaws.service_tasks`, StopTask) or its output (any
CloudWatch Logs call), so ``task_seconds: 0`` runs and stops a task at once.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.ec2.exceptions import InvalidSubnetIdError
from moto.ec2.models import ec2_backends
from moto.ecs.models import Cluster, TaskDefinition

from .container_scripts import Run, command_line, lay_out, read
from .ecs_api import (
    EcsCall,
    EcsError,
    Hooks,
    cluster_name,
    container_arn,
    epoch,
    invalid_parameter,
    task_arn,
)
from .faults import EXIT, FAIL_TO_START, TaskFault
from .rollouts import (
    ESSENTIAL_CONTAINER_EXITED,
    EXIT_AFTER_SECONDS,
    FARGATE_PLATFORM_VERSION,
    MAX_STOPPED_TASKS,
    TASK_FAILED_TO_START,
    evaluate,
    failure_reason,
)
from .task_definitions import description, task_definition
from .task_logs import StreamWriter, add_writers, awslogs_of, log_group_fault

RUN_TASKS_ATTR = "_localaws_run_tasks"
CLIENT_TOKENS_ATTR = "_localaws_client_tokens"
MAX_CLIENT_TOKENS = 1000
MAX_COUNT = 10

# Shares of task_seconds: starting (the first half of it PROVISIONING for awsvpc tasks, the image
# pull in its second half), and stopping.
START_SHARE = 0.25
STOP_SHARE = 0.125
# What a container that the agent stops exits with: a process that SIGTERM ends.
STOPPED_EXIT_CODE = 143
USER_INITIATED = "UserInitiated"
ESSENTIAL_CONTAINER_REASON = "Essential container in task exited"
DEFAULT_STOP_REASON = "Task stopped by user"
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
DEFAULT_EPHEMERAL_STORAGE = 20


@dataclass(eq=False)
class Container:
    """One container of a run task: what it runs and when and how it ends.

    ``exits_at`` is None for a container that never starts.
    """

    name: str
    definition: dict[str, Any]
    override: dict[str, Any]
    runtime_id: str
    exits_at: float | None = None
    exit_code: int | None = None
    reason: str | None = None
    log: StreamWriter | None = None

    @property
    def essential(self) -> bool:
        """Whether the task stops when this container exits."""
        return bool(self.definition.get("essential", True))


@dataclass(eq=False)
class Network:
    """An awsvpc task's elastic network interface, made up from its subnet."""

    attachment_id: str
    subnet_id: str
    availability_zone: str
    interface_id: str
    mac_address: str
    private_ip: str
    private_dns_name: str


@dataclass(eq=False)
class RunTask:
    """A task that RunTask started, with its planned life: created, provisioned (network and
    image pull), started (RUNNING), stopping, stopped."""

    id: str
    cluster: str
    cluster_arn: str
    definition: dict[str, Any]
    request: dict[str, Any]
    launch_type: str
    capacity_provider: str | None
    container_instance_arn: str | None
    network: Network | None
    tags: list[dict[str, str]]
    created_at: float
    provisioned_at: float
    pulled_at: float
    start_at: float
    stopping_at: float
    stopped_at: float
    stop_code: str
    stopped_reason: str
    ran: bool
    pull_failed: bool
    seconds: float
    containers: list[Container] = field(default_factory=list)

    @property
    def task_definition_arn(self) -> str:
        """The full ARN of the task's task definition revision."""
        return str(self.definition["taskDefinitionArn"])

    @property
    def family(self) -> str:
        """The task definition's family."""
        return str(self.definition.get("family", ""))

    @property
    def fargate(self) -> bool:
        """Whether the task runs on Fargate."""
        return self.launch_type == "FARGATE"

    def desired_status(self, at: float) -> str:
        """RUNNING until the task is stopping, then STOPPED."""
        return "RUNNING" if at < self.stopping_at else "STOPPED"

    def last_status(self, at: float) -> str:
        """The task's lifecycle status at ``at``."""
        if at >= self.stopped_at:
            return "STOPPED"
        if at >= self.stopping_at:
            return "DEPROVISIONING" if self.network is not None else "STOPPING"
        if self.ran and at >= self.start_at:
            return "RUNNING"
        return "PENDING" if at >= self.provisioned_at else "PROVISIONING"

    def stop(self, at: float, reason: str) -> None:
        """The user stops the task at ``at``: containers still running exit 143."""
        self.stopping_at = at
        self.stopped_at = at + self.seconds * STOP_SHARE
        self.stop_code = USER_INITIATED
        self.stopped_reason = reason
        if at < self.start_at:
            self.ran = False
        for container in self.containers:
            if container.log is not None:
                container.log.until = min(container.log.until, at)
            if not self.ran:
                container.exits_at = None
                container.exit_code = None
                container.reason = None
            elif container.exits_at is not None and container.exits_at > at:
                container.exits_at = at
                container.exit_code = STOPPED_EXIT_CODE


# Finding things


def active_cluster(call: EcsCall) -> Cluster:
    """The cluster a request names; ClusterNotFoundException if it does not exist."""
    cluster = call.backend.clusters.get(cluster_name(call.params))
    if cluster is None or cluster.status != "ACTIVE":
        raise EcsError("ClusterNotFoundException", "Cluster not found.")
    return cluster


def tasks_of(cluster: Cluster) -> dict[str, RunTask]:
    """The run tasks of a cluster by id, oldest first (kept on moto's Cluster object)."""
    tasks = getattr(cluster, RUN_TASKS_ATTR, None)
    if tasks is None:
        tasks = {}
        setattr(cluster, RUN_TASKS_ATTR, tasks)
    return tasks


def run_tasks(call: EcsCall, cluster: str) -> list[RunTask]:
    """The run tasks of a cluster, oldest first, without the stopped ones beyond the last 200."""
    found = call.backend.clusters.get(cluster)
    if found is None:
        return []
    tasks = tasks_of(found)
    stopped = sorted(
        (t for t in tasks.values() if t.stopped_at <= call.now), key=lambda t: t.stopped_at
    )
    for task in stopped[:-MAX_STOPPED_TASKS]:
        del tasks[task.id]
    return list(tasks.values())


def find(call: EcsCall, cluster: str, reference: str) -> RunTask | None:
    """The run task a task id or ARN names, in a cluster."""
    found = call.backend.clusters.get(cluster)
    if found is None:
        return None
    return tasks_of(found).get(str(reference).rpartition("/")[2])


# Checking a RunTask request


@dataclass(frozen=True)
class Placement:
    """Where tasks run: launch type, capacity provider, and container instances (EC2)."""

    launch_type: str
    capacity_provider: str | None
    container_instances: tuple[str, ...]


def check_count(params: dict[str, Any]) -> int:
    """The number of tasks asked for: 1 to 10."""
    count = params.get("count", 1)
    # Limitation: ECS's own wording for this refusal is not known here.
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise invalid_parameter(f"count must be between 1 and {MAX_COUNT}.")
    return count


def placement(call: EcsCall, cluster: Cluster, definition: dict[str, Any]) -> Placement:
    """The launch type or capacity provider the tasks run on, checked against the task
    definition and the cluster's container instances."""
    params = call.params
    strategy = params.get("capacityProviderStrategy")
    if "launchType" in params and strategy:
        raise invalid_parameter(
            "Specifying both a launch type and capacity provider strategy is not supported. "
            "Remove one and try again."
        )
    if "launchType" not in params and not strategy:
        strategy = cluster.default_capacity_provider_strategy or None

    provider = None
    if strategy:
        # The provider that takes the first task: the one with a base, else the first.
        item = max(strategy, key=lambda i: i.get("base", 0) or 0)
        provider = str(item.get("capacityProvider", ""))
        launch_type = "FARGATE" if provider in FARGATE_PROVIDERS else "EC2"
    else:
        launch_type = str(params.get("launchType", "EC2"))
    if launch_type not in ("EC2", "FARGATE", "EXTERNAL"):
        raise invalid_parameter("launch type should be one of [EC2,FARGATE,EXTERNAL]")
    if launch_type == "FARGATE" and "FARGATE" not in definition.get("compatibilities", []):
        raise invalid_parameter("Task definition does not support launch_type FARGATE.")

    instances: tuple[str, ...] = ()
    if launch_type != "FARGATE" and provider is None:
        # Limitation: tasks are placed in turn on the ACTIVE container instances, whatever
        # their free CPU, memory and ports.
        registered = call.backend.container_instances.get(cluster.name, {}).values()
        instances = tuple(i.container_instance_arn for i in registered if i.status == "ACTIVE")
        if not instances:
            raise invalid_parameter("No Container Instances were found in your cluster.")
    return Placement(launch_type, provider, instances)


def awsvpc_configuration(call: EcsCall, definition: dict[str, Any]) -> dict[str, Any] | None:
    """The checked awsvpcConfiguration of an awsvpc task, None for other network modes."""
    network = call.params.get("networkConfiguration")
    if definition.get("networkMode") != "awsvpc":
        if network:
            raise invalid_parameter(
                "Network Configuration is not valid for the given networkMode of this task "
                "definition."
            )
        return None
    configuration = (network or {}).get("awsvpcConfiguration")
    if not configuration:
        raise invalid_parameter(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        )
    if not configuration.get("subnets"):
        raise invalid_parameter("subnets can not be empty.")
    ec2 = ec2_backends[call.account_id][call.region]
    for subnet_id in configuration["subnets"]:
        try:
            ec2.get_subnet(subnet_id)
        except InvalidSubnetIdError:
            raise invalid_parameter(
                f"Error retrieving subnet information for [{subnet_id}]: The subnet ID "
                f"'{subnet_id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)"
            ) from None
    for group_id in configuration.get("securityGroups", []):
        if ec2.get_security_group_from_id(group_id) is None:
            raise invalid_parameter(
                f"Error retrieving security group information for [{group_id}]: The security "
                f"group '{group_id}' does not exist (ErrorCode: InvalidGroup.NotFound)"
            )
    return configuration


def container_overrides(definition: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The container overrides by container name, each naming a container of the definition."""
    names = {c.get("name") for c in definition.get("containerDefinitions", [])}
    overrides: dict[str, Any] = {}
    for override in (params.get("overrides") or {}).get("containerOverrides", []):
        name = override.get("name")
        if name not in names:
            raise invalid_parameter(
                f"Override for container named {name} is not a container in the TaskDefinition."
            )
        overrides[name] = override
    return overrides


def task_tags(call: EcsCall, cluster: Cluster, task_definition: TaskDefinition) -> list[dict]:
    """The tags given, those of the task definition with ``propagateTags: TASK_DEFINITION``, and
    ECS's managed tag with ``enableECSManagedTags``."""
    params = call.params
    propagate = params.get("propagateTags", "NONE")
    if propagate == "SERVICE":
        # Limitation: ECS's own wording for this refusal is not known here.
        raise invalid_parameter(
            "propagateTags SERVICE is only valid for tasks that a service starts."
        )
    if propagate not in ("NONE", "TASK_DEFINITION"):
        raise invalid_parameter("Propagate tags should be one of [SERVICE,TASK_DEFINITION]")
    tags = [dict(tag) for tag in params.get("tags", [])]
    if propagate == "TASK_DEFINITION":
        given = {tag.get("key") for tag in tags}
        tags += [dict(t) for t in task_definition.tags or [] if t.get("key") not in given]
    if params.get("enableECSManagedTags"):
        tags.append({"key": "aws:ecs:clusterName", "value": cluster.name})
    return tags


def startup_failure(call: EcsCall, definition: dict[str, Any]) -> str | None:
    """ECS's reason why every task of this definition fails to start, if one does: a log group
    that does not exist and is not to be created."""
    fault = log_group_fault(
        call.account_id, call.region, definition.get("containerDefinitions", [])
    )
    return fault.reason if fault else None


# Planning a task's life


def network_of(call: EcsCall, task_id: str, subnet_id: str) -> Network:
    """A made-up elastic network interface in the subnet."""
    subnet = ec2_backends[call.account_id][call.region].get_subnet(subnet_id)
    digest = hashlib.sha256(task_id.encode()).digest()
    hosts = ipaddress.ip_network(subnet.cidr_block, strict=False)
    # AWS keeps the first four addresses and the last of a subnet.
    usable = max(hosts.num_addresses - 5, 1)
    address = str(hosts[4 + int.from_bytes(digest[:4], "big") % usable])
    domain = "ec2.internal" if call.region == "us-east-1" else f"{call.region}.compute.internal"
    return Network(
        attachment_id=str(uuid.UUID(bytes=digest[:16])),
        subnet_id=subnet_id,
        availability_zone=subnet.availability_zone,
        interface_id=f"eni-{digest[16:25].hex()[:17]}",
        mac_address=":".join(["02", *(f"{b:02x}" for b in digest[25:30])]),
        private_ip=address,
        private_dns_name=f"ip-{address.replace('.', '-')}.{domain}",
    )


def environment_of(
    call: EcsCall, definition: dict[str, Any], override: dict[str, Any]
) -> dict[str, str]:
    """A container's environment: the region variables ECS sets, the definition's variables,
    then the override's."""
    environment = {"AWS_REGION": call.region, "AWS_DEFAULT_REGION": call.region}
    for source in (definition.get("environment") or [], override.get("environment") or []):
        for variable in source:
            environment[str(variable.get("name"))] = str(variable.get("value", ""))
    return environment


def runtime_id(task_id: str, name: str, fargate: bool) -> str:
    """The id of a container's Docker container, as ECS shows it on Fargate or EC2."""
    digest = hashlib.sha256(f"{task_id}/{name}".encode()).hexdigest()
    return f"{task_id}-{int(digest[:8], 16)}" if fargate else digest


def plan_task(
    call: EcsCall,
    task: RunTask,
    overrides: dict[str, Any],
    fault: TaskFault | None,
    failure: str | None,
) -> None:
    """Plan the containers of a new task, and when and why the task stops."""
    for definition in task.definition.get("containerDefinitions", []):
        name = str(definition.get("name", ""))
        runtime = runtime_id(task.id, name, task.fargate)
        task.containers.append(Container(name, definition, overrides.get(name, {}), runtime))

    if failure is not None:
        plan_failed_start(task, failure, None)
    elif fault is not None and fault.mode == FAIL_TO_START:
        plan_failed_start(task, failure_reason(fault), fault.container)
    else:
        plan_run(call, task, fault)
    task.stopped_at = task.stopping_at + task.seconds * STOP_SHARE


def plan_failed_start(task: RunTask, reason: str, failing_container: str | None) -> None:
    """The task stops when it would have run, its containers never started."""
    task.ran = False
    task.pull_failed = failing_container is not None
    task.stop_code = TASK_FAILED_TO_START
    task.stopped_reason = reason
    for container in task.containers:
        if container.name == failing_container:
            container.reason = reason
    task.stopping_at = task.start_at


def plan_run(call: EcsCall, task: RunTask, fault: TaskFault | None) -> None:
    """Each container runs its command; the task stops when the first essential container
    exits, and the containers still running then are stopped."""
    run_seconds = task.seconds - (task.start_at - task.created_at)
    runs: dict[str, tuple[Run, float, int]] = {}
    for container in task.containers:
        arguments = command_line(container.definition, container.override.get("command"))
        environment = environment_of(call, container.definition, container.override)
        run = lay_out(read(arguments, environment), run_seconds)
        ends_at, code = task.start_at + run.duration, run.exit_code
        if fault is not None and fault.mode == EXIT and container.name == fault.container:
            ends_at, code = task.start_at + min(run.duration, EXIT_AFTER_SECONDS), 1
        runs[container.name] = (run, ends_at, code)

    essential = [runs[c.name][1] for c in task.containers if c.essential]
    task.stopping_at = min(essential) if essential else max(r[1] for r in runs.values())
    task.stop_code = ESSENTIAL_CONTAINER_EXITED
    task.stopped_reason = ESSENTIAL_CONTAINER_REASON
    for container in task.containers:
        run, ends_at, code = runs[container.name]
        if ends_at <= task.stopping_at:
            container.exits_at, container.exit_code = ends_at, code
        else:
            container.exits_at, container.exit_code = task.stopping_at, STOPPED_EXIT_CODE
        awslogs = awslogs_of(container.definition, call.region)
        if awslogs is not None:
            container.log = StreamWriter(
                region=awslogs.region,
                group=awslogs.group,
                stream=awslogs.stream(container.name, task.id, container.runtime_id),
                create_group=awslogs.create_group,
                opens_at=task.start_at,
                lines=tuple((task.start_at + at, text) for at, text in run.lines),
                until=container.exits_at,
            )


def new_task(
    call: EcsCall,
    cluster: Cluster,
    definition: dict[str, Any],
    where: Placement,
    awsvpc: dict[str, Any] | None,
    tags: list[dict[str, str]],
    index: int,
) -> RunTask:
    """A new task, its life planned from now, with the faults in force now."""
    task_id = uuid.uuid4().hex
    seconds = call.settings.task_seconds
    now = call.now
    start_at = now + seconds * START_SHARE
    provisioned_at = now + seconds * START_SHARE / 2 if awsvpc is not None else now
    network = None
    if awsvpc is not None:
        subnets = awsvpc["subnets"]
        network = network_of(call, task_id, subnets[index % len(subnets)])
    instances = where.container_instances
    task = RunTask(
        id=task_id,
        cluster=cluster.name,
        cluster_arn=cluster.arn,
        definition=definition,
        request=call.params,
        launch_type=where.launch_type,
        capacity_provider=where.capacity_provider,
        container_instance_arn=instances[index % len(instances)] if instances else None,
        network=network,
        tags=copy.deepcopy(tags),
        created_at=now,
        provisioned_at=provisioned_at,
        pulled_at=provisioned_at + (start_at - provisioned_at) / 2,
        start_at=start_at,
        stopping_at=start_at,
        stopped_at=start_at,
        stop_code="",
        stopped_reason="",
        ran=True,
        pull_failed=False,
        seconds=seconds,
    )
    fault = call.faults.task_fault(
        task.task_definition_arn, definition.get("containerDefinitions", [])
    )
    overrides = container_overrides(definition, call.params)
    plan_task(call, task, overrides, fault, startup_failure(call, definition))
    return task


# Showing a task


def describe(
    call: EcsCall, task: RunTask, include_tags: bool, at: float, as_run: bool = False
) -> dict[str, Any]:
    """A run task as DescribeTasks shows it at ``at``; ``as_run``: as RunTask answers it,
    just created."""
    status = "PROVISIONING" if task.network is not None else "PENDING"
    if not as_run:
        status = task.last_status(at)
    else:
        at = task.created_at

    def happened(moment: float) -> bool:
        return not as_run and moment <= at and moment <= task.stopping_at

    stopping = not as_run and at >= task.stopping_at
    running = task.ran and happened(task.start_at)
    view: dict[str, Any] = {
        "taskArn": task_arn(call, task.cluster, task.id),
        "clusterArn": task.cluster_arn,
        "taskDefinitionArn": task.task_definition_arn,
        "group": task.request.get("group") or f"family:{task.family}",
        "lastStatus": status,
        "desiredStatus": "STOPPED" if stopping else "RUNNING",
        "healthStatus": "UNKNOWN",
        "createdAt": epoch(task.created_at),
        "version": 1
        + int(task.network is not None and happened(task.provisioned_at))
        + int(running)
        + int(stopping)
        + int(not as_run and at >= task.stopped_at),
        "enableExecuteCommand": bool(task.request.get("enableExecuteCommand", False)),
        "launchType": task.launch_type,
        "attachments": attachments(task, at, as_run),
        "overrides": task_overrides(task.request),
        "containers": [],
    }
    if "startedBy" in task.request:
        view["startedBy"] = task.request["startedBy"]
    if task.capacity_provider is not None:
        view["capacityProviderName"] = task.capacity_provider
    if task.container_instance_arn is not None:
        view["containerInstanceArn"] = task.container_instance_arn
    if task.network is not None:
        view["availabilityZone"] = task.network.availability_zone
    if task.fargate:
        version = task.request.get("platformVersion", "LATEST")
        view["platformVersion"] = FARGATE_PLATFORM_VERSION if version == "LATEST" else version
        view["platformFamily"] = "Linux"
        storage = task.definition.get("ephemeralStorage", {}).get("sizeInGiB")
        view["ephemeralStorage"] = {"sizeInGiB": storage or DEFAULT_EPHEMERAL_STORAGE}
        view["fargateEphemeralStorage"] = {"sizeInGiB": storage or DEFAULT_EPHEMERAL_STORAGE}
    sizes = task.request.get("overrides") or {}
    for name in ("cpu", "memory"):
        value = sizes.get(name) or task.definition.get(name)
        if value:
            view[name] = str(value)
    if happened(task.provisioned_at):
        view["connectivity"] = "CONNECTED"
        view["connectivityAt"] = epoch(task.provisioned_at)
        view["pullStartedAt"] = epoch(task.provisioned_at)
    if not task.pull_failed and happened(task.pulled_at):
        view["pullStoppedAt"] = epoch(task.pulled_at)
    if running:
        view["startedAt"] = epoch(task.start_at)
    if stopping:
        view["stoppingAt"] = epoch(task.stopping_at)
        view["stopCode"] = task.stop_code
        view["stoppedReason"] = task.stopped_reason
        if task.ran:
            view["executionStoppedAt"] = epoch(task.stopping_at)
    if not as_run and at >= task.stopped_at:
        view["stoppedAt"] = epoch(task.stopped_at)
    view["containers"] = [container_view(call, task, c, at, as_run) for c in task.containers]
    if include_tags:
        view["tags"] = copy.deepcopy(task.tags)
    return view


def container_view(
    call: EcsCall, task: RunTask, container: Container, at: float, as_run: bool
) -> dict[str, Any]:
    """A container of a run task at ``at``."""
    started = not as_run and task.ran and task.start_at <= at
    exited = started and container.exits_at is not None and container.exits_at <= at
    stopped = exited or (not as_run and at >= task.stopping_at)
    view: dict[str, Any] = {
        "containerArn": container_arn(call, task.cluster, task.id, container.name),
        "taskArn": task_arn(call, task.cluster, task.id),
        "name": container.name,
        "image": str(container.definition.get("image", "")),
        "lastStatus": "STOPPED" if stopped else "RUNNING" if started else "PENDING",
        "networkBindings": [],
        "networkInterfaces": [],
        "healthStatus": "UNKNOWN",
        "cpu": str(container.override.get("cpu", container.definition.get("cpu", 0))),
    }
    for name in ("memory", "memoryReservation"):
        value = container.override.get(name, container.definition.get(name))
        if value is not None:
            view[name] = str(value)
    if started:
        view["runtimeId"] = container.runtime_id
        image = view["image"].encode()
        view["imageDigest"] = f"sha256:{hashlib.sha256(image).hexdigest()}"
    if task.network is not None and not as_run and task.provisioned_at <= at:
        view["networkInterfaces"] = [
            {
                "attachmentId": task.network.attachment_id,
                "privateIpv4Address": task.network.private_ip,
            }
        ]
    if exited:
        view["exitCode"] = container.exit_code
    if container.reason is not None and stopped:
        view["reason"] = container.reason
    if task.request.get("enableExecuteCommand"):
        view["managedAgents"] = [{"name": "ExecuteCommandAgent", "lastStatus": view["lastStatus"]}]
    return view


def attachments(task: RunTask, at: float, as_run: bool) -> list[dict[str, Any]]:
    """The task's elastic network interface attachment, as it stands at ``at``."""
    network = task.network
    if network is None:
        return []
    details = [{"name": "subnetId", "value": network.subnet_id}]
    if as_run or at < task.provisioned_at:
        status = "PRECREATED"
    elif at >= task.stopped_at:
        status = "DELETED"
    else:
        status = "DETACHING" if at >= task.stopping_at else "ATTACHED"
        details += [
            {"name": "networkInterfaceId", "value": network.interface_id},
            {"name": "macAddress", "value": network.mac_address},
            {"name": "privateDnsName", "value": network.private_dns_name},
            {"name": "privateIPv4Address", "value": network.private_ip},
        ]
    return [
        {
            "id": network.attachment_id,
            "type": "ElasticNetworkInterface",
            "status": status,
            "details": details,
        }
    ]


def task_overrides(request: dict[str, Any]) -> dict[str, Any]:
    """The task's overrides as sent, with ECS's empty lists when none are sent."""
    overrides = copy.deepcopy(request.get("overrides") or {})
    overrides.setdefault("containerOverrides", [])
    overrides.setdefault("inferenceAcceleratorOverrides", [])
    return overrides


def listed(call: EcsCall, task: RunTask) -> bool:
    """Whether a run task passes ListTasks' filters."""
    params = call.params
    if "serviceName" in params:
        return False
    if "containerInstance" in params:
        wanted = str(params["containerInstance"]).rpartition("/")[2]
        if (task.container_instance_arn or "").rpartition("/")[2] != wanted:
            return False
    if "startedBy" in params and task.request.get("startedBy") != params["startedBy"]:
        return False
    if "family" in params and task.family != params["family"]:
        return False
    if "launchType" in params and task.launch_type != params["launchType"]:
        return False
    return task.desired_status(call.now) == params.get("desiredStatus", "RUNNING")


# Hooks


def fingerprint(params: dict[str, Any]) -> str:
    """A RunTask request without its clientToken, to tell whether two requests are the same."""
    return json.dumps({k: v for k, v in params.items() if k != "clientToken"}, sort_keys=True)


def repeated(call: EcsCall, cluster: Cluster) -> dict[str, Any] | None:
    """The answer to a RunTask whose clientToken was used before: the same tasks for the same
    request, a ConflictException for another one."""
    token = call.params.get("clientToken")
    tokens = getattr(call.backend, CLIENT_TOKENS_ATTR, {})
    if token is None or token not in tokens:
        return None
    known_cluster, known_fingerprint, task_ids = tokens[token]
    arns = [task_arn(call, known_cluster, task_id) for task_id in task_ids]
    if known_cluster != cluster.name or known_fingerprint != fingerprint(call.params):
        # Limitation: ECS's own wording for this conflict is not known here.
        raise EcsError(
            "ConflictException",
            "The specified client token is already in use with a different RunTask request.",
            members={"resourceIds": arns},
        )
    found = [t for t in (find(call, known_cluster, i) for i in task_ids) if t is not None]
    return {"tasks": [describe(call, t, True, call.now) for t in found], "failures": []}


def remember_token(call: EcsCall, cluster: Cluster, tasks: list[RunTask]) -> None:
    """Keep a RunTask's clientToken (the last 1000) with the tasks it started."""
    token = call.params.get("clientToken")
    if token is None:
        return
    tokens = getattr(call.backend, CLIENT_TOKENS_ATTR, None)
    if tokens is None:
        tokens = {}
        setattr(call.backend, CLIENT_TOKENS_ATTR, tokens)
    tokens[token] = (cluster.name, fingerprint(call.params), [t.id for t in tasks])
    for old in list(tokens)[:-MAX_CLIENT_TOKENS]:
        del tokens[old]


def before_run(call: EcsCall) -> None:
    """Check a RunTask request as ECS does, start its tasks and answer."""
    cluster = active_cluster(call)
    answer = repeated(call, cluster)
    if answer is not None:
        call.response = answer
        return
    if not call.params.get("taskDefinition"):
        raise invalid_parameter("TaskDefinition can not be blank.")

    revision = task_definition(call, call.params["taskDefinition"])
    definition = description(revision)
    count = check_count(call.params)
    awsvpc = awsvpc_configuration(call, definition)
    where = placement(call, cluster, definition)
    container_overrides(definition, call.params)
    tags = task_tags(call, cluster, revision)

    tasks = [new_task(call, cluster, definition, where, awsvpc, tags, i) for i in range(count)]
    for task in tasks:
        tasks_of(cluster)[task.id] = task
        add_writers(call.account_id, [c.log for c in task.containers if c.log], call.now)
    remember_token(call, cluster, tasks)
    call.response = {
        "tasks": [describe(call, t, True, call.now, as_run=True) for t in tasks],
        "failures": [],
    }


def service_task_ids(call: EcsCall, cluster: str) -> set[str]:
    """The ids of the tasks of the cluster's services' rollout plans."""
    ids: set[str] = set()
    for service in list(call.backend.services.values()):
        if service.cluster_name == cluster:
            rollout = evaluate(call, service)
            if rollout is not None:
                ids |= {task.id for task in rollout.tasks}
    return ids


def before_stop(call: EcsCall) -> None:
    """Stop a run task; leave other tasks to moto, and refuse unknown ones as ECS does."""
    cluster = active_cluster(call)
    reference = str(call.params.get("task", ""))
    task = tasks_of(cluster).get(reference.rpartition("/")[2])
    if task is None:
        known = {t.task_arn for t in call.backend.tasks.get(cluster.name, {}).values()}
        known |= {arn.rpartition("/")[2] for arn in known}
        known |= service_task_ids(call, cluster.name)
        if reference not in known and reference.rpartition("/")[2] not in known:
            raise invalid_parameter("The referenced task was not found")
        return
    if call.now < task.stopping_at:
        task.stop(call.now, str(call.params.get("reason") or DEFAULT_STOP_REASON))
        # As ECS documents it, StopTask deletes the task's tags.
        task.tags = []
        # ECS answers at once, with the task as it was and its stop decided.
        view = describe(call, task, True, call.now - 1e-6)
        view.update(
            desiredStatus="STOPPED",
            stoppingAt=epoch(task.stopping_at),
            stopCode=task.stop_code,
            stoppedReason=task.stopped_reason,
        )
    else:
        view = describe(call, task, True, call.now)
    call.response = {"task": view}


def tagged_task(call: EcsCall) -> RunTask | None:
    """The run task a tagging request's resourceArn names, if it names one."""
    arn = str(call.params.get("resourceArn", ""))
    resource = arn.split(":", 5)[-1]
    kind, _slash, rest = resource.partition("/")
    if kind != "task" or "/" not in rest:
        return None
    cluster, _slash, task_id = rest.partition("/")
    return find(call, cluster, task_id)


def before_list_tags(call: EcsCall) -> None:
    """Answer ListTagsForResource for a run task."""
    task = tagged_task(call)
    if task is not None:
        call.response = {"tags": copy.deepcopy(task.tags)}


def before_tag(call: EcsCall) -> None:
    """Answer TagResource for a run task: new keys are added, known keys get the new value."""
    task = tagged_task(call)
    if task is not None:
        new = {t.get("key"): dict(t) for t in call.params.get("tags", [])}
        task.tags = [t for t in task.tags if t.get("key") not in new] + list(new.values())
        call.response = {}


def before_untag(call: EcsCall) -> None:
    """Answer UntagResource for a run task."""
    task = tagged_task(call)
    if task is not None:
        keys = set(call.params.get("tagKeys", []))
        task.tags = [t for t in task.tags if t.get("key") not in keys]
        call.response = {}


HOOKS = {
    "RunTask": Hooks(before=before_run),
    "StopTask": Hooks(before=before_stop),
    "ListTagsForResource": Hooks(before=before_list_tags),
    "TagResource": Hooks(before=before_tag),
    "UntagResource": Hooks(before=before_untag),
}
