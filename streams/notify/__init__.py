"""Optional Slack notices when an incident opens, is acknowledged, resolves or reopens.

``incident_row`` parses the ``incidents`` topic, ``transitions`` decides which
notice a row version calls for (pure), ``slack_payload`` builds the message
(pure), ``bucket`` and ``policy`` are the rate limit and retry decisions
(pure), ``sender`` posts with them, ``step`` handles one message against the
``slack-notified`` table and ``agent`` is the thin Faust agent.
"""
