package io.divastream.search.index;

/** How the served version's embeddings are searched. */
public enum SearchMode {
    /** Exhaustive dot-product scan ({@link ExactSearch}): exact, O(n d) per query. */
    EXACT,
    /** JVector proximity graph ({@link GraphSearch}): approximate, much faster on large catalogues. */
    APPROXIMATE
}
