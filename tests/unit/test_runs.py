"""The module side of a run: what reaches Ansible's result."""

from __future__ import annotations

import pytest

from ansible_collections.ecsops.ecspresso.plugins.module_utils import runs
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError


class StubModule:
    """What run_module uses of an AnsibleModule; exit_json and fail_json end the run."""

    params = {}
    check_mode = False
    _diff = True

    def __init__(self):
        self.no_log_values = set()
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)

    def exit_json(self, **result):
        raise SystemExit(result)

    def fail_json(self, **result):
        raise SystemExit(result)


def reads_a_secret(fail):
    def run(params, check_mode, diff, progress):
        progress.secrets.add("hunter2")
        if fail:
            raise DefinitionError("td.json", "invalid JSON at line 3: hunter2,,")
        return {"changed": True, "diff": [{"after": "hunter2"}], "warnings": []}

    return run


@pytest.mark.parametrize("fail", [False, True])
def test_secrets_read_by_templates_become_no_log_values(fail):
    module = StubModule()

    with pytest.raises(SystemExit):
        runs.run_module(module, reads_a_secret(fail))

    # AnsibleModule masks its no_log values in whatever exit_json or fail_json returns.
    assert module.no_log_values == {"hunter2"}


def test_template_options_are_in_every_module_that_reads_a_config():
    for spec in (runs.DEPLOY_ARGUMENT_SPEC, runs.ROLLBACK_ARGUMENT_SPEC, runs.RUN_ARGUMENT_SPEC):
        assert spec["envfile"] == {"type": "list", "elements": "path"}
        assert spec["ext_str"]["type"] == spec["ext_code"]["type"] == "dict"
