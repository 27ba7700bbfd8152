"""envfiles: KEY=VALUE files whose values templates read for one module call."""

from __future__ import annotations

import os

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils.config import resolve_target
from ansible_collections.ecsops.ecspresso.plugins.module_utils.envfile import (
    parse_envfile,
    read_envfiles,
)
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError


def test_lines_comments_export_and_quotes():
    text = (
        "# a comment\n"
        "\n"
        "PLAIN=value with spaces   # trailing comment\n"
        "export EXPORTED=yes\n"
        "  SPACED = around \n"
        "SINGLE='kept # as $written\\n'\n"
        'DOUBLE="tab\\there \\"quoted\\" \\u00e9"\n'
        "MIXED=a'b c'\"d\"\n"
        "EMPTY=\n"
        "URL=https://example.com/#anchor\n"
    )

    assert parse_envfile(text, "app.env") == {
        "PLAIN": "value with spaces",
        "EXPORTED": "yes",
        "SPACED": "around",
        "SINGLE": "kept # as $written\\n",
        "DOUBLE": 'tab\there "quoted" \u00e9',
        "MIXED": "ab cd",
        "EMPTY": "",
        "URL": "https://example.com/#anchor",
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("PASSWORD hunter2\n", "line 1 is not KEY=VALUE"),
        ("OK=1\n1BAD=x\n", "line 2 is not KEY=VALUE"),
        ("KEY='open\n", "line 1 (KEY): the single quote is not closed"),
        ('KEY="open\n', "line 1 (KEY): the double quote is not closed"),
        ('KEY="bad \\q"\n', "line 1 (KEY): a double-quoted value has an escape"),
    ],
)
def test_bad_lines_name_the_file_and_line_but_not_the_value(text, problem):
    with pytest.raises(DefinitionError) as caught:
        parse_envfile(text, "app.env")

    assert str(caught.value).startswith(f"app.env: {problem}")
    assert "hunter2" not in str(caught.value)


def test_later_files_win_and_paths_start_from_the_base_folder(tmp_path):
    (tmp_path / "one.env").write_text("A=1\nB=1\n")
    (tmp_path / "two.env").write_text("export B=2\n")

    assert read_envfiles(["one.env", "two.env"], str(tmp_path)) == {"A": "1", "B": "2"}


def test_a_missing_envfile_is_named():
    with pytest.raises(DefinitionError) as caught:
        read_envfiles(["/nonexistent/app.env"])

    assert str(caught.value) == "/nonexistent/app.env: file not found; check the path"


def test_values_reach_templates_without_entering_os_environ(tmp_path, monkeypatch):
    monkeypatch.delenv("ECSPRESSO_ENVFILE_TAG", raising=False)
    monkeypatch.setenv("ECSPRESSO_ENVFILE_FAMILY", "from-environment")
    (tmp_path / "app.env").write_text("ECSPRESSO_ENVFILE_TAG=42\n")
    (tmp_path / "td.json").write_text(
        '{"family": "{{ must_env `ECSPRESSO_ENVFILE_FAMILY` }}", "containerDefinitions": '
        '[{"name": "app", "image": "app:{{ must_env `ECSPRESSO_ENVFILE_TAG` }}"}]}'
    )
    options = {
        "service": "web",
        "task_definition": "td.json",
        "service_definition": {},
        "envfile": ["app.env"],
    }

    target, _settings, _warnings = resolve_target(options, str(tmp_path))

    assert target.task_definition["family"] == "from-environment"
    assert target.task_definition["containerDefinitions"][0]["image"] == "app:42"
    assert "ECSPRESSO_ENVFILE_TAG" not in os.environ
    # Without the envfile, the next call does not see the value.
    with pytest.raises(DefinitionError) as caught:
        resolve_target({**options, "envfile": None}, str(tmp_path))
    assert "ECSPRESSO_ENVFILE_TAG is not set" in str(caught.value)
