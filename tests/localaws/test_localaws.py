"""The local AWS over HTTP with real boto3 clients: each extension, and the controls."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.localaws.testkit import (
    CLUSTER,
    ROLLOUT_SECONDS,
    client,
    control,
    create_web_service,
    describe,
    raw_ecs_call,
    register_fargate,
    settled,
    wait_for,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]


# Extension 1: task definitions


def test_register_fills_container_and_task_defaults(ecs):
    task_definition = ecs.register_task_definition(
        family="worker",
        containerDefinitions=[
            {
                "name": "app",
                "image": "busybox",
                "memory": 128,
                "portMappings": [{"containerPort": 8080}],
                "healthCheck": {"command": ["CMD", "true"]},
            }
        ],
    )["taskDefinition"]

    container = task_definition["containerDefinitions"][0]
    assert container["cpu"] == 0
    assert container["essential"] is True
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}]
    assert container["environment"] == []
    assert container["mountPoints"] == []
    assert container["volumesFrom"] == []
    assert container["healthCheck"] == {
        "command": ["CMD", "true"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
    }
    assert task_definition["volumes"] == []
    assert task_definition["placementConstraints"] == []
    assert "networkMode" not in task_definition
    assert task_definition["compatibilities"] == ["EC2"]
    assert {"name": "ecs.capability.container-health-check"} in task_definition[
        "requiresAttributes"
    ]
    assert task_definition["registeredBy"].startswith("arn:aws:iam::123456789012:")
    assert task_definition["registeredAt"].timestamp() == pytest.approx(time.time(), abs=60)
    assert task_definition["status"] == "ACTIVE"
    assert task_definition["revision"] == 1
    assert task_definition["taskDefinitionArn"].endswith(":123456789012:task-definition/worker:1")

    described = ecs.describe_task_definition(taskDefinition="worker")["taskDefinition"]
    assert described == task_definition


def test_register_awsvpc_converts_sizes_and_matches_host_ports(ecs):
    task_definition = ecs.register_task_definition(
        family="api",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="1 vCPU",
        memory="2 GB",
        enableFaultInjection=False,
        containerDefinitions=[
            {"name": "app", "image": "nginx", "portMappings": [{"containerPort": 80}]}
        ],
    )["taskDefinition"]

    assert (task_definition["cpu"], task_definition["memory"]) == ("1024", "2048")
    assert task_definition["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "hostPort": 80, "protocol": "tcp"}
    ]
    assert task_definition["compatibilities"] == ["EC2", "FARGATE"]
    assert task_definition["enableFaultInjection"] is False
    assert {"name": "ecs.capability.task-eni"} in task_definition["requiresAttributes"]


def test_environment_and_secrets_come_back_reordered(ecs):
    environment = [{"name": name, "value": name.lower()} for name in ("A", "B", "C")]
    secrets = [
        {"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"},
        {"name": "KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/key"},
    ]
    ecs.register_task_definition(
        family="env",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": "busybox", "environment": environment, "secrets": secrets}
        ],
    )

    container = ecs.describe_task_definition(taskDefinition="env")["taskDefinition"][
        "containerDefinitions"
    ][0]
    assert container["environment"] != environment
    assert sorted(container["environment"], key=lambda e: e["name"]) == environment
    assert container["secrets"] != secrets
    assert sorted(container["secrets"], key=lambda s: s["name"]) == secrets


def test_null_values_are_treated_as_absent(local_aws, ecs):
    response = raw_ecs_call(
        local_aws,
        "RegisterTaskDefinition",
        {
            "family": "nulls",
            "taskRoleArn": None,
            "memory": "256",
            "containerDefinitions": [
                {"name": "app", "image": "busybox", "cpu": None, "essential": None, "command": None}
            ],
        },
    )

    task_definition = response["taskDefinition"]
    container = task_definition["containerDefinitions"][0]
    assert "taskRoleArn" not in task_definition
    assert "command" not in container
    assert (container["cpu"], container["essential"]) == (0, True)


MISMATCHED_PORTS = [
    {"name": "app", "image": "x", "portMappings": [{"containerPort": 80, "hostPort": 8080}]}
]
NO_MEMORY = {"requiresCompatibilities": None, "memory": None, "cpu": None}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"containerDefinitions": MISMATCHED_PORTS},
            "When networkMode=awsvpc, the host ports and container ports in port mappings "
            "must match.",
        ),
        ({"networkMode": "bridge"}, "Fargate only supports network mode \u2018awsvpc\u2019."),
        ({"cpu": None}, "Fargate requires that 'cpu' be defined at the task level."),
        ({"memory": None}, "Fargate requires that 'memory' be defined at the task level."),
        ({"memory": "4096"}, "No Fargate configuration exists for given values: 256 CPU, 4096"),
        (
            NO_MEMORY,
            "Invalid setting for container 'app'. At least one of 'memory' or "
            "'memoryReservation' must be specified.",
        ),
    ],
)
def test_register_refuses_what_ecs_refuses(ecs, changes, message):
    request = {
        "family": "bad",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "app", "image": "x"}],
    }
    request.update(changes)
    request = {key: value for key, value in request.items() if value is not None}

    with pytest.raises(ClientError) as raised:
        ecs.register_task_definition(**request)

    assert raised.value.response["Error"]["Code"] == "ClientException"
    assert raised.value.response["Error"]["Message"].startswith(message)


def test_task_definition_tags_only_with_include(ecs):
    ecs.register_task_definition(
        family="tagged",
        memory="256",
        tags=[{"key": "team", "value": "web"}],
        containerDefinitions=[{"name": "app", "image": "busybox"}],
    )

    assert "tags" not in ecs.describe_task_definition(taskDefinition="tagged")
    with_tags = ecs.describe_task_definition(taskDefinition="tagged", include=["TAGS"])
    assert with_tags["tags"] == [{"key": "team", "value": "web"}]


# Extension 2: services


def test_create_service_fills_ecs_defaults(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)

    created = create_web_service(ecs, network)
    service = describe(ecs)

    for answer in (created, service):
        assert answer["taskDefinition"].endswith(":task-definition/web:1")
        assert answer["deploymentConfiguration"] == {
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        }
        assert answer["schedulingStrategy"] == "REPLICA"
        assert answer["healthCheckGracePeriodSeconds"] == 0
        assert answer["propagateTags"] == "NONE"
        assert answer["enableECSManagedTags"] is False
        assert answer["enableExecuteCommand"] is False
        assert answer["deploymentController"] == {"type": "ECS"}
        for name in ("placementConstraints", "placementStrategy", "serviceRegistries"):
            assert answer[name] == []
        assert answer["loadBalancers"] == []
        assert answer["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
        assert answer["platformVersion"] == "LATEST"


def test_create_service_keeps_fields_moto_drops(local_aws, ecs, network):
    register_fargate(ecs)

    create_web_service(
        ecs,
        network,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        enableExecuteCommand=True,
        healthCheckGracePeriodSeconds=60,
        enableECSManagedTags=True,
        tags=[{"key": "team", "value": "web"}],
    )
    service = describe(ecs)

    assert service["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    assert service["enableExecuteCommand"] is True
    assert service["healthCheckGracePeriodSeconds"] == 60
    assert service["enableECSManagedTags"] is True
    assert "tags" not in service
    tagged = ecs.describe_services(cluster=CLUSTER, services=["web"], include=["TAGS"])
    assert tagged["services"][0]["tags"] == [{"key": "team", "value": "web"}]


def test_capacity_provider_strategy_replaces_launch_type(ecs, network):
    register_fargate(ecs)

    ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition="web",
        desiredCount=1,
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        networkConfiguration=network,
    )
    service = describe(ecs)

    assert service["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]
    assert "launchType" not in service


def test_network_configuration_without_security_groups_is_accepted(ecs, network):
    register_fargate(ecs)
    subnets = network["awsvpcConfiguration"]["subnets"]

    create_web_service(ecs, {"awsvpcConfiguration": {"subnets": subnets}})

    assert describe(ecs)["networkConfiguration"] == {
        "awsvpcConfiguration": {"subnets": subnets, "assignPublicIp": "DISABLED"}
    }


def test_second_create_of_an_active_service_is_refused(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    create_web_service(ecs, network)

    with pytest.raises(ClientError) as raised:
        create_web_service(ecs, network)

    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"] == "Creation of service was not idempotent."
    ecs.delete_service(cluster=CLUSTER, service="web", force=True)
    assert create_web_service(ecs, network, desired_count=1)["status"] == "ACTIVE"
    assert ecs.list_services(cluster=CLUSTER)["serviceArns"] == [describe(ecs)["serviceArn"]]


def test_update_service_keeps_omitted_fields_and_shows_full_arn(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    register_fargate(ecs, image="nginx:2")
    create_web_service(ecs, network, enableExecuteCommand=True, healthCheckGracePeriodSeconds=30)

    ecs.update_service(
        cluster=CLUSTER,
        service="web",
        taskDefinition="web",
        deploymentConfiguration={"minimumHealthyPercent": 50},
    )
    service = describe(ecs)

    assert service["taskDefinition"].endswith(":task-definition/web:2")
    assert service["enableExecuteCommand"] is True
    assert service["healthCheckGracePeriodSeconds"] == 30
    assert service["deploymentConfiguration"]["minimumHealthyPercent"] == 50
    assert service["deploymentConfiguration"]["maximumPercent"] == 200


# Extension 3: rollouts


def test_new_service_rolls_out_from_no_tasks(ecs, network):
    register_fargate(ecs)

    created = create_web_service(ecs, network)

    (first,) = created["deployments"]
    assert first["status"] == "PRIMARY"
    assert first["rolloutState"] == "IN_PROGRESS"
    assert (first["runningCount"], first["pendingCount"]) == (0, 2)
    service = wait_for(lambda: settled(ecs))
    assert (service["runningCount"], service["pendingCount"]) == (2, 0)
    assert service["deployments"][0]["id"] == first["id"]


def test_update_starts_a_deployment_that_replaces_the_old_one(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    create_web_service(ecs, network)
    second_arn = register_fargate(ecs, image="nginx:2")
    old_id = describe(ecs)["deployments"][0]["id"]
    local_aws.rollout_seconds = ROLLOUT_SECONDS

    updated_at = time.time()
    updated = ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")["service"]

    primary, active = updated["deployments"]
    assert primary["status"] == "PRIMARY"
    assert primary["id"].startswith("ecs-svc/") and len(primary["id"]) == len("ecs-svc/") + 19
    assert primary["taskDefinition"] == second_arn
    assert primary["rolloutState"] == "IN_PROGRESS"
    assert primary["rolloutStateReason"] == f"ECS deployment {primary['id']} in progress."
    assert (primary["desiredCount"], primary["runningCount"], primary["pendingCount"]) == (2, 0, 2)
    assert primary["failedTasks"] == 0
    assert primary["launchType"] == "FARGATE"
    assert primary["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    assert (active["status"], active["id"], active["desiredCount"]) == ("ACTIVE", old_id, 0)
    assert active["runningCount"] == 2
    assert updated["runningCount"] == 2
    assert updated["events"][0]["message"].startswith("(service web) has started 2 tasks: ")
    assert not any(primary["id"] in e["message"] for e in updated["events"])

    service = wait_for(lambda: settled(ecs))
    (deployment,) = service["deployments"]
    assert deployment["id"] == primary["id"]
    assert deployment["rolloutStateReason"] == f"ECS deployment {primary['id']} completed."
    assert (deployment["runningCount"], service["runningCount"]) == (2, 2)

    events = service["events"]
    messages = [event["message"] for event in events]
    assert messages[0] == "(service web) has reached a steady state."
    assert messages[1] == f"(service web) (deployment {primary['id']}) deployment completed."
    assert any(m.startswith("(service web) has stopped 1 running tasks: (task ") for m in messages)
    assert any(m.startswith("(service web) has started 2 tasks: (task ") for m in messages)
    times = [event["createdAt"].timestamp() for event in events]
    assert times == sorted(times, reverse=True)
    assert times[0] >= updated_at + ROLLOUT_SECONDS - 0.05
    for event in events:
        uuid.UUID(event["id"])


def test_events_appear_when_they_happen(local_aws, ecs, network):
    local_aws.rollout_seconds = 1.0
    register_fargate(ecs)

    created = create_web_service(ecs, network)

    (started,) = created["events"]
    assert started["message"].startswith("(service web) has started 2 tasks: (task ")
    service = wait_for(lambda: settled(ecs), timeout=5)
    assert [e["message"] for e in service["events"][:2]] == [
        "(service web) has reached a steady state.",
        f"(service web) (deployment {service['deployments'][0]['id']}) deployment completed.",
    ]
    completed_at = service["events"][0]["createdAt"]
    assert (completed_at - started["createdAt"]).total_seconds() == pytest.approx(1.0, abs=0.01)


def test_same_task_definition_starts_no_deployment_but_force_does(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    first_id = create_web_service(ecs, network)["deployments"][0]["id"]

    unchanged = ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:1")
    forced = ecs.update_service(cluster=CLUSTER, service="web", forceNewDeployment=True)

    assert [d["id"] for d in unchanged["service"]["deployments"]] == [first_id]
    (deployment,) = forced["service"]["deployments"]
    assert deployment["id"] != first_id
    assert deployment["rolloutState"] == "COMPLETED"


def test_desired_count_change_scales_the_primary(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    first_id = create_web_service(ecs, network, desired_count=1)["deployments"][0]["id"]
    local_aws.rollout_seconds = ROLLOUT_SECONDS

    scaled = ecs.update_service(cluster=CLUSTER, service="web", desiredCount=3)["service"]

    (deployment,) = scaled["deployments"]
    assert deployment["id"] == first_id
    assert (deployment["desiredCount"], deployment["runningCount"]) == (3, 1)
    assert (scaled["runningCount"], scaled["pendingCount"]) == (1, 2)
    service = wait_for(lambda: describe(ecs)["runningCount"] == 3 and describe(ecs))
    assert [d["id"] for d in service["deployments"]] == [first_id]
    assert service["events"][0]["message"] == "(service web) has reached a steady state."


def test_rollout_seconds_zero_completes_at_once(local_aws, ecs, network):
    local_aws.rollout_seconds = 0
    register_fargate(ecs)
    register_fargate(ecs, image="nginx:2")
    create_web_service(ecs, network)

    updated = ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")

    (deployment,) = updated["service"]["deployments"]
    assert deployment["rolloutState"] == "COMPLETED"
    assert deployment["runningCount"] == 2


# Extension 4: ListTaskDefinitions


def test_list_task_definitions_sorts_and_pages(ecs):
    for family in ("beta", "alpha", "beta", "alpha", "alpha"):
        ecs.register_task_definition(
            family=family, memory="256", containerDefinitions=[{"name": "a", "image": "busybox"}]
        )

    def names(arns: list[str]) -> list[str]:
        return [arn.rpartition("/")[2] for arn in arns]

    ascending = ecs.list_task_definitions(sort="ASC")["taskDefinitionArns"]
    assert names(ascending) == ["alpha:1", "alpha:2", "alpha:3", "beta:1", "beta:2"]
    first_page = ecs.list_task_definitions(familyPrefix="alpha", sort="DESC", maxResults=2)
    assert names(first_page["taskDefinitionArns"]) == ["alpha:3", "alpha:2"]
    second_page = ecs.list_task_definitions(
        familyPrefix="alpha", sort="DESC", maxResults=2, nextToken=first_page["nextToken"]
    )
    assert names(second_page["taskDefinitionArns"]) == ["alpha:1"]
    assert "nextToken" not in second_page
    paginator = ecs.get_paginator("list_task_definitions")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert sum(len(p["taskDefinitionArns"]) for p in pages) == 5


def test_list_task_definitions_by_status(ecs):
    for _round in range(2):
        ecs.register_task_definition(
            family="old", memory="256", containerDefinitions=[{"name": "a", "image": "busybox"}]
        )
    ecs.deregister_task_definition(taskDefinition="old:1")

    inactive = ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"]
    active = ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]

    assert [arn.rpartition("/")[2] for arn in inactive] == ["old:1"]
    assert [arn.rpartition("/")[2] for arn in active] == ["old:2"]


# Extension 5: call counts and controls


def test_calls_are_counted_by_service_and_action(local_aws, ecs):
    local_aws.reset_calls()
    ecs.list_clusters()
    ecs.list_clusters()
    client(local_aws, "sts").get_caller_identity()
    client(local_aws, "logs").describe_log_groups()

    assert local_aws.calls() == {
        "ecs:ListClusters": 2,
        "logs:DescribeLogGroups": 1,
        "sts:GetCallerIdentity": 1,
    }
    assert control(local_aws, "calls") == local_aws.calls()
    control(local_aws, "calls/reset", {})
    assert local_aws.calls() == {}


def test_reset_over_http_wipes_state_and_counts(local_aws, ecs):
    ecs.list_clusters()

    control(local_aws, "reset", {})

    assert local_aws.calls() == {}
    assert client(local_aws, "ecs").list_clusters()["clusterArns"] == []


def test_settings_over_http(local_aws):
    local_aws.task_seconds = 2
    assert control(local_aws, "settings") == {
        "rollout_seconds": ROLLOUT_SECONDS,
        "task_seconds": 2.0,
        "codedeploy_seconds": None,
    }

    changed = control(local_aws, "settings", {"rollout_seconds": 0.5, "task_seconds": 0})
    assert changed == {"rollout_seconds": 0.5, "task_seconds": 0.0, "codedeploy_seconds": None}
    assert control(local_aws, "settings", {"codedeploy_seconds": 3})["codedeploy_seconds"] == 3.0
    assert local_aws.codedeploy_seconds == 3.0
    changed = control(local_aws, "settings", {"codedeploy_seconds": None})
    assert (local_aws.rollout_seconds, local_aws.task_seconds) == (0.5, 0.0)
    bad_values = (
        {"rollout_seconds": -1},
        {"task_seconds": "soon"},
        {"task_seconds": 1, "x": 1},
        {"rollout_seconds": None},
        {"codedeploy_seconds": -2},
    )
    for bad in bad_values:
        with pytest.raises(urllib.error.HTTPError) as raised:
            control(local_aws, "settings", bad)
        assert raised.value.code == 400
    assert control(local_aws, "settings") == changed


def test_command_line_serves_until_sigterm():
    environment = dict(os.environ, LOCALAWS_ROLLOUT_SECONDS="0.25", LOCALAWS_TASK_SECONDS="9")
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "tests.localaws", "--port", "0", "--task-seconds", "0.5"),
            *("--codedeploy-seconds", "1.5"),
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("local AWS listening on http://127.0.0.1:")
        endpoint = line.rpartition(" ")[2]
        with urllib.request.urlopen(f"{endpoint}/_localaws/settings") as response:
            settings = json.loads(response.read())
            assert settings == {
                "rollout_seconds": 0.25,
                "task_seconds": 0.5,
                "codedeploy_seconds": 1.5,
            }
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}]},
            "placementStrategy is not supported with the FARGATE launch type.",
        ),
        ({"desiredCount": -1}, "desiredCount must be between 0 and 5000."),
        ({"desiredCount": 10**12}, "desiredCount must be between 0 and 5000."),
        (
            {"networkConfiguration": None},
            "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        ),
    ],
)
def test_create_service_refuses_what_ecs_refuses(local_aws, ecs, network, extra, message):
    register_fargate(ecs)
    request = {
        "cluster": CLUSTER,
        "serviceName": "web",
        "taskDefinition": "web",
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": network,
        **extra,
    }
    request = {key: value for key, value in request.items() if value is not None}

    with pytest.raises(ClientError) as caught:
        ecs.create_service(**request)

    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert caught.value.response["Error"]["Message"] == message


def test_fargate_launch_type_needs_a_fargate_task_definition(local_aws, ecs, network):
    ecs.register_task_definition(
        family="web",
        requiresCompatibilities=["EC2"],
        containerDefinitions=[{"name": "app", "image": "nginx:1", "memory": 128}],
    )

    with pytest.raises(ClientError) as caught:
        ecs.create_service(
            cluster=CLUSTER, serviceName="web", taskDefinition="web", launchType="FARGATE"
        )

    assert caught.value.response["Error"]["Message"] == (
        "Task definition does not support launch_type FARGATE."
    )


def test_a_task_definition_needs_a_container(local_aws, ecs):
    with pytest.raises(ClientError) as caught:
        ecs.register_task_definition(family="web", containerDefinitions=[])

    assert caught.value.response["Error"]["Message"] == "Container list cannot be empty."
