"""One-off tasks with the run engine, against the local AWS's task runs and CloudWatch Logs.

A task's output and exit code follow from its command (tests/localaws/README.md): ``echo``
prints a line to the container's awslogs stream, ``sleep`` runs longer, ``exit`` ends it.
"""

from __future__ import annotations

import copy
import threading
import time

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import AwsSession
from ansible_collections.ecsops.ecspresso.plugins.module_utils.config import resolve_run
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import (
    DefinitionError,
    EcspressoError,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress
from ansible_collections.ecsops.ecspresso.plugins.module_utils.run import (
    RunError,
    RunOptions,
    run_task,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.runs import (
    RUN_ARGUMENT_SPEC,
    run_run,
)
from tests.integration.web_service import TASK_DEFINITION, run, service_definition_default

LOG_GROUP = "/ecs/apps/web"


@pytest.fixture
def logs(aws, cluster):
    """The web task definition's log group."""
    aws.client("logs").create_log_group(logGroupName=LOG_GROUP)
    return LOG_GROUP


def logged_task_definition():
    definition = copy.deepcopy(TASK_DEFINITION)
    definition["containerDefinitions"][0]["logConfiguration"] = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": LOG_GROUP,
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "web",
        },
    }
    return definition


def command(script, **environment):
    override = {"name": "app", "command": ["sh", "-c", script]}
    if environment:
        override["environment"] = [{"name": k, "value": v} for k, v in environment.items()]
    return {"containerOverrides": [override]}


def run_web(aws, script=None, check_mode=False, timeout="60", max_attempts=None, **options):
    """Run web's task definition with the service definition's network; the result has the
    events, or the RunError raised carries them in ``events``."""
    target, settings, _warnings = resolve_run(
        {
            "cluster": "apps",
            "service": "web",
            "task_definition": logged_task_definition(),
            "service_definition": service_definition_default(),
            "timeout": timeout,
        }
    )
    if script is not None:
        options.setdefault("overrides", command(script))
    progress = Progress()
    session = AwsSession(**aws.options, max_attempts=max_attempts)
    try:
        result = run_task(
            session,
            target,
            RunOptions(timeout=settings["timeout"], **options),
            progress,
            check_mode,
        )
    except RunError as exc:
        exc.details["events"] = progress.events
        raise
    result["events"] = progress.events
    return result


def test_a_task_that_succeeds_returns_exit_code_0_and_its_log_lines(aws, logs):
    result = run_web(aws, "echo migrating; echo applied 3 migrations")

    assert result["exit_code"] == 0
    assert result["log_lines"] == ["migrating", "applied 3 migrations"]
    (task,) = result["tasks"]
    assert task["last_status"] == "STOPPED"
    assert task["stop_code"] == "EssentialContainerExited"
    shown = [e["message"] for e in result["events"] if "| " in e["message"]]
    assert shown == [
        f"app {task['task_id'][:8]}| migrating",
        f"app {task['task_id'][:8]}| applied 3 migrations",
    ]
    assert result["task_definition_arn"].endswith("web:1")


def test_a_non_zero_exit_fails_with_the_exit_code_and_the_last_lines(aws, logs):
    with pytest.raises(RunError) as caught:
        run_web(aws, "echo migrating; echo 'relation users does not exist'; exit 3")

    error = caught.value
    assert error.reason == "failed"
    assert error.details["exit_code"] == 3
    assert "container app exited with code 3" in str(error)
    assert "Last lines of app in task" in str(error)
    assert "migrating | relation users does not exist" in str(error)
    assert error.details["log_lines"] == ["migrating", "relation users does not exist"]


def test_count_3_watches_every_task_and_names_the_one_that_failed(aws, logs):
    ecs = aws.client("ecs")
    stopped = []

    def stop_one():
        # Stop one of the three while they run: its container exits 143.
        for _attempt in range(100):
            arns = ecs.list_tasks(cluster="apps", startedBy="batch")["taskArns"]
            running = (
                [
                    t
                    for t in ecs.describe_tasks(cluster="apps", tasks=arns)["tasks"]
                    if t["lastStatus"] == "RUNNING"
                ]
                if arns
                else []
            )
            if len(running) == 3:
                ecs.stop_task(cluster="apps", task=running[0]["taskArn"], reason="test")
                stopped.append(running[0]["taskArn"].rsplit("/", 1)[-1])
                return
            time.sleep(0.1)

    stopper = threading.Thread(target=stop_one)
    stopper.start()
    try:
        with pytest.raises(RunError) as caught:
            run_web(aws, "echo working; sleep 3; echo finished", count=3, started_by="batch")
    finally:
        stopper.join()

    (failed_id,) = stopped
    error = caught.value
    assert f"task {failed_id}: container app exited with code 143" in str(error)
    tasks = {task["task_id"]: task for task in error.details["tasks"]}
    assert len(tasks) == 3
    assert tasks[failed_id]["exit_code"] == 143
    others = [task for task_id, task in tasks.items() if task_id != failed_id]
    assert [task["exit_code"] for task in others] == [0, 0]
    assert all(task["log_lines"] == ["working", "finished"] for task in others)


def test_a_timeout_stops_the_tasks(aws, logs):
    with pytest.raises(RunError) as caught:
        run_web(aws, "echo started; sleep 30", timeout="2s")

    error = caught.value
    assert error.reason == "timeout"
    assert "did not stop within 2s" in str(error) and "they were stopped" in str(error)
    (arn,) = error.details["stopped_tasks"]
    (task,) = aws.client("ecs").describe_tasks(cluster="apps", tasks=[arn])["tasks"]
    assert task["desiredStatus"] == "STOPPED"
    assert task["stopCode"] == "UserInitiated"
    assert "timed out" in task["stoppedReason"]


def test_overrides_reach_the_task(aws, logs):
    overrides = command("echo mode=$MODE", MODE="dry-run")

    result = run_web(aws, overrides=overrides)

    assert result["log_lines"] == ["mode=dry-run"]
    (task,) = aws.client("ecs").describe_tasks(
        cluster="apps", tasks=[result["tasks"][0]["task_arn"]]
    )["tasks"]
    (container,) = task["overrides"]["containerOverrides"]
    assert container["command"] == ["sh", "-c", "echo mode=$MODE"]
    assert container["environment"] == [{"name": "MODE", "value": "dry-run"}]
    assert task["group"] == "family:web"


def test_the_service_network_and_launch_type_are_used(aws, logs):
    result = run_web(aws, "echo ok")

    (task,) = aws.client("ecs").describe_tasks(
        cluster="apps", tasks=[result["tasks"][0]["task_arn"]]
    )["tasks"]
    assert task["launchType"] == "FARGATE"
    subnet = next(
        d["value"] for a in task["attachments"] for d in a["details"] if d["name"] == "subnetId"
    )
    network = service_definition_default()["networkConfiguration"]["awsvpcConfiguration"]
    assert subnet in network["subnets"]


def test_a_task_that_cannot_start_fails_with_its_stop_reason(aws, cluster):
    # No log group: the awslogs driver cannot create the stream.
    with pytest.raises(RunError) as caught:
        run_web(aws, "echo never")

    assert "failed to start: TaskFailedToStart: ResourceInitializationError" in str(caught.value)


def test_skip_runs_the_revision_the_service_runs(aws, logs):
    deployed = run(aws, task_definition=logged_task_definition())
    changed = logged_task_definition()
    changed["containerDefinitions"][0]["image"] = "registry.example.com/web:2"
    aws.server.reset_calls()

    result = run_web(aws, "echo ok", revision="skip")

    assert result["task_definition_arn"] == deployed["task_definition_arn"]
    assert "ecs:RegisterTaskDefinition" not in aws.mutating_calls()


def test_check_mode_runs_nothing_and_says_what_would_run(aws, logs):
    aws.server.reset_calls()

    result = run_web(aws, "echo ok", check_mode=True, count=2)

    assert aws.mutating_calls() == {}
    assert "ecs:RunTask" not in aws.server.calls()
    assert result["run_request"]["count"] == 2
    assert result["run_request"]["launchType"] == "FARGATE"
    assert result["tasks"] == []


def test_a_bad_override_fails_before_anything_runs(aws, logs):
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        run_web(aws, overrides={"containerOverrides": [{"name": "app", "comand": ["x"]}]})

    assert "comand" in str(caught.value) and "did you mean command" in str(caught.value)
    assert aws.mutating_calls() == {}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"watch_container": "nosuch"}, "watch_container"),
        ({"overrides": {"containerOverrides": [{"name": "nosuch"}]}}, "containerOverrides[0].name"),
    ],
)
def test_a_container_the_task_definition_lacks_fails_before_registering(aws, logs, options, field):
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        run_web(aws, **options)

    assert f"{field}" in str(caught.value) and "'nosuch' is not a container" in str(caught.value)
    assert "give one of app" in str(caught.value)
    assert aws.mutating_calls() == {}


def test_a_failure_after_registering_reports_the_change(aws, logs):
    aws.server.faults.set({"server_error_rate": 1.0, "calls": ["ecs:RunTask"]})

    with pytest.raises(EcspressoError) as caught:
        run_web(aws, "echo hi", max_attempts=2)

    aws.server.faults.clear()
    assert caught.value.details["changed"] is True
    assert "ecs:RegisterTaskDefinition" in aws.mutating_calls()


def test_log_lines_below_one_are_refused_before_anything_runs(aws, logs):
    params = {name: spec.get("default") for name, spec in RUN_ARGUMENT_SPEC.items()}
    params.update(aws.options)
    params.update(
        cluster="apps", service="web", task_definition=logged_task_definition(), log_lines=0
    )
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        run_run(params, check_mode=False, diff=False, progress=Progress())

    assert str(caught.value).startswith("module options: field log_lines: 0 is below 1")
    assert aws.mutating_calls() == {}
