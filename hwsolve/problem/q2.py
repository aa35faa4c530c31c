"""Given values of Q2 (true or false on regularisation).

The homework does not state the three statements; only the submitted answers
survive, all "false", each followed by the reason. The statements below are
reconstructed as the claims those reasons refute. So the submitted "false" is
correct by construction: agreeing with it is not evidence, and the audit shows
Q2's rows without counting them. The evidence is the experiment behind each
answer, which tests what the reconstruction names (L1 as well as L2 in (a)).
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsolve.i18n import N_

# In English (the JSON's); a document says them in its own language, with _() where they are shown.
RECONSTRUCTED_STATEMENTS: dict[str, str] = {
    "a": N_(
        "Regularisation such as L1 or L2 cannot improve a model's performance on unseen data; "
        "it does not help against overfitting."
    ),
    "b": N_("Adding more features (more model inputs) cannot increase overfitting."),
    "c": N_(
        "The larger the regularisation coefficient the better: "
        "increasing it only fights overfitting and cannot make the model underfit."
    ),
}

SUBMITTED_ANSWERS: dict[str, bool] = {"a": False, "b": False, "c": False}

RECONSTRUCTION_NOTE = N_(
    'The statements are reconstructed from the submitted answers (all "false") as the claims their reasons refute, '
    'so the submitted "false" is right by construction: agreeing with it is not evidence.'
)
# Why the audit does not count Q2, shown beside its rows (translated there).
NOT_COUNTED_REASON = RECONSTRUCTION_NOTE


@dataclass(frozen=True)
class RegularisationProblem:
    """L2 and L1 regression of a noisy sine on polynomial features."""

    n_train: int = 20
    n_validation: int = 200
    n_test: int = 1000
    noise: float = 0.3  # std of the Gaussian label noise
    degree: int = 12  # polynomial degree for (a) and (c)
    max_degree: int = 15  # the feature sweep of (b) goes 1..max_degree
    # log10 of the penalty coefficients swept in (a) and (c): 10^-10 .. 10^3 in half decades
    log10_lambda_min: float = -10.0
    log10_lambda_max: float = 3.0
    n_lambdas: int = 27
