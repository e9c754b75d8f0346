"""Reading what the bot posted: the text of blocks, the buttons, the stored answer a button refers to."""

from __future__ import annotations

import json
from typing import Any


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in ``blocks``, one per line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The buttons in ``blocks`` by action id."""
    return {
        element["action_id"]: element
        for block in blocks
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    }


def reference(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Which stored answer the buttons under an answer refer to."""
    return dict(json.loads(buttons(blocks)["feedback_up"]["value"]))
