"""Two gloo processes on the CPU: under DDP and under sharded parameters both ranks take the same
steps, equal to one process's; the independent norm costs one scalar all-reduce, never a gradient."""

import os
import pathlib
import socket

import numpy as np
import pytest

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")

from gsmooth.torch import IANSGD  # noqa: E402

WORLD, N, D = 2, 16, 4
#: Per step, the main and the independent rows of each rank (equal sizes, so the mean over the
#: union is the mean of the ranks' means).
MAIN = [([0, 1, 2], [3, 4, 5]), ([6, 7, 8], [9, 10, 11]), ([12, 13, 14], [15, 0, 2]),
        ([1, 3, 5], [7, 9, 11]), ([2, 4, 6], [8, 10, 12]), ([0, 5, 9], [1, 2, 3])]
INDEPENDENT = [([4], [9]), ([2], [13]), ([7], [1]), ([5], [6]), ([0], [15]), ([3], [14])]
#: Steps 0-2 use the helper, 3-4 the previous step's norm, 5 the two closures.
HELPER, PREVIOUS = (0, 1, 2), (3, 4)
HYPER = {"lr": 0.2, "beta": 2 / 3, "A": 1.5, "delta": 0.1, "Gamma": 3.0}


def problem():
    rng = np.random.default_rng(11)
    x = torch.as_tensor(rng.standard_normal((N, 2 * D)))
    return x, x @ torch.linspace(-1, 1, 2 * D, dtype=torch.float64) + 0.3 * torch.as_tensor(
        rng.standard_normal(N))


def start():
    return torch.linspace(0.5, -0.5, 2 * D, dtype=torch.float64)


def loss_of(w, rows):
    x, y = problem()
    return 0.5 * ((x[rows] @ w - y[rows]) ** 2).mean()


class Linear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(start())

    def forward(self, rows):
        return loss_of(self.w, rows)


def single_process():
    """The reference: one process, main rows the union of the ranks', independent norm the
    mean of the ranks' norms (what each rank's helper contributes to the all-reduce)."""
    model = Linear()
    opt = IANSGD(model.parameters(), **HYPER)
    for step, (main, independent) in enumerate(zip(MAIN, INDEPENDENT)):
        model.zero_grad()
        model(main[0] + main[1]).backward()
        if step in PREVIOUS:
            opt.step()
        else:
            opt.step(independent_norm=opt.independent_norm([model(rows) for rows in independent]))
    return model.w.detach().clone()


def record_all_reduces():
    calls, original = [], dist.all_reduce

    def recording(tensor, *args, **kwargs):
        calls.append(tensor.numel())
        return original(tensor, *args, **kwargs)

    dist.all_reduce = recording
    return calls


def ddp_case(rank):
    model = torch.nn.parallel.DistributedDataParallel(Linear())
    opt = IANSGD(model.parameters(), **HYPER, distributed="replicated")
    calls = record_all_reduces()
    per_step = []
    for step, (main, independent) in enumerate(zip(MAIN, INDEPENDENT)):
        before = len(calls)
        if step in HELPER:      # the helper, on the local module: no DDP hooks, one scalar
            opt.zero_grad()
            model(main[rank]).backward()                # DDP averages the main gradient
            opt.step(independent_norm=opt.independent_norm(model.module(independent[rank])))
        elif step in PREVIOUS:  # the previous step's (DDP-averaged) norm: no communication
            opt.zero_grad()
            model(main[rank]).backward()
            opt.step()
        else:                   # two closures, the independent one without gradient sync

            def independent_closure():
                with model.no_sync():
                    model(independent[rank]).backward()

            opt.step(lambda: model(main[rank]).backward(), independent_closure)
        per_step.append(calls[before:])
    return {"w": model.module.w.detach().clone(), "all_reduces": per_step}


def sharded_case(rank):
    """Each rank holds half of w and the gradient of the whole objective for its half."""
    shard = torch.nn.Parameter(start().chunk(WORLD)[rank].clone())
    opt = IANSGD([shard], **HYPER, distributed="sharded")

    def whole():
        parts = [torch.empty_like(shard) for _ in range(WORLD)]
        dist.all_gather(parts, shard.detach())
        parts[rank] = shard
        return torch.cat(parts)

    for step, (main, independent) in enumerate(zip(MAIN, INDEPENDENT)):
        opt.zero_grad()
        loss_of(whole(), main[0] + main[1]).backward()
        if step in PREVIOUS:
            opt.step()
        else:
            opt.step(independent_norm=opt.independent_norm(
                [loss_of(whole(), rows) for rows in independent]))
    return {"shard": shard.detach().clone()}


def worker(rank, port, folder):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    try:
        out = {"ddp": ddp_case(rank), "sharded": sharded_case(rank)}
        torch.save(out, pathlib.Path(folder) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()
    # The results are on disk; skip the interpreter's teardown, where gloo's threads
    # sometimes abort the process (SIGABRT, "terminate called without an active exception")
    # after both ranks have finished, which would fail the spawn for torch's reason.
    os._exit(0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    if not dist.is_available() or not dist.is_gloo_available():
        pytest.skip("torch.distributed with gloo is not available")
    folder = tmp_path_factory.mktemp("gloo")
    torch.multiprocessing.spawn(worker, args=(free_port(), str(folder)), nprocs=WORLD, join=True)
    return [torch.load(folder / f"rank{r}.pt") for r in range(WORLD)]


def test_ddp_ranks_take_identical_steps_equal_to_one_process(ranks):
    reference = single_process()
    assert not torch.allclose(reference, start())
    assert torch.equal(ranks[0]["ddp"]["w"], ranks[1]["ddp"]["w"])
    torch.testing.assert_close(ranks[0]["ddp"]["w"], reference, rtol=1e-12, atol=1e-14)


def test_ddp_independent_norm_costs_one_scalar_all_reduce(ranks):
    for rank in ranks:
        assert rank["ddp"]["all_reduces"] == [[1], [1], [1], [], [], [1]]


def test_sharded_ranks_use_the_norm_of_the_whole_vector(ranks):
    reference = single_process()
    whole = torch.cat([rank["sharded"]["shard"] for rank in ranks])
    torch.testing.assert_close(whole, reference, rtol=1e-12, atol=1e-14)


def test_distributed_choice_is_required_when_processes_run(monkeypatch):
    monkeypatch.setattr(dist, "is_initialized", lambda: True)
    monkeypatch.setattr(dist, "get_world_size", lambda group=None: 2)
    with pytest.raises(ValueError, match="torch.distributed runs 2 processes: pass distributed="):
        IANSGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
