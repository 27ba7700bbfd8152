"""The example repository deployed with ansible-playbook, as a user runs it."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest

from tests.localaws.seed import apply_seed, load_seed

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "microservices"
ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).parent / "ansible-playbook"
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


@pytest.fixture
def example(aws, tmp_path):
    """A copy of the example, seeded into a clean local AWS, that a test may edit."""
    apply_seed(load_seed(EXAMPLE / "localaws-seed.yml"))
    copy = tmp_path / "microservices"
    shutil.copytree(EXAMPLE, copy)
    return copy


def playbook(example, aws, *args, check=True, name="deploy.yml"):
    """Run a playbook of the example (deploy.yml) against the local AWS; return
    (output, recap)."""
    command = [str(ANSIBLE_PLAYBOOK), name, "-e", f"local_aws_endpoint={aws.endpoint_url}"]
    completed = subprocess.run(
        command + list(args), cwd=example, capture_output=True, text=True, timeout=300, check=False
    )
    output = completed.stdout + completed.stderr
    if check:
        assert completed.returncode == 0, output
    recap = {
        host: {"changed": int(changed), "failed": int(failed)}
        for host, _ok, changed, _unreachable, failed in RECAP.findall(completed.stdout)
    }
    return output, recap


ALL_SERVICES = ["api-gateway", "auth-service", "payment-service", "user-service"]


def assert_settled(service):
    """The service runs its task definition and nothing else is rolling out: its one
    deployment COMPLETED, or, deployed blue/green, its one task set PRIMARY and stable."""
    if service.get("deploymentController", {}).get("type") == "CODE_DEPLOY":
        (task_set,) = service["taskSets"]
        assert (task_set["status"], task_set["stabilityStatus"]) == ("PRIMARY", "STEADY_STATE")
        assert task_set["taskDefinition"] == service["taskDefinition"]
    else:
        (deployment,) = service["deployments"]
        assert deployment["rolloutState"] == "COMPLETED"
        assert deployment["taskDefinition"] == service["taskDefinition"]


def services(aws, cluster="dev"):
    ecs = aws.client("ecs")
    arns = ecs.list_services(cluster=cluster)["serviceArns"]
    if not arns:
        return {}
    described = ecs.describe_services(cluster=cluster, services=arns)["services"]
    return {service["serviceName"]: service for service in described}


def test_first_run_deploys_everything_and_second_run_changes_nothing(example, aws):
    output, recap = playbook(example, aws, "-e", "env=dev")

    assert {host: r["changed"] for host, r in recap.items() if host != "localhost"} == {
        "auth-service.dev": 1,
        "user-service.dev": 1,
        "payment-service.dev": 1,
        "api-gateway.dev": 1,
    }
    deployed = services(aws)
    assert sorted(deployed) == ALL_SERVICES
    for service in deployed.values():
        assert_settled(service)
    assert deployed["payment-service"]["taskDefinition"].endswith(
        "task-definition/dev-payment-service:1"
    )

    aws.server.reset_calls()
    output, recap = playbook(example, aws, "-e", "env=dev")

    assert all(r["changed"] == 0 for r in recap.values()), output
    assert aws.mutating_calls() == {}


def test_changed_image_tag_changes_only_that_service(example, aws):
    playbook(example, aws, "-e", "env=dev")
    host_vars = example / "inventory" / "host_vars" / "auth-service.dev.yml"
    host_vars.write_text(host_vars.read_text().replace('"1.8.0"', '"1.9.0"'))
    aws.server.reset_calls()

    output, recap = playbook(example, aws, "-e", "env=dev")

    assert recap["auth-service.dev"]["changed"] == 1
    assert recap["user-service.dev"]["changed"] == 0
    assert recap["payment-service.dev"]["changed"] == 0
    assert aws.mutating_calls() == {"ecs:RegisterTaskDefinition": 1, "ecs:UpdateService": 1}
    auth = services(aws)["auth-service"]
    assert auth["taskDefinition"].endswith("dev-auth-service:2")
    assert [d["rolloutState"] for d in auth["deployments"]] == ["COMPLETED"]


def test_check_diff_shows_the_change_and_changes_nothing(example, aws):
    playbook(example, aws, "-e", "env=dev")
    host_vars = example / "inventory" / "host_vars" / "payment-service.dev.yml"
    host_vars.write_text(host_vars.read_text().replace("task_memory: 1024", "task_memory: 2048"))
    aws.server.reset_calls()

    output, recap = playbook(example, aws, "-e", "env=dev", "--check", "--diff")

    assert recap["payment-service.dev"]["changed"] == 1
    assert recap["auth-service.dev"]["changed"] == 0
    assert '-  "memory": "1024",' in output and '+  "memory": "2048",' in output
    assert aws.mutating_calls() == {}
    assert services(aws)["payment-service"]["taskDefinition"].endswith("dev-payment-service:1")


def test_limit_deploys_one_service(example, aws):
    output, recap = playbook(example, aws, "-e", "env=prod", "--limit", "payment-service")

    assert set(recap) == {"payment-service.prod"}
    assert sorted(services(aws, "prod")) == ["payment-service"]
    assert services(aws, "prod")["payment-service"]["runningCount"] == 6


def test_missing_template_variable_fails_naming_template_and_variable(example, aws):
    host_vars = example / "inventory" / "host_vars" / "user-service.dev.yml"
    host_vars.write_text(host_vars.read_text().replace("memory_reservation", "memory_reserve"))
    aws.server.reset_calls()

    output, recap = playbook(example, aws, "-e", "env=dev", "--limit", "user-service", check=False)

    assert recap["user-service.dev"]["failed"] == 1
    assert "'memory_reservation' is undefined" in output
    assert "services/user-service/task-def.json.j2" in output
    assert aws.mutating_calls() == {}


def test_invalid_json_fails_naming_the_template(example, aws):
    template = example / "services" / "auth-service" / "service-def.json.j2"
    template.write_text(template.read_text().replace('"propagateTags"', "propagateTags"))
    aws.server.reset_calls()

    output, recap = playbook(example, aws, "-e", "env=dev", "--limit", "auth-service", check=False)

    assert recap["auth-service.dev"]["failed"] == 1
    assert "services/auth-service/service-def.json.j2: invalid JSON at line 16 column 3" in output
    assert 'propagateTags: "TASK_DEFINITION",' in output
    assert aws.mutating_calls() == {}


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("deploy.yml", ["-e", "env=all"]),
        ("deploy.yml", ["-e", "env=auth-service", "--limit", "auth-service"]),
        # A mistyped env matches no host: the run must fail, not succeed doing nothing.
        ("deploy.yml", ["-e", "env=staging", "--limit", "auth-service"]),
        ("deploy.yml", ["--limit", "auth-service"]),
        ("rollback.yml", ["-e", "env=stagng", "--limit", "auth-service"]),
        ("run.yml", ["-e", "env=stagng"]),
    ],
)
def test_env_must_name_an_environment(example, aws, name, args):
    aws.server.reset_calls()

    output, recap = playbook(example, aws, *args, check=False, name=name)

    assert "Say which environment: -e env=dev or -e env=prod" in output
    assert sum(host["failed"] for host in recap.values()) == 1, output
    assert aws.server.calls() == {}


def test_collection_playbook_deploys_with_aws_settings_from_the_environment(example, aws):
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=aws.endpoint_url,
        AWS_REGION=aws.region,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    command = [
        str(ANSIBLE_PLAYBOOK),
        "ecsops.ecspresso.deploy",
        "-e",
        "ecspresso_hosts=dev",
        "-e",
        "env=dev",
        "--limit",
        "user-service",
    ]

    completed = subprocess.run(
        command, cwd=example, env=env, capture_output=True, text=True, timeout=300, check=False
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "user-service.dev           : ok=2    changed=1" in completed.stdout
    assert sorted(services(aws)) == ["user-service"]


def test_progress_lines_show_while_the_deploy_waits(example, aws):
    aws.server.rollout_seconds = 3
    command = [str(ANSIBLE_PLAYBOOK), "deploy.yml", "-e", f"local_aws_endpoint={aws.endpoint_url}"]
    started = time.monotonic()
    arrivals = []
    with subprocess.Popen(
        command + ["-e", "env=dev"],
        cwd=example,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        for line in process.stdout:
            arrivals.append((time.monotonic() - started, line.rstrip("\n")))
    assert process.returncode == 0, "\n".join(line for _at, line in arrivals)

    def first(pattern):
        return next(at for at, line in arrivals if re.search(pattern, line))

    progress = first(r"^\[auth-service\] PRIMARY dev-auth-service:1 0/1 running")
    completed = first(r"^\[auth-service\] deployment of dev-auth-service:1 COMPLETED in")
    result = first(r"^changed: \[auth-service\.dev\]")
    # Shown as they happen: the first line comes while the 3 s rollout is still going.
    assert progress < completed <= result
    assert result - progress >= 1.5


def set_image_tag(example, host, tag):
    """Give the host the image tag ``tag`` in its host_vars, as a user edits it."""
    host_vars = example / "inventory" / "host_vars" / f"{host}.yml"
    text, replaced = re.subn(r'image_tag: "[^"]*"', f'image_tag: "{tag}"', host_vars.read_text())
    assert replaced == 1, host_vars
    host_vars.write_text(text)


def register_scalable_target(aws, cluster, service, minimum=2, maximum=10):
    """Register the service's desired count with Application Auto Scaling, as an account's
    infrastructure code does once the service exists; returns the client."""
    scaling = aws.client("application-autoscaling")
    scaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=f"service/{cluster}/{service}",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=minimum,
        MaxCapacity=maximum,
    )
    return scaling


def test_a_failing_version_fails_the_play_and_the_old_one_keeps_running(example, aws):
    playbook(example, aws, "-e", "env=dev")
    registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    aws.server.faults.set({"failing_tasks": [{"image": f"{registry}/auth-service:9.9.9"}]})
    set_image_tag(example, "auth-service.dev", "9.9.9")

    output, recap = playbook(example, aws, "-e", "env=dev", check=False)

    assert recap["auth-service.dev"]["failed"] == 1
    assert recap["user-service.dev"] == {"changed": 0, "failed": 0}
    assert "was rolled back; the service runs dev-auth-service:1" in output
    assert "CannotPullContainerError" in output
    assert services(aws)["auth-service"]["taskDefinition"].endswith("dev-auth-service:1")

    aws.server.faults.clear()
    set_image_tag(example, "auth-service.dev", "1.9.0")
    output, recap = playbook(example, aws, "-e", "env=dev")
    assert recap["auth-service.dev"]["changed"] == 1
    assert services(aws)["auth-service"]["taskDefinition"].endswith("dev-auth-service:3")
    output, recap = playbook(example, aws, "-e", "env=dev")
    assert all(r["changed"] == 0 for r in recap.values()), output


def test_rollback_playbook_puts_one_service_back_and_deregisters(example, aws):
    playbook(example, aws, "-e", "env=dev")
    set_image_tag(example, "payment-service.dev", "2.0.0")
    playbook(example, aws, "-e", "env=dev")

    output, _recap = playbook(
        example, aws, "-e", "env=dev", "--limit", "payment-service", name="rollback.yml"
    )

    assert "[payment-service] rolling back from dev-payment-service:2 to dev-payment-service:1" in (
        output
    )
    deployed = services(aws)
    assert deployed["payment-service"]["taskDefinition"].endswith("dev-payment-service:1")
    assert deployed["auth-service"]["taskDefinition"].endswith("dev-auth-service:1")
    ecs = aws.client("ecs")
    revision = ecs.describe_task_definition(taskDefinition="dev-payment-service:2")
    assert revision["taskDefinition"]["status"] == "INACTIVE"


def test_rollback_playbook_needs_a_limit(example, aws):
    playbook(example, aws, "-e", "env=dev")
    aws.server.reset_calls()

    output, recap = playbook(example, aws, "-e", "env=dev", name="rollback.yml", check=False)

    assert all(r["failed"] == 1 for r in recap.values()), output
    assert "Say which environment and which services to roll back" in output
    assert aws.mutating_calls() == {}


def test_the_example_deploys_while_30_percent_of_calls_are_throttled(example, aws):
    aws.server.faults.set({"throttle_rate": 0.3, "seed": 11})

    output, recap = playbook(example, aws, "-e", "env=dev")

    injected = aws.server.faults.as_dict()
    aws.server.faults.clear()
    assert {host: r["failed"] for host, r in recap.items()} == dict.fromkeys(recap, 0)
    assert all(r["changed"] == 1 for host, r in recap.items() if host != "localhost"), output
    assert sum(injected.get("injected", {}).values()) > 0
    for service in services(aws).values():
        assert_settled(service)


def test_run_playbook_runs_the_migration_and_shows_its_output(example, aws):
    output, _recap = playbook(example, aws, "-e", "env=dev", name="run.yml")

    assert re.search(r"^\[user-service\] app \w{8}\| running migrations on dev$", output, re.M)
    assert '"migrations applied"' in output  # the debug task shows the result's log lines
    tasks = aws.client("ecs").list_tasks(cluster="dev", desiredStatus="STOPPED")["taskArns"]
    assert len(tasks) == 1


def test_prod_deploy_migrates_user_service_before_deploying_it(example, aws):
    output, recap = playbook(example, aws, "-e", "env=prod")

    lines = output.splitlines()
    migrated = next(
        i for i, line in enumerate(lines) if line.endswith("| running migrations on prod")
    )
    created = lines.index(
        "[user-service] created service user-service on prod-user-service:1 with 4 desired"
    )
    assert migrated < created
    # The migration (a one-off task) and the deploy each changed something.
    assert recap["user-service.prod"] == {"changed": 2, "failed": 0}
    # The deploy reuses the revision the migration registered.
    assert services(aws, "prod")["user-service"]["taskDefinition"].endswith("prod-user-service:1")

    output, recap = playbook(example, aws, "-e", "env=prod")
    assert "running migrations" not in output
    assert all(r["changed"] == 0 for r in recap.values()), output
    stopped = aws.client("ecs").list_tasks(cluster="prod", desiredStatus="STOPPED")
    assert len(stopped["taskArns"]) == 1


def test_api_gateway_deploys_blue_green_and_codedeploy_rolls_a_failure_back(example, aws):
    playbook(example, aws, "-e", "env=dev", "--limit", "api-gateway")
    set_image_tag(example, "api-gateway.dev", "3.2.0")
    aws.server.reset_calls()

    output, recap = playbook(example, aws, "-e", "env=dev", "--limit", "api-gateway")

    assert recap["api-gateway.dev"]["changed"] == 1
    assert aws.server.calls().get("codedeploy:CreateDeployment") == 1
    deploy = aws.client("codedeploy")
    (deployment_id,) = deploy.list_deployments(
        applicationName="EcsApplication", deploymentGroupName="EcsDeploymentGroup-dev"
    )["deployments"]
    deployment = deploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert deployment["status"] == "Succeeded"
    assert deployment["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"
    assert deployment["autoRollbackConfiguration"] == {
        "enabled": True,
        "events": ["DEPLOYMENT_FAILURE"],
    }
    gateway = services(aws)["api-gateway"]
    assert gateway["taskDefinition"].endswith("dev-api-gateway:2")
    assert_settled(gateway)

    registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    aws.server.faults.set({"failing_tasks": [{"image": f"{registry}/api-gateway:9.9.9"}]})
    set_image_tag(example, "api-gateway.dev", "9.9.9")
    output, recap = playbook(example, aws, "-e", "env=dev", "--limit", "api-gateway", check=False)

    aws.server.faults.clear()
    assert recap["api-gateway.dev"]["failed"] == 1
    assert "Rolled back by CodeDeploy deployment" in output
    assert "Deregistered dev-api-gateway:3" in output
    gateway = services(aws)["api-gateway"]
    assert gateway["taskDefinition"].endswith("dev-api-gateway:2")
    assert_settled(gateway)

    # rollback.yml puts it back on the revision before, through CodeDeploy too.
    output, _recap = playbook(
        example, aws, "-e", "env=dev", "--limit", "api-gateway", name="rollback.yml"
    )
    gateway = services(aws)["api-gateway"]
    assert gateway["taskDefinition"].endswith("dev-api-gateway:1")
    assert_settled(gateway)
    # The deploy, the failed one, CodeDeploy's rollback of it, and this rollback.
    deployments = deploy.list_deployments(
        applicationName="EcsApplication", deploymentGroupName="EcsDeploymentGroup-dev"
    )["deployments"]
    assert len(deployments) == 4


def test_prod_api_gateway_resumes_auto_scaling_with_5_to_50_tasks_after_its_deploy(example, aws):
    output, _recap = playbook(example, aws, "-e", "env=prod", "--limit", "api-gateway")
    # Application Auto Scaling registers a target only for a service that exists: the first
    # deploy says that there is none yet.
    assert "service api-gateway has no Application Auto Scaling scalable target" in output
    scaling = register_scalable_target(aws, "prod", "api-gateway")
    set_image_tag(example, "api-gateway.prod", "3.0.5")

    output, recap = playbook(example, aws, "-e", "env=prod", "--limit", "api-gateway")

    assert recap["api-gateway.prod"]["changed"] == 1
    lines = output.splitlines()
    suspended = lines.index("[api-gateway] auto scaling: suspended")
    created = next(i for i, line in enumerate(lines) if "created CodeDeploy deployment" in line)
    succeeded = next(i for i, line in enumerate(lines) if re.search(r"Succeeded in \d+s$", line))
    resumed = lines.index("[api-gateway] auto scaling: resumed, min 5, max 50")
    assert suspended < created < succeeded < resumed
    (target,) = scaling.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=["service/prod/api-gateway"]
    )["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (5, 50)
    assert not any(target["SuspendedState"].values())

    aws.server.reset_calls()
    output, recap = playbook(example, aws, "-e", "env=prod", "--limit", "api-gateway")
    assert recap["api-gateway.prod"]["changed"] == 0, output
    assert aws.mutating_calls() == {}
