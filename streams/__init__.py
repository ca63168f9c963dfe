"""Stream processor: Faust worker, ClickHouse sink, local Kafka broker and the mttr CLI."""
