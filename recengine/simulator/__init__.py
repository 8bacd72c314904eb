"""A live-commerce platform with a known ground truth, for tests, audits and demos.

``simulate`` draws viewers, anchors, merchants, products and live rooms from one
seeded numpy Generator, writes them through the catalogue write path, replays days
of traffic through the real serving code, and records what it planted.
"""

from recengine.simulator.config import SimulationConfig, SimulationRefused
from recengine.simulator.runner import platform_exists, simulate

__all__ = ["SimulationConfig", "SimulationRefused", "platform_exists", "simulate"]
