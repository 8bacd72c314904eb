"""The Redis cache backend builds its client once per connection pool."""

from __future__ import annotations

from django.conf import settings

from console.cache import RedisCache


def test_one_client_serves_every_call_of_a_single_server():
    # Building clients opens no connection, so no server needs to listen here.
    cache = RedisCache("redis://127.0.0.1:1/0", {})
    client = cache._cache.get_client()

    assert cache._cache.get_client("some-key") is client
    assert cache._cache.get_client(write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(False)


def test_reads_spread_over_replicas_each_with_its_own_client():
    servers = [
        "redis://127.0.0.1:1/0",
        "redis://127.0.0.1:2/0",
        "redis://127.0.0.1:3/0",
    ]
    cache = RedisCache(",".join(servers), {})
    writer = cache._cache.get_client(write=True)
    readers = {id(cache._cache.get_client()) for _ in range(60)}

    assert writer.connection_pool.connection_kwargs["port"] == 1
    assert len(readers) == 2  # the two replicas, never the primary
    assert id(writer) not in readers


def test_the_configured_cache_round_trips():
    from django.core.cache import cache

    backend = settings.CACHES["default"]["BACKEND"]
    expected = "console.cache.RedisCache" if settings.REDIS else "locmem.LocMemCache"
    assert backend.endswith(expected)
    cache.set("backend-check", 41)
    assert cache.get("backend-check") == 41
    assert cache.get_many(["backend-check", "absent"]) == {"backend-check": 41}
