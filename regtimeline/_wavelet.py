"""A weighted wavelet matrix: prefix queries on a sequence of (value, weight) pairs.

`status.takedowns` asks, for the first ``p`` requests or removals of a log, "how much weight
has a value below x" (items of requests already past their due instant) and "which value
is the k-th smallest, counting weights" (the median latency). A scan answers in O(p); this
structure, built once in O(n log D) for a sequence of n pairs over D distinct values,
answers each in O(log D) steps.
"""

from __future__ import annotations

import array
import bisect
from collections.abc import Callable, Sequence
from itertools import accumulate

__all__ = ["WeightedWavelet"]


def _int64(values: list[int]) -> array.array[int]:
    return array.array("q", values)


class WeightedWavelet:
    """Prefix queries on a fixed sequence of (value, weight) pairs.

    Examples:
        >>> w = WeightedWavelet([5, 1, 9, 1], [2, 1, 1, 3])
        >>> w.weight_below(3, 6), w.kth(4, 0), w.kth(4, 4), w.kth(4, 6)
        (3, 1, 5, 9)
    """

    __slots__ = ("_bits", "_last", "_levels", "_prefix", "_values")

    def __init__(self, values: Sequence[int], weights: Sequence[int]) -> None:
        self._values = sorted(set(values))
        # int64 arrays: contiguous, so a query's few reads per level touch few cache lines;
        # lists when a sum may not fit (money in small units)
        bound = sum(abs(w) for w in weights)
        store: Callable[[list[int]], Sequence[int]] = _int64 if bound < 2**63 else list
        self._prefix = store([0, *accumulate(weights)])
        ranks = [bisect.bisect_left(self._values, v) for v in values]
        self._bits = max(1, (len(self._values) - 1).bit_length())
        # per level: prefix counts of zero bits, prefix weights of zero bits, and zeros in all
        self._levels: list[tuple[int, array.array[int], Sequence[int], int]] = []
        self._last: Sequence[int] = _int64([])  # prefix weights in the order the last level sees
        seq, wts = ranks, list(weights)
        for level in range(self._bits):
            if level == self._bits - 1:
                self._last = store([0, *accumulate(wts)])
            shift = self._bits - 1 - level
            zero = [not (r >> shift) & 1 for r in seq]
            counts = _int64([0, *accumulate(zero)])
            zero_weights = store(
                [0, *accumulate(w if z else 0 for w, z in zip(wts, zero, strict=True))]
            )
            self._levels.append((shift, counts, zero_weights, counts[-1]))
            order = [j for j, z in enumerate(zero) if z] + [j for j, z in enumerate(zero) if not z]
            seq = [seq[j] for j in order]
            wts = [wts[j] for j in order]

    def weight_below(self, p: int, x: int) -> int:
        """The total weight of the first `p` pairs whose value is below `x`."""
        c = bisect.bisect_left(self._values, x)  # ranks below c are the values below x
        if c >= len(self._values):
            return self._prefix[p]
        s, e, total = 0, p, 0
        for shift, counts, zero_weights, zeros in self._levels:
            if (c >> shift) & 1:
                total += zero_weights[e] - zero_weights[s]
                s, e = zeros + s - counts[s], zeros + e - counts[e]
            else:
                s, e = counts[s], counts[e]
        return total

    def kth_pair(self, p: int, k: int) -> tuple[int, int]:
        """The `k`-th and `k + 1`-th smallest values of the first `p` pairs.

        One descent when both are the same value (the common case), two otherwise. `k + 1`
        must be below their total weight.
        """
        first = k
        s, e, rank = 0, p, 0
        for _, counts, zero_weights, zeros in self._levels[:-1]:
            below = zero_weights[e] - zero_weights[s]
            if k < below:
                s, e = counts[s], counts[e]
                rank <<= 1
            else:
                k -= below
                s, e = zeros + s - counts[s], zeros + e - counts[e]
                rank = rank << 1 | 1
        _, _, zero_weights, _ = self._levels[-1]
        below = zero_weights[e] - zero_weights[s]
        if k < below:  # the leaf's weight in range: its zeros, or the rest of the range
            leaf, rank = below, rank << 1
        else:
            k -= below
            leaf, rank = self._last[e] - self._last[s] - below, rank << 1 | 1
        value = self._values[rank]
        return value, value if k + 1 < leaf else self.kth(p, first + 1)

    def kth(self, p: int, k: int) -> int:
        """The value of the `k`-th smallest of the first `p` pairs, counting weights (from 0).

        `k` must be below their total weight.
        """
        s, e, rank = 0, p, 0
        for _, counts, zero_weights, zeros in self._levels:
            below = zero_weights[e] - zero_weights[s]
            if k < below:
                s, e = counts[s], counts[e]
                rank <<= 1
            else:
                k -= below
                s, e = zeros + s - counts[s], zeros + e - counts[e]
                rank = rank << 1 | 1
        return self._values[rank]
