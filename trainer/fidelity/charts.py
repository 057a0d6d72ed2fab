"""The fidelity report's charts (PNG, matplotlib): mood by trainee strategy, outcomes by persona.

``scripts/eval_personas.py`` draws them beside ``docs/fidelity/README.md``
(``trainer.fidelity.report`` writes the text).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trainer.fidelity.metrics import OUTCOMES

_COLOURS = {
    "resolved": "#2a9d8f",
    "escalated": "#e9c46a",
    "hung_up": "#e76f51",
    "ended_for_abuse": "#6d597a",
    "ended_by_agent": "#8d99ae",
    "abandoned": "#b5b5b5",
    "ongoing": "#cccccc",
}


def plot_mood_curves(result: Mapping[str, Any], path: Path) -> None:
    """Mean caller mood after each agent turn, one line per trainee strategy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for strategy, curve in result["mood_curves"].items():
        ax.plot(range(len(curve)), curve, marker="o", label=strategy)
    ax.set(
        xlabel="agent turn",
        ylabel="mean mood (0 calm .. 10 furious)",
        ylim=(0, 10.3),
        title=f"Mood by trainee strategy — {result['meta']['title']}",
    )
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_outcomes(result: Mapping[str, Any], path: Path) -> None:
    """Outcome shares per persona, one panel per trainee strategy (stacked bars)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    strategies = list(result["meta"]["strategies"])
    personas = sorted(result["cells"])
    fig, axes = plt.subplots(
        1, len(strategies), figsize=(3 * len(strategies), 3.6), sharey=True, squeeze=False
    )
    for ax, strategy in zip(axes[0], strategies, strict=True):
        bottom = [0.0] * len(personas)
        for outcome in OUTCOMES:
            shares = []
            for p in personas:
                cell = result["cells"][p].get(strategy, {})
                calls = cell.get("calls") or 1
                shares.append(cell.get("outcomes", {}).get(outcome, 0) / calls)
            ax.barh(personas, shares, left=bottom, color=_COLOURS[outcome], label=outcome)
            bottom = [b + s for b, s in zip(bottom, shares, strict=True)]
        ax.set_title(strategy, fontsize="medium")
        ax.set_xlim(0, 1)
        ax.tick_params(labelsize="small")
    axes[0][-1].legend(fontsize="x-small", loc="lower right")
    fig.suptitle(f"Outcomes by persona — {result['meta']['title']}", fontsize="medium")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
