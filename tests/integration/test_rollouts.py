"""How rollouts end: failures, rollbacks, deployments in progress, throttling.

Faults (failing tasks, slow rollouts, throttling) are switched on in the local AWS, which
then behaves as ECS does: failing tasks trip the circuit breaker, a rollback puts the old
deployment back, and so on. Every test ends with the service in a state a user can check.
"""

from __future__ import annotations

import copy
import threading
import time

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import AwsSession
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import (
    DefinitionError,
    EcspressoError,
    RolloutError,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress
from ansible_collections.ecsops.ecspresso.plugins.module_utils.rollback import (
    RollbackOptions,
    rollback,
)
from tests.integration.web_service import (
    TASK_DEFINITION,
    describe,
    run,
    service_definition_default,
)

BROKEN_IMAGE = "registry.example.com/web:broken"


def task_definition(image):
    changed = copy.deepcopy(TASK_DEFINITION)
    changed["containerDefinitions"][0]["image"] = image
    return changed


def service_definition(enable, rollback):
    definition = service_definition_default()
    definition["deploymentConfiguration"] = {
        "deploymentCircuitBreaker": {"enable": enable, "rollback": rollback}
    }
    return definition


def task_definition_status(aws, arn):
    return aws.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"][
        "status"
    ]


def deploy_broken(aws, service, **options):
    """Deploy web:1, then the broken image, which fails; return (first result, error)."""
    first = run(aws, service_definition=service)
    aws.server.faults.set({"failing_tasks": [{"image": BROKEN_IMAGE}]})
    with pytest.raises(RolloutError) as caught:
        run(
            aws,
            task_definition=task_definition(BROKEN_IMAGE),
            service_definition=service,
            **options,
        )
    return first, caught.value


def assert_runs(aws, arn):
    """The service runs ``arn`` alone, its deployment COMPLETED."""
    service = describe(aws)
    assert service["taskDefinition"] == arn
    assert [(d["status"], d["taskDefinition"]) for d in service["deployments"]] == [
        ("PRIMARY", arn)
    ]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"


def assert_rerun_converges(aws, service):
    """A run with a fixed image deploys it; the run after it changes nothing."""
    fixed = run(
        aws,
        task_definition=task_definition("registry.example.com/web:3"),
        service_definition=service,
    )
    assert fixed["changed"] is True
    assert_runs(aws, fixed["task_definition_arn"])
    aws.server.reset_calls()
    again = run(
        aws,
        task_definition=task_definition("registry.example.com/web:3"),
        service_definition=service,
    )
    assert again["changed"] is False
    assert aws.mutating_calls() == {}


def test_circuit_breaker_rollback_fails_the_deploy_and_the_old_revision_runs(aws, cluster):
    service = service_definition(enable=True, rollback=True)
    run(
        aws,
        task_definition=task_definition("registry.example.com/web:0"),
        service_definition=service,
    )

    first, error = deploy_broken(aws, service)

    assert error.reason == "rolled_back"
    assert error.details["rolled_back"] is True
    assert error.details["running_task_definition"] == first["task_definition_arn"]
    assert "the deployment of web:3 was rolled back; the service runs web:2" in str(error)
    # Only the failed deployment's tasks explain the failure, not the earlier ones that
    # its first deployment replaced.
    stopped = error.details["stopped_tasks"]
    assert any("TaskFailedToStart" in line for line in stopped)
    ids = [line.split()[1] for line in stopped]
    tasks = aws.client("ecs").describe_tasks(cluster="apps", tasks=ids)["tasks"]
    assert {task["taskDefinitionArn"] for task in tasks} == {error.details["task_definition_arn"]}
    assert_runs(aws, first["task_definition_arn"])
    aws.server.faults.clear()
    assert_rerun_converges(aws, service)


def test_circuit_breaker_without_rollback_is_a_failed_deployment(aws, cluster):
    service = service_definition(enable=True, rollback=False)

    _first, error = deploy_broken(aws, service)

    assert error.reason == "failed"
    assert "circuit breaker" in str(error)
    assert error.details["rolled_back"] is False
    assert "CannotPullContainerError" in str(error)
    aws.server.faults.clear()
    assert_rerun_converges(aws, service)


def test_rollback_on_failure_without_circuit_breaker_puts_the_old_revision_back(aws, cluster):
    service = service_definition(enable=False, rollback=False)

    first, error = deploy_broken(aws, service, rollback_on_failure=True, deregister_failed=True)

    assert error.reason == "tasks_failing"
    assert "no circuit breaker" in str(error)
    assert "TaskFailedToStart" in str(error) and "CannotPullContainerError" in str(error)
    assert error.details["rolled_back"] is True
    assert error.details["running_task_definition"] == first["task_definition_arn"]
    failed_arn = error.details["task_definition_arn"]
    assert error.details["deregistered"] == [failed_arn]
    assert task_definition_status(aws, failed_arn) == "INACTIVE"
    assert_runs(aws, first["task_definition_arn"])
    aws.server.faults.clear()
    assert_rerun_converges(aws, service)


def test_failing_tasks_without_rollback_leave_the_failure_visible(aws, cluster):
    service = service_definition(enable=False, rollback=False)

    _first, error = deploy_broken(aws, service)

    assert error.reason == "tasks_failing"
    assert error.details["rolled_back"] is False
    # The broken deployment is still there; the next run replaces it without waiting.
    aws.server.faults.clear()
    assert_rerun_converges(aws, service)


def test_timeout_fails_with_the_last_events_and_a_rerun_converges(aws, cluster):
    run(aws)
    # Slower than the timeout, but not by much: the rerun waits for it to end first.
    slow = {"image": "registry.example.com/web:2", "rollout_seconds": 5}
    aws.server.faults.set({"slow_rollouts": [slow]})

    with pytest.raises(RolloutError) as caught:
        run(aws, task_definition=task_definition("registry.example.com/web:2"), timeout="2s")

    assert caught.value.reason == "timeout"
    assert "did not complete within 2s" in str(caught.value)
    assert "Last events:" in str(caught.value) and "has started" in str(caught.value)
    aws.server.faults.clear()
    assert_rerun_converges(aws, service_definition_default())


def test_throttled_calls_are_retried_until_the_deploy_succeeds(aws, cluster):
    aws.server.faults.set({"throttle_rate": 0.3, "seed": 3})

    result = run(aws, task_definition=task_definition("registry.example.com/web:2"))

    aws.server.faults.clear()
    assert result["changed"] is True
    assert_runs(aws, result["task_definition_arn"])


# --- deployments in progress ------------------------------------------------------------


def test_fail_if_in_progress_fails_before_changing_anything(aws, cluster):
    aws.server.rollout_seconds = 30
    run(aws, wait=False)
    aws.server.reset_calls()

    with pytest.raises(RolloutError) as caught:
        run(
            aws,
            task_definition=task_definition("registry.example.com/web:2"),
            fail_if_in_progress=True,
        )

    assert caught.value.reason == "in_progress"
    assert "is in progress; nothing was changed" in str(caught.value)
    assert aws.mutating_calls() == {}


def test_a_deployment_in_progress_is_waited_for_before_deploying(aws, cluster):
    aws.server.rollout_seconds = 1.5
    first = run(aws, wait=False)

    result = run(aws, task_definition=task_definition("registry.example.com/web:2"))

    messages = [event["message"] for event in result["events"]]
    waiting = next(i for i, m in enumerate(messages) if "waiting for it to end first" in m)
    first_done = messages.index("PRIMARY web:1 2/2 running")
    registered = next(i for i, m in enumerate(messages) if m.startswith("registered web:2"))
    assert waiting < first_done < registered
    assert first["task_definition_arn"].endswith("web:1")
    assert_runs(aws, result["task_definition_arn"])


def test_wait_until_stable_waits_for_one_deployment_with_all_its_tasks(aws, cluster):
    result = run(aws, wait_until="stable")

    service = describe(aws)
    (deployment,) = service["deployments"]
    assert deployment["runningCount"] == deployment["desiredCount"] == 2
    assert any(" stable in " in event["message"] for event in result["events"])


# --- ecspresso_rollback ------------------------------------------------------------------


def roll_back(aws, check_mode=False, **options):
    progress = Progress()
    session = AwsSession(**aws.options)
    result = rollback(
        session, "apps", "web", RollbackOptions(timeout=60.0, **options), progress, check_mode
    )
    result["events"] = progress.events
    return result


def test_rollback_runs_the_previous_revision_and_deregisters_the_current(aws, cluster):
    first = run(aws)
    second = run(aws, task_definition=task_definition("registry.example.com/web:2"))

    result = roll_back(aws)

    assert result["changed"] is True
    assert result["task_definition_arn"] == first["task_definition_arn"]
    assert result["rolled_back_from"] == second["task_definition_arn"]
    assert result["deregistered"] == [second["task_definition_arn"]]
    assert_runs(aws, first["task_definition_arn"])
    assert task_definition_status(aws, second["task_definition_arn"]) == "INACTIVE"


def test_rollback_skips_inactive_revisions_and_takes_a_given_one(aws, cluster):
    first = run(aws)
    second = run(aws, task_definition=task_definition("registry.example.com/web:2"))
    third = run(aws, task_definition=task_definition("registry.example.com/web:3"))
    aws.client("ecs").deregister_task_definition(taskDefinition=second["task_definition_arn"])

    result = roll_back(aws, deregister=False)

    assert result["task_definition_arn"] == first["task_definition_arn"]
    assert task_definition_status(aws, third["task_definition_arn"]) == "ACTIVE"
    back = roll_back(aws, revision="3", deregister=False)
    assert back["task_definition_arn"] == third["task_definition_arn"]
    assert_runs(aws, third["task_definition_arn"])


def test_rollback_in_check_mode_says_what_it_would_do_and_changes_nothing(aws, cluster):
    first = run(aws)
    second = run(aws, task_definition=task_definition("registry.example.com/web:2"))
    aws.server.reset_calls()

    result = roll_back(aws, check_mode=True)

    assert result["changed"] is True
    assert result["task_definition_arn"] == first["task_definition_arn"]
    assert '"taskDefinition": "' in result["diff"][0]["before"]
    assert aws.mutating_calls() == {}
    assert describe(aws)["taskDefinition"] == second["task_definition_arn"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"wait": False}, "deregister_task_definition needs wait"),
        ({"revision": "9"}, "revision 9: task definition web:9 does not exist"),
        ({"revision": "2"}, "revision 2: service web already runs web:2"),
        ({"revision": "other:1"}, "other:1 is not a revision of web, the family service web"),
    ],
)
def test_rollback_refuses_bad_requests_before_any_change(aws, cluster, options, message):
    run(aws)
    run(aws, task_definition=task_definition("registry.example.com/web:2"))
    other = copy.deepcopy(TASK_DEFINITION)
    other["family"] = "other"
    aws.client("ecs").register_task_definition(**other)
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        roll_back(aws, **options)

    assert message in str(caught.value)
    assert aws.mutating_calls() == {}


def test_rollback_without_an_earlier_revision_is_a_clear_error(aws, cluster):
    run(aws)

    with pytest.raises(EcspressoError) as caught:
        roll_back(aws)

    assert str(caught.value).startswith("web has no ACTIVE revision before 1 to roll back to")


def test_rollback_on_failure_goes_back_to_what_served_not_to_a_failed_revision(aws, cluster):
    service = service_definition(enable=True, rollback=False)
    first, failed = deploy_broken(aws, service)
    assert failed.reason == "failed"
    aws.server.faults.set({"failing_tasks": [{"image": BROKEN_IMAGE + "*"}]})

    with pytest.raises(RolloutError) as caught:
        run(
            aws,
            task_definition=task_definition(BROKEN_IMAGE + "-again"),
            service_definition=service,
            rollback_on_failure=True,
        )

    # web:2 failed before and is still PRIMARY (FAILED); web:1 is what serves.
    assert caught.value.details["rolled_back"] is True
    assert caught.value.details["running_task_definition"] == first["task_definition_arn"]
    assert_runs(aws, first["task_definition_arn"])


def test_a_deployment_replaced_by_another_run_is_not_taken_for_a_rollback(aws, cluster):
    run(aws)
    aws.server.rollout_seconds = 3
    ecs = aws.client("ecs")
    other = ecs.register_task_definition(**task_definition("registry.example.com/web:other"))
    newer = other["taskDefinition"]["taskDefinitionArn"]

    before = ecs.describe_services(cluster="apps", services=["web"])["services"][0]

    def another_run():
        # Once this run's update is in (its rollout takes 3 s), another run replaces it.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            live = ecs.describe_services(cluster="apps", services=["web"])["services"][0]
            if live["taskDefinition"] not in (before["taskDefinition"], newer):
                break
            time.sleep(0.05)
        ecs.update_service(cluster="apps", service="web", taskDefinition=newer)

    racer = threading.Thread(target=another_run)
    racer.start()
    try:
        with pytest.raises(RolloutError) as caught:
            run(
                aws,
                task_definition=task_definition("registry.example.com/web:2"),
                rollback_on_failure=True,
                deregister_failed=True,
            )
    finally:
        racer.join()

    error = caught.value
    assert error.reason == "superseded"
    assert f"another deployment, of {newer.rsplit('/', 1)[-1]}, replaced" in str(error)
    assert error.details["rolled_back"] is False and "deregistered" not in error.details
    assert task_definition_status(aws, error.details["task_definition_arn"]) == "ACTIVE"


def test_an_error_after_a_change_still_reports_the_change(aws, cluster):
    run(aws)
    aws.server.faults.set({"server_error_rate": 1.0, "calls": ["ecs:UpdateService"]})
    aws.server.reset_calls()

    with pytest.raises(EcspressoError) as caught:
        run(aws, task_definition=task_definition("registry.example.com/web:2"), max_attempts=2)

    aws.server.faults.clear()
    assert caught.value.details["changed"] is True
    assert caught.value.details["task_definition_arn"].endswith("web:2")
    assert "(after 2 attempts)" in str(caught.value)
    # max_attempts counts every try, the first included.
    assert aws.server.calls()["ecs:UpdateService"] == 2


def test_a_failed_call_that_changed_nothing_reports_no_change(aws, cluster):
    run(aws)
    # The only change would be a new revision, and registering it fails.
    aws.server.faults.set({"server_error_rate": 1.0, "calls": ["ecs:RegisterTaskDefinition"]})

    with pytest.raises(EcspressoError) as caught:
        run(aws, task_definition=task_definition("registry.example.com/web:2"), max_attempts=2)

    aws.server.faults.clear()
    assert caught.value.details["changed"] is False
    assert caught.value.details["task_definition_arn"] is None
