"""Seed the local AWS with what a deploy expects to exist already.

A real account has its clusters, VPCs, subnets and security groups before any
service is deployed, and example inventories name them by ID. moto gives every
subnet and security group a random ID, so this creates them with the IDs that a
seed file asks for. The file is YAML::

    region: us-east-1
    clusters: [dev, prod]
    vpcs:
      - cidr: 10.10.0.0/16
        subnets:
          - {id: subnet-0dev0000000000001, cidr: 10.10.1.0/24, availability_zone: us-east-1a}
        security_groups:
          - {id: sg-0dev0000000000001, name: dev-services}
    log_groups: [/ecs/dev/web]
    load_balancers:
      - name: dev-web
        vpc: 10.10.0.0/16                  # the seeded VPC of that CIDR
        port: 80                           # one HTTP listener, to the first target group
        target_groups:
          - {name: dev-web-blue, id: 1000000000000001, port: 8080}
          - {name: dev-web-green, id: 1000000000000002, port: 8080}
    codedeploy:
      - application: EcsApplication
        deployment_groups:
          - name: EcsDeploymentGroup
            cluster: dev
            service: web
            load_balancer: dev-web         # its listener and its two target groups
            deployment_config: CodeDeployDefault.ECSAllAtOnce

Load balancers take the subnets and first security group of their VPC. Target groups get
the ID their ARN ends with (16 hex digits): moto draws it at random, and a service
definition names the ARN. Scalable targets are not seeded: Application Auto Scaling
registers one only for a service that exists, so it comes after the first deploy.

Seeding twice is harmless: what exists already is left as it is.
"""

from __future__ import annotations

from unittest import mock

import yaml
from moto.codedeploy.models import codedeploy_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends
from moto.elbv2.models import elbv2_backends
from moto.logs.models import logs_backends


def load_seed(path):
    """The seed described by a YAML file."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def apply_seed(seed, account_id=DEFAULT_ACCOUNT_ID):
    """Create the seed's clusters, VPCs, subnets, security groups, log groups, load
    balancers with their target groups, and CodeDeploy applications with their groups."""
    region = seed.get("region", "us-east-1")
    ecs = ecs_backends[account_id][region]
    for name in seed.get("clusters", []):
        if name not in ecs.clusters or ecs.clusters[name].status != "ACTIVE":
            ecs.create_cluster(cluster_name=name)
    ec2 = ec2_backends[account_id][region]
    for vpc_seed in seed.get("vpcs", []):
        _seed_vpc(ec2, vpc_seed)
    logs = logs_backends[account_id][region]
    for name in seed.get("log_groups", []):
        if name not in logs.groups:
            logs.create_log_group(name, {})
    elbv2 = elbv2_backends[account_id][region]
    balancers = {
        balancer_seed["name"]: _seed_load_balancer(ec2, elbv2, balancer_seed)
        for balancer_seed in seed.get("load_balancers", [])
    }
    codedeploy = codedeploy_backends[account_id][region]
    for application in seed.get("codedeploy", []):
        _seed_codedeploy_application(codedeploy, application, balancers, account_id)


def _seed_vpc(ec2, vpc_seed):
    existing_subnets = {subnet.id for subnet in ec2.describe_subnets()}
    existing_groups = {group.id for group in ec2.describe_security_groups()}
    wanted = [s["id"] for s in vpc_seed.get("subnets", [])]
    if wanted and all(subnet_id in existing_subnets for subnet_id in wanted):
        return
    vpc = ec2.create_vpc(cidr_block=vpc_seed["cidr"])
    for subnet in vpc_seed.get("subnets", []):
        if subnet["id"] in existing_subnets:
            continue
        with mock.patch("moto.ec2.models.subnets.random_subnet_id", return_value=subnet["id"]):
            ec2.create_subnet(
                vpc_id=vpc.id,
                cidr_block=subnet["cidr"],
                availability_zone=subnet.get("availability_zone"),
            )
    for group in vpc_seed.get("security_groups", []):
        if group["id"] in existing_groups:
            continue
        with mock.patch(
            "moto.ec2.models.security_groups.random_security_group_id", return_value=group["id"]
        ):
            ec2.create_security_group(
                name=group["name"],
                description=group.get("description", group["name"]),
                vpc_id=vpc.id,
            )


def _seed_load_balancer(ec2, elbv2, balancer_seed):
    """The load balancer (created unless it exists), its listener and target groups, as
    (listener ARN, [target group names])."""
    names = [group["name"] for group in balancer_seed.get("target_groups", [])]
    existing = {balancer.name: balancer for balancer in elbv2.load_balancers.values()}
    if balancer_seed["name"] in existing:
        (listener,) = existing[balancer_seed["name"]].listeners.values()
        return listener.arn, names
    (vpc,) = [vpc for vpc in ec2.describe_vpcs() if vpc.cidr_block == balancer_seed["vpc"]]
    subnets = [subnet.id for subnet in ec2.describe_subnets() if subnet.vpc_id == vpc.id]
    groups = [
        group.id
        for group in ec2.describe_security_groups()
        if group.vpc_id == vpc.id and group.name != "default"
    ]
    arns = []
    for group in balancer_seed.get("target_groups", []):
        with mock.patch(
            "moto.elbv2.models.mock_random.get_random_hex", return_value=str(group["id"])
        ):
            target_group = elbv2.create_target_group(
                group["name"],
                vpc_id=vpc.id,
                protocol="HTTP",
                port=group.get("port", 80),
                target_type="ip",
            )
        arns.append(target_group.arn)
    balancer = elbv2.create_load_balancer(
        name=balancer_seed["name"], security_groups=groups[:1], subnet_ids=subnets
    )
    listener = elbv2.create_listener(
        load_balancer_arn=balancer.arn,
        protocol="HTTP",
        port=balancer_seed.get("port", 80),
        ssl_policy=None,
        certificate=None,
        actions=[{"Type": "forward", "TargetGroupArn": arns[0]}],
    )
    return listener.arn, names


def _seed_codedeploy_application(codedeploy, application, balancers, account_id):
    name = application["application"]
    if name not in codedeploy.applications:
        codedeploy.create_application(name, "ECS", tags=None)
    for group in application.get("deployment_groups", []):
        if group["name"] in codedeploy.deployment_groups.get(name, {}):
            continue
        listener, target_groups = balancers[group["load_balancer"]]
        codedeploy.create_deployment_group(
            application_name=name,
            deployment_group_name=group["name"],
            deployment_config_name=group.get("deployment_config"),
            ec2_tag_filters=None,
            on_premises_instance_tag_filters=None,
            auto_scaling_groups=None,
            service_role_arn=f"arn:aws:iam::{account_id}:role/ecsCodeDeployRole",
            deployment_style={
                "deploymentType": "BLUE_GREEN",
                "deploymentOption": "WITH_TRAFFIC_CONTROL",
            },
            load_balancer_info={
                "targetGroupPairInfoList": [
                    {
                        "targetGroups": [{"name": group_name} for group_name in target_groups],
                        "prodTrafficRoute": {"listenerArns": [listener]},
                    }
                ]
            },
            ecs_services=[{"serviceName": group["service"], "clusterName": group["cluster"]}],
        )
