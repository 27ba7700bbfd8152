# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's engine on the controller, showing its progress events as they happen.

A module's result only reaches the output when the module ends: a rollout that takes ten
minutes would be ten silent minutes. Each module of the collection therefore has an action
plugin of the same name that validates the task's options against the module's argument
spec and runs the same engine code in the controller's worker process, printing every
progress event on its own line, prefixed with the service, while it waits. Ansible sends
those lines through its display queue, so they show in ``ansible-playbook`` output and in
an AWX job's output as they come.
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values, sanitize_keys
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.ecsops.ecspresso.plugins.module_utils.ansible_module import (
    failure_result,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import (
    BOTO3_IMPORT_ERROR,
    HAS_BOTO3,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import EcspressoError
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress

display = Display()


def show_event(event):
    """One progress line: ``[service] message``."""
    display.display(f"[{event['service']}] {event['message']}")


class EngineAction(ActionBase):
    """Base of the collection's action plugins; subclasses set ARGUMENT_SPEC and RUN."""

    ARGUMENT_SPEC = {}
    RUN = None

    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result["changed"] = False
        if not HAS_BOTO3:
            result.update(
                failed=True,
                msg="boto3 and botocore are required on the Ansible controller, where the "
                f"modules of ecsops.ecspresso run: {BOTO3_IMPORT_ERROR}",
            )
            return result

        validation = ArgumentSpecValidator(self.ARGUMENT_SPEC).validate(dict(self._task.args))
        if validation.error_messages:
            messages = sanitize_keys(validation.error_messages, validation._no_log_values)
            result.update(failed=True, msg=f"{self._task.action}: " + "; ".join(messages))
            return result
        params = validation.validated_parameters

        # A task with no_log shows no progress either: events may name what it hides.
        progress = Progress(None if self._task.no_log else show_event)
        try:
            # Relative paths start from the playbook's folder, as for other Ansible files.
            outcome = self.RUN(
                params,
                self._task.check_mode,
                self._task.diff,
                progress,
                base_dir=self._loader.get_basedir(),
            )
        except EcspressoError as exc:
            outcome = failure_result(exc, changed=False, failed=True)
        warnings = outcome.pop("warnings", [])
        if warnings:
            result["warnings"] = result.get("warnings", []) + warnings
        result.update(outcome, events=progress.events)
        # As AnsibleModule does: secrets given as options never appear in the result, nor
        # do the values read from SecureString parameters by the templates.
        return remove_values(result, validation._no_log_values | progress.secrets)
