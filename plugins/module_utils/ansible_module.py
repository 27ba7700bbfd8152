# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Ansible side shared by the modules: AWS options, the session, errors to fail_json.

This is the only file of module_utils that imports Ansible; the engine does not.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback, missing_required_lib

from .aws import BOTO3_IMPORT_ERROR, HAS_BOTO3, AwsSession
from .errors import EcspressoError, RolloutError

AWS_ARGUMENT_SPEC = {
    "region": {
        "type": "str",
        "aliases": ["aws_region"],
        "fallback": (env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"]),
    },
    "profile": {
        "type": "str",
        "aliases": ["aws_profile"],
        "fallback": (env_fallback, ["AWS_PROFILE"]),
    },
    "access_key": {
        "type": "str",
        "aliases": ["aws_access_key_id", "aws_access_key"],
        "no_log": False,
        "fallback": (env_fallback, ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"]),
    },
    "secret_key": {
        "type": "str",
        "aliases": ["aws_secret_access_key", "aws_secret_key"],
        "no_log": True,
        "fallback": (env_fallback, ["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"]),
    },
    "session_token": {
        "type": "str",
        "aliases": ["aws_session_token", "security_token"],
        "no_log": True,
        "fallback": (env_fallback, ["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"]),
    },
    "endpoint_url": {
        "type": "str",
        "aliases": ["aws_endpoint_url"],
        "fallback": (env_fallback, ["AWS_URL", "AWS_ENDPOINT_URL"]),
    },
    "validate_certs": {"type": "bool", "default": True},
    "retry_mode": {"type": "str", "default": "standard", "choices": ["standard", "adaptive"]},
    "max_attempts": {"type": "int", "default": 10},
}

AWS_OPTION_NAMES = tuple(AWS_ARGUMENT_SPEC)


def check_requirements(module):
    """Fail the module cleanly when boto3 is missing on the host that runs it."""
    if not HAS_BOTO3:
        module.fail_json(msg=missing_required_lib("boto3"), exception=str(BOTO3_IMPORT_ERROR))


def session_from(params, region=None):
    """An AwsSession from validated AWS options; ``region`` fills a missing region."""
    options = {name: params.get(name) for name in AWS_OPTION_NAMES}
    options["region"] = options["region"] or region
    if options["profile"] and (options["access_key"] or options["secret_key"]):
        raise EcspressoError("profile cannot be combined with access_key or secret_key")
    if options["max_attempts"] is not None and options["max_attempts"] < 1:
        raise EcspressoError("max_attempts must be 1 or more (1 means no retry)")
    return AwsSession(**options)


def failure_result(exc, **result):
    """The result of a failed run: what the engine knew of the outcome wins."""
    if getattr(exc, "reason", None):
        result["failure"] = exc.reason
    if isinstance(exc, RolloutError):
        result["service_events"] = exc.service_events
    if isinstance(exc, EcspressoError):
        result.update({key: value for key, value in exc.details.items() if value is not None})
        result.pop("reason", None)
    result["msg"] = str(exc)
    return result


def fail_from(module, exc, **result):
    """Turn an engine error into fail_json."""
    module.fail_json(**failure_result(exc, **result))
