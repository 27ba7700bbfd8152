# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecspresso configuration files, and merging them with module options."""

from __future__ import annotations

import os
import re

from . import definitions
from .deploy import Target
from .envfile import read_envfiles
from .errors import DefinitionError
from .templating import Templates
from .version import check_required_version

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

CODEDEPLOY_KEYS = ("application_name", "deployment_group_name", "deployment_config_name")

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


def load_config(path, templates=None):
    """Read an ecspresso config file (YAML, JSON or Jsonnet); return ``(config, warnings)``.

    Its templates are rendered with ``env``, ``must_env`` and ``json_escape`` from
    ``templates`` (the controller's environment when None). Paths in it stay relative to
    the file's folder, kept as ``base_dir``; ``timeout`` becomes seconds; the keys are
    checked, ``required_version`` as ecspresso's.
    """
    templates = templates or Templates()
    config = definitions.parse_text(templates.render_file(path), path)
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise DefinitionError(path, "the config must be a mapping of keys such as service, cluster")
    warnings = [
        f"{path}: unknown key {key!r} is ignored" for key in config if key not in KNOWN_KEYS
    ]
    for key in ("region", "cluster", "service", "required_version"):
        if config.get(key) is not None and not isinstance(config[key], str):
            raise DefinitionError(
                path, f"field {key}: expected a string, got {config[key]!r}", field=key
            )
    if config.get("required_version"):
        check_required_version(config["required_version"], path)
    warnings += _codedeploy(config, path)
    warnings += _ignore(config, path)
    for key in ("appspec", "plugins"):
        expected, kind = (dict, "a mapping") if key == "appspec" else (list, "a list")
        if config.get(key) is not None and not isinstance(config[key], expected):
            raise DefinitionError(path, f"field {key}: expected {kind}", field=key)
    config["base_dir"] = os.path.dirname(os.path.abspath(path))
    if "timeout" in config:
        config["timeout"] = parse_duration(config["timeout"], path)
    return config, warnings


def _codedeploy(config, path):
    """Read ``code_deploy`` as ``codedeploy``; check its keys."""
    warnings = []
    if "code_deploy" in config:
        if "codedeploy" in config:
            warnings.append(f"{path}: code_deploy is ignored, as codedeploy is set")
            config.pop("code_deploy")
        else:
            config["codedeploy"] = config.pop("code_deploy")
            warnings.append(f"{path}: code_deploy is read as codedeploy, its canonical name")
    codedeploy = config.get("codedeploy")
    if codedeploy is None:
        return warnings
    if not isinstance(codedeploy, dict):
        raise DefinitionError(
            path,
            "field codedeploy: expected a mapping",
            "write it as {application_name: ..., deployment_group_name: ...}",
            field="codedeploy",
        )
    for key in codedeploy:
        if key not in CODEDEPLOY_KEYS:
            warnings.append(
                f"{path}: unknown key codedeploy.{key} is ignored (known: "
                f"{', '.join(CODEDEPLOY_KEYS)})"
            )
    return warnings


def _ignore(config, path):
    """Check ``ignore``: ``tags``, a list of tag keys that other tools own."""
    ignore = config.get("ignore")
    if ignore is None:
        return []
    tags = ignore.get("tags") if isinstance(ignore, dict) else None
    if not isinstance(ignore, dict) or not (
        tags is None or isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)
    ):
        raise DefinitionError(
            path,
            "field ignore: expected a mapping with tags, a list of tag keys",
            "write it as ignore: {tags: [key1, key2]}",
            field="ignore",
        )
    return [f"{path}: unknown key ignore.{key} is ignored" for key in ignore if key != "tags"]


def config_view(path, base_dir=None):
    """The config file as loaded: what ``ecspresso render config`` shows."""
    config, _warnings = _config({"config": path}, base_dir)
    config.pop("base_dir", None)
    return config


def resolve_target(options, base_dir=None, session=None, secrets=None):
    """Merge the config file (if any) with module options into a Target and settings.

    Options win over the config. Relative paths are relative to ``base_dir`` (the
    working directory when None), those in the config to the config's folder. Definition
    files are rendered as ecspresso renders them; ``session`` (an AwsSession, or a
    function that makes one for a region) is used only by the template functions that
    read AWS, and the SecureString values they read are added to ``secrets``.

    Returns ``(target, settings, warnings)``; ``settings`` holds region, timeout,
    ignore_tags, codedeploy, appspec and secrets.
    """
    target, settings, warnings = _resolve(options, base_dir, True, session, secrets)
    return target, settings, warnings


def resolve_run(options, base_dir=None, session=None, secrets=None):
    """As ``resolve_target``, for a one-off task: either definition may be absent (None).

    The task definition is not needed to run a registered revision, nor the service
    definition to run a task outside any service's network settings.
    """
    return _resolve(options, base_dir, False, session, secrets)


def _resolve(options, base_dir, required, session, secrets):
    templates = _templates(options, base_dir, secrets)
    config, warnings = _config(options, base_dir, templates)
    region = _region(options, config, templates.env)
    templates.use_aws(_session_for(session, region))
    templates.add_plugins(
        config.get("plugins"), options.get("config"), config.get("base_dir") or base_dir
    )
    options_dir, base_dir = base_dir, config.get("base_dir") or base_dir
    origin = options.get("config") or "module options"
    sources = dict(options.get("definition_sources") or {})
    ignore_tags = tuple((config.get("ignore") or {}).get("tags") or ())

    task_request = service_request = None
    task_source = service_source = None
    identity = {}
    task_value = _pick(options, config, "task_definition", origin, required)
    if task_value is not None:
        task_definition, task_source = definitions.load_definition(
            task_value,
            "task definition",
            base_dir,
            sources.get("task_definition"),
            templates.render_file,
        )
        task_request, task_warnings = definitions.prepare_task_definition(
            task_definition, task_source
        )
        _drop_tags(task_request, ignore_tags)
        warnings.extend(task_warnings)
    service_value = _pick(options, config, "service_definition", origin, required)
    if service_value is not None:
        service_definition, service_source = definitions.load_definition(
            service_value,
            "service definition",
            base_dir,
            sources.get("service_definition"),
            templates.render_file,
        )
        service_request, identity, service_warnings = definitions.prepare_service_definition(
            service_definition, service_source
        )
        _drop_tags(service_request, ignore_tags)
        warnings.extend(service_warnings)

    # A one-off task's overrides file is rendered as the definitions are (ecspresso run
    # --overrides-file); given inline or as text, they are taken as they are.
    overrides = overrides_source = None
    if options.get("overrides") not in (None, "", {}):
        overrides, overrides_source = definitions.load_definition(
            options["overrides"], "overrides", options_dir, None, templates.render_file
        )

    cluster, service, settings = _service_settings(options, config, origin, identity, required)
    for key, used in (("serviceName", service), ("cluster", cluster)):
        named = identity.get(key)
        if named and used and str(named).rsplit("/", 1)[-1] != str(used).rsplit("/", 1)[-1]:
            warnings.append(
                f"{service_source}: {key} {named!r} is ignored: the deploy goes to "
                f"{used!r}, from {origin}; remove it from the file or make it agree"
            )
    settings.update(
        region=region,
        ignore_tags=list(ignore_tags),
        codedeploy=config.get("codedeploy"),
        appspec=config.get("appspec"),
        secrets=templates.secrets,
        overrides=overrides,
    )
    target = Target(
        cluster,
        service,
        task_request,
        service_request,
        {
            "task_definition": task_source,
            "service_definition": service_source,
            "overrides": overrides_source,
        },
        ignore_tags=ignore_tags,
    )
    return target, settings, warnings


def resolve_service(options, base_dir=None):
    """Which service a rollback or a status call is about: ``(cluster, service, settings,
    warnings)``, from the module options and the config file (options win).

    The definitions are not read: only cluster, service, region, timeout and the
    CodeDeploy settings matter.
    """
    templates = _templates(options, base_dir)
    config, warnings = _config(options, base_dir, templates)
    origin = options.get("config") or "module options"
    cluster, service, settings = _service_settings(options, config, origin, {})
    settings.update(
        region=_region(options, config, templates.env),
        codedeploy=config.get("codedeploy"),
        appspec=config.get("appspec"),
    )
    return cluster, service, settings, warnings


def _templates(options, base_dir, secrets=None):
    """The templates of one module call: the controller's environment with the envfiles
    over it (os.environ itself is left as it is), ext_str and ext_code."""
    env = dict(os.environ)
    env.update(read_envfiles(options.get("envfile"), base_dir))
    return Templates(env, options.get("ext_str"), options.get("ext_code"), secrets)


def _config(options, base_dir, templates=None):
    """The config file named by the options, read, with its warnings; ({}, []) when none."""
    path = options.get("config")
    if not path:
        return {}, []
    if base_dir and not os.path.isabs(path):
        path = os.path.join(base_dir, path)
    return load_config(path, templates or _templates(options, base_dir))


def _region(options, config, env):
    """The region option, else the config's region, else AWS_REGION (envfiles included)."""
    return (
        options.get("region")
        or config.get("region")
        or env.get("AWS_REGION")
        or env.get("AWS_DEFAULT_REGION")
    )


def _session_for(session, region):
    """A function returning the AwsSession that templates read AWS with, or None."""
    if session is None:
        return None
    if hasattr(session, "client"):
        return lambda: session
    return lambda: session(region)


def _drop_tags(request, ignore_tags):
    """Leave out of a request the tags that other tools own (``ignore.tags``)."""
    if request and ignore_tags and request.get("tags"):
        request["tags"] = [tag for tag in request["tags"] if tag.get("key") not in ignore_tags]
        if not request["tags"]:
            del request["tags"]


def _service_settings(options, config, origin, identity, required=True):
    service = options.get("service") or config.get("service") or identity.get("serviceName")
    if not service and required:
        raise DefinitionError(
            origin, "no service name", "set service in the config or the service option"
        )
    cluster = options.get("cluster") or config.get("cluster") or identity.get("cluster")
    timeout = options.get("timeout")
    timeout_source = "module options"
    if timeout is not None and str(timeout).strip() != "":
        # A module option may be plain seconds; only the config file refuses bare numbers.
        text = str(timeout).strip()
        if _SECONDS.match(text):
            timeout = float(text)
        elif text.startswith("-"):
            raise DefinitionError(
                "module options",
                f"field timeout: {timeout!r} is negative",
                'give a duration such as "10m"',
                field="timeout",
            )
        else:
            timeout = parse_duration(text, "module options")
    else:
        timeout, timeout_source = config.get("timeout"), origin
    if timeout is not None and float(timeout) == 0:
        raise DefinitionError(
            timeout_source,
            "field timeout: 0 leaves a rollout no time to complete",
            'give a duration such as "10m"; not to wait at all, set wait to false',
            field="timeout",
        )
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
