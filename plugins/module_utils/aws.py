# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS session: clients with botocore's own retry mode, and the API models."""

from __future__ import annotations

import difflib
import functools
import re

try:
    import boto3
    import botocore.config
    import botocore.exceptions
    import botocore.session
    from botocore.validate import ParamValidator

    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
    ClientError = botocore.exceptions.ClientError
    BotoCoreError = botocore.exceptions.BotoCoreError
except ImportError as exc:
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = exc

    class ClientError(Exception):
        """Stands in for botocore's ClientError when botocore is missing."""

    class BotoCoreError(Exception):
        """Stands in for botocore's BotoCoreError when botocore is missing."""


from .errors import AwsCallError

USER_AGENT = "ecsops.ecspresso"


class AwsSession:
    """Creates and caches the boto3 clients of one module call.

    ``options`` carries the amazon.aws names: region, profile, access_key, secret_key,
    session_token, endpoint_url, validate_certs; plus ``retry_mode`` and ``max_attempts``.
    """

    def __init__(self, **options):
        self.options = options
        try:
            self._session = boto3.session.Session(
                aws_access_key_id=options.get("access_key"),
                aws_secret_access_key=options.get("secret_key"),
                aws_session_token=options.get("session_token"),
                profile_name=options.get("profile"),
                region_name=options.get("region"),
            )
        except BotoCoreError as exc:
            raise AwsCallError(f"profile {options.get('profile')!r}: {exc}") from None
        self._clients = {}

    @property
    def region(self):
        """The region the clients talk to."""
        return self._session.region_name

    def client(self, name, region=None):
        """A client for service ``name`` (in ``region``, else the session's), retrying
        throttling and 5xx in botocore itself."""
        region = region or self.region
        key = (name, region)
        if key not in self._clients:
            if not region:
                raise AwsCallError(
                    "no AWS region is set: give the region option, region in the config "
                    "file, or the AWS_REGION environment variable"
                )
            config = botocore.config.Config(
                retries={
                    "mode": self.options.get("retry_mode") or "standard",
                    # Tries in all, the first included.
                    "total_max_attempts": self.options.get("max_attempts") or 10,
                },
                user_agent_extra=USER_AGENT,
            )
            try:
                self._clients[key] = self._session.client(
                    name,
                    region_name=region,
                    endpoint_url=self.options.get("endpoint_url") or None,
                    verify=self.options.get("validate_certs", True),
                    config=config,
                )
            except (ValueError, BotoCoreError) as exc:
                raise AwsCallError(
                    f"cannot make an AWS client for {name} (region {region!r}, endpoint_url "
                    f"{self.options.get('endpoint_url')!r}): {exc}; check the region and "
                    "endpoint_url options"
                ) from None
        return self._clients[key]


def call(what, function, **params):
    """Call an AWS API; a failure becomes an AwsCallError saying "Failed to <what>: <why>"."""
    try:
        return function(**params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts") or 0
        tries = f" (after {retries + 1} attempts)" if retries else ""
        raise AwsCallError(
            f"Failed to {what}: {error.get('Code', 'Error')}: {error.get('Message', exc)}{tries}",
            code=error.get("Code"),
        ) from None
    except BotoCoreError as exc:
        raise AwsCallError(f"Failed to {what}: {exc}") from None


def paginate(what, client, operation, key, **params):
    """Every item under ``key`` of every page of ``operation``; failures as in ``call``."""
    pages = client.get_paginator(operation).paginate(**params)
    items = call(what, lambda: [item for page in pages for item in page.get(key, [])])
    return items


def short_arn(arn):
    """The last part of an ARN: ``web:7`` for a task definition, the name for a service."""
    return str(arn).rsplit("/", 1)[-1]


def error_code(exc):
    """The AWS error code of an AwsCallError, or None."""
    return exc.details.get("code") if isinstance(exc, AwsCallError) else None


class ServiceModel:
    """One AWS API's model, as botocore ships it, for validating requests offline."""

    def __init__(self, name):
        self._model = botocore.session.get_session().get_service_model(name)

    def validate(self, operation, params):
        """Problems found in ``params`` for ``operation``, one line each; empty when valid."""
        shape = self._model.operation_model(operation).input_shape
        report = ParamValidator().validate(params, shape)
        problems = []
        if report.has_errors():
            lines = report.generate_report().splitlines()
            problems = [_readable(line.strip()) for line in lines if line.strip()]
        # botocore leaves allowed values to the service; AWS would refuse them only
        # after earlier calls of a deploy had changed something.
        return problems + _enum_problems(params, shape, "")


def _enum_problems(value, shape, path):
    """Values outside a field's allowed set, such as ``"assignPublicIp": "disabled"``."""
    if shape.type_name == "structure" and isinstance(value, dict):
        problems = []
        for name, member in shape.members.items():
            if name in value:
                problems += _enum_problems(value[name], member, f"{path}.{name}" if path else name)
        return problems
    if shape.type_name == "list" and isinstance(value, list):
        problems = []
        for index, item in enumerate(value):
            problems += _enum_problems(item, shape.member, f"{path}[{index}]")
        return problems
    allowed = getattr(shape, "enum", None)
    if allowed and isinstance(value, str) and value not in allowed:
        close = difflib.get_close_matches(value, allowed, 1) or [
            choice for choice in allowed if choice.lower() == value.lower()
        ]
        hint = f"; did you mean {close[0]}?" if close else ""
        return [f"field {path}: {value!r} is not one of {', '.join(allowed)}{hint}"]
    return []


_TYPE_NAMES = {
    "dict": "a mapping",
    "list": "a list",
    "tuple": "a list",
    "str": "a string",
    "int": "an integer",
    "bool": "a boolean",
    "float": "a number",
    "NoneType": "null",
    "datetime": "a timestamp",
    "Decimal": "a number",
}


def _type_names(text):
    # Values templated by Ansible are its tagged subclasses (_AnsibleTaggedStr, ...): named
    # by the type they stand for.
    names = [
        _TYPE_NAMES.get(name, name)
        for name in (
            re.sub(r"^_AnsibleTagged(\w+)$", lambda m: m.group(1).lower(), found)
            for found in re.findall(r"<class '(?:\w+\.)*(\w+)'>", text)
        )
    ]
    return " or ".join(dict.fromkeys(names))


def _readable(line):
    """botocore's validation report, one problem, in the words of a definition file."""
    match = re.match(
        r"Invalid type for parameter (\S+), value: .*, type: (<class '[^']+'>), valid types: (.*)$",
        line,
    )
    if match:
        return (
            f"field {match.group(1)}: expected {_type_names(match.group(3))}, "
            f"got {_type_names(match.group(2))}"
        )
    match = re.match(r'Unknown parameter in (\S+): "([^"]+)", must be one of: (.*)$', line)
    if match:
        parent = "" if match.group(1) == "input" else match.group(1) + "."
        known = match.group(3).split(", ")
        close = difflib.get_close_matches(match.group(2), known, 1, cutoff=0.75)
        if close:
            return f"unknown field {parent}{match.group(2)}; did you mean {close[0]}?"
        return f"unknown field {parent}{match.group(2)} (known fields: {match.group(3)})"
    match = re.match(r'Missing required parameter in (\S+): "([^"]+)"$', line)
    if match:
        parent = "" if match.group(1) == "input" else match.group(1) + "."
        return f"missing required field {parent}{match.group(2)}"
    return line


@functools.cache
def service_model(name):
    """The cached model of AWS service ``name``."""
    return ServiceModel(name)
