"""The examples of ecspresso_deploy and ecspresso_info, run as written in check mode.

The files the examples name (services/web/ecspresso.yml, its Jsonnet twin with an envfile,
the templates of the template lookup, the blue/green service api) are laid out in a
folder as a user's repository would have them, service web is deployed once, and the
examples run in check mode against the local AWS: they succeed and change nothing. Only
the AWS settings come from the play, through module_defaults; examples that name an AWS
account of their own are left out.
"""

from __future__ import annotations

import copy
import json
import pathlib
import subprocess
import sys

import pytest
import yaml

from ansible_collections.ecsops.ecspresso.plugins.module_utils import templating
from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import AwsSession
from ansible_collections.ecsops.ecspresso.plugins.module_utils.config import resolve_target
from ansible_collections.ecsops.ecspresso.plugins.module_utils.deploy import DeployOptions, deploy
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress
from tests.unit.test_module_examples import module_docs, runs, spec_names, tasks_in

ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).parent / "ansible-playbook"
# The options that say which AWS account and endpoint a task talks to.
AWS_OPTIONS = spec_names(
    {
        name: runs.DEPLOY_ARGUMENT_SPEC[name]
        for name in ("region", "profile", "access_key", "secret_key", "session_token")
        + ("endpoint_url",)
    }
)

TASK_DEFINITION = {
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "registry.example.com/web:1.4.2",
            "portMappings": [{"containerPort": 8080}],
            "environment": [{"name": "STAGE", "value": "production"}],
        }
    ],
}

SERVICE_DEFINITION = {
    "launchType": "FARGATE",
    "desiredCount": 2,
    "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
}

CONFIG = """\
cluster: production
service: {service}
task_definition: task-def.json
service_definition: service-def.json
timeout: 5m
"""

# ecspresso.jsonnet: the same service, its image tag from the envfile (a template of the
# rendered JSON), its stage and task count from the external variables.
JSONNET_CONFIG = """\
{
  cluster: 'production',
  service: 'web',
  task_definition: 'task-def.jsonnet',
  service_definition: 'service-def.jsonnet',
}
"""
JSONNET_TASK_DEFINITION = """\
local base = import 'task-def.json';
base {
  containerDefinitions: [
    base.containerDefinitions[0] {
      image: 'registry.example.com/web:{{ must_env `IMAGE_TAG` }}',
      environment: [{ name: 'STAGE', value: std.extVar('stage') }],
    },
  ],
}
"""
JSONNET_SERVICE_DEFINITION = """\
(import 'service-def.json') + { desiredCount: std.extVar('replicas') }
"""

needs_jsonnet = pytest.mark.skipif(
    templating._jsonnet is None,
    reason="the jsonnet package is not installed (pip install jsonnet)",
)


def network(aws):
    """The default VPC's first two subnets and its default security group."""
    ec2 = aws.client("ec2")
    subnets = [subnet["SubnetId"] for subnet in ec2.describe_subnets()["Subnets"]][:2]
    group = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
    return {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}}


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repository(aws, tmp_path):
    """A repository laid out as the examples expect, with web deployed to cluster production."""
    aws.client("ecs").create_cluster(clusterName="production")
    service_definition = dict(copy.deepcopy(SERVICE_DEFINITION), networkConfiguration=network(aws))

    web = tmp_path / "services" / "web"
    write(web / "ecspresso.yml", CONFIG.format(service="web"))
    write(web / "task-def.json", json.dumps(TASK_DEFINITION, indent=2))
    write(web / "service-def.json", json.dumps(service_definition, indent=2))
    write(web / "ecspresso.jsonnet", JSONNET_CONFIG)
    write(web / "task-def.jsonnet", JSONNET_TASK_DEFINITION)
    write(web / "service-def.jsonnet", JSONNET_SERVICE_DEFINITION)
    write(web / "production.env", "IMAGE_TAG=1.4.3\n")

    # The template lookup reads templates/ beside the playbook.
    template = json.dumps(TASK_DEFINITION, indent=2).replace(
        "web:1.4.2", "web:{{ web_image_tag | default('1.4.2') }}"
    )
    write(tmp_path / "templates" / "web" / "task-def.json.j2", template)
    write(
        tmp_path / "templates" / "web" / "service-def.json.j2",
        json.dumps(service_definition, indent=2),
    )

    # api: a blue/green service, behind a load balancer, not created yet.
    api = tmp_path / "services" / "api"
    api_task_definition = dict(copy.deepcopy(TASK_DEFINITION), family="api")
    api_service_definition = dict(
        service_definition,
        deploymentController={"type": "CODE_DEPLOY"},
        loadBalancers=[
            {
                "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                "targetgroup/api-blue/0123456789abcdef",
                "containerName": "app",
                "containerPort": 8080,
            }
        ],
    )
    api_service_definition.pop("deploymentConfiguration")
    write(api / "ecspresso.yml", CONFIG.format(service="api"))
    write(api / "task-def.json", json.dumps(api_task_definition, indent=2))
    write(api / "service-def.json", json.dumps(api_service_definition, indent=2))

    target, settings, _warnings = resolve_target(
        {"config": "services/web/ecspresso.yml"}, base_dir=str(tmp_path)
    )
    session = AwsSession(**aws.options)
    deploy(session, target, DeployOptions(timeout=60), Progress())
    return tmp_path


def names_an_account(task):
    """Whether a task (or a block) sets the AWS account or endpoint it talks to."""
    for item in tasks_in([task]):
        defaults = item.get("module_defaults") or {}
        if any(set(options) & AWS_OPTIONS for options in defaults.values()):
            return True
        for key, args in item.items():
            if key.startswith("ecsops.ecspresso.") and set(args or {}) & AWS_OPTIONS:
                return True
    return False


def runnable_examples(module):
    examples = module_docs(module)[1]
    return [task for task in examples if not names_an_account(task)]


@needs_jsonnet
def test_deploy_and_info_examples_run_in_check_mode_and_change_nothing(aws, repository):
    plays = [
        {
            "name": f"{module} examples",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "module_defaults": {"group/ecsops.ecspresso.ecspresso": aws.options},
            "tasks": runnable_examples(module),
        }
        for module in ("ecspresso_info", "ecspresso_deploy")
    ]
    (repository / "examples.yml").write_text(yaml.safe_dump(plays, sort_keys=False))
    aws.server.reset_calls()

    completed = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "--check", "-i", "localhost,", "examples.yml"],
        cwd=repository,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "failed=0" in output
    assert aws.mutating_calls() == {}
    # What the examples show and predict, from the service as it runs.
    assert "web runs arn:aws:ecs:us-east-1:" in output
    assert "[web] would update service web: desiredCount" in output
    assert "[api] would create service api" in output
    assert "registry.example.com/web:1.4.2" in output


def test_only_the_examples_that_name_an_account_are_left_out():
    for module in ("ecspresso_info", "ecspresso_deploy"):
        examples = module_docs(module)[1]
        left_out = [task["name"] for task in examples if names_an_account(task)]
        assert len(left_out) <= 1, f"{module}: {left_out} are not run"
