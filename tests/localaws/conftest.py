"""Fixtures of the local AWS's own tests: one local AWS per test module, emptied per test."""

from __future__ import annotations

from typing import Any

import pytest

from .server import LocalAWS
from .testkit import CLUSTER, ROLLOUT_SECONDS, TASK_SECONDS, client


@pytest.fixture(scope="module")
def server():
    """One local AWS for this module, on a free port."""
    with LocalAWS(port=0, rollout_seconds=ROLLOUT_SECONDS, task_seconds=TASK_SECONDS) as local_aws:
        yield local_aws


@pytest.fixture
def local_aws(server):
    """The module's local AWS, emptied (faults too), with the test rollout and task times."""
    server.reset()
    server.rollout_seconds = ROLLOUT_SECONDS
    server.task_seconds = TASK_SECONDS
    server.codedeploy_seconds = None
    return server


@pytest.fixture
def ecs(local_aws):
    """An ECS client, with a cluster to put services in."""
    ecs = client(local_aws, "ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    return ecs


@pytest.fixture
def network(local_aws) -> dict[str, Any]:
    """A subnet and security group for awsvpc services."""
    ec2 = client(local_aws, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}
