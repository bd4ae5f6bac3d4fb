"""A response Rasa leaves for the API to render: where it travels and what it carries.

Rasa decides *which* response to send; the API renders it in the person's language from
locales/ (api/gateways/responses.py). Rasa's generator (botserver/deferred_render.py) sends,
for each response, a `custom` message `{RENDER_KEY: request}` through its REST channel, where
`request` has the shape of Rasa's NLG callback body: `response`, `arguments` and a `tracker`
holding only `RENDER_SLOTS`, the latest message's detected `language` and the active loop.
"""

from __future__ import annotations

# The key, inside a Rasa message's `custom` payload, of a response waiting to be rendered.
RENDER_KEY = "render"
# The slots a render reads: the conversation's language and the placeholders a text may use.
RENDER_SLOTS: tuple[str, ...] = ("language", "city", "reference", "services")
# Keys of Rasa's own message shape that an action's `utter_message` passes along with its
# placeholder values; they are not placeholders and are left out of `arguments`.
MESSAGE_KEYS = frozenset({"text", "buttons", "elements", "custom", "template", "response", "image",
                          "attachment", "quick_replies", "response_id", "domain_responses"})
