"""gsmooth.torch and gs.optim give the same iterates for the same method, data and sample indices.

gs.run draws the indices; a wrapper on the problem's minibatch gradient records them in the order
the rule asks (IAN-SGD: main batch, then independent batch), and the torch optimizer replays them
on a torch loss of the same per-sample functions."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # small ops: more threads only contend on a shared machine

import gsmooth as gs  # noqa: E402
from gsmooth.torch import IANSGD, NSGD, ClippedSGD, NSGDMomentum  # noqa: E402

STEPS, BATCH, BATCH2 = 25, 8, 3


def phase_retrieval():
    p = gs.problems.phase_retrieval(m=120, d=6, seed=3)
    a, y = (torch.as_tensor(p._host_data[k]) for k in ("a", "y"))
    return p, lambda w, idx: (0.5 * (y[idx] - (a[idx] @ w) ** 2) ** 2).mean()


def least_squares():
    p = gs.problems.least_squares(n=80, d=5, seed=2, start=np.full(5, 3.0))
    a, b = (torch.as_tensor(p._host_data[k]) for k in ("a", "b"))
    return p, lambda w, idx: (0.5 * (a[idx] @ w - b[idx]) ** 2).mean()


METHODS = {
    "ian_sgd": (lambda: gs.optim.ian_sgd(0.05, 2 / 3, BATCH, BATCH2, A=2.0, delta=1.0, Gamma=0.5),
                lambda p: IANSGD(p, lr=0.05, beta=2 / 3, A=2.0, delta=1.0, Gamma=0.5)),
    "nsgd": (lambda: gs.optim.nsgd(0.05, BATCH, beta=0.5), lambda p: NSGD(p, lr=0.05, beta=0.5)),
    "nsgd_momentum": (lambda: gs.optim.nsgd_momentum(0.05, 0.3, BATCH),
                      lambda p: NSGDMomentum(p, lr=0.05, momentum=0.3)),
    "clipped_sgd": (lambda: gs.optim.clipped_sgd(0.05, 2.0, BATCH, beta=1.0, offset=0.5),
                    lambda p: ClippedSGD(p, lr=0.05, clip=2.0, offset=0.5)),
}


def engine_run(problem, optimizer):
    """Final iterate of gs.run and the minibatch indices it drew, in order."""
    drawn, functions = [], problem.gradient_functions

    def recording_functions(like):
        full, sample = functions(like)

        def recording(w, idx):
            drawn.append(np.asarray(idx)[0].copy())
            return sample(w, idx)

        return full, recording

    problem.gradient_functions = recording_functions
    res = gs.run(problem, optimizer, STEPS, seeds=[0], w0=problem.start[None], record=[0, STEPS],
                 progress=False)
    return res.w[0], drawn


@pytest.mark.parametrize("make_problem", [phase_retrieval, least_squares])
@pytest.mark.parametrize("method, ian_form", [("ian_sgd", "helper"), ("ian_sgd", "closures"),
                                              ("nsgd", None), ("nsgd_momentum", None),
                                              ("clipped_sgd", None)])
def test_torch_optimizer_replays_the_engine_iterates(make_problem, method, ian_form):
    problem, loss = make_problem()
    make_engine, make_torch = METHODS[method]
    expected, drawn = engine_run(problem, make_engine())
    per_step = 2 if method == "ian_sgd" else 1
    assert len(drawn) == per_step * STEPS
    w = torch.nn.Parameter(torch.as_tensor(problem.start.copy()))
    opt = make_torch([w])
    active = 0
    for t in range(STEPS):
        main = torch.as_tensor(drawn[per_step * t])
        if method != "ian_sgd":
            opt.zero_grad()
            loss(w, main).backward()
            opt.step()
            continue
        independent = torch.as_tensor(drawn[per_step * t + 1])
        if ian_form == "helper":
            opt.zero_grad()
            loss(w, main).backward()
            norm = opt.independent_norm(loss(w, independent))
            opt.step(independent_norm=norm)
        else:
            norm = []

            def closure_independent():
                loss(w, independent).backward()
                norm.append(float(torch.linalg.vector_norm(w.grad)))

            opt.step(lambda: loss(w, main).backward(), closure_independent)
            norm = norm[0]
        active += 0.5 * (2.0 * float(norm) + 1.0) > 1.0
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    assert np.linalg.norm(expected - problem.start) > 0.1
    if method == "ian_sgd":
        assert active > 0       # the normalizer did something
