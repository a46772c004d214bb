"""The per-version page-part cache: kept while the data stands still, gone when it moves on."""

from __future__ import annotations

import threading

from kpiboard.web.fragments import FragmentCache


def renderer(text: str, calls: list[str]):
    def render() -> str:
        calls.append(text)
        return text

    return render


def test_fragments_second_read_at_same_version_is_not_rendered_again():
    cache, calls = FragmentCache(1000), []
    assert cache.get_or_render(1, "a", renderer("<p>A</p>", calls)) == "<p>A</p>"
    assert cache.get_or_render(1, "a", renderer("<p>other</p>", calls)) == "<p>A</p>"
    assert calls == ["<p>A</p>"]
    assert (cache.hits, cache.misses) == (1, 1)


def test_fragments_newer_version_empties_the_cache():
    cache, calls = FragmentCache(1000), []
    cache.get_or_render(1, "a", renderer("old", calls))
    cache.get_or_render(1, "b", renderer("old b", calls))
    assert cache.get_or_render(2, "a", renderer("new", calls)) == "new"
    assert len(cache) == 1 and calls == ["old", "old b", "new"]


def test_fragments_older_version_is_rendered_but_not_kept():
    # A request that read the version just before a write finishes late: it gets its own page,
    # and the newer pages stay.
    cache, calls = FragmentCache(1000), []
    cache.get_or_render(5, "a", renderer("v5", calls))
    assert cache.get_or_render(4, "a", renderer("v4", calls)) == "v4"
    assert cache.get_or_render(5, "a", renderer("again", calls)) == "v5"


def test_fragments_least_recently_used_go_first_when_full():
    cache, calls = FragmentCache(10), []
    cache.get_or_render(1, "a", renderer("aaaa", calls))
    cache.get_or_render(1, "b", renderer("bbbb", calls))
    cache.get_or_render(1, "a", renderer("x", calls))  # a is now the most recently used
    cache.get_or_render(1, "c", renderer("cccc", calls))  # 12 characters: b goes
    assert len(cache) == 2 and cache.size == 8
    cache.get_or_render(1, "a", renderer("x", calls))
    cache.get_or_render(1, "b", renderer("bbbb", calls))
    assert calls == ["aaaa", "bbbb", "cccc", "bbbb"]


def test_fragments_part_larger_than_the_cache_is_served_not_kept():
    cache, calls = FragmentCache(3), []
    assert cache.get_or_render(1, "a", renderer("too long", calls)) == "too long"
    assert len(cache) == 0 and cache.size == 0


def test_fragments_size_zero_keeps_nothing():
    cache, calls = FragmentCache(0), []
    cache.get_or_render(1, "a", renderer("x", calls))
    cache.get_or_render(1, "a", renderer("x", calls))
    assert calls == ["x", "x"] and len(cache) == 0


def test_fragments_result_is_safe_html():
    cache = FragmentCache(100)
    assert hasattr(cache.get_or_render(1, "a", lambda: "<b>x</b>"), "__html__")


def test_fragments_clear_forgets_everything_including_the_version():
    cache, calls = FragmentCache(100), []
    cache.get_or_render(7, "a", renderer("v7", calls))
    cache.clear()
    assert len(cache) == 0 and cache.size == 0
    assert cache.get_or_render(3, "a", renderer("v3", calls)) == "v3"  # a reset database
    assert cache.get_or_render(3, "a", renderer("again", calls)) == "v3"


def test_fragments_threads_reading_at_once_all_get_the_part():
    cache = FragmentCache(10_000)
    results, start = [], threading.Barrier(8)

    def read():
        start.wait()
        for _ in range(200):
            results.append(str(cache.get_or_render(1, "k", lambda: "part")))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["part"] * 1600
    assert len(cache) == 1 and cache.size == 4
