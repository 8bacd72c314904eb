"""Django's Redis cache, with one client per connection pool instead of one per call.

The stock backend builds a new ``redis.Redis`` around its pool for every operation.
A client holds no connection of its own (each command borrows one from the pool)
and is safe to share between threads, so building it once per pool gives the same
behaviour; serving reads its markers on every request, where the construction
cost more than the round trip.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class _SharedClients(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._client(connection_pool=self._pools[index])
            self._clients[index] = client
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _SharedClients
