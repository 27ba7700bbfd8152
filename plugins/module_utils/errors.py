# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ecsops.ecspresso contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Exception types of the deploy engine.

Each layer raises one of these; the Ansible modules turn them into ``fail_json``
at the edge, so the engine never needs to know how it is being called.
"""

from __future__ import annotations


class EcspressoError(Exception):
    """Base of every error the engine raises on purpose."""

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class DefinitionError(EcspressoError):
    """Bad input: a file, a field or a value the user has to fix before anything is sent."""

    def __init__(self, source, problem, fix=None, field=None):
        text = f"{source}: {problem}"
        if fix:
            text = f"{text}; {fix}"
        super().__init__(text, source=source, field=field, fix=fix)
        self.source = source
        self.field = field


class AwsCallError(EcspressoError):
    """An AWS call failed; the message says what was being done and why it failed."""


class RolloutError(EcspressoError):
    """A deployment did not reach its goal: it failed, was rolled back or timed out."""

    def __init__(self, message, reason, service_events=None, **details):
        super().__init__(message, reason=reason, **details)
        self.reason = reason
        self.service_events = service_events or []


class LookupFailed(EcspressoError):
    """A template function could not produce its value: a variable, a Terraform state
    value, a parameter or an output is missing or unreadable."""

    def __init__(self, message, fix=None):
        super().__init__(message, fix=fix)
        self.fix = fix
