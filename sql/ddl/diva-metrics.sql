-- diva.metrics as a Flink SQL table: one row per model version and evaluation (MetricsRecord), written by the job
-- with --serde.format registry. Replace ${bootstrap} (the brokers) and ${registry} (the registry's Apicurio API,
-- e.g. http://registry:8080/apis/registry/v2); add 'properties.*' client properties for a secured cluster, e.g.
-- 'properties.security.protocol' = 'SASL_SSL'. Columns pick MetricsRecord's fields by name; leave out any you do
-- not need. Times are epoch milliseconds; computed_at is one as a timestamp.
CREATE TABLE diva_metrics (
  modelVersion BIGINT,
  trainingStep BIGINT,
  imagesSeen BIGINT,
  evalImages INT,
  evalClasses INT,
  `mode` STRING,
  metrics MAP<STRING, ROW<recallAt1 DOUBLE, recallAt2 DOUBLE, recallAt4 DOUBLE, recallAt8 DOUBLE, nmi DOUBLE,
      mapAtR DOUBLE>>,
  computedAt BIGINT,
  computed_at AS TO_TIMESTAMP_LTZ(computedAt, 3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'diva.metrics',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'value.format' = 'diva-registry',
  'value.diva-registry.url' = '${registry}'
);
