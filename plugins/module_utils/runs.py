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

from .ansible_module import AWS_ARGUMENT_SPEC, check_requirements, fail_from, session_from
from .config import resolve_service, resolve_target
from .deploy import DeployOptions, deploy
from .errors import EcspressoError
from .progress import Progress
from .rollback import RollbackOptions, rollback
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

DEPLOY_ARGUMENT_SPEC = {
    **SERVICE_OPTIONS,
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
    **AWS_ARGUMENT_SPEC,
}

ROLLBACK_ARGUMENT_SPEC = {
    **SERVICE_OPTIONS,
    "revision": {"type": "str"},
    "deregister_task_definition": {"type": "bool", "default": True},
    **WAIT_OPTIONS,
    **AWS_ARGUMENT_SPEC,
}


def run_deploy(params, check_mode, diff, progress, base_dir=None):
    """ecspresso_deploy: deploy one service from its definitions."""
    target, settings, warnings = resolve_target(params, base_dir)
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
    )
    session = session_from(params, settings["region"])
    result = deploy(session, target, options, progress, check_mode)
    return _finish(result, warnings, diff)


def run_rollback(params, check_mode, diff, progress, base_dir=None):
    """ecspresso_rollback: put one service back on an earlier revision."""
    cluster, service, settings, warnings = resolve_service(params, base_dir)
    options = RollbackOptions(
        revision=params["revision"],
        wait=params["wait"],
        wait_until=params["wait_until"],
        timeout=settings["timeout"],
        deregister=params["deregister_task_definition"],
    )
    session = session_from(params, settings["region"])
    result = rollback(session, cluster, service, options, progress, check_mode)
    return _finish(result, warnings, diff)


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
        fail_from(module, exc, changed=False, events=progress.events)
    for warning in result.pop("warnings"):
        module.warn(warning)
    module.exit_json(events=progress.events, **result)
