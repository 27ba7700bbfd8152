"""Service `web` of cluster `apps`: its definitions, a cluster fixture and deploy helpers."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import AwsSession
from ansible_collections.ecsops.ecspresso.plugins.module_utils.config import resolve_target
from ansible_collections.ecsops.ecspresso.plugins.module_utils.deploy import DeployOptions, deploy
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress

TASK_DEFINITION = {
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "registry.example.com/web:1",
            "portMappings": [{"containerPort": 8080}],
            "environment": [
                {"name": "B_SETTING", "value": "2"},
                {"name": "A_SETTING", "value": "1"},
                {"name": "C_SETTING", "value": "3"},
            ],
            "secrets": [
                {"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/t"},
                {"name": "KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/k"},
            ],
        }
    ],
    "tags": [{"key": "team", "value": "web"}, {"key": "cost-center", "value": "42"}],
}

SERVICE_DEFINITION = {
    "launchType": "FARGATE",
    "desiredCount": 2,
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": [], "securityGroups": []}},
    "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    "tags": [{"key": "team", "value": "web"}, {"key": "tier", "value": "frontend"}],
}


NETWORK = {}


@pytest.fixture
def cluster(aws):
    """Cluster ``apps``, and the default VPC's subnets and security groups for the service."""
    aws.client("ecs").create_cluster(clusterName="apps")
    ec2 = aws.client("ec2")
    subnets = [subnet["SubnetId"] for subnet in ec2.describe_subnets()["Subnets"]][:2]
    group = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    default = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
    # Written in reverse order: ECS and the comparison must not care.
    NETWORK.update(subnets=subnets[::-1], securityGroups=[group, default])
    return "apps"


def service_definition_default():
    """The service definition, on the cluster fixture's network."""
    definition = copy.deepcopy(SERVICE_DEFINITION)
    definition["networkConfiguration"]["awsvpcConfiguration"].update(copy.deepcopy(NETWORK))
    return definition


def run(aws, task_definition=None, service_definition=None, check_mode=False, **options):
    """Deploy service ``web`` of cluster ``apps``; the result carries the events."""
    target, settings, _warnings = resolve_target(
        {
            "cluster": "apps",
            "service": "web",
            "task_definition": task_definition or copy.deepcopy(TASK_DEFINITION),
            "service_definition": service_definition or service_definition_default(),
            "timeout": options.pop("timeout", "60"),
        }
    )
    progress = Progress()
    session = AwsSession(**aws.options, max_attempts=options.pop("max_attempts", None))
    result = deploy(
        session, target, DeployOptions(timeout=settings["timeout"], **options), progress, check_mode
    )
    result["events"] = progress.events
    return result


def describe(aws):
    """Service ``web`` as DescribeServices answers."""
    return aws.client("ecs").describe_services(cluster="apps", services=["web"])["services"][0]
