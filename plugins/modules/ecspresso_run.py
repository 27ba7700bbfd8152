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
  - Runs tasks of a service's task definition, such as a database migration or a batch
    job, as C(ecspresso run) does, waits until they have stopped, and fails when one of
    them did not start or its watched container (O(watch_container)) exited with a code
    other than 0.
  - The task definition is the one given in O(task_definition) (or O(config)), registered
    first when no revision equals it; or, with O(revision), the family's latest revision,
    the one the service runs, or a given revision.
  - The launch type, capacity provider strategy, platform version, network
    configuration, placement and execute-command setting come from the service
    definition, or, without one, from the running service O(service); so a migration runs
    in the subnets and security groups of its service.
  - The log lines of containers that log through C(awslogs) with a stream prefix are read
    from CloudWatch Logs while the tasks run; the last O(log_lines) of them come back in
    the result, and the last 10 in the failure message.
  - With O(count) above 1, every task is watched, and the module fails when any of them
    fails, naming it.
author:
  - ecsops.ecspresso maintainers (@ecsops)
options:
  config:
    description:
      - Path to an ecspresso configuration file (C(ecspresso.yml), C(.yaml), C(.json) or
        C(.jsonnet)), relative to the playbook's folder, read as for
        M(ecsops.ecspresso.ecspresso_deploy); its C(region), C(cluster), C(service),
        C(task_definition), C(service_definition), C(timeout), C(plugins), C(ignore) and
        C(required_version) are used. Options given to the module win over the file.
      - Definition files are rendered as ecspresso renders them.
    type: path
  cluster:
    description:
      - Name of the ECS cluster. Defaults to C(cluster) in O(config), then to C(cluster) in
        the service definition, then to V(default).
    type: str
  service:
    description:
      - Name of the service the tasks belong with. Its network and launch settings are used
        when no service definition is given, and its task definition by
        O(revision=skip); its family by O(revision=latest) or a revision number when no
        task definition is given.
      - Defaults to C(service) in O(config), then to C(serviceName) in the service
        definition. Not needed when the task definition and the service definition are
        given.
    type: str
  task_definition:
    description:
      - The task definition to run, given as for M(ecsops.ecspresso.ecspresso_deploy), as a
        mapping, JSON or YAML text, or a file path (relative to the O(config) file's folder
        when O(config) is given, else to the playbook's folder).
      - A revision equal to it (the one the service runs, or the family's latest) is used;
        otherwise a new revision is registered first.
      - Defaults to C(task_definition) in O(config). Not needed with O(revision).
    type: raw
  service_definition:
    description:
      - The service definition whose C(launchType), C(capacityProviderStrategy),
        C(platformVersion), C(networkConfiguration), C(placementConstraints),
        C(placementStrategy) and C(enableExecuteCommand) the tasks use, given as
        O(task_definition) is.
      - Defaults to C(service_definition) in O(config); without either, the running
        service's settings are used, and without a running service none.
    type: raw
  definition_sources:
    description:
      - Names to use in messages for O(task_definition) and O(service_definition) when they
        are given as text or a mapping, such as the template they were rendered from.
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
        service runs (C(ecspresso run --skip-task-definition)); a number such as V(12), in
        the family of O(task_definition) or of the running service; V(family:number); or a
        task definition ARN.
    type: str
  overrides:
    description:
      - The C(overrides) of the C(RunTask) API (C(containerOverrides) with C(command),
        C(environment), C(cpu), C(memory), ...; the task's C(cpu), C(memory),
        C(taskRoleArn), ...), as a mapping, as JSON or YAML text (such as what a template
        lookup returns), or as the path of a JSON, YAML or Jsonnet file, relative to the
        playbook's folder.
      - A file is rendered as the definitions are, as ecspresso renders its
        C(--overrides-file) (C(must_env), C(env), the config's C(plugins), O(envfile)
        values); a mapping or text is taken as it is.
      - Checked against the ECS API model before anything is registered or run.
    type: raw
  count:
    description: How many tasks to run, 1 to 10.
    type: int
    default: 1
  tags:
    description: Tags for the tasks, as a mapping of keys to values.
    type: dict
  propagate_tags:
    description:
      - Copy the task definition's tags to the tasks (V(TASK_DEFINITION)) or not
        (V(NONE)). Left out, ECS does not copy them.
    type: str
    choices: [TASK_DEFINITION, NONE]
  started_by:
    description:
      - The C(startedBy) of the tasks, to find them later (C(aws ecs list-tasks
        --started-by)).
    type: str
  client_token:
    description:
      - An idempotency token for C(RunTask). Another run with the same token and the same
        request starts no new task.
    type: str
  group:
    description: The task group. ECS defaults it to C(family:<family>).
    type: str
  wait:
    description:
      - Wait for the tasks to reach O(wait_until) and check how they ended.
      - With V(false), the module returns once the tasks are started; their exit codes are
        not checked.
    type: bool
    default: true
  wait_until:
    description:
      - V(stopped) waits until every task has stopped and checks the exit codes.
      - V(running) waits until every task runs; a task that has already stopped by then is
        checked.
    type: str
    choices: [stopped, running]
    default: stopped
  timeout:
    description:
      - How long to wait, as a duration such as V(10m) or V(1h30m), or a number of seconds
        such as V(600).
      - Defaults to C(timeout) in O(config), then to 10 minutes.
    type: str
  stop_on_timeout:
    description:
      - Stop the tasks that have not stopped when O(timeout) passes. With V(false) they are
        left running.
    type: bool
    default: true
  watch_container:
    description:
      - The container whose exit code decides whether a task succeeded. Defaults to the
        first essential container of the task definition.
    type: str
  log_lines:
    description:
      - How many of the last log lines of each container the result keeps (at least one).
    type: int
    default: 20
extends_documentation_fragment:
  - ecsops.ecspresso.controller
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
  - ecsops.ecspresso.aws
  - ecsops.ecspresso.templates
attributes:
  check_mode:
    support: full
    details:
      - Registers and runs nothing, and returns the C(RunTask) request it would send
        (RV(run_request)). It reports C(changed=true), as a run would.
  diff_mode:
    support: full
    details:
      - Shows the task definition a run would register, when it would register one.
  idempotent:
    description: Whether a second run with the same options changes nothing.
    support: none
    details:
      - Every run starts new tasks, unless O(client_token) is given again with the same
        request.
seealso:
  - module: ecsops.ecspresso.ecspresso_deploy
    description: Deploy the service whose task definition the tasks run.
  - module: ecsops.ecspresso.ecspresso_info
    description: The revisions of a service's task definition, to pick one for O(revision).
  - module: ecsops.ecspresso.ecspresso_rollback
    description: Put a service back on an earlier task definition revision.
  - name: ecspresso
    description: The deploy tool for Amazon ECS whose C(run) command this module follows.
    link: https://github.com/kayac/ecspresso
  - name: RunTask API reference
    description: The request this module sends.
    link: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
  - name: TaskOverride API reference
    description: What O(overrides) may hold.
    link: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskOverride.html
"""

EXAMPLES = r"""
# A release with a schema change: run the new release's migrations with the task
# definition about to be deployed (registered now when it is new), in the service's
# subnets and security groups, before the deploy. The task fails when the migration
# exits with another code than 0, with its last log lines in the message.
- name: Run user-service's database migrations with the task definition about to be deployed
  ecsops.ecspresso.ecspresso_run:
    config: services/user-service/ecspresso.yml
    overrides:
      containerOverrides:
        - name: app
          command: [bin/migrate, --to, latest]
    started_by: release-migration
    timeout: 15m
    log_lines: 50
  register: migration

- name: Show what the migrations printed
  ansible.builtin.debug:
    var: migration.log_lines

# A one-off command with the code the service runs now, with more memory than the
# service's tasks get (ecspresso run --skip-task-definition).
- name: Rebuild web's search index with the revision web runs
  ecsops.ecspresso.ecspresso_run:
    cluster: production
    service: web
    revision: skip
    overrides:
      containerOverrides:
        - name: app
          command: [bin/rails, search:reindex]
          environment:
            - name: BATCH_SIZE
              value: "500"
      cpu: "1024"
      memory: "4096"
    timeout: 1h

# A batch job split across three tasks. The client token makes a second run on the same
# day start nothing new.
- name: Run the nightly report as three tasks
  ecsops.ecspresso.ecspresso_run:
    config: services/report/ecspresso.yml
    count: 3
    started_by: nightly-report
    tags:
      job: nightly-report
    propagate_tags: TASK_DEFINITION
    client_token: "nightly-report-{{ '%Y-%m-%d' | ansible.builtin.strftime }}"

# The overrides kept in a file, with the newest registered revision of the family.
- name: Run a data fix with the overrides in its file
  ecsops.ecspresso.ecspresso_run:
    config: services/web/ecspresso.yml
    revision: latest
    overrides: services/web/fix-orders.overrides.json
    watch_container: app

# A task to open a shell in with `aws ecs execute-command`: return once it runs, and
# let it run for an hour.
- name: Start a debugging task of web
  ecsops.ecspresso.ecspresso_run:
    config: services/web/ecspresso.yml
    revision: skip
    wait_until: running
    overrides:
      containerOverrides:
        - name: app
          command: [sleep, "3600"]
  register: debugging

- name: Say how to reach it
  ansible.builtin.debug:
    msg: >-
      aws ecs execute-command --cluster production --task {{ debugging.tasks[0].task_arn }}
      --container app --interactive --command /bin/sh

# What would run, without running it.
- name: Show the RunTask request of the migrations
  ecsops.ecspresso.ecspresso_run:
    config: services/user-service/ecspresso.yml
    overrides:
      containerOverrides:
        - name: app
          command: [bin/migrate, --to, latest]
  check_mode: true
  register: migration_request

- name: Show the request
  ansible.builtin.debug:
    var: migration_request.run_request
"""

RETURN = r"""
task_definition_arn:
  description:
    - The task definition revision that ran.
    - In check mode, the one that would; V(<family>:(new revision\)) when one would be
      registered.
  returned: success, and when a task failed
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/user-service:12
watch_container:
  description: The container whose exit code was checked.
  returned: success
  type: str
  sample: app
exit_code:
  description:
    - The exit code of the watched container of the first task.
    - Null with O(wait=false), or when the task did not start.
  returned: when tasks were started, and when a task failed
  type: int
  sample: 0
log_lines:
  description: The last log lines of the watched container of the first task, oldest first.
  returned: when tasks were started, and when a task failed
  type: list
  elements: str
  sample:
    - running migrations on production
    - migrations applied
tasks:
  description: Every task started, with its containers; empty in check mode.
  returned: success, and when a task failed or timed out
  type: list
  elements: dict
  contains:
    task_arn:
      description: ARN of the task.
      type: str
      sample: arn:aws:ecs:us-east-1:123456789012:task/production/5f0c9a1e2b3d4c5e6f708192a3b4c5d6
    task_id:
      description: The task's ID, the last part of its ARN.
      type: str
      sample: 5f0c9a1e2b3d4c5e6f708192a3b4c5d6
    last_status:
      description: Status of the task when the module returned.
      type: str
      sample: STOPPED
    stop_code:
      description: Why the task stopped, as a code.
      type: str
      sample: EssentialContainerExited
    stopped_reason:
      description: Why the task stopped, in words.
      type: str
      sample: Essential container in task exited
    exit_code:
      description: Exit code of the watched container; null when it has none.
      type: int
      sample: 0
    log_lines:
      description: Last log lines of the watched container.
      type: list
      elements: str
      sample:
        - migrations applied
    containers:
      description: Each container of the task.
      type: list
      elements: dict
      contains:
        name:
          description: Name of the container.
          type: str
          sample: app
        last_status:
          description: Status of the container.
          type: str
          sample: STOPPED
        exit_code:
          description: Exit code of the container; null while it runs or when it did not start.
          type: int
          sample: 0
        reason:
          description: Why the container stopped, when ECS says.
          type: str
          sample: null
        log_lines:
          description:
            - Last log lines of the container; empty without C(awslogs) and a stream prefix.
          type: list
          elements: str
          sample:
            - migrations applied
run_request:
  description: The C(RunTask) request a run would send.
  returned: in check mode
  type: dict
  sample:
    cluster: production
    taskDefinition: arn:aws:ecs:us-east-1:123456789012:task-definition/user-service:12
    count: 1
    launchType: FARGATE
    networkConfiguration:
      awsvpcConfiguration:
        subnets: [subnet-0a1b2c3d]
        securityGroups: [sg-0a1b2c3d]
    overrides:
      containerOverrides:
        - name: app
          command: [bin/migrate, --to, latest]
events:
  description:
    - What the run did and saw (task status changes, log lines), oldest first, one event
      per line printed, each with C(time) (ISO 8601, UTC), C(service) and C(message).
    - A log line's message starts with the container and the task ID's first 8
      characters, such as C(app 5f0c9a1e| migrations applied).
  returned: always
  type: list
  elements: dict
  sample:
    - time: "2026-12-03T10:00:04+00:00"
      service: user-service
      message: "app 5f0c9a1e| migrations applied"
failure:
  description:
    - How a failed run ended, V(failed) (a watched container exited with another code than
      0, or a task did not start) or V(timeout).
    - Not set when the task fails for another reason (bad input, an AWS error, a task that
      C(RunTask) could not place).
  returned: when a task failed or timed out
  type: str
  sample: failed
stopped_tasks:
  description: The ARNs of the tasks stopped because O(timeout) passed.
  returned: when the tasks timed out
  type: list
  elements: str
  sample:
    - arn:aws:ecs:us-east-1:123456789012:task/production/5f0c9a1e2b3d4c5e6f708192a3b4c5d6
source:
  description: The file or option the bad input was found in.
  returned: when the input was refused
  type: str
  sample: module options
field:
  description: The option or field at fault, when one is.
  returned: when the input was refused
  type: str
  sample: watch_container
fix:
  description: What to change, when the module can say.
  returned: when the input was refused, or a template could not read a value
  type: str
  sample: give one of app, log-router
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
