# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Terraform state: read from a file or S3, and values looked up by address.

An address names a resource and one of its attributes, as Terraform writes them:
``aws_subnet.private-a.id``, ``aws_ecr_repository.all['app'].repository_url``,
``data.aws_security_group.default["first"].id``, ``module.network.aws_vpc.main.id``,
``aws_instance.web[0].private_ip``, ``output.cluster_name``.
"""

from __future__ import annotations

import json
import os
import re

from .aws import call
from .errors import LookupFailed

_STEP = re.compile(
    r"""\.?(?P<name>[A-Za-z0-9_-]+)|\[(?:(?P<number>-?\d+)|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\]"""
)


class TerraformState:
    """One state, read the first time a value is looked up in it.

    ``location`` is a local path (already made absolute), ``file://`` or ``s3://`` URL;
    ``session`` is a function returning the AwsSession that reads from S3.
    """

    def __init__(self, location, session, optional=False):
        self.location = location
        self._session = session
        self._optional = optional
        self._state = None

    def lookup(self, address):
        """The value at ``address``: a string, number, boolean, list or mapping."""
        state = self._load()
        steps = _steps(address)
        if steps[0] == "output":
            if len(steps) < 2 or not isinstance(steps[1], str):
                raise LookupFailed(f"invalid address {address!r}: name the output after output.")
            output = (state.get("outputs") or {}).get(steps[1])
            if output is None:
                raise LookupFailed(f"{address} is not found in the Terraform state")
            return _walk(output.get("value"), steps[2:], address)
        attributes, rest = _resource_attributes(state.get("resources") or [], steps, address)
        return _walk(attributes, rest, address)

    def _load(self):
        if self._state is None:
            try:
                self._state = self._read(self.location)
            except LookupFailed:
                if not self._optional:
                    raise
                self._state = {}
        return self._state

    def _read(self, location):
        text = self._read_text(location)
        try:
            state = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LookupFailed(
                f"{location} is not a Terraform state (invalid JSON: {exc})"
            ) from None
        if not isinstance(state, dict):
            raise LookupFailed(f"{location} is not a Terraform state")
        if state.get("backend"):
            return self._read(_backend_location(state["backend"], location))
        if (state.get("version") or 4) < 4:
            raise LookupFailed(
                f"{location} is a version {state.get('version')} Terraform state; only version 4 "
                "(Terraform 0.12 and later) is read"
            )
        return state

    def _read_text(self, location):
        if location.startswith("s3://"):
            bucket, _sep, key = location[len("s3://") :].partition("/")
            region = None
            if "?region=" in key:
                key, _sep, region = key.partition("?region=")
            s3 = self._session().client("s3", region)
            response = call(
                f"read Terraform state {location}", s3.get_object, Bucket=bucket, Key=key
            )
            return response["Body"].read().decode("utf-8")
        if location.startswith("file://"):
            location = location[len("file://") :]
        elif re.match(r"^[a-z][a-z0-9+.-]*://", location):
            raise LookupFailed(
                f"{location}: only local paths and s3:// URLs are read; copy the state to "
                "S3 or next to the config, or give its path"
            )
        try:
            with open(location, encoding="utf-8") as handle:
                return handle.read()
        except OSError as exc:
            raise LookupFailed(f"cannot read Terraform state {location}: {exc.strerror}") from None


def _backend_location(backend, location):
    """Where a ``.terraform/terraform.tfstate`` says the real state lives."""
    config = backend.get("config") or {}
    if backend.get("type") != "s3" or not config.get("bucket") or not config.get("key"):
        raise LookupFailed(
            f"{location} points to a {backend.get('type')} backend; only the s3 backend is read"
        )
    key = config["key"]
    workspace = _workspace(location)
    if workspace != "default":
        key = f"{config.get('workspace_key_prefix') or 'env:'}/{workspace}/{key}"
    region = f"?region={config['region']}" if config.get("region") else ""
    return f"s3://{config['bucket']}/{key}{region}"


def _workspace(location):
    """The selected workspace: the ``environment`` file beside the state, else default."""
    try:
        with open(os.path.join(os.path.dirname(location), "environment"), encoding="utf-8") as f:
            return f.read().strip() or "default"
    except OSError:
        return "default"


def _steps(address):
    """``a.b["c"][0].d`` as ``["a", "b", "c", 0, "d"]``; quoted keys stay strings."""
    address = address.strip()
    steps, position = [], 0
    while position < len(address):
        match = _STEP.match(address, position)
        if not match or (position == 0 and address.startswith(".")):
            raise LookupFailed(f"invalid address {address!r} at {address[position:]!r}")
        if match.group("name") is not None:
            steps.append(match.group("name"))
        elif match.group("number") is not None:
            steps.append(int(match.group("number")))
        else:
            steps.append(_Key(match.group("dq") if match.group("dq") is not None else match["sq"]))
        position = match.end()
    if not steps:
        raise LookupFailed("an empty address")
    return steps


class _Key(str):
    """A key written in brackets: an index key or a map key, never a dotted name."""


def _resource_attributes(resources, steps, address):
    """The attributes of the resource instance that ``steps`` names, and the steps left."""
    module = []
    while steps and steps[0] == "module" and len(steps) > 1:
        module.append(f"module.{steps[1]}")
        steps = steps[2:]
        if steps and not _is_name(steps[0]):
            module[-1] += _index_text(steps[0])
            steps = steps[1:]
    mode = "managed"
    if steps and steps[0] == "data":
        mode, steps = "data", steps[1:]
    if len(steps) < 2 or not (_is_name(steps[0]) and _is_name(steps[1])):
        raise LookupFailed(
            f"invalid address {address!r}: write it as TYPE.NAME.ATTRIBUTE, such as "
            "aws_subnet.private.id"
        )
    kind, name, steps = steps[0], steps[1], steps[2:]
    index = None
    if steps and not _is_name(steps[0]):
        index, steps = steps[0], steps[1:]

    module_address = ".".join(module) or None
    for resource in resources:
        if (
            resource.get("mode", "managed") == mode
            and resource.get("type") == kind
            and resource.get("name") == name
            and resource.get("module") == module_address
        ):
            return _instance(resource, index, address)["attributes"], steps
    raise LookupFailed(f"{address} is not found in the Terraform state")


def _instance(resource, index, address):
    instances = resource.get("instances") or []
    for instance in instances:
        if instance.get("index_key") == index:
            return instance
    keys = [instance["index_key"] for instance in instances if "index_key" in instance]
    if index is None and keys:
        raise LookupFailed(
            f"{address}: the resource has one instance per key ({_keys(keys)}); add the key, "
            f"such as [{json.dumps(keys[0])}]"
        )
    raise LookupFailed(f"{address} is not found in the Terraform state")


def _keys(keys):
    shown = ", ".join(json.dumps(key) for key in keys[:5])
    return shown + (", ..." if len(keys) > 5 else "")


def _is_name(step):
    return isinstance(step, str) and not isinstance(step, _Key)


def _index_text(step):
    return f"[{step}]" if isinstance(step, int) else f"[{json.dumps(str(step))}]"


def _walk(value, steps, address):
    for step in steps:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and -len(value) <= step < len(value):
            value = value[step]
        else:
            value = None
        if value is None:
            break
    if value is None:
        raise LookupFailed(f"{address} is not found in the Terraform state")
    return value
