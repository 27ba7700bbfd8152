"""ecspresso's own test data, read in place from ../shared, loads as ecspresso loads it.

One test per row of ../shared/fixtures/ecspresso/README.md's table.
"""

from __future__ import annotations

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils import templating
from ansible_collections.ecsops.ecspresso.plugins.module_utils.config import (
    load_config,
    resolve_run,
    resolve_service,
    resolve_target,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.envfile import read_envfiles
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError

pytestmark = pytest.mark.fixtures

needs_jsonnet = pytest.mark.skipif(
    templating._jsonnet is None,
    reason="the jsonnet package is not installed (pip install jsonnet)",
)

CONFIGS = ["ecspresso.yml", "ecspresso.yaml", "ecspresso.json", "ecspresso.jsonnet"]
TASK_DEFINITIONS = ["td.json", "td-plain.json", "td-in-tags.json", "td-plain-in-tags.json"]
IMAGE = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:testing"


@pytest.fixture
def tests_dir(shared_fixtures, monkeypatch):
    """ecspresso's tests/ folder, with the environment its config tests set."""
    monkeypatch.setenv("TAG", "testing")
    monkeypatch.setenv("JSON", '{"foo":"bar"}')
    monkeypatch.setenv("AWS_REGION", "ap-northeast-1")
    monkeypatch.setenv("PWD", str(shared_fixtures / "ecspresso"))
    return shared_fixtures / "ecspresso" / "tests"


def config_path(tests_dir, name, tmp_path):
    """The path of config ``name``. ecspresso.yaml is a symbolic link to ecspresso.yml in
    ecspresso's repository; where it was copied as a file holding the link's target, the
    link is made again, in a folder of links to the files the config names."""
    path = tests_dir / name
    target = path.read_text().strip()
    if path.is_symlink() or "\n" in target or not (tests_dir / target).is_file():
        return str(path)
    tmp_path.mkdir(exist_ok=True)
    for linked in (target, "ecs-service-def.json", "ecs-task-def.json", "terraform.tfstate"):
        (tmp_path / linked).symlink_to(tests_dir / linked)
    (tmp_path / name).symlink_to(target)
    return str(tmp_path / name)


def loaded(tests_dir, name, tmp_path):
    return resolve_target({"config": config_path(tests_dir, name, tmp_path)})


@needs_jsonnet
@pytest.mark.parametrize("name", CONFIGS)
def test_the_four_config_formats_load_to_the_same_config(tests_dir, name, tmp_path):
    target, settings, warnings = loaded(tests_dir, name, tmp_path)

    assert (target.service, target.cluster) == ("test", "default")
    assert settings["timeout"] == 600.0
    assert settings["region"] == "ap-northeast-1"
    assert warnings == []
    reference, _settings, _warnings = loaded(tests_dir, "ecspresso.yml", tmp_path)
    assert target.task_definition == reference.task_definition
    assert target.service_definition == reference.service_definition
    config, _warnings = load_config(config_path(tests_dir, name, tmp_path / "again"))
    config.pop("base_dir")
    assert config == {
        "region": "ap-northeast-1",
        "cluster": "default",
        "service": "test",
        "service_definition": "ecs-service-def.json",
        "task_definition": "ecs-task-def.json",
        "timeout": 600.0,
        "plugins": [{"name": "tfstate", "config": {"path": "terraform.tfstate"}}],
    }


@needs_jsonnet
@pytest.mark.parametrize("name", CONFIGS)
def test_the_service_definition_takes_its_network_from_tfstate(tests_dir, name, tmp_path):
    target, _settings, _warnings = loaded(tests_dir, name, tmp_path)

    vpc = target.service_definition["networkConfiguration"]["awsvpcConfiguration"]
    assert vpc["securityGroups"][0] == "sg-12345678"
    assert vpc["subnets"][0] == "subnet-07ac54af5e41a4fc4"
    breaker = target.service_definition["deploymentConfiguration"]["deploymentCircuitBreaker"]
    assert breaker == {"enable": True, "rollback": True}


@needs_jsonnet
@pytest.mark.parametrize("name", CONFIGS)
def test_the_task_definition_takes_tfstate_must_env_and_json_escape(tests_dir, name, tmp_path):
    target, _settings, _warnings = loaded(tests_dir, name, tmp_path)

    container = target.task_definition["containerDefinitions"][0]
    assert container["image"] == IMAGE
    assert container["environment"][0] == {"name": "JSON", "value": '{"foo":"bar"}'}


@pytest.mark.parametrize("name", ["config_abs.yaml", "config_multiple_plugins.yaml"])
def test_absolute_paths_and_two_tfstate_plugins(tests_dir, name):
    target, settings, _warnings = resolve_target({"config": str(tests_dir / name)})

    assert (target.service, target.cluster, settings["timeout"]) == ("test", "default", 600.0)
    vpc = target.service_definition["networkConfiguration"]["awsvpcConfiguration"]
    assert vpc["securityGroups"][0] == "sg-12345678"
    assert vpc["subnets"][0] == "subnet-07ac54af5e41a4fc4"
    container = target.task_definition["containerDefinitions"][0]
    assert container["image"] == IMAGE
    assert container["environment"][0] == {"name": "JSON", "value": '{"foo":"bar"}'}
    if name == "config_multiple_plugins.yaml":
        # bucket_tfstate reads the plugin with func_prefix: bucket_.
        assert container["environment"][1] == {"name": "S3_URL", "value": "s3://example/"}


def test_two_plugins_defining_the_same_function_say_to_set_func_prefix(tests_dir):
    path = tests_dir / "config_duplicate_plugins.yaml"

    with pytest.raises(DefinitionError) as caught:
        resolve_target({"config": str(path)})

    message = str(caught.value)
    assert message.startswith(f"{path}: plugins[1] (tfstate): template function tfstate")
    assert "set func_prefix" in message


def task_definition_of(tests_dir, name):
    target, _settings, warnings = resolve_run(
        {
            "config": str(tests_dir / "td-config.yml"),
            "task_definition": name,
            "ext_str": {"WorkerID": "3"},
            "ext_code": {"EphemeralStorage": "24 + 1"},
        },
        str(tests_dir),
    )
    return target.task_definition, warnings


@pytest.mark.parametrize(
    "name", TASK_DEFINITIONS + [pytest.param("td.jsonnet", marks=needs_jsonnet)]
)
def test_task_definitions_plain_described_and_jsonnet_load_alike(tests_dir, name, monkeypatch):
    monkeypatch.delenv("TAG")

    task_definition, _warnings = task_definition_of(tests_dir, name)

    assert task_definition["ephemeralStorage"]["sizeInGiB"] == 25
    container = task_definition["containerDefinitions"][0]
    assert container["dockerLabels"]["name"] == "katsubushi"
    assert container["logConfiguration"]["options"]["awslogs-group"] == "fargate"
    assert container["image"] == "katsubushi/katsubushi:latest"
    assert container["environment"] == [{"name": "worker_id", "value": "3"}]
    reference, _warnings = task_definition_of(tests_dir, "td.json")
    without_tags = {key: value for key, value in task_definition.items() if key != "tags"}
    assert without_tags == reference


@pytest.mark.parametrize(
    ("name", "tags"),
    [
        ("td.json", None),
        ("td-plain.json", None),
        pytest.param("td.jsonnet", None, marks=needs_jsonnet),
        ("td-in-tags.json", [{"key": "TagKey", "value": "TagValue"}]),
        ("td-plain-in-tags.json", [{"key": "TagKey", "value": "TagValue"}]),
    ],
)
def test_tags_come_from_the_file_in_both_shapes(tests_dir, name, tags):
    task_definition, _warnings = task_definition_of(tests_dir, name)

    assert task_definition.get("tags") == tags


def test_read_only_fields_of_described_files_are_dropped_with_a_warning(tests_dir):
    task_definition, warnings = task_definition_of(tests_dir, "td-plain.json")

    assert "revision" not in task_definition and "status" not in task_definition
    assert any("ignored read-only fields revision, status" in w for w in warnings)


@pytest.mark.parametrize("name", ["sv.json", pytest.param("sv.jsonnet", marks=needs_jsonnet)])
def test_service_definition_of_test_yaml(tests_dir, name):
    target, settings, _warnings = resolve_target(
        {"config": str(tests_dir / "test.yaml"), "service_definition": name}, str(tests_dir)
    )
    service = target.service_definition

    assert (target.cluster, target.service, settings["timeout"]) == ("default2", "test", 300.0)
    assert service["desiredCount"] == 2
    assert service["loadBalancers"][0]["targetGroupArn"] == (
        "arn:aws:elasticloadbalancing:us-east-1:1111111111:targetgroup/test/12345678"
    )
    assert (service["launchType"], service["schedulingStrategy"]) == ("EC2", "REPLICA")
    assert service["propagateTags"] == "SERVICE"
    assert service["tags"][0] == {"key": "cluster", "value": "default2"}
    deployment = service["deploymentConfiguration"]
    assert (deployment["maximumPercent"], deployment["minimumHealthyPercent"]) == (200, 50)
    assert deployment["alarms"]["alarmNames"] == ["HighResponseLatencyAlarm"]


@pytest.mark.parametrize(
    "name",
    [
        "config_codedeploy.yml",
        "config_codedeploy.json",
        pytest.param("config_codedeploy.jsonnet", marks=needs_jsonnet),
    ],
)
def test_codedeploy_configs(tests_dir, name):
    config, warnings = load_config(str(tests_dir / name))

    assert config["codedeploy"] == {
        "application_name": "myapp",
        "deployment_group_name": "mydeployment",
    }
    assert (config["cluster"], config["service"]) == ("default", "test")
    assert warnings == []


def test_later_envfiles_win_and_export_is_allowed(tests_dir):
    values = read_envfiles(["envfile", "envfile2"], str(tests_dir))

    assert values == {"ECSPRESSO_TEST": "ok2", "ECSPRESSO_TEST2": "ok2"}


def test_without_a_timeout_the_default_applies(tests_dir):
    _cluster, _service, settings, _warnings = resolve_service(
        {"config": str(tests_dir / "notimeout.yml")}
    )

    assert settings["timeout"] == 600.0
