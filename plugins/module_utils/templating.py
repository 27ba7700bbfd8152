# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecspresso's templates: the Go-template subset its files use, and Jsonnet.

A file is read as ecspresso reads it: a ``.jsonnet`` file is evaluated first, then the
template is applied to the JSON that comes out; any other file gets the template only.

The template subset: ``{{ ... }}`` actions (``{{-`` and ``-}}`` trim spaces, ``{{/* */}}``
is a comment) holding function calls with backquoted or double-quoted strings, numbers,
``true``, ``false`` and parenthesized calls, pipelines (``env `X` | json_escape``), and
``if`` / ``else`` / ``else if`` / ``end``. Anything else (``range``, ``with``, variables,
``.Field``, ...) fails with its name, the file and the line.

Environment variables come from a mapping given to ``Templates`` (the controller's
environment with the module call's envfiles over it), never from ``os.environ`` directly.
"""

from __future__ import annotations

import json
import operator
import os
import re

from .definitions import read_file
from .errors import DefinitionError, EcspressoError, LookupFailed
from .lookups import AwsLookups
from .tfstate import TerraformState

try:
    import _jsonnet

    JSONNET_IMPORT_ERROR = None
except ImportError as exc:
    _jsonnet = None
    JSONNET_IMPORT_ERROR = exc

PLUGIN_NAMES = ("tfstate", "cloudformation", "ssm", "secretsmanager")
# Always there, as in ecspresso; naming them in ``plugins`` again adds nothing.
DEFAULT_PLUGINS = ("ssm", "secretsmanager")

_UNSUPPORTED_KEYWORDS = ("range", "with", "define", "template", "block", "break", "continue")
_SPACE = " \t\r\n"
_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+(?:[eE][+-]?\d+)?)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


# --- the template language ---------------------------------------------------------


class Function:
    """A template function: its name, what it calls, and how many arguments it takes
    (``max_args`` 0: any number from ``min_args`` on)."""

    def __init__(self, name, call, min_args, max_args=None, fix=None):
        self.name = name
        self.call = call
        self.min_args = min_args
        self.max_args = min_args if max_args is None else max_args
        self.fix = fix


class _Token:
    def __init__(self, kind, value, line):
        self.kind = kind
        self.value = value
        self.line = line


class _Text:
    def __init__(self, text):
        self.text = text


class _Action:
    def __init__(self, pipeline, line):
        self.pipeline = pipeline
        self.line = line


class _If:
    def __init__(self, pipeline, line):
        self.pipeline = pipeline
        self.line = line
        self.then = []
        self.otherwise = []


class _Frame:
    """An ``if`` being parsed: which branch gets the next nodes."""

    def __init__(self, node, chained=False):
        self.node = node
        self.nodes = node.then
        self.chained = chained
        self.has_else = False


def render_template(text, source, functions, where=""):
    """Apply the template in ``text`` with ``functions`` (a dict of Function by name)."""
    nodes = _parse(text, source, functions, where)
    out = []
    _execute(nodes, source, functions, where, out)
    return "".join(out)


def _error(source, line, where, problem, fix=None):
    return DefinitionError(source, f"line {line}{where}: {problem}", fix)


def _unsupported(source, line, where, construct):
    return _error(
        source,
        line,
        where,
        f"{construct} is not supported in templates here",
        "use function calls, pipelines and if/else/end only, or render the file with "
        "Ansible's template lookup and pass the result",
    )


def _parse(text, source, functions, where):
    root = []
    frames = []
    position, line, trim_next = 0, 1, False
    while True:
        start = text.find("{{", position)
        chunk = text[position:] if start < 0 else text[position:start]
        trim_left = (
            start >= 0
            and text[start + 2 : start + 3] == "-"
            and (text[start + 3 : start + 4] in tuple(_SPACE))
        )
        if trim_next:
            chunk = chunk.lstrip(_SPACE)
        if trim_left:
            chunk = chunk.rstrip(_SPACE)
        if chunk:
            (frames[-1].nodes if frames else root).append(_Text(chunk))
        if start < 0:
            break
        line += text.count("\n", position, start)
        inner = start + (4 if trim_left else 2)
        tokens, end, trim_next = _lex_action(text, inner, source, line, where)
        _add_action(tokens, line, root, frames, source, functions, where)
        line += text.count("\n", start, end)
        position = end
    if frames:
        raise _error(
            source,
            frames[-1].node.line,
            where,
            "this {{ if }} has no {{ end }}",
            "close it with {{ end }}",
        )
    return root


def _add_action(tokens, line, root, frames, source, functions, where):
    if not tokens:
        return  # a comment
    first = tokens[0]
    current = frames[-1].nodes if frames else root
    if first.kind == "keyword" and first.value == "if":
        node = _If(_pipeline_of(tokens[1:], source, functions, where, line), line)
        current.append(node)
        frames.append(_Frame(node))
    elif first.kind == "keyword" and first.value == "else":
        if not frames or frames[-1].has_else:
            raise _error(source, line, where, "{{ else }} without an {{ if }} before it")
        frame = frames[-1]
        frame.has_else = True
        frame.nodes = frame.node.otherwise
        if len(tokens) > 1:
            if not (tokens[1].kind == "keyword" and tokens[1].value == "if"):
                raise _unsupported(source, line, where, f"{{{{ else {tokens[1].value} }}}}")
            node = _If(_pipeline_of(tokens[2:], source, functions, where, line), line)
            frame.nodes.append(node)
            frames.append(_Frame(node, chained=True))
    elif first.kind == "keyword" and first.value == "end":
        if len(tokens) > 1 or not frames:
            raise _error(source, line, where, "{{ end }} without an {{ if }} before it")
        while frames.pop().chained:
            pass
    else:
        current.append(_Action(_pipeline_of(tokens, source, functions, where, line), line))


def _lex_action(text, position, source, line, where):
    """The tokens of one action, the index after its ``}}``, and whether it trims after."""
    tokens = []
    if text.startswith("/*", position):
        close = text.find("*/", position + 2)
        if close < 0:
            raise _error(source, line, where, "unclosed comment", "end it with */}}")
        after = close + 2
        if text.startswith(" -}}", after):
            return [], after + 4, True
        if text.startswith("}}", after):
            return [], after + 2, False
        raise _error(source, line, where, "a comment must end right before }}")
    while position < len(text):
        char = text[position]
        if char in _SPACE:
            if text.startswith("-}}", position + 1):
                return tokens, position + 4, True
            line += char == "\n"
            position += 1
        elif text.startswith("}}", position):
            return tokens, position + 2, False
        elif char == "`":
            close = text.find("`", position + 1)
            if close < 0:
                raise _error(source, line, where, "unclosed raw string (`)", "close it with `")
            value = text[position + 1 : close]
            tokens.append(_Token("value", value, line))
            line += value.count("\n")
            position = close + 1
        elif char == '"':
            value, position = _quoted(text, position, source, line, where)
            tokens.append(_Token("value", value, line))
        elif char in "()|":
            tokens.append(_Token(char, char, line))
            position += 1
        elif char.isdigit() or (char in "+-" and text[position + 1 : position + 2].isdigit()):
            found = _NUMBER.match(text, position)
            tokens.append(_Token("value", _number(found.group(0), source, line, where), line))
            position = found.end()
        elif char.isalpha() or char == "_":
            found = _NAME.match(text, position)
            word = found.group(0)
            position = found.end()
            if word in ("true", "false"):
                tokens.append(_Token("value", word == "true", line))
            elif word == "nil":
                tokens.append(_Token("value", None, line))
            elif word in ("if", "else", "end"):
                tokens.append(_Token("keyword", word, line))
            elif word in _UNSUPPORTED_KEYWORDS:
                raise _unsupported(source, line, where, f"{{{{ {word} }}}}")
            else:
                tokens.append(_Token("name", word, line))
        elif char == "$":
            raise _unsupported(source, line, where, "a variable ($...)")
        elif char == ".":
            raise _unsupported(
                source, line, where, "a field or the dot (.Name), as no data is given"
            )
        elif char == "'":
            raise _unsupported(source, line, where, "a character constant ('x')")
        elif char in ":=":
            raise _unsupported(source, line, where, "a variable assignment (:= or =)")
        elif char == ",":
            raise _unsupported(source, line, where, "a comma (range variables)")
        else:
            raise _error(
                source,
                line,
                where,
                f"unexpected {char!r} in a template action",
                'write strings in backquotes (`...`) or double quotes ("...")',
            )
    raise _error(source, line, where, "unclosed action: {{ has no }}", "close it with }}")


_GO_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
}


def _quoted(text, position, source, line, where):
    """A double-quoted Go string starting at ``position``: its value and where it ends."""
    value, position = [], position + 1
    while position < len(text):
        char = text[position]
        if char == '"':
            return "".join(value), position + 1
        if char == "\n":
            break
        if char != "\\":
            value.append(char)
            position += 1
            continue
        escape = text[position + 1 : position + 2]
        if escape in _GO_ESCAPES:
            value.append(_GO_ESCAPES[escape])
            position += 2
            continue
        digits = {"x": 2, "u": 4, "U": 8}.get(escape)
        code = text[position + 2 : position + 2 + (digits or 0)]
        if digits and re.fullmatch(r"[0-9a-fA-F]+", code) and len(code) == digits:
            value.append(chr(int(code, 16)))
            position += 2 + digits
            continue
        if re.fullmatch(r"[0-7]{3}", text[position + 1 : position + 4]):
            value.append(chr(int(text[position + 1 : position + 4], 8)))
            position += 4
            continue
        raise _error(
            source,
            line,
            where,
            f"unknown escape \\{escape} in a double-quoted string",
            "use backquotes (`...`) for text with backslashes",
        )
    raise _error(source, line, where, "unclosed double-quoted string", 'close it with "')


def _number(text, source, line, where):
    cleaned = text.replace("_", "")
    try:
        if cleaned.lstrip("+-").lower().startswith("0x"):
            return int(cleaned, 16)
        if re.fullmatch(r"[+-]?\d+", cleaned):
            return int(cleaned)
        return float(cleaned)
    except ValueError:
        raise _error(source, line, where, f"bad number {text!r}") from None


def _pipeline_of(tokens, source, functions, where, line):
    if not tokens:
        raise _error(source, line, where, "missing value in an action or an if")
    pipeline, position = _pipeline(tokens, 0, source, functions, where)
    if position < len(tokens):
        raise _error(source, tokens[position].line, where, f"unexpected {tokens[position].value}")
    return pipeline


def _pipeline(tokens, position, source, functions, where):
    """A pipeline: commands joined by ``|``, each the next one's last argument."""
    commands = []
    while True:
        operands = []
        while position < len(tokens) and tokens[position].kind not in ("|", ")"):
            token = tokens[position]
            if token.kind == "(":
                inner, position = _pipeline(tokens, position + 1, source, functions, where)
                if position >= len(tokens) or tokens[position].kind != ")":
                    raise _error(source, token.line, where, "unclosed ( in an action")
                operands.append(("pipeline", inner, token.line))
            elif token.kind == "keyword":
                raise _error(source, token.line, where, f"unexpected {token.value}")
            elif token.kind == "name":
                if token.value not in functions:
                    raise _undefined(token.value, functions, source, token.line, where)
                operands.append(("call", token.value, token.line))
            else:
                operands.append(("value", token.value, token.line))
            position += 1
        line = tokens[min(position, len(tokens) - 1)].line
        if not operands:
            raise _error(source, line, where, "missing value in a pipeline")
        if operands[0][0] != "call" and (len(operands) > 1 or commands):
            raise _error(
                source,
                line,
                where,
                "only a function can take arguments or receive a piped value",
                "put the function name first",
            )
        commands.append(operands)
        if position < len(tokens) and tokens[position].kind == "|":
            position += 1
            continue
        return commands, position


def _undefined(name, functions, source, line, where):
    if name.endswith(("tfstate", "tfstatef")):
        fix = (
            "add a tfstate plugin to the config's plugins (name: tfstate, with config: "
            "{path: terraform.tfstate} or {url: s3://bucket/key}), with func_prefix when the "
            "function has a prefix"
        )
    elif name.endswith(("cfn_output", "cfn_export")):
        fix = "add the cloudformation plugin to the config's plugins (- name: cloudformation)"
    elif name in ("ssm", "secretsmanager_arn", "secretsmanager_arnf"):
        fix = "read AWS in definition files only; a config file has env, must_env and json_escape"
    else:
        fix = f"the functions are: {', '.join(sorted(functions))}"
    return _error(source, line, where, f"function {name!r} is not defined", fix)


def _execute(nodes, source, functions, where, out):
    for node in nodes:
        if isinstance(node, _Text):
            out.append(node.text)
        elif isinstance(node, _If):
            value = _evaluate(node.pipeline, source, functions, where)
            _execute(node.then if _truth(value) else node.otherwise, source, functions, where, out)
        else:
            out.append(_text(_evaluate(node.pipeline, source, functions, where)))


def _evaluate(pipeline, source, functions, where):
    value, piped = None, False
    for operands in pipeline:
        kind, first, line = operands[0]
        if kind != "call":
            value = _operand(operands[0], source, functions, where)
        else:
            args = [_operand(operand, source, functions, where) for operand in operands[1:]]
            if piped:
                args.append(value)
            value = _call(functions[first], args, source, line, where)
        piped = True
    return value


def _operand(operand, source, functions, where):
    kind, value, line = operand
    if kind == "value":
        return value
    if kind == "pipeline":
        return _evaluate(value, source, functions, where)
    return _call(functions[value], [], source, line, where)


def _call(function, args, source, line, where):
    if not function.min_args <= len(args) <= (function.max_args or len(args)):
        wanted = str(function.min_args)
        if function.max_args != function.min_args:
            wanted += " or more" if not function.max_args else f" to {function.max_args}"
        raise _error(
            source,
            line,
            where,
            f"{function.name} takes {wanted} argument(s), got {len(args)}",
            "correct the call",
        )
    try:
        return function.call(*args)
    except LookupFailed as exc:
        raise _error(source, line, where, f"{function.name}: {exc.message}", exc.fix) from None
    except EcspressoError as exc:
        raise _error(source, line, where, f"{function.name}: {exc.message}") from None
    except (TypeError, ValueError) as exc:
        raise _error(source, line, where, f"{function.name}: {exc}", "correct the call") from None


def _truth(value):
    """Go's idea of true: not false, zero, nil or empty."""
    return bool(value)


def _text(value):
    """A value as Go's templates print it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<no value>"
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    if isinstance(value, list):
        return "[" + " ".join(_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_text(v)}" for k, v in sorted(value.items())) + "]"
    return str(value)


def go_sprintf(format_text, *args):
    """``fmt.Sprintf`` for the verbs templates use: %s %v %d %q %f %x and %%."""
    args = list(args)

    def verb(match):
        flags, width, precision, kind = match.groups()
        if kind == "%":
            return "%"
        if not args:
            return f"%!{kind}(MISSING)"
        value = args.pop(0)
        if kind in "sv":
            text = _text(value)
        elif kind == "d" and isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        elif kind == "q":
            text = json.dumps(_text(value), ensure_ascii=False)
        elif kind == "f" and isinstance(value, (int, float)):
            text = f"{value:.{int(precision or 6)}f}"
        elif kind == "x" and isinstance(value, int):
            text = f"{value:x}"
        elif kind == "x" and isinstance(value, str):
            text = value.encode("utf-8").hex()
        else:
            return f"%!{kind}({type(value).__name__}={_text(value)})"
        align = "<" if "-" in flags else ">"
        return f"{text:{align}{width or 0}}"

    text = re.sub(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])", verb, str(format_text))
    if args:
        text += "%!(EXTRA " + ", ".join(_text(arg) for arg in args) + ")"
    return text


def json_escape(value):
    """A string escaped for use inside a JSON string, as Go's encoder escapes it."""
    text = json.dumps(_text(value), ensure_ascii=False)[1:-1]
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _builtins():
    """Go's own template functions that conditions use."""
    return {
        "and": Function("and", lambda *a: next((v for v in a if not _truth(v)), a[-1]), 1, 0),
        "or": Function("or", lambda *a: next((v for v in a if _truth(v)), a[-1]), 1, 0),
        "not": Function("not", lambda a: not _truth(a), 1),
        "eq": Function("eq", lambda a, *others: any(a == b for b in others), 2, 0),
        "ne": Function("ne", operator.ne, 2),
        "lt": Function("lt", operator.lt, 2),
        "le": Function("le", operator.le, 2),
        "gt": Function("gt", operator.gt, 2),
        "ge": Function("ge", operator.ge, 2),
        "len": Function("len", len, 1),
        "printf": Function("printf", go_sprintf, 1, 0),
    }


# --- the functions of a module call ---------------------------------------------------


class Templates:
    """The template functions and Jsonnet settings of one module call.

    ``env`` is the environment templates read (the controller's, with envfiles over it);
    ``secrets`` collects values that must be masked. A config file is rendered with
    ``env``, ``must_env`` and ``json_escape``; ``use_aws`` and ``add_plugins`` add the
    rest for the definitions.
    """

    def __init__(self, env=None, ext_str=None, ext_code=None, secrets=None):
        self.env = dict(os.environ if env is None else env)
        self.ext_str = {str(k): _ext_text(v) for k, v in (ext_str or {}).items()}
        self.ext_code = {str(k): _ext_code(v) for k, v in (ext_code or {}).items()}
        self.secrets = set() if secrets is None else secrets
        self.functions = _builtins()
        self.natives = {}  # name: (number of parameters, function)
        self._owners = {}
        self._session = None
        self._aws_lookups = None
        self._add(
            "environment",
            {
                "env": Function("env", self._env, 1, 0),
                "must_env": Function("must_env", self._must_env, 1, fix=_ENV_FIX),
                "json_escape": Function("json_escape", json_escape, 1),
            },
            {
                "env": (2, self._native_env),
                "must_env": (1, self._must_env),
            },
        )

    # The first set non-empty variable; the last argument doubles as the default.
    def _env(self, *names):
        value = ""
        for name in names:
            value = self.env.get(str(name), "")
            if value:
                return value
            value = str(name)
        return value

    def _native_env(self, name, default):
        return self.env.get(name) or default

    def _must_env(self, name):
        if name not in self.env:
            raise LookupFailed(f"environment variable {name} is not set", _ENV_FIX)
        return self.env[name]

    def use_aws(self, session):
        """Add the functions that read from AWS (``ssm``, ``secretsmanager_arn``);
        ``session`` is a function returning the AwsSession, called on first use only."""
        self._session = session
        for name in DEFAULT_PLUGINS:
            self._add_plugin(name, {}, "", "(built in)", None)

    def add_plugins(self, plugins, source, base_dir):
        """Set up the config's ``plugins``: tfstate, cloudformation, ssm, secretsmanager."""
        for index, plugin in enumerate(plugins or []):
            where = f"plugins[{index}]"
            if not isinstance(plugin, dict) or not isinstance(plugin.get("name"), str):
                raise DefinitionError(
                    source,
                    f"field {where}: expected a mapping with a name",
                    "write each plugin as {name: tfstate, config: {path: terraform.tfstate}}",
                    field=where,
                )
            settings = plugin.get("config") or {}
            prefix = plugin.get("func_prefix") or ""
            if not isinstance(settings, dict) or not isinstance(prefix, str):
                raise DefinitionError(
                    source,
                    f"field {where}: config must be a mapping and func_prefix a string",
                    field=where,
                )
            label = f"{where} ({plugin['name']})"
            self._add_plugin(plugin["name"].lower(), settings, prefix, label, (source, base_dir))

    def _add_plugin(self, name, settings, prefix, label, origin):
        if name == "tfstate":
            functions, natives = self._tfstate_functions(settings, label, origin)
        elif name in ("cloudformation", "ssm", "secretsmanager"):
            functions, natives = self._aws_functions(name)
        else:
            source = origin[0] if origin else "config"
            hint = "it runs a program, which" if name == "external" else "it"
            raise DefinitionError(
                source,
                f"{label}: plugin {name!r} is not available ({hint} is not supported here)",
                f"use one of {', '.join(PLUGIN_NAMES)}",
            )
        self._add(
            label,
            {prefix + key: _renamed(fn, prefix + key) for key, fn in functions.items()},
            {prefix + key: native for key, native in natives.items()},
            origin=origin,
            skip_duplicates=name in DEFAULT_PLUGINS,
        )

    def _add(self, label, functions, natives, origin=None, skip_duplicates=False):
        for name in list(functions) + list(natives):
            owner = self._owners.get(name)
            if owner is None:
                continue
            if skip_duplicates:
                functions.pop(name, None)
                natives.pop(name, None)
                continue
            raise DefinitionError(
                origin[0] if origin else "config",
                f"{label}: template function {name} is already defined by {owner}",
                "set func_prefix on one of the two plugins (such as func_prefix: other_) and "
                "call that plugin's functions with the prefix",
            )
        for name in list(functions) + list(natives):
            self._owners[name] = label
        self.functions.update(functions)
        self.natives.update(natives)

    def _tfstate_functions(self, settings, label, origin):
        source, base_dir = origin
        location = settings.get("path") or settings.get("url")
        if not isinstance(location, str) or not location:
            raise DefinitionError(
                source,
                f"{label}: the tfstate plugin needs config.path (a file) or config.url "
                "(an s3:// URL)",
                "add config: {path: terraform.tfstate}",
            )
        if settings.get("path") and not _SCHEME.match(location):
            location = os.path.join(base_dir, location)
        state = TerraformState(location, self._aws_session, bool(settings.get("optional")))

        def tfstate(address):
            return _state_text(state.lookup(str(address)))

        def tfstatef(format_text, *args):
            return tfstate(go_sprintf(format_text, *args))

        functions = {
            "tfstate": Function("tfstate", tfstate, 1),
            "tfstatef": Function("tfstatef", tfstatef, 1, 0),
        }
        return functions, {"tfstate": (1, state.lookup)}

    def _aws_functions(self, name):
        lookups = self._lookups()
        if name == "ssm":
            functions = {"ssm": Function("ssm", _ssm(lookups), 1, 2)}
            natives = {
                "ssm": (1, lookups.ssm),
                "ssm_list": (2, lambda name, index: lookups.ssm(name, int(index))),
            }
        elif name == "secretsmanager":
            functions = {
                "secretsmanager_arn": Function("secretsmanager_arn", lookups.secretsmanager_arn, 1),
                "secretsmanager_arnf": Function(
                    "secretsmanager_arnf",
                    lambda f, *a: lookups.secretsmanager_arn(go_sprintf(f, *a)),
                    1,
                    0,
                ),
            }
            natives = {"secretsmanager_arn": (1, lookups.secretsmanager_arn)}
        else:
            functions = {
                "cfn_output": Function("cfn_output", lookups.cfn_output, 2),
                "cfn_export": Function("cfn_export", lookups.cfn_export, 1),
            }
            natives = {
                "cfn_output": (2, lookups.cfn_output),
                "cfn_export": (1, lookups.cfn_export),
            }
        return functions, natives

    def _lookups(self):
        if self._aws_lookups is None:
            self._aws_lookups = AwsLookups(self._aws_session, self.secrets)
        return self._aws_lookups

    def _aws_session(self):
        if self._session is None:
            raise LookupFailed("reading from AWS needs AWS settings, and none were given")
        return self._session()

    # --- files ---------------------------------------------------------------------

    def render_file(self, path, source=None):
        """The text of ``path`` as ecspresso reads it: a ``.jsonnet`` file evaluated, then
        the template applied (only when the text has an action in it)."""
        source = source or path
        where = ""
        if path.endswith(".jsonnet"):
            text = self.evaluate_jsonnet(path, source)
            where = " of the evaluated Jsonnet"
        else:
            text = read_file(path, source)
        if "{{" not in text:
            return text
        return render_template(text, source, self.functions, where)

    def evaluate_jsonnet(self, path, source=None):
        """The JSON text of a Jsonnet file, with ext_str, ext_code and native functions."""
        source = source or path
        if _jsonnet is None:
            raise DefinitionError(
                source,
                f"reading Jsonnet needs the jsonnet Python package ({JSONNET_IMPORT_ERROR})",
                "install it where the modules run: pip install jsonnet",
            )
        read_file(path, source)
        try:
            return _jsonnet.evaluate_file(
                path,
                ext_vars=self.ext_str,
                ext_codes=self.ext_code,
                native_callbacks={
                    # One-letter parameter names: the jsonnet bindings (0.22) lose longer
                    # names of a function with two or more parameters. Calls are positional.
                    name: (tuple("abcdefgh"[:arity]), _native(function))
                    for name, (arity, function) in self.natives.items()
                },
            )
        except RuntimeError as exc:
            problem, fix = _jsonnet_problem(str(exc))
            raise DefinitionError(source, problem, fix) from None


_ENV_FIX = "set it in the controller's environment or in an envfile"


def _renamed(function, name):
    return Function(name, function.call, function.min_args, function.max_args, function.fix)


def _ssm(lookups):
    def ssm(name, index=None):
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise LookupFailed(f"the index must be a number, got {_text(index)!r}")
        return lookups.ssm(str(name), index)

    return ssm


def _native(function):
    """A native function for Jsonnet: a failure becomes an error Jsonnet reports in place."""

    def native(*args):
        try:
            return function(*args)
        except EcspressoError as exc:
            raise RuntimeError(exc.message) from None

    return native


def _state_text(value):
    """A Terraform state value in a template: text as is, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _ext_text(value):
    if isinstance(value, str):
        return value
    return json.dumps(value) if not isinstance(value, (int, float)) else _text(value)


def _ext_code(value):
    return value if isinstance(value, str) else json.dumps(value)


def _jsonnet_problem(message):
    """A Jsonnet error as one line: what went wrong and where, with the fix."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    problem = lines[0] if lines else message
    location = next(
        (line.split("\t")[0].strip() for line in lines[1:] if re.search(r":\d+:\d+", line)), None
    )
    for prefix in ("RUNTIME ERROR: ", "STATIC ERROR: "):
        problem = problem.removeprefix(prefix)
    text = f"Jsonnet: {problem}" + (f" (at {location})" if location else "")
    if "undefined external variable" in problem:
        return text, "give it with the ext_str or ext_code option"
    return text, "fix the Jsonnet there"
