"""Reading what a user typed: the command a plain message asks for (`intent`) and the base forms of
inflected words (`morph`), in English, Russian and Azerbaijani. Self-contained; rules are YAML data."""

from bot.understand.intent import Intent, understand
from bot.understand.morph import base_forms, phrase_base_forms

__all__ = ["Intent", "base_forms", "phrase_base_forms", "understand"]
