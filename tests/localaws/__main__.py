"""Serve the local AWS in the foreground: ``python -m tests.localaws --port 4566``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from .seed import apply_seed, load_seed
from .server import LocalAWS
from .settings import (
    CODEDEPLOY_SECONDS_ENV,
    ROLLOUT_SECONDS_ENV,
    TASK_SECONDS_ENV,
    default_codedeploy_seconds,
    default_rollout_seconds,
    default_task_seconds,
    parse_seconds,
)


def seconds(text: str) -> float:
    """An argparse type for a duration in seconds, zero or more."""
    try:
        return parse_seconds(text, "the value")
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.localaws", description="Serve the local AWS until stopped."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=4566, help="port; 0 picks a free one (4566)")
    parser.add_argument(
        "--rollout-seconds",
        type=seconds,
        default=None,
        help=f"how long a deployment takes (${ROLLOUT_SECONDS_ENV}, else 5)",
    )
    parser.add_argument(
        "--task-seconds",
        type=seconds,
        default=None,
        help="how long a task that RunTask starts takes to start (a quarter) and run "
        f"(${TASK_SECONDS_ENV}, else 2)",
    )
    parser.add_argument(
        "--codedeploy-seconds",
        type=seconds,
        default=None,
        help="how long a CodeDeploy blue/green deployment takes "
        f"(${CODEDEPLOY_SECONDS_ENV}, else the rollout time)",
    )
    parser.add_argument(
        "--seed",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML file of clusters, subnets and security groups to create at start "
        "(see seed.py); may be given more than once",
    )
    args = parser.parse_args(argv)
    for name, variable, default in (
        ("rollout_seconds", ROLLOUT_SECONDS_ENV, default_rollout_seconds),
        ("task_seconds", TASK_SECONDS_ENV, default_task_seconds),
        ("codedeploy_seconds", CODEDEPLOY_SECONDS_ENV, default_codedeploy_seconds),
    ):
        if getattr(args, name) is None:
            try:
                setattr(args, name, default())
            except ValueError as error:
                parser.error(f"{variable}: {error}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT, then stop cleanly."""
    args = parse_args(argv)
    stopping = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    local_aws = LocalAWS(
        args.host, args.port, args.rollout_seconds, args.task_seconds, args.codedeploy_seconds
    ).start()
    for path in args.seed:
        apply_seed(load_seed(path))
    print(f"local AWS listening on {local_aws.endpoint_url}", flush=True)
    # A timed wait keeps the main thread returning to Python, where signal handlers run.
    while not stopping.wait(0.5):
        pass
    local_aws.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
