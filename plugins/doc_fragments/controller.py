# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # What every module of the collection shares: its code runs on the controller, in the
    # module's action plugin, which prints progress while it waits; one action group.
    # List it before the ansible.builtin.action_common_attributes fragments, which give the
    # attributes their descriptions: the first fragment's values win.
    DOCUMENTATION = r"""
attributes:
  action:
    support: full
    details:
      - The module's action plugin runs all of its work on the controller and prints its
        progress while it waits.
  action_group:
    support: full
    membership:
      - ecsops.ecspresso.ecspresso
  async:
    support: none
    details:
      - Progress is printed while the task runs instead.
  bypass_host_loop:
    support: none
  platform:
    support: full
    platforms: all
    details:
      - The target host is never contacted; any inventory host, or C(localhost), will do.
notes:
  - The module runs on the Ansible controller, whatever host the task is for. boto3 and
    botocore are needed there (in AWX or Automation Platform, in the execution environment),
    and the C(jsonnet) Python package for C(.jsonnet) files.
  - While it waits, each progress event (deployment counts, rollout state changes, service
    events, task status changes, log lines) is printed as it happens, one line each, as
    C([service] message), in the C(ansible-playbook) output and in an AWX job's output.
    RV(events) returns them all. A task with C(no_log) prints none.
  - The E(AWS_*) environment variables that the AWS options fall back to, and those the
    templates read with C(env) and C(must_env), are the controller's. The task keyword
    C(environment) does not reach them; use O(envfile) or the options themselves.
  - C(module_defaults) for the group C(group/ecsops.ecspresso.ecspresso) sets options of all
    the collection's modules at once, such as the AWS ones.
"""
