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

Seeding twice is harmless: what exists already is left as it is.
"""

from __future__ import annotations

from unittest import mock

import yaml
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends
from moto.logs.models import logs_backends


def load_seed(path):
    """The seed described by a YAML file."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def apply_seed(seed, account_id=DEFAULT_ACCOUNT_ID):
    """Create the seed's clusters, VPCs, subnets, security groups and log groups."""
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
