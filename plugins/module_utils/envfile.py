# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""envfiles: ``KEY=VALUE`` lines that templates read as environment variables.

The values are returned, never written into ``os.environ``: a module call's envfiles
must not leak into the tasks and hosts that the same controller process runs next.
"""

from __future__ import annotations

import json
import os
import re

from .definitions import read_file
from .errors import DefinitionError

_KEY = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


def read_envfiles(paths, base_dir=None):
    """The variables of ``paths``, in order: a later file wins over an earlier one."""
    values = {}
    for path in paths or []:
        if base_dir and not os.path.isabs(path):
            path = os.path.join(base_dir, path)
        values.update(parse_envfile(read_file(path), path))
    return values


def parse_envfile(text, source):
    """The ``{KEY: VALUE}`` of an envfile's text.

    A line is ``KEY=VALUE``, optionally after ``export``; blank lines and lines starting
    with ``#`` are skipped. A value may mix unquoted text (trimmed, ending at ``#``),
    single-quoted text (literal) and double-quoted text (with JSON escapes).
    """
    values = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY.match(stripped)
        if not match:
            # The line itself is not shown: envfiles hold secrets.
            raise DefinitionError(
                source,
                f"line {number} is not KEY=VALUE",
                "write each variable as KEY=VALUE (export KEY=VALUE also works)",
            )
        values[match.group(1)] = _value(stripped[match.end() :], source, number, match.group(1))
    return values


def _value(text, source, number, key):
    """The value after ``=``: quoted parts unquoted, an unquoted tail trimmed."""
    parts, position, unquoted_tail = [], 0, False
    text = text.lstrip()
    while position < len(text):
        char = text[position]
        if char == "#" and (position == 0 or text[position - 1].isspace()):
            break
        if char == "'":
            end = text.find("'", position + 1)
            if end < 0:
                raise _unterminated(source, number, key, "single")
            parts.append(text[position + 1 : end])
            position, unquoted_tail = end + 1, False
        elif char == '"':
            value, position = _double_quoted(text, position + 1, source, number, key)
            parts.append(value)
            unquoted_tail = False
        else:
            end = position
            while end < len(text) and text[end] not in "'\"" and not _comment_at(text, end):
                end += 1
            parts.append(text[position:end])
            position, unquoted_tail = end, True
    if unquoted_tail and parts:
        parts[-1] = parts[-1].rstrip()
    return "".join(parts)


def _comment_at(text, position):
    return text[position] == "#" and position > 0 and text[position - 1].isspace()


def _double_quoted(text, position, source, number, key):
    """The value of a double-quoted part starting at ``position``, and where it ends."""
    end = position
    while end < len(text) and text[end] != '"':
        end += 2 if text[end] == "\\" else 1
    if end >= len(text):
        raise _unterminated(source, number, key, "double")
    try:
        return json.loads(f'"{text[position:end]}"', strict=False), end + 1
    except json.JSONDecodeError:
        raise DefinitionError(
            source,
            f"line {number} ({key}): a double-quoted value has an escape JSON does not allow",
            r"use \n, \t, \\, \" or \uXXXX, or single quotes for literal text",
        ) from None


def _unterminated(source, number, key, kind):
    return DefinitionError(
        source, f"line {number} ({key}): the {kind} quote is not closed", "close it on that line"
    )
