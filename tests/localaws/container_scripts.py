"""What a run task's container prints, how long it runs and how it exits, read from its command.

No container runs in the local AWS. So that a test can choose what a task does, a container's
command is read as a small shell script:

- The command line is the container's ``entryPoint`` followed by its command (the RunTask
  command override if given, else the container definition's ``command``). When it is
  ``sh -c <script>`` (also ``bash``, ``ash``, ``dash``, ``zsh``, with any path, and options such
  as ``-ec`` that include ``c``), the script is read; otherwise the arguments joined by spaces.
- Statements are separated by ``;``, ``&&`` or newlines. Every statement succeeds, so what
  follows ``||`` up to the next separator is skipped; ``#`` starts a comment.
- ``echo <words>`` prints one line: the words joined by one space, after one level of single or
  double quotes is removed and ``$NAME``, ``${NAME}`` and ``${NAME:-default}`` are expanded from
  the container's environment (not inside single quotes). Leading ``-n``/``-e`` are dropped.
- ``sleep <seconds>`` (a number, optionally with an ``s``, ``m`` or ``h`` suffix) makes the
  container run that many more real seconds.
- ``exit <n>`` ends the container with exit code ``n`` (modulo 256; a non-numeric argument
  exits 2, as ``sh`` does); without ``exit`` the code is 0.
- Anything else is ignored and prints nothing.

The printed lines are spread evenly over the container's base running time, with the sleeps
where they stand: for lines ``a`` and ``b`` and a base time of 1.5 s, ``a`` is printed at 0.5 s,
``b`` at 1 s and the container exits at 1.5 s.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SLEEP = re.compile(r"(\d+(?:\.\d*)?|\.\d+)([smh]?)")
SLEEP_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
# What sh answers to ``exit`` with a non-numeric argument.
BAD_EXIT_ARGUMENT = 2


@dataclass(frozen=True)
class Echo:
    """A line the container prints."""

    text: str


@dataclass(frozen=True)
class Sleep:
    """A pause of ``seconds`` in the container's run."""

    seconds: float


@dataclass(frozen=True)
class Script:
    """What a container does: lines and pauses in order, then its exit code."""

    steps: tuple[Echo | Sleep, ...]
    exit_code: int


@dataclass(frozen=True)
class Run:
    """A container's run laid out in time: each line at its offset from the start (seconds),
    how long the run lasts, and its exit code."""

    lines: tuple[tuple[float, str], ...]
    duration: float
    exit_code: int


def command_line(
    definition: Mapping[str, object], command_override: Sequence[str] | None = None
) -> list[str]:
    """The argument list a container runs: its entryPoint, then its (overridden) command."""
    entry_point = definition.get("entryPoint") or []
    command = command_override if command_override is not None else definition.get("command")
    return [str(a) for a in [*entry_point, *(command or [])]]  # type: ignore[misc]


def script_of(arguments: Sequence[str]) -> str:
    """The shell script in an argument list: the ``-c`` script of a shell, else the arguments
    joined by spaces."""
    if (
        len(arguments) >= 3
        and os.path.basename(arguments[0]) in SHELLS
        and arguments[1].startswith("-")
        and "c" in arguments[1]
    ):
        return arguments[2]
    return " ".join(arguments)


def read(arguments: Sequence[str], environment: Mapping[str, str]) -> Script:
    """What a container with this argument list and environment does."""
    steps: list[Echo | Sleep] = []
    for words in statements(script_of(arguments), environment):
        name, rest = words[0], words[1:]
        if name == "echo":
            while rest and rest[0] in ("-n", "-e", "-E", "-ne", "-en"):
                rest = rest[1:]
            steps.append(Echo(" ".join(rest)))
        elif name == "sleep" and rest:
            seconds = sleep_seconds(rest[0])
            if seconds is not None:
                steps.append(Sleep(seconds))
        elif name == "exit":
            return Script(tuple(steps), exit_code(rest))
    return Script(tuple(steps), 0)


def lay_out(script: Script, base_seconds: float) -> Run:
    """Spread a script's lines evenly over ``base_seconds``, adding its pauses."""
    lines = sum(isinstance(step, Echo) for step in script.steps)
    gap = base_seconds / (lines + 1)
    clock = 0.0
    printed: list[tuple[float, str]] = []
    for step in script.steps:
        if isinstance(step, Echo):
            clock += gap
            printed.append((clock, step.text))
        else:
            clock += step.seconds
    return Run(tuple(printed), clock + gap, script.exit_code)


def sleep_seconds(text: str) -> float | None:
    """The seconds of ``sleep``'s argument, or None if it is not a duration."""
    match = SLEEP.fullmatch(text)
    if match is None:
        return None
    seconds = float(match.group(1)) * SLEEP_UNITS[match.group(2)]
    return seconds if math.isfinite(seconds) else None


def exit_code(arguments: Sequence[str]) -> int:
    """The exit code of ``exit`` with these arguments."""
    if not arguments:
        return 0
    if re.fullmatch(r"-?\d+", arguments[0]) is None:
        return BAD_EXIT_ARGUMENT
    return int(arguments[0]) % 256


def statements(script: str, environment: Mapping[str, str]) -> list[list[str]]:
    """The script's statements, each as its list of words (quotes removed, variables
    expanded); empty statements and those after ``||`` are left out."""
    found: list[list[str]] = []
    words: list[str] = []
    word: list[str] | None = None
    skipping = False
    index = 0

    def end_word() -> None:
        nonlocal word
        if word is not None:
            words.append("".join(word))
            word = None

    def end_statement() -> None:
        nonlocal words
        end_word()
        if words and not skipping:
            found.append(words)
        words = []

    while index < len(script):
        char = script[index]
        pair = script[index : index + 2]
        if char in " \t":
            end_word()
        elif char in ";\n" or pair == "&&":
            end_statement()
            skipping = False
            index += len(pair) if pair == "&&" else 1
            continue
        elif pair == "||":
            end_statement()
            skipping = True
            index += 2
            continue
        elif char == "#" and word is None:
            newline = script.find("\n", index)
            index = len(script) if newline < 0 else newline
            continue
        elif char == "'":
            closing = script.find("'", index + 1)
            closing = len(script) if closing < 0 else closing
            word = (word or []) + [script[index + 1 : closing]]
            index = closing + 1
            continue
        elif char == '"':
            text, index = double_quoted(script, index + 1, environment)
            word = (word or []) + [text]
            continue
        elif char == "\\" and index + 1 < len(script):
            word = (word or []) + [script[index + 1]]
            index += 2
            continue
        elif char == "$":
            text, index = expansion(script, index, environment)
            word = (word or []) + [text]
            continue
        else:
            word = (word or []) + [char]
        index += 1
    end_statement()
    return found


def double_quoted(script: str, index: int, environment: Mapping[str, str]) -> tuple[str, int]:
    """The text of a double-quoted string that starts at ``index`` (after the quote), and the
    index after its closing quote."""
    parts: list[str] = []
    while index < len(script) and script[index] != '"':
        char = script[index]
        if char == "\\" and script[index + 1 : index + 2] in ('"', "\\", "$", "`"):
            parts.append(script[index + 1])
            index += 2
        elif char == "$":
            text, index = expansion(script, index, environment)
            parts.append(text)
        else:
            parts.append(char)
            index += 1
    return "".join(parts), index + 1


def expansion(script: str, index: int, environment: Mapping[str, str]) -> tuple[str, int]:
    """The value of the ``$NAME``, ``${NAME}`` or ``${NAME:-default}`` at ``index``, and the
    index after it; a ``$`` that starts none of these stands for itself."""
    if script[index + 1 : index + 2] == "{":
        closing = script.find("}", index + 2)
        if closing > 0:
            name, separator, default = script[index + 2 : closing].partition(":-")
            if NAME.fullmatch(name):
                value = environment.get(name, "")
                return (value or default if separator else value), closing + 1
        return "$", index + 1
    match = NAME.match(script, index + 1)
    if match is None:
        return "$", index + 1
    return environment.get(match.group(0), ""), match.end()
