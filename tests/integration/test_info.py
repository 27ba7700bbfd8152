"""ecspresso_info against the local AWS: render, diff, status, revisions, verify."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import (
    DefinitionError,
    EcspressoError,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress
from ansible_collections.ecsops.ecspresso.plugins.module_utils.runs import (
    INFO_ARGUMENT_SPEC,
    run_info,
)
from tests.integration.web_service import (
    TASK_DEFINITION,
    run,
    service_definition_default,
)


def info(aws, *show, task_definition=None, service_definition=None, **options):
    params = {name: spec.get("default") for name, spec in INFO_ARGUMENT_SPEC.items()}
    params.update(aws.options)
    params.update(
        cluster="apps",
        service="web",
        show=list(show),
        task_definition=task_definition or copy.deepcopy(TASK_DEFINITION),
        service_definition=service_definition or service_definition_default(),
        **options,
    )
    return run_info(params, check_mode=False, diff=True, progress=Progress())


def image(tag):
    definition = copy.deepcopy(TASK_DEFINITION)
    definition["containerDefinitions"][0]["image"] = f"registry.example.com/web:{tag}"
    return definition


def test_render_returns_the_requests_a_deploy_would_send(aws, cluster):
    result = info(aws, "render")

    rendered = result["rendered"]
    assert rendered["task_definition"]["family"] == "web"
    assert rendered["task_definition"]["cpu"] == "256"
    assert rendered["service_definition"]["serviceName"] == "web"
    assert rendered["service_definition"]["cluster"] == "apps"
    assert rendered["service_definition"]["desiredCount"] == 2


def test_diff_shows_what_a_deploy_would_change_and_changes_nothing(aws, cluster):
    run(aws)
    unchanged = info(aws, "diff")
    aws.server.reset_calls()

    changed = info(aws, "diff", task_definition=image(2))

    assert unchanged["would_change"] is False and unchanged["diff_text"] == ""
    assert changed["would_change"] is True
    assert '-      "image": "registry.example.com/web:1",' in changed["diff_text"]
    assert '+      "image": "registry.example.com/web:2",' in changed["diff_text"]
    assert changed["diff_text"].startswith("--- task definition web (live)")
    assert changed["changed"] is False
    assert aws.mutating_calls() == {}


def test_status_has_deployments_events_and_auto_scaling(aws, cluster):
    run(aws)
    before = info(aws, "status", events=3)["status"]
    scaling = aws.client("application-autoscaling")
    scaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/apps/web",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=2,
        MaxCapacity=8,
        SuspendedState={"DynamicScalingInSuspended": True},
    )

    status = info(aws, "status")["status"]

    assert before["auto_scaling"] is None
    assert len(before["events"]) == 3
    assert before["events"][0]["message"] == "(service web) has reached a steady state."
    (deployment,) = status["deployments"]
    assert deployment["rollout_state"] == "COMPLETED"
    assert status["auto_scaling"]["min_capacity"] == 2
    assert status["auto_scaling"]["max_capacity"] == 8
    assert status["auto_scaling"]["suspended"] == {
        "dynamic_scaling_in": True,
        "dynamic_scaling_out": False,
        "scheduled_scaling": False,
    }


def test_revisions_say_which_runs(aws, cluster):
    first = run(aws)
    second = run(aws, task_definition=image(2))
    run(aws, task_definition=image(3), wait=False)
    aws.client("ecs").deregister_task_definition(taskDefinition=first["task_definition_arn"])

    revisions = info(aws, "revisions")["revisions"]

    assert [(r["revision"], r["running"]) for r in revisions] == [(3, True), (2, False)]
    # web:2 still has tasks while the deployment of web:3 rolls out.
    assert revisions[1]["task_definition_arn"] == second["task_definition_arn"]
    assert revisions[0]["in_use"] is True


def test_verify_checks_what_the_definitions_refer_to(aws, cluster):
    definition = copy.deepcopy(TASK_DEFINITION)
    definition["executionRoleArn"] = "arn:aws:iam::123456789012:role/web-execution"
    definition["containerDefinitions"][0]["logConfiguration"] = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1"},
    }
    aws.client("ssm").put_parameter(Name="t", Value="secret-value", Type="SecureString")

    with pytest.raises(EcspressoError) as caught:
        info(aws, "verify", task_definition=definition)

    checks = {c["name"]: c for c in caught.value.details["verify"]}
    assert checks["cluster apps"]["result"] == "OK"
    assert checks["executionRoleArn arn:aws:iam::123456789012:role/web-execution"]["result"] == (
        "NG"
    )
    assert checks["container app image registry.example.com/web:1"]["result"] == "SKIP"
    parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/"
    secret_t = checks[f"container app secret TOKEN from {parameter}t"]
    secret_k = checks[f"container app secret KEY from {parameter}k"]
    assert secret_t["result"] == "OK" and secret_k["result"] == "NG"
    assert checks["container app log group /ecs/web"]["result"] == "NG"
    assert "secret-value" not in str(caught.value) + str(caught.value.details)
    assert "verify found 3 problem(s)" in str(caught.value)

    aws.client("iam").create_role(RoleName="web-execution", AssumeRolePolicyDocument="{}")
    aws.client("ssm").put_parameter(Name="k", Value="other", Type="String")
    aws.client("logs").create_log_group(logGroupName="/ecs/web")
    result = info(aws, "verify", task_definition=definition)
    assert {c["result"] for c in result["verify"]} == {"OK", "SKIP"}


def test_verify_checks_the_target_group_and_the_container_port(aws, cluster):
    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = aws.client("elbv2").create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    aws.client("ssm").put_parameter(Name="t", Value="x", Type="String")
    aws.client("ssm").put_parameter(Name="k", Value="x", Type="String")
    service = service_definition_default()
    service["loadBalancers"] = [
        {"targetGroupArn": group, "containerName": "app", "containerPort": 8080}
    ]

    result = info(aws, "verify", service_definition=service)
    service["loadBalancers"][0]["containerPort"] = 9090
    with pytest.raises(EcspressoError) as caught:
        info(aws, "verify", service_definition=service)

    assert {c["name"]: c["result"] for c in result["verify"]}[f"target group {group}"] == "OK"
    assert "container app does not map containerPort 9090" in str(caught.value)


def test_appspec_of_a_service_not_deployed_through_codedeploy_says_so(aws, cluster):
    run(aws)

    with pytest.raises(DefinitionError) as caught:
        info(aws, "appspec")

    assert "service web is not deployed through CodeDeploy, so no AppSpec is sent" in str(
        caught.value
    )


@pytest.mark.parametrize(("option", "value"), [("events", -1), ("revisions", 0)])
def test_counts_below_their_minimum_are_refused(aws, cluster, option, value):
    run(aws)

    with pytest.raises(DefinitionError) as caught:
        info(aws, "status", "revisions", **{option: value})

    assert str(caught.value).startswith(f"module options: field {option}: {value} is below")
