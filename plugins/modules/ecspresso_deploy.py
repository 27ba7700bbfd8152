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
  - Deploys one ECS service as C(ecspresso deploy) does, from a task definition and a
    service definition kept as files (named by an ecspresso configuration file, or by
    path) or given inline (a mapping, or the text a template lookup returns).
  - Both definitions are compared with what runs, after the defaults ECS fills in are
    filled in on both sides and unordered lists (environment, secrets, port mappings,
    tags, subnets, security groups, ...) are sorted. A new task definition revision is
    registered only when no revision equals the desired one (the one the service runs, or
    the family's latest, is reused when equal); the service is created when it is
    missing; only the service fields that differ are updated. A run with nothing to change
    changes nothing and reports C(changed=false).
  - When something changed, the module waits until the new deployment has reached
    O(wait_until). It fails when the deployment circuit breaker rolls the deployment back,
    when ECS marks it C(FAILED), when its tasks keep failing to start and the service has
    no circuit breaker, when another deployment replaces it, or when O(timeout) passes.
    RV(failure) says which; the message adds the stopped tasks' reasons and the service's
    last events.
  - With O(rollback_on_failure=true), a failed deployment is followed by one of the task
    definition that served before, which is waited for too; the task still fails.
  - A deployment already in progress when the module starts (from another run, the
    console, a pipeline) is waited for before anything is changed, unless
    O(fail_if_in_progress=true).
  - A service whose C(deploymentController) is C(CODE_DEPLOY) is deployed blue/green. The
    fields C(UpdateService) accepts for such a service are updated directly. A new task
    definition goes out through a CodeDeploy deployment whose AppSpec names it, the first
    load balancer's container and port, the platform version, the network configuration,
    the capacity provider strategy and the C(appspec) hooks of the O(config) file. The
    module waits until the deployment has C(Succeeded); C(Failed) or C(Stopped) fails the
    task, after CodeDeploy's own rollback when there is one (see O(rollback_events)). A new
    C(CODE_DEPLOY) service is waited for until its task set is in steady state.
  - Before any call that changes something, every definition is checked against the ECS
    API model (field names, types and allowed values), and the service definition against
    the task definition (network mode, load balancer container and port).
author:
  - ecsops.ecspresso maintainers (@ecsops)
options:
  config:
    description:
      - Path to an ecspresso configuration file (C(ecspresso.yml), C(.yaml), C(.json) or
        C(.jsonnet)), read as ecspresso reads it. A relative path starts from the
        playbook's folder.
      - Its keys C(region), C(cluster), C(service), C(task_definition),
        C(service_definition), C(timeout), C(plugins), C(ignore), C(codedeploy) (also
        spelled C(code_deploy)), C(appspec) and C(required_version) are used. Options given
        to the module win over them. C(filter_command) is accepted and not used; any other
        key is a warning.
      - Its own templates may use C(env), C(must_env) and C(json_escape); the definition
        files it names get the functions of its C(plugins) too (C(tfstate), C(ssm),
        C(secretsmanager_arn), C(cfn_output), ...). Paths in it start from its folder.
      - C(required_version) is read as ecspresso reads it, and is met when an ecspresso 2.x
        release meets it (C(>= 2.0.0)), as this collection reads ecspresso v2's files, or
        when this collection's own version does. Tags named in C(ignore.tags) are neither
        compared nor changed.
    type: path
  cluster:
    description:
      - Name of the ECS cluster.
      - Defaults to C(cluster) in O(config), then to C(cluster) in the service definition,
        then to V(default).
    type: str
  service:
    description:
      - Name of the ECS service.
      - Defaults to C(service) in O(config), then to C(serviceName) in the service
        definition. One of them must name it.
    type: str
  task_definition:
    description:
      - The task definition, with the fields of the ECS C(RegisterTaskDefinition) API, as a
        mapping, as JSON or YAML text (such as what the
        P(ansible.builtin.template#lookup) lookup returns), or as the path of a JSON, YAML
        or Jsonnet file.
      - A file is rendered as ecspresso renders it, Jsonnet evaluated first, then its
        templates applied (the C(must_env), C(env), C(tfstate), C(ssm), ... functions). A
        mapping or text is used as it is.
      - Both the plain shape and the shape C(aws ecs describe-task-definition) prints
        (under C(taskDefinition), read-only fields included) are accepted.
      - A relative path starts from the folder of the O(config) file when O(config) is
        given, else from the playbook's folder.
      - Defaults to C(task_definition) in O(config); one of them must give it, also with
        O(skip_task_definition=true) (it is then read and checked, not deployed).
    type: raw
  service_definition:
    description:
      - The service definition, with the fields of the ECS C(CreateService) API, given as
        O(task_definition) is.
      - Its C(serviceName) and C(cluster) name the service when neither the options nor
        O(config) do. C(taskDefinition) and C(clientToken) in it are ignored.
      - Fields left out are not managed, except those ECS gives a default (deployment
        configuration, propagate tags, managed tags, execute command, ...), which are
        compared with that default; removing the circuit breaker from the file turns it
        off. Tags set by other tools on the service are left alone.
      - A field that only C(CreateService) takes (C(launchType), C(schedulingStrategy),
        C(role), C(deploymentController)) and that differs from the live service gives a
        warning; recreate the service to change it.
      - Defaults to C(service_definition) in O(config); one of them must give it.
    type: raw
  definition_sources:
    description:
      - Names to use in messages for O(task_definition) and O(service_definition) when they
        are given as text or a mapping, such as the template they were rendered from.
        Without them, messages say C(task definition (given as text)).
    type: dict
    suboptions:
      task_definition:
        description: Where the task definition came from, such as V(web/task-def.json.j2).
        type: str
      service_definition:
        description: Where the service definition came from.
        type: str
  desired_count:
    description:
      - The number of tasks to run. Overrides C(desiredCount) of the service definition.
      - When neither sets it, the running count is left as it is (to auto scaling, for
        example); a new service then starts with one task.
    type: int
  wait:
    description:
      - Wait until the new deployment has reached O(wait_until).
      - With V(false), the module returns as soon as the service is updated, and a rollout
        that fails goes unnoticed. O(rollback_on_failure) needs V(true).
    type: bool
    default: true
  wait_until:
    description:
      - What the new deployment must reach for the deploy to succeed.
      - V(deployed) waits until ECS reports it C(COMPLETED), it is the only deployment
        left, and it runs all its desired tasks.
      - V(stable) waits until it is the only deployment left and runs all its desired
        tasks, as the C(services-stable) waiter does, whether ECS has reported it
        C(COMPLETED) or not.
      - Behind a Classic Load Balancer, where ECS reports no rollout state, both wait for
        the latter. Not used for C(CODE_DEPLOY) services, which wait for their CodeDeploy
        deployment.
    type: str
    choices: [deployed, stable]
    default: deployed
  timeout:
    description:
      - How long to wait, as a duration such as V(10m), V(90s) or V(1h30m), or a number of
        seconds such as V(600).
      - Defaults to C(timeout) in O(config) (where, as in ecspresso, a duration needs its
        unit), then to 10 minutes.
      - Waiting for a deployment already in progress counts toward it. A rollback done by
        O(rollback_on_failure) gets the whole time again.
    type: str
  rollback_on_failure:
    description:
      - When the new deployment fails (C(FAILED), tasks that keep failing to start, or a
        timeout), update the service back to the task definition that served before the
        deploy (the last one whose deployment completed) and wait for that deployment. The
        task still fails; RV(rolled_back) says whether the rollback succeeded.
      - A rollback by the deployment circuit breaker itself needs nothing from this option;
        the module waits for it and fails.
      - Needs O(wait=true). Not used for C(CODE_DEPLOY) services; see O(rollback_events).
    type: bool
    default: false
  deregister_failed:
    description:
      - After a rollback (by the circuit breaker, by CodeDeploy or by
        O(rollback_on_failure)), deregister the task definition revision that failed, so
        that nothing deploys it again by mistake (and M(ecsops.ecspresso.ecspresso_rollback)
        does not pick it).
    type: bool
    default: false
  fail_if_in_progress:
    description:
      - When a deployment of the service is already in progress, fail at once without
        changing anything (RV(failure=in_progress)), instead of waiting for it to end
        first.
      - A deployment in progress whose tasks keep failing is not waited for either way;
        the new deployment replaces it.
    type: bool
    default: false
  suspend_auto_scaling:
    description:
      - Suspend the service's Application Auto Scaling (dynamic scaling in and out, and
        scheduled scaling) right before the service is updated or its CodeDeploy deployment
        is created, so that scaling does not fight the rollout. Nothing is suspended when
        there is nothing to change.
      - Combine with O(resume_auto_scaling) to suspend and resume around one deploy.
      - A service without a scalable target gets a warning.
    type: bool
    default: false
  resume_auto_scaling:
    description:
      - Resume the service's Application Auto Scaling once the new deployment has completed
        (at once when there was nothing to deploy, or with O(wait=false)).
      - When the rollout fails, auto scaling is left as it was, and the message says so.
    type: bool
    default: false
  auto_scaling_min:
    description:
      - The minimum capacity of the service's scalable target, set once the new
        deployment has completed (at the moment O(resume_auto_scaling) resumes scaling),
        with or without O(resume_auto_scaling).
      - Refused when above O(auto_scaling_max), or above the target's maximum when
        O(auto_scaling_max) is not given.
    type: int
  auto_scaling_max:
    description:
      - The maximum capacity of the service's scalable target, set with
        O(auto_scaling_min).
    type: int
  deployment_config_name:
    description:
      - The CodeDeploy deployment configuration of a blue/green deploy, such as
        V(CodeDeployDefault.ECSAllAtOnce) or
        V(CodeDeployDefault.ECSCanary10Percent5Minutes).
      - Defaults to the deployment group's. C(codedeploy.deployment_config_name) in
        O(config) is not read.
    type: str
  rollback_events:
    description:
      - The events on which CodeDeploy rolls a blue/green deployment back by itself. Given,
        they turn CodeDeploy's automatic rollback on for this deployment; left out, the
        deployment group's settings apply.
    type: list
    elements: str
    choices: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST]
  force_new_deployment:
    description:
      - Start a new deployment even when nothing changed, for example to replace every task
        so that a mutable image tag such as C(latest) is pulled again.
    type: bool
    default: false
  skip_task_definition:
    description:
      - Keep the task definition the service runs; only the service definition is compared
        and updated. With O(desired_count), this is C(ecspresso scale). The service must
        exist.
    type: bool
    default: false
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
      - Makes no call that changes anything, and predicts C(changed) exactly.
      - A revision that would be registered shows in RV(task_definition_arn) as
        V(<family>:(new revision\)); RV(service) is empty for a service that would be
        created.
  diff_mode:
    support: full
    details:
      - Shows the task definition and service definition differences (live and desired),
        as they are compared.
  idempotent:
    description: Whether a second run with the same options changes nothing.
    support: full
    details:
      - A second run with the same definitions changes nothing, unless
        O(force_new_deployment=true).
seealso:
  - module: ecsops.ecspresso.ecspresso_info
    description: What a deploy would change, and the state of the service, without changing it.
  - module: ecsops.ecspresso.ecspresso_rollback
    description: Put a service back on an earlier task definition revision.
  - module: ecsops.ecspresso.ecspresso_run
    description: Run one-off tasks, such as a database migration before a deploy.
  - name: ecspresso
    description: >-
      The deploy tool for Amazon ECS whose configuration files and commands this
      collection follows.
    link: https://github.com/kayac/ecspresso
  - name: Amazon ECS rolling update deployments and the deployment circuit breaker
    description: >-
      How ECS rolls out a new deployment, and when the circuit breaker fails it or rolls it
      back.
    link: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
  - name: CreateService API reference
    description: The fields of a service definition.
    link: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
"""

EXAMPLES = r"""
# The usual release: an ecspresso configuration kept with the service's definition
# files. A run whose definitions equal what runs changes nothing.
- name: Deploy web from its ecspresso configuration
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml

# Definitions written as Ansible templates (templates/web/*.json.j2), rendered with the
# inventory's variables for the environment: image tag, cpu, memory, desired count.
- name: Deploy web from templates rendered with this environment's variables
  ecsops.ecspresso.ecspresso_deploy:
    cluster: production
    service: web
    task_definition: "{{ lookup('ansible.builtin.template', 'web/task-def.json.j2') }}"
    service_definition: "{{ lookup('ansible.builtin.template', 'web/service-def.json.j2') }}"
    definition_sources:
      task_definition: templates/web/task-def.json.j2
      service_definition: templates/web/service-def.json.j2
    timeout: 15m

# Before a release: what would change? Nothing is registered or updated; the differences
# show with --diff (or diff: true), as for ansible-playbook --check --diff.
- name: Preview a deploy of web
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
  check_mode: true
  diff: true
  register: web_preview

- name: Say whether a deploy would change web
  ansible.builtin.debug:
    msg: "A deploy {{ 'would change' if web_preview.changed else 'would not change' }} web"

# An existing ecspresso configuration in Jsonnet, with the variables
# `ecspresso deploy --envfile production.env --ext-str stage=production --ext-code replicas=3`
# would give it.
- name: Deploy web from its Jsonnet configuration, with its envfile and external variables
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.jsonnet
    envfile:
      - services/web/production.env
    ext_str:
      stage: production
    ext_code:
      replicas: 3

# In production: fail early when someone else is deploying, and when the new revision
# fails, put back the one that served and deregister the one that failed.
- name: Deploy web, rolling back to the revision that served before when the rollout fails
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
    rollback_on_failure: true
    deregister_failed: true
    fail_if_in_progress: true
    timeout: 20m

# ecspresso scale: change the task count alone.
- name: Scale web to 6 tasks without touching its task definition
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
    skip_task_definition: true
    desired_count: 6

# Keep auto scaling from fighting the rollout, then let it scale again within new bounds.
- name: Deploy web with auto scaling suspended during the rollout, then resumed at 2 to 20 tasks
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
    suspend_auto_scaling: true
    resume_auto_scaling: true
    auto_scaling_min: 2
    auto_scaling_max: 20

# Replace every task although nothing changed, such as to pull a mutable image tag again.
- name: Restart every task of web
  ecsops.ecspresso.ecspresso_deploy:
    config: services/web/ecspresso.yml
    force_new_deployment: true

# A service with "deploymentController": {"type": "CODE_DEPLOY"} goes out blue/green.
- name: Deploy api blue/green through CodeDeploy, shifting all traffic at once
  ecsops.ecspresso.ecspresso_deploy:
    config: services/api/ecspresso.yml
    codedeploy_application: AppECS-production-api
    codedeploy_deployment_group: DgpECS-production-api
    deployment_config_name: CodeDeployDefault.ECSAllAtOnce
    rollback_events:
      - DEPLOYMENT_FAILURE

# The AWS settings of every module of the collection, set once for several tasks.
- name: Deploy the services of one AWS account
  module_defaults:
    group/ecsops.ecspresso.ecspresso:
      region: eu-west-1
      profile: production
  block:
    - name: Deploy web
      ecsops.ecspresso.ecspresso_deploy:
        config: services/web/ecspresso.yml

    - name: Deploy worker
      ecsops.ecspresso.ecspresso_deploy:
        config: services/worker/ecspresso.yml
"""

RETURN = r"""
task_definition_arn:
  description:
    - ARN of the task definition revision deployed.
    - In check mode, the revision that would be; V(<family>:(new revision\)) when one would
      be registered.
    - When the rollout failed, the revision that failed; RV(running_task_definition) is the
      one the service runs.
  returned: success, and when the rollout failed
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
service:
  description:
    - The service after the deploy, as ECS describes it.
    - Empty in check mode when the service would be created.
  returned: success
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
      description:
        - The deployments of the service, as ECS lists them, PRIMARY first.
        - Empty for a C(CODE_DEPLOY) service, which has task sets instead.
      type: list
      elements: dict
      contains:
        id:
          description: ID of the deployment.
          type: str
          sample: ecs-svc/1234567890123456789
        status:
          description:
            - V(PRIMARY) for the newest deployment, V(ACTIVE) for older ones still running
              tasks.
          type: str
          sample: PRIMARY
        task_definition:
          description: The task definition the deployment runs.
          type: str
          sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
        desired_count:
          description: Number of tasks the deployment should run.
          type: int
          sample: 2
        running_count:
          description: Number of tasks of the deployment running.
          type: int
          sample: 2
        rollout_state:
          description:
            - V(IN_PROGRESS), V(COMPLETED) or V(FAILED); null behind a Classic Load
              Balancer.
          type: str
          sample: COMPLETED
        rollout_state_reason:
          description: Why the deployment is in its rollout state, as ECS words it.
          type: str
          sample: ECS deployment ecs-svc/1234567890123456789 completed.
        updated_at:
          description: When the deployment last changed, in ISO 8601.
          type: str
          sample: "2026-12-03T10:02:11+00:00"
events:
  description:
    - What the deploy did and saw, oldest first, one event per line printed.
  returned: always
  type: list
  elements: dict
  contains:
    time:
      description: When, in ISO 8601, UTC.
      type: str
      sample: "2026-12-03T10:00:00+00:00"
    service:
      description: The service the event is about.
      type: str
      sample: web
    message:
      description: What happened.
      type: str
      sample: registered web:7
appspec:
  description:
    - The AppSpec of the CodeDeploy deployment, as sent (in check mode, as it would be).
    - C(version), C(Resources) (one C(TargetService) of type C(AWS::ECS::Service), whose
      C(Properties) name the task definition, the load balancer's container and port, and
      the network and capacity settings) and the C(Hooks) of the config's C(appspec).
  returned: when an existing C(CODE_DEPLOY) service is changed
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
codedeploy_deployment_id:
  description: The CodeDeploy deployment of a blue/green deploy.
  returned: when a CodeDeploy deployment was created and succeeded
  type: str
  sample: d-A1B2C3D4E
auto_scaling:
  description:
    - What was changed on the service's scalable target, as sent to Application Auto
      Scaling (in check mode, as it would be).
  returned: when O(suspend_auto_scaling), O(resume_auto_scaling), O(auto_scaling_min) or
    O(auto_scaling_max) changed the scalable target
  type: dict
  sample:
    SuspendedState:
      DynamicScalingInSuspended: false
      DynamicScalingOutSuspended: false
      ScheduledScalingSuspended: false
    MinCapacity: 2
    MaxCapacity: 20
failure:
  description:
    - How a failed rollout ended.
    - V(rolled_back), the circuit breaker (or CodeDeploy) rolled the deployment back;
      V(failed), ECS or CodeDeploy marked it failed; V(stopped), the CodeDeploy deployment
      was stopped; V(tasks_failing), its tasks kept failing to start and the service has no
      circuit breaker; V(superseded), another deployment (another run, the console)
      replaced it before it completed; V(timeout), O(timeout) passed; V(in_progress),
      another deployment was in progress and O(fail_if_in_progress=true); V(missing), the
      service was deleted while the module waited.
    - Not set when the task fails for another reason (bad input, an AWS error).
  returned: when the rollout failed
  type: str
  sample: tasks_failing
rolled_back:
  description:
    - Whether the service was put back on the task definition that served before, by the
      circuit breaker, by CodeDeploy or by O(rollback_on_failure).
  returned: when the new deployment failed while the module waited for it
  type: bool
  sample: true
rollback_failure:
  description:
    - Why the rollback of O(rollback_on_failure) failed too; a value of RV(failure), or
      V(error) when the update itself failed.
  returned: when the rollback of O(rollback_on_failure) failed
  type: str
  sample: timeout
running_task_definition:
  description: The task definition the service's PRIMARY deployment runs after a failure.
  returned: when the rollout failed
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/web:6
deregistered:
  description: The failed revision, deregistered because of O(deregister_failed).
  returned: when the rollout failed and a revision was deregistered
  type: list
  elements: str
  sample:
    - arn:aws:ecs:us-east-1:123456789012:task-definition/web:7
stopped_tasks:
  description: Why the failed deployment's last tasks stopped, newest first, one line each.
  returned: when the rollout of a service deployed by ECS failed
  type: list
  elements: str
  sample:
    - "task 0f3e9c2b TaskFailedToStart: CannotPullContainerError: pull image manifest failed"
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
  sample: d-A1B2C3D4E
source:
  description: The file, template or option the bad input was found in.
  returned: when the input was refused
  type: str
  sample: services/web/task-def.json
field:
  description: The field or option at fault, when one is.
  returned: when the input was refused
  type: str
  sample: containerDefinitions[0].portMappings[0].hostPort
fix:
  description: What to change, when the module can say.
  returned: when the input was refused, or a template could not read a value
  type: str
  sample: leave hostPort out or make it equal to containerPort
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
