#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecspresso_info
short_description: Show an Amazon ECS service's definitions, diff, status, revisions and checks
version_added: 0.1.0
description:
  - Read-only views of one ECS service, as the C(ecspresso render), C(diff), C(status),
    C(revisions), C(appspec) and C(verify) commands give them. Nothing in AWS is changed,
    in check mode or not, and the task always reports C(changed=false).
  - O(show) picks the views, each returned under its own key.
  - V(render) returns the config file as loaded and the task and service definitions
    exactly as M(ecsops.ecspresso.ecspresso_deploy) would send them (RV(rendered)).
  - V(diff) returns what a deploy of the definitions would change, as a unified diff
    (RV(diff_text), RV(would_change)). The task reports no change, so Ansible's output
    does not show it as a diff; register the result, or run the deploy in check mode with
    C(--diff) to see the differences in the output.
  - V(status) returns the deployments with their rollout state, the task sets, the
    Application Auto Scaling settings and the service's last O(events) events
    (RV(status)). The service must exist.
  - V(revisions) returns the family's C(ACTIVE) task definition revisions, newest first,
    saying which one the service runs and which ones a deployment or task set uses
    (RV(revisions)).
  - V(appspec) returns the AppSpec a blue/green deploy of a C(CODE_DEPLOY) service would
    send to CodeDeploy (RV(appspec)).
  - V(verify) checks that what the definitions refer to exists (the cluster, the task
    and execution roles, Amazon ECR images, Secrets Manager secrets and SSM parameters,
    C(awslogs) log groups, target groups and the container and port they point to), one
    line each (RV(verify)), and fails when one does not. Secret and parameter values are
    never read, only described.
author:
  - ecsops.ecspresso maintainers (@ecsops)
options:
  config:
    description:
      - Path to an ecspresso configuration file (C(ecspresso.yml), C(.yaml), C(.json) or
        C(.jsonnet)), relative to the playbook's folder, read as for
        M(ecsops.ecspresso.ecspresso_deploy). Options given to the module win over the
        file.
    type: path
  cluster:
    description:
      - Name of the ECS cluster. Defaults to C(cluster) in O(config), then to C(cluster) in
        the service definition, then to V(default).
    type: str
  service:
    description:
      - Name of the ECS service. Defaults to C(service) in O(config), then to
        C(serviceName) in the service definition; one of them must name it.
    type: str
  task_definition:
    description:
      - The task definition, given as for M(ecsops.ecspresso.ecspresso_deploy). Defaults to
        C(task_definition) in O(config).
      - Needed by V(render), V(diff), V(appspec) and V(verify). V(revisions) lists its
        family when given, else the family of the task definition the service runs.
    type: raw
  service_definition:
    description:
      - The service definition, given as for M(ecsops.ecspresso.ecspresso_deploy). Defaults
        to C(service_definition) in O(config).
      - Needed by V(render), V(diff), V(appspec) and V(verify).
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
  show:
    description: The views to return, in any order.
    type: list
    elements: str
    choices: [render, diff, status, revisions, verify, appspec]
    default: [status]
  events:
    description: How many of the service's last events V(status) returns.
    type: int
    default: 10
  revisions:
    description: How many revisions V(revisions) returns at most, the newest ones.
    type: int
    default: 20
  timeout:
    description:
      - Accepted and not used; the module does not wait for anything.
    type: str
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
      - Runs the same in check mode; it changes nothing in either.
  diff_mode:
    support: full
    details:
      - With V(diff) in O(show), the differences a deploy would make show as Ansible diffs.
  idempotent:
    description: Whether a second run with the same options changes nothing.
    support: full
    details:
      - It only reads.
seealso:
  - module: ecsops.ecspresso.ecspresso_deploy
    description: Deploy the definitions that V(diff) compares.
  - module: ecsops.ecspresso.ecspresso_rollback
    description: Go back to one of the revisions that V(revisions) lists.
  - module: ecsops.ecspresso.ecspresso_run
    description: Run one-off tasks of a service.
  - name: ecspresso
    description: The deploy tool for Amazon ECS whose read-only commands this module follows.
    link: https://github.com/kayac/ecspresso
"""

EXAMPLES = r"""
# Before a release: what would a deploy change? Nothing is changed.
- name: Compare web's definitions with what runs
  ecsops.ecspresso.ecspresso_info:
    config: services/web/ecspresso.yml
    show: [diff]
  register: web_diff

- name: Show the differences
  ansible.builtin.debug:
    msg: "{{ web_diff.diff_text if web_diff.would_change else 'web runs its definitions already' }}"

# A check to run in a pipeline before deploying: fails, naming what is missing, when an
# image, a role, a secret, a log group or a target group does not exist.
- name: Check that what web's definitions refer to exists
  ecsops.ecspresso.ecspresso_info:
    config: services/web/ecspresso.yml
    show: [verify]

# Exactly what a deploy would send, after the templates are rendered.
- name: Render web's definitions
  ecsops.ecspresso.ecspresso_info:
    config: services/web/ecspresso.yml
    show: [render]
  register: web_rendered

- name: Show the images web would run
  ansible.builtin.debug:
    msg: >-
      {{ web_rendered.rendered.task_definition.containerDefinitions
         | map(attribute='image') | list }}

# How a service is doing, and which revisions a rollback could go back to.
- name: Read web's deployments, last events and revisions
  ecsops.ecspresso.ecspresso_info:
    cluster: production
    service: web
    show: [status, revisions]
    events: 5
    revisions: 10
  register: web_state

- name: Show the revision web runs and the ones before it
  ansible.builtin.debug:
    msg: >-
      web runs {{ web_state.status.task_definition }}
      ({{ web_state.status.deployments[0].rollout_state }});
      revisions {{ web_state.revisions | map(attribute='revision') | join(', ') }}

# The AppSpec a blue/green deploy of a CODE_DEPLOY service would send to CodeDeploy.
- name: Show the AppSpec of the next deploy of api
  ecsops.ecspresso.ecspresso_info:
    config: services/api/ecspresso.yml
    show: [appspec]
  register: api_appspec
"""

RETURN = r"""
rendered:
  description: The config as loaded, and the definitions as a deploy would send them.
  returned: when O(show) has V(render)
  type: dict
  contains:
    config:
      description: The config file as loaded, its templates rendered.
      returned: when O(config) is given
      type: dict
      sample:
        cluster: production
        service: web
        task_definition: task-def.json
        service_definition: service-def.json
        timeout: 600.0
    task_definition:
      description: The C(RegisterTaskDefinition) request.
      type: dict
      sample:
        family: web
        containerDefinitions:
          - name: app
            image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2
    service_definition:
      description: The C(CreateService) request, with C(cluster) and C(serviceName).
      type: dict
      sample:
        cluster: production
        serviceName: web
        desiredCount: 2
        launchType: FARGATE
would_change:
  description: Whether a deploy of the definitions would change something.
  returned: when O(show) has V(diff)
  type: bool
  sample: true
diff_text:
  description:
    - What a deploy would change, as a unified diff of the live and desired definitions;
      empty when nothing.
  returned: when O(show) has V(diff)
  type: str
  sample: |
    --- task definition web (live)
    +++ task definition web (desired)
    @@ -3,7 +3,7 @@
         {
           "cpu": 0,
           "essential": true,
    -      "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.1",
    +      "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2",
           "name": "app"
         }
       ],
appspec:
  description:
    - The AppSpec a blue/green deploy would send, as the C(appspec) that
      M(ecsops.ecspresso.ecspresso_deploy) returns.
    - Its C(TaskDefinition) is the revision the deploy would run,
      V(<family>:(new revision\)) when it would register one.
  returned: when O(show) has V(appspec)
  type: dict
  sample:
    version: 1
    Resources:
      - TargetService:
          Properties:
            TaskDefinition: arn:aws:ecs:us-east-1:123456789012:task-definition/api:4
            LoadBalancerInfo:
              ContainerName: app
              ContainerPort: 8080
status:
  description:
    - The service, with the same keys as the C(service) that
      M(ecsops.ecspresso.ecspresso_deploy) returns, and the ones below.
  returned: when O(show) has V(status)
  type: dict
  contains:
    task_sets:
      description: The task sets of a C(CODE_DEPLOY) or C(EXTERNAL) service; empty for others.
      type: list
      elements: dict
      sample:
        - id: ecs-svc/1234567890123456789
          status: PRIMARY
          task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/api:4
          running_count: 2
          stability_status: STEADY_STATE
          scale:
            unit: PERCENT
            value: 100.0
    events:
      description: The service's last O(events) events, newest first.
      type: list
      elements: dict
      sample:
        - time: "2026-12-03T10:02:11+00:00"
          message: (service web) has reached a steady state.
    auto_scaling:
      description:
        - The service's Application Auto Scaling scalable target; null without one.
      type: dict
      contains:
        min_capacity:
          description: The minimum number of tasks.
          type: int
          sample: 2
        max_capacity:
          description: The maximum number of tasks.
          type: int
          sample: 20
        suspended:
          description: Which scaling is suspended.
          type: dict
          sample:
            dynamic_scaling_in: false
            dynamic_scaling_out: false
            scheduled_scaling: false
        policies:
          description: The names of the scaling policies.
          type: list
          elements: str
          sample:
            - web-cpu-target-tracking
  sample:
    service_name: web
    status: ACTIVE
    task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
    desired_count: 2
    running_count: 2
    pending_count: 0
revisions:
  description: The family's C(ACTIVE) revisions, newest first, at most O(revisions).
  returned: when O(show) has V(revisions)
  type: list
  elements: dict
  contains:
    task_definition_arn:
      description: ARN of the revision.
      type: str
      sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
    revision:
      description: The revision number.
      type: int
      sample: 7
    running:
      description: Whether the service runs it.
      type: bool
      sample: true
    in_use:
      description: Whether a deployment or a task set of the service uses it.
      type: bool
      sample: true
verify:
  description:
    - One check a line, in the order a deploy needs them.
  returned: when O(show) has V(verify), also when a check failed
  type: list
  elements: dict
  contains:
    name:
      description: What was checked.
      type: str
      sample: container app image 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2
    result:
      description:
        - V(OK), V(NG) (missing or unreadable) or V(SKIP) (not checked, such as an image
          outside Amazon ECR).
      type: str
      sample: OK
    detail:
      description: Why, in a few words.
      type: str
      sample: exists
events:
  description:
    - One event per check of V(verify), oldest first, each with C(time) (ISO 8601, UTC),
      C(service) and C(message); empty without V(verify).
  returned: always
  type: list
  elements: dict
  sample:
    - time: "2026-12-03T10:00:00+00:00"
      service: web
      message: "OK cluster production: ACTIVE"
source:
  description: The file or option the bad input was found in.
  returned: when the input was refused
  type: str
  sample: services/web/ecspresso.yml
field:
  description: The option or field at fault, when one is.
  returned: when the input was refused
  type: str
  sample: loadBalancers
fix:
  description: What to change, when the module can say.
  returned: when the input was refused, or a template could not read a value
  type: str
  sample: set service in the config or the service option
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecsops.ecspresso.plugins.module_utils.runs import (
    INFO_ARGUMENT_SPEC,
    run_info,
    run_module,
)


def main():
    module = AnsibleModule(argument_spec=INFO_ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run_info)


if __name__ == "__main__":
    main()
