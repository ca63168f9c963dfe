-- The views analysts read: mttr.<view> returns exactly the rows of
-- mttr.<view>_live (sql/005-007). Right after migrate each one reads its live
-- definition. The worker then refreshes a snapshot of every view and points
-- mttr.<view> at "snapshot rows for what did not change + live rows for what
-- did" (streams/storage/snapshots.py; docs/metrics.md, "Snapshots").
--
-- "What changed" is found by block number: ClickHouse numbers every insert into
-- a MergeTree table, in commit order, and with enable_block_number_column it
-- keeps each row's number through merges (_block_number). A snapshot records
-- the highest number committed before it was computed; any row above it is new.
ALTER TABLE mttr.incidents MODIFY SETTING enable_block_number_column = 1;
ALTER TABLE mttr.events MODIFY SETTING enable_block_number_column = 1;
ALTER TABLE mttr.severity_targets MODIFY SETTING enable_block_number_column = 1;

CREATE OR REPLACE VIEW mttr.mttr_by_service_severity AS SELECT * FROM mttr.mttr_by_service_severity_live;
CREATE OR REPLACE VIEW mttr.mttr_daily AS SELECT * FROM mttr.mttr_daily_live;
CREATE OR REPLACE VIEW mttr.mttr_weekly AS SELECT * FROM mttr.mttr_weekly_live;
CREATE OR REPLACE VIEW mttr.mttr_monthly AS SELECT * FROM mttr.mttr_monthly_live;
CREATE OR REPLACE VIEW mttr.open_incidents AS SELECT * FROM mttr.open_incidents_live;
CREATE OR REPLACE VIEW mttr.mttr_rolling_30d AS SELECT * FROM mttr.mttr_rolling_30d_live;
CREATE OR REPLACE VIEW mttr.mtbf_by_service AS SELECT * FROM mttr.mtbf_by_service_live;
CREATE OR REPLACE VIEW mttr.sla_compliance AS SELECT * FROM mttr.sla_compliance_live;
CREATE OR REPLACE VIEW mttr.security_mttr AS SELECT * FROM mttr.security_mttr_live;
CREATE OR REPLACE VIEW mttr.dora_monthly AS SELECT * FROM mttr.dora_monthly_live;
