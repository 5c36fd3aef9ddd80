"""Seeds, and the record of nondeterministic operations."""
from __future__ import annotations

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402

from alflow_model.environment import (BATCH_ORDER, NondeterminismRecorder, check_seed,  # noqa: E402
                                      derive_seed, set_determinism)


class EnvironmentTests(unittest.TestCase):
    def test_derived_seeds_never_change(self):
        # Part of every result: a change here must change the protocol version.
        self.assertEqual(derive_seed(0, BATCH_ORDER, 0), derive_seed(0, 1, 0))
        self.assertEqual(derive_seed(2**64 - 1, 1, 7), derive_seed(2**64 - 1, 1, 7))
        self.assertNotEqual(derive_seed(5, 1, 0), derive_seed(5, 1, 1))
        self.assertNotEqual(derive_seed(5, 1, 0), derive_seed(5, 2, 0))
        self.assertEqual(derive_seed(1234567, 1, 3), GOLDEN)

    def test_seeds_are_unsigned_64_bit(self):
        self.assertEqual(check_seed(2**64 - 1, "seed"), 2**64 - 1)
        for bad in (-1, 2**64, 1.5, True, None):
            with self.assertRaises(ValueError):
                check_seed(bad, "seed")
        g = torch.Generator().manual_seed(2**64 - 1)
        self.assertEqual(g.initial_seed(), 2**64 - 1)

    def test_nondeterministic_operations_are_named(self):
        set_determinism()
        with NondeterminismRecorder() as recorder:
            t = torch.zeros(5)
            for _ in range(2):
                t.put_(torch.tensor([1, 1]), torch.tensor([1.0, 2.0]), accumulate=False)
        self.assertEqual(recorder.operations, ["put_"])


GOLDEN = 8186293846209658793  # blake2b-64 of (1234567, 1, 3), little-endian

if __name__ == "__main__":
    unittest.main()
