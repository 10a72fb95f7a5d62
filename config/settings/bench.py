"""Benchmarks that run the product as deployed (bench/hammer.py): the test settings' keys and
queue names, but the limits a listener really meets (throttle rates, the regeneration cooldown)."""

from config.settings.test import *  # noqa: F403 - first: it sets the keys base needs

from config.settings import base as _deployed  # noqa: E402 - already loaded by the line above

THROTTLE_RATES = dict(_deployed.THROTTLE_RATES)
INSIGHT_REGENERATE_COOLDOWN = _deployed.INSIGHT_REGENERATE_COOLDOWN
