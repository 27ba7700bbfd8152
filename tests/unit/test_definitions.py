"""Normalization and comparison: what counts as a change and what does not."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils import definitions
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError

WRITTEN = {
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "0.25 vCPU",
    "memory": "0.5 GB",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "app:1",
            "command": ["serve", "--port", "8080"],
            "portMappings": [{"containerPort": 8080}, {"containerPort": 9090}],
            "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
            "secrets": [
                {"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/t"},
                {"name": "KEY", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/k"},
            ],
            "healthCheck": {"command": ["CMD", "true"]},
        }
    ],
    "tags": [{"key": "team", "value": "a"}, {"key": "env", "value": "dev"}],
}

# What ECS returns for WRITTEN: defaults filled in, lists reordered, read-only fields.
RETURNED = {
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
    "revision": 3,
    "status": "ACTIVE",
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "compatibilities": ["EC2", "FARGATE"],
    "requiresAttributes": [{"name": "ecs.capability.task-eni"}],
    "registeredAt": "2026-12-01T10:00:00Z",
    "registeredBy": "arn:aws:iam::123456789012:root",
    "cpu": "256",
    "memory": "512",
    "volumes": [],
    "placementConstraints": [],
    "containerDefinitions": [
        {
            "name": "app",
            "image": "app:1",
            "cpu": 0,
            "essential": True,
            "command": ["serve", "--port", "8080"],
            "portMappings": [
                {"containerPort": 9090, "hostPort": 9090, "protocol": "tcp"},
                {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"},
            ],
            "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            "secrets": [
                {"name": "KEY", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/k"},
                {"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/t"},
            ],
            "mountPoints": [],
            "volumesFrom": [],
            "systemControls": [],
            "healthCheck": {"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3},
        }
    ],
    "tags": [{"key": "env", "value": "dev"}, {"key": "team", "value": "a"}],
}


def normalized(definition):
    return definitions.normalize_task_definition(definition)


def test_what_ecs_fills_in_and_reorders_compares_equal():
    assert normalized(WRITTEN) == normalized(RETURNED)


@pytest.mark.parametrize(
    "change",
    [
        lambda td: td["containerDefinitions"][0]["environment"][0].update(value="changed"),
        lambda td: td["containerDefinitions"][0]["command"].reverse(),
        lambda td: td.update(cpu="512"),
        lambda td: td.update(memory="1 GB"),
        lambda td: td["containerDefinitions"][0].update(image="app:2"),
        lambda td: td["containerDefinitions"][0]["portMappings"].append({"containerPort": 7070}),
        lambda td: td["containerDefinitions"][0].update(essential=False),
        lambda td: td["tags"].append({"key": "owner", "value": "me"}),
    ],
    ids=["env value", "command order", "cpu", "memory", "image", "port", "essential", "tag"],
)
def test_a_real_change_is_a_difference(change):
    changed = copy.deepcopy(WRITTEN)
    change(changed)
    assert normalized(changed) != normalized(RETURNED)


def test_null_and_empty_equal_absent():
    written = copy.deepcopy(WRITTEN)
    written["containerDefinitions"][0].update(links=None, dockerLabels={}, ulimits=[])
    written["pidMode"] = None
    assert normalized(written) == normalized(RETURNED)


def test_bridge_mode_is_the_default_and_host_port_zero_is_dynamic():
    written = {
        "family": "x",
        "containerDefinitions": [
            {"name": "a", "image": "i", "memory": 64, "portMappings": [{"containerPort": 80}]}
        ],
    }
    returned = copy.deepcopy(written)
    returned["containerDefinitions"][0]["portMappings"][0].update(hostPort=0, protocol="tcp")
    assert normalized(written) == normalized(returned)
    returned["networkMode"] = "awsvpc"
    assert normalized(written) != normalized(returned)


def test_describe_shape_is_unwrapped_with_a_warning():
    wrapped = {"taskDefinition": copy.deepcopy(RETURNED), "tags": RETURNED["tags"]}
    del wrapped["taskDefinition"]["tags"]
    request, warnings = definitions.prepare_task_definition(wrapped, "td.json")
    assert "taskDefinitionArn" not in request and "revision" not in request
    assert request["tags"] == RETURNED["tags"]
    assert warnings and "taskDefinitionArn" in warnings[0] and "td.json" in warnings[0]


def test_task_sizes_become_unit_strings():
    request, unused_warnings = definitions.prepare_task_definition(
        copy.deepcopy(WRITTEN), "td.json"
    )
    assert (request["cpu"], request["memory"]) == ("256", "512")


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            {"family": "x", "containerDefinitions": {"name": "a"}},
            "field containerDefinitions: expected a list, got a mapping",
        ),
        ({"family": "x", "containerDefinitions": [], "colour": "red"}, "unknown field colour"),
        (
            {"family": "x", "containerDefinitions": [{"name": "a", "environment": {"A": "1"}}]},
            "field containerDefinitions[0].environment: expected a list",
        ),
        ({"containerDefinitions": []}, "missing required field family"),
        ({"family": "x", "containerDefinitions": [], "cpu": "lots"}, "field cpu"),
        (
            {"family": "x", "containerDefinition": []},
            "unknown field containerDefinition; did you mean containerDefinitions?",
        ),
        (
            {"family": "x", "containerDefinitions": [], "networkMode": "awsvpcc"},
            "field networkMode: 'awsvpcc' is not one of bridge, host, awsvpc, none; "
            "did you mean awsvpc?",
        ),
    ],
)
def test_bad_task_definition_names_file_and_field(definition, expected):
    with pytest.raises(DefinitionError) as caught:
        definitions.prepare_task_definition(definition, "services/web/td.json")
    assert str(caught.value).startswith("services/web/td.json: ")
    assert expected in str(caught.value)


def test_lower_case_allowed_value_is_refused_before_any_call():
    with pytest.raises(DefinitionError) as caught:
        definitions.prepare_service_definition(
            {
                "networkConfiguration": {
                    "awsvpcConfiguration": {"subnets": ["s"], "assignPublicIp": "disabled"}
                }
            },
            "sd.json",
        )
    assert (
        "assignPublicIp: 'disabled' is not one of ENABLED, DISABLED; did you mean DISABLED?"
        in str(caught.value)
    )


def test_bad_service_definition_names_file_and_field():
    with pytest.raises(DefinitionError) as caught:
        definitions.prepare_service_definition(
            {"networkConfiguration": {"awsvpcConfiguration": {"subnets": "subnet-1"}}}, "sd.json"
        )
    assert "sd.json" in str(caught.value)
    assert "networkConfiguration.awsvpcConfiguration.subnets: expected a list" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"family": "x",\n  "containerDefinitions": [}', "invalid JSON at line 2"),
        ("family: x\n  containerDefinitions: [\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
)
def test_unparsable_text_names_the_source(text, expected):
    with pytest.raises(DefinitionError) as caught:
        definitions.load_definition(text, "task definition", source="web/td.json.j2")
    assert "web/td.json.j2" in str(caught.value) and expected in str(caught.value)


def test_unreadable_file_names_the_path(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        definitions.load_definition(str(tmp_path / "missing.json"), "task definition")
    assert "missing.json: file not found" in str(caught.value)


def test_file_is_read_relative_to_base_dir(tmp_path):
    (tmp_path / "td.yml").write_text("family: x\ncontainerDefinitions: []\n")
    loaded, source = definitions.load_definition("td.yml", "task definition", str(tmp_path))
    assert loaded["family"] == "x" and source.endswith("td.yml")


SERVICE_WRITTEN = {
    "launchType": "FARGATE",
    "desiredCount": 2,
    "networkConfiguration": {
        "awsvpcConfiguration": {
            "subnets": ["subnet-b", "subnet-a"],
            "securityGroups": ["sg-2", "sg-1"],
        }
    },
}

SERVICE_LIVE = {
    "serviceName": "web",
    "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/default/web",
    "status": "ACTIVE",
    "launchType": "FARGATE",
    "platformVersion": "LATEST",
    "desiredCount": 2,
    "runningCount": 2,
    "schedulingStrategy": "REPLICA",
    "healthCheckGracePeriodSeconds": 0,
    "propagateTags": "NONE",
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
    "deploymentController": {"type": "ECS"},
    "deploymentConfiguration": {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 0,
    },
    "placementConstraints": [],
    "placementStrategy": [],
    "loadBalancers": [],
    "serviceRegistries": [],
    "networkConfiguration": {
        "awsvpcConfiguration": {
            "subnets": ["subnet-a", "subnet-b"],
            "securityGroups": ["sg-1", "sg-2"],
            "assignPublicIp": "DISABLED",
        }
    },
}


def service_changes(written, live=None):
    live = SERVICE_LIVE if live is None else live
    return definitions.service_changes(
        definitions.normalize_service(written), definitions.normalize_service(live)
    )


def test_service_with_only_defaults_added_has_no_changes():
    assert service_changes(SERVICE_WRITTEN) == []


def test_service_without_desired_count_leaves_the_count_alone():
    written = copy.deepcopy(SERVICE_WRITTEN)
    del written["desiredCount"]
    live = dict(SERVICE_LIVE, desiredCount=7)
    assert service_changes(written, live) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"desiredCount": 3}, "desiredCount"),
        ({"enableExecuteCommand": True}, "enableExecuteCommand"),
        (
            {
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True}
                }
            },
            "deploymentConfiguration",
        ),
        (
            {"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-c"]}}},
            "networkConfiguration",
        ),
        ({"placementConstraints": [{"type": "distinctInstance"}]}, "placementConstraints"),
    ],
)
def test_service_field_changes_are_found(change, field):
    assert service_changes(dict(SERVICE_WRITTEN, **change)) == [field]


def test_removing_the_circuit_breaker_from_the_file_turns_it_off():
    live = copy.deepcopy(SERVICE_LIVE)
    live["deploymentConfiguration"]["deploymentCircuitBreaker"] = {"enable": True, "rollback": True}
    assert service_changes(SERVICE_WRITTEN, live) == ["deploymentConfiguration"]


def test_unified_diff_shows_the_changed_line():
    before = normalized(RETURNED)
    after = copy.deepcopy(before)
    after["containerDefinitions"][0]["image"] = "app:2"
    text = definitions.unified_diff(before, after, "task definition web")
    assert '-      "image": "app:1",' in text and '+      "image": "app:2",' in text
    assert json.loads(definitions.render(after))["containerDefinitions"][0]["image"] == "app:2"


def test_values_templated_by_ansible_are_named_by_their_type():
    # Ansible hands templated values to the modules as its tagged subclasses.
    from ansible._internal._datatag._tags import TrustedAsTemplate

    cpu = TrustedAsTemplate().tag("1")
    assert type(cpu).__name__ == "_AnsibleTaggedStr"
    request = {"family": "x", "containerDefinitions": [{"name": "a", "image": "b", "cpu": cpu}]}

    with pytest.raises(DefinitionError) as caught:
        definitions.validate_request(request, "RegisterTaskDefinition", "td.json")
    with pytest.raises(DefinitionError) as given:
        definitions.load_definition(TrustedAsTemplate().tag(["a"]), "overrides")

    assert "field containerDefinitions[0].cpu: expected an integer, got a string" in str(
        caught.value
    )
    assert str(given.value) == (
        "overrides: expected a mapping, a file path or JSON/YAML text, got a list"
    )


def test_one_line_yaml_text_is_read_as_text_not_as_a_path():
    overrides, source = definitions.load_definition(
        "containerOverrides: [{name: app, command: [echo, hi]}]", "overrides"
    )

    assert overrides == {"containerOverrides": [{"name": "app", "command": ["echo", "hi"]}]}
    assert source == "overrides (given as text)"


def test_a_key_given_twice_is_refused_naming_its_lines():
    text = '{\n  "family": "web",\n  "cpu": "256",\n  "cpu": "512"\n}'
    with pytest.raises(DefinitionError) as in_json:
        definitions.parse_text(text, "td.json")
    with pytest.raises(DefinitionError) as in_yaml:
        definitions.parse_text("cluster: dev\nservice: web\ncluster: prod\n", "ecspresso.yml")

    assert str(in_json.value) == (
        "td.json: field cpu: given twice in one object (lines 3, 4); only one of the values "
        "would be used; keep the one you mean and remove the other"
    )
    assert str(in_yaml.value).startswith(
        "ecspresso.yml: invalid YAML at line 3 column 1: found the key 'cluster' twice"
    )
    # The same key in two objects is no duplicate; YAML merge keys still merge.
    assert definitions.parse_text('[{"a": 1}, {"a": 2}]', "x.json") == [{"a": 1}, {"a": 2}]
    merged = definitions.parse_text("base: &b {a: 1}\nwith: {<<: *b, c: 2}\n", "x.yml")
    assert merged["with"] == {"a": 1, "c": 2}


FARGATE_TASK = {
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [{"name": "app", "image": "nginx", "portMappings": []}],
}


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ({"containerDefinitions": []}, "field containerDefinitions: the list is empty"),
        (
            {"containerDefinitions": [{"name": "app"}]},
            "field containerDefinitions[0].image: missing",
        ),
        ({"containerDefinitions": [{"image": "x"}]}, "field containerDefinitions[0].name: missing"),
    ],
)
def test_task_definitions_ecs_refuses_fail_naming_the_field(task, message):
    with pytest.raises(DefinitionError) as caught:
        definitions.prepare_task_definition({**FARGATE_TASK, **task}, "td.json")
    assert str(caught.value).startswith(f"td.json: {message}")


@pytest.mark.parametrize(
    ("service", "message"),
    [
        ({"desiredCount": -1}, "field desiredCount: -1 is negative"),
        (
            {
                "launchType": "FARGATE",
                "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            },
            "fields launchType and capacityProviderStrategy: ECS takes one or the other",
        ),
        (
            {"launchType": "FARGATE", "placementStrategy": [{"type": "spread", "field": "x"}]},
            "field placementStrategy: Fargate places tasks itself",
        ),
        (
            {"networkConfiguration": {"awsvpcConfiguration": {"subnets": []}}},
            "field networkConfiguration.awsvpcConfiguration.subnets: empty",
        ),
    ],
)
def test_service_definitions_ecs_refuses_fail_naming_the_field(service, message):
    with pytest.raises(DefinitionError) as caught:
        definitions.prepare_service_definition(service, "sd.json")
    assert str(caught.value).startswith(f"sd.json: {message}")


def test_a_service_must_fit_its_task_definition_s_network_and_launch_type():
    sources = {"task_definition": "td.json", "service_definition": "sd.json"}
    ec2_only = {**FARGATE_TASK, "requiresCompatibilities": ["EC2"]}

    with pytest.raises(DefinitionError) as no_network:
        definitions.check_service_fits(FARGATE_TASK, {"launchType": "FARGATE"}, sources, True)
    with pytest.raises(DefinitionError) as launch_type:
        definitions.check_service_fits(ec2_only, {"launchType": "FARGATE"}, sources)

    assert str(no_network.value).startswith(
        "sd.json: field networkConfiguration: missing, and the task definition (td.json) is "
        "in awsvpc network mode"
    )
    assert str(launch_type.value).startswith(
        "sd.json: field launchType: FARGATE, and the task definition (td.json) requires EC2"
    )
    # An existing service keeps its network configuration when the file leaves it out.
    definitions.check_service_fits(FARGATE_TASK, {"launchType": "FARGATE"}, sources, False)
