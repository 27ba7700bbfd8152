# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Progress events: what the engine did, as a person watching a deploy wants to read it."""

from __future__ import annotations

import datetime

MASK = "********"


class Progress:
    """Collects events and hands each one to an optional callback as it happens.

    An event is a dict: ``time`` (ISO-8601, UTC), ``service`` and ``message``.
    ``secrets`` holds the values read through templates that must never be shown: they
    are masked in events here, and in the module's result by the module.
    """

    def __init__(self, callback=None):
        self.callback = callback
        self.events = []
        self.secrets = set()

    def emit(self, service, message):
        """Record one event and pass it on."""
        event = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "service": service,
            "message": mask(message, self.secrets),
        }
        self.events.append(event)
        if self.callback is not None:
            self.callback(event)


def mask(text, secrets):
    """``text`` with every secret in it replaced by asterisks, longest first."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = str(text).replace(secret, MASK)
    return text
