"""``describe_env``: rows of (variable, default, description) for help texts and docs."""

from __future__ import annotations

from pydantic import BaseModel

from streams.settings.base import env_var


def describe_env(
    fields: list[str], model: type[BaseModel] | None = None
) -> list[tuple[str, str, str]]:
    """Return ``(env var, default, description)`` rows for help texts and docs.

    Args:
        fields: Field names, in the order the rows are wanted.
        model: The settings model defining them; default: the composed ``Settings``.

    Returns:
        One row per field; the default is ``(derived)`` for a computed default and
        ``-`` for none.
    """
    if model is None:
        from streams.settings import Settings  # the composition imports this module

        model = Settings
    rows = []
    for name in fields:
        info = model.model_fields[name]
        if info.default_factory is not None:
            default = "(derived)"
        elif info.default is None:
            default = "-"
        else:
            default = str(info.default)
        rows.append((env_var(name), default, info.description or ""))
    return rows
