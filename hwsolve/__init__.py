"""hwsolve: derive, verify, run and typeset the Deep Learning HW2 solution.

One folder per layer, lowest first; a module imports only its own layer and
lower ones (tests/test_layers.py reads the imports and checks it):

    problem      the given values of each question, as frozen dataclasses
    derive       the derivations, in SymPy
    check        the derivations checked numerically (torch autograd, float64)
    data         the MNIST files: locate, verify, download, load
    experiments  the training runs, whose results are cached under build/
    solutions    one plain dataclass per question: what `--format json` prints
    course       per-student variants, verified keys, answer sheets, grading and mistake diagnosis
    audit        the submitted answers compared with the computed ones
    render       the Jinja2 fragments, the figures, the report and its PDF
    cli          the `hwsolve` command

io.py, errors.py, threads.py, numbers.py and digits.py are shared helpers below every layer.
"""

__version__ = "0.1.0"
