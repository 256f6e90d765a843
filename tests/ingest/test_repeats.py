"""The prepass's repeat count: the same answer in memory and spilled to disk, within budget."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from app.ingest.cells import TEXT
from app.ingest.repeats import RepeatCounter, bucket_of


def _batches(seed: int) -> list[list[str | None]]:
    rng = random.Random(seed)
    pool: list[str | None] = [None, "", "许营焖子", "3700000000000000001:15379907511637"]
    pool += ["a:b", "b:a", "ab", "ba"]
    pool += [f"37{rng.randrange(10**17):017d}:{rng.choice('PQ')}" for _ in range(300)]
    return [[rng.choice(pool) for _ in range(rng.randrange(0, 60))] for _ in range(25)]


def _orders(batches: list[list[str | None]]) -> list[list[str | None]]:
    return [[key if key is None else key.split(":")[0] for key in batch] for batch in batches]


def _expected(batches: list[list[str | None]]) -> set[str]:
    """A key repeats when it does within a batch or turns up in two batches; None is no key."""
    within = {key for batch in batches for key, n in Counter(batch).items() if n > 1}
    batches_of = Counter(key for batch in batches for key in set(batch))
    return (within | {key for key, n in batches_of.items() if n > 1}) - {None}  # type: ignore[return-value]


def _counted(batches: list[list[str | None]], budget: int) -> tuple[dict[str, set[str]], int]:
    """The counter's answer, and how many batches it had taken when it went to disk (0: never)."""
    counter = RepeatCounter(budget=budget, buckets=4)
    spilled_at = 0
    for number, (batch, orders) in enumerate(zip(batches, _orders(batches), strict=True), 1):
        counter.add("base", pd.Series(batch, dtype="str"))  # text as the formats give it
        counter.add("order", pd.Series(orders, dtype=object))
        spilled_at = spilled_at or (number if counter.spilled else 0)
    return counter.repeated(), spilled_at


@pytest.mark.parametrize("budget", [0, 8_000, 1 << 30])
def test_counts_are_the_exact_repeats_in_memory_on_disk_or_switching_midway(budget: int) -> None:
    switched_late = False
    for seed in range(8):
        batches = _batches(seed)
        repeated, spilled_at = _counted(batches, budget)
        assert repeated["base"] == _expected(batches)
        assert repeated["order"] == _expected(_orders(batches))
        assert (spilled_at == 0) == (budget == 1 << 30)
        switched_late |= spilled_at > 2  # keys of both names were kept before the switch
    assert switched_late or budget in (0, 1 << 30)


def test_a_key_seen_in_one_batch_only_is_not_repeated() -> None:
    counter = RepeatCounter(budget=0)
    counter.add("order", pd.Series(["1", "2", "2"]))
    counter.add("order", pd.Series(["3"]))
    assert counter.repeated() == {"order": {"2"}}


def test_equal_texts_share_a_bucket_wherever_they_sit_in_an_array() -> None:
    keys = ["3700000000000000001:15379907511637", "", "许营焖子", "a", "3700000000000000001234567"]
    whole = pa.array(keys * 3, TEXT)
    buckets = bucket_of(whole, 16)
    assert buckets.min() >= 0 and buckets.max() < 16
    assert (buckets[:5] == buckets[5:10]).all()
    sliced = bucket_of(whole.slice(6, 4), 16)  # an array that starts inside its buffers
    assert sliced.tolist() == buckets[1:5].tolist()


def test_keys_alike_but_for_a_few_digits_spread_over_every_bucket() -> None:
    """Sequential order ids with one product: the usual 微信 key, not all in one bucket."""
    keys = pa.array([f"{3_700_000_000_000_000_000 + i}:15379907511637:" for i in range(16_000)])
    sizes = np.bincount(bucket_of(keys, 16), minlength=16)
    assert sizes.min() > 16_000 / 16 / 2, sizes


def test_empty_texts_and_empty_arrays_have_buckets() -> None:
    assert bucket_of(pa.array([], TEXT), 16).tolist() == []
    first, second = bucket_of(pa.array(["", ""], TEXT), 16).tolist()
    assert first == second
    assert len(bucket_of(pa.array(["a", None, ""], pa.string()), 16)) == 3


def test_a_texts_bucket_depends_on_its_own_bytes_only() -> None:
    """The same text among other neighbours (whose bytes sit right beside it) keeps its bucket."""
    rng = random.Random(7)
    alphabet = "0123456789:-ab许营"
    texts = ["".join(rng.choices(alphabet, k=rng.randrange(0, 40))) for _ in range(400)]
    alone = [bucket_of(pa.array([text], TEXT), 16)[0] for text in texts]
    shuffled = texts[:]
    rng.shuffle(shuffled)
    among = dict(zip(shuffled, bucket_of(pa.array(shuffled, TEXT), 16).tolist(), strict=True))
    assert [among[text] for text in texts] == alone
