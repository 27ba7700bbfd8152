"""Blue/green deploys through CodeDeploy, against the local AWS's CodeDeploy model."""

from __future__ import annotations

import copy
import json

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ecsops.ecspresso.plugins.module_utils.autoscaling import (
    AutoScalingOptions,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import AwsSession
from ansible_collections.ecsops.ecspresso.plugins.module_utils.codedeploy import (
    CodeDeployOptions,
    deployment_group,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import (
    DefinitionError,
    RolloutError,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress
from ansible_collections.ecsops.ecspresso.plugins.module_utils.rollback import (
    RollbackOptions,
    rollback,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.runs import (
    DEPLOY_ARGUMENT_SPEC,
    INFO_ARGUMENT_SPEC,
    run_deploy,
    run_info,
)
from tests.integration.web_service import (
    NETWORK,
    TASK_DEFINITION,
    describe,
    run,
    service_definition_default,
)

APPLICATION = "EcsApplication"
GROUP = "EcsDeploymentGroup"


def image(tag):
    definition = copy.deepcopy(TASK_DEFINITION)
    definition["containerDefinitions"][0]["image"] = f"registry.example.com/web:{tag}"
    return definition


def create_group(aws, name, cluster):
    """A blue/green deployment group of the application that deploys service web of
    ``cluster``."""
    aws.client("codedeploy").create_deployment_group(
        applicationName=APPLICATION,
        deploymentGroupName=name,
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        ecsServices=[{"serviceName": "web", "clusterName": cluster}],
    )


@pytest.fixture
def blue_green(aws, cluster):
    """A target group, a CodeDeploy application and deployment group for service web, and
    web's service definition with the CODE_DEPLOY controller; web is deployed once."""
    ec2 = aws.client("ec2")
    vpc = ec2.describe_subnets(SubnetIds=[NETWORK["subnets"][0]])["Subnets"][0]["VpcId"]
    target_group = aws.client("elbv2").create_target_group(
        Name="web-blue", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    aws.client("codedeploy").create_application(applicationName=APPLICATION, computePlatform="ECS")
    create_group(aws, GROUP, "apps")
    service = service_definition_default()
    service.pop("deploymentConfiguration")
    service["deploymentController"] = {"type": "CODE_DEPLOY"}
    service["loadBalancers"] = [
        {"targetGroupArn": target_group, "containerName": "app", "containerPort": 8080}
    ]
    first = run(aws, service_definition=service)
    return service, first


def test_a_blue_green_deploy_runs_the_new_revision_through_a_new_task_set(aws, blue_green):
    service, first = blue_green
    before = {task_set["id"] for task_set in describe(aws)["taskSets"]}

    result = run(
        aws,
        task_definition=image(2),
        service_definition=service,
        codedeploy=CodeDeployOptions(deployment_config="CodeDeployDefault.ECSAllAtOnce"),
    )

    assert result["changed"] is True
    assert result["task_definition_arn"].endswith("web:2")
    live = describe(aws)
    assert live["taskDefinition"] == result["task_definition_arn"]
    (task_set,) = live["taskSets"]
    assert task_set["taskDefinition"] == result["task_definition_arn"]
    assert task_set["id"] not in before
    deployment = aws.client("codedeploy").get_deployment(
        deploymentId=result["codedeploy_deployment_id"]
    )["deploymentInfo"]
    assert deployment["status"] == "Succeeded"
    assert (deployment["applicationName"], deployment["deploymentGroupName"]) == (
        APPLICATION,
        GROUP,
    )
    properties = result["appspec"]["Resources"][0]["TargetService"]["Properties"]
    assert properties["LoadBalancerInfo"] == {"ContainerName": "app", "ContainerPort": 8080}
    assert properties["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"]
    messages = [event["message"] for event in result["events"]]
    assert any(m.startswith("created CodeDeploy deployment") for m in messages)
    deployment_id = result["codedeploy_deployment_id"]
    # Traffic shifts in AllowTraffic: each lifecycle event shows as it ends.
    assert f"CodeDeploy {deployment_id} AllowTraffic Succeeded" in messages
    assert messages.index(f"CodeDeploy {deployment_id} BeforeInstall Succeeded") < (
        messages.index(f"CodeDeploy {deployment_id} AllowTraffic Succeeded")
    )
    assert first["task_definition_arn"].endswith("web:1")


def test_a_failing_blue_green_deploy_is_rolled_back_and_fails(aws, blue_green):
    service, first = blue_green
    aws.server.faults.set({"failing_tasks": [{"image": "registry.example.com/web:broken"}]})

    with pytest.raises(RolloutError) as caught:
        run(
            aws,
            task_definition=image("broken"),
            service_definition=service,
            codedeploy=CodeDeployOptions(rollback_events=["DEPLOYMENT_FAILURE"]),
            deregister_failed=True,
        )

    aws.server.faults.clear()
    error = caught.value
    assert error.reason == "rolled_back"
    assert "Rolled back by CodeDeploy deployment" in str(error)
    assert describe(aws)["taskDefinition"] == first["task_definition_arn"]
    assert error.details["deregistered"] == [error.details["task_definition_arn"]]


def test_nothing_changed_creates_no_deployment_and_registers_nothing(aws, blue_green):
    service, _first = blue_green
    aws.server.reset_calls()

    result = run(aws, service_definition=service)

    assert result["changed"] is False
    calls = aws.server.calls()
    assert "codedeploy:CreateDeployment" not in calls
    assert aws.mutating_calls() == {}


def test_only_what_codedeploy_services_accept_goes_to_update_service(aws, blue_green):
    service, _first = blue_green
    service["desiredCount"] = 3
    aws.server.reset_calls()

    result = run(aws, service_definition=service)

    assert result["changed"] is True
    assert aws.mutating_calls() == {"ecs:UpdateService": 1}
    assert describe(aws)["desiredCount"] == 3


def test_a_service_no_deployment_group_deploys_is_a_clear_error(aws, blue_green):
    session = AwsSession(**aws.options)

    found = deployment_group(session, "apps", "web", CodeDeployOptions())
    with pytest.raises(DefinitionError) as caught:
        deployment_group(session, "apps", "other", CodeDeployOptions())

    assert found == (APPLICATION, GROUP)
    assert "no CodeDeploy deployment group deploys service other of cluster apps" in str(
        caught.value
    )


def other_service_group(aws):
    """A deployment group of the same application that deploys another service."""
    create_group(aws, "OtherServiceGroup", "other-apps")
    return CodeDeployOptions(application=APPLICATION, deployment_group="OtherServiceGroup")


def test_a_deployment_group_of_another_service_is_refused_before_any_change(aws, blue_green):
    service, first = blue_green
    wrong = other_service_group(aws)
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        run(aws, task_definition=image(2), service_definition=service, codedeploy=wrong)
    with pytest.raises(DefinitionError) as in_rollback:
        roll_back(aws, codedeploy_options=wrong)

    message = (
        "module options: field codedeploy_deployment_group: CodeDeploy deployment group "
        "OtherServiceGroup of EcsApplication deploys web of cluster other-apps, not service "
        "web of cluster apps"
    )
    assert str(caught.value).startswith(message)
    assert str(in_rollback.value).startswith(message)
    assert aws.mutating_calls() == {}
    assert describe(aws)["taskDefinition"] == first["task_definition_arn"]


def test_a_blue_green_service_without_a_load_balancer_fails_before_registering(aws, cluster):
    service = service_definition_default()
    service.pop("deploymentConfiguration")
    service["deploymentController"] = {"type": "CODE_DEPLOY"}
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        run(aws, service_definition=service)

    assert str(caught.value).startswith(
        "service definition (given inline): field loadBalancers: a CODE_DEPLOY service needs a "
        "load balancer"
    )
    assert aws.mutating_calls() == {}


def test_info_returns_the_appspec_a_deploy_would_send(aws, blue_green):
    service, first = blue_green
    aws.server.reset_calls()
    params = {name: spec.get("default") for name, spec in INFO_ARGUMENT_SPEC.items()}
    params.update(aws.options)
    params.update(
        cluster="apps",
        service="web",
        show=["appspec"],
        task_definition=image(2),
        service_definition=service,
    )

    result = run_info(params, check_mode=False, diff=False, progress=Progress())

    properties = result["appspec"]["Resources"][0]["TargetService"]["Properties"]
    assert properties["TaskDefinition"] == "web:(new revision)"
    assert properties["LoadBalancerInfo"] == {"ContainerName": "app", "ContainerPort": 8080}
    assert "ecs:RegisterTaskDefinition" not in aws.server.calls()
    assert first["task_definition_arn"].endswith("web:1")


def roll_back(aws, **options):
    progress = Progress()
    result = rollback(
        AwsSession(**aws.options),
        "apps",
        "web",
        RollbackOptions(timeout=60.0, **options),
        progress,
    )
    result["events"] = progress.events
    return result


def test_rollback_deploys_the_previous_revision_through_codedeploy(aws, blue_green):
    service, first = blue_green
    second = run(aws, task_definition=image(2), service_definition=service)

    result = roll_back(aws)

    assert result["task_definition_arn"] == first["task_definition_arn"]
    assert result["deregistered"] == [second["task_definition_arn"]]
    assert describe(aws)["taskDefinition"] == first["task_definition_arn"]
    deployment = aws.client("codedeploy").get_deployment(
        deploymentId=result["codedeploy_deployment_id"]
    )["deploymentInfo"]
    assert deployment["status"] == "Succeeded"


def test_rollback_stops_a_deployment_in_progress_with_its_rollback(aws, blue_green):
    service, first = blue_green
    aws.server.codedeploy_seconds = 30
    started = run(aws, task_definition=image(2), service_definition=service, wait=False)

    result = roll_back(aws, deregister=False)

    aws.server.codedeploy_seconds = None
    assert result["stopped_deployment"] == started["codedeploy_deployment_id"]
    stopped = aws.client("codedeploy").get_deployment(
        deploymentId=started["codedeploy_deployment_id"]
    )["deploymentInfo"]
    assert stopped["status"] == "Stopped"
    assert describe(aws)["taskDefinition"] == first["task_definition_arn"]


def register_scalable_target(aws):
    """Auto scaling of web between 1 and 4 tasks, as an infrastructure tool sets it up."""
    aws.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/apps/web",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=4,
    )


def suspended_state(aws):
    (target,) = aws.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=["service/apps/web"]
    )["ScalableTargets"]
    return target


def test_auto_scaling_is_suspended_around_a_blue_green_deploy(aws, blue_green):
    service, _first = blue_green
    register_scalable_target(aws)

    result = run(
        aws,
        task_definition=image(2),
        service_definition=service,
        auto_scaling=AutoScalingOptions(suspend=True, resume=True, minimum=2, maximum=6),
    )

    messages = [event["message"] for event in result["events"]]
    suspended = messages.index("auto scaling: suspended")
    created = next(i for i, m in enumerate(messages) if m.startswith("created CodeDeploy"))
    traffic = next(i for i, m in enumerate(messages) if m.endswith("AllowTraffic Succeeded"))
    resumed = messages.index("auto scaling: resumed, min 2, max 6")
    assert suspended < created < traffic < resumed
    target = suspended_state(aws)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 6)
    assert not any(target["SuspendedState"].values())


def test_a_failed_blue_green_deploy_leaves_auto_scaling_suspended(aws, blue_green):
    service, _first = blue_green
    register_scalable_target(aws)
    aws.server.faults.set({"failing_tasks": [{"image": "registry.example.com/web:broken"}]})

    with pytest.raises(RolloutError) as caught:
        run(
            aws,
            task_definition=image("broken"),
            service_definition=service,
            codedeploy=CodeDeployOptions(rollback_events=["DEPLOYMENT_FAILURE"]),
            auto_scaling=AutoScalingOptions(suspend=True, resume=True, minimum=2),
        )

    aws.server.faults.clear()
    assert "Auto scaling was left as it was" in str(caught.value)
    target = suspended_state(aws)
    assert all(target["SuspendedState"].values())
    assert target["MinCapacity"] == 1


def test_config_keys_and_module_options_name_the_same_deployment_group(aws, blue_green, tmp_path):
    service, _first = blue_green
    (tmp_path / "task-def.json").write_text(json.dumps(image(2)))
    (tmp_path / "service-def.json").write_text(json.dumps(service))
    config = tmp_path / "ecspresso.yml"
    config.write_text(
        "cluster: apps\nservice: web\ntask_definition: task-def.json\n"
        "service_definition: service-def.json\n"
        f"codedeploy:\n  application_name: {APPLICATION}\n  deployment_group_name: {GROUP}\n"
    )

    def deploy_with(**options):
        params = {"timeout": "60", **aws.options, **options}
        validation = ArgumentSpecValidator(DEPLOY_ARGUMENT_SPEC).validate(params)
        assert not validation.error_messages, validation.error_messages
        aws.server.reset_calls()
        result = run_deploy(validation.validated_parameters, False, False, Progress(), None)
        deployment = aws.client("codedeploy").get_deployment(
            deploymentId=result["codedeploy_deployment_id"]
        )["deploymentInfo"]
        # Named, the group is not searched for.
        assert "codedeploy:ListApplications" not in aws.server.calls()
        assert "codedeploy:ListDeploymentGroups" not in aws.server.calls()
        spec = result["appspec"]["Resources"][0]["TargetService"]["Properties"]
        return (deployment["applicationName"], deployment["deploymentGroupName"]), spec

    from_config, config_spec = deploy_with(config=str(config))
    from_options, options_spec = deploy_with(
        cluster="apps",
        service="web",
        task_definition=image(3),
        service_definition=service,
        codedeploy_application=APPLICATION,
        codedeploy_deployment_group=GROUP,
    )

    assert from_config == from_options == (APPLICATION, GROUP)
    assert config_spec["TaskDefinition"].endswith("web:2")
    assert options_spec["TaskDefinition"].endswith("web:3")
    assert {**config_spec, "TaskDefinition": None} == {**options_spec, "TaskDefinition": None}


def test_codedeploy_settings_for_an_ecs_service_get_a_warning(aws, cluster):
    result = run(
        aws,
        codedeploy=CodeDeployOptions(
            deployment_config="CodeDeployDefault.ECSAllAtOnce",
            rollback_events=["DEPLOYMENT_FAILURE"],
        ),
    )

    assert result["changed"] is True
    assert (
        "service web is not deployed through CodeDeploy: rollback_events and "
        "deployment_config_name are not used"
    ) in result["warnings"]
