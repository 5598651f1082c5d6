"""Telegram Bot API emulator and scripted users for end-to-end tests and the demo."""

from bot.emulator.flood import FloodLimit
from bot.emulator.server import BotApiEmulator
from bot.emulator.state import ApiRequest, WebhookDelivery
from bot.emulator.users import ChatMessage, ScriptedGroup, ScriptedUser

__all__ = [
    "ApiRequest",
    "BotApiEmulator",
    "ChatMessage",
    "FloodLimit",
    "ScriptedGroup",
    "ScriptedUser",
    "WebhookDelivery",
]
