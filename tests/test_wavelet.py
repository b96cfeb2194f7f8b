"""The weighted wavelet matrix behind the takedown figures, against plain list arithmetic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from regtimeline._wavelet import WeightedWavelet

PAIRS = st.lists(st.tuples(st.integers(-5, 40), st.integers(0, 4)), max_size=40)


class TestAgainstLists:
    @given(PAIRS, st.data())
    def test_weight_below_and_kth(self, pairs, data):
        """Every prefix: the weight below any x, and the k-th smallest counting weights."""
        values = [v for v, _ in pairs]
        weights = [w for _, w in pairs]
        if not pairs:
            return
        wavelet = WeightedWavelet(values, weights)
        p = data.draw(st.integers(0, len(pairs)))
        x = data.draw(st.integers(-6, 41))
        assert wavelet.weight_below(p, x) == sum(w for v, w in pairs[:p] if v < x)
        expanded = sorted(v for v, w in pairs[:p] for _ in range(w))
        if expanded:
            k = data.draw(st.integers(0, len(expanded) - 1))
            assert wavelet.kth(p, k) == expanded[k]
        if len(expanded) >= 2:
            k = data.draw(st.integers(0, len(expanded) - 2))
            assert wavelet.kth_pair(p, k) == (expanded[k], expanded[k + 1])

    def test_one_value(self):
        """A single distinct value still has one level."""
        wavelet = WeightedWavelet([7, 7], [1, 2])
        assert (wavelet.kth(2, 2), wavelet.weight_below(2, 8), wavelet.weight_below(2, 7)) == (
            7,
            3,
            0,
        )
