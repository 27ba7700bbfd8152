#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecspresso_run
short_description: Run one-off Amazon ECS tasks to completion, with their exit codes and logs
version_added: 0.1.0
description:
  - Runs tasks of a service's task definition, such as a database migration or a batch job,
    as C(ecspresso run) does, waits until they have stopped, and fails when one of them
    did not start or its watched container exited with a non-zero code.
  - The task definition is the one given (registered first when no revision equals it),
    the family's latest revision, the one the service runs, or a given revision; see
    O(revision).
  - The network configuration, launch type, capacity provider strategy, platform version,
    placement and execute-command setting come from the service definition, or, without
    one, from the running service O(service).
  - For containers that log through C(awslogs) with a stream prefix, the log lines are
    read from CloudWatch Logs while the tasks run. The action plugin shows them, and the
    tasks' status changes, in the output as they come, prefixed with the service name;
    the last O(log_lines) lines come back in the result and in the failure message.
  - With O(count) above 1, every task is watched; the module fails when any of them fails,
    naming it.
  - Runs on the Ansible controller.
author:
  - ecsops.ecspresso maintainers (@ecsops)
options:
  config:
    description:
      - Path to an ecspresso configuration file (C(ecspresso.yml), C(.yaml), C(.json) or
        C(.jsonnet)), relative to the playbook's folder; its C(region), C(cluster),
        C(service), C(task_definition), C(service_definition), C(timeout), C(plugins),
        C(ignore) and C(required_version) are used, as for
        M(ecsops.ecspresso.ecspresso_deploy). Options win over the file.
      - Definition files are rendered as ecspresso renders them.
    type: path
  cluster:
    description:
      - Name of the ECS cluster. Defaults to C(cluster) in O(config), then V(default).
    type: str
  service:
    description:
      - Name of the service whose network and launch settings the tasks use when no
        O(service_definition) is given, and whose task definition O(revision=skip) runs.
    type: str
  task_definition:
    description:
      - The task definition to run, given as for M(ecsops.ecspresso.ecspresso_deploy), as a
        mapping, JSON or YAML text, or a file path.
      - An equal revision (the one the service runs or the family's latest) is reused;
        otherwise a new revision is registered first.
      - Not needed with O(revision).
    type: raw
  service_definition:
    description:
      - The service definition whose C(launchType), C(capacityProviderStrategy),
        C(platformVersion), C(networkConfiguration), placement and
        C(enableExecuteCommand) the tasks use.
    type: raw
  definition_sources:
    description:
      - Names to use in messages for O(task_definition) and O(service_definition) when they
        are given as text or a mapping.
    type: dict
    suboptions:
      task_definition:
        description: Where the task definition came from.
        type: str
      service_definition:
        description: Where the service definition came from.
        type: str
  revision:
    description:
      - Run a registered revision instead of O(task_definition).
      - V(latest), the family's newest C(ACTIVE) revision; V(skip), the revision the
        service runs (C(ecspresso run --skip-task-definition)); a number such as V(12),
        C(family:number), or an ARN.
    type: str
  overrides:
    description:
      - The C(overrides) of the C(RunTask) API (C(containerOverrides) with C(command),
        C(environment), ...; task C(cpu), C(memory), roles), as a mapping, JSON or YAML
        text (such as a template lookup's output), or the path of a JSON or YAML file.
    type: raw
  count:
    description: How many tasks to run, 1 to 10.
    type: int
    default: 1
  tags:
    description: Tags for the tasks, as a mapping of keys to values.
    type: dict
  propagate_tags:
    description: Copy the task definition's tags to the tasks (V(TASK_DEFINITION)) or not.
    type: str
    choices: [TASK_DEFINITION, NONE]
  started_by:
    description: The C(startedBy) of the tasks, to find them later with C(ListTasks).
    type: str
  client_token:
    description:
      - An idempotency token. A second call with the same token and request runs no new
        task.
    type: str
  group:
    description: The task group; ECS defaults it to C(family:<family>).
    type: str
  wait:
    description: Wait for the tasks to reach O(wait_until) and check how they ended.
    type: bool
    default: true
  wait_until:
    description:
      - V(stopped) waits until every task has stopped and checks the exit codes.
      - V(running) waits until every task runs (a task that already stopped is checked).
    type: str
    choices: [stopped, running]
    default: stopped
  timeout:
    description:
      - How long to wait, in seconds or as a duration such as V(10m). Defaults to
        C(timeout) in O(config), then to 10 minutes.
    type: str
  stop_on_timeout:
    description: Stop the tasks that have not stopped when O(timeout) passes.
    type: bool
    default: true
  watch_container:
    description:
      - The container whose exit code decides whether a task succeeded. Defaults to the
        first essential container.
    type: str
  log_lines:
    description: How many of the last log lines of each container the result keeps.
    type: int
    default: 20
extends_documentation_fragment:
  - ecsops.ecspresso.aws
  - ecsops.ecspresso.templates
attributes:
  check_mode:
    support: full
    description: Runs nothing; the result says what would run (RV(run_request)).
  diff_mode:
    support: full
    description: Shows the task definition a run would register, if any.
  idempotent:
    support: none
    description: Every run starts new tasks, unless O(client_token) is repeated.
"""

EXAMPLES = r"""
- name: Run the database migration of user-service before deploying it
  ecsops.ecspresso.ecspresso_run:
    cluster: prod
    service: user-service
    revision: skip
    overrides:
      containerOverrides:
        - name: app
          command: [bin/migrate, --to, latest]
    timeout: 15m

- name: Run three batch tasks of a definition file, with the service's network settings
  ecsops.ecspresso.ecspresso_run:
    config: services/batch/ecspresso.yml
    count: 3
    started_by: nightly-batch
    tags:
      job: nightly
"""

RETURN = r"""
task_definition_arn:
  description: The task definition revision that ran (or would run).
  returned: always
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/user-service:12
watch_container:
  description: The container whose exit code was checked.
  returned: always
  type: str
  sample: app
exit_code:
  description: The exit code of the watched container of the first task.
  returned: when the tasks ran
  type: int
  sample: 0
log_lines:
  description: The last log lines of the watched container of the first task.
  returned: when the tasks ran
  type: list
  elements: str
  sample: [migrating, done]
tasks:
  description: Every task, with its containers.
  returned: always
  type: list
  elements: dict
  contains:
    task_arn:
      description: ARN of the task.
      type: str
    task_id:
      description: The task's id, the last part of its ARN.
      type: str
    last_status:
      description: Status of the task when the module returned.
      type: str
      sample: STOPPED
    stop_code:
      description: Why the task stopped, as a code.
      type: str
      sample: EssentialContainerExited
    stopped_reason:
      description: Why the task stopped.
      type: str
      sample: Essential container in task exited
    exit_code:
      description: Exit code of the watched container.
      type: int
    log_lines:
      description: Last log lines of the watched container.
      type: list
      elements: str
    containers:
      description: Each container's name, status, exit code, reason and last log lines.
      type: list
      elements: dict
run_request:
  description: The C(RunTask) request that check mode would have sent.
  returned: in check mode
  type: dict
events:
  description: What the run did and saw (status changes, log lines), oldest first.
  returned: always
  type: list
  elements: dict
failure:
  description:
    - How a failed run ended, V(failed) (a non-zero exit or a task that did not start) or
      V(timeout).
  returned: when the run failed
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecsops.ecspresso.plugins.module_utils.runs import (
    RUN_ARGUMENT_SPEC,
    run_module,
    run_run,
)


def main():
    module = AnsibleModule(argument_spec=RUN_ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run_run)


if __name__ == "__main__":
    main()
