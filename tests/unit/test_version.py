"""required_version: constraints checked against the collection's version."""

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


def test_an_unmet_constraint_says_whose_version_is_checked():
    with pytest.raises(DefinitionError) as caught:
        version.check_required_version(">= 2.0.0", "ecspresso.yml")

    message = str(caught.value)
    assert message.startswith("ecspresso.yml: field required_version: ecsops.ecspresso 0.1.0")
    assert "not ecspresso's" in message


def test_an_unreadable_constraint_is_refused():
    with pytest.raises(DefinitionError) as caught:
        version.check_required_version(">= two", "ecspresso.yml")

    assert "field required_version: 'two' is not a version" in str(caught.value)
