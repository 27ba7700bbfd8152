# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Task and service definitions: load, validate, normalize, compare.

Equality between what a user wrote and what ECS returns is decided here and
only here. Both sides go through the same normalization: read-only fields
dropped, the defaults ECS fills in filled in, unordered lists sorted, and
``null`` / ``[]`` / absent treated alike.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import re

try:
    import yaml
except ImportError:  # PyYAML comes with ansible-core; only bare imports lack it
    yaml = None

from .errors import DefinitionError

TASK_DEFINITION_READ_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "deleteRequestedAt",
)

SERVICE_READ_ONLY = (
    "serviceArn",
    "clusterArn",
    "status",
    "runningCount",
    "pendingCount",
    "deployments",
    "taskSets",
    "events",
    "createdAt",
    "createdBy",
    "roleArn",
    "platformFamily",
    "currentServiceDeployment",
    "currentServiceRevisions",
    "resourceManagementType",
)

# Fields of a service definition that name the service rather than describe it;
# they come from the config or the module options.
SERVICE_IDENTITY = ("cluster", "serviceName", "taskDefinition", "clientToken")

# Fields CreateService takes but UpdateService cannot change.
SERVICE_CREATE_ONLY = (
    "launchType",
    "schedulingStrategy",
    "role",
    "deploymentController",
)

# Lists whose order carries no meaning; everything else (command, entryPoint,
# healthCheck.command, dnsServers, links, dependsOn, ...) keeps its order.
UNORDERED_LISTS = frozenset(
    (
        "containerDefinitions",
        "environment",
        "environmentFiles",
        "secrets",
        "portMappings",
        "mountPoints",
        "volumesFrom",
        "volumes",
        "placementConstraints",
        "requiresCompatibilities",
        "tags",
        "ulimits",
        "extraHosts",
        "systemControls",
        "resourceRequirements",
        "properties",
        "secretOptions",
        "subnets",
        "securityGroups",
        "loadBalancers",
        "serviceRegistries",
        "capacityProviderStrategy",
        "alarmNames",
        "add",
        "drop",
        "credentialSpecs",
    )
)

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$")
_TARGET_GROUP_ARN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d+:targetgroup/\S+$"
)
_CPU_UNITS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$", re.IGNORECASE)
_MEMORY_GB = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*gb\s*$", re.IGNORECASE)


# --- loading -----------------------------------------------------------------


class DuplicateKey(ValueError):
    """A key given twice in one object of a file."""

    def __init__(self, key):
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs):
    """A JSON object's pairs as a dict, refusing a key given twice (the JSON parsers of
    ECS tools keep the last one, silently)."""
    found = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def _duplicate_key_error(source, text, key):
    quoted = re.escape(json.dumps(key))
    lines = [text[: m.start()].count("\n") + 1 for m in re.finditer(quoted + r"\s*:", text)]
    where = f" (lines {', '.join(str(line) for line in lines)})" if len(lines) > 1 else ""
    return DefinitionError(
        source,
        f"field {key}: given twice in one object{where}; only one of the values would be used",
        "keep the one you mean and remove the other",
        field=key,
    )


if yaml is not None:

    class _UniqueKeyLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """PyYAML's safe loader, refusing a key given twice in one mapping."""

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # << merges a mapping in; SafeLoader resolves it
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # a key that is a list or a mapping
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found the key {key!r} twice; only one of the values would be used",
                        key_node.start_mark,
                    )
            return super().construct_mapping(node, deep=deep)


def parse_text(text, source):
    """Parse JSON or YAML text into a value, naming ``source`` and the line on failure."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text, object_pairs_hook=_unique_pairs)
        except DuplicateKey as exc:
            raise _duplicate_key_error(source, text, exc.key) from None
        except json.JSONDecodeError as exc:
            lines = text.splitlines()
            shown = lines[exc.lineno - 1].strip() if exc.lineno <= len(lines) else ""
            where = "of the rendered text " if source.endswith(".j2") else ""
            raise DefinitionError(
                source,
                f"invalid JSON at line {exc.lineno} column {exc.colno} {where}"
                f"({exc.msg.removesuffix(' at')}): {shown}",
                "fix the syntax on that line",
            ) from None
    if yaml is None:
        raise DefinitionError(source, "reading YAML needs PyYAML", "install PyYAML or use JSON")
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # SafeLoader, with unique keys
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        fix = "keep one of them" if "twice" in problem else "fix the syntax there"
        raise DefinitionError(source, f"invalid YAML{where}: {problem}", fix) from None


def read_file(path, source=None):
    """Return the text of ``path``, or a DefinitionError saying why it cannot be read."""
    source = source or path
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise DefinitionError(source, "file not found", "check the path") from None
    except IsADirectoryError:
        raise DefinitionError(source, "is a directory, not a file", "name a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(source, f"cannot be read: {exc}") from None


def load_definition(value, kind, base_dir=None, source=None, read=None):
    """Load a definition given as a dict, a path or JSON/YAML text.

    A file is read with ``read(path, source)`` when given (which renders its templates),
    else as it is. Returns ``(definition, source)``, ``source`` being the name used in
    messages.
    """
    if isinstance(value, dict):
        return copy.deepcopy(value), source or f"{kind} (given inline)"
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(
            source or kind,
            f"expected a mapping, a file path or JSON/YAML text, got {_type_name(value)}",
        )
    # Text rather than a path: several lines, a JSON object or list, or a one-line YAML
    # mapping (a ": " no file name has).
    if "\n" in value.strip() or value.lstrip().startswith(("{", "[")) or ": " in value:
        parsed = parse_text(value, source or f"{kind} (given as text)")
        source = source or f"{kind} (given as text)"
    else:
        path = value
        if base_dir and not os.path.isabs(path):
            path = os.path.join(base_dir, path)
        source = source or path
        parsed = parse_text((read or read_file)(path, source), source)
    if not isinstance(parsed, dict):
        raise DefinitionError(
            source,
            f"the {kind} must be a mapping (a JSON object), got {_type_name(parsed)}",
        )
    return parsed, source


def _type_name(value):
    if value is None:
        return "nothing (empty document)"
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number")):
        if isinstance(value, kind):
            return name
    for kind, name in ((list, "a list"), (str, "a string"), (dict, "a mapping")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


# --- preparing what is sent -----------------------------------------------------


def drop_nulls(value):
    """Return ``value`` without ``None`` anywhere: ECS reads null as absent."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value if v is not None]
    return value


def prepare_task_definition(definition, source):
    """Turn a loaded task definition into a RegisterTaskDefinition request.

    Accepts the plain shape and the ``describe-task-definition`` shape (wrapped in
    ``taskDefinition``, with read-only fields). Returns ``(request, warnings)``.
    """
    warnings = []
    definition = drop_nulls(definition)
    if "taskDefinition" in definition and isinstance(definition["taskDefinition"], dict):
        tags = definition.get("tags")
        definition = dict(definition["taskDefinition"])
        if tags and "tags" not in definition:
            definition["tags"] = tags
    _drop_read_only(definition, TASK_DEFINITION_READ_ONLY, source, warnings)
    if not definition.get("tags"):
        definition.pop("tags", None)
    for key in ("cpu", "memory"):
        if key in definition:
            definition[key] = _task_size(definition[key], key, source)
    validate_request(definition, "RegisterTaskDefinition", source)
    _check_what_ecs_rejects(definition, source)
    return definition, warnings


def _check_what_ecs_rejects(definition, source):
    """Catch here, with the field named, what RegisterTaskDefinition would refuse."""
    for field in ("taskRoleArn", "executionRoleArn"):
        value = definition.get(field)
        if value is not None and not _ROLE_ARN.match(value):
            raise DefinitionError(
                source,
                f"field {field}: {value!r} is not an IAM role ARN",
                "write arn:aws:iam::<12-digit account ID>:role/<name>",
                field=field,
            )
    containers = definition["containerDefinitions"]
    if not containers:
        raise DefinitionError(
            source,
            "field containerDefinitions: the list is empty, and a task needs a container",
            "define at least one container, with its name and image",
            field="containerDefinitions",
        )
    for index, container in enumerate(containers):
        for field in ("name", "image"):
            if not container.get(field):
                raise DefinitionError(
                    source,
                    f"field containerDefinitions[{index}].{field}: missing or empty",
                    f"give every container its {field}",
                    field=f"containerDefinitions[{index}].{field}",
                )
    if definition.get("networkMode") != "awsvpc":
        return
    for index, container in enumerate(containers):
        for number, mapping in enumerate(container.get("portMappings", [])):
            host_port = mapping.get("hostPort")
            if host_port is not None and host_port != mapping.get("containerPort"):
                field = f"containerDefinitions[{index}].portMappings[{number}].hostPort"
                raise DefinitionError(
                    source,
                    f"field {field}: {host_port} differs from containerPort "
                    f"{mapping.get('containerPort')}, which awsvpc mode does not allow",
                    "leave hostPort out or make it equal to containerPort",
                    field=field,
                )


def check_service_fits(task_definition, service_definition, sources, creating=False):
    """Refuse, as ECS would, a service definition that does not fit the task definition:
    a network configuration for a task definition not in awsvpc network mode (or, for a
    service to create, none for one that is), a Fargate launch type for a task definition
    not compatible with Fargate, a load balancer on a container or port the task definition
    lacks, or a target group that is no ARN. ``sources`` names the two files."""
    service_source = sources.get("service_definition") or "service definition"
    task_source = sources.get("task_definition") or "task definition"
    mode = task_definition.get("networkMode")
    if creating and mode == "awsvpc" and not service_definition.get("networkConfiguration"):
        raise DefinitionError(
            service_source,
            "field networkConfiguration: missing, and the task definition "
            f"({task_source}) is in awsvpc network mode, for which ECS requires it",
            "give networkConfiguration.awsvpcConfiguration with the subnets (and security groups)",
            field="networkConfiguration",
        )
    compatible = task_definition.get("requiresCompatibilities")
    if (
        service_definition.get("launchType") == "FARGATE"
        and compatible
        and "FARGATE" not in compatible
    ):
        raise DefinitionError(
            service_source,
            f"field launchType: FARGATE, and the task definition ({task_source}) requires "
            f"{', '.join(compatible)} compatibility only",
            'add "FARGATE" to requiresCompatibilities, or use the launch type it names',
            field="launchType",
        )
    network = (service_definition.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if network and (mode or "bridge") != "awsvpc":
        shown = f"networkMode {mode}" if mode else "no networkMode (bridge, by default)"
        raise DefinitionError(
            service_source,
            "field networkConfiguration: ECS takes it for tasks in awsvpc network mode only, "
            f"and the task definition ({task_source}) has {shown}",
            'set "networkMode": "awsvpc" in the task definition, or remove '
            "networkConfiguration from the service definition",
            field="networkConfiguration",
        )
    ports = {
        (container.get("name"), mapping.get("containerPort"))
        for container in task_definition.get("containerDefinitions", [])
        for mapping in container.get("portMappings", [])
    }
    for index, balancer in enumerate(service_definition.get("loadBalancers", [])):
        field = f"loadBalancers[{index}]"
        arn = balancer.get("targetGroupArn")
        if arn is not None and not _TARGET_GROUP_ARN.match(arn):
            raise DefinitionError(
                service_source,
                f"field {field}.targetGroupArn: {arn!r} is not a target group ARN",
                "write arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>",
                field=f"{field}.targetGroupArn",
            )
        wanted = (balancer.get("containerName"), balancer.get("containerPort"))
        if wanted[0] is not None and wanted not in ports:
            raise DefinitionError(
                service_source,
                f"field {field}: the task definition ({task_source}) has no container "
                f"{wanted[0]} with containerPort {wanted[1]}",
                "name a container and a port of its portMappings",
                field=field,
            )


def prepare_service_definition(definition, source):
    """Turn a loaded service definition into the fields of a CreateService request.

    Identity fields (cluster, serviceName, taskDefinition) and read-only fields are
    taken out. Returns ``(request, identity, warnings)``.
    """
    warnings = []
    definition = drop_nulls(definition)
    identity = {key: definition.pop(key) for key in SERVICE_IDENTITY if key in definition}
    _drop_read_only(definition, SERVICE_READ_ONLY, source, warnings)
    # `ecspresso init` writes an empty launchType beside a capacity provider strategy.
    if definition.get("launchType") == "":
        del definition["launchType"]
    if not definition.get("tags"):
        definition.pop("tags", None)
    validate_request(definition, "CreateService", source, extra={"serviceName": "x"})
    _check_service_rejects(definition, source)
    return definition, identity, warnings


def _check_service_rejects(definition, source):
    """Catch here, with the field named, what CreateService and UpdateService refuse."""
    count = definition.get("desiredCount")
    if count is not None and count < 0:
        raise DefinitionError(
            source, f"field desiredCount: {count} is negative", "give 0 or more", "desiredCount"
        )
    if definition.get("launchType") and definition.get("capacityProviderStrategy"):
        raise DefinitionError(
            source,
            "fields launchType and capacityProviderStrategy: ECS takes one or the other",
            "remove launchType (the strategy names FARGATE or FARGATE_SPOT) or the strategy",
            field="launchType",
        )
    if definition.get("launchType") == "FARGATE":
        for field in ("placementStrategy", "placementConstraints"):
            if definition.get(field):
                raise DefinitionError(
                    source,
                    f"field {field}: Fargate places tasks itself and ECS refuses it",
                    f"remove {field}, or use the EC2 launch type",
                    field=field,
                )
    vpc = (definition.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if vpc is not None and not vpc.get("subnets"):
        raise DefinitionError(
            source,
            "field networkConfiguration.awsvpcConfiguration.subnets: empty",
            "name at least one subnet",
            field="networkConfiguration.awsvpcConfiguration.subnets",
        )


def _drop_read_only(definition, fields, source, warnings):
    """Remove the fields ECS sets itself, with a warning naming them."""
    dropped = [key for key in fields if key in definition]
    for key in dropped:
        del definition[key]
    if dropped:
        warnings.append(
            f"{source}: ignored read-only fields {', '.join(dropped)} "
            "(ECS sets them; remove them from the file to silence this)"
        )


def _task_size(value, field, source):
    """Task-level cpu and memory as ECS returns them: a string of integer units."""
    if isinstance(value, bool):
        raise DefinitionError(source, f'field {field}: expected units such as "512"')
    if isinstance(value, (int, float)):
        return str(int(value))
    text = str(value).strip()
    if text.isdigit():
        return text
    pattern = _CPU_UNITS if field == "cpu" else _MEMORY_GB
    match = pattern.match(text)
    if match:
        return str(int(float(match.group(1)) * 1024))
    example = '"256" or "0.25 vCPU"' if field == "cpu" else '"512" or "1 GB"'
    raise DefinitionError(
        source,
        f"field {field}: {value!r} is not a size ECS accepts",
        f"write it as {example}",
    )


def validate_request(request, operation, source, extra=None):
    """Check a request against the ECS API model, before any call is made.

    Unknown fields and wrong types (a list where an object belongs, ...) are reported
    with the path of the field, as botocore names it.
    """
    from .aws import service_model

    params = dict(request)
    params.update(extra or {})
    problems = service_model("ecs").validate(operation, params)
    if problems:
        raise DefinitionError(source, "; ".join(problems), _fix_for(problems))


def _fix_for(problems):
    if any("did you mean" in p for p in problems):
        return "correct the name or value as suggested"
    if any(p.startswith("missing required") for p in problems):
        return "add the missing field"
    if any(p.startswith("unknown field") for p in problems):
        return "remove the field or correct its name (the names are those of the ECS API)"
    if any(p.startswith("field ") for p in problems):
        return "give the field the type the ECS API expects"
    return "correct the field"


# --- normalizing ---------------------------------------------------------------


def normalize_task_definition(definition):
    """Return the task definition as it compares: what ECS would return, sorted, pruned."""
    definition = drop_nulls(copy.deepcopy(definition))
    for key in TASK_DEFINITION_READ_ONLY:
        definition.pop(key, None)
    network_mode = definition.setdefault("networkMode", "bridge")
    definition.setdefault("enableFaultInjection", False)
    for key in ("cpu", "memory"):
        if key in definition:
            definition[key] = _task_size(definition[key], key, "task definition")
    for container in definition.get("containerDefinitions", []):
        _normalize_container(container, network_mode)
    return _canonical(definition)


def _normalize_container(container, network_mode):
    container.setdefault("cpu", 0)
    container.setdefault("essential", True)
    for mapping in container.get("portMappings", []):
        mapping.setdefault("protocol", "tcp")
        if network_mode in ("awsvpc", "host"):
            mapping.setdefault("hostPort", mapping.get("containerPort"))
        elif "containerPort" in mapping:
            mapping.setdefault("hostPort", 0)
    health = container.get("healthCheck")
    if health:
        health.setdefault("interval", 30)
        health.setdefault("timeout", 5)
        health.setdefault("retries", 3)


def normalize_service(definition):
    """Return the comparable part of a service definition, with ECS's defaults filled."""
    definition = drop_nulls(copy.deepcopy(definition))
    for key in SERVICE_READ_ONLY + SERVICE_IDENTITY:
        definition.pop(key, None)
    if definition.get("launchType") == "":
        del definition["launchType"]
    scheduling = definition.setdefault("schedulingStrategy", "REPLICA")
    definition.setdefault("healthCheckGracePeriodSeconds", 0)
    definition.setdefault("propagateTags", "NONE")
    definition.setdefault("enableECSManagedTags", False)
    definition.setdefault("enableExecuteCommand", False)
    definition.setdefault("deploymentController", {"type": "ECS"})
    if definition.get("launchType") == "FARGATE" or _fargate_strategy(definition):
        definition.setdefault("platformVersion", "LATEST")
    vpc = definition.get("networkConfiguration", {}).get("awsvpcConfiguration")
    if vpc is not None:
        vpc.setdefault("assignPublicIp", "DISABLED")
    for item in definition.get("capacityProviderStrategy", []):
        item.setdefault("base", 0)
        item.setdefault("weight", 0)
    if definition["deploymentController"].get("type", "ECS") == "ECS":
        _fill_deployment_configuration(definition, scheduling)
    return _canonical(definition, keep_empty=True)


def _fargate_strategy(definition):
    return any(
        item.get("capacityProvider", "").startswith("FARGATE")
        for item in definition.get("capacityProviderStrategy", [])
    )


def _fill_deployment_configuration(definition, scheduling):
    config = definition.setdefault("deploymentConfiguration", {})
    maximum, minimum = (100, 0) if scheduling == "DAEMON" else (200, 100)
    config.setdefault("maximumPercent", maximum)
    config.setdefault("minimumHealthyPercent", minimum)
    breaker = config.setdefault("deploymentCircuitBreaker", {})
    breaker.setdefault("enable", False)
    breaker.setdefault("rollback", False)
    alarms = config.get("alarms")
    if alarms is not None:
        alarms.setdefault("alarmNames", [])
        alarms.setdefault("enable", False)
        alarms.setdefault("rollback", False)


def _canonical(value, key=None, keep_empty=False):
    """Sort unordered lists and drop empty values (unless ``keep_empty``), recursively."""
    if isinstance(value, dict):
        result = {}
        for k, v in value.items():
            v = _canonical(v, k, keep_empty)
            if keep_empty or v not in ({}, [], None):
                result[k] = v
        return result
    if isinstance(value, list):
        items = [_canonical(v, None, keep_empty) for v in value]
        if key in UNORDERED_LISTS:
            items.sort(key=_sort_key)
        return items
    return value


def _sort_key(item):
    if isinstance(item, dict):
        for name in (
            "name",
            "key",
            "containerPort",
            "sourceVolume",
            "capacityProvider",
        ):
            if name in item:
                return (
                    0,
                    str(item[name]),
                    json.dumps(item, sort_keys=True, default=str),
                )
    return (1, "", json.dumps(item, sort_keys=True, default=str))


# --- comparing -------------------------------------------------------------------


def service_changes(desired, live):
    """Fields of the normalized ``desired`` service whose value differs from ``live``.

    Only what the user set is compared: a field absent from ``desired`` is not managed.
    """
    return sorted(
        key
        for key, value in desired.items()
        if key not in SERVICE_CREATE_ONLY and not covers(value, live.get(key))
    )


def covers(desired, live):
    """True when ``live`` matches every value set in ``desired``; ``[]`` equals absent."""
    if isinstance(desired, dict):
        live = live if isinstance(live, dict) else {}
        return all(covers(value, live.get(key)) for key, value in desired.items())
    if isinstance(desired, list):
        live = live if isinstance(live, list) else []
        return len(desired) == len(live) and all(
            _canonical(d) == _canonical(v) for d, v in zip(desired, live, strict=True)
        )
    if live is None and desired in ([], {}):
        return True
    return desired == live


def project(live, desired):
    """The part of ``live`` that ``desired`` sets, for showing a diff of what is managed."""
    if isinstance(desired, dict) and isinstance(live, dict):
        return {key: project(live.get(key), value) for key, value in desired.items()}
    return live


def render(definition):
    """The stable text form of a definition, used in diffs."""
    return json.dumps(definition, indent=2, sort_keys=True, default=str) + "\n"


def unified_diff(before, after, name):
    """A unified diff between two definitions, as ``ecspresso diff`` shows it."""
    return text_diff(
        render(before) if before is not None else "",
        render(after) if after is not None else "",
        f"{name} (live)",
        f"{name} (desired)",
    )


def text_diff(before_text, after_text, before_header, after_header):
    """A unified diff between two rendered definitions."""
    lines = difflib.unified_diff(
        before_text.splitlines(keepends=True),
        after_text.splitlines(keepends=True),
        fromfile=before_header,
        tofile=after_header,
    )
    return "".join(lines)
