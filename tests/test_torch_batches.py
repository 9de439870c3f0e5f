"""IndependentBatches: uniform subsets from two independent streams, O(batch) per step (never a
permutation of a large n), a DataLoader batch sampler, DistributedSampler-style ranks."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # small ops: more threads only contend on a shared machine

from gsmooth.torch import IndependentBatches  # noqa: E402


def test_batches_are_uniform_subsets_from_independent_streams():
    draw = IndependentBatches(20, batch=5, batch2=5, seed=3)
    overlaps, counts, same = [], np.zeros(20), 0
    for _ in range(4000):
        main, independent = draw()
        assert len(set(main.tolist())) == 5 and len(set(independent.tolist())) == 5
        counts[main.numpy()] += 1
        overlaps.append(len(set(main.tolist()) & set(independent.tolist())))
        same += set(main.tolist()) == set(independent.tolist())
    # Each index is in a uniform 5-subset of 20 with probability 1/4 (sd of a count 27).
    assert np.abs(counts - 1000).max() < 120
    # Independent uniform subsets overlap in B B'/n = 1.25 indices on average (sd 0.87).
    assert abs(np.mean(overlaps) - 1.25) < 0.06
    assert same < 5


def test_one_seed_gives_one_sequence_and_another_seed_another():
    first, again, other = (IndependentBatches(50, 4, 3, seed=s) for s in (1, 1, 2))
    for _ in range(5):
        a, b, c = first(), again(), other()
        assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c[0])


def test_cost_does_not_depend_on_n(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a permutation of all indices was drawn")

    draw = IndependentBatches(10**12, batch=256, batch2=32, seed=0)
    monkeypatch.setattr(torch, "randperm", refuse)
    for _ in range(20):
        main, _ = draw()
        assert main.unique().numel() == 256 and int(main.max()) < 10**12


def test_with_replacement_draws_iid_indices():
    draw = IndependentBatches(3, batch=8, batch2=8, seed=0, replacement=True)
    main, _ = draw()
    assert main.numel() == 8 and main.unique().numel() <= 3


def test_dataloader_loads_both_batches_in_one_fetch_and_split_separates_them():
    data = torch.utils.data.TensorDataset(torch.arange(40.0), 2 * torch.arange(40.0))
    sampler = IndependentBatches(40, batch=6, batch2=2, seed=5, steps=4)
    expected = IndependentBatches(40, batch=6, batch2=2, seed=5)
    loader = torch.utils.data.DataLoader(data, batch_sampler=sampler)
    assert len(loader) == 4
    for x, y in loader:
        (x_main, y_main), (x_independent, _) = sampler.split((x, y))
        main, independent = expected()
        assert torch.equal(x_main, main.float()) and torch.equal(x_independent, independent.float())
        assert torch.equal(y_main, 2 * main.float())


def test_ranks_own_disjoint_strided_indices_and_draw_from_their_own_streams():
    ranks = [IndependentBatches(101, batch=10, batch2=4, seed=0, num_replicas=3, rank=r)
             for r in range(3)]
    for _ in range(50):
        drawn = [torch.cat(r()) for r in ranks]
        for rank, indices in enumerate(drawn):
            assert bool((indices % 3 == rank).all()) and int(indices.max()) < 101
    # Each rank draws from its own streams: same positions would mean shared random numbers.
    positions = [(torch.cat(r()) - rank) // 3 for rank, r in enumerate(ranks)]
    assert not torch.equal(positions[0][:10], positions[1][:10])


def test_resuming_from_state_dict_continues_the_sequence():
    draw = IndependentBatches(30, 4, 2, seed=9)
    draw()
    state = draw.state_dict()
    expected = draw()
    fresh = IndependentBatches(30, 4, 2, seed=0)
    fresh.load_state_dict(state)
    assert all(torch.equal(a, b) for a, b in zip(fresh(), expected))


@pytest.mark.parametrize("options, message", [
    ({"n_samples": 10, "batch": 4, "batch2": 11}, "batch2 must be at most the 10 indices rank 0 owns"),
    ({"n_samples": 10, "batch": 6, "batch2": 1, "num_replicas": 2, "rank": 1},
     "batch must be at most the 5 indices rank 1 owns, got 6"),
    ({"n_samples": 10, "batch": 2, "batch2": 1, "num_replicas": 2, "rank": 2},
     r"rank must be in \[0, 1\], got 2"),
    ({"n_samples": 10, "batch": 0, "batch2": 1}, "batch must be a positive integer, got 0"),
])
def test_bad_sizes_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        IndependentBatches(**options)


def test_endless_sampler_has_no_length_and_split_checks_rows():
    draw = IndependentBatches(10, 3, 2)
    with pytest.raises(TypeError, match="has no length"):
        len(draw)
    with pytest.raises(ValueError, match="a loaded step has 5 rows, got 4"):
        draw.split(torch.zeros(4))
