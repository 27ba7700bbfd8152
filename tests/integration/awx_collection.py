"""The awx.awx collection, installed offline for checking the example job template.

awx.awx is not on PyPI by itself, but the Ansible community package bundles it (in
releases up to 12, the last that runs on Python 3.11). This downloads that package from
PyPI without its dependencies, extracts awx.awx alone into ``.build/collections`` (where
the tests and ``make lint`` find collections) and drops the rest. The version installed
is the one ``examples/awx/requirements.yml`` asks for: a download that brings another
fails, naming both. Nothing is done when that version is there already.

    python -m tests.integration.awx_collection
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "examples" / "awx" / "requirements.yml"
COLLECTIONS = ROOT / ".build" / "collections"
# The Ansible community release that bundles the awx.awx version requirements.yml names.
ANSIBLE_PACKAGE = "ansible==12.3.0"
MEMBERS = "ansible_collections/awx/awx/"


def wanted_version(requirements=REQUIREMENTS):
    """The awx.awx version that requirements.yml pins."""
    for entry in yaml.safe_load(requirements.read_text())["collections"]:
        if entry["name"] == "awx.awx":
            return str(entry["version"])
    raise LookupError(f"{requirements} names no awx.awx version")


def installed_version(collections=COLLECTIONS):
    """The version of awx.awx in ``collections``, or None."""
    manifest = collections / MEMBERS / "MANIFEST.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text())["collection_info"]["version"]


def install(collections=COLLECTIONS):
    """Install awx.awx into ``collections`` unless the wanted version is there; returns
    its folder. Safe to call from several processes at once."""
    version = wanted_version()
    target = collections / MEMBERS
    if installed_version(collections) == version:
        return target
    collections.mkdir(parents=True, exist_ok=True)
    # On the same file system as the target, so that the last step is one rename.
    with tempfile.TemporaryDirectory(dir=collections.parent, prefix="awx-download-") as work:
        work = pathlib.Path(work)
        completed = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
            + ["--only-binary", ":all:", "--dest", str(work / "wheel"), ANSIBLE_PACKAGE],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"pip download {ANSIBLE_PACKAGE} failed:\n{completed.stdout}{completed.stderr}"
            )
        (wheel,) = (work / "wheel").glob("ansible-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            members = [name for name in archive.namelist() if name.startswith(MEMBERS)]
            archive.extractall(work / "tree", members)
        found = installed_version(work / "tree")
        if found != version:
            raise RuntimeError(
                f"{ANSIBLE_PACKAGE} bundles awx.awx {found}, {REQUIREMENTS.name} asks for "
                f"{version}: pick the Ansible release that bundles it"
            )
        if installed_version(collections) == version:
            return target  # another process installed it meanwhile
        if target.exists():
            shutil.rmtree(target)  # another version
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(work / "tree" / MEMBERS, target)
        except OSError:
            # Another process installed it first.
            if installed_version(collections) != version:
                raise
    return target


if __name__ == "__main__":
    print(f"awx.awx {wanted_version()} in {install()}")
