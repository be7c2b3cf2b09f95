package io.divastream.evaluation;

/**
 * MAP@R and R-Precision averaged over the queries that have at least one other item of their label.
 *
 * @param mapAtR mean average precision at R (Musgrave et al., 2020), in [0, 1]; {@code NaN} if no query
 *     qualifies
 * @param rPrecision mean R-Precision (relevant items among the R nearest, divided by R), in [0, 1];
 *     {@code NaN} if no query qualifies
 * @param queries number of queries averaged over (those with {@code R >= 1})
 */
public record MapAtRResult(double mapAtR, double rPrecision, int queries) {}
