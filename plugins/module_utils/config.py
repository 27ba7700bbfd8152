# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecspresso configuration files, and merging them with module options."""

from __future__ import annotations

import os
import re

from . import definitions
from .deploy import Target
from .errors import DefinitionError

DEFAULT_CLUSTER = "default"
DEFAULT_TIMEOUT_SECONDS = 600.0

KNOWN_KEYS = frozenset(
    (
        "region",
        "cluster",
        "service",
        "service_definition",
        "task_definition",
        "timeout",
        "plugins",
        "codedeploy",
        "code_deploy",
        "appspec",
        "required_version",
        "ignore",
        "filter_command",
    )
)

_SECONDS = re.compile(r"^\d+(\.\d+)?$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def parse_duration(value, source, field="timeout"):
    """Seconds from a duration such as ``10m``, ``1h30m``, ``300s`` or ``10m0s``.

    A bare number is refused: ecspresso reads it as nanoseconds, which nobody means.
    """
    text = str(value).strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool) or text.isdigit():
        raise DefinitionError(
            source,
            f"field {field}: {value!r} has no unit",
            f'write it with one, such as "{text}s" or "10m"',
            field=field,
        )
    position, seconds = 0, 0.0
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            break
        seconds += float(match.group(1)) * scale[match.group(2)]
        position = match.end()
    if not text or position != len(text):
        raise DefinitionError(
            source,
            f"field {field}: {value!r} is not a duration",
            'write it as "10m", "1h30m" or "300s"',
            field=field,
        )
    return seconds


def load_config(path):
    """Read an ecspresso config file; return ``(config, warnings)``.

    Paths in it are made relative to the file's folder; ``timeout`` becomes seconds.
    """
    text = definitions.read_file(path)
    config = definitions.parse_text(text, path)
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise DefinitionError(path, "the config must be a mapping of keys such as service, cluster")
    warnings = [
        f"{path}: unknown key {key!r} is ignored" for key in config if key not in KNOWN_KEYS
    ]
    base_dir = os.path.dirname(os.path.abspath(path))
    config["base_dir"] = base_dir
    if "timeout" in config:
        config["timeout"] = parse_duration(config["timeout"], path)
    return config, warnings


def config_view(path, base_dir=None):
    """The config file as loaded: what ``ecspresso render config`` shows."""
    config, _warnings = _config({"config": path}, base_dir)
    config.pop("base_dir", None)
    return config


def resolve_target(options, base_dir=None):
    """Merge the config file (if any) with module options into a Target and settings.

    Options win over the config. Relative paths are relative to ``base_dir`` (the
    working directory when None), those in the config to the config's folder. Returns
    ``(target, settings, warnings)``; ``settings`` holds region and timeout.
    """
    target, settings, warnings = _resolve(options, base_dir, required=True)
    return target, settings, warnings


def resolve_run(options, base_dir=None):
    """As ``resolve_target``, for a one-off task: either definition may be absent (None).

    The task definition is not needed to run a registered revision, nor the service
    definition to run a task outside any service's network settings.
    """
    return _resolve(options, base_dir, required=False)


def _resolve(options, base_dir, required):
    config, warnings = _config(options, base_dir)
    base_dir = config.get("base_dir") or base_dir
    origin = options.get("config") or "module options"
    sources = dict(options.get("definition_sources") or {})

    task_request = service_request = None
    task_source = service_source = None
    identity = {}
    task_value = _pick(options, config, "task_definition", origin, required)
    if task_value is not None:
        task_definition, task_source = definitions.load_definition(
            task_value, "task definition", base_dir, sources.get("task_definition")
        )
        task_request, task_warnings = definitions.prepare_task_definition(
            task_definition, task_source
        )
        warnings.extend(task_warnings)
    service_value = _pick(options, config, "service_definition", origin, required)
    if service_value is not None:
        service_definition, service_source = definitions.load_definition(
            service_value, "service definition", base_dir, sources.get("service_definition")
        )
        service_request, identity, service_warnings = definitions.prepare_service_definition(
            service_definition, service_source
        )
        warnings.extend(service_warnings)

    cluster, service, settings = _service_settings(options, config, origin, identity, required)
    target = Target(
        cluster,
        service,
        task_request,
        service_request,
        {"task_definition": task_source, "service_definition": service_source},
    )
    return target, settings, warnings


def resolve_service(options, base_dir=None):
    """Which service a rollback or a status call is about: ``(cluster, service, settings,
    warnings)``, from the module options and the config file (options win).

    The definitions are not read: only cluster, service, region and timeout matter.
    """
    config, warnings = _config(options, base_dir)
    origin = options.get("config") or "module options"
    cluster, service, settings = _service_settings(options, config, origin, {})
    return cluster, service, settings, warnings


def _config(options, base_dir):
    """The config file named by the options, read, with its warnings; ({}, []) when none."""
    path = options.get("config")
    if not path:
        return {}, []
    if base_dir and not os.path.isabs(path):
        path = os.path.join(base_dir, path)
    return load_config(path)


def _service_settings(options, config, origin, identity, required=True):
    service = options.get("service") or config.get("service") or identity.get("serviceName")
    if not service and required:
        raise DefinitionError(
            origin, "no service name", "set service in the config or the service option"
        )
    cluster = options.get("cluster") or config.get("cluster") or identity.get("cluster")
    timeout = options.get("timeout")
    if timeout is not None and str(timeout).strip() != "":
        # A module option may be plain seconds; only the config file refuses bare numbers.
        text = str(timeout).strip()
        if _SECONDS.match(text):
            timeout = float(text)
        elif text.startswith("-"):
            raise DefinitionError(
                "module options",
                f"field timeout: {timeout!r} is negative",
                'give a duration of zero or more, such as "10m"',
                field="timeout",
            )
        else:
            timeout = parse_duration(text, "module options")
    else:
        timeout = config.get("timeout")
    settings = {
        "region": options.get("region") or config.get("region"),
        "timeout": float(DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout),
    }
    return cluster or DEFAULT_CLUSTER, service, settings


def _pick(options, config, key, origin, required=True):
    value = options.get(key)
    if value is None:
        value = config.get(key)
    if value is None and required:
        raise DefinitionError(
            origin, f"no {key}", f"set {key} in the config file or as a module option"
        )
    return value
