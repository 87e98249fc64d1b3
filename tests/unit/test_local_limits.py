"""The worker's in-memory moving window decides as the `limits` library does, inline."""

import asyncio
import random

import pytest
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.storage import memory as library_memory
from limits.aio.strategies import MovingWindowRateLimiter

from erp_engine.ops import local_limits
from erp_engine.ops.local_limits import LocalMemoryStorage


class Clock:
    """A `time` module for the storages whose time.time() the test sets."""

    def __init__(self):
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now


def set_clock(monkeypatch) -> Clock:
    clock = Clock()
    for module in (library_memory, local_limits):
        monkeypatch.setattr(module, "time", clock)
    return clock


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return set_clock(monkeypatch)


@pytest.fixture
def no_threads(monkeypatch):
    async def refuse(*_args, **_kwargs):
        raise AssertionError("a hit went to a thread")

    monkeypatch.setattr(asyncio, "to_thread", refuse)


async def test_decides_as_the_library_on_a_random_run(clock, no_threads, monkeypatch):
    limit = parse("5/10 seconds")
    ours = MovingWindowRateLimiter(LocalMemoryStorage())
    rng = random.Random(7)
    decisions = []
    for _ in range(400):
        clock.now += rng.choice([0.0, 0.3, 1.1, 2.5, 7.0])
        key = rng.choice(["a", "b"])
        allowed = await ours.hit(limit, key)
        stats = await ours.get_window_stats(limit, key)
        decisions.append((allowed, stats.remaining, round(stats.reset_time, 6)))

    monkeypatch.undo()  # the library's storage hands its expiry to a thread: let it
    clock = set_clock(monkeypatch)
    theirs = MovingWindowRateLimiter(MemoryStorage())
    rng = random.Random(7)
    expected = []
    for _ in range(400):
        clock.now += rng.choice([0.0, 0.3, 1.1, 2.5, 7.0])
        key = rng.choice(["a", "b"])
        allowed = await theirs.hit(limit, key)
        stats = await theirs.get_window_stats(limit, key)
        expected.append((allowed, stats.remaining, round(stats.reset_time, 6)))
        await theirs.storage.timer  # its expiry in a thread: over before the next hit
    assert decisions == expected
    assert {allowed for allowed, _, _ in decisions} == {True, False}


async def test_refuses_past_the_limit_and_lets_in_as_the_window_moves(clock, no_threads):
    limit = parse("3/minute")
    limiter = MovingWindowRateLimiter(LocalMemoryStorage())
    for _ in range(3):
        assert await limiter.hit(limit, "user")
        clock.now += 10
    assert not await limiter.hit(limit, "user")
    assert not await limiter.test(limit, "user")
    assert await limiter.hit(limit, "other")  # each key its own window
    clock.now += 31  # the first hit (61 s ago) has left the window
    assert await limiter.test(limit, "user")
    assert await limiter.hit(limit, "user")
    assert not await limiter.hit(limit, "user")


async def test_a_window_keeps_no_more_entries_than_its_limit(clock, no_threads):
    storage = LocalMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    limit = parse("4/second")
    for _ in range(50):
        await limiter.hit(limit, "busy")
        clock.now += 0.1
    assert len(storage.events[limit.key_for("busy")]) == 4


async def test_keys_nobody_hits_are_forgotten(clock, no_threads, monkeypatch):
    monkeypatch.setattr(local_limits, "SWEEP_EVERY_S", 60.0)
    storage = LocalMemoryStorage()  # first sweep at 60 s
    limiter = MovingWindowRateLimiter(storage)
    limit = parse("10/minute")
    await limiter.hit(limit, "gone")  # in the window until 60 s
    clock.now += 50
    await limiter.hit(limit, "still here")  # until 110 s
    clock.now += 15
    await limiter.hit(limit, "new")  # at 65 s: the sweep runs
    assert set(storage.events) == {limit.key_for("still here"), limit.key_for("new")}


async def test_a_counter_beside_a_window_never_costs_it_an_entry(monkeypatch):
    """The library's expiry task read a window, awaited a thread, and wrote the window back
    as it had read it: a hit in between pushed the oldest entry out. A counter (the logins in
    progress) started that task; it must not run here."""
    out_in_a_thread = asyncio.Event()
    back = asyncio.Event()

    async def slow_thread(function, *args, **kwargs):
        result = function(*args, **kwargs)  # reads the window as it is now
        out_in_a_thread.set()
        await back.wait()
        return result

    monkeypatch.setattr(asyncio, "to_thread", slow_thread)
    limiter = MovingWindowRateLimiter(LocalMemoryStorage())
    limit = parse("3/hour")
    assert await limiter.hit(limit, "account")
    await limiter.storage.incr("account/running", 3600)
    # Give a scheduled expiry task every chance to reach its thread.
    for _ in range(5):
        await asyncio.sleep(0)
    assert await limiter.hit(limit, "account")
    back.set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert (await limiter.get_window_stats(limit, "account")).remaining == 1  # both hits
    assert not out_in_a_thread.is_set()


async def test_counters_past_their_expiry_are_forgotten(clock, no_threads, monkeypatch):
    monkeypatch.setattr(local_limits, "SWEEP_EVERY_S", 60.0)
    storage = LocalMemoryStorage()
    await storage.incr("gone/running", 30)
    await storage.incr("kept/running", 3600)
    clock.now += 61
    await MovingWindowRateLimiter(storage).hit(parse("1/minute"), "someone")  # sweeps
    assert set(storage.storage) == {"kept/running"}
    assert await storage.get("kept/running") == 1
