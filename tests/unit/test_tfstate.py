"""Terraform state lookups by address, as the tfstate template function makes them."""

from __future__ import annotations

import json

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import LookupFailed
from ansible_collections.ecsops.ecspresso.plugins.module_utils.tfstate import TerraformState

STATE = {
    "version": 4,
    "outputs": {
        "cluster_name": {"value": "prod", "type": "string"},
        "subnets": {"value": ["subnet-a", "subnet-b"]},
    },
    "resources": [
        {
            "mode": "managed",
            "type": "aws_vpc",
            "name": "main",
            "instances": [{"attributes": {"id": "vpc-1", "tags": {"Name": "main"}}}],
        },
        {
            "mode": "managed",
            "type": "aws_subnet",
            "name": "private",
            "module": "module.vpc",
            "each": "list",
            "instances": [
                {"index_key": 0, "attributes": {"id": "subnet-0"}},
                {"index_key": 1, "attributes": {"id": "subnet-1"}},
            ],
        },
        {
            "mode": "managed",
            "type": "aws_lb_target_group",
            "name": "blue",
            "module": 'module.alb["web"]',
            "instances": [{"attributes": {"arn": "arn:tg/blue", "port": 80}}],
        },
        {
            "mode": "data",
            "type": "aws_iam_role",
            "name": "task",
            "instances": [{"attributes": {"arn": "arn:role/task", "max_session_duration": 3600}}],
        },
        {
            "mode": "managed",
            "type": "aws_ecr_repository",
            "name": "all",
            "each": "map",
            "instances": [
                {"index_key": "app", "attributes": {"repository_url": "registry/app"}},
                {"index_key": "worker", "attributes": {"repository_url": "registry/worker"}},
            ],
        },
    ],
}


@pytest.fixture
def state(tmp_path):
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps(STATE))
    return TerraformState(str(path), session=None)


@pytest.mark.parametrize(
    ("address", "value"),
    [
        ("aws_vpc.main.id", "vpc-1"),
        ("aws_vpc.main.tags.Name", "main"),
        ('aws_vpc.main.tags["Name"]', "main"),
        ("module.vpc.aws_subnet.private[1].id", "subnet-1"),
        ("module.alb['web'].aws_lb_target_group.blue.port", 80),
        ("data.aws_iam_role.task.arn", "arn:role/task"),
        ("aws_ecr_repository.all['worker'].repository_url", "registry/worker"),
        ('aws_ecr_repository.all["app"].repository_url', "registry/app"),
        ("output.cluster_name", "prod"),
        ("output.subnets[1]", "subnet-b"),
        ("aws_vpc.main", {"id": "vpc-1", "tags": {"Name": "main"}}),
    ],
)
def test_addresses(state, address, value):
    assert state.lookup(address) == value


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("aws_vpc.other.id", "aws_vpc.other.id is not found in the Terraform state"),
        ("aws_vpc.main.nope", "is not found"),
        ("module.vpc.aws_subnet.private[7].id", "is not found"),
        ("aws_subnet.private[0].id", "is not found"),  # outside its module
        ("aws_ecr_repository.all.repository_url", 'add the key, such as ["app"]'),
        ("output.missing", "is not found"),
        ("aws_vpc", "write it as TYPE.NAME.ATTRIBUTE"),
        ("aws_vpc.main.id!", "invalid address"),
    ],
)
def test_lookups_that_fail_say_why(state, address, problem):
    with pytest.raises(LookupFailed) as caught:
        state.lookup(address)

    assert problem in str(caught.value)


def test_state_is_read_on_first_lookup_only(tmp_path):
    state = TerraformState(str(tmp_path / "absent.tfstate"), session=None)

    with pytest.raises(LookupFailed) as caught:
        state.lookup("aws_vpc.main.id")

    assert "cannot read Terraform state" in str(caught.value)


def test_an_optional_state_that_cannot_be_read_is_empty(tmp_path):
    state = TerraformState(str(tmp_path / "absent.tfstate"), session=None, optional=True)

    with pytest.raises(LookupFailed) as caught:
        state.lookup("aws_vpc.main.id")

    assert "is not found" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "invalid JSON"),
        (json.dumps({"version": 3, "modules": []}), "version 3 Terraform state"),
        (json.dumps({"backend": {"type": "gcs", "config": {}}}), "only the s3 backend is read"),
    ],
)
def test_states_that_cannot_be_used(tmp_path, content, problem):
    path = tmp_path / "terraform.tfstate"
    path.write_text(content)

    with pytest.raises(LookupFailed) as caught:
        TerraformState(str(path), session=None).lookup("aws_vpc.main.id")

    assert problem in str(caught.value)


def test_other_url_schemes_are_refused_with_what_is_read():
    with pytest.raises(LookupFailed) as caught:
        TerraformState("gs://bucket/state", session=None).lookup("aws_vpc.main.id")

    assert "only local paths and s3:// URLs are read" in str(caught.value)
