"""The service that ecspresso's own tests/ecspresso.yml describes, with its Terraform
state, deployed to the local AWS (its subnet and security group seeded with the IDs the
state holds). The files are read in place from ../shared."""

from __future__ import annotations

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import AwsSession
from ansible_collections.ecsops.ecspresso.plugins.module_utils.config import resolve_target
from ansible_collections.ecsops.ecspresso.plugins.module_utils.deploy import DeployOptions, deploy
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress
from tests.localaws.seed import apply_seed

pytestmark = pytest.mark.fixtures

# What the Terraform state of ecspresso's tests names, made to exist in the local AWS.
SEED = {
    "region": "us-east-1",
    "clusters": ["default"],
    "vpcs": [
        {
            "cidr": "10.0.0.0/16",
            "subnets": [
                {
                    "id": "subnet-07ac54af5e41a4fc4",
                    "cidr": "10.0.0.0/24",
                    "availability_zone": "us-east-1a",
                }
            ],
            "security_groups": [{"id": "sg-12345678", "name": "default-first"}],
        }
    ],
}


@pytest.fixture
def config(shared_fixtures, aws, monkeypatch):
    """ecspresso's tests/ecspresso.yml, with the environment its tests set."""
    monkeypatch.setenv("TAG", "testing")
    monkeypatch.setenv("JSON", '{"foo":"bar"}')
    monkeypatch.setenv("AWS_REGION", "ap-northeast-1")
    apply_seed(SEED)
    return shared_fixtures / "ecspresso" / "tests" / "ecspresso.yml"


def deploy_config(aws, **options):
    session = AwsSession(**aws.options)
    target, _settings, _warnings = resolve_target(options, session=session)
    return deploy(session, target, DeployOptions(timeout=60), Progress()), target


def test_as_written_it_is_refused_as_ecs_would_refuse_it(config, aws):
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        deploy_config(aws, config=str(config))

    message = str(caught.value)
    assert message.startswith(
        f"{config.parent / 'ecs-service-def.json'}: field networkConfiguration"
    )
    assert "no networkMode (bridge, by default)" in message
    assert aws.mutating_calls() == {}


def test_in_awsvpc_mode_it_deploys_and_then_stays_unchanged(config, aws, tmp_path):
    # The one change that makes the pair valid for ECS: the task definition's network mode.
    text = (config.parent / "ecs-task-def.json").read_text()
    task_definition = tmp_path / "ecs-task-def.json"
    task_definition.write_text(text.replace("{", '{\n  "networkMode": "awsvpc",', 1))

    first, target = deploy_config(aws, config=str(config), task_definition=str(task_definition))
    aws.server.reset_calls()
    second, _target = deploy_config(aws, config=str(config), task_definition=str(task_definition))

    assert first["changed"] is True
    assert second["changed"] is False, second["diff"]
    assert aws.mutating_calls() == {}
    service = aws.client("ecs").describe_services(cluster="default", services=["test"])
    network = service["services"][0]["networkConfiguration"]["awsvpcConfiguration"]
    assert (network["subnets"], network["securityGroups"]) == (
        ["subnet-07ac54af5e41a4fc4"],
        ["sg-12345678"],
    )
    image = target.task_definition["containerDefinitions"][0]["image"]
    assert image == "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:testing"
