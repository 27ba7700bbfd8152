"""One-off tasks over HTTP with boto3: RunTask, their life, their output in CloudWatch Logs,
StopTask, faults, and how ListTasks and DescribeTasks show them."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.localaws.__main__ import parse_args
from tests.localaws.testkit import (
    CLUSTER,
    client,
    create_web_service,
    register_fargate,
    wait_for,
)

GROUP = "/ecs/migrate"
PREFIX = "jobs"
PULL_ERROR = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
    'failed to resolve ref "migrator:broken": not found'
)
LOG_GROUP_MISSING = (
    "ResourceInitializationError: failed to validate logger args: create stream has been "
    "retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: "
    "The specified log group does not exist. : exit status 1"
)
STATUS_ORDER = ["PROVISIONING", "PENDING", "RUNNING", "DEPROVISIONING", "STOPPED"]


@pytest.fixture
def logs(local_aws):
    """A CloudWatch Logs client, with the jobs' log group."""
    logs = client(local_aws, "logs")
    logs.create_log_group(logGroupName=GROUP)
    return logs


def awslogs(group: str = GROUP, **options: str) -> dict[str, Any]:
    """An awslogs logConfiguration."""
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": group,
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": PREFIX,
            **options,
        },
    }


def register_job(
    ecs: Any,
    command: list[str] | None = None,
    family: str = "migrate",
    image: str = "migrator:1",
    **container: Any,
) -> str:
    """A Fargate task definition with memory at the task level only (none in the container),
    one container ``migrate`` logging to the jobs' log group; returns its ARN."""
    definition = {
        "name": "migrate",
        "image": image,
        "logConfiguration": awslogs(),
        **({"command": command} if command is not None else {}),
        **container,
    }
    return ecs.register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[definition],
    )["taskDefinition"]["taskDefinitionArn"]


def run(ecs: Any, network: dict[str, Any], task_definition: str = "migrate", **extra: Any):
    """RunTask on Fargate in the test cluster; returns the answer."""
    return ecs.run_task(
        cluster=CLUSTER,
        taskDefinition=task_definition,
        launchType="FARGATE",
        networkConfiguration=network,
        **extra,
    )


def task(ecs: Any, arn: str) -> dict[str, Any]:
    """One task as DescribeTasks answers."""
    return ecs.describe_tasks(cluster=CLUSTER, tasks=[arn], include=["TAGS"])["tasks"][0]


def stopped(ecs: Any, arn: str, timeout: float = 5.0) -> dict[str, Any]:
    """The task once it is STOPPED."""

    def if_stopped() -> dict[str, Any] | None:
        described = task(ecs, arn)
        return described if described["lastStatus"] == "STOPPED" else None

    return wait_for(if_stopped, timeout)


def stream(arn: str, container: str = "migrate") -> str:
    """The log stream of a task's container."""
    return f"{PREFIX}/{container}/{arn.rpartition('/')[2]}"


def messages(logs: Any, arn: str, container: str = "migrate") -> list[str]:
    """The lines a task's container has written to its log stream so far."""
    answer = logs.get_log_events(
        logGroupName=GROUP, logStreamName=stream(arn, container), startFromHead=True
    )
    return [event["message"] for event in answer["events"]]


def list_tasks(ecs: Any, **filters: Any) -> list[str]:
    """Every task ARN that ListTasks lists in the test cluster, through all pages."""
    pages = ecs.get_paginator("list_tasks").paginate(cluster=CLUSTER, **filters)
    return [arn for page in pages for arn in page["taskArns"]]


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    """The code and message of the error a call answers."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


# RunTask where moto fails, and what ECS answers


def test_fargate_task_with_task_memory_runs_in_the_default_vpc(local_aws, ecs, logs):
    ec2 = client(local_aws, "ec2")
    subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])[
        "Subnets"
    ][0]
    task_definition = register_job(ecs, ["sh", "-c", "echo ok"])
    network = {"awsvpcConfiguration": {"subnets": [subnet["SubnetId"]]}}

    answer = run(ecs, network, startedBy="deploy-42")

    assert answer["failures"] == []
    [started] = answer["tasks"]
    assert started["taskArn"].startswith("arn:aws:ecs:us-east-1:123456789012:task/test/")
    assert started["clusterArn"].endswith(":cluster/test")
    assert started["taskDefinitionArn"] == task_definition
    assert (started["lastStatus"], started["desiredStatus"]) == ("PROVISIONING", "RUNNING")
    assert (started["group"], started["startedBy"]) == ("family:migrate", "deploy-42")
    assert (started["launchType"], started["platformVersion"]) == ("FARGATE", "1.4.0")
    assert (started["cpu"], started["memory"]) == ("256", "512")
    assert started["availabilityZone"] == subnet["AvailabilityZone"]
    assert started["attachments"][0]["status"] == "PRECREATED"
    assert started["overrides"] == {"containerOverrides": [], "inferenceAcceleratorOverrides": []}
    assert [(c["name"], c["lastStatus"]) for c in started["containers"]] == [("migrate", "PENDING")]
    assert "startedAt" not in started

    done = stopped(ecs, started["taskArn"])
    assert done["containers"][0]["exitCode"] == 0
    assert done["stopCode"] == "EssentialContainerExited"
    assert messages(logs, started["taskArn"]) == ["ok"]


def test_a_task_goes_through_the_ecs_statuses_in_order(local_aws, ecs, logs, network):
    # Long enough that a busy machine still sees the task RUNNING between its polls.
    local_aws.task_seconds = 2.0
    register_job(ecs, ["sh", "-c", "echo working"])
    arn = run(ecs, network)["tasks"][0]["taskArn"]

    seen: list[str] = []
    versions: list[int] = []
    while not seen or seen[-1] != "STOPPED":
        described = task(ecs, arn)
        if not seen or seen[-1] != described["lastStatus"]:
            seen.append(described["lastStatus"])
            versions.append(described["version"])
        if described["lastStatus"] in ("DEPROVISIONING", "STOPPED"):
            assert described["desiredStatus"] == "STOPPED"
        time.sleep(0.01)

    assert [STATUS_ORDER.index(status) for status in seen] == sorted(
        STATUS_ORDER.index(status) for status in seen
    )
    assert {"RUNNING", "STOPPED"} <= set(seen)
    assert versions == sorted(versions) and versions[-1] == 5
    moments = [
        described[name]
        for name in (
            "createdAt",
            "connectivityAt",
            "pullStartedAt",
            "pullStoppedAt",
            "startedAt",
            "executionStoppedAt",
            "stoppingAt",
            "stoppedAt",
        )
    ]
    assert moments == sorted(moments)
    # Started after a quarter of the task time; stopped an eighth of it after it ended.
    assert (described["startedAt"] - described["createdAt"]).total_seconds() == pytest.approx(
        0.5, abs=0.01
    )
    assert (described["stoppedAt"] - described["createdAt"]).total_seconds() == pytest.approx(
        2.25, abs=0.01
    )
    assert described["attachments"][0]["status"] == "DELETED"


def test_task_seconds_zero_runs_and_stops_at_once(local_aws, ecs, logs, network):
    local_aws.task_seconds = 0
    register_job(ecs, ["sh", "-c", "echo at once; exit 4"])

    answer = run(ecs, network)["tasks"][0]
    described = task(ecs, answer["taskArn"])

    assert answer["lastStatus"] == "PROVISIONING"
    assert described["lastStatus"] == "STOPPED"
    assert described["containers"][0]["exitCode"] == 4
    assert messages(logs, answer["taskArn"]) == ["at once"]


# The convention: a container's command decides its output and exit code


def test_lines_reach_cloudwatch_in_order_and_the_exit_code_stops_the_task(ecs, logs, network):
    register_job(ecs, ["sh", "-c", "echo migrating; echo done; exit 3"])

    arn = run(ecs, network)["tasks"][0]["taskArn"]
    done = stopped(ecs, arn)

    assert done["containers"][0]["exitCode"] == 3
    assert done["stopCode"] == "EssentialContainerExited"
    assert done["stoppedReason"] == "Essential container in task exited"
    events = logs.get_log_events(logGroupName=GROUP, logStreamName=stream(arn), startFromHead=True)[
        "events"
    ]
    assert [e["message"] for e in events] == ["migrating", "done"]
    times = [e["timestamp"] / 1000 for e in events]
    assert done["startedAt"].timestamp() <= times[0] < times[1]
    assert times[1] <= done["stoppingAt"].timestamp()
    filtered = logs.filter_log_events(logGroupName=GROUP)["events"]
    assert [(e["logStreamName"], e["message"]) for e in filtered] == [
        (stream(arn), "migrating"),
        (stream(arn), "done"),
    ]


def test_a_polling_reader_sees_each_line_once_as_it_is_printed(local_aws, ecs, logs, network):
    local_aws.task_seconds = 0.2
    register_job(ecs, ["sh", "-c", "echo one; sleep 0.4; echo two; sleep 0.4; echo three"])
    arn = run(ecs, network)["tasks"][0]["taskArn"]

    read: list[str] = []
    snapshots: list[list[str]] = []
    token = None
    while True:
        status = task(ecs, arn)["lastStatus"]
        options: dict[str, Any] = {"nextToken": token} if token else {"startFromHead": True}
        try:
            answer = logs.get_log_events(logGroupName=GROUP, logStreamName=stream(arn), **options)
        except logs.exceptions.ResourceNotFoundException:
            assert status in ("PROVISIONING", "PENDING")  # no stream before the container runs
        else:
            token = answer["nextForwardToken"]
            read += [event["message"] for event in answer["events"]]
            snapshots.append(list(read))
        if status == "STOPPED":
            break
        time.sleep(0.05)
    answer = logs.get_log_events(logGroupName=GROUP, logStreamName=stream(arn), nextToken=token)
    read += [event["message"] for event in answer["events"]]

    assert read == ["one", "two", "three"]
    assert ["one"] in snapshots and ["one", "two"] in snapshots


def test_every_container_is_modelled_and_the_first_essential_exit_stops_the_task(
    local_aws, ecs, logs, network
):
    local_aws.task_seconds = 0.4
    quick = {"name": "init", "image": "busybox", "essential": False, "command": ["exit", "2"]}
    sidecar = {"name": "proxy", "image": "envoy:1", "essential": False, "command": ["sleep", "30"]}
    ecs.register_task_definition(
        family="migrate",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "migrate",
                "image": "migrator:1",
                "command": ["sh", "-c", "sleep 0.3; echo migrated"],
                "logConfiguration": awslogs(),
            },
            quick,
            sidecar,
        ],
    )
    arn = run(ecs, network)["tasks"][0]["taskArn"]

    def init_exited() -> dict[str, Any] | None:
        described = task(ecs, arn)
        return described if described["containers"][1]["lastStatus"] == "STOPPED" else None

    meanwhile = wait_for(init_exited)
    done = stopped(ecs, arn)

    assert meanwhile["lastStatus"] == "RUNNING"
    assert [c["lastStatus"] for c in meanwhile["containers"]] == ["RUNNING", "STOPPED", "RUNNING"]
    assert [(c["name"], c["image"], c["exitCode"]) for c in done["containers"]] == [
        ("migrate", "migrator:1", 0),
        ("init", "busybox", 2),
        ("proxy", "envoy:1", 143),
    ]
    for container in done["containers"]:
        assert container["taskArn"] == arn
        assert container["containerArn"].startswith(
            "arn:aws:ecs:us-east-1:123456789012:container/test/"
        )
    assert len({c["containerArn"] for c in done["containers"]}) == 3
    assert done["stopCode"] == "EssentialContainerExited"
    assert messages(logs, arn) == ["migrated"]


def test_environment_overrides_reach_the_output_and_show_as_sent(ecs, logs, network):
    register_job(
        ecs,
        ["sh", "-c", "echo \"$GREETING ${TARGET:-world}\" '$GREETING'; echo $STAGE"],
        environment=[{"name": "GREETING", "value": "hello"}, {"name": "STAGE", "value": "dev"}],
    )
    overrides = {
        "containerOverrides": [
            {
                "name": "migrate",
                "environment": [
                    {"name": "GREETING", "value": "bonjour"},
                    {"name": "TARGET", "value": "le monde"},
                ],
            }
        ]
    }

    started = run(ecs, network, overrides=overrides)["tasks"][0]
    done = stopped(ecs, started["taskArn"])

    assert messages(logs, started["taskArn"]) == ["bonjour le monde $GREETING", "dev"]
    expected = {**overrides, "inferenceAcceleratorOverrides": []}
    assert started["overrides"] == expected
    assert done["overrides"] == expected


def test_a_command_override_replaces_the_definition_command(ecs, logs, network):
    register_job(ecs, ["sh", "-c", "echo from the definition"], entryPoint=["sh", "-c"])

    overrides = {
        "containerOverrides": [{"name": "migrate", "command": ["echo overridden; exit 5"]}]
    }
    arn = run(ecs, network, overrides=overrides)["tasks"][0]["taskArn"]
    done = stopped(ecs, arn)

    assert messages(logs, arn) == ["overridden"]
    assert done["containers"][0]["exitCode"] == 5


def test_count_starts_distinct_tasks(ecs, logs, network):
    register_job(ecs, ["sh", "-c", "echo shard"])

    answer = run(ecs, network, count=3)

    arns = [t["taskArn"] for t in answer["tasks"]]
    assert len(set(arns)) == 3
    assert len({t["containers"][0]["containerArn"] for t in answer["tasks"]}) == 3
    assert set(list_tasks(ecs)) == set(arns)
    for arn in arns:
        stopped(ecs, arn)
        assert messages(logs, arn) == ["shard"]
    streams = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert sorted(s["logStreamName"] for s in streams) == sorted(stream(arn) for arn in arns)


def test_the_same_client_token_and_request_answer_the_same_tasks(ecs, logs, network):
    register_job(ecs, ["sh", "-c", "echo once"])

    first = run(ecs, network, count=2, clientToken="migration-2024-06-01")
    again = run(ecs, network, count=2, clientToken="migration-2024-06-01")
    code, message = error_of(
        ecs.run_task,
        cluster=CLUSTER,
        taskDefinition="migrate",
        launchType="FARGATE",
        networkConfiguration=network,
        clientToken="migration-2024-06-01",
    )

    arns = [t["taskArn"] for t in first["tasks"]]
    assert [t["taskArn"] for t in again["tasks"]] == arns
    assert sorted(list_tasks(ecs)) == sorted(arns)
    assert code == "ConflictException"
    assert "client token" in message
    with pytest.raises(ecs.exceptions.ConflictException) as raised:
        run(ecs, network, clientToken="migration-2024-06-01")
    assert raised.value.response["resourceIds"] == arns


# CloudWatch Logs groups


def test_a_missing_log_group_fails_the_task_to_start(local_aws, ecs, network):
    logs = client(local_aws, "logs")
    register_job(ecs, ["sh", "-c", "echo unseen"])

    arn = run(ecs, network)["tasks"][0]["taskArn"]
    done = stopped(ecs, arn)

    assert done["stopCode"] == "TaskFailedToStart"
    assert done["stoppedReason"] == LOG_GROUP_MISSING
    assert "startedAt" not in done and "executionStoppedAt" not in done
    assert "exitCode" not in done["containers"][0]
    assert logs.describe_log_groups()["logGroups"] == []


def test_awslogs_create_group_creates_the_group_when_the_container_starts(local_aws, ecs, network):
    logs = client(local_aws, "logs")
    ecs.register_task_definition(
        family="migrate",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "migrate",
                "image": "migrator:1",
                "command": ["sh", "-c", "echo created"],
                "logConfiguration": awslogs("/ecs/new", **{"awslogs-create-group": "true"}),
            }
        ],
    )

    arn = run(ecs, network)["tasks"][0]["taskArn"]
    before = logs.describe_log_groups()["logGroups"]
    stopped(ecs, arn)

    assert before == []
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/ecs/new"]
    events = logs.get_log_events(logGroupName="/ecs/new", logStreamName=stream(arn))["events"]
    assert [e["message"] for e in events] == ["created"]


# StopTask


def test_stop_task_stops_the_containers_with_sigterm(ecs, logs, network):
    register_job(ecs, ["sh", "-c", "echo started; sleep 30; echo never"])
    arn = run(ecs, network, tags=[{"key": "job", "value": "migrate"}])["tasks"][0]["taskArn"]
    wait_for(lambda: messages(logs, arn) if task(ecs, arn)["lastStatus"] == "RUNNING" else None)

    answer = ecs.stop_task(cluster=CLUSTER, task=arn, reason="deploy cancelled")["task"]
    done = stopped(ecs, arn)
    again = ecs.stop_task(cluster=CLUSTER, task=arn.rpartition("/")[2], reason="later")["task"]

    assert (answer["lastStatus"], answer["desiredStatus"]) == ("RUNNING", "STOPPED")
    assert (answer["stopCode"], answer["stoppedReason"]) == ("UserInitiated", "deploy cancelled")
    assert done["stopCode"] == "UserInitiated"
    assert done["stoppedReason"] == "deploy cancelled"
    assert done["containers"][0]["exitCode"] == 143
    assert done["stoppingAt"] == answer["stoppingAt"]
    assert messages(logs, arn) == ["started"]
    assert again == done
    assert answer["tags"] == done["tags"] == []


def test_stop_task_before_the_task_runs_and_without_a_reason(local_aws, ecs, logs, network):
    local_aws.task_seconds = 4
    register_job(ecs, ["sh", "-c", "echo never"])
    arn = run(ecs, network)["tasks"][0]["taskArn"]

    answer = ecs.stop_task(cluster=CLUSTER, task=arn)["task"]

    assert answer["lastStatus"] == "PROVISIONING"
    assert answer["stoppedReason"] == "Task stopped by user"
    assert task(ecs, arn)["lastStatus"] == "DEPROVISIONING"
    done = stopped(ecs, arn)
    assert "startedAt" not in done
    assert "exitCode" not in done["containers"][0]
    assert logs.describe_log_streams(logGroupName=GROUP)["logStreams"] == []


def test_stop_task_of_an_unknown_task_or_cluster(ecs):
    assert error_of(ecs.stop_task, cluster=CLUSTER, task="0123456789abcdef") == (
        "InvalidParameterException",
        "The referenced task was not found",
    )
    assert error_of(ecs.stop_task, cluster="nowhere", task="0123456789abcdef") == (
        "ClusterNotFoundException",
        "Cluster not found.",
    )


# Faults


def test_fail_to_start_fault_never_runs_the_task(local_aws, ecs, logs, network):
    register_job(ecs, ["sh", "-c", "echo unseen"], image="migrator:broken")
    local_aws.faults.set({"failing_tasks": [{"image": "migrator:*"}]})

    arn = run(ecs, network)["tasks"][0]["taskArn"]
    statuses = set()
    while (described := task(ecs, arn))["lastStatus"] != "STOPPED":
        statuses.add(described["lastStatus"])
        time.sleep(0.02)

    assert "RUNNING" not in statuses
    assert described["stopCode"] == "TaskFailedToStart"
    assert described["stoppedReason"] == PULL_ERROR
    assert described["containers"][0]["reason"] == PULL_ERROR
    assert "exitCode" not in described["containers"][0]
    assert "startedAt" not in described and "pullStoppedAt" not in described
    assert logs.describe_log_streams(logGroupName=GROUP)["logStreams"] == []


def test_exit_fault_makes_the_essential_container_exit_1_after_running(
    local_aws, ecs, logs, network
):
    register_job(ecs, ["sh", "-c", "sleep 5; echo unseen"])
    local_aws.faults.set({"failing_tasks": [{"task_definition": "migrate", "mode": "exit"}]})

    arn = run(ecs, network)["tasks"][0]["taskArn"]
    done = stopped(ecs, arn)

    assert "startedAt" in done
    assert done["containers"][0]["exitCode"] == 1
    assert done["stopCode"] == "EssentialContainerExited"
    assert (done["stoppingAt"] - done["startedAt"]).total_seconds() == pytest.approx(0.05, abs=0.01)
    assert messages(logs, arn) == []


# What RunTask refuses


def test_run_task_in_a_missing_cluster(ecs, network):
    register_job(ecs)

    assert error_of(
        ecs.run_task, cluster="nowhere", taskDefinition="migrate", launchType="FARGATE"
    ) == ("ClusterNotFoundException", "Cluster not found.")


def test_run_task_refuses_what_ecs_refuses(ecs, network):
    register_job(ecs)
    ecs.register_task_definition(
        family="bridge",
        containerDefinitions=[{"name": "job", "image": "busybox", "memory": 128}],
    )
    register_job(ecs, family="old")
    ecs.deregister_task_definition(taskDefinition="old:1")
    fargate = {"cluster": CLUSTER, "launchType": "FARGATE"}

    refusals = [
        ({**fargate, "taskDefinition": "migrate"}, "InvalidParameterException",
         "Network Configuration must be provided when networkMode 'awsvpc' is specified."),
        ({"cluster": CLUSTER, "taskDefinition": "bridge", "networkConfiguration": network},
         "InvalidParameterException",
         "Network Configuration is not valid for the given networkMode of this task definition."),
        ({**fargate, "taskDefinition": "bridge"}, "InvalidParameterException",
         "Task definition does not support launch_type FARGATE."),
        ({"cluster": CLUSTER, "taskDefinition": "bridge"}, "InvalidParameterException",
         "No Container Instances were found in your cluster."),
        ({**fargate, "taskDefinition": "missing", "networkConfiguration": network},
         "ClientException", "Unable to describe task definition."),
        ({**fargate, "taskDefinition": "old", "networkConfiguration": network},
         "ClientException", "Unable to describe task definition."),
        ({**fargate, "taskDefinition": "old:1", "networkConfiguration": network},
         "InvalidParameterException", "TaskDefinition is inactive"),
        ({**fargate, "taskDefinition": "migrate", "networkConfiguration": network, "count": 11},
         "InvalidParameterException", "count must be between 1 and 10."),
        ({**fargate, "taskDefinition": "migrate", "networkConfiguration": network,
          "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]},
         "InvalidParameterException",
         "Specifying both a launch type and capacity provider strategy is not supported. "
         "Remove one and try again."),
        ({**fargate, "taskDefinition": "migrate", "networkConfiguration": network,
          "overrides": {"containerOverrides": [{"name": "web", "command": ["true"]}]}},
         "InvalidParameterException",
         "Override for container named web is not a container in the TaskDefinition."),
        ({**fargate, "taskDefinition": "migrate",
          "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0nowhere"]}}},
         "InvalidParameterException",
         "Error retrieving subnet information for [subnet-0nowhere]: The subnet ID "
         "'subnet-0nowhere' does not exist (ErrorCode: InvalidSubnetID.NotFound)"),
    ]  # fmt: skip
    for params, code, message in refusals:
        assert error_of(ecs.run_task, **params) == (code, message), params
    assert list_tasks(ecs) == list_tasks(ecs, desiredStatus="STOPPED") == []


def test_capacity_provider_strategy_runs_on_fargate(ecs, network):
    register_job(ecs)

    started = ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="migrate",
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        networkConfiguration=network,
    )["tasks"][0]

    assert (started["capacityProviderName"], started["launchType"]) == ("FARGATE_SPOT", "FARGATE")


# ListTasks and DescribeTasks


def test_list_tasks_shows_run_tasks_with_service_tasks_and_filters_them(
    local_aws, ecs, logs, network
):
    local_aws.rollout_seconds = 0
    local_aws.task_seconds = 60
    register_fargate(ecs)
    create_web_service(ecs, network, desired_count=1)
    register_job(ecs, ["sh", "-c", "sleep 60"])
    register_job(ecs, ["sh", "-c", "sleep 60"], family="report")
    migrate = run(ecs, network, startedBy="deploy-7")["tasks"][0]["taskArn"]
    report = run(ecs, network, task_definition="report")["tasks"][0]["taskArn"]
    finished = run(ecs, network)["tasks"][0]["taskArn"]
    ecs.stop_task(cluster=CLUSTER, task=finished)

    service_tasks = list_tasks(ecs, serviceName="web")
    running = list_tasks(ecs)

    assert len(service_tasks) == 1
    assert running == [*service_tasks, migrate, report]
    assert list_tasks(ecs, family="migrate") == [migrate]
    assert list_tasks(ecs, startedBy="deploy-7") == [migrate]
    assert list_tasks(ecs, launchType="FARGATE") == running
    assert list_tasks(ecs, launchType="EC2") == []
    assert list_tasks(ecs, desiredStatus="STOPPED") == [finished]
    assert list_tasks(ecs, family="migrate", desiredStatus="STOPPED") == [finished]
    assert len(ecs.list_tasks(cluster=CLUSTER, maxResults=2)["taskArns"]) == 2

    described = ecs.describe_tasks(cluster=CLUSTER, tasks=[report, service_tasks[0], "0a1b2c"])
    assert [t["taskArn"] for t in described["tasks"]] == [report, service_tasks[0]]
    assert [t["group"] for t in described["tasks"]] == ["family:report", "service:web"]
    assert described["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:task/test/0a1b2c", "reason": "MISSING"}
    ]


def test_tags_are_given_propagated_and_changed(ecs, network):
    ecs.register_task_definition(
        family="migrate",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "migrate", "image": "migrator:1"}],
        tags=[{"key": "team", "value": "data"}, {"key": "stage", "value": "dev"}],
    )

    arn = run(
        ecs,
        network,
        tags=[{"key": "stage", "value": "prod"}],
        propagateTags="TASK_DEFINITION",
        enableECSManagedTags=True,
    )["tasks"][0]["taskArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "run", "value": "1"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["team"])

    expected = [
        {"key": "stage", "value": "prod"},
        {"key": "aws:ecs:clusterName", "value": "test"},
        {"key": "run", "value": "1"},
    ]
    assert task(ecs, arn)["tags"] == expected
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == expected
    assert "tags" not in ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]


# Settings


def test_task_seconds_from_the_command_line_or_the_environment(monkeypatch):
    monkeypatch.setenv("LOCALAWS_TASK_SECONDS", "0.7")
    assert parse_args([]).task_seconds == 0.7
    assert parse_args(["--task-seconds", "0"]).task_seconds == 0
    monkeypatch.setenv("LOCALAWS_TASK_SECONDS", "-1")
    with pytest.raises(SystemExit):
        parse_args([])
    monkeypatch.delenv("LOCALAWS_TASK_SECONDS")
    assert parse_args([]).task_seconds == 2.0
