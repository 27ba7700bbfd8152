"""required_version: constraints on ecspresso's version (or on the collection's)."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.ecsops.ecspresso.plugins.module_utils import version
from ansible_collections.ecsops.ecspresso.plugins.module_utils.errors import DefinitionError

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_version_is_galaxy_yml_s():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())

    assert galaxy["version"] == version.COLLECTION_VERSION


@pytest.mark.parametrize(
    ("found", "constraints", "met"),
    [
        ("0.1.0", ">= 0.1.0", True),
        ("0.1.0", ">=0.1", True),
        ("0.1.0", "> 0.1.0", False),
        ("0.1.0", "< 1", True),
        ("0.1.0", ">= 0.1.0, < 0.2", True),
        ("0.1.0", ">= 2.0.0", False),
        ("0.1.0", "v0.1.0", True),
        ("0.1.0", "= 0.1.0", True),
        ("0.1.0", "!= 0.1.0", False),
        ("0.1.5", "~> 0.1", True),
        ("0.2.0", "~> 0.1", True),
        ("1.0.0", "~> 0.1", False),
        ("0.1.5", "~> 0.1.2", True),
        ("0.2.0", "~> 0.1.2", False),
        ("1.0.0-beta.1", ">= 1.0.0", False),
        ("1.0.0", "> 1.0.0-rc.1", True),
    ],
)
def test_constraints(found, constraints, met):
    assert version.satisfies(found, constraints) is met


@pytest.mark.parametrize(
    "constraints",
    [
        # Written for ecspresso v2, whose config files these are.
        ">= 2.0.0",
        ">= v2.4.1",
        "~> 2.3",
        ">= 2.1, < 3",
        "> 2.3.0, != 2.3.1, < 2.4",
        "= 2.2.0",
        ">= 1.5",
        # Written for this collection.
        ">= 0.1.0, < 1",
        "~> 0.1",
    ],
)
def test_a_constraint_that_ecspresso_v2_or_the_collection_meets_passes(constraints):
    assert version.meets_required_version(constraints)
    version.check_required_version(constraints, "ecspresso.yml")


@pytest.mark.parametrize(
    "constraints", [">= 3.0.0", ">= 1.0, < 2", "~> 1.7", "~> 0.2", ">= 2.4, < 2.4", "= 1.7.0"]
)
def test_a_constraint_neither_meets_fails_saying_which_versions_were_tried(constraints):
    with pytest.raises(DefinitionError) as caught:
        version.check_required_version(constraints, "ecspresso.yml")

    message = str(caught.value)
    assert message.startswith(
        f"ecspresso.yml: field required_version: {constraints!r} allows no ecspresso 2.x "
        "release, whose config files this collection reads, nor ecsops.ecspresso 0.1.0"
    )
    assert message.endswith('allow ecspresso 2 (such as ">= 2.0.0") or remove the key')


def test_an_unreadable_constraint_is_refused():
    with pytest.raises(DefinitionError) as caught:
        version.check_required_version(">= two", "ecspresso.yml")

    assert "field required_version: 'two' is not a version" in str(caught.value)
