"""Shared test set-up: the collection on sys.path, the local AWS, and boto3 clients."""

from __future__ import annotations

import contextlib
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLLECTIONS = ROOT / ".build" / "collections"
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"


def _link_collection():
    """Make ``ansible_collections.ecsops.ecspresso`` importable from the working tree."""
    link = COLLECTIONS / "ansible_collections" / "ecsops" / "ecspresso"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        # Another pytest worker may make it first.
        with contextlib.suppress(FileExistsError):
            link.symlink_to(ROOT)
    if str(COLLECTIONS) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS))
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)


_link_collection()


@pytest.fixture(scope="session")
def localaws():
    """A local AWS for this test process, with rollouts and tasks turned down to under a second."""
    from tests.localaws import LocalAWS

    server = LocalAWS(rollout_seconds=0.4, task_seconds=0.4)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def aws(localaws):
    """A clean local AWS and the settings a module or a boto3 client needs to reach it."""
    localaws.reset()
    localaws.rollout_seconds = 0.4
    localaws.task_seconds = 0.4
    return AwsTarget(localaws)


class AwsTarget:
    """Connection settings for the local AWS, and boto3 clients made from them."""

    region = "us-east-1"

    def __init__(self, server):
        self.server = server
        self.endpoint_url = server.endpoint_url

    @property
    def options(self):
        """The module options that point at the local AWS."""
        return {
            "region": self.region,
            "endpoint_url": self.endpoint_url,
            "access_key": "testing",
            "secret_key": "testing",
        }

    def client(self, name):
        """A boto3 client for the local AWS."""
        import boto3

        return boto3.client(
            name,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def mutating_calls(self):
        """Calls received that change something in ECS, by action."""
        return {
            action: count
            for action, count in self.server.calls().items()
            if action.split(":")[-1].startswith(("Register", "Create", "Update", "Delete", "Tag"))
        }


@pytest.fixture
def shared_fixtures():
    """The folder of shared real-world input, or a skip that says why it is missing."""
    if not FIXTURES.is_dir():
        pytest.skip(f"{FIXTURES} is absent: these tests read real input from ../shared")
    return FIXTURES
