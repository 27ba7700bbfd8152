"""The Go-template subset of ecspresso's files, and Jsonnet with its native functions."""

from __future__ import annotations

import json

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils import templating
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError
from ansible_collections.ecsops.ecspresso.plugins.module_utils.templating import Templates

needs_jsonnet = pytest.mark.skipif(
    templating._jsonnet is None,
    reason="the jsonnet package is not installed (pip install jsonnet)",
)


def render(text, env=None, source="td.json"):
    return templating.render_template(text, source, Templates(env or {}).functions)


def failure(text, env=None, source="td.json"):
    with pytest.raises(DefinitionError) as caught:
        render(text, env, source)
    return str(caught.value)


# --- env, must_env, json_escape --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ env `A` }}", "a"),
        ('{{ env "A" }}', "a"),
        ("{{ env `UNSET` `A` `fallback` }}", "a"),
        ("{{ env `UNSET` `fallback` }}", "fallback"),
        ("{{ env `EMPTY` `fallback` }}", "fallback"),
        # The last argument is the default, whatever the number of names before it.
        ("{{ env `UNSET` }}", "UNSET"),
    ],
)
def test_env_takes_the_first_set_variable_and_the_last_argument_as_default(text, expected):
    assert render(text, {"A": "a", "EMPTY": ""}) == expected


def test_must_env_returns_a_set_variable_even_when_empty():
    text = "[{{ must_env `A` }}][{{ must_env `EMPTY` }}]"

    assert render(text, {"A": "x", "EMPTY": ""}) == "[x][]"


def test_must_env_names_the_variable_the_file_and_the_line():
    message = failure('{\n  "image": "app:{{ must_env `IMAGE_TAG` }}"\n}', source="td.json")

    assert message.startswith("td.json: line 2: must_env: environment variable IMAGE_TAG")
    assert "envfile" in message


def test_json_escape_makes_a_value_safe_inside_a_json_string():
    value = '{"a": "b\\c"}\n<&>'
    rendered = render('{"v": "{{ env `V` | json_escape }}"}', {"V": value})

    assert json.loads(rendered) == {"v": value}
    assert "\\u003c" in rendered  # escaped as Go's encoder escapes it


# --- the language ----------------------------------------------------------------------


def test_pipelines_pass_the_value_as_the_last_argument():
    functions = Templates({}).functions
    functions["join"] = templating.Function("join", lambda *a: "-".join(a), 1, 0)

    text = "{{ `b` | join `a` }} {{ join `x` (env `UNSET` `y`) }}"

    assert templating.render_template(text, "f", functions) == "a-b x-y"


def test_if_else_end_and_else_if():
    text = (
        "{{ if eq (env `STAGE` `dev`) `prod` }}big{{ else if eq (env `STAGE` `dev`) `stg` }}"
        "mid{{ else }}small{{ end }}"
    )

    assert render(text, {"STAGE": "prod"}) == "big"
    assert render(text, {"STAGE": "stg"}) == "mid"
    assert render(text) == "small"


def test_empty_strings_are_false_in_if():
    text = "{{ if env `FLAG` `` }}on{{ else }}off{{ end }}"

    assert render(text, {"FLAG": "1"}) == "on"
    assert render(text) == "off"


def test_trim_markers_comments_numbers_and_printf():
    text = 'a  {{- /* a comment */ -}}  b {{ printf "%s-%d" `x` 3 }} {{ 1.5 }} {{ true }}'

    assert render(text) == "ab x-3 1.5 true"


def test_double_quoted_strings_take_go_escapes():
    assert render('{{ "a\\tb\\u00e9" }}') == "a\tb\u00e9"


def test_text_without_actions_is_left_as_it_is():
    assert render('{"a": "{ {not an action} }"}') == '{"a": "{ {not an action} }"}'


@pytest.mark.parametrize(
    ("text", "construct"),
    [
        ("{{ range $x := list }}{{ end }}", "{{ range }}"),
        ("{{ with `a` }}{{ end }}", "{{ with }}"),
        ('{{ template "x" }}', "{{ template }}"),
        ("{{ define `x` }}{{ end }}", "{{ define }}"),
        ("{{ .Image }}", "a field or the dot (.Name)"),
        ("{{ $x }}", "a variable ($...)"),
    ],
)
def test_constructs_outside_the_subset_fail_with_the_construct_file_and_line(text, construct):
    message = failure("{\n\n" + text, source="svc.json")

    assert message.startswith("svc.json: line 3: ")
    assert construct in message
    assert "not supported" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{{ env `A`", "unclosed action"),
        ("{{ if env `A` }}yes", "has no {{ end }}"),
        ("{{ end }}", "{{ end }} without an {{ if }}"),
        ("{{ env `A }}", "unclosed raw string"),
        ("{{ nosuch `a` }}", "function 'nosuch' is not defined"),
        ("{{ `a` `b` }}", "only a function can take arguments"),
        ("{{ must_env `A` `B` }}", "must_env takes 1 argument(s), got 2"),
    ],
)
def test_broken_templates_say_what_is_wrong(text, problem):
    assert problem in failure(text, {"A": "a"})


def test_plugin_functions_say_how_to_get_them():
    assert "tfstate plugin" in failure("{{ tfstate `aws_vpc.main.id` }}")
    assert "cloudformation plugin" in failure("{{ cfn_output `stack` `Key` }}")


# --- plugins -------------------------------------------------------------------------


def write_state(path, bucket="example"):
    path.write_text(
        json.dumps(
            {
                "version": 4,
                "resources": [
                    {
                        "mode": "managed",
                        "type": "aws_s3_bucket",
                        "name": "main",
                        "instances": [{"attributes": {"bucket": bucket}}],
                    }
                ],
            }
        )
    )


def test_tfstate_plugins_with_func_prefix_live_side_by_side(tmp_path):
    write_state(tmp_path / "a.tfstate", "first")
    write_state(tmp_path / "b.tfstate", "second")
    templates = Templates({})
    templates.add_plugins(
        [
            {"name": "tfstate", "config": {"path": "a.tfstate"}},
            {"name": "tfstate", "config": {"path": "b.tfstate"}, "func_prefix": "b_"},
        ],
        "ecspresso.yml",
        str(tmp_path),
    )

    text = (
        "{{ tfstate `aws_s3_bucket.main.bucket` }} "
        "{{ b_tfstatef `%s.main.bucket` `aws_s3_bucket` }}"
    )

    assert templating.render_template(text, "f", templates.functions) == "first second"


def test_two_plugins_defining_one_function_is_an_error_that_says_to_set_func_prefix(tmp_path):
    templates = Templates({})
    plugins = [{"name": "tfstate", "config": {"path": "a"}}] * 2

    with pytest.raises(DefinitionError) as caught:
        templates.add_plugins(plugins, "ecspresso.yml", str(tmp_path))

    message = str(caught.value)
    assert message.startswith("ecspresso.yml: plugins[1] (tfstate): template function tfstate")
    assert "set func_prefix" in message


def test_naming_a_built_in_plugin_again_is_harmless():
    templates = Templates({})
    templates.use_aws(None)

    templates.add_plugins([{"name": "ssm"}, {"name": "secretsmanager"}], "ecspresso.yml", "/")

    assert "ssm" in templates.functions and "ssm_list" in templates.natives


@pytest.mark.parametrize(
    ("plugin", "problem"),
    [
        ({"name": "external", "config": {}}, "plugin 'external' is not available"),
        ({"name": "vault"}, "plugin 'vault' is not available"),
        ({"name": "tfstate", "config": {}}, "needs config.path"),
        ("tfstate", "expected a mapping with a name"),
    ],
)
def test_bad_plugins_are_refused(plugin, problem):
    with pytest.raises(DefinitionError) as caught:
        Templates({}).add_plugins([plugin], "ecspresso.yml", "/")

    assert problem in str(caught.value)


def test_aws_functions_without_aws_settings_fail_in_place():
    templates = Templates({})
    templates.use_aws(None)

    with pytest.raises(DefinitionError) as caught:
        templating.render_template("{{ ssm `/app/tag` }}", "td.json", templates.functions)

    assert str(caught.value).startswith("td.json: line 1: ssm: reading from AWS needs")


def test_config_files_have_the_environment_functions_only():
    templates = Templates({})

    with pytest.raises(DefinitionError) as caught:
        templating.render_template("{{ ssm `/x` }}", "ecspresso.yml", templates.functions)

    assert "definition files only" in str(caught.value)


# --- files and Jsonnet -----------------------------------------------------------------


def test_render_file_applies_the_template_to_other_files(tmp_path):
    path = tmp_path / "td.yml"
    path.write_text("image: app:{{ must_env `TAG` }}\n")

    assert Templates({"TAG": "7"}).render_file(str(path)) == "image: app:7\n"


@needs_jsonnet
def test_jsonnet_is_evaluated_then_templated_with_imports_ext_vars_and_natives(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "base.libsonnet").write_text("{ image: 'app:{{ env `TAG` `latest` }}' }")
    (tmp_path / "td.jsonnet").write_text(
        "local base = import 'lib/base.libsonnet';\n"
        "local env = std.native('env');\n"
        "local must_env = std.native('must_env');\n"
        "base + { size: std.extVar('Size'), worker: std.extVar('Worker'),\n"
        "  stage: env('STAGE', 'dev'), region: must_env('REGION') }\n"
    )
    templates = Templates(
        {"TAG": "3", "REGION": "eu-west-1"}, ext_str={"Worker": 7}, ext_code={"Size": "24 + 1"}
    )

    rendered = json.loads(templates.render_file(str(tmp_path / "td.jsonnet")))

    assert rendered == {
        "image": "app:3",
        "size": 25,
        "worker": "7",
        "stage": "dev",
        "region": "eu-west-1",
    }


@needs_jsonnet
def test_jsonnet_errors_name_the_file_and_the_place(tmp_path):
    path = tmp_path / "td.jsonnet"
    path.write_text("{\n  a: std.native('must_env')('NOPE'),\n  b: std.extVar('Missing'),\n}\n")

    with pytest.raises(DefinitionError) as caught:
        Templates({}).render_file(str(path))

    message = str(caught.value)
    assert message.startswith(f"{path}: Jsonnet: ")
    assert "NOPE is not set" in message and f"{path}:2:" in message


@needs_jsonnet
def test_missing_ext_var_says_to_give_it(tmp_path):
    path = tmp_path / "td.jsonnet"
    path.write_text("{ b: std.extVar('Missing') }")

    with pytest.raises(DefinitionError) as caught:
        Templates({}).render_file(str(path))

    assert "undefined external variable: Missing" in str(caught.value)
    assert "ext_str or ext_code" in str(caught.value)


@needs_jsonnet
def test_jsonnet_template_errors_count_lines_of_the_evaluated_json(tmp_path):
    path = tmp_path / "td.jsonnet"
    path.write_text("{ a: 1, b: '{{ must_env `NOPE` }}' }")

    with pytest.raises(DefinitionError) as caught:
        Templates({}).render_file(str(path))

    assert "line 3 of the evaluated Jsonnet: must_env" in str(caught.value)


def test_without_the_jsonnet_package_the_error_names_it(tmp_path, monkeypatch):
    monkeypatch.setattr(templating, "_jsonnet", None)
    path = tmp_path / "td.jsonnet"
    path.write_text("{}")

    with pytest.raises(DefinitionError) as caught:
        Templates({}).render_file(str(path))

    assert "pip install jsonnet" in str(caught.value)
