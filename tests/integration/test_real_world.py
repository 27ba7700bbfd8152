"""Task definitions people wrote for their own services, deployed to the local AWS.

Each one, its placeholders filled as ../shared/fixtures/real-world/SOURCES.md says,
deploys and then shows no change on a second deploy; what real ECS would reject gets
a clear error before anything is sent.
"""

from __future__ import annotations

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import AwsSession
from ansible_collections.ecsops.ecspresso.plugins.module_utils.config import resolve_target
from ansible_collections.ecsops.ecspresso.plugins.module_utils.deploy import DeployOptions, deploy
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress

ROLE = "arn:aws:iam::123456789012:role/"

# Placeholders of each file and what fills them (SOURCES.md, "Placeholders to fill").
FILLS = {
    "01-lgtm-cat-api-arm64-ulimits.json": {
        "${AWS_ACCOUNT_ID}": "123456789012",
        '"image": ""': '"image": "registry.example.com/lgtm:1"',
    },
    "03-firelens-appmesh-envoy-proxyconfig.json": {},
    "05-cwagent-daemon-ec2-bridge-hostvolumes.json": {
        "{{task-role-arn}}": ROLE + "cwagent-task",
        "{{execution-role-arn}}": ROLE + "cwagent-execution",
        "{{awslogs-region}}": "us-east-1",
    },
    "06-splunk-fluentd-firelens-describe-nulls.json": {
        "XXXXXXXXXXXX": "123456789012",
        "public.ecr.aws/XXXXXXXX/": "public.ecr.aws/example/",
    },
    "07-ecs-agent-firelens-bridge-secretoptions.json": {
        "$$$TASK_ROLE$$$": ROLE + "firelens-task",
        "$$$EXECUTION_ROLE$$$": ROLE + "firelens-execution",
        "$$$TEST_REGION$$$": "us-east-1",
        "$$$SECRET_OPTION_KEY$$$": "apikey",
        "$$$SECRET_OPTION_PARAM$$$": "arn:aws:ssm:us-east-1:123456789012:parameter/apikey",
    },
    "08-gpu-vllm-ec2-awsvpc-shm.json": {"ACCOUNT_ID": "123456789012"},
    "10-oauth2-proxy-three-containers.json": {},
    "12-statistico-ec2-defaults-ssm-secrets.json": {},
    "13-taskflow-angle-placeholders-dependson.json": {
        "<EXECUTION_ROLE_ARN>": ROLE + "taskflow-execution",
        "<TASK_ROLE_ARN>": ROLE + "taskflow-task",
        "<BACKEND_IMAGE>": "registry.example.com/backend:1",
        "<FRONTEND_IMAGE>": "registry.example.com/frontend:1",
        "<MONITORING_HOST>": "monitoring.example.com",
        "<AWS_REGION>": "us-east-1",
    },
}

# What real ECS refuses in these files, and the field the error must name.
REJECTED = {
    "04-firelens-efs-wrapped-taskdefinition.json": "field taskRoleArn",
    "11-wordpress-fargate-hostport-zero.json": "containerDefinitions[0].portMappings[0].hostPort",
}

# Files that ecspresso renders: what fills their must_env (an envfile) and tfstate
# (a Terraform state written here; 09's is read from S3) calls. The files themselves
# are read in place.
ACCOUNT = "123456789012.dkr.ecr.us-east-1.amazonaws.com/"
TEMPLATED = {
    "02-laravel-fargate-ecspresso-sidecar-socket.json": {
        "envfile": {
            "VPC_CIDR": "10.0.0.0/16",
            "IMAGE_TAG": "v1",
            "AWS_REGION": "us-east-1",
            "SYSTEM_NAME": "laravel",
            "ENV_NAME": "dev",
            "SERVICE_NAME": "web",
        },
        "data": {
            "aws_ecr_repository.nginx": {"repository_url": ACCOUNT + "laravel-nginx"},
            "aws_ecr_repository.php": {"repository_url": ACCOUNT + "laravel-php"},
            "aws_cloudwatch_log_group.nginx": {"name": "/ecs/laravel/nginx"},
            "aws_cloudwatch_log_group.php": {"name": "/ecs/laravel/php"},
            "aws_s3_bucket.env_file": {"arn": "arn:aws:s3:::laravel-env"},
            "aws_iam_role.ecs_task_execution": {"arn": ROLE + "laravel-execution"},
            "aws_iam_role.ecs_task": {"arn": ROLE + "laravel-task"},
        },
    },
    "09-debug-container-linuxparams-tfstate.json": {
        "s3": True,
        "managed": {
            "aws_ssm_parameter.hoge": {"arn": "arn:aws:ssm:us-east-1:123456789012:parameter/hoge"},
            "aws_cloudwatch_log_group.debug_container": {"name": "/ecs/debug-container"},
            "aws_iam_role.fargate-execution": {"arn": ROLE + "fargate-execution"},
            "aws_iam_role.task-execution": {"arn": ROLE + "task-execution"},
        },
    },
}


def filled(path, fills):
    text = path.read_text()
    for placeholder, value in fills.items():
        assert placeholder in text, f"{path.name} no longer holds {placeholder}"
        text = text.replace(placeholder, value)
    return text


def create_log_groups(aws, task_definition):
    """Create the awslogs groups the task definition writes to, in their regions, as the
    account the definition was written for has them: without them ECS fails every task."""
    import boto3

    definition = task_definition.get("taskDefinition", task_definition)
    for container in definition.get("containerDefinitions") or []:
        configuration = container.get("logConfiguration") or {}
        options = configuration.get("options") or {}
        group = options.get("awslogs-group")
        if configuration.get("logDriver") != "awslogs" or not group:
            continue
        logs = boto3.client(
            "logs",
            region_name=options.get("awslogs-region") or aws.region,
            endpoint_url=aws.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            logs.create_log_group(logGroupName=group)


def service_for(task_definition, subnets):
    """A minimal service definition that fits the task definition's launch type and network."""
    definition = task_definition.get("taskDefinition", task_definition)
    fargate = "FARGATE" in (definition.get("requiresCompatibilities") or [])
    service = {"launchType": "FARGATE" if fargate else "EC2", "desiredCount": 1}
    if definition.get("networkMode") == "awsvpc":
        service["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": subnets}}
    return service


def deploy_text(aws, text, subnets, name):
    """Deploy ``text`` (file ``name``) as a service named after the file's number."""
    import json

    task_definition = json.loads(text)
    target, settings, _warnings = resolve_target(
        {
            "cluster": "fixtures",
            "service": "fixture-" + name[:2],
            "task_definition": text,
            "service_definition": service_for(task_definition, subnets),
            "definition_sources": {"task_definition": name},
        }
    )
    create_log_groups(aws, target.task_definition)
    session = AwsSession(**aws.options)
    return deploy(session, target, DeployOptions(timeout=60), Progress())


@pytest.fixture
def subnets(aws):
    aws.client("ecs").create_cluster(clusterName="fixtures")
    return [subnet["SubnetId"] for subnet in aws.client("ec2").describe_subnets()["Subnets"]][:1]


@pytest.mark.parametrize("name", sorted(FILLS))
def test_real_task_definition_deploys_and_then_stays_unchanged(name, shared_fixtures, aws, subnets):
    text = filled(shared_fixtures / "real-world" / name, FILLS[name])

    first = deploy_text(aws, text, subnets, name)
    aws.server.reset_calls()
    second = deploy_text(aws, text, subnets, name)

    assert first["changed"] is True
    assert second["changed"] is False, second["diff"]
    assert aws.mutating_calls() == {}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_what_ecs_rejects_is_a_clear_error_before_any_call(name, shared_fixtures, aws, subnets):
    text = (shared_fixtures / "real-world" / name).read_text()
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        deploy_text(aws, text, subnets, name)

    assert str(caught.value).startswith(f"{name}: ")
    assert REJECTED[name] in str(caught.value)
    assert aws.mutating_calls() == {}


def terraform_state(fills):
    """A version 4 Terraform state holding the resources ``fills`` names."""
    resources = []
    for mode in ("managed", "data"):
        for address, attributes in fills.get(mode, {}).items():
            kind, name = address.split(".")
            resources.append(
                {
                    "mode": mode,
                    "type": kind,
                    "name": name,
                    "instances": [{"attributes": attributes}],
                }
            )
    return {"version": 4, "terraform_version": "1.9.0", "resources": resources}


def templated_config(aws, tmp_path, name, fills):
    """An ecspresso.yml with a tfstate plugin, naming the file in place; its options."""
    import json

    state = json.dumps(terraform_state(fills))
    if fills.get("s3"):
        aws.client("s3").create_bucket(Bucket="states")
        aws.client("s3").put_object(Bucket="states", Key=f"{name[:2]}.tfstate", Body=state)
        plugin = f"url: s3://states/{name[:2]}.tfstate"
    else:
        (tmp_path / "terraform.tfstate").write_text(state)
        plugin = "path: terraform.tfstate"
    (tmp_path / "ecspresso.yml").write_text(
        f"cluster: fixtures\nservice: fixture-{name[:2]}\ntask_definition: {name}\n"
        f"plugins:\n  - name: tfstate\n    config:\n      {plugin}\n"
    )
    (tmp_path / "app.env").write_text(
        "".join(f"export {key}={value}\n" for key, value in fills.get("envfile", {}).items())
    )
    return {"config": str(tmp_path / "ecspresso.yml"), "envfile": [str(tmp_path / "app.env")]}


@pytest.mark.parametrize("name", sorted(TEMPLATED))
def test_ecspresso_templates_render_deploy_and_then_stay_unchanged(
    name, shared_fixtures, aws, subnets, tmp_path
):
    (tmp_path / name).symlink_to(shared_fixtures / "real-world" / name)
    options = templated_config(aws, tmp_path, name, TEMPLATED[name])
    service = {
        "launchType": "FARGATE",
        "desiredCount": 1,
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": subnets}},
    }
    session = AwsSession(**aws.options)

    def deploy_once():
        target, _settings, _warnings = resolve_target(
            {**options, "service_definition": service}, session=session
        )
        create_log_groups(aws, target.task_definition)
        return deploy(session, target, DeployOptions(timeout=60), Progress()), target

    first, target = deploy_once()
    aws.server.reset_calls()
    second, _target = deploy_once()

    assert first["changed"] is True
    assert second["changed"] is False, second["diff"]
    assert aws.mutating_calls() == {}
    assert "{{" not in repr(target.task_definition)
    assert target.task_definition["executionRoleArn"].startswith(ROLE)


# Service definitions (14-18), each deployed with a task definition written for it.
SERVICE_NETWORK = {
    "region": "us-east-1",
    "clusters": ["fixtures"],
    "vpcs": [
        {
            "cidr": "10.1.0.0/16",
            "subnets": [
                {
                    "id": "subnet-0b831812b5c6882cf",
                    "cidr": "10.1.1.0/24",
                    "availability_zone": "us-east-1a",
                },
                {
                    "id": "subnet-0897f18bca8e2f4ec",
                    "cidr": "10.1.2.0/24",
                    "availability_zone": "us-east-1b",
                },
            ],
            "security_groups": [{"id": "sg-0fc7c648e5bd2ec02", "name": "services"}],
        }
    ],
}
ELB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:"


def module_resource(module, kind, name, attributes):
    return {
        "mode": "managed",
        "type": kind,
        "name": name,
        "module": module,
        "instances": [{"attributes": attributes}],
    }


# 14's Terraform state: every address it names, the subnets listed by index.
BLUE_GREEN_STATE = {
    "version": 4,
    "resources": [
        module_resource(
            "module.ecs_hook_tokyo",
            "aws_lambda_function",
            "ecs_service_hook",
            {"arn": "arn:aws:lambda:us-east-1:123456789012:function:ecs-service-hook"},
        ),
        module_resource(
            "module.web_ecs_tokyo", "aws_iam_role", "ecs_deployment_role", {"arn": ROLE + "deploy"}
        ),
        module_resource(
            "module.web_ecs_tokyo", "aws_security_group", "ecs", {"id": "sg-0fc7c648e5bd2ec02"}
        ),
        {
            "mode": "managed",
            "type": "aws_subnet",
            "name": "private",
            "module": "module.vpc_tokyo",
            "each": "list",
            "instances": [
                {"index_key": 0, "attributes": {"id": "subnet-0b831812b5c6882cf"}},
                {"index_key": 1, "attributes": {"id": "subnet-0897f18bca8e2f4ec"}},
            ],
        },
    ]
    + [
        module_resource(
            f"module.{alb}_alb_tokyo",
            kind,
            name,
            {"arn": f"{ELB}{prefix}/{alb}-{name}/{suffix}"},
        )
        for alb in ("web", "api")
        for kind, name, prefix, suffix in (
            ("aws_lb_target_group", "blue", "targetgroup", "0123456789abcdef"),
            ("aws_lb_target_group", "green", "targetgroup", "fedcba9876543210"),
            ("aws_lb_listener_rule", "main_default", "listener-rule/app", "1/2/3"),
            ("aws_lb_listener_rule", "test_default", "listener-rule/app", "1/2/4"),
        )
    ],
}
FARGATE_WEB = {
    "family": "web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {"name": "web", "image": "nginx:1", "portMappings": [{"containerPort": 80}]}
    ],
}
EC2_BRIDGE = {
    "family": "statistico-data",
    "containerDefinitions": [
        {
            "name": "rest",
            "image": "registry.example.com/rest:1",
            "memory": 128,
            "portMappings": [{"containerPort": 80}],
        },
        {
            "name": "grpc",
            "image": "registry.example.com/grpc:1",
            "memory": 128,
            "portMappings": [{"containerPort": 50051}],
        },
        {
            "name": "web",
            "image": "wordpress:6",
            "memory": 256,
            "portMappings": [{"containerPort": 9000}],
        },
    ],
}
SERVICES = {
    "14-svc-native-blue-green-lifecycle-hooks.json": FARGATE_WEB,
    "15-svc-securitygroups-null-must-env.json": FARGATE_WEB,
    "17-svc-create-service-two-target-groups.json": EC2_BRIDGE,
}
# What real ECS refuses in these service definitions, and what the error must name.
SERVICES_REJECTED = {
    "16-svc-create-service-terraform-ref-role.json": (
        EC2_BRIDGE,
        "field loadBalancers[0].targetGroupArn: 'aws_lb_target_group.default.arn' is not",
    ),
    "18-svc-capacity-provider-empty-launchtype.json": (
        FARGATE_WEB,
        "missing required field deploymentConfiguration.alarms.alarmNames",
    ),
}


def service_options(aws, tmp_path, shared_fixtures, name, task_definition):
    """Options naming service definition ``name`` in place, with a config that reads
    14's Terraform state and an envfile with 15's SUBNETS."""
    import json

    from tests.localaws.seed import apply_seed

    apply_seed(SERVICE_NETWORK)
    (tmp_path / name).symlink_to(shared_fixtures / "real-world" / name)
    (tmp_path / "terraform.tfstate").write_text(json.dumps(BLUE_GREEN_STATE))
    (tmp_path / "app.env").write_text("SUBNETS=subnet-0b831812b5c6882cf\n")
    (tmp_path / "ecspresso.yml").write_text(
        f"cluster: fixtures\nservice: fixture-{name[:2]}\nservice_definition: {name}\n"
        "plugins:\n  - name: tfstate\n    config:\n      path: terraform.tfstate\n"
    )
    return {
        "config": str(tmp_path / "ecspresso.yml"),
        "envfile": [str(tmp_path / "app.env")],
        "task_definition": task_definition,
    }


def deploy_options(aws, options):
    session = AwsSession(**aws.options)
    target, _settings, warnings = resolve_target(options, session=session)
    create_log_groups(aws, target.task_definition)
    return deploy(session, target, DeployOptions(timeout=60), Progress()), warnings


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_real_service_definition_deploys_and_then_stays_unchanged(
    name, shared_fixtures, aws, tmp_path
):
    options = service_options(aws, tmp_path, shared_fixtures, name, SERVICES[name])

    first, warnings = deploy_options(aws, options)
    aws.server.reset_calls()
    second, _warnings = deploy_options(aws, options)

    assert first["changed"] is True
    assert second["changed"] is False, second["diff"]
    assert aws.mutating_calls() == {}
    if name.startswith("15"):
        assert any("read-only fields runningCount, pendingCount" in w for w in warnings)


@pytest.mark.parametrize("name", sorted(SERVICES_REJECTED))
def test_what_ecs_rejects_in_a_service_definition_is_a_clear_error(
    name, shared_fixtures, aws, tmp_path
):
    task_definition, problem = SERVICES_REJECTED[name]
    options = service_options(aws, tmp_path, shared_fixtures, name, task_definition)
    aws.server.reset_calls()

    with pytest.raises(DefinitionError) as caught:
        deploy_options(aws, options)

    assert str(caught.value).startswith(f"{tmp_path / name}: ")
    assert problem in str(caught.value)
    assert aws.mutating_calls() == {}
