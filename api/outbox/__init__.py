"""The outboxes: a person's messages in and out, stored first, then delivered with retries.

Message shapes (`messages`), the tables (`models`), delivery of outbound rows by each channel's
sender (`delivery`), the buttons last offered to a person (`choices`) and the web chat's answered
turns (`receipts`). Cases, gateways and erasure all use it; it uses none of them.
"""
