"""The browser app (Gradio): one module per tab, pure rendering in ``render``.

``build_app(simulator, personas_dir, store) -> gr.Blocks`` builds it;
``app_main(args)`` is ``python -m trainer app``. Imported lazily, so that
``import trainer.ui`` does not load Gradio.
"""

from __future__ import annotations

from typing import Any

__all__ = ["app_main", "build_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from trainer.ui import app

        return getattr(app, name)
    raise AttributeError(f"module 'trainer.ui' has no attribute {name!r}")
