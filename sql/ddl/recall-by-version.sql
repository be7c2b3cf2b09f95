-- The combined embedding's Recall@1 and MAP@R on the held-out classes, for every model version.
SELECT modelVersion, trainingStep, metrics['combined'].recallAt1 AS recall_at_1,
       metrics['combined'].mapAtR AS map_at_r
FROM diva_metrics;
