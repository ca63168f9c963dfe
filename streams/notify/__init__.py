"""Optional incident notices to Slack and Microsoft Teams: opened, acknowledged, resolved, reopened.

One core serves every channel: ``incident_row`` parses the ``incidents``
topic, ``transitions`` decides which notice a row version calls for (pure),
``notice_text`` says what a notice shows (pure), ``bucket`` and ``policy`` are
the rate limit and the retry decisions (pure), ``sender`` posts with them and
``step`` handles one message against a channel's table of notices dealt with.
A channel (``channel``) adds only its payload builder (``slack_payload``,
``teams_card``) and its response policy (``policy.SLACK``, ``policy.TEAMS``);
``agent`` registers one thin Faust agent per channel whose webhook URL is set.
"""
