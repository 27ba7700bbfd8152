"""The fenced code blocks of the guides in docs/, each with the marker that says what
exercises it.

A marker is one HTML comment on the line right before the opening fence:

    <!-- from: examples/microservices/deploy.yml -->
        the block is a verbatim excerpt of that file, which the tests use;
    <!-- test: tests/integration/test_docs.py::test_name label -->
        that test reads the block (by ``block(guide, "test_name", "label")``) and runs it;
        the label is needed only when one test reads several blocks of a guide.

docs/README.md describes the convention for contributors.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import textwrap

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

MARKER = re.compile(r"^\s*<!--\s*(from|test):\s*(\S+)(?:\s+(\S+))?\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")

# Files a `from:` excerpt may come from, and the test module that exercises each: the
# example is copied whole and run by test_example.py, the execution environment is built
# from by test_execution_environment.py, and so on.
EXERCISED = {
    "examples/microservices/": "tests/integration/test_example.py",
    "examples/awx/execution-environment.yml": "tests/integration/test_execution_environment.py",
    "examples/awx/": "tests/integration/test_awx.py",
    "meta/execution-environment.yml": "tests/integration/test_execution_environment.py",
    "roles/service/": "tests/integration/test_example.py",
    "playbooks/": "tests/integration/test_example.py",
}


@dataclasses.dataclass(frozen=True)
class Block:
    """One fenced block of a guide."""

    guide: pathlib.Path
    line: int  # of the opening fence, from 1
    lang: str
    text: str  # the contents, without the indentation common to its lines
    kind: str | None  # "from" or "test"; None when the block has no marker
    target: str | None  # the file of a `from:`, the test of a `test:`
    label: str | None

    @property
    def where(self):
        return f"{self.guide.relative_to(ROOT)}:{self.line}"

    @property
    def test_name(self):
        """The test function a `test:` marker names."""
        return self.target.rsplit("::", 1)[-1] if self.kind == "test" else None

    def lines(self):
        return [line.rstrip() for line in self.text.splitlines()]


def guides():
    """The guides: every Markdown file of docs/."""
    return sorted(DOCS.glob("*.md"))


def blocks(guide):
    """The fenced blocks of a guide (a path, or a name such as ``getting-started.md``), in
    order, with their markers."""
    guide = DOCS / guide if isinstance(guide, str) else guide
    lines = guide.read_text().splitlines()
    found = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, lang = opening.groups()
        end = index + 1
        while end < len(lines) and not re.match(
            rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[end]
        ):
            end += 1
        body = [
            line[len(indent) :] if line.startswith(indent) else line
            for line in lines[index + 1 : end]
        ]
        marker = MARKER.match(lines[index - 1]) if index else None
        kind, target, label = marker.groups() if marker else (None, None, None)
        found.append(
            Block(guide, index + 1, lang, textwrap.dedent("\n".join(body)), kind, target, label)
        )
        index = end + 1
    return found


def block(guide, test, label=None):
    """The block of ``guide`` whose `test:` marker names ``test`` (and ``label``)."""
    matching = [
        found
        for found in blocks(guide)
        if found.kind == "test" and found.test_name == test and found.label == label
    ]
    assert len(matching) == 1, f"{guide}: {len(matching)} blocks marked for {test} {label or ''}"
    return matching[0]


def excerpt_of(block_, path):
    """Whether the block's lines are a contiguous run of the file's lines, each side
    without its common indentation and trailing whitespace."""
    wanted = block_.lines()
    while wanted and not wanted[-1]:
        wanted.pop()
    have = [line.rstrip() for line in path.read_text().splitlines()]
    return any(
        textwrap.dedent("\n".join(have[start : start + len(wanted)])).splitlines() == wanted
        for start in range(len(have) - len(wanted) + 1)
    )


# In an output block, `...` stands for any text, and ids and durations that change from
# run to run (task and deployment ids, CodeDeploy deployment ids, "in 2s") match any of
# their kind.
_LOOSE = re.compile(
    r"(?P<id>\b[0-9a-f]{8,}\b)|(?P<duration>\bin \d+s\b)|(?P<codedeploy>\bd-[A-Z0-9]{9}\b)"
)
_LOOSENED = {"id": "[0-9a-f]+", "duration": r"in \d+s", "codedeploy": "d-[A-Z0-9]+"}


def _line_pattern(line):
    pieces = []
    for piece in line.strip().split("..."):
        text, position = [], 0
        for loose in _LOOSE.finditer(piece):
            text += [re.escape(piece[position : loose.start()]), _LOOSENED[loose.lastgroup]]
            position = loose.end()
        text.append(re.escape(piece[position:]))
        pieces.append(re.sub(r"(\\ )+", r"\\s+", "".join(text)))
    return re.compile(".*".join(pieces))


# Lines of one service: its progress lines ("[auth-service] ...") and its task results
# ("changed: [auth-service.dev]"). Services run in parallel, so only the order of one
# service's lines, and that of the lines of no service, is the same from run to run.
_STREAM = re.compile(r"^(?:\[([\w-]+)\] |(?:ok|changed|failed|fatal|skipping): \[([\w-]+)[\].])")


def _stream(line):
    found = _STREAM.match(line.strip())
    return found and (found.group(1) or found.group(2))


def unmatched_output(block_, output):
    """The first line of an output block that is not a line of the real output; None when
    every line is. Each line must match a whole line of the output, after the lines before
    it of the same service (or, for lines of no service, of no service)."""
    have = [line.strip() for line in output.splitlines()]
    after = {}
    for line in block_.lines():
        if not line.strip() or line.strip() == "...":
            continue
        pattern, stream = _line_pattern(line), _stream(line)
        position = after.get(stream, -1) + 1
        while position < len(have) and not (
            _stream(have[position]) == stream and pattern.fullmatch(have[position])
        ):
            position += 1
        if position == len(have):
            return line
        after[stream] = position
    return None
