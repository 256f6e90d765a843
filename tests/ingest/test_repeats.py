"""The prepass's repeat count: the same answer in memory and spilled to disk, within budget."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa

from app.ingest.cells import TEXT
from app.ingest.repeats import RepeatCounter, bucket_of


def _batches(seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    pool = ["", "许营焖子", "3700000000000000001:15379907511637", "a:b", "b:a", "ab", "ba"]
    pool += [f"37{rng.randrange(10**17):017d}:{rng.choice('PQ')}" for _ in range(300)]
    return [[rng.choice(pool) for _ in range(rng.randrange(0, 60))] for _ in range(25)]


def _expected(batches: list[list[str]]) -> set[str]:
    """A key repeats when it does within a batch or turns up in two batches."""
    within = {key for batch in batches for key, n in Counter(batch).items() if n > 1}
    batches_of = Counter(key for batch in batches for key in set(batch))
    return within | {key for key, n in batches_of.items() if n > 1}


def _counted(batches: list[list[str]], budget: int) -> tuple[dict[str, set[str]], bool]:
    counter = RepeatCounter(budget=budget, buckets=4)
    for batch in batches:
        counter.add("base", pd.Series(batch, dtype=object))
        counter.add("order", pd.Series([key.split(":")[0] for key in batch], dtype=object))
    spilled = counter.spilled
    return counter.repeated(), spilled


def test_spilled_and_kept_counts_are_the_exact_repeats() -> None:
    for seed in range(5):
        batches = _batches(seed)
        kept, kept_spilled = _counted(batches, budget=1 << 30)
        spilled, did_spill = _counted(batches, budget=0)
        assert not kept_spilled and did_spill
        assert kept["base"] == spilled["base"] == _expected(batches)
        orders = [[key.split(":")[0] for key in batch] for batch in batches]
        assert kept["order"] == spilled["order"] == _expected(orders)


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
