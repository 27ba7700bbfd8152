# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What each module does with its checked options.

The same code runs in two places: inside the module (``run_module``), and in the module's
action plugin on the controller, which shows the progress events as they happen. A run
takes the validated options, check mode, diff mode, a Progress and the folder relative
paths start from (the playbook's, from the action plugin), and returns the result
(``warnings`` included) or raises an EcspressoError.
"""

from __future__ import annotations

from . import info
from .ansible_module import AWS_ARGUMENT_SPEC, check_requirements, fail_from, session_from
from .autoscaling import AutoScalingOptions
from .codedeploy import ROLLBACK_EVENTS, CodeDeployOptions
from .config import config_view, resolve_run, resolve_service, resolve_target
from .deploy import DeployOptions, deploy
from .errors import DefinitionError, EcspressoError
from .info import QUERIES
from .progress import Progress
from .rollback import RollbackOptions, rollback
from .run import WAIT_UNTIL as RUN_WAIT_UNTIL
from .run import RunOptions, run_task
from .verify import verify
from .wait import WAIT_UNTIL

WAIT_OPTIONS = {
    "wait": {"type": "bool", "default": True},
    "wait_until": {"type": "str", "default": "deployed", "choices": list(WAIT_UNTIL)},
    "timeout": {"type": "str"},
}

SERVICE_OPTIONS = {
    "config": {"type": "path"},
    "cluster": {"type": "str"},
    "service": {"type": "str"},
}

# What the templates of the config and definition files read, besides the environment.
TEMPLATE_OPTIONS = {
    "envfile": {"type": "list", "elements": "path"},
    "ext_str": {"type": "dict"},
    "ext_code": {"type": "dict"},
}

# Where a CODE_DEPLOY service is deployed from (doc fragment ecsops.ecspresso.codedeploy).
CODEDEPLOY_OPTIONS = {
    "codedeploy_application": {"type": "str"},
    "codedeploy_deployment_group": {"type": "str"},
}

DEPLOY_ARGUMENT_SPEC = {
    **SERVICE_OPTIONS,
    **TEMPLATE_OPTIONS,
    "task_definition": {"type": "raw"},
    "service_definition": {"type": "raw"},
    "definition_sources": {
        "type": "dict",
        "options": {
            "task_definition": {"type": "str"},
            "service_definition": {"type": "str"},
        },
    },
    "desired_count": {"type": "int"},
    **WAIT_OPTIONS,
    "force_new_deployment": {"type": "bool", "default": False},
    "skip_task_definition": {"type": "bool", "default": False},
    "rollback_on_failure": {"type": "bool", "default": False},
    "deregister_failed": {"type": "bool", "default": False},
    "fail_if_in_progress": {"type": "bool", "default": False},
    "suspend_auto_scaling": {"type": "bool", "default": False},
    "resume_auto_scaling": {"type": "bool", "default": False},
    "auto_scaling_min": {"type": "int"},
    "auto_scaling_max": {"type": "int"},
    **CODEDEPLOY_OPTIONS,
    "deployment_config_name": {"type": "str"},
    "rollback_events": {"type": "list", "elements": "str", "choices": list(ROLLBACK_EVENTS)},
    **AWS_ARGUMENT_SPEC,
}

ROLLBACK_ARGUMENT_SPEC = {
    **SERVICE_OPTIONS,
    **TEMPLATE_OPTIONS,
    "revision": {"type": "str"},
    "deregister_task_definition": {"type": "bool", "default": True},
    **CODEDEPLOY_OPTIONS,
    **WAIT_OPTIONS,
    **AWS_ARGUMENT_SPEC,
}


RUN_ARGUMENT_SPEC = {
    **SERVICE_OPTIONS,
    **TEMPLATE_OPTIONS,
    "task_definition": {"type": "raw"},
    "service_definition": {"type": "raw"},
    "definition_sources": DEPLOY_ARGUMENT_SPEC["definition_sources"],
    "revision": {"type": "str"},
    "overrides": {"type": "raw"},
    "count": {"type": "int", "default": 1},
    "tags": {"type": "dict"},
    "propagate_tags": {"type": "str", "choices": ["TASK_DEFINITION", "NONE"]},
    "started_by": {"type": "str"},
    "client_token": {"type": "str", "no_log": False},
    "group": {"type": "str"},
    "wait": {"type": "bool", "default": True},
    "wait_until": {"type": "str", "default": "stopped", "choices": list(RUN_WAIT_UNTIL)},
    "timeout": {"type": "str"},
    "watch_container": {"type": "str"},
    "log_lines": {"type": "int", "default": 20},
    "stop_on_timeout": {"type": "bool", "default": True},
    **AWS_ARGUMENT_SPEC,
}


INFO_ARGUMENT_SPEC = {
    **SERVICE_OPTIONS,
    **TEMPLATE_OPTIONS,
    "task_definition": {"type": "raw"},
    "service_definition": {"type": "raw"},
    "definition_sources": DEPLOY_ARGUMENT_SPEC["definition_sources"],
    "show": {"type": "list", "elements": "str", "default": ["status"], "choices": list(QUERIES)},
    "events": {"type": "int", "default": 10},
    "revisions": {"type": "int", "default": 20},
    "timeout": {"type": "str"},
    **AWS_ARGUMENT_SPEC,
}


def run_deploy(params, check_mode, diff, progress, base_dir=None):
    """ecspresso_deploy: deploy one service from its definitions."""
    if params["desired_count"] is not None and params["desired_count"] < 0:
        raise DefinitionError(
            "module options",
            f"desired_count {params['desired_count']} is negative",
            "give 0 or more",
            field="desired_count",
        )
    sessions = _sessions(params)
    target, settings, warnings = resolve_target(params, base_dir, sessions, progress.secrets)
    options = DeployOptions(
        desired_count=params["desired_count"],
        wait=params["wait"],
        wait_until=params["wait_until"],
        timeout=settings["timeout"],
        force_new_deployment=params["force_new_deployment"],
        skip_task_definition=params["skip_task_definition"],
        rollback_on_failure=params["rollback_on_failure"],
        deregister_failed=params["deregister_failed"],
        fail_if_in_progress=params["fail_if_in_progress"],
        codedeploy=_codedeploy_options(params, settings),
        auto_scaling=AutoScalingOptions(
            suspend=params["suspend_auto_scaling"],
            resume=params["resume_auto_scaling"],
            minimum=params["auto_scaling_min"],
            maximum=params["auto_scaling_max"],
        ),
    )
    session = sessions(settings["region"])
    result = deploy(session, target, options, progress, check_mode)
    return _finish(result, warnings, diff)


def _count_option(params, name, minimum=1):
    """A count option, refused below ``minimum``."""
    value = params[name]
    if value < minimum:
        raise DefinitionError(
            "module options",
            f"field {name}: {value} is below {minimum}",
            f"give {minimum} or more",
            field=name,
        )
    return value


def _codedeploy_options(params, settings):
    """Options win over the config's codedeploy keys; the config's appspec gives hooks."""
    configured = settings.get("codedeploy") or {}
    return CodeDeployOptions(
        application=params["codedeploy_application"] or configured.get("application_name"),
        deployment_group=params["codedeploy_deployment_group"]
        or configured.get("deployment_group_name"),
        deployment_config=params.get("deployment_config_name"),
        rollback_events=params.get("rollback_events"),
        hooks=settings.get("appspec"),
    )


def run_rollback(params, check_mode, diff, progress, base_dir=None):
    """ecspresso_rollback: put one service back on an earlier revision."""
    cluster, service, settings, warnings = resolve_service(params, base_dir)
    options = RollbackOptions(
        revision=params["revision"],
        wait=params["wait"],
        wait_until=params["wait_until"],
        timeout=settings["timeout"],
        deregister=params["deregister_task_definition"],
        codedeploy_options=_codedeploy_options(params, settings),
    )
    session = session_from(params, settings["region"])
    result = rollback(session, cluster, service, options, progress, check_mode)
    return _finish(result, warnings, diff)


def run_run(params, check_mode, diff, progress, base_dir=None):
    """ecspresso_run: run one-off tasks of a task definition and follow them."""
    sessions = _sessions(params)
    target, settings, warnings = resolve_run(params, base_dir, sessions, progress.secrets)
    if not 1 <= params["count"] <= 10:
        raise DefinitionError(
            "module options",
            f"count {params['count']} is out of range",
            "give 1 to 10",
            field="count",
        )
    options = RunOptions(
        revision=params["revision"],
        overrides=settings["overrides"],
        count=params["count"],
        tags=params["tags"],
        propagate_tags=params["propagate_tags"],
        started_by=params["started_by"],
        client_token=params["client_token"],
        group=params["group"],
        wait=params["wait"],
        wait_until=params["wait_until"],
        timeout=settings["timeout"],
        watch_container=params["watch_container"],
        log_lines=_count_option(params, "log_lines"),
        stop_on_timeout=params["stop_on_timeout"],
    )
    session = sessions(settings["region"])
    result = run_task(session, target, options, progress, check_mode)
    return _finish(result, warnings, diff)


def run_info(params, check_mode, diff, progress, base_dir=None):
    """ecspresso_info: read-only views of one service; changes nothing, in any mode."""
    show = params["show"]
    # Checked before any AWS call, whichever views are asked for.
    events = _count_option(params, "events", 0)
    revisions = _count_option(params, "revisions")
    needs_definitions = any(query in show for query in ("render", "diff", "verify", "appspec"))
    resolve = resolve_target if needs_definitions else resolve_run
    sessions = _sessions(params)
    target, settings, warnings = resolve(params, base_dir, sessions, progress.secrets)
    if not target.service:
        raise DefinitionError(
            params.get("config") or "module options",
            "no service name",
            "set service in the config or the service option",
        )
    session = sessions(settings["region"])
    result = {"changed": False}
    if "render" in show:
        result["rendered"] = info.render(target)
        if params.get("config"):
            result["rendered"]["config"] = config_view(params["config"], base_dir)
    if "diff" in show:
        found = info.diff(session, target)
        result.update(would_change=found["changed"], diff_text=found["text"])
        if diff:
            result["diff"] = found["entries"]
    if "appspec" in show:
        result["appspec"] = info.appspec(session, target, settings.get("appspec"))
    if "status" in show:
        result["status"] = info.status(session, target.cluster, target.service, events)
    if "revisions" in show:
        family = (target.task_definition or {}).get("family")
        result["revisions"] = info.revisions(
            session, target.cluster, target.service, family, revisions
        )
    if "verify" in show:
        ok, checks = verify(session, target)
        result["verify"] = checks
        for check in checks:
            progress.emit(target.service, f"{check['result']} {check['name']}: {check['detail']}")
        if not ok:
            problems = [f"{c['name']}: {c['detail']}" for c in checks if c["result"] == "NG"]
            raise EcspressoError(
                f"service {target.service}: verify found {len(problems)} problem(s): "
                + "; ".join(problems),
                verify=checks,
            )
    return _finish(result, warnings, True)


def _sessions(params):
    """The run's AwsSession, made on first need (by a template function or the run) for
    the region the options and the config file give."""
    made = []

    def session(region):
        if not made:
            made.append(session_from(params, region))
        return made[0]

    return session


def _finish(result, warnings, diff):
    result["warnings"] = warnings + result.get("warnings", [])
    if not diff:
        result.pop("diff", None)
    return result


def run_module(module, run):
    """Run inside an AnsibleModule: events come back in the result at the end."""
    check_requirements(module)
    progress = Progress()
    try:
        result = run(module.params, module.check_mode, module._diff, progress)
    except EcspressoError as exc:
        module.no_log_values.update(progress.secrets)
        fail_from(module, exc, changed=False, events=progress.events)
    # Values read from SecureString parameters are masked wherever they would show.
    module.no_log_values.update(progress.secrets)
    for warning in result.pop("warnings"):
        module.warn(warning)
    module.exit_json(events=progress.events, **result)
