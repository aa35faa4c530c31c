"""Q4 as the homework states it: the submitted solution's finding, transcribed as data.

Source: the submitted solution (hw2-submitted-solution.fa.md, beside the
repository in the course's shared folder), section سوال چهار. The
student's table lists the combinations with the best results and says only
these reached a test error below 0.1:

    تابع فعالسازی  تابع ضرر        بهینهساز
    relu            cronss entropy  SGD
    LeakyReLU       cronss entropy  SGD
    Sigmoid         cronss entropy  SGD
    Sigmoid         cronss entropy  Adam

The student printed no test-error numbers, so only membership is compared.
"""

from __future__ import annotations

SUBMITTED_THRESHOLD = 0.1


def below(test_error: float | None, threshold: float = SUBMITTED_THRESHOLD) -> bool:
    """Whether a test error is below the threshold; None and NaN (a diverged run) are not."""
    return test_error is not None and test_error == test_error and test_error < threshold


# Config names in hwsolve's activation/loss/optimizer spelling.
SUBMITTED_BELOW_THRESHOLD: frozenset[str] = frozenset(
    {
        "relu/cross_entropy/sgd",
        "leaky_relu/cross_entropy/sgd",
        "sigmoid/cross_entropy/sgd",
        "sigmoid/cross_entropy/adam",
    }
)

SOURCE = "hw2-submitted-solution.fa.md, Q4 (سوال چهار): table of combinations with test error < 0.1"

# The homework trains every configuration for 30 epochs: `hwsolve q4`'s and the report's default.
HOMEWORK_EPOCHS = 30
