# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One-off tasks: run a task definition, follow its tasks and their logs until they stop.

The network configuration, launch type, capacity provider strategy, platform version,
placement and execute-command setting come from the service definition (or, without
one, from the running service), so that a migration runs where the service runs.
"""

from __future__ import annotations

import time

from . import definitions
from .aws import call, short_arn
from .deploy import describe_task_definition, ensure_task_definition
from .errors import AwsCallError, DefinitionError, EcspressoError
from .logs import awslogs_streams
from .wait import BACKOFF, FIRST_POLL_SECONDS, Deadline, describe_service

MAX_POLL_SECONDS = 5.0
WAIT_UNTIL = ("stopped", "running")
LOG_LINES_IN_ERRORS = 10

# What RunTask takes from the service, as the service definition names it.
SERVICE_FIELDS = (
    "launchType",
    "capacityProviderStrategy",
    "platformVersion",
    "networkConfiguration",
    "placementConstraints",
    "placementStrategy",
    "enableExecuteCommand",
)


class RunError(EcspressoError):
    """A one-off task failed: it exited non-zero, did not start, or timed out."""

    def __init__(self, message, reason, **details):
        super().__init__(message, reason=reason, **details)
        self.reason = reason


class RunOptions:
    """The options of ``ecspresso_run`` that are not the task definition or the service."""

    def __init__(
        self,
        revision=None,
        overrides=None,
        count=1,
        tags=None,
        propagate_tags=None,
        started_by=None,
        client_token=None,
        group=None,
        wait=True,
        wait_until="stopped",
        timeout=600.0,
        watch_container=None,
        log_lines=20,
        stop_on_timeout=True,
    ):
        self.revision = revision
        self.overrides = overrides
        self.count = count
        self.tags = tags
        self.propagate_tags = propagate_tags
        self.started_by = started_by
        self.client_token = client_token
        self.group = group
        self.wait = wait
        self.wait_until = wait_until
        self.timeout = timeout
        self.watch_container = watch_container
        self.log_lines = log_lines
        self.stop_on_timeout = stop_on_timeout


def run_task(session, target, options, progress, check_mode=False):
    """Run the tasks and (with ``wait``) follow them; return the result as a dict."""
    deadline = Deadline(options.timeout)
    ecs = session.client("ecs")
    label = target.service or (target.task_definition or {}).get("family") or "run"
    live = None
    if target.service:
        live = describe_service(ecs, target.cluster, target.service)
        if live is not None and live.get("status") != "ACTIVE":
            live = None

    result = {"changed": False, "diff": [], "warnings": []}
    # Checked before anything is registered: the request is whole but for the revision,
    # and, for a revision to register, the containers that the watch and the overrides
    # name are in it.
    definitions.validate_request(
        _request(target, options, live, "to-be-resolved"),
        "RunTask",
        target.sources.get("overrides") or "module options",
    )
    if options.revision in (None, "") and target.task_definition is not None:
        _watched_container(target.task_definition, options.watch_container, target)
        _check_override_containers(target.task_definition, options.overrides, target)
    try:
        return _run(
            ecs, session, target, options, live, label, deadline, progress, check_mode, result
        )
    except EcspressoError as exc:
        # A revision registered before the failure is a change; a failed call is none.
        exc.details.setdefault("changed", result["changed"] and not check_mode)
        raise


def _run(ecs, session, target, options, live, label, deadline, progress, check_mode, result):
    arn, task_definition = _task_definition(
        ecs, target, options, live, label, progress, check_mode, result
    )
    request = _request(target, options, live, arn)
    watched = _watched_container(task_definition, options.watch_container, target)
    _check_override_containers(task_definition, options.overrides, target)
    result.update(task_definition_arn=arn, watch_container=watched)
    if check_mode:
        result["changed"] = True
        progress.emit(label, f"would run {options.count} task(s) of {short_arn(arn)}")
        result.update(run_request=request, tasks=[])
        return result

    response = call(
        f"run task {short_arn(arn)} in cluster {target.cluster}", ecs.run_task, **request
    )
    result["changed"] = True
    failures = response.get("failures") or []
    tasks = response.get("tasks") or []
    if failures:
        _stop(ecs, target.cluster, [t["taskArn"] for t in tasks], "other tasks failed to start")
        raise AwsCallError(
            f"Failed to run task {short_arn(arn)}: "
            + "; ".join(
                f"{f.get('arn', '')} {f.get('reason')} {f.get('detail', '')}".strip()
                for f in failures
            )
        )
    watches = [_TaskWatch(session, task, task_definition, options.log_lines) for task in tasks]
    progress.emit(
        label,
        f"started {len(watches)} task(s) of {short_arn(arn)}: "
        + ", ".join(w.task_id for w in watches),
    )
    if options.wait:
        _follow(ecs, target.cluster, watches, options, deadline, label, progress)
    result["tasks"] = [w.summary(watched) for w in watches]
    if options.wait:
        _check_outcome(watches, watched, options, result)
    first = result["tasks"][0] if result["tasks"] else {}
    result["exit_code"] = first.get("exit_code")
    result["log_lines"] = first.get("log_lines", [])
    return result


def _task_definition(ecs, target, options, live, label, progress, check_mode, result):
    """The ARN to run and its description (containers, logging)."""
    revision = options.revision
    if revision in (None, ""):
        if target.task_definition is None:
            raise DefinitionError(
                "module options",
                "no task definition to run",
                "give task_definition (or a config file with one), or revision: latest, "
                "skip or a revision number",
                field="task_definition",
            )
        arn = ensure_task_definition(ecs, target, live, progress, check_mode, result)
        if check_mode and arn.endswith("(new revision)"):
            return arn, target.task_definition
        return arn, describe_task_definition(ecs, arn)

    revision = str(revision)
    if revision == "skip":
        if live is None:
            raise DefinitionError(
                "module options",
                f"revision skip runs the task definition of service {target.service}, "
                f"which does not exist in cluster {target.cluster}",
                "give the service that runs the task definition, or another revision",
                field="revision",
            )
        reference = live["taskDefinition"]
    else:
        family = (target.task_definition or {}).get("family")
        if family is None and live is not None:
            family = short_arn(live["taskDefinition"]).rpartition(":")[0]
        if (revision == "latest" or revision.isdigit()) and not family:
            raise DefinitionError(
                "module options",
                f"revision {revision} needs the task definition family",
                "give task_definition or service, or a revision as family:number or an ARN",
                field="revision",
            )
        reference = family if revision == "latest" else revision
        if revision.isdigit():
            reference = f"{family}:{revision}"
    found = describe_task_definition(ecs, reference)
    if found is None:
        raise DefinitionError(
            "module options",
            f"revision {revision}: task definition {reference} does not exist",
            "give a registered revision",
            field="revision",
        )
    progress.emit(label, f"running {short_arn(found['taskDefinitionArn'])} ({revision})")
    return found["taskDefinitionArn"], found


def _request(target, options, live, arn):
    """The RunTask request: the service's placement and network, then the options."""
    source = target.service_definition or _service_settings(live) or {}
    request = {key: source[key] for key in SERVICE_FIELDS if key in source}
    if request.get("capacityProviderStrategy"):
        request.pop("launchType", None)
    request.update(cluster=target.cluster, taskDefinition=arn, count=options.count)
    optional = {
        "overrides": options.overrides,
        "propagateTags": options.propagate_tags,
        "startedBy": options.started_by,
        "clientToken": options.client_token,
        "group": options.group,
        "tags": _tags(options.tags),
    }
    request.update({key: value for key, value in optional.items() if value})
    return request


def _service_settings(live):
    """What RunTask takes from a running service, when no service definition is given."""
    if live is None:
        return None
    settings = {key: live[key] for key in SERVICE_FIELDS if key in live}
    if settings.get("platformVersion") == "LATEST":
        settings.pop("platformVersion")
    return settings


def _tags(tags):
    if isinstance(tags, dict):
        return [{"key": str(key), "value": str(value)} for key, value in tags.items()]
    return tags


def _check_override_containers(task_definition, overrides, target):
    """Refuse container overrides for containers the task definition lacks (ECS would
    refuse the RunTask call, after the revision was registered)."""
    names = [c.get("name") for c in task_definition.get("containerDefinitions", [])]
    for index, override in enumerate((overrides or {}).get("containerOverrides") or []):
        name = override.get("name") if isinstance(override, dict) else None
        if name is not None and name not in names:
            raise DefinitionError(
                target.sources.get("overrides") or "module options",
                f"field containerOverrides[{index}].name: {name!r} is not a container of the "
                "task definition",
                f"give one of {', '.join(map(str, names))}",
                field=f"containerOverrides[{index}].name",
            )


def _watched_container(task_definition, wanted, target):
    containers = task_definition.get("containerDefinitions", [])
    names = [c.get("name") for c in containers]
    if wanted:
        if wanted not in names:
            raise DefinitionError(
                target.sources.get("task_definition") or "module options",
                f"watch_container {wanted!r} is not a container of the task definition",
                f"give one of {', '.join(map(str, names))}",
                field="watch_container",
            )
        return wanted
    for container in containers:
        if container.get("essential", True):
            return container.get("name")
    return names[0] if names else None


class _TaskWatch:
    """One running task: its last description and its containers' log streams."""

    def __init__(self, session, task, task_definition, log_lines):
        self.arn = task["taskArn"]
        self.task_id = self.arn.rsplit("/", 1)[-1]
        self.task = task
        self.status = None
        self.streams = awslogs_streams(session, task_definition, self.task_id, log_lines)

    def summary(self, watched):
        containers = []
        for container in self.task.get("containers", []):
            stream = self.streams.get(container.get("name"))
            containers.append(
                {
                    "name": container.get("name"),
                    "last_status": container.get("lastStatus"),
                    "exit_code": container.get("exitCode"),
                    "reason": container.get("reason"),
                    "log_lines": list(stream.tail) if stream else [],
                }
            )
        mine = next((c for c in containers if c["name"] == watched), {})
        return {
            "task_arn": self.arn,
            "task_id": self.task_id,
            "last_status": self.task.get("lastStatus"),
            "stop_code": self.task.get("stopCode"),
            "stopped_reason": self.task.get("stoppedReason"),
            "exit_code": mine.get("exit_code"),
            "log_lines": mine.get("log_lines", []),
            "containers": containers,
        }


def _follow(ecs, cluster, watches, options, deadline, label, progress, sleep=time.sleep):
    """Poll the tasks and their logs with backoff until they reach ``wait_until``."""
    interval = FIRST_POLL_SECONDS
    while True:
        described = call(
            f"describe tasks in cluster {cluster}",
            ecs.describe_tasks,
            cluster=cluster,
            tasks=[w.arn for w in watches],
        )
        by_arn = {task["taskArn"]: task for task in described.get("tasks", [])}
        for watch in watches:
            watch.task = by_arn.get(watch.arn, watch.task)
            status = watch.task.get("lastStatus")
            if status != watch.status:
                watch.status = status
                progress.emit(label, f"task {watch.task_id} {status}")
            _emit_logs(watch, label, progress)
        statuses = {w.status for w in watches}
        if statuses == {"STOPPED"} or (
            options.wait_until == "running" and statuses <= {"RUNNING", "STOPPED"}
        ):
            if "STOPPED" in statuses:
                # The last lines can reach CloudWatch after the task has stopped.
                for watch in watches:
                    _emit_logs(watch, label, progress)
            return
        remaining = deadline.remaining()
        if remaining <= 0:
            _timed_out(ecs, cluster, watches, options, deadline, label, progress)
        sleep(min(interval, remaining))
        interval = min(interval * BACKOFF, MAX_POLL_SECONDS)


def _emit_logs(watch, label, progress):
    for container, stream in watch.streams.items():
        for line in stream.read():
            progress.emit(label, f"{container} {watch.task_id[:8]}| {line}")


def _timed_out(ecs, cluster, watches, options, deadline, label, progress):
    running = [w for w in watches if w.status != "STOPPED"]
    stopped = []
    if options.stop_on_timeout:
        stopped = _stop(
            ecs,
            cluster,
            [w.arn for w in running],
            f"ecspresso_run timed out after {deadline.seconds:.0f}s",
        )
        for watch in running:
            progress.emit(label, f"stopped task {watch.task_id}: timed out")
    lines = _last_lines(running)
    raise RunError(
        f"{len(running)} task(s) did not {options.wait_until.replace('stopped', 'stop')} "
        f"within {deadline.seconds:.0f}s: {', '.join(w.task_id for w in running)}; "
        + ("they were stopped" if stopped else "they were left running")
        + lines,
        reason="timeout",
        changed=True,
        tasks=[w.summary(None) for w in watches],
        stopped_tasks=[w.arn for w in running] if stopped else [],
    )


def _stop(ecs, cluster, arns, reason):
    stopped = []
    for arn in arns:
        call(f"stop task {short_arn(arn)}", ecs.stop_task, cluster=cluster, task=arn, reason=reason)
        stopped.append(arn)
    return stopped


def _check_outcome(watches, watched, options, result):
    """Fail when a watched container exited non-zero or a task never started."""
    problems = []
    failing = []
    for watch, summary in zip(watches, result["tasks"], strict=True):
        if summary["last_status"] != "STOPPED":
            continue
        code = summary["exit_code"]
        if summary["stop_code"] == "TaskFailedToStart" or code is None:
            problems.append(
                f"task {watch.task_id} failed to start: {summary['stop_code'] or 'stopped'}: "
                f"{summary['stopped_reason'] or 'no reason given'}"
            )
            failing.append(watch)
        elif code != 0:
            reason = next(
                (c["reason"] for c in summary["containers"] if c["name"] == watched), None
            )
            problems.append(
                f"task {watch.task_id}: container {watched} exited with code {code}"
                + (f" ({reason})" if reason else "")
            )
            failing.append(watch)
    if problems:
        first = next(s for s in result["tasks"] if s["task_id"] == failing[0].task_id)
        raise RunError(
            "; ".join(problems) + _last_lines(failing, watched),
            reason="failed",
            changed=True,
            task_definition_arn=result["task_definition_arn"],
            tasks=result["tasks"],
            exit_code=first["exit_code"],
            log_lines=first["log_lines"],
        )


def _last_lines(watches, container=None):
    text = ""
    for watch in watches:
        for name, stream in watch.streams.items():
            if container and name != container:
                continue
            lines = list(stream.tail)[-LOG_LINES_IN_ERRORS:]
            if lines:
                text += f". Last lines of {name} in task {watch.task_id}: " + " | ".join(lines)
    return text
