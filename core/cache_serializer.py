"""What the Redis cache stores: JSON, never pickle.

django-redis pickles by default, and unpickling runs code: whoever can write to the cache's Redis
(a neighbour on its network, a leaked password) could then run code in every web process and
worker. JSON only ever gives back data. Every value the code caches is plain data for that reason
(strings, numbers, booleans, None, lists and dicts with string keys); a tuple comes back as a list.

Stricter than django-redis's own JSONSerializer, which turns a datetime or a Decimal into a string
without a word: here such a value is refused when it is written (TypeError), so a test finds it,
rather than read back as a string where the code expected a datetime.

The database cache (no REDIS_URL) pickles whatever this says, as Django's does: its table is
written only by us, and whoever can write there holds the database already.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django_redis.serializers.json import JSONSerializer

logger = logging.getLogger(__name__)


class StrictJSONSerializer(JSONSerializer):
    encoder_class = json.JSONEncoder

    def loads(self, value: bytes) -> Any:
        try:
            return json.loads(value.decode())
        except ValueError:  # UnicodeDecodeError and JSONDecodeError both are
            # A value this does not read (one pickled before the cache changed to JSON): a miss,
            # never an error in the request that met it. It is replaced when next written.
            logger.warning("A cache value that is not JSON was ignored (read as a miss).")
            return None
