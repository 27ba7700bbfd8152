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
    C(revisions) and C(verify) commands give them. Nothing in AWS is changed, in check
    mode or not.
  - V(render) returns the config file as loaded and the task and service definitions
    exactly as M(ecsops.ecspresso.ecspresso_deploy) would send them.
  - V(diff) returns, as a unified diff, what a deploy would change; with C(--diff) the
    differences also show as Ansible diffs.
  - V(status) returns the deployments with their rollout state, the task sets, the auto
    scaling settings and the last O(events) service events.
  - V(revisions) returns the family's C(ACTIVE) revisions, newest first, saying which one
    the service runs and which ones are in use by a deployment or task set.
  - V(appspec) returns the AppSpec a blue/green deploy of a C(CODE_DEPLOY) service would
    send to CodeDeploy.
  - V(verify) checks that what the definitions refer to exists (the cluster, the roles,
    Amazon ECR images, secrets and SSM parameters, log groups, target groups and the
    container name and port they point to), one line each, and fails when one does not.
    Secret values are never read.
author:
  - ecsops.ecspresso maintainers (@ecsops)
options:
  config:
    description:
      - Path to an ecspresso configuration file (C(ecspresso.yml)), relative to the
        playbook's folder. Options win over the file.
    type: path
  cluster:
    description:
      - Name of the ECS cluster. Defaults to C(cluster) in O(config), then V(default).
    type: str
  service:
    description: Name of the ECS service. Defaults to C(service) in O(config).
    type: str
  task_definition:
    description:
      - The task definition, as for M(ecsops.ecspresso.ecspresso_deploy). Needed by
        V(render), V(diff) and V(verify).
    type: raw
  service_definition:
    description:
      - The service definition, as for M(ecsops.ecspresso.ecspresso_deploy). Needed by
        V(render), V(diff) and V(verify).
    type: raw
  definition_sources:
    description: Names to use in messages for the definitions given as text or a mapping.
    type: dict
    suboptions:
      task_definition:
        description: Where the task definition came from.
        type: str
      service_definition:
        description: Where the service definition came from.
        type: str
  show:
    description: What to return.
    type: list
    elements: str
    choices: [render, diff, status, revisions, verify, appspec]
    default: [status]
  events:
    description: How many of the service's last events V(status) returns.
    type: int
    default: 10
  revisions:
    description: How many revisions V(revisions) returns at most.
    type: int
    default: 20
  timeout:
    description: Read from O(config) like the other modules; not used here.
    type: str
extends_documentation_fragment:
  - ecsops.ecspresso.aws
  - ecsops.ecspresso.templates
attributes:
  check_mode:
    support: full
    description: Makes no change in any mode.
  diff_mode:
    support: full
    description: With V(diff) in O(show), the differences show as Ansible diffs.
  idempotent:
    support: full
    description: Reads only.
"""

EXAMPLES = r"""
- name: What would a deploy change?
  ecsops.ecspresso.ecspresso_info:
    config: services/web/ecspresso.yml
    show: [diff]
  register: web

- name: Show it
  ansible.builtin.debug:
    msg: "{{ web.diff_text }}"

- name: Status and revisions of a service
  ecsops.ecspresso.ecspresso_info:
    cluster: production
    service: web
    show: [status, revisions]
    events: 5

- name: Check what the definitions refer to before deploying
  ecsops.ecspresso.ecspresso_info:
    config: services/web/ecspresso.yml
    show: [verify]
"""

RETURN = r"""
rendered:
  description: The config as loaded and the definitions as a deploy would send them.
  returned: when O(show) has V(render)
  type: dict
  contains:
    config:
      description: The config file as loaded, when O(config) is given.
      type: dict
    task_definition:
      description: The C(RegisterTaskDefinition) request.
      type: dict
    service_definition:
      description: The C(CreateService) request.
      type: dict
would_change:
  description: Whether a deploy would change something.
  returned: when O(show) has V(diff)
  type: bool
diff_text:
  description: What a deploy would change, as a unified diff; empty when nothing.
  returned: when O(show) has V(diff)
  type: str
appspec:
  description: The AppSpec a blue/green deploy would send.
  returned: when O(show) has V(appspec)
  type: dict
status:
  description:
    - The service as M(ecsops.ecspresso.ecspresso_deploy) returns it, with C(task_sets),
      C(events) (newest first) and C(auto_scaling) (C(min_capacity), C(max_capacity),
      C(suspended), C(policies); null without a scalable target).
  returned: when O(show) has V(status)
  type: dict
revisions:
  description: The family's ACTIVE revisions, newest first.
  returned: when O(show) has V(revisions)
  type: list
  elements: dict
  sample:
    - task_definition_arn: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
      revision: 7
      running: true
      in_use: true
verify:
  description:
    - One check a line, each with C(name), C(result) (C(OK), C(NG) or C(SKIP)) and
      C(detail).
  returned: when O(show) has V(verify)
  type: list
  elements: dict
  sample:
    - name: cluster production
      result: OK
      detail: ACTIVE
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
