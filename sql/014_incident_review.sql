-- The review of an incident and its fingerprint (docs/incident-model.md,
-- "Review (postmortem)" and "Fingerprint"); the engine computes all three
-- (streams/engine), these are only their columns.
--
-- reviewed_at: the earliest postmortem of a member ticket (contract v1.1 ticket
-- status "postmortem"), at most MTTR_REVIEW_RETENTION_S after resolved_at;
-- NULL if none. time_to_review_seconds = reviewed_at - resolved_at, NULL while
-- open or unreviewed, 0 with the flag time_to_review_negative_clamped when the
-- review came before the resolution. fingerprint: the sorted distinct names of
-- the incident's firing alerts joined by ' + ', else its first ticket title
-- normalised. Versions written before this migration read as NULL, NULL and ''.
ALTER TABLE mttr.incidents
    ADD COLUMN IF NOT EXISTS fingerprint String DEFAULT ''
        COMMENT 'sorted distinct firing alert names joined by " + ", else the normalised first ticket title'
        AFTER title,
    ADD COLUMN IF NOT EXISTS reviewed_at Nullable(DateTime64(3, 'UTC'))
        COMMENT 'earliest member ticket postmortem'
        AFTER resolved_at,
    ADD COLUMN IF NOT EXISTS time_to_review_seconds Nullable(Float64)
        COMMENT 'reviewed_at - resolved_at'
        AFTER ttr_seconds;
