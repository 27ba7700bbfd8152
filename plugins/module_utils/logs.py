# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading a task's CloudWatch Logs as it writes them (the awslogs log driver)."""

from __future__ import annotations

import collections

from .aws import call, error_code
from .errors import AwsCallError


class LogStream:
    """One container's awslogs stream: ``<prefix>/<container>/<task id>`` in its group.

    ``read`` returns the lines written since the last read, each once, oldest first; the
    last ``keep`` lines stay in ``tail``.
    """

    def __init__(self, client, group, stream, keep):
        self.client = client
        self.group = group
        self.stream = stream
        self.token = None
        self.tail = collections.deque(maxlen=max(keep, 1))

    def read(self):
        lines = []
        while True:
            params = {"logGroupName": self.group, "logStreamName": self.stream}
            if self.token:
                params["nextToken"] = self.token
            else:
                params["startFromHead"] = True
            try:
                page = call(
                    f"read log stream {self.stream} of {self.group}",
                    self.client.get_log_events,
                    **params,
                )
            except AwsCallError as exc:
                # The stream appears with the container's first line.
                if error_code(exc) == "ResourceNotFoundException":
                    return lines
                raise
            lines.extend(event.get("message", "") for event in page.get("events", []))
            token = page.get("nextForwardToken")
            if not token or token == self.token:
                break
            self.token = token
        self.tail.extend(lines)
        return lines


def awslogs_streams(session, task_definition, task_id, keep):
    """A LogStream per container that logs through awslogs with a stream prefix."""
    streams = {}
    for container in task_definition.get("containerDefinitions", []):
        log = container.get("logConfiguration") or {}
        options = log.get("options") or {}
        if log.get("logDriver") != "awslogs" or not options.get("awslogs-stream-prefix"):
            continue
        client = session.client("logs", region=options.get("awslogs-region"))
        stream = f"{options['awslogs-stream-prefix']}/{container['name']}/{task_id}"
        streams[container["name"]] = LogStream(client, options.get("awslogs-group"), stream, keep)
    return streams
