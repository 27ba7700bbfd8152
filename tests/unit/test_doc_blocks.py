"""Every code block of the guides in docs/ is marked, and what its marker names holds:
an excerpt still matches its file, a named test exists and reads the block."""

from __future__ import annotations

import ast
import pathlib
import textwrap

import pytest

from tests.docs_blocks import (
    DOCS,
    EXERCISED,
    ROOT,
    Block,
    blocks,
    excerpt_of,
    guides,
    unmatched_output,
)

ALL_BLOCKS = [found for guide in guides() for found in blocks(guide)]


def block_id(found):
    return found.where


def test_there_are_guides_with_blocks():
    assert {guide.name for guide in guides()} >= {
        "README.md",
        "getting-started.md",
        "from-ecspresso.md",
        "awx.md",
        "many-services.md",
        "troubleshooting.md",
    }
    assert len(ALL_BLOCKS) > 20


@pytest.mark.parametrize("found", ALL_BLOCKS, ids=block_id)
def test_each_block_is_marked_and_not_empty(found):
    assert found.kind in ("from", "test"), (
        f"{found.where}: put <!-- from: FILE --> or <!-- test: tests/...py::TEST LABEL --> "
        "on the line right before the block"
    )
    assert found.text.strip(), f"{found.where}: empty block"


FROM_BLOCKS = [found for found in ALL_BLOCKS if found.kind == "from"]


@pytest.mark.parametrize("found", FROM_BLOCKS, ids=block_id)
def test_an_excerpt_matches_a_file_that_the_tests_use(found):
    path = ROOT / found.target
    assert path.is_file(), f"{found.where}: {found.target} does not exist"
    exercised_by = next(
        (test for prefix, test in EXERCISED.items() if found.target.startswith(prefix)), None
    )
    assert exercised_by, (
        f"{found.where}: {found.target} is not among the files the tests use "
        f"({', '.join(EXERCISED)}); quote one of those, or mark the block with a test"
    )
    assert (ROOT / exercised_by).is_file(), f"{exercised_by} is missing"
    assert excerpt_of(found, path), (
        f"{found.where}: the block is no longer a run of lines of {found.target}; copy it "
        "from the file again"
    )


TEST_BLOCKS = [found for found in ALL_BLOCKS if found.kind == "test"]


def functions(path):
    """The module-level functions of a Python file, by name, with their source."""
    source = path.read_text()
    tree = ast.parse(source)
    return {
        node.name: ast.get_source_segment(source, node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


@pytest.mark.parametrize("found", TEST_BLOCKS, ids=block_id)
def test_a_named_test_exists_and_reads_the_block(found):
    file, _sep, name = found.target.partition("::")
    path = ROOT / file
    assert path.is_file() and name, f"{found.where}: {found.target} names no test file"
    source = functions(path).get(name)
    assert source and name.startswith("test_"), f"{found.where}: {file} has no test {name}"
    # The test reads its blocks with block(guide, name, label).
    assert repr(found.guide.name).replace("'", '"') in source, (
        f"{found.where}: {name} does not read {found.guide.name}"
    )
    if found.label:
        assert f'"{found.label}"' in source, f"{found.where}: {name} does not read {found.label}"


def test_no_two_blocks_of_a_guide_have_the_same_test_and_label():
    markers = [(found.guide, found.target, found.label) for found in TEST_BLOCKS]
    assert sorted({marker for marker in markers if markers.count(marker) > 1}) == []


def test_the_readme_links_the_guides():
    index = (DOCS / "README.md").read_text()
    for guide in guides():
        if guide.name != "README.md":
            assert f"({guide.name})" in index, f"docs/README.md does not link {guide.name}"
    assert "](docs/" in (ROOT / "README.md").read_text(), "README.md does not link docs/"


# The helpers themselves.


def parse(tmp_path, text):
    guide = tmp_path / "guide.md"
    guide.write_text(textwrap.dedent(text))
    return blocks(guide)


def test_blocks_come_with_their_markers_and_without_their_indentation(tmp_path):
    found = parse(
        tmp_path,
        """\
        Text.

        <!-- from: examples/microservices/deploy.yml -->
        ```yaml
        - name: A play
        ```

        1. A step:

           <!-- test: tests/integration/test_docs.py::test_name label -->
           ```sh
           ansible-playbook deploy.yml
             --check
           ```

        ~~~text
        ```
        ~~~
        """,
    )

    assert [(b.kind, b.target, b.label, b.lang, b.text) for b in found] == [
        ("from", "examples/microservices/deploy.yml", None, "yaml", "- name: A play"),
        (
            "test",
            "tests/integration/test_docs.py::test_name",
            "label",
            "sh",
            "ansible-playbook deploy.yml\n  --check",
        ),
        (None, None, None, "text", "```"),
    ]
    assert found[1].test_name == "test_name"


def test_an_excerpt_may_be_indented_differently_from_its_file(tmp_path):
    source = tmp_path / "play.yml"
    source.write_text("- name: A play\n  module_defaults:\n    group/x:\n      region: a   \n")
    (quoted,) = parse(tmp_path, "<!-- from: x -->\n```yaml\nmodule_defaults:\n  group/x:\n```\n")
    (changed,) = parse(tmp_path, "<!-- from: x -->\n```yaml\nmodule_defaults:\n  group/y:\n```\n")

    assert excerpt_of(quoted, source)
    assert not excerpt_of(changed, source)


def output_block(text):
    return Block(pathlib.Path("guide.md"), 1, "text", textwrap.dedent(text), "test", "t", None)


OUTPUT = """\
TASK [Deploy] ***
[web] registered web:2
[api] registered api:7
[web] PRIMARY web:2 0/1 running, 1 pending
[api] deployment of api:7 COMPLETED in 3s
changed: [api.dev]
[web] (service web) has started 1 tasks: (task 52f3004d051346b1af0f91fb250f1263).
[web] deployment of web:2 COMPLETED in 12s
changed: [web.dev]

PLAY RECAP *********
web.dev                    : ok=3    changed=1    unreachable=0    failed=0
"""


@pytest.mark.parametrize(
    "text",
    [
        # Other services' lines in between; ids and durations of another run.
        """\
        [web] registered web:2
        [web] (service web) has started 1 tasks: (task 0123456789abcdef0123456789abcdef).
        [web] deployment of web:2 COMPLETED in 2s
        changed: [web.dev]
        """,
        # Services' lines are ordered by service only.
        """\
        [api] deployment of api:7 COMPLETED in 3s
        [web] registered web:2
        """,
        # ... stands for any text; spaces may differ.
        """\
        TASK [Deploy] ***
        ...
        [web] PRIMARY web:2 ... running, 1 pending
        web.dev : ok=3 changed=1 ...
        """,
    ],
)
def test_output_lines_match_the_real_output(text):
    assert unmatched_output(output_block(text), OUTPUT) is None


@pytest.mark.parametrize(
    "text, unmatched",
    [
        ("[web] registered web:3\n", "[web] registered web:3"),
        ("[web] deployment of web:2 COMPLETED\n", "[web] deployment of web:2 COMPLETED"),
        ("changed: [web.dev]\n[web] registered web:2\n", "[web] registered web:2"),
        ("[api] registered api:7\n", None),
        ("PLAY RECAP *********\nTASK [Deploy] ***\n", "TASK [Deploy] ***"),
    ],
)
def test_output_lines_that_are_not_there_or_out_of_order_do_not_match(text, unmatched):
    assert unmatched_output(output_block(text), OUTPUT) == unmatched
