"""Django's Redis cache, with a `clear()` that empties only its own keys.

Django's `RedisCache.clear()` runs FLUSHDB: every key of the Redis database,
whoever wrote it. Two test runs sharing a CI Redis (or two portals sharing a
server) would empty each other's cache. Here `clear()` deletes the keys under
this cache's KEY_PREFIX and nothing else.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache


class RedisCache(DjangoRedisCache):
    def clear(self) -> None:
        client = self._cache.get_client(None, write=True)
        # make_key() gives "<prefix>:<version>:<key>"; an empty prefix gives ":<version>:<key>".
        pattern = f"{self.key_prefix}:*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
