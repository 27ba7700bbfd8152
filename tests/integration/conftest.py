"""Fixtures of the integration tests."""

from __future__ import annotations

from tests.integration.web_service import cluster

__all__ = ["cluster"]
