"""Reading the JSON lines a command prints (`listen --json`) in the tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any


async def read_json_until(stream: asyncio.StreamReader, message_type: str,
                          seen: list[dict[str, Any]], timeout_s: float) -> dict[str, Any]:
    async def loop() -> dict[str, Any]:
        while True:
            line = await stream.readline()
            if not line:
                raise AssertionError(f"stdout ended before {message_type}: {seen}")
            event: dict[str, Any] = json.loads(line)
            seen.append(event)
            if event.get("message_type") == message_type:
                return event

    return await asyncio.wait_for(loop(), timeout_s)
