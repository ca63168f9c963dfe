-- The project's database. Atomic engine: chDB's default database uses the
-- Overlay engine, which does not support the tables we need.
CREATE DATABASE IF NOT EXISTS mttr ENGINE = Atomic;

-- Which migration files were applied, when, and with which content hash.
CREATE TABLE IF NOT EXISTS mttr.schema_migrations
(
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY name;
