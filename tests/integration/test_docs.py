"""The guides' code blocks, run against the local AWS.

Each test reads its blocks out of a guide in docs/ (tests/docs_blocks.py), runs the
commands and playbooks as a user pastes them, and checks the output blocks against what
really came out. tests/unit/test_doc_blocks.py checks that every block is marked.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from tests.docs_blocks import block, unmatched_output
from tests.integration import awx_collection
from tests.integration.test_example import (
    ALL_SERVICES,
    EXAMPLE,
    assert_settled,
    register_scalable_target,
    services,
)
from tests.localaws.seed import apply_seed, load_seed

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


@pytest.fixture
def clone(aws, tmp_path):
    """A folder laid out as a clone is, with the example seeded into a clean local AWS:
    ``examples/microservices`` (a copy) and ``.venv`` (a link to this virtualenv)."""
    apply_seed(load_seed(EXAMPLE / "localaws-seed.yml"))
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "microservices")
    (tmp_path / ".venv").symlink_to(BIN.parent)
    return tmp_path


def shell(text, cwd, aws, check=True, env=None, endpoint=None):
    """Run shell lines as a user pastes them, with every ansible-playbook given the local
    AWS as the example's ``local_aws_endpoint`` (or ``endpoint``); return the output."""
    script = (
        "set -e\n"
        "ansible-playbook() {\n"
        f'  command ansible-playbook -e local_aws_endpoint={endpoint or aws.endpoint_url} "$@"\n'
        "}\n"
        f"{text}\n"
    )
    environment = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {}))
    completed = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    if check:
        assert completed.returncode == 0, f"{text}\n{output}"
    return output


def assert_shows(output_block, output):
    """Every line of an output block is a line of the real output."""
    missing = unmatched_output(output_block, output)
    assert missing is None, f"{output_block.where}: {missing!r} is not in the output:\n{output}"


def tree_paths(lines):
    """The paths a tree of indented names shows (a name ending in / is a folder whose
    entries follow, indented further), each followed by its description."""
    folders = []
    for line in lines:
        indent, name = len(line) - len(line.lstrip()), line.split()[0]
        while folders and folders[-1][0] >= indent:
            folders.pop()
        path = "".join(folder for _indent, folder in folders) + name
        yield path
        if name.endswith("/"):
            folders.append((indent, name))


# getting-started.md


def test_getting_started_deploy_change_and_roll_back(clone, aws):
    guide = "getting-started.md"
    # So that the first progress lines come while the rollouts are still going.
    aws.server.rollout_seconds = 1
    example = clone / "examples" / "microservices"

    # make demo starts the local AWS (here: the test's) and runs the example's deploy.
    assert block(guide, "test_getting_started_deploy_change_and_roll_back", "demo").lines() == [
        "make demo"
    ]
    recipe = subprocess.run(
        ["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (deploy,) = [line for line in recipe.splitlines() if "ansible-playbook" in line]
    assert deploy == "cd examples/microservices && ansible-playbook deploy.yml -e env=dev"
    output = shell(deploy, clone, aws)
    assert_shows(
        block(guide, "test_getting_started_deploy_change_and_roll_back", "first-deploy"), output
    )

    layout = block(guide, "test_getting_started_deploy_change_and_roll_back", "layout")
    for path in tree_paths(layout.lines()[1:]):
        assert (EXAMPLE / path).exists(), f"{layout.where}: {path} is not in the example"

    setup = block(guide, "test_getting_started_deploy_change_and_roll_back", "shell").text
    assert shell(f"{setup}\ntype -P ansible-playbook", clone, aws).strip() == str(
        clone / "examples" / "microservices" / "../../.venv/bin/ansible-playbook"
    )

    def step(label):
        text = block(guide, "test_getting_started_deploy_change_and_roll_back", label).text
        return shell(text, example, aws)

    aws.server.reset_calls()
    assert_shows(
        block(guide, "test_getting_started_deploy_change_and_roll_back", "rerun-output"),
        step("rerun"),
    )
    assert aws.mutating_calls() == {}

    step("edit")
    assert (
        'image_tag: "1.9.0"' in (example / "inventory/host_vars/auth-service.dev.yml").read_text()
    )
    output = step("check")
    assert_shows(
        block(guide, "test_getting_started_deploy_change_and_roll_back", "check-output"), output
    )
    assert aws.mutating_calls() == {}

    output = step("deploy")
    assert_shows(
        block(guide, "test_getting_started_deploy_change_and_roll_back", "deploy-output"), output
    )
    assert services(aws)["auth-service"]["taskDefinition"].endswith("dev-auth-service:2")

    output = step("rollback")
    assert_shows(
        block(guide, "test_getting_started_deploy_change_and_roll_back", "rollback-output"), output
    )
    assert services(aws)["auth-service"]["taskDefinition"].endswith("dev-auth-service:1")


def test_getting_started_one_service_prod_and_run(clone, aws):
    guide = "getting-started.md"
    example = clone / "examples" / "microservices"

    def step(label, **options):
        text = block(guide, "test_getting_started_one_service_prod_and_run", label).text
        return shell(text, example, aws, **options)

    step("limit")
    assert sorted(services(aws)) == ["payment-service"]

    output = step("prod")
    assert_shows(
        block(guide, "test_getting_started_one_service_prod_and_run", "prod-output"), output
    )

    output = step("run")
    assert_shows(
        block(guide, "test_getting_started_one_service_prod_and_run", "run-output"), output
    )

    # local_aws=false: every AWS setting but the region comes from the environment, as it
    # would for an account; here it names the local AWS, and local_aws_endpoint nothing.
    aws.server.reset_calls()
    output = step(
        "account",
        endpoint="http://127.0.0.1:9",
        env={
            "AWS_ENDPOINT_URL": aws.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        },
    )
    assert re.search(r"auth-service\.dev\s+: ok=\d+\s+changed=1", output), output
    assert aws.mutating_calls() == {}


# from-ecspresso.md


def write_blocks(folder, guide, test, files):
    """Write the guide's blocks into ``folder``: ``files`` maps each block's label to the
    file it becomes."""
    folder.mkdir(exist_ok=True)
    for label, name in files.items():
        (folder / name).write_text(block(guide, test, label).text + "\n")


def test_from_ecspresso_one_service(aws, tmp_path):
    guide = "from-ecspresso.md"
    apply_seed(load_seed(EXAMPLE / "localaws-seed.yml"))
    aws.client("logs").create_log_group(logGroupName="/ecs/prod/web")
    web = tmp_path / "web"
    # The ecspresso service as the guide shows it: config, definitions, envfile.
    write_blocks(
        web,
        guide,
        "test_from_ecspresso_one_service",
        {
            "config": "ecspresso.yml",
            "task-definition": "ecs-task-def.json",
            "service-definition": "ecs-service-def.json",
            "envfile": "prod.env",
        },
    )
    (web / "web.yml").write_text(block(guide, "test_from_ecspresso_one_service", "playbook").text)
    # The AWS settings the guide exports for the local AWS, with this test's address.
    exports = block(guide, "test_from_ecspresso_one_service", "local-aws").text
    assert exports.startswith("export ") and "\n" not in exports
    account = dict(pair.split("=", 1) for pair in exports.removeprefix("export ").split())
    assert account["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    account["AWS_ENDPOINT_URL"] = aws.endpoint_url

    output = shell(
        block(guide, "test_from_ecspresso_one_service", "deploy").text, web, aws, env=account
    )
    assert_shows(block(guide, "test_from_ecspresso_one_service", "deploy-output"), output)
    assert services(aws, "prod")["web"]["taskDefinition"].endswith("task-definition/web:1")

    shell(
        block(guide, "test_from_ecspresso_one_service", "second-release").text,
        web,
        aws,
        env=account,
    )
    assert services(aws, "prod")["web"]["taskDefinition"].endswith("task-definition/web:2")
    assert (web / "prod.env").read_text() == "IMAGE_TAG=1.4.2\n"
    (web / "web-ops.yml").write_text(
        block(guide, "test_from_ecspresso_one_service", "operations").text
    )

    output = shell(
        block(guide, "test_from_ecspresso_one_service", "operations-run").text,
        web,
        aws,
        env=account,
    )

    assert_shows(block(guide, "test_from_ecspresso_one_service", "operations-output"), output)
    service = services(aws, "prod")["web"]
    assert service["taskDefinition"].endswith("task-definition/web:1")
    assert service["desiredCount"] == 3
    revision = aws.client("ecs").describe_task_definition(taskDefinition="web:2")
    assert revision["taskDefinition"]["status"] == "INACTIVE"


# many-services.md and troubleshooting.md

REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def test_many_services_in_pairs_one_fails_and_a_rerun_converges(clone, aws):
    many, trouble = "many-services.md", "troubleshooting.md"
    name = "test_many_services_in_pairs_one_fails_and_a_rerun_converges"
    example = clone / "examples" / "microservices"

    # Two at a time, in the inventory's order: a batch starts when the one before is done.
    write_blocks(example, many, name, {"pairs": "deploy-in-pairs.yml"})
    output = shell(block(many, name, "pairs-run").text, example, aws)
    assert_shows(block(many, name, "pairs-output"), output)
    lines = output.splitlines()
    second_batch = [i for i, line in enumerate(lines) if line.startswith("PLAY [")][1]
    assert lines.index("changed: [user-service.prod]") < second_batch
    assert lines.index("[payment-service] registered prod-payment-service:1") > second_batch
    assert sorted(services(aws, "prod")) == ALL_SERVICES

    # The account's infrastructure code registers api-gateway's scalable target once the
    # service exists.
    scaling = register_scalable_target(aws, "prod", "api-gateway")

    # auth-service and api-gateway get versions whose tasks cannot start.
    local = "http://127.0.0.1:4566"
    shell(block(many, name, "faults").text.replace(local, aws.endpoint_url), example, aws)
    assert [fault["image"] for fault in aws.server.faults.as_dict()["failing_tasks"]] == [
        f"{REGISTRY}/auth-service:9.9.9",
        f"{REGISTRY}/api-gateway:9.9.9",
    ]
    host_vars = example / "inventory" / "host_vars"
    for host, tag in [
        ("auth-service", "9.9.9"),
        ("api-gateway", "9.9.9"),
        ("payment-service", "0.9.3"),
    ]:
        assert f'image_tag: "{tag}"' in (host_vars / f"{host}.prod.yml").read_text()
    output = shell(block(many, name, "deploy").text, example, aws, check=False)
    assert_shows(block(many, name, "deploy-output"), output)
    assert_shows(block(trouble, name, "rolled-back-output"), output)
    assert_shows(block(trouble, name, "blue-green-output"), output)
    running = services(aws, "prod")
    assert running["auth-service"]["taskDefinition"].endswith("prod-auth-service:1")
    assert running["api-gateway"]["taskDefinition"].endswith("prod-api-gateway:1")
    assert running["payment-service"]["taskDefinition"].endswith("prod-payment-service:2")
    for service in running.values():
        assert_settled(service)

    # ecspresso_info from the shell, with the AWS settings in the environment.
    account = {
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    aws.server.reset_calls()
    output = shell(block(trouble, name, "status").text, example, aws, env=account)
    assert_shows(block(trouble, name, "status-output"), output)
    assert aws.mutating_calls() == {}

    # Scaling stays suspended after the failure, until resumed without a deploy.
    output = shell(block(trouble, name, "resume").text, example, aws)
    assert_shows(block(trouble, name, "resume-output"), output)
    (target,) = scaling.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=["service/prod/api-gateway"]
    )["ScalableTargets"]
    assert not any(target["SuspendedState"].values())
    assert (target["MinCapacity"], target["MaxCapacity"]) == (5, 50)
    assert services(aws, "prod")["api-gateway"]["taskDefinition"].endswith("prod-api-gateway:1")

    # Fixed versions, deployed for the failed services only; then nothing is left to do.
    shell(block(many, name, "fix").text.replace(local, aws.endpoint_url), example, aws)
    assert not aws.server.faults.as_dict()["failing_tasks"]
    fixed = block(trouble, name, "fixed").text
    assert block(many, name, "rerun").text == fixed
    output = shell(fixed, example, aws)
    assert_shows(block(trouble, name, "fixed-output"), output)
    running = services(aws, "prod")
    assert running["auth-service"]["taskDefinition"].endswith("prod-auth-service:3")
    assert running["api-gateway"]["taskDefinition"].endswith("prod-api-gateway:3")
    aws.server.reset_calls()
    output = shell("ansible-playbook deploy.yml -e env=prod", example, aws)
    assert re.findall(r"changed=(\d+)", output) == ["0"] * 4, output
    assert aws.mutating_calls() == {}


def edit(path, old, new):
    """Replace the one occurrence of ``old`` in the file."""
    text = path.read_text()
    assert text.count(old) == 1, f"{path}: {old!r}"
    path.write_text(text.replace(old, new))


def failures(output):
    """The message of each host's failed task, by host."""
    found = re.findall(r"^fatal: \[([\w.-]+)\]: FAILED! => (\{.*\})$", output, re.M)
    return {host: json.loads(result)["msg"] for host, result in found}


def test_troubleshooting_bad_input(clone, aws):
    guide, name = "troubleshooting.md", "test_troubleshooting_bad_input"
    example = clone / "examples" / "microservices"
    definitions = example / "services"
    edit(definitions / "auth-service/task-def.json.j2", '"memoryReservation"', '"memoryReservaton"')
    command = block(guide, name, "bad-input").text
    assert command.endswith(" --check")
    aws.server.reset_calls()

    output = shell(command, example, aws, check=False)

    assert_shows(block(guide, name, "bad-input-output"), output)
    # Without --check it fails the same way, before any call that changes AWS.
    output = shell(command.removesuffix(" --check"), example, aws, check=False)
    assert_shows(block(guide, name, "bad-input-output"), output)

    # What the paragraph after the output lists, each found in check mode too.
    edit(definitions / "user-service/task-def.json.j2", '"awsvpc"', '"bridge"')
    edit(definitions / "payment-service/service-def.json.j2", '"FARGATE"', '"FARGATE_SPOT"')
    edit(
        definitions / "api-gateway/service-def.json.j2",
        '"containerName": "app"',
        '"containerName": "web"',
    )
    check = "ansible-playbook deploy.yml -e env=dev --check"
    found = failures(shell(check, example, aws, check=False))
    assert sorted(found) == [f"{service}.dev" for service in ALL_SERVICES]
    assert found["user-service.dev"].startswith(
        f"{definitions}/user-service/service-def.json.j2: field networkConfiguration: "
        "ECS takes it for tasks in awsvpc network mode only"
    )
    assert found["payment-service.dev"].startswith(
        f"{definitions}/payment-service/service-def.json.j2: field launchType: "
        "'FARGATE_SPOT' is not one of"
    )
    assert found["api-gateway.dev"].startswith(
        f"{definitions}/api-gateway/service-def.json.j2: field loadBalancers[0]: "
        "the task definition"
    )
    assert "has no container web with containerPort 8080" in found["api-gateway.dev"]

    edit(definitions / "auth-service/task-def.json.j2", '"memoryReservaton"', '"memoryReservation"')
    edit(
        definitions / "auth-service/task-def.json.j2",
        '"portMappings": [{"containerPort": {{ container_port }}}]',
        '"portMappings": {"containerPort": {{ container_port }}}',
    )
    edit(
        definitions / "user-service/task-def.json.j2",
        '"cpu": "{{ task_cpu }}",',
        '"cpu": "{{ task_cpu }}"',
    )
    edit(definitions / "payment-service/task-def.json.j2", "{{ image_tag }}", "{{ image_version }}")
    output = shell(check, example, aws, check=False)
    found = failures(output)
    assert found["auth-service.dev"] == (
        f"{definitions}/auth-service/task-def.json.j2: field containerDefinitions[0]"
        ".portMappings: expected a list, got a mapping; give the field the type the ECS API "
        "expects"
    )
    assert found["user-service.dev"].startswith(
        f"{definitions}/user-service/task-def.json.j2: invalid JSON at line 6 column 3 of the "
        'rendered text (Expecting \',\' delimiter): "memory": "512",'
    )
    assert found["payment-service.dev"].endswith("'image_version' is undefined")
    assert f"Origin: {definitions}/payment-service/task-def.json.j2" in output.splitlines()
    assert aws.mutating_calls() == {}
    assert services(aws) == {}


# awx.md

# ansible-builder build without a container engine: `create` makes the same build
# context, and the tag the image would get is noted in $TAGS.
BUILD_WITHOUT_ENGINE = """
ansible-builder() {
  if [ "$1" != build ]; then command ansible-builder "$@"; return; fi
  shift
  local args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -t|--tag) echo "$2" >>"$TAGS"; shift 2 ;;
      --container-runtime) shift 2 ;;
      *) args+=("$1"); shift ;;
    esac
  done
  command ansible-builder create --output-filename Containerfile "${args[@]}"
}
"""

# The AWX set-up playbook without an AWX to talk to: checked, not run.
SYNTAX_CHECK_ONLY = """
ansible-playbook() { command ansible-playbook --syntax-check "$@"; }
"""


def source_tree(folder):
    """A copy of the working tree as a clone of it has it (the files git tracks or would
    track), in ``folder``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


def test_awx_execution_environment_and_job_template(aws, tmp_path):
    guide, name = "awx.md", "test_awx_execution_environment_and_job_template"
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    clone = source_tree(tmp_path / "clone")
    tags = tmp_path / "tags"

    build = block(guide, name, "build").text
    shell(BUILD_WITHOUT_ENGINE + build, clone, aws, env={"TAGS": str(tags)})

    assert tags.read_text().split() == [f"registry.example.com/ecspresso-ee:{version}"]
    tarball = f"ecsops-ecspresso-{version}.tar.gz"
    context = clone / "examples" / "awx" / "context"
    assert (context / "_build" / "collections" / tarball).is_file()
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS" in containerfile
    with tarfile.open(clone / "examples" / "awx" / tarball) as archive:
        assert "plugins/modules/ecspresso_deploy.py" in archive.getnames()

    # The set-up playbook, with awx.awx from requirements.yml (installed here from PyPI's
    # Ansible package, so that ansible-galaxy finds it there already).
    awx_collection.install()
    setup = block(guide, name, "setup")
    controller = {
        "CONTROLLER_HOST": "https://awx.example.com",
        "CONTROLLER_USERNAME": "admin",
        "CONTROLLER_PASSWORD": "secret",
        "ANSIBLE_COLLECTIONS_PATH": str(awx_collection.COLLECTIONS),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
    }
    output = shell(SYNTAX_CHECK_ONLY + setup.text, clone / "examples" / "awx", aws, env=controller)

    assert "All requested collections are already installed" in output
    assert "playbook: job-template.yml" in output
    # The extra variables the block passes are the ones the play cannot do without.
    (play,) = yaml.safe_load((clone / "examples" / "awx" / "job-template.yml").read_text())
    required = sorted(var for var, value in play["vars"].items() if "undef(" in str(value))
    assert sorted(re.findall(r"-e (\w+)=", setup.text)) == required
    assert f"awx_ee_image=registry.example.com/ecspresso-ee:{version}" in setup.text
