"""Template functions that read AWS, against the local AWS: ssm, secretsmanager_arn,
cfn_output, cfn_export, tfstate from S3; secrets masked; ignore.tags in a deploy."""

from __future__ import annotations

import copy
import json
import pathlib
import subprocess
import sys

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ecsops.ecspresso.plugins.module_utils import runs, templating
from ansible_collections.ecsops.ecspresso.plugins.module_utils.aws import AwsSession
from ansible_collections.ecsops.ecspresso.plugins.module_utils.config import resolve_target
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError
from ansible_collections.ecsops.ecspresso.plugins.module_utils.progress import Progress
from tests.integration.web_service import TASK_DEFINITION, service_definition_default

needs_jsonnet = pytest.mark.skipif(
    templating._jsonnet is None,
    reason="the jsonnet package is not installed (pip install jsonnet)",
)

ANSIBLE_PLAYBOOK = str(pathlib.Path(sys.executable).parent / "ansible-playbook")
PASSWORD = "s3cr3t-Pa55w0rd"
STATE = {
    "version": 4,
    "resources": [
        {
            "mode": "managed",
            "type": "aws_ecr_repository",
            "name": "app",
            "instances": [{"attributes": {"repository_url": "registry.example.com/web"}}],
        }
    ],
}
TEMPLATE = {
    "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
    "Outputs": {
        "Tag": {"Value": "7"},
        "Shared": {"Value": "shared-value", "Export": {"Name": "app-shared"}},
    },
}


@pytest.fixture
def parameters(aws):
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/app/tag", Value="5", Type="String")
    ssm.put_parameter(Name="/app/names", Value="a,b,c", Type="StringList")
    ssm.put_parameter(Name="/app/password", Value=PASSWORD, Type="SecureString")


def write_service(tmp_path, task_definition, config="", service_definition=None):
    """An ecspresso.yml naming td.json (text) and sd.json in ``tmp_path``; its path."""
    (tmp_path / "td.json").write_text(task_definition)
    (tmp_path / "sd.json").write_text(json.dumps(service_definition or {}))
    path = tmp_path / "ecspresso.yml"
    path.write_text(
        "cluster: apps\nservice: web\ntask_definition: td.json\nservice_definition: sd.json\n"
        + config
    )
    return str(path)


def task_definition_text(image, environment=()):
    definition = copy.deepcopy(TASK_DEFINITION)
    definition["containerDefinitions"][0]["image"] = image
    for name, value in environment:
        definition["containerDefinitions"][0]["environment"].append({"name": name, "value": value})
    return json.dumps(definition, indent=2)


def resolved(aws, path, **options):
    return resolve_target({"config": path, **options}, session=AwsSession(**aws.options))


def container(target):
    return target.task_definition["containerDefinitions"][0]


def environment(target):
    return {item["name"]: item["value"] for item in container(target)["environment"]}


def test_ssm_reads_strings_stringlist_items_and_secure_strings(aws, parameters, tmp_path):
    path = write_service(
        tmp_path,
        task_definition_text(
            "app:{{ ssm `/app/tag` }}",
            [("SECOND", "{{ ssm `/app/names` 1 }}"), ("PASSWORD", "{{ ssm `/app/password` }}")],
        ),
    )

    target, settings, _warnings = resolved(aws, path)

    assert container(target)["image"] == "app:5"
    assert environment(target)["SECOND"] == "b"
    assert environment(target)["PASSWORD"] == PASSWORD
    assert settings["secrets"] == {PASSWORD}


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (
            "{{ ssm `/app/missing` }}",
            "Failed to read SSM parameter /app/missing: ParameterNotFound",
        ),
        ("{{ ssm `/app/names` 5 }}", "has 3 items; index 5 is out of range"),
        ("{{ ssm `/app/tag` 0 }}", "is a String, not a StringList"),
        ("{{ secretsmanager_arn `nope` }}", "Failed to describe secret nope"),
    ],
)
def test_lookups_that_fail_name_file_line_and_reason(aws, parameters, tmp_path, call, problem):
    text = task_definition_text(call)
    path = write_service(tmp_path, text)
    line = next(number for number, found in enumerate(text.splitlines(), 1) if call in found)

    with pytest.raises(DefinitionError) as caught:
        resolved(aws, path)

    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'td.json'}: line {line}: ")
    assert problem in message


def test_secretsmanager_arn_gives_the_full_arn(aws, tmp_path):
    arn = aws.client("secretsmanager").create_secret(Name="app/db", SecretString="x")["ARN"]
    path = write_service(
        tmp_path,
        task_definition_text("app:1", [("DB", "{{ secretsmanager_arn `app/db` }}")]),
    )

    target, _settings, _warnings = resolved(aws, path)

    assert environment(target)["DB"] == arn


def test_cfn_output_and_cfn_export_with_the_cloudformation_plugin(aws, tmp_path):
    aws.client("cloudformation").create_stack(StackName="app", TemplateBody=json.dumps(TEMPLATE))
    path = write_service(
        tmp_path,
        task_definition_text(
            "app:{{ cfn_output `app` `Tag` }}", [("SHARED", "{{ cfn_export `app-shared` }}")]
        ),
        "plugins:\n  - name: cloudformation\n",
    )

    target, _settings, _warnings = resolved(aws, path)

    assert container(target)["image"] == "app:7"
    assert environment(target)["SHARED"] == "shared-value"


def test_tfstate_from_an_s3_url(aws, tmp_path):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="states")
    s3.put_object(Bucket="states", Key="web/terraform.tfstate", Body=json.dumps(STATE))
    path = write_service(
        tmp_path,
        task_definition_text("{{ tfstate `aws_ecr_repository.app.repository_url` }}:1"),
        "plugins:\n  - name: tfstate\n    config:\n      url: s3://states/web/terraform.tfstate\n",
    )

    target, _settings, _warnings = resolved(aws, path)

    assert container(target)["image"] == "registry.example.com/web:1"


def test_tfstate_through_an_s3_backend_and_its_workspace(aws, tmp_path):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="states")
    s3.put_object(Bucket="states", Key="env:/staging/web.tfstate", Body=json.dumps(STATE))
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "environment").write_text("staging")
    backend = {"type": "s3", "config": {"bucket": "states", "key": "web.tfstate"}}
    (tmp_path / ".terraform" / "terraform.tfstate").write_text(
        json.dumps({"version": 3, "backend": backend})
    )
    path = write_service(
        tmp_path,
        task_definition_text("{{ tfstate `aws_ecr_repository.app.repository_url` }}:2"),
        "plugins:\n  - name: tfstate\n    config:\n      path: .terraform/terraform.tfstate\n",
    )

    target, _settings, _warnings = resolved(aws, path)

    assert container(target)["image"] == "registry.example.com/web:2"


@needs_jsonnet
def test_jsonnet_native_functions_read_aws(aws, parameters, tmp_path):
    aws.client("cloudformation").create_stack(StackName="app", TemplateBody=json.dumps(TEMPLATE))
    definition = json.loads(task_definition_text("placeholder"))
    definition["containerDefinitions"][0]["image"] = "IMAGE"
    (tmp_path / "td.jsonnet").write_text(
        "local ssm = std.native('ssm');\n"
        "local ssm_list = std.native('ssm_list');\n"
        "local cfn_output = std.native('cfn_output');\n"
        f"local base = {json.dumps(definition)};\n"
        "base + { containerDefinitions: [base.containerDefinitions[0] + {\n"
        "  image: 'app:' + ssm('/app/tag') + '-' + ssm_list('/app/names', 2)\n"
        "    + '-' + cfn_output('app', 'Tag') } ] }\n"
    )
    path = write_service(tmp_path, "{}", "plugins:\n  - name: cloudformation\n")

    target, _settings, _warnings = resolved(aws, path, task_definition="td.jsonnet")

    assert container(target)["image"] == "app:5-c-7"


def test_files_without_aws_functions_make_no_aws_call(aws, tmp_path):
    path = write_service(
        tmp_path,
        task_definition_text("app:{{ env `NOPE` `1` }}"),
        "plugins:\n  - name: tfstate\n    config:\n      url: s3://nowhere/state\n",
    )
    aws.server.reset_calls()

    target, _settings, _warnings = resolved(aws, path)

    assert container(target)["image"] == "app:1"
    assert aws.server.calls() == {}


def deploy_params(aws, **options):
    params = {"cluster": "apps", "service": "web", "timeout": "60", **aws.options, **options}
    validation = ArgumentSpecValidator(runs.DEPLOY_ARGUMENT_SPEC).validate(params)
    assert not validation.error_messages, validation.error_messages
    return validation.validated_parameters


def test_a_deploy_collects_secure_strings_for_masking(aws, cluster, parameters, tmp_path):
    path = write_service(
        tmp_path,
        task_definition_text("app:1", [("PASSWORD", "{{ ssm `/app/password` }}")]),
        service_definition=service_definition_default(),
    )
    progress = Progress()

    result = runs.run_deploy(deploy_params(aws, config=path), False, True, progress, None)

    assert result["changed"] is True
    assert progress.secrets == {PASSWORD}
    # The module masks them in its result; the diff is where the value would show.
    assert PASSWORD in json.dumps(result["diff"])
    progress.emit("web", f"a message holding {PASSWORD}")
    assert progress.events[-1]["message"] == "a message holding ********"


def test_ignored_tags_are_neither_compared_nor_changed(aws, cluster, tmp_path):
    task_definition = json.loads(task_definition_text("app:1"))
    service_definition = service_definition_default()
    service_definition["tags"].append({"key": "owner", "value": "us"})
    path = write_service(
        tmp_path, json.dumps(task_definition), "ignore:\n  tags: [owner]\n", service_definition
    )
    first = runs.run_deploy(deploy_params(aws, config=path), False, False, Progress(), None)
    ecs = aws.client("ecs")
    # Another tool tags the service and the task definition revision.
    for arn in (first["service"]["service_arn"], first["task_definition_arn"]):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "owner", "value": "them"}])
    aws.server.reset_calls()

    second = runs.run_deploy(deploy_params(aws, config=path), False, True, Progress(), None)

    assert second["changed"] is False, second.get("diff")
    assert aws.mutating_calls() == {}
    tags = ecs.list_tags_for_resource(resourceArn=first["service"]["service_arn"])["tags"]
    assert {"key": "owner", "value": "them"} in tags
    # Without ignore.tags, the same definitions would change the revision and the tag.
    plain = write_service(tmp_path, json.dumps(task_definition), "", service_definition)
    third = runs.run_deploy(deploy_params(aws, config=plain), True, True, Progress(), None)
    assert third["changed"] is True
    assert len(third["diff"]) == 2


PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/ecsops.ecspresso.ecspresso:
      region: us-east-1
      endpoint_url: "{{ endpoint }}"
      access_key: testing
      secret_key: testing
  tasks:
    - name: Deploy with a SecureString in the environment
      ecsops.ecspresso.ecspresso_deploy:
        config: ecspresso.yml
        envfile: [app.env]
        timeout: 60
      register: deployed

    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ deployed | to_nice_json }}"
        dest: result.json

    - name: Deploy a definition that breaks on the line with the secret
      ecsops.ecspresso.ecspresso_deploy:
        config: broken.yml
        envfile: [app.env]
      register: broken
      ignore_errors: true

    - name: Keep the failure
      ansible.builtin.copy:
        content: "{{ broken | to_nice_json }}"
        dest: failure.json
"""


def test_secure_strings_never_show_in_output_results_or_errors(aws, cluster, parameters, tmp_path):
    path = write_service(
        tmp_path,
        task_definition_text(
            "app:{{ must_env `TAG` }}", [("PASSWORD", "{{ ssm `/app/password` }}")]
        ),
        service_definition=service_definition_default(),
    )
    (tmp_path / "app.env").write_text("export TAG=3\n")
    (tmp_path / "broken.json").write_text('{"family": "web", "x": "{{ ssm `/app/password` }}",,}')
    (tmp_path / "broken.yml").write_text(
        "cluster: apps\nservice: web\ntask_definition: broken.json\nservice_definition: sd.json\n"
    )
    (tmp_path / "deploy.yml").write_text(PLAYBOOK)
    assert path

    completed = subprocess.run(
        [ANSIBLE_PLAYBOOK, "deploy.yml", "-v", "--diff", "-e", f"endpoint={aws.endpoint_url}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    result = (tmp_path / "result.json").read_text()
    failure = json.loads((tmp_path / "failure.json").read_text())
    assert json.loads(result)["changed"] is True
    assert "app:3" in result  # the envfile's TAG
    assert "********" in result and "********" in output
    assert "invalid JSON" in failure["msg"] and "********" in failure["msg"]
    for shown in (output, result, json.dumps(failure)):
        assert PASSWORD not in shown
