"""CodeDeploy blue/green deployments of ECS services, over HTTP with boto3."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .testkit import CLUSTER, client, describe, register_fargate, wait_for

APPLICATION = "EcsApplication"
GROUP = "EcsDeploymentGroup"


def appspec(task_definition: str, container: str = "app", port: int = 80, **extra: Any) -> dict:
    """A revision whose AppSpec deploys ``task_definition``."""
    properties = {
        "TaskDefinition": task_definition,
        "LoadBalancerInfo": {"ContainerName": container, "ContainerPort": port},
        **extra,
    }
    content = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": properties}}],
    }
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(content)}}


@pytest.fixture
def codedeploy(local_aws, ecs, network):
    """A CODE_DEPLOY service ``web`` (2 tasks of web:1 behind a target group), and a CodeDeploy
    application and deployment group for it; returns the CodeDeploy client."""
    ec2 = client(local_aws, "ec2")
    subnet = network["awsvpcConfiguration"]["subnets"][0]
    vpc = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    elb = client(local_aws, "elbv2")
    target_group = elb.create_target_group(
        Name="web-blue", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    register_fargate(ecs)
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition="web",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=network,
        deploymentController={"type": "CODE_DEPLOY"},
        loadBalancers=[
            {"targetGroupArn": target_group, "containerName": "app", "containerPort": 80}
        ],
    )
    deploy = client(local_aws, "codedeploy")
    deploy.create_application(applicationName=APPLICATION, computePlatform="ECS")
    deploy.create_deployment_group(
        applicationName=APPLICATION,
        deploymentGroupName=GROUP,
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        ecsServices=[{"serviceName": "web", "clusterName": CLUSTER}],
    )
    return deploy


def deploy_new_revision(deploy: Any, task_definition: str, **extra: Any) -> str:
    """Start a deployment of ``task_definition``; returns its id."""
    return deploy.create_deployment(
        applicationName=APPLICATION,
        deploymentGroupName=GROUP,
        revision=appspec(task_definition),
        **extra,
    )["deploymentId"]


def deployment(deploy: Any, deployment_id: str) -> dict[str, Any]:
    """A deployment as GetDeployment answers."""
    return deploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]


def status_is(deploy: Any, deployment_id: str, status: str) -> dict[str, Any] | None:
    """The deployment once it has ``status``, else None."""
    info = deployment(deploy, deployment_id)
    return info if info["status"] == status else None


def steady(ecs: Any) -> dict[str, Any] | None:
    """The service once it has one task set, in steady state, else None."""
    service = describe(ecs)
    task_sets = service["taskSets"]
    if len(task_sets) == 1 and task_sets[0]["stabilityStatus"] == "STEADY_STATE":
        return service
    return None


def test_created_service_has_a_primary_task_set(codedeploy, ecs):
    service = describe(ecs)
    (task_set,) = service["taskSets"]
    assert task_set["id"].startswith("ecs-svc/") and len(task_set["id"]) == len("ecs-svc/") + 19
    assert task_set["status"] == "PRIMARY"
    assert task_set["taskDefinition"] == service["taskDefinition"]
    assert task_set["taskDefinition"].endswith(":task-definition/web:1")
    assert task_set["scale"] == {"value": 100.0, "unit": "PERCENT"}
    assert task_set["computedDesiredCount"] == 2
    assert task_set["launchType"] == "FARGATE"
    assert task_set["loadBalancers"][0]["containerName"] == "app"
    assert "awsvpcConfiguration" in task_set["networkConfiguration"]
    running = task_set["runningCount"] == 2
    assert task_set["stabilityStatus"] == ("STEADY_STATE" if running else "STABILIZING")

    service = wait_for(lambda: steady(ecs))
    assert service["runningCount"] == 2 and service["taskSets"][0]["runningCount"] == 2
    tasks = ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    assert len(tasks) == 2
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=tasks)["tasks"]
    assert {t["startedBy"] for t in described} == {task_set["id"]}


def test_deployment_succeeds_and_moves_the_service(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 0.4
    wait_for(lambda: steady(ecs))
    original = describe(ecs)["taskSets"][0]["id"]
    new = register_fargate(ecs, image="nginx:2")

    deployment_id = deploy_new_revision(codedeploy, "web:2")
    assert deployment_id.startswith("d-") and len(deployment_id) == 11
    info = wait_for(lambda: status_is(codedeploy, deployment_id, "Succeeded"))
    assert info["deploymentOverview"]["Succeeded"] == 1
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"
    assert info["computePlatform"] == "ECS"
    assert info["creator"] == "user"
    assert info["completeTime"] >= info["startTime"] >= info["createTime"]
    assert "errorInformation" not in info

    service = wait_for(lambda: steady(ecs))
    (task_set,) = service["taskSets"]
    assert service["taskDefinition"] == new == task_set["taskDefinition"]
    assert task_set["status"] == "PRIMARY" and task_set["id"] != original
    assert task_set["externalId"] == deployment_id
    assert service["runningCount"] == 2
    tasks = ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=tasks)["tasks"]
    assert {t["taskDefinitionArn"] for t in described} == {new}
    stopped = ecs.list_tasks(cluster=CLUSTER, serviceName="web", desiredStatus="STOPPED")
    assert len(stopped["taskArns"]) == 2

    (target_id,) = codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"]
    assert target_id == f"{CLUSTER}:web"
    target = codedeploy.get_deployment_target(deploymentId=deployment_id, targetId=target_id)
    ecs_target = target["deploymentTarget"]["ecsTarget"]
    assert ecs_target["status"] == "Succeeded"
    assert {e["status"] for e in ecs_target["lifecycleEvents"]} == {"Succeeded"}
    labels = {i["taskSetLabel"]: i for i in ecs_target["taskSetsInfo"]}
    assert labels["Green"]["identifer"] == task_set["id"]
    assert labels["Green"]["trafficWeight"] == 100.0
    assert labels["Blue"]["identifer"] == original

    listed = codedeploy.list_deployments(
        applicationName=APPLICATION, deploymentGroupName=GROUP, includeOnlyStatuses=["Succeeded"]
    )
    assert listed["deployments"] == [deployment_id]


def test_deployment_progresses_lazily(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 1.0
    register_fargate(ecs, image="nginx:2")
    started = time.monotonic()
    deployment_id = deploy_new_revision(codedeploy, "web:2")
    if time.monotonic() - started < 0.08:
        assert deployment(codedeploy, deployment_id)["status"] == "Created"
    wait_for(lambda: status_is(codedeploy, deployment_id, "InProgress"))
    task_sets = describe(ecs)["taskSets"]
    assert [t["status"] for t in task_sets] == ["PRIMARY", "ACTIVE"]
    assert task_sets[1]["taskDefinition"].endswith("web:2")
    assert describe(ecs)["taskDefinition"].endswith("web:1")

    def shifted() -> bool:
        task_sets = describe(ecs)["taskSets"]
        return any(
            t["status"] == "PRIMARY" and t["taskDefinition"].endswith("web:2") for t in task_sets
        )

    wait_for(shifted)
    assert describe(ecs)["taskDefinition"].endswith("web:2")
    wait_for(lambda: status_is(codedeploy, deployment_id, "Succeeded"))
    assert time.monotonic() - started >= 1.0


def test_failing_deployment_is_rolled_back(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 0.4
    local_aws.faults.set({"failing_tasks": [{"image": "nginx:broken"}]})
    register_fargate(ecs, image="nginx:broken")
    deployment_id = deploy_new_revision(
        codedeploy,
        "web:2",
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
    )
    info = wait_for(lambda: status_is(codedeploy, deployment_id, "Failed"))
    error = info["errorInformation"]
    assert error["code"] == "ECS_UPDATE_ERROR"
    assert "(task " in error["message"] and "CannotPullContainerError" in error["message"]
    assert 'failed to resolve ref "nginx:broken"' in error["message"]
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]

    rollback = wait_for(lambda: status_is(codedeploy, rollback_id, "Succeeded"))
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["rollbackInfo"]["rollbackTriggeringDeploymentId"] == deployment_id

    service = wait_for(lambda: steady(ecs))
    (task_set,) = service["taskSets"]
    assert task_set["status"] == "PRIMARY"
    assert service["taskDefinition"].endswith("web:1") and task_set["runningCount"] == 2
    stopped = ecs.list_tasks(cluster=CLUSTER, serviceName="web", desiredStatus="STOPPED")
    reasons = {
        t["stopCode"]
        for t in ecs.describe_tasks(cluster=CLUSTER, tasks=stopped["taskArns"])["tasks"]
    }
    assert "TaskFailedToStart" in reasons


def test_failing_deployment_without_rollback(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 0.3
    local_aws.faults.set({"failing_tasks": [{"image": "nginx:broken", "mode": "exit"}]})
    register_fargate(ecs, image="nginx:broken")
    deployment_id = deploy_new_revision(codedeploy, "web:2")
    info = wait_for(lambda: status_is(codedeploy, deployment_id, "Failed"))
    assert "Essential container in task exited" in info["errorInformation"]["message"]
    assert "rollbackInfo" not in info
    service = describe(ecs)
    assert [t["taskDefinition"][-5:] for t in service["taskSets"]] == ["web:1"]


def test_stop_deployment_with_rollback(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 3
    register_fargate(ecs, image="nginx:2")
    deployment_id = deploy_new_revision(codedeploy, "web:2")
    wait_for(lambda: len(describe(ecs)["taskSets"]) == 2)

    answer = codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    assert answer["status"] == "Succeeded"
    info = deployment(codedeploy, deployment_id)
    assert info["status"] == "Stopped"
    assert info["errorInformation"]["code"] == "MANUAL_STOP"
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    assert deployment(codedeploy, rollback_id)["status"] == "InProgress"
    service = describe(ecs)
    (task_set,) = service["taskSets"]
    assert task_set["status"] == "PRIMARY" and service["taskDefinition"].endswith("web:1")

    with pytest.raises(ClientError) as raised:
        codedeploy.stop_deployment(deploymentId=deployment_id)
    assert raised.value.response["Error"]["Code"] == "DeploymentAlreadyCompletedException"
    # The rollback runs (a fifth of codedeploy_seconds): a new deployment waits for it.
    with pytest.raises(ClientError) as raised:
        deploy_new_revision(codedeploy, "web:2")
    assert raised.value.response["Error"]["Code"] == "DeploymentLimitExceededException"
    wait_for(lambda: status_is(codedeploy, rollback_id, "Succeeded"), timeout=3)


def test_stop_deployment_without_rollback_after_creation(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 5
    register_fargate(ecs, image="nginx:2")
    deployment_id = deploy_new_revision(codedeploy, "web:2")
    codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=False)
    info = deployment(codedeploy, deployment_id)
    assert info["status"] == "Stopped" and "rollbackInfo" not in info
    assert len(describe(ecs)["taskSets"]) == 1


def test_second_deployment_is_refused(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 5
    register_fargate(ecs, image="nginx:2")
    first = deploy_new_revision(codedeploy, "web:2")
    with pytest.raises(ClientError) as raised:
        deploy_new_revision(codedeploy, "web:1")
    error = raised.value.response["Error"]
    assert error["Code"] == "DeploymentLimitExceededException"
    assert error["Message"] == (
        f"The Deployment Group '{GROUP}' already has an active Deployment '{first}'"
    )


def test_continue_deployment(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 5
    register_fargate(ecs, image="nginx:2")
    deployment_id = deploy_new_revision(codedeploy, "web:2")
    with pytest.raises(ClientError) as raised:
        codedeploy.continue_deployment(deploymentId=deployment_id)
    assert raised.value.response["Error"]["Code"] == "DeploymentIsNotInReadyStateException"


@pytest.mark.parametrize(
    ("revision", "message"),
    [
        (
            {"revisionType": "AppSpecContent", "appSpecContent": {"content": "Resources: ["}},
            "The AppSpec file is not valid JSON or YAML",
        ),
        (
            appspec("", container="app"),
            "The AppSpec file's AWS::ECS::Service resource has no TaskDefinition property.",
        ),
        (appspec("web:9"), "The task definition web:9 in the AppSpec file does not exist."),
        (appspec("web:2", container="nginx"), "The container nginx in the AppSpec file's"),
        (appspec("web:2", port=8080), "has no port mapping for container port 8080"),
    ],
)
def test_appspec_is_checked(codedeploy, ecs, revision, message):
    register_fargate(ecs, image="nginx:2")
    with pytest.raises(ClientError) as raised:
        codedeploy.create_deployment(
            applicationName=APPLICATION, deploymentGroupName=GROUP, revision=revision
        )
    assert raised.value.response["Error"]["Code"] == "InvalidRevisionException"
    assert message in raised.value.response["Error"]["Message"]
    assert codedeploy.list_deployments()["deployments"] == []


def test_yaml_appspec_and_unknown_config(codedeploy, ecs, local_aws):
    local_aws.codedeploy_seconds = 0.2
    register_fargate(ecs, image="nginx:2")
    content = (
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
        "      Properties:\n        TaskDefinition: web:2\n        LoadBalancerInfo:\n"
        "          ContainerName: app\n          ContainerPort: 80\n"
        "Hooks:\n  - BeforeInstall: LambdaFunctionToValidateBeforeInstall\n"
    )
    revision = {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}}
    with pytest.raises(ClientError) as raised:
        codedeploy.create_deployment(
            applicationName=APPLICATION,
            deploymentGroupName=GROUP,
            revision=revision,
            deploymentConfigName="CodeDeployDefault.Nope",
        )
    assert raised.value.response["Error"]["Code"] == "DeploymentConfigDoesNotExistException"
    deployment_id = codedeploy.create_deployment(
        applicationName=APPLICATION, deploymentGroupName=GROUP, revision=revision
    )["deploymentId"]
    wait_for(lambda: status_is(codedeploy, deployment_id, "Succeeded"))
    assert describe(ecs)["taskDefinition"].endswith("web:2")


def test_update_service_keeps_refusing_a_task_definition(codedeploy, ecs):
    register_fargate(ecs, image="nginx:2")
    with pytest.raises(ClientError) as raised:
        ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
    assert "CODE_DEPLOY deployment controller" in raised.value.response["Error"]["Message"]
    ecs.update_service(cluster=CLUSTER, service="web", desiredCount=3)
    service = wait_for(lambda: steady(ecs) if describe(ecs)["runningCount"] == 3 else None)
    assert service["taskSets"][0]["computedDesiredCount"] == 3
