"""Helpers for the local AWS's own tests: boto3 clients, a Fargate web service, polling."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .server import LocalAWS

REGION = "us-east-1"
ROLLOUT_SECONDS = 0.3
TASK_SECONDS = 0.4
CLUSTER = "test"


def client(local_aws: LocalAWS, name: str, **options: Any) -> Any:
    """A boto3 client for the local AWS."""
    return boto3.client(
        name,
        endpoint_url=local_aws.endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        **options,
    )


def register_fargate(ecs: Any, family: str = "web", image: str = "nginx:1") -> str:
    """Register a small Fargate task definition; returns its ARN."""
    response = ecs.register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": image, "portMappings": [{"containerPort": 80}]}
        ],
    )
    return response["taskDefinition"]["taskDefinitionArn"]


def create_web_service(ecs: Any, network: dict[str, Any], desired_count: int = 2, **extra: Any):
    """Create service ``web`` on ``web:1``; returns the service as answered."""
    return ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition="web",
        desiredCount=desired_count,
        launchType="FARGATE",
        networkConfiguration=network,
        **extra,
    )["service"]


def describe(ecs: Any, name: str = "web") -> dict[str, Any]:
    """One service as DescribeServices answers."""
    return ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll until ``predicate`` returns something true; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def settled(ecs: Any) -> dict[str, Any] | None:
    """The service once it has one COMPLETED deployment, else None."""
    service = describe(ecs)
    deployments = service["deployments"]
    if len(deployments) == 1 and deployments[0]["rolloutState"] == "COMPLETED":
        return service
    return None


def raw_ecs_call(local_aws: LocalAWS, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Send an ECS request body as given (nulls included), signed as boto3 would sign it."""
    request = AWSRequest(
        method="POST",
        url=f"{local_aws.endpoint_url}/",
        data=json.dumps(payload),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AmazonEC2ContainerServiceV20141113.{operation}",
        },
    )
    SigV4Auth(Credentials("testing", "testing"), "ecs", REGION).add_auth(request)
    prepared = urllib.request.Request(
        request.url, data=request.body, headers=dict(request.headers), method="POST"
    )
    with urllib.request.urlopen(prepared) as response:
        return json.loads(response.read())


def control(local_aws: LocalAWS, path: str, payload: Any = None) -> Any:
    """Call a ``/_localaws/`` endpoint: GET without a payload, POST with one."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        f"{local_aws.endpoint_url}/_localaws/{path}",
        data=data,
        method="GET" if payload is None else "POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())
