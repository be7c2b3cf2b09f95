-- diva.embeddings as a Flink SQL table: every embedding the job publishes (EmbeddingRecord, keyed by image id; the
-- topic is compacted, so a read from the start sees at least the newest embedding of every image). Same
-- placeholders as diva-metrics.sql.
CREATE TABLE diva_embeddings (
  imageId STRING,
  label STRING,
  `split` STRING,
  modelVersion BIGINT,
  combined ARRAY<FLOAT>,
  embeddedAt BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'diva.embeddings',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'value.format' = 'diva-registry',
  'value.diva-registry.url' = '${registry}'
);
