# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Progress events: what the engine did, as a person watching a deploy wants to read it."""

from __future__ import annotations

import datetime


class Progress:
    """Collects events and hands each one to an optional callback as it happens.

    An event is a dict: ``time`` (ISO-8601, UTC), ``service`` and ``message``.
    """

    def __init__(self, callback=None):
        self.callback = callback
        self.events = []

    def emit(self, service, message):
        """Record one event and pass it on."""
        event = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "service": service,
            "message": message,
        }
        self.events.append(event)
        if self.callback is not None:
            self.callback(event)
