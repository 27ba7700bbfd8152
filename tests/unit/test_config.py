"""ecspresso config files and how they merge with module options."""

from __future__ import annotations

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils import config
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("1h30m", 5400), ("300s", 300), ("10m0s", 600), ("1.5h", 5400), ("500ms", 0.5)],
)
def test_durations(text, seconds):
    assert config.parse_duration(text, "ecspresso.yml") == seconds


@pytest.mark.parametrize("value", [600, "600", "ten minutes", "10x", ""])
def test_bad_durations_name_file_and_field(value):
    with pytest.raises(DefinitionError) as caught:
        config.parse_duration(value, "ecspresso.yml")
    assert str(caught.value).startswith("ecspresso.yml: field timeout:")


def write_service(tmp_path):
    (tmp_path / "td.json").write_text(
        '{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx"}]}'
    )
    (tmp_path / "sd.yml").write_text("desiredCount: 2\n")


def test_config_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    write_service(tmp_path)
    (tmp_path / "ecspresso.yml").write_text(
        "region: eu-west-1\nservice: web\ntask_definition: td.json\n"
        "service_definition: sd.yml\ntimeout: 5m\ncolour: blue\n"
    )
    monkeypatch.chdir("/")
    target, settings, warnings = config.resolve_target({"config": str(tmp_path / "ecspresso.yml")})
    assert (target.cluster, target.service) == ("default", "web")
    assert target.task_definition["family"] == "web"
    assert target.service_definition == {"desiredCount": 2}
    assert (settings["region"], settings["timeout"]) == ("eu-west-1", 300.0)
    assert any("unknown key 'colour'" in w for w in warnings)


def test_options_win_over_the_config(tmp_path):
    write_service(tmp_path)
    (tmp_path / "ecspresso.yml").write_text(
        "cluster: a\nservice: web\ntask_definition: td.json\nservice_definition: sd.yml\n"
    )
    target, settings, unused_warnings = config.resolve_target(
        {"config": str(tmp_path / "ecspresso.yml"), "cluster": "b", "timeout": "90"}
    )
    assert target.cluster == "b" and settings["timeout"] == 90.0


def test_missing_service_name_says_where_to_set_it():
    with pytest.raises(DefinitionError) as caught:
        config.resolve_target(
            {
                "task_definition": {
                    "family": "x",
                    "containerDefinitions": [{"name": "app", "image": "nginx"}],
                },
                "service_definition": {},
            }
        )
    assert "no service name" in str(caught.value) and "service option" in str(caught.value)


def test_config_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "ecspresso.yml"
    path.write_text("- a\n")
    with pytest.raises(DefinitionError) as caught:
        config.load_config(str(path))
    assert str(path) in str(caught.value)


def test_relative_paths_start_from_the_base_folder(tmp_path, monkeypatch):
    # The action plugins pass the playbook's folder: a playbook finds its files wherever
    # ansible-playbook is started from.
    service_dir = tmp_path / "services" / "web"
    service_dir.mkdir(parents=True)
    write_service(service_dir)
    (service_dir / "ecspresso.yml").write_text(
        "service: web\ntask_definition: td.json\nservice_definition: sd.yml\n"
    )
    monkeypatch.chdir("/")

    from_config, _settings, _warnings = config.resolve_target(
        {"config": "services/web/ecspresso.yml"}, base_dir=str(tmp_path)
    )
    from_options, _settings, _warnings = config.resolve_target(
        {
            "service": "web",
            "task_definition": "services/web/td.json",
            "service_definition": "services/web/sd.yml",
        },
        base_dir=str(tmp_path),
    )
    cluster, service, _settings, _warnings = config.resolve_service(
        {"config": "services/web/ecspresso.yml"}, base_dir=str(tmp_path)
    )

    assert from_config.task_definition["family"] == from_options.task_definition["family"] == "web"
    assert from_options.service_definition == {"desiredCount": 2}
    assert (cluster, service) == ("default", "web")


@pytest.mark.parametrize(
    ("given", "seconds"), [("0.5", 0.5), ("1.5", 1.5), ("90", 90.0), ("2m", 120.0)]
)
def test_module_timeouts_in_seconds_or_durations(given, seconds):
    _cluster, _service, settings, _warnings = config.resolve_service(
        {"service": "web", "timeout": given}
    )
    assert settings["timeout"] == seconds


def test_a_negative_timeout_is_refused():
    with pytest.raises(DefinitionError) as caught:
        config.resolve_service({"service": "web", "timeout": "-5"})
    assert "field timeout: '-5' is negative" in str(caught.value)


def write_config(tmp_path, text):
    write_service(tmp_path)
    path = tmp_path / "ecspresso.yml"
    path.write_text("service: web\ntask_definition: td.json\nservice_definition: sd.yml\n" + text)
    return str(path)


def test_required_version_written_for_ecspresso_v2_is_met(tmp_path):
    met = write_config(tmp_path, 'required_version: ">= 2.0.0"\n')
    _target, _settings, warnings = config.resolve_target({"config": met})
    assert not [warning for warning in warnings if "required_version" in warning]

    unmet = write_config(tmp_path, 'required_version: ">= 3.0.0"\n')
    with pytest.raises(DefinitionError) as caught:
        config.resolve_target({"config": unmet})
    assert str(caught.value).startswith(f"{unmet}: field required_version: '>= 3.0.0' allows")


def test_code_deploy_is_read_as_codedeploy_with_a_warning(tmp_path):
    path = write_config(
        tmp_path,
        "code_deploy:\n  application_name: app\n  deployment_group_name: group\n"
        "  deployment_config_name: CodeDeployDefault.ECSAllAtOnce\n  colour: blue\n",
    )

    unused_target, settings, warnings = config.resolve_target({"config": path})

    assert settings["codedeploy"]["application_name"] == "app"
    assert any("code_deploy is read as codedeploy" in w for w in warnings)
    assert any("unknown key codedeploy.colour" in w for w in warnings)


def test_ignore_tags_are_left_out_of_both_definitions(tmp_path):
    path = write_config(tmp_path, "ignore:\n  tags: [owner, cost]\n")
    (tmp_path / "td.json").write_text(
        '{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx"}], "tags": '
        '[{"key": "owner", "value": "x"}, {"key": "team", "value": "web"}]}'
    )
    (tmp_path / "sd.yml").write_text("tags:\n  - {key: cost, value: '1'}\n")

    target, settings, unused_warnings = config.resolve_target({"config": path})

    assert target.ignore_tags == ("owner", "cost") and settings["ignore_tags"] == ["owner", "cost"]
    assert target.task_definition["tags"] == [{"key": "team", "value": "web"}]
    assert "tags" not in target.service_definition


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("ignore: [owner]\n", "field ignore: expected a mapping with tags"),
        ("ignore:\n  tags: owner\n", "field ignore: expected a mapping with tags"),
        ("codedeploy: myapp\n", "field codedeploy: expected a mapping"),
        ("appspec: hooks\n", "field appspec: expected a mapping"),
        ("plugins: {name: tfstate}\n", "field plugins: expected a list"),
        ("cluster: [a]\n", "field cluster: expected a string"),
        (
            "plugins:\n  - name: tfstate\n    config: {path: x}\n    func_prefix: [a]\n",
            "config must be a mapping and func_prefix a string",
        ),
    ],
)
def test_config_keys_of_the_wrong_shape_are_refused(tmp_path, text, problem):
    path = write_config(tmp_path, text)

    with pytest.raises(DefinitionError) as caught:
        config.resolve_target({"config": path})

    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)


def test_the_config_is_a_template_with_the_environment_functions(tmp_path, monkeypatch):
    monkeypatch.setenv("ECSPRESSO_TEST_CLUSTER", "blue")
    path = write_config(tmp_path, 'cluster: "{{ must_env `ECSPRESSO_TEST_CLUSTER` }}"\n')

    cluster, unused_service, unused_settings, unused_warnings = config.resolve_service(
        {"config": path}
    )

    assert cluster == "blue"


def test_a_missing_variable_in_the_config_names_file_and_line(tmp_path, monkeypatch):
    monkeypatch.delenv("ECSPRESSO_TEST_UNSET", raising=False)
    path = write_config(tmp_path, 'cluster: "{{ must_env `ECSPRESSO_TEST_UNSET` }}"\n')

    with pytest.raises(DefinitionError) as caught:
        config.resolve_service({"config": path})

    assert str(caught.value).startswith(f"{path}: line 4: must_env: environment variable")


def test_region_falls_back_to_aws_region_of_the_envfiles(tmp_path):
    path = write_config(tmp_path, "")
    (tmp_path / "app.env").write_text("AWS_REGION=ap-southeast-2\n")

    unused_target, settings, unused_warnings = config.resolve_target(
        {"config": path, "envfile": [str(tmp_path / "app.env")]}
    )

    assert settings["region"] == "ap-southeast-2"


def test_an_overrides_file_is_rendered_as_the_definitions_are(tmp_path):
    # ecspresso run --overrides-file reads the file as it reads the definitions.
    path = write_config(tmp_path, "")
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "fix.overrides.json").write_text(
        '{"containerOverrides": [{"name": "app", "command": ["fix", "{{ must_env "BATCH" }}"]}]}'
    )
    (tmp_path / "run.env").write_text("BATCH=42\n")
    options = {
        "config": path,
        "overrides": "runs/fix.overrides.json",
        "envfile": [str(tmp_path / "run.env")],
    }

    # Relative to the playbook's folder, not the config file's.
    target, settings, _warnings = config.resolve_run(options, base_dir=str(tmp_path))

    assert settings["overrides"] == {
        "containerOverrides": [{"name": "app", "command": ["fix", "42"]}]
    }
    assert target.sources["overrides"] == str(runs / "fix.overrides.json")

    # Inline overrides are taken as they are.
    inline = {"containerOverrides": [{"name": "app", "command": ["{{ not a template }}"]}]}
    _target, settings, _warnings = config.resolve_run({"config": path, "overrides": inline})
    assert settings["overrides"] == inline

    # A variable the file needs and the environment lacks fails, naming the file.
    with pytest.raises(DefinitionError) as caught:
        config.resolve_run(dict(options, envfile=[]), base_dir=str(tmp_path))
    assert str(caught.value).startswith(f"{runs / 'fix.overrides.json'}:")
    assert "BATCH" in str(caught.value)


@pytest.mark.parametrize(("option", "config_timeout"), [("0", None), ("0s", None), (None, "0s")])
def test_a_timeout_of_zero_is_refused(tmp_path, option, config_timeout):
    path = write_config(tmp_path, f"timeout: {config_timeout}\n" if config_timeout else "")
    options = {"config": path}
    if option is not None:
        options["timeout"] = option

    with pytest.raises(DefinitionError) as caught:
        config.resolve_target(options)

    source = "module options" if option is not None else path
    assert str(caught.value).startswith(
        f"{source}: field timeout: 0 leaves a rollout no time to complete"
    )


def test_a_service_definition_naming_another_service_or_cluster_gets_a_warning(tmp_path):
    path = write_config(tmp_path, "cluster: dev\n")
    (tmp_path / "sd.yml").write_text("serviceName: web-old\ncluster: prod\ndesiredCount: 2\n")

    target, _settings, warnings = config.resolve_target({"config": path})

    assert (target.cluster, target.service) == ("dev", "web")
    sd = str(tmp_path / "sd.yml")
    assert f"{sd}: serviceName 'web-old' is ignored: the deploy goes to 'web', from {path}" in (
        " | ".join(warnings)
    )
    assert f"{sd}: cluster 'prod' is ignored: the deploy goes to 'dev'" in " | ".join(warnings)

    # A service definition that agrees, by name or ARN, gets none.
    (tmp_path / "sd.yml").write_text(
        "serviceName: web\ncluster: arn:aws:ecs:us-east-1:123456789012:cluster/dev\n"
    )
    _target, _settings, warnings = config.resolve_target({"config": path})
    assert not [w for w in warnings if "is ignored: the deploy goes to" in w]
