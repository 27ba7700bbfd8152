# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check that what a service's definitions refer to exists, before deploying them.

Each check is one line: what was checked, ``OK``, ``NG`` (with why) or ``SKIP`` (with why).
Only descriptions are read: no secret value is fetched, and nothing is changed.
"""

from __future__ import annotations

import re

from .aws import call, error_code
from .errors import AwsCallError

ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[^:@]+)(?::(?P<tag>[^@]+))?(?:@(?P<digest>.+))?$"
)

NOT_FOUND_CODES = (
    "NoSuchEntity",
    "ParameterNotFound",
    "ResourceNotFoundException",
    "RepositoryNotFoundException",
    "ImageNotFoundException",
    "TargetGroupNotFound",
    "ClusterNotFoundException",
)


def verify(session, target):
    """Run every check; return ``(ok, checks)``, each check a dict name/result/detail."""
    checks = []
    for name, check in _checks(session, target):
        try:
            result, detail = check()
        except AwsCallError as exc:
            if error_code(exc) in NOT_FOUND_CODES:
                result, detail = "NG", f"not found ({error_code(exc)})"
            else:
                result, detail = "NG", str(exc)
        checks.append({"name": name, "result": result, "detail": detail})
    return all(c["result"] != "NG" for c in checks), checks


def _checks(session, target):
    """``(name, check)`` pairs, in the order a reader follows a deploy."""
    task = target.task_definition
    yield f"cluster {target.cluster}", lambda: _cluster(session, target.cluster)
    for field in ("executionRoleArn", "taskRoleArn"):
        if task.get(field):
            arn = task[field]
            yield f"{field} {arn}", lambda arn=arn: _role(session, arn)
    for container in task.get("containerDefinitions", []):
        name = container.get("name")
        image = container.get("image", "")
        yield f"container {name} image {image}", lambda image=image: _image(session, image)
        for secret in container.get("secrets", []):
            source = secret.get("valueFrom", "")
            yield (
                f"container {name} secret {secret.get('name')} from {source}",
                lambda source=source: _secret(session, source),
            )
        log = container.get("logConfiguration") or {}
        options = log.get("options") or {}
        if log.get("logDriver") == "awslogs" and options.get("awslogs-group"):
            yield (
                f"container {name} log group {options['awslogs-group']}",
                lambda options=options: _log_group(session, options),
            )
    for balancer in target.service_definition.get("loadBalancers", []):
        if balancer.get("targetGroupArn"):
            yield (
                f"target group {balancer['targetGroupArn']}",
                lambda balancer=balancer: _target_group(session, balancer, task),
            )


def _cluster(session, cluster):
    ecs = session.client("ecs")
    found = call(f"describe cluster {cluster}", ecs.describe_clusters, clusters=[cluster])
    for item in found.get("clusters", []):
        if item.get("status") == "ACTIVE":
            return "OK", "ACTIVE"
        return "NG", f"status {item.get('status')}"
    return "NG", "not found"


def _role(session, arn):
    name = arn.rsplit("/", 1)[-1]
    iam = session.client("iam")
    call(f"get role {name}", iam.get_role, RoleName=name)
    return "OK", "exists"


def _image(session, image):
    match = ECR_IMAGE.match(image)
    if not match:
        return "SKIP", "not an Amazon ECR image; its registry is not checked"
    ecr = session.client("ecr", region=match["region"])
    image_id = (
        {"imageDigest": match["digest"]}
        if match["digest"]
        else {"imageTag": match["tag"] or "latest"}
    )
    call(
        f"describe image {image}",
        ecr.describe_images,
        registryId=match["account"],
        repositoryName=match["repository"],
        imageIds=[image_id],
    )
    return "OK", "exists"


def _secret(session, source):
    if source.startswith("arn:aws:secretsmanager:"):
        parts = source.split(":")
        secret_arn = ":".join(parts[:7])
        client = session.client("secretsmanager", region=parts[3])
        call(f"describe secret {secret_arn}", client.describe_secret, SecretId=secret_arn)
        return "OK", "exists"
    region = source.split(":")[3] if source.startswith("arn:") else None
    client = session.client("ssm", region=region)
    name = source.split(":parameter", 1)[1] if source.startswith("arn:") else source
    # Described, not read: the parameter's value never reaches the result.
    found = call(
        f"describe parameter {name}",
        client.describe_parameters,
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}],
    ).get("Parameters", [])
    if not found:
        return "NG", "not found"
    return "OK", f"exists ({found[0].get('Type')})"


def _log_group(session, options):
    group = options["awslogs-group"]
    logs = session.client("logs", region=options.get("awslogs-region"))
    found = call(
        f"describe log group {group}",
        logs.describe_log_groups,
        logGroupNamePrefix=group,
    ).get("logGroups", [])
    if any(item.get("logGroupName") == group for item in found):
        return "OK", "exists"
    if str(options.get("awslogs-create-group", "")).lower() == "true":
        return "OK", "missing, and awslogs-create-group creates it"
    return "NG", "not found, and awslogs-create-group is not true"


def _target_group(session, balancer, task):
    arn = balancer["targetGroupArn"]
    elbv2 = session.client("elbv2", region=arn.split(":")[3])
    found = call(
        f"describe target group {arn}", elbv2.describe_target_groups, TargetGroupArns=[arn]
    ).get("TargetGroups", [])
    if not found:
        return "NG", "not found"
    name, port = balancer.get("containerName"), balancer.get("containerPort")
    container = next(
        (c for c in task.get("containerDefinitions", []) if c.get("name") == name), None
    )
    if container is None:
        return "NG", f"containerName {name} is not a container of the task definition"
    ports = [p.get("containerPort") for p in container.get("portMappings", [])]
    if port not in ports:
        return "NG", f"container {name} does not map containerPort {port} (it maps {ports})"
    return "OK", f"exists; container {name} port {port}"
