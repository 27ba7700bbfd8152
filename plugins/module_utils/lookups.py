# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Values that templates read from AWS: SSM parameters, secret ARNs, CloudFormation outputs.

Each value is read once per module call. Decrypted SecureString values are added to
``secrets``, so that the module masks them wherever they would show.
"""

from __future__ import annotations

from .aws import call, paginate
from .errors import LookupFailed


class AwsLookups:
    """The lookups of one module call; ``session`` is a function returning its AwsSession."""

    def __init__(self, session, secrets):
        self._session = session
        self.secrets = secrets
        self._parameters = {}
        self._secret_arns = {}
        self._stacks = {}
        self._exports = None

    def ssm(self, name, index=None):
        """A parameter's decrypted value; with ``index``, that item of a StringList."""
        parameter = self._parameter(name)
        value = parameter["Value"]
        if index is None:
            return value
        if parameter["Type"] != "StringList":
            raise LookupFailed(
                f"SSM parameter {name} is a {parameter['Type']}, not a StringList; "
                "an index applies to StringList parameters only"
            )
        items = value.split(",")
        if not 0 <= index < len(items):
            raise LookupFailed(
                f"SSM parameter {name} has {len(items)} items; index {index} is out of range"
            )
        return items[index]

    def _parameter(self, name):
        if name not in self._parameters:
            response = self._call(
                f"read SSM parameter {name}",
                "ssm",
                "get_parameter",
                Name=name,
                WithDecryption=True,
            )
            parameter = response["Parameter"]
            if parameter["Type"] == "SecureString":
                self.secrets.add(parameter["Value"])
            self._parameters[name] = parameter
        return self._parameters[name]

    def secretsmanager_arn(self, secret_id):
        """The full ARN of a Secrets Manager secret, from its name or partial ARN."""
        if secret_id not in self._secret_arns:
            response = self._call(
                f"describe secret {secret_id}",
                "secretsmanager",
                "describe_secret",
                SecretId=secret_id,
            )
            self._secret_arns[secret_id] = response["ARN"]
        return self._secret_arns[secret_id]

    def cfn_output(self, stack, key):
        """The value of output ``key`` of CloudFormation stack ``stack``."""
        if stack not in self._stacks:
            response = self._call(
                f"describe CloudFormation stack {stack}",
                "cloudformation",
                "describe_stacks",
                StackName=stack,
            )
            stacks = response.get("Stacks") or [{}]
            self._stacks[stack] = {
                output["OutputKey"]: output.get("OutputValue", "")
                for output in stacks[0].get("Outputs") or []
            }
        outputs = self._stacks[stack]
        if key not in outputs:
            known = ", ".join(sorted(outputs)) or "none"
            raise LookupFailed(
                f"CloudFormation stack {stack} has no output {key} (its outputs: {known})"
            )
        return outputs[key]

    def cfn_export(self, name):
        """The value of the CloudFormation export ``name``."""
        if self._exports is None:
            cloudformation = self._client("cloudformation")
            exports = paginate(
                "list CloudFormation exports", cloudformation, "list_exports", "Exports"
            )
            self._exports = {export["Name"]: export["Value"] for export in exports}
        if name not in self._exports:
            raise LookupFailed(f"CloudFormation export {name} is not found")
        return self._exports[name]

    def _client(self, name):
        if self._session is None:
            raise LookupFailed(f"reading from {name} needs AWS settings, and none were given")
        return self._session().client(name)

    def _call(self, what, service, operation, **params):
        return call(what, getattr(self._client(service), operation), **params)
