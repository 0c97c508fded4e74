"""The persistent prefix cache as a folder of files: keys, integrity, atomic writes, bounds."""

import os
import time

import pytest

from emrwriter.engine import prefix_cache
from emrwriter.engine.prefix_cache import MAGIC, PrefixCache, default_cache_dir, model_identity

TOKENS = list(range(1, 301))
STATE = bytes(range(256)) * 40  # 10 KiB of "state"


def _put(cache, tokens=TOKENS, state=STATE, settings=None):
    key = PrefixCache.key("model-a", settings or {"type_k": None}, tokens)
    return key, cache.put(key, tokens, bytearray(state))


def test_an_entry_comes_back_whole_and_counts_a_hit(tmp_path):
    cache = PrefixCache(tmp_path / "cache")  # created on first write
    key, path = _put(cache)
    assert path.is_file() and path.parent == tmp_path / "cache"
    entry = cache.get(key, TOKENS)
    assert entry is not None and bytes(entry.state) == STATE and entry.tokens == TOKENS
    assert (cache.stats.hits, cache.stats.misses, cache.stats.writes) == (1, 0, 1)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")], "no temporary file is left behind"


def test_the_key_covers_model_settings_and_every_token(tmp_path):
    base = PrefixCache.key("model-a", {"type_k": None}, TOKENS)
    assert base == PrefixCache.key("model-a", {"type_k": None}, list(TOKENS))
    assert base != PrefixCache.key("model-b", {"type_k": None}, TOKENS)
    assert base != PrefixCache.key("model-a", {"type_k": 8}, TOKENS)
    assert base != PrefixCache.key("model-a", {"type_k": None}, TOKENS[:-1] + [999])
    cache = PrefixCache(tmp_path)
    _put(cache)
    assert cache.get(PrefixCache.key("model-b", {"type_k": None}, TOKENS), TOKENS) is None
    assert cache.stats.misses == 1


@pytest.mark.parametrize("damage", ["flip_state", "flip_tokens", "truncate", "magic", "header", "empty", "extra"])
def test_a_damaged_entry_is_ignored_and_deleted(tmp_path, damage):
    cache = PrefixCache(tmp_path)
    key, path = _put(cache)
    data = bytearray(path.read_bytes())
    if damage == "flip_state":
        data[-100] ^= 0xFF
    elif damage == "flip_tokens":
        data[-len(STATE) - 8] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "magic":
        data[:8] = b"NOTMAGIC"
    elif damage == "header":
        data[14:20] = b"\xff" * 6
    elif damage == "empty":
        data = bytearray()
    elif damage == "extra":
        data += b"x"
    path.write_bytes(bytes(data))
    assert cache.get(key, TOKENS) is None
    assert cache.stats.corrupt == 1 and cache.stats.hits == 0
    assert not path.exists()
    _put(cache)  # and the next write replaces it
    assert cache.get(key, TOKENS) is not None


def test_the_folder_stays_within_its_bound_dropping_least_recently_used(tmp_path):
    one = len(MAGIC) + 4 + 4 * len(TOKENS) + len(STATE) + 400  # an entry, with room for its header
    cache = PrefixCache(tmp_path, max_bytes=3 * one)
    keys = []
    for n in range(5):
        tokens = TOKENS + [1000 + n]
        key, path = _put(cache, tokens)
        keys.append((key, tokens))
        os.utime(path, (time.time() - 100 + n, time.time() - 100 + n))  # a clear order, whatever the clock's grain
        assert cache.size() <= cache.max_bytes
    assert len(cache.entries()) == 3 and cache.stats.evicted == 2
    assert cache.get(*keys[0]) is None and cache.get(*keys[1]) is None
    # Use the oldest survivor: the next write evicts the one after it instead.
    assert cache.get(*keys[2]) is not None
    key, _ = _put(cache, TOKENS + [2000])
    assert cache.get(*keys[2]) is not None
    assert cache.get(*keys[3]) is None
    assert cache.get(key, TOKENS + [2000]) is not None


def test_an_entry_larger_than_the_bound_is_not_stored(tmp_path):
    cache = PrefixCache(tmp_path, max_bytes=1000)
    key, path = _put(cache)
    assert path is None and cache.entries() == [] and cache.get(key, TOKENS) is None


def test_deleting_the_folder_is_safe(tmp_path):
    cache = PrefixCache(tmp_path / "c")
    key, _ = _put(cache)
    cache.clear()
    (tmp_path / "c").rmdir()
    assert cache.get(key, TOKENS) is None and cache.size() == 0 and cache.entries() == []
    _, path = _put(cache)
    assert path.is_file()


def test_the_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(prefix_cache.ENV_DIR, str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    monkeypatch.setenv(prefix_cache.ENV_DIR, "off")
    assert default_cache_dir() is None and prefix_cache.default_cache() is None
    monkeypatch.delenv(prefix_cache.ENV_DIR)
    assert default_cache_dir().name == "cache"


def test_model_identity_depends_on_content_not_place(tmp_path):
    a = tmp_path / "a.gguf"
    a.write_bytes(b"GGUF" + bytes(3 * 2**20))
    b = tmp_path / "b.gguf"
    b.write_bytes(a.read_bytes())
    assert model_identity(a) == model_identity(b)
    c = tmp_path / "c.gguf"
    c.write_bytes(a.read_bytes()[:-1] + b"\x01")
    assert model_identity(c) != model_identity(a)
