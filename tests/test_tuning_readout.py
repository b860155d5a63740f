"""The tuning read-out: one clear sentence when the defaults are kept, whole-number trial ticks,
parameters rounded to 3 significant digits in captions."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from embedlab.core.embeddings import Provenance
from embedlab.core.experiments.choice import choose
from embedlab.core.experiments.tune import TuningResult, _params_text
from embedlab.core.plots import tuning_figure


def test_keeping_the_defaults_is_said_in_one_sentence():
    noise = choose(4, {0: [np.zeros(100)] * 2, 4: [np.zeros(100)] * 2}, "ndcg", 100)
    lines = TuningResult.choice_lines(SimpleNamespace(choice=noise))
    assert len(lines) == 1
    text = lines[0]
    assert text.startswith("kept: the defaults; the winner (trial 4)")
    assert text.endswith(
        ": not beyond noise, so the final model and its test score are the defaults'."
    )
    assert text.count("defaults are kept") == 0 and text.count(" so ") == 1


def test_the_trial_chart_ticks_whole_trials_only():
    trials = pd.DataFrame(
        {"number": [0, 1, 2], "state": ["complete", "fail", "complete"], "ndcg": [0.1, None, 0.2]}
    )
    axis = tuning_figure(trials).layout.xaxis
    assert axis.tickmode == "linear" and axis.dtick == 1 and axis.tick0 == 0
    assert axis.tickformat == "d"
    many = pd.DataFrame({"number": range(45), "state": "complete", "ndcg": np.linspace(0, 1, 45)})
    assert tuning_figure(many).layout.xaxis.dtick == 5  # whole steps, about ten ticks


def test_captions_round_parameters_to_three_significant_digits():
    prov = Provenance(
        "als on log.csv", params={"alpha": 0.11498870747119451, "factors": 64}, created="2026-01-02"
    )
    assert prov.caption() == "als on log.csv · alpha=0.115, factors=64 · 2026-01-02"
    assert _params_text({"alpha": 0.11498870747119451, "factors": 64}) == "alpha=0.115, factors=64"
