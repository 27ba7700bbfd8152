"""Faults over HTTP with real boto3 clients: failing tasks and the circuit breaker, slow
rollouts, service tasks in ListTasks and DescribeTasks, throttling and server errors."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import botocore.retries.standard
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.localaws.faults import NO_FAULTS
from tests.localaws.task_logs import LOG_GROUP_MISSING
from tests.localaws.testkit import (
    CLUSTER,
    ROLLOUT_SECONDS,
    client,
    control,
    create_web_service,
    describe,
    register_fargate,
    settled,
    wait_for,
)

BROKEN_IMAGE = "nginx:broken"
PULL_ERROR = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
    'failed to resolve ref "nginx:broken": not found'
)
# The fault set in force when there are no faults, as as_dict() and GET show it.
EMPTY = {**NO_FAULTS, "injected": {}}
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def breaker(enable: bool, rollback: bool) -> dict[str, Any]:
    """A deploymentConfiguration with the circuit breaker set."""
    return {"deploymentCircuitBreaker": {"enable": enable, "rollback": rollback}}


def start_broken_rollout(
    local_aws: Any, ecs: Any, network: dict[str, Any], mode: str = "fail_to_start", **extra: Any
) -> tuple[str, str]:
    """Service ``web`` settled on ``web:1``, then updated to ``web:2`` whose image fails.

    Returns the ids of the old and the new deployment.
    """
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    old_id = create_web_service(ecs, network, **extra)["deployments"][0]["id"]
    register_fargate(ecs, image=BROKEN_IMAGE)
    local_aws.rollout_seconds = ROLLOUT_SECONDS
    local_aws.faults.set({"failing_tasks": [{"image": BROKEN_IMAGE, "mode": mode}]})
    updated = ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
    return old_id, updated["service"]["deployments"][0]["id"]


def deployment(service: dict[str, Any], deployment_id: str) -> dict[str, Any] | None:
    """The deployment with this id in a described service, if listed."""
    return next((d for d in service["deployments"] if d["id"] == deployment_id), None)


def messages(service: dict[str, Any]) -> list[str]:
    """The service's event messages, newest first."""
    return [event["message"] for event in service["events"]]


def list_tasks(ecs: Any, **filters: Any) -> list[str]:
    """Every task ARN that ListTasks lists in the test cluster, through all pages."""
    paginator = ecs.get_paginator("list_tasks")
    pages = paginator.paginate(cluster=CLUSTER, **filters)
    return [arn for page in pages for arn in page["taskArns"]]


def started_by(ecs: Any, deployment_id: str) -> set[str]:
    """Every task, running or stopped, that a deployment has started."""
    return {
        arn
        for status in ("RUNNING", "STOPPED")
        for arn in list_tasks(ecs, startedBy=deployment_id, desiredStatus=status)
    }


def describe_tasks(ecs: Any, arns: list[str]) -> list[dict[str, Any]]:
    """The tasks as DescribeTasks answers, in batches of 100."""
    tasks = []
    for start in range(0, len(arns), 100):
        answer = ecs.describe_tasks(cluster=CLUSTER, tasks=arns[start : start + 100])
        assert answer["failures"] == []
        tasks += answer["tasks"]
    return tasks


# Failing tasks and the circuit breaker


def test_failing_tasks_are_replaced_while_the_old_tasks_keep_running(local_aws, ecs, network):
    old_id, new_id = start_broken_rollout(local_aws, ecs, network)

    service = wait_for(lambda: deployment(s := describe(ecs), new_id)["failedTasks"] >= 4 and s)
    time.sleep(0.3)
    later = describe(ecs)

    primary, active = later["deployments"]
    assert (primary["id"], primary["status"], primary["rolloutState"]) == (
        new_id,
        "PRIMARY",
        "IN_PROGRESS",
    )
    assert primary["runningCount"] == 0
    assert primary["failedTasks"] > deployment(service, new_id)["failedTasks"]
    assert (active["id"], active["status"], active["desiredCount"]) == (old_id, "ACTIVE", 0)
    assert active["runningCount"] == 2
    assert later["runningCount"] == 2
    assert later["taskDefinition"].endswith(":task-definition/web:2")
    assert not any(new_id in m for m in messages(later))
    assert messages(later)[0].startswith("(service web) has started ")

    stopped = describe_tasks(ecs, list_tasks(ecs, serviceName="web", desiredStatus="STOPPED"))
    assert len(stopped) >= 4
    for task in stopped:
        assert task["startedBy"] == new_id
        assert task["group"] == "service:web"
        assert (task["lastStatus"], task["desiredStatus"]) == ("STOPPED", "STOPPED")
        assert task["stopCode"] == "TaskFailedToStart"
        assert task["stoppedReason"] == PULL_ERROR
        assert task["taskDefinitionArn"].endswith(":task-definition/web:2")
        assert "startedAt" not in task
        (container,) = task["containers"]
        assert (container["name"], container["image"]) == ("app", BROKEN_IMAGE)
        assert container["reason"] == PULL_ERROR
        assert "exitCode" not in container
    running = describe_tasks(ecs, list_tasks(ecs, serviceName="web"))
    assert sorted(t["lastStatus"] for t in running if t["startedBy"] == old_id) == ["RUNNING"] * 2
    assert {t["lastStatus"] for t in running if t["startedBy"] == new_id} <= {"PENDING"}


def test_circuit_breaker_fails_the_deployment(local_aws, ecs, network):
    old_id, new_id = start_broken_rollout(
        local_aws, ecs, network, deploymentConfiguration=breaker(True, False)
    )

    service = wait_for(
        lambda: deployment(s := describe(ecs), new_id)["rolloutState"] == "FAILED" and s
    )
    launched = started_by(ecs, new_id)
    time.sleep(0.4)
    later = describe(ecs)

    failed = deployment(later, new_id)
    assert failed["status"] == "PRIMARY"
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed["failedTasks"] >= 3
    assert (failed["runningCount"], failed["pendingCount"]) == (0, 0)
    assert deployment(later, old_id)["runningCount"] == 2
    assert later["taskDefinition"].endswith(":task-definition/web:2")
    assert (
        f"(service web) (deployment {new_id}) deployment failed: tasks failed to start."
        in messages(service)
    )
    assert not any("rolling back" in m for m in messages(later))
    assert started_by(ecs, new_id) == launched
    assert list_tasks(ecs, startedBy=new_id) == []


def test_circuit_breaker_rolls_back_to_the_old_deployment(local_aws, ecs, network):
    old_id, new_id = start_broken_rollout(
        local_aws, ecs, network, deploymentConfiguration=breaker(True, True)
    )
    old_arn = ecs.describe_task_definition(taskDefinition="web:1")["taskDefinition"][
        "taskDefinitionArn"
    ]

    rolling_back = wait_for(lambda: (s := describe(ecs))["deployments"][0]["id"] == old_id and s)
    service = wait_for(lambda: settled(ecs))

    (primary,) = rolling_back["deployments"]
    assert (primary["status"], primary["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
    assert primary["rolloutStateReason"] == (
        f"ECS deployment circuit breaker: rolling back to deploymentId {old_id}."
    )
    assert (primary["desiredCount"], primary["runningCount"]) == (2, 2)
    assert rolling_back["taskDefinition"] == old_arn
    (done,) = service["deployments"]
    assert (done["id"], done["taskDefinition"], done["rolloutState"]) == (
        old_id,
        old_arn,
        "COMPLETED",
    )
    assert done["rolloutStateReason"] == f"ECS deployment {old_id} completed."
    assert service["taskDefinition"] == old_arn
    events = messages(service)
    assert events[:2] == [
        "(service web) has reached a steady state.",
        f"(service web) (deployment {old_id}) deployment completed.",
    ]
    failed_at = events.index(
        f"(service web) (deployment {new_id}) deployment failed: tasks failed to start."
    )
    assert events.index(f"(service web) rolling back to deployment {old_id}.") < failed_at

    # The service itself runs web:1 again: an update that leaves taskDefinition out keeps it.
    scaled = ecs.update_service(cluster=CLUSTER, service="web", desiredCount=3)["service"]
    assert scaled["taskDefinition"] == old_arn
    assert [d["id"] for d in scaled["deployments"]] == [old_id]
    assert list_tasks(ecs, startedBy=new_id) == []


def test_exit_mode_tasks_run_then_stop(local_aws, ecs, network):
    _old_id, new_id = start_broken_rollout(local_aws, ecs, network, mode="exit")

    wait_for(lambda: deployment(describe(ecs), new_id)["failedTasks"] >= 2)

    stopped = describe_tasks(ecs, list_tasks(ecs, startedBy=new_id, desiredStatus="STOPPED"))
    assert stopped
    for task in stopped:
        assert task["stopCode"] == "EssentialContainerExited"
        assert task["stoppedReason"] == "Essential container in task exited"
        assert task["createdAt"] < task["startedAt"] < task["stoppedAt"]
        (container,) = task["containers"]
        assert (container["lastStatus"], container["exitCode"]) == ("STOPPED", 1)
    assert describe(ecs)["deployments"][1]["runningCount"] == 2


def test_fixed_update_recovers_after_failure(local_aws, ecs, network):
    old_id, failed_id = start_broken_rollout(
        local_aws, ecs, network, deploymentConfiguration=breaker(True, False)
    )
    wait_for(lambda: deployment(describe(ecs), failed_id)["rolloutState"] == "FAILED")
    fixed_arn = register_fargate(ecs, image="nginx:3")

    fixed_id = ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:3")[
        "service"
    ]["deployments"][0]["id"]
    service = wait_for(lambda: settled(ecs))

    (done,) = service["deployments"]
    assert (done["id"], done["taskDefinition"]) == (fixed_id, fixed_arn)
    assert (done["runningCount"], done["failedTasks"]) == (2, 0)
    assert service["taskDefinition"] == fixed_arn
    running = describe_tasks(ecs, list_tasks(ecs, serviceName="web"))
    assert [t["startedBy"] for t in running] == [fixed_id, fixed_id]
    replaced = describe_tasks(ecs, list_tasks(ecs, startedBy=old_id, desiredStatus="STOPPED"))
    assert len(replaced) == 2
    for task in replaced:
        assert task["stopCode"] == "ServiceSchedulerInitiated"
        assert task["stoppedReason"] == f"Scaling activity initiated by (deployment {old_id})"
        assert task["containers"][0]["exitCode"] == 0


def test_breaker_threshold_is_half_the_desired_count(local_aws, ecs, network):
    _old_id, new_id = start_broken_rollout(
        local_aws, ecs, network, desired_count=10, deploymentConfiguration=breaker(True, False)
    )

    service = wait_for(
        lambda: deployment(s := describe(ecs), new_id)["rolloutState"] == "FAILED" and s
    )

    # Ten tasks fail one after the other: the fifth failure trips the breaker.
    (tripped,) = [e for e in service["events"] if "deployment failed" in e["message"]]
    stopped = describe_tasks(ecs, list_tasks(ecs, startedBy=new_id, desiredStatus="STOPPED"))
    failures = sorted(t["stoppedAt"] for t in stopped)
    assert failures[4] == tripped["createdAt"]
    assert failures[3] < tripped["createdAt"]


def test_slow_rollout_takes_its_own_time(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    create_web_service(ecs, network)
    register_fargate(ecs, image="nginx:2")
    local_aws.rollout_seconds = 0.1
    local_aws.faults.set({"slow_rollouts": [{"task_definition": "web:2", "rollout_seconds": 1}]})

    started = time.monotonic()
    ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
    time.sleep(0.5)
    halfway = describe(ecs)
    wait_for(lambda: settled(ecs))

    assert halfway["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert time.monotonic() - started >= 1.0
    started = time.monotonic()
    ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:1")
    wait_for(lambda: settled(ecs))
    assert time.monotonic() - started < 0.5


def test_slow_rollout_rule_matches_every_revision_of_a_family(local_aws, ecs, network):
    register_fargate(ecs)
    local_aws.faults.set({"slow_rollouts": [{"task_definition": "web", "rollout_seconds": 60}]})

    create_web_service(ecs, network)
    time.sleep(0.5)

    assert describe(ecs)["deployments"][0]["rolloutState"] == "IN_PROGRESS"


# Service tasks in ListTasks and DescribeTasks


def test_service_tasks_are_listed_and_described(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    task_definition_arn = register_fargate(ecs)
    deployment_id = create_web_service(ecs, network)["deployments"][0]["id"]
    # A one-off task, listed with the service's tasks but not in the service.
    local_aws.task_seconds = 60
    register_fargate(ecs, family="batch")
    run_task = ecs.run_task(
        cluster=CLUSTER, taskDefinition="batch", launchType="FARGATE", networkConfiguration=network
    )

    arns = list_tasks(ecs, serviceName="web")
    answer = ecs.describe_tasks(cluster=CLUSTER, tasks=[*arns, "0123456789abcdef"])

    assert len(arns) == 2
    assert all(a.startswith("arn:aws:ecs:us-east-1:123456789012:task/test/") for a in arns)
    missing = "arn:aws:ecs:us-east-1:123456789012:task/test/0123456789abcdef"
    assert answer["failures"] == [{"arn": missing, "reason": "MISSING"}]
    for arn, task in zip(arns, answer["tasks"], strict=True):
        assert task["taskArn"] == arn
        assert task["clusterArn"].endswith(":cluster/test")
        assert task["taskDefinitionArn"] == task_definition_arn
        assert (task["group"], task["startedBy"]) == ("service:web", deployment_id)
        assert (task["lastStatus"], task["desiredStatus"]) == ("RUNNING", "RUNNING")
        assert task["launchType"] == "FARGATE"
        assert task["startedAt"] >= task["createdAt"]
        assert "stoppedAt" not in task
        assert [(c["name"], c["image"], c["lastStatus"]) for c in task["containers"]] == [
            ("app", "nginx:1", "RUNNING")
        ]
    by_id = ecs.describe_tasks(cluster=CLUSTER, tasks=[arns[0].rpartition("/")[2]])
    assert [t["taskArn"] for t in by_id["tasks"]] == arns[:1]
    every = list_tasks(ecs)
    assert set(arns) < set(every)
    assert run_task["tasks"][0]["taskArn"] in every
    assert list_tasks(ecs, family="other") == []
    assert list_tasks(ecs, startedBy=deployment_id) == arns
    assert len(ecs.list_tasks(cluster=CLUSTER, maxResults=2)["taskArns"]) == 2


def test_replaced_tasks_stop_as_the_new_ones_run(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    old_id = create_web_service(ecs, network)["deployments"][0]["id"]
    register_fargate(ecs, image="nginx:2")
    local_aws.rollout_seconds = ROLLOUT_SECONDS

    ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
    counts = []
    while not settled(ecs):
        counts.append(describe(ecs)["runningCount"])
        time.sleep(0.02)

    assert min(counts) >= 2
    replaced = describe_tasks(ecs, list_tasks(ecs, startedBy=old_id, desiredStatus="STOPPED"))
    new_tasks = describe_tasks(ecs, list_tasks(ecs, serviceName="web"))
    assert sorted(t["stoppedAt"] for t in replaced) == sorted(t["startedAt"] for t in new_tasks)
    for task in replaced:
        assert task["stopCode"] == "ServiceSchedulerInitiated"


# Throttling and server errors


def ecs_call(c: Any) -> Any:
    return c.list_clusters()


def sts_call(c: Any) -> Any:
    return c.get_caller_identity()


def elbv2_call(c: Any) -> Any:
    return c.describe_load_balancers()


def ec2_call(c: Any) -> Any:
    return c.describe_vpcs()


def cloudwatch_call(c: Any) -> Any:
    return c.list_metrics()


CALLS = {
    "ecs": ("ecs:ListClusters", ecs_call),
    "sts": ("sts:GetCallerIdentity", sts_call),
    "elbv2": ("elasticloadbalancing:DescribeLoadBalancers", elbv2_call),
    "ec2": ("ec2:DescribeVpcs", ec2_call),
    "cloudwatch": ("monitoring:ListMetrics", cloudwatch_call),
}


@pytest.mark.parametrize(
    ("service", "status", "code"),
    [
        ("ecs", 400, "ThrottlingException"),
        ("sts", 400, "Throttling"),
        ("elbv2", 400, "Throttling"),
        ("ec2", 503, "RequestLimitExceeded"),
        ("cloudwatch", 400, "ThrottlingException"),
    ],
)
def test_throttling_is_shaped_for_the_protocol(local_aws, service, status, code):
    name, call = CALLS[service]
    local_aws.faults.set({"throttle_rate": 1})

    with pytest.raises(ClientError) as raised:
        call(client(local_aws, service, config=NO_RETRIES))

    error = raised.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (status, code)
    expected = "Request limit exceeded." if service == "ec2" else "Rate exceeded"
    assert error["Error"]["Message"] == expected
    assert error["ResponseMetadata"]["RequestId"]
    assert local_aws.calls() == {name: 1}
    assert local_aws.faults.injected() == {name: 1}


@pytest.mark.parametrize(
    ("service", "code"),
    [("ecs", "ServerException"), ("sts", "InternalFailure"), ("ec2", "InternalError")],
)
def test_server_errors_are_shaped_for_the_protocol(local_aws, service, code):
    _name, call = CALLS[service]
    local_aws.faults.set({"server_error_rate": 1})

    with pytest.raises(ClientError) as raised:
        call(client(local_aws, service, config=NO_RETRIES))

    error = raised.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (500, code)


def test_standard_retries_get_through_throttling(local_aws, monkeypatch):
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0
    )
    local_aws.faults.set({"throttle_rate": 0.3, "calls": ["ecs:*"], "seed": 7})
    ecs = client(local_aws, "ecs", config=Config(retries={"mode": "standard", "max_attempts": 10}))
    sts = client(local_aws, "sts", config=NO_RETRIES)

    for _call in range(20):
        ecs.list_clusters()
        sts.get_caller_identity()

    injected = local_aws.faults.injected()
    assert set(injected) == {"ecs:ListClusters"}
    assert injected["ecs:ListClusters"] >= 1
    assert local_aws.calls() == {
        "ecs:ListClusters": 20 + injected["ecs:ListClusters"],
        "sts:GetCallerIdentity": 20,
    }
    assert control(local_aws, "faults/injected") == injected
    assert control(local_aws, "faults")["injected"] == injected


def test_seed_repeats_the_draws(local_aws):
    ecs = client(local_aws, "ecs", config=NO_RETRIES)

    def outcomes() -> list[str]:
        local_aws.faults.set({"throttle_rate": 0.3, "server_error_rate": 0.2, "seed": 11})
        answers = []
        for _call in range(20):
            try:
                ecs.list_clusters()
                answers.append("ok")
            except ClientError as error:
                answers.append(error.response["Error"]["Code"])
        return answers

    first = outcomes()
    assert first == outcomes()
    assert {"ok", "ThrottlingException", "ServerException"} == set(first)


def test_control_and_moto_requests_are_never_faulted(local_aws):
    local_aws.faults.set({"throttle_rate": 1})

    assert control(local_aws, "calls") == {}
    assert control(local_aws, "faults")["throttle_rate"] == 1


# The fault switch


FAULTS = {
    "failing_tasks": [{"task_definition": "web:2", "image": "nginx:broken"}],
    "slow_rollouts": [{"task_definition": "web", "rollout_seconds": 60}],
    "throttle_rate": 0.3,
    "server_error_rate": 0.1,
    "calls": ["ecs:*"],
    "seed": 7,
}


def test_faults_over_http(local_aws):
    assert control(local_aws, "faults") == EMPTY

    answer = control(local_aws, "faults", FAULTS)
    replaced = control(local_aws, "faults", {"throttle_rate": 0.5})
    again = control(local_aws, "faults", replaced)

    expected = {**FAULTS, "injected": {}}
    expected["failing_tasks"] = [{**FAULTS["failing_tasks"][0], "mode": "fail_to_start"}]
    assert answer == expected
    assert replaced == {**EMPTY, "throttle_rate": 0.5}
    assert again == replaced
    assert local_aws.faults.as_dict() == replaced
    assert control(local_aws, "faults/reset", {}) == EMPTY
    assert local_aws.faults.as_dict() == EMPTY


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"throttle": 0.3}, "unknown fault keys: throttle"),
        ({"throttle_rate": 1.5}, "throttle_rate must be a number from 0 to 1"),
        ({"throttle_rate": "0.3"}, "throttle_rate must be a number from 0 to 1"),
        ({"throttle_rate": 0.6, "server_error_rate": 0.6}, "must add up to 1 at most"),
        ({"failing_tasks": [{"mode": "exit"}]}, "must give task_definition, image or both"),
        ({"failing_tasks": [{"image": "x", "mode": "crash"}]}, "must be one of fail_to_start"),
        ({"failing_tasks": [{"image": "x", "when": 1}]}, "unknown keys: when"),
        ({"failing_tasks": {"image": "x"}}, "failing_tasks must be a list"),
        ({"slow_rollouts": [{"image": "x"}]}, "rollout_seconds is required"),
        ({"slow_rollouts": [{"image": "x", "rollout_seconds": -1}]}, "zero or more"),
        ({"calls": []}, "calls must be a non-empty list"),
        ({"seed": "7"}, "seed must be an integer"),
        ({"injected": 3}, "injected is read-only"),
        ([], "faults must be a JSON object"),
    ],
)
def test_bad_faults_are_refused(local_aws, body, message):
    local_aws.faults.set({"throttle_rate": 0.1})

    with pytest.raises(urllib.error.HTTPError) as raised:
        control(local_aws, "faults", body)
    with pytest.raises(ValueError, match="."):
        local_aws.faults.set(body)

    assert raised.value.code == 400
    assert message in json.loads(raised.value.read())["error"]
    assert local_aws.faults.as_dict()["throttle_rate"] == 0.1


def test_invalid_json_is_refused(local_aws):
    request = urllib.request.Request(
        f"{local_aws.endpoint_url}/_localaws/faults", data=b"{not json", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request)

    assert raised.value.code == 400


def test_reset_clears_faults(local_aws):
    local_aws.faults.set({"throttle_rate": 1})
    with pytest.raises(ClientError):
        client(local_aws, "sts", config=NO_RETRIES).get_caller_identity()
    local_aws.reset()
    assert local_aws.faults.as_dict() == EMPTY
    assert client(local_aws, "sts", config=NO_RETRIES).get_caller_identity()["Account"]

    local_aws.faults.set(FAULTS)
    control(local_aws, "reset", {})
    assert local_aws.faults.as_dict() == EMPTY


def test_service_tasks_fail_to_start_without_their_log_group(local_aws, ecs, network):
    # ECS fails a task whose awslogs group does not exist (and is not to be created) before
    # it starts, as it fails a run task; the deployment never completes.
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    old_id = create_web_service(ecs, network)["deployments"][0]["id"]
    logging = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1"},
    }
    ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "nginx:2", "logConfiguration": logging}],
    )
    local_aws.rollout_seconds = ROLLOUT_SECONDS
    new_id = ecs.update_service(
        cluster=CLUSTER,
        service="web",
        taskDefinition="web:2",
        deploymentConfiguration=breaker(True, False),
    )["service"]["deployments"][0]["id"]

    failed = wait_for(
        lambda: deployment(s := describe(ecs), new_id)["rolloutState"] == "FAILED" and s
    )

    tasks = describe_tasks(ecs, sorted(started_by(ecs, new_id)))
    stopped = [task for task in tasks if task["lastStatus"] == "STOPPED"]
    assert len(stopped) >= 3
    assert {task["stoppedReason"] for task in stopped} == {LOG_GROUP_MISSING}
    assert not [task for task in tasks if task["lastStatus"] == "RUNNING"]
    assert deployment(failed, old_id)["runningCount"] == 2

    # Once the group exists, the same task definition rolls out.
    client(local_aws, "logs").create_log_group(logGroupName="/ecs/web")
    ecs.update_service(
        cluster=CLUSTER, service="web", taskDefinition="web:2", forceNewDeployment=True
    )
    service = wait_for(lambda: settled(ecs))
    assert service["taskDefinition"].endswith("task-definition/web:2")
