"""Running commands in the packaging tests: a failure shows the command's output."""

from __future__ import annotations

import subprocess


def run(command, **kwargs):
    """Run ``command`` (parts may be paths); fail with its output unless it succeeds."""
    completed = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed
