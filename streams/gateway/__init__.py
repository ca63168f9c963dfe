"""``mttr gateway``: webhooks of Alertmanager, GitHub, Jira, PagerDuty in; contract events out."""
