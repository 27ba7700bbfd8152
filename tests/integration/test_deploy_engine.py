"""The deploy engine against the local AWS, over HTTP with real boto3 clients."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import (
    DefinitionError,
    RolloutError,
)
from tests.integration.web_service import (
    TASK_DEFINITION,
    describe,
    run,
    service_definition_default,
)


def test_first_deploy_creates_and_waits_for_completion(aws, cluster):
    result = run(aws)

    assert result["changed"] is True
    service = describe(aws)
    assert service["taskDefinition"] == result["task_definition_arn"]
    assert [d["status"] for d in service["deployments"]] == ["PRIMARY"]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert service["runningCount"] == 2
    messages = [event["message"] for event in result["events"]]
    assert any(m.startswith("registered web:1") for m in messages)
    assert any(m.startswith("deployment of web:1 COMPLETED in") for m in messages)


def test_second_deploy_changes_nothing_and_calls_nothing_that_mutates(aws, cluster):
    run(aws)
    aws.server.reset_calls()

    result = run(aws)

    assert result["changed"] is False
    assert aws.mutating_calls() == {}
    assert sum(aws.server.calls().values()) <= 2


def test_changed_image_registers_one_revision_and_rolls_it_out(aws, cluster):
    first = run(aws)
    changed = copy.deepcopy(TASK_DEFINITION)
    changed["containerDefinitions"][0]["image"] = "registry.example.com/web:2"
    aws.server.reset_calls()

    result = run(aws, task_definition=changed)

    assert result["changed"] is True
    assert result["task_definition_arn"].endswith("web:2")
    assert aws.mutating_calls() == {"ecs:RegisterTaskDefinition": 1, "ecs:UpdateService": 1}
    service = describe(aws)
    assert [d["taskDefinition"] for d in service["deployments"]] == [result["task_definition_arn"]]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert first["task_definition_arn"] != result["task_definition_arn"]


def test_desired_count_change_updates_the_service_without_a_new_revision(aws, cluster):
    run(aws)
    aws.server.reset_calls()

    result = run(aws, desired_count=4)

    assert result["changed"] is True
    assert aws.mutating_calls() == {"ecs:UpdateService": 1}
    assert describe(aws)["runningCount"] == 4


def test_check_mode_predicts_changes_and_calls_nothing_that_mutates(aws, cluster):
    aws.server.reset_calls()
    created = run(aws, check_mode=True)
    assert created["changed"] is True and aws.mutating_calls() == {}
    assert aws.client("ecs").describe_services(cluster="apps", services=["web"])["services"] == []

    run(aws)
    changed = copy.deepcopy(TASK_DEFINITION)
    changed["containerDefinitions"][0]["environment"][0]["value"] = "changed"
    aws.server.reset_calls()

    predicted = run(aws, task_definition=changed, check_mode=True)
    unchanged = run(aws, check_mode=True)

    assert predicted["changed"] is True and unchanged["changed"] is False
    assert aws.mutating_calls() == {}
    diff = "".join(entry["after"] for entry in predicted["diff"])
    assert '"value": "changed"' in diff


def test_rollout_that_does_not_complete_in_time_fails_with_the_last_events(aws, cluster):
    aws.server.rollout_seconds = 30

    with pytest.raises(RolloutError) as caught:
        run(aws, timeout="2s")

    assert caught.value.reason == "timeout"
    assert "did not complete within 2s" in str(caught.value)
    assert "Last events:" in str(caught.value) and "has started" in str(caught.value)


def test_bad_definition_fails_before_any_call(aws, cluster):
    aws.server.reset_calls()
    broken = service_definition_default()
    broken["networkConfiguration"] = [broken["networkConfiguration"]]

    with pytest.raises(DefinitionError) as caught:
        run(aws, service_definition=broken)

    assert "field networkConfiguration: expected a mapping, got a list" in str(caught.value)
    assert aws.server.calls() == {}


def test_missing_cluster_is_a_clear_error(aws):
    with pytest.raises(Exception) as caught:
        run(aws)
    assert "apps" in str(caught.value) and "ClusterNotFound" in str(caught.value)


def test_force_new_deployment_starts_one_on_the_same_revision(aws, cluster):
    first = run(aws)
    before = describe(aws)["deployments"][0]["id"]
    aws.server.reset_calls()

    result = run(aws, force_new_deployment=True)

    assert result["changed"] is True
    assert aws.mutating_calls() == {"ecs:UpdateService": 1}
    (deployment,) = describe(aws)["deployments"]
    assert deployment["id"] != before and deployment["rolloutState"] == "COMPLETED"
    assert deployment["taskDefinition"] == first["task_definition_arn"]


def test_skip_task_definition_scales_without_registering(aws, cluster):
    first = run(aws)
    changed = copy.deepcopy(TASK_DEFINITION)
    changed["containerDefinitions"][0]["image"] = "registry.example.com/web:2"
    aws.server.reset_calls()

    result = run(aws, task_definition=changed, skip_task_definition=True, desired_count=3)

    assert aws.mutating_calls() == {"ecs:UpdateService": 1}
    assert result["task_definition_arn"] == first["task_definition_arn"]
    service = describe(aws)
    assert service["taskDefinition"] == first["task_definition_arn"]
    assert service["runningCount"] == 3


def test_no_wait_returns_while_the_deployment_is_in_progress(aws, cluster):
    aws.server.rollout_seconds = 30

    result = run(aws, wait=False)

    (deployment,) = result["service"]["deployments"]
    assert deployment["rollout_state"] == "IN_PROGRESS"
    assert not any("COMPLETED" in event["message"] for event in result["events"])
