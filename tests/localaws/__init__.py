"""The local AWS: moto's server with documented extensions where moto is unlike ECS."""

from .server import LocalAWS

__all__ = ["LocalAWS"]
