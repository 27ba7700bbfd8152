"""The AWS options of every module, and the environment variables they fall back to."""

from __future__ import annotations

import importlib

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ecsops.ecspresso.plugins.module_utils.ansible_module import session_from

MODULES = ["ecspresso_deploy", "ecspresso_info", "ecspresso_rollback", "ecspresso_run"]
# The argument spec each module's action plugin validates a task's options with (the
# module itself uses the same one).
SPECS = {
    module: importlib.import_module(
        f"ansible_collections.ecsops.ecspresso.plugins.action.{module}"
    ).ActionModule.ARGUMENT_SPEC
    for module in MODULES
}
# What each module is given besides its AWS options.
TASK_ARGS = {"cluster": "dev", "service": "web"}
AWS_VARIABLES = [
    "AWS_ACCESS_KEY_ID",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_URL",
    "AWS_ENDPOINT_URL",
]


@pytest.fixture
def environment(monkeypatch):
    """An environment with no AWS variable but those a test sets."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def validated(spec, args=None):
    """The options (by default TASK_ARGS) as the action plugins validate them (AnsibleModule
    does the same)."""
    result = ArgumentSpecValidator(spec).validate(dict(TASK_ARGS if args is None else args))
    assert not result.error_messages
    return result.validated_parameters


@pytest.mark.parametrize("module", MODULES)
def test_aws_credential_variables_of_awx_reach_the_session(module, environment):
    # What an AWX "Amazon Web Services" credential with an STS token sets: the token as
    # AWS_SECURITY_TOKEN, and no AWS_SESSION_TOKEN.
    environment.setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
    environment.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    environment.setenv("AWS_SECURITY_TOKEN", "sts-token")
    environment.setenv("AWS_REGION", "eu-west-1")

    params = validated(SPECS[module])

    assert params["access_key"] == "ASIAEXAMPLE"
    assert params["secret_key"] == "secret"
    assert params["session_token"] == "sts-token"
    credentials = session_from(params)._session.get_credentials()
    assert (credentials.access_key, credentials.secret_key, credentials.token) == (
        "ASIAEXAMPLE",
        "secret",
        "sts-token",
    )


@pytest.mark.parametrize("module", MODULES)
def test_aws_session_token_wins_over_aws_security_token(module, environment):
    environment.setenv("AWS_SESSION_TOKEN", "session-token")
    environment.setenv("AWS_SECURITY_TOKEN", "security-token")

    assert validated(SPECS[module])["session_token"] == "session-token"


@pytest.mark.parametrize("module", MODULES)
def test_options_given_win_over_the_environment(module, environment):
    environment.setenv("AWS_SECURITY_TOKEN", "security-token")
    environment.setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")

    params = validated(
        SPECS[module], {**TASK_ARGS, "access_key": "AKIAGIVEN", "security_token": "given"}
    )

    assert (params["access_key"], params["session_token"]) == ("AKIAGIVEN", "given")
