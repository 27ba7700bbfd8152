"""The example execution environment: the build context ansible-builder makes from it.

No container engine runs here, so the image is not built. The context is checked instead,
and its two steps that matter to this collection are run as its Containerfile runs them:
installing the collection from requirements.yml, and listing the Python packages the
installed collections need.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys

import yaml

from tests.integration.commands import run

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def requirements(path):
    """The requirement lines of a pip requirements file, without comments."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_ansible_builder_makes_a_context_that_installs_the_collection_and_its_requirements(
    tmp_path,
):
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    awx = tmp_path / "awx"
    shutil.copytree(ROOT / "examples" / "awx", awx)
    assert f"ecsops-ecspresso-{version}.tar.gz" in (awx / "execution-environment.yml").read_text()
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", awx, ROOT])
    context = tmp_path / "context"

    run(
        [BIN / "ansible-builder", "create", "--file", "execution-environment.yml"]
        + ["--context", context, "--output-filename", "Containerfile"],
        cwd=awx,
    )

    containerfile = (context / "Containerfile").read_text()
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==2.19.14 ansible-runner==' in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS" in containerfile
    assert "introspect.py introspect --write-bindep" in containerfile
    build = context / "_build"
    assert (build / "collections" / f"ecsops-ecspresso-{version}.tar.gz").is_file()

    # The galaxy stage: in /build (the context's _build), from its requirements.yml.
    collections = tmp_path / "usr-share-ansible" / "collections"
    run(
        [BIN / "ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml"]
        + ["--collections-path", collections],
        cwd=build,
        # As in the image: no other copy of the collection to find it already installed.
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections)),
    )
    manifest = collections / "ansible_collections" / "ecsops" / "ecspresso" / "MANIFEST.json"
    assert json.loads(manifest.read_text())["collection_info"]["version"] == version

    # The builder stage: the Python packages the installed collections ask for, through
    # meta/execution-environment.yml (PyYAML comes with ansible-core and is left out).
    wanted = tmp_path / "requirements.txt"
    run(
        [sys.executable, build / "scripts" / "introspect.py", "introspect", collections]
        + ["--write-pip", wanted, "--write-bindep", tmp_path / "bindep.txt"]
    )
    expected = [
        line for line in requirements(ROOT / "requirements.txt") if not line.startswith("PyYAML")
    ]
    assert expected and sorted(requirements(wanted)) == sorted(expected)
    assert all(
        line.endswith("# from collection ecsops.ecspresso")
        for line in wanted.read_text().splitlines()
        if line.strip()
    )
