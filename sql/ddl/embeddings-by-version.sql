-- How many images each model version has embedded, and the embedding's dimension.
SELECT modelVersion, COUNT(*) AS images, MAX(CARDINALITY(combined)) AS dimension
FROM diva_embeddings
GROUP BY modelVersion;
