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
    (tmp_path / "td.json").write_text('{"family": "web", "containerDefinitions": []}')
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
    assert settings == {"region": "eu-west-1", "timeout": 300.0}
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
                "task_definition": {"family": "x", "containerDefinitions": []},
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
    ("given", "seconds"), [("0", 0.0), ("0s", 0.0), ("1.5", 1.5), ("90", 90.0), ("2m", 120.0)]
)
def test_module_timeouts_in_seconds_or_durations_zero_included(given, seconds):
    _cluster, _service, settings, _warnings = config.resolve_service(
        {"service": "web", "timeout": given}
    )
    assert settings["timeout"] == seconds


def test_a_negative_timeout_is_refused():
    with pytest.raises(DefinitionError) as caught:
        config.resolve_service({"service": "web", "timeout": "-5"})
    assert "field timeout: '-5' is negative" in str(caught.value)
