"""The collection as users get it: built with ansible-galaxy, installed from the tarball."""

from __future__ import annotations

import os
import pathlib
import shutil
import sys
import tarfile

import pytest

from tests.integration.commands import run
from tests.integration.test_example import ALL_SERVICES, RECAP, services
from tests.localaws.seed import apply_seed, load_seed

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
# What a working tree collects that has no place in the collection, planted in the copy
# that is built so that build_ignore is tested whether or not this checkout has them.
DEBRIS = [
    ".venv/bin/python",
    ".build/collections/ansible_collections/ecsops/ecspresso/galaxy.yml",
    ".ci/run",
    ".pytest_cache/v/cache/lastfailed",
    ".ruff_cache/0.17.5/123",
    ".ansible/collections/ansible_collections/ecsops/ecspresso/galaxy.yml",
    "plugins/module_utils/__pycache__/deploy.cpython-311.pyc",
    "tests/unit/.pytest_cache/v/cache/nodeids",
    "examples/microservices/.ansible/tmp/x",
    "bench/results/run-1.json",
    "changelogs/.plugin-cache.yaml",
    "ecsops-ecspresso-0.0.9.tar.gz",
    "tests/output/junit/sanity.xml",
]
DEBRIS_PARTS = {".venv", ".build", ".ci", ".git", ".pytest_cache", ".ruff_cache", ".ansible"}


def debris_in(names):
    """The members of a collection tarball that are build debris."""
    return sorted(
        name
        for name in names
        if DEBRIS_PARTS & set(pathlib.PurePosixPath(name).parts)
        or "__pycache__" in name
        or name.endswith((".pyc", ".tar.gz", ".plugin-cache.yaml"))
        or name.startswith(("bench/", "tests/output/"))
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection built from a copy of the working tree with debris in it, and installed
    from the tarball into an empty collections path; returns (tarball, collections path)."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "src" / "ecspresso"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".build", ".git", "__pycache__", "*_cache"),
    )
    for name in DEBRIS:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("debris\n")

    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", work / "dist", source])
    (tarball,) = (work / "dist").glob("ecsops-ecspresso-*.tar.gz")
    collections = work / "collections"
    run(
        [BIN / "ansible-galaxy", "collection", "install", "--offline", tarball, "-p", collections],
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections)),
    )
    return tarball, collections


def test_the_tarball_holds_the_collection_and_no_debris(installed):
    tarball, _collections = installed

    with tarfile.open(tarball) as archive:
        names = archive.getnames()

    assert debris_in(names) == []
    for name in [
        "MANIFEST.json",
        "FILES.json",
        "meta/runtime.yml",
        "plugins/modules/ecspresso_deploy.py",
        "plugins/action/ecspresso_deploy.py",
        "roles/service/tasks/main.yml",
        "playbooks/deploy.yml",
        "examples/microservices/deploy.yml",
        "requirements.txt",
        "CHANGELOG.md",
    ]:
        assert name in names


def test_the_example_deploys_with_the_installed_collection_and_then_changes_nothing(
    installed, aws, tmp_path
):
    _tarball, collections = installed
    installed_copy = collections / "ansible_collections" / "ecsops" / "ecspresso"
    example = tmp_path / "microservices"
    shutil.copytree(installed_copy / "examples" / "microservices", example)
    apply_seed(load_seed(example / "localaws-seed.yml"))
    # The environment wins over the example's ansible.cfg: only the installed copy is found.
    env = dict(
        os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="0"
    )

    listed = run(
        [BIN / "ansible-galaxy", "collection", "list", "ecsops.ecspresso"], cwd=example, env=env
    )
    assert str(collections / "ansible_collections") in listed.stdout
    assert str(ROOT) not in listed.stdout

    def deploy():
        completed = run(
            [BIN / "ansible-playbook", "deploy.yml", "-e", "env=dev"]
            + ["-e", f"local_aws_endpoint={aws.endpoint_url}"],
            cwd=example,
            env=env,
        )
        recap = {
            host: int(changed) for host, _ok, changed, _u, _f in RECAP.findall(completed.stdout)
        }
        return completed.stdout, recap

    output, recap = deploy()
    assert recap == {
        "auth-service.dev": 1,
        "user-service.dev": 1,
        "payment-service.dev": 1,
        "api-gateway.dev": 1,
    }, output
    assert "[auth-service] deployment of dev-auth-service:1 COMPLETED in" in output
    assert sorted(services(aws)) == ALL_SERVICES

    aws.server.reset_calls()
    output, recap = deploy()
    assert set(recap.values()) == {0}, output
    assert aws.mutating_calls() == {}
