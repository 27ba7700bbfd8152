"""The examples in the modules' and the role's documentation stay something a user can paste.

Each module's EXAMPLES is a list of tasks: every task names a module of this collection
or of ansible.builtin by its full name, uses only options that module has (with values
of the right type and among its choices, where they are written out), and reads only
return values the module documents from what it registers. The role's examples are plays
that set only variables its entry points document. ``ansible-playbook --syntax-check``
accepts them all.
"""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import re
import subprocess
import sys

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.playbook.block import Block
from ansible.playbook.play import Play
from ansible.playbook.task import Task

from ansible_collections.ecsops.ecspresso.plugins.module_utils import runs

ROOT = pathlib.Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).parent / "ansible-playbook"
COLLECTION = "ecsops.ecspresso"
GROUP = f"group/{COLLECTION}.ecspresso"
# The argument spec of each module, as its action plugin validates a task's options.
SPECS = {
    "ecspresso_deploy": runs.DEPLOY_ARGUMENT_SPEC,
    "ecspresso_info": runs.INFO_ARGUMENT_SPEC,
    "ecspresso_rollback": runs.ROLLBACK_ARGUMENT_SPEC,
    "ecspresso_run": runs.RUN_ARGUMENT_SPEC,
}
MODULES = sorted(SPECS)
# What every result has, documented or not.
COMMON_RESULT_KEYS = {"changed", "failed", "msg", "diff", "warnings", "skipped"}
# Keywords a task or a block may have besides its module; with_<lookup> loops too.
TASK_KEYWORDS = set(Task.fattributes) | set(Block.fattributes) | {"local_action"}
PLAY_KEYWORDS = set(Play.fattributes)


def module_docs(name):
    """DOCUMENTATION, EXAMPLES and RETURN of one of the collection's modules, parsed."""
    module = importlib.import_module(f"ansible_collections.{COLLECTION}.plugins.modules.{name}")
    return (
        yaml.safe_load(module.DOCUMENTATION),
        yaml.safe_load(module.EXAMPLES),
        yaml.safe_load(module.RETURN),
    )


def role_entry_points():
    specs = yaml.safe_load((ROOT / "roles/service/meta/argument_specs.yml").read_text())
    return specs["argument_specs"]


def tasks_in(tasks):
    """Every task of a task list, those inside blocks included, and the blocks."""
    for task in tasks or []:
        yield task
        for section in ("block", "rescue", "always"):
            yield from tasks_in(task.get(section))


def action_of(task):
    """The module a task calls, or None for a block."""
    if "block" in task:
        return None
    names = [key for key in task if key not in TASK_KEYWORDS and not key.startswith("with_")]
    assert len(names) == 1, f"task {task.get('name')!r} names no single module: {names}"
    return names[0]


def templated(value):
    """Whether a value is (or holds) a Jinja2 expression, known only when the task runs."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(templated(item) for item in value.values())
    if isinstance(value, list):
        return any(templated(item) for item in value)
    return False


def builtin_options(name):
    """The options (and their aliases) of an ansible.builtin module, from its docs."""
    spec = importlib.util.find_spec(f"ansible.modules.{name}")
    assert spec is not None, f"ansible.builtin.{name} is no module of ansible-core"
    documentation = yaml.safe_load(importlib.import_module(spec.name).DOCUMENTATION)
    options = documentation.get("options") or {}
    names = set(options)
    for option in options.values():
        names.update(option.get("aliases") or [])
    return names


def spec_names(spec):
    names = set(spec)
    for option in spec.values():
        names.update(option.get("aliases") or [])
    return names


def check_options(module, args, spec, where):
    """Every option is one the module has; written-out values pass its argument spec."""
    assert isinstance(args, dict), f"{where}: {module} takes options as a mapping"
    unknown = set(args) - spec_names(spec)
    assert not unknown, f"{where}: {module} has no option {sorted(unknown)}"
    for name, value in args.items():
        suboptions = spec.get(name, {}).get("options")
        if suboptions and isinstance(value, dict):
            check_options(f"{module} {name}", value, suboptions, where)
    known = {name: value for name, value in args.items() if not templated(value)}
    result = ArgumentSpecValidator(spec).validate(known)
    assert not result.error_messages, f"{where}: {result.error_messages}"


def check_task(task, where):
    """The task's module exists and takes the task's options; returns its short name."""
    assert task.get("name"), f"{where}: every task has a name, a user reads it in the output"
    action = action_of(task)
    if action is None:
        return None
    namespace, _dot, name = action.rpartition(".")
    if namespace == COLLECTION:
        assert name in SPECS, f"{where}: {action} is no module of {COLLECTION}"
        check_options(action, task[action], SPECS[name], where)
    else:
        assert namespace == "ansible.builtin", f"{where}: {action} is not a full name"
        args = task[action] or {}
        unknown = set(args) - builtin_options(name)
        assert not unknown, f"{where}: {action} has no option {sorted(unknown)}"
    return action


def check_module_defaults(defaults, where):
    """Options set for the collection's group exist in every module of the group."""
    for key, options in (defaults or {}).items():
        assert key == GROUP or key.startswith(f"{COLLECTION}."), f"{where}: {key}"
        modules = MODULES if key == GROUP else [key.rpartition(".")[2]]
        for module in modules:
            unknown = set(options) - spec_names(SPECS[module])
            assert not unknown, f"{where}: {module} has no option {sorted(unknown)}"


def registered_reads(tasks):
    """``(variable, key, module)`` for each ``<registered>.<key>`` a later task reads."""
    registered = {}
    found = []
    for task in tasks_in(tasks):
        text = yaml.safe_dump(task)
        for variable, module in registered.items():
            for key in re.findall(rf"\b{re.escape(variable)}\.(\w+)", text):
                found.append((variable, key, module))
        action = action_of(task)
        if task.get("register") and action and action.startswith(f"{COLLECTION}."):
            registered[task["register"]] = action.rpartition(".")[2]
    return found


def syntax_check(plays, tmp_path):
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    completed = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "--syntax-check", "-i", "localhost,", str(playbook)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def returns_of(module):
    return set(module_docs(module)[2]) | COMMON_RESULT_KEYS


@pytest.mark.parametrize("module", MODULES)
def test_examples_are_tasks_of_existing_modules_with_their_options(module):
    _documentation, examples, _returns = module_docs(module)

    assert isinstance(examples, list) and examples, f"{module}: EXAMPLES is a list of tasks"
    used = set()
    for index, task in enumerate(tasks_in(examples)):
        where = f"{module} EXAMPLES task {index} ({task.get('name')})"
        used.add(check_task(task, where))
        check_module_defaults(task.get("module_defaults"), where)
    assert f"{COLLECTION}.{module}" in used, f"{module}: its examples never call it"


@pytest.mark.parametrize("module", MODULES)
def test_examples_read_only_documented_return_values(module):
    _documentation, examples, _returns = module_docs(module)

    for variable, key, called in registered_reads(examples):
        assert key in returns_of(called), f"{module}: {variable}.{key}, no return value of {called}"


def role_plays():
    """Each example play of the role, with the entry point it documents."""
    for entry_point, spec in role_entry_points().items():
        assert spec.get("examples"), f"role entry point {entry_point} has no examples"
        for play in yaml.safe_load(spec["examples"]):
            yield entry_point, play


def role_uses(play):
    """``(entry point, variables)`` of each use of the role in a play."""
    for role in play.get("roles") or []:
        name = role if isinstance(role, str) else role.get("role") or role.get("name")
        if name == f"{COLLECTION}.service":
            yield "main", (role.get("vars") or {}) if isinstance(role, dict) else {}
    for section in ("pre_tasks", "tasks", "post_tasks"):
        for task in tasks_in(play.get(section)):
            action = action_of(task)
            if action in ("ansible.builtin.include_role", "ansible.builtin.import_role"):
                args = task[action]
                if args.get("name") == f"{COLLECTION}.service":
                    yield args.get("tasks_from", "main"), task.get("vars") or {}


def test_role_examples_set_only_documented_variables_of_their_entry_point():
    entry_points = role_entry_points()

    for documented, play in role_plays():
        where = f"role {documented} example play {play.get('name')!r}"
        unknown = set(play) - PLAY_KEYWORDS
        assert not unknown, f"{where}: no play keyword {sorted(unknown)}"
        check_module_defaults(play.get("module_defaults"), where)
        for section in ("pre_tasks", "tasks", "post_tasks"):
            for task in tasks_in(play.get(section)):
                check_task(task, where)
        uses = list(role_uses(play))
        assert uses, f"{where}: the play does not use the role"
        for entry_point, variables in uses:
            assert entry_point == documented, f"{where}: uses entry point {entry_point}"
            options = entry_points[entry_point]["options"]
            unknown = {name for name in variables if name.startswith("ecspresso_")} - set(options)
            assert not unknown, f"{where}: {entry_point} documents no {sorted(unknown)}"


def test_role_examples_read_only_documented_return_values():
    registered = {"ecspresso_deploy_result": "ecspresso_deploy"}
    registered["ecspresso_run_result"] = "ecspresso_run"

    for entry_point, play in role_plays():
        text = yaml.safe_dump(play)
        for variable, module in registered.items():
            for key in re.findall(rf"\b{variable}\.(\w+)", text):
                assert key in returns_of(module), f"role {entry_point}: {variable}.{key}"


def test_module_and_role_examples_pass_the_syntax_check(tmp_path):
    plays = [
        {"name": f"{module} examples", "hosts": "localhost", "gather_facts": False}
        | {"tasks": module_docs(module)[1]}
        for module in MODULES
    ]
    plays += [play for _entry_point, play in role_plays()]

    syntax_check(plays, tmp_path)
