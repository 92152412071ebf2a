"""Settings for more than one machine: the shared cache, PgBouncer, the broker's retries."""

from .test_settings import run

SHOW = (
    "from django.conf import settings as s; d = s.DATABASES['default']; c = s.CACHES['default'];"
    "print(c['BACKEND'], c.get('LOCATION', '-'), c['KEY_PREFIX'], d.get('CONN_MAX_AGE'),"
    " d.get('DISABLE_SERVER_SIDE_CURSORS', False), d.get('CONN_HEALTH_CHECKS', False),"
    " s.CELERY_BROKER_CONNECTION_MAX_RETRIES)"
)


def show(**env):
    result = run("shell", "--no-imports", "-c", SHOW, DJANGO_SECRET_KEY="k" * 50, **({"CACHE_KEY_PREFIX": ""} | env))
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_redis_url_gives_a_shared_cache_in_the_next_database_and_retries_forever():
    assert show(DATABASE_URL="postgres://u@db.example:5432/cchc", REDIS_URL="redis://r.example:6379/2") == [
        "common.cache.RedisCache", "redis://r.example:6379/3", "cchc", "60", "False", "True", "None"]


def test_an_explicit_cache_url_and_prefix_win():
    assert show(REDIS_URL="redis://r:6379", REDIS_CACHE_URL="redis://c:6379/9", CACHE_KEY_PREFIX="p1")[:3] == [
        "common.cache.RedisCache", "redis://c:6379/9", "p1"]


def test_without_redis_a_process_cache_and_debug_gives_up_after_ten_broker_retries():
    values = show(DJANGO_DEBUG="true")
    assert values[0] == "django.core.cache.backends.locmem.LocMemCache"
    assert values[-1] == "10"


def test_pgbouncer_turns_off_server_side_cursors_and_persistent_connections():
    values = show(DATABASE_URL="postgres://u@pgb.example:6432/cchc", DATABASE_POOLER="pgbouncer")
    assert values[3:6] == ["0", "True", "True"]


def test_an_unknown_pooler_fails_at_boot():
    result = run("check", DJANGO_DEBUG="true", DATABASE_POOLER="pgpool")
    assert result.returncode != 0 and "DATABASE_POOLER='pgpool'" in result.stderr
