#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecspresso_rollback
short_description: Roll an Amazon ECS service back to an earlier task definition revision
version_added: 0.1.0
description:
  - Puts an ECS service back on an earlier task definition revision, as
    C(ecspresso rollback) does. By default that is the newest C(ACTIVE) revision of the
    family that is older than the one the service runs; O(revision) names another.
  - Waits until the rollback's deployment has reached O(wait_until), then deregisters the
    revision it rolled back from, unless O(deregister_task_definition=false). Deregistering
    without waiting is refused, because the old revision may run tasks until the rollback
    has completed.
  - Each run goes one revision further back (and, by default, deregisters one more), so a
    play that rolls back should run once, for the services meant, such as with
    C(--limit).
  - The next deploy of the service's definitions deploys them again; fix them too, or the
    rollback lasts only until then.
  - For a service whose C(deploymentController) is C(CODE_DEPLOY), a CodeDeploy deployment
    still in progress is stopped with automatic rollback, and that rollback is waited for;
    O(revision) is not used and nothing is deregistered then. Without one in progress, the
    earlier revision is deployed through a new CodeDeploy deployment, and deregistering
    works as for other services.
  - Auto scaling is left as it is.
author:
  - ecsops.ecspresso maintainers (@ecsops)
options:
  config:
    description:
      - Path to an ecspresso configuration file (C(ecspresso.yml), C(.yaml), C(.json) or
        C(.jsonnet)), relative to the playbook's folder. Its C(region), C(cluster),
        C(service), C(timeout), C(codedeploy) and C(appspec) are used, after its templates
        are rendered (see O(envfile), O(ext_str) and O(ext_code)); the definition files
        it names are not read. Options given to the module win over the file.
    type: path
  cluster:
    description:
      - Name of the ECS cluster. Defaults to C(cluster) in O(config), then to V(default).
    type: str
  service:
    description:
      - Name of the ECS service. Defaults to C(service) in O(config); one of them must name
        it.
    type: str
  revision:
    description:
      - The revision to roll back to, as a number (V(6)), as V(family:revision) or as a task
        definition ARN. It must be an C(ACTIVE) revision of the family the service runs,
        other than the one it runs.
      - Defaults to the newest C(ACTIVE) revision of that family older than the one the
        service runs.
    type: str
  deregister_task_definition:
    description:
      - Deregister the revision rolled back from once the rollback has completed. Its tasks
        that still run keep running; nothing can deploy it again.
      - V(true) needs O(wait=true).
    type: bool
    default: true
  wait:
    description:
      - Wait until the rollback has reached O(wait_until).
      - V(false) needs O(deregister_task_definition=false).
    type: bool
    default: true
  wait_until:
    description:
      - V(deployed) waits until ECS reports the rollback's deployment C(COMPLETED), it is
        the only deployment left, and it runs all its desired tasks; V(stable) waits only
        until it is the only deployment left and runs all its desired tasks.
      - Not used for C(CODE_DEPLOY) services, which wait until their CodeDeploy deployment
        has C(Succeeded).
    type: str
    choices: [deployed, stable]
    default: deployed
  timeout:
    description:
      - How long to wait, as a duration such as V(10m) or V(1h30m), or a number of seconds
        such as V(600).
      - Defaults to C(timeout) in O(config), then to 10 minutes.
    type: str
extends_documentation_fragment:
  - ecsops.ecspresso.controller
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
  - ecsops.ecspresso.aws
  - ecsops.ecspresso.codedeploy
  - ecsops.ecspresso.templates
attributes:
  check_mode:
    support: full
    details:
      - Changes nothing, and says which revision the service would go back to
        (RV(task_definition_arn)) and which would be deregistered (RV(deregistered)).
  diff_mode:
    support: full
    details:
      - Shows the service's task definition before and after.
  idempotent:
    description: Whether a second run with the same options changes nothing.
    support: none
    details:
      - Each run goes one revision further back.
seealso:
  - module: ecsops.ecspresso.ecspresso_deploy
    description: >-
      Deploy a service from its definitions; it can roll back by itself when a rollout
      fails.
  - module: ecsops.ecspresso.ecspresso_info
    description: List a service's revisions (which one runs, which are in use) before choosing one.
  - module: ecsops.ecspresso.ecspresso_run
    description: Run one-off tasks of a service.
  - name: ecspresso
    description: The deploy tool for Amazon ECS whose C(rollback) command this module follows.
    link: https://github.com/kayac/ecspresso
"""

EXAMPLES = r"""
# After a release that completed but misbehaves: back to the revision before the one the
# service runs, and deregister the bad one so that nothing deploys it again by mistake.
- name: Roll web back to the revision before the one it runs
  ecsops.ecspresso.ecspresso_rollback:
    config: services/web/ecspresso.yml

# Further back, to a known good revision, keeping the current one registered.
- name: Roll web back to revision 41
  ecsops.ecspresso.ecspresso_rollback:
    cluster: production
    service: web
    revision: "41"
    deregister_task_definition: false
    timeout: 15m

# See where a rollback would go, without changing anything.
- name: Preview a rollback of web
  ecsops.ecspresso.ecspresso_rollback:
    config: services/web/ecspresso.yml
  check_mode: true
  register: web_rollback

- name: Show where the rollback would go
  ansible.builtin.debug:
    msg: >-
      web would go from {{ web_rollback.rolled_back_from }}
      back to {{ web_rollback.task_definition_arn }}

# A blue/green service: a CodeDeploy deployment in progress is stopped and rolled back by
# CodeDeploy; otherwise the earlier revision goes out through a new CodeDeploy deployment.
- name: Roll the blue/green service api back through CodeDeploy
  ecsops.ecspresso.ecspresso_rollback:
    config: services/api/ecspresso.yml
    codedeploy_application: AppECS-production-api
    codedeploy_deployment_group: DgpECS-production-api
"""

RETURN = r"""
task_definition_arn:
  description:
    - The revision the service was rolled back to (in check mode, would be).
    - When a blue/green deployment in progress was stopped, the revision the service runs.
  returned: success, and when the rollout failed after the service was updated
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:6
rolled_back_from:
  description:
    - The revision the service ran before.
    - Null when a blue/green deployment in progress was stopped.
  returned: success, and when the rollout failed after the service was updated
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
deregistered:
  description: The revisions deregistered (in check mode, that would be); empty when none.
  returned: success, and when the rollout failed after the service was updated
  type: list
  elements: str
  sample:
    - arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
service:
  description:
    - The service after the rollback (in check mode, as it is), with the same keys as the
      C(service) that M(ecsops.ecspresso.ecspresso_deploy) returns.
  returned: success
  type: dict
  sample:
    service_name: web
    service_arn: arn:aws:ecs:us-east-1:123456789012:service/production/web
    status: ACTIVE
    task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/web:6
    desired_count: 2
    running_count: 2
    pending_count: 0
    deployments:
      - id: ecs-svc/1234567890123456789
        status: PRIMARY
        task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/web:6
        desired_count: 2
        running_count: 2
        rollout_state: COMPLETED
        rollout_state_reason: ECS deployment ecs-svc/1234567890123456789 completed.
        updated_at: "2026-12-03T10:04:40+00:00"
stopped_deployment:
  description:
    - The CodeDeploy deployment in progress that was stopped (in check mode, would be) to
      roll it back.
  returned: when a blue/green deployment in progress was stopped
  type: str
  sample: d-A1B2C3D4E
codedeploy_deployment_id:
  description: The CodeDeploy deployment of the earlier revision.
  returned: when a C(CODE_DEPLOY) service was rolled back by a new deployment that succeeded
  type: str
  sample: d-F5G6H7I8J
events:
  description:
    - What the rollback did and saw, oldest first, one event per line printed, each with
      C(time) (ISO 8601, UTC), C(service) and C(message).
  returned: always
  type: list
  elements: dict
  sample:
    - time: "2026-12-03T10:00:00+00:00"
      service: web
      message: rolling back from web:7 to web:6
failure:
  description:
    - How a failed rollback ended, as for M(ecsops.ecspresso.ecspresso_deploy).
    - V(rolled_back), the circuit breaker (or CodeDeploy) rolled the rollback's deployment
      back; V(failed), ECS or CodeDeploy marked it failed; V(stopped), the CodeDeploy
      deployment was stopped; V(tasks_failing), its tasks kept failing to start and the
      service has no circuit breaker; V(timeout), O(timeout) passed; V(missing), the
      service was deleted while the module waited.
  returned: when the rollout failed
  type: str
  sample: timeout
rolled_back:
  description:
    - Whether the rollback's own deployment was rolled back in turn, by the circuit breaker
      or by CodeDeploy.
  returned: when the rollout failed and ECS or CodeDeploy reported how
  type: bool
  sample: false
running_task_definition:
  description: The task definition the service's PRIMARY deployment runs after the failure.
  returned: when the rollout of a service deployed by ECS failed
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
stopped_tasks:
  description: Why the rollback's last tasks stopped, newest first, one line each.
  returned: when the rollout of a service deployed by ECS failed
  type: list
  elements: str
  sample:
    - "task 0f3e9c2b TaskFailedToStart: ResourceInitializationError: unable to pull secrets"
service_events:
  description: The service's last events, newest first.
  returned: when the rollout failed
  type: list
  elements: str
  sample:
    - (service web) has started 1 tasks (task 0f3e9c2b).
deployment_id:
  description: The CodeDeploy deployment that failed.
  returned: when a blue/green rollout failed
  type: str
  sample: d-F5G6H7I8J
source:
  description: Where the bad input was found, such as V(module options) or the O(config) file.
  returned: when the input was refused
  type: str
  sample: module options
field:
  description: The option or field at fault, when one is.
  returned: when the input was refused
  type: str
  sample: revision
fix:
  description: What to change, when the module can say.
  returned: when the input was refused
  type: str
  sample: give a revision of web that is registered
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecsops.ecspresso.plugins.module_utils.runs import (
    ROLLBACK_ARGUMENT_SPEC,
    run_module,
    run_rollback,
)


def main():
    module = AnsibleModule(argument_spec=ROLLBACK_ARGUMENT_SPEC, supports_check_mode=True)
    run_module(module, run_rollback)


if __name__ == "__main__":
    main()
