#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecspresso_deploy
short_description: Deploy an Amazon ECS service from its task and service definitions
version_added: 0.1.0
description:
  - Deploys one ECS service the way C(ecspresso deploy) does, from a task definition and a
    service definition kept as files or given inline.
  - Both definitions are compared with what runs, after the defaults ECS fills in are
    filled in on both sides and unordered lists are sorted. A new task definition revision
    is registered only when it differs, the service is created when it is missing, and only
    the service attributes that differ are updated.
  - When something changed, waits until the new deployment is the PRIMARY one, runs the new
    task definition and is C(COMPLETED). A deployment that the circuit breaker rolled back
    is a failure, not a success; so are a C(FAILED) deployment, tasks that keep failing to
    start, and a timeout. The message says which, with the stopped tasks' reasons and the
    service's last events.
  - With O(rollback_on_failure), a failed deployment is replaced by one of the task
    definition the service ran before, and the module waits for that too.
  - A deployment already in progress (started by another run or by hand) is waited for
    before anything is changed, unless O(fail_if_in_progress) is set.
  - Runs on the Ansible controller. Its action plugin shows the progress of the rollout
    (deployment counts, rollout state changes, new service events) in the output as it
    happens, one line per event, prefixed with the service name.
  - A service whose C(deploymentController) is C(CODE_DEPLOY) is deployed blue/green. The
    attributes such services accept go to C(UpdateService), and a new task definition
    goes out through a CodeDeploy deployment whose AppSpec names it, the first load
    balancer's container and port, the platform version, the network configuration, the
    capacity provider strategy and the config's C(appspec) hooks. The module waits until
    the deployment has C(Succeeded); C(Failed) or C(Stopped), after CodeDeploy's own
    rollback if O(rollback_events) asks for one, fails it. A new service is waited for
    until its task set is in steady state.
  - Every definition is checked against the ECS API model (field names, types and allowed
    values) before any call that changes something.
  - C(module_defaults) for the group C(group/ecsops.ecspresso.ecspresso) sets options, such
    as the AWS ones, for every module of the collection.
author:
  - ecsops.ecspresso maintainers (@ecsops)
options:
  config:
    description:
      - Path to an ecspresso configuration file (C(ecspresso.yml), C(.yaml), C(.json) or
        C(.jsonnet)) with C(region), C(cluster), C(service), C(service_definition),
        C(task_definition), C(timeout), C(plugins), C(ignore), C(codedeploy),
        C(appspec) and C(required_version), as ecspresso reads it. Its templates may
        use C(env), C(must_env) and C(json_escape).
      - Paths in it are relative to the file's folder. Options given to the module win
        over the file.
      - C(required_version) is checked against this collection's version. Tags named in
        C(ignore.tags) are neither compared nor changed.
      - Definition files (given by path here or in O(config)) are rendered as ecspresso
        renders them; see the README's section for ecspresso users for the functions.
    type: path
  cluster:
    description:
      - Name of the ECS cluster. Defaults to C(cluster) in O(config), then V(default).
    type: str
  service:
    description:
      - Name of the ECS service. Defaults to C(service) in O(config), then to
        C(serviceName) in the service definition.
    type: str
  task_definition:
    description:
      - The task definition, as a mapping, as JSON or YAML text (such as the output of the
        C(ansible.builtin.template) lookup), or as the path of a JSON, YAML or Jsonnet
        file. A file is rendered as ecspresso renders it (Jsonnet evaluated, then its
        C({{ must_env ... }}), C({{ tfstate ... }}), ... templates applied).
      - Both the plain shape and the C(aws ecs describe-task-definition) shape (wrapped in
        C(taskDefinition), read-only fields included) are accepted.
      - Defaults to C(task_definition) in O(config).
    type: raw
  service_definition:
    description:
      - The service definition, given like O(task_definition), with the fields of the ECS
        C(CreateService) API.
      - Fields left out are not managed, with the exception of the ones ECS gives a default
        (deployment configuration, propagate tags, ...), which are compared with it.
      - Defaults to C(service_definition) in O(config).
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
  desired_count:
    description:
      - The number of tasks to run. Overrides C(desiredCount) of the service definition.
      - When neither is set the count is left as it is (auto scaling owns it); a new
        service then starts with one task.
    type: int
  wait:
    description:
      - Wait until the rollout has reached O(wait_until). Without waiting, the module
        returns as soon as the service is updated, and a failed rollout goes unnoticed.
    type: bool
    default: true
  wait_until:
    description:
      - What the rollout must reach for the deploy to succeed.
      - V(deployed) waits until the new PRIMARY deployment runs the new task definition
        and ECS reports it C(COMPLETED).
      - V(stable) waits until the new task definition's deployment is the only one and
        runs as many tasks as it wants, as the C(services-stable) waiter does.
    type: str
    choices: [deployed, stable]
    default: deployed
  timeout:
    description:
      - How long to wait, in seconds, or as a duration such as V(10m) or V(1h30m).
      - Defaults to C(timeout) in O(config), then to 10 minutes.
      - A deployment already in progress that is waited for counts toward it. A rollback
        done by O(rollback_on_failure) gets the same time again.
    type: str
  rollback_on_failure:
    description:
      - When the new deployment fails (C(FAILED), tasks that keep failing to start, or a
        timeout), update the service back to the task definition it ran before the deploy
        and wait for that deployment. The module still fails, and says so in RV(rolled_back).
      - A rollback done by the deployment circuit breaker itself needs nothing from this
        option; the module waits for it and fails.
      - Needs O(wait).
    type: bool
    default: false
  deregister_failed:
    description:
      - After a rollback (by the circuit breaker or by O(rollback_on_failure)), deregister
        the task definition revision that failed, so that nothing deploys it again by
        mistake.
    type: bool
    default: false
  fail_if_in_progress:
    description:
      - When a deployment of the service is already in progress, fail at once without
        changing anything, instead of waiting for it to end first.
      - A deployment in progress whose tasks keep failing is not waited for either way;
        the new deployment replaces it.
    type: bool
    default: false
  suspend_auto_scaling:
    description:
      - Suspend the service's Application Auto Scaling (scale in, scale out and scheduled
        scaling) before the service is updated, so that scaling does not fight the rollout.
      - A warning says so when the service has no scalable target.
    type: bool
    default: false
  resume_auto_scaling:
    description:
      - Resume the service's Application Auto Scaling once the new deployment has completed
        (right after the update without O(wait)). Not done when the rollout fails.
      - With O(suspend_auto_scaling) in an earlier run, or by hand; the two options cannot
        be combined in one run.
    type: bool
    default: false
  auto_scaling_min:
    description:
      - The minimum capacity of the service's scalable target, set once the new deployment
        has completed.
    type: int
  auto_scaling_max:
    description:
      - The maximum capacity of the service's scalable target, set once the new deployment
        has completed.
    type: int
  deployment_config_name:
    description:
      - The CodeDeploy deployment configuration, such as V(CodeDeployDefault.ECSAllAtOnce).
        Defaults to the deployment group's.
    type: str
  rollback_events:
    description:
      - The events on which CodeDeploy rolls a blue/green deployment back by itself.
    type: list
    elements: str
    choices: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST]
  force_new_deployment:
    description:
      - Start a new deployment even when nothing changed, for example to pull a mutable
        image tag again.
    type: bool
    default: false
  skip_task_definition:
    description:
      - Keep the task definition the service runs; only the service is compared and
        updated. With O(desired_count) this is C(ecspresso scale).
    type: bool
    default: false
extends_documentation_fragment:
  - ecsops.ecspresso.aws
  - ecsops.ecspresso.codedeploy
  - ecsops.ecspresso.templates
attributes:
  check_mode:
    support: full
    description: Makes no call that changes anything and predicts C(changed) exactly.
  diff_mode:
    support: full
    description: Shows the task definition and service definition differences.
  idempotent:
    support: full
    description: A second run with the same definitions changes nothing.
"""

EXAMPLES = r"""
- name: Deploy from an ecspresso configuration file
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml

- name: Deploy definitions rendered from templates with the inventory's variables
  ecsops.ecspresso.ecspresso_deploy:
    cluster: production
    service: web
    task_definition: "{{ lookup('ansible.builtin.template', 'web/task-def.json.j2') }}"
    service_definition: "{{ lookup('ansible.builtin.template', 'web/service-def.json.j2') }}"
    timeout: 15m

- name: Deploy an existing ecspresso configuration, with its envfile and Jsonnet variables
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.jsonnet
    envfile:
      - services/web/production.env
    ext_str:
      stage: production
    ext_code:
      replicas: 3

- name: Scale without touching the task definition (ecspresso scale)
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
    skip_task_definition: true
    desired_count: 6

- name: Deploy, and go back to the revision that ran before if the new one fails
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
    rollback_on_failure: true
    deregister_failed: true
    fail_if_in_progress: true

- name: Scale only, and resume auto scaling with new bounds (ecspresso scale)
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
    skip_task_definition: true
    resume_auto_scaling: true
    auto_scaling_min: 5
    auto_scaling_max: 50

- name: Deploy against the collection's local AWS
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
    endpoint_url: http://127.0.0.1:4566
    region: us-east-1
    access_key: testing
    secret_key: testing
"""

RETURN = r"""
task_definition_arn:
  description:
    - ARN of the task definition revision deployed (or that would be).
    - When the rollout failed, the revision that failed; RV(running_task_definition) is the
      one the service runs.
  returned: always
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
service:
  description: The service after the deploy.
  returned: always
  type: dict
  contains:
    service_name:
      description: Name of the service.
      type: str
      sample: web
    service_arn:
      description: ARN of the service.
      type: str
      sample: arn:aws:ecs:us-east-1:123456789012:service/production/web
    status:
      description: Status of the service.
      type: str
      sample: ACTIVE
    task_definition:
      description: The task definition of the service.
      type: str
      sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
    desired_count:
      description: Number of tasks the service should run.
      type: int
      sample: 2
    running_count:
      description: Number of tasks running.
      type: int
      sample: 2
    pending_count:
      description: Number of tasks starting.
      type: int
      sample: 0
    deployments:
      description: The deployments of the service, PRIMARY first.
      type: list
      elements: dict
      sample:
        - id: ecs-svc/1234567890123456789
          status: PRIMARY
          rollout_state: COMPLETED
          task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
          desired_count: 2
          running_count: 2
events:
  description: What the deploy did and saw, oldest first.
  returned: always
  type: list
  elements: dict
  sample:
    - time: "2026-12-03T10:00:00+00:00"
      service: web
      message: registered web:7
failure:
  description:
    - How a failed deploy ended.
    - V(failed), the deployment was marked C(FAILED) (the circuit breaker, without rollback);
      V(rolled_back), the circuit breaker rolled it back; V(tasks_failing), its tasks kept
      failing to start and the service has no circuit breaker; V(superseded), another
      deployment (another run, the console) replaced it before it completed; V(timeout);
      V(in_progress), another deployment was in progress and O(fail_if_in_progress) is set.
  returned: when the rollout failed
  type: str
  sample: tasks_failing
rolled_back:
  description:
    - Whether the service was put back on the task definition it ran before, by the circuit
      breaker or by O(rollback_on_failure).
  returned: when the rollout failed
  type: bool
  sample: true
running_task_definition:
  description: The task definition the service's PRIMARY deployment runs after a failure.
  returned: when the rollout failed
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:6
codedeploy_deployment_id:
  description: The CodeDeploy deployment of a blue/green deploy.
  returned: when a CodeDeploy deployment was created
  type: str
  sample: d-A1B2C3D4E
appspec:
  description: The AppSpec of a blue/green deploy, as sent (or that would be).
  returned: when a C(CODE_DEPLOY) service gets a new task definition
  type: dict
auto_scaling:
  description:
    - What was changed on the service's scalable target (C(SuspendedState),
      C(MinCapacity), C(MaxCapacity)), as sent.
  returned: when auto scaling was changed
  type: dict
  sample:
    SuspendedState:
      DynamicScalingInSuspended: false
      DynamicScalingOutSuspended: false
      ScheduledScalingSuspended: false
    MinCapacity: 5
deregistered:
  description: Task definition revisions deregistered because of O(deregister_failed).
  returned: when a failed revision was deregistered
  type: list
  elements: str
  sample: [arn:aws:ecs:us-east-1:123456789012:task-definition/web:7]
stopped_tasks:
  description: Why the failed deployment's last tasks stopped, one line each.
  returned: when the rollout failed
  type: list
  elements: str
  sample:
    - "task 0f3e... TaskFailedToStart: CannotPullContainerError: ..."
service_events:
  description: The service's last events, newest first, when the rollout failed.
  returned: when the rollout failed
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecsops.ecspresso.plugins.module_utils.runs import (
    DEPLOY_ARGUMENT_SPEC,
    run_deploy,
    run_module,
)


def main():
    module = AnsibleModule(argument_spec=DEPLOY_ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run_deploy)


if __name__ == "__main__":
    main()
