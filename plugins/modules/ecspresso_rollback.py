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
  - Puts an ECS service back on the C(ACTIVE) task definition revision before the one it
    runs, or on a given revision, as C(ecspresso rollback) does.
  - Waits until the rollback's deployment has reached O(wait_until), then deregisters the
    revision it rolled back from, unless O(deregister_task_definition=false).
  - Deregistering without waiting is refused, because the old revision may still run
    tasks until the rollback has completed.
  - For a C(CODE_DEPLOY) service, a CodeDeploy deployment in progress is stopped with
    automatic rollback (and that rollback waited for); without one, the earlier revision
    is deployed through a new CodeDeploy deployment. Deregistering works as for other
    services.
  - Each run goes one revision further back (and, by default, deregisters one more), so a
    play that rolls back should run once, for the services meant.
  - The next deploy of the service's definitions deploys them again; change them too, or
    the rollback lasts until then.
  - Runs on the Ansible controller; its action plugin shows the progress of the rollout as
    it happens, one line per event, prefixed with the service name.
author:
  - ecsops.ecspresso maintainers (@ecsops)
options:
  config:
    description:
      - Path to an ecspresso configuration file (C(ecspresso.yml), C(.yaml), C(.json) or
        C(.jsonnet)); its C(region), C(cluster), C(service) and C(timeout) are used, after
        its templates are rendered (O(envfile), O(ext_str), O(ext_code)). Options given to
        the module win over the file.
    type: path
  cluster:
    description:
      - Name of the ECS cluster. Defaults to C(cluster) in O(config), then V(default).
    type: str
  service:
    description:
      - Name of the ECS service. Defaults to C(service) in O(config).
    type: str
  revision:
    description:
      - The revision to roll back to, as a number (V(6)), C(family:revision) or an ARN.
      - Defaults to the newest C(ACTIVE) revision of the service's task definition family
        older than the one it runs.
    type: str
  deregister_task_definition:
    description:
      - Deregister the revision rolled back from once the rollback has completed.
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
      - V(deployed) waits until the PRIMARY deployment runs the revision rolled back to and
        is C(COMPLETED); V(stable) until it is the only deployment and runs all its tasks.
    type: str
    choices: [deployed, stable]
    default: deployed
  timeout:
    description:
      - How long to wait, in seconds, or as a duration such as V(10m).
      - Defaults to C(timeout) in O(config), then to 10 minutes.
    type: str
extends_documentation_fragment:
  - ecsops.ecspresso.aws
  - ecsops.ecspresso.codedeploy
  - ecsops.ecspresso.templates
attributes:
  check_mode:
    support: full
    description: Says which revision it would roll back to, and changes nothing.
  diff_mode:
    support: full
    description: Shows the service's task definition before and after.
  idempotent:
    support: none
    description: Each run goes one revision further back.
"""

EXAMPLES = r"""
- name: Roll back to the revision before the one running, and deregister the bad one
  ecsops.ecspresso.ecspresso_rollback:
    config: services/web/ecspresso.yml

- name: Roll back to a given revision, keeping the current one registered
  ecsops.ecspresso.ecspresso_rollback:
    cluster: production
    service: web
    revision: "41"
    deregister_task_definition: false
    timeout: 15m
"""

RETURN = r"""
task_definition_arn:
  description: The revision the service was rolled back to (or would be, in check mode).
  returned: always
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:6
rolled_back_from:
  description: The revision the service ran before.
  returned: always
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
deregistered:
  description: The revisions deregistered (in check mode, that would be).
  returned: success
  type: list
  elements: str
  sample: [arn:aws:ecs:us-east-1:123456789012:task-definition/web:7]
service:
  description:
    - The service after the rollback, with the keys that M(ecsops.ecspresso.ecspresso_deploy)
      returns.
  returned: always
  type: dict
  sample:
    service_name: web
    task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/web:6
stopped_deployment:
  description: The CodeDeploy deployment stopped to roll it back.
  returned: when a blue/green deployment in progress was stopped
  type: str
  sample: d-A1B2C3D4E
codedeploy_deployment_id:
  description: The CodeDeploy deployment of the earlier revision.
  returned: when a C(CODE_DEPLOY) service was rolled back by a new deployment
  type: str
events:
  description: What the rollback did and saw, oldest first.
  returned: always
  type: list
  elements: dict
  sample:
    - time: "2026-12-03T10:00:00+00:00"
      service: web
      message: rolling back from web:7 to web:6
failure:
  description: How a failed rollback ended, as for M(ecsops.ecspresso.ecspresso_deploy).
  returned: when the rollout failed
  type: str
  sample: timeout
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
