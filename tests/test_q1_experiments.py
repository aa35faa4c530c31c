"""Q1c and Q1d experiments: small widths only (the 1,000,000-wide run is never trained here)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch

import hwsolve.experiments.width as width_module
from hwsolve.errors import HwsolveError
from hwsolve.experiments.gradient_flow import build_mlp, fit_shrink_factor, run_gradient_flow
from hwsolve.experiments.two_moons import train_test_moons
from hwsolve.experiments.width import (
    SeedRuns,
    WidthRun,
    _build,
    cache_path,
    choose_trainable_width,
    one_two_five_below,
    parameter_count,
    plan_path,
    plan_widths,
    run_width_experiment,
)
from hwsolve.problem.q1 import GradientFlowProblem, WidthProblem
from hwsolve.solutions.q1 import solve_q1c

SMALL = WidthProblem(widths=(2, 64), n_train=80, n_test=200, steps=60, seed_count=2, long_steps=90, long_widths=(64,))


def test_two_moons_is_seeded_balanced_and_not_linearly_separable():
    train, test = train_test_moons(200, 100, 0.1, seed=5)
    again, _ = train_test_moons(200, 100, 0.1, seed=5)
    assert torch.equal(train.inputs, again.inputs) and torch.equal(train.labels, again.labels)
    assert int(train.labels.sum()) == 100 and len(test.labels) == 100
    # Best linear classifier by least squares leaves errors: the moons interleave.
    design = torch.cat([train.inputs.double(), torch.ones(200, 1, dtype=torch.float64)], dim=1)
    target = train.labels.double() * 2 - 1
    weights = torch.linalg.lstsq(design, target.unsqueeze(1)).solution
    linear_accuracy = ((design @ weights).squeeze(1).sign() == target).double().mean().item()
    assert linear_accuracy < 0.95


@pytest.mark.parametrize("width", [1, 2, 4, 256, 1000])
def test_parameter_count_matches_the_modules(width):
    hidden, output = _build(width, seed=0)
    assert parameter_count(width) == sum(p.numel() for p in [*hidden.parameters(), *output.parameters()])


def _seed_files(tmp_path):
    return sorted((tmp_path / "q1").glob("width-seed*.json"))


def test_width_experiment_runs_caches_and_is_deterministic(tmp_path):
    first, loaded = run_width_experiment(SMALL, seed=1, build_dir=tmp_path)
    assert not loaded
    assert [runs.seed for runs in first.seeds] == [1, 2]
    assert first.plan.trained_widths == (2, 64) and not first.plan.substitutions
    assert plan_path(SMALL, 1, tmp_path).exists()
    assert [Path(name) for name in first.cache_files] == [cache_path(SMALL, seed, (2, 64), tmp_path) for seed in (1, 2)]
    for runs in first.seeds:
        assert [run.width for run in runs.runs] == [2, 64] and all(run.steps == 60 for run in runs.runs)
        assert [(run.width, run.steps) for run in runs.long_runs] == [(64, 90)]
        for run in runs.runs + runs.long_runs:
            assert 0.0 <= run.test_accuracy <= 1.0
            assert run.gap == pytest.approx(run.train_accuracy - run.test_accuracy)
        assert {run.width: run for run in runs.runs}[64].train_accuracy > 0.85  # a wide enough network fits the moons
    assert first.seeds[0].runs != first.seeds[1].runs  # each seed draws its own data and initialisation
    cached, loaded = run_width_experiment(SMALL, seed=1, build_dir=tmp_path)
    assert loaded and cached == first  # reused, timings included
    retrained, loaded = run_width_experiment(SMALL, seed=1, build_dir=tmp_path, force=True)
    assert not loaded

    def without_timings(seeds: tuple[SeedRuns, ...]) -> list[list[WidthRun]]:
        return [[dataclasses.replace(run, seconds=0.0) for run in runs.runs + runs.long_runs] for runs in seeds]

    # Same seed, same numbers; only wall time differs.
    assert without_timings(retrained.seeds) == without_timings(first.seeds)


def test_seed_caches_are_shared_across_budgets_and_seed_counts(tmp_path):
    first, _ = run_width_experiment(SMALL, seed=1, build_dir=tmp_path)
    more_seeds = dataclasses.replace(SMALL, seed_count=3, time_budget_s=50.0)
    second, loaded = run_width_experiment(more_seeds, seed=1, build_dir=tmp_path)
    assert not loaded  # a new plan and seed 3 were computed ...
    assert second.seeds[:2] == first.seeds  # ... but seeds 1 and 2 came from their cache files, timings and all
    assert len(_seed_files(tmp_path)) == 3


def test_cache_key_depends_on_seed_recipe_and_trained_widths(tmp_path):
    widths = (2, 64)
    assert cache_path(SMALL, 1, widths, tmp_path) != cache_path(SMALL, 2, widths, tmp_path)
    assert cache_path(SMALL, 1, widths, tmp_path) != cache_path(
        dataclasses.replace(SMALL, steps=61), 1, widths, tmp_path
    )
    assert cache_path(SMALL, 1, widths, tmp_path) != cache_path(SMALL, 1, (2, 32), tmp_path)
    assert cache_path(SMALL, 1, widths, tmp_path) == cache_path(
        dataclasses.replace(SMALL, time_budget_s=1.0), 1, widths, tmp_path
    )
    assert plan_path(SMALL, 1, tmp_path) != plan_path(dataclasses.replace(SMALL, time_budget_s=1.0), 1, tmp_path)


@pytest.mark.parametrize("damage", ["{not json", '{"seed": 3, "runs": [{"width": 2}]}'])
def test_damaged_cache_is_recomputed_and_not_reported_as_loaded(tmp_path, damage):
    run_width_experiment(SMALL, seed=3, build_dir=tmp_path)
    path = cache_path(SMALL, 3, (2, 64), tmp_path)
    path.write_text(damage)
    result, loaded = run_width_experiment(SMALL, seed=3, build_dir=tmp_path)
    assert not loaded
    assert len(result.seeds[0].runs) == 2 and json.loads(path.read_text())["runs"]


def test_solve_q1c_reports_from_cache_only_when_the_cache_was_read(tmp_path):
    retrained = solve_q1c(SMALL, seed=3, build_dir=tmp_path)
    assert not retrained.from_cache and retrained.cache_files == [
        str(cache_path(SMALL, seed, (2, 64), tmp_path)) for seed in (3, 4)
    ]
    reused = solve_q1c(SMALL, seed=3, build_dir=tmp_path)
    assert reused.from_cache and reused.runs_by_seed == retrained.runs_by_seed
    assert not solve_q1c(SMALL, seed=3, build_dir=tmp_path, force=True).from_cache


def test_one_two_five_ladder():
    assert one_two_five_below(1_000_000)[:4] == [500_000, 200_000, 100_000, 50_000]
    assert one_two_five_below(3) == [2, 1]


def _fake_clock(monkeypatch, seconds_per_unit=1e-6):
    """One step of w hidden units takes seconds_per_unit * w: no real timing in these tests."""
    calls = []

    def fake(width, *args):
        calls.append(width)
        return seconds_per_unit * width

    monkeypatch.setattr(width_module, "seconds_per_step", fake)
    return calls


def test_too_slow_width_is_replaced_by_the_widest_that_fits(monkeypatch):
    calls = _fake_clock(monkeypatch)
    problem = WidthProblem(steps=300, seed_count=1, time_budget_s=60.0)
    train, _ = train_test_moons(20, 10, 0.2, seed=0)
    substitution = choose_trainable_width(1_000_000, train, problem, seed=0)
    assert substitution.trained_width == 200_000  # 3e-4 * 200000 = 60 s fits, 500000 does not
    assert substitution.probe_width == 10_000 and 1_000_000 not in calls  # the huge network is never built
    assert substitution.estimated_seconds == pytest.approx(300.0)
    assert "1,000,000" in substitution.reason and "60 s budget" in substitution.reason
    assert choose_trainable_width(100_000, train, problem, seed=0) is None
    with pytest.raises(HwsolveError):  # not even one hidden unit fits a nanosecond
        choose_trainable_width(1_000_000, train, dataclasses.replace(problem, time_budget_s=1e-9), seed=0)


def test_plan_gives_every_seed_of_both_recipes_the_one_budget(monkeypatch):
    _fake_clock(monkeypatch)
    problem = WidthProblem(seed_count=5, time_budget_s=45.0)  # 300 steps; 256 units also 3000 steps
    plan = plan_widths(problem, seed=0)
    # Narrow runs: 1e-6 * (2 + 4 + 256) * 300 * 5 = 0.39 s; the long one 1e-6 * 256 * 3000 * 5 = 3.84 s.
    # That leaves 40.8 s for 5 * 300 steps of the wide run: at most 27,180 units, so 20,000 on the 1-2-5 ladder.
    assert plan.trained_widths == (2, 4, 256, 20_000)
    (substitution,) = plan.substitutions
    assert substitution.requested_width == 1_000_000 and substitution.budget_seconds == pytest.approx(45 - 0.393 - 3.84)
    assert plan.estimated_seconds == pytest.approx(0.393 + 3.84 + 1e-6 * 20_000 * 1500)


def test_a_slow_machine_still_leaves_the_wide_run_a_third_of_the_budget(monkeypatch):
    _fake_clock(monkeypatch, seconds_per_unit=1e-4)  # the long run alone would take 384 s
    plan = plan_widths(WidthProblem(seed_count=5, time_budget_s=45.0), seed=0)
    # 15 s for 1500 steps at 1e-4 s per unit: at most 100 units, so 100.
    assert plan.trained_widths[-1] == 100 and plan.substitutions[0].budget_seconds == pytest.approx(15.0)


def _manual_weight_gradient_norms(model, inputs, labels):
    """Backpropagation by hand (delta recursion), independent of autograd."""
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    activation = [m for m in model if not isinstance(m, torch.nn.Linear)][0]
    h, pre, outs = inputs, [], [inputs]
    for index, layer in enumerate(linears):
        z = h @ layer.weight.T + layer.bias
        pre.append(z)
        h = z if index == len(linears) - 1 else activation(z)
        outs.append(h)
    probabilities = torch.softmax(h, dim=1)
    delta = (probabilities - torch.nn.functional.one_hot(labels, probabilities.shape[1]).double()) / len(labels)
    norms = []
    for index in reversed(range(len(linears))):
        norms.append((delta.T @ outs[index]).norm().item())
        if index:
            z = pre[index - 1]
            derivative = {
                "Sigmoid": torch.sigmoid(z) * (1 - torch.sigmoid(z)),
                "Tanh": 1 - torch.tanh(z) ** 2,
                "ReLU": (z > 0).double(),
            }[type(activation).__name__]
            delta = (delta @ linears[index].weight) * derivative
    return norms[::-1]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("initialisation", ["default", "xavier_he"])
def test_gradient_norms_match_hand_backpropagation(activation, initialisation):
    problem = GradientFlowProblem(depth=6, width=16, batch_size=32)
    result = run_gradient_flow(problem, seed=2)
    generator = torch.Generator().manual_seed(2)
    inputs = torch.randn(32, 16, generator=generator, dtype=torch.float64)
    labels = torch.randint(0, 10, (32,), generator=generator)
    model = build_mlp(problem, activation, initialisation, seed=2)
    expected = _manual_weight_gradient_norms(model, inputs, labels)
    assert result.norms[initialisation][activation] == pytest.approx(expected, rel=1e-10)


def test_sigmoid_gradient_vanishes_by_a_nearly_constant_factor():
    result = run_gradient_flow(GradientFlowProblem(), seed=0)
    for initialisation in ("default", "xavier_he"):
        fit = result.fits[initialisation]["sigmoid"]
        assert fit.factor < 0.25 and fit.r_squared > 0.95  # an observation for this network, not the bound
    norms = result.norms["default"]["sigmoid"]
    assert norms[0] < 1e-4 * norms[-1]


def test_shrink_fit_recovers_a_known_geometric_factor():
    norms = [0.2 ** (8 - layer) for layer in range(1, 9)]
    fit = fit_shrink_factor(norms, "default", "sigmoid")
    assert fit.factor == pytest.approx(0.2, rel=1e-12) and fit.r_squared == pytest.approx(1.0)
    assert all(ratio == pytest.approx(0.2) for ratio in fit.layer_ratios)
