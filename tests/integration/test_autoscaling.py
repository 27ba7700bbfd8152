"""Application Auto Scaling around a deploy, against the local AWS."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.autoscaling import (
    AutoScalingOptions,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import (
    AwsCallError,
    DefinitionError,
    RolloutError,
)
from tests.integration.web_service import TASK_DEFINITION, run

SUSPENDED = {
    "DynamicScalingInSuspended": True,
    "DynamicScalingOutSuspended": True,
    "ScheduledScalingSuspended": True,
}
RESUMED = dict.fromkeys(SUSPENDED, False)


def image(tag):
    definition = copy.deepcopy(TASK_DEFINITION)
    definition["containerDefinitions"][0]["image"] = f"registry.example.com/web:{tag}"
    return definition


def scalable_target(aws):
    (target,) = aws.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=["service/apps/web"]
    )["ScalableTargets"]
    return target


@pytest.fixture
def scaled(aws, cluster):
    """Service web, deployed, with a scalable target of 1 to 4 tasks."""
    run(aws)
    aws.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/apps/web",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=4,
    )
    return "web"


def test_one_run_suspends_before_its_deploy_and_resumes_after_it(aws, scaled):
    options = AutoScalingOptions(suspend=True, resume=True, minimum=2, maximum=6)

    result = run(aws, task_definition=image(2), auto_scaling=options)

    messages = [event["message"] for event in result["events"]]
    suspended = messages.index("auto scaling: suspended")
    updated = next(i for i, m in enumerate(messages) if m.startswith("updated service web"))
    completed = next(i for i, m in enumerate(messages) if "web:2 COMPLETED" in m)
    resumed = messages.index("auto scaling: resumed, min 2, max 6")
    assert suspended < updated < completed < resumed
    target = scalable_target(aws)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 6)
    assert target["SuspendedState"] == RESUMED

    aws.server.reset_calls()
    again = run(aws, task_definition=image(2), auto_scaling=options)
    assert again["changed"] is False
    assert "application-autoscaling:RegisterScalableTarget" not in aws.server.calls()


def test_a_failed_rollout_leaves_auto_scaling_suspended(aws, scaled):
    aws.server.faults.set({"failing_tasks": [{"image": "registry.example.com/web:broken"}]})
    options = AutoScalingOptions(suspend=True, resume=True)

    with pytest.raises(RolloutError) as caught:
        run(aws, task_definition=image("broken"), auto_scaling=options)

    aws.server.faults.clear()
    assert "Auto scaling was left as it was" in str(caught.value)
    assert scalable_target(aws)["SuspendedState"] == SUSPENDED


def test_scale_only_run_resizes_without_a_deployment(aws, scaled):
    aws.server.reset_calls()

    result = run(
        aws,
        skip_task_definition=True,
        auto_scaling=AutoScalingOptions(resume=True, minimum=3, maximum=8),
    )

    assert result["changed"] is True
    assert result["auto_scaling"] == {"MinCapacity": 3, "MaxCapacity": 8}
    assert aws.mutating_calls() == {"application-autoscaling:RegisterScalableTarget": 1}
    assert (scalable_target(aws)["MinCapacity"], scalable_target(aws)["MaxCapacity"]) == (3, 8)


def test_check_mode_predicts_auto_scaling_changes_and_makes_none(aws, scaled):
    aws.server.reset_calls()

    result = run(
        aws,
        task_definition=image(2),
        check_mode=True,
        auto_scaling=AutoScalingOptions(suspend=True, maximum=9),
    )

    assert result["changed"] is True
    assert result["auto_scaling"] == {"SuspendedState": SUSPENDED, "MaxCapacity": 9}
    assert "application-autoscaling:RegisterScalableTarget" not in aws.server.calls()
    assert scalable_target(aws)["MaxCapacity"] == 4


def test_a_service_without_scalable_target_gets_a_warning(aws, cluster):
    run(aws)

    result = run(aws, auto_scaling=AutoScalingOptions(resume=True, minimum=2))

    assert result["changed"] is False
    assert any("has no Application Auto Scaling scalable target" in w for w in result["warnings"])


def test_a_minimum_above_the_maximum_is_refused_before_anything_changes():
    with pytest.raises(DefinitionError) as caught:
        AutoScalingOptions(minimum=5, maximum=2)
    assert "auto_scaling_min 5 is above auto_scaling_max 2" in str(caught.value)


def test_a_minimum_above_the_target_s_maximum_is_refused_before_registering(aws, scaled):
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        run(
            aws,
            task_definition=image(2),
            auto_scaling=AutoScalingOptions(suspend=True, resume=True, minimum=10),
        )

    assert "auto scaling minimum 10 would be above the maximum 4 of service web" in str(
        caught.value
    )
    assert aws.mutating_calls() == {}
    assert not any((scalable_target(aws).get("SuspendedState") or {}).values())


def test_a_failed_update_after_suspending_says_scaling_is_still_suspended(aws, scaled):
    # UpdateService fails (an AWS error, not a rollout) after scaling was suspended for it.
    aws.server.faults.set({"server_error_rate": 1.0, "calls": ["ecs:UpdateService"]})

    with pytest.raises(AwsCallError) as caught:
        run(
            aws,
            task_definition=image(2),
            auto_scaling=AutoScalingOptions(suspend=True, resume=True),
            max_attempts=2,
        )

    aws.server.faults.clear()
    assert "Auto scaling was suspended before the failure and is still suspended" in str(
        caught.value
    )
    assert scalable_target(aws)["SuspendedState"] == SUSPENDED
